"""CSV cells a spreadsheet will not run: shared by every CSV export (``webcare report``, the
knowledge base export)."""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@")


def spreadsheet_safe(value):
    """Spreadsheet-safe: text starting with = + - @ is prefixed so it is not a formula."""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value
