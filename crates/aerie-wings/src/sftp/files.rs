//! The SFTP subsystem of one logged-in session: each request is checked against the user's
//! permissions (see [`super::perms`]) and the `read_only` switch, then carried out through
//! the server's [`Jail`], on a blocking thread.
//!
//! The client sees the server's volume as `/`. Paths go to the jail as the client sent them
//! (relative ones are relative to `/`), so the jail's rules apply unchanged: climbing above
//! the root, symbolic links leading out, denylisted files, hard links, devices and the disk
//! limit are refused exactly as in the HTTP file manager, and files are created owned by
//! the container user. `REALPATH` is pure name arithmetic with `..` stopping at `/`, so it
//! never touches the disk or shows a host path. Symbolic links can be listed and followed
//! (inside the volume) but not created, and their targets are not revealed (`READLINK` is
//! unsupported), because a target may be a host path.
//!
//! Activity (`Manager::record_activity`, with the user's UUID and address, metadata
//! `{"files": [...]}` as the panel renders it): `server:sftp.create` when an `OPEN` creates
//! a file, `server:sftp.write` when an existing file was written (on `CLOSE`, or when the
//! session ends with it open), `server:sftp.create-directory`, `server:sftp.rename`
//! (`{"files": [{"from", "to"}]}`) and `server:sftp.delete` for files and directories.

use std::collections::HashMap;
use std::io::{Seek, SeekFrom, Write};
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use aerie_fs::{Jail, RelPath, Stat};
use russh_sftp::protocol::{
    Attrs, Data, File, FileAttributes, Handle, Name, OpenFlags, Status, StatusCode, Version,
};
use russh_sftp::server::StatusReply;
use serde_json::json;

use super::Shared;
use super::perms::{FilePermission, Grants};

/// At most this many files and directories open at once per SFTP session (each holds a
/// file descriptor of the daemon).
const MAX_HANDLES: usize = 256;
/// The largest `READ` answered at once; clients ask again for the rest.
const MAX_READ: u32 = 256 * 1024;
/// Directory entries per `READDIR` answer.
const READDIR_CHUNK: usize = 128;

/// Who is logged in, to which server, from where.
#[derive(Debug, Clone)]
pub(crate) struct Login {
    /// The user's UUID (for activity).
    pub user: String,
    /// The server's UUID.
    pub server: String,
    /// What the user may do.
    pub grants: Grants,
    /// The client's address (for activity).
    pub ip: String,
}

struct OpenFile {
    path: String,
    reader: Option<std::fs::File>,
    writer: Option<Mutex<aerie_fs::Writer>>,
    append: bool,
    created: bool,
    written: AtomicBool,
}

struct OpenDir {
    path: String,
    entries: std::vec::IntoIter<Stat>,
}

enum Open {
    File(Arc<OpenFile>),
    Dir(OpenDir),
}

/// A refusal from inside a jail operation: the jail's own error, or a status decided here.
enum Refusal {
    Fs(aerie_fs::Error),
    Status(StatusReply),
}

impl From<aerie_fs::Error> for Refusal {
    fn from(e: aerie_fs::Error) -> Self {
        Refusal::Fs(e)
    }
}

fn refuse(code: StatusCode, message: &str) -> Refusal {
    Refusal::Status(code.with_message(message))
}

/// Counts a running SFTP session of a connection while it lives.
pub(crate) struct SessionSlot(Arc<std::sync::atomic::AtomicUsize>);

impl SessionSlot {
    pub(crate) fn take(count: &Arc<std::sync::atomic::AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Self(count.clone())
    }
}

impl Drop for SessionSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The russh-sftp handler of one session.
pub(crate) struct SftpHandler {
    shared: Arc<Shared>,
    login: Arc<Login>,
    handles: HashMap<String, Open>,
    next_handle: u64,
    _slot: SessionSlot,
}

impl SftpHandler {
    pub(crate) fn new(shared: Arc<Shared>, login: Arc<Login>, slot: SessionSlot) -> Self {
        Self {
            shared,
            login,
            handles: HashMap::new(),
            next_handle: 0,
            _slot: slot,
        }
    }

    fn need(&self, p: FilePermission) -> Result<(), StatusReply> {
        if self.login.grants.allows(p) {
            Ok(())
        } else {
            Err(StatusCode::PermissionDenied.with_message(format!(
                "permission denied: you do not have the {} permission on this server",
                p.key()
            )))
        }
    }

