"""One home for persistence (issue 19): SQL is written only under ``sinks/store/``.

Scans the source of the product packages for string literals (f-strings included; docstrings
and comments are prose and left out) that hold an SQL statement — ``SELECT``, ``INSERT INTO``,
``UPDATE ... SET``, ``DELETE FROM``, ``CREATE``/``ALTER``/``DROP TABLE``/``INDEX`` — and fails
naming the file and line of each one outside ``sinks/store/``. ``sinks/store`` itself must not
import ``webcare`` (it is a stage package below the app).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("schemas", "ingest", "classify", "route", "sinks", "bus", "webcare")
HOME = ROOT / "sinks" / "store"
# Files allowed to keep SQL outside the home, with the reason. Empty: none needs it.
EXCEPTIONS: dict[str, str] = {}

_UPPER = re.compile(
    r"\bSELECT\s+(?:DISTINCT\s+)?[\w*('\"]"
    r"|\bINSERT\s+(?:OR\s+\w+\s+)?INTO\s+\w"
    r"|\bUPDATE\s+\w+\s+SET\b"
    r"|\bDELETE\s+FROM\s+\w"
    r"|\b(?:CREATE|ALTER|DROP)\s+(?:UNIQUE\s+)?(?:TABLE|INDEX|VIEW|TRIGGER|SCHEMA)\b")
_ANY_CASE = re.compile(
    r"\binsert\s+into\s+\w+\s*\(|\bdelete\s+from\s+\w+\s+where\b"
    r"|\bcreate\s+(?:table|index)\s+(?:if\s+not\s+exists\s+)?\w", re.IGNORECASE)


def is_sql(text: str) -> bool:
    return bool(_UPPER.search(text) or _ANY_CASE.search(text))


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the docstring nodes (module, class and function docstrings)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                found.add(id(body[0].value))
    return found


def sql_literals(source: str) -> list[tuple[int, str]]:
    """(line, text) of every string literal in ``source`` that holds an SQL statement."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    inside_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
                       for part in node.values}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(p.value if isinstance(p, ast.Constant) else "_" for p in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in skip and id(node) not in inside_fstrings:
            text = node.value
        else:
            continue
        if is_sql(text):
            out.append((node.lineno, " ".join(text.split())[:80]))
    return out


def _product_files() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def test_the_scanner_sees_sql_and_ignores_prose():
    code = '''
"""Module prose: every SELECT ... FROM here is a description, UPDATE x SET y too."""
A = "SELECT post_id FROM posts WHERE post_id = ?"
B = f"DELETE FROM {table} WHERE post_id IN {marks}"
C = ("UPDATE queue_items SET status = ? "
     "WHERE post_id = ?")
D = "CREATE TABLE IF NOT EXISTS t (a TEXT)"
E = "insert into posts (a) values (?)"
F = "Select the channel from the list"
G = "the update is set for tonight; delete from the menu"
def f():
    """One conditional ``UPDATE claims SET owner`` decides."""
'''
    assert [line for line, _ in sql_literals(code)] == [3, 4, 5, 7, 8]


@pytest.mark.slow
def test_sql_lives_only_in_sinks_store():
    assert _product_files(), "no product source found"
    stray = []
    for path in _product_files():
        relative = path.relative_to(ROOT).as_posix()
        if path.is_relative_to(HOME) or relative in EXCEPTIONS:
            continue
        stray += [f"{relative}:{line}: {text}"
                  for line, text in sql_literals(path.read_text(encoding="utf-8"))]
    assert not stray, "SQL outside sinks/store/ (move it there):\n" + "\n".join(stray)


def test_ingest_has_no_sql_at_all():
    found = [f"{p.relative_to(ROOT)}:{line}" for p in sorted((ROOT / "ingest").rglob("*.py"))
             for line, _ in sql_literals(p.read_text(encoding="utf-8"))]
    assert found == []


def test_the_exceptions_are_still_needed():
    """An exception whose file no longer holds SQL is dropped from the list."""
    for relative, reason in EXCEPTIONS.items():
        assert reason
        assert sql_literals((ROOT / relative).read_text(encoding="utf-8")), relative


def test_sinks_store_does_not_import_webcare():
    bad = []
    for path in sorted(HOME.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            bad += [f"{path.relative_to(ROOT)}:{node.lineno}: {n}" for n in names
                    if n == "webcare" or n.startswith("webcare.")]
    assert not bad, "sinks/store imports the app:\n" + "\n".join(bad)
