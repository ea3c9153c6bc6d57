//! The command line, as clap parses it. Values are checked and turned into library
//! configuration by each command before anything runs.

use std::num::NonZeroU64;
use std::path::PathBuf;

use clap::builder::TypedValueParser as _;
use clap::{value_parser, Args, Parser, Subcommand, ValueEnum};
use sphaera::disperse::{Distance, KernelKind, Method, MethodOptions};
use sphaera::hierarchy::{ModelKind, Protocol, Regime, Schedule, SpherexConfig, SpherexLoss};

/// Hyperspherical embeddings: dispersion on the sphere, measured against the best known.
#[derive(Debug, Parser)]
#[command(name = "sphaera", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Spread points on the unit sphere with a dispersion regularizer.
    Disperse(DisperseArgs),
    /// Prepare hierarchy data: WordNet closures and link-prediction splits.
    #[command(subcommand)]
    Data(DataCommand),
    /// Embed a hierarchy as balls (SpheREx) and evaluate it.
    #[command(subcommand)]
    Hierarchy(HierarchyCommand),
    /// Place N points on the sphere with the largest minimum angle (the Tammes problem).
    Tammes(TammesArgs),
    /// Measure speed and memory.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Debug, Args)]
pub struct TammesArgs {
    /// Number of points.
    #[arg(long)]
    pub n: usize,
    /// Dimension of the ambient space (points on S^{dim-1}).
    #[arg(long, default_value_t = 3)]
    pub dim: usize,
    /// Seed of every random start.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Random starts, each annealed on the Riesz energy [default: 192 up to N = 60, then
    /// fewer as 1/N, at least 16].
    #[arg(long)]
    pub restarts: Option<usize>,
    /// How many of the best starts are polished by linear programs [default: 16 up to
    /// N = 60, then fewer as 1/N, at least 4].
    #[arg(long)]
    pub polished: Option<usize>,
    /// Basin hops after the restarts (move 1 to 3 points of the best to random places,
    /// re-anneal, keep if the energy is lower) [default: 512].
    #[arg(long)]
    pub hops: Option<usize>,
    /// Launch no further restarts or hops after this many seconds (at most 1e9, about 31
    /// years).
    #[arg(long, allow_hyphen_values = true)]
    pub time_limit: Option<f64>,
    /// Write the points here (.npy, float64).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print one JSON object instead of a summary.
    #[arg(long)]
    pub json: bool,
    /// Worker threads, at most 1024 [default: all cores]. Results do not depend on it
    /// without a time limit.
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Time full dispersion steps (value, gradient, Riemannian Adam update) from a random start.
    Step(BenchStepArgs),
}

