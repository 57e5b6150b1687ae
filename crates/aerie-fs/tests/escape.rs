//! Escape attempts against the jail. Each one asserts the refusal *and* that nothing outside
//! the root was read, written, created or listed (see `common::Fixture`). Every attempt runs
//! with both resolvers (`openat2` and the component walk used where `openat2` is missing).
//!
//! These pass as root and as an ordinary user; the one case that needs root (creating a
//! device node) skips itself otherwise.
#![allow(clippy::unwrap_used)]

mod common;

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::time::Duration;

use aerie_fs::{Error, Jail};
use common::{Fixture, SECRET};

fn escape(e: &Error) -> bool {
    matches!(e, Error::Escape)
}
fn symlink(e: &Error) -> bool {
    matches!(e, Error::Symlink)
}
fn not_found(e: &Error) -> bool {
    matches!(e, Error::NotFound)
}
fn invalid(e: &Error) -> bool {
    matches!(e, Error::InvalidPath { .. })
}
fn hard_link(e: &Error) -> bool {
    matches!(e, Error::HardLink)
}
fn not_a_file(e: &Error) -> bool {
    matches!(e, Error::NotAFile)
}
fn denied(e: &Error) -> bool {
    matches!(e, Error::Denied)
}

/// The usual furniture: an inside file, a nested directory, and links pointing out.
fn furnish(fx: &Fixture) -> Jail {
    fx.file("file.txt", b"inside");
    fx.file("sub/deep/inner.txt", b"deep");
    fx.symlink(&fx.outside, "outlink");
    fx.symlink("../outside", "rel_out");
    fx.symlink(fx.outside.join("secret"), "ptr");
    fx.jail()
}

fn read_all(jail: &Jail, p: &str) -> Result<Vec<u8>, Error> {
    let mut f = jail.open_read(p)?;
    let mut v = Vec::new();
    f.read_to_end(&mut v)?;
    Ok(v)
}

