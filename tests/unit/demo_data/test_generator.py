"""The demo data generator, judged from the files it writes (read back with DuckDB), not from its
internals: determinism by seed, every documented fault at about its documented rate, a ground-truth
file covering every customer, realistic proportions and a festive-season peak."""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from models_py.demo_data import cli as gen
from models_py.demo_data import core

CUSTOMERS = 2000
SEED = 11
TABLES = ("customers", "products", "orders", "order_lines")
FILES = (*[f"{t}.csv" for t in TABLES], "ground_truth/customer_types.csv")
END_YEAR = gen.DEFAULT_END_DATE.year

# The five documented date formats; anything else is unparseable.
PARSE_MACRO = """
create or replace macro parse_ts(x) as coalesce(
    try_strptime(x, '%Y-%m-%d %H:%M:%S'), try_strptime(x, '%Y-%m-%d'),
    try_strptime(x, '%d/%m/%Y %H:%M'), try_strptime(x, '%d/%m/%Y'), try_strptime(x, '%Y%m%d'));
"""
DATE_PATTERNS = {
    "iso timestamp": r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$",
    "iso date": r"^\d{4}-\d{2}-\d{2}$",
    "indian timestamp": r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2}$",
    "indian date": r"^\d{2}/\d{2}/\d{4}$",
    "compact date": r"^\d{8}$",
}


