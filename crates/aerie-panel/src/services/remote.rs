//! The remote API wings calls (`/api/remote/*`): what a node learns about its servers
//! (settings document, process configuration, install script) and what it reports back
//! (install results, transfers, backups, restores, activity, SFTP logins).
//!
//! Every function takes the authenticated node and only ever touches that node's servers:
//! stricter than Pterodactyl, where `GET /servers/{uuid}` is not scoped to the caller.

use std::collections::BTreeMap;

use aerie_db::Db;
use aerie_db::models::Node;
use aerie_db::repo::activity::NewActivity;
use aerie_db::repo::servers::{
    STATUS_INSTALL_FAILED, STATUS_INSTALLING, STATUS_REINSTALL_FAILED, STATUS_RESTORING_BACKUP,
    Server, ServerPatch,
};
use aerie_eggs::PlaceholderContext;
use aerie_http::Error;
use aerie_proto::wings::{
    ActivityBatch, Allocation as WireAllocation, Allocations, BuildLimits, ContainerSettings,
    EggSettings, InstallScript, RemoteServer, ServerMeta, ServerSettings, SftpAuthKind,
    SftpAuthRequest, SftpAuthResponse,
};
use serde_json::Value;

use super::{db_err, not_found};

/// The server `uuid` if it lives on `node`; 404 otherwise (another node's server does not
/// exist as far as this node is concerned).
pub async fn server_on_node(db: &Db, node: &Node, uuid: &str) -> Result<Server, Error> {
    match db.servers().find_by_uuid(uuid).await.map_err(db_err)? {
        Some(s) if s.node_id == node.id => Ok(s),
        _ => Err(not_found()),
    }
}

/// The egg a server uses, with `config_from` / `copy_script_from` parents resolved the way
/// Pterodactyl does (a child's empty block falls back to its parent's).
async fn egg_chain(db: &Db, egg_id: i64) -> Result<Vec<aerie_db::repo::eggs::Egg>, Error> {
    let mut chain = Vec::new();
    let mut next = Some(egg_id);
    while let Some(id) = next.take() {
        if chain.len() >= 4 || chain.iter().any(|e: &aerie_db::repo::eggs::Egg| e.id == id) {
            break;
        }
        let egg = db
            .eggs()
            .find(id)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::internal(format!("egg {id} of a server is missing")))?;
        next = egg.config_from;
        chain.push(egg);
    }
    if chain.is_empty() {
        return Err(Error::internal("a server has no egg"));
    }
    Ok(chain)
}

fn first_set<'a>(
    chain: &'a [aerie_db::repo::eggs::Egg],
    get: impl Fn(&'a aerie_db::repo::eggs::Egg) -> Option<&'a String>,
) -> Option<&'a str> {
    chain
        .iter()
        .filter_map(get)
        .map(String::as_str)
        .find(|s| !s.trim().is_empty() && *s != "{}" && *s != "[]")
}

/// The settings document and process configuration wings needs to run `server`
/// (reference §3.5 and §5.4).
pub async fn server_document(db: &Db, server: &Server) -> Result<RemoteServer, Error> {
    let chain = egg_chain(db, server.egg_id).await?;
    let egg = &chain[0];
    // During a transfer the server also holds its allocations on the target node; the
    // source must not be told to bind those.
    let allocations: Vec<_> = db
        .allocations()
        .list_by_server(server.id)
        .await
        .map_err(db_err)?
        .into_iter()
        .filter(|a| a.node_id == server.node_id)
        .collect();
    let primary = allocations
        .iter()
        .find(|a| a.id == server.allocation_id)
        .or(allocations.first());
    let mut mappings: BTreeMap<String, Vec<u16>> = BTreeMap::new();
    for a in &allocations {
        if let Ok(port) = u16::try_from(a.port) {
            mappings.entry(a.ip.clone()).or_default().push(port);
        }
    }
    let environment: BTreeMap<String, Value> = super::servers::environment(db, server)
        .await?
        .into_iter()
        .collect();
    let settings = ServerSettings {
        uuid: server.uuid.clone(),
        meta: ServerMeta {
            name: server.name.clone(),
            description: server.description.clone().unwrap_or_default(),
        },
        suspended: server.is_suspended(),
        environment,
        invocation: server.startup.clone(),
        skip_egg_scripts: server.skip_scripts,
        build: BuildLimits {
            memory_limit: server.memory,
            swap: server.swap,
            io_weight: server.io,
            cpu_limit: server.cpu,
            threads: server.threads.clone().filter(|t| !t.is_empty()),
            disk_space: server.disk,
            oom_disabled: server.oom_disabled,
        },
        container: ContainerSettings {
            image: server.image.clone(),
            oom_disabled: server.oom_disabled,
            requires_rebuild: false,
        },
        allocations: Allocations {
            force_outgoing_ip: egg.force_outgoing_ip,
            default: WireAllocation {
                ip: primary.map(|a| a.ip.clone()).unwrap_or_default(),
                port: primary
                    .and_then(|a| u16::try_from(a.port).ok())
                    .unwrap_or_default(),
            },
            mappings,
        },
        mounts: super::mounts::mounts_for_server(db, server).await?,
        egg: EggSettings {
            id: egg.uuid.clone(),
            file_denylist: super::eggs::file_denylist(egg),
        },
        labels: BTreeMap::new(),
        crash_detection_enabled: true,
    };
    let config = aerie_eggs::EggConfig::from_json_strings(
        first_set(&chain, |e| e.config_files.as_ref()),
        first_set(&chain, |e| e.config_startup.as_ref()),
        first_set(&chain, |e| e.config_logs.as_ref()),
        first_set(&chain, |e| e.config_stop.as_ref()),
    )
    .map_err(Error::internal)?;
    let ctx = PlaceholderContext::from_server_settings(&settings, Value::Null);
    let process_configuration =
        aerie_eggs::process_configuration_for_server(&config, &ctx).map_err(Error::internal)?;
    Ok(RemoteServer {
        uuid: server.uuid.clone(),
        settings,
        process_configuration,
    })
}

