"""The build stage over real HTTP: the Autosana simulator's build endpoints and its S3-like store,
with the faults real storage has (503 SlowDown, dropped connections, expired URLs, stalls)."""

from __future__ import annotations

import hashlib
import http.client
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from conftest import API_KEY
from support.builds import info_plist, ipa

from autosana_action.autosana.client import AutosanaClient
from autosana_action.autosana.errors import ApiError, TransientApiError
from autosana_action.cancellation import Cancellation
from autosana_action.inputs import InvalidInputs
from autosana_action.settings import parse_settings
from autosana_action.upload.facts import GitFacts
from autosana_action.upload.identify import prepare_build
from autosana_action.upload.locate import locate
from autosana_action.upload.mobile import UploadFailed, UploadTuning, upload_build
from autosana_action.upload.storage import UploadStalled, put_file
from autosana_action.workflow import Workflow
from autosana_sim import AutosanaSimulator, Fault, StorageFault

GIT = GitFacts("a" * 40, "feature/login", "octo-org/octo-repo")
FAST = UploadTuning(stall_seconds=1.0, backoff=0.05, progress_interval=0.0)
SIZE = 3 * 1024 * 1024 + 17
SUITE = "11111111-1111-4111-8111-111111111111"


@pytest.fixture
def sim() -> Iterator[AutosanaSimulator]:
    with AutosanaSimulator(api_keys={API_KEY}) as simulator:
        yield simulator


@pytest.fixture
def apk(tmp_path: Path) -> Path:
    path = tmp_path / "app-release.apk"
    path.write_bytes(os.urandom(SIZE))
    return path


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes(), usedforsecurity=False).hexdigest()


def upload(
    sim: AutosanaSimulator, workspace: Path, build_path: str, log: io.StringIO | None = None, **inputs: str
) -> tuple[str | None, str]:
    raw = {"api-key": API_KEY, "bundle-id": "com.company.app", "platform": "android", "build-path": build_path}
    raw.update({k.replace("_", "-"): v for k, v in inputs.items()})
    settings, build = prepare_build(parse_settings(raw), workspace)
    assert build is not None
    out = log or io.StringIO()
    with AutosanaClient(sim.url, API_KEY, backoff_factor=0.01) as client:
        outcome = upload_build(
            client,
            settings,
            build,
            git=GIT,
            variables={"PR_NUMBER": "7"},
            wf=Workflow({"GITHUB_ACTIONS": "true"}, out),
            cancellation=Cancellation(),
            tuning=FAST,
        )
    return outcome.app_build_id, out.getvalue()


def test_upload_streams_the_file_with_its_length_and_no_api_key(sim: AutosanaSimulator, apk: Path) -> None:
    build_id, log = upload(sim, apk.parent, "app-release.apk")

    (put,) = sim.storage.puts()
    assert put.status == 200 and put.size == SIZE and put.md5 == md5(apk)
    assert put.headers["Content-Length"] == str(SIZE)
    assert "Transfer-Encoding" not in put.headers
    assert "X-API-Key" not in put.headers and "Authorization" not in put.headers
    assert put.headers["Content-Type"] == "application/octet-stream"
    (start,) = sim.calls("/api/ci/start-upload")
    assert start.body == {
        "bundle_id": "com.company.app",
        "platform": "android",
        "filename": "app-release.apk",
    }
    (confirm,) = sim.calls("/api/ci/confirm-upload")
    assert confirm.body == {
        "bundle_id": "com.company.app",
        "platform": "android",
        "uploaded_file_path": put.key,
        "commit_sha": GIT.commit_sha,
        "branch_name": GIT.branch_name,
        "repo_full_name": GIT.repo_full_name,
        "variables": "PR_NUMBER=7",
    }
    assert build_id == sim.registered[0]["build_id"]
    assert "Uploaded 3.0 MB of 3.0 MB (100%) at" in log and "MB/s" in log


def test_progress_is_logged_while_the_file_moves(sim: AutosanaSimulator, apk: Path) -> None:
    _, log = upload(sim, apk.parent, "app-release.apk")
    lines = [line for line in log.splitlines() if line.startswith("Uploaded ") and "%)" in line]
    assert len(lines) >= 3  # one per 1 MiB block with the interval at 0
    assert all("MB/s" in line for line in lines)


