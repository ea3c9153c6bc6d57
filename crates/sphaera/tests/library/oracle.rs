//! The tiled, parallel regularizers and metrics against naive `O(N²)` double loops, at sizes
//! that cross tile boundaries without being multiples of the tile.

use sphaera::disperse::{
    Context, Distance, Kernel, Koleo, Lloyd, Mma, Mmcs, Mmd, Regularizer, Uniformity,
};
use sphaera::sphere::angle;
use sphaera::{metrics, Par, Points};

use crate::cases::{kernels, setup};

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

fn assert_points_close(a: &Points, b: &Points, what: &str) {
    let scale = b.as_slice().iter().fold(0.0f64, |m, v| m.max(v.abs()));
    for (x, y) in a.as_slice().iter().zip(b.as_slice()) {
        assert!(
            (x - y).abs() <= 1e-9 * (scale + 1e-300),
            "{what}: {x} vs {y}"
        );
    }
}

/// The kernel and its derivative in the cosine, written out from the definition.
fn naive_kernel(kernel: Kernel, distance: Distance, c: f64) -> (f64, f64) {
    // The library caps singular kernels at cosines within 1e-7 of ±1; random points at
    // these sizes never come that close, so the oracle needs no clamp.
    let (d, dd_dc) = match distance {
        Distance::Euclidean => ((2.0 - 2.0 * c).sqrt(), -1.0 / (2.0 - 2.0 * c).sqrt()),
        Distance::Geodesic => (c.acos(), -1.0 / (1.0 - c * c).sqrt()),
    };
    let (k, dk_dd) = match kernel {
        Kernel::Gaussian { gamma } => (
            (-gamma * d * d).exp(),
            -2.0 * gamma * d * (-gamma * d * d).exp(),
        ),
        Kernel::Laplace { gamma } => ((-gamma * d).exp(), -gamma * (-gamma * d).exp()),
        Kernel::Riesz { s } if s > 0.0 => (d.powf(-s), -s * d.powf(-s - 1.0)),
        Kernel::Riesz { s: 0.0 } => (-d.ln(), -1.0 / d),
        Kernel::Riesz { s } => (-d.powf(-s), s * d.powf(-s - 1.0)),
    };
    (k, dk_dd * dd_dc)
}

/// Value and gradient of `mean_{i≠j} f(x_i·x_j)`, where `f(c)` gives value and derivative.
fn naive_pairwise(x: &Points, f: impl Fn(f64) -> (f64, f64)) -> (f64, Points) {
    let n = x.n();
    let pairs = (n * (n - 1)) as f64;
    let mut grad = Points::zeros(n, x.dim());
    let mut value = 0.0;
    for i in 0..n {
        for j in 0..n {
            if i != j {
                let (v, df) = f(dot(x.row(i), x.row(j)));
                value += v;
                for k in 0..x.dim() {
                    grad.row_mut(i)[k] += 2.0 * df * x.row(j)[k] / pairs;
                }
            }
        }
    }
    (value / pairs, grad)
}

fn evaluate(reg: &dyn Regularizer, x: &Points) -> (f64, Points) {
    let mut grad = Points::zeros(x.n(), x.dim());
    let value = reg.value_and_grad(x, 1.0, &mut grad, &mut Context::new(0));
    (value, grad)
}

#[test]
fn kernels_match_the_double_loop() {
    for (n, dim) in [(300, 4), (517, 3)] {
        let (x, _) = setup(n, dim, n as u64);
        for kernel in kernels() {
            for distance in [Distance::Euclidean, Distance::Geodesic] {
                let (value, grad) = evaluate(&Mmd::new(kernel, distance).unwrap(), &x);
                let (v0, g0) = naive_pairwise(&x, |c| naive_kernel(kernel, distance, c));
                assert!(close(value, v0), "{kernel:?} {distance:?}: {value} vs {v0}");
                assert_points_close(&grad, &g0, &format!("{kernel:?} {distance:?}"));
            }
        }
    }
}

#[test]
fn uniformity_matches_the_double_loop() {
    let (x, _) = setup(300, 5, 1);
    let (value, _) = evaluate(&Uniformity::new(2.0).unwrap(), &x);
    let (mean, _) = naive_pairwise(&x, |c| ((-2.0 * (2.0 - 2.0 * c)).exp(), 0.0));
    assert!(close(value, mean.ln()));
}

