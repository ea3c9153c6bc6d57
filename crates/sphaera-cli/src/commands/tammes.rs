//! `sphaera tammes`: the best configuration of N points it can find, against the best known.

use std::io::Write;
use std::time::Instant;

use anyhow::{Context as _, Result};
use serde_json::json;
use sphaera::tammes::{best_known, search, SearchConfig};

use crate::cli::TammesArgs;
use crate::commands::thread_pool;
use crate::flags::as_flag;
use crate::npy;
use crate::output::check_parent_exists;

pub fn run(args: TammesArgs) -> Result<()> {
    let time_limit = args
        .time_limit
        .map(sphaera::tammes::time_limit)
        .transpose()
        .map_err(as_flag)?;
    if let Some(out) = &args.out {
        check_parent_exists(out).context("--out")?;
    }
    let scaled = SearchConfig::for_size(args.n);
    let config = SearchConfig {
        restarts: args.restarts.unwrap_or(scaled.restarts),
        polished: args.polished.unwrap_or(scaled.polished),
        hops: args.hops.unwrap_or(scaled.hops),
        seed: args.seed,
        time_limit,
    };
    let pool = thread_pool(args.threads)?;
    let clock = Instant::now();
    let code = pool
        .install(|| search(args.n, args.dim, &config))
        .map_err(as_flag)?;
    let seconds = clock.elapsed().as_secs_f64();
    if let Some(path) = &args.out {
        npy::save_points(&code.points, npy::Dtype::F64, path)?;
    }
    let best = best_known(args.n, args.dim);
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut summary = json!({
            "n": args.n,
            "dim": args.dim,
            "seed": args.seed,
            "min_angle_deg": code.min_angle_deg,
            "contacts": code.contacts,
            "restarts": code.restarts,
            "hops": code.hops,
            "improving_hops": code.improving_hops,
            "seconds": seconds,
            "best_known_deg": null,
            "gap_deg": null,
        });
        if let Some(best) = best {
            summary["best_known_deg"] = json!(best.angle_deg);
            summary["gap_deg"] = json!(best.angle_deg - code.min_angle_deg);
        }
        writeln!(out, "{summary}")?;
    } else {
        writeln!(
            out,
            "{} points on S^{}: minimum angle {:.7}°, {} contacts ({} restarts, {seconds:.2} s)",
            args.n,
            args.dim - 1,
            code.min_angle_deg,
            code.contacts,
            code.restarts
        )?;
        match best {
            Some(b) => writeln!(
                out,
                "best known {:.7}° ({}), gap {:.2e}°",
                b.angle_deg,
                b.source,
                b.angle_deg - code.min_angle_deg
            )?,
            None => writeln!(
                out,
                "no best-known value for this N and dim: this is the bound reached"
            )?,
        }
        if let Some(path) = &args.out {
            writeln!(out, "wrote {}", path.display())?;
        }
    }
    Ok(())
}
