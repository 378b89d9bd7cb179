"""The PUT of the build file to its pre-signed storage URL.

A plain connection with no Autosana key (the URL carries its own signature), the file streamed
from disk with its length up front (storage refuses chunked bodies), no total timeout, but a
stall (no bytes moving for ``stall_seconds``) ends it with a clear message."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import urllib3
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from .. import __version__
from ..urls import hide_url_secrets
from .progress import CountingReader, Progress

STALL_SECONDS = 60.0
# Big blocks keep the copy loop out of the way: a 1 GiB file is 1024 sends, not 65536.
BLOCK_SIZE = 1024 * 1024


class StorageError(Exception):
    """The PUT did not store the file."""


class TransientStorageError(StorageError):
    """Storage was busy (5xx) or the connection dropped: a fresh attempt may work."""


class UrlRefused(StorageError):
    """403: the pre-signed URL expired or its signature was refused; only a new URL helps."""


class UploadStalled(StorageError):
    """No byte moved for the stall limit."""


@dataclass(frozen=True)
class PutResult:
    seconds: float
    rate: str


def where(url: str) -> str:
    """The storage host, for messages: never the signed query string."""
    parts = urlsplit(url)
    return parts.netloc or "storage"


def put_file(
    url: str,
    path: Path,
    size: int,
    say: Callable[[str], None],
    *,
    stall_seconds: float = STALL_SECONDS,
    progress_interval: float = 5.0,
) -> PutResult:
    pool = urllib3.PoolManager(
        retries=False,
        blocksize=BLOCK_SIZE,
        # urllib3 sends the body under the connect timeout and waits for the answer under the
        # read timeout: both are the stall limit, so a slow but moving upload never times out.
        timeout=urllib3.Timeout(connect=stall_seconds, read=stall_seconds),
    )
    progress = Progress(size, say, interval=progress_interval)
    headers = {
        "Content-Type": "application/octet-stream",
        "Content-Length": str(size),
        "User-Agent": f"autosana-action/{__version__}",
    }
    try:
        with path.open("rb") as stream:
            response = pool.urlopen(
                "PUT",
                url,
                body=CountingReader(stream, size, progress),
                headers=headers,
                chunked=False,
                redirect=False,
                preload_content=True,
            )
    except Urllib3Error as exc:
        if _timed_out(exc):
            raise UploadStalled(
                f"the upload to {where(url)} stalled: no bytes moved for {stall_seconds:g} s "
                f"({progress.line()}); check the runner's network"
            ) from None
        raise TransientStorageError(
            f"the connection to {where(url)} dropped after {progress.line()}: {_cause(exc)}"
        ) from None
    except OSError as exc:  # reading the build file
        raise StorageError(f"could not read {path}: {exc}") from None
    finally:
        pool.clear()
    status = response.status
    if 200 <= status < 300:
        return PutResult(progress.clock() - progress.started, progress.rate())
    code = _xml_field(response.data, "Code") or response.reason or "error"
    message = _xml_field(response.data, "Message")
    # Storage may quote the signed URL (or its string to sign) back: never its signature query.
    text = hide_url_secrets(f"storage at {where(url)} answered {status} {code}" + (f": {message}" if message else ""))
    if status == 403:
        raise UrlRefused(text)
    if status >= 500 or status == 429:
        raise TransientStorageError(text)
    raise StorageError(text)


def _timed_out(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, TimeoutError | Urllib3Timeout):
            return True
        nested = [a for a in seen.args if isinstance(a, BaseException)]
        seen = nested[0] if nested else seen.__cause__ or seen.__context__
    return False


def _cause(exc: BaseException) -> str:
    nested = [a for a in exc.args if isinstance(a, BaseException)]
    inner = nested[0] if nested else exc
    # urllib3 names the URL it was given ("Max retries exceeded with url: /key?X-Amz-Signature=...").
    return hide_url_secrets(f"{type(inner).__name__}: {inner}")[:200]


def _xml_field(data: bytes, name: str) -> str | None:
    match = re.search(rf"<{name}>([^<]{{1,300}})</{name}>".encode(), data or b"")
    return match.group(1).decode("utf-8", "replace") if match else None