both_resolvers! {
    // ---- symbolic links pointing out ------------------------------------------------------
    symlink_to_host_root => |fx| {
        let j = furnish(fx);
        fx.symlink("/", "to_root");
        fx.refused(j.stat("to_root/etc/passwd"), escape);
        fx.refused(read_all(&j, "to_root/etc/passwd"), escape);
        fx.refused(j.list("to_root"), escape);
        fx.refused(j.stat("to_root"), escape);
    };
    symlink_to_etc_passwd => |fx| {
        let j = furnish(fx);
        fx.symlink("/etc/passwd", "passwd");
        fx.refused(read_all(&j, "passwd"), escape);
        fx.refused(j.stat("passwd"), escape);
        fx.refused(j.copy("passwd"), escape);
    };
    symlink_to_dotdot => |fx| {
        let j = furnish(fx);
        fx.symlink("..", "up");
        fx.refused(j.list("up"), escape);
        fx.refused(read_all(&j, "up/outside/secret"), escape);
        fx.refused(j.stat("up/beside-root"), escape);
    };
    symlink_to_outside_dir => |fx| {
        let j = furnish(fx);
        fx.refused(read_all(&j, "outlink/secret"), escape);
        fx.refused(j.list("outlink"), escape);
        fx.refused(j.list("outlink/dir"), escape);
        fx.refused(read_all(&j, "rel_out/dir/nested"), escape);
    };
    symlink_to_outside_file => |fx| {
        let j = furnish(fx);
        fx.refused(read_all(&j, "ptr"), escape);
        fx.refused(j.stat("ptr"), escape);
        // Describing the link itself is fine, and describes the link, not the secret.
        let own = j.symlink_metadata("ptr").unwrap();
        assert!(own.symlink);
        assert_ne!(own.meta.ino, fs::metadata(fx.outside.join("secret")).unwrap().ino());
        fx.assert_outside_untouched();
    };
    symlink_chain_to_outside => |fx| {
        let j = furnish(fx);
        fx.symlink("b", "a");
        fx.symlink(fx.outside.join("secret"), "b");
        fx.refused(read_all(&j, "a"), escape);
        fx.symlink("c2", "c1");
        fx.symlink("rel_out", "c2");
        fx.refused(read_all(&j, "c1/secret"), escape);
        fx.refused(j.list("c1"), escape);
    };
    relative_symlink_climbing_out => |fx| {
        let j = furnish(fx);
        fx.symlink("../../../outside/secret", "sub/deep/rel");
        fx.refused(read_all(&j, "sub/deep/rel"), escape);
        fx.refused(j.stat("sub/deep/rel"), escape);
    };
    symlink_climbing_through_inside_dirs => |fx| {
        let j = furnish(fx);
        // `sub/..` stays inside, the next `..` leaves.
        fx.symlink("sub/../../outside/secret", "wiggle");
        fx.refused(read_all(&j, "wiggle"), escape);
    };
    symlink_with_trailing_slash_out => |fx| {
        let j = furnish(fx);
        fx.symlink("../outside/", "slash_out");
        fx.refused(j.list("slash_out"), escape);
        fx.refused(read_all(&j, "slash_out/secret"), escape);
    };
    absolute_symlink_even_to_inside_is_refused => |fx| {
        // RESOLVE_BENEATH refuses absolute targets: their meaning is the host's, not the
        // container's, so even one naming a file inside the root by its host path is refused.
        let j = furnish(fx);
        fx.symlink(fx.r("file.txt"), "abs_in");
        fx.refused(read_all(&j, "abs_in"), escape);
    };
    magic_proc_links => |fx| {
        let j = furnish(fx);
        fx.symlink("/proc/self/root", "proc_root");
        fx.symlink("/proc/self/cwd", "proc_cwd");
        fx.refused(read_all(&j, "proc_root/etc/passwd"), escape);
        fx.refused(j.list("proc_cwd"), escape);
    };
    symlink_loop_terminates => |fx| {
        let j = furnish(fx);
        fx.symlink("loop_b", "loop_a");
        fx.symlink("loop_a", "loop_b");
        fx.refused(read_all(&j, "loop_a"), invalid);
        fx.refused(j.stat("loop_a/x"), invalid);
    };
    inside_symlinks_still_work_for_reads => |fx| {
        let j = furnish(fx);
        fx.symlink("sub/deep", "shortcut");
        assert_eq!(read_all(&j, "shortcut/inner.txt").unwrap(), b"deep");
        let st = j.stat("shortcut").unwrap();
        assert!(st.directory && st.symlink);
        fx.assert_outside_untouched();
    };

    // ---- `..` in user paths ---------------------------------------------------------------
    dotdot_first => |fx| {
        let j = furnish(fx);
        fx.refused(read_all(&j, "../outside/secret"), escape);
        fx.refused(j.stat(".."), escape);
        fx.refused(j.write_all("../x", b"pwned"), escape);
    };
    dotdot_after_one => |fx| {
        let j = furnish(fx);
        fx.refused(read_all(&j, "sub/../../outside/secret"), escape);
        fx.refused(j.write_all("sub/../../beside-root", b"pwned"), escape);
    };
    dotdot_after_two => |fx| {
        let j = furnish(fx);
        fx.refused(read_all(&j, "sub/deep/../../../outside/secret"), escape);
        fx.refused(j.create_dir_all("sub/deep/../../../newdir"), escape);
    };
    dotdot_trailing => |fx| {
        let j = furnish(fx);
        fx.refused(j.list("sub/../.."), escape);
        fx.refused(j.list("/.."), escape);
        // Staying inside is fine: `sub/deep/..` is `sub`.
        assert!(j.list("sub/deep/..").unwrap().iter().any(|s| s.name == "deep"));
        fx.assert_outside_untouched();
    };
    dotdot_after_leading_slash => |fx| {
        let j = furnish(fx);
        fx.refused(read_all(&j, "/../outside/secret"), escape);
        fx.refused(read_all(&j, "/./../outside/secret"), escape);
        fx.refused(j.remove("/../outside"), escape);
    };
    dotdot_leave_and_come_back => |fx| {
        // `../root/file.txt` would name a file inside, but climbs above the root on the way.
        let j = furnish(fx);
        fx.refused(read_all(&j, "../root/file.txt"), escape);
    };
    dotdot_through_symlinked_dir => |fx| {
        // Lexical: `outlink/..` is the root, so this reads the inside file, not outside/../x.
        let j = furnish(fx);
        fx.file("beside-root", b"inside twin");
        assert_eq!(read_all(&j, "outlink/../beside-root").unwrap(), b"inside twin");
        fx.assert_outside_untouched();
    };

    // ---- absolute-looking and encoded paths -----------------------------------------------
    absolute_paths_stay_inside => |fx| {
        let j = furnish(fx);
        fx.refused(read_all(&j, "/etc/passwd"), not_found);
        fx.refused(j.stat("/etc/passwd"), not_found);
        fx.file("etc/passwd", b"inside passwd");
        assert_eq!(read_all(&j, "/etc/passwd").unwrap(), b"inside passwd");
        fx.assert_outside_untouched();
    };
    absolute_path_write_stays_inside => |fx| {
        let j = furnish(fx);
        let before = fs::read("/etc/passwd").unwrap();
        j.write_all("/etc/passwd", b"root::0:0::/root:/bin/sh").unwrap();
        assert_eq!(fs::read(fx.r("etc/passwd")).unwrap(), b"root::0:0::/root:/bin/sh");
        assert_eq!(fs::read("/etc/passwd").unwrap(), before);
        fx.assert_outside_untouched();
    };
    percent_encoded_dots_are_literal => |fx| {
        let j = furnish(fx);
        fx.refused(read_all(&j, "%2e%2e/outside/secret"), not_found);
        fx.refused(read_all(&j, "%2E%2E%2Foutside%2Fsecret"), not_found);
        j.write_all("%2e%2e/x", b"literal").unwrap();
        assert!(fx.r("%2e%2e/x").is_file());
        fx.assert_outside_untouched();
    };
    nul_byte_rejected => |fx| {
        let j = furnish(fx);
        fx.refused(read_all(&j, "file.txt\0/../../outside/secret"), invalid);
        fx.refused(j.write_all("x\0y", b"no"), invalid);
        fx.refused(j.stat("\0"), invalid);
        fx.refused(j.rename("file.txt", "a\0b"), invalid);
    };
    backslashes_are_literal => |fx| {
        let j = furnish(fx);
        fx.refused(read_all(&j, "..\\outside\\secret"), not_found);
        fx.refused(read_all(&j, "\\..\\outside\\secret"), not_found);
        j.write_all("\\..\\x", b"literal").unwrap();
        assert!(fx.r("\\..\\x").is_file());
        fx.assert_outside_untouched();
    };
    unicode_lookalikes_stay_inside => |fx| {
        let j = furnish(fx);
        for name in ["\u{2024}\u{2024}", "\u{2025}", "\u{ff0e}\u{ff0e}", "..\u{200b}", "\u{200b}..", ".\u{2024}"] {
            j.write_all(&format!("{name}/x"), b"inside").unwrap();
            assert_eq!(fs::read(fx.r(name).join("x")).unwrap(), b"inside");
            assert_eq!(read_all(&j, &format!("{name}/x")).unwrap(), b"inside");
            fx.refused(read_all(&j, &format!("{name}/../../outside/secret")), escape);
        }
        assert!(j.list("/").unwrap().iter().any(|s| s.name == "\u{2025}"));
        fx.assert_outside_untouched();
    };
    very_long_paths => |fx| {
        let j = furnish(fx);
        let long = "a/".repeat(2100);
        fx.refused(j.stat(&long), invalid);
        fx.refused(j.write_all(&long, b"x"), invalid);
        fx.refused(j.create_dir_all(&long), invalid);
        let long_name = "n".repeat(300);
        fx.refused(j.write_all(&long_name, b"x"), invalid);
        fx.refused(read_all(&j, &format!("{long_name}/../../outside/secret")), invalid);
        let many_dots = "./".repeat(5000) + "file.txt";
        fx.refused(j.stat(&many_dots), invalid);
    };
    root_itself_is_not_a_file => |fx| {
        let j = furnish(fx);
        fx.refused(read_all(&j, ""), |e| matches!(e, Error::IsADirectory));
        fx.refused(j.write_all("/", b"x"), |e| matches!(e, Error::IsADirectory));
        fx.refused(j.remove("/"), invalid);
        fx.refused(j.remove(""), invalid);
        fx.refused(j.remove("sub/.."), invalid);
        fx.refused(j.rename("/", "x"), invalid);
    };

    // ---- writes -----------------------------------------------------------------------------
    write_through_symlinked_dir => |fx| {
        let j = furnish(fx);
        fx.refused(j.write_all("outlink/new", b"pwned"), symlink);
        fx.refused(j.write_all("rel_out/secret", b"pwned"), symlink);
        fx.refused(j.create_write("outlink/dir/nested", true), symlink);
        fx.refused(j.create_write_sized("outlink/sized", 3), symlink);
    };
    write_through_inside_symlinked_dir_is_refused_too => |fx| {
        let j = furnish(fx);
        fx.symlink("sub", "sublink");
        fx.refused(j.write_all("sublink/x", b"no"), symlink);
        assert!(!fx.r("sub/x").exists());
    };
    write_to_dangling_symlink_outside => |fx| {
        let j = furnish(fx);
        fx.symlink(fx.outside.join("created_by_attack"), "dangle");
        fx.symlink("../outside/created_too", "dangle_rel");
        fx.refused(j.write_all("dangle", b"pwned"), symlink);
        fx.refused(j.create_write("dangle_rel", false), symlink);
        assert!(!fx.outside.join("created_by_attack").exists());
    };
    write_to_symlink_at_existing_secret => |fx| {
        let j = furnish(fx);
        fx.refused(j.write_all("ptr", b"pwned"), symlink);
        fx.refused(j.create_write("ptr", false), symlink);
        fx.refused(j.create_write("ptr", true), symlink);
    };
    create_dir_through_symlink => |fx| {
        let j = furnish(fx);
        fx.refused(j.create_dir_all("outlink/newdir"), symlink);
        fx.refused(j.create_dir_all("rel_out/dir/deeper"), symlink);
    };
    atomic_replace_through_symlink => |fx| {
        let j = furnish(fx);
        fx.refused(j.replace_atomic("outlink/secret", b"pwned"), symlink);
        // On the link itself, the link is replaced by a file: the target is never written.
        j.replace_atomic("ptr", b"replaced").unwrap();
        assert!(fs::symlink_metadata(fx.r("ptr")).unwrap().is_file());
        assert_eq!(fs::read(fx.r("ptr")).unwrap(), b"replaced");
        fx.assert_outside_untouched();
    };
    write_below_a_file => |fx| {
        let j = furnish(fx);
        fx.refused(j.write_all("file.txt/x", b"x"), |e| matches!(e, Error::NotADirectory));
    };

    // ---- rename -------------------------------------------------------------------------------
    rename_into_symlinked_dir => |fx| {
        let j = furnish(fx);
        fx.refused(j.rename("file.txt", "outlink/file.txt"), symlink);
        fx.refused(j.rename("file.txt", "rel_out/new/file.txt"), symlink);
        assert!(fx.r("file.txt").is_file());
    };
    rename_out_of_symlinked_dir => |fx| {
        let j = furnish(fx);
        fx.refused(j.rename("outlink/secret", "stolen"), symlink);
        fx.refused(j.rename("rel_out/dir", "stolen_dir"), symlink);
        assert!(!fx.r("stolen").exists());
    };
    rename_with_dotdot_destination => |fx| {
        let j = furnish(fx);
        fx.refused(j.rename("file.txt", "../outside/file.txt"), escape);
        fx.refused(j.rename("file.txt", "sub/../../file.txt"), escape);
        fx.refused(j.rename("../outside/secret", "stolen"), escape);
        assert!(fx.r("file.txt").is_file());
    };
    rename_onto_symlink_does_not_follow => |fx| {
        let j = furnish(fx);
        fx.refused(j.rename("file.txt", "ptr"), |e| matches!(e, Error::Exists));
        fx.refused(j.rename("file.txt", "outlink"), |e| matches!(e, Error::Exists));
    };
    rename_moves_links_not_targets => |fx| {
        let j = furnish(fx);
        j.rename("ptr", "sub/moved_ptr").unwrap();
        assert!(fs::symlink_metadata(fx.r("sub/moved_ptr")).unwrap().file_type().is_symlink());
        fx.refused(read_all(&j, "sub/moved_ptr"), escape);
    };
    rename_dir_into_itself => |fx| {
        let j = furnish(fx);
        fx.refused(j.rename("sub", "sub/deep/sub"), invalid);
    };

    // ---- copy ---------------------------------------------------------------------------------
    copy_of_symlink_to_outside => |fx| {
        let j = furnish(fx);
        fx.refused(j.copy("ptr"), escape);
        fx.refused(j.copy("outlink/secret"), escape);
        assert!(!fx.r("ptr copy").exists());
    };
    copy_never_writes_through_an_existing_copy_name => |fx| {
        let j = furnish(fx);
        // A planted "file copy.txt" link pointing outside is skipped, never written through.
        fx.symlink(fx.outside.join("planted"), "file copy.txt");
        assert_eq!(j.copy("file.txt").unwrap(), "/file copy 2.txt");
        assert_eq!(fs::read(fx.r("file copy 2.txt")).unwrap(), b"inside");
        assert!(!fx.outside.join("planted").exists());
        fx.assert_outside_untouched();
    };

    // ---- delete -------------------------------------------------------------------------------
    delete_through_symlinked_dir => |fx| {
        let j = furnish(fx);
        fx.refused(j.remove("outlink/secret"), symlink);
        fx.refused(j.remove("rel_out/dir"), symlink);
        fx.refused(j.remove("outlink/dir/nested"), symlink);
    };
    delete_symlink_removes_only_the_link => |fx| {
        let j = furnish(fx);
        j.remove("outlink").unwrap();
        j.remove("ptr").unwrap();
        assert!(!fx.r("outlink").exists() && fs::symlink_metadata(fx.r("outlink")).is_err());
        fx.assert_outside_untouched();
    };
    delete_dir_containing_links_out => |fx| {
        let j = furnish(fx);
        fx.symlink(&fx.outside, "victim/out");
        fx.symlink("../../outside", "victim/deeper/rel");
        fx.symlink(fx.outside.join("secret"), "victim/deeper/file");
        j.remove("victim").unwrap();
        assert!(!fx.r("victim").exists());
        fx.assert_outside_untouched();
    };
    delete_dotdot => |fx| {
        let j = furnish(fx);
        fx.refused(j.remove(".."), escape);
        fx.refused(j.remove("sub/../../outside/secret"), escape);
    };

    // ---- chmod --------------------------------------------------------------------------------
    chmod_through_symlink => |fx| {
        let j = furnish(fx);
        fx.refused(j.chmod("ptr", 0o777), symlink);
        fx.refused(j.chmod("outlink", 0o777), symlink);
        fx.refused(j.chmod("outlink/secret", 0o777), symlink);
        fx.refused(j.chmod("../outside/secret", 0o777), escape);
    };
    chmod_special_bits_refused => |fx| {
        let j = furnish(fx);
        fx.refused(j.chmod("file.txt", 0o4755), |e| matches!(e, Error::InvalidMode));
        fx.refused(j.chmod("sub", 0o1777), |e| matches!(e, Error::InvalidMode));
        j.chmod("file.txt", 0o600).unwrap();
        assert_eq!(fs::metadata(fx.r("file.txt")).unwrap().permissions().mode() & 0o7777, 0o600);
    };

    // ---- races ----------------------------------------------------------------------------------
    parent_swapped_for_symlink_between_operations => |fx| {
        let j = furnish(fx);
        fs::create_dir(fx.r("work")).unwrap();
        // Step one resolves `work` and opens the file.
        let mut w = j.create_write("work/file", true).unwrap();
        // The directory is swapped for a link to the outside.
        fs::rename(fx.r("work"), fx.r("work_old")).unwrap();
        fx.symlink(&fx.outside, "work");
        // Writing through the open handle lands in the inode resolved earlier (now work_old).
        w.write_all(b"still inside").unwrap();
        w.finish().unwrap();
        assert_eq!(fs::read(fx.r("work_old/file")).unwrap(), b"still inside");
        // Every later step resolves again and is refused.
        fx.refused(j.write_all("work/file", b"pwned"), symlink);
        fx.refused(j.create_write("work/secret", false), symlink);
        fx.refused(j.remove("work/secret"), symlink);
        fx.refused(j.chmod("work/secret", 0o777), symlink);
        fx.refused(j.rename("work/secret", "x"), symlink);
        fx.refused(read_all(&j, "work/secret"), escape);
        fx.refused(j.list("work"), escape);
    };
    file_swapped_for_symlink_between_operations => |fx| {
        let j = furnish(fx);
        let st = j.stat("file.txt").unwrap();
        assert!(st.file);
        fs::remove_file(fx.r("file.txt")).unwrap();
        fx.symlink(fx.outside.join("secret"), "file.txt");
        fx.refused(read_all(&j, "file.txt"), escape);
        fx.refused(j.write_all("file.txt", b"pwned"), symlink);
        fx.refused(j.copy("file.txt"), escape);
        fx.refused(j.chmod("file.txt", 0o777), symlink);
    };

    // ---- hard links, FIFOs, devices, sockets --------------------------------------------------
    hard_link_to_outside_file => |fx| {
        let j = furnish(fx);
        fs::hard_link(fx.outside.join("secret"), fx.r("hl")).unwrap();
        fx.resnapshot(); // the link itself changed the secret's link count and ctime
        fx.refused(read_all(&j, "hl"), hard_link);
        fx.refused(j.write_all("hl", b"pwned"), hard_link);
        fx.refused(j.create_write("hl", false), hard_link);
        fx.refused(j.create_write_sized("hl", 1), hard_link);
        fx.refused(j.chmod("hl", 0o777), hard_link);
        fx.refused(j.copy("hl"), hard_link);
        // Deleting the name inside the volume leaves the outside file alone.
        j.remove("hl").unwrap();
        assert_eq!(fs::metadata(fx.outside.join("secret")).unwrap().nlink(), 1);
    };
    fifo_is_never_opened => |fx| {
        let j = furnish(fx);
        rustix::fs::mknodat(rustix::fs::CWD, fx.r("fifo"), rustix::fs::FileType::Fifo, rustix::fs::Mode::from_raw_mode(0o644), 0).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let jail = std::sync::Arc::new(j);
        let j2 = std::sync::Arc::clone(&jail);
        std::thread::spawn(move || {
            let r = (read_all(&j2, "fifo").err(), j2.write_all("fifo", b"x").err(), j2.copy("fifo").err());
            let _ = tx.send(r);
        });
        let (read, write, copy) = rx.recv_timeout(Duration::from_secs(10)).expect("an operation on a FIFO blocked");
        assert!(matches!(read, Some(Error::NotAFile)), "{read:?}");
        assert!(matches!(write, Some(Error::NotAFile)), "{write:?}");
        assert!(matches!(copy, Some(Error::NotAFile)), "{copy:?}");
        let st = jail.stat("fifo").unwrap();
        assert!(st.mode.starts_with('p') && !st.file);
        fx.assert_outside_untouched();
    };
    device_node_is_never_opened => |fx| {
        let j = furnish(fx);
        let dev = rustix::fs::makedev(1, 3); // /dev/null
        match rustix::fs::mknodat(rustix::fs::CWD, fx.r("null"), rustix::fs::FileType::CharacterDevice, rustix::fs::Mode::from_raw_mode(0o666), dev) {
            Ok(()) => {}
            // Creating device nodes needs CAP_MKNOD: skip this one case when not root.
            Err(rustix::io::Errno::PERM) => return,
            Err(e) => panic!("mknod: {e}"),
        }
        fx.refused(read_all(&j, "null"), not_a_file);
        fx.refused(j.write_all("null", b"x"), not_a_file);
        fx.refused(j.chmod("null", 0o777), not_a_file);
        assert!(j.stat("null").unwrap().mode.starts_with("Dc"));
    };
    socket_is_never_opened => |fx| {
        let j = furnish(fx);
        let _listener = std::os::unix::net::UnixListener::bind(fx.r("sock")).unwrap();
        fx.refused(read_all(&j, "sock"), not_a_file);
        fx.refused(j.write_all("sock", b"x"), not_a_file);
    };

    // ---- denylist bypasses ----------------------------------------------------------------------
    denylist_not_bypassed_by_symlink => |fx| {
        fx.file("secret.cfg", b"egg secret");
        fx.file("private/key", b"egg key");
        fx.symlink("secret.cfg", "innocent");
        fx.symlink("private", "pub");
        let j = fx.jail_with(aerie_fs::JailOptions { denylist: vec!["secret.cfg".into(), "/private".into()], ..fx.options() });
        fx.refused(read_all(&j, "innocent"), denied);
        fx.refused(j.stat("innocent"), denied);
        fx.refused(read_all(&j, "pub/key"), denied);
        fx.refused(j.list("pub"), denied);
        fx.refused(j.copy("innocent"), denied);
        fx.refused(read_all(&j, "sub/../secret.cfg"), denied);
    };
}

