//! The listening socket, with two timeouts per connection: the first request's headers must
//! be complete within the header timeout (so a client trickling a byte now and then cannot
//! hold a connection), and a connection that sends or receives nothing for the idle timeout
//! is closed (the outside test kept 1,100 slow connections open indefinitely).

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::{IncomingStream, Listener};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{Instant, Sleep};

/// A TCP listener whose connections time out when idle.
pub struct IdleListener {
    inner: TcpListener,
    idle: Duration,
}

impl IdleListener {
    pub fn new(inner: TcpListener, idle: Duration) -> Self {
        IdleListener { inner, idle }
    }
}

impl Listener for IdleListener {
    type Io = IdleIo;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (io, addr) = Listener::accept(&mut self.inner).await;
        (IdleIo::new(io, self.idle), addr)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// The peer's address, for handlers (`ConnectInfo<Peer>`).
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

impl Connected<IncomingStream<'_, IdleListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, IdleListener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

/// A connection that fails with `TimedOut` once nothing moved for `idle`.
pub struct IdleIo {
    io: TcpStream,
    idle: Duration,
    deadline: Pin<Box<Sleep>>,
    /// Until the first request's headers are in (`\r\n\r\n` seen): when they must be.
    headers_by: Option<Pin<Box<Sleep>>>,
    /// The last bytes read, to find the end of the headers across reads.
    tail: [u8; 3],
}

/// The first request's headers must be complete within this (or the idle time if shorter).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

impl IdleIo {
    fn new(io: TcpStream, idle: Duration) -> Self {
        IdleIo {
            io,
            idle,
            deadline: Box::pin(tokio::time::sleep(idle)),
            headers_by: Some(Box::pin(tokio::time::sleep(HEADER_TIMEOUT.min(idle)))),
            tail: [0; 3],
        }
    }

    /// Look for the end of the first request's headers in what was just read.
    fn saw(&mut self, bytes: &[u8]) {
        if self.headers_by.is_none() {
            return;
        }
        let mut window: Vec<u8> = self.tail.to_vec();
        window.extend_from_slice(bytes);
        if window.windows(4).any(|w| w == b"\r\n\r\n") {
            self.headers_by = None;
        }
        let n = window.len();
        self.tail.copy_from_slice(&window[n - 3..]);
    }

    fn headers_late(&mut self, cx: &mut Context<'_>) -> bool {
        match self.headers_by.as_mut() {
            Some(by) => by.as_mut().poll(cx).is_ready(),
            None => false,
        }
    }

    fn moved(&mut self) {
        let next = Instant::now() + self.idle;
        self.deadline.as_mut().reset(next);
    }

    fn expired(&mut self, cx: &mut Context<'_>) -> bool {
        self.deadline.as_mut().poll(cx).is_ready()
    }
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "connection idle too long")
}

impl AsyncRead for IdleIo {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        match Pin::new(&mut this.io).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if buf.filled().len() > before {
                    this.moved();
                    let fresh = buf.filled()[before..].to_vec();
                    this.saw(&fresh);
                    if this.headers_late(cx) {
                        return Poll::Ready(Err(timed_out()));
                    }
                }
                Poll::Ready(result)
            }
            Poll::Pending if this.expired(cx) || this.headers_late(cx) => {
                Poll::Ready(Err(timed_out()))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for IdleIo {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.io).poll_write(cx, data) {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    this.moved();
                }
                Poll::Ready(Ok(n))
            }
            Poll::Pending if this.expired(cx) => Poll::Ready(Err(timed_out())),
            other => other,
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().io).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        match Pin::new(&mut this.io).poll_write_vectored(cx, bufs) {
            Poll::Ready(Ok(n)) => {
                if n > 0 {
                    this.moved();
                }
                Poll::Ready(Ok(n))
            }
            other => other,
        }
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}
