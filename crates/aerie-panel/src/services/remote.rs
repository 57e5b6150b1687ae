//! The remote API wings calls: server settings documents, install scripts, callbacks.
