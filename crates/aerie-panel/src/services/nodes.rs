//! Nodes: the application API's rules for creating, changing and deleting them (with their
//! daemon token), the node transformer, deployment's search for nodes with room
//! (Pterodactyl's `FindViableNodesService`), the wings configuration, and registering the
//! local node of `aerie up`.

use super::not_found;
use std::collections::HashMap;
use std::sync::LazyLock;

use aerie_db::Db;
use aerie_db::models::{NewNode, Node};
use aerie_db::repo::nodes::{NodeListQuery, NodePatch, NodeUsage};
use aerie_http::Error;
use regex::Regex;
use serde_json::{Map, Value, json};

use super::servers::as_int;
use super::{db_err, random_alnum};
use crate::api::atom_timestamp;

/// Length of a node's daemon token id.
pub const DAEMON_TOKEN_ID_LENGTH: usize = 16;
/// Length of a node's daemon token.
pub const DAEMON_TOKEN_LENGTH: usize = 64;
/// Where wings keeps server volumes unless the node says otherwise.
pub const DEFAULT_DAEMON_BASE: &str = "/var/lib/pterodactyl/volumes";

const NO_VIABLE_NODES: &str =
    "No nodes satisfying the requirements specified for automatic deployment could be found.";

/// Registers (or re-points) the single-machine node used by `aerie up`: location `local`,
/// node 1 on 127.0.0.1 at `daemon_port`. Returns the node, whose token wings uses.
pub async fn ensure_local_node(
    db: &Db,
    daemon_port: u16,
    volumes_dir: &str,
) -> Result<Node, Error> {
    let nodes = db.nodes().list().await.map_err(db_err)?;
    if let Some(node) = nodes
        .into_iter()
        .find(|n| n.fqdn == "127.0.0.1" || n.id == 1)
    {
        db.nodes()
            .set_address(node.id, "127.0.0.1", "http", i64::from(daemon_port))
            .await
            .map_err(db_err)?;
        return db
            .nodes()
            .find(node.id)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::internal("local node vanished"));
    }
    let location = match db
        .locations()
        .find_by_short("local")
        .await
        .map_err(db_err)?
    {
        Some(l) => l,
        None => db
            .locations()
            .create("local", Some("This machine"))
            .await
            .map_err(db_err)?,
    };
    let node = db
        .nodes()
        .create(&NewNode {
            name: "local".into(),
            description: Some("The node on the panel's own machine (aerie up).".into()),
            location_id: location.id,
            fqdn: "127.0.0.1".into(),
            scheme: "http".into(),
            behind_proxy: false,
            public: true,
            // The machine's own limits are the real ones here: no overallocation checks.
            memory: 0,
            memory_overallocate: -1,
            disk: 0,
            disk_overallocate: -1,
            upload_size: 100,
            daemon_listen: i64::from(daemon_port),
            daemon_sftp: 2022,
            daemon_base: volumes_dir.to_owned(),
            daemon_token_id: random_alnum(16),
            daemon_token: random_alnum(64),
        })
        .await
        .map_err(db_err)?;
    // A few ports on loopback, so a fresh install can create a server right away; an
    // administrator adds public addresses under the node's allocations.
    let ports: Vec<i64> = (LOCAL_PORTS_START..LOCAL_PORTS_START + 10).collect();
    db.allocations()
        .insert_ignore(node.id, "127.0.0.1", Some("localhost"), &ports)
        .await
        .map_err(db_err)?;
    Ok(node)
}

/// First of the ten loopback ports `aerie up` gives its local node.
pub const LOCAL_PORTS_START: i64 = 25565;