def run_cli(out: Path, *args: str, customers: int = CUSTOMERS, seed: int = SEED):
    return subprocess.run(
        [sys.executable, "-m", "models_py", "generate", "--customers", str(customers), "--seed",
         str(seed), "--out", str(out), "--no-progress", *args],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("raw_csv")
    counts = gen.generate(CUSTOMERS, SEED, out, "csv")
    assert counts["ground_truth"] == CUSTOMERS
    return out


@pytest.fixture(scope="module")
def con(raw: Path):
    """DuckDB views over the CSV files, every column as text (as the dbt sources read them)."""
    connection = duckdb.connect()
    for table in TABLES:
        connection.execute(
            f"create view {table} as select * from "
            f"read_csv('{raw}/{table}.csv', header = true, all_varchar = true)"
        )
    connection.execute(
        f"create view truth as select * from read_csv('{raw}/ground_truth/customer_types.csv',"
        " header = true, all_varchar = true)"
    )
    connection.execute(PARSE_MACRO)
    # Latest version of each order (re-sends carry a later updated_at).
    connection.execute(
        """create view latest_orders as select * from orders
        qualify row_number() over (partition by order_id order by parse_ts(updated_at) desc) = 1"""
    )
    yield connection
    connection.close()


def one(con: duckdb.DuckDBPyConnection, sql: str):
    return con.sql(sql).fetchall()[0][0]


def assert_rate(measured: int, base: int, rate: float, name: str) -> None:
    """Faults are injected in exact counts (max(1, round(rate * rows))); allow a little slack for
    the base measured from the files (e.g. distinct keys) differing from the generator's."""
    expected = max(1, round(rate * base))
    assert abs(measured - expected) <= max(2, 0.1 * expected), (
        f"{name}: {measured} of {base} rows ({measured / base:.4%}), expected about {rate:.4%}"
    )


# --- determinism --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_same_seed_gives_byte_identical_files(tmp_path: Path, fmt: str) -> None:
    for run in ("a", "b"):
        gen.generate(300, 5, tmp_path / run, fmt)
    names = [f"{t}.{fmt}" for t in TABLES] + ["ground_truth/customer_types.csv"]
    for name in names:
        first, second = (tmp_path / run / name for run in ("a", "b"))
        assert first.read_bytes() == second.read_bytes(), f"{name} differs between runs"


def test_different_seed_gives_different_data(tmp_path: Path) -> None:
    gen.generate(300, 5, tmp_path / "a", "csv")
    gen.generate(300, 6, tmp_path / "b", "csv")
    for table in ("customers", "orders", "order_lines"):
        a = (tmp_path / "a" / f"{table}.csv").read_bytes()
        b = (tmp_path / "b" / f"{table}.csv").read_bytes()
        assert a != b, f"{table} identical for different seeds"


def test_end_date_bounds_the_history(tmp_path: Path) -> None:
    gen.generate(300, 5, tmp_path, "csv", end_date=gen.DEFAULT_END_DATE.replace(year=2025))
    with duckdb.connect() as c:
        c.execute(PARSE_MACRO)
        lo, hi = c.sql(
            f"select min(t), max(t) from (select parse_ts(order_ts) as t from "
            f"read_csv('{tmp_path}/orders.csv', all_varchar = true)) where year(t) < 2030"
        ).fetchall()[0]
    assert str(hi.date()) <= "2025-06-30"
    assert str(lo.date()) >= "2023-07-01"


def test_csv_and_parquet_carry_the_same_rows(raw: Path, tmp_path: Path) -> None:
    gen.generate(CUSTOMERS, SEED, tmp_path, "parquet")
    with duckdb.connect() as c:
        for table in TABLES:
            csv = f"read_csv('{raw}/{table}.csv', header = true, all_varchar = true)"
            parquet = f"read_parquet('{tmp_path}/{table}.parquet')"
            types = {row[1] for row in c.sql(f"describe select * from {parquet}").fetchall()}
            assert types == {"VARCHAR"}, f"{table}.parquet has non-text columns: {types}"
            n_csv = one(c, f"select count(*) from {csv}")
            assert n_csv == one(c, f"select count(*) from {parquet}")
            only_one_side = one(
                c,
                f"select count(*) from ((from {csv} except all from {parquet})"
                f" union all (from {parquet} except all from {csv}))",
            )
            assert only_one_side == 0, f"{table}: csv and parquet rows differ"


def test_cli_writes_every_file_and_rejects_bad_input(tmp_path: Path) -> None:
    result = run_cli(tmp_path / "ok", customers=100)
    assert result.returncode == 0, result.stderr
    assert all((tmp_path / "ok" / name).is_file() for name in FILES)
    too_few = run_cli(tmp_path / "bad", customers=5)
    assert too_few.returncode == 2
    assert "customers must be at least" in too_few.stderr
    bad_format = run_cli(tmp_path / "bad", "--format", "xlsx", customers=100)
    assert bad_format.returncode != 0
    assert "invalid choice" in bad_format.stderr


# --- contract shape -----------------------------------------------------------------------------


def test_columns_and_id_formats_follow_the_contract(con) -> None:
    expected = {
        "customers": ["customer_id", "name", "email", "phone", "gender", "date_of_birth", "city",
                      "signup_date", "loyalty_tier", "marketing_consent", "updated_at"],
        "products": ["product_id", "product_name", "category", "brand", "list_price"],
        "orders": ["order_id", "customer_id", "store", "channel", "order_ts", "status",
                   "updated_at"],
        "order_lines": ["order_id", "line_number", "product_id", "quantity", "unit_price",
                        "discount"],
    }  # fmt: skip
    for table, columns in expected.items():
        assert con.sql(f"from {table} limit 0").columns == columns
    bad_ids = one(
        con,
        r"""select count(*) from customers where not regexp_full_match(customer_id, 'C\d{6,}')""",
    )
    bad_ids += one(
        con, r"select count(*) from orders where not regexp_full_match(order_id, 'O\d{8,}')"
    )
    bad_ids += one(
        con, r"select count(*) from products where not regexp_full_match(product_id, 'P\d{5}')"
    )
    assert bad_ids == 0
    money = r"'-?\d+\.\d{2}'"
    assert one(con, f"select count(*) from products where not regexp_full_match(list_price,"
               f" {money})") == 0  # fmt: skip
    assert (
        one(
            con,
            f"select count(*) from order_lines where not regexp_full_match(unit_price, {money})"
            f" or not regexp_full_match(discount, {money})",
        )
        == 0
    )


def test_orders_channels_stores_and_statuses(con) -> None:
    online = one(con, "select avg((channel = 'online')::int) from orders")
    assert 0.18 <= online <= 0.32
    assert (
        one(con, "select count(*) from orders where (store = 'online') <> (channel = 'online')")
        == 0
    )
    assert one(con, "select count(distinct store) from orders where channel = 'store'") == len(
        gen.STORES
    )
    shares = dict(
        con.sql(
            "select lower(trim(status)), count(*) / sum(count(*)) over () from latest_orders"
            " group by 1"
        ).fetchall()
    )
    assert set(shares) == {"completed", "cancelled", "returned"}
    assert abs(shares["cancelled"] - gen.CANCELLED_RATE) < 0.015
    assert abs(shares["returned"] - gen.RETURNED_RATE) < 0.015


def test_lines_are_realistic(con) -> None:
    per_order = con.sql(
        "select max(n), avg(n) from (select count(distinct line_number) as n from order_lines"
        " group by order_id)"
    ).fetchall()[0]
    assert per_order[0] <= 6 and 1.2 <= per_order[1] <= 3
    bad_discount = one(
        con,
        """select count(*) from order_lines
        where quantity::int > 0 and unit_price::decimal(18, 2) > 0
          and (discount::decimal(18, 2) < 0
               or discount::decimal(18, 2) > quantity::int * unit_price::decimal(18, 2))""",
    )
    assert bad_discount == 0
    # Unit prices sit near the list price: within 10% for every line that is not a fault.
    near = one(
        con,
        """select avg((abs(l.unit_price::decimal(18, 2) / p.list_price::decimal(18, 2) - 1)
                       <= 0.101)::int)
        from order_lines l join (select distinct product_id, list_price from products) p
          using (product_id)
        where l.unit_price::decimal(18, 2) > 0""",
    )
    assert near > 0.99


# --- ground truth -------------------------------------------------------------------------------


def test_ground_truth_covers_every_customer_exactly_once(con) -> None:
    assert one(con, "select count(*) - count(distinct customer_id) from truth") == 0
    missing = one(
        con,
        """select count(*) from (select distinct customer_id from customers
                                 except select customer_id from truth)""",
    )
    extra = one(
        con,
        """select count(*) from (select customer_id from truth
                                 except select distinct customer_id from customers)""",
    )
    assert (missing, extra) == (0, 0)
    assert one(con, "select count(*) from truth") == CUSTOMERS


def test_customer_types_in_documented_proportions(con) -> None:
    shares = dict(
        con.sql("select customer_type, count(*) / sum(count(*)) over () from truth group by 1")
        .fetchall()
    )  # fmt: skip
    assert set(shares) == {*gen.CUSTOMER_TYPES, gen.TEST_TYPE}
    for name, share in zip(gen.CUSTOMER_TYPES, gen.TYPE_SHARES, strict=True):
        assert abs(shares[name] - share) < 0.035, f"{name}: {shares[name]:.3f} vs {share}"


def test_test_accounts_are_exactly_the_test_type_and_have_orders(con) -> None:
    accounts = {
        cid
        for (cid,) in con.sql(
            "select distinct customer_id from customers"
            f" where email like '%@{gen.TEST_EMAIL_DOMAIN}'"
        ).fetchall()
    }
    typed = {cid for (cid,) in con.sql("select customer_id from truth where customer_type = 'test'")
             .fetchall()}  # fmt: skip
    assert accounts == typed
    assert gen.TEST_ACCOUNTS[0] <= len(accounts) <= gen.TEST_ACCOUNTS[1]
    with_orders = one(
        con,
        "select count(distinct customer_id) from orders where customer_id in "
        "(select customer_id from truth where customer_type = 'test')",
    )
    assert with_orders == len(accounts)


def test_types_behave_distinctly(con) -> None:
    """Per-customer behaviour from the clean rows differs by type in the documented direction."""
    per = con.sql(
        """with lines as (
            select o.customer_id, o.order_id, parse_ts(o.order_ts) as ts,
                   l.quantity::int * l.unit_price::decimal(18, 2)
                   - l.discount::decimal(18, 2) as net
            from latest_orders o join order_lines l using (order_id)
            where lower(trim(o.status)) = 'completed' and l.unit_price::decimal(18, 2) > 0
        ),
        per_order as (select customer_id, order_id, any_value(ts) as ts, sum(net) as net
                      from lines group by all)
        select t.customer_type, count(*) as orders, avg(net) as aov,
               date_diff('day', max(ts), timestamp '2026-06-30') as recency_days,
               date_diff('day', min(ts), timestamp '2026-06-30') as tenure_days
        from per_order join truth t using (customer_id)
        where year(ts) < 2030 group by t.customer_type, customer_id"""
    ).df()
    med = per.groupby("customer_type")[["orders", "aov", "recency_days", "tenure_days"]].median()
    assert med.loc["vip", "aov"] > 3 * med.drop(index=["vip", "test"])["aov"].max()
    assert med.loc["frequent", "orders"] > 2 * med.loc["occasional", "orders"]
    assert med.loc["frequent", "aov"] < med.loc["occasional", "aov"]
    assert med.loc["new", "tenure_days"] <= 130
    assert med.loc["lapsing", "recency_days"] > 180
    assert med.loc["lapsing", "recency_days"] > 2 * med.loc["occasional", "recency_days"]


def test_types_recoverable_but_not_trivially(con) -> None:
    """K-Means on log RFM-style features finds the types only partly: overlap is realistic."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score
    from sklearn.preprocessing import StandardScaler

    per = con.sql(
        """with lines as (
            select o.customer_id, o.order_id, parse_ts(o.order_ts) as ts,
                   l.quantity::int * l.unit_price::decimal(18, 2)
                   - l.discount::decimal(18, 2) as net,
                   trim(regexp_replace(lower(p.category), '\\s+', ' ', 'g')) as category
            from latest_orders o join order_lines l using (order_id)
            join (select distinct product_id, category from products) p using (product_id)
            where lower(trim(o.status)) = 'completed' and l.unit_price::decimal(18, 2) > 0
              and l.quantity::int > 0
        )
        select customer_id, t.customer_type, count(distinct order_id) as frequency,
               sum(net)::double as monetary, count(distinct category) as breadth,
               date_diff('day', max(ts), timestamp '2026-06-30') + 1 as recency,
               date_diff('day', min(ts), timestamp '2026-06-30') + 1 as tenure
        from lines join truth t using (customer_id)
        where year(ts) < 2030 and t.customer_type <> 'test' group by all"""
    ).df()
    features = np.column_stack(
        [np.log1p(per[c].clip(lower=0)) for c in ("recency", "tenure", "frequency", "monetary")]
        + [np.log1p((per.monetary / per.frequency).clip(lower=0)), per.breadth]
    )
    labels = KMeans(5, n_init=10, random_state=0).fit_predict(
        StandardScaler().fit_transform(features)
    )
    ari = adjusted_rand_score(per.customer_type, labels)
    assert 0.45 <= ari <= 0.9, f"adjusted Rand index {ari:.3f}"


# --- faults -------------------------------------------------------------------------------------


def test_exact_duplicate_rows_in_every_table(con) -> None:
    for table, key in (
        ("customers", "customer_id"),
        ("products", "product_id"),
        ("orders", "order_id"),
        ("order_lines", "order_id, line_number"),
    ):
        rows = one(con, f"select count(*) from {table}")
        distinct_rows = one(con, f"select count(*) from (select distinct * from {table})")
        base = one(con, f"select count(*) from (select distinct {key} from {table})")
        if table == "order_lines":  # lines of unknown orders are extra rows, not base rows
            base -= one(con, "select count(*) from order_lines where order_id not in "
                             "(select order_id from orders)")  # fmt: skip
        assert_rate(rows - distinct_rows, base, gen.DUPLICATE_ROW_RATE, f"{table} duplicates")


def test_duplicates_are_not_adjacent(raw: Path) -> None:
    lines = (raw / "orders.csv").read_text().splitlines()
    adjacent = sum(a == b for a, b in itertools.pairwise(lines))
    assert adjacent <= 2


@pytest.mark.parametrize(
    ("table", "key", "rate"),
    [
        ("customers", "customer_id", gen.RESENT_CUSTOMER_RATE),
        ("orders", "order_id", gen.RESENT_ORDER_RATE),
    ],
)
def test_resent_records_have_a_later_updated_at(con, table: str, key: str, rate: float) -> None:
    versions = con.sql(
        f"""select {key}, count(*) as n, count(distinct parse_ts(updated_at)) as times
        from (select distinct * from {table}) group by {key}"""
    ).df()
    resent = versions[versions.n > 1]
    assert_rate(len(resent), len(versions), rate, f"re-sent {table}")
    assert (resent.times == resent.n).all(), "re-sent versions must differ in updated_at"
    # A re-send is a real change: some field besides the formats differs or the status moves.
    if table == "orders":
        changed = one(
            con,
            """select count(*) from (select order_id from (select distinct * from orders)
               group by order_id having count(distinct lower(trim(status))) > 1)""",
        )
        expected = rate * len(versions) * gen.RESENT_STATUS_CHANGE_SHARE
        assert 0.5 * expected <= changed <= 1.5 * expected + 2


def test_missing_demographics(con) -> None:
    per_customer = con.sql(
        """select customer_id, bool_or(gender is null) as no_gender,
                  bool_or(date_of_birth is null) as no_dob, bool_or(city is null) as no_city
        from customers where email not like '%@test.mallco.in' group by customer_id"""
    ).df()
    n = len(per_customer)
    assert_rate(int(per_customer.no_gender.sum()), n, gen.MISSING_GENDER_RATE, "missing gender")
    assert_rate(int(per_customer.no_dob.sum()), n, gen.MISSING_DATE_OF_BIRTH_RATE, "missing dob")
    assert_rate(int(per_customer.no_city.sum()), n, gen.MISSING_CITY_RATE, "missing city")


def test_marketing_consent_in_documented_shares_and_spellings(con) -> None:
    answers = con.sql(
        """select lower(trim(marketing_consent)) as answer, count(distinct customer_id) as n
        from customers group by 1"""
    ).fetchall()
    n = sum(count for _, count in answers)
    by_answer = {"yes": 0, "no": 0, None: 0}
    spellings = {s.lower(): a for a, values in gen.CONSENT_SPELLINGS.items() for s in values}
    for answer, count in answers:
        by_answer[spellings[answer] if answer is not None else None] += count
    for key, share in zip(("yes", "no", None), gen.MARKETING_CONSENT_SHARES, strict=True):
        assert abs(by_answer[key] / n - share) < 0.04, f"consent {key}: {by_answer[key] / n:.3f}"


def test_gender_spellings_vary_and_all_map_to_the_three_values(con) -> None:
    values = con.sql(
        "select gender, count(*) from (select distinct customer_id, gender from customers"
        " where gender is not null) group by 1"
    ).fetchall()
    total = sum(n for _, n in values)
    variants = sum(n for g, n in values if g not in gen.GENDERS)
    assert abs(variants / total - gen.GENDER_VARIANT_RATE) < 0.04
    mapping = {"f": "female", "m": "male"}
    for value, _ in values:
        clean = value.strip().lower()
        assert mapping.get(clean, clean) in gen.GENDERS, f"unexpected gender spelling {value!r}"


def test_category_spellings_vary_and_all_map_to_ten_categories(con) -> None:
    products = con.sql("select distinct product_id, category from products").df()
    clean = products.category.map(lambda v: re.sub(r"\s+", " ", v.strip().lower()))
    assert set(clean) == set(gen.CATEGORIES)
    variant_share = (products.category != clean).mean()
    assert abs(variant_share - gen.CATEGORY_VARIANT_RATE) < 0.01
    assert products.category.str.contains("  ").any(), "no doubled inner space"


def test_status_spellings_vary_rarely(con) -> None:
    values = con.sql("select status from orders").df().status
    variants = int((~values.isin(gen.STATUSES)).sum())
    assert_rate(variants, len(values), gen.STATUS_VARIANT_RATE, "status variants")
    assert set(values.str.strip().str.lower()) == set(gen.STATUSES)


@pytest.mark.parametrize(
    ("table", "column", "shares"),
    [
        ("orders", "order_ts", gen.TIMESTAMP_FORMAT_SHARES),
        ("orders", "updated_at", gen.TIMESTAMP_FORMAT_SHARES),
        ("customers", "updated_at", gen.TIMESTAMP_FORMAT_SHARES),
        ("customers", "signup_date", gen.DATE_FORMAT_SHARES),
        ("customers", "date_of_birth", gen.DATE_FORMAT_SHARES),
    ],
)
def test_date_columns_mix_the_documented_formats(con, table, column, shares) -> None:
    values = con.sql(f"select {column} from {table} where {column} is not null").df()[column]
    matched = pd.Series("unparseable", index=values.index)
    for name, pattern in DATE_PATTERNS.items():
        matched[values.str.fullmatch(pattern)] = name
    measured = matched.value_counts(normalize=True)
    for name, share in zip(DATE_PATTERNS, shares, strict=True):
        assert abs(measured.get(name, 0.0) - share) < 0.03, f"{column} {name}: {measured}"
    if column != "order_ts":
        assert measured.get("unparseable", 0.0) == 0.0


def test_unparseable_and_future_order_timestamps(con) -> None:
    base = one(con, "select count(distinct order_id) from orders")
    unparseable = one(con, "select count(*) from orders where parse_ts(order_ts) is null")
    future = one(con, f"select count(*) from orders where year(parse_ts(order_ts)) > {END_YEAR}")
    assert_rate(unparseable, base, gen.UNPARSEABLE_ORDER_TS_RATE, "unparseable order_ts")
    assert_rate(future, base, gen.FUTURE_ORDER_RATE, "future orders")
    # A typo year: exactly ten years after a real order time (updated_at is the true time).
    typo = one(
        con,
        f"""select count(*) from orders where year(parse_ts(order_ts)) > {END_YEAR}
        and year(parse_ts(order_ts)) - year(parse_ts(updated_at)) between 9 and 10""",
    )
    assert typo == future


def test_line_faults_at_their_rates_and_in_one_bucket_each(con) -> None:
    lines = con.sql(
        """with known_products as (select distinct product_id, list_price::decimal(18, 2) as lp
                                   from products),
        ok_orders as (select order_id, lower(trim(status)) as status from latest_orders
                      where parse_ts(order_ts) is not null and year(parse_ts(order_ts)) <= 2030)
        select l.*,
            l.order_id not in (select order_id from orders) as unknown_order,
            p.product_id is null as unknown_product,
            l.unit_price::decimal(18, 2) < 0 as negative_price,
            l.unit_price::decimal(18, 2) > 10 * p.lp as outlier,
            l.unit_price::decimal(18, 2) / p.lp as price_ratio,
            l.quantity::int < 0 as negative_quantity,
            o.status as order_status,
            o.order_id is null and l.order_id in (select order_id from orders) as bad_order
        from (select distinct * from order_lines) l
        left join known_products p using (product_id)
        left join ok_orders o using (order_id)"""
    ).df()
    base = len(lines) - int(lines.unknown_order.sum())
    for flag, rate in (
        ("unknown_order", gen.UNKNOWN_ORDER_RATE),
        ("unknown_product", gen.UNKNOWN_PRODUCT_RATE),
        ("negative_price", gen.NEGATIVE_UNIT_PRICE_RATE),
        ("outlier", gen.PRICE_OUTLIER_RATE),
        ("negative_quantity", gen.NEGATIVE_QUANTITY_RATE),
    ):
        assert_rate(int(lines[flag].fillna(False).sum()), base, rate, flag)
    flags = lines[["unknown_order", "unknown_product", "negative_price", "outlier",
                   "negative_quantity", "bad_order"]].fillna(False)  # fmt: skip
    assert (flags.sum(axis=1) <= 1).all(), "a line carries more than one fault"
    outliers = lines[lines.outlier.fillna(False)]
    lo, hi = gen.PRICE_OUTLIER_FACTOR
    assert outliers.price_ratio.astype(float).between(lo * 0.99, hi * 1.01).all()
    returned_items = lines[lines.negative_quantity]
    assert (returned_items.order_status == "completed").all()


def test_faults_spare_test_accounts(con) -> None:
    """Test-account rows are excluded as a whole: they carry no other fault."""
    test_orders = con.sql(
        """select * from orders where customer_id in
           (select customer_id from truth where customer_type = 'test')"""
    ).df()
    assert len(test_orders) > 0
    assert test_orders.order_id.is_unique
    clean = test_orders.order_ts.str.fullmatch("|".join(DATE_PATTERNS.values()))
    assert clean.all()


def test_festive_season_peaks(con) -> None:
    months = con.sql(
        f"""select date_trunc('month', t) as month, count(*) as orders
        from (select parse_ts(order_ts) as t from latest_orders)
        where year(t) <= {END_YEAR} group by 1 order by 1"""
    ).df()
    months["month_of_year"] = pd.to_datetime(months.month).dt.month
    festive = months[months.month_of_year.isin([10, 11, 12])].orders.mean()
    rest = months[~months.month_of_year.isin([10, 11, 12])].orders.mean()
    assert festive > 1.2 * rest
    for _, december in months[months.month_of_year == 12].iterrows():
        year = december.month.year
        same_year = months[pd.to_datetime(months.month).dt.year == year]
        assert december.orders > same_year.orders.mean()
    weekday = con.sql(
        """select isodow(t) >= 6 as weekend, count(*) / count(distinct t::date) as per_day
        from (select parse_ts(order_ts) as t from latest_orders) where year(t) <= 2026
        group by 1"""
    ).fetchall()
    per_day = dict(weekday)
    assert per_day[True] > per_day[False]


# --- sharded generation -------------------------------------------------------------------------

SHARDED_CUSTOMERS = 2500
SHARD_CUSTOMERS = 1000  # three shards of 834, 833 and 833 customers


def sharded_views(out: Path) -> duckdb.DuckDBPyConnection:
    """DuckDB views over a CSV run's files (every column as text), as in the `con` fixture."""
    connection = duckdb.connect()
    for table in TABLES:
        connection.execute(
            f"create view {table} as select * from "
            f"read_csv('{out}/{table}.csv', header = true, all_varchar = true)"
        )
    connection.execute(
        f"create view truth as select * from read_csv('{out}/ground_truth/customer_types.csv',"
        " header = true, all_varchar = true)"
    )
    # The shard each customer was drawn in, from the customer number.
    bounds = np.cumsum(core.shard_sizes(SHARDED_CUSTOMERS, SHARD_CUSTOMERS))[:-1]
    shard = " + ".join(f"(cid[2:]::int > {b})::int" for b in bounds)
    connection.execute(f"create macro shard_of(cid) as {shard}")
    return connection


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory):
    """A CSV run drawn in three shards, with the counts generate() returned."""
    out = tmp_path_factory.mktemp("raw_sharded")
    counts = gen.generate(SHARDED_CUSTOMERS, SEED, out, "csv", shard_customers=SHARD_CUSTOMERS)
    connection = sharded_views(out)
    yield out, counts, connection
    connection.close()


