"""The report follows the currency and calendar of the build (report_context): INR keeps the
Indian look (₹, lakh/crore grouping, L/Cr axis units, Diwali wording); other currencies get
their symbol or code, Western grouping and K/M units, and no Indian wording."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml
from helpers import ROOT as REPO_ROOT

from models_py.report import build_report
from models_py.report.context import ReportContext, parse_festive_months, read_context
from models_py.report.money import Currency, indian_grouping
from models_py.report.sections import HEADLINES, SECTIONS, render_monthly_revenue
from models_py.serving.publish import PUBLISHED_TABLES

ROOT = REPO_ROOT
INDIAN_WORDS = re.compile(r"\u20b9|rupee|lakh|crore|diwali|\d L<|\d Cr<", re.I)


# ---------------------------------------------------------------------------------------------
# Formatting helpers


@pytest.mark.parametrize("integer", [0, 7, 999, 1000, 12345, 100000, 1859604101, -1234567])
def test_grouping_follows_the_currency(integer: int) -> None:
    western = Currency(code="GBP").count(integer)
    assert western == f"{integer:,d}"
    indian = Currency(code="INR").count(integer)
    assert indian == indian_grouping(integer)
    assert indian.replace(",", "") == western.replace(",", "") == str(integer)
    digits = indian.lstrip("-").split(",")
    # Indian grouping: the last group has three digits, every group before it two (lakh, crore)
    assert len(digits[-1]) == 3 or len(digits) == 1
    assert all(len(g) == 2 for g in digits[1:-1])


def test_money_uses_symbol_or_code() -> None:
    assert Currency(code="INR").amount(1859604101) == "\u20b91,85,96,04,101"
    assert Currency(code="gbp").amount(1234567.4) == "\u00a31,234,567"
    assert Currency(code="USD").amount(-1500) == "-$1,500"
    assert Currency(code="EUR").amount(12.345, decimals=2) == "\u20ac12.35"
    chf = Currency(code="CHF")
    assert chf.symbol == "CHF" and chf.amount(2500).replace("\u00a0", " ") == "CHF 2,500"
    assert (
        Currency(code="INR").amount(None) == Currency(code="GBP").amount(float("nan")) == "\u2013"
    )
    with pytest.raises(ValueError, match=r"report_context\.currency"):
        Currency(code="pounds")


def test_axis_units_lakh_crore_for_inr_and_k_m_otherwise() -> None:
    inr, gbp = Currency(code="INR"), Currency(code="GBP")
    assert [inr.axis(v) for v in (500, 25_000, 350_000, 25_000_000)] == [
        "\u20b9500",
        "\u20b925k",
        "\u20b93.5 L",
        "\u20b92.5 Cr",
    ]
    assert [gbp.axis(v) for v in (500, 25_000, 350_000, 25_000_000, 3e9)] == [
        "\u00a3500",
        "\u00a325K",
        "\u00a3350K",
        "\u00a325.0M",
        "\u00a33.0B",
    ]
    assert not any(INDIAN_WORDS.search(gbp.axis(v) + "<") for v in (1e5, 1e7, 1e9))


def test_amounts_from_a_lakh_up_are_compact_with_the_exact_amount_as_tooltip() -> None:
    inr, gbp = Currency(code="INR"), Currency(code="GBP")
    assert [inr.compact(v) for v in (146_641_077, 8_647_876, 99_999, -2_500_000)] == [
        "\u20b914.66 Cr",
        "\u20b986.48 L",
        "\u20b999,999",
        "-\u20b925.00 L",
    ]
    assert [gbp.compact(v) for v in (1_234_567, 999_999, 3.2e9)] == [
        "\u00a31.23M",
        "\u00a3999,999",
        "\u00a33.20B",
    ]
    assert inr.display(146_641_077) == (
        '<span class="money" title="\u20b914,66,41,077">\u20b914.66 Cr</span>'
    )
    assert inr.display(45_230) == "\u20b945,230" and inr.display(None) == "\u2013"
    # the same units as the chart axes
    assert {suffix for _, suffix in inr.units()} <= {suffix for _, suffix in inr.units(axis=True)}


def test_festive_months_parse_and_reject_bad_text() -> None:
    assert parse_festive_months("10,11,12") == (10, 11, 12)
    assert parse_festive_months(" 12, 3 ,3") == (3, 12)
    assert parse_festive_months("") == parse_festive_months(None) == ()
    with pytest.raises(ValueError, match="festive_months"):
        parse_festive_months("13")


MONTHS = pd.DataFrame(
    {
        "month_start": pd.date_range("2024-01-01", periods=12, freq="MS"),
        "net_revenue": [float(1_000_000 + 250_000 * i) for i in range(12)],
        "is_festive_month": [m in (10, 11, 12) for m in range(1, 13)],
    }
)


def test_monthly_revenue_section_in_inr_keeps_the_indian_look() -> None:
    html = render_monthly_revenue(MONTHS, ReportContext())
    assert "net revenue (\u20b9)" in html
    assert "Diwali" in html and "festive season (Oct-Dec)" in html
    assert " L<" in html or " Cr<" in html  # lakh/crore axis ticks
    assert "\u20b937.50 L" in html  # the peak month, in lakh
    assert 'title="\u20b937,50,000"' in html  # its exact amount as the tooltip


def test_monthly_revenue_section_in_gbp_says_pounds_and_highlighted_months() -> None:
    html = render_monthly_revenue(MONTHS, ReportContext(currency=Currency(code="GBP")))
    assert INDIAN_WORDS.search(html) is None
    assert "net revenue (\u00a3)" in html and "\u00a33.75M" in html
    assert 'title="\u00a33,750,000"' in html
    assert "highlighted months (festive_months var" in html.lower()
    assert re.search(r"\u00a3\d(\.\d)?M<", html), "axis ticks in millions"
    assert 'role="img"' in html and "<title id=" in html


def test_monthly_revenue_section_without_festive_months_highlights_nothing() -> None:
    context = ReportContext(currency=Currency(code="USD"), festive_months=())
    html = render_monthly_revenue(MONTHS.assign(is_festive_month=False), context)
    assert INDIAN_WORDS.search(html) is None
    assert "highlighted" not in html.lower() and "festive" not in html.lower()
    assert "other months" not in html  # no legend
    assert "net revenue ($)" in html


# ---------------------------------------------------------------------------------------------
# A whole report from a small served file made here (no dbt run): a few tables only.


def make_served(path: Path, currency: str | None, festive_months: str = "11,12") -> None:
    with duckdb.connect(str(path)) as con:
        if currency is not None:
            con.execute(
                "create table report_context as select date '2024-12-31' as as_of_date, "
                "30 as horizon_days, date '2024-12-31' as data_end_date, "
                f"'{currency}' as currency, '{festive_months}' as festive_months"
            )
        con.execute(
            "create table fct_orders as select 'O' || i as order_id, 'C' || (i % 40) as "
            "customer_id, date '2024-01-01' + cast(i % 366 as integer) as order_date, "
            "'completed' as status, 2500.0 + i as spend_amount from range(1000) t(i)"
        )
        con.execute(
            "create table monthly_revenue as select cast(date_trunc('month', order_date) as date) "
            "as month_start, count(*) as completed_orders, sum(spend_amount) as net_revenue, "
            f"extract(month from order_date) in ({festive_months or 'null'}) "
            "as is_festive_month from fct_orders group by all"
        )
        con.execute(
            "create table data_quality_summary as select 'orders' as table_name, "
            "1200 as rows_read, 1200 as raw_rows,"
            " 1000 as clean_rows, 150 as duplicates_removed, 50 as quarantined_rows, "
            "0 as excluded_test_rows"
        )


@pytest.mark.parametrize("festive_months", ["11,12", ""])
def test_report_on_gbp_data_has_no_indian_wording(tmp_path: Path, festive_months: str) -> None:
    served = tmp_path / "analytics.duckdb"
    make_served(served, "GBP", festive_months)
    result = build_report(served, tmp_path / "report", tmp_path / "exports")
    html = result.html_path.read_text(encoding="utf-8")

    found = INDIAN_WORDS.findall(html)
    assert found == [], f"Indian wording in a GBP report: {found}"
    assert "net revenue (\u00a3)" in html
    revenue = sum(2500.0 + i for i in range(1000))
    assert f"\u00a3{round(revenue):,d}" in html  # headline in Western grouping
    assert ("highlighted months" in html) == bool(festive_months)
    assert "festive season" not in html
    assert "as of 31 Dec 2024" in html  # the cutoff comes from report_context
    # sections whose tables are absent say so; the present ones render
    assert "Not available" in html
    assert "segments" in result.unavailable_sections
    assert "monthly-revenue" not in result.unavailable_sections
    for svg in re.findall(r"<svg\b[^>]*>.*?</svg>", html, flags=re.S):
        head = svg[: svg.index(">") + 1]
        assert 'role="img"' in head and "aria-labelledby=" in head and "<title id=" in svg
    assert not re.search(r"https?://|<(script|link|img)\b", html)


def test_report_without_report_context_defaults_to_inr(tmp_path: Path) -> None:
    served = tmp_path / "analytics.duckdb"
    make_served(served, None, "10,11,12")
    html = build_report(served, tmp_path / "report", tmp_path / "exports").html_path.read_text(
        encoding="utf-8"
    )
    assert "net revenue (\u20b9)" in html and "Diwali" in html
    revenue = sum(2500.0 + i for i in range(1000))
    assert f"\u20b9{indian_grouping(round(revenue))}" in html
    with duckdb.connect(str(served), read_only=True) as con:
        assert read_context(con, set()) == ReportContext()


# ---------------------------------------------------------------------------------------------
# Publishing and lineage stay in step with what the report reads.


def test_report_context_is_published_and_in_both_exposures() -> None:
    exposures = {
        e["name"]: {ref.split("'")[1] for ref in e["depends_on"]}
        for e in yaml.safe_load(
            (
                ROOT / "dbt_project" / "models" / "reporting" / "_reporting__exposures.yml"
            ).read_text()
        )["exposures"]
    }
    assert "report_context" in PUBLISHED_TABLES
    assert "report_context" in exposures["bi_dashboard"]
    read = {"report_context", "customer_predictions"}
    read |= {t for s in SECTIONS for t in s.tables} | {t for h in HEADLINES for t in h.tables}
    read.discard("served_tables")  # written by publish itself, not a dbt model
    assert read <= exposures["customer_report"], read - exposures["customer_report"]
    assert read <= set(PUBLISHED_TABLES)
