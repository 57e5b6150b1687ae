//! The scheduler loop (`aerie_panel::services::scheduler::run_with`) against a fake wings:
//! order and offsets, one run per occurrence among several schedulers sharing SQLite or
//! PostgreSQL, `only_when_online`, `continue_on_failure`, restarts, shutdown.
//!
//! Nothing waits for a minute: schedules are made due by putting `next_run_at` in the past,
//! and their cron (`0 0 1 1 *`) only fires again next New Year. The schedulers poll every
//! 25 ms; each counts its loop turns through its clock, so "the other scheduler had its
//! chance" is a count of turns, not a sleep.
#![allow(clippy::unwrap_used, missing_docs)]

mod server_extras_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aerie_db::Db;
use aerie_db::repo::schedules::{Schedule, ScheduleInput, TaskInput};
use aerie_db::repo::servers::Server;
use aerie_panel::AppState;
use aerie_panel::services::scheduler::{SchedulerOptions, run_with};
use server_extras_support::{Stub, eventually, server, world};
use tokio::sync::oneshot;

/// A running scheduler: stop it with [`Running::stop`].
struct Running {
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
    turns: Arc<AtomicUsize>,
}

impl Running {
    fn start(db: Db) -> Self {
        let turns = Arc::new(AtomicUsize::new(0));
        let counter = turns.clone();
        let opts = SchedulerOptions {
            poll: Duration::from_millis(25),
            clock: Arc::new(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                chrono::Utc::now()
            }),
        };
        let (tx, rx) = oneshot::channel::<()>();
        let state = AppState::new(db, "http://127.0.0.1");
        let task = tokio::spawn(run_with(state, opts, async move {
            let _ = rx.await;
        }));
        Self {
            stop: Some(tx),
            task,
            turns,
        }
    }

    /// Waits until this scheduler has looked at the due schedules `n` more times.
    async fn turns(&self, n: usize) {
        let target = self.turns.load(Ordering::SeqCst) + n;
        let turns = self.turns.clone();
        eventually(Duration::from_secs(20), "scheduler turns", move || {
            let t = turns.load(Ordering::SeqCst);
            async move { t >= target }
        })
        .await;
    }

    async fn stop(mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        tokio::time::timeout(Duration::from_secs(20), self.task)
            .await
            .expect("the scheduler stops on shutdown")
            .unwrap();
    }
}

struct Setup {
    db: Db,
    stub: Stub,
    server: Server,
    _dir: Option<tempfile::TempDir>,
}

async fn sqlite() -> (Db, tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("panel.db").display());
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    (db, dir, url)
}

async fn setup_on(db: Db, dir: Option<tempfile::TempDir>) -> Setup {
    let stub = Stub::start().await;
    let w = world(&db, &stub).await;
    let owner = server_extras_support::plain_user(&db, "owner").await;
    let server = server(&db, &w, owner.id, 5, 0).await;
    Setup {
        db,
        stub,
        server,
        _dir: dir,
    }
}

async fn setup() -> Setup {
    let (db, dir, _) = sqlite().await;
    setup_on(db, Some(dir)).await
}

const PAST: &str = "2020-01-01T00:00:00.000000Z";

async fn due_schedule(db: &Db, server_id: i64, name: &str, only_when_online: bool) -> Schedule {
    db.schedules()
        .create(
            server_id,
            &ScheduleInput {
                name: name.into(),
                cron_minute: "0".into(),
                cron_hour: "0".into(),
                cron_day_of_month: "1".into(),
                cron_month: "1".into(),
                cron_day_of_week: "*".into(),
                is_active: true,
                only_when_online,
                next_run_at: Some(PAST.into()),
            },
        )
        .await
        .unwrap()
}

async fn add_task(db: &Db, s: &Schedule, action: &str, payload: &str, offset: i64, cont: bool) {
    let seq = db.schedules().tasks(s.id).await.unwrap().len() as i64 + 1;
    db.schedules()
        .create_task(
            s.id,
            seq,
            &TaskInput {
                action: action.into(),
                payload: payload.into(),
                time_offset: offset,
                continue_on_failure: cont,
            },
        )
        .await
        .unwrap();
}

/// Waits until the schedule has been run (claimed: `last_run_at` set) and released.
async fn wait_finished(db: &Db, id: i64) {
    let db = db.clone();
    eventually(
        Duration::from_secs(20),
        "the schedule run to finish",
        move || {
            let db = db.clone();
            async move {
                let s = db.schedules().find(id).await.unwrap().unwrap();
                s.last_run_at.is_some() && !s.is_processing
            }
        },
    )
    .await;
}

