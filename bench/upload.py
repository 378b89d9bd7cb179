"""Build upload: throughput of our PUT against ``curl --upload-file`` to the same local S3-like
store (target: at least 0.9x curl), and the peak RSS of the uploading process for a 1 GiB file
(target: at most 80 MB, i.e. flat whatever the size).

The store runs in its own process (no body hashing, so it is not the bottleneck), and each
upload runs in its own process so its peak RSS is its own."""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

GIB = 1024**3
ROUNDS = 3


def serve(count: int) -> None:
    from autosana_sim import StorageSimulator

    store = StorageSimulator(hash_bodies=False).start()
    print(json.dumps([store.presign(f"bench/{i}.apk") for i in range(count)]), flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    store.stop()


def client(url: str, path: str) -> None:
    from autosana_action.upload.storage import put_file

    size = Path(path).stat().st_size
    started = time.perf_counter()
    put_file(url, Path(path), size, lambda _line: None)
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_kb / 1024}))


def ours(url: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--client", url, str(path)], check=True, capture_output=True, text=True
    ).stdout
    result: dict[str, float] = json.loads(out)
    return result


def curl(url: str, path: Path) -> float:
    started = time.perf_counter()
    code = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--upload-file", str(path), url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    seconds = time.perf_counter() - started
    assert code == "200", code
    return seconds


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", type=int)
    parser.add_argument("--client", nargs=2)
    parser.add_argument("--size-mb", type=int, default=1024)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    if args.client:
        client(*args.client)
        return 0

    size = args.size_mb * 1024 * 1024
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(2 * ROUNDS)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert server.stdout is not None and server.stdin is not None
    urls: list[str] = json.loads(server.stdout.readline())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "app-release.apk")
        with path.open("wb") as fh:  # sparse: the bench measures the upload, not the disk
            fh.truncate(size)
        curl_times, our_times, peaks = [], [], []
        for i in range(ROUNDS):
            curl_times.append(curl(urls[2 * i], path))
            run = ours(urls[2 * i + 1], path)
            our_times.append(run["seconds"])
            peaks.append(run["peak_rss_mb"])
    server.stdin.close()
    server.wait(timeout=10)

    mb = size / 1e6
    curl_rate = mb / statistics.median(curl_times)
    our_rate = mb / statistics.median(our_times)
    ratio = our_rate / curl_rate
    peak = max(peaks)
    print(f"upload {args.size_mb} MiB, median of {ROUNDS}, local S3-like store in its own process")
    print(f"  curl --upload-file   {curl_rate:8.0f} MB/s")
    print(f"  autosana-action PUT  {our_rate:8.0f} MB/s   ({ratio:.2f}x curl; target >= 0.90x)")
    print(f"  peak RSS of the uploading process: {peak:.1f} MB (target <= 80 MB)")
    print(f"  {'OK' if ratio >= 0.9 and peak <= 80 else 'MISSED'}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
