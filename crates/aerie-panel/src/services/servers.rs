//! Servers: creation (explicit allocations or deploy), build, startup, details, suspension, reinstall, deletion.
