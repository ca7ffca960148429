//! Turns parsed articles and JSON-lines records into [`Paragraph`]s, the unit afsearch indexes.
//!
//! Pure: text in, paragraphs out. Cleans artefacts the article dumps leave behind (empty `()`
//! where a pronunciation was stripped, doubled spaces) and numbers paragraphs within their
//! article. Reading files is [`super`]'s job; mapping to the index is `index::doc`'s.

use super::article::{Article, BlockKind};
use serde::Serialize;

/// One search document: a paragraph, list or infobox of an article, or one JSON-lines record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Paragraph {
    /// Stable identifier: `file#ordinal` for article paragraphs, the record's own id for JSON lines.
    pub id: String,
    /// Source file, relative to the corpus directory, with `/` separators.
    pub file: String,
    /// Title of the article the paragraph belongs to.
    pub title: String,
    /// Section headings from the outermost inward (empty for the lead section and for records).
    pub section: Vec<String>,
    /// 1-based position of the paragraph in its article (for records: the line in the file).
    pub ordinal: u32,
    /// The cleaned text.
    pub text: String,
    /// A date the source gives for the whole document (JSON-lines `date`), as `YYYY[-MM[-DD]]`.
    pub date: Option<String>,
}

/// Removes dump artefacts: empty parentheses and runs of whitespace.
pub fn clean_text(text: &str) -> String {
    if is_clean(text) {
        text.to_string()
    } else {
        clean_text_slowly(text)
    }
}

/// Whether [`clean_text`] would leave `text` as it is: no whitespace but single spaces between
/// words, no empty parentheses, no space before `,.;:`. Most paragraphs are, and one pass over
/// their bytes that finds so is several times cheaper than rebuilding them.
fn is_clean(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b' ' => {
                if matches!(bytes.get(i + 1), Some(b' ' | b',' | b'.' | b';' | b':')) {
                    return false;
                }
            }
            b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => return false,
            b'(' => {
                let after = &bytes[i + 1..];
                let next = after.iter().find(|&&c| c != b' ');
                if matches!(
                    next,
                    Some(b')' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) | Some(0x80..)
                ) {
                    return false;
                }
            }
            0x80.. => {
                let c = text[i..].chars().next().unwrap_or(' ');
                if c.is_whitespace() {
                    return false;
                }
                i += c.len_utf8();
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    true
}

fn clean_text_slowly(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '(' {
            // Look ahead over whitespace for a closing parenthesis: "()" and "( )" are artefacts.
            let mut lookahead = chars.clone();
            while lookahead.peek().is_some_and(|c| c.is_whitespace()) {
                lookahead.next();
            }
            if lookahead.peek() == Some(&')') {
                lookahead.next();
                chars = lookahead;
                continue;
            }
        }
        if c.is_whitespace() {
            if !out.ends_with(' ') && !out.is_empty() {
                out.push(' ');
            }
            continue;
        }
        out.push(c);
    }
    // Removing "()" before punctuation leaves "Shah ," or "Khan ." behind.
    let mut tidy = String::with_capacity(out.len());
    let mut iter = out.chars().peekable();
    while let Some(c) = iter.next() {
        if c == ' '
            && iter
                .peek()
                .is_some_and(|n| matches!(n, ',' | '.' | ';' | ':'))
        {
            continue;
        }
        tidy.push(c);
    }
    tidy.trim().to_string()
}

/// The paragraphs of the articles of one file. `fallback_title` names articles without a title.
pub fn segment(articles: &[Article], file: &str, fallback_title: &str) -> Vec<Paragraph> {
    let mut paragraphs = Vec::new();
    for (index, article) in articles.iter().enumerate() {
        let title = article
            .title
            .clone()
            .unwrap_or_else(|| fallback_title.to_string());
        let mut ordinal = 0u32;
        for block in &article.blocks {
            let separator = match block.kind {
                BlockKind::Paragraph => " ",
                BlockKind::List | BlockKind::Infobox => " · ",
            };
            let text = clean_text(&block.lines.join(separator));
            if text.is_empty() {
                continue;
            }
            ordinal += 1;
            // Files holding several articles number each article's paragraphs from 1; the
            // article index keeps ids unique.
            let id = if index == 0 {
                format!("{file}#{ordinal}")
            } else {
                format!("{file}#{}.{ordinal}", index + 1)
            };
            paragraphs.push(Paragraph {
                id,
                file: file.to_string(),
                title: title.clone(),
                section: block.section.clone(),
                ordinal,
                text,
                date: None,
            });
        }
    }
    paragraphs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::article::parse_articles;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]
        /// The shortcut for text that is already clean never changes what `clean_text` gives.
        #[test]
        fn the_clean_shortcut_changes_nothing(text in "([ ().,;:\t\n\r\u{a0}\u{2003}\u{3000}ab–]|\\PC){0,40}") {
            prop_assert_eq!(clean_text(&text), clean_text_slowly(&text));
        }
    }

    macro_rules! clean_tests {
        ($($name:ident: $input:expr => $expected:expr,)*) => {$(
            #[test]
            fn $name() {
                assert_eq!(clean_text($input), $expected);
            }
        )*};
    }

    clean_tests! {
        empty_parens: "under King Zahir Shah () began" => "under King Zahir Shah began",
        empty_parens_before_comma: "Emir Abdur Rahman Khan () of Afghanistan" => "Emir Abdur Rahman Khan of Afghanistan",
        spaced_parens: "Shah ( ) began" => "Shah began",
        parens_then_punct: "Mohammad () , the" => "Mohammad, the",
        kept_parens: "Soviet–Afghan War (1979–1989)" => "Soviet–Afghan War (1979–1989)",
        whitespace_runs: "  a \t b\n c  " => "a b c",
        unbalanced: "a ( b" => "a ( b",
        empty: "" => "",
    }

    #[test]
    fn real_corpus_paragraphs() {
        let text = include_str!("../../corpus/afghanistan-pakistan-relations.txt");
        let paragraphs = segment(&parse_articles(text), "a.txt", "a");
        let first = &paragraphs[0];
        assert_eq!(first.section, vec!["Infobox"]);
        assert!(
            first.text.contains("Envoy2: Mansoor Ahmad Khan"),
            "{}",
            first.text
        );
        assert!(first.text.contains(" · "));
        let lead = &paragraphs[1];
        assert_eq!(lead.id, "a.txt#2");
        assert!(lead.section.is_empty());
        assert!(lead.text.contains("King Zahir Shah began"));
        assert!(paragraphs.iter().all(|p| !p.text.contains("()")));
        let torkham = paragraphs
            .iter()
            .find(|p| p.text.starts_with("The Torkham border crossing"))
            .expect("Torkham paragraph");
        assert_eq!(
            torkham.section,
            vec![
                "History",
                "Contemporary era after the Taliban regains power"
            ]
        );
        let ordinals: Vec<u32> = paragraphs.iter().map(|p| p.ordinal).collect();
        assert_eq!(ordinals, (1..=paragraphs.len() as u32).collect::<Vec<_>>());
    }

    #[test]
    fn untitled_article_takes_fallback_title() {
        let paragraphs = segment(&parse_articles("Just text.\n"), "notes/x.txt", "x");
        assert_eq!(paragraphs[0].title, "x");
        assert_eq!(paragraphs[0].id, "notes/x.txt#1");
    }
}
