//! `/api/application/settings`: the panel settings an administrator may change from the
//! browser (`services::panel_settings` lists them and what reads them). An Aerie extra, like
//! Pterodactyl's admin settings pages; browser session only ([`AdminSession`]).

use aerie_http::Error;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde::{Deserialize, Deserializer};

use crate::AppState;
use crate::api::schemas::{
    ApplicationErrors, BadRequest, CsrfMismatch, PanelSettingsItem, ValidationFailed,
};
use crate::api::{self, Item, JsonBody};
use crate::auth::AdminSession;
use crate::services::panel_settings::{self as svc, PanelSettings, SettingsChange};

#[derive(utoipa::OpenApi)]
#[openapi(paths(view_panel_settings, update_panel_settings))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route(
        "/settings",
        get(view_panel_settings).patch(update_panel_settings),
    )
}

fn item(s: &PanelSettings) -> Item {
    Item::new(
        "panel_settings",
        serde_json::json!({
            "two_factor_required": s.two_factor_required,
            "client_allocations_enabled": s.client_allocations_enabled,
            "client_allocations_range_start": s.client_allocations_range_start,
            "client_allocations_range_end": s.client_allocations_range_end,
        }),
    )
}

/// Show the panel settings.
///
/// `GET /settings`. Browser session only.
#[utoipa::path(
    get,
    path = "/settings",
    tag = "panel-settings",
    operation_id = "view_panel_settings",
    responses(
        (status = 200, description = "The settings as the panel applies them.", body = PanelSettingsItem),
        (status = 400, response = BadRequest),
        ApplicationErrors,
    ),
    security(("session" = [])),
)]
async fn view_panel_settings(
    _admin: AdminSession,
    State(state): State<AppState>,
) -> Result<Response, Error> {
    Ok(api::ok(item(&svc::get_settings(&state.db).await?)))
}

/// `absent` → `None`, `null` → `Some(None)`, a number → `Some(Some(n))`.
fn nullable_port<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<i64>>, D::Error> {
    Option::<i64>::deserialize(d).map(Some)
}

/// The body of `PATCH /settings`: the settings to change.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
struct UpdatePanelSettingsBody {
    /// 0 nobody, 1 administrators, 2 everyone must use two-factor authentication.
    two_factor_required: Option<i64>,
    /// Whether users may add allocations to their servers (needs both range ends).
    client_allocations_enabled: Option<bool>,
    /// First port of the range (1024–65535); `null` clears it.
    #[serde(default, deserialize_with = "nullable_port")]
    #[schema(value_type = Option<i64>)]
    client_allocations_range_start: Option<Option<i64>>,
    /// Last port of the range (1024–65535, above the start); `null` clears it.
    #[serde(default, deserialize_with = "nullable_port")]
    #[schema(value_type = Option<i64>)]
    client_allocations_range_end: Option<Option<i64>>,
}

/// Change panel settings.
///
/// `PATCH /settings`: the fields given change, validated together with the rest; 200 with
/// every setting. Browser session only.
#[utoipa::path(
    patch,
    path = "/settings",
    tag = "panel-settings",
    operation_id = "update_panel_settings",
    request_body(content = UpdatePanelSettingsBody, description = "The settings to change."),
    responses(
        (status = 200, description = "The settings after the change.", body = PanelSettingsItem),
        (status = 400, response = BadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("session" = [])),
)]
async fn update_panel_settings(
    AdminSession(admin): AdminSession,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<UpdatePanelSettingsBody>,
) -> Result<Response, Error> {
    let settings = svc::update_settings(
        &state.db,
        &admin,
        SettingsChange {
            two_factor_required: body.two_factor_required,
            client_allocations_enabled: body.client_allocations_enabled,
            client_allocations_range_start: body.client_allocations_range_start,
            client_allocations_range_end: body.client_allocations_range_end,
        },
    )
    .await?;
    tracing::info!(admin.id = admin.id, "panel settings updated");
    Ok(api::ok(item(&settings)))
}
