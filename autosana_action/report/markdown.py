"""Markdown from untrusted text. Run names and summaries come from the API (and, through it, from
whoever wrote the flows or whatever the app under test printed): in what we post they must stay
plain text that cannot open HTML, break a table, notify a person or start a code block."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#!|~])")
# Only at the start of a line do these open a list; our text never starts a line otherwise.
_LIST_START = re.compile(r"^(\d*)([-+.)])")
# GitHub links @user, @org/team, #123 and org/repo#123 in rendered text, escaped or not;
# a zero-width space after the sigil keeps the text readable and inert.
_MENTION = re.compile(r"([@#])(?=[\w-])")
_WHITESPACE = re.compile(r"\s+")
ZWSP = "\u200b"


def _flat(value: str | None, max_chars: int) -> str:
    flat = _WHITESPACE.sub(" ", value or "").strip()
    return flat if len(flat) <= max_chars else flat[: max_chars - 1].rstrip() + "…"


def text(value: str | None, max_chars: int = 500) -> str:
    """One line of inert Markdown for a table cell or a sentence."""
    flat = _flat(value, max_chars)
    return _LIST_START.sub(r"\1\\\2", escape_inline(flat))


def escape_inline(value: str) -> str:
    """The escaping of ``text`` without flattening, cutting or the line-start rule (the
    redactor looks for secrets in this form too)."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MENTION.sub(lambda m: m.group(1) + ZWSP, _MD_SPECIAL.sub(r"\\\1", escaped))


def html_text(value: str | None, max_chars: int = 500) -> str:
    """One line of inert text inside an HTML element (where Markdown escapes would show)."""
    flat = _flat(value, max_chars).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    flat = flat.replace('"', "&quot;")
    return _MENTION.sub(lambda m: m.group(1) + ZWSP, flat)


def safe_url(value: str | None) -> str | None:
    """An http(s) URL fit for a Markdown link target, or None."""
    if not value:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return quote(value.strip(), safe="/:?&=%#+,;@~!$*'._-")


def link(label: str, url: str | None) -> str:
    """A link whose label is already safe Markdown; plain label when the URL is not usable."""
    target = safe_url(url)
    return f"[{label}]({target})" if target else label


def code(value: str | None) -> str:
    """An identifier in a code span; anything that could end the span is dropped."""
    if not value:
        return ""
    cleaned = re.sub(r"[^A-Za-z0-9._:/-]", "", value)[:100]
    return f"`{cleaned}`" if cleaned else ""
