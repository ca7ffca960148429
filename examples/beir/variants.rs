//! Query-side ranking experiments that need nothing but the public API: the query text is
//! rewritten *before* it reaches `SearchIndex::search`, which still normalises and parses it
//! exactly as the CLI does. `QueryMode::AsIs` is the product's behaviour and the default.

/// How the query text is rewritten before it is searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryMode {
    /// Unchanged: exactly what a user typing the query into the CLI gets.
    AsIs,
    /// A bag of words: every run of letters and digits becomes its own lower-case word, so that
    /// `IL-6` or `0-dimensional` are two OR-ed terms rather than a phrase, and no character is
    /// read as an operator.
    Words,
    /// [`QueryMode::Words`] without Lucene's 33 English stop words (`EnglishAnalyzer` default).
    NoStopLucene,
    /// [`QueryMode::Words`] without a larger list (NLTK's English stop words, 153 forms).
    NoStopLarge,
    /// [`QueryMode::NoStopLucene`] plus, for every word with inner punctuation (`IL-6`), the
    /// phrase of its parts (`"il 6"`): adjacency earns a bonus instead of being required.
    NoStopPhrases,
}

impl QueryMode {
    /// Parses the command-line name.
    pub fn parse(text: &str) -> Option<QueryMode> {
        match text {
            "as-is" => Some(QueryMode::AsIs),
            "words" => Some(QueryMode::Words),
            "nostop" => Some(QueryMode::NoStopLucene),
            "nostop-large" => Some(QueryMode::NoStopLarge),
            "nostop-phrases" => Some(QueryMode::NoStopPhrases),
            _ => None,
        }
    }
}

/// Lucene's `EnglishAnalyzer.ENGLISH_STOP_WORDS_SET`.
pub const LUCENE_STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

/// NLTK's English stop-word list without its 26 apostrophe forms (`you're`, `don't`, …): 153
/// words. The tokenizer splits those forms at the apostrophe, and their fragments (`s`, `t`,
/// `re`, `ve`, `ll`, `d`, `m`, `don`, `isn`, …) are in the list.
pub const LARGE_STOP_WORDS: &[&str] = &[
    "i",
    "me",
    "my",
    "myself",
    "we",
    "our",
    "ours",
    "ourselves",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
    "he",
    "him",
    "his",
    "himself",
    "she",
    "her",
    "hers",
    "herself",
    "it",
    "its",
    "itself",
    "they",
    "them",
    "their",
    "theirs",
    "themselves",
    "what",
    "which",
    "who",
    "whom",
    "this",
    "that",
    "these",
    "those",
    "am",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "have",
    "has",
    "had",
    "having",
    "do",
    "does",
    "did",
    "doing",
    "a",
    "an",
    "the",
    "and",
    "but",
    "if",
    "or",
    "because",
    "as",
    "until",
    "while",
    "of",
    "at",
    "by",
    "for",
    "with",
    "about",
    "against",
    "between",
    "into",
    "through",
    "during",
    "before",
    "after",
    "above",
    "below",
    "to",
    "from",
    "up",
    "down",
    "in",
    "out",
    "on",
    "off",
    "over",
    "under",
    "again",
    "further",
    "then",
    "once",
    "here",
    "there",
    "when",
    "where",
    "why",
    "how",
    "all",
    "any",
    "both",
    "each",
    "few",
    "more",
    "most",
    "other",
    "some",
    "such",
    "no",
    "nor",
    "not",
    "only",
    "own",
    "same",
    "so",
    "than",
    "too",
    "very",
    "s",
    "t",
    "can",
    "will",
    "just",
    "don",
    "should",
    "now",
    "d",
    "ll",
    "m",
    "o",
    "re",
    "ve",
    "y",
    "ain",
    "aren",
    "couldn",
    "didn",
    "doesn",
    "hadn",
    "hasn",
    "haven",
    "isn",
    "ma",
    "mightn",
    "mustn",
    "needn",
    "shan",
    "shouldn",
    "wasn",
    "weren",
    "won",
    "wouldn",
];

