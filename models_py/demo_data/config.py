"""Every tunable number of the demo data generator: sizes, behaviour of the latent customer types,
and the exact rate of each injected fault (documented in docs/demo_data.md)."""

from __future__ import annotations

import datetime as dt

DEFAULT_END_DATE = dt.date(2026, 6, 30)
HISTORY_DAYS = 730  # about two years of orders, ending on the end date
N_PRODUCTS = 1500
MIN_CUSTOMERS = 20

CATEGORIES = (
    "apparel",
    "footwear",
    "electronics",
    "grocery",
    "beauty",
    "home",
    "kids",
    "sports",
    "jewellery",
    "food court",
)
# Median list price (INR) and log-sd of list prices per category.
CATEGORY_PRICE = {
    "apparel": (1400.0, 0.6),
    "footwear": (2200.0, 0.55),
    "electronics": (12000.0, 0.9),
    "grocery": (220.0, 0.7),
    "beauty": (550.0, 0.6),
    "home": (1600.0, 0.7),
    "kids": (800.0, 0.6),
    "sports": (1800.0, 0.7),
    "jewellery": (30000.0, 0.8),
    "food court": (280.0, 0.4),
}
CATEGORY_PRODUCT_SHARE = (0.18, 0.09, 0.09, 0.18, 0.1, 0.1, 0.08, 0.06, 0.06, 0.06)

STORES = (
    "Mumbai - Andheri",
    "Delhi - Saket",
    "Bengaluru - Whitefield",
    "Hyderabad - Hitech City",
    "Chennai - Velachery",
    "Pune - Kharadi",
)
ONLINE = "online"
# City of each store (index into CITIES) so customers mostly shop at their home store.
CITIES = (
    "Mumbai",
    "Delhi",
    "Bengaluru",
    "Hyderabad",
    "Chennai",
    "Pune",
    "Kolkata",
    "Ahmedabad",
    "Jaipur",
    "Lucknow",
    "Kochi",
    "Chandigarh",
    "Indore",
    "Surat",
    "Navi Mumbai",
    "Gurugram",
)
CITY_WEIGHTS = (14, 12, 13, 10, 9, 9, 5, 4, 3, 3, 3, 2, 2, 2, 5, 4)
CITY_STORE = (0, 1, 2, 3, 4, 5, -1, -1, -1, -1, -1, 1, -1, -1, 0, 1)  # -1: no store in the city
HOME_STORE_SHARE = 0.75  # store orders placed at the customer's home store

GENDERS = ("female", "male", "other")
GENDER_SHARES = (0.48, 0.49, 0.03)
LOYALTY_TIERS = ("none", "silver", "gold", "platinum")

# ---------------------------------------------------------------------------------------------
# Latent customer types. The pipeline never sees these; they go to ground_truth/customer_types.csv
CUSTOMER_TYPES = ("vip", "frequent", "occasional", "new", "lapsing")
TEST_TYPE = "test"
TYPE_SHARES = (0.08, 0.20, 0.40, 0.12, 0.20)
# Per type: median orders per active month and its log-sd (lognormal across customers).
ORDER_RATE = {
    "vip": (0.6, 0.3),
    "frequent": (1.4, 0.3),
    "occasional": (0.26, 0.25),
    "new": (1.0, 0.4),
    "lapsing": (1.3, 0.3),
    "test": (0.6, 0.3),
}
# Per type: mean number of lines per order (1-6, per-customer lognormal spread of 0.25).
BASKET_LINES = {
    "vip": 2.6,
    "frequent": 1.05,
    "occasional": 1.8,
    "new": 2.0,
    "lapsing": 1.6,
    "test": 2.0,
}
# Per type: Kumaraswamy(a, b) (Beta-like): where in the price-sorted range of a category a
# customer buys.
PRICE_POSITION = {
    "vip": (2.6, 1.1),
    "frequent": (1.0, 2.2),
    "occasional": (1.3, 1.8),
    "new": (1.3, 1.8),
    "lapsing": (1.3, 1.8),
    "test": (1.0, 1.0),
}
# Per type: relative preference for each category (order of CATEGORIES); each customer draws
# three favourite categories from it.
CATEGORY_PREFERENCE = {
    "vip": (0.26, 0.10, 0.20, 0.03, 0.08, 0.07, 0.03, 0.03, 0.18, 0.02),
    "frequent": (0.05, 0.02, 0.02, 0.38, 0.12, 0.04, 0.06, 0.02, 0.01, 0.28),
    "occasional": (0.24, 0.14, 0.05, 0.05, 0.08, 0.18, 0.12, 0.10, 0.01, 0.03),
    "new": (0.20, 0.10, 0.08, 0.10, 0.10, 0.12, 0.10, 0.08, 0.03, 0.09),
    "lapsing": (0.16, 0.08, 0.06, 0.18, 0.10, 0.12, 0.10, 0.08, 0.02, 0.10),
    "test": (0.1,) * 10,
}
FAVOURITE_SHARES = (0.55, 0.23, 0.12)  # lines from the 1st/2nd/3rd favourite; rest: any category
# Per type: (none, silver, gold, platinum) shares of the loyalty tier.
TIER_SHARES = {
    "vip": (0.05, 0.20, 0.40, 0.35),
    "frequent": (0.20, 0.45, 0.30, 0.05),
    "occasional": (0.60, 0.30, 0.08, 0.02),
    "new": (0.85, 0.15, 0.0, 0.0),
    "lapsing": (0.45, 0.35, 0.15, 0.05),
    "test": (1.0, 0.0, 0.0, 0.0),
}
ONLINE_SHARE = 0.25  # mean of each customer's Beta-distributed online propensity
NEW_SIGNUP_DAYS = (5, 120)  # new customers signed up this many days before the end date
LAPSE_DAYS = (180, 450)  # lapsing customers stopped buying this many days before the end date

