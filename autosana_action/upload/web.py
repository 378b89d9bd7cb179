"""Web builds: register the URL under test (e.g. a preview deployment) with upload-web-build."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..autosana.client import AutosanaClient
from ..settings import Settings
from ..urls import shown_url
from ..workflow import Workflow, plain
from .facts import BuildOutcome, GitFacts
from .mobile import variables_text


def register_web_build(
    client: AutosanaClient,
    settings: Settings,
    git: GitFacts,
    variables: Mapping[str, str],
    wf: Workflow,
) -> BuildOutcome:
    assert settings.app_id and settings.url
    body: dict[str, Any] = {
        "app_id": settings.app_id,
        "url": settings.url,
        "commit_sha": git.commit_sha,
        "branch_name": git.branch_name,
        "repo_full_name": git.repo_full_name,
    }
    if settings.name:  # name creates or renames the app: never sent empty
        body["name"] = settings.name
    if settings.environment:
        body["environment"] = settings.environment
    if variables:
        body["variables"] = variables_text(variables)
    if settings.dependencies is not None:
        body["dependencies"] = settings.dependencies
    # The URL is sent as given, but shown (log, report, the build-url output) without its
    # credentials or share token.
    shown = shown_url(settings.url)
    wf.info(f"Registering {shown} as a build of web app {settings.app_id}")
    registered = client.upload_web_build(body)
    for warning in registered.warnings:
        wf.warning(plain(warning, 500), title="Autosana web build")
    return BuildOutcome(registered.new_build_id, shown, {"build-url": shown})
