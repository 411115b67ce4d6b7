"""The report's sections. Each is one SQL query on the served warehouse plus a small function that
turns its result (a DataFrame) into HTML. The SQL is shown under each section in the report, so an
analyst can rerun it in any SQL client."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models_py.report import charts
from models_py.report.context import ReportContext
from models_py.report.html import figure, link, num, pct, raw_html, table, text, unavailable
from models_py.report.money import MISSING
from models_py.segmentation.definitions import AT_RISK_RULE, segment_name_for_rule
from models_py.segmentation.kmeans import SILHOUETTE_TOLERANCE


@functools.cache
def at_risk_name() -> str:
    """The name the seed gives the lapsed regulars' segment (read when a report is built)."""
    return segment_name_for_rule(AT_RISK_RULE)


def fill(template: str, horizon_days: int) -> str:
    """``template`` with `{h}` the horizon in days and `{at_risk}` the At-risk segment's name."""
    return template.replace("{h}", str(int(horizon_days))).replace("{at_risk}", at_risk_name())


@dataclass(frozen=True)
class Section:
    """One report section. `sql` may contain `{h}`, the prediction horizon in days: the
    prediction columns name their window (p_purchase_next_90d for horizon_days = 90); `sql` and
    `title` may contain `{at_risk}`, the At-risk segment's name."""

    key: str  # html anchor
    title: str
    intro: str
    tables: tuple[str, ...]  # served tables the query reads
    sql: str
    render: Callable[[pd.DataFrame, ReportContext], str]
    # shown instead of the render when the query returns no rows (e.g. history of one run)
    empty_note: str = "the query returned no rows."
    # when set, the intro depends on the context (e.g. which months are highlighted)
    intro_for: Callable[[ReportContext], str] | None = None

    def query(self, horizon_days: int) -> str:
        return fill(self.sql, horizon_days)

    def heading(self) -> str:
        return fill(self.title, 0)

    def intro_text(self, context: ReportContext) -> str:
        return self.intro_for(context) if self.intro_for else self.intro


def horizon_column(df: pd.DataFrame, prefix: str) -> tuple[str, int]:
    """The column named `<prefix><N>d` (e.g. p_purchase_next_90d) and its horizon N in days."""
    for column in df.columns:
        match = re.fullmatch(re.escape(prefix) + r"(\d+)d", column)
        if match:
            return column, int(match.group(1))
    raise KeyError(f"no column {prefix}<days>d among {list(df.columns)}")


# How a value is written: money and counts follow the currency (₹ and lakh/crore grouping for
# INR); "{unit}" in a label or note becomes the currency's symbol (or code).
MONEY, COUNT, SHARE = "money", "count", "share"


def formatter(kind: str, context: ReportContext) -> Callable[[object], str]:
    return {
        MONEY: context.currency.display,
        COUNT: context.currency.count,
        SHARE: pct,
        "num": num,
        "text": text,
        "html": raw_html,
    }[kind]


def unit_label(template: str, context: ReportContext, horizon_days: int | None = None) -> str:
    label = template.replace("{unit}", context.currency.symbol)
    return label if horizon_days is None else label.replace("{h}", str(int(horizon_days)))


@dataclass(frozen=True)
class Headline:
    key: str
    label: str
    tables: tuple[str, ...]
    sql: str  # returns one row, one column
    kind: str  # MONEY, COUNT or SHARE
    note: str


# ---------------------------------------------------------------------------------------------
# Headline numbers: one SQL query each; the test recomputes every one on the served warehouse.

HEADLINES: tuple[Headline, ...] = (
    Headline(
        key="customers",
        label="Customers",
        tables=("dim_customers",),
        sql="select count(*) from dim_customers",
        kind=COUNT,
        note="clean customer records (test accounts excluded)",
    ),
    Headline(
        key="buying_customers",
        label="Buying customers",
        tables=("customer_features",),
        sql="select count(*) from customer_features",
        kind=COUNT,
        note="with at least one completed order by the cutoff",
    ),
    Headline(
        key="net_revenue",
        label="Net revenue",
        tables=("fct_orders",),
        sql="select sum(spend_amount) from fct_orders",
        kind=MONEY,
        note="completed orders, net of discounts and returned items ({unit})",
    ),
    Headline(
        key="completed_orders",
        label="Completed orders",
        tables=("fct_orders",),
        sql="select count(*) from fct_orders where status = 'completed'",
        kind=COUNT,
        note="cancelled and returned orders excluded",
    ),
    Headline(
        key="active_share",
        label="Active customers",
        tables=("customer_features",),
        sql="select avg(case when recency_days <= 90 then 1.0 else 0.0 end) from customer_features",
        kind=SHARE,
        note="of buying customers ordered in the 90 days before the cutoff",
    ),
    Headline(
        key="expected_revenue_next_horizon",
        label="Expected revenue, next {h} days",
        tables=("customer_predictions",),
        sql="select sum(predicted_spend) from customer_predictions",
        kind=MONEY,
        note="sum of every customer's predicted spend after the cutoff ({unit})",
    ),
    Headline(
        key="raw_rows",
        label="Raw rows read",
        tables=("data_quality_summary",),
        sql="select sum(rows_read) from data_quality_summary",
        kind=COUNT,
        note="all four raw tables, from the input files",
    ),
    Headline(
        key="duplicates_removed",
        label="Duplicates removed",
        tables=("data_quality_summary",),
        sql="select sum(duplicates_removed) from data_quality_summary",
        kind=COUNT,
        note="exact duplicates and superseded re-sends",
    ),
    Headline(
        key="quarantined_rows",
        label="Rows quarantined",
        tables=("data_quality_summary",),
        sql="select sum(quarantined_rows) from data_quality_summary",
        kind=COUNT,
        note="kept aside with a reason in quarantine_* tables",
    ),
    Headline(
        key="excluded_test_rows",
        label="Test-account rows excluded",
        tables=("data_quality_summary",),
        sql="select sum(excluded_test_rows) from data_quality_summary",
        kind=COUNT,
        note="internal test accounts and their orders",
    ),
)


