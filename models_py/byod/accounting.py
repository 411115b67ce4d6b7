"""Account for every row read from the user's files: per input file, the rows read, the exact
duplicates dropped, the rows quarantined while preparing and the rows passed on to a raw table
(written as `prepare_accounting.parquet`; data_quality_summary reconciles from it).

In the flat (transactions) shape a line repeated with every mapped field equal is a copy, not a
second purchase: it is dropped and counted here, unless the config keeps exact duplicates.
"""

from __future__ import annotations

import pandas as pd

from models_py.byod.config import ByodError, TableConfig
from models_py.byod.read import FILE_COLUMN

ACCOUNTING_COLUMNS = (
    "input_table",
    "input_file",
    "raw_table",
    "rows_read",
    "exact_duplicates_dropped",
    "quarantined_rows",
    "rows_passed_on",
)


def raw_table_of(input_table: str) -> str:
    """The raw contract table an input's passed-on rows become, one row each (a flat
    transaction line becomes an order line; orders, products and customers are derived)."""
    return "order_lines" if input_table == "transactions" else input_table


def exact_duplicates(raw: pd.DataFrame, table: TableConfig) -> pd.Series:
    """True for every row that repeats an earlier row of the table in every mapped column (the
    first occurrence is kept), compared on the values as read."""
    sources = list(dict.fromkeys(spec.source for spec in table.mapping.values()))
    return raw[sources].duplicated(keep="first")


def _per_file(rows: pd.DataFrame | pd.Series, files: pd.Series) -> pd.Series:
    return pd.Series(1, index=rows.index).groupby(files.loc[rows.index].to_numpy()).sum()


def accounting_frame(
    raw: dict[str, pd.DataFrame], duplicates: dict[str, pd.Series], quarantine: pd.DataFrame
) -> pd.DataFrame:
    """One row per input file: rows read = exact duplicates dropped + quarantined + passed on."""
    rows = []
    for name, frame in raw.items():
        files = frame[FILE_COLUMN].astype(str)
        read = files.value_counts(sort=False)
        dropped = _per_file(frame.loc[duplicates[name]], files)
        held = quarantine.loc[quarantine["input_table"] == name, "file"].astype(str)
        quarantined = held.value_counts(sort=False)
        for file in dict.fromkeys(files):
            counts = [int(read.get(file, 0)), int(dropped.get(file, 0))]
            counts.append(int(quarantined.get(file, 0)))
            rows.append((name, file, raw_table_of(name), *counts, counts[0] - sum(counts[1:])))
    return pd.DataFrame(rows, columns=list(ACCOUNTING_COLUMNS))


def check_accounting(accounting: pd.DataFrame, tables: dict[str, pd.DataFrame]) -> None:
    """Every row passed on is in its raw table, so nothing was dropped without a count."""
    passed = accounting.groupby("raw_table")["rows_passed_on"].sum()
    for raw_table, count in passed.items():
        written = len(tables[raw_table])
        if written != count:
            raise ByodError(
                f"internal error: {count} input rows passed on to {raw_table} but {written} "
                "written; please report this with the config"
            )
