//! The warm start of a Tammes search: the Riesz energy in log form,
//! `F_s(X) = (1/s) log Σ_{i<j} ‖x_i − x_j‖^{−s}`, minimized on the sphere for a growing
//! exponent `s`. At small `s` it is the physical energy, whose minima are well spread; as
//! `s` grows it tends to `−log min ‖x_i − x_j‖`, the Tammes objective itself.

/// The exponents, in order: each stage starts from the previous one's end.
pub(crate) const EXPONENTS: [f64; 12] = [
    1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0,
];
/// Descent steps per exponent, at most.
const STEPS_PER_STAGE: usize = 250;
/// A stage ends when its step size falls below this.
const SMALLEST_STEP: f64 = 1e-9;

/// Scratch space of a descent on `n` points in `R^dim`.
pub(crate) struct Descent {
    dim: usize,
    grad: Vec<f64>,
    trial: Vec<f64>,
    /// `ln ‖x_i − x_j‖²` of every pair `i < j`, row by row.
    log_sq: Vec<f64>,
}

impl Descent {
    pub(crate) fn new(n: usize, dim: usize) -> Self {
        Self {
            dim,
            grad: vec![0.0; n * dim],
            trial: vec![0.0; n * dim],
            log_sq: vec![0.0; n * n.saturating_sub(1) / 2],
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
        let mut value = energy(x, d, s, &mut self.log_sq, Some(&mut self.grad));
        let mut step = 0.1;
        for _ in 0..STEPS_PER_STAGE {
            if step < SMALLEST_STEP {
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
            if energy(&self.trial, d, s, &mut self.log_sq, None) < value {
                x.copy_from_slice(&self.trial);
                value = energy(x, d, s, &mut self.log_sq, Some(&mut self.grad));
                step *= 1.25;
            } else {
                step *= 0.5;
            }
        }
    }
}

/// `F_s(x)` of the unit rows `x` and, into `grad`, its tangent gradient. `log_sq` is scratch
/// for `ln ‖x_i − x_j‖²` of every pair.
fn energy(x: &[f64], d: usize, s: f64, log_sq: &mut [f64], grad: Option<&mut [f64]>) -> f64 {
    let n = x.len() / d;
    // Terms are exp(−(s/2) ln ‖x_i − x_j‖²): shift by the largest exponent first.
    let mut largest = f64::NEG_INFINITY;
    let mut k = 0;
    for i in 0..n {
        let xi = &x[i * d..(i + 1) * d];
        for j in i + 1..n {
            let xj = &x[j * d..(j + 1) * d];
            let sq: f64 = xi.iter().zip(xj).map(|(a, b)| (a - b) * (a - b)).sum();
            let l = sq.max(1e-300).ln();
            log_sq[k] = l;
            largest = largest.max(-0.5 * s * l);
            k += 1;
        }
    }
    let total: f64 = log_sq.iter().map(|&l| (-0.5 * s * l - largest).exp()).sum();
    if let Some(grad) = grad {
        // ∂F/∂x_i = −Σ_j w_ij (x_i − x_j)/‖x_i − x_j‖², with w the normalized terms.
        grad.fill(0.0);
        let mut k = 0;
        for i in 0..n {
            for j in i + 1..n {
                let l = log_sq[k];
                k += 1;
                let coefficient = (-0.5 * s * l - largest).exp() / total / l.exp();
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
    }
    (largest + total.ln()) / s
}

/// Scales each row of `x` to unit length.
pub(crate) fn normalize_rows(x: &mut [f64], dim: usize) {
    for row in x.chunks_exact_mut(dim) {
        let length = row.iter().map(|v| v * v).sum::<f64>().sqrt();
        row.iter_mut().for_each(|v| *v /= length);
    }
}