#[derive(Debug, Args)]
pub struct BenchStepArgs {
    /// The regularizer.
    #[arg(long, value_parser = method_parser())]
    pub method: Method,
    #[command(flatten)]
    pub options: MethodArgs,
    /// Number of points.
    #[arg(long, default_value_t = 20000)]
    pub n: usize,
    /// Dimension of the ambient space.
    #[arg(long, default_value_t = 64)]
    pub dim: usize,
    /// Timed steps, after one warm-up step; the median is reported.
    #[arg(long, default_value_t = 5)]
    pub steps: usize,
    /// Worker threads, at most 1024 [default: all cores].
    #[arg(long)]
    pub threads: Option<usize>,
    /// Type of the pairwise products (kernel and nearest-neighbour methods): f64 (exact to
    /// rounding) or f32 (about twice as fast, as the paper's PyTorch code computes).
    #[arg(long, default_value = "f64", value_parser = ["f64", "f32"])]
    pub precision: String,
    /// Seed of the start and of every random draw.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Print one JSON object instead of a summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum HierarchyCommand {
    /// Train a model on a hierarchy (the embedded mammal closure by default).
    Train(Box<TrainArgs>),
    /// Evaluate a trained model on the closure of an edge list (reconstruction).
    Eval(EvalArgs),
    /// Train every combination of models, dimensions, protocols and seeds on identical data,
    /// and tabulate them (resumes from the runs already in --out).
    Compare(CompareArgs),
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ModelArg {
    /// Balls in R^d (SpheREx).
    Spherex,
    /// Spherical caps on the unit sphere S^{d-1}.
    Caps,
    /// Baseline: points in the Poincaré ball (Nickel & Kiela 2017), Riemannian SGD.
    Poincare,
    /// Baseline: points in R^d with the distance softmax of Nickel & Kiela (plain distance, as
    /// Ganea et al.), SGD.
    Euclidean,
    /// Baseline: order embeddings (Vendrov et al. 2016), max-margin loss with α = 1.
    Order,
    /// Baseline: entailment cones in R^d (Ganea et al. 2018), started from `euclidean`
    /// points trained 100 epochs.
    EuclideanCones,
    /// Baseline: entailment cones in the Poincaré ball (Ganea et al. 2018), started from
    /// `poincare` points trained 100 epochs.
    HyperbolicCones,
    /// Baseline: Gumbel boxes (Dasgupta et al. 2020), binary cross-entropy on P(v | u).
    Box,
}

impl From<ModelArg> for ModelKind {
    fn from(model: ModelArg) -> ModelKind {
        match model {
            ModelArg::Spherex => ModelKind::Spherex,
            ModelArg::Caps => ModelKind::Caps,
            ModelArg::Poincare => ModelKind::Poincare,
            ModelArg::Euclidean => ModelKind::Euclidean,
            ModelArg::Order => ModelKind::Order,
            ModelArg::EuclideanCones => ModelKind::EuclideanCones,
            ModelArg::HyperbolicCones => ModelKind::HyperbolicCones,
            ModelArg::Box => ModelKind::Box,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum EdgeSamplingArg {
    /// Every training edge once per epoch.
    Uniform,
    /// Edges drawn in proportion to √(1 + descendants of the child), counted in the edges
    /// negatives are filtered against (the closure, in the closure-aware regime).
    SqrtDescendants,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Edge list (`child<TAB>parent`) [default: the embedded mammal closure].
    #[arg(long)]
    pub edges: Option<PathBuf>,
    /// The model.
    #[arg(long, value_enum, default_value_t = ModelArg::Spherex)]
    pub model: ModelArg,
    /// Dimension of the space (at least 2 for caps).
    #[arg(long, default_value_t = SpherexConfig::default().dim as u32,
          value_parser = value_parser!(u32).range(1..))]
    pub dim: u32,
    /// Epochs (passes over the training edges).
    #[arg(long, default_value_t = Schedule::default().epochs)]
    pub epochs: u64,
    /// `reconstruction` (train and evaluate on the whole closure) or `split:P` (link
    /// prediction with P% of the non-basic edges in training, 0 to 90).
    #[arg(long, default_value_t = Protocol::default())]
    pub protocol: Protocol,
    /// Read the split from this directory (as `sphaera data split` writes it) instead of making it.
    #[arg(long)]
    pub split: Option<PathBuf>,
    /// What negatives are filtered against, for `split:P`: `published` (the training edges,
    /// as the published baselines) or `closure-aware` (the closure of the training edges).
    #[arg(long, default_value_t = Regime::default())]
    pub regime: Regime,
    /// Negatives per training edge [default: 10].
    #[arg(long)]
    pub negatives: Option<usize>,
    /// Draw negatives in proportion to degree^P (a node's degree: how many training edges it
    /// is an end of); 0 draws them uniformly [default: 0].
    #[arg(long, value_name = "P")]
    pub negative_power: Option<f64>,
    /// Training edges per step [default: 256 for spherex and caps, 10 for poincare and
    /// euclidean].
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// Step size: Adam's for spherex, caps, order and box; SGD's on the batch mean for
    /// poincare and euclidean (a tenth of it during their first 10 epochs) and the cones.
    /// Each model takes its paper's default (see the model's docs) unless this is given.
    #[arg(long, allow_hyphen_values = true)]
    pub lr: Option<f64>,
    /// Temperature of the soft containment and exclusion margins.
    #[arg(long, default_value_t = SpherexLoss::default().temperature, allow_hyphen_values = true)]
    pub temperature: f64,
    /// Margin that positives must exceed and negatives stay below.
    #[arg(long, default_value_t = SpherexLoss::default().margin, allow_hyphen_values = true)]
    pub margin: f64,
    /// Weight of −ln P(ancestor | child) for training edges (0: margins only).
    #[arg(long, default_value_t = SpherexLoss::default().volume_weight, allow_hyphen_values = true)]
    pub volume_weight: f64,
    /// Floor of ln P (volume clipping).
    #[arg(long, default_value_t = SpherexLoss::default().ln_p_floor, allow_hyphen_values = true)]
    pub ln_p_floor: f64,
    /// Weight of the radii (radius regularization).
    #[arg(long, default_value_t = SpherexLoss::default().radius_weight, allow_hyphen_values = true)]
    pub radius_weight: f64,
    /// Smallest radius.
    #[arg(long, default_value_t = SpherexConfig::default().min_radius, allow_hyphen_values = true)]
    pub min_radius: f64,
    /// How each epoch picks its training edges.
    #[arg(long, value_enum, default_value_t = EdgeSamplingArg::Uniform)]
    pub edge_sampling: EdgeSamplingArg,
    /// Let Adam's step size fall linearly to zero over --epochs (constant otherwise).
    #[arg(long)]
    pub lr_decay: bool,
    /// Weight of the dispersion of sibling cap centres (`--model caps` only).
    #[arg(long, default_value_t = SpherexLoss::default().sibling_weight, allow_hyphen_values = true)]
    pub sibling_weight: f64,
    /// Evaluate every this many epochs (progress, and the best epoch for split:P).
    #[arg(long, default_value_t = Schedule::default().eval_every)]
    pub eval_every: NonZeroU64,
    /// Seed of the split, the initialization and every draw.
    #[arg(long, default_value_t = SpherexConfig::default().seed)]
    pub seed: u64,
    /// Write the model here (safetensors, with the node names).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write a checkpoint (model and optimizer state) here...
    #[arg(long)]
    pub checkpoint: Option<PathBuf>,
    /// ...every this many epochs.
    #[arg(long, default_value = "10")]
    pub checkpoint_every: NonZeroU64,
    /// Continue from this checkpoint.
    #[arg(long)]
    pub resume: Option<PathBuf>,
    /// Print one JSON object instead of a summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The model (safetensors, as `hierarchy train --out` writes it).
    #[arg(long)]
    pub model_file: PathBuf,
    /// Edge list whose closure is evaluated [default: the embedded mammal closure].
    #[arg(long)]
    pub edges: Option<PathBuf>,
    /// Also evaluate link prediction on this split directory (as `sphaera data split` writes
    /// it, from the same edge list).
    #[arg(long)]
    pub split: Option<PathBuf>,
    /// Print one JSON object instead of a summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Edge list (`child<TAB>parent`) [default: the embedded mammal closure].
    #[arg(long)]
    pub edges: Option<PathBuf>,
    /// Models, comma-separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "spherex,caps,euclidean,poincare,order,euclidean-cones,hyperbolic-cones,box"
    )]
    pub models: Vec<ModelKind>,
    /// Dimensions, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "10")]
    pub dims: Vec<usize>,
    /// Protocols, comma-separated: `reconstruction`, `split:P`.
    #[arg(long, value_delimiter = ',', default_value = "reconstruction")]
    pub protocol: Vec<Protocol>,
    /// Epochs of every run.
    #[arg(long, default_value_t = Schedule::default().epochs)]
    pub epochs: u64,
    /// Seeds, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "0,1,2")]
    pub seeds: Vec<u64>,
    /// What negatives are filtered against, for `split:P`.
    #[arg(long, default_value_t = Regime::default())]
    pub regime: Regime,
    /// Evaluate (and pick the best epoch) every this many epochs.
    #[arg(long, default_value_t = Schedule::default().eval_every)]
    pub eval_every: NonZeroU64,
    /// Directory for every run's JSON and `table.md`; runs already there are not run again.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum DataCommand {
    /// Write the transitive closure of WordNet's noun hierarchy (`child<TAB>ancestor`).
    Wordnet(WordnetArgs),
    /// Split a hierarchy for link prediction (Ganea et al. 2018) into train, valid and test.
    Split(SplitArgs),
}

