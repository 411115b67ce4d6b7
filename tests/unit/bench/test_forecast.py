"""The forecast harness's own parts: the extract cut at T holds exactly what was known at T, the
held-out scores are the documented metrics, and the docs table is replaced between its markers."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from bench.forecast import TABLE_END, TABLE_START, write_docs_table
from bench.forecast_data import PARSE_TS, cut_extract
from bench.forecast_scores import score_predictions
from models_py.demo_data import generate

CUTOFF = dt.date(2026, 1, 31)


def _orders(con: duckdb.DuckDBPyConnection, folder: Path) -> pd.DataFrame:
    return con.execute(
        f"select order_id, parse_ts(order_ts) as placed, parse_ts(updated_at) as updated "
        f"from read_csv('{folder}/orders.csv', header = true, all_varchar = true)"
    ).df()


def test_cut_extract_keeps_what_was_known_at_the_cutoff(tmp_path: Path) -> None:
    generate(300, 4, tmp_path / "full", "csv")
    cut_extract(tmp_path / "full", tmp_path / "cut", CUTOFF)
    limit = pd.Timestamp(CUTOFF) + pd.Timedelta(days=1)
    with duckdb.connect() as con:
        con.execute(PARSE_TS)
        full, cut = _orders(con, tmp_path / "full"), _orders(con, tmp_path / "cut")
        lines, full_lines = (
            con.execute(
                f"select order_id from read_csv('{tmp_path}/{folder}/order_lines.csv', "
                "header = true, all_varchar = true)"
            ).df()
            for folder in ("cut", "full")
        )
    known = full[~(full["placed"] >= limit) & ~(full["updated"] >= limit)]
    assert len(cut) == len(known) < len(full)
    assert not (cut["placed"] >= limit).any()
    # Every line of a kept order stays; lines of orders placed later go.
    later = set(full["order_id"]) - set(cut["order_id"])
    assert not set(lines["order_id"]) & later
    kept = full_lines[full_lines["order_id"].isin(set(cut["order_id"]))]
    assert len(kept) == int(lines["order_id"].isin(set(cut["order_id"])).sum())
    for table in ("customers", "products"):
        assert (tmp_path / "cut" / f"{table}.csv").stat().st_size > 0
    # An export that starts a year before the cutoff: only orders placed after its first day.
    first = CUTOFF - dt.timedelta(days=365)
    cut_extract(tmp_path / "full", tmp_path / "year", CUTOFF, first)
    with duckdb.connect() as con:
        con.execute(PARSE_TS)
        year = _orders(con, tmp_path / "year")
    start = pd.Timestamp(first) + pd.Timedelta(days=1)
    assert len(year) == int((~(known["placed"] < start)).sum()) < len(known)
    assert not (year["placed"] < start).any()


def test_held_out_scores() -> None:
    predictions = pd.DataFrame(
        {
            "model": ["m"] * 4,
            "customer_id": ["a", "b", "c", "d"],
            "p_purchase": [0.9, 0.2, 0.6, 0.1],
            "predicted_spend": [100.0, 0.0, 50.0, 10.0],
        }
    )
    # d ordered nothing after the cutoff, so it has no row: spend 0, no purchase.
    actual = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "actual_orders": [2, 0, 1],
            "actual_spend": [80.0, 0.0, 20.0],
        }
    )
    row = score_predictions(predictions, actual).iloc[0]
    assert row["customers"] == 4
    assert row["spend_rmse"] == pytest.approx(((20**2 + 0 + 30**2 + 10**2) / 4) ** 0.5)
    assert row["purchase_roc_auc"] == pytest.approx(1.0)  # both buyers above both non-buyers
    assert row["total_predicted_over_actual"] == pytest.approx(160 / 100)


def test_docs_table_goes_between_the_markers(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(f"intro\n{TABLE_START}\nold\n{TABLE_END}\noutro\n")
    write_docs_table("| new |", page)
    assert page.read_text() == f"intro\n{TABLE_START}\n| new |\n{TABLE_END}\noutro\n"
    page.write_text("no markers")
    with pytest.raises(ValueError, match="markers"):
        write_docs_table("| new |", page)
