//! Nests and eggs: import (PTDL_v1/v2, PLCN), export (PTDL_v2), seeding, updates.
//!
//! - [`import`] reads any egg document `aerie_eggs` understands and stores it the way
//!   Pterodactyl does: the `config` blocks as JSON strings, `docker_images` as a JSON object
//!   in the egg's order, `features` and `file_denylist` as JSON arrays, variable rules as one
//!   Laravel rule string. An egg with the document's UUID, or else with the same name in the
//!   nest, is updated in place ("update via import"): its id, UUID and nest stay, and its
//!   variables are matched by `env_variable` so servers keep their values.
//! - [`export`] writes the stored egg as PTDL_v2 JSON; export → import → export is byte
//!   stable apart from `exported_at`.
//! - [`seed_standard_nests`] gives a fresh panel Pterodactyl's four nests, and
//!   [`seed_aerie_games`] imports the eggs bundled in the binary (OpenTTD, Mumble,
//!   Minetest) for `aerie up`. Both run once per database.
//! - [`update_from_url`] re-imports an egg from its `update_url`.
//! - [`nest_attributes`], [`egg_attributes`] and [`egg_variable_attributes`] are the
//!   application API's transformers, for any handler that includes a nest or an egg.

use std::time::Duration;

use aerie_db::Db;
use aerie_db::repo::eggs::{EggFields, NewEggVariable};
use aerie_eggs::{PtdlConfig, PtdlInstallation, PtdlMeta, PtdlScripts, PtdlV2, PtdlVariable};
use aerie_http::Error;
use indexmap::IndexMap;
use serde_json::{Map, Value, json};

pub use aerie_db::repo::eggs::{Egg, EggVariable};
pub use aerie_db::repo::nests::Nest;

use super::{db_err, not_found};
use crate::api::{Validator, atom_timestamp, laravel_timestamp};

/// Author of the standard nests, as Pterodactyl seeds them.
pub const STANDARD_AUTHOR: &str = "support@pterodactyl.io";

/// Author of nests Aerie creates itself (the bundled games, imports without a nest).
pub const AERIE_AUTHOR: &str = "support@aerie.local";

/// Nest imports go to when no nest is named and the egg has no category.
pub const IMPORTED_NEST: &str = "Imported";

/// The largest egg document [`update_from_url`] downloads: 1 MiB.
pub const MAX_REMOTE_EGG_BYTES: usize = 1024 * 1024;

/// How long [`update_from_url`] waits for the whole download.
pub const REMOTE_EGG_TIMEOUT: Duration = Duration::from_secs(10);

/// Pterodactyl's four standard nests, described in our own words.
pub const STANDARD_NESTS: [(&str, &str); 4] = [
    (
        "Minecraft",
        "Servers for Mojang's block-building sandbox: the vanilla game, modded and \
         plugin-based Java editions, and the proxies that link servers together.",
    ),
    (
        "Source Engine",
        "Dedicated servers for games built on Valve's Source engine, installed through SteamCMD.",
    ),
    (
        "Voice Servers",
        "Voice chat servers for gaming communities, such as Mumble and TeamSpeak 3.",
    ),
    (
        "Rust",
        "Rust, Facepunch Studios' multiplayer survival game.",
    ),
];

const SEEDED_STANDARD: &str = "aerie:seeded:standard_nests";
const SEEDED_GAMES: &str = "aerie:seeded:aerie_games";

// ---- nests ------------------------------------------------------------------------------

