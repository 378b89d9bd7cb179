"""What a build file is, read from the file itself before any request: the platform it runs on,
where it runs (emulator, simulator or real device) and the app's identity (``CFBundleIdentifier``
of an iOS app's Info.plist, ``package`` of an APK's manifest).

A build Autosana cannot run is refused here, with a message that names the file, says what was
found and how to fix it, so that nothing is uploaded."""

from __future__ import annotations

import plistlib
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .axml import manifest_package

Target = Literal["emulator", "simulator", "device"]
SIMULATOR, DEVICE = "iphonesimulator", "iphoneos"
IDENTIFIER = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,254}")
# Info.plist is a few KB; a bigger "plist" is not one we read into memory.
MAX_PLIST = 4 * 1024 * 1024
MAX_MANIFEST = 8 * 1024 * 1024
PLATFORM_OF_SUFFIX = {".apk": "android", ".aab": "android", ".ipa": "ios", ".zip": "ios", ".app": "ios"}
SIMULATOR_FIX = (
    "build for a Simulator destination (xcodebuild -sdk iphonesimulator gives "
    "Build/Products/Debug-iphonesimulator/<App>.app), or export an .ipa to test on a real device"
)


class BuildRefused(Exception):
    """A build Autosana cannot run, or one we cannot read."""

    def __init__(self, shown: str, found: str, fix: str) -> None:
        self.problem = f"{shown} {found}"
        self.fix = f"{fix[:1].upper()}{fix[1:]}."
        super().__init__(f"{self.problem}. Fix: {self.fix}")


@dataclass(frozen=True)
class BuildIdentity:
    platform: str  # the platform family: android or ios
    target: Target
    bundle_id: str | None  # None when the build does not say (an APK whose manifest we cannot read)


def platform_of(path: Path) -> str | None:
    """The platform a build file is for, by its kind: .apk is Android, .ipa/.zip/.app iOS."""
    return PLATFORM_OF_SUFFIX.get(path.suffix.lower())


def inspect_build(path: Path, shown: str) -> BuildIdentity:
    """Raises BuildRefused. ``shown`` is the file as the user named it, for messages."""
    suffix = path.suffix.lower()
    if suffix == ".aab":
        raise BuildRefused(
            shown,
            "is an Android App Bundle (.aab), which Autosana does not run",
            "upload a universal .apk: bundletool build-apks --mode=universal --bundle=app.aab "
            "--output=app.apks, then unzip universal.apk from app.apks (or build the .apk with "
            "Gradle's assemble task)",
        )
    if suffix == ".apk":
        return BuildIdentity("android", "emulator", _identifier(_apk_package(path)))
    if suffix == ".app":
        return _inspect_app_folder(path, shown)
    if suffix == ".ipa":
        return _inspect_ipa(path, shown)
    if suffix == ".zip":
        return _inspect_zip(path, shown)
    raise BuildRefused(
        shown,
        "is not a build Autosana runs",
        "upload an .apk (Android), an .ipa (real iPhone), or an iOS Simulator .app folder or its .zip",
    )


def _apk_package(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("AndroidManifest.xml")
            if info.file_size > MAX_MANIFEST:
                return None
            return manifest_package(archive.read(info))
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, NotImplementedError, RuntimeError):
        return None


def _inspect_app_folder(path: Path, shown: str) -> BuildIdentity:
    plist_path = path / "Info.plist"
    if not plist_path.is_file():
        raise BuildRefused(
            shown, "has no Info.plist", "name the complete .app bundle that Xcode built (is the build complete?)"
        )
    try:
        data = plist_path.read_bytes()[: MAX_PLIST + 1]
    except OSError as exc:
        raise BuildRefused(
            shown, f"has an Info.plist that cannot be read ({exc.strerror})", "check the build"
        ) from None
    info = _plist(data, shown, "Info.plist")
    platform = _platform(info)
    if platform == DEVICE:
        raise BuildRefused(shown, "is a device build (iphoneos), which cannot run on the iOS Simulator", SIMULATOR_FIX)
    if platform != SIMULATOR:
        raise BuildRefused(
            shown,
            f"is not an iPhone app (its Info.plist names platform {platform!r})",
            "upload an iOS Simulator .app, an .ipa or an .apk",
        )
    return BuildIdentity("ios", "simulator", _bundle_id(info))


