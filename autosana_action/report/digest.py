"""The compact record of a finished run's per-flow outcomes that our check run carries, so a later
pull request can compare itself with the base branch without any storage of our own.

It is the whole ``text`` of the check run's output, a hidden HTML comment (the summary keeps its
full size for the report). Nothing taken from an API answer can forge it: every untrusted text we
render is escaped (``<`` becomes ``&lt;``), so ``<!--`` only ever appears where we write it, and
the reader only believes a marker at the start of a completed check run our own app created."""

from __future__ import annotations

import base64
import json
import re
import zlib
from dataclasses import dataclass, field
from enum import StrEnum

from ..autosana.models import ERROR, FAILED, PASSED, SKIPPED, TERMINATED, BatchStatus, Run
from .history import run_key

VERSION = 1
# What the marker may cost of the check run's 65535 characters, and the inflated size we accept
# from a marker someone else may have shaped (a zlib bomb costs nothing more than this).
MAX_MARKER_CHARS = 12_000
MAX_INFLATED_BYTES = 256 * 1024
MAX_FLOWS = 1500
_MARKER = re.compile(r"\A\s*<!-- autosana-digest v(\d{1,6}) ([A-Za-z0-9_=-]{0,20000}) -->")


class Outcome(StrEnum):
    """One flow's outcome in one run, as one letter."""

    PASSED = "p"
    RETRIED = "r"  # passed only after a retry
    FAILED = "f"
    ERROR = "e"
    TERMINATED = "x"
    SKIPPED = "s"
    OTHER = "u"

    @property
    def passed(self) -> bool:
        return self in (Outcome.PASSED, Outcome.RETRIED)

    @property
    def failed(self) -> bool:
        return self in (Outcome.FAILED, Outcome.ERROR, Outcome.TERMINATED, Outcome.OTHER)


_BY_STATUS = {
    PASSED: Outcome.PASSED,
    FAILED: Outcome.FAILED,
    ERROR: Outcome.ERROR,
    TERMINATED: Outcome.TERMINATED,
    SKIPPED: Outcome.SKIPPED,
}
# The order flows are kept in when a digest must be cut: what did not pass first.
_KEEP_ORDER = "fexuspr"


def flow_outcomes(status: BatchStatus) -> dict[str, Outcome]:
    """Each flow (run group + flow name) once: a pass wins over the attempts it retried."""
    attempts: dict[str, list[Run]] = {}
    for group, run in status.runs():
        attempts.setdefault(run_key(group.name, run.name), []).append(run)
    return {key: _outcome(runs) for key, runs in attempts.items()}


def _outcome(runs: list[Run]) -> Outcome:
    statuses = [r.status for r in runs]
    if PASSED in statuses:
        return Outcome.RETRIED if len(statuses) > 1 and SKIPPED in statuses else Outcome.PASSED
    outcomes = [_BY_STATUS.get(s, Outcome.OTHER) for s in statuses]
    return min(outcomes, key=_KEEP_ORDER.index)


@dataclass(frozen=True)
class Digest:
    """Per target ("" for a single job, the target's name in a merged report): flow key → outcome;
    and the branch the run reported for, so a pull request's run (whose commits may later sit in
    the base branch's history) never passes for a run of the base branch."""

    targets: dict[str, dict[str, Outcome]] = field(default_factory=dict)
    branch: str | None = None

    @classmethod
    def of(cls, status: BatchStatus, target: str = "", branch: str | None = None) -> Digest:
        return cls({target: flow_outcomes(status)}, branch)

    def encode(self) -> str:
        """The hidden marker, at most MAX_MARKER_CHARS: when too many flows, the passing ones go first."""
        flows = [(t, k, o) for t, outcomes in self.targets.items() for k, o in outcomes.items()]
        flows.sort(key=lambda f: _KEEP_ORDER.index(f[2]))
        flows = flows[:MAX_FLOWS]
        while True:
            marker = _marker(flows, self.branch)
            if len(marker) <= MAX_MARKER_CHARS or not flows:
                return marker
            flows = flows[: len(flows) * 3 // 4]


def _marker(flows: list[tuple[str, str, Outcome]], branch: str | None) -> str:
    targets: dict[str, dict[str, str]] = {}
    for target, key, outcome in flows:
        by_outcome = targets.setdefault(target[:100], {})
        by_outcome[outcome.value] = by_outcome.get(outcome.value, "") + key
    data: dict[str, object] = {"v": VERSION, "t": targets}
    if branch:
        data["b"] = branch[:255]
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    payload = base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode()
    return f"<!-- autosana-digest v{VERSION} {payload} -->\n"


class Unreadable(Exception):
    """A marker that is there but cannot be used: another version, or damaged."""


def decode(text: str | None) -> Digest | None:
    """The digest at the start of ``text``; None when there is none. Raises Unreadable for a marker
    of another version or one that does not decode; never anything else."""
    match = _MARKER.match(text or "")
    if match is None:
        return None
    version = int(match.group(1))
    if version != VERSION:
        raise Unreadable(f"a digest of version {version} (this action reads version {VERSION})")
    try:
        inflater = zlib.decompressobj()
        raw = inflater.decompress(base64.urlsafe_b64decode(match.group(2)), MAX_INFLATED_BYTES)
        if inflater.unconsumed_tail:
            raise Unreadable("a digest larger than this action accepts")
        return _parse(json.loads(raw))
    except (ValueError, zlib.error) as exc:
        raise Unreadable(f"a damaged digest ({type(exc).__name__})") from None


_KEY = re.compile(r"[0-9a-f]{10}")


def _parse(data: object) -> Digest:
    if not isinstance(data, dict) or data.get("v") != VERSION or not isinstance(data.get("t"), dict):
        raise Unreadable("a digest of an unexpected shape")
    known = {o.value: o for o in Outcome}
    targets: dict[str, dict[str, Outcome]] = {}
    for target, by_outcome in data["t"].items():
        if not isinstance(by_outcome, dict):
            raise Unreadable("a digest of an unexpected shape")
        flows = targets.setdefault(str(target), {})
        for letter, keys in by_outcome.items():
            if letter not in known or not isinstance(keys, str):
                continue  # an outcome a newer version added: that flow is unknown here
            for i in range(0, len(keys) - 9, 10):
                if _KEY.fullmatch(keys[i : i + 10]):
                    flows[keys[i : i + 10]] = known[letter]
    branch = data.get("b")
    return Digest(targets, branch if isinstance(branch, str) else None)
