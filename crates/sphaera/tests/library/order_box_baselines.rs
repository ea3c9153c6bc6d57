//! The baselines, order embeddings and Gumbel boxes: pair-loss gradients against central
//! finite differences, the box formulas against a direct oracle, a small hierarchy learned
//! perfectly, and the model file round trip.

use rand::Rng;
use sphaera::data::{parse_edges, Hierarchy};
use sphaera::eval::{reconstruction, Sampling, Scorer};
use sphaera::hierarchy::{
    evaluate, Boxes, Known, Model, Order, PairKind, Regions, SpherexConfig, SpherexLoss, Trainer,
};
use sphaera::random::seeded;
use sphaera::Par;

const KINDS: [PairKind; 3] = [
    PairKind::Contained,
    PairKind::Disjoint,
    PairKind::NotContained,
];

/// The largest error of `model`'s analytic pair-loss gradients against central differences
/// of step `h` in each parameter of rows 0 and 1, relative to `max(1, |analytic|)`.
fn gradient_error<M: Regions>(model: &M, kind: PairKind, h: f64) -> f64 {
    let w = model.row_width();
    let loss = SpherexLoss::default();
    let (mut ga, mut gb) = (vec![0.0; w], vec![0.0; w]);
    model.pair_loss(0, 1, kind, &loss, &mut ga, &mut gb);
    let analytic: Vec<f64> = ga.iter().chain(&gb).copied().collect();
    let value = |m: &M| {
        let (mut a, mut b) = (vec![0.0; w], vec![0.0; w]);
        m.pair_loss(0, 1, kind, &loss, &mut a, &mut b)
    };
    let mut worst: f64 = 0.0;
    for (k, a) in analytic.iter().enumerate() {
        let moved = |step: f64| {
            let mut m = model.clone();
            m.params_mut()[k] += step;
            value(&m)
        };
        let numeric = (moved(h) - moved(-h)) / (2.0 * h);
        worst = worst.max((a - numeric).abs() / a.abs().max(1.0));
    }
    worst
}

#[test]
fn order_pair_loss_gradients_match_finite_differences() {
    let mut rng = seeded(11);
    for dim in [1usize, 3, 10] {
        for margin in [0.5, 1.0, 4.0] {
            for _ in 0..20 {
                let vectors: Vec<f64> = (0..2 * dim).map(|_| rng.random_range(0.0..1.5)).collect();
                let order = Order::from_parts(dim, vectors.clone(), margin).unwrap();
                // The loss has kinks where a coordinate gap or the hinge crosses 0; the
                // differences are taken away from them.
                let near_kink = (0..dim).any(|k| (vectors[k] - vectors[dim + k]).abs() < 1e-4)
                    || (order.energy(0, 1) - margin).abs() < 1e-4;
                if near_kink {
                    continue;
                }
                for kind in KINDS {
                    let err = gradient_error(&order, kind, 1e-7);
                    assert!(err <= 1e-6, "{kind:?} d={dim} α={margin}: error {err:e}");
                }
            }
        }
    }
}

#[test]
fn order_losses_follow_the_paper() {
    // dog (0) is-a animal (1) holds: no energy, no loss for the positive.
    let order = Order::from_parts(2, vec![1.0, 2.0, 0.5, 0.5, 3.0, 0.0], 1.0).unwrap();
    let loss = SpherexLoss::default();
    let (mut ga, mut gb) = (vec![0.0; 2], vec![0.0; 2]);
    assert_eq!(
        order.pair_loss(0, 1, PairKind::Contained, &loss, &mut ga, &mut gb),
        0.0
    );
    // The reverse is violated by E = 0.25 + 2.25 ≥ α: a satisfied negative.
    assert_eq!(order.energy(1, 0), 2.5);
    for kind in [PairKind::Disjoint, PairKind::NotContained] {
        assert_eq!(order.pair_loss(1, 0, kind, &loss, &mut ga, &mut gb), 0.0);
        assert_eq!((ga.clone(), gb.clone()), (vec![0.0; 2], vec![0.0; 2]));
    }
    // dog (0) against row 2: E = 2² = 4 as a positive.
    assert_eq!(
        order.pair_loss(0, 2, PairKind::Contained, &loss, &mut ga, &mut gb),
        4.0
    );
    // With α = 5 the same pair as a negative costs α − E = 1.
    let wide = order.with_margin(5.0).unwrap();
    assert_eq!(
        wide.pair_loss(0, 2, PairKind::Disjoint, &loss, &mut ga, &mut gb),
        1.0
    );
}

