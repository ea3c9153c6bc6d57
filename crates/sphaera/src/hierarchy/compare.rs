//! Many runs on identical data: every combination of model, dimension, protocol and seed,
//! each kept as JSON in one directory (a run whose file exists is not run again, so an
//! interrupted comparison resumes), and a table of means and spreads over the seeds.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::num::NonZeroU64;
use std::path::{Path, PathBuf};

use crate::data::{without_single_root, Hierarchy};
use crate::error::{Error, Result};
use crate::files::{buffered, write_atomically};
use crate::hierarchy::config::SpherexConfig;
use crate::hierarchy::drawing::{draw_regions, small_subtree};
use crate::hierarchy::kind::{ModelKind, ModelVisitor};
use crate::hierarchy::model_file::Model;
use crate::hierarchy::protocol::{Protocol, Regime};
use crate::hierarchy::regions::Regions;
use crate::hierarchy::run::{EpochReport, Run, Schedule, Summary, Task};

/// What to compare: the product of models, dimensions, protocols and seeds, each run for
/// the same epochs with the library's default settings otherwise.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The models.
    pub models: Vec<ModelKind>,
    /// The dimensions.
    pub dims: Vec<usize>,
    /// The protocols.
    pub protocols: Vec<Protocol>,
    /// The seeds (of the split, the initialization and every draw).
    pub seeds: Vec<u64>,
    /// Epochs of every run.
    pub epochs: u64,
    /// Which known edges filter negatives, in link prediction.
    pub regime: Regime,
    /// Evaluate (and pick the best epoch) every this many epochs.
    pub eval_every: NonZeroU64,
}

/// What [`Comparison::run`] tells as it goes.
#[derive(Clone, Copy, Debug)]
pub enum Progress<'a> {
    /// Run `index` of `total` starts, or is `kept` from an earlier invocation (not run again).
    Run {
        /// Its place, from 0.
        index: usize,
        /// Runs in all.
        total: usize,
        /// The run.
        key: &'a RunKey,
        /// Already in the directory.
        kept: bool,
    },
    /// The current run finished an epoch.
    Epoch {
        /// The epoch's report.
        report: &'a EpochReport,
        /// Epochs of every run.
        epochs: u64,
    },
}

/// One run of a comparison.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RunKey {
    /// The model.
    pub model: ModelKind,
    /// The dimension.
    pub dim: usize,
    /// The protocol.
    pub protocol: Protocol,
    /// The seed.
    pub seed: u64,
}

impl RunKey {
    /// The file of its summary: `spherex-d10-split25-s0.json`.
    pub fn file_name(&self) -> String {
        format!("{}.json", self.stem())
    }

    /// The file of its trained model (for link prediction, the best epoch's):
    /// `spherex-d10-split25-s0.safetensors`.
    pub fn model_file_name(&self) -> String {
        format!("{}.safetensors", self.stem())
    }

    fn stem(&self) -> String {
        let protocol = match self.protocol {
            Protocol::Reconstruction => "reconstruction".to_string(),
            Protocol::Split { percent } => format!("split{percent}"),
        };
        format!(
            "{}-d{}-{protocol}-s{}",
            self.model.name(),
            self.dim,
            self.seed
        )
    }
}

impl Comparison {
    /// Every run, protocols outermost (so one split serves all the runs that share it).
    pub fn runs(&self) -> Vec<RunKey> {
        let mut keys = Vec::new();
        for &protocol in &self.protocols {
            for &seed in &self.seeds {
                for &model in &self.models {
                    for &dim in &self.dims {
                        keys.push(RunKey {
                            model,
                            dim,
                            protocol,
                            seed,
                        });
                    }
                }
            }
        }
        keys
    }

