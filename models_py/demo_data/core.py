"""Run the generator end to end: draw entities, inject faults, write the files.

Up to `shard_customers` customers are drawn in one go. Larger runs are drawn in customer shards of
near-equal size, each with its own generator (`default_rng([seed, shard])`), so peak memory is
that of one shard: each shard's tables go to temporary Parquet files under `out/.shards/` and are
then merged, in shard order, into the final files by DuckDB (streaming, never in pandas).
Customer and order numbers are offset by those of earlier shards so every id stays unique, and
orphan lines keep pointing at orders that no shard has."""

from __future__ import annotations

import datetime as dt
import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import duckdb
import numpy as np
from tqdm import tqdm

from . import config as c
from .activity import make_lines, make_orders
from .calendar import Season, day_number
from .catalog import Catalog, make_catalog
from .faults import raw_customers, raw_orders_and_lines, raw_products
from .population import make_customers
from .writer import FORMATS, write_ground_truth, write_table

TABLES = ("customers", "products", "orders", "order_lines")
SHARD_CUSTOMERS = 1_000_000  # customers drawn at once; more are drawn in shards of about this size
SHARD_DIR = ".shards"  # temporary folder under `out` for the shards' files (removed at the end)
SHARD_STEPS = 7  # progress steps per shard (see _write_people)
GROUND_TRUTH = Path("ground_truth") / "customer_types.csv"
MERGED = ("customers", "orders", "order_lines", "ground_truth")  # written per shard, then merged
CSV_OPTIONS = "format csv, header true"  # as write_table writes CSV
PARQUET_OPTIONS = "format parquet, compression snappy"  # as write_table writes Parquet

Step = Callable[[str], None]


def shard_sizes(customers: int, shard_customers: int) -> list[int]:
    """Customers per shard: ceil(customers / shard_customers) shards of near-equal size."""
    if shard_customers < 1:
        raise ValueError(f"shard_customers must be positive, got {shard_customers}")
    shards = max(1, math.ceil(customers / shard_customers))
    size, extra = divmod(customers, shards)
    return [size + (i < extra) for i in range(shards)]


def _offset(column: np.ndarray, offset: int) -> np.ndarray:
    """Numbers shifted by the numbers of earlier shards (unchanged without an offset)."""
    return column.astype(np.int64) + offset if offset else column


@dataclass(frozen=True)
class _Draw:
    """What every draw of customers shares: the DuckDB connection that writes the files, the
    product catalogue, the day range (first, last), the progress step and the season."""

    con: duckdb.DuckDBPyConnection
    catalog: Catalog
    days: tuple[int, int]
    step: Step
    season: Season = field(default_factory=Season)


def _write_people(
    draw: _Draw,
    rng: np.random.Generator,
    n: int,
    paths: dict[str, Path],
    fmt: str,
    offsets: tuple[int, int],
    after_customers: Callable[[], None] | None = None,
) -> tuple[dict[str, int], int]:
    """Draw n customers with their orders and lines, inject the faults and write customers,
    ground truth, orders and order_lines to `paths`; customer and order numbers start after
    `offsets` (customers, orders). `after_customers` runs between writing customers and drawing
    the order faults (the unsharded run draws the products there, as it always has).

    Return the raw row counts and the largest order number used, orphan lines' included."""
    con, catalog, step = draw.con, draw.catalog, draw.step
    start_day, end_day = draw.days
    customer_offset, order_offset = offsets
    counts: dict[str, int] = {}
    people = make_customers(rng, n, start_day, end_day)
    step("customers")
    orders = make_orders(rng, people, start_day, end_day, draw.season)
    step("orders")
    lines = make_lines(rng, people, catalog, orders, start_day, end_day)
    step("order lines")

    frame = raw_customers(rng, people, end_day)
    frame["num"] = _offset(frame["num"], customer_offset)
    counts["customers"] = len(frame["num"])
    write_table(con, "customers", frame, paths["customers"], fmt)
    del frame
    write_ground_truth(con, people.ctype, paths["ground_truth"], offset=customer_offset)
    step("wrote customers")
    if after_customers is not None:
        after_customers()

    raw_orders, raw_lines = raw_orders_and_lines(rng, orders, lines, people, catalog, end_day)
    del orders, lines
    step("faults")
    # Orphan lines point above every real order of this shard; the next shard starts above them.
    last_order = int(max(raw_orders["num"].max(), raw_lines["order_num"].max()))
    raw_orders["num"] = _offset(raw_orders["num"], order_offset)
    raw_orders["customer_num"] = _offset(raw_orders["customer_num"], customer_offset)
    raw_lines["order_num"] = _offset(raw_lines["order_num"], order_offset)
    counts["orders"] = len(raw_orders["num"])
    write_table(con, "orders", raw_orders, paths["orders"], fmt)
    del raw_orders
    step("wrote orders")
    counts["order_lines"] = len(raw_lines["order_num"])
    write_table(con, "order_lines", raw_lines, paths["order_lines"], fmt)
    del raw_lines
    step("wrote order lines")
    counts["ground_truth"] = people.size
    return counts, order_offset + last_order


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _merge(con: duckdb.DuckDBPyConnection, sources: list[Path], path: Path, options: str) -> None:
    """Concatenate the shards' files, in shard order, into one file (DuckDB streams the rows)."""
    files = "[" + ", ".join(_sql_path(p) for p in sources) + "]"
    if sources[0].suffix == ".csv":
        reader = f"read_csv({files}, header = true, delim = ',', quote = '\"', all_varchar = true)"
    else:
        reader = f"read_parquet({files})"
    con.execute(f"copy (select * from {reader}) to {_sql_path(path)} ({options})")


