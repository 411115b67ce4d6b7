"""Customers: latent type, demographics, sign-up, and the behaviour parameters their orders are
drawn from. Everything is vectorised over customers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import config as c

FEMALE_NAMES = (
    "Aadhya", "Ananya", "Diya", "Ishita", "Kavya", "Meera", "Neha", "Pooja", "Priya", "Riya",
    "Saanvi", "Sneha", "Tanvi", "Aarti", "Deepika", "Divya", "Gayatri", "Jyoti", "Lakshmi",
    "Nandini", "Pallavi", "Radhika", "Shreya", "Sunita", "Swati", "Fatima", "Zoya", "Harpreet",
    "Anjali", "Bhavna",
)  # fmt: skip
MALE_NAMES = (
    "Aarav", "Aditya", "Arjun", "Vihaan", "Rohan", "Rahul", "Vikram", "Karan", "Siddharth",
    "Amit", "Anil", "Deepak", "Ganesh", "Harsh", "Imran", "Manish", "Nikhil", "Pranav", "Rajesh",
    "Sanjay", "Suresh", "Tarun", "Varun", "Yash", "Farhan", "Gurpreet", "Kabir", "Mohit",
    "Naveen", "Omkar",
)  # fmt: skip
LAST_NAMES = (
    "Sharma", "Verma", "Patel", "Shah", "Iyer", "Nair", "Reddy", "Rao", "Gupta", "Agarwal",
    "Mehta", "Joshi", "Kulkarni", "Deshmukh", "Singh", "Chopra", "Kapoor", "Malhotra", "Banerjee",
    "Chatterjee", "Das", "Bose", "Menon", "Pillai", "Khan", "Qureshi", "Fernandes", "D'Souza",
    "Gill", "Sethi", "Naidu", "Hegde", "Pandey", "Mishra", "Yadav", "Jain",
)  # fmt: skip
FIRST_NAMES = (*FEMALE_NAMES, *MALE_NAMES, "QA")
LAST_NAMES_ALL = (*LAST_NAMES, "Tester")
EMAIL_DOMAINS = ("gmail.com", "yahoo.co.in", "outlook.com", "rediffmail.com", "hotmail.com",
                 c.TEST_EMAIL_DOMAIN)  # fmt: skip
TEST_TYPE_CODE = len(c.CUSTOMER_TYPES)
ALL_TYPES = (*c.CUSTOMER_TYPES, c.TEST_TYPE)


@dataclass
class Customers:
    """One entry per customer (index i is customer number i + 1, ids follow sign-up order)."""

    ctype: np.ndarray  # int8 index into ALL_TYPES
    signup_day: np.ndarray  # days since epoch
    active_from: np.ndarray  # first possible order day
    active_to: np.ndarray  # last possible order day
    order_rate: np.ndarray  # orders per active month
    basket_lines: np.ndarray  # mean lines per order
    favourites: np.ndarray  # (n, 3) favourite category indices
    online_p: np.ndarray  # share of orders placed online
    home_store: np.ndarray  # int8 index into STORES
    gender: np.ndarray  # int8 index into GENDERS
    first_name: np.ndarray  # index into FIRST_NAMES
    last_name: np.ndarray  # index into LAST_NAMES_ALL
    email_domain: np.ndarray  # index into EMAIL_DOMAINS
    phone: np.ndarray  # 10-digit mobile number
    birth_day: np.ndarray  # days since epoch
    city: np.ndarray  # int8 index into CITIES
    tier: np.ndarray  # int8 index into LOYALTY_TIERS
    updated_s: np.ndarray  # seconds since epoch of the record's last change

    @property
    def size(self) -> int:
        return len(self.ctype)

    def take(self, order: np.ndarray) -> Customers:
        return Customers(**{k: v[order] for k, v in self.__dict__.items()})


def _per_type(values: dict, ctype: np.ndarray, column: int | None = None) -> np.ndarray:
    table = np.array([values[t] if column is None else values[t][column] for t in ALL_TYPES])
    return table[ctype]


def _choice_by_type(rng: np.random.Generator, shares: dict, ctype: np.ndarray) -> np.ndarray:
    """One category per row, drawn from the row's type-specific shares (inverse CDF)."""
    cdf = np.cumsum(np.array([shares[t] for t in ALL_TYPES], dtype=float), axis=1)
    cdf /= cdf[:, -1:]
    u = rng.random(len(ctype))
    return (u[:, None] > cdf[ctype]).sum(axis=1).clip(0, cdf.shape[1] - 1).astype(np.int8)


def _customer_types(rng: np.random.Generator, n: int) -> np.ndarray:
    ctype = rng.choice(len(c.CUSTOMER_TYPES), size=n, p=np.array(c.TYPE_SHARES)).astype(np.int8)
    n_test = int(rng.integers(c.TEST_ACCOUNTS[0], c.TEST_ACCOUNTS[1] + 1))
    ctype[rng.choice(n, size=n_test, replace=False)] = TEST_TYPE_CODE
    return ctype


def _active_window(
    rng: np.random.Generator, ctype: np.ndarray, start_day: int, end_day: int
) -> dict[str, np.ndarray]:
    """Sign-up day and the window in which the customer buys."""
    n = len(ctype)
    signup_range = {
        "vip": (start_day - 1460, start_day + 120),
        "frequent": (start_day - 1095, start_day + 240),
        "occasional": (start_day - 1460, start_day + 300),
        "new": (end_day - c.NEW_SIGNUP_DAYS[1], end_day - c.NEW_SIGNUP_DAYS[0]),
        "lapsing": (start_day - 1095, start_day + 180),
        "test": (start_day - 365, start_day + 365),
    }
    lo = _per_type(signup_range, ctype, 0)
    hi = _per_type(signup_range, ctype, 1)
    signup_day = (lo + np.floor(rng.random(n) * (hi - lo + 1))).astype(np.int32)
    lapse = rng.integers(c.LAPSE_DAYS[0], c.LAPSE_DAYS[1] + 1, size=n)
    lapsing = ctype == ALL_TYPES.index("lapsing")
    return {
        "signup_day": signup_day,
        "active_from": np.maximum(signup_day, start_day).astype(np.int32),
        "active_to": np.where(lapsing, end_day - lapse, end_day).astype(np.int32),
    }


