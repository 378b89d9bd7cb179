"""The fake GitHub is only worth its green if it says no where GitHub would."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from github import Auth, Github, GithubException
from support.fake_github import FakeGitHub

REPO = "octo-org/octo-repo"
SHA = "a" * 40


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub(token="t") as server:
        server.add_pull(REPO, 5, SHA)
        yield server


def client(fake: FakeGitHub) -> Github:
    return Github(
        base_url=fake.url,
        auth=Auth.Token("t"),
        lazy=True,
        retry=None,
        seconds_between_requests=None,
        seconds_between_writes=None,
    )


def test_schema_violations_are_answered_422_and_recorded(fake: FakeGitHub) -> None:
    response = requests.post(
        f"{fake.url}/repos/{REPO}/issues/5/comments", json={"body": 5}, headers={"Authorization": "token t"}, timeout=5
    )
    assert response.status_code == 422
    assert fake.violations and "is not of type 'string'" in fake.violations[0]


def test_unknown_routes_and_query_parameters_are_recorded(fake: FakeGitHub) -> None:
    assert requests.get(f"{fake.url}/repos/{REPO}/no-such-thing", timeout=5).status_code == 404
    requests.get(f"{fake.url}/repos/{REPO}/issues/5/comments?sort=asc", headers={"Authorization": "token t"}, timeout=5)
    assert len(fake.violations) == 2 and "unknown query parameters ['sort']" in fake.violations[1]
    fake.violations.clear()


def test_check_run_rules(fake: FakeGitHub) -> None:
    repo = client(fake).get_repo(REPO)
    with pytest.raises(GithubException) as caught:
        repo.create_check_run(name="x", head_sha=SHA, status="completed")
    assert caught.value.status == 422
    with pytest.raises(GithubException) as caught:
        repo.create_check_run(name="x", head_sha=SHA, output={"title": "t", "summary": "s" * 65536})
    assert caught.value.status == 422 and "too long" in str(caught.value.data)
    run = repo.create_check_run(name="x", head_sha=SHA, status="in_progress")
    run.edit(status="completed", conclusion="success")
    assert fake.check_runs()[0]["conclusion"] == "success"


def test_comment_limit_and_pagination(fake: FakeGitHub) -> None:
    issue = client(fake).get_repo(REPO).get_issue(5)
    for i in range(105):
        fake.add_comment(REPO, 5, f"c{i}")
    assert [c.body for c in issue.get_comments()][-1] == "c104"
    with pytest.raises(GithubException) as caught:
        issue.create_comment("x" * 65537)
    assert caught.value.status == 422
    assert issue.create_comment("x" * 65536).body == "x" * 65536


def test_read_only_and_bad_credentials(fake: FakeGitHub) -> None:
    fake.read_only = True
    with pytest.raises(GithubException) as caught:
        client(fake).get_repo(REPO).get_issue(5).create_comment("hi")
    assert caught.value.status == 403 and caught.value.data["message"] == "Resource not accessible by integration"
    bad = Github(base_url=fake.url, auth=Auth.Token("wrong"), lazy=True, retry=None)
    with pytest.raises(GithubException) as caught:
        list(bad.get_repo(REPO).get_issue(5).get_comments())
    assert caught.value.status == 401
