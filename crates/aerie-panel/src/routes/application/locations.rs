//! `/api/application/locations`: Pterodactyl's `LocationController`.
//!
//! The location transformer lives here as `impl Transformer for Location` (`Item::of`).
//! `include=nodes` and `include=servers` render through the nodes and servers services'
//! transformers (`services::nodes::node_items`, `services::servers::server_attributes_many`).

use aerie_db::models::Location;
use aerie_db::repo::locations::{LocationFilter, LocationListQuery};
use aerie_http::Error;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::users::parse_id;
use crate::AppState;
use crate::api::schemas::{
    ApplicationErrors, BadRequest, LocationItem, LocationPage, NotFound, PageParams,
    ValidationFailed,
};
use crate::api::{self, Item, JsonBody, List, ListQuery, Transformer, atom_timestamp};
use crate::auth::{Access, ApplicationUser, Resource};
use crate::services::locations::{self as svc, LocationInput};

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_locations,
    create_location,
    view_location,
    update_location,
    delete_location
))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/locations", get(list_locations).post(create_location))
        .route("/locations/", get(list_locations).post(create_location))
        .route(
            "/locations/{id}",
            get(view_location)
                .patch(update_location)
                .delete(delete_location),
        )
        .route(
            "/locations/{id}/",
            get(view_location)
                .patch(update_location)
                .delete(delete_location),
        )
}

impl Transformer for Location {
    fn object(&self) -> &'static str {
        "location"
    }

    /// Pterodactyl's `LocationTransformer`.
    fn attributes(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("id".into(), self.id.into());
        m.insert("short".into(), self.short.clone().into());
        m.insert("long".into(), self.long.clone().into());
        m.insert("updated_at".into(), atom_timestamp(Some(&self.updated_at)));
        m.insert("created_at".into(), atom_timestamp(Some(&self.created_at)));
        m
    }
}

/// Items for `locations` with the requested includes; an include the key may not read is a
/// null resource.
async fn location_items(
    state: &AppState,
    admin: &ApplicationUser,
    query: &ListQuery,
    locations: &[Location],
) -> Result<Vec<Item>, Error> {
    let mut items: Vec<Item> = locations.iter().map(Item::of).collect();
    let ids: Vec<i64> = locations.iter().map(|l| l.id).collect();
    if query.has_include("nodes") {
        if admin.require(Resource::Nodes, Access::Read).is_ok() {
            let nodes = svc::nodes_in(&state.db, &ids).await?;
            let node_items = crate::services::nodes::node_items(&state.db, &nodes).await?;
            items = items
                .into_iter()
                .zip(locations)
                .map(|(item, loc)| {
                    let here = nodes
                        .iter()
                        .zip(&node_items)
                        .filter(|(n, _)| n.location_id == loc.id)
                        .map(|(_, i)| i.clone());
                    item.include("nodes", List::new(here))
                })
                .collect();
        } else {
            items = items
                .into_iter()
                .map(|i| i.include("nodes", api::null_resource()))
                .collect();
        }
    }
    if query.has_include("servers") {
        if admin.require(Resource::Servers, Access::Read).is_ok() {
            let servers = svc::servers_in(&state.db, &ids).await?;
            let bare: Vec<_> = servers.iter().map(|(_, s)| s.clone()).collect();
            let attrs = crate::services::servers::server_attributes_many(&state.db, &bare).await?;
            items = items
                .into_iter()
                .zip(locations)
                .map(|(item, loc)| {
                    let here = servers
                        .iter()
                        .zip(&attrs)
                        .filter(|((l, _), _)| *l == loc.id)
                        .map(|(_, a)| Item::new("server", a.clone()));
                    item.include("servers", List::new(here))
                })
                .collect();
        } else {
            items = items
                .into_iter()
                .map(|i| i.include("servers", api::null_resource()))
                .collect();
        }
    }
    Ok(items)
}

