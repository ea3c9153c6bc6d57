//! SpheREx: pair-loss gradients, a small hierarchy learned perfectly, the mammal goals, and
//! exact resumption.

use rand::Rng;
use sphaera::ball::{containment_margin, exclusion_margin};
use sphaera::data::{mammals, parse_edges, Hierarchy};
use sphaera::eval::{reconstruction, Sampling};
use sphaera::hierarchy::{
    Balls, Caps, EdgeSampling, Known, PairKind, Regions, SpherexConfig, SpherexLoss, Trainer,
    TrainerState,
};
use sphaera::random::seeded;
use sphaera::Par;

fn balls_from(dim: usize, centers: &[f64], log_radii: &[f64]) -> Balls {
    Balls::from_parts(dim, centers.to_vec(), log_radii.to_vec()).unwrap()
}

#[test]
fn pair_loss_gradients_match_finite_differences() {
    let mut rng = seeded(5);
    let losses = [
        SpherexLoss::default(),
        SpherexLoss {
            volume_weight: 0.3,
            ln_p_floor: -50.0,
            temperature: 0.3,
            ..SpherexLoss::default()
        },
    ];
    for dim in [2usize, 3, 10] {
        for _ in 0..20 {
            let centers: Vec<f64> = (0..2 * dim).map(|_| rng.random_range(-0.5..0.5)).collect();
            let log_radii = [
                rng.random_range(-1.5..0.0f64),
                rng.random_range(-1.5..0.0f64),
            ];
            for kind in [
                PairKind::Contained,
                PairKind::Disjoint,
                PairKind::NotContained,
            ] {
                for loss in &losses {
                    // The gradient rows are [∂/∂c, ∂/∂ln r] of each ball.
                    let value_and_grad = |c: &[f64], r: &[f64]| {
                        let (mut ga, mut gb) = (vec![0.0; dim + 1], vec![0.0; dim + 1]);
                        let v = balls_from(dim, c, r).pair_loss(0, 1, kind, loss, &mut ga, &mut gb);
                        (v, ga, gb)
                    };
                    let f = |c: &[f64], r: &[f64]| value_and_grad(c, r).0;
                    let (_, ga, gb) = value_and_grad(&centers, &log_radii);
                    let analytic: Vec<f64> = ga[..dim]
                        .iter()
                        .chain(&gb[..dim])
                        .copied()
                        .chain([ga[dim], gb[dim]])
                        .collect();
                    let h = 1e-6;
                    for (k, a) in analytic.iter().enumerate() {
                        let (mut cp, mut cm, mut rp, mut rm) =
                            (centers.clone(), centers.clone(), log_radii, log_radii);
                        if k < 2 * dim {
                            cp[k] += h;
                            cm[k] -= h;
                        } else {
                            rp[k - 2 * dim] += h;
                            rm[k - 2 * dim] -= h;
                        }
                        let numeric = (f(&cp, &rp) - f(&cm, &rm)) / (2.0 * h);
                        assert!(
                            (a - numeric).abs() <= 1e-6 * a.abs().max(1.0),
                            "{kind:?} d={dim} parameter {k}: {a} vs {numeric}"
                        );
                    }
                }
            }
        }
    }
}

/// Trains balls on the closure of `hierarchy` (reconstruction protocol).
fn train(hierarchy: &Hierarchy, config: SpherexConfig, epochs: usize) -> Trainer<Balls> {
    let initial = Balls::initial(hierarchy.n(), config.dim, config.seed);
    train_model(hierarchy, initial, config, epochs)
}

fn train_model<M: Regions>(
    hierarchy: &Hierarchy,
    initial: M,
    config: SpherexConfig,
    epochs: usize,
) -> Trainer<M> {
    let closure = hierarchy.closure();
    let edges = closure.edges().collect();
    let mut trainer = Trainer::new(initial, edges, Known::from_closure(&closure), config).unwrap();
    for _ in 0..epochs {
        trainer.epoch();
    }
    trainer
}

