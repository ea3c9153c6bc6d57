//! Every regularizer, with its random draws made explicit so tests can fix or rotate them.

use sphaera::disperse::{
    random_planes, Anchor, Context, Distance, Kernel, Koleo, Lloyd, Mma, Mmcs, Mmd, Regularizer,
    Sliced, SlicedAxis, Ssw, Uniformity,
};
use sphaera::random::{gaussian_points, seeded, uniform_sphere, SeededRng};
use sphaera::{Par, Points};

/// The random inputs of the stochastic regularizers, drawn once.
#[derive(Clone)]
pub struct Draws {
    pub samples: Points,
    pub planes: Points,
    pub axes: Vec<(usize, usize)>,
    pub anchor: Points,
}

impl Draws {
    pub fn new(n: usize, dim: usize, rng: &mut SeededRng) -> Self {
        use rand::Rng;
        let axes = (0..3)
            .map(|_| {
                let a = rng.random_range(0..dim);
                let b = (a + 1 + rng.random_range(0..dim - 1)) % dim;
                (a, b)
            })
            .collect();
        Self {
            samples: uniform_sphere(40, dim, rng),
            planes: random_planes(3, dim, rng),
            axes,
            anchor: uniform_sphere(n, dim, rng),
        }
    }

    /// The same draws seen in coordinates rotated by `rotate`.
    pub fn rotated(
        &self,
        rotate: impl Fn(&Points) -> Points,
        permute_axes: impl Fn(usize) -> usize,
    ) -> Self {
        Self {
            samples: rotate(&self.samples),
            planes: rotate(&self.planes),
            axes: self
                .axes
                .iter()
                .map(|&(a, b)| (permute_axes(a), permute_axes(b)))
                .collect(),
            anchor: rotate(&self.anchor),
        }
    }
}

/// A regularizer evaluation: `(x, scale, grad, par) -> value`.
type Eval = Box<dyn Fn(&Points, f64, &mut Points, Par) -> f64 + Sync>;

/// A named regularizer evaluation.
pub struct Case {
    pub name: String,
    /// Whether the value is unchanged by any rotation (false only for sliced-axis, whose
    /// planes are tied to the coordinate axes).
    pub rotation_invariant: bool,
    /// Whether the value is only piecewise smooth (it depends on a nearest neighbour or a
    /// rank, which switch).
    pub piecewise: bool,
    eval: Eval,
}

impl Case {
    pub fn eval(&self, x: &Points, scale: f64, grad: &mut Points, par: Par) -> f64 {
        (self.eval)(x, scale, grad, par)
    }

    /// Value and a fresh gradient.
    pub fn value_and_grad(&self, x: &Points, par: Par) -> (f64, Points) {
        let mut grad = Points::zeros(x.n(), x.dim());
        let value = self.eval(x, 1.0, &mut grad, par);
        (value, grad)
    }

    pub fn value(&self, x: &Points) -> f64 {
        self.value_and_grad(x, Par::Seq).0
    }
}

fn plain(name: String, reg: impl Regularizer + 'static) -> Case {
    Case {
        piecewise: ["mma", "mmcs", "koleo"].contains(&name.as_str()),
        name,
        rotation_invariant: true,
        eval: Box::new(move |x, scale, grad, par| {
            let mut ctx = Context::new(0);
            ctx.par = par;
            reg.value_and_grad(x, scale, grad, &mut ctx)
        }),
    }
}

/// Every kernel of `mmd` with the parameters tests use.
pub fn kernels() -> Vec<Kernel> {
    vec![
        Kernel::Gaussian { gamma: 0.7 },
        Kernel::Laplace { gamma: 1.3 },
        Kernel::Riesz { s: 1.0 },
        Kernel::Riesz { s: 2.5 },
        Kernel::Riesz { s: 0.0 },
        Kernel::Riesz { s: -1.0 },
    ]
}

