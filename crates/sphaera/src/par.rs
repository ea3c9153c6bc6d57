//! Parallelism as a value: callers choose sequential or rayon execution.

use rayon::prelude::*;

/// How a kernel may use threads. Results are identical either way: work is split into
/// fixed blocks and partial results are combined in block order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Par {
    /// One thread, the caller's.
    Seq,
    /// The current rayon thread pool (the global one unless the caller `install`s another).
    #[default]
    Rayon,
}

impl Par {
    /// Maps `f` over `0..count`, returning results in index order.
    pub(crate) fn map<T: Send>(self, count: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
        match self {
            Par::Seq => (0..count).map(f).collect(),
            Par::Rayon => (0..count).into_par_iter().map(&f).collect(),
        }
    }

    /// Maps `f` over owned items, returning results in item order.
    pub(crate) fn map_owned<I: Send, T: Send>(
        self,
        items: Vec<I>,
        f: impl Fn(I) -> T + Sync,
    ) -> Vec<T> {
        match self {
            Par::Seq => items.into_iter().map(f).collect(),
            Par::Rayon => items.into_par_iter().map(&f).collect(),
        }
    }

    /// Calls `f(index, chunk)` for each `chunk_len`-sized chunk of `data`.
    pub(crate) fn for_each_chunk<T: Send, R: Send>(
        self,
        data: &mut [T],
        chunk_len: usize,
        f: impl Fn(usize, &mut [T]) -> R + Sync,
    ) -> Vec<R> {
        match self {
            Par::Seq => data
                .chunks_mut(chunk_len)
                .enumerate()
                .map(|(i, c)| f(i, c))
                .collect(),
            Par::Rayon => data
                .par_chunks_mut(chunk_len)
                .enumerate()
                .map(|(i, c)| f(i, c))
                .collect(),
        }
    }
}
