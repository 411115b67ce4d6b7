"""The bring-your-own-data config: a YAML file saying where a retailer's files are and how their
columns map to the raw data contract (docs/contracts.md). `load_config` reads and checks it; every
problem is a `ByodError` whose message names the config key (and the file, column and rows when
the data are at fault)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from models_py.byod.limits import (
    LIMIT_VARS,
    LimitError,
    ValueLimits,
    is_number,
    parse_date,
    value_limits,
)

CONTRACT_STATUSES = ("completed", "cancelled", "returned")

# Contract columns a mapping may fill, per input table. `transactions` is a flat table (one row per
# line or per purchase) that may also carry order, product and customer attributes.
ORDER_COLUMNS = ("order_id", "customer_id", "order_ts", "store", "channel", "status", "updated_at")
LINE_COLUMNS = (
    "order_id",
    "line_number",
    "product_id",
    "quantity",
    "unit_price",
    "amount",
    "discount",
)
PRODUCT_COLUMNS = ("product_id", "product_name", "category", "brand", "list_price")
CUSTOMER_COLUMNS = (
    "customer_id",
    "name",
    "email",
    "phone",
    "gender",
    "date_of_birth",
    "city",
    "signup_date",
    "loyalty_tier",
    "marketing_consent",
    "updated_at",
)
TRANSACTION_COLUMNS = (
    "customer_id",
    "order_ts",
    "order_id",
    "quantity",
    "unit_price",
    "amount",
    "discount",
    "product_id",
    "product_name",
    "category",
    "brand",
    "store",
    "channel",
    "status",
    *(c for c in CUSTOMER_COLUMNS if c not in ("customer_id", "updated_at")),
)
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "transactions": TRANSACTION_COLUMNS,
    "orders": ORDER_COLUMNS,
    "order_lines": LINE_COLUMNS,
    "products": PRODUCT_COLUMNS,
    "customers": CUSTOMER_COLUMNS,
}
# Columns each input table must map (amount-or-unit_price is checked separately).
REQUIRED_COLUMNS: dict[str, tuple[str, ...]] = {
    "transactions": ("customer_id", "order_ts"),
    "orders": ("order_id", "customer_id", "order_ts"),
    "order_lines": ("order_id",),
    "products": ("product_id",),
    "customers": ("customer_id",),
}
DATE_COLUMNS = ("order_ts", "updated_at", "date_of_birth", "signup_date")
INTEGER_COLUMNS = ("quantity", "line_number")
DECIMAL_COLUMNS = ("unit_price", "amount", "discount", "list_price")

# The formats staging parses (macros/parse_timestamp.sql): used when no date_format is set.
DEFAULT_DATE_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%d/%m/%Y %H:%M", "%d/%m/%Y", "%Y%m%d")

TOP_LEVEL_KEYS = {
    "tables",
    "date_format",
    "currency",
    "max_bad_share",
    "csv",
    "cancellations",
    "as_of_date",
    "horizon_days",
    "segments",
    "dbt_vars",
    "keep_exact_duplicates",
    *LIMIT_VARS,
}
TABLE_KEYS = {
    "path",
    "format",
    "delimiter",
    "header",
    "columns",
    "quote",
    "encoding",
    "date_format",
    "mapping",
    "decimal",
    "thousands",
}
CSV_KEYS = {"delimiter", "header", "quote", "encoding", "decimal", "thousands"}
# Number formats of exported spreadsheets: decimal mark, and thousands separators (" " also
# accepts the no-break spaces French and Nordic exports write).
DECIMAL_MARKS = (".", ",")
THOUSANDS_SEPARATORS = (",", ".", " ", "'")
SEGMENT_KEYS = {"k", "k_min", "k_max", "features", "log_features", "random_seed"}
CANCELLATION_KEYS = {"invoice_prefix", "negative_quantity", "status"}


class ByodError(ValueError):
    """A config or input problem that stops the run before anything is written."""


@dataclass(frozen=True)
class ColumnMap:
    """One contract column filled from a source column, with optional value translation
    (`values`: contract value -> list of source values, compared trimmed and case-insensitively)."""

    source: str
    values: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class TableConfig:
    """Where one input table is and how to read it."""

    name: str
    path: str
    base_dir: Path
    format: str
    delimiter: str | None  # None: sniffed from the file (read.sniff_delimiter)
    header: bool
    columns: tuple[str, ...] | None
    quote: str | None
    encoding: str
    date_formats: tuple[str, ...]
    mapping: dict[str, ColumnMap]
    decimal: str = "."
    thousands: str | None = None

    def maps(self, column: str) -> bool:
        return column in self.mapping


@dataclass(frozen=True)
class Cancellations:
    """How cancelled/returned orders are marked besides a mapped status column."""

    invoice_prefix: str | None = None
    negative_quantity: bool = False
    status: str = "cancelled"


@dataclass(frozen=True)
class ByodConfig:
    """A validated config."""

    path: Path
    tables: dict[str, TableConfig]
    cancellations: Cancellations
    currency: str | None
    max_bad_share: float
    as_of_date: str | None
    horizon_days: int | None
    segments: dict[str, Any]
    dbt_vars: dict[str, Any]
    limits: ValueLimits
    # The limits the config sets (var name -> value), passed on to dbt as vars.
    limit_vars: dict[str, Any] = field(default_factory=dict)
    # Flat shape: keep lines repeated with every mapped field equal (real repeats, not copies).
    keep_exact_duplicates: bool = False

    @property
    def shape(self) -> str:
        return "transactions" if "transactions" in self.tables else "orders"


def _as_mapping(value: Any, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ByodError(f"{where}: expected a mapping (key: value), got {type(value).__name__}")
    return value


def _check_keys(value: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(map(str, value)) - allowed)
    if unknown:
        raise ByodError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}"
        )


def _formats(value: Any, where: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items or not all(isinstance(v, str) for v in items):
        raise ByodError(f"{where}: expected a strptime format such as '%d/%m/%Y' or a list")
    return tuple(items)


def _delimiter(value: Any, where: str) -> str | None:
    if value is None:
        return None
    text = str(value)
    if text.lower() in ("whitespace", "\\s+", "space+"):
        return "whitespace"
    if text in ("\\t", "tab"):
        return "\t"
    if not text:
        raise ByodError(f"{where}: the delimiter is empty")
    return text


def _number_format(settings: dict, where: str) -> dict[str, str | None]:
    """`decimal` and `thousands` of a table's numbers (TableConfig fields), checked for coherence
    with each other and the delimiter."""
    delimiter = _delimiter(settings.get("delimiter"), f"{where}.delimiter")
    decimal = settings.get("decimal", ".")
    thousands = settings.get("thousands")
    if decimal not in DECIMAL_MARKS:
        raise ByodError(
            f"{where}.decimal: expected one of {', '.join(map(repr, DECIMAL_MARKS))}, "
            f"got {decimal!r}"
        )
    if thousands is not None and thousands not in THOUSANDS_SEPARATORS:
        raise ByodError(
            f"{where}.thousands: expected one of {', '.join(map(repr, THOUSANDS_SEPARATORS))} "
            f"or no key, got {thousands!r}"
        )
    if thousands == decimal:
        raise ByodError(
            f"{where}: decimal and thousands are both {decimal!r}, so 1{decimal}234 would be "
            "ambiguous; set the thousands separator your file uses, or leave it out"
        )
    for key, mark in (("decimal", decimal), ("thousands", thousands)):
        if mark is not None and (mark == delimiter or (mark == " " and delimiter == "whitespace")):
            raise ByodError(
                f"{where}.{key}: {mark!r} is also the delimiter; a file whose numbers use "
                f"{mark!r} is usually separated by ';' (set delimiter: ';' or leave it out to "
                "sniff it)"
            )
    return {"decimal": decimal, "thousands": thousands}


def _column_map(table: str, key: str, value: Any) -> ColumnMap:
    where = f"tables.{table}.mapping.{key}"
    if isinstance(value, str | int) and not isinstance(value, bool):
        return ColumnMap(source=str(value))
    if isinstance(value, dict):
        _check_keys(value, {"column", "values"}, where)
        if "column" not in value:
            raise ByodError(f"{where}: needs `column:` (the source column name)")
        values = {}
        for target, sources in _as_mapping(value.get("values"), f"{where}.values").items():
            items = sources if isinstance(sources, list) else [sources]
            values[str(target)] = tuple(str(s).strip().lower() for s in items)
        return ColumnMap(source=str(value["column"]), values=values)
    raise ByodError(f"{where}: expected a source column name or {{column: ..., values: ...}}")


def _table_format(raw: dict, where: str) -> tuple[str, str]:
    """The table's path and file format (from `format:` or the path's extension)."""
    if not raw.get("path"):
        raise ByodError(f"{where}.path: missing (a file or a glob such as data/*.csv)")
    path = str(raw["path"])
    fmt = str(raw.get("format") or ("parquet" if path.endswith((".parquet", ".pq")) else "csv"))
    if fmt not in ("csv", "parquet"):
        raise ByodError(f"{where}.format: expected csv or parquet, got {fmt!r}")
    return path, fmt


def _table_header(raw: dict, settings: dict, fmt: str, where: str) -> tuple[bool, Any]:
    """Whether the file has a header row, and the `columns:` list that names them otherwise."""
    columns = raw.get("columns")
    if columns is not None and (
        not isinstance(columns, list) or len({str(c) for c in columns}) != len(columns)
    ):
        raise ByodError(f"{where}.columns: expected a list of distinct column names")
    header = settings.get("header", True)
    if not isinstance(header, bool):
        raise ByodError(f"{where}.header: expected true or false")
    if not header and columns is None and fmt == "csv":
        raise ByodError(f"{where}: header is false, so `columns:` must name the file's columns")
    return header, columns


def _table_mapping(name: str, raw: dict, where: str) -> dict[str, ColumnMap]:
    """The contract column -> source column mapping, checked against the table's contract."""
    mapping_raw = _as_mapping(raw.get("mapping"), f"{where}.mapping")
    if not mapping_raw:
        raise ByodError(f"{where}.mapping: missing (contract column: your column)")
    _check_keys(mapping_raw, set(TABLE_COLUMNS[name]), f"{where}.mapping")
    mapping = {str(k): _column_map(name, str(k), v) for k, v in mapping_raw.items()}
    missing = [c for c in REQUIRED_COLUMNS[name] if c not in mapping]
    if missing:
        raise ByodError(f"{where}.mapping: required column(s) {', '.join(missing)} not mapped")
    if name in ("transactions", "order_lines") and not (
        "unit_price" in mapping or "amount" in mapping
    ):
        raise ByodError(f"{where}.mapping: map `amount` or `unit_price` (with `quantity`)")
    status = mapping.get("status")
    bad = sorted(set(status.values) - set(CONTRACT_STATUSES)) if status is not None else []
    if bad:
        raise ByodError(
            f"{where}.mapping.status.values: {', '.join(bad)} is not one of "
            f"{', '.join(CONTRACT_STATUSES)}"
        )
    return mapping


