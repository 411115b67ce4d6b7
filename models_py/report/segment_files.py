"""File names of the per-segment CSV exports (written by build, linked from the report)."""

from __future__ import annotations

import re


def slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "segment"


def segment_file_name(segment_id: int, segment_name: str) -> str:
    """segment_2_high_value.csv"""
    return f"segment_{int(segment_id)}_{slug(str(segment_name))}.csv"
