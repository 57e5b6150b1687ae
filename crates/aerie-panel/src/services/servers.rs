//! Servers: creation (explicit allocations or deploy), build, startup, details, suspension,
//! reinstall, deletion, and the application API's server transformer.
//!
//! The rules are Pterodactyl's `ServerCreationService`, `BuildModificationService`,
//! `StartupModificationService`, `DetailsModificationService`, `SuspensionService`,
//! `ReinstallServerService` and `ServerDeletionService`, with the request rules of
//! `StoreServerRequest` and friends. Where Pterodactyl requires a field a client can leave
//! to a sensible default (the egg's image and startup, `io`, `cpu`, the feature limits), Aerie
//! fills it in; anything given is checked with Pterodactyl's rules and messages.
//!
//! Wings must read a new server from the panel while creating it, so the rows are written
//! first and wings is called after; if wings fails, the rows are removed again and the
//! allocations freed (Pterodactyl deletes the server with `withForce()`), so no
//! half-created server remains.

use std::collections::HashMap;
use std::sync::LazyLock;

use aerie_db::Db;
use aerie_db::models::Node;
use aerie_db::repo::eggs::{Egg, EggVariable};
use aerie_db::repo::servers::{
    NewServer, STATUS_INSTALLING, STATUS_SUSPENDED, Server, ServerListQuery, ServerPatch,
    ServerVariableView,
};
use aerie_http::Error;
use regex::Regex;
use serde_json::{Map, Value, json};

use super::wings::{WingsClient, WingsError};
use super::{db_err, rules};
use crate::api::atom_timestamp;

/// Pterodactyl's `image` rule: `^~?[\w\.\/\-:@ ]*$`, at most 191 characters.
static IMAGE_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^~?[A-Za-z0-9_./\-:@ ]*$").unwrap_or_else(|e| unreachable!("{e}"))
});
/// Pterodactyl's `threads` rule: `^[0-9-,]+$`.
static THREADS_RE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[0-9\-,]+$").unwrap_or_else(|e| unreachable!("{e}")));

/// How often a fresh UUID is drawn when the first one's short form is taken.
const UUID_ATTEMPTS: usize = 10;

const NOT_FOUND: &str = "The requested resource could not be found on the server.";

fn not_found() -> Error {
    Error::NotFound(NOT_FOUND.into())
}

// ---- request field readers ------------------------------------------------------------

/// Laravel's displayable attribute: underscores become spaces (`feature_limits.databases`
/// → `feature limits.databases`).
fn label(field: &str) -> String {
    field.replace('_', " ")
}

fn invalid(field: &str, rule: &str, message: String) -> Error {
    Error::validation(field, rule, message)
}

fn required_err(field: &str) -> Error {
    invalid(
        field,
        "required",
        format!("The {} field is required.", label(field)),
    )
}

/// A JSON value as an integer the way Laravel's `integer`/`numeric` rules accept it:
/// numbers with no fraction, or strings holding one.
pub(crate) fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
                .map(|f| f as i64)
        }),
        Value::String(s) => {
            let t = s.trim();
            t.parse::<i64>().ok().or_else(|| {
                t.parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15)
                    .map(|f| f as i64)
            })
        }
        _ => None,
    }
}

/// Laravel's `boolean`: `true`, `false`, `1`, `0`, `"1"`, `"0"` (and `"true"`/`"false"`).
fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64() {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        },
        Value::String(s) => match s.trim() {
            "1" | "true" => Some(true),
            "0" | "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// An optional integer field; `null` counts as absent.
fn opt_int(v: Option<&Value>, field: &str) -> Result<Option<i64>, Error> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => as_int(v).map(Some).ok_or_else(|| {
            invalid(
                field,
                "integer",
                format!("The {} must be an integer.", label(field)),
            )
        }),
    }
}

/// An optional numeric field with a lower bound (`numeric|min:N`).
fn opt_min(v: Option<&Value>, field: &str, min: i64) -> Result<Option<i64>, Error> {
    let value = match v {
        None | Some(Value::Null) => return Ok(None),
        Some(v) => as_int(v).ok_or_else(|| {
            invalid(
                field,
                "numeric",
                format!("The {} must be a number.", label(field)),
            )
        })?,
    };
    if value < min {
        return Err(invalid(
            field,
            "min",
            format!("The {} must be at least {min}.", label(field)),
        ));
    }
    Ok(Some(value))
}

fn opt_bool(v: Option<&Value>, field: &str) -> Result<Option<bool>, Error> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(v) => as_bool(v).map(Some).ok_or_else(|| {
            invalid(
                field,
                "boolean",
                format!("The {} field must be true or false.", label(field)),
            )
        }),
    }
}

/// An optional string field: `Some(None)` for an explicit `null`, `None` when absent.
fn opt_string(v: Option<&Value>, field: &str) -> Result<Option<Option<String>>, Error> {
    match v {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
        Some(Value::Number(n)) => Ok(Some(Some(n.to_string()))),
        Some(_) => Err(invalid(
            field,
            "string",
            format!("The {} must be a string.", label(field)),
        )),
    }
}

fn max_len(value: &str, field: &str, max: usize) -> Result<(), Error> {
    if value.chars().count() > max {
        return Err(invalid(
            field,
            "max",
            format!(
                "The {} may not be greater than {max} characters.",
                label(field)
            ),
        ));
    }
    Ok(())
}

