//! `GET /api/health`: database reachability plus any extra probes (Docker under `aerie up`).

use std::collections::BTreeMap;
use std::time::Instant;

use aerie_proto::health::{Check, Health};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::AppState;
use crate::api::schemas::HealthReport;

#[derive(utoipa::OpenApi)]
#[openapi(paths(get_health))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

/// Check the panel's health.
///
/// `GET /api/health`: whether the database (and any extra probe) answers.
#[utoipa::path(
    get,
    path = "/api/health",
    tag = "system",
    operation_id = "get_health",
    responses(
        (status = 200, description = "Every check passed.", body = HealthReport),
        (status = 503, description = "A check failed (`status` is `degraded`).", body = HealthReport),
    ),
)]
pub(crate) async fn get_health(State(state): State<AppState>) -> (StatusCode, Json<Health>) {
    let mut checks = BTreeMap::new();
    let started = Instant::now();
    let db = tokio::time::timeout(std::time::Duration::from_secs(5), state.db.ping()).await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let detail = Some(state.db.backend().name().to_owned());
    let check = match db {
        Ok(Ok(())) => Check {
            ok: true,
            latency_ms,
            detail,
            error: None,
        },
        Ok(Err(e)) => Check {
            ok: false,
            latency_ms,
            detail,
            error: Some(e.to_string()),
        },
        Err(_) => Check {
            ok: false,
            latency_ms,
            detail,
            error: Some("timed out after 5s".into()),
        },
    };
    checks.insert("database".to_owned(), check);
    for probe in &state.probes {
        checks.insert(probe.name().to_owned(), probe.check().await);
    }
    let health = Health::new("panel", checks);
    let status = if health.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(health))
}
