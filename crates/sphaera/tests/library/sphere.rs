//! Geometric invariants of the sphere module, near-degenerate inputs included.

use proptest::prelude::*;
use sphaera::random::{gaussian_points, seeded, uniform_sphere};
use sphaera::sphere::{angle, exp_map, log_map, norm, normalize_rows, project_tangent, retract};
use sphaera::{Error, Points};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn normalized_rows_have_unit_norm(n in 1usize..20, dim in 2usize..9, seed: u64, scale in -300i32..300) {
        let mut x = gaussian_points(n, dim, &mut seeded(seed));
        x.as_mut_slice().iter_mut().for_each(|v| *v *= 10f64.powi(scale));
        normalize_rows(&mut x).unwrap();
        prop_assert!(x.rows().all(|r| (norm(r) - 1.0).abs() < 1e-14));
    }

    #[test]
    fn exp_inverts_log(dim in 2usize..9, seed: u64) {
        let p = uniform_sphere(2, dim, &mut seeded(seed));
        let (x, y) = (p.row(0), p.row(1));
        prop_assume!(angle(x, y) < 3.1);
        let mut u = vec![0.0; dim];
        log_map(x, y, &mut u);
        prop_assert!((norm(&u) - angle(x, y)).abs() < 1e-12);
        let dot: f64 = u.iter().zip(x).map(|(a, b)| a * b).sum();
        prop_assert!(dot.abs() < 1e-12, "log is tangent");
        let mut z = x.to_vec();
        exp_map(&mut z, &u);
        prop_assert!(z.iter().zip(y).all(|(a, b)| (a - b).abs() < 1e-10));
    }

    #[test]
    fn tangent_projection_is_orthogonal_and_idempotent(dim in 2usize..9, seed: u64) {
        let mut rng = seeded(seed);
        let x = uniform_sphere(1, dim, &mut rng);
        let mut g = gaussian_points(1, dim, &mut rng).into_vec();
        project_tangent(x.row(0), &mut g);
        let dot: f64 = g.iter().zip(x.row(0)).map(|(a, b)| a * b).sum();
        prop_assert!(dot.abs() < 1e-14);
        let again = { let mut h = g.clone(); project_tangent(x.row(0), &mut h); h };
        // A second projection moves g by about (x·g) ≈ 1e-16·‖g‖: a few ulps of g.
        let scale = norm(&g).max(1.0);
        prop_assert!(again.iter().zip(&g).all(|(a, b)| (a - b).abs() < 1e-14 * scale));
    }

    #[test]
    fn angle_is_symmetric_and_in_range(dim in 2usize..9, seed: u64) {
        let p = uniform_sphere(2, dim, &mut seeded(seed));
        let (a, b) = (angle(p.row(0), p.row(1)), angle(p.row(1), p.row(0)));
        prop_assert_eq!(a, b);
        prop_assert!((0.0..=std::f64::consts::PI).contains(&a));
    }
}

#[test]
fn retraction_and_exponential_at_zero_are_the_identity() {
    let x = uniform_sphere(1, 5, &mut seeded(1)).into_vec();
    for step in [exp_map as fn(&mut [f64], &[f64]), retract] {
        let mut y = x.clone();
        step(&mut y, &[0.0; 5]);
        assert!(y.iter().zip(&x).all(|(a, b)| (a - b).abs() < 1e-15));
    }
}

#[test]
fn angles_are_accurate_near_zero_and_pi() {
    for eps in [1e-3f64, 1e-6, 1e-9, 1e-12] {
        let x = [1.0, 0.0, 0.0];
        let near = [eps.cos(), eps.sin(), 0.0];
        assert!(
            (angle(&x, &near) - eps).abs() < 1e-15 + 1e-12 * eps,
            "near 0 at {eps}"
        );
        let far = [-(eps.cos()), eps.sin(), 0.0];
        let expected = std::f64::consts::PI - eps;
        assert!(
            (angle(&x, &far) - expected).abs() < 1e-14,
            "near π at {eps}"
        );
    }
    assert_eq!(angle(&[0.0, 1.0], &[0.0, -1.0]), std::f64::consts::PI);
}

#[test]
fn bad_rows_are_named() {
    let mut x = Points::from_vec(3, 2, vec![1.0, 0.0, f64::NAN, 1.0, 0.0, 0.0]).unwrap();
    assert!(matches!(
        normalize_rows(&mut x),
        Err(Error::NonFiniteRow { row: 1 })
    ));
    let mut x = Points::from_vec(3, 2, vec![1.0, 0.0, 2.0, 1.0, 0.0, 0.0]).unwrap();
    assert!(matches!(
        normalize_rows(&mut x),
        Err(Error::ZeroRow { row: 2 })
    ));
    let mut x = Points::from_vec(1, 2, vec![f64::INFINITY, 0.0]).unwrap();
    assert!(matches!(
        normalize_rows(&mut x),
        Err(Error::NonFiniteRow { row: 0 })
    ));
}
