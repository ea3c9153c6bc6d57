//! A baseline: entailment cones (Ganea, Bécigneul and Hofmann, "Hyperbolic Entailment Cones
//! for Learning Hierarchical Embeddings", ICML 2018), in the Poincaré ball and in `R^d`.
//!
//! Each node is a point `x`, the apex of a cone that opens away from the origin, its axis
//! along `x` and its half-aperture `ψ(x)` shrinking as `x` moves out; "`u` is-a `v`" holds
//! when `u` lies in the cone of `v`. With `Ξ(x, y)` the angle at `x` between the cone's axis
//! and the geodesic from `x` to `y`, the energy of "`u` is-a `v`" is
//!
//! ```text
//! E(u, v) = max(0, Ξ(x_v, x_u) − ψ(x_v))
//! ```
//!
//! zero exactly inside the cone. In the Poincaré ball (their eq. 25–28)
//!
//! ```text
//! ψ(x) = asin(K (1 − ‖x‖²) / ‖x‖)
//! cos Ξ(x, y) = (⟨x, y⟩(1 + ‖x‖²) − ‖x‖²(1 + ‖y‖²)) / (‖x‖ ‖x − y‖ √(1 + ‖x‖²‖y‖² − 2⟨x, y⟩))
//! ```
//!
//! defined outside the ball of radius `2K / (1 + √(1 + 4K²))`; in `R^d`
//! `ψ(x) = asin(K / ‖x‖)` (for `‖x‖ ≥ K`) and `Ξ(x, y)` is the angle between `x` and `y − x`.
//! The loss of a training edge is `E` of the positive plus `max(0, γ − E)` of each negative,
//! with `K = 0.1` and the margin `γ = 0.01` of the paper's experiments.
//!
//! Pairs are scored by minus the angle gap `Ξ(x_v, x_u) − ψ(x_v)`, not clipped at 0: outside
//! the cone that is `−E(u, v)`, the paper's score; inside, where `E` is 0 for every pair and
//! a ranking would be one long tie (which reconstruction counts against the model), the
//! gap still ranks the pairs, deepest inside first. For link prediction a threshold on the
//! gap chooses among the paper's classifiers (thresholds on `E`) and those inside the cone.
//!
//! Training starts where the paper's does ([`Regions::pretraining`]): from point embeddings
//! of the same geometry (Poincaré embeddings for hyperbolic cones, the Euclidean softmax
//! baseline for Euclidean cones) trained on the same edges for 100 epochs, scaled by 0.7 and
//! projected into the cones' domain (their reference code's `resc_vecs`).
//!
//! ## Deviations from the paper
//! - **Optimizer.** Riemannian SGD in the ball (plain SGD in `R^d`) on the batch mean, with
//!   the reference's step 3·10⁻⁴ per edge summed over batches of 10 edges (its best setting
//!   for both kinds of cone) written as 3·10⁻³ on the mean; 10 negatives per edge, as theirs.
//! - **Negatives.** Every negative replaces the descendant: for the positive "`u` is-a `v`",
//!   nodes `w` drawn uniformly among those not known to be descendants of `v`, each to be
//!   kept out of `v`'s cone (their setting: negatives attached to the parent, true negatives
//!   only, not sampled among the parent's children), with replacement. Replacing the
//!   ancestor instead (pushing `u` out of random cones) rarely draws the few wide cones of
//!   general concepts, which then grow over everything: on the noun split at 25% (d = 10,
//!   300 epochs) that scored 66.4% test F1.
//! - **Pretraining** follows the reference code's settings (step 0.03 per edge, a 20-epoch
//!   burn-in at a tenth of it, negatives drawn by degree to the power 0.75), for Euclidean
//!   cones too; the only difference left is that negatives are drawn with replacement.
//! - **Angles.** `cos Ξ` is clipped to `[−1 + 10⁻⁷, 1 − 10⁻⁷]` as in the reference code (no
//!   gradient beyond the clip); f64 throughout.

use std::marker::PhantomData;

