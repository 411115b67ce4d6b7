"""Format raw tables as text and write them as CSV or Parquet with DuckDB.

All randomness happened before: this step is a pure function of the numeric columns, so the same
columns give byte-identical files. Every column is written as a string (see docs/contracts.md)."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from . import config as c
from .faults import CONSENT_VOCAB, GENDER_VOCAB, MISSING_DAY, STATUS_VOCAB, Frame
from .population import ALL_TYPES, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES_ALL

FORMATS = ("csv", "parquet")
# Small vocabularies are passed as Arrow dictionaries, so DuckDB never formats them per row.
SMALL_NUMBERS = tuple(str(i) for i in range(100))
QUANTITY_OFFSET = 50
QUANTITIES = tuple(str(i - QUANTITY_OFFSET) for i in range(2 * QUANTITY_OFFSET))
PRODUCT_IDS = tuple(f"P{i:05d}" for i in range(100_000))  # index = product number

MACROS = """
create or replace macro fmt_ts(x, f) as case f
    when 0 then x::timestamp::varchar
    when 1 then x::date::varchar
    when 2 then strftime(x, '%d/%m/%Y %H:%M')
    when 3 then strftime(x, '%d/%m/%Y')
    else strftime(x, '%Y%m%d') end;
create or replace macro money(p) as (p::decimal(18, 0) / 100)::decimal(18, 2)::varchar;
create or replace macro pad_id(prefix, n, width) as
    prefix || case when n < 10 ** width then lpad(n::varchar, width, '0') else n::varchar end;
