"""Right numbers or a clear refusal, end to end on the flat sample export (prepare + the real
`dbt build`, published): exact duplicate lines dropped and counted, every row read reconciled in
the served data_quality_summary with the left-out rows in quarantine_prepare, and nonsense cutoffs
warned about in run_warnings or refused with a named cause (never a Python traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from helpers import Warehouse, dbt_env, run_dbt, synthetic_features

from models_py.byod import load_config, prepare
from models_py.byod.__main__ import main as byod_main
from models_py.byod.prepare import build_tables
from models_py.byod.samples import FLAT_INVOICE_CONFIG, write_flat_invoices
from models_py.cli import main as cli_main
from models_py.exit_codes import ExitCode
from models_py.pipeline.summary import format_run_warnings
from models_py.report.build import build_report
from models_py.segmentation.kmeans import select_k
from models_py.serving.publish import publish
from models_py.settings import SegmentSettings

pytestmark = pytest.mark.integration

CUSTOMERS = 150
MAPPED = ["InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice"]
MAPPED += ["CustomerID", "Country"]
# Where a runner test writes (each under its own folder).
RUNNER_PATHS = ("CA_SERVED_PATH", "CA_ARTIFACTS_DIR", "CA_REPORT_DIR", "CA_EXPORTS_DIR")


def read_export(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, encoding="latin-1", keep_default_na=False)


def write_export(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, encoding="latin-1")


def sample(root: Path, extra_config: str = "") -> tuple[Path, Path]:
    """The flat sample export and its config under `root`."""
    data = write_flat_invoices(root / "export" / "online_retail.csv", customers=CUSTOMERS)
    config = root / "export" / "config.yml"
    config.write_text(FLAT_INVOICE_CONFIG.format(path="online_retail.csv") + extra_config)
    return data, config


def build(root: Path, config: Path, check: bool = True):
    """prepare, then dbt build with the prepared vars; the dbt process result."""
    prepared = root / "prepared"
    prepare(load_config(config), prepared)
    env = dbt_env(prepared, root / "build.duckdb", root / "artifacts", raw_format="parquet")
    vars_ = (prepared / "dbt_vars.json").read_text()
    return run_dbt(env, root, "build", "--vars", vars_, check=check)


def served(root: Path) -> duckdb.DuckDBPyConnection:
    publish(root / "build.duckdb", root / "analytics.duckdb")
    return duckdb.connect(str(root / "analytics.duckdb"), read_only=True)


def completed_revenue(rows: pd.DataFrame) -> float:
    """Spend of completed (not "C") invoices' lines of identified customers with a valid date."""
    kept = rows[(rows["CustomerID"] != "") & ~rows["InvoiceDate"].str.startswith("31/02")]
    done = kept[~kept["InvoiceNo"].str.startswith("C")]
    return float((done["Quantity"].astype(int) * done["UnitPrice"].astype(float)).sum())


