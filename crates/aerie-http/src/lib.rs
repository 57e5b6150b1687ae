//! HTTP plumbing shared by the panel and wings: the one [`Error`] type and its mapping to
//! responses, request ids, request spans carrying the matched route, and the [`serve`] seam
//! that tests use to run a real server on an ephemeral port.
#![forbid(unsafe_code)]
#![cfg_attr(test, allow(clippy::unwrap_used))]

mod error;
mod serve;
mod tap;

pub use error::{Envelope, Error, ErrorInfo, Result, envelope_layer};
pub use serve::{serve, shutdown_signal, with_observability};
pub use tap::{CopyError, Peer, RawBody, Tap, serve_tapped};
