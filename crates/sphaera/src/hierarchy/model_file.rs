//! Trained hierarchy models as safetensors files, with the node names as a JSON list in the
//! metadata: balls as `centers` (`n × dim`) and `log_radii` (`n`); caps as `directions`
//! (`n × dim`, unit rows) and `angular_radii` (`n`, radians); the point baselines as one
//! tensor named after their geometry, `poincare_points` or `euclidean_points` (`n × dim`);
//! order embeddings as `order_vectors` (`n × dim`) and `order_margin` (one value, the loss's
//! `α`); Gumbel boxes as `box_min` and `box_max` (`n × dim` each) and `box_beta` (one value,
//! the temperature); entailment cones as `euclidean_cone_apexes` or `hyperbolic_cone_apexes`
//! (`n × dim`) and `cone_margin` (one value, the loss's `γ`). All f64. The kind is told by the tensor names, so balls and caps keep
//! the layout `sphaera hierarchy train --out` has written since models were first saved.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};

use crate::data::{Hierarchy, Split};
use crate::error::{Error, Result};
use crate::files::write_atomically;
use crate::hierarchy::cones::{ConeGeometry, Cones};
use crate::hierarchy::evaluate::{evaluate, Evaluated};
use crate::hierarchy::regions::Regions;
use crate::hierarchy::{
    Balls, Boxes, Caps, Euclidean, EuclideanCones, HyperbolicCones, Order, Poincare,
};

/// A trained hierarchy model of either kind.
#[derive(Clone, Debug, PartialEq)]
pub enum Model {
    /// Balls in `R^d` (SpheREx).
    Balls(Balls),
    /// Caps of the unit sphere.
    Caps(Caps),
    /// Points in the Poincaré ball (Nickel & Kiela 2017).
    Poincare(Poincare),
    /// Points in `R^d` (Nickel & Kiela's Euclidean baseline).
    Euclidean(Euclidean),
    /// Order embeddings (Vendrov et al. 2016).
    Order(Order),
    /// Gumbel boxes (Dasgupta et al. 2020).
    Boxes(Boxes),
    /// Entailment cones in `R^d` (Ganea et al. 2018).
    EuclideanCones(EuclideanCones),
    /// Entailment cones in the Poincaré ball (Ganea et al. 2018).
    HyperbolicCones(HyperbolicCones),
}

/// Something done with a model whatever its kind: [`Model::visit`] calls `visit` with the
/// regions inside.
pub trait RegionsVisitor {
    /// What the visit returns.
    type Output;

    /// The work, for regions `M`.
    fn visit<M: Regions>(self, model: &M) -> Self::Output;
}

macro_rules! into_model {
    ($($variant:ident($regions:ty)),* $(,)?) => {
        $(impl From<$regions> for Model {
            fn from(model: $regions) -> Model {
                Model::$variant(model)
            }
        })*

        impl Model {
            /// `visitor.visit(regions)` with the regions of this model.
            pub fn visit<V: RegionsVisitor>(&self, visitor: V) -> V::Output {
                match self {
                    $(Model::$variant(model) => visitor.visit(model),)*
                }
            }
        }
    };
}

into_model!(
    Balls(Balls),
    Caps(Caps),
    Poincare(Poincare),
    Euclidean(Euclidean),
    Order(Order),
    Boxes(Boxes),
    EuclideanCones(EuclideanCones),
    HyperbolicCones(HyperbolicCones),
);

