//! `sphaera hierarchy train` and `sphaera hierarchy eval`.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sphaera::data::{split as make_split, Closure, Hierarchy};
use sphaera::eval::{
    link_prediction, reconstruction, LinkPrediction, Reconstruction, Sampling, Scorer,
};
use sphaera::hierarchy::{
    Balls, Caps, EdgeSampling, Known, Regions, SpherexConfig, SpherexLoss, Trainer, TrainerState,
};
use sphaera::Par;

use crate::cli::{EdgeSamplingArg, EvalArgs, ModelArg, RegimeArg, TrainArgs};
use crate::hierarchy::load_hierarchy;
use crate::model_file::{self, Model};
use crate::output::{check_parent_exists, write_atomically};

/// Nodes sampled for the running reconstruction figure on the progress bar.
const PROGRESS_SAMPLE: usize = 1000;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Protocol {
    Reconstruction,
    Split(f64),
}

fn parse_protocol(text: &str) -> Result<Protocol> {
    if text == "reconstruction" {
        return Ok(Protocol::Reconstruction);
    }
    let percent = text
        .strip_prefix("split:")
        .and_then(|p| p.parse::<f64>().ok())
        .filter(|p| p.is_finite() && (0.0..=90.0).contains(p));
    match percent {
        Some(p) => Ok(Protocol::Split(p)),
        None => {
            bail!("--protocol must be reconstruction or split:P with P from 0 to 90, got {text}")
        }
    }
}

/// The held-out pairs of a split, by index.
struct HeldOut {
    valid: Vec<(u32, u32)>,
    valid_neg: Vec<(u32, u32)>,
    test: Vec<(u32, u32)>,
    test_neg: Vec<(u32, u32)>,
}

impl HeldOut {
    fn evaluate(&self, model: &impl Scorer) -> LinkPrediction {
        let scores = |pairs: &[(u32, u32)]| -> Vec<f64> {
            pairs.iter().map(|&(u, v)| model.score(u, v)).collect()
        };
        link_prediction(
            &scores(&self.valid),
            &scores(&self.valid_neg),
            &scores(&self.test),
            &scores(&self.test_neg),
        )
    }
}

/// A split read from files: the nodes, the training edges and the held-out pairs.
struct SplitFiles {
    nodes: Hierarchy,
    train: Vec<(u32, u32)>,
    held: HeldOut,
}

/// The best validation F1 so far, with the test figures and the model at that epoch.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "M: Regions")]
struct Best<M> {
    epoch: u64,
    valid_f1: f64,
    test_f1: f64,
    test_auroc: f64,
    test_ap: f64,
    threshold: f64,
    model: M,
}

/// What a checkpoint holds.
#[derive(Serialize, Deserialize)]
#[serde(bound = "M: Regions")]
struct Checkpoint<M> {
    model_kind: String,
    source: String,
    protocol: String,
    regime: String,
    config: SpherexConfig,
    state: TrainerState<M>,
    best: Option<Best<M>>,
}

/// The data of a run, ready for any model.
struct Prepared {
    source: String,
    regime: &'static str,
    nodes: Hierarchy,
    positives: Vec<(u32, u32)>,
    known: Known,
    held_out: Option<HeldOut>,
    closure: Option<Closure>,
}

