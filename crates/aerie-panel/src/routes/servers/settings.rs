//! `/servers/{server}/settings/*`: rename, reinstall and the Docker image (Pterodactyl's
//! client `SettingsController`).

use aerie_http::Error;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::{Fields, Origin};
use crate::AppState;
use crate::access::ServerAccess;
use crate::api::schemas::{
    BadGateway, ClientBadRequest, ClientServerErrors, CsrfMismatch, DockerImageBody,
    RenameServerBody, ServiceUnavailable, ValidationFailed,
};
use crate::api::{JsonBody, no_content};
use crate::services::client_servers::{self as svc, ClientError};

#[derive(utoipa::OpenApi)]
#[openapi(paths(rename_server, reinstall_server, set_docker_image))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(super) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

/// Rename a server.
///
/// `POST /servers/{server}/settings/rename` `{name, description?}` → 204: the description
/// changes only when the key is sent. Needs `settings.rename`.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/settings/rename",
    tag = "settings",
    operation_id = "client_rename_server",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    request_body(content = RenameServerBody),
    responses(
        (status = 204, description = "Renamed."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn rename_server(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, Error> {
    access.require("settings.rename")?;
    let fields = Fields(&body);
    let name = fields.required_string("name")?;
    if name.chars().count() > 191 {
        return Err(Error::validation(
            "name",
            "max",
            "The name must not be greater than 191 characters.",
        ));
    }
    let description = if body.contains_key("description") {
        Some(fields.optional_string("description")?.unwrap_or_default())
    } else {
        None
    };
    let before = &access.server;
    svc::rename(&state.db, before, &name, description.clone()).await?;
    if before.name != name {
        svc::log_server_event(
            &state.db,
            &access,
            &origin,
            "server:settings.rename",
            json!({"old": before.name, "new": name}),
        )
        .await;
    }
    if let Some(d) = description
        && before.description.clone().unwrap_or_default() != d
    {
        svc::log_server_event(
            &state.db,
            &access,
            &origin,
            "server:settings.description",
            json!({"old": before.description, "new": d}),
        )
        .await;
    }
    Ok(no_content())
}

/// Reinstall a server.
///
/// `POST /servers/{server}/settings/reinstall` → 202 with an empty body: the server is
/// `installing` and wings runs the egg's install script again. Needs
/// `settings.reinstall`.
#[utoipa::path(
    post,
    path = "/api/client/servers/{server}/settings/reinstall",
    tag = "settings",
    operation_id = "client_reinstall_server",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    responses(
        (status = 202, description = "The reinstall started."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 502, response = BadGateway),
        (status = 503, response = ServiceUnavailable),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn reinstall_server(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
) -> Result<Response, Error> {
    access.require("settings.reinstall")?;
    crate::services::servers::reinstall(&state.db, &access.server).await?;
    svc::log_server_event(&state.db, &access, &origin, "server:reinstall", json!({})).await;
    Ok(StatusCode::ACCEPTED.into_response())
}

/// Change a server's Docker image.
///
/// `PUT /servers/{server}/settings/docker-image` `{docker_image}` (one of the egg's
/// images) → 204. Needs `startup.docker-image`; 400 when an administrator set an image
/// the egg does not offer.
#[utoipa::path(
    put,
    path = "/api/client/servers/{server}/settings/docker-image",
    tag = "settings",
    operation_id = "client_set_docker_image",
    params(
        ("server" = String, Path, description = "The server's 8-character short id or its UUID."),
    ),
    request_body(content = DockerImageBody),
    responses(
        (status = 204, description = "Changed; it applies from the next start."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        ClientServerErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(super) async fn set_docker_image(
    access: ServerAccess,
    State(state): State<AppState>,
    Origin(origin): Origin,
    JsonBody(body): JsonBody<Map<String, Value>>,
) -> Result<Response, ClientError> {
    access.require("startup.docker-image")?;
    let image = Fields(&body).optional_string("docker_image")?;
    svc::set_docker_image(&state.db, &access.server, image.as_deref()).await?;
    let new = image.unwrap_or_default();
    if access.server.image != new {
        svc::log_server_event(
            &state.db,
            &access,
            &origin,
            "server:startup.image",
            json!({"old": access.server.image, "new": new}),
        )
        .await;
    }
    Ok(no_content())
}