/// The `config.yml` a node's wings needs, as Pterodactyl's `Node::getConfiguration` builds it
/// (`GET /api/application/nodes/{id}/configuration`, read by `wings configure`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct NodeConfiguration {
    /// Always false.
    pub debug: bool,
    /// The node's UUID.
    pub uuid: String,
    /// The daemon token id.
    pub token_id: String,
    /// The daemon token.
    pub token: String,
    /// `api:`.
    pub api: NodeConfigurationApi,
    /// `system:`.
    pub system: NodeConfigurationSystem,
    /// Host paths servers may mount (Aerie has no mounts yet, so none).
    pub allowed_mounts: Vec<String>,
    /// The panel URL wings calls back.
    pub remote: String,
}

/// `api:` of [`NodeConfiguration`].
#[derive(Debug, Clone, serde::Serialize)]
#[allow(missing_docs)]
pub struct NodeConfigurationApi {
    pub host: String,
    pub port: i64,
    pub ssl: NodeConfigurationSsl,
    pub upload_limit: i64,
}

/// `api.ssl:` of [`NodeConfiguration`].
#[derive(Debug, Clone, serde::Serialize)]
#[allow(missing_docs)]
pub struct NodeConfigurationSsl {
    pub enabled: bool,
    pub cert: String,
    pub key: String,
}

/// `system:` of [`NodeConfiguration`].
#[derive(Debug, Clone, serde::Serialize)]
#[allow(missing_docs)]
pub struct NodeConfigurationSystem {
    pub data: String,
    pub sftp: NodeConfigurationSftp,
}

/// `system.sftp:` of [`NodeConfiguration`].
#[derive(Debug, Clone, serde::Serialize)]
#[allow(missing_docs)]
pub struct NodeConfigurationSftp {
    pub bind_port: i64,
}

/// Builds node `id`'s wings configuration; `panel_url` becomes `remote`. The node's tokens
/// are in it, so only callers allowed to read nodes get here. Wings serves TLS itself only
/// when the node is `https` and not behind a proxy (the proxy terminates TLS otherwise), with
/// certificates where certbot puts them for the node's FQDN.
pub async fn configuration(db: &Db, id: &str, panel_url: &str) -> Result<NodeConfiguration, Error> {
    let not_found =
        || Error::NotFound("The requested resource could not be found on the server.".into());
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let node = db
        .nodes()
        .find(id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)?;
    let live = format!("/etc/letsencrypt/live/{}", node.fqdn);
    Ok(NodeConfiguration {
        debug: false,
        uuid: node.uuid,
        token_id: node.daemon_token_id,
        token: node.daemon_token,
        api: NodeConfigurationApi {
            host: "0.0.0.0".into(),
            port: node.daemon_listen,
            ssl: NodeConfigurationSsl {
                enabled: node.scheme == "https" && !node.behind_proxy,
                cert: format!("{live}/fullchain.pem"),
                key: format!("{live}/privkey.pem"),
            },
            upload_limit: node.upload_size,
        },
        system: NodeConfigurationSystem {
            data: node.daemon_base,
            sftp: NodeConfigurationSftp {
                bind_port: node.daemon_sftp,
            },
        },
        allowed_mounts: Vec::new(),
        remote: panel_url.trim_end_matches('/').to_owned(),
    })
}

/// The application API's node attributes (`Application\NodeTransformer`): every column
/// except the daemon token id and token, plus `allocated_resources` (memory and disk
/// promised to the node's servers).
pub fn node_attributes(node: &Node, allocated_memory: i64, allocated_disk: i64) -> Value {
    json!({
        "id": node.id,
        "uuid": node.uuid,
        "public": node.public,
        "name": node.name,
        "description": node.description,
        "location_id": node.location_id,
        "fqdn": node.fqdn,
        "scheme": node.scheme,
        "behind_proxy": node.behind_proxy,
        "maintenance_mode": node.maintenance_mode,
        "memory": node.memory,
        "memory_overallocate": node.memory_overallocate,
        "disk": node.disk,
        "disk_overallocate": node.disk_overallocate,
        "upload_size": node.upload_size,
        "daemon_listen": node.daemon_listen,
        "daemon_sftp": node.daemon_sftp,
        "daemon_base": node.daemon_base,
        "created_at": atom_timestamp(Some(&node.created_at)),
        "updated_at": atom_timestamp(Some(&node.updated_at)),
        "allocated_resources": {"memory": allocated_memory, "disk": allocated_disk},
    })
}