/// An array of integers (`add_allocations`, `deploy.locations`); `null` is absent.
fn int_list(v: Option<&Value>, field: &str) -> Result<Option<Vec<i64>>, Error> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                as_int(item).ok_or_else(|| {
                    let f = format!("{field}.{i}");
                    invalid(
                        &f,
                        "integer",
                        format!("The {} must be an integer.", label(&f)),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(invalid(
            field,
            "array",
            format!("The {} must be an array.", label(field)),
        )),
    }
}

fn object<'a>(v: Option<&'a Value>, field: &str) -> Result<Option<&'a Map<String, Value>>, Error> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        // PHP decodes `[]` as an empty array, which is a valid empty `environment`.
        Some(Value::Array(a)) if a.is_empty() => Ok(None),
        Some(_) => Err(invalid(
            field,
            "array",
            format!("The {} must be an array.", label(field)),
        )),
    }
}

/// The resource limits of a request, nested under `limits` or flat at the top level
/// (Pterodactyl's legacy form); `None` = not given.
#[derive(Debug, Default, Clone)]
struct Limits {
    memory: Option<i64>,
    swap: Option<i64>,
    disk: Option<i64>,
    io: Option<i64>,
    cpu: Option<i64>,
    threads: Option<Option<String>>,
}

impl Limits {
    fn read(body: &Map<String, Value>) -> Result<(Self, &'static str), Error> {
        let nested = object(body.get("limits"), "limits")?;
        let (src, prefix) = match nested {
            Some(m) => (m, "limits."),
            None => (body, ""),
        };
        let f = |name: &str| format!("{prefix}{name}");
        let io = opt_int(src.get("io"), &f("io"))?;
        if let Some(io) = io
            && !(10..=1000).contains(&io)
        {
            return Err(invalid(
                &f("io"),
                "between",
                format!("The {} must be between 10 and 1000.", label(&f("io"))),
            ));
        }
        let threads = match opt_string(src.get("threads"), &f("threads"))? {
            Some(Some(t)) if t.trim().is_empty() => Some(None),
            Some(Some(t)) => {
                if !THREADS_RE.is_match(&t) {
                    return Err(invalid(
                        &f("threads"),
                        "regex",
                        format!("The {} format is invalid.", label(&f("threads"))),
                    ));
                }
                Some(Some(t))
            }
            other => other,
        };
        Ok((
            Self {
                memory: opt_min(src.get("memory"), &f("memory"), 0)?,
                swap: opt_min(src.get("swap"), &f("swap"), -1)?,
                disk: opt_min(src.get("disk"), &f("disk"), 0)?,
                io,
                cpu: opt_min(src.get("cpu"), &f("cpu"), 0)?,
                threads,
            },
            if nested.is_some() { "limits." } else { "" },
        ))
    }
}

/// `feature_limits`: `databases`, `allocations`, `backups` (`null` = not given).
#[derive(Debug, Default, Clone, Copy)]
struct FeatureLimits {
    databases: Option<i64>,
    allocations: Option<i64>,
    backups: Option<i64>,
    given: bool,
}

impl FeatureLimits {
    fn read(body: &Map<String, Value>) -> Result<Self, Error> {
        let Some(m) = object(body.get("feature_limits"), "feature_limits")? else {
            return Ok(Self::default());
        };
        Ok(Self {
            databases: opt_min(m.get("databases"), "feature_limits.databases", 0)?,
            allocations: opt_min(m.get("allocations"), "feature_limits.allocations", 0)?,
            backups: opt_min(m.get("backups"), "feature_limits.backups", 0)?,
            given: true,
        })
    }
}

fn check_image(image: &str, field: &str) -> Result<(), Error> {
    max_len(image, field, 191)?;
    if !IMAGE_RE.is_match(image) {
        return Err(invalid(
            field,
            "regex",
            format!("The {} format is invalid.", label(field)),
        ));
    }
    Ok(())
}

fn check_name(name: &str) -> Result<(), Error> {
    if name.trim().is_empty() {
        return Err(required_err("name"));
    }
    max_len(name, "name", 191)
}

fn check_external_id(external_id: Option<&str>) -> Result<(), Error> {
    if let Some(e) = external_id {
        max_len(e, "external_id", 191)?;
    }
    Ok(())
}

/// The value of `environment[env]` as the string stored for it: strings as given,
/// numbers in decimal, booleans as `1`/`0` (PHP's string cast); `null` counts as absent.
fn env_value(env: &Map<String, Value>, key: &str) -> Result<Option<String>, Error> {
    match env.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(Value::Bool(b)) => Ok(Some(if *b { "1" } else { "0" }.into())),
        Some(_) => Err(invalid(
            &format!("environment.{key}"),
            "string",
            format!("The {key} variable must be a string."),
        )),
    }
}

/// Validates the values of an egg's variables: each is `environment[ENV]` when given,
/// else `current(variable)` (the server's stored value on updates), else the default; every
/// variable is checked against its rules. Returns `(variable id, value)` for every variable.
fn resolve_variables(
    variables: &[EggVariable],
    env: Option<&Map<String, Value>>,
    current: impl Fn(&EggVariable) -> Option<String>,
) -> Result<Vec<(i64, String)>, Error> {
    let mut out = Vec::with_capacity(variables.len());
    for var in variables {
        let given = match env {
            Some(env) => env_value(env, &var.env_variable)?,
            None => None,
        };
        let value = given
            .or_else(|| current(var))
            .or_else(|| var.default_value.clone());
        rules::validate_variable(
            &var.name,
            &var.env_variable,
            var.rules.as_deref(),
            value.as_deref(),
        )?;
        out.push((var.id, value.unwrap_or_default()));
    }
    Ok(out)
}

