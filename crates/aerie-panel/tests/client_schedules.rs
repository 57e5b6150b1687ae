//! `/api/client/servers/{server}/schedules`: black-box ports of Pterodactyl's
//! `tests/Integration/Api/Client/Server/{Schedule,ScheduleTask}/*` against a fake wings.
#![allow(clippy::unwrap_used, missing_docs)]

mod server_extras_support;

use std::time::Duration;

use aerie_db::repo::schedules::{Schedule, ScheduleInput, TaskInput};
use reqwest::Method;
use serde_json::{Value, json};
use server_extras_support::{
    Fx, assert_error, assert_validation, events, eventually, keys, link, sorted,
};

const SCHEDULE_KEYS: &[&str] = &[
    "id",
    "name",
    "cron",
    "is_active",
    "is_processing",
    "only_when_online",
    "last_run_at",
    "next_run_at",
    "created_at",
    "updated_at",
    "relationships",
];
const TASK_KEYS: &[&str] = &[
    "id",
    "sequence_id",
    "action",
    "payload",
    "time_offset",
    "is_queued",
    "continue_on_failure",
    "created_at",
    "updated_at",
];

async fn schedule(fx: &Fx, server_id: i64, active: bool) -> Schedule {
    fx.panel
        .db
        .schedules()
        .create(
            server_id,
            &ScheduleInput {
                name: "nightly".into(),
                cron_minute: "0".into(),
                cron_hour: "4".into(),
                cron_day_of_month: "*".into(),
                cron_month: "*".into(),
                cron_day_of_week: "*".into(),
                is_active: active,
                only_when_online: false,
                next_run_at: Some("2099-01-01T04:00:00.000000Z".into()),
            },
        )
        .await
        .unwrap()
}

async fn task(fx: &Fx, s: &Schedule, seq: i64, action: &str, payload: &str, offset: i64) -> i64 {
    fx.panel
        .db
        .schedules()
        .create_task(
            s.id,
            seq,
            &TaskInput {
                action: action.into(),
                payload: payload.into(),
                time_offset: offset,
                continue_on_failure: false,
            },
        )
        .await
        .unwrap()
        .id
}

fn body() -> Value {
    json!({
        "name": "Test Schedule",
        "is_active": false,
        "minute": "0",
        "hour": "*/2",
        "day_of_week": "2",
        "day_of_month": "*",
    })
}

#[tokio::test]
async fn a_schedule_is_created_with_its_next_run() {
    for perms in [None, Some(&["schedule.create"][..])] {
        let fx = Fx::start().await;
        let key = match perms {
            None => fx.owner_key.clone(),
            Some(p) => fx.subuser("sub", &fx.server, p).await.1,
        };
        let (status, v) = fx
            .call(Method::POST, &fx.link("/schedules"), &key, Some(body()))
            .await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["object"], "server_schedule");
        let a = &v["attributes"];
        assert_eq!(keys(a), sorted(SCHEDULE_KEYS));
        assert_eq!(
            a["cron"],
            json!({"day_of_week": "2", "day_of_month": "*", "month": "*", "hour": "*/2", "minute": "0"})
        );
        assert_eq!(a["is_active"], false);
        assert_eq!(a["is_processing"], false);
        assert_eq!(a["only_when_online"], false);
        assert_eq!(a["last_run_at"], Value::Null);
        assert_eq!(
            a["relationships"]["tasks"],
            json!({"object": "list", "data": []})
        );
        let id = a["id"].as_i64().unwrap();
        let row = fx.panel.db.schedules().find(id).await.unwrap().unwrap();
        assert_eq!(row.cron_hour, "*/2");
        assert_eq!(row.name, "Test Schedule");
        // The next run is a Tuesday at an even hour, minute 0, after now.
        let next =
            chrono::DateTime::parse_from_rfc3339(a["next_run_at"].as_str().unwrap()).unwrap();
        use chrono::{Datelike, Timelike};
        assert_eq!(next.weekday(), chrono::Weekday::Tue);
        assert_eq!(next.minute(), 0);
        assert_eq!(next.hour() % 2, 0);
        assert!(next > chrono::Utc::now());
        assert!(
            events(&fx.panel.db, fx.server.id)
                .await
                .iter()
                .any(|(e, p, _)| e == "server:schedule.create" && p["name"] == "Test Schedule")
        );
    }
}

