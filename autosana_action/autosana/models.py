"""Autosana Runs API shapes. Lenient where the API may grow (unknown fields are ignored,
unknown statuses are kept as text), strict where a wrong answer must not pass for a right one."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

PASSED = "passed"
SKIPPED = "skipped"
FAILED = "failed"
ERROR = "error"
TERMINATED = "terminated"
FINAL_STATUSES = frozenset({PASSED, SKIPPED, FAILED, ERROR, TERMINATED})
# Statuses the API uses while a run has not ended; anything else is reported as it is.
PENDING_STATUSES = frozenset({"queued", "pending", "running", "in_progress", "started", "waiting", "scheduled"})


def is_problem(run: Run) -> bool:
    """A run that needs a look: anything but passed or skipped, unknown statuses included."""
    return run.status not in (PASSED, SKIPPED)


def superseded_attempts(runs: Sequence[Run]) -> set[str]:
    """IDs of skipped runs that a passing run of the same flow (in the same group's ``runs``)
    replaced: the API retries a flow whose first attempt was skipped and counts only the pass."""
    passed = {run.name for run in runs if run.status == PASSED and run.name}
    return {run.id for run in runs if run.status == SKIPPED and run.name in passed}


class _ApiModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class DispatchError(_ApiModel):
    """One requested test that could not be submitted. The API sends a string or an object
    such as ``{"flow_id": ..., "error": ...}``; both are kept readable."""

    flow_id: str | None = None
    error: str | None = None
    text: str = ""

    @model_validator(mode="before")
    @classmethod
    def _from_any(cls, value: Any) -> Any:
        if isinstance(value, dict):
            flow = value.get("flow_id") or value.get("flow_key") or value.get("suite_id") or value.get("id")
            error = value.get("error") or value.get("detail") or value.get("message")
            return {
                "flow_id": str(flow) if flow is not None else None,
                "error": str(error) if error is not None else None,
                "text": json.dumps(value, sort_keys=True)[:500],
            }
        return {"text": str(value)[:500]}

    def __str__(self) -> str:
        if self.error:
            return f"{self.flow_id}: {self.error}" if self.flow_id else self.error
        return self.text


class TriggerResponse(_ApiModel):
    """What flows/run answers. Read tolerantly: the API has added fields over time (batch_url,
    errors, the skipped no-op), and older servers send none of them."""

    batch_id: str | None = None
    status: str | None = None
    flow_group_run_ids: list[str] = Field(default_factory=list)
    flow_run_count: int | None = None
    batch_url: str | None = None
    errors: list[DispatchError] = Field(default_factory=list)
    skipped: bool = False
    reason: str | None = None

    @field_validator("errors", mode="before")
    @classmethod
    def _errors_list(cls, value: Any) -> Any:
        if value is None:
            return []
        return value if isinstance(value, list) else [value]

    @field_validator("flow_group_run_ids", mode="before")
    @classmethod
    def _null_is_empty(cls, value: Any) -> Any:
        return [] if value is None else value

    @field_validator("skipped", mode="before")
    @classmethod
    def _null_is_false(cls, value: Any) -> Any:
        return False if value is None else value

    @field_validator("reason", "status", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        return None if value is None else str(value)[:500]

    @field_validator("batch_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value in ("", "null") else value

    @field_validator("batch_url", mode="before")
    @classmethod
    def _web_link_only(cls, value: Any) -> Any:
        """A link we pass on as an output and a Markdown link: http(s) on one line, or nothing."""
        if not isinstance(value, str) or not re.fullmatch(r"https?://[^\s<>\"'`]+", value.strip()):
            return None
        return value.strip()

    @property
    def is_noop(self) -> bool:
        """Autosana's answer when there is nothing to run (no changed flows, no PR): no batch."""
        return self.skipped and not self.batch_id and not self.flow_run_count and not self.errors


class Actor(_ApiModel):
    id: str | None = None
    name: str | None = None
    type: str | None = None


class Run(_ApiModel):
    id: str
    name: str = ""
    status: str = "unknown"
    url: str | None = None
    summary: str | None = None

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class RunGroup(_ApiModel):
    name: str = ""
    status: str = "unknown"
    url: str | None = None
    source: str | None = None
    actor: Actor | None = None
    runs: list[Run] = Field(default_factory=list)


class BatchCounts(_ApiModel):
    total_groups: int | None = None
    passed_groups: int | None = None
    failed_groups: int | None = None
    total_flows: int | None = None
    passed_flows: int | None = None
    failed_flows: int | None = None
    error_flows: int | None = None
    terminated_flows: int | None = None
    skipped_flows: int | None = None


class AppInfo(_ApiModel):
    id: str | None = None
    name: str | None = None
    platform: str | None = None
    url: str | None = None


class GitInfo(_ApiModel):
    commit_sha: str | None = None
    branch: str | None = None


class BatchStatus(_ApiModel):
    batch_id: str | None = None
    is_complete: bool
    timestamp: str | None = None
    app: AppInfo | None = None
    git: GitInfo | None = None
    summary: BatchCounts | None = None
    run_groups: list[RunGroup] = Field(default_factory=list)

    def runs(self) -> list[tuple[RunGroup, Run]]:
        return [(group, run) for group in self.run_groups for run in group.runs]


class RunIssue(_ApiModel):
    type: str | None = None
    severity: str | None = None
    title: str | None = None
    description: str | None = None
    actions: list[int] = Field(default_factory=list)


class RunAction(_ApiModel):
    id: str | None = None
    position: int | None = None
    type: str | None = None
    status: str | None = None
    description: str | None = None
    value: str | None = None
    screenshot_url: str | None = None
    annotated_screenshot_url: str | None = None
    executed_at: datetime | None = None


class RunDetail(_ApiModel):
    run_id: str
    flow_name: str | None = None
    platform: str | None = None
    status: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    summary: str | None = None
    issues: list[RunIssue] = Field(default_factory=list)
    url: str | None = None
    performance_data_url: str | None = None
    device_log_url: str | None = None
    network_log_url: str | None = None
    actions: list[RunAction] = Field(default_factory=list)

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at is None or self.completed_at is None:
            return None
        seconds = (self.completed_at - self.started_at).total_seconds()
        return seconds if seconds >= 0 else None

    def failing_action(self) -> RunAction | None:
        """The step the run failed at: the last failed one, else the last one it reached."""
        failed = [a for a in self.actions if a.status not in (None, "passed", "skipped", "pass")]
        if failed:
            return failed[-1]
        return self.actions[-1] if self.actions and self.status not in ("passed", "skipped") else None
