//! Builds the excerpt shown for a hit: the passages of a paragraph around its matches, with
//! the matched words marked.
//!
//! Finding which words matched uses the index's own analyzer, so stemmed and case-folded matches
//! (`closure` in "unilateral closure", `Pakistan’s`) are marked exactly when they matched.
//! Choosing and joining fragments is pure string work; colouring is left to `render`.

use serde::Serialize;
use std::collections::HashSet;
use std::ops::Range;
use tantivy::tokenizer::TextAnalyzer;
use unicode_segmentation::UnicodeSegmentation;

/// Part of a paragraph, with the matched words marked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excerpt {
    /// The excerpt: whole passages of the paragraph, joined with ` … ` when they are far apart.
    pub text: String,
    /// Byte ranges of `text` that matched the query, sorted and disjoint.
    pub highlights: Vec<Range<usize>>,
}

impl Excerpt {
    /// The highlight ranges as character offsets, the form JSON consumers expect.
    pub fn char_highlights(&self) -> Vec<[usize; 2]> {
        self.highlights
            .iter()
            .map(|r| {
                let start = self.text[..r.start].chars().count();
                let len = self.text[r.clone()].chars().count();
                [start, start + len]
            })
            .collect()
    }
}

/// Matches closer than this (in bytes) share a fragment.
const CLUSTER_GAP: usize = 60;
/// At most this many fragments per excerpt.
const MAX_FRAGMENTS: usize = 3;
/// How far a fragment boundary may move to land between words.
const SNAP_LIMIT: usize = 24;

/// Byte ranges of the words of `text` whose analyzed form is one of `terms`.
///
/// `analyzer` must be the index's (`schema::english_analyzer`): it tokenizes into runs of
/// alphanumeric characters, and all its filters work on one token at a time, so each run can
/// be analyzed alone. Stemming is most of the cost of highlighting, and most words cannot match:
/// a word that starts with an ASCII character is analyzed into a term starting with that
/// character in lower case (lower-casing and ASCII folding keep it, the English stemmer only
/// rewrites endings), so only words sharing an initial with some term, and for an ASCII word
/// at least as long as one of those terms, are analyzed.
pub(crate) fn match_ranges(
    text: &str,
    analyzer: &mut TextAnalyzer,
    terms: &HashSet<String>,
) -> Vec<Range<usize>> {
    if terms.is_empty() {
        return Vec::new();
    }
    // Per ASCII initial, the length of the shortest term starting with it (`usize::MAX`: none).
    let mut shortest = [usize::MAX; 128];
    for term in terms {
        if let Some(c) = term.chars().next().filter(char::is_ascii) {
            shortest[c as usize] = shortest[c as usize].min(term.len());
        }
    }
    let mut ranges = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, first)) = chars.next() {
        if !first.is_alphanumeric() {
            continue;
        }
        let mut end = start + first.len_utf8();
        while let Some(&(i, c)) = chars.peek() {
            if !c.is_alphanumeric() {
                break;
            }
            end = i + c.len_utf8();
            chars.next();
        }
        // A word with another initial (`Élysée`) may fold to anything: always analyzed. An
        // ASCII word analyzes to a term no longer than itself (lower-casing and folding leave
        // ASCII as it is, and the English stemmer only shortens endings), so one shorter than
        // every term with its initial cannot match: `the` and `to` when the terms are `town`.
        if first.is_ascii() {
            let shortest = shortest[first.to_ascii_lowercase() as usize];
            if shortest == usize::MAX || (text[start..end].is_ascii() && end - start < shortest) {
                continue;
            }
        }
        let mut stream = analyzer.token_stream(&text[start..end]);
        while let Some(token) = stream.next() {
            if terms.contains(&token.text) && token.offset_from < token.offset_to {
                ranges.push(start + token.offset_from..start + token.offset_to);
            }
        }
    }
    ranges
}

fn floor_boundary(text: &str, mut pos: usize) -> usize {
    pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    pos
}

/// The words (Unicode word boundaries, UAX #29) near `pos`, in text order, so that fragments
/// begin and end on whole words in any script, spaced or not. The callers stop at the first word
/// past `pos` that settles their answer: segmenting is most of the cost of an excerpt, and the
/// words further on cannot change it.
fn words_near(text: &str, pos: usize) -> impl Iterator<Item = Range<usize>> + '_ {
    let lo = floor_boundary(text, pos.saturating_sub(4 * SNAP_LIMIT));
    let hi = floor_boundary(text, pos.saturating_add(4 * SNAP_LIMIT));
    text[lo..hi]
        .split_word_bound_indices()
        .filter(|(_, w)| w.chars().next().is_some_and(char::is_alphanumeric))
        .map(move |(i, w)| lo + i..lo + i + w.len())
}