pub fn train(args: TrainArgs) -> Result<()> {
    if args.dim < 1 {
        bail!("--dim must be at least 1, got {}", args.dim);
    }
    if matches!(args.model, ModelArg::Caps) && args.dim < 2 {
        bail!(
            "--dim must be at least 2 for caps (points on S^(dim-1)), got {}",
            args.dim
        );
    }
    if args.sibling_weight != 0.0 && matches!(args.model, ModelArg::Spherex) {
        bail!("--sibling-weight applies to --model caps only");
    }
    if args.checkpoint_every == 0 || args.eval_every == 0 {
        bail!("--checkpoint-every and --eval-every must be at least 1");
    }
    for path in [&args.out, &args.checkpoint].into_iter().flatten() {
        check_parent_exists(path).context("--out or --checkpoint")?;
    }
    let protocol = parse_protocol(&args.protocol)?;
    let config = SpherexConfig {
        dim: args.dim as usize,
        negatives: args.negatives,
        batch_size: args.batch_size,
        lr: args.lr,
        loss: SpherexLoss {
            temperature: args.temperature,
            margin: args.margin,
            volume_weight: args.volume_weight,
            ln_p_floor: args.ln_p_floor,
            radius_weight: args.radius_weight,
            sibling_weight: args.sibling_weight,
        },
        min_radius: args.min_radius,
        seed: args.seed,
        edge_sampling: match args.edge_sampling {
            EdgeSamplingArg::Uniform => EdgeSampling::Uniform,
            EdgeSamplingArg::SqrtDescendants => EdgeSampling::SqrtDescendants,
        },
        lr_decay_epochs: args.lr_decay.then_some(args.epochs),
    };
    let data = prepare(&args, protocol)?;
    let n = data.nodes.n();
    match args.model {
        ModelArg::Spherex => {
            let (summary, model) = run(
                Balls::initial(n, config.dim, config.seed),
                "spherex",
                &data,
                &args,
                config,
            )?;
            finish(&args, summary, Model::Balls(model), &data)
        }
        ModelArg::Caps => {
            let (summary, model) = run(
                Caps::initial(n, config.dim, config.seed),
                "caps",
                &data,
                &args,
                config,
            )?;
            finish(&args, summary, Model::Caps(model), &data)
        }
    }
}

/// Loads the edges and lays out what to train on, what negatives avoid and what to evaluate.
fn prepare(args: &TrainArgs, protocol: Protocol) -> Result<Prepared> {
    let (hierarchy, source) = load_hierarchy(args.edges.as_deref())?;
    let regime = match args.regime {
        RegimeArg::Published => "published",
        RegimeArg::ClosureAware => "closure-aware",
    };
    Ok(match protocol {
        Protocol::Reconstruction => {
            let closure = hierarchy.closure();
            let positives = closure.edges().collect();
            let known = Known::from_closure(&closure);
            Prepared {
                source,
                regime,
                nodes: hierarchy,
                positives,
                known,
                held_out: None,
                closure: Some(closure),
            }
        }
        Protocol::Split(percent) => {
            let (nodes, train, held) = match &args.split {
                Some(dir) => {
                    let files = read_split(dir, &hierarchy)?;
                    (files.nodes, files.train, files.held)
                }
                None => {
                    let s = make_split(&hierarchy, percent, args.seed)?;
                    let held = HeldOut {
                        valid: s.valid,
                        valid_neg: s.valid_neg,
                        test: s.test,
                        test_neg: s.test_neg,
                    };
                    (s.hierarchy, s.train, held)
                }
            };
            let known = match args.regime {
                RegimeArg::Published => Known::from_edges(nodes.n(), &train),
                RegimeArg::ClosureAware => {
                    let graph = Hierarchy::from_indexed_edges(nodes.names().to_vec(), &train)?;
                    Known::from_closure(&graph.closure())
                }
            };
            Prepared {
                source,
                regime,
                nodes,
                positives: train,
                known,
                held_out: Some(held),
                closure: None,
            }
        }
    })
}

