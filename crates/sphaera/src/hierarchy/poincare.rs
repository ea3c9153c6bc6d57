//! Poincaré embeddings (Nickel & Kiela 2017, "Poincaré Embeddings for Learning Hierarchical
//! Representations"), a baseline: a point per node in the open unit ball `B^d`.

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

/// A point per node in the Poincaré ball, trained as Nickel & Kiela (2017):
///
/// - **Distance** `d(u, v) = arcosh(1 + 2‖u − v‖² / ((1 − ‖u‖²)(1 − ‖v‖²)))`.
/// - **Loss** per training edge `(u, v)` with negatives `v'_1 … v'_k`:
///   `−ln( e^{−d(u,v)} / Σ_{w ∈ {v, v'_1 … v'_k}} e^{−d(u,w)} )`. Every negative corrupts the
///   ancestor, `v'` drawn uniformly among the nodes that are not known ancestors of `u`
///   (their `N(u)`), so descendants of `u` can be negatives, as in the paper.
/// - **Optimizer** Riemannian SGD: the Euclidean gradient scaled by `(1 − ‖θ‖²)²/4`, a
///   plain step, then the projection `θ ← θ (1 − ε)/‖θ‖` when `‖θ‖ ≥ 1 − ε`, `ε = 10⁻⁵`
///   (the reference code's). The batch gradient is the mean over the batch's edges (the
///   reference code's `cross_entropy` mean).
/// - **Burn-in** the first 10 epochs at a tenth of the step size, as the paper.
/// - **Initialization** every coordinate uniform in `[−0.001, 0.001]`.
/// - **Score** `−d(u, v)` for reconstruction, as the paper ranks. For link prediction, the
///   is-a score of their section 4.3, `−(1 + α(‖v‖ − ‖u‖)) d(u, v)`, with `α` chosen on
///   validation with the threshold among 1000, 100, 30, 10, 3, 1, 0.3, 0.1 and 0, as Ganea et
///   al.'s (2018) reference code scores this baseline ([`Regions::SCORE_WEIGHTS`]): the
///   distance alone is symmetric and cannot tell an edge from its reverse.
///
/// Defaults ([`Regions::default_config`]): 10 negatives, batches of 10 edges, step size 1
/// on the batch mean (gensim's `PoincareModel`: 0.1 per edge, summed over a batch of 10,
/// burn-in at 0.01).
///
/// Deviations: negatives are drawn with replacement (the reference code redraws
/// duplicates) and uniformly during the burn-in too (the reference draws them by degree
/// during it); the reference code also clips each row's Riemannian gradient to norm 5,
/// which is not done here; f64 throughout.
///
/// ```
/// use sphaera::eval::Scorer;
/// use sphaera::hierarchy::Poincare;
/// let p = Poincare::from_points(1, vec![0.0, 0.5]).unwrap();
/// // d(0, x) = 2 artanh(x).
/// assert!((p.distance(0, 1) - 2.0 * 0.5f64.atanh()).abs() < 1e-12);
/// assert_eq!(p.score(0, 1), -p.distance(0, 1));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Poincare {
    points: PointRows,
}

/// The projection's margin inside the unit ball.
const EPS: f64 = 1e-5;

/// `d(a, b)` from `1 − ‖a‖²`, `1 − ‖b‖²` and `‖a − b‖²`, and `t = 2‖a − b‖²/(αβ)`.
fn arcosh_form(alpha: f64, beta: f64, squared: f64) -> (f64, f64) {
    let t = 2.0 * squared / (alpha * beta);
    // arcosh(1 + t) = ln(1 + t + √(t(t + 2))), exact near t = 0.
    ((t + (t * (t + 2.0)).sqrt()).ln_1p(), t)
}

fn squared_norm(x: &[f64]) -> f64 {
    x.iter().map(|v| v * v).sum()
}

fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

impl Poincare {
    /// Points from `n × dim` coordinates, each row strictly inside the unit ball.
    pub fn from_points(dim: usize, points: Vec<f64>) -> Result<Self> {
        let inside = |r: &[f64]| r.iter().all(|v| v.is_finite()) && squared_norm(r) < 1.0;
        Ok(Self {
            points: PointRows::from_rows(dim, points, "Poincaré points", inside)?,
        })
    }

    /// Number of points.
    pub fn n(&self) -> usize {
        self.points.n()
    }

    /// Dimension of the ball.
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

