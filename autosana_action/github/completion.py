"""The check run is always completed: when every PATCH of the one the publisher started failed,
a new check run of the same name is created, completed, with the final result, at the end of
the step (a catch-all may still complete the first one before that). GitHub shows the newest
check run of a name for a commit, so a required check is no longer left in progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .refusals import Part, Refusals

if TYPE_CHECKING:
    from github.CheckRun import CheckRun

    from ..workflow import Workflow
    from .context import EventContext


class CheckCompletion:
    """Mixed into the publisher: remembers a completion GitHub did not take, and replaces it."""

    wf: Workflow
    context: EventContext
    check_run_url: str | None
    check_completed: bool
    refusals: Refusals
    _unfinished: dict[str, object] | None = None  # the completion that could not be written

    def _create_check(self, fields: dict[str, object], *, even_after_refusals: bool = False) -> CheckRun | None:
        raise NotImplementedError

    def _remember(self, done: object, fields: dict[str, object]) -> bool:
        """Whether the completion was written; if not, kept for ensure_completed()."""
        self._unfinished = None if done else fields
        return bool(done)

    def ensure_completed(self) -> None:
        """Called when the step ends."""
        fields = self._unfinished
        if self.check_completed or fields is None:
            return
        self._unfinished = None
        if Part.CHECK in self.refusals.given_up and self.context.read_only_fork:
            return  # a read-only token: no write can succeed
        self.wf.warning(
            "Could not complete the check run started for this run; creating a new, completed check run with the "
            "final result instead (the first one is left in progress)."
        )
        fields = {k: v for k, v in fields.items() if k not in ("name", "head_sha")}
        self.check_completed = self._create_check(fields, even_after_refusals=True) is not None
        if self.check_completed and self.check_run_url:
            self.wf.set_outputs({"check-run-url": self.check_run_url})
