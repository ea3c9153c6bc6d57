//! A whole training run under a protocol: the data laid out for it ([`Task`]), the epochs
//! with their evaluations and the choice of the epoch to keep ([`Run`]), what it reports
//! ([`Summary`]) and what it saves to resume ([`Checkpoint`]).

use std::fmt;
use std::num::NonZeroU64;
use std::path::Path;
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::data::{split, Closure, HeldOut, Hierarchy, Split};
use crate::error::{Error, Result};
use crate::eval::{reconstruction, LinkPrediction, Sampling};
use crate::files::{buffered, write_atomically};
use crate::hierarchy::config::SpherexConfig;
use crate::hierarchy::evaluate::judge_link_prediction;
use crate::hierarchy::known::Known;
use crate::hierarchy::protocol::{Protocol, Regime};
use crate::hierarchy::regions::{PointStart, Pretraining, Regions};
use crate::hierarchy::train::{Trainer, TrainerState};
use crate::hierarchy::{Euclidean, Poincare};
use crate::Par;

/// Nodes sampled for the reconstruction figure reported while training.
const PROGRESS_SAMPLE: usize = 1000;

/// The checkpoint layout this version writes and reads. Format 1 (no `format` field) was
/// written before the protocol moved into the library.
const CHECKPOINT_FORMAT: u32 = 2;

/// The data of a run, laid out by its protocol: what to train on, what negatives avoid, and
/// what to judge it by.
#[derive(Clone, Debug)]
pub struct Task {
    /// Names the data (a file, or the embedded default); a checkpoint resumes only on it.
    pub source: String,
    /// The protocol.
    pub protocol: Protocol,
    /// The regime of link prediction (`None` for reconstruction).
    pub regime: Option<Regime>,
    /// The nodes, numbered as the model's rows.
    pub nodes: Hierarchy,
    /// The training edges, `(child, ancestor)`.
    pub positives: Vec<(u32, u32)>,
    /// The pairs training negatives avoid.
    pub known: Known,
    /// What the run is judged by.
    pub judge: Judge,
}

/// What a run is judged by.
#[derive(Clone, Debug)]
pub enum Judge {
    /// Reconstruction of this closure.
    Reconstruction(Closure),
    /// Link prediction on these held-out pairs.
    HeldOut(HeldOut),
}

impl Task {
    /// Lays out `hierarchy` for `protocol`. For a split, `split_dir` names a directory written
    /// by [`Split::write_dir`] to read instead of drawing a new split with `seed`; `regime`
    /// is ignored by reconstruction.
    pub fn new(
        hierarchy: &Hierarchy,
        source: &str,
        protocol: Protocol,
        regime: Regime,
        split_dir: Option<&Path>,
        seed: u64,
    ) -> Result<Task> {
        match protocol {
            Protocol::Reconstruction => Task::reconstruction(hierarchy.clone(), source),
            Protocol::Split { percent } => {
                let made = match split_dir {
                    Some(dir) => Split::read_dir(dir, hierarchy)?,
                    None => split(hierarchy, percent, seed)?,
                };
                Task::link_prediction(made, protocol, regime, source)
            }
        }
    }

    /// Train on the whole closure of `hierarchy`, negatives avoiding it, judged by
    /// reconstruction.
    pub fn reconstruction(hierarchy: Hierarchy, source: &str) -> Result<Task> {
        let closure = hierarchy.checked_closure()?;
        Ok(Task {
            source: source.to_string(),
            protocol: Protocol::Reconstruction,
            regime: None,
            positives: closure.edges().collect(),
            known: Known::from_closure(&closure),
            nodes: hierarchy,
            judge: Judge::Reconstruction(closure),
        })
    }

    /// Train on the split's training edges, negatives avoiding what `regime` allows,
    /// judged on its held-out pairs.
    pub fn link_prediction(
        split: Split,
        protocol: Protocol,
        regime: Regime,
        source: &str,
    ) -> Result<Task> {
        let known = regime.known(&split.hierarchy, &split.train)?;
        Ok(Task {
            source: source.to_string(),
            protocol,
            regime: Some(regime),
            nodes: split.hierarchy,
            positives: split.train,
            known,
            judge: Judge::HeldOut(split.held_out),
        })
    }
}

