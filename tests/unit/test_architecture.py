"""The shape of the code: import contracts (import-linter, pyproject.toml) and sizes."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "elearn"
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
MAX_VIEW_LINES = 40
ROUTE_DECORATORS = {"route", "get", "post", "put", "delete", "patch"}


def _modules() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if "migrations" not in p.parts]


def _is_view(node: ast.FunctionDef) -> bool:
    return any(isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute)
               and d.func.attr in ROUTE_DECORATORS for d in node.decorator_list)


def test_the_import_contracts_hold():
    lint = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_over_400_lines(path):
    assert path.read_text().count("\n") <= MAX_MODULE_LINES


def test_no_function_is_over_60_lines_and_no_view_over_40():
    too_long = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                limit = MAX_VIEW_LINES if _is_view(node) else MAX_FUNCTION_LINES
                if lines > limit:
                    too_long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} "
                                    f"{lines} lines (at most {limit})")
    assert too_long == []
