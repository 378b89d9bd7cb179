"""Autosana Runs API shapes. Lenient where the API may grow (unknown fields are ignored,
unknown statuses are kept as text), strict where a wrong answer must not pass for a right one."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

PASSED = "passed"
SKIPPED = "skipped"
FAILED = "failed"
ERROR = "error"
TERMINATED = "terminated"
FINAL_STATUSES = frozenset({PASSED, SKIPPED, FAILED, ERROR, TERMINATED})
# Statuses the API uses while a run has not ended; anything else is reported as it is.
PENDING_STATUSES = frozenset({"queued", "pending", "running", "in_progress", "started", "waiting", "scheduled"})


class _ApiModel(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class TriggerResponse(_ApiModel):
    batch_id: str = Field(min_length=1)
    status: str | None = None
    flow_group_run_ids: list[str] = Field(default_factory=list)
    flow_run_count: int | None = None


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
