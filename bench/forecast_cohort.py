"""The forecast harness's bare-log case: one acquisition cohort, no attributes, own-data path.

A bare transaction log (customer, date, quantity, amount; the shape and config of
``models_py.byod.samples``' transaction log), for the held-out case of a stationary purchase log
without customer or product attributes: every customer's first order falls in the first
``cohort_days`` of about 15 months of history, purchase rates are heterogeneous (gamma), buyers
drop out after a purchase (beta-distributed chance, the first purchase included), some buy at
regular intervals rather than at random, order values are very skewed (lognormal per customer)
and a mild holiday bump raises everyone's rate in November-December.

The log up to E and the log up to T = E - horizon are each prepared by the own-data path
(``models_py.byod.prepare``) for dbt. Because the process is known, so is each customer's
expected spend and purchase probability in (T, E] given their true state at T (rate, regularity,
dropout chance, order value, alive or not, time since the last purchase): the
``true_expectation`` row of the results, a floor no model of the observed history can reach.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import yaml
from scipy.special import gammainc, gammaincinv

from models_py.byod import dbt_vars, load_config, prepare
from models_py.byod.samples import TRANSACTION_LOG_CONFIG

TRUTH_FILE = "true_expectations.parquet"
TRUE_EXPECTATION = "true_expectation"
LOG_FILE = "transactions.txt"


@dataclass(frozen=True)
class CohortLog:
    """The generating process (time unit: days)."""

    history_days: int = 456  # about 15 months up to the end date
    cohort_days: int = 90  # every first order in the first ~3 months
    rate_shape: float = 0.5  # purchase rate ~ Gamma(rate_shape, mean rate_mean)
    rate_mean: float = 1 / 80
    dropout_a: float = 0.7  # chance to stop after a purchase ~ Beta(a, b)
    dropout_b: float = 2.5
    regular_share: float = 0.4  # customers whose gaps are Gamma(regular_shape): more regular
    regular_shape: float = 3.0
    value_median: float = 35.0  # a customer's mean order value ~ lognormal(log median, sigma)
    value_sigma: float = 0.9
    order_shape: float = 4.0  # one order's value ~ Gamma(order_shape) around the customer's mean
    holiday_lift: float = 0.5  # rate multiplier 1 + lift at the bump's peak
    holiday_peak: tuple[int, int] = (12, 10)  # month, day
    holiday_width_days: float = 15.0
    truth_draws: int = 256  # Monte Carlo continuations per customer for the true expectation


@dataclass
class _Customers:
    rate: np.ndarray
    gap_shape: np.ndarray
    dropout: np.ndarray
    order_value: np.ndarray
    first_op: np.ndarray


class _Clock:
    """Calendar days and operational time: the holiday bump speeds every purchase process up."""

    def __init__(self, process: CohortLog, start: dt.date, days: int):
        dates = pd.date_range(start, periods=days, freq="D")
        weight = np.ones(days)
        for year in range(start.year, dates[-1].year + 2):
            peak = pd.Timestamp(year, *process.holiday_peak)
            offset = (dates - peak).days.to_numpy(float)
            weight += process.holiday_lift * np.exp(
                -0.5 * (offset / process.holiday_width_days) ** 2
            )
        self.start = start
        self.cumulative = np.concatenate([[0.0], np.cumsum(weight)])

    def op_time(self, day: int | np.ndarray) -> np.ndarray:
        """Operational time at the end of calendar day ``day`` (0 = the start date)."""
        return self.cumulative[np.asarray(day) + 1]

    def day(self, op: np.ndarray) -> np.ndarray:
        return np.searchsorted(self.cumulative, op, side="left") - 1


def _draw_customers(rng: np.random.Generator, process: CohortLog, n: int, clock) -> _Customers:
    rate = rng.gamma(process.rate_shape, process.rate_mean / process.rate_shape, n)
    regular = rng.random(n) < process.regular_share
    first_day = rng.integers(0, process.cohort_days, n)
    return _Customers(
        rate=np.maximum(rate, 1e-6),
        gap_shape=np.where(regular, process.regular_shape, 1.0),
        dropout=rng.beta(process.dropout_a, process.dropout_b, n),
        order_value=process.value_median * rng.lognormal(0.0, process.value_sigma, n),
        first_op=clock.op_time(first_day) - 0.5,
    )


def _gaps(rng: np.random.Generator, c: _Customers, idx: np.ndarray) -> np.ndarray:
    shape = c.gap_shape[idx]
    return rng.gamma(shape, 1.0 / (shape * c.rate[idx]))


def _run(rng, c: _Customers, idx, next_op, alive, stop_op) -> tuple[np.ndarray, np.ndarray]:
    """Advance customers ``idx`` (their next purchase at ``next_op``, alive or not) through every
    purchase up to ``stop_op``; returns each purchase's (customer, operational time). Updates
    ``next_op`` and ``alive`` in place."""
    who, when = [], []
    due = idx[alive[idx] & (next_op[idx] <= stop_op)]
    while len(due):
        who.append(due)
        when.append(next_op[due].copy())
        alive[due] &= rng.random(len(due)) >= c.dropout[due]
        next_op[due] += _gaps(rng, c, due)
        due = due[alive[due] & (next_op[due] <= stop_op)]
    if not who:
        return np.array([], int), np.array([])
    return np.concatenate(who), np.concatenate(when)


def _residual_next(rng, c: _Customers, last_op: np.ndarray, now_op: float) -> np.ndarray:
    """The next purchase time of customers who have not bought since ``last_op``, given it is
    after ``now_op``: the gap drawn from its distribution above the elapsed time."""
    shape = c.gap_shape
    scale = 1.0 / (shape * c.rate)
    elapsed = np.maximum(now_op - last_op, 0.0)
    below = gammainc(shape, elapsed / scale)
    u = below + rng.random(len(shape)) * (1.0 - below)
    gap = gammaincinv(shape, np.minimum(u, 1 - 1e-12)) * scale
    return last_op + np.maximum(gap, elapsed + 1e-9)


def _true_expectations(rng, c: _Customers, state, cutoff_op: float, end_op: float) -> pd.DataFrame:
    """Per customer: expected orders and P(any order) in (cutoff, end] given the true state at
    the cutoff, by ``draws`` simulated continuations each."""
    alive, last_op, draws = state
    n = len(c.rate)
    tiled = _Customers(*(np.tile(getattr(c, f), draws) for f in c.__dataclass_fields__))
    next_op = _residual_next(rng, tiled, np.tile(last_op, draws), cutoff_op)
    alive_tiled = np.tile(alive, draws)
    who, _ = _run(rng, tiled, np.arange(n * draws), next_op, alive_tiled, end_op)
    counts = np.bincount(who, minlength=n * draws).reshape(draws, n)
    return pd.DataFrame(
        {"expected_orders": counts.mean(axis=0), "p_purchase": (counts > 0).mean(axis=0)}
    )


def simulate(
    process: CohortLog, customers: int, seed: int, end: dt.date, horizon_days: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The whole log up to ``end`` (customer, date, quantity, amount) and each customer's true
    expected spend and purchase probability in the ``horizon_days`` after ``end - horizon``."""
    rng = np.random.default_rng(seed)
    start = end - dt.timedelta(days=process.history_days - 1)
    clock = _Clock(process, start, process.history_days + 1)
    c = _draw_customers(rng, process, customers, clock)
    cutoff_op = float(clock.op_time(process.history_days - 1 - horizon_days))
    end_op = float(clock.op_time(process.history_days - 1))
    idx, alive, next_op = np.arange(customers), np.ones(customers, bool), c.first_op.copy()
    before = _run(rng, c, idx, next_op, alive, cutoff_op)
    last_op = np.full(customers, -np.inf)
    np.maximum.at(last_op, before[0], before[1])
    truth = _true_expectations(
        np.random.default_rng(seed + 1),
        c,
        (alive.copy(), last_op, process.truth_draws),
        cutoff_op,
        end_op,
    )
    after = _run(rng, c, idx, next_op, alive, end_op)
    who, when = (np.concatenate(parts) for parts in zip(before, after, strict=True))
    amount = rng.gamma(process.order_shape, c.order_value[who] / process.order_shape)
    days = clock.day(when)
    log = pd.DataFrame(
        {
            "customer": who,
            "date": pd.Timestamp(start) + pd.to_timedelta(days, unit="D"),
            "quantity": np.maximum(1, np.round(amount / 15.0)).astype(int),
            "amount": np.round(amount, 2),
        }
    ).sort_values(["date", "customer"], kind="mergesort")
    truth = truth.assign(
        customer_id=[f"CU{i:05d}" for i in range(customers)],
        expected_spend=truth["expected_orders"] * c.order_value,
    )
    return log, truth


