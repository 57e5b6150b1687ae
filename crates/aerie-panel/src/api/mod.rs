//! The Pterodactyl-compatible API framework that every application and client API handler
//! builds on. It owns the wire conventions third-party clients depend on, so that no handler
//! re-implements them:
//!
//! - [`fractal`]: response bodies exactly as Pterodactyl's `PterodactylSerializer` writes them
//!   (`{"object","attributes"}` items, `list` collections, includes under
//!   `attributes.relationships`, `meta.pagination`), the 200/201/204 helpers and the two
//!   timestamp formats.
//! - [`query`]: the [`ListQuery`] extractor, which reads `filter[..]`, `sort`, `include`,
//!   `page` and `per_page` the way spatie/laravel-query-builder and Laravel do, and rejects
//!   unknown filters, sorts and includes with spatie's messages.
//! - [`body`]: the [`JsonBody`] extractor (malformed JSON → 400, wrong shape → 422 with the
//!   offending field) and the [`Validator`] with Laravel's messages.
//! - [`ratelimit`]: the per-key [`RateLimiter`] value and its middleware, which set
//!   `X-RateLimit-*` headers and answer 429 when a key is over its budget.
//!
//! Errors are always [`aerie_http::Error`]; its envelope middleware writes the
//! `{"errors":[...]}` body.

pub mod body;
pub mod fractal;
pub mod query;
pub mod ratelimit;
pub mod schemas;

pub use body::{JsonBody, MAX_BODY_BYTES, Validator, parse_json};
pub use fractal::{
    Item, List, Pagination, Transformer, atom_timestamp, attach_relationship, created, item,
    laravel_timestamp, list, no_content, null_resource, ok, parse_timestamp, to_attributes,
};
pub use query::{ListQuery, Page, Sort};
pub use ratelimit::{
    Clock, Decision, ManualClock, RateLimiter, SystemClock, rate_limit, request_key,
};