@pytest.mark.parametrize("fault", [StorageFault("slowdown"), StorageFault("drop", after_bytes=1024 * 1024)])
def test_storage_busy_or_dropped_is_retried_with_a_fresh_stream(
    sim: AutosanaSimulator, apk: Path, fault: StorageFault
) -> None:
    sim.storage.faults.append(fault)
    _, log = upload(sim, apk.parent, "app-release.apk")

    first, second = sim.storage.puts()
    assert first.status != 200 and second.status == 200
    assert second.size == SIZE and second.md5 == md5(apk), "the retry sent the whole file again"
    assert first.key == second.key, "a retry reuses the URL; only a 403 asks for a new one"
    assert len(sim.calls("/api/ci/start-upload")) == 1
    assert len(sim.calls("/api/ci/confirm-upload")) == 1
    assert "retrying from the start" in log


def test_storage_down_gives_up_without_confirming(sim: AutosanaSimulator, apk: Path) -> None:
    sim.storage.faults.extend(StorageFault("slowdown") for _ in range(4))
    with pytest.raises(UploadFailed, match=r"503 SlowDown.*gave up after 4 attempts"):
        upload(sim, apk.parent, "app-release.apk")
    assert len(sim.storage.puts()) == 4
    assert sim.calls("/api/ci/confirm-upload") == []


def test_expired_url_gets_one_new_start_upload(sim: AutosanaSimulator, apk: Path) -> None:
    sim.storage.faults.append(StorageFault("forbidden"))
    _, log = upload(sim, apk.parent, "app-release.apk")
    assert [p.status for p in sim.storage.puts()] == [403, 200]
    assert len(sim.calls("/api/ci/start-upload")) == 2
    assert len(sim.calls("/api/ci/confirm-upload")) == 1
    assert "asking Autosana for a new upload URL" in log


def test_refused_twice_fails_clearly(sim: AutosanaSimulator, apk: Path) -> None:
    sim.storage.faults.extend([StorageFault("forbidden"), StorageFault("forbidden")])
    with pytest.raises(UploadFailed, match=r"403 AccessDenied.*again with a fresh upload URL"):
        upload(sim, apk.parent, "app-release.apk")
    assert len(sim.calls("/api/ci/start-upload")) == 2
    assert sim.calls("/api/ci/confirm-upload") == []


def test_a_stall_fails_with_a_clear_message(sim: AutosanaSimulator, apk: Path) -> None:
    sim.storage.faults.append(StorageFault("stall", delay=3))
    key = "uploads/stall/app.apk"
    with pytest.raises(UploadStalled, match=r"stalled: no bytes moved for 1 s"):
        put_file(sim.storage.presign(key), apk, SIZE, lambda _: None, stall_seconds=1)


def test_a_stall_mid_body_fails_with_a_clear_message(sim: AutosanaSimulator, tmp_path: Path) -> None:
    big = tmp_path / "big.apk"
    with big.open("wb") as fh:  # sparse; larger than the socket buffers, so the sender blocks
        fh.truncate(64 * 1024 * 1024)
    sim.storage.faults.append(StorageFault("hang", after_bytes=1024 * 1024, delay=4))
    with pytest.raises(UploadStalled, match=r"no bytes moved for 1 s \(Uploaded [0-9.]+ MB of 64.0 MB"):
        put_file(sim.storage.presign("uploads/hang/big.apk"), big, big.stat().st_size, lambda _: None, stall_seconds=1)


def test_the_signed_url_never_reaches_the_log(sim: AutosanaSimulator, apk: Path) -> None:
    sim.storage.faults.append(StorageFault("slowdown"))
    _, log = upload(sim, apk.parent, "app-release.apk")
    assert "X-Amz-Signature" not in log


def test_start_upload_is_retried_on_503(sim: AutosanaSimulator, apk: Path) -> None:
    sim.faults.append(Fault("status", path="/api/ci/start-upload", status=503))
    upload(sim, apk.parent, "app-release.apk")
    assert len(sim.calls("/api/ci/start-upload")) == 2


