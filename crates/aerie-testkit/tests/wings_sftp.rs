//! The wings SFTP server, driven by a real SSH + SFTP client (russh and russh-sftp, the
//! versions wings re-exports) against a real node and a real installed server: logins,
//! everyday file operations through the jail, escapes, permissions, read-only mode, the
//! disk limit, throttling, public keys, the host key, and the panel's HTTP answers.

#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aerie_testkit::node::{TestNode, echo_server, new_uuid};
use aerie_wings::runtime::BoxFut;
use aerie_wings::sftp::russh::keys::ssh_key::private::Ed25519Keypair;
use aerie_wings::sftp::russh::keys::{
    HashAlg, PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate,
};
use aerie_wings::sftp::russh_sftp::client::SftpSession;
use aerie_wings::sftp::russh_sftp::client::error::Error as SftpError;
use aerie_wings::sftp::russh_sftp::protocol::{FileAttributes, OpenFlags, StatusCode};
use aerie_wings::sftp::{
    SftpAuthError, SftpAuthKind, SftpAuthRequest, SftpAuthResponse, SftpAuthenticator, SftpOptions,
    SftpServer, russh,
};
use serde_json::json;
use tokio::io::AsyncWriteExt;

// ---- the stand-in for the panel's login check ----------------------------------------------

/// Accepts `alice.<short id of server>` with password `secret` (or `key`, when set) and
/// grants `permissions`. Any other short id is vouched for too, as a server that is not on
/// the node, so wings' own check is what refuses it.
struct TestAuth {
    server: String,
    permissions: Mutex<Vec<String>>,
    key: Mutex<Option<String>>,
    requests: Mutex<Vec<SftpAuthRequest>>,
}

impl TestAuth {
    fn new(server: &str, permissions: &[&str]) -> Arc<Self> {
        Arc::new(Self {
            server: server.to_owned(),
            permissions: Mutex::new(permissions.iter().map(|p| (*p).to_owned()).collect()),
            key: Mutex::new(None),
            requests: Mutex::new(Vec::new()),
        })
    }

    fn grant(&self, permissions: &[&str]) {
        *self.permissions.lock().unwrap() = permissions.iter().map(|p| (*p).to_owned()).collect();
    }

    fn calls(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

impl SftpAuthenticator for TestAuth {
    fn authenticate(
        &self,
        req: SftpAuthRequest,
    ) -> BoxFut<'_, Result<SftpAuthResponse, SftpAuthError>> {
        Box::pin(async move {
            self.requests.lock().unwrap().push(req.clone());
            let Some((user, short)) = req.username.rsplit_once('.') else {
                return Err(SftpAuthError::Denied);
            };
            let good = match req.kind {
                SftpAuthKind::Password => req.password == "secret",
                SftpAuthKind::PublicKey => {
                    self.key.lock().unwrap().as_deref() == Some(req.password.as_str())
                }
            };
            if user != "alice" || !good {
                return Err(SftpAuthError::Denied);
            }
            let server = if self.server.starts_with(short) {
                self.server.clone()
            } else {
                format!("{short}-0000-4000-8000-000000000000")
            };
            Ok(SftpAuthResponse {
                user: "user-alice".into(),
                server,
                permissions: self.permissions.lock().unwrap().clone(),
            })
        })
    }
}

// ---- a real SSH client --------------------------------------------------------------------

#[derive(Default)]
struct Seen {
    banner: Option<String>,
    host_key: Option<String>,
}

struct TestClient(Arc<Mutex<Seen>>);

impl russh::client::Handler for TestClient {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        if let PublicKeyOrCertificate::PublicKey { key, .. } = key {
            self.0.lock().unwrap().host_key = Some(key.fingerprint(HashAlg::Sha256).to_string());
        }
        Ok(true)
    }

    async fn auth_banner(
        &mut self,
        banner: &str,
        _session: &mut russh::client::Session,
    ) -> Result<(), Self::Error> {
        self.0.lock().unwrap().banner = Some(banner.to_owned());
        Ok(())
    }
}

struct Conn {
    handle: russh::client::Handle<TestClient>,
    seen: Arc<Mutex<Seen>>,
}

impl Conn {
    async fn open(addr: SocketAddr) -> Conn {
        let seen = Arc::new(Mutex::new(Seen::default()));
        let config = Arc::new(russh::client::Config::default());
        let handle = russh::client::connect(config, addr, TestClient(seen.clone()))
            .await
            .unwrap();
        Conn { handle, seen }
    }

    /// Whether the password login succeeded (a closed connection is a failure too).
    async fn password(&mut self, user: &str, password: &str) -> bool {
        self.handle
            .authenticate_password(user, password)
            .await
            .map(|r| r.success())
            .unwrap_or(false)
    }