    fn need_write(&self, p: FilePermission) -> Result<(), StatusReply> {
        if self.shared.read_only {
            return Err(StatusCode::PermissionDenied.with_message("this SFTP server is read-only"));
        }
        self.need(p)
    }

    /// The server, while it exists on this node and is not suspended.
    fn server(&self) -> Result<Arc<crate::server::Server>, StatusReply> {
        let server = self.shared.manager.get(&self.login.server).ok_or_else(|| {
            StatusCode::PermissionDenied.with_message("the server no longer exists on this node")
        })?;
        if server.is_suspended() {
            return Err(StatusCode::PermissionDenied.with_message("the server is suspended"));
        }
        Ok(server)
    }

    /// Runs `f` with the server's jail on a blocking thread.
    async fn jail<T, F>(&self, f: F) -> Result<T, StatusReply>
    where
        T: Send + 'static,
        F: FnOnce(&Jail) -> Result<T, Refusal> + Send + 'static,
    {
        let server = self.server()?;
        let uuid = self.login.server.clone();
        let joined = tokio::task::spawn_blocking(move || {
            let jail = server.jail()?;
            f(&jail)
        })
        .await;
        match joined {
            Ok(Ok(v)) => Ok(v),
            Ok(Err(Refusal::Status(s))) => Err(s),
            Ok(Err(Refusal::Fs(e))) => Err(fs_status(&uuid, e)),
            Err(e) => {
                tracing::error!(server.uuid = %uuid, error.message = %e, "an SFTP file operation panicked");
                Err(internal())
            }
        }
    }

    fn record(&self, event: &str, files: serde_json::Value) {
        self.shared.manager.record_activity(
            &self.login.server,
            event,
            Some(&self.login.user),
            &self.login.ip,
            Some(json!({ "files": files })),
        );
    }

    fn file(&self, handle: &str) -> Result<Arc<OpenFile>, StatusReply> {
        match self.handles.get(handle) {
            Some(Open::File(f)) => Ok(f.clone()),
            Some(Open::Dir(_)) => {
                Err(StatusCode::Failure.with_message("the handle is a directory, not a file"))
            }
            None => Err(unknown_handle()),
        }
    }

    fn add_handle(&mut self, open: Open) -> String {
        self.next_handle += 1;
        let h = self.next_handle.to_string();
        self.handles.insert(h.clone(), open);
        h
    }

    fn room_for_handle(&self) -> Result<(), StatusReply> {
        if self.handles.len() >= MAX_HANDLES {
            return Err(StatusCode::Failure
                .with_message("too many open files in this session; close some first"));
        }
        Ok(())
    }

    /// `SETSTAT`/`FSETSTAT`: the mode through `Jail::chmod`, a size only to truncate to
    /// zero (or the size it already has); owner and times are ignored, because files
    /// always belong to the container user and the jail offers no way to set times.
    async fn apply_attrs(&self, path: String, attrs: FileAttributes) -> Result<(), StatusReply> {
        let mode = attrs.permissions.map(|m| m & 0o7777);
        let size = attrs.size;
        if mode.is_none() && size.is_none() {
            return Ok(());
        }
        self.need_write(FilePermission::Update)?;
        self.jail(move |j| {
            if let Some(size) = size {
                let st = j.symlink_metadata(&path)?;
                if st.directory {
                    return Err(aerie_fs::Error::IsADirectory.into());
                }
                if size != st.size {
                    if size != 0 {
                        return Err(refuse(
                            StatusCode::OpUnsupported,
                            "only truncating a file to zero bytes is supported",
                        ));
                    }
                    j.create_write(&path, true)?.finish()?;
                }
            }
            if let Some(mode) = mode {
                j.chmod(&path, mode)?;
            }
            Ok(())
        })
        .await
    }
}

impl Drop for SftpHandler {
    /// A client that disconnects without closing its files still leaves a record of what
    /// it changed.
    fn drop(&mut self) {
        for open in self.handles.values() {
            if let Open::File(f) = open
                && f.written.load(Ordering::SeqCst)
                && !f.created
            {
                self.record("server:sftp.write", json!([f.path]));
            }
        }
    }
}

fn ok(id: u32) -> Status {
    Status {
        id,
        status_code: StatusCode::Ok,
        error_message: "Ok".into(),
        language_tag: "en-US".into(),
    }
}

fn internal() -> StatusReply {
    StatusCode::Failure.with_message("an internal error occurred; the problem has been logged")
}

