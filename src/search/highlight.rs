//! Highlighted snippets of the text a hit matched: the words that matched (exactly, by stem,
//! by completion or with a typo) wrapped in `<mark>`, everything else HTML-escaped, so that a
//! page can insert a snippet as it is.

use super::analysis::{Stems, folded_analyzer, tokens};
use super::query::Marks;

/// A snippet of a long text holds about this many characters around its best matches.
pub const SNIPPET_CHARS: usize = 200;
/// Context kept before the first match of a snippet.
const LEAD_CHARS: usize = 40;

/// The whole of `text` (when short) or its best window, with matches marked; `None` when
/// nothing in it matched.
pub fn highlight(text: &str, marks: &Marks, stems: &mut Stems) -> Option<String> {
    let words = tokens(&mut folded_analyzer(), text);
    let matched: Vec<(usize, usize)> = words
        .into_iter()
        .filter(|(word, _, _)| {
            marks.exact.contains(word)
                || stems
                    .albanian(word)
                    .is_some_and(|s| marks.albanian.contains(&s))
                || stems
                    .english(word)
                    .is_some_and(|s| marks.english.contains(&s))
        })
        .map(|(_, from, to)| (from, to))
        .collect();
    if matched.is_empty() {
        return None;
    }
    let (start, end) = window(text, &matched);
    let mut out = String::with_capacity(end - start + 32);
    if start > 0 {
        out.push('…');
    }
    let mut at = start;
    for &(from, to) in matched
        .iter()
        .filter(|(from, to)| *from >= start && *to <= end)
    {
        escape_into(&mut out, &text[at..from]);
        out.push_str("<mark>");
        escape_into(&mut out, &text[from..to]);
        out.push_str("</mark>");
        at = to;
    }
    escape_into(&mut out, &text[at..end]);
    if end < text.len() {
        out.push('…');
    }
    Some(out)
}

/// The byte range of the snippet: the whole text when short, otherwise the window of about
/// [`SNIPPET_CHARS`] holding the most matches, cut at spaces.
fn window(text: &str, matched: &[(usize, usize)]) -> (usize, usize) {
    if text.chars().count() <= SNIPPET_CHARS {
        return (0, text.len());
    }
    let best_first = matched
        .iter()
        .map(|&(from, _)| {
            let count = matched
                .iter()
                .filter(|(f, t)| *f >= from && char_span(text, from, *t) <= SNIPPET_CHARS)
                .count();
            (count, std::cmp::Reverse(from))
        })
        .max()
        .map_or(0, |(_, std::cmp::Reverse(from))| from);
    let start = back_chars(text, best_first, LEAD_CHARS);
    let start = if start == 0 {
        0
    } else {
        text[start..best_first]
            .find(' ')
            .map_or(start, |space| start + space + 1)
    };
    let end = forward_chars(text, start, SNIPPET_CHARS);
    let end = if end == text.len() {
        end
    } else {
        text[..end]
            .rfind(' ')
            .filter(|&e| e > best_first)
            .unwrap_or(end)
    };
    (start, end)
}

fn char_span(text: &str, from: usize, to: usize) -> usize {
    text[from..to].chars().count()
}

/// The byte offset `n` characters before `at` (or 0).
fn back_chars(text: &str, at: usize, n: usize) -> usize {
    text[..at]
        .char_indices()
        .rev()
        .nth(n.saturating_sub(1))
        .map_or(0, |(i, _)| i)
}

/// The byte offset `n` characters after `at` (or the end).
fn forward_chars(text: &str, at: usize, n: usize) -> usize {
    text[at..]
        .char_indices()
        .nth(n)
        .map_or(text.len(), |(i, _)| at + i)
}

fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marks(exact: &[&str], albanian: &[&str]) -> Marks {
        Marks {
            exact: exact.iter().map(|s| (*s).to_owned()).collect(),
            albanian: albanian.iter().map(|s| (*s).to_owned()).collect(),
            english: Default::default(),
        }
    }

    #[test]
    fn marks_exact_and_stemmed_matches_and_escapes_the_rest() {
        let text = "Organizatat <b>& shoqëria</b> civile";
        let out = highlight(
            text,
            &marks(&["civile"], &["organizate"]),
            &mut Stems::new(),
        );
        assert_eq!(
            out.as_deref(),
            Some("<mark>Organizatat</mark> &lt;b&gt;&amp; shoqëria&lt;/b&gt; <mark>civile</mark>")
        );
    }

    #[test]
    fn nothing_matched_means_no_snippet() {
        assert_eq!(
            highlight("mjedis", &marks(&["rini"], &[]), &mut Stems::new()),
            None
        );
    }

    #[test]
    fn a_long_text_is_cut_around_its_matches() {
        let text = format!(
            "{} prokurimi publik {}",
            "fjalë ".repeat(100),
            "tjetër ".repeat(100)
        );
        let out = highlight(&text, &marks(&["prokurimi"], &[]), &mut Stems::new()).unwrap();
        assert!(out.starts_with('…') && out.ends_with('…'), "{out}");
        assert!(out.contains("<mark>prokurimi</mark> publik"));
        assert!(
            out.chars().count() < SNIPPET_CHARS + 40,
            "{}",
            out.chars().count()
        );
    }
}