/// For each point, its nearest other point by angle, by brute force.
fn naive_neighbours(x: &Points) -> Vec<usize> {
    (0..x.n())
        .map(|i| {
            (0..x.n())
                .filter(|&j| j != i)
                .min_by(|&a, &b| angle(x.row(i), x.row(a)).total_cmp(&angle(x.row(i), x.row(b))))
                .unwrap()
        })
        .collect()
}

#[test]
fn nearest_neighbour_regularizers_match_the_double_loop() {
    let (x, _) = setup(517, 4, 2);
    let n = x.n() as f64;
    let neighbours = naive_neighbours(&x);
    let mut mma = Points::zeros(x.n(), 4);
    let mut mmcs = Points::zeros(x.n(), 4);
    let mut koleo = Points::zeros(x.n(), 4);
    let (mut v_mma, mut v_mmcs, mut v_koleo) = (0.0, 0.0, 0.0);
    for (i, &j) in neighbours.iter().enumerate() {
        let (xi, xj) = (x.row(i).to_vec(), x.row(j).to_vec());
        let theta = angle(&xi, &xj);
        let c = dot(&xi, &xj);
        let dist = (2.0 - 2.0 * c).sqrt();
        v_mma -= theta / n;
        v_mmcs += c / n;
        v_koleo -= dist.ln() / n;
        for k in 0..4 {
            mma.row_mut(i)[k] += xj[k] / (theta.sin() * n);
            mma.row_mut(j)[k] += xi[k] / (theta.sin() * n);
            mmcs.row_mut(i)[k] += xj[k] / n;
            mmcs.row_mut(j)[k] += xi[k] / n;
            koleo.row_mut(i)[k] -= (xi[k] - xj[k]) / (dist * dist * n);
            koleo.row_mut(j)[k] += (xi[k] - xj[k]) / (dist * dist * n);
        }
    }
    for (reg, value, grad, name) in [
        (&Mma as &dyn Regularizer, v_mma, &mma, "mma"),
        (&Mmcs, v_mmcs, &mmcs, "mmcs"),
        (&Koleo, v_koleo, &koleo, "koleo"),
    ] {
        let (v, g) = evaluate(reg, &x);
        assert!(close(v, value), "{name}: {v} vs {value}");
        assert_points_close(&g, grad, name);
    }
}

#[test]
fn lloyd_matches_the_double_loop() {
    let (x, draws) = setup(300, 3, 3);
    let samples = sphaera::random::uniform_sphere(700, 3, &mut sphaera::random::seeded(9));
    let _ = draws;
    let mut grad = Points::zeros(300, 3);
    let value = Lloyd::value_and_grad_with_samples(&x, &samples, 1.0, &mut grad, &Context::new(0));
    let mut expected = 0.0;
    for u in samples.rows() {
        let best = (0..x.n())
            .map(|i| angle(u, x.row(i)))
            .fold(f64::INFINITY, f64::min);
        expected += best * best / 700.0;
    }
    assert!(close(value, expected), "{value} vs {expected}");
}

#[test]
fn metrics_match_the_double_loop() {
    let (x, _) = setup(517, 5, 4);
    let n = x.n();
    let neighbours = naive_neighbours(&x);
    let nn: Vec<f64> = neighbours
        .iter()
        .enumerate()
        .map(|(i, &j)| angle(x.row(i), x.row(j)))
        .collect();
    let got = metrics::nearest_neighbour_angles(&x, Par::Rayon);
    assert!(got.iter().zip(&nn).all(|(a, b)| close(*a, *b)));
    let min = nn.iter().cloned().fold(f64::INFINITY, f64::min);
    assert!(close(metrics::min_angle(&x, Par::Rayon), min));
    let (mut total, mut energy) = (0.0, 0.0);
    for i in 0..n {
        for j in 0..n {
            if i != j {
                total += angle(x.row(i), x.row(j));
                if i < j {
                    let d: f64 = x
                        .row(i)
                        .iter()
                        .zip(x.row(j))
                        .map(|(a, b)| (a - b) * (a - b))
                        .sum();
                    energy += 1.0 / d.sqrt();
                }
            }
        }
    }
    assert!(close(
        metrics::mean_pairwise_angle(&x, Par::Rayon),
        total / (n * (n - 1)) as f64
    ));
    assert!(close(metrics::riesz_energy(&x, 1.0, Par::Rayon), energy));
    let mut mean = [0.0; 5];
    for row in x.rows() {
        mean.iter_mut()
            .zip(row)
            .for_each(|(m, v)| *m += v / n as f64);
    }
    let expected = 1.0 - mean.iter().map(|m| m * m).sum::<f64>().sqrt();
    assert!(close(metrics::circular_variance(&x), expected));
}
