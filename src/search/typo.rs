//! Typo tolerance: a query word that matches nothing in the index is searched as the closest
//! word the index does hold (`Torkam` → `Torkham`), and the results say so.
//!
//! This module owns the rule (which words, how many edits, which neighbour wins), the walk of
//! the term dictionaries and the display form of a correction. Which words of a query may be
//! corrected at all is `syntax`'s call (plain words and `+word`, never phrases, fields or
//! exclusions); `query` puts the correction into the query; printing it is `render`'s job.
//!
//! The rule, as Meilisearch's: a word of fewer than 5 letters is never corrected, one of 5 to 8
//! letters by one typo, a longer one by up to two. A typo is an inserted, deleted or replaced
//! letter, or two neighbouring letters swapped (Damerau); one on the first letter counts as two,
//! because people rarely get the first letter wrong. Edits are counted between analyzed forms
//! (stems), since those are what the index holds, so the length that sets the allowance is the
//! shorter of the word and its stem: `swapping` is stemmed to `swap`, and one edit to a
//! four-letter stem is as much a guess as one to a four-letter word (`swap` → `sap`).
//!
//! Only a word whose analyzed form is in no paragraph of any searched field is corrected. The
//! check is the dictionary look-up the search needs anyway for the word's BM25 statistics (see
//! `terms`), so it costs nothing extra; the dictionary walk runs only for words found nowhere.
//! Among the allowed neighbours, the fewest typos win, then the word in the most paragraphs,
//! then the first in alphabetical order.
//!
//! A word found nowhere and not corrected (too short, a number, no close word, or `--exact`)
//! is reported as missing, so that a user is not left to think that results for the other
//! words answer the whole query.

use crate::error::{Error, Result};
use crate::search::snippet::match_ranges;
use crate::search::terms::Terms;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use tantivy::collector::TopDocs;
use tantivy::query::{FuzzyTermQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Searcher, TantivyDocument, TantivyError, Term};

/// A query word that matched nothing, and the word searched for instead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Correction {
    /// The word as the user typed it (`Torkam`).
    pub from: String,
    /// The word searched for instead, as the corpus writes it (`Torkham`).
    pub to: String,
}

/// Shortest word corrected by one typo.
const ONE_TYPO_FROM: usize = 5;
/// Shortest word corrected by up to two typos.
const TWO_TYPOS_FROM: usize = 9;
/// Paragraphs read to find how the corpus writes a corrected word.
const SURFACE_SAMPLE: usize = 5;

/// How many typos a word of `chars` characters may be away from its correction.
///
/// Short words have too many neighbours for a guess to be right (`wars` is one edit from `was`,
/// `bars`, `ward`…); Meilisearch draws the same lines.
pub fn max_typos(chars: usize) -> usize {
    if chars >= TWO_TYPOS_FROM {
        2
    } else if chars >= ONE_TYPO_FROM {
        1
    } else {
        0
    }
}

/// Typos between a typed term and a corpus term: the optimal string alignment distance
/// (insertions, deletions, substitutions and swaps of neighbours, each 1), plus 1 when the first
/// letters differ — Meilisearch's rule that a first-letter typo counts as two
/// (<https://www.meilisearch.com/docs/resources/comparisons/typo_tolerance_vs_fuzzy_search>).
pub fn typos(typed: &str, candidate: &str) -> usize {
    let a: Vec<char> = typed.chars().collect();
    let b: Vec<char> = candidate.chars().collect();
    // rows[i][j]: distance between a[..i] and b[..j]; three rows suffice for a swap.
    let mut before = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let replace = previous[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            let mut best = replace.min(previous[j] + 1).min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    let distance = previous[b.len()];
    distance + usize::from(a.first() != b.first())
}

/// Whether a typed word is one a correction may replace: letters only. A number near another
/// number (`20255`, `1979`) is a different number, not a typo.
fn is_correctable(word: &str) -> bool {
    !word.is_empty() && word.chars().all(char::is_alphabetic)
}

/// Corrects the words of one query against one searcher, remembering what it did.
pub(crate) struct Speller<'a> {
    searcher: &'a Searcher,
    /// The search's term look-ups: a word checked here is looked up once for the whole search.
    terms: &'a Terms<'a>,
    /// The fields the query searches: a word in any of them is not a typo.
    searched: Vec<Field>,
    /// Where to read the corrected word's written form, in order of preference: the indexed
    /// field to find paragraphs holding it, and the stored field to read in them (the paragraph
    /// text is stored in one field and indexed, with the title, in another).
    stored: Vec<(Field, Field)>,
    analyzer: TextAnalyzer,
    /// Whether to correct words at all; when not, words found nowhere are only reported.
    correct: bool,
    /// Analyzed form of each word seen → the word to search instead, if any.
    seen: HashMap<String, Option<String>>,
    corrections: Vec<Correction>,
    /// Words in no paragraph of any searched field, and not corrected, as typed.
    missing: Vec<String>,
}

