"""Check the configured cutoff (`as_of_date`) against the prepared orders before anything is
replaced: a cutoff before the first order leaves no customer with a history to describe."""

from __future__ import annotations

import pandas as pd

from models_py.byod.config import ByodError


def order_date_range(orders: pd.DataFrame) -> tuple[str, str] | None:
    """First and last order date (YYYY-MM-DD) of the prepared orders, None without any."""
    dates = orders["order_ts"].dropna().astype(str).str[:10]
    if dates.empty:
        return None
    return dates.min(), dates.max()


def check_cutoff(as_of_date: str | None, orders: pd.DataFrame) -> None:
    """Raise ByodError when `as_of_date` is not a date or is before every order."""
    if as_of_date is None:
        return
    try:
        cutoff = pd.Timestamp(as_of_date).strftime("%Y-%m-%d")
    except ValueError as error:
        raise ByodError(f"as_of_date: {as_of_date!r} is not a date (YYYY-MM-DD)") from error
    span = order_date_range(orders)
    if span is not None and cutoff < span[0]:
        raise ByodError(
            f"as_of_date {cutoff} is before the first order: the orders run from {span[0]} to "
            f"{span[1]}, so no customer has any history at the cutoff. Set as_of_date within "
            "that range, or leave it out to use the last order date"
        )
