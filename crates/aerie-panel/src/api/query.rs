//! The list query string, read the way Laravel and spatie/laravel-query-builder read it.
//!
//! Pterodactyl clients send `filter[email]=x`, `sort=-id`, `include=servers,location` (or
//! `include[]=servers`, `include[0]=servers`), `page` and `per_page`, and some endpoints take
//! array parameters such as `location_ids[]=1`. [`ListQuery`] parses all of it once, with
//! real percent-decoding of keys and values (`filter%5Bemail%5D=a%40b.c`, `+` as a space),
//! and keeps the raw pairs so pagination links can repeat them.
//!
//! Laravel's `ConvertEmptyStringsToNull` turns `filter[name]=` into `null`, which spatie then
//! skips; [`ListQuery::filter`] does the same by treating empty values as absent.

use aerie_http::Error;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::Uri;
use axum::http::request::Parts;

/// `per_page` when the request does not give one (Pterodactyl's controllers use 50).
pub const DEFAULT_PER_PAGE: u64 = 50;

/// The largest `per_page` accepted; more is a 422.
pub const MAX_PER_PAGE: u64 = 500;

/// One requested sort: `sort=-id` is `{ field: "id", descending: true }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sort {
    /// The column name as the client wrote it, without the `-`.
    pub field: String,
    /// Whether the client asked for descending order (a leading `-`).
    pub descending: bool,
}

/// Which page of a collection to return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// The page number, from 1.
    pub page: u64,
    /// Items per page, from 1.
    pub per_page: u64,
}

impl Default for Page {
    fn default() -> Self {
        Self {
            page: 1,
            per_page: DEFAULT_PER_PAGE,
        }
    }
}

impl Page {
    /// Rows to skip: `(page - 1) * per_page`, saturated at `i64::MAX` so it always fits a
    /// SQL `OFFSET` (a huge `page` just yields an empty page).
    pub fn offset(&self) -> u64 {
        let offset = self.page.saturating_sub(1).saturating_mul(self.per_page);
        offset.min(i64::MAX.unsigned_abs())
    }

    /// Rows to return: `per_page`.
    pub fn limit(&self) -> u64 {
        self.per_page
    }
}

/// The parsed query string of a list (or any) request; an axum extractor for every state.
///
/// Rejects a `per_page` that is not an integer in `1..=500` with a 422; everything else is
/// accepted here, and [`ListQuery::check`] rejects unknown filters, sorts and includes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListQuery {
    path: String,
    pairs: Vec<(String, String)>,
    filters: Vec<(String, String)>,
    sorts: Vec<Sort>,
    includes: Vec<String>,
    page: Page,
}

impl<S: Send + Sync> FromRequestParts<S> for ListQuery {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        // Under a nested router `parts.uri` lost its prefix; links need the full path.
        match parts.extensions.get::<OriginalUri>() {
            Some(OriginalUri(uri)) => Self::from_uri(uri),
            None => Self::from_uri(&parts.uri),
        }
    }
}

impl ListQuery {
    /// Parses the path and query of `uri`.
    ///
    /// # Errors
    /// A 422 [`Error::Validation`] on `per_page` when it is not an integer in `1..=500`.
    pub fn from_uri(uri: &Uri) -> Result<Self, Error> {
        Self::parse(uri.path(), uri.query())
    }

    /// Parses a raw (still percent-encoded) query string; `path` is kept for page links.
    ///
    /// # Errors
    /// A 422 [`Error::Validation`] on `per_page` when it is not an integer in `1..=500`.
    pub fn parse(path: &str, query: Option<&str>) -> Result<Self, Error> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();

        let mut filters: Vec<(String, String)> = Vec::new();
        let mut sort_values: Vec<&str> = Vec::new();
        let mut include_values: Vec<&str> = Vec::new();
        let mut page_raw: Option<&str> = None;
        let mut per_page_raw: Option<&str> = None;
        for (key, value) in &pairs {
            match split_key(key) {
                ("filter", Some(name)) if !name.is_empty() => {
                    // PHP keeps the last assignment of a repeated key.
                    match filters.iter_mut().find(|(n, _)| n == name) {
                        Some(slot) => slot.1.clone_from(value),
                        None => filters.push((name.to_owned(), value.clone())),
                    }
                }
                ("sort", _) => sort_values.push(value),
                ("include", _) => include_values.push(value),
                ("page", None) => page_raw = Some(value),
                ("per_page", None) => per_page_raw = Some(value),
                _ => {}
            }
        }

