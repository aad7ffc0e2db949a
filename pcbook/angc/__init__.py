"""Active neural generative coding (ANGC): agents that learn to act with NGC circuits (chapter 5).

Source: Ororbia & Mali (2022), "Backprop-free reinforcement learning with active neural
generative coding" (AAAI). The agent has two NGC circuits, each an x -> y circuit whose top
layer is clamped to an input and whose bottom layer is clamped to a target while it learns:

* the **world model** maps ``[o_t, one_hot(a_t)]`` to ``o_{t+1}``; its settled prediction
  errors are the *epistemic* (surprise) signal;
* the **controller** maps ``o_t`` to one value per action; it learns a Q-learning target built
  from the environment reward (instrumental) plus the normalised surprise (epistemic).

Notation (row-major, layers counted from the input, ``L`` weight layers):

* ``h[0] = x`` (clamped input), ``h[1..L-1]`` free hidden states, ``h[L] = y`` (clamped target);
* predictions ``mu[l] = phi(h[l-1]) @ W[l] + b[l]`` with ``phi = identity`` on the input and the
  circuit's activation on hidden layers (eq-angc-predict);
* error neurons ``e[l] = h[l] - mu[l]`` (eq-angc-error);
* settling ``h[l] += beta * (-leak * h[l] - e[l] + phi'(h[l]) * (e[l+1] @ W[l+1].T))``
  (eq-angc-settle), K steps from a feed-forward initialisation;
* local (two-factor Hebbian) updates ``dW[l] = phi(h[l-1]).T @ e[l] / B``, ``db[l] = mean e[l]``
  (eq-angc-hebb), handed to Adam as an ascent direction.

Every array may carry leading "agent" axes: ``W[l]`` of shape ``(A, n_in, n_out)`` and states of
shape ``(A, B, n)`` let one call train ``A`` independent agents (seeds, ablation arms) at once.
Each update uses only the activity on either side of a synapse; with the chapter's settling it is
close to a down-scaled backprop step (``backprop_alignment``), and with the Z-IL schedule it is
exactly backprop.
"""

from pcbook.angc.agent import (
    ENVS,
    ANGCParams,
    ANGCResult,
    controller_target,
    normalise_epistemic,
    rbf_encode,
    run_angc,
)
from pcbook.angc.baselines import (
    BOOK_PARAMS,
    PARAMS,
    SurpriseResult,
    coverage,
    random_policy,
    world_model_surprise,
)
from pcbook.angc.circuit import (
    SettleParams,
    Settled,
    backprop_alignment,
    forward,
    init_circuit,
    settle,
    surprise,
)

__all__ = [
    "ENVS",
    "SettleParams",
    "Settled",
    "init_circuit",
    "forward",
    "settle",
    "surprise",
    "backprop_alignment",
    "rbf_encode",
    "controller_target",
    "normalise_epistemic",
    "ANGCParams",
    "ANGCResult",
    "run_angc",
    "random_policy",
    "world_model_surprise",
    "SurpriseResult",
    "coverage",
    "BOOK_PARAMS",
    "PARAMS",
]