// ---- lookups ----------------------------------------------------------------------------

/// The server with id `id` (a route segment: digits only); 404 otherwise.
pub async fn find_server(db: &Db, id: &str) -> Result<Server, Error> {
    let id = id.trim();
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_found());
    }
    let id: i64 = id.parse().map_err(|_| not_found())?;
    db.servers()
        .find(id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

/// The server with this external id; 404 when none.
pub async fn find_by_external_id(db: &Db, external_id: &str) -> Result<Server, Error> {
    db.servers()
        .find_by_external_id(external_id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

/// A filtered, sorted page of servers and the number matching.
pub async fn list_servers(db: &Db, query: &ServerListQuery) -> Result<(Vec<Server>, i64), Error> {
    db.servers().search(query).await.map_err(db_err)
}

async fn node_of(db: &Db, server: &Server) -> Result<Node, Error> {
    db.nodes()
        .find(server.node_id)
        .await
        .map_err(db_err)?
        .ok_or_else(|| Error::internal(format!("server {} has no node", server.id)))
}

async fn wings_for(db: &Db, server: &Server) -> Result<WingsClient, Error> {
    WingsClient::for_node(&node_of(db, server).await?)
}

async fn egg_exists(db: &Db, id: i64, field: &str) -> Result<Egg, Error> {
    db.eggs().find(id).await.map_err(db_err)?.ok_or_else(|| {
        invalid(
            field,
            "exists",
            format!("The selected {} is invalid.", label(field)),
        )
    })
}

async fn user_exists(db: &Db, id: i64) -> Result<(), Error> {
    if db.users().find(id).await.map_err(db_err)?.is_none() {
        return Err(invalid(
            "user",
            "exists",
            "The selected user is invalid.".into(),
        ));
    }
    Ok(())
}

// ---- environment and transformer --------------------------------------------------------

/// The environment a server's container gets from the panel (Pterodactyl's
/// `EnvironmentService`): every egg variable (the server's value, else the default), then
/// `STARTUP`, `P_SERVER_LOCATION` (the node's location short code), `P_SERVER_UUID` and
/// `P_SERVER_ALLOCATION_LIMIT`. Used by the application transformer and the remote API's
/// settings document alike.
pub async fn environment(db: &Db, server: &Server) -> Result<Map<String, Value>, Error> {
    let vars = db
        .servers()
        .variables(server.id, server.egg_id)
        .await
        .map_err(db_err)?;
    let location = match db.nodes().find(server.node_id).await.map_err(db_err)? {
        Some(node) => db
            .locations()
            .find(node.location_id)
            .await
            .map_err(db_err)?
            .map(|l| l.short),
        None => None,
    };
    Ok(environment_from(server, &vars, location.as_deref()))
}

/// [`environment`] from already loaded variables and location short code.
pub fn environment_from(
    server: &Server,
    variables: &[ServerVariableView],
    location_short: Option<&str>,
) -> Map<String, Value> {
    let mut env = Map::new();
    for v in variables {
        env.insert(
            v.variable.env_variable.clone(),
            v.effective_value()
                .map_or(Value::Null, |s| Value::String(s.to_owned())),
        );
    }
    env.insert("STARTUP".into(), server.startup.clone().into());
    env.insert("P_SERVER_LOCATION".into(), location_short.into());
    env.insert("P_SERVER_UUID".into(), server.uuid.clone().into());
    env.insert(
        "P_SERVER_ALLOCATION_LIMIT".into(),
        server.allocation_limit.into(),
    );
    env
}

/// The application API's server attributes (`Application\ServerTransformer`), with the
/// container environment from [`environment`].
pub fn server_attributes(server: &Server, environment: Map<String, Value>) -> Value {
    json!({
        "id": server.id,
        "external_id": server.external_id,
        "uuid": server.uuid,
        "identifier": server.uuid_short,
        "name": server.name,
        "description": server.description.clone().unwrap_or_default(),
        "status": server.status,
        "suspended": server.is_suspended(),
        "limits": {
            "memory": server.memory,
            "swap": server.swap,
            "disk": server.disk,
            "io": server.io,
            "cpu": server.cpu,
            "threads": server.threads,
            "oom_disabled": server.oom_disabled,
        },
        "feature_limits": {
            "databases": server.database_limit,
            "allocations": server.allocation_limit,
            "backups": server.backup_limit,
        },
        "user": server.owner_id,
        "node": server.node_id,
        "allocation": server.allocation_id,
        "nest": server.nest_id,
        "egg": server.egg_id,
        "container": {
            "startup_command": server.startup,
            "image": server.image,
            "installed": i64::from(server.is_installed()),
            "environment": environment,
        },
        "updated_at": atom_timestamp(Some(&server.updated_at)),
        "created_at": atom_timestamp(Some(&server.created_at)),
    })
}

/// The egg variables of each of `servers` with its values, keyed by server id: two
/// queries however many servers (their eggs' variables, and their stored values).
pub async fn variables_of(
    db: &Db,
    servers: &[Server],
) -> Result<HashMap<i64, Vec<ServerVariableView>>, Error> {
    let mut egg_ids: Vec<i64> = servers.iter().map(|s| s.egg_id).collect();
    egg_ids.sort_unstable();
    egg_ids.dedup();
    let server_ids: Vec<i64> = servers.iter().map(|s| s.id).collect();
    let variables = db.eggs().variables_of(&egg_ids).await.map_err(db_err)?;
    let values = db
        .servers()
        .variable_values_of(&server_ids)
        .await
        .map_err(db_err)?;
    Ok(servers
        .iter()
        .map(|s| {
            let views = variables
                .iter()
                .filter(|v| v.egg_id == s.egg_id)
                .map(|v| ServerVariableView {
                    variable: v.clone(),
                    server_value: values
                        .iter()
                        .find(|x| x.server_id == s.id && x.variable_id == v.id)
                        .map(|x| x.variable_value.clone().unwrap_or_default()),
                })
                .collect();
            (s.id, views)
        })
        .collect())
}

/// Server attributes for each of `servers`, in order, with their environments (a fixed
/// number of queries per page, not per server).
pub async fn server_attributes_many(db: &Db, servers: &[Server]) -> Result<Vec<Value>, Error> {
    let variables = variables_of(db, servers).await?;
    let mut node_ids: Vec<i64> = servers.iter().map(|s| s.node_id).collect();
    node_ids.sort_unstable();
    node_ids.dedup();
    let nodes = db.nodes().find_many(&node_ids).await.map_err(db_err)?;
    let mut shorts: HashMap<i64, String> = HashMap::new();
    for n in &nodes {
        if let Some(l) = db.locations().find(n.location_id).await.map_err(db_err)? {
            shorts.insert(n.id, l.short);
        }
    }
    Ok(servers
        .iter()
        .map(|s| {
            let vars = variables.get(&s.id).map_or(&[][..], Vec::as_slice);
            let env = environment_from(s, vars, shorts.get(&s.node_id).map(String::as_str));
            server_attributes(s, env)
        })
        .collect())
}

/// A `server_variable` item's attributes: the egg variable's model array plus
/// `server_value` (Pterodactyl's `Server::variables()` join, serialized by `toArray()`).
pub fn server_variable_attributes(v: &ServerVariableView) -> Value {
    let mut attrs = super::eggs::egg_variable_attributes(&v.variable);
    if let Value::Object(m) = &mut attrs {
        m.insert("server_value".into(), v.server_value.clone().into());
    }
    attrs
}

// ---- create ---------------------------------------------------------------------------

/// Removes a server that was written but could not be completed: its allocations are
/// freed, its variables go with the row.
async fn undo_create(db: &Db, server_id: i64) {
    if let Err(e) = db.allocations().release_server(server_id).await {
        tracing::error!(server.id = server_id, error.message = %e, "could not free allocations of a failed server");
    }
    if let Err(e) = db.servers().delete(server_id).await {
        tracing::error!(server.id = server_id, error.message = %e, "could not remove a failed server");
    }
}

/// `POST /servers` (Pterodactyl's `StoreServerRequest` + `ServerCreationService`).
///
/// Reads `body`, picks the allocation (`allocation.default` + `allocation.additional`,
/// which must exist, be free and be on the same node, or `deploy` {locations,
/// dedicated_ip, port_range} on a node with room), validates the egg variables (missing ones
/// take the egg's default), writes the server, its allocations and variables with status
/// `installing`, then asks wings to create it. When wings fails, everything written is
/// removed again and the wings error is returned.
///
/// # Errors
/// 422 for invalid fields (with `meta.source_field`), 400 when no node or allocation fits a
/// deployment, 503/502/4xx when wings fails.
pub async fn create_server(db: &Db, body: &Map<String, Value>) -> Result<Server, Error> {
    // --- fields, in Pterodactyl's rule order ---
    let external_id = opt_string(body.get("external_id"), "external_id")?.flatten();
    let external_id = external_id.filter(|e| !e.is_empty());
    check_external_id(external_id.as_deref())?;
    let name = opt_string(body.get("name"), "name")?
        .flatten()
        .ok_or_else(|| required_err("name"))?;
    check_name(&name)?;
    let description = opt_string(body.get("description"), "description")?.flatten();
    let owner_id = opt_int(body.get("user"), "user")?.ok_or_else(|| required_err("user"))?;
    user_exists(db, owner_id).await?;
    let egg_id = opt_int(body.get("egg"), "egg")?.ok_or_else(|| required_err("egg"))?;
    let egg = egg_exists(db, egg_id, "egg").await?;
    let image = match opt_string(body.get("docker_image"), "docker_image")?.flatten() {
        Some(i) if !i.trim().is_empty() => {
            check_image(&i, "docker_image")?;
            i
        }
        _ => super::eggs::default_image(&egg).ok_or_else(|| required_err("docker_image"))?,
    };
    let startup = match opt_string(body.get("startup"), "startup")?.flatten() {
        Some(s) if !s.trim().is_empty() => s,
        _ => egg
            .startup
            .clone()
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| required_err("startup"))?,
    };
    let env = object(body.get("environment"), "environment")?;
    let skip_scripts = opt_bool(body.get("skip_scripts"), "skip_scripts")?.unwrap_or(false);
    let oom_disabled = opt_bool(body.get("oom_disabled"), "oom_disabled")?.unwrap_or(true);
    let start_on_completion =
        opt_bool(body.get("start_on_completion"), "start_on_completion")?.unwrap_or(false);
    let (limits, prefix) = Limits::read(body)?;
    let req =
        |v: Option<i64>, name: &str| v.ok_or_else(|| required_err(&format!("{prefix}{name}")));
    let memory = req(limits.memory, "memory")?;
    let swap = req(limits.swap, "swap")?;
    let disk = req(limits.disk, "disk")?;
    let features = FeatureLimits::read(body)?;

    // --- allocations ---
    let deploy = object(body.get("deploy"), "deploy")?;
    let (primary, additional) = match deploy {
        Some(d) => {
            let locations = int_list(d.get("locations"), "deploy.locations")?.unwrap_or_default();
            for (i, l) in locations.iter().enumerate() {
                if *l < 1 {
                    let f = format!("deploy.locations.{i}");
                    return Err(invalid(
                        &f,
                        "min",
                        format!("The {} must be at least 1.", label(&f)),
                    ));
                }
            }
            let dedicated =
                opt_bool(d.get("dedicated_ip"), "deploy.dedicated_ip")?.unwrap_or(false);
            let ports = match d.get("port_range") {
                None | Some(Value::Null) => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|v| match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    })
                    .collect(),
                Some(Value::String(s)) => vec![s.clone()],
                Some(_) => {
                    return Err(invalid(
                        "deploy.port_range",
                        "array",
                        "The deploy.port range must be an array.".into(),
                    ));
                }
            };
            let nodes = super::nodes::viable_nodes(db, &locations, memory, disk).await?;
            let ids: Vec<i64> = nodes.iter().map(|n| n.id).collect();
            let alloc =
                super::allocations::find_deployable_allocation(db, &ids, dedicated, &ports).await?;
            (alloc, Vec::new())
        }
        None => {
            let alloc = object(body.get("allocation"), "allocation")?;
            let default = alloc
                .and_then(|a| a.get("default"))
                .filter(|v| !v.is_null())
                .ok_or_else(|| required_err("allocation.default"))?;
            let default = as_int(default).ok_or_else(|| {
                invalid(
                    "allocation.default",
                    "integer",
                    "The allocation.default must be an integer.".into(),
                )
            })?;
            let exists_err =
                |field: &str| invalid(field, "exists", format!("The selected {field} is invalid."));
            let primary = db
                .allocations()
                .find(default)
                .await
                .map_err(db_err)?
                .filter(|a| a.server_id.is_none())
                .ok_or_else(|| exists_err("allocation.default"))?;
            let extra = int_list(
                alloc.and_then(|a| a.get("additional")),
                "allocation.additional",
            )?
            .unwrap_or_default();
            let mut additional = Vec::new();
            for (i, id) in extra.iter().enumerate() {
                if *id == primary.id || additional.contains(id) {
                    continue;
                }
                let field = format!("allocation.additional.{i}");
                let a = db
                    .allocations()
                    .find(*id)
                    .await
                    .map_err(db_err)?
                    .filter(|a| a.server_id.is_none() && a.node_id == primary.node_id)
                    .ok_or_else(|| exists_err(&field))?;
                additional.push(a.id);
            }
            (primary, additional)
        }
    };

    // --- variables ---
    let variables = db.eggs().variables(egg.id).await.map_err(db_err)?;
    let values = resolve_variables(&variables, env, |_| None)?;

    // --- write ---
    let mut new = NewServer {
        external_id,
        uuid: String::new(),
        uuid_short: String::new(),
        node_id: primary.node_id,
        name,
        description: Some(description.unwrap_or_default()),
        status: Some(STATUS_INSTALLING.into()),
        skip_scripts,
        owner_id,
        memory,
        swap,
        disk,
        io: limits.io.unwrap_or(500),
        cpu: limits.cpu.unwrap_or(0),
        threads: limits.threads.flatten(),
        oom_disabled,
        allocation_id: primary.id,
        nest_id: egg.nest_id,
        egg_id: egg.id,
        startup,
        image,
        allocation_limit: Some(features.allocations.unwrap_or(0)),
        database_limit: features.databases.unwrap_or(0),
        backup_limit: features.backups.unwrap_or(0),
    };
    let server = insert_with_fresh_uuid(db, &mut new).await?;

    let mut ids = vec![primary.id];
    ids.extend(&additional);
    let assigned = match db.allocations().assign(&ids, server.id).await {
        Ok(n) => n,
        Err(e) => {
            undo_create(db, server.id).await;
            return Err(db_err(e));
        }
    };
    if assigned < ids.len() as u64 {
        // Another request took one of them between the check and now.
        undo_create(db, server.id).await;
        return Err(invalid(
            "allocation.default",
            "exists",
            "The selected allocation.default is invalid.".into(),
        ));
    }
    if let Err(e) = db.servers().set_variables(server.id, &values).await {
        undo_create(db, server.id).await;
        return Err(db_err(e));
    }

    // --- wings ---
    let node = match node_of(db, &server).await {
        Ok(n) => n,
        Err(e) => {
            undo_create(db, server.id).await;
            return Err(e);
        }
    };
    let wings = match WingsClient::for_node(&node) {
        Ok(w) => w,
        Err(e) => {
            undo_create(db, server.id).await;
            return Err(e);
        }
    };
    if let Err(e) = wings.create_server(&server.uuid, start_on_completion).await {
        tracing::warn!(server.uuid = %server.uuid, node.id = node.id, error.message = %e, "wings refused the new server; removing it");
        if matches!(e, WingsError::Status { .. })
            && let Err(d) = wings.delete_server(&server.uuid).await
            && !d.is_not_found()
        {
            tracing::info!(server.uuid = %server.uuid, error.message = %d, "cleanup on wings failed");
        }
        undo_create(db, server.id).await;
        return Err(e.into());
    }
    tracing::info!(server.id = server.id, server.uuid = %server.uuid, node.id = node.id, "server created");
    Ok(server)
}

