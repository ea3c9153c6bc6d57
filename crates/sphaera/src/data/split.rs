//! The link-prediction split of Ganea, Bécigneul & Hofmann (2018), as their
//! `split_wordnet_data.py` makes it, seeded.
//!
//! 1. Drop the root (when the hierarchy has exactly one) and self loops; recompute the
//!    closure and its transitive reduction, the *basic* edges.
//! 2. Test: ⌊5% · N⌋ of the N non-basic closure edges; validation: as many again from the
//!    rest (test is drawn first, as in the original).
//! 3. Training: every basic edge, plus ⌊P% · N⌋ non-basic edges drawn from what remains.
//! 4. For each validation and test positive `(u, v)`: 5 negatives `(u, v')` and 5 negatives
//!    `(u', v)`, drawn uniformly, distinct per positive, never an edge of the closure and
//!    never a node paired with itself.

use rand::seq::index::sample;
use rand::Rng;
use serde::Serialize;

use crate::data::graph::{Closure, Hierarchy};
use crate::error::{check, Result};
use crate::random::{seeded, SeededRng};

/// Negatives with the tail corrupted, and as many with the head corrupted, per positive.
const NEGATIVES_PER_SIDE: usize = 5;
/// Share of the non-basic edges held out for validation, and again for test.
const HELD_OUT_PERCENT: f64 = 5.0;

/// The edges of each part, as `(child, parent)` indices into [`Split::hierarchy`].
///
/// A split reads and writes its own directory ([`Split::write_dir`], [`Split::read_dir`]),
/// one `child<TAB>parent` file per part, nodes by name.
#[derive(Clone, Debug)]
pub struct Split {
    /// The hierarchy the split is made on: the input without its root.
    pub hierarchy: Hierarchy,
    /// Its transitive closure (the true edges).
    pub closure: Closure,
    /// Basic edges and the drawn share of the other non-basic edges.
    pub train: Vec<(u32, u32)>,
    /// The validation and test pairs.
    pub held_out: HeldOut,
    /// The sizes, for reports.
    pub counts: SplitCounts,
}

/// The held-out pairs of a split: positives, and 10 negatives per positive.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HeldOut {
    /// Validation positives.
    pub valid: Vec<(u32, u32)>,
    /// Validation negatives.
    pub valid_neg: Vec<(u32, u32)>,
    /// Test positives.
    pub test: Vec<(u32, u32)>,
    /// Test negatives.
    pub test_neg: Vec<(u32, u32)>,
}

/// How many edges went where.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SplitCounts {
    /// Nodes after removing the root.
    pub nodes: usize,
    /// Closure edges after removing the root.
    pub closure_edges: usize,
    /// Edges of the transitive reduction.
    pub basic_edges: usize,
    /// Closure edges that are not basic.
    pub non_basic_edges: usize,
    /// Training edges (basic plus the drawn share).
    pub train: usize,
    /// Validation positives.
    pub valid: usize,
    /// Test positives.
    pub test: usize,
    /// Validation negatives.
    pub valid_neg: usize,
    /// Test negatives.
    pub test_neg: usize,
}

