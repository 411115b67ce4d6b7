"""Customer lifetime value: the buy-till-you-die models, one estimator per file (BG/NBD for
purchase counts, MBG/NBD where one-time buyers may be gone too, Gamma-Gamma for spend per order)
on a shared maximum-likelihood base, and their inputs from a customer feature snapshot."""

from models_py.clv.bgnbd import BetaGeoModel, bgnbd_log_likelihood, simulate_bgnbd
from models_py.clv.gamma_gamma import GammaGammaModel, gamma_gamma_log_likelihood
from models_py.clv.inputs import btyd_inputs
from models_py.clv.mbgnbd import ModifiedBetaGeoModel, mbgnbd_log_likelihood, simulate_mbgnbd

__all__ = [
    "BetaGeoModel",
    "GammaGammaModel",
    "ModifiedBetaGeoModel",
    "bgnbd_log_likelihood",
    "btyd_inputs",
    "gamma_gamma_log_likelihood",
    "mbgnbd_log_likelihood",
    "simulate_bgnbd",
    "simulate_mbgnbd",
]