/// A nest by id.
///
/// # Errors
/// 404 when it does not exist.
pub async fn get_nest(db: &Db, id: i64) -> Result<Nest, Error> {
    db.nests()
        .find(id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

/// One page of nests by id, and how many there are in all.
pub async fn list_nests(db: &Db, offset: u64, limit: u64) -> Result<(Vec<Nest>, u64), Error> {
    let nests = db.nests().page(offset, limit).await.map_err(db_err)?;
    let total = db.nests().count().await.map_err(db_err)?;
    Ok((nests, u64::try_from(total).unwrap_or(0)))
}

/// Creates a nest (`name` 1..191 characters, `description` optional).
///
/// # Errors
/// 422 when the name is missing or too long.
pub async fn create_nest(
    db: &Db,
    author: &str,
    name: &str,
    description: Option<&str>,
) -> Result<Nest, Error> {
    let name = name.trim();
    let description = description.map(str::trim).filter(|d| !d.is_empty());
    Validator::new()
        .required("name", name)
        .max("name", name, 191)
        .max("author", author, 191)
        .finish()?;
    db.nests()
        .create(author, name, description)
        .await
        .map_err(db_err)
}

/// The nest named `name` (case-insensitive), created with `author` when there is none.
///
/// # Errors
/// 422 when `name` is blank or too long.
pub async fn ensure_nest(db: &Db, name: &str, author: &str) -> Result<Nest, Error> {
    if let Some(n) = db
        .nests()
        .find_by_name_ci(name.trim())
        .await
        .map_err(db_err)?
    {
        return Ok(n);
    }
    create_nest(db, author, name, None).await
}

/// The nest a command-line import goes to when none is named: the egg's category (its first
/// Pelican tag, `voice-servers` read as "Voice Servers"), else [`IMPORTED_NEST`].
pub fn category_nest_name(egg: &aerie_eggs::Egg) -> String {
    egg.tags
        .iter()
        .map(|t| t.trim())
        .find(|t| !t.is_empty())
        .map(title_case)
        .unwrap_or_else(|| IMPORTED_NEST.to_owned())
}

fn title_case(tag: &str) -> String {
    tag.split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Gives a fresh database Pterodactyl's standard nests (Minecraft, Source Engine, Voice
/// Servers, Rust), once: a nest of the same name and author is reused, and after the first
/// run nothing is recreated even if an administrator deletes them. Returns the nests seeded
/// now (empty on later runs).
///
/// # Errors
/// A database failure.
pub async fn seed_standard_nests(db: &Db) -> Result<Vec<Nest>, Error> {
    if db
        .settings()
        .get(SEEDED_STANDARD)
        .await
        .map_err(db_err)?
        .is_some()
    {
        return Ok(Vec::new());
    }
    let mut seeded = Vec::new();
    for (name, description) in STANDARD_NESTS {
        let existing = db.nests().find_by_name(name).await.map_err(db_err)?;
        match existing {
            Some(n) if n.author == STANDARD_AUTHOR => {}
            _ => seeded.push(
                db.nests()
                    .create(STANDARD_AUTHOR, name, Some(description))
                    .await
                    .map_err(db_err)?,
            ),
        }
    }
    db.settings()
        .set(SEEDED_STANDARD, &aerie_db::now())
        .await
        .map_err(db_err)?;
    if !seeded.is_empty() {
        tracing::info!(nests = seeded.len(), "seeded the standard nests");
    }
    Ok(seeded)
}

/// Imports the eggs bundled in the binary ([`aerie_eggs::bundled`]) into the "Aerie Games"
/// nest, once per database, so a fresh `aerie up` can create a game server right away.
/// Returns the nest, or `None` when it was seeded before.
///
/// # Errors
/// A database failure, or a bundled egg that does not import (a build defect).
pub async fn seed_aerie_games(db: &Db) -> Result<Option<(Nest, Vec<Egg>)>, Error> {
    if db
        .settings()
        .get(SEEDED_GAMES)
        .await
        .map_err(db_err)?
        .is_some()
    {
        return Ok(None);
    }
    let nest = match db
        .nests()
        .find_by_name(aerie_eggs::bundled::AERIE_GAMES_NEST)
        .await
        .map_err(db_err)?
    {
        Some(n) => n,
        None => db
            .nests()
            .create(
                AERIE_AUTHOR,
                aerie_eggs::bundled::AERIE_GAMES_NEST,
                Some("Games Aerie ships with: they install and run without internet access."),
            )
            .await
            .map_err(db_err)?,
    };
    let mut eggs = Vec::new();
    for (file, text) in aerie_eggs::bundled::AERIE_GAME_EGGS {
        let (egg, _) = import_document(db, nest.id, text)
            .await
            .map_err(|e| Error::internal(format!("bundled egg {file}: {e}")))?;
        eggs.push(egg);
    }
    db.settings()
        .set(SEEDED_GAMES, &aerie_db::now())
        .await
        .map_err(db_err)?;
    tracing::info!(
        nest.id = nest.id,
        eggs = eggs.len(),
        "seeded the Aerie Games nest"
    );
    Ok(Some((nest, eggs)))
}

// ---- eggs -------------------------------------------------------------------------------

/// An egg by id.
///
/// # Errors
/// 404 when it does not exist.
pub async fn get_egg(db: &Db, id: i64) -> Result<Egg, Error> {
    db.eggs()
        .find(id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

/// Egg `egg_id` of nest `nest_id`; 404 when either is missing or the egg is in another nest.
///
/// # Errors
/// 404 as above.
pub async fn get_egg_in_nest(db: &Db, nest_id: i64, egg_id: i64) -> Result<Egg, Error> {
    let egg = get_egg(db, egg_id).await?;
    if egg.nest_id != nest_id {
        return Err(not_found());
    }
    Ok(egg)
}

/// The eggs of a nest, by id.
pub async fn list_eggs(db: &Db, nest_id: i64) -> Result<Vec<Egg>, Error> {
    db.eggs().list_by_nest(nest_id).await.map_err(db_err)
}

/// An egg's variables in display order.
pub async fn variables(db: &Db, egg_id: i64) -> Result<Vec<EggVariable>, Error> {
    db.eggs().variables(egg_id).await.map_err(db_err)
}

/// Deletes an egg and its variables.
///
/// # Errors
/// 404 when it does not exist; 409 while servers use it.
pub async fn delete_egg(db: &Db, egg_id: i64) -> Result<(), Error> {
    get_egg(db, egg_id).await?;
    if db.eggs().server_count(egg_id).await.map_err(db_err)? > 0 {
        return Err(Error::Conflict(
            "Cannot delete an egg that has servers attached to it.".into(),
        ));
    }
    match db.eggs().delete(egg_id).await {
        Ok(true) => Ok(()),
        Ok(false) => Err(not_found()),
        Err(aerie_db::DbError::ForeignKey) => Err(Error::Conflict(
            "Cannot delete an egg that other eggs or servers depend on.".into(),
        )),
        Err(e) => Err(db_err(e)),
    }
}

/// Whether [`import_document`] made a new egg or updated one in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportOutcome {
    /// A new egg.
    Created,
    /// An existing egg (same UUID, or same name in the nest) was updated.
    Updated,
}

/// Parses an egg document (JSON or YAML, any supported format).
///
/// # Errors
/// 400 naming what is wrong with the document.
pub fn parse(bytes: &[u8]) -> Result<aerie_eggs::Egg, Error> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Error::BadRequest("The egg file is not valid UTF-8 text.".into()))?;
    if text.trim().is_empty() {
        return Err(Error::BadRequest(
            "The egg file is empty; send the egg's JSON or YAML as the request body.".into(),
        ));
    }
    aerie_eggs::Egg::parse(text)
        .map_err(|e| Error::BadRequest(format!("The egg could not be imported: {e}.")))
}

/// Imports an egg file into nest `nest_id` (see the module docs) and returns the stored egg.
///
/// # Errors
/// 404 when the nest does not exist; 400 when the document cannot be read; 422 when a field
/// breaks a column rule (a name longer than 191 characters, an invalid variable name).
pub async fn import(db: &Db, nest_id: i64, bytes: &[u8]) -> Result<Egg, Error> {
    let parsed = parse(bytes)?;
    import_parsed(db, nest_id, &parsed)
        .await
        .map(|(egg, _)| egg)
}

/// [`import`] of a document already in memory, also saying whether the egg is new.
///
/// # Errors
/// As [`import`].
pub async fn import_document(
    db: &Db,
    nest_id: i64,
    text: &str,
) -> Result<(Egg, ImportOutcome), Error> {
    let parsed = parse(text.as_bytes())?;
    import_parsed(db, nest_id, &parsed).await
}

/// The command-line import of one file: into nest `nest` when given, else into the nest
/// named after the egg's category ([`category_nest_name`], created when missing). Returns
/// the egg, whether it is new, and the nest it is in (an egg updated by UUID stays in its
/// own nest).
///
/// # Errors
/// 404 when `nest` does not exist; otherwise as [`import`].
pub async fn import_file(
    db: &Db,
    nest: Option<i64>,
    bytes: &[u8],
) -> Result<(Egg, ImportOutcome, Nest), Error> {
    let parsed = parse(bytes)?;
    let target = match nest {
        Some(id) => get_nest(db, id).await?,
        None => ensure_nest(db, &category_nest_name(&parsed), AERIE_AUTHOR).await?,
    };
    let (egg, outcome) = import_parsed(db, target.id, &parsed).await?;
    let nest = if egg.nest_id == target.id {
        target
    } else {
        get_nest(db, egg.nest_id).await?
    };
    Ok((egg, outcome, nest))
}

/// [`import`] of a parsed egg.
///
/// # Errors
/// As [`import`].
pub async fn import_parsed(
    db: &Db,
    nest_id: i64,
    parsed: &aerie_eggs::Egg,
) -> Result<(Egg, ImportOutcome), Error> {
    get_nest(db, nest_id).await?;
    let (fields, vars) = stored_form(parsed)?;
    let doc_uuid = parsed
        .uuid
        .as_deref()
        .and_then(|u| uuid::Uuid::parse_str(u.trim()).ok())
        .map(|u| u.hyphenated().to_string());

    let mut existing = None;
    if let Some(u) = &doc_uuid {
        existing = db.eggs().find_by_uuid(u).await.map_err(db_err)?;
    }
    if existing.is_none() {
        existing = db
            .eggs()
            .find_by_name(nest_id, &fields.name)
            .await
            .map_err(db_err)?;
    }
    match existing {
        Some(current) => {
            let egg = save_over(db, &current, fields, &vars).await?;
            tracing::info!(egg.id = egg.id, nest.id = egg.nest_id, egg.name = %egg.name, "egg updated by import");
            Ok((egg, ImportOutcome::Updated))
        }
        None => {
            let egg = db
                .eggs()
                .create(nest_id, doc_uuid.as_deref(), &fields, &vars)
                .await
                .map_err(db_err)?;
            tracing::info!(egg.id = egg.id, nest.id = nest_id, egg.name = %egg.name, "egg imported");
            Ok((egg, ImportOutcome::Created))
        }
    }
}

/// Writes `fields` over `current`, keeping what an import does not carry (the config and
/// script inheritance, the privileged and outgoing-IP switches, an update URL the new
/// document lacks).
async fn save_over(
    db: &Db,
    current: &Egg,
    mut fields: EggFields,
    vars: &[NewEggVariable],
) -> Result<Egg, Error> {
    fields.config_from = current.config_from;
    fields.copy_script_from = current.copy_script_from;
    fields.force_outgoing_ip = current.force_outgoing_ip;
    fields.script_is_privileged = current.script_is_privileged;
    if fields.update_url.is_none() {
        fields.update_url.clone_from(&current.update_url);
    }
    db.eggs()
        .update(current.id, &fields, vars)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)
}

fn json_text<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value).map_err(Error::internal)
}