        let mut sorts: Vec<Sort> = Vec::new();
        for name in split_list(&sort_values) {
            let (field, descending) = match name.strip_prefix('-') {
                Some(f) => (f, true),
                None => (name, false),
            };
            if !field.is_empty() && !sorts.iter().any(|s| s.field == field) {
                sorts.push(Sort {
                    field: field.to_owned(),
                    descending,
                });
            }
        }
        let mut includes: Vec<String> = Vec::new();
        for name in split_list(&include_values) {
            if !includes.iter().any(|i| i == name) {
                includes.push(name.to_owned());
            }
        }

        let page = Page {
            page: parse_page(page_raw),
            per_page: parse_per_page(per_page_raw)?,
        };
        Ok(Self {
            path: path.to_owned(),
            pairs,
            filters,
            sorts,
            includes,
            page,
        })
    }

    /// The request path (without the query), as used in page links.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Every decoded `(key, value)` pair, in request order.
    pub fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// Every requested `filter[name]=value`, in request order, empty values included.
    pub fn filters(&self) -> &[(String, String)] {
        &self.filters
    }

    /// The value of `filter[name]`; `None` when absent or empty (Laravel turns `""` into
    /// `null` and spatie skips null filters).
    pub fn filter(&self, name: &str) -> Option<&str> {
        self.filters
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// `filter[name]` split on commas, as spatie does (`filter[id]=1,2` matches either);
    /// empty parts are dropped.
    pub fn filter_values(&self, name: &str) -> Vec<&str> {
        self.filter(name)
            .map(|v| v.split(',').filter(|p| !p.is_empty()).collect())
            .unwrap_or_default()
    }

    /// The requested sorts, in order (`sort=a,-b`).
    pub fn sorts(&self) -> &[Sort] {
        &self.sorts
    }

    /// The first requested sort.
    pub fn sort(&self) -> Option<&Sort> {
        self.sorts.first()
    }

    /// The requested includes from `include=a,b`, `include[]=a` and `include[0]=a` alike,
    /// trimmed, without empties or duplicates. Nested includes stay dotted (`servers.node`).
    pub fn includes(&self) -> &[String] {
        &self.includes
    }

    /// Whether `name` was included.
    pub fn has_include(&self, name: &str) -> bool {
        self.includes.iter().any(|i| i == name)
    }

    /// The page asked for: `page` (1 when absent, not an integer, or below 1, as Laravel's
    /// paginator does) and `per_page` (50 when absent or empty).
    pub fn page(&self) -> Page {
        self.page
    }

    /// The last decoded value of the plain parameter `name` (`?search=x`). Array forms are
    /// not plain: `get("ids")` does not see `ids[]=1`. An empty value is `Some("")`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The values of the array parameter `name`, from `name[]=1&name[]=2` or
    /// `name[0]=1&name[1]=2`, in request order. A plain `name=1` is not an array and is
    /// not returned (Laravel's `array` rule would reject it).
    pub fn get_all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(k, _)| matches!(split_key(k), (base, Some(_)) if base == name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The absolute URL of page `page` of this request: `base_url` (the panel's public URL),
    /// then the request path, then every other query parameter with `page` replaced in
    /// place or appended, as Laravel's paginator builds links.
    pub fn page_url(&self, base_url: &str, page: u64) -> String {
        let page = page.to_string();
        let mut ser = form_urlencoded::Serializer::new(String::new());
        let mut placed = false;
        for (k, v) in &self.pairs {
            if k == "page" {
                if !placed {
                    ser.append_pair("page", &page);
                    placed = true;
                }
            } else {
                ser.append_pair(k, v);
            }
        }
        if !placed {
            ser.append_pair("page", &page);
        }
        format!(
            "{}{}?{}",
            base_url.trim_end_matches('/'),
            self.path,
            ser.finish()
        )
    }

    /// Rejects filters, sorts and includes not in the allowed lists, with spatie's 400s.
    ///
    /// Pterodactyl only validates what it hands to spatie's query builder: endpoints it
    /// serves without one (nests, eggs) ignore unknown filters, and its includes go through
    /// Fractal, which ignores unknown names. Handlers that must mirror that use the
    /// individual `check_*` methods instead.
    ///
    /// # Errors
    /// [`Error::BadRequest`] naming the unknown names and the allowed ones.
    pub fn check(
        &self,
        allowed_filters: &[&str],
        allowed_sorts: &[&str],
        allowed_includes: &[&str],
    ) -> Result<(), Error> {
        self.check_filters(allowed_filters)?;
        self.check_sorts(allowed_sorts)?;
        self.check_includes(allowed_includes)
    }

    /// Rejects `filter[x]` names not in `allowed` (spatie `InvalidFilterQuery`).
    ///
    /// # Errors
    /// [`Error::BadRequest`]: "Requested filter(s) `x` are not allowed. Allowed filter(s)
    /// are `a, b`."
    pub fn check_filters(&self, allowed: &[&str]) -> Result<(), Error> {
        let unknown = unknown(self.filters.iter().map(|(n, _)| n.as_str()), allowed);
        if unknown.is_empty() {
            return Ok(());
        }
        Err(Error::BadRequest(format!(
            "Requested filter(s) `{}` are not allowed. Allowed filter(s) are `{}`.",
            unknown.join(", "),
            allowed.join(", ")
        )))
    }

    /// Rejects sort fields not in `allowed` (spatie `InvalidSortQuery`); `-` is ignored.
    ///
    /// # Errors
    /// [`Error::BadRequest`]: "Requested sort(s) `x` is not allowed. Allowed sort(s) are
    /// `a, b`."
    pub fn check_sorts(&self, allowed: &[&str]) -> Result<(), Error> {
        let unknown = unknown(self.sorts.iter().map(|s| s.field.as_str()), allowed);
        if unknown.is_empty() {
            return Ok(());
        }
        Err(Error::BadRequest(format!(
            "Requested sort(s) `{}` is not allowed. Allowed sort(s) are `{}`.",
            unknown.join(", "),
            allowed.join(", ")
        )))
    }

    /// Rejects includes whose first segment is not in `allowed` (spatie
    /// `InvalidIncludeQuery`). `servers.allocations` passes when `servers` is allowed: the
    /// nested part belongs to the related transformer, which Fractal checks itself.
    ///
    /// # Errors
    /// [`Error::BadRequest`]: "Requested include(s) `x` are not allowed. Allowed include(s)
    /// are `a, b`." (or "There are no allowed includes." when `allowed` is empty).
    pub fn check_includes(&self, allowed: &[&str]) -> Result<(), Error> {
        let unknown: Vec<&str> = self
            .includes
            .iter()
            .map(String::as_str)
            .filter(|i| {
                let head = i.split('.').next().unwrap_or(i);
                !allowed.contains(&head)
            })
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        let allowed_sentence = if allowed.is_empty() {
            "There are no allowed includes.".to_owned()
        } else {
            format!("Allowed include(s) are `{}`.", allowed.join(", "))
        };
        Err(Error::BadRequest(format!(
            "Requested include(s) `{}` are not allowed. {allowed_sentence}",
            unknown.join(", ")
        )))
    }
}

/// Splits `name[seg]...` into `("name", Some("seg"))`; a key without a well-formed first
/// bracket is plain: `("key", None)`. Deeper segments (`a[b][c]`) are not used by any
/// Pterodactyl endpoint and are ignored.
fn split_key(key: &str) -> (&str, Option<&str>) {
    if let Some(open) = key.find('[')
        && open > 0
        && let Some(len) = key[open + 1..].find(']')
    {
        return (&key[..open], Some(&key[open + 1..open + 1 + len]));
    }
    (key, None)
}

/// Comma-splits every value, trims, and drops empties.
fn split_list<'a>(values: &[&'a str]) -> impl Iterator<Item = &'a str> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn unknown<'a>(requested: impl Iterator<Item = &'a str>, allowed: &[&str]) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for name in requested {
        if !allowed.contains(&name) && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

fn parse_page(raw: Option<&str>) -> u64 {
    raw.and_then(|r| r.trim().parse::<i64>().ok())
        .and_then(|p| u64::try_from(p).ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1)
}

fn parse_per_page(raw: Option<&str>) -> Result<u64, Error> {
    let raw = match raw.map(str::trim) {
        None | Some("") => return Ok(DEFAULT_PER_PAGE),
        Some(r) => r,
    };
    let n: i64 = raw.parse().map_err(|_| {
        Error::validation("per_page", "integer", "The per page must be an integer.")
    })?;
    match u64::try_from(n) {
        Ok(n) if (1..=MAX_PER_PAGE).contains(&n) => Ok(n),
        _ => Err(Error::validation(
            "per_page",
            "between",
            format!("The per page must be between 1 and {MAX_PER_PAGE}."),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    fn q(query: &str) -> ListQuery {
        ListQuery::parse("/api/application/users", Some(query)).unwrap()
    }

    fn bad_request(e: Error) -> String {
        match e {
            Error::BadRequest(m) => m,
            other => panic!("expected BadRequest, got {other:?}"),
        }
    }

    #[test]
    fn includes_in_all_three_syntaxes() {
        assert_eq!(
            q("include=servers,location").includes(),
            ["servers", "location"]
        );
        assert_eq!(
            q("include[0]=servers&include[1]=location").includes(),
            ["servers", "location"]
        );
        assert_eq!(
            q("include[]=servers&include[]=location").includes(),
            ["servers", "location"]
        );
        assert_eq!(
            q("include%5B%5D=servers&include%5B%5D=location").includes(),
            ["servers", "location"]
        );
        assert_eq!(q("include=+servers+,,servers").includes(), ["servers"]);
        assert!(q("include=").includes().is_empty());
        assert!(!q("").has_include("servers"));
        assert!(q("include=servers").has_include("servers"));
    }

    #[test]
    fn filters_are_percent_decoded() {
        let query = q("filter%5Bemail%5D=a%40b.c&filter[name]=John+Doe&filter[uuid]=");
        assert_eq!(query.filter("email"), Some("a@b.c"));
        assert_eq!(query.filter("name"), Some("John Doe"));
        assert_eq!(query.filter("uuid"), None, "empty filter is skipped");
        assert_eq!(query.filters().len(), 3);
        assert_eq!(query.filter("missing"), None);

        let query = q("filter[id]=1,2,&filter[id]=3,4");
        assert_eq!(query.filter_values("id"), ["3", "4"], "last one wins");
    }

    #[test]
    fn sorts() {
        let query = q("sort=-id,uuid");
        assert_eq!(
            query.sorts(),
            [
                Sort {
                    field: "id".into(),
                    descending: true
                },
                Sort {
                    field: "uuid".into(),
                    descending: false
                }
            ]
        );
        assert_eq!(query.sort().map(|s| s.field.as_str()), Some("id"));
        assert!(q("sort=").sort().is_none());
    }

    #[test]
    fn pages() {
        assert_eq!(
            q("").page(),
            Page {
                page: 1,
                per_page: 50
            }
        );
        assert_eq!(
            q("page=3&per_page=10").page(),
            Page {
                page: 3,
                per_page: 10
            }
        );
        assert_eq!(q("page=0").page().page, 1);
        assert_eq!(q("page=-4").page().page, 1);
        assert_eq!(q("page=abc").page().page, 1);
        assert_eq!(q("per_page=").page().per_page, 50);
        assert_eq!(q("per_page=500").page().per_page, 500);

        let p = Page {
            page: 3,
            per_page: 25,
        };
        assert_eq!((p.offset(), p.limit()), (50, 25));
        let huge = Page {
            page: u64::MAX,
            per_page: 500,
        };
        assert_eq!(huge.offset(), i64::MAX.unsigned_abs());
    }

    #[test]
    fn bad_per_page_is_422() {
        for (raw, rule) in [
            ("abc", "integer"),
            ("1.5", "integer"),
            ("0", "between"),
            ("501", "between"),
            ("-1", "between"),
        ] {
            let err = ListQuery::parse("/x", Some(&format!("per_page={raw}"))).unwrap_err();
            match err {
                Error::Validation { field, rule: r, .. } => {
                    assert_eq!((field.as_str(), r.as_str()), ("per_page", rule), "{raw}");
                }
                other => panic!("{raw}: {other:?}"),
            }
        }
    }

    #[test]
    fn raw_and_array_params() {
        let query = q("location_ids[]=1&location_ids[]=2&dedicated_ip=true&search=a+b&search=c");
        assert_eq!(query.get_all("location_ids"), ["1", "2"]);
        assert_eq!(query.get("dedicated_ip"), Some("true"));
        assert_eq!(query.get("search"), Some("c"));
        assert_eq!(query.get("location_ids"), None);
        assert_eq!(
            q("location_ids[0]=1&location_ids[1]=5").get_all("location_ids"),
            ["1", "5"]
        );
        assert_eq!(q("location_ids%5B0%5D=7").get_all("location_ids"), ["7"]);
        assert!(q("location_ids=1").get_all("location_ids").is_empty());
        assert_eq!(query.pairs().count(), 5);
    }

    #[test]
    fn check_messages_match_spatie() {
        let query = q("filter[email]=a&filter[bogus]=b&sort=-nope&include=servers,secrets");
        assert_eq!(
            bad_request(query.check_filters(&["email", "uuid"]).unwrap_err()),
            "Requested filter(s) `bogus` are not allowed. Allowed filter(s) are `email, uuid`."
        );
        assert_eq!(
            bad_request(query.check_sorts(&["id", "uuid"]).unwrap_err()),
            "Requested sort(s) `nope` is not allowed. Allowed sort(s) are `id, uuid`."
        );
        assert_eq!(
            bad_request(query.check_includes(&["servers"]).unwrap_err()),
            "Requested include(s) `secrets` are not allowed. Allowed include(s) are `servers`."
        );
        assert_eq!(
            bad_request(query.check_includes(&[]).unwrap_err()),
            "Requested include(s) `servers, secrets` are not allowed. There are no allowed includes."
        );
        // check() reports the first failing kind.
        assert!(bad_request(query.check(&["email"], &[], &[]).unwrap_err()).contains("filter"));
        let ok = q("filter[email]=a&sort=-id&include=servers.allocations,location");
        ok.check(&["email"], &["id"], &["servers", "location"])
            .unwrap();
        q("").check(&[], &[], &[]).unwrap();
    }

    #[test]
    fn page_url_keeps_other_params() {
        let query = q("filter%5Bemail%5D=a%40b.c&page=2&per_page=10");
        assert_eq!(
            query.page_url("https://panel.test/", 3),
            "https://panel.test/api/application/users?filter%5Bemail%5D=a%40b.c&page=3&per_page=10"
        );
        assert_eq!(
            q("").page_url("https://panel.test", 2),
            "https://panel.test/api/application/users?page=2"
        );
    }

    #[tokio::test]
    async fn extractor_reads_the_original_uri() {
        let req = Request::builder()
            .uri("/users?include[]=servers&per_page=5")
            .extension(OriginalUri(Uri::from_static(
                "/api/application/users?include[]=servers&per_page=5",
            )))
            .body(())
            .unwrap();
        let (mut parts, ()) = req.into_parts();
        let query = ListQuery::from_request_parts(&mut parts, &())
            .await
            .unwrap();
        assert_eq!(query.path(), "/api/application/users");
        assert_eq!(query.includes(), ["servers"]);
        assert_eq!(query.page().per_page, 5);

        let req = Request::builder().uri("/x?per_page=nope").body(()).unwrap();
        let (mut parts, ()) = req.into_parts();
        assert!(matches!(
            ListQuery::from_request_parts(&mut parts, &()).await,
            Err(Error::Validation { .. })
        ));
    }
}
