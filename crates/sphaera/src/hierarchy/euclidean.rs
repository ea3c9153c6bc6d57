//! Euclidean points with the distance softmax of Nickel & Kiela (2017), a baseline.

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::eval::Scorer;
use crate::hierarchy::config::{BurnIn, RowOptimizer, SpherexConfig};
use crate::hierarchy::loss::{PairKind, SpherexLoss};
use crate::hierarchy::points::{
    distance_softmax, is_a_score, point_rows_parameters, row_norms, signed_distance, PointRows,
    IS_A_WEIGHTS,
};
use crate::hierarchy::regions::{EdgeGroup, Regions};

/// A point per node in `R^d`, trained as the Euclidean baseline of Nickel & Kiela (2017):
/// the loss, negatives, initialization and burn-in of [`crate::hierarchy::Poincare`], with
/// the **squared** Euclidean distance `d(u, v) = ‖u − v‖²` in the softmax, as their
/// reference code's Euclidean manifold (`(u − v).pow(2).sum()`). The square matters: with
/// it, far negatives are pushed with a force growing with their distance. Ganea et al.'s
/// (2018) "simple Euclidean" baseline differs here: their reference code (`eucl_simple_model`)
/// uses the plain distance `‖u − v‖`, and leaves the positive out of the softmax's sum.
///
/// - **Loss** per training edge `(u, v)` with negatives `v'_1 … v'_k`:
///   `−ln( e^{−‖u−v‖²} / Σ_{w ∈ {v, v'_1 … v'_k}} e^{−‖u−w‖²} )`, every negative
///   corrupting the ancestor.
/// - **Optimizer** plain SGD on the batch mean (their Riemannian SGD, whose Euclidean
///   metric and retraction make it plain SGD), no norm bound (their Euclidean manifold has
///   none), step size 0.1 (neither paper gives one; 1, Poincaré's, learns the mammal
///   closure worse and a small tree not at all in d = 3), batches of 10 edges, 10
///   negatives, burn-in of 10 epochs at a tenth of the step size.
/// - **Initialization** every coordinate uniform in `[−0.001, 0.001]`.
/// - **Score** `−‖u − v‖²` for reconstruction: a pair ranks by distance. For link
///   prediction, Nickel & Kiela's is-a score `−(1 + α(‖v‖ − ‖u‖)) ‖u − v‖²` with `α` chosen
///   on validation, as for [`crate::hierarchy::Poincare`].
///
/// Deviations: as [`crate::hierarchy::Poincare`] (negatives with replacement, uniform during
/// burn-in).
///
/// ```
/// use sphaera::eval::Scorer;
/// use sphaera::hierarchy::Euclidean;
/// let e = Euclidean::from_points(2, vec![0.0, 0.0, 3.0, 4.0]).unwrap();
/// assert_eq!(e.squared_distance(0, 1), 25.0);
/// assert_eq!(e.score(0, 1), -25.0);
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

    /// `‖u − v‖²`, the distance the loss and the score use.
    pub fn squared_distance(&self, u: u32, v: u32) -> f64 {
        self.point(u)
            .iter()
            .zip(self.point(v))
            .map(|(a, b)| (a - b) * (a - b))
            .sum()
    }

    /// `‖a − b‖²`, with `∂/∂a = 2(a − b)` and `∂/∂b = −2(a − b)` written into the gradients.
    fn distance_grad(&self, a: u32, b: u32, grad_a: &mut [f64], grad_b: &mut [f64]) -> f64 {
        let (x, y) = (self.point(a), self.point(b));
        let mut squared = 0.0;
        for k in 0..x.len() {
            let diff = x[k] - y[k];
            squared += diff * diff;
            grad_a[k] = 2.0 * diff;
            grad_b[k] = -2.0 * diff;
        }
        squared
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
    const CORRUPTS_DESCENDANTS: bool = false;

    fn width(dim: usize) -> usize {
        dim
    }

    fn default_config() -> SpherexConfig {
        SpherexConfig {
            negatives: 10,
            batch_size: 10,
            lr: 0.1,
            optimizer: RowOptimizer::Sgd,
            burn_in: Some(BurnIn {
                epochs: 10,
                factor: 0.1,
            }),
            ..SpherexConfig::default()
        }
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

    /// `‖a − b‖²` for a pair that should be close, `−‖a − b‖²` otherwise: the pairwise
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

/// Scores "`v` is an ancestor of `u`" by `−‖u − v‖²`.
impl Scorer for Euclidean {
    fn score(&self, u: u32, v: u32) -> f64 {
        -self.squared_distance(u, v)
    }
}

/// [`Euclidean`] with each point's norm computed once, for evaluation: the is-a score at
/// its weight (minus the squared distance at weight 0).
pub struct EuclideanScorer<'a> {
    model: &'a Euclidean,
    norms: Vec<f64>,
    weight: f64,
}

impl Scorer for EuclideanScorer<'_> {
    fn score(&self, u: u32, v: u32) -> f64 {
        let d = self.model.squared_distance(u, v);
        is_a_score(
            self.weight,
            d,
            self.norms[u as usize],
            self.norms[v as usize],
        )
    }
}
