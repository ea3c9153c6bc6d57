//! The point baselines of Nickel & Kiela (2017): Poincaré and Euclidean points trained by
//! the distance softmax over a positive and its negatives.

use sphaera::data::{parse_edges, HeldOut, Hierarchy};
use sphaera::eval::{reconstruction, Sampling, Scorer};
use sphaera::hierarchy::{
    judge_link_prediction, Balls, EdgeGroup, Euclidean, Known, Model, PairKind, Poincare, Regions,
    SpherexConfig, SpherexLoss, Trainer,
};
use sphaera::random::{gaussian_points, seeded};
use sphaera::Par;

/// `n` points in `R^dim`, coordinates `N(0, spread²)`, pulled inside the ball of radius 0.9.
fn rows(n: usize, dim: usize, spread: f64, seed: u64) -> Vec<f64> {
    let mut rows: Vec<f64> = gaussian_points(n, dim, &mut seeded(seed))
        .as_slice()
        .iter()
        .map(|x| spread * x)
        .collect();
    for row in rows.chunks_exact_mut(dim) {
        let norm = row.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm > 0.9 {
            row.iter_mut().for_each(|x| *x *= 0.9 / norm);
        }
    }
    rows
}

const GROUP: EdgeGroup<'static> = EdgeGroup {
    positive: (0, 1),
    negatives: &[
        (0, 2, PairKind::Disjoint),
        (0, 3, PairKind::NotContained),
        (0, 4, PairKind::Disjoint),
        // A repeated negative, and one that shares no node with the positive.
        (0, 2, PairKind::Disjoint),
        (5, 1, PairKind::Disjoint),
    ],
};

/// The group loss and its gradient with respect to every parameter (summed over the slots
/// of each node), from the model's analytic gradients.
fn analytic<M: Regions>(model: &M) -> (f64, Vec<f64>) {
    let w = model.row_width();
    let mut positive = vec![0.0; 2 * w];
    let mut negative = vec![0.0; 2 * w * GROUP.negatives.len()];
    let (value, terms) =
        model.group_loss(GROUP, &SpherexLoss::default(), &mut positive, &mut negative);
    assert_eq!(terms, 1, "one softmax term per group");
    let mut grad = vec![0.0; model.params().len()];
    let pairs = std::iter::once((GROUP.positive.0, GROUP.positive.1))
        .chain(GROUP.negatives.iter().map(|&(a, b, _)| (a, b)));
    let slots = positive
        .chunks_exact(2 * w)
        .chain(negative.chunks_exact(2 * w));
    for ((a, b), slot) in pairs.zip(slots) {
        for (node, g) in [(a, &slot[..w]), (b, &slot[w..])] {
            let row = &mut grad[node as usize * w..(node as usize + 1) * w];
            row.iter_mut().zip(g).for_each(|(r, g)| *r += g);
        }
    }
    (value, grad)
}

fn group_value<M: Regions>(model: &M) -> f64 {
    let w = model.row_width();
    let mut positive = vec![0.0; 2 * w];
    let mut negative = vec![0.0; 2 * w * GROUP.negatives.len()];
    model
        .group_loss(GROUP, &SpherexLoss::default(), &mut positive, &mut negative)
        .0
}

/// Central finite differences of the group loss against the analytic gradient, in f64.
fn check_gradient<M: Regions>(model: &M, name: &str) {
    let (value, grad) = analytic(model);
    // The oracle of the value: −ln softmax of minus the distances, from pair_loss.
    assert!(value.is_finite() && value > 0.0, "{name}: loss {value}");
    let h = 1e-6;
    for (i, &g) in grad.iter().enumerate() {
        let mut plus = model.clone();
        plus.params_mut()[i] += h;
        let mut minus = model.clone();
        minus.params_mut()[i] -= h;
        let numeric = (group_value(&plus) - group_value(&minus)) / (2.0 * h);
        assert!(
            (numeric - g).abs() <= 1e-6 * (1.0 + g.abs()),
            "{name}: parameter {i}: analytic {g}, numeric {numeric}"
        );
    }
}

#[test]
fn group_loss_gradients_match_central_differences() {
    for (dim, seed) in [(2, 1), (5, 2), (10, 3)] {
        for spread in [0.05, 0.3, 1.0] {
            let points = rows(6, dim, spread, seed);
            let poincare = Poincare::from_points(dim, points.clone()).unwrap();
            check_gradient(&poincare, &format!("poincare d={dim} spread={spread}"));
            let euclidean = Euclidean::from_points(dim, points).unwrap();
            check_gradient(&euclidean, &format!("euclidean d={dim} spread={spread}"));
        }
    }
}

