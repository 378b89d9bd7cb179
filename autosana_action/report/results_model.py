"""Reading an ``autosana-results.json`` back (written by results_file.py in a matrix job), for the
merge job. Tolerant of fields it does not know, since a newer writer may add some; strict on the
schema version, since a file this reader would misread must be refused, not half-understood."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..autosana.models import BatchStatus, RunDetail, RunGroup
from ..verdict import Counts, Result
from .history import Comparison, State
from .render import Report
from .results_file import SCHEMA_VERSION

# A results file of 100 targets' worth of runs with details is a few MB; anything far larger is
# not one, and must not cost the merge job its memory.
MAX_FILE_BYTES = 32 * 1024 * 1024
# The writer nests about eight levels deep; a file nested far deeper is not ours.
MAX_DEPTH = 64
SKIPPED_FORK = "skipped_fork"


class UnreadableResults(Exception):
    """A results file the merge cannot use; the message names the file and what to do."""


class ForkSkipped(Exception):
    """The file of a matrix job that skipped a fork's pull request (on-fork: skip)."""

    def __init__(self, target: str | None) -> None:
        super().__init__(target or "")
        self.target = target


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class TargetModel(_Model):
    name: str = Field(min_length=1)
    platform: str | None = None
    app: str | None = None
    environment: str | None = None
    browser: str | None = None
    build: str | None = None


class JobModel(_Model):
    name: str | None = None
    head_sha: str | None = None
    run_id: str | None = None
    run_attempt: str | None = None
    workflow_run_url: str | None = None
    comment_mode: str | None = None
    check_run: bool | None = None


class _RunDetailRef(_Model):
    id: str
    detail: RunDetail | None = None


class _GroupDetails(_Model):
    runs: list[_RunDetailRef] = Field(default_factory=list)


class ResultsFile(_Model):
    schema_version: Literal[1]
    result: Result
    headline: str
    check_name: str = "Autosana"
    target: TargetModel
    job: JobModel = JobModel()
    batch_id: str | None = None
    commit: str | None = None
    branch: str | None = None
    app: str | None = None
    build: str | None = None
    workflow_run_url: str | None = None
    is_complete: bool | None = None
    problems: list[str] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    state: list[str] | None = None
    batch_url: str | None = None
    run_groups: list[RunGroup] = Field(default_factory=list)
    details: dict[str, RunDetail] = Field(default_factory=dict)

    def status(self) -> BatchStatus | None:
        if self.is_complete is None and not self.run_groups:
            return None  # the job stopped before any status arrived
        return BatchStatus(batch_id=self.batch_id, is_complete=bool(self.is_complete), run_groups=self.run_groups)

    def report(self, previous: State | None = None, *, artifact_links: bool = False) -> Report:
        """The job's report as it rendered it, compared with ``previous`` when there is one.
        ``artifact_links``: whether the merged report may show the signed artifact URLs the file keeps."""
        status = self.status()
        return Report(
            result=self.result,
            headline=self.headline,
            check_name=self.check_name,
            batch_id=self.batch_id,
            batch_url=self.batch_url,
            status=status,
            counts=Counts.of(status) if status is not None else None,
            app=self.app,
            build=self.build,
            commit=self.commit,
            branch=self.branch,
            workflow_run_url=self.job.workflow_run_url or self.workflow_run_url,
            problems=list(self.problems),
            notes=list(self.notes),
            details=dict(self.details),
            comparison=Comparison.between(previous, status) if previous is not None and status else None,
            artifact_links=artifact_links,
        )


def _too_deep(data: Any) -> bool:
    """Nesting deeper than MAX_DEPTH, found without recursion."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)
    return False


def parse_results(data: Any, source: str) -> ResultsFile:
    if not isinstance(data, dict):
        raise UnreadableResults(f"{source} is not an autosana-action results file (not a JSON object).")
    if _too_deep(data):
        raise UnreadableResults(f"{source} is nested more than {MAX_DEPTH} levels deep; it is not a results file.")
    version = data.get("schema_version")
    if version != SCHEMA_VERSION:
        written = (
            "has no schema_version (an autosana-action from before merging existed wrote it)"
            if version is None
            else f"has schema version {version!r}"
        )
        raise UnreadableResults(
            f"{source} {written}, but this action reads version {SCHEMA_VERSION}. Use the same autosana-action "
            "version in the matrix jobs and in the merge job."
        )
    if data.get("result") == SKIPPED_FORK:
        target = data.get("target")
        name = target.get("name") if isinstance(target, dict) else None
        raise ForkSkipped(name if isinstance(name, str) else None)
    if not isinstance(data.get("target"), dict):
        raise UnreadableResults(f"{source} names no target; it was not written by the action's matrix step.")
    details = {
        ref.id: ref.detail
        for group in _details_of(data.get("run_groups"))
        for ref in group.runs
        if ref.detail is not None
    }
    try:
        return ResultsFile.model_validate({**data, "details": details})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise UnreadableResults(f"{source} is not a valid results file: {where}: {first['msg']}.") from None


def _details_of(raw: Any) -> list[_GroupDetails]:
    try:
        return [_GroupDetails.model_validate(group) for group in raw or []]
    except ValidationError:
        return []  # the full validation below says what is wrong


def read_results(path: Path, source: str) -> ResultsFile:
    """The file, or UnreadableResults naming it and why: whatever is in it (too large, too deep,
    not JSON, not ours) never raises anything else."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise UnreadableResults(
                f"{source} is {size / 1e6:.0f} MB, more than a results file can be ({MAX_FILE_BYTES / 1e6:.0f} MB)."
            )
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UnreadableResults(f"{source} could not be read: {exc}.") from None
    except json.JSONDecodeError as exc:
        raise UnreadableResults(f"{source} is not JSON ({exc.msg} at line {exc.lineno}).") from None
    except (RecursionError, MemoryError, ValueError) as exc:
        raise UnreadableResults(f"{source} could not be parsed ({type(exc).__name__}).") from None
    try:
        return parse_results(data, source)
    except (RecursionError, MemoryError) as exc:
        raise UnreadableResults(f"{source} could not be parsed ({type(exc).__name__}).") from None
