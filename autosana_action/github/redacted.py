"""What the publisher sends to GitHub is redacted where it is drawn: the report before it is
escaped and cut (so no escape or cut can hide a secret), and the text as it is sent."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..report.render import Layout, Report, render

if TYPE_CHECKING:
    from ..workflow import Workflow


class RedactedRendering:
    wf: Workflow

    @staticmethod
    def _draw(report: Report, layout: Layout) -> str:  # a merge job draws a merged report
        return render(report, layout)

    def _render(self, report: Report, layout: Layout) -> str:
        return self.wf.redactor.text(self._draw(self.wf.redactor.deep(report), layout))