/// Inserts `new` with a fresh v4 UUID (short = its first 8 characters), drawing again when
/// either is taken.
async fn insert_with_fresh_uuid(db: &Db, new: &mut NewServer) -> Result<Server, Error> {
    for _ in 0..UUID_ATTEMPTS {
        let uuid = uuid::Uuid::new_v4().to_string();
        let short: String = uuid.chars().take(8).collect();
        if db
            .servers()
            .uuid_taken(&uuid, &short)
            .await
            .map_err(db_err)?
        {
            continue;
        }
        new.uuid = uuid;
        new.uuid_short = short;
        match db.servers().create(new).await {
            Ok(s) => return Ok(s),
            // Lost a race for the same short uuid: draw again.
            Err(aerie_db::DbError::Unique { constraint })
                if constraint.contains("uuid") && !constraint.contains("external") =>
            {
                continue;
            }
            Err(e) => return Err(db_err(e)),
        }
    }
    Err(Error::internal("could not find a free server uuid"))
}

// ---- details ----------------------------------------------------------------------------

/// `PATCH /servers/{id}/details`: `external_id`, `name`, `user`, `description`. Fields left
/// out keep their value; `external_id: null` clears it.
pub async fn update_details(
    db: &Db,
    server: &Server,
    body: &Map<String, Value>,
) -> Result<Server, Error> {
    let mut patch = ServerPatch::default();
    if let Some(e) = opt_string(body.get("external_id"), "external_id")? {
        let e = e.filter(|s| !s.is_empty());
        check_external_id(e.as_deref())?;
        if let Some(ref id) = e
            && let Some(other) = db.servers().find_by_external_id(id).await.map_err(db_err)?
            && other.id != server.id
        {
            return Err(invalid(
                "external_id",
                "unique",
                "The external id has already been taken.".into(),
            ));
        }
        patch.external_id = Some(e);
    }
    match opt_string(body.get("name"), "name")? {
        Some(Some(n)) => {
            check_name(&n)?;
            patch.name = Some(n);
        }
        Some(None) => return Err(required_err("name")),
        None => {}
    }
    if let Some(owner) = opt_int(body.get("user"), "user")? {
        user_exists(db, owner).await?;
        patch.owner_id = Some(owner);
    }
    if let Some(d) = opt_string(body.get("description"), "description")? {
        patch.description = Some(Some(d.unwrap_or_default()));
    }
    let updated = db
        .servers()
        .update(server.id, &patch)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)?;
    Ok(updated)
}

