//! Training SpheREx: minibatches of positive edges, each with sampled negatives, and Adam on
//! the rows they touch.
//!
//! A batch runs in two parallel phases. First each edge of the batch, with its own random
//! substream, draws its negatives and writes the gradients of its pairs into its own slots.
//! Then the nodes are cut into fixed ranges, and each range sums the slots of its touched
//! nodes in slot order and takes their Adam steps. No sum depends on which thread ran what,
//! so a run gives the same model on any number of threads.

use rand::Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::hierarchy::config::{EdgeSampling, RowOptimizer, SpherexConfig};
use crate::hierarchy::degree::DegreeSampler;
use crate::hierarchy::known::Known;
use crate::hierarchy::loss::{PairKind, SpherexLoss};
use crate::hierarchy::regions::{Corruption, EdgeGroup, Regions};
use crate::optim::{AdamStep, Retraction};
use crate::random::{substream, SeededRng};

/// Everything a run needs to continue exactly where it stopped.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "M: Regions")]
pub struct TrainerState<M> {
    /// The model.
    pub model: M,
    /// Adam's moments, a row of `2 × row_width` per node: the first moment, then the second.
    /// For the coordinates on the sphere ([`Regions::sphere_coordinates`]) the first moment
    /// is a tangent vector and the second a single number, kept in the first of their slots
    /// (the others stay 0).
    pub moments: Vec<f64>,
    /// Adam steps taken.
    pub steps: u64,
    /// Epochs completed.
    pub epochs: u64,
}

/// What one epoch saw.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct EpochStats {
    /// Mean loss over the epoch's pairs.
    pub loss: f64,
    /// Pairs (positives and negatives) seen.
    pub pairs: usize,
}

/// A training run over fixed positive edges, for balls ([`crate::hierarchy::Balls`]) or
/// caps ([`crate::hierarchy::Caps`]).
///
/// Balls for a five-edge hierarchy, trained on its closure (the reconstruction protocol):
///
/// ```
/// use sphaera::data::{parse_edges, Hierarchy};
/// use sphaera::eval::{reconstruction, Sampling};
/// use sphaera::hierarchy::{Balls, Known, SpherexConfig, Trainer};
/// use sphaera::Par;
///
/// let text = "animal\tlife\nplant\tlife\ndog\tanimal\ncat\tanimal\noak\tplant\n";
/// let h = Hierarchy::from_edge_list(&parse_edges(text, "toy.tsv").unwrap()).unwrap();
/// let closure = h.closure();
/// let config = SpherexConfig { dim: 2, batch_size: 4, lr: 0.05, ..SpherexConfig::default() };
/// let initial = Balls::initial(h.n(), config.dim, config.seed);
/// let known = Known::from_closure(&closure);
/// let mut trainer = Trainer::new(initial, closure.edges().collect(), known, config).unwrap();
/// let score = |balls: &Balls| reconstruction(&closure, &balls.scorer(), Sampling::All, Par::Seq);
/// let before = score(trainer.model());
/// for _ in 0..100 {
///     trainer.epoch();
/// }
/// // Every ball now lies inside the balls of its ancestors...
/// let balls = trainer.model();
/// for (u, v) in closure.edges() {
///     assert!(balls.margin(u, v) > 0.0, "{} not inside {}", h.name(u), h.name(v));
/// }
/// // ...so each node ranks its ancestors above every other node: MAP 1, from about 0.5.
/// let after = score(balls);
/// assert!(before.map < 0.9);
/// assert_eq!(after.map, 1.0);
/// ```
pub struct Trainer<M: Regions> {
    config: SpherexConfig,
    state: TrainerState<M>,
    positives: Vec<(u32, u32)>,
    known: Known,
    family: Family,
    /// Running sums of the edges' sampling weights (empty for uniform sampling).
    cumulative_weights: Vec<f64>,
    /// How negatives are drawn when not uniformly.
    by_degree: Option<DegreeSampler>,
    slots: Slots,
    /// Per node, its first slot end in this batch (`NONE` when untouched); the rest follow
    /// through `Slots::next`.
    first_end: Vec<u32>,
    /// The touched nodes of each node range, in order of first touch.
    touched: Vec<Vec<u32>>,
    /// One gradient row per node range, for summing.
    scratch: Vec<Vec<f64>>,
    /// The negatives of one edge, when a batch's edges run on the calling thread.
    negatives: Vec<(u32, u32, PairKind)>,
}

