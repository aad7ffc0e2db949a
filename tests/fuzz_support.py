"""Machinery of the fuzz suite (tests/test_fuzz_*.py): the public API, valid examples, bad values.

The public API is read from the ``__all__`` of every module of the pcbook package, so a new public
function, class or dataclass is fuzzed as soon as it is exported. Each parameter is given bad values
one at a time, the other parameters keeping a valid example:

- **refused** values (NaN, inf, text, None, a list, complex, a bool for a number, a legacy
  ``RandomState`` for ``rng``, a complex or NaN array ...) must raise a ValueError or TypeError
  whose message names the parameter;
- **extreme** values (+-1e308, -1, 0, 10**9 for a count, an empty or wrong-shape array) may be
  valid: they must either raise such an error or return a finite result (or one that says it
  diverged), within the time limit and the memory cap.

A valid example comes from, in order: ``CALLS`` (per callable), the parameter's annotation
(``ANNOTATED``: a ``GaussianModel``, ``Weights`` ...), its name (``NAMED``), its default.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import importlib
import inspect
import math
import numbers
import pkgutil
import re
import resource
import signal
import tempfile
import warnings
from collections import Counter

import numpy as np

import pcbook

TIME_LIMIT = 5.0  # seconds of CPU per call: longer is a hang
MEMORY_MARGIN = 2 * 1024**3  # bytes of address space a call may add
PRIVATE_MODULES = ("pcbook.__main__", "pcbook.classroom.__main__")


# ---------------------------------------------------------------- the API
def public_modules() -> list:
    """Every importable module of pcbook (packages included), private ones excluded."""
    names = ["pcbook"] + [
        info.name
        for info in pkgutil.walk_packages(pcbook.__path__, prefix="pcbook.")
    ]
    return [
        importlib.import_module(n)
        for n in names
        if n not in PRIVATE_MODULES
        and not any(p.startswith("_") for p in n.split(".")[1:])
    ]


def public_callables() -> dict:
    """``{"module.name": object}`` for each callable a module exports and defines."""
    found = {}
    for module in public_modules():
        for name in exported(module):
            obj = getattr(module, name)
            if callable(obj) and obj.__module__ == module.__name__:
                found[f"{module.__name__}.{name}"] = obj
    return found


def exported(module) -> list:
    """``module.__all__``; without one (a failure of its own test), every name not starting with _."""
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [n for n in vars(module) if not n.startswith("_")]


def parameters(func) -> list:
    """The named parameters of ``func`` (no ``*args``/``**kwargs``)."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return []
    return [
        p
        for p in sig.parameters.values()
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


# ---------------------------------------------------------------- examples
RNG = object()  # marker: a fresh seeded Generator


@functools.cache
def instance(kind: str):
    """A small valid instance of the pcbook type called ``kind`` (computed once)."""
    from pcbook import (
        attractor,
        efe,
        error_units,
        gaussian_model,
        posterior,
        reproduce,
        variance,
    )
    from pcbook import angc, data, ngc, som, bayes
    from pcbook.envs import drawing
    from pcbook.som import ink_map

    rng = np.random.default_rng(0)
    make = {
        "GaussianModel": lambda: gaussian_model.make_model(),
        "PosteriorResult": lambda: posterior.posterior_on_grid(
            v=posterior.make_grid(0.01, 5.0, 0.05)
        ),
        "GridPosterior": lambda: bayes.grid_posterior(
            v=np.linspace(-3, 3, 61)
        ),
        "GaussianPosterior": lambda: bayes.closed_form_posterior(
            1.0, 0.0, 1.0, 1.0
        ),
        "Trajectory": lambda: error_units.simulate_network(t_max=0.5),
        "Hierarchy": lambda: variance.make_hierarchy(rng=0),
        "LearningHistory": lambda: variance.learn_parameters(
            n_items=30, rng=0
        ),
        "InterneuronResult": lambda: variance.simulate_interneuron_learning(
            n_trials=5, n_seeds=2, t_trial=1.0, rng=0
        ),
        "FitHistory": lambda: variance.fit_hierarchy(
            example_u_hier(), instance("Hierarchy"), n_epochs=2, n_steps=5
        ),
        "NGCParams": lambda: ngc.gncn_t1(sizes=(64, 8, 4), K=5),
        "Weights": lambda: ngc.init_weights(instance("NGCParams"), rng=0),
        "SettleState": lambda: ngc.settle(
            digits_x(), instance("Weights"), instance("NGCParams")
        ),
        "NGC": lambda: ngc.NGC(instance("NGCParams"), rng=0).fit(
            digits_x(), epochs=1
        ),
        "BinaryDigits": lambda: ngc.load_binary_digits(rng=0),
        "Digits": lambda: data.load_digits(),
        "SettleView": lambda: ngc.settle_view(instance("NGC"), digits_x()),
        "CompletionResult": lambda: ngc.complete(
            instance("NGC"), digits_x(), rng=0
        ),
        "Trained": lambda: ngc.Trained(
            instance("BinaryDigits"),
            {"t1": instance("NGC")},
            [np.random.default_rng(0)],
        ),
        "SettleParams": lambda: angc.SettleParams(K=3),
        "ANGCParams": lambda: angc.ANGCParams(
            hidden=(8,), settle=instance("SettleParams"), batch=8, memory=200
        ),
        "Settled": lambda: angc.settle(
            angc_weights(),
            np.ones((1, 4, 2)),
            np.ones((1, 4, 3)),
            instance("SettleParams"),
        ),
        "ANGCResult": lambda: angc.run_angc(
            episodes=1, params=instance("ANGCParams")
        ),
        "SurpriseResult": lambda: angc.world_model_surprise(
            steps=20, params=instance("ANGCParams"), rng=0
        ),
        "SequenceParams": lambda: attractor.SequenceParams(
            steps=60, free_steps=20
        ),
        "OrthoParams": lambda: attractor.OrthoParams(epochs=3),
        "RegimeParams": lambda: attractor.RegimeParams(
            epochs=3, eval_steps=10, trials=3
        ),
        "SequenceResult": lambda: attractor.simulate_sequence(
            instance("SequenceParams"), rng=0
        ),
        "TrainResult": lambda: instance("SequenceResult").train,
        "Replay": lambda: instance("SequenceResult").replay,
        "OrthoResult": lambda: attractor.simulate_orthogonalisation(
            instance("OrthoParams"), rng=0
        ),
        "RegimeResult": lambda: attractor.simulate_regime(
            5.0, 0.1, instance("RegimeParams"), rng=0
        ),
        "TMaze": lambda: efe.TMaze(),
        "Plan": lambda: efe.plan(),
        "EFE": lambda: efe.plan().efe,
        "ArmParams": lambda: drawing.ArmParams(),
        "DrawingArm": lambda: drawing.DrawingArm(n_steps=10),
        "SOMParams": lambda: som.SOMParams(
            n_prototypes=6, n_units=20, n_steps=20, epochs=30
        ),
        "MotorSOM": lambda: som.MotorSOM(
            instance("SOMParams"), n_snapshots=2
        ).fit(rng=0),
        "History": lambda: instance("MotorSOM").history_,
        "Repertoire": lambda: instance("MotorSOM").evaluate(),
        "Movement": lambda: instance("MotorSOM").movement(0),
        "Reservoir": lambda: som.make_reservoir(instance("SOMParams"), rng=0),
        "InkMap": lambda: ink_map.InkMap(np.full((6, 64 * 64), 0.5)),
        "Experiment": lambda: reproduce.get("bogacz-ex1"),
        **_classroom_records(),
    }
    del rng
    return make[kind]()


@functools.cache
def monitored():
    """A monitored training run of chapter 6 (it records predictions)."""
    return pcbook.attractor.simulate_sequence(
        instance("SequenceParams"), monitor=True, rng=0
    ).train


def digits_x() -> np.ndarray:
    return instance("BinaryDigits").X_train[:10]


def angc_batch() -> dict:
    """A small active-NGC circuit and batch: the arguments of settle and its checks."""
    return dict(
        weights=angc_weights(),
        x=np.ones((1, 4, 2)),
        y=np.ones((1, 4, 3)),
        params=instance("SettleParams"),
    )


def angc_weights():
    from pcbook import angc

    return angc.init_circuit((2, 5, 3), rng=0)


def example_u_hier():
    from pcbook import variance

    return variance.sample_hierarchy(instance("Hierarchy"), 8, rng=0)[0]


def _fig_axes(n=1):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, n, squeeze=False)
    return list(axes[0]) if n > 1 else axes[0][0]


