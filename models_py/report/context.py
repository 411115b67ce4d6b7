"""The report's context: currency, highlighted months, cutoff and horizon of the served build,
read from the one-row `report_context` table (defaults: INR, Oct-Dec, horizon 90 days)."""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

import duckdb
import pandas as pd

from models_py.report.money import Currency, is_missing

CONTEXT_TABLE = "report_context"
DEFAULT_FESTIVE_MONTHS: tuple[int, ...] = (10, 11, 12)
DEFAULT_HORIZON_DAYS = 90


def parse_festive_months(value: object) -> tuple[int, ...]:
    """'10,11,12' -> (10, 11, 12); empty text or null -> () (no month highlighted)."""
    if is_missing(value):
        return ()
    parts = [p.strip() for p in str(value).strip("[] ").split(",") if p.strip()]
    if not all(re.fullmatch(r"\d{1,2}", p) and 1 <= int(p) <= 12 for p in parts):
        raise ValueError(
            f"{CONTEXT_TABLE}.festive_months must list months 1-12 separated by commas, "
            f"got {value!r}"
        )
    return tuple(sorted({int(p) for p in parts}))


def month_names(months: tuple[int, ...]) -> str:
    return ", ".join(calendar.month_abbr[m] for m in months)


@dataclass(frozen=True)
class ReportContext:
    currency: Currency = field(default_factory=Currency)
    festive_months: tuple[int, ...] = DEFAULT_FESTIVE_MONTHS
    horizon_days: int = DEFAULT_HORIZON_DAYS
    as_of_date: date | None = None
    # segment_id -> link to the segment's CSV export, relative to the report page
    segment_exports: Mapping[int, str] = field(default_factory=dict)

    @property
    def indian_festive_season(self) -> bool:
        """Diwali / year-end wording only for INR data with the default Oct-Dec months."""
        return self.currency.indian and self.festive_months == DEFAULT_FESTIVE_MONTHS

    @property
    def highlight_label(self) -> str | None:
        """Legend of the highlighted bars; None when no month is highlighted."""
        if not self.festive_months:
            return None
        if self.indian_festive_season:
            return "festive season (Oct-Dec)"
        return f"highlighted months (festive_months var: {month_names(self.festive_months)})"

    @property
    def highlight_note(self) -> str:
        """A sentence for the chart's caption ('' when no month is highlighted)."""
        if not self.festive_months:
            return ""
        if self.indian_festive_season:
            return "Festive months (Diwali in Oct/Nov, year-end in Dec) are highlighted."
        return (
            "Highlighted months (festive_months var: "
            f"{', '.join(str(m) for m in self.festive_months)}): "
            f"{month_names(self.festive_months)}."
        )

    @property
    def monthly_revenue_intro(self) -> str:
        if not self.festive_months:
            return "Net revenue per calendar month."
        if self.indian_festive_season:
            return "Net revenue per calendar month, with the festive season highlighted."
        return (
            "Net revenue per calendar month, with the months of the festive_months var highlighted."
        )


def read_context(
    con: duckdb.DuckDBPyConnection, tables: set[str], fallback_horizon: int = DEFAULT_HORIZON_DAYS
) -> ReportContext:
    """The served file's report_context row, or the defaults (INR, Oct-Dec) when it is absent."""
    if CONTEXT_TABLE not in tables:
        return ReportContext(horizon_days=fallback_horizon)
    frame = con.execute(f"select * from {CONTEXT_TABLE}").df()
    if len(frame) != 1:
        raise ValueError(f"{CONTEXT_TABLE} must hold exactly one row, found {len(frame)}")
    row = frame.iloc[0]
    horizon = row.get("horizon_days")
    as_of = row.get("as_of_date")
    return ReportContext(
        currency=Currency(code=row["currency"] if not is_missing(row.get("currency")) else "INR"),
        festive_months=parse_festive_months(row.get("festive_months", "10,11,12")),
        horizon_days=fallback_horizon if is_missing(horizon) else int(horizon),
        as_of_date=None if is_missing(as_of) else pd.Timestamp(as_of).date(),
    )