def _behaviour(rng: np.random.Generator, ctype: np.ndarray) -> dict[str, np.ndarray]:
    """Lognormal order rates and basket sizes (overlapping between types), three favourite
    categories and the share of orders placed online."""
    n = len(ctype)
    median = _per_type(c.ORDER_RATE, ctype, 0)
    sigma = _per_type(c.ORDER_RATE, ctype, 1)
    order_rate = median * np.exp(sigma * rng.standard_normal(n))
    basket_lines = _per_type(c.BASKET_LINES, ctype) * np.exp(0.25 * rng.standard_normal(n))
    # Gumbel top-3 of the type's preferences.
    pref = np.log(np.array([c.CATEGORY_PREFERENCE[t] for t in ALL_TYPES]))
    keys = pref[ctype] + rng.gumbel(size=(n, len(c.CATEGORIES)))
    return {
        "order_rate": order_rate,
        "basket_lines": basket_lines,
        "favourites": np.argsort(-keys, axis=1)[:, :3].astype(np.int8),
        "online_p": rng.beta(1.2, 1.2 * (1 - c.ONLINE_SHARE) / c.ONLINE_SHARE, size=n),
    }


def _names_and_contacts(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    gender = rng.choice(len(c.GENDERS), size=n, p=np.array(c.GENDER_SHARES)).astype(np.int8)
    female_first = rng.integers(0, len(FEMALE_NAMES), size=n)
    male_first = len(FEMALE_NAMES) + rng.integers(0, len(MALE_NAMES), size=n)
    other_first = rng.integers(0, len(FEMALE_NAMES) + len(MALE_NAMES), size=n)
    first_name = np.select([gender == 0, gender == 1], [female_first, male_first], other_first)
    last_name = rng.integers(0, len(LAST_NAMES), size=n)
    email_domain = rng.choice(5, size=n, p=np.array([0.55, 0.2, 0.12, 0.05, 0.08]))
    phone = rng.integers(6, 10, size=n) * 1_000_000_000 + rng.integers(0, 1_000_000_000, size=n)
    return {
        "gender": gender,
        "first_name": first_name,
        "last_name": last_name,
        "email_domain": email_domain,
        "phone": phone,
    }


def _age_and_home(rng: np.random.Generator, ctype: np.ndarray, end_day: int) -> dict:
    n = len(ctype)
    age_shift = _per_type(
        {"vip": 6, "frequent": 2, "occasional": 0, "new": -4, "lapsing": 1, "test": 0}, ctype
    )
    raw_age = rng.normal(35 + age_shift, 11, size=n)
    # Reflect below the adult minimum instead of clipping: clipping would pile ~7% of customers
    # onto exactly 18, a spike the report's age chart would show as if it were real.
    age_years = np.clip(np.where(raw_age < 18, 36 - raw_age, raw_age), 18, 80)
    city = rng.choice(len(c.CITIES), size=n, p=np.array(c.CITY_WEIGHTS) / sum(c.CITY_WEIGHTS))
    city_store = np.array(c.CITY_STORE)[city]
    home_store = np.where(city_store >= 0, city_store, rng.integers(0, len(c.STORES), size=n))
    return {
        "birth_day": (end_day - np.floor(age_years * 365.25)).astype(np.int32),
        "city": city.astype(np.int8),
        "home_store": home_store.astype(np.int8),
    }


def make_customers(rng: np.random.Generator, n: int, start_day: int, end_day: int) -> Customers:
    """Draw n customers (a few of them internal test accounts), ordered by sign-up date."""
    ctype = _customer_types(rng, n)
    window = _active_window(rng, ctype, start_day, end_day)
    behaviour = _behaviour(rng, ctype)
    contacts = _names_and_contacts(rng, n)
    home = _age_and_home(rng, ctype, end_day)
    tier = _choice_by_type(rng, c.TIER_SHARES, ctype)
    # Profile last changed in the first 60% of the time between sign-up and the end, leaving at
    # least two days (new customers sign up 5+ days before the end) for a later re-send.
    signup_day = window["signup_day"]
    since = np.maximum(signup_day, start_day - 365)
    span_s = (end_day - since).astype(np.int64) * 86400
    updated_s = since.astype(np.int64) * 86400 + (rng.random(n) * 0.6 * span_s).astype(np.int64)

    test = ctype == TEST_TYPE_CODE
    contacts["first_name"][test] = FIRST_NAMES.index("QA")
    contacts["last_name"][test] = LAST_NAMES_ALL.index("Tester")
    contacts["email_domain"][test] = EMAIL_DOMAINS.index(c.TEST_EMAIL_DOMAIN)
    customers = Customers(
        ctype=ctype,
        **window,
        **behaviour,
        gender=contacts["gender"],
        first_name=contacts["first_name"].astype(np.int16),
        last_name=contacts["last_name"].astype(np.int16),
        email_domain=contacts["email_domain"].astype(np.int8),
        phone=contacts["phone"],
        **home,
        tier=tier,
        updated_s=updated_s,
    )
    # Customer numbers follow sign-up order, like a real loyalty programme.
    return customers.take(np.lexsort((rng.random(n), signup_day)))
