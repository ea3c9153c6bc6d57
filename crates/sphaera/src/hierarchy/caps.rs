//! Beyond the paper: spherical caps. Each node is a cap of the unit sphere `S^{d−1}`, a
//! centre direction `c_u` and an angular radius `α_u`; containment reads
//! `θ(c_u, c_v) + α_u ≤ α_v`, exclusion `θ(c_u, c_v) ≥ α_u + α_v`, with `θ` the angle.
//!
//! The trainer moves the centres with Riemannian Adam on the sphere (as dispersion does) and
//! the radius logits with coordinate-wise Adam: a Euclidean step on the centres, then
//! renormalization, lost the part of each step along the centre and reconstructed a little
//! worse (MAP 0.9981–0.9987 against 0.9993–0.9995 on the mammals at d = 10).

use serde::{Deserialize, Serialize};

use crate::disperse::{Distance, Kernel, Mmd};
use crate::error::{Error, Result};
use crate::eval::Scorer;
use crate::hierarchy::loss::{margin_terms, sigmoid, PairKind, SpherexLoss};
use crate::hierarchy::regions::Regions;
use crate::random::{fill_unit, seeded};
use crate::sphere::{angle, norm};

/// Below this `sin θ`, two cap centres are taken to coincide and get no angular gradient.
const SIN_FLOOR: f64 = 1e-9;

/// One cap per node, stored as rows `[c_u (dim values, unit length), logit]`, with
/// `α_u = π·σ(logit) ∈ (0, π)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Caps {
    dim: usize,
    rows: Vec<f64>,
}

/// The kernel pushing sibling centres apart: Riesz, `s = 1`, on the chordal distance.
fn sibling_kernel() -> Mmd {
    Mmd::new(Kernel::Riesz { s: 1.0 }, Distance::Euclidean).expect("valid kernel")
}

/// The logit whose cap has angular radius `alpha`.
fn logit_of(alpha: f64) -> f64 {
    let p = alpha / std::f64::consts::PI;
    (p / (1.0 - p)).ln()
}

impl Caps {
    /// `n` caps with uniformly random centres and angular radius 0.1, from `seed`.
    pub fn initial(n: usize, dim: usize, seed: u64) -> Self {
        let mut rng = seeded(seed);
        let mut rows = vec![0.0; n * (dim + 1)];
        for row in rows.chunks_exact_mut(dim + 1) {
            fill_unit(&mut row[..dim], &mut rng);
            row[dim] = logit_of(0.1);
        }
        Self { dim, rows }
    }

    /// Caps from centres (normalized here) and angular radii in `(0, π)`, on `S^{dim−1}` with
    /// `dim ≥ 2` (on `S^0`, two points, caps cannot nest).
    pub fn from_parts(dim: usize, centers: &[f64], angular_radii: &[f64]) -> Result<Self> {
        if dim < Self::MIN_DIM {
            return Err(Error::InvalidParameter {
                name: "dim",
                expected: "at least 2 for caps (points on S^(dim-1))",
                value: dim.to_string(),
            });
        }
        if Some(centers.len()) != dim.checked_mul(angular_radii.len()) {
            return Err(Error::Shape {
                what: "cap centres",
                expected: vec![angular_radii.len(), dim],
                found: vec![centers.len()],
            });
        }
        let mut rows = Vec::with_capacity(angular_radii.len() * (dim + 1));
        for (row, (c, &alpha)) in centers.chunks_exact(dim).zip(angular_radii).enumerate() {
            let length = norm(c);
            if !(length > 0.0 && length.is_finite()) {
                return Err(Error::ZeroRow { row });
            }
            if !(alpha > 0.0 && alpha < std::f64::consts::PI) {
                return Err(Error::InvalidParameter {
                    name: "angular radius",
                    expected: "in (0, π)",
                    value: format!("{alpha} (row {row})"),
                });
            }
            rows.extend(c.iter().map(|v| v / length));
            rows.push(logit_of(alpha));
        }
        Ok(Self { dim, rows })
    }

    /// Number of caps.
    pub fn n(&self) -> usize {
        self.rows.len() / (self.dim + 1)
    }

    /// Dimension of the ambient space.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The centre of cap `u` (unit length).
    pub fn center(&self, u: u32) -> &[f64] {
        let w = self.dim + 1;
        &self.rows[u as usize * w..u as usize * w + self.dim]
    }

    /// The angular radius of cap `u`.
    pub fn angular_radius(&self, u: u32) -> f64 {
        std::f64::consts::PI * sigmoid(self.rows[u as usize * (self.dim + 1) + self.dim])
    }

    /// All centres, row-major `n × dim`.
    pub fn centers(&self) -> Vec<f64> {
        self.rows
            .chunks_exact(self.dim + 1)
            .flat_map(|r| r[..self.dim].iter().copied())
            .collect()
    }

    /// All angular radii.
    pub fn angular_radii(&self) -> Vec<f64> {
        (0..self.n() as u32)
            .map(|u| self.angular_radius(u))
            .collect()
    }