def _named():
    """Examples by parameter name (used when no per-callable example exists)."""
    v = np.linspace(0.1, 0.9, 5)
    return {
        "rng": RNG,
        "phi": 1.0,
        "u": 2.0,
        "v_p": 3.0,
        "mu_p": 0.0,
        "sigma_p": 1.0,
        "sigma_u": 1.0,
        "x": v,
        "b": 0.5,
        "y": 0.5,
        "p": v,
        "mean": 0.0,
        "var": 1.0,
        "v": np.linspace(-3, 3, 61),
        "q_mean": 1.5,
        "q_var": 0.1,
        "dv": 0.1,
        "eigenvalues": np.array([-1.0 + 0.5j, -1.0 - 0.5j]),
        "target": 2.0,
        "tol": 0.1,
        "func": None,  # the answer checks' student function: per callable
        "n": 10,
        "winner": 2,
        "goal": 1,
        "width": 2.0,
        "ax": None,
        "axes": None,
        "name": "sigmoid",
        "fill": 0.5,
    }


def model_examples():
    """Examples by annotation: a parameter annotated ``X`` gets ``instance("X")``."""
    return (
        "GaussianModel", "PosteriorResult", "Trajectory", "Hierarchy",
        "NGCParams", "Weights", "SettleState", "NGC", "BinaryDigits",
        "SettleParams", "ANGCParams", "Settled", "SequenceParams",
        "OrthoParams", "RegimeParams", "TrainResult", "SequenceResult",
        "TMaze", "ArmParams", "SOMParams", "Reservoir", "InkMap",
        "Experiment", "EFE",
    )  # fmt: skip


