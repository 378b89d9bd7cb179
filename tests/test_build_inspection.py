"""Builds are read before they travel: the platform, where they run and the app's identity come
from the file (Info.plist, binary or XML; the APK's compiled manifest), and a build Autosana cannot
run is refused with the file, what was found and the fix."""

from __future__ import annotations

import plistlib
import stat
import zipfile
from pathlib import Path

import pytest
from support.builds import (
    FIXTURE_APK,
    FIXTURE_PACKAGE,
    apk,
    app_folder,
    binary_manifest,
    info_plist,
    ipa,
    zipped_app,
)

from autosana_action.upload.axml import manifest_package
from autosana_action.upload.bundle import zip_app
from autosana_action.upload.inspection import BuildIdentity, BuildRefused, inspect_build, platform_of


def refusal(path: Path) -> str:
    with pytest.raises(BuildRefused) as raised:
        inspect_build(path, path.name)
    message = str(raised.value)
    assert message.startswith(path.name + " "), "the refusal names the file"
    assert "Fix: " in message, "the refusal says how to fix it"
    return message


# -- Android --------------------------------------------------------------------------------
def test_the_package_of_an_apk_built_by_aapt_is_read() -> None:
    assert inspect_build(FIXTURE_APK, "fixture.apk") == BuildIdentity("android", "emulator", FIXTURE_PACKAGE)


@pytest.mark.parametrize("utf8", [False, True])
def test_compiled_manifests_with_either_string_pool_are_read(tmp_path: Path, utf8: bool) -> None:
    path = apk(tmp_path / "app.apk", binary_manifest("com.company.shop", utf8=utf8))
    assert inspect_build(path, "app.apk").bundle_id == "com.company.shop"


def test_long_strings_use_the_two_unit_length(tmp_path: Path) -> None:
    long_name = "com.company." + "x" * 40000
    assert manifest_package(binary_manifest(long_name)) == long_name
    assert manifest_package(binary_manifest("com.company." + "é" * 300, utf8=True)) == "com.company." + "é" * 300


def test_a_namespaced_package_attribute_is_not_the_package() -> None:
    # binary_manifest puts android:package="versionCode" before the real package attribute.
    assert manifest_package(binary_manifest("com.company.shop")) == "com.company.shop"


@pytest.mark.parametrize(
    "manifest",
    [
        binary_manifest("com.company.shop")[:60],  # cut off
        b"<manifest package='com.company.shop'/>",  # plain XML is not what an APK holds
        b"",
        None,  # no manifest at all
    ],
)
def test_an_unreadable_manifest_leaves_the_bundle_id_to_the_user(tmp_path: Path, manifest: bytes | None) -> None:
    path = apk(tmp_path / "app.apk", manifest)
    assert inspect_build(path, "app.apk") == BuildIdentity("android", "emulator", None)


def test_an_apk_that_is_not_a_zip_is_not_refused_here(tmp_path: Path) -> None:
    path = tmp_path / "app.apk"
    path.write_bytes(b"PK" * 100)
    assert inspect_build(path, "app.apk").bundle_id is None


def test_an_app_bundle_is_refused_with_how_to_make_an_apk(tmp_path: Path) -> None:
    path = tmp_path / "app-release.aab"
    path.write_bytes(b"PK\x03\x04")
    message = refusal(path)
    assert "Android App Bundle" in message and "does not run" in message
    assert "bundletool build-apks --mode=universal" in message


# -- iOS: .ipa ------------------------------------------------------------------------------
@pytest.mark.parametrize("binary", [True, False])
def test_a_device_ipa_gives_its_bundle_id(tmp_path: Path, binary: bool) -> None:
    path = zipped_app(
        tmp_path / "Shop.ipa", info_plist("com.company.shop", "iphoneos", binary=binary), prefix="Payload/"
    )
    assert inspect_build(path, "Shop.ipa") == BuildIdentity("ios", "device", "com.company.shop")


def test_a_simulator_build_named_ipa_is_refused(tmp_path: Path) -> None:
    path = ipa(tmp_path / "Shop.ipa", platform="iphonesimulator")
    message = refusal(path)
    assert "Simulator build" in message and "Payload/Shop.app/Info.plist" in message
    assert "Zip the .app folder" in message


@pytest.mark.parametrize("prefix", ["", "Payload/Nested/", "Other/"])
def test_an_ipa_without_payload_app_at_its_place_is_refused(tmp_path: Path, prefix: str) -> None:
    path = zipped_app(tmp_path / "Shop.ipa", info_plist("com.company.shop", "iphoneos"), prefix=prefix)
    message = refusal(path)
    assert "has no Payload/<App>.app/Info.plist" in message and "-exportArchive" in message


def test_an_ipa_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "Shop.ipa"
    path.write_bytes(b"PK" * 100)
    assert "is not a valid zip archive" in refusal(path)


def test_an_unreadable_info_plist_is_refused(tmp_path: Path) -> None:
    path = zipped_app(tmp_path / "Shop.ipa", b"bplist00garbage", prefix="Payload/")
    assert "not a readable plist" in refusal(path)


