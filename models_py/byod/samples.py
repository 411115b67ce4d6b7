"""Small seeded sample data for trying the bring-your-own-data path and for its tests (no
downloads), written in exactly the shape a config describes (`write_config_sample`): its
paths, formats and column names, value codes, date format and cancellation convention.

- `invoice_lines`: an Online-Retail-style invoice-line export (invoice, stock code, description,
  quantity, timestamp, unit price, customer id such as "12001.0", country); about 3% cancelled
  invoices, 5% lines without a customer id, 0.5% of invoices with an impossible date.
- `purchase_log`: a bare log, one purchase a row (customer id, date, quantity, amount); about 3%
  returns.
- Configs of the multi-table shape (orders + order lines, products, customers) get the demo data
  (models_py.demo_data), faults included, under the config's names.

`write_flat_invoices` and `write_transaction_log` write the first two in the shapes of
FLAT_INVOICE_CONFIG and TRANSACTION_LOG_CONFIG (`python -m models_py.byod sample --shape`).
"""

from __future__ import annotations

import shutil
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from models_py.byod.config import ByodConfig, ByodError, TableConfig, load_config, parse_config
from models_py.byod.read import resolve_files
from models_py.byod.sample_files import write_table
from models_py.demo_data import generate as generate_demo_data
from models_py.demo_data.config import DEFAULT_END_DATE
from models_py.settings import project_vars

START = datetime(2023, 1, 2)
DAYS = 700
COUNTRIES = ("United Kingdom", "France", "Germany", "EIRE", "Spain")
# A date written as one that does not exist in the config's format (sample_files.impossible_date).
UNPARSEABLE = "unparseable"
PURCHASE_LOG_COLUMNS = {"customer_id", "order_ts", "quantity", "amount", "unit_price"}
DEMO_TABLES = ("orders", "order_lines", "products", "customers")


def _purchases(
    rng: np.random.Generator, customers: int, start: datetime = START
) -> list[tuple[int, datetime]]:
    """(customer, timestamp) of every purchase, sorted by time: each customer buys at their own
    rate from their own first day."""
    out = []
    for customer in range(customers):
        first = int(rng.integers(0, DAYS - 30))
        rate = float(rng.gamma(2.0, 1 / 40))
        day = first
        while day < DAYS:
            minute = int(rng.integers(8 * 60, 20 * 60))
            out.append((customer, start + timedelta(days=day, minutes=minute)))
            day += 1 + int(rng.exponential(1 / rate))
    out.sort(key=lambda item: (item[1], item[0]))
    return out


def invoice_lines(customers: int = 400, seed: int = 7, start: datetime = START) -> pd.DataFrame:
    """Invoice lines in contract columns (transactions shape), status completed or cancelled."""
    rng = np.random.default_rng(seed)
    products = [
        (f"{85000 + i}{'AB'[i % 2] if i % 3 == 0 else ''}", f"ITEM NO {i} CAFÉ", 0.5 + i * 0.37)
        for i in range(40)
    ]
    country = rng.choice(len(COUNTRIES), size=customers, p=[0.8, 0.05, 0.05, 0.05, 0.05])
    rows = []
    for number, (customer, when) in enumerate(_purchases(rng, customers, start)):
        cancelled = rng.random() < 0.03
        anonymous = rng.random() < 0.05
        order_ts = UNPARSEABLE if rng.random() < 0.005 else when
        for item in rng.choice(len(products), size=int(rng.integers(1, 5)), replace=False):
            code, name, price = products[int(item)]
            quantity = int(rng.integers(1, 13))
            rows.append(
                {
                    "order_id": str(536000 + number),
                    "product_id": code,
                    "product_name": name,
                    "quantity": quantity,
                    "order_ts": order_ts,
                    "unit_price": round(price, 2),
                    "amount": round(quantity * round(price, 2), 2),
                    "customer_id": None if anonymous else f"{12000 + customer}.0",
                    "city": COUNTRIES[int(country[customer])],
                    "status": "cancelled" if cancelled else "completed",
                }
            )
    return pd.DataFrame(rows)


def purchase_log(customers: int = 400, seed: int = 11, start: datetime = START) -> pd.DataFrame:
    """One purchase a row in contract columns (transactions shape), status completed or returned."""
    rng = np.random.default_rng(seed)
    rows = []
    for customer, when in _purchases(rng, customers, start):
        quantity = int(rng.integers(1, 6))
        unit_price = float(rng.choice([99.0, 149.5, 250.0, 499.0]))
        returned = rng.random() < 0.03
        rows.append(
            {
                "customer_id": f"CU{customer:05d}",
                "order_ts": when,
                "quantity": quantity,
                "unit_price": unit_price,
                "amount": quantity * unit_price,
                "status": "returned" if returned else "completed",
            }
        )
    return pd.DataFrame(rows)


def with_cancellations(frame: pd.DataFrame, config: ByodConfig) -> pd.DataFrame:
    """Cancelled/returned rows marked as the config's `cancellations:` says: negative quantities
    (and amounts), and order ids with the invoice prefix when it sets one."""
    undone = frame["status"] != "completed"
    out = frame.copy()
    if config.cancellations.invoice_prefix or config.cancellations.negative_quantity:
        for column in ("quantity", "amount"):
            out.loc[undone, column] = -out.loc[undone, column]
    if config.cancellations.invoice_prefix and "order_id" in out:
        out.loc[undone, "order_id"] = config.cancellations.invoice_prefix + out.loc[
            undone, "order_id"
        ].astype(str)
    return out