def _calls():
    """Per-callable examples: ``{"module.name": lambda: {param: value}}``."""
    from pcbook import attractor, variance, ngc, som

    def seq():
        return instance("SequenceResult")

    def J():
        return seq().train.J

    pats = lambda: attractor.digit_patterns()  # noqa: E731
    sigma = lambda: pats()[0]  # noqa: E731
    nx = digits_x
    w, prm = (lambda: instance("Weights")), (lambda: instance("NGCParams"))
    state = lambda: instance("SettleState")  # noqa: E731
    hier = lambda: instance("Hierarchy")  # noqa: E731
    phis = lambda: variance.relax(example_u_hier(), hier(), n_steps=3)  # noqa: E731
    som_ = lambda: instance("MotorSOM")  # noqa: E731
    return (
        {
            # Part I
            "pcbook.bayes.grid_moments": lambda: dict(
                v=np.linspace(-3, 3, 61),
                density=np.exp(-0.5 * np.linspace(-3, 3, 61) ** 2),
            ),
            "pcbook.posterior.total_variation": lambda: dict(
                p=np.ones(5) / 5, q=np.ones(5) / 5, dv=1.0
            ),
            "pcbook.posterior.kl_to_grid_posterior": lambda: dict(
                q_mean=1.5, q_var=0.1, result=instance("PosteriorResult")
            ),
            "pcbook.error_units.network_derivatives": lambda: dict(
                phi=1.0, eps_p=0.1, eps_u=0.1, model=instance("GaussianModel")
            ),
            "pcbook.error_units.jacobian": lambda: dict(
                model=instance("GaussianModel"), state=(1.0, 0.1, 0.1)
            ),
            "pcbook.error_units.first_time_within": lambda: dict(
                traj=instance("Trajectory"), target=1.0, tol=2.0
            ),
            "pcbook.variance.interneuron_trial": lambda: dict(
                phi=5.0, g_above=5.0, sigma=1.0, n_steps=50
            ),
            "pcbook.variance.hier_errors": lambda: dict(
                phis=phis(), hier=hier()
            ),
            "pcbook.variance.hier_free_energy": lambda: dict(
                phis=phis(), hier=hier()
            ),
            "pcbook.variance.hier_phi_gradient": lambda: dict(
                phis=phis(), hier=hier()
            ),
            "pcbook.variance.hier_param_gradients": lambda: dict(
                phis=phis(), hier=hier()
            ),
            "pcbook.variance.relax": lambda: dict(
                u=example_u_hier(), hier=hier(), n_steps=5
            ),
            "pcbook.variance.sample_hierarchy": lambda: dict(hier=hier(), n=4),
            "pcbook.variance.fit_hierarchy": lambda: dict(
                u=example_u_hier(), hier=hier(), n_epochs=2, n_steps=5
            ),
            "pcbook.variance.align_signed_permutation": lambda: dict(
                learned=np.eye(3)[[1, 0, 2]], reference=np.eye(3)
            ),
            "pcbook.variance.learn_parameters": lambda: dict(n_items=30),
            "pcbook.variance.simulate_interneuron_learning": lambda: dict(
                n_trials=5, n_seeds=2, t_trial=1.0
            ),
            "pcbook.variance.mean_field_sigma": lambda: dict(n_trials=20),
            "pcbook.error_units.simulate_network": lambda: dict(t_max=0.5),
            "pcbook.error_units.simulate_gradient_ascent": lambda: dict(
                t_max=0.5
            ),
            "pcbook.error_units.compare_dynamics": lambda: dict(t_max=0.5),
            "pcbook.efe.expected_free_energy": lambda: dict(
                q_s=np.array([0.5, 0.5]),
                A_s=np.array([[0.9, 0.1], [0.1, 0.9]]),
                log_p_o=np.log([0.5, 0.5]),
            ),
            "pcbook.efe.first_moves": lambda: dict(
                cue_reliability=np.array([0.9]), preference=np.array([3.0])
            ),
            "pcbook.continuous_bernoulli.kl": lambda: dict(b_q=0.5, b=1.0),
            "pcbook.ngc.experiments.Trained": lambda: dict(
                data=instance("BinaryDigits"),
                models={"t1": instance("NGC")},
                rngs=[np.random.default_rng(0)],
            ),
            "pcbook.ngc.learning.synapse_alignment": lambda: dict(
                weights=ngc.init_weights(
                    ngc.gncn_pdh(sizes=(64, 8, 8, 8)), rng=0
                )
            ),
            "pcbook.som.ink_map.InkMap": lambda: dict(
                W=np.full((6, 64 * 64), 0.5)
            ),
            # chapter 4
            "pcbook.ngc.circuit.lateral_matrix": lambda: dict(J=8, n_group=4),
            "pcbook.ngc.circuit.predictions": lambda: dict(
                z=state().z, weights=w(), params=prm()
            ),
            "pcbook.ngc.circuit.error_neurons": lambda: dict(
                z=state().z, zbar=state().zbar, weights=w(), params=prm()
            ),
            "pcbook.ngc.circuit.total_discrepancy": lambda: dict(e=state().e),
            "pcbook.ngc.circuit.state_update": lambda: dict(
                z=state().z, e=state().e, weights=w(), params=prm(), beta=0.1
            ),
            "pcbook.ngc.circuit.settle_step": lambda: dict(
                z=state().z, e=state().e, weights=w(), params=prm(), beta=0.1
            ),
            "pcbook.ngc.circuit.initial_state": lambda: dict(
                x=nx(), weights=w(), params=prm()
            ),
            "pcbook.ngc.circuit.settle": lambda: dict(
                x=nx(), weights=w(), params=prm()
            ),
            "pcbook.ngc.backprop.energy": lambda: dict(
                z=state().z, weights=w(), params=prm()
            ),
            "pcbook.ngc.backprop.drift_asymmetry": lambda: dict(
                x=nx()[:1],
                weights=w(),
                params=prm(),
                z=[z[:1] for z in state().z],
            ),
            "pcbook.ngc.backprop.scheduled_updates": lambda: dict(
                x_top=np.ones((10, 4)), y=nx(), weights=w(), params=prm()
            ),
            "pcbook.ngc.backprop.backprop_updates": lambda: dict(
                x_top=np.ones((10, 4)), y=nx(), weights=w(), params=prm()
            ),
            "pcbook.ngc.learning.modulation_matrix": lambda: dict(W=w().W[1]),
            "pcbook.ngc.learning.clip_columns": lambda: dict(A=w().W[1]),
            "pcbook.ngc.learning.hebbian_updates": lambda: dict(
                state=state(), weights=w(), params=prm()
            ),
            "pcbook.ngc.learning.apply_updates": lambda: dict(
                weights=ngc.init_weights(prm(), rng=0),
                deltas=ngc.hebbian_updates(state(), w(), prm()),
                optimizer=__import__("pcbook.maths").maths.Adam(),
                params=prm(),
            ),
            "pcbook.ngc.experiments.fit_models": lambda: dict(epochs=0, K=3),
            "pcbook.ngc.experiments.run_digits": lambda: dict(epochs=0, K=3),
            "pcbook.ngc.experiments.ablation": lambda: dict(
                data=instance("BinaryDigits"),
                names=("GNCN-t1",),
                seeds=(0,),
                epochs=0,
            ),
            "pcbook.ngc.model.fit_stack": lambda: dict(
                params=prm(), X=nx(), seeds=(0,), epochs=1
            ),
            "pcbook.ngc.model.mean_bce": lambda: dict(
                x=nx(), p=nx() * 0.5 + 0.2
            ),
            "pcbook.ngc.model.bernoulli_baseline": lambda: dict(
                X_train=nx(), X_test=nx()
            ),
            "pcbook.ngc.model.settle_view": lambda: dict(
                model=instance("NGC"), X=nx()
            ),
            "pcbook.ngc.model.random_mask": lambda: dict(
                shape=(4, 64), fraction=0.5
            ),
            "pcbook.ngc.model.complete": lambda: dict(
                model=instance("NGC"), X=nx()
            ),
            "pcbook.ngc.model.generate": lambda: dict(
                weights=w(), params=prm(), z_top=np.ones((2, 4))
            ),
            "pcbook.ngc.model.sample_gmm": lambda: dict(
                model=instance("NGC"),
                X_train=nx(),
                n_samples=2,
                n_components=2,
            ),
            "pcbook.ngc.model.gmm_log_likelihood": lambda: dict(
                model=instance("NGC"),
                gmm=ngc.sample_gmm(
                    instance("NGC"), nx(), n_samples=2, n_components=2, rng=0
                )[1],
                X=nx(),
                n_samples=20,
            ),
            "pcbook.ngc.model.latent_accuracy": lambda: dict(
                model=instance("NGC"), data=instance("BinaryDigits")
            ),
            "pcbook.ngc.model.pca_accuracy": lambda: dict(
                data=instance("BinaryDigits"), n_components=4
            ),
            "pcbook.ngc.model.NGC": lambda: dict(params=prm()),
            # chapter 5
            "pcbook.angc.agent.rbf_encode": lambda: dict(
                x=np.array([[0.1, 0.2]]), n=3
            ),
            "pcbook.angc.agent.controller_target": lambda: dict(
                q=np.ones((1, 4, 3)),
                q_next=np.ones((1, 4, 3)),
                action=np.zeros((1, 4), int),
                reward=np.ones((1, 4)),
                terminated=np.zeros((1, 4), bool),
            ),  # fmt: skip
            "pcbook.angc.agent.normalise_epistemic": lambda: dict(
                r_ep=np.array([1.0, 2.0]), scale=1.0
            ),
            "pcbook.angc.agent.run_angc": lambda: dict(
                episodes=1, params=instance("ANGCParams")
            ),
            "pcbook.angc.baselines.random_policy": lambda: dict(episodes=1),
            "pcbook.angc.baselines.world_model_surprise": lambda: dict(
                steps=20, params=instance("ANGCParams")
            ),
            "pcbook.angc.baselines.coverage": lambda: dict(
                obs=np.array([[0.0, 0.0], [0.5, 0.5]]),
                low=np.array([-1.0, -1.0]),
                high=np.array([1.0, 1.0]),
            ),
            "pcbook.angc.circuit.init_circuit": lambda: dict(sizes=(2, 5, 3)),
            "pcbook.angc.circuit.forward": lambda: dict(
                weights=angc_weights(), x=np.ones((1, 4, 2))
            ),
            "pcbook.angc.circuit.settle": angc_batch,
            "pcbook.angc.circuit.backprop_alignment": angc_batch,
            # chapter 6
            "pcbook.attractor.update": lambda: dict(
                J=J(), b=sigma(), sigma=sigma()
            ),
            "pcbook.attractor.learning_rule": lambda: dict(
                J=J(), sigma_prev=sigma(), sigma_new=pats()[1], eta=0.001
            ),
            "pcbook.attractor.step_loop": lambda: dict(
                J=J().copy(), b=pats()[1], sigma=sigma()
            ),
            "pcbook.attractor.train": lambda: dict(
                patterns=pats(), sequence=np.array([0, 1, 2] * 5)
            ),
            "pcbook.attractor.antisymmetric_from_predictions": lambda: dict(
                train=monitored(), eta=0.001
            ),
            "pcbook.attractor.prediction_overlap": lambda: dict(
                train=monitored(), last=20
            ),
            "pcbook.attractor.free_energy": lambda: dict(
                J=J(), b=sigma(), sigma=sigma()
            ),
            "pcbook.attractor.relax": lambda: dict(J=J(), sigma0=sigma()),
            "pcbook.attractor.attractors": lambda: dict(J=J(), starts=pats()),
            "pcbook.attractor.n_distinct": lambda: dict(states=pats()),
            "pcbook.attractor.decompose": lambda: dict(J=J()),
            "pcbook.attractor.asymmetry": lambda: dict(J=J()),
            "pcbook.attractor.forward_terms": lambda: dict(
                J_anti=seq().J_anti, X=pats()
            ),
            "pcbook.attractor.free_run": lambda: dict(
                J=J(), sigma0=sigma(), steps=20
            ),
            "pcbook.attractor.replay": lambda: dict(
                states=seq().free_states, patterns=pats(), skip=2
            ),
            "pcbook.attractor.orthogonality": lambda: dict(vectors=pats()),
            "pcbook.attractor.simulate_regime": lambda: dict(
                evidence=5.0, beta=0.1, params=instance("RegimeParams")
            ),
            "pcbook.attractor.simulate_regimes": lambda: dict(
                evidence=np.array([5.0]),
                beta=np.array([0.1]),
                params=instance("RegimeParams"),
            ),  # fmt: skip
            "pcbook.attractor.regime_grid": lambda: dict(
                evidence=(5.0,), betas=(0.1,), params=instance("RegimeParams")
            ),
            "pcbook.attractor.simulate_sequence": lambda: dict(
                params=instance("SequenceParams")
            ),
            "pcbook.attractor.simulate_orthogonalisation": lambda: dict(
                params=instance("OrthoParams")
            ),
            # chapter 7
            "pcbook.som.free_energy.ring_distance": lambda: dict(
                i=np.array([1, 5]), j=np.array([4, 0]), n=6
            ),
            "pcbook.som.free_energy.neighbourhood": lambda: dict(
                winner=2, width=2.0, n=6
            ),
            "pcbook.som.free_energy.squash": lambda: dict(
                prototype=np.linspace(-1, 1, 10)
            ),
            "pcbook.som.free_energy.inaccuracy": lambda: dict(
                s=np.full(64 * 64, 0.5), prototype=np.full((6, 64 * 64), 0.3)
            ),
            "pcbook.som.free_energy.complexity": lambda: dict(
                winner=np.array([2, 5]), goal=np.array([1, 1]), n=6
            ),
            "pcbook.som.ink_map.score_epoch": lambda: dict(
                the_map=som.ink_map.InkMap(np.full((6, 64 * 64), 0.5)),
                s=np.full((2, 64 * 64), 0.5),
                goal=1,
                eta0=np.full(6, 0.1),
                shift=(np.arange(6)[None, :] - np.arange(6)[:, None]) % 6,
            ),  # fmt: skip
            "pcbook.som.ink_map.distinct_goal_runs": lambda: dict(
                goals=np.array([0, 0, 1, 1, 2])
            ),
            "pcbook.som.reservoir.esn_rollout": lambda: dict(
                reservoir=instance("Reservoir"),
                h0=np.zeros((2, 20)),
                n_steps=5,
            ),
            "pcbook.som.reservoir.perturbation_growth": lambda: dict(
                reservoir=instance("Reservoir"),
                h0=np.zeros((2, 20)),
                n_steps=5,
            ),
            "pcbook.som.topography.ring_topography": lambda: dict(
                prototypes=som_().W_
            ),
            "pcbook.som.model.MotorSOM": lambda: dict(
                params=instance("SOMParams"), n_snapshots=2
            ),
            "pcbook.envs.drawing.joint_angles": lambda: dict(
                omega=np.zeros((10, 2))
            ),
            "pcbook.envs.drawing.pen_position": lambda: dict(
                theta=np.zeros((10, 2))
            ),
            "pcbook.envs.drawing.arm_trajectory": lambda: dict(
                omega=np.zeros((10, 2))
            ),
            "pcbook.envs.drawing.rasterise": lambda: dict(
                points=np.array([[0.0, 0.0], [10.0, 5.0]])
            ),
            "pcbook.envs.drawing.DrawingArm": lambda: dict(n_steps=10),
            # shared
            "pcbook.rng.spawn": lambda: dict(rng=RNG, n=3),
            "pcbook.maths.activation": lambda: dict(name="tanh"),
            "pcbook.maths.log_clip": lambda: dict(p=np.array([0.2, 0.5])),
            "pcbook.maths.bce": lambda: dict(
                x=np.array([0.0, 1.0]), p=np.array([0.2, 0.5])
            ),
            "pcbook.reproduce.experiment": lambda: dict(name="fuzz-example"),
            "pcbook.reproduce.get": lambda: dict(name="bogacz-ex1"),
            "pcbook.reproduce.run": lambda: dict(name="bogacz-ex1"),
            "pcbook.reproduce.parse_params": lambda: dict(
                exp=instance("Experiment"), overrides={"u": 2.5}
            ),
            "pcbook.reproduce.format_table": lambda: dict(
                report=pcbook.reproduce.run("bogacz-ex1")
            ),
            "pcbook.validate.check_real": lambda: dict(name="x", value=1.0),
            "pcbook.validate.check_positive": lambda: dict(
                name="x", value=1.0
            ),
            "pcbook.validate.check_range": lambda: dict(
                name="x", value=1.0, low=0.0, high=2.0
            ),
            "pcbook.validate.check_int": lambda: dict(name="n", value=3),
            "pcbook.validate.check_finite_array": lambda: dict(
                name="x", value=np.ones(3)
            ),
            "pcbook.validate.check_choice": lambda: dict(
                name="x", value="a", choices=("a", "b")
            ),
            "pcbook.validate.check_instance": lambda: dict(
                name="x", value=1.0, expected=float
            ),
            "pcbook.validate.check_scale": lambda: dict(
                name="n", value=3, limit=10
            ),
            "pcbook.validate.check_count": lambda: dict(name="n", value=3),
            "pcbook.validate.record": lambda: dict(
                cls=dataclasses.make_dataclass("Fit", [("mean", float)])
            ),
            "pcbook.validate.check_bool": lambda: dict(
                name="flag", value=True
            ),
            "pcbook.validate.check_finite": lambda: dict(name="x", value=1.0),
            "pcbook.validate.check_cost": lambda: dict(
                name="n", estimate=3.0, limit=10.0, what="steps"
            ),
        }
        | _plot_calls()
        | _other_calls()
    )


