"""Nothing secret in what the action writes: secrets Autosana echoes back are redacted from every
place (PR comment, check run, annotations, job summary, log, JUnit, results JSON, outputs)
whatever the escaping; signed artifact links stay out of public repositories."""

from __future__ import annotations

import html
import json
import xml.sax.saxutils
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import pytest
from action_harness import FAKE_GITHUB_TOKEN, ActionResult, ActionRunner
from conftest import API_KEY, CHECKOUT, base_inputs
from support.fake_github import FakeGitHub

from autosana_action.autosana.models import RunAction, RunDetail
from autosana_action.redaction import Redactor, looks_secret
from autosana_action.report import markdown as md
from autosana_sim import AutosanaSimulator, Fault, FlowPlan

LEAKY = "cdcdcdcd-0000-4000-8000-000000000001"
# Every character the outputs escape: HTML, Markdown, XML, JSON, URLs.
PASSWORD = "s3<cr&t>|p*ss_w\"o'rd@x y"
SHOP_NAME = "Mallory-Shop"  # listed in `redact`, and part of a flow name
RENDERED = ("comment", "check run", "job summary", "log", "JUnit", "results JSON", "outputs")


def forms(secret: str) -> set[str]:
    """The secret as each output could carry it."""
    return {
        secret,
        html.escape(secret),
        html.escape(secret, quote=False),
        xml.sax.saxutils.escape(secret),
        json.dumps(secret)[1:-1],
        md.text(secret, 1000),
        md.html_text(secret, 1000),
        quote(secret, safe=""),
        quote_plus(secret),
        quote(secret, safe="/:?&=%#+,;@~!$*'._-"),
    }


def leaky_plan(sim: AutosanaSimulator) -> None:
    sim.plan(
        LEAKY,
        "Accounts",
        FlowPlan(
            "Login at Mallory-Shop",
            "failed",
            0.1,
            "Typed ${env:LOGIN_PASSWORD} and opened https://shop.test/login?pw=${url:LOGIN_PASSWORD}&k="
            f"{API_KEY} but the form rejected it; token {FAKE_GITHUB_TOKEN}",
            issues=[
                {
                    "type": "functional",
                    "severity": "major",
                    "title": "Password ${env:LOGIN_PASSWORD} was refused",
                    "description": "See https://shop.test/?p=${url:LOGIN_PASSWORD}",
                }
            ],
            typed="${env:LOGIN_PASSWORD}",
        ),
        FlowPlan("Browse Mallory-Shop", "passed", 0.05, "Saw the ${env:LOGIN_PASSWORD} banner"),
    )


def everything_written(result: ActionResult, runner: ActionRunner, github: FakeGitHub) -> dict[str, str]:
    log = "\n".join(line for line in result.stdout.splitlines() if not line.startswith("::add-mask::"))
    writes = [r.body for r in github.writes()]
    return {
        "comment": json.dumps([w for w in writes if "body" in (w or {})]),
        "check run": json.dumps([w for w in writes if "output" in (w or {})]),
        "job summary": result.summary,
        "log": log,
        "JUnit": (runner.workdir / "junit.xml").read_text(),
        "results JSON": (runner.workdir / "autosana-results.json").read_text(),
        "outputs": json.dumps(result.outputs),
    }


