"""Rules the outside review's mutation run found untested: storage 429 is retried like 5xx,
plain http is allowed to link-local and private IPv6 addresses (and only there)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from test_settings import parse, problems

from autosana_action.upload.storage import TransientStorageError, put_file


@pytest.fixture
def busy_storage() -> Iterator[str]:
    """Storage answering 429 SlowDown, as S3 does when a prefix is hot."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_PUT(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = b"<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>"
            self.send_response(429)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_storage_429_is_transient(busy_storage: str, tmp_path: Path) -> None:
    path = tmp_path / "app.apk"
    path.write_bytes(b"x" * 10)
    with pytest.raises(TransientStorageError, match="429 SlowDown"):
        put_file(f"{busy_storage}/b/app.apk?X-Amz-Signature=abc", path, 10, lambda _: None)


@pytest.mark.parametrize("url", ["http://169.254.10.20:8080", "http://[fd00::1]:8080", "http://[fe80::1]"])
def test_plain_http_to_link_local_and_private_ipv6_is_allowed(url: str) -> None:
    assert parse(api_url=url).api_url == url


@pytest.mark.parametrize("url", ["http://[2001:4860:4860::8888]", "http://100.64.0.1"])
def test_plain_http_to_a_public_or_shared_address_is_refused(url: str) -> None:
    assert "plain http to a public host" in problems(api_url=url)["api-url"]