/// What a [`Speller`] did to one query's words.
#[derive(Debug, Default)]
pub(crate) struct Spelling {
    /// The corrections made, in query order, one per distinct word.
    pub corrections: Vec<Correction>,
    /// The words found nowhere and not corrected, in query order, one per distinct word.
    pub missing: Vec<String>,
}

impl<'a> Speller<'a> {
    /// A speller that corrects words when `correct` is set, and otherwise only notes the words
    /// found nowhere.
    pub(crate) fn new(
        terms: &'a Terms<'a>,
        searched: Vec<Field>,
        stored: Vec<(Field, Field)>,
        analyzer: TextAnalyzer,
        correct: bool,
    ) -> Speller<'a> {
        Speller {
            searcher: terms.searcher(),
            terms,
            searched,
            stored,
            analyzer,
            correct,
            seen: HashMap::new(),
            corrections: Vec::new(),
            missing: Vec::new(),
        }
    }

    /// What was corrected and what is missing.
    pub(crate) fn into_spelling(self) -> Spelling {
        Spelling {
            corrections: self.corrections,
            missing: self.missing,
        }
    }

    /// The word to search instead of `word`, when `word` matches nothing and a close word of the
    /// corpus exists. The replacement is a word of the corpus as written, so the query parser
    /// analyzes it to exactly the corrected term.
    pub(crate) fn rewrite(&mut self, word: &str) -> Result<Option<String>> {
        let Some(term) = self.analyze_one(word) else {
            return Ok(None);
        };
        if let Some(done) = self.seen.get(&term) {
            return Ok(done.clone());
        }
        if self.occurs(&term)? {
            self.seen.insert(term, None);
            return Ok(None);
        }
        let allowed = max_typos(word.chars().count().min(term.chars().count()));
        let replacement = if self.correct && is_correctable(word) {
            self.correct(&term, allowed)?
        } else {
            None
        };
        match &replacement {
            Some(to) => self.corrections.push(Correction {
                from: word.to_string(),
                to: to.clone(),
            }),
            None => self.missing.push(word.to_string()),
        }
        self.seen.insert(term, replacement.clone());
        Ok(replacement)
    }

    /// The analyzed form of `word`, if it is exactly one term.
    fn analyze_one(&mut self, word: &str) -> Option<String> {
        let mut stream = self.analyzer.token_stream(word);
        let first = stream.next()?.text.clone();
        stream.next().is_none().then_some(first)
    }

    /// The best correction of `term`, which is in no paragraph.
    ///
    /// Fewer typos always win (`neighbours`), so the neighbours one typo away are tried before
    /// the dictionary is walked for two: that walk visits far more of it (about 10 ms of an
    /// 18 ms one-shot search on the Wikipedia slice), and a one-typo correction usually exists.
    fn correct(&mut self, term: &str, allowed: usize) -> Result<Option<String>> {
        for count in 1..=allowed {
            for candidate in self.neighbours(term, count)? {
                if let Some(surface) = self.surface(&candidate)? {
                    return Ok(Some(surface));
                }
            }
        }
        Ok(None)
    }

    /// Whether any paragraph holds `term` in a searched field.
    fn occurs(&self, term: &str) -> Result<bool> {
        for &field in &self.searched {
            if self
                .terms
                .occurs(&Term::from_field_text(field, term))
                .map_err(engine)?
            {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Terms of the searched fields exactly `count` typos from `term`, the best correction
    /// first.
    ///
    /// Fewer typos come first: a one-letter slip is a likelier mistake than two, however common
    /// the two-typo word (Norvig's corrector and Meilisearch's typo rule agree); `correct` asks
    /// for one typo before two. Among equals, the word in the most paragraphs; a stable sort of
    /// the alphabetical list keeps the rest in alphabetical order, so a query is always
    /// corrected the same way.
    fn neighbours(&self, term: &str, count: usize) -> Result<Vec<String>> {
        let found = near_terms(self.searcher, &self.searched, term, count)?;
        let mut ranked: Vec<(u64, String)> = found
            .into_iter()
            .filter(|(text, _)| typos(term, text) == count)
            .map(|(text, df)| (df, text))
            .collect();
        ranked.sort_by_key(|(df, _)| std::cmp::Reverse(*df));
        Ok(ranked.into_iter().map(|(_, text)| text).collect())
    }

    /// How the corpus writes `term`: its commonest written form in the best few paragraphs
    /// holding it (`Torkham` for `torkham`), ties to the first in byte order. Falls back on the
    /// term itself when no stored field holds it, if the analyzer leaves it as it is (else the
    /// query parser would search something else); `None` when neither works.
    fn surface(&mut self, term: &str) -> Result<Option<String>> {
        let wanted: HashSet<String> = HashSet::from([term.to_string()]);
        for &(indexed, field) in &self.stored {
            let query = TermQuery::new(
                Term::from_field_text(indexed, term),
                IndexRecordOption::Basic,
            );
            let top = self
                .searcher
                .search(
                    &query,
                    &TopDocs::with_limit(SURFACE_SAMPLE).order_by_score(),
                )
                .map_err(engine)?;
            let mut counts: BTreeMap<String, usize> = BTreeMap::new();
            for (_, address) in top {
                let doc: TantivyDocument = self.searcher.doc(address).map_err(engine)?;
                for value in doc.get_all(field).filter_map(|v| v.as_str()) {
                    for range in match_ranges(value, &mut self.analyzer, &wanted) {
                        *counts.entry(value[range].to_string()).or_default() += 1;
                    }
                }
            }
            let commonest = counts
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
            if let Some((form, _)) = commonest {
                return Ok(Some(form));
            }
        }
        Ok((self.analyze_one(term).as_deref() == Some(term)).then(|| term.to_string()))
    }
}

/// Terms of the `searched` fields within `allowed` edits of `term`, first-letter penalty
/// aside, with the number of paragraphs holding each (summed over fields and segments): a
/// superset of the terms at most `allowed` typos away (`typos`), `term` itself excluded.
fn near_terms(
    searcher: &Searcher,
    searched: &[Field],
    term: &str,
    allowed: usize,
) -> Result<BTreeMap<String, u64>> {
    let (Some(&first), Some(letter)) = (searched.first(), term.chars().next()) else {
        return Ok(BTreeMap::new());
    };
    // A first-letter typo counts as two (`typos`), so the dictionary is walked in parts:
    // the terms that keep the first letter, up to `allowed` edits away, and the others only
    // when the allowance leaves them an edit. Walking the whole dictionary with `allowed`
    // edits visited every branch of its root for nothing (5 ms for one missing word on the
    // Wikipedia slice). The parts do not overlap, so no term is counted twice.
    let keeps = &term.as_bytes()[..letter.len_utf8()];
    // The first byte string after every term starting with `keeps`: the last byte of a
    // UTF-8 character is never 0xFF.
    let mut after = keeps.to_vec();
    if let Some(last) = after.last_mut() {
        *last += 1;
    }
    let mut parts = vec![(allowed, Some(keeps), Some(after.as_slice()))];
    if allowed >= 2 {
        parts.push((allowed - 1, None, Some(keeps)));
        parts.push((allowed - 1, Some(after.as_slice()), None));
    }
    let mut found: BTreeMap<String, u64> = BTreeMap::new();
    for (edits, from, before) in parts {
        // The automaton (edits, swaps counting one) depends on the text only; the field is
        // a placeholder. It finds a superset: `typos` then adds the first-letter penalty.
        let distance = u8::try_from(edits.min(2)).unwrap_or(2);
        let automaton = FuzzyTermQuery::new(Term::from_field_text(first, term), distance, true)
            .automaton()
            .map_err(engine)?;
        for segment in searcher.segment_readers() {
            for &field in searched {
                let inverted = segment.inverted_index(field).map_err(engine)?;
                let mut walk = inverted.terms().search(&automaton);
                if let Some(from) = from {
                    walk = walk.ge(from);
                }
                if let Some(before) = before {
                    walk = walk.lt(before);
                }
                let mut terms = walk
                    .into_stream()
                    .map_err(|err| engine(TantivyError::from(err)))?;
                while terms.advance() {
                    let Ok(text) = std::str::from_utf8(terms.key()) else {
                        continue;
                    };
                    let df = u64::from(terms.value().doc_freq);
                    if text != term && df > 0 {
                        *found.entry(text.to_string()).or_default() += df;
                    }
                }
            }
        }
    }
    Ok(found)
}

fn engine(err: TantivyError) -> Error {
    Error::engine("looking up spelling corrections", err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Record, SearchIndex, SearchRequest};

    /// Paragraphs of `corpus/afghanistan-pakistan-relations.txt`.
    fn article() -> SearchIndex {
        let title = "Afghanistan–Pakistan relations";
        SearchIndex::from_records([
            Record::new("shut", title, "The Torkham border crossing between Pakistan and Afghanistan was shut on 21 February 2025 due to a dispute over Afghan border post construction, disrupting trade and travel."),
            Record::new("firing", title, "A firing incident occurred near Torkham border crossing resulted in closure of the border. Pakistan claimed that Afghanistan is building unlawful structures on the border."),
            Record::new("accords", title, "Although the victorious mujahideen formed a government in 1992 through the Peshawar Accords, Pakistan remained unhappy with new leaders Rabbani and Massoud."),
            Record::new("pashto", title, "Southern and eastern Afghanistan is predominately Pashto-speaking, like the adjacent Khyber-Pakhtunkhwa, Federally Administered Tribal Areas, and northern Balochistan regions in Pakistan."),
            Record::new("kabul", title, "After the May 2017 Kabul attack, the Afghan National Directorate of Security (NDS) claimed that the blast was planned by the Afghan insurgent group Haqqani Network."),
        ])
        .expect("index")
    }

    fn corrections(
        index: &SearchIndex,
        request: &SearchRequest,
    ) -> (Vec<(String, String)>, Vec<String>) {
        let results = index.search(request).expect("search");
        let corrections = results
            .corrections
            .into_iter()
            .map(|c| (c.from, c.to))
            .collect();
        let mut ids: Vec<String> = results.hits.into_iter().map(|h| h.id).collect();
        ids.sort();
        (corrections, ids)
    }

    macro_rules! typo_tests {
        ($($name:ident: $query:expr => [$($from:expr => $to:expr),*], [$($id:expr),*],)*) => {$(
            #[test]
            fn $name() {
                let (found, ids) = corrections(&article(), &SearchRequest::new($query));
                let expected: Vec<(String, String)> =
                    vec![$(($from.to_string(), $to.to_string())),*];
                assert_eq!(found, expected, "corrections of {:?}", $query);
                let expected_ids: Vec<&str> = vec![$($id),*];
                assert_eq!(ids, expected_ids, "hits of {:?}", $query);
            }
        )*};
    }

    typo_tests! {
        one_edit_in_six_letters: "Torkam" => ["Torkam" => "Torkham"], ["firing", "shut"],
        any_case: "TORKAM" => ["TORKAM" => "Torkham"], ["firing", "shut"],
        transposition_is_one_edit: "Pehsawar" => ["Pehsawar" => "Peshawar"], ["accords"],
        two_edits_in_nine_letters: "Balochstn" => ["Balochstn" => "Balochistan"], ["pashto"],
        two_edits_in_eight_letters_is_too_many: "Peshwr" => [], [],
        four_letters_are_never_corrected: "Kabl" => [], [],
        first_letter_counts_twice: "Mabul" => [], [],
        first_letter_in_a_long_word: "Malochistan" => ["Malochistan" => "Balochistan"], ["pashto"],
        numbers_are_never_corrected: "20255" => [], [],
        existing_word_is_kept: "Torkham" => [], ["firing", "shut"],
        stemmed_form_exists: "closures" => [], ["firing"],
        only_the_missing_word: "Torkam closure" => ["Torkam" => "Torkham"], ["firing", "shut"],
        repeated_word_once: "Torkam torkam" => ["Torkam" => "Torkham"], ["firing", "shut"],
        must_word: "+Torkam" => ["Torkam" => "Torkham"], ["firing", "shut"],
        with_operators: "(Torkam OR Kabul) AND border" => ["Torkam" => "Torkham"], ["firing", "shut"],
        phrase_is_exact: "\"Torkam\"" => [], [],
        field_is_exact: "text:Torkam" => [], [],
        // Corrected to `Torkham`, the exclusion would drop "firing" and "shut".
        exclusion_is_not_corrected: "Pakistan -Torkam" => [], ["accords", "firing", "kabul", "pashto", "shut"],
        not_is_not_corrected: "Pakistan NOT Torkam" => [], ["accords", "firing", "kabul", "pashto", "shut"],
        nothing_close: "Zyxwvuts" => [], [],
    }

    #[test]
    fn exact_turns_correction_off() {
        let request = SearchRequest::new("Torkam").exact(true);
        assert_eq!(corrections(&article(), &request), (vec![], vec![]));
    }

    #[test]
    fn corrected_word_is_highlighted() {
        let results = article()
            .search(&SearchRequest::new("Torkam"))
            .expect("search");
        for hit in &results.hits {
            let marked: Vec<&str> = hit
                .excerpt
                .highlights
                .iter()
                .map(|r| &hit.excerpt.text[r.clone()])
                .collect();
            assert_eq!(marked, ["Torkham"], "{}", hit.id);
        }
    }

    /// An index of one record per text, with ids `a`, `b`, `c`…
    fn index_of(texts: &[&str]) -> SearchIndex {
        SearchIndex::from_records(
            texts
                .iter()
                .zip('a'..)
                .map(|(text, id)| Record::new(id.to_string(), "", *text)),
        )
        .expect("index")
    }

    /// The corrections of `query` against `index`, as (from, to) pairs.
    fn corrected(index: &SearchIndex, query: &str) -> Vec<(String, String)> {
        corrections(index, &SearchRequest::new(query)).0
    }

    fn pair(from: &str, to: &str) -> Vec<(String, String)> {
        vec![(from.to_string(), to.to_string())]
    }

    #[test]
    fn fewer_typos_win_over_more_paragraphs() {
        // `afghanistn` is one edit from `afghanistan` (1 paragraph) and two from `afghanistani`
        // (3 paragraphs).
        let index = index_of(&[
            "Afghanistan",
            "Afghanistani traders",
            "Afghanistani drivers",
            "Afghanistani travellers",
        ]);
        let (found, ids) = corrections(&index, &SearchRequest::new("Afghanistn"));
        assert_eq!(found, pair("Afghanistn", "Afghanistan"));
        assert_eq!(ids, ["a"]);
    }

    #[test]
    fn among_equal_typos_the_commoner_word_then_the_first_alphabetically() {
        let index = index_of(&[
            "Chamon fort",
            "Chaman crossing",
            "Chamon trade",
            "Chamon gate",
        ]);
        assert_eq!(corrected(&index, "Chamen"), pair("Chamen", "Chamon"));
        let index = index_of(&["Chamon fort", "Chaman crossing"]);
        assert_eq!(corrected(&index, "Chamen"), pair("Chamen", "Chaman"));
        assert_eq!(corrected(&index, "Chamun"), pair("Chamun", "Chaman"));
    }

    #[test]
    fn allowance_follows_the_shorter_of_word_and_stem() {
        // `swapping` has eight letters but is searched as `swap`, one edit from `sap`.
        let index = index_of(&["The sap rose early."]);
        assert_eq!(corrected(&index, "swapping"), []);
        // A five-letter stem gets its edit: `earlx` is one from `earli` (`early`).
        assert_eq!(corrected(&index, "earlx"), pair("earlx", "early"));
    }

    #[test]
    fn shown_as_the_corpus_mostly_writes_it() {
        let index = index_of(&[
            "TORKHAM reopened",
            "the torkham gate, torkham traders",
            "Torkham queues",
        ]);
        assert_eq!(corrected(&index, "Torkam"), pair("Torkam", "torkham"));
    }

    /// The walk in parts finds every term that a scan of the whole dictionaries finds within
    /// the allowance, with the same paragraph counts: words near real terms of the bundled
    /// article, misspelt at the first letter, inside and by a swap, over several segments.
    #[test]
    fn walking_in_parts_finds_what_a_full_scan_finds() {
        let article = include_str!("../../corpus/afghanistan-pakistan-relations.txt");
        let records: Vec<Record> = article
            .split("\n\n")
            .filter(|text| !text.trim().is_empty())
            .enumerate()
            .map(|(i, text)| Record::new(format!("p{i:03}"), "Relations", text))
            .collect();
        let index = crate::search::tests::in_segments(&records, 25, &[]);
        let generation = index.current();
        let searcher = generation.reader.searcher();
        let fields = &generation.fields;
        let searched = [
            fields.title,
            fields.section,
            fields.body,
            fields.entity_names,
        ];
        let scan = |term: &str, allowed: usize| -> BTreeMap<String, u64> {
            let mut found = BTreeMap::new();
            for segment in searcher.segment_readers() {
                for &field in &searched {
                    let inverted = segment.inverted_index(field).expect("inverted index");
                    let mut terms = inverted.terms().stream().expect("stream");
                    while terms.advance() {
                        let text = std::str::from_utf8(terms.key()).expect("utf-8");
                        let df = u64::from(terms.value().doc_freq);
                        if text != term && df > 0 && typos(term, text) <= allowed {
                            *found.entry(text.to_string()).or_default() += df;
                        }
                    }
                }
            }
            found
        };
        let mut real = std::collections::BTreeSet::new();
        for segment in searcher.segment_readers() {
            let body = segment.inverted_index(fields.body).expect("body");
            let mut stream = body.terms().stream().expect("stream");
            while stream.advance() {
                let text = std::str::from_utf8(stream.key()).expect("utf-8");
                if text.chars().count() >= 5 && text.chars().all(char::is_alphabetic) {
                    real.insert(text.to_string());
                }
            }
        }
        assert!(real.len() > 300, "{} terms: not the article", real.len());
        let mut typed = vec!["éthnic".to_string(), "ṭorkham".to_string()];
        for word in real.iter().step_by(real.len() / 15) {
            let chars: Vec<char> = word.chars().collect();
            let rest: String = chars[1..].iter().collect();
            typed.push(format!("x{rest}"));
            typed.push(rest.clone());
            typed.push(format!("{}{}{rest}", chars[1], chars[0]).replacen(chars[1], "", 1));
            let mut inside = chars.clone();
            inside[chars.len() / 2] = 'q';
            typed.push(inside.into_iter().collect());
            let mut swapped = chars.clone();
            swapped.swap(1, 2);
            typed.push(swapped.into_iter().collect());
        }
        let mut hits = 0;
        for term in &typed {
            for allowed in [1, 2] {
                let walked: BTreeMap<String, u64> = near_terms(&searcher, &searched, term, allowed)
                    .expect("walk")
                    .into_iter()
                    .filter(|(text, _)| typos(term, text) <= allowed)
                    .collect();
                assert_eq!(walked, scan(term, allowed), "{term} within {allowed}");
                hits += walked.len();
            }
        }
        assert!(
            hits > 100,
            "only {hits} neighbours found: the test shows little"
        );
    }

    #[test]
    fn typos_allowed_grow_with_word_length() {
        for (chars, allowed) in [(0, 0), (3, 0), (4, 0), (5, 1), (8, 1), (9, 2), (30, 2)] {
            assert_eq!(max_typos(chars), allowed, "{chars} characters");
        }
    }

    #[test]
    fn typos_count_swaps_once_and_first_letters_twice() {
        for (typed, candidate, expected) in [
            ("torkham", "torkham", 0),
            ("torkam", "torkham", 1),
            ("torkhma", "torkham", 1),
            ("pakhtunkwha", "pakhtunkhwa", 1),
            ("balochstn", "balochistan", 2),
            ("afgahnistn", "afghanistan", 2),
            ("ketel", "betel", 2),
            ("bout", "about", 2),
            ("otrkham", "torkham", 2),
            ("", "abc", 4),
            ("ab", "", 3),
            ("kabul", "kabul", 0),
            ("caturday", "saturday", 2),
            ("peşawar", "peshawar", 2),
        ] {
            assert_eq!(typos(typed, candidate), expected, "{typed} → {candidate}");
            assert_eq!(typos(candidate, typed), expected, "{candidate} → {typed}");
        }
    }

    #[test]
    fn only_words_of_letters_are_corrected() {
        for (word, expected) in [
            ("Torkam", true),
            ("Peşawar", true),
            ("20255", false),
            ("F16s", false),
            ("", false),
        ] {
            assert_eq!(is_correctable(word), expected, "{word:?}");
        }
    }
}
