//! The optimizers follow geoopt's update rules exactly where they can be worked by hand.

use rand::Rng;
use sphaera::optim::{
    Adam, AdamMoments, EuclideanStep, Optimizer, OptimizerState, Retraction, Sgd,
};
use sphaera::random::{seeded, uniform_sphere};
use sphaera::sphere::{angle, exp_map, log_map, norm, project_tangent};
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

#[test]
fn adam_moments_default_to_pytorch_and_the_trainers_former_constants() {
    let defaults = AdamMoments::default();
    assert_eq!(
        defaults,
        AdamMoments {
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8
        }
    );
    assert_eq!(Adam::default().moments(), defaults);
    assert_eq!(sphaera::hierarchy::SpherexConfig::default().adam, defaults);
    for bad in [
        AdamMoments {
            beta1: 1.0,
            ..defaults
        },
        AdamMoments {
            beta2: -0.1,
            ..defaults
        },
        AdamMoments {
            eps: 0.0,
            ..defaults
        },
    ] {
        assert!(bad.validate().is_err(), "{bad:?}");
    }
}

/// Lazy Adam on a few rows, written out coordinate by coordinate: each row visited only at
/// the steps where it has a gradient, the bias corrections following the global count.
#[test]
fn lazy_euclidean_rows_follow_the_written_out_adam_formula() {
    let mut rng = seeded(7);
    for moments in [
        AdamMoments::default(),
        AdamMoments {
            beta1: 0.5,
            beta2: 0.9,
            eps: 1e-3,
        },
    ] {
        let (rows, width, lr) = (4, 3, 0.05);
        let mut x: Vec<f64> = (0..rows * width)
            .map(|_| rng.random_range(-1.0..1.0))
            .collect();
        let (mut m, mut v) = (vec![0.0; rows * width], vec![0.0; rows * width]);
        let (mut ox, mut om, mut ov) = (x.clone(), m.clone(), v.clone());
        for t in 1..=30u64 {
            let step = moments.at_step(lr, t);
            for r in 0..rows {
                // Row r sits out every (r + 2)-th step: its moments must not move then.
                if t % (r as u64 + 2) == 0 {
                    continue;
                }
                let g: Vec<f64> = (0..width).map(|_| rng.random_range(-1.0..1.0)).collect();
                let span = r * width..(r + 1) * width;
                step.euclidean_row(
                    &mut x[span.clone()],
                    &mut m[span.clone()],
                    &mut v[span.clone()],
                    &g,
                );
                for (k, gk) in span.zip(&g) {
                    om[k] = moments.beta1 * om[k] + (1.0 - moments.beta1) * gk;
                    ov[k] = moments.beta2 * ov[k] + (1.0 - moments.beta2) * gk.powi(2);
                    let m_hat = om[k] / (1.0 - moments.beta1.powf(t as f64));
                    let v_hat = ov[k] / (1.0 - moments.beta2.powf(t as f64));
                    ox[k] -= lr * m_hat / (v_hat.sqrt() + moments.eps);
                }
            }
        }
        for (name, got, want) in [("x", &x, &ox), ("m", &m, &om), ("v", &v, &ov)] {
            for (a, b) in got.iter().zip(want.iter()) {
                assert!(
                    (a - b).abs() <= 1e-12 * b.abs().max(1.0),
                    "{name}: {a} vs {b}"
                );
            }
        }
    }
}

/// The hierarchy trainer's step before it moved into `optim`, exactly as it was written:
/// the default moments must give the same bits, so that trained balls do not change.
#[test]
fn default_moments_reproduce_the_trainers_former_step_bit_for_bit() {
    const ADAM_BETA1: f64 = 0.9;
    const ADAM_BETA2: f64 = 0.999;
    const ADAM_EPS: f64 = 1e-8;
    let mut rng = seeded(8);
    let (width, lr) = (11, 0.01);
    let mut x: Vec<f64> = (0..width).map(|_| rng.random_range(-1.0..1.0)).collect();
    let (mut m, mut v) = (vec![0.0; width], vec![0.0; width]);
    let (mut ox, mut om, mut ov) = (x.clone(), m.clone(), v.clone());
    for t in 1..=50u64 {
        let g: Vec<f64> = (0..width)
            .map(|_| 1e-3 * rng.random_range(-1.0..1.0))
            .collect();
        AdamMoments::default()
            .at_step(lr, t)
            .euclidean_row(&mut x, &mut m, &mut v, &g);
        let (bias1, bias2) = (
            1.0 - ADAM_BETA1.powi(t as i32),
            1.0 - ADAM_BETA2.powi(t as i32),
        );
        for (((p, g), m), v) in ox.iter_mut().zip(&g).zip(&mut om).zip(&mut ov) {
            *m = ADAM_BETA1 * *m + (1.0 - ADAM_BETA1) * g;
            *v = ADAM_BETA2 * *v + (1.0 - ADAM_BETA2) * g * g;
            *p -= lr * (*m / bias1) / ((*v / bias2).sqrt() + ADAM_EPS);
        }
    }
    assert_eq!(x, ox);
    assert_eq!(m, om);
    assert_eq!(v, ov);
}

