//! File benchmarks for wings, each against a reference on the same disk in the same run:
//!
//! 1. upload: streaming `files/write` of a large file, against `cp` of the same file, and
//!    against the same `curl` upload into a bare socket-to-file sink (the transport's floor:
//!    no HTTP parsing, no jail, no accounting, one `read`/`write` loop with a 1 MiB buffer);
//! 2. download: `files/contents?download=1`, against `cat file > /dev/null`;
//! 3. backup: a local backup (tar + zstd level 1, SHA-256), against `tar -cf - . | zstd -1 -T1`;
//! 4. listing a directory of 100 000 files, against `ls -la` of the same directory.
//!
//! Usage: `cargo run --release -p aerie-bench --bin bench-files [size_mib]`. Needs the Docker
//! engine (for the test node), `zstd`, and free disk of about 4× the file size.

use std::process::Command;
use std::time::{Duration, Instant};

use aerie_testkit::node::{TestNode, echo_server, new_uuid};
use serde_json::json;

fn shell(cmd: &str) -> Duration {
    let t = Instant::now();
    let ok = Command::new("bash")
        .arg("-c")
        .arg(cmd)
        .status()
        .expect("run shell")
        .success();
    assert!(ok, "`{cmd}` failed");
    t.elapsed()
}

fn drop_caches_hint() {
    // Not dropping the page cache (needs privileges and would slow every other process);
    // both sides run warm, one after the other, on the same file.
}

async fn installed(node: &TestNode) -> String {
    let uuid = new_uuid();
    let (server, script) = echo_server(&uuid);
    node.panel.put(server, script);
    node.post("/api/servers", json!({"uuid": uuid})).await;
    while node.panel.statuses_for(&uuid).is_empty() {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    uuid
}

/// A bare HTTP sink on loopback: reads one request's headers, then copies the body to `dest`
/// with a 512 KiB buffer until `len` bytes arrived, and answers 204. Returns its URL. (A
/// 1 MiB buffer would make the floor depend on a kernel quirk: 1 MiB writes at 1 MiB-aligned
/// offsets are about 13 times slower than 512 KiB ones on Linux 6.18's ext4.)
fn raw_sink(dest: std::path::PathBuf, len: u64) -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind sink");
    let url = format!("http://{}/sink", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().expect("accept");
        let mut reader = BufReader::with_capacity(SINK_BUFFER, stream);
        let mut line = String::new();
        loop {
            line.clear();
            reader.read_line(&mut line).expect("header");
            if line == "\r\n" || line.is_empty() {
                break;
            }
        }
        let mut file = std::fs::File::create(dest).expect("sink file");
        let mut left = len;
        let mut buf = vec![0u8; SINK_BUFFER];
        while left > 0 {
            let want = usize::try_from(left.min(SINK_BUFFER as u64)).expect("fits");
            let n = reader.read(&mut buf[..want]).expect("read body");
            assert!(n > 0, "the client closed early");
            file.write_all(&buf[..n]).expect("write");
            left -= n as u64;
        }
        reader
            .get_mut()
            .write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
            .expect("answer");
    });
    url
}

const SINK_BUFFER: usize = 512 * 1024;

/// Times `curl -T file` (a streamed `POST`, no `Expect`) to `url`, with `extra` curl options.
async fn curl_upload(file: &std::path::Path, url: &str, extra: &str) -> Duration {
    let cmd = format!(
        "curl -sf -X POST {extra} -H 'Content-Type: application/octet-stream' -H 'Expect:' -T {} '{url}' -o /dev/null",
        file.display()
    );
    tokio::task::spawn_blocking(move || shell(&cmd))
        .await
        .expect("curl upload")
}

fn mib_s(bytes: u64, d: Duration) -> f64 {
    bytes as f64 / (1024.0 * 1024.0) / d.as_secs_f64()
}

