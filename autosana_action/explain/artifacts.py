"""Bounded reads of a run's artifacts (device and network logs) from the storage that signed them.

A log can be huge or slow, so only its tail is read: an HTTP ``Range`` request for the last
``max_bytes`` where the storage supports it (206), else the body is streamed and only its tail
kept. Every read ends by a deadline (time.monotonic()), and workers are daemon threads: a storage
that stops answering can cost a hint, never the step's time or the process's exit.

Storage gets the signed URL and nothing else: no API key, no GitHub token."""

from __future__ import annotations

import ipaddress
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, wait
from dataclasses import dataclass
from http import HTTPStatus
from typing import TypeVar
from urllib.parse import urljoin, urlsplit

import requests

from .. import __version__
from ..daemon_pool import DaemonPool

MAX_BYTES = 4 * 1024 * 1024
CHUNK = 256 * 1024
CONNECT_TIMEOUT = 5.0
READ_TIMEOUT = 10.0
MAX_REDIRECTS = 3
K = TypeVar("K")
V = TypeVar("V")


class ArtifactUnreadable(Exception):
    """The artifact could not be read; the message says why, without the URL's signature."""


@dataclass(frozen=True)
class Tail:
    text: str
    truncated: bool  # the start of the artifact was left out


def fetchable(url: str) -> bool:
    """https (not to a link-local address such as a cloud metadata service), or http to this machine."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if parts.scheme == "https":
        return address is None or not address.is_link_local
    return parts.scheme == "http" and (host == "localhost" or (address is not None and address.is_loopback))


class ArtifactReader:
    def __init__(self, *, max_bytes: int = MAX_BYTES, read_timeout: float = READ_TIMEOUT) -> None:
        self.max_bytes = max_bytes
        self._read_timeout = read_timeout
        self._local = threading.local()

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = False  # no .netrc credentials sent to storage
            session.headers.clear()
            session.headers.update({"User-Agent": f"autosana-action/{__version__}", "Accept-Encoding": "identity"})
            self._local.session = session
        return session

    def tail(self, url: str, deadline: float) -> Tail:
        """The last ``max_bytes`` of the artifact as text (a partial first line dropped)."""
        response = self._get(url, deadline)
        with response:
            if response.status_code == 416:  # an empty object has no last bytes
                return Tail("", False)
            if response.status_code not in (200, 206):
                raise ArtifactUnreadable(f"the storage answered {_phrase(response.status_code)}")
            data, dropped = _keep_tail(response, self.max_bytes, deadline)
        started_at_zero = (response.headers.get("Content-Range") or "bytes 0-").startswith("bytes 0-")
        truncated = dropped or (response.status_code == 206 and not started_at_zero)
        if truncated:
            data = data[data.find(b"\n") + 1 :]
        return Tail(data.decode("utf-8", "replace"), bool(truncated))

    def _get(self, url: str, deadline: float) -> requests.Response:
        for _ in range(MAX_REDIRECTS + 1):
            if not fetchable(url):
                raise ArtifactUnreadable("its URL is not https (or http to this machine)")
            left = deadline - time.monotonic()
            if left <= 0:
                raise ArtifactUnreadable("no time was left to read it")
            try:
                response = self._session().get(
                    url,
                    headers={"Range": f"bytes=-{self.max_bytes}"},
                    stream=True,
                    allow_redirects=False,
                    timeout=(min(CONNECT_TIMEOUT, left), min(self._read_timeout, left)),
                )
            except requests.RequestException as exc:
                raise ArtifactUnreadable(f"the storage could not be read ({type(exc).__name__})") from None
            if response.is_redirect and response.headers.get("Location"):
                url = urljoin(url, response.headers["Location"])
                response.close()
                continue
            return response
        raise ArtifactUnreadable("the storage redirected too often")


def _phrase(status: int) -> str:
    """The status and its standard phrase: the server's own reason text is not ours to print."""
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)


def _keep_tail(response: requests.Response, max_bytes: int, deadline: float) -> tuple[bytes, int]:
    """The body's last ``max_bytes`` and how many bytes before them were dropped. Each socket read
    returns what has arrived (read1), so a trickling server meets the deadline between reads."""
    kept = bytearray()
    dropped = 0
    raw = response.raw
    while True:
        if time.monotonic() > deadline:
            raise ArtifactUnreadable("it was not read within the time left")
        try:
            chunk = raw.read1(CHUNK)
        except Exception as exc:  # urllib3 and socket errors alike: the read failed
            raise ArtifactUnreadable(f"reading it failed ({type(exc).__name__})") from None
        if not chunk:
            excess = max(len(kept) - max_bytes, 0)
            return bytes(kept[excess:]), dropped + excess
        kept += chunk
        if len(kept) > 2 * max_bytes:
            excess = len(kept) - max_bytes
            dropped += excess
            del kept[:excess]


def run_all(jobs: Mapping[K, Callable[[], V]], *, deadline: float, workers: int) -> dict[K, V | Exception]:
    """Every job's result (or its exception), run ``workers`` at a time on daemon threads; jobs not
    done by the deadline get a TimeoutError and are left behind."""
    if not jobs:
        return {}
    pool = DaemonPool(max_workers=min(workers, len(jobs)), thread_name_prefix="artifact")
    futures: dict[K, Future[V]] = {key: pool.submit(job) for key, job in jobs.items()}
    wait(futures.values(), timeout=max(deadline - time.monotonic(), 0.0))
    pool.shutdown(wait=False, cancel_futures=True)
    results: dict[K, V | Exception] = {}
    for key, future in futures.items():
        outcome: V | Exception = _outcome(future)
        results[key] = outcome
    return results


def _outcome(future: Future[V]) -> V | Exception:
    if future.done() and not future.cancelled():
        error = future.exception()
        if error is None:
            return future.result()
        if isinstance(error, Exception):  # one job's failure is its own result
            return error
    return TimeoutError("not read within the time left")
