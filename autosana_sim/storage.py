"""An S3-like object store for pre-signed uploads, on a local port: URLs that expire and carry a
signature, ``Content-Length`` required (411 ``MissingContentLength``), chunked bodies refused
(501 ``NotImplemented``), S3-style XML errors, and injectable faults: 503 ``SlowDown``, a
connection dropped mid-body, an answer that never comes.

It keeps a digest and the size of each object, never the bytes, so a 1 GiB upload costs no memory.
It serves the tests, the bench and the ``demo`` command; a normal action run never imports it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import socket
import struct
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, Literal
from urllib.parse import parse_qs, quote, urlsplit

from .server import LocalServer

StorageFaultKind = Literal["slowdown", "drop", "stall", "hang", "forbidden"]
READ_CHUNK = 1024 * 1024


@dataclass
class StorageFault:
    """One injected failure, used up by the next PUT.

    slowdown: read the body, answer 503 SlowDown. drop: read ``after_bytes`` of the body, then
    reset the connection. stall: read the body, then say nothing for ``delay`` seconds. hang: read
    ``after_bytes`` of the body, then stop reading for ``delay`` seconds.
    forbidden: answer 403 AccessDenied as if the URL had expired."""

    kind: StorageFaultKind
    after_bytes: int = 0
    delay: float = 0.0


@dataclass
class Received:
    """One PUT as the store saw it."""

    key: str
    headers: dict[str, str]
    status: int
    size: int = 0
    md5: str | None = None
    at: float = field(default_factory=time.time)


class StorageSimulator(LocalServer):
    thread_name = "storage-sim"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, hash_bodies: bool = True) -> None:
        self.secret = secrets.token_bytes(16)
        self.hash_bodies = hash_bodies
        self.objects: dict[str, tuple[int, str | None]] = {}  # key -> (size, md5)
        self.received: list[Received] = []
        self.faults: list[StorageFault] = []
        self.lock = threading.Lock()
        super().__init__(host, port, _handler_for(self))

    def presign(self, key: str, expires_in: float = 3600.0) -> str:
        """A pre-signed PUT URL for ``key``, valid for ``expires_in`` seconds."""
        expires = int(time.time() + expires_in) if expires_in > 0 else int(time.time()) - 1
        path = f"/builds/{quote(key)}"
        return f"{self.url}{path}?X-Amz-Expires={expires}&X-Amz-Signature={self._sign(path, expires)}"

    def _sign(self, path: str, expires: int) -> str:
        return hmac.new(self.secret, f"PUT\n{path}\n{expires}".encode(), hashlib.sha256).hexdigest()

    def check_signature(self, path: str, query: str) -> str | None:
        """None when the URL is valid, else the S3 error code."""
        params = parse_qs(query)
        try:
            expires = int(params["X-Amz-Expires"][0])
            signature = params["X-Amz-Signature"][0]
        except (KeyError, ValueError):
            return "AccessDenied"
        if not hmac.compare_digest(signature, self._sign(path, expires)):
            return "SignatureDoesNotMatch"
        if time.time() > expires:
            return "AccessDenied"
        return None

    def key_of(self, path: str) -> str:
        return path.removeprefix("/builds/")

    def has(self, key: str) -> bool:
        with self.lock:
            size = self.objects.get(key, (0, None))[0]
        return size > 0

    def puts(self) -> list[Received]:
        with self.lock:
            return list(self.received)


_MESSAGES = {
    "AccessDenied": "Request has expired",
    "SignatureDoesNotMatch": "The request signature we calculated does not match the signature you provided.",
    "MissingContentLength": "You must provide the Content-Length HTTP header.",
    "NotImplemented": "A header you provided implies functionality that is not implemented",
    "SlowDown": "Please reduce your request rate.",
    "MethodNotAllowed": "The specified method is not allowed against this resource.",
    "IncompleteBody": "You did not provide the number of bytes specified by the Content-Length HTTP header.",
}


def _xml_error(code: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{_MESSAGES.get(code, code)}</Message>"
        f"<RequestId>{secrets.token_hex(8).upper()}</RequestId></Error>"
    ).encode()


def _handler_for(store: StorageSimulator) -> type[BaseHTTPRequestHandler]:
    return type("BoundStorageHandler", (StorageHandler,), {"store": store})


class StorageHandler(BaseHTTPRequestHandler):
    """S3's PUT of a pre-signed URL: refusals before the body, faults, then the stored object."""

    protocol_version = "HTTP/1.1"
    server_version = "AmazonS3"
    store: StorageSimulator

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._error(405, "MethodNotAllowed", close=False)

    def do_PUT(self) -> None:
        parts = urlsplit(self.path)
        self._key = self.store.key_of(parts.path)
        self._headers = dict(self.headers)
        with self.store.lock:
            fault = self.store.faults.pop(0) if self.store.faults else None
        length = self._refused_before_body(parts.path, parts.query, fault)
        if length is None or self._faulted_while_reading(fault, length):
            return
        size, md5 = self._read(length)
        if size < length:
            self._record(400, size)
            self._error(400, "IncompleteBody")
            return
        if fault is not None and fault.kind == "slowdown":
            self._record(503, size)
            self._error(503, "SlowDown", close=False)
            return
        if fault is not None and fault.kind == "stall":
            time.sleep(fault.delay)
        with self.store.lock:
            self.store.objects[self._key] = (size, md5)
        self._record(200, size, md5)
        self.send_response(200)
        self.send_header("ETag", f'"{md5 or ""}"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _record(self, status: int, size: int = 0, md5: str | None = None) -> None:
        with self.store.lock:
            self.store.received.append(Received(self._key, self._headers, status, size, md5))

    def _refused_before_body(self, path: str, query: str, fault: StorageFault | None) -> int | None:
        """The body's length, or None after a refusal S3 sends before reading it (it then closes
        the connection)."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self._record(501)
            self._error(501, "NotImplemented")
            return None
        length_header = self.headers.get("Content-Length")
        if length_header is None or not length_header.isdigit():
            self._record(411)
            self._error(411, "MissingContentLength")
            return None
        problem = self.store.check_signature(path, query)
        if fault is not None and fault.kind == "forbidden":
            problem = "AccessDenied"
        length = int(length_header)
        if problem:
            # Read what was sent first, so the client sees the 403 rather than a reset.
            self._read(length)
            self._record(403)
            self._error(403, problem)
            return None
        return length

    def _faulted_while_reading(self, fault: StorageFault | None, length: int) -> bool:
        if fault is not None and fault.kind == "drop":
            self._read(min(fault.after_bytes, length))
            self._record(0, fault.after_bytes)
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return True
        if fault is not None and fault.kind == "hang":
            self._read(min(fault.after_bytes, length))
            time.sleep(fault.delay)
            self._record(0, fault.after_bytes)
            self.close_connection = True
            return True
        return False

    def _read(self, length: int) -> tuple[int, str | None]:
        digest = hashlib.md5(usedforsecurity=False) if self.store.hash_bodies else None
        got = 0
        while got < length:
            chunk = self.rfile.read(min(READ_CHUNK, length - got))
            if not chunk:
                break
            got += len(chunk)
            if digest is not None:
                digest.update(chunk)
        return got, digest.hexdigest() if digest else None

    def _error(self, status: int, code: str, *, close: bool = True) -> None:
        data = _xml_error(code)
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(data)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(data)
