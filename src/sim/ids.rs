//! Session ids derived from the seed: `sesn_<index>_<hash>`, so that ids
//! sort in creation order and the same seed gives the same ids.

/// Hands out session indexes and ids in creation order.
#[derive(Debug, Clone)]
pub struct IdAllocator {
    seed: u64,
    next: u32,
}

impl IdAllocator {
    pub fn new(seed: u64) -> Self {
        Self { seed, next: 1 }
    }

    pub fn next(&mut self) -> (u32, String) {
        let index = self.next;
        self.next += 1;
        (index, session_id(self.seed, index))
    }

    pub fn count(&self) -> u32 {
        self.next - 1
    }
}

pub fn session_id(seed: u64, index: u32) -> String {
    let hash = splitmix64(seed ^ (u64::from(index) << 32 | u64::from(index)));
    format!("sesn_{index:04}_{:06x}", hash & 0xff_ffff)
}

/// The seed for one session's generator: independent streams per index.
pub fn session_seed(seed: u64, index: u32) -> u64 {
    splitmix64(seed.wrapping_add(u64::from(index).wrapping_mul(0x9e37_79b9_7f4a_7c15)))
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_depend_on_seed_and_sort_by_index() {
        let mut a = IdAllocator::new(7);
        let mut b = IdAllocator::new(7);
        let ids: Vec<String> = (0..20).map(|_| a.next().1).collect();
        assert_eq!(ids, (0..20).map(|_| b.next().1).collect::<Vec<_>>());
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        assert_ne!(session_id(7, 1), session_id(8, 1));
        assert!(crate::store::paths::is_valid_session_id(&ids[0]));
    }
}
