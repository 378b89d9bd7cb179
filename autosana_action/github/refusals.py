"""What GitHub refusing a call costs, and how it is said: each refusal gives up only the part the
call serves (the check run or the comment), warned once, naming the permission it needs."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

from ..workflow import Workflow
from . import readme
from .context import EventContext

if TYPE_CHECKING:
    from github import GithubException


class Part(Enum):
    """What a refusal costs: each part is given up on its own."""

    CHECK = "No check run this time; the PR comment, job summary and outputs are not affected."
    COMMENT = "No PR comment this time; the check run, job summary and outputs are not affected."


@dataclass(frozen=True)
class Ask:
    """One kind of GitHub call: what it does, the part it serves, the permission it needs and what
    a 404 means for it."""

    what: str
    part: Part
    permission: str
    not_found: str


class Refusals:
    def __init__(self, context: EventContext, workflow: Workflow) -> None:
        self.context = context
        self.wf = workflow
        self.given_up: set[Part] = set()

    def refused(self, ask: Ask, exc: GithubException) -> None:
        """Warn about a failed call (once per part for refusals) and give up what it costs."""
        message = _github_message(exc)
        said = f"GitHub answered {exc.status}: {message}"
        if exc.status == 401:
            self.given_up.update(Part)  # the token itself is refused: nothing new is attempted
            self.wf.warning(
                f"Could not {ask.what}: {said}. The token in `github-token` is not valid (expired or revoked?); "
                "no PR comment or new check run this time. The job summary and outputs have the results.",
                title="GitHub refused the token",
            )
        elif exc.status == 403 and "rate limit" not in message.lower():
            if ask.part in self.given_up:
                return
            if self.context.read_only_fork:  # the token is read-only: every write would be refused
                self.given_up.update(Part)
                self.wf.warning(
                    f"GitHub refused to {ask.what} ({exc.status}: {message}). This is a pull request from a fork: "
                    "GitHub gives its workflow a read-only token, whatever `permissions:` says; see "
                    f"{readme.link(self.context, readme.FORKS)}. No PR comment or check run this time; the job "
                    "summary and outputs have the results.",
                    title="GitHub refused a request",
                )
                return
            self.given_up.add(ask.part)
            needs = _accepted_permissions(exc) or ask.permission
            self.wf.warning(
                f"GitHub refused to {ask.what} ({exc.status}: {message}). The token needs {needs}; see "
                f"{readme.link(self.context, readme.PERMISSIONS)}. {ask.part.value}",
                title="GitHub refused a request",
            )
        elif exc.status == 404:
            if ask.part in self.given_up:
                return
            self.given_up.add(ask.part)
            self.wf.warning(f"Could not {ask.what}: {said}; {ask.not_found}. {ask.part.value}")
        else:
            self.wf.warning(f"Could not {ask.what}: {said}")


def _github_message(exc: GithubException) -> str:
    data = exc.data
    if isinstance(data, dict) and data.get("message"):
        return str(data["message"])[:300]
    return str(data)[:300] if data else "no details"


def _accepted_permissions(exc: GithubException) -> str | None:
    """GitHub's X-Accepted-GitHub-Permissions ("issues=write; pull_requests=write": either set
    will do) in the words of a workflow's ``permissions:`` block."""
    headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
    raw = headers.get("x-accepted-github-permissions", "")
    sets = [
        " and ".join(
            f"`{name.strip().replace('_', '-')}: {level.strip()}`"
            for name, _, level in (p.partition("=") for p in choice.split(",") if "=" in p)
        )
        for choice in raw.split(";")
    ]
    return " or ".join(s for s in sets if s) or None
