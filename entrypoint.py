#!/usr/bin/env python3
"""Container entrypoint: the runner passes inputs as INPUT_* variables."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from autosana_action.action import run

if __name__ == "__main__":
    import os

    sys.exit(run(dict(os.environ)))