def render_headlines(values: list[tuple[Headline, object]], context: ReportContext) -> str:
    cards = []
    for headline, value in values:
        raw = "" if value is None else repr(float(value))  # type: ignore[arg-type]
        label = unit_label(headline.label, context, context.horizon_days)
        cards.append(
            f'<div class="card" data-metric="{headline.key}" data-value="{raw}">'
            f'<div class="label">{text(label)}</div>'
            f'<div class="value">{formatter(headline.kind, context)(value)}</div>'
            f'<div class="note">{text(unit_label(headline.note, context))}</div></div>'
        )
    return f'<div class="cards">{"".join(cards)}</div>'


# ---------------------------------------------------------------------------------------------
# Renderers: each takes the section's query result and the report context (currency, months).


def render_data_quality(df: pd.DataFrame, context: ReportContext) -> str:
    count = context.currency.count
    return table(
        df,
        [
            ("table_name", "raw table", text),
            ("rows_read", "rows read", count),
            ("raw_rows", "raw rows", count),
            ("clean_rows", "clean rows", count),
            ("duplicates_removed", "duplicates removed", count),
            ("quarantined_rows", "quarantined", count),
            ("excluded_test_rows", "test rows excluded", count),
        ],
        caption="Reconciliation: rows read = clean + duplicates + quarantined + test rows",
    )


def render_monthly_revenue(df: pd.DataFrame, context: ReportContext) -> str:
    currency = context.currency
    labels = [pd.Timestamp(m).strftime("%b %Y") for m in df["month_start"]]
    highlight = None
    if context.highlight_label:
        festive = [bool(f) for f in df["is_festive_month"].fillna(False)]
        highlight = charts.Highlight(bars=festive, label=context.highlight_label)
    top = df.nlargest(3, "net_revenue")

    def peaks_with(money: Callable[[object], str]) -> str:
        return ", ".join(
            f"{pd.Timestamp(m).strftime('%b %Y')} ({money(v)})"
            for m, v in zip(top["month_start"], top["net_revenue"], strict=True)
        )

    peaks = peaks_with(currency.amount)
    svg = charts.bar_chart(
        labels,
        df["net_revenue"].astype(float).tolist(),
        title="Net revenue per month",
        xlabel="month",
        ylabel=f"net revenue ({currency.symbol})",
        description=f"Bar chart of net revenue in {currency.noun} for each month; "
        f"peak months: {peaks}.",
        money=currency.axis,
        highlight=highlight,
    )
    note = f"{context.highlight_note} " if context.highlight_note else ""
    return figure(svg, f"{text(note)}Highest months: {peaks_with(currency.display)}.")


def render_distributions(df: pd.DataFrame, context: ReportContext) -> str:
    currency = context.currency
    specs = [
        ("monetary", "Net spend per customer", f"net spend ({currency.symbol}, log scale)", True),
        ("frequency", "Orders per customer", "completed orders (log scale)", True),
        ("recency_days", "Recency", "Days since last order", False),
        ("age", "Age", "Age (years)", False),
    ]
    figures = []
    for column, title, label, log_x in specs:
        values = df[column].dropna().astype(float)
        if values.empty:
            figures.append(unavailable(f"no values for {column}"))
            continue
        is_money = column == "monetary"
        plain, shown = (currency.amount, currency.display) if is_money else (num, num)
        median, p90 = values.median(), values.quantile(0.9)
        summary = f"median {plain(median)}; 90th percentile {plain(p90)}"
        svg = charts.histogram(
            values.tolist(),
            title=title,
            xlabel=label,
            description=f"Histogram of {column} over {len(values)} customers: {summary}.",
            log_x=log_x,
            money=currency.axis if is_money else None,
        )
        caption = f"median {shown(median)}; 90th percentile {shown(p90)} ({len(values)} customers)"
        figures.append(figure(svg, caption))
    return f'<div class="grid2">{"".join(figures)}</div>'


