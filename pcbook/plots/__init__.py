"""Chapter figures, one module per topic (``pcbook.plots.bayes``, ``pcbook.plots.ngc``, ...).

Every ``plot_*(result, ax=None)`` draws a result computed elsewhere and returns the Axes.
Compute modules never import these.
"""

__all__ = [
    "angc",
    "attractor",
    "bayes",
    "bogacz",
    "efe",
    "ngc",
    "robustness",
    "som",
]