use serde::{Deserialize, Serialize};

use crate::error::{check, Error, Result};
use crate::eval::Scorer;
use crate::hierarchy::config::{RowOptimizer, SpherexConfig};
use crate::hierarchy::loss::{PairKind, SpherexLoss};
use crate::hierarchy::points::{cone_pretraining, point_rows_parameters, PointRows};
use crate::hierarchy::regions::{
    summed_pair_losses, Corruption, EdgeGroup, PointStart, Pretraining, Regions,
};

/// The cones' aperture constant `K` (the paper's 0.1).
pub const CONE_K: f64 = 0.1;
/// How far inside its domain a point is kept (the reference code's `ε`).
const DOMAIN_MARGIN: f64 = 1e-5;
/// The clip of `cos Ξ` away from ±1.
const COS_CLIP: f64 = 1e-7;
/// The reference code's scaling of the pretrained points (`resc_vecs`).
const RESCALE: f64 = 0.7;
/// Epochs of point pretraining (the paper's 100).
const PRETRAINING_EPOCHS: u64 = 100;

/// The space the cones live in: its aperture, angle, domain and metric.
pub trait ConeGeometry:
    Clone + Copy + PartialEq + std::fmt::Debug + Default + Send + Sync + 'static
{
    /// The model's name (`--model`).
    const KIND: &'static str;
    /// The point model pretrained before the cones.
    const START: PointStart;
    /// The half-aperture `ψ(x)` of the cone at `x`.
    fn aperture(x: &[f64]) -> f64;
    /// `ψ(x)` and the factor `f` of its gradient, which points along `x`: `∂ψ/∂x = f x`.
    fn aperture_grad(x: &[f64]) -> (f64, f64);
    /// `cos Ξ(x, y)`.
    fn cos_angle(x: &[f64], y: &[f64]) -> f64;
    /// `cos Ξ(x, y)` and its gradients in `x` and `y`.
    fn cos_angle_grad(x: &[f64], y: &[f64], grad_x: &mut [f64], grad_y: &mut [f64]) -> f64;
    /// The smallest norm of a point (where `ψ` reaches `π/2`), before the margin.
    fn inner_radius() -> f64;
    /// The largest norm of a point (`1` for the ball), before the margin.
    fn outer_radius() -> f64;
    /// The Riemannian gradient from the Euclidean one, in place.
    fn riemannian_gradient(x: &[f64], grad: &mut [f64]);
}

/// Cones in the Poincaré ball (Ganea et al.'s hyperbolic entailment cones).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Hyperbolic;

/// Cones in `R^d` (Ganea et al.'s Euclidean entailment cones).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flat;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

impl ConeGeometry for Hyperbolic {
    const KIND: &'static str = "hyperbolic-cones";
    const START: PointStart = PointStart::Poincare;

    fn aperture(x: &[f64]) -> f64 {
        let r2 = dot(x, x);
        (CONE_K * (1.0 - r2) / r2.sqrt()).min(1.0).asin()
    }

    fn aperture_grad(x: &[f64]) -> (f64, f64) {
        // s = K(1 − r²)/r, ds/dr = −K(1 + r²)/r², dψ/dx = ds/dr / √(1 − s²) · x/r.
        let r2 = dot(x, x);
        let r = r2.sqrt();
        let s = (CONE_K * (1.0 - r2) / r).min(1.0);
        let factor = -CONE_K * (1.0 + r2) / (r2 * r * (1.0 - s * s).max(f64::MIN_POSITIVE).sqrt());
        (s.asin(), factor)
    }

    fn cos_angle(x: &[f64], y: &[f64]) -> f64 {
        let (a, b, p) = (dot(x, x), dot(y, y), dot(x, y));
        let d = (a + b - 2.0 * p).max(f64::MIN_POSITIVE);
        let g = 1.0 + a * b - 2.0 * p;
        (p * (1.0 + a) - a * (1.0 + b)) / (a * d * g).sqrt()
    }

