"""The crash in a device log, near the failing step: an Android ``FATAL EXCEPTION`` block
(AndroidRuntime), an iOS ``Terminating app due to uncaught exception`` or crash report, or a
browser's uncaught exception or console error. What is kept is the exception and the first frames
of the app's own code, a few lines of raw (not yet redacted or escaped) text.

Logs arrive as plain text or as JSONL (one object per line with a message and a time); both are
read as lines of ``(time, text)``. Device clocks carry no zone: they are taken as UTC."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

MAX_FRAMES = 3
MAX_LINE = 200


@dataclass(frozen=True)
class Crash:
    lines: tuple[str, ...]
    at: datetime | None = None
    others: int = 0  # more crashes or errors in the log than the one shown
    label: str = "App crash"


@dataclass(frozen=True)
class _Line:
    at: datetime | None
    tag: str
    text: str


_LOGCAT = re.compile(
    r"^(?P<md>\d\d-\d\d) (?P<hms>\d\d:\d\d:\d\d(?:\.\d+)?)\s+\d+\s+\d+\s+[VDIWEFA]\s+(?P<tag>[^:]*?)\s*: ?(?P<msg>.*)$"
)
_LOGCAT_BRIEF = re.compile(r"^[VDIWEFA]/(?P<tag>[^(:]+?)\s*\(\s*\d+\):\s?(?P<msg>.*)$")
_SYSLOG = re.compile(
    r"^(?P<mon>[A-Z][a-z]{2}) +(?P<day>\d{1,2}) (?P<hms>\d\d:\d\d:\d\d(?:\.\d+)?) \S+ "
    r"(?P<tag>[^\[\s:]+)(?:\[\d+\])?(?: <\w+>)?: (?P<msg>.*)$"
)
_ISO = re.compile(r"^\[?(?P<iso>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?)\]?\s*(?P<msg>.*)$")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f]")


def _iso(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _stamp(year: int, month: int, day: int, hms: str) -> datetime | None:
    try:
        return datetime.fromisoformat(f"{year:04d}-{month:02d}-{day:02d}T{hms}").replace(tzinfo=UTC)
    except ValueError:
        return None


def _from_json(raw: str) -> list[_Line] | None:
    try:
        entry = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(entry, dict):
        return None
    message = next((entry[k] for k in ("message", "msg", "text", "log") if isinstance(entry.get(k), str)), "")
    when = next((entry[k] for k in ("timestamp", "time", "ts", "date") if entry.get(k) is not None), None)
    at = _iso(when) if isinstance(when, str) else None
    if isinstance(when, int | float) and not isinstance(when, bool):
        at = datetime.fromtimestamp(when / 1000 if when > 1e11 else when, UTC)
    tag = str(entry.get("tag") or entry.get("level") or entry.get("type") or "")
    stack = entry.get("stack") or entry.get("stackTrace") or ""
    lines = [_Line(at, tag, part) for part in str(message).splitlines() or [""]]
    lines += [_Line(at, tag, part) for part in str(stack).splitlines() if part.strip() not in message]
    return lines


def read_lines(text: str, year: int) -> list[_Line]:
    """The log as lines of time, tag (logcat tag, syslog process, console level) and message."""
    out: list[_Line] = []
    for line in text.splitlines():
        raw = _ANSI.sub("", line)
        if raw.startswith("{") and (entries := _from_json(raw)) is not None:
            out += entries
        elif m := _LOGCAT.match(raw):
            month, day = (int(x) for x in m["md"].split("-"))
            out.append(_Line(_stamp(year, month, day, m["hms"]), m["tag"].strip(), m["msg"]))
        elif m := _LOGCAT_BRIEF.match(raw):
            out.append(_Line(out[-1].at if out else None, m["tag"].strip(), m["msg"]))
        elif m := _SYSLOG.match(raw):
            out.append(_Line(_stamp(year, _MONTHS[m["mon"]], int(m["day"]), m["hms"]), m["tag"], m["msg"]))
        elif m := _ISO.match(raw):
            level = re.match(r"\[?(\w+)\]?\s+", m["msg"])
            out.append(_Line(_iso(m["iso"]), level.group(1).lower() if level else "", m["msg"]))
        else:  # a continuation (stack frames, crash report lines): the time of the line before
            out.append(_Line(out[-1].at if out else None, "", raw))
    return out


def _short(line: str) -> str:
    flat = "  " * line.startswith((" ", "\t")) + " ".join(line.split())
    return flat if len(flat) <= MAX_LINE else flat[: MAX_LINE - 1] + "…"


# -- Android -------------------------------------------------------------------------------


def _android_blocks(lines: list[_Line]) -> Iterable[tuple[datetime | None, list[str]]]:
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.tag == "AndroidRuntime" and line.text.startswith("FATAL EXCEPTION"):
            block = [line.text]
            i += 1
            while i < len(lines) and lines[i].tag in ("AndroidRuntime", "") and "FATAL EXCEPTION" not in lines[i].text:
                block.append(lines[i].text)
                i += 1
            yield line.at, block
        else:
            i += 1


def _android(block: list[str], package: str | None) -> tuple[str | None, tuple[str, ...]]:
    """The block's process and its few lines: exception, causes, and the app's first frames."""
    process = next((m[1] for t in block if (m := re.match(r"\s*Process: ([^,\s]+)", t))), None)
    own = _own_prefixes(package)
    out = [f"{block[0].strip()}" + (f" ({process})" if process else "")]
    frames: list[str] = []
    for text in block[1:]:
        stripped = text.strip()
        if stripped.startswith("Process:") or not stripped:
            continue
        if stripped.startswith("at "):
            if len(frames) < MAX_FRAMES and (not own or stripped[3:].startswith(own)):
                frames.append(f"  {stripped}")
            continue
        if stripped.startswith("..."):
            continue
        out += frames
        frames = []
        if len(out) < 8:
            out.append(stripped)
    out += frames
    return process, tuple(_short(t) for t in out[:10])


def _own_prefixes(package: str | None) -> tuple[str, ...]:
    if not package:
        return ()
    parts = package.split(".")
    prefixes = {package + "."}
    if len(parts) >= 3:
        prefixes.add(".".join(parts[:2]) + ".")
    return tuple(sorted(prefixes))


def android_crashes(lines: list[_Line], package: str | None) -> list[Crash]:
    crashes = []
    for at, block in _android_blocks(lines):
        process, shown = _android(block, package)
        if package and process and process.split(":")[0] != package:
            continue  # another app's crash (Play services, a launcher) is not this app's
        crashes.append(Crash(shown, at))
    return crashes


# -- iOS -----------------------------------------------------------------------------------

_FRAME = re.compile(r"^\s*(?P<n>\d+)\s+(?P<image>\S+)\s+0x[0-9a-fA-F]+\s+(?P<symbol>.+)$")


def _ios_frames(lines: list[_Line], start: int, app: str | None) -> list[str]:
    frames = []
    for line in lines[start : start + 120]:
        m = _FRAME.match(line.text)
        if not m:
            continue
        if app and m["image"].lower() == app.lower():
            frames.append(_short(f"  {m['n']} {m['image']} {m['symbol']}"))
        if len(frames) >= MAX_FRAMES:
            break
    return frames


def ios_crashes(lines: list[_Line], bundle_id: str | None) -> list[Crash]:
    crashes = []
    report_app = None
    for i, line in enumerate(lines):
        text = line.text.strip()
        if m := re.match(r"Process:\s+(\S+)", text):
            report_app = m[1]
        if "Terminating app due to uncaught exception" in text:
            shown = text[text.index("Terminating") :]
            crashes.append(Crash((_short(shown), *_ios_frames(lines, i + 1, line.tag or report_app)), line.at))
        elif text.startswith("Exception Type:"):
            near = [lines[j].text.strip() for j in range(i, min(i + 12, len(lines)))]
            reason = [t for t in near if t.startswith(("Exception Reason:", "Termination Reason:", "Exception Codes:"))]
            summary = (_short(text), *(_short(t) for t in reason[:2]), *_ios_frames(lines, i + 1, report_app))
            crashes.append(Crash(summary, line.at))
    return crashes


# -- web ----------------------------------------------------------------------------------

_URL = re.compile(r"(?:https?|wss?|file|chrome-extension)://[^/\s)]*(?P<path>/[^\s?#):]*)?(?:[?#][^\s):]*)?")


def _paths_only(text: str) -> str:
    """Frames and messages name the app's script URLs: keep the path, drop host and query."""
    return _URL.sub(lambda m: m["path"] or "/", text)


