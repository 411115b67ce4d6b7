"""The product catalogue: about ten categories of a mall, list prices in INR, fictional brands."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import config as c

BRANDS = {
    "apparel": ("Zara Lane", "Kurta Kraft", "UrbanWeave", "Desi Threads", "Mango Leaf"),
    "footwear": ("StepUp", "Bata Walk", "Sole Story", "Kolhapuri Co"),
    "electronics": ("VoltEdge", "Sonic Bharat", "PixelPro", "Lumio"),
    "grocery": ("Annapurna", "FreshKart", "Desi Farm", "Masala Mart", "Amrit Dairy"),
    "beauty": ("Glow Veda", "Kesar Care", "Lotus Bloom", "Mira Cosmetics"),
    "home": ("Griha", "Casa Rang", "Jaipur Looms", "HomeNest"),
    "kids": ("Little Champ", "Chhota Star", "ToyTown", "Kidzee Wear"),
    "sports": ("Khel Pro", "Stride", "Cricket Nation", "FitBharat"),
    "jewellery": ("Swarna", "Tanishka", "Kundan House", "Silver Lotus"),
    "food court": ("Chaat Corner", "Dosa Plaza", "Biryani Bowl", "Chai Point", "Pizza Adda"),
}
ITEMS = {
    "apparel": ("kurta", "saree", "shirt", "jeans", "dupatta", "jacket", "t-shirt", "lehenga"),
    "footwear": ("sneakers", "sandals", "loafers", "juttis", "heels", "slippers"),
    "electronics": ("smartphone", "earbuds", "smartwatch", "laptop", "television", "speaker"),
    "grocery": ("basmati rice 5kg", "atta 10kg", "toor dal 1kg", "ghee 1l", "tea 500g", "spices"),
    "beauty": ("face wash", "kajal", "lipstick", "hair oil", "sunscreen", "perfume"),
    "home": ("bedsheet", "cookware set", "curtains", "dinner set", "lamp", "cushion covers"),
    "kids": ("school bag", "toy car", "frock", "puzzle", "building blocks", "kids t-shirt"),
    "sports": ("cricket bat", "yoga mat", "football", "badminton racket", "running shoes"),
    "jewellery": ("gold chain", "earrings", "bangles", "mangalsutra", "silver anklet", "ring"),
    "food court": ("masala dosa", "chicken biryani", "pav bhaji", "thali", "pizza", "chai combo"),
}
ADJECTIVES = ("Classic", "Premium", "Festive", "Everyday", "Royal", "Smart", "Lite", "Heritage")


@dataclass(frozen=True)
class Catalog:
    """Products (index i is product P{i+1:05d}) and, per category, products sorted by price."""

    category: np.ndarray  # int8 index into CATEGORIES
    category_raw: list[str]  # raw spelling written to the file
    name: list[str]
    brand: list[str]
    list_price: np.ndarray  # paise, int64
    by_price: np.ndarray  # product indices grouped by category, cheapest first
    offsets: np.ndarray  # start of each category in by_price
    counts: np.ndarray  # products per category

    @property
    def size(self) -> int:
        return len(self.category)


def category_variant(name: str, k: int) -> str:
    """A raw spelling of a category: casing, padding or a doubled inner space."""
    variants = (
        name.title(),
        name.upper(),
        f" {name}",
        f"{name}  ",
        f" {name.title()} ",
        name.replace(" ", "  ") if " " in name else name.capitalize() + " ",
    )
    return variants[k % len(variants)]


def make_catalog(rng: np.random.Generator, n_products: int = c.N_PRODUCTS) -> Catalog:
    """Draw the catalogue: category mix, brand, a name, and a lognormal list price per category."""
    n_cat = len(c.CATEGORIES)
    category = rng.choice(n_cat, size=n_products, p=np.array(c.CATEGORY_PRODUCT_SHARE)).astype(
        np.int8
    )
    medians = np.array([c.CATEGORY_PRICE[name][0] for name in c.CATEGORIES])
    sigmas = np.array([c.CATEGORY_PRICE[name][1] for name in c.CATEGORIES])
    rupees = medians[category] * np.exp(sigmas[category] * rng.standard_normal(n_products))
    # Shop prices: 19, 49, 99, ... 1499, 2999: round to tens and subtract one rupee.
    rupees = np.maximum(19, np.round(rupees / 10) * 10 - 1)
    list_price = (rupees * 100).astype(np.int64)

    variant = np.zeros(n_products, dtype=bool)
    variant[
        rng.choice(n_products, size=round(c.CATEGORY_VARIANT_RATE * n_products), replace=False)
    ] = True
    variant_kind = rng.integers(0, 6, size=n_products)
    brand_pick = rng.integers(0, 1000, size=n_products)
    item_pick = rng.integers(0, 1000, size=n_products)
    adjective_pick = rng.integers(0, len(ADJECTIVES), size=n_products)

    names, brands, raw = [], [], []
    for i in range(n_products):  # the catalogue is small: a plain loop reads best
        cat = c.CATEGORIES[category[i]]
        brand = BRANDS[cat][brand_pick[i] % len(BRANDS[cat])]
        item = ITEMS[cat][item_pick[i] % len(ITEMS[cat])]
        brands.append(brand)
        names.append(f"{brand} {ADJECTIVES[adjective_pick[i]]} {item}")
        raw.append(category_variant(cat, int(variant_kind[i])) if variant[i] else cat)

    by_price = np.lexsort((list_price, category))
    counts = np.bincount(category, minlength=n_cat)
    offsets = np.concatenate([[0], np.cumsum(counts)[:-1]])
    return Catalog(
        category=category,
        category_raw=raw,
        name=names,
        brand=brands,
        list_price=list_price,
        by_price=by_price,
        offsets=offsets,
        counts=counts,
    )
