//! `/api/application/nests` and their eggs: Pterodactyl's `NestController` and
//! `EggController`, plus Aerie's egg import, export and delete and nest creation.
//!
//! Includes follow Pterodactyl's transformers: a nest offers `eggs` and `servers`, an egg
//! offers `nest`, `servers`, `variables`, `config` and `script`. Each include the key may not
//! read (by its own ACL bit) is a null resource; `config` and `script` are null unless the
//! egg inherits them from another egg. Unknown includes are ignored, as Fractal does.

use aerie_http::Error;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use super::users::{parse_id, server_item};
use crate::AppState;
use crate::api::schemas::{
    ApplicationErrors, BadRequest, Conflict, EggExport, EggItem, EggList, NestItem, NestPage,
    NotFound, PageParams, ValidationFailed,
};
use crate::api::{self, Item, JsonBody, List, ListQuery};
use crate::auth::{Access, ApplicationUser, Resource};
use crate::services::eggs::{self as svc, Egg, Nest};

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_nests,
    create_nest,
    view_nest,
    list_eggs,
    import_egg,
    view_egg,
    export_egg,
    delete_egg
))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/nests", get(list_nests).post(create_nest))
        .route("/nests/", get(list_nests).post(create_nest))
        .route("/nests/{id}", get(view_nest))
        .route("/nests/{id}/", get(view_nest))
        .route("/nests/{id}/eggs", get(list_eggs))
        .route("/nests/{id}/eggs/", get(list_eggs))
        .route("/nests/{id}/eggs/import", post(import_egg))
        .route("/nests/{id}/eggs/import/", post(import_egg))
        .route("/nests/{id}/eggs/{egg}", get(view_egg).delete(delete_egg))
        .route("/nests/{id}/eggs/{egg}/", get(view_egg).delete(delete_egg))
        .route("/nests/{id}/eggs/{egg}/export", get(export_egg))
        .route("/nests/{id}/eggs/{egg}/export/", get(export_egg))
}

fn nest_item(nest: &Nest) -> Item {
    Item::new("nest", svc::nest_attributes(nest))
}

fn egg_item(egg: &Egg) -> Item {
    Item::new("egg", svc::egg_attributes(egg))
}

/// Nest items with the includes asked for.
async fn nest_items(
    state: &AppState,
    admin: &ApplicationUser,
    query: &ListQuery,
    nests: &[Nest],
) -> Result<Vec<Item>, Error> {
    let ids: Vec<i64> = nests.iter().map(|n| n.id).collect();
    let eggs = if query.has_include("eggs") && admin.require(Resource::Eggs, Access::Read).is_ok() {
        Some(
            state
                .db
                .eggs()
                .list_by_nests(&ids)
                .await
                .map_err(crate::services::db_err)?,
        )
    } else {
        None
    };
    let servers =
        if query.has_include("servers") && admin.require(Resource::Servers, Access::Read).is_ok() {
            Some(
                state
                    .db
                    .nests()
                    .servers_of(&ids)
                    .await
                    .map_err(crate::services::db_err)?,
            )
        } else {
            None
        };
    Ok(nests
        .iter()
        .map(|nest| {
            let mut item = nest_item(nest);
            if query.has_include("eggs") {
                item = match &eggs {
                    Some(all) => item.include(
                        "eggs",
                        List::new(all.iter().filter(|e| e.nest_id == nest.id).map(egg_item)),
                    ),
                    None => item.include("eggs", api::null_resource()),
                };
            }
            if query.has_include("servers") {
                item = match &servers {
                    Some(all) => item.include(
                        "servers",
                        List::new(
                            all.iter()
                                .filter(|(n, _)| *n == nest.id)
                                .map(|(_, s)| server_item(s)),
                        ),
                    ),
                    None => item.include("servers", api::null_resource()),
                };
            }
            item
        })
        .collect())
}

/// `include=config` of an egg that inherits its config: the effective blocks, without a
/// resource name (Pterodactyl builds it from a closure).
fn inherited_config(egg: &Egg, parent: Option<&Egg>) -> Value {
    let pick = |own: &Option<String>, theirs: Option<&Option<String>>| {
        own.clone().or_else(|| theirs.cloned().flatten())
    };
    let files = pick(&egg.config_files, parent.map(|p| &p.config_files));
    let startup = pick(&egg.config_startup, parent.map(|p| &p.config_startup));
    let logs = pick(&egg.config_logs, parent.map(|p| &p.config_logs));
    let decode = |t: Option<String>| {
        t.and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .unwrap_or(Value::Null)
    };
    json!({"object": null, "attributes": {
        "files": decode(files),
        "startup": decode(startup),
        "stop": pick(&egg.config_stop, parent.map(|p| &p.config_stop)),
        "logs": decode(logs),
    }})
}