/// The settings document of server `uuid` as `node` must see it: its own server's, or,
/// while `node` is the target of the server's running transfer, the server as it will be
/// there (that node, the new primary allocation, only the allocations on that node), since
/// the target reads the server before the panel moves it. 404 for anything else.
pub async fn server_document_for_node(
    db: &Db,
    node: &Node,
    uuid: &str,
) -> Result<RemoteServer, Error> {
    let server = db
        .servers()
        .find_by_uuid(uuid)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)?;
    if server.node_id == node.id {
        return server_document(db, &server).await;
    }
    let transfer = db
        .servers()
        .active_transfer(server.id)
        .await
        .map_err(db_err)?
        .filter(|t| t.new_node == node.id)
        .ok_or_else(not_found)?;
    let mut moved = server.clone();
    moved.node_id = node.id;
    moved.allocation_id = transfer.new_allocation;
    let mut doc = server_document(db, &moved).await?;
    let mut mappings: BTreeMap<String, Vec<u16>> = BTreeMap::new();
    for a in db
        .allocations()
        .list_by_server(server.id)
        .await
        .map_err(db_err)?
        .into_iter()
        .filter(|a| a.node_id == node.id)
    {
        if let Ok(port) = u16::try_from(a.port) {
            mappings.entry(a.ip).or_default().push(port);
        }
    }
    doc.settings.allocations.mappings = mappings;
    Ok(doc)
}

/// One page of the node's servers, as wings pages through them at boot; and the total.
pub async fn server_page(
    db: &Db,
    node: &Node,
    page: u64,
    per_page: u64,
) -> Result<(Vec<RemoteServer>, i64), Error> {
    let (servers, total) = db
        .servers()
        .page_by_node(
            node.id,
            page.saturating_sub(1).saturating_mul(per_page),
            per_page,
        )
        .await
        .map_err(db_err)?;
    let mut docs = Vec::with_capacity(servers.len());
    for s in &servers {
        docs.push(server_document(db, s).await?);
    }
    Ok((docs, total))
}

/// The egg's install script for `server` (`copy_script_from` followed once, as Pterodactyl).
pub async fn install_script(db: &Db, server: &Server) -> Result<InstallScript, Error> {
    let egg = db
        .eggs()
        .find(server.egg_id)
        .await
        .map_err(db_err)?
        .ok_or_else(|| Error::internal("a server's egg is missing"))?;
    let source = match egg.copy_script_from {
        Some(id) if id != egg.id => db.eggs().find(id).await.map_err(db_err)?.unwrap_or(egg),
        _ => egg,
    };
    Ok(InstallScript {
        container_image: source.script_container,
        entrypoint: source.script_entry,
        script: source
            .script_install
            .unwrap_or_default()
            .replace("\r\n", "\n"),
    })
}

