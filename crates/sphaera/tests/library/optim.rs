//! The optimizers follow geoopt's update rules exactly where they can be worked by hand.

use sphaera::optim::{Adam, EuclideanStep, Optimizer, OptimizerState, Retraction, Sgd};
use sphaera::random::{seeded, uniform_sphere};
use sphaera::sphere::{angle, exp_map, norm, project_tangent};
use sphaera::Points;

fn tangent_gradient(x: &Points, g: &Points) -> Points {
    let mut out = g.clone();
    for (xi, gi) in x.rows().zip(out.rows_mut()) {
        project_tangent(xi, gi);
    }
    out
}

#[test]
fn adam_first_step_moves_each_point_lr_radians_against_its_gradient() {
    // Step 1: m̂ = g, v̂ = ‖g‖² (per point), so the step is −lr·g/‖g‖ (up to eps) for every
    // point whatever its gradient's size: per-point adaptivity, as geoopt's component_inner.
    let mut rng = seeded(1);
    let x0 = uniform_sphere(5, 4, &mut rng);
    let mut g = uniform_sphere(5, 4, &mut rng);
    g.rows_mut()
        .enumerate()
        .for_each(|(i, r)| r.iter_mut().for_each(|v| *v *= 10f64.powi(i as i32 - 2)));
    let rg = tangent_gradient(&x0, &g);
    let opt = Optimizer::Adam(Adam {
        lr: 0.1,
        ..Adam::default()
    });
    let mut state = opt.init_state(5, 4);
    let mut x = x0.clone();
    opt.step(&mut x, &mut g.clone(), &mut state).unwrap();
    for i in 0..5 {
        let mut expected = x0.row(i).to_vec();
        let length = norm(rg.row(i));
        let step: Vec<f64> = rg
            .row(i)
            .iter()
            .map(|v| -0.1 * v / (length + 1e-8))
            .collect();
        exp_map(&mut expected, &step);
        assert!((angle(x0.row(i), x.row(i)) - 0.1).abs() < 1e-6);
        assert!(x
            .row(i)
            .iter()
            .zip(&expected)
            .all(|(a, b)| (a - b).abs() < 1e-12));
    }
    let OptimizerState::Adam(s) = &state else {
        panic!()
    };
    assert_eq!(s.step, 1);
    assert_eq!(s.exp_avg_sq.len(), 5, "one second moment per point");
}

#[test]
fn adam_with_projection_retracts_by_normalization() {
    let x0 = Points::from_vec(1, 3, vec![1.0, 0.0, 0.0]).unwrap();
    let mut g = Points::from_vec(1, 3, vec![5.0, 0.0, -2.0]).unwrap();
    let opt = Optimizer::Adam(Adam {
        lr: 0.3,
        retraction: Retraction::Projection,
        ..Adam::default()
    });
    let mut state = opt.init_state(1, 3);
    let mut x = x0;
    opt.step(&mut x, &mut g, &mut state).unwrap();
    // Tangent gradient (0, 0, −2) → unit step direction (0, 0, 1) · 0.3, then normalize.
    let r = (1.0f64 + 0.09).sqrt();
    let expected = [1.0 / r, 0.0, 0.3 / r];
    assert!(
        x.row(0)
            .iter()
            .zip(expected)
            .all(|(a, b)| (a - b).abs() < 1e-8),
        "{:?}",
        x.row(0)
    );
}