    fn cos_angle_grad(x: &[f64], y: &[f64], grad_x: &mut [f64], grad_y: &mut [f64]) -> f64 {
        // c = N / √(A D G): N = p(1 + A) − A(1 + B), A = ‖x‖², B = ‖y‖², p = ⟨x, y⟩,
        // D = ‖x − y‖² = A + B − 2p, G = 1 + AB − 2p; dc = dN/√(ADG) − c/2 (dA/A + dD/D + dG/G).
        let (a, b, p) = (dot(x, x), dot(y, y), dot(x, y));
        let d = (a + b - 2.0 * p).max(f64::MIN_POSITIVE);
        let g = 1.0 + a * b - 2.0 * p;
        let n = p * (1.0 + a) - a * (1.0 + b);
        let root = (a * d * g).sqrt();
        let c = n / root;
        for k in 0..x.len() {
            let (xk, yk) = (x[k], y[k]);
            let dn_x = yk * (1.0 + a) + 2.0 * p * xk - 2.0 * xk * (1.0 + b);
            let dn_y = xk * (1.0 + a) - 2.0 * a * yk;
            let dlog_x = 2.0 * xk / a + 2.0 * (xk - yk) / d + (2.0 * b * xk - 2.0 * yk) / g;
            let dlog_y = 2.0 * (yk - xk) / d + (2.0 * a * yk - 2.0 * xk) / g;
            grad_x[k] = dn_x / root - 0.5 * c * dlog_x;
            grad_y[k] = dn_y / root - 0.5 * c * dlog_y;
        }
        c
    }

    fn inner_radius() -> f64 {
        2.0 * CONE_K / (1.0 + (1.0 + 4.0 * CONE_K * CONE_K).sqrt())
    }

    fn outer_radius() -> f64 {
        1.0
    }

    fn riemannian_gradient(x: &[f64], grad: &mut [f64]) {
        let factor = (1.0 - dot(x, x)).powi(2) / 4.0;
        grad.iter_mut().for_each(|g| *g *= factor);
    }
}

impl ConeGeometry for Flat {
    const KIND: &'static str = "euclidean-cones";
    const START: PointStart = PointStart::Euclidean;

    fn aperture(x: &[f64]) -> f64 {
        (CONE_K / dot(x, x).sqrt()).min(1.0).asin()
    }

    fn aperture_grad(x: &[f64]) -> (f64, f64) {
        // ψ = asin(K/r), dψ/dx = −K x / (r³ √(1 − K²/r²)).
        let r2 = dot(x, x);
        let r = r2.sqrt();
        let s = (CONE_K / r).min(1.0);
        let factor = -CONE_K / (r2 * r * (1.0 - s * s).max(f64::MIN_POSITIVE).sqrt());
        (s.asin(), factor)
    }

    fn cos_angle(x: &[f64], y: &[f64]) -> f64 {
        let (mut a, mut e2, mut xe) = (0.0, 0.0, 0.0);
        for (&xk, &yk) in x.iter().zip(y) {
            let e = yk - xk;
            a += xk * xk;
            e2 += e * e;
            xe += xk * e;
        }
        xe / (a * e2.max(f64::MIN_POSITIVE)).sqrt()
    }

    fn cos_angle_grad(x: &[f64], y: &[f64], grad_x: &mut [f64], grad_y: &mut [f64]) -> f64 {
        // c = ⟨x, e⟩ / (‖x‖ ‖e‖) with e = y − x; ∂c/∂x = ∂c/∂x|_e − ∂c/∂e, ∂c/∂y = ∂c/∂e.
        let a = dot(x, x);
        let (mut e2, mut xe) = (0.0, 0.0);
        for k in 0..x.len() {
            let e = y[k] - x[k];
            e2 += e * e;
            xe += x[k] * e;
        }
        let e2 = e2.max(f64::MIN_POSITIVE);
        let norms = (a * e2).sqrt();
        let c = xe / norms;
        for k in 0..x.len() {
            let e = y[k] - x[k];
            let dc_dx = e / norms - c * x[k] / a;
            let dc_de = x[k] / norms - c * e / e2;
            grad_x[k] = dc_dx - dc_de;
            grad_y[k] = dc_de;
        }
        c
    }

