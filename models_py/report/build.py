"""Build the HTML report and the per-segment CSV exports from the served warehouse (read-only)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import duckdb
import pandas as pd

from models_py.pipeline.summary import RUN_WARNINGS_SQL, read_run_warnings
from models_py.report.context import DEFAULT_HORIZON_DAYS, ReportContext, read_context
from models_py.report.html import page, unavailable
from models_py.report.sections import (
    HEADLINES,
    SECTIONS,
    TARGET_ORDER,
    Section,
    fill,
    not_enough,
    render_headlines,
)
from models_py.report.segment_files import segment_file_name

# {h}: the prediction horizon in days (the prediction columns of customer_360 name it).
# Rows in the order the report's target lists use (value at risk for At-risk).
EXPORT_SQL = f"""
select customer_id, segment_id, segment_name, p_purchase_next_{{h}}d, predicted_spend_next_{{h}}d,
    value_at_risk_12m
from customer_360
where segment_id is not null
order by segment_id, {TARGET_ORDER}
"""


@dataclass
class ReportResult:
    html_path: Path
    exports: list[Path]
    headline: dict[str, object]
    unavailable_sections: list[str] = field(default_factory=list)


def served_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        name
        for (name,) in con.execute(
            "select table_name from duckdb_tables() where database_name = current_database() "
            "union select view_name from duckdb_views() "
            "where database_name = current_database() and not internal"
        ).fetchall()
    }


def _missing(tables: set[str], needed: tuple[str, ...]) -> list[str]:
    return [t for t in needed if t not in tables]


def horizon_days(con: duckdb.DuckDBPyConnection, tables: set[str]) -> int:
    """The prediction horizon of the served predictions (dbt var horizon_days of the build)."""
    if "customer_predictions" in tables:
        value = con.execute("select max(horizon_days) from customer_predictions").fetchone()[0]
        if value is not None:
            return int(value)
    return DEFAULT_HORIZON_DAYS


def _render_section(
    con: duckdb.DuckDBPyConnection, tables: set[str], section: Section, context: ReportContext
) -> str:
    horizon = context.horizon_days
    missing = _missing(tables, section.tables)
    if missing:
        body = unavailable(
            f"table {', '.join(missing)} is not in the served warehouse yet "
            "(build and publish the models that produce it)."
        )
    else:
        frame = con.execute(section.query(horizon)).df()
        if not_enough(frame):
            body = f'<p class="note" role="note">{escape(section.empty_note)}</p>'
        else:
            body = section.render(frame, context)
    return (
        f'<section id="{section.key}" aria-labelledby="{section.key}-h">'
        f'<h2 id="{section.key}-h">{escape(section.heading())}</h2>'
        f'<p class="intro">{escape(section.intro_text(context))}</p>{body}'
        f"<details><summary>SQL</summary><pre>{escape(section.query(horizon))}</pre></details>"
        "</section>"
    )


def headline_values(con: duckdb.DuckDBPyConnection, tables: set[str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for headline in HEADLINES:
        if not _missing(tables, headline.tables):
            values[headline.key] = con.execute(headline.sql).fetchone()[0]
    return values


# Spreadsheets run a cell that starts with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy whose text cells that a spreadsheet would run as a formula start with an
    apostrophe (the usual neutralisation); numeric columns are left as they are."""
    safe = frame.copy()
    for column in safe.columns:
        if pd.api.types.is_numeric_dtype(safe[column]) or pd.api.types.is_bool_dtype(safe[column]):
            continue
        safe[column] = safe[column].map(
            lambda v: f"'{v}" if isinstance(v, str) and v.startswith(FORMULA_PREFIXES) else v
        )
    return safe


def write_exports(
    con: duckdb.DuckDBPyConnection, tables: set[str], exports_dir: Path, horizon: int
) -> list[Path]:
    """One CSV per segment: customer id, segment, P(purchase) and predicted spend, best first;
    text that a spreadsheet would run as a formula is neutralised."""
    if "customer_360" not in tables:
        return []
    frame = con.execute(fill(EXPORT_SQL, horizon)).df()
    exports_dir.mkdir(parents=True, exist_ok=True)
    for stale in exports_dir.glob("segment_*.csv"):
        stale.unlink()
    paths = []
    for (segment_id, segment_name), rows in frame.groupby(["segment_id", "segment_name"]):
        path = exports_dir / segment_file_name(segment_id, segment_name)
        spreadsheet_safe(rows.drop(columns="segment_id")).to_csv(path, index=False)
        paths.append(path)
    return paths


