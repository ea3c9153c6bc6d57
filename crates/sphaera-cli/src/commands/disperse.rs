//! `sphaera disperse`: spread points on the sphere and report how far they got.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use sphaera::disperse::{
    build, describe, Anchor, Context, Dispersion, Method, MethodOptions, Regularizer,
};
use sphaera::optim::{Adam, EuclideanStep, Optimizer, Schedule, Sgd};
use sphaera::{metrics, random, tammes, Par, Points};

use crate::cli::{DisperseArgs, OptimizerArg, ScheduleArg};
use crate::commands::thread_pool;
use crate::flags::as_flag;
use crate::npy;
use crate::output::check_parent_exists;

/// Below this many steps a run is quick enough to need no progress bar.
const PROGRESS_MIN_STEPS: u64 = 500;

/// A checked dispersion job.
struct Job {
    start: Points,
    method: Method,
    label: String,
    regularizer: Box<dyn Regularizer>,
    optimizer: Optimizer,
    optimizer_name: &'static str,
    schedule: Schedule,
    steps: u64,
    seed: u64,
    anchor_weight: f64,
    out: Option<PathBuf>,
    json: bool,
}

pub fn run(args: DisperseArgs) -> Result<()> {
    let pool = thread_pool(args.threads)?;
    let job = Job::from_args(args)?;
    pool.install(|| job.execute())
}

/// Fails unless `count` (of `flag`, read from `source`) is at least 2.
fn at_least_two(flag: &str, count: usize, source: Option<&Path>) -> Result<()> {
    if count >= 2 {
        return Ok(());
    }
    match source {
        Some(path) => bail!("{}: {flag} must be at least 2, got {count}", path.display()),
        None => bail!("{flag} must be at least 2, got {count}"),
    }
}

/// Fails, naming the flag that weighs most and the figures, when the run cannot fit in
/// this machine's memory.
fn check_memory(method: Method, options: &MethodOptions, n: usize, dim: usize) -> Result<()> {
    sphaera::memory::check_dispersion(method, options, n, dim).map_err(as_flag)
}

impl Job {
    /// Checks every argument, then the memory the run needs, and only then reads or draws
    /// the start: a refused run allocates nothing large.
    fn from_args(args: DisperseArgs) -> Result<Self> {
        if let Some(n) = args.n {
            at_least_two("--n", n, None)?;
        }
        if let Some(dim) = args.dim {
            at_least_two("--dim", dim, None)?;
        }
        if !(args.anchor_weight.is_finite() && args.anchor_weight >= 0.0) {
            bail!(
                "--anchor-weight must be a non-negative number, got {}",
                args.anchor_weight
            );
        }
        if let Some(out) = &args.out {
            check_parent_exists(out).context("--out")?;
        }
        let method = args.method;
        let options = args.options.to_options();
        let regularizer = build(method, &options).map_err(as_flag)?;
        let (optimizer, optimizer_name) = match args.optimizer {
            OptimizerArg::Adam => (
                Optimizer::Adam(Adam {
                    lr: args.lr.unwrap_or(0.03),
                    ..Adam::default()
                }),
                "adam",
            ),
            OptimizerArg::Sgd => (
                Optimizer::Sgd(Sgd {
                    lr: args.lr.unwrap_or(0.1),
                    momentum: args.momentum,
                    ..Sgd::default()
                }),
                "sgd",
            ),
            OptimizerArg::Euclidean => (
                Optimizer::Euclidean(EuclideanStep {
                    lr: args.lr.unwrap_or(0.1),
                }),
                "euclidean",
            ),
        };
        optimizer.validate().map_err(as_flag)?;
        let start = match &args.init {
            Some(path) => {
                let mut table = npy::read_points(path)?;
                for (flag, given, found) in
                    [("--n", args.n, table.n()), ("--dim", args.dim, table.dim())]
                {
                    if given.is_some_and(|g| g != found) {
                        bail!(
                            "{flag} {} disagrees with {}, which has {found}",
                            given.unwrap_or(0),
                            path.display()
                        );
                    }
                }
                // The shape first: rows of no columns cannot be normalized.
                at_least_two("--n", table.n(), Some(path))?;
                at_least_two("--dim", table.dim(), Some(path))?;
                check_memory(method, &options, table.n(), table.dim())?;
                sphaera::sphere::normalize_rows(&mut table)
                    .with_context(|| format!("{}", path.display()))?;
                table
            }
            None => {
                let (n, dim) = (args.n.unwrap_or(24), args.dim.unwrap_or(3));
                check_memory(method, &options, n, dim)?;
                random::uniform_sphere(n, dim, &mut random::seeded(args.seed))
            }
        };
        Ok(Self {
            label: describe(method, &options),
            start,
            method,
            regularizer,
            optimizer,
            optimizer_name,
            schedule: match args.schedule {
                ScheduleArg::Constant => Schedule::Constant,
                ScheduleArg::Cosine => Schedule::Cosine,
            },
            steps: args.steps,
            seed: args.seed,
            anchor_weight: args.anchor_weight,
            out: args.out,
            json: args.json,
        })
    }

