"""Why it failed, from the device itself: logs read over real HTTP from a local artifact store,
bounded (tail by Range, else streamed; a few MiB; a deadline; at most N runs), each log costing
only its own hint when it cannot be read, everything read redacted."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from autosana_action.autosana.models import RunDetail
from autosana_action.explain.artifacts import ArtifactReader, ArtifactUnreadable, fetchable, run_all
from autosana_action.explain.device_log import find_crash
from autosana_action.explain.hints import Hints, read_hints, scrub
from autosana_action.explain.network_log import find_failures
from autosana_action.redaction import Redactor
from autosana_sim import demo_logs
from autosana_sim.artifacts import ArtifactStore, PaddedLog

STEP_AT = datetime(2026, 12, 1, 21, 40, 5, tzinfo=UTC)
PACKAGE = "com.company.app"
ORIGIN = "https://shop.example.com"
MiB = 1024 * 1024


@pytest.fixture
def store() -> Iterator[ArtifactStore]:
    with ArtifactStore() as artifacts:
        yield artifacts


def detail(run_id: str, platform: str = "android", device: str | None = None, network: str | None = None) -> RunDetail:
    return RunDetail.model_validate(
        {
            "run_id": run_id,
            "platform": platform,
            "status": "failed",
            "device_log_url": device,
            "network_log_url": network,
            "actions": [
                {"position": 1, "type": "tap", "status": "passed", "executed_at": (STEP_AT - timedelta(seconds=9))},
                {
                    "position": 2,
                    "type": "assert",
                    "status": "failed",
                    "screenshot_url": "https://storage.example.com/shots/2.png",
                    "annotated_screenshot_url": "https://storage.example.com/shots/2_annotated.png",
                    "executed_at": STEP_AT,
                },
            ],
        }
    )


def hints_for(*details: RunDetail, seconds: float = 10.0, **kwargs: object) -> Hints:
    options: dict[str, object] = {"app": PACKAGE, "redactor": Redactor(), "show_hosts": False, **kwargs}
    return read_hints(details, deadline=time.monotonic() + seconds, **options)  # type: ignore[arg-type]


def test_a_huge_log_is_read_by_its_tail_with_a_range_request(store: ArtifactStore) -> None:
    crash = demo_logs.android_crash(STEP_AT, PACKAGE).encode()
    url = store.put("runs/1/device.log", PaddedLog(size=64 * MiB, tail=crash))
    reader = ArtifactReader(max_bytes=1 * MiB)
    tail = reader.tail(url, time.monotonic() + 10)
    assert tail.truncated and len(tail.text) <= 1 * MiB and tail.text.endswith(crash.decode())
    (served,) = store.requests_for("runs/1/device.log")
    assert served.headers.get("Range") == f"bytes=-{1 * MiB}"
    assert "X-API-Key" not in served.headers and "Authorization" not in served.headers
    assert tail.text.startswith("12-01 21:39:00.000 "), "the partial first line is dropped"


def test_without_range_support_the_body_is_streamed_and_only_its_tail_kept(store: ArtifactStore) -> None:
    store.supports_range = False
    crash = demo_logs.android_crash(STEP_AT, PACKAGE)
    url = store.put("runs/1/device.log", PaddedLog(size=12 * MiB, tail=crash.encode()))
    tail = ArtifactReader(max_bytes=MiB).tail(url, time.monotonic() + 20)
    assert tail.truncated and len(tail.text.encode()) <= MiB and tail.text.endswith(crash)
    whole = ArtifactReader(max_bytes=MiB).tail(store.put("small.log", "one\ntwo\n"), time.monotonic() + 5)
    assert whole.text == "one\ntwo\n" and not whole.truncated


def test_an_empty_log_is_no_error(store: ArtifactStore) -> None:
    assert ArtifactReader().tail(store.put("empty.log", b""), time.monotonic() + 5).text == ""


def test_a_slow_log_costs_only_its_hint_and_no_more_than_the_deadline(store: ArtifactStore) -> None:
    store.delay_per_chunk = 0.3
    slow = store.put("runs/1/device.log", PaddedLog(size=8 * MiB, tail=b"end\n"))
    network = store.put("runs/1/network.jsonl", demo_logs.web_network(STEP_AT, ORIGIN))
    started = time.monotonic()
    hints = hints_for(detail("r1", "web", slow, network), seconds=1.5)
    elapsed = time.monotonic() - started
    assert elapsed < 3.0, elapsed
    hint = hints.runs["r1"]
    assert hint.unread and hint.unread[0].startswith("device log: ")
    assert hint.screenshot == "https://storage.example.com/shots/2_annotated.png" and hint.step == 2


def test_a_store_that_never_answers_is_cut_at_the_deadline(store: ArtifactStore) -> None:
    store.first_byte_delay = 8.0
    url = store.put("runs/1/device.log", "x\n")
    started = time.monotonic()
    with pytest.raises(ArtifactUnreadable):
        ArtifactReader().tail(url, time.monotonic() + 1.0)
    assert time.monotonic() - started < 2.5


def test_a_missing_log_leaves_the_other_hints(store: ArtifactStore) -> None:
    missing = store.sign("runs/1/device.log")
    network = store.put("runs/1/network.jsonl", demo_logs.web_network(STEP_AT, ORIGIN))
    hint = hints_for(detail("r1", "web", missing, network)).runs["r1"]
    assert hint.unread == ("device log: the storage answered 404 Not Found",)
    assert hint.network is not None and [r.status for r in hint.network.shown] == [0, 500]
    expired = store.put("old.log", "x", ttl=-10)
    assert hints_for(detail("r2", device=expired)).runs["r2"].unread == (
        "device log: the storage answered 403 Forbidden",
    )


def test_secrets_in_logs_are_redacted(store: ArtifactStore) -> None:
    log = demo_logs.android_crash(STEP_AT, PACKAGE).replace(
        "Payment error has no message",
        "login failed for hunter2-secret-pw with Authorization: Bearer abcdefghijkl123 token=zz-top-9 "
        "eyJhbGciOi.eyJzdWIiOi.sig",
    )
    url = store.put("runs/1/device.log", log)
    hint = hints_for(detail("r1", device=url), redactor=Redactor(["hunter2-secret-pw"])).runs["r1"]
    assert hint.crash is not None
    text = "\n".join(hint.crash.lines)
    assert "hunter2-secret-pw" not in text and "abcdefghijkl123" not in text and "zz-top-9" not in text
    assert "eyJhbGciOi" not in text and "login failed for ***" in text
    assert scrub("Unexpected token < in JSON", Redactor()) == "Unexpected token < in JSON"


def test_only_the_first_runs_are_read(store: ArtifactStore) -> None:
    details = [detail(f"r{i}", device=store.put(f"runs/{i}/device.log", "x\n")) for i in range(12)]
    hints = hints_for(*details, max_runs=10)
    assert len(hints.runs) == 10 and hints.left_out == 2
    assert len(store.served) == 10


def test_logs_are_read_concurrently(store: ArtifactStore) -> None:
    store.first_byte_delay = 0.5
    details = [detail(f"r{i}", device=store.put(f"runs/{i}/device.log", "x\n")) for i in range(6)]
    started = time.monotonic()
    hints = hints_for(*details)
    assert all(not h.unread for h in hints.runs.values())
    assert time.monotonic() - started < 1.5


def test_only_https_or_this_machine_is_fetched() -> None:
    assert fetchable("https://storage.example.com/x.log") and fetchable("http://127.0.0.1:9/x.log")
    assert not fetchable("http://storage.example.com/x.log")
    assert not fetchable("https://169.254.169.254/latest/meta-data")
    assert not fetchable("file:///etc/passwd")
    with pytest.raises(ArtifactUnreadable, match="not https"):
        ArtifactReader().tail("http://10.0.0.1/x.log", time.monotonic() + 1)


def test_redirects_are_followed_only_to_what_may_be_fetched(store: ArtifactStore) -> None:
    target = store.put("runs/1/device.log", "moved\n")
    store.redirects["old.log"] = target
    assert ArtifactReader().tail(store.sign("old.log"), time.monotonic() + 5).text == "moved\n"
    store.redirects["evil.log"] = "http://169.254.169.254/latest/meta-data/iam"
    with pytest.raises(ArtifactUnreadable, match="not https"):
        ArtifactReader().tail(store.sign("evil.log"), time.monotonic() + 5)


def test_no_credentials_from_the_environment_reach_storage(
    store: ArtifactStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    netrc = tmp_path / "netrc"
    netrc.write_text("machine 127.0.0.1 login someone password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    ArtifactReader().tail(store.put("a.log", "x\n"), time.monotonic() + 5)
    (served,) = store.served
    assert "Authorization" not in served.headers


def test_run_all_leaves_slow_jobs_behind_on_daemon_threads() -> None:
    release = threading.Event()
    results = run_all({"fast": lambda: 1, "slow": lambda: release.wait(5)}, deadline=time.monotonic() + 0.3, workers=2)
    release.set()
    assert results["fast"] == 1 and isinstance(results["slow"], TimeoutError)
    assert all(t.daemon for t in threading.enumerate() if t.name.startswith("artifact-"))


# -- reading the logs ---------------------------------------------------------------------------


def test_android_crash_shows_the_exception_and_the_apps_own_frames() -> None:
    crash = find_crash(demo_logs.android_crash(STEP_AT, PACKAGE), "android", PACKAGE, STEP_AT)
    assert crash is not None
    assert crash.lines[0] == "FATAL EXCEPTION: main (com.company.app)"
    assert crash.lines[1] == "java.lang.IllegalStateException: Payment error has no message"
    assert "  at com.company.app.checkout.PaymentErrorMapper.map(PaymentErrorMapper.kt:42)" in crash.lines
    assert not any("kotlin.coroutines" in line or "android.os.Handler" in line for line in crash.lines)
    assert "Caused by: org.json.JSONException: No value for message" in crash.lines
    assert not any("SecurityException" in line for line in crash.lines), "another app's crash is not this one"


def test_the_crash_nearest_the_failing_step_is_chosen() -> None:
    early = demo_logs.android_crash(STEP_AT - timedelta(minutes=3), PACKAGE).replace("has no message", "early")
    late = demo_logs.android_crash(STEP_AT, PACKAGE)
    crash = find_crash(early + late, "android", PACKAGE, STEP_AT)
    assert crash is not None and "Payment error has no message" in crash.lines[1] and crash.others == 1


def test_ios_uncaught_exception_with_the_apps_frames() -> None:
    crash = find_crash(demo_logs.ios_uncaught(STEP_AT, "DemoShop"), "ios", PACKAGE, STEP_AT)
    assert crash is not None
    assert crash.lines[0].startswith("Terminating app due to uncaught exception 'NSInvalidArgumentException'")
    assert crash.lines[1:] == (
        "  3 DemoShop PaymentErrorView.init(message:) + 88",
        "  4 DemoShop CheckoutViewModel.pay() + 412",
    )


def test_ios_crash_report() -> None:
    report = "\n".join(
        [
            "Process:             DemoShop [812]",
            "Identifier:          com.company.app",
            "Exception Type:  EXC_CRASH (SIGABRT)",
            "Exception Codes: 0x0000000000000000, 0x0000000000000000",
            "Termination Reason: SIGNAL 6 Abort trap: 6",
            "Thread 0 Crashed:",
            "0   libsystem_kernel.dylib        0x00000001d6a1f42c __pthread_kill + 8",
            "1   DemoShop                      0x0000000100a3c1f4 CartStore.total() + 40",
        ]
    )
    crash = find_crash(report, "ios", PACKAGE, None)
    assert crash is not None and crash.lines[0] == "Exception Type: EXC_CRASH (SIGABRT)"
    assert "  1 DemoShop CartStore.total() + 40" in crash.lines


def test_web_uncaught_exception_without_hosts_or_queries() -> None:
    crash = find_crash(demo_logs.web_console(STEP_AT, ORIGIN), "web", None, STEP_AT)
    assert crash is not None
    assert crash.lines[0] == "Uncaught (in promise) TypeError: Cannot read properties of undefined (reading 'total')"
    assert crash.lines[1] == "  at renderTotals (/static/js/main.3f2a.js:1:2345)"
    assert crash.others == 1 and "shop.example.com" not in "".join(crash.lines)


def test_network_failures_around_the_failing_step() -> None:
    found = find_failures(demo_logs.web_network(STEP_AT, ORIGIN), STEP_AT, show_hosts=False)
    assert found is not None and found.total == 5 and found.rest == 0
    dns, server = found.shown
    assert (dns.method, dns.where, dns.status, dns.error) == ("GET", "/v1/collect", 0, "net::ERR_NAME_NOT_RESOLVED")
    assert (server.method, server.where, server.status, server.duration_ms) == ("POST", "/api/orders", 500, 1240.0)
    with_hosts = find_failures(demo_logs.web_network(STEP_AT, ORIGIN), STEP_AT, show_hosts=True)
    assert with_hosts is not None and with_hosts.shown[1].where == "shop.example.com/api/orders"
    # The favicon's 404 is no API call; a request long before the step is not "around" it.
    far = demo_logs.web_network(STEP_AT - timedelta(minutes=10), ORIGIN)
    found_far = find_failures(far, STEP_AT, show_hosts=False)
    assert found_far is not None and found_far.shown == () and found_far.rest == 2


def test_jsonl_device_logs_are_read_like_plain_ones() -> None:
    at = STEP_AT.timestamp() * 1000
    entries = [
        {"ts": at - 900, "tag": "AndroidRuntime", "message": "FATAL EXCEPTION: main"},
        {"ts": at - 900, "tag": "AndroidRuntime", "message": f"Process: {PACKAGE}, PID: 4321"},
        {"ts": at - 900, "tag": "AndroidRuntime", "message": "java.lang.NullPointerException: cart was null"},
        {"ts": at - 900, "tag": "AndroidRuntime", "message": f"\tat {PACKAGE}.cart.CartView.render(CartView.kt:7)"},
        {"ts": at, "tag": "ActivityManager", "message": "Process died"},
    ]

    crash = find_crash("".join(json.dumps(e) + "\n" for e in entries), "android", PACKAGE, STEP_AT)
    assert crash is not None and crash.at is not None and abs((crash.at - STEP_AT).total_seconds()) < 1
    assert crash.lines[1:] == (
        "java.lang.NullPointerException: cart was null",
        f"  at {PACKAGE}.cart.CartView.render(CartView.kt:7)",
    )
