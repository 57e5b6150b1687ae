//! Response bodies in the exact shape of Pterodactyl's `PterodactylSerializer` (league/fractal
//! `ArraySerializer` with Pterodactyl's item and collection wrappers):
//!
//! - item: `{"object": "user", "attributes": {...}}`
//! - collection: `{"object": "list", "data": [item, ...]}`
//! - null resource: `{"object": "null_resource", "attributes": null}`
//! - includes go *inside* the item's attributes: `attributes.relationships.<name>` holds an
//!   item, list or null-resource envelope;
//! - paginated collections add `meta.pagination` with `links` as `{}` when there is no
//!   previous or next page (never `null`, never an array);
//! - extra meta (`meta.resource` on 201s, `meta.secret_token`, ...) merges into the same
//!   top-level `meta` object.
//!
//! Third-party clients (WHMCS modules, Paymenter, SDKs) index into these shapes blindly, so
//! handlers build bodies only through this module. Key order inside objects is not part of
//! the contract (JSON objects are unordered; clients decode them into maps).
//!
//! It also holds the two timestamp forms Pterodactyl emits: transformers use Carbon's
//! `toAtomString` (`2024-01-15T10:26:32+00:00`) and raw model `toArray()` fields use
//! Laravel's date serialization (`2024-01-15T10:26:32.000000Z`).

use aerie_http::Error;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use super::query::{ListQuery, Page};

/// A model that knows its Pterodactyl resource name and attributes, the Rust side of a
/// Pterodactyl `Transformer` class.
pub trait Transformer {
    /// The resource name written as `object` (`"user"`, `"server"`, `"egg_variable"`).
    fn object(&self) -> &'static str;

    /// The attributes, with exactly the keys Pterodactyl's transformer writes.
    fn attributes(&self) -> Map<String, Value>;

    /// The item envelope for this model; add includes and meta on the returned [`Item`].
    fn to_item(&self) -> Item {
        Item::new(self.object(), self.attributes())
    }
}

/// Serializes a DTO into an attributes map, for transformers that keep a `#[derive(Serialize)]`
/// struct rather than building the map by hand.
///
/// # Errors
/// [`Error::Internal`] when `value` does not serialize to a JSON object (a bug in the DTO).
pub fn to_attributes<T: Serialize>(value: &T) -> Result<Map<String, Value>, Error> {
    match serde_json::to_value(value).map_err(Error::internal)? {
        Value::Object(map) => Ok(map),
        other => Err(Error::internal(format!(
            "transformer attributes must be a JSON object, got {other}"
        ))),
    }
}

/// `{"object": object, "attributes": attributes}`.
pub fn item(object: &str, attributes: impl Into<Value>) -> Value {
    Item::new(object, attributes).into_value()
}

/// `{"object": "list", "data": [...]}` for items that are already envelopes.
pub fn list<I>(items: I) -> Value
where
    I: IntoIterator,
    I::Item: Into<Value>,
{
    List::new(items).into_value()
}

/// `{"object": "null_resource", "attributes": null}`: what an include resolves to when the
/// related model is missing or the key may not read it.
pub fn null_resource() -> Value {
    let mut map = Map::new();
    map.insert("object".into(), Value::String("null_resource".into()));
    map.insert("attributes".into(), Value::Null);
    Value::Object(map)
}

/// One resource envelope under construction: attributes, includes and meta.
///
/// Converts into a [`Value`] ([`Item::into_value`]) or straight into a 200 response.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    object: String,
    attributes: Value,
    relationships: Map<String, Value>,
    meta: Map<String, Value>,
}

impl Item {
    /// An item of resource `object` with these attributes (a JSON object, or `null`).
    pub fn new(object: &str, attributes: impl Into<Value>) -> Self {
        Self {
            object: object.to_owned(),
            attributes: attributes.into(),
            relationships: Map::new(),
            meta: Map::new(),
        }
    }

    /// The envelope of a [`Transformer`].
    pub fn of<T: Transformer + ?Sized>(model: &T) -> Self {
        model.to_item()
    }

