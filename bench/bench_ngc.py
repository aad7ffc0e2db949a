"""Benchmarks of chapter 4 (NGC): training GNCN-PDH for 10 epochs, batched vs per-sample settling,
and the cost of one settling step as the layers widen."""

from __future__ import annotations

import numpy as np

from bench.common import Case, Scaling
from bench.reference_ngc import train_per_sample
from pcbook import ngc
from pcbook.maths import one_blas_thread

_DATA = {}


def _data():
    if "d" not in _DATA:
        _DATA["d"] = ngc.load_binary_digits(rng=0)
    return _DATA["d"]


def _pdh_10_epochs():
    return ngc.NGC(ngc.gncn_pdh(), rng=0).fit(_data().X_train, epochs=10)


# one epoch has 27 batches; the reference settles 3 of them image by image: 3 / 270 of the run
_REF_BATCHES = 3


def _pdh_per_sample():
    return train_per_sample(
        _data().X_train, ngc.gncn_pdh(), _REF_BATCHES, rng=0
    )


def _settling_step(n: int):
    """Ten settling steps of a PDH circuit with widths 64 - n - n - n/2 on a batch of 50 images
    (ten per call so that switching BLAS to one thread, about 0.5 ms, does not dominate)."""
    params = ngc.gncn_pdh((64, n, n, n // 2))
    weights = ngc.init_weights(params, 0)
    x = (np.random.default_rng(1).uniform(size=(50, 64)) > 0.5).astype(float)
    start = ngc.settle(x, weights, params, K=5)  # away from the cold start
    z, e = start.z, start.e

    def step():
        with one_blas_thread():  # as in training (NGC.fit)
            state = (z, None, e)
            for _ in range(10):
                state = ngc.settle_step(
                    state[0], state[2], weights, params, params.beta
                )
            return state

    return step


CASES = [
    Case(
        "ngc: GNCN-PDH, 10 epochs on 8x8 digits",
        fast=_pdh_10_epochs,
        reference=_pdh_per_sample,
        reference_scale=_REF_BATCHES / 270,
        repeats=1,
        budget_seconds=30.0,
        notes="reference: per-sample settling (3 of 270 batches, extrapolated)",
    ),
]

SCALING = [
    Scaling(
        "ngc: 10 settling steps (batch 50, widths 64-n-n-n/2)",
        make_step=_settling_step,
        sizes=(64, 128, 256, 512, 1024),
        steps=20,
    ),
]
