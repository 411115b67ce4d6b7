"""CPU seconds per stage from a sampled CPU timeline of the process tree and the stages' time
intervals (dbt nodes from run_results.json, the Spark ML step's stages)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable

UNATTRIBUTED = "unattributed"

Interval = tuple[str, float, float]  # (label, start, end), epoch seconds


def epoch(timestamp: str) -> float:
    """Epoch seconds of dbt's ISO timestamps ('2026-12-06T08:55:01.123456Z', UTC)."""
    parsed = dt.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.timestamp()


def node_interval(result: dict) -> tuple[float, float] | None:
    """From the start of a dbt node's first timing phase (compile) to the end of its last
    (execute); None for a node without timings (skipped)."""
    phases = [t for t in result.get("timing", []) if t.get("started_at") and t.get("completed_at")]
    if not phases:
        return None
    return (
        min(epoch(t["started_at"]) for t in phases),
        max(epoch(t["completed_at"]) for t in phases),
    )


def cpu_by_label(
    timeline: list[tuple[float, float]], intervals: Iterable[Interval]
) -> dict[str, float]:
    """The CPU the timeline records, per label. Between two samples the CPU is taken as spent
    evenly over time, and each moment's share goes in equal parts to the intervals running then
    (two dbt threads at once share their process's CPU), or to UNATTRIBUTED when none is (dbt's
    parse and scheduling, Spark's start-up). The labels sum to the timeline's CPU."""
    intervals = sorted((i for i in intervals if i[2] > i[1]), key=lambda i: i[1])
    totals: dict[str, float] = {}
    for (t0, c0), (t1, c1) in itertools.pairwise(timeline):
        if t1 <= t0 or c1 == c0:
            continue
        rate = (c1 - c0) / (t1 - t0)
        live = [i for i in intervals if i[1] < t1 and i[2] > t0]
        cuts = sorted({t0, t1, *(t for i in live for t in i[1:] if t0 < t < t1)})
        for a, b in itertools.pairwise(cuts):
            running = [label for label, start, end in live if start <= a and end >= b]
            for label in running or [UNATTRIBUTED]:
                totals[label] = totals.get(label, 0.0) + rate * (b - a) / (len(running) or 1)
    return totals