def _table(name: str, raw: Any, defaults: dict, date_formats: tuple | None, base: Path):
    where = f"tables.{name}"
    raw = _as_mapping(raw, where)
    _check_keys(raw, TABLE_KEYS, where)
    path, fmt = _table_format(raw, where)
    settings = {**defaults, **{k: v for k, v in raw.items() if k in CSV_KEYS}}
    header, columns = _table_header(raw, settings, fmt, where)
    mapping = _table_mapping(name, raw, where)
    quote = settings.get("quote", '"')
    return TableConfig(
        name=name,
        path=path,
        base_dir=base,
        format=fmt,
        delimiter=_delimiter(settings.get("delimiter"), f"{where}.delimiter"),
        header=header,
        columns=tuple(str(c) for c in columns) if columns is not None else None,
        quote=None if quote in (None, "") else str(quote),
        encoding=str(settings.get("encoding", "utf-8")),
        date_formats=_formats(raw.get("date_format"), f"{where}.date_format")
        or date_formats
        or DEFAULT_DATE_FORMATS,
        mapping=mapping,
        # Typed Parquet numbers read as '.'-decimals: the `csv:` block's format is not theirs.
        **_number_format(raw if fmt == "parquet" else settings, where),
    )


def parse_config(raw: Any, path: Path) -> ByodConfig:
    """Check a loaded YAML document and resolve it into a `ByodConfig`."""
    raw = _as_mapping(raw, str(path))
    _check_keys(raw, TOP_LEVEL_KEYS, "config")
    csv_defaults = _as_mapping(raw.get("csv"), "csv")
    _check_keys(csv_defaults, CSV_KEYS, "csv")
    date_formats = _formats(raw.get("date_format"), "date_format")
    tables_raw = _as_mapping(raw.get("tables"), "tables")
    _check_keys(tables_raw, set(TABLE_COLUMNS), "tables")
    base = path.resolve().parent
    tables = {
        name: _table(name, value, csv_defaults, date_formats, base)
        for name, value in tables_raw.items()
    }
    if "transactions" in tables:
        clash = sorted({"orders", "order_lines"} & set(tables))
        if clash:
            raise ByodError(
                f"tables: give either `transactions` or `orders` + `order_lines`, not both "
                f"(found {', '.join(clash)} too)"
            )
    elif not {"orders", "order_lines"} <= set(tables):
        raise ByodError(
            "tables: the transactions are required: map a `transactions` table (one row per "
            "purchase or line), or both `orders` and `order_lines`"
        )
    return ByodConfig(
        path=path,
        tables=tables,
        cancellations=_cancellations(raw),
        **_settings(raw),
    )


