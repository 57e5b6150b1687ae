//! What a node's wings says about itself (`GET /api/system`): its version, kernel,
//! architecture, OS and CPU count, for the admin pages (Pterodactyl's admin
//! `nodes/view/{id}/system-information`).
//!
//! The question gets [`SYSTEM_TIMEOUT`] in all, far less than the usual wings timeout: the
//! pages ask every node at once and an offline node must show as offline quickly, with an
//! error that names it.

use std::time::Duration;

use aerie_db::models::Node;
use aerie_http::Error;
use aerie_proto::wings::SystemInfo;
use reqwest::Method;

use super::wings::{WingsClient, WingsError};

/// The time a node gets to answer, connection included.
pub const SYSTEM_TIMEOUT: Duration = Duration::from_secs(4);

/// Asks `node`'s wings for its system information.
///
/// # Errors
/// 503 naming the node when it does not answer within [`SYSTEM_TIMEOUT`] (or refuses the
/// connection); 502 naming it when it answers with an error or something that is not system
/// information.
pub async fn system_info(node: &Node) -> Result<SystemInfo, Error> {
    let client = WingsClient::for_node(node)?;
    let asked = client.request_json::<SystemInfo>(Method::GET, "/api/system", None);
    match tokio::time::timeout(SYSTEM_TIMEOUT, asked).await {
        Err(_) => Err(Error::Unavailable(format!(
            "The node \"{}\" did not answer within {} seconds at {}.",
            node.name,
            SYSTEM_TIMEOUT.as_secs(),
            client.base_url()
        ))),
        Ok(Ok(info)) => Ok(info),
        Ok(Err(WingsError::Unreachable { message, .. }))
            if message.starts_with("unexpected answer") =>
        {
            Err(Error::BadGateway(format!(
                "The node \"{}\" answered with something that is not system information.",
                node.name
            )))
        }
        Ok(Err(WingsError::Unreachable { message, .. })) => {
            tracing::info!(node.id = node.id, error.message = %message, "node unreachable");
            Err(Error::Unavailable(format!(
                "The node \"{}\" is not answering at {}: its wings may be offline.",
                node.name,
                client.base_url()
            )))
        }
        Ok(Err(WingsError::Status { status, error, .. })) => Err(Error::BadGateway(format!(
            "The node \"{}\" answered {status}: {error}",
            node.name
        ))),
    }
}
