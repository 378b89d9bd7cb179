"""What the simulator runs: planned flows and groups, injected faults, and the batches and
requests it records."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

FINAL = ("passed", "failed", "error", "terminated", "skipped")

FaultKind = Literal["status", "reset", "slow", "malformed", "html", "wrong_shape"]


@dataclass
class FlowPlan:
    name: str
    status: str = "passed"
    duration: float = 1.0  # seconds of simulated time from the trigger to the run's end
    summary: str | None = None
    issues: list[dict[str, Any]] | None = None  # None: made up from the outcome
    # A send_keys step types this (the failing step of a failed run). Here, in the summary and in issues,
    # ${env:NAME} becomes the batch's variable NAME and ${url:NAME} its URL-encoded form, the way
    # a real flow echoes what it typed.
    typed: str | None = None
    # The run's device log in the simulator's storage: text or a generated blob (a huge log); None:
    # made up from the outcome and platform (a crash where the run failed); run_artifacts.MISSING_LOG:
    # linked but absent (404).
    device_log: Any = None


@dataclass
class GroupPlan:
    name: str
    flows: list[FlowPlan]
    status: str | None = None  # the group's own final status; None: derived from its runs


@dataclass
class Fault:
    """One injected failure, used up by the first request whose path starts with ``path``."""

    kind: FaultKind
    path: str = "/api/v1/"
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0


@dataclass
class SimRun:
    """One planned run inside a batch."""

    id: str
    plan: FlowPlan


@dataclass
class SimGroup:
    """One run group inside a batch."""

    id: str
    name: str
    runs: list[SimRun]
    status: str | None = None


@dataclass
class Batch:
    id: str
    created: float
    request: dict[str, Any]
    groups: list[SimGroup]
    summary_override: dict[str, int] = field(default_factory=dict)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float = field(default_factory=time.time)
