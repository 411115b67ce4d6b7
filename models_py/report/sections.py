"""The report's sections. Each is one SQL query on the served warehouse plus a small function that
turns its result (a DataFrame) into HTML. The SQL is shown under each section in the report, so an
analyst can rerun it in any SQL client."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from models_py.report import charts
from models_py.report.context import ReportContext
from models_py.report.html import figure, num, pct, table, text, unavailable


@dataclass(frozen=True)
class Section:
    """One report section. `sql` may contain `{h}`, the prediction horizon in days: the
    prediction columns name their window (p_purchase_next_90d for horizon_days = 90)."""

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
        return self.sql.replace("{h}", str(int(horizon_days)))

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
        MONEY: context.currency.amount,
        COUNT: context.currency.count,
        SHARE: pct,
        "num": num,
        "text": text,
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
        "customers",
        "Customers",
        ("dim_customers",),
        "select count(*) from dim_customers",
        COUNT,
        "clean customer records (test accounts excluded)",
    ),
    Headline(
        "buying_customers",
        "Buying customers",
        ("customer_features",),
        "select count(*) from customer_features",
        COUNT,
        "with at least one completed order by the cutoff",
    ),
    Headline(
        "net_revenue",
        "Net revenue",
        ("fct_orders",),
        "select sum(spend_amount) from fct_orders",
        MONEY,
        "completed orders, net of discounts and returned items ({unit})",
    ),
    Headline(
        "completed_orders",
        "Completed orders",
        ("fct_orders",),
        "select count(*) from fct_orders where status = 'completed'",
        COUNT,
        "cancelled and returned orders excluded",
    ),
    Headline(
        "active_share",
        "Active customers",
        ("customer_features",),
        "select avg(case when recency_days <= 90 then 1.0 else 0.0 end) from customer_features",
        SHARE,
        "of buying customers ordered in the 90 days before the cutoff",
    ),
    Headline(
        "expected_revenue_next_horizon",
        "Expected revenue, next {h} days",
        ("customer_predictions",),
        "select sum(predicted_spend) from customer_predictions",
        MONEY,
        "sum of every customer's predicted spend after the cutoff ({unit})",
    ),
    Headline(
        "raw_rows",
        "Raw rows read",
        ("data_quality_summary",),
        "select sum(rows_read) from data_quality_summary",
        COUNT,
        "all four raw tables, from the input files",
    ),
    Headline(
        "duplicates_removed",
        "Duplicates removed",
        ("data_quality_summary",),
        "select sum(duplicates_removed) from data_quality_summary",
        COUNT,
        "exact duplicates and superseded re-sends",
    ),
    Headline(
        "quarantined_rows",
        "Rows quarantined",
        ("data_quality_summary",),
        "select sum(quarantined_rows) from data_quality_summary",
        COUNT,
        "kept aside with a reason in quarantine_* tables",
    ),
    Headline(
        "excluded_test_rows",
        "Test-account rows excluded",
        ("data_quality_summary",),
        "select sum(excluded_test_rows) from data_quality_summary",
        COUNT,
        "internal test accounts and their orders",
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
    money, currency = context.currency.amount, context.currency
    labels = [pd.Timestamp(m).strftime("%b %Y") for m in df["month_start"]]
    highlight = None
    if context.highlight_label:
        highlight = [bool(f) for f in df["is_festive_month"].fillna(False)]
    top = df.nlargest(3, "net_revenue")
    peaks = ", ".join(
        f"{pd.Timestamp(m).strftime('%b %Y')} ({money(v)})"
        for m, v in zip(top["month_start"], top["net_revenue"], strict=True)
    )
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
        highlight_label=context.highlight_label,
    )
    note = f"{context.highlight_note} " if context.highlight_note else ""
    return figure(svg, f"{note}Highest months: {peaks}.")


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
        fmt = currency.amount if is_money else num
        summary = f"median {fmt(values.median())}; 90th percentile {fmt(values.quantile(0.9))}"
        svg = charts.histogram(
            values.tolist(),
            title=title,
            xlabel=label,
            description=f"Histogram of {column} over {len(values)} customers: {summary}.",
            log_x=log_x,
            money=currency.axis if is_money else None,
        )
        figures.append(figure(svg, f"{summary} ({len(values)} customers)"))
    return f'<div class="grid2">{"".join(figures)}</div>'


def render_category_mix(df: pd.DataFrame, context: ReportContext) -> str:
    currency = context.currency
    svg = charts.bar_chart(
        df["category"].tolist(),
        df["net_revenue"].astype(float).tolist(),
        title="Net revenue by product category",
        xlabel=f"net revenue ({currency.symbol})",
        ylabel="category",
        description=f"Horizontal bar chart of net revenue in {currency.noun} per category, "
        "largest first.",
        money=currency.axis,
        horizontal=True,
    )
    return figure(svg, "Completed orders only, net of discounts.") + table(
        df,
        [
            ("category", "category", text),
            ("net_revenue", "net revenue", currency.amount),
            ("revenue_share", "share of revenue", pct),
            ("customers", "customers", currency.count),
            ("items", "items sold", currency.count),
        ],
    )


def render_segment_sizes(df: pd.DataFrame, context: ReportContext) -> str:
    currency = context.currency
    expected, days = horizon_column(df, "expected_revenue_next_")
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
            ("net_revenue", "net revenue", currency.amount),
            ("revenue_share", "share of revenue", pct),
            (expected, f"expected revenue next {days} days", currency.amount),
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
    ("recommended_action", "recommended action", "text"),
)


def render_segment_profiles(df: pd.DataFrame, context: ReportContext) -> str:
    _, days = horizon_column(df, "avg_p_purchase_next_")
    head = "".join(f'<th scope="col">{text(name)}</th>' for name in df["segment_name"])
    rows = []
    for column_template, label_template, kind in PROFILE_ROWS:
        column = column_template.replace("{h}", str(days))
        label = unit_label(label_template, context, days)
        if column not in df.columns:
            continue
        fmt = formatter(kind, context)
        cells = "".join(
            f"<td{'' if fmt is text else ' class=num'}>{fmt(v)}</td>" for v in df[column]
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
            ("rfm_segment", "RFM segment", text),
            ("customers", "customers", currency.count),
            ("customer_share", "share", pct),
            ("avg_recency_days", "avg days since last order", num),
            ("avg_frequency", "avg orders", num),
            ("avg_monetary", f"avg net spend ({currency.symbol})", currency.amount),
        ],
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
    money, unit = context.currency.amount, context.currency.symbol
    return {
        "roc_auc": ("ROC AUC", lambda v: num(v, 3)),
        "log_loss": ("log loss", lambda v: num(v, 3)),
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
        "top_decile_lift": ("top-decile lift", lambda v: num(v, 2)),
        "rows": ("customers", context.currency.count),
    }


def render_model_metrics(df: pd.DataFrame, context: ReportContext) -> str:
    formats = metric_formats(context)
    parts = []
    for (task, split), frame in df.groupby(["task", "split"], sort=True):
        wide = frame.pivot_table(
            index=["model_name", "is_published"], columns="metric", values="value", aggfunc="first"
        ).reset_index()
        wide = wide.sort_values(["is_published", "model_name"], ascending=[False, True])
        present = [c for c in wide.columns if c not in ("model_name", "is_published")]
        metrics = [m for m in formats if m in present] + sorted(
            m for m in present if m not in formats
        )
        labels = {m: formats.get(m, (m.replace("_", " "), num))[0] for m in metrics}
        head = "".join(f'<th scope="col">{text(labels[m])}</th>' for m in metrics)
        rows = []
        for record in wide.to_dict("records"):
            marker = " (published)" if record["is_published"] else ""
            cls = ' class="published"' if record["is_published"] else ""
            cells = "".join(
                f"<td class=num>{formats.get(m, ('', lambda v: num(v, 3)))[1](record[m])}</td>"
                for m in metrics
            )
            rows.append(f"<tr{cls}><td>{text(record['model_name'])}{marker}</td>{cells}</tr>")
        caption = f"{task}: {'out-of-time evaluation' if split == 'evaluate' else split} split"
        parts.append(
            f'<div class="table-wrap"><table><caption>{text(caption)}</caption>'
            f'<thead><tr><th scope="col">model</th>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )
    return "".join(parts) + (
        "<p>zero, last_window and btyd are baselines; the published model of each task is "
        "the one chosen on this split (highlighted). Lower is better for log loss, RMSE and "
        "MAE; higher for the rest.</p>"
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
    parts = []
    for segment, frame in df.groupby("segment_name", sort=False):
        parts.append(
            f"<h3>{text(segment)}</h3>"
            + table(
                frame,
                [
                    ("customer_id", "customer", text),
                    (p_purchase, f"P(purchase next {days} days)", pct),
                    (
                        spend,
                        f"predicted spend next {days} days ({currency.symbol})",
                        currency.amount,
                    ),
                    ("monetary", f"net spend to date ({currency.symbol})", currency.amount),
                    ("recency_days", "days since last order", currency.count),
                    ("favourite_category", "favourite category", text),
                ],
            )
        )
    return "".join(parts)


def render_k_selection(df: pd.DataFrame, context: ReportContext) -> str:
    df = df.sort_values("k")
    chosen = df.loc[df["is_selected"].astype(bool), "k"]
    svg = charts.line_chart(
        df["k"].astype(float).tolist(),
        {"silhouette (higher is better)": df["silhouette"].astype(float).tolist()},
        title="Choosing the number of segments",
        xlabel="number of segments k",
        ylabel="silhouette score",
        description="Silhouette score for each candidate number of K-Means segments; the "
        "chosen k is marked in the table below.",
    )
    return figure(svg, f"Chosen k: {', '.join(str(int(k)) for k in chosen)}.") + table(
        df,
        [
            ("k", "k", context.currency.count),
            ("inertia", "inertia (within-segment sum of squares)", lambda v: num(v, 1)),
            ("silhouette", "silhouette", lambda v: num(v, 3)),
            ("is_selected", "chosen", text),
        ],
    )


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

SECTIONS: tuple[Section, ...] = (
    Section(
        "data-quality",
        "Data quality",
        "How each raw table was reconciled into clean rows.",
        ("data_quality_summary",),
        "select * from data_quality_summary order by table_name",
        render_data_quality,
    ),
    Section(
        "monthly-revenue",
        "Monthly revenue",
        "Net revenue per calendar month, with the festive season highlighted.",
        ("monthly_revenue",),
        "select * from monthly_revenue order by month_start",
        render_monthly_revenue,
        intro_for=lambda context: context.monthly_revenue_intro,
    ),
    Section(
        "distributions",
        "Customer distributions",
        "Spend, frequency, recency and age of buying customers at the cutoff date.",
        ("customer_features",),
        "select monetary, frequency, recency_days, age from customer_features",
        render_distributions,
    ),
    Section(
        "category-mix",
        "Category mix",
        "Where the revenue comes from.",
        ("category_mix",),
        "select * from category_mix order by net_revenue desc",
        render_category_mix,
    ),
    Section(
        "segments",
        "Segments: size and revenue",
        "K-Means segments on behaviour: how many customers each holds and what they spend.",
        ("segment_summary",),
        "select * from segment_summary order by segment_id",
        render_segment_sizes,
    ),
    Section(
        "segment-profiles",
        "Segment profiles",
        "The typical customer of each segment, and what marketing should do about them.",
        ("segment_summary",),
        "select * from segment_summary order by segment_id",
        render_segment_profiles,
    ),
    Section(
        "rfm-grid",
        "RFM grid",
        "Customers by recency and frequency quintile.",
        ("customer_features",),
        "select r_score, f_score, count(*) as customers from customer_features "
        "group by r_score, f_score",
        render_rfm_grid,
    ),
    Section(
        "rfm-segments",
        "RFM segments",
        "The classic RFM segment names (from r, f and m scores) and their size.",
        ("customer_features",),
        "select rfm_segment, count(*) as customers, "
        "count(*) / sum(count(*)) over () as customer_share, "
        "avg(recency_days) as avg_recency_days, avg(frequency) as avg_frequency, "
        "avg(monetary) as avg_monetary "
        "from customer_features group by rfm_segment order by customers desc",
        render_rfm_segments,
    ),
    Section(
        "segment-migration",
        "Segment migration since the last run",
        "Customers moving between segments from one run to the next.",
        ("segment_migration",),
        "select * from segment_migration",
        render_segment_migration,
        "No migration yet: segment_history holds a single run. It appears after the next run.",
    ),
    Section(
        "segment-stability",
        "Segment stability between runs",
        "Agreement between consecutive segmentation runs over the customers both scored.",
        ("segment_run_stability",),
        "select * from segment_run_stability order by fitted_at desc",
        render_run_stability,
        "No comparison yet: segment_history holds a single run.",
    ),
    Section(
        "k-selection",
        "Number of segments",
        "How well separated the segments are for each candidate number of segments.",
        ("segment_k_selection",),
        "select k, inertia, silhouette, is_selected from segment_k_selection order by k",
        render_k_selection,
    ),
    Section(
        "models",
        "Prediction models against their baselines",
        "Every candidate model and naive baseline on the out-of-time evaluation split.",
        ("model_metrics",),
        "select model_name, task, split, metric, value, is_published from model_metrics "
        "where split <> 'train'",
        render_model_metrics,
    ),
    Section(
        "lift",
        "Lift",
        "How much better than random the purchase model ranks customers (evaluation split).",
        ("prediction_lift",),
        "select * from prediction_lift where task = 'purchase' order by decile",
        render_lift,
    ),
    Section(
        "predicted-vs-actual",
        "Predicted vs actual spend",
        "Calibration of the spend model on the evaluation split.",
        ("prediction_lift",),
        "select * from prediction_lift where task = 'spend' order by decile",
        render_predicted_vs_actual,
    ),
    Section(
        "top-customers",
        "Top customers to target per segment",
        f"The {TOP_CUSTOMERS_PER_SEGMENT} customers with the highest predicted spend in each "
        "segment. Full lists per segment are in the CSV exports.",
        ("customer_360",),
        "select * from (select segment_id, segment_name, customer_id, p_purchase_next_{h}d, "
        "predicted_spend_next_{h}d, monetary, recency_days, favourite_category, "
        "row_number() over (partition by segment_id order by predicted_spend_next_{h}d desc, "
        "customer_id) as rank_in_segment from customer_360 where segment_id is not null) "
        f"where rank_in_segment <= {TOP_CUSTOMERS_PER_SEGMENT} "
        "order by segment_id, rank_in_segment",
        render_top_customers,
    ),
    Section(
        "served-tables",
        "What is in the served warehouse",
        "Tables BI tools and analysts can query in analytics.duckdb (open it read-only).",
        ("served_tables",),
        "select table_name, row_count, description from served_tables order by table_name",
        render_served_tables,
    ),
)


def not_enough(df: pd.DataFrame) -> bool:
    """True when a query returned no rows (the section then says so instead of a blank chart)."""
    return df.empty or bool(np.all(df.isna().to_numpy()))
