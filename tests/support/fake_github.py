"""A fake GitHub REST API on 127.0.0.1 for what a reporter does with PyGithub: the repository,
pull requests, issue comments, check runs and the rate limit.

Every request is matched to its operation in GitHub's own OpenAPI description (api.github.com's,
or the newest GitHub Enterprise Server one when ``base_path`` is set), and its path and query
parameters and JSON body are checked against that operation. Whatever GitHub would refuse — a
route it does not have, an unknown or malformed parameter, a body its schema rejects, a size limit
— is answered the way GitHub answers it and recorded in ``violations``. Answers that depend on the
seeded data (a pull request nobody added is 404) are not violations. Response bodies start from the
description's own examples, so they carry every field GitHub's schema requires."""

from __future__ import annotations

import copy
import functools
import itertools
import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qsl, urlencode, urlsplit

from jsonschema import Draft4Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

from .npm_fixtures import openapi_description_path, openapi_ghes_description_path

DOCS = "https://docs.github.com/rest"
RATE_LIMIT_DOCS = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
COMMENT_LIMIT = 65536
CHECK_OUTPUT_LIMIT = 65535
RATE_LIMIT = 5000
SHA = re.compile(r"[0-9a-fA-F]{40}")
DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
# The example repositories GitHub's description uses, replaced by the repository asked about.
EXAMPLE_REPOS = ("octocat/Hello-World", "octocat/hello-world", "github/hello-world")

Reply = tuple[int, Any, dict[str, str]]

# (method, path template) -> FakeGitHub method answering it.
ROUTES: dict[tuple[str, str], str] = {
    ("GET", "/rate_limit"): "_rate_limit",
    ("GET", "/repos/{owner}/{repo}"): "_get_repo",
    ("GET", "/repos/{owner}/{repo}/pulls"): "_list_pulls",
    ("GET", "/repos/{owner}/{repo}/pulls/{pull_number}"): "_get_pull",
    ("GET", "/repos/{owner}/{repo}/issues/{issue_number}"): "_get_issue",
    ("GET", "/repos/{owner}/{repo}/commits"): "_list_commits",
    ("GET", "/repos/{owner}/{repo}/commits/{ref}"): "_get_commit",
    ("GET", "/repos/{owner}/{repo}/commits/{commit_sha}/pulls"): "_commit_pulls",
    ("GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments"): "_list_comments",
    ("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments"): "_create_comment",
    ("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}"): "_get_comment",
    ("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}"): "_edit_comment",
    ("DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}"): "_delete_comment",
    ("POST", "/repos/{owner}/{repo}/check-runs"): "_create_check_run",
    ("GET", "/repos/{owner}/{repo}/check-runs/{check_run_id}"): "_get_check_run",
    ("PATCH", "/repos/{owner}/{repo}/check-runs/{check_run_id}"): "_update_check_run",
    ("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs"): "_list_check_runs",
    ("GET", "/user"): "_authenticated_user",
}
# What GitHub names in X-Accepted-GitHub-Permissions when an integration token may not write.
WRITE_PERMISSIONS = {"comments": "issues=write; pull_requests=write", "check-runs": "checks=write"}
# ... and when it may not read (on a private repository, reads need a permission too).
READ_PERMISSIONS = {
    "comments": "issues=read; pull_requests=read",
    "pulls": "pull_requests=read",
    "check-runs": "checks=read",
}
BOT_LOGIN = "github-actions[bot]"


# -- GitHub's OpenAPI description -----------------------------------------------------------------
def _nullable(keyword: str) -> Callable[..., Any]:
    """OpenAPI 3.0's ``nullable: true`` lets null through ``type`` and ``enum``; plain JSON Schema does not."""
    base = Draft4Validator.VALIDATORS[keyword]

    def check(validator: Any, value: Any, instance: Any, schema: dict[str, Any]) -> Any:
        if instance is None and schema.get("nullable"):
            return
        yield from base(validator, value, instance, schema)

    return check


OpenAPISchemaValidator = validators.extend(Draft4Validator, {"type": _nullable("type"), "enum": _nullable("enum")})
FORMATS = FormatChecker(formats=())
FORMATS.checks("date-time")(lambda value: not isinstance(value, str) or DATE_TIME.fullmatch(value) is not None)


def schema_errors(schema: dict[str, Any], instance: Any) -> list[ValidationError]:
    return list(OpenAPISchemaValidator(schema, format_checker=FORMATS).iter_errors(instance))


@dataclass(frozen=True, eq=False)
class Operation:
    method: str
    template: str
    pattern: re.Pattern[str]
    path_params: dict[str, dict[str, Any]]  # name -> schema, in template order
    query_params: dict[str, dict[str, Any]]  # name -> parameter object
    body_schema: dict[str, Any] | None
    docs_url: str
    # Only for the operations the fake answers: keeping every response schema would keep the whole file.
    response_schemas: dict[int, dict[str, Any]]
    example: Any

    def parse_path(self, path: str) -> dict[str, str] | None:
        m = self.pattern.fullmatch(path)
        return dict(zip(self.path_params, m.groups(), strict=True)) if m else None


