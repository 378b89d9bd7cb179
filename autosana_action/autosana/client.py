"""HTTP client for the Autosana Runs API: retries with urllib3, errors that say what to fix."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import TracebackType
from typing import Any, Self, TypeVar
from urllib.parse import quote

import requests
from pydantic import BaseModel, ValidationError
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import ConnectionPool
from urllib3.exceptions import InvalidHeader, MaxRetryError, ResponseError
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry
from urllib3.util.timeout import Timeout

from .. import __version__
from ..deadline import MIN_REQUEST, Deadline
from ..redaction import Redactor
from ..urls import shown_url
from . import errors
from .errors import HINTS, ApiError, TransientApiError, describe_detail, never_connected, reason_of, refuse_detail
from .models import BatchStatus, RunDetail, TriggerResponse
from .upload_models import BuildRegistered, StartUploadResponse

ModelT = TypeVar("ModelT", bound=BaseModel)

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 60.0
# flows/run can take minutes to answer on big batches; the official client allows 300 s.
TRIGGER_READ_TIMEOUT = 300.0
# confirm-upload re-signs an .ipa in the cloud, which can take up to 15 minutes.
CONFIRM_READ_TIMEOUT = 900.0


# When the request being made must be over (time.monotonic()), if anything bounds it.
_deadline: ContextVar[float | None] = ContextVar("autosana_request_deadline", default=None)


class _CappedRetry(Retry):
    # A server asking us to come back in an hour must not stall the job: the poll deadline
    # decides how long we wait overall.
    def parse_retry_after(self, retry_after: str) -> float:
        return min(super().parse_retry_after(retry_after), MAX_RETRY_AFTER)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: TracebackType | None = None,
    ) -> Self:
        """No retry whose wait (Retry-After or backoff) would reach the deadline: the caller gets
        the last answer or error while there is still time to report it."""
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        deadline = _deadline.get()
        if deadline is None:
            return retry
        wait = retry.get_retry_after(response) if response is not None and self.respect_retry_after_header else None
        if time.monotonic() + (wait if wait is not None else retry.get_backoff_time()) >= deadline:
            reason = error or ResponseError("no time left before the deadline for another attempt")
            raise MaxRetryError(_pool, url, reason) from reason  # type: ignore[arg-type]
        return retry


class _TimeoutBefore(Timeout):
    """Connect and read timeouts cut to the time left before a deadline, worked out afresh for
    each attempt (urllib3 clones the timeout for every try)."""

    def __init__(self, connect: float, read: float, deadline: float) -> None:
        super().__init__(connect=connect, read=read)
        self._limits = (connect, read)
        self._deadline = deadline

    def clone(self) -> Timeout:
        left = max(self._deadline - time.monotonic(), 0.01)
        connect, read = self._limits
        return Timeout(connect=min(connect, left), read=min(read, left), total=left)


def _session(api_key: str, retry: Retry) -> requests.Session:
    session = requests.Session()
    session.headers.update(
        {
            "X-API-Key": api_key,
            "Accept": "application/json",
            "User-Agent": f"autosana-action/{__version__}",
        }
    )
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class AutosanaClient:
    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 30.0,
        retries: int = 4,
        backoff_factor: float = 0.5,
        trigger_read_timeout: float = TRIGGER_READ_TIMEOUT,
        redactor: Redactor | None = None,
        deadline: Deadline | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._shown = shown_url(self.base_url)  # for messages: no credentials in the URL
        # Every model and error text we return has passed through it: nothing downstream sees a secret.
        self._redactor = redactor or Redactor()
        # The step's deadline: no request (its retries and Retry-After waits included) outlives it.
        self.deadline = deadline
        self._timeout = (connect_timeout, read_timeout)
        self._trigger_timeout = (connect_timeout, trigger_read_timeout)
        self._connect_timeout = connect_timeout
        common: dict[str, Any] = {
            "backoff_factor": backoff_factor,
            "backoff_max": 10.0,
            "respect_retry_after_header": True,
            "raise_on_status": False,
        }

        def session(method: str, statuses: frozenset[int], *, resend: bool) -> requests.Session:
            """``resend``: the request may go again after it reached the server."""
            again = retries if resend else 0
            retry = _CappedRetry(
                total=retries,
                connect=retries,
                read=again,
                status=retries if statuses else 0,
                other=0,
                status_forcelist=statuses,
                allowed_methods=frozenset({method}),
                **common,
            )
            return _session(api_key, retry)

        # Reads are idempotent: retry everything transient.
        self._reads = session("GET", RETRYABLE_STATUSES, resend=True)
        # A trigger is not: retry only when the request surely did not start a batch (no
        # connection, or 429 which rejects before doing anything).
        self._writes = session("POST", frozenset({429}), resend=False)
        # start-upload only hands out a pre-signed URL, so asking again is harmless.
        self._safe_posts = session("POST", RETRYABLE_STATUSES, resend=True)
        # confirm-upload and upload-web-build register a build: retried only when no byte of
        # the request can have left, so nothing is ever registered twice.
        self._once = session("POST", frozenset(), resend=False)

    def close(self) -> None:
        self._reads.close()
        self._writes.close()
        self._safe_posts.close()
        self._once.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _bounded(self, connect: float, read: float, within: float | None = None) -> Iterator[Any]:
        """The timeout for one request (retries included), cut to the step's deadline and to
        ``within`` seconds from now; refused outright when no time is left."""
        now = time.monotonic()
        ends = [t for t in (self.deadline.at if self.deadline else None, now + within if within else None) if t]
        if not ends:
            yield (connect, read)
            return
        end = min(ends)
        if end - now < MIN_REQUEST:
            raise TransientApiError("no time was left before timeout-minutes for this request")
        token = _deadline.set(end)
        try:
            yield _TimeoutBefore(connect, read, end)
        finally:
            _deadline.reset(token)

    def trigger(self, body: dict[str, Any]) -> TriggerResponse:
        try:
            with self._bounded(*self._trigger_timeout) as timeout:
                response = self._writes.post(f"{self.base_url}/api/v1/flows/run", json=body, timeout=timeout)
        except requests.ConnectionError as exc:
            if never_connected(exc):
                raise TransientApiError(f"could not reach {self._shown} to start the flows: {reason_of(exc)}") from None
            raise TransientApiError(
                f"the connection to {self._shown} broke while starting the flows ({reason_of(exc)}); they may have "
                "started anyway, check the Autosana dashboard before running again"
            ) from None
        except requests.RequestException as exc:
            raise TransientApiError(
                f"starting the flows on {self._shown} failed ({reason_of(exc)}); they may have started anyway, "
                "check the Autosana dashboard before running again"
            ) from None
        try:
            return self._parse(response, TriggerResponse, what="starting the flows", idempotent=False)
        except ApiError as exc:
            raise errors.no_build_for_commit(exc, response, body.get("ref")) from None

    def start_upload(self, body: dict[str, Any]) -> StartUploadResponse:
        try:
            with self._bounded(*self._timeout) as timeout:
                response = self._safe_posts.post(f"{self.base_url}/api/ci/start-upload", json=body, timeout=timeout)
        except requests.RequestException as exc:
            raise TransientApiError(f"could not ask {self._shown} for an upload URL: {reason_of(exc)}") from None
        return self._parse(
            response, StartUploadResponse, what="asking for an upload URL", idempotent=True, detail_refuses=True
        )

    def confirm_upload(self, body: dict[str, Any], *, read_timeout: float = CONFIRM_READ_TIMEOUT) -> BuildRegistered:
        return self._register("/api/ci/confirm-upload", body, "confirming the upload", read_timeout)

    def upload_web_build(self, body: dict[str, Any]) -> BuildRegistered:
        return self._register("/api/ci/upload-web-build", body, "registering the web build", self._timeout[1])

    def _register(self, path: str, body: dict[str, Any], what: str, read_timeout: float) -> BuildRegistered:
        try:
            with self._bounded(self._connect_timeout, read_timeout) as timeout:
                response = self._once.post(f"{self.base_url}{path}", json=body, timeout=timeout)
        except requests.ConnectionError as exc:
            if never_connected(exc):
                raise TransientApiError(f"could not reach {self._shown} while {what}: {reason_of(exc)}") from None
            raise ApiError(
                f"the connection to {self._shown} broke while {what} ({reason_of(exc)}); the build may have been "
                "registered anyway, check the Autosana dashboard before running again"
            ) from None
        except requests.RequestException as exc:
            raise ApiError(
                f"{what} on {self._shown} failed ({reason_of(exc)}); the build may have been registered anyway, "
                "check the Autosana dashboard before running again"
            ) from None
        answer = self._parse(response, BuildRegistered, what=what, idempotent=False, detail_refuses=True)
        if answer.failed:  # a model field: redacted already
            raise ApiError(f"Autosana refused the build while {what}: {answer.message or answer.status}", 422)
        return answer

    def batch_status(self, batch_id: str, *, within: float | None = None) -> BatchStatus:
        """``within``: seconds this call may take, retries and their waits included. The poller
        works ``within`` out from the step's deadline itself (its last poll gets a moment more)."""
        deadline = time.monotonic() + within if within is not None else None
        timeout = _TimeoutBefore(*self._timeout, deadline) if deadline is not None else self._timeout
        token = _deadline.set(deadline)
        try:
            response = self._reads.get(
                f"{self.base_url}/api/v1/runs/status",
                params={"batch_id": batch_id},
                timeout=timeout,  # type: ignore[arg-type]  # requests passes a urllib3 Timeout through as is
            )
        except requests.RequestException as exc:
            raise TransientApiError(f"status request failed: {reason_of(exc)}") from None
        finally:
            _deadline.reset(token)
        return self._parse(response, BatchStatus, what="reading the batch status", idempotent=True)

    def run_detail(self, run_id: str, *, within: float | None = None) -> RunDetail:
        try:
            with self._bounded(*self._timeout, within) as timeout:
                response = self._reads.get(f"{self.base_url}/api/v1/runs/{quote(run_id, safe='')}", timeout=timeout)
        except requests.RequestException as exc:
            raise TransientApiError(f"run detail request failed: {reason_of(exc)}") from None
        return self._parse(response, RunDetail, what="reading a run's details", idempotent=True)

    def _parse(
        self,
        response: requests.Response,
        model: type[ModelT],
        *,
        what: str,
        idempotent: bool,
        detail_refuses: bool = False,
    ) -> ModelT:
        """Every model and every error text leaves here redacted."""
        try:
            if detail_refuses:
                refuse_detail(response, what)
            parsed = self._read(response, model, what=what, idempotent=idempotent)
            return self._redactor.model(parsed) if self._redactor.may_occur_in(response.content) else parsed
        except ApiError as exc:
            exc.args = (self._redactor.text(str(exc)),)
            raise

    def _read(self, response: requests.Response, model: type[ModelT], *, what: str, idempotent: bool) -> ModelT:
        status = response.status_code
        if status >= 400:
            detail = describe_detail(response)
            message = f"Autosana answered {status} {response.reason or ''} while {what}: {detail}".replace("  ", " ")
            hint = HINTS.get(status)
            if hint:
                message += f" ({hint})"
            if status in RETRYABLE_STATUSES:
                raise TransientApiError(message, status, _retry_after(response))
            raise ApiError(message, status)
        try:
            return model.model_validate_json(response.content)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "body"
            message = f"Autosana sent an answer we cannot read while {what} ({where}: {first['msg']})"
            if not idempotent:
                message += "; the flows may have started anyway, check the Autosana dashboard"
                raise ApiError(message, status) from None
            raise TransientApiError(message, status) from None


def _retry_after(response: requests.Response) -> float | None:
    """The server's Retry-After in seconds (capped), when it sent one we can read."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return _CappedRetry().parse_retry_after(value)
    except InvalidHeader:  # an unreadable header is the same as none
        return None