    /// Runs every combination not yet in `dir` (created if absent), writing each trained
    /// model ([`RunKey::model_file_name`]) and then its summary ([`RunKey::file_name`]) there
    /// as it ends, and returns all the summaries. `progress` hears of each run before it
    /// starts ([`Progress::Run`]) and of each of its epochs ([`Progress::Epoch`]).
    pub fn run(
        &self,
        hierarchy: &Hierarchy,
        source: &str,
        dir: &Path,
        mut progress: impl FnMut(Progress<'_>),
    ) -> Result<Vec<(RunKey, Summary)>> {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
        let keys = self.runs();
        let mut results = Vec::with_capacity(keys.len());
        let mut tasks: BTreeMap<(String, u64), Task> = BTreeMap::new();
        for (index, key) in keys.iter().enumerate() {
            let path = dir.join(key.file_name());
            if let Some(summary) = read_summary(&path)? {
                progress(Progress::Run {
                    index,
                    total: keys.len(),
                    key,
                    kept: true,
                });
                results.push((*key, summary));
                continue;
            }
            progress(Progress::Run {
                index,
                total: keys.len(),
                key,
                kept: false,
            });
            let task_key = (key.protocol.to_string(), key.seed);
            if !tasks.contains_key(&task_key) {
                // One task per protocol and seed: only the last one is kept in memory.
                tasks.clear();
                let task = Task::new(hierarchy, source, key.protocol, self.regime, None, key.seed)?;
                tasks.insert(task_key.clone(), task);
            }
            let task = &tasks[&task_key];
            let (summary, model) = self.run_one(task, key, &mut |report| {
                progress(Progress::Epoch {
                    report,
                    epochs: self.epochs,
                })
            })?;
            model.save(&dir.join(key.model_file_name()), task.nodes.names())?;
            write_atomically(&path, |file| {
                buffered(file, |w| {
                    serde_json::to_writer(&mut *w, &summary).map_err(std::io::Error::other)?;
                    writeln!(w)
                })
            })?;
            results.push((*key, summary));
        }
        Ok(results)
    }

    fn run_one(
        &self,
        task: &Task,
        key: &RunKey,
        on_epoch: &mut dyn FnMut(&EpochReport),
    ) -> Result<(Summary, Model)> {
        let schedule = Schedule {
            epochs: self.epochs,
            eval_every: self.eval_every,
        };
        key.model.visit(Train {
            task,
            key,
            schedule,
            on_epoch,
        })
    }
}

/// One run with the model's own defaults (its paper's), at the key's dimension and seed.
struct Train<'a> {
    task: &'a Task,
    key: &'a RunKey,
    schedule: Schedule,
    on_epoch: &'a mut dyn FnMut(&EpochReport),
}

impl ModelVisitor for Train<'_> {
    type Output = Result<(Summary, Model)>;

    fn visit<M: Regions>(self) -> Self::Output
    where
        Model: From<M>,
    {
        let config = SpherexConfig {
            dim: self.key.dim,
            seed: self.key.seed,
            ..M::default_config()
        };
        let mut run = Run::<M>::new(self.task, config, self.schedule)?;
        while !run.is_done() {
            (self.on_epoch)(&run.epoch()?);
        }
        let (summary, model) = run.finish();
        Ok((summary, Model::from(model)))
    }
}