def _plot_calls():
    from pcbook import attractor, ngc, som

    res = lambda k: lambda: dict(result=instance(k))  # noqa: E731
    return {
        "pcbook.plots.bogacz.plot_posterior": res("PosteriorResult"),
        "pcbook.plots.bogacz.plot_posterior_line": lambda: dict(
            result=pcbook.posterior.posterior_on_line()
        ),
        "pcbook.plots.bogacz.plot_free_energy_bound": lambda: dict(
            bound=pcbook.posterior.free_energy_bound()
        ),
        "pcbook.plots.bogacz.plot_laplace": res("PosteriorResult"),
        "pcbook.plots.bogacz.plot_ascent": lambda: dict(
            traj=pcbook.error_units.simulate_gradient_ascent(t_max=0.5)
        ),
        "pcbook.plots.bogacz.plot_network": lambda: dict(
            traj=instance("Trajectory")
        ),
        "pcbook.plots.bogacz.plot_dynamics": lambda: dict(
            result=pcbook.error_units.compare_dynamics(t_max=0.5)
        ),
        "pcbook.plots.bogacz.plot_eigenvalues": lambda: dict(
            eigenvalues=np.array([-1.0 + 0.5j, -1.0 - 0.5j])
        ),
        "pcbook.plots.bogacz.plot_parameter_learning": lambda: dict(
            history=instance("LearningHistory")
        ),
        "pcbook.plots.bogacz.plot_interneuron": res("InterneuronResult"),
        "pcbook.plots.bogacz.plot_fit": lambda: dict(
            history=instance("FitHistory")
        ),
        "pcbook.plots.efe.plot_plan": res("Plan"),
        "pcbook.plots.angc.plot_surprise": lambda: dict(
            result=instance("SurpriseResult"),
            width=5,
            windows=((0, 10), (10, 20)),
        ),  # fmt: skip
        "pcbook.plots.angc.plot_returns": lambda: dict(
            result=instance("ANGCResult"), width=1
        ),
        "pcbook.plots.angc.plot_paths": res("ANGCResult"),
        "pcbook.plots.angc.plot_ablation": res("ANGCResult"),
        "pcbook.plots.angc.running_mean": lambda: dict(
            x=np.arange(10.0), width=3
        ),
        "pcbook.plots.ngc.plot_discrepancy": lambda: dict(
            traces={"t1": np.linspace(5, 1, 10)}
        ),
        "pcbook.plots.ngc.plot_image_rows": lambda: dict(
            rows={"data": digits_x()}, n=3
        ),
        "pcbook.plots.ngc.plot_reconstructions": lambda: dict(
            x=digits_x(), reconstructions={"t1": digits_x()}, n=3
        ),
        "pcbook.plots.ngc.plot_learning_curves": lambda: dict(
            histories={"t1": {"epoch": [0, 1], "test_bce": [40.0, 30.0]}}
        ),
        "pcbook.plots.ngc.plot_completion": lambda: dict(
            result=instance("CompletionResult"), n=3
        ),
        "pcbook.plots.ngc.plot_samples": lambda: dict(
            samples=digits_x(), ncols=5
        ),
        "pcbook.plots.ngc.plot_accuracies": lambda: dict(
            accuracies={"t1": 0.8, "pca": 0.7}
        ),
        "pcbook.plots.ngc.plot_settling_frame": lambda: dict(
            view=instance("SettleView"), axes=_fig_axes(3)
        ),
        "pcbook.plots.ngc.plot_completion_frame": lambda: dict(
            result=instance("CompletionResult"), axes=_fig_axes(3)
        ),
        "pcbook.plots.som.overlay": lambda: dict(
            prototype=np.full(64 * 64, 0.5), image=np.full(64 * 64, 0.5)
        ),
        "pcbook.plots.som.repertoire_mosaic": lambda: dict(
            prototypes=np.full((4, 64 * 64), 0.5),
            images=np.full((4, 64 * 64), 0.5),
            ncols=2,
        ),
        "pcbook.plots.som.plot_schedules": lambda: dict(
            sched=som.schedules(instance("SOMParams"))
        ),
        "pcbook.plots.som.plot_learning_curves": lambda: dict(
            history=instance("History"), bin_epochs=5
        ),
        "pcbook.plots.som.plot_repertoire": lambda: dict(
            repertoire=instance("Repertoire"), ncols=3
        ),
        "pcbook.plots.som.plot_ring": lambda: dict(
            prototypes=instance("MotorSOM").W_
        ),
        "pcbook.plots.som.plot_snapshot": lambda: dict(
            repertoire=instance("Repertoire"), every=2, ncols=3
        ),
        "pcbook.plots.som.plot_movement": lambda: dict(
            movement=instance("Movement")
        ),
        "pcbook.plotting.plot_density": lambda: dict(
            x=np.linspace(0, 1, 5), densities={"p": np.ones(5)}
        ),
        "pcbook.plotting.plot_trajectories": lambda: dict(
            t=np.linspace(0, 1, 5), series={"phi": np.ones(5)}
        ),
        "pcbook.plotting.show_images": lambda: dict(
            images=digits_x()[:3].reshape(3, 8, 8), ncols=3
        ),
        "pcbook.plots.som.plot_reservoir_spread": lambda: dict(
            table={"seed": np.arange(3)}
            | {k: np.ones(3) for k in pcbook.plots.som.SPREAD_METRICS}
        ),
        "pcbook.plots.bayes.plot_grid_posterior": res("GridPosterior"),
        "pcbook.plots.attractor.plot_cb_densities": lambda: dict(
            bs=np.array([-1.0, 1.0])
        ),
        "pcbook.plots.attractor.plot_langevin": lambda: dict(
            bs=np.array([-1.0, 1.0])
        ),
        "pcbook.plots.attractor.plot_image": lambda: dict(
            vector=pcbook.attractor.digit_patterns()[0]
        ),
        "pcbook.plots.attractor.plot_images": lambda: dict(
            vectors=pcbook.attractor.digit_patterns(), axes=_fig_axes(3)
        ),
        "pcbook.plots.attractor.plot_couplings": lambda: dict(
            result=instance("SequenceResult"), axes=_fig_axes(3)
        ),
        "pcbook.plots.attractor.plot_label_trace": lambda: dict(
            replays={"forward": instance("Replay")}
        ),
        "pcbook.plots.attractor.plot_training_monitor": lambda: dict(
            train=monitored(), window=5
        ),
        "pcbook.plots.attractor.plot_window": lambda: dict(
            result=instance("SequenceResult"), axes=_fig_axes(2)
        ),
        "pcbook.plots.attractor.plot_frames": lambda: dict(
            states=pcbook.attractor.digit_patterns(), ncols=3
        ),
        "pcbook.plots.attractor.plot_regimes": lambda: dict(
            result=instance("RegimeResult"), axes=_fig_axes(4)
        ),
        "pcbook.plotting.annotate_failure": lambda: dict(
            ax=_fig_axes(), message="diverged"
        ),
        "pcbook.plots.robustness.plot_headlines": lambda: dict(
            data=pcbook.robustness.load(), label="som"
        ),
    }