/// Moves `pos` back to the start of the word it falls in (or forward to the next word): the
/// last word start at most [`SNAP_LIMIT`] before it, else the first at most that far after it.
fn snap_start(text: &str, pos: usize) -> usize {
    let pos = floor_boundary(text, pos);
    if pos == 0 {
        return 0;
    }
    let mut before = None;
    for word in words_near(text, pos) {
        if word.start <= pos {
            if pos - word.start <= SNAP_LIMIT {
                before = Some(word.start);
            }
        } else {
            // Starts only grow: the first one past `pos` is the only one that may be near.
            let after = (word.start - pos <= SNAP_LIMIT).then_some(word.start);
            return before.or(after).unwrap_or(pos);
        }
    }
    before.unwrap_or(pos)
}

/// Moves `pos` forward to the end of the word it falls in (or back to the previous word): the
/// first word end at most [`SNAP_LIMIT`] after it, else the last at most that far before it.
fn snap_end(text: &str, pos: usize) -> usize {
    let pos = floor_boundary(text, pos);
    if pos >= text.len() {
        return text.len();
    }
    let mut before = None;
    for word in words_near(text, pos) {
        if word.end < pos {
            if pos - word.end <= SNAP_LIMIT {
                before = Some(word.end);
            }
        } else {
            // Ends only grow: the first one at or past `pos` is the only one that may be near.
            if word.end - pos <= SNAP_LIMIT {
                return word.end;
            }
            return before.unwrap_or(pos);
        }
    }
    before.unwrap_or(pos)
}

/// Chooses up to three passages of `text` around `matches` fitting in about `max_len` bytes.
///
/// Passages are ranked by how many different words they match, then by how many matches they
/// hold, then by position; the chosen ones are shown in text order.
pub fn build_excerpt(text: &str, matches: &[Range<usize>], max_len: usize) -> Excerpt {
    let max_len = max_len.max(40);
    if text.len() <= max_len {
        return Excerpt {
            text: text.to_string(),
            highlights: matches.to_vec(),
        };
    }
    if matches.is_empty() {
        let end = snap_end(text, max_len);
        let end = if end > max_len + SNAP_LIMIT {
            floor_boundary(text, max_len)
        } else {
            end
        };
        return Excerpt {
            text: format!("{}…", text[..end].trim_end()),
            highlights: Vec::new(),
        };
    }

    struct Cluster {
        span: Range<usize>,
        members: Range<usize>,
        distinct: usize,
    }
    let mut clusters: Vec<Cluster> = Vec::new();
    for (i, m) in matches.iter().enumerate() {
        match clusters.last_mut() {
            Some(c)
                if m.start.saturating_sub(c.span.end) <= CLUSTER_GAP
                    && m.end - c.span.start <= max_len / 2 =>
            {
                c.span.end = c.span.end.max(m.end);
                c.members.end = i + 1;
            }
            _ => clusters.push(Cluster {
                span: m.clone(),
                members: i..i + 1,
                distinct: 0,
            }),
        }
    }
    for c in &mut clusters {
        let words: HashSet<String> = matches[c.members.clone()]
            .iter()
            .map(|r| text[r.clone()].to_lowercase())
            .collect();
        c.distinct = words.len();
    }
    let mut ranked: Vec<&Cluster> = clusters.iter().collect();
    ranked.sort_by(|a, b| {
        b.distinct
            .cmp(&a.distinct)
            .then(b.members.len().cmp(&a.members.len()))
            .then(a.span.start.cmp(&b.span.start))
    });
    let mut chosen: Vec<&Cluster> = Vec::new();
    let mut used = 0;
    for cluster in ranked {
        // A fragment needs room for its matches and some context on either side.
        let cost = cluster.span.len() + CLUSTER_GAP;
        if chosen.is_empty() || used + cost <= max_len {
            used += cost;
            chosen.push(cluster);
        }
        if chosen.len() == MAX_FRAGMENTS {
            break;
        }
    }
    chosen.sort_by_key(|c| c.span.start);
    let spans: usize = chosen.iter().map(|c| c.span.len()).sum();
    let context = max_len.saturating_sub(spans) / (2 * chosen.len());

    // Fragment bounds, merged where they touch.
    let mut fragments: Vec<Range<usize>> = Vec::new();
    for c in &chosen {
        // Give the text after a match more room than the text before it: sentences read forward.
        let before = context * 2 / 3;
        let after = context * 2 - before;
        let start = snap_start(text, c.span.start.saturating_sub(before)).min(c.span.start);
        let end = snap_end(text, (c.span.end + after).min(text.len())).max(c.span.end);
        match fragments.last_mut() {
            Some(last) if start <= last.end + 1 => last.end = last.end.max(end),
            _ => fragments.push(start..end),
        }
    }

    let mut out = String::with_capacity(max_len + 16);
    let mut highlights = Vec::new();
    for (i, fragment) in fragments.iter().enumerate() {
        if i == 0 {
            if fragment.start > 0 {
                out.push('…');
            }
        } else {
            out.push_str(" … ");
        }
        let base = out.len();
        out.push_str(&text[fragment.clone()]);
        for m in matches
            .iter()
            .filter(|m| m.start >= fragment.start && m.end <= fragment.end)
        {
            highlights.push(base + m.start - fragment.start..base + m.end - fragment.start);
        }
    }
    if fragments.last().is_some_and(|f| f.end < text.len()) {
        out.push('…');
    }
    Excerpt {
        text: out,
        highlights,
    }
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)] // one highlighted word is the common case
mod tests {
    use super::*;
    use crate::index::schema::english_analyzer;

