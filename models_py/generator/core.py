"""Run the generator end to end: draw entities, inject faults, write the files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np
from tqdm import tqdm

from . import config as c
from .activity import make_lines, make_orders
from .calendar import day_number
from .catalog import make_catalog
from .faults import raw_customers, raw_orders_and_lines, raw_products
from .population import make_customers
from .writer import FORMATS, write_ground_truth, write_table

TABLES = ("customers", "products", "orders", "order_lines")


def generate(
    customers: int,
    seed: int,
    out: str | Path,
    fmt: str = "csv",
    end_date: dt.date = c.DEFAULT_END_DATE,
    progress: bool = False,
) -> dict[str, int]:
    """Write customers, products, orders and order_lines (.csv or .parquet) and
    ground_truth/customer_types.csv into `out`; return the raw row count of each file.

    The same arguments always give byte-identical files."""
    if customers < c.MIN_CUSTOMERS:
        raise ValueError(f"customers must be at least {c.MIN_CUSTOMERS}, got {customers}")
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    out = Path(out)
    (out / "ground_truth").mkdir(parents=True, exist_ok=True)
    end_day = day_number(end_date)
    start_day = end_day - c.HISTORY_DAYS + 1
    rng = np.random.default_rng(seed)
    counts: dict[str, int] = {}

    steps = tqdm(total=9, desc="demo data", unit="step", disable=not progress)

    def step(name: str) -> None:
        steps.set_postfix_str(name)
        steps.update(1)

    with duckdb.connect() as con:
        con.execute("set preserve_insertion_order = true")
        catalog = make_catalog(rng)
        people = make_customers(rng, customers, start_day, end_day)
        step("customers")
        orders = make_orders(rng, people, start_day, end_day)
        step("orders")
        lines = make_lines(rng, people, catalog, orders, start_day, end_day)
        step("order lines")

        frame = raw_customers(rng, people, end_day)
        counts["customers"] = len(frame["num"])
        write_table(con, "customers", frame, out / f"customers.{fmt}", fmt)
        write_ground_truth(con, people.ctype, out / "ground_truth" / "customer_types.csv")
        step("wrote customers")
        frame = raw_products(rng, catalog)
        counts["products"] = len(frame["num"])
        write_table(con, "products", frame, out / f"products.{fmt}", fmt)
        step("wrote products")

        raw_orders, raw_lines = raw_orders_and_lines(rng, orders, lines, people, catalog, end_day)
        del orders, lines
        step("faults")
        counts["orders"] = len(raw_orders["num"])
        write_table(con, "orders", raw_orders, out / f"orders.{fmt}", fmt)
        del raw_orders
        step("wrote orders")
        counts["order_lines"] = len(raw_lines["order_num"])
        write_table(con, "order_lines", raw_lines, out / f"order_lines.{fmt}", fmt)
        step("wrote order lines")
        counts["ground_truth"] = people.size
        step("done")
    steps.close()
    return counts
