"""Bring your own data: config validation, reading and mapping a user's files (no dbt build).

Every failure must stop before anything is written, with a message naming the file, column and
example rows, and leave the previous prepared folder, warehouse and served file as they were."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml
from helpers import ROOT as REPO_ROOT

from models_py.byod import ByodError, load_config, prepare
from models_py.byod.__main__ import main
from models_py.byod.prepare import build_tables, dbt_vars

ROOT = REPO_ROOT

HEADER = "InvoiceNo,StockCode,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding=encoding)
    return path


def invoice_rows(n: int, bad_dates: int = 0) -> str:
    rows = []
    for i in range(n):
        date = "not a date" if i < bad_dates else f"{1 + i % 28:02d}/03/2024 10:{i % 60:02d}"
        rows.append(f"{1000 + i // 2},P{i % 5},{1 + i % 3},{date},{2.5 + i % 4},C{i // 2 % 7},UK\n")
    return HEADER + "".join(rows)


FLAT_MAPPING = """
    mapping:
      order_id: InvoiceNo
      product_id: StockCode
      quantity: Quantity
      order_ts: InvoiceDate
      unit_price: UnitPrice
      customer_id: CustomerID
      city: Country
"""


def flat_config(tmp_path: Path, data: str, extra: str = "", mapping: str = FLAT_MAPPING) -> Path:
    write(tmp_path / "sales.csv", data)
    text = f'date_format: "%d/%m/%Y %H:%M"\n{extra}tables:\n  transactions:\n    path: sales.csv\n'
    return write(tmp_path / "config.yml", text + mapping)


@dataclass(frozen=True)
class CliResult:
    returncode: int
    stdout: str
    stderr: str


def run_cli(config: Path, out: Path) -> CliResult:
    """`python -m models_py.byod prepare`, in-process (same entry point, no start-up cost)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["prepare", "--config", str(config), "--out", str(out)])
    return CliResult(returncode=code, stdout=stdout.getvalue(), stderr=stderr.getvalue())


def test_cli_exit_status_in_a_subprocess(tmp_path):
    config = flat_config(tmp_path, invoice_rows(4), mapping=FLAT_MAPPING.replace("Country", "Land"))
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "models_py.byod",
            "prepare",
            "--config",
            str(config),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "city -> 'Land'" in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.fixture
def previous_results(tmp_path: Path) -> dict[Path, bytes]:
    """A previous good run: prepared folder, warehouse and served file, with their bytes."""
    good = flat_config(tmp_path / "good", invoice_rows(20))
    out = tmp_path / "prepared"
    assert run_cli(good, out).returncode == 0
    write(tmp_path / "build.duckdb", "warehouse")
    write(tmp_path / "analytics.duckdb", "served")
    files = [*sorted(out.iterdir()), tmp_path / "build.duckdb", tmp_path / "analytics.duckdb"]
    return {path: path.read_bytes() for path in files}


def assert_failed_untouched(
    result: CliResult, previous: dict[Path, bytes], *fragments: str
) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr
    for path, content in previous.items():
        assert path.read_bytes() == content, f"{path} changed by a failed run"
    folder = next(iter(previous)).parent
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        p.name for p in previous if p.parent == folder
    )


def test_required_column_not_mapped(tmp_path, previous_results):
    mapping = FLAT_MAPPING.replace("      order_ts: InvoiceDate\n", "")
    config = flat_config(tmp_path / "bad", invoice_rows(5), mapping=mapping)
    result = run_cli(config, tmp_path / "prepared")
    assert_failed_untouched(result, previous_results, "required column(s) order_ts not mapped")


def test_amount_or_unit_price_required(tmp_path):
    mapping = FLAT_MAPPING.replace("      unit_price: UnitPrice\n", "")
    with pytest.raises(ByodError, match="map `amount` or `unit_price`"):
        load_config(flat_config(tmp_path, invoice_rows(5), mapping=mapping))


