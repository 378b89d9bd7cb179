"""``python -m autosana_sim [--port N ...]`` serves the simulator; ``python -m autosana_sim demo`` runs the demo."""

import sys

from autosana_action.cli import main

args = sys.argv[1:]
sys.exit(main(args if args[:1] == ["demo"] else ["simulator", *args]))