def render_category_mix(df: pd.DataFrame, context: ReportContext) -> str:
    currency = context.currency
    svg = charts.horizontal_bar_chart(
        df["category"].tolist(),
        df["net_revenue"].astype(float).tolist(),
        title="Net revenue by product category",
        xlabel=f"net revenue ({currency.symbol})",
        ylabel="category",
        description=f"Horizontal bar chart of net revenue in {currency.noun} per category, "
        "largest first.",
        money=currency.axis,
    )
    return figure(svg, "Completed orders only, net of discounts.") + table(
        df,
        [
            ("category", "category", text),
            ("net_revenue", "net revenue", currency.display),
            ("revenue_share", "share of revenue", pct),
            ("customers", "customers", currency.count),
            ("items", "items sold", currency.count),
        ],
    )


def export_link(segment_id: object, customers: object, context: ReportContext) -> str:
    """A link to the segment's CSV export ('1,234 customers (CSV)'), or a dash when none."""
    href = context.segment_exports.get(int(segment_id))  # type: ignore[call-overload]
    if href is None:
        return MISSING
    return link(href, f"{context.currency.count(customers)} customers (CSV)")


def with_export_links(df: pd.DataFrame, context: ReportContext) -> pd.DataFrame:
    links = [
        export_link(i, n, context) for i, n in zip(df["segment_id"], df["customers"], strict=True)
    ]
    return df.assign(customer_list=links)


def render_segment_sizes(df: pd.DataFrame, context: ReportContext) -> str:
    currency = context.currency
    expected, days = horizon_column(df, "expected_revenue_next_")
    df = with_export_links(df, context)
    svg = charts.grouped_bar_chart(
        df["segment_name"].tolist(),
        {
            "share of customers": df["customer_share"].astype(float).tolist(),
            "share of revenue": df["revenue_share"].astype(float).tolist(),
        },
        title="Segment size and revenue share",
        xlabel="segment",
        ylabel="share (%)",
        description="Grouped bars: each segment's share of customers next to its share of "
        "net revenue.",
        percent=True,
    )
    return figure(svg, "Shares of all segmented customers and of their net spend.") + table(
        df,
        [
            ("segment_name", "segment", text),
            ("customers", "customers", currency.count),
            ("customer_share", "share of customers", pct),
            ("net_revenue", "net revenue", currency.display),
            ("revenue_share", "share of revenue", pct),
            (expected, f"expected revenue next {days} days", currency.display),
            ("customer_list", "customer list", raw_html),
        ],
    )


# (column, label, kind); {h} is the horizon in days, {unit} the currency symbol.
PROFILE_ROWS: tuple[tuple[str, str, str], ...] = (
    ("customers", "customers", COUNT),
    ("customer_share", "share of customers", SHARE),
    ("revenue_share", "share of revenue", SHARE),
    ("avg_recency_days", "avg days since last order", "num"),
    ("avg_tenure_days", "avg tenure (days)", "num"),
    ("avg_frequency", "avg completed orders", "num"),
    ("avg_monetary", "avg net spend ({unit})", MONEY),
    ("avg_aov", "avg order value ({unit})", MONEY),
    ("avg_distinct_categories", "avg categories bought", "num"),
    ("avg_p_purchase_next_{h}d", "avg P(purchase next {h} days)", SHARE),
    ("avg_predicted_spend_next_{h}d", "avg predicted spend next {h} days ({unit})", MONEY),
    ("avg_predicted_clv_12m", "avg predicted 12-month CLV ({unit})", MONEY),
    ("active_share", "share active in the last 90 days", SHARE),
    ("top_category", "most common favourite category", "text"),
    ("naming_reason", "why this name (the numbers that earned it)", "text"),
    ("recommended_action", "recommended action", "text"),
    ("customer_list", "customer list", "html"),
)