/// Trains `initial` (or the checkpoint's model) and returns the summary and the model to
/// keep: the last one for reconstruction, the best-validation one for a split.
fn run<M: Regions>(
    initial: M,
    kind: &str,
    data: &Prepared,
    args: &TrainArgs,
    config: SpherexConfig,
) -> Result<(serde_json::Value, M)> {
    let (mut trainer, mut best) = match &args.resume {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let saved: Checkpoint<M> = serde_json::from_str(&text)
                .map_err(|e| anyhow::anyhow!("{}: not a valid checkpoint ({e})", path.display()))?;
            let same = saved.model_kind == kind
                && saved.source == data.source
                && saved.protocol == args.protocol
                && saved.regime == data.regime
                && saved.config == config;
            if !same {
                bail!(
                    "{}: the checkpoint was made with another model, data, protocol or settings",
                    path.display()
                );
            }
            (
                Trainer::resume(
                    saved.state,
                    data.positives.clone(),
                    data.known.clone(),
                    config.clone(),
                )?,
                saved.best,
            )
        }
        None => (
            Trainer::new(
                initial,
                data.positives.clone(),
                data.known.clone(),
                config.clone(),
            )?,
            None,
        ),
    };

    let bar = if args.epochs >= 5 {
        ProgressBar::new(args.epochs)
    } else {
        ProgressBar::hidden()
    };
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} epochs  {msg}")
            .expect("static template"),
    );
    bar.set_position(trainer.epochs());
    let clock = Instant::now();
    let mut training_seconds = 0.0;
    let first_epoch = trainer.epochs();
    while trainer.epochs() < args.epochs {
        let epoch_clock = Instant::now();
        let stats = trainer.epoch();
        training_seconds += epoch_clock.elapsed().as_secs_f64();
        let epoch = trainer.epochs();
        bar.set_position(epoch);
        if epoch % args.eval_every == 0 || epoch == args.epochs {
            let metric = match (&data.held_out, &data.closure) {
                (Some(held), _) => {
                    let lp = held.evaluate(&trainer.model().scoring());
                    if best.as_ref().is_none_or(|b| lp.valid_f1 > b.valid_f1) {
                        best = Some(Best {
                            epoch,
                            valid_f1: lp.valid_f1,
                            test_f1: lp.test_f1,
                            test_auroc: lp.test_auroc,
                            test_ap: lp.test_ap,
                            threshold: lp.threshold,
                            model: trainer.model().clone(),
                        });
                    }
                    format!("valid F1 {:.4}", lp.valid_f1)
                }
                (None, Some(closure)) => {
                    let sample = Sampling::Nodes {
                        count: PROGRESS_SAMPLE,
                        seed: 0,
                    };
                    let r = reconstruction(closure, &trainer.model().scoring(), sample, Par::Rayon);
                    format!("MAP {:.4} (sampled)", r.map)
                }
                (None, None) => String::new(),
            };
            bar.set_message(format!("loss {:.5}  {metric}", stats.loss));
        }
        if let Some(path) = &args.checkpoint {
            if epoch % args.checkpoint_every == 0 || epoch == args.epochs {
                let checkpoint = Checkpoint {
                    model_kind: kind.to_string(),
                    source: data.source.clone(),
                    protocol: args.protocol.clone(),
                    regime: data.regime.to_string(),
                    config: config.clone(),
                    state: trainer.state().clone(),
                    best: best.clone(),
                };
                write_atomically(path, |file| {
                    serde_json::to_writer(std::io::BufWriter::new(file), &checkpoint)?;
                    Ok(())
                })?;
            }
        }
    }
    let seconds = clock.elapsed().as_secs_f64();
    bar.finish_and_clear();
    let trained = trainer.epochs() - first_epoch;
    let mut summary = json!({
        "model": kind,
        "source": data.source,
        "protocol": args.protocol,
        "dim": config.dim,
        "nodes": data.nodes.n(),
        "epochs": trainer.epochs(),
        "seed": args.seed,
        "seconds": seconds,
        // Training alone: evaluations and checkpoints excluded.
        "seconds_per_epoch": if trained > 0 { training_seconds / trained as f64 } else { 0.0 },
    });
    let kept = match (&data.closure, best) {
        (Some(closure), _) => {
            let r: Reconstruction = reconstruction(
                closure,
                &trainer.model().scoring(),
                Sampling::All,
                Par::Rayon,
            );
            summary["map"] = json!(r.map);
            summary["mean_rank"] = json!(r.mean_rank);
            trainer.model().clone()
        }
        (None, Some(b)) => {
            summary["regime"] = json!(data.regime);
            summary["best_epoch"] = json!(b.epoch);
            summary["valid_f1"] = json!(b.valid_f1);
            summary["test_f1"] = json!(b.test_f1);
            summary["test_auroc"] = json!(b.test_auroc);
            summary["test_ap"] = json!(b.test_ap);
            summary["threshold"] = json!(b.threshold);
            b.model
        }
        (None, None) => trainer.model().clone(),
    };
    Ok((summary, kept))
}