/// SpheREx against the best baseline, one row per dimension and protocol: the figure that
/// protocol ranks by (MAP for reconstruction, test F1 % for link prediction), SpheREx's mean
/// ± standard deviation over seeds, the baseline with the best mean and its figure, and the
/// verdict: `beats` when SpheREx's mean less its deviation is above the baseline's mean plus
/// its deviation, `behind` in the mirror case, `within the spread` otherwise (with one seed
/// the deviations are 0 and the means decide). Caps are sphaera's own model, not a baseline.
/// Empty when SpheREx or every baseline is missing.
///
/// ```
/// use sphaera::hierarchy::{claim_table, Protocol, RunKey, ModelKind, Summary, ReconstructionFigures};
/// let run = |model, map| {
///     let key = RunKey { model, dim: 2, protocol: Protocol::Reconstruction, seed: 0 };
///     let summary = Summary {
///         model: model.name().into(), source: "-".into(), protocol: Protocol::Reconstruction,
///         regime: None, dim: 2, nodes: 3, epochs: 1, seed: 0, seconds: 0.0,
///         seconds_per_epoch: 0.0, pretraining_seconds: 0.0,
///         reconstruction: Some(ReconstructionFigures { map, mean_rank: 1.0 }), best: None,
///     };
///     (key, summary)
/// };
/// let table = claim_table(&[run(ModelKind::Spherex, 0.9), run(ModelKind::Poincare, 0.8)]);
/// assert!(table.lines().nth(2).unwrap().ends_with("| poincare | 0.8000 ± 0.0000 | beats |"));
/// ```
pub fn claim_table(runs: &[(RunKey, Summary)]) -> String {
    let mut columns: Vec<(usize, Protocol)> =
        runs.iter().map(|(k, _)| (k.dim, k.protocol)).collect();
    columns.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.to_string().cmp(&b.1.to_string())));
    columns.dedup();
    let mut table = String::from(
        "| d | protocol | figure | spherex | best baseline | its figure | spherex |\n\
         |---|---|---|---|---|---|---|\n",
    );
    let mut rows = 0;
    for (dim, protocol) in columns {
        let figure = |model: ModelKind| -> Option<(f64, f64)> {
            let values: Vec<f64> = runs
                .iter()
                .filter(|(k, _)| k.model == model && k.dim == dim && k.protocol == protocol)
                .filter_map(|(_, s)| match protocol {
                    Protocol::Reconstruction => s.reconstruction.map(|r| r.map),
                    Protocol::Split { .. } => s.best.map(|b| 100.0 * b.figures.test_f1),
                })
                .collect();
            (!values.is_empty()).then(|| mean_sd(&values))
        };
        let Some(ours) = figure(ModelKind::Spherex) else {
            continue;
        };
        let best = ModelKind::ALL
            .into_iter()
            .filter(|m| !matches!(m, ModelKind::Spherex | ModelKind::Caps))
            .filter_map(|m| figure(m).map(|f| (m, f)))
            .max_by(|a, b| a.1 .0.total_cmp(&b.1 .0));
        let Some((baseline, theirs)) = best else {
            continue;
        };
        let verdict = if ours.0 - ours.1 > theirs.0 + theirs.1 {
            "beats"
        } else if ours.0 + ours.1 < theirs.0 - theirs.1 {
            "behind"
        } else {
            "within the spread"
        };
        let (name, digits) = match protocol {
            Protocol::Reconstruction => ("MAP", 4),
            Protocol::Split { .. } => ("test F1 %", 1),
        };
        let cell = |(mean, sd): (f64, f64)| format!("{mean:.digits$} ± {sd:.digits$}");
        let _ = writeln!(
            table,
            "| {dim} | {protocol} | {name} | {} | {} | {} | {verdict} |",
            cell(ours),
            baseline.name(),
            cell(theirs)
        );
        rows += 1;
    }
    if rows == 0 {
        return String::new();
    }
    table
}

/// Nodes of the subtree each picture of [`region_drawings`] shows, at most.
const DRAWN_NODES: usize = 24;

/// Pictures of the regions learned at d = 2, for a report: for each model with a 2-D run
/// among `runs`, the model file `dir` holds for its first such run (reconstruction before
/// link prediction, then the lowest seed), drawn on the same small subtree of `hierarchy`
/// ([`crate::hierarchy::small_subtree`]). Each is `(caption, svg)`.
pub fn region_drawings(
    runs: &[(RunKey, Summary)],
    dir: &Path,
    hierarchy: &Hierarchy,
) -> Result<Vec<(String, String)>> {
    let mut flat: Vec<&RunKey> = runs.iter().map(|(k, _)| k).filter(|k| k.dim == 2).collect();
    flat.sort_by_key(|k| (k.model, k.protocol != Protocol::Reconstruction, k.seed));
    flat.dedup_by_key(|k| k.model);
    // Split models hold the hierarchy without its root; find the one whose names match.
    let rootless = without_single_root(hierarchy);
    let mut drawings = Vec::with_capacity(flat.len());
    for key in flat {
        let (model, names) = Model::load(&dir.join(key.model_file_name()))?;
        let Some(h) = [hierarchy, &rootless]
            .into_iter()
            .find(|h| h.names() == names.as_slice())
        else {
            continue;
        };
        let nodes = small_subtree(h, DRAWN_NODES);
        let root = nodes.first().map_or("", |&u| h.name(u));
        let title = format!("{}, d = 2", key.model.name());
        let svg = draw_regions(&model, h, &nodes, &title)?;
        let caption = format!(
            "{} regions under {root} ({}, seed {})",
            key.model.name(),
            key.protocol,
            key.seed
        );
        drawings.push((caption, svg));
    }
    Ok(drawings)
}

