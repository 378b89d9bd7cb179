"""Run detail (GET /api/v1/runs/{run_id}) as the simulator makes it up: steps with screenshots,
issues, and links to device and network logs."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from .artifacts import ArtifactStore
from .plans import Batch, SimRun
from .run_artifacts import attach

_PLACEHOLDER = re.compile(r"\$\{(env|url):([A-Za-z_][A-Za-z0-9_]*)\}")


def fill(text: str, batch: Batch) -> str:
    variables = batch.request.get("variables")
    values: dict[str, Any] = variables if isinstance(variables, dict) else {}

    def value(match: re.Match[str]) -> str:
        found = str(values.get(match.group(2), ""))
        return quote(found, safe="") if match.group(1) == "url" else found

    return _PLACEHOLDER.sub(value, text)


def run_detail_body(
    batch: Batch, run: SimRun, status: str, *, final: bool, public_url: str, artifacts: ArtifactStore
) -> dict[str, Any]:
    """The detail of one run as the API answers it, from its plan and where it is now."""
    started = datetime.fromtimestamp(batch.created, UTC) + timedelta(seconds=run.plan.duration * 0.2)
    completed = datetime.fromtimestamp(batch.created, UTC) + timedelta(seconds=run.plan.duration)
    web = batch.request.get("app_id") is not None
    digest = hashlib.sha256(run.plan.name.encode()).digest()
    actions = _actions(run, status, started, completed, digest) if final else []
    if actions and run.plan.typed is not None:
        # A failed run fails at the typing step; a passed one types before its last step.
        actions[-1 if actions[-1]["status"] == "failed" else -2].update(
            type="send_keys",
            description="Type the password into the password field",
            value=fill(run.plan.typed, batch),
        )
    issues = run.plan.issues if run.plan.issues is not None else _issues(run, status, actions, digest)
    issues = [{k: fill(v, batch) if isinstance(v, str) else v for k, v in issue.items()} for issue in issues]
    return {
        "run_id": run.id,
        "flow_name": run.plan.name,
        "platform": "web" if web else batch.request.get("platform"),
        "status": status,
        "started_at": started.isoformat(),
        "completed_at": completed.isoformat() if final else None,
        "source": "ci",
        "actor": {"id": "f8d8fb05-6292-4daa-9bf4-b0cc3b40a366", "name": "Autosana CI", "type": "system"},
        "summary": fill(run.plan.summary, batch) if final and run.plan.summary is not None else None,
        "issues": issues,
        "url": f"{public_url}/runs/flow/{run.id}",
        **_artifact_urls(artifacts, batch, run, status, actions, perf=not digest[0] % 2),
        "actions": actions,
    }


def _artifact_urls(
    store: ArtifactStore, batch: Batch, run: SimRun, status: str, actions: list[dict[str, Any]], *, perf: bool
) -> dict[str, Any]:
    urls = attach(store, batch, run, status, actions)
    return {**urls, "performance_data_url": urls["performance_data_url"] if perf else None}


_STEPS = [
    ("tap", "Tap the 'Sign In' button", None),
    ("send_keys", "Type the email into the email field", "user@example.com"),
    ("scroll", "Scroll down to the product list", None),
    ("tap", "Tap the first product card", None),
    ("tap", "Tap 'Add to cart'", None),
    ("send_keys", "Type the card number", "4000 0000 0000 0069"),
    ("tap", "Tap 'Pay'", None),
]


def _actions(run: SimRun, status: str, started: datetime, completed: datetime, digest: bytes) -> list[dict[str, Any]]:
    count = 3 + digest[1] % 4
    span = (completed - started) / (count + 1)
    actions = []
    for position in range(1, count + 1):
        kind, description, value = _STEPS[(digest[2] + position) % len(_STEPS)]
        last = position == count
        step_status = "passed"
        if last and status in ("failed", "error", "terminated"):
            kind, description, value = "assert", f"Check that '{run.plan.name}' reaches its expected result", None
            step_status = "failed"
        elif last:
            kind, description, value = "pass", run.plan.summary or "Flow completed", None
        actions.append(
            {
                "id": f"{run.id}-a{position}",
                "position": position,
                "type": kind,
                "status": step_status,
                "description": description,
                "value": value,
                # Made signed URLs of the simulator's own storage by run_artifacts.attach.
                "screenshot_url": f"shots/{position}.png",
                "annotated_screenshot_url": None
                if last and step_status == "passed"
                else f"shots/{position}_annotated.png",
                "executed_at": (started + span * position).isoformat(),
            }
        )
    return actions


def _issues(run: SimRun, status: str, actions: list[dict[str, Any]], digest: bytes) -> list[dict[str, Any]]:
    if not actions:
        return []
    if status in ("failed", "error", "terminated"):
        return [
            {
                "type": "functional",
                "severity": "major",
                "title": re.split(r"[.;]| but ", run.plan.summary or "The flow did not reach its goal")[0][:100],
                "description": "Seen at the failing step; its annotated screenshot marks the element involved.",
                "actions": [actions[-1]["position"]],
            }
        ]
    if digest[4] % 3 == 0:
        return [
            {
                "type": "ux",
                "severity": "minor",
                "title": "No loading indicator",
                "description": "After the tap there is no visual loading state before the next screen appears.",
                "actions": [1],
            }
        ]
    return []
