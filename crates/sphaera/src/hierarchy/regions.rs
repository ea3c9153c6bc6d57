//! What a hierarchy model is to the trainer: a row of parameters per node and the loss of
//! a pair of rows.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::eval::Scorer;
use crate::hierarchy::config::SpherexConfig;
use crate::hierarchy::loss::{PairKind, SpherexLoss};

/// One training edge as the trainer hands it to [`Regions::group_loss`]: the positive
/// `(u, v)` (`v` an ancestor of `u`) and the negatives drawn for it, each `(a, b, kind)`.
#[derive(Clone, Copy, Debug)]
pub struct EdgeGroup<'a> {
    /// The positive edge `(child, ancestor)`.
    pub positive: (u32, u32),
    /// Its negatives, in the order they were drawn.
    pub negatives: &'a [(u32, u32, PairKind)],
}

/// Which end of a positive edge `(u, v)` (`v` an ancestor of `u`) its negatives replace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Corruption {
    /// Half the negatives `(w, v)`, `w` not a known descendant of `v`, half `(u, w)`, `w` not
    /// a known ancestor of `u` (SpheREx).
    Alternate,
    /// Every negative `(u, w)`, `w` not a known ancestor of `u`: the softmax of Nickel &
    /// Kiela (2017) over the candidates of `u`.
    Ancestor,
    /// Every negative `(w, v)`, `w` not a known descendant of `v`: nodes pushed out of `v`'s
    /// region, as Ganea et al.'s (2018) cones are trained.
    Descendant,
}

/// The point model a family of regions is pretrained as ([`Regions::pretraining`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointStart {
    /// Poincaré embeddings ([`crate::hierarchy::Poincare`]).
    Poincare,
    /// Euclidean points with the distance softmax ([`crate::hierarchy::Euclidean`]).
    Euclidean,
}

/// Point embeddings trained first, on the same edges, whose points become the start of
/// training (entailment cones start so).
#[derive(Clone, Debug, PartialEq)]
pub struct Pretraining {
    /// The point model.
    pub points: PointStart,
    /// Its epochs.
    pub epochs: u64,
    /// Its settings; the run's dimension, seed, batch size and negatives replace theirs.
    pub config: SpherexConfig,
}

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

    /// Which end of a positive its negatives replace; half each by default, as SpheREx
    /// draws them.
    const CORRUPTION: Corruption = Corruption::Alternate;

    /// Parameters per node in `R^dim` (a centre and a radius by default: `dim + 1`).
    fn width(dim: usize) -> usize {
        dim + 1
    }

    /// The paper's defaults for this model: what `sphaera hierarchy train --model …` uses
    /// when a setting is not given. SpheREx's by default.
    fn default_config() -> SpherexConfig {
        SpherexConfig::default()
    }

    /// `n` regions in `R^dim` where training starts, drawn from `seed`.
    fn initial(n: usize, dim: usize, seed: u64) -> Self;

    /// The point embeddings to train first, if training starts from them
    /// ([`Regions::from_pretrained`]) rather than from [`Regions::initial`]. None by default.
    fn pretraining() -> Option<Pretraining> {
        None
    }

    /// The regions that start training from the pretrained points (`n × dim`, row-major)
    /// of [`Regions::pretraining`]. Only called when that is given; by default the points'
    /// count and dimension make an [`Regions::initial`] model.
    fn from_pretrained(dim: usize, points: Vec<f64>) -> crate::error::Result<Self> {
        Ok(Self::initial(points.len() / dim.max(1), dim, 0))
    }

    /// The regions of `nodes`, in that order (a model renumbered to another node list).
    fn select(&self, nodes: &[u32]) -> Self;

    /// Number of nodes.
    fn n(&self) -> usize;

    /// All parameters, row-major `n × row_width`.
    fn params(&self) -> &[f64];

    /// Parameters per node.
    fn row_width(&self) -> usize;

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

    /// The loss of one training edge with its negatives, and how many terms it counts for in
    /// the batch mean (the trainer scales the summed gradients by one over the batch's
    /// terms). Gradients go two rows per pair (the pair's first node, then its second):
    /// the positive's into `positive_grads` (`2 × width`), the negatives' in order into
    /// `negative_grads` (`2 × width` each).
    ///
    /// By default the pairs are independent: the sum of [`Regions::pair_loss`] over the
    /// positive (`Contained`) and the negatives, each pair a term. A model whose loss couples
    /// a positive with its negatives (the distance softmax of Nickel & Kiela) overrides it.
    fn group_loss(
        &self,
        group: EdgeGroup<'_>,
        loss: &SpherexLoss,
        positive_grads: &mut [f64],
        negative_grads: &mut [f64],
    ) -> (f64, u32) {
        let total = summed_pair_losses(self, group, loss, positive_grads, negative_grads);
        (total, 1 + group.negatives.len() as u32)
    }

    /// Brings a row back into its domain after a step (radius floor, unit direction).
    fn project(row: &mut [f64], min_radius: f64);

    /// Turns the Euclidean gradient of a row into the step direction of the model's metric,
    /// in place, before the optimizer uses it: `(1 − ‖θ‖²)²/4 ·` for the Poincaré ball,
    /// whose Riemannian SGD is then a plain step followed by [`Regions::project`]. Nothing by
    /// default.
    fn riemannian_gradient(row: &[f64], grad: &mut [f64]) {
        let _ = (row, grad);
    }

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

    /// Values of a free weight of the score that link prediction chooses on validation
    /// together with the threshold, as Ganea et al. (2018) choose the `α` of Nickel & Kiela's
    /// is-a score `−(1 + α(‖v‖ − ‖u‖)) d(u, v)` for point embeddings. Empty (the default):
    /// the score has no free weight.
    const SCORE_WEIGHTS: &'static [f64] = &[];

    /// The scorer at score weight `weight` (one of [`Regions::SCORE_WEIGHTS`]); by default
    /// [`Regions::scoring`].
    fn weighted_scoring(&self, weight: f64) -> Self::Scoring<'_> {
        let _ = weight;
        self.scoring()
    }

    /// A scorer for evaluating many pairs (radii computed once).
    type Scoring<'a>: Scorer
    where
        Self: 'a;

    /// The scorer of [`Regions::Scoring`].
    fn scoring(&self) -> Self::Scoring<'_>;
}

/// The sum of [`Regions::pair_loss`] over a group's positive (`Contained`) and its negatives,
/// gradients laid out as [`Regions::group_loss`] lays them out.
pub(crate) fn summed_pair_losses<M: Regions>(
    model: &M,
    group: EdgeGroup<'_>,
    loss: &SpherexLoss,
    positive_grads: &mut [f64],
    negative_grads: &mut [f64],
) -> f64 {
    let w = model.row_width();
    let (u, v) = group.positive;
    let (ga, gb) = positive_grads.split_at_mut(w);
    let mut total = model.pair_loss(u, v, PairKind::Contained, loss, ga, gb);
    for (&(a, b, kind), grads) in group
        .negatives
        .iter()
        .zip(negative_grads.chunks_exact_mut(2 * w))
    {
        let (ga, gb) = grads.split_at_mut(w);
        total += model.pair_loss(a, b, kind, loss, ga, gb);
    }
    total
}
