//! The SpheREx model: a ball `B(c_u, r_u) ⊂ R^d` per node, `r_u = exp(ρ_u)`.

use serde::{Deserialize, Serialize};

use crate::ball::ln_conditional;
use crate::error::{Error, Result};
use crate::eval::Scorer;
use crate::hierarchy::loss::{margin_terms, PairKind, SpherexLoss};
use crate::hierarchy::regions::Regions;
use crate::linalg::{gemm, MatMut, MatRef};
use crate::random::{gaussian, seeded, SeededRng};

/// One ball per node, stored as rows `[c_u (dim values), ln r_u]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Balls {
    dim: usize,
    rows: Vec<f64>,
}

impl Balls {
    /// The default start of training: `n` balls of radius 0.1 with centres `N(0, 0.1²)`,
    /// from `seed`.
    pub fn initial(n: usize, dim: usize, seed: u64) -> Self {
        Self::random(n, dim, 0.1, 0.1, &mut seeded(seed))
    }

    /// `n` small balls near the origin: centres `N(0, spread²)`, radii `radius`.
    pub fn random(n: usize, dim: usize, spread: f64, radius: f64, rng: &mut SeededRng) -> Self {
        let mut rows = Vec::with_capacity(n * (dim + 1));
        for _ in 0..n {
            rows.extend((0..dim).map(|_| spread * gaussian(rng)));
            rows.push(radius.ln());
        }
        Self { dim, rows }
    }

    /// Balls from their parts: `dim ≥ 1` centre coordinates per log radius.
    pub fn from_parts(dim: usize, centers: Vec<f64>, log_radii: Vec<f64>) -> Result<Self> {
        if dim == 0 {
            return Err(Error::InvalidParameter {
                name: "dim",
                expected: "at least 1",
                value: "0".into(),
            });
        }
        if Some(centers.len()) != dim.checked_mul(log_radii.len()) {
            return Err(Error::Shape {
                what: "ball centres",
                expected: vec![log_radii.len(), dim],
                found: vec![centers.len()],
            });
        }
        let rows = centers
            .chunks_exact(dim)
            .zip(&log_radii)
            .flat_map(|(c, r)| c.iter().chain([r]).copied())
            .collect();
        Ok(Self { dim, rows })
    }

    /// Number of balls.
    pub fn n(&self) -> usize {
        self.rows.len() / (self.dim + 1)
    }

    /// Dimension of the space.
    pub fn dim(&self) -> usize {
        self.dim
    }

    fn row(&self, u: u32) -> &[f64] {
        let w = self.dim + 1;
        &self.rows[u as usize * w..(u as usize + 1) * w]
    }

    /// The centre of ball `u`.
    pub fn center(&self, u: u32) -> &[f64] {
        &self.row(u)[..self.dim]
    }

    /// The radius of ball `u`.
    pub fn radius(&self, u: u32) -> f64 {
        self.row(u)[self.dim].exp()
    }

    /// All centres, row-major `n × dim`.
    pub fn centers(&self) -> Vec<f64> {
        self.rows
            .chunks_exact(self.dim + 1)
            .flat_map(|r| r[..self.dim].iter().copied())
            .collect()
    }

    /// All log radii.
    pub fn log_radii(&self) -> Vec<f64> {
        self.rows
            .chunks_exact(self.dim + 1)
            .map(|r| r[self.dim])
            .collect()
    }

    /// The distance between the centres of `u` and `v`.
    pub fn distance(&self, u: u32, v: u32) -> f64 {
        self.center(u)
            .iter()
            .zip(self.center(v))
            .map(|(a, b)| (a - b) * (a - b))
            .sum::<f64>()
            .sqrt()
    }

    /// The containment margin of `u` in `v`: `r_v − ‖c_u − c_v‖ − r_u`, non-negative exactly
    /// when ball `u` lies inside ball `v`.
    pub fn margin(&self, u: u32, v: u32) -> f64 {
        self.radius(v) - self.distance(u, v) - self.radius(u)
    }

    /// `ln P(v | u) = ln Vol(B_u ∩ B_v) − ln Vol(B_u)`.
    pub fn ln_conditional(&self, u: u32, v: u32) -> f64 {
        ln_conditional(
            self.dim,
            self.radius(u),
            self.radius(v),
            self.distance(u, v),
        )
        .value
    }

    /// The balls of `nodes`, in that order (to match another node numbering).
    ///
    /// ```
    /// let balls = sphaera::hierarchy::Balls::from_parts(1, vec![0.0, 5.0], vec![0.0, 1.0]).unwrap();
    /// assert_eq!(balls.select(&[1, 0]).center(0), &[5.0]);
    /// ```
    pub fn select(&self, nodes: &[u32]) -> Balls {
        let rows = nodes
            .iter()
            .flat_map(|&u| self.row(u).iter().copied())
            .collect();
        Balls {
            dim: self.dim,
            rows,
        }
    }

    /// A view for scoring many pairs: the radii computed once, not once per pair.
    ///
    /// ```
    /// use sphaera::eval::Scorer;
    /// use sphaera::hierarchy::Balls;
    /// let balls = Balls::from_parts(1, vec![0.0, 0.5], vec![0.0, 1.0]).unwrap();
    /// assert_eq!(balls.scorer().score(0, 1), balls.margin(0, 1));
    /// ```
    pub fn scorer(&self) -> BallScorer<'_> {
        let centers = self.centers();
        let norms = centers
            .chunks_exact(self.dim)
            .map(|c| c.iter().map(|x| x * x).sum())
            .collect();
        BallScorer {
            balls: self,
            radii: (0..self.n() as u32).map(|u| self.radius(u)).collect(),
            centers,
            norms,
        }
    }
}