// ---- build ------------------------------------------------------------------------------

/// `PATCH /servers/{id}/build`: the primary `allocation`, `oom_disabled`, limits (nested
/// under `limits` or flat), `add_allocations`, `remove_allocations` and `feature_limits`,
/// then a wings sync (a failed sync is logged, as Pterodactyl does: wings re-reads the
/// server on its next start).
///
/// Allocations to add must be free and on the server's node (others are skipped, as in
/// Pterodactyl). Removing the primary allocation moves the primary to the first allocation
/// added in the same request, and is refused when there is none.
///
/// # Errors
/// 422 for invalid fields; 400 when the primary allocation would not belong to the server;
/// 409 while the server is being transferred (the target node got the old build, and the
/// transfer holds its new allocations).
pub async fn update_build(
    db: &Db,
    server: &Server,
    body: &Map<String, Value>,
) -> Result<Server, Error> {
    refuse_while_transferring(
        db,
        server,
        "This server is currently being transferred; its build cannot change until the transfer ends.",
    )
    .await?;
    let requested_primary = opt_int(body.get("allocation"), "allocation")?;
    let oom_disabled = opt_bool(body.get("oom_disabled"), "oom_disabled")?;
    let (limits, _) = Limits::read(body)?;
    let features = FeatureLimits::read(body)?;
    let add = int_list(body.get("add_allocations"), "add_allocations")?.unwrap_or_default();
    let remove =
        int_list(body.get("remove_allocations"), "remove_allocations")?.unwrap_or_default();

    let current: Vec<i64> = db
        .allocations()
        .list_by_server(server.id)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(|a| a.id)
        .collect();
    let to_add: Vec<i64> = if add.is_empty() {
        Vec::new()
    } else {
        db.allocations()
            .find_unassigned(&add)
            .await
            .map_err(db_err)?
            .into_iter()
            .filter(|a| a.node_id == server.node_id)
            .map(|a| a.id)
            .collect()
    };
    // Keep the client's order for "the first allocation added".
    let to_add: Vec<i64> =
        add.iter()
            .copied()
            .filter(|id| to_add.contains(id))
            .fold(Vec::new(), |mut acc, id| {
                if !acc.contains(&id) {
                    acc.push(id);
                }
                acc
            });
    let to_remove: Vec<i64> = remove
        .iter()
        .copied()
        .filter(|id| current.contains(id))
        .collect();

    let mut primary = requested_primary.unwrap_or(server.allocation_id);
    if to_remove.contains(&primary) {
        primary = *to_add.first().ok_or_else(|| {
            Error::BadRequest(
                "You are attempting to delete the default allocation for this server but there is no fallback allocation to use.".into(),
            )
        })?;
    }
    let after: Vec<i64> = current
        .iter()
        .chain(to_add.iter())
        .copied()
        .filter(|id| !to_remove.contains(id))
        .collect();
    if !after.contains(&primary) {
        return Err(Error::BadRequest(
            "The requested default allocation is not currently assigned to this server.".into(),
        ));
    }

    if !to_add.is_empty() {
        db.allocations()
            .assign(&to_add, server.id)
            .await
            .map_err(db_err)?;
    }
    let freeing: Vec<i64> = to_remove
        .iter()
        .copied()
        .filter(|id| *id != primary)
        .collect();
    if !freeing.is_empty() {
        db.allocations()
            .unassign(server.id, &freeing)
            .await
            .map_err(db_err)?;
    }

    let patch = ServerPatch {
        allocation_id: Some(primary),
        oom_disabled,
        memory: limits.memory,
        swap: limits.swap,
        disk: limits.disk,
        io: limits.io,
        cpu: limits.cpu,
        threads: limits.threads,
        database_limit: features.given.then(|| features.databases.unwrap_or(0)),
        allocation_limit: features.given.then_some(features.allocations),
        backup_limit: features.given.then(|| features.backups.unwrap_or(0)),
        ..ServerPatch::default()
    };
    let updated = db
        .servers()
        .update(server.id, &patch)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)?;
    sync_quietly(db, &updated).await;
    Ok(updated)
}

