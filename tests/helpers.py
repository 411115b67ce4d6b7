"""What the tests share: the repository's paths, running the real dbt and the demo data
generator on a temporary warehouse, and synthetic customer features."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from models_py.serving.publish import BUILD_OUTCOME_TABLE

ROOT = Path(__file__).resolve().parents[1]  # the repository
DBT_PROJECT_DIR = ROOT / "dbt_project"
DBT = Path(sys.executable).with_name("dbt")
# Per raw table, the model giving every raw row its bucket and the model of its clean rows
# (dbt macro cleaning_models): orders and order lines are classified in intermediate.
CLASSIFIED_MODEL = {
    "customers": "base_customers",
    "products": "base_products",
    "orders": "int_orders_classified",
    "order_lines": "int_order_lines_classified",
}
CLEAN_MODEL = {
    "customers": "stg_customers",
    "products": "stg_products",
    "orders": "int_orders",
    "order_lines": "int_order_lines",
}

SMALL_CUSTOMERS = 1500
SMALL_SEED = 7


@dataclass(frozen=True)
class Warehouse:
    """A built warehouse: where its raw files and DuckDB file are, and how to run dbt on it."""

    root: Path
    raw_dir: Path
    db_path: Path
    artifacts_dir: Path
    env: dict[str, str]

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.db_path), read_only=True)

    def query(self, sql: str):
        with self.connect() as con:
            return con.sql(sql).df()

    def dbt(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return run_dbt(self.env, self.root, *args, check=check)


def dbt_env(raw_dir: Path, db_path: Path, artifacts_dir: Path, raw_format: str = "csv") -> dict:
    env = dict(os.environ)
    env.update(
        DO_NOT_TRACK="1",
        DBT_SEND_ANONYMOUS_USAGE_STATS="False",
        DBT_PROFILES_DIR=str(ROOT),
        CA_RAW_DIR=str(raw_dir),
        CA_RAW_FORMAT=raw_format,
        CA_WAREHOUSE_PATH=str(db_path),
        CA_ARTIFACTS_DIR=str(artifacts_dir),
    )
    return env


def run_dbt(env: dict, work_dir: Path, *args: str, check: bool = True):
    """Run the real dbt CLI with its own target and log folders, so parallel runs never clash."""
    cmd = [
        str(DBT),
        *args,
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    result = subprocess.run(
        cmd, cwd=DBT_PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"dbt {' '.join(args)} failed:\n{result.stdout[-8000:]}")
    return result


def generate(out: Path, customers: int, seed: int, fmt: str = "csv") -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "models_py",
            "generate",
            "--customers",
            str(customers),
            "--seed",
            str(seed),
            "--out",
            str(out),
            "--format",
            fmt,
        ],
        check=True,
        capture_output=True,
    )


# (type, recency_days, tenure_days, frequency, monetary per order, categories) typical values
TYPES = {
    "vip": (10, 900, 30, 6000, 7),
    "frequent": (15, 700, 15, 1200, 5),
    "occasional": (120, 800, 3, 1500, 2),
    "new": (20, 40, 1, 1000, 1),
    "lapsing": (500, 900, 6, 1800, 3),
}


def synthetic_features(n_per_type: int = 60, seed: int = 0) -> pd.DataFrame:
    """Customers of five latent types with the customer_features columns segmentation reads."""
    rng = np.random.default_rng(seed)
    rows = []
    for type_name, (recency, tenure, frequency, per_order, cats) in TYPES.items():
        for _ in range(n_per_type):
            orders = max(1, int(rng.poisson(frequency)))
            aov = per_order * rng.lognormal(0, 0.3)
            recency_days = recency * rng.lognormal(0, 0.3)
            first = max(recency_days, tenure * rng.lognormal(0, 0.2))
            rows.append(
                {
                    "customer_type": type_name,
                    "recency_days": recency_days,
                    "tenure_days": first,
                    "frequency": orders,
                    "monetary": orders * aov,
                    "aov": aov,
                    # First to last order over the gaps; null for a one-order customer, as in
                    # customer_features.
                    "avg_days_between_orders": (first - recency_days) / (orders - 1)
                    if orders > 1
                    else np.nan,
                    "distinct_categories": min(10, max(1, int(rng.poisson(cats)))),
                }
            )
    df = pd.DataFrame(rows).sample(frac=1.0, random_state=seed).reset_index(drop=True)
    df.insert(0, "customer_id", [f"C{i:06d}" for i in range(1, len(df) + 1)])
    return df


def make_build(path: Path, version: int) -> None:
    """A tiny build file: a contracted, documented table, a view, and an internal table."""
    path.unlink(missing_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table dim_customers (customer_id varchar not null primary key, age integer)"
        )
        con.execute(
            "insert into dim_customers select 'C' || i, ? from range(?) t(i)",
            [30 + version, 10 * version],
        )
        con.execute("comment on table dim_customers is 'One row per customer.'")
        con.execute("comment on column dim_customers.customer_id is 'Customer''s id.'")
        con.execute("comment on column dim_customers.age is 'Age in years.'")
        con.execute("create view data_quality_summary as select 'orders' as table_name, 5 as n")
        con.execute("comment on view data_quality_summary is 'Row counts per raw table.'")
        con.execute("create table stg_internal as select 1 as x")
        # what dbt's on-run-end hook leaves after a complete, successful build
        con.execute(
            f"create table {BUILD_OUTCOME_TABLE} as select 'inv-{version}' as run_id, 1 as nodes"
        )


@dataclass(frozen=True)
class Run:
    """A warehouse folder for the runner, and the environment that points every path there."""

    work: Path
    env: dict[str, str]

    @property
    def build(self) -> Path:
        return self.work / "build.duckdb"

    @property
    def served(self) -> Path:
        return self.work / "analytics.duckdb"

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "models_py", *args]

    def __call__(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*args),
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self, *args: str, stderr=subprocess.PIPE) -> subprocess.Popen[str]:
        """Start the runner; read its stderr as it goes, or pass a file for long runs."""
        return subprocess.Popen(
            self.command(*args),
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
        )


def make_run(work: Path, raw_dir: Path | None = None) -> Run:
    work.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        DO_NOT_TRACK="1",
        CA_RAW_DIR=str(raw_dir or work / "raw"),
        CA_WAREHOUSE_PATH=str(work / "build.duckdb"),
        CA_SERVED_PATH=str(work / "analytics.duckdb"),
        CA_ARTIFACTS_DIR=str(work / "artifacts"),
        CA_REPORT_DIR=str(work / "report"),
        CA_EXPORTS_DIR=str(work / "exports"),
        DBT_TARGET_PATH=str(work / "target"),
        DBT_LOG_PATH=str(work / "logs"),
    )
    return Run(work=work, env=env)


# A second process that opens the served file read-only once and keeps it open; on each line of
# stdin it runs that SQL on its connection and prints the first value as JSON.
READER = """
import json, sys, duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
print("ready", flush=True)
for line in sys.stdin:
    sql = line.strip()
    if not sql:
        break
    try:
        print(json.dumps(con.execute(sql).fetchone()[0], default=str), flush=True)
    except Exception as exc:
        print(json.dumps({"error": str(exc)}), flush=True)
