"""Where Autosana is and how to sign in: api-key and api-url."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr, field_validator

DEFAULT_API_URL = "https://backend.autosana.ai"

FIXES = {
    "api-key": "Pass your Autosana API key from a secret: `api-key: ${{ secrets.AUTOSANA_API_KEY }}`.",
    "api-url": (
        "Use an https URL such as https://backend.autosana.ai, or leave it empty; plain http only to localhost "
        "or a loopback or private IP address (a local simulator or proxy)."
    ),
}


def sent_in_clear(url: str) -> bool:
    """Plain http to anything but this machine or a private network (names other than localhost
    count as public: where they resolve is not ours to trust)."""
    parts = urlsplit(url)
    if parts.scheme != "http":
        return False
    host = (parts.hostname or "").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return not (address.is_loopback or address.is_private or address.is_link_local)


class ConnectionInputs(BaseModel):
    # Not needed to merge results; the gathered checks ask for it everywhere else.
    api_key: SecretStr = Field(SecretStr(""), alias="api-key", min_length=1)
    api_url: str = Field(DEFAULT_API_URL, alias="api-url")

    @field_validator("api_url")
    @classmethod
    def _check_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{value!r} is not an http(s) URL")
        if sent_in_clear(value):
            raise ValueError(
                f"{value!r} is plain http to a public host, which would send the API key (X-API-Key) in clear"
            )
        return value.rstrip("/")