/// Tells wings to re-read the server; failures are logged only (wings reads the server
/// again before every start).
async fn sync_quietly(db: &Db, server: &Server) {
    let result = match wings_for(db, server).await {
        Ok(w) => w.sync_server(&server.uuid).await.map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    if let Err(e) = result {
        tracing::warn!(server.uuid = %server.uuid, error.message = %e, "wings sync failed; it will pick the change up on the next start");
    }
}

// ---- startup ----------------------------------------------------------------------------

/// `PATCH /servers/{id}/startup`: `startup`, `environment`, `egg`, `image` (or
/// `docker_image`) and `skip_scripts`. Fields left out keep their value. Every variable of
/// the (new) egg is validated: a value given in `environment`, else the server's current
/// one, else the default. Then a wings sync (failures logged).
///
/// # Errors
/// 422 for invalid fields or variable values.
pub async fn update_startup(
    db: &Db,
    server: &Server,
    body: &Map<String, Value>,
) -> Result<Server, Error> {
    let env = object(body.get("environment"), "environment")?;
    let egg = match opt_int(body.get("egg"), "egg")? {
        Some(id) if id != server.egg_id => Some(egg_exists(db, id, "egg").await?),
        _ => None,
    };
    let startup = match opt_string(body.get("startup"), "startup")? {
        Some(Some(s)) if !s.trim().is_empty() => Some(s),
        Some(_) => return Err(required_err("startup")),
        None => None,
    };
    let image_field = if body.contains_key("image") {
        "image"
    } else {
        "docker_image"
    };
    let image = match opt_string(body.get(image_field), image_field)? {
        Some(Some(i)) if !i.trim().is_empty() => {
            check_image(&i, image_field)?;
            Some(i)
        }
        Some(_) => return Err(required_err(image_field)),
        None => None,
    };
    let skip_scripts = opt_bool(body.get("skip_scripts"), "skip_scripts")?;

    let egg_id = egg.as_ref().map_or(server.egg_id, |e| e.id);
    let current = db
        .servers()
        .variables(server.id, server.egg_id)
        .await
        .map_err(db_err)?;
    let variables = db.eggs().variables(egg_id).await.map_err(db_err)?;
    let values = resolve_variables(&variables, env, |var| {
        current
            .iter()
            .find(|c| c.variable.id == var.id)
            .and_then(|c| c.server_value.clone())
    })?;

    db.servers()
        .set_variables(server.id, &values)
        .await
        .map_err(db_err)?;
    let mut patch = ServerPatch {
        startup,
        image,
        skip_scripts,
        ..ServerPatch::default()
    };
    if let Some(e) = &egg {
        patch.egg_id = Some(e.id);
        patch.nest_id = Some(e.nest_id);
        let keep: Vec<i64> = variables.iter().map(|v| v.id).collect();
        db.servers()
            .delete_variables_except(server.id, &keep)
            .await
            .map_err(db_err)?;
    }
    let updated = db
        .servers()
        .update(server.id, &patch)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)?;
    sync_quietly(db, &updated).await;
    Ok(updated)
}

