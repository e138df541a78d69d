//! What is made once per segment (or per segment and set of deletions) and kept between
//! searches: a few entries, all dropped when one more would exceed the limit, since the
//! segments searched change only by commits and merges.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

/// Entries kept at most, all dropped when one more comes.
const MAX_KEPT: usize = 64;

pub struct Kept<K, V> {
    entries: Mutex<Option<HashMap<K, V>>>,
}

impl<K: Eq + Hash, V: Clone> Kept<K, V> {
    pub const fn new() -> Kept<K, V> {
        Kept {
            entries: Mutex::new(None),
        }
    }

    /// The entry of `key`, if kept and `fresh` (an entry made before a segment's latest
    /// deletions is not).
    pub fn get(&self, key: &K, fresh: impl FnOnce(&V) -> bool) -> Option<V> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.as_ref()?.get(key).filter(|v| fresh(v)).cloned()
    }

    /// Keeps `value` for `key`, in place of any entry it had.
    pub fn keep(&self, key: K, value: V) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let entries = entries.get_or_insert_with(HashMap::new);
        if entries.len() >= MAX_KEPT && !entries.contains_key(&key) {
            entries.clear();
        }
        entries.insert(key, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_entries_until_one_more_than_the_limit_comes() {
        let kept: Kept<usize, usize> = Kept::new();
        for key in 0..MAX_KEPT {
            kept.keep(key, key * 10);
        }
        assert_eq!(kept.get(&3, |_| true), Some(30));
        assert_eq!(
            kept.get(&3, |&v| v != 30),
            None,
            "a stale entry is not given"
        );
        kept.keep(3, 31);
        assert_eq!(
            kept.get(&0, |_| true),
            Some(0),
            "replacing an entry drops nothing"
        );
        kept.keep(MAX_KEPT, 1);
        assert_eq!(kept.get(&0, |_| true), None);
        assert_eq!(kept.get(&MAX_KEPT, |_| true), Some(1));
    }
}
