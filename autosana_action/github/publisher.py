"""All GitHub I/O: the check run and the sticky PR comment, through PyGithub.

GitHub saying no (a fork's read-only token, a missing permission, a wrong pr-number, an outage)
never fails the step, and costs only what needs the refused call: a refused comment read means
no comment, never an unfinished check run. Each refusal is warned about once, naming what was
refused and the permission it needs; the exit status reflects the tests."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import quote

from ..outcome import outcome_for
from ..report import markdown as md
from ..report.history import State
from ..report.render import Layout, Report
from ..settings import Settings
from ..verdict import Result
from ..workflow import Workflow
from .completion import CheckCompletion
from .context import EventContext
from .identity import Identity, identity_of
from .redacted import RedactedRendering
from .refusals import Ask, Part, Refusals
from .sticky import StickyComment

if TYPE_CHECKING:
    from github import Github
    from github.CheckRun import CheckRun
    from github.IssueComment import IssueComment
    from github.Repository import Repository

COMMENT_LIMIT = 65536
CHECK_TEXT_LIMIT = 65535
T = TypeVar("T")


def comment_marker(check_name: str) -> str:
    # Percent-encoding keeps any check name from closing the HTML comment early.
    return f"<!-- autosana-action check={quote(check_name, safe=' ')} -->\n"


def conclusion_for(report: Report, settings: Settings) -> str:
    return outcome_for(report.result, settings.fail_on_results).conclusion


@dataclass
class Target:
    pr_number: int | None
    head_sha: str | None


class GitHubPublisher(CheckCompletion, RedactedRendering):
    def __init__(self, settings: Settings, context: EventContext, workflow: Workflow) -> None:
        self.settings = settings
        self.context = context
        self.wf = workflow
        self.comment_url: str | None = None
        self.check_run_url: str | None = None
        self.check: CheckRun | None = None
        self.check_completed = False
        self.refusals = Refusals(context, workflow)
        self._started = False
        self._running = False  # the check started with the upload has been told the flows run
        self.sticky = StickyComment()
        self._identity: Identity | None = None
        self._gh: Github | None = None
        self._repo_handle: Repository | None = None
        self.target = Target(context.pr_number, context.head_sha)

    @property
    def token(self) -> str:
        return self.settings.github_token.get_secret_value() if self.settings.github_token else ""

    @property
    def repo(self) -> Repository | None:
        """The repository, built on first use: PyGithub's import is kept off the path to the
        first Autosana request."""
        if self._repo_handle is None and self.token and self.context.repository:
            from github import Auth, Github, GithubRetry
            from urllib3.util.retry import Retry

            self._gh = Github(
                base_url=self.context.api_url,
                auth=Auth.Token(self.token),
                lazy=True,
                timeout=15,
                per_page=100,
                # PyGithub sleeps between requests by default; one job makes a handful of calls.
                seconds_between_requests=None,
                seconds_between_writes=None,
                # PATCH too (PyGithub leaves it out): completing the check run is the write that must
                # not be lost to one 502, and editing to the same fields twice is harmless.
                retry=GithubRetry(
                    total=3,
                    backoff_factor=0.5,
                    secondary_rate_wait=5,
                    allowed_methods=Retry.DEFAULT_ALLOWED_METHODS | {"GET", "POST", "PATCH"},
                ),
            )
            self._repo_handle = self._gh.get_repo(self.context.repository)
        return self._repo_handle

    def call(self, ask: Ask, action: Callable[[], T], *, even_after_refusals: bool = False) -> T | None:
        """Run one GitHub call; on failure warn and carry on without it. A refusal gives up the
        part the call serves (warned once), never the other part."""
        if self.repo is None or (ask.part in self.refusals.given_up and not even_after_refusals):
            return None
        from github import GithubException

        try:
            return action()
        except GithubException as exc:
            self.refusals.refused(ask, exc)
            return None
        except Exception as exc:  # a network failure must not lose the test results
            self.wf.warning(f"Could not {ask.what}: {type(exc).__name__}: {exc}")
            return None

    def ask(self, what: str, part: Part) -> Ask:
        repo = self.context.repository
        if part is Part.CHECK:
            return Ask(what, part, "`checks: write`", f"the token cannot see {repo}")
        number = self.target.pr_number
        missing = f"pull request #{number} is not in {repo}, or the token cannot see it (check `pr-number`)"
        permission = "`pull-requests: write`" if what.startswith("write") else "`pull-requests: read`"
        return Ask(what, part, permission, missing if number is not None else f"the token cannot see {repo}")

    def _check_summary(self, report: Report) -> str:
        try:
            return self._render(report, Layout(limit=CHECK_TEXT_LIMIT, summary_chars=400))
        except Exception as exc:  # the check must still be completed, with what is known
            return f"{md.text(report.headline)}\n\nThe full report could not be rendered ({type(exc).__name__})."

    # -- which PR ----------------------------------------------------------------------------
    def resolve_pr(self) -> None:
        """The payload names no PR: a push (look for an open PR whose head is this commit), or a
        workflow_run from a fork, whose ``pull_requests`` GitHub leaves empty (look for the open
        PR from that head repository and branch)."""
        if self.target.pr_number is not None or not self.target.head_sha or self.settings.comment_mode == "off":
            return
        if self.repo is None:
            return
        repo, sha, label = self.repo, self.target.head_sha, self.context.head_label
        if self.context.event_name in ("push", "workflow_dispatch", "schedule"):

            def find() -> int | None:
                for pull in repo.get_commit(sha).get_pulls():
                    if pull.state == "open" and pull.head.sha == sha:
                        return pull.number
                return None

            what = "look up the pull request for this commit"
        elif self.context.event_name == "workflow_run" and label:

            def find() -> int | None:
                # The branch may have moved on since the triggering run: only a PR at its commit counts.
                return next((p.number for p in repo.get_pulls(state="open", head=label) if p.head.sha == sha), None)

            what = f"look up the pull request from {label}"
        else:
            return
        self.target.pr_number = self.call(self.ask(what, Part.COMMENT), find)

    # -- check run ---------------------------------------------------------------------------
    def _checks_wanted(self) -> bool:
        return self.settings.check_run and bool(self.target.head_sha) and self.repo is not None

    def _create_check(self, fields: dict[str, object], *, even_after_refusals: bool = False) -> CheckRun | None:
        repo = self.repo
        assert repo is not None and self.target.head_sha is not None
        fields = self.wf.redactor.deep({"name": self.settings.check_name, "head_sha": self.target.head_sha, **fields})
        ask = self.ask("create the check run", Part.CHECK)
        check = self.call(ask, lambda: repo.create_check_run(**fields), even_after_refusals=even_after_refusals)  # type: ignore[arg-type]
        if check is not None:
            self.check_run_url = check.html_url
        return check

    def start_check(self, batch_id: str | None, details_url: str | None) -> None:
        """In progress from the first stage: the build upload (no batch yet) or the first status."""
        if self._started and batch_id and self.check is not None and not self._running:
            self._running = True
            self._mark_running(self.check, batch_id, details_url)
        if not self._checks_wanted() or self._started:
            return
        self._started = True
        fields: dict[str, object] = {
            "status": "in_progress",
            "started_at": datetime.now(UTC),
            "output": {"title": "Running Autosana flows", "summary": f"Batch `{batch_id}` is running."},
        }
        if batch_id:
            fields["external_id"] = batch_id
        else:
            fields["output"] = {"title": "Uploading the build", "summary": "The build is being uploaded to Autosana."}
        details = md.safe_url(details_url) or self.context.workflow_run_url
        if details:
            fields["details_url"] = details
        self.check = self._create_check(fields)

    def _mark_running(self, check: CheckRun, batch_id: str, details_url: str | None) -> None:
        """The check started with the upload; now the flows run."""
        fields: dict[str, object] = {
            "external_id": batch_id,
            "output": {"title": "Running Autosana flows", "summary": f"Batch `{batch_id}` is running."},
        }
        details = md.safe_url(details_url)
        if details:
            fields["details_url"] = details
        self.call(self.ask("update the check run", Part.CHECK), lambda: check.edit(**fields))  # type: ignore[arg-type]

    def finish_check(self, report: Report) -> None:
        """Complete the check run we started, or report in one go when none was started.

        Whatever went wrong before (a refused comment, an exception in the caller), a started
        check is completed: a required check left in_progress blocks the merge. Safe to call again,
        e.g. from a catch-all with a failure report: a completed check is left alone."""
        if not self._checks_wanted() or self.check_completed:
            return
        fields: dict[str, object] = {
            "status": "completed",
            "conclusion": conclusion_for(report, self.settings),
            "completed_at": datetime.now(UTC),
            "output": {"title": _title(report, self.wf), "summary": self._check_summary(report), **report.check_output},
        }
        details = _details_url(report) or self.context.workflow_run_url
        if details:
            fields["details_url"] = details
        check = self.check
        if check is not None and report.batch_id:
            fields["external_id"] = report.batch_id
        if check is not None:
            ask = self.ask("complete the check run", Part.CHECK)
            fields = self.wf.redactor.deep(fields)  # the title and a fallback summary too
            done = self.call(ask, lambda: check.edit(**fields) or True, even_after_refusals=True)  # type: ignore[arg-type, func-returns-value]
            self.check_completed = self._remember(done, fields)  # else replaced by ensure_completed()
        else:
            # Never started (no status ever arrived, or the trigger failed): report in one go.
            if report.batch_id:
                fields["external_id"] = report.batch_id
            self.check_completed = self._create_check(fields) is not None

    # -- sticky comment ----------------------------------------------------------------------
    def comment_wanted(self) -> bool:
        return self.settings.comment_mode != "off" and self.target.pr_number is not None and self.repo is not None

    def previous_state(self) -> State | None:
        """The record the last report on this PR left in our comment, if any: never anyone else's."""
        if not self.comment_wanted():
            return None
        comment = self.existing_comment()
        return State.decode(comment.body or "") if comment is not None else None

    def existing_comment(self) -> IssueComment | None:
        """Our sticky comment: the first one carrying our marker that the token's own identity
        wrote. Anyone can post the marker; such a comment is neither edited nor believed."""
        if self.sticky.known or self.sticky.lookups_left <= 0:
            return self.sticky.comment
        self.sticky.lookups_left -= 1
        assert self.repo is not None and self.target.pr_number is not None
        issue = self.repo.get_issue(self.target.pr_number)
        marker = comment_marker(self.settings.check_name).strip()

        def find() -> tuple[IssueComment | None]:
            for comment in issue.get_comments():  # pages are fetched only until ours is found
                if (comment.body or "").lstrip().startswith(marker) and self._who_am_i().wrote(comment.user):
                    return (comment,)
            return (None,)

        found = self.call(self.ask(f"read the PR comments of #{self.target.pr_number}", Part.COMMENT), find)
        # A failed read is not "no comment": asked again before writing, so a passing glitch
        # never leaves a second sticky comment behind.
        if found is not None:
            self.sticky.adopt(found[0])
        return self.sticky.comment

    def _who_am_i(self) -> Identity:
        """Asked only once a comment carries our marker (at most one GET /user, and none for
        GITHUB_TOKEN); raises when GitHub cannot say, which fails the lookup."""
        if self._identity is None:
            assert self._gh is not None
            slug = None
            if self.check is not None:
                try:
                    slug = self.check.app.slug
                except Exception:  # a check run without its app: the GITHUB_TOKEN default stands
                    slug = None
            self._identity = identity_of(self.token, self._gh, slug)
        return self._identity

    def upsert_comment(self, report: Report) -> None:
        if not self.comment_wanted():
            return
        assert self.repo is not None and self.target.pr_number is not None
        existing = self.existing_comment()
        if not self.sticky.known:
            if Part.COMMENT not in self.refusals.given_up:
                self.wf.warning(
                    "Did not write the PR comment: without knowing whether ours already exists, a new one "
                    "might duplicate it. The next run updates it."
                )
            return
        if (
            existing is None
            and self.settings.comment_mode == "failures"
            and report.result in (Result.PASSED, Result.SKIPPED)
        ):
            return
        marker = comment_marker(self.settings.check_name)
        if report.status is not None:
            marker += State.of(report.status, report.commit).encode()
        layout = Layout(limit=COMMENT_LIMIT, summary_chars=400, marker=marker, footer=_footer(report, self.context))
        body = self._render(report, layout)
        issue = self.repo.get_issue(self.target.pr_number)

        def write() -> str:
            if existing is not None:
                existing.edit(body)
                return existing.html_url
            return issue.create_comment(body).html_url

        self.comment_url = self.call(self.ask("write the PR comment", Part.COMMENT), write)


def _title(report: Report, wf: Workflow) -> str:
    return re.sub(r"\s+", " ", wf.redactor.text(report.title))[:200] or report.result.value


def _details_url(report: Report) -> str | None:
    """Straight to the first group that needs attention, else the first group."""
    groups = report.groups()
    return md.safe_url(groups[0].url) if groups else md.safe_url(report.batch_url)


def _footer(report: Report, context: EventContext) -> str:
    links = []
    if context.workflow_run_url:
        links.append(f"[workflow run]({context.workflow_run_url})")
    if report.batch_id:
        links.append(f"batch `{re.sub(r'[^A-Za-z0-9-]', '', report.batch_id)[:64]}`")
    updated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<sub>{' · '.join(links)} · updated {updated} by autosana-action</sub>\n"
