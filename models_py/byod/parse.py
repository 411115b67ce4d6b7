"""Parse text columns of a user's file with DuckDB (dates with the configured strptime formats,
whole numbers, decimals) and decide what to do with values that do not parse: quarantine the rows
when their share is at most the threshold, else stop with an error naming the file, column and a
few example rows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from models_py.byod.config import ByodError
from models_py.byod.read import FILE_COLUMN, ROW_COLUMN

ISO_TIMESTAMP = "%Y-%m-%d %H:%M:%S"
EXAMPLES = 5
# Spaces a " " thousands separator stands for: space, no-break space, narrow no-break space.
SPACE_SEPARATORS = " \u00a0\u202f"


@dataclass(frozen=True)
class Parsed:
    """Normalised text values (None when empty or unparseable) and which values did not parse."""

    values: pd.Series
    bad: pd.Series


def clean_text(values: pd.Series) -> pd.Series:
    """Trimmed text; empty strings become None."""
    text = values.astype(object).where(values.notna(), None)
    text = text.map(lambda v: v.strip() if isinstance(v, str) else v)
    return text.where(text.map(lambda v: v is not None and v != ""), None)


def _run(sql: str, values: pd.Series, params: Sequence) -> list:
    frame = pd.DataFrame({"i": np.arange(len(values)), "v": clean_text(values).to_numpy()})
    frame["v"] = frame["v"].astype(object)
    with duckdb.connect() as con:
        con.register("input_values", frame)
        return [row[0] for row in con.execute(sql, list(params)).fetchall()]


def parse_dates(values: pd.Series, formats: Sequence[str]) -> Parsed:
    """Dates/timestamps in any of `formats` (ISO formats are also accepted, e.g. for Parquet
    timestamps) as ISO text `YYYY-MM-DD HH:MM:SS`."""
    formats = list(dict.fromkeys([*formats, "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M:%S.%f"]))
    formats.append("%Y-%m-%d")
    sql = "select strftime(try_strptime(v, ?), ?) from input_values order by i"  # params only
    parsed = pd.Series(
        _run(sql, values, [formats, ISO_TIMESTAMP]), index=values.index, dtype=object
    )
    text = clean_text(values)
    return Parsed(values=parsed.where(parsed.notna(), None), bad=text.notna() & parsed.isna())


def number_pattern(decimal: str, thousands: str | None) -> re.Pattern[str]:
    """A signed number with `decimal` as its mark and, when given, `thousands` between groups of
    three digits, Indian lakh groups (12,34,567) or no grouping at all: 1.234,50 and 1234,50 for
    (',', '.'), never 12.5."""
    mark = re.escape(decimal)
    fraction = rf"(?:{mark}\d+)?"
    if thousands is None:
        return re.compile(rf"[+-]?(?:\d+{fraction}|{mark}\d+)")
    sep = f"[{re.escape(SPACE_SEPARATORS)}]" if thousands == " " else re.escape(thousands)
    grouped = rf"\d{{1,3}}(?:{sep}\d{{3}})+|\d{{1,2}}(?:{sep}\d{{2}})+{sep}\d{{3}}"
    return re.compile(rf"[+-]?(?:{grouped}|\d+){fraction}")


def localised_to_plain(values: pd.Series, decimal: str, thousands: str | None) -> pd.Series:
    """Text numbers in a (decimal, thousands) format as '.'-decimal text without grouping; None
    for empty values and for text not in that format (so it counts as not a number)."""
    pattern = number_pattern(decimal, thousands)
    separators = SPACE_SEPARATORS if thousands == " " else thousands or ""

    def plain(text: str | None) -> str | None:
        if text is None or not pattern.fullmatch(text):
            return None
        for separator in separators:
            text = text.replace(separator, "")
        return text.replace(decimal, ".")

    return clean_text(values).map(plain, na_action="ignore")


def parse_numbers(
    values: pd.Series, whole: bool, decimal: str = ".", thousands: str | None = None
) -> Parsed:
    """Numbers as plain text (whole numbers without decimals when `whole`); `decimal` and
    `thousands` say how the file writes them (the default: 1234.5, spaces ignored)."""
    text = clean_text(values)
    if decimal != "." or thousands is not None:
        values = localised_to_plain(values, decimal, thousands)
    sql = "select try_cast(replace(v, ' ', '') as double) from input_values order by i"
    numbers = pd.Series(_run(sql, values, []), index=values.index, dtype="float64")
    ok = numbers.notna() & np.isfinite(numbers.fillna(0))
    if whole:
        ok &= numbers.fillna(0) == numbers.fillna(0).round()
    formatted = numbers.map(lambda x: f"{int(x)}" if whole else f"{x:.15g}", na_action="ignore")
    formatted = formatted.astype(object).where(ok, None)
    return Parsed(values=formatted, bad=text.notna() & ~ok)


def number_format_label(decimal: str, thousands: str | None) -> str:
    """How a table's numbers must look, for error messages: e.g. "numbers like 1.234,50"."""
    grouped = f"1{thousands}234" if thousands else "1234"
    hint = "" if decimal != "." else " (for 1.234,50 set decimal: ',' and thousands: '.')"
    return f"numbers like {grouped}{decimal}50{hint}"


def check_share(
    frame: pd.DataFrame,
    bad: pd.Series,
    table: str,
    column: str,
    source: str,
    what: str,
    max_share: float,
) -> None:
    """Stop when more than `max_share` of the column's non-empty values are bad, naming the file(s),
    the column and a few example rows."""
    filled = int(clean_text(frame[source]).notna().sum())
    count = int(bad.sum())
    if count == 0 or filled == 0 or count / filled <= max_share:
        return
    examples = frame.loc[bad, [FILE_COLUMN, ROW_COLUMN, source]].head(EXAMPLES)
    files = sorted(set(frame.loc[bad, FILE_COLUMN]))
    shown = "; ".join(
        f"{row[FILE_COLUMN]} row {row[ROW_COLUMN]}: {row[source]!r}"
        for _, row in examples.iterrows()
    )
    raise ByodError(
        f"{', '.join(files)}: column {source!r} (tables.{table}.mapping.{column}): "
        f"{count} of {filled} values ({count / filled:.1%}) are not {what}, above the "
        f"max_bad_share threshold of {max_share:.1%}. Examples: {shown}"
    )