# -- iOS: .zip of a simulator app -----------------------------------------------------------
def test_a_zipped_simulator_app_gives_its_bundle_id(tmp_path: Path) -> None:
    path = zipped_app(tmp_path / "Shop.zip", info_plist("com.company.shop"), extra={"__MACOSX/._Shop.app": b"x"})
    assert inspect_build(path, "Shop.zip") == BuildIdentity("ios", "simulator", "com.company.shop")


def test_a_zipped_device_app_is_refused(tmp_path: Path) -> None:
    path = zipped_app(tmp_path / "Shop.zip", info_plist("com.company.shop", "iphoneos"))
    message = refusal(path)
    assert "device build" in message and "Simulator destination" in message


def test_a_zip_with_the_app_below_its_root_is_refused(tmp_path: Path) -> None:
    path = zipped_app(tmp_path / "Shop.zip", info_plist("com.company.shop"), prefix="build/")
    assert "has no <App>.app/Info.plist at its root" in refusal(path)


# -- iOS: .app folder -----------------------------------------------------------------------
@pytest.mark.parametrize("binary", [True, False])
def test_a_simulator_app_folder_gives_its_bundle_id(tmp_path: Path, binary: bool) -> None:
    app = app_folder(tmp_path, binary=binary)
    assert inspect_build(app, "Shop.app") == BuildIdentity("ios", "simulator", "com.company.shop")


def test_the_supported_platforms_stand_in_for_a_missing_platform_name(tmp_path: Path) -> None:
    app = app_folder(tmp_path)
    info = {"CFBundleIdentifier": "com.company.shop", "CFBundleSupportedPlatforms": ["iPhoneOS"]}
    (app / "Info.plist").write_bytes(plistlib.dumps(info))
    assert "device build (iphoneos)" in refusal(app)


def test_a_device_app_folder_is_refused_with_the_fix(tmp_path: Path) -> None:
    message = refusal(app_folder(tmp_path, platform="iphoneos"))
    assert "cannot run on the iOS Simulator" in message
    assert "Simulator destination" in message and "export an .ipa" in message


def test_an_app_folder_for_another_platform_is_refused(tmp_path: Path) -> None:
    assert "is not an iPhone app (its Info.plist names platform 'macosx')" in refusal(
        app_folder(tmp_path, platform="macosx")
    )


def test_an_app_folder_without_info_plist_is_refused(tmp_path: Path) -> None:
    app = app_folder(tmp_path)
    (app / "Info.plist").unlink()
    assert "has no Info.plist" in refusal(app)


@pytest.mark.parametrize("odd", ["com.shop\n::error::boom", "com shop", "", "x" * 300])
def test_a_bundle_id_that_is_not_an_identifier_is_not_taken(tmp_path: Path, odd: str) -> None:
    app = app_folder(tmp_path, odd)
    assert inspect_build(app, "Shop.app").bundle_id is None
    path = apk(tmp_path / "app.apk", binary_manifest(odd))
    assert inspect_build(path, "app.apk").bundle_id is None


def test_other_files_are_not_builds(tmp_path: Path) -> None:
    path = tmp_path / "app.tar.gz"
    path.write_bytes(b"x")
    assert "is not a build Autosana runs" in refusal(path)


@pytest.mark.parametrize(
    ("name", "platform"),
    [("a.apk", "android"), ("a.AAB", "android"), ("a.ipa", "ios"), ("a.zip", "ios"), ("A.app", "ios"), ("a.txt", None)],
)
def test_the_platform_follows_the_kind_of_file(name: str, platform: str | None) -> None:
    assert platform_of(Path(name)) == platform


# -- zipping a .app folder ------------------------------------------------------------------
def test_zipping_an_app_keeps_symlinks_and_modes_and_skips_apple_double_files(tmp_path: Path) -> None:
    app = app_folder(tmp_path)
    (app / "Current").symlink_to("Frameworks")
    (app / "._Shop").write_bytes(b"\0\5\26\7 AppleDouble")
    (app / "Frameworks" / "._Kit.framework").write_bytes(b"\0\5\26\7")
    (app / "._Resources").mkdir()
    (app / "._Resources" / "x").write_bytes(b"x")

    target = zip_app(app, str(tmp_path))

    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        assert not [n for n in names if "/._" in n], names
        assert {"Shop.app/Info.plist", "Shop.app/Shop", "Shop.app/Frameworks/Kit.framework/Kit"} <= names
        link = archive.getinfo("Shop.app/Current")
        assert stat.S_ISLNK(link.external_attr >> 16) and archive.read(link) == b"Frameworks"
        assert stat.S_IMODE(archive.getinfo("Shop.app/Shop").external_attr >> 16) == 0o755
        assert stat.S_IMODE(archive.getinfo("Shop.app/Info.plist").external_attr >> 16) == 0o644
    assert inspect_build(target.rename(tmp_path / "Shop.zip"), "Shop.zip").target == "simulator"
