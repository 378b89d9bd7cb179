from __future__ import annotations

import pytest

from autosana_action.report import markdown as md
from autosana_action.workflow import escape_data, escape_property, neutralise_line, plain


@pytest.mark.parametrize(
    ("raw", "forbidden"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("<!-- hide", "<!--"),
        ("a | b", " | "),
        ("```\ncode", "```"),
        ("@octocat", "@octocat"),
        ("@org/team", "@org"),
        ("fixes #12", "#12"),
        ("octo/repo#3", "#3"),
        ("[click](javascript:alert(1))", "](javascript"),
        ("line\nbreak", "\n"),
    ],
)
def test_untrusted_text_is_inert(raw: str, forbidden: str) -> None:
    assert forbidden not in md.text(raw)


def test_text_is_truncated() -> None:
    assert md.text("x" * 50, 10) == "xxxxxxxxx…"


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://x/y", "", None, "//evil"])
def test_only_http_links(url: str | None) -> None:
    assert md.link("label", url) == "label"


def test_link_target_cannot_break_out() -> None:
    assert md.link("x", "https://a.test/p) [y](https://b.test") == "[x](https://a.test/p%29%20%5By%5D%28https://b.test)"


def test_code_span_cannot_be_closed() -> None:
    assert md.code("abc`def <b>") == "`abcdefb`"


def test_workflow_escaping() -> None:
    assert escape_data("50%\nnext\r") == "50%25%0Anext%0D"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"
    assert neutralise_line("  ::error::x").startswith("\u200b")
    assert neutralise_line("##[error]x").startswith("\u200b")
    assert neutralise_line("plain") == "plain"
    assert plain("a\x1b[31mred\nnext") == "a [31mred next"
