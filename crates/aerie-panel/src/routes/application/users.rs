//! `/api/application/users`: Pterodactyl's `UserController` and `ExternalUserController`.
//!
//! The user transformer lives here as `impl Transformer for User`, so any handler can write
//! `Item::of(&user)` (a server's `include=user`, say). `include=servers` lists the servers
//! the user owns through the servers service's transformer. [`server_item`] is a cheaper
//! server item from a [`ServerSummary`], for other resources' includes.

use aerie_db::models::User;
use aerie_db::repo::users::{ServerSummary, UserFilter, UserListQuery, UserSort};
use aerie_http::Error;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::AppState;
use crate::api::schemas::{
    ApplicationErrors, BadRequest, NotFound, PageParams, UserItem, UserPage, ValidationFailed,
};
use crate::api::{self, Item, JsonBody, List, ListQuery, Transformer, atom_timestamp};
use crate::auth::{Access, ApplicationUser, Resource};
use crate::services::servers;
use crate::services::users::{self as svc, CreateUser, UpdateUser};

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_users,
    create_user,
    view_user,
    update_user,
    delete_user,
    view_external_user
))]
struct ApiDoc;

/// This file's paths in the OpenAPI document (see `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/users/", get(list_users).post(create_user))
        .route(
            "/users/{id}",
            get(view_user).patch(update_user).delete(delete_user),
        )
        .route(
            "/users/{id}/",
            get(view_user).patch(update_user).delete(delete_user),
        )
        .route("/users/external/{external_id}", get(view_external_user))
        .route("/users/external/{external_id}/", get(view_external_user))
}

impl Transformer for User {
    fn object(&self) -> &'static str {
        "user"
    }

    /// Pterodactyl's application `UserTransformer`.
    fn attributes(&self) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("id".into(), self.id.into());
        m.insert("external_id".into(), self.external_id.clone().into());
        m.insert("uuid".into(), self.uuid.clone().into());
        m.insert("username".into(), self.username.clone().into());
        m.insert("email".into(), self.email.clone().into());
        m.insert("first_name".into(), self.name_first.clone().into());
        m.insert("last_name".into(), self.name_last.clone().into());
        m.insert("language".into(), self.language.clone().into());
        m.insert("root_admin".into(), self.root_admin.into());
        m.insert("2fa".into(), self.use_totp.into());
        m.insert("created_at".into(), atom_timestamp(Some(&self.created_at)));
        m.insert("updated_at".into(), atom_timestamp(Some(&self.updated_at)));
        m
    }
}

/// A `server` item from the fields a [`ServerSummary`] holds: id, external_id, uuid,
/// identifier, name, description, user, node and the timestamps. A subset of the full
/// transformer (`services::servers::server_attributes`), for includes that only have a
/// summary at hand.
pub(crate) fn server_item(s: &ServerSummary) -> Item {
    let mut m = Map::new();
    m.insert("id".into(), s.id.into());
    m.insert("external_id".into(), s.external_id.clone().into());
    m.insert("uuid".into(), s.uuid.clone().into());
    m.insert("identifier".into(), s.uuid_short.clone().into());
    m.insert("name".into(), s.name.clone().into());
    m.insert("description".into(), s.description.clone().into());
    m.insert("user".into(), s.owner_id.into());
    m.insert("node".into(), s.node_id.into());
    m.insert("updated_at".into(), atom_timestamp(Some(&s.updated_at)));
    m.insert("created_at".into(), atom_timestamp(Some(&s.created_at)));
    Item::new("server", m)
}

/// A route id: digits only, else the resource does not exist (Laravel's route binding).
pub(crate) fn parse_id(raw: &str) -> Result<i64, Error> {
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(not_found());
    }
    raw.parse().map_err(|_| not_found())
}

fn not_found() -> Error {
    Error::NotFound("The requested resource could not be found on the server.".into())
}