/// Writes the model and prints the summary.
fn finish(
    args: &TrainArgs,
    summary: serde_json::Value,
    model: Model,
    data: &Prepared,
) -> Result<()> {
    if let Some(path) = &args.out {
        model_file::save(path, &model, data.nodes.names())?;
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{summary}")?;
    } else {
        writeln!(
            out,
            "trained {} (d = {}) on {}: {} epochs, {:.2} s",
            summary["model"].as_str().unwrap_or_default(),
            summary["dim"],
            data.source,
            summary["epochs"],
            summary["seconds"].as_f64().unwrap_or_default()
        )?;
        for key in [
            "map",
            "mean_rank",
            "valid_f1",
            "test_f1",
            "test_auroc",
            "test_ap",
            "best_epoch",
        ] {
            match summary.get(key) {
                Some(serde_json::Value::Number(v)) if v.is_f64() => {
                    writeln!(out, "{key:>12}  {:.4}", v.as_f64().unwrap_or_default())?
                }
                Some(v) => writeln!(out, "{key:>12}  {v}")?,
                None => {}
            }
        }
    }
    Ok(())
}

pub fn eval(args: EvalArgs) -> Result<()> {
    let (model, names) = model_file::load(&args.model_file)?;
    let (hierarchy, source) = load_hierarchy(args.edges.as_deref())?;
    let index: HashMap<&str, u32> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i as u32))
        .collect();
    let mut mapping = Vec::with_capacity(hierarchy.n());
    for name in hierarchy.names() {
        match index.get(name.as_str()) {
            Some(&i) => mapping.push(i),
            None => bail!(
                "{source}: node {name} is not in the model {}",
                args.model_file.display()
            ),
        }
    }
    let closure = hierarchy.closure();
    let clock = Instant::now();
    // The model reordered to the hierarchy's node numbering, so it scores blocks directly.
    let r = match &model {
        Model::Balls(balls) => reconstruction(
            &closure,
            &balls.select(&mapping).scoring(),
            Sampling::All,
            Par::Rayon,
        ),
        Model::Caps(caps) => reconstruction(
            &closure,
            &caps.select(&mapping).scoring(),
            Sampling::All,
            Par::Rayon,
        ),
    };
    let seconds = clock.elapsed().as_secs_f64();
    let mut out = std::io::stdout().lock();
    if args.json {
        let summary = json!({"map": r.map, "mean_rank": r.mean_rank, "nodes": r.nodes, "pairs": r.pairs, "seconds": seconds, "source": source});
        writeln!(out, "{summary}")?;
    } else {
        writeln!(
            out,
            "reconstruction of {source}: MAP {:.4}, mean rank {:.3} ({} pairs, {seconds:.2} s)",
            r.map, r.mean_rank, r.pairs
        )?;
    }
    Ok(())
}

/// Reads `train.tsv`, `valid.tsv`, `valid_neg.tsv`, `test.tsv`, `test_neg.tsv` from `dir`,
/// naming nodes of `hierarchy` without its root (as `data split` writes them).
fn read_split(dir: &Path, hierarchy: &Hierarchy) -> Result<SplitFiles> {
    let nodes = match hierarchy.roots()[..] {
        [root] => hierarchy.without(root),
        _ => hierarchy.clone(),
    };
    let read = |name: &str| -> Result<Vec<(u32, u32)>> {
        let path: PathBuf = dir.join(name);
        let shown = path.display().to_string();
        let text =
            std::fs::read_to_string(&path).with_context(|| format!("cannot read {shown}"))?;
        let mut pairs = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((a, b)) = line.split_once('\t') else {
                bail!(
                    "{shown}:{}: expected child<TAB>parent, found one column",
                    number + 1
                );
            };
            let b = b.split('\t').next().unwrap_or_default();
            let index = |node: &str| {
                nodes
                    .index_of(node.trim())
                    .map_err(|_| anyhow::anyhow!("{shown}:{}: unknown node {node}", number + 1))
            };
            pairs.push((index(a)?, index(b)?));
        }
        Ok(pairs)
    };
    let held = HeldOut {
        valid: read("valid.tsv")?,
        valid_neg: read("valid_neg.tsv")?,
        test: read("test.tsv")?,
        test_neg: read("test_neg.tsv")?,
    };
    let train = read("train.tsv")?;
    Ok(SplitFiles { nodes, train, held })
}