fn random_boxes(dim: usize, n: usize, beta: f64, rng: &mut sphaera::random::SeededRng) -> Boxes {
    let mut mins = Vec::new();
    let mut maxs = Vec::new();
    for _ in 0..n * dim {
        let lo: f64 = rng.random_range(0.0..1.0);
        mins.push(lo);
        maxs.push(lo + rng.random_range(0.01..0.8));
    }
    Boxes::from_parts(dim, &mins, &maxs, beta).unwrap()
}

#[test]
fn box_pair_loss_gradients_match_finite_differences() {
    let mut rng = seeded(12);
    for dim in [1usize, 3, 10] {
        for beta in [0.01, 0.1, 1.0] {
            for _ in 0..10 {
                let boxes = random_boxes(dim, 2, beta, &mut rng);
                // A negative whose P(v | u) is within 10⁻³ of 1 has a loss too steep for
                // differences of this step (its slope is P/(1 − P)); it is checked below,
                // with a smaller one.
                let steep = boxes.ln_conditional(0, 1) > -1e-3;
                for kind in KINDS {
                    if steep && kind != PairKind::Contained {
                        continue;
                    }
                    let err = gradient_error(&boxes, kind, 1e-4 * beta);
                    assert!(err <= 1e-6, "{kind:?} d={dim} β={beta}: error {err:e}");
                }
            }
        }
    }
    // Nested and far-apart boxes: P(v | u) near 1 and near 0.
    let boxes = Boxes::from_parts(2, &[0.4, 0.4, 0.0, 0.0], &[0.6, 0.6, 1.0, 1.0], 0.1).unwrap();
    let far = Boxes::from_parts(2, &[0.0, 0.0, 5.0, 5.0], &[1.0, 1.0, 6.0, 6.0], 0.05).unwrap();
    for (m, h) in [(&boxes, 1e-6), (&far, 1e-6)] {
        for kind in KINDS {
            let err = gradient_error(m, kind, h);
            assert!(err <= 1e-6, "{kind:?}: error {err:e}");
        }
    }
}

/// The paper's formulas written out directly, in plain exponentials (valid while no
/// exponent overflows).
fn oracle_ln_conditional(boxes: &Boxes, u: u32, v: u32) -> (f64, Vec<f64>, Vec<f64>, f64) {
    let beta = boxes.beta();
    let gamma = 0.577_215_664_901_532_9_f64;
    let side = |w: f64| beta * (w / beta - 2.0 * gamma).exp().ln_1p();
    let (zu, big_zu) = (boxes.min_corner(u), boxes.max_corner(u));
    let (zv, big_zv) = (boxes.min_corner(v), boxes.max_corner(v));
    let lo: Vec<f64> = (0..boxes.dim())
        .map(|k| beta * ((zu[k] / beta).exp() + (zv[k] / beta).exp()).ln())
        .collect();
    let hi: Vec<f64> = (0..boxes.dim())
        .map(|k| -beta * ((-big_zu[k] / beta).exp() + (-big_zv[k] / beta).exp()).ln())
        .collect();
    let volume_u: f64 = (0..boxes.dim()).map(|k| side(big_zu[k] - zu[k])).product();
    let volume_meet: f64 = (0..boxes.dim()).map(|k| side(hi[k] - lo[k])).product();
    ((volume_meet / volume_u).ln(), lo, hi, volume_u.ln())
}

#[test]
fn box_volumes_and_intersections_match_the_direct_formulas() {
    let mut rng = seeded(13);
    for dim in [1usize, 2, 5] {
        for beta in [0.05, 0.2, 1.0] {
            let boxes = random_boxes(dim, 6, beta, &mut rng);
            let scorer = boxes.scorer();
            let mut all = vec![0.0; boxes.n()];
            for u in 0..boxes.n() as u32 {
                scorer.score_all(u, &mut all);
                for v in 0..boxes.n() as u32 {
                    let (ln_p, lo, hi, ln_volume) = oracle_ln_conditional(&boxes, u, v);
                    let close = |a: f64, b: f64| (a - b).abs() <= 1e-10 * (1.0 + b.abs());
                    assert!(close(boxes.ln_volume(u), ln_volume), "ln Vol({u})");
                    let (got_lo, got_hi) = boxes.intersection(u, v);
                    for k in 0..dim {
                        assert!(close(got_lo[k], lo[k]) && close(got_hi[k], hi[k]));
                    }
                    assert!(close(boxes.ln_conditional(u, v), ln_p), "d={dim} β={beta}");
                    assert!(close(scorer.score(u, v), ln_p) && close(all[v as usize], ln_p));
                }
            }
        }
    }
}