#[test]
fn the_group_loss_is_minus_the_log_softmax_of_minus_the_distances() {
    let points = rows(6, 3, 0.4, 7);
    let poincare = Poincare::from_points(3, points.clone()).unwrap();
    let euclidean = Euclidean::from_points(3, points).unwrap();
    let pairs: Vec<(u32, u32)> = std::iter::once(GROUP.positive)
        .chain(GROUP.negatives.iter().map(|&(a, b, _)| (a, b)))
        .collect();
    let naive = |d: &dyn Fn(u32, u32) -> f64| {
        let sum: f64 = pairs.iter().map(|&(a, b)| (-d(a, b)).exp()).sum();
        -((-d(0, 1)).exp() / sum).ln()
    };
    let value = group_value(&poincare);
    assert!((value - naive(&|a, b| poincare.distance(a, b))).abs() < 1e-12);
    let value = group_value(&euclidean);
    assert!((value - naive(&|a, b| euclidean.distance(a, b))).abs() < 1e-12);
}

#[test]
fn the_default_group_loss_of_balls_is_the_sum_of_their_pair_losses() {
    let balls = Balls::initial(6, 3, 4);
    let loss = SpherexLoss::default();
    let w = balls.row_width();
    let (mut positive, mut negative) = (vec![0.0; 2 * w], vec![0.0; 2 * w * 5]);
    let (value, terms) = balls.group_loss(GROUP, &loss, &mut positive, &mut negative);
    assert_eq!(terms, 6);
    let (mut ga, mut gb) = (vec![0.0; w], vec![0.0; w]);
    let mut sum = balls.pair_loss(0, 1, PairKind::Contained, &loss, &mut ga, &mut gb);
    assert_eq!([ga.clone(), gb.clone()].concat(), positive);
    for (&(a, b, kind), slot) in GROUP.negatives.iter().zip(negative.chunks_exact(2 * w)) {
        sum += balls.pair_loss(a, b, kind, &loss, &mut ga, &mut gb);
        assert_eq!([ga.clone(), gb.clone()].concat(), slot);
    }
    assert_eq!(value.to_bits(), sum.to_bits());
}

/// `d(u, v) = 2 artanh ‖(−u) ⊕ v‖` with Möbius addition
/// `x ⊕ y = ((1 + 2⟨x,y⟩ + ‖y‖²) x + (1 − ‖x‖²) y) / (1 + 2⟨x,y⟩ + ‖x‖²‖y‖²)`:
/// another formula for the Poincaré distance than the model's `arcosh` form.
fn mobius_distance(u: &[f64], v: &[f64]) -> f64 {
    let x: Vec<f64> = u.iter().map(|a| -a).collect();
    let dot: f64 = x.iter().zip(v).map(|(a, b)| a * b).sum();
    let (xx, yy): (f64, f64) = (x.iter().map(|a| a * a).sum(), v.iter().map(|a| a * a).sum());
    let den = 1.0 + 2.0 * dot + xx * yy;
    let sum: Vec<f64> = x
        .iter()
        .zip(v)
        .map(|(a, b)| ((1.0 + 2.0 * dot + yy) * a + (1.0 - xx) * b) / den)
        .collect();
    2.0 * sum.iter().map(|a| a * a).sum::<f64>().sqrt().atanh()
}

#[test]
fn the_poincare_distance_matches_the_mobius_formula() {
    for (dim, spread, seed) in [(2, 0.1, 1), (3, 0.5, 2), (10, 2.0, 3)] {
        let points = rows(8, dim, spread, seed);
        let p = Poincare::from_points(dim, points).unwrap();
        let scorer = p.scoring();
        for u in 0..8 {
            for v in 0..8 {
                let oracle = mobius_distance(p.point(u), p.point(v));
                let d = p.distance(u, v);
                assert!(
                    (d - oracle).abs() <= 1e-9 * (1.0 + oracle),
                    "d={dim} ({u}, {v}): {d} against {oracle}"
                );
                assert_eq!(scorer.score(u, v), -d);
                assert_eq!(p.distance(v, u), d, "symmetric");
            }
            assert_eq!(p.distance(u, u), 0.0);
        }
    }
    // From the origin, d(0, x) = 2 artanh ‖x‖, far out too.
    let p = Poincare::from_points(2, vec![0.0, 0.0, 0.0, 0.999_999]).unwrap();
    assert!((p.distance(0, 1) - 2.0 * 0.999_999f64.atanh()).abs() < 1e-6);
}

/// A small hand-made hierarchy: two levels under a root, a diamond at the bottom.
const SMALL: &str = "\
a\troot
b\troot
c\troot
a1\ta
a2\ta
a3\ta
b1\tb
b2\tb
c1\tc
c2\tc
c3\tc
ab\ta1
ab\tb1
";

/// Trains `M` with its paper's defaults on the closure of [`SMALL`]; the trainer and the
/// reconstruction MAP at the end.
fn train_small<M: Regions>(epochs: u64, config: SpherexConfig) -> (Trainer<M>, f64) {
    let h = Hierarchy::from_edge_list(&parse_edges(SMALL, "small.tsv").unwrap()).unwrap();
    let closure = h.closure();
    let known = Known::from_closure(&closure);
    let initial = M::initial(h.n(), config.dim, config.seed);
    let mut trainer = Trainer::new(initial, closure.edges().collect(), known, config).unwrap();
    for _ in 0..epochs {
        trainer.epoch();
    }
    let map = reconstruction(
        &closure,
        &trainer.model().scoring(),
        Sampling::All,
        Par::Seq,
    )
    .map;
    (trainer, map)
}

