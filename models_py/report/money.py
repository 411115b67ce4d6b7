"""Money and count formatting in the currency of the build (report_context.currency).

INR keeps the Indian look: ₹, lakh/crore digit grouping (₹1,85,96,04,101) and L/Cr units.
Any other ISO 4217 code gets its symbol where it is unambiguous (£, $, €, ¥) or the code itself,
Western thousands grouping (1,234,567) and M/B units.

One convention for every amount on the page (headline cards, tables, captions and chart axes):
from a lakh (INR) or a million (other currencies) up, amounts are written in those units
(₹14.66 Cr, £1.23M) with the exact amount as a tooltip; smaller amounts are written exactly
(₹45,230). Chart axes use the same units, plus k / K for thousands where ticks are short."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import pandas as pd

DEFAULT_CURRENCY = "INR"
SYMBOLS = {"INR": "\u20b9", "GBP": "\u00a3", "USD": "$", "EUR": "\u20ac", "JPY": "\u00a5"}
MISSING = "\u2013"  # en dash for a missing value
# (size, suffix) of the compact units, largest first.
INDIAN_UNITS: tuple[tuple[float, str], ...] = ((1e7, " Cr"), (1e5, " L"))
WESTERN_UNITS: tuple[tuple[float, str], ...] = ((1e9, "B"), (1e6, "M"))


def is_missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def indian_grouping(integer: int) -> str:
    """12345678 -> '1,23,45,678' (lakh/crore grouping)."""
    sign, digits = ("-", str(-integer)) if integer < 0 else ("", str(integer))
    if len(digits) <= 3:
        return sign + digits
    head, tail = digits[:-3], digits[-3:]
    groups = []
    while len(head) > 2:
        groups.insert(0, head[-2:])
        head = head[:-2]
    if head:
        groups.insert(0, head)
    return sign + ",".join([*groups, tail])


def western_grouping(integer: int) -> str:
    """12345678 -> '12,345,678' (thousands grouping)."""
    return f"{integer:,d}"


@dataclass(frozen=True)
class Currency:
    """How the report writes money (and counts) for one ISO 4217 currency code."""

    code: str = DEFAULT_CURRENCY

    def __post_init__(self) -> None:
        code = str(self.code).strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", code):
            raise ValueError(
                f"report_context.currency must be a three-letter ISO 4217 code such as INR, GBP, "
                f"USD or EUR, got {self.code!r}"
            )
        object.__setattr__(self, "code", code)

    @property
    def indian(self) -> bool:
        """Indian rupees: lakh/crore grouping and axis units."""
        return self.code == "INR"

    @property
    def symbol(self) -> str:
        """The well-known symbol, or the code itself (CHF, AUD, ...)."""
        return SYMBOLS.get(self.code, self.code)

    @property
    def noun(self) -> str:
        """The currency in running text: 'net revenue in rupees' / 'in GBP'."""
        return "rupees" if self.indian else self.code

    @property
    def _prefix(self) -> str:
        return self.symbol if self.code in SYMBOLS else f"{self.code}\u00a0"

    def group(self, integer: int) -> str:
        return indian_grouping(integer) if self.indian else western_grouping(integer)

    def count(self, value: object) -> str:
        """A whole number with the currency's digit grouping (counts follow the money's style)."""
        return MISSING if is_missing(value) else self.group(round(float(value)))  # type: ignore[arg-type]

    def amount(self, value: object, decimals: int = 0) -> str:
        """₹1,23,456 / £123,456 / CHF 123,456 (sign before the symbol)."""
        if is_missing(value):
            return MISSING
        number = float(value)  # type: ignore[arg-type]
        sign = "-" if number < 0 else ""
        magnitude = abs(number)
        if decimals:
            whole = self.group(int(magnitude))
            fraction = f"{magnitude % 1:.{decimals}f}"[1:]
            return f"{sign}{self._prefix}{whole}{fraction}"
        return f"{sign}{self._prefix}{self.group(round(magnitude))}"

    def units(self, axis: bool = False) -> tuple[tuple[float, str], ...]:
        """Compact units, largest first; chart axes also use thousands (k for INR, K otherwise)."""
        big = INDIAN_UNITS if self.indian else WESTERN_UNITS
        return (*big, (1e3, "k" if self.indian else "K")) if axis else big

    def compact(self, value: object, decimals: int = 2) -> str:
        """₹14.66 Cr / ₹86.48 L / £1.23M; below a lakh (a million) the exact amount: ₹45,230."""
        if is_missing(value):
            return MISSING
        number = float(value)  # type: ignore[arg-type]
        magnitude = abs(number)
        for size, suffix in self.units():
            if magnitude >= size:
                sign = "-" if number < 0 else ""
                return f"{sign}{self._prefix}{magnitude / size:.{decimals}f}{suffix}"
        return self.amount(number)

    def display(self, value: object) -> str:
        """HTML for an amount on the page: the compact form, the exact amount in its tooltip."""
        short, exact = self.compact(value), self.amount(value)
        if short == exact:
            return short
        return f'<span class="money" title="{exact}">{short}</span>'

    def axis(self, value: float, _pos: object = None) -> str:
        """Axis tick label: ₹ with k / L (lakh) / Cr (crore) for INR; K / M / B otherwise."""
        magnitude = abs(value)
        sign = "-" if value < 0 else ""
        for size, suffix in self.units(axis=True):
            if magnitude >= size:
                decimals = 0 if size < 1e5 else 1
                return f"{sign}{self._prefix}{magnitude / size:.{decimals}f}{suffix}"
        return f"{sign}{self._prefix}{magnitude:.0f}"
