"""SpiffWorkflow stays behind one door: only app/engine imports it."""
from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).parent.parent / "app"


def spiff_importers() -> set[str]:
    found = set()
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            if any(name.split(".")[0] == "SpiffWorkflow" for name in names):
                found.add(path.relative_to(APP).as_posix())
    return found


def test_only_the_engine_imports_spiffworkflow():
    importers = spiff_importers()
    assert importers, "the engine itself must import SpiffWorkflow"
    assert all(path.startswith("engine/") for path in importers), importers


def test_no_eval_or_exec_anywhere_in_the_app():
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in {"eval", "exec"}, f"{path}: {node.func.id}"