def test_copied_lines_dropped_counted_and_every_row_reconciled(tmp_path: Path) -> None:
    data, config = sample(tmp_path)
    original = read_export(data)
    assert not original[MAPPED].duplicated().any()
    copies = original.sample(frac=0.1, random_state=5)
    write_export(pd.concat([original, copies], ignore_index=True), data)
    build(tmp_path, config)
    con = served(tmp_path)

    spend = con.sql("select sum(spend_amount) from fct_orders").fetchall()[0][0]
    assert float(spend) == pytest.approx(completed_revenue(original), abs=0.01)

    quality = con.sql("select * from data_quality_summary").df().set_index("table_name")
    lines = quality.loc["order_lines"]
    assert lines["input_table"] == "transactions"
    assert lines["rows_read"] == len(original) + len(copies)
    assert lines["duplicates_removed_in_prepare"] == len(copies)
    assert lines["duplicates_removed"] >= len(copies)
    per_file = con.sql("select * from prepare_accounting").df().to_dict("records")
    assert per_file == [
        {
            "input_table": "transactions",
            "input_file": str(data),
            "raw_table": "order_lines",
            "rows_read": len(original) + len(copies),
            "exact_duplicates_dropped": len(copies),
            "quarantined_rows": lines["quarantined_in_prepare"],
            "rows_passed_on": lines["raw_rows"],
        }
    ]
    buckets = ["clean_rows", "duplicates_removed", "quarantined_rows", "excluded_test_rows"]
    assert (quality["rows_read"] == quality[buckets].sum(axis=1)).all()

    # Rows left out while preparing are served with their file, row number and reason.
    held = con.sql("select * from quarantine_prepare").df()
    assert lines["quarantined_in_prepare"] == len(held) > 0
    no_customer = original.index[original["CustomerID"] == ""]
    bad_date = original.index[original["InvoiceDate"].str.startswith("31/02")]
    by_reason = held.groupby("reason")["row_number"].apply(set).to_dict()
    assert by_reason["missing customer_id"] == {i + 1 for i in no_customer}
    assert (
        by_reason["unparseable order_ts"]
        == {i + 1 for i in bad_date} - by_reason["missing customer_id"]
    )
    assert set(held["input_file"]) == {str(data)}
    assert held["raw_values"].str.contains('"CustomerID"').all()


def test_exact_duplicates_kept_when_configured(tmp_path: Path) -> None:
    data, config = sample(tmp_path, "keep_exact_duplicates: true\n")
    original = read_export(data)
    write_export(pd.concat([original, original.head(40)], ignore_index=True), data)
    tables, quarantine, accounting = build_tables(load_config(config))
    assert accounting["exact_duplicates_dropped"].tolist() == [0]
    assert len(tables["order_lines"]) + len(quarantine) == len(original) + 40


