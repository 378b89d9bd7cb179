"""An Autosana Runs API simulator on a local port, following the Runs API document: flows run
over time, batches report groups, runs and summaries, and the server fails the way real ones do
(401, 404, 422 with ``detail``, 429 with Retry-After, 5xx, resets, slow or malformed answers).

It also speaks what Autosana's own action (autosana-ci) sends and reads beyond that document:
changed flows of a commit (``run_changed_flows``, ``ref``) and the no-op answer when there are
none (``skipped`` with a ``reason``), code-managed ``flow_keys``/``suite_keys``, ``device`` and
``devices``, partial dispatch (``errors``), ``batch_url``, and counters that leave skipped runs
out and fold passing retries in. Group statuses can be planned (a setup failure: skipped runs in
an ``error`` group; a teardown failure: passed runs in an ``error`` group; ``terminated``).

It serves the tests and the ``demo`` command; nothing here is imported by a normal action run.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, Literal, Self
from urllib.parse import parse_qs, quote, urlsplit

from .local_server import LocalServer
from .storage_sim import StorageSimulator

FINAL = ("passed", "failed", "error", "terminated", "skipped")
SHA_RE = re.compile(r"^[0-9a-f]{40}$")
DEVICE_KEYS = frozenset({"physical", "model", "os_version"})
BROWSERS = {"chrome", "chromium", "firefox", "edge", "google chrome", "msedge", "microsoft edge"}
UUID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

FaultKind = Literal["status", "reset", "slow", "malformed", "html", "wrong_shape"]


@dataclass
class FlowPlan:
    name: str
    status: str = "passed"
    duration: float = 1.0  # seconds of simulated time from the trigger to the run's end
    summary: str | None = None
    issues: list[dict[str, Any]] | None = None  # None: made up from the outcome
    # A send_keys step types this (the failing step of a failed run). Here, in the summary and in issues,
    # ${env:NAME} becomes the batch's variable NAME and ${url:NAME} its URL-encoded form, the way
    # a real flow echoes what it typed.
    typed: str | None = None


@dataclass
class GroupPlan:
    name: str
    flows: list[FlowPlan]
    status: str | None = None  # the group's own final status; None: derived from its runs


@dataclass
class Fault:
    """One injected failure, used up by the first request whose path starts with ``path``."""

    kind: FaultKind
    path: str = "/api/v1/"
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0


@dataclass
class _Run:
    id: str
    plan: FlowPlan


@dataclass
class _Group:
    id: str
    name: str
    runs: list[_Run]
    status: str | None = None


@dataclass
class Batch:
    id: str
    created: float
    request: dict[str, Any]
    groups: list[_Group]
    summary_override: dict[str, int] = field(default_factory=dict)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: Any
    at: float = field(default_factory=time.time)


DEMO_SUITES: dict[str, GroupPlan] = {
    "11111111-1111-4111-8111-111111111111": GroupPlan(
        "Login Suite",
        [
            FlowPlan(
                "Login with valid credentials",
                "passed",
                1.5,
                "Signed in as the demo user and verified the dashboard loaded with the greeting.",
            ),
            FlowPlan(
                "Login with wrong password",
                "passed",
                2.0,
                "Entered a wrong password; the inline error 'Incorrect password' appeared and no session started.",
            ),
            FlowPlan(
                "Password reset email",
                "passed",
                3.0,
                "Requested a reset link; the confirmation screen appeared with the masked address.",
            ),
        ],
    ),
    "22222222-2222-4222-8222-222222222222": GroupPlan(
        "Checkout Suite",
        [
            FlowPlan(
                "Checkout with saved card",
                "passed",
                2.5,
                "Added two items, paid with the saved Visa, and saw the order confirmation number.",
            ),
            FlowPlan(
                "Checkout with expired card",
                "failed",
                3.5,
                "Expected the error 'Your card has expired' after tapping Pay, but the spinner never "
                "stopped and no message appeared within 30 s.",
            ),
            FlowPlan(
                "Apply promo code SPRING",
                "passed",
                2.0,
                "The promo code reduced the total by 10% and the new total was shown.",
            ),
        ],
    ),
    "33333333-3333-4333-8333-333333333333": GroupPlan(
        "Onboarding",
        [
            FlowPlan(
                "First launch walkthrough",
                "passed",
                1.0,
                "Swiped through the four onboarding cards and reached the sign-up screen.",
            ),
            # A first attempt Autosana skipped and retried; the passing retry is what counts.
            FlowPlan("Push notification prompt", "skipped", 0.5, "Skipped: the device was not ready; retrying."),
            FlowPlan(
                "Push notification prompt",
                "passed",
                2.0,
                "The permission prompt appeared on the retry and notifications were allowed.",
            ),
        ],
    ),
}
# The demo pull request's commit, and the code-managed flows it adds or edits.
DEMO_COMMIT = "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39"
DEMO_CHANGED_FLOWS: dict[str, FlowPlan] = {
    "auth/sign-in-with-apple": FlowPlan(
        "Sign in with Apple (new in this PR)",
        "passed",
        2.5,
        "Tapped 'Sign in with Apple', approved the sheet and landed on the dashboard.",
    ),
    "checkout/gift-card": FlowPlan(
        "Pay with a gift card (edited in this PR)",
        "passed",
        3.0,
        "Redeemed the gift card; the balance covered the order and the confirmation appeared.",
    ),
}
_GENERATED_NAMES = [
    "Smoke Suite",
    "Search",
    "Profile",
    "Settings",
    "Notifications",
    "Payments",
    "Cart",
    "Feed",
]
_GENERATED_FLOWS = [
    "Open the app",
    "Search for an item",
    "Edit the profile name",
    "Toggle dark mode",
    "Open a notification",
    "Add to cart",
    "Scroll the feed",
    "Sign out",
]


def generated_plan(key: str, duration: float = 1.0) -> GroupPlan:
    """A deterministic, all-passing group for any ID the test did not plan."""
    digest = hashlib.sha256(key.encode()).digest()
    name = _GENERATED_NAMES[digest[0] % len(_GENERATED_NAMES)]
    count = 2 + digest[1] % 3
    flows = [
        FlowPlan(
            _GENERATED_FLOWS[(digest[2] + i) % len(_GENERATED_FLOWS)],
            "passed",
            duration * (0.5 + (digest[3 + i] % 50) / 50),
            "Completed every step as instructed.",
        )
        for i in range(count)
    ]
    return GroupPlan(name, flows)


class AutosanaSimulator(LocalServer):
    thread_name = "autosana-sim"

    def __init__(
        self,
        *,
        api_keys: set[str] | None = None,
        time_scale: float = 1.0,
        default_duration: float = 1.0,
        public_url: str = "https://autosana.ai",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.api_keys = api_keys
        self.time_scale = time_scale
        self.default_duration = default_duration
        self.public_url = public_url.rstrip("/")
        self.plans: dict[str, GroupPlan] = dict(DEMO_SUITES)
        self.missing_ids: set[str] = set()
        self.ambiguous_flows: set[str] = set()
        self.builds: set[str] | None = None
        self.faults: list[Fault] = []
        self.detail_delay = 0.0  # seconds each run-detail answer waits
        self.requests: list[Recorded] = []
        self.batches: dict[str, Batch] = {}
        self.summary_override: dict[str, int] = {}
        self.detail_failure: int | None = None  # answer every run-detail request with this status
        # Builds: start-upload hands out URLs of this store; confirm-upload names the new build
        # under build_id_key ("build_id" like the real API, "app_build_id", or None for no id).
        self.storage = StorageSimulator(host=host)
        self.upload_url_ttl = 3600.0
        self.build_id_key: str | None = "build_id"
        self.registered: list[dict[str, Any]] = []
        self._issued: set[str] = set()
        # Code-managed flows changed by the pull request of a commit: ref -> {flow key: plan}.
        self.changed_flows: dict[str, dict[str, FlowPlan]] = {}
        # Selectors Autosana accepts but cannot submit (partial dispatch): id or key -> error.
        self.rejected: dict[str, str] = {}
        self.lock = threading.Lock()
        super().__init__(host, port, _handler_for(self))

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> Self:
        self.storage.start()
        return super().start()

    def serve_forever(self) -> None:
        """In the foreground (the CLI's simulator command), with the build storage beside it."""
        self.storage.start()
        try:
            self._server.serve_forever()
        finally:
            self.storage.stop()

    def stop(self) -> None:
        # Both servers wait up to half a second for their loop to notice: stop them together.
        storage = threading.Thread(target=self.storage.stop)
        storage.start()
        super().stop()
        storage.join()

    # -- test helpers --------------------------------------------------------------------------
    def plan(self, key: str, name: str, *flows: FlowPlan) -> str:
        self.plans[key] = GroupPlan(name, list(flows))
        return key

    def calls(self, path_prefix: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.path.startswith(path_prefix)]

    def completion_time(self, batch_id: str) -> float:
        """Wall-clock (time.time) moment the batch became complete."""
        batch = self.batches[batch_id]
        longest = max((r.plan.duration for g in batch.groups for r in g.runs), default=0.0)
        return batch.created + longest / self.time_scale

    # -- API -----------------------------------------------------------------------------------
    def elapsed(self, batch: Batch) -> float:
        return (time.time() - batch.created) * self.time_scale

    def trigger(self, body: Any) -> tuple[int, Any]:
        problem = _validate_trigger(body)
        if problem:
            return 422, {"detail": problem}
        ids = [*(body.get("suite_ids") or []), *(body.get("flow_ids") or [])]
        missing = [i for i in ids if i in self.missing_ids]
        if missing:
            return 404, {"detail": f"Suite or flow not found: {missing[0]}"}
        if body.get("app_build_id") and self.builds is not None and body["app_build_id"] not in self.builds:
            return 404, {"detail": "Build not found for this app"}
        overrides = body.get("suite_overrides") or {}
        assert isinstance(body, dict)
        for flow in body.get("flow_ids") or []:
            if flow in self.ambiguous_flows and body.get("resolve_suite_context", True) and flow not in overrides:
                return 400, {"detail": f"Flow {flow} belongs to multiple suites; pass suite_overrides"}
        flow_keys = list(body.get("flow_keys") or [])
        keys = [
            *ids,
            *(f"label:{label}" for label in (body.get("labels") or [])),
            *flow_keys,
            *(f"suite:{key}" for key in (body.get("suite_keys") or [])),
        ]
        errors: list[Any] = []
        groups = []
        for key in keys:
            if key in self.rejected:
                # Both shapes the API uses: an object for a flow, a plain string otherwise.
                flow = key in (body.get("flow_ids") or []) or key in flow_keys
                errors.append({"flow_id": key, "error": self.rejected[key]} if flow else f"{key}: {self.rejected[key]}")
                continue
            plan = self.plans.get(key) or generated_plan(key, self.default_duration)
            groups.append(
                _Group(str(uuid.uuid4()), plan.name, [_Run(str(uuid.uuid4()), f) for f in plan.flows], plan.status)
            )
        if body.get("run_changed_flows"):
            changed = {k: f for k, f in self.changed_flows.get(body.get("ref") or "", {}).items() if k not in flow_keys}
            if changed:
                runs = [_Run(str(uuid.uuid4()), flow) for flow in changed.values()]
                groups.append(_Group(str(uuid.uuid4()), "Changed flows", runs))
            elif not keys:
                return 200, {
                    "status": "skipped",
                    "skipped": True,
                    "reason": self._no_change_reason(body),
                    "batch_id": None,
                    "flow_run_count": 0,
                }
        if not groups:
            return 200, {"status": "error", "batch_id": None, "flow_run_count": 0, "errors": errors}
        batch = Batch(str(uuid.uuid4()), time.time(), body, groups, dict(self.summary_override))
        with self.lock:
            self.batches[batch.id] = batch
        answer: dict[str, Any] = {
            "status": "success",
            "batch_id": batch.id,
            "batch_url": f"{self.public_url}/runs/batches/{batch.id}",
            "flow_group_run_ids": [g.id for g in groups],
            # A retry is started later, so what is announced is one run per flow.
            "flow_run_count": sum(len({r.plan.name for r in g.runs}) for g in groups),
        }
        if errors:
            answer["errors"] = errors
        return 200, answer

    def _no_change_reason(self, body: dict[str, Any]) -> str:
        ref = body.get("ref")
        if ref in self.changed_flows:
            return f"No code-managed flows changed in pull request #{body.get('pr_number') or '?'}."
        return f"No pull request with changed flows is associated with commit {str(ref or 'unknown')[:12]}."

    def start_upload(self, body: Any) -> tuple[int, Any]:
        problem = _require(body, ("bundle_id", "platform", "filename"))
        if problem:
            return 422, {"detail": problem}
        platform = str(body["platform"])
        if not (platform.startswith(("android", "ios")) or platform == "chrome-extension"):
            return 400, {"detail": f"Unsupported platform: {platform}"}
        key = f"uploads/{uuid.uuid4()}/{body['filename']}"
        with self.lock:
            self._issued.add(key)
        answer: dict[str, Any] = {"upload_url": self.storage.presign(key, self.upload_url_ttl), "file_path": key}
        if platform == "android-arm64-gplay":
            answer["warnings"] = ["Platform android-arm64-gplay is deprecated; use android."]
        return 200, answer

    def confirm_upload(self, body: Any) -> tuple[int, Any]:
        problem = _require(body, ("bundle_id", "platform", "uploaded_file_path"))
        if problem:
            return 422, {"detail": problem}
        key = body["uploaded_file_path"]
        if key not in self._issued or not self.storage.has(key):
            return 400, {"detail": f"Uploaded file not found: {key}"}
        return self._register(body, body["bundle_id"])

    def upload_web_build(self, body: Any) -> tuple[int, Any]:
        problem = _require(body, ("app_id", "url"))
        if problem:
            return 422, {"detail": problem}
        dependencies = body.get("dependencies")
        if dependencies is not None and not isinstance(dependencies, list):
            return 422, {"detail": [{"loc": ["body", "dependencies"], "msg": "Input should be a valid list"}]}
        return self._register(body, body["app_id"])

    def _register(self, body: dict[str, Any], app: str) -> tuple[int, Any]:
        build_id = str(uuid.uuid4())
        with self.lock:
            self.registered.append({**body, "build_id": build_id})
            if self.builds is not None:
                self.builds.add(build_id)
        answer: dict[str, Any] = {"status": "success", "app_id": app, "message": "Build registered"}
        if self.build_id_key:
            answer[self.build_id_key] = build_id
        return 200, answer

    def run_status(self, batch: Batch, run: _Run) -> str:
        elapsed = self.elapsed(batch)
        if elapsed >= run.plan.duration:
            return run.plan.status
        return "queued" if elapsed < run.plan.duration * 0.2 else "running"

    def status(self, batch_id: str) -> tuple[int, Any]:
        batch = self.batches.get(batch_id)
        if batch is None:
            return 404, {"detail": "Batch not found"}
        counts = dict.fromkeys(FINAL, 0)
        groups_out, all_final, failed_groups, retried = [], True, 0, 0
        for group in batch.groups:
            runs_out = []
            statuses = []
            listed: list[_Run] = []
            attempt_ended: dict[str, bool] = {}
            for run in group.runs:
                status = self.run_status(batch, run)
                if attempt_ended.get(run.plan.name) is False:
                    all_final = False
                    continue  # a retry appears once the attempt before it has ended
                attempt_ended[run.plan.name] = status in FINAL
                listed.append(run)
                statuses.append(status)
                if status in counts:
                    counts[status] += 1
                final = status in FINAL or self.elapsed(batch) >= run.plan.duration
                all_final &= final
                entry = {
                    "id": run.id,
                    "name": run.plan.name,
                    "status": status,
                    "url": f"{self.public_url}/runs/flow/{run.id}",
                }
                if final and run.plan.summary is not None:
                    entry["summary"] = _fill(run.plan.summary, batch)
                runs_out.append(entry)
            passed_names = {run.plan.name for run, st in zip(listed, statuses, strict=True) if st == "passed"}
            retried += sum(
                st == "skipped" and run.plan.name in passed_names for run, st in zip(listed, statuses, strict=True)
            )
            if any(s in ("queued", "running") for s in statuses):
                group_status = "running"
            elif group.status is not None:
                group_status = group.status
            elif all(s in ("passed", "skipped") for s in statuses):
                group_status = "passed"
            else:
                group_status = "failed"
            failed_groups += group_status not in ("passed", "running")
            groups_out.append(
                {
                    "name": group.name,
                    "status": group_status,
                    "url": f"{self.public_url}/runs/groups/{group.id}",
                    "source": "ci",
                    "actor": {
                        "id": "f8d8fb05-6292-4daa-9bf4-b0cc3b40a366",
                        "name": "Autosana CI",
                        "type": "system",
                    },
                    "runs": runs_out,
                }
            )
        # Like the API: skipped runs stay out of the total, and a skipped attempt that a passing
        # retry of the same flow replaced is not counted at all.
        counts["skipped"] -= retried
        summary = {
            "total_groups": len(batch.groups),
            "passed_groups": sum(g["status"] == "passed" for g in groups_out),
            "failed_groups": failed_groups,
            "total_flows": sum(counts[s] for s in FINAL if s != "skipped"),
            **{f"{s}_flows": counts[s] for s in FINAL},
        }
        summary.update(batch.summary_override)
        request = batch.request
        platform = request.get("platform") or "web"
        variables = request.get("variables")
        git_vars: dict[str, Any] = variables if isinstance(variables, dict) else {}
        return 200, {
            "batch_id": batch.id,
            "is_complete": all_final,
            "timestamp": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "app": {
                "id": request.get("bundle_id") or request.get("app_id"),
                "name": "Demo Shop",
                "platform": platform,
                "url": "https://storage.example.com/builds/app.apk",
            },
            "git": {"commit_sha": request.get("ref") or git_vars.get("COMMIT_SHA"), "branch": git_vars.get("BRANCH")},
            "summary": summary,
            "run_groups": groups_out,
        }

    def run_detail(self, run_id: str) -> tuple[int, Any]:
        if self.detail_failure is not None:
            return self.detail_failure, {"detail": "Run details are unavailable"}
        for batch in self.batches.values():
            for group in batch.groups:
                for run in group.runs:
                    if run.id == run_id:
                        return 200, self._detail(batch, group, run)
        return 404, {"detail": "Run not found"}

    def _detail(self, batch: Batch, group: _Group, run: _Run) -> dict[str, Any]:
        status = self.run_status(batch, run)
        final = status in FINAL or self.elapsed(batch) >= run.plan.duration
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
                value=_fill(run.plan.typed, batch),
            )
        issues = run.plan.issues if run.plan.issues is not None else _issues(run, status, actions, digest)
        issues = [{k: _fill(v, batch) if isinstance(v, str) else v for k, v in issue.items()} for issue in issues]
        return {
            "run_id": run.id,
            "flow_name": run.plan.name,
            "platform": "web" if web else batch.request.get("platform"),
            "status": status,
            "started_at": started.isoformat(),
            "completed_at": completed.isoformat() if final else None,
            "source": "ci",
            "actor": {"id": "f8d8fb05-6292-4daa-9bf4-b0cc3b40a366", "name": "Autosana CI", "type": "system"},
            "summary": _fill(run.plan.summary, batch) if final and run.plan.summary is not None else None,
            "issues": issues,
            "url": f"{self.public_url}/runs/flow/{run.id}",
            "performance_data_url": None if digest[0] % 2 else f"https://storage.example.com/perf/{run.id}.json",
            "device_log_url": f"https://storage.example.com/logs/{run.id}/device.log?token=sim",
            "network_log_url": f"https://storage.example.com/logs/{run.id}/network.jsonl?token=sim" if web else None,
            "actions": actions,
        }


