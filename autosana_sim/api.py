"""An Autosana Runs API simulator on a local port, following the Runs API document: flows run
over time, batches report groups, runs and summaries, and the server fails the way real ones do
(401, 404, 422 with ``detail``, 429 with Retry-After, 5xx, resets, slow or malformed answers).

It also speaks what Autosana's own action (autosana-ci) sends and reads beyond that document:
changed flows of a commit (``run_changed_flows``, ``ref``) and the no-op answer when there are
none (``skipped`` with a ``reason``), code-managed ``flow_keys``/``suite_keys``, ``device`` and
``devices``, partial dispatch (``errors``), ``batch_url``, and counters that leave skipped runs
out and fold passing retries in. Group statuses can be planned (a setup failure: skipped runs in
an ``error`` group; a teardown failure: passed runs in an ``error`` group; ``terminated``).

It serves the tests and the ``demo`` command; the action's image does not contain it.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any, Literal, Self

from .artifacts import ArtifactStore
from .builds import BuildEndpoints
from .demo_data import DEMO_SUITES, generated_plan
from .handler import handler_for
from .plans import FINAL, Batch, Fault, FlowPlan, GroupPlan, Recorded, SimGroup, SimRun
from .run_detail import fill, run_detail_body
from .server import LocalServer
from .storage import StorageSimulator
from .supabase import SupabaseStorage
from .validation import trigger_problem


class AutosanaSimulator(BuildEndpoints, LocalServer):
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
        storage: Literal["s3", "supabase"] = "s3",
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
        self.artifacts = ArtifactStore(host=host)  # the runs' screenshots and logs, signed like object storage
        # storage="supabase": upload URLs are Supabase signed upload URLs (with its TUS endpoint).
        self.supabase = SupabaseStorage(host=host) if storage == "supabase" else None
        # confirm-upload's other fields: the automations the upload started, and warnings.
        self.triggered_flows: list[dict[str, Any]] | None = None
        self.confirm_warnings: list[str] = []
        self.upload_url_ttl = 3600.0
        self.build_id_key: str | None = "build_id"
        self.registered: list[dict[str, Any]] = []
        self._issued: set[str] = set()
        # Code-managed flows changed by the pull request of a commit: ref -> {flow key: plan}.
        self.changed_flows: dict[str, dict[str, FlowPlan]] = {}
        # Selectors Autosana accepts but cannot submit (partial dispatch): id or key -> error.
        self.rejected: dict[str, str] = {}
        self.lock = threading.Lock()
        super().__init__(host, port, handler_for(self))

    # -- lifecycle -----------------------------------------------------------------------------
    @property
    def stores(self) -> list[StorageSimulator | SupabaseStorage | ArtifactStore]:
        return [self.storage, self.artifacts, *([self.supabase] if self.supabase else [])]

    def start(self) -> Self:
        for store in self.stores:
            store.start()
        return super().start()

    def serve_forever(self) -> None:
        """In the foreground (the CLI's simulator command), with the build and artifact storage beside it."""
        for store in self.stores:
            store.start()
        try:
            self._server.serve_forever()
        finally:
            for store in self.stores:
                store.stop()

    def stop(self) -> None:
        # Every server waits up to half a second for its loop to notice: stop them together.
        stopping = [threading.Thread(target=store.stop) for store in self.stores]
        for thread in stopping:
            thread.start()
        super().stop()
        for thread in stopping:
            thread.join()

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

    def _refusal(self, body: Any) -> tuple[int, Any] | None:
        problem = trigger_problem(body)
        if problem:
            return 422, {"detail": problem}
        ids = [*(body.get("suite_ids") or []), *(body.get("flow_ids") or [])]
        missing = [i for i in ids if i in self.missing_ids]
        if missing:
            return 404, {"detail": f"Suite or flow not found: {missing[0]}"}
        if body.get("app_build_id") and self.builds is not None and body["app_build_id"] not in self.builds:
            return 404, {"detail": "Build not found for this app"}
        overrides = body.get("suite_overrides") or {}
        for flow in body.get("flow_ids") or []:
            if flow in self.ambiguous_flows and body.get("resolve_suite_context", True) and flow not in overrides:
                return 400, {"detail": f"Flow {flow} belongs to multiple suites; pass suite_overrides"}
        return None

    def trigger(self, body: Any) -> tuple[int, Any]:
        refusal = self._refusal(body)
        if refusal is not None:
            return refusal
        assert isinstance(body, dict)
        ids = [*(body.get("suite_ids") or []), *(body.get("flow_ids") or [])]
        flow_keys = list(body.get("flow_keys") or [])
        keys = [
            *ids,
            *(f"label:{label}" for label in (body.get("labels") or [])),
            *flow_keys,
            *(f"suite:{key}" for key in (body.get("suite_keys") or [])),
            *(f"folder:{path}" for path in (body.get("folder_paths") or [])),
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
                SimGroup(str(uuid.uuid4()), plan.name, [SimRun(str(uuid.uuid4()), f) for f in plan.flows], plan.status)
            )
        if body.get("run_changed_flows"):
            changed = {k: f for k, f in self.changed_flows.get(body.get("ref") or "", {}).items() if k not in flow_keys}
            if changed:
                runs = [SimRun(str(uuid.uuid4()), flow) for flow in changed.values()]
                groups.append(SimGroup(str(uuid.uuid4()), "Changed flows", runs))
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

    def run_status(self, batch: Batch, run: SimRun) -> str:
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
            entry, group_final, group_retried = self._group_status(batch, group, counts)
            all_final &= group_final
            retried += group_retried
            failed_groups += entry["status"] not in ("passed", "running")
            groups_out.append(entry)
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

    def _group_status(self, batch: Batch, group: SimGroup, counts: dict[str, int]) -> tuple[dict[str, Any], bool, int]:
        """One group as the status answer shows it (counting its runs into ``counts``), whether
        all of its runs are final, and how many skipped attempts a passing retry replaced."""
        runs_out = []
        statuses = []
        listed: list[SimRun] = []
        attempt_ended: dict[str, bool] = {}
        all_final = True
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
                entry["summary"] = fill(run.plan.summary, batch)
            runs_out.append(entry)
        passed_names = {run.plan.name for run, st in zip(listed, statuses, strict=True) if st == "passed"}
        retried = sum(
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
        out = {
            "name": group.name,
            "status": group_status,
            "url": f"{self.public_url}/runs/groups/{group.id}",
            "source": "ci",
            "actor": {"id": "f8d8fb05-6292-4daa-9bf4-b0cc3b40a366", "name": "Autosana CI", "type": "system"},
            "runs": runs_out,
        }
        return out, all_final, retried

    def run_detail(self, run_id: str) -> tuple[int, Any]:
        if self.detail_failure is not None:
            return self.detail_failure, {"detail": "Run details are unavailable"}
        for batch in self.batches.values():
            for group in batch.groups:
                for run in group.runs:
                    if run.id == run_id:
                        return 200, self._detail(batch, group, run)
        return 404, {"detail": "Run not found"}

    def _detail(self, batch: Batch, group: SimGroup, run: SimRun) -> dict[str, Any]:
        status = self.run_status(batch, run)
        final = status in FINAL or self.elapsed(batch) >= run.plan.duration
        return run_detail_body(batch, run, status, final=final, public_url=self.public_url, artifacts=self.artifacts)
