//! afsearch's English analyzer as one tokenizer: split on non-alphanumerics, drop tokens of 64
//! bytes or more, lower-case, drop a lone possessive `s`, fold to ASCII, stem (Snowball
//! English), with a cache in front of the stemmer.
//!
//! It gives exactly the tokens (text, position, offsets) of the same analysis written as a chain
//! of Tantivy's filters — `SimpleTokenizer → RemoveLongFilter(64) → LowerCaser →
//! StopWordFilter(["s"]) → AsciiFoldingFilter → Stemmer(English)`; tests check it against that
//! chain — but it does the common case (an ASCII word) in one pass with no copy between stages,
//! and stems a word it saw recently from a table instead of running the Snowball algorithm again.
//! Analysis was a third of an index build's CPU time, most of it stemming the same few thousand
//! words over and over. Words with non-ASCII letters go through Tantivy's own lower-casing and
//! folding, so those rules stay Tantivy's. Which fields use the analyzer is `schema`'s business.

use std::hash::{BuildHasher, Hasher};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, StopWordFilter, TextAnalyzer, Token, TokenStream,
    Tokenizer,
};

/// Tokens of this many bytes or more (as written) are dropped, as `RemoveLongFilter::limit(64)`.
const MAX_TOKEN_BYTES: usize = 64;

/// The English analysis as one tokenizer; see the module docs.
#[derive(Clone)]
pub struct EnglishTokenizer {
    token: Token,
    /// Lower-casing, possessive removal and folding for a word with non-ASCII characters.
    non_ascii: TextAnalyzer,
}

impl Default for EnglishTokenizer {
    fn default() -> Self {
        EnglishTokenizer {
            token: Token::default(),
            non_ascii: TextAnalyzer::builder(RawTokenizer::default())
                .filter(LowerCaser)
                .filter(StopWordFilter::remove(vec!["s".to_string()]))
                .filter(AsciiFoldingFilter)
                .build(),
        }
    }
}

impl Tokenizer for EnglishTokenizer {
    type TokenStream<'a> = EnglishTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> EnglishTokenStream<'a> {
        self.token.reset();
        EnglishTokenStream {
            text,
            at: 0,
            token: &mut self.token,
            non_ascii: &mut self.non_ascii,
        }
    }
}

/// The tokens of one text.
pub struct EnglishTokenStream<'a> {
    text: &'a str,
    /// Byte offset where the search for the next word starts.
    at: usize,
    token: &'a mut Token,
    non_ascii: &'a mut TextAnalyzer,
}

/// The character starting at byte `at` of `text`, and its length in bytes.
fn char_at(text: &str, at: usize) -> (char, usize) {
    let c = text[at..].chars().next().unwrap_or(' ');
    (c, c.len_utf8())
}

impl EnglishTokenStream<'_> {
    /// The byte range of the next run of alphanumeric characters (a `SimpleTokenizer` token),
    /// and whether it is all ASCII.
    fn next_word(&mut self) -> Option<(usize, usize, bool)> {
        let bytes = self.text.as_bytes();
        let mut i = self.at;
        // Skip to the start of a word.
        let start = loop {
            let &b = bytes.get(i)?;
            if b < 0x80 {
                if b.is_ascii_alphanumeric() {
                    break i;
                }
                i += 1;
            } else {
                let (c, len) = char_at(self.text, i);
                if c.is_alphanumeric() {
                    break i;
                }
                i += len;
            }
        };
        let mut ascii = true;
        while let Some(&b) = bytes.get(i) {
            if b < 0x80 {
                if !b.is_ascii_alphanumeric() {
                    break;
                }
                i += 1;
            } else {
                let (c, len) = char_at(self.text, i);
                if !c.is_alphanumeric() {
                    break;
                }
                ascii = false;
                i += len;
            }
        }
        self.at = i;
        Some((start, i, ascii))
    }
}

