"""Command line: ``run`` (the action, from flags or INPUT_* variables), ``demo`` (the whole
pipeline against the built-in simulator) and ``simulator`` (serve the simulator)."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .settings import INPUT_NAMES


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autosana-action", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser("run", help="run the action (default); flags override INPUT_* variables")
    for name in INPUT_NAMES:
        run.add_argument(f"--{name}", dest=name, metavar="VALUE")
    demo = sub.add_parser("demo", help="run the whole action against the built-in simulator")
    demo.add_argument(
        "--summary",
        type=Path,
        default=Path("autosana-demo-summary.md"),
        help="where to write the job summary (default: %(default)s)",
    )
    demo.add_argument("--poll-interval", default="0.5")
    sim = sub.add_parser("simulator", help="serve the Autosana API simulator")
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--port", type=int, default=8080)
    sim.add_argument("--time-scale", type=float, default=1.0, help="simulated seconds per real second")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "demo":
        return demo(args.summary, args.poll_interval)
    if args.command == "simulator":
        return serve_simulator(args.host, args.port, args.time_scale)
    from .action import run

    overrides = {name: value for name in INPUT_NAMES if (value := getattr(args, name, None)) is not None}
    env = dict(os.environ)
    if "INPUT_API-KEY" not in env and "api-key" not in overrides and env.get("AUTOSANA_API_KEY"):
        overrides["api-key"] = env["AUTOSANA_API_KEY"]
    return run(env, overrides)


def demo(summary_path: Path, poll_interval: str) -> int:
    from .action import ActionRun
    from .autosana.simulator import DEMO_CHANGED_FLOWS, DEMO_COMMIT, DEMO_SUITES, AutosanaSimulator

    with AutosanaSimulator() as sim, tempfile.TemporaryDirectory() as tmp:
        # The suites are selected; the PR's changed code-managed flows join them in one batch.
        sim.changed_flows[DEMO_COMMIT] = dict(DEMO_CHANGED_FLOWS)
        output_file = Path(tmp, "output")
        summary_file = Path(tmp, "summary.md")
        env = {
            **os.environ,
            "GITHUB_OUTPUT": str(output_file),
            "GITHUB_STEP_SUMMARY": str(summary_file),
            "GITHUB_WORKSPACE": tmp,
            "INPUT_API-KEY": "demo-key",
            "INPUT_API-URL": sim.url,
            "INPUT_BUNDLE-ID": "com.company.app",
            "INPUT_PLATFORM": "android",
            "INPUT_SUITE-IDS": "\n".join(DEMO_SUITES),
            "INPUT_VARIABLES": f"PR_NUMBER=42,BRANCH=feature/login,COMMIT_SHA={DEMO_COMMIT}",
            "INPUT_COMMIT-SHA": DEMO_COMMIT,
            "INPUT_RUN-CHANGED-FLOWS": "true",
            "INPUT_POLL-INTERVAL": poll_interval,
        }
        print(f"demo: Autosana simulator on {sim.url}; running the action against it\n")
        code = ActionRun(env).main()
        summary = summary_file.read_text(encoding="utf-8")
        outputs = output_file.read_text(encoding="utf-8")
    summary_path.write_text(summary, encoding="utf-8")
    print("\n---- step outputs ($GITHUB_OUTPUT) ----")
    print(_outputs_as_lines(outputs))
    print(f"---- job summary, also written to {summary_path} ----\n")
    print(summary)
    print(f"demo: the action exited with {code}" + (" (one demo flow fails on purpose)" if code == 1 else ""))
    return 0 if code in (0, 1) else code


def _outputs_as_lines(raw: str) -> str:
    lines, values = raw.splitlines(), {}
    i = 0
    while i < len(lines):
        name, _, delimiter = lines[i].partition("<<")
        end = lines.index(delimiter, i + 1)
        values[name] = "\n".join(lines[i + 1 : end])
        i = end + 1
    return "\n".join(f"{k}={v}" for k, v in values.items())


def serve_simulator(host: str, port: int, time_scale: float) -> int:
    from .autosana.simulator import AutosanaSimulator

    sim = AutosanaSimulator(host=host, port=port, time_scale=time_scale)
    print(f"Autosana simulator on {sim.url} (any X-API-Key is accepted)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        sim.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
