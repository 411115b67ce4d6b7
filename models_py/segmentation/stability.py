"""How stable K-Means' segments are for a given k: fit on seeded bootstrap resamples of the
customers and compare the labelings each resample's centroids give one fixed, seeded set of
customers, by the adjusted Rand index (1 = the same partition every time, about 0 = chance).

A k whose segments change with the sample describes noise, not customer types; select_k picks,
among the k with an acceptable silhouette, the most stable one. Kept cheap: bounded samples, few
initialisations.
"""

from __future__ import annotations

from itertools import combinations

import numpy as np
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

__all__ = ["STABILITY_RESAMPLES", "STABILITY_SAMPLE_ROWS", "stability"]

STABILITY_RESAMPLES = 4
STABILITY_SAMPLE_ROWS = 2_000
STABILITY_N_INIT = 2


def stability(
    X: np.ndarray,
    k: int,
    random_state: int,
    resamples: int = STABILITY_RESAMPLES,
    sample_rows: int = STABILITY_SAMPLE_ROWS,
) -> tuple[float, float]:
    """Mean and standard deviation of the adjusted Rand index over every pair of resamples."""
    rng = np.random.default_rng(random_state)
    rows = min(sample_rows, len(X))
    reference = X[rng.choice(len(X), size=rows, replace=False)]
    labelings = []
    for resample in range(resamples):
        drawn = X[rng.choice(len(X), size=rows, replace=True)]
        if len(np.unique(drawn, axis=0)) < k:
            return float("nan"), float("nan")
        model = KMeans(n_clusters=k, n_init=STABILITY_N_INIT, random_state=random_state + resample)
        labelings.append(model.fit(drawn).predict(reference))
    scores = [adjusted_rand_score(a, b) for a, b in combinations(labelings, 2)]
    return float(np.mean(scores)), float(np.std(scores))
