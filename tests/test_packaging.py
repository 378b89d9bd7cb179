"""The action's metadata, docs, image recipe and release files agree with each other."""

from __future__ import annotations

import re
import sys
from typing import Any

import yaml
from action_harness import ACTION, ROOT

import autosana_action

sys.path.insert(0, str(ROOT / "scripts"))
from release_action import release_action_yml

README = (ROOT / "README.md").read_text()


def readme_examples() -> list[dict[str, Any]]:
    steps = []
    for block in re.findall(r"```yaml\n(.*?)```", README, re.S):
        uses = r"^( *)- uses: autosana/autosana-action(?:/composite)?@\S+\n((?:\1  .*\n)*)"  # either variant
        for match in re.finditer(uses, block, re.M):
            indent = match.group(1)
            body = "".join(line.removeprefix(indent + "  ") + "\n" for line in match.group(2).splitlines())
            steps.append(yaml.safe_load(body))
    return steps


def test_every_input_and_output_is_documented() -> None:
    for name in ACTION["inputs"]:
        assert f"| `{name}` |" in README, name
    for name in ACTION["outputs"]:
        assert f"`{name}`" in README, name


def test_readme_examples_use_only_real_inputs() -> None:
    examples = readme_examples()
    assert len(examples) >= 4
    for step in examples:
        assert set(step["with"]) <= set(ACTION["inputs"]), set(step["with"]) - set(ACTION["inputs"])
        assert "api-key" in step["with"] or "results" in step["with"]  # a merge step needs no key


def test_release_action_yml_matches_action_yml_and_version() -> None:
    release = (ROOT / "release" / "action.yml").read_text()
    assert release == release_action_yml(autosana_action.__version__)
    assert f"docker://ghcr.io/autosana/autosana-action:{autosana_action.__version__}" in release
    assert yaml.safe_load(release)["inputs"] == ACTION["inputs"]


def test_dockerfile_shape() -> None:
    lines = [line.strip() for line in (ROOT / "Dockerfile").read_text().splitlines()]
    assert lines.index(next(x for x in lines if x.startswith("ARG BASE_IMAGE=python:"))) < lines.index(
        "FROM ${BASE_IMAGE}"
    )
    assert not any(x.startswith(("WORKDIR", "USER")) for x in lines)
    entrypoint = next(x for x in lines if x.startswith("ENTRYPOINT"))
    assert re.fullmatch(r'ENTRYPOINT \["/[^"]+", "/[^"]+"\]', entrypoint)


def test_requirements_pin_what_pyproject_pins() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    runtime = re.search(r"^dependencies = \[(.*?)\]", pyproject, re.S | re.M)
    assert runtime
    pins = dict(re.findall(r'"([A-Za-z0-9_.-]+)==([^"]+)"', runtime.group(1)))
    requirements = (ROOT / "requirements.txt").read_text().lower()
    for name, version in pins.items():
        assert f"{name.lower()}=={version}" in requirements, name
    assert requirements.count("--hash=sha256:") > 20
