//! Archives made and unpacked through a real jail over a temporary volume: round trips for
//! every format, zip-slip names, links in archives, decompression bombs, the disk limit, and
//! existing files surviving a failed extraction.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use aerie_archive::{Error, Format, Limits, compress, decompress};
use aerie_fs::{Jail, JailOptions};

/// A volume inside a temporary directory, so that "outside the volume" is observable.
struct Vol {
    tmp: tempfile::TempDir,
    jail: Jail,
}

impl Vol {
    fn new(disk_limit_bytes: u64, denylist: &[&str]) -> Vol {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("volume");
        std::fs::create_dir(&root).unwrap();
        let meta = std::fs::metadata(&root).unwrap();
        let jail = Jail::open(
            &root,
            JailOptions {
                uid: meta.uid(),
                gid: meta.gid(),
                disk_limit_bytes,
                denylist: denylist.iter().map(|s| (*s).to_owned()).collect(),
                read_only: false,
            },
        )
        .unwrap();
        Vol { tmp, jail }
    }

    fn root(&self) -> PathBuf {
        self.tmp.path().join("volume")
    }

    fn outside(&self) -> &Path {
        self.tmp.path()
    }

    fn write(&self, path: &str, bytes: &[u8]) {
        self.jail.write_all(path, bytes).unwrap();
    }

    fn read(&self, path: &str) -> Vec<u8> {
        let mut out = Vec::new();
        self.jail
            .open_read(path)
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    /// Every path of the volume with its kind and content, read from the host side.
    fn snapshot(&self) -> BTreeMap<String, String> {
        fn walk(dir: &Path, prefix: &str, out: &mut BTreeMap<String, String>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let e = e.unwrap();
                let name = format!("{prefix}/{}", e.file_name().to_string_lossy());
                let m = std::fs::symlink_metadata(e.path()).unwrap();
                if m.file_type().is_symlink() {
                    out.insert(
                        name,
                        format!(
                            "link -> {}",
                            std::fs::read_link(e.path()).unwrap().display()
                        ),
                    );
                } else if m.is_dir() {
                    out.insert(name.clone(), "dir".into());
                    walk(&e.path(), &name, out);
                } else {
                    let bytes = std::fs::read(e.path()).unwrap();
                    out.insert(name, format!("file {} {:x}", bytes.len(), checksum(&bytes)));
                }
            }
        }
        let mut out = BTreeMap::new();
        walk(&self.root(), "", &mut out);
        out
    }