#[tokio::main]
async fn main() {
    let size_mib: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(512);
    let bytes = size_mib * 1024 * 1024;
    let node = TestNode::start().await;
    let uuid = installed(&node).await;
    let server = node.state.manager.get(&uuid).expect("server");
    let work = node.dir.path().join("bench");
    std::fs::create_dir_all(&work).expect("work dir");
    let src = work.join("source.bin");
    shell(&format!("head -c {bytes} /dev/urandom > {}", src.display()));
    drop_caches_hint();
    let mut rows = Vec::new();

    // 1. Upload vs cp.
    let cp = shell(&format!(
        "cp {} {}",
        src.display(),
        work.join("copy.bin").display()
    ));
    // The client is curl, a separate process, as a user's uploader would be; `-T` streams the file.
    let up_url = format!(
        "{}/api/servers/{uuid}/files/write?file=/upload.bin",
        node.url
    );
    let auth = format!("-H 'Authorization: Bearer {}'", node.token);
    let up = curl_upload(&src, &up_url, &auth).await;
    assert_eq!(
        std::fs::metadata(server.volume().join("upload.bin"))
            .expect("uploaded")
            .len(),
        bytes
    );
    let sink_url = raw_sink(work.join("sink.bin"), bytes);
    let sink = curl_upload(&src, &sink_url, "").await;
    rows.push(format!(
        "| upload {size_mib} MiB (`files/write` streamed by `curl -T`, loopback HTTP) | {:.0} MiB/s | `cp` on the same disk: {:.0} MiB/s | {:.2} |",
        mib_s(bytes, up),
        mib_s(bytes, cp),
        cp.as_secs_f64() / up.as_secs_f64()
    ));
    rows.push(format!(
        "| the same upload, against the transport's floor | {:.0} MiB/s | the same `curl -T` into a bare socket-to-file loop: {:.0} MiB/s | {:.2} |",
        mib_s(bytes, up),
        mib_s(bytes, sink),
        sink.as_secs_f64() / up.as_secs_f64()
    ));
    let _ = std::fs::remove_file(work.join("sink.bin"));

    // 2. Download vs cat.
    let cat = shell(&format!(
        "cat {} > /dev/null",
        server.volume().join("upload.bin").display()
    ));
    let down_url = format!(
        "{}/api/servers/{uuid}/files/contents?file=/upload.bin&download=1",
        node.url
    );
    let token = node.token.clone();
    let down = tokio::task::spawn_blocking(move || {
        shell(&format!(
            "curl -sf -H 'Authorization: Bearer {token}' '{down_url}' -o /dev/null"
        ))
    })
    .await
    .expect("download");
    rows.push(format!(
        "| download {size_mib} MiB (`files/contents?download=1` to `curl -o /dev/null`) | {:.0} MiB/s | `cat > /dev/null`: {:.0} MiB/s | {:.2} |",
        mib_s(bytes, down),
        mib_s(bytes, cat),
        cat.as_secs_f64() / down.as_secs_f64()
    ));

    // 3. Backup vs tar | zstd, on the volume (the uploaded file plus a tree of small files).
    let tree = server.volume().join("tree");
    for d in 0..20 {
        std::fs::create_dir_all(tree.join(format!("d{d}"))).expect("dir");
        for f in 0..500 {
            std::fs::write(
                tree.join(format!("d{d}/f{f}.txt")),
                format!("line {f} of dir {d}\n").repeat(40),
            )
            .expect("file");
        }
    }
    let vol = server.volume();
    // Each backup run starts with nothing waiting to be written back (the files just made,
    // the previous run's archive), so none pays for another's writeback.
    let settle = || shell("sync");
    settle();
    let tz = shell(&format!(
        "tar -C {} -cf - . | zstd -1 -T1 -q -o {}",
        vol.display(),
        work.join("ref.tar.zst").display()
    ));
    // Wings fsyncs a finished backup before reporting it; the same for the reference.
    settle();
    let tz_sync = shell(&format!(
        "tar -C {} -cf - . | zstd -1 -T1 -q -f -o {out} && sync {out}",
        vol.display(),
        out = work.join("ref2.tar.zst").display()
    ));
    settle();
    let backup = new_uuid();
    // Markers on stderr let a profiler attach for the backup alone.
    eprintln!("bench: backup start");
    let t = Instant::now();
    let r = node
        .post(
            &format!("/api/servers/{uuid}/backup"),
            json!({"adapter": "wings", "uuid": backup, "ignore": ""}),
        )
        .await;
    assert_eq!(r.status(), 202);
    let done = loop {
        if let Some(b) = node
            .panel
            .backups
            .lock()
            .expect("lock")
            .iter()
            .find(|(u, _)| u == &backup)
            .cloned()
        {
            break b;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let bk = t.elapsed();
    eprintln!("bench: backup done");
    assert!(done.1.successful, "backup failed");
    let vol_bytes = aerie_wings::server::disk_usage(&vol);
    rows.push(format!(
        "| backup of {} MiB (1 large random file + 10 000 small text files), zstd level 1 | {:.0} MiB/s | `tar -cf - . \\| zstd -1 -T1`: {:.0} MiB/s; with `sync` of the result (as wings does): {:.0} MiB/s | {:.2} / {:.2} |",
        vol_bytes / (1024 * 1024),
        mib_s(vol_bytes, bk),
        mib_s(vol_bytes, tz),
        mib_s(vol_bytes, tz_sync),
        tz.as_secs_f64() / bk.as_secs_f64(),
        tz_sync.as_secs_f64() / bk.as_secs_f64()
    ));

    // 4. Listing 100 000 files.
    let many = server.volume().join("many");
    std::fs::create_dir_all(&many).expect("dir");
    for i in 0..100_000 {
        std::fs::write(many.join(format!("file-{i:06}.dat")), b"x").expect("file");
    }
    let ls = shell(&format!("ls -la {} > /dev/null", many.display()));
    let t = Instant::now();
    let r = node
        .get(&format!(
            "/api/servers/{uuid}/files/list-directory?directory=/many"
        ))
        .await;
    let list: serde_json::Value = r.json().await.expect("json");
    let lt = t.elapsed();
    assert_eq!(list.as_array().expect("array").len(), 100_000);
    rows.push(format!(
        "| list a directory of 100 000 files (`files/list-directory`, JSON over HTTP) | {:.0} ms | `ls -la > /dev/null`: {:.0} ms | {:.2} |",
        lt.as_secs_f64() * 1000.0,
        ls.as_secs_f64() * 1000.0,
        ls.as_secs_f64() / lt.as_secs_f64()
    ));

    node.cleanup(&uuid).await;
    println!("| benchmark | Aerie | reference | ratio (reference time / Aerie time) |");
    println!("| --- | --- | --- | --- |");
    for r in rows {
        println!("{r}");
    }
}