#[tokio::test]
async fn schedule_bodies_are_validated() {
    let fx = Fx::start().await;
    let (status, v) = fx
        .call(
            Method::POST,
            &fx.link("/schedules"),
            &fx.owner_key,
            Some(json!({})),
        )
        .await;
    assert_validation(status, &v, "name", "required");
    for missing in ["minute", "hour", "day_of_month", "day_of_week"] {
        let mut b = body();
        b.as_object_mut().unwrap().remove(missing);
        let (status, v) = fx
            .call(Method::POST, &fx.link("/schedules"), &fx.owner_key, Some(b))
            .await;
        assert_validation(status, &v, missing, "required");
    }
    let mut b = body();
    b["is_active"] = json!("no");
    let (status, v) = fx
        .call(Method::POST, &fx.link("/schedules"), &fx.owner_key, Some(b))
        .await;
    assert_validation(status, &v, "is_active", "boolean");
    // A cron field that is not one: 422 naming it.
    for (field, value) in [
        ("minute", "61"),
        ("hour", "*/0"),
        ("day_of_week", "FUNDAY"),
        ("month", "13"),
    ] {
        let mut b = body();
        b[field] = json!(value);
        let (status, v) = fx
            .call(Method::POST, &fx.link("/schedules"), &fx.owner_key, Some(b))
            .await;
        assert_validation(status, &v, field, "cron");
    }
    // Loose types as Laravel takes them.
    let mut b = body();
    b["is_active"] = json!("1");
    b["only_when_online"] = json!(1);
    b["minute"] = json!(5);
    let (status, v) = fx
        .call(Method::POST, &fx.link("/schedules"), &fx.owner_key, Some(b))
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["attributes"]["is_active"], true);
    assert_eq!(v["attributes"]["only_when_online"], true);
    assert_eq!(v["attributes"]["cron"]["minute"], "5");

    // Without schedule.create.
    let (_, key) = fx.subuser("sub", &fx.server, &["schedule.update"]).await;
    let (status, v) = fx
        .call(Method::POST, &fx.link("/schedules"), &key, Some(body()))
        .await;
    assert_error(status, &v, 403);
}

#[tokio::test]
async fn schedules_are_listed_and_shown_with_their_tasks() {
    for (perms, individual) in [
        (None, false),
        (None, true),
        (Some("schedule.read"), false),
        (Some("schedule.read"), true),
    ] {
        let fx = Fx::start().await;
        let key = match perms {
            None => fx.owner_key.clone(),
            Some(p) => fx.subuser("sub", &fx.server, &[p]).await.1,
        };
        let s = schedule(&fx, fx.server.id, true).await;
        task(&fx, &s, 1, "command", "say hi", 0).await;
        let path = if individual {
            fx.link(&format!("/schedules/{}", s.id))
        } else {
            fx.link("/schedules")
        };
        let (status, v) = fx.call(Method::GET, &path, &key, None).await;
        assert_eq!(status, 200, "{v}");
        let item = if individual {
            v.clone()
        } else {
            assert_eq!(v["data"].as_array().unwrap().len(), 1);
            v["data"][0].clone()
        };
        assert_eq!(item["object"], "server_schedule");
        assert_eq!(
            item["attributes"]["next_run_at"],
            "2099-01-01T04:00:00+00:00"
        );
        let tasks = &item["attributes"]["relationships"]["tasks"];
        assert_eq!(tasks["object"], "list");
        assert_eq!(tasks["data"][0]["object"], "schedule_task");
        assert_eq!(keys(&tasks["data"][0]["attributes"]), sorted(TASK_KEYS));
        assert_eq!(tasks["data"][0]["attributes"]["payload"], "say hi");
    }

    let fx = Fx::start().await;
    let other = fx.other_server(fx.owner.id).await;
    let s = schedule(&fx, other.id, true).await;
    let (status, v) = fx
        .call(
            Method::GET,
            &fx.link(&format!("/schedules/{}", s.id)),
            &fx.owner_key,
            None,
        )
        .await;
    assert_error(status, &v, 404);
    let (status, v) = fx
        .call(Method::GET, &fx.link("/schedules/abc"), &fx.owner_key, None)
        .await;
    assert_error(status, &v, 404);

    let (_, key) = fx
        .subuser("wsonly", &fx.server, &["websocket.connect"])
        .await;
    let (status, v) = fx
        .call(Method::GET, &fx.link("/schedules"), &key, None)
        .await;
    assert_error(status, &v, 403);
    let mine = schedule(&fx, fx.server.id, true).await;
    let (status, v) = fx
        .call(
            Method::GET,
            &fx.link(&format!("/schedules/{}", mine.id)),
            &key,
            None,
        )
        .await;
    assert_error(status, &v, 403);
}

