"""Finding the matrix jobs' results files and refusing the ones that cannot be merged: another
schema version, another commit, a target that appears twice, or no file at all."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from ..report.results_model import ForkSkipped, ResultsFile, UnreadableResults, read_results


class MergeRefused(Exception):
    def __init__(
        self,
        problems: list[str],
        *,
        unreadable: list[tuple[str, str]] | None = None,
        loaded: list[tuple[str, ResultsFile]] | None = None,
    ) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
        # When files could not be read and nothing else is wrong: (source, why) of each, and the
        # files that could, so the report still shows every target.
        self.unreadable = unreadable or []
        self.loaded = loaded or []

    @property
    def only_unreadable_files(self) -> bool:
        return bool(self.unreadable) and len(self.unreadable) == len(self.problems)


class AllForkSkipped(Exception):
    """Every results file says its job skipped a fork's pull request."""

    def __init__(self, sources: list[str]) -> None:
        super().__init__(", ".join(sources))
        self.sources = sources


def _commit_problems(loaded: list[tuple[str, ResultsFile]], head_sha: str | None) -> list[str]:
    """Fail closed: a file that names no commit, or a merge that knows none, is refused too."""
    if not head_sha:
        return [
            "The merge job does not know which commit it reports on (no pull request head, GITHUB_SHA or "
            "commit-sha), so it cannot tell whose results these are. Set commit-sha, or allow-other-commits: true."
        ]
    problems = []
    for source, results in loaded:
        theirs = results.job.head_sha
        if not theirs:
            problems.append(
                f"{source} ({results.target.name}) names no commit, so it may be from another workflow run. "
                "Use the same autosana-action version in every job, or set allow-other-commits: true."
            )
        elif theirs.lower() != head_sha.lower():
            problems.append(
                f"{source} ({results.target.name}) is for commit {theirs[:12]}, not {head_sha[:12]}: it is from "
                "another workflow run. Download only this run's artifacts, or set allow-other-commits: true."
            )
    return problems


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
    forks: list[str] = []
    unreadable: list[tuple[str, str]] = []
    for path in paths:
        source = path.relative_to(workspace).as_posix()
        try:
            loaded.append((source, read_results(path, source)))
        except ForkSkipped:
            forks.append(source)
        except UnreadableResults as exc:
            problems.append(str(exc))
            unreadable.append((source, str(exc)))
    if forks and not loaded and not problems:
        raise AllForkSkipped(forks)
    problems += [
        f"{source} is from a job that skipped a fork's pull request (on-fork: skip), but other targets ran."
        for source in forks
    ]
    if not allow_other_commits:
        problems += _commit_problems(loaded, head_sha)
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
        raise MergeRefused(problems, unreadable=unreadable, loaded=loaded)
    return loaded
