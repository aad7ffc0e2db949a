"""Neural generative coding (NGC), chapter 4: Ororbia & Kifer (2022) on 8x8 digits.

Notation (row vectors, one sample per row; see the book's notation page):

* ``z[l]``: state of layer ``l`` (``z[0]`` clamped to the data ``x``), width ``J_l``
* ``zbar[l]``: top-down prediction of layer ``l``; ``e[l]``: error neurons of layer ``l``
* ``W[l]`` (``J_l x J_{l-1}``): generative synapses; ``E[l]`` (``J_{l-1} x J_l``): error synapses
* ``M[l]``: skip synapses from two layers up (PDH); ``V[l]``: lateral competition matrix
* ``beta`` state step size, ``gamma_v`` leak, ``lam`` Laplace prior, ``gamma_e`` error-synapse factor
* ``M_W``, ``M_E``: modulation matrices; ``K``: settling steps; ``Sigma[l]``: error covariance

Submodules: :mod:`pcbook.ngc.circuit` (generic circuit pieces and settling),
:mod:`pcbook.ngc.learning` (Hebbian updates, modulation, clipping),
:mod:`pcbook.ngc.model` (GNCN presets, the :class:`NGC` estimator, completion, sampling,
read-out), :mod:`pcbook.ngc.backprop` (the energy and the backprop limit) and
:mod:`pcbook.ngc.experiments` (``python -m pcbook reproduce ngc-digits``).
"""

from pcbook.ngc.circuit import *  # noqa: F401,F403
from pcbook.ngc.circuit import __all__ as _circuit_all
from pcbook.ngc.learning import *  # noqa: F401,F403
from pcbook.ngc.learning import __all__ as _learning_all
from pcbook.ngc.model import *  # noqa: F401,F403
from pcbook.ngc.model import __all__ as _model_all

__all__ = list(_circuit_all) + list(_learning_all) + list(_model_all)
from pcbook.ngc.backprop import *  # noqa: F401,F403,E402
from pcbook.ngc.backprop import __all__ as _backprop_all  # noqa: E402

__all__ += list(_backprop_all)
from pcbook.ngc.experiments import (
    ABLATIONS,
    MODELS,
    Trained,
    ablation,
    fit_models,
    run_digits,
)  # noqa: F401,E402

__all__ += [
    "MODELS",
    "ABLATIONS",
    "Trained",
    "fit_models",
    "run_digits",
    "ablation",
]
