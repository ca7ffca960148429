//! Reads WikiExtractor output: the usual way people turn a Wikipedia dump into text.
//!
//! The format is a sequence of `<doc id=… url=… title=…>` … `</doc>` blocks. Inside a block the
//! first line repeats the title, then each line is one paragraph, and a short line ending in `.`
//! is a section heading. [`DocReader`] streams documents one at a time from any reader, so a
//! multi-gigabyte dump never has to fit in memory; [`paragraphs`] turns one document into
//! search documents. No files are opened here.

use super::segment::{clean_text, Paragraph};
use std::io::{self, BufRead};

/// Longest line (in characters) that can be a section heading.
const MAX_HEADING_CHARS: usize = 60;
/// Most words a section heading has.
const MAX_HEADING_WORDS: usize = 8;

/// One `<doc>` block.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WikiDoc {
    /// The `id` attribute (Wikipedia's page id).
    pub id: String,
    /// The `title` attribute.
    pub title: String,
    /// Body lines after the title line, trimmed, blank lines dropped.
    pub lines: Vec<String>,
    /// 1-based line number of the `<doc` line.
    pub line: usize,
}

/// Whether `text` looks like the start of WikiExtractor output.
pub fn looks_like_wikiextractor(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .trim_start()
        .starts_with("<doc ")
}

/// The value of `name="…"` in a `<doc …>` line, with WikiExtractor's entity escapes undone.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let start = tag.find(&key)? + key.len();
    let len = tag[start..].find('"')?;
    Some(
        tag[start..start + len]
            .replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&"),
    )
}

/// A short line ending in a full stop, one sentence at most: WikiExtractor's section heading.
fn is_heading(line: &str) -> bool {
    let Some(body) = line.strip_suffix('.') else {
        return false;
    };
    !body.is_empty()
        && !body.ends_with('.')
        && !body.contains(". ")
        && line.chars().count() <= MAX_HEADING_CHARS
        && line.split_whitespace().count() <= MAX_HEADING_WORDS
        && body
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_numeric())
}

/// The paragraphs of one document: headings set the section, other lines are paragraphs.
/// Ids are `file#docid.ordinal`, unique across the dump because page ids are.
pub fn paragraphs(doc: &WikiDoc, file: &str) -> Vec<Paragraph> {
    let title = clean_text(&doc.title);
    let mut section: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for line in &doc.lines {
        if is_heading(line) {
            section = vec![line.trim_end_matches('.').to_string()];
            continue;
        }
        let text = clean_text(line);
        if text.is_empty() {
            continue;
        }
        let ordinal = u32::try_from(out.len() + 1).unwrap_or(u32::MAX);
        out.push(Paragraph {
            id: format!("{file}#{}.{ordinal}", doc.id),
            file: file.to_string(),
            title: title.clone(),
            section: section.clone(),
            ordinal,
            text,
            date: None,
        });
    }
    out
}

/// Streams the documents of WikiExtractor output.
///
/// Text outside `<doc>` blocks is ignored; a block cut off by the end of input is returned
/// as it is. A line that is not UTF-8 is skipped and its number kept
/// ([`DocReader::take_skipped_lines`]): one bad byte in a dump costs one paragraph. Read
/// errors (a corrupt gzip stream, say) end the iteration with an `Err`.
pub struct DocReader<R> {
    input: R,
    line_no: usize,
    bytes: Vec<u8>,
    skipped: Vec<usize>,
}

impl<R: BufRead> DocReader<R> {
    /// Reads documents from `input`.
    pub fn new(input: R) -> Self {
        DocReader {
            input,
            line_no: 0,
            bytes: Vec::new(),
            skipped: Vec::new(),
        }
    }

    /// The number of the last line read (1-based; 0 before the first).
    pub fn line(&self) -> usize {
        self.line_no
    }

    /// The lines skipped so far because they were not UTF-8, and forgets them.
    pub fn take_skipped_lines(&mut self) -> Vec<usize> {
        std::mem::take(&mut self.skipped)
    }

    fn next_line(&mut self) -> io::Result<Option<&str>> {
        loop {
            self.bytes.clear();
            if self.input.read_until(b'\n', &mut self.bytes)? == 0 {
                return Ok(None);
            }
            self.line_no += 1;
            if std::str::from_utf8(&self.bytes).is_ok() {
                break;
            }
            self.skipped.push(self.line_no);
        }
        let line = std::str::from_utf8(&self.bytes).unwrap_or_default();
        Ok(Some(line.trim_end_matches(['\n', '\r'])))
    }
}

impl<R: BufRead> Iterator for DocReader<R> {
    type Item = io::Result<WikiDoc>;

