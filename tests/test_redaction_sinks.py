"""Redaction where text is written: a secret reaches none of the log, annotations, outputs, job
summary, PR comment, check run, JUnit or results JSON, whichever path carried it there. Each
case runs entrypoint.py against the simulator, its storage and fake GitHub over real HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from action_harness import ActionResult, ActionRunner
from conftest import LOGIN, base_inputs
from support.fake_github import FakeGitHub

from autosana_action.upload.storage import StorageError, put_file
from autosana_action.urls import hide_url_secrets, shown_url
from autosana_sim import AutosanaSimulator, Fault, FlowPlan

SECRET = "hunter2-SECRET-xyz"
SHARE = "vercelShareTok3nABC"


def everything_written(runner: ActionRunner, result: ActionResult, github: FakeGitHub) -> str:
    """Every byte the action wrote anywhere a person or a later step can read it."""
    log = "\n".join(line for line in result.stdout.splitlines() if not line.startswith("::add-mask::"))
    parts = [log, result.stderr, result.summary, json.dumps(result.outputs)]
    parts += [json.dumps(r.body) for r in github.requests if r.method in ("POST", "PATCH")]
    for name in ("autosana-results.json", "junit.xml"):
        path = runner.workdir / name
        if path.exists():
            parts.append(path.read_text())
    return "\n".join(parts)


def write_apk(runner: ActionRunner) -> None:
    path = runner.workdir / "app.apk"
    path.write_bytes(b"PK" + b"\0" * 4096)


@pytest.mark.parametrize(
    ("route", "kind"),
    [("/api/ci/confirm-upload", "mobile"), ("/api/ci/start-upload", "mobile"), ("/api/ci/upload-web-build", "web")],
)
def test_a_200_detail_refusal_is_redacted_everywhere_and_exits_2(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, route: str, kind: str
) -> None:
    detail = f"could not parse variables 'LOGIN_PASSWORD={SECRET}'"
    sim.faults.append(Fault("status", path=route, status=200, body={"detail": detail}))
    if kind == "mobile":
        write_apk(runner)
        inputs = base_inputs(sim, build_path="app.apk")
    else:
        inputs = base_inputs(sim, bundle_id="", platform="web", app_id="shop-web", url="https://pr-1.example.com")
    inputs.update({"variables": f"LOGIN_PASSWORD={SECRET}", "junit-path": "junit.xml"})
    result = runner.run(inputs)

    assert result.returncode == 2, result.stdout + result.stderr
    assert sim.calls("/api/v1/flows/run") == []  # never on the active build
    written = everything_written(runner, result, github)
    assert SECRET not in written
    assert "could not parse variables" in result.summary and r"PASSWORD=\*\*\*" in result.summary
    (check,) = github.check_runs()
    assert check["status"] == "completed" and check["conclusion"] == "failure"


def test_a_preview_url_with_credentials_and_a_share_token_is_never_shown(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    url = f"https://bob:pa55w0rd-Zq@preview-42.example.com/app?_vercel_share={SHARE}&lang=en"
    inputs = base_inputs(sim, bundle_id="", platform="web", app_id="shop-web", url=url, redact=SHARE)
    result = runner.run(inputs)

    assert result.returncode == 0, result.stdout + result.stderr
    (web,) = sim.calls("/api/ci/upload-web-build")
    assert web.body["url"] == url  # Autosana gets the URL as given
    written = everything_written(runner, result, github)
    assert SHARE not in written and "pa55w0rd-Zq" not in written and "bob:" not in written
    assert result.outputs["build-url"] == "https://preview-42.example.com/app?_vercel_share=***&lang=en"
    assert "preview-42.example.com/app?" in result.summary


def test_a_share_token_not_listed_in_redact_is_hidden_by_its_name(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    url = f"https://preview-42.example.com/?token={SHARE}"
    result = runner.run(base_inputs(sim, bundle_id="", platform="web", app_id="shop-web", url=url))
    assert SHARE not in everything_written(runner, result, github)


@pytest.mark.parametrize("entity", ["&#39;", "&#x27;", "&apos;"])
def test_the_html_entity_forms_of_a_quote_are_redacted(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub, entity: str
) -> None:
    secret = "it's-a-Secret-42"
    echoed = secret.replace("'", entity)
    sim.plan(LOGIN, "Login Suite", FlowPlan("Login", "failed", 0.1, f"The page showed {echoed} in the banner."))
    result = runner.run(base_inputs(sim, redact=secret, **{"junit-path": "junit.xml"}))

    assert result.returncode == 1
    written = everything_written(runner, result, github)
    assert echoed not in written and secret not in written
    assert "in the banner" in result.summary


def test_the_markdown_escaped_form_is_redacted_on_the_way_out() -> None:
    """The last pass over a rendered comment finds a secret that md.text has escaped."""
    from autosana_action.redaction import Redactor
    from autosana_action.report import markdown as md

    redactor = Redactor(["my_secret*value"])
    assert redactor.text(md.text("token my_secret*value here")) == "token *** here"


def test_urls_are_shown_without_userinfo_or_secret_values() -> None:
    assert shown_url("https://u:p@h.example/x?sig=abc&X-Amz-Signature=f00&page=2") == (
        "https://h.example/x?sig=***&X-Amz-Signature=***&page=2"
    )
    token_like = "a1" * 20
    assert shown_url(f"https://h.example/?v={token_like}") == "https://h.example/?v=***"
    assert shown_url("https://h.example/docs#part") == "https://h.example/docs#***"
    assert (
        hide_url_secrets("with url: /b/k.apk?X-Amz-Credential=AKIA&n=1 (x)")
        == "with url: /b/k.apk?X-Amz-Credential=***&n=1 (x)"
    )


@pytest.fixture
def chatty_storage() -> Iterator[str]:
    """Storage that quotes the signed URL back in its error, as S3's SignatureDoesNotMatch does."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_PUT(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = (
                "<Error><Code>InvalidRequest</Code><Message>Bad request for "
                f"http://{self.headers['Host']}{self.path}</Message></Error>"
            ).encode()
            self.send_response(400)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_storage_error_text_loses_its_signature(chatty_storage: str, tmp_path: Path) -> None:
    path = tmp_path / "app.apk"
    path.write_bytes(b"x" * 100)
    url = f"{chatty_storage}/bucket/app.apk?X-Amz-Signature=deadbeefcafe&X-Amz-Expires=900"
    with pytest.raises(StorageError) as raised:
        put_file(url, path, 100, lambda _: None)
    assert "deadbeefcafe" not in str(raised.value)
    assert "X-Amz-Signature=***" in str(raised.value) and "InvalidRequest" in str(raised.value)


def test_a_redact_value_in_an_input_is_removed_by_the_sinks_alone(
    sim: AutosanaSimulator, runner: ActionRunner, github: FakeGitHub
) -> None:
    """No API answer carries it and no URL rule hides it: only the redaction at each sink can."""
    url = f"https://{SHARE.lower()}.preview.example.com/"
    inputs = base_inputs(sim, bundle_id="", platform="web", app_id="shop-web", url=url, redact=SHARE.lower())
    inputs["junit-path"] = "junit.xml"
    result = runner.run(inputs)

    assert result.returncode == 0, result.stdout + result.stderr
    written = everything_written(runner, result, github)
    assert SHARE.lower() not in written
    assert result.outputs["build-url"] == "https://***.preview.example.com/"
    assert json.loads((runner.workdir / "autosana-results.json").read_text())["build_file"] == (
        "https://***.preview.example.com/"
    )
