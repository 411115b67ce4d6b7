"""Customer segmentation: K-Means segments (kmeans.py) named by the seed segment_definitions
(definitions.py)."""
