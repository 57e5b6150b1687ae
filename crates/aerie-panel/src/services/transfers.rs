//! Moving a server to another node, from the panel's side (Pterodactyl's admin
//! `ServerTransferController`; wings' half is `aerie_wings::transfer`).
//!
//! Starting one checks the server and the target, records a `server_transfers` row, reserves
//! the target allocations for the server (so nothing else takes them meanwhile), signs a
//! short-lived JWT with the target node's daemon token (what the target's `/api/transfers`
//! verifies) and asks the source wings to stream the server there. When the source wings
//! refuses or does not answer, the row and the reservation are undone and its error is
//! returned. The outcome arrives later through the remote callbacks
//! (`services::remote::finish_transfer`). Cancelling asks both wings to stop and records the
//! transfer as failed at once, so a transfer whose nodes went away can always be cleared.

use aerie_db::Db;
use aerie_db::models::Node;
use aerie_db::repo::servers::{NewServerTransfer, STATUS_RESTORING_BACKUP, Server, ServerTransfer};
use aerie_http::Error;
use reqwest::Method;
use serde::Serialize;
use serde_json::{Map, Value, json};

use super::db_err;
use super::remote::id_list;
use super::servers::{as_int, refuse_while_transferring};
use super::wings::{WingsClient, node_base_url};
use crate::api::atom_timestamp;

/// How long the target accepts the transfer token (Pterodactyl: 15 minutes). It is checked
/// when the stream starts, so a long transfer is not cut off by it.
const TOKEN_LIFETIME_SECS: i64 = 15 * 60;

/// What `POST /servers/{id}/transfer` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransferInput {
    /// The target node.
    pub node_id: i64,
    /// The server's primary allocation on the target.
    pub allocation_id: i64,
    /// Further allocations on the target.
    pub allocation_additional: Vec<i64>,
}

/// The claims of the token the target wings verifies (`aerie_wings::transfer::TransferClaims`).
#[derive(Serialize)]
struct TransferClaims<'a> {
    sub: &'a str,
    exp: i64,
    iat: i64,
}

fn invalid(field: &str, rule: &str, message: impl Into<String>) -> Error {
    Error::validation(field, rule, message)
}

fn required_int(body: &Map<String, Value>, field: &str, label: &str) -> Result<i64, Error> {
    match body.get(field) {
        None | Some(Value::Null) => Err(invalid(
            field,
            "required",
            format!("The {label} field is required."),
        )),
        Some(Value::String(s)) if s.trim().is_empty() => Err(invalid(
            field,
            "required",
            format!("The {label} field is required."),
        )),
        Some(v) => as_int(v)
            .ok_or_else(|| invalid(field, "integer", format!("The {label} must be an integer."))),
    }
}

impl TransferInput {
    /// Reads `node_id`, `allocation_id` and the optional `allocation_additional` (an array of
    /// ids; `null` or absent = none).
    ///
    /// # Errors
    /// 422 naming the field that is missing or not an integer.
    pub fn from_body(body: &Map<String, Value>) -> Result<Self, Error> {
        let node_id = required_int(body, "node_id", "node id")?;
        let allocation_id = required_int(body, "allocation_id", "allocation id")?;
        let allocation_additional = match body.get("allocation_additional") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) if items.len() > MAX_ADDITIONAL => {
                return Err(invalid(
                    "allocation_additional",
                    "max",
                    format!(
                        "The allocation additional must not have more than {MAX_ADDITIONAL} items."
                    ),
                ));
            }
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    as_int(v).ok_or_else(|| {
                        invalid(
                            &format!("allocation_additional.{i}"),
                            "integer",
                            format!("The allocation_additional.{i} must be an integer."),
                        )
                    })
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(invalid(
                    "allocation_additional",
                    "array",
                    "The allocation additional must be an array.",
                ));
            }
        };
        Ok(Self {
            node_id,
            allocation_id,
            allocation_additional,
        })
    }
}

/// The application API's `server_transfer` attributes.
pub fn transfer_attributes(t: &ServerTransfer) -> Value {
    json!({
        "id": t.id,
        "server_id": t.server_id,
        "successful": t.successful,
        "old_node": t.old_node,
        "new_node": t.new_node,
        "old_allocation": t.old_allocation,
        "new_allocation": t.new_allocation,
        "old_additional_allocations": id_list(t.old_additional_allocations.as_deref()),
        "new_additional_allocations": id_list(t.new_additional_allocations.as_deref()),
        "archived": t.archived,
        "created_at": atom_timestamp(Some(&t.created_at)),
        "updated_at": atom_timestamp(Some(&t.updated_at)),
    })
}

