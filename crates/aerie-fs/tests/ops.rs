//! The operations themselves: listings and `Stat` JSON on real files, copy naming, rename,
//! chmod, ownership, the denylist on every operation, read-only jails, and disk accounting.
#![allow(clippy::unwrap_used)]

mod common;

use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};

use aerie_fs::{Error, Jail, JailOptions, Resolver};
use common::Fixture;

fn fx() -> Fixture {
    Fixture::new(Resolver::Openat2)
}

fn limited(fx: &Fixture, limit: u64) -> Jail {
    fx.jail_with(JailOptions {
        disk_limit_bytes: limit,
        ..fx.options()
    })
}

// ---- listing and stat -------------------------------------------------------------------------

#[test]
fn list_sorts_directories_first_then_by_name() {
    let fx = fx();
    fx.file("b.txt", b"b");
    fx.file("a.txt", b"a");
    fx.file("zdir/x", b"");
    fx.file("adir/x", b"");
    fx.symlink("a.txt", "link");
    let names: Vec<String> = fx
        .jail()
        .list("/")
        .unwrap()
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(names, ["adir", "zdir", "a.txt", "b.txt", "link"]);
}

#[test]
fn stat_json_on_real_files() {
    let fx = fx();
    fx.file("plugins/server.properties", b"motd=hi\n");
    fs::set_permissions(
        fx.r("plugins/server.properties"),
        fs::Permissions::from_mode(0o640),
    )
    .unwrap();
    fx.symlink("server.properties", "plugins/link");
    let j = fx.jail();
    let list = j.list("/plugins").unwrap();
    let file = serde_json::to_value(&list[1]).unwrap();
    assert_eq!(file["name"], "server.properties");
    assert_eq!(file["mode"], "-rw-r-----");
    assert_eq!(file["mode_bits"], "640");
    assert_eq!(file["size"], 8);
    assert_eq!(file["file"], true);
    assert_eq!(file["directory"], false);
    assert_eq!(file["symlink"], false);
    assert_eq!(file["mime"], "text/plain; charset=utf-8");
    let modified = file["modified"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(modified).is_ok(),
        "{modified}"
    );
    assert!(modified.ends_with('Z'));
    let link = serde_json::to_value(&list[0]).unwrap();
    assert_eq!(
        (
            link["name"].as_str(),
            link["mode"].as_str(),
            link["symlink"].as_bool()
        ),
        (Some("link"), Some("Lrwxrwxrwx"), Some(true))
    );
    let dir = serde_json::to_value(j.stat("plugins").unwrap()).unwrap();
    assert_eq!(
        (dir["mime"].as_str(), dir["directory"].as_bool()),
        (Some("inode/directory"), Some(true))
    );
    assert!(dir["mode"].as_str().unwrap().starts_with('d'));
    let obj = dir.as_object().unwrap();
    assert_eq!(obj.len(), 10);
}

#[test]
fn stat_missing_and_dangling() {
    let fx = fx();
    fx.symlink("nowhere", "dangling");
    let j = fx.jail();
    assert!(matches!(j.stat("missing"), Err(Error::NotFound)));
    assert!(matches!(j.stat("dangling"), Err(Error::NotFound)));
    assert!(j.symlink_metadata("dangling").unwrap().symlink);
    assert!(matches!(j.list("missing"), Err(Error::NotFound)));
    fx.file("f", b"");
    assert!(matches!(j.list("f"), Err(Error::NotADirectory)));
}

// ---- writes, copy, rename, chmod, remove ------------------------------------------------------

#[test]
fn write_creates_parents_with_modes_and_owner() {
    let fx = fx();
    let j = fx.jail();
    j.write_all("/a/b/c.txt", b"hello").unwrap();
    assert_eq!(fs::read(fx.r("a/b/c.txt")).unwrap(), b"hello");
    assert_eq!(
        fs::metadata(fx.r("a/b/c.txt")).unwrap().mode() & 0o777,
        0o644
    );
    assert_eq!(fs::metadata(fx.r("a/b")).unwrap().mode() & 0o777, 0o755);
    // overwrite without truncation keeps the tail
    let mut w = j.create_write("a/b/c.txt", false).unwrap();
    w.write_all(b"J").unwrap();
    w.finish().unwrap();
    assert_eq!(fs::read(fx.r("a/b/c.txt")).unwrap(), b"Jello");
    let mut f = j.open_read("a/b/c.txt").unwrap();
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    assert_eq!(s, "Jello");
    assert!(matches!(j.open_read("a"), Err(Error::IsADirectory)));
}