@functools.cache
def load_operations(description: Path) -> dict[tuple[str, str], Operation]:
    """Every operation of a (dereferenced) description, most literal templates first, as GitHub's
    router prefers ``/issues/comments`` to ``/issues/{issue_number}``. Loaded once per process."""
    spec = json.loads(description.read_text())
    found = []
    for template, item in spec["paths"].items():
        regex = re.sub(r"\\\{[^}]+\\\}", "([^/]+)", re.escape(template))
        for method, op in item.items():
            if method not in ("get", "post", "patch", "put", "delete"):
                continue
            params = [*item.get("parameters", []), *op.get("parameters", [])]
            key = (method.upper(), template)
            responses: dict[int, dict[str, Any]] = {}
            example = None
            if key in ROUTES:
                for status, response in op["responses"].items():
                    content = response.get("content", {}).get("application/json", {})
                    if status.startswith("2") and "schema" in content:
                        responses[int(status)] = content["schema"]
                        if example is None and content.get("examples"):
                            example = _unwrap(next(iter(content["examples"].values()))["value"])
                            _complete(content["schema"], example)
            found.append(
                Operation(
                    method=key[0],
                    template=template,
                    pattern=re.compile(regex),
                    path_params={
                        name: next((p["schema"] for p in params if p["in"] == "path" and p["name"] == name), {})
                        for name in re.findall(r"\{([^}]+)\}", template)
                    },
                    query_params={p["name"]: p for p in params if p["in"] == "query"},
                    body_schema=op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema"),
                    docs_url=op.get("externalDocs", {}).get("url", DOCS),
                    response_schemas=responses,
                    example=example,
                )
            )
    found.sort(key=lambda o: o.template.count("{"))
    return {(o.method, o.template): o for o in found}


def find_operation(method: str, path: str, description: Path | None = None) -> Operation | None:
    operations = load_operations(description or openapi_description_path())
    return next((op for op in operations.values() if op.method == method and op.parse_path(path) is not None), None)


def _unwrap(example: Any) -> Any:
    # A few examples nest the value once more beside x-github-* annotations.
    if isinstance(example, dict) and "value" in example and all(k == "value" or k.startswith("x-") for k in example):
        return example["value"]
    return example


def _complete(schema: dict[str, Any], value: Any) -> None:
    """Give an example every property its schema requires (some of GitHub's examples lag behind)."""
    if isinstance(value, dict):
        props = schema.get("properties", {})
        for name in schema.get("required", []):
            value.setdefault(name, _blank(props.get(name, {})))
        for name, sub in props.items():
            if name in value:
                _complete(sub, value[name])
    elif isinstance(value, list) and "items" in schema:
        for item in value:
            _complete(schema["items"], item)


def _blank(schema: dict[str, Any]) -> Any:
    if schema.get("nullable"):
        return None
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if kind == "object":
        value: dict[str, Any] = {}
        _complete(schema, value)
        return value
    return {"string": "", "integer": 0, "number": 0, "boolean": False, "array": []}.get(kind)


# -- GitHub's answers -------------------------------------------------------------------------------
def _error(message: str, status: int, docs: str = DOCS) -> dict[str, Any]:
    return {"message": message, "documentation_url": docs, "status": str(status)}


def _validation_failed(resource: str, code: str, field_name: str, message: str) -> dict[str, Any]:
    return {
        "message": "Validation Failed",
        "errors": [{"resource": resource, "code": code, "field": field_name, "message": message}],
        "documentation_url": DOCS,
        "status": "422",
    }


def _github_wording(error: ValidationError) -> str:
    """A schema error the way GitHub's validator words it (e.g. "Only 65535 characters are allowed")."""
    where = "/".join("items" if isinstance(p, int) else f"properties/{p}" for p in error.absolute_path)
    kind, limit, instance = error.validator, error.validator_value, error.instance
    if kind == "maxLength":
        return f"Only {limit} characters are allowed; {len(instance)} were supplied."
    if kind == "maxItems":
        return f"No more than {limit} items are allowed; {len(instance)} were supplied."
    if kind == "required":
        missing = next(name for name in limit if name not in instance)
        return f'"{missing}" wasn\'t supplied.'
    if kind == "type":
        article = "an" if str(limit)[0] in "aeiou" else "a"
        return f"For '{where}', {json.dumps(instance)} is not {article} {limit}."
    if kind in ("anyOf", "oneOf") and error.context:
        # The branch whose enum the instance fits is the one the client meant.
        meant = min(error.context, key=lambda e: e.validator in ("enum", "const"))
        return f'No subschema in "{kind}" matched.\n' + _github_wording(meant)
    return f"For '{where}', {error.message}"


def _injected(status: int, given: Mapping[str, str]) -> dict[str, Any]:
    """GitHub's body for an injected failure, told apart by its status and headers."""
    headers = {name.lower(): value for name, value in given.items()}
    if status in (403, 429) and headers.get("x-ratelimit-remaining") == "0":
        return _error("API rate limit exceeded for installation ID 1.", status, RATE_LIMIT_DOCS)
    if status == 429 or (status == 403 and "retry-after" in headers):
        message = (
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. "
            "If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000."
        )
        return _error(message, status, RATE_LIMIT_DOCS + "#about-secondary-rate-limits")
    return _error("Server Error" if status >= 500 else HTTPStatus(status).phrase, status)


def _authorized(header: str, token: str) -> bool:
    scheme, _, value = header.partition(" ")
    return scheme.lower() in ("token", "bearer") and value == token


