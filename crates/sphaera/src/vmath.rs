//! Elementary functions written so that loops over slices of them vectorize: no calls into
//! the C library, no branches, only operations every x86-64 and AArch64 vector unit has.

/// `eˣ` to within 2 ulp for `x ∈ [−708, 709]`; 0 below, +∞ above.
///
/// `eˣ = 2ⁿ · eʳ` with `n = round(x / ln 2)` and `|r| ≤ ln 2 / 2`; `eʳ` by its Taylor series
/// to degree 13 (truncation below 1e-17 relative), and `2ⁿ` built in the exponent bits.
#[inline(always)]
pub(crate) fn exp(x: f64) -> f64 {
    const LOG2_E: f64 = std::f64::consts::LOG2_E;
    // ln 2 split so that n · LN2_HI is exact for |n| < 2¹¹.
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    // Adding 1.5 · 2⁵² rounds to an integer held in the low mantissa bits.
    const ROUND: f64 = 6_755_399_441_055_744.0;
    let clamped = x.clamp(-708.0, 709.0);
    let shifted = clamped * LOG2_E + ROUND;
    let n = shifted - ROUND;
    let r = (clamped - n * LN2_HI) - n * LN2_LO;
    let mut p = 1.0 / 6_227_020_800.0;
    for coefficient in [
        1.0 / 479_001_600.0,
        1.0 / 39_916_800.0,
        1.0 / 3_628_800.0,
        1.0 / 362_880.0,
        1.0 / 40_320.0,
        1.0 / 5_040.0,
        1.0 / 720.0,
        1.0 / 120.0,
        1.0 / 24.0,
        1.0 / 6.0,
        0.5,
        1.0,
        1.0,
    ] {
        p = p * r + coefficient;
    }
    // The low bits of `shifted` are n (plus 2⁵¹, which the shift drops): 2ⁿ's exponent field.
    let scale = f64::from_bits(shifted.to_bits().wrapping_add(1023) << 52);
    let y = p * scale;
    if x < -708.0 {
        0.0
    } else if x > 709.0 {
        f64::INFINITY
    } else {
        y
    }
}

/// `ln x` to within 2 ulp for normal positive `x`; `x` must be normal and positive (no
/// zero, subnormal, infinity or NaN: the caller clamps).
///
/// `x = 2ᵉ · m` with `m ∈ [√½, √2)`, and `ln m = 2 atanh t = 2 (t + t³/3 + t⁵/5 + …)` with
/// `t = (m − 1)/(m + 1)`, `|t| ≤ 0.172`, to degree 23 (truncation below 1e-19).
#[inline(always)]
pub(crate) fn ln(x: f64) -> f64 {
    const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
    const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
    const MANTISSA: u64 = (1 << 52) - 1;
    // 2⁵² in the bits of a double: OR-ing a small integer into its mantissa and subtracting
    // 2⁵² converts that integer to a double without an integer-to-float instruction.
    const TWO_52: u64 = 0x4330_0000_0000_0000;
    let bits = x.to_bits();
    let mut m = f64::from_bits((bits & MANTISSA) | (1023 << 52));
    let mut e = f64::from_bits(TWO_52 | (bits >> 52)) - f64::from_bits(TWO_52) - 1023.0;
    let high = m > std::f64::consts::SQRT_2;
    m = if high { 0.5 * m } else { m };
    e = if high { e + 1.0 } else { e };
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    let mut p = 1.0 / 23.0;
    for denominator in [21.0, 19.0, 17.0, 15.0, 13.0, 11.0, 9.0, 7.0, 5.0, 3.0, 1.0] {
        p = p * t2 + 1.0 / denominator;
    }
    // ln x = e ln 2 + 2 t p, the small terms first.
    (e * LN2_LO + 2.0 * t * p) + e * LN2_HI
}

/// `asin x` for `|x| ≤ ½`, to about 1 ulp: the Taylor series `x + x·z·P(z)`, `z = x²`, to
/// degree 51 in `x` (truncation below 3e-18 relative at `x = ½`).
#[inline(always)]
fn asin_small(x: f64) -> f64 {
    let z = x * x;
    let mut p = 0.0022014739737101384;
    for coefficient in [
        0.002338091892111975,
        0.0024894486782468836,
        0.00265787063820729,
        0.002846178401108942,
        0.0030578216492580306,
        0.003297059503473485,
        0.0035692053938259347,
        0.003880964558837669,
        0.004240907093679363,
        0.004660143486915096,
        0.005153309682319905,
        0.005740037670841924,
        0.006447210311889649,
        0.0073125258735988454,
        0.008390335809616815,
        0.009761609529194078,
        0.011551800896139705,
        0.01396484375,
        0.017352764423076924,
        0.022372159090909092,
        0.030381944444444444,
        0.044642857142857144,
        0.075,
        0.16666666666666666,
    ] {
        p = p * z + coefficient;
    }
    x + x * (z * p)
}

