"""Turn mapped input tables into the four raw contract tables (customers, products, orders,
order_lines; every column text, dates ISO). Rows that cannot be used go to a quarantine frame with
a reason; nothing is dropped silently.

Shapes:
- `transactions` (flat): one row per line (with an order id such as an invoice number: orders are
  its distinct values) or per purchase (no order id: one order per row, id `T<row>`); products
  from the product columns, customers from the customer columns, when mapped.
- `orders` + `order_lines` (the contract's own shape), with optional `products` and `customers`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from models_py.byod.config import (
    CUSTOMER_COLUMNS,
    DATE_COLUMNS,
    DECIMAL_COLUMNS,
    INTEGER_COLUMNS,
    PRODUCT_COLUMNS,
    ByodConfig,
    TableConfig,
)
from models_py.byod.limits import ValueLimits, format_limit
from models_py.byod.parse import (
    check_share,
    clean_text,
    number_format_label,
    parse_dates,
    parse_numbers,
)
from models_py.byod.read import FILE_COLUMN, ROW_COLUMN

# The raw contract's files and their column order (docs/contracts.md, "Raw tables").
CONTRACT: dict[str, tuple[str, ...]] = {
    "customers": CUSTOMER_COLUMNS,
    "products": PRODUCT_COLUMNS,
    "orders": ("order_id", "customer_id", "store", "channel", "order_ts", "status", "updated_at"),
    "order_lines": ("order_id", "line_number", "product_id", "quantity", "unit_price", "discount"),
}
QUARANTINE_COLUMNS = ("input_table", "file", "row", "reason", "record")
PROFILE_COLUMNS = tuple(c for c in CUSTOMER_COLUMNS if c not in ("customer_id", "updated_at"))


@dataclass
class Quarantine:
    """Rows of the user's files left out of the prepared tables, one reason each."""

    frames: list[pd.DataFrame] = field(default_factory=list)

    def add(self, table: str, raw: pd.DataFrame, mask: pd.Series, reason: str) -> None:
        if not mask.any():
            return
        rows = raw.loc[mask]
        data = rows.drop(columns=[FILE_COLUMN, ROW_COLUMN])
        records = [json.dumps(r, ensure_ascii=False, default=str) for r in data.to_dict("records")]
        self.frames.append(
            pd.DataFrame(
                {
                    "input_table": table,
                    "file": rows[FILE_COLUMN].astype(str).to_numpy(),
                    "row": rows[ROW_COLUMN].astype(int).to_numpy(),
                    "reason": reason,
                    "record": records,
                }
            )
        )

    def frame(self) -> pd.DataFrame:
        if not self.frames:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in QUARANTINE_COLUMNS})
        return pd.concat(self.frames, ignore_index=True)


def _translate(values: pd.Series, mapping: dict[str, tuple[str, ...]]) -> pd.Series:
    lookup = {source: target for target, sources in mapping.items() for source in sources}
    return values.map(lambda v: lookup.get(v.lower(), v) if isinstance(v, str) else v)


def outside_limits(
    column: str, values: pd.Series, limits: ValueLimits
) -> tuple[pd.Series, str] | None:
    """Which parsed values of a contract column lie outside its sane range, and the reason; None
    when the column has no range. Dates are ISO text, so they compare as text."""
    if column == "order_ts" and limits.min_valid_date is not None:
        floor = limits.min_valid_date.isoformat()
        too_old = values.map(lambda v: isinstance(v, str) and v[:10] < floor)
        return too_old.astype(bool), f"order too old (before {floor})"
    bound = limits.bound(column)
    if bound is None:
        return None
    name, limit = bound
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    return numbers.abs().gt(limit), f"{column} out of range (max {format_limit(limit)}, {name})"


