"""The fake GitHub is only worth its green if it says no where GitHub would, and answers in
GitHub's shapes: these tests drive it with PyGithub 2.10 and plain requests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from github import Auth, BadCredentialsException, Github, GithubException, RateLimitExceededException
from support.fake_github import ROUTES, FakeGitHub, load_operations, schema_errors
from support.npm_fixtures import openapi_description_path, openapi_ghes_description_path, webhook_example

REPO = "octo-org/octo-repo"
SHA = "a" * 40
AUTH = {"Authorization": "token t"}


@pytest.fixture
def fake() -> Iterator[FakeGitHub]:
    with FakeGitHub(token="t") as server:
        server.add_pull(REPO, 5, SHA, "feature")
        yield server
        assert server.violations == [], "tests that provoke violations clear them once checked"


def client(fake: FakeGitHub, token: str = "t", **options: Any) -> Github:
    return Github(
        base_url=fake.url,
        auth=Auth.Token(token),
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=0,
        **options,
    )


def calls(fake: FakeGitHub) -> list[tuple[str, str | None]]:
    return [(r.method, r.operation) for r in fake.requests]


def refused(fake: FakeGitHub, expected: int) -> list[str]:
    """The violations recorded so far, which the test expects ``expected`` of, then forgotten."""
    found = list(fake.violations)
    fake.violations.clear()
    assert len(found) == expected, found
    return found


def test_comments_are_created_listed_across_pages_and_edited(fake: FakeGitHub) -> None:
    for i in range(70):
        fake.add_comment(REPO, 5, f"earlier {i}")
    issue = client(fake).get_repo(REPO).get_issue(5)
    ours = issue.create_comment("report")
    assert ours.html_url == f"https://github.com/{REPO}/pull/5#issuecomment-{ours.id}"
    assert (ours.user.login, ours.user.type, ours.user.id) == ("github-actions[bot]", "Bot", 41898282)

    assert [c.body for c in issue.get_comments()] == [f"earlier {i}" for i in range(70)] + ["report"]
    ours.edit("report, updated")
    assert fake.comments(REPO, 5)[-1]["body"] == "report, updated"
    assert issue.get_comment(ours.id).body == "report, updated"

    comments = "/repos/{owner}/{repo}/issues/{issue_number}/comments"
    assert calls(fake) == [
        ("GET", "/repos/{owner}/{repo}"),  # get_repo is not lazy by default
        ("GET", "/repos/{owner}/{repo}/issues/{issue_number}"),  # nor is get_issue
        ("POST", comments),
        ("GET", comments),  # 30 per page, PyGithub follows rel="next"
        ("GET", comments),
        ("GET", comments),
        ("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
        ("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ]
    assert [r.query for r in fake.requests[3:6]] == [{}, {"page": ["2"]}, {"page": ["3"]}]


def test_link_header_is_githubs(fake: FakeGitHub) -> None:
    for i in range(25):
        fake.add_comment(REPO, 5, f"c{i}")
    url = f"{fake.url}/repos/{REPO}/issues/5/comments"
    middle = requests.get(url, params={"per_page": 10, "page": 2}, headers=AUTH, timeout=5)
    assert [c["body"] for c in middle.json()] == [f"c{i}" for i in range(10, 20)]
    assert middle.headers["Link"] == (
        f'<{url}?per_page=10&page=1>; rel="prev", <{url}?per_page=10&page=3>; rel="next", '
        f'<{url}?per_page=10&page=3>; rel="last", <{url}?per_page=10&page=1>; rel="first"'
    )
    first = requests.get(url, params={"per_page": 10}, headers=AUTH, timeout=5)
    assert first.headers["Link"] == f'<{url}?per_page=10&page=2>; rel="next", <{url}?per_page=10&page=3>; rel="last"'
    assert "Link" not in requests.get(url, params={"per_page": 100}, headers=AUTH, timeout=5).headers
    assert first.headers["Content-Type"] == "application/json; charset=utf-8"
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"} <= set(first.headers)


def test_lazy_client_only_asks_for_what_it_writes(fake: FakeGitHub) -> None:
    issue = client(fake, lazy=True).get_repo(REPO).get_issue(5)
    issue.create_comment("report")
    run = client(fake, lazy=True).get_repo(REPO).create_check_run(name="Autosana", head_sha=SHA)
    assert run.status == "queued"
    assert calls(fake) == [
        ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
        ("POST", "/repos/{owner}/{repo}/check-runs"),
    ]


def test_check_run_lifecycle(fake: FakeGitHub) -> None:
    repo = client(fake, lazy=True).get_repo(REPO)
    run = repo.create_check_run(
        name="Autosana (android)",
        head_sha=SHA,
        status="in_progress",
        external_id="batch-1",
        details_url="https://autosana.example/runs/1",
        output={"title": "Running", "summary": "2 flows"},
    )
    assert run.html_url == f"https://github.com/{REPO}/runs/{run.id}"
    assert run.status == "in_progress" and run.conclusion is None and run.completed_at is None
    assert [p.number for p in run.pull_requests] == [5] and run.app.slug == "github-actions"

    annotation = {"path": "README.md", "start_line": 1, "end_line": 1, "annotation_level": "failure", "message": "x"}
    run.edit(conclusion="failure", output={"title": "1 failed", "summary": "s", "annotations": [annotation] * 50})
    assert (run.status, run.conclusion, run.output.annotations_count) == ("completed", "failure", 50)
    assert run.completed_at is not None and run.output.title == "1 failed"

    (listed,) = client(fake, lazy=True).get_repo(REPO).get_commit(SHA).get_check_runs()
    assert (listed.id, listed.external_id, listed.details_url) == (run.id, "batch-1", "https://autosana.example/runs/1")
    assert fake.check_runs(REPO)[0]["conclusion"] == "failure" and fake.check_runs("other/repo") == []


def test_pull_request_lookups(fake: FakeGitHub) -> None:
    fake.add_pull(REPO, 6, "b" * 40, "from-fork", fork=True)
    repo = client(fake).get_repo(REPO)
    pull = repo.get_pull(6)
    assert (pull.head.sha, pull.head.ref, pull.head.repo.full_name, pull.head.repo.fork) == (
        "b" * 40,
        "from-fork",
        "someone-else/octo-repo",
        True,
    )
    assert (pull.base.ref, pull.base.repo.full_name, pull.html_url) == (
        "main",
        REPO,
        f"https://github.com/{REPO}/pull/6",
    )
    assert [p.number for p in repo.get_commit(SHA).get_pulls()] == [5]
    assert [p.number for p in repo.get_pulls(state="open", head="octo-org:feature")] == [5]
    assert [p.number for p in repo.get_pulls(state="open", head="octo-org:nothing")] == []
    with pytest.raises(GithubException) as missing:
        repo.get_pull(7)
    assert missing.value.status == 404  # data, not a violation: the fixture checks none was recorded


def test_githubs_size_limits_answer_422(fake: FakeGitHub) -> None:
    repo = client(fake, lazy=True).get_repo(REPO)
    issue = repo.get_issue(5)
    assert len(issue.create_comment("x" * 65536).body) == 65536
    with pytest.raises(GithubException) as caught:
        issue.create_comment("x" * 65537)
    assert caught.value.status == 422
    assert caught.value.data["errors"] == [
        {
            "resource": "IssueComment",
            "code": "unprocessable",
            "field": "data",
            "message": "Body is too long (maximum is 65536 characters)",
        }
    ]

    def create(**fields: Any) -> str:
        with pytest.raises(GithubException) as caught:
            repo.create_check_run(name="x", head_sha=SHA, **fields)
        assert caught.value.status == 422
        data = caught.value.data
        return str(data["errors"][0]["message"] if "errors" in data else data["message"])

    annotation = {"path": "a", "start_line": 1, "end_line": 1, "annotation_level": "notice", "message": "m"}
    assert create(output={"title": "t", "summary": "s" * 65536}) == (
        "Invalid request.\n\nOnly 65535 characters are allowed; 65536 were supplied."
    )
    assert create(output={"title": "t", "summary": "s", "text": "é" * 40000}) == (
        "text exceeds a maximum bytesize of 65535"
    )
    assert create(output={"title": "t", "summary": "s", "annotations": [annotation] * 51}) == (
        "Invalid request.\n\nNo more than 50 items are allowed; 51 were supplied."
    )
    assert create(status="completed") == 'Invalid request.\n\n"conclusion" wasn\'t supplied.'
    run = repo.create_check_run(name="x", head_sha=SHA)
    with pytest.raises(GithubException) as caught:
        run.edit(status="completed")
    assert caught.value.status == 422 and '"conclusion" wasn\'t supplied.' in caught.value.data["message"]
    assert fake.check_runs()[0]["status"] == "queued"
    refused(fake, 6)


def test_bodies_the_schema_rejects_are_recorded(fake: FakeGitHub) -> None:
    url = f"{fake.url}/repos/{REPO}/issues/5/comments"
    wrong_type = requests.post(url, json={"body": 5}, headers=AUTH, timeout=5)
    assert wrong_type.status_code == 422
    assert wrong_type.json() == {
        "message": "Invalid request.\n\nFor 'properties/body', 5 is not a string.",
        "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
        "status": "422",
    }
    missing = requests.post(url, json={"text": "hi"}, headers=AUTH, timeout=5)
    assert missing.json()["message"] == 'Invalid request.\n\n"body" wasn\'t supplied.'
    not_json = requests.post(url, data=b"{oops", headers=AUTH, timeout=5)
    assert (not_json.status_code, not_json.json()["message"]) == (400, "Problems parsing JSON")
    assert fake.comments(REPO, 5) == []
    violations = refused(fake, 3)
    assert "5 is not of type 'string'" in violations[0] and "'body' is a required property" in violations[1]


def test_unknown_routes_and_parameters_are_recorded(fake: FakeGitHub) -> None:
    def get(path: str, **params: str) -> requests.Response:
        return requests.get(f"{fake.url}{path}", params=params, headers=AUTH, timeout=5)

    unknown = get(f"/repos/{REPO}/no-such-thing")
    assert unknown.status_code == 404
    assert unknown.json() == {
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest",
        "status": "404",
    }
    assert get(f"/repos/{REPO}/issues/five/comments").status_code == 404
    assert get(f"/repos/{REPO}/issues/5/comments", sort="asc").status_code == 200  # GitHub ignores, we record
    assert get(f"/repos/{REPO}/issues/5/comments", per_page="many").status_code == 200
    assert get(f"/repos/{REPO}/branches").status_code == 404  # GitHub has it, the fake does not
    assert requests.put(f"{fake.url}/repos/{REPO}/pulls/5", json={}, headers=AUTH, timeout=5).status_code == 404
    assert [v.split(": ", 1)[1] for v in refused(fake, 6)] == [
        "no such operation in GitHub's REST API",
        "path parameter issue_number='five' does not fit {'type': 'integer'}",
        "unknown query parameters ['sort']",
        "query parameter per_page: 'many' is not of type 'integer'",
        "a GitHub operation FakeGitHub does not emulate",
        "no such operation in GitHub's REST API",
    ]


def test_read_only_token_and_bad_credentials(fake: FakeGitHub) -> None:
    fake.read_only = True
    issue = client(fake).get_repo(REPO).get_issue(5)  # reads still work
    with pytest.raises(GithubException) as caught:
        issue.create_comment("hi")
    assert caught.value.status == 403
    assert caught.value.data == {
        "message": "Resource not accessible by integration",
        "documentation_url": "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
        "status": "403",
    }
    assert caught.value.headers is not None
    assert caught.value.headers["x-accepted-github-permissions"] == "issues=write; pull_requests=write"
    assert fake.comments(REPO, 5) == []

    with pytest.raises(BadCredentialsException) as bad:
        client(fake, token="wrong").get_repo(REPO)
    assert bad.value.status == 401 and bad.value.data["message"] == "Bad credentials"
    assert requests.get(f"{fake.url}/repos/{REPO}", timeout=5).status_code == 401
    assert requests.get(f"{fake.url}/repos/{REPO}", headers={"Authorization": "Bearer t"}, timeout=5).ok


def test_injected_failures_come_first_and_in_order(fake: FakeGitHub) -> None:
    repo = client(fake).get_repo(REPO)
    fake.fail_next = [(502, {}), (403, {"Retry-After": "1"}), (500, {}, {"message": "custom"})]
    with pytest.raises(GithubException) as server_error:
        repo.get_pull(5)
    assert server_error.value.status == 502
    with pytest.raises(RateLimitExceededException) as limited:
        repo.get_pull(5)
    assert limited.value.headers is not None and limited.value.headers["retry-after"] == "1"
    assert limited.value.data["message"].startswith("You have exceeded a secondary rate limit")
    with pytest.raises(GithubException) as custom:
        repo.get_pull(5)
    assert custom.value.data == {"message": "custom"}
    fake.fail_matching = [("GET", "/issues/5/comments", 503)]
    assert repo.get_pull(5).number == 5
    with pytest.raises(GithubException) as unavailable:
        list(repo.get_issue(5).get_comments())
    assert unavailable.value.status == 503
    assert list(repo.get_issue(5).get_comments()) == []


def test_who_the_token_acts_as(fake: FakeGitHub) -> None:
    """GITHUB_TOKEN (an installation token) is no user: GET /user refuses it and its writes are
    the github-actions[bot] app's; a personal access token is its user's."""
    with pytest.raises(GithubException) as caught:
        _ = client(fake).get_user().login
    assert caught.value.status == 403 and caught.value.data["message"] == "Resource not accessible by integration"
    assert client(fake).get_repo(REPO).get_issue(5).create_comment("a").user.login == "github-actions[bot]"
    fake.token_user = "octo-dev"
    me = client(fake).get_user()
    assert (me.login, me.type) == ("octo-dev", "User")
    comment = client(fake).get_repo(REPO).get_issue(5).create_comment("b")
    assert (comment.user.login, comment.user.id) == ("octo-dev", me.id)
    fake.add_comment(REPO, 5, "c", "mallory")
    assert len({c["user"]["id"] for c in fake.comments(REPO, 5)}) == 3


def test_lasting_refusals_of_one_operation(fake: FakeGitHub) -> None:
    comments = "/repos/{owner}/{repo}/issues/{issue_number}/comments"
    fake.refuse("GET", comments, 403)
    fake.refuse("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", 404, pull_number="5")
    repo = client(fake).get_repo(REPO)
    for _ in range(2):
        with pytest.raises(GithubException) as caught:
            list(repo.get_issue(5).get_comments())
        assert caught.value.status == 403
        assert caught.value.headers is not None
        assert caught.value.headers["x-accepted-github-permissions"] == "issues=read; pull_requests=read"
    repo.get_issue(5).create_comment("writes still work")
    with pytest.raises(GithubException) as missing:
        repo.get_pull(5)
    assert missing.value.status == 404
    fake.add_pull(REPO, 6, SHA)
    assert repo.get_pull(6).number == 6


def test_rate_limit(fake: FakeGitHub) -> None:
    github = client(fake)
    github.get_repo(REPO)
    assert github.rate_limiting == (4999, 5000)
    assert github.get_rate_limit().resources.core.remaining == 4999  # asking costs nothing


def test_enterprise_server_base_path() -> None:
    with FakeGitHub(base_path="/api/v3", web_url="https://ghe.example.com") as ghes:
        assert ghes.description == openapi_ghes_description_path()
        ghes.add_pull(REPO, 5, SHA)
        for i in range(31):
            ghes.add_comment(REPO, 5, f"c{i}")
        issue = Github(base_url=ghes.url, retry=None).get_repo(REPO).get_issue(5)
        comment = issue.create_comment("report")
        assert comment.html_url == f"https://ghe.example.com/{REPO}/pull/5#issuecomment-{comment.id}"
        assert comment.url == f"{ghes.url}/repos/{REPO}/issues/comments/{comment.id}"
        assert len(list(issue.get_comments())) == 32  # the next page's link keeps /api/v3
        assert all(r.operation for r in ghes.requests) and ghes.violations == []
        assert requests.get(f"{ghes.origin}/repos/{REPO}", timeout=5).status_code == 404
        assert ghes.violations == [f"GET /repos/{REPO}: no such operation in GitHub's REST API"]


def exercise_every_route(fake: FakeGitHub) -> None:
    fake.add_pull(REPO, 5, SHA)
    fake.add_comment(REPO, 5, "earlier")
    repo = client(fake).get_repo(REPO)
    issue = repo.get_issue(5)
    comment = issue.create_comment("report")
    issue.get_comment(comment.id).edit("edited")
    list(issue.get_comments())
    comment.delete()
    run = repo.create_check_run(name="x", head_sha=SHA, status="in_progress")
    run.edit(conclusion="success")
    repo.get_check_run(run.id)
    commit = repo.get_commit(SHA)
    list(commit.get_check_runs())
    fake.add_commits(REPO, "main", [SHA, "b" * 40])
    assert [c.sha for c in repo.get_commits(sha="main")] == [SHA, "b" * 40]
    list(commit.get_pulls())
    list(repo.get_pulls(state="open", head="octo-org:feature"))
    repo.get_pull(5)
    repo.get_issue(6)
    client(fake).get_rate_limit()
    fake.token_user = "octo-dev"
    assert client(fake).get_user().login == "octo-dev"


@pytest.mark.parametrize("base_path", ["", "/api/v3"], ids=["github.com", "ghes"])
def test_answers_fit_githubs_response_schemas(base_path: str) -> None:
    with FakeGitHub(base_path=base_path) as server:
        exercise_every_route(server)
        assert server.violations == []
        assert {(r.method, r.operation) for r in server.requests} == set(ROUTES)
        assert server.description is not None
        operations = load_operations(server.description)
        for r in server.requests:
            schema = operations[(r.method, str(r.operation))].response_schemas.get(r.status)
            if r.status != 204:
                assert schema is not None and schema_errors(schema, r.response) == [], (r.method, r.path)


def test_concurrent_writes_are_all_kept(fake: FakeGitHub) -> None:
    def post(worker: int) -> None:
        for i in range(10):
            body = {"body": f"{worker}-{i}"}
            requests.post(f"{fake.url}/repos/{REPO}/issues/5/comments", json=body, headers=AUTH, timeout=5)

    threads = [threading.Thread(target=post, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ids = [c["id"] for c in fake.comments(REPO, 5)]
    assert len(ids) == len(set(ids)) == 60


@pytest.mark.parametrize(
    ("event", "action", "key"),
    [
        ("pull_request", "opened", "pull_request"),
        ("pull_request_target", "synchronize", "pull_request"),
        ("push", None, "head_commit"),
        ("workflow_run", "completed", "workflow_run"),
        ("merge_group", "checks_requested", "merge_group"),
        ("workflow_dispatch", None, "inputs"),
    ],
)
def test_webhook_examples(event: str, action: str | None, key: str) -> None:
    payload = webhook_example(event, action=action)
    assert key in payload and payload["repository"]["full_name"]
    if action:
        assert payload["action"] == action
    payload["repository"]["full_name"] = "changed/here"
    assert webhook_example(event, action=action)["repository"]["full_name"] != "changed/here"


def test_webhook_example_predicates() -> None:
    run = webhook_example("workflow_run", predicate=lambda p: bool(p["workflow_run"]["pull_requests"]))
    assert run["workflow_run"]["pull_requests"][0]["number"]
    with pytest.raises(LookupError):
        webhook_example("pull_request", action="opened", predicate=lambda p: False)


def test_openapi_descriptions_are_there() -> None:
    assert openapi_description_path().name == "api.github.com.deref.json"
    ghes = openapi_ghes_description_path()
    assert ghes is not None and ghes.name.startswith("ghes-3.") and ghes.is_file()
