//! Test fixture: a temporary directory holding the server root and, next to it, an
//! "outside" directory with secrets that no jail operation may read, write or list.
//!
//! `Fixture::assert_outside_untouched` compares a metadata snapshot of everything outside the
//! root (the outside tree, the temporary directory's own entries, `/etc/passwd`): sizes,
//! modes, inode numbers, link counts, mtimes, ctimes (a chmod, chown or link changes ctime)
//! and, where the filesystem updates them, atimes. The secret's atime is set before its mtime
//! at setup, so under `relatime` the first read of its content would move it: that is how the
//! tests see that nothing outside was *read*.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fs::{self, File, FileTimes};
use std::io::Read;
use std::os::unix::fs::{MetadataExt, symlink};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use aerie_fs::{Error, Jail, JailOptions, Resolver};

pub const SECRET: &[u8] = b"TOP SECRET host data";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    kind: &'static str,
    size: u64,
    mode: u32,
    ino: u64,
    nlink: u64,
    uid: u32,
    gid: u32,
    mtime: (i64, i64),
    ctime: (i64, i64),
    atime: Option<(i64, i64)>,
    link: Option<PathBuf>,
}

pub struct Fixture {
    pub tmp: tempfile::TempDir,
    pub root: PathBuf,
    pub outside: PathBuf,
    pub resolver: Resolver,
    atime_works: bool,
    snapshot: BTreeMap<PathBuf, Entry>,
}

