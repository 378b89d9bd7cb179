"""Where and how to report on GitHub: the token, the sticky comment, the check run, which pull
request and commit, and what a fork's run does."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, Field, SecretStr

from ..inputs import Bool, lower

FIXES = {
    "github-token": "Pass `${{ github.token }}` or a token with checks and pull-requests write access.",
    "comment-mode": "Use always, failures or off.",
    "check-name": "Use a short non-empty name, e.g. Autosana.",
    "check-run": "Use true or false.",
    "pr-number": "Use the pull request number, e.g. 42, or leave it empty to take it from the event.",
    "commit-sha": "Use the full 40-character commit SHA, or leave it empty to take it from the event.",
    "on-fork": "Use fail (the default) or skip, for pull requests from forks, which get no secrets.",
    "progress-comment": "Use true or false.",
}


class PublishInputs(BaseModel):
    github_token: SecretStr | None = Field(None, alias="github-token")
    comment_mode: Annotated[Literal["always", "failures", "off"], BeforeValidator(lower)] = Field(
        "always", alias="comment-mode"
    )
    check_name: str = Field("Autosana", alias="check-name", min_length=1, max_length=100)
    check_run: Bool = Field(True, alias="check-run")
    pr_number: int | None = Field(None, alias="pr-number", gt=0)
    commit_sha: str | None = Field(None, alias="commit-sha", pattern=r"^[0-9a-fA-F]{40}$")
    on_fork: Annotated[Literal["fail", "skip"], BeforeValidator(lower)] = Field("fail", alias="on-fork")
    progress_comment: Bool = Field(False, alias="progress-comment")