    fn inner_radius() -> f64 {
        CONE_K
    }

    fn outer_radius() -> f64 {
        f64::INFINITY
    }

    fn riemannian_gradient(_x: &[f64], _grad: &mut [f64]) {}
}

/// Entailment cones of one geometry: the apex of each node's cone, and the margin `γ` of the
/// loss of negatives. [`HyperbolicCones`] and [`EuclideanCones`] name the two.
///
/// ```
/// use sphaera::eval::Scorer;
/// use sphaera::hierarchy::HyperbolicCones;
/// // Node 1 ("animal") at 0.3 on the x axis; node 0 ("dog") further out on the same ray
/// // is inside its cone, node 2 on the other side is not.
/// let cones = HyperbolicCones::from_parts(2, vec![0.6, 0.0, 0.3, 0.0, -0.5, 0.1], 0.01).unwrap();
/// assert_eq!(cones.energy(0, 1), 0.0);
/// assert!(cones.energy(2, 1) > 1.0);
/// assert!(cones.score(0, 1) > cones.score(2, 1));
/// // Outside the cone the score is minus the energy; inside it keeps ranking.
/// assert_eq!(cones.score(2, 1), -cones.energy(2, 1));
/// assert!(cones.score(0, 1) > 0.0);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Cones<G: ConeGeometry> {
    points: PointRows,
    margin: f64,
    #[serde(skip)]
    geometry: PhantomData<G>,
}

/// Entailment cones in the Poincaré ball.
pub type HyperbolicCones = Cones<Hyperbolic>;
/// Entailment cones in `R^d`.
pub type EuclideanCones = Cones<Flat>;

/// The norms a point of `G`'s cones is kept within.
fn domain<G: ConeGeometry>() -> (f64, f64) {
    (
        G::inner_radius() + DOMAIN_MARGIN,
        G::outer_radius() - DOMAIN_MARGIN,
    )
}

impl<G: ConeGeometry> Cones<G> {
    /// The margin `γ` of the paper's experiments.
    pub const DEFAULT_MARGIN: f64 = 0.01;

    /// Cones from their apexes (`n × dim`, row-major, each within the domain: norm above
    /// the radius where the aperture reaches `π/2`, and inside the unit ball for hyperbolic
    /// cones) and the margin `γ > 0`.
    pub fn from_parts(dim: usize, apexes: Vec<f64>, margin: f64) -> Result<Self> {
        let (low, high) = (G::inner_radius(), G::outer_radius());
        let inside = |r: &[f64]| {
            let norm = dot(r, r).sqrt();
            r.iter().all(|v| v.is_finite()) && norm > low && norm < high
        };
        let points = PointRows::from_rows(dim, apexes, "cone apexes", inside)?;
        check("margin", margin, "positive", |v| v > 0.0)?;
        Ok(Self {
            points,
            margin,
            geometry: PhantomData,
        })
    }

    /// Cones whose apexes are `points` (`n × dim`) scaled by 0.7 and brought into the domain,
    /// as the paper starts from pretrained point embeddings.
    pub fn from_points(dim: usize, mut points: Vec<f64>) -> Result<Self> {
        if dim == 0 {
            return Err(Error::InvalidParameter {
                name: "dim",
                expected: "at least 1",
                value: "0".into(),
            });
        }
        for row in points.chunks_mut(dim) {
            row.iter_mut().for_each(|v| *v *= RESCALE);
            bring_into_domain::<G>(row);
        }
        Self::from_parts(dim, points, Self::DEFAULT_MARGIN)
    }

    /// Number of cones.
    pub fn n(&self) -> usize {
        self.points.n()
    }

    /// Dimension of the space.
    pub fn dim(&self) -> usize {
        self.points.dim
    }

    /// All apexes, row-major `n × dim`.
    pub fn apexes(&self) -> &[f64] {
        &self.points.rows
    }

