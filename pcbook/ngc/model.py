"""GNCN models on binarised 8x8 digits: presets, the NGC estimator, and what the chapter measures."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from pcbook.data import train_test_split_digits
from pcbook.maths import Adam, bce, one_blas_thread
from pcbook.progress import progress
from pcbook.rng import as_rng, check_rng
from pcbook.validate import (
    MAX_ELEMENTS,
    check_cost,
    check_count,
    check_finite_array,
    check_instance,
    check_int,
    check_range,
    check_scale,
    record,
)
from pcbook.ngc.circuit import (
    NGCParams,
    Weights,
    _circuit,
    _settle_loop,
    _unit_interval,
    init_weights,
    predictions,
    settle,
)
from pcbook.ngc.learning import apply_updates, hebbian_updates

__all__ = [
    "gncn_t1",
    "gncn_t1_sigma",
    "gncn_pdh",
    "BinaryDigits",
    "load_binary_digits",
    "NGC",
    "fit_stack",
    "mean_bce",
    "bernoulli_baseline",
    "SettleView",
    "settle_view",
    "random_mask",
    "CompletionResult",
    "complete",
    "generate",
    "sample_gmm",
    "gmm_log_likelihood",
    "latent_accuracy",
    "pca_accuracy",
]


def gncn_t1(sizes=(64, 64, 64, 32), **changes) -> NGCParams:
    """GNCN-t1 (Rao & Ballard 1999): tied error synapses E = W^T, phi' in the state update,
    tanh states, Laplace prior (lambda = 0.01), hidden errors against the state ``z``."""
    check_instance("sizes", sizes, (tuple, list), "a tuple of widths")
    return NGCParams(sizes=tuple(sizes), **changes)


def gncn_t1_sigma(sizes=(64, 64, 64, 32), **changes) -> NGCParams:
    """GNCN-t1-Sigma (Friston 2008): GNCN-t1 with ReLU states and learned error covariances."""
    return dataclasses.replace(
        gncn_t1(sizes), phi="relu", precision=True, **changes
    )


def gncn_pdh(sizes=(64, 64, 64, 32), **changes) -> NGCParams:
    """GNCN-PDH: learned error synapses E, no phi', ReLU states and hidden predictions, lateral
    competition in groups of 8, skip predictions from two layers up, no prior, no precision."""
    check_instance("sizes", sizes, (tuple, list), "a tuple of widths")
    base = dict(
        sizes=tuple(sizes),
        phi="relu",
        g_hidden="relu",
        error_synapses="learned",
        use_dphi=False,
        hidden_target="phi",
        skip=True,
        n_group=8,
        lam=0.0,
    )
    base.update(changes)
    return NGCParams(**base)


@record
@dataclass(frozen=True)
class BinaryDigits:
    """Binarised digits: ``X_train``, ``X_test`` (rows of 64 zeros and ones) and their labels."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


def load_binary_digits(
    test_fraction: float = 0.25, threshold: float = 0.5, rng=None
) -> BinaryDigits:
    """sklearn's 8x8 digits scaled to [0, 1] (:func:`pcbook.data.train_test_split_digits`),
    split with ``rng`` and binarised at ``threshold`` (pixel > threshold -> 1)."""
    threshold = check_range("threshold", threshold, 0.0, 1.0)
    train, test = train_test_split_digits(test_fraction, rng=as_rng(rng))
    return BinaryDigits(
        (train.X > threshold).astype(float),
        train.y,
        (test.X > threshold).astype(float),
        test.y,
    )


def mean_bce(x, p) -> float:
    """Binary cross-entropy in nats per image (summed over pixels, averaged over images),
    probabilities clipped to [1e-7, 1 - 1e-7] ({eq}`eq-ngc-bce`)."""
    return float(np.mean(bce(x, p)))


def _images(name: str, X, width: int | None = None) -> np.ndarray:
    """``X`` as a finite (N, ``width``) array of images with pixels in [0, 1], or an error
    naming ``name`` (raised by :mod:`pcbook.validate`, so an answer check passes it on)."""
    X = check_finite_array(name, X, shape=(None, width))
    return _unit_interval(name, X)


def _fitted(name: str, model) -> "NGC":
    """``model`` if it is a fitted :class:`NGC`, else a TypeError naming ``name``."""
    check_instance(name, model, NGC)
    check_instance(
        f"{name}.weights_",
        getattr(model, "weights_", None),
        Weights,
        "the synapses of a fitted NGC (call its fit first)",
    )
    return model


