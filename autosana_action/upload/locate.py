"""Find the build file ``build-path`` names, before any request: a path or a glob relative to the
workspace that must match exactly one file of a kind the platform accepts."""

from __future__ import annotations

import glob
from dataclasses import dataclass
from pathlib import Path

from ..inputs import InputProblem, InvalidInputs
from ..trigger.inputs import platform_family as family
from .inputs import FIXES
from .inspection import BuildIdentity, platform_of

RUNS_ON = {"emulator": "an Android emulator", "simulator": "the iOS Simulator", "device": "a real iPhone"}

GLOB_CHARS = frozenset("*?[")
MAX_LISTED = 10


# .aab is found here so that inspection can refuse it with the way to a universal .apk.
ACCEPTED = {
    "android": (".apk", ".aab"),
    "ios": (".ipa", ".zip", ".app"),
    "chrome-extension": (".zip",),
    "": (".apk", ".aab", ".ipa", ".zip", ".app"),  # no platform given: the file says which
}
WHAT = {
    "android": "an .apk",
    "ios": "an .ipa (real device), a zipped .app or an .app directory (simulator)",
    "chrome-extension": "a .zip of the unpacked extension",
    "": "an .apk (android), or an .ipa, a zipped .app or an .app directory (ios)",
}


@dataclass(frozen=True)
class LocatedBuild:
    path: Path
    shown: str  # as the user would recognise it: relative to the workspace when inside it
    is_app_directory: bool
    identity: BuildIdentity | None = None  # what the file says it is, once inspected

    @property
    def runs_on(self) -> str | None:
        return RUNS_ON.get(self.identity.target) if self.identity else None

    @property
    def is_ipa(self) -> bool:
        return self.path.suffix.lower() == ".ipa"


def _problem(text: str) -> InvalidInputs:
    return InvalidInputs([InputProblem("build-path", text, FIXES["build-path"])])


def locate(build_path: str, platform: str, workspace: Path) -> LocatedBuild:
    kind = family(platform)
    if kind not in ACCEPTED:
        raise _problem(f"platform {platform} takes no build file")
    if GLOB_CHARS & set(build_path):
        matches = _glob(build_path, workspace)
        if len(matches) != 1:
            listed = ", ".join(_shown(m, workspace) for m in matches[:MAX_LISTED])
            more = f" and {len(matches) - MAX_LISTED} more" if len(matches) > MAX_LISTED else ""
            found = f"matches {len(matches)} files: {listed}{more}" if matches else "matches no file"
            raise _problem(f"the pattern {build_path!r} {found}; it must match exactly one")
        path = matches[0]
    else:
        path = Path(build_path) if Path(build_path).is_absolute() else workspace / build_path
        if not path.exists():
            raise _problem(f"{build_path!r} does not exist in the workspace ({workspace})")
    shown = _shown(path, workspace)
    suffix = path.suffix.lower()
    if suffix not in ACCEPTED[kind]:
        raise _problem(f"{shown!r} is not {WHAT[kind]}, {_needs(platform, suffix)}")
    if suffix == ".app":
        if not path.is_dir():
            raise _problem(f"{shown!r} is not an .app directory")
        if not any(p.is_file() for p in path.rglob("*")):
            raise _problem(f"the app bundle {shown!r} is empty")
        return LocatedBuild(path, shown, is_app_directory=True)
    if not path.is_file():
        raise _problem(f"{shown!r} is not a file")
    if path.stat().st_size == 0:
        raise _problem(f"{shown!r} is empty (0 bytes): did the build step fail")
    try:
        with path.open("rb"):
            pass
    except OSError as exc:
        raise _problem(f"{shown!r} cannot be read ({exc.strerror})") from None
    return LocatedBuild(path, shown, is_app_directory=False)


def _needs(platform: str, suffix: str) -> str:
    if not platform:
        return "a build Autosana runs"
    other = platform_of(Path(f"x{suffix}"))
    if other and other != family(platform):
        return (
            f"which platform {platform} needs: it is an {other} build (set platform to {other}, or leave platform "
            "empty to take it from the build)"
        )
    return f"which platform {platform} needs"


def _glob(pattern: str, workspace: Path) -> list[Path]:
    if Path(pattern).is_absolute():
        found = [Path(p) for p in glob.glob(pattern, recursive=True)]
    else:
        found = [workspace / p for p in glob.glob(pattern, root_dir=workspace, recursive=True)]
    # An .app bundle is a directory; anything else matched must be a file.
    return sorted(p for p in found if p.is_file() or p.suffix.lower() == ".app")


def _shown(path: Path, workspace: Path) -> str:
    try:
        return str(path.relative_to(workspace))
    except ValueError:
        return str(path)
