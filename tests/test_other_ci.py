"""The `autosana-action` command in another CI (GitLab CI, Bitrise, CircleCI, Jenkins): inputs from
flags or AUTOSANA_*/INPUT_* variables, a plain log, the documented exit statuses, JUnit and the
results JSON where asked, and, given a GitHub token and repository, the same sticky comment and
check run as on GitHub Actions. Run as a subprocess with only what such a CI gives it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from action_harness import FAKE_GITHUB_TOKEN, ROOT
from conftest import API_KEY, CHECKOUT, LOGIN
from support.fake_github import FakeGitHub

from autosana_action.cli import autosana_variables
from autosana_sim import AutosanaSimulator

COMMAND = re.compile(r"^\s*(::|##\[)", re.M)
REPO = "octo-org/octo-repo"
SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"


def other_ci(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """No GITHUB_* but what the user set: a CI that is not GitHub Actions."""
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd), "PYTHONPATH": str(ROOT), "CI": "true"}
    return subprocess.run(
        [sys.executable, "-m", "autosana_action", "run", *args],
        cwd=cwd,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_inputs_from_autosana_variables(sim: AutosanaSimulator, tmp_path: Path) -> None:
    env = {
        "AUTOSANA_API_KEY": API_KEY,
        "AUTOSANA_API_URL": sim.url,
        "AUTOSANA_BUNDLE_ID": "com.company.app",
        "AUTOSANA_PLATFORM": "android",
        "AUTOSANA_SUITE_IDS": f"{LOGIN}\n{CHECKOUT}",
        "AUTOSANA_POLL_INTERVAL": "0.1",
        "AUTOSANA_RUN_CHANGED_FLOWS": "false",
        "AUTOSANA_JUNIT_PATH": "reports/autosana-junit.xml",
    }
    result = other_ci([], tmp_path, env)
    assert result.returncode == 1, result.stdout + result.stderr  # one flow fails: exit 1
    assert not COMMAND.search(result.stdout), "no workflow commands outside Actions"
    assert API_KEY not in result.stdout
    assert "error: Autosana: 3 passed, 1 failed" in result.stdout.splitlines()
    assert "output result=failed" in result.stdout
    junit = (tmp_path / "reports" / "autosana-junit.xml").read_text()
    assert 'failures="1"' in junit and "Checkout with expired card" in junit
    assert json.loads((tmp_path / "autosana-results.json").read_text())["result"] == "failed"
    assert (tmp_path / "autosana-summary.md").read_text().startswith("## ❌ Autosana: 1 of 4 flows failed")
    (call,) = sim.calls("/api/v1/flows/run")
    assert call.body["suite_ids"] == [LOGIN, CHECKOUT] and "pr_number" not in call.body


def test_invalid_inputs_exit_2_and_name_the_input(tmp_path: Path) -> None:
    result = other_ci(["--poll-interval", "soon"], tmp_path, {"AUTOSANA_API_KEY": API_KEY})
    assert result.returncode == 2
    assert "error: Invalid input: poll-interval" in result.stdout


def test_a_flag_wins_over_input_which_wins_over_autosana() -> None:
    env = {"AUTOSANA_PLATFORM": "ios", "INPUT_BUNDLE-ID": "from.input", "AUTOSANA_BUNDLE_ID": "from.autosana"}
    env |= {"AUTOSANA_WAIT": "", "AUTOSANA_INPUTS_JSON": "{}", "AUTOSANA_API_KEY": "k"}
    assert autosana_variables(env) == {"platform": "ios", "api-key": "k"}
    assert autosana_variables({"INPUT_API-KEY": "", "AUTOSANA_API_KEY": "k"}) == {}, "the runner's empty INPUT wins"


def test_posts_the_comment_and_check_run_to_github_from_another_ci(sim: AutosanaSimulator, tmp_path: Path) -> None:
    with FakeGitHub(token=FAKE_GITHUB_TOKEN) as github:
        github.add_pull(REPO, 7, SHA, "feature/login")
        env = {
            "AUTOSANA_API_KEY": API_KEY,
            "AUTOSANA_GITHUB_TOKEN": FAKE_GITHUB_TOKEN,
            "GITHUB_REPOSITORY": REPO,
            "GITHUB_API_URL": github.url,
        }
        args = ["--api-url", sim.url, "--bundle-id", "com.company.app", "--platform", "android"]
        args += ["--suite-ids", f"{LOGIN},{CHECKOUT}", "--poll-interval", "0.1", "--run-changed-flows", "false"]
        args += ["--pr-number", "7", "--commit-sha", SHA, "--branch-name", "feature/login"]
        result = other_ci(args, tmp_path, env)
        assert github.violations == []
        comments = github.comments(REPO, 7)
        checks = github.check_runs(REPO)
    assert result.returncode == 1, result.stdout + result.stderr
    assert FAKE_GITHUB_TOKEN not in result.stdout and not COMMAND.search(result.stdout)
    (comment,) = comments
    assert "Autosana: 1 of 4 flows failed" in comment["body"] and "Checkout with expired card" in comment["body"]
    (check,) = checks
    assert (check["head_sha"], check["status"], check["conclusion"]) == (SHA, "completed", "failure")
    assert f"output comment-url={comment['html_url']}" in result.stdout
    (call,) = sim.calls("/api/v1/flows/run")
    assert (call.body["repo_full_name"], call.body["ref"], call.body["pr_number"]) == (REPO, SHA, 7)
    assert call.body["variables"] == {"PR_NUMBER": "7", "BRANCH": "feature/login", "COMMIT_SHA": SHA}


def test_without_a_github_token_nothing_is_posted(sim: AutosanaSimulator, tmp_path: Path) -> None:
    with FakeGitHub(token=FAKE_GITHUB_TOKEN) as github:
        github.add_pull(REPO, 7, SHA)
        env = {"AUTOSANA_API_KEY": API_KEY, "GITHUB_REPOSITORY": REPO, "GITHUB_API_URL": github.url}
        args = ["--api-url", sim.url, "--bundle-id", "com.company.app", "--platform", "android"]
        result = other_ci([*args, "--suite-ids", LOGIN, "--poll-interval", "0.1", "--pr-number", "7"], tmp_path, env)
        assert github.requests == []
    assert result.returncode == 0, result.stdout + result.stderr
