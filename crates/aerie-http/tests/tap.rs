//! A body taken from the socket by `Tap::raw_body`, against a real server on an ephemeral
//! port, with a client writing raw HTTP/1 so the test controls how the bytes arrive.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use aerie_http::{CopyError, Peer, serve_tapped};
use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use axum::routing::post;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Echoes how many bytes arrived, a digest of them, and whether the connection stays open.
async fn sink(ConnectInfo(peer): ConnectInfo<Peer>, headers: HeaderMap, body: Body) -> String {
    let len: u64 = headers["content-length"].to_str().unwrap().parse().unwrap();
    let raw = peer.tap.raw_body(body, len).await.unwrap();
    let whole = raw.is_whole();
    let result = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        let r = raw.copy_to(&mut out, Duration::from_secs(2));
        (r, out)
    })
    .await
    .unwrap();
    match result {
        (Ok(n), out) => format!("ok {n} {} whole={whole}", digest(&out)),
        (Err(CopyError::Read(e)), _) => format!("read error: {e}"),
        (Err(CopyError::Write(e)), _) => format!("write error: {e}"),
    }
}

fn digest(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

async fn start() -> (String, tokio::sync::oneshot::Sender<()>) {
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let router = Router::new().route("/sink", post(sink));
    tokio::spawn(async move {
        serve_tapped(router, listener, async move {
            let _ = rx.await;
        })
        .await
        .unwrap();
    });
    (addr, tx)
}

fn head(len: usize, extra: &str) -> String {
    format!("POST /sink HTTP/1.1\r\nHost: t\r\nContent-Length: {len}\r\n{extra}\r\n")
}

/// Reads one response (headers and a `Content-Length` body) from `s`.
async fn response(s: &mut TcpStream) -> (String, String) {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        assert_eq!(
            s.read(&mut byte).await.unwrap(),
            1,
            "closed before a response"
        );
        buf.push(byte[0]);
    }
    let headers = String::from_utf8(buf).unwrap().to_ascii_lowercase();
    let len: usize = headers
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let mut body = vec![0u8; len];
    s.read_exact(&mut body).await.unwrap();
    (headers, String::from_utf8(body).unwrap())
}

#[tokio::test]
async fn a_body_trickling_in_arrives_exactly_and_the_connection_closes_after() {
    let (addr, _stop) = start().await;
    let body = pattern(3 * 1024 * 1024 + 17);
    let mut s = TcpStream::connect(&addr).await.unwrap();
    // Headers and the first bytes together (hyper buffers those), the rest in uneven pieces
    // with pauses (those stay in the socket for the handler).
    let mut first = head(body.len(), "").into_bytes();
    first.extend_from_slice(&body[..70_000]);
    s.write_all(&first).await.unwrap();
    for piece in body[70_000..].chunks(400_000) {
        tokio::time::sleep(Duration::from_millis(20)).await;
        s.write_all(piece).await.unwrap();
    }
    let (headers, text) = response(&mut s).await;
    assert!(headers.starts_with("http/1.1 200"), "{headers}");
    assert_eq!(
        text,
        format!("ok {} {} whole=false", body.len(), digest(&body))
    );
    // hyper no longer knows where a next request would start: the connection ends.
    let mut rest = Vec::new();
    let n = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut rest))
        .await
        .expect("the connection stays open")
        .unwrap_or(0);
    assert_eq!(n, 0);
}

#[tokio::test]
async fn a_body_hyper_read_whole_keeps_the_connection_for_the_next_request() {
    let (addr, _stop) = start().await;
    let mut s = TcpStream::connect(&addr).await.unwrap();
    for round in 0..3 {
        let body = pattern(1000 + round);
        let mut req = head(body.len(), "").into_bytes();
        req.extend_from_slice(&body);
        s.write_all(&req).await.unwrap();
        let (headers, text) = response(&mut s).await;
        assert!(headers.starts_with("http/1.1 200"), "{headers}");
        assert_eq!(
            text,
            format!("ok {} {} whole=true", body.len(), digest(&body))
        );
    }
}

#[tokio::test]
async fn expect_continue_is_answered_before_the_body_is_read_from_the_socket() {
    let (addr, _stop) = start().await;
    let body = pattern(2 * 1024 * 1024);
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(head(body.len(), "Expect: 100-continue\r\n").as_bytes())
        .await
        .unwrap();
    let mut interim = [0u8; 25];
    tokio::time::timeout(Duration::from_secs(2), s.read_exact(&mut interim))
        .await
        .expect("no 100 Continue")
        .unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    s.write_all(&body).await.unwrap();
    let (_, text) = response(&mut s).await;
    assert_eq!(
        text,
        format!("ok {} {} whole=false", body.len(), digest(&body))
    );
}

#[tokio::test]
async fn a_client_that_stops_halfway_is_reported_not_waited_for() {
    let (addr, _stop) = start().await;
    let body = pattern(2 * 1024 * 1024);
    // Goes silent: the copy gives up after its idle time and says why.
    let mut s = TcpStream::connect(&addr).await.unwrap();
    let mut first = head(body.len(), "").into_bytes();
    first.extend_from_slice(&body[..1024]);
    s.write_all(&first).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    s.write_all(&body[1024..600_000]).await.unwrap();
    let (_, text) = tokio::time::timeout(Duration::from_secs(10), response(&mut s))
        .await
        .expect("the handler hung");
    assert!(text.starts_with("read error"), "{text}");
    assert!(text.contains("nothing for too long"), "{text}");

    // Closes its sending side: reported as an early end.
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(head(body.len(), "").as_bytes()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    s.write_all(&body[..900_000]).await.unwrap();
    s.shutdown().await.unwrap();
    let (_, text) = tokio::time::timeout(Duration::from_secs(10), response(&mut s))
        .await
        .expect("the handler hung");
    assert!(text.contains("closed the connection"), "{text}");
}
