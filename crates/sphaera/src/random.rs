//! Seeded randomness: every random draw in sphaera comes from a [`SeededRng`].

use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};

use crate::points::Points;
use crate::sphere::{norm, normalize_rows};

/// The generator used throughout: small, fast, and reproducible from a `u64` seed.
pub type SeededRng = rand_pcg::Pcg64Mcg;

/// A generator from a seed.
pub fn seeded(seed: u64) -> SeededRng {
    SeededRng::seed_from_u64(seed)
}

/// The generator of substream `index` of `seed`: independent draws for each of many
/// work items, whatever thread runs them and in whatever order.
pub fn substream(seed: u64, index: u64) -> SeededRng {
    // SplitMix64's finalizer spreads consecutive indices over the whole seed space.
    let mut z = seed ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    seeded(z ^ (z >> 31))
}

/// One standard normal draw.
pub(crate) fn gaussian(rng: &mut SeededRng) -> f64 {
    StandardNormal.sample(rng)
}

/// `n × dim` independent standard normal values.
pub fn gaussian_points(n: usize, dim: usize, rng: &mut SeededRng) -> Points {
    let values = (0..n * dim).map(|_| gaussian(rng)).collect();
    Points::from_vec(n, dim, values).expect("n · dim values")
}

/// `n` points drawn uniformly on `S^{dim-1}` (normalized Gaussians).
///
/// ```
/// let p = sphaera::random::uniform_sphere(5, 3, &mut sphaera::random::seeded(1));
/// assert!(p.rows().all(|r| (sphaera::sphere::norm(r) - 1.0).abs() < 1e-12));
/// ```
///
/// # Panics
///
/// If `dim` is 0 (no sphere) or `n · dim` overflows.
pub fn uniform_sphere(n: usize, dim: usize, rng: &mut SeededRng) -> Points {
    assert!(dim > 0, "uniform_sphere: dim must be at least 1");
    let mut points = Points::zeros(n, dim);
    for row in points.rows_mut() {
        fill_unit(row, rng);
    }
    normalize_rows(&mut points).expect("rows drawn nonzero");
    points
}

/// Fills `out` with a uniformly random unit vector.
pub fn fill_unit(out: &mut [f64], rng: &mut SeededRng) {
    loop {
        out.iter_mut().for_each(|v| *v = gaussian(rng));
        let n = norm(out);
        // A zero Gaussian vector has probability zero; redraw rather than divide by it.
        if n > 1e-300 {
            out.iter_mut().for_each(|v| *v /= n);
            return;
        }
    }
}

/// A uniformly random orthonormal pair `(p, q)` spanning a 2-plane of `R^dim`
/// (Gram–Schmidt on two Gaussian vectors), written into `p` and `q`.
pub fn random_plane(p: &mut [f64], q: &mut [f64], rng: &mut SeededRng) {
    fill_unit(p, rng);
    loop {
        q.iter_mut().for_each(|v| *v = gaussian(rng));
        crate::sphere::project_tangent(p, q);
        let n = norm(q);
        if n > 1e-8 {
            q.iter_mut().for_each(|v| *v /= n);
            return;
        }
    }
}