_PLACEHOLDER = re.compile(r"\$\{(env|url):([A-Za-z_][A-Za-z0-9_]*)\}")


def _fill(text: str, batch: Batch) -> str:
    variables = batch.request.get("variables")
    values: dict[str, Any] = variables if isinstance(variables, dict) else {}

    def value(match: re.Match[str]) -> str:
        found = str(values.get(match.group(2), ""))
        return quote(found, safe="") if match.group(1) == "url" else found

    return _PLACEHOLDER.sub(value, text)


_STEPS = [
    ("tap", "Tap the 'Sign In' button", None),
    ("send_keys", "Type the email into the email field", "user@example.com"),
    ("scroll", "Scroll down to the product list", None),
    ("tap", "Tap the first product card", None),
    ("tap", "Tap 'Add to cart'", None),
    ("send_keys", "Type the card number", "4000 0000 0000 0069"),
    ("tap", "Tap 'Pay'", None),
]


def _actions(run: _Run, status: str, started: datetime, completed: datetime, digest: bytes) -> list[dict[str, Any]]:
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
                "screenshot_url": f"https://storage.example.com/shots/{run.id}/{position}.png",
                "annotated_screenshot_url": None
                if last and step_status == "passed"
                else f"https://storage.example.com/shots/{run.id}/{position}_annotated.png",
                "executed_at": (started + span * position).isoformat(),
            }
        )
    return actions