def _inspect_ipa(path: Path, shown: str) -> BuildIdentity:
    entry, info = _app_in_zip(path, shown, re.compile(r"Payload/[^/]+\.app/Info\.plist"))
    if entry is None:
        raise BuildRefused(
            shown,
            "has no Payload/<App>.app/Info.plist, so a device cannot install it",
            "export the .ipa from an Xcode archive (xcodebuild -exportArchive)",
        )
    if _platform(info) == SIMULATOR:
        raise BuildRefused(
            shown,
            f"holds a Simulator build ({entry} names iphonesimulator); an .ipa runs on a real iPhone",
            "zip the .app folder (a .zip runs on the iOS Simulator) instead of naming it .ipa, or export a "
            "device build as the .ipa",
        )
    return BuildIdentity("ios", "device", _bundle_id(info))


def _inspect_zip(path: Path, shown: str) -> BuildIdentity:
    entry, info = _app_in_zip(path, shown, re.compile(r"[^/]+\.app/Info\.plist"))
    if entry is None:
        raise BuildRefused(
            shown,
            "has no <App>.app/Info.plist at its root, so the Simulator cannot install it",
            "zip the .app folder itself (ditto -c -k --keepParent MyApp.app MyApp.zip), or name the .app folder "
            "(a Chrome extension's .zip needs platform: chrome-extension)",
        )
    if _platform(info) == DEVICE:
        raise BuildRefused(
            shown,
            f"holds a device build ({entry} names iphoneos), which cannot run on the iOS Simulator",
            SIMULATOR_FIX,
        )
    return BuildIdentity("ios", "simulator", _bundle_id(info))


def _app_in_zip(path: Path, shown: str, pattern: re.Pattern[str]) -> tuple[str | None, dict[str, Any]]:
    """The first Info.plist entry matching ``pattern`` exactly, and its contents."""
    try:
        with zipfile.ZipFile(path) as archive:
            entry = next((n for n in archive.namelist() if pattern.fullmatch(n)), None)
            if entry is None:
                return None, {}
            info = archive.getinfo(entry)
            if info.file_size > MAX_PLIST:
                raise BuildRefused(shown, f"has an {entry} of {info.file_size} bytes", "check the build")
            return entry, _plist(archive.read(info), shown, entry)
    except (zipfile.BadZipFile, EOFError) as exc:
        raise BuildRefused(
            shown, f"is not a valid zip archive ({exc})", "upload the file the build produced, not a renamed one"
        ) from None
    except (OSError, NotImplementedError, RuntimeError) as exc:
        raise BuildRefused(shown, f"cannot be read ({exc})", "check the build") from None


def _plist(data: bytes, shown: str, name: str) -> dict[str, Any]:
    """Binary and XML plists both (plistlib tells them apart)."""
    try:
        value = plistlib.loads(data[: MAX_PLIST + 1]) if len(data) <= MAX_PLIST else None
    except (plistlib.InvalidFileException, ValueError, TypeError, OverflowError) as exc:
        raise BuildRefused(shown, f"has a {name} that is not a readable plist ({exc})", "check the build") from None
    if not isinstance(value, dict):
        raise BuildRefused(shown, f"has a {name} that is not a dictionary plist", "check the build")
    return value


def _platform(info: dict[str, Any]) -> str:
    name = info.get("DTPlatformName")
    if isinstance(name, str) and name:
        return name.lower()
    platforms = info.get("CFBundleSupportedPlatforms")
    if isinstance(platforms, list) and platforms and isinstance(platforms[0], str):
        return platforms[0].lower()
    return "unknown"


def _bundle_id(info: dict[str, Any]) -> str | None:
    value = info.get("CFBundleIdentifier")
    return _identifier(value) if isinstance(value, str) else None


def _identifier(value: str | None) -> str | None:
    """A bundle id or package name as such ids are written; anything else the file says is not
    taken (it is untrusted text, and Autosana would not know the app by it)."""
    text = (value or "").strip()
    return text if IDENTIFIER.fullmatch(text) else None