/// The pairs of one batch: `pairs_per_edge` slots per positive edge, each slot two ends
/// (node and gradient row), `NONE` for a slot left empty.
struct Slots {
    pairs_per_edge: usize,
    nodes: Vec<u32>,
    grads: Vec<f64>,
    /// The next end of the same node (`NONE` at the last).
    next: Vec<u32>,
    /// Per edge: its pairs' summed loss and how many pairs it filled (siblings excluded).
    totals: Vec<(f64, u32)>,
}

/// Mixed into the seed so that the trainer's streams differ from the one that made the
/// initial model.
const TRAINING_STREAM: u64 = 0x9e37_79b9_7f4a_7c15;
/// Node ranges of the Adam step: a fixed count, so results never depend on the threads.
const NODE_RANGES: usize = 16;
/// Edges of a batch per parallel task.
const EDGES_PER_TASK: usize = 16;
/// Slot ends of a batch up to which its steps run on the calling thread.
const SEQUENTIAL_ENDS: usize = 1024;
const NONE: u32 = u32::MAX;

impl<M: Regions> Trainer<M> {
    /// Checks `config` for regions `M`: every general setting, and the model's own limits
    /// (its smallest dimension, whether it has a sibling term).
    pub fn check_config(config: &SpherexConfig) -> Result<()> {
        if config.dim < M::MIN_DIM {
            return Err(Error::InvalidParameter {
                name: "dim",
                expected: "at least 2 for caps (points on S^(dim-1))",
                value: config.dim.to_string(),
            });
        }
        if config.loss.sibling_weight > 0.0 && !M::DISPERSES_SIBLINGS {
            return Err(Error::InvalidParameter {
                name: "sibling_weight",
                expected: "0 for this model (only caps disperse siblings)",
                value: config.loss.sibling_weight.to_string(),
            });
        }
        config.validate()
    }

    /// A fresh run from `model`: `positives` are the `(child, ancestor)` edges to learn;
    /// negatives are drawn among the pairs `known` does not hold. The order of the edges
    /// and the negatives come from `config.seed`.
    pub fn new(
        model: M,
        positives: Vec<(u32, u32)>,
        known: Known,
        config: SpherexConfig,
    ) -> Result<Self> {
        let moments = vec![0.0; 2 * model.n() * model.row_width()];
        let state = TrainerState {
            model,
            moments,
            steps: 0,
            epochs: 0,
        };
        Self::resume(state, positives, known, config)
    }

    /// Continues from a saved state.
    pub fn resume(
        state: TrainerState<M>,
        positives: Vec<(u32, u32)>,
        known: Known,
        config: SpherexConfig,
    ) -> Result<Self> {
        Self::check_config(&config)?;
        let n = state.model.n();
        let row = state.model.row_width();
        if row != M::width(config.dim) {
            return Err(Error::Shape {
                what: "model rows",
                expected: vec![n, M::width(config.dim)],
                found: vec![n, row],
            });
        }
        if state.moments.len() != 2 * n * row {
            return Err(Error::Shape {
                what: "Adam moments",
                expected: vec![n, 2 * row],
                found: vec![state.moments.len()],
            });
        }
        if known.n() != n {
            return Err(Error::Shape {
                what: "known edges (nodes)",
                expected: vec![n],
                found: vec![known.n()],
            });
        }
        if let Some(&(u, v)) = positives
            .iter()
            .find(|&&(u, v)| u as usize >= n || v as usize >= n || u == v)
        {
            return Err(Error::InvalidEdge {
                child: u,
                parent: v,
                nodes: n,
            });
        }
        let family = if config.loss.sibling_weight > 0.0 {
            family(n, &positives)?
        } else {
            Family::default()
        };
        let pairs_per_edge = 1 + config.negatives + usize::from(config.loss.sibling_weight > 0.0);
        let ends = 2 * pairs_per_edge * config.batch_size;
        let slots = Slots {
            pairs_per_edge,
            nodes: vec![NONE; ends],
            grads: vec![0.0; ends * row],
            next: vec![NONE; ends],
            totals: vec![(0.0, 0); config.batch_size],
        };
        let cumulative_weights = match config.edge_sampling {
            EdgeSampling::Uniform => Vec::new(),
            EdgeSampling::SqrtDescendants => positives
                .iter()
                .scan(0.0, |sum, &(u, _)| {
                    *sum += (1.0 + known.descendant_count(u) as f64).sqrt();
                    Some(*sum)
                })
                .collect(),
        };
        let by_degree = DegreeSampler::new(n, &positives, config.negative_power);
        Ok(Self {
            negatives: Vec::with_capacity(config.negatives),
            by_degree,
            config,
            state,
            positives,
            known,
            family,
            cumulative_weights,
            slots,
            first_end: vec![NONE; n],
            touched: vec![Vec::new(); NODE_RANGES],
            scratch: vec![vec![0.0; row]; NODE_RANGES],
        })
    }

