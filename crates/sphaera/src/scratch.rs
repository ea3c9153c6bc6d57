//! Per-thread buffers that hot paths reuse from call to call instead of allocating.

use std::cell::RefCell;
use std::thread::LocalKey;

/// Runs `f` on `len` values of the calling thread's buffer `key`, reset to `T::default()`;
/// the buffer keeps its allocation for the next call. Should `key` be in use further up
/// the same thread's stack (a nested call), `f` gets a fresh vector instead.
pub(crate) fn with_buffer<T: Clone + Default, R>(
    key: &'static LocalKey<RefCell<Vec<T>>>,
    len: usize,
    f: impl FnOnce(&mut [T]) -> R,
) -> R {
    key.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => {
            buffer.clear();
            buffer.resize(len, T::default());
            f(&mut buffer)
        }
        Err(_) => f(&mut vec![T::default(); len]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    thread_local! {
        static VALUES: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
    }

    #[test]
    fn buffers_start_zeroed_and_nest() {
        let sum = with_buffer(&VALUES, 4, |outer| {
            outer.fill(2.0);
            // The same buffer asked for again while in use: a fresh one, zeroed.
            let inner = with_buffer(&VALUES, 3, |inner| inner.iter().sum::<f64>());
            outer.iter().sum::<f64>() + inner
        });
        assert_eq!(sum, 8.0);
        assert_eq!(
            with_buffer(&VALUES, 5, |again| again.iter().sum::<f64>()),
            0.0
        );
    }
}