/// The server's newest transfer, running or finished; 404 when it was never transferred.
pub async fn latest_transfer(db: &Db, server: &Server) -> Result<ServerTransfer, Error> {
    db.servers()
        .transfers(server.id)
        .await
        .map_err(db_err)?
        .pop()
        .ok_or_else(|| Error::NotFound("This server has never been transferred.".into()))
}

/// Refuses a server that cannot be moved now: not installed (or its install failed),
/// restoring a backup, or already moving.
async fn check_server_state(db: &Db, server: &Server) -> Result<(), Error> {
    if !server.is_installed() {
        return Err(Error::Conflict(
            "This server has not finished installing and cannot be transferred.".into(),
        ));
    }
    if server.status.as_deref() == Some(STATUS_RESTORING_BACKUP) {
        return Err(Error::Conflict(
            "This server is restoring a backup and cannot be transferred.".into(),
        ));
    }
    refuse_while_transferring(db, server, "This server is already being transferred.").await
}

/// The target node: exists, is not the server's node, and has room for the server's memory
/// and disk (Pterodactyl's `isViable`, with the same overallocation rule as deployment).
async fn check_target(db: &Db, server: &Server, node_id: i64) -> Result<Node, Error> {
    let node = db
        .nodes()
        .find(node_id)
        .await
        .map_err(db_err)?
        .ok_or_else(|| invalid("node_id", "exists", "The selected node id is invalid."))?;
    if node.id == server.node_id {
        return Err(invalid(
            "node_id",
            "different",
            "The server is already on this node; choose another one.",
        ));
    }
    let used = super::nodes::usage(db, &[node.id])
        .await?
        .get(&node.id)
        .copied()
        .unwrap_or_default();
    if !super::nodes::has_room(&node, used, server.memory, server.disk) {
        return Err(invalid(
            "node_id",
            "viable",
            format!(
                "The node \"{}\" does not have enough free memory or disk for this server.",
                node.name
            ),
        ));
    }
    Ok(node)
}

/// The allocations asked for: each on the target node and free, none twice.
async fn check_allocations(db: &Db, node: &Node, input: &TransferInput) -> Result<(), Error> {
    let primary = db
        .allocations()
        .find(input.allocation_id)
        .await
        .map_err(db_err)?;
    match primary {
        None => {
            return Err(invalid(
                "allocation_id",
                "exists",
                "The selected allocation id is invalid.",
            ));
        }
        Some(a) if a.node_id != node.id => {
            return Err(invalid(
                "allocation_id",
                "node",
                format!(
                    "The allocation {}:{} does not belong to the node \"{}\".",
                    a.ip, a.port, node.name
                ),
            ));
        }
        Some(a) if a.server_id.is_some() => {
            return Err(invalid(
                "allocation_id",
                "unique",
                format!("The allocation {}:{} is already in use.", a.ip, a.port),
            ));
        }
        Some(_) => {}
    }
    let found = db
        .allocations()
        .find_many(&input.allocation_additional)
        .await
        .map_err(db_err)?;
    for (i, id) in input.allocation_additional.iter().enumerate() {
        let field = format!("allocation_additional.{i}");
        if *id == input.allocation_id || input.allocation_additional[..i].contains(id) {
            return Err(invalid(
                &field,
                "distinct",
                format!("The {field} field has a duplicate value."),
            ));
        }
        let Some(a) = found.iter().find(|a| a.id == *id) else {
            return Err(invalid(
                &field,
                "exists",
                format!("The selected {field} is invalid."),
            ));
        };
        if a.node_id != node.id {
            return Err(invalid(
                &field,
                "node",
                format!(
                    "The allocation {}:{} does not belong to the node \"{}\".",
                    a.ip, a.port, node.name
                ),
            ));
        }
        if a.server_id.is_some() {
            return Err(invalid(
                &field,
                "unique",
                format!("The allocation {}:{} is already in use.", a.ip, a.port),
            ));
        }
    }
    Ok(())
}