/// Splits `hierarchy` with `percent`% of the non-basic edges added to training (0 to 90).
///
/// ```
/// use sphaera::data::{mammals, split, Hierarchy};
/// let h = Hierarchy::from_edge_list(&mammals()).unwrap();
/// let s = split(&h, 25.0, 0).unwrap();
/// assert_eq!(s.counts.valid_neg, 10 * s.counts.valid);
/// assert_eq!(s.held_out.test.len(), s.counts.test);
/// ```
pub fn split(hierarchy: &Hierarchy, percent: f64, seed: u64) -> Result<Split> {
    check("percent", percent, "between 0 and 90", |p| {
        (0.0..=90.0).contains(&p)
    })?;
    let hierarchy = without_single_root(hierarchy);
    let closure = hierarchy.checked_closure()?;
    let basic = hierarchy.reduction();
    let is_basic = |u: u32, v: u32| basic.parents(u).binary_search(&v).is_ok();
    let non_basic: Vec<(u32, u32)> = closure.edges().filter(|&(u, v)| !is_basic(u, v)).collect();
    let n = non_basic.len();
    let held_count = (HELD_OUT_PERCENT * n as f64 / 100.0) as usize;
    let extra = (percent * n as f64 / 100.0) as usize;

    let mut rng = seeded(seed);
    let mut pool: Vec<(u32, u32)> = non_basic;
    let mut test = draw(&mut pool, held_count, &mut rng);
    let descendants = closure.descendant_counts();
    let test_neg = negatives(&test, &closure, &descendants, &mut rng);
    let mut valid = draw(&mut pool, held_count, &mut rng);
    let valid_neg = negatives(&valid, &closure, &descendants, &mut rng);
    let mut train = draw(&mut pool, extra, &mut rng);
    train.extend(basic.edges());
    for part in [&mut train, &mut valid, &mut test] {
        part.sort_unstable();
    }
    let held_out = HeldOut {
        valid,
        valid_neg,
        test,
        test_neg,
    };
    let counts = SplitCounts::of(&closure, basic.edge_count(), &train, &held_out);
    Ok(Split {
        hierarchy,
        closure,
        train,
        held_out,
        counts,
    })
}

impl SplitCounts {
    pub(crate) fn of(
        closure: &Closure,
        basic: usize,
        train: &[(u32, u32)],
        held: &HeldOut,
    ) -> Self {
        Self {
            nodes: closure.n(),
            closure_edges: closure.edge_count(),
            basic_edges: basic,
            non_basic_edges: closure.edge_count() - basic,
            train: train.len(),
            valid: held.valid.len(),
            test: held.test.len(),
            valid_neg: held.valid_neg.len(),
            test_neg: held.test_neg.len(),
        }
    }
}

/// The hierarchy a split is made on: `hierarchy` without its root, when it has exactly one.
pub(crate) fn without_single_root(hierarchy: &Hierarchy) -> Hierarchy {
    match hierarchy.roots()[..] {
        [root] => hierarchy.without(root),
        _ => hierarchy.clone(),
    }
}

/// Removes `count` uniformly drawn edges from `pool` and returns them.
fn draw(pool: &mut Vec<(u32, u32)>, count: usize, rng: &mut SeededRng) -> Vec<(u32, u32)> {
    let count = count.min(pool.len());
    let mut picked = sample(rng, pool.len(), count).into_vec();
    picked.sort_unstable();
    let drawn = picked.iter().map(|&i| pool[i]).collect();
    // Remove from the back so earlier indices stay valid.
    for &i in picked.iter().rev() {
        pool.swap_remove(i);
    }
    // swap_remove reorders; keep the pool in a canonical order for the next draw.
    pool.sort_unstable();
    drawn
}

/// For each positive `(u, v)`: 5 distinct `(u, v')` and 5 distinct `(u', v)` that are not
/// closure edges, `v' ≠ u`, `u' ≠ v` (fewer only where fewer exist).
fn negatives(
    positives: &[(u32, u32)],
    closure: &Closure,
    descendants: &[usize],
    rng: &mut SeededRng,
) -> Vec<(u32, u32)> {
    let n = closure.n();
    let mut out = Vec::with_capacity(2 * NEGATIVES_PER_SIDE * positives.len());
    let mut chosen = Vec::with_capacity(NEGATIVES_PER_SIDE);
    for &(u, v) in positives {
        let tails = (n - 1 - closure.ancestors(u).len()).min(NEGATIVES_PER_SIDE);
        chosen.clear();
        while chosen.len() < tails {
            let w = rng.random_range(0..n as u32);
            if w != u && !closure.is_ancestor(u, w) && !chosen.contains(&w) {
                chosen.push(w);
            }
        }
        out.extend(chosen.iter().map(|&w| (u, w)));
        let heads = (n - 1 - descendants[v as usize]).min(NEGATIVES_PER_SIDE);
        chosen.clear();
        while chosen.len() < heads {
            let w = rng.random_range(0..n as u32);
            if w != v && !closure.is_ancestor(w, v) && !chosen.contains(&w) {
                chosen.push(w);
            }
        }
        out.extend(chosen.iter().map(|&w| (w, v)));
    }
    out
}