    /// The model so far.
    pub fn model(&self) -> &M {
        &self.state.model
    }

    /// The state, for checkpoints.
    pub fn state(&self) -> &TrainerState<M> {
        &self.state
    }

    /// Epochs completed.
    pub fn epochs(&self) -> u64 {
        self.state.epochs
    }

    /// One pass over the positive edges in a fresh random order.
    pub fn epoch(&mut self) -> EpochStats {
        let epoch = self.state.epochs;
        let seed = self.config.seed ^ TRAINING_STREAM;
        let mut rng = substream(seed, 2 * epoch);
        let order = self.epoch_order(&mut rng);
        // Each edge's negatives come from its own substream, named by its place in the epoch.
        let edge_seed = substream(seed, 2 * epoch + 1).random::<u64>();
        let (mut total, mut pairs) = (0.0, 0usize);
        for (b, batch) in order.chunks(self.config.batch_size).enumerate() {
            let first_place = (b * self.config.batch_size) as u64;
            self.fill_slots(batch, edge_seed, first_place);
            let batch_pairs: u32 = self.slots.totals[..batch.len()]
                .iter()
                .map(|&(loss, count)| {
                    total += loss;
                    count
                })
                .sum();
            self.apply(batch.len(), 1.0 / f64::from(batch_pairs.max(1)));
            pairs += batch_pairs as usize;
        }
        self.state.epochs += 1;
        EpochStats {
            loss: total / pairs.max(1) as f64,
            pairs,
        }
    }

    /// The training edges of one epoch, in order.
    fn epoch_order(&self, rng: &mut SeededRng) -> Vec<u32> {
        let count = self.positives.len();
        match self.cumulative_weights.last() {
            None => {
                let mut order: Vec<u32> = (0..count as u32).collect();
                for i in (1..count).rev() {
                    order.swap(i, rng.random_range(0..=i));
                }
                order
            }
            Some(&total) => (0..count)
                .map(|_| {
                    let x = rng.random::<f64>() * total;
                    let i = self.cumulative_weights.partition_point(|&c| c <= x);
                    i.min(count - 1) as u32
                })
                .collect(),
        }
    }

