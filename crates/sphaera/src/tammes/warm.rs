//! The warm start of a Tammes search: the Riesz energy in log form,
//! `F_s(X) = (1/s) log Σ_{i<j} ‖x_i − x_j‖^{−s}`, minimized on the sphere for a growing
//! exponent `s`. At small `s` it is the physical energy, whose minima are well spread; as
//! `s` grows it tends to `−log min ‖x_i − x_j‖`, the Tammes objective itself.

use crate::vmath;

/// The last exponent of every schedule: there `F_s` is within about `ln(pairs)/s` of
/// `−ln min distance`, close enough for the polish to take over.
const FINAL_EXPONENT: f64 = 2048.0;

/// An exponent schedule drawn from `rng`: it starts anywhere from the physical energy
/// (`s = 1`, whose minima are few and alike) to `s = 512` (nearly the Tammes objective, many
/// local optima), and grows by a factor between 1.5 and 4 up to [`FINAL_EXPONENT`]. Varied
/// schedules reach varied optima: one fixed schedule leads every start to the same one.
pub(crate) fn schedule(rng: &mut impl rand::Rng) -> Vec<f64> {
    let mut s = 2f64.powf(9.0 * rng.random::<f64>());
    let growth = 1.5 + 2.5 * rng.random::<f64>();
    let mut exponents = Vec::new();
    while s < FINAL_EXPONENT {
        exponents.push(s);
        s *= growth;
    }
    exponents.push(FINAL_EXPONENT);
    exponents
}

/// Descent steps per exponent, at most.
const STEPS_PER_STAGE: usize = 250;
/// A stage ends when its step size falls below this.
const SMALLEST_STEP: f64 = 1e-9;

/// Scratch space of a descent on `n` points in `R^dim`.
pub(crate) struct Descent {
    dim: usize,
    grad: Vec<f64>,
    trial: Vec<f64>,
    trial_grad: Vec<f64>,
    /// Per pair `i < j`, row by row: `‖x_i − x_j‖²`, and then the pair's weight.
    squares: Vec<f64>,
    weights: Vec<f64>,
}

/// A stage ends after this many accepted steps in a row that each lower `F_s` by less than
/// `STALL` (relative): the polish does the fine work.
const STALLED_STEPS: usize = 8;
const STALL: f64 = 1e-12;

impl Descent {
    pub(crate) fn new(n: usize, dim: usize) -> Self {
        let pairs = n * n.saturating_sub(1) / 2;
        Self {
            dim,
            grad: vec![0.0; n * dim],
            trial: vec![0.0; n * dim],
            trial_grad: vec![0.0; n * dim],
            squares: vec![0.0; pairs],
            weights: vec![0.0; pairs],
        }
    }

    /// Minimizes `F_s` for each exponent in turn, starting from the unit rows `x`.
    pub(crate) fn anneal(&mut self, x: &mut [f64], exponents: &[f64]) {
        for &s in exponents {
            self.minimize(x, s);
        }
    }

    /// Gradient descent on the sphere with an adaptive step: a step that lowers `F_s` is
    /// kept and the next one tried 1.25 times longer; one that does not is undone and
    /// halved.
    fn minimize(&mut self, x: &mut [f64], s: f64) {
        let d = self.dim;
        let mut value = self.energy(x, s, false);
        let mut step = 0.1;
        let mut stalled = 0;
        for _ in 0..STEPS_PER_STAGE {
            if step < SMALLEST_STEP || stalled >= STALLED_STEPS {
                break;
            }
            // Each point moves at most `step` radians, whatever the scale of the gradient.
            let largest = self
                .grad
                .chunks_exact(d)
                .map(|g| g.iter().map(|v| v * v).sum::<f64>().sqrt())
                .fold(0.0, f64::max);
            if largest == 0.0 {
                break;
            }
            let scale = step / largest;
            for ((t, xi), g) in self.trial.iter_mut().zip(x.iter()).zip(&self.grad) {
                *t = xi - scale * g;
            }
            normalize_rows(&mut self.trial, d);
            let trial = std::mem::take(&mut self.trial);
            let trial_value = self.energy(&trial, s, true);
            self.trial = trial;
            if trial_value < value {
                stalled = if value - trial_value < STALL * value.abs() {
                    stalled + 1
                } else {
                    0
                };
                x.copy_from_slice(&self.trial);
                std::mem::swap(&mut self.grad, &mut self.trial_grad);
                value = trial_value;
                step *= 1.25;
            } else {
                step *= 0.5;
            }
        }
    }

    /// `F_s` of the unit rows `x`, and its tangent gradient into `grad` (`trial_grad` when
    /// `into_trial`).
    fn energy(&mut self, x: &[f64], s: f64, into_trial: bool) -> f64 {
        let d = self.dim;
        let n = x.len() / d;
        let mut k = 0;
        for i in 0..n {
            let xi = &x[i * d..(i + 1) * d];
            for j in i + 1..n {
                let xj = &x[j * d..(j + 1) * d];
                let sq: f64 = xi.iter().zip(xj).map(|(a, b)| (a - b) * (a - b)).sum();
                self.squares[k] = sq.max(1e-300);
                k += 1;
            }
        }
        // Terms exp(−(s/2) ln ‖x_i − x_j‖²), shifted by the largest exponent.
        let largest = shifted_terms(&mut self.weights, &self.squares, s);
        let total = vmath::sum(&self.weights);
        // ∂F/∂x_i = −Σ_j w_ij (x_i − x_j)/‖x_i − x_j‖², with w the normalized terms.
        let grad = if into_trial {
            &mut self.trial_grad
        } else {
            &mut self.grad
        };
        grad.fill(0.0);
        let mut k = 0;
        for i in 0..n {
            for j in i + 1..n {
                let coefficient = self.weights[k] / (total * self.squares[k]);
                k += 1;
                for c in 0..d {
                    let diff = x[i * d + c] - x[j * d + c];
                    grad[i * d + c] -= coefficient * diff;
                    grad[j * d + c] += coefficient * diff;
                }
            }
        }
        // Keep the tangent part: the radial part only rescales a point.
        for (g, xi) in grad.chunks_exact_mut(d).zip(x.chunks_exact(d)) {
            let radial: f64 = g.iter().zip(xi).map(|(a, b)| a * b).sum();
            g.iter_mut().zip(xi).for_each(|(a, b)| *a -= radial * b);
        }
        (largest + total.ln()) / s
    }
}

/// `w_k = exp(−(s/2) ln q_k − m)` for the squared distances `q`, where `m` is the largest
/// exponent, which it returns: plain maps and a lane-wise maximum, loops that vectorize.
#[inline(always)]
fn shifted_terms_body(weights: &mut [f64], squares: &[f64], s: f64) -> f64 {
    for (w, &sq) in weights.iter_mut().zip(squares) {
        *w = -0.5 * s * vmath::ln(sq);
    }
    let largest = vmath::max(weights);
    for w in weights.iter_mut() {
        *w = vmath::exp(*w - largest);
    }
    largest
}

vmath::widest_vectors!(fn shifted_terms(weights: &mut [f64], squares: &[f64], s: f64) -> f64 = shifted_terms_body);

/// Scales each row of `x` to unit length.
pub(crate) fn normalize_rows(x: &mut [f64], dim: usize) {
    for row in x.chunks_exact_mut(dim) {
        let length = row.iter().map(|v| v * v).sum::<f64>().sqrt();
        row.iter_mut().for_each(|v| *v /= length);
    }
}
