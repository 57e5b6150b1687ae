//! `/api/client/servers/{server}/…` for subusers, backups, schedules (and their tasks) and
//! databases: Pterodactyl's `SubuserController`, `BackupController`, `ScheduleController`,
//! `ScheduleTaskController`, `ExecuteScheduleController` and client `DatabaseController`.
//!
//! Every handler takes a [`ServerCtx`]: the checked [`ServerAccess`] (404 for strangers,
//! 409 for a server in a blocking state) plus what the activity log needs. Then, in
//! Pterodactyl's order: the child resource must belong to the server (404), the user must
//! hold the permission (403 naming it), the body must validate (422). Paths are full
//! (`/api/client/servers/...`); the router is merged, not nested.

mod backups;
mod databases;
mod schedules;
mod subusers;

use std::collections::HashMap;

use aerie_db::repo::activity::NewActivity;
use aerie_http::Error;
use axum::Router;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::routing::{MethodRouter, get, post};
use serde_json::{Map, Value};

use crate::AppState;
use crate::access::ServerAccess;
use crate::auth::ClientUser;
use crate::services::account::RequestMeta;

/// A client request on one server: the checked access, the API key used (for the activity
/// log's `is_api`) and where the request came from.
#[derive(Debug, Clone)]
pub(crate) struct ServerCtx {
    /// The checked access.
    pub(crate) access: ServerAccess,
    /// The API key used, when the request came with one.
    pub(crate) api_key_id: Option<i64>,
    /// The request's origin.
    pub(crate) meta: RequestMeta,
}

fn not_found() -> Error {
    Error::NotFound("The requested resource could not be found on the server.".into())
}

impl FromRequestParts<AppState> for ServerCtx {
    type Rejection = Error;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let client = ClientUser::from_request_parts(parts, state).await?;
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| not_found())?;
        let identifier = params.get("server").ok_or_else(not_found)?;
        let api_key_id = client.api_key_id();
        let access = ServerAccess::resolve(state, client.user, identifier).await?;
        access.ensure_actionable(state).await?;
        let meta = match RequestMeta::from_request_parts(parts, state).await {
            Ok(m) => m,
            Err(never) => match never {},
        };
        Ok(Self {
            access,
            api_key_id,
            meta,
        })
    }
}

impl ServerCtx {
    /// 403 naming `permission` unless the user holds it.
    fn require(&self, permission: &str) -> Result<(), Error> {
        self.access.require(permission)
    }

    /// Appends a server event to the activity log. A failure is logged, not returned: the
    /// action itself already happened.
    async fn audit(&self, state: &AppState, event: &str, properties: Value) {
        let entry = NewActivity {
            event: event.to_owned(),
            ip: self.meta.ip_string(),
            actor_id: Some(self.access.user.id),
            api_key_id: self.api_key_id,
            server_id: Some(self.access.server.id),
            properties: properties.to_string(),
            ..NewActivity::default()
        };
        if let Err(e) = state.db.activity().log(&[entry]).await {
            tracing::warn!(activity.event = %event, error.message = %e, "could not write the activity log");
        }
    }
}

/// A JSON request body as a map (an empty body or `null` is `{}`).
fn body_map(body: Value) -> Result<Map<String, Value>, Error> {
    match body {
        Value::Object(m) => Ok(m),
        Value::Null => Ok(Map::new()),
        _ => Err(Error::BadRequest(
            "The JSON data passed in the request does not have the expected shape: expected an object."
                .into(),
        )),
    }
}

fn both(router: Router<AppState>, path: &str, method: MethodRouter<AppState>) -> Router<AppState> {
    router
        .route(path, method.clone())
        .route(&format!("{path}/"), method)
}

/// The OpenAPI paths of the four files, with full paths as [`routes`] registers them (see
/// `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = subusers::openapi();
    for part in [
        backups::openapi(),
        schedules::openapi(),
        databases::openapi(),
    ] {
        doc.merge(part);
    }
    doc
}

/// The routes, with full paths.
pub(crate) fn routes() -> Router<AppState> {
    const S: &str = "/api/client/servers/{server}";
    let mut r = Router::new();
    r = both(
        r,
        &format!("{S}/users"),
        get(subusers::list_subusers).post(subusers::create_subuser),
    );
    r = both(
        r,
        &format!("{S}/users/{{user}}"),
        get(subusers::get_subuser)
            .post(subusers::update_subuser)
            .delete(subusers::delete_subuser),
    );
    r = both(
        r,
        &format!("{S}/backups"),
        get(backups::list_backups).post(backups::create_backup),
    );
    r = both(
        r,
        &format!("{S}/backups/{{backup}}"),
        get(backups::get_backup).delete(backups::delete_backup),
    );
    r = both(
        r,
        &format!("{S}/backups/{{backup}}/download"),
        get(backups::download_backup),
    );
    r = both(
        r,
        &format!("{S}/backups/{{backup}}/lock"),
        post(backups::lock_backup),
    );
    r = both(
        r,
        &format!("{S}/backups/{{backup}}/restore"),
        post(backups::restore_backup),
    );
    r = both(
        r,
        &format!("{S}/schedules"),
        get(schedules::list_schedules).post(schedules::create_schedule),
    );
    r = both(
        r,
        &format!("{S}/schedules/{{schedule}}"),
        get(schedules::get_schedule)
            .post(schedules::update_schedule)
            .delete(schedules::delete_schedule),
    );
    r = both(
        r,
        &format!("{S}/schedules/{{schedule}}/execute"),
        post(schedules::execute_schedule),
    );
    r = both(
        r,
        &format!("{S}/schedules/{{schedule}}/tasks"),
        post(schedules::create_task),
    );
    r = both(
        r,
        &format!("{S}/schedules/{{schedule}}/tasks/{{task}}"),
        post(schedules::update_task).delete(schedules::delete_task),
    );
    r = both(
        r,
        &format!("{S}/databases"),
        get(databases::list_databases).post(databases::create_database),
    );
    r = both(
        r,
        &format!("{S}/databases/{{database}}/rotate-password"),
        post(databases::rotate_password),
    );
    both(
        r,
        &format!("{S}/databases/{{database}}"),
        axum::routing::delete(databases::delete_database),
    )
}
