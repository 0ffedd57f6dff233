"""``webcare.app.service`` calls ``webcare.app.replies`` to send; replies never imports the
service back (no module cycle: a send already in progress is ``replies.AlreadySending``, which
the service turns into its ``Conflict``)."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "webcare" / "app"


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_replies_does_not_import_the_service():
    assert not {m for m in _imports(APP / "replies.py") if m.startswith("webcare.app.service")}


def test_the_service_imports_replies_at_module_level():
    tree = ast.parse((APP / "service.py").read_text(encoding="utf-8"))
    top = {node.module for node in tree.body if isinstance(node, ast.ImportFrom)}
    assert "webcare.app.replies" in top
