"""Plumbing every package shares: credentials from the environment or secret files, the small
HTTP client (with what a response means for delivery), the retry policy, spreadsheet-safe CSV
cells and the validators of named component lists."""

__all__ = [  # the public submodules
    "config_lists",
    "credentials",
    "http",
    "retry",
    "spreadsheet",
]