/// Records how an install ended. A suspended server stays suspended.
pub async fn set_install_status(
    db: &Db,
    server: &Server,
    successful: bool,
    reinstall: bool,
) -> Result<(), Error> {
    let status = if server.is_suspended() {
        server.status.clone()
    } else if successful {
        None
    } else if reinstall {
        Some(STATUS_REINSTALL_FAILED.to_owned())
    } else {
        Some(STATUS_INSTALL_FAILED.to_owned())
    };
    db.servers()
        .update(
            server.id,
            &ServerPatch {
                status: Some(status),
                installed_at: Some(Some(aerie_db::now())),
                ..ServerPatch::default()
            },
        )
        .await
        .map_err(db_err)?;
    tracing::info!(server.uuid = %server.uuid, install.successful = successful, install.reinstall = reinstall, "install finished");
    Ok(())
}

/// Wings booted: nothing on the node is installing or restoring any more, and backups that
/// were running did not finish.
pub async fn reset_node(db: &Db, node: &Node) -> Result<(), Error> {
    let servers = db.servers().list_by_node(node.id).await.map_err(db_err)?;
    for s in &servers {
        if matches!(
            s.status.as_deref(),
            Some(STATUS_INSTALLING | STATUS_RESTORING_BACKUP)
        ) {
            db.servers()
                .set_status_if(s.id, s.status.as_deref(), None)
                .await
                .map_err(db_err)?;
        }
    }
    let ids: Vec<i64> = servers.iter().map(|s| s.id).collect();
    db.backups().fail_running(&ids).await.map_err(db_err)?;
    Ok(())
}

/// Stores a batch of activity from wings. Only `server:*` events of this node's servers are
/// kept; entries naming an unknown server or user are dropped, not fatal.
pub async fn record_activity(db: &Db, node: &Node, batch: ActivityBatch) -> Result<(), Error> {
    let mut entries = Vec::new();
    for e in batch.data {
        if !e.event.starts_with("server:") || e.event.len() > 191 {
            continue;
        }
        let Some(server) = db
            .servers()
            .find_by_uuid(&e.server)
            .await
            .map_err(db_err)?
            .filter(|s| s.node_id == node.id)
        else {
            continue;
        };
        let actor = match e.user.as_deref().filter(|u| !u.is_empty()) {
            Some(u) => db
                .users()
                .find_by_uuid(u)
                .await
                .map_err(db_err)?
                .map(|u| u.id),
            None => None,
        };
        let ip: String = e.ip.chars().take(64).collect();
        entries.push(NewActivity {
            event: e.event,
            ip,
            actor_id: actor,
            server_id: Some(server.id),
            properties: e
                .metadata
                .filter(Value::is_object)
                .map(|m| m.to_string())
                .unwrap_or_default(),
            timestamp: chrono::DateTime::parse_from_rfc3339(&e.timestamp)
                .map(|t| aerie_db::format_ts(t.with_timezone(&chrono::Utc)))
                .unwrap_or_default(),
            ..NewActivity::default()
        });
    }
    db.activity().log(&entries).await.map_err(db_err)
}

pub(crate) fn id_list(json: Option<&str>) -> Vec<i64> {
    json.and_then(|j| serde_json::from_str(j).ok())
        .unwrap_or_default()
}

/// A transfer callback from a node. On success the server moves to the new node and its old
/// allocations are freed, then the old node is told to delete its copy; on failure the new
/// allocations are freed and the server stays where it was. 409 when no transfer runs.
pub async fn finish_transfer(
    db: &Db,
    node: &Node,
    uuid: &str,
    successful: bool,
) -> Result<(), Error> {
    let server = db
        .servers()
        .find_by_uuid(uuid)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)?;
    let Some(transfer) = db
        .servers()
        .active_transfer(server.id)
        .await
        .map_err(db_err)?
    else {
        if server.node_id != node.id {
            return Err(not_found());
        }
        return Err(Error::Conflict(
            "This server is not being transferred.".into(),
        ));
    };
    // Either node may report a failure; only the target can know the server arrived.
    if node.id != transfer.new_node && (successful || node.id != transfer.old_node) {
        return Err(not_found());
    }
    if !db
        .servers()
        .finish_transfer(transfer.id, successful)
        .await
        .map_err(db_err)?
    {
        return Err(Error::Conflict(
            "This server is not being transferred.".into(),
        ));
    }
    let mut old = id_list(transfer.old_additional_allocations.as_deref());
    old.push(transfer.old_allocation);
    let mut new = id_list(transfer.new_additional_allocations.as_deref());
    new.push(transfer.new_allocation);
    if !successful {
        db.allocations()
            .unassign(server.id, &new)
            .await
            .map_err(db_err)?;
        tracing::warn!(server.uuid = %server.uuid, node.id = node.id, "transfer failed; the server stays on its node");
        return Ok(());
    }
    db.servers()
        .update(
            server.id,
            &ServerPatch {
                node_id: Some(transfer.new_node),
                allocation_id: Some(transfer.new_allocation),
                ..ServerPatch::default()
            },
        )
        .await
        .map_err(db_err)?;
    db.allocations()
        .unassign(server.id, &old)
        .await
        .map_err(db_err)?;
    tracing::info!(server.uuid = %server.uuid, node.from = transfer.old_node, node.to = transfer.new_node, "transfer finished");
    // The old node keeps its copy until now; removing it is best effort (an offline old
    // node keeps a stale copy, which it drops at its next boot because the panel no longer
    // lists the server there).
    if let Some(old_node) = db.nodes().find(transfer.old_node).await.map_err(db_err)? {
        match super::wings::WingsClient::for_node(&old_node) {
            Ok(client) => {
                if let Err(e) = client.delete_server(&server.uuid).await {
                    tracing::warn!(server.uuid = %server.uuid, node.id = old_node.id, error.message = %e, "could not remove the transferred server from its old node");
                }
            }
            Err(e) => {
                tracing::warn!(node.id = old_node.id, error.message = %e, "no client for the old node")
            }
        }
    }
    Ok(())
}