#[test]
fn cold_boxes_give_the_hard_volume_ratio() {
    // As β → 0 the Gumbel boxes become hard boxes: P(v | u) is the fraction of u inside v.
    let mins = [0.0, 0.0, 0.5, 0.25, 0.2, 0.2];
    let maxs = [1.0, 1.0, 1.5, 0.75, 0.4, 0.4];
    let boxes = Boxes::from_parts(2, &mins, &maxs, 1e-6).unwrap();
    let hard = [(0, 1, 0.5 * 0.5), (1, 0, 0.5), (2, 0, 1.0), (0, 2, 0.04)];
    for (u, v, p) in hard {
        let got = boxes.ln_conditional(u, v).exp();
        assert!((got - p).abs() < 1e-4, "P({v} | {u}) = {got}, hard {p}");
    }
}

fn toy() -> Hierarchy {
    let text = "animal\tlife\nplant\tlife\ndog\tanimal\ncat\tanimal\nbird\tanimal\npuppy\tdog\n\
                tree\tplant\nflower\tplant\noak\ttree\npine\ttree\nrose\tflower\n";
    Hierarchy::from_edge_list(&parse_edges(text, "toy.tsv").unwrap()).unwrap()
}

fn trained<M: Regions>(h: &Hierarchy, dim: usize, epochs: usize) -> M {
    let closure = h.closure();
    let config = SpherexConfig {
        dim,
        batch_size: 8,
        ..SpherexConfig::default()
    };
    let initial = M::initial(h.n(), dim, config.seed);
    let mut trainer = Trainer::new(
        initial,
        closure.edges().collect(),
        Known::from_closure(&closure),
        config,
    )
    .unwrap();
    for _ in 0..epochs {
        trainer.epoch();
    }
    trainer.model().clone()
}

#[test]
fn order_embeddings_learn_a_small_hierarchy_perfectly() {
    let h = toy();
    let closure = h.closure();
    let order: Order = trained(&h, 5, 400);
    let r = reconstruction(&closure, &order.scorer(), Sampling::All, Par::Seq);
    assert_eq!(r.map, 1.0, "mean rank {}", r.mean_rank);
    assert!(order.vectors().iter().all(|&v| v >= 0.0));
}

#[test]
fn gumbel_boxes_learn_a_small_hierarchy_perfectly() {
    let h = toy();
    let closure = h.closure();
    let boxes: Boxes = trained(&h, 5, 200);
    let r = reconstruction(&closure, &boxes.scorer(), Sampling::All, Par::Seq);
    assert_eq!(r.map, 1.0, "mean rank {}", r.mean_rank);
    for u in 0..boxes.n() as u32 {
        let (lo, hi) = (boxes.min_corner(u), boxes.max_corner(u));
        assert!(lo.iter().zip(hi).all(|(a, b)| a <= b));
    }
}

#[test]
fn baseline_models_survive_a_save_and_load() {
    let h = toy();
    let dir = std::env::temp_dir().join(format!("sphaera-baselines-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let names = h.names().to_vec();
    let order: Order = trained(&h, 3, 20);
    let boxes: Boxes = trained(&h, 3, 20);
    let models = [
        Model::Order(order.with_margin(2.0).unwrap()),
        Model::Boxes(boxes.with_beta(0.05).unwrap()),
    ];
    for (i, model) in models.into_iter().enumerate() {
        let path = dir.join(format!("m{i}.safetensors"));
        model.save(&path, &names).unwrap();
        let (loaded, loaded_names) = Model::load(&path).unwrap();
        assert_eq!((&loaded, &loaded_names), (&model, &names));
        // Saved twice, the same bytes.
        let bytes = std::fs::read(&path).unwrap();
        loaded.save(&path, &names).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), bytes);
        let judged = match &loaded {
            Model::Order(o) => evaluate(o, &names, &h, None),
            Model::Boxes(b) => evaluate(b, &names, &h, None),
            _ => unreachable!(),
        }
        .unwrap();
        let closure = h.closure();
        let direct = match &loaded {
            Model::Order(o) => reconstruction(&closure, &o.scorer(), Sampling::All, Par::Seq),
            Model::Boxes(b) => reconstruction(&closure, &b.scorer(), Sampling::All, Par::Seq),
            _ => unreachable!(),
        };
        assert_eq!(judged.reconstruction.map, direct.map);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_trainer_takes_each_model_s_row_width() {
    let h = toy();
    let closure = h.closure();
    let config = SpherexConfig {
        dim: 4,
        ..SpherexConfig::default()
    };
    let edges: Vec<(u32, u32)> = closure.edges().collect();
    let known = Known::from_closure(&closure);
    // A model made for another dimension is refused, not misread.
    let wrong = Boxes::initial(h.n(), 3, 0);
    assert!(Trainer::new(wrong, edges.clone(), known.clone(), config.clone()).is_err());
    assert_eq!(Order::initial(h.n(), 4, 0).row_width(), 4);
    assert_eq!(Boxes::initial(h.n(), 4, 0).row_width(), 8);
    assert!(Trainer::new(Boxes::initial(h.n(), 4, 0), edges, known, config).is_ok());
}