#[test]
fn at_least_forty_attempts() {
    // Keeps the count honest: every `both_resolvers!` entry above is one attempt.
    let src = include_str!("escape.rs");
    let attempts = src
        .lines()
        .filter(|l| l.trim_end().ends_with("=> |fx| {"))
        .count();
    assert!(attempts >= 40, "only {attempts} escape attempts");
}

#[test]
fn the_fixture_notices_reads_writes_and_creations() {
    let mut fx = Fixture::new(aerie_fs::Resolver::Openat2);
    assert!(!fx.outside_changed());
    if fx.sees_reads() {
        let _ = fs::read(fx.outside.join("secret")).unwrap();
        assert!(fx.outside_changed(), "a read of the secret went unnoticed");
        fx.resnapshot();
    }
    fs::write(fx.outside.join("dir/new"), b"x").unwrap();
    assert!(fx.outside_changed(), "a new file went unnoticed");
    fx.resnapshot();
    fs::set_permissions(fx.outside.join("secret"), fs::Permissions::from_mode(0o777)).unwrap();
    assert!(fx.outside_changed(), "a chmod went unnoticed");
    fx.resnapshot();
    fs::write(fx.tmp.path().join("next-to-root"), b"x").unwrap();
    assert!(
        fx.outside_changed(),
        "a file beside the root went unnoticed"
    );
}

#[test]
fn secrets_intact_after_everything_in_one_fixture() {
    let fx = Fixture::new(aerie_fs::Resolver::Openat2);
    let j = furnish(&fx);
    let _ = read_all(&j, "ptr");
    let _ = j.write_all("outlink/x", b"x");
    let _ = j.remove("outlink/secret");
    fx.assert_outside_untouched();
    fx.assert_secrets_intact();
    assert_eq!(fs::read(fx.r("file.txt")).unwrap(), b"inside");
    let _ = SECRET;
}