/// The backup `uuid` if it belongs to a server on `node`.
pub async fn backup_on_node(
    db: &Db,
    node: &Node,
    uuid: &str,
) -> Result<(aerie_db::repo::backups::Backup, Server), Error> {
    let backup = db
        .backups()
        .find_by_uuid(uuid)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)?;
    let server = db
        .servers()
        .find(backup.server_id)
        .await
        .map_err(db_err)?
        .filter(|s| s.node_id == node.id)
        .ok_or_else(not_found)?;
    Ok((backup, server))
}

/// A backup ended. A backup that already ended is not changed again (400, as a replayed
/// callback must not turn a failure into a success).
///
/// For an S3 backup the multipart upload is completed from the parts' `ETag`s (ordered by
/// part number) when it succeeded, and aborted when it failed. When S3 refuses to complete
/// it, the backup is recorded as failed and the refusal returned as a 400.
pub async fn backup_finished(
    db: &Db,
    storage: Option<&crate::services::s3::S3Storage>,
    node: &Node,
    uuid: &str,
    status: &aerie_proto::wings::BackupStatus,
) -> Result<(), Error> {
    let (backup, server) = backup_on_node(db, node, uuid).await?;
    if backup.completed_at.is_some() {
        return Err(Error::BadRequest(
            "Cannot update the status of a backup that is already marked as completed.".into(),
        ));
    }
    let mut status = std::borrow::Cow::Borrowed(status);
    if backup.disk == crate::services::backups::ADAPTER_S3
        && let Err(e) =
            crate::services::backups::finish_s3_upload(storage, &server, &backup, &status).await
    {
        if status.successful {
            // Record the failure, then report why.
            status.to_mut().successful = false;
            if let Err(r) = backup_finished_record(db, &backup, &server, &status).await {
                tracing::error!(backup.uuid = %backup.uuid, error.message = %r, "could not mark a backup failed after S3 refused to complete it");
            }
            // The backup has ended (failed): a 4xx, so wings does not retry into "already
            // completed".
            return Err(match e {
                Error::BadGateway(m) => Error::BadRequest(m),
                other => other,
            });
        }
        tracing::warn!(backup.uuid = %backup.uuid, error.message = %e, "could not abort the S3 upload of a failed backup");
    }
    backup_finished_record(db, &backup, &server, &status).await
}

async fn backup_finished_record(
    db: &Db,
    backup: &aerie_db::repo::backups::Backup,
    server: &Server,
    status: &aerie_proto::wings::BackupStatus,
) -> Result<(), Error> {
    let checksum = (status.successful && !status.checksum.is_empty()).then(|| {
        let kind = if status.checksum_type.is_empty() {
            "sha1"
        } else {
            status.checksum_type.as_str()
        };
        format!("{kind}:{}", status.checksum)
    });
    let size = i64::try_from(status.size).unwrap_or(i64::MAX);
    if !db
        .backups()
        .complete(&backup.uuid, status.successful, checksum.as_deref(), size)
        .await
        .map_err(db_err)?
    {
        return Err(Error::BadRequest(
            "Cannot update the status of a backup that is already marked as completed.".into(),
        ));
    }
    db.activity()
        .log(&[NewActivity {
            event: if status.successful {
                "server:backup.complete".into()
            } else {
                "server:backup.fail".into()
            },
            ip: String::new(),
            server_id: Some(server.id),
            properties: serde_json::json!({"name": backup.name, "uuid": backup.uuid}).to_string(),
            ..NewActivity::default()
        }])
        .await
        .map_err(db_err)?;
    Ok(())
}