def _issues(run: _Run, status: str, actions: list[dict[str, Any]], digest: bytes) -> list[dict[str, Any]]:
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


def _require(body: Any, fields: tuple[str, ...]) -> Any:
    if not isinstance(body, dict):
        return [{"loc": ["body"], "msg": "Input should be a valid dictionary", "type": "dict_type"}]
    missing = [f for f in fields if not isinstance(body.get(f), str) or not body[f]]
    return [{"loc": ["body", f], "msg": "Field required", "type": "missing"} for f in missing] or None


def _validate_trigger(body: Any) -> Any:
    if not isinstance(body, dict):
        return [{"loc": ["body"], "msg": "Input should be a valid dictionary", "type": "dict_type"}]
    errors: list[dict[str, Any]] = []
    for key in ("suite_ids", "flow_ids", "labels"):
        value = body.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            errors.append({"loc": ["body", key], "msg": "Input should be a valid list of strings", "type": "list_type"})
        elif key != "labels":
            errors.extend(
                {"loc": ["body", key, i], "msg": "Input should be a valid UUID", "type": "uuid_parsing"}
                for i, v in enumerate(value or [])
                if not UUID_RE.match(v)
            )
    for key in ("flow_keys", "suite_keys"):
        value = body.get(key)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) and v for v in value)):
            errors.append({"loc": ["body", key], "msg": "Input should be a valid list of strings", "type": "list_type"})
    for key in ("run_changed_flows", "report_to_github"):
        if key in body and not isinstance(body[key], bool):
            errors.append({"loc": ["body", key], "msg": "Input should be a valid boolean", "type": "bool_type"})
    if "ref" in body and not (isinstance(body["ref"], str) and SHA_RE.match(body["ref"])):
        errors.append({"loc": ["body", "ref"], "msg": "ref must be a full commit SHA", "type": "value_error"})
    pr_number = body.get("pr_number")
    if pr_number is not None and (not isinstance(pr_number, int) or isinstance(pr_number, bool) or pr_number < 1):
        errors.append({"loc": ["body", "pr_number"], "msg": "Input should be a positive integer", "type": "int_type"})
    ci = body.get("ci")
    if ci is not None and (not isinstance(ci, dict) or not isinstance(ci.get("publish_check", False), bool)):
        errors.append({"loc": ["body", "ci"], "msg": "Input should be a valid dictionary", "type": "dict_type"})
    errors += _device_errors(body)
    if errors:
        return errors
    if not body.get("bundle_id") and not body.get("app_id"):
        return "Either bundle_id or app_id is required"
    if body.get("bundle_id") and body.get("platform") not in ("ios", "android"):
        return "platform must be 'ios' or 'android' when bundle_id is provided"
    keyed = body.get("flow_keys") or body.get("suite_keys")
    if keyed and (body.get("suite_ids") or body.get("flow_ids") or body.get("labels")):
        return "flow_keys and suite_keys cannot be combined with flow_ids, suite_ids or labels"
    if not (
        keyed or body.get("suite_ids") or body.get("flow_ids") or body.get("labels") or body.get("run_changed_flows")
    ):
        return "At least one of suite_ids or flow_ids is required"
    if body.get("device") is not None and body.get("devices") is not None:
        return "Pass device or devices, not both"
    if body.get("app_id") and (body.get("device") is not None or body.get("devices") is not None):
        return "Device selection is for mobile apps"
    browser = body.get("web_browser")
    if browser is not None and str(browser).lower() not in BROWSERS:
        return f"Unsupported web_browser: {browser}"
    variables = body.get("variables")
    if variables is not None and not isinstance(variables, str | dict):
        return [{"loc": ["body", "variables"], "msg": "Input should be a string or an object", "type": "union"}]
    return None


