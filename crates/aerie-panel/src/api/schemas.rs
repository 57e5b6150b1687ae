//! OpenAPI schemas of the panel's HTTP bodies, for the document at `GET /api/openapi.json`
//! (see `crate::openapi`).
//!
//! Handlers build their JSON through [`super::fractal`] and the transformers
//! (`services::*::*_attributes`), so these types are never constructed: they only describe,
//! field by field, what those functions write. `tests/openapi.rs` makes real requests and
//! validates the bodies against the document, so a transformer that gains, loses or retypes a
//! key fails the test until the schema here says the same.
//!
//! Conventions, so the web UI can generate exact TypeScript types:
//!
//! - every response object is closed (`additionalProperties: false`, from
//!   `#[serde(deny_unknown_fields)]`);
//! - a key the transformer always writes is required; one that may be `null` is
//!   `#[schema(required = true)] Option<T>` (required *and* nullable);
//! - a key that is sometimes absent (`relationships`, `meta`) is
//!   `#[schema(nullable = false)] Option<T>` (optional, never `null`);
//! - `object` is a one-value string enum (`"user"`, `"list"`, `"null_resource"`);
//! - includes live in `attributes.relationships` ([`UserRelationships`] and friends); an
//!   include the key may not read is a [`NullResource`], hence the `*OrNull` unions;
//! - the `relationships` fields carry `no_recursion` (a node includes its location, which
//!   includes nodes, ...): `crate::openapi` registers every `*Relationships` schema itself.
//!
//! One concrete envelope per resource ([`UserItem`], [`UserList`], [`UserPage`]) rather than
//! generics, so every schema in the document has a plain name. Client API items never carry
//! `meta` (the exceptions, [`ApiKeyCreated`] and [`BackupPage`], are written out), so they
//! come from `client_resource!`, whose items have no `meta` key; the browser login's bodies
//! (`/auth/*`) are plain `{"data": ...}` objects.

use std::collections::BTreeMap;

use serde_json::Value;
use utoipa::openapi::schema::{AnyOfBuilder, Schema};
use utoipa::openapi::{Object, ObjectBuilder, Ref, RefOr, Type};
use utoipa::{IntoParams, IntoResponses, ToResponse, ToSchema};

fn string_const(value: &str, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some([value]))
        .description(Some(description))
        .build()
}

fn null_type(description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Null)
        .description(Some(description))
        .build()
}

fn list_object() -> Object {
    string_const("list", "Always `list`.")
}

fn null_resource_object() -> Object {
    string_const("null_resource", "Always `null_resource`.")
}

fn null_attributes() -> Object {
    null_type("Always `null`.")
}

fn anonymous_object() -> Object {
    null_type("Always `null`: Pterodactyl builds these includes from a closure, not a model.")
}

/// One resource: its item envelope, its unpaginated list, and optionally its paginated
/// list and its `*OrNull` unions for includes.
macro_rules! resource {
    (
        object: $object:tt,
        attributes: $Attr:ident,
        item: $Item:ident,
        list: $List:ident,
        $(page: $Page:ident,)?
        $(item_or_null: $ItemOrNull:ident,)?
        $(list_or_null: $ListOrNull:ident,)?
    ) => {
        #[doc = concat!("A `", $object, "` item: `{\"object\": \"", $object, "\", \"attributes\": {...}}`.")]
        #[derive(ToSchema)]
        #[schema(description = concat!("A `", $object, "` item. `meta.resource` (the item's URL) is present on 201 responses."))]
        #[serde(deny_unknown_fields)]
        pub struct $Item {
            /// The resource name.
            #[schema(schema_with = $Item::object_schema)]
            pub object: String,
            /// The resource's fields.
            pub attributes: $Attr,
            /// `{"resource": url}` on 201 responses; absent otherwise.
            #[schema(nullable = false)]
            pub meta: Option<ResourceMeta>,
        }

        impl $Item {
            fn object_schema() -> Object {
                string_const($object, concat!("Always `", $object, "`."))
            }
        }

        #[doc = concat!("A list of `", $object, "` items, not paginated.")]
        #[derive(ToSchema)]
        #[schema(description = concat!("A list of `", $object, "` items, not paginated."))]
        #[serde(deny_unknown_fields)]
        pub struct $List {
            /// The resource name of a collection.
            #[schema(schema_with = list_object)]
            pub object: String,
            /// The items.
            pub data: Vec<$Item>,
        }

        $(
            #[doc = concat!("A page of `", $object, "` items with `meta.pagination`.")]
            #[derive(ToSchema)]
            #[schema(description = concat!("A page of `", $object, "` items with `meta.pagination`."))]
            #[serde(deny_unknown_fields)]
            pub struct $Page {
                /// The resource name of a collection.
                #[schema(schema_with = list_object)]
                pub object: String,
                /// The items on this page.
                pub data: Vec<$Item>,
                /// Pagination facts.
                pub meta: PaginationMeta,
            }
        )?

        $(
            #[doc = concat!("An included `", $object, "` item, or a null resource when the key may not read it or it does not exist.")]
            #[derive(ToSchema)]
            #[serde(untagged)]
            pub enum $ItemOrNull {
                /// The related item.
                Item(Box<$Item>),
                /// The key may not read it, or there is none.
                Null(NullResource),
            }
        )?

        $(
            #[doc = concat!("An included list of `", $object, "` items, or a null resource when the key may not read them.")]
            #[derive(ToSchema)]
            #[serde(untagged)]
            pub enum $ListOrNull {
                /// The related items.
                List(Box<$List>),
                /// The key may not read them.
                Null(NullResource),
            }
        )?
    };
}

// ---- envelope pieces ---------------------------------------------------------------------

/// `{"object": "null_resource", "attributes": null}`: an include the key may not read, or a
/// related model that does not exist.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NullResource {
    /// Always `null_resource`.
    #[schema(schema_with = null_resource_object)]
    pub object: String,
    /// Always `null`.
    #[schema(schema_with = null_attributes)]
    pub attributes: (),
}

/// `meta` of a 201 response.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResourceMeta {
    /// The new resource's URL in the application API.
    #[schema(format = "uri")]
    pub resource: String,
}

/// `meta` of a paginated list.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaginationMeta {
    /// The page facts.
    pub pagination: Pagination,
}

/// `meta.pagination` (league/fractal's `ArraySerializer::paginator`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Pagination {
    /// Rows matching across all pages.
    pub total: u64,
    /// Items on this page.
    pub count: u64,
    /// The page size asked for.
    pub per_page: u64,
    /// This page, from 1.
    pub current_page: u64,
    /// The number of pages (at least 1).
    pub total_pages: u64,
    /// Links to the neighbouring pages; `{}` when there is neither.
    pub links: PaginationLinks,
}

/// `meta.pagination.links`: a missing neighbour is left out, never `null`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PaginationLinks {
    /// URL of the previous page.
    #[schema(nullable = false, format = "uri")]
    pub previous: Option<String>,
    /// URL of the next page.
    #[schema(nullable = false, format = "uri")]
    pub next: Option<String>,
}

/// `page` and `per_page` of a paginated list.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// The page, from 1.
    #[param(minimum = 1)]
    pub page: Option<u64>,
    /// Items per page (default 50).
    #[param(minimum = 1)]
    pub per_page: Option<u64>,
}

// ---- errors ------------------------------------------------------------------------------

/// Every error answer: Pterodactyl's `{"errors": [...]}`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorEnvelope {
    /// The problems, at least one.
    #[schema(min_items = 1)]
    pub errors: Vec<ErrorObject>,
}

/// One problem of an [`ErrorEnvelope`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorObject {
    /// Pterodactyl's exception class name (`NotFoundHttpException`, `ValidationException`).
    pub code: String,
    /// The HTTP status as a string (`"404"`).
    pub status: String,
    /// A sentence fit to show to the user.
    pub detail: String,
    /// For validation errors: the field and the rule that failed.
    #[schema(nullable = false)]
    pub meta: Option<ErrorMeta>,
}

/// `meta` of a validation [`ErrorObject`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErrorMeta {
    /// The request field that failed (`email`, `ports.0`).
    pub source_field: String,
    /// The snake_cased rule that failed (`required`, `unique`).
    pub rule: String,
}

/// 400: a filter, sort or include that is not allowed, or a request that cannot be carried
/// out in the resource's current state (a resource still in use, say).
#[derive(ToResponse)]
#[response(
    description = "Bad request: a filter, sort or include that is not allowed, malformed JSON, or a request the resource's current state does not allow."
)]
pub struct BadRequest(pub ErrorEnvelope);

/// 401: no credentials, or credentials that are not valid.
#[derive(ToResponse)]
#[response(description = "Missing or invalid credentials.")]
pub struct Unauthenticated(pub ErrorEnvelope);

/// 403: the credentials may not do this.
#[derive(ToResponse)]
#[response(description = "The key may not do this (not a root admin, or the ACL bit is off).")]
pub struct Forbidden(pub ErrorEnvelope);

/// 404: the resource does not exist.
#[derive(ToResponse)]
#[response(description = "The resource does not exist.")]
pub struct NotFound(pub ErrorEnvelope);

/// 409: the resource is busy.
#[derive(ToResponse)]
#[response(description = "The resource is in a state that does not allow this.")]
pub struct Conflict(pub ErrorEnvelope);

/// 422: a field failed validation; `meta.source_field` and `meta.rule` name it.
#[derive(ToResponse)]
#[response(description = "A field or query parameter failed validation.")]
pub struct ValidationFailed(pub ErrorEnvelope);

/// 502: wings (the node's daemon) answered with an error.
#[derive(ToResponse)]
#[response(description = "The node's daemon (wings) answered with an error.")]
pub struct BadGateway(pub ErrorEnvelope);

/// 503: wings (the node's daemon) could not be reached.
#[derive(ToResponse)]
#[response(description = "The node's daemon (wings) could not be reached.")]
pub struct ServiceUnavailable(pub ErrorEnvelope);

/// 429: the key is over its request budget.
#[derive(ToResponse)]
#[response(description = "Too many requests; `Retry-After` says when to try again.")]
pub struct TooManyRequests(pub ErrorEnvelope);

// ---- users -------------------------------------------------------------------------------

/// A user (Pterodactyl's application `UserTransformer`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserAttributes {
    /// Numeric id.
    pub id: i64,
    /// Id in an external system (billing), unique when set.
    #[schema(required = true)]
    pub external_id: Option<String>,
    /// Public UUID.
    #[schema(format = "uuid")]
    pub uuid: String,
    /// Unique username.
    pub username: String,
    /// Unique e-mail address.
    pub email: String,
    /// First name.
    #[schema(required = true)]
    pub first_name: Option<String>,
    /// Last name.
    #[schema(required = true)]
    pub last_name: Option<String>,
    /// UI language code.
    pub language: String,
    /// Whether the user is an administrator.
    pub root_admin: bool,
    /// Whether TOTP two-factor authentication is on.
    #[serde(rename = "2fa")]
    pub two_factor: bool,
    /// Creation time (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last update (Atom).
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Includes asked for with `include=`.
    #[schema(nullable = false, no_recursion)]
    pub relationships: Option<Box<UserRelationships>>,
}

/// Includes of a user.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserRelationships {
    /// `include=servers`: the servers the user owns (needs server read).
    #[schema(nullable = false)]
    pub servers: Option<ServerListOrNull>,
}

resource! {
    object: "user",
    attributes: UserAttributes,
    item: UserItem,
    list: UserList,
    page: UserPage,
    item_or_null: UserItemOrNull,
}

// ---- servers -----------------------------------------------------------------------------

/// A server (Pterodactyl's application `ServerTransformer`,
/// `services::servers::server_attributes`): the application API's server item and what
/// users, locations, nodes and allocations include as `servers`/`server`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerAttributes {
    /// Numeric id.
    pub id: i64,
    /// Id in an external system (billing).
    #[schema(required = true)]
    pub external_id: Option<String>,
    /// UUID.
    #[schema(format = "uuid")]
    pub uuid: String,
    /// The first 8 characters of the UUID.
    pub identifier: String,
    /// Display name.
    pub name: String,
    /// Description (`""` when there is none).
    pub description: String,
    /// `null`, `installing`, `install_failed`, `reinstall_failed`, `suspended` or
    /// `restoring_backup`.
    #[schema(required = true)]
    pub status: Option<String>,
    /// Whether the server is suspended.
    pub suspended: bool,
    /// Resource limits.
    pub limits: ServerLimits,
    /// What the owner may create.
    pub feature_limits: ServerFeatureLimits,
    /// The owner's user id.
    pub user: i64,
    /// The node id.
    pub node: i64,
    /// The primary allocation id.
    pub allocation: i64,
    /// The nest id.
    pub nest: i64,
    /// The egg id.
    pub egg: i64,
    /// The container.
    pub container: ServerContainer,
    /// Last update (Atom).
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Creation time (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Includes asked for with `include=` (only on `/servers` itself; a server included
    /// by another resource has none).
    #[schema(nullable = false, no_recursion)]
    pub relationships: Option<Box<ServerRelationships>>,
}

/// Includes of a server: each one needs the key's read bit for the included resource and is
/// a null resource otherwise (or when the related row is missing).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerRelationships {
    /// `include=allocations`: every allocation assigned to the server (needs allocation
    /// read).
    #[schema(nullable = false)]
    pub allocations: Option<AllocationListOrNull>,
    /// `include=user`: the owner (needs user read).
    #[schema(nullable = false)]
    pub user: Option<UserItemOrNull>,
    /// `include=subusers` (needs user read).
    #[schema(nullable = false)]
    pub subusers: Option<ServerSubuserListOrNull>,
    /// `include=nest` (needs nest read).
    #[schema(nullable = false)]
    pub nest: Option<NestItemOrNull>,
    /// `include=egg` (needs egg read).
    #[schema(nullable = false)]
    pub egg: Option<EggItemOrNull>,
    /// `include=variables`: the egg's variables with the server's values (needs server
    /// read).
    #[schema(nullable = false)]
    pub variables: Option<ServerVariableListOrNull>,
    /// `include=location`: the node's location (needs location read).
    #[schema(nullable = false)]
    pub location: Option<LocationItemOrNull>,
    /// `include=node` (needs node read).
    #[schema(nullable = false)]
    pub node: Option<NodeItemOrNull>,
    /// `include=databases` (needs server database read).
    #[schema(nullable = false)]
    pub databases: Option<ServerDatabaseListOrNull>,
}

