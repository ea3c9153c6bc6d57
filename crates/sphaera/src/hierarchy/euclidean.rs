//! Euclidean points with the distance softmax of Nickel & Kiela (2017), a baseline (Ganea et
//! al.'s "simple Euclidean").

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::eval::Scorer;
use crate::hierarchy::config::SpherexConfig;
use crate::hierarchy::loss::{PairKind, SpherexLoss};
use crate::hierarchy::points::{
    distance_softmax, is_a_score, point_rows_parameters, row_norms, signed_distance,
    softmax_training, PointRows, IS_A_WEIGHTS,
};
use crate::hierarchy::regions::{Corruption, EdgeGroup, Regions};

/// A point per node in `R^d`: the "simple Euclidean" baseline of Ganea et al. (2018), the
/// Euclidean counterpart of Nickel & Kiela's (2017) Poincaré embeddings: the loss,
/// negatives, initialization and burn-in of [`crate::hierarchy::Poincare`] with the **plain**
/// Euclidean distance `d(u, v) = ‖u − v‖` in the softmax, as Ganea et al.'s reference code
/// (`eucl_simple_model`). Nickel & Kiela's reference code uses the squared distance
/// `‖u − v‖²` instead, and that changes results a lot; measured with this trainer (seed 0,
/// d = 10): link prediction on the noun split at 10%, 30 epochs, test F1 27.6% squared
/// against 63.1% plain; on the mammal split at 25%, 300 epochs, 55.2% against 65.5%; mammal
/// reconstruction, 300 epochs, MAP 0.275 against 0.298. With the square, a far negative is
/// pushed with a force growing with its distance and the points spread out of scale.
///
/// - **Loss** per training edge `(u, v)` with negatives `v'_1 … v'_k`:
///   `−ln( e^{−‖u−v‖} / Σ_{w ∈ {v, v'_1 … v'_k}} e^{−‖u−w‖} )`, every negative corrupting
///   the ancestor (Ganea et al.'s code leaves the positive out of the sum, as gensim does).
/// - **Optimizer** plain SGD on the batch mean (their Riemannian SGD, whose Euclidean metric
///   and retraction make it plain SGD), no norm bound, step size 0.3 on the mean of batches
///   of 10 edges (Ganea et al.'s 0.03 per edge, summed over the batch), 10 negatives,
///   burn-in of 10 epochs at a tenth of the step size.
/// - **Initialization** every coordinate uniform in `[−0.001, 0.001]`.
/// - **Score** `−‖u − v‖` for reconstruction: a pair ranks by distance. For link
///   prediction, Nickel & Kiela's is-a score `−(1 + α(‖v‖ − ‖u‖)) ‖u − v‖` with `α` chosen
///   on validation, as Ganea et al.'s code scores it (see [`crate::hierarchy::Poincare`]).
///
/// Deviations: as [`crate::hierarchy::Poincare`] (negatives with replacement, uniform during
/// burn-in).
///
/// ```
/// use sphaera::eval::Scorer;
/// use sphaera::hierarchy::Euclidean;
/// let e = Euclidean::from_points(2, vec![0.0, 0.0, 3.0, 4.0]).unwrap();
/// assert_eq!(e.distance(0, 1), 5.0);
/// assert_eq!(e.score(0, 1), -5.0);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Euclidean {
    points: PointRows,
}

impl Euclidean {
    /// Points from `n × dim` finite coordinates.
    pub fn from_points(dim: usize, points: Vec<f64>) -> Result<Self> {
        let finite = |r: &[f64]| r.iter().all(|v| v.is_finite());
        Ok(Self {
            points: PointRows::from_rows(dim, points, "Euclidean points", finite)?,
        })
    }

    /// Number of points.
    pub fn n(&self) -> usize {
        self.points.n()
    }

    /// Dimension of the space.
    pub fn dim(&self) -> usize {
        self.points.dim
    }

    /// The point of node `u`.
    pub fn point(&self, u: u32) -> &[f64] {
        self.points.row(u)
    }

    /// All points, row-major `n × dim`.
    pub fn points(&self) -> &[f64] {
        &self.points.rows
    }