/// The most additional allocations one transfer may carry.
const MAX_ADDITIONAL: usize = 100;

/// Undoes a transfer that did not start: frees the reserved allocations, drops the row.
async fn undo(db: &Db, server: &Server, transfer: &ServerTransfer, reserved: &[i64]) {
    if let Err(e) = db.allocations().unassign(server.id, reserved).await {
        tracing::error!(server.uuid = %server.uuid, error.message = %e, "could not free the allocations of a transfer that did not start");
    }
    if let Err(e) = db.servers().delete_transfer(transfer.id).await {
        tracing::error!(server.uuid = %server.uuid, transfer.id = transfer.id, error.message = %e, "could not remove a transfer that did not start");
    }
}

/// Starts moving `server` to `input.node_id`. Returns the new (running) transfer.
///
/// # Errors
/// 409 when the server is not installed, restoring a backup or already moving; 422 for a
/// missing or current target node, a target without room, or allocations that are not free
/// on the target; the source wings' error (502/503/4xx) when it does not start the transfer.
pub async fn start_transfer(
    db: &Db,
    starts: &tokio::sync::Mutex<()>,
    server: &Server,
    input: &TransferInput,
) -> Result<ServerTransfer, Error> {
    // One start at a time on this panel: the "not already moving" check, the row and the
    // allocation reservation then cannot interleave with a second request (a double click),
    // whose undo would otherwise free the first one's allocations.
    let _one_at_a_time = starts.lock().await;
    check_server_state(db, server).await?;
    let target = check_target(db, server, input.node_id).await?;
    check_allocations(db, &target, input).await?;
    let source = db
        .nodes()
        .find(server.node_id)
        .await
        .map_err(db_err)?
        .ok_or_else(|| Error::internal("a server's node is missing"))?;

    let old_additional: Vec<i64> = db
        .allocations()
        .list_by_server(server.id)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(|a| a.id)
        .filter(|id| *id != server.allocation_id)
        .collect();
    let transfer = db
        .servers()
        .create_transfer(&NewServerTransfer {
            server_id: server.id,
            old_node: source.id,
            new_node: target.id,
            old_allocation: server.allocation_id,
            new_allocation: input.allocation_id,
            old_additional_allocations: old_additional,
            new_additional_allocations: input.allocation_additional.clone(),
        })
        .await
        .map_err(db_err)?;
    let mut reserved = input.allocation_additional.clone();
    reserved.push(input.allocation_id);
    let assigned = match db.allocations().assign(&reserved, server.id).await {
        Ok(n) => n,
        Err(e) => {
            undo(db, server, &transfer, &reserved).await;
            return Err(db_err(e));
        }
    };
    if assigned != reserved.len() as u64 {
        // Another request took one of them between the check and now.
        undo(db, server, &transfer, &reserved).await;
        return Err(invalid(
            "allocation_id",
            "unique",
            "One of the selected allocations was taken meanwhile; choose again.",
        ));
    }

    let now = chrono::Utc::now().timestamp();
    let token = match aerie_jwt::sign(
        &TransferClaims {
            sub: &server.uuid,
            exp: now + TOKEN_LIFETIME_SECS,
            iat: now,
        },
        target.daemon_token.as_bytes(),
        None,
    ) {
        Ok(t) => t,
        Err(e) => {
            undo(db, server, &transfer, &reserved).await;
            return Err(Error::internal(e));
        }
    };
    // The body Pterodactyl's `DaemonTransferRepository::notify` sends; wings reads `url`,
    // `token` and `server`.
    let body = json!({
        "server_id": server.uuid,
        "url": format!("{}/api/transfers", node_base_url(&target)),
        "token": format!("Bearer {token}"),
        "server": {"uuid": server.uuid, "start_on_completion": false},
    });
    let sent = match WingsClient::for_node(&source) {
        Ok(w) => w
            .request(
                Method::POST,
                &format!("/api/servers/{}/transfer", server.uuid),
                Some(&body),
            )
            .await
            .map(|_| ())
            .map_err(Error::from),
        Err(e) => Err(e),
    };
    if let Err(e) = sent {
        tracing::warn!(server.uuid = %server.uuid, node.from = source.id, node.to = target.id, error.message = %e, "the source node did not start the transfer");
        // A timeout or a 5xx may hide a transfer the source did start: ask it to stop
        // (best effort) before the row and the reservation go.
        if let Ok(w) = WingsClient::for_node(&source) {
            let _ = w
                .request(
                    Method::DELETE,
                    &format!("/api/servers/{}/transfer", server.uuid),
                    None,
                )
                .await;
        }
        undo(db, server, &transfer, &reserved).await;
        return Err(e);
    }
    tracing::info!(server.uuid = %server.uuid, node.from = source.id, node.to = target.id, transfer.id = transfer.id, "transfer started");
    Ok(transfer)
}