/// One point of the sphere stepped with its own moments, as the trainer steps a cap centre:
/// it stays on the sphere, moves along the tangent direction against the (projected) first
/// moment, and carries a tangent first moment.
#[test]
fn a_sphere_row_step_stays_on_the_sphere_and_moves_along_the_tangent() {
    let mut rng = seeded(9);
    let (dim, lr) = (6, 0.03);
    let mut x = uniform_sphere(1, dim, &mut rng).row(0).to_vec();
    let (mut m, mut v) = (vec![0.0; dim], 0.0);
    for t in 1..=100u64 {
        // A gradient with a radial part, which the step must ignore.
        let mut g: Vec<f64> = (0..dim).map(|_| rng.random_range(-1.0..1.0)).collect();
        let radial = rng.random_range(-5.0..5.0);
        g.iter_mut().zip(&x).for_each(|(gk, xk)| *gk += radial * xk);
        let mut tangent = g.clone();
        project_tangent(&x, &mut tangent);
        let mut expected_m: Vec<f64> = m
            .iter()
            .zip(&tangent)
            .map(|(m, g)| 0.9 * m + 0.1 * g)
            .collect();
        let x0 = x.clone();
        AdamMoments::default().at_step(lr, t).sphere_row(
            &mut x,
            &mut m,
            &mut v,
            None,
            &mut g,
            Retraction::Exponential,
        );
        assert!(
            (norm(&x) - 1.0).abs() < 1e-12,
            "off the sphere: {}",
            norm(&x)
        );
        // The geodesic from x0 to x leaves x0 tangentially, along −m.
        let mut u = vec![0.0; dim];
        log_map(&x0, &x, &mut u);
        assert!(u.iter().zip(&x0).map(|(a, b)| a * b).sum::<f64>().abs() < 1e-12);
        let cosine = -u.iter().zip(&expected_m).map(|(a, b)| a * b).sum::<f64>()
            / (norm(&u) * norm(&expected_m));
        assert!(
            (cosine - 1.0).abs() < 1e-9,
            "step not along −m: cos {cosine}"
        );
        // The first moment was transported to the new tangent space.
        assert!(m.iter().zip(&x).map(|(a, b)| a * b).sum::<f64>().abs() < 1e-12);
        project_tangent(&x, &mut expected_m);
        assert!(m
            .iter()
            .zip(&expected_m)
            .all(|(a, b)| (a - b).abs() < 1e-12));
        if t == 1 {
            // The first step is lr radians whatever the gradient's size.
            assert!((angle(&x0, &x) - lr).abs() < 1e-9);
        }
    }
}

#[test]
fn adam_steps_rows_alike_in_parallel_and_in_sequence() {
    // 1,000 rows: several parallel tasks of 256 rows and a short last one.
    let mut rng = seeded(4);
    let x0 = uniform_sphere(1000, 5, &mut rng);
    let g0 = uniform_sphere(1000, 5, &mut rng);
    for amsgrad in [false, true] {
        let opt = Optimizer::Adam(Adam {
            lr: 0.05,
            amsgrad,
            weight_decay: 0.01,
            ..Adam::default()
        });
        let run = |par: sphaera::Par| {
            let mut x = x0.clone();
            let mut state = opt.init_state(1000, 5);
            for _ in 0..3 {
                opt.step_in(&mut x, &mut g0.clone(), &mut state, par)
                    .unwrap();
            }
            (x, state)
        };
        let sequential = run(sphaera::Par::Seq);
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let parallel = pool.install(|| run(sphaera::Par::Rayon));
        assert_eq!(sequential, parallel, "amsgrad {amsgrad}");
    }
}