"""

SELECTS = {
    "customers": """
        select
            pad_id('C', num, 6) as customer_id,
            first_name || ' ' || last_name as name,
            lower(first_name) || '.' || replace(lower(last_name), '''', '') || num::varchar
                || '@' || email_domain as email,
            '+91 ' || phone::varchar as phone,
            gender,
            fmt_ts(birth_day::timestamp, birth_fmt) as date_of_birth,
            city,
            fmt_ts(signup_day::timestamp, signup_fmt) as signup_date,
            tier as loyalty_tier,
            consent as marketing_consent,
            fmt_ts(updated_s, updated_fmt) as updated_at
        from src""",
    "products": """
        select
            pad_id('P', num, 5) as product_id,
            product_name,
            category,
            brand,
            money(list_price) as list_price
        from src""",
    "orders": """
        select
            pad_id('O', num, 8) as order_id,
            pad_id('C', customer_num, 6) as customer_id,
            store,
            case when store = 'online' then 'online' else 'store' end as channel,
            case
                when ts_fault = 0 then fmt_ts(ts_s, ts_fmt)
                when ts_fault = 1 then fmt_ts(ts_s + interval 10 year, ts_fmt)
                else replace(
                    {templates}[ts_fault - 1], '{{year}}', year(ts_s)::varchar
                )
            end as order_ts,
            status,
            fmt_ts(updated_s, updated_fmt) as updated_at
        from src""",
    "order_lines": """
        select
            pad_id('O', order_num, 8) as order_id,
            line_number,
            product_id,
            quantity,
            money(unit_price) as unit_price,
            case when discount = 0 then '0.00' else money(discount) end as discount
        from src""",
}


def _codes(indices: np.ndarray, vocabulary: tuple[str, ...]) -> pa.DictionaryArray:
    """Codes into a vocabulary as an Arrow dictionary column; negative codes become null."""
    codes = pa.array(indices.astype(np.int32), mask=indices < 0)
    return pa.DictionaryArray.from_arrays(codes, pa.array(vocabulary, pa.string()))


def _seconds(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype("datetime64[s]"))


def _days(values: np.ndarray) -> pa.Array:
    return pa.array(values.astype("datetime64[D]"), mask=values == MISSING_DAY)


def to_arrow(table: str, frame: Frame) -> pa.Table:
    """The numeric/code columns of a raw table as Arrow, strings as dictionaries."""
    if table == "customers":
        return pa.table(
            {
                "num": frame["num"],
                "first_name": _codes(frame["first_name"], FIRST_NAMES),
                "last_name": _codes(frame["last_name"], LAST_NAMES_ALL),
                "email_domain": _codes(frame["email_domain"], EMAIL_DOMAINS),
                "phone": frame["phone"],
                "gender": _codes(frame["gender"], GENDER_VOCAB),
                "birth_day": _days(frame["birth_day"]),
                "birth_fmt": frame["birth_fmt"],
                "city": _codes(frame["city"], c.CITIES),
                "signup_day": _days(frame["signup_day"]),
                "signup_fmt": frame["signup_fmt"],
                "tier": _codes(frame["tier"], c.LOYALTY_TIERS),
                "consent": _codes(frame["consent"], CONSENT_VOCAB),
                "updated_s": _seconds(frame["updated_s"]),
                "updated_fmt": frame["updated_fmt"],
            }
        )
    if table == "products":
        return pa.table(
            {
                "num": frame["num"],
                "product_name": pa.array(frame["product_name"].tolist(), pa.string()),
                "category": pa.array(frame["category"].tolist(), pa.string()),
                "brand": pa.array(frame["brand"].tolist(), pa.string()),
                "list_price": frame["list_price"],
            }
        )
    if table == "orders":
        return pa.table(
            {
                "num": frame["num"],
                "customer_num": frame["customer_num"],
                "store": _codes(frame["store"], (*c.STORES, c.ONLINE)),
                "ts_s": _seconds(frame["ts_s"]),
                "ts_fmt": frame["ts_fmt"],
                "ts_fault": frame["ts_fault"],
                "status": _codes(frame["status"], STATUS_VOCAB),
                "updated_s": _seconds(frame["updated_s"]),
                "updated_fmt": frame["updated_fmt"],
            }
        )
    return pa.table(
        {
            "order_num": frame["order_num"],
            "line_number": _codes(frame["line_number"], SMALL_NUMBERS),
            "product_id": _codes(frame["product_num"], PRODUCT_IDS),
            "quantity": _codes(frame["quantity"] + QUANTITY_OFFSET, QUANTITIES),
            "unit_price": frame["unit_price"],
            "discount": frame["discount"],
        }
    )


def write_table(
    con: duckdb.DuckDBPyConnection, table: str, frame: Frame, path: Path, fmt: str
) -> None:
    """Format one raw table as text and write it (CSV with a header, or Parquet with zstd)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: expected one of {FORMATS}")
    con.execute(MACROS)
    arrow = to_arrow(table, frame)
    con.register("src", arrow)
    templates = "[" + ", ".join(f"'{t}'" for t in c.UNPARSEABLE_TS_TEMPLATES) + "]"
    query = SELECTS[table].format(templates=templates)
    options = "format csv, header true" if fmt == "csv" else "format parquet, compression snappy"
    try:
        con.execute(f"copy ({query}) to {path_literal(path)} ({options})")
    finally:
        con.unregister("src")


def path_literal(path: Path) -> str:
    """A file path as a SQL string literal (COPY ... TO takes no parameters): quotes doubled."""
    return "'" + str(path).replace("'", "''") + "'"


def write_ground_truth(
    con: duckdb.DuckDBPyConnection, ctype: np.ndarray, path: Path, offset: int = 0
) -> None:
    """customer_id, customer_type for every customer, as CSV (never read by the pipeline);
    customer numbers run from offset + 1 (a shard's customers follow earlier shards')."""
    arrow = pa.table(
        {
            "num": np.arange(offset + 1, offset + len(ctype) + 1),
            "customer_type": _codes(ctype, ALL_TYPES),
        }
    )
    con.register("truth", arrow)
    try:
        con.execute(
            "copy (select pad_id('C', num, 6) as customer_id, customer_type from truth) "
            f"to {path_literal(path)} (format csv, header true)"
        )
    finally:
        con.unregister("truth")
