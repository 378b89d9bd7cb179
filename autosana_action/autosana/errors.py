"""What the Autosana API's refusals and failures mean, in words that say what to fix."""

from __future__ import annotations

import json

import requests
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, NewConnectionError


class ApiError(Exception):
    """An answer that retrying will not change (bad key, unknown app, invalid request)."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class TransientApiError(ApiError):
    """The API could not be reached or answered nonsense; asking again later may work."""

    def __init__(self, message: str, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(message, status)
        self.retry_after = retry_after


RECOVERY_HEADER = "X-Autosana-Recovery"


def no_build_for_commit(error: ApiError, response: requests.Response, ref: object) -> ApiError:
    """flows/run's 404 with ``X-Autosana-Recovery: branch-latest``: no build was uploaded for the
    commit under test, which an unpinned run needs. Any other error is returned as it is."""
    if error.status != 404 or response.headers.get(RECOVERY_HEADER, "").strip().lower() != "branch-latest":
        return error
    commit = f" ({str(ref)[:12]})" if ref else ""
    return ApiError(
        f"{error}. Autosana has no build for the commit under test{commit}, and flows that do not pin a build "
        "run on the build uploaded for that exact commit: upload the build in this step (build-path), or pin "
        "one with app-build-id",
        404,
    )


HINTS = {
    401: "check that the api-key input holds a valid Autosana API key",
    403: "the API key is not allowed to do this; check its organisation and permissions",
    404: "check app-id, bundle-id with platform, app-build-id and the suite and flow IDs",
    400: "if a flow belongs to several suites, map it to one with suite-overrides",
    429: "rate limited; retried until the limit",
}


def refuse_detail(response: requests.Response, what: str) -> None:
    """A 200 carrying FastAPI's ``detail`` is a refusal, as the official action reads it."""
    if response.status_code >= 400:
        return
    try:
        payload = response.json()
    except ValueError:
        return
    if isinstance(payload, dict) and payload.get("detail"):
        # The same refusal as a 422 with that detail: the inputs or the build are wrong (exit 2).
        raise ApiError(f"Autosana refused while {what}: {describe_detail(response)}", 422)


def describe_detail(response: requests.Response) -> str:
    try:
        payload = response.json()
    except (ValueError, json.JSONDecodeError):
        text = response.text.strip()
        return text[:300] if text else "(no details)"
    detail = payload.get("detail") if isinstance(payload, dict) else payload
    if isinstance(detail, list):
        return "; ".join(_validation_item(item) for item in detail[:5])
    if detail is None:
        return json.dumps(payload)[:300]
    return str(detail)[:500]


def _validation_item(item: object) -> str:
    if isinstance(item, dict):
        loc = ".".join(str(p) for p in item.get("loc", []) if p != "body")
        return f"{loc}: {item.get('msg', item)}" if loc else str(item.get("msg", item))
    return str(item)


def _root_cause(exc: BaseException) -> BaseException:
    """The innermost error under requests' and urllib3's wrappers."""
    cause = exc
    while True:
        if isinstance(cause, MaxRetryError) and cause.reason is not None:
            cause = cause.reason
        elif cause.args and isinstance(cause.args[0], BaseException):
            cause = cause.args[0]
        else:
            return cause


def never_connected(exc: requests.ConnectionError) -> bool:
    """True when no byte of the request can have reached the server."""
    return isinstance(_root_cause(exc), NewConnectionError | ConnectTimeoutError)


def reason_of(exc: requests.RequestException) -> str:
    cause = _root_cause(exc)
    return f"{type(cause).__name__}: {cause}"[:300]
