//! Subuser permission keys, exactly as Pterodactyl names them (`app/Models/Permission.php`).

/// Every grantable permission key, grouped as Pterodactyl groups them.
pub const GROUPS: &[(&str, &[&str])] = &[
    ("websocket", &["connect"]),
    ("control", &["console", "start", "stop", "restart"]),
    ("user", &["create", "read", "update", "delete"]),
    (
        "file",
        &[
            "create",
            "read",
            "read-content",
            "update",
            "delete",
            "archive",
            "sftp",
        ],
    ),
    (
        "backup",
        &["create", "read", "delete", "download", "restore"],
    ),
    ("allocation", &["read", "create", "update", "delete"]),
    ("startup", &["read", "update", "docker-image"]),
    (
        "database",
        &["create", "read", "update", "delete", "view_password"],
    ),
    ("schedule", &["create", "read", "update", "delete"]),
    ("settings", &["rename", "reinstall"]),
    ("activity", &["read"]),
];

/// Whether `key` (e.g. `file.read`) is a known permission.
pub fn is_known(key: &str) -> bool {
    let Some((group, action)) = key.split_once('.') else {
        return false;
    };
    GROUPS
        .iter()
        .any(|(g, actions)| *g == group && actions.contains(&action))
}

/// All keys, flattened (`websocket.connect`, `control.console`, …).
pub fn all() -> Vec<String> {
    GROUPS
        .iter()
        .flat_map(|(g, actions)| actions.iter().map(move |a| format!("{g}.{a}")))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn knows_pterodactyl_keys_only() {
        assert!(super::is_known("file.read-content"));
        assert!(super::is_known("database.view_password"));
        assert!(!super::is_known("file.move"));
        assert!(!super::is_known("admin.websocket.errors"));
        assert_eq!(super::all().len(), 40);
    }
}