#[tokio::test]
async fn a_schedule_is_updated_and_unstuck() {
    let fx = Fx::start().await;
    let s = schedule(&fx, fx.server.id, true).await;
    // A crashed run left it processing.
    assert!(
        fx.panel
            .db
            .schedules()
            .claim(s.id, None, None)
            .await
            .unwrap()
    );
    let update = json!({
        "name": "Updated Schedule Name",
        "minute": "5",
        "hour": "*",
        "day_of_week": "*",
        "month": "*",
        "day_of_month": "*",
        "is_active": false,
    });
    let (_, key) = fx.subuser("sub", &fx.server, &["schedule.update"]).await;
    let path = fx.link(&format!("/schedules/{}", s.id));
    let (status, v) = fx
        .call(Method::POST, &path, &key, Some(update.clone()))
        .await;
    assert_eq!(status, 200, "{v}");
    let row = fx.panel.db.schedules().find(s.id).await.unwrap().unwrap();
    assert_eq!(row.name, "Updated Schedule Name");
    assert!(!row.is_active);
    assert!(!row.is_processing, "switching it off frees it");
    // Next run: minute 5 of the coming hour.
    let now = chrono::Utc::now();
    let next =
        chrono::DateTime::parse_from_rfc3339(v["attributes"]["next_run_at"].as_str().unwrap())
            .unwrap()
            .with_timezone(&chrono::Utc);
    use chrono::Timelike;
    assert_eq!(next.minute(), 5);
    assert!(
        next > now && next <= now + chrono::Duration::hours(1),
        "{next}"
    );

    let (_, creator) = fx
        .subuser("creator", &fx.server, &["schedule.create"])
        .await;
    let (status, v) = fx
        .call(Method::POST, &path, &creator, Some(update.clone()))
        .await;
    assert_error(status, &v, 403);

    let other = fx.other_server(fx.owner.id).await;
    let elsewhere = schedule(&fx, other.id, true).await;
    let (status, v) = fx
        .call(
            Method::POST,
            &fx.link(&format!("/schedules/{}", elsewhere.id)),
            &fx.owner_key,
            Some(update),
        )
        .await;
    assert_error(status, &v, 404);
}