#[test]
fn new_files_and_dirs_are_chowned_to_the_server_user() {
    let fx = fx();
    if fs::metadata(&fx.root).unwrap().uid() != 0 {
        return; // chown to another user needs root
    }
    let j = fx.jail_with(JailOptions {
        uid: 4242,
        gid: 4343,
        ..fx.options()
    });
    j.write_all("d/e/f", b"x").unwrap();
    j.create_dir_all("g").unwrap();
    for p in ["d", "d/e", "d/e/f", "g"] {
        let md = fs::metadata(fx.r(p)).unwrap();
        assert_eq!((md.uid(), md.gid()), (4242, 4343), "{p}");
    }
    // an existing root-owned file becomes the server user's when written (like Wings)
    fx.file("owned", b"x");
    j.write_all("owned", b"y").unwrap();
    assert_eq!(fs::metadata(fx.r("owned")).unwrap().uid(), 4242);
    assert_eq!(j.copy("owned").unwrap(), "/owned copy");
    assert_eq!(fs::metadata(fx.r("owned copy")).unwrap().uid(), 4242);
}

#[test]
fn copy_naming_on_disk() {
    let fx = fx();
    fx.file("dir/a.txt", b"a");
    fx.file("b.tar.gz", b"b");
    let j = fx.jail();
    assert_eq!(j.copy("dir/a.txt").unwrap(), "/dir/a copy.txt");
    assert_eq!(j.copy("dir/a.txt").unwrap(), "/dir/a copy 2.txt");
    assert_eq!(j.copy("/dir/a.txt").unwrap(), "/dir/a copy 3.txt");
    assert_eq!(j.copy("b.tar.gz").unwrap(), "/b copy.tar.gz");
    assert_eq!(fs::read(fx.r("dir/a copy 2.txt")).unwrap(), b"a");
    assert!(matches!(j.copy("dir"), Err(Error::IsADirectory)));
    assert!(matches!(j.copy("nope"), Err(Error::NotFound)));
}

#[test]
fn rename_refuses_existing_destination_and_creates_parents() {
    let fx = fx();
    fx.file("a", b"a");
    fx.file("b", b"b");
    let j = fx.jail();
    assert!(matches!(j.rename("a", "b"), Err(Error::Exists)));
    assert_eq!(fs::read(fx.r("b")).unwrap(), b"b");
    j.rename("a", "new/dir/a2").unwrap();
    assert_eq!(fs::read(fx.r("new/dir/a2")).unwrap(), b"a");
    assert!(matches!(j.rename("missing", "x"), Err(Error::NotFound)));
    assert!(!fx.r("x").exists());
    j.rename("new", "renamed").unwrap();
    assert!(fx.r("renamed/dir/a2").is_file());
}

#[test]
fn create_dir_all_semantics() {
    let fx = fx();
    fx.file("file", b"");
    let j = fx.jail();
    j.create_dir_all("x/y/z").unwrap();
    j.create_dir_all("x/y/z").unwrap();
    j.create_dir_all("/").unwrap();
    assert!(fx.r("x/y/z").is_dir());
    assert!(matches!(j.create_dir_all("file"), Err(Error::Exists)));
    assert!(matches!(
        j.create_dir_all("file/sub"),
        Err(Error::NotADirectory)
    ));
}

#[test]
fn chmod_sets_bits_on_files_and_dirs() {
    let fx = fx();
    fx.file("d/f", b"");
    let j = fx.jail();
    j.chmod("d/f", 0o755).unwrap();
    j.chmod("d", 0o700).unwrap();
    assert_eq!(fs::metadata(fx.r("d/f")).unwrap().mode() & 0o7777, 0o755);
    assert_eq!(fs::metadata(fx.r("d")).unwrap().mode() & 0o7777, 0o700);
    assert!(matches!(j.chmod("d/f", 0o1000), Err(Error::InvalidMode)));
    assert!(matches!(j.chmod("d/f", u32::MAX), Err(Error::InvalidMode)));
    j.chmod("d", 0o755).unwrap();
}

#[test]
fn remove_files_dirs_and_deep_trees() {
    let fx = fx();
    fx.file("one", b"1");
    fx.file("tree/a/b/c/d", b"dddd");
    fx.file("tree/a/x", b"xx");
    let deep = (0..100)
        .map(|i| format!("d{i}"))
        .collect::<Vec<_>>()
        .join("/");
    fx.file(&format!("deep/{deep}/leaf"), b"leaf");
    let j = fx.jail();
    let before = j.disk_usage();
    j.remove("one").unwrap();
    j.remove("tree").unwrap();
    j.remove("deep").unwrap();
    assert!(!fx.r("one").exists() && !fx.r("tree").exists() && !fx.r("deep").exists());
    assert_eq!(j.disk_usage(), before - 1 - 4 - 2 - 4);
    assert_eq!(j.rescan().unwrap(), j.disk_usage());
    assert!(matches!(j.remove("one"), Err(Error::NotFound)));
}

