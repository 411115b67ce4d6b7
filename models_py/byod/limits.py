"""The sane ranges of money, quantities and order dates. Their defaults are dbt vars in
dbt_project.yml (read here, never restated), so preparing own data and dbt staging quarantine the
same values; a config may override them, and the overrides go on to dbt as vars."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from models_py.settings import project_vars

# dbt var -> the contract columns it bounds (by absolute value).
NUMBER_LIMITS: dict[str, tuple[str, ...]] = {
    "max_unit_price": ("unit_price", "list_price"),
    "max_abs_quantity": ("quantity",),
    "max_abs_amount": ("amount", "discount"),
}
DATE_LIMIT = "min_valid_date"
LIMIT_VARS = (*NUMBER_LIMITS, DATE_LIMIT)
# A line's amount is at most price x quantity + amount; above this, sums of lines could overflow
# DECIMAL(18, 2) (the same cap as macro value_limits).
MAX_LINE_AMOUNT = 10**14


class LimitError(ValueError):
    """A limit that is not a positive number or a real date; the message names the key."""


def is_number(value: Any) -> bool:
    """A real number; booleans (YAML yes/no/true) are not numbers."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def parse_date(value: Any, key: str) -> date:
    """A YYYY-MM-DD text or date as a date, or LimitError naming `key`."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise LimitError(f"{key}: {value!r} is not a real date written YYYY-MM-DD") from None


def format_limit(value: float) -> str:
    """100000000 rather than 1e+08: the number as a reader would write it."""
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class ValueLimits:
    """Bounds of the sane range: numbers by absolute value, order dates from min_valid_date."""

    max_unit_price: float
    max_abs_quantity: float
    max_abs_amount: float
    min_valid_date: date | None

    def bound(self, column: str) -> tuple[str, float] | None:
        """The var and the limit that bound a contract column, if any."""
        for name, columns in NUMBER_LIMITS.items():
            if column in columns:
                return name, getattr(self, name)
        return None


def value_limits(overrides: dict[str, Any] | None = None) -> ValueLimits:
    """The limits of dbt_project.yml with `overrides` (var name -> value) applied, each checked."""
    values = {**{k: project_vars().get(k) for k in LIMIT_VARS}, **(overrides or {})}
    numbers = {}
    for name in NUMBER_LIMITS:
        value = values[name]
        if not is_number(value) or value <= 0:
            raise LimitError(f"{name}: expected a positive number, got {value!r}")
        numbers[name] = float(value)
    line = numbers["max_unit_price"] * numbers["max_abs_quantity"] + numbers["max_abs_amount"]
    if line > MAX_LINE_AMOUNT:
        raise LimitError(
            "max_unit_price x max_abs_quantity + max_abs_amount must stay at most 1e14 (so sums "
            f"of order lines fit DECIMAL(18, 2)), got {line:g}"
        )
    raw_date = values[DATE_LIMIT]
    min_date = None if raw_date in (None, "") else parse_date(raw_date, DATE_LIMIT)
    return ValueLimits(**numbers, min_valid_date=min_date)
