"""Build upload: our resumable (TUS) upload and our single PUT against ``curl --upload-file`` to
the same local Supabase-like store (target: at least 0.9x curl), the peak RSS of the uploading
process (target: at most 60 MB whatever the size), and the bytes sent again after injected
dropped connections (target: at most one chunk per drop).

The store runs in its own process (no body hashing, so it is not the bottleneck), and each
upload runs in its own process so its peak RSS is its own. Numbers are printed, not asserted."""

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

MIB = 1024 * 1024


def serve(count: int, drops: int, keeps_partial: bool) -> None:
    import random

    from autosana_sim.supabase import SupabaseStorage, TusFault

    store = SupabaseStorage(hash_bodies=False).start()
    store.keeps_partial = keeps_partial
    rng = random.Random(7)
    # The first chunks are cut one after another, each somewhere in its first 6 MiB.
    for _ in range(drops):
        store.faults += [TusFault("drop", after_bytes=rng.randrange(64 * 1024, 6 * MIB))]
    print(json.dumps([store.presign(f"bench/{i}/app.apk") for i in range(count)]), flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    store.stop()


def client(kind: str, url: str, path: str) -> None:
    from autosana_action.upload.resumable import ResumableTuning, TusUpload
    from autosana_action.upload.storage import put_file

    size = Path(path).stat().st_size
    sent = size
    started = time.perf_counter()
    if kind == "put":
        put_file(url, Path(path), size, lambda _line: None)
    else:
        upload = TusUpload(
            url,
            Path(path),
            size,
            lambda _line: None,
            warn=lambda _line: None,
            pause=lambda _s: None,
            tuning=ResumableTuning(pause_unit=0.0),
        )
        result = upload.run()
        sent = result.sent
    seconds = time.perf_counter() - started
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_rss_mb": peak_kb / 1024, "resent": sent - size}))


def ours(kind: str, url: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--client", kind, url, str(path)], check=True, capture_output=True, text=True
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


def store(count: int, drops: int = 0, keeps_partial: bool = True) -> tuple[subprocess.Popen[str], list[str]]:
    args = [sys.executable, __file__, "--serve", str(count), "--drops", str(drops)]
    if not keeps_partial:
        args.append("--discard-partial")
    server = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    urls: list[str] = json.loads(server.stdout.readline())
    return server, urls


def stop(server: subprocess.Popen[str]) -> None:
    assert server.stdin is not None
    server.stdin.close()
    server.wait(timeout=10)


def sparse_file(folder: str, size: int) -> Path:
    path = Path(folder, "app-release.apk")
    with path.open("wb") as fh:  # sparse: the bench measures the upload, not the disk
        fh.truncate(size)
    return path


def throughput(size_mb: int, rounds: int) -> None:
    size = size_mb * MIB
    server, urls = store(3 * rounds)
    times: dict[str, list[float]] = {"curl": [], "put": [], "tus": []}
    peaks: dict[str, float] = {"put": 0.0, "tus": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        path = sparse_file(tmp, size)
        for i in range(rounds):
            times["curl"].append(curl(urls[3 * i], path))
            for offset, kind in ((1, "put"), (2, "tus")):
                run = ours(kind, urls[3 * i + offset], path)
                times[kind].append(run["seconds"])
                peaks[kind] = max(peaks[kind], run["peak_rss_mb"])
    stop(server)
    rate = {kind: size / 1e6 / statistics.median(t) for kind, t in times.items()}
    print(f"upload {size_mb} MiB, median of {rounds}, local Supabase-like store in its own process")
    print(f"  curl --upload-file         {rate['curl']:8.0f} MB/s")
    for kind, label in (("put", "single PUT"), ("tus", "resumable (TUS, 6 MiB)")):
        ratio = rate[kind] / rate["curl"]
        print(
            f"  autosana-action {label:<23}{rate[kind]:6.0f} MB/s ({ratio:.2f}x curl; target >= 0.90x), "
            f"peak RSS {peaks[kind]:.1f} MB (target <= 60 MB)"
        )


def resent_after_drops(size_mb: int, drops: int) -> None:
    size = size_mb * MIB
    with tempfile.TemporaryDirectory() as tmp:
        path = sparse_file(tmp, size)
        for keeps_partial in (True, False):
            server, urls = store(1, drops, keeps_partial)
            run = ours("tus", urls[0], path)
            stop(server)
            kept = "keeps" if keeps_partial else "discards"
            print(
                f"  {drops} drops, store {kept} the partial chunk: {run['resent'] / MIB:.2f} MiB handed to the "
                f"network again ({run['resent'] / drops / MIB:.2f} MiB per drop; target <= 6 MiB), "
                f"{run['seconds']:.1f} s"
            )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serve", type=int)
    parser.add_argument("--drops", type=int, default=0)
    parser.add_argument("--discard-partial", action="store_true")
    parser.add_argument("--client", nargs=3)
    parser.add_argument("--sizes-mb", default="512,1024")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--drop-size-mb", type=int, default=256)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.drops, not args.discard_partial)
        return 0
    if args.client:
        client(*args.client)
        return 0
    for size_mb in (int(s) for s in args.sizes_mb.split(",")):
        throughput(size_mb, args.rounds)
    print(f"bytes sent again after injected drops ({args.drop_size_mb} MiB file, resumable)")
    resent_after_drops(args.drop_size_mb, 5)
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
