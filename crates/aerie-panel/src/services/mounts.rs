//! Mounts: host directories wings bind-mounts into servers' containers.
//!
//! The rules are Pterodactyl's `Mount` model's (name 2..64 characters and unique,
//! description up to 191, source and target required, a source inside wings' own
//! directories and a target inside the server's volume refused), made stricter where a
//! loose value would reach Docker: both paths must be absolute, without `..` segments or
//! colons (Docker's bind syntax is `source:target:ro`), and are stored normalized (`//` and
//! `.` segments and a trailing `/` removed). The forbidden prefixes are checked on the
//! normalized path, so `/home/container/`, `/home//container` and `/home/container/x` are
//! refused alike.
//!
//! Deleting a mount detaches it from its servers, as Pterodactyl does (the link tables
//! cascade); wings drops it on the server's next rebuild. A mount applies to a server only
//! while it is attached to the server *and* linked to the server's node and egg
//! ([`mounts_for_server`]); attaching is allowed regardless, as in Pelican's API.

use aerie_db::Db;
use aerie_db::models::{Mount, MountPatch, NewMount, Node};
use aerie_db::repo::eggs::Egg;
use aerie_db::repo::mounts::{MountLink, MountListQuery};
use aerie_db::repo::servers::Server;
use aerie_http::Error;
use serde_json::{Map, Value};

use super::schedules::bool_field;
use super::{db_err, not_found};

/// Sources wings keeps its own files in (its configuration, and every server's data,
/// backups and archives under its root directory, in Pterodactyl's and older daemons'
/// default locations). A source equal to one, inside one or above one is refused.
pub const FORBIDDEN_SOURCES: [&str; 7] = [
    "/etc/pterodactyl",
    "/var/lib/pterodactyl",
    "/srv/daemon-data",
    "/tmp/pterodactyl",
    "/var/log/pterodactyl",
    "/var/run/docker.sock",
    "/run/docker.sock",
];

/// Targets that would cover the server's own volume. A target equal to one or inside one is
/// refused.
pub const FORBIDDEN_TARGETS: [&str; 1] = ["/home/container"];

/// The longest `source` / `target` (the columns are `VARCHAR(191)`).
pub const MAX_PATH: usize = 191;

fn display(field: &str) -> String {
    field.replace('_', " ")
}

/// A `string` field after Laravel's `TrimStrings` and `ConvertEmptyStringsToNull`:
/// absent → `None`, `null` or blank → `Some(None)`.
fn text_field(body: &Map<String, Value>, field: &str) -> Result<Option<Option<String>>, Error> {
    match body.get(field) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => {
            let t = s.trim();
            Ok(Some((!t.is_empty()).then(|| t.to_owned())))
        }
        Some(_) => Err(Error::validation(
            field,
            "string",
            format!("The {} must be a string.", display(field)),
        )),
    }
}

fn required(field: &str) -> Error {
    Error::validation(
        field,
        "required",
        format!("The {} field is required.", display(field)),
    )
}

/// A required field: present on create, and never cleared on update.
fn required_text(
    body: &Map<String, Value>,
    field: &str,
    creating: bool,
) -> Result<Option<String>, Error> {
    match text_field(body, field)? {
        None if creating => Err(required(field)),
        None => Ok(None),
        Some(None) => Err(required(field)),
        Some(Some(s)) => Ok(Some(s)),
    }
}

/// `path` normalized: `/` plus its non-empty, non-`.` segments joined by `/`. `None` when it
/// is not absolute, has a `..` segment, a colon or a control character.
pub fn normalize_path(path: &str) -> Option<String> {
    if !path.starts_with('/') || path.contains(':') || path.chars().any(char::is_control) {
        return None;
    }
    let mut segments = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s => segments.push(s),
        }
    }
    Some(format!("/{}", segments.join("/")))
}