/// Items for `users`, with `relationships.servers` when asked for: a list of each user's
/// servers, or a null resource when the key may not read servers.
async fn user_items(
    state: &AppState,
    admin: &ApplicationUser,
    query: &ListQuery,
    users: &[User],
) -> Result<Vec<Item>, Error> {
    let mut items: Vec<Item> = users.iter().map(Item::of).collect();
    if query.has_include("servers") {
        if admin.require(Resource::Servers, Access::Read).is_ok() {
            let ids: Vec<i64> = users.iter().map(|u| u.id).collect();
            let servers = svc::servers_owned(&state.db, &ids).await?;
            let attrs = servers::server_attributes_many(&state.db, &servers).await?;
            items = items
                .into_iter()
                .zip(users)
                .map(|(item, user)| {
                    let owned = servers
                        .iter()
                        .zip(&attrs)
                        .filter(|(s, _)| s.owner_id == user.id)
                        .map(|(_, a)| Item::new("server", a.clone()));
                    item.include("servers", List::new(owned))
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

async fn user_response(
    state: &AppState,
    admin: &ApplicationUser,
    query: &ListQuery,
    user: User,
) -> Result<Item, Error> {
    let items = user_items(state, admin, query, std::slice::from_ref(&user)).await?;
    Ok(items.into_iter().next().unwrap_or_else(|| Item::of(&user)))
}

/// List users.
///
/// `GET /users`: filters `email`, `uuid`, `username`, `external_id` (partial matches);
/// sorts `id`, `uuid`; include `servers`.
#[utoipa::path(
    get,
    path = "/users",
    tag = "users",
    operation_id = "list_users",
    params(
        PageParams,
        ("filter[email]" = Option<String>, Query, description = "Partial match on the e-mail address."),
        ("filter[uuid]" = Option<String>, Query, description = "Partial match on the UUID."),
        ("filter[username]" = Option<String>, Query, description = "Partial match on the username."),
        ("filter[external_id]" = Option<String>, Query, description = "Partial match on the external id."),
        ("sort" = Option<String>, Query, description = "`id` or `uuid`; a leading `-` sorts descending."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `servers` (needs server read; a null resource otherwise)."),
    ),
    responses(
        (status = 200, description = "A page of users.", body = UserPage),
        (status = 400, response = BadRequest),
        (status = 422, response = ValidationFailed),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn list_users(
    admin: ApplicationUser,
    State(state): State<AppState>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::Users, Access::Read)?;
    query.check_filters(&["email", "uuid", "username", "external_id"])?;
    query.check_sorts(&["id", "uuid"])?;
    let sort = query.sort().map(|s| {
        let column = if s.field == "uuid" {
            UserSort::Uuid
        } else {
            UserSort::Id
        };
        (column, s.descending)
    });
    let page = query.page();
    let list_query = UserListQuery {
        filter: UserFilter {
            email: query.filter("email").map(str::to_owned),
            uuid: query.filter("uuid").map(str::to_owned),
            username: query.filter("username").map(str::to_owned),
            external_id: query.filter("external_id").map(str::to_owned),
        },
        sort,
        offset: page.offset(),
        limit: page.limit(),
    };
    let (users, total) = svc::list_users(&state.db, &list_query).await?;
    let items = user_items(&state, &admin, &query, &users).await?;
    Ok(api::ok(
        List::new(items).paginate_query(&query, &state.url, total),
    ))
}

/// Show a user.
///
/// `GET /users/{id}`.
#[utoipa::path(
    get,
    path = "/users/{id}",
    tag = "users",
    operation_id = "view_user",
    params(("id" = i64, Path, description = "The user's id."), ("include" = Option<String>, Query, description = "Comma-separated includes: `servers` (needs server read; a null resource otherwise).")),
    responses(
        (status = 200, description = "The user.", body = UserItem),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn view_user(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::Users, Access::Read)?;
    let user = svc::get_user(&state.db, parse_id(&id)?).await?;
    Ok(api::ok(user_response(&state, &admin, &query, user).await?))
}

/// Show a user by external id.
///
/// `GET /users/external/{external_id}`.
#[utoipa::path(
    get,
    path = "/users/external/{external_id}",
    tag = "users",
    operation_id = "view_external_user",
    params(
        ("external_id" = String, Path, description = "The user's id in the external system."),
        ("include" = Option<String>, Query, description = "Comma-separated includes: `servers` (needs server read; a null resource otherwise)."),
    ),
    responses(
        (status = 200, description = "The user.", body = UserItem),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn view_external_user(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(external_id): Path<String>,
    query: ListQuery,
) -> Result<Response, Error> {
    admin.require(Resource::Users, Access::Read)?;
    let user = svc::get_user_by_external_id(&state.db, &external_id).await?;
    Ok(api::ok(user_response(&state, &admin, &query, user).await?))
}

/// `absent` → `None`, `null` → `Some(None)`, a value → `Some(Some(v))`.
fn nullable<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<Value>>, D::Error> {
    Option::<Value>::deserialize(d).map(Some)
}

/// `absent` → `None`, `null` → `Some(None)`, a string → `Some(Some(s))`.
fn nullable_str<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// The body of `POST /users` and `PATCH /users/{id}`. Unknown keys are ignored, as Laravel
/// ignores them.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
struct UserBody {
    /// Id in an external system (a string; numbers are taken as their digits).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    external_id: Option<Option<Value>>,
    /// Unique e-mail address.
    #[serde(default, deserialize_with = "nullable_str")]
    #[schema(value_type = Option<String>, format = Email)]
    email: Option<Option<String>>,
    /// Unique username.
    #[serde(default, deserialize_with = "nullable_str")]
    #[schema(value_type = Option<String>)]
    username: Option<Option<String>>,
    /// First name.
    #[serde(default, deserialize_with = "nullable_str")]
    #[schema(value_type = Option<String>)]
    first_name: Option<Option<String>>,
    /// Last name.
    #[serde(default, deserialize_with = "nullable_str")]
    #[schema(value_type = Option<String>)]
    last_name: Option<Option<String>>,
    /// Password; without one on create, the user sets it through a reset link.
    #[serde(default, deserialize_with = "nullable_str")]
    #[schema(value_type = Option<String>, write_only)]
    password: Option<Option<String>>,
    /// UI language code.
    #[serde(default, deserialize_with = "nullable_str")]
    #[schema(value_type = Option<String>)]
    language: Option<Option<String>>,
    /// Administrator (`true`/`false`, `1`/`0`, `"1"`/`"0"`).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<bool>)]
    root_admin: Option<Option<Value>>,
}

/// Laravel's `TrimStrings` + `ConvertEmptyStringsToNull`: trimmed, and `""` is absent.
fn text(v: Option<Option<String>>) -> Option<Option<String>> {
    v.map(|o| o.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()))
}

/// A password is not trimmed (Laravel's `TrimStrings` skips it); `""` is absent.
fn secret(v: Option<Option<String>>) -> Option<String> {
    v.flatten().filter(|s| !s.is_empty())
}

/// `external_id` as a string; clients send numbers too, which are taken as their digits.
fn external_id(v: Option<Option<Value>>) -> Result<Option<Option<String>>, Error> {
    Ok(match v {
        None => None,
        Some(None | Some(Value::Null)) => Some(None),
        Some(Some(Value::String(s))) => {
            let s = s.trim().to_owned();
            Some((!s.is_empty()).then_some(s))
        }
        Some(Some(Value::Number(n))) => Some(Some(n.to_string())),
        Some(Some(_)) => {
            return Err(Error::validation(
                "external_id",
                "string",
                "The external id must be a string.",
            ));
        }
    })
}

/// Laravel's `boolean` rule: `true`, `false`, `1`, `0`, `"1"`, `"0"`; `null` is absent.
fn boolean(v: Option<Option<Value>>) -> Result<Option<bool>, Error> {
    let bad = || {
        Error::validation(
            "root_admin",
            "boolean",
            "The root admin field must be true or false.",
        )
    };
    match v.flatten() {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(b)),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(0) => Ok(Some(false)),
            Some(1) => Ok(Some(true)),
            _ => Err(bad()),
        },
        Some(Value::String(s)) => match s.trim() {
            "0" => Ok(Some(false)),
            "1" => Ok(Some(true)),
            _ => Err(bad()),
        },
        Some(_) => Err(bad()),
    }
}

fn resource_url(state: &AppState, id: i64) -> String {
    format!(
        "{}/api/application/users/{id}",
        state.url.trim_end_matches('/')
    )
}

/// Create a user.
///
/// `POST /users`: 201 with `meta.resource`.
#[utoipa::path(
    post,
    path = "/users",
    tag = "users",
    operation_id = "create_user",
    request_body(content = UserBody, description = "`email` and `username` are required."),
    responses(
        (status = 201, description = "The new user, with `meta.resource`.", body = UserItem),
        (status = 422, response = ValidationFailed),
        (status = 400, response = BadRequest),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn create_user(
    admin: ApplicationUser,
    State(state): State<AppState>,
    JsonBody(body): JsonBody<UserBody>,
) -> Result<Response, Error> {
    admin.require(Resource::Users, Access::Write)?;
    let input = CreateUser {
        external_id: external_id(body.external_id)?.flatten(),
        email: text(body.email).flatten().unwrap_or_default(),
        username: text(body.username).flatten().unwrap_or_default(),
        name_first: text(body.first_name).flatten(),
        name_last: text(body.last_name).flatten(),
        password: secret(body.password),
        language: text(body.language).flatten(),
        root_admin: boolean(body.root_admin)?.unwrap_or(false),
    };
    let user = svc::store_user(&state.db, input).await?;
    tracing::info!(user.id = user.id, admin.id = admin.user.id, "user created");
    let url = resource_url(&state, user.id);
    Ok(api::created(Item::of(&user).meta("resource", url)))
}

/// Update a user.
///
/// `PATCH /users/{id}`: the fields given change; a required field sent empty is a 422.
#[utoipa::path(
    patch,
    path = "/users/{id}",
    tag = "users",
    operation_id = "update_user",
    params(("id" = i64, Path, description = "The user's id.")),
    request_body(content = UserBody, description = "The fields to change."),
    responses(
        (status = 200, description = "The updated user.", body = UserItem),
        (status = 404, response = NotFound),
        (status = 422, response = ValidationFailed),
        (status = 400, response = BadRequest),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn update_user(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<UserBody>,
) -> Result<Response, Error> {
    admin.require(Resource::Users, Access::Write)?;
    let id = parse_id(&id)?;
    // A required field sent as null or "" reaches the service as "" and fails `required`.
    let required = |v: Option<Option<String>>| text(v).map(Option::unwrap_or_default);
    let input = UpdateUser {
        external_id: external_id(body.external_id)?,
        email: required(body.email),
        username: required(body.username),
        name_first: required(body.first_name),
        name_last: required(body.last_name),
        password: secret(body.password),
        language: text(body.language).flatten(),
        root_admin: boolean(body.root_admin)?,
    };
    let user = svc::update_user(&state.db, id, input).await?;
    tracing::info!(user.id = user.id, admin.id = admin.user.id, "user updated");
    Ok(api::ok(Item::of(&user)))
}

/// Delete a user.
///
/// `DELETE /users/{id}`: 204, or 400 while the user owns servers.
#[utoipa::path(
    delete,
    path = "/users/{id}",
    tag = "users",
    operation_id = "delete_user",
    params(("id" = i64, Path, description = "The user's id.")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        ApplicationErrors,
    ),
    security(("api_key" = [])),
)]
async fn delete_user(
    admin: ApplicationUser,
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, Error> {
    admin.require(Resource::Users, Access::Write)?;
    let id = parse_id(&id)?;
    svc::delete_user(&state.db, id).await?;
    tracing::info!(user.id = id, admin.id = admin.user.id, "user deleted");
    Ok(api::no_content())
}