/// The columns an import writes, checked against the column rules.
fn stored_form(egg: &aerie_eggs::Egg) -> Result<(EggFields, Vec<NewEggVariable>), Error> {
    let name = egg.name.trim().to_owned();
    let mut v = Validator::new();
    v.required("name", name.as_str())
        .max("name", name.as_str(), 191)
        .max("author", egg.author.as_str(), 191)
        .max(
            "scripts.installation.container",
            egg.install.container.as_str(),
            191,
        )
        .max(
            "scripts.installation.entrypoint",
            egg.install.entrypoint.as_str(),
            191,
        );
    v.finish()?;

    let denylist: Vec<&String> = egg
        .file_denylist
        .iter()
        .filter(|p| !p.trim().is_empty())
        .collect();
    let fields = EggFields {
        author: egg.author.clone(),
        name,
        description: Some(egg.description.clone()).filter(|d| !d.is_empty()),
        features: Some(json_text(&egg.features)?),
        docker_images: json_text(&egg.docker_images)?,
        file_denylist: Some(json_text(&denylist)?),
        update_url: egg.update_url.clone(),
        config_files: Some(egg.stored_config.files.clone()),
        config_startup: Some(egg.stored_config.startup.clone()),
        config_logs: Some(egg.stored_config.logs.clone()),
        config_stop: Some(egg.config.stop.clone()),
        config_from: None,
        startup: Some(egg.startup.clone()),
        script_container: egg.install.container.clone(),
        copy_script_from: None,
        script_entry: egg.install.entrypoint.clone(),
        script_is_privileged: true,
        script_install: Some(egg.install.script.clone()),
        force_outgoing_ip: false,
    };

    // Display order: Pelican's `sort` when given, else document order.
    let mut ordered: Vec<(usize, &aerie_eggs::EggVariable)> =
        egg.variables.iter().enumerate().collect();
    ordered.sort_by_key(|(i, var)| (var.sort.unwrap_or(i64::try_from(*i).unwrap_or(0)), *i));
    let mut vars: Vec<NewEggVariable> = Vec::with_capacity(ordered.len());
    for (position, (index, var)) in ordered.into_iter().enumerate() {
        let env = var.env_variable.trim();
        if vars.iter().any(|v| v.env_variable == env) {
            // One definition per environment variable: the first wins.
            tracing::warn!(egg.name = %egg.name, env_variable = env, "duplicate egg variable ignored");
            continue;
        }
        let field = |f: &str| format!("variables.{index}.{f}");
        let mut v = Validator::new();
        v.max(&field("name"), var.name.as_str(), 191)
            .rule(
                &field("env_variable"),
                "regex",
                !env.is_empty()
                    && env.chars().count() <= 191
                    && env.chars().all(|c| c.is_alphanumeric() || c == '_'),
                format!("The {} format is invalid.", field("env_variable")),
            )
            .finish()?;
        vars.push(NewEggVariable {
            name: var.name.clone(),
            description: var.description.clone(),
            env_variable: env.to_owned(),
            default_value: var.default_value.clone(),
            user_viewable: var.user_viewable,
            user_editable: var.user_editable,
            rules: var.rules.clone(),
            sort: i64::try_from(position).unwrap_or(i64::MAX),
        });
    }
    Ok((fields, vars))
}

