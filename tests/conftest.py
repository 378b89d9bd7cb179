from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from action_harness import FAKE_GITHUB_TOKEN, ActionRunner
from support.fake_github import FakeGitHub
from support.npm_fixtures import webhook_example
from support.wheels import download_wheelhouse

from autosana_sim import AutosanaSimulator, FlowPlan

API_KEY = "test-key-6f1c2a9b8e"
LOGIN = "aaaaaaaa-0000-4000-8000-000000000001"
CHECKOUT = "aaaaaaaa-0000-4000-8000-000000000002"


@pytest.fixture
def sim() -> Iterator[AutosanaSimulator]:
    with AutosanaSimulator(api_keys={API_KEY}, default_duration=0.2) as simulator:
        simulator.plan(
            LOGIN,
            "Login Suite",
            FlowPlan("Login with valid credentials", "passed", 0.1, "Logged in and saw the dashboard."),
            FlowPlan("Login with wrong password", "passed", 0.2, "The error message appeared."),
        )
        simulator.plan(
            CHECKOUT,
            "Checkout Suite",
            FlowPlan("Checkout with saved card", "passed", 0.1, "Order confirmed."),
            FlowPlan("Checkout with expired card", "failed", 0.3, "No error message after tapping Pay."),
        )
        yield simulator


@pytest.fixture(scope="session")
def pr_event() -> dict[str, Any]:
    return webhook_example("pull_request", action="opened")


@pytest.fixture
def github() -> Iterator[FakeGitHub]:
    """GitHub for every end-to-end test: no test may reach the real one, and every request the
    action makes must be one GitHub's API description allows."""
    with FakeGitHub(token=FAKE_GITHUB_TOKEN) as fake:
        yield fake
        assert fake.violations == []


@pytest.fixture
def runner(tmp_path: Path, pr_event: dict[str, Any], github: FakeGitHub) -> ActionRunner:
    pr = pr_event["pull_request"]
    github.add_pull(pr_event["repository"]["full_name"], pr["number"], pr["head"]["sha"], pr["head"]["ref"])
    return ActionRunner(tmp_path, "pull_request", pr_event, github_api_url=github.url)


def base_inputs(sim: AutosanaSimulator, **overrides: str) -> dict[str, str]:
    inputs = {
        "api-key": API_KEY,
        "api-url": sim.url,
        "bundle-id": "com.company.app",
        "platform": "android",
        "suite-ids": LOGIN,
        "poll-interval": "0.1",
        "timeout-minutes": "1",
    }
    inputs.update({k.replace("_", "-"): v for k, v in overrides.items()})
    return inputs


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The pinned requirements as local wheels, for tests that install them offline."""
    return download_wheelhouse(tmp_path_factory)
