"""Resumable upload of the build to Supabase Storage, where Autosana keeps builds: TUS 1.0.0 at
``/storage/v1/upload/resumable/sign``, signed by the upload URL's own token.

POST creates the upload (``Upload-Length``, ``Upload-Metadata``), PATCHes append chunks at
``Upload-Offset``, and after a dropped connection, a timeout or a 5xx a HEAD reads back the offset
the server holds, so the upload goes on from there instead of from byte 0: one drop costs at most
the chunk in flight. A chunk that fails without progress halves the chunk size (down to 1 MiB);
each chunk that goes through doubles it back. With no progress for ``stall_seconds`` the upload
fails. A store without the endpoint (404/405 on create) raises TusUnavailable: the caller then
sends the single PUT. tuspy, the TUS client on PyPI, would bring aiohttp and tinydb for this."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error

from .. import __version__
from .progress import Progress
from .storage import StorageError, UploadStalled, UrlRefused, where

SIGNED_PATH = "/object/upload/sign/"
MIB = 1024 * 1024
RESUMABLE_OVER = 6 * MIB  # files larger than one chunk go resumably


@dataclass(frozen=True)
class ResumableTuning:
    chunk: int = 6 * MIB
    min_chunk: int = 1 * MIB
    stall_seconds: float = 180.0
    chunk_timeout: float = 60.0
    head_timeout: float = 30.0
    max_pause: float = 15.0
    pause_unit: float = 1.0  # the pause after the n-th failure in a row is min(unit * 2**n, max_pause)


DEFAULT_RESUMABLE = ResumableTuning()


class TusUnavailable(StorageError):
    """The store has no TUS endpoint here (404/405 on create)."""


class _Retry(Exception):
    """One request failed in a way that trying again may fix."""


@dataclass(frozen=True)
class ResumableResult:
    seconds: float
    rate: str
    sent: int  # body bytes handed to the network, re-sent ones included
    failures: int


def resumable(url: str, size: int) -> bool:
    """A Supabase signed upload URL (its path has /object/upload/sign/ and a token) and a file
    larger than one chunk."""
    parts = urlsplit(url)
    return size > RESUMABLE_OVER and SIGNED_PATH in parts.path and bool(parse_qs(parts.query).get("token"))


class TusUpload:
    def __init__(
        self,
        url: str,
        path: Path,
        size: int,
        say: Callable[[str], None],
        *,
        warn: Callable[[str], None],
        pause: Callable[[float], None],
        tuning: ResumableTuning,
        progress_interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        parts = urlsplit(url)
        prefix, _, obj = parts.path.partition(SIGNED_PATH)
        bucket, _, name = unquote(obj).partition("/")
        self.endpoint = f"{parts.scheme}://{parts.netloc}{prefix}/upload/resumable/sign"
        self.token = parse_qs(parts.query)["token"][0]
        self.metadata = {"bucketName": bucket, "objectName": name, "contentType": "application/octet-stream"}
        self.host = where(url)
        self.path, self.size, self.warn, self.pause, self.tuning, self.clock = path, size, warn, pause, tuning, clock
        self.progress = Progress(size, say, interval=progress_interval, clock=clock)
        self.pool = urllib3.PoolManager(retries=False, blocksize=MIB)
        self.chunk = tuning.chunk
        self.sent = 0
        self.failures = 0

    def run(self) -> ResumableResult:
        """Raises TusUnavailable, UrlRefused (the token expired: only a new URL helps),
        UploadStalled or StorageError."""
        try:
            location = self._until_done(self._create)
            self._send_all(location)
        finally:
            self.pool.clear()
        seconds = self.clock() - self.progress.started
        return ResumableResult(seconds, self.progress.rate(), self.sent, self.failures)

    def _headers(self, **extra: str) -> dict[str, str]:
        return {
            "Tus-Resumable": "1.0.0",
            "x-signature": self.token,
            "User-Agent": f"autosana-action/{__version__}",
            **extra,
        }

    def _create(self) -> str:
        meta = ",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in self.metadata.items())
        headers = self._headers(**{"Upload-Length": str(self.size), "Upload-Metadata": meta})
        response = self._request("POST", self.endpoint, headers, timeout=self.tuning.head_timeout)
        if response.status in (404, 405):
            raise TusUnavailable(f"{self.host} has no resumable upload endpoint ({response.status})")
        self._check(response, "creating the resumable upload")
        location = response.headers.get("Location")
        if response.status != 201 or not location:
            raise StorageError(f"{self.host} did not create the resumable upload ({response.status}, no Location)")
        return urljoin(self.endpoint, location)

    def _send_all(self, location: str) -> None:
        offset = 0
        last_progress = self.clock()
        in_a_row = 0
        with self.path.open("rb") as stream:
            while offset < self.size:
                try:
                    offset = self._send_chunk(location, stream, offset)
                    last_progress, in_a_row = self.clock(), 0
                    self.chunk = min(self.chunk * 2, self.tuning.chunk)
                    continue
                except _Retry as exc:
                    self.failures += 1
                    in_a_row += 1
                    problem = str(exc)
                found = self._offset_after_failure(location, offset)
                if found > offset:
                    self.progress.advance(found - offset)
                    offset, last_progress = found, self.clock()
                else:
                    self.chunk = max(self.chunk // 2, self.tuning.min_chunk)
                if self.clock() - last_progress >= self.tuning.stall_seconds:
                    raise UploadStalled(
                        f"the upload to {self.host} made no progress for {self.tuning.stall_seconds:g} s "
                        f"({self.progress.line()}); the network keeps dropping the upload: {problem}"
                    )
                wait = min(self.tuning.pause_unit * 2 ** (in_a_row - 1), self.tuning.max_pause)
                self.warn(f"{problem}; resuming from byte {offset} of {self.size} in {wait:g} s")
                self.pause(wait)

    def _send_chunk(self, location: str, stream: BinaryIO, offset: int) -> int:
        try:
            stream.seek(offset)
            data = stream.read(min(self.chunk, self.size - offset))
        except OSError as exc:
            raise StorageError(f"could not read {self.path}: {exc}") from None
        headers = self._headers(
            **{
                "Upload-Offset": str(offset),
                "Content-Type": "application/offset+octet-stream",
                "Content-Length": str(len(data)),
            }
        )
        self.sent += len(data)
        response = self._request("PATCH", location, headers, body=data, timeout=self.tuning.chunk_timeout)
        if response.status == 409:
            raise _Retry(f"{self.host} holds another offset than {offset} (409)")
        self._check(response, "sending a chunk")
        confirmed = response.headers.get("Upload-Offset", "")
        new_offset = int(confirmed) if confirmed.isdigit() else offset + len(data)
        self.progress.advance(new_offset - offset)
        return new_offset

    def _offset_after_failure(self, location: str, known: int) -> int:
        """The server's offset; ``known`` when the HEAD itself fails (the next try asks again)."""
        try:
            response = self._request("HEAD", location, self._headers(), timeout=self.tuning.head_timeout)
            self._check(response, "reading the upload offset")
        except _Retry:
            return known
        value = response.headers.get("Upload-Offset", "")
        return int(value) if value.isdigit() and known <= int(value) <= self.size else known

    def _until_done(self, step: Callable[[], str]) -> str:
        started, in_a_row = self.clock(), 0
        while True:
            try:
                return step()
            except _Retry as exc:
                in_a_row += 1
                self.failures += 1
                if self.clock() - started >= self.tuning.stall_seconds:
                    raise UploadStalled(f"could not start the upload to {self.host}: {exc}") from None
                wait = min(self.tuning.pause_unit * 2 ** (in_a_row - 1), self.tuning.max_pause)
                self.warn(f"{exc}; trying again in {wait:g} s")
                self.pause(wait)

    def _request(
        self, method: str, url: str, headers: dict[str, str], *, timeout: float, body: bytes | None = None
    ) -> urllib3.BaseHTTPResponse:
        try:
            return self.pool.urlopen(
                method, url, body=body, headers=headers, redirect=False, timeout=urllib3.Timeout(timeout, timeout)
            )
        except Urllib3Error as exc:
            raise _Retry(f"{method} to {self.host} failed ({type(exc).__name__})") from None

    def _check(self, response: urllib3.BaseHTTPResponse, what: str) -> None:
        status = response.status
        if status < 400:
            return
        message = _message(response)
        if status >= 500 or status in (408, 429):
            raise _Retry(f"{self.host} answered {status} while {what}{message}")
        if status == 403 or (status == 400 and "expired" in message):
            raise UrlRefused(f"storage at {self.host} answered {status} while {what}{message}")
        raise StorageError(f"storage at {self.host} answered {status} while {what}{message}")


def _message(response: urllib3.BaseHTTPResponse) -> str:
    try:
        payload = response.json()
    except ValueError:
        return ""
    text = payload.get("message") or payload.get("error") if isinstance(payload, dict) else None
    return f": {str(text)[:200]}" if text else ""