#[test]
fn poincare_points_learn_a_small_hierarchy_perfectly() {
    let config = SpherexConfig {
        dim: 2,
        ..Poincare::default_config()
    };
    let (_, map) = train_small::<Poincare>(300, config);
    assert_eq!(map, 1.0);
}

#[test]
fn euclidean_points_learn_a_small_hierarchy_perfectly() {
    // d = 3 (siblings must lie farther from each other than from their ancestors) and
    // 1000 epochs: at the default step, 300 leave this tree at MAP 0.89.
    let config = SpherexConfig {
        dim: 3,
        ..Euclidean::default_config()
    };
    let (_, map) = train_small::<Euclidean>(1000, config);
    assert_eq!(map, 1.0);
}

#[test]
fn poincare_rows_stay_inside_the_ball_even_with_huge_steps() {
    let config = SpherexConfig {
        dim: 3,
        lr: 1e4,
        ..Poincare::default_config()
    };
    let (trainer, _) = train_small::<Poincare>(30, config);
    let params = trainer.model().params();
    assert!(params.iter().all(|x| x.is_finite()));
    for row in params.chunks_exact(3) {
        let norm = row.iter().map(|x| x * x).sum::<f64>().sqrt();
        assert!(norm <= 1.0 - 1e-5 + 1e-12, "norm {norm}");
    }
    // The projection itself: onto the sphere of radius 1 − ε, direction kept.
    let mut row = [3.0, 4.0];
    Poincare::project(&mut row, 0.0);
    assert!((row[0] / row[1] - 0.75).abs() < 1e-12);
    assert!((row[0].hypot(row[1]) - (1.0 - 1e-5)).abs() < 1e-12);
}

#[test]
fn the_initialization_is_uniform_in_a_thousandth() {
    let p = Poincare::initial(500, 4, 9);
    assert!(p.points().iter().all(|x| x.abs() <= 1e-3));
    let mean_abs = p.points().iter().map(|x| x.abs()).sum::<f64>() / 2000.0;
    assert!((mean_abs - 5e-4).abs() < 5e-5, "mean |x| {mean_abs}");
    assert_eq!(Euclidean::initial(500, 4, 9).points(), p.points());
}

#[test]
fn point_models_save_and_load() {
    let dir = std::env::temp_dir().join(format!("sphaera-baselines-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let names: Vec<String> = (0..3).map(|i| format!("n{i}")).collect();
    let points = rows(3, 2, 0.3, 5);
    for model in [
        Model::Poincare(Poincare::from_points(2, points.clone()).unwrap()),
        Model::Euclidean(Euclidean::from_points(2, points.clone()).unwrap()),
    ] {
        let path = dir.join("m.safetensors");
        model.save(&path, &names).unwrap();
        assert_eq!(Model::load(&path).unwrap(), (model, names.clone()));
    }
    // A point on or outside the unit sphere is no Poincaré model.
    assert!(Poincare::from_points(2, vec![0.6, 0.8]).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn link_prediction_chooses_the_is_a_weight_on_validation() {
    // A chain out from the origin: 0 near it, 1 and 2 further out on the same ray. The
    // distance alone is symmetric, so an edge (child, ancestor) and its reverse tie; the
    // is-a score with a weight tells them apart through the norms.
    let points = vec![0.1, 0.0, 0.5, 0.0, 0.8, 0.0, 0.3, 0.3];
    let held_out = HeldOut {
        valid: vec![(1, 0), (2, 1)],
        valid_neg: vec![(0, 1), (1, 2)],
        test: vec![(2, 0)],
        test_neg: vec![(0, 2)],
    };
    let poincare = Poincare::from_points(2, points.clone()).unwrap();
    let (figures, weight) = judge_link_prediction(&poincare, &held_out);
    assert_eq!(
        weight,
        Some(1000.0),
        "the first weight reaching the best validation F1"
    );
    assert_eq!((figures.valid_f1, figures.test_f1), (1.0, 1.0));
    // At weight 0 the scorer is minus the distance, which ties each pair with its reverse.
    let plain = poincare.weighted_scoring(0.0);
    assert_eq!(plain.score(1, 0), plain.score(0, 1));
    assert_eq!(plain.score(1, 0), poincare.scoring().score(1, 0));
    let weighted = poincare.weighted_scoring(3.0);
    let d = poincare.distance(1, 0);
    assert!((weighted.score(1, 0) - (-(1.0 + 3.0 * (0.1 - 0.5)) * d)).abs() < 1e-12);
    let euclidean = Euclidean::from_points(2, points).unwrap();
    let (figures, weight) = judge_link_prediction(&euclidean, &held_out);
    assert_eq!(weight, Some(1000.0));
    assert_eq!(figures.test_f1, 1.0);
    // Models without a free weight are judged by their one score.
    let balls = Balls::initial(4, 2, 0);
    assert_eq!(judge_link_prediction(&balls, &held_out).1, None);
}