#[test]
fn the_step_size_decays_linearly_to_zero_and_training_then_stops() {
    let decaying = SpherexConfig {
        lr: 0.02,
        lr_decay_epochs: Some(4),
        ..SpherexConfig::default()
    };
    let steps: Vec<f64> = (0..6).map(|e| decaying.lr_at(e)).collect();
    assert_eq!(steps, [0.02, 0.015, 0.01, 0.005, 0.0, 0.0]);
    assert_eq!(SpherexConfig::default().lr_at(1000), 0.01);

    let text = "animal\tlife\nplant\tlife\ndog\tanimal\ncat\tanimal\n";
    let h = Hierarchy::from_edge_list(&parse_edges(text, "toy.tsv").unwrap()).unwrap();
    let config = SpherexConfig {
        lr_decay_epochs: Some(2),
        batch_size: 2,
        ..SpherexConfig::default()
    };
    let mut trainer = train(&h, config.clone(), 2);
    let after_decay = trainer.model().clone();
    trainer.epoch();
    assert_eq!(
        trainer.model(),
        &after_decay,
        "a zero step size moved the balls"
    );
    // A constant step size keeps moving them.
    let mut constant = train(
        &h,
        SpherexConfig {
            lr_decay_epochs: None,
            ..config.clone()
        },
        2,
    );
    let before = constant.model().clone();
    constant.epoch();
    assert_ne!(constant.model(), &before);

    let refused = SpherexConfig {
        lr_decay_epochs: Some(0),
        ..config
    };
    let closure = h.closure();
    let initial = Balls::initial(h.n(), refused.dim, 0);
    assert!(Trainer::new(
        initial,
        closure.edges().collect(),
        Known::from_closure(&closure),
        refused
    )
    .is_err());
}

#[test]
fn a_small_hierarchy_is_learned_perfectly() {
    let text = "animal\tlife\nplant\tlife\ndog\tanimal\ncat\tanimal\nbird\tanimal\npuppy\tdog\n\
                tree\tplant\nflower\tplant\noak\ttree\npine\ttree\nrose\tflower\n";
    let h = Hierarchy::from_edge_list(&parse_edges(text, "toy.tsv").unwrap()).unwrap();
    let closure = h.closure();
    for (dim, edge_sampling) in [
        (2, EdgeSampling::Uniform),
        (3, EdgeSampling::Uniform),
        (3, EdgeSampling::SqrtDescendants),
    ] {
        let config = SpherexConfig {
            dim,
            batch_size: 8,
            edge_sampling,
            ..SpherexConfig::default()
        };
        let trainer = train(&h, config, 400);
        let balls = trainer.model();
        for u in 0..h.n() as u32 {
            for v in 0..h.n() as u32 {
                let (ru, rv, d) = (balls.radius(u), balls.radius(v), balls.distance(u, v));
                if closure.is_ancestor(u, v) {
                    assert!(
                        containment_margin(ru, rv, d) > 0.0,
                        "d={dim}: {} not inside {}",
                        h.name(u),
                        h.name(v)
                    );
                } else if u != v && !closure.is_ancestor(v, u) {
                    assert!(
                        exclusion_margin(ru, rv, d) > 0.0,
                        "d={dim}: {} meets {}",
                        h.name(u),
                        h.name(v)
                    );
                }
            }
        }
    }
}

#[test]
fn mammals_are_reconstructed_almost_perfectly() {
    let h = Hierarchy::from_edge_list(&mammals()).unwrap();
    let closure = h.closure();
    for (dim, epochs, goal) in [(10, 150, 0.999), (2, 300, 0.995)] {
        let trainer = train(
            &h,
            SpherexConfig {
                dim,
                ..SpherexConfig::default()
            },
            epochs,
        );
        let r = reconstruction(
            &closure,
            &trainer.model().scorer(),
            Sampling::All,
            Par::Rayon,
        );
        assert!(
            r.map >= goal,
            "d={dim}: MAP {} (mean rank {})",
            r.map,
            r.mean_rank
        );
    }
}

