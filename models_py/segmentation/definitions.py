"""Segment definitions: the rows of the dbt seed ``segment_definitions``, read by the Python naming
and the SQL profiles alike, so a rule, a threshold or an action is changed in one place.

Two kinds of row:

- ``rule`` rows name a segment (``segment_name``) when the segment's evidence (evidence.py: its
  profile relative to all featured customers) meets every threshold of the row: a column
  ``min_<metric>`` means metric >= value, ``max_<metric>`` metric <= value, an empty cell no
  condition. When several unnamed segments qualify, ``rank_by`` / ``rank_pick`` (min or max of an
  evidence metric) picks the one that gets the name. Rules are tried in ``display_order``.
- ``descriptive`` rows give the action of a segment no rule named (its name is then built from
  its profile, naming.py): the first row whose thresholds hold; the ``fallback`` row (no
  thresholds) takes the rest.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from models_py.segmentation.evidence import EVIDENCE_COLUMNS

__all__ = [
    "AT_RISK_RULE",
    "FALLBACK_RULE",
    "SEED_PATH",
    "SegmentDefinition",
    "definitions_from_frame",
    "load_segment_definitions",
    "segment_name_for_rule",
    "threshold_columns",
]

SEED_PATH = (
    Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "segment_definitions.csv"
)
FALLBACK_RULE = "fallback"
# The rule of the lapsed regulars' segment, which the report ranks by value at risk.
AT_RISK_RULE = "lapsed_regulars"
RULE, DESCRIPTIVE = "rule", "descriptive"
COLUMNS = (
    "segment_name",
    "naming_rule",
    "name_kind",
    "rank_by",
    "rank_pick",
    "marketing_action",
    "display_order",
)
PICKS = ("min", "max")


def threshold_columns(columns) -> list[str]:
    """The seed's threshold columns: ``min_<metric>`` and ``max_<metric>``."""
    return [c for c in columns if str(c).startswith(("min_", "max_"))]


@dataclass(frozen=True)
class SegmentDefinition:
    """One seed row; ``thresholds`` maps each filled threshold column to its value."""

    segment_name: str
    naming_rule: str
    name_kind: str
    rank_by: str | None
    rank_pick: str | None
    marketing_action: str
    display_order: int
    thresholds: Mapping[str, float] = field(default_factory=dict)

    @property
    def is_rule(self) -> bool:
        return self.name_kind == RULE

    @property
    def is_fallback(self) -> bool:
        return self.naming_rule == FALLBACK_RULE

    def conditions(self) -> list[tuple[str, str, float]]:
        """(metric, '>=' or '<=', threshold) for each filled threshold column."""
        return [
            (column[4:], ">=" if column.startswith("min_") else "<=", value)
            for column, value in self.thresholds.items()
        ]

    def holds(self, evidence: Mapping[str, float], metrics: Collection[str] | None = None) -> bool:
        """True when ``evidence`` meets every threshold (a missing value meets none); only the
        thresholds on ``metrics`` when given."""
        for metric, operator, threshold in self.conditions():
            if metrics is not None and metric not in metrics:
                continue
            value = evidence.get(metric)
            if value is None or math.isnan(float(value)):
                return False
            if (operator == ">=" and value < threshold) or (operator == "<=" and value > threshold):
                return False
        return True


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def _thresholds(row: dict, where: str) -> dict[str, float]:
    values = {}
    for column in threshold_columns(row):
        text = _text(row[column])
        if text is None:
            continue
        try:
            values[column] = float(text)
        except ValueError:
            raise ValueError(f"{where}: {column} is not a number: {text!r}") from None
    return values


def _definition(row: dict, where: str) -> SegmentDefinition:
    definition = SegmentDefinition(
        segment_name=_text(row["segment_name"]) or "",
        naming_rule=_text(row["naming_rule"]) or "",
        name_kind=_text(row["name_kind"]) or "",
        rank_by=_text(row["rank_by"]),
        rank_pick=_text(row["rank_pick"]),
        marketing_action=_text(row["marketing_action"]) or "",
        display_order=int(row["display_order"]),
        thresholds=_thresholds(row, where),
    )
    if not definition.segment_name or not definition.naming_rule:
        raise ValueError(f"{where}: segment_name and naming_rule are required")
    if definition.name_kind not in (RULE, DESCRIPTIVE):
        raise ValueError(f"{where}: name_kind must be {RULE} or {DESCRIPTIVE}")
    if definition.is_rule and (
        definition.rank_by not in EVIDENCE_COLUMNS or definition.rank_pick not in PICKS
    ):
        raise ValueError(
            f"{where} ({definition.segment_name}): a naming rule needs rank_by, one of "
            f"{list(EVIDENCE_COLUMNS)}, and rank_pick {' or '.join(PICKS)}, got "
            f"{definition.rank_by!r}, {definition.rank_pick!r}"
        )
    if definition.is_rule and not definition.thresholds:
        raise ValueError(f"{where} ({definition.segment_name}): a naming rule needs a threshold")
    return definition


def _check_threshold_columns(frame: pd.DataFrame, source: str) -> None:
    unknown = [c for c in threshold_columns(frame.columns) if c[4:] not in EVIDENCE_COLUMNS]
    if unknown:
        raise ValueError(
            f"{source}: threshold column(s) {unknown} name no evidence metric "
            f"(min_/max_ + one of {list(EVIDENCE_COLUMNS)})"
        )


def definitions_from_frame(
    frame: pd.DataFrame, source: str = "segment_definitions"
) -> tuple[SegmentDefinition, ...]:
    """Checked definitions in display order from the seed's rows (a file or ``dbt.ref``)."""
    missing = [column for column in COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"{source}: missing column(s) {missing}")
    _check_threshold_columns(frame, source)
    wanted = [*COLUMNS, *threshold_columns(frame.columns)]
    definitions = [
        _definition(row, f"{source} row {number}")
        for number, row in enumerate(frame[wanted].to_dict("records"), start=1)
    ]
    fallbacks = [d for d in definitions if d.is_fallback]
    if len(fallbacks) != 1 or fallbacks[0].is_rule or fallbacks[0].thresholds:
        raise ValueError(
            f"{source}: exactly one {FALLBACK_RULE!r} row is needed, descriptive and without "
            f"thresholds, got {[d.segment_name for d in fallbacks]}"
        )
    for key in ("segment_name", "naming_rule", "display_order"):
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
