//! Archive and extract round trips on a temporary volume (no Docker, no panel).

use std::io::Write;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

use super::archive::Compression;
use super::extract::{ExtractError, extract};
use super::local;
use super::rules::IgnoreRules;

fn jail(dir: &std::path::Path, limit: u64) -> aerie_fs::Jail {
    let me = std::fs::metadata(dir).unwrap();
    aerie_fs::Jail::open(
        dir,
        aerie_fs::JailOptions {
            uid: me.uid(),
            gid: me.gid(),
            disk_limit_bytes: limit,
            denylist: vec![],
            read_only: false,
        },
    )
    .unwrap()
}

fn tree(root: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            let rel = p.strip_prefix(root).unwrap().display().to_string();
            let md = p.symlink_metadata().unwrap();
            if md.is_dir() {
                out.push((format!("{rel}/"), Vec::new()));
                walk(root, &p, out);
            } else if md.is_file() {
                out.push((rel, std::fs::read(&p).unwrap()));
            } else {
                out.push((format!("{rel}@"), Vec::new()));
            }
        }
    }
    walk(root, root, &mut out);
    out.sort();
    out
}

#[test]
fn round_trip_keeps_files_and_modes_and_skips_links_and_ignored() {
    let src = tempfile::tempdir().unwrap();
    let root = src.path();
    std::fs::create_dir_all(root.join("world/region")).unwrap();
    std::fs::write(root.join("server.properties"), b"motd=hi\n").unwrap();
    std::fs::write(root.join("world/region/r.0.0.mca"), vec![7u8; 300_000]).unwrap();
    std::fs::write(root.join("run.sh"), b"#!/bin/sh\n").unwrap();
    std::fs::set_permissions(root.join("run.sh"), std::fs::Permissions::from_mode(0o750)).unwrap();
    std::fs::write(root.join("latest.log"), b"noise").unwrap();
    std::fs::create_dir(root.join("cache")).unwrap();
    std::fs::write(root.join("cache/blob"), b"x").unwrap();
    std::fs::write(root.join("empty"), b"").unwrap();
    std::os::unix::fs::symlink("/etc/passwd", root.join("escape")).unwrap();
    std::os::unix::fs::symlink("server.properties", root.join("inside")).unwrap();

    let j = jail(root, 0);
    let rules = IgnoreRules::parse("*.log\ncache/\n");
    let out_dir = tempfile::tempdir().unwrap();
    let dest = local::archive_path(out_dir.path(), "b1");
    let done = local::write(&j, &rules, Compression::BestSpeed, 0, &dest, true).unwrap();
    assert_eq!(done.size, std::fs::metadata(&dest).unwrap().len());
    assert_eq!(local::checksum_of(&dest).unwrap(), done.checksum);
    assert_eq!(
        local::recorded_checksum(&dest).unwrap(),
        Some(done.checksum.clone())
    );
    assert_eq!(done.summary.ignored, 2);
    assert_eq!(done.summary.skipped, 2, "both links are skipped");
    let leftovers: Vec<_> = std::fs::read_dir(out_dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        2,
        "the archive and its checksum, no temporary file: {leftovers:?}"
    );

    let dst = tempfile::tempdir().unwrap();
    let jd = jail(dst.path(), 0);
    let summary = extract(&jd, std::fs::File::open(&dest).unwrap()).unwrap();
    assert_eq!(summary.files, 4);
    let mut expected = tree(root);
    expected.retain(|(p, _)| !p.ends_with(".log") && !p.starts_with("cache") && !p.ends_with('@'));
    assert_eq!(tree(dst.path()), expected);
    let mode = std::fs::metadata(dst.path().join("run.sh"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o750);
    assert_eq!(jd.rescan().unwrap(), 8 + 300_000 + 10);
}

#[test]
fn every_level_round_trips() {
    let src = tempfile::tempdir().unwrap();
    std::fs::write(
        src.path().join("a"),
        b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    )
    .unwrap();
    let j = jail(src.path(), 0);
    for level in [
        Compression::None,
        Compression::BestSpeed,
        Compression::BestCompression,
    ] {
        let out = tempfile::tempdir().unwrap();
        let dest = out.path().join("x.tar.zst");
        local::write(&j, &IgnoreRules::none(), level, 0, &dest, false).unwrap();
        let dst = tempfile::tempdir().unwrap();
        extract(&jail(dst.path(), 0), std::fs::File::open(&dest).unwrap()).unwrap();
        assert_eq!(
            std::fs::read(dst.path().join("a")).unwrap(),
            std::fs::read(src.path().join("a")).unwrap()
        );
    }
}

/// A tar stream with hand-made entries (names the `tar` builder itself refuses to write).
fn raw_tar(entries: &[(&[u8], tar::EntryType, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, kind, data) in entries {
        let mut h = tar::Header::new_old();
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.set_entry_type(*kind);
        h.set_mode(0o644);
        h.set_size(data.len() as u64);
        if *kind == tar::EntryType::Symlink {
            h.set_link_name("/etc/passwd").unwrap();
        }
        h.set_cksum();
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

#[test]
fn unsafe_entries_are_refused() {
    let archive = raw_tar(&[
        (b"../outside.txt", tar::EntryType::Regular, b"no"),
        (b"/abs.txt", tar::EntryType::Regular, b"no"),
        (b"a/../../x.txt", tar::EntryType::Regular, b"no"),
        (b"link", tar::EntryType::Symlink, b""),
        (b"fifo", tar::EntryType::Fifo, b""),
        (b"ok.txt", tar::EntryType::Regular, b"yes"),
    ]);
    let parent = tempfile::tempdir().unwrap();
    let vol = parent.path().join("vol");
    std::fs::create_dir(&vol).unwrap();
    let j = jail(&vol, 0);
    let s = extract(&j, &archive[..]).unwrap();
    assert_eq!(s.files, 1);
    assert_eq!(s.skipped, 5);
    assert_eq!(std::fs::read(vol.join("ok.txt")).unwrap(), b"yes");
    assert_eq!(tree(&vol), vec![("ok.txt".to_owned(), b"yes".to_vec())]);
    assert!(!parent.path().join("outside.txt").exists());
}

#[test]
fn gzip_archives_from_pterodactyl_wings_restore() {
    let tar_bytes = raw_tar(&[(b"old.txt", tar::EntryType::Regular, b"from wings")]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar_bytes).unwrap();
    let gz = gz.finish().unwrap();
    let dst = tempfile::tempdir().unwrap();
    extract(&jail(dst.path(), 0), &gz[..]).unwrap();
    assert_eq!(
        std::fs::read(dst.path().join("old.txt")).unwrap(),
        b"from wings"
    );
}

#[test]
fn the_disk_limit_stops_a_bomb() {
    let src = tempfile::tempdir().unwrap();
    std::fs::write(src.path().join("zeros"), vec![0u8; 4 * 1024 * 1024]).unwrap();
    let out = tempfile::tempdir().unwrap();
    let dest = out.path().join("bomb.tar.zst");
    let done = local::write(
        &jail(src.path(), 0),
        &IgnoreRules::none(),
        Compression::BestSpeed,
        0,
        &dest,
        false,
    )
    .unwrap();
    assert!(done.size < 64 * 1024, "zeros compress well: {}", done.size);
    let dst = tempfile::tempdir().unwrap();
    let err = extract(
        &jail(dst.path(), 1024 * 1024),
        std::fs::File::open(&dest).unwrap(),
    )
    .unwrap_err();
    assert!(matches!(err, ExtractError::DiskLimit), "{err}");
    let used: u64 = std::fs::metadata(dst.path().join("zeros"))
        .map(|m| m.len())
        .unwrap_or(0);
    assert!(used <= 1024 * 1024);
}

#[test]
fn damaged_archives_are_reported() {
    let dst = tempfile::tempdir().unwrap();
    let err = extract(
        &jail(dst.path(), 0),
        &[0x28u8, 0xb5, 0x2f, 0xfd, 1, 2, 3, 4, 5][..],
    )
    .unwrap_err();
    assert!(matches!(err, ExtractError::Corrupt(_)), "{err}");
}