    fn next(&mut self) -> Option<io::Result<WikiDoc>> {
        // Find the next <doc …> line.
        let (id, title, line) = loop {
            match self.next_line() {
                Ok(None) => return None,
                Err(err) => return Some(Err(err)),
                Ok(Some(text)) => {
                    let text = text.trim_start_matches('\u{feff}').trim();
                    if text.starts_with("<doc ") {
                        let id = attribute(text, "id").unwrap_or_default();
                        let title = attribute(text, "title").unwrap_or_default();
                        break (id, title, self.line_no);
                    }
                }
            }
        };
        let mut lines = Vec::new();
        let mut first = true;
        loop {
            match self.next_line() {
                Ok(None) => break,
                Err(err) => return Some(Err(err)),
                Ok(Some(text)) => {
                    let text = text.trim();
                    if text == "</doc>" {
                        break;
                    }
                    if text.is_empty() {
                        continue;
                    }
                    // The first body line repeats the title.
                    if first && text == title {
                        first = false;
                        continue;
                    }
                    first = false;
                    lines.push(text.to_string());
                }
            }
        }
        Some(Ok(WikiDoc {
            id,
            title,
            lines,
            line,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<doc id="18228306" url="http://en.wikipedia.org/wiki?curid=18228306" title="Gustave Borgnis-Desbordes">
Gustave Borgnis-Desbordes

Gustave Borgnis-Desbordes (22 October 1839 – 18 July 1900) was a French general.
Early career.
Born into a family from Morlaix, Gustave's grandfater was a Deputy from Finistère.
Under Brière de l'Isle: 1881.
In 1881, within two weeks of receiving the order to halt at Kita, he destroyed the village.
</doc>
<doc id="7" url="u" title="&quot;Quoted&quot; &amp; empty">
"Quoted" & empty
</doc>
"#;

    fn docs(text: &str) -> Vec<WikiDoc> {
        DocReader::new(text.as_bytes())
            .collect::<io::Result<Vec<_>>>()
            .expect("read")
    }

    #[test]
    fn reads_docs_and_attributes() {
        let got = docs(SAMPLE);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].id, "18228306");
        assert_eq!(got[0].title, "Gustave Borgnis-Desbordes");
        assert_eq!(got[0].lines.len(), 5);
        assert_eq!(got[0].line, 1);
        assert_eq!(got[1].title, "\"Quoted\" & empty");
        assert!(got[1].lines.is_empty(), "{:?}", got[1].lines);
        assert_eq!(got[1].line, 10);
        assert!(looks_like_wikiextractor(SAMPLE));
        assert!(!looks_like_wikiextractor("= Title =\n"));
    }

    #[test]
    fn headings_set_the_section() {
        let doc = &docs(SAMPLE)[0];
        let got = paragraphs(doc, "wiki.txt.gz");
        let summary: Vec<(Vec<String>, &str)> = got
            .iter()
            .map(|p| (p.section.clone(), &p.text[..12]))
            .collect();
        assert_eq!(
            summary,
            vec![
                (vec![], "Gustave Borg"),
                (vec!["Early career".to_string()], "Born into a "),
                (
                    vec!["Under Brière de l'Isle: 1881".to_string()],
                    "In 1881, wit"
                ),
            ]
        );
        assert_eq!(got[2].id, "wiki.txt.gz#18228306.3");
        assert_eq!(got[0].title, "Gustave Borgnis-Desbordes");
    }

    macro_rules! heading_tests {
        ($($name:ident: $line:expr => $expected:expr,)*) => {$(
            #[test]
            fn $name() {
                assert_eq!(is_heading($line), $expected, "{:?}", $line);
            }
        )*};
    }

    heading_tests! {
        simple: "Biography." => true,
        with_colon: "Under Brière de l'Isle: 1881." => true,
        numbered: "2010s." => true,
        sentence: "He was a French general who conquered much of the Soudan for France." => false,
        two_sentences: "He won. He lost." => false,
        no_stop: "Biography" => false,
        ellipsis: "And so on.." => false,
        lowercase: "and then." => false,
        bare_stop: "." => false,
    }

    #[test]
    fn truncated_input_and_noise_are_tolerated() {
        let got = docs("noise before\n<doc id=\"1\" title=\"T\">\nT\nOnly paragraph here, cut off");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].lines, ["Only paragraph here, cut off"]);
        assert!(docs("").is_empty());
        assert!(docs("no docs at all\n").is_empty());
    }

    #[test]
    fn invalid_utf8_lines_are_skipped_and_counted() {
        let bytes: &[u8] = b"<doc id=\"1\" title=\"T\">\nok\n\xff\xfe\n</doc>\n";
        let mut reader = DocReader::new(bytes);
        let got: Vec<WikiDoc> = reader.by_ref().collect::<io::Result<_>>().expect("read");
        assert_eq!(got[0].lines, ["ok"]);
        assert_eq!(reader.take_skipped_lines(), [3]);
    }
}