impl TokenStream for EnglishTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some((from, to, ascii)) = self.next_word() {
            // Every word takes a position, also the ones dropped below (as Tantivy's filters
            // leave positions), so phrase queries see the gaps.
            self.token.position = self.token.position.wrapping_add(1);
            if to - from >= MAX_TOKEN_BYTES {
                continue;
            }
            let word = &self.text[from..to];
            let text = &mut self.token.text;
            text.clear();
            if ascii {
                text.push_str(word);
                text.make_ascii_lowercase();
                if text == "s" {
                    continue;
                }
            } else {
                let mut stream = self.non_ascii.token_stream(word);
                match stream.next() {
                    Some(folded) => text.push_str(&folded.text),
                    None => continue,
                }
            }
            STEMS.with(|stems| stems.borrow_mut().stem_in_place(text));
            self.token.offset_from = from;
            self.token.offset_to = to;
            self.token.position_length = 1;
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Sets of the stem cache (a power of two), of [`WAYS`] slots each: 65,536 words, which make up
/// most of any English text, in about 3.3 MB per indexing thread.
const SETS: usize = 1 << 15;
/// Slots per set: a word evicts the least recently stored of its set's words, so two common
/// words that hash alike do not evict each other over and over.
const WAYS: usize = 2;
/// A thread only sets up its cache once it has stemmed this many words: a query's or an
/// excerpt's few words are cheaper to stem than the table is to allocate.
const WARM_UP_WORDS: u32 = 4096;
/// Words longer than this are stemmed every time: they are rare, and keys stay short.
const MAX_CACHED_LEN: usize = 24;

thread_local! {
    /// One cache per thread, shared by every field's analyzer on it and kept from one
    /// segment to the next, so an indexing thread warms it once.
    static STEMS: std::cell::RefCell<StemCache> = std::cell::RefCell::new(StemCache::default());
}

/// A set-associative table from word to stem: a word's hash picks its set, and a new word
/// replaces the set's least recently stored one. Memory is bounded whatever the corpus; a miss
/// costs one stemming, as without the cache.
struct StemCache {
    stemmer: frostem::Stemmer,
    /// Slots, set after set, most recently stored first within a set; empty until
    /// [`WARM_UP_WORDS`] words were stemmed.
    slots: Vec<Slot>,
    stemmed: u32,
}

/// One cached word and its stem, held inline: a hit then reads the set's own cache lines and
/// nothing else (with `String`s, comparing the key and copying the stem were two more cache
/// misses, and the most expensive part of the analyzer).
#[derive(Clone, Copy)]
struct Slot {
    /// Length of `key`; 0 for an empty slot (no token is empty).
    key_len: u8,
    stem_len: u8,
    key: [u8; MAX_CACHED_LEN],
    stem: [u8; MAX_CACHED_LEN],
}

impl Slot {
    const EMPTY: Slot = Slot {
        key_len: 0,
        stem_len: 0,
        key: [0; MAX_CACHED_LEN],
        stem: [0; MAX_CACHED_LEN],
    };

    fn key(&self) -> &[u8] {
        &self.key[..usize::from(self.key_len)]
    }

    fn stem(&self) -> &[u8] {
        &self.stem[..usize::from(self.stem_len)]
    }
}

impl Default for StemCache {
    fn default() -> Self {
        StemCache {
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            slots: Vec::new(),
            stemmed: 0,
        }
    }
}

impl StemCache {
    fn stem_in_place(&mut self, word: &mut String) {
        if self.slots.is_empty() {
            if self.stemmed < WARM_UP_WORDS {
                self.stemmed += 1;
                self.stem_uncached(word);
                return;
            }
            self.slots = vec![Slot::EMPTY; SETS * WAYS];
        }
        if word.len() > MAX_CACHED_LEN {
            self.stem_uncached(word);
            return;
        }
        let mut hasher = rustc_hash::FxBuildHasher.build_hasher();
        hasher.write(word.as_bytes());
        let first = (hasher.finish() as usize & (SETS - 1)) * WAYS;
        let set = &mut self.slots[first..first + WAYS];
        let way = match set.iter().position(|slot| slot.key() == word.as_bytes()) {
            Some(way) => way,
            None => {
                let stem = self.stemmer.stem(word);
                if stem.len() > MAX_CACHED_LEN {
                    *word = stem.into_owned();
                    return;
                }
                // The oldest slot takes the new word, then becomes the newest.
                set.rotate_right(1);
                let slot = &mut set[0];
                slot.key_len = word.len() as u8;
                slot.key[..word.len()].copy_from_slice(word.as_bytes());
                slot.stem_len = stem.len() as u8;
                slot.stem[..stem.len()].copy_from_slice(stem.as_bytes());
                0
            }
        };
        // The stem was copied from a `str` whole, so it is UTF-8.
        if let Ok(stem) = std::str::from_utf8(set[way].stem()) {
            word.clear();
            word.push_str(stem);
        }
    }

