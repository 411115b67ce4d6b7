"""Customer lifetime value: the buy-till-you-die models, one estimator per file (BG/NBD for
purchase counts, Gamma-Gamma for spend per order) on a shared maximum-likelihood base, and
their inputs from a customer feature snapshot."""

from models_py.clv.bgnbd import BetaGeoModel, bgnbd_log_likelihood, simulate_bgnbd
from models_py.clv.gamma_gamma import GammaGammaModel, gamma_gamma_log_likelihood
from models_py.clv.inputs import btyd_inputs

__all__ = [
    "BetaGeoModel",
    "GammaGammaModel",
    "bgnbd_log_likelihood",
    "btyd_inputs",
    "gamma_gamma_log_likelihood",
    "simulate_bgnbd",
]
