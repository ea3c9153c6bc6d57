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

/// `Σ f(xᵢ).0` over `values`, replacing each `xᵢ` by `f(xᵢ).1`. The sum runs in four
/// interleaved partial sums (a fixed order, so results are reproducible) so that the loop
/// can be vectorized.
#[inline(always)]
pub(crate) fn map_sum(values: &mut [f64], f: impl Fn(f64) -> (f64, f64)) -> f64 {
    let mut partial = [0.0; 4];
    let mut chunks = values.chunks_exact_mut(4);
    for chunk in &mut chunks {
        for (x, sum) in chunk.iter_mut().zip(&mut partial) {
            let (value, replacement) = f(*x);
            *sum += value;
            *x = replacement;
        }
    }
    let mut tail = 0.0;
    for x in chunks.into_remainder() {
        let (value, replacement) = f(*x);
        tail += value;
        *x = replacement;
    }
    (partial[0] + partial[1]) + (partial[2] + partial[3]) + tail
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

/// Defines `fn $name(args) -> T` that runs `$inner(args)` compiled for AVX2 when the
/// processor has it, and for the baseline otherwise. `$inner` must be `#[inline(always)]`,
/// so that its loops are compiled into each version. Rust never fuses a multiply and an add
/// on its own, so both versions round alike and return the same bits.
macro_rules! widest_vectors {
    ($vis:vis fn $name:ident($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty = $inner:path) => {
        $vis fn $name($($arg: $ty),*) -> $ret {
            #[cfg(target_arch = "x86_64")]
            {
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
    fn exp_saturates_outside_its_range() {
        assert_eq!(exp(-709.5), 0.0);
        assert_eq!(exp(-1e300), 0.0);
        assert_eq!(exp(710.0), f64::INFINITY);
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(exp(-0.0), 1.0);
    }

    #[test]
    fn map_sum_visits_every_value_once() {
        for len in 0..11 {
            let mut values: Vec<f64> = (0..len).map(|i| i as f64).collect();
            let sum = map_sum(&mut values, |x| (x, 2.0 * x));
            assert_eq!(sum, (0..len).sum::<usize>() as f64);
            assert!(values.iter().enumerate().all(|(i, &v)| v == 2.0 * i as f64));
        }
    }
}