def bernoulli_baseline(X_train, X_test) -> float:
    """Test BCE of independent Bernoulli pixels with the training means (the no-structure baseline)."""
    X_train = _images("X_train", X_train)
    X_test = _images("X_test", X_test, X_train.shape[1])
    return mean_bce(
        X_test, np.broadcast_to(X_train.mean(axis=0), np.shape(X_test))
    )


class NGC:
    """An NGC circuit trained on images with settling plus local Hebbian updates (Adam, ascent).

    ``fit`` learns ``weights_`` and records ``history_`` (test BCE after each epoch when ``X_test``
    is given). As in Ororbia & Kifer (2022): for each batch, settle K steps from a
    cold start ({eq}`eq-ngc-settle`), then one update of every synapse ({eq}`eq-ngc-dW`).
    """

    def __init__(self, params: NGCParams | None = None, rng=None):
        self.params = (
            gncn_t1()
            if params is None
            else check_instance("params", params, NGCParams)
        )
        self.rng = check_rng(rng)

    def fit(self, X, epochs: int = 10, X_test=None) -> "NGC":
        """Train for ``epochs`` passes over ``X`` in shuffled batches.

        Parameters
        ----------
        X : array (N, J_0)
            Training images, one per row, pixels in [0, 1].
        epochs : int >= 0
        X_test : array, optional
            Images on which the test BCE is recorded before training and after every epoch.

        Returns
        -------
        NGC
            ``self``, with ``weights_``, ``optimizer_`` and ``history_`` (``epoch``, ``test_bce``).
        """
        check_instance("params", self.params, NGCParams)
        X = _images("X", X, self.params.sizes[0])
        epochs = check_count("epochs", epochs, 0, 10**4)
        if X_test is not None:
            X_test = _images("X_test", X_test, self.params.sizes[0])
        init_rng, order_rng = as_rng(self.rng).spawn(2)
        self.weights_ = init_weights(self.params, init_rng)
        self.optimizer_ = Adam(lr=self.params.lr)
        self.history_ = {"epoch": [], "test_bce": []}
        with one_blas_thread():
            if X_test is not None:
                self._record(0, X_test)
            for epoch in progress(range(1, epochs + 1), desc="epochs"):
                self.partial_fit(X, order_rng)
                if X_test is not None:
                    self._record(epoch, X_test)
        return self

    def partial_fit(self, X, rng=None) -> "NGC":
        """One epoch of settle-then-update over ``X`` in batches of ``params.batch_size``
        (after :meth:`fit`, which sets the synapses and the optimiser)."""
        _fitted("self", self)
        X = _images("X", X, self.params.sizes[0])
        rng = as_rng(rng)
        order = rng.permutation(len(X))
        for start in range(0, len(X), self.params.batch_size):
            xb = X[order[start : start + self.params.batch_size]]
            state = settle(xb, self.weights_, self.params)
            apply_updates(
                self.weights_,
                hebbian_updates(state, self.weights_, self.params),
                self.optimizer_,
                self.params,
            )
        return self

    def _record(self, epoch, X_test):
        self.history_["epoch"].append(epoch)
        self.history_["test_bce"].append(self.score(X_test))

    def settle(self, X, K=None, beta=None, mask=None):
        """The settled state for images ``X`` (see :func:`pcbook.ngc.settle`)."""
        _fitted("self", self)
        X = _images("X", X, self.params.sizes[0])
        with one_blas_thread():
            return settle(
                X, self.weights_, self.params, K=K, beta=beta, mask=mask
            )

    def reconstruct(self, X, K=None, beta=None) -> np.ndarray:
        """Pixel probabilities predicted after settling on ``X``."""
        return self.settle(X, K, beta).prediction

    def score(self, X, K=None, beta=None) -> float:
        """Reconstruction BCE in nats per image after settling ``K`` steps."""
        return mean_bce(X, self.reconstruct(X, K, beta))

    def encode(self, X, K=None) -> np.ndarray:
        """Top-layer states ``z[L]`` after settling on ``X`` (the codes of the chapter)."""
        return self.settle(X, K).z[-1]


def _stack(weights: list) -> Weights:
    """Stack the synapses of several circuits of one shape along a new leading axis."""

    def stack(kind):
        arrays = [getattr(w, kind) for w in weights]
        return [
            None if a is None else np.stack([w[l] for w in arrays])
            for l, a in enumerate(arrays[0])
        ]

    return Weights(
        stack("W"), stack("E"), stack("M"), stack("Sigma"), list(weights[0].V)
    )


