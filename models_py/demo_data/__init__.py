"""The demo data generator: a seeded, vectorised synthetic retail extract of an Indian shopping
mall (customers, products, orders, order lines) with documented faults and a ground-truth file of
latent customer types. Entry points: `python -m models_py generate` (CLI) and `generate()`."""

from .core import generate

__all__ = ["generate"]
