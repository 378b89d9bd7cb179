"""The README's recipes for other CIs, tried as written: each recipe's script lines run in the
shell that CI uses, with the variables it sets, against the simulator (and, for CircleCI, the
fake GitHub). `pip install autosana-action` really installs, from a wheel of this tree and the
pinned requirements as local wheels (no index). The CI systems themselves are not here: their
YAML around the script is only read for the paths it names (JUnit report, artifacts)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
import yaml
from action_harness import FAKE_GITHUB_TOKEN, ROOT
from conftest import API_KEY
from support.builds import info_plist
from support.fake_github import FakeGitHub

from autosana_sim import AutosanaSimulator, FlowPlan

README = (ROOT / "README.md").read_text()
SUITE = "550e8400-e29b-41d4-a716-446655440000"
SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"
APK = "app/build/outputs/apk/release/app-release.apk"


def recipe(heading: str) -> tuple[str, str]:
    """The language and text of the first code block under ``### heading`` in Other CIs."""
    section = README.split("\n## Other CIs\n", 1)[1].split("\n## ", 1)[0]
    body = section.split(f"\n### {heading}\n", 1)[1].split("\n### ", 1)[0]
    match = re.search(r"```(\w+)\n(.*?)```", body, re.S)
    assert match, heading
    return match.group(1), match.group(2)