def render_segment_profiles(df: pd.DataFrame, context: ReportContext) -> str:
    _, days = horizon_column(df, "avg_p_purchase_next_")
    df = with_export_links(df, context)
    head = "".join(f'<th scope="col">{text(name)}</th>' for name in df["segment_name"])
    rows = []
    for column_template, label_template, kind in PROFILE_ROWS:
        column = column_template.replace("{h}", str(days))
        label = unit_label(label_template, context, days)
        if column not in df.columns:
            continue
        fmt = formatter(kind, context)
        cells = "".join(
            f"<td{'' if fmt in (text, raw_html) else ' class=num'}>{fmt(v)}</td>"
            for v in df[column]
        )
        rows.append(f'<tr><th scope="row">{text(label)}</th>{cells}</tr>')
    return (
        '<div class="table-wrap"><table><caption>Segment profiles side by side</caption>'
        f'<thead><tr><th scope="col">measure</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def render_rfm_grid(df: pd.DataFrame, context: ReportContext) -> str:
    grid = df.pivot_table(index="f_score", columns="r_score", values="customers", aggfunc="sum")
    grid = grid.reindex(index=[5, 4, 3, 2, 1], columns=[1, 2, 3, 4, 5])
    svg = charts.heatmap(
        grid.to_numpy(dtype=float),
        [f"F{f}" for f in grid.index],
        [f"R{r}" for r in grid.columns],
        title="RFM grid: customers by recency and frequency score",
        xlabel="recency score (5 = bought most recently)",
        ylabel="frequency score (5 = most orders)",
        description="Heatmap of customer counts for each recency score (columns) and "
        "frequency score (rows), 1 to 5.",
        colorbar_label="customers",
    )
    return figure(svg, "Scores are quintiles at the cutoff date; numbers are customers.")


def render_rfm_segments(df: pd.DataFrame, context: ReportContext) -> str:
    currency = context.currency
    return table(
        df,
        [
            ("rfm_segment_label", "RFM segment", text),
            ("customers", "customers", currency.count),
            ("customer_share", "share", pct),
            ("avg_recency_days", "avg days since last order", num),
            ("avg_frequency", "avg orders", num),
            ("avg_monetary", f"avg net spend ({currency.symbol})", currency.display),
        ],
    )


# The RFM segment name of the grid's "At risk" cell (macros/rfm_scores.sql).
RFM_AT_RISK = "at_risk"


def at_risk_explained(at_risk: str) -> str:
    return (
        f"<p>Two different groups are called at risk. <strong>{text(at_risk)}</strong> (K-Means) "
        "is the behavioural segment of lapsed regulars: most of its customers ordered at least "
        "twice and are now well past their usual gap between orders (by the lapse multiple, "
        "segment_lapse_gap_multiple), whatever they used to "
        "spend. <strong>At risk</strong> (RFM) is a fixed cell of the RFM grid: a recency score "
        "of 1 or 2 (the 40% who ordered longest ago) with a middling-to-high frequency and spend "
        "score (3 or 4); the same recency with the top score is <em>Can't lose them</em>, with "
        "low scores <em>Hibernating</em> or <em>Lost</em>. Use RFM At risk and Can't lose them "
        f"to find valuable customers going quiet; use {text(at_risk)} for the lapsed regulars.</p>"
    )


def render_at_risk_groups(df: pd.DataFrame, context: ReportContext) -> str:
    count = context.currency.count
    at_risk = at_risk_name()
    kmeans = df[df["in_kmeans_at_risk"].astype(bool)]
    rfm = df[df["in_rfm_at_risk"].astype(bool)]
    both = int(kmeans.loc[kmeans["in_rfm_at_risk"].astype(bool), "customers"].sum())
    kmeans_total, rfm_total = int(kmeans["customers"].sum()), int(rfm["customers"].sum())
    if kmeans_total and rfm_total:
        overlap = (
            f"<p><strong>{count(both)} customers are in both</strong>: {pct(both / kmeans_total)} "
            f"of the {count(kmeans_total)} {at_risk} customers and {pct(both / rfm_total)} of "
            f"the {count(rfm_total)} RFM At risk customers.</p>"
        )
    else:
        empty = f"K-Means {at_risk}" if not kmeans_total else "RFM At risk"
        overlap = f"<p>No customer is in {empty} in this run: there is no overlap to measure.</p>"

    def breakdown(frame: pd.DataFrame, column: str, header: str, caption: str) -> str:
        grouped = frame.groupby(column, as_index=False)["customers"].sum()
        grouped = grouped.sort_values("customers", ascending=False)
        grouped["share"] = grouped["customers"] / max(int(grouped["customers"].sum()), 1)
        columns = [
            (column, header, text),
            ("customers", "customers", count),
            ("share", "share", pct),
        ]
        return table(grouped, columns, caption=caption)

    return (
        at_risk_explained(at_risk)
        + overlap
        + '<div class="grid2">'
        + breakdown(
            kmeans, "rfm_segment_label", "RFM segment", f"{at_risk} (K-Means) by RFM segment"
        )
        + breakdown(rfm, "segment_name", "K-Means segment", "RFM At risk by K-Means segment")
        + "</div>"
    )


def render_segment_migration(df: pd.DataFrame, context: ReportContext) -> str:
    count = context.currency.count
    matrix = df.pivot_table(
        index="from_segment_name", columns="to_segment_name", values="customers", aggfunc="sum"
    ).fillna(0)
    svg = charts.heatmap(
        matrix.to_numpy(dtype=float),
        [str(s) for s in matrix.index],
        [str(s) for s in matrix.columns],
        title="Segment migration between the last two runs",
        xlabel="segment in the latest run",
        ylabel="segment in the previous run",
        description="Heatmap of how many customers moved from each previous segment (rows) to "
        "each latest segment (columns).",
        colorbar_label="customers",
    )
    stayed = df.loc[df["from_segment_name"] == df["to_segment_name"], "customers"].sum()
    return figure(
        svg,
        f"{count(stayed)} of {count(df['customers'].sum())} customers stayed in their segment.",
    )


def metric_formats(context: ReportContext) -> dict[str, tuple[str, Callable[[object], str]]]:
    """Label and formatter of each model metric; money metrics in the build's currency."""
    money, unit = context.currency.display, context.currency.symbol
    return {
        "roc_auc": ("ROC AUC", lambda v: num(v, 3)),
        "log_loss": ("log loss", lambda v: num(v, 3)),
        "brier": ("Brier score", lambda v: num(v, 3)),
        "brier_calibrated": ("Brier score, calibrated", lambda v: num(v, 3)),
        "accuracy": ("accuracy", lambda v: num(v, 3)),
        "precision": ("precision", lambda v: num(v, 3)),
        "recall": ("recall", lambda v: num(v, 3)),
        "f1": ("F1", lambda v: num(v, 3)),
        "threshold": ("threshold", lambda v: num(v, 3)),
        "rmse": (f"RMSE ({unit})", money),
        "mae": (f"MAE ({unit})", money),
        "r2": ("R\u00b2", lambda v: num(v, 3)),
        "total_predicted": (f"total predicted ({unit})", money),
        "total_actual": (f"total actual ({unit})", money),
        "total_ratio": ("total predicted / actual", lambda v: num(v, 3)),
        "total_ratio_scaled": ("total predicted / actual, scaled", lambda v: num(v, 3)),
        "rmse_scaled": (f"RMSE, totals scaled ({unit})", money),
        "total_ratio_season": (
            "total predicted / actual, scaled by the season",
            lambda v: num(v, 3),
        ),
        "rmse_season": (f"RMSE, scaled by the season ({unit})", money),
        "season_factor": ("season factor (actual / predicted a year earlier)", lambda v: num(v, 3)),
        "top_decile_lift": ("top-decile lift", lambda v: num(v, 2)),
        "rows": ("customers", context.currency.count),
    }


def metrics_table(frame: pd.DataFrame, caption: str, context: ReportContext) -> str:
    """One task and split: a row per metric, a column per model (published model first), so
    the table stays narrow however many metrics a task has."""
    formats = metric_formats(context)
    wide = frame.pivot_table(
        index="metric", columns=["is_published", "model_name"], values="value", aggfunc="first"
    )
    models = sorted(wide.columns, key=lambda c: (not c[0], c[1]))
    metrics = [m for m in formats if m in wide.index] + sorted(
        m for m in wide.index if m not in formats
    )
    head = "".join(
        f'<th scope="col"{" class=published" if published else ""}>{text(name)}'
        f"{' (published)' if published else ''}</th>"
        for published, name in models
    )
    rows = []
    for metric in metrics:
        label, fmt = formats.get(metric, (metric.replace("_", " "), lambda v: num(v, 3)))
        cells = "".join(
            f'<td class="num{" published" if published else ""}">'
            f"{fmt(wide.at[metric, (published, name)])}</td>"
            for published, name in models
        )
        rows.append(f'<tr><th scope="row">{text(label)}</th>{cells}</tr>')
    return (
        f'<div class="table-wrap"><table><caption>{text(caption)}</caption>'
        f'<thead><tr><th scope="col">metric</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def render_model_metrics(df: pd.DataFrame, context: ReportContext) -> str:
    """Each task's metrics averaged over the backtest folds, then one line per task on the
    published model (a baseline that wins is named as such)."""
    parts = []
    for (task, split), frame in df.groupby(["task", "split"], sort=True):
        folds = int(frame["folds"].max())
        where = "backtest folds" if split == "evaluate" else f"{split} split"
        caption = f"{task}: mean over {folds} {where}"
        parts.append(metrics_table(frame, caption, context))
        parts.append(f"<p>{text(published_line(frame, task))}</p>")
    return "".join(parts) + (
        "<p>zero, last_window and btyd are baselines, eligible for publishing like the "
        "candidates; the published model of each task (highlighted) has the best mean selection "
        "metric (purchase: ROC AUC, spend: RMSE) or is the simplest whose fold-by-fold gap to it "
        "is within one standard error of that gap. Lower is better for log loss, Brier score, "
        "RMSE and MAE; higher for the rest.</p>"
    )


def published_line(frame: pd.DataFrame, task: str) -> str:
    """Which model is published for ``task`` and on what mean selection metric."""
    chosen = frame[frame["is_published"] & frame["is_selection_metric"]]
    if chosen.empty:
        return f"No {task} model was chosen on these numbers."
    row = chosen.iloc[0]
    se = "" if pd.isna(row["standard_error"]) else f" \u00b1 {row['standard_error']:,.4g} SE"
    kind = "the baseline" if row["model_kind"] == "baseline" else "the candidate"
    return (
        f"Published {task} model: {kind} {row['model_name']}, mean {row['metric']} "
        f"{row['value']:,.4g}{se} over {int(row['folds'])} fold(s)."
        + (
            " No candidate beat this baseline by more than the noise."
            if kind == "the baseline"
            else ""
        )
    )


def render_backtest_folds(df: pd.DataFrame, context: ReportContext) -> str:
    """Per task: each fold's selection metric and totals bias, a column per model."""
    formats = metric_formats(context)
    parts = []
    for (task, metric), frame in df.groupby(["task", "metric"], sort=True):
        wide = frame.pivot_table(
            index=["fold", "cutoff_date"], columns="model_name", values="value", aggfunc="first"
        ).reset_index()
        label, fmt = formats.get(metric, (metric, lambda v: num(v, 3)))
        columns = [("fold", "fold", lambda v: str(int(v))), ("cutoff_date", "cutoff", text)]
        columns += [(name, name, fmt) for name in wide.columns[2:]]
        parts.append(table(wide, columns, caption=f"{task}: {label} per backtest fold"))
    return "".join(parts)


def render_calibration(df: pd.DataFrame, context: ReportContext) -> str:
    """The published purchase model's reliability table (raw beside calibrated)."""
    wide = df.pivot_table(
        index=["bin", "bin_lower", "bin_upper"],
        columns="probability",
        values=["customers", "mean_predicted", "observed_rate"],
        aggfunc="first",
    )
    wide.columns = [f"{value}_{kind}" for value, kind in wide.columns]
    wide = wide.reset_index()
    wide["range"] = [
        f"{lo:.1f}\u2013{hi:.1f}"
        for lo, hi in zip(wide["bin_lower"], wide["bin_upper"], strict=True)
    ]
    columns = [("range", "predicted probability", text)]
    for kind in ("raw", "calibrated"):
        if f"customers_{kind}" in wide:
            columns += [
                (f"customers_{kind}", f"customers ({kind})", context.currency.count),
                (f"mean_predicted_{kind}", f"mean predicted ({kind})", pct),
                (f"observed_rate_{kind}", f"observed rate ({kind})", pct),
            ]
    model = text(df["model_name"].iloc[0])
    return table(wide, columns, caption=f"Reliability of {model} over the backtest folds") + (
        "<p>Calibrated: Platt scaling fitted on the other folds (leave-one-fold-out). It is "
        "applied to the published probabilities only when it lowers the mean Brier score "
        "(model_metrics: calibration_applied).</p>"
    )


def render_lift(df: pd.DataFrame, context: ReportContext) -> str:
    count = context.currency.count
    df = df.sort_values("decile")
    share = [0.0, *(df["decile"].astype(float) / df["decile"].max()).tolist()]
    captured = [0.0, *df["cumulative_actual_share"].astype(float).tolist()]
    svg = charts.line_chart(
        share,
        {"published purchase model": captured},
        title="Cumulative gains of the purchase model",
        xlabel="share of customers targeted, by predicted purchase probability",
        ylabel="share of actual purchasers reached",
        description="Cumulative gains curve on the evaluation split, with the random-targeting "
        "diagonal for reference.",
        percent_x=True,
        reference={"random targeting": share},
    )
    top = df.iloc[0]
    return figure(
        svg,
        f"Top decile lift: {num(top['lift'], 2)}x the average purchase rate "
        f"({pct(top['purchase_rate'])} vs {pct(df['purchasers'].sum() / df['customers'].sum())}).",
    ) + table(
        df,
        [
            ("decile", "decile (1 = highest predicted)", count),
            ("customers", "customers", count),
            ("avg_p_purchase", "avg predicted P(purchase)", pct),
            ("purchase_rate", "actual purchase rate", pct),
            ("lift", "lift", lambda v: num(v, 2)),
        ],
    )


def render_predicted_vs_actual(df: pd.DataFrame, context: ReportContext) -> str:
    currency = context.currency
    df = df.sort_values("decile")
    svg = charts.predicted_vs_actual(
        df["avg_predicted_spend"].astype(float).tolist(),
        df["avg_actual_spend"].astype(float).tolist(),
        title="Predicted vs actual spend, evaluation split",
        xlabel=f"predicted spend per customer ({currency.symbol}, log scale)",
        ylabel=f"actual spend per customer ({currency.symbol}, log scale)",
        description="Scatter of mean predicted against mean actual spend per customer in each "
        "decile of predicted spend; points on the dashed diagonal are perfectly calibrated.",
        money=currency.axis,
    )
    return figure(svg, "Deciles of predicted spend; the diagonal is a perfect prediction.")


def render_top_customers(df: pd.DataFrame, context: ReportContext) -> str:
    currency = context.currency
    p_purchase, days = horizon_column(df, "p_purchase_next_")
    spend, _ = horizon_column(df, "predicted_spend_next_")
    columns = [
        ("customer_id", "customer", text),
        ("rfm_segment_label", "RFM segment", text),
        (p_purchase, f"P(purchase next {days} days)", pct),
        (spend, f"predicted spend next {days} days ({currency.symbol})", currency.display),
        ("predicted_clv_12m", f"predicted 12-month CLV ({currency.symbol})", currency.display),
        ("value_at_risk_12m", f"value at risk ({currency.symbol})", currency.display),
        ("recency_days", "days since last order", currency.count),
        ("favourite_category", "favourite category", text),
    ]
    parts = []
    at_risk = at_risk_name()
    for (segment_id, segment), frame in df.groupby(["segment_id", "segment_name"], sort=False):
        ranked_by = "value at risk" if segment == at_risk else f"predicted spend next {days} days"
        href = context.segment_exports.get(int(segment_id))
        full_list = f" · {link(href, 'all customers (CSV)')}" if href else ""
        parts.append(
            f"<h3>{text(segment)}</h3><p>Ranked by {ranked_by}{full_list}</p>"
            + table(frame, columns)
        )
    return "".join(parts)


def render_k_selection(df: pd.DataFrame, context: ReportContext) -> str:
    df = df.sort_values("k")
    chosen = df.loc[df["is_selected"].astype(bool), "k"]
    series = {"silhouette (higher is better)": df["silhouette"].astype(float).tolist()}
    if "stability_mean" in df.columns:
        series["stability across resamples (higher is better)"] = (
            df["stability_mean"].astype(float).tolist()
        )
    svg = charts.line_chart(
        df["k"].astype(float).tolist(),
        series,
        title="Choosing the number of segments",
        xlabel="number of segments k",
        ylabel="score",
        description="Silhouette and stability (adjusted Rand index between refits on bootstrap "
        "resamples) for each candidate number of K-Means segments; the chosen k is marked in "
        "the table below.",
    )
    how = K_SELECTION_NOTES.get(str(df["k_selection"].iloc[0])) if "k_selection" in df else None
    caption = f"Chosen k: {', '.join(str(int(k)) for k in chosen)}." + (f" {how}" if how else "")
    columns = [
        ("k", "k", context.currency.count),
        ("inertia", "inertia (within-segment sum of squares)", lambda v: num(v, 1)),
        ("silhouette", "silhouette", lambda v: num(v, 3)),
        ("stability_mean", "stability (mean ARI)", lambda v: num(v, 3)),
        ("stability_std", "stability spread (std)", lambda v: num(v, 3)),
        ("is_selected", "chosen", text),
    ]
    return figure(svg, caption) + table(df, [c for c in columns if c[0] in df.columns])


K_SELECTION_NOTES = {
    "stability": "The most stable k among those whose silhouette is within "
    f"{SILHOUETTE_TOLERANCE:g} of the best.",
    "fixed": "Fixed by the dbt var segment_k.",
}


def render_run_stability(df: pd.DataFrame, context: ReportContext) -> str:
    return table(
        df,
        [
            ("fitted_at", "run fitted at", text),
            ("customers_in_both", "customers in both runs", context.currency.count),
            ("adjusted_rand_index", "adjusted Rand index (1 = identical)", lambda v: num(v, 3)),
            ("share_same_segment_name", "kept their segment name", pct),
        ],
    )


def render_served_tables(df: pd.DataFrame, context: ReportContext) -> str:
    return table(
        df,
        [
            ("table_name", "table", text),
            ("row_count", "rows", context.currency.count),
            ("description", "description", text),
        ],
    )


TOP_CUSTOMERS_PER_SEGMENT = 10
# Who to contact first within a segment (customer_360 columns; {h} is the horizon in days):
# At-risk by value at risk, the other segments by predicted spend.
TARGET_ORDER = (
    "case when segment_name = '{at_risk}' then value_at_risk_12m "
    "else predicted_spend_next_{h}d end desc, customer_id"
)


def top_customers_intro(days: int) -> str:
    return (
        f"The {TOP_CUSTOMERS_PER_SEGMENT} customers to contact first in each segment. "
        f"{at_risk_name()} customers are ranked by value at risk: predicted 12-month CLV times the "
        f"probability of no order in the next {days} days (value_at_risk_12m in customer_360), "
        "so customers likely to come back anyway drop down the list. The other segments are "
        f"ranked by predicted spend in the next {days} days. The CSV exports list everyone, in the "
        "same order."
    )


SECTIONS: tuple[Section, ...] = (
    Section(
        key="data-quality",
        title="Data quality",
        intro="How each raw table was reconciled into clean rows.",
        tables=("data_quality_summary",),
        sql="select * from data_quality_summary order by table_name",
        render=render_data_quality,
    ),
    Section(
        key="monthly-revenue",
        title="Monthly revenue",
        intro="Net revenue per calendar month, with the festive season highlighted.",
        tables=("monthly_revenue",),
        sql="select * from monthly_revenue order by month_start",
        render=render_monthly_revenue,
        intro_for=lambda context: context.monthly_revenue_intro,
    ),
    Section(
        key="distributions",
        title="Customer distributions",
        intro="Spend, frequency, recency and age of buying customers at the cutoff date.",
        tables=("customer_features",),
        sql="select monetary, frequency, recency_days, age from customer_features",
        render=render_distributions,
    ),
    Section(
        key="category-mix",
        title="Category mix",
        intro="Where the revenue comes from.",
        tables=("category_mix",),
        sql="select * from category_mix order by net_revenue desc",
        render=render_category_mix,
    ),
    Section(
        key="segments",
        title="Segments: size and revenue",
        intro="K-Means segments on behaviour: how many customers each holds and what they spend.",
        tables=("segment_summary",),
        sql="select * from segment_summary order by segment_id",
        render=render_segment_sizes,
    ),
    Section(
        key="segment-profiles",
        title="Segment profiles",
        intro="The typical customer of each segment, the numbers that earned its name, and what "
        "marketing should do about them.",
        tables=("segment_summary",),
        sql="select * from segment_summary order by segment_id",
        render=render_segment_profiles,
    ),
    Section(
        key="rfm-grid",
        title="RFM grid",
        intro="Customers by recency and frequency quintile.",
        tables=("customer_features",),
        sql="select r_score, f_score, count(*) as customers from customer_features "
        "group by r_score, f_score",
        render=render_rfm_grid,
    ),
    Section(
        key="rfm-segments",
        title="RFM segments",
        intro="The classic RFM segments (from r, f and m scores) and their size.",
        tables=("customer_360",),
        sql="select rfm_segment_label, count(*) as customers, "
        "count(*) / sum(count(*)) over () as customer_share, "
        "avg(recency_days) as avg_recency_days, avg(frequency) as avg_frequency, "
        "avg(monetary) as avg_monetary "
        "from customer_360 where rfm_segment is not null "
        "group by rfm_segment_label order by customers desc",
        render=render_rfm_segments,
    ),
    Section(
        key="at-risk-groups",
        title="{at_risk} (K-Means) and At risk (RFM)",
        intro="Two groups with similar names: what each means, and how many customers they share.",
        tables=("customer_360",),
        sql="select segment_name = '{at_risk}' as in_kmeans_at_risk, "
        f"rfm_segment = '{RFM_AT_RISK}' as in_rfm_at_risk, segment_name, rfm_segment_label, "
        "count(*) as customers from customer_360 "
        f"where segment_name = '{{at_risk}}' or rfm_segment = '{RFM_AT_RISK}' "
        "group by all order by customers desc",
        render=render_at_risk_groups,
    ),
    Section(
        key="segment-migration",
        title="Segment migration since the last run",
        intro="Customers moving between segments from one run to the next.",
        tables=("segment_migration",),
        sql="select * from segment_migration",
        render=render_segment_migration,
        empty_note="No migration yet: segment_history holds a single run. It appears after the "
        "next run.",
    ),
    Section(
        key="segment-stability",
        title="Segment stability between runs",
        intro="Agreement between consecutive segmentation runs over the customers both scored.",
        tables=("segment_run_stability",),
        sql="select * from segment_run_stability order by fitted_at desc",
        render=render_run_stability,
        empty_note="No comparison yet: segment_history holds a single run.",
    ),
    Section(
        key="k-selection",
        title="Number of segments",
        intro="How well separated the segments are for each candidate number of segments.",
        tables=("segment_k_selection",),
        sql="select k, inertia, silhouette, stability_mean, stability_std, is_selected, "
        "k_selection from segment_k_selection order by k",
        render=render_k_selection,
    ),
    Section(
        key="models",
        title="Prediction models against their baselines",
        intro="Every candidate model and naive baseline, averaged over the rolling-origin "
        "backtest folds: each fold evaluates at an earlier cutoff, trained only on what was "
        "known before it (docs/backtests.md).",
        tables=("model_backtest_summary",),
        sql="select model_name, model_kind, task, split, metric, mean_value as value, "
        "standard_error, folds, is_published, is_selection_metric from model_backtest_summary",
        render=render_model_metrics,
    ),
    Section(
        key="backtests",
        title="Backtest folds",
        intro="The selection metric and the totals bias (total predicted / total actual) of "
        "every model on each backtest fold; fold 1 is the latest cutoff. With a year of "
        "history, the published spend model's totals bias with each fold scaled by its actual / "
        "predicted spend a year earlier (the season calibration: the published predictions are "
        "scaled by the season only when this helps, model_metrics season_scale_applied).",
        tables=("model_metrics",),
        sql="select task, metric, fold, cutoff_date, model_name, value from model_metrics "
        "where split = 'evaluate' and fold is not null and (is_selection_metric "
        "or metric in ('total_ratio', 'total_ratio_season')) order by task, metric, fold",
        render=render_backtest_folds,
        empty_note="No backtest fold: the history is too short for an out-of-time evaluation.",
    ),
    Section(
        key="calibration",
        title="Calibration of the purchase probabilities",
        intro="Predicted purchase probability against the observed purchase rate on the "
        "backtest folds, for the published purchase model.",
        tables=("model_calibration",),
        sql="select * from model_calibration order by probability, bin",
        render=render_calibration,
        empty_note="No backtest predictions to calibrate on.",
    ),
    Section(
        key="lift",
        title="Lift",
        intro="How much better than random the purchase model ranks customers (evaluation split).",
        tables=("prediction_lift",),
        sql="select * from prediction_lift where task = 'purchase' order by decile",
        render=render_lift,
    ),
    Section(
        key="predicted-vs-actual",
        title="Predicted vs actual spend",
        intro="Calibration of the spend model on the evaluation split.",
        tables=("prediction_lift",),
        sql="select * from prediction_lift where task = 'spend' order by decile",
        render=render_predicted_vs_actual,
    ),
    Section(
        key="top-customers",
        title="Top customers to target per segment",
        intro="",
        tables=("customer_360",),
        sql="select * from (select segment_id, segment_name, customer_id, rfm_segment_label, "
        "p_purchase_next_{h}d, predicted_spend_next_{h}d, predicted_clv_12m, value_at_risk_12m, "
        "recency_days, favourite_category, row_number() over (partition by segment_id order by "
        f"{TARGET_ORDER}) as rank_in_segment "
        "from customer_360 where segment_id is not null) "
        f"where rank_in_segment <= {TOP_CUSTOMERS_PER_SEGMENT} "
        "order by segment_id, rank_in_segment",
        render=render_top_customers,
        intro_for=lambda context: top_customers_intro(context.horizon_days),
    ),
    Section(
        key="served-tables",
        title="What is in the served warehouse",
        intro="Tables BI tools and analysts can query in analytics.duckdb (open it read-only).",
        tables=("served_tables",),
        sql="select table_name, row_count, description from served_tables order by table_name",
        render=render_served_tables,
    ),
)


def not_enough(df: pd.DataFrame) -> bool:
    """True when a query returned no rows (the section then says so instead of a blank chart)."""
    return df.empty or bool(np.all(df.isna().to_numpy()))