/// `asin x` for `x ∈ [−1, 1]` to within 2 ulp, branch-free; NaN outside.
///
/// Below `|x| = ½` the series of [`asin_small`]; above, `asin |x| = π/2 − 2 asin √((1 − |x|)/2)`,
/// whose argument is at most ½ and exact to rounding (`1 − |x|` is exact there).
#[inline(always)]
pub(crate) fn asin(x: f64) -> f64 {
    // π/2 split so that the subtraction below loses nothing to rounding.
    const PIO2_HI: f64 = f64::from_bits(0x3ff9_21fb_5444_2d18);
    const PIO2_LO: f64 = f64::from_bits(0x3c91_a626_3314_5c07);
    let a = x.abs();
    let high = a > 0.5;
    let reduced = if high { (0.5 * (1.0 - a)).sqrt() } else { a };
    let p = asin_small(reduced);
    let y = if high {
        PIO2_HI - (2.0 * p - PIO2_LO)
    } else {
        p
    };
    y.copysign(x)
}

/// `acos x` for `x ∈ [−1, 1]` to within 2 ulp, branch-free; NaN outside.
///
/// `acos x = 2 asin √((1 − x)/2)`, accurate where `x` is near 1; for `x < −½`,
/// `π − 2 asin √((1 + x)/2)`; in between `π/2 − asin x`.
#[inline(always)]
pub(crate) fn acos(x: f64) -> f64 {
    const PI_HI: f64 = f64::from_bits(0x4009_21fb_5444_2d18);
    const PI_LO: f64 = f64::from_bits(0x3ca1_a626_3314_5c07);
    const PIO2_HI: f64 = f64::from_bits(0x3ff9_21fb_5444_2d18);
    const PIO2_LO: f64 = f64::from_bits(0x3c91_a626_3314_5c07);
    let middle = x.abs() <= 0.5;
    let reduced = if middle {
        x
    } else {
        (0.5 * (1.0 - x.abs())).sqrt()
    };
    let p = asin_small(reduced);
    if middle {
        PIO2_HI - (p - PIO2_LO)
    } else if x > 0.0 {
        2.0 * p
    } else {
        PI_HI - (2.0 * p - PI_LO)
    }
}

/// `xʸ = e^{y ln x}` for normal positive `x` and `y ln x ∈ [−708, 709]`, through [`ln`] and
/// [`exp`]. The error grows with `|y ln x|` (the rounding of `ln x`, scaled by `y`, becomes a
/// relative error of the power): within `2 + 2 |y ln x|` ulp, a few ulp over the distances
/// the kernels use.
#[inline(always)]
pub(crate) fn powf(x: f64, y: f64) -> f64 {
    exp(y * ln(x))
}

/// `atan2(y, x)` for finite `y` and `x` to within 2 ulp, branch-free (signed zeros as the C
/// library treats them; `atan2(0, 0)` is 0 or ±π by the signs).
///
/// The ratio `t = min(|x|, |y|) / max(|x|, |y|) ∈ [0, 1]`; above `tan(π/8)`,
/// `atan t = π/4 + atan((t − 1)/(t + 1))`, so the series `u − u³/3 + u⁵/5 − …` only meets
/// `|u| ≤ tan(π/8)`, to degree 45 (truncation below 4e-19 relative); then the octant.
#[inline(always)]
pub(crate) fn atan2(y: f64, x: f64) -> f64 {
    const PIO4_HI: f64 = f64::from_bits(0x3fe9_21fb_5444_2d18);
    const PIO4_LO: f64 = f64::from_bits(0x3c81_a626_3314_5c07);
    const PIO2_HI: f64 = f64::from_bits(0x3ff9_21fb_5444_2d18);
    const PIO2_LO: f64 = f64::from_bits(0x3c91_a626_3314_5c07);
    const PI_HI: f64 = f64::from_bits(0x4009_21fb_5444_2d18);
    const PI_LO: f64 = f64::from_bits(0x3ca1_a626_3314_5c07);
    const TAN_PI_8: f64 = 0.414_213_562_373_095_1;
    let (ax, ay) = (x.abs(), y.abs());
    let (small, large) = (ax.min(ay), ax.max(ay));
    let t = if large == 0.0 { 0.0 } else { small / large };
    let high = t > TAN_PI_8;
    let u = if high { (t - 1.0) / (t + 1.0) } else { t };
    let z = u * u;
    let mut p = 0.022222222222222223;
    for coefficient in [
        -0.023255813953488372,
        0.024390243902439025,
        -0.02564102564102564,
        0.02702702702702703,
        -0.02857142857142857,
        0.030303030303030304,
        -0.03225806451612903,
        0.034482758620689655,
        -0.037037037037037035,
        0.04,
        -0.043478260869565216,
        0.047619047619047616,
        -0.05263157894736842,
        0.058823529411764705,
        -0.06666666666666667,
        0.07692307692307693,
        -0.09090909090909091,
        0.1111111111111111,
        -0.14285714285714285,
        0.2,
        -0.3333333333333333,
    ] {
        p = p * z + coefficient;
    }
    let series = u + u * (z * p);
    let mut r = if high {
        PIO4_HI + (series + PIO4_LO)
    } else {
        series
    };
    r = if ay > ax { PIO2_HI - (r - PIO2_LO) } else { r };
    r = if x.is_sign_negative() {
        PI_HI - (r - PI_LO)
    } else {
        r
    };
    r.copysign(y)
}

