"""Plumbing every package shares: credentials from the environment or secret files, the small
HTTP client (with what a response means for delivery) and spreadsheet-safe CSV cells."""

__all__ = [  # the public submodules
    "credentials",
    "http",
    "retry",
    "spreadsheet",
]
