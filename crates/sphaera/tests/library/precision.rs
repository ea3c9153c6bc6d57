//! The `f32` pairwise products against the `f64` ones: every kernel and nearest-neighbour
//! method, value and gradient, on tables of several tiles.

use sphaera::disperse::{
    Context, Distance, Kernel, Koleo, Mma, Mmcs, Mmd, Regularizer, Uniformity,
};
use sphaera::random::{seeded, uniform_sphere};
use sphaera::{Par, Points, Precision};

fn value_and_grad(r: &dyn Regularizer, x: &Points, precision: Precision) -> (f64, Points) {
    let mut ctx = Context {
        precision,
        ..Context::new(0)
    };
    ctx.par = Par::Rayon;
    let mut grad = Points::zeros(x.n(), x.dim());
    let value = r.value_and_grad(x, 1.0, &mut grad, &mut ctx);
    (value, grad)
}

fn relative(a: &[f64], b: &[f64]) -> f64 {
    let diff: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    let norm: f64 = b.iter().map(|y| y * y).sum();
    (diff / norm).sqrt()
}

#[test]
fn kernels_in_f32_agree_with_f64() {
    // Measured: values within 4e-11, gradients within 3e-7 (relative); bounds with margin.
    // 700 points: three blocks of 256 rows, so tiles of both sizes and both diagonals.
    let x = uniform_sphere(700, 16, &mut seeded(5));
    let mut cases: Vec<(String, Box<dyn Regularizer>)> = vec![
        ("uniformity".into(), Box::new(Uniformity::new(2.0).unwrap())),
        ("mhe".into(), Box::new(Mmd::mhe(1.0).unwrap())),
    ];
    for kernel in [
        Kernel::Gaussian { gamma: 1.0 },
        Kernel::Laplace { gamma: 2.0 },
        Kernel::Riesz { s: 1.0 },
        Kernel::Riesz { s: 0.0 },
        Kernel::Riesz { s: -1.0 },
    ] {
        for distance in [Distance::Euclidean, Distance::Geodesic] {
            let mmd = Mmd::new(kernel, distance).unwrap();
            cases.push((format!("mmd {kernel:?} {distance:?}"), Box::new(mmd)));
        }
    }
    for (name, r) in &cases {
        let (v64, g64) = value_and_grad(r.as_ref(), &x, Precision::F64);
        let (v32, g32) = value_and_grad(r.as_ref(), &x, Precision::F32);
        let value_error = ((v32 - v64) / v64).abs();
        let grad_error = relative(g32.as_slice(), g64.as_slice());
        assert!(value_error < 1e-9, "{name}: value {v32} against {v64}");
        assert!(
            grad_error < 1e-6,
            "{name}: gradient off by {grad_error:e} (relative)"
        );
        // Not the same numbers: the f32 path is really taken.
        assert_ne!(g32.as_slice(), g64.as_slice(), "{name}");
    }
}

#[test]
fn nearest_neighbour_methods_in_f32_find_the_same_neighbours() {
    // Random points: the nearest and second-nearest products differ far beyond f32 rounding,
    // and the values are computed again in f64 from the neighbours found.
    let x = uniform_sphere(700, 16, &mut seeded(6));
    let cases: Vec<(&str, Box<dyn Regularizer>)> = vec![
        ("mma", Box::new(Mma)),
        ("mmcs", Box::new(Mmcs)),
        ("koleo", Box::new(Koleo)),
    ];
    for (name, r) in &cases {
        let (v64, g64) = value_and_grad(r.as_ref(), &x, Precision::F64);
        let (v32, g32) = value_and_grad(r.as_ref(), &x, Precision::F32);
        assert_eq!(v32, v64, "{name}");
        assert_eq!(g32.as_slice(), g64.as_slice(), "{name}");
    }
}