def test_secrets_echoed_by_autosana_are_redacted_everywhere(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    leaky_plan(sim)
    result = runner.run(
        base_inputs(
            sim, suite_ids=LEAKY, variables=f"LOGIN_PASSWORD={PASSWORD}", redact=SHOP_NAME, junit_path="junit.xml"
        )
    )
    assert result.returncode == 1, result.stdout + result.stderr
    # The flow really received the secret: redaction is about what comes back.
    assert sim.calls("/api/v1/flows/run")[0].body["variables"]["LOGIN_PASSWORD"] == PASSWORD

    written = everything_written(result, runner, github)
    assert set(written) == set(RENDERED)
    for place, text in written.items():
        for secret in (PASSWORD, SHOP_NAME, API_KEY, FAKE_GITHUB_TOKEN):
            for form in forms(secret):
                assert form not in text, f"{form!r} in the {place}"

    comment = github.comments(pr_event["repository"]["full_name"], pr_event["pull_request"]["number"])[0]["body"]
    assert "Login at \\*\\*\\*" in comment  # the flow name keeps its other words
    assert "Typed \\*\\*\\* and opened https://shop.test/login?pw=\\*\\*\\*&amp;k=\\*\\*\\*" in comment
    assert "(value \\*\\*\\*)" in comment  # the typing step
    assert "Password \\*\\*\\* was refused" in comment
    annotations = [m for m in result.commands("error") if "failed:" in m]
    assert annotations and "Typed *** and opened" in annotations[0]
    assert "::error title=Accounts › Login at ***::" in result.stdout
    detail = json.loads(written["results JSON"])["run_groups"][0]["runs"][0]["detail"]
    assert [a["value"] for a in detail["actions"] if a["type"] == "send_keys"][-1] == "***"
    assert detail["status"] == "failed" and detail["run_id"]  # statuses and IDs are left alone


def test_api_error_details_are_redacted(sim: AutosanaSimulator, runner: ActionRunner) -> None:
    echo = {"detail": f"variables.LOGIN_PASSWORD: '{PASSWORD}' is not allowed"}
    sim.faults.append(Fault("status", path="/api/v1/flows/run", status=422, body=echo))
    result = runner.run(base_inputs(sim, variables=f"LOGIN_PASSWORD={PASSWORD}"))
    assert result.returncode == 2
    assert "variables.LOGIN\\_PASSWORD: '\\*\\*\\*' is not allowed" in result.summary
    assert any("variables.LOGIN_PASSWORD: '***' is not allowed" in e for e in result.commands("error"))
    log = "\n".join(line for line in result.stdout.splitlines() if not line.startswith("::add-mask::"))
    for form in forms(PASSWORD):
        assert form not in result.summary and form not in log


def test_short_secret_is_masked_in_the_log_and_shown_as_typed(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, pr_event: dict[str, Any]
) -> None:
    sim.plan(LEAKY, "PIN", FlowPlan("Unlock", "failed", 0.1, "Wrong PIN", typed="${env:CARD_PIN}"))
    result = runner.run(base_inputs(sim, suite_ids=LEAKY, variables="CARD_PIN=739"))
    assert "739" in result.commands("add-mask")
    (warning,) = [w for w in result.commands("warning") if "CARD_PIN" in w]
    assert "shorter than 4 characters" in warning and "739" not in warning
    comment = github.comments(pr_event["repository"]["full_name"], pr_event["pull_request"]["number"])[0]["body"]
    assert "(value \\*\\*\\*)" in comment


def private(event: dict[str, Any], visibility: str | None = None) -> dict[str, Any]:
    event["repository"]["private"] = True
    if visibility:
        event["repository"]["visibility"] = visibility
    return event


@pytest.mark.parametrize(
    ("visibility", "mode", "shown"),
    [
        ("public", "auto", False),
        ("private", "auto", True),
        ("internal", "auto", True),
        ("public", "always", True),
        ("private", "never", False),
    ],
)
def test_signed_artifact_links_only_where_the_readers_may_see_them(
    sim: AutosanaSimulator,
    tmp_path: Path,
    github: FakeGitHub,
    pr_event: dict[str, Any],
    visibility: str,
    mode: str,
    shown: bool,
) -> None:
    event = private(pr_event, visibility) if visibility != "public" else pr_event
    if visibility == "internal":
        event["repository"]["private"] = False  # internal repositories say so only in visibility
    pr = event["pull_request"]
    github.add_pull(event["repository"]["full_name"], pr["number"], pr["head"]["sha"], pr["head"]["ref"])
    runner = ActionRunner(tmp_path, "pull_request", event, github_api_url=github.url)
    result = runner.run(base_inputs(sim, suite_ids=CHECKOUT, artifact_links=mode, junit_path="junit.xml"))

    comment = github.comments(event["repository"]["full_name"], pr["number"])[0]["body"]
    check = github.check_runs()[-1]["output"]["summary"]
    junit = (tmp_path / "junit.xml").read_text()
    for place in (comment, check, result.summary, junit):
        assert (sim.artifacts.url in place) is shown
    if not shown:
        assert "[screenshots and logs on Autosana](https://autosana.ai/runs/flow/" in comment
    results = (tmp_path / "autosana-results.json").read_text()
    assert f"{sim.artifacts.url}/artifacts/" in results and "device.log?X-Amz-Expires=" in results


@pytest.mark.parametrize(
    "name",
    ["LOGIN_PASSWORD", "DB_PASS", "STRIPE_KEY", "AWS_ACCESS_KEY_ID", "SIGNING_KEY", "LICENSE_KEY", "PASSPHRASE",
     "apiKey", "githubToken", "OAUTH-CLIENT-SECRET", "smtp.passwd", "SESSION_COOKIE", "ADMIN_PIN", "OTP_SEED",
     "client_credentials", "APIKey", "PRIVATE_CERT"],
)  # fmt: skip
def test_secret_names(name: str) -> None:
    assert looks_secret(name)


@pytest.mark.parametrize(
    "name",
    ["AUTHOR", "SESSION_LENGTH", "TOKENIZER", "KEYBOARD", "PR_NUMBER", "BRANCH", "COMMIT_SHA", "SHIPPING_ADDRESS",
     "PASSENGER", "MONKEY", "dbpassword", "BASE_URL", "USERNAME"],
)  # fmt: skip
def test_ordinary_names(name: str) -> None:
    assert not looks_secret(name)


def test_text_redaction() -> None:
    redactor = Redactor(["hunter22", "p@ss w/rd", "hunter22-extended", "abc", "mu\nline-secret"])
    assert redactor.text("xxhunter22yy") == "xx***yy"
    assert redactor.text("pw=hunter22-extended!") == "pw=***!"  # the longer secret goes whole
    assert (
        redactor.text("https://x.test/?a=p%40ss+w%2Frd&b=p%40ss%20w/rd&c=p%40SS")
        == "https://x.test/?a=***&b=***&c=p%40SS"
    )
    assert redactor.text("p@ss w%2frd") == "***"
    assert redactor.text("&lt;p@ss w/rd&gt;") == "&lt;***&gt;"
    assert redactor.text("abc and line-secret and mu") == "abc and *** and mu"


def test_escaped_forms_upstream_are_redacted() -> None:
    redactor = Redactor([PASSWORD])
    for form in forms(PASSWORD) - {md.text(PASSWORD, 1000), md.html_text(PASSWORD, 1000)}:
        assert redactor.text(f"before {form} after") == "before *** after", form


def test_models_keep_statuses_and_ids() -> None:
    redactor = Redactor(["pass", "ba5e1d", "739"])
    detail = RunDetail(
        run_id="ba5e1d-1",
        status="passed",
        summary="pass the pass",
        actions=[
            RunAction(type="send_keys", value="739", description="Type 739"),
            RunAction(type="tap", value="739"),
        ],
    )
    redacted = redactor.model(detail)
    assert (redacted.run_id, redacted.status, redacted.summary) == ("ba5e1d-1", "passed", "*** the ***")
    assert [a.value for a in redacted.actions] == ["***", "739"]  # short: only where it was typed
    assert redacted.actions[0].description == "Type 739"
    assert Redactor().model(detail) is detail


def test_answers_without_any_secret_are_not_walked() -> None:
    redactor = Redactor(["hunter22", "739"])
    assert not redactor.may_occur_in(b'{"summary": "all fine", "id": "1"}')
    assert redactor.may_occur_in(b'{"summary": "typed hunter22"}')
    assert redactor.may_occur_in(b'{"value": "739"}')
    symbols = Redactor(["@#$%^&"])  # nothing literal to look for: always walked
    assert symbols.may_occur_in(b"{}") and symbols.text("x%40%23$%25^&y, x@#$%^&amp;y") == "x***y, x***y"
    assert not Redactor().may_occur_in(b"hunter22")
