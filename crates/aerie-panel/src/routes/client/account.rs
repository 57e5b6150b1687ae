//! `/api/client/account/*`: the account document, two-factor setup, e-mail and password
//! changes, client API keys, SSH keys and the account's activity log (Pterodactyl's
//! `AccountController`, `TwoFactorController`, `ApiKeyController`, `SSHKeyController` and
//! `ActivityLogController`). Paths are relative to `/api/client`.

use aerie_db::repo::account_activity::AccountActivityQuery;
use aerie_http::Error;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::{MethodRouter, delete, get, post, put};
use serde::Deserialize;
use serde_json::json;

use crate::AppState;
use crate::api::schemas::{
    AccountItem, ActivityLogPage, ApiKeyCreated, ApiKeyList, ClientBadRequest, ClientErrors,
    CsrfMismatch, NotFound, RecoveryTokensItem, SshKeyItem, SshKeyList, TwoFactorSetup,
    ValidationFailed,
};
use crate::api::{
    Item, JsonBody, List, ListQuery, Page, Pagination, item, no_content, null_resource, ok,
};
use crate::auth::ClientUser;
use crate::services::account::{self, Actor, RequestMeta};
use crate::services::{db_err, totp};

/// Default and largest `per_page` of the activity list.
const ACTIVITY_PER_PAGE: u64 = 25;
const ACTIVITY_MAX_PER_PAGE: u64 = 100;

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    get_account,
    get_two_factor,
    enable_two_factor,
    disable_two_factor,
    update_email,
    update_password,
    list_api_keys,
    create_api_key,
    delete_api_key,
    list_ssh_keys,
    create_ssh_key,
    delete_ssh_key,
    list_activity
))]
struct ApiDoc;

/// This file's paths in the OpenAPI document, relative to `/api/client` (see
/// `crate::openapi`).
pub(crate) fn openapi() -> utoipa::openapi::OpenApi {
    <ApiDoc as utoipa::OpenApi>::openapi()
}

fn both(router: Router<AppState>, path: &str, method: MethodRouter<AppState>) -> Router<AppState> {
    router
        .route(path, method.clone())
        .route(&format!("{path}/"), method)
}

pub(crate) fn routes() -> Router<AppState> {
    let mut r = Router::new();
    r = both(r, "/account", get(get_account));
    r = both(
        r,
        "/account/two-factor",
        get(get_two_factor).post(enable_two_factor),
    );
    r = both(r, "/account/two-factor/disable", post(disable_two_factor));
    r = both(r, "/account/email", put(update_email));
    r = both(r, "/account/password", put(update_password));
    r = both(
        r,
        "/account/api-keys",
        get(list_api_keys).post(create_api_key),
    );
    r = both(r, "/account/api-keys/{identifier}", delete(delete_api_key));
    r = both(
        r,
        "/account/ssh-keys",
        get(list_ssh_keys).post(create_ssh_key),
    );
    r = both(r, "/account/ssh-keys/remove", post(delete_ssh_key));
    both(r, "/account/activity", get(list_activity))
}

fn actor<'a>(client: &'a ClientUser, meta: &'a RequestMeta) -> Actor<'a> {
    Actor {
        user: &client.user,
        api_key_id: client.api_key_id(),
        meta,
    }
}