con.close()
"""


class Reader:
    """A real second process holding a read-only connection to the served file."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", READER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout.readline().strip() == "ready"

    def query(self, sql: str):
        self.proc.stdin.write(sql.replace("\n", " ") + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> int:
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        return self.proc.wait(timeout=30)


def fresh_value(path: Path, sql: str):
    """Run `sql` in a brand-new process (no DuckDB instance cached for the path)."""
    code = (
        "import json, sys, duckdb\n"
        "con = duckdb.connect(sys.argv[1], read_only=True)\n"
        "print(json.dumps(con.execute(sys.argv[2]).fetchone()[0], default=str))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), sql], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


# The Spark engine's tests: the schema their builds write, in a folder of their own.
SPARK_SCHEMA = "customer_analytics"


def spark_env(spark_dir: Path, work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DO_NOT_TRACK": "1",
        "DBT_PROFILES_DIR": str(ROOT),
        "DBT_TARGET_PATH": str(work / "target"),
        "DBT_LOG_PATH": str(work / "logs"),
        "CA_SPARK_DIR": str(spark_dir),
        "CA_SPARK_SPARK_SCHEMA": SPARK_SCHEMA,
        "SPARK_LOCAL_IP": "127.0.0.1",
    }


def run_on_spark(
    env: dict[str, str], raw_dir: Path, *selection: str, raw_format: str = "csv"
) -> None:
    """`python -m models_py.spark` on the raw files: one dbt build of `selection` (or any other
    options, such as --vars)."""
    command = [sys.executable, "-m", "models_py.spark", "--raw-dir", str(raw_dir)]
    command += ["--raw-format", raw_format, *selection]
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise AssertionError(
            f"build on Spark ({' '.join(selection)}) failed:\n"
            f"{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
        )


def spark_table(spark_dir: Path, name: str) -> pd.DataFrame:
    """A Spark table read from its Parquet folder (as any other tool would)."""
    folder = spark_dir / "tables" / f"{SPARK_SCHEMA}.db" / name
    with duckdb.connect() as con:
        return con.sql(f"select * from read_parquet('{folder}/*.parquet')").df()


def spark_tables(spark_dir: Path) -> set[str]:
    folder = spark_dir / "tables" / f"{SPARK_SCHEMA}.db"
    return {path.name for path in folder.iterdir() if path.is_dir()}


# Spark and DuckDB values compared: money to the paisa, other numbers to 1e-9, or to 1e-12 of
# their size (a sum of doubles depends on the order the engine adds them in).
MONEY_TOLERANCE = 0.005  # to the paisa
RATIO_TOLERANCE = 1e-9
RELATIVE_TOLERANCE = 1e-12


def _numeric(column: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(column):
        return False
    return pd.api.types.is_numeric_dtype(column) or any(
        type(value).__name__ == "Decimal" for value in column.dropna().head(5)
    )


def _sorted(frame: pd.DataFrame, key: list[str] | None) -> pd.DataFrame:
    """Rows in one order: by `key`, else by every column (numbers rounded, as text)."""
    if key is None:
        order = frame.apply(
            lambda column: (
                pd.to_numeric(column.astype(object)).astype(float).round(6)
                if _numeric(column)
                else column
            ),
        ).astype(str)
        key = list(frame.columns)
        frame = frame.assign(**{f"__order_{i}": order[c] for i, c in enumerate(key)})
        ordered = frame.sort_values([f"__order_{i}" for i in range(len(key))])
        return ordered[key].reset_index(drop=True)
    return frame.sort_values(key).reset_index(drop=True)


def assert_same_frame(
    duck: pd.DataFrame, spark: pd.DataFrame, name: str, key: list[str] | None = None
) -> None:
    """Same rows and columns; money (values in whole paise) equal to the paisa, other numbers
    to 1e-9 (or 1e-12 of their size), the rest exactly."""
    assert list(spark.columns) == list(duck.columns), f"{name}: columns differ"
    assert len(spark) == len(duck), f"{name}: {len(spark)} rows on Spark, {len(duck)} on DuckDB"
    duck, spark = _sorted(duck, key), _sorted(spark, key)
    for column in duck.columns:
        left, right = duck[column], spark[column]
        if _numeric(left):
            left = pd.to_numeric(left.astype(object)).astype(float)
            right = pd.to_numeric(right.astype(object)).astype(float)
            tolerance = MONEY_TOLERANCE if (left.round(2) == left).all() else RATIO_TOLERANCE
            close = np.allclose(
                left, right, rtol=RELATIVE_TOLERANCE, atol=tolerance, equal_nan=True
            )
            assert close, f"{name}.{column}: values differ beyond {tolerance}"
        else:
            same = (left.astype(str) == right.astype(str)) | (left.isna() & right.isna())
            assert same.all(), f"{name}.{column}: {(~same).sum()} values differ"