    fn terms(words: &[&str]) -> HashSet<String> {
        let mut analyzer = english_analyzer();
        let mut set = HashSet::new();
        for w in words {
            let mut stream = analyzer.token_stream(w);
            while let Some(t) = stream.next() {
                set.insert(t.text.clone());
            }
        }
        set
    }

    /// The snapping rules applied to every word near the position, as they were first written:
    /// stopping at the first word that settles the answer must not change any answer.
    #[test]
    fn snapping_stops_early_without_changing_answers() {
        let texts = [
            "The Torkham crossing, closed on 21 February 2025, reopened; trucks waited 3.14 km \
             back. Pneumonoultramicroscopicsilicovolcanoconiosis isn't short: e.g. it's long.",
            "北京市是中华人民共和国的首都，也是全国的政治中心。東京都は日本の首都である。\
             Mixed 日本語 text with Ελληνικά, Русский and العربية words, 😀 emoji 🇵🇰 flags.",
            "a b c d e f g h i j k l m n o p q r s t u v w x y z 0 1 2 3 4 5 6 7 8 9 — – … «»",
            "https://example.org/very/long/path?query=string&other=1 user@example.com \
             C++ and C# (1979–1989) résumé naïve coöperate e\u{301}clair x\u{200d}y",
        ];
        let near = |d: usize| d <= SNAP_LIMIT;
        for text in texts.map(|t| t.repeat(3)) {
            for pos in 0..=text.len() + 2 {
                let p = floor_boundary(&text, pos);
                let words: Vec<Range<usize>> = words_near(&text, p).collect();
                let start = if p == 0 {
                    0
                } else {
                    let before = words.iter().rev().map(|w| w.start);
                    let after = words.iter().map(|w| w.start);
                    (before.clone().find(|&s| s <= p && near(p - s)))
                        .or_else(|| after.clone().find(|&s| s > p && near(s - p)))
                        .unwrap_or(p)
                };
                let end = if p >= text.len() {
                    text.len()
                } else {
                    let after = words.iter().map(|w| w.end);
                    let before = words.iter().rev().map(|w| w.end);
                    (after.clone().find(|&e| e >= p && near(e - p)))
                        .or_else(|| before.clone().find(|&e| e < p && near(p - e)))
                        .unwrap_or(p)
                };
                assert_eq!(snap_start(&text, pos), start, "{pos} in {text:?}");
                assert_eq!(snap_end(&text, pos), end, "{pos} in {text:?}");
            }
        }
    }