/// The summary a finished run left at `path`, if any.
fn read_summary(path: &PathBuf) -> Result<Option<Summary>> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| Error::EmptyData {
                file: path.display().to_string(),
                message: format!("not a run summary ({e}); remove it to run again"),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("read", path, e)),
    }
}

/// The runs a table row gathers: model, dimension and protocol.
type Group = (ModelKind, usize, String);

/// Mean and sample standard deviation (0 for one value).
fn mean_sd(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = if values.len() > 1 {
        values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (mean, var.sqrt())
}

/// A Markdown table of the runs, one row per model, dimension and protocol, with mean ±
/// standard deviation over the seeds: MAP and mean rank for reconstruction, test F1 (%) for
/// link prediction, seconds per epoch, and parameters per node.
///
/// ```
/// use std::num::NonZeroU64;
/// use sphaera::data::{parse_edges, Hierarchy};
/// use sphaera::hierarchy::{markdown_table, Comparison, ModelKind, Protocol, Regime};
/// let h = Hierarchy::from_edge_list(&parse_edges("b\ta\nc\ta\nd\tb\n", "-").unwrap()).unwrap();
/// let comparison = Comparison {
///     models: vec![ModelKind::Spherex, ModelKind::Caps],
///     dims: vec![2, 3],
///     protocols: vec![Protocol::Reconstruction],
///     seeds: vec![0, 1],
///     epochs: 30,
///     regime: Regime::Published,
///     eval_every: NonZeroU64::new(10).unwrap(),
/// };
/// let dir = std::env::temp_dir().join(format!("sphaera-compare-doc-{}", std::process::id()));
/// let runs = comparison.run(&h, "toy", &dir, |_| {}).unwrap();
/// assert_eq!(runs.len(), 8);
/// let table = markdown_table(&runs);
/// assert_eq!(table.lines().count(), 2 + 4); // header, rule, one row per model and dimension
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn markdown_table(runs: &[(RunKey, Summary)]) -> String {
    let mut groups: Vec<(Group, Vec<&Summary>)> = Vec::new();
    for (key, summary) in runs {
        let group = (key.model, key.dim, key.protocol.to_string());
        match groups.iter_mut().find(|(g, _)| *g == group) {
            Some((_, members)) => members.push(summary),
            None => groups.push((group, vec![summary])),
        }
    }
    let mut table = String::from(
        "| model | d | protocol | MAP | mean rank | test F1 % | s / epoch | parameters / node | seeds |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for ((model, dim, protocol), members) in &groups {
        let cell = |values: Vec<f64>, scale: f64, digits: usize| -> String {
            if values.is_empty() {
                return "–".to_string();
            }
            let (mean, sd) = mean_sd(&values);
            format!(
                "{:.digits$} ± {:.digits$}",
                scale * mean,
                scale * sd,
                digits = digits
            )
        };
        let map = members
            .iter()
            .filter_map(|s| s.reconstruction.map(|r| r.map))
            .collect();
        let rank = members
            .iter()
            .filter_map(|s| s.reconstruction.map(|r| r.mean_rank))
            .collect();
        let f1 = members
            .iter()
            .filter_map(|s| s.best.map(|b| b.figures.test_f1))
            .collect();
        let seconds = members.iter().map(|s| s.seconds_per_epoch).collect();
        let _ = writeln!(
            table,
            "| {} | {dim} | {protocol} | {} | {} | {} | {} | {} | {} |",
            model.name(),
            cell(map, 1.0, 4),
            cell(rank, 1.0, 3),
            cell(f1, 100.0, 1),
            cell(seconds, 1.0, 4),
            model.parameters_per_node(*dim),
            members.len()
        );
    }
    table
}
