"""A fork's ``pull_request`` run gets no secrets, so ``api-key`` is empty there: say exactly that
(not "api-key is required"), or, with ``on-fork: skip``, step aside with a notice. Nothing is
asked of Autosana or GitHub either way."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum

from ..inputs import InputProblem
from ..workflow import Workflow
from . import readme
from .context import EventContext

SKIPPED_RESULT = "skipped_fork"


class ForkOutcome(Enum):
    FAILED = "failed"
    SKIPPED = "skipped"


def handle_fork_without_key(
    problems: Sequence[InputProblem], raw: Mapping[str, str], context: EventContext, wf: Workflow
) -> ForkOutcome | None:
    """None unless this is a fork's pull request whose api-key is empty; then the errors (or the
    notice) are written here."""
    if not context.read_only_fork or raw.get("api-key", "").strip():
        return None
    others = [p for p in problems if p.input != "api-key"]
    where = readme.link(context, readme.FORKS)
    if raw.get("on-fork", "").strip().lower() == "skip" and not others:
        wf.notice(
            f"Skipped: this is a pull request from a fork, and GitHub gives such runs no secrets, so there is "
            f"no Autosana API key. No flows ran. To test fork pull requests, see {where}.",
            title="Autosana skipped a fork's pull request",
        )
        wf.set_outputs({"result": SKIPPED_RESULT})
        if raw.get("job-summary", "").strip().lower() not in ("false", "no", "off", "0"):
            wf.write_summary(
                "## ⏭️ Autosana: skipped, pull request from a fork\n\n"
                "GitHub gives workflows run for pull requests from forks no secrets, so there is no Autosana "
                f"API key and no flows ran (`on-fork: skip`). To test fork pull requests, see {where}.\n"
            )
        return ForkOutcome.SKIPPED
    wf.error(
        "Input 'api-key' is empty because this is a pull request from a fork: GitHub does not give secrets to "
        f"workflows run for pull requests from forks. See {where} for ways to test them; "
        "or set `on-fork: skip` to skip these runs with a notice instead of failing.",
        title="No API key on a pull request from a fork",
    )
    for problem in others:
        wf.error(problem.message(), title=f"Invalid input: {problem.input}")
    return ForkOutcome.FAILED