def _other_calls():
    """Modules owned by other engineers: checks, widgets, classroom, sweep, progress."""
    import tempfile
    from pathlib import Path

    return {
        "pcbook.widgets.Slider": lambda: dict(
            low=0.0, high=1.0, step=0.5, label="a"
        ),
        "pcbook.widgets.Choice": lambda: dict(options=("a", "b"), label="a"),
        "pcbook.widgets.slider_figure": lambda: dict(
            compute=lambda a: a,
            plot=lambda r, ax: ax.plot([r]),
            sliders={"a": pcbook.widgets.Slider(0.0, 1.0, 0.5)},
        ),  # fmt: skip
        "pcbook.widgets.SliderFigure": lambda: dict(
            compute=lambda a: a,
            plot=lambda r, ax: ax.plot([r]),
            sliders={"a": pcbook.widgets.Slider(0.0, 1.0, 0.5)},
        ),  # fmt: skip
        # colors=None (no palette) is valid: with the default 128 as the example, None would
        # be fuzzed as a refused value (its colour counts are tested in tests/test_widgets.py)
        "pcbook.widgets.render_png": lambda: dict(
            draw=lambda ax: ax.plot([0, 1]), figsize=(1, 1), dpi=20,
            colors=None,
        ),  # fmt: skip
        "pcbook.widgets.render_pngs": lambda: dict(
            draws=[lambda ax: ax.plot([0, 1])], figsize=(1, 1), dpi=20,
            colors=None,
        ),  # fmt: skip
        "pcbook.progress.progress": lambda: dict(iterable=range(3), desc="a"),
        "pcbook.sweep.run": lambda: dict(
            name="bogacz-ex1", seeds="0:2", serial=True, cache=None
        ),
        "pcbook.sweep.parse_seeds": lambda: dict(seeds="0:3"),
        "pcbook.sweep.parse_grid": lambda: dict(
            exp=instance("Experiment"), grid=["u=1,2"]
        ),
        "pcbook.sweep.summary": lambda: dict(table=_sweep_table()),
        "pcbook.sweep.records": lambda: dict(table=_sweep_table()),
        "pcbook.sweep.local_cluster": lambda: dict(workers=1),
        "pcbook.robustness.Headline": lambda: _fields(
            pcbook.robustness.HEADLINES[0]
        ),
        "pcbook.robustness.tidy": lambda: dict(
            table=_sweep_table(), experiment="bogacz-ex1"
        ),
        "pcbook.robustness.collect": lambda: dict(
            sweeps={"bogacz-ex1": _sweep_csv()}, out="tidy.csv"
        ),  # out: never the default, book/data/robustness.csv
        "pcbook.robustness.summarise": lambda: dict(data=_tidy_table()),
        "pcbook.robustness.headline_values": lambda: dict(
            data=_tidy_table(), headline=pcbook.robustness.HEADLINES[0]
        ),
        "pcbook.robustness.chapter_rows": lambda: dict(
            data=_tidy_table(), label="som"
        ),
        "pcbook.robustness.placing": lambda: dict(
            data=_tidy_table(), label="som"
        ),
        "pcbook.robustness.markdown_table": lambda: dict(
            summary=pcbook.robustness.summarise(_tidy_table())
        ),
        "pcbook.check.angc.state_coverage": lambda: dict(
            run_coverages=lambda explore: [0.0] * len(explore.obs),
            explore=instance("ANGCResult"),
        ),
        **_classroom_calls(),
        "pcbook.source.Source": lambda: dict(code="x = 1\n"),
        "pcbook.source.show_source": lambda: dict(
            obj="pcbook.source.find_object"
        ),
        "pcbook.classroom.markdown.plain_markdown": lambda: dict(
            source="**a**"
        ),
        "pcbook.classroom.student.stub_source": lambda: dict(
            code="def f():\n    return 1\n", number="1.1", title="t"
        ),
        "pcbook.classroom.student.student_notebook": lambda: dict(
            path=Path(pcbook.__file__).parents[1]
            / "book"
            / "bayes_in_pictures.ipynb"
        ),
        "pcbook.classroom.student.write_students": lambda: dict(
            out=Path(tempfile.mkdtemp(prefix="pcbook-fuzz-"))
        ),
        "pcbook.classroom.exercises.find_exercises": lambda: dict(
            path=Path(pcbook.__file__).parents[1]
            / "book"
            / "bayes_in_pictures.ipynb"
        ),
    }


def _classroom_records() -> dict:
    """The classroom kit's records, for :func:`instance`: a chapter 0 exercise, its plan, a
    gradebook row, a code cell."""
    from pathlib import Path

    from pcbook.classroom import cells, exercises, grade

    book = Path(pcbook.__file__).parents[1] / "book"
    return {
        "Cell": lambda: cells.code_cells(classroom_notebook())[0],
        "Exercise": lambda: exercises.find_exercises(
            book / "bayes_in_pictures.ipynb"
        )[0],
        "ExercisePlan": lambda: grade.ExercisePlan(
            instance("Exercise"), "grid_posterior_density", (("f", True),)
        ),
        "ChapterPlan": lambda: grade.ChapterPlan(
            0, "t", book / "bayes_in_pictures.ipynb",
            (instance("ExercisePlan"),),
        ),  # fmt: skip
        "Row": lambda: grade.Row("a.ipynb", "0", "0.1", "t", "correct", "ok"),
    }


def classroom_notebook():
    """A one-cell notebook of chapter 1, for the classroom kit's examples."""
    import nbformat

    return nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("x = 1")],
        metadata={"pcbook": {"chapter": 1}},
    )


def chapter_plan():
    """A chapter plan without exercises: grading it starts no sandbox."""
    from pathlib import Path

    from pcbook.classroom import grade

    return grade.ChapterPlan(1, "t", Path("chapter.ipynb"))


def _classroom_calls():
    """The classroom kit: :func:`classroom_notebook`, :func:`chapter_plan`, no submissions."""
    import tempfile
    from pathlib import Path

    from pcbook.classroom import cells, sandbox

    nb, plan = classroom_notebook, chapter_plan
    return {
        "pcbook.classroom.cells.code_cells": lambda: dict(nb=nb()),
        "pcbook.classroom.cells.needed_cells": lambda: dict(
            cells=cells.code_cells(nb()), names=["x"]
        ),
        "pcbook.classroom.cells.defining_cells": lambda: dict(
            cells=cells.code_cells(nb()), names=["x"]
        ),
        "pcbook.classroom.grade.detect_chapter": lambda: dict(
            nb=nb(), plans={1: plan()}
        ),
        "pcbook.classroom.grade.grade_notebook": lambda: dict(
            name="a.ipynb", nb=nb(), plan=plan(), limits=sandbox.Limits(),
            context="the chapter's context failed",
        ),  # fmt: skip
        "pcbook.classroom.grade.grade": lambda: dict(
            paths=[], out=Path(tempfile.mkdtemp(prefix="pcbook-fuzz-")),
            limits=sandbox.Limits(), show_progress=False,
        ),  # fmt: skip
        "pcbook.classroom.markdown.notebook_references": lambda: dict(
            nb=nb()
        ),
        "pcbook.classroom.markdown.section_targets": lambda: dict(
            text="(a)=\n# A\n"
        ),
        "pcbook.classroom.markdown.pyobject_source": lambda: dict(
            path=Path(pcbook.source.__file__), name="find_object"
        ),
        "pcbook.classroom.sandbox.Sandbox": lambda: dict(
            limits=sandbox.Limits()
        ),
        "pcbook.classroom.student.zip_entries": lambda: dict(notebooks=[]),
    }