    async fn key(&mut self, user: &str, key: &PrivateKey) -> bool {
        let key = PrivateKeyWithHashAlg::new(Arc::new(key.clone()), None);
        self.handle
            .authenticate_publickey(user, key)
            .await
            .map(|r| r.success())
            .unwrap_or(false)
    }

    async fn sftp(&self) -> SftpSession {
        let channel = self.handle.channel_open_session().await.unwrap();
        channel.request_subsystem(true, "sftp").await.unwrap();
        SftpSession::new(channel.into_stream()).await.unwrap()
    }
}

/// An SFTP session with the connection it runs on (dropping the connection ends it).
struct LoggedIn {
    sftp: SftpSession,
    _conn: Conn,
}

impl std::ops::Deref for LoggedIn {
    type Target = SftpSession;
    fn deref(&self) -> &SftpSession {
        &self.sftp
    }
}

async fn login(addr: SocketAddr, user: &str) -> LoggedIn {
    let mut c = Conn::open(addr).await;
    assert!(c.password(user, "secret").await, "{user} could not log in");
    LoggedIn {
        sftp: c.sftp().await,
        _conn: c,
    }
}

fn status(e: SftpError) -> StatusCode {
    match e {
        SftpError::Status(s) => s.status_code,
        other => panic!("expected an SFTP status, got {other:?}"),
    }
}

// ---- the node side --------------------------------------------------------------------------

async fn installed(node: &TestNode, disk_mb: i64) -> String {
    let (mut server, script) = echo_server(&new_uuid());
    server.settings.build.disk_space = disk_mb;
    node.install(server, script, Duration::from_secs(60)).await
}

fn short(uuid: &str) -> String {
    uuid.replace('-', "")[..8].to_owned()
}

/// Starts an SFTP server for `node` on 127.0.0.1:0; it stops when the sender is dropped.
async fn sftp_server(
    node: &TestNode,
    auth: Arc<TestAuth>,
    tune: impl FnOnce(&mut SftpOptions),
) -> (SocketAddr, SftpServer, tokio::sync::oneshot::Sender<()>) {
    let mut options = SftpOptions::new(node.dir.path().join("sftp").join("id_ed25519"));
    options.auth_rejection_time = Duration::from_millis(10);
    tune(&mut options);
    let server = SftpServer::new(node.state.manager.clone(), auth, options).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(server.clone().serve(listener, async move {
        let _ = rx.await;
    }));
    (addr, server, tx)
}

async fn upload(sftp: &SftpSession, path: &str, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = sftp.create(path).await.map_err(std::io::Error::from)?;
    f.write_all(bytes).await?;
    f.shutdown().await
}

fn events(node: &TestNode, uuid: &str) -> Vec<(String, serde_json::Value)> {
    node.state
        .manager
        .pending_activity()
        .into_iter()
        .filter(|e| e.server == uuid && e.event.starts_with("server:sftp."))
        .map(|e| {
            assert_eq!(e.user.as_deref(), Some("user-alice"));
            assert_eq!(e.ip, "127.0.0.1");
            (e.event, e.metadata.unwrap_or_default())
        })
        .collect()
}

// ---- tests ----------------------------------------------------------------------------------

