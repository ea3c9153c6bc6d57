//! Entailment cones (Ganea et al. 2018), Euclidean and hyperbolic: the energy and its
//! gradients against independent formulas and finite differences, the start from pretrained
//! points, and learning a small hierarchy.

use std::num::NonZeroU64;

use rand::Rng;
use sphaera::data::{parse_edges, Hierarchy};
use sphaera::eval::Scorer;
use sphaera::hierarchy::{
    ConeGeometry, Cones, EuclideanCones, Flat, Hyperbolic, HyperbolicCones, Model, PairKind,
    Regions, Run, Schedule, SpherexConfig, SpherexLoss, Task, CONE_K,
};
use sphaera::random::seeded;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// `n` random apexes of `G`'s domain: uniform directions, norms uniform in `[low, high]`.
fn apexes(n: usize, dim: usize, low: f64, high: f64, seed: u64) -> Vec<f64> {
    let mut rng = seeded(seed);
    let mut rows = Vec::new();
    for _ in 0..n {
        let row: Vec<f64> = (0..dim).map(|_| rng.random_range(-1.0..1.0)).collect();
        let norm = dot(&row, &row).sqrt();
        let target = rng.random_range(low..high);
        rows.extend(row.iter().map(|x| x * target / norm));
    }
    rows
}

/// Möbius addition in the Poincaré ball.
fn mobius_add(x: &[f64], y: &[f64]) -> Vec<f64> {
    let (xy, xx, yy) = (dot(x, y), dot(x, x), dot(y, y));
    let den = 1.0 + 2.0 * xy + xx * yy;
    x.iter()
        .zip(y)
        .map(|(a, b)| ((1.0 + 2.0 * xy + yy) * a + (1.0 - xx) * b) / den)
        .collect()
}

/// The angle at `x` between the cone's axis (the direction of `x`) and the geodesic to `y`:
/// in the ball the geodesic leaves `x` along `(−x) ⊕ y` (the metric is conformal, so the
/// Euclidean angle is the hyperbolic one); in `R^d` along `y − x`.
fn angle_oracle(hyperbolic: bool, x: &[f64], y: &[f64]) -> f64 {
    let direction: Vec<f64> = if hyperbolic {
        let minus: Vec<f64> = x.iter().map(|a| -a).collect();
        mobius_add(&minus, y)
    } else {
        y.iter().zip(x).map(|(a, b)| a - b).collect()
    };
    (dot(x, &direction) / (dot(x, x) * dot(&direction, &direction)).sqrt()).acos()
}

fn aperture_oracle(hyperbolic: bool, x: &[f64]) -> f64 {
    let r = dot(x, x).sqrt();
    if hyperbolic {
        (CONE_K * (1.0 - r * r) / r).asin()
    } else {
        (CONE_K / r).asin()
    }
}

/// The energy and the score (minus the unclipped gap) against the oracles.
fn check_energy_against_oracle<G: ConeGeometry>(hyperbolic: bool, high: f64) {
    for (dim, seed) in [(2, 1), (3, 2), (10, 3)] {
        let n = 12;
        let low = G::inner_radius() + 0.01;
        let cones = Cones::<G>::from_parts(dim, apexes(n, dim, low, high, seed), 0.01).unwrap();
        let scorer = cones.scoring();
        for u in 0..n as u32 {
            for v in 0..n as u32 {
                if u == v {
                    continue;
                }
                let (x, y) = (cones.apex(v), cones.apex(u));
                let oracle =
                    (angle_oracle(hyperbolic, x, y) - aperture_oracle(hyperbolic, x)).max(0.0);
                let energy = cones.energy(u, v);
                assert!(
                    (energy - oracle).abs() < 1e-9,
                    "{} d={dim} ({u}, {v}): {energy} against {oracle}",
                    G::KIND
                );
                let gap = angle_oracle(hyperbolic, x, y) - aperture_oracle(hyperbolic, x);
                assert!((scorer.score(u, v) + gap).abs() < 1e-9);
                assert_eq!(scorer.score(u, v), cones.score(u, v));
            }
        }
    }
}

#[test]
fn the_energy_matches_the_angle_between_the_axis_and_the_geodesic() {
    check_energy_against_oracle::<Hyperbolic>(true, 0.95);
    check_energy_against_oracle::<Flat>(false, 3.0);
}

