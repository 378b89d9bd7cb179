"""A fake GitHub REST API on 127.0.0.1 for the parts a reporter uses (repos, pulls, issue
comments, check runs). Every request is matched to its operation in GitHub's own OpenAPI
description and its JSON body and query are checked against it; anything off is answered the
way GitHub answers and recorded in ``violations``. GitHub's size limits answer 422, and a
read-only mode answers writes like a fork's token does."""

from __future__ import annotations

import functools
import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qs, urlencode, urlsplit

from jsonschema import Draft7Validator

from .npm_fixtures import openapi_description_path

DOCS = "https://docs.github.com/rest"
BOT = {"login": "github-actions[bot]", "id": 41898282, "type": "Bot", "node_id": "MDM6Qm90NDE4OTgyODI="}
COMMENT_LIMIT = 65536
CHECK_OUTPUT_LIMIT = 65535


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    query_names: frozenset[str]
    body_schema: dict[str, Any] | None


@functools.cache
def operations() -> tuple[Operation, ...]:
    spec = json.loads(openapi_description_path().read_text())
    found = []
    for template, item in spec["paths"].items():
        regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        for method, op in item.items():
            if method not in ("get", "post", "patch", "put", "delete"):
                continue
            params = [*item.get("parameters", []), *op.get("parameters", [])]
            schema = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            found.append(
                Operation(
                    method.upper(),
                    template,
                    re.compile(regex),
                    frozenset(p["name"] for p in params if p.get("in") == "query"),
                    schema,
                )
            )
    # Literal segments before templated ones, as GitHub's router does (/issues/comments before /issues/{n}).
    return tuple(sorted(found, key=lambda o: o.template.count("{")))


def find_operation(method: str, path: str) -> Operation | None:
    return next((op for op in operations() if op.method == method and op.pattern.match(path)), None)


@dataclass
class RecordedRequest:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    operation: str | None