def write_log(log: pd.DataFrame, path: Path, last_day: dt.date | None = None) -> Path:
    """The log (up to ``last_day``) as the sample transaction log's text: no header, runs of
    spaces between fields, dates as %Y%m%d."""
    rows = log if last_day is None else log[log["date"] <= pd.Timestamp(last_day)]
    lines = [
        f"CU{r.customer:05d}   {r.date:%Y%m%d}\t{r.quantity:>4d}  {r.amount:10.2f}"
        for r in rows.itertuples(index=False)
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def prepare_log(log_path: Path, out: Path, as_of_date: dt.date, horizon_days: int) -> dict:
    """Run the own-data path on the log (the sample log's config, cut at ``as_of_date``);
    returns the dbt vars the prepared folder needs."""
    config = yaml.safe_load(TRANSACTION_LOG_CONFIG.format(path=log_path.name))
    config.update(as_of_date=str(as_of_date), horizon_days=horizon_days)
    config_path = log_path.parent / "config.yml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    loaded = load_config(config_path)
    prepare(loaded, out)
    return dbt_vars(loaded)


def cohort_extracts(
    process: CohortLog, case, work: Path
) -> tuple[Path, Path, dict[str, object], dict[str, object]]:
    """The prepared full and cut extracts of a harness case, their dbt vars, and the true
    expectations written beside them (``TRUTH_FILE``)."""
    log, truth = simulate(process, case.customers, case.seed, case.end, case.horizon_days)
    truth.to_parquet(work / TRUTH_FILE, index=False)
    full_vars = prepare_log(
        write_log(log, work / "log_full" / LOG_FILE), work / "raw_full", case.end, case.horizon_days
    )
    cut_log = write_log(log, work / "log_cut" / LOG_FILE, case.cutoff)
    cut_vars = prepare_log(cut_log, work / "raw_cut", case.cutoff, case.horizon_days)
    return work / "raw_full", work / "raw_cut", full_vars, cut_vars


def true_predictions(work: Path, customers: pd.Series) -> pd.DataFrame:
    """The true expectations of ``customers`` as a model's predictions (empty when the case has
    none)."""
    path = work / TRUTH_FILE
    if not path.is_file():
        return pd.DataFrame()
    truth = pd.read_parquet(path)
    truth = truth[truth["customer_id"].isin(set(customers))]
    return pd.DataFrame(
        {
            "model": TRUE_EXPECTATION,
            "customer_id": truth["customer_id"],
            "p_purchase": truth["p_purchase"],
            "predicted_spend": truth["expected_spend"],
        }
    )
