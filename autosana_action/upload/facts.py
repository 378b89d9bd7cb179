"""What the build stage knows and hands on: the commit it belongs to and the build it made."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GitFacts:
    """Sent with the build so Autosana can tie it to the pull request: the PR head commit (not the
    merge commit), the head branch and the repository."""

    commit_sha: str
    branch_name: str
    repo_full_name: str


@dataclass(frozen=True)
class BuildOutcome:
    """The registered build: its UUID when Autosana named it, and a line describing it."""

    app_build_id: str | None
    description: str
    outputs: dict[str, str]
    notes: tuple[str, ...] = ()  # for every report from here on: Autosana's warnings, what the upload started


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    if size < 1024**3:
        return f"{size / 1024 / 1024:.1f} MB"
    return f"{size / 1024**3:.2f} GB"