def export_links(
    con: duckdb.DuckDBPyConnection, exports: list[Path], report_dir: Path
) -> dict[int, str]:
    """segment_id -> the segment's CSV, relative to the report page (only files written)."""
    written = {path.name: path for path in exports}
    links: dict[int, str] = {}
    if not written:  # no customer_360 in the served file, so no segment lists
        return links
    for segment_id, segment_name in con.execute(
        "select distinct segment_id, segment_name from customer_360 where segment_id is not null"
    ).fetchall():
        path = written.get(segment_file_name(segment_id, segment_name))
        if path is not None:
            links[int(segment_id)] = Path(os.path.relpath(path, report_dir)).as_posix()
    return links


def run_warnings_banner(warnings: list[tuple[str, str, str]]) -> str:
    """The run's warnings as the report's first section; nothing when there are none."""
    if not warnings:
        return ""
    items = "".join(
        f"<li><strong>{escape(severity)}</strong> <code>{escape(code)}</code>: "
        f"{escape(message)}</li>"
        for severity, code, message in warnings
    )
    return (
        '<section id="run-warnings" role="alert" aria-labelledby="run-warnings-h">'
        '<h2 id="run-warnings-h">Read this first: warnings about this run</h2>'
        f"<ul>{items}</ul><details><summary>SQL</summary><pre>{escape(RUN_WARNINGS_SQL)}</pre>"
        "</details></section>"
    )


def build_report(served_path: Path, report_dir: Path, exports_dir: Path) -> ReportResult:
    """Read the served file read-only; write report_dir/index.html and the segment CSVs."""
    served_path = Path(served_path)
    if not served_path.is_file():
        raise FileNotFoundError(
            f"served warehouse {served_path} not found: run `make publish` (or `make run`) first"
        )
    with duckdb.connect(str(served_path), read_only=True) as con:
        tables = served_tables(con)
        context = read_context(con, tables, fallback_horizon=horizon_days(con, tables))
        horizon = context.horizon_days
        exports = write_exports(con, tables, Path(exports_dir), horizon)
        context = replace(context, segment_exports=export_links(con, exports, Path(report_dir)))
        values = headline_values(con, tables)
        as_of = context.as_of_date
        if as_of is None and "customer_features" in tables:
            as_of = con.execute("select max(as_of_date) from customer_features").fetchone()[0]
        published_at = None
        if "served_tables" in tables:
            published_at = con.execute("select max(published_at) from served_tables").fetchone()[0]
        headline_sql = "\n".join(f"-- {h.key}\n{h.sql};" for h in HEADLINES)
        cards = render_headlines(
            [(h, values[h.key]) for h in HEADLINES if h.key in values], context
        )
        warnings = read_run_warnings(con)
        sections_html = [
            run_warnings_banner(warnings),
            '<section id="headline" aria-labelledby="headline-h">'
            '<h2 id="headline-h">Headline numbers</h2>'
            f"{cards}<details><summary>SQL</summary><pre>{escape(headline_sql)}</pre></details>"
            "</section>",
        ]
        sections_html += [_render_section(con, tables, s, context) for s in SECTIONS]
    unavailable_sections = [s.key for s in SECTIONS if _missing(tables, s.tables)] + [
        h.key for h in HEADLINES if h.key not in values
    ]
    subtitle = "Customer analytics"
    if as_of is not None:
        subtitle += f" as of {pd.Timestamp(as_of):%d %b %Y}"
    if published_at is not None:
        subtitle += f" · published {pd.Timestamp(published_at):%Y-%m-%d %H:%M} UTC"
    else:
        subtitle += f" · generated {datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
    nav = [("run-warnings", "Warnings")] if warnings else []
    nav += [("headline", "Headline")] + [(s.key, s.heading().split(":")[0]) for s in SECTIONS]
    document = page("Customer analytics report", subtitle, nav, "".join(sections_html))
    report_dir = Path(report_dir)
    report_dir.mkdir(parents=True, exist_ok=True)
    html_path = report_dir / "index.html"
    tmp = html_path.with_suffix(".html.tmp")
    tmp.write_text(document, encoding="utf-8")
    tmp.replace(html_path)
    return ReportResult(
        html_path=html_path,
        exports=exports,
        headline=values,
        unavailable_sections=unavailable_sections,
    )
