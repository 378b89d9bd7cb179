"""How the build file travels to its signed URL: resumably (TUS) when the URL is a Supabase
signed upload URL and the file is bigger than one chunk, else (and when the store has no TUS
endpoint) in one streamed PUT."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..cancellation import Cancellation, Cancelled
from ..workflow import Workflow, plain
from .facts import human_size
from .resumable import ResumableTuning, TusUnavailable, TusUpload, resumable
from .storage import PutResult, put_file, where


def send_build(
    url: str,
    path: Path,
    size: int,
    *,
    wf: Workflow,
    cancellation: Cancellation,
    stall_seconds: float,
    progress_interval: float,
    resumable_tuning: ResumableTuning,
) -> PutResult:
    """Raises the storage errors of put_file and TusUpload (UrlRefused, UploadStalled, ...)."""
    if resumable(url, size):
        upload = TusUpload(
            url,
            path,
            size,
            wf.info,
            warn=lambda text: wf.warning(plain(text, 300)),
            pause=_pause(cancellation),
            tuning=resumable_tuning,
            progress_interval=progress_interval,
        )
        try:
            result = upload.run()
        except TusUnavailable as exc:
            wf.info(f"{plain(str(exc), 200)}; sending the build in one PUT instead")
        else:
            resumed = f", resumed after {result.failures} interruption(s)" if result.failures else ""
            resent = f", {human_size(result.sent - size)} sent again" if result.sent > size else ""
            chunks = human_size(resumable_tuning.chunk)
            wf.info(f"Resumable upload to {where(url)} in chunks of up to {chunks}{resumed}{resent}")
            return PutResult(result.seconds, result.rate)
    return put_file(url, path, size, wf.info, stall_seconds=stall_seconds, progress_interval=progress_interval)


def _pause(cancellation: Cancellation) -> Callable[[float], None]:
    def pause(seconds: float) -> None:
        if cancellation.wait(seconds):
            raise Cancelled

    return pause