    fn outside_snapshot(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.outside())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

fn checksum(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Deterministic bytes that do not compress.
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

// ---- building archives in the test, including hostile ones ----------------------------------

enum Item<'a> {
    File(&'a str, &'a [u8]),
    Dir(&'a str),
    Symlink(&'a str, &'a str),
    HardLink(&'a str, &'a str),
    Fifo(&'a str),
}

/// A tar with names written verbatim (the tar crate's own `set_path` refuses `..`).
fn tar_bytes(items: &[Item<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for item in items {
        let mut h = tar::Header::new_gnu();
        let (name, kind, data): (&str, tar::EntryType, &[u8]) = match item {
            Item::File(n, d) => (n, tar::EntryType::Regular, d),
            Item::Dir(n) => (n, tar::EntryType::Directory, b""),
            Item::Symlink(n, t) => {
                h.set_link_name_literal(t).unwrap();
                (n, tar::EntryType::Symlink, b"")
            }
            Item::HardLink(n, t) => {
                h.set_link_name_literal(t).unwrap();
                (n, tar::EntryType::Link, b"")
            }
            Item::Fifo(n) => (n, tar::EntryType::Fifo, b""),
        };
        let field = &mut h.as_old_mut().name;
        field.fill(0);
        field[..name.len()].copy_from_slice(name.as_bytes());
        h.set_entry_type(kind);
        h.set_size(data.len() as u64);
        h.set_mode(if matches!(item, Item::Dir(_)) {
            0o755
        } else {
            0o644
        });
        h.set_cksum();
        b.append(&h, data).unwrap();
    }
    b.into_inner().unwrap()
}

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn xz(bytes: &[u8]) -> Vec<u8> {
    let mut w =
        lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1)).unwrap();
    w.write_all(bytes).unwrap();
    w.finish().unwrap()
}

fn zst(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 1).unwrap()
}

fn zip_bytes(items: &[Item<'_>]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default();
    for item in items {
        match item {
            Item::File(n, d) => {
                z.start_file(*n, o).unwrap();
                z.write_all(d).unwrap();
            }
            Item::Dir(n) => z.add_directory(*n, o).unwrap(),
            Item::Symlink(n, t) => z.add_symlink(*n, *t, o).unwrap(),
            Item::HardLink(..) | Item::Fifo(_) => unreachable!("zip has no such entries"),
        }
    }
    z.finish().unwrap().into_inner()
}

fn kind_of(e: &Error) -> String {
    format!("{e:?}")
        .split(['(', ' ', '{'])
        .next()
        .unwrap()
        .to_owned()
}

// ---- round trips ---------------------------------------------------------------------------

fn populate(v: &Vol) {
    v.write("/world/level.dat", &noise(5000, 1));
    v.write("/world/region/r.0.0.mca", &noise(300_000, 2));
    v.write("/server.properties", b"motd=hello\n");
    v.write("/start.sh", b"#!/bin/sh\nexec java -jar server.jar\n");
    v.jail.chmod("/start.sh", 0o755).unwrap();
    v.jail.create_dir_all("/plugins/empty").unwrap();
    std::fs::write(v.root().join("secret.key"), b"do not archive").unwrap();
    std::os::unix::fs::symlink("/etc", v.root().join("world/etc-link")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", v.root().join("hostlink")).unwrap();
}

fn selection() -> Vec<String> {
    [
        "world",
        "server.properties",
        "start.sh",
        "plugins",
        "secret.key",
        "hostlink",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect()
}

#[test]
fn every_format_round_trips() {
    for format in [Format::TarGz, Format::Zip, Format::TarZst] {
        let v = Vol::new(0, &["*.key"]);
        populate(&v);
        let archive = compress(&v.jail, "/", &selection(), format).unwrap();
        assert!(
            archive.starts_with("/archive-")
                && archive.ends_with(&format!(".{}", format.extension())),
            "{archive}"
        );
        let stat = v.jail.stat(&archive).unwrap();
        assert!(stat.file && stat.size > 300_000, "{stat:?}");
        assert!(
            v.jail.disk_usage() >= stat.size,
            "the archive is charged to the disk usage"
        );

        v.jail.create_dir_all("/out").unwrap();
        let written =
            decompress(&v.jail, "/out", &format!("..{archive}"), Limits::default()).unwrap();
        assert_eq!(written, 5000 + 300_000 + 11 + 36, "{format:?}");
        assert_eq!(v.read("/out/world/level.dat"), noise(5000, 1));
        assert_eq!(v.read("/out/world/region/r.0.0.mca"), noise(300_000, 2));
        assert_eq!(v.read("/out/server.properties"), b"motd=hello\n");
        let mode = std::fs::metadata(v.root().join("out/start.sh"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755, "{format:?}: permission bits kept");
        assert!(
            v.root().join("out/plugins/empty").is_dir(),
            "{format:?}: empty directories kept"
        );
        for left_out in ["out/secret.key", "out/hostlink", "out/world/etc-link"] {
            assert!(
                std::fs::symlink_metadata(v.root().join(left_out)).is_err(),
                "{format:?}: {left_out} was archived"
            );
        }
        let staged: Vec<_> = std::fs::read_dir(v.root().join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(
            !staged
                .iter()
                .any(|n| n.to_string_lossy().starts_with(".aerie-extract-")),
            "staging removed: {staged:?}"
        );
    }
}

#[test]
fn archives_made_elsewhere_unpack_in_every_format() {
    let items = [
        Item::Dir("data/"),
        Item::File("data/a.txt", b"alpha"),
        Item::File("./b.txt", b"beta"),
        Item::Fifo("pipe"),
    ];
    let tar = tar_bytes(&items);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("plain.tar", tar.clone()),
        ("gz.tar.gz", gz(&tar)),
        ("gz.tgz", gz(&tar)),
        ("xz.tar.xz", xz(&tar)),
        ("zstd.tar.zst", zst(&tar)),
        ("no-extension", zst(&tar)),
        ("misnamed.zip", gz(&tar)),
        (
            "z.zip",
            zip_bytes(&[
                Item::Dir("data/"),
                Item::File("data/a.txt", b"alpha"),
                Item::File("b.txt", b"beta"),
            ]),
        ),
    ];
    for (name, bytes) in cases {
        let v = Vol::new(0, &[]);
        v.write(&format!("/in/{name}"), &bytes);
        let written = decompress(&v.jail, "/in", name, Limits::default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(written, 9, "{name}");
        assert_eq!(v.read("/in/data/a.txt"), b"alpha", "{name}");
        assert_eq!(v.read("/in/b.txt"), b"beta", "{name}");
        assert!(
            std::fs::symlink_metadata(v.root().join("in/pipe")).is_err(),
            "{name}: FIFOs are not created"
        );
    }

    // A single compressed file unpacks to its name without the extension.
    let v = Vol::new(0, &[]);
    v.write("/dump.sql.gz", &gz(b"CREATE TABLE t (x int);\n"));
    v.write("/notes.txt.xz", &xz(b"remember\n"));
    decompress(&v.jail, "/", "dump.sql.gz", Limits::default()).unwrap();
    decompress(&v.jail, "/", "notes.txt.xz", Limits::default()).unwrap();
    assert_eq!(v.read("/dump.sql"), b"CREATE TABLE t (x int);\n");
    assert_eq!(v.read("/notes.txt"), b"remember\n");
}

#[test]
fn extraction_merges_into_existing_directories_and_replaces_files() {
    let v = Vol::new(0, &[]);
    v.write("/config/keep.yml", b"untouched");
    v.write("/config/server.yml", b"old");
    std::os::unix::fs::symlink("/etc/passwd", v.root().join("config/linked.yml")).unwrap();
    v.write(
        "/up.tar",
        &tar_bytes(&[
            Item::File("config/server.yml", b"new"),
            Item::File("config/linked.yml", b"plain now"),
        ]),
    );
    decompress(&v.jail, "/", "up.tar", Limits::default()).unwrap();
    assert_eq!(v.read("/config/keep.yml"), b"untouched");
    assert_eq!(v.read("/config/server.yml"), b"new");
    let linked = v.root().join("config/linked.yml");
    assert!(
        std::fs::symlink_metadata(&linked).unwrap().is_file(),
        "the link was replaced, not followed"
    );
    assert_eq!(std::fs::read(&linked).unwrap(), b"plain now");
    assert!(
        std::fs::read_to_string("/etc/passwd")
            .unwrap()
            .contains("root"),
        "the link's target is untouched"
    );
}

// ---- hostile archives ----------------------------------------------------------------------

#[test]
fn zip_slip_names_are_refused_and_nothing_is_written() {
    for bad in [
        "../evil",
        "/etc/aerie-archive-evil",
        "a/../../evil",
        "ok/../../../evil",
        "..\\evil",
    ] {
        let tar_items = [Item::File("ok.txt", b"fine"), Item::File(bad, b"pwned")];
        let zip_items = [Item::File("ok.txt", b"fine"), Item::File(bad, b"pwned")];
        let cases: Vec<(&str, Vec<u8>)> = if bad.contains('\\') {
            // A backslash is an ordinary character in tar; only zip treats it as a separator.
            vec![("slip.zip", zip_bytes(&zip_items))]
        } else {
            vec![
                ("slip.tar", tar_bytes(&tar_items)),
                ("slip.tar.gz", gz(&tar_bytes(&tar_items))),
                ("slip.zip", zip_bytes(&zip_items)),
            ]
        };
        for (name, bytes) in cases {
            let v = Vol::new(0, &[]);
            v.write(&format!("/sub/{name}"), &bytes);
            let before = v.snapshot();
            let outside = v.outside_snapshot();
            let used = v.jail.disk_usage();
            let err = decompress(&v.jail, "/sub", name, Limits::default()).unwrap_err();
            assert!(
                matches!(&err, Error::UnsafeEntry { entry } if entry == bad),
                "{bad} in {name}: {err:?}"
            );
            assert_eq!(err.status_hint(), 400);
            assert!(
                err.to_string().contains(bad),
                "the message names the entry: {err}"
            );
            assert_eq!(v.snapshot(), before, "{bad} in {name}: the volume changed");
            assert_eq!(
                v.outside_snapshot(),
                outside,
                "{bad} in {name}: something was written outside"
            );
            assert_eq!(v.jail.disk_usage(), used);
            assert!(!Path::new("/etc/aerie-archive-evil").exists());
        }
    }
}

#[test]
fn links_in_archives_are_never_created_or_followed() {
    let marker = format!("aerie-archive-test-{}", std::process::id());
    let through = format!("link/tmp/{marker}");
    let hard = format!("hard-{marker}");
    let tar = tar_bytes(&[
        Item::Symlink("link", "/"),
        Item::File(&through, b"escaped?"),
        Item::HardLink(&hard, "/etc/passwd"),
        Item::Symlink("up", "../../.."),
    ]);
    for (name, bytes) in [("links.tar", tar.clone()), ("links.tar.zst", zst(&tar))] {
        let v = Vol::new(0, &[]);
        v.write(&format!("/{name}"), &bytes);
        decompress(&v.jail, "/", name, Limits::default()).unwrap();
        assert!(
            !Path::new("/tmp").join(&marker).exists(),
            "{name}: wrote through the link to /"
        );
        let link = std::fs::symlink_metadata(v.root().join("link")).unwrap();
        assert!(link.is_dir(), "{name}: `link` is a plain directory");
        assert_eq!(
            v.read(&format!("/{through}")),
            b"escaped?",
            "{name}: the file stayed inside"
        );
        assert!(
            std::fs::symlink_metadata(v.root().join(&hard)).is_err(),
            "{name}: no hard link"
        );
        assert!(
            std::fs::symlink_metadata(v.root().join("up")).is_err(),
            "{name}: no symlink"
        );
    }

    let v = Vol::new(0, &[]);
    v.write(
        "/l.zip",
        &zip_bytes(&[
            Item::Symlink("link", "/"),
            Item::File("link/etc/x", b"inside"),
        ]),
    );
    decompress(&v.jail, "/", "l.zip", Limits::default()).unwrap();
    assert!(
        std::fs::symlink_metadata(v.root().join("link"))
            .unwrap()
            .is_dir()
    );
    assert_eq!(v.read("/link/etc/x"), b"inside");
}

#[test]
fn denied_entries_are_skipped() {
    let v = Vol::new(0, &["*.key", "locked/"]);
    v.write(
        "/a.tar",
        &tar_bytes(&[
            Item::File("ok.txt", b"ok"),
            Item::File("server.key", b"k"),
            Item::File("locked/x", b"x"),
        ]),
    );
    decompress(&v.jail, "/", "a.tar", Limits::default()).unwrap();
    assert_eq!(v.read("/ok.txt"), b"ok");
    assert!(!v.root().join("server.key").exists());
    assert!(!v.root().join("locked").exists());
}

/// Streams a tar whose one entry is `len` zeros through `wrap` into the volume as `name`.
fn write_bomb(v: &Vol, name: &str, len: u64, format: &str) {
    let mut out = v.jail.create_write(name, true).unwrap();
    let mut h = tar::Header::new_gnu();
    h.set_path("zeros.bin").unwrap();
    h.set_size(len);
    h.set_mode(0o644);
    h.set_cksum();
    let zeros = std::io::repeat(0).take(len);
    match format {
        "zst" => {
            let mut b = tar::Builder::new(zstd::Encoder::new(&mut out, 19).unwrap());
            b.append(&h, zeros).unwrap();
            b.into_inner().unwrap().finish().unwrap();
        }
        "gz" => {
            let mut b = tar::Builder::new(flate2::write::GzEncoder::new(
                &mut out,
                flate2::Compression::best(),
            ));
            b.append(&h, zeros).unwrap();
            b.into_inner().unwrap().finish().unwrap();
        }
        _ => unreachable!(),
    }
    out.finish().unwrap();
}

#[test]
fn decompression_bombs_are_stopped_and_leave_the_volume_as_it_was() {
    let v = Vol::new(0, &[]);
    v.write("/keep.txt", b"precious");
    write_bomb(&v, "/bomb.tar.zst", 200 << 20, "zst");
    let compressed = v.jail.stat("/bomb.tar.zst").unwrap().size;
    assert!(
        compressed < 100_000,
        "a bomb: 200 MiB in {compressed} bytes"
    );
    let before = v.snapshot();
    let used = v.jail.disk_usage();

    // The default ratio stops it.
    let err = decompress(&v.jail, "/", "bomb.tar.zst", Limits::default()).unwrap_err();
    assert!(
        matches!(err, Error::RatioExceeded { ratio: 1000 }),
        "{err:?}"
    );
    assert_eq!(err.status_hint(), 409);
    assert_eq!(v.snapshot(), before);
    assert_eq!(v.jail.disk_usage(), used);

    // So does the total, with the ratio out of the way.
    let limits = Limits {
        max_total_bytes: 50 << 20,
        max_ratio: u64::MAX,
        max_entries: 10,
    };
    let err = decompress(&v.jail, "/", "bomb.tar.zst", limits).unwrap_err();
    assert!(
        matches!(err, Error::TooLarge { limit } if limit == 50 << 20),
        "{err:?}"
    );
    assert_eq!(v.snapshot(), before);
    assert_eq!(v.jail.disk_usage(), used);

    // And the entry count.
    let many: Vec<String> = (0..20).map(|i| format!("f{i}")).collect();
    let items: Vec<Item<'_>> = many.iter().map(|n| Item::File(n, b"x")).collect();
    v.write("/many.tar", &tar_bytes(&items));
    let before = v.snapshot();
    let err = decompress(
        &v.jail,
        "/",
        "many.tar",
        Limits {
            max_entries: 10,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::TooManyEntries { limit: 10 }),
        "{err:?}"
    );
    assert_eq!(v.snapshot(), before);
}

#[test]
fn a_gzip_bomb_in_a_zip_is_stopped_by_the_ratio() {
    let v = Vol::new(0, &[]);
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.start_file("zeros.bin", zip::write::SimpleFileOptions::default())
        .unwrap();
    std::io::copy(&mut std::io::repeat(0).take(20 << 20), &mut z).unwrap();
    v.write("/bomb.zip", &z.finish().unwrap().into_inner());
    let before = v.snapshot();
    let err = decompress(
        &v.jail,
        "/",
        "bomb.zip",
        Limits {
            max_ratio: 100,
            ..Limits::default()
        },
    )
    .unwrap_err();
    assert!(
        matches!(err, Error::RatioExceeded { ratio: 100 }),
        "{err:?}"
    );
    assert_eq!(v.snapshot(), before);
}

#[test]
fn the_disk_limit_refuses_an_extraction_and_frees_what_it_wrote() {
    let v = Vol::new(1 << 20, &[]);
    v.write("/keep.txt", b"precious");
    let tar = tar_bytes(&[
        Item::File("a.bin", &noise(400_000, 3)),
        Item::File("b.bin", &noise(400_000, 4)),
    ]);
    v.write("/big.tar.gz", &gz(&tar));
    let before = v.snapshot();
    let used = v.jail.disk_usage();
    let err = decompress(&v.jail, "/", "big.tar.gz", Limits::default()).unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Entry {
                source: aerie_fs::Error::DiskLimit { .. },
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(err.status_hint(), 409);
    assert_eq!(v.snapshot(), before);
    assert_eq!(
        v.jail.disk_usage(),
        used,
        "the staged bytes were given back"
    );

    // The limits wings uses start from the free space, and refuse it too.
    let err = decompress(&v.jail, "/", "big.tar.gz", Limits::for_jail(&v.jail)).unwrap_err();
    assert_eq!(err.status_hint(), 409, "{err:?}");
    assert_eq!(v.snapshot(), before);
}

#[test]
fn the_disk_limit_refuses_an_archive_and_deletes_it() {
    let v = Vol::new(1 << 20, &[]);
    v.write("/data.bin", &noise(600_000, 5));
    let before = v.snapshot();
    let used = v.jail.disk_usage();
    for format in [Format::Zip, Format::TarGz, Format::TarZst] {
        let err = compress(&v.jail, "/", &["data.bin".into()], format).unwrap_err();
        assert!(
            matches!(err, Error::Fs(aerie_fs::Error::DiskLimit { .. })),
            "{format:?}: {err:?}"
        );
        assert_eq!(err.status_hint(), 409);
        assert_eq!(
            v.snapshot(),
            before,
            "{format:?}: the partial archive was deleted"
        );
        assert_eq!(v.jail.disk_usage(), used);
    }
}

#[test]
fn existing_files_survive_a_failed_extraction() {
    let v = Vol::new(0, &[]);
    v.write("/config.yml", b"original");
    v.write("/world/level.dat", b"world");
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "slip.tar",
            tar_bytes(&[
                Item::File("config.yml", b"replaced"),
                Item::File("../evil", b"x"),
            ]),
            "UnsafeEntry",
        ),
        (
            "conflict.tar",
            tar_bytes(&[
                Item::File("config.yml", b"replaced"),
                Item::File("world", b"a file"),
            ]),
            "TypeConflict",
        ),
        (
            "conflict2.tar",
            tar_bytes(&[
                Item::File("config.yml", b"replaced"),
                Item::File("config.yml/x", b"x"),
            ]),
            "Entry",
        ),
        (
            "truncated.tar.gz",
            {
                let mut b = gz(&tar_bytes(&[
                    Item::File("config.yml", b"replaced"),
                    Item::File("big", &noise(100_000, 6)),
                ]));
                b.truncate(b.len() - 1000);
                b
            },
            "Corrupt",
        ),
    ];
    for (name, bytes, expected) in cases {
        v.write(&format!("/{name}"), &bytes);
        let before = v.snapshot();
        let err = decompress(&v.jail, "/", name, Limits::default()).unwrap_err();
        assert_eq!(kind_of(&err), expected, "{name}: {err}");
        assert_eq!(v.read("/config.yml"), b"original", "{name}");
        assert_eq!(v.snapshot(), before, "{name}");
    }
    let err = decompress(&v.jail, "/", "conflict.tar", Limits::default()).unwrap_err();
    assert!(err.to_string().contains("/world"), "{err}");
}

#[test]
fn unknown_formats_are_refused() {
    let v = Vol::new(0, &[]);
    v.write("/a.rar", b"Rar!\x1a\x07\x00 not really");
    v.write("/b.zip", b"this is text, not a zip");
    v.write("/c.tar.gz", b"");
    for name in ["a.rar", "b.zip", "c.tar.gz"] {
        let err = decompress(&v.jail, "/", name, Limits::default()).unwrap_err();
        assert!(matches!(err, Error::UnknownFormat), "{name}: {err:?}");
        assert_eq!(err.status_hint(), 400);
    }
    let err = decompress(&v.jail, "/", "missing.zip", Limits::default()).unwrap_err();
    assert_eq!(err.status_hint(), 404);
}

#[test]
fn compress_names_and_selection() {
    let v = Vol::new(0, &[]);
    v.write("/logs/latest.log", b"line\n");
    v.write("/logs/old/1.log", b"one\n");
    let a = compress(
        &v.jail,
        "/logs",
        &["latest.log".into(), "old".into()],
        Format::Zip,
    )
    .unwrap();
    assert!(
        a.starts_with("/logs/archive-") && a.ends_with(".zip"),
        "{a}"
    );
    let b = compress(&v.jail, "/logs", &["latest.log".into()], Format::Zip).unwrap();
    assert_ne!(
        a, b,
        "a second archive in the same second gets its own name"
    );
    // Entries are relative to the root given.
    let mut zip = zip::ZipArchive::new(
        std::fs::File::open(v.root().join(a.trim_start_matches('/'))).unwrap(),
    )
    .unwrap();
    let mut names: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["latest.log", "old/", "old/1.log"]);

    // Compressing the directory that receives the archive leaves the archive out of itself,
    // and the root itself can be selected.
    let c = compress(&v.jail, "/", &["/".into()], Format::TarGz).unwrap();
    let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(
        std::fs::File::open(v.root().join(c.trim_start_matches('/'))).unwrap(),
    ));
    let names: Vec<String> = ar
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect();
    assert!(names.contains(&"logs/latest.log".to_owned()), "{names:?}");
    assert!(
        !names.iter().any(|n| n.contains(c.trim_start_matches('/'))),
        "{names:?}"
    );

    // Overlapping selections store each file once.
    let d = compress(
        &v.jail,
        "/logs",
        &["old".into(), "old/1.log".into(), "old".into()],
        Format::Zip,
    )
    .unwrap();
    let zip = zip::ZipArchive::new(
        std::fs::File::open(v.root().join(d.trim_start_matches('/'))).unwrap(),
    )
    .unwrap();
    assert_eq!(zip.len(), 2);

    assert!(matches!(
        compress(&v.jail, "/", &[], Format::Zip),
        Err(Error::NothingSelected)
    ));
    assert_eq!(
        compress(&v.jail, "/missing", &["x".into()], Format::Zip)
            .unwrap_err()
            .status_hint(),
        404
    );
    assert!(
        !v.root().join("missing").exists(),
        "no directory created for a failed archive"
    );
    assert_eq!(
        compress(&v.jail, "/", &["nope".into()], Format::Zip)
            .unwrap_err()
            .status_hint(),
        404
    );
    assert_eq!(
        compress(&v.jail, "/", &["../../etc".into()], Format::Zip)
            .unwrap_err()
            .status_hint(),
        400
    );
}