/// `limits` of a server.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerLimits {
    /// Memory in MB (0 = unlimited).
    pub memory: i64,
    /// Swap in MB (-1 = unlimited, 0 = none).
    pub swap: i64,
    /// Disk in MB (0 = unlimited).
    pub disk: i64,
    /// Block IO weight (10..1000).
    pub io: i64,
    /// CPU in percent of one thread (0 = unlimited).
    pub cpu: i64,
    /// CPU pinning (`0-1,3`); `null` = any.
    #[schema(required = true)]
    pub threads: Option<String>,
    /// Whether the OOM killer is disabled.
    pub oom_disabled: bool,
}

/// `feature_limits` of a server.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerFeatureLimits {
    /// Databases the owner may create.
    pub databases: i64,
    /// Allocations the owner may add (`null` = Pterodactyl's none set).
    #[schema(required = true)]
    pub allocations: Option<i64>,
    /// Backups the owner may keep.
    pub backups: i64,
}

/// `container` of a server.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerContainer {
    /// The startup command with `{{VAR}}` placeholders.
    pub startup_command: String,
    /// The Docker image.
    pub image: String,
    /// `1` when installed, `0` otherwise (an integer, as Pterodactyl sends it).
    #[schema(minimum = 0, maximum = 1)]
    pub installed: i64,
    /// The container's environment (Pterodactyl's `EnvironmentService`).
    pub environment: ServerEnvironment,
}

/// `container.environment` of a server: every variable of the egg (the server's value, else
/// the default; `null` when neither is set), then the four variables the panel always sets.
#[derive(ToSchema)]
pub struct ServerEnvironment {
    /// The startup command.
    #[serde(rename = "STARTUP")]
    pub startup: String,
    /// The short code of the node's location (`null` when the location is gone).
    #[serde(rename = "P_SERVER_LOCATION")]
    #[schema(required = true)]
    pub location: Option<String>,
    /// The server's UUID.
    #[serde(rename = "P_SERVER_UUID")]
    #[schema(format = "uuid")]
    pub uuid: String,
    /// `feature_limits.allocations` (a number, or `null`).
    #[serde(rename = "P_SERVER_ALLOCATION_LIMIT")]
    #[schema(required = true)]
    pub allocation_limit: Option<i64>,
    /// The egg's variables by environment name: a string, or `null` when unset.
    #[serde(flatten)]
    pub variables: BTreeMap<String, Option<String>>,
}

resource! {
    object: "server",
    attributes: ServerAttributes,
    item: ServerItem,
    list: ServerList,
    page: ServerPage,
    item_or_null: ServerItemOrNull,
    list_or_null: ServerListOrNull,
}

/// A subuser of a server, as `include=subusers` writes it.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerSubuserAttributes {
    /// Numeric id.
    pub id: i64,
    /// The subuser's user id.
    pub user_id: i64,
    /// The server id.
    pub server_id: i64,
    /// The permission keys granted (`control.console`, `file.read`, ...).
    pub permissions: Vec<String>,
    /// Creation time (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last update (Atom).
    #[schema(format = DateTime)]
    pub updated_at: String,
}

resource! {
    object: "server_subuser",
    attributes: ServerSubuserAttributes,
    item: ServerSubuserItem,
    list: ServerSubuserList,
    list_or_null: ServerSubuserListOrNull,
}

/// A variable of a server (`include=variables`): the egg variable's fields (as
/// [`EggVariableAttributes`], timestamps in Laravel's format) plus `server_value`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerVariableAttributes {
    /// The egg variable's id.
    pub id: i64,
    /// The egg id.
    pub egg_id: i64,
    /// Display name.
    pub name: String,
    /// Help text (`""` when none).
    pub description: String,
    /// The environment variable it sets.
    pub env_variable: String,
    /// Default value (`""` when none).
    pub default_value: String,
    /// Whether users can see it.
    pub user_viewable: bool,
    /// Whether users can change it.
    pub user_editable: bool,
    /// Laravel validation rules, one pipe string (`""` when none).
    pub rules: String,
    /// Creation time (Laravel format).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last update (Laravel format).
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// The server's value; `null` when the server has none stored (the default applies).
    #[schema(required = true)]
    pub server_value: Option<String>,
}

resource! {
    object: "server_variable",
    attributes: ServerVariableAttributes,
    item: ServerVariableItem,
    list: ServerVariableList,
    list_or_null: ServerVariableListOrNull,
}

/// The body of `POST /servers` (Pterodactyl's `StoreServerRequest`): the fields below, the
/// limits either nested under `limits` or flat at the top level ([`ServerLimitsChoice`]),
/// and the allocation either explicit or by deployment ([`ServerAllocationChoice`]).
/// Integers may be sent as numeric strings and booleans as `0`/`1`, as Laravel accepts.
#[derive(ToSchema)]
pub struct ServerBody {
    /// Id in an external system (billing), at most 191 characters, unique; `""` = none.
    #[schema(max_length = 191)]
    pub external_id: Option<String>,
    /// Display name, at most 191 characters.
    #[schema(min_length = 1, max_length = 191)]
    pub name: String,
    /// Description.
    pub description: Option<String>,
    /// The owner's user id.
    pub user: i64,
    /// The egg id (its nest follows).
    pub egg: i64,
    /// The Docker image (`^~?[\w./\-:@ ]*$`, at most 191 characters); default: the egg's
    /// default image.
    #[schema(max_length = 191)]
    pub docker_image: Option<String>,
    /// The startup command; default: the egg's.
    pub startup: Option<String>,
    /// Values of the egg's variables by environment name (strings; numbers and booleans
    /// are stored as their string form); a variable left out gets its default. Every value
    /// is checked against its variable's rules.
    pub environment: Option<BTreeMap<String, Value>>,
    /// Skip the egg's install script (default false).
    pub skip_scripts: Option<bool>,
    /// Disable the OOM killer (default true).
    pub oom_disabled: Option<bool>,
    /// Start the server once installed (default false).
    pub start_on_completion: Option<bool>,
    /// What the owner may create; each missing count is 0.
    pub feature_limits: Option<ServerFeatureLimitsBody>,
    /// The resource limits, nested or flat.
    #[serde(flatten)]
    pub limits: ServerLimitsChoice,
    /// The allocation, explicit or by deployment.
    #[serde(flatten)]
    pub allocation: ServerAllocationChoice,
}

/// The resource limits of a request (`limits` of [`ServerBody`] and [`ServerBuildBody`]).
/// On create, `memory`, `swap` and `disk` are required.
#[derive(ToSchema)]
pub struct ServerLimitsBody {
    /// Memory in MB (0 = unlimited).
    #[schema(minimum = 0)]
    pub memory: Option<i64>,
    /// Swap in MB (-1 = unlimited, 0 = none).
    #[schema(minimum = -1)]
    pub swap: Option<i64>,
    /// Disk in MB (0 = unlimited).
    #[schema(minimum = 0)]
    pub disk: Option<i64>,
    /// Block IO weight, 10..1000 (default 500 on create).
    #[schema(minimum = 10, maximum = 1000)]
    pub io: Option<i64>,
    /// CPU in percent of one thread (0 = unlimited; default 0 on create).
    #[schema(minimum = 0)]
    pub cpu: Option<i64>,
    /// CPU pinning (`0-1,3`: digits, `-` and `,`); `null` or `""` = any.
    #[schema(pattern = "^[0-9,-]*$")]
    pub threads: Option<String>,
}

/// The limits nested: `{"limits": {...}}`. When `limits` is an object, the flat keys are
/// ignored.
#[derive(ToSchema)]
pub struct ServerNestedLimits {
    /// The limits (`memory`, `swap` and `disk` required on create).
    pub limits: ServerLimitsBody,
}

/// The limits flat at the top level (Pterodactyl's legacy form), read when there is no
/// `limits` object.
#[derive(ToSchema)]
pub struct ServerFlatLimits {
    /// Memory in MB (0 = unlimited).
    #[schema(minimum = 0)]
    pub memory: i64,
    /// Swap in MB (-1 = unlimited, 0 = none).
    #[schema(minimum = -1)]
    pub swap: i64,
    /// Disk in MB (0 = unlimited).
    #[schema(minimum = 0)]
    pub disk: i64,
    /// Block IO weight, 10..1000 (default 500).
    #[schema(minimum = 10, maximum = 1000)]
    pub io: Option<i64>,
    /// CPU in percent of one thread (0 = unlimited; default 0).
    #[schema(minimum = 0)]
    pub cpu: Option<i64>,
    /// CPU pinning (`0-1,3`); `null` or `""` = any.
    #[schema(pattern = "^[0-9,-]*$")]
    pub threads: Option<String>,
}

/// `limits` nested ([`ServerNestedLimits`]) or flat ([`ServerFlatLimits`]); a nested
/// object wins when both are sent.
pub struct ServerLimitsChoice;

impl utoipa::PartialSchema for ServerLimitsChoice {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(Ref::from_schema_name("ServerNestedLimits"))
            .item(Ref::from_schema_name("ServerFlatLimits"))
            .description(Some(
                "The limits, nested under `limits` or flat at the top level; a `limits` object \
                 wins when both are sent.",
            ))
            .into()
    }
}

impl ToSchema for ServerLimitsChoice {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            ServerNestedLimits::name().into(),
            <ServerNestedLimits as utoipa::PartialSchema>::schema(),
        ));
        <ServerNestedLimits as ToSchema>::schemas(schemas);
        schemas.push((
            ServerFlatLimits::name().into(),
            <ServerFlatLimits as utoipa::PartialSchema>::schema(),
        ));
        <ServerFlatLimits as ToSchema>::schemas(schemas);
    }
}

/// `feature_limits` of a request: each count at least 0.
#[derive(ToSchema)]
pub struct ServerFeatureLimitsBody {
    /// Databases the owner may create.
    #[schema(minimum = 0)]
    pub databases: Option<i64>,
    /// Allocations the owner may add.
    #[schema(minimum = 0)]
    pub allocations: Option<i64>,
    /// Backups the owner may keep.
    #[schema(minimum = 0)]
    pub backups: Option<i64>,
}

/// `allocation` of a [`ServerBody`]: the server's allocations, named.
#[derive(ToSchema)]
pub struct ServerAllocationBody {
    /// The primary allocation: free, and it decides the node.
    pub default: i64,
    /// More allocations, each free and on the same node (the primary and repeats are
    /// skipped).
    pub additional: Option<Vec<i64>>,
}

/// `deploy` of a [`ServerBody`]: let the panel pick a node and a free allocation.
#[derive(ToSchema)]
pub struct ServerDeployBody {
    /// Only nodes in these locations (ids, each at least 1); empty = any location.
    pub locations: Option<Vec<i64>>,
    /// Take an IP no other server uses.
    pub dedicated_ip: Option<bool>,
    /// Ports (`"25565"`) and ranges (`"25565-25570"`) the allocation must be in; a single
    /// string is accepted too.
    pub port_range: Option<Vec<String>>,
}

/// Explicit allocations: `{"allocation": {"default": ..., "additional": [...]}}`.
#[derive(ToSchema)]
pub struct ServerExplicitAllocation {
    /// The allocations.
    pub allocation: ServerAllocationBody,
}

/// Automatic deployment: `{"deploy": {...}}`. When `deploy` is an object, `allocation` is
/// ignored.
#[derive(ToSchema)]
pub struct ServerDeployment {
    /// Where to deploy.
    pub deploy: ServerDeployBody,
}

/// `allocation` ([`ServerExplicitAllocation`]) or `deploy` ([`ServerDeployment`]); `deploy`
/// wins when both are sent.
pub struct ServerAllocationChoice;

impl utoipa::PartialSchema for ServerAllocationChoice {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(Ref::from_schema_name("ServerExplicitAllocation"))
            .item(Ref::from_schema_name("ServerDeployment"))
            .description(Some(
                "The allocation: explicit (`allocation.default`) or picked by the panel \
                 (`deploy`); a `deploy` object wins when both are sent.",
            ))
            .into()
    }
}

impl ToSchema for ServerAllocationChoice {
    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((
            ServerExplicitAllocation::name().into(),
            <ServerExplicitAllocation as utoipa::PartialSchema>::schema(),
        ));
        <ServerExplicitAllocation as ToSchema>::schemas(schemas);
        schemas.push((
            ServerDeployment::name().into(),
            <ServerDeployment as utoipa::PartialSchema>::schema(),
        ));
        <ServerDeployment as ToSchema>::schemas(schemas);
    }
}

/// The body of `PATCH /servers/{id}/details` (Pterodactyl's `ServerDetailsController`):
/// the fields sent change, the others keep their value.
#[derive(ToSchema)]
pub struct ServerDetailsBody {
    /// Id in an external system, unique; `null` or `""` clears it.
    #[schema(max_length = 191)]
    pub external_id: Option<String>,
    /// Display name (not empty, at most 191 characters).
    #[schema(min_length = 1, max_length = 191)]
    pub name: Option<String>,
    /// The new owner's user id.
    pub user: Option<i64>,
    /// Description; `null` stores `""`.
    pub description: Option<String>,
}

/// The body of `PATCH /servers/{id}/build` (Pterodactyl's `BuildModificationService`): the
/// fields sent change. Limits are read from `limits` when it is an object, else from the
/// top level.
#[derive(ToSchema)]
pub struct ServerBuildBody {
    /// The new primary allocation: one the server has, or one added in this request.
    pub allocation: Option<i64>,
    /// Disable the OOM killer.
    pub oom_disabled: Option<bool>,
    /// The limits, nested; when present, the flat keys below are ignored.
    pub limits: Option<ServerLimitsBody>,
    /// Memory in MB, flat form.
    #[schema(minimum = 0)]
    pub memory: Option<i64>,
    /// Swap in MB, flat form.
    #[schema(minimum = -1)]
    pub swap: Option<i64>,
    /// Disk in MB, flat form.
    #[schema(minimum = 0)]
    pub disk: Option<i64>,
    /// Block IO weight 10..1000, flat form.
    #[schema(minimum = 10, maximum = 1000)]
    pub io: Option<i64>,
    /// CPU percent, flat form.
    #[schema(minimum = 0)]
    pub cpu: Option<i64>,
    /// CPU pinning, flat form; `null` or `""` = any.
    #[schema(pattern = "^[0-9,-]*$")]
    pub threads: Option<String>,
    /// Allocations to add: free ones on the server's node (others are skipped).
    pub add_allocations: Option<Vec<i64>>,
    /// Allocations to free; removing the primary moves it to the first one added.
    pub remove_allocations: Option<Vec<i64>>,
    /// New feature limits; when sent, a missing `databases` or `backups` becomes 0 and a
    /// missing `allocations` `null`.
    pub feature_limits: Option<ServerFeatureLimitsBody>,
}

