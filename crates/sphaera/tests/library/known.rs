//! Configurations whose minimum angle is known exactly.

use sphaera::disperse::{Dispersion, Mma};
use sphaera::optim::{Adam, Optimizer, Schedule};
use sphaera::random::{seeded, uniform_sphere};
use sphaera::{metrics, tammes, Par, Points};

/// The regular simplex: the `dim + 1` vertices `e_i − 𝟙/(dim+1)` of `R^{dim+1}`, reflected by
/// the Householder map taking `𝟙/√(dim+1)` to the last axis (where they all have coordinate
/// 0), then normalized.
fn simplex(dim: usize) -> Points {
    let m = dim + 1;
    let mut u = vec![1.0 / (m as f64).sqrt(); m];
    u[m - 1] -= 1.0;
    let uu: f64 = u.iter().map(|v| v * v).sum();
    let mut points = Points::zeros(m, dim);
    for i in 0..m {
        let mut v: Vec<f64> = (0..m)
            .map(|k| if k == i { 1.0 } else { 0.0 } - 1.0 / m as f64)
            .collect();
        let proj: f64 = v.iter().zip(&u).map(|(a, b)| a * b).sum();
        v.iter_mut()
            .zip(&u)
            .for_each(|(a, b)| *a -= 2.0 * proj / uu * b);
        assert!(v[m - 1].abs() < 1e-12);
        points.row_mut(i).copy_from_slice(&v[..dim]);
    }
    sphaera::sphere::normalize_rows(&mut points).unwrap();
    points
}

fn cross_polytope(dim: usize) -> Points {
    let mut points = Points::zeros(2 * dim, dim);
    for k in 0..dim {
        points.row_mut(2 * k)[k] = 1.0;
        points.row_mut(2 * k + 1)[k] = -1.0;
    }
    points
}

fn simplex_angle(dim: usize) -> f64 {
    (-1.0 / dim as f64).acos()
}

#[test]
fn the_simplex_has_minimum_angle_arccos_minus_one_over_d() {
    for dim in 2..9 {
        let angle = metrics::min_angle(&simplex(dim), Par::Seq);
        assert!(
            (angle - simplex_angle(dim)).abs() < 1e-12,
            "dim {dim}: {angle}"
        );
        let best = tammes::best_known(dim + 1, dim).unwrap().angle_deg;
        assert!((best - simplex_angle(dim).to_degrees()).abs() < 1e-9);
    }
}

#[test]
fn the_cross_polytope_has_minimum_angle_ninety_degrees() {
    for dim in 2..9 {
        let angle = metrics::min_angle(&cross_polytope(dim), Par::Seq);
        assert!((angle.to_degrees() - 90.0).abs() < 1e-12);
        assert_eq!(tammes::best_known(2 * dim, dim).unwrap().angle_deg, 90.0);
    }
}

/// Maximizes the minimum angle from a random start.
fn optimized(n: usize, dim: usize) -> f64 {
    let start = uniform_sphere(n, dim, &mut seeded(n as u64));
    let adam = Optimizer::Adam(Adam {
        lr: 0.01,
        ..Adam::default()
    });
    let mut run = Dispersion::new(start, Box::new(Mma), adam, 0).unwrap();
    let steps = 3000;
    for step in 0..steps {
        run.set_lr(0.01 * Schedule::Cosine.factor(step, steps))
            .unwrap();
        run.step().unwrap();
    }
    metrics::min_angle(run.points(), Par::Seq)
}

#[test]
fn dispersion_finds_the_simplex_and_the_cross_polytope() {
    for dim in 3..7 {
        let simplex = optimized(dim + 1, dim);
        assert!(
            (simplex - simplex_angle(dim)).abs().to_degrees() < 0.01,
            "simplex dim {dim}: {}",
            simplex.to_degrees()
        );
        let cross = optimized(2 * dim, dim);
        assert!(
            (cross.to_degrees() - 90.0).abs() < 0.01,
            "cross-polytope dim {dim}: {}",
            cross.to_degrees()
        );
    }
}