    /// The margin `γ` of the loss of negatives.
    pub fn margin(&self) -> f64 {
        self.margin
    }

    /// The apex of node `u`.
    pub fn apex(&self, u: u32) -> &[f64] {
        self.points.row(u)
    }

    /// The energy of "`u` is-a `v`": how far (in angle) `u` lies outside the cone of `v`.
    pub fn energy(&self, u: u32, v: u32) -> f64 {
        self.angle_gap(u, v).max(0.0)
    }

    /// `Ξ(x_v, x_u) − ψ(x_v)`: the angle of `u` from the axis of `v`'s cone less the cone's
    /// half-aperture; negative inside the cone. The energy is its positive part.
    pub fn angle_gap(&self, u: u32, v: u32) -> f64 {
        gap::<G>(self.apex(v), self.apex(u), G::aperture(self.apex(v)))
    }
}

/// `Ξ(x, y) − ψ` of child `y` and the cone at `x` of half-aperture `ψ`.
fn gap<G: ConeGeometry>(x: &[f64], y: &[f64], psi: f64) -> f64 {
    let xi = G::cos_angle(x, y)
        .clamp(-1.0 + COS_CLIP, 1.0 - COS_CLIP)
        .acos();
    xi - psi
}

/// The angle gap `Ξ(x, y) − ψ(x)` of child `y` and cone `x`, with its gradients in `x`
/// (into `grad_x`) and `y` (into `grad_y`). The energy is its positive part.
fn angle_gap<G: ConeGeometry>(x: &[f64], y: &[f64], grad_x: &mut [f64], grad_y: &mut [f64]) -> f64 {
    let (psi, psi_factor) = G::aperture_grad(x);
    let c = G::cos_angle_grad(x, y, grad_x, grad_y);
    let clipped = c.clamp(-1.0 + COS_CLIP, 1.0 - COS_CLIP);
    // dΞ/dc = −1/√(1 − c²), zero where the cosine is clipped.
    let dxi = if clipped == c {
        -1.0 / (1.0 - c * c).sqrt()
    } else {
        0.0
    };
    for k in 0..x.len() {
        grad_x[k] = dxi * grad_x[k] - psi_factor * x[k];
        grad_y[k] *= dxi;
    }
    clipped.acos() - psi
}

/// `E = max(0, Ξ(x, y) − ψ(x))` and its gradients (zero where `E = 0`).
fn energy_grad<G: ConeGeometry>(
    x: &[f64],
    y: &[f64],
    grad_x: &mut [f64],
    grad_y: &mut [f64],
) -> f64 {
    let gap = angle_gap::<G>(x, y, grad_x, grad_y);
    if gap > 0.0 {
        gap
    } else {
        grad_x.fill(0.0);
        grad_y.fill(0.0);
        0.0
    }
}

/// Scales `row` to the nearest norm within the domain of `G`'s cones (a zero row is moved
/// onto the first axis).
fn bring_into_domain<G: ConeGeometry>(row: &mut [f64]) {
    let (low, high) = domain::<G>();
    let norm = dot(row, row).sqrt();
    if norm == 0.0 {
        row[0] = low;
    } else if norm < low {
        row.iter_mut().for_each(|v| *v *= low / norm);
    } else if norm > high {
        row.iter_mut().for_each(|v| *v *= high / norm);
    }
}

impl<G: ConeGeometry> Regions for Cones<G> {
    const KIND: &'static str = G::KIND;
    const CORRUPTION: Corruption = Corruption::Descendant;

    fn width(dim: usize) -> usize {
        dim
    }

    fn default_config() -> SpherexConfig {
        SpherexConfig {
            negatives: 10,
            batch_size: 10,
            lr: 3e-3,
            optimizer: RowOptimizer::Sgd,
            burn_in: None,
            ..SpherexConfig::default()
        }
    }

    fn pretraining() -> Option<Pretraining> {
        Some(Pretraining {
            points: G::START,
            epochs: PRETRAINING_EPOCHS,
            config: cone_pretraining(),
        })
    }

