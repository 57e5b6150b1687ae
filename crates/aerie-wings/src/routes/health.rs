//! `GET /api/health`: whether the Docker engine answers. No authentication, no secrets.

use std::collections::BTreeMap;
use std::time::Instant;

use aerie_proto::health::{Check, Health};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use crate::WingsState;

/// Checks the engine (bounded by a timeout).
pub async fn docker_check(state: &WingsState) -> Check {
    let started = Instant::now();
    let r = tokio::time::timeout(std::time::Duration::from_secs(5), state.engine.version()).await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    match r {
        Ok(Ok(v)) => Check {
            ok: true,
            latency_ms,
            detail: Some(v),
            error: None,
        },
        Ok(Err(e)) => Check {
            ok: false,
            latency_ms,
            detail: None,
            error: Some(e.to_string()),
        },
        Err(_) => Check {
            ok: false,
            latency_ms,
            detail: None,
            error: Some("timed out after 5s".into()),
        },
    }
}

pub(crate) async fn get_health(State(state): State<WingsState>) -> (StatusCode, Json<Health>) {
    let health = Health::new(
        "wings",
        BTreeMap::from([("docker".to_owned(), docker_check(&state).await)]),
    );
    let status = if health.is_ok() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(health))
}
