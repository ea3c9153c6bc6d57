"""Type stubs of the compiled core."""

from typing import Optional, Union

import numpy as np
import numpy.typing as npt

FloatArray = Union[npt.NDArray[np.float32], npt.NDArray[np.float64]]

__version__: str

class Regularizer:
    """A dispersion regularizer, called on ``(n, d)`` arrays of unit rows."""

    def __init__(
        self,
        method: str,
        *,
        kernel: Optional[str] = None,
        distance: Optional[str] = None,
        gamma: Optional[float] = None,
        s: Optional[float] = None,
        t: Optional[float] = None,
        samples: Optional[int] = None,
        slices: Optional[int] = None,
        seed: int = 0,
        resample: bool = True,
        threads: Optional[int] = None,
    ) -> None: ...
    @property
    def method(self) -> str: ...
    @property
    def stochastic(self) -> bool: ...
    def value(self, x: FloatArray) -> float: ...
    def value_and_grad(self, x: FloatArray) -> tuple[float, FloatArray]: ...

def methods() -> list[str]: ...
def min_angle(x: FloatArray) -> float: ...
def nearest_neighbour_angles(x: FloatArray) -> npt.NDArray[np.float64]: ...
def circular_variance(x: FloatArray) -> float: ...
def report(x: FloatArray) -> dict[str, float]: ...
def tammes(
    n: int,
    dim: int = 3,
    *,
    seed: int = 0,
    restarts: Optional[int] = None,
    polished: Optional[int] = None,
    hops: Optional[int] = None,
    time_limit: Optional[float] = None,
) -> tuple[npt.NDArray[np.float64], dict[str, object]]: ...
def best_known(n: int, dim: int) -> Optional[tuple[float, str]]: ...
