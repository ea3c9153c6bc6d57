"""The evaluation protocols, for sphaera's models and for yours: a scorer is a
:class:`~sphaera.hierarchy.HierarchyModel` or any callable ``scorer(u, v) -> scores`` on
int64 index arrays (higher: more likely that ``v`` is an ancestor of ``u``), so a PyTorch
model is judged by exactly the code that judges sphaera's.

>>> import numpy as np
>>> from sphaera.data import Hierarchy
>>> from sphaera.eval import reconstruction
>>> h = Hierarchy([("dog", "animal"), ("cat", "animal")])
>>> ancestors = {(h.index("dog"), h.index("animal")), (h.index("cat"), h.index("animal"))}
>>> oracle = lambda u, v: np.array([float((a, b) in ancestors) for a, b in zip(u, v)])
>>> reconstruction(h, oracle)["map"]
1.0
"""

from sphaera._core import link_prediction, reconstruction

__all__ = ["link_prediction", "reconstruction"]
