//! The fuzz target's property (`fuzz/fuzz_targets/resolve.rs`), run briefly in every
//! `cargo test` over 20 000 paths from a fixed-seed PRNG: normalising and resolving any path
//! never panics, and no lookup ever hands back an object outside the root (compared by
//! device and inode against the outside sentinel, its directory, the temporary directory,
//! the host root and `/etc/passwd`). Random writes and directory creations run too, and at
//! the end nothing outside was read or changed.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;
use std::fs;
use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use aerie_fs::{Jail, RelPath, Resolver};
use common::{Fixture, SECRET};

/// xorshift64*: deterministic and dependency-free.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "a", "b", ".", "..", "/", "/", "/", "\\", "out", "rel", "sec", "in", "loop", "up", "up2",
    "outside", "secret", "%2e%2e", "\0", "…", "․․", "etc", "passwd", "//", "./", "../", "b/a",
];

fn random_path(rng: &mut Rng) -> String {
    let mut p = String::new();
    if rng.below(2) == 0 {
        p.push('/');
    }
    for _ in 0..1 + rng.below(12) {
        match rng.below(40) {
            0 => p.push_str(&"x".repeat(200 + rng.below(200))),
            1 => p.push_str(&"a/".repeat(2040 + rng.below(16))), // around PATH_MAX
            _ => p.push_str(TOKENS[rng.below(TOKENS.len())]),
        }
    }
    p
}

fn forbidden(fx: &Fixture) -> HashSet<(u64, u64)> {
    let id = |p: &Path| {
        let m = fs::metadata(p).unwrap();
        (m.dev(), m.ino())
    };
    [
        id(&fx.outside),
        id(&fx.outside.join("secret")),
        id(&fx.outside.join("dir")),
        id(&fx.outside.join("dir/nested")),
        id(fx.tmp.path()),
        id(&fx.tmp.path().join("beside-root")),
        id(Path::new("/")),
        id(Path::new("/etc")),
        id(Path::new("/etc/passwd")),
    ]
    .into_iter()
    .collect()
}

fn furnish(fx: &Fixture) {
    fx.file("a", b"inside a");
    fx.file("b/a", b"inside b/a");
    fx.symlink(&fx.outside, "out");
    fx.symlink("../outside", "rel");
    fx.symlink("../outside/secret", "sec");
    fx.symlink("b", "in");
    fx.symlink("loop", "loop");
    fx.symlink("..", "up");
    fx.symlink("../..", "b/up2");
    fx.symlink("/etc", "etc");
}

#[derive(Default, Debug)]
struct Tally {
    found: usize,
    escapes: usize,
}

fn check_one(jail: &Jail, bad: &HashSet<(u64, u64)>, path: &str, write: bool, tally: &mut Tally) {
    let _ = RelPath::parse(path);
    match jail.stat(path) {
        Ok(_) => tally.found += 1,
        Err(aerie_fs::Error::Escape) => tally.escapes += 1,
        Err(_) => {}
    }
    let ok = |dev: u64, ino: u64, what: &str| {
        assert!(
            !bad.contains(&(dev, ino)),
            "{what}({path:?}) reached an outside object"
        )
    };
    if let Ok(st) = jail.stat(path) {
        ok(st.meta.dev, st.meta.ino, "stat");
    }
    if let Ok(st) = jail.symlink_metadata(path) {
        ok(st.meta.dev, st.meta.ino, "symlink_metadata");
    }
    if let Ok(mut f) = jail.open_read(path) {
        let m = f.metadata().unwrap();
        ok(m.dev(), m.ino(), "open_read");
        let mut v = Vec::new();
        f.read_to_end(&mut v).unwrap();
        assert_ne!(v, SECRET, "open_read({path:?}) read the secret");
    }
    if let Ok(list) = jail.list(path) {
        for e in list {
            ok(e.meta.dev, e.meta.ino, "list");
        }
    }
    if write {
        let _ = jail.create_dir_all(path);
        let _ = jail.write_all(path, b"w");
    }
}

fn run(resolver: Resolver, seed: u64, iterations: usize) {
    let fx = Fixture::new(resolver);
    furnish(&fx);
    let jail = fx.jail();
    let bad = forbidden(&fx);
    let mut rng = Rng(seed);
    let mut tally = Tally::default();
    for i in 0..iterations {
        let path = random_path(&mut rng);
        check_one(
            &jail,
            &bad,
            &path,
            i % 8 == 0 && path.len() < 256,
            &mut tally,
        );
    }
    // The property means little unless lookups both succeed and get refused often.
    eprintln!("{tally:?}");
    assert!(
        tally.found > iterations / 20 && tally.escapes > iterations / 20,
        "{tally:?}"
    );
    fx.assert_outside_untouched();
    fx.assert_secrets_intact();
}

#[test]
fn random_paths_never_escape_openat2() {
    run(Resolver::Openat2, 0x9E37_79B9_7F4A_7C15, 10_000);
}

#[test]
fn random_paths_never_escape_component_walk() {
    run(Resolver::ComponentWalk, 0xD1B5_4A32_D192_ED03, 10_000);
}
