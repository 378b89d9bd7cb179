"""URLs as we show them. A URL from an input (a preview URL with a share token or
``user:password@``) or from storage (a pre-signed PUT URL) is shown without its userinfo and
without any query value that is a secret or looks like one; one function, used wherever a URL is
shown, so the rule cannot differ between the log, the report and the outputs."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from .redaction import name_words

HIDDEN = "***"
# A query parameter is hidden when one of the words of its name is one of these (split on _ - .
# and camelCase): X-Amz-Signature, _vercel_share, access_token, apiKey, sig, auth do.
SECRET_QUERY_WORDS = frozenset(
    "signature sig token tokens key keys apikey share auth authorization password passwd pass pwd secret "  # noqa: SIM905
    "credential credentials code jwt session sas".split()
)
# A value that looks like a token whatever its name: long, from a token alphabet, letters and digits.
_TOKEN_LIKE = re.compile(r"(?=[^&]*[0-9])(?=[^&]*[A-Za-z])[A-Za-z0-9_\-.~+/=%]{32,}")
# URLs inside free text (an error message): absolute ones, and the path?query urllib3 prints.
_URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>]+|(?<![\w/])/[^\s'\"<>?]*\?[^\s'\"<>]+")


def _secret_name(name: str) -> bool:
    return any(word in SECRET_QUERY_WORDS for word in name_words(name))


def _query(query: str) -> str:
    kept = []
    for pair in query.split("&"):
        name, eq, value = pair.partition("=")
        if eq and value and (_secret_name(name) or _TOKEN_LIKE.fullmatch(value)):
            value = HIDDEN
        kept.append(f"{name}{eq}{value}")
    return "&".join(kept)


def shown_url(url: str) -> str:
    """``url`` without userinfo and with secret or token-like query values as ``***``; the
    fragment goes too (a share link may carry its token there)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return HIDDEN
    netloc = parts.netloc.rpartition("@")[2]
    fragment = HIDDEN if parts.fragment else ""
    return urlunsplit((parts.scheme, netloc, parts.path, _query(parts.query), fragment))


def hide_url_secrets(text: str) -> str:
    """Every URL inside ``text`` as ``shown_url`` shows it (for error messages from storage and
    the network stack, which quote the signed URL they were given)."""
    return _URL_IN_TEXT.sub(lambda m: shown_url(m.group(0)), text)
