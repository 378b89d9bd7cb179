"""Why a run failed, from the device itself: the failing step's screenshot, the crash in its device
log and the failed requests in its network log, for the first few runs that did not pass.

Logs are read concurrently and bounded (see artifacts.py); a log that cannot be read costs only
its own hint. What is kept is untrusted text: it is redacted here (the run's secrets, and
credentials the log itself printed), and escaped by the renderer."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from ..autosana.models import RunDetail
from ..redaction import MASK, Redactor
from .artifacts import ArtifactReader, ArtifactUnreadable, run_all
from .device_log import Crash, find_crash
from .inputs import MAX_RUNS
from .network_log import NetworkFailures, find_failures

WORKERS = 6
TIME_BUDGET = 20.0

# Credentials a log prints by itself (headers, query values, JSON fields), which no redact list names.
_LABELLED = re.compile(
    r"(?i)\b((?:authorization|proxy-authorization|x-api-key|api[_-]?key|access[_-]?token|refresh[_-]?token|"
    r"id[_-]?token|auth[_-]?token|token|password|passwd|secret|client[_-]?secret|session[_-]?id|cookie|set-cookie)"
    r"[\"']?\s*[:=]\s*[\"']?)(?:(?:bearer|basic|token)\s+)?([^\s\"',;&)]+)"
)
_SCHEMED = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+")


def scrub(text: str, redactor: Redactor) -> str:
    """The run's secrets, then any labelled credential, replaced with ***."""
    text = redactor.text(text)
    text = _LABELLED.sub(lambda m: m.group(1) + MASK, text)
    text = _SCHEMED.sub(lambda m: f"{m.group(1)} {MASK}", text)
    return _JWT.sub(MASK, text)


@dataclass(frozen=True)
class RunHints:
    screenshot: str | None = None  # the failing step's annotated screenshot, else its plain one
    step: int | None = None
    crash: Crash | None = None
    network: NetworkFailures | None = None
    unread: tuple[str, ...] = ()  # "device log: the storage answered 404"


@dataclass
class Hints:
    runs: dict[str, RunHints] = field(default_factory=dict)
    left_out: int = 0  # failing runs past the limit, whose logs were not read


def _screenshot(detail: RunDetail) -> tuple[str | None, int | None]:
    step = detail.failing_action()
    if step is None:
        return None, None
    return step.annotated_screenshot_url or step.screenshot_url, step.position


def read_hints(
    details: Iterable[RunDetail],
    *,
    app: str | None,
    redactor: Redactor,
    show_hosts: bool,
    deadline: float,
    max_runs: int = MAX_RUNS,
    reader: ArtifactReader | None = None,
) -> Hints:
    """Hints for the first ``max_runs`` of ``details`` (runs that did not pass, in report order),
    every log read by ``deadline`` (time.monotonic()) or left out."""
    reader = reader or ArtifactReader()
    chosen = list(details)
    hints = Hints(left_out=max(len(chosen) - max_runs, 0))
    chosen = chosen[:max_runs]
    jobs: dict[tuple[str, str], Callable[[], Crash | NetworkFailures | None]] = {}
    for detail in chosen:
        step = detail.failing_action()
        step_at = step.executed_at if step is not None else detail.completed_at
        if detail.device_log_url:
            jobs[(detail.run_id, "device log")] = _crash_job(reader, detail, app, step_at, deadline)
        if detail.network_log_url:
            jobs[(detail.run_id, "network log")] = _network_job(reader, detail, step_at, show_hosts, deadline)
    # Each worker reads and parses its log, so only the few lines kept outlive it.
    found = run_all(jobs, deadline=deadline, workers=WORKERS) if jobs else {}
    for detail in chosen:
        shot, position = _screenshot(detail)
        crash = found.get((detail.run_id, "device log"))
        network = found.get((detail.run_id, "network log"))
        logs = (("device log", crash), ("network log", network))
        hints.runs[detail.run_id] = RunHints(
            shot,
            position,
            replace(crash, lines=tuple(scrub(line, redactor) for line in crash.lines))
            if isinstance(crash, Crash)
            else None,
            _scrubbed(network, redactor) if isinstance(network, NetworkFailures) else None,
            tuple(f"{kind}: {_why(value)}" for kind, value in logs if isinstance(value, Exception)),
        )
    return hints


def _crash_job(
    reader: ArtifactReader, detail: RunDetail, app: str | None, step_at: datetime | None, deadline: float
) -> Callable[[], Crash | None]:
    url = detail.device_log_url or ""
    return lambda: find_crash(reader.tail(url, deadline).text, detail.platform, app, step_at)


def _network_job(
    reader: ArtifactReader, detail: RunDetail, step_at: datetime | None, show_hosts: bool, deadline: float
) -> Callable[[], NetworkFailures | None]:
    url = detail.network_log_url or ""
    return lambda: find_failures(reader.tail(url, deadline).text, step_at, show_hosts=show_hosts)


def _why(value: object) -> str:
    if isinstance(value, ArtifactUnreadable | TimeoutError):
        return str(value)
    return f"it could not be read ({type(value).__name__})"


def _scrubbed(found: NetworkFailures, redactor: Redactor) -> NetworkFailures:
    shown = tuple(
        replace(r, where=scrub(r.where, redactor), error=scrub(r.error, redactor) if r.error else None)
        for r in found.shown
    )
    return replace(found, shown=shown)


def problem_details(details: Mapping[str, RunDetail], run_ids: Iterable[str]) -> list[RunDetail]:
    """The details of these runs, in this order, where they were read."""
    return [details[run_id] for run_id in run_ids if run_id in details]