#[tokio::test]
async fn a_schedule_is_deleted_with_its_tasks() {
    let fx = Fx::start().await;
    let s = schedule(&fx, fx.server.id, true).await;
    let t = task(&fx, &s, 1, "command", "say hi", 0).await;
    let (_, updater) = fx
        .subuser("updater", &fx.server, &["schedule.update"])
        .await;
    let path = fx.link(&format!("/schedules/{}", s.id));
    let (status, v) = fx.call(Method::DELETE, &path, &updater, None).await;
    assert_error(status, &v, 403);
    let (status, v) = fx.call(Method::DELETE, &path, &fx.owner_key, None).await;
    assert_eq!(status, 204, "{v}");
    assert!(fx.panel.db.schedules().find(s.id).await.unwrap().is_none());
    assert!(
        fx.panel
            .db
            .schedules()
            .find_task(s.id, t)
            .await
            .unwrap()
            .is_none()
    );
    let (status, _) = fx.call(Method::DELETE, &path, &fx.owner_key, None).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn execute_runs_the_tasks_now() {
    let fx = Fx::start().await;
    // Switched off: a manual run still runs it.
    let s = schedule(&fx, fx.server.id, false).await;
    let path = fx.link(&format!("/schedules/{}/execute", s.id));
    let (status, v) = fx.call(Method::POST, &path, &fx.owner_key, None).await;
    assert_error(status, &v, 400);
    assert_eq!(
        v["errors"][0]["detail"],
        "Cannot process schedule for task execution: no tasks are registered."
    );

    task(&fx, &s, 1, "command", "say one", 0).await;
    task(&fx, &s, 2, "power", "restart", 0).await;
    let (_, key) = fx.subuser("sub", &fx.server, &["schedule.update"]).await;
    let resp = fx.panel.call(Method::POST, &path, &key, None).await;
    assert_eq!(resp.status(), 202);
    let calls = fx
        .stub
        .wait_until(Duration::from_secs(10), |c| {
            c.iter().any(|c| c.path.ends_with("/power"))
        })
        .await;
    let relevant: Vec<(&str, &Value)> = calls
        .iter()
        .filter(|c| c.path.ends_with("/commands") || c.path.ends_with("/power"))
        .map(|c| (c.path.rsplit('/').next().unwrap(), &c.body))
        .collect();
    assert_eq!(
        relevant,
        vec![
            ("commands", &json!({"commands": ["say one"]})),
            ("power", &json!({"action": "restart"})),
        ]
    );
    let db = fx.panel.db.clone();
    eventually(Duration::from_secs(10), "the run to finish", || {
        let db = db.clone();
        async move {
            !db.schedules()
                .find(s.id)
                .await
                .unwrap()
                .unwrap()
                .is_processing
        }
    })
    .await;
    let row = fx.panel.db.schedules().find(s.id).await.unwrap().unwrap();
    assert!(row.last_run_at.is_some());
    assert!(
        events(&fx.panel.db, fx.server.id)
            .await
            .iter()
            .any(|(e, _, _)| e == "server:schedule.execute")
    );

    // Not twice at once.
    assert!(
        fx.panel
            .db
            .schedules()
            .claim(s.id, None, None)
            .await
            .unwrap()
    );
    let (status, v) = fx.call(Method::POST, &path, &fx.owner_key, None).await;
    assert_error(status, &v, 409);

    let (_, creator) = fx
        .subuser("creator", &fx.server, &["schedule.create"])
        .await;
    let (status, v) = fx.call(Method::POST, &path, &creator, None).await;
    assert_error(status, &v, 403);
}

#[tokio::test]
async fn tasks_are_created_in_sequence_and_validated() {
    let fx = Fx::start().await;
    let s = schedule(&fx, fx.server.id, true).await;
    let tasks_path = fx.link(&format!("/schedules/{}/tasks", s.id));
    let (_, key) = fx
        .subuser("sub", &fx.server, &["schedule.update", "control.console"])
        .await;
    let (status, v) = fx
        .call(
            Method::POST,
            &tasks_path,
            &key,
            Some(json!({"action": "command", "payload": "say Test", "time_offset": 10, "sequence_id": 1})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["object"], "schedule_task");
    let a = &v["attributes"];
    assert_eq!(keys(a), sorted(TASK_KEYS));
    assert_eq!(a["sequence_id"], 1);
    assert_eq!(a["action"], "command");
    assert_eq!(a["payload"], "say Test");
    assert_eq!(a["time_offset"], 10);
    assert_eq!(a["continue_on_failure"], false);
    assert_eq!(a["is_queued"], false);
    let first = a["id"].as_i64().unwrap();

    // Appended; then one put first moves the others down.
    let (_, v) = fx
        .call(
            Method::POST,
            &tasks_path,
            &fx.owner_key,
            Some(json!({"action": "backup", "time_offset": "0", "continue_on_failure": true})),
        )
        .await;
    assert_eq!(v["attributes"]["sequence_id"], 2, "{v}");
    assert_eq!(v["attributes"]["payload"], "");
    assert_eq!(v["attributes"]["continue_on_failure"], true);
    let second = v["attributes"]["id"].as_i64().unwrap();
    let (_, v) = fx
        .call(
            Method::POST,
            &tasks_path,
            &fx.owner_key,
            Some(
                json!({"action": "power", "payload": "start", "time_offset": 0, "sequence_id": 1}),
            ),
        )
        .await;
    assert_eq!(v["attributes"]["sequence_id"], 1, "{v}");
    let third = v["attributes"]["id"].as_i64().unwrap();
    let order: Vec<i64> = fx
        .panel
        .db
        .schedules()
        .tasks(s.id)
        .await
        .unwrap()
        .iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(order, vec![third, first, second]);

    for (body, field, rule) in [
        (json!({}), "action", "required"),
        (
            json!({"action": "hodor", "payload": "say Test", "time_offset": 0}),
            "action",
            "in",
        ),
        (
            json!({"action": "command", "time_offset": 0}),
            "payload",
            "required_unless",
        ),
        (
            json!({"action": "power", "payload": "explode", "time_offset": 0}),
            "payload",
            "in",
        ),
        (
            json!({"action": "command", "payload": "x"}),
            "time_offset",
            "required",
        ),
        (
            json!({"action": "command", "payload": "x", "time_offset": 901}),
            "time_offset",
            "between",
        ),
        (
            json!({"action": "command", "payload": "x", "time_offset": "soon"}),
            "time_offset",
            "numeric",
        ),
        (
            json!({"action": "command", "payload": "say Test", "time_offset": 0, "sequence_id": "hodor"}),
            "sequence_id",
            "numeric",
        ),
    ] {
        let (status, v) = fx
            .call(Method::POST, &tasks_path, &fx.owner_key, Some(body))
            .await;
        assert_validation(status, &v, field, rule);
    }

    // The task limit: ten.
    for i in 0..7 {
        let (status, v) = fx
            .call(
                Method::POST,
                &tasks_path,
                &fx.owner_key,
                Some(json!({"action": "command", "payload": format!("say {i}"), "time_offset": 0})),
            )
            .await;
        assert_eq!(status, 200, "{v}");
    }
    let (status, v) = fx
        .call(
            Method::POST,
            &tasks_path,
            &fx.owner_key,
            Some(json!({"action": "command", "payload": "say 11", "time_offset": 0})),
        )
        .await;
    assert_error(status, &v, 400);
    assert_eq!(
        v["errors"][0]["detail"],
        "Schedules may not have more than 10 tasks associated with them. Creating this task would put this schedule over the limit."
    );
    assert!(
        events(&fx.panel.db, fx.server.id)
            .await
            .iter()
            .any(|(e, p, _)| e == "server:task.create" && p["action"] == "power")
    );
}

#[tokio::test]
async fn task_permissions_follow_their_action() {
    let fx = Fx::start().await;
    let s = schedule(&fx, fx.server.id, true).await;
    let tasks_path = fx.link(&format!("/schedules/{}/tasks", s.id));

    // schedule.update alone cannot schedule what the user may not do by hand.
    let (_, key) = fx.subuser("sub", &fx.server, &["schedule.update"]).await;
    for body in [
        json!({"action": "command", "payload": "op me", "time_offset": 0}),
        json!({"action": "power", "payload": "start", "time_offset": 0}),
        json!({"action": "backup", "time_offset": 0}),
    ] {
        let (status, v) = fx.call(Method::POST, &tasks_path, &key, Some(body)).await;
        assert_error(status, &v, 403);
    }
    let (_, creator) = fx
        .subuser("creator", &fx.server, &["schedule.create"])
        .await;
    let (status, v) = fx.call(Method::POST, &tasks_path, &creator, None).await;
    assert_error(status, &v, 403);

    // A backup task on a server that may not have backups.
    let nobackups = server_extras_support::server(&fx.panel.db, &fx.world, fx.owner.id, 0, 0).await;
    let s0 = schedule(&fx, nobackups.id, true).await;
    let (status, v) = fx
        .call(
            Method::POST,
            &link(&nobackups, &format!("/schedules/{}/tasks", s0.id)),
            &fx.owner_key,
            Some(json!({"action": "backup", "time_offset": 0})),
        )
        .await;
    assert_error(status, &v, 403);
    assert_eq!(
        v["errors"][0]["detail"],
        "A backup task cannot be created when the server's backup limit is set to 0."
    );

    // Another server's schedule is not found here.
    let other = fx.other_server(fx.owner.id).await;
    let so = schedule(&fx, other.id, true).await;
    let (status, v) = fx
        .call(
            Method::POST,
            &fx.link(&format!("/schedules/{}/tasks", so.id)),
            &fx.owner_key,
            None,
        )
        .await;
    assert_error(status, &v, 404);
}

#[tokio::test]
async fn tasks_are_updated_and_deleted() {
    let fx = Fx::start().await;
    let s = schedule(&fx, fx.server.id, true).await;
    let t = task(&fx, &s, 1, "power", "start", 0).await;
    let path = fx.link(&format!("/schedules/{}/tasks/{t}", s.id));

    let (_, plain) = fx.subuser("plain", &fx.server, &["schedule.update"]).await;
    let (status, v) = fx
        .call(
            Method::POST,
            &path,
            &plain,
            Some(json!({"action": "command", "payload": "say Test", "time_offset": 10})),
        )
        .await;
    assert_error(status, &v, 403);
    let row = fx
        .panel
        .db
        .schedules()
        .find_task(s.id, t)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.action.as_str(), row.payload.as_str()),
        ("power", "start")
    );

    let (_, key) = fx
        .subuser(
            "sub",
            &fx.server,
            &["schedule.update", "control.console", "control.start"],
        )
        .await;
    let (status, v) = fx
        .call(
            Method::POST,
            &path,
            &key,
            Some(json!({"action": "command", "payload": "say Test", "time_offset": 10})),
        )
        .await;
    assert_eq!(status, 200, "{v}");
    let row = fx
        .panel
        .db
        .schedules()
        .find_task(s.id, t)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (row.action.as_str(), row.payload.as_str(), row.time_offset),
        ("command", "say Test", 10)
    );
    let (status, v) = fx
        .call(
            Method::POST,
            &path,
            &key,
            Some(json!({"action": "power", "payload": "invalid", "time_offset": 0})),
        )
        .await;
    assert_validation(status, &v, "payload", "in");

    // Deleting closes the gap.
    let more: Vec<i64> = vec![
        task(&fx, &s, 2, "command", "b", 0).await,
        task(&fx, &s, 3, "command", "c", 0).await,
        task(&fx, &s, 4, "command", "d", 0).await,
    ];
    let (status, v) = fx
        .call(
            Method::DELETE,
            &fx.link(&format!("/schedules/{}/tasks/{}", s.id, more[0])),
            &key,
            None,
        )
        .await;
    assert_eq!(status, 204, "{v}");
    let seq: Vec<(i64, i64)> = fx
        .panel
        .db
        .schedules()
        .tasks(s.id)
        .await
        .unwrap()
        .iter()
        .map(|t| (t.id, t.sequence_id))
        .collect();
    assert_eq!(seq, vec![(t, 1), (more[1], 2), (more[2], 3)]);

    // A task of another schedule, or a schedule of another server: 404.
    let s2 = schedule(&fx, fx.server.id, true).await;
    let (status, v) = fx
        .call(
            Method::DELETE,
            &fx.link(&format!("/schedules/{}/tasks/{t}", s2.id)),
            &fx.owner_key,
            None,
        )
        .await;
    assert_error(status, &v, 404);
    let (stranger, stranger_key) = fx.user("stranger").await;
    let _ = stranger;
    let (status, v) = fx.call(Method::DELETE, &path, &stranger_key, None).await;
    assert_error(status, &v, 404);
    let (_, creator) = fx
        .subuser("creator", &fx.server, &["schedule.create"])
        .await;
    let (status, v) = fx.call(Method::DELETE, &path, &creator, None).await;
    assert_error(status, &v, 403);

    let log = events(&fx.panel.db, fx.server.id).await;
    assert!(log.iter().any(|(e, _, _)| e == "server:task.update"));
    assert!(log.iter().any(|(e, _, _)| e == "server:task.delete"));
}