fn unknown_handle() -> StatusReply {
    StatusCode::Failure.with_message("unknown or closed handle")
}

fn parse(raw: &str) -> Result<RelPath, StatusReply> {
    RelPath::parse(raw).map_err(|e| fs_status("", e))
}

/// The SFTP status for a jail error. The jail's messages never contain host paths, so they
/// are passed on, except for unexpected I/O failures, which are logged instead.
fn fs_status(server: &str, e: aerie_fs::Error) -> StatusReply {
    use aerie_fs::Error as E;
    match e {
        E::NotFound => StatusCode::NoSuchFile.with_message(e.to_string()),
        E::Escape
        | E::Denied
        | E::ReadOnly
        | E::Symlink
        | E::HardLink
        | E::NotAFile
        | E::InvalidMode => StatusCode::PermissionDenied.with_message(e.to_string()),
        E::Io(io) => {
            tracing::warn!(server.uuid = %server, error.message = %io, "SFTP file operation failed");
            internal()
        }
        other => StatusCode::Failure.with_message(other.to_string()),
    }
}

/// `REALPATH`: the absolute form of `path` relative to `/`, with `..` stopping at `/`.
pub(crate) fn real_path(path: &str) -> String {
    let mut names: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                names.pop();
            }
            n => names.push(n),
        }
    }
    format!("/{}", names.join("/"))
}

fn attrs_of(s: &Stat) -> FileAttributes {
    let m = &s.meta;
    let mtime = u32::try_from(m.mtime.0.max(0)).unwrap_or(u32::MAX);
    FileAttributes {
        size: Some(m.size),
        uid: Some(m.uid),
        user: None,
        gid: Some(m.gid),
        group: None,
        permissions: Some(m.mode),
        atime: Some(mtime),
        mtime: Some(mtime),
    }
}

/// An `ls -l` line, which many clients show as is.
fn long_name(s: &Stat) -> String {
    let m = &s.meta;
    let kind = match m.mode & 0o170000 {
        0o040000 => 'd',
        0o120000 => 'l',
        0o010000 => 'p',
        0o140000 => 's',
        0o020000 => 'c',
        0o060000 => 'b',
        _ => '-',
    };
    let bits: String = "rwxrwxrwx"
        .chars()
        .enumerate()
        .map(|(i, c)| if m.mode & (1 << (8 - i)) != 0 { c } else { '-' })
        .collect();
    format!(
        "{kind}{bits} {:>3} {:<8} {:<8} {:>10} {} {}",
        m.nlink,
        m.uid,
        m.gid,
        m.size,
        s.modified.format("%b %e %H:%M"),
        s.name
    )
}

impl russh_sftp::server::Handler for SftpHandler {
    type Error = StatusReply;

    fn unimplemented(&self) -> Self::Error {
        StatusCode::OpUnsupported.with_message("this request is not supported")
    }

    async fn init(
        &mut self,
        _version: u32,
        _extensions: HashMap<String, String>,
    ) -> Result<Version, Self::Error> {
        Ok(Version::new())
    }

    async fn realpath(&mut self, id: u32, path: String) -> Result<Name, Self::Error> {
        Ok(Name {
            id,
            files: vec![File::dummy(real_path(&path))],
        })
    }

    async fn stat(&mut self, id: u32, path: String) -> Result<Attrs, Self::Error> {
        self.need(FilePermission::Read)?;
        let p = parse(&path)?.to_string();
        let st = self.jail(move |j| Ok(j.stat(&p)?)).await?;
        Ok(Attrs {
            id,
            attrs: attrs_of(&st),
        })
    }

    async fn lstat(&mut self, id: u32, path: String) -> Result<Attrs, Self::Error> {
        self.need(FilePermission::Read)?;
        let p = parse(&path)?.to_string();
        let st = self.jail(move |j| Ok(j.symlink_metadata(&p)?)).await?;
        Ok(Attrs {
            id,
            attrs: attrs_of(&st),
        })
    }