// ---- export -----------------------------------------------------------------------------

/// The egg's images, display label → image, in the egg's order (the first is the default).
pub fn docker_images(egg: &Egg) -> IndexMap<String, String> {
    serde_json::from_str(&egg.docker_images).unwrap_or_default()
}

/// The egg's default image (the first of [`docker_images`]).
pub fn default_image(egg: &Egg) -> Option<String> {
    docker_images(egg).into_values().next()
}

/// The egg's feature flags (`eula`, `java_version`, …).
pub fn features(egg: &Egg) -> Vec<String> {
    string_list(egg.features.as_deref())
}

/// Paths users of the egg's servers may not touch.
pub fn file_denylist(egg: &Egg) -> Vec<String> {
    string_list(egg.file_denylist.as_deref())
}

fn string_list(text: Option<&str>) -> Vec<String> {
    text.and_then(|t| serde_json::from_str::<Vec<Option<String>>>(t).ok())
        .map(|v| v.into_iter().flatten().collect())
        .unwrap_or_default()
}

/// The egg's process configuration read from its stored strings, for building what wings
/// receives (`aerie_eggs::process_configuration`).
///
/// # Errors
/// 500 when the stored blocks do not parse (they were checked on import).
pub fn egg_config(egg: &Egg) -> Result<aerie_eggs::EggConfig, Error> {
    aerie_eggs::EggConfig::from_json_strings(
        egg.config_files.as_deref(),
        egg.config_startup.as_deref(),
        egg.config_logs.as_deref(),
        egg.config_stop.as_deref(),
    )
    .map_err(Error::internal)
}

