"""The artifacts a run leaves in the simulator's own storage (never an outside host): a screenshot
of each step (and an annotated one where the step failed or acted), a device log, and for web
runs a network log. A failing run's logs hold its crash: an Android ``FATAL EXCEPTION`` (logcat),
an iOS uncaught exception (syslog), or a web console error with a 500 and a DNS failure in the
network log, timed at its failing step."""

from __future__ import annotations

import json
from datetime import datetime
from functools import lru_cache
from typing import Any

from . import demo_logs
from .artifacts import ArtifactStore, Blob
from .demo_images import screenshot
from .plans import Batch, SimRun

# A plan's device_log that names a log the storage does not have (a 404 on reading it).
MISSING_LOG = "\x00missing"
DEMO_ORIGIN = "https://shop.example.com"
IOS_PROCESS = "DemoShop"
FAILING = ("failed", "error", "terminated")


@lru_cache(maxsize=64)
def _shot(web: bool, annotated: bool, step: int) -> bytes:
    return screenshot(web=web, annotated=annotated, step=step)


def _made_up_log(platform: str, batch: Batch, failing: bool, step_at: datetime) -> str:
    app = str(batch.request.get("bundle_id") or "com.company.app")
    if platform == "web":
        return demo_logs.web_console(step_at, DEMO_ORIGIN) if failing else ""
    if not failing:
        return f"{step_at:%m-%d %H:%M:%S}.000  4321  4321 I ActivityManager: Displayed {app}/.MainActivity\n"
    if platform.startswith("ios"):
        return demo_logs.ios_uncaught(step_at, IOS_PROCESS)
    return demo_logs.android_crash(step_at, app)


def attach(
    store: ArtifactStore, batch: Batch, run: SimRun, status: str, actions: list[dict[str, Any]]
) -> dict[str, Any]:
    """Signed URLs of the run's artifacts, stored on first ask; the actions' screenshot URLs are
    set in place."""
    web = batch.request.get("app_id") is not None
    platform = "web" if web else str(batch.request.get("platform") or "android")
    for action in actions:
        position = int(action["position"])
        action["screenshot_url"] = _put(
            store, f"{run.id}/shots/{position}.png", lambda p=position: _shot(web, False, p)
        )
        if action.get("annotated_screenshot_url") is not None:
            action["annotated_screenshot_url"] = _put(
                store, f"{run.id}/shots/{position}_annotated.png", lambda p=position: _shot(web, True, p)
            )
    if not actions:
        return {"device_log_url": None, "network_log_url": None, "performance_data_url": None}
    step_at = datetime.fromisoformat(actions[-1]["executed_at"])
    failing = status in FAILING
    planned = run.plan.device_log
    device = planned if planned is not None else _made_up_log(platform, batch, failing, step_at)
    urls = {
        "device_log_url": _put(store, f"{run.id}/device.log", lambda: device),
        "network_log_url": None,
        "performance_data_url": _put(store, f"{run.id}/perf.json", lambda: json.dumps({"cpu": [12, 30, 18]})),
    }
    if web:
        network = demo_logs.web_network(step_at, DEMO_ORIGIN) if failing else ""
        urls["network_log_url"] = _put(store, f"{run.id}/network.jsonl", lambda: network)
    return urls


def _put(store: ArtifactStore, key: str, make: Any) -> str:
    """The object's signed URL; its content made and stored only the first time."""
    if key not in store.objects:
        content: str | bytes | Blob = make()
        if content == MISSING_LOG:
            return store.sign(key)
        store.put(key, content)
    return store.sign(key)