/// Every regularizer (each kernel × distance of `mmd`), with `draws` for the stochastic ones.
pub fn all(draws: &Draws) -> Vec<Case> {
    let mut cases = Vec::new();
    for kernel in kernels() {
        for distance in [Distance::Euclidean, Distance::Geodesic] {
            let mmd = Mmd::new(kernel, distance).unwrap();
            cases.push(plain(format!("mmd {kernel:?} {distance:?}"), mmd));
        }
    }
    cases.push(plain("uniformity".into(), Uniformity::new(2.0).unwrap()));
    cases.push(plain("mhe".into(), Mmd::mhe(1.0).unwrap()));
    cases.push(plain("mma".into(), Mma));
    cases.push(plain("mmcs".into(), Mmcs));
    cases.push(plain("koleo".into(), Koleo));
    cases.push(plain("anchor".into(), Anchor::new(draws.anchor.clone())));
    let samples = draws.samples.clone();
    cases.push(Case {
        name: "lloyd".into(),
        rotation_invariant: true,
        piecewise: true,
        eval: Box::new(move |x, scale, grad, par| {
            let mut ctx = Context::new(0);
            ctx.par = par;
            Lloyd::value_and_grad_with_samples(x, &samples, scale, grad, &ctx)
        }),
    });
    let planes = draws.planes.clone();
    cases.push(Case {
        name: "sliced".into(),
        rotation_invariant: true,
        piecewise: true,
        eval: Box::new(move |x, scale, grad, par| {
            Sliced::value_and_grad_with_planes(x, &planes, scale, grad, par)
        }),
    });
    let planes = draws.planes.clone();
    cases.push(Case {
        name: "ssw".into(),
        rotation_invariant: true,
        piecewise: true,
        eval: Box::new(move |x, scale, grad, par| {
            Ssw::value_and_grad_with_planes(x, &planes, scale, grad, par)
        }),
    });
    let axes = draws.axes.clone();
    cases.push(Case {
        name: "sliced-axis".into(),
        rotation_invariant: false,
        piecewise: true,
        eval: Box::new(move |x, scale, grad, par| {
            SlicedAxis::value_and_grad_with_axes(x, &axes, scale, grad, par)
        }),
    });
    cases
}

/// `n` uniform points and draws for them, from `seed`.
pub fn setup(n: usize, dim: usize, seed: u64) -> (Points, Draws) {
    let mut rng = seeded(seed);
    let x = uniform_sphere(n, dim, &mut rng);
    let draws = Draws::new(n, dim, &mut rng);
    (x, draws)
}

/// A uniformly random orthogonal matrix (`dim × dim`, row-major), by Gram–Schmidt.
pub fn random_rotation(dim: usize, rng: &mut SeededRng) -> Points {
    let mut q = gaussian_points(dim, dim, rng);
    for i in 0..dim {
        for j in 0..i {
            let proj: f64 = q.row(i).iter().zip(q.row(j)).map(|(a, b)| a * b).sum();
            let qj = q.row(j).to_vec();
            q.row_mut(i)
                .iter_mut()
                .zip(&qj)
                .for_each(|(a, b)| *a -= proj * b);
        }
        let norm = sphaera::sphere::norm(q.row(i));
        q.row_mut(i).iter_mut().for_each(|a| *a /= norm);
    }
    q
}

/// Rows of `x` multiplied by the orthogonal `r`: `x_i ↦ R x_i`.
pub fn rotate(x: &Points, r: &Points) -> Points {
    let mut out = Points::zeros(x.n(), x.dim());
    for (row, o) in x.rows().zip(out.rows_mut()) {
        for (k, ok) in o.iter_mut().enumerate() {
            *ok = r.row(k).iter().zip(row).map(|(a, b)| a * b).sum();
        }
    }
    out
}

/// Clustered start: `n` points within about `spread` radians of a random direction (not a
/// coordinate axis, which would favour or handicap the axis-aligned method).
pub fn clustered(n: usize, dim: usize, spread: f64, seed: u64) -> Points {
    let mut rng = seeded(seed);
    let mut x = gaussian_points(n, dim, &mut rng);
    for row in x.rows_mut() {
        row.iter_mut().for_each(|v| *v *= spread);
        row[0] = 1.0;
    }
    sphaera::sphere::normalize_rows(&mut x).unwrap();
    rotate(&x, &random_rotation(dim, &mut rng))
}