    /// Attaches an include as `attributes.relationships.<name>`. `related` is an [`Item`],
    /// a [`List`] or [`null_resource`]. Ignored when the attributes are not an object
    /// (Fractal does not merge includes into a null resource either).
    #[must_use]
    pub fn include(mut self, name: &str, related: impl Into<Value>) -> Self {
        self.relationships.insert(name.to_owned(), related.into());
        self
    }

    /// Adds `meta.<key>` at the top level of the envelope (`meta.resource` on 201s).
    #[must_use]
    pub fn meta(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.meta.insert(key.to_owned(), value.into());
        self
    }

    /// The finished JSON envelope.
    pub fn into_value(self) -> Value {
        let mut attributes = self.attributes;
        if !self.relationships.is_empty()
            && let Value::Object(attrs) = &mut attributes
        {
            merge_relationships(attrs, self.relationships);
        }
        let mut map = Map::new();
        map.insert("object".into(), Value::String(self.object));
        map.insert("attributes".into(), attributes);
        if !self.meta.is_empty() {
            map.insert("meta".into(), Value::Object(self.meta));
        }
        Value::Object(map)
    }
}

impl From<Item> for Value {
    fn from(item: Item) -> Self {
        item.into_value()
    }
}

impl IntoResponse for Item {
    fn into_response(self) -> Response {
        ok(self)
    }
}

/// Attaches an include to an envelope that is already a [`Value`] (an item envelope from
/// [`item`]); does nothing when `envelope` has no object `attributes`.
pub fn attach_relationship(envelope: &mut Value, name: &str, related: impl Into<Value>) {
    if let Some(Value::Object(attrs)) = envelope.get_mut("attributes") {
        let mut one = Map::new();
        one.insert(name.to_owned(), related.into());
        merge_relationships(attrs, one);
    }
}

fn merge_relationships(attrs: &mut Map<String, Value>, relationships: Map<String, Value>) {
    match attrs.get_mut("relationships") {
        Some(Value::Object(existing)) => existing.extend(relationships),
        _ => {
            attrs.insert("relationships".into(), Value::Object(relationships));
        }
    }
}

/// A collection envelope under construction: items, optional pagination and meta.
#[derive(Debug, Clone, PartialEq)]
pub struct List {
    data: Vec<Value>,
    pagination: Option<Pagination>,
    meta: Map<String, Value>,
}

impl List {
    /// A list of envelopes (each an [`Item`] or a [`Value`] from [`item`]).
    pub fn new<I>(items: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<Value>,
    {
        Self {
            data: items.into_iter().map(Into::into).collect(),
            pagination: None,
            meta: Map::new(),
        }
    }

    /// A list of models through their [`Transformer`], without includes.
    pub fn of<'a, T, I>(models: I) -> Self
    where
        T: Transformer + 'a,
        I: IntoIterator<Item = &'a T>,
    {
        Self::new(models.into_iter().map(Transformer::to_item))
    }

    /// How many items the list holds (the page's `count`).
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// Whether the list holds no items.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// Adds `meta.pagination`.
    #[must_use]
    pub fn paginate(mut self, pagination: Pagination) -> Self {
        self.pagination = Some(pagination);
        self
    }

    /// Adds `meta.pagination` for the page `query` asked for: `total` rows match overall,
    /// the items held are the page, and links are built from `base_url` (the panel's public
    /// URL) plus the request path and query (see [`ListQuery::page_url`]).
    #[must_use]
    pub fn paginate_query(self, query: &ListQuery, base_url: &str, total: u64) -> Self {
        let count = u64::try_from(self.data.len()).unwrap_or(u64::MAX);
        let pagination =
            Pagination::new(total, count, query.page(), |n| query.page_url(base_url, n));
        self.paginate(pagination)
    }

    /// Adds `meta.<key>` (merged with `meta.pagination` when both are present).
    #[must_use]
    pub fn meta(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.meta.insert(key.to_owned(), value.into());
        self
    }

    /// The finished JSON envelope.
    pub fn into_value(self) -> Value {
        let mut map = Map::new();
        map.insert("object".into(), Value::String("list".into()));
        map.insert("data".into(), Value::Array(self.data));
        let mut meta = self.meta;
        if let Some(p) = self.pagination {
            meta.insert("pagination".into(), p.to_value());
        }
        if !meta.is_empty() {
            map.insert("meta".into(), Value::Object(meta));
        }
        Value::Object(map)
    }
}

impl From<List> for Value {
    fn from(list: List) -> Self {
        list.into_value()
    }
}

impl IntoResponse for List {
    fn into_response(self) -> Response {
        ok(self)
    }
}

/// `meta.pagination` of a paginated collection (league/fractal `ArraySerializer::paginator`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pagination {
    /// Rows matching the query across all pages.
    pub total: u64,
    /// Items on this page.
    pub count: u64,
    /// The page size asked for.
    pub per_page: u64,
    /// This page, from 1.
    pub current_page: u64,
    /// `max(ceil(total / per_page), 1)`, as Laravel's `lastPage()`.
    pub total_pages: u64,
    /// URL of the previous page, when `current_page > 1`.
    pub previous: Option<String>,
    /// URL of the next page, when `current_page < total_pages`.
    pub next: Option<String>,
}

