"""Plain reference for chapter 7: Annabi's training loop one rollout at a time, as the seed runs it.

Every rollout runs the ESN on its own, moves the arm step by step, renders the drawing, lets the
map classify it and update all its prototypes, and scores it; the controller moves at the end of
the epoch. ``render="matplotlib"`` draws through a matplotlib figure per rollout exactly like the
seed notebook (a new Axes each time, then ``clf``), which is where its hour goes;
``render="numpy"`` uses pcbook's rasteriser, so that tests can check that the batched
``pcbook.som.MotorSOM.fit`` gives the same numbers as this loop.

It consumes the random streams exactly like ``MotorSOM.fit`` (four spawned children: reservoir,
map, goals, search directions).
"""

from __future__ import annotations

import numpy as np

from pcbook import som
from pcbook.envs import drawing


class SeedCanvas:
    """The seed's sensor: a 1x1 inch figure at 64 dpi, a new full-figure Axes per render, then clf."""

    def __init__(self):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        self.fig = Figure(figsize=(1, 1), dpi=64, frameon=False)
        FigureCanvasAgg(self.fig)

    def __call__(self, path):
        from matplotlib.axes import Axes

        ax = Axes(self.fig, [0.0, 0.0, 1.0, 1.0])
        ax.set_axis_off()
        ax.set_xlim(-60, 60)
        ax.set_ylim(-60, 60)
        self.fig.add_axes(ax)
        ax.plot(path[:, 0], path[:, 1], color="black")
        self.fig.canvas.draw()
        alpha = np.asarray(self.fig.canvas.buffer_rgba())[:, :, 3] / 255
        self.fig.clf()
        return 1 - alpha


def train_reference(
    params: som.SOMParams = som.SOMParams(),
    rng=0,
    epochs: int | None = None,
    render: str = "matplotlib",
):
    """Run the first ``epochs`` epochs (default all) of the schedule for ``params.epochs``.

    Returns a dict with ``W``, ``C`` and per-rollout ``inaccuracy``, ``complexity``, ``winner``.
    """
    p = params
    rng = (
        np.random.default_rng(rng)
        if not isinstance(rng, np.random.Generator)
        else rng
    )
    rng_res, rng_map, rng_goal, rng_search = rng.spawn(4)
    res = som.make_reservoir(p, rng_res)
    n, units, K = p.n_prototypes, p.n_units, p.n_directions
    W = 1 - 0.1 * rng_map.random((n, p.arm.size**2))
    C = np.zeros((n, units))
    goals = rng_goal.integers(n, size=p.epochs)
    canvas = (
        SeedCanvas()
        if render == "matplotlib"
        else (lambda path: drawing.rasterise(path, p.arm))
    )
    ring = np.array([min(j, n - j) for j in range(n)])
    log_z = np.log(np.sum(np.exp(-p.beta * ring)))
    E = p.epochs
    epochs = E if epochs is None else epochs
    out = {"inaccuracy": [], "complexity": [], "winner": []}
    for e in range(epochs):
        sigma = (
            1
            - (np.tanh(p.search_sharpness * (e - p.search_mid * E) / E) + 1)
            / 2
        )
        if e < p.freeze * E:
            width, lr = (
                (100.0, 1.0)
                if e == 0
                else (p.width0 * np.exp(-p.width_decay * e / E), p.lr)
            )
            alpha = p.alpha_explore / sigma
        else:
            width, lr, alpha = 1.0, 0.0, p.alpha_refine / sigma
        g = goals[e]
        goal_image = W[g].copy()
        deltas = rng_search.standard_normal((K, units)) * sigma
        fe = []
        for k in range(K):
            for a in (-1.0, 1.0):
                # motor commands, one rollout at a time
                h = C[g] + a * deltas[k]
                omega = np.empty((p.n_steps, 2))
                for t in range(p.n_steps):
                    h = (1 - 1 / res.tau) * h + (1 / res.tau) * (
                        res.W_r @ np.tanh(h) + res.b_r
                    )
                    omega[t] = res.W_o @ np.tanh(h) + res.b_o
                # the arm, step by step
                theta = np.array(p.arm.theta0, dtype=float)
                path = [[0.0, 0.0]]
                for t in range(p.n_steps):
                    theta = theta + p.arm.angle_scale * omega[t]
                    x = (
                        p.arm.link
                        * (np.cos(theta[0]) + np.cos(theta[0] + theta[1]))
                        - p.arm.link * np.sqrt(2) / 2
                    )
                    y = (
                        p.arm.link
                        * (np.sin(theta[0]) + np.sin(theta[0] + theta[1]))
                        - p.arm.link * np.sqrt(2) / 2
                    )
                    path.append([x, y])
                s = canvas(np.array(path)).ravel()
                # the map: classify, then update every prototype
                win = int(np.argmin(((W - s) ** 2).sum(axis=1)))
                d = np.abs(np.arange(n) - win)
                d = np.minimum(d, n - d)
                W += lr * np.exp(-(d**2) / width**2)[:, None] * (s - W)
                # free energy
                f = goal_image * 0.999 + 0.0005
                inacc = -np.sum(s * np.log(f) + (1 - s) * np.log(1 - f))
                comp = p.beta * min(abs(win - g), n - abs(win - g)) + log_z
                fe.append(inacc + comp)
                out["inaccuracy"].append(inacc)
                out["complexity"].append(comp)
                out["winner"].append(win)
        fe = np.array(fe)
        C[g] += alpha * sum(
            (fe[2 * k] - fe[2 * k + 1]) * deltas[k] for k in range(K)
        )
    shape = (epochs, 2 * K)
    return {
        "W": W,
        "C": C,
        **{k: np.array(v).reshape(shape) for k, v in out.items()},
    }