/// Whether normalized `path` is `prefix` or inside it.
fn is_within(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Checks a `source` or `target` value and returns it normalized.
fn check_path(field: &str, value: &str, forbidden: &[&str]) -> Result<String, Error> {
    if value.chars().count() > MAX_PATH {
        return Err(Error::validation(
            field,
            "max",
            format!("The {field} must not be greater than {MAX_PATH} characters."),
        ));
    }
    let Some(path) = normalize_path(value) else {
        return Err(Error::validation(
            field,
            "absolute_path",
            format!(
                "The {field} must be an absolute path (starting with /) without .. segments or colons."
            ),
        ));
    };
    if path == "/" {
        return Err(Error::validation(
            field,
            "not_in",
            format!("The {field} may not be the root directory."),
        ));
    }
    // Neither inside a forbidden directory nor above one: a source of `/var` would expose
    // every server's volume, a target of `/home` would cover the server's own files.
    let clash = |f: &&&str| is_within(&path, f) || is_within(f, &path);
    if let Some(bad) = forbidden.iter().find(clash) {
        let why = if field == "source" {
            "wings keeps its own files there"
        } else {
            "the server's own files are mounted there"
        };
        return Err(Error::validation(
            field,
            "not_in",
            format!(
                "The {field} may not be {bad}, a path inside it or a directory above it: {why}."
            ),
        ));
    }
    Ok(path)
}

/// A create or update body, checked field by field in Pterodactyl's order (name,
/// description, source, target, read_only, user_mountable).
///
/// # Errors
/// 422 [`Error::Validation`] naming the first field that fails.
pub fn parse_body(body: &Map<String, Value>, creating: bool) -> Result<MountPatch, Error> {
    let name = required_text(body, "name", creating)?;
    if let Some(n) = &name {
        let len = n.chars().count();
        if len < 2 {
            return Err(Error::validation(
                "name",
                "min",
                "The name must be at least 2 characters.",
            ));
        }
        if len > 64 {
            return Err(Error::validation(
                "name",
                "max",
                "The name must not be greater than 64 characters.",
            ));
        }
    }
    let description = text_field(body, "description")?;
    if let Some(Some(d)) = &description
        && d.chars().count() > 191
    {
        return Err(Error::validation(
            "description",
            "max",
            "The description must not be greater than 191 characters.",
        ));
    }
    let source = required_text(body, "source", creating)?
        .map(|s| check_path("source", &s, &FORBIDDEN_SOURCES))
        .transpose()?;
    let target = required_text(body, "target", creating)?
        .map(|t| check_path("target", &t, &FORBIDDEN_TARGETS))
        .transpose()?;
    let read_only = bool_field(body, "read_only")?;
    let user_mountable = bool_field(body, "user_mountable")?;
    Ok(MountPatch {
        name,
        description,
        source,
        target,
        read_only,
        user_mountable,
    })
}

fn name_taken() -> Error {
    Error::validation("name", "unique", "The name has already been taken.")
}

async fn check_unique(db: &Db, name: &str, except: Option<i64>) -> Result<(), Error> {
    match db.mounts().find_by_name(name).await.map_err(db_err)? {
        Some(m) if Some(m.id) != except => Err(name_taken()),
        _ => Ok(()),
    }
}

/// A unique violation on insert or update can only be the name (the UUID is fresh).
fn write_err(e: aerie_db::DbError) -> Error {
    match e {
        aerie_db::DbError::Unique { .. } => name_taken(),
        other => db_err(other),
    }
}

/// Creates a mount from a request body.
///
/// # Errors
/// 422 [`Error::Validation`] as [`parse_body`], or `name` `unique`.
pub async fn create_mount(db: &Db, body: &Map<String, Value>) -> Result<Mount, Error> {
    let p = parse_body(body, true)?;
    let (Some(name), Some(source), Some(target)) = (p.name, p.source, p.target) else {
        // parse_body requires all three when creating.
        return Err(required("name"));
    };
    check_unique(db, &name, None).await?;
    db.mounts()
        .create(&NewMount {
            uuid: uuid::Uuid::new_v4().to_string(),
            name,
            description: p.description.flatten(),
            source,
            target,
            read_only: p.read_only.unwrap_or(false),
            user_mountable: p.user_mountable.unwrap_or(false),
        })
        .await
        .map_err(write_err)
}

/// Updates the fields the body gives.
///
/// # Errors
/// 404 when the mount does not exist; 422 as [`create_mount`].
pub async fn update_mount(db: &Db, id: i64, body: &Map<String, Value>) -> Result<Mount, Error> {
    let current = get_mount(db, id).await?;
    let patch = parse_body(body, false)?;
    if let Some(name) = patch.name.as_deref().filter(|n| *n != current.name) {
        check_unique(db, name, Some(id)).await?;
    }
    db.mounts()
        .update(id, &patch)
        .await
        .map_err(write_err)?
        .ok_or_else(not_found)
}

/// Deletes a mount, detaching it from its eggs, nodes and servers.
///
/// # Errors
/// 404 when the mount does not exist.
pub async fn delete_mount(db: &Db, id: i64) -> Result<(), Error> {
    if db.mounts().delete(id).await.map_err(db_err)? {
        Ok(())
    } else {
        Err(not_found())
    }
}

/// The mount with this id.
///
/// # Errors
/// 404 [`Error::NotFound`] when there is none.
pub async fn get_mount(db: &Db, id: i64) -> Result<Mount, Error> {
    db.mounts()
        .find(id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

/// A filtered page of mounts and how many match in all.
///
/// # Errors
/// [`Error::Internal`] on a database failure.
pub async fn list_mounts(db: &Db, query: &MountListQuery) -> Result<(Vec<Mount>, u64), Error> {
    let (mounts, total) = db.mounts().search(query).await.map_err(db_err)?;
    Ok((mounts, u64::try_from(total).unwrap_or(0)))
}

/// The body key of a link kind: `eggs`, `nodes` or `servers`.
pub fn link_field(kind: MountLink) -> &'static str {
    match kind {
        MountLink::Egg => "eggs",
        MountLink::Node => "nodes",
        MountLink::Server => "servers",
    }
}

/// The most ids one link request may carry (a huge list would exceed the database's
/// parameter limit).
pub const MAX_IDS: usize = 1000;

/// Reads `{"eggs": [1, 2]}` (or `nodes`, `servers`): Pelican's `required|array|exists`
/// with `*.integer`, at most [`MAX_IDS`] of them. An id may be a number or a string of
/// digits, as Laravel's `integer`.
///
/// # Errors
/// 422 `required` (absent, null or empty), `max`, `array`, `<field>.<i>` `integer`.
pub fn parse_ids(body: &Map<String, Value>, field: &str) -> Result<Vec<i64>, Error> {
    let items = match body.get(field) {
        None | Some(Value::Null) => return Err(required(field)),
        Some(Value::Array(a)) if a.is_empty() => return Err(required(field)),
        Some(Value::Array(a)) if a.len() > MAX_IDS => {
            return Err(Error::validation(
                field,
                "max",
                format!("The {field} must not have more than {MAX_IDS} items."),
            ));
        }
        Some(Value::Array(a)) => a,
        Some(_) => {
            return Err(Error::validation(
                field,
                "array",
                format!("The {field} must be an array."),
            ));
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let id = match v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                    s.parse().ok()
                }
                _ => None,
            };
            id.ok_or_else(|| {
                Error::validation(
                    &format!("{field}.{i}"),
                    "integer",
                    format!("The {field}.{i} must be an integer."),
                )
            })
        })
        .collect()
}

