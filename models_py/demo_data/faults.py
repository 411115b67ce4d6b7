"""Turn clean generated entities into raw tables with the documented faults.

Each raw table is a dict of equal-length numpy columns (numbers and codes; the writer formats
them as text). Faults are injected in exact counts, max(1, round(rate * rows)), on disjoint sets
of eligible rows so every raw row falls into one reconciliation bucket: test-account rows carry
no other fault; duplicated or re-sent rows carry no quarantine fault; a line carries at most one
line fault and never belongs to an order whose order_ts is broken."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import config as c
from .activity import Lines, Orders
from .catalog import Catalog
from .population import TEST_TYPE_CODE, Customers

Frame = dict[str, np.ndarray]

GENDER_VOCAB = tuple(s for g in c.GENDERS for s in c.GENDER_SPELLINGS[g])
STATUS_VOCAB = tuple(s for st in c.STATUSES for s in c.STATUS_SPELLINGS[st])
CONSENT_VOCAB = tuple(s for answer in ("yes", "no") for s in c.CONSENT_SPELLINGS[answer])
N_DATE_FORMATS = 5
MISSING_DAY = np.iinfo(np.int32).min  # a missing date (days before 1970 are negative)
TS_OK, TS_FUTURE, TS_UNPARSEABLE = 0, 1, 2  # ts_fault codes; unparseable: 2 + template index


def exact_count(rate: float, rows: int) -> int:
    """How many rows a fault with this rate touches."""
    return max(1, round(rate * rows))


def _formats(rng: np.random.Generator, shares: tuple[float, ...], n: int) -> np.ndarray:
    return rng.choice(N_DATE_FORMATS, size=n, p=np.array(shares)).astype(np.int8)


def _spelling(
    rng: np.random.Generator, values: np.ndarray, spellings: dict, names: tuple, variant: np.ndarray
) -> np.ndarray:
    """Vocabulary index of each value: canonical, or (where variant) a random raw spelling."""
    sizes = np.array([len(spellings[name]) for name in names])
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    alt = 1 + (rng.random(len(values)) * (sizes[values] - 1)).astype(np.int64)
    return (first[values] + np.where(variant, alt, 0)).astype(np.int16)


def _slices(rng: np.random.Generator, pool: np.ndarray, counts: list[int]) -> list[np.ndarray]:
    """Disjoint random subsets of pool with the given sizes (sorted row indices)."""
    if sum(counts) > len(pool):
        raise ValueError(f"too few eligible rows ({len(pool)}) for faults {counts}")
    shuffled = rng.choice(pool, size=sum(counts), replace=False)
    bounds = np.concatenate([[0], np.cumsum(counts)])
    return [np.sort(shuffled[bounds[i] : bounds[i + 1]]) for i in range(len(counts))]


def _mark(n: int, rows: np.ndarray) -> np.ndarray:
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return mask


def _assemble(base: Frame, extras: list[tuple[Frame, np.ndarray]]) -> Frame:
    """Base rows in order with extra rows inserted at the given positions (0..n_base)."""
    n_base = len(next(iter(base.values())))
    positions = np.concatenate([pos for _, pos in extras])
    n_extra = len(positions)
    order = np.insert(np.arange(n_base), positions, np.arange(n_base, n_base + n_extra))
    return {
        name: np.concatenate([col, *[frame[name] for frame, _ in extras]])[order]
        for name, col in base.items()
    }


def _take(frame: Frame, rows: np.ndarray) -> Frame:
    return {name: col[rows] for name, col in frame.items()}


def marketing_consent(rng: np.random.Generator, n: int) -> np.ndarray:
    """Codes into CONSENT_VOCAB (-1: left empty), yes/no/empty per MARKETING_CONSENT_SHARES."""
    answer = rng.choice(3, size=n, p=np.array(c.MARKETING_CONSENT_SHARES))
    yes, no = (len(c.CONSENT_SPELLINGS[a]) for a in ("yes", "no"))
    spelling_yes = rng.integers(0, yes, size=n)
    spelling_no = yes + rng.integers(0, no, size=n)
    return np.select([answer == 0, answer == 1], [spelling_yes, spelling_no], -1).astype(np.int8)


def raw_customers(rng: np.random.Generator, customers: Customers, end_day: int) -> Frame:
    n = customers.size
    # A spawned generator: adding the consent column leaves every other drawn value unchanged.
    consent = marketing_consent(rng.spawn(1)[0], n)
    real = np.flatnonzero(customers.ctype != TEST_TYPE_CODE)
    missing_gender, missing_dob, missing_city = (
        _mark(n, rng.choice(real, exact_count(rate, len(real)), replace=False))
        for rate in (c.MISSING_GENDER_RATE, c.MISSING_DATE_OF_BIRTH_RATE, c.MISSING_CITY_RATE)
    )
    has_gender = np.flatnonzero(~missing_gender)
    variant = _mark(
        n, rng.choice(has_gender, exact_count(c.GENDER_VARIANT_RATE, len(has_gender)), False)
    )
    gender = _spelling(rng, customers.gender, c.GENDER_SPELLINGS, c.GENDERS, variant)
    base = {
        "num": np.arange(1, n + 1, dtype=np.int64),
        "first_name": customers.first_name,
        "last_name": customers.last_name,
        "email_domain": customers.email_domain,
        "phone": customers.phone,
        "gender": np.where(missing_gender, -1, gender).astype(np.int16),
        "birth_day": np.where(missing_dob, MISSING_DAY, customers.birth_day).astype(np.int32),
        "birth_fmt": _formats(rng, c.DATE_FORMAT_SHARES, n),
        "city": np.where(missing_city, -1, customers.city).astype(np.int8),
        "signup_day": customers.signup_day,
        "signup_fmt": _formats(rng, c.DATE_FORMAT_SHARES, n),
        "tier": customers.tier,
        "consent": consent,
        "updated_s": customers.updated_s,
        "updated_fmt": _formats(rng, c.TIMESTAMP_FORMAT_SHARES, n),
    }
    resent, dups = _slices(
        rng,
        real,
        [exact_count(c.RESENT_CUSTOMER_RATE, n), exact_count(c.DUPLICATE_ROW_RATE, n)],
    )
    return _assemble(
        base,
        [
            (_resent_customers(rng, base, resent, end_day), rng.integers(resent + 1, n + 1)),
            (_take(base, dups), rng.integers(0, n + 1, size=len(dups))),
        ],
    )


def _resent_customers(
    rng: np.random.Generator, base: Frame, resent: np.ndarray, end_day: int
) -> Frame:
    """Re-sent versions: a later updated_at and one changed field (tier up, new city or phone)."""
    again = _take(base, resent)
    k = len(resent)
    end_s = end_day * 86400 + 86399
    gap = end_s - again["updated_s"]
    # At least 1.5 days later, so even date-only formats of the two versions differ.
    delay = np.maximum(36 * 3600, rng.random(k) * gap).astype(np.int64)
    again["updated_s"] = np.minimum(again["updated_s"] + delay, end_s)
    change = rng.integers(0, 3, size=k)
    tier_up = (change == 0) & (again["tier"] < len(c.LOYALTY_TIERS) - 1)
    again["tier"] = np.where(tier_up, again["tier"] + 1, again["tier"]).astype(np.int8)
    move = change == 1
    again["city"] = np.where(
        move, (again["city"].clip(0) + rng.integers(1, len(c.CITIES), k)) % len(c.CITIES),
        again["city"],
    ).astype(np.int8)  # fmt: skip
    new_phone = ~(tier_up | move)
    again["phone"] = np.where(
        new_phone,
        rng.integers(6, 10, size=k) * 1_000_000_000 + rng.integers(0, 1_000_000_000, size=k),
        again["phone"],
    )
    for col, shares in (("birth_fmt", c.DATE_FORMAT_SHARES), ("signup_fmt", c.DATE_FORMAT_SHARES),
                        ("updated_fmt", c.TIMESTAMP_FORMAT_SHARES)):  # fmt: skip
        again[col] = _formats(rng, shares, k)
    return again


def raw_products(rng: np.random.Generator, catalog: Catalog) -> Frame:
    n = catalog.size
    base = {
        "num": np.arange(1, n + 1, dtype=np.int64),
        "product_name": np.array(catalog.name, dtype=object),
        "category": np.array(catalog.category_raw, dtype=object),
        "brand": np.array(catalog.brand, dtype=object),
        "list_price": catalog.list_price,
    }
    dups = rng.choice(n, exact_count(c.DUPLICATE_ROW_RATE, n), replace=False)
    return _assemble(base, [(_take(base, dups), rng.integers(0, n + 1, size=len(dups)))])


@dataclass(frozen=True)
class _OrderFaults:
    """Which orders carry which fault, and their statuses as first sent and as finally sent."""

    real: np.ndarray  # orders of real (non-test) customers
    resent: np.ndarray
    dups: np.ndarray
    ts_fault: np.ndarray
    status: np.ndarray
    final_status: np.ndarray


def _pick_order_faults(
    rng: np.random.Generator, orders: Orders, test_order: np.ndarray, end_s: int
) -> _OrderFaults:
    m = orders.size
    # Re-sends need room for a later updated_at before the end of the extract.
    can_resend = np.flatnonzero(~test_order & (orders.updated_s < end_s - 2 * 86400))
    resent = _slices(rng, can_resend, [exact_count(c.RESENT_ORDER_RATE, m)])[0]
    rest = np.flatnonzero(~test_order & ~_mark(m, resent))
    unparseable, future, dups = _slices(
        rng,
        rest,
        [
            exact_count(c.UNPARSEABLE_ORDER_TS_RATE, m),
            exact_count(c.FUTURE_ORDER_RATE, m),
            exact_count(c.DUPLICATE_ROW_RATE, m),
        ],
    )
    changes = resent[rng.random(len(resent)) < c.RESENT_STATUS_CHANGE_SHARE]
    status = orders.status.copy()
    status[changes] = 0  # first sent as completed ...
    final_status = orders.status.copy()
    final_status[changes] = np.where(rng.random(len(changes)) < 0.7, 2, 1)  # ... then changed
    ts_fault = np.zeros(m, dtype=np.int8)
    ts_fault[future] = TS_FUTURE
    templates = len(c.UNPARSEABLE_TS_TEMPLATES)
    ts_fault[unparseable] = TS_UNPARSEABLE + rng.integers(0, templates, size=len(unparseable))
    return _OrderFaults(
        real=np.flatnonzero(~test_order),
        resent=resent,
        dups=dups,
        ts_fault=ts_fault,
        status=status,
        final_status=final_status,
    )


def _raw_orders(
    rng: np.random.Generator, orders: Orders, faults: _OrderFaults, end_s: int
) -> Frame:
    """The orders as sent: spelling variants, re-sent versions and exact duplicates."""
    m, k = orders.size, len(faults.resent)
    variant = _mark(m, rng.choice(faults.real, exact_count(c.STATUS_VARIANT_RATE, m), False))
    base = {
        "num": np.arange(1, m + 1, dtype=np.int32),
        "customer_num": orders.customer.astype(np.int32) + 1,
        "store": orders.store,
        "ts_s": orders.ts_s,
        "ts_fmt": _formats(rng, c.TIMESTAMP_FORMAT_SHARES, m),
        "ts_fault": faults.ts_fault,
        "status": _spelling(rng, faults.status, c.STATUS_SPELLINGS, c.STATUSES, variant),
        "updated_s": orders.updated_s,
        "updated_fmt": _formats(rng, c.TIMESTAMP_FORMAT_SHARES, m),
    }
    again = _take(base, faults.resent)
    gap = end_s - again["updated_s"]
    delay = np.minimum(86400 + (rng.random(k) * 19 * 86400).astype(np.int64), gap)
    again["updated_s"] = again["updated_s"] + delay
    again["status"] = _spelling(
        rng, faults.final_status[faults.resent], c.STATUS_SPELLINGS, c.STATUSES,
        np.zeros(k, dtype=bool),
    )  # fmt: skip
    again["ts_fmt"] = _formats(rng, c.TIMESTAMP_FORMAT_SHARES, k)
    again["updated_fmt"] = _formats(rng, c.TIMESTAMP_FORMAT_SHARES, k)
    return _assemble(
        base,
        [
            (again, rng.integers(faults.resent + 1, m + 1)),
            (_take(base, faults.dups), rng.integers(0, m + 1, size=len(faults.dups))),
        ],
    )


def _line_values(
    rng: np.random.Generator, lines: Lines, catalog: Catalog, eligible: np.ndarray,
    completed: np.ndarray,
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:  # fmt: skip
    """The lines' columns with the value faults, the duplicated lines and the lines copied as
    orphans."""
    n = lines.size
    negative_qty = _slices(
        rng, np.flatnonzero(eligible & completed), [exact_count(c.NEGATIVE_QUANTITY_RATE, n)]
    )[0]
    pool = np.flatnonzero(eligible & ~_mark(n, negative_qty))
    negative_price, unknown_product, outlier, line_dups, orphan_src = _slices(
        rng,
        pool,
        [
            exact_count(c.NEGATIVE_UNIT_PRICE_RATE, n),
            exact_count(c.UNKNOWN_PRODUCT_RATE, n),
            exact_count(c.PRICE_OUTLIER_RATE, n),
            exact_count(c.DUPLICATE_ROW_RATE, n),
            exact_count(c.UNKNOWN_ORDER_RATE, n),
        ],
    )
    quantity = lines.quantity.copy()
    quantity[negative_qty] = -quantity[negative_qty]
    discount = lines.discount.copy()
    discount[negative_qty] = 0
    unit_price = lines.unit_price.copy()
    unit_price[negative_price] = -unit_price[negative_price]
    list_price = catalog.list_price[lines.product[outlier]]
    factor = rng.uniform(*c.PRICE_OUTLIER_FACTOR, size=len(outlier))
    unit_price[outlier] = np.round(list_price * factor).astype(np.int64)
    discount[outlier] = 0
    product_num = lines.product.astype(np.int32) + 1
    # Unknown products: ids from 90000 up, never in the catalogue.
    product_num[unknown_product] = 90_000 + rng.integers(0, 9_999, size=len(unknown_product))
    line_base = {
        "order_num": lines.order.astype(np.int32) + 1,
        "line_number": lines.line_number,
        "product_num": product_num,
        "quantity": quantity,
        "unit_price": unit_price,
        "discount": discount,
    }
    return line_base, line_dups, orphan_src


def _raw_lines(
    rng: np.random.Generator, lines: Lines, catalog: Catalog, m: int, faults: _OrderFaults,
    test_order: np.ndarray,
) -> Frame:  # fmt: skip
    """The lines as sent: faults only on lines of real orders with a good order_ts, exact
    duplicates, and orphan lines of orders missing from the extract."""
    good_order = np.ones(m, dtype=bool)
    good_order[test_order | (faults.ts_fault != TS_OK)] = False
    eligible = good_order[lines.order]
    completed = (faults.final_status == 0)[lines.order]
    line_base, line_dups, orphan_src = _line_values(rng, lines, catalog, eligible, completed)
    n = lines.size
    orphans = _take(line_base, orphan_src)
    # Orders missing from the extract: numbers above every real order.
    orphans["order_num"] = m + 1_000_001 + 3 * np.arange(len(orphan_src), dtype=np.int32)
    orphans["line_number"] = np.ones(len(orphan_src), dtype=np.int8)
    return _assemble(
        line_base,
        [
            (_take(line_base, line_dups), rng.integers(0, n + 1, size=len(line_dups))),
            (orphans, rng.integers(0, n + 1, size=len(orphan_src))),
        ],
    )


def raw_orders_and_lines(
    rng: np.random.Generator,
    orders: Orders,
    lines: Lines,
    customers: Customers,
    catalog: Catalog,
    end_day: int,
) -> tuple[Frame, Frame]:
    """Orders and their lines with the order and line faults (see module docstring)."""
    end_s = end_day * 86400 + 86399
    test_order = customers.ctype[orders.customer] == TEST_TYPE_CODE
    faults = _pick_order_faults(rng, orders, test_order, end_s)
    raw_orders = _raw_orders(rng, orders, faults, end_s)
    return raw_orders, _raw_lines(rng, lines, catalog, orders.size, faults, test_order)
