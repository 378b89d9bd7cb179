"""What reading the device logs of failing runs adds: wall time and memory for 10 failing runs
with a 50 MiB log each, from a local store that answers Range requests (206: only each tail
moves), and from one that does not (200: every byte streams and only the tail is kept). The
store runs in its own process, so the numbers are the action's alone."""

from __future__ import annotations

import gc
import multiprocessing
import resource
import subprocess
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from autosana_action.autosana.models import RunDetail
from autosana_action.explain.artifacts import MAX_BYTES
from autosana_action.explain.hints import read_hints
from autosana_action.redaction import Redactor
from autosana_sim import demo_logs
from autosana_sim.artifacts import ArtifactStore, PaddedLog

RUNS = 10
LOG_BYTES = 50 * 1024 * 1024
STEP_AT = datetime(2026, 12, 1, 21, 40, 5, tzinfo=UTC)


def serve(ranges: bool, pipe: Connection) -> None:
    with ArtifactStore() as store:
        store.supports_range = ranges
        tail = demo_logs.android_crash(STEP_AT, "com.company.app").encode()
        pipe.send([store.put(f"runs/{i}/device.log", PaddedLog(LOG_BYTES, tail)) for i in range(RUNS)])
        pipe.recv()  # until the bench is done


def details(urls: list[str]) -> list[RunDetail]:
    step = {"position": 3, "type": "assert", "status": "failed", "executed_at": STEP_AT.isoformat()}
    return [
        RunDetail(run_id=f"r{i}", platform="android", status="failed", device_log_url=url, actions=[step])  # type: ignore[list-item]
        for i, url in enumerate(urls)
    ]


def measure(ranges: bool) -> None:
    ours, theirs = multiprocessing.Pipe()
    server = multiprocessing.Process(target=serve, args=(ranges, theirs), daemon=True)
    server.start()
    runs = details(ours.recv())
    gc.collect()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    started = time.perf_counter()
    hints = read_hints(
        runs, app="com.company.app", redactor=Redactor(), show_hosts=False, deadline=time.monotonic() + 120
    )
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    ours.send("done")
    server.join(5)
    crashes = sum(h.crash is not None for h in hints.runs.values())
    unread = sum(bool(h.unread) for h in hints.runs.values())
    kind = "Range (206), tail only" if ranges else "no Range (200), streamed"
    print(
        f"{RUNS} failing runs x {LOG_BYTES >> 20} MiB log, {kind:<25}: {elapsed:6.2f} s wall, "
        f"peak Python memory {peak / 2**20:5.1f} MiB, max RSS +{(rss_after - rss_before) / 1024:5.1f} MiB; "
        f"{crashes} crashes found, {unread} logs unread"
    )


def main() -> None:
    """Each case in a fresh process: max RSS is a high-water mark of the whole process."""
    if len(sys.argv) > 1:
        measure(ranges=sys.argv[1] == "range")
        return
    print(f"log hints: tail cap {MAX_BYTES >> 20} MiB per log, read concurrently")
    for mode in ("range", "stream"):
        subprocess.run([sys.executable, __file__, mode], check=True)


if __name__ == "__main__":
    main()
