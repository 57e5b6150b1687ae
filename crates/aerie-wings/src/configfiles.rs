//! Applies an egg's config-file edits to a server's files before each start, with the
//! parsers of `aerie-eggs`. Files are written atomically (temp file + rename), so a crash
//! mid-write never leaves a half-written config, and only when something changed.
//!
//! The edited path must stay inside the server root: absolute paths, `..` and symlinks
//! (a user could plant one pointing at a host file, which wings, running as root, would
//! then rewrite) are refused. The full `openat2` jail arrives with the file manager.

use std::path::{Component, Path, PathBuf};

use aerie_eggs::PlaceholderContext;
use aerie_proto::wings::{ConfigFile, ServerSettings};

use crate::server::NodeSettings;

/// Applies every config edit; returns console messages for files that could not be edited.
pub fn apply_all(
    root: &Path,
    configs: &[ConfigFile],
    settings: &ServerSettings,
    node: &NodeSettings,
) -> Vec<String> {
    let ctx = PlaceholderContext::from_server_settings(settings, node.config_json.clone());
    let mut messages = Vec::new();
    for c in configs {
        if let Err(e) = apply_one(root, c, &ctx, node) {
            tracing::warn!(server.uuid = %settings.uuid, file = %c.file, error.message = %e, "config file not updated");
            messages.push(format!("Could not update {}: {e}", c.file));
        }
    }
    messages
}

fn jailed(root: &Path, rel: &str) -> Result<PathBuf, String> {
    let rel = rel.trim_start_matches("./");
    let p = Path::new(rel);
    if rel.is_empty() || p.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err("the path must be relative to the server root, without `..`".into());
    }
    let mut cur = root.to_path_buf();
    for comp in p.components() {
        cur.push(comp);
        match cur.symlink_metadata() {
            Ok(md) if md.file_type().is_symlink() => {
                return Err("the path goes through a symbolic link".into());
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok(cur)
}

fn apply_one(
    root: &Path,
    c: &ConfigFile,
    ctx: &PlaceholderContext,
    node: &NodeSettings,
) -> Result<(), String> {
    let path = jailed(root, &c.file)?;
    let original = match std::fs::read(&path) {
        Ok(b) => String::from_utf8(b).map_err(|_| "the file is not UTF-8 text".to_owned())?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e.to_string()),
    };
    let updated = aerie_eggs::apply_config_file(&c.parser, &original, &c.replace, ctx)
        .map_err(|e| e.to_string())?;
    if updated == original && path.exists() {
        return Ok(());
    }
    let dir = path.parent().ok_or("no parent directory")?;
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let tmp = dir.join(format!(
        ".{}.aerie-tmp",
        path.file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("config")
    ));
    std::fs::write(&tmp, updated.as_bytes()).map_err(|e| e.to_string())?;
    if let Ok(md) = std::fs::metadata(&path) {
        let _ = std::fs::set_permissions(&tmp, md.permissions());
    }
    let _ = std::os::unix::fs::lchown(&tmp, Some(node.uid), Some(node.gid));
    std::fs::rename(&tmp, &path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        e.to_string()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aerie_proto::wings::ConfigReplace;

    fn settings() -> ServerSettings {
        let mut s = ServerSettings {
            uuid: "u".into(),
            ..Default::default()
        };
        s.allocations.default.ip = "127.0.0.1".into();
        s.allocations.default.port = 4242;
        s.environment
            .insert("SERVER_NAME".into(), serde_json::json!("Hello"));
        s
    }

    #[test]
    fn edits_files_and_refuses_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("srv");
        std::fs::create_dir_all(&root).unwrap();
        std::fs::write(
            root.join("openttd.cfg"),
            "[network]\nserver_port = 3979\n# keep me\n",
        )
        .unwrap();
        let node = NodeSettings {
            uid: nix_uid(),
            gid: nix_gid(),
            ..NodeSettings::default()
        };
        let cfg = |file: &str| ConfigFile {
            file: file.into(),
            parser: "ini".into(),
            replace: vec![ConfigReplace {
                matcher: "network.server_port".into(),
                if_value: None,
                replace_with: serde_json::json!("{{server.build.default.port}}"),
            }],
        };
        let msgs = apply_all(
            &root,
            &[cfg("openttd.cfg"), cfg("new/dir/created.cfg")],
            &settings(),
            &node,
        );
        assert!(msgs.is_empty(), "{msgs:?}");
        let text = std::fs::read_to_string(root.join("openttd.cfg")).unwrap();
        assert!(text.contains("server_port = 4242"), "{text}");
        assert!(text.contains("# keep me"));
        assert!(root.join("new/dir/created.cfg").exists());

        // Escapes: absolute, parent, and a symlink planted by the user.
        std::fs::write(
            dir.path().join("outside.cfg"),
            "[network]\nserver_port = 1\n",
        )
        .unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside.cfg"), root.join("evil.cfg")).unwrap();
        std::os::unix::fs::symlink(dir.path(), root.join("evildir")).unwrap();
        let msgs = apply_all(
            &root,
            &[
                cfg("/etc/passwd"),
                cfg("../outside.cfg"),
                cfg("evil.cfg"),
                cfg("evildir/outside.cfg"),
            ],
            &settings(),
            &node,
        );
        assert_eq!(msgs.len(), 4, "{msgs:?}");
        assert_eq!(
            std::fs::read_to_string(dir.path().join("outside.cfg")).unwrap(),
            "[network]\nserver_port = 1\n"
        );

        // Unknown parser: a clear message, the file untouched.
        let mut bad = cfg("openttd.cfg");
        bad.parser = "toml".into();
        let msgs = apply_all(&root, &[bad], &settings(), &node);
        assert_eq!(msgs.len(), 1);
        assert!(
            std::fs::read_to_string(root.join("openttd.cfg"))
                .unwrap()
                .contains("server_port = 4242")
        );
    }

    fn nix_uid() -> u32 {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self")
            .map(|m| m.uid())
            .unwrap_or(0)
    }
    fn nix_gid() -> u32 {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata("/proc/self")
            .map(|m| m.gid())
            .unwrap_or(0)
    }
}
