//! Per-thread buffers that hot paths reuse from call to call instead of allocating.

use std::cell::RefCell;
use std::thread::LocalKey;

/// Runs `f` on `len` values of the calling thread's buffer `key`, which keeps its
/// allocation for the next call. The values are whatever the buffer last held (new ones are
/// `T::default()`): every caller writes each value before reading it, so no pass is spent
/// clearing. Should `key` be in use further up the same thread's stack (a nested call), `f`
/// gets a fresh vector instead.
pub(crate) fn with_buffer<T: Clone + Default, R>(
    key: &'static LocalKey<RefCell<Vec<T>>>,
    len: usize,
    f: impl FnOnce(&mut [T]) -> R,
) -> R {
    key.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buffer) => {
            if buffer.len() < len {
                buffer.resize(len, T::default());
            }
            f(&mut buffer[..len])
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
    fn buffers_are_kept_and_nest() {
        let first = with_buffer(&VALUES, 4, |outer| {
            assert_eq!(outer.len(), 4);
            outer.fill(2.0);
            // The same buffer asked for again while in use: a fresh one, of its own length.
            let inner = with_buffer(&VALUES, 3, |inner| {
                assert_eq!(inner.len(), 3);
                inner.as_ptr()
            });
            assert_ne!(inner, outer.as_ptr());
            outer.as_ptr()
        });
        // A later call gets the same allocation back, at the length it asks for.
        let (again, len) = with_buffer(&VALUES, 2, |again| (again.as_ptr(), again.len()));
        assert_eq!((again, len), (first, 2));
    }
}