/// `include=script` of an egg that copies another's install script.
fn inherited_script(egg: &Egg, parent: Option<&Egg>) -> Value {
    let src = parent.unwrap_or(egg);
    json!({"object": null, "attributes": {
        "privileged": egg.script_is_privileged,
        "install": src.script_install,
        "entry": src.script_entry,
        "container": src.script_container,
    }})
}

/// Egg items with the includes asked for.
async fn egg_items(
    state: &AppState,
    admin: &ApplicationUser,
    query: &ListQuery,
    eggs: &[Egg],
) -> Result<Vec<Item>, Error> {
    let db = &state.db;
    let err = crate::services::db_err;
    let ids: Vec<i64> = eggs.iter().map(|e| e.id).collect();
    let wants = |name: &str| query.has_include(name);

    let variables = if wants("variables") && admin.require(Resource::Eggs, Access::Read).is_ok() {
        Some(db.eggs().variables_of(&ids).await.map_err(err)?)
    } else {
        None
    };
    let servers = if wants("servers") && admin.require(Resource::Servers, Access::Read).is_ok() {
        Some(db.eggs().servers_of(&ids).await.map_err(err)?)
    } else {
        None
    };
    let mut nests: Vec<Nest> = Vec::new();
    if wants("nest") && admin.require(Resource::Nests, Access::Read).is_ok() {
        for egg in eggs {
            if !nests.iter().any(|n| n.id == egg.nest_id)
                && let Some(n) = db.nests().find(egg.nest_id).await.map_err(err)?
            {
                nests.push(n);
            }
        }
    }
    let mut parents: Vec<Egg> = Vec::new();
    if wants("config") || wants("script") {
        for egg in eggs {
            for pid in [egg.config_from, egg.copy_script_from]
                .into_iter()
                .flatten()
            {
                if !parents.iter().any(|p| p.id == pid)
                    && let Some(p) = db.eggs().find(pid).await.map_err(err)?
                {
                    parents.push(p);
                }
            }
        }
    }
    let parent = |id: Option<i64>| id.and_then(|id| parents.iter().find(|p| p.id == id));

    Ok(eggs
        .iter()
        .map(|egg| {
            let mut item = egg_item(egg);
            if wants("config") {
                item = match egg.config_from {
                    Some(from) => item.include("config", inherited_config(egg, parent(Some(from)))),
                    None => item.include("config", api::null_resource()),
                };
            }
            if wants("nest") {
                item = match nests.iter().find(|n| n.id == egg.nest_id) {
                    Some(n) => item.include("nest", nest_item(n)),
                    None => item.include("nest", api::null_resource()),
                };
            }
            if wants("script") {
                item = match egg.copy_script_from {
                    Some(from) => item.include("script", inherited_script(egg, parent(Some(from)))),
                    None => item.include("script", api::null_resource()),
                };
            }
            if wants("servers") {
                item = match &servers {
                    Some(all) => item.include(
                        "servers",
                        List::new(
                            all.iter()
                                .filter(|(e, _)| *e == egg.id)
                                .map(|(_, s)| server_item(s)),
                        ),
                    ),
                    None => item.include("servers", api::null_resource()),
                };
            }
            if wants("variables") {
                item =
                    match &variables {
                        Some(all) => item.include(
                            "variables",
                            List::new(all.iter().filter(|v| v.egg_id == egg.id).map(|v| {
                                Item::new("egg_variable", svc::egg_variable_attributes(v))
                            })),
                        ),
                        None => item.include("variables", api::null_resource()),
                    };
            }
            item
        })
        .collect())
}

async fn one_egg_item(
    state: &AppState,
    admin: &ApplicationUser,
    query: &ListQuery,
    egg: Egg,
) -> Result<Item, Error> {
    let items = egg_items(state, admin, query, std::slice::from_ref(&egg)).await?;
    Ok(items.into_iter().next().unwrap_or_else(|| egg_item(&egg)))
}

/// List nests.
///
/// `GET /nests`: paginated (`page`, `per_page`); includes `eggs`, `servers`.
#[utoipa::path(
    get,
    path = "/nests",
    tag = "nests",
    operation_id = "list_nests",
    params(
        PageParams,
        ("include" = Option<String>, Query, description = "Comma-separated includes: `eggs` (needs egg read), `servers` (server read); an include the key may not read is a null resource."),
    ),
    responses(
        (status = 200, description = "A page of nests.", body = NestPage),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn list_nests(
    admin: ApplicationUser,
    State(state): State<AppState>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::Nests, Access::Read)?;
    let page = query.page();
    let (nests, total) = svc::list_nests(&state.db, page.offset(), page.limit()).await?;
    let items = nest_items(&state, &admin, &query, &nests).await?;
    Ok(api::ok(
        List::new(items).paginate_query(&query, &state.url, total),
    ))
}

