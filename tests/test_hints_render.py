"""Hints as the reader sees them: crash lines in a code block nothing can close, requests as code
spans, thumbnails only where signed links may be shown, and nothing from a log that can open
HTML, a link, an @-mention or a workflow command."""

from __future__ import annotations

from autosana_action.autosana.models import BatchStatus, RunDetail
from autosana_action.explain.device_log import Crash
from autosana_action.explain.hints import RunHints
from autosana_action.explain.network_log import FailedRequest, NetworkFailures
from autosana_action.report.hints import code_span, crash_block
from autosana_action.report.render import Report, render_job_summary
from autosana_action.verdict import Counts, Result

SHOT = "https://storage.example.com/shots/r1/5_annotated.png?X-Amz-Signature=abc&X-Amz-Expires=1"
HOSTILE = "```\n</details><img src=x onerror=alert(1)> @octocat #1 ::error::pwned [x](https://evil.example)"


def report(hint: RunHints, *, artifact_links: bool) -> Report:
    status = BatchStatus.model_validate(
        {
            "is_complete": True,
            "run_groups": [
                {
                    "name": "Checkout",
                    "status": "failed",
                    "runs": [
                        {"id": "r1", "name": "Pay", "status": "failed", "url": "https://autosana.ai/runs/flow/r1"}
                    ],
                }
            ],
        }
    )
    detail = RunDetail.model_validate(
        {
            "run_id": "r1",
            "platform": "android",
            "status": "failed",
            "url": "https://autosana.ai/runs/flow/r1",
            "actions": [{"position": 5, "type": "assert", "status": "failed", "screenshot_url": SHOT}],
        }
    )
    return Report(
        Result.FAILED,
        "1 failed",
        status=status,
        counts=Counts.of(status),
        details={"r1": detail},
        hints={"r1": hint},
        artifact_links=artifact_links,
    )


CRASH = Crash(("FATAL EXCEPTION: main (com.company.app)", "java.lang.IllegalStateException: " + HOSTILE), others=2)
NETWORK = NetworkFailures(
    (
        FailedRequest("POST", "/api/orders/`x`/<b>@team", 500, None, 1240.0),
        FailedRequest("GET", "/v1/collect", 0, "net::ERR_NAME_NOT_RESOLVED <i>", 31.0),
    ),
    rest=3,
    total=40,
)


def test_crash_and_network_hints_are_inert() -> None:
    summary = render_job_summary(report(RunHints(SHOT, 5, CRASH, NETWORK), artifact_links=True))
    block = summary[summary.index("**App crash** in the device log") :]
    assert "2 more in the log" in block
    fence = "~~~"  # backticks in the log cannot close a fence of tildes
    assert f"\n    {fence}text\n    FATAL EXCEPTION: main (com.company.app)\n" in block
    assert f"pwned [x](https://evil.example)\n    {fence}\n" in block
    assert "- ``POST /api/orders/`x`/<b>@team`` → **500** · 1,240 ms" in summary
    assert "failed: net::ERR\\_NAME\\_NOT\\_RESOLVED &lt;i&gt;" in summary
    assert "(3 more in the network log)" in summary
    outside_code = summary.replace(block[block.index(fence) : block.rindex(fence)], "")
    assert "<img src=x" not in outside_code and "</details><img" not in outside_code


def test_code_spans_and_blocks_cannot_be_closed_from_inside() -> None:
    assert code_span("a ``b`` c") == "```a ``b`` c```"
    assert code_span("`edge`") == "`` `edge` ``"
    lines = crash_block(Crash(("x ~~~~~ y ```", "\x1b[31mred\x07")))
    assert lines[2].strip() == "~~~~~~text" and lines[-2].strip() == "~~~~~~"
    assert "\x1b" not in "".join(lines) and "\x07" not in "".join(lines)


def test_thumbnail_links_the_full_image_and_says_it_expires() -> None:
    summary = render_job_summary(report(RunHints(SHOT, 5), artifact_links=True))
    href = SHOT.replace("&", "&amp;")
    assert f'<a href="{href}"><img src="{href}" width="180" alt="Screenshot of step 5"></a>' in summary
    assert "The image link expires; [the run on Autosana](https://autosana.ai/runs/flow/r1) keeps it." in summary


def test_without_artifact_links_no_signed_image_only_the_run_page() -> None:
    summary = render_job_summary(report(RunHints(SHOT, 5, CRASH, NETWORK), artifact_links=False))
    assert "storage.example.com" not in summary and '<img src="' not in summary
    assert "[screenshots and logs on Autosana](https://autosana.ai/runs/flow/r1)" in summary
    assert "**App crash**" in summary and "Failed requests" in summary


def test_a_run_whose_logs_could_not_be_read_is_still_explained() -> None:
    hint = RunHints(SHOT, 5, unread=("device log: the storage answered 404 Not Found",))
    summary = render_job_summary(report(hint, artifact_links=True))
    assert "stopped at step 5" in summary and "crash" not in summary and "<img src=" in summary
