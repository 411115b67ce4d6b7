"""Prepare a retailer's own files for the pipeline: read and validate every configured input, map
it to the raw data contract and write `customers`, `products`, `orders`, `order_lines` (Parquet,
all text) plus `quarantine.parquet` (rows left out, with a reason each),
`prepare_accounting.parquet` (per input file: rows read, exact duplicates dropped, quarantined,
passed on), `prepare_summary.json` and `dbt_vars.json` into a folder.

The folder is replaced atomically and only after every check has passed, so a failed run leaves
the previous prepared data (and everything built from it) untouched. dbt then reads the folder
with `CA_RAW_DIR=<folder> CA_RAW_FORMAT=parquet` and `--vars "$(cat <folder>/dbt_vars.json)"`.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from models_py.byod.accounting import accounting_frame, check_accounting, exact_duplicates
from models_py.byod.config import PRODUCT_COLUMNS, ByodConfig, ByodError
from models_py.byod.cutoff import check_cutoff
from models_py.byod.read import MissingFilesError, read_table
from models_py.byod.shape import (
    CONTRACT,
    PROFILE_COLUMNS,
    Quarantine,
    contract_table,
    empty_table,
    from_orders,
    from_transactions,
    map_columns,
)

SEGMENT_VARS = {
    "k": "segment_k",
    "k_min": "segment_k_min",
    "k_max": "segment_k_max",
    "features": "segment_features",
    "log_features": "segment_log_features",
    "random_seed": "segment_random_seed",
}


def available_data(config: ByodConfig) -> dict[str, bool]:
    """Which optional inputs the prepared data carry (dbt var `available_data`): features that
    need an absent input are null or left out, and its absence quarantines nothing."""
    tables = config.tables

    def mapped(column: str, *names: str) -> bool:
        return any(name in tables and tables[name].maps(column) for name in names)

    profile = "customers" in tables or any(mapped(c, "transactions") for c in PROFILE_COLUMNS)
    return {
        "customers": profile,
        "products": "products" in tables or mapped("product_id", "transactions", "order_lines"),
        "categories": mapped("category", "products", "transactions"),
        "list_price": mapped("list_price", "products"),
        "channel": mapped("channel", "transactions", "orders"),
        "discount": mapped("discount", "transactions", "order_lines"),
        "loyalty_tier": mapped("loyalty_tier", "customers", "transactions"),
    }


def dbt_vars(config: ByodConfig) -> dict[str, Any]:
    """The dbt vars a run on this data needs (pass as `--vars`)."""
    # prepared_input: the quarantine and accounting files exist (models read them as sources).
    out: dict[str, Any] = {"available_data": available_data(config), "prepared_input": True}
    if config.as_of_date is not None:
        out["as_of_date"] = config.as_of_date
    if config.horizon_days is not None:
        out["horizon_days"] = config.horizon_days
    if config.currency is not None:
        out["currency"] = config.currency
    out.update({SEGMENT_VARS[k]: v for k, v in config.segments.items()})
    out.update(config.limit_vars)
    out.update(config.dbt_vars)
    return out


def _drop_exact_duplicates(
    config: ByodConfig, raw: dict[str, pd.DataFrame]
) -> tuple[dict[str, pd.DataFrame], dict[str, pd.Series]]:
    """The inputs without the flat shape's exact repeats (unless kept), and which rows they were."""
    duplicates = {name: pd.Series(False, index=frame.index) for name, frame in raw.items()}
    if config.shape == "transactions" and not config.keep_exact_duplicates:
        duplicates["transactions"] = exact_duplicates(
            raw["transactions"], config.tables["transactions"]
        )
    kept = {name: frame.loc[~duplicates[name]] for name, frame in raw.items()}
    return kept, duplicates


def _read_inputs(config: ByodConfig) -> dict[str, pd.DataFrame]:
    """Every input table, read; a missing file's error says how to try the config on a sample."""
    try:
        return {name: read_table(table) for name, table in config.tables.items()}
    except MissingFilesError as error:
        raise ByodError(
            f"{error}. To try this config without your own files, write seeded sample files in "
            f"its shape where it points: python -m models_py.byod sample --config {config.path}"
        ) from error


