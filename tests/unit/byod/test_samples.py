"""Sample files in a config's shape (`python -m models_py.byod sample --config`): they read back
through the same config, value codes and dates included; existing data is never replaced; a run
whose files are missing says how to write a sample."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import ROOT

from models_py.byod import ByodError, load_config, prepare
from models_py.byod.__main__ import main
from models_py.byod.prepare import build_tables
from models_py.byod.sample_files import impossible_date, write_table
from models_py.byod.samples import sample_config_copy

EXAMPLES = sorted((ROOT / "examples").glob("*.yml"))
# The faults the samples carry on purpose: rows without a customer, impossible dates.
PLANNED_FAULTS = {"missing customer_id", "unparseable order_ts"}


def sample(example: Path, out: Path, *extra: str) -> int:
    options = ["--out", str(out), "--customers", "60", *extra]
    return main(["sample", "--config", str(example), *options])


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_an_example_sample_reads_back_through_its_config(example: Path, tmp_path: Path) -> None:
    assert sample(example, tmp_path) == 0
    config = load_config(tmp_path / example.name)
    tables, quarantine, _ = build_tables(config)
    assert set(quarantine["reason"]) <= PLANNED_FAULTS
    assert len(tables["orders"]) > 0 and len(tables["order_lines"]) > 0
    for name, table in config.tables.items():
        target = "orders" if name == "transactions" else name
        for column, spec in table.mapping.items():
            if spec.values and column in tables[target]:
                assert set(tables[target][column].dropna()) <= set(spec.values), column
    undone = tables["orders"]["status"].isin(["cancelled", "returned"])
    assert undone.any() and not undone.all()


def test_a_sample_never_replaces_files_already_there(tmp_path: Path) -> None:
    example = ROOT / "examples" / "transaction_log.yml"
    assert sample(example, tmp_path) == 0
    data = tmp_path / "data" / "transactions.txt"
    data.write_text("CU1 20240101 1 10.00\n")
    assert sample(example, tmp_path) == 2
    assert data.read_text() == "CU1 20240101 1 10.00\n"
    assert sample(example, tmp_path, "--overwrite") == 0
    assert data.read_text() != "CU1 20240101 1 10.00\n"


def test_a_config_with_absolute_paths_is_not_copied_with_out(tmp_path: Path) -> None:
    config = tmp_path / "abs.yml"
    config.write_text(
        f"tables:\n  transactions:\n    path: {tmp_path / 'x.csv'}\n"
        "    mapping: {customer_id: c, order_ts: d, amount: a}\n"
    )
    with pytest.raises(ByodError, match="absolute path"):
        sample_config_copy(config, tmp_path / "out")


def test_a_table_is_written_in_its_date_and_number_format(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text(
        'date_format: "%d.%m.%Y"\ncsv: {delimiter: ";", decimal: ","}\ntables:\n'
        "  transactions:\n    path: parts/sales*.csv\n"
        "    mapping: {customer_id: Kunde, order_ts: Datum, amount: Betrag}\n"
    )
    contract = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "order_ts": [pd.Timestamp("2024-03-05").to_pydatetime(), "unparseable", None],
            "amount": [12.5, 3.0, 7.25],
        }
    )
    files = write_table(contract, load_config(config).tables["transactions"])
    assert [path.name for path in files] == ["sales_part1.csv", "sales_part2.csv"]
    text = "".join(path.read_text() for path in files)
    assert "a;05.03.2024;12,50" in text
    assert impossible_date("%d.%m.%Y") == "31.02.2024"
    assert "b;31.02.2024;3,00" in text
    assert "c;;7,25" in text


def test_missing_files_say_how_to_write_a_sample(tmp_path: Path) -> None:
    config = tmp_path / "online_retail.yml"
    config.write_text((ROOT / "examples" / "online_retail.yml").read_text())
    with pytest.raises(ByodError, match=r"no file matches .*models_py\.byod sample --config"):
        prepare(load_config(config), tmp_path / "prepared")
