//! Reading and writing point tables as NumPy `.npy` files.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};
use npyz::{DType, Order, TypeChar, WriterBuilder};
use sphaera::Points;

/// Reads a 2-D float32 or float64 array (C or Fortran order) as `f64` points.
pub fn read_points(path: &Path) -> Result<Points> {
    let shown = path.display();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {shown}"))?;
    let file = npyz::NpyFile::new(&bytes[..])
        .with_context(|| format!("{shown}: not a valid .npy file"))?;
    let shape = file.shape().to_vec();
    let [rows, cols] = shape[..] else {
        bail!("{shown}: expected a 2-D array, found shape {shape:?}");
    };
    let (rows, cols) = (rows as usize, cols as usize);
    let order = file.order();
    let values: Vec<f64> = match file.dtype() {
        DType::Plain(t) if t.type_char() == TypeChar::Float && t.size_field() == 4 => file
            .into_vec::<f32>()
            .map(|v| v.into_iter().map(f64::from).collect()),
        DType::Plain(t) if t.type_char() == TypeChar::Float && t.size_field() == 8 => {
            file.into_vec::<f64>()
        }
        other => bail!(
            "{shown}: expected float32 or float64, found dtype {}",
            other.descr()
        ),
    }
    .with_context(|| format!("{shown}: truncated or unreadable data"))?;
    if values.len() != rows * cols {
        bail!(
            "{shown}: holds {} values, not the {rows}×{cols} its header says",
            values.len()
        );
    }
    let values = match order {
        Order::C => values,
        Order::Fortran => (0..rows * cols)
            .map(|k| values[(k % cols) * rows + k / cols])
            .collect(),
    };
    Ok(Points::from_vec(rows, cols, values)?)
}

/// The element type a table is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dtype {
    /// Half the size; enough for embeddings.
    F32,
    /// Every bit the computation produced: for configurations judged to 1e-6°.
    F64,
}

/// Writes `points` as a 2-D array of `dtype` into `out` (any writer).
pub fn write_points(points: &Points, dtype: Dtype, out: impl Write) -> Result<()> {
    let shape = [points.n() as u64, points.dim() as u64];
    let out = BufWriter::new(out);
    match dtype {
        Dtype::F32 => {
            let mut writer = npyz::WriteOptions::new()
                .default_dtype()
                .shape(&shape)
                .writer(out)
                .begin_nd()?;
            writer.extend(points.as_slice().iter().map(|&v| v as f32))?;
            writer.finish()?;
        }
        Dtype::F64 => {
            let mut writer = npyz::WriteOptions::new()
                .default_dtype()
                .shape(&shape)
                .writer(out)
                .begin_nd()?;
            writer.extend(points.as_slice().iter().copied())?;
            writer.finish()?;
        }
    }
    Ok(())
}

/// Writes `points` to `path` atomically (see [`crate::output::write_atomically`]).
pub fn save_points(points: &Points, dtype: Dtype, path: &Path) -> Result<()> {
    crate::output::write_atomically(path, |file: &mut File| write_points(points, dtype, file))
}
