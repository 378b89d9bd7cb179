"""The logs the simulator's failing runs leave behind, timed around their failing step: an
Android app crash (logcat), an iOS uncaught exception (syslog), and a web run's console error with
a network log holding a 500 and a DNS failure. Noise before and after, as real logs have."""

from __future__ import annotations

import json
from datetime import datetime, timedelta


def _logcat_time(at: datetime) -> str:
    return at.strftime("%m-%d %H:%M:%S.") + f"{at.microsecond // 1000:03d}"


def android_crash(step_at: datetime, package: str) -> str:
    crash = step_at - timedelta(seconds=1.5)
    t = _logcat_time(crash)
    before = _logcat_time(crash - timedelta(seconds=20))
    lines = [
        f"{before}  1203  1203 I ActivityManager: Start proc 4321:{package}/u0a187 for activity",
        f"{before}  4321  4321 D CheckoutViewModel: pay() tapped, card ending 0069",
        f"{before}  2290  2290 E AndroidRuntime: FATAL EXCEPTION: GoogleApiHandler",
        f"{before}  2290  2290 E AndroidRuntime: Process: com.google.android.gms.persistent, PID: 2290",
        f"{before}  2290  2290 E AndroidRuntime: java.lang.SecurityException: not our app",
        "--------- beginning of crash",
        f"{t}  4321  4321 E AndroidRuntime: FATAL EXCEPTION: main",
        f"{t}  4321  4321 E AndroidRuntime: Process: {package}, PID: 4321",
        f"{t}  4321  4321 E AndroidRuntime: java.lang.IllegalStateException: Payment error has no message",
        f"{t}  4321  4321 E AndroidRuntime: \tat {package}.checkout.PaymentErrorMapper.map(PaymentErrorMapper.kt:42)",
        f"{t}  4321  4321 E AndroidRuntime: \tat {package}.checkout.CheckoutViewModel$pay$1.invokeSuspend"
        "(CheckoutViewModel.kt:88)",
        f"{t}  4321  4321 E AndroidRuntime: \tat kotlin.coroutines.jvm.internal.BaseContinuationImpl.resumeWith"
        "(ContinuationImpl.kt:33)",
        f"{t}  4321  4321 E AndroidRuntime: \tat android.os.Handler.handleCallback(Handler.java:958)",
        f"{t}  4321  4321 E AndroidRuntime: Caused by: org.json.JSONException: No value for message",
        f"{t}  4321  4321 E AndroidRuntime: \tat org.json.JSONObject.getString(JSONObject.java:669)",
        f"{t}  4321  4321 E AndroidRuntime: \tat {package}.api.ErrorBody.parse(ErrorBody.kt:17)",
        f"{t}  4321  4321 E AndroidRuntime: \t... 9 more",
        f"{t}  1203  1446 W ActivityManager:   Force finishing activity {package}/.MainActivity",
        f"{_logcat_time(step_at)}  1203  1219 I ActivityManager: Process {package} (pid 4321) has died: fg TOP",
    ]
    return "\n".join(lines) + "\n"


def ios_uncaught(step_at: datetime, process: str) -> str:
    t = (step_at - timedelta(seconds=1)).strftime("%b %e %H:%M:%S")
    pid = f"{process}[812]"
    frames = [
        "0   CoreFoundation                      0x000000018a5b0f20 __exceptionPreprocess + 164",
        "1   libobjc.A.dylib                     0x00000001824e2018 objc_exception_throw + 60",
        "2   CoreFoundation                      0x000000018a61d5c0 -[NSObject doesNotRecognizeSelector:] + 136",
        f"3   {process:<35} 0x0000000100a3c1f4 PaymentErrorView.init(message:) + 88",
        f"4   {process:<35} 0x0000000100a3b9e0 CheckoutViewModel.pay() + 412",
        "5   UIKitCore                           0x000000018c7d2a10 -[UIApplication sendAction:to:from:forEvent:] + 96",
    ]
    lines = [
        f"{t} iPhone-15 {pid} <Notice>: Tapped Pay",
        f"{t} iPhone-15 SpringBoard[58] <Notice>: Application {process} is foreground",
        f"{t} iPhone-15 {pid} <Error>: *** Terminating app due to uncaught exception 'NSInvalidArgumentException', "
        "reason: '-[NSNull length]: unrecognized selector sent to instance 0x1e3c2a0c8'",
        f"{t} iPhone-15 {pid} <Error>: *** First throw call stack:",
        *frames,
        f"{t} iPhone-15 ReportCrash[901] <Notice>: Saved crash report for {process}[812]",
    ]
    return "\n".join(lines) + "\n"


def web_console(step_at: datetime, origin: str) -> str:
    def at(seconds: float) -> str:
        return (step_at + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")

    entries = [
        {"timestamp": at(-9), "level": "info", "text": "Checkout page rendered"},
        {
            "timestamp": at(-2.1),
            "level": "error",
            "text": "Failed to load resource: the server responded with a status of 500 (Internal Server Error)",
        },
        {
            "timestamp": at(-2),
            "level": "error",
            "text": "Uncaught (in promise) TypeError: Cannot read properties of undefined (reading 'total')",
            "stack": f"    at renderTotals ({origin}/static/js/main.3f2a.js:1:2345)\n"
            f"    at CheckoutPage.onOrder ({origin}/static/js/main.3f2a.js:1:9876)",
        },
    ]
    return "".join(json.dumps(e) + "\n" for e in entries)


def web_network(step_at: datetime, origin: str) -> str:
    def at(seconds: float) -> str:
        return (step_at + timedelta(seconds=seconds)).isoformat().replace("+00:00", "Z")

    def entry(seconds: float, request: str, status: int, kind: str, ms: int, **extra: str) -> str:
        method, url = request.split(" ", 1)
        fields = {"timestamp": at(seconds), "method": method, "url": url, "status": status}
        return json.dumps({**fields, "resource_type": kind, "duration_ms": ms, "response_size": 512, **extra}) + "\n"

    return "".join(
        [
            entry(-12, f"GET {origin}/checkout", 200, "document", 180),
            entry(-11, f"GET {origin}/favicon.ico", 404, "image", 12),
            entry(
                -3,
                "GET https://metrics.shop-cdn.invalid/v1/collect?sid=42",
                0,
                "fetch",
                31,
                error="net::ERR_NAME_NOT_RESOLVED",
            ),
            entry(-2.2, f"POST {origin}/api/orders?session=demo", 500, "fetch", 1240),
            entry(-1, f"GET {origin}/api/cart", 200, "fetch", 95),
        ]
    )