/// The body of `PATCH /servers/{id}/startup` (Pterodactyl's `StartupModificationService`):
/// the fields sent change. Every variable of the (new) egg is validated: the value sent,
/// else the server's current one, else the default.
#[derive(ToSchema)]
pub struct ServerStartupBody {
    /// The startup command (not empty).
    #[schema(min_length = 1)]
    pub startup: Option<String>,
    /// Values of the egg's variables by environment name.
    pub environment: Option<BTreeMap<String, Value>>,
    /// A new egg id (its nest follows; variables of the old egg are dropped).
    pub egg: Option<i64>,
    /// The Docker image (not empty; `^~?[\w./\-:@ ]*$`, at most 191 characters).
    #[schema(min_length = 1, max_length = 191)]
    pub image: Option<String>,
    /// The image under Pterodactyl's older name, read when `image` is absent.
    #[schema(min_length = 1, max_length = 191)]
    pub docker_image: Option<String>,
    /// Skip the egg's install script on reinstalls.
    pub skip_scripts: Option<bool>,
}

/// The short server form nests and eggs include (`include=servers`): a subset of
/// [`ServerAttributes`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerSummaryAttributes {
    /// Numeric id.
    pub id: i64,
    /// Id in an external system.
    #[schema(required = true)]
    pub external_id: Option<String>,
    /// UUID.
    #[schema(format = "uuid")]
    pub uuid: String,
    /// The first 8 characters of the UUID.
    pub identifier: String,
    /// Display name.
    pub name: String,
    /// Description.
    #[schema(required = true)]
    pub description: Option<String>,
    /// The owner's user id.
    pub user: i64,
    /// The node id.
    pub node: i64,
    /// Last update (Atom).
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Creation time (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
}

resource! {
    object: "server",
    attributes: ServerSummaryAttributes,
    item: ServerSummaryItem,
    list: ServerSummaryList,
    list_or_null: ServerSummaryListOrNull,
}

// ---- locations ---------------------------------------------------------------------------

/// A location (Pterodactyl's `LocationTransformer`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationAttributes {
    /// Numeric id.
    pub id: i64,
    /// Short code, unique.
    pub short: String,
    /// Description.
    #[schema(required = true)]
    pub long: Option<String>,
    /// Last update (Atom).
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Creation time (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Includes asked for with `include=`.
    #[schema(nullable = false, no_recursion)]
    pub relationships: Option<Box<LocationRelationships>>,
}

/// Includes of a location.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LocationRelationships {
    /// `include=nodes` (needs node read).
    #[schema(nullable = false)]
    pub nodes: Option<NodeListOrNull>,
    /// `include=servers` (needs server read).
    #[schema(nullable = false)]
    pub servers: Option<ServerListOrNull>,
}

resource! {
    object: "location",
    attributes: LocationAttributes,
    item: LocationItem,
    list: LocationList,
    page: LocationPage,
    item_or_null: LocationItemOrNull,
}

// ---- nodes -------------------------------------------------------------------------------

/// A node (Pterodactyl's application `NodeTransformer`): every column except the daemon
/// token and its id, plus `allocated_resources`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeAttributes {
    /// Numeric id.
    pub id: i64,
    /// UUID.
    #[schema(format = "uuid")]
    pub uuid: String,
    /// Whether automatic deployment may use the node.
    pub public: bool,
    /// Display name.
    pub name: String,
    /// Description.
    #[schema(required = true)]
    pub description: Option<String>,
    /// The location id.
    pub location_id: i64,
    /// The address wings is reached at.
    pub fqdn: String,
    /// `http` or `https`.
    pub scheme: String,
    /// Whether wings sits behind a TLS-terminating proxy.
    pub behind_proxy: bool,
    /// Whether the node is in maintenance.
    pub maintenance_mode: bool,
    /// Memory in MB.
    pub memory: i64,
    /// Memory overallocation in percent (-1 = no checks).
    pub memory_overallocate: i64,
    /// Disk in MB.
    pub disk: i64,
    /// Disk overallocation in percent (-1 = no checks).
    pub disk_overallocate: i64,
    /// Upload limit in MB.
    pub upload_size: i64,
    /// Wings' HTTP port.
    pub daemon_listen: i64,
    /// Wings' SFTP port.
    pub daemon_sftp: i64,
    /// Where wings keeps server volumes.
    pub daemon_base: String,
    /// Creation time (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last update (Atom).
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Memory and disk promised to the node's servers.
    pub allocated_resources: NodeAllocatedResources,
    /// Includes asked for with `include=`.
    #[schema(nullable = false, no_recursion)]
    pub relationships: Option<Box<NodeRelationships>>,
}

/// `allocated_resources` of a node.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeAllocatedResources {
    /// Memory in MB.
    pub memory: i64,
    /// Disk in MB.
    pub disk: i64,
}

/// Includes of a node.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeRelationships {
    /// `include=allocations` (needs allocation read).
    #[schema(nullable = false)]
    pub allocations: Option<AllocationListOrNull>,
    /// `include=location` (needs location read).
    #[schema(nullable = false)]
    pub location: Option<LocationItemOrNull>,
    /// `include=servers` (needs server read).
    #[schema(nullable = false)]
    pub servers: Option<ServerListOrNull>,
}

resource! {
    object: "node",
    attributes: NodeAttributes,
    item: NodeItem,
    list: NodeList,
    page: NodePage,
    item_or_null: NodeItemOrNull,
    list_or_null: NodeListOrNull,
}

/// The body of `POST /nodes` and `PATCH /nodes/{id}` (Pterodactyl's `StoreNodeRequest`).
/// On create, `name`, `location_id`, `fqdn`, `scheme`, `memory`, `memory_overallocate`,
/// `disk`, `disk_overallocate`, `daemon_listen` and `daemon_sftp` are required; on update,
/// only the fields sent change.
#[derive(ToSchema)]
pub struct NodeBody {
    /// Display name (letters, digits, `_`, `-`, `.` and spaces; at most 100 characters).
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// The location id.
    pub location_id: Option<i64>,
    /// The address wings is reached at.
    pub fqdn: Option<String>,
    /// `http` or `https` (default `https`).
    pub scheme: Option<String>,
    /// Whether wings sits behind a TLS-terminating proxy.
    pub behind_proxy: Option<bool>,
    /// Whether automatic deployment may use the node (default true).
    pub public: Option<bool>,
    /// Whether the node is in maintenance.
    pub maintenance_mode: Option<bool>,
    /// Memory in MB (at least 1).
    #[schema(minimum = 1)]
    pub memory: Option<i64>,
    /// Memory overallocation in percent (at least -1).
    #[schema(minimum = -1)]
    pub memory_overallocate: Option<i64>,
    /// Disk in MB (at least 1).
    #[schema(minimum = 1)]
    pub disk: Option<i64>,
    /// Disk overallocation in percent (at least -1).
    #[schema(minimum = -1)]
    pub disk_overallocate: Option<i64>,
    /// Upload limit in MB, 1..1024 (default 100).
    #[schema(minimum = 1, maximum = 1024)]
    pub upload_size: Option<i64>,
    /// Wings' HTTP port (default 8080).
    #[schema(minimum = 1, maximum = 65535)]
    pub daemon_listen: Option<i64>,
    /// Wings' SFTP port (default 2022).
    #[schema(minimum = 1, maximum = 65535)]
    pub daemon_sftp: Option<i64>,
    /// Where wings keeps server volumes (default `/var/lib/pterodactyl/volumes`).
    pub daemon_base: Option<String>,
    /// `PATCH` only: `true` replaces the daemon token.
    pub reset_secret: Option<bool>,
}

/// `GET /nodes/{id}/configuration`: the node's wings `config.yml` as JSON (not enveloped).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeConfiguration {
    /// Always `false`.
    pub debug: bool,
    /// The node's UUID.
    #[schema(format = "uuid")]
    pub uuid: String,
    /// The daemon token id.
    pub token_id: String,
    /// The daemon token.
    pub token: String,
    /// `api:`.
    pub api: NodeConfigurationApi,
    /// `system:`.
    pub system: NodeConfigurationSystem,
    /// Host paths servers may mount.
    pub allowed_mounts: Vec<String>,
    /// The panel URL wings calls back.
    pub remote: String,
}

/// `api:` of a [`NodeConfiguration`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeConfigurationApi {
    /// Listen address.
    pub host: String,
    /// Listen port.
    pub port: i64,
    /// TLS.
    pub ssl: NodeConfigurationSsl,
    /// Upload limit in MB.
    pub upload_limit: i64,
}

/// `api.ssl:` of a [`NodeConfiguration`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeConfigurationSsl {
    /// Whether wings serves TLS itself.
    pub enabled: bool,
    /// Certificate path.
    pub cert: String,
    /// Key path.
    pub key: String,
}

/// `system:` of a [`NodeConfiguration`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeConfigurationSystem {
    /// Where server volumes live.
    pub data: String,
    /// `system.sftp:`.
    pub sftp: NodeConfigurationSftp,
}

/// `system.sftp:` of a [`NodeConfiguration`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeConfigurationSftp {
    /// SFTP port.
    pub bind_port: i64,
}

// ---- allocations -------------------------------------------------------------------------

/// An allocation (Pterodactyl's application `AllocationTransformer`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationAttributes {
    /// Numeric id.
    pub id: i64,
    /// The IP address.
    pub ip: String,
    /// Display alias of the IP.
    #[schema(required = true)]
    pub alias: Option<String>,
    /// The port.
    pub port: i64,
    /// Notes.
    #[schema(required = true)]
    pub notes: Option<String>,
    /// Whether a server uses it.
    pub assigned: bool,
    /// Includes asked for with `include=`.
    #[schema(nullable = false, no_recursion)]
    pub relationships: Option<Box<AllocationRelationships>>,
}

/// Includes of an allocation.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllocationRelationships {
    /// `include=node` (needs node read).
    #[schema(nullable = false)]
    pub node: Option<NodeItemOrNull>,
    /// `include=server` (needs server read; a null resource for a free allocation).
    #[schema(nullable = false)]
    pub server: Option<ServerItemOrNull>,
}

resource! {
    object: "allocation",
    attributes: AllocationAttributes,
    item: AllocationItem,
    list: AllocationList,
    page: AllocationPage,
    list_or_null: AllocationListOrNull,
}

/// The body of `POST /nodes/{id}/allocations`.
#[derive(ToSchema)]
pub struct AllocationBody {
    /// An IP address, an IPv4 CIDR from /25 to /32, or a hostname (resolved).
    pub ip: String,
    /// Display alias of the IP (at most 191 characters).
    pub alias: Option<String>,
    /// Ports (`"25565"`) and ranges (`"25565-25570"`, at most 1000 ports), each above 1024;
    /// integers are accepted too.
    #[schema(min_items = 1)]
    pub ports: Vec<String>,
}

// ---- nests and eggs ----------------------------------------------------------------------

/// A nest: Pterodactyl's `Nest::toArray()`, timestamps in Laravel's format
/// (`2024-01-15T10:26:32.000000Z`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NestAttributes {
    /// Numeric id.
    pub id: i64,
    /// UUID.
    #[schema(format = "uuid")]
    pub uuid: String,
    /// Author, usually an e-mail address.
    pub author: String,
    /// Display name.
    pub name: String,
    /// Description.
    #[schema(required = true)]
    pub description: Option<String>,
    /// Creation time (Laravel format).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last update (Laravel format).
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Includes asked for with `include=`.
    #[schema(nullable = false, no_recursion)]
    pub relationships: Option<Box<NestRelationships>>,
}

/// Includes of a nest.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NestRelationships {
    /// `include=eggs` (needs egg read).
    #[schema(nullable = false)]
    pub eggs: Option<EggListOrNull>,
    /// `include=servers` (needs server read), in the short server form.
    #[schema(nullable = false)]
    pub servers: Option<ServerSummaryListOrNull>,
}

resource! {
    object: "nest",
    attributes: NestAttributes,
    item: NestItem,
    list: NestList,
    page: NestPage,
    item_or_null: NestItemOrNull,
}

/// An egg (Pterodactyl's application `EggTransformer`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EggAttributes {
    /// Numeric id.
    pub id: i64,
    /// UUID.
    #[schema(format = "uuid")]
    pub uuid: String,
    /// Display name.
    pub name: String,
    /// The nest id.
    pub nest: i64,
    /// Author.
    pub author: String,
    /// Description.
    #[schema(required = true)]
    pub description: Option<String>,
    /// The default image (the first of `docker_images`).
    #[schema(required = true)]
    pub docker_image: Option<String>,
    /// Display label → image, the default first.
    pub docker_images: BTreeMap<String, String>,
    /// The process configuration.
    pub config: EggConfig,
    /// The startup command.
    #[schema(required = true)]
    pub startup: Option<String>,
    /// The install script.
    pub script: EggScript,
    /// Creation time (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last update (Atom).
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Includes asked for with `include=`.
    #[schema(nullable = false, no_recursion)]
    pub relationships: Option<Box<EggRelationships>>,
}

/// `config` of an egg.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EggConfig {
    /// Config files to edit before each start (`{}` when none).
    pub files: BTreeMap<String, Value>,
    /// Startup detection (`{"done": ...}`; `{}` when none).
    pub startup: BTreeMap<String, Value>,
    /// The stop command or signal.
    #[schema(required = true)]
    pub stop: Option<String>,
    /// Log settings (`{}` when none).
    pub logs: BTreeMap<String, Value>,
    /// Paths users may not touch.
    pub file_denylist: Vec<String>,
    /// The egg this one inherits its config from.
    #[schema(required = true)]
    pub extends: Option<i64>,
}

