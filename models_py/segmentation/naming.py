"""Segment names that are true of their segments: each comes from a seed rule the segment's
evidence meets (definitions.py, evidence.py), or, when no rule is met, is built from the
segment's profile with a small vocabulary, each word true by the same seed rows:

- status: ``New`` (meets the ``newest`` rule's tenure thresholds), ``Lapsed`` (meets the
  ``descriptive_lapsed`` row), or nothing;
- value: ``High-value`` (meets ``top_spend``'s spend and revenue thresholds), ``Low-value``
  (meets ``low_spend``'s spend thresholds), else ``Mid-value``;
- orders: ``frequent buyers`` (meets ``most_orders``' order thresholds), ``one-time buyers``
  (median orders <= 1), ``occasional buyers`` (median orders below 2), else ``regulars``.

So "Lapsed low-value one-time buyers" or "Mid-value regulars". Names are unique: segments that
share a descriptive name are told apart by their median spend ("Mid-value regulars (higher
spend)", "... (lower spend)"; "(spend rank 1)", ... for three or more). Rules are tried in
display order; each names the unnamed segment meeting it that ranks best by its rank_by metric
(ties: the lower segment_id). A descriptive segment's action is the first descriptive row it
meets, else the fallback row's.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models_py.segmentation.definitions import SegmentDefinition

__all__ = ["SegmentName", "describe", "name_segments", "reason"]

# Seed rules whose thresholds a vocabulary word reuses (see the module docstring), and the
# metrics whose thresholds it reuses (None: all).
TENURE, SPEND, ORDERS = (
    ("tenure_vs_horizon",),
    ("spend_vs_median", "revenue_lift"),
    (
        "orders_vs_median",
        "typical_orders",
    ),
)
STATUS_WORDS = (("New", "newest", TENURE), ("Lapsed", "descriptive_lapsed", None))
VALUE_WORDS = (("High-value", "top_spend", SPEND), ("Low-value", "low_spend", SPEND))
DEFAULT_VALUE_WORD = "Mid-value"
FREQUENT_WORD = ("frequent buyers", "most_orders", ORDERS)

# How each evidence metric reads in a reason.
METRIC_LABELS = {
    "tenure_vs_horizon": "median tenure / horizon",
    "spend_vs_median": "median spend / all customers' median",
    "revenue_lift": "share of revenue / share of customers",
    "orders_vs_median": "median orders / all customers' median",
    "typical_orders": "median orders",
    "lapsed_share": "share lapsed (past their usual gap x segment_lapse_gap_multiple)",
    "lapsed_regular_share": "share of repeat buyers lapsed",
}


@dataclass(frozen=True)
class SegmentName:
    """A segment's published name, the seed row that named it (or gave a descriptive name its
    action) and the numbers that earned it."""

    segment_name: str
    naming_rule: str
    reason: str


def _value(number: float) -> str:
    return "n/a" if math.isnan(number) else f"{number:.2f}".rstrip("0").rstrip(".")


def reason(
    definition: SegmentDefinition,
    evidence: Mapping[str, float],
    metrics: Sequence[str] | None = None,
) -> str:
    """The definition's conditions (on ``metrics`` only, when given) with the segment's values:
    'median orders 29 >= 4; ...'."""
    return "; ".join(
        f"{METRIC_LABELS.get(metric, metric)} {_value(float(evidence[metric]))} {operator} "
        f"{_value(threshold)}"
        for metric, operator, threshold in definition.conditions()
        if metrics is None or metric in metrics
    )


def _meets(by_rule: Mapping[str, SegmentDefinition], word: tuple, evidence) -> bool:
    _, rule, metrics = word
    definition = by_rule.get(rule)
    return definition is not None and definition.holds(evidence, metrics)


def describe(
    evidence: Mapping[str, float], by_rule: Mapping[str, SegmentDefinition]
) -> tuple[str, list[tuple]]:
    """The descriptive name from the vocabulary, and the words (word, rule, metrics) it rests
    on."""
    status = next((w for w in STATUS_WORDS if _meets(by_rule, w, evidence)), None)
    value = next((w for w in VALUE_WORDS if _meets(by_rule, w, evidence)), None)
    used = [w for w in (status, value) if w is not None]
    orders = float(evidence["typical_orders"])
    if _meets(by_rule, FREQUENT_WORD, evidence):
        buyers = FREQUENT_WORD[0]
        used.append(FREQUENT_WORD)
    elif orders <= 1:
        buyers = "one-time buyers"
    else:
        buyers = "occasional buyers" if orders < 2 else "regulars"
    value_word = value[0] if value else DEFAULT_VALUE_WORD
    words = [status[0] if status else "", value_word.lower() if status else value_word, buyers]
    return " ".join(w for w in words if w), used


def _pick(candidates: list[int], values: pd.Series, pick: str) -> int:
    ranked = values.iloc[candidates].fillna(math.inf if pick == "min" else -math.inf)
    position = ranked.to_numpy().argmin() if pick == "min" else ranked.to_numpy().argmax()
    return candidates[int(position)]  # argmin/argmax: the first, so the lower segment_id


def _descriptive_reason(evidence, used: list[tuple], by_rule) -> str:
    parts = [f"{word}: {reason(by_rule[rule], evidence, metrics)}" for word, rule, metrics in used]
    parts.append(f"{METRIC_LABELS['typical_orders']} {_value(float(evidence['typical_orders']))}")
    return "no naming rule met; " + "; ".join(parts)


def name_segments(
    evidence: pd.DataFrame, definitions: Sequence[SegmentDefinition]
) -> list[SegmentName]:
    """Names for segments 1..k (rows of ``evidence``, in segment_id order)."""
    ordered = sorted(definitions, key=lambda d: d.display_order)
    by_rule = {d.naming_rule: d for d in ordered}
    rows = [evidence.iloc[i].to_dict() for i in range(len(evidence))]
    names: list[SegmentName | None] = [None] * len(rows)
    for rule in (d for d in ordered if d.is_rule):
        free = [i for i, n in enumerate(names) if n is None and rule.holds(rows[i])]
        if free:
            chosen = _pick(free, evidence[rule.rank_by], rule.rank_pick or "max")
            names[chosen] = SegmentName(
                rule.segment_name, rule.naming_rule, reason(rule, rows[chosen])
            )
    descriptive = [d for d in ordered if not d.is_rule and not d.is_fallback]
    fallback = next(d for d in ordered if d.is_fallback)
    for i, row in enumerate(rows):
        if names[i] is None:
            action = next((d for d in descriptive if d.holds(row)), fallback)
            text, used = describe(row, by_rule)
            names[i] = SegmentName(
                text, action.naming_rule, _descriptive_reason(row, used, by_rule)
            )
    return _unique([n for n in names if n is not None], evidence["spend_vs_median"])


def _unique(names: list[SegmentName], spend: pd.Series) -> list[SegmentName]:
    """Names made unique: segments sharing a descriptive name are told apart by their median
    spend, "(higher spend)" and "(lower spend)" for two, "(spend rank 1)", ... for more."""
    out = list(names)
    counts = Counter(n.segment_name for n in names)
    for shared in sorted(name for name, count in counts.items() if count > 1):
        same = [i for i, n in enumerate(names) if n.segment_name == shared]
        # Highest median spend first; equal spends keep segment_id order.
        ranked = sorted(same, key=lambda i: (-np.nan_to_num(spend.iloc[i], nan=-np.inf), i))
        for rank, i in enumerate(ranked, start=1):
            if len(ranked) == 2:
                suffix = "higher spend" if rank == 1 else "lower spend"
            else:
                suffix = f"spend rank {rank}"
            out[i] = SegmentName(f"{shared} ({suffix})", names[i].naming_rule, names[i].reason)
    return out