    /// `match_ranges` skips an ASCII word shorter than every term with its initial: that holds
    /// only if no ASCII word analyzes to a longer term. Every word of up to three letters or
    /// digits, and words made with the stemmer's suffixes and exceptions, say so.
    #[test]
    fn ascii_words_never_analyze_longer() {
        let mut analyzer = english_analyzer();
        let alphabet: Vec<char> = ('a'..='z').chain('A'..='Z').chain('0'..='9').collect();
        let mut words: Vec<String> = Vec::new();
        for &a in &alphabet {
            words.push(a.to_string());
            for &b in &alphabet {
                words.push(format!("{a}{b}"));
                for &c in alphabet.iter().step_by(3) {
                    words.push(format!("{a}{b}{c}"));
                }
            }
        }
        let stems = [
            "hop", "agre", "condit", "happ", "y", "sky", "dy", "gent", "fl", "ab", "x",
        ];
        let suffixes = [
            "", "s", "es", "ies", "ied", "sses", "us", "ss", "eed", "eedly", "ed", "edly", "ing",
            "ingly", "y", "Y", "tional", "enci", "anci", "abli", "entli", "izer", "ization",
            "ational", "ation", "ator", "alism", "aliti", "alli", "fulness", "ousli", "ousness",
            "iveness", "iviti", "biliti", "bli", "ogi", "fulli", "lessli", "li", "alize", "icate",
            "iciti", "ical", "ful", "ness", "ative", "al", "ance", "ence", "er", "ic", "able",
            "ible", "ant", "ement", "ment", "ent", "ism", "ate", "iti", "ous", "ive", "ize", "ion",
            "e", "ll",
        ];
        for stem in stems {
            for suffix in suffixes {
                words.push(format!("{stem}{suffix}"));
            }
        }
        words.extend(
            [
                "skis", "skies", "dying", "lying", "tying", "idly", "gently", "ugly", "early",
            ]
            .iter()
            .chain(&[
                "only", "singly", "news", "howe", "atlas", "cosmos", "bias", "andes",
            ])
            .map(|w| w.to_string()),
        );
        for word in &words {
            let mut stream = analyzer.token_stream(word);
            while let Some(token) = stream.next() {
                assert!(token.text.len() <= word.len(), "{word} -> {}", token.text);
            }
        }
    }

    #[test]
    fn short_terms_still_match_short_words() {
        let mut analyzer = english_analyzer();
        let text = "The US and us: a UN vote, then the UNs.";
        let found: Vec<&str> = match_ranges(text, &mut analyzer, &terms(&["us", "un"]))
            .into_iter()
            .map(|r| &text[r])
            .collect();
        assert_eq!(found, ["US", "us", "UN", "UNs"]);
    }

    fn marked(excerpt: &Excerpt) -> String {
        let mut out = String::new();
        let mut pos = 0;
        for r in &excerpt.highlights {
            out.push_str(&excerpt.text[pos..r.start]);
            out.push('[');
            out.push_str(&excerpt.text[r.clone()]);
            out.push(']');
            pos = r.end;
        }
        out.push_str(&excerpt.text[pos..]);
        out
    }

    const TORKHAM: &str = "On 6 September 2023, two military posts located close to the Afghanistan border in Chitral district's area of Kalash were attacked by Pakistani Taliban (TTP) in which two Pakistani soldiers and twelve militants were killed. Pakistan claimed that TTP militants crossed the Afghan border to attack those posts within Pakistan. A firing incident occurred near Torkham border crossing resulted in closure of the border crossing. Pakistan’s foreign office said the closure was unilateral.";

    /// Every word of `text` with its analyzed form, analyzing the text as one stream.
    fn analyzed_words(text: &str) -> Vec<(Range<usize>, String)> {
        let mut analyzer = english_analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut words = Vec::new();
        while let Some(token) = stream.next() {
            words.push((token.offset_from..token.offset_to, token.text.clone()));
        }
        words
    }

    const CORPUS: &str = include_str!("../../corpus/afghanistan-pakistan-relations.txt");
    const TRICKY: &str = "dying lying tying skies skis idly gently ugly early only singly news \
        howe atlas cosmos bias andes Yelling yttrium YES y 2025 1979s s S Pakistan's Ärzte \
        Élysée ÉCOLE Œuvre ﬁnance İstanbul 東京 x86_64 ABC123 generously communism arsenal";

    #[test]
    fn analyzed_words_keep_their_ascii_initial() {
        // What `match_ranges` relies on to skip analyzing most words.
        for text in [CORPUS, TRICKY] {
            for (range, analyzed) in analyzed_words(text) {
                let first = text[range.clone()].chars().next().expect("a word");
                if first.is_ascii() {
                    assert_eq!(
                        analyzed.chars().next(),
                        Some(first.to_ascii_lowercase()),
                        "{:?} → {analyzed:?}",
                        &text[range]
                    );
                }
            }
        }
    }