    /// Phase one: the pairs of every edge of the batch, their losses and gradients.
    fn fill_slots(&mut self, batch: &[u32], edge_seed: u64, first_place: u64) {
        let w = self.state.model.row_width();
        let per_edge = 2 * self.slots.pairs_per_edge;
        let job = EdgeJob {
            model: &self.state.model,
            known: &self.known,
            family: &self.family,
            positives: &self.positives,
            loss: &self.config.loss,
            negatives: self.config.negatives,
            by_degree: self.by_degree.as_ref(),
        };
        let slots = &mut self.slots;
        let work = |negatives: &mut Vec<(u32, u32, PairKind)>,
                    (i, (((nodes, grads), totals), &edge)): EdgeSlots<'_>| {
            let mut rng = substream(edge_seed, first_place + i as u64);
            *totals = job.run(edge, &mut rng, negatives, nodes, grads);
        };
        let nodes = &mut slots.nodes[..batch.len() * per_edge];
        let grads = &mut slots.grads[..batch.len() * per_edge * w];
        let totals = &mut slots.totals[..batch.len()];
        if batch.len() <= EDGES_PER_TASK {
            // One task's worth: handing it to the thread pool costs more than it saves.
            // The edges' rows are random ones: ask for all of them before the first is needed.
            let params = self.state.model.params();
            for &edge in batch {
                let (u, v) = self.positives[edge as usize];
                prefetch_row(params, u as usize * w);
                prefetch_row(params, v as usize * w);
            }
            let negatives = &mut self.negatives;
            nodes
                .chunks_mut(per_edge)
                .zip(grads.chunks_mut(per_edge * w))
                .zip(totals)
                .zip(batch)
                .enumerate()
                .for_each(|item| work(negatives, item));
            return;
        }
        let capacity = self.config.negatives;
        nodes
            .par_chunks_mut(per_edge)
            .zip(grads.par_chunks_mut(per_edge * w))
            .zip(totals)
            .zip(batch)
            .enumerate()
            .with_min_len(EDGES_PER_TASK)
            .for_each_init(
                // A negatives buffer per task: its contents never outlive an edge, so
                // which task reuses which buffer does not matter.
                || Vec::with_capacity(capacity),
                work,
            );
    }

    /// Phase two: one Adam step (lazy, as sparse Adam) on every touched row, gradients summed
    /// over the batch's slots and scaled by `scale`: Riemannian on the row's coordinates on
    /// the sphere, coordinate-wise on the rest; each row then brought back into its domain.
    fn apply(&mut self, edges: usize, scale: f64) {
        let ends = edges * 2 * self.slots.pairs_per_edge;
        let n = self.state.model.n();
        let range_len = n.div_ceil(NODE_RANGES).max(1);
        // Chain each node's ends, in slot order, and note the touched nodes per range.
        for end in (0..ends).rev() {
            let node = self.slots.nodes[end];
            if node == NONE {
                continue;
            }
            let first = &mut self.first_end[node as usize];
            if *first == NONE {
                self.touched[node as usize / range_len].push(node);
            }
            self.slots.next[end] = *first;
            *first = end as u32;
        }
        self.state.steps += 1;
        let step = RowStep {
            optimizer: self.config.optimizer,
            lr: self.config.lr_at(self.state.epochs),
            adam: self
                .config
                .adam
                .at_step(self.config.lr_at(self.state.epochs), self.state.steps),
            scale,
            min_radius: self.config.min_radius,
        };
        let w = self.state.model.row_width();
        let (slots, touched) = (&self.slots, &mut self.touched);
        let params = self.state.model.params_mut();
        // The touched lists hold each node once, but were filled backwards: their order
        // does not matter, as each node's step reads only its own slots.
        let step_range = |(range, ((((params, moments), first_end), touched), sum)): RangeRows<
            '_,
        >| {
            let base = range * range_len;
            for &node in touched.iter() {
                let local = node as usize - base;
                sum.fill(0.0);
                let mut end = std::mem::replace(&mut first_end[local], NONE);
                while end != NONE {
                    let grad = &slots.grads[end as usize * w..(end as usize + 1) * w];
                    sum.iter_mut().zip(grad).for_each(|(s, g)| *s += g);
                    end = slots.next[end as usize];
                }
                let row = &mut params[local * w..(local + 1) * w];
                let (first, second) = moments[local * 2 * w..(local + 1) * 2 * w].split_at_mut(w);
                step.apply::<M>(row, first, second, sum);
            }
            touched.clear();
        };
        if ends <= SEQUENTIAL_ENDS {
            // A small batch (Nickel & Kiela's ten edges): waking the thread pool for each
            // would cost more than the steps. Each row's step is the same either way.
            params
                .chunks_mut(range_len * w)
                .zip(self.state.moments.chunks_mut(range_len * 2 * w))
                .zip(self.first_end.chunks_mut(range_len))
                .zip(touched.iter_mut())
                .zip(self.scratch.iter_mut())
                .enumerate()
                .for_each(step_range);
            return;
        }
        params
            .par_chunks_mut(range_len * w)
            .zip(self.state.moments.par_chunks_mut(range_len * 2 * w))
            .zip(self.first_end.par_chunks_mut(range_len))
            .zip(touched.par_iter_mut())
            .zip(self.scratch.par_iter_mut())
            .enumerate()
            .for_each(step_range);
    }
}

/// One edge's place in the batch and its slots: nodes, gradient rows, loss and terms, and
/// the edge.
type EdgeSlots<'a> = (
    usize,
    (
        ((&'a mut [u32], &'a mut [f64]), &'a mut (f64, u32)),
        &'a u32,
    ),
);

