"""Dispersion regularizers as PyTorch modules, with the exact gradient of the Rust core.

The points are copied to the CPU, where the value and the gradient are computed (all cores,
without the GIL); the gradient returns on the tensor's device and in its dtype. Float32 and
float64 are computed as they are; other floating dtypes in float32. For float32 tensors the
pairwise matrix products of the kernel and nearest-neighbour methods run in float32, as
PyTorch's would (about 30% faster for ``mmd``); the kernels and every sum stay in float64, so
values match float64 to about 1e-11 and gradients to about 3e-7. Float64 tensors get float64
throughout.

>>> import torch
>>> from sphaera.torch import Dispersion
>>> table = torch.nn.Parameter(torch.randn(50, 8, dtype=torch.float64))
>>> loss = Dispersion("mma")(table)  # rows normalized inside, so any table works
>>> loss.backward()
>>> table.grad.shape
torch.Size([50, 8])

A training step that trades a task off against dispersion::

    regularizer = Dispersion("mmd", kernel="gaussian", gamma=1.0)
    loss = task_loss + lam * regularizer(prototypes)
    loss.backward()

Second derivatives are not available (the backward is computed once, in Rust).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from sphaera._core import Regularizer

__all__ = ["Dispersion", "dispersion"]


class _Dispersion(torch.autograd.Function):
    """The regularizer's value; its backward is the Rust gradient, computed in forward."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, regularizer: Regularizer) -> torch.Tensor:  # type: ignore[override]
        compute = x.dtype if x.dtype in (torch.float32, torch.float64) else torch.float32
        points = x.detach().to(device="cpu", dtype=compute).contiguous().numpy()
        if ctx.needs_input_grad[0]:
            value, grad = regularizer.value_and_grad(points)
            ctx.save_for_backward(torch.from_numpy(grad).to(device=x.device, dtype=x.dtype))
        else:
            value = regularizer.value(points)
        return torch.tensor(value, dtype=x.dtype, device=x.device)

    @staticmethod
    @torch.autograd.function.once_differentiable
    def backward(ctx, grad_output: torch.Tensor):  # type: ignore[override]
        (grad,) = ctx.saved_tensors
        return grad_output * grad, None


def dispersion(x: torch.Tensor, regularizer: Regularizer) -> torch.Tensor:
    """`regularizer` at the rows of `x` (an ``(n, d)`` tensor, rows taken as they are)."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"x must be a torch.Tensor, got {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"x must be a floating-point tensor, got {x.dtype}")
    return _Dispersion.apply(x, regularizer)


class Dispersion(torch.nn.Module):
    """A dispersion regularizer of ``(n, d)`` tables: ``Dispersion(method, **options)`` with
    the options of :class:`sphaera.Regularizer` (``kernel``, ``distance``, ``gamma``, ``s``,
    ``t``, ``samples``, ``slices``, ``seed``, ``resample``, ``threads``).

    With ``normalize=True`` (the default) rows are normalized first, inside the autograd
    graph, so plain parameters get the gradient of the regularizer of their directions. Pass
    ``normalize=False`` for tables that are already unit rows (``F.normalize``-d outputs,
    geoopt's ``ManifoldParameter`` on the sphere).
    """

    def __init__(self, method: str, *, normalize: bool = True, **options) -> None:
        super().__init__()
        self.regularizer = Regularizer(method, **options)
        self.normalize = normalize

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.normalize:
            x = F.normalize(x, dim=-1)
        return dispersion(x, self.regularizer)

    def extra_repr(self) -> str:
        return f"{self.regularizer!r}, normalize={self.normalize}"
