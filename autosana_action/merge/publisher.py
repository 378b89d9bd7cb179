"""The GitHub side of merge mode: the same sticky comment and check run, drawn as a merged report
and keeping the per-target record of failing runs."""

from __future__ import annotations

from ..github.publisher import GitHubPublisher
from ..report.merged import render_merged
from ..report.merged_history import MergedState
from ..report.render import Layout, Report


class MergePublisher(GitHubPublisher):
    @staticmethod
    def _draw(report: Report, layout: Layout) -> str:
        return render_merged(report, layout)

    def previous_merged_state(self) -> MergedState | None:
        if not self.comment_wanted():
            return None
        comment = self.existing_comment()
        return MergedState.decode(comment.body or "") if comment is not None else None