fn commands(stub: &Stub) -> Vec<String> {
    stub.calls_to("POST", "/commands")
        .iter()
        .map(|c| c.body["commands"][0].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_due_schedule_runs_its_tasks_in_order_with_their_offsets() {
    let s = setup().await;
    let sched = due_schedule(&s.db, s.server.id, "order", false).await;
    add_task(&s.db, &sched, "command", "say first", 0, false).await;
    add_task(&s.db, &sched, "power", "restart", 1, false).await;
    // Not due: must not run.
    let later = due_schedule(&s.db, s.server.id, "later", false).await;
    add_task(&s.db, &later, "command", "say later", 0, false).await;
    s.db.schedules()
        .update(
            later.id,
            &ScheduleInput {
                name: "later".into(),
                cron_minute: "0".into(),
                cron_hour: "0".into(),
                cron_day_of_month: "1".into(),
                cron_month: "1".into(),
                cron_day_of_week: "*".into(),
                is_active: true,
                only_when_online: false,
                next_run_at: Some("2099-01-01T00:00:00.000000Z".into()),
            },
        )
        .await
        .unwrap();

    let sch = Running::start(s.db.clone());
    let calls = s
        .stub
        .wait_until(Duration::from_secs(20), |c| {
            c.iter().any(|c| c.path.ends_with("/power"))
        })
        .await;
    let command = calls
        .iter()
        .find(|c| c.path.ends_with("/commands"))
        .unwrap();
    let power = calls.iter().find(|c| c.path.ends_with("/power")).unwrap();
    assert_eq!(
        command.path,
        format!("/api/servers/{}/commands", s.server.uuid)
    );
    assert_eq!(command.body, serde_json::json!({"commands": ["say first"]}));
    assert_eq!(power.body, serde_json::json!({"action": "restart"}));
    assert!(
        power.at.duration_since(command.at) >= Duration::from_millis(950),
        "the power task waits its one-second offset after the command"
    );
    assert_eq!(
        command.auth.as_deref(),
        Some(format!("Bearer {}", server_extras_support::NODE_TOKEN).as_str())
    );
    wait_finished(&s.db, sched.id).await;
    sch.stop().await;

    let row = s.db.schedules().find(sched.id).await.unwrap().unwrap();
    let next = row.next_run_at.unwrap();
    assert!(next.ends_with("-01-01T00:00:00.000000Z"), "{next}");
    assert!(next.as_str() > aerie_db::now().as_str());
    assert!(
        s.db.schedules()
            .tasks(sched.id)
            .await
            .unwrap()
            .iter()
            .all(|t| !t.is_queued)
    );
    assert_eq!(commands(&s.stub), vec!["say first".to_owned()]);
}

/// Two schedulers on two connections to one database: every due schedule runs once.
async fn shared_database_runs_each_schedule_once(url: &str, db: Db) {
    let s = setup_on(db, None).await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let sched = due_schedule(&s.db, s.server.id, &format!("s{i}"), false).await;
        add_task(&s.db, &sched, "command", &format!("say {i}"), 0, false).await;
        ids.push(sched.id);
    }
    let a = Running::start(Db::connect(url).await.unwrap());
    let b = Running::start(Db::connect(url).await.unwrap());
    s.stub
        .wait_until(Duration::from_secs(20), |c| {
            c.iter().filter(|c| c.path.ends_with("/commands")).count() >= 6
        })
        .await;
    for id in &ids {
        wait_finished(&s.db, *id).await;
    }
    // Both had several more chances to run anything twice.
    a.turns(5).await;
    b.turns(5).await;
    a.stop().await;
    b.stop().await;
    let mut got = commands(&s.stub);
    got.sort();
    let want: Vec<String> = (0..6).map(|i| format!("say {i}")).collect();
    assert_eq!(got, want, "each schedule ran exactly once");
}

#[tokio::test]
async fn two_schedulers_sharing_sqlite_run_each_schedule_once() {
    let (db, _dir, url) = sqlite().await;
    shared_database_runs_each_schedule_once(&url, db).await;
}

#[tokio::test]
async fn two_schedulers_sharing_postgres_run_each_schedule_once() {
    let scratch = aerie_testkit::ScratchDb::create(aerie_testkit::Server::Postgres).await;
    let db = Db::connect(&scratch.url).await.unwrap();
    db.migrate().await.unwrap();
    shared_database_runs_each_schedule_once(&scratch.url, db.clone()).await;
    db.close().await;
    scratch.drop_now().await;
}

#[tokio::test]
async fn only_when_online_skips_a_server_that_is_not_running() {
    let s = setup().await;
    s.stub.set_state("offline");
    let sched = due_schedule(&s.db, s.server.id, "online", true).await;
    add_task(&s.db, &sched, "command", "say online", 0, false).await;
    let sch = Running::start(s.db.clone());
    s.stub
        .wait_until(Duration::from_secs(20), |c| {
            c.iter()
                .any(|c| c.method == "GET" && c.path.ends_with(&s.server.uuid))
        })
        .await;
    wait_finished(&s.db, sched.id).await;
    assert!(commands(&s.stub).is_empty(), "skipped while offline");

    // Running: the next occurrence goes through.
    s.stub.set_state("running");
    force_due(&s.db, &sched).await;
    s.stub
        .wait_until(Duration::from_secs(20), |c| {
            c.iter().any(|c| c.path.ends_with("/commands"))
        })
        .await;
    sch.stop().await;
    assert_eq!(commands(&s.stub), vec!["say online".to_owned()]);
}

/// Makes a schedule due again (as if its next cron time had come).
async fn force_due(db: &Db, sched: &Schedule) {
    let current = db.schedules().find(sched.id).await.unwrap().unwrap();
    db.schedules()
        .update(
            sched.id,
            &ScheduleInput {
                name: current.name,
                cron_minute: current.cron_minute,
                cron_hour: current.cron_hour,
                cron_day_of_month: current.cron_day_of_month,
                cron_month: current.cron_month,
                cron_day_of_week: current.cron_day_of_week,
                is_active: current.is_active,
                only_when_online: current.only_when_online,
                next_run_at: Some(PAST.into()),
            },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn a_failed_task_stops_the_run_unless_it_may_continue() {
    let s = setup().await;
    s.stub.fail("/commands", 502);

    // Both are made before the scheduler starts, so neither runs half-built.
    let stops = due_schedule(&s.db, s.server.id, "stops", false).await;
    add_task(&s.db, &stops, "command", "say broken", 0, false).await;
    add_task(&s.db, &stops, "power", "start", 0, false).await;
    let goes_on = due_schedule(&s.db, s.server.id, "goes-on", false).await;
    add_task(&s.db, &goes_on, "command", "say broken again", 0, true).await;
    add_task(&s.db, &goes_on, "power", "kill", 0, false).await;

    let sch = Running::start(s.db.clone());
    s.stub
        .wait_until(Duration::from_secs(20), |c| {
            c.iter().any(|c| c.path.ends_with("/power"))
        })
        .await;
    wait_finished(&s.db, stops.id).await;
    wait_finished(&s.db, goes_on.id).await;
    sch.stop().await;
    let mut got = commands(&s.stub);
    got.sort();
    assert_eq!(
        got,
        vec!["say broken".to_owned(), "say broken again".to_owned()]
    );
    let powers: Vec<serde_json::Value> = s
        .stub
        .calls_to("POST", "/power")
        .into_iter()
        .map(|c| c.body)
        .collect();
    assert_eq!(
        powers,
        vec![serde_json::json!({"action": "kill"})],
        "only the run whose failed task may continue went on"
    );
}

#[tokio::test]
async fn a_restarted_scheduler_does_not_run_an_advanced_schedule_again() {
    let (db, _dir, url) = sqlite().await;
    let s = setup_on(db, None).await;
    let sched = due_schedule(&s.db, s.server.id, "once", false).await;
    add_task(&s.db, &sched, "command", "say once", 0, false).await;
    add_task(&s.db, &sched, "backup", "*.log", 0, false).await;

    let first = Running::start(Db::connect(&url).await.unwrap());
    s.stub
        .wait_until(Duration::from_secs(20), |c| {
            c.iter().any(|c| c.path.ends_with("/backup"))
        })
        .await;
    wait_finished(&s.db, sched.id).await;
    first.stop().await;

    // The backup task went the API's way: a row and wings' backup call.
    let backup = &s.stub.calls_to("POST", "/backup")[0];
    assert_eq!(backup.body["adapter"], "wings");
    assert_eq!(backup.body["ignore"], "*.log");
    let uuid = backup.body["uuid"].as_str().unwrap();
    assert!(s.db.backups().find_by_uuid(uuid).await.unwrap().is_some());

    // A new panel process on the same database: the occurrence is not run again.
    let second = Running::start(Db::connect(&url).await.unwrap());
    second.turns(8).await;
    second.stop().await;
    assert_eq!(commands(&s.stub), vec!["say once".to_owned()]);
}

#[tokio::test]
async fn shutdown_releases_a_run_in_progress() {
    let s = setup().await;
    let sched = due_schedule(&s.db, s.server.id, "slow", false).await;
    add_task(&s.db, &sched, "command", "say later", 900, false).await;
    let sch = Running::start(s.db.clone());
    let db = s.db.clone();
    let id = sched.id;
    eventually(
        Duration::from_secs(20),
        "the schedule to be claimed",
        move || {
            let db = db.clone();
            async move {
                db.schedules()
                    .find(id)
                    .await
                    .unwrap()
                    .unwrap()
                    .is_processing
            }
        },
    )
    .await;
    sch.stop().await;
    let row = s.db.schedules().find(sched.id).await.unwrap().unwrap();
    assert!(!row.is_processing, "released on shutdown");
    assert!(commands(&s.stub).is_empty());
    assert!(row.next_run_at.unwrap().as_str() > aerie_db::now().as_str());
}

#[tokio::test]
async fn a_suspended_server_stops_the_run() {
    let s = setup().await;
    s.db.servers()
        .set_status(s.server.id, Some("suspended"))
        .await
        .unwrap();
    let sched = due_schedule(&s.db, s.server.id, "suspended", false).await;
    add_task(&s.db, &sched, "command", "say nope", 0, false).await;
    let sch = Running::start(s.db.clone());
    wait_finished(&s.db, sched.id).await;
    sch.stop().await;
    assert!(commands(&s.stub).is_empty());
}

#[tokio::test]
async fn a_schedule_left_processing_by_a_crashed_panel_runs_again() {
    let (db, _dir, url) = sqlite().await;
    let s = setup_on(db, None).await;
    let sched = due_schedule(&s.db, s.server.id, "stuck", false).await;
    add_task(&s.db, &sched, "command", "say unstuck", 0, false).await;
    // A run that started four hours ago and never finished (the panel died).
    assert!(s.db.schedules().claim(sched.id, None, None).await.unwrap());
    s.db.raw_execute(&format!(
        "UPDATE schedules SET last_run_at = '2020-01-01T00:00:00.000000Z' WHERE id = {}",
        sched.id
    ))
    .await
    .unwrap();
    let running = Running::start(Db::connect(&url).await.unwrap());
    s.stub
        .wait_until(Duration::from_secs(20), |c| !c.is_empty())
        .await;
    running.stop().await;
    assert_eq!(commands(&s.stub), vec!["say unstuck".to_owned()]);
}

#[tokio::test]
async fn expired_sessions_and_stale_password_resets_are_purged() {
    use aerie_db::repo::sessions::NewSession;
    let s = setup().await;
    let user = server_extras_support::plain_user(&s.db, "sleepy").await;
    let session = |id: &str, expires_at: &str| NewSession {
        id: id.repeat(64),
        user_id: user.id,
        csrf_token: "c".repeat(64),
        ip: None,
        user_agent: None,
        expires_at: expires_at.to_owned(),
    };
    let future = aerie_db::format_ts(chrono::Utc::now() + chrono::Duration::hours(2));
    s.db.sessions().create(&session("a", PAST)).await.unwrap();
    s.db.sessions()
        .create(&session("b", &future))
        .await
        .unwrap();
    s.db.password_resets()
        .put("old@example.com", &"1".repeat(64))
        .await
        .unwrap();
    s.db.password_resets()
        .set_created_at("old@example.com", PAST)
        .await
        .unwrap();
    s.db.password_resets()
        .put("new@example.com", &"2".repeat(64))
        .await
        .unwrap();

    let sch = Running::start(s.db.clone());
    sch.turns(2).await;
    sch.stop().await;

    assert!(
        s.db.sessions()
            .find(&"a".repeat(64))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.db.sessions()
            .find(&"b".repeat(64))
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        s.db.password_resets()
            .find("old@example.com")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.db.password_resets()
            .find("new@example.com")
            .await
            .unwrap()
            .is_some()
    );
}