/// The PTDL_v2 document of a stored egg and its variables, stamped `exported_at`.
pub fn export_document(egg: &Egg, vars: &[EggVariable], exported_at: &str) -> PtdlV2 {
    PtdlV2 {
        comment: aerie_eggs::export::EXPORT_COMMENT.into(),
        meta: PtdlMeta::v2(egg.update_url.clone()),
        exported_at: exported_at.to_owned(),
        name: egg.name.clone(),
        author: egg.author.clone(),
        description: egg.description.clone().filter(|d| !d.is_empty()),
        features: features(egg),
        docker_images: docker_images(egg),
        file_denylist: file_denylist(egg),
        startup: egg.startup.clone().unwrap_or_default(),
        config: PtdlConfig {
            files: egg.config_files.clone().unwrap_or_else(|| "{}".into()),
            startup: egg.config_startup.clone().unwrap_or_else(|| "{}".into()),
            logs: egg.config_logs.clone().unwrap_or_else(|| "{}".into()),
            stop: egg.config_stop.clone().unwrap_or_default(),
        },
        scripts: PtdlScripts {
            installation: PtdlInstallation {
                script: egg.script_install.clone().unwrap_or_default(),
                container: egg.script_container.clone(),
                entrypoint: egg.script_entry.clone(),
            },
        },
        variables: vars
            .iter()
            .map(|v| PtdlVariable {
                name: v.name.clone(),
                description: v.description.clone().unwrap_or_default(),
                env_variable: v.env_variable.clone(),
                default_value: v.default_value.clone().unwrap_or_default(),
                user_viewable: v.user_viewable,
                user_editable: v.user_editable,
                rules: v.rules.clone().unwrap_or_default(),
                field_type: "text".into(),
            })
            .collect(),
    }
}

