"""Run artifacts (screenshots, device and network logs) served from a local port the way object
storage serves signed URLs: a signature and an expiry in the query (403 otherwise), 404 for a
missing object, ``Range`` requests answered 206 (or ignored, like a store without range support),
and injectable slowness. Objects can be generated (a 50 MiB log costs no memory).

It serves the tests, the bench and the ``demo`` command; a normal action run never imports it."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol
from urllib.parse import parse_qs, quote, unquote, urlsplit

from .server import LocalServer

SEND_CHUNK = 256 * 1024
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class Blob(Protocol):
    @property
    def content_type(self) -> str: ...

    @property
    def size(self) -> int: ...

    def read(self, start: int, end: int) -> bytes: ...


@dataclass(frozen=True)
class Data:
    data: bytes
    content_type: str = "text/plain; charset=utf-8"

    @property
    def size(self) -> int:
        return len(self.data)

    def read(self, start: int, end: int) -> bytes:
        return self.data[start:end]


@dataclass(frozen=True)
class PaddedLog:
    """``head``, then filler lines up to ``size`` bytes in all, then ``tail``: a huge log whose
    interesting part is at its end."""

    size: int
    tail: bytes
    head: bytes = b""
    filler: bytes = b"12-01 21:39:00.000  1000  1000 I chatty  : uid=1000(system) expire 3 lines\n"
    content_type: str = "text/plain; charset=utf-8"

    def read(self, start: int, end: int) -> bytes:
        middle_end = self.size - len(self.tail)
        out = bytearray()
        if start < len(self.head):
            out += self.head[start : min(end, len(self.head))]
        lo, hi = max(start, len(self.head)), min(end, middle_end)
        if lo < hi:
            offset = (lo - len(self.head)) % len(self.filler)
            count = (offset + hi - lo) // len(self.filler) + 1
            out += (self.filler * count)[offset : offset + hi - lo]
        if end > middle_end:
            out += self.tail[max(start - middle_end, 0) : end - middle_end]
        return bytes(out)


@dataclass
class Served:
    path: str
    headers: dict[str, str]
    status: int
    at: float = field(default_factory=time.time)


class ArtifactStore(LocalServer):
    thread_name = "artifact-store"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.secret = secrets.token_bytes(16)
        self.objects: dict[str, Blob] = {}
        self.supports_range = True
        self.delay_per_chunk = 0.0  # seconds between chunks: a slow store
        self.first_byte_delay = 0.0
        self.redirects: dict[str, str] = {}  # key -> where a GET of it is redirected (302)
        self.served: list[Served] = []
        self.lock = threading.Lock()
        super().__init__(host, port, _handler_for(self))

    def put(self, key: str, blob: Blob | bytes | str, ttl: float = 3600.0) -> str:
        """Store the object; its signed GET URL."""
        if isinstance(blob, str):
            blob = blob.encode()
        self.objects[key] = Data(blob, _content_type(key)) if isinstance(blob, bytes) else blob
        return self.sign(key, ttl)

    def sign(self, key: str, ttl: float = 3600.0) -> str:
        path = f"/artifacts/{quote(key)}"
        expires = int(time.time() + ttl)
        return f"{self.url}{path}?X-Amz-Expires={expires}&X-Amz-Signature={self._signature(path, expires)}"

    def _signature(self, path: str, expires: int) -> str:
        return hmac.new(self.secret, f"GET\n{path}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def allowed(self, path: str, query: str) -> bool:
        params = parse_qs(query)
        try:
            expires = int(params["X-Amz-Expires"][0])
            signature = params["X-Amz-Signature"][0]
        except (KeyError, ValueError):
            return False
        return hmac.compare_digest(signature, self._signature(path, expires)) and time.time() <= expires

    def requests_for(self, key: str) -> list[Served]:
        with self.lock:
            return [s for s in self.served if s.path == f"/artifacts/{quote(key)}"]


def _content_type(key: str) -> str:
    if key.endswith(".png"):
        return "image/png"
    if key.endswith(".jsonl"):
        return "application/x-ndjson"
    return "text/plain; charset=utf-8"


def _byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """The [start, end) the Range header asks for; None for the whole object; (0, 0) unsatisfiable."""
    m = _RANGE.match(header or "")
    if not m or (not m[1] and not m[2]):
        return None
    if not m[1]:
        return (max(size - int(m[2]), 0), size) if size and int(m[2]) else (0, 0)
    start = int(m[1])
    end = min(int(m[2]) + 1, size) if m[2] else size
    return (start, end) if start < size and start < end else (0, 0)


def _handler_for(store: ArtifactStore) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "AmazonS3"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            target = store.redirects.get(_unquoted_key(parts.path))
            if target is not None:
                self._error(302, {"Location": target})
                return
            blob = store.objects.get(_unquoted_key(parts.path))
            status = self._status(parts.path, parts.query, blob)
            with store.lock:
                store.served.append(Served(parts.path, dict(self.headers), status))
            if status != 200 or blob is None:
                self._error(status)
                return
            time.sleep(store.first_byte_delay)
            wanted = _byte_range(self.headers.get("Range"), blob.size) if store.supports_range else None
            if wanted == (0, 0):
                self._error(416, {"Content-Range": f"bytes */{blob.size}"})
                return
            start, end = wanted or (0, blob.size)
            self.send_response(206 if wanted else 200)
            self.send_header("Content-Type", blob.content_type)
            self.send_header("Content-Length", str(end - start))
            if store.supports_range:
                self.send_header("Accept-Ranges", "bytes")
            if wanted:
                self.send_header("Content-Range", f"bytes {start}-{end - 1}/{blob.size}")
            self.end_headers()
            self._send(blob, start, end)

        def _status(self, path: str, query: str, blob: Blob | None) -> int:
            if not store.allowed(path, query):
                return 403
            return 404 if blob is None else 200

        def _send(self, blob: Blob, start: int, end: int) -> None:
            try:
                for offset in range(start, end, SEND_CHUNK):
                    self.wfile.write(blob.read(offset, min(offset + SEND_CHUNK, end)))
                    if store.delay_per_chunk:
                        self.wfile.flush()
                        time.sleep(store.delay_per_chunk)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _error(self, status: int, headers: dict[str, str] | None = None) -> None:
            code = {302: "Found", 403: "AccessDenied", 404: "NoSuchKey", 416: "InvalidRange"}.get(
                status, "InternalError"
            )
            data = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code></Error>'.encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _unquoted_key(path: str) -> str:
    return unquote(path.removeprefix("/artifacts/"))