/// The words of `text` under `mode` (for every mode but `AsIs`).
pub fn words(text: &str, mode: QueryMode) -> Vec<String> {
    let stop: &[&str] = match mode {
        QueryMode::NoStopLucene | QueryMode::NoStopPhrases => LUCENE_STOP_WORDS,
        QueryMode::NoStopLarge => LARGE_STOP_WORDS,
        QueryMode::AsIs | QueryMode::Words => &[],
    };
    let all: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let kept: Vec<String> = all
        .iter()
        .filter(|w| !stop.contains(&w.as_str()))
        .cloned()
        .collect();
    // A query made only of stop words ("to be or not to be") is searched with them.
    if kept.is_empty() {
        all
    } else {
        kept
    }
}

/// The query string to hand to `SearchRequest::new`.
pub fn rewrite(text: &str, mode: QueryMode) -> String {
    match mode {
        QueryMode::AsIs => text.to_string(),
        QueryMode::NoStopPhrases => {
            let mut parts = words(text, mode);
            for token in text.split_whitespace() {
                let inner: Vec<&str> = token
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect();
                if inner.len() >= 2 {
                    parts.push(format!("\"{}\"", inner.join(" ").to_lowercase()));
                }
            }
            parts.join(" ")
        }
        _ => words(text, mode).join(" "),
    }
}

/// The conjunctive form of a rewritten query (`+w1 +w2 …`), or `None` if there is nothing to
/// gain from it (fewer than two words) or the query holds phrases.
pub fn conjunctive(query: &str) -> Option<String> {
    let words: Vec<&str> = query.split_whitespace().collect();
    (words.len() >= 2 && !query.contains('"')).then(|| {
        words
            .iter()
            .map(|w| format!("+{w}"))
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// Conjunctive-first merge: the documents matching every word, in their own order, then the
/// rest of the disjunctive ranking; at most `depth` documents.
pub fn merge_first(
    first: Vec<(String, f32)>,
    rest: Vec<(String, f32)>,
    depth: usize,
) -> Vec<(String, f32)> {
    let mut seen = std::collections::HashSet::new();
    first
        .into_iter()
        .chain(rest)
        .filter(|(id, _)| seen.insert(id.clone()))
        .take(depth)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_is_is_untouched() {
        assert_eq!(rewrite("IL-6 \"x\" -y", QueryMode::AsIs), "IL-6 \"x\" -y");
    }

    #[test]
    fn words_split_punctuation_and_drop_operators() {
        assert_eq!(
            rewrite(
                "0-dimensional biomaterials: NOT (inductive) -x",
                QueryMode::Words
            ),
            "0 dimensional biomaterials not inductive x"
        );
        assert_eq!(rewrite("Pakistan’s", QueryMode::Words), "pakistan s");
    }

    #[test]
    fn stop_words_removed_unless_nothing_is_left() {
        assert_eq!(
            rewrite(
                "What is the role of IL-6 in the liver?",
                QueryMode::NoStopLucene
            ),
            "what role il 6 liver"
        );
        assert_eq!(
            rewrite(
                "What is the role of IL-6 in the liver?",
                QueryMode::NoStopLarge
            ),
            "role il 6 liver"
        );
        assert_eq!(
            rewrite("to be or not to be", QueryMode::NoStopLucene),
            "to be or not to be"
        );
    }

    #[test]
    fn phrases_of_compound_words_are_added() {
        assert_eq!(
            rewrite("IL-6 is raised in the liver.", QueryMode::NoStopPhrases),
            "il 6 raised liver \"il 6\""
        );
        assert_eq!(conjunctive("il 6 \"il 6\""), None);
    }

    #[test]
    fn conjunctive_first() {
        assert_eq!(conjunctive("a b").as_deref(), Some("+a +b"));
        assert_eq!(conjunctive("a"), None);
        let first = vec![("b".to_string(), 9.0), ("c".to_string(), 8.0)];
        let rest = vec![
            ("a".to_string(), 10.0),
            ("b".to_string(), 9.0),
            ("d".to_string(), 1.0),
        ];
        let merged: Vec<String> = merge_first(first, rest, 3)
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(merged, ["b", "c", "a"]);
    }
}