#[derive(Debug, Args)]
pub struct WordnetArgs {
    /// The WordNet database directory (holding data.noun and index.noun).
    #[arg(long, default_value = sphaera::data::DEFAULT_DICT)]
    pub dict: PathBuf,
    /// Only the subtree under this synset, e.g. mammal.n.01.
    #[arg(long)]
    pub root: Option<String>,
    /// Where to write the closure.
    #[arg(long)]
    pub out: PathBuf,
    /// Print one JSON object instead of a summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SplitArgs {
    /// Edge list (`child<TAB>parent`; any edges, the closure is taken) [default: the embedded mammal closure].
    #[arg(long)]
    pub edges: Option<PathBuf>,
    /// Share (%) of the non-basic edges added to training: 0 to 90.
    #[arg(long, allow_hyphen_values = true)]
    pub percent: f64,
    /// Seed of every draw.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Directory for train.tsv, valid.tsv, valid_neg.tsv, test.tsv and test_neg.tsv.
    #[arg(long)]
    pub out: PathBuf,
    /// Print one JSON object instead of a summary.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DisperseArgs {
    /// Number of points [default: 24, or the rows of --init].
    #[arg(long)]
    pub n: Option<usize>,
    /// Dimension of the ambient space (points on S^{dim-1}) [default: 3, or the columns of --init].
    #[arg(long)]
    pub dim: Option<usize>,
    /// The regularizer.
    #[arg(long, default_value = "mma", value_parser = method_parser())]
    pub method: Method,
    #[command(flatten)]
    pub options: MethodArgs,
    /// Optimization steps.
    #[arg(long, default_value_t = sphaera::disperse::DEFAULT_STEPS)]
    pub steps: u64,
    /// Base learning rate [default: 0.03 for adam, 0.1 for sgd and euclidean].
    #[arg(long, allow_hyphen_values = true)]
    pub lr: Option<f64>,
    /// Learning-rate schedule over the steps.
    #[arg(long, value_enum, default_value_t = ScheduleArg::Cosine)]
    pub schedule: ScheduleArg,
    /// The optimizer.
    #[arg(long, value_enum, default_value_t = OptimizerArg::Adam)]
    pub optimizer: OptimizerArg,
    /// Momentum of `sgd`, in [0, 1).
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub momentum: f64,
    /// Seed of the start and of every random draw.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Start from this table (.npy, 2-D float32 or float64); rows are normalized.
    #[arg(long)]
    pub init: Option<PathBuf>,
    /// Weight L of the anchor term L · mean ‖x_i − x_i⁰‖², keeping the start's structure.
    #[arg(long, default_value_t = 0.0, allow_hyphen_values = true)]
    pub anchor_weight: f64,
    /// Write the points here (.npy, float32).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Print one JSON object instead of a summary.
    #[arg(long)]
    pub json: bool,
    /// Worker threads, at most 1024 [default: all cores]. Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Type of the pairwise products (kernel and nearest-neighbour methods): f64 (exact to
    /// rounding) or f32 (about twice as fast, as the paper's PyTorch code computes).
    #[arg(long, default_value = "f64", value_parser = ["f64", "f32"])]
    pub precision: String,
}

