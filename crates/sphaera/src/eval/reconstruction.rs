//! The reconstruction protocol of Nickel & Kiela (2017): how well a model trained on the
//! whole closure ranks each node's true ancestors above everything else.

use rand::seq::index::sample;
use serde::{Deserialize, Serialize};

use crate::data::Closure;
use crate::eval::scorer::Scorer;
use crate::par::Par;
use crate::random::seeded;

/// Which nodes to evaluate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sampling {
    /// Every node with at least one ancestor: the published protocol.
    All,
    /// A seeded random subset of that many such nodes, for quick checks during training.
    Nodes {
        /// How many nodes.
        count: usize,
        /// The seed of the draw.
        seed: u64,
    },
}

/// Mean rank and mean average precision.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reconstruction {
    /// Mean over `(u, v)` pairs of the rank of `v` among `v` and all non-ancestors of `u`
    /// (1 is perfect).
    pub mean_rank: f64,
    /// Mean over nodes `u` of the average precision of `u`'s ancestors among all other nodes.
    pub map: f64,
    /// Nodes evaluated.
    pub nodes: usize,
    /// `(u, v)` pairs evaluated.
    pub pairs: usize,
    /// Whether the nodes were a random subset.
    pub sampled: bool,
}

/// Nodes per parallel task.
const CHUNK: usize = 64;
/// Nodes scored at once, so a model can use a matrix product: `ROWS × N` scores per thread.
const ROWS: usize = 16;

/// For every evaluated node `u` and true ancestor `v`, the rank of `v` among `v` and all
/// non-ancestors `w ≠ u` by the scorer. **Ties count against the model**: a non-ancestor
/// scored equal to `v` ranks ahead of it (otherwise a collapsed embedding, every node
/// identical, would score perfectly). NaN counts as the worst score for an ancestor and the
/// best for a non-ancestor.
///
/// Memory is 16 rows (`ROWS`) of `N` scores per thread; work is `O(N)` scores and
/// `O(N log k)` comparisons per node with `k` ancestors.
///
/// ```
/// use sphaera::data::{parse_edges, Hierarchy};
/// use sphaera::eval::{reconstruction, Sampling};
/// let h = Hierarchy::from_edge_list(&parse_edges("b\ta\nc\ta\n", "-").unwrap()).unwrap();
/// let closure = h.closure();
/// // A collapsed model scores every pair alike: each ancestor ties with every other node.
/// let r = reconstruction(&closure, &|_, _| 0.0, Sampling::All, sphaera::Par::Seq);
/// assert_eq!(r.mean_rank, 2.0);
/// assert_eq!(r.map, 0.5);
/// ```
pub fn reconstruction(
    closure: &Closure,
    scorer: &impl Scorer,
    sampling: Sampling,
    par: Par,
) -> Reconstruction {
    let with_ancestors: Vec<u32> = (0..closure.n() as u32)
        .filter(|&u| !closure.ancestors(u).is_empty())
        .collect();
    let (nodes, sampled) = match sampling {
        Sampling::All => (with_ancestors, false),
        Sampling::Nodes { count, .. } if count >= with_ancestors.len() => (with_ancestors, false),
        Sampling::Nodes { count, seed } => {
            let mut picked: Vec<u32> = sample(&mut seeded(seed), with_ancestors.len(), count)
                .into_iter()
                .map(|i| with_ancestors[i])
                .collect();
            picked.sort_unstable();
            (picked, true)
        }
    };
    let chunks = nodes.chunks(CHUNK).collect::<Vec<_>>();
    let n = closure.n();
    let partials = par.map(chunks.len(), |c| {
        let mut scores = vec![0.0; ROWS * n];
        let mut workspace = NodeWorkspace::default();
        let (mut rank_sum, mut ap_sum, mut pairs) = (0.0, 0.0, 0usize);
        for block in chunks[c].chunks(ROWS) {
            let scores = &mut scores[..block.len() * n];
            scorer.score_rows(block, scores);
            for (&u, row) in block.iter().zip(scores.chunks_exact(n)) {
                let (ranks, ap) = workspace.evaluate(u, closure.ancestors(u), row);
                rank_sum += ranks;
                ap_sum += ap;
                pairs += closure.ancestors(u).len();
            }
        }
        (rank_sum, ap_sum, pairs)
    });
    let (mut rank_sum, mut ap_sum, mut pairs) = (0.0, 0.0, 0);
    for (r, a, p) in partials {
        rank_sum += r;
        ap_sum += a;
        pairs += p;
    }
    Reconstruction {
        mean_rank: rank_sum / pairs.max(1) as f64,
        map: ap_sum / nodes.len().max(1) as f64,
        nodes: nodes.len(),
        pairs,
        sampled,
    }
}

/// Buffers reused from node to node.
#[derive(Default)]
struct NodeWorkspace {
    /// The ancestors' scores, ascending.
    ancestor_scores: Vec<f64>,
    /// For each position of `ancestor_scores`, how many non-ancestors score at least as
    /// high (built as a difference array).
    at_least: Vec<i64>,
}

impl NodeWorkspace {
    /// The sum of the ranks of `u`'s ancestors and the average precision of `u`.
    fn evaluate(&mut self, u: u32, ancestors: &[u32], scores: &[f64]) -> (f64, f64) {
        let k = ancestors.len();
        self.ancestor_scores.clear();
        self.ancestor_scores.extend(ancestors.iter().map(|&v| {
            if scores[v as usize].is_nan() {
                f64::NEG_INFINITY
            } else {
                scores[v as usize]
            }
        }));
        self.ancestor_scores.sort_by(f64::total_cmp);
        self.at_least.clear();
        self.at_least.resize(k + 1, 0);
        let lowest = self.ancestor_scores[0];
        let mut next_ancestor = ancestors.iter().peekable();
        for (w, &s) in scores.iter().enumerate() {
            let w = w as u32;
            if next_ancestor.peek() == Some(&&w) {
                next_ancestor.next();
                continue;
            }
            if w == u {
                continue;
            }
            let s = if s.is_nan() { f64::INFINITY } else { s };
            // Below every ancestor (most nodes, for a good model): ahead of none.
            if s < lowest {
                continue;
            }
            // This non-ancestor ranks ahead of every ancestor scoring at most s.
            let covered = self.ancestor_scores.partition_point(|&a| a <= s);
            self.at_least[0] += 1;
            self.at_least[covered] -= 1;
        }
        let (mut rank_sum, mut precision_sum) = (0.0, 0.0);
        let mut ahead = 0i64;
        for j in 0..k {
            ahead += self.at_least[j];
            let s = self.ancestor_scores[j];
            // Ancestors scoring at least s, this one included.
            let found = k - self.ancestor_scores.partition_point(|&a| a < s);
            rank_sum += 1.0 + ahead as f64;
            precision_sum += found as f64 / (found as f64 + ahead as f64);
        }
        (rank_sum, precision_sum / k as f64)
    }
}