// ---- state changes ----------------------------------------------------------------------

/// `POST /servers/{id}/suspend` (`suspend = true`) and `/unsuspend`: sets or clears the
/// `suspended` status and has wings sync. Nothing happens when the server is already in
/// that state. The change is rolled back when wings cannot be told.
///
/// # Errors
/// 409 while the server is being transferred; wings errors.
pub async fn set_suspended(db: &Db, server: &Server, suspend: bool) -> Result<(), Error> {
    if server.is_suspended() == suspend {
        return Ok(());
    }
    refuse_while_transferring(
        db,
        server,
        "Cannot toggle suspension status on a server that is currently being transferred.",
    )
    .await?;
    let wings = wings_for(db, server).await?;
    let new = suspend.then_some(STATUS_SUSPENDED);
    db.servers()
        .set_status(server.id, new)
        .await
        .map_err(db_err)?;
    if let Err(e) = wings.suspend_server(&server.uuid).await {
        // Put the old state back: the node still runs the server as it was.
        if let Err(re) = db
            .servers()
            .set_status(server.id, server.status.as_deref())
            .await
        {
            tracing::error!(server.id = server.id, error.message = %re, "could not roll back the suspension status");
        }
        return Err(e.into());
    }
    tracing::info!(server.uuid = %server.uuid, suspended = suspend, "server suspension changed");
    Ok(())
}