#[test]
fn sgd_steps_along_the_geodesic_and_starts_momentum_from_the_raw_gradient() {
    let x0 = Points::from_vec(1, 3, vec![0.0, 1.0, 0.0]).unwrap();
    let raw = Points::from_vec(1, 3, vec![0.5, 2.0, 0.0]).unwrap();
    // Plain SGD: x ← exp_x(−lr · P g).
    let plain = Optimizer::Sgd(Sgd {
        lr: 0.2,
        ..Sgd::default()
    });
    let mut x = x0.clone();
    plain
        .step(&mut x, &mut raw.clone(), &mut plain.init_state(1, 3))
        .unwrap();
    let mut expected = x0.row(0).to_vec();
    exp_map(&mut expected, &[-0.1, 0.0, 0.0]);
    assert!(x
        .row(0)
        .iter()
        .zip(&expected)
        .all(|(a, b)| (a - b).abs() < 1e-15));
    // With momentum, geoopt seeds the buffer with the raw Euclidean gradient and then
    // updates it with the projected one: b = μ·g_raw + P g, transported by projection.
    let heavy = Optimizer::Sgd(Sgd {
        lr: 0.2,
        momentum: 0.9,
        ..Sgd::default()
    });
    let mut state = heavy.init_state(1, 3);
    let mut x = x0.clone();
    heavy.step(&mut x, &mut raw.clone(), &mut state).unwrap();
    let buffer_before = [0.9 * 0.5 + 0.5, 0.9 * 2.0, 0.0];
    let mut expected = x0.row(0).to_vec();
    exp_map(&mut expected, &buffer_before.map(|v| -0.2 * v));
    assert!(x
        .row(0)
        .iter()
        .zip(&expected)
        .all(|(a, b)| (a - b).abs() < 1e-15));
    let OptimizerState::Sgd(s) = &state else {
        panic!()
    };
    let mut transported = buffer_before.to_vec();
    project_tangent(x.row(0), &mut transported);
    let buffer = s.momentum_buffer.as_ref().unwrap();
    assert!(buffer
        .iter()
        .zip(&transported)
        .all(|(a, b)| (a - b).abs() < 1e-15));
}

#[test]
fn euclidean_steps_then_renormalizes() {
    let mut x = Points::from_vec(1, 2, vec![1.0, 0.0]).unwrap();
    let mut g = Points::from_vec(1, 2, vec![1.0, -1.0]).unwrap();
    let opt = Optimizer::Euclidean(EuclideanStep { lr: 0.5 });
    opt.step(&mut x, &mut g, &mut opt.init_state(1, 2)).unwrap();
    let expected = [0.5 / 0.5f64.hypot(0.5), 0.5 / 0.5f64.hypot(0.5)];
    assert!(x
        .row(0)
        .iter()
        .zip(expected)
        .all(|(a, b)| (a - b).abs() < 1e-15));
}

#[test]
fn rows_stay_on_the_sphere_and_state_round_trips() {
    let mut rng = seeded(4);
    for opt in [
        Optimizer::Adam(Adam {
            lr: 0.05,
            amsgrad: true,
            weight_decay: 0.1,
            ..Adam::default()
        }),
        Optimizer::Sgd(Sgd {
            lr: 0.05,
            momentum: 0.5,
            nesterov: true,
            ..Sgd::default()
        }),
        Optimizer::Euclidean(EuclideanStep { lr: 0.05 }),
    ] {
        let mut x = uniform_sphere(20, 5, &mut rng);
        let mut state = opt.init_state(20, 5);
        for _ in 0..200 {
            let mut g = uniform_sphere(20, 5, &mut rng);
            opt.step(&mut x, &mut g, &mut state).unwrap();
        }
        assert!(x.rows().all(|r| (norm(r) - 1.0).abs() < 1e-12));
        let text = serde_json::to_string(&state).unwrap();
        let back: OptimizerState = serde_json::from_str(&text).unwrap();
        assert_eq!(back, state);
        let config: Optimizer =
            serde_json::from_str(&serde_json::to_string(&opt).unwrap()).unwrap();
        assert_eq!(config, opt);
    }
}

#[test]
fn bad_hyperparameters_are_refused_up_front() {
    for opt in [
        Optimizer::Adam(Adam {
            lr: -1.0,
            ..Adam::default()
        }),
        Optimizer::Adam(Adam {
            lr: f64::NAN,
            ..Adam::default()
        }),
        Optimizer::Adam(Adam {
            beta1: 1.0,
            ..Adam::default()
        }),
        Optimizer::Sgd(Sgd {
            lr: 0.1,
            nesterov: true,
            ..Sgd::default()
        }),
        Optimizer::Sgd(Sgd {
            lr: 0.1,
            momentum: -0.5,
            ..Sgd::default()
        }),
        Optimizer::Euclidean(EuclideanStep { lr: f64::INFINITY }),
    ] {
        assert!(opt.validate().is_err(), "{opt:?}");
    }
    let opt = Optimizer::Adam(Adam::default());
    let mut wrong = Optimizer::Sgd(Sgd::default()).init_state(2, 2);
    let mut x = Points::from_vec(2, 2, vec![1.0, 0.0, 0.0, 1.0]).unwrap();
    assert!(opt
        .step(&mut x, &mut Points::zeros(2, 2), &mut wrong)
        .is_err());
}
