"""Tiny, dependency-free environments used by the book.

``pcbook.envs.drawing``: a two-link arm that holds a pen over a 64x64 canvas (chapter 7).
Reinforcement-learning tasks of chapter 5 come from gymnasium instead.
"""

from pcbook.envs.drawing import (
    ArmParams,
    DrawingArm,
    arm_trajectory,
    joint_angles,
    pen_position,
    rasterise,
)

__all__ = [
    "ArmParams",
    "DrawingArm",
    "arm_trajectory",
    "joint_angles",
    "pen_position",
    "rasterise",
]
