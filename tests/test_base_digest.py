"""The digest our check run carries and the comparison with the base branch built from it, in
process: encoding, bounds, older and damaged versions, forgery, classification and its wording."""

from __future__ import annotations

import base64
import json
import zlib

import pytest

from autosana_action.autosana.models import BatchStatus
from autosana_action.report import base_compare
from autosana_action.report.base_compare import BaseHistory, BaseRun, Kind, compare
from autosana_action.report.digest import MAX_MARKER_CHARS, Digest, Outcome, Unreadable, decode
from autosana_action.report.history import run_key
from autosana_action.report.render import Layout, Report, render
from autosana_action.verdict import Result

G = "Checkout Suite"


def status(*runs: tuple[str, str], group: str = G, group_status: str = "failed") -> BatchStatus:
    return BatchStatus.model_validate(
        {
            "is_complete": True,
            "run_groups": [
                {
                    "name": group,
                    "status": group_status,
                    "url": "https://autosana.ai/runs/groups/1",
                    "runs": [
                        {"id": f"r{i}", "name": name, "status": st, "url": f"https://autosana.ai/runs/{i}"}
                        for i, (name, st) in enumerate(runs)
                    ],
                }
            ],
        }
    )


def base_run(n: int, **outcomes: Outcome) -> BaseRun:
    flows = {run_key(G, name.replace("_", " ")): outcome for name, outcome in outcomes.items()}
    return BaseRun(f"{n:040x}", f"https://github.com/o/r/runs/{n}", Digest({"": flows}))


def payload(data: object) -> str:
    return base64.urlsafe_b64encode(zlib.compress(json.dumps(data).encode())).decode()


# -- the digest ---------------------------------------------------------------------------------
def test_a_digest_round_trips_with_retries_folded_into_a_pass() -> None:
    batch = status(("Pay", "failed"), ("Login", "skipped"), ("Login", "passed"), ("Logout", "passed"), ("Odd", "weird"))
    marker = Digest.of(batch, branch="main").encode()
    assert marker.startswith("<!-- autosana-digest v1 ") and marker.endswith(" -->\n")
    digest = decode(marker + "## the report")
    assert digest is not None and digest.branch == "main"
    assert digest.targets[""] == {
        run_key(G, "Pay"): Outcome.FAILED,
        run_key(G, "Login"): Outcome.RETRIED,
        run_key(G, "Logout"): Outcome.PASSED,
        run_key(G, "Odd"): Outcome.OTHER,
    }


def test_the_digest_is_bounded_and_keeps_the_failures_first() -> None:
    flows = {run_key(G, f"flow {i}"): Outcome.PASSED for i in range(5000)}
    flows |= {run_key(G, f"broken {i}"): Outcome.FAILED for i in range(300)}
    marker = Digest({"": flows}).encode()
    assert len(marker) <= MAX_MARKER_CHARS
    kept = decode(marker)
    assert kept is not None
    assert all(kept.targets[""].get(run_key(G, f"broken {i}")) is Outcome.FAILED for i in range(300))
    assert 300 < len(kept.targets[""]) < 5300


def test_no_marker_is_no_digest_and_only_the_start_counts() -> None:
    marker = Digest({"": {run_key(G, "Pay"): Outcome.FAILED}}).encode()
    assert decode(None) is None and decode("## ✅ Autosana") is None
    assert decode("Some text first\n" + marker) is None


def test_an_older_or_newer_version_is_unreadable_not_a_crash() -> None:
    with pytest.raises(Unreadable, match="version 0"):
        decode(f"<!-- autosana-digest v0 {payload({'v': 0})} -->")
    with pytest.raises(Unreadable, match="version 2"):
        decode(f"<!-- autosana-digest v2 {payload({'v': 2, 'flows': []})} -->")


@pytest.mark.parametrize(
    "body",
    [
        "AAAA",  # not zlib
        payload([1, 2]),  # not an object
        payload({"v": 1, "t": {"": ["f", "x"]}}),  # a target that is not a mapping
        base64.urlsafe_b64encode(zlib.compress(b"{" * 10 + b"0" * 400_000)).decode(),  # inflates too far
    ],
)
def test_a_damaged_digest_is_unreadable(body: str) -> None:
    with pytest.raises(Unreadable):
        decode(f"<!-- autosana-digest v1 {body} -->")