    fn from_pretrained(dim: usize, points: Vec<f64>) -> Result<Self> {
        Self::from_points(dim, points)
    }

    /// Random apexes as the reference code draws them before pretraining replaces them:
    /// uniform directions at norms uniform in `[inner + ε, inner + 0.5]`.
    fn initial(n: usize, dim: usize, seed: u64) -> Self {
        use rand::Rng;
        let mut rng = crate::random::seeded(seed);
        let (low, high) = domain::<G>();
        let mut rows = Vec::with_capacity(n * dim);
        for _ in 0..n {
            let start = rows.len();
            rows.extend((0..dim).map(|_| rng.random_range(-1.0..1.0)));
            let row = &mut rows[start..];
            let norm = dot(row, row).sqrt().max(f64::MIN_POSITIVE);
            let target = rng.random_range(low..(low + 0.5).min(high));
            row.iter_mut().for_each(|v| *v *= target / norm);
            bring_into_domain::<G>(row);
        }
        Self {
            points: PointRows { dim, rows },
            margin: Self::DEFAULT_MARGIN,
            geometry: PhantomData,
        }
    }

    fn select(&self, nodes: &[u32]) -> Self {
        Self {
            points: self.points.select(nodes),
            margin: self.margin,
            geometry: PhantomData,
        }
    }

    point_rows_parameters!();

    /// `E(a, b)` for a positive (`a` is-a `b`), `max(0, γ − E(a, b))` for a negative.
    fn pair_loss(
        &self,
        a: u32,
        b: u32,
        kind: PairKind,
        _loss: &SpherexLoss,
        grad_a: &mut [f64],
        grad_b: &mut [f64],
    ) -> f64 {
        // The cone is the ancestor's: x = b, y = a.
        let energy = energy_grad::<G>(self.apex(b), self.apex(a), grad_b, grad_a);
        if kind == PairKind::Contained {
            return energy;
        }
        if energy < self.margin {
            grad_a
                .iter_mut()
                .chain(grad_b.iter_mut())
                .for_each(|g| *g = -*g);
            self.margin - energy
        } else {
            grad_a.fill(0.0);
            grad_b.fill(0.0);
            0.0
        }
    }

    /// The sum of the pairs' losses, counted as one term, so that the step size is per edge
    /// as the reference code's (its gradient is the batch's sum over edges).
    fn group_loss(
        &self,
        group: EdgeGroup<'_>,
        loss: &SpherexLoss,
        positive_grads: &mut [f64],
        negative_grads: &mut [f64],
    ) -> (f64, u32) {
        let total = summed_pair_losses(self, group, loss, positive_grads, negative_grads);
        (total, 1)
    }

    fn project(row: &mut [f64], _min_radius: f64) {
        bring_into_domain::<G>(row);
    }

    fn riemannian_gradient(row: &[f64], grad: &mut [f64]) {
        G::riemannian_gradient(row, grad);
    }

    type Scoring<'a> = ConeScorer<'a, G>;

    fn scoring(&self) -> ConeScorer<'_, G> {
        ConeScorer {
            model: self,
            apertures: self
                .points
                .rows
                .chunks_exact(self.points.dim)
                .map(G::aperture)
                .collect(),
        }
    }
}

/// Scores "`v` is an ancestor of `u`" by minus the angle gap (`−E(u, v)` outside the cone).
impl<G: ConeGeometry> Scorer for Cones<G> {
    fn score(&self, u: u32, v: u32) -> f64 {
        -self.angle_gap(u, v)
    }
}

/// [`Cones`] with each aperture computed once, for evaluation.
pub struct ConeScorer<'a, G: ConeGeometry> {
    model: &'a Cones<G>,
    apertures: Vec<f64>,
}

impl<G: ConeGeometry> Scorer for ConeScorer<'_, G> {
    fn score(&self, u: u32, v: u32) -> f64 {
        -gap::<G>(
            self.model.apex(v),
            self.model.apex(u),
            self.apertures[v as usize],
        )
    }
}