/// `script` of an egg.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EggScript {
    /// Whether the install script runs privileged.
    pub privileged: bool,
    /// The install script.
    #[schema(required = true)]
    pub install: Option<String>,
    /// The program that runs it.
    pub entry: String,
    /// The image it runs in.
    pub container: String,
    /// The egg whose install script this one uses.
    #[schema(required = true)]
    pub extends: Option<i64>,
}

/// Includes of an egg.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EggRelationships {
    /// `include=nest` (needs nest read).
    #[schema(nullable = false)]
    pub nest: Option<NestItemOrNull>,
    /// `include=servers` (needs server read), in the short server form.
    #[schema(nullable = false)]
    pub servers: Option<ServerSummaryListOrNull>,
    /// `include=variables` (needs egg read).
    #[schema(nullable = false)]
    pub variables: Option<EggVariableListOrNull>,
    /// `include=config`: the inherited config, or a null resource when the egg has its own.
    #[schema(nullable = false)]
    pub config: Option<EggConfigIncludeOrNull>,
    /// `include=script`: the copied install script, or a null resource when the egg has
    /// its own.
    #[schema(nullable = false)]
    pub script: Option<EggScriptIncludeOrNull>,
}

resource! {
    object: "egg",
    attributes: EggAttributes,
    item: EggItem,
    list: EggList,
    item_or_null: EggItemOrNull,
    list_or_null: EggListOrNull,
}

/// An egg variable: Pterodactyl's `EggVariable::toArray()`, timestamps in Laravel's format.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EggVariableAttributes {
    /// Numeric id.
    pub id: i64,
    /// The egg id.
    pub egg_id: i64,
    /// Display name.
    pub name: String,
    /// Help text (`""` when none).
    pub description: String,
    /// The environment variable it sets.
    pub env_variable: String,
    /// Default value (`""` when none).
    pub default_value: String,
    /// Whether users can see it.
    pub user_viewable: bool,
    /// Whether users can change it.
    pub user_editable: bool,
    /// Laravel validation rules, one pipe string (`""` when none).
    pub rules: String,
    /// Creation time (Laravel format).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last update (Laravel format).
    #[schema(format = DateTime)]
    pub updated_at: String,
}

resource! {
    object: "egg_variable",
    attributes: EggVariableAttributes,
    item: EggVariableItem,
    list: EggVariableList,
    list_or_null: EggVariableListOrNull,
}

/// `include=config` of an egg that inherits its config: `{"object": null, "attributes":
/// {...}}` with the effective blocks.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EggConfigInclude {
    /// Always `null`.
    #[schema(schema_with = anonymous_object)]
    pub object: (),
    /// The effective config.
    pub attributes: EggConfigIncludeAttributes,
}

/// `attributes` of an [`EggConfigInclude`]: each block decoded from the egg or its parent.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EggConfigIncludeAttributes {
    /// Config files (any JSON; `null` when neither egg has them).
    pub files: Value,
    /// Startup detection (any JSON; `null` when neither egg has it).
    pub startup: Value,
    /// The stop command.
    #[schema(required = true)]
    pub stop: Option<String>,
    /// Log settings (any JSON; `null` when neither egg has them).
    pub logs: Value,
}

/// `include=config`: an [`EggConfigInclude`], or a null resource.
#[derive(ToSchema)]
#[serde(untagged)]
pub enum EggConfigIncludeOrNull {
    /// The inherited config.
    Config(Box<EggConfigInclude>),
    /// The egg has its own config.
    Null(NullResource),
}

/// `include=script` of an egg that copies another's install script.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EggScriptInclude {
    /// Always `null`.
    #[schema(schema_with = anonymous_object)]
    pub object: (),
    /// The effective script.
    pub attributes: EggScriptIncludeAttributes,
}

/// `attributes` of an [`EggScriptInclude`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EggScriptIncludeAttributes {
    /// Whether the script runs privileged (the egg's own setting).
    pub privileged: bool,
    /// The script.
    #[schema(required = true)]
    pub install: Option<String>,
    /// The program that runs it.
    pub entry: String,
    /// The image it runs in.
    pub container: String,
}

/// `include=script`: an [`EggScriptInclude`], or a null resource.
#[derive(ToSchema)]
#[serde(untagged)]
pub enum EggScriptIncludeOrNull {
    /// The copied script.
    Script(Box<EggScriptInclude>),
    /// The egg has its own script.
    Null(NullResource),
}

/// `GET /nests/{id}/eggs/{egg}/export`: the egg as a PTDL_v2 document.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EggExport {
    /// The do-not-edit banner.
    #[serde(rename = "_comment")]
    pub comment: String,
    /// Format version and update URL.
    pub meta: EggExportMeta,
    /// When the export was made (Atom).
    #[schema(format = DateTime)]
    pub exported_at: String,
    /// Display name.
    pub name: String,
    /// Author.
    pub author: String,
    /// Description.
    #[schema(required = true)]
    pub description: Option<String>,
    /// Feature flags.
    pub features: Vec<String>,
    /// Display label → image, the default first.
    pub docker_images: BTreeMap<String, String>,
    /// Paths users may not touch.
    pub file_denylist: Vec<String>,
    /// The startup command.
    pub startup: String,
    /// The process configuration, as JSON-encoded strings.
    pub config: EggExportConfig,
    /// The install script.
    pub scripts: EggExportScripts,
    /// The variables, in display order.
    pub variables: Vec<EggExportVariable>,
}

/// `meta` of an [`EggExport`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EggExportMeta {
    /// Always `PTDL_v2`.
    pub version: String,
    /// Where updated versions are published.
    #[schema(required = true)]
    pub update_url: Option<String>,
}

/// `config` of an [`EggExport`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EggExportConfig {
    /// `config.files`, JSON-encoded.
    pub files: String,
    /// `config.startup`, JSON-encoded.
    pub startup: String,
    /// `config.logs`, JSON-encoded.
    pub logs: String,
    /// The stop command.
    pub stop: String,
}

/// `scripts` of an [`EggExport`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EggExportScripts {
    /// `scripts.installation`.
    pub installation: EggExportInstallation,
}

/// `scripts.installation` of an [`EggExport`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EggExportInstallation {
    /// The script.
    pub script: String,
    /// The image it runs in.
    pub container: String,
    /// The program that runs it.
    pub entrypoint: String,
}

/// One variable of an [`EggExport`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EggExportVariable {
    /// Display name.
    pub name: String,
    /// Help text.
    pub description: String,
    /// The environment variable.
    pub env_variable: String,
    /// Default value.
    pub default_value: String,
    /// Whether users can see it.
    pub user_viewable: bool,
    /// Whether users can change it.
    pub user_editable: bool,
    /// Laravel rules, one pipe string.
    pub rules: String,
    /// Always `text`.
    pub field_type: String,
}

// ---- databases ---------------------------------------------------------------------------

/// A server database (Pterodactyl's application `ServerDatabaseTransformer`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerDatabaseAttributes {
    /// Numeric id.
    pub id: i64,
    /// The server id.
    pub server: i64,
    /// The database host id.
    pub host: i64,
    /// The database's name on the host (`s{server}_{name}`).
    pub database: String,
    /// The account created for it.
    pub username: String,
    /// Where the account may connect from (`%`).
    pub remote: String,
    /// The account's connection limit (`null` = the host default).
    #[schema(required = true)]
    pub max_connections: Option<i64>,
    /// Creation time (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last update (Atom).
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Includes asked for with `include=`.
    #[schema(nullable = false, no_recursion)]
    pub relationships: Option<Box<ServerDatabaseRelationships>>,
}

/// Includes of a server database.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerDatabaseRelationships {
    /// `include=password`.
    #[schema(nullable = false)]
    pub password: Option<DatabasePasswordItem>,
    /// `include=host` (needs database host read).
    #[schema(nullable = false)]
    pub host: Option<DatabaseHostItemOrNull>,
}

resource! {
    object: "server_database",
    attributes: ServerDatabaseAttributes,
    item: ServerDatabaseItem,
    list: ServerDatabaseList,
    list_or_null: ServerDatabaseListOrNull,
}

/// `attributes` of a `database_password` item.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DatabasePasswordAttributes {
    /// The account's password, in clear.
    pub password: String,
}

resource! {
    object: "database_password",
    attributes: DatabasePasswordAttributes,
    item: DatabasePasswordItem,
    list: DatabasePasswordList,
}

/// A database host: `id, name, host, port, username, max_databases, node` and the
/// timestamps (never the password).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DatabaseHostAttributes {
    /// Numeric id.
    pub id: i64,
    /// Display name (unique).
    pub name: String,
    /// The address clients connect to.
    pub host: String,
    /// Port.
    pub port: i64,
    /// The administrative account the panel uses.
    pub username: String,
    /// Most databases the host may hold (`null` = no limit).
    #[schema(required = true)]
    pub max_databases: Option<i64>,
    /// The linked node id.
    #[schema(required = true)]
    pub node: Option<i64>,
    /// Creation time (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last update (Atom).
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Includes asked for with `include=`.
    #[schema(nullable = false, no_recursion)]
    pub relationships: Option<Box<DatabaseHostRelationships>>,
}

/// Includes of a database host.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DatabaseHostRelationships {
    /// `include=databases` (needs server database read).
    #[schema(nullable = false)]
    pub databases: Option<ServerDatabaseListOrNull>,
}

resource! {
    object: "database_host",
    attributes: DatabaseHostAttributes,
    item: DatabaseHostItem,
    list: DatabaseHostList,
    page: DatabaseHostPage,
    item_or_null: DatabaseHostItemOrNull,
}

// ---- health ------------------------------------------------------------------------------

/// `GET /api/health`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthReport {
    /// `ok` or `degraded`.
    pub status: String,
    /// Always `panel`.
    pub service: String,
    /// The running Aerie version.
    pub version: String,
    /// Each dependency checked, by name (`database`, `docker`).
    pub checks: BTreeMap<String, HealthCheck>,
}

/// One check of a [`HealthReport`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthCheck {
    /// Whether the dependency answered.
    pub ok: bool,
    /// How long the check took, in milliseconds.
    pub latency_ms: u64,
    /// What the dependency is (`sqlite`, `postgres`).
    #[schema(nullable = false)]
    pub detail: Option<String>,
    /// Why it failed.
    #[schema(nullable = false)]
    pub error: Option<String>,
}

// ---- remote API (wings → panel) ----------------------------------------------------------

/// `GET /api/remote/servers`: a Laravel resource-collection page of the node's servers.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteServerPage {
    /// The servers on this page.
    pub data: Vec<RemoteServerListItem>,
    /// Page links.
    pub links: RemotePageLinks,
    /// Page facts.
    pub meta: RemotePageMeta,
}

/// `links` of a [`RemoteServerPage`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemotePageLinks {
    /// The first page.
    pub first: String,
    /// The last page.
    pub last: String,
    /// The previous page.
    #[schema(required = true)]
    pub prev: Option<String>,
    /// The next page.
    #[schema(required = true)]
    pub next: Option<String>,
}

/// `meta` of a [`RemoteServerPage`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemotePageMeta {
    /// This page, from 1.
    pub current_page: u64,
    /// Index of the first item on the page, from 1 (`null` when empty).
    #[schema(required = true)]
    pub from: Option<u64>,
    /// The last page.
    pub last_page: u64,
    /// Always empty.
    pub links: Vec<Value>,
    /// The list's URL.
    pub path: String,
    /// Page size.
    pub per_page: u64,
    /// Index of the last item on the page (`null` when empty).
    #[schema(required = true)]
    pub to: Option<u64>,
    /// Servers on the node.
    pub total: u64,
}

/// One server of a [`RemoteServerPage`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteServerListItem {
    /// Server UUID.
    pub uuid: String,
    /// Settings.
    pub settings: RemoteServerSettings,
    /// Process configuration.
    pub process_configuration: RemoteProcessConfiguration,
}

/// `GET /api/remote/servers/{uuid}`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteServerDocument {
    /// Settings.
    pub settings: RemoteServerSettings,
    /// Process configuration.
    pub process_configuration: RemoteProcessConfiguration,
}

/// The server `settings` document wings runs a server from.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteServerSettings {
    /// Server UUID.
    pub uuid: String,
    /// Name and description.
    pub meta: RemoteServerMeta,
    /// Suspended servers cannot start.
    pub suspended: bool,
    /// Container environment (strings, numbers, booleans or null).
    pub environment: BTreeMap<String, Value>,
    /// The startup command with `{{VAR}}` placeholders.
    pub invocation: String,
    /// Skip the egg install script.
    pub skip_egg_scripts: bool,
    /// Resource limits.
    pub build: RemoteBuildLimits,
    /// Container image.
    pub container: RemoteContainerSettings,
    /// Ports.
    pub allocations: RemoteAllocations,
    /// Extra mounts.
    pub mounts: Vec<RemoteMount>,
    /// Egg facts.
    pub egg: RemoteEggSettings,
    /// Docker labels.
    pub labels: BTreeMap<String, String>,
    /// Whether crash detection restarts the server.
    pub crash_detection_enabled: bool,
}

/// `settings.meta`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteServerMeta {
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
}

/// `settings.build`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteBuildLimits {
    /// Memory in MB (0 = unlimited).
    pub memory_limit: i64,
    /// Swap in MB (-1 = unlimited).
    pub swap: i64,
    /// Block IO weight.
    pub io_weight: i64,
    /// CPU percent of one core (0 = unlimited).
    pub cpu_limit: i64,
    /// Cpuset.
    #[schema(required = true)]
    pub threads: Option<String>,
    /// Disk in MB (0 = unlimited).
    pub disk_space: i64,
    /// Disable the OOM killer.
    pub oom_disabled: bool,
}

/// `settings.container`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteContainerSettings {
    /// Image reference.
    pub image: String,
    /// Legacy duplicate of `build.oom_disabled`.
    pub oom_disabled: bool,
    /// The container must be recreated before the next start.
    pub requires_rebuild: bool,
}

/// `settings.allocations`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteAllocations {
    /// Route outgoing traffic through the default IP.
    pub force_outgoing_ip: bool,
    /// The primary allocation.
    pub default: RemoteAllocation,
    /// IP → ports.
    pub mappings: BTreeMap<String, Vec<u16>>,
}

