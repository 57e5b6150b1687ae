//! The panel's OpenAPI 3.1 document, generated from the handlers and served at
//! `GET /api/openapi.json`.
//!
//! How it is assembled:
//!
//! - each handler carries `#[utoipa::path(...)]` with its path *relative to the router it
//!   is registered in* (`/users`, not `/api/application/users`), its tag, its security
//!   scheme, its parameters, its request body and its responses, whose bodies are the
//!   schema types of [`crate::api::schemas`];
//! - each route file lists its annotated handlers in a private `#[derive(OpenApi)]` and
//!   exposes `pub(crate) fn openapi() -> utoipa::openapi::OpenApi`;
//! - `routes/application/mod.rs`, `routes/remote/mod.rs`, `routes/server_extras/mod.rs` and
//!   `routes/servers/mod.rs` merge their files' documents, and `routes::openapi()` nests
//!   them under `/api/application`, `/api/client` and `/api/remote` (or merges them as they
//!   are, for the routers registered with full paths), exactly as `routes::router` does;
//! - [`document`] adds what is not per handler: the info block, the security schemes, the
//!   tags, the shared error responses and the `*Relationships` schemas (which the
//!   `no_recursion` fields do not collect by themselves).
//!
//! The routers themselves stay plain `axum::Router`s; the document is built once when the
//! router is built and held by the route (no globals). `tests/openapi.rs` snapshots it,
//! checks that every served route is documented and every documented route is served, and
//! validates real responses against it.

use axum::Router;
use axum::body::Bytes;
use axum::extract::Extension;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::AppState;
use crate::api::schemas::{
    AllocationRelationships, BadGateway, BadRequest, ClientBadRequest, ClientForbidden, Conflict,
    CsrfMismatch, DatabaseHostRelationships, EggRelationships, ErrorEnvelope, Forbidden,
    LocationRelationships, MountRelationships, NestRelationships, NodeRelationships, NotFound,
    NullResource, PayloadTooLarge, ServerConflict, ServerDatabaseRelationships,
    ServerRelationships, ServiceUnavailable, TooManyRequests, Unauthenticated, UserRelationships,
    ValidationFailed,
};

/// Name of the security scheme of the application and client APIs: `Authorization: Bearer
/// ptla_...` (application key) or `Bearer ptlc_...` (a client key; on the application API
/// only a root admin's). Handlers write `security(("api_key" = []))`.
pub const API_KEY_SCHEME: &str = "api_key";

/// Name of the security scheme of a browser login: the `aerie_session` cookie, plus the
/// session's CSRF token in `X-XSRF-TOKEN` on state-changing requests. Client API handlers
/// accept either scheme: `security(("api_key" = []), ("session" = []))`.
pub const SESSION_SCHEME: &str = "session";