def _device_errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    def bad(device: Any) -> bool:
        if not isinstance(device, dict) or set(device) - DEVICE_KEYS or not isinstance(device.get("physical"), bool):
            return True
        return any(
            k in device and not (isinstance(device[k], str) and device[k].strip()) for k in ("model", "os_version")
        )

    errors = []
    if "device" in body and bad(body["device"]):
        errors.append({"loc": ["body", "device"], "msg": "Input should be a valid device", "type": "model_type"})
    devices = body.get("devices")
    if "devices" in body and (not isinstance(devices, list) or len(devices) != 2 or any(bad(d) for d in devices)):
        errors.append({"loc": ["body", "devices"], "msg": "Input should be two valid devices", "type": "list_type"})
    return errors


def _handler_for(sim: AutosanaSimulator) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "autosana-simulator"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def _handle(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body: Any = json.loads(raw) if raw else None
            except ValueError:
                body = _INVALID_JSON
            parts = urlsplit(self.path)
            with sim.lock:
                sim.requests.append(Recorded(method, parts.path, dict(self.headers), body))
                fault = next((f for f in sim.faults if parts.path.startswith(f.path)), None)
                if fault is not None:
                    sim.faults.remove(fault)
            if fault is not None and self._inject(fault):
                return
            key = self.headers.get("X-API-Key")
            if not key or (sim.api_keys is not None and key not in sim.api_keys):
                self._json(401, {"detail": "Invalid or missing API key"})
                return
            if method == "POST" and parts.path == "/api/v1/flows/run":
                if body is _INVALID_JSON:
                    self._json(
                        422,
                        {"detail": [{"loc": ["body"], "msg": "JSON decode error", "type": "json_invalid"}]},
                    )
                    return
                self._json(*sim.trigger(body))
            elif method == "POST" and parts.path in _BUILD_ROUTES:
                self._json(*getattr(sim, _BUILD_ROUTES[parts.path])(None if body is _INVALID_JSON else body))
            elif method == "GET" and parts.path == "/api/v1/runs/status":
                batch_ids = parse_qs(parts.query).get("batch_id")
                if not batch_ids:
                    self._json(
                        422,
                        {"detail": [{"loc": ["query", "batch_id"], "msg": "Field required", "type": "missing"}]},
                    )
                    return
                self._json(*sim.status(batch_ids[0]))
            elif method == "GET" and parts.path.startswith("/api/v1/runs/"):
                time.sleep(sim.detail_delay)  # a slow run-detail endpoint (status stays fast)
                self._json(*sim.run_detail(parts.path.rsplit("/", 1)[-1]))
            else:
                self._json(404, {"detail": "Not Found"})

        def _inject(self, fault: Fault) -> bool:
            """Apply the fault; False when the request should then be served normally. A delay
            makes any fault slow (a slow 503, a slow reset); "slow" alone then answers normally."""
            time.sleep(fault.delay)
            if fault.kind == "slow":
                return False
            if fault.kind == "reset":
                # An abortive close: the client sees a connection reset, not a clean EOF.
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                self.close_connection = True
                self.connection.close()
                return True
            if fault.kind == "malformed":
                self._raw(200, b'{"batch_id": "x", "is_complete": tr', "application/json")
            elif fault.kind == "wrong_shape":
                self._json(200, {"unexpected": True})
            elif fault.kind == "html":
                self._raw(fault.status, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
            else:
                body = fault.body if fault.body is not None else {"detail": HTTPStatus(fault.status).phrase}
                self._json(fault.status, body, fault.headers)
            return True

        def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            self._raw(status, json.dumps(payload).encode(), "application/json", headers)

        def _raw(self, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


_INVALID_JSON = object()
_BUILD_ROUTES = {
    "/api/ci/start-upload": "start_upload",
    "/api/ci/confirm-upload": "confirm_upload",
    "/api/ci/upload-web-build": "upload_web_build",
}
