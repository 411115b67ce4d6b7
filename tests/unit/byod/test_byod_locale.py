"""Bring your own data as spreadsheets export it in Europe and India: semicolon-separated files with
decimal commas and thousands separators, read with or without a delimiter setting (no dbt build)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from models_py.byod import ByodError, load_config
from models_py.byod.parse import parse_numbers
from models_py.byod.prepare import build_tables

# A European export: ';' between fields, ',' as the decimal mark, '.' between thousands.
SEMICOLON_EXPORT = (
    "Rechnung;Kunde;Datum;Menge;Einzelpreis\n"
    "R1;K1;05.01.2024;2;12,50\n"
    "R1;K1;05.01.2024;1.000;0,99\n"
    "R2;K2;06.01.2024;1;1.234,56\n"
    "R3;K1;07.01.2024;3;7\n"
)
MAPPING = """    mapping:
      order_id: Rechnung
      customer_id: Kunde
      order_ts: Datum
      quantity: Menge
      unit_price: Einzelpreis
"""


def write_config(tmp_path: Path, settings: str, data: str = SEMICOLON_EXPORT) -> Path:
    (tmp_path / "export.csv").write_text(data, encoding="utf-8")
    config = tmp_path / "config.yml"
    config.write_text(
        'date_format: "%d.%m.%Y"\n'
        f"tables:\n  transactions:\n    path: export.csv\n{settings}{MAPPING}",
        encoding="utf-8",
    )
    return config


def prepared_lines(config: Path) -> pd.DataFrame:
    tables, quarantine, _ = build_tables(load_config(config))
    assert quarantine.empty, quarantine.to_dict("records")
    return tables["order_lines"]


@pytest.mark.parametrize(
    "settings",
    [
        '    delimiter: ";"\n    decimal: ","\n    thousands: "."\n',
        '    decimal: ","\n    thousands: "."\n',  # delimiter sniffed
    ],
    ids=["explicit-delimiter", "sniffed-delimiter"],
)
def test_semicolon_file_with_decimal_commas_and_thousands_prepares(tmp_path, settings):
    lines = prepared_lines(write_config(tmp_path, settings))
    assert list(lines["quantity"]) == ["2", "1000", "1", "3"]
    assert [float(p) for p in lines["unit_price"]] == [12.5, 0.99, 1234.56, 7.0]
    line_amounts = lines["quantity"].astype(int) * lines["unit_price"].astype(float)
    assert line_amounts.sum() == pytest.approx(2 * 12.5 + 1000 * 0.99 + 1234.56 + 3 * 7)


def test_number_format_in_the_top_level_csv_block(tmp_path):
    config = write_config(tmp_path, "")
    text = config.read_text(encoding="utf-8")
    config.write_text('csv: {decimal: ",", thousands: "."}\n' + text, encoding="utf-8")
    lines = prepared_lines(config)
    assert [float(p) for p in lines["unit_price"]] == [12.5, 0.99, 1234.56, 7.0]


def test_without_decimal_setting_the_commas_are_named_as_not_numbers(tmp_path):
    # Sniffing finds ';', but 12,50 is no number in the default format: the error says so.
    with pytest.raises(ByodError) as error:
        build_tables(load_config(write_config(tmp_path, "")))
    message = str(error.value)
    assert "export.csv" in message and "'Einzelpreis'" in message
    assert "'1.234,56'" in message or "'12,50'" in message


def test_comma_separated_file_is_still_read_without_a_delimiter(tmp_path):
    data = "Rechnung,Kunde,Datum,Menge,Einzelpreis\nR1,K1,05.01.2024,2,12.50\n"
    lines = prepared_lines(write_config(tmp_path, "", data))
    assert list(lines["unit_price"]) == ["12.5"]


def test_indian_grouping_and_space_separators():
    indian = parse_numbers(pd.Series(["12,34,567.89", "1,234.5", "999"]), False, ".", ",")
    assert list(indian.values) == ["1234567.89", "1234.5", "999"]
    spaced = parse_numbers(pd.Series(["1 234,5", "1\u202f234,5", "12,5"]), False, ",", " ")
    assert list(spaced.values) == ["1234.5", "1234.5", "12.5"]


def test_a_value_not_in_the_configured_format_is_bad_not_misread():
    # With '.' between thousands, 12.5 is neither 12.5 nor 125: it is reported as bad.
    parsed = parse_numbers(pd.Series(["12.5", "12,5", "1.2345,0", None]), False, ",", ".")
    assert list(parsed.bad) == [True, False, True, False]
    assert parsed.values.iloc[1] == "12.5"


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ('    decimal: ","\n    thousands: ","\n', "decimal and thousands are both ','"),
        ('    decimal: ";"\n', "tables.transactions.decimal: expected one of '.', ','"),
        ('    thousands: "x"\n', "tables.transactions.thousands: expected one of"),
        ('    delimiter: ","\n    decimal: ","\n', "tables.transactions.decimal: ',' is also the"),
    ],
    ids=["same-mark", "bad-decimal", "bad-thousands", "decimal-is-delimiter"],
)
def test_incoherent_number_format_is_a_clear_config_error(tmp_path, settings, expected):
    with pytest.raises(ByodError) as error:
        load_config(write_config(tmp_path, settings))
    assert expected in str(error.value)


def test_ambiguous_delimiter_asks_for_the_setting(tmp_path):
    # Every line splits evenly on both ',' and ';': the sniff refuses to guess.
    data = "a,b;c\n1,2;3\n4,5;6\n"
    with pytest.raises(ByodError) as error:
        build_tables(load_config(write_config(tmp_path, "", data)))
    message = str(error.value)
    assert "export.csv" in message and "cannot tell the delimiter" in message
    assert "tables.transactions.delimiter" in message
