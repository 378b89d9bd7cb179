"""The composite action's step: the action's own source (this checkout of it) run with the
virtual environment's Python, its inputs from AUTOSANA_INPUTS_JSON instead of INPUT_* (see
autosana_action/composite.py), then the same run as the Docker action's entrypoint."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autosana_action.composite import InputsJsonError, composite_inputs

EXIT_USAGE = 2


def main() -> int:
    try:
        env, raw = composite_inputs(os.environ)
    except InputsJsonError as exc:
        print(f"::error::{exc}", flush=True)
        return EXIT_USAGE
    from autosana_action.action import run

    return run(env, raw)


if __name__ == "__main__":
    sys.exit(main())
