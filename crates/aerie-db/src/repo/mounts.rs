//! Mounts and their egg/node/server links.
