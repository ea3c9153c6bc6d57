//! SpheREx models as safetensors: `centers` (`n × dim`, f64) and `log_radii` (`n`, f64),
//! with the node names as a JSON list in the metadata.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{bail, Context, Result};
use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};
use sphaera::hierarchy::Balls;

use crate::output::write_atomically;

fn to_bytes(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Writes `balls` and the names of their nodes to `path`, atomically.
pub fn save(path: &Path, balls: &Balls, names: &[String]) -> Result<()> {
    let (n, dim) = (balls.n(), balls.dim());
    let centers = to_bytes(balls.centers());
    let radii = to_bytes(balls.log_radii());
    let tensors = [
        (
            "centers",
            TensorView::new(Dtype::F64, vec![n, dim], &centers)?,
        ),
        ("log_radii", TensorView::new(Dtype::F64, vec![n], &radii)?),
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

/// Reads a model written by [`save`]: the balls and the node names.
pub fn load(path: &Path) -> Result<(Balls, Vec<String>)> {
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
    let (center_shape, centers) = read("centers")?;
    let (radius_shape, log_radii) = read("log_radii")?;
    let [n, dim] = center_shape[..] else {
        bail!("{shown}: centers must be 2-D")
    };
    if radius_shape != [n] || names.len() != n {
        bail!(
            "{shown}: {n} centres, {:?} radii and {} names do not match",
            radius_shape,
            names.len()
        );
    }
    if centers.iter().chain(&log_radii).any(|v| !v.is_finite()) {
        bail!("{shown}: the model holds non-finite values");
    }
    let balls = Balls::from_parts(dim, centers, log_radii)
        .with_context(|| format!("{shown}: inconsistent shapes"))?;
    Ok((balls, names))
}
