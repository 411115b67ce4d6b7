"""Small seeded sample files in the common shapes of a retailer's own export, with example configs:
for trying the bring-your-own-data path and for its tests (no downloads).

- `write_flat_invoices`: an Online-Retail-style invoice-line export (InvoiceNo, StockCode,
  Description, Quantity, InvoiceDate `%d/%m/%Y %H:%M`, UnitPrice, CustomerID, Country), Latin-1,
  cancellations as invoices prefixed "C" with negative quantities, rows without a CustomerID.
- `write_transaction_log`: a bare log (customer id, date `%Y%m%d`, quantity, amount), fields
  separated by runs of spaces, no header; returns as negative quantities.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

START = datetime(2023, 1, 2)
DAYS = 700
COUNTRIES = ("United Kingdom", "France", "Germany", "EIRE", "Spain")


def _purchases(rng: np.random.Generator, customers: int) -> list[tuple[int, datetime]]:
    """(customer, timestamp) of every purchase, sorted by time: each customer buys at their own
    rate from their own first day."""
    out = []
    for customer in range(customers):
        first = int(rng.integers(0, DAYS - 30))
        rate = float(rng.gamma(2.0, 1 / 40))
        day = first
        while day < DAYS:
            minute = int(rng.integers(8 * 60, 20 * 60))
            out.append((customer, START + timedelta(days=day, minutes=minute)))
            day += 1 + int(rng.exponential(1 / rate))
    out.sort(key=lambda item: (item[1], item[0]))
    return out


def write_flat_invoices(path: str | Path, customers: int = 400, seed: int = 7) -> Path:
    """An invoice-line CSV export; returns its path."""
    rng = np.random.default_rng(seed)
    products = [
        (f"{85000 + i}{'AB'[i % 2] if i % 3 == 0 else ''}", f"ITEM NO {i} CAFÉ", 0.5 + i * 0.37)
        for i in range(40)
    ]
    country = rng.choice(len(COUNTRIES), size=customers, p=[0.8, 0.05, 0.05, 0.05, 0.05])
    rows = ["InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"]
    for number, (customer, when) in enumerate(_purchases(rng, customers)):
        invoice = str(536000 + number)
        cancelled = rng.random() < 0.03
        anonymous = rng.random() < 0.05
        stamp = when.strftime("%d/%m/%Y %H:%M")
        if rng.random() < 0.005:
            stamp = "31/02/2024 10:00"
        for item in rng.choice(len(products), size=int(rng.integers(1, 5)), replace=False):
            code, name, price = products[int(item)]
            quantity = int(rng.integers(1, 13))
            rows.append(
                ",".join(
                    [
                        f"C{invoice}" if cancelled else invoice,
                        code,
                        f'"{name}"',
                        str(-quantity if cancelled else quantity),
                        stamp,
                        f"{price:.2f}",
                        "" if anonymous else f"{12000 + customer}.0",
                        COUNTRIES[int(country[customer])],
                    ]
                )
            )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n", encoding="latin-1")
    return path


def write_transaction_log(path: str | Path, customers: int = 400, seed: int = 11) -> Path:
    """A whitespace-separated log without header: customer, date, quantity, amount."""
    rng = np.random.default_rng(seed)
    lines = []
    for customer, when in _purchases(rng, customers):
        quantity = int(rng.integers(1, 6))
        amount = quantity * float(rng.choice([99.0, 149.5, 250.0, 499.0]))
        if rng.random() < 0.03:
            quantity, amount = -quantity, -amount
        lines.append(f"CU{customer:05d}   {when:%Y%m%d}\t{quantity:>4d}  {amount:10.2f}")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


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