impl Model {
    /// The model judged on `hierarchy` (and `split`, if given) by [`evaluate`], whatever
    /// its kind; `names` are its rows' nodes.
    pub fn evaluate(
        &self,
        names: &[String],
        hierarchy: &Hierarchy,
        split: Option<&Split>,
    ) -> Result<Evaluated> {
        struct Judge<'a> {
            names: &'a [String],
            hierarchy: &'a Hierarchy,
            split: Option<&'a Split>,
        }
        impl RegionsVisitor for Judge<'_> {
            type Output = Result<Evaluated>;
            fn visit<M: Regions>(self, model: &M) -> Result<Evaluated> {
                evaluate(model, self.names, self.hierarchy, self.split)
            }
        }
        self.visit(Judge {
            names,
            hierarchy,
            split,
        })
    }

    /// Writes the model and the names of its nodes (one per row) to `path`, atomically.
    ///
    /// ```
    /// use sphaera::hierarchy::{Balls, Model};
    /// let dir = std::env::temp_dir().join(format!("sphaera-model-doc-{}", std::process::id()));
    /// std::fs::create_dir_all(&dir).unwrap();
    /// let path = dir.join("m.safetensors");
    /// let model = Model::Balls(Balls::initial(2, 3, 0));
    /// let names = vec!["dog".to_string(), "animal".to_string()];
    /// model.save(&path, &names).unwrap();
    /// assert_eq!(Model::load(&path).unwrap(), (model, names));
    /// # std::fs::remove_dir_all(&dir).unwrap();
    /// ```
    pub fn save(&self, path: &Path, names: &[String]) -> Result<()> {
        let (n, tensors): (usize, Vec<Tensor>) = match self {
            Model::Balls(b) => (
                b.n(),
                vec![
                    ("centers", vec![b.n(), b.dim()], to_bytes(&b.centers())),
                    ("log_radii", vec![b.n()], to_bytes(&b.log_radii())),
                ],
            ),
            Model::Caps(c) => (
                c.n(),
                vec![
                    ("directions", vec![c.n(), c.dim()], to_bytes(&c.centers())),
                    ("angular_radii", vec![c.n()], to_bytes(&c.angular_radii())),
                ],
            ),
            Model::Poincare(p) => (
                p.n(),
                vec![(POINCARE, vec![p.n(), p.dim()], to_bytes(p.points()))],
            ),
            Model::Euclidean(e) => (
                e.n(),
                vec![(EUCLIDEAN, vec![e.n(), e.dim()], to_bytes(e.points()))],
            ),
            Model::Order(o) => (
                o.n(),
                vec![
                    ("order_vectors", vec![o.n(), o.dim()], to_bytes(o.vectors())),
                    ("order_margin", vec![1], to_bytes(&[o.margin()])),
                ],
            ),
            Model::Boxes(x) => (
                x.n(),
                vec![
                    ("box_min", vec![x.n(), x.dim()], to_bytes(&x.min_corners())),
                    ("box_max", vec![x.n(), x.dim()], to_bytes(&x.max_corners())),
                    ("box_beta", vec![1], to_bytes(&[x.beta()])),
                ],
            ),
            Model::EuclideanCones(c) => (c.n(), cone_tensors(EUCLIDEAN_CONES, c)),
            Model::HyperbolicCones(c) => (c.n(), cone_tensors(HYPERBOLIC_CONES, c)),
        };
        if names.len() != n {
            return Err(Error::Shape {
                what: "node names",
                expected: vec![n],
                found: vec![names.len()],
            });
        }
        let invalid = |e: safetensors::SafeTensorError| Error::EmptyData {
            file: path.display().to_string(),
            message: format!("cannot lay out the model ({e})"),
        };
        let tensors = tensors
            .iter()
            .map(|(name, shape, bytes)| {
                TensorView::new(Dtype::F64, shape.clone(), bytes)
                    .map(|view| (*name, view))
                    .map_err(invalid)
            })
            .collect::<Result<Vec<_>>>()?;
        // One key only: safetensors writes the metadata map in hash order, and a model file
        // should be the same bytes every time.
        let names = serde_json::to_string(names).map_err(|e| Error::EmptyData {
            file: path.display().to_string(),
            message: format!("cannot write the node names ({e})"),
        })?;
        let metadata = HashMap::from([("names".to_string(), names)]);
        let bytes = safetensors::serialize(tensors, Some(metadata)).map_err(invalid)?;
        write_atomically(path, |file| file.write_all(&bytes))
    }

    /// Reads a model written by [`Model::save`]: the model and the node names.
    pub fn load(path: &Path) -> Result<(Model, Vec<String>)> {
        let bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
        let invalid = |message: String| Error::EmptyData {
            file: path.display().to_string(),
            message,
        };
        let tensors = SafeTensors::deserialize(&bytes)
            .map_err(|e| invalid(format!("not a safetensors file ({e})")))?;
        let (_, header) = SafeTensors::read_metadata(&bytes).map_err(|e| invalid(e.to_string()))?;
        let names_text = header
            .metadata()
            .as_ref()
            .and_then(|m| m.get("names"))
            .ok_or_else(|| invalid("no node names in the metadata".into()))?;
        let names: Vec<String> = serde_json::from_str(names_text)
            .map_err(|_| invalid("the node names are not a JSON list".into()))?;
        let read = |name: &str| -> Result<(Vec<usize>, Vec<f64>)> {
            let t = tensors
                .tensor(name)
                .map_err(|_| invalid(format!("no tensor {name}")))?;
            if t.dtype() != Dtype::F64 {
                return Err(invalid(format!(
                    "tensor {name} is {:?}, expected F64",
                    t.dtype()
                )));
            }
            let values = t
                .data()
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
                .collect();
            Ok((t.shape().to_vec(), values))
        };
        let has = |name: &str| tensors.tensor(name).is_ok();
        let one = |name: &str| -> Result<f64> {
            match read(name)? {
                (shape, values) if shape == [1] => Ok(values[0]),
                (shape, _) => Err(invalid(format!("{name} has shape {shape:?}, expected [1]"))),
            }
        };
        if has("order_vectors") {
            let (shape, vectors) = read("order_vectors")?;
            let (_, dim) = matrix_shape("order_vectors", &shape, names.len(), &invalid)?;
            let order = Order::from_parts(dim, vectors, one("order_margin")?)
                .map_err(|e| invalid(format!("invalid order embeddings: {e}")))?;
            return Ok((Model::Order(order), names));
        }
        if has("box_min") {
            let (shape, mins) = read("box_min")?;
            let (max_shape, maxs) = read("box_max")?;
            let (_, dim) = matrix_shape("box_min", &shape, names.len(), &invalid)?;
            if max_shape != shape {
                return Err(invalid(format!(
                    "box_max has shape {max_shape:?}, box_min {shape:?}"
                )));
            }
            let boxes = Boxes::from_parts(dim, &mins, &maxs, one("box_beta")?)
                .map_err(|e| invalid(format!("invalid boxes: {e}")))?;
            return Ok((Model::Boxes(boxes), names));
        }
        for name in [EUCLIDEAN_CONES, HYPERBOLIC_CONES] {
            if !has(name) {
                continue;
            }
            let (shape, apexes) = read(name)?;
            let (_, dim) = matrix_shape(name, &shape, names.len(), &invalid)?;
            let margin = one("cone_margin")?;
            let model = if name == EUCLIDEAN_CONES {
                EuclideanCones::from_parts(dim, apexes, margin).map(Model::EuclideanCones)
            } else {
                HyperbolicCones::from_parts(dim, apexes, margin).map(Model::HyperbolicCones)
            };
            let model = model.map_err(|e| invalid(format!("invalid cones: {e}")))?;
            return Ok((model, names));
        }
        for name in [POINCARE, EUCLIDEAN] {
            if tensors.tensor(name).is_err() {
                continue;
            }
            let (shape, points) = read(name)?;
            let [n, dim] = shape[..] else {
                return Err(invalid(format!("{name} must be 2-D")));
            };
            if names.len() != n {
                return Err(invalid(format!(
                    "{n} points and {} names do not match",
                    names.len()
                )));
            }
            let model = if name == POINCARE {
                Poincare::from_points(dim, points).map(Model::Poincare)
            } else {
                Euclidean::from_points(dim, points).map(Model::Euclidean)
            };
            let model = model.map_err(|e| invalid(format!("invalid {name}: {e}")))?;
            return Ok((model, names));
        }
        let is_caps = tensors.tensor("directions").is_ok();
        let (first, second) = if is_caps {
            ("directions", "angular_radii")
        } else {
            ("centers", "log_radii")
        };
        let (shape, centers) = read(first)?;
        let (radius_shape, radii) = read(second)?;
        let [n, dim] = shape[..] else {
            return Err(invalid(format!("{first} must be 2-D")));
        };
        if radius_shape != [n] || names.len() != n {
            return Err(invalid(format!(
                "{n} centres, {radius_shape:?} radii and {} names do not match",
                names.len()
            )));
        }
        if centers.iter().chain(&radii).any(|v| !v.is_finite()) {
            return Err(invalid("the model holds non-finite values".into()));
        }
        let model = if is_caps {
            Model::Caps(
                Caps::from_parts(dim, &centers, &radii)
                    .map_err(|e| invalid(format!("invalid caps: {e}")))?,
            )
        } else {
            Model::Balls(
                Balls::from_parts(dim, centers, radii)
                    .map_err(|e| invalid(format!("invalid balls: {e}")))?,
            )
        };
        Ok((model, names))
    }
}