/// Egg `egg_id` as PTDL_v2 JSON, stamped now.
///
/// # Errors
/// 404 when the egg does not exist.
pub async fn export(db: &Db, egg_id: i64) -> Result<String, Error> {
    let egg = get_egg(db, egg_id).await?;
    let vars = variables(db, egg_id).await?;
    let now = chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S+00:00")
        .to_string();
    Ok(export_document(&egg, &vars, &now).to_json())
}

// ---- update from update_url -------------------------------------------------------------

/// Downloads the egg's `update_url` and imports it over the egg (same id, UUID, nest and,
/// by `env_variable`, the same variable ids).
///
/// # Errors
/// 404 when the egg does not exist; 400 when it has no update URL or the URL is not
/// http(s); 502 when the download fails, times out (10 s) or is larger than 1 MiB; 400/422
/// when the downloaded document does not import.
pub async fn update_from_url(db: &Db, egg_id: i64) -> Result<Egg, Error> {
    let current = get_egg(db, egg_id).await?;
    let Some(url) = current.update_url.clone().filter(|u| !u.trim().is_empty()) else {
        return Err(Error::BadRequest("This egg has no update URL.".into()));
    };
    let bytes = fetch_egg_document(&url).await?;
    let parsed = parse(&bytes)?;
    let (fields, vars) = stored_form(&parsed)?;
    let egg = save_over(db, &current, fields, &vars).await?;
    tracing::info!(egg.id = egg.id, url = %url, "egg updated from its update URL");
    Ok(egg)
}

