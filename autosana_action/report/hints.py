"""A failing run's hints in Markdown: the crash in a code block, the failed requests, and the
failing step's screenshot as a thumbnail linked to the full image (where signed artifact links
may be shown; else a link to the run on Autosana). The text comes from device logs: it is already
redacted, and escaped here so that it can open no HTML, code block, link or @-mention."""

from __future__ import annotations

import re

from ..explain.device_log import Crash
from ..explain.hints import RunHints
from ..explain.network_log import FailedRequest, NetworkFailures
from . import markdown as md

WEB_THUMB_WIDTH = 360
MOBILE_THUMB_WIDTH = 180
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_RUNS = {"`": re.compile(r"`+"), "~": re.compile(r"~+")}


def _fence(text: str, minimum: int, char: str = "`") -> str:
    """A fence of ``char`` long enough that nothing in ``text`` can close the code."""
    longest = max((len(run) for run in _RUNS[char].findall(text)), default=0)
    return char * max(minimum, longest + 1)


def code_span(value: str, max_chars: int = 160) -> str:
    flat = " ".join(_CONTROL.sub("", value).split())
    flat = flat if len(flat) <= max_chars else flat[: max_chars - 1] + "…"
    fence = _fence(flat, 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def crash_block(crash: Crash, web: bool = False, indent: str = "  ") -> list[str]:
    lines = [_CONTROL.sub("", line) for line in crash.lines]
    # Tildes: a log's backticks (a Markdown snippet, a shell line) stay text inside.
    fence = _fence("\n".join(lines), 3, "~")
    more = f"; {crash.others} more in the log" if crash.others else ""
    where = "the browser console" if web else "the device log"
    return [
        f"{indent}- 💥 **{md.text(crash.label, 40)}** in {where}, nearest the failing step{more}:",
        "",
        f"{indent}  {fence}text",
        *(f"{indent}  {line}" for line in lines),
        f"{indent}  {fence}",
        "",
    ]


def _request(request: FailedRequest) -> str:
    outcome = f"failed: {md.text(request.error, 120)}" if request.status == 0 else f"**{request.status}**"
    if request.status == 0 and not request.error:
        outcome = "failed (no answer)"
    line = f"{code_span(f'{request.method} {request.where}')} → {outcome}"
    if request.duration_ms is not None:
        ms = request.duration_ms
        line += f" · {ms:,.0f} ms" if ms < 10_000 else f" · {ms / 1000:.1f} s"
    return line


def network_lines(network: NetworkFailures, indent: str = "  ") -> list[str]:
    if not network.shown:
        return [f"{indent}- 🌐 {network.rest} failed requests in the network log, none near the failing step"]
    head = f"{indent}- 🌐 **Failed requests** near the failing step"
    if network.rest:
        head += f" ({network.rest} more in the network log)"
    return [head + ":", *(f"{indent}  - {_request(r)}" for r in network.shown)]


def _attribute(url: str) -> str:
    return url.replace("&", "&amp;").replace('"', "%22")


def screenshot_lines(hint: RunHints, platform: str | None, run_url: str | None, artifact_links: bool) -> list[str]:
    """The thumbnail, where signed links may be shown."""
    url = md.safe_url(hint.screenshot)
    if url is None:
        return []
    if not artifact_links:  # the report's link to the run on Autosana stands in for it
        return []
    step = f"step {hint.step}" if hint.step is not None else "the failing step"
    web = (platform or "").lower() == "web"
    width = WEB_THUMB_WIDTH if web else MOBILE_THUMB_WIDTH
    image = f'<a href="{_attribute(url)}"><img src="{_attribute(url)}" width="{width}" alt="Screenshot of {step}"></a>'
    keeps = f"; {md.link('the run on Autosana', run_url)} keeps it" if md.safe_url(run_url) else ""
    return [
        f"  - 🖼️ {step[:1].upper()}{step[1:]}, as the {'browser' if web else 'device'} showed it:",
        "",
        f"    {image}",
        "",
        f"    <sub>The image link expires{keeps}.</sub>",
    ]


def hint_lines(hint: RunHints | None, platform: str | None, run_url: str | None, artifact_links: bool) -> list[str]:
    if hint is None:
        return []
    lines: list[str] = []
    if hint.crash is not None:
        lines += crash_block(hint.crash, web=(platform or "").lower() == "web")
    if hint.network is not None:
        lines += network_lines(hint.network)
    return lines + screenshot_lines(hint, platform, run_url, artifact_links)
