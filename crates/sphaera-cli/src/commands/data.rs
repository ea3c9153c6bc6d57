//! `sphaera data`: WordNet closures and link-prediction splits.

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde_json::json;
use sphaera::data::{load_nouns, split as split_hierarchy, Hierarchy};

use crate::cli::{SplitArgs, WordnetArgs};
use crate::hierarchy::load_hierarchy;
use crate::output::{check_parent_exists, write_atomically};

pub fn wordnet(args: WordnetArgs) -> Result<()> {
    check_parent_exists(&args.out).context("--out")?;
    let clock = Instant::now();
    let nouns = load_nouns(&args.dict)?;
    let hierarchy = match &args.root {
        Some(name) => {
            let root = nouns
                .index_of(name)
                .with_context(|| format!("--root: no synset {name} in {}", args.dict.display()))?;
            nouns.subtree(root)
        }
        None => nouns,
    };
    let closure = hierarchy.checked_closure()?;
    let edges: Vec<(u32, u32)> = closure.edges().collect();
    write_edges(&args.out, &hierarchy, &edges)?;
    let seconds = clock.elapsed().as_secs_f64();
    let mut out = std::io::stdout().lock();
    if args.json {
        let summary = json!({"nodes": hierarchy.n(), "edges": edges.len(), "seconds": seconds, "out": args.out});
        writeln!(out, "{summary}")?;
    } else {
        writeln!(
            out,
            "wrote the closure of {} synsets, {} edges, to {} ({seconds:.2} s)",
            hierarchy.n(),
            edges.len(),
            args.out.display()
        )?;
    }
    Ok(())
}

pub fn split(args: SplitArgs) -> Result<()> {
    if !(args.percent.is_finite() && (0.0..=90.0).contains(&args.percent)) {
        bail!("--percent must be between 0 and 90, got {}", args.percent);
    }
    if args.out.exists() && !args.out.is_dir() {
        bail!("--out: {} is not a directory", args.out.display());
    }
    let (hierarchy, source) = load_hierarchy(args.edges.as_deref())?;
    let split = split_hierarchy(&hierarchy, args.percent, args.seed)?;
    split.write_dir(&args.out)?;
    let c = split.counts;
    let mut out = std::io::stdout().lock();
    if args.json {
        let mut summary = serde_json::to_value(c)?;
        summary["source"] = json!(source);
        summary["percent"] = json!(args.percent);
        summary["seed"] = json!(args.seed);
        writeln!(out, "{summary}")?;
    } else {
        writeln!(
            out,
            "split {source} ({} nodes without the root) into {}",
            c.nodes,
            args.out.display()
        )?;
        writeln!(
            out,
            "closure edges {}, basic {}, non-basic {}",
            c.closure_edges, c.basic_edges, c.non_basic_edges
        )?;
        writeln!(
            out,
            "train {} (basic + {}% of non-basic)",
            c.train, args.percent
        )?;
        writeln!(
            out,
            "valid {} + {} negatives, test {} + {} negatives",
            c.valid, c.valid_neg, c.test, c.test_neg
        )?;
    }
    Ok(())
}

/// Writes `child<TAB>parent` lines by name, atomically.
fn write_edges(path: &Path, hierarchy: &Hierarchy, edges: &[(u32, u32)]) -> Result<()> {
    write_atomically(path, |file| {
        let mut w = BufWriter::new(file);
        for &(child, parent) in edges {
            writeln!(w, "{}\t{}", hierarchy.name(child), hierarchy.name(parent))?;
        }
        w.flush()?;
        Ok(())
    })
}
