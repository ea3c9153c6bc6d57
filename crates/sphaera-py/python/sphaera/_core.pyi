"""Type stubs of the compiled core."""

from os import PathLike
from typing import Any, Callable, Optional, Union

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
def disperse(
    n: Optional[int] = None,
    dim: Optional[int] = None,
    method: str = "mma",
    *,
    init: Optional[FloatArray] = None,
    steps: Optional[int] = None,
    lr: Optional[float] = None,
    optimizer: str = "adam",
    momentum: float = 0.0,
    schedule: str = "cosine",
    seed: int = 0,
    anchor_weight: float = 0.0,
    threads: Optional[int] = None,
    kernel: Optional[str] = None,
    distance: Optional[str] = None,
    gamma: Optional[float] = None,
    s: Optional[float] = None,
    t: Optional[float] = None,
    samples: Optional[int] = None,
    slices: Optional[int] = None,
) -> tuple[npt.NDArray[np.float64], dict[str, Any]]: ...

Pairs = npt.NDArray[np.int64]
Scorer = Union["HierarchyModel", Callable[[Pairs, Pairs], npt.ArrayLike]]

class Hierarchy:
    """Named nodes and their is-a edges (child → parent), acyclic."""

    def __init__(self, edges: list[tuple[str, str]], source: str = "edges") -> None: ...
    @staticmethod
    def from_file(path: Union[str, PathLike[str]]) -> Hierarchy: ...
    @staticmethod
    def mammals() -> Hierarchy: ...
    @staticmethod
    def wordnet(
        dict: Optional[Union[str, PathLike[str]]] = None, root: Optional[str] = None
    ) -> Hierarchy: ...
    @property
    def names(self) -> list[str]: ...
    def __len__(self) -> int: ...
    def index(self, name: str) -> int: ...
    def edges(self) -> Pairs: ...
    def closure(self) -> Pairs: ...

class Split:
    """Ganea et al.'s link-prediction split; pairs index ``nodes``."""

    def __init__(self, hierarchy: Hierarchy, percent: float, seed: int = 0) -> None: ...
    @staticmethod
    def read(
        directory: Union[str, PathLike[str]], hierarchy: Hierarchy, percent: float = 0.0
    ) -> Split: ...
    def write(self, directory: Union[str, PathLike[str]]) -> None: ...
    @property
    def nodes(self) -> Hierarchy: ...
    @property
    def train(self) -> Pairs: ...
    @property
    def valid(self) -> Pairs: ...
    @property
    def valid_neg(self) -> Pairs: ...
    @property
    def test(self) -> Pairs: ...
    @property
    def test_neg(self) -> Pairs: ...
    @property
    def counts(self) -> dict[str, int]: ...

class HierarchyModel:
    """One ball (or cap) per named node."""

    @staticmethod
    def load(path: Union[str, PathLike[str]]) -> HierarchyModel: ...
    def save(self, path: Union[str, PathLike[str]]) -> None: ...
    @property
    def kind(self) -> str: ...
    @property
    def names(self) -> list[str]: ...
    @property
    def centers(self) -> npt.NDArray[np.float64]: ...
    @property
    def radii(self) -> npt.NDArray[np.float64]: ...
    def index(self, name: str) -> int: ...
    def score(self, u: Pairs, v: Pairs) -> npt.NDArray[np.float64]: ...
    def contains(self, u: Pairs, v: Pairs) -> npt.NDArray[np.bool_]: ...
    def __len__(self) -> int: ...

def train(
    hierarchy: Optional[Hierarchy] = None,
    *,
    model: str = "spherex",
    dim: Optional[int] = None,
    epochs: Optional[int] = None,
    protocol: str = "reconstruction",
    split: Optional[Split] = None,
    regime: str = "published",
    seed: Optional[int] = None,
    eval_every: Optional[int] = None,
    negatives: Optional[int] = None,
    batch_size: Optional[int] = None,
    lr: Optional[float] = None,
    temperature: Optional[float] = None,
    margin: Optional[float] = None,
    volume_weight: Optional[float] = None,
    ln_p_floor: Optional[float] = None,
    radius_weight: Optional[float] = None,
    min_radius: Optional[float] = None,
    sibling_weight: Optional[float] = None,
    edge_sampling: str = "uniform",
    lr_decay: bool = False,
) -> tuple[HierarchyModel, dict[str, Any]]: ...
def reconstruction(hierarchy: Hierarchy, scorer: Scorer) -> dict[str, Any]: ...
def link_prediction(split: Split, scorer: Scorer) -> dict[str, Any]: ...