/// The options of the regularizers; each applies to the methods its help names.
#[derive(Debug, Args)]
pub struct MethodArgs {
    /// Kernel of `mmd` [default: gaussian].
    #[arg(long, value_enum)]
    pub kernel: Option<KernelArg>,
    /// Distance the `mmd` kernel is applied to [default: euclidean, the chordal distance].
    #[arg(long, value_enum)]
    pub distance: Option<DistanceArg>,
    /// γ of the gaussian and laplace kernels, in (0, 1e6] [default: 1].
    #[arg(long, allow_hyphen_values = true)]
    pub gamma: Option<f64>,
    /// Exponent of the Riesz kernel (`mmd --kernel riesz`: -64 to 64; `mhe`: positive, at
    /// most 64) [default: 1].
    #[arg(long, allow_hyphen_values = true)]
    pub s: Option<f64>,
    /// Temperature of `uniformity`, in (0, 150] [default: 2].
    #[arg(long, allow_hyphen_values = true)]
    pub t: Option<f64>,
    /// Uniform samples per step of `lloyd` [default: 1000].
    #[arg(long)]
    pub samples: Option<usize>,
    /// Great circles per step of `sliced`, `sliced-axis` [default: 4] and `ssw` [default: 100].
    #[arg(long)]
    pub slices: Option<usize>,
}

impl MethodArgs {
    /// The library's options: every value not given is left to the method's default.
    pub fn to_options(&self) -> MethodOptions {
        MethodOptions {
            kernel: self.kernel.map(|k| match k {
                KernelArg::Gaussian => KernelKind::Gaussian,
                KernelArg::Laplace => KernelKind::Laplace,
                KernelArg::Riesz => KernelKind::Riesz,
            }),
            distance: self.distance.map(|d| match d {
                DistanceArg::Euclidean => Distance::Euclidean,
                DistanceArg::Geodesic => Distance::Geodesic,
            }),
            gamma: self.gamma,
            s: self.s,
            t: self.t,
            samples: self.samples,
            slices: self.slices,
        }
    }
}

/// Accepts exactly the library's method names, listing them in help and errors.
fn method_parser() -> impl clap::builder::TypedValueParser<Value = Method> {
    clap::builder::PossibleValuesParser::new(Method::ALL.map(Method::name))
        .map(|name| name.parse().expect("a listed name"))
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum KernelArg {
    Gaussian,
    Laplace,
    Riesz,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum DistanceArg {
    Euclidean,
    Geodesic,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OptimizerArg {
    Adam,
    Sgd,
    Euclidean,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ScheduleArg {
    Constant,
    Cosine,
}