// ---- denylist and read-only -------------------------------------------------------------------

#[test]
fn denylist_applies_to_every_operation() {
    let fx = fx();
    fx.file("secrets.ini", b"s");
    fx.file("cfg/locked/x.yml", b"x");
    fx.file("cfg/open.yml", b"o");
    fx.file("dir/inner/secrets.ini", b"s");
    let j = fx.jail_with(JailOptions {
        denylist: vec!["secrets.ini".into(), "/cfg/locked".into()],
        ..fx.options()
    });
    let denied = |r: Result<(), Error>| assert!(matches!(r, Err(Error::Denied)), "{r:?}");
    denied(j.open_read("secrets.ini").map(|_| ()));
    denied(j.stat("secrets.ini").map(|_| ()));
    denied(j.symlink_metadata("/secrets.ini").map(|_| ()));
    denied(j.write_all("secrets.ini", b"w"));
    denied(j.write_all("new/secrets.ini", b"w"));
    denied(j.replace_atomic("secrets.ini", b"w"));
    denied(j.create_write("secrets.ini", false).map(|_| ()));
    denied(j.rename("secrets.ini", "free.ini"));
    denied(j.rename("cfg/open.yml", "secrets.ini"));
    denied(j.rename("cfg/open.yml", "cfg/locked/open.yml"));
    denied(j.remove("secrets.ini"));
    denied(j.chmod("secrets.ini", 0o777));
    denied(j.copy("secrets.ini").map(|_| ()));
    denied(j.open_read("cfg/locked/x.yml").map(|_| ()));
    denied(j.list("cfg/locked").map(|_| ()));
    denied(j.create_dir_all("cfg/locked/sub"));
    // A directory holding a denied file can be neither deleted nor moved.
    denied(j.remove("dir"));
    denied(j.rename("dir", "elsewhere"));
    denied(j.remove("cfg"));
    // Listings still show denied entries; their neighbours work.
    assert!(j.list("/").unwrap().iter().any(|s| s.name == "secrets.ini"));
    assert!(j.list("cfg").unwrap().iter().any(|s| s.name == "locked"));
    assert!(j.is_denied("/cfg/locked/anything"));
    j.write_all("cfg/open.yml", b"fine").unwrap();
    assert_eq!(fs::read(fx.r("secrets.ini")).unwrap(), b"s");
    assert!(fx.r("dir/inner/secrets.ini").exists());
}

#[test]
fn read_only_refuses_every_modification() {
    let fx = fx();
    fx.file("f", b"f");
    let j = fx.jail_with(JailOptions {
        read_only: true,
        ..fx.options()
    });
    let ro = |r: Result<(), Error>| assert!(matches!(r, Err(Error::ReadOnly)), "{r:?}");
    ro(j.write_all("f", b"x"));
    ro(j.write_all("new", b"x"));
    ro(j.create_write("f", false).map(|_| ()));
    ro(j.replace_atomic("f", b"x"));
    ro(j.create_dir_all("d"));
    ro(j.rename("f", "g"));
    ro(j.copy("f").map(|_| ()));
    ro(j.remove("f"));
    ro(j.chmod("f", 0o600));
    assert!(j.open_read("f").is_ok());
    assert_eq!(fs::read(fx.r("f")).unwrap(), b"f");
}

// ---- disk limit ---------------------------------------------------------------------------------

#[test]
fn initial_scan_counts_regular_files_once() {
    let fx = fx();
    fx.file("a", &[0; 100]);
    fx.file("d/b", &[0; 50]);
    fs::hard_link(fx.r("a"), fx.r("d/a-again")).unwrap();
    fx.symlink("a", "link");
    let j = fx.jail();
    assert_eq!(j.disk_usage(), 150);
}

#[test]
fn sized_write_refused_up_front_keeps_the_existing_file() {
    let fx = fx();
    fx.file("world.dat", &[7; 600]);
    let j = limited(&fx, 1000);
    // Replacing 600 bytes with 1500 would need 900 more with only 400 free.
    let err = j.create_write_sized("world.dat", 1500).unwrap_err();
    assert!(
        matches!(
            err,
            Error::DiskLimit {
                limit: 1000,
                needed: 500
            }
        ),
        "{err:?}"
    );
    assert_eq!(fs::read(fx.r("world.dat")).unwrap(), [7; 600]);
    assert!(matches!(
        j.write_all("world.dat", &[1; 1500]),
        Err(Error::DiskLimit { .. })
    ));
    assert_eq!(fs::read(fx.r("world.dat")).unwrap(), [7; 600]);
    // A new file that does not fit is not even created.
    assert!(matches!(
        j.write_all("new.dat", &[1; 401]),
        Err(Error::DiskLimit { .. })
    ));
    assert!(!fx.r("new.dat").exists());
    // Replacing with something that fits once the old content is freed works.
    j.write_all("world.dat", &[2; 1000]).unwrap();
    assert_eq!(j.disk_usage(), 1000);
    assert_eq!(j.rescan().unwrap(), 1000);
}

