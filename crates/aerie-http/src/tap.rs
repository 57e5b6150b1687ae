//! Reading a large request body straight from the socket instead of through hyper.
//!
//! hyper hands a body over in chunks of at most its read buffer, each crossing a channel
//! between the connection task and the handler, so a multi-gigabyte upload costs two thread
//! hand-offs per ~400 KiB on top of the copies. [`serve_tapped`] runs a router on a listener
//! whose connections carry a [`Tap`] (in the [`Peer`] connect info), and a handler that wants
//! the rest of a `Content-Length` body can ask for it as a [`RawBody`]:
//!
//! 1. [`Tap::raw_body`] makes hyper's next read of the socket wait (it is never answered), and
//!    keeps taking what hyper already buffered through the ordinary body;
//! 2. when hyper asks the socket for more, the body's remaining bytes are all still in the
//!    kernel: the tap lends the handler a duplicate of the socket, hyper's half of the body is
//!    dropped (hyper then stops reading the connection), and [`RawBody::copy_to`] reads exactly
//!    the remaining length with plain `read` calls on a blocking thread;
//! 3. the handler's response goes out through hyper as usual, and the connection closes after
//!    it, since hyper no longer knows where the next request would begin.
//!
//! A body hyper had buffered whole never touches the socket, and the connection stays open for
//! the next request.

use std::future::Future;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::os::fd::{AsFd, OwnedFd};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use futures_util::{FutureExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// Serves `router` like [`crate::serve`], with a [`Peer`] (address and [`Tap`]) as every
/// request's `ConnectInfo`.
pub async fn serve_tapped(
    router: Router,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    axum::serve(
        TapListener(listener),
        router.into_make_service_with_connect_info::<Peer>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}

/// A TCP listener whose connections can lend their socket to a handler.
struct TapListener(TcpListener);

impl Listener for TapListener {
    type Io = TapStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (stream, addr) = Listener::accept(&mut self.0).await;
        (
            TapStream {
                stream,
                shared: Arc::default(),
            },
            addr,
        )
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.0.local_addr()
    }
}

/// The connect info of a tapped connection.
#[derive(Clone)]
pub struct Peer {
    /// The client's address.
    pub addr: SocketAddr,
    /// The connection's tap.
    pub tap: Tap,
}

impl Connected<IncomingStream<'_, TapListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, TapListener>) -> Self {
        Peer {
            addr: *stream.remote_addr(),
            tap: Tap(stream.io().shared.clone()),
        }
    }
}

#[derive(Default)]
struct Shared {
    state: Mutex<State>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[derive(Default)]
enum State {
    /// hyper reads the socket.
    #[default]
    Hyper,
    /// A handler is taking the body: hyper's reads wait. `lent` is filled (with a duplicate of
    /// the socket) the first time hyper asks the socket for bytes.
    Diverted {
        notify: Arc<Notify>,
        lent: Option<io::Result<OwnedFd>>,
        waker: Option<Waker>,
    },
    /// The handler read past what hyper knows: hyper gets end-of-file.
    Closed,
}

/// hyper's side of a connection.
struct TapStream {
    stream: TcpStream,
    shared: Arc<Shared>,
}

impl AsyncRead for TapStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        {
            let mut state = this.shared.lock();
            match &mut *state {
                State::Hyper => {}
                State::Diverted {
                    notify,
                    lent,
                    waker,
                } => {
                    if lent.is_none() {
                        *lent = Some(this.stream.as_fd().try_clone_to_owned());
                        notify.notify_one();
                    }
                    *waker = Some(cx.waker().clone());
                    return Poll::Pending;
                }
                State::Closed => return Poll::Ready(Ok(())),
            }
        }
        Pin::new(&mut this.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for TapStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// A handle on one connection, for the handler of the request it carries.
#[derive(Clone)]
pub struct Tap(Arc<Shared>);

impl Tap {
    /// Takes the rest of a body of `len` bytes (its `Content-Length`; the caller checks there
    /// is no `Transfer-Encoding` and that the request is HTTP/1). What hyper already read comes
    /// through `body`; the rest is left in the socket for [`RawBody::copy_to`].
    pub async fn raw_body(&self, body: Body, len: u64) -> io::Result<RawBody> {
        let notify = Arc::new(Notify::new());
        *self.0.lock() = State::Diverted {
            notify: notify.clone(),
            lent: None,
            waker: None,
        };
        let mut guard = Diversion {
            shared: self.0.clone(),
            restore: false,
        };
        let mut stream = body.into_data_stream();
        let mut buffered = Vec::new();
        let mut got = 0u64;
        loop {
            tokio::select! {
                biased;
                next = stream.next() => match next {
                    Some(Ok(chunk)) => take(&mut buffered, chunk, &mut got, len)?,
                    Some(Err(e)) => return Err(io::Error::other(e)),
                    None => {
                        // hyper had the whole body: the connection stays its own.
                        guard.restore = true;
                        return Ok(RawBody { buffered, remaining: 0, socket: None, _guard: guard });
                    }
                },
                () = notify.notified() => break,
            }
        }
        // hyper is waiting on the socket, so nothing more reaches its body; take what it had
        // already passed on, then let go of its half.
        while let Some(Some(next)) = stream.next().now_or_never() {
            take(
                &mut buffered,
                next.map_err(io::Error::other)?,
                &mut got,
                len,
            )?;
        }
        drop(stream);
        let socket = match &mut *self.0.lock() {
            State::Diverted { lent, .. } => lent.take(),
            _ => None,
        }
        .unwrap_or_else(|| Err(io::Error::other("the connection was not lent")))?;
        Ok(RawBody {
            buffered,
            remaining: len - got,
            socket: Some(socket),
            _guard: guard,
        })
    }
}

fn take(buffered: &mut Vec<Bytes>, chunk: Bytes, got: &mut u64, len: u64) -> io::Result<()> {
    *got += chunk.len() as u64;
    if *got > len {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "the body is longer than its Content-Length",
        ));
    }
    buffered.push(chunk);
    Ok(())
}