@pytest.fixture(scope="session")
def ci_python(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> dict[str, str]:
    """A CI image's Python first on PATH, and pip pointed at local wheels only."""
    wheels = tmp_path_factory.mktemp("project_wheel")
    # sdist first, then the wheel from it: nothing stale from a build/ folder gets in.
    build = [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(wheels), str(ROOT)]
    subprocess.run(build, check=True, timeout=300, capture_output=True)
    venv = tmp_path_factory.mktemp("ci_image") / "python"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    return {
        "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": f"{wheels} {wheelhouse}",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }


@pytest.fixture
def recipe_sim(sim: AutosanaSimulator) -> AutosanaSimulator:
    sim.plan(
        SUITE,
        "Smoke",
        FlowPlan("Open the app", "passed", 0.1, "Home screen shown."),
        FlowPlan("Log in", "failed", 0.2, "The login button did nothing."),
    )
    return sim


def apk(workdir: Path) -> None:
    path = workdir / APK
    path.parent.mkdir(parents=True)
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("AndroidManifest.xml", '<manifest package="com.company.app"/>')


def shell(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {"HOME": str(cwd), "CI": "true"}
    env = {**base, **env}
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)


def the_ci(sim: AutosanaSimulator, ci_python: dict[str, str]) -> dict[str, str]:
    """What every test adds to what the CI sets: the secret, and the simulator (the recipes
    leave api-url at Autosana's; AUTOSANA_API_URL points them here without editing a line)."""
    return {**ci_python, "AUTOSANA_API_KEY": API_KEY, "AUTOSANA_API_URL": sim.url, "AUTOSANA_POLL_INTERVAL": "0.1"}


def junit_failures(path: Path) -> int:
    root = ElementTree.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else list(root)
    return sum(int(s.get("failures", "0")) for s in suites)


def assert_ran_on_autosana(sim: AutosanaSimulator, workdir: Path) -> dict[str, Any]:
    (call,) = sim.calls("/api/v1/flows/run")
    assert call.body["suite_ids"] == [SUITE]
    assert json.loads((workdir / "autosana-results.json").read_text())["result"] == "failed"
    body: dict[str, Any] = call.body
    return body


def test_gitlab_ci(recipe_sim: AutosanaSimulator, ci_python: dict[str, str], tmp_path: Path) -> None:
    language, text = recipe("GitLab CI")
    job = yaml.safe_load(text)["autosana"]
    apk(tmp_path)
    env = {**the_ci(recipe_sim, ci_python), **job["variables"]}
    env |= {"GITLAB_CI": "true", "CI_COMMIT_SHA": SHA, "CI_COMMIT_REF_NAME": "feature/login"}
    result = shell(["bash", "-eo", "pipefail", "-c", "\n".join(job["script"])], tmp_path, env)
    assert (language, result.returncode) == ("yaml", 1), result.stdout + result.stderr
    assert junit_failures(tmp_path / job["artifacts"]["reports"]["junit"]) == 1
    assert job["artifacts"]["when"] == "always"
    assert all((tmp_path / path).is_file() for path in job["artifacts"]["paths"])
    body = assert_ran_on_autosana(recipe_sim, tmp_path)
    assert body["variables"] == {"BRANCH": "feature/login", "COMMIT_SHA": SHA}
    assert "error: Autosana: 1 passed, 1 failed" in result.stdout and "::" not in result.stdout


def test_bitrise(recipe_sim: AutosanaSimulator, ci_python: dict[str, str], tmp_path: Path) -> None:
    language, text = recipe("Bitrise")
    (step,) = yaml.safe_load(text)
    script = tmp_path / "step.sh"
    script.write_text(step["script@1"]["inputs"][0]["content"])
    app = tmp_path / "derived" / "Shop.app"
    app.mkdir(parents=True)
    (app / "Shop").write_bytes(b"\xcf\xfa\xed\xfe binary")
    (app / "Info.plist").write_bytes(info_plist("com.company.shop"))  # a Simulator build, as xcodebuild makes it
    results, deploy = tmp_path / "test_results", tmp_path / "deploy"
    results.mkdir()
    deploy.mkdir()
    env = the_ci(recipe_sim, ci_python) | {
        "BITRISE_IO": "true",
        "BITRISE_SOURCE_DIR": str(tmp_path),
        "BITRISE_APP_DIR_PATH": str(app),
        "GIT_CLONE_COMMIT_HASH": SHA,
        "BITRISE_GIT_BRANCH": "feature/login",
        "BITRISE_TEST_RESULT_DIR": str(results),
        "BITRISE_DEPLOY_DIR": str(deploy),
    }
    result = shell(["bash", str(script)], tmp_path, env)
    assert (language, result.returncode) == ("yaml", 1), result.stdout + result.stderr
    assert junit_failures(results / "autosana" / "autosana-junit.xml") == 1
    assert json.loads((results / "autosana" / "test-info.json").read_text()) == {"test-name": "Autosana"}
    assert (deploy / "autosana-results.json").is_file()
    assert assert_ran_on_autosana(recipe_sim, tmp_path)["platform"] == "ios"
    (confirmed,) = recipe_sim.calls("/api/ci/confirm-upload")
    assert confirmed.body["uploaded_file_path"].endswith("Shop.app.zip"), "the .app was zipped and uploaded"


def test_circleci_posts_to_github(recipe_sim: AutosanaSimulator, ci_python: dict[str, str], tmp_path: Path) -> None:
    language, text = recipe("CircleCI")
    steps = yaml.safe_load(text)["jobs"]["autosana"]["steps"]
    runs = [step["run"]["command"] for step in steps if isinstance(step, dict) and "run" in step]
    apk(tmp_path)
    with FakeGitHub(token=FAKE_GITHUB_TOKEN) as github:
        github.add_pull("octo-org/octo-repo", 7, SHA, "feature/login")
        env = the_ci(recipe_sim, ci_python) | {
            "CIRCLECI": "true",
            "CIRCLE_PROJECT_USERNAME": "octo-org",
            "CIRCLE_PROJECT_REPONAME": "octo-repo",
            "CIRCLE_SHA1": SHA,
            "CIRCLE_BRANCH": "feature/login",
            "CIRCLE_PULL_REQUEST": "https://github.com/octo-org/octo-repo/pull/7",
            "AUTOSANA_GITHUB_TOKEN": FAKE_GITHUB_TOKEN,  # from a context
            "GITHUB_API_URL": github.url,  # the test's: GitHub is the fake here
            "AUTOSANA_RUN_CHANGED_FLOWS": "false",  # the simulator has no changed flows for this commit
        }
        codes = [shell(["bash", "-eo", "pipefail", "-c", command], tmp_path, env) for command in runs]
        comments, checks = github.comments("octo-org/octo-repo", 7), github.check_runs("octo-org/octo-repo")
        assert github.violations == []
    assert language == "yaml"
    assert [c.returncode for c in codes] == [0, 1], [c.stdout + c.stderr for c in codes]
    stored = next(step["store_test_results"]["path"] for step in steps if "store_test_results" in step)
    assert junit_failures(tmp_path / stored / "autosana" / "junit.xml") == 1
    artifacts = next(step["store_artifacts"]["path"] for step in steps if "store_artifacts" in step)
    assert (tmp_path / artifacts).is_file()
    body = assert_ran_on_autosana(recipe_sim, tmp_path)
    assert (body["repo_full_name"], body["pr_number"], body["ref"]) == ("octo-org/octo-repo", 7, SHA)
    (comment,) = comments
    assert "1 of 2 flows failed" in comment["body"]
    (check,) = checks
    assert (check["head_sha"], check["conclusion"]) == (SHA, "failure")


def test_jenkins(recipe_sim: AutosanaSimulator, ci_python: dict[str, str], tmp_path: Path) -> None:
    language, text = recipe("Jenkins")
    (script,) = re.findall(r"sh '''\n(.*?)'''", text, re.S)
    script = script.replace("\\\n", "")  # Groovy joins a line ending in a backslash with the next
    assert "credentials('autosana-api-key')" in text
    apk(tmp_path)
    env = the_ci(recipe_sim, ci_python) | {"JENKINS_URL": "http://127.0.0.1:9/", "GIT_COMMIT": SHA}
    env["BRANCH_NAME"] = "main"
    result = shell(["sh", "-xe", "-c", script], tmp_path, env)
    assert (language, result.returncode) == ("groovy", 1), result.stdout + result.stderr
    (junit,) = re.findall(r"junit testResults: '([^']+)'", text)
    assert junit_failures(tmp_path / junit) == 1
    (archived,) = re.findall(r"archiveArtifacts artifacts: '([^']+)'", text)
    assert all((tmp_path / name.strip()).is_file() for name in archived.split(","))
    assert assert_ran_on_autosana(recipe_sim, tmp_path)["variables"]["BRANCH"] == "main"
    assert API_KEY not in result.stdout + result.stderr
