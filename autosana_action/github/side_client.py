"""A GitHub client for what is nice to have while the flows run (the base branch's history, the
progress updates): short timeouts and few retries, so a slow GitHub costs these extras and never
holds up polling for long. The check run and the comment keep the publisher's patient client."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from github import Github

TIMEOUT = 5


def side_client(api_url: str, token: str, *, retries: int) -> Github:
    """``retries`` covers failed connections only (never a status GitHub answered)."""
    from github import Auth, Github

    return Github(
        base_url=api_url,
        auth=Auth.Token(token),
        timeout=TIMEOUT,
        retry=retries,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def getter(gh: Github) -> Callable[[str, dict[str, Any]], Any]:
    """GET a path under the API root with a query; the decoded JSON answer, or GithubException."""
    return lambda path, query: gh.requester.requestJsonAndCheck("GET", path, parameters=query)[1]
