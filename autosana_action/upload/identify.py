"""The build as an input, before any request: find the file ``build-path`` names, read what it is,
and complete ``bundle-id`` and ``platform`` from it. The build's own word is checked against the
inputs: a bundle id or a platform that contradicts the file is an input error, so the wrong app
never gets the build."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ..inputs import InputProblem, InvalidInputs
from ..settings import Settings
from ..trigger.inputs import platform_family
from .inspection import BuildIdentity, BuildRefused, inspect_build, platform_of
from .locate import LocatedBuild, locate

INSPECTED = ("android", "ios")  # a chrome extension's .zip is taken as it is


def prepare_build(settings: Settings, workspace: Path) -> tuple[Settings, LocatedBuild | None]:
    """The settings with bundle-id and platform read from the build when not given, and the
    build. Raises InvalidInputs naming the input and the fix."""
    if not settings.build_path:
        return settings, None
    build = locate(settings.build_path, settings.platform or "", workspace)
    platform = settings.platform or platform_of(build.path) or ""
    if platform_family(platform) not in INSPECTED:
        return settings, build
    try:
        identity = inspect_build(build.path, build.shown)
    except BuildRefused as exc:
        raise InvalidInputs([InputProblem("build-path", exc.problem, exc.fix)]) from None
    problems = _contradictions(settings, identity, build)
    if problems:
        raise InvalidInputs(problems)
    bundle_id = settings.bundle_id or identity.bundle_id
    return settings.model_copy(update={"platform": platform, "bundle_id": bundle_id}), replace(build, identity=identity)


def _contradictions(settings: Settings, identity: BuildIdentity, build: LocatedBuild) -> list[InputProblem]:
    """The platform cannot contradict the file here: locate() took only files of the platform."""
    given, read = settings.bundle_id, identity.bundle_id
    if given and read and given != read:
        return [
            InputProblem(
                "bundle-id",
                f"the build's bundle id is {read}, not {given} (read from {build.shown})",
                f"Set bundle-id to {read} or leave it empty to take it from the build; or upload {given}'s build.",
            )
        ]
    if not given and not read:
        return [
            InputProblem(
                "bundle-id",
                f"is empty, and {build.shown} does not say its bundle id (its AndroidManifest.xml cannot be read)",
                "Set bundle-id to the app's package name.",
            )
        ]
    return []