def test_mapping_names_unknown_column(tmp_path, previous_results):
    mapping = FLAT_MAPPING.replace("CustomerID", "Customer Id")
    config = flat_config(tmp_path / "bad", invoice_rows(5), mapping=mapping)
    result = run_cli(config, tmp_path / "prepared")
    assert_failed_untouched(
        result, previous_results, "sales.csv", "customer_id -> 'Customer Id'", "'CustomerID'"
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "file not found"), ("", "the file is empty"), (HEADER, "has no data rows")],
)
def test_missing_or_empty_file(tmp_path, previous_results, content, message):
    config = flat_config(tmp_path / "bad", invoice_rows(5))
    data = tmp_path / "bad" / "sales.csv"
    if content is None:
        data.unlink()
    else:
        data.write_text(content)
    result = run_cli(config, tmp_path / "prepared")
    assert_failed_untouched(result, previous_results, message, "sales.csv")


def test_glob_matching_nothing(tmp_path):
    config = flat_config(tmp_path, invoice_rows(5))
    config.write_text(config.read_text().replace("path: sales.csv", "path: exports/*.csv"))
    with pytest.raises(ByodError, match="no file matches"):
        build_tables(load_config(config))


def test_unparseable_dates_above_threshold_stop_with_examples(tmp_path, previous_results):
    config = flat_config(tmp_path / "bad", invoice_rows(20, bad_dates=3))
    result = run_cli(config, tmp_path / "prepared")
    assert_failed_untouched(
        result,
        previous_results,
        "column 'InvoiceDate'",
        "3 of 20 values (15.0%)",
        "sales.csv row 1: 'not a date'",
        "row 3:",
    )


def test_unparseable_dates_below_threshold_are_quarantined_and_counted(tmp_path):
    config = flat_config(tmp_path, invoice_rows(20, bad_dates=3), extra="max_bad_share: 0.2\n")
    summary = prepare(load_config(config), tmp_path / "out")
    assert summary["quarantined_by_reason"] == [
        {"input_table": "transactions", "reason": "unparseable order_ts", "rows": 3}
    ]
    quarantine = duckdb.sql(f"select * from '{tmp_path / 'out' / 'quarantine.parquet'}'").df()
    assert sorted(quarantine["row"].astype(int)) == [1, 2, 3]
    lines = duckdb.sql(f"select count(*) from '{tmp_path / 'out' / 'order_lines.parquet'}'")
    assert lines.fetchall()[0][0] == 20 - 3  # every row is either prepared or quarantined


def test_unknown_config_key_is_named(tmp_path):
    config = flat_config(tmp_path, invoice_rows(5), extra="horizon: 30\n")
    with pytest.raises(ByodError, match=r"unknown key.*horizon"):
        load_config(config)


def test_rows_without_customer_quarantined_and_prefix_marks_cancellations(tmp_path):
    data = (
        invoice_rows(6)
        + "C1000,P1,-1,02/03/2024 11:00,2.5,C0,UK\n1099,P1,1,02/03/2024 11:00,2.5,,UK\n"
    )
    config = flat_config(tmp_path, data, extra='cancellations:\n  invoice_prefix: "C"\n')
    tables, quarantine, accounting = build_tables(load_config(config))
    assert accounting[["input_table", "rows_read"]].values.tolist() == [["transactions", 8]]
    assert list(quarantine["reason"]) == ["missing customer_id"]
    orders = tables["orders"].set_index("order_id")
    assert orders.loc["C1000", "status"] == "cancelled"
    assert set(orders.drop(index="C1000")["status"]) == {"completed"}
    assert orders.loc["1000", "order_ts"] == "2024-03-01 10:00:00"
    lines = tables["order_lines"]
    assert len(lines) + len(quarantine) == 8
    assert list(lines.loc[lines["order_id"] == "1000", "line_number"]) == ["1", "2"]
    assert set(tables["products"]["product_id"]) == {f"P{i}" for i in range(5)}
    assert tables["products"]["category"].isna().all()
    assert set(tables["customers"]["city"]) == {"UK"}