/// Ends a diversion: hyper gets its socket back, or end-of-file once the handler read past
/// what hyper knows.
struct Diversion {
    shared: Arc<Shared>,
    restore: bool,
}

impl Drop for Diversion {
    fn drop(&mut self) {
        let next = if self.restore {
            State::Hyper
        } else {
            State::Closed
        };
        let old = std::mem::replace(&mut *self.shared.lock(), next);
        if let State::Diverted { waker: Some(w), .. } = old {
            w.wake();
        }
    }
}

/// A request body taken from the connection by [`Tap::raw_body`].
pub struct RawBody {
    buffered: Vec<Bytes>,
    remaining: u64,
    socket: Option<OwnedFd>,
    _guard: Diversion,
}

/// Why [`RawBody::copy_to`] stopped.
#[derive(Debug)]
pub enum CopyError {
    /// The client stopped sending (closed, reset, or silent for longer than allowed).
    Read(io::Error),
    /// The destination refused the bytes.
    Write(io::Error),
}

impl RawBody {
    /// Whether the body came whole through hyper (the connection stays open).
    pub fn is_whole(&self) -> bool {
        self.socket.is_none()
    }

    /// Writes the whole body to `out`, blocking: call it on a blocking thread. Waits at most
    /// `idle` for each read. Returns the bytes written.
    pub fn copy_to(self, out: &mut impl Write, idle: Duration) -> Result<u64, CopyError> {
        let mut written = 0u64;
        for chunk in &self.buffered {
            out.write_all(chunk).map_err(CopyError::Write)?;
            written += chunk.len() as u64;
        }
        let Some(socket) = &self.socket else {
            return Ok(written);
        };
        let mut left = self.remaining;
        let mut buf = vec![0u8; COPY_BUFFER.min(usize::try_from(left).unwrap_or(COPY_BUFFER))];
        let timeout = rustix::event::Timespec::try_from(idle)
            .map_err(|_| CopyError::Read(io::Error::other("bad timeout")))?;
        while left > 0 {
            let want = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
            match rustix::io::read(socket, &mut buf[..want]) {
                Ok(0) => {
                    return Err(CopyError::Read(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the client closed the connection before the end of the body",
                    )));
                }
                Ok(n) => {
                    out.write_all(&buf[..n]).map_err(CopyError::Write)?;
                    left -= n as u64;
                    written += n as u64;
                }
                Err(rustix::io::Errno::AGAIN) => {
                    let mut fds = [rustix::event::PollFd::new(
                        socket,
                        rustix::event::PollFlags::IN,
                    )];
                    match rustix::event::poll(&mut fds, Some(&timeout)) {
                        Ok(0) => {
                            return Err(CopyError::Read(io::Error::new(
                                io::ErrorKind::TimedOut,
                                "the client sent nothing for too long",
                            )));
                        }
                        Ok(_) | Err(rustix::io::Errno::INTR) => {}
                        Err(e) => return Err(CopyError::Read(e.into())),
                    }
                }
                Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(CopyError::Read(e.into())),
            }
        }
        Ok(written)
    }
}

/// Bytes asked of the kernel per read. Not 1 MiB: full 1 MiB reads become 1 MiB writes at
/// 1 MiB-aligned offsets, which Linux 6.18's ext4 handles about 13 times slower than 512 KiB
/// ones (see the backup writer in wings).
const COPY_BUFFER: usize = 512 * 1024;