/// Cancels `server`'s running transfer: both nodes are asked to stop (best effort: a node
/// that is down or no longer knows the transfer does not keep it running here), then the
/// transfer is recorded as failed and the target allocations are freed. Returns the
/// finished transfer.
///
/// # Errors
/// 409 when no transfer is running (or it finished meanwhile).
pub async fn cancel_transfer(db: &Db, server: &Server) -> Result<ServerTransfer, Error> {
    let transfer = db
        .servers()
        .active_transfer(server.id)
        .await
        .map_err(db_err)?
        .ok_or_else(|| Error::Conflict("This server is not being transferred.".into()))?;
    let nodes = db
        .nodes()
        .find_many(&[transfer.old_node, transfer.new_node])
        .await
        .map_err(db_err)?;
    for (node_id, path) in [
        (
            transfer.old_node,
            format!("/api/servers/{}/transfer", server.uuid),
        ),
        (transfer.new_node, format!("/api/transfers/{}", server.uuid)),
    ] {
        let Some(node) = nodes.iter().find(|n| n.id == node_id) else {
            continue;
        };
        match WingsClient::for_node(node) {
            Ok(w) => match w.request(Method::DELETE, &path, None).await {
                Ok(_) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => {
                    tracing::warn!(server.uuid = %server.uuid, node.id = node.id, error.message = %e, "a node did not confirm the cancelled transfer")
                }
            },
            Err(e) => tracing::warn!(node.id = node.id, error.message = %e, "no client for a node"),
        }
    }
    if db
        .servers()
        .finish_transfer(transfer.id, false)
        .await
        .map_err(db_err)?
    {
        let mut new = id_list(transfer.new_additional_allocations.as_deref());
        new.push(transfer.new_allocation);
        db.allocations()
            .unassign(server.id, &new)
            .await
            .map_err(db_err)?;
        tracing::info!(server.uuid = %server.uuid, transfer.id = transfer.id, "transfer cancelled");
    }
    let finished = db
        .servers()
        .find_transfer(transfer.id)
        .await
        .map_err(db_err)?
        .ok_or_else(|| Error::internal("a cancelled transfer vanished"))?;
    // A success callback that won the race: the server has moved and that stands.
    if finished.successful == Some(true) {
        return Err(Error::Conflict(
            "The transfer finished before it could be cancelled.".into(),
        ));
    }
    Ok(finished)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn input_takes_ints_and_digit_strings() {
        let i = TransferInput::from_body(&body(
            json!({"node_id": "2", "allocation_id": 7, "allocation_additional": [8, "9"]}),
        ));
        assert_eq!(
            i.ok(),
            Some(TransferInput {
                node_id: 2,
                allocation_id: 7,
                allocation_additional: vec![8, 9]
            })
        );
        let i = TransferInput::from_body(&body(json!({"node_id": 2, "allocation_id": 7})));
        assert_eq!(i.ok().map(|i| i.allocation_additional), Some(vec![]));
    }

    #[test]
    fn input_names_the_bad_field() {
        let field = |v: Value| match TransferInput::from_body(&body(v)) {
            Err(Error::Validation { field, rule, .. }) => format!("{field}:{rule}"),
            other => format!("{other:?}"),
        };
        assert_eq!(field(json!({"allocation_id": 1})), "node_id:required");
        assert_eq!(
            field(json!({"node_id": "x", "allocation_id": 1})),
            "node_id:integer"
        );
        assert_eq!(field(json!({"node_id": 1})), "allocation_id:required");
        assert_eq!(
            field(json!({"node_id": 1, "allocation_id": 1, "allocation_additional": 5})),
            "allocation_additional:array"
        );
        assert_eq!(
            field(json!({"node_id": 1, "allocation_id": 1, "allocation_additional": [1, "a"]})),
            "allocation_additional.1:integer"
        );
    }
}