def web_errors(lines: list[_Line]) -> list[Crash]:
    found: list[tuple[int, Crash]] = []
    for i, line in enumerate(lines):
        text = line.text.strip()
        uncaught = re.search(r"Uncaught|Unhandled(?: Promise)? [Rr]ejection|unhandledrejection", text)
        error = line.tag.lower() in ("error", "severe", "pageerror") or "[error]" in text.lower()[:20]
        if not (uncaught or error) or text.startswith("at "):
            continue
        message = re.sub(r"^\[?(?:error|severe|pageerror)\]?\s*:?\s*", "", text, flags=re.IGNORECASE)
        frames: list[str] = []
        for follow in lines[i + 1 : i + 40]:
            if not follow.text.strip().startswith("at "):
                break
            if len(frames) < MAX_FRAMES and "node_modules" not in follow.text and "vendor" not in follow.text:
                frames.append(_short("  " + _paths_only(follow.text.strip())))
        # An uncaught exception says more than a console error (often just a failed request).
        label = "Uncaught error" if uncaught else "Console error"
        found.append((0 if uncaught else 1, Crash((_short(_paths_only(message)), *frames), line.at, label=label)))
    return [crash for _, crash in sorted(found, key=lambda pair: pair[0])] if found else []


# -- choosing -------------------------------------------------------------------------------


