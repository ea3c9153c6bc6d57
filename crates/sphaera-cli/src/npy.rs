//! Reading and writing point tables as NumPy `.npy` files.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{bail, Context, Result};
use npyz::{DType, Order, TypeChar, WriterBuilder};
use sphaera::Points;

/// Reads a 2-D float32 or float64 array (C or Fortran order) as `f64` points.
///
/// The header's shape is checked against the file's length before anything is allocated
/// for the values, so a hostile header cannot ask for more memory than the file holds.
pub fn read_points(path: &Path) -> Result<Points> {
    let shown = path.display();
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {shown}"))?;
    // npyz multiplies the shape without checking; refuse a product that overflows first.
    if let Some(shape) = header_shape(&bytes) {
        if shape
            .iter()
            .filter(|&&d| d != 0)
            .try_fold(1u64, |acc, &d| acc.checked_mul(d))
            .is_none()
        {
            bail!("{shown}: header shape {shape:?} is too large for any file");
        }
    }
    let file = npyz::NpyFile::new(&bytes[..])
        .with_context(|| format!("{shown}: not a valid .npy file"))?;
    let shape = file.shape().to_vec();
    let [rows, cols] = shape[..] else {
        bail!("{shown}: expected a 2-D array, found shape {shape:?}");
    };
    let size = match file.dtype() {
        DType::Plain(t) if t.type_char() == TypeChar::Float && matches!(t.size_field(), 4 | 8) => {
            t.size_field()
        }
        other => bail!(
            "{shown}: expected float32 or float64, found dtype {}",
            other.descr()
        ),
    };
    let needed = rows.checked_mul(cols).and_then(|v| v.checked_mul(size));
    if needed.is_none_or(|b| b > bytes.len() as u64) {
        bail!(
            "{shown}: truncated: its header says {rows}×{cols} values of {size} bytes, \
             the file has {} bytes",
            bytes.len()
        );
    }
    // Both fit in memory now: the file holds rows · cols values.
    let (rows, cols) = (rows as usize, cols as usize);
    let order = file.order();
    let values: Vec<f64> = if size == 4 {
        file.into_vec::<f32>()
            .map(|v| v.into_iter().map(f64::from).collect())
    } else {
        file.into_vec::<f64>()
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
    Points::from_vec(rows, cols, values).with_context(|| format!("{shown}"))
}

/// The `'shape': (a, b, …)` of a `.npy` header, when it can be read; `None` leaves the
/// header to npyz, which reports what is wrong with it.
fn header_shape(bytes: &[u8]) -> Option<Vec<u64>> {
    let rest = bytes.strip_prefix(b"\x93NUMPY")?;
    let (&major, rest) = rest.split_first()?;
    let rest = rest.get(1..)?; // minor version
    let (len, rest) = if major == 1 {
        (
            u16::from_le_bytes(rest.get(..2)?.try_into().ok()?) as usize,
            rest.get(2..)?,
        )
    } else {
        (
            u32::from_le_bytes(rest.get(..4)?.try_into().ok()?) as usize,
            rest.get(4..)?,
        )
    };
    let header = std::str::from_utf8(rest.get(..len)?).ok()?;
    let after = &header[header.find("'shape'")? + "'shape'".len()..];
    let tuple = &after[after.find('(')? + 1..];
    let tuple = &tuple[..tuple.find(')')?];
    tuple
        .split(',')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| d.trim_end_matches('L').parse().ok())
        .collect()
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
    let mut out = BufWriter::new(out);
    match dtype {
        Dtype::F32 => {
            let mut writer = npyz::WriteOptions::new()
                .default_dtype()
                .shape(&shape)
                .writer(&mut out)
                .begin_nd()?;
            writer.extend(points.as_slice().iter().map(|&v| v as f32))?;
            writer.finish()?;
        }
        Dtype::F64 => {
            let mut writer = npyz::WriteOptions::new()
                .default_dtype()
                .shape(&shape)
                .writer(&mut out)
                .begin_nd()?;
            writer.extend(points.as_slice().iter().copied())?;
            writer.finish()?;
        }
    }
    // Dropping a BufWriter would flush it silently, losing a write error (a full disk).
    out.flush()?;
    Ok(())
}

/// Writes `points` to `path` atomically (see [`crate::output::write_atomically`]).
pub fn save_points(points: &Points, dtype: Dtype, path: &Path) -> Result<()> {
    crate::output::write_atomically(path, |file: &mut File| write_points(points, dtype, file))
}