/// Memory and disk promised to the servers on each of `node_ids` (absent = nothing).
pub async fn usage(db: &Db, node_ids: &[i64]) -> Result<HashMap<i64, NodeUsage>, Error> {
    db.nodes().usage(node_ids).await.map_err(db_err)
}

/// `{"object": "node", "attributes": ...}` for each node, in order, with
/// `allocated_resources` filled in (one query for all of them). For other resources'
/// `include=node` / `include=nodes`.
pub async fn node_items(db: &Db, nodes: &[Node]) -> Result<Vec<crate::api::Item>, Error> {
    let ids: Vec<i64> = nodes.iter().map(|n| n.id).collect();
    let used = usage(db, &ids).await?;
    Ok(nodes
        .iter()
        .map(|n| {
            let u = used.get(&n.id).copied().unwrap_or_default();
            crate::api::Item::new("node", node_attributes(n, u.memory, u.disk))
        })
        .collect())
}

/// The node with id `id` (the path segment as given); 404 when it is not a number or no
/// such node exists.
pub async fn find_node(db: &Db, id: &str) -> Result<Node, Error> {
    let id: i64 = id.trim().parse().map_err(|_| not_found())?;
    db.nodes()
        .find(id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

/// A filtered, sorted page of nodes and the number matching.
pub async fn list_nodes(db: &Db, query: &NodeListQuery) -> Result<(Vec<Node>, i64), Error> {
    db.nodes().search(query).await.map_err(db_err)
}

/// `POST /nodes`: validates the request object `body` (Pterodactyl's `StoreNodeRequest`
/// rules) and creates the node with a fresh UUID, daemon token id and daemon token.
pub async fn create_node(db: &Db, body: &Map<String, Value>) -> Result<Node, Error> {
    let f = NodeFields::read(body, true)?;
    let location_id = f
        .location_id
        .ok_or_else(|| required("location_id", "location id"))?;
    check_location(db, location_id).await?;
    let new = NewNode {
        name: f.name.unwrap_or_default(),
        description: f.description.unwrap_or_default(),
        location_id,
        fqdn: f.fqdn.unwrap_or_default(),
        scheme: f.scheme.unwrap_or_else(|| "https".into()),
        behind_proxy: f.behind_proxy.unwrap_or(false),
        public: f.public.unwrap_or(true),
        memory: f.memory.unwrap_or_default(),
        memory_overallocate: f.memory_overallocate.unwrap_or_default(),
        disk: f.disk.unwrap_or_default(),
        disk_overallocate: f.disk_overallocate.unwrap_or_default(),
        upload_size: f.upload_size.unwrap_or(100),
        daemon_listen: f.daemon_listen.unwrap_or(8080),
        daemon_sftp: f.daemon_sftp.unwrap_or(2022),
        daemon_base: f
            .daemon_base
            .unwrap_or_else(|| DEFAULT_DAEMON_BASE.to_owned()),
        daemon_token_id: random_alnum(DAEMON_TOKEN_ID_LENGTH),
        daemon_token: random_alnum(DAEMON_TOKEN_LENGTH),
    };
    let node = db
        .nodes()
        .create_with(&new, f.maintenance_mode.unwrap_or(false))
        .await
        .map_err(db_err)?;
    tracing::info!(node.id = node.id, node.name = %node.name, "node created");
    Ok(node)
}

/// `PATCH /nodes/{id}`: changes the fields present in `body` (each checked by the same
/// rules as on creation; a field left out keeps its value). `reset_secret: true` replaces
/// the daemon token, which the node's wings must then be given again.
pub async fn update_node(db: &Db, id: &str, body: &Map<String, Value>) -> Result<Node, Error> {
    let node = find_node(db, id).await?;
    let f = NodeFields::read(body, false)?;
    let reset_secret = match body.get("reset_secret") {
        None => false,
        Some(v) => as_bool(v).ok_or_else(|| {
            Error::validation(
                "reset_secret",
                "boolean",
                "The reset secret field must be true or false.",
            )
        })?,
    };
    if let Some(location_id) = f.location_id {
        check_location(db, location_id).await?;
    }
    let patch = NodePatch {
        name: f.name,
        description: f.description,
        location_id: f.location_id,
        fqdn: f.fqdn,
        scheme: f.scheme,
        behind_proxy: f.behind_proxy,
        public: f.public,
        maintenance_mode: f.maintenance_mode,
        memory: f.memory,
        memory_overallocate: f.memory_overallocate,
        disk: f.disk,
        disk_overallocate: f.disk_overallocate,
        upload_size: f.upload_size,
        daemon_listen: f.daemon_listen,
        daemon_sftp: f.daemon_sftp,
        daemon_base: f.daemon_base,
        daemon_token: reset_secret.then(|| random_alnum(DAEMON_TOKEN_LENGTH)),
    };
    let updated = db
        .nodes()
        .update(node.id, &patch)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)?;
    tracing::info!(
        node.id = node.id,
        node.token_reset = reset_secret,
        "node updated"
    );
    Ok(updated)
}

/// `DELETE /nodes/{id}`: deletes a node without servers (its allocations go with it).
/// 400 while any server is placed on it.
pub async fn delete_node(db: &Db, id: &str) -> Result<(), Error> {
    let node = find_node(db, id).await?;
    let has_servers = || {
        Error::BadRequest("You cannot delete a node that has active servers attached to it.".into())
    };
    if db.nodes().count_servers(node.id).await.map_err(db_err)? > 0 {
        return Err(has_servers());
    }
    match db.nodes().delete(node.id).await {
        Ok(true) => {
            tracing::info!(node.id = node.id, "node deleted");
            Ok(())
        }
        Ok(false) => Err(not_found()),
        // A server placed between the check and the delete.
        Err(aerie_db::DbError::ForeignKey) => Err(has_servers()),
        Err(e) => Err(db_err(e)),
    }
}

/// Whether a node has room for a server of `memory` and `disk` MB, given what its servers
/// already use: `used + requested <= limit * (1 + overallocate / 100)` for both, where an
/// overallocation of -1 means unlimited (Pterodactyl's `FindViableNodesService`).
pub fn has_room(node: &Node, used: NodeUsage, memory: i64, disk: i64) -> bool {
    fn fits(limit: i64, overallocate: i64, used: i64, requested: i64) -> bool {
        if overallocate == -1 {
            return true;
        }
        // Integer form of `(used + requested) <= limit * (1 + overallocate / 100)`.
        (i128::from(used) + i128::from(requested)) * 100
            <= i128::from(limit) * (100 + i128::from(overallocate))
    }
    fits(node.memory, node.memory_overallocate, used.memory, memory)
        && fits(node.disk, node.disk_overallocate, used.disk, disk)
}

/// The nodes an automatic deployment of a server needing `memory` and `disk` MB may use:
/// public, not in maintenance, in one of `location_ids` (any when empty), with room for it
/// ([`has_room`]); ascending by id.
///
/// # Errors
/// 400 "No nodes satisfying the requirements specified for automatic deployment could be
/// found." when there is none, as Pterodactyl's `NoViableNodeException`.
pub async fn viable_nodes(
    db: &Db,
    location_ids: &[i64],
    memory: i64,
    disk: i64,
) -> Result<Vec<Node>, Error> {
    let candidates = db
        .nodes()
        .deployment_candidates(location_ids)
        .await
        .map_err(db_err)?;
    let ids: Vec<i64> = candidates.iter().map(|n| n.id).collect();
    let used = usage(db, &ids).await?;
    let viable: Vec<Node> = candidates
        .into_iter()
        .filter(|n| {
            has_room(
                n,
                used.get(&n.id).copied().unwrap_or_default(),
                memory,
                disk,
            )
        })
        .collect();
    if viable.is_empty() {
        return Err(Error::BadRequest(NO_VIABLE_NODES.into()));
    }
    Ok(viable)
}

async fn check_location(db: &Db, location_id: i64) -> Result<(), Error> {
    if db
        .locations()
        .find(location_id)
        .await
        .map_err(db_err)?
        .is_none()
    {
        return Err(Error::validation(
            "location_id",
            "exists",
            "The selected Location is invalid.",
        ));
    }
    Ok(())
}

fn required(field: &str, label: &str) -> Error {
    Error::validation(field, "required", format!("The {label} field is required."))
}

/// `^([\w .-]{1,100})$` with PHP's ASCII `\w`.
static NAME_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z0-9_ .-]{1,100}$").unwrap_or_else(|e| unreachable!("{e}"))
});
/// `^([\/][\d\w.\-\/]+)$` with PHP's ASCII `\w`.
static DAEMON_BASE_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^/[A-Za-z0-9_./-]+$").unwrap_or_else(|e| unreachable!("{e}")));

