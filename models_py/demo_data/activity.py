"""Orders and order lines: when each customer buys, where, what and for how much."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import config as c
from .calendar import Season, day_weights, is_festive, sample_days
from .catalog import Catalog
from .population import ALL_TYPES, Customers

ONLINE_STORE = len(c.STORES)  # store code of the online channel
# Hour-of-day shares: mall stores open 10:00-22:00 with an evening peak; online around the clock.
STORE_HOURS = np.array([0] * 10 + [3, 4, 5, 5, 4, 4, 5, 6, 8, 9, 8, 5, 0, 0], dtype=float)
ONLINE_HOURS = np.array(
    [1, 0.5, 0.3, 0.2, 0.2, 0.3, 1, 2, 3, 4, 4, 4, 5, 5, 4, 4, 4, 5, 6, 7, 8, 8, 6, 3], dtype=float
)


@dataclass
class Orders:
    """One entry per order (index i becomes order number i + 1; sorted by time)."""

    customer: np.ndarray  # customer index
    ts_s: np.ndarray  # seconds since epoch
    store: np.ndarray  # index into STORES, ONLINE_STORE for online
    status: np.ndarray  # index into STATUSES
    updated_s: np.ndarray

    @property
    def size(self) -> int:
        return len(self.customer)


@dataclass
class Lines:
    """One entry per order line, grouped by order."""

    order: np.ndarray  # order index
    line_number: np.ndarray
    product: np.ndarray  # product index
    quantity: np.ndarray
    unit_price: np.ndarray  # paise
    discount: np.ndarray  # paise

    @property
    def size(self) -> int:
        return len(self.order)


def _hours(rng: np.random.Generator, online: np.ndarray) -> np.ndarray:
    store_cdf = np.cumsum(STORE_HOURS) / STORE_HOURS.sum()
    online_cdf = np.cumsum(ONLINE_HOURS) / ONLINE_HOURS.sum()
    u = rng.random(len(online))
    hours = np.where(
        online, np.searchsorted(online_cdf, u, side="right"), np.searchsorted(store_cdf, u, "right")
    )
    return np.minimum(hours, 23)


def _active_months(
    customers: Customers, start_day: int, end_day: int, season: Season
) -> tuple[np.ndarray, np.ndarray]:
    """Each customer's active window in months (weighted by the season's rate factor, if any)
    and the calendar's day weights (times that factor), which place the orders in time."""
    weights = day_weights(start_day, end_day)
    if season.is_flat:
        return (customers.active_to - customers.active_from + 1) / 30.44, weights
    factor = season.rate_factor(start_day, end_day)
    cumulative = np.concatenate([[0.0], np.cumsum(factor)])
    active = (
        cumulative[customers.active_to - start_day + 1]
        - cumulative[customers.active_from - start_day]
    )
    return active / 30.44, weights * factor


def make_orders(
    rng: np.random.Generator,
    customers: Customers,
    start_day: int,
    end_day: int,
    season: Season | None = None,
) -> Orders:
    """Poisson order counts over each customer's active window, days drawn from the calendar;
    ``season`` (off by default) scales the rates over the year and the years."""
    months, weights = _active_months(customers, start_day, end_day, season or Season())
    counts = np.maximum(1, rng.poisson(customers.order_rate * months))
    cust = np.repeat(np.arange(customers.size, dtype=np.int32), counts)
    m = len(cust)
    # Orders spread over the window: the k-th of n orders falls in the k-th of n equal slices of
    # the window's demand (jittered), so habits are steady rather than bursty.
    rank = np.arange(m) - np.repeat(np.cumsum(counts) - counts, counts)
    quantile = (rank + rng.random(m)) / counts[cust]
    days = sample_days(
        rng, weights, start_day, customers.active_from[cust], customers.active_to[cust], quantile
    )
    del rank, quantile
    online = rng.random(m) < customers.online_p[cust]
    home = customers.home_store[cust]
    other = rng.integers(0, len(c.STORES), size=m)
    store = np.where(rng.random(m) < c.HOME_STORE_SHARE, home, other)
    store = np.where(online, ONLINE_STORE, store).astype(np.int8)
    ts_s = days.astype(np.int64) * 86400 + _hours(rng, online) * 3600 + rng.integers(0, 3600, m)

    u = rng.random(m)
    status = np.select(
        [u < c.CANCELLED_RATE, u < c.CANCELLED_RATE + c.RETURNED_RATE], [1, 2], 0
    ).astype(np.int8)
    delay = np.select(
        [status == 1, status == 2],
        [rng.integers(300, 2 * 86400, m), rng.integers(2 * 86400, 20 * 86400, m)],
        rng.integers(60, 3 * 3600, m),
    )
    updated_s = np.minimum(ts_s + delay, end_day * 86400 + 86399)

    # Chronological order ids: sort on time, then customer (one packed int64 key, fast).
    shift = max(1, int(customers.size).bit_length())
    order = np.argsort((ts_s << shift) | cust, kind="stable")
    return Orders(
        customer=cust[order],
        ts_s=ts_s[order],
        store=store[order],
        status=status[order],
        updated_s=updated_s[order],
    )


