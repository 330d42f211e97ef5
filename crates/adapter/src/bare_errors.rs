//! Failures hyper answers by itself, before any request reaches the router: a request line or
//! header it cannot parse (400), a URI over its 64 KiB limit (414), headers over its buffer
//! (431). hyper writes them as bare responses (`content-length: 0`, no body); this wrapper of
//! the connection (above TLS) recognizes such a response as it is written and sends a
//! Kubernetes `Status` with the same code instead, so that every failure is a `Status`. The
//! router never sends a bare 4xx/5xx (its last layer turns every failure into a `Status`), so
//! nothing else is touched.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::api::status::ApiError;

/// The longest write that can be one of hyper's bare error responses (a status line and a
/// few short headers: about 100 bytes). Longer writes — every real response, with its body —
/// are passed through untouched, without being copied or scanned: this wrapper is on the
/// path of every response, so it must cost nothing there.
const MAX_BARE_HEAD: usize = 1024;

/// The buffers of a vectored write joined into one, if they hold at most [`MAX_BARE_HEAD`]
/// bytes in all.
fn small_concat(bufs: &[io::IoSlice<'_>]) -> Option<Vec<u8>> {
    let mut total = 0usize;
    for b in bufs {
        total += b.len();
        if total > MAX_BARE_HEAD {
            return None;
        }
    }
    let mut out = Vec::with_capacity(total);
    for b in bufs {
        out.extend_from_slice(b);
    }
    Some(out)
}

/// A connection whose bare hyper error responses are rewritten as `Status` objects.
#[derive(Debug)]
pub struct StatusOnBareErrors<T> {
    inner: T,
    /// A rewritten response not yet written, and how much of it was.
    pending: Vec<u8>,
    written: usize,
}

impl<T> StatusOnBareErrors<T> {
    /// Wraps a connection.
    pub fn new(inner: T) -> Self {
        Self {
            inner,
            pending: Vec::new(),
            written: 0,
        }
    }
}

/// The `Status` response replacing `head` if it is a bare HTTP/1 error response hyper wrote.
pub fn rewrite(head: &[u8]) -> Option<Vec<u8>> {
    if !(head.starts_with(b"HTTP/1.1 ") || head.starts_with(b"HTTP/1.0 ")) {
        return None;
    }
    let end = head.windows(4).position(|w| w == b"\r\n\r\n")?;
    let text = std::str::from_utf8(&head[..end]).ok()?;
    if end + 4 != head.len() {
        return None;
    }
    let mut lines = text.split("\r\n");
    let status_line = lines.next()?;
    let code: u16 = status_line.get(9..12)?.parse().ok()?;
    if code < 400 {
        return None;
    }
    let mut kept = Vec::new();
    let mut empty_body = false;
    for line in lines {
        let (name, value) = line.split_once(':')?;
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => empty_body = value.trim() == "0",
            "content-type" | "transfer-encoding" => return None,
            _ => kept.push(line),
        }
    }
    if !empty_body {
        return None;
    }
    let message = match code {
        400 => "the request could not be parsed (malformed request line or headers)",
        414 => "the request URI is too long",
        431 => "the request headers are too large",
        _ => status_line.get(13..).unwrap_or("the request failed"),
    };
    let body = serde_json::to_vec(&ApiError::Other(code, message.into()).status()).ok()?;
    let mut out = Vec::with_capacity(body.len() + 200);
    out.extend_from_slice(status_line.as_bytes());
    out.extend_from_slice(b"\r\ncontent-type: application/json\r\n");
    out.extend_from_slice(format!("content-length: {}\r\n", body.len()).as_bytes());
    for line in kept {
        out.extend_from_slice(line.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(&body);
    Some(out)
}

impl<T: AsyncWrite + Unpin> StatusOnBareErrors<T> {
    /// Writes what is pending; ready once nothing is.
    fn poll_pending(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n =
                ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for StatusOnBareErrors<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for StatusOnBareErrors<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_pending(cx))?;
        if buf.first() == Some(&b'H')
            && buf.len() <= MAX_BARE_HEAD
            && let Some(replacement) = rewrite(buf)
        {
            self.pending = replacement;
            // The caller's bytes count as written: the replacement goes out instead, now
            // or at the next write, flush or shutdown.
            let _ = self.poll_pending(cx)?;
            return Poll::Ready(Ok(buf.len()));
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_pending(cx))?;
        let first = bufs.iter().find(|b| !b.is_empty());
        if first.is_some_and(|b| b.starts_with(b"HTTP/1."))
            && let Some(head) = small_concat(bufs)
            && let Some(replacement) = rewrite(&head)
        {
            self.pending = replacement;
            let _ = self.poll_pending(cx)?;
            return Poll::Ready(Ok(head.len()));
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_pending(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rewrites_only_bare_error_responses() {
        let out = rewrite(
            b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: x\r\n\r\n",
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 "), "{head}");
        assert!(head.contains("content-type: application/json") && head.contains("date: x"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            (v["kind"].as_str(), v["code"].as_i64()),
            (Some("Status"), Some(431))
        );
        // Responses with a body, successes, and HTTP/2 frames are left alone.
        assert!(rewrite(b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\ncontent-length: 10\r\n\r\n").is_none());
        assert!(rewrite(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(rewrite(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\nextra").is_none());
        assert!(rewrite(b"\0\0\x04\x04").is_none());
    }

    /// Writes `bufs` vectored through the wrapper over an in-memory pipe; what came out.
    async fn through_wrapper(bufs: &[&[u8]]) -> Vec<u8> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (a, mut b) = tokio::io::duplex(1 << 20);
        let mut w = StatusOnBareErrors::new(a);
        let slices: Vec<io::IoSlice<'_>> = bufs.iter().map(|b| io::IoSlice::new(b)).collect();
        let mut n = w.write_vectored(&slices).await.unwrap();
        let total: usize = bufs.iter().map(|b| b.len()).sum();
        let all: Vec<u8> = bufs.concat();
        while n < total {
            n += w.write(&all[n..]).await.unwrap();
        }
        w.shutdown().await.unwrap();
        let mut out = Vec::new();
        b.read_to_end(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn vectored_writes_rewrite_bare_errors_and_pass_responses_through() {
        // A bare error split over two slices is still recognized.
        let out = through_wrapper(&[
            b"HTTP/1.1 400 Bad Request\r\n",
            b"content-length: 0\r\n\r\n",
        ])
        .await;
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\"kind\":\"Status\""), "{text}");
        // A response with a large body goes out byte for byte.
        let head =
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 20000\r\n\r\n";
        let body = vec![b'x'; 20_000];
        let out = through_wrapper(&[head, &body]).await;
        assert_eq!(out, [&head[..], &body[..]].concat());
        // Writes over MAX_BARE_HEAD are not even inspected: a (made-up) bare error head padded
        // past it goes out unchanged.
        let mut odd = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nx-pad: ".to_vec();
        odd.extend(std::iter::repeat_n(b'a', MAX_BARE_HEAD));
        odd.extend_from_slice(b"\r\n\r\n");
        assert!(rewrite(&odd).is_some());
        assert_eq!(through_wrapper(&[&odd]).await, odd);
    }
}
