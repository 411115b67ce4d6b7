"""Purchase and spend prediction: the model registry, the candidates and baselines, training,
evaluation and scoring, and the artifacts a run saves."""