@functools.cache
def _sweep_table():
    return pcbook.sweep.run("bogacz-ex1", seeds="0:2", serial=True, cache=None)


@functools.cache
def _sweep_csv() -> str:
    """The small sweep table as a CSV file (the input of robustness.collect)."""
    path = tempfile.mkdtemp(prefix="pcbook-fuzz-") + "/bogacz-ex1.csv"
    _sweep_table().to_csv(path, index=False)
    return path


def _tidy_table():
    """The tidy table of the small sweep (robustness.load's format)."""
    return pcbook.robustness.tidy(_sweep_table(), "bogacz-ex1")


def _fields(record) -> dict:
    """A dataclass instance's fields, as keyword arguments of its class."""
    return {f.name: getattr(record, f.name) for f in dataclasses.fields(record)}


SKIP_CALLABLES = {
    **{
        f"pcbook.classroom.sandbox.{name}": "any value is data: what is not "
        "plain data gets Refused (encode) or a ValueError (decode); tested "
        "in tests/test_grade.py"
        for name in ("encode", "decode")
    },
    "pcbook.sweep.local_cluster": "starts Dask worker processes (seconds "
    "each); tested in tests/test_sweep.py",
}

#: output records: dataclasses the library fills from validated inputs (results, histories,
#: trajectories); their constructors are not fuzzed (issue 16 leaves them open: see its note)
RECORDS = {
    f"pcbook.{name}"
    for name in (
        "angc.agent.ANGCResult", "angc.baselines.SurpriseResult",
        "angc.circuit.Settled", "attractor.TrainResult", "attractor.Replay",
        "attractor.SequenceResult", "attractor.OrthoResult",
        "attractor.RegimeResult", "bayes.GaussianPosterior", "efe.EFE",
        "efe.Plan", "error_units.Trajectory", "ngc.circuit.SettleState",
        "ngc.experiments.Trained", "ngc.model.BinaryDigits",
        "ngc.model.SettleView", "ngc.model.CompletionResult",
        "posterior.PosteriorResult", "som.model.History",
        "som.model.Repertoire", "som.model.Movement", "data.Digits",
        "variance.LearningHistory", "variance.InterneuronResult",
        "variance.FitHistory", "reproduce.Experiment",
        "classroom.cells.Cell", "classroom.exercises.Exercise",
        "classroom.grade.Row", "classroom.grade.ExercisePlan",
        "classroom.grade.ChapterPlan",
    )
}  # fmt: skip

#: callables whose documented answer for some valid input is NaN
NAN_DOCUMENTED = {
    "pcbook.error_units.first_time_within": "NaN when phi never stays "
    "within tol of target (documented)",
}

#: (callable, parameter, label) of a value the suite refuses by default that is valid there
VALID_REFUSED = {
    ("pcbook.sweep.run", "cache", "'abc'"): "a directory name: any text is "
    "a path (the fuzzed call runs in a scratch directory)",
    ("pcbook.plots.angc.running_mean", "x", "NaN array"): "NaN marks a "
    "missing value, which the mean skips (documented; inf is refused)",
}


def _student(*args, **kwargs):
    """A student's answer for the answer checks: wrong, but a function."""
    return 0.0


#: answer checks that take more than one answer (each gets a verdict, not an error)
MORE_ANSWERS = {"pcbook.check.ngc.ngc_settle_energy": ("largest_beta",)}


def student_parameter(qualname: str, func) -> str | None:
    """The answer checks' first parameter is the student's answer: it gets a verdict, not an
    error (tests/test_check_*.py), so it is not fuzzed here (nor are the further answers of
    ``MORE_ANSWERS``)."""
    params = parameters(func)
    if qualname.startswith("pcbook.check.") and params:
        return params[0].name
    return None


def example_arguments(qualname: str, func) -> dict:
    """Valid keyword arguments for ``func``: per callable, by annotation, by name, by default."""
    calls = _calls()
    given = calls[qualname]() if qualname in calls else {}
    student = student_parameter(qualname, func)
    if student:
        given = {student: 1.0 if student == "answer" else _student} | given
        if qualname.startswith("pcbook.check.ngc."):
            given = {"model": instance("NGC"), "X": digits_x()} | given
    if inspect.isclass(func) and dataclasses.is_dataclass(func):
        kind = func.__name__
        with contextlib.suppress(KeyError):
            inst = instance(kind)
            given = {
                f.name: getattr(inst, f.name)
                for f in dataclasses.fields(func)
                if f.init
            } | given
    named = _named()
    args = {}
    for p in parameters(func):
        if p.name in given:
            args[p.name] = given[p.name]
            continue
        ann = str(p.annotation).replace("gm.", "").split(" |")[0]
        if ann in model_examples():
            args[p.name] = instance(ann)
        elif p.default is not p.empty:
            args[p.name] = p.default
        elif p.name in named:
            args[p.name] = named[p.name]
        else:
            raise LookupError(
                f"{qualname}: no valid example for parameter {p.name!r}: "
                "add one to CALLS in tests/fuzz_support.py"
            )
    return {k: fresh(v) for k, v in args.items()}


def fresh(value):
    """A new Generator for each call (``RNG``), the value itself otherwise."""
    return np.random.default_rng(0) if value is RNG else value


# ---------------------------------------------------------------- bad values
FREE_TEXT = {"label", "caption", "alt", "title", "desc", "xlabel", "ylabel",
             "message", "name", "code", "number", "source", "description",
             "env", "what", "unit", "cmap"}  # fmt: skip


def kind_of(param, example) -> str:
    """What sort of value ``example`` is: real, int, bool, str, array, rng, seq, ..."""
    ann = str(param.annotation)
    if param.name in ("rng",) or isinstance(example, np.random.Generator):
        return "rng"
    if isinstance(example, bool):
        return "bool"
    if isinstance(example, numbers.Integral):
        return "float" if "float" in ann else "int"
    if isinstance(example, numbers.Real):
        return "float"
    if isinstance(example, str):
        return "text" if param.name in FREE_TEXT else "str"
    if isinstance(example, np.ndarray):
        return "array"
    if isinstance(example, (tuple, list)) and all(
        isinstance(e, numbers.Real) and not isinstance(e, bool)
        for e in example
    ):
        return "seq"
    if example is None:
        return "optional"
    if callable(example) and not inspect.isclass(type(example)):
        return "callable"
    if isinstance(example, dict):
        return "dict"
    if callable(example) and not hasattr(example, "__dataclass_fields__"):
        return "callable"
    return "object"


def _array_variants(example: np.ndarray):
    real = example.dtype.kind in "biuf"
    refused = {
        "text": "abc",
        "None": None,
        "ragged": [[1.0], [1.0, 2.0]],
        "text array": np.full(example.shape or (1,), "abc"),
    }
    if real and example.size:
        nan = example.astype(float).copy()
        nan.flat[0] = np.nan
        refused["NaN array"] = nan
        refused["complex array"] = example.astype(complex) + 1j
    extreme = {
        "empty array": np.empty((0,) + example.shape[1:]),
        "wrong-shape array": np.ones(example.shape + (2,)),
    }
    if real and example.size:
        big = example.astype(float).copy()
        big.flat[0] = 1e308
        extreme["1e308 in array"] = big
    return refused, extreme


def bad_values(kind: str, param, example):
    """``(refused, extreme)``: dicts ``{label: value}`` of bad values for one parameter."""
    from numpy.random import RandomState

    int_annotated = "int" in str(param.annotation) and "float" not in str(
        param.annotation
    )
    if kind == "float":
        return (
            {"NaN": math.nan, "inf": math.inf, "-inf": -math.inf,
             "'abc'": "abc", "None": None, "complex": 1 + 2j, "bool": True},
            {"1e308": 1e308, "-1e308": -1e308, "-1": -1.0, "0": 0.0,
             "list": [1.0, 2.0]},
        )  # fmt: skip
    if kind == "int":
        refused = {"NaN": math.nan, "'abc'": "abc", "None": None,
                   "list": [1, 2], "complex": 1j, "bool": True}  # fmt: skip
        extreme = {"10**9": 10**9, "-1": -1, "0": 0}
        (refused if int_annotated else extreme)["2.5"] = 2.5
        return refused, extreme
    if kind == "bool":
        return {"'abc'": "abc", "None": None, "NaN": math.nan}, {}
    if kind == "str":
        return {"None": None, "1.5": 1.5}, {"'zz-not-valid'": "zz-not-valid"}
    if kind == "text":
        return {"1.5": 1.5}, {}
    if kind == "array":
        return _array_variants(example)
    if kind == "rng":
        return (
            {"RandomState": RandomState(0), "'abc'": "abc", "2.5": 2.5,
             "-1": -1},
            {},
        )  # fmt: skip
    if kind == "seq":
        return (
            {"'abc'": "abc", "None": None, "(NaN,)": (math.nan,),
             "(inf,)": (math.inf,)},
            {"()": (), "(-1,)": (-1,), "(10**9,)": (10**9,)},
        )  # fmt: skip
    if kind == "optional":
        return {"'abc'": "abc"}, {}
    if kind == "callable":
        return {"None": None, "'abc'": "abc"}, {}
    if kind == "dict":
        return {"'abc'": "abc", "1.5": 1.5}, {}
    return {"None": None, "'abc'": "abc", "1.5": 1.5}, {}