def map_columns(
    raw: pd.DataFrame,
    table: TableConfig,
    quarantine: Quarantine,
    max_bad_share: float,
    limits: ValueLimits,
) -> pd.DataFrame:
    """The contract columns a table maps, cleaned and parsed, for the rows whose values parse
    and lie in their sane ranges (the others are quarantined, or the run stops when too many
    values do not parse)."""
    mapped = pd.DataFrame(index=raw.index)
    bad_any = pd.Series(False, index=raw.index)
    for column, spec in table.mapping.items():
        values = clean_text(raw[spec.source])
        if spec.values:
            values = _translate(values, spec.values)
        parsed = None
        if column in DATE_COLUMNS:
            parsed = parse_dates(values, table.date_formats)
            what = f"dates in the format {' or '.join(table.date_formats)}"
            reason = f"unparseable {column}"
        elif column in INTEGER_COLUMNS:
            parsed = parse_numbers(values, True, table.decimal, table.thousands)
            what, reason = "whole numbers", f"invalid {column}"
        elif column in DECIMAL_COLUMNS:
            parsed = parse_numbers(values, False, table.decimal, table.thousands)
            what = number_format_label(table.decimal, table.thousands)
            reason = f"invalid {column}"
        if parsed is not None:
            check_share(raw, parsed.bad, table.name, column, spec.source, what, max_bad_share)
            quarantine.add(table.name, raw, parsed.bad & ~bad_any, reason)
            bad_any |= parsed.bad
            values = parsed.values
        outside = outside_limits(column, values, limits)
        if outside is not None:
            mask, why = outside
            quarantine.add(table.name, raw, mask & ~bad_any, why)
            bad_any |= mask
        mapped[column] = values
    mapped[FILE_COLUMN] = raw[FILE_COLUMN]
    mapped[ROW_COLUMN] = raw[ROW_COLUMN]
    return mapped.loc[~bad_any]


def _column(frame: pd.DataFrame, column: str) -> pd.Series:
    if column in frame:
        return frame[column]
    return pd.Series(None, index=frame.index, dtype=object)