    fn stem_uncached(&self, word: &mut String) {
        if let std::borrow::Cow::Owned(stem) = self.stemmer.stem(word) {
            *word = stem;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use tantivy::tokenizer::{Language, RemoveLongFilter, SimpleTokenizer, Stemmer};

    /// The same analysis as a chain of Tantivy's own filters: what the tokenizer must equal.
    fn reference() -> TextAnalyzer {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
            .filter(LowerCaser)
            .filter(StopWordFilter::remove(vec!["s".to_string()]))
            .filter(AsciiFoldingFilter)
            .filter(Stemmer::new(Language::English))
            .build()
    }

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push((
                token.text.clone(),
                token.position,
                token.offset_from,
                token.offset_to,
            ));
        }
        out
    }

    fn assert_same(ours: &mut TextAnalyzer, text: &str) {
        assert_eq!(
            tokens(ours, text),
            tokens(&mut reference(), text),
            "{text:?}"
        );
    }

    /// The whole bundled article, twice (the second time through a warm cache, with the
    /// collisions real text has), then the same analyzer again on cases a test can name.
    #[test]
    fn equals_tantivys_chain_on_the_article_and_odd_words() {
        let article = include_str!("../../corpus/afghanistan-pakistan-relations.txt");
        let mut ours = TextAnalyzer::from(EnglishTokenizer::default());
        assert!(tokens(&mut ours, article).len() > 5_000);
        assert_same(&mut ours, &format!("{article}\n{article}"));
        for text in [
            "",
            "   ",
            "Pakistan's S s ’s Ss",
            "Khyber-Pakhtunkhwa Tehrik-i-Taliban 0-dimensional IL-6 TNF-α",
            "Ḑurand Çelik Œuvre ÆTHER straße İstanbul ΣΊΣΥΦΟΣ ſ Ⅻ ½ ①",
            "naïve café résumé coöperate",
            "日本語のテキスト 中文 한국어 عربى Ελληνικά русский",
            "a\u{0301}b e\u{0308} x\u{200d}y",
            "emoji 😀 word🙂word",
            &"x".repeat(63),
            &"x".repeat(64),
            &format!("{} {}", "é".repeat(32), "é".repeat(31)),
            "RUNNING Runs runner's connections generously",
        ] {
            assert_same(&mut ours, text);
        }
    }

    #[test]
    fn the_stem_cache_gives_the_stemmers_stems_through_collisions() {
        let mut cache = StemCache::default();
        let stemmer = frostem::Stemmer::new(frostem::Algorithm::English);
        let mut words: Vec<String> = (0..3 * SETS * WAYS)
            .map(|i| format!("running{i}s"))
            .collect();
        words.push("internationalisationalisations".to_string());
        words.push("connections".to_string());
        for round in 0..2 {
            for word in &words {
                let mut got = word.clone();
                cache.stem_in_place(&mut got);
                assert_eq!(got, stemmer.stem(word), "{word} (round {round})");
            }
        }
        assert!(!cache.slots.is_empty(), "the cache was never set up");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn equals_tantivys_chain_on_any_text(text in "(\\PC|[ 'sS-]){0,80}") {
            let mut ours = TextAnalyzer::from(EnglishTokenizer::default());
            prop_assert_eq!(tokens(&mut ours, &text), tokens(&mut reference(), &text));
        }
    }
}
