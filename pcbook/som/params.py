"""The parameters of the chapter 7 model and its training schedules (Annabi's notebook)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pcbook.envs.drawing import ArmParams
from pcbook.validate import (
    check_choice,
    check_instance,
    check_int,
    check_positive,
    check_range,
)

__all__ = ["SOMParams"]


@dataclass(frozen=True)
class SOMParams:
    """Model and schedules of Annabi's notebook (defaults reproduce it)."""

    n_prototypes: int = (
        50  # n: prototypes of the ring map = goals of the repertoire
    )
    n_units: int = 100  # U: ESN units
    tau: float = (
        50.0  # ESN leak: h <- (1 - 1/tau) h + (1/tau)(W_r tanh h + b_r)
    )
    p_connect: float = 0.6  # probability of a recurrent connection
    sigma_r: float = 1.5  # s.d. of the recurrent weights
    n_steps: int = 100  # T: motor commands per movement
    n_directions: int = (
        5  # antithetic search directions per epoch (2x rollouts)
    )
    beta: float = 8.0  # precision of the ring prior in the complexity term
    epochs: int = 20000  # E: one random goal per epoch
    freeze: float = (
        0.7  # the map learns until this fraction of training, then is frozen
    )
    lr: float = 0.01  # map learning rate while it learns (epoch 0 uses 1)
    width0: float = (
        10.0  # neighbourhood width at epoch 0+ (ring units; epoch 0 uses 100)
    )
    width_decay: float = 6.0  # width = width0 exp(-width_decay e / E)
    search_mid: float = (
        0.75  # the search s.d. halves at this fraction of training
    )
    search_sharpness: float = (
        20.0  # ... and falls from 1 to 0 over about 1/sharpness of it
    )
    alpha_explore: float = (
        1e-5  # controller step times search s.d., while the map learns
    )
    alpha_refine: float = 1e-3  # ... and after it is frozen
    esn_dtype: str = "float32"  # precision of the ESN loop in training ("float64" for exact checks)
    arm: ArmParams = field(default_factory=ArmParams)

    def __post_init__(self):
        check_instance("arm", self.arm, ArmParams)
        check_int("n_prototypes", self.n_prototypes, low=2)
        check_int("n_units", self.n_units, low=1)
        check_positive("tau", self.tau)
        if self.tau < 1:
            raise ValueError(f"tau: must be >= 1, got {self.tau}")
        check_range("p_connect", self.p_connect, 0.0, 1.0)
        check_positive("sigma_r", self.sigma_r, allow_zero=True)
        check_int("n_steps", self.n_steps, low=1)
        check_int("n_directions", self.n_directions, low=1)
        check_positive("beta", self.beta, allow_zero=True)
        check_int("epochs", self.epochs, low=2)
        check_range("freeze", self.freeze, 0.0, 1.0)
        check_range("lr", self.lr, 0.0, 1.0)
        for name in (
            "width0",
            "width_decay",
            "search_sharpness",
            "alpha_explore",
            "alpha_refine",
        ):
            check_positive(
                name, getattr(self, name), allow_zero=name == "width_decay"
            )
        check_range("search_mid", self.search_mid, 0.0, 1.0)
        check_choice("esn_dtype", self.esn_dtype, ("float64", "float32"))
