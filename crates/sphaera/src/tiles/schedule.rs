//! The order of a tiled pass: every pair of blocks once, in rounds of pairs that share no
//! block, each round run in parallel and its results summed in round order.

use crate::par::Par;

/// Every unordered pair of `blocks` blocks, the diagonal `(b, b)` included, exactly once,
/// as rounds of pairs that share no block: first the diagonal, then the circle method's
/// rounds (block `m − 1` stays, the others rotate; `m` is `blocks` rounded up to even, and a
/// pair with the phantom block `blocks` is dropped).
fn rounds(blocks: usize) -> Vec<Vec<(usize, usize)>> {
    let mut rounds = vec![(0..blocks).map(|b| (b, b)).collect::<Vec<_>>()];
    let m = blocks + blocks % 2;
    for r in 0..m.saturating_sub(1) {
        let others = (1..m / 2).map(|k| ((r + k) % (m - 1), (r + m - 1 - k) % (m - 1)));
        let round: Vec<_> = std::iter::once((m - 1, r))
            .chain(others)
            .filter(|&(a, b)| a < blocks && b < blocks)
            .map(|(a, b)| (a.min(b), a.max(b)))
            .collect();
        if !round.is_empty() {
            rounds.push(round);
        }
    }
    rounds
}

/// Runs `task(a, b, rows_a, rows_b)` for every block pair of [`rounds`], handing it the
/// blocks' parts of `owned` (`rows_b` is `None` on the diagonal, and both are `None` where
/// `owned` holds none), and returns the sum of its results in round order.
pub(super) fn over_block_pairs<T: Send>(
    owned: &mut [Option<&mut [T]>],
    par: Par,
    task: impl Fn(usize, usize, Option<&mut [T]>, Option<&mut [T]>) -> f64 + Sync,
) -> f64 {
    let mut total = 0.0;
    for round in rounds(owned.len()) {
        // Hand each task the parts of its two blocks, and take them back after.
        let tasks: Vec<_> = round
            .iter()
            .map(|&(a, b)| {
                let rows_a = owned[a].take();
                let rows_b = if a == b { None } else { owned[b].take() };
                (a, b, rows_a, rows_b)
            })
            .collect();
        let done = par.map_owned(tasks, |(a, b, mut rows_a, mut rows_b)| {
            let v = task(a, b, rows_a.as_deref_mut(), rows_b.as_deref_mut());
            (v, a, b, rows_a, rows_b)
        });
        for (v, a, b, rows_a, rows_b) in done {
            total += v;
            owned[a] = rows_a;
            if a != b {
                owned[b] = rows_b;
            }
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_cover_every_block_pair_once_and_share_no_block() {
        for blocks in 0..12 {
            let mut seen = std::collections::HashSet::new();
            for round in rounds(blocks) {
                let mut used = std::collections::HashSet::new();
                for &(a, b) in &round {
                    assert!(a <= b && b < blocks);
                    assert!(seen.insert((a, b)), "{blocks} blocks: ({a}, {b}) twice");
                    assert!(used.insert(a) && (a == b || used.insert(b)));
                }
            }
            assert_eq!(seen.len(), blocks * (blocks + 1) / 2, "{blocks} blocks");
        }
    }
}
