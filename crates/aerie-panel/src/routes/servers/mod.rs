//! The Pterodactyl Client API for servers: `GET /api/client` (the server list),
//! `GET /api/client/permissions`, and everything under `/api/client/servers/{server}`
//! that is not backups, databases, schedules or subusers: the server itself, its
//! websocket credentials, resources, activity, console command and power, files, startup,
//! settings and network allocations.
//!
//! Paths are full (`/api/client/...`): this router is merged next to the account routes,
//! not nested. Every `{server}` handler takes a [`crate::access::ServerAccess`] (404 for
//! strangers, 409 for blocked states), then checks its permission with
//! `access.require(..)` (403 naming it), then validates its input, then calls
//! [`crate::services::client_servers`]. Both `/x` and `/x/` are served.

mod files;
mod list;
mod network;
mod server;
mod settings;
mod startup;

use std::convert::Infallible;
use std::net::SocketAddr;

use aerie_http::Error;
use axum::Router;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::routing::{MethodRouter, get, post, put};
use serde_json::{Map, Value};

use crate::AppState;
use crate::services::client_servers::ActivityOrigin;

fn both(router: Router<AppState>, path: &str, method: MethodRouter<AppState>) -> Router<AppState> {
    router
        .route(path, method.clone())
        .route(&format!("{path}/"), method)
}

/// The OpenAPI paths of the six files, with full paths as [`routes`] registers them (see
/// `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = list::openapi();
    for part in [
        server::openapi(),
        files::openapi(),
        startup::openapi(),
        settings::openapi(),
        network::openapi(),
    ] {
        doc.merge(part);
    }
    doc
}

pub(crate) fn routes() -> Router<AppState> {
    const S: &str = "/api/client/servers/{server}";
    let mut r = Router::new();
    r = both(r, "/api/client", get(list::list_servers));
    r = both(r, "/api/client/permissions", get(list::list_permissions));
    r = both(r, S, get(server::view_server));
    r = both(r, &format!("{S}/websocket"), get(server::get_websocket));
    r = both(r, &format!("{S}/resources"), get(server::get_resources));
    r = both(r, &format!("{S}/activity"), get(server::list_activity));
    r = both(r, &format!("{S}/command"), post(server::send_command));
    r = both(r, &format!("{S}/power"), post(server::send_power));
    r = both(r, &format!("{S}/files/list"), get(files::list_files));
    r = both(r, &format!("{S}/files/contents"), get(files::get_contents));
    r = both(r, &format!("{S}/files/download"), get(files::get_download));
    r = both(r, &format!("{S}/files/rename"), put(files::rename_files));
    r = both(r, &format!("{S}/files/copy"), post(files::copy_file));
    r = both(r, &format!("{S}/files/write"), post(files::write_file));
    r = both(
        r,
        &format!("{S}/files/compress"),
        post(files::compress_files),
    );
    r = both(
        r,
        &format!("{S}/files/decompress"),
        post(files::decompress_file),
    );
    r = both(r, &format!("{S}/files/delete"), post(files::delete_files));
    r = both(
        r,
        &format!("{S}/files/create-folder"),
        post(files::create_folder),
    );
    r = both(r, &format!("{S}/files/chmod"), post(files::chmod_files));
    r = both(r, &format!("{S}/files/pull"), post(files::pull_file));
    r = both(r, &format!("{S}/files/upload"), get(files::get_upload));
    r = both(r, &format!("{S}/startup"), get(startup::list_variables));
    r = both(
        r,
        &format!("{S}/startup/variable"),
        put(startup::update_variable),
    );
    r = both(
        r,
        &format!("{S}/settings/rename"),
        post(settings::rename_server),
    );
    r = both(
        r,
        &format!("{S}/settings/reinstall"),
        post(settings::reinstall_server),
    );
    r = both(
        r,
        &format!("{S}/settings/docker-image"),
        put(settings::set_docker_image),
    );
    r = both(
        r,
        &format!("{S}/network/allocations"),
        get(network::list_allocations).post(network::create_allocation),
    );
    r = both(
        r,
        &format!("{S}/network/allocations/{{allocation}}"),
        post(network::update_notes).delete(network::delete_allocation),
    );
    both(
        r,
        &format!("{S}/network/allocations/{{allocation}}/primary"),
        post(network::set_primary),
    )
}