/// One IP and port.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteAllocation {
    /// IP.
    pub ip: String,
    /// Port.
    pub port: u16,
}

/// A bind mount.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteMount {
    /// Host path.
    pub source: String,
    /// Container path.
    pub target: String,
    /// Read-only.
    pub read_only: bool,
}

/// `settings.egg`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteEggSettings {
    /// Egg UUID.
    pub id: String,
    /// Paths users may not touch.
    pub file_denylist: Vec<String>,
}

/// `process_configuration`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteProcessConfiguration {
    /// Startup detection.
    pub startup: RemoteStartupConfig,
    /// How to stop.
    pub stop: RemoteStopConfig,
    /// Config files to edit before each start.
    pub configs: Vec<RemoteConfigFile>,
}

/// `process_configuration.startup`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteStartupConfig {
    /// Lines meaning "started".
    pub done: Vec<String>,
    /// Unused by wings.
    pub user_interaction: Vec<String>,
    /// Strip ANSI escapes before matching.
    pub strip_ansi: bool,
}

/// `process_configuration.stop`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteStopConfig {
    /// `command` or `signal`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The command or signal name.
    pub value: String,
}

/// One config file edit.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteConfigFile {
    /// Path relative to the server root.
    pub file: String,
    /// `properties`, `file`, `yaml`, `yml`, `json`, `ini` or `xml`.
    pub parser: String,
    /// The replacements.
    pub replace: Vec<RemoteConfigReplace>,
}

/// One replacement of a [`RemoteConfigFile`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteConfigReplace {
    /// The key or path.
    #[serde(rename = "match")]
    pub matcher: String,
    /// Replace only when the current value equals this.
    #[schema(nullable = false)]
    pub if_value: Option<String>,
    /// The new value (string, number or boolean).
    pub replace_with: Value,
}

/// `GET /api/remote/servers/{uuid}/install`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoteInstallScript {
    /// Installer image.
    pub container_image: String,
    /// Entrypoint (`bash`, `ash`).
    pub entrypoint: String,
    /// The script.
    pub script: String,
}

/// `POST /api/remote/servers/{uuid}/install`.
#[derive(ToSchema)]
pub struct RemoteInstallStatus {
    /// Whether the install succeeded.
    pub successful: bool,
    /// Whether it was a reinstall.
    pub reinstall: bool,
}

/// `POST /api/remote/activity`.
#[derive(ToSchema)]
pub struct RemoteActivityBatch {
    /// The entries.
    pub data: Vec<RemoteActivityEntry>,
}

/// One entry of a [`RemoteActivityBatch`].
#[derive(ToSchema)]
pub struct RemoteActivityEntry {
    /// The acting user's UUID, if a user acted.
    #[schema(required = true)]
    pub user: Option<String>,
    /// Server UUID.
    pub server: String,
    /// `server:...` event name.
    pub event: String,
    /// Free-form facts.
    #[schema(required = true)]
    pub metadata: Option<Value>,
    /// Client IP.
    pub ip: String,
    /// RFC 3339 time.
    #[schema(format = DateTime)]
    pub timestamp: String,
}

/// `POST /api/remote/backups/{uuid}`: how a backup ended.
#[derive(ToSchema)]
pub struct RemoteBackupStatus {
    /// Whether the archive was made.
    pub successful: bool,
    /// Hex digest of the archive (empty on failure).
    pub checksum: String,
    /// The digest algorithm (`sha256`; Pterodactyl Wings sends `sha1`).
    pub checksum_type: String,
    /// Archive size in bytes.
    pub size: u64,
    /// Uploaded parts (S3 only).
    #[schema(nullable = false)]
    pub parts: Option<Vec<RemoteBackupPart>>,
}

/// One uploaded part of an S3 backup.
#[derive(ToSchema)]
pub struct RemoteBackupPart {
    /// The part's `ETag`.
    pub etag: String,
    /// 1-based part number.
    pub part_number: u32,
}

/// `GET /api/remote/backups/{uuid}?size=`: where wings uploads an S3 backup's parts.
#[derive(ToSchema)]
pub struct BackupUploadParts {
    /// One presigned `UploadPart` URL per part, in part order.
    pub parts: Vec<String>,
    /// The size of every part but the last, in bytes.
    pub part_size: u64,
}

/// `POST /api/remote/backups/{uuid}/restore`.
#[derive(ToSchema)]
pub struct RemoteRestoreStatus {
    /// Whether the restore completed.
    pub successful: bool,
}

/// `POST /api/remote/sftp/auth`.
#[derive(ToSchema)]
pub struct SftpAuthRequest {
    /// `password` or `public_key`.
    #[serde(rename = "type")]
    pub kind: SftpAuthKind,
    /// `<panel username>.<server short id>`.
    pub username: String,
    /// The password, or the key as an `authorized_keys` line.
    pub password: String,
    /// The client's IP address.
    pub ip: String,
    /// An identifier of the SSH connection.
    pub session_id: String,
    /// The client's SSH identification string.
    pub client_version: String,
}

/// How an SFTP user proved who they are.
#[derive(ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SftpAuthKind {
    /// An account password.
    Password,
    /// A public key.
    PublicKey,
}

/// The answer to a valid SFTP login.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SftpAuthResponse {
    /// The user's UUID.
    pub user: String,
    /// The server's UUID.
    pub server: String,
    /// The user's permissions on the server (`["*"]` for the owner and administrators).
    pub permissions: Vec<String>,
}

// ---- client API --------------------------------------------------------------------------

fn bool_const(value: bool, description: &str) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Boolean)
        .enum_values(Some([value]))
        .description(Some(description))
        .build()
}

fn always_true() -> Object {
    bool_const(true, "Always `true`.")
}

fn always_false() -> Object {
    bool_const(false, "Always `false`.")
}

/// One client API resource: its item envelope (never with `meta`), and optionally its
/// unpaginated list, its paginated list and its `*OrNull` union for includes.
macro_rules! client_resource {
    (
        object: $object:tt,
        attributes: $Attr:ident,
        item: $Item:ident,
        $(list: $List:ident,)?
        $(page: $Page:ident,)?
        $(item_or_null: $ItemOrNull:ident,)?
    ) => {
        #[doc = concat!("A `", $object, "` item of the client API: `{\"object\": \"", $object, "\", \"attributes\": {...}}`.")]
        #[derive(ToSchema)]
        #[schema(description = concat!("A `", $object, "` item."))]
        #[serde(deny_unknown_fields)]
        pub struct $Item {
            /// The resource name.
            #[schema(schema_with = $Item::object_schema)]
            pub object: String,
            /// The resource's fields.
            pub attributes: $Attr,
        }

        impl $Item {
            fn object_schema() -> Object {
                string_const($object, concat!("Always `", $object, "`."))
            }
        }

        $(
            #[doc = concat!("A list of `", $object, "` items, not paginated.")]
            #[derive(ToSchema)]
            #[schema(description = concat!("A list of `", $object, "` items, not paginated."))]
            #[serde(deny_unknown_fields)]
            pub struct $List {
                /// The resource name of a collection.
                #[schema(schema_with = list_object)]
                pub object: String,
                /// The items.
                pub data: Vec<$Item>,
            }
        )?

        $(
            #[doc = concat!("A page of `", $object, "` items with `meta.pagination`.")]
            #[derive(ToSchema)]
            #[schema(description = concat!("A page of `", $object, "` items with `meta.pagination`."))]
            #[serde(deny_unknown_fields)]
            pub struct $Page {
                /// The resource name of a collection.
                #[schema(schema_with = list_object)]
                pub object: String,
                /// The items on this page.
                pub data: Vec<$Item>,
                /// Pagination facts.
                pub meta: PaginationMeta,
            }
        )?

        $(
            #[doc = concat!("An included `", $object, "` item, or a null resource when it may not be shown or does not exist.")]
            #[derive(ToSchema)]
            #[serde(untagged)]
            pub enum $ItemOrNull {
                /// The related item.
                Item(Box<$Item>),
                /// Not shown, or there is none.
                Null(NullResource),
            }
        )?
    };
}

// ---- client API: the account -------------------------------------------------------------

/// The signed-in account (Pterodactyl's client `AccountTransformer`,
/// `services::account::account_attributes`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountAttributes {
    /// Numeric id.
    pub id: i64,
    /// Whether the user is a root administrator.
    pub admin: bool,
    /// Username.
    pub username: String,
    /// E-mail address.
    pub email: String,
    /// First name (`""` when none).
    pub first_name: String,
    /// Last name (`""` when none).
    pub last_name: String,
    /// UI language code.
    pub language: String,
}

client_resource! {
    object: "user",
    attributes: AccountAttributes,
    item: AccountItem,
}

/// Another user as the client API shows them (Pterodactyl's client `UserTransformer`,
/// `services::account::actor_attributes`): an activity entry's `actor`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientUserAttributes {
    /// Public UUID.
    #[schema(format = "uuid")]
    pub uuid: String,
    /// Username.
    pub username: String,
    /// E-mail address.
    pub email: String,
    /// Gravatar URL of the e-mail address.
    #[schema(format = "uri")]
    pub image: String,
    /// Whether two-factor authentication is on.
    #[serde(rename = "2fa_enabled")]
    pub two_factor_enabled: bool,
    /// Creation time (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
}

client_resource! {
    object: "user",
    attributes: ClientUserAttributes,
    item: ClientUserItem,
    item_or_null: ClientUserItemOrNull,
}

/// `GET /account/two-factor`: `{"data": {...}}` (not a fractal envelope).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorSetup {
    /// The new secret.
    pub data: TwoFactorSetupData,
}

/// `data` of a [`TwoFactorSetup`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TwoFactorSetupData {
    /// The `otpauth://totp/...` URL authenticator apps read from a QR code.
    #[schema(format = "uri")]
    pub image_url_data: String,
    /// The base32 secret, for typing in by hand.
    pub secret: String,
}

/// `attributes` of a `recovery_tokens` item.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecoveryTokensAttributes {
    /// One-time tokens that stand in for a code at the login checkpoint; shown only now.
    pub tokens: Vec<String>,
}

client_resource! {
    object: "recovery_tokens",
    attributes: RecoveryTokensAttributes,
    item: RecoveryTokensItem,
}

/// A client API key (Pterodactyl's `ApiKeyTransformer`,
/// `services::account::api_key_attributes`); the secret is never shown again.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyAttributes {
    /// The key's public part (`ptlc_` + 11 characters); the bearer token is this followed
    /// by the secret.
    pub identifier: String,
    /// Description.
    #[schema(required = true)]
    pub description: Option<String>,
    /// Addresses and CIDR ranges the key may be used from (empty = anywhere).
    pub allowed_ips: Vec<String>,
    /// Last use (Atom); `null` when never used.
    #[schema(required = true, format = DateTime)]
    pub last_used_at: Option<String>,
    /// Creation time (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
}

client_resource! {
    object: "api_key",
    attributes: ApiKeyAttributes,
    item: ApiKeyItem,
    list: ApiKeyList,
}

/// `POST /account/api-keys`: the new key with its secret in `meta.secret_token`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeyCreated {
    /// Always `api_key`.
    #[schema(schema_with = ApiKeyItem::object_schema)]
    pub object: String,
    /// The key.
    pub attributes: ApiKeyAttributes,
    /// The secret.
    pub meta: ApiKeySecretMeta,
}

/// `meta` of an [`ApiKeyCreated`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiKeySecretMeta {
    /// The secret part of the key (32 characters), shown only now: the bearer token is
    /// `identifier` followed by it.
    pub secret_token: String,
}

/// An SSH public key of the account (Pterodactyl's `UserSSHKeyTransformer`,
/// `services::account::ssh_key_attributes`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SshKeyAttributes {
    /// Display name.
    pub name: String,
    /// `SHA256:` fingerprint (unpadded base64).
    pub fingerprint: String,
    /// The key as an `authorized_keys` line, without its comment.
    pub public_key: String,
    /// Creation time (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
}

client_resource! {
    object: "ssh_key",
    attributes: SshKeyAttributes,
    item: SshKeyItem,
    list: SshKeyList,
}

/// An activity log entry (Pterodactyl's `ActivityLogTransformer`,
/// `services::account::activity_attributes`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityLogAttributes {
    /// An opaque id (the SHA-1 of the row id, hex).
    #[schema(pattern = "^[0-9a-f]{40}$")]
    pub id: String,
    /// Entries written together share a batch id.
    #[schema(required = true)]
    pub batch: Option<String>,
    /// The event name (`auth:success`, `user:api-key.create`, `server:backup.start`).
    pub event: String,
    /// Whether the action was made with an API key.
    pub is_api: bool,
    /// The client's IP address.
    pub ip: String,
    /// A description, when the event has one.
    #[schema(required = true)]
    pub description: Option<String>,
    /// The event's facts (`{}` when none).
    pub properties: BTreeMap<String, Value>,
    /// Whether `properties` holds more than the event's description uses.
    pub has_additional_metadata: bool,
    /// When it happened (Atom).
    #[schema(format = DateTime)]
    pub timestamp: String,
    /// Includes asked for with `include=`.
    #[schema(nullable = false)]
    pub relationships: Option<ActivityLogRelationships>,
}

/// Includes of an activity log entry.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityLogRelationships {
    /// `include=actor`: the user who acted (a null resource when no user did, or the user
    /// is gone).
    #[schema(nullable = false)]
    pub actor: Option<ClientUserItemOrNull>,
}

client_resource! {
    object: "activity_log",
    attributes: ActivityLogAttributes,
    item: ActivityLogItem,
    page: ActivityLogPage,
}

// ---- client API: server subusers ---------------------------------------------------------

/// A subuser of a server (Pterodactyl's client `SubuserTransformer`,
/// `services::subusers::subuser_attributes`): the account's fields plus the permissions.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientSubuserAttributes {
    /// The account's UUID (the subuser's route id).
    #[schema(format = "uuid")]
    pub uuid: String,
    /// Username.
    pub username: String,
    /// E-mail address.
    pub email: String,
    /// Gravatar URL of the e-mail address.
    #[schema(format = "uri")]
    pub image: String,
    /// Whether the account has two-factor authentication on.
    #[serde(rename = "2fa_enabled")]
    pub two_factor_enabled: bool,
    /// When the account was created (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// The permission keys granted (`control.console`, `file.read`, ...; always with
    /// `websocket.connect`).
    pub permissions: Vec<String>,
}