/// Links the mount to the eggs, nodes or servers the body lists (`syncWithoutDetaching`:
/// links already there stay, nothing is removed).
///
/// # Errors
/// 404 when the mount does not exist; 422 as [`parse_ids`], or `exists` when any id names
/// nothing (then nothing is linked).
pub async fn link(
    db: &Db,
    id: i64,
    kind: MountLink,
    body: &Map<String, Value>,
) -> Result<Mount, Error> {
    let mount = get_mount(db, id).await?;
    let field = link_field(kind);
    let mut ids = parse_ids(body, field)?;
    ids.sort_unstable();
    ids.dedup();
    let existing = db.mounts().existing(kind, &ids).await.map_err(db_err)?;
    if existing.len() != ids.len() {
        return Err(Error::validation(
            field,
            "exists",
            format!("The selected {field} is invalid."),
        ));
    }
    match db.mounts().link(kind, mount.id, &ids).await {
        Ok(_) => Ok(mount),
        // The mount or a linked row was deleted meanwhile.
        Err(aerie_db::DbError::ForeignKey) => Err(Error::validation(
            field,
            "exists",
            format!("The selected {field} is invalid."),
        )),
        Err(e) => Err(db_err(e)),
    }
}

/// Removes the link between the mount and one egg, node or server. Removing a link that is
/// not there succeeds, as Pelican's `detach` does.
///
/// # Errors
/// 404 when the mount does not exist.
pub async fn unlink(db: &Db, id: i64, kind: MountLink, other: i64) -> Result<(), Error> {
    get_mount(db, id).await?;
    db.mounts().unlink(kind, id, other).await.map_err(db_err)?;
    Ok(())
}

