"""What changed since the last merged report: like history.py, but the hidden record keeps the
failing runs of each target apart, so "Login Suite" on Android and on iOS are never confused."""

from __future__ import annotations

import base64
import json
import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

from .history import MAX_KEYS, State

_STATE = re.compile(r"<!-- autosana-merged-state v1 ([A-Za-z0-9_=-]+) -->")


@dataclass(frozen=True)
class MergedState:
    commit: str | None
    failing: Mapping[str, frozenset[str]]

    def for_target(self, name: str) -> State | None:
        """What the last report recorded for this target; None if it had no section then."""
        keys = self.failing.get(name)
        return None if keys is None else State(self.commit, keys)

    def encode(self) -> str:
        kept: dict[str, list[str]] = {}
        room = MAX_KEYS
        for name in sorted(self.failing):
            keys = sorted(self.failing[name])[:room]
            kept[name] = keys
            room -= len(keys)
        raw = json.dumps({"c": self.commit, "t": kept}, separators=(",", ":")).encode()
        return f"<!-- autosana-merged-state v1 {base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode()} -->\n"

    @classmethod
    def decode(cls, body: str) -> MergedState | None:
        match = _STATE.search(body)
        if not match:
            return None
        try:
            data = json.loads(zlib.decompress(base64.urlsafe_b64decode(match.group(1))))
            targets = data.get("t", {})
            return cls(data.get("c"), {str(name): frozenset(str(k) for k in keys) for name, keys in targets.items()})
        except (ValueError, zlib.error, TypeError, AttributeError):
            return None