/// How long a run lasts and how often it is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Schedule {
    /// Total epochs (a resumed run counts those already done).
    pub epochs: u64,
    /// Evaluate every this many epochs, and after the last.
    pub eval_every: NonZeroU64,
}

impl Default for Schedule {
    /// 150 epochs (the mammals' reconstruction goal needs them at d = 10), evaluated every 10.
    fn default() -> Self {
        Self {
            epochs: 150,
            eval_every: NonZeroU64::new(10).expect("10 is not zero"),
        }
    }
}

/// The epoch with the best validation F1 so far, with its test figures and its model.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "M: Regions")]
pub struct Best<M> {
    /// The epoch.
    pub epoch: u64,
    /// Link prediction at that epoch.
    pub figures: LinkPrediction,
    /// The score weight chosen on validation with the threshold, for models with one.
    #[serde(default)]
    pub score_weight: Option<f64>,
    /// The model at that epoch.
    pub model: M,
}

/// What one epoch reports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EpochReport {
    /// Epochs done.
    pub epoch: u64,
    /// Mean training loss of the epoch.
    pub loss: f64,
    /// The evaluation, on epochs where one was due.
    pub evaluation: Option<Evaluation>,
}

/// An evaluation during training.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Evaluation {
    /// Validation F1 (link prediction).
    ValidF1(f64),
    /// Reconstruction MAP on a fixed sample of nodes.
    SampledMap(f64),
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evaluation::ValidF1(v) => write!(f, "valid F1 {v:.4}"),
            Evaluation::SampledMap(m) => write!(f, "MAP {m:.4} (sampled)"),
        }
    }
}

/// Training on a [`Task`], epoch by epoch.
///
/// ```
/// use std::num::NonZeroU64;
/// use sphaera::data::{mammals, Hierarchy};
/// use sphaera::hierarchy::{Balls, Protocol, Regime, Run, Schedule, SpherexConfig, Task};
///
/// let h = Hierarchy::from_edge_list(&mammals()).unwrap();
/// let task = Task::new(&h, "mammals", "split:25".parse().unwrap(), Regime::ClosureAware, None, 0)
///     .unwrap();
/// let config = SpherexConfig { dim: 5, ..SpherexConfig::default() };
/// let schedule = Schedule { epochs: 20, eval_every: NonZeroU64::new(10).unwrap() };
/// let mut run = Run::<Balls>::new(&task, config, schedule).unwrap();
/// while !run.is_done() {
///     run.epoch().unwrap();
/// }
/// let (summary, best) = run.finish();
/// assert_eq!(summary.best.unwrap().epoch % 10, 0);
/// assert!(summary.best.unwrap().figures.test_f1 > 0.5);
/// assert_eq!(best.n(), task.nodes.n());
/// ```
pub struct Run<'a, M: Regions> {
    task: &'a Task,
    config: SpherexConfig,
    schedule: Schedule,
    trainer: Trainer<M>,
    best: Option<Best<M>>,
    first_epoch: u64,
    training_seconds: f64,
    pretraining_seconds: f64,
    clock: Instant,
}

impl<'a, M: Regions> Run<'a, M> {
    /// A fresh run from [`Regions::initial`], once the settings are checked and the run is
    /// known to fit in memory.
    pub fn new(task: &'a Task, config: SpherexConfig, schedule: Schedule) -> Result<Self> {
        check_memory::<M>(task, &config)?;
        Trainer::<M>::check_config(&config)?;
        let clock = Instant::now();
        let model = match M::pretraining() {
            None => M::initial(task.nodes.n(), config.dim, config.seed),
            Some(pretraining) => {
                M::from_pretrained(config.dim, pretrained_points(task, &config, pretraining)?)?
            }
        };
        let pretraining_seconds = match M::pretraining() {
            Some(_) => clock.elapsed().as_secs_f64(),
            None => 0.0,
        };
        let mut run = Self::from_model(task, model, config, schedule)?;
        run.clock = clock;
        run.pretraining_seconds = pretraining_seconds;
        Ok(run)
    }