/// `(mount_id, egg)` for the eggs linked to any of `mount_ids`, ascending by egg id.
///
/// # Errors
/// [`Error::Internal`] on a database failure.
pub async fn eggs_of(db: &Db, mount_ids: &[i64]) -> Result<Vec<(i64, Egg)>, Error> {
    let links = db
        .mounts()
        .links(MountLink::Egg, mount_ids)
        .await
        .map_err(db_err)?;
    let mut ids: Vec<i64> = links.iter().map(|(_, e)| *e).collect();
    ids.dedup();
    let mut eggs = Vec::with_capacity(ids.len());
    for egg_id in ids {
        if let Some(e) = db.eggs().find(egg_id).await.map_err(db_err)? {
            eggs.push(e);
        }
    }
    Ok(links
        .into_iter()
        .filter_map(|(m, e)| Some((m, eggs.iter().find(|x| x.id == e)?.clone())))
        .collect())
}

/// `(mount_id, node)` for the nodes linked to any of `mount_ids`, ascending by node id.
///
/// # Errors
/// [`Error::Internal`] on a database failure.
pub async fn nodes_of(db: &Db, mount_ids: &[i64]) -> Result<Vec<(i64, Node)>, Error> {
    let links = db
        .mounts()
        .links(MountLink::Node, mount_ids)
        .await
        .map_err(db_err)?;
    let mut ids: Vec<i64> = links.iter().map(|(_, n)| *n).collect();
    ids.dedup();
    let nodes = db.nodes().find_many(&ids).await.map_err(db_err)?;
    Ok(links
        .into_iter()
        .filter_map(|(m, n)| Some((m, nodes.iter().find(|x| x.id == n)?.clone())))
        .collect())
}

/// `(mount_id, server)` for the servers attached to any of `mount_ids`, ascending by server
/// id.
///
/// # Errors
/// [`Error::Internal`] on a database failure.
pub async fn servers_of(db: &Db, mount_ids: &[i64]) -> Result<Vec<(i64, Server)>, Error> {
    let links = db
        .mounts()
        .links(MountLink::Server, mount_ids)
        .await
        .map_err(db_err)?;
    let mut ids: Vec<i64> = links.iter().map(|(_, s)| *s).collect();
    ids.dedup();
    let servers = db.servers().find_many(&ids).await.map_err(db_err)?;
    Ok(links
        .into_iter()
        .filter_map(|(m, s)| Some((m, servers.iter().find(|x| x.id == s)?.clone())))
        .collect())
}

/// What wings mounts into `server`'s container: the mounts attached to it that are also
/// linked to its node and its egg.
///
/// # Errors
/// [`Error::Internal`] on a database failure.
pub async fn mounts_for_server(
    db: &Db,
    server: &Server,
) -> Result<Vec<aerie_proto::wings::Mount>, Error> {
    Ok(db
        .mounts()
        .for_server(server.id, server.node_id, server.egg_id)
        .await
        .map_err(db_err)?
        .into_iter()
        .map(|m| aerie_proto::wings::Mount {
            source: m.source,
            target: m.target,
            read_only: m.read_only,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized_or_refused() {
        assert_eq!(
            normalize_path("/mnt/shared").as_deref(),
            Some("/mnt/shared")
        );
        assert_eq!(
            normalize_path("/mnt//shared/./x/").as_deref(),
            Some("/mnt/shared/x")
        );
        assert_eq!(normalize_path("/").as_deref(), Some("/"));
        for bad in ["mnt/shared", "", "/mnt/../etc", "/a:b", "/a\nb", "./x"] {
            assert_eq!(normalize_path(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn forbidden_prefixes_match_whole_segments() {
        assert!(check_path("target", "/home/container", &FORBIDDEN_TARGETS).is_err());
        assert!(check_path("target", "/home//container/", &FORBIDDEN_TARGETS).is_err());
        assert!(check_path("target", "/home/container/x", &FORBIDDEN_TARGETS).is_err());
        assert!(check_path("target", "/home/containers", &FORBIDDEN_TARGETS).is_ok());
        assert!(
            check_path(
                "source",
                "/var/lib/pterodactyl/volumes/x",
                &FORBIDDEN_SOURCES
            )
            .is_err()
        );
        assert!(check_path("source", "/var/lib/pterodactylx", &FORBIDDEN_SOURCES).is_ok());
    }
}
