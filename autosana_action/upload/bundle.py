"""An iOS simulator ``.app`` is a directory: zip it into a temporary file first, because storage
wants the length up front (no chunked uploads)."""

from __future__ import annotations

import os
import stat
import tempfile
import zipfile
from pathlib import Path

APPLE_DOUBLE = "._"


def zip_app(app: Path, temp_dir: str | None = None) -> Path:
    """``MyApp.app/`` -> ``<tmp>/MyApp.app.zip`` with ``MyApp.app/`` at its root. Symlinks (as in
    embedded frameworks) stay symlinks, and file modes are kept. macOS AppleDouble files and
    folders (``._*``) are left out: unzipped into the bundle they make ``simctl install`` fail."""
    folder = Path(tempfile.mkdtemp(prefix="autosana-build-", dir=temp_dir))
    target = folder / f"{app.name}.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for root, dirs, files in os.walk(app):
            dirs[:] = sorted(d for d in dirs if not d.startswith(APPLE_DOUBLE))
            base = Path(root)
            for name in [*dirs, *sorted(f for f in files if not f.startswith(APPLE_DOUBLE))]:
                path = base / name
                arcname = str(Path(app.name) / path.relative_to(app))
                if path.is_symlink():
                    info = zipfile.ZipInfo(arcname)
                    info.create_system = 3
                    info.external_attr = (stat.S_IFLNK | 0o777) << 16
                    archive.writestr(info, os.readlink(path))
                elif path.is_dir():
                    archive.write(path, arcname + "/")
                else:
                    archive.write(path, arcname)
            dirs[:] = [d for d in dirs if not (base / d).is_symlink()]
    return target