    /// The Poincaré distance between the points of `u` and `v`.
    pub fn distance(&self, u: u32, v: u32) -> f64 {
        let (a, b) = (self.point(u), self.point(v));
        arcosh_form(
            1.0 - squared_norm(a),
            1.0 - squared_norm(b),
            squared_distance(a, b),
        )
        .0
    }

    /// `d(a, b)`, with `∂d/∂a` and `∂d/∂b` written into `grad_a` and `grad_b`:
    /// `∂d/∂a = 4/(αβ √(t(t+2))) · ((a − b) + ‖a − b‖²/α · a)`, `α = 1 − ‖a‖²`,
    /// `β = 1 − ‖b‖²`, `t = 2‖a − b‖²/(αβ)`; zero where the points coincide.
    fn distance_grad(&self, a: u32, b: u32, grad_a: &mut [f64], grad_b: &mut [f64]) -> f64 {
        let (x, y) = (self.point(a), self.point(b));
        let (alpha, beta) = (1.0 - squared_norm(x), 1.0 - squared_norm(y));
        let squared = squared_distance(x, y);
        let (d, t) = arcosh_form(alpha, beta, squared);
        let root = (t * (t + 2.0)).sqrt();
        if root > 0.0 {
            let common = 4.0 / (alpha * beta * root);
            for k in 0..x.len() {
                let diff = x[k] - y[k];
                grad_a[k] = common * (diff + squared / alpha * x[k]);
                grad_b[k] = common * (-diff + squared / beta * y[k]);
            }
        } else {
            grad_a.fill(0.0);
            grad_b.fill(0.0);
        }
        d
    }

    /// The points of `nodes`, in that order.
    pub fn select(&self, nodes: &[u32]) -> Self {
        Self {
            points: self.points.select(nodes),
        }
    }
}

impl Regions for Poincare {
    const KIND: &'static str = "poincare";
    const CORRUPTION: Corruption = Corruption::Ancestor;

    fn width(dim: usize) -> usize {
        dim
    }

    fn default_config() -> SpherexConfig {
        softmax_training(1.0)
    }

    fn initial(n: usize, dim: usize, seed: u64) -> Self {
        Self {
            points: PointRows::initial(n, dim, seed),
        }
    }

    fn select(&self, nodes: &[u32]) -> Self {
        Poincare::select(self, nodes)
    }

    point_rows_parameters!();

    /// `d(a, b)` for a pair that should be close, `−d(a, b)` otherwise: the pairwise
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

    fn project(row: &mut [f64], _min_radius: f64) {
        let norm = squared_norm(row).sqrt();
        if norm >= 1.0 - EPS {
            let factor = (1.0 - EPS) / norm;
            row.iter_mut().for_each(|x| *x *= factor);
        }
    }

    fn riemannian_gradient(row: &[f64], grad: &mut [f64]) {
        let factor = (1.0 - squared_norm(row)).powi(2) / 4.0;
        grad.iter_mut().for_each(|g| *g *= factor);
    }

    const SCORE_WEIGHTS: &'static [f64] = IS_A_WEIGHTS;

    type Scoring<'a> = PoincareScorer<'a>;

    fn scoring(&self) -> PoincareScorer<'_> {
        self.weighted_scoring(0.0)
    }

    fn weighted_scoring(&self, weight: f64) -> PoincareScorer<'_> {
        PoincareScorer {
            model: self,
            alphas: self
                .points
                .rows
                .chunks_exact(self.points.dim)
                .map(|r| 1.0 - squared_norm(r))
                .collect(),
            norms: row_norms(&self.points),
            weight,
        }
    }
}

/// Scores "`v` is an ancestor of `u`" by `−d(u, v)`.
impl Scorer for Poincare {
    fn score(&self, u: u32, v: u32) -> f64 {
        -self.distance(u, v)
    }
}

/// [`Poincare`] with `1 − ‖x‖²` and `‖x‖` computed once per point, for evaluation: the
/// is-a score at its weight (minus the distance at weight 0).
pub struct PoincareScorer<'a> {
    model: &'a Poincare,
    alphas: Vec<f64>,
    norms: Vec<f64>,
    weight: f64,
}

impl Scorer for PoincareScorer<'_> {
    fn score(&self, u: u32, v: u32) -> f64 {
        let squared = squared_distance(self.model.point(u), self.model.point(v));
        let (u, v) = (u as usize, v as usize);
        let d = arcosh_form(self.alphas[u], self.alphas[v], squared).0;
        is_a_score(self.weight, d, self.norms[u], self.norms[v])
    }
}
