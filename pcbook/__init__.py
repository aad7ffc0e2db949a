"""pcbook: the helper package of the book on predictive coding and active inference.

One module per concept, named after the concept rather than the chapter (module, chapter, topic):

``pcbook.bayes``              0  Bayes' rule in pictures (conjugate Gaussian)
``pcbook.gaussian_model``     1-3  the scalar model u = g(v) + noise shared by Part I
``pcbook.posterior``          1  Bogacz's exact posterior on a grid
``pcbook.error_units``        2  gradient ascent on F, prediction-error units
``pcbook.variance``           3  learning variances, priors and weights
``pcbook.ngc``                4  neural generative coding on digits
``pcbook.efe``                5  expected free energy on a T-maze (risk, ambiguity, values)
``pcbook.angc``               5  active NGC agents in gymnasium tasks
``pcbook.continuous_bernoulli``  6  the continuous Bernoulli on [-1, 1]
``pcbook.attractor``          6  free-energy attractor networks learn sequences
``pcbook.envs``               7  the two-link drawing arm and its 64x64 canvas
``pcbook.som``                7  self-organising maps learn motor primitives

Shared modules: ``rng`` (SPEC 7 ``as_rng``), ``validate`` (clear input errors), ``maths``
(activations, Adam), ``data`` (bundled digits), ``plotting`` and ``plots`` (figures),
``widgets`` (slider figures live in Jupyter and static on the website), ``check``
(answer checks for exercises), ``classroom`` (student notebooks, exercise index),
``reproduce`` (``python -m pcbook reproduce NAME``), ``progress`` (quiet-able progress bars).

Importing pcbook has no side effects: it changes no matplotlib setting and no random state.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]