    /// The caps of `nodes`, in that order (to match another node numbering).
    pub fn select(&self, nodes: &[u32]) -> Caps {
        let w = self.dim + 1;
        let rows = nodes
            .iter()
            .flat_map(|&u| {
                self.rows[u as usize * w..(u as usize + 1) * w]
                    .iter()
                    .copied()
            })
            .collect();
        Caps {
            dim: self.dim,
            rows,
        }
    }

    /// The containment margin of cap `u` in cap `v`: `α_v − θ(c_u, c_v) − α_u`.
    ///
    /// ```
    /// use sphaera::hierarchy::Caps;
    /// let caps = Caps::from_parts(2, &[1.0, 0.0, 1.0, 0.1], &[0.2, 1.0]).unwrap();
    /// assert!(caps.margin(0, 1) > 0.0 && caps.margin(1, 0) < 0.0);
    /// ```
    pub fn margin(&self, u: u32, v: u32) -> f64 {
        self.angular_radius(v) - angle(self.center(u), self.center(v)) - self.angular_radius(u)
    }
}

impl Scorer for Caps {
    fn score(&self, u: u32, v: u32) -> f64 {
        self.margin(u, v)
    }
}

impl Regions for Caps {
    const KIND: &'static str = "caps";
    const DISPERSES_SIBLINGS: bool = true;
    const MIN_DIM: usize = 2;

    fn initial(n: usize, dim: usize, seed: u64) -> Self {
        Caps::initial(n, dim, seed)
    }

    fn select(&self, nodes: &[u32]) -> Self {
        Caps::select(self, nodes)
    }

    fn n(&self) -> usize {
        Caps::n(self)
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
        let (alpha_a, alpha_b) = (self.angular_radius(a), self.angular_radius(b));
        let theta = angle(ca, cb);
        let (value, d_theta, d_alpha_a, d_alpha_b) =
            margin_terms(kind, theta, alpha_a, alpha_b, loss);
        // θ = arccos(c_a·c_b): its gradient in c_a, in the tangent space, is
        // −(c_b − cos θ c_a)/sin θ (and the mirror for c_b).
        let (sin, cos) = theta.sin_cos();
        let d = self.dim;
        for k in 0..d {
            let (ta, tb) = if sin > SIN_FLOOR {
                (-(cb[k] - cos * ca[k]) / sin, -(ca[k] - cos * cb[k]) / sin)
            } else {
                (0.0, 0.0)
            };
            grad_a[k] = d_theta * ta;
            grad_b[k] = d_theta * tb;
        }
        // α = π σ(ℓ): dα/dℓ = α (1 − α/π).
        let pi = std::f64::consts::PI;
        grad_a[d] = d_alpha_a * alpha_a * (1.0 - alpha_a / pi);
        grad_b[d] = d_alpha_b * alpha_b * (1.0 - alpha_b / pi);
        value
    }

    fn sibling_loss(
        &self,
        a: u32,
        b: u32,
        weight: f64,
        grad_a: &mut [f64],
        grad_b: &mut [f64],
    ) -> f64 {
        let (ca, cb) = (self.center(a), self.center(b));
        let gap = 0.5
            * ca.iter()
                .zip(cb)
                .map(|(x, y)| (x - y) * (x - y))
                .sum::<f64>();
        // The dispersion module's Riesz kernel 1/‖c_a − c_b‖, as a function of c = c_a·c_b.
        let (value, d_cos) = sibling_kernel().of_gap(gap);
        let cos = 1.0 - gap;
        let d = self.dim;
        for k in 0..d {
            // ∂(c_a·c_b)/∂c_a = c_b, projected on the tangent space at c_a.
            grad_a[k] = weight * d_cos * (cb[k] - cos * ca[k]);
            grad_b[k] = weight * d_cos * (ca[k] - cos * cb[k]);
        }
        grad_a[d] = 0.0;
        grad_b[d] = 0.0;
        weight * value
    }

    type Scoring<'a> = CapScorer<'a>;

    fn scoring(&self) -> CapScorer<'_> {
        CapScorer {
            caps: self,
            radii: self.angular_radii(),
        }
    }

    fn sphere_coordinates(width: usize) -> usize {
        width - 1
    }

    fn project(row: &mut [f64], min_radius: f64) {
        // The centre needs nothing: the trainer's Riemannian step leaves it on the sphere
        // (the exponential map renormalizes its result).
        let d = row.len() - 1;
        row[d] = row[d].max(logit_of(min_radius.min(1.0)));
    }
}

/// [`Caps`] with their angular radii precomputed, for evaluation.
pub struct CapScorer<'a> {
    caps: &'a Caps,
    radii: Vec<f64>,
}

impl Scorer for CapScorer<'_> {
    fn score(&self, u: u32, v: u32) -> f64 {
        self.radii[v as usize]
            - angle(self.caps.center(u), self.caps.center(v))
            - self.radii[u as usize]
    }
}
