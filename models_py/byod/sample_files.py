"""Write a table of contract columns as the files one table of a config describes: the inverse of
reading it (read.py) and mapping it (shape.map_columns). Column names, value codes, date format,
decimal mark, delimiter, header, quoting, encoding, file format and glob all come from the
config's `TableConfig`, so a sample written here reads back through the same config.

Values are contract values: dates as `datetime`/ISO text (any other text, such as "unparseable",
is written as a date that does not exist in the table's format, e.g. 31/02), numbers as numbers
or '.'-decimal text, codes (channel, status, ...) as contract values."""

from __future__ import annotations

import csv
import glob
from datetime import datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from models_py.byod.config import (
    DATE_COLUMNS,
    DECIMAL_COLUMNS,
    DEFAULT_DATE_FORMATS,
    ByodError,
    ColumnMap,
    TableConfig,
)
from models_py.byod.parse import parse_dates

# Files a glob path is written as, so the sample exercises reading several.
GLOB_FILES = 2
# The day an impossible date is made from (its day and month replaced by 31 and 02).
IMPOSSIBLE_DAY = datetime(2024, 1, 1, 10, 0)
WHITESPACE_SEPARATOR = "  \t"


def impossible_date(date_format: str) -> str:
    """A date in `date_format` that no calendar has (the 31st of February)."""
    return IMPOSSIBLE_DAY.strftime(date_format.replace("%d", "31").replace("%m", "02"))


def _dates(values: pd.Series, table: TableConfig) -> pd.Series:
    """Dates in the table's (first) format; text in the formats staging knows is kept as it is
    when the table sets no format of its own, so mixed formats stay mixed."""
    own_format = table.date_formats != DEFAULT_DATE_FORMATS
    text = values.map(lambda v: v if isinstance(v, str) and v.strip() else None)
    parsed = parse_dates(text, DEFAULT_DATE_FORMATS).values.map(
        lambda v: None if v is None else datetime.fromisoformat(v)
    )

    def render(value: object, iso: datetime | None) -> str:
        if isinstance(value, datetime):
            return value.strftime(table.date_formats[0])
        if not isinstance(value, str) or not value.strip():
            return ""
        if iso is None:
            return impossible_date(table.date_formats[0])
        return iso.strftime(table.date_formats[0]) if own_format else value

    return pd.Series(
        [render(v, p) for v, p in zip(values, parsed, strict=True)], index=values.index
    )


def _numbers(values: pd.Series, decimal: str) -> pd.Series:
    def render(value: object) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
            return ""
        text = f"{value:.2f}" if isinstance(value, float) else str(value)
        return text.replace(".", decimal)

    return values.map(render)


def _codes(values: pd.Series, spec: ColumnMap) -> pd.Series:
    """Contract values as the config's source codes, taking each value's codes in turn."""
    seen: dict[str, int] = {}

    def code(value: object) -> object:
        key = str(value).strip().lower() if isinstance(value, str) else None
        codes = spec.values.get(key) if key is not None else None
        if not codes:
            return value
        seen[key] = seen.get(key, -1) + 1
        return codes[seen[key] % len(codes)]

    return values.map(code)


def source_frame(contract: pd.DataFrame, table: TableConfig) -> pd.DataFrame:
    """The contract columns the table maps, under its source names and in its value formats;
    `columns:` (a file without header) adds the unmapped ones, empty, in their order."""
    missing = [column for column in table.mapping if column not in contract.columns]
    if missing:
        raise ByodError(
            f"tables.{table.name}.mapping: the sample generator has no data for "
            f"{', '.join(missing)}; map only columns it writes: {', '.join(contract.columns)}"
        )
    out = {}
    for column, spec in table.mapping.items():
        values = contract[column].astype(object).where(contract[column].notna(), None)
        if column in DATE_COLUMNS:
            values = _dates(values, table)
        elif column in DECIMAL_COLUMNS:
            values = _numbers(values, table.decimal)
        elif spec.values:
            values = _codes(values, spec)
        out[spec.source] = values.map(lambda v: "" if v is None else str(v))
    frame = pd.DataFrame(out, index=contract.index)
    if table.columns is not None:
        frame = frame.reindex(columns=list(table.columns), fill_value="")
    return frame


def target_files(table: TableConfig) -> list[Path]:
    """Where the table's files go: its path (relative to the config), or for a glob, files the
    glob matches, named part1, part2, ..."""
    pattern = Path(table.path).expanduser()
    if not pattern.is_absolute():
        pattern = table.base_dir / pattern
    if not glob.has_magic(str(pattern)):
        return [pattern]
    name = pattern.name
    if (
        glob.has_magic(str(pattern.parent))
        or name.count("*") != 1
        or glob.has_magic(name.replace("*", ""))
    ):
        raise ByodError(
            f"tables.{table.name}.path: a sample can be written for one '*' in the file name "
            f"only, not {table.path}"
        )
    before = name.split("*")[0]
    joint = "_" if before[-1:].isalnum() else ""
    return [pattern.parent / name.replace("*", f"{joint}part{i}") for i in range(1, 1 + GLOB_FILES)]


def _write_csv(frame: pd.DataFrame, path: Path, table: TableConfig) -> None:
    with path.open("w", encoding=table.encoding, newline="") as handle:
        if table.delimiter == "whitespace":
            rows = [list(frame.columns)] if table.header else []
            rows += frame.to_numpy().tolist()
            for row in rows:
                if any(not field or any(c.isspace() for c in field) for field in row):
                    raise ByodError(
                        f"tables.{table.name}: a whitespace-delimited sample cannot hold empty "
                        f"values or values with spaces ({row})"
                    )
                handle.write(WHITESPACE_SEPARATOR.join(row) + "\n")
            return
        quoting = {"quotechar": table.quote} if table.quote else {"quoting": csv.QUOTE_NONE}
        writer = csv.writer(
            handle, delimiter=table.delimiter or ",", lineterminator="\n", **quoting
        )
        if table.header:
            writer.writerow(frame.columns)
        writer.writerows(frame.to_numpy().tolist())


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    arrays = {column: pa.array(frame[column].tolist(), type=pa.string()) for column in frame}
    pq.write_table(pa.table(arrays), path)


def write_table(contract: pd.DataFrame, table: TableConfig) -> list[Path]:
    """Write the contract rows as the table's files (split evenly over a glob's files); returns
    the paths written."""
    frame = source_frame(contract, table)
    files = target_files(table)
    bounds = [round(i * len(frame) / len(files)) for i in range(len(files) + 1)]
    for path, start, stop in zip(files, bounds, bounds[1:], strict=False):
        path.parent.mkdir(parents=True, exist_ok=True)
        part = frame.iloc[start:stop]
        if table.format == "parquet":
            _write_parquet(part, path)
        else:
            _write_csv(part, path, table)
    return files