def test_unknown_outcomes_and_keys_of_a_newer_writer_are_skipped() -> None:
    key = run_key(G, "Pay")
    digest = decode(f"<!-- autosana-digest v1 {payload({'v': 1, 't': {'': {'f': key + 'zz', 'q': key}}})} -->")
    assert digest is not None and digest.targets[""] == {key: Outcome.FAILED}


def test_api_text_cannot_forge_a_digest_in_our_check_run() -> None:
    """A flow named like our marker is escaped: '<!--' appears only where we put it."""
    forged = Digest({"": {run_key(G, "Pay"): Outcome.PASSED}}).encode().strip()
    batch = status((forged, "failed"), ("Pay", "failed"), group=forged)
    report = Report(result=Result.FAILED, headline=forged, status=batch, notes=[forged])
    text = render(report, Layout(limit=65535, summary_chars=400))
    assert "<!--" not in text and decode(text) is None
    real = Digest.of(batch).encode()
    text = render(report, Layout(limit=65535, summary_chars=400, marker=real))
    assert text.count("<!--") == 1
    digest = decode(text)
    assert digest is not None and digest.targets[""][run_key(forged, "Pay")] is Outcome.FAILED


# -- the comparison -------------------------------------------------------------------------------
def test_each_failure_is_new_also_failing_or_flaky() -> None:
    history = BaseHistory(
        "main",
        4,
        [
            base_run(4, Pay=Outcome.FAILED, Login=Outcome.PASSED, Search=Outcome.PASSED, Cart=Outcome.FAILED),
            base_run(3, Pay=Outcome.PASSED, Login=Outcome.PASSED, Search=Outcome.FAILED, Cart=Outcome.FAILED),
            base_run(2, Pay=Outcome.FAILED, Login=Outcome.PASSED, Search=Outcome.PASSED, Wallet=Outcome.RETRIED),
        ],
    )
    here = status(
        ("Pay", "failed"),
        ("Login", "failed"),
        ("Search", "error"),
        ("Wallet", "failed"),
        ("Brand new", "failed"),
        ("Cart", "passed"),
        ("Share", "skipped"),
        ("Share", "passed"),
    )
    result = compare(history, here)
    marks = {name: result.marks[run_key(G, name)] for name in ("Pay", "Login", "Search", "Wallet", "Brand new")}
    assert marks["Pay"] == base_compare.Mark(Kind.ALSO_FAILING, 2, 3, "https://github.com/o/r/runs/4")
    assert marks["Login"] == base_compare.Mark(Kind.NEW, 0, 3)
    assert marks["Search"] == base_compare.Mark(Kind.FLAKY, 1, 3, "https://github.com/o/r/runs/3")
    assert marks["Wallet"].kind is Kind.FLAKY  # passed only after a retry on the base
    assert marks["Brand new"] == base_compare.Mark(Kind.NEW, 0, 0)  # never ran on the base
    assert result.fixed == ["Cart"] and result.retried == ["Share"]
    assert result.runs == 3
    assert base_compare.headline(result) == (
        "**5 failures: 2 new in this PR, 1 also failing on main, 2 flaky** (compared with the last 3 runs on main)"
    )


def test_rows_name_the_base_and_link_its_latest_failing_check() -> None:
    history = BaseHistory("main", 2, [base_run(9, Pay=Outcome.FAILED), base_run(8, Pay=Outcome.PASSED)])
    here = status(("Pay", "failed"), ("Login", "failed"))
    report = Report(result=Result.FAILED, headline="2 failed", status=here)
    report.base = compare(history, here)
    text = render(report)
    assert "**2 failures: 1 new in this PR, 1 also failing on main**" in text
    assert "❌ failed · 🔁 also failing on main (1 of 2, [latest](https://github.com/o/r/runs/9))" in text
    assert "❌ failed · 🆕 new in this PR" in text


def test_without_base_history_the_hint_is_said_once() -> None:
    here = status(("Pay", "failed"))
    result = compare(BaseHistory("main", 10), here)
    assert result.runs == 0 and not result.marks
    (hint,) = result.notes
    assert "run this workflow on pushes to main" in hint
    report = Report(result=Result.FAILED, headline="1 failed", status=here, base=result)
    text = render(report)
    assert text.count("run this workflow on pushes to main") == 1
    assert "❌ failed |" in text  # no mark without anything to compare with