#[tokio::test]
async fn everyday_operations_through_the_jail_with_activity() {
    let node = TestNode::start().await;
    let uuid = installed(&node, 0).await;
    let auth = TestAuth::new(&uuid, &["*"]);
    let (addr, _server, _stop) = sftp_server(&node, auth.clone(), |_| {}).await;
    let user = format!("alice.{}", short(&uuid));
    let volume = node.state.manager.get(&uuid).unwrap().volume();

    // What the panel is asked.
    let sftp = login(addr, &user).await;
    let req = auth.requests.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        (
            req.kind,
            req.username.as_str(),
            req.password.as_str(),
            req.ip.as_str()
        ),
        (SftpAuthKind::Password, user.as_str(), "secret", "127.0.0.1")
    );
    assert!(
        req.client_version.starts_with("SSH-2.0-"),
        "{}",
        req.client_version
    );
    assert!(!req.session_id.is_empty());

    // The root is `/`, and `..` stops there.
    assert_eq!(sftp.canonicalize(".").await.unwrap(), "/");
    assert_eq!(sftp.canonicalize("../..").await.unwrap(), "/");
    assert_eq!(sftp.canonicalize("a/../b").await.unwrap(), "/b");
    let names: Vec<String> = sftp
        .read_dir("/")
        .await
        .unwrap()
        .map(|e| e.file_name())
        .collect();
    assert!(names.contains(&"hello.txt".to_owned()), "{names:?}");

    // Upload: visible through the HTTP file API and on disk, owned by the container user.
    upload(&sftp, "/upload.txt", b"hello over sftp\n")
        .await
        .unwrap();
    let r = node
        .get(&format!(
            "/api/servers/{uuid}/files/contents?file=%2Fupload.txt"
        ))
        .await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), "hello over sftp\n");
    let md = std::fs::metadata(volume.join("upload.txt")).unwrap();
    assert_eq!((md.uid(), md.gid()), (1000, 1000));
    assert_eq!(sftp.metadata("/upload.txt").await.unwrap().size, Some(16));
    // Download it back.
    assert_eq!(
        sftp.read("/upload.txt").await.unwrap(),
        b"hello over sftp\n"
    );
    // Overwrite in place (no create): a write, not a create.
    sftp.write("/upload.txt", b"HELLO").await.unwrap();
    assert_eq!(
        std::fs::read(volume.join("upload.txt")).unwrap(),
        b"HELLO over sftp\n"
    );

    // mkdir, rename into it, chmod, delete.
    sftp.create_dir("/plugins").await.unwrap();
    let md = std::fs::metadata(volume.join("plugins")).unwrap();
    assert!(md.is_dir() && md.uid() == 1000);
    assert_eq!(
        status(sftp.create_dir("/plugins").await.unwrap_err()),
        StatusCode::Failure,
        "mkdir of an existing directory"
    );
    assert_eq!(
        status(sftp.create_dir("/nope/deeper").await.unwrap_err()),
        StatusCode::NoSuchFile,
        "mkdir needs its parent"
    );
    sftp.rename("/upload.txt", "/plugins/moved.txt")
        .await
        .unwrap();
    assert!(!sftp.try_exists("/upload.txt").await.unwrap());
    assert_eq!(
        sftp.read("/plugins/moved.txt").await.unwrap(),
        b"HELLO over sftp\n"
    );
    let attrs = FileAttributes {
        permissions: Some(0o600),
        ..FileAttributes::empty()
    };
    sftp.set_metadata("/plugins/moved.txt", attrs)
        .await
        .unwrap();
    assert_eq!(
        std::fs::metadata(volume.join("plugins/moved.txt"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o600
    );
    let setuid = FileAttributes {
        permissions: Some(0o4755),
        ..FileAttributes::empty()
    };
    assert_eq!(
        status(
            sftp.set_metadata("/plugins/moved.txt", setuid)
                .await
                .unwrap_err()
        ),
        StatusCode::PermissionDenied
    );
    assert_eq!(
        status(sftp.remove_dir("/plugins").await.unwrap_err()),
        StatusCode::Failure,
        "rmdir of a non-empty directory"
    );
    assert_eq!(
        status(sftp.remove_file("/plugins").await.unwrap_err()),
        StatusCode::Failure,
        "remove of a directory"
    );
    sftp.remove_file("/plugins/moved.txt").await.unwrap();
    sftp.remove_dir("/plugins").await.unwrap();
    assert!(!volume.join("plugins").exists());
    // Exclusive create of an existing file fails; open without create of a missing one too.
    let excl = OpenFlags::CREATE | OpenFlags::EXCLUDE | OpenFlags::WRITE;
    assert_eq!(
        status(
            sftp.open_with_flags("/hello.txt", excl)
                .await
                .err()
                .unwrap()
        ),
        StatusCode::Failure
    );
    assert_eq!(
        status(
            sftp.open_with_flags("/missing.txt", OpenFlags::WRITE)
                .await
                .err()
                .unwrap()
        ),
        StatusCode::NoSuchFile
    );
    assert_eq!(
        status(sftp.open("/missing.txt").await.err().unwrap()),
        StatusCode::NoSuchFile
    );

    // Symbolic links cannot be made.
    assert_eq!(
        status(sftp.symlink("/hello.txt", "/link").await.unwrap_err()),
        StatusCode::PermissionDenied
    );
    assert!(std::fs::symlink_metadata(volume.join("link")).is_err());

    // Every change was recorded for the panel, with the user and address.
    let seen = events(&node, &uuid);
    let want = [
        ("server:sftp.create", json!({"files": ["/upload.txt"]})),
        ("server:sftp.write", json!({"files": ["/upload.txt"]})),
        (
            "server:sftp.create-directory",
            json!({"files": ["/plugins"]}),
        ),
        (
            "server:sftp.rename",
            json!({"files": [{"from": "/upload.txt", "to": "/plugins/moved.txt"}]}),
        ),
        (
            "server:sftp.delete",
            json!({"files": ["/plugins/moved.txt"]}),
        ),
        ("server:sftp.delete", json!({"files": ["/plugins"]})),
    ];
    let got: Vec<(&str, &serde_json::Value)> = seen.iter().map(|(e, m)| (e.as_str(), m)).collect();
    let want: Vec<(&str, &serde_json::Value)> = want.iter().map(|(e, m)| (*e, m)).collect();
    assert_eq!(got, want);
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn escapes_stay_inside_the_volume() {
    let node = TestNode::start().await;
    let uuid = installed(&node, 0).await;
    let auth = TestAuth::new(&uuid, &["*"]);
    let (addr, _server, _stop) = sftp_server(&node, auth, |_| {}).await;
    let sftp = login(addr, &format!("alice.{}", short(&uuid))).await;
    let volume = node.state.manager.get(&uuid).unwrap().volume();
    std::os::unix::fs::symlink("/", volume.join("rootlink")).unwrap();
    let outside = node.dir.path().join("outside-secret.txt");
    std::fs::write(&outside, "top secret").unwrap();
    std::os::unix::fs::symlink(&outside, volume.join("secretlink")).unwrap();

    // Climbing above the root is refused; an absolute path is inside the root.
    assert_eq!(
        status(sftp.open("../../etc/passwd").await.err().unwrap()),
        StatusCode::PermissionDenied
    );
    assert_eq!(
        status(sftp.open("/../../etc/passwd").await.err().unwrap()),
        StatusCode::PermissionDenied
    );
    assert_eq!(
        status(sftp.open("/etc/passwd").await.err().unwrap()),
        StatusCode::NoSuchFile
    );
    assert_eq!(
        status(sftp.metadata("/etc").await.unwrap_err()),
        StatusCode::NoSuchFile
    );
    // A link to `/` is listed, but cannot be followed, read through, or written through.
    let names: Vec<String> = sftp
        .read_dir("/")
        .await
        .unwrap()
        .map(|e| e.file_name())
        .collect();
    assert!(names.contains(&"rootlink".to_owned()));
    assert!(
        sftp.symlink_metadata("/rootlink")
            .await
            .unwrap()
            .is_symlink()
    );
    assert_eq!(
        status(sftp.metadata("/rootlink").await.unwrap_err()),
        StatusCode::PermissionDenied
    );
    assert_eq!(
        status(sftp.read_dir("/rootlink").await.err().unwrap()),
        StatusCode::PermissionDenied
    );
    assert_eq!(
        status(sftp.read_dir("/rootlink/etc").await.err().unwrap()),
        StatusCode::PermissionDenied
    );
    assert_eq!(
        status(sftp.open("/rootlink/etc/passwd").await.err().unwrap()),
        StatusCode::PermissionDenied
    );
    assert_eq!(
        status(sftp.open("/secretlink").await.err().unwrap()),
        StatusCode::PermissionDenied
    );
    assert!(
        upload(&sftp, "/rootlink/tmp/aerie-sftp-escape", b"owned")
            .await
            .is_err()
    );
    assert!(upload(&sftp, "/secretlink", b"owned").await.is_err());
    assert!(upload(&sftp, "../escape.txt", b"owned").await.is_err());
    assert_eq!(
        status(sftp.rename("/hello.txt", "../hello.txt").await.unwrap_err()),
        StatusCode::PermissionDenied
    );
    assert_eq!(
        status(sftp.remove_file("/rootlink/tmp").await.unwrap_err()),
        StatusCode::PermissionDenied
    );
    assert_eq!(
        status(sftp.read_link("/rootlink").await.unwrap_err()),
        StatusCode::OpUnsupported
    );
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "top secret");
    assert!(!std::path::Path::new("/tmp/aerie-sftp-escape").exists());
    assert!(!node.dir.path().join("volumes").join("escape.txt").exists());
    // realpath is name arithmetic and never shows the host path.
    let real = sftp.canonicalize("/rootlink/..").await.unwrap();
    assert_eq!(real, "/");
    assert!(
        !sftp
            .canonicalize("/rootlink")
            .await
            .unwrap()
            .contains(&volume.display().to_string())
    );
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn permissions_read_only_mode_and_the_disk_limit() {
    let node = TestNode::start().await;
    let uuid = installed(&node, 1).await;
    let user = format!("alice.{}", short(&uuid));
    let volume = node.state.manager.get(&uuid).unwrap().volume();
    let auth = TestAuth::new(
        &uuid,
        &[
            "file.read",
            "file.read-content",
            "file.create",
            "file.update",
        ],
    );
    let (addr, _server, _stop) = sftp_server(&node, auth.clone(), |_| {}).await;

    // Without file.delete: everything but deleting.
    let sftp = login(addr, &user).await;
    upload(&sftp, "/mine.txt", b"keep me").await.unwrap();
    assert_eq!(
        status(sftp.remove_file("/mine.txt").await.unwrap_err()),
        StatusCode::PermissionDenied
    );
    sftp.create_dir("/dir").await.unwrap();
    assert_eq!(
        status(sftp.remove_dir("/dir").await.unwrap_err()),
        StatusCode::PermissionDenied
    );
    assert!(volume.join("mine.txt").exists() && volume.join("dir").exists());

    // Only file.read: listing yes, content no, changes no.
    auth.grant(&["file.read"]);
    let sftp = login(addr, &user).await;
    assert!(sftp.read_dir("/").await.is_ok());
    assert!(sftp.metadata("/mine.txt").await.is_ok());
    assert_eq!(
        status(sftp.open("/mine.txt").await.err().unwrap()),
        StatusCode::PermissionDenied
    );
    assert_eq!(
        status(sftp.create("/new.txt").await.err().unwrap()),
        StatusCode::PermissionDenied
    );
    assert_eq!(
        status(
            sftp.open_with_flags("/mine.txt", OpenFlags::WRITE)
                .await
                .err()
                .unwrap()
        ),
        StatusCode::PermissionDenied
    );
    assert_eq!(
        status(sftp.rename("/mine.txt", "/yours.txt").await.unwrap_err()),
        StatusCode::PermissionDenied
    );
    assert_eq!(
        status(sftp.create_dir("/d2").await.unwrap_err()),
        StatusCode::PermissionDenied
    );
    // file.create without file.update: new files yes, overwriting no.
    auth.grant(&["file.read", "file.create"]);
    let sftp = login(addr, &user).await;
    upload(&sftp, "/fresh.txt", b"new").await.unwrap();
    assert_eq!(
        status(sftp.create("/mine.txt").await.err().unwrap()),
        StatusCode::PermissionDenied
    );
    assert_eq!(std::fs::read(volume.join("mine.txt")).unwrap(), b"keep me");
    // Nothing at all: even listing is refused.
    auth.grant(&[]);
    let sftp = login(addr, &user).await;
    assert_eq!(
        status(sftp.read_dir("/").await.err().unwrap()),
        StatusCode::PermissionDenied
    );

    // The disk limit (1 MiB) refuses an upload that does not fit, and the usage stays within.
    auth.grant(&["*"]);
    let sftp = login(addr, &user).await;
    let big = vec![7u8; 2 * 1024 * 1024];
    assert!(
        upload(&sftp, "/big.bin", &big).await.is_err(),
        "a 2 MiB upload fit in 1 MiB"
    );
    let jail = node.state.manager.get(&uuid).unwrap().jail().unwrap();
    assert!(
        jail.disk_usage() <= 1024 * 1024,
        "usage {}",
        jail.disk_usage()
    );
    assert!(
        std::fs::metadata(volume.join("big.bin"))
            .map(|m| m.len())
            .unwrap_or(0)
            <= 1024 * 1024
    );
    // The partial file stays (as in Wings); once it is gone, small uploads fit again.
    if sftp.try_exists("/big.bin").await.unwrap() {
        sftp.remove_file("/big.bin").await.unwrap();
    }
    upload(&sftp, "/small.bin", &[1u8; 1000]).await.unwrap();

    // Read-only mode: reads work, every change is refused, whatever the permissions.
    let (ro_addr, _ro, _ro_stop) = sftp_server(&node, auth.clone(), |o| o.read_only = true).await;
    let sftp = login(ro_addr, &user).await;
    assert_eq!(sftp.read("/mine.txt").await.unwrap(), b"keep me");
    assert_eq!(
        status(sftp.create("/ro.txt").await.err().unwrap()),
        StatusCode::PermissionDenied
    );
    assert_eq!(
        status(
            sftp.open_with_flags("/mine.txt", OpenFlags::WRITE)
                .await
                .err()
                .unwrap()
        ),
        StatusCode::PermissionDenied
    );
    assert_eq!(
        status(sftp.remove_file("/mine.txt").await.unwrap_err()),
        StatusCode::PermissionDenied
    );
    assert_eq!(
        status(sftp.rename("/mine.txt", "/x.txt").await.unwrap_err()),
        StatusCode::PermissionDenied
    );
    assert_eq!(
        status(sftp.create_dir("/ro").await.unwrap_err()),
        StatusCode::PermissionDenied
    );
    let chmod = FileAttributes {
        permissions: Some(0o600),
        ..FileAttributes::empty()
    };
    assert_eq!(
        status(sftp.set_metadata("/mine.txt", chmod).await.unwrap_err()),
        StatusCode::PermissionDenied
    );
    assert!(!volume.join("ro.txt").exists() && volume.join("mine.txt").exists());
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn logins_keys_throttling_and_the_host_key() {
    let node = TestNode::start().await;
    let uuid = installed(&node, 0).await;
    let user = format!("alice.{}", short(&uuid));
    let auth = TestAuth::new(&uuid, &["*"]);
    let (addr, server, stop) = sftp_server(&node, auth.clone(), |_| {}).await;

    // Wrong password, a server the panel vouches for but that is not on this node, and a
    // username without a server id are all refused.
    let mut c = Conn::open(addr).await;
    assert!(!c.password(&user, "wrong").await);
    assert!(
        !c.password("alice.deadbeef", "secret").await,
        "a server that is not on this node"
    );
    let calls = auth.calls();
    assert!(!c.password("alice", "secret").await);
    assert_eq!(
        auth.calls(),
        calls,
        "a malformed username never reaches the panel"
    );
    assert!(c.password(&user, "secret").await);
    let host_key = c.seen.lock().unwrap().host_key.clone().unwrap();
    assert_eq!(host_key, server.fingerprint());

    // Public keys, sent to the panel as an authorized_keys line.
    let key = PrivateKey::from(Ed25519Keypair::from_seed(&[42u8; 32]));
    let other = PrivateKey::from(Ed25519Keypair::from_seed(&[43u8; 32]));
    let line = key.public_key().to_openssh().unwrap();
    assert!(line.starts_with("ssh-ed25519 AAAA"), "{line}");
    *auth.key.lock().unwrap() = Some(line.clone());
    let mut c = Conn::open(addr).await;
    assert!(!c.key(&user, &other).await, "an unknown key");
    assert!(c.key(&user, &key).await);
    let req = auth.requests.lock().unwrap().last().cloned().unwrap();
    assert_eq!(
        (req.kind, req.password.as_str()),
        (SftpAuthKind::PublicKey, line.as_str())
    );
    let sftp = c.sftp().await;
    assert!(sftp.read_dir("/").await.is_ok());

    // The host key is stored 0600 and the same after a restart.
    drop(stop);
    let key_path = node.dir.path().join("sftp").join("id_ed25519");
    assert_eq!(
        std::fs::metadata(&key_path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let (addr2, _server2, _stop2) = sftp_server(&node, auth.clone(), |_| {}).await;
    let c2 = Conn::open(addr2).await;
    assert_eq!(c2.seen.lock().unwrap().host_key.clone().unwrap(), host_key);

    // Throttling (a fresh server, so a fresh count): five failures block the address, and
    // then even the right password is refused without asking the panel, with a reason.
    let (addr3, _server3, _stop3) = sftp_server(&node, auth.clone(), |_| {}).await;
    let mut c = Conn::open(addr3).await;
    for _ in 0..5 {
        assert!(!c.password(&user, "wrong").await);
    }
    let calls = auth.calls();
    let mut c = Conn::open(addr3).await;
    assert!(
        !c.password(&user, "secret").await,
        "a blocked address logged in"
    );
    assert_eq!(
        auth.calls(),
        calls,
        "a blocked address still reached the panel"
    );
    let banner = c.seen.lock().unwrap().banner.clone().unwrap_or_default();
    assert!(
        banner.contains("Too many failed login attempts"),
        "banner: {banner:?}"
    );
    // Other servers' throttles are independent (the one above still lets alice in).
    let _ = login(addr2, &user).await;
    node.cleanup(&uuid).await;
}

// ---- the panel's HTTP answers ------------------------------------------------------------

#[tokio::test]
async fn the_remote_client_maps_panel_answers() {
    use axum::http::{HeaderMap, StatusCode as Http};
    use axum::routing::post;

    let seen: Arc<Mutex<Vec<(String, serde_json::Value)>>> = Arc::default();
    let s = seen.clone();
    let app = axum::Router::new().route(
        "/api/remote/sftp/auth",
        post(move |headers: HeaderMap, body: axum::Json<serde_json::Value>| {
            let s = s.clone();
            async move {
                let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
                s.lock().unwrap().push((auth, body.0.clone()));
                match body.0["password"].as_str().unwrap_or_default() {
                    "good" => (
                        Http::OK,
                        axum::Json(json!({"user": "u-1", "server": "s-1", "permissions": ["file.read", "file.sftp"]})),
                    ),
                    "slow" => (Http::TOO_MANY_REQUESTS, axum::Json(json!({"errors": [{"code": "TooManyRequestsHttpException", "status": "429", "detail": "slow down"}]}))),
                    "boom" => (Http::INTERNAL_SERVER_ERROR, axum::Json(json!({}))),
                    "noserver" => (Http::BAD_REQUEST, axum::Json(json!({}))),
                    _ => (Http::FORBIDDEN, axum::Json(json!({"errors": [{"code": "HttpForbiddenException", "status": "403", "detail": "Authorization credentials were not correct, please try again."}]}))),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let file = aerie_wings::config::WingsFile {
        remote: url,
        token_id: "abcdefghijklmnop".into(),
        token: "node-secret".into(),
        ..Default::default()
    };
    let client = aerie_wings::remote::RemoteClient::new(&file).unwrap();
    let req = |kind, password: &str| SftpAuthRequest {
        kind,
        username: "alice.1a2b3c4d".into(),
        password: password.into(),
        ip: "198.51.100.7".into(),
        session_id: "ab12".into(),
        client_version: "SSH-2.0-OpenSSH_9.2".into(),
    };

    let ok = client
        .authenticate(req(SftpAuthKind::Password, "good"))
        .await
        .unwrap();
    assert_eq!(
        ok,
        SftpAuthResponse {
            user: "u-1".into(),
            server: "s-1".into(),
            permissions: vec!["file.read".into(), "file.sftp".into()]
        }
    );
    assert!(matches!(
        client
            .authenticate(req(SftpAuthKind::Password, "bad"))
            .await,
        Err(SftpAuthError::Denied)
    ));
    assert!(matches!(
        client
            .authenticate(req(SftpAuthKind::Password, "noserver"))
            .await,
        Err(SftpAuthError::Denied)
    ));
    assert!(matches!(
        client
            .authenticate(req(SftpAuthKind::Password, "slow"))
            .await,
        Err(SftpAuthError::Throttled)
    ));
    let started = std::time::Instant::now();
    assert!(matches!(
        client
            .authenticate(req(SftpAuthKind::Password, "boom"))
            .await,
        Err(SftpAuthError::Unavailable { .. })
    ));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a login check is not retried for long"
    );
    client
        .authenticate(req(
            SftpAuthKind::PublicKey,
            "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK",
        ))
        .await
        .unwrap_err();

    let seen = seen.lock().unwrap();
    let (auth, body) = &seen[0];
    assert_eq!(auth, "Bearer abcdefghijklmnop.node-secret");
    assert_eq!(
        body,
        &json!({"type": "password", "username": "alice.1a2b3c4d", "password": "good", "ip": "198.51.100.7", "session_id": "ab12", "client_version": "SSH-2.0-OpenSSH_9.2"})
    );
    assert_eq!(seen.last().unwrap().1["type"], "public_key");
}

// ---- interoperability with OpenSSH's client (installed by scripts/test) ----------------

/// Runs OpenSSH's `sftp` in batch mode; `password` logs in through `sshpass`.
async fn openssh(
    work: &std::path::Path,
    port: u16,
    user: &str,
    auth: Result<&str, &str>,
    batch: &str,
) -> (bool, String) {
    std::fs::write(work.join("batch"), batch).unwrap();
    let mut cmd = match auth {
        Ok(key) => {
            let mut c = tokio::process::Command::new("sftp");
            c.args(["-i", key, "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes"]);
            c
        }
        Err(password) => {
            let mut c = tokio::process::Command::new("sshpass");
            c.args([
                "-p",
                password,
                "sftp",
                "-o",
                "BatchMode=no",
                "-o",
                "PubkeyAuthentication=no",
                "-o",
                "PreferredAuthentications=password",
            ]);
            c
        }
    };
    cmd.current_dir(work)
        .args(["-b", "batch", "-P", &port.to_string()])
        .args([
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "LogLevel=ERROR",
        ])
        .arg(format!("{user}@127.0.0.1"));
    let out = cmd
        .output()
        .await
        .expect("OpenSSH sftp and sshpass must be installed (scripts/test installs them)");
    (
        out.status.success(),
        format!(
            "{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test]
async fn openssh_password_login_permissions_and_escapes() {
    let node = TestNode::start().await;
    let uuid = installed(&node, 0).await;
    let auth = TestAuth::new(&uuid, &["*"]);
    let (addr, _server, _stop) = sftp_server(&node, auth.clone(), |_| {}).await;
    let work = node.dir.path().join("openssh-pw");
    std::fs::create_dir_all(&work).unwrap();
    std::fs::write(work.join("local.txt"), "over the wire\n").unwrap();
    let user = format!("alice.{}", short(&uuid));
    let volume = node.state.manager.get(&uuid).unwrap().volume();
    std::os::unix::fs::symlink("/", volume.join("hostroot")).unwrap();

    // Password login; upload, download, rename, delete.
    let (ok, out) = openssh(&work, addr.port(), &user, Err("secret"), "put local.txt /a.txt\nget /a.txt back.txt\nrename /a.txt /b.txt\nrm /b.txt\nput local.txt /keep.txt\n").await;
    assert!(ok, "{out}");
    assert_eq!(
        std::fs::read_to_string(work.join("back.txt")).unwrap(),
        "over the wire\n"
    );
    assert!(!volume.join("a.txt").exists() && !volume.join("b.txt").exists());
    assert_eq!(
        std::fs::read_to_string(volume.join("keep.txt")).unwrap(),
        "over the wire\n"
    );

    // A wrong password is refused.
    let (ok, _) = openssh(&work, addr.port(), &user, Err("wrong"), "ls /\n").await;
    assert!(!ok);

    // Escapes: each command fails and nothing outside is read.
    for cmd in [
        "get ../../etc/passwd x1\n",
        "get /etc/passwd x2\n",
        "get /hostroot/etc/passwd x3\n",
        "put local.txt /hostroot/tmp/aerie-sftp-escape\n",
    ] {
        let (ok, out) = openssh(&work, addr.port(), &user, Err("secret"), cmd).await;
        assert!(!ok, "`{cmd}` should fail: {out}");
    }
    for f in ["x1", "x2", "x3"] {
        assert!(!work.join(f).exists(), "{f} was downloaded");
    }
    assert!(!std::path::Path::new("/tmp/aerie-sftp-escape").exists());

    // A subuser without file.update cannot overwrite, but may read and create.
    auth.grant(&["file.read", "file.read-content", "file.create", "file.sftp"]);
    let (ok, out) = openssh(
        &work,
        addr.port(),
        &user,
        Err("secret"),
        "put local.txt /hello.txt\n",
    )
    .await;
    assert!(!ok, "overwrite without file.update must fail: {out}");
    assert!(out.to_lowercase().contains("permission denied"), "{out}");
    assert_eq!(
        std::fs::read_to_string(volume.join("hello.txt")).unwrap(),
        "hi\n",
        "the file is unchanged"
    );
    let (ok, out) = openssh(
        &work,
        addr.port(),
        &user,
        Err("secret"),
        "get /hello.txt h.txt\nput local.txt /new.txt\n",
    )
    .await;
    assert!(ok, "{out}");
    node.cleanup(&uuid).await;
}

#[tokio::test]
async fn openssh_sftp_client_works() {
    let node = TestNode::start().await;
    let uuid = installed(&node, 0).await;
    let auth = TestAuth::new(&uuid, &["*"]);
    let (addr, _server, _stop) = sftp_server(&node, auth.clone(), |_| {}).await;
    let work = node.dir.path().join("openssh");
    std::fs::create_dir_all(&work).unwrap();
    let key = work.join("id_ed25519");
    let out = tokio::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "alice@laptop", "-f"])
        .arg(&key)
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = std::fs::read_to_string(work.join("id_ed25519.pub")).unwrap();
    let line = public
        .split_whitespace()
        .take(2)
        .collect::<Vec<_>>()
        .join(" ");
    *auth.key.lock().unwrap() = Some(line);
    std::fs::write(work.join("local.txt"), "from openssh\n").unwrap();
    let batch = "pwd\nls -l /\nput local.txt /up.txt\nget /up.txt copy.txt\nmkdir /d\nrename /up.txt /d/up.txt\nchmod 600 /d/up.txt\nls -l /d\nrm /d/up.txt\nrmdir /d\n";
    std::fs::write(work.join("batch"), batch).unwrap();
    let out = tokio::process::Command::new("sftp")
        .current_dir(&work)
        .args([
            "-b",
            "batch",
            "-i",
            "id_ed25519",
            "-P",
            &addr.port().to_string(),
        ])
        .args([
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "BatchMode=yes",
        ])
        .args(["-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR"])
        .arg(format!("alice.{}@127.0.0.1", short(&uuid)))
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "sftp failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Remote working directory: /"), "{stdout}");
    assert!(stdout.contains("hello.txt"), "{stdout}");
    assert!(stdout.contains("-rw-------"), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(work.join("copy.txt")).unwrap(),
        "from openssh\n"
    );
    let volume = node.state.manager.get(&uuid).unwrap().volume();
    assert!(!volume.join("d").exists() && !volume.join("up.txt").exists());
    let kinds: Vec<String> = events(&node, &uuid).into_iter().map(|(e, _)| e).collect();
    assert_eq!(
        kinds,
        [
            "server:sftp.create",
            "server:sftp.create-directory",
            "server:sftp.rename",
            "server:sftp.delete",
            "server:sftp.delete"
        ]
    );
    node.cleanup(&uuid).await;
}

// ---- start-up from config.yml --------------------------------------------------------------

#[tokio::test]
async fn start_sftp_follows_the_config_and_survives_a_taken_port() {
    let node = TestNode::start().await;
    let root = node.dir.path().join("wings-root");
    let mut file = aerie_wings::config::WingsFile {
        remote: "http://127.0.0.1:9".into(),
        token_id: "abcdefghijklmnop".into(),
        token: "node-secret".into(),
        ..Default::default()
    };
    file.system.root_directory = root.display().to_string();
    file.system.sftp.bind_address = "127.0.0.1".into();

    file.system.sftp.bind_port = 0;
    assert_eq!(
        aerie_wings::sftp::start_sftp(&file, node.state.manager.clone()).await,
        None,
        "port 0 disables SFTP"
    );

    // A port in use is logged and wings carries on.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    file.system.sftp.bind_port = taken.local_addr().unwrap().port();
    assert_eq!(
        aerie_wings::sftp::start_sftp(&file, node.state.manager.clone()).await,
        None
    );
    drop(taken);

    let addr = aerie_wings::sftp::start_sftp(&file, node.state.manager.clone())
        .await
        .expect("listening");
    assert_eq!(addr.port(), file.system.sftp.bind_port);
    let key = root.join(".sftp").join("id_ed25519");
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    // It speaks SSH; the panel (unreachable here) decides logins, so this one fails.
    let mut c = Conn::open(addr).await;
    assert!(c.seen.lock().unwrap().host_key.is_some());
    assert!(!c.password("alice.1a2b3c4d", "secret").await);
}