/// Show the account.
///
/// `GET /account`: open also when the panel requires two-factor and the account has none.
#[utoipa::path(
    get,
    path = "/account",
    tag = "account",
    operation_id = "client_get_account",
    responses(
        (status = 200, description = "The signed-in account.", body = AccountItem),
        ClientErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
pub(crate) async fn get_account(client: ClientUser) -> Response {
    ok(item("user", account::account_attributes(&client.user)))
}

/// Start two-factor setup.
///
/// `GET /account/two-factor`: a fresh secret and its `otpauth://` URL (stored until it is
/// confirmed with `POST /account/two-factor`). 400 when two-factor is already on.
#[utoipa::path(
    get,
    path = "/account/two-factor",
    tag = "account",
    operation_id = "client_get_two_factor",
    responses(
        (status = 200, description = "The secret to put in an authenticator app.", body = TwoFactorSetup),
        (status = 400, response = ClientBadRequest),
        ClientErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
async fn get_two_factor(
    State(state): State<AppState>,
    client: ClientUser,
) -> Result<Response, Error> {
    let setup = totp::begin_setup(&state.db, &client.user).await?;
    Ok(ok(json!({
        "data": {
            "image_url_data": setup.image_url_data,
            "secret": setup.secret,
        }
    })))
}

/// The body of `POST /account/two-factor`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct EnableTwoFactorBody {
    /// The 6-digit code the authenticator app shows for the new secret (a JSON number is
    /// accepted too).
    #[serde(default)]
    #[schema(required = true, value_type = String, min_length = 6, max_length = 6)]
    code: Option<serde_json::Value>,
    /// The account's password.
    #[serde(default)]
    #[schema(required = true, value_type = String)]
    password: Option<String>,
}

/// Turn two-factor on.
///
/// `POST /account/two-factor`: turns two-factor on; the recovery tokens are shown once.
/// 400 for a wrong code or password.
#[utoipa::path(
    post,
    path = "/account/two-factor",
    tag = "account",
    operation_id = "client_enable_two_factor",
    request_body(content = EnableTwoFactorBody),
    responses(
        (status = 200, description = "Two-factor is on; the recovery tokens.", body = RecoveryTokensItem),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        ClientErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
async fn enable_two_factor(
    State(state): State<AppState>,
    client: ClientUser,
    meta: RequestMeta,
    JsonBody(body): JsonBody<EnableTwoFactorBody>,
) -> Result<Response, Error> {
    let code = match body.code {
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => n.as_u64().map(|u| format!("{u:06}")),
        _ => None,
    };
    let tokens = account::enable_two_factor(
        &state,
        actor(&client, &meta),
        code.as_deref(),
        body.password.as_deref(),
    )
    .await?;
    Ok(ok(json!({
        "object": "recovery_tokens",
        "attributes": { "tokens": tokens },
    })))
}

/// The body of `POST /account/two-factor/disable`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = DisableTwoFactorBody)]
struct PasswordBody {
    /// The account's password.
    #[serde(default)]
    #[schema(required = true, value_type = String)]
    password: Option<String>,
}

/// Turn two-factor off.
///
/// `POST /account/two-factor/disable`: 400 for a wrong password.
#[utoipa::path(
    post,
    path = "/account/two-factor/disable",
    tag = "account",
    operation_id = "client_disable_two_factor",
    request_body(content = PasswordBody),
    responses(
        (status = 204, description = "Two-factor is off; the recovery tokens are gone."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        ClientErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
async fn disable_two_factor(
    State(state): State<AppState>,
    client: ClientUser,
    meta: RequestMeta,
    JsonBody(body): JsonBody<PasswordBody>,
) -> Result<Response, Error> {
    account::disable_two_factor(&state, actor(&client, &meta), body.password.as_deref()).await?;
    Ok(no_content())
}

/// The body of `PUT /account/email`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[schema(as = UpdateEmailBody)]
struct EmailBody {
    /// The new address (unique).
    #[serde(default)]
    #[schema(required = true, value_type = String, format = "email")]
    email: Option<String>,
    /// The account's password.
    #[serde(default)]
    #[schema(required = true, value_type = String)]
    password: Option<String>,
}

/// Change the e-mail address.
///
/// `PUT /account/email`: 400 for a wrong password.
#[utoipa::path(
    put,
    path = "/account/email",
    tag = "account",
    operation_id = "client_update_email",
    request_body(content = EmailBody),
    responses(
        (status = 204, description = "Changed."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        ClientErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
async fn update_email(
    State(state): State<AppState>,
    client: ClientUser,
    meta: RequestMeta,
    JsonBody(body): JsonBody<EmailBody>,
) -> Result<Response, Error> {
    account::update_email(
        &state,
        actor(&client, &meta),
        body.email.as_deref(),
        body.password.as_deref(),
    )
    .await?;
    Ok(no_content())
}

/// The body of `PUT /account/password`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct UpdatePasswordBody {
    /// The current password.
    #[serde(default)]
    #[schema(required = true, value_type = String)]
    current_password: Option<String>,
    /// The new password (at least 8 characters).
    #[serde(default)]
    #[schema(required = true, value_type = String, min_length = 8)]
    password: Option<String>,
    /// The new password again.
    #[serde(default)]
    #[schema(required = true, value_type = String)]
    password_confirmation: Option<String>,
}

/// Change the password.
///
/// `PUT /account/password`: every other session of the user ends. 400 for a wrong current
/// password.
#[utoipa::path(
    put,
    path = "/account/password",
    tag = "account",
    operation_id = "client_update_password",
    request_body(content = UpdatePasswordBody),
    responses(
        (status = 204, description = "Changed."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        ClientErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
async fn update_password(
    State(state): State<AppState>,
    client: ClientUser,
    meta: RequestMeta,
    JsonBody(body): JsonBody<UpdatePasswordBody>,
) -> Result<Response, Error> {
    account::update_password(
        &state,
        actor(&client, &meta),
        body.current_password.as_deref(),
        body.password.as_deref(),
        body.password_confirmation.as_deref(),
        client.session.as_ref().map(|s| s.id.as_str()),
    )
    .await?;
    Ok(no_content())
}

/// List the account's API keys.
///
/// `GET /account/api-keys`: the client keys, oldest first (never their secrets).
#[utoipa::path(
    get,
    path = "/account/api-keys",
    tag = "account",
    operation_id = "client_list_api_keys",
    responses(
        (status = 200, description = "The account's client API keys.", body = ApiKeyList),
        (status = 400, response = ClientBadRequest),
        ClientErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
async fn list_api_keys(
    State(state): State<AppState>,
    client: ClientUser,
) -> Result<Response, Error> {
    let keys = account::list_api_keys(&state, &client.user).await?;
    Ok(ok(List::new(
        keys.iter()
            .map(|k| item("api_key", account::api_key_attributes(k))),
    )))
}

/// The body of `POST /account/api-keys`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct CreateApiKeyBody {
    /// What the key is for (at most 500 characters).
    #[serde(default)]
    #[schema(max_length = 500)]
    description: Option<String>,
    /// IP addresses and CIDR ranges the key may be used from (empty = anywhere).
    #[serde(default)]
    allowed_ips: Option<Vec<String>>,
}

/// Create an API key.
///
/// `POST /account/api-keys`: the key, with `meta.secret_token` (the 32-character secret;
/// the bearer token is `identifier` followed by it). At most 25 keys (400).
#[utoipa::path(
    post,
    path = "/account/api-keys",
    tag = "account",
    operation_id = "client_create_api_key",
    request_body(content = Option<CreateApiKeyBody>, description = "Optional: an empty body makes a key without a description, usable from anywhere."),
    responses(
        (status = 200, description = "The new key and, in `meta.secret_token`, its secret (shown only now).", body = ApiKeyCreated),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        ClientErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
async fn create_api_key(
    State(state): State<AppState>,
    client: ClientUser,
    meta: RequestMeta,
    JsonBody(body): JsonBody<CreateApiKeyBody>,
) -> Result<Response, Error> {
    let created = account::create_api_key(
        &state,
        actor(&client, &meta),
        body.description.as_deref(),
        body.allowed_ips.as_deref().unwrap_or_default(),
    )
    .await?;
    let secret = created
        .token
        .get(created.key.identifier.len()..)
        .unwrap_or_default()
        .to_owned();
    Ok(ok(Item::new(
        "api_key",
        account::api_key_attributes(&created.key),
    )
    .meta("secret_token", secret)))
}

/// Delete an API key.
///
/// `DELETE /account/api-keys/{identifier}`: 404 for a key that is not one of the
/// account's client keys.
#[utoipa::path(
    delete,
    path = "/account/api-keys/{identifier}",
    tag = "account",
    operation_id = "client_delete_api_key",
    params(
        ("identifier" = String, Path, description = "The key's identifier (`ptlc_` + 11 characters)."),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, response = ClientBadRequest),
        (status = 404, response = NotFound),
        (status = 419, response = CsrfMismatch),
        ClientErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
async fn delete_api_key(
    State(state): State<AppState>,
    client: ClientUser,
    meta: RequestMeta,
    Path(identifier): Path<String>,
) -> Result<Response, Error> {
    account::delete_api_key(&state, actor(&client, &meta), &identifier).await?;
    Ok(no_content())
}

/// List the account's SSH keys.
///
/// `GET /account/ssh-keys`: the keys SFTP accepts for this account.
#[utoipa::path(
    get,
    path = "/account/ssh-keys",
    tag = "account",
    operation_id = "client_list_ssh_keys",
    responses(
        (status = 200, description = "The account's SSH keys.", body = SshKeyList),
        (status = 400, response = ClientBadRequest),
        ClientErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
async fn list_ssh_keys(
    State(state): State<AppState>,
    client: ClientUser,
) -> Result<Response, Error> {
    let keys = account::list_ssh_keys(&state, &client.user).await?;
    Ok(ok(List::new(
        keys.iter()
            .map(|k| item("ssh_key", account::ssh_key_attributes(k))),
    )))
}

/// The body of `POST /account/ssh-keys`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct CreateSshKeyBody {
    /// Display name (at most 191 characters).
    #[serde(default)]
    #[schema(required = true, value_type = String, max_length = 191)]
    name: Option<String>,
    /// The key as an `authorized_keys` line (RSA of at least 2048 bits, ECDSA or Ed25519).
    #[serde(default)]
    #[schema(required = true, value_type = String)]
    public_key: Option<String>,
}

/// Add an SSH key.
///
/// `POST /account/ssh-keys`: 422 for a key that does not parse, is too weak or is already
/// on the account.
#[utoipa::path(
    post,
    path = "/account/ssh-keys",
    tag = "account",
    operation_id = "client_create_ssh_key",
    request_body(content = CreateSshKeyBody),
    responses(
        (status = 200, description = "The stored key.", body = SshKeyItem),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        ClientErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
async fn create_ssh_key(
    State(state): State<AppState>,
    client: ClientUser,
    meta: RequestMeta,
    JsonBody(body): JsonBody<CreateSshKeyBody>,
) -> Result<Response, Error> {
    let key = account::create_ssh_key(
        &state,
        actor(&client, &meta),
        body.name.as_deref(),
        body.public_key.as_deref(),
    )
    .await?;
    Ok(ok(item("ssh_key", account::ssh_key_attributes(&key))))
}

/// The body of `POST /account/ssh-keys/remove`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
struct RemoveSshKeyBody {
    /// The key's `SHA256:` fingerprint.
    #[serde(default)]
    #[schema(required = true, value_type = String)]
    fingerprint: Option<String>,
}

/// Remove an SSH key.
///
/// `POST /account/ssh-keys/remove`: by fingerprint; an unknown fingerprint changes
/// nothing (still 204), as in Pterodactyl.
#[utoipa::path(
    post,
    path = "/account/ssh-keys/remove",
    tag = "account",
    operation_id = "client_delete_ssh_key",
    request_body(content = RemoveSshKeyBody),
    responses(
        (status = 204, description = "Removed (or there was no such key)."),
        (status = 400, response = ClientBadRequest),
        (status = 419, response = CsrfMismatch),
        (status = 422, response = ValidationFailed),
        ClientErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
async fn delete_ssh_key(
    State(state): State<AppState>,
    client: ClientUser,
    meta: RequestMeta,
    JsonBody(body): JsonBody<RemoveSshKeyBody>,
) -> Result<Response, Error> {
    account::delete_ssh_key(&state, actor(&client, &meta), body.fingerprint.as_deref()).await?;
    Ok(no_content())
}

/// List the account's activity.
///
/// `GET /account/activity`: `filter[event]` (partial), `sort=timestamp|-timestamp`
/// (newest first by default), `per_page` up to 100 (25 by default), `include=actor`.
#[utoipa::path(
    get,
    path = "/account/activity",
    tag = "account",
    operation_id = "client_list_activity",
    params(
        ("page" = Option<u64>, Query, minimum = 1, description = "The page, from 1."),
        ("per_page" = Option<u64>, Query, minimum = 1, description = "Entries per page: default 25, at most 100 (larger values are clamped)."),
        ("filter[event]" = Option<String>, Query, description = "Partial match on the event name."),
        ("sort" = Option<String>, Query, description = "`timestamp` (oldest first) or `-timestamp` (newest first, the default)."),
        ("include" = Option<String>, Query, description = "`actor`: the user who acted, as `relationships.actor` (a null resource when none)."),
    ),
    responses(
        (status = 200, description = "A page of the account's activity.", body = ActivityLogPage),
        (status = 400, response = ClientBadRequest),
        (status = 422, response = ValidationFailed),
        ClientErrors,
    ),
    security(("api_key" = []), ("session" = [])),
)]
async fn list_activity(
    State(state): State<AppState>,
    client: ClientUser,
    query: ListQuery,
) -> Result<Response, Error> {
    query.check(&["event"], &["timestamp"], &["actor"])?;
    let per_page = query
        .get("per_page")
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|n| *n > 0)
        .unwrap_or(ACTIVITY_PER_PAGE)
        .min(ACTIVITY_MAX_PER_PAGE);
    let page = Page {
        page: query.page().page,
        per_page,
    };
    let ascending = query.sort().is_some_and(|s| !s.descending);
    let (entries, total) = account::list_activity(
        &state,
        &client.user,
        &AccountActivityQuery {
            event: query.filter("event").map(str::to_owned),
            ascending,
            offset: page.offset(),
            limit: page.limit(),
        },
    )
    .await?;

    let with_actor = query.has_include("actor");
    let actors = if with_actor {
        let mut ids: Vec<i64> = entries.iter().filter_map(|e| e.actor_id).collect();
        ids.sort_unstable();
        ids.dedup();
        state.db.users().find_many(&ids).await.map_err(db_err)?
    } else {
        Vec::new()
    };
    let items: Vec<Item> = entries
        .iter()
        .map(|e| {
            let it = Item::new("activity_log", account::activity_attributes(e));
            if !with_actor {
                return it;
            }
            let actor = e
                .actor_id
                .and_then(|id| actors.iter().find(|u| u.id == id))
                .map_or_else(null_resource, |u| {
                    item("user", account::actor_attributes(u))
                });
            it.include("actor", actor)
        })
        .collect();
    let count = u64::try_from(items.len()).unwrap_or(u64::MAX);
    let total = u64::try_from(total).unwrap_or(0);
    let pagination = Pagination::new(total, count, page, |n| query.page_url(&state.url, n));
    Ok(ok(List::new(items).paginate(pagination)))
}
