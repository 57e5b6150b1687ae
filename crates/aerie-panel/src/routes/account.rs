//! `/api/client/account`.

use axum::Json;
use serde_json::{Value, json};

use crate::auth::ClientUser;

/// Pterodactyl's account document.
pub(crate) async fn get_account(ClientUser { user, .. }: ClientUser) -> Json<Value> {
    Json(json!({
        "object": "user",
        "attributes": {
            "id": user.id,
            "admin": user.root_admin,
            "username": user.username,
            "email": user.email,
            "first_name": user.name_first.unwrap_or_default(),
            "last_name": user.name_last.unwrap_or_default(),
            "language": user.language,
        }
    }))
}
