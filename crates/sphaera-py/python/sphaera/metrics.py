"""How spread out points on the unit sphere are: angles in radians unless named ``_deg``.

>>> import numpy as np
>>> from sphaera import metrics
>>> square = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
>>> round(float(np.degrees(metrics.min_angle(square))), 6)
90.0
"""

from sphaera._core import circular_variance, min_angle, nearest_neighbour_angles, report

__all__ = ["circular_variance", "min_angle", "nearest_neighbour_angles", "report"]