    /// A fresh run from `model`.
    pub fn from_model(
        task: &'a Task,
        model: M,
        config: SpherexConfig,
        schedule: Schedule,
    ) -> Result<Self> {
        check_memory::<M>(task, &config)?;
        let trainer = Trainer::new(
            model,
            task.positives.clone(),
            task.known.clone(),
            config.clone(),
        )?;
        Ok(Self::from_parts(task, config, schedule, trainer, None))
    }

    /// Continues from `checkpoint`, which must come from a run of the same model kind, data,
    /// protocol, regime and settings.
    pub fn resume(
        task: &'a Task,
        checkpoint: Checkpoint<M>,
        config: SpherexConfig,
        schedule: Schedule,
    ) -> Result<Self> {
        let same = checkpoint.model == M::KIND
            && checkpoint.source == task.source
            && checkpoint.protocol == task.protocol
            && checkpoint.regime == task.regime
            && checkpoint.config == config;
        if !same {
            return Err(Error::Mismatch {
                what: "the checkpoint",
                other: "this run's model, data, protocol, regime or settings",
            });
        }
        check_memory::<M>(task, &config)?;
        let trainer = Trainer::resume(
            checkpoint.state,
            task.positives.clone(),
            task.known.clone(),
            config.clone(),
        )?;
        Ok(Self::from_parts(
            task,
            config,
            schedule,
            trainer,
            checkpoint.best,
        ))
    }

    fn from_parts(
        task: &'a Task,
        config: SpherexConfig,
        schedule: Schedule,
        trainer: Trainer<M>,
        best: Option<Best<M>>,
    ) -> Self {
        Self {
            task,
            config,
            schedule,
            first_epoch: trainer.epochs(),
            trainer,
            best,
            training_seconds: 0.0,
            pretraining_seconds: 0.0,
            clock: Instant::now(),
        }
    }

    /// Epochs done.
    pub fn epochs(&self) -> u64 {
        self.trainer.epochs()
    }

    /// Whether every epoch of the schedule is done.
    pub fn is_done(&self) -> bool {
        self.trainer.epochs() >= self.schedule.epochs
    }

    /// The model as it is now.
    pub fn model(&self) -> &M {
        self.trainer.model()
    }

    /// Trains one epoch, then evaluates if one is due (every `eval_every` epochs and after
    /// the last). A run whose loss or parameters stop being finite ends with an error.
    pub fn epoch(&mut self) -> Result<EpochReport> {
        let clock = Instant::now();
        let stats = self.trainer.epoch();
        self.training_seconds += clock.elapsed().as_secs_f64();
        let epoch = self.trainer.epochs();
        let finite = stats.loss.is_finite() && self.model().params().iter().all(|v| v.is_finite());
        if !finite {
            return Err(Error::Diverged {
                what: "loss or parameters",
                unit: "epoch",
                at: epoch,
            });
        }
        let due = epoch % self.schedule.eval_every.get() == 0 || epoch == self.schedule.epochs;
        let evaluation = due.then(|| self.evaluate(epoch));
        Ok(EpochReport {
            epoch,
            loss: stats.loss,
            evaluation,
        })
    }

    fn evaluate(&mut self, epoch: u64) -> Evaluation {
        let model = self.trainer.model();
        match &self.task.judge {
            Judge::HeldOut(held_out) => {
                let (figures, score_weight) = judge_link_prediction(model, held_out);
                if self
                    .best
                    .as_ref()
                    .is_none_or(|b| figures.valid_f1 > b.figures.valid_f1)
                {
                    self.best = Some(Best {
                        epoch,
                        figures,
                        score_weight,
                        model: model.clone(),
                    });
                }
                Evaluation::ValidF1(figures.valid_f1)
            }
            Judge::Reconstruction(closure) => {
                let sample = Sampling::Nodes {
                    count: PROGRESS_SAMPLE,
                    seed: 0,
                };
                let r = reconstruction(closure, &model.scoring(), sample, Par::Rayon);
                Evaluation::SampledMap(r.map)
            }
        }
    }

    /// Everything needed to continue this run later.
    pub fn checkpoint(&self) -> Checkpoint<M> {
        Checkpoint {
            format: CHECKPOINT_FORMAT,
            model: M::KIND.to_string(),
            source: self.task.source.clone(),
            protocol: self.task.protocol,
            regime: self.task.regime,
            config: self.config.clone(),
            state: self.trainer.state().clone(),
            best: self.best.clone(),
        }
    }

