"""The NumPy layer: values, gradients, dtypes, streams, threads, and refusals."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

import sphaera
from conftest import unit_rows

DETERMINISTIC = ["mmd", "uniformity", "mhe", "mma", "mmcs", "koleo"]
STOCHASTIC = ["lloyd", "sliced", "sliced-axis", "ssw"]


def test_every_method_of_the_cli_is_offered():
    assert sphaera.methods() == DETERMINISTIC + STOCHASTIC
    for method in sphaera.methods():
        assert sphaera.Regularizer(method).stochastic == (method in STOCHASTIC)


@pytest.mark.parametrize("method", DETERMINISTIC + STOCHASTIC)
def test_gradients_match_central_differences_in_float64(method):
    # Along the sphere: the gradient's tangent part is what is defined there (the library's
    # formulas read unit rows, e.g. D² = 2 − 2 x·y).
    x = unit_rows(12, 4, seed=1)
    reg = sphaera.Regularizer(method, seed=5, resample=False)
    _, grad = reg.value_and_grad(x)
    eps = 1e-6
    rng = np.random.default_rng(2)
    for _ in range(5):
        direction = rng.normal(size=x.shape)
        direction -= np.sum(direction * x, axis=1, keepdims=True) * x
        numeric = (reg.value(x + eps * direction) - reg.value(x - eps * direction)) / (2 * eps)
        assert numeric == pytest.approx(float(np.sum(grad * direction)), rel=1e-5, abs=1e-8)


@pytest.mark.parametrize("method", DETERMINISTIC + STOCHASTIC)
def test_float32_in_float32_out_and_close_to_float64(method):
    x = unit_rows(40, 3, seed=3)
    v64, g64 = sphaera.Regularizer(method, seed=1).value_and_grad(x)
    v32, g32 = sphaera.Regularizer(method, seed=1).value_and_grad(x.astype(np.float32))
    assert g32.dtype == np.float32 and g64.dtype == np.float64
    assert v32 == pytest.approx(v64, rel=1e-4, abs=1e-6)
    np.testing.assert_allclose(g32, g64, rtol=1e-3, atol=1e-4 * np.abs(g64).max())


def test_any_memory_layout_gives_the_same_numbers(points):
    reg = sphaera.Regularizer("mmd")
    fortran = np.asfortranarray(points)
    strided = np.repeat(points, 2, axis=0)[::2]
    expected = reg.value_and_grad(points)
    for layout in (fortran, strided):
        value, grad = reg.value_and_grad(layout)
        assert value == expected[0]
        np.testing.assert_array_equal(grad, expected[1])


@pytest.mark.parametrize("method", STOCHASTIC)
def test_stochastic_methods_draw_anew_every_call_and_reproducibly(method, points):
    first = sphaera.Regularizer(method, seed=7)
    again = sphaera.Regularizer(method, seed=7)
    values = [first.value(points) for _ in range(3)]
    assert values == [again.value(points) for _ in range(3)]
    assert len(set(values)) == 3
    frozen = sphaera.Regularizer(method, seed=7, resample=False)
    assert frozen.value(points) == frozen.value(points) == values[0]


@pytest.mark.parametrize("method", ["mmd", "koleo", "sliced"])
def test_results_do_not_depend_on_the_thread_count(method):
    x = unit_rows(700, 6, seed=4)
    one = sphaera.Regularizer(method, seed=3, threads=1).value_and_grad(x)
    two = sphaera.Regularizer(method, seed=3, threads=2).value_and_grad(x)
    assert one[0] == two[0]
    np.testing.assert_array_equal(one[1], two[1])


def test_calls_from_many_python_threads_neither_deadlock_nor_corrupt():
    x = unit_rows(500, 8, seed=5)
    reg = sphaera.Regularizer("mmd", kernel="riesz", s=1.0)
    expected = reg.value_and_grad(x)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: reg.value_and_grad(x), range(32)))
    for value, grad in results:
        assert value == expected[0]
        np.testing.assert_array_equal(grad, expected[1])


def test_bad_input_is_a_value_or_type_error_naming_it(points):
    reg = sphaera.Regularizer("mma")
    with pytest.raises(ValueError, match=r"x must be a 2-D array \(n, d\), got shape \[60\]"):
        reg.value(points[:, 0].copy())
    with pytest.raises(TypeError, match="x must hold float32 or float64, got int64"):
        reg.value(np.ones((4, 3), dtype=np.int64))
    with pytest.raises(TypeError, match="x must be a NumPy array, got list"):
        reg.value([[1.0, 0.0], [0.0, 1.0]])
    bad = points.copy()
    bad[17, 2] = np.nan
    with pytest.raises(ValueError, match="x has a non-finite value in row 17"):
        reg.value_and_grad(bad)
    with pytest.raises(ValueError, match="at least 2 rows"):
        reg.value(points[:1])
    with pytest.raises(ValueError, match='unknown method "bogus"; the methods are mmd, '):
        sphaera.Regularizer("bogus")
    with pytest.raises(ValueError, match="gamma must be positive, got -1"):
        sphaera.Regularizer("mmd", gamma=-1.0)
    with pytest.raises(ValueError, match="kernel must be gaussian, laplace or riesz, got cubic"):
        sphaera.Regularizer("mmd", kernel="cubic")
    with pytest.raises(ValueError, match="threads must be between 1 and 1024, got 0"):
        sphaera.Regularizer("mmd", threads=0)
    with pytest.raises(TypeError):
        sphaera.Regularizer("mmd", sigma=1.0)


def test_metrics_measure_known_configurations():
    square = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0], [0.0, -1.0]])
    assert sphaera.metrics.min_angle(square) == pytest.approx(np.pi / 2, abs=1e-12)
    np.testing.assert_allclose(sphaera.metrics.nearest_neighbour_angles(square), np.pi / 2)
    assert sphaera.metrics.circular_variance(square) == pytest.approx(1.0, abs=1e-12)
    report = sphaera.metrics.report(square)
    assert report["min_angle_deg"] == pytest.approx(90.0)


def test_tammes_finds_the_octahedron_and_reports_the_gap():
    points, report = sphaera.tammes(6, 3, seed=0)
    assert points.shape == (6, 3)
    np.testing.assert_allclose(np.linalg.norm(points, axis=1), 1.0, atol=1e-12)
    assert report["min_angle_deg"] == pytest.approx(90.0, abs=1e-6)
    assert report["best_known_deg"] == pytest.approx(90.0)
    assert abs(report["gap_deg"]) < 1e-6
    assert report["contacts"] == 12
    angle, source = sphaera.best_known(6, 3)
    assert angle == pytest.approx(90.0) and source
    with pytest.raises(ValueError, match="n must be at least 2"):
        sphaera.tammes(1, 3)


REPO = __import__("pathlib").Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("args", [["--method", "mma"], ["--method", "sliced", "--slices", "8"]])
def test_disperse_reaches_what_the_cli_reaches(args, tmp_path):
    import json
    import subprocess

    binary = next(
        (p for p in (REPO / "target" / d / "sphaera" for d in ("debug", "release")) if p.exists()),
        None,
    )
    if binary is None:
        pytest.skip("the sphaera binary is not built (scripts/test builds it)")
    out = tmp_path / "points.npy"
    cli = subprocess.run(
        [str(binary), "disperse", "--n", "40", "--steps", "300", "--seed", "2", "--json",
         "--out", str(out), *args],
        check=True, capture_output=True, text=True,
    )
    expected = json.loads(cli.stdout)
    options = {"slices": 8} if "--slices" in args else {}
    points, report = sphaera.disperse(40, method=args[1], steps=300, seed=2, **options)
    for key in ("min_angle_deg", "final_regularizer", "riesz_energy", "circular_variance"):
        assert report[key] == expected[key], key
    # The CLI writes float32.
    np.testing.assert_array_equal(points.astype(np.float32), np.load(out))


def test_disperse_from_a_start_and_its_refusals():
    start = unit_rows(30, 4, seed=9)
    points, report = sphaera.disperse(init=start, method="koleo", steps=200, anchor_weight=0.1)
    assert points.shape == (30, 4) and report["final_anchor"] >= 0
    assert report["min_angle_deg"] > np.degrees(sphaera.metrics.min_angle(start))
    with pytest.raises(ValueError, match="n = 20 disagrees with init, which has 30"):
        sphaera.disperse(20, init=start)
    with pytest.raises(ValueError, match="optimizer must be adam, sgd or euclidean"):
        sphaera.disperse(optimizer="lbfgs")
    with pytest.raises(ValueError, match="the run diverged"):
        sphaera.disperse(optimizer="euclidean", lr=1e308, steps=20)
    with pytest.raises(ValueError, match="n must be small enough to fit in memory"):
        sphaera.disperse(10**9)
