"""How well the ring map preserves its topology: ring distance against prototype distance."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy.stats import spearmanr

from pcbook.som.free_energy import ring_distance
from pcbook.validate import check_finite_array

__all__ = ["ring_topography"]


def ring_topography(prototypes: NDArray) -> float:
    """Spearman rank correlation between ring distance and image distance of the prototypes.

    Implements eq-som-topography: over all pairs j < k of the n prototypes, the rank correlation
    rho between d_ring(j, k) and |w_j - w_k|. rho = 1 when image distance grows monotonically with
    ring distance (a perfectly ordered ring), about 0 for a map whose order is random.

    Parameters
    ----------
    prototypes : array (n, D) or (n, size, size), n >= 3

    Returns
    -------
    rho : float in [-1, 1]
    """
    W = check_finite_array("prototypes", prototypes)
    if W.ndim < 2 or len(W) < 3:
        raise ValueError(
            f"prototypes: expected at least 3 prototypes (n, D), got shape {W.shape}"
        )
    W = W.reshape(len(W), -1)
    j, k = np.triu_indices(len(W), 1)
    image = np.sqrt(((W[j] - W[k]) ** 2).sum(axis=1))
    if np.ptp(image) == 0:
        raise ValueError(
            "prototypes: every pair is equally far apart, so the rank "
            "correlation is undefined"
        )
    return float(spearmanr(ring_distance(j, k, len(W)), image).statistic)