/// A numeric node field: name, label in messages, minimum, maximum, and where it goes.
type NumberRule<'a> = (
    &'static str,
    &'static str,
    i64,
    Option<i64>,
    &'a mut Option<i64>,
);

/// The node fields of a create or update request, each checked; `None` = not given.
#[derive(Debug, Default)]
struct NodeFields {
    name: Option<String>,
    description: Option<Option<String>>,
    location_id: Option<i64>,
    fqdn: Option<String>,
    scheme: Option<String>,
    behind_proxy: Option<bool>,
    public: Option<bool>,
    maintenance_mode: Option<bool>,
    memory: Option<i64>,
    memory_overallocate: Option<i64>,
    disk: Option<i64>,
    disk_overallocate: Option<i64>,
    upload_size: Option<i64>,
    daemon_listen: Option<i64>,
    daemon_sftp: Option<i64>,
    daemon_base: Option<String>,
}

impl NodeFields {
    /// Reads and checks the fields in Pterodactyl's rule order. With `creating`, the
    /// required fields must be present; otherwise absent fields are left out, and a
    /// required field sent as `null` still fails.
    fn read(body: &Map<String, Value>, creating: bool) -> Result<Self, Error> {
        let mut f = NodeFields::default();
        let present = |k: &str| body.contains_key(k);

        if creating || present("name") {
            let name = req_string(body, "name", "name")?;
            if !NAME_RE.is_match(&name) {
                return Err(Error::validation(
                    "name",
                    "regex",
                    "The name format is invalid.",
                ));
            }
            f.name = Some(name);
        }
        if let Some(v) = body.get("description") {
            f.description = Some(match v {
                Value::Null => None,
                Value::String(s) if s.is_empty() => None,
                Value::String(s) => Some(s.clone()),
                _ => {
                    return Err(Error::validation(
                        "description",
                        "string",
                        "The description must be a string.",
                    ));
                }
            });
        }
        if creating || present("location_id") {
            let v = body.get("location_id").filter(|v| !is_blank(v));
            let v = v.ok_or_else(|| required("location_id", "Location"))?;
            // `exists:locations,id`: anything that is not an id of a location is "invalid".
            let id = as_int(v).ok_or_else(|| {
                Error::validation("location_id", "exists", "The selected Location is invalid.")
            })?;
            f.location_id = Some(id);
        }
        if creating || present("fqdn") {
            let fqdn = req_string(body, "fqdn", "fqdn")?;
            if fqdn.chars().count() > 191 {
                return Err(Error::validation(
                    "fqdn",
                    "max",
                    "The fqdn must not be greater than 191 characters.",
                ));
            }
            f.fqdn = Some(fqdn);
        }
        if creating || present("scheme") {
            let scheme = req_string(body, "scheme", "scheme")?;
            if scheme != "http" && scheme != "https" {
                return Err(Error::validation(
                    "scheme",
                    "in",
                    "The selected scheme is invalid.",
                ));
            }
            f.scheme = Some(scheme);
        }
        f.behind_proxy = opt_bool(body, "behind_proxy", "behind proxy")?;
        f.public = opt_bool(body, "public", "Node Visibility")?;
        f.maintenance_mode = opt_bool(body, "maintenance_mode", "maintenance mode")?;

        let numbers: [NumberRule<'_>; 6] = [
            ("memory", "memory", 1, None, &mut f.memory),
            (
                "memory_overallocate",
                "memory overallocate",
                -1,
                None,
                &mut f.memory_overallocate,
            ),
            ("disk", "disk", 1, None, &mut f.disk),
            (
                "disk_overallocate",
                "disk overallocate",
                -1,
                None,
                &mut f.disk_overallocate,
            ),
            (
                "daemon_listen",
                "daemon listen",
                1,
                Some(65535),
                &mut f.daemon_listen,
            ),
            (
                "daemon_sftp",
                "daemon sftp",
                1,
                Some(65535),
                &mut f.daemon_sftp,
            ),
        ];
        for (field, label, min, max, slot) in numbers {
            if !(creating || present(field)) {
                continue;
            }
            let v = body
                .get(field)
                .filter(|v| !is_blank(v))
                .ok_or_else(|| required(field, label))?;
            let n = as_int(v).ok_or_else(|| {
                Error::validation(field, "numeric", format!("The {label} must be a number."))
            })?;
            match max {
                Some(max) if !(min..=max).contains(&n) => {
                    return Err(Error::validation(
                        field,
                        "between",
                        format!("The {label} must be between {min} and {max}."),
                    ));
                }
                None if n < min => {
                    return Err(Error::validation(
                        field,
                        "min",
                        format!("The {label} must be at least {min}."),
                    ));
                }
                _ => {}
            }
            *slot = Some(n);
        }

        if let Some(v) = body.get("upload_size") {
            let label = "File Upload Size Limit";
            let n = as_int(v).ok_or_else(|| {
                Error::validation(
                    "upload_size",
                    "integer",
                    format!("The {label} must be an integer."),
                )
            })?;
            if !(1..=1024).contains(&n) {
                return Err(Error::validation(
                    "upload_size",
                    "between",
                    format!("The {label} must be between 1 and 1024."),
                ));
            }
            f.upload_size = Some(n);
        }
        if present("daemon_base") {
            let base = req_string(body, "daemon_base", "Daemon Base Path")?;
            if !DAEMON_BASE_RE.is_match(&base) || base.chars().count() > 191 {
                return Err(Error::validation(
                    "daemon_base",
                    "regex",
                    "The Daemon Base Path format is invalid.",
                ));
            }
            f.daemon_base = Some(base);
        }
        Ok(f)
    }
}

