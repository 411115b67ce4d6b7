"""Lines from dbt Python models into dbt's own console and log: warnings, and progress while a
model fits for minutes (print() from a Python model would not reach the dbt console)."""

from __future__ import annotations

from collections.abc import Callable


def dbt_line(model_name: str, message: str, level: str = "info") -> None:
    """Show ``model_name: message`` in the dbt console at ``level`` ('info' or 'warn')."""
    try:
        from dbt_common.events.base_types import EventLevel
        from dbt_common.events.functions import fire_event
        from dbt_common.events.types import Note
    except ImportError:  # outside dbt (a plain Python run): standard output will do
        print(f"{level.upper()} {model_name}: {message}")
        return
    event_level = EventLevel.WARN if level == "warn" else EventLevel.INFO
    fire_event(Note(msg=f"{model_name}: {message}"), level=event_level)


def dbt_progress(model_name: str) -> Callable[[str], None]:
    """A progress callback for the fitting functions that prints through ``dbt_line``."""
    return lambda message: dbt_line(model_name, message, "info")