client_resource! {
    object: "server_subuser",
    attributes: ClientSubuserAttributes,
    item: ClientSubuserItem,
    list: ClientSubuserList,
}

/// The body of `POST /servers/{server}/users`.
#[derive(ToSchema)]
pub struct SubuserCreateBody {
    /// The account's e-mail address; an account is created (and told by e-mail) when
    /// there is none.
    #[schema(format = "email", max_length = 191)]
    pub email: String,
    /// Permission keys to grant; each must be one the caller holds. Unknown keys are
    /// dropped and `websocket.connect` is always added.
    pub permissions: Vec<String>,
}

/// The body of `POST /servers/{server}/users/{user}`: the permissions replace the old ones.
#[derive(ToSchema)]
pub struct SubuserUpdateBody {
    /// Permission keys to grant; each must be one the caller holds.
    pub permissions: Vec<String>,
}

// ---- client API: backups -----------------------------------------------------------------

/// A backup (Pterodactyl's `BackupTransformer`, `services::backups::backup_attributes`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupAttributes {
    /// UUID (the backup's route id).
    #[schema(format = "uuid")]
    pub uuid: String,
    /// Whether the archive was made (`false` while running and after a failure).
    pub is_successful: bool,
    /// A locked backup cannot be deleted.
    pub is_locked: bool,
    /// Display name.
    pub name: String,
    /// Ignore patterns, one per entry.
    pub ignored_files: Vec<String>,
    /// `<algorithm>:<hex>` checksum of the archive; `null` until it is done.
    #[schema(required = true)]
    pub checksum: Option<String>,
    /// Archive size in bytes (0 until it is done).
    pub bytes: i64,
    /// Creation time (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// When wings reported the result (Atom); `null` while running.
    #[schema(required = true, format = DateTime)]
    pub completed_at: Option<String>,
}

client_resource! {
    object: "backup",
    attributes: BackupAttributes,
    item: BackupItem,
}

/// `GET /servers/{server}/backups`: a page of backups with `meta.backup_count`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupPage {
    /// The resource name of a collection.
    #[schema(schema_with = list_object)]
    pub object: String,
    /// The backups on this page, oldest first.
    pub data: Vec<BackupItem>,
    /// Pagination facts and the backup count.
    pub meta: BackupListMeta,
}

/// `meta` of a [`BackupPage`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupListMeta {
    /// The page facts.
    pub pagination: Pagination,
    /// Backups that count against the server's limit (every one not failed).
    pub backup_count: i64,
}

/// `attributes` of a `signed_url` item.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignedUrlAttributes {
    /// A wings URL with a signed token, valid 15 minutes and once.
    #[schema(format = "uri")]
    pub url: String,
}

client_resource! {
    object: "signed_url",
    attributes: SignedUrlAttributes,
    item: SignedUrlItem,
}

/// The body of `POST /servers/{server}/backups`; every field is optional.
#[derive(ToSchema)]
pub struct BackupCreateBody {
    /// Display name (at most 191 characters); default `Backup at <time>`.
    #[schema(max_length = 191)]
    pub name: Option<String>,
    /// Ignore patterns, one per line.
    pub ignored: Option<String>,
    /// Lock the backup (only honoured for users who may delete backups).
    pub is_locked: Option<bool>,
    /// `is_locked` as PteroJS sends it, read when `is_locked` is absent.
    #[serde(rename = "isLocked")]
    pub is_locked_camel: Option<bool>,
}

/// The body of `POST /servers/{server}/backups/{backup}/restore`.
#[derive(ToSchema)]
pub struct BackupRestoreBody {
    /// Delete every file of the server before restoring.
    pub truncate: bool,
}

// ---- client API: schedules ---------------------------------------------------------------

/// A schedule (Pterodactyl's `ScheduleTransformer`, `services::schedules::schedule_item`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleAttributes {
    /// Numeric id (the schedule's route id).
    pub id: i64,
    /// Display name.
    pub name: String,
    /// The cron fields.
    pub cron: ScheduleCron,
    /// Whether it runs on its own.
    pub is_active: bool,
    /// Whether a run is going on.
    pub is_processing: bool,
    /// Whether it only runs while the server is online.
    pub only_when_online: bool,
    /// The last run (Atom); `null` when it never ran.
    #[schema(required = true, format = DateTime)]
    pub last_run_at: Option<String>,
    /// The next run (Atom); `null` when the cron fields never fire.
    #[schema(required = true, format = DateTime)]
    pub next_run_at: Option<String>,
    /// Creation time (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last update (Atom).
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Always included: the tasks.
    pub relationships: ScheduleRelationships,
}

/// `cron` of a schedule.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleCron {
    /// Day-of-week field.
    pub day_of_week: String,
    /// Day-of-month field.
    pub day_of_month: String,
    /// Month field.
    pub month: String,
    /// Hour field.
    pub hour: String,
    /// Minute field.
    pub minute: String,
}

/// Includes of a schedule (always present).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleRelationships {
    /// The tasks, in run order.
    pub tasks: ScheduleTaskList,
}

client_resource! {
    object: "server_schedule",
    attributes: ScheduleAttributes,
    item: ScheduleItem,
    list: ScheduleList,
}

/// A schedule's task (Pterodactyl's `TaskTransformer`, `services::schedules::task_item`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleTaskAttributes {
    /// Numeric id (the task's route id).
    pub id: i64,
    /// Position in the run, from 1.
    pub sequence_id: i64,
    /// `command`, `power` or `backup`.
    pub action: String,
    /// The console line, the power signal, or the backup's ignore patterns.
    pub payload: String,
    /// Seconds to wait before it runs.
    pub time_offset: i64,
    /// Whether it waits to run.
    pub is_queued: bool,
    /// Whether the run goes on when it fails.
    pub continue_on_failure: bool,
    /// Creation time (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last update (Atom).
    #[schema(format = DateTime)]
    pub updated_at: String,
}

client_resource! {
    object: "schedule_task",
    attributes: ScheduleTaskAttributes,
    item: ScheduleTaskItem,
    list: ScheduleTaskList,
}

/// The body of `POST /servers/{server}/schedules[/{schedule}]` (create and update take the
/// same one). Booleans may be `0`/`1`; cron fields are checked (a bad one is a 422 naming
/// it).
#[derive(ToSchema)]
pub struct ScheduleBody {
    /// Display name.
    #[schema(max_length = 191)]
    pub name: String,
    /// Minute field.
    #[schema(max_length = 100)]
    pub minute: String,
    /// Hour field.
    #[schema(max_length = 100)]
    pub hour: String,
    /// Day-of-month field.
    #[schema(max_length = 100)]
    pub day_of_month: String,
    /// Month field (default `*`).
    #[schema(max_length = 100)]
    pub month: Option<String>,
    /// Day-of-week field.
    #[schema(max_length = 100)]
    pub day_of_week: String,
    /// Whether it runs on its own (default false).
    pub is_active: Option<bool>,
    /// Whether it only runs while the server is online (default false).
    pub only_when_online: Option<bool>,
}

/// What a task does.
#[derive(ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ScheduleTaskAction {
    /// Send `payload` to the console (needs `control.console`).
    Command,
    /// Send the power signal in `payload` (needs `control.start`, `.stop` or `.restart`).
    Power,
    /// Make a backup ignoring `payload`'s patterns (needs `backup.create`).
    Backup,
}

/// The body of `POST /servers/{server}/schedules/{schedule}/tasks[/{task}]`. Numbers may be
/// strings of digits and booleans `0`/`1`.
#[derive(ToSchema)]
pub struct ScheduleTaskBody {
    /// What the task does.
    pub action: ScheduleTaskAction,
    /// The console line, or `start`/`stop`/`restart`/`kill`; required unless `action` is
    /// `backup`.
    #[schema(max_length = 65535)]
    pub payload: Option<String>,
    /// Seconds to wait before it runs.
    #[schema(minimum = 0, maximum = 900)]
    pub time_offset: i64,
    /// Position in the run (later tasks move down); default last.
    #[schema(minimum = 1)]
    pub sequence_id: Option<i64>,
    /// Whether the run goes on when it fails (default false).
    pub continue_on_failure: Option<bool>,
}

// ---- client API: databases ---------------------------------------------------------------

/// A server database as the client API shows it (Pterodactyl's client
/// `DatabaseTransformer`, `services::databases::database_attributes_client`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientDatabaseAttributes {
    /// The database's client id: 8 characters of `[a-zA-Z0-9]` starting with a letter (the
    /// route id).
    pub id: String,
    /// Where to connect.
    pub host: ClientDatabaseHost,
    /// The database's name on the host (`s{server}_{name}`).
    pub name: String,
    /// The account created for it.
    pub username: String,
    /// Where the account may connect from (`%` = anywhere).
    pub connections_from: String,
    /// The account's connection limit (`null` = the host default).
    #[schema(required = true)]
    pub max_connections: Option<i64>,
    /// `include=password` (on the list; always on create and rotate).
    #[schema(nullable = false)]
    pub relationships: Option<ClientDatabaseRelationships>,
}

/// `host` of a client database.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientDatabaseHost {
    /// Host name or address.
    pub address: String,
    /// Port.
    pub port: i64,
}

/// Includes of a client database.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientDatabaseRelationships {
    /// The password, for users with `database.view_password`; a null resource for the
    /// others.
    pub password: ClientDatabasePasswordItemOrNull,
}

client_resource! {
    object: "server_database",
    attributes: ClientDatabaseAttributes,
    item: ClientDatabaseItem,
    list: ClientDatabaseList,
}

client_resource! {
    object: "database_password",
    attributes: DatabasePasswordAttributes,
    item: ClientDatabasePasswordItem,
    item_or_null: ClientDatabasePasswordItemOrNull,
}

/// The body of `POST /servers/{server}/databases`.
#[derive(ToSchema)]
pub struct ClientDatabaseBody {
    /// The name's suffix (letters, digits, `-` and `_`); stored as `s{server}_{database}`.
    #[schema(min_length = 3, max_length = 48, pattern = "^[A-Za-z0-9_-]+$")]
    pub database: String,
    /// Where the account may connect from: digits, `.` and `%` (`%` = anywhere).
    #[schema(min_length = 1, max_length = 15, pattern = "^[0-9.%]+$")]
    pub remote: String,
}

// ---- client API: servers ------------------------------------------------------------------

/// A server as the client API shows it (Pterodactyl's client `ServerTransformer`,
/// `services::client_servers::server_item`): what `GET /api/client` lists and
/// `GET /api/client/servers/{server}` shows.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientServerAttributes {
    /// Whether the user owns the server (not a subuser, or an administrator looking).
    pub server_owner: bool,
    /// The first 8 characters of the UUID: the server's route id.
    pub identifier: String,
    /// Numeric id.
    pub internal_id: i64,
    /// UUID (also a route id).
    #[schema(format = "uuid")]
    pub uuid: String,
    /// Display name.
    pub name: String,
    /// The node's name.
    pub node: String,
    /// Whether the node is in maintenance mode.
    pub is_node_under_maintenance: bool,
    /// Where to connect with SFTP.
    pub sftp_details: ClientServerSftpDetails,
    /// Description (`""` when there is none).
    pub description: String,
    /// Resource limits.
    pub limits: ServerLimits,
    /// The startup command with its placeholders filled in; the values of variables the
    /// user may not see (every variable without `startup.read`) read `[hidden]`.
    pub invocation: String,
    /// The Docker image.
    pub docker_image: String,
    /// The egg's feature flags (`eula`, `java_version`, ...); `null` when the egg sets
    /// none.
    #[schema(required = true)]
    pub egg_features: Option<Vec<String>>,
    /// What the owner may create.
    pub feature_limits: ServerFeatureLimits,
    /// `null`, `installing`, `install_failed`, `reinstall_failed`, `suspended` or
    /// `restoring_backup`.
    #[schema(required = true)]
    pub status: Option<String>,
    /// Whether the server is suspended.
    pub is_suspended: bool,
    /// Whether the install is running or failed (`installing`, `install_failed`).
    pub is_installing: bool,
    /// Whether the server is being moved to another node.
    pub is_transferring: bool,
    /// The default includes (`allocations`, `variables`) and the requested ones.
    pub relationships: ClientServerRelationships,
}

/// `sftp_details` of a client server.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientServerSftpDetails {
    /// The node's FQDN.
    pub ip: String,
    /// The node's SFTP port.
    pub port: i64,
}

/// Includes of a client server.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientServerRelationships {
    /// Always included: every allocation of the server with `allocation.read`, otherwise
    /// only the primary one, without its notes.
    pub allocations: ClientAllocationList,
    /// Always included: the variables users may see, with `startup.read`; a null resource
    /// without it.
    pub variables: ClientEggVariableListOrNull,
    /// `include=egg`: the egg's UUID and name (a null resource when the egg is gone).
    #[schema(nullable = false)]
    pub egg: Option<ClientEggItemOrNull>,
    /// `include=subusers`: the server's subusers, with `user.read`; a null resource
    /// without it.
    #[schema(nullable = false)]
    pub subusers: Option<ClientSubuserListOrNull>,
}

client_resource! {
    object: "server",
    attributes: ClientServerAttributes,
    item: ClientServerItem,
    page: ClientServerPage,
}

/// `GET /api/client/servers/{server}`: the server with the user's rights in `meta`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientServerDetail {
    /// Always `server`.
    #[schema(schema_with = ClientServerItem::object_schema)]
    pub object: String,
    /// The server.
    pub attributes: ClientServerAttributes,
    /// The user's rights on it.
    pub meta: ClientServerMeta,
}

/// `meta` of a [`ClientServerDetail`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientServerMeta {
    /// Whether the user owns the server.
    pub is_server_owner: bool,
    /// What the user may do: `["*"]` for the owner and administrators (administrators
    /// also get `admin.websocket.errors`, `admin.websocket.install` and
    /// `admin.websocket.transfer`), a subuser's permission keys otherwise.
    pub user_permissions: Vec<String>,
}

