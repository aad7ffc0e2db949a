"""The drawing arm (pcbook.envs.drawing): kinematics, and the numpy rasteriser against matplotlib."""

import numpy as np
import pytest

from pcbook import som
from pcbook.envs import drawing

ARM = drawing.ArmParams()


def _seed_canvas():
    """Annabi's canvas: a frameless 1x1 inch figure at 64 dpi, axes filling it, limits +-60."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(1, 1), dpi=64, frameon=False)
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_axis_off()
    ax.set_xlim(-60, 60)
    ax.set_ylim(-60, 60)
    return fig, ax


def _matplotlib_images(paths):
    """The oracle: Annabi's canvas with a default black line, one artist reused, coverage read
    from the alpha channel of buffer_rgba; drawn with matplotlib's defaults, whatever style an
    earlier test in this worker left behind."""
    import matplotlib.pyplot as plt

    with plt.style.context("default"):
        fig, ax = _seed_canvas()
        (line,) = ax.plot([], [], color="black")
        images = []
        for p in paths:
            line.set_data(p[:, 0], p[:, 1])
            fig.canvas.draw()
            alpha = np.asarray(fig.canvas.buffer_rgba())[:, :, 3]
            images.append(1 - alpha / 255)
    return np.array(images)


def _random_paths(n, seed):
    """Movements like those of training: the ESN from random initial states (several scales), plus
    random-walk scribbles that leave the canvas and fold back."""
    rng = np.random.default_rng(seed)
    res = som.make_reservoir(rng=rng)
    h0 = rng.standard_normal((n // 2, 100)) * rng.choice(
        [0.3, 1.0, 3.0, 10.0], size=(n // 2, 1)
    )
    paths = list(drawing.arm_trajectory(som.esn_rollout(res, h0, 100)))
    omega = np.cumsum(
        rng.standard_normal((n - n // 2, 100, 2)) * 0.3, axis=1
    ) * rng.uniform(0.2, 2, (n - n // 2, 1, 1))
    paths += list(drawing.arm_trajectory(omega))
    return np.array(paths)


@pytest.fixture(scope="module")
def oracle():
    paths = _random_paths(160, seed=7)
    return paths, _matplotlib_images(paths), drawing.rasterise(paths)


def test_pen_starts_at_canvas_centre_and_pixel_32():
    start = drawing.arm_trajectory(np.zeros((5, 2)))[0]
    np.testing.assert_allclose(start, [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(ARM.shoulder, -60 * np.sqrt(2) / 2 * np.ones(2))
    img = drawing.rasterise(np.array([[0.0, 0.0], [0.0, 0.0]]))
    # a round dot on the corner shared by the four centre pixels, at distance sqrt(1/2) px from each
    expected = 1 - (4 / 3 / 2 + 0.5 - np.sqrt(0.5))
    np.testing.assert_allclose(img[31:33, 31:33], expected, atol=1e-12)
    assert img[0, 0] == 1.0 and img.min() >= 0.0


def test_forward_kinematics_matches_link_geometry():
    rng = np.random.default_rng(0)
    theta = rng.uniform(-np.pi, np.pi, (50, 2))
    elbow = ARM.shoulder + 60 * np.c_[np.cos(theta[:, 0]), np.sin(theta[:, 0])]
    pen = drawing.pen_position(theta)
    np.testing.assert_allclose(np.linalg.norm(pen - elbow, axis=1), 60.0)
    np.testing.assert_allclose(
        np.linalg.norm(elbow - ARM.shoulder, axis=1), 60.0
    )


def test_joint_angles_use_one_scale():
    omega = np.ones((4, 2))
    theta = drawing.joint_angles(omega)
    np.testing.assert_allclose(theta[-1], np.array(ARM.theta0) + 0.4)
    slow = drawing.ArmParams(angle_scale=1 / 30)
    np.testing.assert_allclose(
        drawing.joint_angles(omega, slow)[-1], np.array(ARM.theta0) + 4 / 30
    )


def test_axis_aligned_stroke_has_exact_box_coverage():
    # a horizontal stroke through pixel centres: full coverage on its row, 1/6 on the rows next to it
    y = 60 - (20 + 0.5) * 120 / 64
    img = drawing.rasterise(np.array([[-30.0, y], [30.0, y]]))
    np.testing.assert_allclose(img[20, 25:40], 0.0, atol=1e-12)
    np.testing.assert_allclose(img[19, 25:40], 1 - 1 / 6, atol=1e-12)
    np.testing.assert_allclose(img[22, 25:40], 1.0)


def test_rasteriser_equals_brute_force_distance_field():
    rng = np.random.default_rng(3)
    paths = _random_paths(6, seed=11)
    fast = drawing.rasterise(paths)
    size, r = 64, 4 / 3 / 2 + 0.5
    c = (np.arange(size) + 0.5) * 120 / size - 60
    px, py = np.meshgrid(c, -c)
    for path, img in zip(paths, fast):
        a, b = path[:-1], path[1:]
        d = b - a
        pts = np.stack([px.ravel(), py.ravel()], 1)[:, None, :]
        t = np.clip(
            ((pts - a) * d).sum(-1) / np.maximum((d * d).sum(-1), 1e-300), 0, 1
        )
        dist = (
            np.linalg.norm(pts - a - t[..., None] * d, axis=-1).min(1)
            * size
            / 120
        )
        np.testing.assert_allclose(
            img.ravel(), 1 - np.clip(r - dist, 0, 1), atol=1e-9
        )
    assert rng is not None


def test_rasteriser_agrees_with_matplotlib_ink(oracle):
    paths, mpl, ours = oracle
    assert len(paths) >= 100
    ink_m, ink_o = mpl < 0.5, ours < 0.5
    inter = (ink_m & ink_o).sum(axis=(1, 2))
    union = (ink_m | ink_o).sum(axis=(1, 2))
    iou = inter / np.maximum(union, 1)
    assert (
        inter.sum() / union.sum() >= 0.95
    )  # pooled ink IoU (measured: 0.977)
    assert np.median(iou) >= 0.95  # (measured: 0.982)
    # total ink: Agg covers a little more at sharp folds and square end caps (measured: 2.8 % more)
    mass_m, mass_o = (1 - mpl).sum(axis=(1, 2)), (1 - ours).sum(axis=(1, 2))
    assert abs(mass_o.sum() / mass_m.sum() - 1) < 0.05


def test_inaccuracy_term_agrees_with_matplotlib(oracle):
    paths, mpl, ours = oracle
    # score every drawing against the (matplotlib) image of another drawing, as a prototype
    goals = np.roll(mpl, 1, axis=0).reshape(len(mpl), -1)
    f_m = som.inaccuracy(mpl.reshape(len(mpl), -1), goals)
    f_o = som.inaccuracy(ours.reshape(len(ours), -1), goals)
    rel = np.abs(f_o - f_m) / f_m
    assert rel.mean() < 0.03  # measured: 1.0 %
    assert np.percentile(rel, 95) < 0.05  # measured: 2.9 %


def test_batched_equals_one_at_a_time():
    paths = _random_paths(8, seed=5)
    batch = drawing.rasterise(paths)
    for p, img in zip(paths, batch):
        np.testing.assert_array_equal(drawing.rasterise(p), img)


def test_env_steps_draw_the_same_path():
    omega = np.random.default_rng(2).standard_normal((10, 2))
    env = drawing.DrawingArm(n_steps=10)
    env.reset()
    for k, w in enumerate(omega):
        img, reward, done = env.step(w)
        assert reward == 0.0 and done == (k == 9)
    np.testing.assert_allclose(
        env.path_, drawing.arm_trajectory(omega), atol=1e-12
    )
    np.testing.assert_allclose(
        img, drawing.rasterise(drawing.arm_trajectory(omega)), atol=1e-12
    )


@pytest.mark.parametrize(
    "bad, exc",
    [
        (np.zeros((3, 3)), ValueError),
        (np.full((3, 2), np.nan), ValueError),
        (np.zeros((2, 3, 4, 2)), ValueError),
    ],
)
def test_bad_points_raise(bad, exc):
    with pytest.raises(exc, match="points"):
        drawing.rasterise(bad)


def test_bad_params_raise():
    with pytest.raises(ValueError, match="angle_scale"):
        drawing.ArmParams(angle_scale=-0.1)
    with pytest.raises(TypeError, match="size"):
        drawing.ArmParams(size=64.5)
    with pytest.raises(ValueError, match="omega"):
        drawing.joint_angles(np.zeros((3, 3)))
    with pytest.raises(ValueError, match="omega"):
        drawing.DrawingArm().step(np.zeros(3))


def test_seed_camera_reads_alpha_which_is_the_ink_coverage():
    """Annabi's camera reads channel 0 of ``tostring_argb``: that is alpha, not red. On the
    frameless (transparent) figure alpha is the ink coverage, so 1 - alpha/255 is 1 on blank paper
    and 0 on ink, as the chapter says; reading red instead would invert the picture."""
    fig, ax = _seed_canvas()
    ax.plot([0, 50], [0, 0], color="black")
    fig.canvas.draw()
    rgba = np.asarray(fig.canvas.buffer_rgba())
    if hasattr(fig.canvas, "tostring_argb"):
        argb = np.frombuffer(
            fig.canvas.tostring_argb(), dtype=np.uint8
        ).reshape(64, 64, 4)
        assert np.array_equal(argb[..., 0], rgba[..., 3])
    s = 1 - rgba[..., 3] / 255
    assert (
        s[0, 0] == 1.0 and s[31:33, 40].min() < 0.5
    )  # blank paper 1, the stroke dark
    assert (
        rgba[0, 0, 0] == 255 and rgba[31:33, 40, 0].min() == 0
    )  # red: 1 on blank, 0 on ink


def test_rasterise_clips_far_segments_before_drawing():
    """A segment running 1e9 units off the canvas costs what its visible part costs (issue 16)."""
    import time

    start = time.perf_counter()
    far = drawing.rasterise(
        np.array([[0.0, 0.0], [1e9, 0.0], [1e9, -1e9]])
    )
    assert time.perf_counter() - start < 1.0
    np.testing.assert_array_equal(
        far, drawing.rasterise(np.array([[0.0, 0.0], [200.0, 0.0]]))
    )
    with pytest.raises(ValueError, match="points: coordinates"):
        drawing.rasterise(np.array([[0.0, 0.0], [1e300, 0.0]]))