/// `Σ xᵢ` in four interleaved partial sums: a fixed order, and a loop that vectorizes.
#[inline(always)]
pub(crate) fn sum(values: &[f64]) -> f64 {
    let mut partial = [0.0; 4];
    let chunks = values.chunks_exact(4);
    let tail: f64 = chunks.remainder().iter().sum();
    for chunk in chunks {
        for (p, x) in partial.iter_mut().zip(chunk) {
            *p += x;
        }
    }
    (partial[0] + partial[1]) + (partial[2] + partial[3]) + tail
}

/// The largest of `values` (−∞ for none), in four lanes so that the loop vectorizes.
#[inline(always)]
pub(crate) fn max(values: &[f64]) -> f64 {
    let mut lanes = [f64::NEG_INFINITY; 4];
    let chunks = values.chunks_exact(4);
    let tail = chunks
        .remainder()
        .iter()
        .fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    for chunk in chunks {
        for (lane, &x) in lanes.iter_mut().zip(chunk) {
            *lane = if x > *lane { x } else { *lane };
        }
    }
    lanes.iter().fold(tail, |a, &b| a.max(b))
}

/// Defines `fn $name(args) -> T` that runs `$inner(args)` compiled for AVX-512 or AVX2 when
/// the processor has it, and for the baseline otherwise. `$inner` must be `#[inline(always)]`,
/// so that its loops are compiled into each version. Rust never fuses a multiply and an add
/// on its own, so both versions round alike and return the same bits.
macro_rules! widest_vectors {
    ($vis:vis fn $name:ident<$(const $c:ident: $cty:ty),+>($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty = $inner:ident) => {
        $vis fn $name<$(const $c: $cty),+>($($arg: $ty),*) -> $ret {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                unsafe fn avx512<$(const $c: $cty),+>($($arg: $ty),*) -> $ret {
                    $inner::<$($c),+>($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the processor has just been found to support AVX-512F.
                    return unsafe { avx512::<$($c),+>($($arg),*) };
                }
                #[target_feature(enable = "avx2")]
                unsafe fn avx2<$(const $c: $cty),+>($($arg: $ty),*) -> $ret {
                    $inner::<$($c),+>($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the processor has just been found to support AVX2.
                    return unsafe { avx2::<$($c),+>($($arg),*) };
                }
            }
            $inner::<$($c),+>($($arg),*)
        }
    };
    ($vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty = $inner:path) => {
        $vis fn $name($($arg: $ty),*) -> $ret {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx512f")]
                unsafe fn avx512($($arg: $ty),*) -> $ret {
                    $inner($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx512f") {
                    // SAFETY: the processor has just been found to support AVX-512F.
                    return unsafe { avx512($($arg),*) };
                }
                #[target_feature(enable = "avx2")]
                unsafe fn avx2($($arg: $ty),*) -> $ret {
                    $inner($($arg),*)
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the processor has just been found to support AVX2.
                    return unsafe { avx2($($arg),*) };
                }
            }
            $inner($($arg),*)
        }
    };
}
pub(crate) use widest_vectors;

#[cfg(test)]
mod tests {
    use super::*;

    fn ulps(a: f64, b: f64) -> f64 {
        ((a - b) / b).abs() / f64::EPSILON
    }

    #[test]
    fn exp_is_within_two_ulp_of_the_library() {
        let mut worst: f64 = 0.0;
        let steps = 2_000_000;
        for i in 0..=steps {
            let x = -708.0 + 1417.0 * i as f64 / steps as f64;
            worst = worst.max(ulps(exp(x), x.exp()));
        }
        for i in 0..=100_000 {
            let x = -1.0 + 2.0 * i as f64 / 100_000.0;
            worst = worst.max(ulps(exp(x), x.exp()));
        }
        assert!(worst <= 2.0, "worst error {worst} ulp");
    }

    #[test]
    fn ln_is_within_two_ulp_of_the_library() {
        let mut worst: f64 = 0.0;
        let mut x = f64::MIN_POSITIVE;
        while x < 1e300 {
            for k in 0..1000 {
                let y = x * (1.0 + k as f64 / 1000.0);
                let (got, want) = (ln(y), y.ln());
                // Relative error, except near 1 where ln vanishes: there, in units of x's ulp.
                let error = if want.abs() > 0.5 {
                    ulps(got, want)
                } else {
                    (got - want).abs() / f64::EPSILON
                };
                worst = worst.max(error);
            }
            x *= 1.7;
        }
        for k in 1..200_000 {
            let y = 0.5 + k as f64 / 200_000.0;
            worst = worst.max((ln(y) - y.ln()).abs() / f64::EPSILON);
        }
        assert!(worst <= 2.0, "worst error {worst} ulp");
    }

    #[test]
    fn atan2_is_within_two_ulp_of_the_library() {
        let mut worst: f64 = 0.0;
        let steps = 1_000_000;
        for i in 0..steps {
            let angle = -std::f64::consts::PI
                + 2.0 * std::f64::consts::PI * (i as f64 + 0.5) / steps as f64;
            for radius in [1e-300, 1e-3, 1.0, 7.5, 1e300] {
                let (y, x) = (radius * angle.sin(), radius * angle.cos());
                worst = worst.max(ulps(atan2(y, x), y.atan2(x)));
            }
        }
        // Axes, diagonals and signed zeros.
        for (y, x) in [
            (0.0, 1.0),
            (-0.0, 1.0),
            (0.0, -1.0),
            (-0.0, -1.0),
            (1.0, 0.0),
            (-1.0, 0.0),
            (0.0, 0.0),
            (-0.0, -0.0),
            (0.0, -0.0),
            (1.0, 1.0),
            (-1.0, -1.0),
            (3.0, -3.0),
            (1e-310, 1.0),
        ] {
            let (got, want) = (atan2(y, x), f64::atan2(y, x));
            assert!(
                got == want || ulps(got, want) <= 2.0,
                "atan2({y}, {x}) = {got}, not {want}"
            );
            assert_eq!(
                got.is_sign_negative(),
                want.is_sign_negative(),
                "atan2({y}, {x})"
            );
        }
        assert!(worst <= 2.0, "worst error {worst} ulp");
    }

    #[test]
    fn asin_and_acos_are_within_two_ulp_of_the_library() {
        let mut worst: f64 = 0.0;
        let steps = 2_000_000;
        for i in 0..=steps {
            let x = -1.0 + 2.0 * i as f64 / steps as f64;
            // At x = 0 the relative error is 0/0 (NaN), which `max` skips; asin(0) = 0 exactly.
            worst = worst.max(ulps(asin(x), x.asin()));
            worst = worst.max(ulps(acos(x), x.acos()));
        }
        // Near the ends and near 0, where the reductions switch or the values are tiny.
        for x in [
            1e-300,
            1e-20,
            1e-8,
            0.4999999999,
            0.5,
            0.5000000001,
            1.0 - 1e-12,
            1.0,
        ] {
            for x in [x, -x] {
                worst = worst.max(ulps(asin(x), x.asin()));
                worst = worst.max(ulps(acos(x), x.acos()));
            }
        }
        assert!(worst <= 2.0, "worst error {worst} ulp");
        assert!(asin(1.5).is_nan() && acos(-1.5).is_nan());
    }

    #[test]
    fn powf_is_within_its_stated_error_over_the_kernels_range() {
        // Chordal distances from the smallest gap the kernels allow (1e-7) to 2, and the
        // Riesz exponents up to 64 in size.
        for s in [-64.0, -8.0, -1.0, -0.5, 0.5, 1.0, 2.0, 8.0, 64.0] {
            for i in 0..=200_000 {
                let d = (2e-7f64).sqrt() * (2.0 / (2e-7f64).sqrt()).powf(i as f64 / 200_000.0);
                let want = d.powf(s);
                let bound = 2.0 + 2.0 * (s * d.ln()).abs();
                let error = ulps(powf(d, s), want);
                assert!(
                    error <= bound,
                    "d = {d}, s = {s}: {error} ulp, bound {bound}"
                );
            }
        }
    }

    #[test]
    fn exp_saturates_outside_its_range() {
        assert_eq!(exp(-709.5), 0.0);
        assert_eq!(exp(-1e300), 0.0);
        assert_eq!(exp(710.0), f64::INFINITY);
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
    }
}