def test_column_names_with_space_and_quote_and_quoted_path(tmp_path):
    folder = tmp_path / "it's a folder"
    write(
        folder / "log; 2024.csv",
        'who;"when ""exactly""";amount\nA;20240105;10.5\nA;20240210;-4\nB;20240301;7\n',
    )
    config = write(
        folder / "config.yml",
        'date_format: "%Y%m%d"\n'
        "tables:\n  transactions:\n    path: \"log; 2024.csv\"\n    delimiter: ';'\n"
        "    mapping:\n      customer_id: who\n      order_ts: 'when \"exactly\"'\n"
        "      amount: amount\n",
    )
    tables, quarantine, _ = build_tables(load_config(config))
    assert quarantine.empty
    lines = tables["order_lines"]
    assert list(lines["quantity"]) == ["1", "-1", "1"]
    assert list(lines["unit_price"]) == ["10.5", "4", "7"]
    assert list(tables["orders"]["order_ts"]) == [
        "2024-01-05 00:00:00",
        "2024-02-10 00:00:00",
        "2024-03-01 00:00:00",
    ]
    assert tables["orders"]["order_id"].is_unique


def test_amount_and_quantity_give_unit_price_and_value_mapping(tmp_path):
    write(
        tmp_path / "t.csv",
        "cust,day,qty,amt,how\nA,2024-01-01,4,10,Web\nA,2024-01-02,2,5,shop\nB,2024-01-03,0,3,web\n",
    )
    config = write(
        tmp_path / "c.yml",
        "tables:\n  transactions:\n    path: t.csv\n    mapping:\n      customer_id: cust\n"
        "      order_ts: day\n      quantity: qty\n      amount: amt\n"
        "      channel: {column: how, values: {online: [web], store: [shop]}}\n",
    )
    tables, quarantine, _ = build_tables(load_config(config))
    assert list(tables["order_lines"]["unit_price"]) == ["2.5", "2.5"]
    assert list(tables["orders"]["channel"]) == ["online", "store"]
    assert list(quarantine["reason"]) == ["zero quantity with an amount"]


def test_dbt_vars_follow_the_mapping(tmp_path):
    config = flat_config(tmp_path, invoice_rows(10), extra="horizon_days: 30\nsegments: {k: 3}\n")
    prepare(load_config(config), tmp_path / "out")
    dbt_vars = json.loads((tmp_path / "out" / "dbt_vars.json").read_text())
    assert dbt_vars["horizon_days"] == 30
    assert dbt_vars["segment_k"] == 3
    assert dbt_vars["available_data"]["products"] is True
    assert dbt_vars["available_data"]["categories"] is False
    assert dbt_vars["available_data"]["channel"] is False


@pytest.mark.parametrize("example", sorted((REPO_ROOT / "examples").glob("*.yml")))
def test_example_configs_are_valid(example: Path) -> None:
    config = load_config(example)
    assert "transactions" in config.tables or {"orders", "order_lines"} <= set(config.tables)


def test_headerless_tab_file_with_single_quotes_and_latin1(tmp_path):
    write(
        tmp_path / "export.tsv",
        "K1\t2024-05-01\t'Caf\u00e9\tcr\u00e8me'\t3\t2.50\nK2\t2024-05-02\t'Th\u00e9'\t1\t4\n",
        encoding="latin-1",
    )
    config = write(
        tmp_path / "c.yml",
        "tables:\n  transactions:\n    path: export.tsv\n    delimiter: tab\n    header: false\n"
        '    quote: "\'"\n    encoding: latin-1\n    columns: [cust, day, item, qty, price]\n'
        "    mapping: {customer_id: cust, order_ts: day, product_id: item, quantity: qty, "
        "unit_price: price}\n",
    )
    tables, quarantine, _ = build_tables(load_config(config))
    assert quarantine.empty
    assert list(tables["order_lines"]["product_id"]) == ["Caf\u00e9\tcr\u00e8me", "Th\u00e9"]
    assert list(tables["order_lines"]["unit_price"]) == ["2.5", "4"]


