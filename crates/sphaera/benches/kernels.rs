//! The dispersion kernels, value and gradient, each as a sequential and a parallel twin.
//! `cargo bench -p sphaera --bench kernels`; timings in BENCHMARKS.md are from bench step.

use divan::Bencher;
use sphaera::disperse::{build, Context, Method, MethodOptions, Regularizer};
use sphaera::random::{seeded, uniform_sphere};
use sphaera::{Par, Points};

fn main() {
    divan::main();
}

const N: usize = 2000;
const DIM: usize = 64;

fn run(bencher: Bencher, method: Method, par: Par) {
    let x = uniform_sphere(N, DIM, &mut seeded(0));
    let regularizer: Box<dyn Regularizer> = build(method, &MethodOptions::default()).unwrap();
    let mut grad = Points::zeros(N, DIM);
    let mut ctx = Context::new(1);
    ctx.par = par;
    bencher.bench_local(|| regularizer.value_and_grad(&x, 1.0, &mut grad, &mut ctx));
}

macro_rules! twins {
    ($($name:ident => $method:expr),* $(,)?) => {
        $(
            mod $name {
                use super::*;

                #[divan::bench]
                fn sequential(bencher: Bencher) {
                    run(bencher, $method, Par::Seq);
                }

                #[divan::bench]
                fn parallel(bencher: Bencher) {
                    run(bencher, $method, Par::Rayon);
                }
            }
        )*
    };
}

twins! {
    mmd => Method::Mmd,
    uniformity => Method::Uniformity,
    mhe => Method::Mhe,
    mma => Method::Mma,
    mmcs => Method::Mmcs,
    koleo => Method::Koleo,
    lloyd => Method::Lloyd,
    sliced => Method::Sliced,
    sliced_axis => Method::SlicedAxis,
    ssw => Method::Ssw,
}
