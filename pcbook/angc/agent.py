"""The ANGC agent: world model + controller circuits, combined reward, replay, target controller.

See :mod:`pcbook.angc` for the notation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from pcbook.angc.circuit import (
    SettleParams,
    forward,
    init_circuit,
    settle,
    surprise,
)
from pcbook.maths import Adam
from pcbook.progress import progress
from pcbook.rng import as_rng
from pcbook.validate import (
    MAX_ELEMENTS,
    check_choice,
    check_cost,
    check_count,
    check_finite,
    check_finite_array,
    check_instance,
    check_int,
    check_positive,
    check_range,
    record,
)

__all__ = [
    "ENVS",
    "rbf_encode",
    "controller_target",
    "normalise_epistemic",
    "ANGCParams",
    "ANGCResult",
    "run_angc",
]

#: tasks the chapter uses: observation scale (for inputs in about [-1, 1]) and what counts as success
ENVS = {
    "MountainCar-v0": {
        "scale": None,
        "success": "terminated",
    },  # scale from observation_space
    "CartPole-v1": {
        "scale": (2.4, 3.0, 0.21, 3.0),
        "success": "truncated",
    },  # lasted 500 steps
}


def rbf_encode(x, n: int) -> np.ndarray:
    """Population code of observations scaled to [-1, 1]: Gaussian bumps on an ``n`` per axis grid.

    Implements {eq}`eq-angc-rbf`: ``r_k(x) = exp(-||x - c_k||^2 / (2 s^2))`` with grid spacing ``s``.
    ``x`` of shape (..., d) gives (..., n**d); ``n = 0`` returns ``x`` unchanged.
    """
    x = check_finite_array("x", x)
    if x.ndim == 0:
        raise ValueError(
            "x: expected an array of shape (..., d), got a scalar"
        )
    n = check_int("n", n, 0)
    if n == 0:
        return x
    if n == 1:
        raise ValueError(
            "n: need at least 2 centres per axis (or 0 for raw input)"
        )
    check_cost(
        "n", x.size // x.shape[-1] * float(n) ** x.shape[-1], MAX_ELEMENTS,
        "numbers in the code",
    )  # fmt: skip
    g = -1.0 + (2.0 / (n - 1)) * np.arange(n)
    s = 2.0 / (n - 1)
    per_axis = np.exp(
        -((x[..., :, None] - g) ** 2) / (2 * s * s)
    )  # (..., d, n)
    out = per_axis[..., 0, :]
    for k in range(1, x.shape[-1]):
        out = (out[..., :, None] * per_axis[..., k, None, :]).reshape(
            *x.shape[:-1], -1
        )
    return out


def _check_actions(action, batch: tuple, n_actions: int) -> np.ndarray:
    """Integer action indices in 0..n_actions-1, of shape ``batch``."""
    try:
        arr = np.asarray(action)
    except ValueError:  # a ragged nested sequence
        arr = np.asarray(None)
    if (
        arr.shape != batch
        or not np.issubdtype(arr.dtype, np.integer)
        or np.any((arr < 0) | (arr >= n_actions))
    ):
        raise ValueError(
            f"action: expected integers in 0..{n_actions - 1} of shape {batch} "
            f"(q without its last axis), got {arr.dtype} of shape {arr.shape}"
        )
    return arr


def _per_transition(name: str, value, batch: tuple):
    """A finite number, or finite numbers of shape ``batch`` (one per transition)."""
    value = check_finite(name, value)
    if np.ndim(value) and np.shape(value) != batch:
        raise ValueError(
            f"{name}: expected a number or shape {batch}, got {np.shape(value)}"
        )
    return value


def controller_target(
    q, q_next, action, reward, terminated, gamma: float = 0.99
) -> np.ndarray:
    """The controller's clamped target: Q-learning on the taken action, the prediction elsewhere.

    Implements {eq}`eq-angc-target`: ``y = q`` except ``y[a] = r + gamma * max q_next * (1 - done)``.

    Parameters
    ----------
    q : array (..., B, n_actions)
        Controller output for ``o_t``.
    q_next : array (..., B, n_actions)
        Target controller output for ``o_{t+1}``.
    action : int array (..., B)
    reward, terminated : arrays (..., B)
        Combined reward and 1 where the episode ended in a terminal state (not a time limit).
    gamma : float
        Discount in [0, 1].
    """
    gamma = check_range("gamma", gamma, 0.0, 1.0)
    q = check_finite_array("q", q)
    if q.ndim < 2:
        raise ValueError(
            f"q: expected shape (..., B, n_actions), got {q.shape}"
        )
    q_next = check_finite_array("q_next", q_next)
    if q_next.shape != q.shape:
        raise ValueError(
            f"q_next: expected the shape of q {q.shape}, got {q_next.shape}"
        )
    batch = q.shape[:-1]
    action = _check_actions(action, batch, q.shape[-1])
    reward = _per_transition("reward", reward, batch)
    terminated = _per_transition("terminated", terminated, batch)
    value = reward + gamma * q_next.max(axis=-1) * (1.0 - terminated)
    y = q.copy()
    np.put_along_axis(y, action[..., None], value[..., None], axis=-1)
    return y


def normalise_epistemic(r_ep, scale, decay: float = 1.0):
    """Divide the surprise by a running maximum (eq-angc-combined); returns ``(normalised, new_scale)``.

    Implements {eq}`eq-angc-scale`: ``scale <- max(decay * scale, max_batch r_ep)``.

    Parameters
    ----------
    r_ep : array (..., B)
        Surprise of each transition of a batch (>= 0).
    scale : array (...)
        The running scale before this batch (0 at the start).
    decay : float in [0, 1]
        1 keeps the largest surprise ever seen (the authors' release); below 1 the scale forgets
        old maxima, so the bonus does not vanish once the first, very surprising steps are past.

    Returns
    -------
    normalised : array (..., B), values in [0, 1]
    scale : array (...)
    """
    r_ep = check_finite_array("r_ep", r_ep)
    decay = check_range("decay", decay, 0.0, 1.0)
    if np.any(r_ep < 0):
        raise ValueError("r_ep: surprise must be >= 0")
    scale = check_finite("scale", scale)
    if np.any(np.asarray(scale) < 0):
        raise ValueError(f"scale: expected values >= 0, got {scale}")
    scale = np.maximum(decay * scale, r_ep.max(axis=-1))
    return r_ep / np.maximum(scale, 1e-12)[..., None], scale


# ----------------------------------------------------------------------------- the agent
#: largest reward weight (alpha_i, alpha_e) accepted: the book uses weights of order 1, and much
#: larger ones only overflow the Q values
MAX_WEIGHT = 1e6


@dataclass(frozen=True)
class ANGCParams:
    """Hyperparameters of the ANGC agent (one set shared by every agent of a batched run)."""

    hidden: tuple = (64, 64)  # hidden widths of both circuits
    rbf: int = 0  # > 0: encode observations by rbf**obs_dim Gaussian "place cells"; 0: raw input
    settle: SettleParams = field(
        default_factory=SettleParams
    )  # K, beta, leak, activation
    lr: float = 2e-3  # Adam step size (the release: 0.002)
    gamma: float = 0.99  # discount
    batch: int = 64  # transitions per update (newest ones included)
    update_every: int = 2  # environment steps per update of both circuits
    memory: int = 50_000  # replay capacity
    eps_start: float = 1.0  # epsilon-greedy: initial exploration rate
    eps_decay: float = 0.9998  # ... multiplied by this every step
    eps_min: float = 0.02  # ... down to this floor
    target_every: int = (
        500  # steps between hard copies of the target controller
    )
    alpha_i: float = 1.0  # weight of the instrumental (environment) reward
    reward_scale: float = 1.0  # the combined reward is multiplied by this (keeps Q values of order 1)
    scale_decay: float = (
        0.999  # forgetting of the running surprise maximum, per update
    )

    def __post_init__(self):
        check_instance(
            "hidden", self.hidden, (tuple, list), "a tuple of widths"
        )
        check_instance("settle", self.settle, SettleParams)
        for h in self.hidden:
            check_count("hidden", h, 1, 10**4)
        check_positive("lr", self.lr)
        check_range("gamma", self.gamma, 0.0, 1.0)
        check_int("memory", self.memory, 1)
        check_int("batch", self.batch, 1)
        if self.batch > self.memory:
            raise ValueError(
                f"batch: must be at most memory ({self.memory}), got "
                f"{self.batch}"
            )
        check_int("update_every", self.update_every, 1, self.batch)
        check_range("eps_start", self.eps_start, 0.0, 1.0)
        check_range("eps_decay", self.eps_decay, 0.0, 1.0)
        check_range("eps_min", self.eps_min, 0.0, 1.0)
        check_int("target_every", self.target_every, 1)
        check_int("rbf", self.rbf, 0)
        check_range("scale_decay", self.scale_decay, 0.0, 1.0)
        check_positive("reward_scale", self.reward_scale)
        check_range("alpha_i", self.alpha_i, 0.0, MAX_WEIGHT)


@record
@dataclass(frozen=True)
class ANGCResult:
    """What a batched run of ``A`` agents recorded (``T`` environment steps per agent)."""

    env: str
    alpha_e: np.ndarray  # (A,) epistemic weight of each agent (0: ablated)
    seeds: np.ndarray  # (A,)
    returns: np.ndarray  # (A, episodes) environment return per episode
    success: np.ndarray  # (A, episodes) bool
    obs: (
        np.ndarray
    )  # (A, T, obs_dim) raw observation at each step (before the action)
    episode: np.ndarray  # (A, T) episode index of each step
    surprise: (
        np.ndarray
    )  # (A, T) settled world-model error of each new transition
    epsilon: np.ndarray  # (T,) exploration rate

    @property
    def first_success(self) -> np.ndarray:
        """Episode index of each agent's first success (-1 if none)."""
        return np.where(
            self.success.any(axis=1), self.success.argmax(axis=1), -1
        )


def _make_env(env: str, rng):
    import gymnasium as gym

    check_choice("env", env, ENVS)
    e = gym.make(env, disable_env_checker=True)
    e.reset(seed=int(rng.integers(2**31)))
    scale = ENVS[env]["scale"]
    if scale is None:
        lo, hi = e.observation_space.low, e.observation_space.high
        return e, (hi + lo) / 2, (hi - lo) / 2
    return e, np.zeros(len(scale)), np.asarray(scale, float)


class _Memory:
    """Replay memory of A agents in lock-step (the same number of transitions each)."""

    def __init__(self, n_agents, capacity, obs_dim):
        self.capacity, self.n, self.head = capacity, 0, 0
        self.o = np.zeros((n_agents, capacity, obs_dim))
        self.o2 = np.zeros((n_agents, capacity, obs_dim))
        self.a = np.zeros((n_agents, capacity), dtype=np.int64)
        self.r = np.zeros((n_agents, capacity))
        self.term = np.zeros((n_agents, capacity))

    def add(self, o, a, r, o2, term):
        i = self.head
        (
            self.o[:, i],
            self.a[:, i],
            self.r[:, i],
            self.o2[:, i],
            self.term[:, i],
        ) = o, a, r, o2, term
        self.head, self.n = (
            (i + 1) % self.capacity,
            min(self.n + 1, self.capacity),
        )

    def sample(self, rngs, batch, newest):
        """Indices (A, batch): the ``newest`` transitions first, the rest uniform with replacement."""
        recent = (self.head - 1 - np.arange(newest)) % self.capacity
        rand = np.stack([r.integers(0, self.n, batch - newest) for r in rngs])
        return np.concatenate(
            [np.broadcast_to(recent, (len(rngs), newest)), rand], axis=1
        )


def _adam_step(opt, weights, settled):
    opt.step(
        [a for wb in weights for a in wb],
        [d for pair in zip(settled.dW, settled.db) for d in pair],
    )


class _Log:
    """Per-step and per-episode records of a batched run."""

    def __init__(self, n_agents, episodes):
        self.episodes = episodes
        self.ret = np.zeros(n_agents)
        self.returns = [[] for _ in range(n_agents)]
        self.success = [[] for _ in range(n_agents)]
        self.obs, self.ep, self.eps, self.s = [], [], [], []

    def reward(self, i, r):
        self.ret[i] += r

    def episode_end(self, i, ok):
        if len(self.returns[i]) < self.episodes:
            self.returns[i].append(self.ret[i])
            self.success[i].append(bool(ok))
        self.ret[i] = 0.0

    def step(self, obs, eps):
        self.obs.append(obs)
        self.ep.append([len(r) for r in self.returns])
        self.eps.append(eps)

    def surprise(self, s):
        self.s.extend(s[:, ::-1].T)

    def done(self):
        return min(len(r) for r in self.returns) >= self.episodes

    def result(self, env, alpha_e, seeds):
        T, A = len(self.obs), len(self.returns)
        s = np.full((T, A), np.nan)
        s[: len(self.s)] = self.s
        return ANGCResult(
            env=env,
            alpha_e=np.array(alpha_e, float),
            seeds=np.array(seeds),
            returns=np.array(self.returns),
            success=np.array(self.success),
            obs=np.stack(self.obs, axis=1),
            episode=np.array(self.ep).T,
            surprise=s.T,
            epsilon=np.array(self.eps),
        )


def _step_all(envs, a, log, success_kind):
    """Step every environment; returns (next obs before any reset, reward, terminated, next obs)."""
    nxt = np.empty((len(envs), envs[0].observation_space.shape[0]))
    reward, term, obs = (
        np.zeros(len(envs)),
        np.zeros(len(envs)),
        np.empty_like(nxt),
    )
    for i, e in enumerate(envs):
        o2, r, te, tr, _ = e.step(int(a[i]))
        nxt[i], reward[i], term[i], obs[i] = o2, r, te, o2
        log.reward(i, r)
        if te or tr:
            log.episode_end(
                i, te if success_kind == "terminated" else tr and not te
            )
            obs[i] = e.reset()[0]
    return nxt, reward, term, obs


class _Agents:
    """``A`` ANGC agents in lock-step: two circuits each, a target controller, replay, surprise scale."""

    def __init__(self, obs_dim, n_act, seeds, alpha_e, P: ANGCParams):
        self.P, self.A, self.n_act = P, len(seeds), n_act
        self.alpha_e = np.asarray(alpha_e, float)
        streams = [
            as_rng(int(s)).spawn(3) for s in seeds
        ]  # weights, environment, exploration
        self.env_rngs = [s[1] for s in streams]
        self.rngs = [s[2] for s in streams]
        n_in = P.rbf**obs_dim if P.rbf else obs_dim
        sizes = ((n_in + n_act, *P.hidden, obs_dim), (n_in, *P.hidden, n_act))
        per_agent = [
            [init_circuit(sz, 1, s[0]) for sz in sizes] for s in streams
        ]
        self.world, self.ctrl = (
            [
                tuple(
                    np.concatenate([c[k][l][j] for c in per_agent])
                    for j in (0, 1)
                )
                for l in range(len(P.hidden) + 1)
            ]
            for k in (0, 1)
        )
        self.target = [(W.copy(), b.copy()) for W, b in self.ctrl]
        self.opt_w, self.opt_c = Adam(lr=P.lr), Adam(lr=P.lr)
        self.mem = _Memory(self.A, P.memory, obs_dim)
        self.scale = np.zeros(
            self.A
        )  # running maximum of the surprise (eq-angc-combined)
        self.eye = np.eye(n_act)

    def act(self, x, eps):
        """Epsilon-greedy actions on the controller's feed-forward values, x of shape (A, obs_dim)."""
        greedy = forward(
            self.ctrl, rbf_encode(x[:, None, :], self.P.rbf), self.P.settle.act
        )[-1][:, 0].argmax(axis=1)
        return np.array(
            [
                g.integers(self.n_act) if g.random() < eps else q
                for g, q in zip(self.rngs, greedy)
            ]
        )

    def learn(self, newest):
        """One settle-and-update of both circuits on a replay batch; the newest transitions' surprise."""
        P, ar = self.P, np.arange(self.A)[:, None]
        idx = self.mem.sample(self.rngs, P.batch, newest)
        m = self.mem
        o, a, r, o2, term = (
            m.o[ar, idx],
            m.a[ar, idx],
            m.r[ar, idx],
            m.o2[ar, idx],
            m.term[ar, idx],
        )
        c, c2 = rbf_encode(o, P.rbf), rbf_encode(o2, P.rbf)
        # 1. world model: settled error = surprise, then its local update
        sw = settle(
            self.world, np.concatenate([c, self.eye[a]], axis=-1), o2, P.settle
        )
        r_ep = surprise(sw)
        _adam_step(self.opt_w, self.world, sw)
        # 2. combined reward and the controller's clamped target
        r_ep_n, self.scale = normalise_epistemic(
            r_ep, self.scale, P.scale_decay
        )
        reward = P.reward_scale * (
            P.alpha_i * r + self.alpha_e[:, None] * r_ep_n
        )
        q_next = forward(self.target, c2, P.settle.act)[-1]
        q = forward(self.ctrl, c, P.settle.act)[-1]
        sc = settle(
            self.ctrl,
            c,
            controller_target(q, q_next, a, reward, term, P.gamma),
            P.settle,
        )
        _adam_step(self.opt_c, self.ctrl, sc)
        return r_ep[:, :newest]

    def sync_target(self):
        for (Wt, bt), (W, b) in zip(self.target, self.ctrl):
            np.copyto(Wt, W)
            np.copyto(bt, b)


def run_angc(
    env: str = "MountainCar-v0",
    seeds=(0,),
    alpha_e=1.0,
    episodes: int = 200,
    params: ANGCParams = ANGCParams(),
) -> ANGCResult:
    """Train one ANGC agent per (seed, epistemic weight) pair, all in one vectorised loop.

    Implements {eq}`eq-angc-combined` and {eq}`eq-angc-target` with circuits that learn by
    {eq}`eq-angc-settle` and {eq}`eq-angc-hebb` (the ANGC loop of Ororbia & Mali 2022: replay,
    target controller, epsilon-greedy; the paper's algorithm numbering was not checked).

    Parameters
    ----------
    env : str
        A key of ``ENVS`` (a gymnasium id).
    seeds : int or sequence of int
        One agent per seed. A seed drives that agent's weights, environment and exploration
        (independent spawned streams), so an agent's history does not depend on the others.
    alpha_e : float or sequence of float
        Epistemic weight per agent, broadcast against ``seeds``; 0 switches surprise off.
    episodes : int
        Episodes per agent.
    params : ANGCParams

    Returns
    -------
    ANGCResult
    """
    check_count("episodes", episodes, 1, 10**4)
    check_instance("params", params, ANGCParams)
    seeds = np.atleast_1d(np.asarray(seeds))
    if (
        seeds.ndim != 1
        or not np.issubdtype(seeds.dtype, np.integer)
        or np.any(seeds < 0)
    ):
        raise ValueError(f"seeds: expected non-negative integers, got {seeds}")
    alpha_e = check_finite_array("alpha_e", alpha_e)
    if (
        alpha_e.ndim > 1
        or alpha_e.size not in (1, seeds.size)
        or np.any(alpha_e < 0)
        or np.any(alpha_e > MAX_WEIGHT)
    ):
        raise ValueError(
            f"alpha_e: expected weights in [0, {MAX_WEIGHT:g}], one per seed "
            f"or a single one, got {alpha_e}"
        )
    alpha_e = np.broadcast_to(alpha_e, seeds.shape)
    check_choice("env", env, ENVS)
    env_spec = ENVS[env]
    probe, centre, half = _make_env(env, as_rng(0))
    agents = _Agents(len(centre), probe.action_space.n, seeds, alpha_e, params)
    envs = [_make_env(env, g)[0] for g in agents.env_rngs]
    log = _Log(len(seeds), episodes)
    obs = np.stack([e.reset()[0] for e in envs])
    t, eps, u = 0, params.eps_start, params.update_every
    bar = progress(iter(int, 1), desc=f"ANGC on {env}")
    for _ in bar:
        if log.done():
            break
        x = (obs - centre) / half
        a = agents.act(x, eps)
        log.step(obs, eps)
        nxt, reward, term, obs = _step_all(envs, a, log, env_spec["success"])
        agents.mem.add(x, a, reward, (nxt - centre) / half, term)
        t += 1
        if t % u == 0:
            log.surprise(agents.learn(u))
        if t % params.target_every == 0:
            agents.sync_target()
        eps = max(params.eps_min, eps * params.eps_decay)
    return log.result(env, alpha_e, seeds)
