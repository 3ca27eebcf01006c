"""Errors the tests inject where a real OS would raise them."""

from __future__ import annotations


def windows_busy(winerror: int = 32) -> PermissionError:
    """What os.replace raises on Windows while another process has the target open
    (ERROR_SHARING_VIOLATION 32), or what opening a delete-pending file raises
    (ERROR_ACCESS_DENIED 5)."""
    error = PermissionError(13, "The process cannot access the file")
    error.winerror = winerror  # type: ignore[attr-defined]
    return error