def test_sharded_run_counts_and_cleans_up(sharded) -> None:
    out, counts, c = sharded
    assert core.shard_sizes(SHARDED_CUSTOMERS, SHARD_CUSTOMERS) == [834, 833, 833]
    for table in TABLES:
        assert counts[table] == one(c, f"select count(*) from {table}"), table
    assert counts["ground_truth"] == SHARDED_CUSTOMERS
    assert not (out / core.SHARD_DIR).exists(), "temporary shard files left behind"
    assert sorted(p.name for p in out.iterdir()) == sorted([*[f"{t}.csv" for t in TABLES],
                                                            "ground_truth"])  # fmt: skip


def test_sharded_customer_ids_are_unique_and_cover_every_shard(sharded) -> None:
    _, _, c = sharded
    total, distinct, first, last = c.sql(
        "select count(*), count(distinct customer_id), min(customer_id), max(customer_id)"
        " from truth"
    ).fetchall()[0]
    assert total == distinct == SHARDED_CUSTOMERS
    assert (first, last) == ("C000001", f"C{SHARDED_CUSTOMERS:06d}")
    # Customers and ground truth hold the same ids; emails (built from the number) stay unique.
    assert one(c, "select count(*) from (select distinct customer_id from customers"
                  " except select customer_id from truth)") == 0  # fmt: skip
    assert one(c, "select count(distinct customer_id) from customers") == SHARDED_CUSTOMERS
    assert one(c, "select count(distinct email) from customers") == SHARDED_CUSTOMERS
    # Every order belongs to a known customer, and customers of every shard have orders.
    assert one(c, "select count(*) from orders where customer_id not in"
                  " (select customer_id from truth)") == 0  # fmt: skip
    buyers = dict(
        c.sql(
            "select shard_of(customer_id), count(distinct customer_id) from orders group by 1"
        ).fetchall()
    )
    assert set(buyers) == {0, 1, 2}
    assert all(n > 0.8 * 833 for n in buyers.values())


