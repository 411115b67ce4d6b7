"""The shopping calendar: how busy each day is (weekends, Diwali, year end) and sampling of order
days from it for many customers at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

EPOCH = dt.date(1970, 1, 1)

# Lakshmi Puja (main Diwali day) by year; other years fall back to 1 November.
DIWALI = {
    2020: dt.date(2020, 11, 14),
    2021: dt.date(2021, 11, 4),
    2022: dt.date(2022, 10, 24),
    2023: dt.date(2023, 11, 12),
    2024: dt.date(2024, 11, 1),
    2025: dt.date(2025, 10, 21),
    2026: dt.date(2026, 11, 8),
    2027: dt.date(2027, 10, 29),
    2028: dt.date(2028, 10, 17),
    2029: dt.date(2029, 11, 5),
    2030: dt.date(2030, 10, 26),
}


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01 (the integer form of dates used throughout the generator)."""
    return (day - EPOCH).days


def day_weights(first_day: int, last_day: int) -> np.ndarray:
    """Relative order volume of every day from first_day to last_day (inclusive)."""
    days = np.arange(first_day, last_day + 1)
    weekday = (days + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
    weekly = np.select([weekday >= 5, weekday == 4], [1.4, 1.1], 1.0)
    boost = np.zeros(days.shape, dtype=float)
    first_year = (EPOCH + dt.timedelta(days=int(first_day))).year
    last_year = (EPOCH + dt.timedelta(days=int(last_day))).year
    for year in range(first_year - 1, last_year + 2):
        diwali = day_number(DIWALI.get(year, dt.date(year, 11, 1)))
        boost += 1.4 * np.exp(-0.5 * ((days - (diwali - 4)) / 10.0) ** 2)
        year_end = day_number(dt.date(year, 12, 24))
        boost += 1.0 * np.exp(-0.5 * ((days - year_end) / 7.0) ** 2)
    trend = 1.0 + 0.3 * (days - first_day) / 365.25  # the mall grows about 30% a year
    return weekly * trend * (1.0 + boost)


def is_festive(days: np.ndarray, first_day: int, weights: np.ndarray) -> np.ndarray:
    """True on days whose weight is well above a normal weekend (festive weeks)."""
    return weights[days - first_day] > 1.9


def sample_days(
    rng: np.random.Generator,
    weights: np.ndarray,
    first_day: int,
    window_start: np.ndarray,
    window_end: np.ndarray,
    quantile: np.ndarray | None = None,
) -> np.ndarray:
    """One day per row, between window_start and window_end (inclusive), drawn in proportion to the
    calendar weights (inverse CDF restricted to each row's window). `quantile` (in [0, 1)) places
    the row within its window's demand; uniform random if not given."""
    cdf = np.concatenate([[0.0], np.cumsum(weights)])
    lo = cdf[window_start - first_day]
    hi = cdf[window_end - first_day + 1]
    if quantile is None:
        quantile = rng.random(len(lo))
    u = lo + quantile * (hi - lo)
    idx = np.searchsorted(cdf, u, side="right") - 1
    return first_day + np.clip(idx, window_start - first_day, window_end - first_day)


@dataclass(frozen=True)
class Season:
    """An optional yearly cycle and trend in how much customers buy (off by default).

    ``amplitude`` (0 to <1): purchase rates swing by +/- that share around the year, peaking in
    the middle of ``peak_month``; ``trend``: purchase rates grow by that share a year (negative:
    shrink). Unlike the calendar's day weights, which only place a customer's orders in time,
    these change how many orders customers place, so a window's total follows the season.
    """

    amplitude: float = 0.0
    trend: float = 0.0
    peak_month: int = 11

    def __post_init__(self) -> None:
        if not 0.0 <= self.amplitude < 1.0:
            raise ValueError(f"seasonality must be in [0, 1), got {self.amplitude}")
        if not self.trend > -1.0:
            raise ValueError(f"trend must be above -1 (a share a year), got {self.trend}")
        if not 1 <= self.peak_month <= 12:
            raise ValueError(f"peak month must be 1-12, got {self.peak_month}")

    @property
    def is_flat(self) -> bool:
        return self.amplitude == 0.0 and self.trend == 0.0

    def rate_factor(self, first_day: int, last_day: int) -> np.ndarray:
        """Purchase-rate multiplier of every day from first_day to last_day (inclusive)."""
        days = np.arange(first_day, last_day + 1)
        dates = days.astype("datetime64[D]")  # day numbers count from 1970-01-01, as numpy's
        day_of_year = (dates - dates.astype("datetime64[Y]").astype("datetime64[D]")).astype(float)
        peak = dt.date(2001, self.peak_month, 15).timetuple().tm_yday - 1
        cycle = 1.0 + self.amplitude * np.cos(2 * np.pi * (day_of_year - peak) / 365.25)
        growth = (1.0 + self.trend) ** ((days - first_day) / 365.25)
        return cycle * growth
