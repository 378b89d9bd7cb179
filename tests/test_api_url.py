"""The API key travels in a header: plain http is allowed only where nobody else can read it."""

from __future__ import annotations

import pytest
from test_settings import parse, problems


@pytest.mark.parametrize(
    "url",
    [
        "https://backend.autosana.ai",
        "https://staging.example.com/api",
        "http://127.0.0.1:8080",
        "http://localhost:3000",
        "http://sim.localhost",
        "http://[::1]:8080",
        "http://10.1.2.3",
        "http://192.168.0.10:8000",
        "http://172.20.0.2",
    ],
)
def test_allowed(url: str) -> None:
    assert parse(api_url=url).api_url == url.rstrip("/")


@pytest.mark.parametrize(
    "url", ["http://backend.autosana.ai", "http://8.8.8.8", "http://autosana-proxy:8080", "HTTP://Example.COM"]
)
def test_plain_http_to_a_public_host_is_refused(url: str) -> None:
    message = problems(api_url=url)["api-url"]
    assert message.startswith(f"Input 'api-url': {url!r} is plain http to a public host")
    assert "X-API-Key" in message and "Use an https URL" in message