impl Pagination {
    /// Pagination facts for `page`, with `url_for(n)` building the link to page `n`.
    pub fn new(total: u64, count: u64, page: Page, url_for: impl Fn(u64) -> String) -> Self {
        let per_page = page.per_page.max(1);
        let total_pages = total.div_ceil(per_page).max(1);
        let current_page = page.page.max(1);
        Self {
            total,
            count,
            per_page,
            current_page,
            total_pages,
            previous: (current_page > 1).then(|| url_for(current_page - 1)),
            next: (current_page < total_pages).then(|| url_for(current_page + 1)),
        }
    }

    /// The `pagination` object: `links` is `{}` when there is neither link, and a missing
    /// link is left out rather than `null`, as league/fractal does.
    pub fn to_value(&self) -> Value {
        let mut links = Map::new();
        if let Some(p) = &self.previous {
            links.insert("previous".into(), Value::String(p.clone()));
        }
        if let Some(n) = &self.next {
            links.insert("next".into(), Value::String(n.clone()));
        }
        let mut map = Map::new();
        map.insert("total".into(), self.total.into());
        map.insert("count".into(), self.count.into());
        map.insert("per_page".into(), self.per_page.into());
        map.insert("current_page".into(), self.current_page.into());
        map.insert("total_pages".into(), self.total_pages.into());
        map.insert("links".into(), Value::Object(links));
        Value::Object(map)
    }
}

/// `200 OK` with a JSON body.
pub fn ok(body: impl Into<Value>) -> Response {
    (StatusCode::OK, Json(body.into())).into_response()
}

/// `201 Created` with a JSON body (add `meta.resource` with [`Item::meta`] where Pterodactyl
/// does: users, nodes, locations, databases).
pub fn created(body: impl Into<Value>) -> Response {
    (StatusCode::CREATED, Json(body.into())).into_response()
}