    async fn fstat(&mut self, id: u32, handle: String) -> Result<Attrs, Self::Error> {
        self.need(FilePermission::Read)?;
        let path = match self.handles.get(&handle) {
            Some(Open::File(f)) => {
                let f = f.clone();
                let md = tokio::task::spawn_blocking(move || match (&f.reader, &f.writer) {
                    (Some(r), _) => r.metadata(),
                    (None, Some(w)) => w
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .file()
                        .metadata(),
                    (None, None) => Err(std::io::Error::other("no file")),
                })
                .await
                .map_err(|_| internal())?
                .map_err(|e| fs_status(&self.login.server, aerie_fs::Error::Io(e)))?;
                return Ok(Attrs {
                    id,
                    attrs: FileAttributes::from(&md),
                });
            }
            Some(Open::Dir(d)) => d.path.clone(),
            None => return Err(unknown_handle()),
        };
        let st = self.jail(move |j| Ok(j.stat(&path)?)).await?;
        Ok(Attrs {
            id,
            attrs: attrs_of(&st),
        })
    }

    async fn opendir(&mut self, id: u32, path: String) -> Result<Handle, Self::Error> {
        self.need(FilePermission::Read)?;
        self.room_for_handle()?;
        let p = parse(&path)?.to_string();
        let lp = p.clone();
        let entries = self.jail(move |j| Ok(j.list(&lp)?)).await?;
        let handle = self.add_handle(Open::Dir(OpenDir {
            path: p,
            entries: entries.into_iter(),
        }));
        Ok(Handle { id, handle })
    }

    async fn readdir(&mut self, id: u32, handle: String) -> Result<Name, Self::Error> {
        let Some(Open::Dir(dir)) = self.handles.get_mut(&handle) else {
            return Err(unknown_handle());
        };
        let files: Vec<File> = dir
            .entries
            .by_ref()
            .take(READDIR_CHUNK)
            .map(|s| File {
                filename: s.name.clone(),
                longname: long_name(&s),
                attrs: attrs_of(&s),
            })
            .collect();
        if files.is_empty() {
            return Err(StatusCode::Eof.into());
        }
        Ok(Name { id, files })
    }

    async fn open(
        &mut self,
        id: u32,
        filename: String,
        pflags: OpenFlags,
        _attrs: FileAttributes,
    ) -> Result<Handle, Self::Error> {
        self.room_for_handle()?;
        let rel = parse(&filename)?;
        let path = rel.to_string();
        let writing = pflags.intersects(
            OpenFlags::WRITE | OpenFlags::APPEND | OpenFlags::CREATE | OpenFlags::TRUNCATE,
        );
        let reading = pflags.contains(OpenFlags::READ) || !writing;
        if reading {
            self.need(FilePermission::ReadContent)?;
        }
        if !writing {
            let p = path.clone();
            let reader = self.jail(move |j| Ok(j.open_read(&p)?)).await?;
            let f = OpenFile {
                path,
                reader: Some(reader),
                writer: None,
                append: false,
                created: false,
                written: AtomicBool::new(false),
            };
            let handle = self.add_handle(Open::File(Arc::new(f)));
            return Ok(Handle { id, handle });
        }

        // Whether the file exists decides which permission applies.
        if self.shared.read_only {
            return Err(StatusCode::PermissionDenied.with_message("this SFTP server is read-only"));
        }
        let p = path.clone();
        let existing = self
            .jail(move |j| match j.symlink_metadata(&p) {
                Ok(st) => Ok(Some(st)),
                Err(aerie_fs::Error::NotFound) => Ok(None),
                Err(e) => Err(e.into()),
            })
            .await?;
        match &existing {
            Some(_) if pflags.contains(OpenFlags::EXCLUDE) => {
                return Err(StatusCode::Failure
                    .with_message("a file or directory with that name already exists"));
            }
            Some(_) => self.need_write(FilePermission::Update)?,
            None if !pflags.contains(OpenFlags::CREATE) => {
                return Err(StatusCode::NoSuchFile
                    .with_message("the requested file or directory does not exist"));
            }
            None => self.need_write(FilePermission::Create)?,
        }
        let created = existing.is_none();
        let truncate = pflags.contains(OpenFlags::TRUNCATE);
        let parent = rel.parent().map(|r| r.to_string());
        let p = path.clone();
        let (writer, reader) = self
            .jail(move |j| {
                // SFTP creates a file only in an existing directory (the jail would make the
                // missing parents).
                if created && let Some(parent) = parent {
                    let st = j.stat(&parent)?;
                    if !st.directory {
                        return Err(aerie_fs::Error::NotADirectory.into());
                    }
                }
                let w = j.create_write(&p, truncate)?;
                let r = if reading {
                    Some(j.open_read(&p)?)
                } else {
                    None
                };
                Ok((w, r))
            })
            .await?;
        if created {
            self.record("server:sftp.create", json!([path]));
        }
        let f = OpenFile {
            path,
            reader,
            writer: Some(Mutex::new(writer)),
            append: pflags.contains(OpenFlags::APPEND),
            created,
            written: AtomicBool::new(false),
        };
        let handle = self.add_handle(Open::File(Arc::new(f)));
        Ok(Handle { id, handle })
    }

