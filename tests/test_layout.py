"""The house rules of the package's layout, checked on its source: small modules and functions,
imports that point one way, and the simulator outside the action (and its image)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "autosana_action"
MAX_MODULE_LINES = 350
MAX_FUNCTION_LINES = 80


def modules(package: Path = PACKAGE) -> list[Path]:
    return sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)


def imported(path: Path) -> set[str]:
    """Absolute names of what a module imports, at any depth (lazy imports count too)."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    here = parts[:-1]  # the package a relative import starts from, for __init__ too
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(here[: len(here) - node.level + 1]) if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names.add(module)
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_no_module_or_function_is_too_big() -> None:
    too_big = [
        f"{p.relative_to(ROOT)}: {n} lines"
        for p in [*modules(), *modules(ROOT / "autosana_sim")]
        if (n := len(p.read_text().splitlines())) > MAX_MODULE_LINES
    ]
    long_functions = [
        f"{p.relative_to(ROOT)}:{node.name} {node.end_lineno - node.lineno + 1} lines"
        for p in [*modules(), *modules(ROOT / "autosana_sim")]
        for node in ast.walk(ast.parse(p.read_text()))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert not too_big and not long_functions, too_big + long_functions


def test_the_stages_never_import_the_orchestrator() -> None:
    callers = [
        str(p.relative_to(ROOT))
        for p in modules()
        if p.name not in ("action.py", "cli.py") and any(n.startswith("autosana_action.action") for n in imported(p))
    ]
    assert callers == []


def test_the_report_never_imports_github() -> None:
    report = [p for p in modules() if p.parent.name == "report"]
    assert report
    offenders = [
        str(p.relative_to(ROOT)) for p in report if any(n.startswith("autosana_action.github") for n in imported(p))
    ]
    assert offenders == []


def test_the_action_does_not_need_the_simulator() -> None:
    """Only the CLI's demo and simulator commands reach for it, lazily; the image leaves it out."""
    users = [str(p.relative_to(ROOT)) for p in modules() if any(n.startswith("autosana_sim") for n in imported(p))]
    assert users == ["autosana_action/cli.py"]
    assert not any("HTTPServer" in p.read_text() or "BaseHTTPRequestHandler" in p.read_text() for p in modules())
    dockerignore = (ROOT / ".dockerignore").read_text().split()
    assert "*" in dockerignore and "!autosana_sim/" not in dockerignore
    assert "COPY autosana_sim" not in (ROOT / "Dockerfile").read_text()


def test_no_stage_folder_is_named_like_build_output() -> None:
    """GitHub's Python .gitignore ignores build/ at any depth."""
    assert not [p for p in PACKAGE.rglob("build") if p.is_dir()]
