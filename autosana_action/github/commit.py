"""Which commit the flows run against (``ref``), in the order Autosana's own action uses: the
commit-sha input, the pull request's head, the deployment's commit, the checked-out HEAD, then
GITHUB_SHA. The pull request number goes with it only when it belongs to that commit and
repository, so Autosana never reports one PR's results on another."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..trigger.body import GitTarget
from .context import dig, read_payload

FULL_SHA = re.compile(r"[0-9a-f]{40}")
DEPLOYMENT_EVENTS = frozenset({"deployment", "deployment_status"})


def resolve_git_target(
    env: Mapping[str, str], *, commit_sha: str | None, repo_full_name: str | None, pr_number: int | None
) -> GitTarget:
    payload = read_payload(env.get("GITHUB_EVENT_PATH"))
    pr = payload.get("pull_request") if isinstance(payload.get("pull_request"), dict) else None
    pr_head = _sha(dig(pr, "head", "sha"))
    event = env.get("GITHUB_EVENT_NAME", "")

    ref, source = None, ""
    if commit_sha:
        ref, source = commit_sha.lower(), "the commit-sha input"
    elif pr_head:
        ref, source = pr_head, "the pull request's head"
    elif event in DEPLOYMENT_EVENTS and _sha(dig(payload, "deployment", "sha")):
        ref, source = _sha(dig(payload, "deployment", "sha")), "the deployment"
    elif event in DEPLOYMENT_EVENTS and _sha(env.get("GITHUB_SHA")):
        ref, source = _sha(env.get("GITHUB_SHA")), "GITHUB_SHA"
    elif event == "workflow_run" and _sha(dig(payload, "workflow_run", "head_sha")):
        # The run that built the app, not the default branch this workflow checks out.
        ref, source = _sha(dig(payload, "workflow_run", "head_sha")), "the triggering workflow run's head"
    elif checked_out := checkout_head(Path(env.get("GITHUB_WORKSPACE") or ".")):
        ref, source = checked_out, "the checked-out HEAD"
    elif _sha(env.get("GITHUB_SHA")):
        ref, source = _sha(env.get("GITHUB_SHA")), "GITHUB_SHA"

    event_repo = dig(payload, "repository", "full_name") or env.get("GITHUB_REPOSITORY") or None
    repo = repo_full_name or env.get("GITHUB_REPOSITORY") or event_repo
    if pr_number is not None and commit_sha:
        number: int | None = pr_number  # both given: the workflow vouches for the pair
    else:
        number = _positive(pr.get("number") if pr else None) or _positive(payload.get("number") if pr else None)
        if pr_number is not None:
            number = pr_number if pr_number == number else None
        if ref is None or ref != pr_head or repo != event_repo:
            number = None
    return GitTarget(ref, source, repo, number)


def checkout_head(workspace: Path) -> str | None:
    """``git rev-parse HEAD`` without git (the container has none): follow .git/HEAD to a loose
    or packed ref."""
    for directory in (workspace, *workspace.resolve().parents):
        dot_git = directory / ".git"
        if dot_git.exists():
            break
    else:
        return None
    try:
        if dot_git.is_file():  # a worktree or submodule: "gitdir: <path>"
            pointer = dot_git.read_text(encoding="utf-8").strip().removeprefix("gitdir:").strip()
            dot_git = (directory / pointer).resolve()
        head = (dot_git / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref:"):
            return _sha(head)
        ref = head.removeprefix("ref:").strip()
        common = dot_git
        if (dot_git / "commondir").is_file():
            common = (dot_git / (dot_git / "commondir").read_text(encoding="utf-8").strip()).resolve()
        for base in (dot_git, common):
            if (base / ref).is_file():
                return _sha((base / ref).read_text(encoding="utf-8").strip())
        packed = common / "packed-refs"
        if packed.is_file():
            for line in packed.read_text(encoding="utf-8").splitlines():
                sha, _, name = line.partition(" ")
                if name == ref:
                    return _sha(sha)
    except (OSError, UnicodeDecodeError):
        return None
    return None


def _sha(value: str | None) -> str | None:
    if not value:
        return None
    lowered = value.strip().lower()
    return lowered if FULL_SHA.fullmatch(lowered) else None


def _positive(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None