def _coerce(value: str, schema: dict[str, Any]) -> Any:
    """A query or path string as the type its schema declares, so the schema can judge it."""
    kind = schema.get("type")
    if kind == "integer" and re.fullmatch(r"-?\d+", value):
        return int(value)
    if kind == "number" and re.fullmatch(r"-?\d+(\.\d+)?", value):
        return float(value)
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    if kind == "array":
        return value.split(",")
    return value


def _number(query: Mapping[str, str], name: str, default: int) -> int:
    # GitHub ignores a malformed page or per_page; the fake has recorded it as a violation already.
    value = query.get(name, "")
    return int(value) if value.isdigit() and int(value) > 0 else default


# -- the fake ---------------------------------------------------------------------------------------
@dataclass
class RecordedRequest:
    method: str
    path: str  # without base_path
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any  # the JSON body, or the raw text when it was not JSON
    operation: str | None  # the path template of GitHub's operation
    status: int = 0
    response_bytes: bytes = b""

    @property
    def response(self) -> Any:
        return json.loads(self.response_bytes) if self.response_bytes else None


@dataclass
class Call:
    repo: str  # "owner/name"
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    op: Operation


FailNext = tuple[int, dict[str, str]] | tuple[int, dict[str, str], dict[str, Any]]


@dataclass(frozen=True)
class Refusal:
    """GitHub saying no to every request of one operation (optionally only for some path
    parameters), the way it does for a token without the permission, or for what it cannot see."""

    method: str
    template: str  # the operation's path template, e.g. "/repos/{owner}/{repo}/issues/{issue_number}/comments"
    status: int  # 401, 403 or 404
    where: tuple[tuple[str, str], ...] = ()

    def matches(self, op: Operation, params: Mapping[str, str]) -> bool:
        return (op.method, op.template) == (self.method, self.template) and all(
            params.get(name) == value for name, value in self.where
        )

    def answer(self, op: Operation) -> Reply:
        if self.status == 401:
            return 401, _error("Bad credentials", 401), {}
        if self.status == 404:
            return 404, _error("Not Found", 404, op.docs_url), {}
        table = READ_PERMISSIONS if op.method == "GET" else WRITE_PERMISSIONS
        needed = [p for part, p in table.items() if f"/{part}" in op.template]
        headers = {"X-Accepted-GitHub-Permissions": needed[0]} if needed else {}
        return self.status, _error("Resource not accessible by integration", self.status, op.docs_url), headers


