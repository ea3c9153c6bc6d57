//! Every analytic gradient against central finite differences along the sphere, in f64.

use proptest::prelude::*;
use sphaera::sphere::{exp_map, project_tangent};
use sphaera::{Par, Points};

use crate::cases::{all, setup, Case};

const STEP: f64 = 1e-5;
/// Nearest-neighbour and rank-based methods are only piecewise smooth (a neighbour or a
/// rank switches); a smaller step makes a random point's distance to a switch almost always
/// larger than the step. Rounding then costs about 1e-9 relative, well inside the tolerance.
const PIECEWISE_STEP: f64 = 1e-7;
const TOLERANCE: f64 = 1e-6;

/// Relative error `‖fd − analytic‖ / ‖analytic‖` of the Riemannian gradient, with the
/// directional derivative along each projected coordinate direction at each point
/// estimated by the central difference `D(h) = (f(exp_x(h v)) − f(exp_x(−h v))) / 2h` with
/// one Richardson extrapolation, `(4 D(h/2) − D(h)) / 3`, so the truncation error is `O(h⁴)`
/// even for the steep Riesz kernels.
///
/// A gradient can vanish exactly (−θ summed over points on a circle with as many
/// neighbours on each side), so the error is measured against `‖analytic‖` plus the noise
/// floor of the differences themselves, about `ε·|f|/h`; the floor used, `1e-8·(1 + |f|)`,
/// is hundreds of times above it.
fn relative_error(case: &Case, x: &Points) -> f64 {
    let (value, grad) = case.value_and_grad(x, Par::Seq);
    let (mut err2, mut norm2) = (0.0, 0.0);
    for i in 0..x.n() {
        for k in 0..x.dim() {
            let mut v = vec![0.0; x.dim()];
            v[k] = 1.0;
            project_tangent(x.row(i), &mut v);
            let moved = |h: f64| {
                let mut y = x.clone();
                let step: Vec<f64> = v.iter().map(|a| a * h).collect();
                exp_map(y.row_mut(i), &step);
                case.value(&y)
            };
            let central = |h: f64| (moved(h) - moved(-h)) / (2.0 * h);
            let h = if case.piecewise { PIECEWISE_STEP } else { STEP };
            let fd = (4.0 * central(h / 2.0) - central(h)) / 3.0;
            let analytic: f64 = grad.row(i).iter().zip(&v).map(|(a, b)| a * b).sum();
            err2 += (fd - analytic).powi(2);
            norm2 += analytic.powi(2);
        }
    }
    err2.sqrt() / (norm2.sqrt() + 1e-2 * (1.0 + value.abs()))
}

fn max_angle(x: &Points) -> f64 {
    let mut max: f64 = 0.0;
    for i in 0..x.n() {
        for j in 0..i {
            max = max.max(sphaera::sphere::angle(x.row(i), x.row(j)));
        }
    }
    max
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    #[test]
    fn every_gradient_matches_finite_differences(n in 5usize..14, dim in 2usize..7, seed: u64) {
        let (x, draws) = setup(n, dim, seed);
        // Below 1e-3 rad the singular kernels' documented cap (at about 4.5e-4 rad) may apply,
        // where value and gradient deliberately part: the check is for the smooth regime.
        prop_assume!(sphaera::metrics::min_angle(&x, sphaera::Par::Seq) > 1e-3);
        // The angle has a cone point at the antipode (θ(x, y) = π − θ(x, −y)): geodesic
        // kernels with a slope at π are not smooth there, and are clamped within 4.5e-4.
        prop_assume!(max_angle(&x) < std::f64::consts::PI - 1e-3);
        for case in all(&draws) {
            let err = relative_error(&case, &x);
            prop_assert!(err <= TOLERANCE, "{}: relative error {err:e} (n {n}, dim {dim}, seed {seed})", case.name);
        }
    }
}

#[test]
fn gradients_scale_linearly_and_accumulate() {
    let (x, draws) = setup(9, 4, 3);
    for case in all(&draws) {
        let (value, grad) = case.value_and_grad(&x, Par::Seq);
        let mut twice = grad.clone();
        let again = case.eval(&x, 2.0, &mut twice, Par::Seq);
        assert_eq!(value, again, "{}", case.name);
        for (t, g) in twice.as_slice().iter().zip(grad.as_slice()) {
            assert!(
                (t - 3.0 * g).abs() <= 1e-12 * (1.0 + g.abs()),
                "{}",
                case.name
            );
        }
    }
}

#[test]
fn coincident_points_give_finite_values_and_gradients() {
    let (mut x, draws) = setup(8, 3, 5);
    let first = x.row(0).to_vec();
    x.row_mut(1).copy_from_slice(&first);
    let antipode: Vec<f64> = first.iter().map(|v| -v).collect();
    x.row_mut(2).copy_from_slice(&antipode);
    for case in all(&draws) {
        let (value, grad) = case.value_and_grad(&x, Par::Seq);
        assert!(
            value.is_finite() || case.name.contains("Riesz"),
            "{}: {value}",
            case.name
        );
        assert!(
            grad.as_slice().iter().all(|g| g.is_finite()),
            "{}",
            case.name
        );
    }
}
