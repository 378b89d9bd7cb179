"""Links into the action's README for messages that send the user there. The action may run
from any repository (a fork of it, a copy on GitHub Enterprise Server, ``uses: ./``), so the link
follows the one the runner says it came from, never a hard-coded one."""

from __future__ import annotations

from .context import EventContext

PERMISSIONS = ("permissions", "Permissions")
FORKS = ("pull-requests-from-forks", "Pull requests from forks")


def link(context: EventContext, section: tuple[str, str]) -> str:
    anchor, title = section
    if context.action_repository:
        ref = context.action_ref or "HEAD"
        return f"{context.server_url}/{context.action_repository}/blob/{ref}/README.md#{anchor}"
    return f'the "{title}" section of the autosana-action README'
