"""Merge mode: results (the matrix jobs' results files), expected-targets, allow-other-commits."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, BeforeValidator, Field, field_validator

from ..inputs import Bool, InputProblem, split_labels
from ..report.inputs import inside_workspace

if TYPE_CHECKING:
    from ..settings import Settings

FIXES = {
    "results": "Use a glob relative to the workspace, e.g. `autosana-results/*/autosana-results.json`.",
    "expected-targets": "List the target-name of every matrix job, separated by commas or newlines, or their number.",
    "allow-other-commits": "Use true or false.",
}

# Inputs that choose what to run: with results set they are a mistake.
# Inputs that choose or shape what runs: a merge starts nothing, so setting one (to anything but
# its default) is a mistake. api-key is not among them: with it the merge verifies each target.
MERGE_IGNORES = (
    "bundle-id",
    "platform",
    "app-id",
    "app-build-id",
    "suite-ids",
    "flow-ids",
    "labels",
    "flow-keys",
    "suite-keys",
    "folder-paths",
    "build-path",
    "url",
    "name",
    "environment",
    "dependencies",
    "target-name",
    "variables",
    "web-browser",
    "wait",
    "resolve-suite-context",
    "suite-overrides",
    "run-changed-flows",
    "devices",
    "device-model",
    "os-version",
    "physical-device",
    "enable-ios-keychain-access-group-remapping",
)


class MergeInputs(BaseModel):
    results: str | None = None
    expected_targets: Annotated[list[str], BeforeValidator(split_labels)] = Field(
        default_factory=list, alias="expected-targets"
    )
    allow_other_commits: Bool = Field(False, alias="allow-other-commits")

    @field_validator("results")
    @classmethod
    def _results_inside_workspace(cls, value: str | None) -> str | None:
        return inside_workspace(value)

    @property
    def is_merge(self) -> bool:
        """results is set: gather the matrix jobs' results files instead of starting flows."""
        return self.results is not None


def _differs_from_default(s: Settings, name: str) -> bool:
    field = name.replace("-", "_")
    default = type(s).model_fields[field].get_default(call_default_factory=True)
    return bool(getattr(s, field) != default)


def merge_problems(s: Settings) -> list[InputProblem]:
    """With results set, the action starts nothing: inputs that choose what to run are a mistake."""
    given = [name for name in MERGE_IGNORES if _differs_from_default(s, name)]
    problems = [
        InputProblem(name, "is set together with results, but merging results starts no flows; remove it")
        for name in given
    ]
    counts = [t for t in s.expected_targets if t.isdigit()]
    if counts and (len(s.expected_targets) > 1 or int(counts[0]) == 0):
        problems.append(InputProblem("expected-targets", "mixes a number with names, or is 0"))
    if len(set(s.expected_targets)) != len(s.expected_targets):
        problems.append(InputProblem("expected-targets", "names a target twice"))
    return problems


def single_job_problems(s: MergeInputs) -> list[InputProblem]:
    """Merge-only inputs in a job that runs flows."""
    return [
        InputProblem(name, "only applies with results (merging the results of matrix jobs)")
        for name, value in (("expected-targets", s.expected_targets), ("allow-other-commits", s.allow_other_commits))
        if value
    ]
