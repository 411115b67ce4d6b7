"""The generator's optional seasonal cycle and trend: the peak month and the growth show in the
orders written, the same options give the same bytes, and leaving them off changes nothing."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from models_py.demo_data import cli as gen
from models_py.demo_data.calendar import Season

CUSTOMERS = 1500
SEED = 5
PARSE_TS = """
create or replace macro parse_ts(x) as coalesce(
    try_strptime(x, '%Y-%m-%d %H:%M:%S'), try_strptime(x, '%Y-%m-%d'),
    try_strptime(x, '%d/%m/%Y %H:%M'), try_strptime(x, '%d/%m/%Y'), try_strptime(x, '%Y%m%d'))
"""


def orders_by(out: Path, part: str) -> dict[int, int]:
    """Orders per calendar month (part = 'month') or per year of history (part = 'year': 0 is
    the first 365 days, 1 the last)."""
    key = {
        "month": "month(ts)",
        "year": f"(ts > timestamp '{gen.DEFAULT_END_DATE}' - interval 365 day)::int",
    }[part]
    with duckdb.connect() as con:
        con.execute(PARSE_TS)
        rows = con.execute(
            f"""
            with orders as (
                select parse_ts(order_ts) as ts
                from read_csv('{out}/orders.csv', header = true, all_varchar = true)
            )
            select {key} as k, count(*) from orders
            where ts <= timestamp '{gen.DEFAULT_END_DATE} 23:59:59' group by k
            """
        ).fetchall()
    return {int(k): int(n) for k, n in rows if k is not None}


@pytest.fixture(scope="module")
def flat(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("flat")
    gen.generate(CUSTOMERS, SEED, out, "csv")
    return out


def test_seasonal_peak_shows_in_the_monthly_orders(flat: Path, tmp_path: Path) -> None:
    gen.generate(CUSTOMERS, SEED, tmp_path, "csv", season=Season(amplitude=0.6, peak_month=5))
    seasonal, base = orders_by(tmp_path, "month"), orders_by(flat, "month")
    ratio = {month: seasonal[month] / base[month] for month in base}
    # May (the peak) well above the unseasonal run, November (opposite) well below.
    assert ratio[5] > 1.3
    assert ratio[11] < 0.75
    assert max(ratio, key=ratio.get) in (4, 5, 6)


def test_trend_shows_year_over_year(flat: Path, tmp_path: Path) -> None:
    gen.generate(CUSTOMERS, SEED, tmp_path, "csv", season=Season(trend=0.5))
    growing, base = orders_by(tmp_path, "year"), orders_by(flat, "year")
    # Purchase rates 50% higher a year later: the last year gains on the first by about that.
    assert growing[1] / growing[0] > 1.3 * base[1] / base[0]


def test_same_options_same_bytes_and_off_is_the_default(flat: Path, tmp_path: Path) -> None:
    season = Season(amplitude=0.4, trend=0.2, peak_month=9)
    for run in ("a", "b"):
        gen.generate(300, SEED, tmp_path / run, "csv", season=season)
    gen.generate(300, SEED, tmp_path / "off", "csv", season=Season())
    gen.generate(300, SEED, tmp_path / "default", "csv")
    for name in ("customers.csv", "orders.csv", "order_lines.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        off = (tmp_path / "off" / name).read_bytes()
        assert off == (tmp_path / "default" / name).read_bytes()
    assert (tmp_path / "a" / "orders.csv").read_bytes() != off


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--seasonality", "1.0"), "seasonality"),
        (("--trend", "-1"), "trend"),
        (("--peak-month", "13"), "peak month"),
    ],
)
def test_cli_refuses_impossible_options(tmp_path: Path, capsys, args, message) -> None:
    code = gen.main(["--customers", "50", "--out", str(tmp_path), "--no-progress", *args])
    assert code == 2
    assert message in capsys.readouterr().err
