"""The forecast harness's data: a demo extract with a known future, cut at T, built by dbt.

The generator writes the whole history up to the end date E; the copy the pipeline sees keeps
only what was known at T = E - horizon (orders placed and last updated on or before T, their
lines, every customer and product), so the pipeline predicts (T, E] without having seen it. What
customers really did in (T, E] comes from the full extract, cleaned by the same dbt models.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import duckdb
import pandas as pd

from bench.__main__ import DBT_PROJECT_DIR, dbt_cmd, ours_env
from models_py.demo_data import generate
from models_py.demo_data.calendar import Season

# The generator's documented timestamp formats (docs/demo_data.md); anything else is left in
# place for staging to quarantine.
PARSE_TS = """
create or replace macro parse_ts(x) as coalesce(
    try_strptime(x, '%Y-%m-%d %H:%M:%S'), try_strptime(x, '%Y-%m-%d'),
    try_strptime(x, '%d/%m/%Y %H:%M'), try_strptime(x, '%d/%m/%Y'), try_strptime(x, '%Y%m%d'))
"""


def generate_full(out: Path, customers: int, seed: int, end: dt.date, season: Season) -> Path:
    """The whole extract up to ``end`` (reused when its files are there)."""
    if not (out / "orders.csv").is_file():
        generate(customers, seed, out, "csv", end_date=end, season=season)
    return out


def _csv(path: Path) -> str:
    return f"read_csv('{path}', header = true, all_varchar = true)"


def cut_extract(full: Path, out: Path, cutoff: dt.date, first: dt.date | None = None) -> Path:
    """The extract as known at the end of ``cutoff``: orders placed and last updated by then
    (re-sent versions from later dropped; unparseable timestamps kept for staging to
    quarantine), their lines and orphan lines, every customer and product. With ``first``, only
    orders placed after it (an export that starts there)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "ground_truth").mkdir(exist_ok=True)
    limit = f"timestamp '{cutoff:%Y-%m-%d} 23:59:59'"
    start = "true" if first is None else f"parse_ts(order_ts) >= date '{first + dt.timedelta(1)}'"
    with duckdb.connect() as con:
        con.execute(PARSE_TS)
        con.execute(
            f"create table kept_orders as select * from {_csv(full / 'orders.csv')} "
            f"where coalesce(parse_ts(order_ts) <= {limit}, true) "
            f"and coalesce(parse_ts(updated_at) <= {limit}, true) and coalesce({start}, true)"
        )
        con.execute(
            f"create table kept_lines as select l.* from {_csv(full / 'order_lines.csv')} l "
            "where l.order_id in (select order_id from kept_orders) "
            f"or l.order_id not in (select order_id from {_csv(full / 'orders.csv')})"
        )
        for table, source in (
            ("orders", "kept_orders"),
            ("order_lines", "kept_lines"),
            ("customers", _csv(full / "customers.csv")),
            ("products", _csv(full / "products.csv")),
        ):
            con.execute(
                f"copy (select * from {source}) to '{out / f'{table}.csv'}' (format csv, header)"
            )
    return out


def dbt(raw: Path, work: Path, dbt_vars: dict, *args: str, raw_format: str = "csv") -> None:
    """The real dbt project on ``raw`` into ``work``/build.duckdb; raises with dbt's output."""
    vars_text = ", ".join(f"{key}: {value}" for key, value in dbt_vars.items())
    command = dbt_cmd(work, *args, "--vars", "{" + vars_text + "}")
    env = ours_env(raw, work, raw_format=raw_format)
    result = subprocess.run(
        command, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(f"dbt {' '.join(args)} failed:\n{result.stdout[-6000:]}")


def actual_outcomes(full_build: Path, cutoff: dt.date, horizon_days: int) -> pd.DataFrame:
    """Per customer, completed orders and net spend in (cutoff, cutoff + horizon_days], from the
    full extract cleaned by dbt (the labels' own definition, customer_label_snapshots)."""
    end = cutoff + dt.timedelta(days=horizon_days)
    with duckdb.connect(str(full_build), read_only=True) as con:
        return con.execute(
            """
            select customer_id,
                sum(case when status = 'completed' then 1 else 0 end) as actual_orders,
                cast(sum(spend_amount) as double) as actual_spend
            from int_order_totals
            where order_date > ? and order_date <= ?
            group by customer_id
            """,
            [cutoff, end],
        ).df()