/// A server's egg as `include=egg` shows it.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientEggAttributes {
    /// The egg's UUID.
    #[schema(format = "uuid")]
    pub uuid: String,
    /// The egg's name.
    pub name: String,
}

client_resource! {
    object: "egg",
    attributes: ClientEggAttributes,
    item: ClientEggItem,
    item_or_null: ClientEggItemOrNull,
}

/// `include=subusers` of a client server: the subusers, or a null resource without
/// `user.read`.
#[derive(ToSchema)]
#[serde(untagged)]
pub enum ClientSubuserListOrNull {
    /// The subusers.
    List(Box<ClientSubuserList>),
    /// The user may not see them.
    Null(NullResource),
}

/// An allocation of a server as the client API shows it (Pterodactyl's client
/// `AllocationTransformer`, `services::client_servers::allocation_attributes`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientAllocationAttributes {
    /// Numeric id (the allocation's route id).
    pub id: i64,
    /// IP address.
    pub ip: String,
    /// Alias shown instead of the IP.
    #[schema(required = true)]
    pub ip_alias: Option<String>,
    /// Port.
    pub port: i64,
    /// The user's notes.
    #[schema(required = true)]
    pub notes: Option<String>,
    /// Whether it is the server's primary allocation.
    pub is_default: bool,
}

client_resource! {
    object: "allocation",
    attributes: ClientAllocationAttributes,
    item: ClientAllocationItem,
    list: ClientAllocationList,
}

/// A variable of a server as the client API shows it (Pterodactyl's client
/// `EggVariableTransformer`, `services::client_servers::egg_variable_attributes`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientEggVariableAttributes {
    /// Display name.
    pub name: String,
    /// Help text (`""` when none).
    pub description: String,
    /// The environment variable it sets (the `key` of `PUT startup/variable`).
    pub env_variable: String,
    /// The egg's default value.
    #[schema(required = true)]
    pub default_value: Option<String>,
    /// The server's value; `null` when it has none stored (the default applies).
    #[schema(required = true)]
    pub server_value: Option<String>,
    /// Whether the user may change it.
    pub is_editable: bool,
    /// Laravel validation rules, one pipe string (`""` when none).
    pub rules: String,
}

client_resource! {
    object: "egg_variable",
    attributes: ClientEggVariableAttributes,
    item: ClientEggVariableItem,
    list: ClientEggVariableList,
}

/// `relationships.variables` of a client server: the variables, or a null resource
/// without `startup.read`.
#[derive(ToSchema)]
#[serde(untagged)]
pub enum ClientEggVariableListOrNull {
    /// The variables users may see.
    List(Box<ClientEggVariableList>),
    /// The user may not see them.
    Null(NullResource),
}

/// `GET /servers/{server}/startup`: the variables users may see, with the startup
/// command and the egg's images.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartupVariableList {
    /// The resource name of a collection.
    #[schema(schema_with = list_object)]
    pub object: String,
    /// The variables, in the egg's order.
    pub data: Vec<ClientEggVariableItem>,
    /// The startup command and the images.
    pub meta: StartupListMeta,
}

/// `meta` of a [`StartupVariableList`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartupListMeta {
    /// The startup command with its placeholders filled in (hidden variables read
    /// `[hidden]`).
    pub startup_command: String,
    /// The egg's images the user may switch to: label → image.
    pub docker_images: BTreeMap<String, String>,
    /// The startup command with its `{{VARIABLE}}` placeholders.
    pub raw_startup_command: String,
}

/// `PUT /servers/{server}/startup/variable`: the variable with its new value, and the
/// startup command it leads to.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartupVariableUpdated {
    /// Always `egg_variable`.
    #[schema(schema_with = ClientEggVariableItem::object_schema)]
    pub object: String,
    /// The variable; `server_value` is the value as sent.
    pub attributes: ClientEggVariableAttributes,
    /// The startup command.
    pub meta: StartupVariableMeta,
}

/// `meta` of a [`StartupVariableUpdated`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartupVariableMeta {
    /// The startup command with the new value filled in.
    pub startup_command: String,
    /// The startup command with its `{{VARIABLE}}` placeholders.
    pub raw_startup_command: String,
}

/// A server's state and resource usage (Pterodactyl's `StatsTransformer`,
/// `services::client_servers::stats_attributes`), from wings' answer; a value wings
/// leaves out reads `stopped`, `false` or `0`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatsAttributes {
    /// The process state wings reports: `offline`, `starting`, `running` or `stopping`
    /// (`stopped` when wings gave none).
    pub current_state: String,
    /// Whether wings has the server suspended.
    pub is_suspended: bool,
    /// The usage.
    pub resources: StatsResources,
}

/// `resources` of a `stats` item.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatsResources {
    /// Memory in use, in bytes.
    pub memory_bytes: i64,
    /// CPU in percent of one core (200 = two cores busy).
    pub cpu_absolute: f64,
    /// Disk used by the server's files, in bytes.
    pub disk_bytes: i64,
    /// Bytes received.
    pub network_rx_bytes: i64,
    /// Bytes sent.
    pub network_tx_bytes: i64,
    /// Milliseconds since the process started (0 when it is not running).
    pub uptime: i64,
}

client_resource! {
    object: "stats",
    attributes: StatsAttributes,
    item: StatsItem,
}

/// A file or directory (Pterodactyl's `FileObjectTransformer`,
/// `services::client_servers::file_object_attributes`), from wings' file listing, which
/// always carries every field.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileObjectAttributes {
    /// The file name.
    pub name: String,
    /// The mode as `ls` prints it (`-rw-r--r--`, `drwxr-xr-x`).
    pub mode: String,
    /// The permission bits in octal (`644`).
    pub mode_bits: String,
    /// Size in bytes.
    pub size: i64,
    /// Whether it is a regular file (`false` for directories).
    pub is_file: bool,
    /// Whether it is a symbolic link.
    pub is_symlink: bool,
    /// MIME type (`inode/directory` for directories).
    pub mimetype: String,
    /// Creation time (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last change (Atom).
    #[schema(format = DateTime)]
    pub modified_at: String,
}

client_resource! {
    object: "file_object",
    attributes: FileObjectAttributes,
    item: FileObjectItem,
    list: FileObjectList,
}

/// A server's activity log entry (Pterodactyl's `ActivityLogTransformer`,
/// `services::client_servers::activity_attributes`): as [`ActivityLogAttributes`], but
/// `ip` is only shown to the user who acted and to administrators, and someone else's
/// `ip` property reads `[hidden]`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerActivityLogAttributes {
    /// An opaque id (the SHA-1 of the row id, hex).
    #[schema(pattern = "^[0-9a-f]{40}$")]
    pub id: String,
    /// Entries written together share a batch id.
    #[schema(required = true)]
    pub batch: Option<String>,
    /// The event name (`server:power.start`, `server:file.write`, ...).
    pub event: String,
    /// Whether the action was made with an API key.
    pub is_api: bool,
    /// The client's IP address; `null` unless the viewer acted or is an administrator.
    #[schema(required = true)]
    pub ip: Option<String>,
    /// A description, when the event has one.
    #[schema(required = true)]
    pub description: Option<String>,
    /// The event's facts (`{}` when none).
    pub properties: BTreeMap<String, Value>,
    /// Whether `properties` holds more than the event's description uses.
    pub has_additional_metadata: bool,
    /// When it happened (Atom).
    #[schema(format = DateTime)]
    pub timestamp: String,
    /// Includes asked for with `include=`.
    #[schema(nullable = false)]
    pub relationships: Option<ActivityLogRelationships>,
}

client_resource! {
    object: "activity_log",
    attributes: ServerActivityLogAttributes,
    item: ServerActivityLogItem,
    page: ServerActivityLogPage,
}

/// `attributes` of the `system_permissions` item.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SystemPermissionsAttributes {
    /// The permission groups by name (`websocket`, `control`, `user`, `file`, `backup`,
    /// `allocation`, `startup`, `database`, `schedule`, `settings`, `activity`).
    pub permissions: BTreeMap<String, PermissionGroup>,
}

/// One group of subuser permissions: a permission key is `<group>.<key>`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PermissionGroup {
    /// What the group is about.
    pub description: String,
    /// The group's keys and what each allows.
    pub keys: BTreeMap<String, String>,
}

client_resource! {
    object: "system_permissions",
    attributes: SystemPermissionsAttributes,
    item: SystemPermissionsItem,
}

/// `GET /servers/{server}/websocket`: `{"data": {...}}` (not a fractal envelope).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebsocketCredentials {
    /// The credentials.
    pub data: WebsocketCredentialsData,
}

/// `data` of [`WebsocketCredentials`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebsocketCredentialsData {
    /// A JWT for wings, valid 10 minutes: send it in an `auth` event after connecting.
    pub token: String,
    /// The socket's URL: `ws(s)://<node>/api/servers/<uuid>/ws`.
    #[schema(format = "uri")]
    pub socket: String,
}

/// 413: the request body is larger than the panel accepts.
#[derive(ToResponse)]
#[response(description = "`PostTooLargeException`: the request body is larger than the limit.")]
pub struct PayloadTooLarge(pub ErrorEnvelope);

/// The body of `POST /servers/{server}/command`.
#[derive(ToSchema)]
pub struct CommandBody {
    /// The console line to send.
    pub command: String,
}

/// A power signal.
#[derive(ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PowerSignal {
    /// Start the server (needs `control.start`).
    Start,
    /// Stop it gracefully (needs `control.stop`).
    Stop,
    /// Stop and start it (needs `control.restart`).
    Restart,
    /// Kill the process (needs `control.stop`).
    Kill,
}

/// The body of `POST /servers/{server}/power`.
#[derive(ToSchema)]
pub struct PowerBody {
    /// What to do.
    pub signal: PowerSignal,
}

/// The body of `POST /servers/{server}/settings/rename`.
#[derive(ToSchema)]
pub struct RenameServerBody {
    /// The new name.
    #[schema(max_length = 191)]
    pub name: String,
    /// The new description (`null` or `""` clears it); left alone when absent.
    pub description: Option<String>,
}

/// The body of `PUT /servers/{server}/settings/docker-image`.
#[derive(ToSchema)]
pub struct DockerImageBody {
    /// One of the images of the egg (the values of `meta.docker_images` of
    /// `GET startup`).
    pub docker_image: String,
}

/// The body of `PUT /servers/{server}/startup/variable`.
#[derive(ToSchema)]
pub struct StartupVariableBody {
    /// The variable's `env_variable`.
    pub key: String,
    /// The new value, checked against the variable's rules; must be present, may be
    /// `null` (numbers and booleans are taken as their text, `true` as `1`).
    #[schema(required = true)]
    pub value: Option<String>,
}

/// The body of `POST /servers/{server}/network/allocations/{allocation}`.
#[derive(ToSchema)]
pub struct AllocationNotesBody {
    /// The notes (`null` or `""` clears them); must be present.
    #[schema(required = true, max_length = 256)]
    pub notes: Option<String>,
}

/// One entry of [`FileRenameBody`].
#[derive(ToSchema)]
pub struct FileRenameEntry {
    /// The current path, relative to `root`.
    pub from: String,
    /// The new path, relative to `root`.
    pub to: String,
}

/// The body of `PUT /servers/{server}/files/rename`.
#[derive(ToSchema)]
pub struct FileRenameBody {
    /// The directory the paths are relative to (default `/`).
    pub root: Option<String>,
    /// What to rename or move.
    #[schema(min_items = 1)]
    pub files: Vec<FileRenameEntry>,
}

/// The body of `POST /servers/{server}/files/copy`.
#[derive(ToSchema)]
pub struct FileCopyBody {
    /// The file to copy; the copy is written next to it.
    pub location: String,
}

/// The body of `POST /servers/{server}/files/compress` and `.../files/delete`.
#[derive(ToSchema)]
pub struct FileListBody {
    /// The directory the names are relative to (default `/`).
    pub root: Option<String>,
    /// The files and directories.
    #[schema(min_items = 1)]
    pub files: Vec<String>,
}

/// The body of `POST /servers/{server}/files/decompress`.
#[derive(ToSchema)]
pub struct FileDecompressBody {
    /// The directory the archive is in, and that it is unpacked into (default `/`).
    pub root: Option<String>,
    /// The archive's name, relative to `root`.
    pub file: String,
}

/// The body of `POST /servers/{server}/files/create-folder`.
#[derive(ToSchema)]
pub struct FileCreateFolderBody {
    /// The directory to create it in (default `/`).
    pub root: Option<String>,
    /// The new directory's name.
    pub name: String,
}

/// A permission mode: octal digits, as a number (`755`) or a string (`"0755"`).
#[derive(ToSchema)]
#[serde(untagged)]
pub enum FileMode {
    /// The digits as a number.
    Number(u64),
    /// The digits as a string (only `0`-`9`).
    Digits(String),
}

/// One entry of [`FileChmodBody`].
#[derive(ToSchema)]
pub struct FileChmodEntry {
    /// The path, relative to `root`.
    pub file: String,
    /// The new mode.
    pub mode: FileMode,
}

/// The body of `POST /servers/{server}/files/chmod`.
#[derive(ToSchema)]
pub struct FileChmodBody {
    /// The directory the paths are relative to (default `/`).
    pub root: Option<String>,
    /// The files and their modes.
    #[schema(min_items = 1)]
    pub files: Vec<FileChmodEntry>,
}

/// The body of `POST /servers/{server}/files/pull`. Booleans may be `0`/`1`.
#[derive(ToSchema)]
pub struct FilePullBody {
    /// What to download (an absolute URL).
    #[schema(format = "uri")]
    pub url: String,
    /// The directory to save it in (default `/`).
    pub directory: Option<String>,
    /// The file name (default: from the URL, or the `Content-Disposition` header with
    /// `use_header`).
    pub filename: Option<String>,
    /// Take the file name from the `Content-Disposition` header (default false).
    pub use_header: Option<bool>,
    /// Wait for the download to finish before answering (default false).
    pub foreground: Option<bool>,
}

// ---- browser login (`/sanctum`, `/auth`) --------------------------------------------------

/// `POST /auth/login`: logged in, or a confirmation token for the two-factor checkpoint.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginAnswer {
    /// The outcome.
    pub data: LoginOutcomeData,
}

