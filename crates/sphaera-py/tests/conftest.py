import numpy as np
import pytest


def unit_rows(n: int, d: int, seed: int = 0, dtype=np.float64) -> np.ndarray:
    x = np.random.default_rng(seed).normal(size=(n, d))
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(dtype)


@pytest.fixture
def points() -> np.ndarray:
    return unit_rows(60, 5)
