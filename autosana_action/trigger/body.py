"""The flows/run request body: target app, selectors, the commit the flows are resolved from,
devices, and the CI facts Autosana needs to report on GitHub itself.

Strict in what it sends: only the fields a setting asks for, in the shapes Autosana's own
action (autosana-ci) sends them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..settings import Settings
from .devices import parse_devices
from .inputs import platform_family

LATEST = "latest"


@dataclass(frozen=True)
class GitTarget:
    """The commit the flows are resolved from (``ref``), where that commit was found, the
    repository, and the pull request only when it belongs to that commit and repository."""

    ref: str | None = None
    source: str = ""
    repo_full_name: str | None = None
    pr_number: int | None = None


@dataclass(frozen=True)
class CiRun:
    workflow_run_id: str | None = None
    workflow_run_attempt: str | None = None
    job: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> CiRun:
        return cls(
            env.get("GITHUB_RUN_ID") or None, env.get("GITHUB_RUN_ATTEMPT") or None, env.get("GITHUB_JOB") or None
        )


def device_fields(settings: Settings) -> dict[str, Any]:
    """``devices`` (two targets) or ``device`` (one); nothing when the backend may pick the
    rolling latest. Web runs take no device."""
    if settings.is_web:
        return {}
    if settings.devices:
        return {"devices": parse_devices(settings.devices)}
    device: dict[str, Any] = {"physical": settings.physical_device}
    for key, value in (("model", settings.device_model), ("os_version", settings.os_version)):
        if value and value.lower() != LATEST:
            device[key] = value
    return {"device": device} if settings.physical_device or len(device) > 1 else {}


def trigger_body(
    settings: Settings, variables: Mapping[str, str], git: GitTarget, ci: CiRun, new_build: str | None = None
) -> dict[str, Any]:
    """``new_build``: the build this step uploaded, when Autosana named it; the flows are pinned to it."""
    body = _app_fields(settings, new_build)
    body.update(_selector_fields(settings))
    if variables:
        body["variables"] = dict(variables)
    body.update(device_fields(settings))
    body["run_changed_flows"] = settings.run_changed_flows
    if git.repo_full_name:
        body["repo_full_name"] = git.repo_full_name
    if git.ref:
        body["ref"] = git.ref
    if git.pr_number is not None:
        body["pr_number"] = git.pr_number
    body["report_to_github"] = settings.sends_report_to_github
    body.update(_ci_fields(settings, ci))
    return body


def _app_fields(settings: Settings, new_build: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if settings.bundle_id:
        body["bundle_id"] = settings.bundle_id
        body["platform"] = platform_family(settings.platform or "")
    else:
        body["app_id"] = settings.app_id
        if settings.web_browser:
            body["web_browser"] = settings.web_browser
        if settings.dependencies is not None:
            body["dependencies"] = settings.dependencies
    if settings.environment:
        body["environment"] = settings.environment
    if settings.location and settings.bundle_id:
        body["location"] = settings.location
    if new_build or settings.app_build_id:
        body["app_build_id"] = new_build or str(settings.app_build_id)
    return body


def _selector_fields(settings: Settings) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if settings.flow_keys or settings.suite_keys:
        body["flow_keys"] = list(settings.flow_keys)
        body["suite_keys"] = list(settings.suite_keys)
    if settings.folder_paths:
        body["folder_paths"] = list(settings.folder_paths)
    if settings.suite_ids:
        body["suite_ids"] = [str(s) for s in settings.suite_ids]
    if settings.flow_ids:
        body["flow_ids"] = [str(f) for f in settings.flow_ids]
        body["resolve_suite_context"] = settings.resolve_suite_context
        if settings.suite_overrides and settings.resolve_suite_context:
            body["suite_overrides"] = {str(k): str(v) for k, v in settings.suite_overrides.items()}
    if settings.labels:
        body["labels"] = list(settings.labels)
    return body


def _ci_fields(settings: Settings, ci: CiRun) -> dict[str, Any]:
    context: dict[str, Any] = {
        "workflow_run_id": ci.workflow_run_id,
        "workflow_run_attempt": ci.workflow_run_attempt,
        "job": ci.job,
    }
    return {"ci": {k: v for k, v in context.items() if v} | {"publish_check": not settings.wait}}
