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
use crate::api::{
    Item, JsonBody, List, ListQuery, Page, Pagination, item, no_content, null_resource, ok,
};
use crate::auth::ClientUser;
use crate::services::account::{self, Actor, RequestMeta};
use crate::services::{db_err, totp};

/// Default and largest `per_page` of the activity list.
const ACTIVITY_PER_PAGE: u64 = 25;
const ACTIVITY_MAX_PER_PAGE: u64 = 100;

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

/// `GET /account`.
pub(crate) async fn get_account(client: ClientUser) -> Response {
    ok(item("user", account::account_attributes(&client.user)))
}

/// `GET /account/two-factor`: a fresh secret and its `otpauth://` URL.
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

#[derive(Debug, Deserialize)]
struct EnableTwoFactorBody {
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    password: Option<String>,
}

/// `POST /account/two-factor`: turns two-factor on; the recovery tokens are shown once.
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

#[derive(Debug, Deserialize)]
struct PasswordBody {
    #[serde(default)]
    password: Option<String>,
}

/// `POST /account/two-factor/disable`.
async fn disable_two_factor(
    State(state): State<AppState>,
    client: ClientUser,
    meta: RequestMeta,
    JsonBody(body): JsonBody<PasswordBody>,
) -> Result<Response, Error> {
    account::disable_two_factor(&state, actor(&client, &meta), body.password.as_deref()).await?;
    Ok(no_content())
}

#[derive(Debug, Deserialize)]
struct EmailBody {
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    password: Option<String>,
}

/// `PUT /account/email`.
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

#[derive(Debug, Deserialize)]
struct UpdatePasswordBody {
    #[serde(default)]
    current_password: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    password_confirmation: Option<String>,
}

/// `PUT /account/password`: every other session of the user ends.
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

/// `GET /account/api-keys`.
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

#[derive(Debug, Deserialize)]
struct CreateApiKeyBody {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    allowed_ips: Option<Vec<String>>,
}

/// `POST /account/api-keys`: the key, with `meta.secret_token` (the 32-character secret;
/// the bearer token is `identifier` followed by it).
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

/// `DELETE /account/api-keys/{identifier}`.
async fn delete_api_key(
    State(state): State<AppState>,
    client: ClientUser,
    meta: RequestMeta,
    Path(identifier): Path<String>,
) -> Result<Response, Error> {
    account::delete_api_key(&state, actor(&client, &meta), &identifier).await?;
    Ok(no_content())
}

/// `GET /account/ssh-keys`.
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

#[derive(Debug, Deserialize)]
struct CreateSshKeyBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    public_key: Option<String>,
}

/// `POST /account/ssh-keys`.
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

#[derive(Debug, Deserialize)]
struct RemoveSshKeyBody {
    #[serde(default)]
    fingerprint: Option<String>,
}

/// `POST /account/ssh-keys/remove`.
async fn delete_ssh_key(
    State(state): State<AppState>,
    client: ClientUser,
    meta: RequestMeta,
    JsonBody(body): JsonBody<RemoveSshKeyBody>,
) -> Result<Response, Error> {
    account::delete_ssh_key(&state, actor(&client, &meta), body.fingerprint.as_deref()).await?;
    Ok(no_content())
}

/// `GET /account/activity`: `filter[event]` (partial), `sort=timestamp|-timestamp`
/// (newest first by default), `per_page` up to 100 (25 by default), `include=actor`.
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