/// `204 No Content` with an empty body.
pub fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// Parses a stored timestamp: RFC 3339 (what `aerie_db` writes), or a naive
/// `YYYY-MM-DD HH:MM:SS[.f]` / `YYYY-MM-DDTHH:MM:SS[.f]` taken as UTC (MySQL style).
pub fn parse_timestamp(ts: &str) -> Option<DateTime<Utc>> {
    let ts = ts.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(ts) {
        return Some(t.with_timezone(&Utc));
    }
    ["%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%dT%H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(ts, f).ok())
        .map(|n| n.and_utc())
}

/// Carbon's `toAtomString`, as transformers write timestamps: `2024-01-15T10:26:32+00:00`
/// (UTC, whole seconds). `None` gives `null`; a string that is not a timestamp is passed
/// through unchanged rather than lost.
pub fn atom_timestamp(ts: Option<&str>) -> Value {
    format_with(ts, "%Y-%m-%dT%H:%M:%S+00:00")
}

/// Laravel's model date serialization, as raw `toArray()` fields are written (nests, egg
/// variables): `2024-01-15T10:26:32.000000Z`. Fractions are dropped, since Pterodactyl's
/// MySQL columns hold whole seconds and clients only ever see `.000000`. `None` gives
/// `null`; a string that is not a timestamp is passed through unchanged.
pub fn laravel_timestamp(ts: Option<&str>) -> Value {
    format_with(ts, "%Y-%m-%dT%H:%M:%S.000000Z")
}

fn format_with(ts: Option<&str>, format: &str) -> Value {
    match ts {
        None => Value::Null,
        Some(raw) => match parse_timestamp(raw) {
            Some(t) => Value::String(t.format(format).to_string()),
            None => Value::String(raw.to_owned()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    struct User {
        id: u64,
        email: &'static str,
        created_at: &'static str,
    }

    impl Transformer for User {
        fn object(&self) -> &'static str {
            "user"
        }
        fn attributes(&self) -> Map<String, Value> {
            let mut m = Map::new();
            m.insert("id".into(), self.id.into());
            m.insert("email".into(), self.email.into());
            m.insert("created_at".into(), atom_timestamp(Some(self.created_at)));
            m
        }
    }

    fn user(id: u64) -> User {
        User {
            id,
            email: "a@example.com",
            created_at: "2024-01-15T10:26:32.123456Z",
        }
    }

    #[test]
    fn item_list_and_null_resource_shapes() {
        assert_eq!(
            item("location", json!({"id": 1, "short": "us"})),
            json!({"object": "location", "attributes": {"id": 1, "short": "us"}})
        );
        assert_eq!(
            list([
                item("nest", json!({"id": 1})),
                item("nest", json!({"id": 2}))
            ]),
            json!({"object": "list", "data": [
                {"object": "nest", "attributes": {"id": 1}},
                {"object": "nest", "attributes": {"id": 2}}
            ]})
        );
        assert_eq!(
            list(Vec::<Value>::new()),
            json!({"object": "list", "data": []})
        );
        assert_eq!(
            null_resource(),
            json!({"object": "null_resource", "attributes": null})
        );
    }

    #[test]
    fn transformer_item_and_list() {
        assert_eq!(
            Item::of(&user(1)).into_value(),
            json!({"object": "user", "attributes": {
                "id": 1, "email": "a@example.com", "created_at": "2024-01-15T10:26:32+00:00"
            }})
        );
        let users = [user(1), user(2)];
        let v = List::of(users.iter()).into_value();
        assert_eq!(v["data"][1]["attributes"]["id"], 2);
        assert_eq!(v["data"][1]["object"], "user");
    }

    #[test]
    fn includes_go_inside_attributes() {
        let egg = Item::new("egg", json!({"id": 5}))
            .include(
                "variables",
                List::new([item("egg_variable", json!({"env_variable": "A"}))]),
            )
            .include("nest", item("nest", json!({"id": 1})))
            .include("config", null_resource());
        assert_eq!(
            egg.into_value(),
            json!({"object": "egg", "attributes": {"id": 5, "relationships": {
                "variables": {"object": "list", "data": [
                    {"object": "egg_variable", "attributes": {"env_variable": "A"}}
                ]},
                "nest": {"object": "nest", "attributes": {"id": 1}},
                "config": {"object": "null_resource", "attributes": null}
            }}})
        );
        // Paymenter's access path works.
        let v: Value = Item::new("egg", json!({}))
            .include("variables", List::new(Vec::<Value>::new()))
            .into();
        assert_eq!(
            v["attributes"]["relationships"]["variables"]["data"],
            json!([])
        );
    }

    #[test]
    fn attach_relationship_merges_into_existing() {
        let mut v = item("server", json!({"id": 1}));
        attach_relationship(&mut v, "user", item("user", json!({"id": 2})));
        attach_relationship(&mut v, "node", null_resource());
        assert_eq!(
            v["attributes"]["relationships"]["user"]["attributes"]["id"],
            2
        );
        assert_eq!(
            v["attributes"]["relationships"]["node"]["object"],
            "null_resource"
        );
        let mut n = null_resource();
        attach_relationship(&mut n, "x", null_resource());
        assert_eq!(n, null_resource());
    }

    #[test]
    fn item_meta_is_top_level() {
        let v = Item::new("user", json!({"id": 3}))
            .meta("resource", "https://panel.test/api/application/users/3")
            .into_value();
        assert_eq!(
            v,
            json!({"object": "user", "attributes": {"id": 3},
                   "meta": {"resource": "https://panel.test/api/application/users/3"}})
        );
    }

    fn page(page: u64, per_page: u64) -> Page {
        Page { page, per_page }
    }

    fn url(n: u64) -> String {
        format!("https://panel.test/api/application/users?page={n}")
    }

    #[test]
    fn single_page_links_are_an_empty_object() {
        let v = List::new([
            item("user", json!({"id": 1})),
            item("user", json!({"id": 2})),
        ])
        .paginate(Pagination::new(2, 2, page(1, 50), url))
        .into_value();
        // Literal from the reference (§1.4).
        assert_eq!(
            v["meta"],
            json!({"pagination": {"total": 2, "count": 2, "per_page": 50, "current_page": 1,
                                  "total_pages": 1, "links": {}}})
        );
        assert!(v["meta"]["pagination"]["links"].is_object());
    }

    #[test]
    fn first_middle_last_page_links() {
        let first = Pagination::new(120, 50, page(1, 50), url).to_value();
        assert_eq!(first["total_pages"], 3);
        assert_eq!(first["links"], json!({"next": url(2)}));

        let middle = Pagination::new(120, 50, page(2, 50), url).to_value();
        assert_eq!(middle["links"], json!({"previous": url(1), "next": url(3)}));

        let last = Pagination::new(120, 20, page(3, 50), url).to_value();
        assert_eq!(last["links"], json!({"previous": url(2)}));
        assert_eq!(last["count"], 20);

        // Empty result: one page, no links.
        let empty = Pagination::new(0, 0, page(1, 50), url).to_value();
        assert_eq!(empty["total_pages"], 1);
        assert_eq!(empty["links"], json!({}));
    }

    #[test]
    fn list_meta_merges_with_pagination() {
        let v = List::new(Vec::<Value>::new())
            .meta("backup_count", 3)
            .paginate(Pagination::new(0, 0, page(1, 50), url))
            .into_value();
        assert_eq!(v["meta"]["backup_count"], 3);
        assert_eq!(v["meta"]["pagination"]["total"], 0);
        assert_eq!(v["object"], "list");
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            atom_timestamp(Some("2024-01-15T10:26:32.123456Z")),
            json!("2024-01-15T10:26:32+00:00")
        );
        assert_eq!(
            atom_timestamp(Some("2024-01-15T12:26:32+02:00")),
            json!("2024-01-15T10:26:32+00:00")
        );
        assert_eq!(
            atom_timestamp(Some("2024-01-15 10:26:32")),
            json!("2024-01-15T10:26:32+00:00")
        );
        assert_eq!(
            laravel_timestamp(Some("2024-01-15T10:26:32.123456Z")),
            json!("2024-01-15T10:26:32.000000Z")
        );
        assert_eq!(atom_timestamp(None), Value::Null);
        assert_eq!(laravel_timestamp(None), Value::Null);
        assert_eq!(atom_timestamp(Some("not a date")), json!("not a date"));
    }

    #[tokio::test]
    async fn response_helpers() {
        let r = ok(item("user", json!({})));
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.headers()["content-type"],
            axum::http::HeaderValue::from_static("application/json")
        );
        assert_eq!(created(json!({})).status(), StatusCode::CREATED);
        let r = no_content();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let body = axum::body::to_bytes(r.into_body(), 1024).await.unwrap();
        assert!(body.is_empty());
        assert_eq!(
            Item::new("user", json!({})).into_response().status(),
            StatusCode::OK
        );
    }

    #[test]
    fn to_attributes_requires_an_object() {
        #[derive(Serialize)]
        struct Dto {
            id: u32,
        }
        assert_eq!(to_attributes(&Dto { id: 1 }).unwrap()["id"], 1);
        assert!(to_attributes(&5).is_err());
    }
}
