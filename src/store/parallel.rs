//! Independent per-item work (reading thousands of session folders) spread
//! over the cores, results in the items' order.

/// `items.iter().map(f).collect()`, on up to every core: each thread takes a
/// contiguous share of at least `min_share` items. A panic in `f` is
/// re-raised here, as it would be without threads.
pub fn map_on_cores<T: Sync, R: Send>(
    items: &[T],
    min_share: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = cores.min(items.len() / min_share.max(1)).max(1);
    if threads == 1 {
        return items.iter().map(f).collect();
    }
    let share = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(share)
            .map(|chunk| scope.spawn(move || chunk.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for handle in handles {
            match handle.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_order_whatever_the_share() {
        let items: Vec<u32> = (0..1000).collect();
        for min_share in [1, 7, 100, 5000] {
            let doubled = map_on_cores(&items, min_share, |n| n * 2);
            assert_eq!(doubled, items.iter().map(|n| n * 2).collect::<Vec<_>>());
        }
        assert!(map_on_cores(&[] as &[u32], 1, |n| *n).is_empty());
    }
}
