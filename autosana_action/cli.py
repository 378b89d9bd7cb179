"""Command line: ``run`` (the action, from flags or INPUT_* variables), ``demo`` (the whole
pipeline against the built-in simulator) and ``simulator`` (serve the simulator)."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import ModuleType

from . import __version__
from .input_help import INPUT_HELP
from .settings import INPUT_NAMES, inputs_from_env

RUN_EPILOG = """Every flag is an input of action.yml. Each can also be set as a variable,
INPUT_<NAME> (as the GitHub runner sets it, e.g. INPUT_BUNDLE-ID) or AUTOSANA_<NAME> (hyphens as
underscores, e.g. AUTOSANA_BUNDLE_ID, AUTOSANA_API_KEY, AUTOSANA_GITHUB_TOKEN), which keeps
secrets out of your shell history; a flag wins over INPUT_<NAME>, which wins over AUTOSANA_<NAME>.
Exit status: 0 passed (or triggered, skipped, uploaded), 1 failed, no flows, timed out, cancelled
or an API error, 2 invalid inputs or a trigger or upload the API refused."""


def _flag_help(name: str) -> str:
    description, default = INPUT_HELP.get(name, ("", None))
    if name == "api-key":
        description += " Or set AUTOSANA_API_KEY."
    elif name == "github-token":
        description += " In Actions it defaults to the job's token."
    if default and not default.startswith("${{"):
        description += f" (default: {default})"
    return description.replace("%", "%%")


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not number > 0 or number == float("inf"):
        raise argparse.ArgumentTypeError(f"{value} is not a number greater than 0")
    return number


def _port(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{value} is not a port number (0-65535; 0 picks a free one)")
    return number


class _HelpFormatter(argparse.HelpFormatter):
    """Input names such as physical-device are never split across lines."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autosana-action", description=__doc__, allow_abbrev=False)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command")
    run = sub.add_parser(
        "run",
        help="run the action (default); flags override INPUT_* variables",
        description="Run the action: start the flows, wait for them and report.",
        epilog=RUN_EPILOG,
        allow_abbrev=False,
        formatter_class=_HelpFormatter,
    )
    for name in INPUT_NAMES:
        run.add_argument(f"--{name}", dest=name, metavar="VALUE", help=_flag_help(name))
    demo = sub.add_parser("demo", help="run the whole action against the built-in simulator", allow_abbrev=False)
    demo.add_argument(
        "--summary",
        type=Path,
        default=Path("autosana-demo-summary.md"),
        help="where to write the job summary; the results JSON goes next to it (default: %(default)s)",
    )
    demo.add_argument("--poll-interval", default="0.5", help="seconds between status polls (default: %(default)s)")
    sim = sub.add_parser("simulator", help="serve the Autosana API simulator", allow_abbrev=False)
    sim.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    sim.add_argument(
        "--port", type=_port, default=8080, help="port to listen on, 0 for any free one (default: %(default)s)"
    )
    sim.add_argument(
        "--time-scale",
        type=_positive,
        default=1.0,
        help="simulated seconds per real second, greater than 0 (default: %(default)s)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command == "demo":
        problem = _unwritable(args.summary)
        if problem:
            parser.error(f"argument --summary: {problem}")
        commands = _simulator_commands()
        return commands.run_demo(args.summary, args.poll_interval) if commands else 2
    if args.command == "simulator":
        commands = _simulator_commands()
        return commands.serve(args.host, args.port, args.time_scale) if commands else 2
    from .action import run

    flags = {name: value for name in INPUT_NAMES if (value := getattr(args, name, None)) is not None}
    env = dict(os.environ)
    return run(env, {**autosana_variables(env), **flags})


def autosana_variables(env: Mapping[str, str]) -> dict[str, str]:
    """Inputs from AUTOSANA_<NAME> (hyphens as underscores), for each input no INPUT_<NAME> sets."""
    given = inputs_from_env(env)
    found: dict[str, str] = {}
    for name in INPUT_NAMES:
        value = env.get("AUTOSANA_" + name.upper().replace("-", "_"))
        if value and name not in given:
            found[name] = value
    return found


def _unwritable(path: Path) -> str | None:
    """Why the file cannot be written, checked before the demo spends its time."""
    if path.is_dir():
        return f"{path} is a directory"
    parent = path.resolve().parent
    if not parent.is_dir():
        return f"the directory {parent} does not exist"
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        return f"{path} is not writable"
    return None


def _simulator_commands() -> ModuleType | None:
    """The demo and simulator live beside the action (the image leaves them out)."""
    try:
        from autosana_sim import demo
    except ImportError:
        print(
            "autosana-action: the demo and simulator commands need the autosana_sim package, which the action's "
            "image leaves out; run them from a checkout or from `pip install autosana-action`.",
            file=sys.stderr,
        )
        return None
    return demo


if __name__ == "__main__":
    sys.exit(main())