/// Central differences of `pair_loss` against its analytic gradient, at pairs away from the
/// kinks (energy or margin minus energy at least 10⁻³ from 0, cosine not clipped).
fn check_gradients<G: ConeGeometry>(high: f64) {
    let mut checked = 0;
    for (dim, seed) in [(2, 4), (3, 5), (10, 6)] {
        let n = 8;
        let low = G::inner_radius() + 0.02;
        // A wide margin, so that the hinge of negatives is active too.
        let cones = Cones::<G>::from_parts(dim, apexes(n, dim, low, high, seed), 2.0).unwrap();
        let loss = SpherexLoss::default();
        let h = 1e-6;
        for (a, b) in [(0u32, 1u32), (2, 3), (4, 5), (6, 7), (1, 0), (3, 2)] {
            let energy = cones.energy(a, b);
            for kind in [PairKind::Contained, PairKind::Disjoint] {
                if energy < 1e-3 || (kind != PairKind::Contained && energy > 2.0 - 1e-3) {
                    continue;
                }
                let (mut ga, mut gb) = (vec![0.0; dim], vec![0.0; dim]);
                let value = cones.pair_loss(a, b, kind, &loss, &mut ga, &mut gb);
                let expected = if kind == PairKind::Contained {
                    energy
                } else {
                    2.0 - energy
                };
                assert!((value - expected).abs() < 1e-12);
                let w = dim;
                for (node, grad) in [(a, &ga), (b, &gb)] {
                    for (k, &analytic) in grad.iter().enumerate() {
                        let at = |delta: f64| {
                            let mut moved = cones.clone();
                            moved.params_mut()[node as usize * w + k] += delta;
                            let (mut x, mut y) = (vec![0.0; dim], vec![0.0; dim]);
                            moved.pair_loss(a, b, kind, &loss, &mut x, &mut y)
                        };
                        let numeric = (at(h) - at(-h)) / (2.0 * h);
                        assert!(
                            (numeric - analytic).abs() <= 1e-6 * (1.0 + analytic.abs()),
                            "{} d={dim} ({a}, {b}) {kind:?} node {node} coordinate {k}: \
                             analytic {analytic}, numeric {numeric}",
                            G::KIND
                        );
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 12, "{}: only {checked} pairs checked", G::KIND);
}

#[test]
fn cone_pair_loss_gradients_match_central_differences() {
    check_gradients::<Hyperbolic>(0.9);
    check_gradients::<Flat>(3.0);
}

#[test]
fn a_point_further_out_on_the_axis_is_inside_the_cone() {
    // Along the axis the angle is 0; straight back towards the origin it is π.
    let h = HyperbolicCones::from_parts(2, vec![0.5, 0.0, 0.3, 0.0, 0.2, 0.0], 0.01).unwrap();
    assert_eq!(h.energy(0, 1), 0.0);
    let back = std::f64::consts::PI - aperture_oracle(true, &[0.3, 0.0]);
    // (the cosine is clipped at −1 + 10⁻⁷, as in the reference: the angle is π − 4.5·10⁻⁴)
    assert!((h.energy(2, 1) - back).abs() < 1e-3);
    let e = EuclideanCones::from_parts(2, vec![2.0, 0.0, 1.0, 0.0], 0.01).unwrap();
    assert_eq!(e.energy(0, 1), 0.0);
    // A larger norm, a narrower cone: the aperture falls as the apex moves out.
    let psi = |r: f64| aperture_oracle(true, &[r, 0.0]);
    assert!(psi(0.2) > psi(0.5) && psi(0.5) > psi(0.9));
}

#[test]
fn apexes_stay_in_the_domain_after_any_step() {
    let inner = Hyperbolic::inner_radius();
    // ψ reaches π/2 exactly at the inner radius.
    assert!((CONE_K * (1.0 - inner * inner) / inner - 1.0).abs() < 1e-12);
    for (row, low, high) in [
        (vec![0.0, 0.01], inner, 1.0),
        (vec![3.0, 4.0], inner, 1.0),
        (vec![0.3, 0.4], inner, 1.0),
    ] {
        let mut row = row;
        HyperbolicCones::project(&mut row, 0.0);
        let norm = dot(&row, &row).sqrt();
        assert!(norm > low && norm < high, "norm {norm}");
    }
    let mut row = vec![0.0, 0.0];
    EuclideanCones::project(&mut row, 0.0);
    assert!(dot(&row, &row).sqrt() > CONE_K);
    // Out of the domain is refused on load.
    assert!(HyperbolicCones::from_parts(2, vec![0.01, 0.0], 0.01).is_err());
    assert!(HyperbolicCones::from_parts(2, vec![1.0, 0.0], 0.01).is_err());
    assert!(EuclideanCones::from_parts(2, vec![0.05, 0.0], 0.01).is_err());
    assert!(EuclideanCones::from_parts(2, vec![0.5, 0.0], 0.0).is_err());
}

#[test]
fn cones_start_from_scaled_pretrained_points() {
    let points = vec![0.5, 0.0, 0.0, 0.9, 0.001, 0.0];
    let cones = HyperbolicCones::from_points(2, points).unwrap();
    let norms: Vec<f64> = cones.apexes().chunks(2).map(|r| dot(r, r).sqrt()).collect();
    assert!((norms[0] - 0.35).abs() < 1e-12);
    assert!((norms[1] - 0.63).abs() < 1e-12);
    // A point near the origin is pushed out to the inner radius.
    assert!((norms[2] - Hyperbolic::inner_radius()).abs() < 1e-4);
    assert!(norms[2] > Hyperbolic::inner_radius());
}

/// A small hand-made forest: three trees of two levels (the link-prediction protocol drops
/// the root, as Ganea et al.'s split does; a root at the origin's side would need a cone
/// of half-aperture above π/2). No diamond: a node under two unrelated parents pulls their
/// cones together, and a negative that ends up deep inside a cone gets no gradient from the
/// paper's loss (`E = 0` is flat there), so such pairs can stay wrong.
const SMALL: &str = "a1\ta\na2\ta\na3\ta\nb1\tb\nb2\tb\n\
                     c1\tc\nc2\tc\nc3\tc\na11\ta1\nb11\tb1\n";

/// Trains cones (pretraining included) on the closure of [`SMALL`] with the paper's
/// defaults but batches of one edge (pretraining too), and returns the hierarchy and the
/// model. (With 12 edges, batches of 10 take two steps an epoch; the paper's data sets take
/// hundreds, and the step size is the paper's. With pretraining at batches of 10, its 200
/// steps barely move the points from the origin and Euclidean cones at d = 3 and 5 kept
/// a negative inside a cone, where the loss has no gradient.)
fn learn_small<M: Regions>(dim: usize, epochs: u64) -> (Hierarchy, M) {
    let h = Hierarchy::from_edge_list(&parse_edges(SMALL, "small.tsv").unwrap()).unwrap();
    let task = Task::reconstruction(h.clone(), "small.tsv").unwrap();
    let config = SpherexConfig {
        dim,
        batch_size: 1,
        ..M::default_config()
    };
    let schedule = Schedule {
        epochs,
        eval_every: NonZeroU64::new(epochs).unwrap(),
    };
    let mut run = Run::<M>::new(&task, config, schedule).unwrap();
    while !run.is_done() {
        run.epoch().unwrap();
    }
    let (summary, model) = run.finish();
    assert_eq!(summary.reconstruction.unwrap().map, 1.0, "{}", M::KIND);
    assert!(summary.pretraining_seconds > 0.0);
    (h, model)
}

/// Every ancestor's cone holds the node (energy 0) and no other node's does.
fn assert_perfect<G: ConeGeometry>(h: &Hierarchy, cones: &Cones<G>) {
    let closure = h.closure();
    for u in 0..h.n() as u32 {
        for v in 0..h.n() as u32 {
            if u == v {
                continue;
            }
            let is_edge = closure.is_ancestor(u, v);
            let energy = cones.energy(u, v);
            assert_eq!(
                energy == 0.0,
                is_edge,
                "{}: {} is-a {}: energy {energy}",
                G::KIND,
                h.name(u),
                h.name(v)
            );
        }
    }
}

#[test]
fn hyperbolic_cones_learn_a_small_hierarchy_perfectly() {
    let (h, cones) = learn_small::<HyperbolicCones>(2, 2000);
    assert_perfect(&h, &cones);
}

#[test]
fn euclidean_cones_learn_a_small_hierarchy_perfectly() {
    let (h, cones) = learn_small::<EuclideanCones>(2, 2000);
    assert_perfect(&h, &cones);
}

#[test]
fn cones_save_and_load() {
    let dir = std::env::temp_dir().join(format!("sphaera-cones-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let names: Vec<String> = (0..3).map(|i| format!("n{i}")).collect();
    let points = apexes(3, 2, 0.2, 0.8, 7);
    for model in [
        Model::HyperbolicCones(HyperbolicCones::from_parts(2, points.clone(), 0.01).unwrap()),
        Model::EuclideanCones(EuclideanCones::from_parts(2, points.clone(), 0.5).unwrap()),
    ] {
        let path = dir.join("m.safetensors");
        model.save(&path, &names).unwrap();
        assert_eq!(Model::load(&path).unwrap(), (model, names.clone()));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