def build_tables(config: ByodConfig) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, pd.DataFrame]:
    """Read, validate and map every input. Returns the contract tables, the quarantined rows and
    the accounting per input file. Raises ByodError (before anything is written) on a bad input."""
    q = Quarantine()
    read = _read_inputs(config)
    raw, duplicates = _drop_exact_duplicates(config, read)
    mapped = {
        name: map_columns(raw[name], table, q, config.max_bad_share, config.limits)
        for name, table in config.tables.items()
    }
    if config.shape == "transactions":
        tables = from_transactions(mapped["transactions"], raw["transactions"], config, q)
    else:
        tables = from_orders(mapped["orders"], mapped["order_lines"], raw["order_lines"], config, q)
    if "products" in mapped:
        products = mapped["products"]
        tables["products"] = contract_table(
            products[[c for c in PRODUCT_COLUMNS if c in products]], "products"
        )
    if "customers" in mapped:
        tables["customers"] = contract_table(mapped["customers"], "customers")
    for name in CONTRACT:
        tables.setdefault(name, empty_table(name))
    quarantine = q.frame()
    accounting = accounting_frame(read, duplicates, quarantine)
    check_accounting(accounting, tables)
    return tables, quarantine, accounting


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    columns = {
        c: pa.array([None if v is None else str(v) for v in frame[c]], type=pa.string())
        for c in frame.columns
    }
    pq.write_table(pa.table(columns), path)


def summarise(
    config: ByodConfig, tables: dict, quarantine: pd.DataFrame, accounting: pd.DataFrame
) -> dict:
    per_input = accounting.groupby("input_table", sort=False)
    rows_read = {name: int(n) for name, n in per_input["rows_read"].sum().items()}
    duplicates = {name: int(n) for name, n in per_input["exact_duplicates_dropped"].sum().items()}
    reasons = (
        quarantine.groupby(["input_table", "reason"]).size().to_dict() if len(quarantine) else {}
    )
    return {
        "config": str(config.path.resolve()),
        "shape": config.shape,
        "rows_read": rows_read,
        "exact_duplicates_dropped": duplicates,
        "quarantined_rows": len(quarantine),
        "quarantined_by_reason": [
            {"input_table": table, "reason": reason, "rows": int(n)}
            for (table, reason), n in sorted(reasons.items())
        ],
        "prepared_rows": {name: len(frame) for name, frame in tables.items()},
        "available_data": available_data(config),
    }


def _check_out(out: Path) -> None:
    if out.exists() and (
        not out.is_dir() or (any(out.iterdir()) and not (out / "prepare_summary.json").is_file())
    ):
        raise ByodError(
            f"--out {out}: exists and is not a prepared folder (no prepare_summary.json); "
            "choose an empty or new folder"
        )


def write_prepared(
    out: Path,
    tables: dict,
    quarantine: pd.DataFrame,
    accounting: pd.DataFrame,
    summary: dict,
    vars_: dict,
):
    """Write everything into a new folder beside `out`, then swap it in. An existing `out` is
    replaced only when it is empty or a prepared folder (never, say, the folder of the inputs)."""
    out = Path(out)
    _check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        for name, frame in tables.items():
            _write_parquet(frame, staging / f"{name}.parquet")
        _write_parquet(quarantine.astype(str), staging / "quarantine.parquet")
        _write_parquet(accounting.astype(str), staging / "prepare_accounting.parquet")
        (staging / "prepare_summary.json").write_text(json.dumps(summary, indent=2) + "\n")
        (staging / "dbt_vars.json").write_text(json.dumps(vars_) + "\n")
        old = out.with_name(f".{out.name}-old-{os.getpid()}")
        if out.exists():
            out.rename(old)
        staging.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def prepare(config: ByodConfig, out: str | Path) -> dict:
    """Validate, map and write the prepared folder; returns the summary."""
    _check_out(Path(out))
    tables, quarantine, accounting = build_tables(config)
    check_cutoff(config.as_of_date, tables["orders"])
    summary = summarise(config, tables, quarantine, accounting)
    write_prepared(Path(out), tables, quarantine, accounting, summary, dbt_vars(config))
    return summary


def format_summary(summary: dict, out: str | Path) -> str:
    lines = [f"Prepared {summary['shape']} input into {out}"]
    lines += [f"  read {n} rows from {name}" for name, n in summary["rows_read"].items()]
    lines += [
        f"  dropped {n} exact duplicate rows of {name} (keep_exact_duplicates: true keeps them)"
        for name, n in summary["exact_duplicates_dropped"].items()
        if n
    ]
    lines += [f"  wrote {n} {name}" for name, n in summary["prepared_rows"].items()]
    lines.append(f"  quarantined {summary['quarantined_rows']} rows (see quarantine.parquet)")
    lines += [
        f"    {item['input_table']}: {item['reason']}: {item['rows']}"
        for item in summary["quarantined_by_reason"]
    ]
    absent = [k for k, v in summary["available_data"].items() if not v]
    if absent:
        lines.append(f"  absent inputs (features null or left out): {', '.join(absent)}")
    return "\n".join(lines)
