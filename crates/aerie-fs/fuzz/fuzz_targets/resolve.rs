//! Fuzzes path normalisation and resolution: arbitrary bytes (as a lossy UTF-8 path) go to
//! `RelPath::parse` and to `stat`, `symlink_metadata` and `open_read` on a jail over a fixed
//! tree whose root holds symbolic links pointing outside (absolute, relative, `..`, chains,
//! a loop). The property: no panic, and no lookup returns an object outside the root (by
//! device and inode, against the outside sentinel directory and file, the tree's base, the
//! host root and `/etc/passwd`). Both resolvers are exercised.
//!
//! `tests/resolve_property.rs` runs the same property over 20 000 seeded paths in every
//! `cargo test`.
#![no_main]

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::os::unix::fs::{MetadataExt, symlink};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use aerie_fs::{Jail, JailOptions, RelPath, Resolver};
use libfuzzer_sys::fuzz_target;

const SECRET: &[u8] = b"TOP SECRET host data";

struct World {
    jails: Vec<Jail>,
    outside_objects: HashSet<(u64, u64)>,
}

fn id(p: &Path) -> (u64, u64) {
    let m = fs::metadata(p).expect("fixture metadata");
    (m.dev(), m.ino())
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let base: PathBuf = std::env::temp_dir().join(format!("aerie-fs-fuzz-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        let root = base.join("root");
        let outside = base.join("outside");
        fs::create_dir_all(root.join("b")).expect("root");
        fs::create_dir_all(outside.join("dir")).expect("outside");
        fs::write(outside.join("secret"), SECRET).expect("secret");
        fs::write(root.join("a"), b"inside a").expect("a");
        fs::write(root.join("b/a"), b"inside b/a").expect("b/a");
        for (target, name) in [
            (outside.to_str().expect("utf-8 temp dir"), "out"),
            ("../outside", "rel"),
            ("../outside/secret", "sec"),
            ("b", "in"),
            ("loop", "loop"),
            ("..", "up"),
            ("../..", "b/up2"),
            ("/etc", "etc"),
            ("sec", "chain"),
        ] {
            symlink(target, root.join(name)).expect("symlink");
        }
        let open = |r| Jail::open(&root, JailOptions::default()).expect("jail").with_resolver(r);
        World {
            jails: vec![open(Resolver::Openat2), open(Resolver::ComponentWalk)],
            outside_objects: [
                id(&outside),
                id(&outside.join("secret")),
                id(&outside.join("dir")),
                id(&base),
                id(Path::new("/")),
                id(Path::new("/etc")),
                id(Path::new("/etc/passwd")),
            ]
            .into_iter()
            .collect(),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let w = world();
    let path = String::from_utf8_lossy(data);
    let _ = RelPath::parse(&path);
    for jail in &w.jails {
        if let Ok(st) = jail.stat(&path) {
            assert!(!w.outside_objects.contains(&(st.meta.dev, st.meta.ino)), "stat({path:?}) escaped");
        }
        if let Ok(st) = jail.symlink_metadata(&path) {
            assert!(!w.outside_objects.contains(&(st.meta.dev, st.meta.ino)), "symlink_metadata({path:?}) escaped");
        }
        if let Ok(mut f) = jail.open_read(&path) {
            let m = f.metadata().expect("fstat");
            assert!(!w.outside_objects.contains(&(m.dev(), m.ino())), "open_read({path:?}) escaped");
            let mut v = Vec::new();
            let _ = f.read_to_end(&mut v);
            assert_ne!(v, SECRET, "open_read({path:?}) read the secret");
        }
    }
});
