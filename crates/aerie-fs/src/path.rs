//! Normalising what users type into a list of plain names beneath the server root.
//!
//! This is hygiene, not the security boundary: the kernel resolves the result beneath the root
//! fd (see [`crate::resolve`]), so a mistake here can at worst refuse a good path, never reach a
//! file outside. The rules:
//!
//! - the path is relative to the server root; leading (and repeated) `/` are ignored, so
//!   `/etc/passwd` names `<root>/etc/passwd`;
//! - `.` components disappear; `..` removes the previous component, and a `..` that would
//!   climb above the root is [`Error::Escape`] (even if later components would come back);
//! - a NUL byte is [`Error::InvalidPath`]; `\` is an ordinary character, as on Linux;
//!   `%2e%2e` is an ordinary name (the HTTP layer has already percent-decoded once);
//! - a path of `PATH_MAX` (4096) bytes or more, or a component longer than `NAME_MAX` (255
//!   bytes), is [`Error::InvalidPath`].
//!
//! `..` is collapsed lexically, like Go's `filepath.Clean` that Wings uses: `link/..` is the
//! root even when `link` is a symbolic link to a deeper directory.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Linux `PATH_MAX`, including the terminating NUL.
pub const PATH_MAX: usize = 4096;
/// Linux `NAME_MAX`: the longest single file name in bytes.
pub const NAME_MAX: usize = 255;

/// A normalised path beneath the server root: zero or more plain names, none of them empty,
/// `.`, `..`, or containing `/` or NUL. Zero names is the root itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct RelPath {
    names: Vec<String>,
}

impl RelPath {
    /// Normalises a user path (see the module docs for the rules).
    pub fn parse(input: &str) -> Result<RelPath> {
        if input.contains('\0') {
            return Err(Error::InvalidPath {
                reason: "the path contains a NUL byte",
            });
        }
        if input.len() >= PATH_MAX {
            return Err(Error::InvalidPath {
                reason: "the path is too long",
            });
        }
        let mut names: Vec<String> = Vec::new();
        for part in input.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    if names.pop().is_none() {
                        return Err(Error::Escape);
                    }
                }
                name => {
                    if name.len() > NAME_MAX {
                        return Err(Error::InvalidPath {
                            reason: "a file name in the path is longer than 255 bytes",
                        });
                    }
                    names.push(name.to_owned());
                }
            }
        }
        Ok(RelPath { names })
    }

    /// The server root.
    pub fn root() -> RelPath {
        RelPath::default()
    }

    /// Whether this is the server root.
    pub fn is_root(&self) -> bool {
        self.names.is_empty()
    }

    /// The names, outermost first.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The last name, `None` for the root.
    pub fn file_name(&self) -> Option<&str> {
        self.names.last().map(String::as_str)
    }

    /// The containing directory, `None` for the root.
    pub fn parent(&self) -> Option<RelPath> {
        let (_, rest) = self.names.split_last()?;
        Some(RelPath {
            names: rest.to_vec(),
        })
    }

    /// This path with one more name; `name` must be a single plain name.
    pub fn join(&self, name: &str) -> Result<RelPath> {
        if name.is_empty()
            || name == "."
            || name == ".."
            || name.contains('/')
            || name.contains('\0')
            || name.len() > NAME_MAX
        {
            return Err(Error::InvalidPath {
                reason: "not a valid file name",
            });
        }
        let mut names = self.names.clone();
        names.push(name.to_owned());
        Ok(RelPath { names })
    }

    /// The path relative to the root as the kernel should see it: `a/b`, or `.` for the root.
    pub fn to_relative(&self) -> PathBuf {
        if self.names.is_empty() {
            PathBuf::from(".")
        } else {
            self.names.iter().collect()
        }
    }

    /// Whether `self` is `other` or lies beneath it.
    pub fn starts_with(&self, other: &RelPath) -> bool {
        self.names.starts_with(&other.names)
    }

    /// The relative path as a `Path` without the leading `/` (`""` for the root), the form the
    /// denylist matches against.
    pub(crate) fn as_match_path(&self) -> PathBuf {
        self.names.iter().collect::<PathBuf>()
    }
}

impl fmt::Display for RelPath {
    /// `/a/b`, or `/` for the root: the form users see.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.names.is_empty() {
            return f.write_str("/");
        }
        for n in &self.names {
            write!(f, "/{n}")?;
        }
        Ok(())
    }
}

impl AsRef<[String]> for RelPath {
    fn as_ref(&self) -> &[String] {
        &self.names
    }
}

/// Joins names for the kernel (`a/b/c`, `.` when empty).
pub(crate) fn kernel_path<S: AsRef<Path>>(names: &[S]) -> PathBuf {
    if names.is_empty() {
        PathBuf::from(".")
    } else {
        names.iter().map(AsRef::as_ref).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Result<String> {
        RelPath::parse(s).map(|r| r.to_string())
    }

    #[test]
    fn normalises() {
        assert_eq!(p("").unwrap(), "/");
        assert_eq!(p("/").unwrap(), "/");
        assert_eq!(p("//a///b/").unwrap(), "/a/b");
        assert_eq!(p("./a/./b/.").unwrap(), "/a/b");
        assert_eq!(p("a/../b").unwrap(), "/b");
        assert_eq!(p("a/b/..").unwrap(), "/a");
        assert_eq!(p("a/..").unwrap(), "/");
        assert_eq!(p("/etc/passwd").unwrap(), "/etc/passwd");
        assert_eq!(p("a\\..\\b").unwrap(), "/a\\..\\b");
        assert_eq!(p("%2e%2e/x").unwrap(), "/%2e%2e/x");
        assert_eq!(p("...").unwrap(), "/...");
        assert_eq!(p("a/.../b").unwrap(), "/a/.../b");
    }

    #[test]
    fn refuses_climbing_and_bad_bytes() {
        assert!(matches!(p(".."), Err(Error::Escape)));
        assert!(matches!(p("../x"), Err(Error::Escape)));
        assert!(matches!(p("/../x"), Err(Error::Escape)));
        assert!(matches!(p("a/../../x"), Err(Error::Escape)));
        assert!(matches!(p("a/../../a/x"), Err(Error::Escape)));
        assert!(matches!(p("a/b/../../../x"), Err(Error::Escape)));
        assert!(matches!(p("a\0b"), Err(Error::InvalidPath { .. })));
        assert!(matches!(
            p(&"a/".repeat(3000)),
            Err(Error::InvalidPath { .. })
        ));
        assert!(matches!(
            p(&"x".repeat(256)),
            Err(Error::InvalidPath { .. })
        ));
        assert!(p(&"x".repeat(255)).is_ok());
    }

    #[test]
    fn parent_join_and_forms() {
        let r = RelPath::parse("/a/b").unwrap();
        assert_eq!(r.parent().unwrap().to_string(), "/a");
        assert_eq!(r.file_name(), Some("b"));
        assert_eq!(r.to_relative(), PathBuf::from("a/b"));
        assert_eq!(RelPath::root().to_relative(), PathBuf::from("."));
        assert!(RelPath::root().parent().is_none());
        assert!(r.join("..").is_err());
        assert!(r.join("c/d").is_err());
        assert_eq!(r.join("c").unwrap().to_string(), "/a/b/c");
        assert!(r.starts_with(&RelPath::parse("a").unwrap()));
        assert!(!r.starts_with(&RelPath::parse("ab").unwrap()));
    }
}
