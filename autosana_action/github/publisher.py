"""All GitHub I/O: the check run and the sticky PR comment, through PyGithub.

GitHub saying no (a fork's read-only token, a missing permission, an outage) never fails the
step: we warn once, say where to look, and let the exit status reflect the tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import quote

from ..report import markdown as md
from ..report.history import State
from ..report.render import Layout, Report, render
from ..settings import Settings
from ..verdict import Result
from ..workflow import Workflow
from .context import EventContext

if TYPE_CHECKING:
    from github import GithubException
    from github.CheckRun import CheckRun
    from github.IssueComment import IssueComment
    from github.Repository import Repository

COMMENT_LIMIT = 65536
CHECK_TEXT_LIMIT = 65535
PERMISSIONS_HELP = "https://github.com/autosana/autosana-action#permissions"
T = TypeVar("T")


def comment_marker(check_name: str) -> str:
    # Percent-encoding keeps any check name from closing the HTML comment early.
    return f"<!-- autosana-action check={quote(check_name, safe=' ')} -->\n"


def conclusion_for(report: Report, settings: Settings) -> str:
    if report.result is Result.PASSED:
        return "success"
    if report.result is Result.TIMED_OUT:
        return "timed_out"
    if report.result is Result.CANCELLED:
        return "cancelled"
    if report.result is Result.NO_FLOWS or not settings.fail_on_results:
        return "neutral"
    return "failure"


@dataclass
class Target:
    pr_number: int | None
    head_sha: str | None


class GitHubPublisher:
    def __init__(self, settings: Settings, context: EventContext, workflow: Workflow) -> None:
        self.settings = settings
        self.context = context
        self.wf = workflow
        self.comment_url: str | None = None
        self.check_run_url: str | None = None
        self._check: CheckRun | None = None
        self._refused = False
        self._started = False
        self._comment: IssueComment | None = None
        self._comment_looked_up = False
        self._repo_handle: Repository | None = None
        self.target = Target(context.pr_number, context.head_sha)

    @property
    def _repo(self) -> Repository | None:
        """The repository, built on first use: PyGithub's import is kept off the path to the
        first Autosana request."""
        token = self.settings.github_token.get_secret_value() if self.settings.github_token else ""
        if self._repo_handle is None and token and self.context.repository:
            from github import Auth, Github, GithubRetry

            gh = Github(
                base_url=self.context.api_url,
                auth=Auth.Token(token),
                lazy=True,
                timeout=15,
                per_page=100,
                # PyGithub sleeps between requests by default; one job makes a handful of calls.
                seconds_between_requests=None,
                seconds_between_writes=None,
                retry=GithubRetry(total=3, backoff_factor=0.5, secondary_rate_wait=5),
            )
            self._repo_handle = gh.get_repo(self.context.repository)
        return self._repo_handle

    @property
    def enabled(self) -> bool:
        return self._repo is not None and not self._refused

    def _call(self, what: str, action: Callable[[], T]) -> T | None:
        """Run one GitHub call; on refusal warn (once for permissions) and carry on."""
        if not self.enabled:
            return None
        from github import GithubException

        try:
            return action()
        except GithubException as exc:
            message = _github_message(exc)
            if exc.status in (401, 403, 404) and _is_permission_problem(exc.status, message):
                self._refused = True
                fork = (
                    " This looks like a pull request from a fork, whose token is read-only."
                    if self.context.is_fork
                    else ""
                )
                self.wf.warning(
                    f"GitHub refused to {what} ({exc.status}: {message}).{fork} The results are in the job summary; "
                    f"to get the check run and PR comment, grant `checks: write` and `pull-requests: write`, see "
                    f"{PERMISSIONS_HELP}",
                    title="No PR comment or check run",
                )
            else:
                self.wf.warning(f"Could not {what}: GitHub answered {exc.status}: {message}")
            return None
        except Exception as exc:  # a network failure must not lose the test results
            self.wf.warning(f"Could not {what}: {type(exc).__name__}: {exc}")
            return None

    def _render(self, report: Report, layout: Layout) -> str:
        return render(report, layout)

    # -- which PR ----------------------------------------------------------------------------
    def resolve_pr(self) -> None:
        """A push has no PR in its payload: look for an open PR whose head is this commit."""
        if self.target.pr_number is not None or not self.target.head_sha or self.settings.comment_mode == "off":
            return
        if self._repo is None:
            return
        if self.context.event_name not in ("push", "workflow_dispatch", "schedule"):
            return
        repo, sha = self._repo, self.target.head_sha

        def find() -> int | None:
            for pull in repo.get_commit(sha).get_pulls():
                if pull.state == "open" and pull.head.sha == sha:
                    return pull.number
            return None

        self.target.pr_number = self._call("look up the pull request for this commit", find)

    # -- check run ---------------------------------------------------------------------------
    def _checks_wanted(self) -> bool:
        return self.settings.check_run and bool(self.target.head_sha) and self._repo is not None

    def _create_check(self, fields: dict[str, object]) -> CheckRun | None:
        repo = self._repo
        assert repo is not None and self.target.head_sha is not None
        fields = {"name": self.settings.check_name, "head_sha": self.target.head_sha, **fields}
        check = self._call("create the check run", lambda: repo.create_check_run(**fields))  # type: ignore[arg-type]
        if check is not None:
            self.check_run_url = check.html_url
        return check

    def start_check(self, batch_id: str, details_url: str | None) -> None:
        if not self._checks_wanted() or self._started:
            return
        self._started = True
        fields: dict[str, object] = {
            "status": "in_progress",
            "external_id": batch_id,
            "started_at": datetime.now(UTC),
            "output": {"title": "Running Autosana flows", "summary": f"Batch `{batch_id}` is running."},
        }
        details = md.safe_url(details_url) or self.context.workflow_run_url
        if details:
            fields["details_url"] = details
        self._check = self._create_check(fields)

    def finish_check(self, report: Report) -> None:
        if not self._checks_wanted():
            return
        fields: dict[str, object] = {
            "status": "completed",
            "conclusion": conclusion_for(report, self.settings),
            "completed_at": datetime.now(UTC),
            "output": {
                "title": _title(report),
                "summary": self._render(report, Layout(limit=CHECK_TEXT_LIMIT, summary_chars=400)),
            },
        }
        details = _details_url(report) or self.context.workflow_run_url
        if details:
            fields["details_url"] = details
        check = self._check
        if check is not None:
            self._call("complete the check run", lambda: check.edit(**fields))  # type: ignore[arg-type]
        else:
            # Never started (no status ever arrived, or the trigger failed): report in one go.
            if report.batch_id:
                fields["external_id"] = report.batch_id
            self._create_check(fields)

    # -- sticky comment ----------------------------------------------------------------------
    def _comment_wanted(self) -> bool:
        return self.settings.comment_mode != "off" and self.target.pr_number is not None and self._repo is not None

    def previous_state(self) -> State | None:
        """The record the last report on this PR left in its comment, if any."""
        if not self._comment_wanted():
            return None
        comment = self._existing_comment()
        return State.decode(comment.body or "") if comment is not None else None

    def _existing_comment(self) -> IssueComment | None:
        if self._comment_looked_up:
            return self._comment
        assert self._repo is not None and self.target.pr_number is not None
        issue = self._repo.get_issue(self.target.pr_number)
        marker = comment_marker(self.settings.check_name).strip()

        def find() -> IssueComment | None:
            return next((c for c in issue.get_comments() if (c.body or "").lstrip().startswith(marker)), None)

        self._comment = self._call("read the PR comments", find)
        self._comment_looked_up = True
        return self._comment

    def upsert_comment(self, report: Report) -> None:
        if not self._comment_wanted():
            return
        assert self._repo is not None and self.target.pr_number is not None
        existing = self._existing_comment()
        if existing is None and self.settings.comment_mode == "failures" and report.result is Result.PASSED:
            return
        marker = comment_marker(self.settings.check_name)
        if report.status is not None:
            marker += State.of(report.status, report.commit).encode()
        layout = Layout(limit=COMMENT_LIMIT, summary_chars=400, marker=marker, footer=_footer(report, self.context))
        body = self._render(report, layout)
        issue = self._repo.get_issue(self.target.pr_number)

        def write() -> str:
            if existing is not None:
                existing.edit(body)
                return existing.html_url
            return issue.create_comment(body).html_url

        self.comment_url = self._call("write the PR comment", write)


def _title(report: Report) -> str:
    return re.sub(r"\s+", " ", report.headline)[:200] or report.result.value


def _details_url(report: Report) -> str | None:
    """Straight to the first group that needs attention, else the first group."""
    groups = report.groups()
    return md.safe_url(groups[0].url) if groups else None


def _footer(report: Report, context: EventContext) -> str:
    links = []
    if context.workflow_run_url:
        links.append(f"[workflow run]({context.workflow_run_url})")
    if report.batch_id:
        links.append(f"batch `{re.sub(r'[^A-Za-z0-9-]', '', report.batch_id)[:64]}`")
    updated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<sub>{' · '.join(links)} · updated {updated} by autosana-action</sub>\n"


def _github_message(exc: GithubException) -> str:
    data = exc.data
    if isinstance(data, dict) and data.get("message"):
        return str(data["message"])[:300]
    return str(data)[:300] if data else "no details"


def _is_permission_problem(status: int, message: str) -> bool:
    return status == 404 or (status in (401, 403) and "rate limit" not in message.lower())
