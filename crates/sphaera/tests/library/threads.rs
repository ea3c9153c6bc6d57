//! The same numbers, bit for bit, with one thread and with several.

use sphaera::disperse::{build, Dispersion, Method, MethodOptions};
use sphaera::optim::{Adam, Optimizer};
use sphaera::random::{seeded, uniform_sphere};
use sphaera::{metrics, Par};

use crate::cases::{all, setup};

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

#[test]
fn regularizers_are_identical_across_thread_counts() {
    // Three tiles of rows, so blocks really run on different threads.
    let (x, draws) = setup(700, 6, 11);
    for case in all(&draws) {
        let sequential = case.value_and_grad(&x, Par::Seq);
        for threads in [1, 2, 3] {
            let parallel = in_pool(threads, || case.value_and_grad(&x, Par::Rayon));
            assert_eq!(
                sequential.0.to_bits(),
                parallel.0.to_bits(),
                "{} with {threads} threads",
                case.name
            );
            assert_eq!(
                sequential.1, parallel.1,
                "{} with {threads} threads",
                case.name
            );
        }
    }
}

#[test]
fn whole_runs_are_identical_across_thread_counts() {
    let start = uniform_sphere(600, 5, &mut seeded(3));
    for method in Method::ALL {
        let run = |par: Par| {
            let reg = build(method, &MethodOptions::default()).unwrap();
            let adam = Optimizer::Adam(Adam {
                lr: 0.01,
                ..Adam::default()
            });
            let mut run = Dispersion::new(start.clone(), reg, adam, 5)
                .unwrap()
                .with_par(par);
            for _ in 0..3 {
                run.step().unwrap();
            }
            run.into_points()
        };
        let sequential = run(Par::Seq);
        let parallel = in_pool(3, || run(Par::Rayon));
        assert_eq!(sequential, parallel, "{method}");
        let report = |par| metrics::Report::of(&sequential, par);
        assert_eq!(
            report(Par::Seq),
            in_pool(2, || report(Par::Rayon)),
            "{method} metrics"
        );
    }
}

#[test]
fn spherex_training_is_identical_across_thread_counts() {
    use sphaera::data::{mammals, Hierarchy};
    use sphaera::hierarchy::{Balls, Caps, Known, SpherexConfig, SpherexLoss, Trainer};
    let h = Hierarchy::from_edge_list(&mammals()).unwrap();
    let closure = h.closure();
    let edges: Vec<(u32, u32)> = closure.edges().collect();
    let config = SpherexConfig {
        dim: 4,
        loss: SpherexLoss {
            sibling_weight: 0.1,
            ..SpherexLoss::default()
        },
        ..SpherexConfig::default()
    };
    let balls = |threads| {
        in_pool(threads, || {
            let initial = Balls::initial(h.n(), config.dim, 0);
            let known = Known::from_closure(&closure);
            // Balls have no sibling term, and refuse a weight for it.
            let loss = SpherexLoss {
                sibling_weight: 0.0,
                ..config.loss
            };
            let config = SpherexConfig {
                loss,
                ..config.clone()
            };
            let mut t = Trainer::new(initial, edges.clone(), known, config).unwrap();
            t.epoch();
            t.epoch();
            t.state().clone()
        })
    };
    let caps = |threads| {
        in_pool(threads, || {
            let initial = Caps::initial(h.n(), config.dim, 0);
            let known = Known::from_closure(&closure);
            let mut t = Trainer::new(initial, edges.clone(), known, config.clone()).unwrap();
            t.epoch();
            t.state().clone()
        })
    };
    let (one, one_caps) = (balls(1), caps(1));
    for threads in [2, 3] {
        assert_eq!(balls(threads), one, "balls, {threads} threads");
        assert_eq!(caps(threads), one_caps, "caps, {threads} threads");
    }
}

#[test]
fn poincare_training_is_identical_across_thread_counts() {
    use sphaera::data::{mammals, Hierarchy};
    use sphaera::hierarchy::{Known, Poincare, Regions, SpherexConfig, Trainer};
    let h = Hierarchy::from_edge_list(&mammals()).unwrap();
    let closure = h.closure();
    let edges: Vec<(u32, u32)> = closure.edges().collect();
    // Batches larger than one task, so edges really run on different threads.
    let config = SpherexConfig {
        dim: 4,
        batch_size: 100,
        ..Poincare::default_config()
    };
    let poincare = |threads| {
        in_pool(threads, || {
            let initial = Poincare::initial(h.n(), config.dim, 0);
            let known = Known::from_closure(&closure);
            let mut t = Trainer::new(initial, edges.clone(), known, config.clone()).unwrap();
            t.epoch();
            t.epoch();
            t.state().clone()
        })
    };
    let one = poincare(1);
    for threads in [2, 3] {
        assert_eq!(poincare(threads), one, "poincare, {threads} threads");
    }
}
