//! `sphaera hierarchy train` and `sphaera hierarchy eval`: arguments to library calls, a
//! progress bar, files and printing. The protocol itself lives in `sphaera::hierarchy`.

use std::io::Write;
use std::path::Path;

use anyhow::{bail, Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use sphaera::data::Split;
use sphaera::hierarchy::{
    claim_table, html_report, markdown_table, region_drawings, Checkpoint, Comparison,
    EdgeSampling, Model, ModelKind, ModelVisitor, Progress, Regions, Run, Schedule, SpherexConfig,
    SpherexLoss, Summary, Task,
};

use crate::cli::{CompareArgs, EdgeSamplingArg, EvalArgs, TrainArgs};
use crate::flags::as_flag;
use crate::hierarchy::load_hierarchy;
use crate::output::{check_parent_exists, write_atomically};

pub fn train(args: TrainArgs) -> Result<()> {
    check_outputs(&args)?;
    let (hierarchy, source) = load_hierarchy(args.edges.as_deref())?;
    let task = Task::new(
        &hierarchy,
        &source,
        args.protocol,
        args.regime,
        args.split.as_deref(),
        args.seed,
    )?;
    let (summary, model) = ModelKind::from(args.model).visit(TrainModel {
        task: &task,
        args: &args,
    })?;
    if let Some(path) = &args.out {
        model.save(path, task.nodes.names())?;
    }
    print(&summary, args.json)
}

/// Trains the model of the kind visited.
struct TrainModel<'a> {
    task: &'a Task,
    args: &'a TrainArgs,
}

impl ModelVisitor for TrainModel<'_> {
    type Output = Result<(Summary, Model)>;

    fn visit<M: Regions>(self) -> Self::Output
    where
        Model: From<M>,
    {
        let (summary, model) = run::<M>(self.task, self.args)?;
        Ok((summary, Model::from(model)))
    }
}

/// The library's configuration for model `M`, from the arguments and the model's defaults.
fn config<M: Regions>(args: &TrainArgs) -> SpherexConfig {
    let defaults = M::default_config();
    SpherexConfig {
        dim: args.dim as usize,
        negatives: args.negatives.unwrap_or(defaults.negatives),
        negative_power: args.negative_power.unwrap_or(defaults.negative_power),
        batch_size: args.batch_size.unwrap_or(defaults.batch_size),
        lr: args.lr.unwrap_or(defaults.lr),
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
        ..defaults
    }
}

/// Refuses, before any work, output paths that cannot be written or that collide.
fn check_outputs(args: &TrainArgs) -> Result<()> {
    for (flag, path) in [("--out", &args.out), ("--checkpoint", &args.checkpoint)] {
        if let Some(path) = path {
            check_parent_exists(path).context(flag)?;
        }
    }
    if let (Some(out), Some(checkpoint)) = (&args.out, &args.checkpoint) {
        if same_file(out, checkpoint) {
            bail!(
                "--out and --checkpoint name the same file {}: the model would overwrite the checkpoint",
                out.display()
            );
        }
    }
    Ok(())
}

fn same_file(a: &Path, b: &Path) -> bool {
    let resolve = |p: &Path| {
        let parent = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        parent
            .canonicalize()
            .map(|d| d.join(p.file_name().unwrap_or_default()))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    resolve(a) == resolve(b)
}

/// Trains (or resumes) one run with a progress bar, writing checkpoints as asked.
fn run<M: Regions>(task: &Task, args: &TrainArgs) -> Result<(Summary, M)> {
    let config = config::<M>(args);
    let schedule = Schedule {
        epochs: args.epochs,
        eval_every: args.eval_every,
    };
    let mut run = match &args.resume {
        Some(path) => {
            let checkpoint = Checkpoint::<M>::load(path)?;
            Run::resume(task, checkpoint, config, schedule)
                .map_err(as_flag)
                .with_context(|| path.display().to_string())?
        }
        None => Run::new(task, config, schedule).map_err(as_flag)?,
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
    bar.set_position(run.epochs());
    while !run.is_done() {
        let report = run.epoch().inspect_err(|_| bar.finish_and_clear())?;
        bar.set_position(report.epoch);
        if let Some(evaluation) = report.evaluation {
            bar.set_message(format!("loss {:.5}  {evaluation}", report.loss));
        }
        if let Some(path) = &args.checkpoint {
            if report.epoch % args.checkpoint_every.get() == 0 || run.is_done() {
                run.checkpoint().save(path)?;
            }
        }
    }
    bar.finish_and_clear();
    Ok(run.finish())
}

pub fn compare(args: CompareArgs) -> Result<()> {
    let (hierarchy, source) = load_hierarchy(args.edges.as_deref())?;
    let comparison = Comparison {
        models: args.models,
        dims: args.dims,
        protocols: args.protocol,
        seeds: args.seeds,
        epochs: args.epochs,
        regime: args.regime,
        eval_every: args.eval_every,
    };
    // One line per run, and a bar over the epochs of the run under way.
    let bar = ProgressBar::hidden();
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} epochs  {msg}")
            .expect("static template"),
    );
    let runs = comparison
        .run(&hierarchy, &source, &args.out, |progress| match progress {
            Progress::Run {
                index,
                total,
                key,
                kept,
            } => {
                bar.finish_and_clear();
                let state = if kept { "kept" } else { "running" };
                eprintln!(
                    "[{}/{total}] {state} {} d = {} {} seed {}",
                    index + 1,
                    key.model.name(),
                    key.dim,
                    key.protocol,
                    key.seed
                );
                if !kept {
                    bar.set_draw_target(ProgressDrawTarget::stderr());
                    bar.reset();
                    bar.set_length(comparison.epochs);
                    bar.set_message("");
                }
            }
            Progress::Epoch { report, .. } => {
                bar.set_position(report.epoch);
                if let Some(evaluation) = report.evaluation {
                    bar.set_message(format!("loss {:.5}  {evaluation}", report.loss));
                }
            }
        })
        .inspect_err(|_| bar.finish_and_clear())
        .map_err(as_flag)?;
    let mut table = markdown_table(&runs);
    let claim = claim_table(&runs);
    if !claim.is_empty() {
        table.push_str("\nSpheREx against the best baseline (mean ± sd over the seeds):\n\n");
        table.push_str(&claim);
    }
    let drawings = region_drawings(&runs, &args.out, &hierarchy)?;
    let report = html_report(
        &runs,
        &format!("sphaera hierarchy compare: {source}"),
        &drawings,
    )?;
    for (name, text) in [("table.md", &table), ("report.html", &report)] {
        write_atomically(&args.out.join(name), |file| {
            file.write_all(text.as_bytes())?;
            Ok(())
        })?;
    }
    print!("{table}");
    Ok(())
}

pub fn eval(args: EvalArgs) -> Result<()> {
    let (model, names) = Model::load(&args.model_file)?;
    let (hierarchy, source) = load_hierarchy(args.edges.as_deref())?;
    let split = args
        .split
        .as_deref()
        .map(|dir| Split::read_dir(dir, &hierarchy))
        .transpose()?;
    let evaluated = model
        .evaluate(&names, &hierarchy, split.as_ref())
        .with_context(|| format!("{} on {source}", args.model_file.display()))?;
    print(&evaluated, args.json)
}

/// Prints `report` as one JSON object or as text.
fn print(report: &(impl Serialize + std::fmt::Display), json: bool) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if json {
        writeln!(out, "{}", serde_json::to_string(report)?)?;
    } else {
        write!(out, "{report}")?;
    }
    Ok(())
}