def test_cutoff_before_all_orders_refused_by_prepare(tmp_path: Path, capsys) -> None:
    _, config = sample(tmp_path, "as_of_date: 2019-01-01\n")
    out = tmp_path / "prepared"
    assert byod_main(["prepare", "--config", str(config), "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert "as_of_date 2019-01-01 is before the first order" in error
    assert "the orders run from 2023-" in error
    assert not out.exists()


def test_cutoff_years_after_last_order_published_with_warning(tmp_path: Path, capsys) -> None:
    _, config = sample(tmp_path, "as_of_date: 2031-06-30\n")
    build(tmp_path, config)
    con = served(tmp_path)
    warnings = con.sql("select warning_code, severity, message from run_warnings").df()
    late = warnings.set_index("warning_code").loc["cutoff_after_last_order"]
    last = con.sql("select max(order_date) from fct_orders").fetchall()[0][0]
    days = (pd.Timestamp("2031-06-30") - pd.Timestamp(last)).days
    assert late["severity"] == "warning"
    assert f"as_of_date 2031-06-30 is {days} days after the last order ({last})" in late["message"]
    assert "every customer is inactive" in late["message"]
    assert "cutoff_after_last_order" in format_run_warnings(con)

    # The report shows the warnings first; the run's summary prints them.
    report = build_report(tmp_path / "analytics.duckdb", tmp_path / "report", tmp_path / "csv")
    html = report.html_path.read_text(encoding="utf-8")
    assert -1 < html.find('id="run-warnings"') < html.find('id="headline"')
    assert f"is {days} days after the last order" in html
    assert cli_main(["summary", "--warehouse", str(tmp_path / "build.duckdb")]) == 0
    assert "WARNING cutoff_after_last_order: as_of_date 2031-06-30" in capsys.readouterr().out


def test_short_history_and_few_customers_published_with_warnings(tmp_path: Path) -> None:
    """Four months of orders: too little for an out-of-time evaluation; fewer customers than
    the segments asked for."""
    _, config = sample(tmp_path, "as_of_date: 2023-04-20\ndbt_vars: {segment_k: 60}\n")
    build(tmp_path, config)
    con = served(tmp_path)
    warnings = dict(con.sql("select warning_code, message from run_warnings").fetchall())
    customers = con.sql("select count(*) from customer_features").fetchall()[0][0]
    segments = con.sql("select count(distinct segment_id) from customer_segments").fetchall()[0][0]
    modes = con.sql("select distinct evaluation_mode from model_registry").fetchall()
    assert customers < 60
    assert warnings["fewer_customers_than_segments"].startswith(
        f"{customers} customers with features, fewer than segment_k (60): {segments} segments"
    )
    assert (
        "an out-of-time evaluation needs 2 x horizon_days = 180 days"
        in (warnings["predictions_not_out_of_time"])
    )
    assert modes in ([("in_sample",)], [("none",)])


def refusal(result) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stdout
    # Segmentation and prediction never ran on the nonsense input: skipped, not crashed.
    assert "ERROR creating python" not in result.stdout
    return result.stdout


def test_one_day_of_data_refused_by_the_runner_naming_the_cause(tmp_path: Path) -> None:
    data, config = sample(tmp_path)
    rows = read_export(data)
    rows["InvoiceDate"] = "15/06/2024 10:00"
    write_export(rows, data)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CA_")}
    env.update(
        {name: str(tmp_path / "out" / name.lower()) for name in RUNNER_PATHS},
        CA_WAREHOUSE_PATH=str(tmp_path / "out" / "build.duckdb"),
        DO_NOT_TRACK="1",
    )
    result = subprocess.run(
        [sys.executable, "-m", "models_py", "run", "--config", str(config), "--no-wait"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == ExitCode.BUILD_FAILED, result.stderr[-2000:]
    assert "Traceback" not in result.stdout + result.stderr
    explained = result.stderr.split("what failed:")[-1]
    assert "ml_inputs_history_covers_horizon: The order history before as_of_date" in explained
    assert "first_order_date=2024-06-15" in explained and "history_days=0" in explained
    assert not (tmp_path / "out" / "ca_served_path").exists()


def test_every_order_cancelled_refused_naming_the_cause(tmp_path: Path) -> None:
    data, config = sample(tmp_path)
    rows = read_export(data)
    rows["InvoiceNo"] = rows["InvoiceNo"].map(lambda v: v if v.startswith("C") else f"C{v}")
    write_export(rows, data)
    output = refusal(build(tmp_path, config, check=False))
    assert "Failure in test ml_inputs_customers_at_cutoff" in output


@pytest.mark.parametrize(("customers", "fixed_k", "expected_k"), [(6, 12, 6), (1, 5, 1)])
def test_fewer_customers_than_k_fits_what_can_be_fitted(customers, fixed_k, expected_k) -> None:
    features = synthetic_features(n_per_type=10).head(customers)
    curve = select_k(features, SegmentSettings(n_clusters=fixed_k, k_min=2, k_max=8, n_init=1))
    assert curve.loc[curve["is_selected"], "k"].tolist() == [expected_k]


def test_demo_build_has_no_warnings_and_no_prepare_rows(built_warehouse: Warehouse) -> None:
    """Without prepare (the demo extract) the new tables exist, empty, and nothing changes. The
    only warning is that a baseline (BG/NBD) won the spend backtests, which a run must say."""
    warnings = built_warehouse.query("select * from run_warnings")
    assert set(warnings["warning_code"]) <= {"baseline_published"}
    held = built_warehouse.query("select * from quarantine_prepare")
    assert held.empty
    assert list(held.columns) == ["input_table", "input_file", "row_number", "reason", "raw_values"]
    quality = built_warehouse.query("select * from data_quality_summary")
    assert (quality["rows_read"] == quality["raw_rows"]).all()
    assert quality["input_table"].isna().all()
    assert (quality[["duplicates_removed_in_prepare", "quarantined_in_prepare"]] == 0).all().all()
