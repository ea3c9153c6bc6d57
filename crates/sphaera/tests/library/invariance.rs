//! Values do not change when the points (and the random draws) are rotated alike, or when
//! the rows are permuted; gradients rotate and permute with them.

use proptest::prelude::*;
use sphaera::random::seeded;
use sphaera::{Par, Points};

use crate::cases::{all, random_rotation, rotate, setup};

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

fn permute_rows(x: &Points, order: &[usize]) -> Points {
    let mut out = Points::zeros(x.n(), x.dim());
    for (dst, &src) in order.iter().enumerate() {
        out.row_mut(dst).copy_from_slice(x.row(src));
    }
    out
}

fn permute_columns(x: &Points, order: &[usize]) -> Points {
    let mut out = x.clone();
    for (o, row) in out.rows_mut().zip(x.rows()) {
        for (k, &src) in order.iter().enumerate() {
            o[k] = row[src];
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10))]

    #[test]
    fn rotation_leaves_values_unchanged(n in 4usize..40, dim in 2usize..8, seed: u64) {
        let (x, draws) = setup(n, dim, seed);
        let r = random_rotation(dim, &mut seeded(seed ^ 1));
        let rx = rotate(&x, &r);
        let rotated = draws.rotated(|p| rotate(p, &r), |a| a);
        for (case, turned) in all(&draws).iter().zip(all(&rotated)) {
            if !case.rotation_invariant {
                continue;
            }
            let (v, g) = case.value_and_grad(&x, Par::Seq);
            let (w, h) = turned.value_and_grad(&rx, Par::Seq);
            prop_assert!(close(v, w), "{}: {v} vs {w}", case.name);
            // The gradient rotates with the points: ∇f(RX) = R ∇f(X) row by row.
            let rg = rotate(&g, &r);
            let scale = rg.as_slice().iter().fold(0.0f64, |m, v| m.max(v.abs()));
            for (a, b) in rg.as_slice().iter().zip(h.as_slice()) {
                prop_assert!((a - b).abs() <= 1e-8 * (scale + 1e-300), "{}", case.name);
            }
        }
    }

    #[test]
    fn coordinate_permutation_leaves_every_value_unchanged(n in 4usize..40, dim in 2usize..8, seed: u64) {
        // A permutation of coordinates is a rotation (or reflection) that maps axis planes to
        // axis planes, so it covers sliced-axis too.
        let (x, draws) = setup(n, dim, seed);
        let mut order: Vec<usize> = (0..dim).collect();
        order.rotate_left(seed as usize % dim);
        let mut inverse = vec![0; dim];
        for (k, &src) in order.iter().enumerate() {
            inverse[src] = k;
        }
        let moved = draws.rotated(|p| permute_columns(p, &order), |a| inverse[a]);
        let px = permute_columns(&x, &order);
        for (case, turned) in all(&draws).iter().zip(all(&moved)) {
            let (v, w) = (case.value(&x), turned.value(&px));
            prop_assert!(close(v, w), "{}: {v} vs {w}", case.name);
        }
    }

    #[test]
    fn row_permutation_leaves_values_unchanged(n in 4usize..40, dim in 2usize..8, seed: u64) {
        let (x, draws) = setup(n, dim, seed);
        let order: Vec<usize> = (0..n).map(|i| (i * 7 + seed as usize) % n).collect();
        let order = if is_permutation(&order) { order } else { (0..n).rev().collect() };
        let px = permute_rows(&x, &order);
        // Only the anchor is tied to rows; samples and planes are not.
        let mut moved = draws.clone();
        moved.anchor = permute_rows(&draws.anchor, &order);
        for (case, turned) in all(&draws).iter().zip(all(&moved)) {
            let (v, g) = case.value_and_grad(&x, Par::Seq);
            let (w, h) = turned.value_and_grad(&px, Par::Seq);
            prop_assert!(close(v, w), "{}: {v} vs {w}", case.name);
            let pg = permute_rows(&g, &order);
            let scale = pg.as_slice().iter().fold(0.0f64, |m, v| m.max(v.abs()));
            for (a, b) in pg.as_slice().iter().zip(h.as_slice()) {
                prop_assert!((a - b).abs() <= 1e-8 * (scale + 1e-300), "{}", case.name);
            }
        }
    }
}

fn is_permutation(order: &[usize]) -> bool {
    let mut seen = vec![false; order.len()];
    order
        .iter()
        .all(|&i| !std::mem::replace(&mut seen[i], true))
}