impl Regions for Balls {
    const KIND: &'static str = "spherex";

    fn initial(n: usize, dim: usize, seed: u64) -> Self {
        Balls::initial(n, dim, seed)
    }

    fn select(&self, nodes: &[u32]) -> Self {
        Balls::select(self, nodes)
    }

    fn n(&self) -> usize {
        Balls::n(self)
    }

    fn row_width(&self) -> usize {
        self.dim + 1
    }

    fn params(&self) -> &[f64] {
        &self.rows
    }

    fn params_mut(&mut self) -> &mut [f64] {
        &mut self.rows
    }

    fn pair_loss(
        &self,
        a: u32,
        b: u32,
        kind: PairKind,
        loss: &SpherexLoss,
        grad_a: &mut [f64],
        grad_b: &mut [f64],
    ) -> f64 {
        let (ca, cb) = (self.center(a), self.center(b));
        let (ra, rb) = (self.radius(a), self.radius(b));
        let distance = self.distance(a, b);
        let (mut value, mut d_dist, mut d_ra, mut d_rb) =
            margin_terms(kind, distance, ra, rb, loss);
        if kind == PairKind::Contained && loss.volume_weight > 0.0 {
            let p = ln_conditional(self.dim, ra, rb, distance);
            if p.value > loss.ln_p_floor {
                value -= loss.volume_weight * p.value;
                d_dist -= loss.volume_weight * p.d_distance;
                d_ra -= loss.volume_weight * p.d_r_a;
                d_rb -= loss.volume_weight * p.d_r_b;
            } else {
                value -= loss.volume_weight * loss.ln_p_floor;
            }
        }
        // ∂δ/∂c_a = (c_a − c_b)/δ; no direction at all when the centres coincide.
        let d = self.dim;
        for k in 0..d {
            let unit = if distance > 1e-300 {
                (ca[k] - cb[k]) / distance
            } else {
                0.0
            };
            grad_a[k] = d_dist * unit;
            grad_b[k] = -d_dist * unit;
        }
        // Radii are exp(ρ): ∂/∂ρ = r ∂/∂r.
        grad_a[d] = d_ra * ra;
        grad_b[d] = d_rb * rb;
        value
    }

    type Scoring<'a> = BallScorer<'a>;

    fn scoring(&self) -> BallScorer<'_> {
        self.scorer()
    }

    fn project(row: &mut [f64], min_radius: f64) {
        let log_radius = &mut row[row.len() - 1];
        *log_radius = log_radius.max(min_radius.ln());
    }
}

/// Scores "`v` is an ancestor of `u`" by the containment margin of `u` in `v`.
impl Scorer for Balls {
    fn score(&self, u: u32, v: u32) -> f64 {
        self.margin(u, v)
    }
}

/// [`Balls`] with their radii precomputed, for evaluation.
pub struct BallScorer<'a> {
    balls: &'a Balls,
    radii: Vec<f64>,
    /// The centres again, contiguous `n × dim`, for the matrix product.
    centers: Vec<f64>,
    /// `‖c_v‖²` of every centre.
    norms: Vec<f64>,
}

impl Scorer for BallScorer<'_> {
    fn score(&self, u: u32, v: u32) -> f64 {
        self.radii[v as usize] - self.balls.distance(u, v) - self.radii[u as usize]
    }

    fn score_all(&self, u: u32, out: &mut [f64]) {
        let dim = self.balls.dim;
        let (cu, ru) = (self.balls.center(u), self.radii[u as usize]);
        for ((o, row), r) in out
            .iter_mut()
            .zip(self.balls.rows.chunks_exact(dim + 1))
            .zip(&self.radii)
        {
            let d2: f64 = cu
                .iter()
                .zip(&row[..dim])
                .map(|(a, b)| (a - b) * (a - b))
                .sum();
            *o = r - d2.sqrt() - ru;
        }
    }

    /// A block of rows through one matrix product: `‖c_u − c_v‖² = ‖c_u‖² + ‖c_v‖² − 2 c_u·c_v`.
    /// The cancellation costs about `1e-8 · ‖c‖` in distance, far below any margin that
    /// decides a rank.
    fn score_rows(&self, us: &[u32], out: &mut [f64]) {
        let (n, dim) = (self.radii.len(), self.balls.dim);
        let rows: Vec<f64> = us
            .iter()
            .flat_map(|&u| self.balls.center(u).iter().copied())
            .collect();
        gemm(
            -2.0,
            MatRef::row_major(&rows, us.len(), dim),
            MatRef::transposed(&self.centers, dim, n),
            0.0,
            MatMut::row_major(out, us.len(), n),
        );
        for (&u, line) in us.iter().zip(out.chunks_exact_mut(n)) {
            let (nu, ru) = (self.norms[u as usize], self.radii[u as usize]);
            for ((o, nv), rv) in line.iter_mut().zip(&self.norms).zip(&self.radii) {
                *o = rv - (*o + nu + nv).max(0.0).sqrt() - ru;
            }
        }
    }
}