    /// The summary and the model to keep: for reconstruction the last one, judged on every
    /// node; for link prediction the one of the epoch with the best validation F1.
    pub fn finish(self) -> (Summary, M) {
        let trained = self.trainer.epochs() - self.first_epoch;
        let mut summary = Summary {
            model: M::KIND.to_string(),
            source: self.task.source.clone(),
            protocol: self.task.protocol,
            regime: self.task.regime,
            dim: self.config.dim,
            nodes: self.task.nodes.n(),
            epochs: self.trainer.epochs(),
            seed: self.config.seed,
            seconds: self.clock.elapsed().as_secs_f64(),
            seconds_per_epoch: if trained > 0 {
                self.training_seconds / trained as f64
            } else {
                0.0
            },
            pretraining_seconds: self.pretraining_seconds,
            reconstruction: None,
            best: None,
        };
        let last = self.trainer.model().clone();
        let kept = match (&self.task.judge, self.best) {
            (Judge::Reconstruction(closure), _) => {
                let r = reconstruction(closure, &last.scoring(), Sampling::All, Par::Rayon);
                summary.reconstruction = Some(ReconstructionFigures {
                    map: r.map,
                    mean_rank: r.mean_rank,
                });
                last
            }
            (Judge::HeldOut(_), Some(best)) => {
                summary.best = Some(BestEpoch {
                    epoch: best.epoch,
                    figures: best.figures,
                    score_weight: best.score_weight,
                });
                best.model
            }
            (Judge::HeldOut(_), None) => last,
        };
        (summary, kept)
    }
}

/// The points of `pretraining`'s point model trained on `task` for its epochs and with its
/// settings, at `config`'s dimension, seed, batch size and negatives (one setting for both
/// stages, as in Ganea et al.'s reference code).
fn pretrained_points(
    task: &Task,
    config: &SpherexConfig,
    pretraining: Pretraining,
) -> Result<Vec<f64>> {
    fn train<P: Regions>(task: &Task, config: SpherexConfig, epochs: u64) -> Result<Vec<f64>> {
        let initial = P::initial(task.nodes.n(), config.dim, config.seed);
        let mut trainer =
            Trainer::new(initial, task.positives.clone(), task.known.clone(), config)?;
        for _ in 0..epochs {
            trainer.epoch();
        }
        Ok(trainer.model().params().to_vec())
    }
    let points_config = SpherexConfig {
        dim: config.dim,
        seed: config.seed,
        batch_size: config.batch_size,
        negatives: config.negatives,
        ..pretraining.config
    };
    match pretraining.points {
        PointStart::Poincare => train::<Poincare>(task, points_config, pretraining.epochs),
        PointStart::Euclidean => train::<Euclidean>(task, points_config, pretraining.epochs),
    }
}

/// Refuses a run whose tables cannot fit in memory, before any is allocated.
fn check_memory<M: Regions>(task: &Task, config: &SpherexConfig) -> Result<()> {
    let bytes = crate::memory::hierarchy_training_bytes(
        task.nodes.n(),
        M::width(config.dim),
        config.negatives,
        config.batch_size,
    );
    let (name, value) = if config.batch_size.saturating_mul(config.negatives + 2)
        > task.nodes.n().saturating_mul(config.dim)
    {
        if config.negatives > config.batch_size {
            ("negatives", config.negatives)
        } else {
            ("batch_size", config.batch_size)
        }
    } else {
        ("dim", config.dim)
    };
    crate::memory::check_fits(name, value.to_string(), bytes)
}

/// Reconstruction figures on every node.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReconstructionFigures {
    /// Mean average precision.
    pub map: f64,
    /// Mean rank.
    pub mean_rank: f64,
}

/// The epoch chosen on validation F1, with its figures.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BestEpoch {
    /// The epoch.
    #[serde(rename = "best_epoch")]
    pub epoch: u64,
    /// Its link prediction figures (threshold and F1 chosen on validation, test figures).
    #[serde(flatten)]
    pub figures: LinkPrediction,
    /// The score weight chosen on validation with the threshold, for models with one
    /// ([`Regions::SCORE_WEIGHTS`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_weight: Option<f64>,
}

