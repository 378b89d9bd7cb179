"""The base branch's recent results, read from GitHub itself: the last N commits of the base
branch (one request), then each commit's check runs of our check name (one request each), so at
most N+1 reads. Only a completed check run created by the app we act as is believed; another
app's check run or a comment can carry a marker too, and is ignored.

A read that is refused or fails only drops the comparison, with one notice."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from ..report.base_compare import BaseHistory, BaseRun
from ..report.digest import Unreadable, decode
from .identity import ACTIONS_APP, INSTALLATION_TOKEN_PREFIX
from .refusals import Part
from .side_client import getter, side_client

if TYPE_CHECKING:
    from github.CheckRun import CheckRun

    from .publisher import GitHubPublisher

MAX_COMMITS = 100  # one page of the commits list
READ_BUDGET = 20.0  # seconds of reading, once, while the flows run

# GET path (under the API root) and query -> the decoded JSON answer; raises on any failure.
Get = Callable[[str, dict[str, Any]], Any]


class ReadFailed(Exception):
    pass


class BaseReader:
    """The base branch's recent results of our check name on a pull request, read once (the first
    status, once our check run says which app we are) and kept for the report."""

    def __init__(self, publisher: GitHubPublisher, count: int) -> None:
        self.publisher, self.count = publisher, count
        self._read: tuple[BaseHistory | None] | None = None

    def history(self) -> BaseHistory | None:
        """None when not asked for (base-history 0) or not possible (no pull request or base
        branch, no token, or a token GitHub refused)."""
        if self._read is None:
            self._read = (self._history(),)
        return self._read[0]

    def _history(self) -> BaseHistory | None:
        pub, context = self.publisher, self.publisher.context
        base, repo, slug = context.base_ref, context.repository, our_app(pub.check, pub.token)
        token_refused = pub.refusals.given_up == set(Part) and not context.read_only_fork  # a 401
        if not (self.count and base and repo and slug and pub.repo) or pub.target.pr_number is None or token_refused:
            return None
        get = getter(side_client(context.api_url, pub.token, retries=1))
        return read_base_history(get, repo, base, check_name=pub.settings.check_name, app_slug=slug, count=self.count)


def our_app(check: CheckRun | None, token: str) -> str | None:
    """The app whose check runs we believe: the one our own check run was created by; for an
    installation token whose check run we could not create, the Actions app (as identity does).
    Other tokens cannot create check runs at all."""
    if check is not None:
        try:
            return str(check.app.slug)
        except Exception:  # a check run without its app: the token's default stands
            return ACTIONS_APP if token.startswith(INSTALLATION_TOKEN_PREFIX) else None
    return ACTIONS_APP if token.startswith(INSTALLATION_TOKEN_PREFIX) else None


def read_base_history(
    get: Get,
    repository: str,
    branch: str,
    *,
    check_name: str,
    app_slug: str,
    count: int,
    budget: float = READ_BUDGET,
    clock: Callable[[], float] = time.monotonic,
) -> BaseHistory:
    """``count`` commits of ``branch`` (newest first) and our digests on them."""
    history = BaseHistory(branch, 0)
    repo = f"/repos/{repository}"
    try:
        commits = get(f"{repo}/commits", {"sha": branch, "per_page": min(count, MAX_COMMITS)})
        history.reads += 1
        shas = [c["sha"] for c in commits if isinstance(c, dict) and isinstance(c.get("sha"), str)][:count]
        history.commits = len(shas)
        unreadable: list[str] = []
        deadline = clock() + budget
        for read, sha in enumerate(shas):
            if clock() > deadline:
                history.notices.append(
                    f"Only {read} of {branch}'s last {len(shas)} commits were read within {budget:g} s; "
                    "the comparison uses those."
                )
                break
            query = {"check_name": check_name, "per_page": 100}
            answer = get(f"{repo}/commits/{quote(sha, safe='')}/check-runs", query)
            history.reads += 1
            run = _ours(answer, sha, (check_name, app_slug, branch), unreadable)
            if run is not None:
                history.runs.append(run)
    except Exception as exc:  # refused, missing, malformed or a network failure: no comparison
        history.runs.clear()
        history.notices.append(
            f"The comparison with {branch} was left out: reading its recent check runs failed ({_reason(exc)}). "
            "It needs `contents: read` and `checks: read`."
        )
        return history
    if unreadable:
        history.notices.append(
            f"{len(unreadable)} of {branch}'s recent check runs carry {unreadable[0]}; "
            "they were left out of the comparison."
        )
    return history


def _ours(answer: Any, sha: str, ours_by: tuple[str, str, str], unreadable: list[str]) -> BaseRun | None:
    """The newest completed check run of ours (check name, app, branch it ran for) on this commit
    that carries a digest."""
    check_name, app_slug, branch = ours_by
    runs = answer.get("check_runs") if isinstance(answer, dict) else None
    if not isinstance(runs, list):
        raise ReadFailed("an answer without check runs")
    ours = [
        r
        for r in runs
        if isinstance(r, dict)
        and r.get("name") == check_name
        and r.get("status") == "completed"
        and isinstance(r.get("app"), dict)
        and r["app"].get("slug") == app_slug
    ]
    ours.sort(key=lambda r: str(r.get("completed_at") or ""), reverse=True)
    for run in ours:
        output = run.get("output") if isinstance(run.get("output"), dict) else {}
        try:
            digest = decode(output.get("text") if isinstance(output, dict) else None)
        except Unreadable as exc:
            unreadable.append(str(exc))
            continue
        if digest is not None and digest.branch == branch:  # not a pull request's run on a commit there
            url = run.get("html_url")
            return BaseRun(sha, url if isinstance(url, str) else None, digest)
    return None


def _reason(exc: Exception) -> str:
    status = getattr(exc, "status", None)
    if status is not None:
        data = getattr(exc, "data", None)
        message = data.get("message") if isinstance(data, dict) else None
        return f"GitHub answered {status}: {str(message or 'no details')[:200]}"
    return f"{type(exc).__name__}: {str(exc)[:200]}"