def _contract_frame(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    out = pd.DataFrame({c: _column(frame, c).astype(object) for c in CONTRACT[table]})
    return out.where(out.notna(), None).reset_index(drop=True)


def _drop(frame: pd.DataFrame, raw: pd.DataFrame, mask: pd.Series, table: str, reason: str, q):
    q.add(table, raw.loc[frame.index], mask, reason)
    return frame.loc[~mask]


def _fmt(x: float) -> str:
    return f"{round(x, 6):.15g}"


def derive_lines(
    lines: pd.DataFrame, raw: pd.DataFrame, table: str, q: Quarantine, limits: ValueLimits
):
    """quantity and unit_price for every line: unit_price as mapped, or amount / quantity
    (quantity 1, or -1 for a negative amount, when no quantity is mapped); a derived unit_price
    outside its sane range is quarantined as a mapped one is."""
    has_quantity = "quantity" in lines
    if "unit_price" in lines:
        missing = lines["unit_price"].isna()
        lines = _drop(lines, raw, missing, table, "missing unit_price", q)
        if not has_quantity:
            lines = lines.assign(quantity="1")
        else:
            lines = _drop(lines, raw, lines["quantity"].isna(), table, "missing quantity", q)
        return lines
    lines = _drop(lines, raw, lines["amount"].isna(), table, "missing amount", q)
    amount = lines["amount"].astype(float)
    if has_quantity:
        lines = _drop(lines, raw, lines["quantity"].isna(), table, "missing quantity", q)
        amount = lines["amount"].astype(float)
        quantity = lines["quantity"].astype(float)
        lines = _drop(lines, raw, quantity == 0, table, "zero quantity with an amount", q)
        amount, quantity = amount.loc[lines.index], quantity.loc[lines.index]
    else:
        quantity = amount.map(lambda a: -1.0 if a < 0 else 1.0)
        lines = lines.assign(quantity=quantity.map(lambda v: str(int(v))))
    lines = lines.assign(unit_price=(amount / quantity).map(_fmt))
    mask, why = outside_limits("unit_price", lines["unit_price"], limits)
    return _drop(lines, raw, mask, table, why, q)


def order_status(orders: pd.DataFrame, lines: pd.DataFrame, config: ByodConfig) -> pd.Series:
    """completed unless a mapped status says otherwise, or the order is marked cancelled/returned
    by an invoice prefix or by all its lines having a negative quantity."""
    status = _column(orders, "status").fillna("completed")
    rule = config.cancellations
    if rule.invoice_prefix:
        prefixed = orders["order_id"].map(lambda v: str(v).startswith(rule.invoice_prefix))
        status = status.where(~prefixed, rule.status)
    if rule.negative_quantity:
        negative = lines["quantity"].astype(float).lt(0).groupby(lines["order_id"]).all()
        marked = orders["order_id"].map(negative).fillna(False).astype(bool)
        status = status.where(~marked, rule.status)
    return status


def number_lines(lines: pd.DataFrame) -> pd.Series:
    return (lines.groupby("order_id", sort=False).cumcount() + 1).astype(str)


def from_transactions(
    mapped: pd.DataFrame, raw: pd.DataFrame, config: ByodConfig, q: Quarantine
) -> dict[str, pd.DataFrame]:
    """orders, order_lines (and products, customers from their columns) of a flat table."""
    name = "transactions"
    rows = mapped
    rows = _drop(rows, raw, rows["customer_id"].isna(), name, "missing customer_id", q)
    rows = _drop(rows, raw, rows["order_ts"].isna(), name, "missing order_ts", q)
    if "order_id" in rows:
        rows = _drop(rows, raw, rows["order_id"].isna(), name, "missing order_id", q)
        first = rows.groupby("order_id", sort=False)["customer_id"].transform("first")
        rows = _drop(
            rows, raw, rows["customer_id"] != first, name, "customer_id differs within order", q
        )
    else:
        rows = rows.assign(order_id=[f"T{i + 1:09d}" for i in rows.index])
    rows = derive_lines(rows, raw, name, q, config.limits)
    orders = rows.groupby("order_id", sort=False).first().reset_index()
    orders = orders.assign(status=order_status(orders, rows, config), updated_at=None)
    lines = rows.assign(line_number=number_lines(rows))
    out = {
        "orders": _contract_frame(orders, "orders"),
        "order_lines": _contract_frame(lines, "order_lines"),
    }
    if "product_id" in rows:
        known = rows[rows["product_id"].notna()]
        products = known.groupby("product_id", sort=True).first().reset_index()
        out["products"] = _contract_frame(products.assign(list_price=None), "products")
    if any(c in rows for c in PROFILE_COLUMNS):
        latest = rows.sort_values(["order_ts", FILE_COLUMN, ROW_COLUMN], kind="stable")
        customers = latest.groupby("customer_id", sort=True).last().reset_index()
        out["customers"] = _contract_frame(customers, "customers")
    return out


def from_orders(
    orders: pd.DataFrame, lines: pd.DataFrame, raw_lines: pd.DataFrame, config: ByodConfig, q
) -> dict[str, pd.DataFrame]:
    """The contract's own orders and order lines: amounts turned into unit prices, line numbers
    added when absent, statuses marked by the cancellation rules."""
    lines = derive_lines(lines, raw_lines, "order_lines", q, config.limits)
    if "line_number" not in lines:
        lines = lines.assign(
            line_number=number_lines(lines.assign(order_id=lines["order_id"].fillna("")))
        )
    orders = orders.assign(status=order_status(orders, lines, config))
    return {
        "orders": _contract_frame(orders, "orders"),
        "order_lines": _contract_frame(lines, "order_lines"),
    }


def contract_table(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    return _contract_frame(frame, table)


def empty_table(table: str) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=object) for c in CONTRACT[table]})
