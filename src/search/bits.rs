//! A set of the documents of one segment as a bitmap. What a filter or a query matches is
//! computed once as one of these, and combined with others in a few word operations: cheaper
//! than leap-frogging posting lists, and it makes facet counts without a filter a matter of
//! leaving one set out.

use tantivy::DocId;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocBits {
    words: Vec<u64>,
    max_doc: u32,
}

impl DocBits {
    /// No document.
    pub fn empty(max_doc: u32) -> DocBits {
        DocBits {
            words: vec![0; (max_doc as usize).div_ceil(64)],
            max_doc,
        }
    }

    /// Every document id below `max_doc`.
    pub fn full(max_doc: u32) -> DocBits {
        let mut bits = DocBits {
            words: vec![u64::MAX; (max_doc as usize).div_ceil(64)],
            max_doc,
        };
        if !max_doc.is_multiple_of(64)
            && let Some(last) = bits.words.last_mut()
        {
            *last = (1u64 << (max_doc % 64)) - 1;
        }
        bits
    }

    pub fn max_doc(&self) -> u32 {
        self.max_doc
    }

    #[inline]
    pub fn insert(&mut self, doc: DocId) {
        self.words[(doc / 64) as usize] |= 1 << (doc % 64);
    }

    #[inline]
    pub fn remove(&mut self, doc: DocId) {
        self.words[(doc / 64) as usize] &= !(1 << (doc % 64));
    }

    #[inline]
    pub fn contains(&self, doc: DocId) -> bool {
        doc < self.max_doc && self.words[(doc / 64) as usize] & (1 << (doc % 64)) != 0
    }

    /// How many documents are in the set.
    pub fn len(&self) -> u32 {
        self.words.iter().map(|w| w.count_ones()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.words.iter().all(|&w| w == 0)
    }

    /// How many documents are in both sets.
    pub fn count_and(&self, other: &DocBits) -> u32 {
        self.words
            .iter()
            .zip(&other.words)
            .map(|(w, o)| (w & o).count_ones())
            .sum()
    }

    /// Keeps the documents also in `other`.
    pub fn and(&mut self, other: &DocBits) {
        for (w, o) in self.words.iter_mut().zip(&other.words) {
            *w &= o;
        }
    }

    /// Adds the documents of `other`.
    pub fn or(&mut self, other: &DocBits) {
        for (w, o) in self.words.iter_mut().zip(&other.words) {
            *w |= o;
        }
    }

    /// Removes the documents of `other`.
    pub fn and_not(&mut self, other: &DocBits) {
        for (w, o) in self.words.iter_mut().zip(&other.words) {
            *w &= !o;
        }
    }

    /// Keeps the documents for which `keep` is true.
    pub fn retain(&mut self, mut keep: impl FnMut(DocId) -> bool) {
        for (index, word) in self.words.iter_mut().enumerate() {
            let mut rest = *word;
            while rest != 0 {
                let bit = rest.trailing_zeros();
                rest &= rest - 1;
                if !keep(index as u32 * 64 + bit) {
                    *word &= !(1 << bit);
                }
            }
        }
    }

    /// The first document of the set at or after `doc`.
    #[inline]
    pub fn next_from(&self, doc: DocId) -> Option<DocId> {
        if doc >= self.max_doc {
            return None;
        }
        let mut index = (doc / 64) as usize;
        let mut word = self.words[index] & (u64::MAX << (doc % 64));
        loop {
            if word != 0 {
                return Some(index as u32 * 64 + word.trailing_zeros());
            }
            index += 1;
            word = *self.words.get(index)?;
        }
    }

    /// The documents in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = DocId> + '_ {
        self.words.iter().enumerate().flat_map(|(index, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                (rest != 0).then(|| {
                    let bit = rest.trailing_zeros();
                    rest &= rest - 1;
                    index as u32 * 64 + bit
                })
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same operations on a `BTreeSet`, the obvious reference.
    #[test]
    fn agrees_with_a_set_of_numbers() {
        use std::collections::BTreeSet;
        let max_doc = 1_000;
        let a_docs: BTreeSet<u32> = (0..max_doc).filter(|d| d % 3 == 0 || d % 7 == 1).collect();
        let b_docs: BTreeSet<u32> = (0..max_doc).filter(|d| d % 5 == 0 || *d > 990).collect();
        let bits = |docs: &BTreeSet<u32>| {
            let mut bits = DocBits::empty(max_doc);
            docs.iter().for_each(|&d| bits.insert(d));
            bits
        };
        let (a, b) = (bits(&a_docs), bits(&b_docs));
        let listed = |bits: &DocBits| bits.iter().collect::<BTreeSet<u32>>();
        assert_eq!(listed(&a), a_docs);
        assert_eq!(a.len() as usize, a_docs.len());
        let mut and = a.clone();
        and.and(&b);
        assert_eq!(listed(&and), &a_docs & &b_docs);
        let mut or = a.clone();
        or.or(&b);
        assert_eq!(listed(&or), &a_docs | &b_docs);
        let mut and_not = a.clone();
        and_not.and_not(&b);
        assert_eq!(listed(&and_not), &a_docs - &b_docs);
        let mut even = a.clone();
        even.retain(|d| d % 2 == 0);
        assert_eq!(
            listed(&even),
            a_docs.iter().copied().filter(|d| d % 2 == 0).collect()
        );
        for doc in [0, 1, 63, 64, 65, 500, 991, 999, 1_000, 5_000] {
            assert_eq!(a.contains(doc), a_docs.contains(&doc), "{doc}");
            assert_eq!(
                a.next_from(doc),
                a_docs.range(doc..).next().copied(),
                "{doc}"
            );
        }
    }

    #[test]
    fn a_full_set_holds_exactly_the_documents_below_max_doc() {
        for max_doc in [0, 1, 63, 64, 65, 130] {
            let full = DocBits::full(max_doc);
            assert_eq!(full.len(), max_doc);
            assert_eq!(
                full.iter().collect::<Vec<_>>(),
                (0..max_doc).collect::<Vec<_>>()
            );
            assert!(!full.contains(max_doc));
        }
    }
}