#[test]
fn streaming_write_stops_before_the_limit() {
    let fx = fx();
    fx.file("other", &[0; 100]);
    let j = limited(&fx, 1000);
    let mut w = j.create_write("stream.bin", true).unwrap();
    let chunk = [9u8; 64];
    let mut written = 0u64;
    let err = loop {
        match w.write(&chunk) {
            Ok(n) => written += n as u64,
            Err(e) => break Error::from_io(e),
        }
        assert!(j.disk_usage() <= 1000);
    };
    assert!(
        matches!(err, Error::DiskLimit { limit: 1000, .. }),
        "{err:?}"
    );
    drop(w);
    let on_disk = fs::metadata(fx.r("stream.bin")).unwrap().len();
    assert_eq!(on_disk, written);
    assert!(100 + on_disk <= 1000, "the limit was exceeded: {on_disk}");
    assert!(
        100 + on_disk + chunk.len() as u64 > 1000,
        "stopped more than one buffer early"
    );
    assert_eq!(j.rescan().unwrap(), 100 + on_disk);
}

#[test]
fn writer_charges_growth_only() {
    let fx = fx();
    fx.file("f", &[0; 500]);
    let j = limited(&fx, 600);
    let mut w = j.create_write("f", false).unwrap();
    w.write_all(&[1; 500]).unwrap(); // overwrite: free
    assert_eq!(j.disk_usage(), 500);
    w.seek(SeekFrom::Start(550)).unwrap();
    w.write_all(&[1; 50]).unwrap(); // grows to 600, the hole included
    assert_eq!(j.disk_usage(), 600);
    assert!(matches!(
        w.write(&[1]).map_err(Error::from_io),
        Err(Error::DiskLimit { .. })
    ));
    assert_eq!(w.finish().unwrap(), 600);
    assert_eq!(j.rescan().unwrap(), 600);
}

#[test]
fn copy_and_atomic_replace_respect_the_limit() {
    let fx = fx();
    fx.file("big", &[3; 600]);
    let j = limited(&fx, 1000);
    assert!(matches!(j.copy("big"), Err(Error::DiskLimit { .. })));
    assert!(!fx.r("big copy").exists());
    assert!(matches!(
        j.replace_atomic("big", &[4; 1001]),
        Err(Error::DiskLimit { .. })
    ));
    assert_eq!(fs::read(fx.r("big")).unwrap(), [3; 600]);
    j.replace_atomic("big", &[4; 900]).unwrap();
    assert_eq!(fs::read(fx.r("big")).unwrap(), [4; 900]);
    assert_eq!(j.disk_usage(), 900);
    assert!(j.would_exceed(101) && !j.would_exceed(100));
    // no temporary files left behind
    assert_eq!(fs::read_dir(&fx.root).unwrap().count(), 1);
}

#[test]
fn atomic_replace_keeps_permissions() {
    let fx = fx();
    fx.file("server.properties", b"old");
    fs::set_permissions(fx.r("server.properties"), fs::Permissions::from_mode(0o600)).unwrap();
    let j = fx.jail();
    j.replace_atomic("server.properties", b"new").unwrap();
    assert_eq!(fs::read(fx.r("server.properties")).unwrap(), b"new");
    assert_eq!(
        fs::metadata(fx.r("server.properties")).unwrap().mode() & 0o777,
        0o600
    );
    j.replace_atomic("fresh/config.yml", b"a: 1").unwrap();
    assert_eq!(
        fs::metadata(fx.r("fresh/config.yml")).unwrap().mode() & 0o777,
        0o644
    );
}

#[test]
fn status_hints_for_http() {
    assert_eq!(Error::NotFound.status_hint(), 404);
    assert_eq!(Error::Denied.status_hint(), 403);
    assert_eq!(Error::Exists.status_hint(), 400);
    assert_eq!(
        Error::DiskLimit {
            limit: 1,
            needed: 1
        }
        .status_hint(),
        409
    );
    assert_eq!(
        Error::Escape.to_string(),
        "cannot access files or folders outside of the server root"
    );
}