# Order statuses (drawn per order; re-sent orders can move completed -> returned/cancelled).
CANCELLED_RATE = 0.05
RETURNED_RATE = 0.04
# Lines: quantity shares for 1, 2, 3 items (grocery and food court: up to 4).
QUANTITY_SHARES = (0.80, 0.15, 0.05)
PRICE_CHANGE_RATE = 0.15  # lines sold at list price +/- up to 10%
DISCOUNT_RATE = 0.15  # lines with a rupee discount, outside the festive season
FESTIVE_DISCOUNT_RATE = 0.45  # ... during festive weeks (Diwali, year end)

# ---------------------------------------------------------------------------------------------
# Faults. Rates are shares of the table's generated (pre-fault) rows; the count injected is
# max(1, round(rate * rows)) among eligible rows (see docs/demo_data.md for eligibility).
DUPLICATE_ROW_RATE = 0.01  # all four tables: extra exact copies of rows
RESENT_CUSTOMER_RATE = 0.02  # extra version of the customer with a later updated_at
RESENT_ORDER_RATE = 0.02  # extra version of the order with a later updated_at
RESENT_STATUS_CHANGE_SHARE = 0.4  # of re-sent orders: completed -> returned (70%)/cancelled
MISSING_GENDER_RATE = 0.08
MISSING_DATE_OF_BIRTH_RATE = 0.10
MISSING_CITY_RATE = 0.05
GENDER_VARIANT_RATE = 0.25  # of non-missing gender values: F, Female, ' FEMALE ', m, ...
CATEGORY_VARIANT_RATE = 0.15  # of products: 'Apparel', ' FOOTWEAR', 'food  court', ...
STATUS_VARIANT_RATE = 0.005  # of orders: 'Completed', ' CANCELLED ', ...
UNPARSEABLE_ORDER_TS_RATE = 0.0005  # 'N/A', '31/02/2025 10:00', ...
FUTURE_ORDER_RATE = 0.0005  # order_ts with the year typed 10 years ahead
NEGATIVE_QUANTITY_RATE = 0.005  # lines of completed orders: an item returned
NEGATIVE_UNIT_PRICE_RATE = 0.0005
UNKNOWN_PRODUCT_RATE = 0.003  # lines whose product_id is not in products
UNKNOWN_ORDER_RATE = 0.002  # extra lines whose order_id is not in orders
PRICE_OUTLIER_RATE = 0.001  # unit_price 50-100x the list price
PRICE_OUTLIER_FACTOR = (50.0, 100.0)
# Optional marketing_consent column of customers: shares answering yes / no / left empty (empty
# means no consent). Opt-in rates of retail loyalty programmes are typically a third to a half.
MARKETING_CONSENT_SHARES = (0.40, 0.45, 0.15)
TEST_ACCOUNTS = (3, 5)  # internal accounts with emails at TEST_EMAIL_DOMAIN (inclusive range)
TEST_EMAIL_DOMAIN = "test.mallco.in"

# Date formats mixed within every date column: code -> share. Codes: 0 'YYYY-MM-DD HH:MM:SS',
# 1 'YYYY-MM-DD', 2 'DD/MM/YYYY HH:MM', 3 'DD/MM/YYYY', 4 'YYYYMMDD'.
TIMESTAMP_FORMAT_SHARES = (0.70, 0.04, 0.16, 0.04, 0.06)  # order_ts, updated_at
DATE_FORMAT_SHARES = (0.04, 0.80, 0.0, 0.10, 0.06)  # signup_date, date_of_birth
UNPARSEABLE_TS_TEMPLATES = ("N/A", "31/02/{year} 10:00", "{year}-13-01 09:30:00", "00000000")

# Raw spellings. Index 0 of each tuple is the canonical value.
GENDER_SPELLINGS = {
    "female": ("female", "F", "f", "Female", "FEMALE", " female ", "Female "),
    "male": ("male", "M", "m", "Male", "MALE", " male ", " Male"),
    "other": ("other", "Other", "OTHER", " other "),
}
# marketing_consent spellings: index 0 of each tuple is the canonical value.
CONSENT_SPELLINGS = {"yes": ("yes", "Y", "true", "Yes"), "no": ("no", "N", "false", "No")}
STATUSES = ("completed", "cancelled", "returned")
STATUS_SPELLINGS = {
    "completed": ("completed", "Completed", "COMPLETED", " completed "),
    "cancelled": ("cancelled", "Cancelled", "CANCELLED", " cancelled "),
    "returned": ("returned", "Returned", "RETURNED", "returned "),
}