# ------------------------------------------------------------ the command line
#: per experiment, settings that make a run cheap; each parameter is then fuzzed alone
CHEAP = {
    "angc-mountaincar": {"episodes": "1"},
    "attractor-sim1": {"epochs": "3"},
    "attractor-sim2": {"epochs": "3"},
    "attractor-sim3": {"steps": "60"},
    "bogacz-ex5": {"trials": "10", "n_seeds": "2"},
    "ngc-digits": {"epochs": "0", "K": "5"},
    "som-motor": {"epochs": "30", "n_prototypes": "6"},
}
CLI_BAD = ("nan", "-1", "abc", "1e308", "1000000000")


def cli_cases() -> list:
    """``(argv, option)``: one bad ``--set`` value (or ``--seed``) per case, with ``--json``."""
    cases = []
    from pcbook import reproduce

    for name, exp in reproduce.registry().items():
        cheap = CHEAP.get(name, {})
        for key in exp.params:
            for bad in CLI_BAD:
                sets = cheap | {key: bad}
                argv = ["reproduce", name, "--json"]
                argv += [
                    a for k, v in sets.items() for a in ("--set", f"{k}={v}")
                ]
                cases.append((argv, f"--set {key}"))
        for bad in ("-1", "2.5"):
            argv = ["reproduce", name, "--json", "--seed", bad]
            argv += [
                a for k, v in cheap.items() for a in ("--set", f"{k}={v}")
            ]
            cases.append((argv, "--seed"))
    sweep = ["sweep", "bogacz-ex1", "--serial", "--no-cache", "--json"]
    for option, bad in (
        ("--seeds", "-1:3"), ("--seeds", "abc"), ("--seeds", "0:1000000000"),
        ("--set", "u=nan"), ("--set", "u=abc"), ("--set", "zz=1"),
        ("--workers", "-1"), ("--workers", "abc"),
    ):  # fmt: skip
        cases.append((sweep + [option, bad], option.split("=")[0]))
    return cases


def strict_json(text: str):
    """Parse ``text`` as RFC 8259 JSON: NaN and Infinity are refused."""
    import json

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


# ---------------------------------------------------------------- one call
class Hang(BaseException):
    """Raised by the alarm when a call runs past TIME_LIMIT."""


def _alarm(signum, frame):
    raise Hang


@contextlib.contextmanager
def scratch_dir():
    """Run the block in a new temporary working directory, removed afterwards: a fuzzed
    call that writes (``sweep.run(cache='abc')``) writes there, never into the repository."""
    with tempfile.TemporaryDirectory(prefix="pcbook-fuzz-") as tmp:
        with contextlib.chdir(tmp):
            yield tmp


