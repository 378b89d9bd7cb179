"""The CLI's ``demo`` and ``simulator`` commands: the action against the simulator, and the
simulator served on its own."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import zipfile
from pathlib import Path

from autosana_action.action import ActionRun

from .api import AutosanaSimulator
from .demo_data import DEMO_CHANGED_FLOWS, DEMO_COMMIT, DEMO_SUITES, DEMO_WEB_PLAN, DEMO_WEB_SUITE


def run_demo(summary_path: Path, poll_interval: str) -> int:
    """The whole action against the simulator, with a generated build, then a web app's job; prints
    what a user would see (both jobs' summaries, as two steps of one job)."""

    # The results JSON lands next to the summary, so the path the demo prints is real.
    workspace = summary_path.resolve().parent
    summary_path.write_text("", encoding="utf-8")  # the action names it in its log
    with AutosanaSimulator() as sim, tempfile.TemporaryDirectory() as tmp:
        # The suites are selected; the PR's changed code-managed flows join them in one batch.
        sim.changed_flows[DEMO_COMMIT] = dict(DEMO_CHANGED_FLOWS)
        sim.plans[DEMO_WEB_SUITE] = DEMO_WEB_PLAN
        output_file = Path(tmp, "output")
        build = _demo_build(Path(tmp))
        common = {
            # Only the demo's own inputs: a stray INPUT_* or GITHUB_* in the shell must not leak in.
            **{k: v for k, v in os.environ.items() if not k.startswith(("INPUT_", "GITHUB_", "RUNNER_"))},
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary_path),
            "GITHUB_WORKSPACE": str(workspace),
            "INPUT_API-KEY": "demo-key",
            "INPUT_API-URL": sim.url,
            "INPUT_POLL-INTERVAL": poll_interval,
            # The screenshots and logs are on this machine's own storage: show them.
            "INPUT_ARTIFACT-LINKS": "always",
        }
        print(
            f"demo: Autosana simulator on {sim.url} (storage on {sim.storage.url}, artifacts on {sim.artifacts.url});"
        )
        print(f"demo: uploading a generated build {build.name} ({build.stat().st_size} bytes) and running the flows\n")
        web = ActionRun({**common, **_web_inputs()}).main()
        code = ActionRun({**common, **_mobile_inputs(build)}).main()
        summary = summary_path.read_text(encoding="utf-8")
        outputs = output_file.read_text(encoding="utf-8")
    print("\n---- step outputs ($GITHUB_OUTPUT, the mobile job) ----")
    values = _outputs(outputs)
    print("\n".join(f"{k}={v}" for k, v in values.items()))
    if "results-json" in values:
        print(f"(results-json is relative to the workspace: {workspace / values['results-json']})")
    print(f"---- job summary of both steps, also written to {summary_path} ----\n")
    print(summary)
    print(f"demo: the action exited with {web} for the web job and {code} for the mobile job (one flow of each fails")
    print("demo: on purpose; their crashes, failed requests and screenshots are in the summary above)")
    return next((c for c in (web, code) if c not in (0, 1)), 0)


def _mobile_inputs(build: Path) -> dict[str, str]:
    return {
        "INPUT_BUNDLE-ID": "com.company.app",
        "INPUT_PLATFORM": "android",
        "INPUT_BUILD-PATH": str(build),
        "INPUT_SUITE-IDS": "\n".join(DEMO_SUITES),
        "INPUT_VARIABLES": f"PR_NUMBER=42,BRANCH=feature/login,COMMIT_SHA={DEMO_COMMIT}",
        "INPUT_COMMIT-SHA": DEMO_COMMIT,
        "INPUT_RUN-CHANGED-FLOWS": "true",
    }


def _web_inputs() -> dict[str, str]:
    return {
        "INPUT_APP-ID": "demo-shop-web",
        "INPUT_SUITE-IDS": DEMO_WEB_SUITE,
        "INPUT_CHECK-NAME": "Autosana web",
        "INPUT_COMMIT-SHA": DEMO_COMMIT,
        "INPUT_RUN-CHANGED-FLOWS": "false",
    }


def _demo_build(workspace: Path) -> Path:
    """A small stand-in .apk (a zip with a manifest), where a build step would leave it."""
    path = workspace / "app" / "build" / "outputs" / "apk" / "release" / "app-release.apk"
    path.parent.mkdir(parents=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as apk:
        apk.writestr("AndroidManifest.xml", '<manifest package="com.company.app"/>')
        apk.writestr("classes.dex", os.urandom(512 * 1024))
    return path


def _outputs(raw: str) -> dict[str, str]:
    lines, values = raw.splitlines(), {}
    i = 0
    while i < len(lines):
        name, _, delimiter = lines[i].partition("<<")
        end = lines.index(delimiter, i + 1)
        values[name] = "\n".join(lines[i + 1 : end])
        i = end + 1
    return values


def serve(host: str, port: int, time_scale: float) -> int:
    """The simulator in the foreground, for a workflow or a person to point the action at."""

    try:
        sim = AutosanaSimulator(host=host, port=port, time_scale=time_scale)
    except (OSError, OverflowError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        print(f"autosana-action simulator: cannot listen on {host}:{port}: {reason}", file=sys.stderr)
        return 2
    print(
        f"Autosana simulator on {sim.url}, build storage on {sim.storage.url}, artifacts on {sim.artifacts.url} "
        "(any X-API-Key is accepted)",
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        sim.serve_forever()
    return 0
