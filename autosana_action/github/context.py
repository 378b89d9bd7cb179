"""Where the action runs: the event, the pull request and the commit, from the runner's
environment and the event payload at ``GITHUB_EVENT_PATH``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

PR_EVENTS = frozenset({"pull_request", "pull_request_target", "pull_request_review", "pull_request_review_comment"})
# The PR events whose workflows run for a fork's pull request with a read-only token and no secrets.
FORK_RESTRICTED_EVENTS = PR_EVENTS - {"pull_request_target"}


@dataclass(frozen=True)
class EventContext:
    event_name: str = ""
    repository: str | None = None
    pr_number: int | None = None
    head_sha: str | None = None
    branch: str | None = None
    is_fork: bool = False
    server_url: str = "https://github.com"
    api_url: str = "https://api.github.com"
    run_id: str | None = None
    run_attempt: str | None = None
    # "owner:branch" of the head, for finding a fork's PR that a workflow_run payload leaves out.
    head_label: str | None = None
    # The action's own repository and ref (GITHUB_ACTION_REPOSITORY/REF), for links to its README.
    action_repository: str | None = None
    action_ref: str | None = None

    @property
    def read_only_fork(self) -> bool:
        """A fork's pull request, run by GitHub with a read-only token and without secrets."""
        return self.is_fork and self.event_name in FORK_RESTRICTED_EVENTS

    private_repo: bool = False  # private or internal; unknown counts as public
    base_ref: str | None = None  # the pull request's base branch, when the event names one

    @property
    def workflow_run_url(self) -> str | None:
        if not (self.repository and self.run_id):
            return None
        url = f"{self.server_url}/{self.repository}/actions/runs/{self.run_id}"
        if self.run_attempt and self.run_attempt != "1":
            url += f"/attempts/{self.run_attempt}"
        return url

    def pr_variables(self) -> dict[str, str]:
        variables: dict[str, str] = {}
        if self.pr_number is not None:
            variables["PR_NUMBER"] = str(self.pr_number)
        if self.branch:
            variables["BRANCH"] = self.branch
        if self.head_sha:
            variables["COMMIT_SHA"] = self.head_sha
        return variables


def with_overrides(context: EventContext, pr_number: int | None, commit_sha: str | None) -> EventContext:
    """The pr-number and commit-sha inputs win over the event."""
    if pr_number is not None:
        context = replace(context, pr_number=pr_number)
    if commit_sha:
        context = replace(context, head_sha=commit_sha.lower())
    return context


def load_event(env: Mapping[str, str]) -> EventContext:
    payload = read_payload(env.get("GITHUB_EVENT_PATH"))
    name = env.get("GITHUB_EVENT_NAME", "")
    base = EventContext(
        event_name=name,
        repository=env.get("GITHUB_REPOSITORY") or dig(payload, "repository", "full_name"),
        server_url=env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/"),
        api_url=env.get("GITHUB_API_URL", "https://api.github.com").rstrip("/"),
        run_id=env.get("GITHUB_RUN_ID"),
        run_attempt=env.get("GITHUB_RUN_ATTEMPT"),
        action_repository=env.get("GITHUB_ACTION_REPOSITORY") or None,
        action_ref=env.get("GITHUB_ACTION_REF") or None,
        private_repo=_is_private(payload.get("repository")),
    )
    fallback_sha = env.get("GITHUB_SHA") or None
    fallback_branch = env.get("GITHUB_HEAD_REF") or env.get("GITHUB_REF_NAME") or _branch(env.get("GITHUB_REF"))

    pr = payload.get("pull_request")
    if name in PR_EVENTS and isinstance(pr, dict):
        head_repo = dig(pr, "head", "repo", "full_name")
        base_repo = dig(pr, "base", "repo", "full_name")
        return replace(
            base,
            pr_number=_int(pr.get("number")),
            head_sha=dig(pr, "head", "sha") or fallback_sha,
            branch=dig(pr, "head", "ref") or fallback_branch,
            is_fork=bool(head_repo and base_repo and head_repo != base_repo),
            base_ref=dig(pr, "base", "ref") or env.get("GITHUB_BASE_REF") or None,
        )
    if name == "push":
        return replace(
            base,
            head_sha=_str(payload.get("after")) or fallback_sha,
            branch=_branch(payload.get("ref")) or fallback_branch,
        )
    if name == "merge_group":
        group = payload.get("merge_group") or {}
        return replace(
            base,
            head_sha=_str(group.get("head_sha")) or fallback_sha,
            branch=_branch(group.get("head_ref")) or fallback_branch,
        )
    if name == "workflow_run":
        run = payload.get("workflow_run") or {}
        prs = run.get("pull_requests") or []
        number = _int(prs[0].get("number")) if prs and isinstance(prs[0], dict) else None
        head_repo = dig(run, "head_repository", "full_name")
        head_owner = dig(run, "head_repository", "owner", "login")
        head_branch = _str(run.get("head_branch"))
        return replace(
            base,
            pr_number=number,
            head_sha=_str(run.get("head_sha")) or fallback_sha,
            branch=_str(run.get("head_branch")) or fallback_branch,
            is_fork=bool(head_repo and base.repository and head_repo != base.repository),
            head_label=f"{head_owner}:{head_branch}" if head_owner and head_branch else None,
            base_ref=dig(prs[0], "base", "ref") if prs else None,
        )
    return replace(base, head_sha=fallback_sha, branch=fallback_branch)


def _is_private(repository: Any) -> bool:
    if not isinstance(repository, dict):
        return False
    visibility = repository.get("visibility")
    if isinstance(visibility, str):
        return visibility.lower() in ("private", "internal")
    return repository.get("private") is True


def read_payload(path: str | None) -> dict[str, Any]:
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def dig(obj: Any, *keys: str) -> str | None:
    for key in keys:
        if not isinstance(obj, dict):
            return None
        obj = obj.get(key)
    return _str(obj)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _branch(ref: Any) -> str | None:
    if not isinstance(ref, str) or not ref:
        return None
    for prefix in ("refs/heads/", "refs/tags/"):
        if ref.startswith(prefix):
            return ref[len(prefix) :]
    return ref
