"""Why a `dbt build` failed, in words: the failing nodes of this build's run results, each with
the plain-language reason its test declares (`config(meta={'explain': ...})`) and the numbers
the failing test returned, so a refusal names its cause without reading dbt's log."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})
SHOWN_NODES = 5


def _load(path: Path) -> dict:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _failing_row(build: Path, compiled_sql: str | None) -> str:
    """The first row the failing test returned, as `column=value` pairs ('' if unavailable)."""
    if not compiled_sql or not build.is_file():
        return ""
    try:
        with duckdb.connect(str(build), read_only=True) as con:
            cursor = con.execute(compiled_sql)
            row = cursor.fetchone()
            columns = [column[0] for column in cursor.description]
    except duckdb.Error:
        return ""
    if row is None:
        return ""
    return ", ".join(f"{column}={value}" for column, value in zip(columns, row, strict=True))


def explain_failed_build(target_dir: Path, build: Path, since: float) -> list[str]:
    """One line per failing node of the build that wrote `target_dir` at or after `since` (a
    time.time()); nothing when the run results are older (dbt stopped before writing them)."""
    results_path = target_dir / "run_results.json"
    try:
        if results_path.stat().st_mtime < since:
            return []
    except OSError:
        return []
    results = _load(results_path).get("results", [])
    nodes = _load(target_dir / "manifest.json").get("nodes", {})
    failed = [r for r in results if r.get("status") in FAILED_STATUSES]
    lines = []
    for result in failed[:SHOWN_NODES]:
        node = nodes.get(result.get("unique_id", ""), {})
        name = node.get("name") or result.get("unique_id", "?")
        explain = (node.get("config", {}).get("meta") or {}).get("explain")
        line = f"  {name}: {explain or (result.get('message') or '').strip()}"
        if explain:
            numbers = _failing_row(build, result.get("compiled_code"))
            line += f" ({numbers})" if numbers else ""
        lines.append(line)
    if len(failed) > SHOWN_NODES:
        lines.append(f"  ... and {len(failed) - SHOWN_NODES} more (see dbt's log above)")
    return lines
