"""The upload stage with Autosana's own kind of storage (Supabase signed upload URLs and their TUS
endpoint), over real HTTP: big builds go resumably and survive drops and 5xx without starting
again from byte 0, small ones go in one PUT, a store without TUS gets the single PUT, and an
expired signature gets one new URL."""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import API_KEY

from autosana_action.autosana.client import AutosanaClient
from autosana_action.cancellation import Cancellation
from autosana_action.settings import parse_settings
from autosana_action.upload.facts import GitFacts
from autosana_action.upload.identify import prepare_build
from autosana_action.upload.mobile import UploadFailed, UploadTuning, upload_build
from autosana_action.upload.resumable import MIB, ResumableTuning
from autosana_action.workflow import Workflow
from autosana_sim import AutosanaSimulator, SupabaseStorage, TusFault

GIT = GitFacts("b" * 40, "feature/big", "octo-org/octo-repo")
CHUNK = 2 * MIB
RESUMABLE = ResumableTuning(chunk=CHUNK, min_chunk=MIB, stall_seconds=2.0, chunk_timeout=1.0, pause_unit=0.01)
FAST = UploadTuning(stall_seconds=1.0, backoff=0.05, progress_interval=0.0, resumable=RESUMABLE)
BIG = 6 * MIB + 4321


@pytest.fixture
def sim() -> Iterator[AutosanaSimulator]:
    with AutosanaSimulator(api_keys={API_KEY}, storage="supabase") as simulator:
        yield simulator


def store(sim: AutosanaSimulator) -> SupabaseStorage:
    assert sim.supabase is not None
    return sim.supabase


def build_file(tmp_path: Path, size: int) -> Path:
    path = tmp_path / "app-release.apk"
    path.write_bytes(os.urandom(size))
    return path


def upload(sim: AutosanaSimulator, path: Path) -> str:
    raw = {"api-key": API_KEY, "bundle-id": "com.company.app", "platform": "android", "build-path": path.name}
    settings, build = prepare_build(parse_settings(raw), path.parent)
    assert build is not None
    out = io.StringIO()
    with AutosanaClient(sim.url, API_KEY, backoff_factor=0.01) as client:
        upload_build(
            client,
            settings,
            build,
            git=GIT,
            variables={},
            wf=Workflow({"GITHUB_ACTIONS": "true"}, out),
            cancellation=Cancellation(),
            tuning=FAST,
        )
    return out.getvalue()


def stored(sim: AutosanaSimulator, path: Path) -> bool:
    (confirm,) = sim.calls("/api/ci/confirm-upload")
    key = confirm.body["uploaded_file_path"]
    return store(sim).objects.get(key) == (path.stat().st_size, hashlib.md5(path.read_bytes()).hexdigest())


def test_a_big_build_goes_resumably(sim: AutosanaSimulator, tmp_path: Path) -> None:
    path = build_file(tmp_path, BIG)
    log = upload(sim, path)
    assert stored(sim, path)
    assert store(sim).puts() == [], "no single PUT"
    assert [c.offset for c in store(sim).calls("PATCH")] == [0, CHUNK, 2 * CHUNK, 3 * CHUNK]
    assert "Resumable upload to" in log and "active build for the whole workspace" in log


def test_drops_and_5xx_resume_from_the_servers_offset(sim: AutosanaSimulator, tmp_path: Path) -> None:
    path = build_file(tmp_path, BIG)
    store(sim).faults += [TusFault("drop", after_bytes=1000), TusFault("error", status=502)]
    log = upload(sim, path)
    assert stored(sim, path)
    patches = store(sim).calls("PATCH")
    received = sum(c.received for c in patches)
    assert received - BIG <= 2 * CHUNK, "at most one chunk again per failure"
    assert patches[1].offset == 1000, "after the drop the upload went on from what the server held"
    assert len(sim.calls("/api/ci/start-upload")) == 1 and len(sim.calls("/api/ci/confirm-upload")) == 1
    assert "resumed after 2 interruption(s)" in log and "retrying from the start" not in log


def test_a_small_build_goes_in_one_put(sim: AutosanaSimulator, tmp_path: Path) -> None:
    path = build_file(tmp_path, 6 * MIB)
    upload(sim, path)
    assert stored(sim, path)
    assert store(sim).calls() == [] and [p.status for p in store(sim).puts()] == [200]


def test_a_store_without_tus_gets_the_single_put(sim: AutosanaSimulator, tmp_path: Path) -> None:
    store(sim).tus_answer = 405
    path = build_file(tmp_path, BIG)
    log = upload(sim, path)
    assert stored(sim, path)
    assert [c.status for c in store(sim).calls()] == [405]
    assert [p.status for p in store(sim).puts()] == [200]
    assert "sending the build in one PUT instead" in log


def test_an_expired_signature_gets_one_new_url(sim: AutosanaSimulator, tmp_path: Path) -> None:
    store(sim).faults.append(TusFault("expire"))
    path = build_file(tmp_path, BIG)
    log = upload(sim, path)
    assert stored(sim, path)
    assert len(sim.calls("/api/ci/start-upload")) == 2
    assert "asking Autosana for a new upload URL" in log


def test_a_stalled_upload_fails_without_confirming(sim: AutosanaSimulator, tmp_path: Path) -> None:
    store(sim).keeps_partial = False
    store(sim).faults += [TusFault("error") for _ in range(400)]
    path = build_file(tmp_path, BIG)
    with pytest.raises(UploadFailed, match="made no progress for 2 s"):
        upload(sim, path)
    assert sim.calls("/api/ci/confirm-upload") == []