impl Fixture {
    /// A fresh root and outside tree; the jail is opened with `resolver`.
    pub fn new(resolver: Resolver) -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("root");
        let outside = tmp.path().join("outside");
        fs::create_dir(&root).unwrap();
        fs::create_dir_all(outside.join("dir")).unwrap();
        fs::write(outside.join("secret"), SECRET).unwrap();
        fs::write(outside.join("dir/nested"), SECRET).unwrap();
        fs::write(tmp.path().join("beside-root"), SECRET).unwrap();
        let atime_works = probe_atime(tmp.path());
        let mut fx = Fixture {
            tmp,
            root,
            outside,
            resolver,
            atime_works,
            snapshot: BTreeMap::new(),
        };
        fx.age_atimes();
        fx.snapshot = fx.take_snapshot();
        fx
    }

    pub fn options(&self) -> JailOptions {
        let md = fs::metadata(&self.root).unwrap();
        JailOptions {
            uid: md.uid(),
            gid: md.gid(),
            ..JailOptions::default()
        }
    }

    pub fn jail(&self) -> Jail {
        self.jail_with(self.options())
    }

    pub fn jail_with(&self, options: JailOptions) -> Jail {
        let jail = Jail::open(&self.root, options).unwrap();
        if self.resolver == Resolver::ComponentWalk {
            jail.with_resolver(Resolver::ComponentWalk)
        } else {
            jail
        }
    }

    /// `root/<name>` as a host path.
    pub fn r(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    pub fn symlink(&self, target: impl AsRef<Path>, name: &str) {
        let p = self.r(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        symlink(target, p).unwrap();
    }

    pub fn file(&self, name: &str, content: &[u8]) {
        let p = self.r(name);
        if let Some(parent) = p.parent() {
            fs::create_dir_all(parent).unwrap();
        }
        fs::write(p, content).unwrap();
    }

    /// Takes the snapshot again (after a setup step that legitimately touches the outside,
    /// such as creating a hard link to it).
    pub fn resnapshot(&mut self) {
        self.age_atimes();
        self.snapshot = self.take_snapshot();
    }

    /// Nothing outside the root changed, was created, or was read.
    #[track_caller]
    pub fn assert_outside_untouched(&self) {
        let now = self.take_snapshot();
        assert_eq!(
            self.snapshot, now,
            "something outside the server root changed"
        );
    }

    /// Whether the snapshot differs (for the fixture's own self-test).
    pub fn outside_changed(&self) -> bool {
        self.snapshot != self.take_snapshot()
    }

    /// Whether the filesystem lets the fixture see reads (atime under relatime).
    pub fn sees_reads(&self) -> bool {
        self.atime_works
    }

    /// The error is the expected kind, and the outside is untouched.
    #[track_caller]
    pub fn refused<T: std::fmt::Debug>(
        &self,
        result: Result<T, Error>,
        expect: fn(&Error) -> bool,
    ) {
        match result {
            Ok(v) => panic!("expected a refusal, got Ok({v:?})"),
            Err(e) => assert!(expect(&e), "unexpected error: {e:?}"),
        }
        self.assert_outside_untouched();
    }

    /// Reads the secrets' content (which bumps their atime: call last).
    pub fn assert_secrets_intact(&self) {
        assert_eq!(fs::read(self.outside.join("secret")).unwrap(), SECRET);
        assert_eq!(fs::read(self.outside.join("dir/nested")).unwrap(), SECRET);
        assert_eq!(
            fs::read(self.tmp.path().join("beside-root")).unwrap(),
            SECRET
        );
    }

    fn age_atimes(&self) {
        // atime older than mtime: relatime updates it on the next read.
        let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        for p in [
            self.outside.join("secret"),
            self.outside.join("dir/nested"),
            self.tmp.path().join("beside-root"),
        ] {
            File::options()
                .write(true)
                .open(&p)
                .unwrap()
                .set_times(FileTimes::new().set_accessed(old))
                .unwrap();
        }
    }

    fn take_snapshot(&self) -> BTreeMap<PathBuf, Entry> {
        let mut out = BTreeMap::new();
        let base = self.tmp.path();
        out.insert(base.to_path_buf(), entry(base, false));
        for e in fs::read_dir(base).unwrap() {
            let p = e.unwrap().path();
            if p == self.root {
                continue;
            }
            walk(&p, self.atime_works, &mut out);
        }
        out.insert(
            PathBuf::from("/etc/passwd"),
            entry(Path::new("/etc/passwd"), false),
        );
        out
    }
}

fn walk(p: &Path, atime: bool, out: &mut BTreeMap<PathBuf, Entry>) {
    let e = entry(p, atime);
    let is_dir = e.kind == "dir";
    out.insert(p.to_path_buf(), e);
    if is_dir {
        for c in fs::read_dir(p).unwrap() {
            walk(&c.unwrap().path(), atime, out);
        }
    }
}

fn entry(p: &Path, atime: bool) -> Entry {
    let md = fs::symlink_metadata(p).unwrap();
    let ft = md.file_type();
    let kind = if ft.is_dir() {
        "dir"
    } else if ft.is_symlink() {
        "link"
    } else if ft.is_file() {
        "file"
    } else {
        "other"
    };
    Entry {
        kind,
        size: if ft.is_dir() { 0 } else { md.size() },
        mode: md.mode(),
        ino: md.ino(),
        nlink: md.nlink(),
        uid: md.uid(),
        gid: md.gid(),
        mtime: (md.mtime(), md.mtime_nsec()),
        // a directory's ctime changes when its entries change, which its mtime shows too
        ctime: (md.ctime(), md.ctime_nsec()),
        atime: (atime && ft.is_file()).then(|| (md.atime(), md.atime_nsec())),
        link: ft.is_symlink().then(|| fs::read_link(p).unwrap()),
    }
}

/// Whether reading a file whose atime is older than its mtime updates the atime here.
fn probe_atime(dir: &Path) -> bool {
    let p = dir.join("atime-probe");
    fs::write(&p, b"x").unwrap();
    let old = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
    File::options()
        .write(true)
        .open(&p)
        .unwrap()
        .set_times(FileTimes::new().set_accessed(old))
        .unwrap();
    let before = fs::metadata(&p).unwrap().atime();
    let mut s = String::new();
    File::open(&p).unwrap().read_to_string(&mut s).unwrap();
    let after = fs::metadata(&p).unwrap().atime();
    fs::remove_file(&p).unwrap();
    if before == after {
        eprintln!(
            "note: this filesystem does not update atime on read; the 'nothing was read' check is off"
        );
    }
    before != after
}

/// Runs a test body once per resolver.
#[macro_export]
macro_rules! both_resolvers {
    ($($name:ident => $body:expr;)+) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                #[test]
                fn openat2() {
                    let f: fn(&mut $crate::common::Fixture) = $body;
                    f(&mut $crate::common::Fixture::new(aerie_fs::Resolver::Openat2));
                }
                #[test]
                fn component_walk() {
                    let f: fn(&mut $crate::common::Fixture) = $body;
                    f(&mut $crate::common::Fixture::new(aerie_fs::Resolver::ComponentWalk));
                }
            }
        )+
    };
}
