"""An HTTP proxy that answers for Graph's hosts with adgate and refuses every other host.

Two ways clients use an HTTP proxy for an ``https://`` URL, both served:

- ``CONNECT graph.facebook.com:443`` (RFC 9110 §9.3.6; Python ``requests``/``urllib3``, curl, Go,
  most clients): the proxy answers 200, terminates TLS with a certificate for the host signed by the
  local CA (:mod:`adgate.intercept.ca`), and relays the decrypted HTTP/1.1 to adgate's own listener;
- an absolute-form request line, ``GET https://graph.facebook.com/v24.0/me HTTP/1.1`` (RFC 9112
  §3.2.2; axios, which the Node business SDK uses, sends https requests to an http proxy this way):
  the proxy rewrites it to origin form, asks for ``Connection: close`` and relays that one exchange.

Every other host, port or form gets a 403 (or 400) and the connection closes: the proxy never opens a
connection anywhere but adgate's listener. Sizes and waits are bounded, so a client that sends a
huge head or nothing at all costs the server nothing but one idle socket for a while.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from pathlib import Path
from urllib.parse import urlsplit

import orjson

from adgate.intercept.ca import HOSTS

log = logging.getLogger("adgate.intercept")

MAX_HEAD_BYTES = 64 * 1024
HEAD_TIMEOUT_SECONDS = 30.0
CHUNK = 64 * 1024


def server_context(chain: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(chain, key)
    context.set_alpn_protocols(["http/1.1"])
    return context


def _refusal(status: int, reason: str, message: str) -> bytes:
    body = orjson.dumps(
        {"error": {"message": message, "type": "OAuthException", "code": 1, "error_subcode": 0}}
    )
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode("ascii") + body


def _refuse_host(host: str) -> bytes:
    # The host is not echoed back: only our own vocabulary goes into the answer.
    return _refusal(
        403,
        "Forbidden",
        "adgate's interception proxy only answers for " + ", ".join(HOSTS) + "; this host is refused.",
    )


class InterceptProxy:
    """Listens on ``(host, port)``; relays the allowed hosts to adgate at ``upstream``."""

    def __init__(
        self, upstream: tuple[str, int], tls: ssl.SSLContext, hosts: tuple[str, ...] = HOSTS
    ) -> None:
        self.upstream = upstream
        self.tls = tls
        self.hosts = frozenset(hosts)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self, host: str, port: int) -> None:
        self._server = await asyncio.start_server(self._accept, host, port, limit=MAX_HEAD_BYTES)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for task in list(self._tasks):
                task.cancel()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
            self._server = None

    def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.ensure_future(self._serve(reader, writer))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await self._handle(reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            pass
        except ssl.SSLError as exc:  # a client that does not trust the CA, or speaks no TLS
            log.info("intercept: TLS handshake failed: %s", exc.reason)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("intercept: connection failed")
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), HEAD_TIMEOUT_SECONDS)
        line, _, rest = head.partition(b"\r\n")
        parts = line.split(b" ")
        if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
            writer.write(_refusal(400, "Bad Request", "Not an HTTP/1.x request."))
            return
        method, target, version = (p.decode("latin-1") for p in parts)
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            if host.lower() not in self.hosts or port != "443":
                writer.write(_refuse_host(host))
                return
            writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            await writer.drain()
            await writer.start_tls(self.tls)
            await self._relay(reader, writer, b"")
            return
        url = urlsplit(target)
        if url.scheme not in ("http", "https") or (url.hostname or "").lower() not in self.hosts:
            writer.write(_refuse_host(url.hostname or ""))
            return
        origin = (url.path or "/") + (f"?{url.query}" if url.query else "")
        headers = [h for h in rest.split(b"\r\n") if h and not h.lower().startswith(b"connection:")]
        headers = [h for h in headers if not h.lower().startswith(b"proxy-")]
        rewritten = f"{method} {origin} {version}\r\n".encode("latin-1")
        rewritten += b"\r\n".join([*headers, b"connection: close"]) + b"\r\n\r\n"
        await self._relay(reader, writer, rewritten)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, first: bytes) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        try:
            if first:
                up_writer.write(first)
            await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))
        finally:
            with contextlib.suppress(Exception):
                up_writer.close()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    try:
        while chunk := await source.read(CHUNK):
            sink.write(chunk)
            await sink.drain()
    except (ConnectionError, ssl.SSLError):
        pass
    finally:
        with contextlib.suppress(Exception):
            if sink.can_write_eof():
                sink.write_eof()
            else:
                sink.close()