def test_wrong_encoding_is_a_clear_error(tmp_path):
    write(tmp_path / "t.csv", "c,d,a\nX,2024-01-01,1\n", encoding="utf-8")
    config = write(
        tmp_path / "c.yml",
        "tables:\n  transactions:\n    path: t.csv\n    encoding: no-such-codec\n"
        "    mapping: {customer_id: c, order_ts: d, amount: a}\n",
    )
    with pytest.raises(ByodError, match="cannot be read as no-such-codec"):
        build_tables(load_config(config))


def test_out_folder_that_is_not_a_prepared_folder_is_refused(tmp_path):
    config = flat_config(tmp_path, invoice_rows(4))
    result = run_cli(config, tmp_path)  # the folder holding the inputs
    assert result.returncode == 2
    assert "not a prepared folder" in result.stderr
    assert (tmp_path / "sales.csv").is_file()


def test_latin1_file_without_encoding_names_the_file_line_and_key(tmp_path, previous_results):
    data = (
        HEADER
        + "1000,P1,1,01/03/2024 10:00,2.5,C1,UK\n1001,P1,1,01/03/2024 10:00,2.5,C2,Espa\u00f1a\n"
    )
    config = flat_config(tmp_path / "bad", "")
    write(tmp_path / "bad" / "sales.csv", data, encoding="latin-1")
    result = run_cli(config, tmp_path / "prepared")
    assert_failed_untouched(
        result,
        previous_results,
        "sales.csv: the file is not UTF-8 text (line 3, byte offset",
        "`encoding: latin-1`",
        "tables.transactions",
    )
    assert "CSV Error" not in result.stderr


def test_whitespace_file_not_utf8_names_the_key(tmp_path):
    write(tmp_path / "log.txt", "A 20240101 1\nB 20240102 Caf\u00e9\n", encoding="latin-1")
    config = write(
        tmp_path / "c.yml",
        'date_format: "%Y%m%d"\ntables:\n  transactions:\n    path: log.txt\n'
        "    delimiter: whitespace\n    header: false\n    columns: [who, day, amt]\n"
        "    mapping: {customer_id: who, order_ts: day, amount: amt}\n",
    )
    with pytest.raises(ByodError, match=r"not UTF-8 text \(line 2, byte offset 27: bytes e9 0a"):
        build_tables(load_config(config))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("as_of_date: 2024-02-30\n", "as_of_date: '2024-02-30' is not a real date"),
        ("as_of_date: yesterday\n", "as_of_date: 'yesterday' is not a real date"),
        ("horizon_days: true\n", "horizon_days: expected a whole number of days >= 1, got True"),
        ("horizon_days: 0\n", "horizon_days: expected a whole number of days >= 1"),
        ("max_bad_share: yes\n", "max_bad_share: expected a share between 0 and 1"),
        ("currency: rupees\n", "currency: expected a three-letter ISO 4217 code"),
        ("currency: 123\n", "currency: expected a three-letter ISO 4217 code"),
        ("segments: {k: 1}\n", r"segments.k: expected a whole number >= 2, got 1"),
        ("segments: {k: 'five'}\n", "segments.k: expected a whole number >= 2"),
        ("segments: {k: true}\n", "segments.k: expected a whole number >= 2, got True"),
        ("segments: {features: ['recency; drop']}\n", "segments.features: expected a list"),
        ("cancellations: {negative_quantity: 'no'}\n", "negative_quantity: expected true or false"),
        ("max_unit_price: true\n", "max_unit_price: expected a positive number, got True"),
        ("max_abs_quantity: -5\n", "max_abs_quantity: expected a positive number"),
        ("min_valid_date: 1999-13-01\n", "min_valid_date: '1999-13-01' is not a real date"),
        ("max_unit_price: 1.0e+12\n", "must stay at most 1e14"),
        ("max_unit_price: 5\ndbt_vars: {max_unit_price: 6}\n", "max_unit_price is also a config"),
    ],
)
def test_config_values_are_checked_at_load_naming_the_key(
    tmp_path, previous_results, extra, message
):
    config = flat_config(tmp_path / "bad", invoice_rows(5), extra=extra)
    with pytest.raises(ByodError, match=message):
        load_config(config)
    assert_failed_untouched(run_cli(config, tmp_path / "prepared"), previous_results, message)