/// GETs an egg document over http(s): 10 s in all, at most [`MAX_REMOTE_EGG_BYTES`],
/// redirects followed only to http(s), five at most.
///
/// # Errors
/// 400 for a URL that is not http(s); 502 for any failure to download.
pub async fn fetch_egg_document(url: &str) -> Result<Vec<u8>, Error> {
    let parsed = reqwest::Url::parse(url.trim())
        .map_err(|_| Error::BadRequest(format!("The update URL `{url}` is not a valid URL.")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(Error::BadRequest(
            "The update URL must use http or https.".into(),
        ));
    }
    let client = reqwest::Client::builder()
        .timeout(REMOTE_EGG_TIMEOUT)
        .redirect(reqwest::redirect::Policy::custom(|attempt| {
            if attempt.previous().len() >= 5 {
                attempt.error("too many redirects")
            } else if matches!(attempt.url().scheme(), "http" | "https") {
                attempt.follow()
            } else {
                attempt.stop()
            }
        }))
        .user_agent(concat!("Aerie/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(Error::internal)?;
    let fail = |e: &dyn std::fmt::Display| {
        Error::BadGateway(format!("Could not download the egg from {parsed}: {e}"))
    };
    let mut resp = client
        .get(parsed.clone())
        .header(
            "Accept",
            "application/json, application/yaml, text/plain, */*",
        )
        .send()
        .await
        .map_err(|e| fail(&e))?;
    if !resp.status().is_success() {
        return Err(fail(&format!("the server answered {}", resp.status())));
    }
    let too_large = || {
        fail(&format!(
            "the document is larger than {MAX_REMOTE_EGG_BYTES} bytes"
        ))
    };
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_REMOTE_EGG_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| fail(&e))? {
        if body.len() + chunk.len() > MAX_REMOTE_EGG_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

// ---- transformers -----------------------------------------------------------------------

/// A nest's attributes: Pterodactyl's `NestTransformer` (`Nest::toArray()` — `id, uuid,
/// author, name, description` — with the two timestamps re-formatted as Atom,
/// `2024-01-15T10:26:32+00:00`, by `formatTimestamp`).
pub fn nest_attributes(nest: &Nest) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), nest.id.into());
    m.insert("uuid".into(), nest.uuid.clone().into());
    m.insert("author".into(), nest.author.clone().into());
    m.insert("name".into(), nest.name.clone().into());
    m.insert("description".into(), nest.description.clone().into());
    m.insert("created_at".into(), atom_timestamp(Some(&nest.created_at)));
    m.insert("updated_at".into(), atom_timestamp(Some(&nest.updated_at)));
    Value::Object(m)
}

/// An egg variable's attributes: Pterodactyl's `EggVariable::toArray()` (`id, egg_id, name,
/// description, env_variable, default_value, user_viewable, user_editable, rules,
/// created_at, updated_at`).
pub fn egg_variable_attributes(var: &EggVariable) -> Value {
    let mut m = Map::new();
    m.insert("id".into(), var.id.into());
    m.insert("egg_id".into(), var.egg_id.into());
    m.insert("name".into(), var.name.clone().into());
    m.insert(
        "description".into(),
        var.description.clone().unwrap_or_default().into(),
    );
    m.insert("env_variable".into(), var.env_variable.clone().into());
    m.insert(
        "default_value".into(),
        var.default_value.clone().unwrap_or_default().into(),
    );
    m.insert("user_viewable".into(), var.user_viewable.into());
    m.insert("user_editable".into(), var.user_editable.into());
    m.insert("rules".into(), var.rules.clone().unwrap_or_default().into());
    m.insert(
        "created_at".into(),
        laravel_timestamp(Some(&var.created_at)),
    );
    m.insert(
        "updated_at".into(),
        laravel_timestamp(Some(&var.updated_at)),
    );
    Value::Object(m)
}

/// A stored JSON block as an object; `{}` when it is empty, not JSON, or not an object.
fn json_object(text: Option<&str>) -> Value {
    match text.and_then(|t| serde_json::from_str::<Value>(t).ok()) {
        Some(Value::Object(m)) => Value::Object(m),
        _ => Value::Object(Map::new()),
    }
}

/// `config.startup` as an object: the stored JSON, or `{"done": text}` for an egg that
/// wrote the startup detection as bare text.
fn startup_object(text: Option<&str>) -> Value {
    match text.map(str::trim) {
        Some(t) if !t.is_empty() => match serde_json::from_str::<Value>(t) {
            Ok(Value::Object(m)) => Value::Object(m),
            Ok(Value::Array(done)) => json!({ "done": done }),
            Ok(Value::String(done)) => json!({ "done": done }),
            _ if !t.starts_with(['{', '[']) => json!({ "done": t }),
            _ => Value::Object(Map::new()),
        },
        _ => Value::Object(Map::new()),
    }
}

/// An egg's attributes: Pterodactyl's application `EggTransformer` (`id, uuid, name, nest,
/// author, description, docker_image, docker_images, config {files, startup, stop, logs,
/// file_denylist, extends}, startup, script {privileged, install, entry, container,
/// extends}, created_at, updated_at`). `config.files` is `{}` when the egg edits no files.
pub fn egg_attributes(egg: &Egg) -> Value {
    let images = docker_images(egg);
    let mut config = Map::new();
    config.insert("files".into(), json_object(egg.config_files.as_deref()));
    config.insert(
        "startup".into(),
        startup_object(egg.config_startup.as_deref()),
    );
    config.insert("stop".into(), egg.config_stop.clone().into());
    config.insert("logs".into(), json_object(egg.config_logs.as_deref()));
    config.insert("file_denylist".into(), file_denylist(egg).into());
    config.insert("extends".into(), egg.config_from.into());

    let mut script = Map::new();
    script.insert("privileged".into(), egg.script_is_privileged.into());
    script.insert("install".into(), egg.script_install.clone().into());
    script.insert("entry".into(), egg.script_entry.clone().into());
    script.insert("container".into(), egg.script_container.clone().into());
    script.insert("extends".into(), egg.copy_script_from.into());

    let mut m = Map::new();
    m.insert("id".into(), egg.id.into());
    m.insert("uuid".into(), egg.uuid.clone().into());
    m.insert("name".into(), egg.name.clone().into());
    m.insert("nest".into(), egg.nest_id.into());
    m.insert("author".into(), egg.author.clone().into());
    m.insert("description".into(), egg.description.clone().into());
    m.insert(
        "docker_image".into(),
        images.values().next().cloned().into(),
    );
    m.insert(
        "docker_images".into(),
        Value::Object(
            images
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect(),
        ),
    );
    m.insert("config".into(), Value::Object(config));
    m.insert("startup".into(), egg.startup.clone().into());
    m.insert("script".into(), Value::Object(script));
    m.insert("created_at".into(), atom_timestamp(Some(&egg.created_at)));
    m.insert("updated_at".into(), atom_timestamp(Some(&egg.updated_at)));
    Value::Object(m)
}