def _history_end(config: ByodConfig) -> date | None:
    """The last day of sample history: the config's cutoff plus its horizon, so the cutoff falls
    inside the data and the horizon after it is observed; None: the generator's default."""
    if config.as_of_date is None:
        return None
    horizon = config.horizon_days or project_vars()["horizon_days"]
    return date.fromisoformat(config.as_of_date) + timedelta(days=horizon)


def _transactions(config: ByodConfig, customers: int, seed: int) -> dict[str, pd.DataFrame]:
    end = _history_end(config)
    start = START if end is None else datetime.combine(end, datetime.min.time()) - timedelta(DAYS)
    mapped = set(config.tables["transactions"].mapping)
    log = mapped <= PURCHASE_LOG_COLUMNS
    frame = purchase_log(customers, seed, start) if log else invoice_lines(customers, seed, start)
    return {"transactions": with_cancellations(frame, config)}


def _demo_tables(config: ByodConfig, customers: int, seed: int) -> dict[str, pd.DataFrame]:
    """The demo generator's four raw tables as text (empty cells None)."""
    with tempfile.TemporaryDirectory(prefix="byod-sample-") as tmp:
        generate_demo_data(customers, seed, tmp, "csv", _history_end(config) or DEFAULT_END_DATE)
        return {
            name: pd.read_csv(Path(tmp) / f"{name}.csv", dtype=str, keep_default_na=False).replace(
                "", None
            )
            for name in DEMO_TABLES
        }


def _existing_files(table: TableConfig) -> list[Path]:
    """The files already at a table's path or glob."""
    try:
        return resolve_files(table)
    except ByodError:
        return []


def write_config_sample(
    config: ByodConfig, customers: int = 400, seed: int = 7, overwrite: bool = False
) -> list[Path]:
    """Seeded sample files at the paths the config names, in its shape; returns them. Refuses
    (ByodError) to replace files that are already there unless `overwrite`."""
    if not overwrite:
        for table in config.tables.values():
            if _existing_files(table):
                raise ByodError(
                    f"tables.{table.name}.path: {table.path} already has files; a sample never "
                    "replaces data (write it elsewhere with --out DIR, or pass --overwrite)"
                )
    source = _transactions if config.shape == "transactions" else _demo_tables
    frames = source(config, customers, seed)
    return [
        path for name, table in config.tables.items() for path in write_table(frames[name], table)
    ]


FLAT_INVOICE_CONFIG = """\
# An Online-Retail-style invoice-line export (one row per invoice line).
currency: GBP
date_format: "%d/%m/%Y %H:%M"
max_bad_share: 0.05
tables:
  transactions:
    path: {path}
    encoding: latin-1
    mapping:
      order_id: InvoiceNo
      product_id: StockCode
      product_name: Description
      quantity: Quantity
      order_ts: InvoiceDate
      unit_price: UnitPrice
      customer_id: CustomerID
      city: Country
cancellations:
  invoice_prefix: "C"
horizon_days: 90
segments:
  k: 4
"""

TRANSACTION_LOG_CONFIG = """\
# A bare transaction log: customer, date, quantity, amount; no header, runs of spaces between
# fields; a negative quantity is a return.
date_format: "%Y%m%d"
tables:
  transactions:
    path: {path}
    delimiter: whitespace
    header: false
    columns: [customer, day, qty, amount]
    mapping:
      customer_id: customer
      order_ts: day
      quantity: qty
      amount: amount
cancellations:
  negative_quantity: true
  status: returned
as_of_date: 2024-09-30
horizon_days: 90
segments:
  k: null
  k_min: 2
  k_max: 4
"""


def sample_config_copy(config_path: str | Path, out: str | Path) -> Path:
    """A copy of the config in `out`, so its relative paths point into `out`; refuses a config
    with absolute paths (the sample would land outside `out`)."""
    config = load_config(config_path)
    absolute = [t.name for t in config.tables.values() if Path(t.path).expanduser().is_absolute()]
    if absolute:
        raise ByodError(
            f"tables.{absolute[0]}.path: an absolute path; a sample written with --out goes "
            "under DIR, so give paths relative to the config"
        )
    target = Path(out) / Path(config_path).name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(config_path, target)
    return target


def _template(template: str, path: Path) -> ByodConfig:
    """One of the templates below with its file at `path`."""
    raw = yaml.safe_load(template.format(path=path.name))
    return parse_config(raw, path.parent / "config.yml")


def write_flat_invoices(path: str | Path, customers: int = 400, seed: int = 7) -> Path:
    """`invoice_lines` as FLAT_INVOICE_CONFIG reads them, at `path`."""
    config = _template(FLAT_INVOICE_CONFIG, Path(path))
    frame = with_cancellations(invoice_lines(customers, seed), config)
    return write_table(frame, config.tables["transactions"])[0]


def write_transaction_log(path: str | Path, customers: int = 400, seed: int = 11) -> Path:
    """`purchase_log` as TRANSACTION_LOG_CONFIG reads it, at `path`."""
    config = _template(TRANSACTION_LOG_CONFIG, Path(path))
    frame = with_cancellations(purchase_log(customers, seed), config)
    return write_table(frame, config.tables["transactions"])[0]
