//! What a model offers the evaluation: a score for "`v` is an ancestor of `u`".

/// A model's belief that node `v` is an ancestor of node `u`: higher is more likely.
///
/// Any `Fn(u32, u32) -> f64 + Sync` is a scorer; a model can override
/// [`Scorer::score_all`] to score one node against all at once.
///
/// ```
/// use sphaera::eval::Scorer;
/// let depth_gap = |u: u32, v: u32| -(u as f64 - v as f64).abs();
/// assert_eq!(depth_gap.score(3, 1), -2.0);
/// ```
pub trait Scorer: Sync {
    /// The score of the pair `(u, v)`.
    fn score(&self, u: u32, v: u32) -> f64;

    /// The scores of `pairs` into `out` (as long). Models whose calls are costly (a Python
    /// callable) score the whole list at once.
    fn score_pairs(&self, pairs: &[(u32, u32)], out: &mut [f64]) {
        for (o, &(u, v)) in out.iter_mut().zip(pairs) {
            *o = self.score(u, v);
        }
    }

    /// The scores of `u` against every node `v = 0, 1, …` into `out`.
    fn score_all(&self, u: u32, out: &mut [f64]) {
        for (v, o) in out.iter_mut().enumerate() {
            *o = self.score(u, v as u32);
        }
    }

    /// The scores of each of `us` against every node, into `out` (row-major,
    /// `us.len() × n`). Models that can score a block of rows at once (through a matrix
    /// product) override it.
    fn score_rows(&self, us: &[u32], out: &mut [f64]) {
        let n = out.len() / us.len().max(1);
        for (&u, row) in us.iter().zip(out.chunks_exact_mut(n)) {
            self.score_all(u, row);
        }
    }
}

impl<F: Fn(u32, u32) -> f64 + Sync> Scorer for F {
    fn score(&self, u: u32, v: u32) -> f64 {
        self(u, v)
    }
}
