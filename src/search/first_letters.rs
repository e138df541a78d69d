//! Suggestions for the first letters typed, kept until the index changes. One or two letters
//! are the costliest suggestions (their completions reach most names) and the most repeated:
//! every user starts a word with them, and there are only a few hundred.

use std::collections::HashMap;
use std::sync::Mutex;

use super::SearchError;
use super::suggest::Suggestions;
use crate::model::fold;

/// Texts of at most this many characters, folded, have their answers kept.
const MAX_CHARS: usize = 2;
/// Answers kept at most; past it they are all dropped (it takes every letter pair at every
/// page size to get there).
const MAX_KEPT: usize = 4_096;

#[derive(Default)]
pub(super) struct FirstLetters {
    kept: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    /// The searcher generation the answers were computed on.
    generation: u64,
    answers: HashMap<(String, usize), Suggestions>,
}

impl FirstLetters {
    /// The answer for `text` on the searcher of `generation`: kept, or computed by `suggest`
    /// (and kept when `text` is short). Answers depend only on the folded text, the limit and
    /// the index.
    pub fn answer(
        &self,
        generation: u64,
        text: &str,
        limit: usize,
        suggest: impl FnOnce() -> Result<Suggestions, SearchError>,
    ) -> Result<Suggestions, SearchError> {
        let key = fold(text.trim());
        if key.chars().count() > MAX_CHARS {
            return suggest();
        }
        let key = (key, limit);
        if let Some(answer) = self
            .lock()
            .answers_for(generation)
            .and_then(|a| a.get(&key))
        {
            return Ok(answer.clone());
        }
        let answer = suggest()?;
        if let Some(answers) = self.lock().answers_for(generation) {
            if answers.len() >= MAX_KEPT {
                answers.clear();
            }
            answers.insert(key, answer.clone());
        }
        Ok(answer)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.kept.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Kept {
    /// The answers computed on the searcher of `generation`, if it is the newest seen: a newer
    /// one drops those of older ones, and a request still on an older one neither reads nor
    /// keeps answers (generations only grow).
    fn answers_for(
        &mut self,
        generation: u64,
    ) -> Option<&mut HashMap<(String, usize), Suggestions>> {
        if generation > self.generation {
            self.generation = generation;
            self.answers.clear();
        }
        (generation == self.generation).then_some(&mut self.answers)
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::search::suggest::TagSuggestion;

    fn answer_with(tag: &str) -> Suggestions {
        Suggestions {
            names: Vec::new(),
            expertise: vec![TagSuggestion {
                tag: tag.to_owned(),
                count: 1,
            }],
        }
    }

    /// Asks for `text` on `generation`; returns the answer's tag and whether it was computed.
    fn ask(kept: &FirstLetters, generation: u64, text: &str, tag: &str) -> (String, bool) {
        let computed = Cell::new(false);
        let answer = kept
            .answer(generation, text, 8, || {
                computed.set(true);
                Ok(answer_with(tag))
            })
            .unwrap();
        (answer.expertise[0].tag.clone(), computed.get())
    }

    #[test]
    fn one_or_two_letters_are_computed_once_per_index_generation() {
        let kept = FirstLetters::default();
        assert_eq!(ask(&kept, 1, "sh", "a"), ("a".into(), true));
        assert_eq!(ask(&kept, 1, "sh", "b"), ("a".into(), false));
        // The same letters however typed: capitals, ë for e, spaces around.
        assert_eq!(ask(&kept, 1, " SH ", "b"), ("a".into(), false));
        assert_eq!(ask(&kept, 1, "ë", "e1"), ("e1".into(), true));
        assert_eq!(ask(&kept, 1, "e", "e2"), ("e1".into(), false));
        // The index changed: computed again.
        assert_eq!(ask(&kept, 2, "sh", "c"), ("c".into(), true));
    }

    #[test]
    fn longer_texts_are_always_computed() {
        let kept = FirstLetters::default();
        assert_eq!(ask(&kept, 1, "sho", "a"), ("a".into(), true));
        assert_eq!(ask(&kept, 1, "sho", "b"), ("b".into(), true));
        assert_eq!(ask(&kept, 1, "s h", "c"), ("c".into(), true));
    }

    #[test]
    fn a_request_on_an_older_index_neither_reads_nor_keeps_answers() {
        let kept = FirstLetters::default();
        assert_eq!(ask(&kept, 3, "sh", "new"), ("new".into(), true));
        assert_eq!(ask(&kept, 2, "sh", "old"), ("old".into(), true));
        assert_eq!(ask(&kept, 3, "sh", "other"), ("new".into(), false));
    }
}
