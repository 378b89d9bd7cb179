"""Who the GitHub token acts as, so that only comments it wrote are adopted (and believed).

``GITHUB_TOKEN`` is an app installation token: it acts as the app, ``github-actions[bot]``, and
``GET /user`` refuses it ("Resource not accessible by integration"). Any other app's
installation token acts as ``<app-slug>[bot]``. A personal access token acts as its user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from github import Github


class Author(Protocol):
    """A comment's user, as PyGithub gives it."""

    @property
    def login(self) -> str: ...
    @property
    def id(self) -> int: ...
    @property
    def type(self) -> str: ...


ACTIONS_APP = "github-actions"
# GitHub's documented prefix of installation access tokens (GITHUB_TOKEN is one).
INSTALLATION_TOKEN_PREFIX = "ghs_"  # noqa: S105 (a prefix, not a secret)


@dataclass(frozen=True)
class Identity:
    login: str
    user_id: int | None  # a user's id (logins can be renamed); None for an app, known by its bot login

    @classmethod
    def app(cls, slug: str | None) -> Identity:
        return cls(f"{slug or ACTIONS_APP}[bot]", None)

    def wrote(self, author: Author | None) -> bool:
        if author is None:
            return False
        if self.user_id is None:
            return author.type == "Bot" and author.login.lower() == self.login.lower()
        return author.type != "Bot" and author.id == self.user_id


def identity_of(token: str, gh: Github, app_slug: str | None) -> Identity:
    """``app_slug`` is the app our check run was created by, when there is one: a free answer for
    installation tokens. ``GET /user`` is asked only for other tokens, and at most once.

    Raises GithubException (or a network error) when GitHub cannot say."""
    if token.startswith(INSTALLATION_TOKEN_PREFIX):
        return Identity.app(app_slug)
    from github import GithubException

    try:
        me = gh.get_user()
        return Identity(me.login, None) if me.type == "Bot" else Identity(me.login, me.id)
    except GithubException as exc:
        message = exc.data.get("message", "") if isinstance(exc.data, dict) else ""
        if exc.status == 403 and "integration" in str(message):  # an installation token of another format
            return Identity.app(app_slug)
        raise
