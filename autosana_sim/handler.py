"""The simulator's HTTP plumbing: routes, recorded requests and injected faults."""

from __future__ import annotations

import json
import socket
import struct
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from .plans import Fault, Recorded

if TYPE_CHECKING:
    from .api import AutosanaSimulator


def handler_for(sim: AutosanaSimulator) -> type[BaseHTTPRequestHandler]:
    return type("BoundApiHandler", (ApiHandler,), {"sim": sim})


_INVALID_JSON = object()
_BUILD_ROUTES = {
    "/api/ci/start-upload": "start_upload",
    "/api/ci/confirm-upload": "confirm_upload",
    "/api/ci/upload-web-build": "upload_web_build",
}


class ApiHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "autosana-simulator"
    sim: AutosanaSimulator

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def _handle(self, method: str) -> None:
        sim = self.sim
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body: Any = json.loads(raw) if raw else None
        except ValueError:
            body = _INVALID_JSON
        parts = urlsplit(self.path)
        with sim.lock:
            sim.requests.append(Recorded(method, parts.path, dict(self.headers), body))
            fault = next((f for f in sim.faults if parts.path.startswith(f.path)), None)
            if fault is not None:
                sim.faults.remove(fault)
        if fault is not None and self._inject(fault):
            return
        key = self.headers.get("X-API-Key")
        if not key or (sim.api_keys is not None and key not in sim.api_keys):
            self._json(401, {"detail": "Invalid or missing API key"})
            return
        self._route(method, parts.path, parts.query, body)

    def _route(self, method: str, path: str, query: str, body: Any) -> None:
        sim = self.sim
        if method == "POST" and path == "/api/v1/flows/run":
            if body is _INVALID_JSON:
                self._json(422, {"detail": [{"loc": ["body"], "msg": "JSON decode error", "type": "json_invalid"}]})
                return
            self._json(*sim.trigger(body))
        elif method == "POST" and path in _BUILD_ROUTES:
            self._json(*getattr(sim, _BUILD_ROUTES[path])(None if body is _INVALID_JSON else body))
        elif method == "GET" and path == "/api/v1/runs/status":
            batch_ids = parse_qs(query).get("batch_id")
            if not batch_ids:
                self._json(
                    422, {"detail": [{"loc": ["query", "batch_id"], "msg": "Field required", "type": "missing"}]}
                )
                return
            self._json(*sim.status(batch_ids[0]))
        elif method == "GET" and path.startswith("/api/v1/runs/"):
            time.sleep(sim.detail_delay)  # a slow run-detail endpoint (status stays fast)
            self._json(*sim.run_detail(path.rsplit("/", 1)[-1]))
        else:
            self._json(404, {"detail": "Not Found"})

    def _inject(self, fault: Fault) -> bool:
        """Apply the fault; False when the request should then be served normally. A delay
        makes any fault slow (a slow 503, a slow reset); "slow" alone then answers normally."""
        time.sleep(fault.delay)
        if fault.kind == "slow":
            return False
        if fault.kind == "reset":
            # An abortive close: the client sees a connection reset, not a clean EOF.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return True
        if fault.kind == "malformed":
            self._raw(200, b'{"batch_id": "x", "is_complete": tr', "application/json")
        elif fault.kind == "wrong_shape":
            self._json(200, {"unexpected": True})
        elif fault.kind == "html":
            self._raw(fault.status, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
        else:
            body = fault.body if fault.body is not None else {"detail": HTTPStatus(fault.status).phrase}
            self._json(fault.status, body, fault.headers)
        return True

    def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self._raw(status, json.dumps(payload).encode(), "application/json", headers)

    def _raw(self, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
