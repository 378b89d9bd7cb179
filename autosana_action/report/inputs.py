"""What the verdict fails on and what is written where: fail-on, the job summary, JUnit, links
to artifacts, values to redact, and this job's name in a merged report."""

from __future__ import annotations

import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, field_validator

from ..inputs import Bool, lower, split_lines

FAILABLE_STATUSES = ("failed", "error", "terminated", "skipped")
DEFAULT_FAIL_ON = "failed,error,terminated,skipped"

FIXES = {
    "fail-on": f"Use a comma-separated list of {', '.join(FAILABLE_STATUSES)}, or none.",
    "job-summary": "Use true or false.",
    "junit-path": "Use a relative file path inside the workspace, e.g. autosana-junit.xml.",
    "redact": "List the values to hide, one per line, e.g. `redact: ${{ secrets.TEST_USER_PASSWORD }}`.",
    "artifact-links": "Use auto, always or never.",
    "target-name": "Use a short name for this job's section in a merged report, e.g. `${{ matrix.name }}`.",
    "base-history": "Use a number of base-branch commits from 0 (off) to 100, e.g. 10.",
    "base-failures-as-warnings": "Use true or false.",
}


def _parse_fail_on(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    parts = [p.strip().lower() for p in re.split(r"[,\s]+", value) if p.strip()]
    if parts == ["none"]:
        return frozenset()
    unknown = [p for p in parts if p not in FAILABLE_STATUSES]
    if unknown or not parts:
        raise ValueError(f"{', '.join(unknown) or 'it'} is not a run status that can fail the step")
    return frozenset(parts)


def inside_workspace(value: str | None) -> str | None:
    if value is not None and _leaves_workspace(value):
        raise ValueError(f"{value!r} is not a relative path inside the workspace")
    return value


def _leaves_workspace(path: str) -> bool:
    """Absolute or climbing out, read as POSIX and as Windows reads it (a drive letter, a root,
    backslashes): the composite action also runs on Windows runners."""
    return any(
        p.is_absolute() or p.drive or p.root or ".." in p.parts for p in (PurePosixPath(path), PureWindowsPath(path))
    )


class ReportInputs(BaseModel):
    fail_on: Annotated[frozenset[str], BeforeValidator(_parse_fail_on)] = Field(
        frozenset(DEFAULT_FAIL_ON.split(",")), alias="fail-on"
    )
    job_summary: Bool = Field(True, alias="job-summary")
    junit_path: str | None = Field(None, alias="junit-path")
    redact: Annotated[list[str], BeforeValidator(split_lines)] = Field(default_factory=list)
    artifact_links: Annotated[Literal["auto", "always", "never"], BeforeValidator(lower)] = Field(
        "auto", alias="artifact-links"
    )
    target_name: str | None = Field(None, alias="target-name", max_length=100)
    # Beside the base branch's recent runs (report/base_compare.py); off by default: fail closed.
    base_history: int = Field(10, alias="base-history", ge=0, le=100)
    base_failures_as_warnings: Bool = Field(False, alias="base-failures-as-warnings")

    @field_validator("junit_path")
    @classmethod
    def _junit_inside_workspace(cls, value: str | None) -> str | None:
        return inside_workspace(value)

    @property
    def fail_on_results(self) -> bool:
        return bool(self.fail_on)

    def shows_artifact_links(self, private_repo: bool) -> bool:
        """Signed artifact URLs can be fetched by anyone who reads them: by default only private
        and internal repositories show them."""
        return self.artifact_links == "always" or (self.artifact_links == "auto" and private_repo)
