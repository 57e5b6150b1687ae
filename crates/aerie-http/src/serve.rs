//! The one seam between a service and the network: [`serve`] runs a router on a listener
//! until a shutdown future resolves. Production passes [`shutdown_signal`]; tests pass a
//! oneshot and bind `127.0.0.1:0`, so no test sleeps or races for a port.

use std::future::Future;
use std::net::SocketAddr;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::HeaderName;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::error::{Envelope, envelope_layer};

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Adds the layers every Aerie service has: request ids (`X-Request-Id` in and out), a
/// tracing span per request carrying the matched route, and the error envelope.
pub fn with_observability(router: Router, service: &'static str, envelope: Envelope) -> Router {
    router
        .layer(axum::middleware::from_fn(move |req, next| {
            envelope_layer(envelope, req, next)
        }))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(move |req: &Request| {
                    let route = req
                        .extensions()
                        .get::<MatchedPath>()
                        .map(MatchedPath::as_str)
                        .unwrap_or("unmatched");
                    let request_id = req
                        .headers()
                        .get(&REQUEST_ID)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("");
                    tracing::info_span!(
                        "request",
                        service,
                        http.method = %req.method(),
                        http.route = route,
                        request.id = request_id,
                    )
                })
                .on_request(())
                .on_response(
                    tower_http::trace::DefaultOnResponse::new()
                        .level(tracing::Level::DEBUG)
                        .latency_unit(tower_http::LatencyUnit::Micros),
                ),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Serves `router` on `listener` until `shutdown` resolves, then drains open requests.
pub async fn serve(
    router: Router,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutdown signal received, draining requests");
}
