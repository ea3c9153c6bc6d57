"""Hierarchies as balls (SpheREx) or caps: training under the library's protocol, and the
trained model as NumPy arrays.

>>> from sphaera import hierarchy
>>> model, summary = hierarchy.train(epochs=20, dim=5)  # the embedded mammals
>>> summary["map"] > 0.9
True
>>> model.centers.shape == (len(model.names), 5)
True

``train(model=...)`` also takes the field's baselines, each with its paper's defaults:
``"euclidean"``, ``"poincare"``, ``"order"``, ``"euclidean-cones"``, ``"hyperbolic-cones"``
(entailment cones, started from point embeddings trained 100 epochs first) and ``"box"``.
``train(protocol="split:25", regime="closure-aware")`` runs link prediction instead: the
summary holds the test figures of the epoch with the best validation F1, and the model is
that epoch's. :func:`load` reads files written by ``model.save`` or ``sphaera hierarchy
train --out``.
"""

from sphaera._core import HierarchyModel, train

load = HierarchyModel.load

__all__ = ["HierarchyModel", "load", "train"]