    #[test]
    fn match_ranges_equals_analyzing_the_whole_text() {
        for text in [CORPUS, TRICKY] {
            let words = analyzed_words(text);
            let mut vocabulary: Vec<String> = words.iter().map(|(_, w)| w.clone()).collect();
            vocabulary.sort();
            vocabulary.dedup();
            // Every 7th term alone, and all of them at once.
            let mut sets: Vec<HashSet<String>> = vocabulary
                .iter()
                .step_by(7)
                .map(|w| HashSet::from([w.clone()]))
                .collect();
            sets.push(vocabulary.iter().cloned().collect());
            let mut analyzer = english_analyzer();
            for set in sets {
                let expected: Vec<Range<usize>> = words
                    .iter()
                    .filter(|(_, w)| set.contains(w))
                    .map(|(r, _)| r.clone())
                    .collect();
                assert_eq!(match_ranges(text, &mut analyzer, &set), expected, "{set:?}");
            }
        }
    }

    #[test]
    fn stemmed_and_folded_matches_are_marked() {
        let mut analyzer = english_analyzer();
        let ranges = match_ranges(
            TORKHAM,
            &mut analyzer,
            &terms(&["Torkham", "closures", "pakistan's"]),
        );
        let words: Vec<&str> = ranges.iter().map(|r| &TORKHAM[r.clone()]).collect();
        assert_eq!(
            words,
            ["Pakistan", "Pakistan", "Torkham", "closure", "Pakistan", "closure"]
        );
    }

    #[test]
    fn short_text_is_whole() {
        let ex = build_excerpt("The Torkham crossing was shut.", &[4..11], 200);
        assert_eq!(marked(&ex), "The [Torkham] crossing was shut.");
    }

    #[test]
    fn far_apart_matches_make_fragments() {
        let mut analyzer = english_analyzer();
        let ranges = match_ranges(TORKHAM, &mut analyzer, &terms(&["Chitral", "unilateral"]));
        let ex = build_excerpt(TORKHAM, &ranges, 160);
        let text = marked(&ex);
        assert!(text.contains("[Chitral]"), "{text}");
        assert!(text.contains("[unilateral]"), "{text}");
        assert!(text.contains(" … "), "{text}");
        assert!(text.starts_with('…'), "{text}");
        assert!(ex.text.len() < 240, "{}", ex.text.len());
    }

    #[test]
    fn no_match_shows_the_beginning() {
        let ex = build_excerpt(TORKHAM, &[], 80);
        assert!(ex.text.starts_with("On 6 September 2023"));
        assert!(ex.text.ends_with('…'));
        assert!(ex.highlights.is_empty());
    }

    #[test]
    fn char_offsets_for_json() {
        let text = "Pakistan’s closure of Torkham";
        let ex = Excerpt {
            text: text.to_string(),
            highlights: vec![22..29],
        };
        let start = text[..22].chars().count();
        assert_eq!(ex.char_highlights(), vec![[start, start + 7]]);
    }

    #[test]
    fn fragments_snap_to_words_without_spaces() {
        // No spaces at all: word boundaries still come from UAX #29.
        let text = "日本語".repeat(100) + "Torkham" + &"中文".repeat(100);
        let start = text.find("Torkham").expect("present");
        let ex = build_excerpt(&text, &[start..start + 7], 60);
        assert!(ex.text.contains("Torkham"));
        assert!(ex.text.len() < 200, "{}", ex.text.len());
    }

    #[test]
    fn fragment_edges_are_whole_words() {
        let mut analyzer = english_analyzer();
        let ranges = match_ranges(TORKHAM, &mut analyzer, &terms(&["Kalash"]));
        let ex = build_excerpt(TORKHAM, &ranges, 90);
        let inner = ex.text.trim_start_matches('…').trim_end_matches('…');
        let first = inner.split_whitespace().next().expect("word");
        let last = inner.split_whitespace().last().expect("word");
        assert!(
            TORKHAM.split_whitespace().any(|w| w.starts_with(first)),
            "{first:?} in {:?}",
            ex.text
        );
        assert!(
            TORKHAM.contains(&format!(" {last}")),
            "{last:?} in {:?}",
            ex.text
        );
    }

    #[test]
    fn multibyte_text_never_splits_a_char() {
        let text = "– ".repeat(200) + "Torkham" + &" ’".repeat(200);
        let start = text.find("Torkham").expect("present");
        for max in [40, 61, 77, 100, 333] {
            let ex = build_excerpt(&text, &[start..start + 7], max);
            assert!(ex.text.contains("Torkham"));
        }
    }
}