    async fn read(
        &mut self,
        id: u32,
        handle: String,
        offset: u64,
        len: u32,
    ) -> Result<Data, Self::Error> {
        let f = self.file(&handle)?;
        if f.reader.is_none() {
            return Err(
                StatusCode::PermissionDenied.with_message("the file was not opened for reading")
            );
        }
        let len = len.min(MAX_READ) as usize;
        let data = tokio::task::spawn_blocking(move || -> std::io::Result<Vec<u8>> {
            let Some(r) = &f.reader else {
                return Ok(Vec::new());
            };
            let mut buf = vec![0u8; len];
            let mut n = 0;
            while n < len {
                match r.read_at(&mut buf[n..], offset.saturating_add(n as u64)) {
                    Ok(0) => break,
                    Ok(k) => n += k,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
            buf.truncate(n);
            Ok(buf)
        })
        .await
        .map_err(|_| internal())?
        .map_err(|e| fs_status(&self.login.server, aerie_fs::Error::Io(e)))?;
        if data.is_empty() && len > 0 {
            return Err(StatusCode::Eof.into());
        }
        Ok(Data { id, data })
    }

    async fn write(
        &mut self,
        id: u32,
        handle: String,
        offset: u64,
        data: Vec<u8>,
    ) -> Result<Status, Self::Error> {
        let f = self.file(&handle)?;
        if f.writer.is_none() {
            return Err(
                StatusCode::PermissionDenied.with_message("the file was not opened for writing")
            );
        }
        // Refuse writes once the server was deleted or suspended mid-session.
        self.server()?;
        let work = move || -> Result<(), aerie_fs::Error> {
            let Some(w) = &f.writer else { return Ok(()) };
            let mut w = w.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            let to = if f.append {
                SeekFrom::End(0)
            } else {
                SeekFrom::Start(offset)
            };
            w.seek(to).map_err(aerie_fs::Error::from_io)?;
            let result = w.write_all(&data).map_err(aerie_fs::Error::from_io);
            f.written.store(true, Ordering::SeqCst);
            result
        };
        // A 32 KiB write lands in the page cache in microseconds: on the multi-threaded
        // runtime do it in place (no thread hop per packet); elsewhere hand it off.
        let written = if tokio::runtime::Handle::current().runtime_flavor()
            == tokio::runtime::RuntimeFlavor::MultiThread
        {
            tokio::task::block_in_place(work)
        } else {
            tokio::task::spawn_blocking(work)
                .await
                .map_err(|_| internal())?
        };
        written.map_err(|e| fs_status(&self.login.server, e))?;
        Ok(ok(id))
    }

    async fn close(&mut self, id: u32, handle: String) -> Result<Status, Self::Error> {
        let Some(open) = self.handles.remove(&handle) else {
            return Err(unknown_handle());
        };
        if let Open::File(f) = open {
            if f.written.load(Ordering::SeqCst) && !f.created {
                self.record("server:sftp.write", json!([f.path]));
            }
            let flushed = tokio::task::spawn_blocking(move || match &f.writer {
                Some(w) => w
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .flush(),
                None => Ok(()),
            })
            .await
            .map_err(|_| internal())?;
            flushed.map_err(|e| fs_status(&self.login.server, aerie_fs::Error::from_io(e)))?;
        }
        Ok(ok(id))
    }

    async fn setstat(
        &mut self,
        id: u32,
        path: String,
        attrs: FileAttributes,
    ) -> Result<Status, Self::Error> {
        let p = parse(&path)?.to_string();
        self.apply_attrs(p, attrs).await?;
        Ok(ok(id))
    }

    async fn fsetstat(
        &mut self,
        id: u32,
        handle: String,
        attrs: FileAttributes,
    ) -> Result<Status, Self::Error> {
        let path = match self.handles.get(&handle) {
            Some(Open::File(f)) => f.path.clone(),
            Some(Open::Dir(d)) => d.path.clone(),
            None => return Err(unknown_handle()),
        };
        self.apply_attrs(path, attrs).await?;
        Ok(ok(id))
    }

    async fn mkdir(
        &mut self,
        id: u32,
        path: String,
        _attrs: FileAttributes,
    ) -> Result<Status, Self::Error> {
        self.need_write(FilePermission::Create)?;
        let rel = parse(&path)?;
        let p = rel.to_string();
        let parent = rel.parent().map(|r| r.to_string());
        let dir = p.clone();
        self.jail(move |j| {
            match j.symlink_metadata(&dir) {
                Ok(_) => return Err(aerie_fs::Error::Exists.into()),
                Err(aerie_fs::Error::NotFound) => {}
                Err(e) => return Err(e.into()),
            }
            if let Some(parent) = parent
                && !j.stat(&parent)?.directory
            {
                return Err(aerie_fs::Error::NotADirectory.into());
            }
            Ok(j.create_dir_all(&dir)?)
        })
        .await?;
        self.record("server:sftp.create-directory", json!([p]));
        Ok(ok(id))
    }

    async fn rmdir(&mut self, id: u32, path: String) -> Result<Status, Self::Error> {
        self.need_write(FilePermission::Delete)?;
        let rel = parse(&path)?;
        if rel.is_root() {
            return Err(
                StatusCode::PermissionDenied.with_message("the server root cannot be deleted")
            );
        }
        let p = rel.to_string();
        let dir = p.clone();
        self.jail(move |j| {
            if !j.symlink_metadata(&dir)?.directory {
                return Err(aerie_fs::Error::NotADirectory.into());
            }
            if !j.list(&dir)?.is_empty() {
                return Err(refuse(StatusCode::Failure, "the directory is not empty"));
            }
            Ok(j.remove(&dir)?)
        })
        .await?;
        self.record("server:sftp.delete", json!([p]));
        Ok(ok(id))
    }

    async fn remove(&mut self, id: u32, filename: String) -> Result<Status, Self::Error> {
        self.need_write(FilePermission::Delete)?;
        let p = parse(&filename)?.to_string();
        let file = p.clone();
        self.jail(move |j| {
            if j.symlink_metadata(&file)?.directory {
                return Err(refuse(
                    StatusCode::Failure,
                    "the path is a directory; remove it as a directory",
                ));
            }
            Ok(j.remove(&file)?)
        })
        .await?;
        self.record("server:sftp.delete", json!([p]));
        Ok(ok(id))
    }

    async fn rename(
        &mut self,
        id: u32,
        oldpath: String,
        newpath: String,
    ) -> Result<Status, Self::Error> {
        self.need_write(FilePermission::Update)?;
        let from = parse(&oldpath)?.to_string();
        let to = parse(&newpath)?.to_string();
        let (f, t) = (from.clone(), to.clone());
        self.jail(move |j| Ok(j.rename(&f, &t)?)).await?;
        self.record("server:sftp.rename", json!([{ "from": from, "to": to }]));
        Ok(ok(id))
    }

    async fn readlink(&mut self, _id: u32, _path: String) -> Result<Name, Self::Error> {
        Err(StatusCode::OpUnsupported
            .with_message("reading symbolic link targets is not supported"))
    }

    async fn symlink(
        &mut self,
        _id: u32,
        _linkpath: String,
        _targetpath: String,
    ) -> Result<Status, Self::Error> {
        Err(StatusCode::PermissionDenied.with_message("symbolic links cannot be created over SFTP"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_paths_stay_under_the_root() {
        assert_eq!(real_path("."), "/");
        assert_eq!(real_path(""), "/");
        assert_eq!(real_path(".."), "/");
        assert_eq!(real_path("/../../etc/passwd"), "/etc/passwd");
        assert_eq!(real_path("a/./b/../c/"), "/a/c");
        assert_eq!(real_path("//x//y"), "/x/y");
    }

    #[test]
    fn long_names_look_like_ls() {
        let meta = aerie_fs::Meta {
            mode: 0o040755,
            nlink: 2,
            uid: 1000,
            gid: 1000,
            size: 4096,
            ..Default::default()
        };
        let line = long_name(&Stat::new("plugins", meta, false));
        assert!(line.starts_with("drwxr-xr-x   2 1000     1000"), "{line}");
        assert!(line.ends_with(" plugins"), "{line}");
        let link = aerie_fs::Meta {
            mode: 0o120777,
            ..meta
        };
        assert!(long_name(&Stat::new("l", link, false)).starts_with("lrwxrwxrwx"));
    }
}