    /// `‖u − v‖`, the distance the loss and the score use.
    pub fn distance(&self, u: u32, v: u32) -> f64 {
        self.point(u)
            .iter()
            .zip(self.point(v))
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt()
    }

    /// `‖a − b‖`, with `∂/∂a = (a − b)/‖a − b‖` and `∂/∂b = −(a − b)/‖a − b‖` written into
    /// the gradients (zero where the points coincide).
    fn distance_grad(&self, a: u32, b: u32, grad_a: &mut [f64], grad_b: &mut [f64]) -> f64 {
        let (x, y) = (self.point(a), self.point(b));
        let distance = x
            .iter()
            .zip(y)
            .map(|(p, q)| (p - q) * (p - q))
            .sum::<f64>()
            .sqrt();
        let inverse = if distance > 0.0 { 1.0 / distance } else { 0.0 };
        for k in 0..x.len() {
            let diff = x[k] - y[k];
            grad_a[k] = diff * inverse;
            grad_b[k] = -diff * inverse;
        }
        distance
    }

    /// The points of `nodes`, in that order.
    pub fn select(&self, nodes: &[u32]) -> Self {
        Self {
            points: self.points.select(nodes),
        }
    }
}

impl Regions for Euclidean {
    const KIND: &'static str = "euclidean";
    const CORRUPTION: Corruption = Corruption::Ancestor;

    fn width(dim: usize) -> usize {
        dim
    }

    fn default_config() -> SpherexConfig {
        softmax_training(0.3)
    }

    fn initial(n: usize, dim: usize, seed: u64) -> Self {
        Self {
            points: PointRows::initial(n, dim, seed),
        }
    }

    fn select(&self, nodes: &[u32]) -> Self {
        Euclidean::select(self, nodes)
    }

    point_rows_parameters!();

    /// `‖a − b‖` for a pair that should be close, `−‖a − b‖` otherwise: the pairwise
    /// reading of the distance; training goes through [`Regions::group_loss`].
    fn pair_loss(
        &self,
        a: u32,
        b: u32,
        kind: PairKind,
        _loss: &SpherexLoss,
        grad_a: &mut [f64],
        grad_b: &mut [f64],
    ) -> f64 {
        let d = self.distance_grad(a, b, grad_a, grad_b);
        signed_distance(d, kind, grad_a, grad_b)
    }

    fn group_loss(
        &self,
        group: EdgeGroup<'_>,
        _loss: &SpherexLoss,
        positive_grads: &mut [f64],
        negative_grads: &mut [f64],
    ) -> (f64, u32) {
        distance_softmax(
            group,
            self.points.dim,
            positive_grads,
            negative_grads,
            |a, b, ga, gb| self.distance_grad(a, b, ga, gb),
        )
    }

    /// No domain to come back to.
    fn project(_row: &mut [f64], _min_radius: f64) {}

    const SCORE_WEIGHTS: &'static [f64] = IS_A_WEIGHTS;

    type Scoring<'a> = EuclideanScorer<'a>;

    fn scoring(&self) -> EuclideanScorer<'_> {
        self.weighted_scoring(0.0)
    }

    fn weighted_scoring(&self, weight: f64) -> EuclideanScorer<'_> {
        EuclideanScorer {
            model: self,
            norms: row_norms(&self.points),
            weight,
        }
    }
}

/// Scores "`v` is an ancestor of `u`" by `−‖u − v‖`.
impl Scorer for Euclidean {
    fn score(&self, u: u32, v: u32) -> f64 {
        -self.distance(u, v)
    }
}

/// [`Euclidean`] with each point's norm computed once, for evaluation: the is-a score at
/// its weight (minus the distance at weight 0).
pub struct EuclideanScorer<'a> {
    model: &'a Euclidean,
    norms: Vec<f64>,
    weight: f64,
}

impl Scorer for EuclideanScorer<'_> {
    fn score(&self, u: u32, v: u32) -> f64 {
        let d = self.model.distance(u, v);
        is_a_score(
            self.weight,
            d,
            self.norms[u as usize],
            self.norms[v as usize],
        )
    }
}