@pytest.mark.parametrize("kind", ["status", "reset"])
def test_confirm_upload_is_never_sent_twice(sim: AutosanaSimulator, apk: Path, kind: str) -> None:
    sim.faults.append(Fault(kind, path="/api/ci/confirm-upload", status=503))  # type: ignore[arg-type]
    with pytest.raises(ApiError):
        upload(sim, apk.parent, "app-release.apk")
    assert len(sim.calls("/api/ci/confirm-upload")) == 1


def test_confirm_refusal_names_the_detail(sim: AutosanaSimulator, apk: Path) -> None:
    sim.faults.append(
        Fault("status", path="/api/ci/confirm-upload", status=400, body={"detail": "Bundle id does not match the apk"})
    )
    with pytest.raises(ApiError, match="Bundle id does not match the apk"):
        upload(sim, apk.parent, "app-release.apk")


def test_a_200_with_detail_is_a_refusal(sim: AutosanaSimulator, apk: Path) -> None:
    sim.faults.append(Fault("status", path="/api/ci/start-upload", status=200, body={"detail": "App is archived"}))
    with pytest.raises(ApiError, match="App is archived"):
        upload(sim, apk.parent, "app-release.apk")
    assert sim.storage.puts() == []


def test_warnings_from_the_api_are_warnings(sim: AutosanaSimulator, tmp_path: Path) -> None:
    (tmp_path / "app.apk").write_bytes(b"PK" * 100)
    _, log = upload(sim, tmp_path, "app.apk", platform="android-arm64-gplay")
    assert "::warning title=Autosana upload::Platform android-arm64-gplay is deprecated" in log


def test_ipa_sends_the_keychain_choice(sim: AutosanaSimulator, tmp_path: Path) -> None:
    ipa(tmp_path / "App.ipa", "com.company.app")
    upload(
        sim,
        tmp_path,
        "App.ipa",
        platform="ios",
        enable_ios_keychain_access_group_remapping="FALSE",
        environment="staging",
        name="Shop",
    )
    (start,) = sim.calls("/api/ci/start-upload")
    assert start.body["environment"] == "staging" and start.body["name"] == "Shop"
    (confirm,) = sim.calls("/api/ci/confirm-upload")
    assert confirm.body["enable_ios_keychain_access_group_remapping"] is False
    assert confirm.body["environment"] == "staging"


def test_keychain_choice_is_left_out_when_not_given(sim: AutosanaSimulator, tmp_path: Path) -> None:
    ipa(tmp_path / "App.ipa", "com.company.app")
    upload(sim, tmp_path, "App.ipa", platform="ios")
    (confirm,) = sim.calls("/api/ci/confirm-upload")
    assert "enable_ios_keychain_access_group_remapping" not in confirm.body


def test_an_app_directory_is_zipped_first(sim: AutosanaSimulator, tmp_path: Path) -> None:
    app = tmp_path / "build" / "Shop.app"
    (app / "Frameworks" / "Kit.framework").mkdir(parents=True)
    (app / "Shop").write_bytes(b"\xcf\xfa\xed\xfe" + os.urandom(5000))
    (app / "Info.plist").write_bytes(info_plist("com.company.app"))
    (app / "Frameworks" / "Kit.framework" / "Kit").write_bytes(b"kit")
    (app / "Current").symlink_to("Frameworks")

    _, log = upload(sim, tmp_path, "build/*.app", platform="ios-simulator")

    (start,) = sim.calls("/api/ci/start-upload")
    assert start.body["filename"] == "Shop.app.zip"
    (put,) = sim.storage.puts()
    assert put.status == 200 and put.headers["Content-Length"] == str(put.size)
    assert "physical devices" in log
    assert not list(tmp_path.glob("**/*.app.zip")), "the temporary zip is removed"


def test_zip_of_an_app_keeps_its_layout_and_symlinks(tmp_path: Path) -> None:
    from autosana_action.upload.bundle import zip_app

    app = tmp_path / "Shop.app"
    (app / "Sub").mkdir(parents=True)
    (app / "Shop").write_bytes(b"bin")
    (app / "Sub" / "x.txt").write_text("x")
    (app / "Link").symlink_to("Sub")
    target = zip_app(app, str(tmp_path))
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        assert {"Shop.app/Shop", "Shop.app/Sub/x.txt", "Shop.app/Link"} <= names
        link = archive.getinfo("Shop.app/Link")
        assert (link.external_attr >> 16) & 0o170000 == 0o120000
        assert archive.read(link) == b"Sub"