def _cancellations(raw: dict) -> Cancellations:
    cancel_raw = _as_mapping(raw.get("cancellations"), "cancellations")
    _check_keys(cancel_raw, CANCELLATION_KEYS, "cancellations")
    negative = cancel_raw.get("negative_quantity", False)
    if not isinstance(negative, bool):
        raise ByodError("cancellations.negative_quantity: expected true or false")
    cancellations = Cancellations(
        invoice_prefix=(
            str(cancel_raw["invoice_prefix"]) if cancel_raw.get("invoice_prefix") else None
        ),
        negative_quantity=negative,
        status=str(cancel_raw.get("status", "cancelled")),
    )
    if cancellations.status not in ("cancelled", "returned"):
        raise ByodError("cancellations.status: expected cancelled or returned")
    return cancellations


def _whole_number(value: Any, key: str, minimum: int, what: str) -> int:
    """A whole number >= minimum (booleans are not numbers), or ByodError naming the key."""
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ByodError(f"{key}: expected {what}, got {value!r}")
    return value


def _as_of_date(value: Any) -> str | None:
    if value is None:
        return None
    try:
        return parse_date(value, "as_of_date").isoformat()
    except LimitError as error:
        raise ByodError(str(error)) from None


def _currency(value: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z]{3}", value.strip()):
        raise ByodError(
            "currency: expected a three-letter ISO 4217 code such as GBP, USD or EUR, "
            f"got {value!r}"
        )
    return value.strip().upper()