/// One node range's place and its rows: parameters, moments, first slot ends, touched nodes
/// and a gradient row to sum into.
type RangeRows<'a> = (
    usize,
    (
        (
            ((&'a mut [f64], &'a mut [f64]), &'a mut [u32]),
            &'a mut Vec<u32>,
        ),
        &'a mut Vec<f64>,
    ),
);

/// One step of the trainer: optim's step, and what the trainer adds around it.
struct RowStep {
    optimizer: RowOptimizer,
    /// The step size of this epoch (SGD; Adam's is inside `adam`).
    lr: f64,
    adam: AdamStep,
    /// Multiplies the summed gradient (one over the batch's pairs).
    scale: f64,
    min_radius: f64,
}

impl RowStep {
    /// Steps one row of regions `M` from its summed gradient `grad` (used as scratch), then
    /// brings it back into its domain. Centres on the sphere move by the exponential map,
    /// dispersion's default (geoopt's `SphereExact`).
    fn apply<M: Regions>(
        &self,
        row: &mut [f64],
        first: &mut [f64],
        second: &mut [f64],
        grad: &mut [f64],
    ) {
        grad.iter_mut().for_each(|g| *g *= self.scale);
        M::riemannian_gradient(row, grad);
        if self.optimizer == RowOptimizer::Sgd {
            row.iter_mut()
                .zip(grad)
                .for_each(|(x, g)| *x -= self.lr * *g);
            M::project(row, self.min_radius);
            return;
        }
        let on_sphere = M::sphere_coordinates(row.len());
        let (point, rest) = row.split_at_mut(on_sphere);
        let (point_first, rest_first) = first.split_at_mut(on_sphere);
        let (point_second, rest_second) = second.split_at_mut(on_sphere);
        let (point_grad, rest_grad) = grad.split_at_mut(on_sphere);
        if let Some(v) = point_second.first_mut() {
            self.adam.sphere_row(
                point,
                point_first,
                v,
                None,
                point_grad,
                Retraction::Exponential,
            );
        }
        self.adam
            .euclidean_row(rest, rest_first, rest_second, rest_grad);
        M::project(row, self.min_radius);
    }
}

/// What phase one reads, shared by every task.
struct EdgeJob<'a, M> {
    model: &'a M,
    known: &'a Known,
    family: &'a Family,
    positives: &'a [(u32, u32)],
    loss: &'a SpherexLoss,
    negatives: usize,
    by_degree: Option<&'a DegreeSampler>,
}