def _unstack(weights: Weights, s: int) -> Weights:
    """Circuit ``s`` of a stack made by :func:`_stack` (copies)."""
    pick = lambda lst: [None if a is None else a[s].copy() for a in lst]  # noqa: E731
    return Weights(
        pick(weights.W),
        pick(weights.E),
        pick(weights.M),
        pick(weights.Sigma),
        list(weights.V),
    )


def fit_stack(
    params: NGCParams, X, seeds=(0, 1, 2), epochs: int = 10, X_test=None
) -> list[NGC]:
    """Train one circuit per seed at once, as a stack along a leading axis.

    Each seed gives the same model as ``NGC(params, rng=seed).fit(X, epochs, X_test)`` (same
    initial synapses, same batch order; equal up to floating-point rounding), but the settling
    steps of all seeds run as one batched computation, so three seeds cost little more than one.
    This is how the chapter runs its ablations over seeds.

    Parameters
    ----------
    params : NGCParams
        The circuit (the modulation matrices are not supported in a stack).
    X : array (N, J_0)
        Training images.
    seeds : sequence of int
        One circuit per seed.
    epochs : int >= 0
    X_test : array, optional
        Images on which each circuit's test BCE is recorded before training and after every epoch.

    Returns
    -------
    list of NGC
        One fitted estimator per seed, with ``weights_``, ``optimizer_`` and ``history_``.
    """
    check_instance("params", params, NGCParams)
    epochs = check_count("epochs", epochs, 0, 10**4)
    if params.modulation:
        raise ValueError("params: fit_stack does not support modulation=True")
    X = _images("X", X, params.sizes[0])
    seeds = check_seeds(seeds)
    streams = [as_rng(s).spawn(2) for s in seeds]
    weights = _stack([init_weights(params, init) for init, _ in streams])
    optimizer = Adam(lr=params.lr)
    history = [{"epoch": [], "test_bce": []} for _ in seeds]
    if X_test is not None:
        X_test = _images("X_test", X_test, params.sizes[0])
        X_eval = np.broadcast_to(X_test, (len(seeds),) + X_test.shape)

    def record(epoch):
        p = _settle_loop(
            X_eval, weights, params, params.K, params.beta
        ).prediction
        for h, ps in zip(history, p):
            h["epoch"].append(epoch)
            h["test_bce"].append(mean_bce(X_test, ps))

    with one_blas_thread():
        if X_test is not None:
            record(0)
        for epoch in progress(range(1, epochs + 1), desc="epochs"):
            orders = [order.permutation(len(X)) for _, order in streams]
            for start in range(0, len(X), params.batch_size):
                xb = np.stack(
                    [X[o[start : start + params.batch_size]] for o in orders]
                )
                state = _settle_loop(
                    xb, weights, params, params.K, params.beta
                )
                apply_updates(
                    weights,
                    hebbian_updates(state, weights, params),
                    optimizer,
                    params,
                )
            if X_test is not None:
                record(epoch)
    models = []
    for s, seed in enumerate(seeds):
        model = NGC(params, rng=seed)
        model.weights_ = _unstack(weights, s)
        model.optimizer_ = Adam(lr=params.lr)
        if optimizer._m is not None:
            model.optimizer_._m = [m[s].copy() for m in optimizer._m]
            model.optimizer_._v = [v[s].copy() for v in optimizer._v]
            model.optimizer_._t = optimizer._t
        model.history_ = history[s]
        models.append(model)
    return models


#: most circuits :func:`fit_stack` trains at once (the chapter trains three)
MAX_STACK = 100


def check_seeds(seeds) -> list[int]:
    """``seeds`` as a non-empty list of integer seeds >= 0 (at most :data:`MAX_STACK` unless
    forced), or an error naming ``seeds``."""
    check_instance(
        "seeds", seeds, (tuple, list, range, np.ndarray), "a sequence of seeds"
    )
    if len(seeds) == 0:
        raise ValueError("seeds: need at least one seed")
    check_scale("seeds", len(seeds), MAX_STACK, unit=" circuits")
    return [check_int("seeds", s, low=0) for s in seeds]


@record
@dataclass(frozen=True)
class SettleView:
    """What one setting of (K, beta) does: images ``x``, predictions ``p``, the mean discrepancy
    trace ``tod`` and the BCE in nats per image."""

    x: np.ndarray
    p: np.ndarray
    tod: np.ndarray
    bce: float