def _checked_shard_sizes(customers: int, fmt: str, shard_customers: int) -> list[int]:
    """The shard sizes of ``customers``, after refusing arguments the generator cannot honour."""
    if customers < c.MIN_CUSTOMERS:
        raise ValueError(f"customers must be at least {c.MIN_CUSTOMERS}, got {customers}")
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {fmt!r}")
    sizes = shard_sizes(customers, shard_customers)
    if min(sizes) < c.MIN_CUSTOMERS:
        raise ValueError(
            f"shards of {min(sizes)} customers are too small: shard_customers must give shards"
            f" of at least {c.MIN_CUSTOMERS} customers"
        )
    return sizes


def generate(
    customers: int,
    seed: int,
    out: str | Path,
    fmt: str = "csv",
    end_date: dt.date = c.DEFAULT_END_DATE,
    progress: bool = False,
    shard_customers: int = SHARD_CUSTOMERS,
    season: Season | None = None,
) -> dict[str, int]:
    """Write customers, products, orders and order_lines (.csv or .parquet) and
    ground_truth/customer_types.csv into `out`; return the raw row count of each file.

    `season` (default: none) adds a yearly cycle and a trend to the purchase rates.

    More than `shard_customers` customers are drawn and written in shards (see the module
    docstring), so memory stays bounded. The same arguments always give byte-identical files."""
    sizes = _checked_shard_sizes(customers, fmt, shard_customers)
    out = Path(out)
    (out / "ground_truth").mkdir(parents=True, exist_ok=True)
    end_day = day_number(end_date)
    days = (end_day - c.HISTORY_DAYS + 1, end_day)
    rng = np.random.default_rng(seed)
    final = {t: out / f"{t}.{fmt}" for t in TABLES} | {"ground_truth": out / GROUND_TRUTH}

    sharded = len(sizes) > 1
    total = 2 + SHARD_STEPS * len(sizes) + (len(MERGED) if sharded else 0)
    steps = tqdm(total=total, desc="demo data", unit="step", disable=not progress)

    def step(name: str) -> None:
        steps.set_postfix_str(name)
        steps.update(1)

    with duckdb.connect() as con:
        con.execute("set preserve_insertion_order = true")
        catalog = make_catalog(rng)
        products: dict[str, int] = {}

        def write_products() -> None:
            frame = raw_products(rng, catalog)
            products["products"] = len(frame["num"])
            write_table(con, "products", frame, final["products"], fmt)
            step("wrote products")

        draw = _Draw(con=con, catalog=catalog, days=days, step=step, season=season or Season())
        if sharded:
            write_products()  # the catalogue is drawn once, with the main generator
            people = _write_shards(draw, seed, sizes, out, fmt, final)
        else:  # the same draws, in the same order, as before sharding existed
            people, _ = _write_people(draw, rng, customers, final, fmt, (0, 0), write_products)
        step("done")
    steps.close()
    return {"customers": people.pop("customers"), **products, **people}


def _write_shards(
    draw: _Draw,
    seed: int,
    sizes: list[int],
    out: Path,
    fmt: str,
    final: dict[str, Path],
) -> dict[str, int]:
    """Each shard to Parquet under out/.shards/, then every table merged into its final file."""
    tmp = out / SHARD_DIR
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    totals = dict.fromkeys(MERGED, 0)
    shard_paths: list[dict[str, Path]] = []
    try:
        customer_offset = order_offset = 0
        for index, size in enumerate(sizes):
            paths = {t: tmp / f"{t}.{index:05d}.parquet" for t in MERGED}
            paths["ground_truth"] = tmp / f"ground_truth.{index:05d}.csv"  # as written unsharded
            shard_paths.append(paths)
            rng = np.random.default_rng([seed, index])

            def shard_step(name: str, index: int = index) -> None:
                draw.step(f"shard {index + 1}/{len(sizes)}: {name}")

            shard_counts, order_offset = _write_people(
                replace(draw, step=shard_step),
                rng,
                size,
                paths,
                "parquet",
                (customer_offset, order_offset),
            )
            customer_offset += size
            for name, n in shard_counts.items():
                totals[name] += n
        for name in MERGED:
            sources = [paths[name] for paths in shard_paths]
            csv = fmt == "csv" or name == "ground_truth"
            _merge(draw.con, sources, final[name], CSV_OPTIONS if csv else PARQUET_OPTIONS)
            draw.step(f"merged {name}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return totals
