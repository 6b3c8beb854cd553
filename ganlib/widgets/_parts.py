"""What the widgets share: CSS hooks for the browser tests, and the status line's error format."""

from __future__ import annotations


def _css_hooks(parts: dict) -> None:
    """Give each widget the CSS class ``ganlib-<name>`` (``_`` written as ``-``): stable handles for the
    browser tests; nothing else depends on them."""
    for name, widget in parts.items():
        widget.add_class("ganlib-" + name.replace("_", "-"))


def _error_line(what: str, error: Exception) -> str:
    return f"<span style='color:#b00'>{what}: {type(error).__name__}: {error}</span>"
