"""The title says the verdict and its main number; every run that made the check red is visible
without expanding anything, and only runs that did not affect the verdict are folded away."""

from __future__ import annotations

import re
from typing import Any

from autosana_action.autosana.models import BatchStatus
from autosana_action.report.conclusion import short_title
from autosana_action.report.render import Report, render_job_summary
from autosana_action.verdict import REPORTED_AS_FAILED, judge

OPT_OUT = frozenset({"failed", "error", "terminated"})


def batch(group_status: str, runs: list[tuple[str, str]]) -> BatchStatus:
    data: dict[str, Any] = {
        "is_complete": True,
        "run_groups": [
            {
                "name": "Smoke",
                "status": group_status,
                "runs": [{"id": f"r{i}", "name": n, "status": s} for i, (n, s) in enumerate(runs)],
            }
        ],
    }
    return BatchStatus.model_validate(data)


MIXED = batch(
    "failed",
    [("Login", "passed"), ("Checkout", "failed"), ("Search", "error"), ("Profile", "terminated"), ("iOS", "skipped")],
)


def rendered(status: BatchStatus, fail_on: frozenset[str] = REPORTED_AS_FAILED) -> tuple[str, str]:
    verdict = judge(status, fail_on)
    report = Report(verdict.result, verdict.headline, status=status, counts=verdict.counts)
    report.short_titles[verdict.headline] = short_title(verdict)
    report.skips_fail = "skipped" in fail_on
    return report.title, render_job_summary(report)


def folded(summary: str) -> str:
    return "".join(re.findall(r"<details>.*?</details>", summary, flags=re.DOTALL))


def test_the_title_is_the_verdict_and_its_main_number() -> None:
    title, summary = rendered(MIXED)
    assert title == "4 of 5 flows did not pass"
    assert summary.startswith("## ❌ Autosana: 4 of 5 flows did not pass\n")
    assert rendered(batch("failed", [("a", "passed"), ("b", "failed")]))[0] == "1 of 2 flows failed"
    assert rendered(batch("passed", [("a", "passed"), ("b", "passed")]))[0] == "2 passed"


def test_the_skip_that_made_the_check_red_is_not_folded() -> None:
    _, summary = rendered(MIXED)
    assert "[iOS]" not in folded(summary) and "| ⏭️ skipped | iOS |" in summary
    assert "[Login]" not in summary and "| ✅ passed | Login |" in folded(summary)


def test_a_passed_group_with_a_failing_skip_is_open() -> None:
    _, summary = rendered(batch("passed", [("Login", "passed"), ("Checkout", "skipped")]))
    assert "| ⏭️ skipped | Checkout |" in summary and "Checkout" not in folded(summary)
    assert summary.index("### ") < summary.index("| ⏭️ skipped | Checkout |")


def test_skips_that_did_not_affect_the_verdict_are_folded() -> None:
    retried = batch("passed", [("Login", "skipped"), ("Login", "passed"), ("Checkout", "passed")])
    _, summary = rendered(retried)
    assert "| ⏭️ skipped | Login |" in folded(summary)
    _, allowed = rendered(MIXED, OPT_OUT)
    assert "| ⏭️ skipped | iOS |" in folded(allowed) and "| ❌ failed | Checkout |" not in folded(allowed)