impl<M: Regions> EdgeJob<'_, M> {
    /// The pairs of positive edge `edge` written into its slots (`nodes` two ends per pair,
    /// `grads` a row per end): the edge itself, a sibling pair when sibling dispersion is
    /// on, and its negatives (drawn into `negatives`, a scratch buffer). The edge and its
    /// negatives go to [`Regions::group_loss`] together. Returns the summed loss and the
    /// terms counted for scaling (siblings excluded).
    fn run(
        &self,
        edge: u32,
        rng: &mut SeededRng,
        negatives: &mut Vec<(u32, u32, PairKind)>,
        nodes: &mut [u32],
        grads: &mut [f64],
    ) -> (f64, u32) {
        let w = self.model.row_width();
        let (u, v) = self.positives[edge as usize];
        nodes.fill(NONE);
        nodes[0] = u;
        nodes[1] = v;
        let loss = self.loss;
        // The sibling is drawn before the negatives, and its pair sits in the slot after
        // the edge's, as before groups existed: runs with siblings keep their numbers.
        let mut sibling_loss = None;
        let mut first_negative = 1;
        if loss.sibling_weight > 0.0 {
            if let Some(s) = self.family.sibling(u, rng) {
                nodes[2] = u;
                nodes[3] = s;
                let (ga, gb) = grads[2 * w..4 * w].split_at_mut(w);
                sibling_loss = Some(self.model.sibling_loss(u, s, loss.sibling_weight, ga, gb));
                first_negative = 2;
            }
        }
        negatives.clear();
        for k in 0..self.negatives {
            let corrupt_ancestor = match M::CORRUPTION {
                Corruption::Alternate => k % 2 == 0,
                Corruption::Ancestor => true,
                Corruption::Descendant => false,
            };
            if let Some(negative) = self.negative(u, v, corrupt_ancestor, rng) {
                // Its row is a random one, likely not in cache: ask for it now, while the
                // other negatives are drawn, rather than stall on it in the loss.
                let drawn = if corrupt_ancestor {
                    negative.1
                } else {
                    negative.0
                };
                prefetch_row(self.model.params(), drawn as usize * w);
                let slot = first_negative + negatives.len();
                nodes[2 * slot] = negative.0;
                nodes[2 * slot + 1] = negative.1;
                negatives.push(negative);
            }
        }
        let (positive_grads, rest) = grads.split_at_mut(2 * w);
        let negative_grads = &mut rest[2 * w * (first_negative - 1)..];
        let group = EdgeGroup {
            positive: (u, v),
            negatives,
        };
        let (total, count) = self.model.group_loss(
            group,
            loss,
            positive_grads,
            &mut negative_grads[..2 * w * negatives.len()],
        );
        (total + sibling_loss.unwrap_or(0.0), count)
    }

    /// A negative for the positive `(u, v)`: `(u, w)` with the ancestor corrupted, or
    /// `(w, v)` with the descendant corrupted; `w` is drawn among the nodes that make no
    /// known edge: by degree when asked (falling back to uniform when the draws by degree
    /// keep hitting known edges), else uniformly; the uniform draw always succeeds at once.
    fn negative(
        &self,
        u: u32,
        v: u32,
        corrupt_ancestor: bool,
        rng: &mut SeededRng,
    ) -> Option<(u32, u32, PairKind)> {
        let known = self.known;
        // Both directions are asked of the kept node's lists, which stay in cache.
        let (a, b, reverse_known) = if corrupt_ancestor {
            let w = self
                .by_degree
                .and_then(|d| d.sample_where(rng, |w| w != u && !known.contains(u, w)))
                .or_else(|| known.sample_non_ancestor(u, rng))?;
            (u, w, known.has_descendant(u, w))
        } else {
            let w = self
                .by_degree
                .and_then(|d| d.sample_where(rng, |w| w != v && !known.has_descendant(v, w)))
                .or_else(|| known.sample_non_descendant(v, rng))?;
            (w, v, known.contains(v, w))
        };
        // A pair whose reverse is an edge overlaps by design: only forbid containment.
        let kind = if reverse_known {
            PairKind::NotContained
        } else {
            PairKind::Disjoint
        };
        Some((a, b, kind))
    }
}

/// Hints the processor to bring `params[start..]` (a model row) into cache; does nothing
/// where there is no such hint. Only a hint: never changes results.
#[inline(always)]
fn prefetch_row(params: &[f64], start: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(row) = params.get(start..) {
        // SAFETY: prefetching reads nothing architecturally, and the address is in bounds.
        unsafe {
            std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
                row.as_ptr().cast(),
            )
        }
    }
}

/// Each node's direct parents and children in the transitive reduction of some edges
/// (empty when sibling dispersion is off).
#[derive(Default)]
struct Family {
    parents: Vec<Vec<u32>>,
    children: Vec<Vec<u32>>,
}

impl Family {
    /// A random sibling of `u` (another child of one of its direct parents), if it has one.
    fn sibling(&self, u: u32, rng: &mut SeededRng) -> Option<u32> {
        let parents = self.parents.get(u as usize)?;
        if parents.is_empty() {
            return None;
        }
        let p = parents[rng.random_range(0..parents.len())];
        let children = &self.children[p as usize];
        if children.len() < 2 {
            return None;
        }
        let w = children[rng.random_range(0..children.len() - 1)];
        // Skip u itself: every other child is equally likely.
        Some(if w == u {
            children[children.len() - 1]
        } else {
            w
        })
    }
}

/// The [`Family`] of `edges` among `n` nodes.
fn family(n: usize, edges: &[(u32, u32)]) -> Result<Family> {
    let names = (0..n).map(|i| i.to_string()).collect();
    let reduced = crate::data::Hierarchy::from_indexed_edges(names, edges)?.reduction();
    let mut children = vec![Vec::new(); n];
    let parents = (0..n as u32)
        .map(|u| {
            for &p in reduced.parents(u) {
                children[p as usize].push(u);
            }
            reduced.parents(u).to_vec()
        })
        .collect();
    Ok(Family { parents, children })
}
