//! What a hierarchy model is to the trainer: a row of parameters per node and the loss of
//! a pair of rows.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::eval::Scorer;
use crate::hierarchy::loss::{PairKind, SpherexLoss};

/// A family of regions, one per node, fitted by [`crate::hierarchy::Trainer`].
pub trait Regions:
    Clone + PartialEq + std::fmt::Debug + Serialize + DeserializeOwned + Send + Sync + Scorer
{
    /// The model's name in summaries and checkpoints (`spherex`, `caps`).
    const KIND: &'static str;

    /// Whether [`Regions::sibling_loss`] does anything; a positive sibling weight is refused
    /// for regions without it.
    const DISPERSES_SIBLINGS: bool = false;

    /// The smallest dimension the regions make sense in.
    const MIN_DIM: usize = 1;

    /// `n` regions in `R^dim` where training starts, drawn from `seed`.
    fn initial(n: usize, dim: usize, seed: u64) -> Self;

    /// The regions of `nodes`, in that order (a model renumbered to another node list).
    fn select(&self, nodes: &[u32]) -> Self;

    /// Number of nodes.
    fn n(&self) -> usize;

    /// All parameters, row-major `n × row_width`.
    fn params(&self) -> &[f64];

    /// Parameters per node.
    fn row_width(&self) -> usize;

    /// Parameters per node for regions in `R^dim`: a centre and a radius by default.
    fn row_width_of(dim: usize) -> usize {
        dim + 1
    }

    /// All parameters, row-major `n × row_width`.
    fn params_mut(&mut self) -> &mut [f64];

    /// The loss of the pair `(a, b)` of kind `kind`, with its gradient in row `a` and in
    /// row `b` written into `grad_a` and `grad_b`.
    fn pair_loss(
        &self,
        a: u32,
        b: u32,
        kind: PairKind,
        loss: &SpherexLoss,
        grad_a: &mut [f64],
        grad_b: &mut [f64],
    ) -> f64;

    /// Brings a row back into its domain after a step (radius floor, unit direction).
    fn project(row: &mut [f64], min_radius: f64);

    /// How many leading coordinates of a row of `width` are a point of the unit sphere.
    /// The trainer steps them with Riemannian Adam (tangent gradient, one second moment,
    /// retraction), so they stay on the sphere by construction instead of being pulled off
    /// it and renormalized; the other coordinates take coordinate-wise Adam. 0 by default:
    /// the whole row is Euclidean.
    fn sphere_coordinates(width: usize) -> usize {
        let _ = width;
        0
    }

    /// `weight ·` the dispersion of the centres of siblings `a` and `b`, with its gradient
    /// written into `grad_a` and `grad_b`. Regions without it (balls) return 0.
    fn sibling_loss(
        &self,
        a: u32,
        b: u32,
        weight: f64,
        grad_a: &mut [f64],
        grad_b: &mut [f64],
    ) -> f64 {
        let _ = (a, b, weight);
        grad_a.fill(0.0);
        grad_b.fill(0.0);
        0.0
    }

    /// A scorer for evaluating many pairs (radii computed once).
    type Scoring<'a>: Scorer
    where
        Self: 'a;

    /// The scorer of [`Regions::Scoring`].
    fn scoring(&self) -> Self::Scoring<'_>;
}
