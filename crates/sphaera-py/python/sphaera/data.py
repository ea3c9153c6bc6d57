"""Hierarchies and the link-prediction split, with node pairs as ``(k, 2)`` int64 arrays.

>>> from sphaera.data import Hierarchy, Split
>>> h = Hierarchy([("dog", "mammal"), ("cat", "mammal"), ("mammal", "animal")])
>>> len(h), h.closure().shape
(4, (5, 2))
>>> mammals = Hierarchy.mammals()  # the embedded WordNet mammal closure
>>> split = Split(mammals, percent=25, seed=0)
>>> split.counts["valid"] == len(split.valid)
True
"""

from sphaera._core import Hierarchy, Split

__all__ = ["Hierarchy", "Split"]