/// Show a nest.
///
/// `GET /nests/{id}`.
#[utoipa::path(
    get,
    path = "/nests/{id}",
    tag = "nests",
    operation_id = "view_nest",
    params(
        ("id" = i64, Path, description = "The nest's id."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `eggs` (needs egg read), `servers` (server read); an include the key may not read is a null resource."),
    ),
    responses(
        (status = 200, description = "The nest.", body = NestItem),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn view_nest(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::Nests, Access::Read)?;
    let nest = svc::get_nest(&state.db, parse_id(&id)?).await?;
    let items = nest_items(&state, &admin, &query, std::slice::from_ref(&nest)).await?;
    let item = items.into_iter().next().unwrap_or_else(|| nest_item(&nest));
    Ok(api::ok(item))
}

/// The body of `POST /nests`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
struct NestBody {
    /// Display name (required).
    #[serde(default)]
    name: Option<String>,
    /// Description.
    #[serde(default)]
    description: Option<String>,
}

/// Create a nest.
///
/// `POST /nests` (Aerie): `{name, description}` → 201 with `meta.resource`; the author is
/// the administrator's e-mail address.
#[utoipa::path(
    post,
    path = "/nests",
    tag = "nests",
    operation_id = "create_nest",
    request_body(content = NestBody, description = "Aerie: a new, empty nest; the author is the administrator's e-mail address."),
    responses(
        (status = 201, description = "The new nest, with `meta.resource`.", body = NestItem),
        (status = 422, response = ValidationFailed),
        (status = 400, response = BadRequest),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn create_nest(
    admin: ApplicationUser,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<NestBody>,
) -> Result<Response, Error> {
    admin.require(Resource::Nests, Access::Write)?;
    let nest = svc::create_nest(
        &state.db,
        &admin.user.email,
        body.name.as_deref().unwrap_or_default(),
        body.description.as_deref(),
    )
    .await?;
    tracing::info!(nest.id = nest.id, admin.id = admin.user.id, "nest created");
    let url = format!(
        "{}/api/application/nests/{}",
        state.url.trim_end_matches('/'),
        nest.id
    );
    Ok(api::created(nest_item(&nest).meta("resource", url)))
}

/// List a nest's eggs.
///
/// `GET /nests/{id}/eggs`: every egg of the nest, not paginated; includes `nest`,
/// `servers`, `config`, `script`, `variables`.
#[utoipa::path(
    get,
    path = "/nests/{id}/eggs",
    tag = "eggs",
    operation_id = "list_eggs",
    params(
        ("id" = i64, Path, description = "The nest's id."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `nest` (needs nest read), `servers` (server read), `variables` (egg read), `config`, `script` (the inherited blocks; null resources when the egg has its own)."),
    ),
    responses(
        (status = 200, description = "Every egg of the nest (not paginated).", body = EggList),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn list_eggs(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::Eggs, Access::Read)?;
    let nest = svc::get_nest(&state.db, parse_id(&id)?).await?;
    let eggs = svc::list_eggs(&state.db, nest.id).await?;
    let items = egg_items(&state, &admin, &query, &eggs).await?;
    Ok(api::ok(List::new(items)))
}

/// The nest and egg of an egg route; 404 when the egg belongs to another nest.
async fn route_egg(state: &AppState, nest: &str, egg: &str) -> Result<Egg, Error> {
    let nest = svc::get_nest(&state.db, parse_id(nest)?).await?;
    svc::get_egg_in_nest(&state.db, nest.id, parse_id(egg)?).await
}

/// Show an egg.
///
/// `GET /nests/{id}/eggs/{egg}`.
#[utoipa::path(
    get,
    path = "/nests/{id}/eggs/{egg}",
    tag = "eggs",
    operation_id = "view_egg",
    params(
        ("id" = i64, Path, description = "The nest's id."),
        ("egg" = i64, Path, description = "The egg's id."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `nest` (needs nest read), `servers` (server read), `variables` (egg read), `config`, `script` (the inherited blocks; null resources when the egg has its own)."),
    ),
    responses(
        (status = 200, description = "The egg.", body = EggItem),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn view_egg(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path((id, egg)): Path<(String, String)>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::Eggs, Access::Read)?;
    let egg = route_egg(&state, &id, &egg).await?;
    Ok(api::ok(one_egg_item(&state, &admin, &query, egg).await?))
}

/// Import an egg file.
///
/// `POST /nests/{id}/eggs/import` (Aerie): the egg file (JSON or YAML, any format
/// `aerie_eggs` reads) is the raw request body, whatever its content type. 201 with the
/// egg; an egg with the same UUID or the same name in the nest is updated in place.
#[utoipa::path(
    post,
    path = "/nests/{id}/eggs/import",
    tag = "eggs",
    operation_id = "import_egg",
    params(
        ("id" = i64, Path, description = "The nest's id."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `nest` (needs nest read), `servers` (server read), `variables` (egg read), `config`, `script` (the inherited blocks; null resources when the egg has its own)."),
    ),
    request_body(description = "Aerie: an egg file (PTDL_v1, PTDL_v2 or Pelican's format, JSON or YAML) as the raw body, whatever its content type. An egg with the same UUID, or the same name in the nest, is updated in place.", content((Object = "application/json"), (String = "application/yaml"))),
    responses(
        (status = 201, description = "The imported egg, with `meta.resource`.", body = EggItem),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn import_egg(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: ListQuery,
    body: Bytes,
) -> Result<Response, Error> {
    admin.require(Resource::Eggs, Access::Write)?;
    let nest = svc::get_nest(&state.db, parse_id(&id)?).await?;
    let egg = svc::import(&state.db, nest.id, &body).await?;
    tracing::info!(
        egg.id = egg.id,
        nest.id = egg.nest_id,
        admin.id = admin.user.id,
        "egg imported through the API"
    );
    let url = format!(
        "{}/api/application/nests/{}/eggs/{}",
        state.url.trim_end_matches('/'),
        egg.nest_id,
        egg.id
    );
    let item = one_egg_item(&state, &admin, &query, egg).await?;
    Ok(api::created(item.meta("resource", url)))
}

/// Export an egg as PTDL_v2.
///
/// `GET /nests/{id}/eggs/{egg}/export` (Aerie): the egg as a PTDL_v2 JSON file.
#[utoipa::path(
    get,
    path = "/nests/{id}/eggs/{egg}/export",
    tag = "eggs",
    operation_id = "export_egg",
    params(
        ("id" = i64, Path, description = "The nest's id."),
        ("egg" = i64, Path, description = "The egg's id."),
    ),
    responses(
        (status = 200, description = "Aerie: the egg as a PTDL_v2 file (`Content-Disposition: attachment`).", body = EggExport),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn export_egg(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path((id, egg)): Path<(String, String)>,
) -> Result<Response, Error> {
    admin.require(Resource::Eggs, Access::Read)?;
    let egg = route_egg(&state, &id, &egg).await?;
    let json = svc::export(&state.db, egg.id).await?;
    let slug: String = egg
        .name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    let disposition = format!("attachment; filename=egg-{}.json", slug.trim_matches('-'));
    Ok((
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        json,
    )
        .into_response())
}

/// Delete an egg.
///
/// `DELETE /nests/{id}/eggs/{egg}` (Aerie): 204, or 409 while servers use the egg.
#[utoipa::path(
    delete,
    path = "/nests/{id}/eggs/{egg}",
    tag = "eggs",
    operation_id = "delete_egg",
    params(
        ("id" = i64, Path, description = "The nest's id."),
        ("egg" = i64, Path, description = "The egg's id."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn delete_egg(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path((id, egg)): Path<(String, String)>,
) -> Result<Response, Error> {
    admin.require(Resource::Eggs, Access::Write)?;
    let egg = route_egg(&state, &id, &egg).await?;
    svc::delete_egg(&state.db, egg.id).await?;
    tracing::info!(egg.id = egg.id, admin.id = admin.user.id, "egg deleted");
    Ok(api::no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn egg() -> Egg {
        Egg {
            id: 2,
            uuid: "u".into(),
            nest_id: 1,
            author: "a".into(),
            name: "n".into(),
            description: None,
            features: None,
            docker_images: "{}".into(),
            file_denylist: None,
            update_url: None,
            config_files: None,
            config_startup: None,
            config_logs: None,
            config_stop: Some("stop".into()),
            config_from: Some(1),
            startup: None,
            script_container: "alpine".into(),
            copy_script_from: Some(1),
            script_entry: "ash".into(),
            script_is_privileged: true,
            script_install: None,
            force_outgoing_ip: false,
            created_at: "2024-01-01T00:00:00Z".into(),
            updated_at: "2024-01-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn inherited_blocks_come_from_the_parent() {
        let mut parent = egg();
        parent.id = 1;
        parent.config_files = Some(r#"{"a.txt": {"parser": "file", "find": {}}}"#.into());
        parent.script_install = Some("echo hi".into());
        let child = egg();
        let config = inherited_config(&child, Some(&parent));
        assert_eq!(config["object"], Value::Null);
        assert!(config["attributes"]["files"]["a.txt"].is_object());
        assert_eq!(config["attributes"]["stop"], "stop");
        let script = inherited_script(&child, Some(&parent));
        assert_eq!(script["attributes"]["install"], "echo hi");
    }
}