def _segments(raw: dict) -> dict[str, Any]:
    segments = _as_mapping(raw.get("segments"), "segments")
    _check_keys(segments, SEGMENT_KEYS, "segments")
    for key in ("k", "k_min", "k_max"):
        if segments.get(key) is not None or (key != "k" and key in segments):
            _whole_number(segments[key], f"segments.{key}", 2, "a whole number >= 2")
    if "random_seed" in segments:
        _whole_number(segments["random_seed"], "segments.random_seed", 0, "a whole number >= 0")
    if segments.get("k_min", 2) > segments.get("k_max", segments.get("k_min", 2)):
        raise ByodError("segments.k_min: must not exceed segments.k_max")
    for key in ("features", "log_features"):
        names = segments.get(key, [])
        if not isinstance(names, list) or not all(
            isinstance(n, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n) for n in names
        ):
            raise ByodError(f"segments.{key}: expected a list of customer_features column names")
    return segments


def _limits(raw: dict, dbt_vars: dict) -> tuple[ValueLimits, dict[str, Any]]:
    """The sane ranges: dbt_project.yml's defaults, overridden by the config's own keys."""
    twice = sorted(k for k in LIMIT_VARS if k in raw and k in dbt_vars)
    if twice:
        raise ByodError(f"dbt_vars: {', '.join(twice)} is also a config key; set it once")
    given = {k: v for k, v in {**dbt_vars, **raw}.items() if k in LIMIT_VARS}
    try:
        limits = value_limits(given)
    except LimitError as error:
        raise ByodError(str(error)) from None
    if limits.min_valid_date is not None and "min_valid_date" in given:
        given["min_valid_date"] = limits.min_valid_date.isoformat()
    return limits, given


def _settings(raw: dict) -> dict[str, Any]:
    """The run settings besides tables and cancellations, each checked against its key."""
    max_bad_share = raw.get("max_bad_share", 0.05)
    if not is_number(max_bad_share) or not 0 <= max_bad_share <= 1:
        raise ByodError(
            f"max_bad_share: expected a share between 0 and 1, e.g. 0.05, got {max_bad_share!r}"
        )
    horizon = raw.get("horizon_days")
    if horizon is not None:
        _whole_number(horizon, "horizon_days", 1, "a whole number of days >= 1")
    keep_duplicates = raw.get("keep_exact_duplicates", False)
    if not isinstance(keep_duplicates, bool):
        raise ByodError(f"keep_exact_duplicates: expected true or false, got {keep_duplicates!r}")
    dbt_vars = _as_mapping(raw.get("dbt_vars"), "dbt_vars")
    limits, limit_vars = _limits(raw, dbt_vars)
    return {
        "keep_exact_duplicates": keep_duplicates,
        "currency": _currency(raw.get("currency")),
        "max_bad_share": float(max_bad_share),
        "as_of_date": _as_of_date(raw.get("as_of_date")),
        "horizon_days": horizon,
        "segments": _segments(raw),
        "dbt_vars": {k: v for k, v in dbt_vars.items() if k not in LIMIT_VARS},
        "limits": limits,
        "limit_vars": limit_vars,
    }


class _TextDatesLoader(yaml.SafeLoader):
    """Safe YAML that leaves dates as text, so an impossible date such as 2024-02-30 reaches the
    check of its key instead of failing inside the YAML parser."""


_TextDatesLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_config(path: str | Path) -> ByodConfig:
    """Read and check a YAML config file."""
    path = Path(path)
    if not path.is_file():
        raise ByodError(f"config file not found: {path}")
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_TextDatesLoader)
    except yaml.YAMLError as error:
        raise ByodError(f"{path}: not valid YAML: {error}") from error
    return parse_config(raw, path)
