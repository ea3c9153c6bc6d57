"""sphaera: hyperspherical embeddings at the speed of its Rust core.

- :class:`Regularizer`: every dispersion regularizer of "Keep your distance" (Tokarchuk,
  Bakker & Niculae 2025) on NumPy arrays, value and exact gradient, in O(N·d) memory.
- :mod:`sphaera.metrics`: minimum and nearest-neighbour angles, circular variance.
- :func:`tammes`: points on the sphere with the largest minimum angle found, and the gap to
  the best known; :func:`disperse`: a whole run of ``sphaera disperse``.
- :mod:`sphaera.torch`: the regularizers as PyTorch modules with a correct backward
  (imports torch only there).
- :mod:`sphaera.data`, :mod:`sphaera.hierarchy`, :mod:`sphaera.eval`: hierarchies (WordNet,
  the embedded mammals, splits), SpheREx training, and the evaluation protocols for any
  scorer.

>>> import numpy as np, sphaera
>>> x = np.random.default_rng(0).normal(size=(100, 3))
>>> x /= np.linalg.norm(x, axis=1, keepdims=True)
>>> value, grad = sphaera.Regularizer("mma").value_and_grad(x)
>>> grad.shape
(100, 3)
"""

from sphaera import data, eval, hierarchy, metrics
from sphaera._core import Regularizer, __version__, best_known, disperse, methods, tammes

__all__ = [
    "Regularizer",
    "__version__",
    "best_known",
    "data",
    "disperse",
    "eval",
    "hierarchy",
    "methods",
    "metrics",
    "tammes",
]