def test_sharded_order_ids_do_not_collide(sharded) -> None:
    _, _, c = sharded
    # Re-sends and duplicates keep the customer: an id shared by two orders would not.
    shared = one(
        c,
        "select count(*) from (select order_id from orders group by 1"
        " having count(distinct customer_id) > 1)",
    )
    assert shared == 0
    ranges = c.sql(
        """select shard_of(customer_id) as shard, min(order_id[2:]::int), max(order_id[2:]::int)
        from orders group by 1 order by 1"""
    ).fetchall()
    assert [shard for shard, _, _ in ranges] == [0, 1, 2]
    for (_, _, high), (_, low, _) in itertools.pairwise(ranges):
        assert high < low, f"order numbers of consecutive shards overlap: {ranges}"


def test_sharded_orphan_lines_stay_unknown(sharded) -> None:
    _, _, c = sharded
    orphans = [
        n
        for (n,) in c.sql(
            "select distinct order_id[2:]::int from order_lines"
            " where order_id not in (select order_id from orders)"
        ).fetchall()
    ]
    assert len(orphans) >= 3, "each shard has orphan lines"
    base = one(
        c, "select count(*) from order_lines where order_id in (select order_id from orders)"
    )
    assert_rate(len(orphans), base, gen.UNKNOWN_ORDER_RATE, "unknown orders")
    # No orphan number falls in any shard's range of real orders (no collision, now or later).
    ranges = c.sql(
        "select min(order_id[2:]::int), max(order_id[2:]::int) from orders"
        " group by shard_of(customer_id)"
    ).fetchall()
    inside = [n for n in orphans if any(low <= n <= high for low, high in ranges)]
    assert inside == []


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_sharded_runs_are_byte_identical(tmp_path: Path, fmt: str) -> None:
    for run in ("a", "b"):
        gen.generate(300, 5, tmp_path / run, fmt, shard_customers=100)
    names = [f"{t}.{fmt}" for t in TABLES] + ["ground_truth/customer_types.csv"]
    for name in names:
        first, second = (tmp_path / run / name for run in ("a", "b"))
        assert first.read_bytes() == second.read_bytes(), f"{name} differs between sharded runs"
    # The catalogue is drawn once, with the main generator: the same products as unsharded (their
    # duplicated rows are drawn later in that generator's sequence, so they differ).
    gen.generate(300, 5, tmp_path / "whole", fmt)
    reader = "read_csv" if fmt == "csv" else "read_parquet"
    query = "select distinct * from {}('{}/products.{}') order by all"
    with duckdb.connect() as c:
        catalogues = [c.sql(query.format(reader, tmp_path / run, fmt)).fetchall()
                      for run in ("a", "whole")]  # fmt: skip
    assert catalogues[0] == catalogues[1]


def test_one_shard_is_the_unsharded_run(raw: Path, tmp_path: Path) -> None:
    """Up to shard_customers customers, the files are exactly those of the unsharded run."""
    gen.generate(CUSTOMERS, SEED, tmp_path, "csv", shard_customers=CUSTOMERS)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (raw / name).read_bytes(), name


def test_too_small_shards_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="too small"):
        gen.generate(30, 5, tmp_path, "csv", shard_customers=20)  # two shards of 15
    with pytest.raises(ValueError, match="positive"):
        gen.generate(100, 5, tmp_path, "csv", shard_customers=0)
