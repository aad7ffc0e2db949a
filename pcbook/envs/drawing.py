"""The drawing arm of chapter 7: a two-link arm holds a pen over a 64x64 canvas.

Notation (book chapter "Self-organising maps learn motor primitives"):

* ``theta`` = (theta_1, theta_2): shoulder and elbow angles (rad), ``theta0`` at the start;
* ``omega`` (T, 2): the motor command of each step, an angular velocity;
* ``angle_scale``: theta_{t+1} = theta_t + angle_scale * omega_t ({eq}`eq-som-angles`);
* ``l``: the length of both links; the shoulder sits where the pen starts at the canvas centre;
* canvas coordinates (x, y) in [-60, 60]^2; the image has 64x64 pixels, row 0 at the top
  (y = +60), column 0 at x = -60; pixel (r, c) has its centre at
  x = -60 + (c + 1/2) 120/64, y = 60 - (r + 1/2) 120/64;
* images: 1 is blank paper, 0 is ink, antialiased edges in between ({eq}`eq-som-coverage`).

The rasteriser reproduces what Annabi's notebook gets from a 1x1 inch matplotlib figure at
64 dpi (a 1.5 pt = 4/3 px black line, antialiased), without matplotlib: the coverage of a
pixel is clip(w/2 + 1/2 - d, 0, 1), with d the distance from the pixel centre to the pen path
and w the line width in pixels. It is batched over many trajectories at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from pcbook.rng import check_rng
from pcbook.validate import (
    check_count,
    check_finite_array,
    check_instance,
    check_int,
    check_positive,
)

#: canvas units beyond which a point is refused (the canvas spans +-60)
MAX_COORDINATE = 1e12

__all__ = [
    "ArmParams",
    "joint_angles",
    "pen_position",
    "arm_trajectory",
    "rasterise",
    "DrawingArm",
]


@dataclass(frozen=True)
class ArmParams:
    """The arm, the canvas and the pen (defaults of Annabi's notebook)."""

    link: float = 60.0  # length l of each link (canvas units)
    theta0: tuple = (
        -np.pi / 12,
        2 * np.pi / 3,
    )  # start angles (rad): pen at the canvas centre
    angle_scale: float = (
        0.1  # theta += angle_scale * omega, in training AND drawing
    )
    half_width: float = 60.0  # the canvas spans [-half_width, half_width]^2
    size: int = 64  # pixels per side
    line_width: float = 4.0 / 3.0  # pen width in pixels (1.5 pt at 64 dpi)

    def __post_init__(self):
        check_positive("link", self.link)
        check_positive("angle_scale", self.angle_scale)
        check_positive("half_width", self.half_width)
        check_count("size", self.size, low=2, limit=4096)
        check_positive("line_width", self.line_width)
        theta0 = check_finite_array("theta0", self.theta0, ndim=1)
        if len(theta0) != 2:
            raise ValueError(
                f"theta0: expected two angles, got {self.theta0!r}"
            )

    @property
    def shoulder(self) -> NDArray[np.float64]:
        """Position of the shoulder: chosen so that the pen starts at (0, 0)."""
        return -_reach(np.asarray(self.theta0, dtype=float), self.link)


def _reach(theta: NDArray, link: float) -> NDArray:
    """Pen position relative to the shoulder for angles ``theta`` (..., 2)."""
    t1, t12 = theta[..., 0], theta[..., 0] + theta[..., 1]
    return link * np.stack(
        [np.cos(t1) + np.cos(t12), np.sin(t1) + np.sin(t12)], axis=-1
    )


def _check_omega(omega) -> NDArray:
    omega = check_finite_array("omega", omega)
    if omega.ndim not in (2, 3) or omega.shape[-1] != 2:
        raise ValueError(
            f"omega: expected shape (T, 2) or (B, T, 2), got {omega.shape}"
        )
    return omega


def joint_angles(
    omega: NDArray, params: ArmParams = ArmParams()
) -> NDArray[np.float64]:
    """Joint angles after each motor command, theta_t = theta0 + angle_scale * sum_{s<=t} omega_s.

    Implements {eq}`eq-som-angles` (the update of Annabi's notebook, one scale for training
    and drawing).

    Parameters
    ----------
    omega : array (T, 2) or (B, T, 2)
        Angular velocities produced by the echo-state network.
    params : ArmParams

    Returns
    -------
    theta : array of the same shape as ``omega``
    """
    omega = _check_omega(omega)
    check_instance("params", params, ArmParams)
    return np.asarray(params.theta0) + params.angle_scale * np.cumsum(
        omega, axis=-2
    )


def pen_position(
    theta: NDArray, params: ArmParams = ArmParams()
) -> NDArray[np.float64]:
    """Forward kinematics: pen position (x, y) for joint angles ``theta`` (..., 2).

    Implements {eq}`eq-som-arm`:
    x = l (cos theta_1 + cos(theta_1 + theta_2)) + x_shoulder, and the same with sin for y.
    """
    theta = check_finite_array("theta", theta)
    check_instance("params", params, ArmParams)
    if theta.shape[-1] != 2:
        raise ValueError(
            f"theta: the last axis must hold the two joint angles, got shape {theta.shape}"
        )
    return _reach(theta, params.link) + params.shoulder


def arm_trajectory(
    omega: NDArray, params: ArmParams = ArmParams()
) -> NDArray[np.float64]:
    """The pen path of a movement: the start point followed by one point per motor command.

    Parameters
    ----------
    omega : array (T, 2) or (B, T, 2)
    params : ArmParams

    Returns
    -------
    points : array (T + 1, 2) or (B, T + 1, 2), canvas coordinates; ``points[..., 0, :]``
        is the start, (0, 0).
    """
    theta = joint_angles(omega, params)
    start = np.broadcast_to(
        np.asarray(params.theta0, dtype=float), theta[..., :1, :].shape
    )
    return pen_position(np.concatenate([start, theta], axis=-2), params)


def rasterise(
    points: NDArray, params: ArmParams = ArmParams()
) -> NDArray[np.float64]:
    """Draw polylines on the canvas: 1 = blank, 0 = ink, antialiased.

    Implements {eq}`eq-som-coverage`, s = 1 - clip(w/2 + 1/2 - d, 0, 1), where d is the distance
    from a pixel centre to the polyline (round joins and caps) and w the line width in pixels.

    Every segment is cut into pieces no longer than K - w - 1 pixels along either axis, so that the
    K x K pixel centres next to a piece hold every pixel it can ink; the exact point-to-segment
    distance is computed for those and reduced with a minimum per pixel. The work grows with
    the length of the path, not with the canvas.

    Parameters
    ----------
    points : array (N, 2) or (B, N, 2)
        Polyline vertices in canvas coordinates (N >= 1); parts off the canvas are clipped.
    params : ArmParams

    Returns
    -------
    images : array (size, size) or (B, size, size)
    """
    points = check_finite_array("points", points)
    check_instance("params", params, ArmParams)
    if np.abs(points).max() > MAX_COORDINATE:
        raise ValueError(
            f"points: coordinates must lie within +-{MAX_COORDINATE:g} canvas "
            f"units, got {np.abs(points).max():g}"
        )
    if (
        points.ndim not in (2, 3)
        or points.shape[-1] != 2
        or points.shape[-2] < 1
    ):
        raise ValueError(
            f"points: expected shape (N, 2) or (B, N, 2) with N >= 1, got {points.shape}"
        )
    single = points.ndim == 2
    batch = points[None] if single else points
    images = _rasterise(
        batch, params.size, params.half_width, params.line_width
    )
    return images[0] if single else images


def _clip_segments(start, delta, low: float, high: float):
    """The parts of the segments ``start + t delta`` (0 <= t <= 1) inside the square [low, high]^2.

    Liang-Barsky clipping, so the work of drawing grows with the part of a path on the canvas,
    not with how far off the canvas it goes. Returns the clipped (start, delta) and the mask of
    the segments that reach the square; a segment inside it is returned unchanged.
    """
    t0, t1 = np.zeros(len(start)), np.ones(len(start))
    for axis in (0, 1):
        d, x = delta[:, axis], start[:, axis]
        with np.errstate(divide="ignore", invalid="ignore"):
            to_low, to_high = (low - x) / d, (high - x) / d
        enter = np.where(d > 0, to_low, np.where(d < 0, to_high, -np.inf))
        leave = np.where(d > 0, to_high, np.where(d < 0, to_low, np.inf))
        parallel_out = (d == 0) & ((x < low) | (x > high))
        t0 = np.maximum(t0, enter)
        t1 = np.where(parallel_out, -1.0, np.minimum(t1, leave))
    keep = t0 <= t1
    t0, t1 = t0[keep, None], t1[keep, None]
    delta = delta[keep]
    return start[keep] + t0 * delta, (t1 - t0) * delta, keep


def _rasterise(
    points: NDArray, size: int, half_width: float, line_width: float
) -> NDArray:
    n_img, n_pts, _ = points.shape
    radius = (
        line_width / 2 + 0.5
    )  # coverage is 0 beyond this distance (pixels)
    k = int(np.floor(2 * radius)) + 1  # window side
    max_len = k - 2 * radius - 1e-9  # longest piece per axis
    pad = size + 2 * k  # padded canvas keeps every index valid
    # 1. pixel-centre coordinates: the centre of column c is at c, of row r at r
    scale = size / (2 * half_width)
    q = np.empty(points.shape)
    q[..., 0] = (points[..., 0] + half_width) * scale - 0.5
    q[..., 1] = (half_width - points[..., 1]) * scale - 0.5
    if n_pts == 1:
        q = np.concatenate([q, q], axis=1)
        n_pts = 2
    start, delta = q[:, :-1].reshape(-1, 2), np.diff(q, axis=1).reshape(-1, 2)
    image_of = np.repeat(np.arange(n_img), n_pts - 1)
    # 2. clip the segments to the canvas with a margin of one canvas width on every side (an
    # arm's reach: no path of the book is clipped), then cut them into pieces
    start, delta, keep = _clip_segments(
        start, delta, -size - radius - 1, 2 * size + radius
    )
    image_of = image_of[keep]
    n_pieces = np.maximum(
        np.ceil(np.abs(delta).max(axis=1) / max_len).astype(np.intp), 1
    )
    if n_pieces.max() > 1:
        seg = np.repeat(np.arange(len(start)), n_pieces)
        index = np.arange(len(seg)) - np.repeat(
            np.cumsum(n_pieces) - n_pieces, n_pieces
        )
        delta = delta[seg] / n_pieces[seg, None]
        start = start[seg] + index[:, None] * delta
        image_of = image_of[seg]
    # 3. exact distance from the k x k window of pixel centres to each piece
    lo = np.clip(np.ceil(np.minimum(start, start + delta) - radius), -k, size)
    length = np.sqrt((delta**2).sum(axis=1))
    safe = np.where(length > 0, length, 1.0)
    ux = np.where(length > 0, delta[:, 0] / safe, 1.0)
    uy = delta[:, 1] / safe
    rx, ry = lo[:, 0] - start[:, 0], lo[:, 1] - start[:, 1]
    off_c, off_r = (
        np.tile(np.arange(k), k).astype(float),
        np.repeat(np.arange(k), k).astype(float),
    )
    along = (
        (rx * ux + ry * uy)[:, None]
        + off_c * ux[:, None]
        + off_r * uy[:, None]
    )
    perp = (
        (rx * uy - ry * ux)[:, None]
        + off_c * uy[:, None]
        - off_r * ux[:, None]
    )
    beyond = along - np.clip(along, 0.0, length[:, None])
    # 4. the blank value of each (piece, pixel) pair, reduced with a minimum per pixel
    blank = np.sqrt(perp * perp + beyond * beyond)
    blank -= radius - 1.0
    np.maximum(blank, 0.0, out=blank)
    loi = lo.astype(np.intp) + k
    base = image_of * (pad * pad) + loi[:, 1] * pad + loi[:, 0]
    flat = base[:, None] + (
        np.repeat(np.arange(k), k) * pad + np.tile(np.arange(k), k)
    )
    canvas = np.ones(n_img * pad * pad)
    np.minimum.at(canvas, flat.ravel(), blank.ravel())
    return canvas.reshape(n_img, pad, pad)[
        :, k : k + size, k : k + size
    ].copy()


class DrawingArm:
    """The canvas as an environment: ``reset()`` then ``step(omega)`` once per motor command.

    ``step`` returns ``(image, reward, done)``; the reward is always 0 (the agent of chapter 7
    scores its own drawings with free energy) and ``done`` turns True after ``n_steps`` commands.
    The path drawn so far is ``path_``. For many movements at once use :func:`arm_trajectory`
    and :func:`rasterise` directly.
    """

    def __init__(self, params: ArmParams = ArmParams(), n_steps: int = 100):
        self.params = check_instance("params", params, ArmParams)
        self.n_steps = check_count("n_steps", n_steps, low=1)
        self.reset()

    def reset(self, rng=None) -> NDArray[np.float64]:
        """Lift the pen back to the centre and clear the canvas (``rng`` is unused: the arm is deterministic)."""
        check_rng(rng)
        self.theta_ = np.asarray(self.params.theta0, dtype=float).copy()
        self.path_ = pen_position(self.theta_, self.params)[None].copy()
        return self.observe()

    def observe(self) -> NDArray[np.float64]:
        """The current image of the canvas."""
        return rasterise(self.path_, self.params)

    def step(self, omega) -> tuple[NDArray[np.float64], float, bool]:
        """Apply one motor command ``omega`` (2,) and return ``(image, 0.0, done)``."""
        omega = check_finite_array("omega", omega, ndim=1)
        if omega.shape != (2,):
            raise ValueError(f"omega: expected shape (2,), got {omega.shape}")
        self.theta_ = self.theta_ + self.params.angle_scale * omega
        self.path_ = np.vstack(
            [self.path_, pen_position(self.theta_, self.params)]
        )
        return self.observe(), 0.0, len(self.path_) - 1 >= self.n_steps