/// The tensor of [`Poincare`] points.
const POINCARE: &str = "poincare_points";
/// The tensor of [`Euclidean`] points.
const EUCLIDEAN: &str = "euclidean_points";

/// The tensor of [`EuclideanCones`] apexes.
const EUCLIDEAN_CONES: &str = "euclidean_cone_apexes";
/// The tensor of [`HyperbolicCones`] apexes.
const HYPERBOLIC_CONES: &str = "hyperbolic_cone_apexes";

fn cone_tensors<G: ConeGeometry>(name: &'static str, cones: &Cones<G>) -> Vec<Tensor> {
    vec![
        (name, vec![cones.n(), cones.dim()], to_bytes(cones.apexes())),
        ("cone_margin", vec![1], to_bytes(&[cones.margin()])),
    ]
}

/// A tensor to write: its name, shape and little-endian f64 bytes.
type Tensor = (&'static str, Vec<usize>, Vec<u8>);

fn to_bytes(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// The `(n, dim)` of a 2-D tensor `name` of `shape` with a row per node name.
fn matrix_shape(
    name: &str,
    shape: &[usize],
    names: usize,
    invalid: &dyn Fn(String) -> Error,
) -> Result<(usize, usize)> {
    match *shape {
        [n, dim] if n == names && dim > 0 => Ok((n, dim)),
        _ => Err(invalid(format!(
            "{name} has shape {shape:?}, expected [{names}, dim] (a row per node name)"
        ))),
    }
}
