"""Errors the tests inject where a real OS would raise them."""

from __future__ import annotations


def windows_busy() -> PermissionError:
    """What os.replace raises on Windows while another process has the target open."""
    error = PermissionError(13, "The process cannot access the file")
    error.winerror = 32  # type: ignore[attr-defined]  # ERROR_SHARING_VIOLATION
    return error