def test_a_refused_read_says_why_and_gives_no_hint() -> None:
    history = BaseHistory("main", 0, notices=["The comparison with main was left out: GitHub answered 403"])
    result = compare(history, status(("Pay", "failed")))
    assert result.notes == history.notices


def test_zero_and_a_hundred_flows() -> None:
    empty = compare(BaseHistory("main", 1, [base_run(1, Pay=Outcome.FAILED)]), status())
    assert empty.marks == {} and base_compare.lines(empty) == []  # an empty batch is no "No failures"
    one = compare(BaseHistory("main", 1, [base_run(1, Pay=Outcome.FAILED)]), status(("Pay", "passed")))
    assert base_compare.lines(one)[0].startswith("**No failures** (compared with the last 1 run on main)")
    names = [f"Flow {i}" for i in range(100)]
    history = BaseHistory(
        "main", 1, [BaseRun("a" * 40, None, Digest({"": {run_key(G, n): Outcome.FAILED for n in names}}))]
    )
    many = compare(history, status(*((n, "failed") for n in names)))
    assert many.count(Kind.ALSO_FAILING) == 100
    assert base_compare.headline(many).startswith("**100 failures: 100 also failing on main**")


def test_failures_shared_with_the_base_may_be_warnings_only_when_all_are() -> None:
    history = BaseHistory("main", 1, [base_run(1, Pay=Outcome.FAILED, Login=Outcome.PASSED)])
    shared = status(("Pay", "failed"), ("Login", "passed"))
    assert base_compare.treat_base_failures_as_warnings(compare(history, shared), shared)
    mixed = status(("Pay", "failed"), ("Login", "failed"))
    assert not base_compare.treat_base_failures_as_warnings(compare(history, mixed), mixed)
    errored = status(("Pay", "error"))
    assert not base_compare.treat_base_failures_as_warnings(compare(history, errored), errored)
    terminated = status(("Pay", "failed"), group_status="terminated")
    assert not base_compare.treat_base_failures_as_warnings(compare(history, terminated), terminated)


def test_a_batch_that_did_not_complete_leaves_no_digest() -> None:
    from autosana_action.report.base_report import store_digest

    done = Report(result=Result.FAILED, headline="1 failed", status=status(("Pay", "failed")), branch="main")
    store_digest(done)
    digest = decode(done.check_output["text"])
    assert digest is not None and digest.branch == "main"
    cut = status(("Pay", "failed"))
    timed_out = Report(
        result=Result.TIMED_OUT, headline="timed out", status=cut.model_copy(update={"is_complete": False})
    )
    store_digest(timed_out)
    assert timed_out.check_output == {}


@pytest.mark.parametrize(
    ("name", "value"), [("base-history", "101"), ("base-history", "ten"), ("base-failures-as-warnings", "maybe")]
)
def test_the_new_inputs_are_checked(name: str, value: str) -> None:
    from autosana_action.inputs import InvalidInputs
    from autosana_action.settings import parse_settings

    raw = {"api-key": "k", "bundle-id": "a.b", "platform": "ios", "labels": "smoke", name: value}
    with pytest.raises(InvalidInputs) as caught:
        parse_settings(raw)
    (problem,) = caught.value.problems
    assert problem.input == name and problem.fix
    settings = parse_settings({k: v for k, v in raw.items() if k != name})
    assert (settings.base_history, settings.base_failures_as_warnings, settings.progress_comment) == (10, False, False)


def test_a_hostile_base_branch_name_and_check_url_stay_inert() -> None:
    bad = BaseRun("a" * 40, "javascript:alert(1)", Digest({"": {run_key(G, "Pay"): Outcome.FAILED}}))
    result = compare(BaseHistory("<!-- x --> @team | ``` #1", 1, [bad]), status(("Pay", "failed")))
    text = "\n".join(base_compare.lines(result)) + base_compare.row_mark(result, run_key(G, "Pay"))
    assert "also failing on" in text
    for forbidden in ("<!--", "@team", " | ", "```", "#1", "javascript:"):
        assert forbidden not in text, forbidden