@contextlib.contextmanager
def bounded(seconds: float = TIME_LIMIT, margin: int = MEMORY_MARGIN):
    """Run the block with a CPU-time alarm (the same on a loaded machine) and an
    address-space cap."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as f:
        used = int(f.read().split()[0]) * resource.getpagesize()
    cap = (
        used + margin
        if hard == resource.RLIM_INFINITY
        else min(hard, used + margin)
    )
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    old = signal.signal(signal.SIGPROF, _alarm)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.signal(signal.SIGPROF, old)
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def non_finite(value, depth: int = 0) -> bool:
    """Whether ``value`` holds a NaN or inf (in arrays, containers, dataclass fields)."""
    if depth > 3:
        return False
    if getattr(value, "diverged", False) is True:
        return False  # the result says so itself
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "fc" and not np.all(np.isfinite(value))
    if isinstance(value, np.generic):
        return non_finite(value.item(), depth)
    if isinstance(value, dict):
        value = list(value.values())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = [getattr(value, f.name) for f in dataclasses.fields(value)]
    if isinstance(value, (list, tuple)):
        return any(non_finite(v, depth + 1) for v in value[:50])
    return False


def names(message: str, param: str) -> bool:
    """Whether ``message`` names ``param`` as a word."""
    return (
        re.search(rf"(?<![\w.]){re.escape(param)}(?!\w)", message) is not None
    )


def outcome(func, kwargs: dict, param: str, refused: bool) -> str:
    """Call ``func(**kwargs)`` and classify what happened (see ``OUTCOMES``).

    The call runs inside ``matplotlib.rc_context()``: a fuzzed style or figure setting must
    not reach the tests that run after it in the same worker."""
    import matplotlib
    import matplotlib.pyplot as plt

    try:
        with (
            scratch_dir(),
            bounded(),
            warnings.catch_warnings(),
            matplotlib.rc_context(),
        ):
            warnings.simplefilter("ignore")
            with np.errstate(all="ignore"):
                result = func(**kwargs)
    except Hang:
        return "hang"
    except MemoryError:
        return "memory"
    except (ValueError, TypeError) as err:
        return "clean" if names(str(err), param) else "unnamed"
    except Exception as err:  # noqa: BLE001: the kind is the outcome
        return f"wrong:{type(err).__name__}"
    finally:
        plt.close("all")
    if non_finite(result):
        return "nan"
    return "accepted" if refused else "clean"


OUTCOMES = {
    "clean": "clean ValueError/TypeError naming the argument (or a finite "
    "result for a valid extreme)",
    "unnamed": "error that does not name the argument",
    "wrong": "wrong exception type",
    "accepted": "invalid input silently accepted",
    "nan": "NaN/inf returned without a word",
    "hang": f"hang (> {TIME_LIMIT:g} s)",
    "memory": "memory (MemoryError under the address-space cap)",
}


def fuzz_callable(qualname: str, func) -> list:
    """Every (param, label, outcome) for one callable.

    The checks of pcbook.validate are fuzzed on ``name`` and ``value`` only (their other
    parameters are the developer's constants); an error about ``value`` must name the
    ``name`` it was given, as every caller's error does.
    """
    base = example_arguments(qualname, func)
    checker = qualname.startswith("pcbook.validate.")
    rows = []
    for p in parameters(func):
        if p.name == student_parameter(qualname, func) or p.name in MORE_ANSWERS.get(
            qualname, ()
        ):
            continue
        if checker and p.name not in ("name", "value", "estimate"):
            continue
        if qualname.endswith(".check_instance") and p.name == "value":
            continue  # any value is valid: the check is on its type
            continue
        named = base["name"] if checker and p.name != "name" else p.name
        kind = kind_of(p, base[p.name])
        refused, extreme = bad_values(kind, p, base[p.name])
        if p.default is None:
            refused.pop("None", None)
        for is_refused, group in ((True, refused), (False, extreme)):
            for label, bad in group.items():
                kwargs = {k: fresh(v) for k, v in base.items()}
                kwargs[p.name] = bad
                out = outcome(func, kwargs, named, is_refused)
                if out == "nan" and qualname in NAN_DOCUMENTED:
                    out = "clean"
                if (
                    out == "accepted"
                    and (qualname, p.name, label) in VALID_REFUSED
                ):
                    out = "clean"
                rows.append((p.name, label, out))
    return rows


def tally(rows) -> Counter:
    """Counts by outcome; wrong exceptions also by kind."""
    counts = Counter()
    for *_, out in rows:
        counts[out.split(":")[0]] += 1
        if out.startswith("wrong:"):
            counts[out] += 1
    return counts


def main() -> None:
    """Print the outcome table of the whole API (``python tests/fuzz_support.py``)."""
    import sys
    import time

    import matplotlib

    matplotlib.use("Agg")
    only = sys.argv[1:]
    rows, broken, start = [], Counter(), time.perf_counter()
    for qualname, func in public_callables().items():
        if (
            qualname in SKIP_CALLABLES
            or qualname in RECORDS
            or (only and not qualname.startswith(tuple(only)))
        ):
            continue
        try:
            found = fuzz_callable(qualname, func)
        except LookupError as err:
            print(f"no example: {err}", file=sys.stderr)
            continue
        rows += found
        bad = [r for r in found if r[2] != "clean"]
        if bad:
            broken[qualname] = len(bad)
            print(qualname, bad, file=sys.stderr)
    counts = tally(rows)
    print(f"{len(rows)} calls, {len(broken)} callables with a failure, "
          f"{time.perf_counter() - start:.0f} s")  # fmt: skip
    for key, text in OUTCOMES.items():
        kinds = ", ".join(
            f"{k.split(':')[1]} {v}"
            for k, v in counts.most_common()
            if k.startswith(f"{key}:")
        )
        print(f"| {text}{': ' + kinds if kinds else ''} | {counts[key]} |")


# ================================================================ public methods
# The suite above fuzzes what the modules' ``__all__`` export (functions, classes, dataclass
# constructors). A class's public methods are fuzzed here, each parameter given the same bad
# values one at a time. tests/test_fuzz_methods.py asks for every public method of every
# exported class: register a new one in METHODS (or, with the reason, in METHODS_SKIPPED).


def _class(dotted: str):
    """The class ``"package.module.Class"`` (its module imported: a factory may run first)."""
    module, name = dotted.rsplit(".", 1)
    return getattr(importlib.import_module(module), name)


def _references():
    """Empty chapter references (the classroom kit's label numbers)."""
    from pcbook.classroom import markdown

    return markdown.References()


def _slider_figure():
    """A one-slider figure, small enough that its three frames render in a moment."""
    from pcbook import widgets

    return widgets.SliderFigure(
        compute=lambda a: a,
        plot=lambda r, ax: ax.plot([r]),
        sliders={"a": widgets.Slider(0.0, 1.0, 0.5)},
        figsize=(1.0, 1.0),
        dpi=20,
    )


def _fresh_ngc():
    """An NGC fitted for one epoch on ten digits: a new one for every call, since fit and
    partial_fit change the model they are called on."""
    return pcbook.ngc.NGC(instance("NGCParams"), rng=0).fit(
        digits_x(), epochs=1
    )


#: ``"module.Class.method": lambda: (instance, {parameter: valid value})``; the factory runs
#: once per fuzzed call (so a method that changes its instance gets a new one); parameters it
#: does not give keep their defaults
METHODS = {
    "pcbook.ngc.model.NGC.fit": lambda: (
        pcbook.ngc.NGC(instance("NGCParams"), rng=0),
        dict(X=digits_x(), epochs=1, X_test=digits_x()),
    ),
    "pcbook.ngc.model.NGC.partial_fit": lambda: (
        _fresh_ngc(),
        dict(X=digits_x(), rng=RNG),
    ),
    "pcbook.ngc.model.NGC.settle": lambda: (
        instance("NGC"),
        dict(X=digits_x(), K=5, beta=0.1, mask=np.ones((10, 64))),
    ),
    "pcbook.ngc.model.NGC.reconstruct": lambda: (
        instance("NGC"),
        dict(X=digits_x(), K=5, beta=0.1),
    ),
    "pcbook.ngc.model.NGC.score": lambda: (
        instance("NGC"),
        dict(X=digits_x(), K=5, beta=0.1),
    ),
    "pcbook.ngc.model.NGC.encode": lambda: (
        instance("NGC"),
        dict(X=digits_x(), K=5),
    ),
    "pcbook.attractor.RegimeResult.index": lambda: (
        instance("RegimeResult"),
        dict(evidence=5.0, beta=0.1),
    ),
    "pcbook.classroom.markdown.References.merged": lambda: (
        _references(),
        dict(other=_references()),
    ),
    "pcbook.efe.EFE.scaled": lambda: (instance("EFE"), dict(w=2.0)),
    "pcbook.envs.drawing.DrawingArm.reset": lambda: (
        _class("pcbook.envs.drawing.DrawingArm")(n_steps=10),
        dict(),
    ),
    "pcbook.envs.drawing.DrawingArm.step": lambda: (
        _class("pcbook.envs.drawing.DrawingArm")(n_steps=10),
        dict(omega=np.zeros(2)),
    ),
    "pcbook.maths.Adam.step": lambda: (
        _class("pcbook.maths.Adam")(),
        dict(params=[np.zeros(3)], deltas=[np.ones(3)]),
    ),
    "pcbook.som.ink_map.InkMap.epoch": lambda: (
        _class("pcbook.som.ink_map.InkMap")(np.full((6, 64 * 64), 0.5)),
        dict(
            u=np.full((2, 3), 0.5),
            cols=np.arange(3),
            eta0=np.full(6, 0.1),
            shift=(np.arange(6)[None] - np.arange(6)[:, None]) % 6,
        ),
    ),
    "pcbook.som.ink_map.InkMap.row": lambda: (instance("InkMap"), dict(g=0)),
    "pcbook.som.model.MotorSOM.draw": lambda: (
        instance("MotorSOM"),
        dict(C=instance("MotorSOM").C_, angle_scale=0.1),
    ),
    "pcbook.som.model.MotorSOM.evaluate": lambda: (
        instance("MotorSOM"),
        dict(
            angle_scale=0.1,
            W=instance("MotorSOM").W_,
            C=instance("MotorSOM").C_,
        ),
    ),
    "pcbook.som.model.MotorSOM.fit": lambda: (
        _class("pcbook.som.MotorSOM")(instance("SOMParams"), n_snapshots=2),
        dict(rng=0),
    ),
    "pcbook.som.model.MotorSOM.movement": lambda: (
        instance("MotorSOM"),
        dict(goal=0, angle_scale=0.1),
    ),
    "pcbook.som.model.MotorSOM.snapshot": lambda: (
        instance("MotorSOM"),
        dict(index=0),
    ),
    "pcbook.widgets.SliderFigure.draw": lambda: (
        _slider_figure(),
        dict(axes=_fig_axes()),
    ),
    "pcbook.widgets.SliderFigure.frame_alt": lambda: (
        _slider_figure(),
        dict(values={"a": 0.5}),
    ),
    "pcbook.widgets.SliderFigure.frames": lambda: (
        _slider_figure(),
        dict(density=1.0),
    ),
}

#: public methods not fuzzed here, with the reason and where they are tested
METHODS_SKIPPED = {
    **dict.fromkeys(
        (
            "pcbook.classroom.sandbox.Sandbox.reply",
            "pcbook.classroom.sandbox.Sandbox.request",
            "pcbook.classroom.sandbox.Sandbox.run_cells",
        ),
        "the grader's side of the protocol with a live child process (the "
        "caller is pcbook.classroom.grade, not a reader); tested through "
        "grading in tests/test_grade.py (its graded fixture, e.g. "
        "test_tampering_is_not_graded_correct, test_failures_are_named)",
    ),
}

#: modules whose classes must have every public method (one with parameters) in METHODS
#: or METHODS_SKIPPED: all of pcbook
METHOD_MODULES = ("pcbook.",)


def public_methods() -> list:
    """``"module.Class.method"`` of every public method with parameters (besides ``self``)
    of every class the modules export."""
    found = []
    for qualname, obj in public_callables().items():
        if not inspect.isclass(obj):
            continue
        for name, attr in vars(obj).items():
            if (
                not name.startswith("_")
                and inspect.isfunction(attr)
                and len(parameters(attr)) > 1
            ):
                found.append(f"{qualname}.{name}")
    return sorted(found)


def fuzz_method(qualname: str) -> list:
    """Every (param, label, outcome) for one method of METHODS (see :func:`fuzz_callable`)."""
    make, name = METHODS[qualname], qualname.rsplit(".", 1)[1]
    obj, base = make()
    rows = []
    for p in parameters(getattr(obj, name)):
        if p.name not in base and p.default is p.empty:
            raise LookupError(f"{qualname}: no example for {p.name!r}")
        example = base.get(p.name, p.default)
        refused, extreme = bad_values(kind_of(p, example), p, example)
        if p.default is None:
            refused.pop("None", None)
        cases = [(True, *c) for c in refused.items()]
        cases += [(False, *c) for c in extreme.items()]
        for is_refused, label, bad in cases:
            obj, kwargs = make()
            kwargs = {k: fresh(v) for k, v in kwargs.items()} | {p.name: bad}
            out = outcome(getattr(obj, name), kwargs, p.name, is_refused)
            rows.append((p.name, label, out))
    return rows


if __name__ == "__main__":
    main()
