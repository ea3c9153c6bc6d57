//! `sphaera disperse`: spread points on the sphere and report how far they got.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use sphaera::disperse::{build, Job, OptimizerKind, DEFAULT_DIM, DEFAULT_N};
use sphaera::optim::Schedule;
use sphaera::Points;

use crate::cli::{DisperseArgs, OptimizerArg, ScheduleArg};
use crate::commands::thread_pool;
use crate::flags::as_flag;
use crate::npy;
use crate::output::check_parent_exists;

/// Below this many steps a run is quick enough to need no progress bar.
const PROGRESS_MIN_STEPS: u64 = 500;

/// A checked dispersion job, its start, and where its results go.
struct Checked {
    job: Job,
    start: Points,
    optimizer_name: &'static str,
    out: Option<PathBuf>,
    json: bool,
}

pub fn run(args: DisperseArgs) -> Result<()> {
    let pool = thread_pool(args.threads)?;
    let checked = Checked::from_args(args)?;
    pool.install(|| checked.execute())
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

impl Checked {
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
        let kind = match args.optimizer {
            OptimizerArg::Adam => OptimizerKind::Adam,
            OptimizerArg::Sgd => OptimizerKind::Sgd,
            OptimizerArg::Euclidean => OptimizerKind::Euclidean,
        };
        let job = Job {
            method: args.method,
            options: args.options.to_options(),
            optimizer: kind.optimizer(args.lr, args.momentum),
            schedule: match args.schedule {
                ScheduleArg::Constant => Schedule::Constant,
                ScheduleArg::Cosine => Schedule::Cosine,
            },
            steps: args.steps,
            seed: args.seed,
            anchor_weight: args.anchor_weight,
            precision: args.precision.parse().map_err(as_flag)?,
        };
        build(job.method, &job.options).map_err(as_flag)?;
        job.optimizer.validate().map_err(as_flag)?;
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
                job.check_size(table.n(), table.dim()).map_err(as_flag)?;
                sphaera::sphere::normalize_rows(&mut table)
                    .with_context(|| format!("{}", path.display()))?;
                table
            }
            None => job
                .random_start(args.n.unwrap_or(DEFAULT_N), args.dim.unwrap_or(DEFAULT_DIM))
                .map_err(as_flag)?,
        };
        Ok(Self {
            job,
            start,
            optimizer_name: kind.name(),
            out: args.out,
            json: args.json,
        })
    }

    fn execute(self) -> Result<()> {
        let (n, dim) = (self.start.n(), self.start.dim());
        let job = &self.job;
        let bar = progress_bar(job.steps);
        let clock = Instant::now();
        let outcome = job
            .run(self.start, |step, loss| {
                if step % 50 == 0 {
                    bar.set_message(format!("loss {loss:.6}"));
                }
                bar.inc(1);
            })
            .inspect_err(|_| bar.finish_and_clear())?;
        let seconds = clock.elapsed().as_secs_f64();
        bar.finish_and_clear();
        let report = &outcome.report;
        if let Some(path) = &self.out {
            npy::save_points(&outcome.points, npy::Dtype::F32, path)?;
        }
        let stdout = std::io::stdout();
        let mut out = stdout.lock();
        if self.json {
            let mut summary = json!({
                "n": n,
                "dim": dim,
                "method": job.method.name(),
                "optimizer": self.optimizer_name,
                "lr": job.optimizer.lr(),
                "steps": job.steps,
                "seed": job.seed,
                "seconds": seconds,
            });
            merge(&mut summary, serde_json::to_value(&outcome)?);
            if let Some(best) = outcome.best_known_deg {
                summary["gap_deg"] = json!(best - report.min_angle_deg);
            }
            if job.anchor_weight > 0.0 {
                summary["anchor_weight"] = json!(job.anchor_weight);
            }
            if let Some(bytes) = crate::system::peak_resident_bytes() {
                summary["peak_rss_mb"] = json!(bytes as f64 / 1e6);
            }
            writeln!(out, "{summary}")?;
        } else {
            writeln!(
                out,
                "dispersed {n} points on S^{} with {} ({}, {} steps, {seconds:.2} s)",
                dim - 1,
                outcome.regularizer,
                self.optimizer_name,
                job.steps
            )?;
            write!(out, "minimum angle      {:.4}°", report.min_angle_deg)?;
            match (outcome.best_known_deg, outcome.best_known_source) {
                (Some(best), Some(source)) => writeln!(
                    out,
                    "   best known {best:.4}° ({source}), gap {:.4}°",
                    best - report.min_angle_deg
                )?,
                _ => writeln!(out, "   (no best-known value for this N and dim)")?,
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

/// Adds the fields of the object `extra` to the object `summary`.
fn merge(summary: &mut serde_json::Value, extra: serde_json::Value) {
    if let (Some(summary), serde_json::Value::Object(extra)) = (summary.as_object_mut(), extra) {
        summary.extend(extra);
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
