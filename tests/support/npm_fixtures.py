"""Real GitHub material from npm: webhook payloads (@octokit/webhooks-examples) and GitHub's
OpenAPI description (@octokit/openapi), pinned in tests/npm/package-lock.json."""

from __future__ import annotations

import copy
import functools
import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

NPM_DIR = Path(__file__).resolve().parents[1] / "npm"
MODULES = NPM_DIR / "node_modules" / "@octokit"
# Events the examples package has no payload of its own for, and the payload shape they share.
EVENT_ALIASES = {"pull_request_target": "pull_request"}


def ensure_installed() -> None:
    if not (MODULES / "webhooks-examples").is_dir() or not (MODULES / "openapi").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=NPM_DIR, check=True)


@functools.cache
def _examples() -> dict[str, list[dict[str, Any]]]:
    ensure_installed()
    index = json.loads((MODULES / "webhooks-examples" / "api.github.com" / "index.json").read_text())
    return {entry["name"]: entry["examples"] for entry in index}


def webhook_example(
    event: str, *, action: str | None = None, predicate: Callable[[dict[str, Any]], bool] | None = None
) -> dict[str, Any]:
    """A deep copy of the first real payload of ``event`` matching ``action`` and ``predicate``."""
    for payload in _examples()[EVENT_ALIASES.get(event, event)]:
        if action is not None and payload.get("action") != action:
            continue
        if predicate is not None and not predicate(payload):
            continue
        return copy.deepcopy(payload)
    raise LookupError(f"no {event} example with action={action!r} matching the predicate")


def openapi_description_path() -> Path:
    ensure_installed()
    return MODULES / "openapi" / "generated" / "api.github.com.deref.json"


def openapi_ghes_description_path() -> Path | None:
    ensure_installed()
    found = sorted(
        (MODULES / "openapi" / "generated").glob("ghes-*.deref.json"),
        key=lambda p: tuple(int(x) for x in p.name.split("-")[1].removesuffix(".deref.json").split(".")),
    )
    return found[-1] if found else None
