//! The paper's setting: a task loss traded off against dispersion.
//!
//! Each of 200 embeddings in R^16 has a noisy target direction, and the targets crowd
//! into a few clusters (think class prototypes pulled toward their data). The task aligns
//! each embedding with its target; the regularizer pushes the embeddings apart. Sweeping the
//! weight λ shows the trade-off: alignment falls as separation rises.
//!
//! Run with `cargo run --release -p sphaera --example task_tradeoff`.

use sphaera::disperse::{Dispersion, Distance, Kernel, Mmd};
use sphaera::optim::{Adam, Optimizer, Schedule};
use sphaera::random::{gaussian_points, seeded, uniform_sphere};
use sphaera::sphere::normalize_rows;
use sphaera::{metrics, Par, Points};

const N: usize = 200;
const DIM: usize = 16;
const CLUSTERS: usize = 5;
const STEPS: u64 = 1500;

/// Targets: a few cluster centres plus noise, normalized.
fn targets() -> Points {
    let mut rng = seeded(1);
    let centres = uniform_sphere(CLUSTERS, DIM, &mut rng);
    let noise = gaussian_points(N, DIM, &mut rng);
    let mut t = Points::zeros(N, DIM);
    for i in 0..N {
        for k in 0..DIM {
            t.row_mut(i)[k] = centres.row(i % CLUSTERS)[k] + 0.15 * noise.row(i)[k];
        }
    }
    normalize_rows(&mut t).expect("nonzero rows");
    t
}

/// Task: `mean_i (1 − x_i·t_i)`, the mean cosine distance to the targets. Writes its
/// gradient into `grad` and returns it.
fn alignment(x: &Points, targets: &Points, grad: &mut Points) -> f64 {
    let n = x.n() as f64;
    let mut loss = 0.0;
    for i in 0..x.n() {
        let t = targets.row(i);
        loss += 1.0 - x.row(i).iter().zip(t).map(|(a, b)| a * b).sum::<f64>();
        for (g, tk) in grad.row_mut(i).iter_mut().zip(t) {
            *g = -tk / n;
        }
    }
    loss / n
}

fn main() {
    let targets = targets();
    let riesz = Mmd::new(Kernel::Riesz { s: 1.0 }, Distance::Euclidean).expect("valid kernel");
    println!(
        "{:>8}  {:>14}  {:>14}  {:>16}",
        "lambda", "task loss", "min angle (°)", "mean NN angle (°)"
    );
    for weight in [0.0, 0.01, 0.1, 1.0, 10.0] {
        let start = uniform_sphere(N, DIM, &mut seeded(2));
        let adam = Optimizer::Adam(Adam {
            lr: 0.01,
            ..Adam::default()
        });
        let mut run = Dispersion::new(start, Box::new(riesz), adam, 3)
            .expect("unit rows")
            .with_weight(weight)
            .expect("non-negative weight");
        let mut task = 0.0;
        for step in 0..STEPS {
            run.set_lr(0.01 * Schedule::Cosine.factor(step, STEPS))
                .expect("positive lr");
            task = run
                .step_with_task(|x, grad| alignment(x, &targets, grad))
                .expect("a finite step")
                .task;
        }
        let report = metrics::Report::of(run.points(), Par::Rayon);
        println!(
            "{weight:>8}  {task:>14.4}  {:>14.2}  {:>16.2}",
            report.min_angle_deg, report.mean_nn_angle_deg
        );
    }
}
