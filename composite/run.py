"""The composite action's step: the action's own source (this checkout of it) run with the
virtual environment's Python, inputs from AUTOSANA_INPUTS_JSON."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autosana_action.composite import main

if __name__ == "__main__":
    sys.exit(main())