def settle_view(
    model: NGC, X, K: int | None = None, beta: float | None = None
) -> SettleView:
    """Settle a trained ``model`` on ``X`` with ``K`` steps of size ``beta`` ({eq}`eq-ngc-settle`)."""
    _fitted("model", model)
    X = _images("X", X, model.params.sizes[0])
    state = model.settle(X, K=K, beta=beta)
    return SettleView(
        np.asarray(X),
        state.prediction,
        state.tod,
        mean_bce(X, state.prediction),
    )


def random_mask(shape, fraction: float, rng=None) -> np.ndarray:
    """A 0/1 mask with exactly ``round(fraction * J)`` hidden (0) pixels per row, chosen at random."""
    fraction = check_range("fraction", fraction, 0.0, 1.0)
    check_instance("shape", shape, (tuple, list), "a pair (n, J)")
    if len(shape) != 2:
        raise ValueError(f"shape: expected a pair (n, J), got {shape!r}")
    shape = [check_count("shape", k, 1, MAX_ELEMENTS) for k in shape]
    check_cost("shape", shape[0] * shape[1], MAX_ELEMENTS, "mask entries")
    rng = as_rng(rng)
    n, J = shape
    k = int(round(fraction * J))
    mask = np.ones((n, J))
    for i in range(n):
        mask[i, rng.choice(J, size=k, replace=False)] = 0.0
    return mask


@record
@dataclass(frozen=True)
class CompletionResult:
    """Pattern completion: originals ``x``, ``mask`` (1 = seen), completed probabilities ``p``."""

    x: np.ndarray
    mask: np.ndarray
    p: np.ndarray
    masked_mse: float  # mean squared error per hidden pixel
    mean_fill_mse: (
        float  # the same for filling hidden pixels with the training mean
    )


def complete(
    model: NGC, X, fraction: float = 0.5, K=None, rng=None, fill=None
) -> CompletionResult:
    """Hide a random ``fraction`` of each image's pixels and let the circuit fill them in.

    Implements {eq}`eq-ngc-mmse`: hidden pixels send no error while settling, and the masked MSE
    is the mean of ``(x - p)^2`` over hidden pixels. ``fill`` (per-pixel means, e.g. of the
    training set) gives the baseline that fills hidden pixels with a constant guess.

    Parameters
    ----------
    model : NGC
        A trained model.
    X : array (N, J_0)
        Images to complete.
    fraction : float in [0, 1]
        Share of each image's pixels that is hidden (at random, see :func:`random_mask`).
    K : int, optional
        Settling steps (default: the model's).
    rng : None, int or numpy.random.Generator
        Chooses the hidden pixels.
    fill : array (J_0,), optional
        Constant guess for the baseline (default: the mean of ``X``).

    Returns
    -------
    CompletionResult
        Seen pixels are kept as they are in ``p``; hidden ones hold the circuit's prediction.
    """
    _fitted("model", model)
    X = _images("X", X, model.params.sizes[0])
    fill = X.mean(axis=0) if fill is None else _fill(fill, X.shape[1])
    mask = random_mask(X.shape, fraction, rng)
    p = model.settle(X, K=K, mask=mask).prediction
    hidden = mask == 0
    n_hidden = max(hidden.sum(), 1)
    mse = float(np.sum(((X - p) ** 2)[hidden]) / n_hidden)
    base = float(np.sum(((X - fill) ** 2)[hidden]) / n_hidden)
    return CompletionResult(X, mask, np.where(hidden, p, X), mse, base)


def _fill(fill, width: int) -> np.ndarray:
    """The baseline's constant guess: one pixel value or ``width`` of them, in [0, 1]."""
    fill = check_finite_array("fill", fill)
    if fill.ndim:
        check_finite_array("fill", fill, shape=(width,))
    return _unit_interval("fill", fill)


def generate(weights: Weights, params: NGCParams, z_top) -> np.ndarray:
    """Ancestral (generative) pass: pixel probabilities predicted from top-layer states ``z_top``.

    Each hidden layer is set to its top-down prediction ({eq}`eq-ngc-prediction`), down to the
    pixels. A ``"phi"`` hidden target predicts ``phi(z)``, so the state is set to the value whose
    activity equals the prediction (exact for ReLU, ``arctanh`` for tanh).
    """
    _circuit(weights, params)
    z_top = check_finite_array("z_top", z_top, ndim=2)
    if z_top.shape[1] != params.sizes[-1]:
        raise ValueError(
            f"z_top: expected {params.sizes[-1]} columns, got shape {z_top.shape}"
        )
    z = [np.zeros((len(z_top), j)) for j in params.sizes[:-1]] + [z_top]
    for l in range(params.L - 1, 0, -1):
        zbar = predictions(z, weights, params)[l]
        if params.hidden_target == "phi" and params.phi == "tanh":
            zbar = np.arctanh(np.clip(zbar, -0.999, 0.999))
        z[l] = zbar
    return predictions(z, weights, params)[0]


