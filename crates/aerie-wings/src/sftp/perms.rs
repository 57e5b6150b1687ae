//! The panel permissions an SFTP operation needs.
//!
//! | SFTP request | permission |
//! | --- | --- |
//! | `STAT`, `LSTAT`, `FSTAT`, `OPENDIR`, `READDIR` | `file.read` |
//! | `OPEN` for reading | `file.read-content` |
//! | `OPEN` for writing a file that does not exist yet (it is created) | `file.create` |
//! | `OPEN` for writing (or truncating) an existing file | `file.update` |
//! | `MKDIR` | `file.create` |
//! | `RENAME` | `file.update` |
//! | `REMOVE`, `RMDIR` | `file.delete` |
//! | `SETSTAT`, `FSETSTAT` (mode, truncation to zero) | `file.update` |
//! | `REALPATH` | none (it only does arithmetic on names) |
//! | `SYMLINK` | refused to everyone |
//! | `READLINK` | not supported (a target may name a host path) |
//!
//! A rename needs `file.update` only, like the panel's file manager: it changes the name
//! of an existing file and creates no content, so whoever may rename in the browser may
//! rename over SFTP. `*` grants everything. `file.sftp`, which the panel demands of
//! subusers before it accepts their login at all, is not checked again here.

/// One permission key the SFTP server checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilePermission {
    /// `file.read`: list directories and see metadata.
    Read,
    /// `file.read-content`: download files.
    ReadContent,
    /// `file.create`: create files and directories.
    Create,
    /// `file.update`: change existing files (content, name, mode).
    Update,
    /// `file.delete`: delete files and directories.
    Delete,
}

impl FilePermission {
    /// The panel's key for this permission.
    pub fn key(self) -> &'static str {
        match self {
            FilePermission::Read => "file.read",
            FilePermission::ReadContent => "file.read-content",
            FilePermission::Create => "file.create",
            FilePermission::Update => "file.update",
            FilePermission::Delete => "file.delete",
        }
    }
}

/// What a logged-in SFTP user may do on their server.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Grants {
    all: bool,
    keys: Vec<String>,
}

impl Grants {
    /// From the panel's permission list.
    pub fn new(permissions: &[String]) -> Self {
        Self {
            all: permissions.iter().any(|p| p == "*"),
            keys: permissions.to_vec(),
        }
    }

    /// Whether `p` is granted.
    pub fn allows(&self, p: FilePermission) -> bool {
        self.all || self.keys.iter().any(|k| k == p.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn star_grants_everything_and_keys_are_exact() {
        let all = Grants::new(&["*".into()]);
        let some = Grants::new(&["file.read".into(), "file.update".into(), "file.sftp".into()]);
        for p in [
            FilePermission::Read,
            FilePermission::ReadContent,
            FilePermission::Create,
            FilePermission::Update,
            FilePermission::Delete,
        ] {
            assert!(all.allows(p));
        }
        assert!(some.allows(FilePermission::Read) && some.allows(FilePermission::Update));
        assert!(
            !some.allows(FilePermission::ReadContent),
            "file.read does not imply file.read-content"
        );
        assert!(!some.allows(FilePermission::Delete));
        assert!(!Grants::new(&["file.*".into()]).allows(FilePermission::Delete));
    }
}
