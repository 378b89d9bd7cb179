"""What the step knows of its sticky comment. A failed lookup is not "no comment": it is asked
again at the next need (at the latest right before writing), never more, so a passing glitch
never leaves a second sticky comment behind and a lookup that keeps failing writes nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from github.IssueComment import IssueComment

COMMENT_LOOKUPS = 2


@dataclass
class StickyComment:
    comment: IssueComment | None = None
    known: bool = False  # whether ``comment`` is a certain answer (None: we have none)
    lookups_left: int = COMMENT_LOOKUPS

    def adopt(self, comment: IssueComment | None) -> None:
        self.comment, self.known = comment, True

    def doubt(self) -> None:
        """A write whose answer was lost: whether the comment exists is unknown again."""
        self.known, self.lookups_left = False, max(self.lookups_left, 1)
