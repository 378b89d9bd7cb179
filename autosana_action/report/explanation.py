"""Why a run did not pass, from its run detail: where it stopped, the issues Autosana reported, and
links to its screenshots and logs (or to the run on Autosana where signed links are withheld)."""

from __future__ import annotations

from ..autosana.models import Run, RunDetail, RunIssue
from ..explain.hints import RunHints
from . import markdown as md
from .hints import hint_lines

SEVERITY_ICONS = {"critical": "🔴", "major": "🟠", "minor": "🟡", "trivial": "⚪"}


def explain(run: Run, detail: RunDetail | None, artifact_links: bool = True, hint: RunHints | None = None) -> str:
    """What a reader needs to see why a run did not pass, without opening another tab."""
    if detail is None:
        return ""
    facts = []
    seconds = detail.duration_seconds
    if seconds is not None:
        facts.append(f"{seconds:.1f} s" if seconds < 10 else f"{seconds:.0f} s")
    step = detail.failing_action()
    withheld = False
    if step is not None:
        where = f"step {step.position}" if step.position is not None else "a step"
        if detail.actions:
            where += f" of {len(detail.actions)}"
        line = f"stopped at {where}: {md.code(step.type)} {md.text(step.description, 300)}"
        if step.value:
            line += f" (value {md.text(step.value, 80)})"
        shots = [
            md.link(label, url)
            for label, url in (("screenshot", step.screenshot_url), ("annotated", step.annotated_screenshot_url))
            if md.safe_url(url)
        ]
        withheld = bool(shots) and not artifact_links
        shots = shots if artifact_links else []
        if shots:
            line += " · " + " · ".join(shots)
        facts.append(line)
    lines = [
        f"- **{md.text(run.name or run.id, 200)}** · {' · '.join(facts)}"
        if facts
        else f"- **{md.text(run.name or run.id, 200)}**"
    ]
    lines += [f"  - {issue_line(issue)}" for issue in detail.issues[:10]]
    lines += hint_lines(hint, detail.platform, detail.url or run.url, artifact_links)
    artifacts = [
        md.link(label, url)
        for label, url in (
            ("device log", detail.device_log_url),
            ("network log", detail.network_log_url),
            ("performance data", detail.performance_data_url),
        )
        if md.safe_url(url)
    ]
    if not artifact_links and (artifacts or withheld):
        artifacts = [md.link("screenshots and logs on Autosana", detail.url or run.url)]
    if artifacts:
        lines.append(f"  - {' · '.join(artifacts)}")
    return "\n".join(lines) + "\n"


def issue_line(issue: RunIssue) -> str:
    icon = SEVERITY_ICONS.get((issue.severity or "").lower(), "🔹")
    kind = " ".join(md.text(x, 40) for x in (issue.severity, issue.type) if x)
    text = md.text(issue.title, 200)
    if issue.description:
        text += f" — {md.text(issue.description, 400)}"
    return f"{icon} {kind}: {text}" if kind else f"{icon} {text}"


def ux_notes(run: Run, detail: RunDetail | None) -> str:
    """Issues reported on runs that passed, folded with them."""
    if detail is None or not detail.issues:
        return ""
    return "".join(f"- {md.text(run.name, 200)}: {issue_line(i)}\n" for i in detail.issues[:5])
