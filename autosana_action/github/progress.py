"""The running state on GitHub while polling: our check run's output (and, with progress-comment,
the sticky comment) kept current.

An update goes out only when something changed (a flow finished or failed), at most once every
15 s for the check run and once a minute for the comment, which keeps a long batch far below
GitHub's secondary rate limits for writes. Updates use their own client without retries and
with a short timeout, so polling is never held up for long; a refused or failed update ends the
updates for this run (said once) and never stops polling. The comment is edited in place; when
there is none yet it is created once (creating one notifies, editing does not)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..autosana.models import BatchStatus
from ..report.history import State
from ..report.progress import Snapshot
from .publisher import GitHubPublisher, comment_marker
from .refusals import Part
from .side_client import side_client

if TYPE_CHECKING:
    from github import Github

CHECK_INTERVAL = 15.0
COMMENT_INTERVAL = 60.0


@dataclass
class Throttle:
    """Lets an update through when it differs from the last one sent and ``interval`` has passed
    since the last write (the check run's creation counts as one)."""

    write: Callable[[Snapshot], bool]
    interval: float
    clock: Callable[[], float] = time.monotonic
    last_write: float | None = None
    sent: Snapshot | None = None
    writes: int = 0
    stopped: bool = False

    def __post_init__(self) -> None:
        self.last_write = self.clock() if self.last_write is None else self.last_write

    def offer(self, snapshot: Snapshot) -> bool:
        if self.stopped or snapshot == self.sent:
            return False
        now = self.clock()
        if self.last_write is not None and now - self.last_write < self.interval:
            return False
        self.last_write, self.writes = now, self.writes + 1
        if self.write(snapshot):
            self.sent = snapshot
        else:
            self.stopped = True
        return True


@dataclass
class Progress:
    """The running state for one run of the action; ``offer`` it each status."""

    publisher: GitHubPublisher
    comment: bool = False
    clock: Callable[[], float] = time.monotonic
    check_interval: float = CHECK_INTERVAL
    comment_interval: float = COMMENT_INTERVAL
    throttles: list[Throttle] = field(default_factory=list)
    started: float = 0.0
    _gh: Github | None = None
    _warned: bool = False

    def offer(self, status: BatchStatus) -> None:
        if status.is_complete:
            return  # the final report follows at once
        if not self.throttles:  # the first status: the check run was just created, saying it runs
            self.started = self.clock()
            self.throttles.append(Throttle(self._write_check, self.check_interval, self.clock))
            if self.comment:
                self.throttles.append(Throttle(self._write_comment, self.comment_interval, self.clock))
        snapshot = Snapshot.of(status)
        for throttle in self.throttles:
            throttle.offer(snapshot)

    @property
    def writes(self) -> int:
        return sum(t.writes for t in self.throttles)

    def _client(self) -> Github:
        if self._gh is None:
            self._gh = side_client(self.publisher.context.api_url, self.publisher.token, retries=0)
        return self._gh

    def _patch(self, what: str, url: str, body: dict[str, object]) -> bool:
        body = self.publisher.wf.redactor.deep(body)  # a sink like any other: redacted as it is sent
        try:
            self._client().requester.requestJsonAndCheck("PATCH", url, input=body)
            return True
        except Exception as exc:  # refused, rate limited or slow: the final report still follows
            if not self._warned:
                self._warned = True
                self.publisher.wf.notice(
                    f"Stopped showing progress in the {what}: {type(exc).__name__}: {str(exc)[:200]}. "
                    "Polling goes on; the final report is not affected."
                )
            return False

    def _write_check(self, snapshot: Snapshot) -> bool:
        check = self.publisher.check
        if check is None or self.publisher.check_completed:
            return False
        output = {"title": snapshot.title(), "summary": snapshot.summary(self.clock() - self.started)}
        return self._patch("check run", check.url, {"output": output})

    def _write_comment(self, snapshot: Snapshot) -> bool:
        pub = self.publisher
        if not pub.comment_wanted():
            return False
        existing = pub.existing_comment()
        if not pub.sticky.known:
            return False
        state = State.decode(existing.body or "") if existing is not None else None
        body = comment_marker(pub.settings.check_name) + (state.encode() if state else "")
        body += snapshot.comment(pub.settings.check_name, self.clock() - self.started)
        if existing is not None:
            return self._patch("PR comment", existing.url, {"body": body})
        if pub.settings.comment_mode != "always":
            return False  # "failures" mode comments only once something failed at the end
        return self._create_comment(body)

    def _create_comment(self, body: str) -> bool:
        """Once: the final report edits what this creates."""
        pub = self.publisher
        assert pub.repo is not None and pub.target.pr_number is not None
        issue = pub.repo.get_issue(pub.target.pr_number)
        body = pub.wf.redactor.text(body)
        created = pub.call(pub.ask("write the PR comment", Part.COMMENT), lambda: issue.create_comment(body))
        if created is None:
            # Unknown whether it was created: the final report looks again rather than duplicate it.
            pub.sticky.doubt()
            return False
        pub.sticky.adopt(created)
        pub.comment_url = created.html_url
        return True
