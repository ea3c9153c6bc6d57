//! Ball geometry: the incomplete beta function against 50-digit values, intersection
//! volumes against closed forms and Monte Carlo, derivatives against finite differences.

use std::f64::consts::PI;

use rand::Rng;
use sphaera::ball::{
    ln_ball_volume, ln_beta_reg, ln_conditional, ln_intersection, relation, Relation,
};
use sphaera::random::{gaussian_points, seeded};

#[test]
fn incomplete_beta_matches_fifty_digit_values() {
    let table = include_str!("../fixtures/incomplete_beta.tsv");
    let mut checked = 0;
    for line in table.lines().filter(|l| !l.starts_with('#')) {
        let v: Vec<f64> = line.split('\t').map(|f| f.parse().unwrap()).collect();
        let got = ln_beta_reg(v[0], v[1], v[2]);
        let tolerance = 1e-12 * v[3].abs().max(1e-3);
        assert!(
            (got - v[3]).abs() <= tolerance,
            "ln I_{}({}, {}) = {got}, expected {}",
            v[0],
            v[1],
            v[2],
            v[3]
        );
        checked += 1;
    }
    assert_eq!(checked, 80);
}

/// Radii and a distance at which two balls overlap without either containing the other.
fn overlapping(rng: &mut impl Rng) -> (f64, f64, f64) {
    let r1: f64 = rng.random_range(0.2..2.0);
    let r2: f64 = rng.random_range(0.2..2.0);
    let low = (r1 - r2).abs();
    let delta = low + rng.random_range(0.02..0.98) * (r1 + r2 - low);
    (r1, r2, delta)
}

#[test]
fn intersections_match_the_closed_forms_in_two_and_three_dimensions() {
    let mut rng = seeded(1);
    for _ in 0..200 {
        let (r1, r2, d) = overlapping(&mut rng);
        // Two circular segments.
        let a1 = (d * d + r1 * r1 - r2 * r2) / (2.0 * d);
        let a2 = d - a1;
        let segment = |r: f64, a: f64| r * r * (a / r).acos() - a * (r * r - a * a).sqrt();
        let area = segment(r1, a1) + segment(r2, a2);
        let got = ln_intersection(2, r1, r2, d).value.exp();
        assert!(
            (got - area).abs() <= 1e-12 * area.max(1e-300),
            "d=2 {r1} {r2} {d}: {got} vs {area}"
        );
        // The lens of two spheres.
        let lens =
            PI * (r1 + r2 - d).powi(2) * (d * d + 2.0 * d * (r1 + r2) - 3.0 * (r1 - r2).powi(2))
                / (12.0 * d);
        let got = ln_intersection(3, r1, r2, d).value.exp();
        assert!(
            (got - lens).abs() <= 1e-12 * lens,
            "d=3 {r1} {r2} {d}: {got} vs {lens}"
        );
    }
}

#[test]
fn conditional_probabilities_match_monte_carlo() {
    let mut rng = seeded(2);
    let samples = 200_000;
    for d in [2usize, 3, 5, 10] {
        for _ in 0..4 {
            let (r_a, r_b, delta) = overlapping(&mut rng);
            // Uniform points in A = B(0, r_a): Gaussian direction, radius r_a · U^{1/d}.
            let directions = gaussian_points(samples, d, &mut rng);
            let mut inside = 0usize;
            for x in directions.rows() {
                let norm = x.iter().map(|v| v * v).sum::<f64>().sqrt();
                let radius = r_a * rng.random::<f64>().powf(1.0 / d as f64);
                // B's centre lies on the first axis.
                let dist2: f64 = x
                    .iter()
                    .enumerate()
                    .map(|(k, v)| {
                        let p = v / norm * radius;
                        let c = if k == 0 { delta } else { 0.0 };
                        (p - c) * (p - c)
                    })
                    .sum();
                inside += usize::from(dist2 <= r_b * r_b);
            }
            let estimate = inside as f64 / samples as f64;
            let exact = ln_conditional(d, r_a, r_b, delta).value.exp();
            let sigma = (exact * (1.0 - exact) / samples as f64).sqrt();
            assert!(
                (estimate - exact).abs() <= 5.0 * sigma + 1e-4,
                "d={d}: {estimate} vs {exact}"
            );
        }
    }
}

#[test]
fn derivatives_match_finite_differences_up_to_256_dimensions() {
    let mut rng = seeded(3);
    for d in [2usize, 3, 5, 10, 64, 256] {
        for _ in 0..30 {
            let (r1, r2, delta) = overlapping(&mut rng);
            let f = |r1: f64, r2: f64, delta: f64| ln_conditional(d, r1, r2, delta).value;
            let g = ln_conditional(d, r1, r2, delta);
            let h = 1e-6;
            let fd = [
                (f(r1, r2, delta + h) - f(r1, r2, delta - h)) / (2.0 * h),
                (f(r1 + h, r2, delta) - f(r1 - h, r2, delta)) / (2.0 * h),
                (f(r1, r2 + h, delta) - f(r1, r2 - h, delta)) / (2.0 * h),
            ];
            for (name, analytic, numeric) in [
                ("distance", g.d_distance, fd[0]),
                ("r_a", g.d_r_a, fd[1]),
                ("r_b", g.d_r_b, fd[2]),
            ] {
                let scale = analytic.abs().max(1.0);
                assert!(
                    (analytic - numeric).abs() <= 1e-5 * scale,
                    "d={d} {name}: {analytic} vs {numeric} at ({r1}, {r2}, {delta})"
                );
            }
        }
    }
}

#[test]
fn volumes_are_finite_and_shrink_as_the_balls_part_up_to_256_dimensions() {
    for d in [2usize, 3, 10, 50, 128, 256] {
        let (r1, r2) = (1.0, 1.3);
        let mut last = f64::INFINITY;
        for step in 0..=400 {
            let delta = (r2 - r1) + (r1 + r2 - (r2 - r1)) * step as f64 / 400.0;
            let v = ln_intersection(d, r1, r2, delta).value;
            if step < 400 {
                assert!(v.is_finite(), "d={d} δ={delta}: {v}");
            }
            assert!(v <= last + 1e-12, "d={d}: not monotone at δ={delta}");
            last = v;
        }
        assert_eq!(last, f64::NEG_INFINITY, "touching balls share no volume");
        // The largest intersection is the smaller ball.
        assert!((ln_intersection(d, r1, r2, 0.0).value - ln_ball_volume(d, r1)).abs() < 1e-12);
    }
}

#[test]
fn relations_agree_with_probabilities() {
    assert_eq!(relation(1.0, 2.0, 0.5), Relation::Inside);
    assert_eq!(ln_conditional(4, 1.0, 2.0, 0.5).value, 0.0);
    assert_eq!(relation(2.0, 1.0, 0.5), Relation::Contains);
    assert!((ln_conditional(4, 2.0, 1.0, 0.5).value - 4.0 * 0.5f64.ln()).abs() < 1e-14);
    assert_eq!(relation(1.0, 1.0, 2.5), Relation::Disjoint);
    assert_eq!(ln_conditional(4, 1.0, 1.0, 2.5).value, f64::NEG_INFINITY);
    assert_eq!(relation(1.0, 1.0, 1.0), Relation::Overlapping);
    let p = ln_conditional(4, 1.0, 1.0, 1.0).value;
    assert!(p < 0.0 && p.is_finite());
}
