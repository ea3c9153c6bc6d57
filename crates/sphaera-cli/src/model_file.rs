//! Hierarchy models as safetensors, with the node names as a JSON list in the metadata:
//! balls as `centers` (`n × dim`) and `log_radii` (`n`); caps as `directions` (`n × dim`,
//! unit rows) and `angular_radii` (`n`, radians). All f64.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};
use sphaera::hierarchy::{Balls, Caps};

use crate::output::write_atomically;

/// A trained hierarchy model of either kind.
pub enum Model {
    Balls(Balls),
    Caps(Caps),
}

fn to_bytes(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Writes `model` and the names of its nodes to `path`, atomically.
pub fn save(path: &Path, model: &Model, names: &[String]) -> Result<()> {
    let (n, dim, first, second) = match model {
        Model::Balls(b) => (
            b.n(),
            b.dim(),
            ("centers", b.centers()),
            ("log_radii", b.log_radii()),
        ),
        Model::Caps(c) => (
            c.n(),
            c.dim(),
            ("directions", c.centers()),
            ("angular_radii", c.angular_radii()),
        ),
    };
    let (a, b) = (to_bytes(&first.1), to_bytes(&second.1));
    let tensors = [
        (first.0, TensorView::new(Dtype::F64, vec![n, dim], &a)?),
        (second.0, TensorView::new(Dtype::F64, vec![n], &b)?),
    ];
    // One key only: safetensors writes the metadata map in hash order, and a model file
    // should be the same bytes every time.
    let metadata = HashMap::from([("names".to_string(), serde_json::to_string(names)?)]);
    let bytes = safetensors::serialize(tensors, Some(metadata))?;
    write_atomically(path, |file| {
        use std::io::Write;
        file.write_all(&bytes)?;
        Ok(())
    })
}

/// Reads a model written by [`save`]: the model and the node names.
pub fn load(path: &Path) -> Result<(Model, Vec<String>)> {
    let shown = path.display();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {shown}"))?;
    let tensors = SafeTensors::deserialize(&bytes)
        .map_err(|e| anyhow::anyhow!("{shown}: not a safetensors file ({e})"))?;
    let (_, header) =
        SafeTensors::read_metadata(&bytes).map_err(|e| anyhow::anyhow!("{shown}: {e}"))?;
    let names: Vec<String> = header
        .metadata()
        .as_ref()
        .and_then(|m| m.get("names"))
        .map(|text| serde_json::from_str(text))
        .transpose()
        .with_context(|| format!("{shown}: the node names are not a JSON list"))?
        .with_context(|| format!("{shown}: no node names in the metadata"))?;
    let read = |name: &str| -> Result<(Vec<usize>, Vec<f64>)> {
        let t = tensors
            .tensor(name)
            .map_err(|_| anyhow::anyhow!("{shown}: no tensor {name}"))?;
        if t.dtype() != Dtype::F64 {
            bail!("{shown}: tensor {name} is {:?}, expected F64", t.dtype());
        }
        let values = t
            .data()
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
            .collect();
        Ok((t.shape().to_vec(), values))
    };
    let is_caps = tensors.tensor("directions").is_ok();
    let (first, second) = if is_caps {
        ("directions", "angular_radii")
    } else {
        ("centers", "log_radii")
    };
    let (shape, centers) = read(first)?;
    let (radius_shape, radii) = read(second)?;
    let [n, dim] = shape[..] else {
        bail!("{shown}: {first} must be 2-D")
    };
    if radius_shape != [n] || names.len() != n {
        bail!(
            "{shown}: {n} centres, {radius_shape:?} radii and {} names do not match",
            names.len()
        );
    }
    if centers.iter().chain(&radii).any(|v| !v.is_finite()) {
        bail!("{shown}: the model holds non-finite values");
    }
    let model = if is_caps {
        Model::Caps(
            Caps::from_parts(dim, &centers, &radii)
                .with_context(|| format!("{shown}: invalid caps"))?,
        )
    } else {
        Model::Balls(
            Balls::from_parts(dim, centers, radii)
                .with_context(|| format!("{shown}: invalid balls"))?,
        )
    };
    Ok((model, names))
}