def _categories_and_products(
    rng: np.random.Generator, customers: Customers, catalog: Catalog, cust: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each line's category (1st/2nd/3rd favourite or any) and product (where in the category's
    price range the customer's type buys: Kumaraswamy(a, b), a Beta-like shape with a closed-form
    inverse CDF)."""
    n = len(cust)
    pick = np.searchsorted(np.cumsum(c.FAVOURITE_SHARES), rng.random(n), side="right")
    category = customers.favourites[cust, np.minimum(pick, 2)]
    anything = pick == 3
    category[anything] = rng.integers(0, len(c.CATEGORIES), size=int(anything.sum()))
    ctype = customers.ctype[cust]
    a = np.array([c.PRICE_POSITION[t][0] for t in ALL_TYPES])[ctype]
    b = np.array([c.PRICE_POSITION[t][1] for t in ALL_TYPES])[ctype]
    position = (1 - (1 - rng.random(n)) ** (1 / b)) ** (1 / a)
    counts = catalog.counts[category]
    slot = catalog.offsets[category] + np.minimum((position * counts).astype(np.int64), counts - 1)
    return category, catalog.by_price[slot].astype(np.int32)


def make_lines(
    rng: np.random.Generator,
    customers: Customers,
    catalog: Catalog,
    orders: Orders,
    start_day: int,
    end_day: int,
) -> Lines:
    """1-6 lines per order; categories from the customer's favourites, products by price taste."""
    cust_basket = customers.basket_lines[orders.customer]
    n_lines = np.clip(1 + rng.poisson(np.maximum(cust_basket - 1, 0)), 1, 6)
    order = np.repeat(np.arange(orders.size, dtype=np.int32), n_lines)
    n = len(order)
    starts = np.cumsum(n_lines) - n_lines
    line_number = (np.arange(n) - np.repeat(starts, n_lines) + 1).astype(np.int8)
    del cust_basket, starts
    category, product = _categories_and_products(rng, customers, catalog, orders.customer[order])

    quantity = 1 + np.searchsorted(np.cumsum(c.QUANTITY_SHARES), rng.random(n), side="right")
    bulk = np.isin(category, [c.CATEGORIES.index("grocery"), c.CATEGORIES.index("food court")])
    quantity = np.minimum(quantity + (bulk & (rng.random(n) < 0.3)), 4).astype(np.int16)
    del bulk, category

    list_price = catalog.list_price[product]
    changed = rng.random(n) < c.PRICE_CHANGE_RATE
    factor = np.where(changed, 1 + rng.uniform(-0.1, 0.1, n), 1.0)
    unit_price = np.round(list_price * factor).astype(np.int64)
    del factor, changed, list_price

    weights = day_weights(start_day, end_day)
    festive = is_festive((orders.ts_s[order] // 86400).astype(np.int64), start_day, weights)
    discounted = rng.random(n) < np.where(festive, c.FESTIVE_DISCOUNT_RATE, c.DISCOUNT_RATE)
    gross = unit_price * quantity
    # Whole-rupee discounts of 5-25% of the line.
    discount = np.round(gross * rng.uniform(0.05, 0.25, n) / 100).astype(np.int64) * 100
    discount = np.where(discounted, np.minimum(discount, gross), 0)
    return Lines(
        order=order,
        line_number=line_number,
        product=product,
        quantity=quantity,
        unit_price=unit_price,
        discount=discount,
    )
