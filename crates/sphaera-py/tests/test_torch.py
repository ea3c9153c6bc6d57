"""The PyTorch layer: gradcheck, independent reference formulas, dtypes, and training with
plain parameters, normalized tables and geoopt."""

import math

import pytest

torch = pytest.importorskip("torch")

import sphaera  # noqa: E402
from sphaera.torch import Dispersion, dispersion  # noqa: E402

ALL = sphaera.methods()


def random_table(n, d, seed=0, dtype=torch.float64):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=g, dtype=dtype)


@pytest.mark.parametrize("method", ALL)
def test_gradcheck_passes_in_float64(method):
    module = Dispersion(method, seed=3, resample=False)
    x = random_table(16, 4, seed=1).requires_grad_()
    assert torch.autograd.gradcheck(module, (x,), eps=1e-6, atol=1e-6, rtol=1e-5)


# Independent implementations, written from the papers' formulas (sphaera's conventions:
# means over ordered pairs i ≠ j, chordal distance sqrt(2 − 2 x·y), angles in radians).
def _offdiag(m):
    n = m.shape[0]
    return m[~torch.eye(n, dtype=torch.bool)]


def ref_mmd_gaussian(x, gamma=1.0):
    d2 = torch.cdist(x, x).pow(2)
    return torch.exp(-gamma * _offdiag(d2)).mean()


def ref_uniformity(x, t=2.0):
    d2 = torch.cdist(x, x).pow(2)
    return torch.log(torch.exp(-t * _offdiag(d2)).mean())


def ref_mhe(x, s=1.0):
    cos = (x @ x.T).clamp(-1.0, 1.0)
    return _offdiag(torch.arccos(cos)).pow(-s).mean()


def ref_mma(x):
    cos = (x @ x.T).clamp(-1.0, 1.0)
    theta = torch.arccos(cos) + torch.diag(torch.full((x.shape[0],), math.inf, dtype=x.dtype))
    return -theta.min(dim=1).values.mean()


def ref_mmcs(x):
    cos = x @ x.T - torch.diag(torch.full((x.shape[0],), math.inf, dtype=x.dtype))
    return cos.max(dim=1).values.mean()


def ref_koleo(x):
    dist = torch.cdist(x, x) + torch.diag(torch.full((x.shape[0],), math.inf, dtype=x.dtype))
    return -torch.log(dist.min(dim=1).values).mean()


REFERENCES = {
    "mmd": ref_mmd_gaussian,
    "uniformity": ref_uniformity,
    "mhe": ref_mhe,
    "mma": ref_mma,
    "mmcs": ref_mmcs,
    "koleo": ref_koleo,
}


@pytest.mark.parametrize("method", sorted(REFERENCES))
def test_deterministic_methods_agree_with_pure_pytorch_formulas(method):
    raw = random_table(40, 5, seed=2).requires_grad_()
    ours = Dispersion(method)(raw)
    (grad_ours,) = torch.autograd.grad(ours, raw)
    theirs = REFERENCES[method](torch.nn.functional.normalize(raw, dim=-1))
    (grad_theirs,) = torch.autograd.grad(theirs, raw)
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-10, abs=1e-12)
    torch.testing.assert_close(grad_ours, grad_theirs, rtol=1e-7, atol=1e-10)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64, torch.bfloat16])
def test_the_gradient_comes_back_in_the_tensors_dtype(dtype):
    x = random_table(30, 3, seed=4, dtype=dtype).requires_grad_()
    loss = Dispersion("mmd")(x)
    loss.backward()
    assert loss.dtype == dtype and x.grad.dtype == dtype
    assert torch.isfinite(x.grad.float()).all()


@pytest.mark.parametrize("method", ["mmd", "uniformity", "mhe", "mma", "koleo"])
def test_float32_tensors_match_float64_closely(method):
    # 600 rows: several 256-row tiles, whose products run in float32 for float32 tensors.
    x64 = torch.nn.functional.normalize(random_table(600, 16, seed=8), dim=-1).requires_grad_()
    x32 = x64.detach().float().requires_grad_()
    module = Dispersion(method, seed=0, resample=False)
    module(x64).backward()
    module(x32).backward()
    # The float32 tensor holds rounded points: compare against float64 at those points.
    x64r = x32.detach().double().requires_grad_()
    value = module(x64r)
    value.backward()
    assert module(x32).item() == pytest.approx(value.item(), rel=1e-6)
    error = (x32.grad.double() - x64r.grad).norm() / x64r.grad.norm()
    assert error < 1e-5


def test_without_grad_only_the_value_is_computed():
    x = random_table(30, 3, seed=5)
    with torch.no_grad():
        value = Dispersion("koleo")(x)
    assert value.item() == pytest.approx(ref_koleo(torch.nn.functional.normalize(x, dim=-1)).item())


def test_bad_tensors_are_type_or_value_errors():
    reg = sphaera.Regularizer("mma")
    with pytest.raises(TypeError, match="x must be a torch.Tensor"):
        dispersion([[1.0, 0.0]], reg)
    with pytest.raises(TypeError, match="floating-point"):
        dispersion(torch.ones(4, 3, dtype=torch.int64), reg)
    with pytest.raises(ValueError, match="non-finite value in row 1"):
        dispersion(torch.tensor([[1.0, 0.0], [math.nan, 1.0], [0.0, 1.0]]), reg)


def _min_angle(table):
    return sphaera.metrics.min_angle(torch.nn.functional.normalize(table, dim=-1).detach().numpy())


def test_a_task_plus_dispersion_trains_a_plain_parameter_table():
    # A task that pulls every row toward one direction, against dispersion.
    table = torch.nn.Parameter(random_table(24, 3, seed=6))
    north = torch.tensor([0.0, 0.0, 1.0], dtype=torch.float64)
    regularizer = Dispersion("mmd", kernel="riesz", s=1.0)
    optimizer = torch.optim.Adam([table], lr=0.05)
    start = _min_angle(table)
    for _ in range(200):
        optimizer.zero_grad()
        rows = torch.nn.functional.normalize(table, dim=-1)
        task = (1.0 - rows @ north).mean()
        loss = task + 0.5 * regularizer(table)
        loss.backward()
        optimizer.step()
    rows = torch.nn.functional.normalize(table, dim=-1).detach()
    assert (rows @ north).mean() > 0.3  # the task pulled
    assert _min_angle(table) > start  # dispersion spread


def test_geoopt_manifold_parameters_on_the_sphere_train_with_riemannian_adam():
    geoopt = pytest.importorskip("geoopt")
    sphere = geoopt.Sphere()
    start = torch.nn.functional.normalize(random_table(30, 3, seed=7), dim=-1)
    table = geoopt.ManifoldParameter(start.clone(), manifold=sphere)
    regularizer = Dispersion("mma", normalize=False)
    optimizer = geoopt.optim.RiemannianAdam([table], lr=0.02)
    for _ in range(150):
        optimizer.zero_grad()
        regularizer(table).backward()
        optimizer.step()
    norms = table.detach().norm(dim=-1)
    torch.testing.assert_close(norms, torch.ones_like(norms))
    assert _min_angle(table) > _min_angle(start) + 0.2


def test_the_readme_training_loop_runs():
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text()
    section = readme[readme.index("## From Python"):]
    code = section.split("```python\n", 1)[1].split("```", 1)[0]
    scope = {}
    exec(compile(code, "README.md", "exec"), scope)
    assert scope["loss"].item() < 2.3  # below chance (ln 10) after 100 steps