#[test]
fn a_resumed_run_ends_exactly_where_an_uninterrupted_one_does() {
    let h = Hierarchy::from_edge_list(&mammals()).unwrap();
    let config = SpherexConfig {
        dim: 5,
        ..SpherexConfig::default()
    };
    let straight = train(&h, config.clone(), 6);
    let halfway = train(&h, config.clone(), 3);
    let saved = serde_json::to_string(halfway.state()).unwrap();
    let state: TrainerState<Balls> = serde_json::from_str(&saved).unwrap();
    let closure = h.closure();
    let mut resumed: Trainer<Balls> = Trainer::resume(
        state,
        closure.edges().collect(),
        Known::from_closure(&closure),
        config,
    )
    .unwrap();
    for _ in 0..3 {
        resumed.epoch();
    }
    assert_eq!(resumed.state(), straight.state());
}

#[test]
fn caps_learn_the_small_hierarchy_and_the_mammals() {
    let text = "animal\tlife\nplant\tlife\ndog\tanimal\ncat\tanimal\nbird\tanimal\npuppy\tdog\n\
                tree\tplant\nflower\tplant\noak\ttree\npine\ttree\nrose\tflower\n";
    let h = Hierarchy::from_edge_list(&parse_edges(text, "toy.tsv").unwrap()).unwrap();
    let closure = h.closure();
    let config = SpherexConfig {
        dim: 3,
        batch_size: 8,
        ..SpherexConfig::default()
    };
    let trainer = train_model(&h, Caps::initial(h.n(), 3, 0), config, 400);
    let caps = trainer.model();
    for u in 0..h.n() as u32 {
        for v in 0..h.n() as u32 {
            let theta = sphaera::sphere::angle(caps.center(u), caps.center(v));
            let (au, av) = (caps.angular_radius(u), caps.angular_radius(v));
            if closure.is_ancestor(u, v) {
                assert!(theta + au < av, "{} not inside {}", h.name(u), h.name(v));
            } else if u != v && !closure.is_ancestor(v, u) {
                assert!(theta > au + av, "{} meets {}", h.name(u), h.name(v));
            }
        }
    }
    let m = Hierarchy::from_edge_list(&mammals()).unwrap();
    let trainer = train_model(
        &m,
        Caps::initial(m.n(), 10, 0),
        SpherexConfig::default(),
        100,
    );
    let r = reconstruction(
        &m.closure(),
        &trainer.model().scoring(),
        Sampling::All,
        Par::Rayon,
    );
    assert!(r.map > 0.99, "caps on mammals: MAP {}", r.map);
}