    fn execute(self) -> Result<()> {
        let (n, dim) = (self.start.n(), self.start.dim());
        let base_lr = self.optimizer.lr();
        let anchor = Anchor::new(self.start.clone());
        let mut anchor_ctx = Context::new(0);
        let anchor_weight = self.anchor_weight;
        // The regularizer's draws get their own stream, apart from the start's.
        let mut run = Dispersion::new(
            self.start,
            self.regularizer,
            self.optimizer,
            self.seed ^ 0x5eed_5eed,
        )?;
        let bar = progress_bar(self.steps);
        let clock = Instant::now();
        let mut last = None;
        for step in 0..self.steps {
            run.set_lr(base_lr * self.schedule.factor(step, self.steps))?;
            let values = run
                .step_with_task(|x, grad| {
                    if anchor_weight > 0.0 {
                        anchor_weight
                            * anchor.value_and_grad(x, anchor_weight, grad, &mut anchor_ctx)
                    } else {
                        0.0
                    }
                })
                .with_context(|| {
                    bar.finish_and_clear();
                    format!("the run diverged at step {step}")
                })?;
            if step % 50 == 0 {
                bar.set_message(format!("loss {:.6}", values.regularizer + values.task));
            }
            bar.inc(1);
            last = Some(values);
        }
        let seconds = clock.elapsed().as_secs_f64();
        bar.finish_and_clear();
        let points = run.into_points();
        let report = metrics::Report::of(&points, Par::Rayon);
        let best = tammes::best_known(n, dim);
        if let Some(path) = &self.out {
            npy::save_points(&points, npy::Dtype::F32, path)?;
        }
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        if self.json {
            let mut summary = json!({
                "n": n,
                "dim": dim,
                "method": self.method.name(),
                "regularizer": self.label,
                "optimizer": self.optimizer_name,
                "lr": base_lr,
                "steps": self.steps,
                "seed": self.seed,
                "seconds": seconds,
                "final_regularizer": last.map(|v| v.regularizer),
                "min_angle_deg": report.min_angle_deg,
                "median_nn_angle_deg": report.median_nn_angle_deg,
                "mean_nn_angle_deg": report.mean_nn_angle_deg,
                "max_nn_angle_deg": report.max_nn_angle_deg,
                "circular_variance": report.circular_variance,
                "mean_pairwise_angle_deg": report.mean_pairwise_angle_deg,
                "riesz_energy": report.riesz_energy,
            });
            if let Some(bytes) = crate::system::peak_resident_bytes() {
                summary["peak_rss_mb"] = json!(bytes as f64 / 1e6);
            }
            if let Some(best) = best {
                summary["best_known_deg"] = json!(best.angle_deg);
                summary["gap_deg"] = json!(best.angle_deg - report.min_angle_deg);
            }
            if anchor_weight > 0.0 {
                summary["anchor_weight"] = json!(anchor_weight);
                summary["final_anchor"] = json!(last.map(|v| v.task / anchor_weight));
            }
            writeln!(out, "{summary}")?;
        } else {
            writeln!(
                out,
                "dispersed {n} points on S^{} with {} ({}, {} steps, {seconds:.2} s)",
                dim - 1,
                self.label,
                self.optimizer_name,
                self.steps
            )?;
            write!(out, "minimum angle      {:.4}°", report.min_angle_deg)?;
            match best {
                Some(b) => writeln!(
                    out,
                    "   best known {:.4}° ({}), gap {:.4}°",
                    b.angle_deg,
                    b.source,
                    b.angle_deg - report.min_angle_deg
                )?,
                None => writeln!(out, "   (no best-known value for this N and dim)")?,
            }
            writeln!(
                out,
                "nearest neighbour  min {:.4}°  median {:.4}°  mean {:.4}°  max {:.4}°",
                report.min_angle_deg,
                report.median_nn_angle_deg,
                report.mean_nn_angle_deg,
                report.max_nn_angle_deg
            )?;
            writeln!(
                out,
                "circular variance  {:.6}   mean pairwise angle {:.4}°   Riesz 1-energy {:.6}",
                report.circular_variance, report.mean_pairwise_angle_deg, report.riesz_energy
            )?;
            if let Some(path) = &self.out {
                writeln!(out, "wrote {}", path.display())?;
            }
        }
        Ok(())
    }
}

fn progress_bar(steps: u64) -> ProgressBar {
    if steps < PROGRESS_MIN_STEPS {
        return ProgressBar::hidden();
    }
    // indicatif draws on stderr and hides itself when stderr is not a terminal.
    let bar = ProgressBar::new(steps);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} steps  {msg}  eta {eta}")
            .expect("static template"),
    );
    bar
}
