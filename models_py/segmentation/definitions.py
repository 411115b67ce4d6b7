"""Segment definitions: the rows of the dbt seed ``segment_definitions`` (one row per segment
name, with its naming rule, marketing action and display order), read by the Python naming and
the SQL profiles alike, so a new segment is one seed row.

Names are handed out in display order, each to the best cluster not yet named by
(``naming_feature``, ``naming_pick``) over the cluster's mean in original units; the one
``fallback`` row names every further cluster (``Mid-value``, or ``Mid-value 1``, ``Mid-value 2``,
... in segment_id order).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

__all__ = [
    "AT_RISK_RULE",
    "FALLBACK_RULE",
    "SEED_PATH",
    "SegmentDefinition",
    "definitions_from_frame",
    "load_segment_definitions",
    "segment_name_for_rule",
]

SEED_PATH = (
    Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "segment_definitions.csv"
)
FALLBACK_RULE = "fallback"
# The rule of the lapsed customers' segment, which the report ranks by value at risk.
AT_RISK_RULE = "longest_since_last_order"
COLUMNS = (
    "segment_name",
    "naming_rule",
    "naming_feature",
    "naming_pick",
    "marketing_action",
    "display_order",
)
PICKS = ("min", "max")


@dataclass(frozen=True)
class SegmentDefinition:
    """One seed row."""

    segment_name: str
    naming_rule: str
    naming_feature: str | None
    naming_pick: str | None
    marketing_action: str
    display_order: int

    @property
    def is_fallback(self) -> bool:
        return self.naming_rule == FALLBACK_RULE


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _definition(row: dict, where: str) -> SegmentDefinition:
    definition = SegmentDefinition(
        segment_name=_text(row["segment_name"]) or "",
        naming_rule=_text(row["naming_rule"]) or "",
        naming_feature=_text(row["naming_feature"]),
        naming_pick=_text(row["naming_pick"]),
        marketing_action=_text(row["marketing_action"]) or "",
        display_order=int(row["display_order"]),
    )
    if not definition.segment_name or not definition.naming_rule:
        raise ValueError(f"{where}: segment_name and naming_rule are required")
    if not definition.is_fallback and (
        definition.naming_feature is None or definition.naming_pick not in PICKS
    ):
        raise ValueError(
            f"{where} ({definition.segment_name}): a naming rule needs a naming_feature and a "
            f"naming_pick of {' or '.join(PICKS)}, got {definition.naming_pick!r}"
        )
    return definition


def definitions_from_frame(
    frame: pd.DataFrame, source: str = "segment_definitions"
) -> tuple[SegmentDefinition, ...]:
    """Checked definitions in display order from the seed's rows (a file or ``dbt.ref``)."""
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"{source}: missing column(s) {missing}")
    definitions = [
        _definition(row, f"{source} row {number}")
        for number, row in enumerate(frame[list(COLUMNS)].to_dict("records"), start=1)
    ]
    fallbacks = [d.segment_name for d in definitions if d.is_fallback]
    if len(fallbacks) != 1:
        raise ValueError(f"{source}: exactly one {FALLBACK_RULE!r} row is needed, got {fallbacks}")
    for key in ("segment_name", "display_order"):
        values = [getattr(d, key) for d in definitions]
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise ValueError(f"{source}: {key} repeated: {repeated}")
    return tuple(sorted(definitions, key=lambda d: d.display_order))


def load_segment_definitions(path: Path | str = SEED_PATH) -> tuple[SegmentDefinition, ...]:
    """The definitions from the seed CSV file (tests, and Python outside dbt)."""
    return definitions_from_frame(pd.read_csv(path, dtype=str), source=str(path))


def segment_name_for_rule(rule: str, path: Path | str = SEED_PATH) -> str:
    """The segment name the seed gives the naming rule ``rule``."""
    for definition in load_segment_definitions(path):
        if definition.naming_rule == rule:
            return definition.segment_name
    raise ValueError(f"{path}: no segment with naming_rule {rule!r}")
