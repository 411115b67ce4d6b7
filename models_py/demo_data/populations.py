"""Small seeded customer populations with a known mix of behaviours, written as a flat
transaction log (customer_id, order_date, amount) with a bring-your-own-data config: for testing
that segment names stay true where the demo's archetypes are missing (no new customers, a
wholesale trade, a grocery where everyone is frequent, nobody lapsing).

A population is a mix of `Behaviour`s; each customer draws one and buys from a first day in its
range at exponential gaps around its mean gap (none: a one-time buyer) until the end of the
window, or until a stop day when the behaviour lapses. Order values are lognormal around the
behaviour's typical value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

__all__ = ["POPULATIONS", "Behaviour", "population_config", "write_population"]

END = date(2025, 12, 31)
DAYS = 720


@dataclass(frozen=True)
class Behaviour:
    """One kind of customer: share of the population, first-order days (0 = the window's start),
    mean days between orders (None: buys once), the day range it stops buying in (None: buys to
    the end) and its typical order value."""

    share: float
    first_days: tuple[int, int]
    mean_gap_days: float | None
    order_value: float
    stop_days: tuple[int, int] | None = None


POPULATIONS: dict[str, tuple[Behaviour, ...]] = {
    # Everyone acquired in the same quarter, about 400 days before the cutoff: nobody is new.
    "single_cohort": (
        Behaviour(0.40, (300, 390), None, 40.0),
        Behaviour(0.30, (300, 390), 30.0, 50.0),
        Behaviour(0.18, (300, 390), 25.0, 60.0, stop_days=(430, 520)),
        Behaviour(0.12, (300, 390), 20.0, 300.0),
    ),
    # Few customers, large orders, most of them frequent.
    "wholesale": (
        Behaviour(0.50, (0, 400), 20.0, 800.0),
        Behaviour(0.15, (0, 300), 10.0, 3000.0),
        Behaviour(0.35, (0, 650), 90.0, 400.0),
    ),
    # Everyone buys every few days.
    "grocery": (
        Behaviour(0.50, (0, 500), 7.0, 40.0),
        Behaviour(0.30, (0, 500), 3.0, 25.0),
        Behaviour(0.20, (0, 500), 7.0, 120.0),
    ),
    # Every customer keeps buying until the end of the window.
    "no_lapsing": (
        Behaviour(0.15, (DAYS - 60, DAYS - 5), 30.0, 50.0),
        Behaviour(0.45, (0, 600), 30.0, 50.0),
        Behaviour(0.20, (0, 600), 8.0, 40.0),
        Behaviour(0.20, (0, 600), 25.0, 250.0),
    ),
}


def _orders(rng: np.random.Generator, behaviour: Behaviour) -> list[tuple[int, float]]:
    day = int(rng.integers(behaviour.first_days[0], behaviour.first_days[1] + 1))
    last = DAYS - 1
    if behaviour.stop_days is not None:
        last = min(last, int(rng.integers(behaviour.stop_days[0], behaviour.stop_days[1] + 1)))
    orders = []
    while day <= last:
        value = behaviour.order_value * float(rng.lognormal(0.0, 0.3))
        orders.append((day, round(value, 2)))
        if behaviour.mean_gap_days is None:
            break
        day += 1 + int(rng.exponential(behaviour.mean_gap_days - 1))
    return orders


def write_population(path: str | Path, name: str, customers: int, seed: int = 0) -> Path:
    """Write population ``name``'s transaction log (CSV with a header) to ``path``."""
    behaviours = POPULATIONS[name]
    shares = np.array([b.share for b in behaviours])
    rng = np.random.default_rng(seed)
    kinds = rng.choice(len(behaviours), size=customers, p=shares / shares.sum())
    start = END - timedelta(days=DAYS - 1)
    lines = ["customer_id,order_date,amount"]
    for number, kind in enumerate(kinds, start=1):
        for day, value in _orders(rng, behaviours[int(kind)]):
            lines.append(f"P{number:05d},{start + timedelta(days=day):%Y-%m-%d},{value:.2f}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def population_config(path: str, horizon_days: int = 90) -> str:
    """A bring-your-own-data config for a log written by `write_population`; k chosen from the
    data."""
    return (
        'date_format: "%Y-%m-%d"\n'
        "tables:\n"
        "  transactions:\n"
        f"    path: {path}\n"
        "    mapping:\n"
        "      customer_id: customer_id\n"
        "      order_ts: order_date\n"
        "      amount: amount\n"
        f"as_of_date: {END:%Y-%m-%d}\n"
        f"horizon_days: {horizon_days}\n"
        "segments:\n"
        "  k: null\n"
    )