def sample_gmm(
    model: NGC, X_train, n_samples: int = 20, n_components: int = 10, rng=None
):
    """Fit a Gaussian mixture to the settled top-layer states of ``X_train`` and draw images.

    Returns ``(probabilities, gmm)``: the generative pass ({func}`generate`) of ``n_samples``
    top-layer states drawn from the mixture (Ororbia & Kifer 2022, the GMM prior of their
    log-likelihood estimate).
    """
    _fitted("model", model)
    from sklearn.mixture import GaussianMixture

    X_train = _images("X_train", X_train, model.params.sizes[0])
    n_samples = check_count("n_samples", n_samples, 1, 10**6)
    n_components = check_count("n_components", n_components, 1, 10**3)
    rng = as_rng(rng)
    codes = model.encode(X_train)
    with one_blas_thread():
        gmm = GaussianMixture(
            n_components,
            covariance_type="full",
            reg_covar=1e-4,
            random_state=int(rng.integers(2**31 - 1)),
        ).fit(codes)
    gmm.random_state = int(rng.integers(2**31 - 1))
    z_top, _ = gmm.sample(n_samples)
    return generate(model.weights_, model.params, z_top), gmm


def gmm_log_likelihood(
    model: NGC, gmm, X, n_samples: int = 2000, rng=None
) -> float:
    """Monte-Carlo estimate of the mean log-likelihood ``log p(x)`` in nats per image.

    ``p(x) = E_{z ~ GMM}[p(x | z)]`` with the Gaussian mixture ``gmm`` over top-layer states (from
    :func:`sample_gmm`) as the prior and independent Bernoulli pixels with the probabilities of
    the generative pass ({func}`generate`) as ``p(x | z)``; estimated from ``n_samples`` draws
    with a log-sum-exp (the log p(x) of Ororbia & Kifer 2022). By Jensen's inequality the
    estimate is low on average, so it is a conservative score.
    """
    _fitted("model", model)
    from scipy.special import logsumexp
    from sklearn.mixture import GaussianMixture

    check_instance("gmm", gmm, GaussianMixture)
    X = _images("X", X, model.params.sizes[0])
    n_samples = check_count("n_samples", n_samples, 1, 10**6)
    rng = as_rng(rng)
    gmm.random_state = int(rng.integers(2**31 - 1))
    z_top, _ = gmm.sample(n_samples)
    p = np.clip(generate(model.weights_, model.params, z_top), 1e-7, 1 - 1e-7)
    log_px_z = (
        X @ np.log(p).T + (1.0 - X) @ np.log1p(-p).T
    )  # (images, samples)
    return float(np.mean(logsumexp(log_px_z, axis=1) - np.log(n_samples)))


def _readout(train, test, data: BinaryDigits) -> float:
    """Test accuracy of a logistic regression of the digit class on features."""
    from sklearn.linear_model import LogisticRegression

    with one_blas_thread():
        clf = LogisticRegression(max_iter=2000).fit(train, data.y_train)
        return float(clf.score(test, data.y_test))


def latent_accuracy(model: NGC, data: BinaryDigits) -> tuple[float, float]:
    """Test accuracy of a logistic-regression read-out of the digit class from top-layer codes,
    and the same read-out from raw pixels, as ``(latent, pixels)``."""
    _fitted("model", model)
    check_instance("data", data, BinaryDigits)
    return (
        _readout(model.encode(data.X_train), model.encode(data.X_test), data),
        _readout(data.X_train, data.X_test, data),
    )


def pca_accuracy(data: BinaryDigits, n_components: int) -> float:
    """The linear baseline of the read-out: logistic regression on the first ``n_components``
    principal components of the pixels (PCA fitted on the training images)."""
    check_instance("data", data, BinaryDigits)
    from sklearn.decomposition import PCA

    n_components = check_int(
        "n_components", n_components, low=1, high=data.X_train.shape[1]
    )
    pca = PCA(n_components).fit(data.X_train)
    return _readout(
        pca.transform(data.X_train), pca.transform(data.X_test), data
    )
