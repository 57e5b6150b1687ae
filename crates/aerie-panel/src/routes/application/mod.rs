//! `/api/application/*`: the Pterodactyl Application API. Each resource file returns its
//! own router; this one merges them.

mod allocations;
mod api_keys;
mod database_hosts;
mod databases;
mod locations;
mod mounts;
mod nests;
mod nodes;
mod servers;
mod settings;
mod transfers;
mod users;

use axum::Router;

use crate::AppState;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .merge(users::routes())
        .merge(locations::routes())
        .merge(mounts::routes())
        .merge(nodes::routes())
        .merge(allocations::routes())
        .merge(nests::routes())
        .merge(servers::routes())
        .merge(databases::routes())
        .merge(database_hosts::routes())
        .merge(api_keys::routes())
        .merge(settings::routes())
        .merge(transfers::routes())
}

/// The OpenAPI paths of the documented resource files, relative to `/api/application` (see
/// `crate::openapi`). A newly documented file adds its `openapi()` here.
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = users::openapi();
    for part in [
        locations::openapi(),
        mounts::openapi(),
        nodes::openapi(),
        allocations::openapi(),
        nests::openapi(),
        servers::openapi(),
        databases::openapi(),
        database_hosts::openapi(),
        api_keys::openapi(),
        settings::openapi(),
        transfers::openapi(),
    ] {
        doc.merge(part);
    }
    doc
}