/// A restore ended: the server leaves `restoring_backup`.
pub async fn restore_finished(
    db: &Db,
    node: &Node,
    uuid: &str,
    successful: bool,
) -> Result<(), Error> {
    let (backup, server) = backup_on_node(db, node, uuid).await?;
    db.servers()
        .set_status_if(server.id, Some(STATUS_RESTORING_BACKUP), None)
        .await
        .map_err(db_err)?;
    db.activity()
        .log(&[NewActivity {
            event: if successful {
                "server:backup.restore-complete".into()
            } else {
                "server:backup.restore-failed".into()
            },
            ip: String::new(),
            server_id: Some(server.id),
            properties: serde_json::json!({"name": backup.name, "uuid": backup.uuid}).to_string(),
            ..NewActivity::default()
        }])
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Checks an SFTP login (`POST /api/remote/sftp/auth`): `<username>.<server short id>`
/// with the account password or one of the account's SSH keys. Owners and administrators
/// get `*`; a subuser needs `file.sftp` and gets their permissions.
pub async fn sftp_auth(
    db: &Db,
    node: &Node,
    limiter: &crate::api::RateLimiter,
    req: &SftpAuthRequest,
) -> Result<SftpAuthResponse, Error> {
    let Some((username, short)) = req.username.rsplit_once('.').filter(|(u, s)| {
        !u.is_empty() && s.len() == 8 && s.chars().all(|c| c.is_ascii_alphanumeric())
    }) else {
        return Err(Error::BadRequest(
            "No valid server identifier was included in the request.".into(),
        ));
    };
    let throttle_key = format!("sftp:{}|{}", req.username.to_lowercase(), req.ip);
    if let Some(retry_after) = limiter.is_limited(&throttle_key) {
        return Err(Error::TooManyRequests { retry_after });
    }
    let denied = || {
        limiter.hit(&throttle_key);
        tracing::info!(sftp.username = %req.username, client.ip = %req.ip, "sftp login refused");
        Error::Forbidden("Authorization credentials were not correct, please try again.".into())
    };
    let Some(user) = db
        .users()
        .find_by_username(username)
        .await
        .map_err(db_err)?
    else {
        // Same work as a real check, so timing does not reveal which usernames exist.
        let _ = super::password::verify(&req.password, DUMMY_HASH);
        return Err(denied());
    };
    let credentials_ok = match req.kind {
        SftpAuthKind::Password => user
            .password
            .as_deref()
            .is_some_and(|h| super::password::verify(&req.password, h)),
        SftpAuthKind::PublicKey => {
            let presented = key_body(&req.password);
            let keys = db.ssh_keys().list_for_user(user.id).await.map_err(db_err)?;
            presented.is_some() && keys.iter().any(|k| key_body(&k.public_key) == presented)
        }
    };
    if !credentials_ok {
        return Err(denied());
    }
    let Some(server) = db
        .servers()
        .find_by_uuid_short(&short.to_lowercase())
        .await
        .map_err(db_err)?
        .filter(|s| s.node_id == node.id)
    else {
        return Err(denied());
    };
    let permissions = if user.root_admin || server.owner_id == user.id {
        vec!["*".to_owned()]
    } else {
        match db
            .subusers()
            .find_for(user.id, server.id)
            .await
            .map_err(db_err)?
        {
            Some(sub) if sub.permissions.iter().any(|p| p == "file.sftp") => sub.permissions,
            _ => return Err(denied()),
        }
    };
    if server.is_suspended() || !server.is_installed() {
        return Err(Error::Conflict(
            "This server is currently in an unsupported state, please try again later.".into(),
        ));
    }
    limiter.clear(&throttle_key);
    Ok(SftpAuthResponse {
        user: user.uuid,
        server: server.uuid,
        permissions,
    })
}

/// An argon2id hash of a random string, verified against when the username is unknown.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$zV3QyXHCMcqhIvhWVm3j+H3F7fGBgwAm8rNKfhi0pqk";

/// `type base64` of an OpenSSH public key line, without the comment.
fn key_body(line: &str) -> Option<String> {
    let mut parts = line.split_whitespace();
    let kind = parts.next()?;
    let body = parts.next()?;
    Some(format!("{kind} {body}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn key_bodies_ignore_comments_and_spacing() {
        assert_eq!(
            super::key_body("ssh-ed25519 AAAAC3Nza alice@laptop"),
            super::key_body("ssh-ed25519   AAAAC3Nza")
        );
        assert_eq!(super::key_body("garbage"), None);
    }
}