#[test]
fn cap_loss_gradients_match_finite_differences() {
    let mut rng = seeded(9);
    let loss = SpherexLoss {
        temperature: 0.3,
        ..SpherexLoss::default()
    };
    for dim in [2usize, 3, 10] {
        for _ in 0..20 {
            let centers: Vec<f64> = (0..2 * dim).map(|_| rng.random_range(-1.0..1.0)).collect();
            let radii = [rng.random_range(0.1..1.0f64), rng.random_range(0.1..1.0f64)];
            let caps = Caps::from_parts(dim, &centers, &radii).unwrap();
            for kind in [
                PairKind::Contained,
                PairKind::Disjoint,
                PairKind::NotContained,
            ] {
                let (mut ga, mut gb) = (vec![0.0; dim + 1], vec![0.0; dim + 1]);
                caps.pair_loss(0, 1, kind, &loss, &mut ga, &mut gb);
                // Along the sphere for the directions (tangent moves), plainly for the logits.
                for (node, grad) in [(0usize, &ga), (1usize, &gb)] {
                    for k in 0..=dim {
                        let shifted = |h: f64| {
                            let mut c = caps.clone();
                            let w = dim + 1;
                            let params = c.params_mut();
                            let row = &mut params[node * w..(node + 1) * w];
                            if k < dim {
                                let mut step = vec![0.0; dim];
                                step[k] = h;
                                let mut dir = row[..dim].to_vec();
                                sphaera::sphere::project_tangent(&dir.clone(), &mut step);
                                sphaera::sphere::exp_map(&mut dir, &step);
                                row[..dim].copy_from_slice(&dir);
                            } else {
                                row[dim] += h;
                            }
                            let (mut xa, mut xb) = (vec![0.0; dim + 1], vec![0.0; dim + 1]);
                            c.pair_loss(0, 1, kind, &loss, &mut xa, &mut xb)
                        };
                        let h = 1e-6;
                        let numeric = (shifted(h) - shifted(-h)) / (2.0 * h);
                        // The analytic gradient of a direction is tangent: compare along the
                        // projected coordinate direction.
                        let analytic = if k < dim {
                            let mut e = vec![0.0; dim];
                            e[k] = 1.0;
                            sphaera::sphere::project_tangent(caps.center(node as u32), &mut e);
                            grad[..dim].iter().zip(&e).map(|(g, v)| g * v).sum::<f64>()
                        } else {
                            grad[dim]
                        };
                        assert!(
                            (analytic - numeric).abs() <= 1e-6 * analytic.abs().max(1.0),
                            "{kind:?} d={dim} node {node} k {k}: {analytic} vs {numeric}"
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn sibling_dispersion_gradients_match_finite_differences() {
    let mut rng = seeded(11);
    for dim in [2usize, 3, 8] {
        for _ in 0..20 {
            let centers: Vec<f64> = (0..2 * dim).map(|_| rng.random_range(-1.0..1.0)).collect();
            let caps = Caps::from_parts(dim, &centers, &[0.3, 0.4]).unwrap();
            let (mut ga, mut gb) = (vec![0.0; dim + 1], vec![0.0; dim + 1]);
            caps.sibling_loss(0, 1, 0.7, &mut ga, &mut gb);
            for (node, grad) in [(0usize, &ga), (1usize, &gb)] {
                for k in 0..dim {
                    let mut e = vec![0.0; dim];
                    e[k] = 1.0;
                    sphaera::sphere::project_tangent(caps.center(node as u32), &mut e);
                    let moved = |h: f64| {
                        let mut c = caps.clone();
                        let w = dim + 1;
                        let row = &mut c.params_mut()[node * w..(node + 1) * w];
                        let mut dir = row[..dim].to_vec();
                        let step: Vec<f64> = e.iter().map(|v| v * h).collect();
                        sphaera::sphere::exp_map(&mut dir, &step);
                        row[..dim].copy_from_slice(&dir);
                        let (mut xa, mut xb) = (vec![0.0; dim + 1], vec![0.0; dim + 1]);
                        c.sibling_loss(0, 1, 0.7, &mut xa, &mut xb)
                    };
                    let numeric = (moved(1e-6) - moved(-1e-6)) / 2e-6;
                    let analytic: f64 = grad[..dim].iter().zip(&e).map(|(g, v)| g * v).sum();
                    assert!(
                        (analytic - numeric).abs() <= 1e-6 * analytic.abs().max(1.0),
                        "d={dim}: {analytic} vs {numeric}"
                    );
                }
            }
        }
    }
}

#[test]
fn sibling_dispersion_spreads_siblings_apart() {
    let text: String = (0..6).map(|i| format!("c{i}\troot\n")).collect::<String>() + "root\ttop\n";
    let h = Hierarchy::from_edge_list(&parse_edges(&text, "fan.tsv").unwrap()).unwrap();
    let children: Vec<u32> = (0..6)
        .map(|i| h.index_of(&format!("c{i}")).unwrap())
        .collect();
    let min_sibling_angle = |weight: f64| {
        let loss = SpherexLoss {
            sibling_weight: weight,
            ..SpherexLoss::default()
        };
        let config = SpherexConfig {
            dim: 3,
            batch_size: 4,
            loss,
            ..SpherexConfig::default()
        };
        let trainer = train_model(&h, Caps::initial(h.n(), 3, 1), config, 200);
        let caps = trainer.model();
        let mut min = f64::INFINITY;
        for (i, &a) in children.iter().enumerate() {
            for &b in &children[..i] {
                min = min.min(sphaera::sphere::angle(caps.center(a), caps.center(b)));
            }
        }
        min
    };
    let (without, with) = (min_sibling_angle(0.0), min_sibling_angle(0.05));
    assert!(
        with > without,
        "siblings at least {with} apart with dispersion, {without} without"
    );
}

/// Cap centres take Riemannian Adam: the first step moves every centre `lr·‖g‖/(‖g‖ + ε)`
/// radians, just under lr, where a coordinate-wise step would move it about `lr·√dim`
/// before renormalizing; and centres stay on the sphere.
#[test]
fn cap_centres_step_on_the_sphere() {
    let m = Hierarchy::from_edge_list(&mammals()).unwrap();
    let closure = m.closure();
    let config = SpherexConfig {
        batch_size: 1 << 20,
        ..SpherexConfig::default()
    };
    let initial = Caps::initial(m.n(), config.dim, 0);
    let mut trainer = Trainer::new(
        initial.clone(),
        closure.edges().collect(),
        Known::from_closure(&closure),
        config.clone(),
    )
    .unwrap();
    trainer.epoch();
    let moved: Vec<f64> = (0..m.n() as u32)
        .map(|u| sphaera::sphere::angle(initial.center(u), trainer.model().center(u)))
        .collect();
    // Every node is in some edge; the gradients' norms (about 1e-4) dwarf ε = 1e-8.
    assert!(
        moved
            .iter()
            .all(|&a| a > (1.0 - 1e-4) * config.lr && a <= config.lr + 1e-12),
        "{moved:?}"
    );
    for _ in 0..20 {
        trainer.epoch();
    }
    let caps = trainer.model();
    for u in 0..m.n() as u32 {
        let length = sphaera::sphere::norm(caps.center(u));
        assert!((length - 1.0).abs() < 1e-12, "centre {u}: norm {length}");
    }
    // The second moment of a centre is one number, kept in its first slot.
    let w = config.dim + 1;
    let moments = &trainer.state().moments;
    assert!(moments
        .chunks_exact(2 * w)
        .all(|row| row[w + 1..2 * w - 1].iter().all(|&v| v == 0.0)));
}

#[test]
fn adam_decay_rates_are_configurable_and_checked() {
    let text = "animal\tlife\nplant\tlife\ndog\tanimal\ncat\tanimal\n";
    let h = Hierarchy::from_edge_list(&parse_edges(text, "toy.tsv").unwrap()).unwrap();
    let closure = h.closure();
    let make = |adam| {
        let config = SpherexConfig {
            adam,
            batch_size: 2,
            ..SpherexConfig::default()
        };
        Trainer::new(
            Balls::initial(h.n(), config.dim, 0),
            closure.edges().collect(),
            Known::from_closure(&closure),
            config,
        )
    };
    let defaults = sphaera::optim::AdamMoments::default();
    let bad = sphaera::optim::AdamMoments {
        beta2: 1.0,
        ..defaults
    };
    assert!(make(bad).is_err());
    let mut standard = make(defaults).unwrap();
    let mut other = make(sphaera::optim::AdamMoments {
        beta1: 0.5,
        ..defaults
    })
    .unwrap();
    standard.epoch();
    other.epoch();
    standard.epoch();
    other.epoch();
    assert_ne!(standard.model(), other.model());
}
