"""Baselines and measurements of chapter 5: random policy, world-model surprise, state coverage,
the chapter's parameters and the ``angc-mountaincar`` experiment.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pcbook.angc.agent import (
    ENVS,
    ANGCParams,
    _Log,
    _make_env,
    _Memory,
    _adam_step,
    _step_all,
    rbf_encode,
    run_angc,
)
from pcbook.angc.circuit import (
    SettleParams,
    forward,
    init_circuit,
    settle,
    surprise,
)
from pcbook.maths import Adam
from pcbook.progress import progress
from pcbook.reproduce import experiment
from pcbook.rng import as_rng
from pcbook.validate import (
    check_choice,
    check_count,
    check_finite_array,
    check_instance,
    check_int,
    record,
)

__all__ = [
    "random_policy",
    "SurpriseResult",
    "world_model_surprise",
    "coverage",
    "BOOK_PARAMS",
    "PARAMS",
]


def random_policy(env: str = "MountainCar-v0", episodes: int = 50, rng=None):
    """Returns and successes of uniformly random actions: the baseline a learner must beat.

    Returns
    -------
    returns : array (episodes,)
    success : bool array (episodes,)
    """
    check_count("episodes", episodes, 1, 10**4)
    rng = as_rng(rng)
    episodes = check_int("episodes", episodes, 1)
    e, _, _ = _make_env(env, rng)
    log = _Log(1, episodes)
    e.reset()
    while not log.done():
        _step_all(
            [e], [rng.integers(e.action_space.n)], log, ENVS[env]["success"]
        )
    return np.array(log.returns[0]), np.array(log.success[0])


@record
@dataclass(frozen=True)
class SurpriseResult:
    """World-model surprise, step by step, while the model learns from random play."""

    surprise: (
        np.ndarray
    )  # (steps,) settled summed squared error of each new transition
    error_norm: np.ndarray  # (steps,) feed-forward output error norm ||o' - mu|| (the release's signal)
    obs: np.ndarray  # (steps, obs_dim) raw observations


def world_model_surprise(
    env: str = "MountainCar-v0",
    steps: int = 2000,
    params: ANGCParams = ANGCParams(),
    rng=None,
) -> SurpriseResult:
    """Train only the world model online on random play and record its surprise at every step.

    Each step settles the world model on a batch made of the newest transition and replayed
    ones, records the newest transition's surprise ({eq}`eq-angc-epistemic`) before the update,
    and applies the local update ({eq}`eq-angc-hebb`).
    """
    check_count("steps", steps, 1)
    check_instance("params", params, ANGCParams)
    rng = as_rng(rng)
    steps = check_int("steps", steps, 1)
    if not isinstance(params, ANGCParams):
        raise TypeError("params: expected an ANGCParams")
    e, centre, half = _make_env(env, rng)
    n_act, d = e.action_space.n, len(centre)
    world = init_circuit(
        ((params.rbf**d if params.rbf else d) + n_act, *params.hidden, d),
        1,
        rng,
    )
    opt, mem, eye = (
        Adam(lr=params.lr),
        _Memory(1, max(params.memory, steps), d),
        np.eye(n_act),
    )
    s, norm, obs_log = np.zeros(steps), np.zeros(steps), np.zeros((steps, d))
    o = e.reset()[0]
    for t in progress(range(steps), desc="world model"):
        a = int(rng.integers(n_act))
        o2, _, te, tr, _ = e.step(a)
        mem.add((o - centre) / half, a, 0.0, (o2 - centre) / half, te)
        obs_log[t] = o
        o = e.reset()[0] if te or tr else o2
        idx = mem.sample([rng], params.batch, 1)
        x = np.concatenate(
            [rbf_encode(mem.o[0, idx[0]], params.rbf), eye[mem.a[0, idx[0]]]],
            axis=-1,
        )[None]
        st = settle(world, x, mem.o2[0, idx[0]][None], params.settle)
        s[t] = surprise(st)[0, 0]
        norm[t] = np.linalg.norm(
            mem.o2[0, idx[0, 0]]
            - forward(world, x[:, :1], params.settle.act)[-1][0, 0]
        )
        _adam_step(opt, world, st)
    return SurpriseResult(surprise=s, error_norm=norm, obs=obs_log)


def coverage(obs, low, high, bins: int = 20) -> float:
    """Fraction of the cells of a ``bins x bins`` grid over the box [low, high] that ``obs`` visits.

    ``obs`` has shape (T, 2) (position, velocity for Mountain Car); a simple measure of how
    much of the state space an exploring agent has seen.
    """
    obs = check_finite_array("obs", obs, ndim=2)
    bins = check_int("bins", bins, 1)
    if obs.shape[1] != 2:
        raise ValueError(f"obs: expected shape (T, 2), got {obs.shape}")
    low = check_finite_array("low", low, shape=(2,))
    high = check_finite_array("high", high, shape=(2,))
    if np.any(high <= low):
        raise ValueError(f"high: must exceed low ({low}), got {high}")
    cells = np.clip(
        ((obs - low) / (high - low) * bins).astype(int), 0, bins - 1
    )
    return len(set(map(tuple, cells))) / bins**2


#: the agent of the chapter: small circuits on a place-cell code, settled K = 5 steps of size 0.2
BOOK_PARAMS = ANGCParams(
    hidden=(32,),
    rbf=10,
    settle=SettleParams(K=5, beta=0.2),
    batch=64,
    update_every=4,
    eps_decay=0.9998,
    target_every=200,
    reward_scale=0.1,
)
#: per task (CartPole's 4-d observations go in raw: a 10**4 place-cell grid would be too large)
PARAMS = {
    "MountainCar-v0": BOOK_PARAMS,
    "CartPole-v1": ANGCParams(
        hidden=(64,),
        rbf=0,
        settle=SettleParams(K=5, beta=0.2),
        batch=64,
        lr=1e-3,
        update_every=4,
        eps_decay=0.9995,
        target_every=200,
        reward_scale=0.1,
    ),
}


@experiment(
    "angc-mountaincar",
    params={"episodes": 200, "epistemic": True, "env": "MountainCar-v0"},
    description="ANGC agent (NGC world model + NGC controller) on a gymnasium task",
    seed=0,
    limits={"episodes": 5_000},
)
def _angc_mountaincar(seed, episodes, epistemic, env):
    check_choice("env", env, ENVS)
    res = run_angc(
        env,
        seeds=[seed],
        alpha_e=1.0 if epistemic else 0.0,
        episodes=episodes,
        params=PARAMS[env],
    )
    succ = res.success[0]
    _, rand_succ = random_policy(env, 50, rng=as_rng(seed).spawn(1)[0])
    wm = world_model_surprise(env, 2000, PARAMS[env], rng=seed)
    metrics = {
        "first_success_episode": int(res.first_success[0]),
        "success_rate_last50": float(succ[-50:].mean()),
        "random_policy_successes": int(rand_succ.sum()),
        "surprise_ratio": float(
            wm.surprise[1000:2000].mean() / wm.surprise[:200].mean()
        ),
    }
    if env != "MountainCar-v0":
        return metrics, {
            "first_success_episode": "no target (second task; success = 500 steps)",
            "success_rate_last50": "no target",
            "random_policy_successes": "no target",
            "surprise_ratio": "< 0.2 (same test as for Mountain Car)",
        }
    reference = {
        "first_success_episode": "<= 150 (target); 39 and 57 in the authors' two stored 700-episode runs",
        "success_rate_last50": ">= 0.5 (target, for the last 50 of 200 episodes)",
        "random_policy_successes": "0 (target; 0 of 2100 in the authors' stored random runs)",
        "surprise_ratio": "< 0.2 (target; about 0.05 for the error norm in the spec's calibration)",
    }
    return metrics, reference
