"""Resumable (TUS 1.0.0) uploads to a local store that speaks the protocol the way Supabase
Storage does: after drops and 5xx the upload goes on from the server's offset, never more than
one chunk is sent again per drop, the chunk size adapts, a stall fails clearly, and a store
without the endpoint gets the single PUT."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from autosana_action.upload.resumable import MIB, ResumableTuning, TusUnavailable, TusUpload, resumable
from autosana_action.upload.storage import StorageError, UploadStalled, UrlRefused
from autosana_sim.supabase import TUS_PATH, SupabaseStorage, TusFault

CHUNK = 1 * MIB
TUNING = ResumableTuning(
    chunk=CHUNK, min_chunk=256 * 1024, stall_seconds=3.0, chunk_timeout=1.0, head_timeout=1.0, pause_unit=0.01
)
SIZE = 5 * CHUNK + 12345


@pytest.fixture
def store() -> Iterator[SupabaseStorage]:
    with SupabaseStorage() as storage:
        yield storage


@pytest.fixture
def build(tmp_path: Path) -> Path:
    path = tmp_path / "app-release.apk"
    path.write_bytes(os.urandom(SIZE))
    return path


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def send(url: str, path: Path, tuning: ResumableTuning = TUNING) -> tuple[TusUpload, list[str]]:
    warnings: list[str] = []
    pauses: list[float] = []
    upload = TusUpload(
        url, path, path.stat().st_size, lambda _line: None, warn=warnings.append, pause=pauses.append, tuning=tuning
    )
    upload.run()
    return upload, warnings


def test_only_signed_supabase_urls_of_big_files_go_resumably(store: SupabaseStorage) -> None:
    url = store.presign("x/android/app.apk")
    assert resumable(url, 6 * MIB + 1)
    assert not resumable(url, 6 * MIB), "a file of one chunk goes in one PUT"
    assert not resumable("https://s3.example.com/builds/app.apk?X-Amz-Signature=abc", 100 * MIB)
    assert not resumable(url.split("?")[0], 100 * MIB), "no token, no signed upload"


def test_the_upload_goes_in_chunks_with_supabase_headers(store: SupabaseStorage, build: Path) -> None:
    url = store.presign("x/android/app-release.apk")
    upload, warnings = send(url, build)

    assert store.objects["x/android/app-release.apk"] == (SIZE, md5(build))
    (create,) = store.calls("POST")
    assert create.status == 201
    patches = store.calls("PATCH")
    assert [p.offset for p in patches] == [i * CHUNK for i in range(6)]
    assert all(p.status == 204 for p in patches)
    assert upload.sent == SIZE and upload.failures == 0 and warnings == []
    assert upload.endpoint == f"{store.url}{TUS_PATH}"
    assert upload.metadata == {
        "bucketName": "app_builds",
        "objectName": "x/android/app-release.apk",
        "contentType": "application/octet-stream",
    }


@pytest.mark.parametrize("keeps_partial", [True, False])
def test_a_drop_resumes_from_the_servers_offset(store: SupabaseStorage, build: Path, keeps_partial: bool) -> None:
    store.keeps_partial = keeps_partial
    store.faults += [TusFault("drop", after_bytes=CHUNK // 2), TusFault("drop", after_bytes=100)]
    upload, warnings = send(store.presign("k/app.apk"), build)

    assert store.objects["k/app.apk"] == (SIZE, md5(build))
    resent = upload.sent - SIZE
    assert resent <= 2 * CHUNK, f"{resent} bytes sent again for two drops"
    assert upload.failures == 2 and len(store.calls("POST")) == 1, "the same upload went on"
    assert len(store.calls("HEAD")) == 2, "each failure reads the offset back"
    assert all("resuming from byte" in w for w in warnings)
    if keeps_partial:
        # The server kept what arrived: the next PATCH starts where the drop cut the chunk.
        offsets = [p.offset for p in store.calls("PATCH")]
        assert offsets[:3] == [0, CHUNK // 2, CHUNK // 2 + 100]


@pytest.mark.parametrize("status", [500, 502, 503, 504, 429, 408])
def test_a_busy_server_is_asked_again_at_the_same_offset(store: SupabaseStorage, build: Path, status: int) -> None:
    store.faults += [TusFault("error", status=status), TusFault("error", status=status)]
    upload, _ = send(store.presign("k/app.apk"), build)
    assert store.objects["k/app.apk"] == (SIZE, md5(build))
    failed = [p for p in store.calls("PATCH") if p.status == status]
    assert [p.offset for p in failed] == [0, 0]
    assert upload.sent - SIZE <= 2 * CHUNK


def test_failing_chunks_halve_the_chunk_size_and_good_ones_double_it(store: SupabaseStorage, build: Path) -> None:
    store.keeps_partial = False
    store.faults += [TusFault("error"), TusFault("error")]
    send(store.presign("k/app.apk"), build)
    sizes = [p.received for p in store.calls("PATCH")]
    # 1 MiB fails, 512 KiB fails, then 256 KiB goes through and the size grows back to 1 MiB.
    assert sizes[:5] == [CHUNK, CHUNK // 2, CHUNK // 4, CHUNK // 2, CHUNK]


def test_an_offset_mismatch_is_settled_by_reading_the_offset(store: SupabaseStorage, build: Path) -> None:
    store.faults.append(TusFault("conflict"))
    _, warnings = send(store.presign("k/app.apk"), build)
    assert store.objects["k/app.apk"] == (SIZE, md5(build))
    assert [p.status for p in store.calls("PATCH")][:2] == [409, 204]
    assert "409" in warnings[0]


def test_the_store_answers_409_to_a_wrong_offset(store: SupabaseStorage) -> None:
    url = store.presign("k/app.apk")
    token = url.split("token=")[1]
    meta = ",".join(
        f"{k} {base64.b64encode(v.encode()).decode()}"
        for k, v in (("bucketName", "app_builds"), ("objectName", "k/app.apk"))
    )
    headers = {"Tus-Resumable": "1.0.0", "x-signature": token}
    created = requests.post(
        f"{store.url}{TUS_PATH}", headers={**headers, "Upload-Length": "10", "Upload-Metadata": meta}, timeout=5
    )
    assert created.status_code == 201
    patch = {**headers, "Upload-Offset": "4", "Content-Type": "application/offset+octet-stream"}
    assert requests.patch(created.headers["Location"], data=b"abc", headers=patch, timeout=5).status_code == 409
    assert requests.head(created.headers["Location"], headers=headers, timeout=5).headers["Upload-Offset"] == "0"
    assert requests.head(created.headers["Location"], timeout=5).status_code == 412, "Tus-Resumable is required"


def test_an_expired_signature_needs_a_new_url(store: SupabaseStorage, build: Path) -> None:
    with pytest.raises(UrlRefused, match=r"403.*jwt expired"):
        send(store.presign("k/app.apk", expires_in=-1), build)
    store.faults.append(TusFault("expire"))
    with pytest.raises(UrlRefused, match="403 while sending a chunk: jwt expired"):
        send(store.presign("k/app.apk"), build)


def test_a_stall_fails_clearly(store: SupabaseStorage, build: Path) -> None:
    store.keeps_partial = False
    store.faults += [TusFault("hang", after_bytes=1000, delay=1.5) for _ in range(6)]
    tuning = ResumableTuning(chunk=CHUNK, min_chunk=CHUNK, stall_seconds=1.5, chunk_timeout=0.3, head_timeout=1.0)
    with pytest.raises(UploadStalled, match=r"made no progress for 1.5 s.*keeps dropping the upload"):
        send(store.presign("k/app.apk"), build, tuning)
    assert "k/app.apk" not in store.objects


@pytest.mark.parametrize("status", [404, 405])
def test_a_store_without_the_endpoint_says_so(store: SupabaseStorage, build: Path, status: int) -> None:
    store.tus_answer = status
    with pytest.raises(TusUnavailable):
        send(store.presign("k/app.apk"), build)


def test_a_refused_create_is_not_retried(store: SupabaseStorage, build: Path) -> None:
    url = store.presign("k/app.apk").replace("/app_builds/k/", "/app_builds/other/")
    with pytest.raises(StorageError, match="400 while creating the resumable upload"):
        send(url, build)
    assert len(store.calls("POST")) == 1


def test_a_busy_create_is_retried(store: SupabaseStorage, build: Path) -> None:
    store.faults.append(TusFault("error", method="POST"))
    send(store.presign("k/app.apk"), build)
    assert [c.status for c in store.calls("POST")] == [503, 201]


def test_the_signed_url_also_takes_a_single_put(store: SupabaseStorage) -> None:
    url = store.presign("k/small.apk")
    assert requests.put(url, data=b"abc", timeout=5).status_code == 200
    assert store.has("k/small.apk")
    expired = store.presign("k/old.apk", expires_in=-1)
    response = requests.put(expired, data=b"abc", timeout=5)
    assert response.status_code == 403 and response.json()["message"] == "jwt expired"