/// Where the request came from, for activity entries: the client address and the bearer
/// key's identifier (resolved to the key only when an entry is written).
pub(super) struct Origin(pub(super) ActivityOrigin);

impl FromRequestParts<AppState> for Origin {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(a)| a.ip());
        let key_identifier = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim().chars().take(16).collect::<String>())
            .filter(|id| id.len() == 16);
        Ok(Origin(ActivityOrigin { ip, key_identifier }))
    }
}

/// Laravel's displayable attribute name: `docker_image` → `docker image`.
fn label(field: &str) -> String {
    field.replace('_', " ")
}

/// A JSON request body read field by field with Laravel's rules and messages.
pub(super) struct Fields<'a>(pub(super) &'a Map<String, Value>);

impl Fields<'_> {
    /// The value of `field`; `null` and `""` count as absent (Laravel's
    /// `ConvertEmptyStringsToNull`).
    pub(super) fn value(&self, field: &str) -> Option<&Value> {
        match self.0.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(v) => Some(v),
        }
    }

    /// `required|string`.
    pub(super) fn required_string(&self, field: &str) -> Result<String, Error> {
        self.optional_string(field)?.ok_or_else(|| {
            Error::validation(
                field,
                "required",
                format!("The {} field is required.", label(field)),
            )
        })
    }

    /// `nullable|string`: `None` when absent, null or empty.
    pub(super) fn optional_string(&self, field: &str) -> Result<Option<String>, Error> {
        match self.value(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_owned())),
            Some(_) => Err(Error::validation(
                field,
                "string",
                format!("The {} must be a string.", label(field)),
            )),
        }
    }

    /// `present`: the key must exist (its value may be null).
    pub(super) fn present(&self, field: &str) -> Result<Option<&Value>, Error> {
        match self.0.get(field) {
            None => Err(Error::validation(
                field,
                "present",
                format!("The {} field must be present.", label(field)),
            )),
            Some(_) => Ok(self.value(field)),
        }
    }

    /// `required|array` of strings (`files.*` is `string`).
    pub(super) fn string_list(&self, field: &str) -> Result<Vec<String>, Error> {
        let Some(v) = self.value(field) else {
            return Err(Error::validation(
                field,
                "required",
                format!("The {} field is required.", label(field)),
            ));
        };
        let Value::Array(items) = v else {
            return Err(Error::validation(
                field,
                "array",
                format!("The {} must be an array.", label(field)),
            ));
        };
        if items.is_empty() {
            return Err(Error::validation(
                field,
                "required",
                format!("The {} field is required.", label(field)),
            ));
        }
        items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::String(s) => Ok(s.clone()),
                _ => Err(Error::validation(
                    &format!("{field}.{i}"),
                    "string",
                    format!("The {field}.{i} must be a string."),
                )),
            })
            .collect()
    }

    /// `boolean` (`true`, `false`, `1`, `0`, `"1"`, `"0"`); absent is `false`.
    pub(super) fn boolean(&self, field: &str) -> Result<bool, Error> {
        match self.value(field) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::Number(n)) if n.as_i64() == Some(1) => Ok(true),
            Some(Value::Number(n)) if n.as_i64() == Some(0) => Ok(false),
            Some(Value::String(s)) if matches!(s.trim(), "1" | "true") => Ok(true),
            Some(Value::String(s)) if matches!(s.trim(), "0" | "false") => Ok(false),
            Some(_) => Err(Error::validation(
                field,
                "boolean",
                format!("The {} field must be true or false.", label(field)),
            )),
        }
    }
}

/// The current time in seconds, for tokens.
fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}