/// What a run reports. In JSON, one flat object; the figures of the other protocol are left
/// out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// `spherex` or `caps`.
    pub model: String,
    /// The data.
    pub source: String,
    /// The protocol.
    pub protocol: Protocol,
    /// The regime, for link prediction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub regime: Option<Regime>,
    /// Dimension.
    pub dim: usize,
    /// Nodes.
    pub nodes: usize,
    /// Epochs done.
    pub epochs: u64,
    /// Seed.
    pub seed: u64,
    /// Wall time of the run, evaluations included.
    pub seconds: f64,
    /// Training alone, per epoch of this invocation (evaluations and checkpoints excluded).
    pub seconds_per_epoch: f64,
    /// Training of the point embeddings the model started from (entailment cones), else 0.
    #[serde(default)]
    pub pretraining_seconds: f64,
    /// Reconstruction figures, for that protocol.
    #[serde(default, flatten, skip_serializing_if = "Option::is_none")]
    pub reconstruction: Option<ReconstructionFigures>,
    /// The chosen epoch, for link prediction.
    #[serde(default, flatten, skip_serializing_if = "Option::is_none")]
    pub best: Option<BestEpoch>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "trained {} (d = {}) on {}: {} epochs, {:.2} s",
            self.model, self.dim, self.source, self.epochs, self.seconds
        )?;
        let mut row = |key: &str, value: String| writeln!(f, "{key:>12}  {value}");
        if let Some(r) = &self.reconstruction {
            row("map", format!("{:.4}", r.map))?;
            row("mean_rank", format!("{:.4}", r.mean_rank))?;
        }
        if let Some(b) = &self.best {
            row("valid_f1", format!("{:.4}", b.figures.valid_f1))?;
            row("test_f1", format!("{:.4}", b.figures.test_f1))?;
            row("test_auroc", format!("{:.4}", b.figures.test_auroc))?;
            row("test_ap", format!("{:.4}", b.figures.test_ap))?;
            row("best_epoch", b.epoch.to_string())?;
        }
        Ok(())
    }
}

/// A run saved to resume: its identity, the trainer's state and the best epoch so far.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(bound = "M: Regions")]
pub struct Checkpoint<M> {
    format: u32,
    model: String,
    source: String,
    protocol: Protocol,
    regime: Option<Regime>,
    config: SpherexConfig,
    state: TrainerState<M>,
    best: Option<Best<M>>,
}

/// What any checkpoint starts with, read before the rest so that an old layout gets a clear
/// answer rather than a missing-field error: format 1 had `model_kind` and no `format`.
#[derive(Deserialize)]
struct Header {
    format: Option<u32>,
    model_kind: Option<serde::de::IgnoredAny>,
}

impl<M: Regions> Checkpoint<M> {
    /// Writes the checkpoint to `path`, atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        write_atomically(path, |file| {
            buffered(file, |w| {
                serde_json::to_writer(w, self).map_err(std::io::Error::other)
            })
        })
    }

    /// Reads a checkpoint written by [`Checkpoint::save`].
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io("read", path, e))?;
        let file = path.display().to_string();
        let invalid = |message: String| Error::EmptyData {
            file: file.clone(),
            message,
        };
        let header: Header = serde_json::from_str(&text)
            .map_err(|e| invalid(format!("not a valid checkpoint ({e})")))?;
        let format = match header {
            Header {
                format: Some(format),
                ..
            } => format,
            Header {
                model_kind: Some(_),
                ..
            } => 1,
            _ => return Err(invalid("not a valid checkpoint (no format)".into())),
        };
        if format != CHECKPOINT_FORMAT {
            return Err(invalid(format!(
                "a checkpoint of format {format}, written by an older sphaera (this version \
                 reads format {CHECKPOINT_FORMAT}); start the run again without it"
            )));
        }
        let checkpoint: Self = serde_json::from_str(&text)
            .map_err(|e| invalid(format!("not a valid checkpoint ({e})")))?;
        if checkpoint.model != M::KIND {
            return Err(invalid(format!(
                "a checkpoint of a {} model, not {}",
                checkpoint.model,
                M::KIND
            )));
        }
        Ok(checkpoint)
    }

    /// Epochs done when it was saved.
    pub fn epochs(&self) -> u64 {
        self.state.epochs
    }
}
