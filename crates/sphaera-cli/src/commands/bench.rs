//! `sphaera bench step`: the seconds of one full dispersion step, and the memory it needs.

use std::io::Write;
use std::time::Instant;

use anyhow::{bail, Context as _, Result};
use serde_json::json;
use sphaera::disperse::{build, describe, Dispersion};
use sphaera::optim::{Adam, Optimizer};
use sphaera::random;

use crate::cli::BenchStepArgs;
use crate::commands::thread_pool;
use crate::flags::as_flag;

pub fn step(args: BenchStepArgs) -> Result<()> {
    if args.n < 2 {
        bail!("--n must be at least 2, got {}", args.n);
    }
    if args.dim < 2 {
        bail!("--dim must be at least 2, got {}", args.dim);
    }
    if args.steps == 0 {
        bail!("--steps must be at least 1");
    }
    let options = args.options.to_options();
    let regularizer = build(args.method, &options).map_err(as_flag)?;
    sphaera::disperse::check_dispersion(args.method, &options, args.n, args.dim)
        .map_err(as_flag)?;
    let pool = thread_pool(args.threads)?;
    let threads = pool.current_num_threads();
    let start = random::uniform_sphere(args.n, args.dim, &mut random::seeded(args.seed));
    let mut run = Dispersion::new(
        start,
        regularizer,
        Optimizer::Adam(Adam::default()),
        args.seed ^ 0x5eed_5eed,
    )?
    .with_precision(args.precision.parse().map_err(as_flag)?);
    // One warm-up step first: it pays for the first touch of every buffer.
    let mut seconds: Vec<f64> = pool
        .install(|| {
            run.step()?;
            (0..args.steps)
                .map(|_| {
                    let clock = Instant::now();
                    run.step()?;
                    Ok(clock.elapsed().as_secs_f64())
                })
                .collect::<sphaera::Result<Vec<f64>>>()
        })
        .context("the run diverged")?;
    seconds.sort_by(f64::total_cmp);
    let median = median_of_sorted(&seconds);
    let peak_mb = crate::system::peak_resident_bytes().map(|b| b as f64 / 1e6);
    let label = describe(args.method, &options);
    let mut out = std::io::stdout().lock();
    if args.json {
        let summary = json!({
            "precision": args.precision,
            "method": args.method.name(),
            "regularizer": label,
            "n": args.n,
            "dim": args.dim,
            "threads": threads,
            "steps": args.steps,
            "median_seconds": median,
            "min_seconds": seconds[0],
            "max_seconds": seconds[seconds.len() - 1],
            "peak_rss_mb": peak_mb,
        });
        writeln!(out, "{summary}")?;
    } else {
        writeln!(
            out,
            "{label}, N = {}, d = {}, {threads} threads: {median:.4} s per step \
             (median of {}; {:.4}–{:.4} s)",
            args.n,
            args.dim,
            args.steps,
            seconds[0],
            seconds[seconds.len() - 1]
        )?;
        if let Some(mb) = peak_mb {
            writeln!(out, "peak resident memory {mb:.1} MB")?;
        }
    }
    Ok(())
}

fn median_of_sorted(values: &[f64]) -> f64 {
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}
