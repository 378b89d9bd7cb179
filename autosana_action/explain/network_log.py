"""The failed requests in a web run's network log (JSONL: method, url, status, resource_type,
duration_ms, ...), around the failing step's time: requests that never got an answer (status 0
with an ``error``: DNS, abort, CORS), server errors (5xx), and 4xx answers to the app's API calls
(fetch/XHR; a missing favicon is not why a flow failed). Query strings are dropped; the host is
kept only when the caller may show it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

MAX_SHOWN = 5
WINDOW_BEFORE = 60.0  # seconds before the failing step that still count as "around" it
WINDOW_AFTER = 15.0
API_TYPES = frozenset({"fetch", "xhr", "xmlhttprequest", "websocket", "eventsource"})


@dataclass(frozen=True)
class FailedRequest:
    method: str
    where: str  # path (host and path where allowed), never the query
    status: int
    error: str | None
    duration_ms: float | None
    at: datetime | None = None


@dataclass(frozen=True)
class NetworkFailures:
    shown: tuple[FailedRequest, ...]
    rest: int  # other failed requests in the log, not shown
    total: int  # requests in what was read


def _when(entry: dict[str, Any]) -> datetime | None:
    for key in ("timestamp", "started_at", "start_time", "time", "startedDateTime", "ts"):
        value = entry.get(key)
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                continue
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    return None


def _failed(entry: dict[str, Any], show_hosts: bool) -> FailedRequest | None:
    status = entry.get("status")
    status = status if isinstance(status, int) and not isinstance(status, bool) else 0
    kind = str(entry.get("resource_type") or entry.get("type") or "").lower()
    error = entry.get("error") or entry.get("failure") or entry.get("errorText")
    if not (status == 0 or status >= 500 or (400 <= status < 500 and kind in API_TYPES)):
        return None
    parts = urlsplit(str(entry.get("url") or ""))
    where = parts.path or "/"
    if show_hosts and parts.hostname:
        where = f"{parts.hostname}{f':{parts.port}' if parts.port else ''}{where}"
    method = str(entry.get("method") or "GET").upper()[:10]
    return FailedRequest(
        method,
        where,
        status,
        str(error)[:200] if error and status == 0 else None,
        _number(entry.get("duration_ms")),
        _when(entry),
    )


def find_failures(text: str, step_at: datetime | None, *, show_hosts: bool) -> NetworkFailures | None:
    """The failed requests nearest the failing step (the last ones when times are unknown)."""
    failed: list[FailedRequest] = []
    total = 0
    for line in text.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if not isinstance(entry, dict):
            continue
        total += 1
        request = _failed(entry, show_hosts)
        if request is not None:
            failed.append(request)
    if not failed:
        return None
    shown = _around(failed, step_at)
    return NetworkFailures(tuple(shown), len(failed) - len(shown), total)


def _around(failed: list[FailedRequest], step_at: datetime | None) -> list[FailedRequest]:
    if step_at is not None and any(r.at is not None for r in failed):

        def offset(request: FailedRequest) -> float:
            return (request.at - step_at).total_seconds() if request.at else float("inf")

        near = [r for r in failed if -WINDOW_BEFORE <= offset(r) <= WINDOW_AFTER]
        near.sort(key=lambda r: abs(offset(r)))
        return sorted(near[:MAX_SHOWN], key=offset)
    return failed[-MAX_SHOWN:]