/// List locations.
///
/// `GET /locations`: filters `short`, `long` (partial matches); sort `id`; includes
/// `nodes`, `servers`.
#[utoipa::path(
    get,
    path = "/locations",
    tag = "locations",
    operation_id = "list_locations",
    params(
        PageParams,
        ("filter[short]" = Option<String>, Query, description = "Partial match on the short code."),
        ("filter[long]" = Option<String>, Query, description = "Partial match on the description."),
        ("sort" = Option<String>, Query, description = "`id`; a leading `-` sorts descending."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `nodes` (needs node read), `servers` (needs server read); an include the key may not read is a null resource."),
    ),
    responses(
        (status = 200, description = "A page of locations.", body = LocationPage),
        (status = 400, response = BadRequest),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn list_locations(
    admin: ApplicationUser,
    State(state): State<AppState>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::Locations, Access::Read)?;
    query.check_filters(&["short", "long"])?;
    query.check_sorts(&["id"])?;
    let page = query.page();
    let list_query = LocationListQuery {
        filter: LocationFilter {
            short: query.filter("short").map(str::to_owned),
            long: query.filter("long").map(str::to_owned),
        },
        id_desc: query.sort().is_some_and(|s| s.descending),
        offset: page.offset(),
        limit: page.limit(),
    };
    let (locations, total) = svc::list_locations(&state.db, &list_query).await?;
    let items = location_items(&state, &admin, &query, &locations).await?;
    Ok(api::ok(
        List::new(items).paginate_query(&query, &state.url, total),
    ))
}

/// Show a location.
///
/// `GET /locations/{id}`.
#[utoipa::path(
    get,
    path = "/locations/{id}",
    tag = "locations",
    operation_id = "view_location",
    params(
        ("id" = i64, Path, description = "The location's id."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `nodes` (needs node read), `servers` (needs server read); an include the key may not read is a null resource."),
    ),
    responses(
        (status = 200, description = "The location.", body = LocationItem),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn view_location(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::Locations, Access::Read)?;
    let location = svc::get_location(&state.db, parse_id(&id)?).await?;
    let items = location_items(&state, &admin, &query, std::slice::from_ref(&location)).await?;
    let item = items
        .into_iter()
        .next()
        .unwrap_or_else(|| Item::of(&location));
    Ok(api::ok(item))
}

/// `absent` → `None`, `null` → `Some(None)`, a string → `Some(Some(s))`.
fn nullable_str<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// The body of `POST /locations` and `PATCH /locations/{id}`. py-dactyl sends
/// `shortcode` / `description`; they are read as `short` / `long` when those are absent.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
struct LocationBody {
    /// Short code, unique (1 to 60 characters).
    #[serde(default, deserialize_with = "nullable_str")]
    #[schema(value_type = Option<String>)]
    short: Option<Option<String>>,
    /// Description (up to 191 characters).
    #[serde(default, deserialize_with = "nullable_str")]
    #[schema(value_type = Option<String>)]
    long: Option<Option<String>>,
    /// py-dactyl's name for `short`, read when `short` is absent.
    #[serde(default, deserialize_with = "nullable_str")]
    #[schema(value_type = Option<String>)]
    shortcode: Option<Option<String>>,
    /// py-dactyl's name for `long`, read when `long` is absent.
    #[serde(default, deserialize_with = "nullable_str")]
    #[schema(value_type = Option<String>)]
    description: Option<Option<String>>,
}

/// Laravel's `TrimStrings` + `ConvertEmptyStringsToNull`.
fn text(v: Option<Option<String>>) -> Option<Option<String>> {
    v.map(|o| o.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()))
}

impl LocationBody {
    fn into_input(self) -> LocationInput {
        let short = text(self.short.or(self.shortcode));
        LocationInput {
            // A `short` sent as null or "" reaches the service as "" and fails `required`.
            short: short.map(Option::unwrap_or_default),
            long: text(self.long.or(self.description)),
        }
    }
}

/// Create a location.
///
/// `POST /locations`: 201 with `meta.resource`.
#[utoipa::path(
    post,
    path = "/locations",
    tag = "locations",
    operation_id = "create_location",
    request_body(content = LocationBody, description = "`short` (or `shortcode`) is required."),
    responses(
        (status = 201, description = "The new location, with `meta.resource`.", body = LocationItem),
        (status = 422, response = ValidationFailed),
        (status = 400, response = BadRequest),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn create_location(
    admin: ApplicationUser,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<LocationBody>,
) -> Result<Response, Error> {
    admin.require(Resource::Locations, Access::Write)?;
    let location = svc::create_location(&state.db, body.into_input()).await?;
    tracing::info!(
        location.id = location.id,
        admin.id = admin.user.id,
        "location created"
    );
    let url = format!(
        "{}/api/application/locations/{}",
        state.url.trim_end_matches('/'),
        location.id
    );
    Ok(api::created(Item::of(&location).meta("resource", url)))
}

/// Update a location.
///
/// `PATCH /locations/{id}`: the fields given change.
#[utoipa::path(
    patch,
    path = "/locations/{id}",
    tag = "locations",
    operation_id = "update_location",
    params(
        ("id" = i64, Path, description = "The location's id."),
    ),
    request_body(content = LocationBody, description = "The fields to change."),
    responses(
        (status = 200, description = "The updated location.", body = LocationItem),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
        (status = 400, response = BadRequest),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn update_location(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<LocationBody>,
) -> Result<Response, Error> {
    admin.require(Resource::Locations, Access::Write)?;
    let id = parse_id(&id)?;
    let location = svc::update_location(&state.db, id, body.into_input()).await?;
    tracing::info!(
        location.id = id,
        admin.id = admin.user.id,
        "location updated"
    );
    Ok(api::ok(Item::of(&location)))
}

/// Delete a location.
///
/// `DELETE /locations/{id}`: 204, or 400 while nodes are in the location.
#[utoipa::path(
    delete,
    path = "/locations/{id}",
    tag = "locations",
    operation_id = "delete_location",
    params(
        ("id" = i64, Path, description = "The location's id."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn delete_location(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    admin.require(Resource::Locations, Access::Write)?;
    let id = parse_id(&id)?;
    svc::delete_location(&state.db, id).await?;
    tracing::info!(
        location.id = id,
        admin.id = admin.user.id,
        "location deleted"
    );
    Ok(api::no_content())
}
