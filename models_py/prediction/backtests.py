"""Rolling-origin backtests: which cutoffs each fold evaluates and trains on, and the choice of
the published model from the folds' metrics.

Cutoffs sit on a grid of horizons before the score cutoff T (T, T-H, T-2H, ...). Fold i
evaluates at T-iH (labels from (T-iH, T-(i-1)H]) and trains on the ``stacked`` cutoffs before
it, T-(i+1)H ... T-(i+stacked)H, whose labels all end on or before T-iH: nothing a fold trains
on was unknown at its evaluation cutoff. The published models are refitted on T-H ...
T-(stacked)H. With H = 91 days the cutoff four horizons back is the same weeks a year earlier,
so ``stacked >= 4`` puts a season-aligned window in every training set.

Season references: the fold ``season_lag`` horizons deeper than a window predicts the same weeks
a year earlier; its actual / predicted spend is what the season calibration scales by
(calibration.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "Fold",
    "FoldPlan",
    "choose_model",
    "complexity_order",
    "cutoffs_by_depth",
    "plan_folds",
    "season_lag",
    "season_references",
    "stack_frames",
    "summarise_folds",
    "trailing_gap",
    "usable_roles",
]

MIN_FOLDS = 3  # fewer backtest folds than this leave the choice resting on noise: a warning
DAYS_PER_YEAR = 365.25


def season_lag(horizon_days: int) -> int:
    """Horizons in a year, rounded (4 for 90 or 91 days): the cutoff this many horizons before
    another predicts the same weeks a year earlier. cutoff_roles() in
    dbt_project/macros/feature_cutoffs.sql adds as many cutoffs to the grid for it."""
    return max(1, round(DAYS_PER_YEAR / horizon_days))


def season_references(fold_numbers: Sequence[int], horizon_days: int) -> dict[int, int]:
    """Window -> the fold whose window is the same weeks a year earlier, for the score window
    (0) and each backtest fold."""
    lag = season_lag(horizon_days)
    return {number: number + lag for number in (0, *fold_numbers)}


@dataclass(frozen=True)
class Fold:
    """One backtest fold: ``number`` 1 is the latest; it evaluates at ``evaluate_role`` and
    trains on ``train_roles`` (latest first)."""

    number: int
    evaluate_role: str
    train_roles: tuple[str, ...]


@dataclass(frozen=True)
class FoldPlan:
    """The folds the history supports, the cutoffs the final refit stacks, and why any
    requested fold was left out."""

    folds: tuple[Fold, ...]
    final_roles: tuple[str, ...]
    messages: tuple[str, ...] = ()


def cutoffs_by_depth(cutoffs: Mapping[str, object], horizon_days: int) -> dict[int, str]:
    """Horizons back (0 = score) -> role, from role -> as_of_date. Raises if a cutoff is off
    the grid of whole horizons before the score cutoff."""
    score = pd.Timestamp(cutoffs["score"])
    depths: dict[int, str] = {}
    for role, date in cutoffs.items():
        if date is None or pd.isna(date):
            continue
        days = (score - pd.Timestamp(date)).days
        if days % horizon_days:
            raise ValueError(
                f"cutoff {role} ({pd.Timestamp(date):%Y-%m-%d}) is not a whole number of "
                f"horizons ({horizon_days} days) before the score cutoff ({score:%Y-%m-%d})"
            )
        depths[days // horizon_days] = role
    return depths


def plan_folds(
    depths: Mapping[int, str],
    usable: Mapping[str, str],
    folds: int,
    stacked: int,
) -> FoldPlan:
    """The backtest folds 1..``folds`` the cutoffs support.

    ``usable`` maps each role to '' when its snapshot can be trained on, else the reason it
    cannot. A fold needs its evaluation cutoff (any labelled rows) and at least one usable
    training cutoff among the ``stacked`` before it; otherwise it is skipped with a message.
    """
    planned: list[Fold] = []
    messages: list[str] = []
    for number in range(1, folds + 1):
        evaluate = depths.get(number)
        train = usable_roles(depths, usable, range(number + 1, number + stacked + 1))
        if evaluate is None or not train:
            why = (
                "no snapshot at its evaluation cutoff"
                if evaluate is None
                else (
                    "no usable training cutoff before it ("
                    + "; ".join(_reasons(depths, usable, number, stacked))
                    + ")"
                )
            )
            messages.append(f"backtest fold {number} skipped: {why}")
            continue
        planned.append(Fold(number=number, evaluate_role=evaluate, train_roles=train))
    final = usable_roles(depths, usable, range(1, stacked + 1))
    return FoldPlan(folds=tuple(planned), final_roles=final, messages=tuple(messages))


def usable_roles(
    depths: Mapping[int, str], usable: Mapping[str, str], backs: range
) -> tuple[str, ...]:
    """The roles ``backs`` horizons back that exist and can be trained on, nearest first."""
    return tuple(depths[b] for b in backs if b in depths and usable.get(depths[b]) == "")


def _reasons(depths: Mapping[int, str], usable: Mapping[str, str], number: int, stacked: int):
    for back in range(number + 1, number + stacked + 1):
        role = depths.get(back)
        yield f"{back} horizons back: " + (
            "no cutoff" if role is None else usable.get(role) or "no rows"
        )


def stack_frames(frames: Sequence[pd.DataFrame], max_rows: int, random_state: int) -> pd.DataFrame:
    """The frames one under another, at most ``max_rows`` rows: a seeded sample of an equal
    share from each frame (a smaller frame gives all of its rows, the others share the rest)."""
    frames = [f for f in frames if len(f)]
    if not frames:
        raise ValueError("no rows to stack")
    takes: dict[int, int] = {}
    remaining, left = max_rows, len(frames)
    for i in sorted(range(len(frames)), key=lambda i: len(frames[i])):
        takes[i] = min(len(frames[i]), remaining // left)
        remaining -= takes[i]
        left -= 1
    parts = [
        frame
        if takes[i] == len(frame)
        else frame.sample(n=takes[i], random_state=random_state).sort_index()
        for i, frame in enumerate(frames)
    ]
    return pd.concat(parts, ignore_index=True)


def complexity_order(names: Sequence[str], publish_rank: Mapping[str, int | None]) -> list[str]:
    """``names`` simplest first: models without a publish rank (the parameter-free baselines,
    zero and last_window) before the ranked ones, then by rank, then in ``names`` order."""
    position = {name: i for i, name in enumerate(names)}
    return sorted(
        names,
        key=lambda n: (publish_rank.get(n) is not None, publish_rank.get(n) or 0, position[n]),
    )


def summarise_folds(values: Mapping[str, Sequence[float]]) -> pd.DataFrame:
    """Per model: folds, mean and standard error (sample std / sqrt(folds); 0 with one fold)
    of its finite fold values."""
    rows = []
    for name, series in values.items():
        arr = np.asarray([v for v in series if v is not None and np.isfinite(v)], dtype=float)
        n = len(arr)
        se = float(arr.std(ddof=1) / np.sqrt(n)) if n > 1 else 0.0
        rows.append({"model_name": name, "folds": n, "mean": arr.mean() if n else np.nan, "se": se})
    return pd.DataFrame(rows, columns=["model_name", "folds", "mean", "se"])


def trailing_gap(
    best: Sequence[float], other: Sequence[float], direction: str
) -> tuple[float, float]:
    """How far ``other`` trails ``best`` fold by fold: the mean and standard error of the
    per-fold differences (positive: worse) over the folds both scored; (nan, 0) without one."""
    pairs = [
        (b, o)
        for b, o in zip(best, other, strict=False)
        if b is not None and o is not None and np.isfinite(b) and np.isfinite(o)
    ]
    if not pairs:
        return float("nan"), 0.0
    gaps = np.asarray([b - o if direction == "max" else o - b for b, o in pairs], dtype=float)
    se = float(gaps.std(ddof=1) / np.sqrt(len(gaps))) if len(gaps) > 1 else 0.0
    return float(gaps.mean()), se


def choose_model(
    scores: Mapping[str, Sequence[float]], direction: str, simplest_first: Sequence[str]
) -> tuple[str | None, str | None]:
    """The published model and the model with the best mean (None, None without scores), from
    each model's fold ``scores`` (one value per fold, in the same fold order for every model).

    One-standard-error rule on paired folds: the simplest model (first in ``simplest_first``)
    whose fold-by-fold gap to the best is within one standard error of zero wins, so a more
    complex model must beat a simpler one by more than the noise between folds. The gap is
    paired because a season moves every model's score together: the spread of the scores
    themselves would let a model that trails on every fold pass as noise.
    """
    scored = summarise_folds(scores)
    scored = scored[scored["folds"] > 0].set_index("model_name")
    if scored.empty:
        return None, None
    best = scored["mean"].idxmax() if direction == "max" else scored["mean"].idxmin()
    for name in simplest_first:
        if name not in scored.index:
            continue
        mean_gap, se_gap = trailing_gap(scores[best], scores[name], direction)
        if name == best or mean_gap <= se_gap:
            return name, best
    return best, best