/// Name of the security scheme of the remote API: `Authorization: Bearer
/// <token_id>.<token>` with a node's daemon credentials. Handlers write
/// `security(("node_token" = []))`.
pub const NODE_TOKEN_SCHEME: &str = "node_token";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Aerie Panel API",
        description = "The HTTP API of the Aerie panel: Pterodactyl's Application API \
            (`/api/application`), its Client API (`/api/client`), the browser login \
            (`/sanctum`, `/auth`), the remote API wings calls (`/api/remote`) and Aerie's \
            own endpoints. Bodies follow Pterodactyl's fractal envelopes: items are \
            `{object, attributes}`, lists `{object: \"list\", data, meta?}`, includes live in \
            `attributes.relationships`, and every error is `{errors: [{code, status, detail, \
            meta?}]}`.",
        license(name = "AGPL-3.0-or-later", identifier = "AGPL-3.0-or-later"),
    ),
    paths(get_openapi),
    modifiers(&SecuritySchemes),
    components(
        schemas(
            ErrorEnvelope,
            NullResource,
            UserRelationships,
            LocationRelationships,
            MountRelationships,
            NodeRelationships,
            AllocationRelationships,
            NestRelationships,
            EggRelationships,
            ServerRelationships,
            ServerDatabaseRelationships,
            DatabaseHostRelationships,
        ),
        responses(
            BadRequest,
            Unauthenticated,
            Forbidden,
            NotFound,
            Conflict,
            ValidationFailed,
            TooManyRequests,
            BadGateway,
            ServiceUnavailable,
            ClientBadRequest,
            ClientForbidden,
            ServerConflict,
            CsrfMismatch,
            PayloadTooLarge,
        ),
    ),
    tags(
        (name = "users", description = "Panel accounts (application API)."),
        (name = "locations", description = "Locations group nodes (application API)."),
        (name = "nodes", description = "Machines running wings (application API)."),
        (name = "allocations", description = "IP and port pairs of a node (application API)."),
        (name = "nests", description = "Groups of eggs (application API)."),
        (name = "eggs", description = "Game templates (application API)."),
        (name = "servers", description = "Game servers (application API)."),
        (name = "server-databases", description = "Databases of a server (application API)."),
        (name = "database-hosts", description = "Database servers the panel creates databases on (application API)."),
        (name = "mounts", description = "Host directories mounted into servers, and the eggs, nodes and servers they are linked to (application API)."),
        (name = "application-api-keys", description = "The signed-in administrator's application API keys (an Aerie extra; a root administrator's browser session only, never an API key)."),
        (name = "panel-settings", description = "Panel settings: the two-factor requirement and automatic client allocations (an Aerie extra; a root administrator's browser session only, never an API key)."),
        (name = "account", description = "The signed-in account: two-factor, e-mail, password, API keys, SSH keys, activity (client API)."),
        (name = "client-servers", description = "The servers a user may see, the subuser permission keys, and one server: its details, websocket credentials, resource usage, activity, console commands and power (client API)."),
        (name = "files", description = "A server's files, proxied to wings; downloads and uploads are signed URLs straight to wings (client API)."),
        (name = "startup", description = "A server's startup command and variables (client API)."),
        (name = "settings", description = "Renaming, reinstalling and the Docker image of a server (client API)."),
        (name = "network", description = "A server's allocations (client API)."),
        (name = "subusers", description = "Users a server is shared with, and their permissions (client API)."),
        (name = "backups", description = "Backups of a server (client API)."),
        (name = "schedules", description = "Scheduled tasks of a server (client API)."),
        (name = "databases", description = "Databases of a server (client API)."),
        (name = "auth", description = "The browser login: CSRF cookie, login, two-factor checkpoint, logout, password reset. Every POST needs `X-XSRF-TOKEN`."),
        (name = "remote", description = "The API wings calls, authenticated as a node."),
        (name = "system", description = "Health and this document; no authentication."),
    ),
)]
struct PanelApi;

/// Adds the security schemes the operations refer to.
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            API_KEY_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("ptla_... | ptlc_...")
                    .description(Some(
                        "Application API: an application key (`ptla_` + 48 characters), or a \
                         client key (`ptlc_`) of a root administrator, which may do \
                         everything. Client API: the user's client key (`ptlc_`).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            SESSION_SCHEME,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::services::sessions::SESSION_COOKIE,
                "A browser session from `POST /auth/login`: the `aerie_session` cookie. Every \
                 state-changing request (anything but GET, HEAD and OPTIONS) must also send the \
                 session's CSRF token, which the `XSRF-TOKEN` cookie holds, in the \
                 `X-XSRF-TOKEN` header; without it the answer is 419.",
            ))),
        );
        components.add_security_scheme(
            NODE_TOKEN_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("<token_id>.<token>")
                    .description(Some(
                        "A node's daemon credentials, as in its wings `config.yml`: the token \
                         id, a dot, and the token.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The whole document: every documented route file's paths plus the shared parts.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = PanelApi::openapi();
    doc.merge(crate::routes::openapi());
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

/// The document serialized once, held by the route.
#[derive(Clone)]
struct OpenApiJson(Option<Bytes>);

/// `GET /api/openapi.json`, with the document built now (once, when the router is built).
pub(crate) fn routes() -> Router<AppState> {
    let json = match document().to_json() {
        Ok(json) => Some(Bytes::from(json)),
        Err(e) => {
            tracing::error!(error.message = %e, "the OpenAPI document does not serialize");
            None
        }
    };
    Router::new()
        .route("/api/openapi.json", get(get_openapi))
        .layer(Extension(OpenApiJson(json)))
}

/// This document.
#[utoipa::path(
    get,
    path = "/api/openapi.json",
    tag = "system",
    operation_id = "get_openapi",
    responses(
        (status = 200, description = "The OpenAPI 3.1 document.", body = Object),
    ),
)]
async fn get_openapi(Extension(doc): Extension<OpenApiJson>) -> Response {
    match doc.0 {
        Some(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        None => aerie_http::Error::internal("the OpenAPI document is unavailable").into_response(),
    }
}
