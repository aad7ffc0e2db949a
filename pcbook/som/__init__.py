"""Chapter 7: a self-organising map and active inference learn a repertoire of drawing movements.

After Annabi, Pitti & Quoy (2020) and Annabi's notebook "Motor sequence learning with SOMs and
AIF". Notation:

* ``h`` (U,): state of the echo-state network (ESN, U = 100 tanh units, leak ``tau``); the
  network is fixed, only its initial state ``h0`` is learned, one per goal;
* ``omega`` (T, 2): the ESN output, the arm's angular velocities (see :mod:`pcbook.envs.drawing`);
* ``s`` (D,): the 64x64 image of the finished drawing, flattened (1 blank, 0 ink);
* ``W`` (n, D): the n prototypes of the ring Kohonen map; ``win`` the winner, ``d_ring`` the
  distance around the ring;
* ``C`` (n, U): the controller, row k is the initial ESN state for goal k;
* free energy F = inaccuracy + complexity ({eq}`eq-som-free-energy`).

Submodules: :mod:`pcbook.som.params` (:class:`SOMParams`), :mod:`pcbook.som.reservoir` (the ESN),
:mod:`pcbook.som.free_energy` (inaccuracy, complexity, neighbourhood, schedules),
:mod:`pcbook.som.ink_map` (the fast training kernel), :mod:`pcbook.som.topography`
(how well the ring is ordered) and :mod:`pcbook.som.model`
(:class:`MotorSOM` and what it learned; ``python -m pcbook reproduce som-motor``).
"""

from pcbook.som.free_energy import (
    complexity,
    inaccuracy,
    neighbourhood,
    ring_distance,
    schedules,
    squash,
)
from pcbook.som.model import History, MotorSOM, Movement, Repertoire
from pcbook.som.params import SOMParams
from pcbook.som.reservoir import (
    Reservoir,
    esn_rollout,
    make_reservoir,
    perturbation_growth,
)
from pcbook.som.topography import ring_topography

__all__ = [
    "SOMParams",
    "Reservoir",
    "make_reservoir",
    "esn_rollout",
    "ring_distance",
    "neighbourhood",
    "inaccuracy",
    "complexity",
    "schedules",
    "MotorSOM",
    "History",
    "Repertoire",
    "Movement",
    "squash",
    "perturbation_growth",
    "ring_topography",
]