/// 409 with `message` while `server` is being transferred.
pub(crate) async fn refuse_while_transferring(
    db: &Db,
    server: &Server,
    message: &str,
) -> Result<(), Error> {
    if db
        .servers()
        .active_transfer(server.id)
        .await
        .map_err(db_err)?
        .is_some()
    {
        return Err(Error::Conflict(message.to_owned()));
    }
    Ok(())
}

/// `POST /servers/{id}/reinstall`: status `installing`, then wings reinstalls; the status
/// is put back when wings fails.
///
/// # Errors
/// 409 while the server is being transferred; wings errors.
pub async fn reinstall(db: &Db, server: &Server) -> Result<(), Error> {
    refuse_while_transferring(
        db,
        server,
        "This server is currently being transferred and cannot be reinstalled.",
    )
    .await?;
    let wings = wings_for(db, server).await?;
    db.servers()
        .set_status(server.id, Some(STATUS_INSTALLING))
        .await
        .map_err(db_err)?;
    if let Err(e) = wings.reinstall_server(&server.uuid).await {
        if let Err(re) = db
            .servers()
            .set_status(server.id, server.status.as_deref())
            .await
        {
            tracing::error!(server.id = server.id, error.message = %re, "could not roll back the reinstall status");
        }
        return Err(e.into());
    }
    tracing::info!(server.uuid = %server.uuid, "server reinstall started");
    Ok(())
}

/// `DELETE /servers/{id}[/force]`: wings deletes the server (a 404 from wings is fine; with
/// `force` every wings error is ignored), then its databases and the row go, and its
/// allocations are freed.
///
/// # Errors
/// Wings errors when not forced; 409 while the server is being transferred, forced or not
/// (the target node would keep a copy nobody tracks: cancel the transfer first).
pub async fn delete_server(db: &Db, server: &Server, force: bool) -> Result<(), Error> {
    refuse_while_transferring(
        db,
        server,
        "This server is currently being transferred; cancel the transfer before deleting it.",
    )
    .await?;
    let wings = wings_for(db, server).await?;
    if let Err(e) = wings.delete_server(&server.uuid).await {
        if !force && !e.is_not_found() {
            return Err(e.into());
        }
        tracing::warn!(server.uuid = %server.uuid, error.message = %e, forced = force, "wings did not delete the server; removing it from the panel anyway");
    }
    // Databases are dropped on their host first; when the host fails, a forced delete
    // forgets the row anyway (the database is left on the host), as Pterodactyl does.
    for d in super::databases::list_for_server(db, server.id).await? {
        if let Err(e) = super::databases::delete_database(db, &d).await {
            if !force {
                return Err(e);
            }
            tracing::warn!(server.uuid = %server.uuid, database.id = d.id, error.message = %e, "could not drop a database of a force-deleted server");
            db.databases().delete(d.id).await.map_err(db_err)?;
        }
    }
    db.allocations()
        .release_server(server.id)
        .await
        .map_err(db_err)?;
    db.servers().delete(server.id).await.map_err(db_err)?;
    tracing::info!(server.id = server.id, server.uuid = %server.uuid, forced = force, "server deleted");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_and_bools_like_laravel() {
        assert_eq!(as_int(&json!(5)), Some(5));
        assert_eq!(as_int(&json!("5")), Some(5));
        assert_eq!(as_int(&json!(5.0)), Some(5));
        assert_eq!(as_int(&json!(5.5)), None);
        assert_eq!(as_int(&json!("x")), None);
        assert_eq!(as_bool(&json!("1")), Some(true));
        assert_eq!(as_bool(&json!(0)), Some(false));
        assert_eq!(as_bool(&json!("yes")), None);
    }

    #[test]
    fn limits_nested_or_flat() {
        let body =
            json!({"limits": {"memory": 512, "swap": -1, "disk": 1024, "io": 500, "cpu": 100}});
        let (l, p) = Limits::read(body.as_object().unwrap()).unwrap();
        assert_eq!(
            (l.memory, l.swap, l.disk, p),
            (Some(512), Some(-1), Some(1024), "limits.")
        );
        let body = json!({"memory": "256", "swap": 0, "disk": 10});
        let (l, p) = Limits::read(body.as_object().unwrap()).unwrap();
        assert_eq!((l.memory, p), (Some(256), ""));
        let body = json!({"limits": {"swap": -2}});
        let e = Limits::read(body.as_object().unwrap()).unwrap_err();
        assert!(
            matches!(e, Error::Validation { ref field, ref rule, .. } if field == "limits.swap" && rule == "min")
        );
        let body = json!({"limits": {"io": 5}});
        assert!(Limits::read(body.as_object().unwrap()).is_err());
        let body = json!({"limits": {"threads": "0-1,3"}});
        assert!(Limits::read(body.as_object().unwrap()).is_ok());
        let body = json!({"limits": {"threads": "a"}});
        assert!(Limits::read(body.as_object().unwrap()).is_err());
    }

    #[test]
    fn images() {
        assert!(check_image("ghcr.io/pterodactyl/yolks:java_21", "image").is_ok());
        assert!(check_image("~local image@sha256:abc", "image").is_ok());
        assert!(check_image("bad;image", "image").is_err());
    }
}
