"""The tests' own shape: what they share lives in tests/support/, so no file of the suite imports
a conftest (its fixtures come by pytest's injection) or a test module."""
from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def forbidden(name: str | None) -> bool:
    return any(part == "conftest" or part.startswith("test_") for part in (name or "").split("."))


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, what) of every import of a conftest or a test module in the file, wherever it stands."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if forbidden(alias.name)]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            if forbidden(node.module):
                found.append((node.lineno, module))
            found += [(node.lineno, f"{module} import {alias.name}") for alias in node.names
                      if forbidden(alias.name) and (node.level or forbidden(node.module))]
    return found


def test_the_rule_sees_every_kind_of_forbidden_import(tmp_path):
    sample = tmp_path / "test_sample.py"
    sample.write_text("import conftest\nfrom conftest import PASSWORD\nfrom test_portal import Team\n"
                      "from .conftest import ARTIFACTS\nfrom . import test_crash\nfrom browser.test_sop import x\n"
                      "def f():\n    from test_screens import sign_in\n"
                      "from support.people import sign_in\nfrom app.core import users\nimport pytest\n")
    assert [line for line, _ in imports_of(sample)] == [1, 2, 3, 4, 5, 6, 8]


def test_no_file_of_the_suite_imports_a_conftest_or_a_test_module():
    files = sorted(TESTS.rglob("*.py"))
    assert len([f for f in files if f.name.startswith("test_")]) > 50  # the walk found the suite
    offences = [f"{path.relative_to(TESTS)}:{line}: {what}" for path in files for line, what in imports_of(path)]
    assert offences == [], "import it from tests/support/ instead:\n" + "\n".join(offences)