@dataclass
class FakeGitHub:
    base_path: str = ""
    web_url: str = "https://github.com"
    token: str | None = None
    read_only: bool = False
    fail_next: list[tuple[int, dict[str, str], dict[str, Any]]] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        self._ids = itertools.count(1000)
        self._pulls: dict[tuple[str, int], dict[str, Any]] = {}
        self._comments: dict[int, dict[str, Any]] = {}
        self._comment_issue: dict[int, tuple[str, int]] = {}
        self._check_runs: dict[int, dict[str, Any]] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        operations()  # load the description before the first request, not inside it

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        return self.origin + self.base_path

    def start(self) -> Self:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- seeding and inspection --------------------------------------------------------------
    def add_pull(
        self,
        repo: str,
        number: int,
        head_sha: str,
        head_ref: str = "feature",
        *,
        fork: bool = False,
        state: str = "open",
    ) -> dict[str, Any]:
        owner = repo.split("/")[0]
        head_repo = f"someone-else/{repo.split('/')[1]}" if fork else repo
        pull = {
            "id": next(self._ids),
            "node_id": "PR_x",
            "number": number,
            "state": state,
            "title": f"PR {number}",
            "url": f"{self.url}/repos/{repo}/pulls/{number}",
            "html_url": f"{self.web_url}/{repo}/pull/{number}",
            "user": {"login": owner, "id": 1, "type": "User"},
            "head": {"ref": head_ref, "sha": head_sha, "repo": {"full_name": head_repo, "fork": fork}},
            "base": {"ref": "main", "sha": "0" * 40, "repo": {"full_name": repo, "fork": False}},
        }
        self._pulls[(repo, number)] = pull
        return pull

    def add_comment(self, repo: str, number: int, body: str, login: str = "someone", user_type: str = "User") -> int:
        with self.lock:
            return self._new_comment(repo, number, body, {"login": login, "id": 7, "type": user_type})["id"]  # type: ignore[no-any-return]

    def comments(self, repo: str, number: int) -> list[dict[str, Any]]:
        with self.lock:
            return [c for cid, c in self._comments.items() if self._comment_issue[cid] == (repo, number)]

    def check_runs(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self._check_runs.values())

    def writes(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method != "GET"]

    # -- state changes -----------------------------------------------------------------------
    def _now(self) -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _new_comment(self, repo: str, number: int, body: str, user: dict[str, Any]) -> dict[str, Any]:
        cid = next(self._ids)
        comment = {
            "id": cid,
            "node_id": f"IC_{cid}",
            "body": body,
            "user": user,
            "url": f"{self.url}/repos/{repo}/issues/comments/{cid}",
            "html_url": f"{self.web_url}/{repo}/pull/{number}#issuecomment-{cid}",
            "issue_url": f"{self.url}/repos/{repo}/issues/{number}",
            "created_at": self._now(),
            "updated_at": self._now(),
            "author_association": "NONE",
        }
        self._comments[cid] = comment
        self._comment_issue[cid] = (repo, number)
        return comment

    def handle(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> tuple[int, Any, dict[str, str]]:
        m = re.match(r"^/repos/([^/]+/[^/]+)(/.*)?$", path)
        if not m:
            return 404, _error("Not Found"), {}
        repo, rest = m.group(1), m.group(2) or ""
        if method != "GET" and self.read_only:
            return 403, _error("Resource not accessible by integration", 403), {}
        if rest == "" and method == "GET":
            owner, name = repo.split("/")
            return (
                200,
                {
                    "id": 1,
                    "name": name,
                    "full_name": repo,
                    "owner": {"login": owner, "id": 1, "type": "User"},
                    "url": f"{self.url}/repos/{repo}",
                    "html_url": f"{self.web_url}/{repo}",
                    "private": False,
                },
                {},
            )
        if m2 := re.fullmatch(r"/pulls/(\d+)", rest):
            pull = self._pulls.get((repo, int(m2.group(1))))
            return (200, pull, {}) if pull else (404, _error("Not Found"), {})
        if m2 := re.fullmatch(r"/commits/([^/]+)/pulls", rest):
            sha = m2.group(1)
            return 200, [p for (r, _), p in self._pulls.items() if r == repo and p["head"]["sha"] == sha], {}
        if m2 := re.fullmatch(r"/issues/(\d+)/comments", rest):
            number = int(m2.group(1))
            if method == "POST":
                if len(body["body"]) > COMMENT_LIMIT:
                    return 422, _too_long("IssueComment", "data", "Body", COMMENT_LIMIT), {}
                return 201, self._new_comment(repo, number, body["body"], dict(BOT)), {}
            return self._page(path, query, self.comments_unlocked(repo, number))
        if m2 := re.fullmatch(r"/issues/comments/(\d+)", rest):
            comment = self._comments.get(int(m2.group(1)))
            if comment is None:
                return 404, _error("Not Found"), {}
            if method == "PATCH":
                if len(body["body"]) > COMMENT_LIMIT:
                    return 422, _too_long("IssueComment", "data", "Body", COMMENT_LIMIT), {}
                comment.update(body=body["body"], updated_at=self._now())
            return 200, comment, {}
        if rest == "/check-runs" and method == "POST":
            problem = _check_problem(body)
            if problem:
                return 422, problem, {}
            cid = next(self._ids)
            run = {
                "id": cid,
                "node_id": f"CR_{cid}",
                "head_sha": body["head_sha"],
                "external_id": "",
                "url": f"{self.url}/repos/{repo}/check-runs/{cid}",
                "html_url": f"{self.web_url}/{repo}/runs/{cid}",
                "details_url": None,
                "status": "queued",
                "conclusion": None,
                "started_at": self._now(),
                "completed_at": None,
                "name": body["name"],
                "app": {"id": 15368, "slug": "github-actions"},
                "output": {
                    "title": None,
                    "summary": None,
                    "text": None,
                    "annotations_count": 0,
                    "annotations_url": f"{self.url}/repos/{repo}/check-runs/{cid}/annotations",
                },
                "pull_requests": [],
            }
            _apply_check(run, body)
            self._check_runs[cid] = run
            return 201, run, {}
        if m2 := re.fullmatch(r"/check-runs/(\d+)", rest):
            existing = self._check_runs.get(int(m2.group(1)))
            if existing is None:
                return 404, _error("Not Found"), {}
            if method == "PATCH":
                problem = _check_problem({**body, "status": body.get("status", existing["status"])})
                if problem:
                    return 422, problem, {}
                _apply_check(existing, body)
            return 200, existing, {}
        return 404, _error("Not Found"), {}

    def comments_unlocked(self, repo: str, number: int) -> list[dict[str, Any]]:
        return [c for cid, c in self._comments.items() if self._comment_issue[cid] == (repo, number)]

    def _page(self, path: str, query: dict[str, list[str]], items: list[Any]) -> tuple[int, Any, dict[str, str]]:
        per_page = min(int(query.get("per_page", ["30"])[0]), 100)
        page = int(query.get("page", ["1"])[0])
        last = max(1, -(-len(items) // per_page))
        links = []
        for rel, target in (("prev", page - 1), ("next", page + 1), ("last", last), ("first", 1)):
            if (rel in ("prev", "first") and page > 1) or (rel in ("next", "last") and page < last):
                query_string = urlencode({"per_page": per_page, "page": target})
                links.append(f'<{self.origin}{self.base_path}{path}?{query_string}>; rel="{rel}"')
        headers = {"Link": ", ".join(links)} if links else {}
        return 200, items[(page - 1) * per_page : page * per_page], headers


def _apply_check(run: dict[str, Any], body: dict[str, Any]) -> None:
    for key in ("name", "head_sha", "details_url", "external_id", "status", "conclusion", "started_at", "completed_at"):
        if key in body:
            run[key] = body[key]
    if body.get("conclusion"):
        run["status"] = "completed"
    if "output" in body:
        run["output"].update({k: body["output"].get(k) for k in ("title", "summary", "text")})


def _check_problem(body: dict[str, Any]) -> dict[str, Any] | None:
    output = body.get("output") or {}
    for key in ("summary", "text"):
        if len(output.get(key) or "") > CHECK_OUTPUT_LIMIT:
            return _too_long("CheckRun", f"output.{key}", f"Output {key}", CHECK_OUTPUT_LIMIT)
    if len(output.get("annotations") or []) > 50:
        return _error("Only 50 annotations are allowed per request", 422)
    if body.get("status") == "completed" and not body.get("conclusion"):
        return _error("Invalid request.\n\nNo conclusion given for a completed check run.", 422)
    return None


def _error(message: str, status: int = 404) -> dict[str, Any]:
    return {"message": message, "documentation_url": DOCS, "status": str(status)}


def _too_long(resource: str, field_name: str, what: str, limit: int) -> dict[str, Any]:
    return {
        "message": "Validation Failed",
        "errors": [
            {
                "resource": resource,
                "code": "custom",
                "field": field_name,
                "message": f"{what} is too long (maximum is {limit} characters)",
            }
        ],
        "documentation_url": DOCS,
        "status": "422",
    }


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

        def do_PATCH(self) -> None:
            self._serve("PATCH")

        def do_PUT(self) -> None:
            self._serve("PUT")

        def do_DELETE(self) -> None:
            self._serve("DELETE")

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            query = parse_qs(parts.query)
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw.decode(errors="replace")
            path = parts.path
            with fake.lock:
                op = None
                if path.startswith(fake.base_path):
                    path = path[len(fake.base_path) :] or "/"
                    op = find_operation(method, path)
                fake.requests.append(
                    RecordedRequest(method, path, query, dict(self.headers), body, op.template if op else None)
                )
                status, payload, headers = self._dispatch(method, path, query, body, op)
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-RateLimit-Limit", "5000")
            self.send_header("X-RateLimit-Remaining", "4999")
            self.send_header("X-RateLimit-Reset", "4102444800")
            self.send_header("X-GitHub-Api-Version-Selected", "2022-11-28")
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _dispatch(
            self, method: str, path: str, query: dict[str, list[str]], body: Any, op: Operation | None
        ) -> tuple[int, Any, dict[str, str]]:
            if op is None:
                fake.violations.append(f"{method} {self.path}: no such operation in GitHub's API")
                return 404, _error("Not Found"), {}
            unknown = set(query) - op.query_names
            if unknown:
                fake.violations.append(f"{method} {op.template}: unknown query parameters {sorted(unknown)}")
            if op.body_schema is not None and method != "GET":
                errors = sorted(Draft7Validator(op.body_schema).iter_errors(body), key=str)
                if errors:
                    fake.violations.append(f"{method} {op.template}: {errors[0].message}")
                    return 422, _error(f"Invalid request.\n\n{errors[0].message}", 422), {}
            if fake.token is not None:
                auth = self.headers.get("Authorization", "")
                if auth not in (f"token {fake.token}", f"Bearer {fake.token}"):
                    return 401, _error("Bad credentials", 401), {}
            if fake.fail_next:
                status, headers, payload = fake.fail_next.pop(0)
                return status, payload or _error("Server Error", status), headers
            return fake.handle(method, path, query, body)

    return Handler
