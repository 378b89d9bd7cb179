"""Build storage that behaves like Supabase Storage, Autosana's own: signed upload URLs
(``/storage/v1/object/upload/sign/<bucket>/<object>?token=...``) that take one PUT, and the
resumable TUS 1.0.0 endpoint beside them (``/storage/v1/upload/resumable/sign``: POST creates an
upload with ``Upload-Length`` and ``Upload-Metadata``, PATCH appends at ``Upload-Offset``, HEAD
reads the offset back), signed by the same token in ``x-signature``.

Faults as the network and the service have them: a connection dropped mid-chunk (the bytes that
arrived are kept, as tus servers do, unless ``keeps_partial`` is off), a 5xx, a 409 offset
mismatch, a signature that expired, a chunk that hangs, and a store without the TUS endpoint
(404 or 405 on create). Like the S3-like store it keeps a digest and the size of each object,
never the bytes. Tests, the bench and the demo use it; the action never imports it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import socket
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, Literal
from urllib.parse import parse_qs, quote, unquote, urlsplit

from .server import LocalServer
from .storage import Received

BUCKET = "app_builds"
SIGN_PREFIX = "/storage/v1/object/upload/sign/"
TUS_PATH = "/storage/v1/upload/resumable/sign"
READ_CHUNK = 1024 * 1024
TusFaultKind = Literal["drop", "error", "conflict", "expire", "hang"]


@dataclass
class TusFault:
    """One injected failure, used up by the next request of ``method``.

    drop: read ``after_bytes`` of the chunk, then reset the connection. error: answer ``status``
    (a 5xx) without storing the chunk. conflict: answer 409 as if the offset did not match.
    expire: answer 403 as if the token had expired. hang: read ``after_bytes``, then stop for
    ``delay`` seconds."""

    kind: TusFaultKind
    method: str = "PATCH"
    after_bytes: int = 0
    status: int = 503
    delay: float = 0.0


@dataclass
class TusUpload:
    key: str
    length: int
    offset: int = 0
    digest: Any = field(default_factory=lambda: hashlib.md5(usedforsecurity=False))


@dataclass
class TusCall:
    method: str
    status: int
    offset: int | None = None  # Upload-Offset the client sent (PATCH)
    received: int = 0  # body bytes that arrived


class SupabaseStorage(LocalServer):
    thread_name = "supabase-storage-sim"

    def __init__(self, *, host: str = "127.0.0.1", port: int = 0, hash_bodies: bool = True) -> None:
        self.secret = secrets.token_bytes(16)
        self.hash_bodies = hash_bodies
        self.keeps_partial = True
        self.tus_answer: int | None = None  # 404 or 405: the endpoint is not there
        self.objects: dict[str, tuple[int, str | None]] = {}
        self.uploads: dict[str, TusUpload] = {}
        self.received: list[Received] = []  # single PUTs
        self.tus_calls: list[TusCall] = []
        self.faults: list[TusFault] = []
        self.lock = threading.Lock()
        super().__init__(host, port, _handler_for(self))

    def presign(self, key: str, expires_in: float = 3600.0) -> str:
        """A signed upload URL for ``key`` in the builds bucket, valid for ``expires_in`` s."""
        path = f"{BUCKET}/{key}"
        claims = json.dumps({"url": path, "exp": int(time.time() + expires_in)}).encode()
        payload = base64.urlsafe_b64encode(claims).decode().rstrip("=")
        token = f"{payload}.{self._sign(payload)}"
        return f"{self.url}{SIGN_PREFIX}{quote(path)}?token={token}"

    def _sign(self, payload: str) -> str:
        return hmac.new(self.secret, payload.encode(), hashlib.sha256).hexdigest()

    def claims(self, token: str) -> tuple[str | None, str]:
        """(the signed object path, "") or (None, why the token is refused)."""
        payload, _, signature = token.partition(".")
        if not payload or not hmac.compare_digest(signature, self._sign(payload)):
            return None, "invalid signature"
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        if time.time() > claims["exp"]:
            return None, "jwt expired"
        return str(claims["url"]), ""

    def has(self, key: str) -> bool:
        with self.lock:
            return self.objects.get(key, (0, None))[0] > 0

    def puts(self) -> list[Received]:
        with self.lock:
            return list(self.received)

    def calls(self, method: str | None = None) -> list[TusCall]:
        with self.lock:
            return [c for c in self.tus_calls if method is None or c.method == method]

    def fault_for(self, method: str) -> TusFault | None:
        with self.lock:
            for index, fault in enumerate(self.faults):
                if fault.method == method:
                    return self.faults.pop(index)
        return None


def _metadata(header: str) -> dict[str, str]:
    pairs = (item.strip().split(" ", 1) for item in header.split(",") if item.strip())
    return {pair[0]: base64.b64decode(pair[1]).decode() if len(pair) > 1 else "" for pair in pairs}


def _handler_for(store: SupabaseStorage) -> type[BaseHTTPRequestHandler]:
    return type("BoundSupabaseHandler", (SupabaseHandler,), {"store": store})


class SupabaseHandler(BaseHTTPRequestHandler):
    store: SupabaseStorage
    protocol_version = "HTTP/1.1"
    server_version = "supabase-storage-sim"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_PUT(self) -> None:
        parts = urlsplit(self.path)
        key = unquote(parts.path.removeprefix(SIGN_PREFIX)).removeprefix(f"{BUCKET}/")
        headers = dict(self.headers)
        length = self.headers.get("Content-Length")
        if not parts.path.startswith(SIGN_PREFIX) or length is None or not length.isdigit():
            self.store.received.append(Received(key, headers, 400))
            return self._json(400, "InvalidRequest", "a signed upload takes a PUT with Content-Length")
        signed, why = self.store.claims(parse_qs(parts.query).get("token", [""])[0])
        size, md5 = self._read(int(length), None)
        if signed != f"{BUCKET}/{key}":
            self.store.received.append(Received(key, headers, 403, size))
            return self._json(403, "Unauthorized", why or "the token is for another object")
        if size < int(length):
            self.store.received.append(Received(key, headers, 400, size))
            return self._json(400, "IncompleteBody", "the body is shorter than Content-Length")
        with self.store.lock:
            self.store.objects[key] = (size, md5)
            self.store.received.append(Received(key, headers, 200, size, md5))
        self._json(200, None, None, {"Key": f"{BUCKET}/{key}"})

    def do_POST(self) -> None:
        if urlsplit(self.path).path != TUS_PATH or self.store.tus_answer:
            status = self.store.tus_answer or 404
            return self._call("POST", status, error=("Not Found" if status == 404 else "Method Not Allowed"))
        signed, why = self.store.claims(self.headers.get("x-signature", ""))
        meta = _metadata(self.headers.get("Upload-Metadata", ""))
        length = self.headers.get("Upload-Length", "")
        fault = self.store.fault_for("POST")
        if fault is not None and fault.kind in ("error", "expire"):
            return self._fault_answer("POST", fault)
        if signed is None:
            return self._call("POST", 403, error=why)
        if signed != f"{meta.get('bucketName')}/{meta.get('objectName')}" or not length.isdigit():
            return self._call("POST", 400, error="Upload-Metadata or Upload-Length does not match the token")
        upload_id = uuid.uuid4().hex
        with self.store.lock:
            self.store.uploads[upload_id] = TusUpload(signed.removeprefix(f"{BUCKET}/"), int(length))
        self._call("POST", 201, headers={"Location": f"{self.store.url}{TUS_PATH}/{upload_id}"})

    def do_HEAD(self) -> None:
        upload, fault = self._upload("HEAD")
        if fault is not None:
            return self._fault_answer("HEAD", fault)
        if upload is not None:
            self._call("HEAD", 200, headers={"Upload-Offset": str(upload.offset), "Upload-Length": str(upload.length)})

    def do_PATCH(self) -> None:
        upload, fault = self._upload("PATCH")
        if upload is None:
            return
        offset, length = self.headers.get("Upload-Offset", ""), self.headers.get("Content-Length", "")
        if not (offset.isdigit() and length.isdigit()):
            return self._call("PATCH", 400, error="Upload-Offset and Content-Length are required")
        if self.headers.get("Content-Type") != "application/offset+octet-stream":
            return self._call("PATCH", 415, error="Content-Type must be application/offset+octet-stream")
        if int(offset) != upload.offset or (fault is not None and fault.kind == "conflict"):
            self._read(int(length), None)
            return self._call("PATCH", 409, int(offset), error="Upload-Offset does not match the upload's offset")
        self._append(upload, int(offset), int(length), fault)

    def _append(self, upload: TusUpload, offset: int, length: int, fault: TusFault | None) -> None:
        if fault is not None and fault.kind in ("drop", "hang"):
            got, _ = self._read(min(fault.after_bytes, length), upload if self.store.keeps_partial else None)
            self._record("PATCH", 0, offset, got)
            if fault.kind == "hang":
                time.sleep(fault.delay)
            return self._reset()
        if fault is not None:
            got, _ = self._read(length, None)
            return self._fault_answer("PATCH", fault, offset, got)
        got, _ = self._read(min(length, upload.length - offset), upload)
        if got < length:
            return self._call("PATCH", 400, offset, got, error="the chunk goes past Upload-Length")
        if upload.offset == upload.length:
            with self.store.lock:
                self.store.objects[upload.key] = (
                    upload.length,
                    upload.digest.hexdigest() if self.store.hash_bodies else None,
                )
        self._call("PATCH", 204, offset, got, headers={"Upload-Offset": str(upload.offset)})

    def _upload(self, method: str) -> tuple[TusUpload | None, TusFault | None]:
        """The upload the request names, after the checks every TUS request gets, and the
        fault injected for it (None, fault) when it must answer the fault."""
        upload_id = urlsplit(self.path).path.removeprefix(f"{TUS_PATH}/")
        if self.headers.get("Tus-Resumable") != "1.0.0":
            self._call(method, 412, error="Tus-Resumable 1.0.0 is required")
            return None, None
        fault = self.store.fault_for(method)
        signed, why = self.store.claims(self.headers.get("x-signature", ""))
        if fault is not None and fault.kind == "expire":
            signed, why = None, "jwt expired"
        if signed is None:
            self._call(method, 403, error=why)
            return None, None
        if method == "HEAD" and fault is not None:
            return None, fault
        with self.store.lock:
            upload = self.store.uploads.get(upload_id)
        if upload is None:
            self._call(method, 404, error="Upload not found")
        return upload, fault

    def _fault_answer(self, method: str, fault: TusFault, offset: int | None = None, got: int = 0) -> None:
        status = 403 if fault.kind == "expire" else fault.status
        self._call(method, status, offset, got, error="jwt expired" if status == 403 else "Internal Server Error")

    def _read(self, length: int, upload: TusUpload | None) -> tuple[int, str | None]:
        digest = hashlib.md5(usedforsecurity=False) if self.store.hash_bodies and upload is None else None
        got = 0
        while got < length:
            chunk = self.rfile.read(min(READ_CHUNK, length - got))
            if not chunk:
                break
            got += len(chunk)
            if upload is not None:
                with self.store.lock:
                    upload.offset += len(chunk)
                    if self.store.hash_bodies:
                        upload.digest.update(chunk)
            elif digest is not None:
                digest.update(chunk)
        return got, digest.hexdigest() if digest else None

    def _reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def _record(self, method: str, status: int, offset: int | None = None, got: int = 0) -> None:
        with self.store.lock:
            self.store.tus_calls.append(TusCall(method, status, offset, got))

    def _call(
        self,
        method: str,
        status: int,
        offset: int | None = None,
        got: int = 0,
        *,
        error: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self._record(method, status, offset, got)
        self._json(status, error, error, None, {"Tus-Resumable": "1.0.0", **(headers or {})})

    def _json(
        self,
        status: int,
        error: str | None,
        message: str | None,
        payload: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        if payload is None and error is not None:
            payload = {"statusCode": str(status), "error": error, "message": message}
        data = b"" if payload is None or self.command == "HEAD" else json.dumps(payload).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if data:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