@dataclass
class FakeGitHub:
    base_path: str = ""  # "/api/v3" emulates GitHub Enterprise Server
    web_url: str = "https://github.com"
    token: str | None = None  # when set, other credentials answer 401
    # Whom the token acts as: a user's login for a personal access token; None for an installation
    # token such as GITHUB_TOKEN, which acts as the github-actions[bot] app (GET /user refuses it).
    token_user: str | None = None
    read_only: bool = False  # every write answers 403, as for a fork's pull request token
    # Answered instead of the next requests, in order: (status, headers) or (status, headers, body).
    fail_next: list[FailNext] = field(default_factory=list)
    # (method, path suffix, status): answered instead of the next matching requests, in order
    fail_matching: list[tuple[str, str, int]] = field(default_factory=list)
    # Lasting refusals of single operations (see refuse()), checked after the credentials.
    refusals: list[Refusal] = field(default_factory=list)
    # None: api.github.com's description, or the newest GHES one when base_path is set
    description: Path | None = None
    violations: list[str] = field(default_factory=list)
    requests: list[RecordedRequest] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        self.lock = threading.Lock()
        if self.description is None:
            ghes = openapi_ghes_description_path() if self.base_path else None
            self.description = ghes or openapi_description_path()
        self._ops = load_operations(self.description)  # before the first request, not inside it
        self._ids = itertools.count(2**31)  # real ids no longer fit 32 bits
        self._repo_ids: dict[str, int] = {}
        self._user_ids: dict[str, int] = {}
        self._pulls: dict[tuple[str, int], dict[str, Any]] = {}
        self._comments: dict[int, tuple[str, int, dict[str, Any]]] = {}
        self._check_runs: dict[int, tuple[str, dict[str, Any]]] = {}
        self._branches: dict[tuple[str, str], list[str]] = {}  # (repo, branch) -> commits, newest first
        self._used = 0
        self._reset = int(time.time()) + 3600
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True

    # -- lifecycle --------------------------------------------------------------------------------
    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def url(self) -> str:
        return self.origin + self.base_path

    def start(self) -> Self:
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- seeding and inspection -------------------------------------------------------------------
    def add_pull(
        self,
        repo: str,
        number: int,
        head_sha: str,
        head_ref: str = "feature",
        *,
        base_ref: str = "main",
        fork: bool = False,
        state: str = "open",
        head_owner: str | None = None,
    ) -> dict[str, Any]:
        """Seed pull request ``number`` of ``repo`` ("owner/name"); a fork's head lives in
        ``head_owner``/name (someone-else/name unless given)."""
        owner, name = repo.split("/")
        head_owner = head_owner or ("someone-else" if fork else owner)
        with self.lock:
            pull = self._template("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", repo, number)
            pull.update(
                id=next(self._ids),
                number=number,
                state=state,
                title=f"PR {number}",
                user=self._user(head_owner, 1, "User"),
                url=f"{self.url}/repos/{repo}/pulls/{number}",
                html_url=f"{self.web_url}/{repo}/pull/{number}",
                issue_url=f"{self.url}/repos/{repo}/issues/{number}",
                comments_url=f"{self.url}/repos/{repo}/issues/{number}/comments",
                statuses_url=f"{self.url}/repos/{repo}/statuses/{head_sha}",
                locked=False,
                active_lock_reason=None,
                closed_at=None if state == "open" else self._now(),
                merged=False,
                merged_at=None,
                merge_commit_sha=None,
                merged_by=None,
                milestone=None,
                assignee=None,
                assignees=[],
                labels=[],
                requested_reviewers=[],
                requested_teams=[],
                author_association="CONTRIBUTOR" if fork else "MEMBER",
            )
            pull["node_id"] = f"PR_kwDO{pull['id']}"
            pull["head"].update(
                label=f"{head_owner}:{head_ref}",
                ref=head_ref,
                sha=head_sha,
                user=self._user(head_owner, 1, "User"),
                repo=self._repo(f"{head_owner}/{name}", fork=fork),
            )
            pull["base"].update(
                label=f"{owner}:{base_ref}",
                ref=base_ref,
                sha="0" * 40,
                user=self._user(owner, 2, "Organization"),
                repo=self._repo(repo),
            )
            self._pulls[(repo, number)] = pull
            return pull

    def add_comment(
        self, repo: str, number: int, body: str, user_login: str = "someone", user_type: str = "User"
    ) -> int:
        """Seed a comment on issue or pull request ``number``; returns its id."""
        with self.lock:
            user = self._bot() if user_login == BOT_LOGIN else self._user(user_login, self._uid(user_login), user_type)
            return int(self._new_comment(repo, number, body, user)["id"])

    def refuse(self, method: str, template: str, status: int = 403, **where: str) -> None:
        """Refuse every ``method`` request to the operation ``template`` from now on (only those
        whose path parameters equal ``where``, when given): 403 as for a token without the
        permission, 404 as for something the token cannot see, 401 as for bad credentials."""
        assert (method, template) in self._ops, f"{method} {template} is not a GitHub operation"
        self.refusals.append(Refusal(method, template, status, tuple(sorted(where.items()))))

    def add_commits(self, repo: str, branch: str, shas: list[str]) -> None:
        """Seed ``branch`` of ``repo`` with commits ``shas``, newest first (as the commits list gives them)."""
        with self.lock:
            self._branches[(repo, branch)] = [sha.lower() for sha in shas]

    def add_check_run(
        self,
        repo: str,
        sha: str,
        name: str,
        text: str,
        *,
        app_slug: str = "github-actions",
        conclusion: str | None = "failure",
    ) -> dict[str, Any]:
        """Seed a check run on commit ``sha`` whose output text is ``text``, created by the app
        ``app_slug``, completed with ``conclusion`` (None: in progress)."""
        body: dict[str, Any] = {"name": name, "head_sha": sha, "status": "in_progress"}
        if conclusion is not None:  # None: still in progress
            body.update(status="completed", conclusion=conclusion)
        with self.lock:
            op = self._ops[("POST", "/repos/{owner}/{repo}/check-runs")]
            status, run, _ = self._create_check_run(
                Call(repo, {}, {}, {**body, "output": {"title": "t", "summary": "A report", "text": text}}, op)
            )
            assert status == 201, run
            run["app"].update(slug=app_slug, name=app_slug.title())
            return copy.deepcopy(run)

    def comments(self, repo: str, number: int) -> list[dict[str, Any]]:
        """A snapshot of the comments on ``number``, oldest first."""
        with self.lock:
            return copy.deepcopy(self._comments_of(repo, number))

    def check_runs(self, repo: str | None = None) -> list[dict[str, Any]]:
        """A snapshot of the check runs (of ``repo``, or all), oldest first."""
        with self.lock:
            return copy.deepcopy([run for r, run in self._check_runs.values() if repo in (None, r)])

    def writes(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method != "GET"]

    # -- one request --------------------------------------------------------------------------------
    def respond(
        self, method: str, target: str, headers: Mapping[str, str], raw: bytes
    ) -> tuple[int, bytes, dict[str, str]]:
        """Status, JSON body and headers of GitHub's answer to one request."""
        parts = urlsplit(target)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        body: Any = None
        bad_json = False
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                body, bad_json = raw.decode(errors="replace"), True
        prefix = self.base_path + "/"
        path = "/" + parts.path.removeprefix(prefix) if parts.path.startswith(prefix) else None
        with self.lock:
            op, params = None, None
            for candidate in self._ops.values():
                if candidate.method == method and path and (params := candidate.parse_path(path)) is not None:
                    op = candidate
                    break
            record = RecordedRequest(
                method, path or parts.path, _multi(parts.query), dict(headers), body, op.template if op else None
            )
            self.requests.append(record)
            if path != "/rate_limit":
                self._used += 1
            auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
            status, payload, extra = self._answer(method, record.path, op, params or {}, query, body, bad_json, auth)
            # Serialized under the lock: the objects are live and another request may be changing them.
            data = b"" if status == 204 else json.dumps(payload).encode()
            record.status, record.response_bytes = status, data
            return status, data, {**self._rate_headers(), **extra}

    def _answer(
        self,
        method: str,
        path: str,
        op: Operation | None,
        params: dict[str, str],
        query: dict[str, str],
        body: Any,
        bad_json: bool,
        auth: str,
    ) -> Reply:
        """GitHub's answer; what refuses a request first: an injected failure, the credentials, the
        route, a read-only token, then the body."""
        refusal = self._check(method, path, op, params, query, body, bad_json)
        if self.fail_next:
            status, headers, *payload = self.fail_next.pop(0)
            return status, payload[0] if payload else _injected(status, headers), headers
        for i, (fail_method, suffix, fail_status) in enumerate(self.fail_matching):
            if method == fail_method and path.endswith(suffix):
                del self.fail_matching[i]
                return fail_status, _injected(fail_status, {}), {}
        if self.token is not None and not _authorized(auth, self.token):
            return 401, _error("Bad credentials", 401), {}
        refused = next((r for r in self.refusals if op is not None and r.matches(op, params)), None)
        if op is not None and refused is not None:
            return refused.answer(op)
        if op is None or (refusal and refusal[0] == 404):
            return refusal or (404, _error("Not Found", 404), {})
        if method != "GET" and self.read_only:
            needed = [p for part, p in WRITE_PERMISSIONS.items() if f"/{part}" in op.template]
            headers = {"X-Accepted-GitHub-Permissions": needed[0]} if needed else {}
            return 403, _error("Resource not accessible by integration", 403, op.docs_url), headers
        if refusal:
            return refusal
        route = ROUTES.get((op.method, op.template))
        if route is None:
            self.violations.append(f"{method} {op.template}: a GitHub operation FakeGitHub does not emulate")
            return 404, _error("Not Found", 404, op.docs_url), {}
        repo = f"{params['owner']}/{params['repo']}" if "owner" in params else ""
        handler: Callable[[Call], Reply] = getattr(self, route)
        return handler(Call(repo, params, query, body, op))

    def _check(
        self,
        method: str,
        path: str,
        op: Operation | None,
        params: dict[str, str],
        query: dict[str, str],
        body: Any,
        bad_json: bool,
    ) -> Reply | None:
        """Record what GitHub's description refuses in a request; GitHub's refusal, if it is one."""
        where = f"{method} {op.template if op else path}"
        if op is None:
            self.violations.append(f"{where}: no such operation in GitHub's REST API")
            return 404, _error("Not Found", 404), {}
        refusal: Reply | None = None
        for name, schema in op.path_params.items():
            if schema_errors(schema, _coerce(params[name], schema)):
                self.violations.append(f"{where}: path parameter {name}={params[name]!r} does not fit {schema}")
                refusal = refusal or (404, _error("Not Found", 404, op.docs_url), {})
        unknown = sorted(set(query) - set(op.query_params))
        if unknown:
            self.violations.append(f"{where}: unknown query parameters {unknown}")
        for name, param in op.query_params.items():
            if name in query:
                schema = param.get("schema", {})
                for error in schema_errors(schema, _coerce(query[name], schema)):
                    self.violations.append(f"{where}: query parameter {name}: {error.message}")
            elif param.get("required"):
                self.violations.append(f"{where}: required query parameter {name} missing")
        if bad_json:
            self.violations.append(f"{where}: body is not JSON")
            return refusal or (400, _error("Problems parsing JSON", 400, op.docs_url), {})
        errors = schema_errors(op.body_schema, body) if op.body_schema is not None else []
        if errors:
            self.violations.append(f"{where}: body {list(errors[0].absolute_path)}: {errors[0].message}")
            message = "Invalid request.\n\n" + _github_wording(errors[0])
            return refusal or (422, _error(message, 422, op.docs_url), {})
        return refusal

    def _limit(self, call: Call, problem: dict[str, Any]) -> Reply:
        """GitHub's 422 for a request its description allows but its limits do not; a violation too."""
        detail = problem.get("errors", [problem])[0]["message"]
        self.violations.append(f"{call.op.method} {call.op.template}: {detail}")
        return 422, {**problem, "documentation_url": call.op.docs_url}, {}

    def _rate_headers(self) -> dict[str, str]:
        return {
            "X-RateLimit-Limit": str(RATE_LIMIT),
            "X-RateLimit-Remaining": str(max(0, RATE_LIMIT - self._used)),
            "X-RateLimit-Used": str(self._used),
            "X-RateLimit-Reset": str(self._reset),
            "X-RateLimit-Resource": "core",
            "X-GitHub-Media-Type": "github.v3; format=json",
            "X-GitHub-Api-Version-Selected": "2022-11-28",
            "X-GitHub-Request-Id": f"FAKE:{len(self.requests):08X}",
        }

    # -- objects in GitHub's shapes -----------------------------------------------------------------
    def _template(self, method: str, template: str, repo: str, number: int | None = None) -> dict[str, Any]:
        text = json.dumps(self._ops[(method, template)].example)
        text = text.replace("https://api.github.com", self.url).replace("https://github.com", self.web_url)
        for example in EXAMPLE_REPOS:
            text = text.replace(example, repo)
        if number is not None:
            text = re.sub(r"/1347\b", f"/{number}", text)
        instance: dict[str, Any] = json.loads(text)
        return instance

    def _user(self, login: str, uid: int, kind: str) -> dict[str, Any]:
        example = self._ops[("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}")].example["user"]
        user: dict[str, Any] = json.loads(
            json.dumps(example)
            .replace("https://api.github.com", self.url)
            .replace("https://github.com", self.web_url)
            .replace("octocat", login)
        )
        user.update(login=login, id=uid, node_id=f"U_{uid}", type=kind, site_admin=False)
        return user

    def _uid(self, login: str) -> int:
        return self._user_ids.setdefault(login, 5_000_000 + len(self._user_ids))

    def _token_identity(self) -> dict[str, Any]:
        """Who a write with the token is attributed to."""
        if self.token_user is None:
            return self._bot()
        return self._user(self.token_user, self._uid(self.token_user), "User")

    def _bot(self) -> dict[str, Any]:
        bot = self._user("github-actions[bot]", 41898282, "Bot")
        bot.update(node_id="MDM6Qm90NDE4OTgyODI=", html_url=f"{self.web_url}/apps/github-actions")
        return bot

    def _repo(self, full_name: str, *, fork: bool = False) -> dict[str, Any]:
        owner, name = full_name.split("/")
        repo = self._template("GET", "/repos/{owner}/{repo}", full_name)
        rid = self._repo_ids.setdefault(full_name, 1_000_000 + len(self._repo_ids))
        repo.update(
            id=rid,
            node_id=f"R_kgDO{rid}",
            name=name,
            full_name=full_name,
            owner=self._user(owner, 2, "Organization"),
            private=False,
            fork=fork,
            default_branch="main",
            url=f"{self.url}/repos/{full_name}",
            html_url=f"{self.web_url}/{full_name}",
        )
        for key in ("parent", "source", "template_repository", "organization"):
            repo.pop(key, None)
        return repo

    def _now(self) -> str:
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _comments_of(self, repo: str, number: int) -> list[dict[str, Any]]:
        return [c for r, n, c in self._comments.values() if (r, n) == (repo, number)]

    def _new_comment(self, repo: str, number: int, body: str, user: dict[str, Any]) -> dict[str, Any]:
        cid = next(self._ids)
        kind = "pull" if (repo, number) in self._pulls else "issues"
        comment = self._template("GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}", repo, number)
        comment.update(
            id=cid,
            node_id=f"IC_kwDO{cid}",
            body=body,
            user=user,
            url=f"{self.url}/repos/{repo}/issues/comments/{cid}",
            html_url=f"{self.web_url}/{repo}/{kind}/{number}#issuecomment-{cid}",
            issue_url=f"{self.url}/repos/{repo}/issues/{number}",
            created_at=self._now(),
            updated_at=self._now(),
            author_association="NONE" if user["type"] == "Bot" else "CONTRIBUTOR",
            performed_via_github_app=None,
        )
        self._comments[cid] = (repo, number, comment)
        return comment

    def _page(self, call: Call, path: str, items: list[Any]) -> tuple[list[Any], dict[str, str]]:
        """One page of ``items`` and GitHub's Link header: prev, next, last, first, in that order."""
        per_page = min(_number(call.query, "per_page", 30), 100)
        page = _number(call.query, "page", 1)
        last = max(1, -(-len(items) // per_page))
        links = []
        for rel, target, wanted in (
            ("prev", page - 1, page > 1),
            ("next", page + 1, page < last),
            ("last", last, page < last),
            ("first", 1, page > 1),
        ):
            if wanted:
                query = urlencode({**call.query, "page": target})
                links.append(f'<{self.url}{path}?{query}>; rel="{rel}"')
        return items[(page - 1) * per_page : page * per_page], {"Link": ", ".join(links)} if links else {}

    def _sha(self, repo: str, ref: str) -> str | None:
        if SHA.fullmatch(ref):
            return ref.lower()
        for (r, _), pull in self._pulls.items():
            for side in ("head", "base"):
                if r == repo and pull[side]["ref"] == ref:
                    return str(pull[side]["sha"])
        return None

    # -- routes ---------------------------------------------------------------------------------------
    def _rate_limit(self, call: Call) -> Reply:
        limits = self._ops[("GET", "/rate_limit")].example
        core = {"limit": RATE_LIMIT, "used": self._used, "remaining": RATE_LIMIT - self._used, "reset": self._reset}
        return 200, {**limits, "resources": {**limits["resources"], "core": core}, "rate": core}, {}

    def _authenticated_user(self, call: Call) -> Reply:
        if self.token_user is None:  # an installation token is no user
            return 403, _error("Resource not accessible by integration", 403, call.op.docs_url), {}
        me = copy.deepcopy(call.op.example)
        me.update(self._user(self.token_user, self._uid(self.token_user), "User"))
        return 200, me, {}

    def _get_repo(self, call: Call) -> Reply:
        return 200, self._repo(call.repo), {}

    def _list_pulls(self, call: Call) -> Reply:
        state, head, base = call.query.get("state", "open"), call.query.get("head"), call.query.get("base")
        pulls = [
            p
            for (r, _), p in self._pulls.items()
            if r == call.repo
            and state in ("all", p["state"])
            and head in (None, p["head"]["label"])
            and base in (None, p["base"]["ref"])
        ]
        page, headers = self._page(call, f"/repos/{call.repo}/pulls", pulls)
        return 200, page, headers

    def _get_pull(self, call: Call) -> Reply:
        pull = self._pulls.get((call.repo, int(call.params["pull_number"])))
        return (200, pull, {}) if pull else (404, _error("Not Found", 404, call.op.docs_url), {})

    def _get_issue(self, call: Call) -> Reply:
        # Every issue number exists (comments may be posted on any); those seeded as pulls are pull requests.
        number = int(call.params["issue_number"])
        pull = self._pulls.get((call.repo, number))
        issue = self._template("GET", "/repos/{owner}/{repo}/issues/{issue_number}", call.repo, number)
        issue.update(
            id=number,
            node_id=f"I_kwDO{number}",
            number=number,
            title=pull["title"] if pull else f"Issue {number}",
            state=pull["state"] if pull else "open",
            user=pull["user"] if pull else self._user("someone", 7, "User"),
            url=f"{self.url}/repos/{call.repo}/issues/{number}",
            html_url=pull["html_url"] if pull else f"{self.web_url}/{call.repo}/issues/{number}",
            comments=len(self._comments_of(call.repo, number)),
            comments_url=f"{self.url}/repos/{call.repo}/issues/{number}/comments",
        )
        if pull:
            issue["pull_request"] = {
                "url": pull["url"],
                "html_url": pull["html_url"],
                "diff_url": pull["html_url"] + ".diff",
                "patch_url": pull["html_url"] + ".patch",
                "merged_at": None,
            }
        else:
            issue.pop("pull_request", None)
        return 200, issue, {}

    def _get_commit(self, call: Call) -> Reply:
        sha = self._sha(call.repo, call.params["ref"])
        if sha is None:
            return 422, _error(f"No commit found for SHA: {call.params['ref']}", 422, call.op.docs_url), {}
        commit = self._template("GET", "/repos/{owner}/{repo}/commits/{ref}", call.repo)
        return 200, json.loads(json.dumps(commit).replace(commit["sha"], sha)), {}

    def _list_commits(self, call: Call) -> Reply:
        branch = call.query.get("sha") or "main"
        shas = self._branches.get((call.repo, branch), [])  # a branch nobody seeded has no commits we know
        template = json.dumps(self._ops[call.op.method, call.op.template].example[0])
        template = template.replace("https://api.github.com", self.url).replace("https://github.com", self.web_url)
        for example in EXAMPLE_REPOS:
            template = template.replace(example, call.repo)
        example_sha = json.loads(template)["sha"]
        commits = [json.loads(template.replace(example_sha, sha)) for sha in shas]
        page, headers = self._page(call, f"/repos/{call.repo}/commits", commits)
        return 200, page, headers

    def _commit_pulls(self, call: Call) -> Reply:
        sha = call.params["commit_sha"].lower()
        pulls = [p for (r, _), p in self._pulls.items() if r == call.repo and p["head"]["sha"] == sha]
        page, headers = self._page(call, f"/repos/{call.repo}/commits/{call.params['commit_sha']}/pulls", pulls)
        return 200, page, headers

    def _list_comments(self, call: Call) -> Reply:
        number = int(call.params["issue_number"])
        comments = self._comments_of(call.repo, number)
        if "since" in call.query:
            since = datetime.fromisoformat(call.query["since"])
            comments = [c for c in comments if datetime.fromisoformat(c["updated_at"]) >= since]
        page, headers = self._page(call, f"/repos/{call.repo}/issues/{number}/comments", comments)
        return 200, page, headers

    def _create_comment(self, call: Call) -> Reply:
        if len(call.body["body"]) > COMMENT_LIMIT:
            return self._comment_too_long(call)
        number = int(call.params["issue_number"])
        return 201, self._new_comment(call.repo, number, call.body["body"], self._token_identity()), {}

    def _comment_too_long(self, call: Call) -> Reply:
        message = f"Body is too long (maximum is {COMMENT_LIMIT} characters)"
        return self._limit(call, _validation_failed("IssueComment", "unprocessable", "data", message))

    def _find_comment(self, call: Call) -> dict[str, Any] | None:
        repo, _, comment = self._comments.get(int(call.params["comment_id"]), ("", 0, {}))
        return comment if repo == call.repo else None

    def _get_comment(self, call: Call) -> Reply:
        comment = self._find_comment(call)
        return (200, comment, {}) if comment else (404, _error("Not Found", 404, call.op.docs_url), {})

    def _edit_comment(self, call: Call) -> Reply:
        comment = self._find_comment(call)
        if comment is None:
            return 404, _error("Not Found", 404, call.op.docs_url), {}
        if len(call.body["body"]) > COMMENT_LIMIT:
            return self._comment_too_long(call)
        comment.update(body=call.body["body"], updated_at=self._now())
        return 200, comment, {}

    def _delete_comment(self, call: Call) -> Reply:
        if self._find_comment(call) is None:
            return 404, _error("Not Found", 404, call.op.docs_url), {}
        del self._comments[int(call.params["comment_id"])]
        return 204, None, {}

    def _check_run_refusal(self, call: Call, status: str | None) -> Reply | None:
        """GitHub's rules for check runs beyond what the description's schema says."""
        body = call.body
        for key in ("summary", "text"):
            size = len((body.get("output", {}).get(key) or "").encode())
            if size > CHECK_OUTPUT_LIMIT:
                message = f"{key} exceeds a maximum bytesize of {CHECK_OUTPUT_LIMIT}"
                return self._limit(call, _validation_failed("CheckRun", "custom", key, message))
        if (status == "completed" or "completed_at" in body) and "conclusion" not in body:
            return self._limit(call, _error('Invalid request.\n\n"conclusion" wasn\'t supplied.', 422))
        if call.op.method == "POST" and not SHA.fullmatch(body["head_sha"]):
            return 422, _error(f"No commit found for SHA: {body['head_sha']}", 422, call.op.docs_url), {}
        return None

    def _apply_check_run(self, run: dict[str, Any], body: dict[str, Any]) -> None:
        for key in ("name", "details_url", "external_id", "status", "conclusion", "started_at", "completed_at"):
            if key in body:
                run[key] = body[key]
        if body.get("conclusion"):
            run["status"] = "completed"
        if run["status"] == "completed":
            run["completed_at"] = run["completed_at"] or self._now()
        if "output" in body:
            output = body["output"]
            run["output"].update({k: output[k] for k in ("title", "summary", "text") if k in output})
            run["output"]["annotations_count"] += len(output.get("annotations", []))

    def _create_check_run(self, call: Call) -> Reply:
        refusal = self._check_run_refusal(call, call.body.get("status"))
        if refusal:
            return refusal
        cid = next(self._ids)
        run = self._template("GET", "/repos/{owner}/{repo}/check-runs/{check_run_id}", call.repo)
        sha = call.body["head_sha"].lower()
        run.update(
            id=cid,
            node_id=f"CR_kwDO{cid}",
            name=call.body["name"],
            head_sha=sha,
            external_id="",
            url=f"{self.url}/repos/{call.repo}/check-runs/{cid}",
            html_url=f"{self.web_url}/{call.repo}/runs/{cid}",
            details_url=f"{self.web_url}/{call.repo}/runs/{cid}",
            status="queued",
            conclusion=None,
            started_at=self._now(),
            completed_at=None,
            check_suite={"id": cid + 1},
            output={
                "title": None,
                "summary": None,
                "text": None,
                "annotations_count": 0,
                "annotations_url": f"{self.url}/repos/{call.repo}/check-runs/{cid}/annotations",
            },
            pull_requests=[
                _pull_ref(p)
                for (r, _), p in self._pulls.items()
                if r == call.repo and p["head"]["sha"] == sha and p["state"] == "open"
            ],
        )
        run["app"].update(id=15368, slug="github-actions", name="GitHub Actions", node_id="MDM6QXBwMTUzNjg=")
        run["app"]["owner"].update(login="github", id=9919, type="Organization")
        self._apply_check_run(run, call.body)
        self._check_runs[cid] = (call.repo, run)
        return 201, run, {}

    def _find_check_run(self, call: Call) -> dict[str, Any] | None:
        repo, run = self._check_runs.get(int(call.params["check_run_id"]), ("", {}))
        return run if repo == call.repo else None

    def _get_check_run(self, call: Call) -> Reply:
        run = self._find_check_run(call)
        return (200, run, {}) if run else (404, _error("Not Found", 404, call.op.docs_url), {})

    def _update_check_run(self, call: Call) -> Reply:
        run = self._find_check_run(call)
        if run is None:
            return 404, _error("Not Found", 404, call.op.docs_url), {}
        refusal = self._check_run_refusal(call, call.body.get("status"))
        if refusal:
            return refusal
        self._apply_check_run(run, call.body)
        return 200, run, {}

    def _list_check_runs(self, call: Call) -> Reply:
        sha = self._sha(call.repo, call.params["ref"])
        if sha is None:
            return 422, _error(f"No commit found for SHA: {call.params['ref']}", 422, call.op.docs_url), {}
        runs = [run for r, run in self._check_runs.values() if r == call.repo and run["head_sha"] == sha]
        if call.query.get("filter", "latest") == "latest":
            runs = list({run["name"]: run for run in runs}.values())
        runs = [
            run
            for run in runs
            if call.query.get("check_name") in (None, run["name"]) and call.query.get("status") in (None, run["status"])
        ]
        page, headers = self._page(call, f"/repos/{call.repo}/commits/{call.params['ref']}/check-runs", runs)
        return 200, {"total_count": len(runs), "check_runs": page}, headers


def _pull_ref(pull: dict[str, Any]) -> dict[str, Any]:
    """A pull request as a check run lists it (GitHub's pull-request-minimal)."""
    sides = {
        side: {
            "ref": pull[side]["ref"],
            "sha": pull[side]["sha"],
            "repo": {k: pull[side]["repo"][k] for k in ("id", "url", "name")},
        }
        for side in ("head", "base")
    }
    return {"url": pull["url"], "id": pull["id"], "number": pull["number"], **sides}


def _multi(query: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        found.setdefault(name, []).append(value)
    return found


def _handler(fake: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out as two writes: no 40 ms delayed-ACK wait

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            status, data, headers = fake.respond(self.command, self.path, dict(self.headers.items()), raw)
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if status != 204:
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting; nobody is left to answer

        do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    return Handler
