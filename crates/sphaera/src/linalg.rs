//! A safe, bounds-checked face on `matrixmultiply`'s strided `dgemm`.

/// A read-only strided matrix view.
#[derive(Clone, Copy)]
pub(crate) struct MatRef<'a> {
    pub data: &'a [f64],
    pub rows: usize,
    pub cols: usize,
    pub row_stride: usize,
    pub col_stride: usize,
}

/// A mutable strided matrix view.
pub(crate) struct MatMut<'a> {
    pub data: &'a mut [f64],
    pub rows: usize,
    pub cols: usize,
    pub row_stride: usize,
    pub col_stride: usize,
}

impl<'a> MatRef<'a> {
    /// Row-major `rows × cols` with contiguous rows.
    pub fn row_major(data: &'a [f64], rows: usize, cols: usize) -> Self {
        Self {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose of a row-major `cols × rows` matrix, without copying.
    pub fn transposed(data: &'a [f64], rows: usize, cols: usize) -> Self {
        Self {
            data,
            rows,
            cols,
            row_stride: 1,
            col_stride: rows,
        }
    }

    fn max_index(&self) -> Option<usize> {
        (self.rows > 0 && self.cols > 0)
            .then(|| (self.rows - 1) * self.row_stride + (self.cols - 1) * self.col_stride)
    }
}

impl<'a> MatMut<'a> {
    /// Row-major `rows × cols` with contiguous rows.
    pub fn row_major(data: &'a mut [f64], rows: usize, cols: usize) -> Self {
        Self {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    fn max_index(&self) -> Option<usize> {
        (self.rows > 0 && self.cols > 0)
            .then(|| (self.rows - 1) * self.row_stride + (self.cols - 1) * self.col_stride)
    }
}

/// `c ← alpha · a · b + beta · c`.
///
/// # Panics
/// If the shapes do not chain or a view reaches past its slice (a bug in the caller).
pub(crate) fn gemm(alpha: f64, a: MatRef<'_>, b: MatRef<'_>, beta: f64, c: MatMut<'_>) {
    assert_eq!(a.cols, b.rows, "gemm: inner dimensions differ");
    assert_eq!((a.rows, b.cols), (c.rows, c.cols), "gemm: output shape");
    let fits = |max: Option<usize>, len: usize| max.is_none_or(|m| m < len);
    assert!(fits(a.max_index(), a.data.len()), "gemm: a out of bounds");
    assert!(fits(b.max_index(), b.data.len()), "gemm: b out of bounds");
    assert!(fits(c.max_index(), c.data.len()), "gemm: c out of bounds");
    if c.rows == 0 || c.cols == 0 {
        return;
    }
    // SAFETY: every index the kernel touches is at most `max_index` of its view, checked
    // above against the slice length; `c` is borrowed mutably and so aliases nothing.
    unsafe {
        matrixmultiply::dgemm(
            c.rows,
            a.cols,
            c.cols,
            alpha,
            a.data.as_ptr(),
            a.row_stride as isize,
            a.col_stride as isize,
            b.data.as_ptr(),
            b.row_stride as isize,
            b.col_stride as isize,
            beta,
            c.data.as_mut_ptr(),
            c.row_stride as isize,
            c.col_stride as isize,
        );
    }
}