def _nearest(crashes: list[Crash], step_at: datetime | None) -> Crash | None:
    if not crashes:
        return None
    timed = [c for c in crashes if c.at is not None]
    if step_at is None or not timed:
        chosen = crashes[-1]
    else:
        chosen = min(timed, key=lambda c: abs((c.at - step_at).total_seconds()) if c.at else 0.0)
    return replace(chosen, others=len(crashes) - 1)


_MARKERS = {
    "android": (re.compile(r"FATAL EXCEPTION"), 0, 80),
    "ios": (re.compile(r"Terminating app due to uncaught exception|Exception Type:"), 15, 120),
    "web": (re.compile(r"(?i)uncaught|unhandled|error|severe"), 0, 40),
}
MAX_WINDOWS = 64


def _line_start(text: str, pos: int, lines_back: int) -> int:
    pos = text.rfind("\n", 0, pos) + 1
    for _ in range(lines_back):
        if pos == 0:
            break
        pos = text.rfind("\n", 0, pos - 1) + 1
    return pos


def _line_end(text: str, pos: int, lines_on: int) -> int:
    for _ in range(lines_on + 1):
        found = text.find("\n", pos)
        if found < 0:
            return len(text)
        pos = found + 1
    return pos


def relevant(text: str, kind: str) -> str:
    """Only the lines around the crash markers of ``kind``: a 4 MiB log is searched at C speed and
    only its few interesting windows are parsed line by line."""
    pattern, before, after = _MARKERS[kind]
    spans: list[list[int]] = []
    for m in pattern.finditer(text):
        if spans and m.start() < spans[-1][1]:
            continue
        start, end = _line_start(text, m.start(), before), _line_end(text, m.start(), after)
        if spans and start <= spans[-1][1]:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    return "".join(text[a:b] if text[a:b].endswith("\n") else text[a:b] + "\n" for a, b in spans[-MAX_WINDOWS:])


def find_crash(text: str, platform: str | None, app: str | None, step_at: datetime | None) -> Crash | None:
    """The crash nearest the failing step's time (else the last one), for the run's platform."""
    year = (step_at or datetime.now(UTC)).year
    kind = (platform or "").lower()
    if kind == "web":
        web = web_errors(read_lines(relevant(text, "web"), year))
        uncaught = [c for c in web if re.search(r"Uncaught|Unhandled|rejection", c.lines[0])]
        chosen = _nearest(uncaught or web, step_at)
        return replace(chosen, others=len(web) - 1) if chosen else None
    finders: list[Callable[[], list[Crash]]] = [
        lambda: android_crashes(read_lines(relevant(text, "android"), year), app),
        lambda: ios_crashes(read_lines(relevant(text, "ios"), year), app),
    ]
    if kind.startswith("ios"):
        finders = finders[1:]
    elif kind.startswith("android"):
        finders = finders[:1]
    for finder in finders:
        crash = _nearest(finder(), step_at)
        if crash is not None:
            return crash
    return None