/// Laravel's `required`: null, an empty string or an empty array count as missing.
fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn req_string(body: &Map<String, Value>, field: &str, label: &str) -> Result<String, Error> {
    match body.get(field) {
        Some(v) if is_blank(v) => Err(required(field, label)),
        None => Err(required(field, label)),
        Some(Value::String(s)) => Ok(s.trim().to_owned()),
        Some(_) => Err(Error::validation(
            field,
            "string",
            format!("The {label} must be a string."),
        )),
    }
}

fn opt_bool(body: &Map<String, Value>, field: &str, label: &str) -> Result<Option<bool>, Error> {
    match body.get(field) {
        None => Ok(None),
        Some(v) => as_bool(v).map(Some).ok_or_else(|| {
            Error::validation(
                field,
                "boolean",
                format!("The {label} field must be true or false."),
            )
        }),
    }
}

/// Laravel's `boolean`: `true`, `false`, `1`, `0`, `"1"`, `"0"`.
fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(0) => Some(false),
            Some(1) => Some(true),
            _ => None,
        },
        Value::String(s) => match s.as_str() {
            "0" => Some(false),
            "1" => Some(true),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(memory: i64, mem_over: i64, disk: i64, disk_over: i64) -> Node {
        Node {
            id: 1,
            uuid: String::new(),
            public: true,
            name: "n".into(),
            description: None,
            location_id: 1,
            fqdn: "n.example".into(),
            scheme: "https".into(),
            behind_proxy: false,
            maintenance_mode: false,
            memory,
            memory_overallocate: mem_over,
            disk,
            disk_overallocate: disk_over,
            upload_size: 100,
            daemon_token_id: "x".repeat(16),
            daemon_token: "y".repeat(64),
            daemon_listen: 8080,
            daemon_sftp: 2022,
            daemon_base: DEFAULT_DAEMON_BASE.into(),
            created_at: "2024-01-15T10:26:32.000000Z".into(),
            updated_at: "2024-01-15T10:26:32.000000Z".into(),
        }
    }

    fn used(memory: i64, disk: i64) -> NodeUsage {
        NodeUsage { memory, disk }
    }

    #[test]
    fn room_follows_overallocation() {
        let n = node(1000, 0, 1000, 0);
        assert!(has_room(&n, used(0, 0), 1000, 1000));
        assert!(!has_room(&n, used(1, 0), 1000, 1000));
        assert!(!has_room(&n, used(0, 1), 1000, 1000));
        // 50 % overallocation: up to 1500.
        let n = node(1000, 50, 1000, 50);
        assert!(has_room(&n, used(1000, 1000), 500, 500));
        assert!(!has_room(&n, used(1000, 1000), 501, 0));
        // -1 is unlimited.
        let n = node(1000, -1, 1000, -1);
        assert!(has_room(&n, used(1_000_000, 1_000_000), 1_000_000, 1));
        let n = node(1000, -1, 1000, 0);
        assert!(!has_room(&n, used(0, 1000), 0, 1));
    }

    #[test]
    fn attributes_never_carry_the_token() {
        let v = node_attributes(&node(1, 0, 1, 0), 5, 7);
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "allocated_resources",
                "behind_proxy",
                "created_at",
                "daemon_base",
                "daemon_listen",
                "daemon_sftp",
                "description",
                "disk",
                "disk_overallocate",
                "fqdn",
                "id",
                "location_id",
                "maintenance_mode",
                "memory",
                "memory_overallocate",
                "name",
                "public",
                "scheme",
                "updated_at",
                "upload_size",
                "uuid",
            ]
        );
        assert_eq!(v["allocated_resources"], json!({"memory": 5, "disk": 7}));
        assert_eq!(v["created_at"], "2024-01-15T10:26:32+00:00");
        assert!(!v.to_string().contains(&"y".repeat(64)));
    }

    #[test]
    fn loose_numbers_and_booleans() {
        assert_eq!(as_int(&json!(5)), Some(5));
        assert_eq!(as_int(&json!("5")), Some(5));
        assert_eq!(as_int(&json!(5.0)), Some(5));
        assert_eq!(as_int(&json!(5.5)), None);
        assert_eq!(as_int(&json!("x")), None);
        assert_eq!(as_int(&json!(true)), None);
        assert_eq!(as_bool(&json!("1")), Some(true));
        assert_eq!(as_bool(&json!(0)), Some(false));
        assert_eq!(as_bool(&json!("true")), None);
        assert_eq!(as_bool(&Value::Null), None);
    }
}