/// `data` of a [`LoginAnswer`].
#[derive(ToSchema)]
#[serde(untagged)]
pub enum LoginOutcomeData {
    /// Logged in: the session cookie is set.
    Complete(LoginCompleteData),
    /// The account has two-factor: post a code to `/auth/login/checkpoint`.
    NeedsTwoFactor(LoginPendingData),
}

/// A finished login (`POST /auth/login`, `POST /auth/login/checkpoint`): the
/// `aerie_session` and `XSRF-TOKEN` cookies are set.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginCompleted {
    /// The outcome.
    pub data: LoginCompleteData,
}

/// `data` of a finished login.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginCompleteData {
    /// Always `true`.
    #[schema(schema_with = always_true)]
    pub complete: bool,
    /// Where the web UI goes next (`/`).
    pub intended: String,
    /// The account.
    pub user: AccountAttributes,
}

/// `data` of a login that needs the two-factor checkpoint.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginPendingData {
    /// Always `false`.
    #[schema(schema_with = always_false)]
    pub complete: bool,
    /// Send it to `/auth/login/checkpoint` within five minutes; single use.
    pub confirmation_token: String,
}

/// `POST /auth/password`: the same answer whether or not the address has an account.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequested {
    /// `We have e-mailed your password reset link!`
    pub status: String,
}

/// `POST /auth/password/reset`: the password is set; log in afresh.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetDone {
    /// Always `true`.
    #[schema(schema_with = always_true)]
    pub success: bool,
    /// Where the web UI goes next (`/`).
    pub redirect_to: String,
    /// Always `true`: the user logs in again.
    #[schema(schema_with = always_true)]
    pub send_to_login: bool,
}

// ---- response sets -----------------------------------------------------------------------

/// The errors any application API operation may answer (the key is checked, then its ACL
/// bit, and the rate limit applies). Add 404/422/400/409 per operation.
#[derive(IntoResponses)]
pub enum ApplicationErrors {
    /// No key, or not a valid one.
    #[response(status = 401)]
    Unauthenticated(#[ref_response] Unauthenticated),
    /// Not a root admin's key, or the key's ACL bit is off.
    #[response(status = 403)]
    Forbidden(#[ref_response] Forbidden),
    /// Over the key's request budget.
    #[response(status = 429)]
    TooManyRequests(#[ref_response] TooManyRequests),
}

/// The errors any remote API operation may answer (the node token is checked).
#[derive(IntoResponses)]
pub enum RemoteErrors {
    /// The `Authorization` header is not `Bearer <token_id>.<token>` (or, on the S3 part
    /// URL route, this panel does not presign uploads).
    #[response(status = 400)]
    BadRequest(#[ref_response] BadRequest),
    /// No token, or not a valid `token_id.token`.
    #[response(status = 401)]
    Unauthenticated(#[ref_response] Unauthenticated),
    /// The token id or the token does not match a node.
    #[response(status = 403)]
    Forbidden(#[ref_response] Forbidden),
}

/// 400 on the client API: a request the resource's state does not allow, malformed JSON, or
/// the panel's two-factor requirement.
#[derive(ToResponse)]
#[response(
    description = "Bad request: malformed JSON, a request the resource's current state or limits do not allow, or `TwoFactorAuthRequiredException` (the panel requires two-factor authentication and the account has none; only the account document and the two-factor routes stay open)."
)]
pub struct ClientBadRequest(pub ErrorEnvelope);

/// 403 on the client API: the user lacks a permission, or the key's IP allow-list refuses.
#[derive(ToResponse)]
#[response(
    description = "The user lacks the permission (the detail names it), or the API key may not be used from this address."
)]
pub struct ClientForbidden(pub ErrorEnvelope);

/// 409 on a server route: the server cannot be used right now.
#[derive(ToResponse)]
#[response(
    description = "The server is suspended, installing (or failed to install), restoring a backup or being transferred; or the resource is busy (a schedule already running)."
)]
pub struct ServerConflict(pub ErrorEnvelope);

/// 419: a cookie-authenticated state-changing request without the session's CSRF token.
#[derive(ToResponse)]
#[response(
    description = "`TokenMismatchException`: the `X-XSRF-TOKEN` header is missing or does not match (the session's token, or before login the `XSRF-TOKEN` cookie)."
)]
pub struct CsrfMismatch(pub ErrorEnvelope);

/// The errors any client API operation may answer (the key or session is checked, the
/// key's IP allow-list, and the rate limit). Add 400/404/419/422 per operation.
#[derive(IntoResponses)]
pub enum ClientErrors {
    /// No key or session, or not a valid one.
    #[response(status = 401)]
    Unauthenticated(#[ref_response] Unauthenticated),
    /// The key may not be used from this address.
    #[response(status = 403)]
    Forbidden(#[ref_response] ClientForbidden),
    /// Over the user's request budget.
    #[response(status = 429)]
    TooManyRequests(#[ref_response] TooManyRequests),
}

/// The errors any `/api/client/servers/{server}/...` operation may answer: as
/// [`ClientErrors`], plus 404 for a server the user may not see (and for a missing
/// resource of it) and 409 for a server that cannot be used now.
#[derive(IntoResponses)]
pub enum ClientServerErrors {
    /// No key or session, or not a valid one.
    #[response(status = 401)]
    Unauthenticated(#[ref_response] Unauthenticated),
    /// The user lacks the permission, or the key may not be used from this address.
    #[response(status = 403)]
    Forbidden(#[ref_response] ClientForbidden),
    /// No such server for this user, or no such resource on it.
    #[response(status = 404)]
    NotFound(#[ref_response] NotFound),
    /// The server is suspended, installing, restoring or being transferred.
    #[response(status = 409)]
    Conflict(#[ref_response] ServerConflict),
    /// Over the user's request budget.
    #[response(status = 429)]
    TooManyRequests(#[ref_response] TooManyRequests),
}

// ---- application API keys and panel settings (admin session only) -------------------------

/// An application (`ptla_`) API key of the signed-in administrator
/// (`services::application_keys::application_key_attributes`). Each `r_*` is a bit mask:
/// 0 none, 1 read, 3 read and write.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationApiKeyAttributes {
    /// The public half of the token (`ptla_` + 11 characters).
    pub identifier: String,
    /// What the key is for.
    #[schema(required = true)]
    pub memo: Option<String>,
    /// IPs and CIDR ranges the key may be used from (empty = anywhere).
    pub allowed_ips: Vec<String>,
    /// Servers.
    pub r_servers: i64,
    /// Nodes.
    pub r_nodes: i64,
    /// Allocations.
    pub r_allocations: i64,
    /// Users.
    pub r_users: i64,
    /// Locations.
    pub r_locations: i64,
    /// Nests.
    pub r_nests: i64,
    /// Eggs.
    pub r_eggs: i64,
    /// Database hosts.
    pub r_database_hosts: i64,
    /// Server databases.
    pub r_server_databases: i64,
    /// Mounts.
    pub r_mounts: i64,
    /// Last use (Atom), `null` when never used.
    #[schema(required = true, format = DateTime)]
    pub last_used_at: Option<String>,
    /// Creation time (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
}

client_resource! {
    object: "application_api_key",
    attributes: ApplicationApiKeyAttributes,
    item: ApplicationApiKeyItem,
    list: ApplicationApiKeyList,
}

/// `POST /api-keys`: the new key with its whole bearer token in `meta.token`.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationApiKeyCreated {
    /// Always `application_api_key`.
    #[schema(schema_with = ApplicationApiKeyItem::object_schema)]
    pub object: String,
    /// The key.
    pub attributes: ApplicationApiKeyAttributes,
    /// The token.
    pub meta: ApplicationApiKeyTokenMeta,
}

/// `meta` of an [`ApplicationApiKeyCreated`].
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplicationApiKeyTokenMeta {
    /// The whole bearer token (`identifier` followed by the 32-character secret), shown only
    /// now: the panel keeps only a hash of the secret.
    pub token: String,
}

/// The panel settings an administrator may change (`services::panel_settings`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PanelSettingsAttributes {
    /// Who must use two-factor authentication: 0 nobody, 1 administrators, 2 everyone.
    #[schema(minimum = 0, maximum = 2)]
    pub two_factor_required: i64,
    /// Whether users may add allocations to their servers themselves
    /// (`POST /api/client/servers/{server}/network/allocations`).
    pub client_allocations_enabled: bool,
    /// First port of the range those allocations come from (1024–65535).
    #[schema(required = true, minimum = 1024, maximum = 65535)]
    pub client_allocations_range_start: Option<i64>,
    /// Last port of the range (1024–65535, above the start).
    #[schema(required = true, minimum = 1024, maximum = 65535)]
    pub client_allocations_range_end: Option<i64>,
}

client_resource! {
    object: "panel_settings",
    attributes: PanelSettingsAttributes,
    item: PanelSettingsItem,
}

// ---- server transfers and node system information -------------------------------------

/// A move of a server to another node (`services::transfers`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerTransferAttributes {
    /// Numeric id.
    pub id: i64,
    /// The server moved.
    pub server_id: i64,
    /// `null` while running, then whether the server arrived.
    #[schema(required = true)]
    pub successful: Option<bool>,
    /// The node the server was on.
    pub old_node: i64,
    /// The node it moves to.
    pub new_node: i64,
    /// Its primary allocation before.
    pub old_allocation: i64,
    /// Its primary allocation on the new node.
    pub new_allocation: i64,
    /// Its other allocations before.
    pub old_additional_allocations: Vec<i64>,
    /// Its other allocations on the new node.
    pub new_additional_allocations: Vec<i64>,
    /// Whether the source made its archive (Pterodactyl's column; always `false` now that
    /// wings streams the files).
    pub archived: bool,
    /// Creation time (Atom).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Last change (Atom): when it finished, once `successful` is set.
    #[schema(format = DateTime)]
    pub updated_at: String,
}

resource! {
    object: "server_transfer",
    attributes: ServerTransferAttributes,
    item: ServerTransferItem,
    list: ServerTransferList,
}

/// The body of `POST /servers/{id}/transfer`.
#[derive(ToSchema)]
pub struct ServerTransferBody {
    /// The target node (not the server's node).
    pub node_id: i64,
    /// The primary allocation on the target: free, on that node.
    pub allocation_id: i64,
    /// More allocations on the target: free, on that node, none twice.
    pub allocation_additional: Option<Vec<i64>>,
}

/// `GET /nodes/{id}/system`: what the node's wings reports (its `GET /api/system`).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NodeSystemInformation {
    /// The wings version.
    pub version: String,
    /// The kernel release (`uname -r`).
    pub kernel_version: String,
    /// The CPU architecture (`amd64`, `arm64`, ...).
    pub architecture: String,
    /// The operating system (`linux`).
    pub os: String,
    /// Logical CPUs.
    #[schema(minimum = 0)]
    pub cpu_count: u64,
}

// ---- mounts ------------------------------------------------------------------------------

/// A mount (Pelican's `MountTransformer`: the model's columns).
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MountAttributes {
    /// Numeric id.
    pub id: i64,
    /// Public UUID.
    #[schema(format = "uuid")]
    pub uuid: String,
    /// Unique name (2 to 64 characters).
    pub name: String,
    /// Description.
    #[schema(required = true)]
    pub description: Option<String>,
    /// Absolute path on the node (normalized).
    pub source: String,
    /// Absolute path inside the container (normalized).
    pub target: String,
    /// Mounted read-only.
    pub read_only: bool,
    /// Whether users may mount it themselves.
    pub user_mountable: bool,
    /// Includes asked for with `include=`.
    #[schema(nullable = false, no_recursion)]
    pub relationships: Option<Box<MountRelationships>>,
}

/// Includes of a mount.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MountRelationships {
    /// `include=eggs` (needs egg read): the eggs the mount may be used with.
    #[schema(nullable = false)]
    pub eggs: Option<EggListOrNull>,
    /// `include=nodes` (needs node read): the nodes the mount exists on.
    #[schema(nullable = false)]
    pub nodes: Option<NodeListOrNull>,
    /// `include=servers` (needs server read): the servers the mount is attached to.
    #[schema(nullable = false)]
    pub servers: Option<ServerListOrNull>,
}

resource! {
    object: "mount",
    attributes: MountAttributes,
    item: MountItem,
    list: MountList,
    page: MountPage,
}

/// The body of `POST /mounts` and `PATCH /mounts/{id}`. On create `name`, `source` and
/// `target` are required; on update only the fields sent change. Strings are trimmed and
/// an empty string is `null`.
#[derive(ToSchema)]
pub struct MountBody {
    /// Unique name, 2 to 64 characters.
    #[schema(min_length = 2, max_length = 64)]
    pub name: Option<String>,
    /// Description, up to 191 characters; `null` clears it.
    #[schema(max_length = 191)]
    pub description: Option<String>,
    /// Absolute path on the node, up to 191 characters; no `..` segments or colons; not
    /// `/`, nor inside `/etc/pterodactyl`, `/var/lib/pterodactyl` or `/srv/daemon-data`.
    #[schema(max_length = 191)]
    pub source: Option<String>,
    /// Absolute path in the container, up to 191 characters; no `..` segments or colons;
    /// not `/`, nor inside `/home/container`.
    #[schema(max_length = 191)]
    pub target: Option<String>,
    /// Mount read-only (default false). Also `0`/`1`/`"0"`/`"1"`.
    pub read_only: Option<bool>,
    /// Users may mount it themselves (default false). Also `0`/`1`/`"0"`/`"1"`.
    pub user_mountable: Option<bool>,
}

/// The body of `POST /mounts/{id}/eggs`.
#[derive(ToSchema)]
pub struct MountEggsBody {
    /// Egg ids to link (at least one; each must exist).
    #[schema(min_items = 1)]
    pub eggs: Vec<i64>,
}

/// The body of `POST /mounts/{id}/nodes`.
#[derive(ToSchema)]
pub struct MountNodesBody {
    /// Node ids to link (at least one; each must exist).
    #[schema(min_items = 1)]
    pub nodes: Vec<i64>,
}

/// The body of `POST /mounts/{id}/servers`.
#[derive(ToSchema)]
pub struct MountServersBody {
    /// Server ids to attach (at least one; each must exist).
    #[schema(min_items = 1)]
    pub servers: Vec<i64>,
}