def test_valid_settings_are_normalised_and_passed_to_dbt(tmp_path):
    extra = (
        "as_of_date: 2024-03-31\ncurrency: gbp\nsegments: {k: null}\n"
        "max_unit_price: 500\nmin_valid_date: 2024-03-02\n"
    )
    config = load_config(flat_config(tmp_path, invoice_rows(5), extra=extra))
    vars_ = dbt_vars(config)
    assert vars_["as_of_date"] == "2024-03-31"
    assert vars_["currency"] == "GBP"
    assert vars_["segment_k"] is None
    assert vars_["max_unit_price"] == 500
    assert vars_["min_valid_date"] == "2024-03-02"
    assert "max_abs_quantity" not in vars_  # a default stays in dbt_project.yml only


def test_limit_defaults_come_from_dbt_project_yml(tmp_path):
    project = yaml.safe_load((ROOT / "dbt_project" / "dbt_project.yml").read_text())["vars"]
    limits = load_config(flat_config(tmp_path, invoice_rows(5))).limits
    assert limits.max_unit_price == project["max_unit_price"]
    assert limits.max_abs_quantity == project["max_abs_quantity"]
    assert limits.max_abs_amount == project["max_abs_amount"]
    assert limits.min_valid_date.isoformat() == project["min_valid_date"]


def test_out_of_range_values_and_old_orders_are_quarantined_with_reasons(tmp_path):
    rows = invoice_rows(12).splitlines(keepends=True)
    rows[1] = "1000,P0,1,01/03/2024 10:00,9e15,C0,UK\n"
    rows[2] = "1000,P1,1000000000,01/03/2024 10:00,2.5,C0,UK\n"
    rows[3] = "1001,P1,1,01/03/1900 10:00,2.5,C1,UK\n"
    config = load_config(flat_config(tmp_path, "".join(rows)))
    tables, quarantine, _ = build_tables(config)
    assert sorted(zip(quarantine["row"], quarantine["reason"], strict=True)) == [
        (1, "unit_price out of range (max 100000000, max_unit_price)"),
        (2, "quantity out of range (max 100000, max_abs_quantity)"),
        (3, "order too old (before 2000-01-01)"),
    ]
    assert len(tables["order_lines"]) == 12 - 3
    assert min(tables["orders"]["order_ts"]) >= "2000-01-01"


def test_amount_giving_a_unit_price_out_of_range_is_quarantined(tmp_path):
    write(tmp_path / "t.csv", "cust,day,amt\nA,2024-01-01,10\nA,2024-01-02,50\nB,2024-01-03,7\n")
    config = write(
        tmp_path / "c.yml",
        "max_unit_price: 20\nmax_abs_amount: 100\ntables:\n  transactions:\n    path: t.csv\n"
        "    mapping: {customer_id: cust, order_ts: day, amount: amt}\n",
    )
    tables, quarantine, _ = build_tables(load_config(config))
    assert list(quarantine["reason"]) == ["unit_price out of range (max 20, max_unit_price)"]
    assert list(quarantine["row"]) == [2]
    assert list(tables["order_lines"]["unit_price"]) == ["10", "7"]
