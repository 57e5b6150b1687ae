//! `/api/application/nodes`.

use aerie_http::Error;
use aerie_proto::keys::KeyType;
use axum::Json;
use axum::extract::{Path, State};

use crate::AppState;
use crate::auth::ApplicationUser;
use crate::services::nodes::{self, NodeConfiguration};

/// Pterodactyl's read bit in an application key's per-resource permissions.
const READ: i64 = 1;

/// `GET /api/application/nodes/{id}/configuration`: the node's wings `config.yml` as JSON.
/// An application key needs read access to nodes (a root admin's client key has it all).
pub(crate) async fn get_node_configuration(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<NodeConfiguration>, Error> {
    if KeyType::from_db_code(admin.key.key_type) == Some(KeyType::Application)
        && admin.key.permissions.nodes & READ == 0
    {
        return Err(Error::Forbidden("This action is unauthorized.".into()));
    }
    let config = nodes::configuration(&state.db, &id, &state.url).await?;
    tracing::info!(node.id = %id, user.id = admin.user.id, "node configuration read");
    Ok(Json(config))
}
