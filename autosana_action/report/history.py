"""What changed since the last report on this PR: the previous sticky comment carries a compact,
hidden record of which runs failed, matched to this batch by run group and flow name."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import zlib
from dataclasses import dataclass, field

from ..autosana.models import BatchStatus, is_problem

_STATE = re.compile(r"<!-- autosana-state v1 ([A-Za-z0-9_=-]+) -->")
MAX_KEYS = 2000


def run_key(group_name: str, run_name: str) -> str:
    return hashlib.sha1(f"{group_name}\x1f{run_name}".encode(), usedforsecurity=False).hexdigest()[:10]


@dataclass(frozen=True)
class State:
    commit: str | None
    failing: frozenset[str]

    @classmethod
    def of(cls, status: BatchStatus, commit: str | None) -> State:
        keys = [run_key(g.name, r.name) for g, r in status.runs() if is_problem(r)]
        return cls(commit, frozenset(keys[:MAX_KEYS]))

    def encode(self) -> str:
        raw = json.dumps({"c": self.commit, "f": sorted(self.failing)}, separators=(",", ":")).encode()
        return f"<!-- autosana-state v1 {base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode()} -->\n"

    @classmethod
    def decode(cls, body: str) -> State | None:
        match = _STATE.search(body)
        if not match:
            return None
        try:
            data = json.loads(zlib.decompress(base64.urlsafe_b64decode(match.group(1))))
            return cls(data.get("c"), frozenset(str(k) for k in data.get("f", [])))
        except (ValueError, zlib.error, TypeError, AttributeError):
            return None


@dataclass(frozen=True)
class Comparison:
    since: str | None
    new_failures: frozenset[str]
    still_failing: frozenset[str]
    fixed: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def between(cls, previous: State, status: BatchStatus) -> Comparison:
        new: set[str] = set()
        still: set[str] = set()
        fixed: list[tuple[str, str]] = []
        for group, run in status.runs():
            key = run_key(group.name, run.name)
            if is_problem(run):
                (still if key in previous.failing else new).add(key)
            elif key in previous.failing:
                fixed.append((group.name, run.name))
        return cls(previous.commit, frozenset(new), frozenset(still), fixed)

    def sentence(self) -> str:
        parts = []
        if self.new_failures:
            parts.append(f"{len(self.new_failures)} new failure{'s' * (len(self.new_failures) != 1)}")
        if self.fixed:
            parts.append(f"{len(self.fixed)} fixed")
        if self.still_failing:
            parts.append(f"{len(self.still_failing)} still failing")
        if not parts:
            return ""
        return ", ".join(parts) + (f" since {self.since[:7]}" if self.since else " since the last run")