# -- the storage simulator behaves like S3 ---------------------------------------------------
def test_storage_refuses_chunked_bodies(sim: AutosanaSimulator) -> None:
    url = sim.storage.presign("k/chunked.apk")
    response = requests.put(url, data=iter([b"abc", b"def"]), timeout=5)
    assert response.status_code == 501 and b"<Code>NotImplemented</Code>" in response.content


def test_storage_wants_a_length(sim: AutosanaSimulator) -> None:
    parts = urlsplit(sim.storage.presign("k/nolength.apk"))
    conn = http.client.HTTPConnection(parts.netloc, timeout=5)
    conn.putrequest("PUT", f"{parts.path}?{parts.query}")
    conn.endheaders()
    response = conn.getresponse()
    assert response.status == 411 and b"<Code>MissingContentLength</Code>" in response.read()


def test_storage_refuses_an_expired_url(sim: AutosanaSimulator) -> None:
    response = requests.put(sim.storage.presign("k/old.apk", expires_in=-1), data=b"abc", timeout=5)
    assert response.status_code == 403 and b"<Code>AccessDenied</Code>" in response.content
    assert b"expired" in response.content


def test_storage_checks_the_signature(sim: AutosanaSimulator) -> None:
    url = sim.storage.presign("k/signed.apk").replace("X-Amz-Signature=", "X-Amz-Signature=0")
    response = requests.put(url, data=b"abc", timeout=5)
    assert response.status_code == 403 and b"<Code>SignatureDoesNotMatch</Code>" in response.content


# -- inputs that name a build that is not there ----------------------------------------------
@pytest.mark.parametrize(
    ("files", "build_path", "platform", "message"),
    [
        ([], "out/app.apk", "android", "'out/app.apk' does not exist"),
        (["out/a.apk"], "out/*.aab", "android", "matches no file"),
        (["out/a.apk", "out/b.apk"], "out/*.apk", "android", "matches 2 files: out/a.apk, out/b.apk"),
        (["out/app.ipa"], "out/app.ipa", "android", "is not an .apk, which platform android needs"),
        (["out/app.apk"], "out/app.apk", "ios", "is not an .ipa"),
        (["ext.crx"], "ext.crx", "chrome-extension", "is not a .zip"),
        (["empty.apk:"], "empty.apk", "android", "is empty (0 bytes)"),
    ],
)
def test_bad_build_paths_name_the_input(
    tmp_path: Path, files: list[str], build_path: str, platform: str, message: str
) -> None:
    for name in files:
        path = tmp_path / name.rstrip(":")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"" if name.endswith(":") else b"PK")
    with pytest.raises(InvalidInputs) as raised:
        locate(build_path, platform, tmp_path)
    (problem,) = raised.value.problems
    assert problem.input == "build-path"
    assert message in problem.message()


# -- the trigger may take minutes, and is never sent twice -----------------------------------
def test_a_slow_trigger_answer_is_waited_for(sim: AutosanaSimulator) -> None:
    sim.faults.append(Fault("slow", path="/api/v1/flows/run", delay=1.0))
    body = {"bundle_id": "com.company.app", "platform": "android", "suite_ids": [SUITE]}
    with AutosanaClient(sim.url, API_KEY, read_timeout=0.3) as client:
        assert client.trigger(body).batch_id
    assert len(sim.calls("/api/v1/flows/run")) == 1


def test_a_trigger_past_its_timeout_is_not_resent(sim: AutosanaSimulator) -> None:
    sim.faults.append(Fault("slow", path="/api/v1/flows/run", delay=1.5))
    body = {"bundle_id": "com.company.app", "platform": "android", "suite_ids": [SUITE]}
    with (
        AutosanaClient(sim.url, API_KEY, trigger_read_timeout=0.3) as client,
        pytest.raises(TransientApiError, match="may have started anyway"),
    ):
        client.trigger(body)
    assert len(sim.calls("/api/v1/flows/run")) == 1
