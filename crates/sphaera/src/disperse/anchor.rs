//! The anchor task: stay near a starting table while dispersing it.

use crate::disperse::regularizer::{Context, Regularizer};
use crate::points::Points;

/// `mean_i ‖x_i − x_i⁰‖²`: keeps an existing embedding table close to where it started,
/// so that dispersing it does not erase what it encodes.
///
/// ```
/// use sphaera::disperse::{Anchor, Context, Regularizer};
/// use sphaera::Points;
/// let start = Points::from_vec(1, 2, vec![1.0, 0.0]).unwrap();
/// let anchor = Anchor::new(start);
/// let moved = Points::from_vec(1, 2, vec![0.0, 1.0]).unwrap();
/// assert!((anchor.value(&moved, &mut Context::new(0)) - 2.0).abs() < 1e-12);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Anchor {
    start: Points,
}

impl Anchor {
    /// Anchors to `start`.
    pub fn new(start: Points) -> Self {
        Self { start }
    }
}

impl Regularizer for Anchor {
    fn value_and_grad(&self, x: &Points, scale: f64, grad: &mut Points, _: &mut Context) -> f64 {
        let n = x.n() as f64;
        let mut value = 0.0;
        for ((g, a), b) in grad
            .as_mut_slice()
            .iter_mut()
            .zip(x.as_slice())
            .zip(self.start.as_slice())
        {
            let diff = a - b;
            value += diff * diff;
            *g += scale * 2.0 * diff / n;
        }
        value / n
    }
}
