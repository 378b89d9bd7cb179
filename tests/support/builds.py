"""Real build files for tests: iOS apps with binary or XML Info.plists (as .app folders, simulator
.zips and .ipas), and APKs whose binary AndroidManifest.xml is written here in Android's compiled
XML format (UTF-8 or UTF-16 string pools). tests/fixtures/builds/fixture.apk is one made by
Android's own aapt."""

from __future__ import annotations

import os
import plistlib
import struct
import zipfile
from pathlib import Path

FIXTURE_APK = Path(__file__).resolve().parents[1] / "fixtures" / "builds" / "fixture.apk"
FIXTURE_PACKAGE = "com.autosana.fixture"


def info_plist(bundle_id: str | None, platform: str | None = "iphonesimulator", *, binary: bool = True) -> bytes:
    info: dict[str, object] = {"CFBundleExecutable": "Shop", "CFBundleName": "Shop"}
    if bundle_id is not None:
        info["CFBundleIdentifier"] = bundle_id
    if platform is not None:
        info["DTPlatformName"] = platform
        info["CFBundleSupportedPlatforms"] = ["iPhoneSimulator" if platform == "iphonesimulator" else "iPhoneOS"]
    return plistlib.dumps(info, fmt=plistlib.FMT_BINARY if binary else plistlib.FMT_XML)


def app_folder(
    parent: Path,
    bundle_id: str | None = "com.company.shop",
    platform: str | None = "iphonesimulator",
    *,
    binary: bool = True,
    name: str = "Shop.app",
) -> Path:
    app = parent / name
    (app / "Frameworks" / "Kit.framework").mkdir(parents=True)
    (app / "Info.plist").write_bytes(info_plist(bundle_id, platform, binary=binary))
    executable = app / "Shop"
    executable.write_bytes(b"\xcf\xfa\xed\xfe" + os.urandom(4000))
    executable.chmod(0o755)
    (app / "Frameworks" / "Kit.framework" / "Kit").write_bytes(b"kit")
    return app


def zipped_app(path: Path, plist: bytes, *, prefix: str = "", extra: dict[str, bytes] | None = None) -> Path:
    """``<prefix>Shop.app/Info.plist`` and a binary in a zip (prefix ``Payload/`` makes an .ipa)."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(f"{prefix}Shop.app/Info.plist", plist)
        archive.writestr(f"{prefix}Shop.app/Shop", b"\xcf\xfa\xed\xfe" + os.urandom(2000))
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return path


def ipa(path: Path, bundle_id: str = "com.company.shop", platform: str = "iphoneos") -> Path:
    return zipped_app(path, info_plist(bundle_id, platform), prefix="Payload/")


# -- Android's compiled XML ------------------------------------------------------------------
def _pool(strings: list[str], *, utf8: bool) -> bytes:
    blobs: list[bytes] = []
    for text in strings:
        if utf8:
            raw = text.encode()
            blobs.append(_len8(len(text)) + _len8(len(raw)) + raw + b"\0")
        else:
            raw = text.encode("utf-16-le")
            blobs.append(_len16(len(text)) + raw + b"\0\0")
    offsets, at = [], 0
    for blob in blobs:
        offsets.append(at)
        at += len(blob)
    body = b"".join(blobs)
    body += b"\0" * (-len(body) % 4)
    header_size = 28
    strings_start = header_size + 4 * len(strings)
    size = strings_start + len(body)
    header = struct.pack("<HHI5I", 0x0001, header_size, size, len(strings), 0, 0x100 if utf8 else 0, strings_start, 0)
    return header + struct.pack(f"<{len(strings)}I", *offsets) + body


def _len8(n: int) -> bytes:
    return bytes([n]) if n < 0x80 else bytes([0x80 | (n >> 8), n & 0xFF])


def _len16(n: int) -> bytes:
    return struct.pack("<H", n) if n < 0x8000 else struct.pack("<HH", 0x8000 | (n >> 16), n & 0xFFFF)


def _element(name: int, attributes: list[tuple[int, int, int]]) -> bytes:
    """START_ELEMENT with (ns, name, raw string index) attributes."""
    attrs = b"".join(struct.pack("<IIIHBBI", ns, n, raw, 8, 0, 0x03, raw) for ns, n, raw in attributes)
    ext = struct.pack("<IIHHHHHH", 0xFFFFFFFF, name, 20, 20, len(attributes), 0, 0, 0)
    size = 16 + len(ext) + len(attrs)
    return struct.pack("<HHIII", 0x0102, 16, size, 1, 0xFFFFFFFF) + ext + attrs


def binary_manifest(package: str, *, utf8: bool = False) -> bytes:
    """``<manifest xmlns:android=... android:versionCode="1" package=...>`` compiled."""
    strings = ["versionCode", "package", "manifest", "http://schemas.android.com/apk/res/android", "android", package]
    pool = _pool(strings, utf8=utf8)
    resource_map = struct.pack("<HHII", 0x0180, 8, 12, 0x0101021B)
    namespace = struct.pack("<HHIIIII", 0x0100, 16, 24, 1, 0xFFFFFFFF, 4, 3)
    # A decoy first: android:package (namespaced) is not the manifest's package.
    element = _element(2, [(3, 1, 0), (0xFFFFFFFF, 1, 5)])
    body = pool + resource_map + namespace + element
    return struct.pack("<HHI", 0x0003, 8, 8 + len(body)) + body


def apk(path: Path, manifest: bytes | None, *, size: int = 0) -> Path:
    """An APK (a zip) with this AndroidManifest.xml and ``size`` random bytes of classes.dex."""
    with zipfile.ZipFile(path, "w") as archive:
        if manifest is not None:
            archive.writestr("AndroidManifest.xml", manifest)
        archive.writestr(zipfile.ZipInfo("classes.dex"), os.urandom(size or 1000), compress_type=zipfile.ZIP_STORED)
    return path
