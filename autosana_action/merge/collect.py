"""Finding the matrix jobs' results files and refusing the ones that cannot be merged: another
schema version, another commit, a target that appears twice, or no file at all."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ..report.results_model import ResultsFile, UnreadableResults, read_results


class MergeRefused(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def find(workspace: Path, pattern: str) -> list[Path]:
    return sorted(path for path in workspace.glob(pattern) if path.is_file())


def collect(
    workspace: Path, pattern: str, head_sha: str | None, *, allow_other_commits: bool
) -> list[tuple[str, ResultsFile]]:
    """Every file matching ``pattern``, read and checked; all problems are reported at once."""
    paths = find(workspace, pattern)
    if not paths:
        raise MergeRefused(
            [
                f"No results files match results: {pattern} in the workspace. Check that every matrix job uploads "
                "autosana-results.json (with if: always()) and that the download step puts the artifacts under "
                "this path."
            ]
        )
    problems: list[str] = []
    loaded: list[tuple[str, ResultsFile]] = []
    for path in paths:
        source = path.relative_to(workspace).as_posix()
        try:
            loaded.append((source, read_results(path, source)))
        except UnreadableResults as exc:
            problems.append(str(exc))
    if head_sha and not allow_other_commits:
        for source, results in loaded:
            theirs = results.job.head_sha
            if theirs and theirs.lower() != head_sha.lower():
                problems.append(
                    f"{source} ({results.target.name}) is for commit {theirs[:12]}, not {head_sha[:12]}: it is from "
                    "another workflow run. Download only this run's artifacts, or set allow-other-commits: true."
                )
    by_target: dict[str, list[str]] = defaultdict(list)
    for source, results in loaded:
        by_target[results.target.name].append(source)
    for name, sources in by_target.items():
        if len(sources) > 1:
            problems.append(
                f"Target {name!r} has {len(sources)} results files ({', '.join(sources)}). Give each matrix job its "
                "own target-name, and each job's artifact its own name."
            )
    if problems:
        raise MergeRefused(problems)
    return loaded
