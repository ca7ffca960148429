//! Reads one corpus file as a stream of [`Paragraph`]s.
//!
//! Owns the byte side of a file: opening it, undoing gzip compression (any format may be
//! `*.gz`), telling binary and UTF-16 files apart from text, recognising WikiExtractor output
//! in a `*.txt` file, and streaming the paragraphs to a [`ParagraphSink`] as they are parsed.
//! Memory is bounded by one JSON line, one WikiExtractor `<doc>` or one article file, never by
//! the size of a dump. Parsing the text is left to [`super::article`], [`super::segment`] and
//! [`super::wikiextractor`]; what happens to the paragraphs is the sink's business.

use super::wikiextractor::{self, DocReader};
use super::{article, record, segment, CorpusFile, Format, Paragraph, Warning};
use serde::Deserialize;
use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

/// At most this many problems are listed per file; the rest are counted in one more warning.
const MAX_WARNINGS_PER_FILE: usize = 50;
/// How much of a file is looked at to decide whether it is binary and which format it is in.
const SNIFF_BYTES: u64 = 8192;
/// Read buffer: large enough that a gzip stream is inflated in big steps.
const BUFFER_BYTES: usize = 256 * 1024;

/// Receives what `read_file` finds, as it finds it.
pub trait ParagraphSink {
    /// One paragraph, in file order.
    fn paragraph(&mut self, paragraph: Paragraph);
    /// `bytes` more of the file (as stored on disk, so compressed for `*.gz`) were read: for
    /// progress reports.
    fn bytes_read(&mut self, _bytes: u64) {}
}

impl<F: FnMut(Paragraph)> ParagraphSink for F {
    fn paragraph(&mut self, paragraph: Paragraph) {
        self(paragraph);
    }
}

/// Warnings of one file, capped at [`MAX_WARNINGS_PER_FILE`] so a file of a million broken
/// lines costs one line of output per problem kind, not a million.
struct Warnings<'a> {
    file: &'a str,
    list: Vec<Warning>,
    more: usize,
}

impl<'a> Warnings<'a> {
    fn new(file: &'a str) -> Self {
        Warnings {
            file,
            list: Vec::new(),
            more: 0,
        }
    }

    fn push(&mut self, line: Option<usize>, message: String) {
        if self.list.len() < MAX_WARNINGS_PER_FILE {
            self.list.push(Warning {
                file: self.file.to_string(),
                line,
                message,
            });
        } else {
            self.more += 1;
        }
    }

    fn finish(mut self) -> Vec<Warning> {
        if self.more > 0 {
            self.list.push(Warning {
                file: self.file.to_string(),
                line: None,
                message: format!("{} more problems in this file, not listed", self.more),
            });
        }
        self.list
    }
}

/// Counts the bytes read from the file itself, below any decompression.
struct Counting<'a, R> {
    inner: R,
    count: &'a Cell<u64>,
}

impl<R: Read> Read for Counting<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.set(self.count.get() + n as u64);
        Ok(n)
    }
}

/// Passes paragraphs on and reports read progress whenever a paragraph goes out.
struct Emitter<'a> {
    sink: &'a mut dyn ParagraphSink,
    read: &'a Cell<u64>,
    reported: u64,
    paragraphs: usize,
}

impl Emitter<'_> {
    fn emit(&mut self, paragraph: Paragraph) {
        self.paragraphs += 1;
        self.sink.paragraph(paragraph);
        self.report();
    }

    fn report(&mut self) {
        let now = self.read.get();
        if now > self.reported {
            self.sink.bytes_read(now - self.reported);
            self.reported = now;
        }
    }
}

/// Whether a corpus file is gzip-compressed, from its name.
pub fn is_gzip(rel: &str) -> bool {
    rel.len() > 3 && rel[rel.len() - 3..].eq_ignore_ascii_case(".gz")
}

/// Reads `path` (the file `file` of a corpus) and hands each paragraph to `sink`. Never
/// fails: an unreadable, binary, UTF-16 or non-UTF-8 file, or a corrupt gzip stream, gives a
/// warning that names it, and whatever was read before the problem is kept.
pub fn read_file(path: &Path, file: &CorpusFile, sink: &mut dyn ParagraphSink) -> Vec<Warning> {
    let mut warnings = Warnings::new(&file.rel);
    let read = Cell::new(0);
    let mut out = Emitter {
        sink,
        read: &read,
        reported: 0,
        paragraphs: 0,
    };
    match File::open(path) {
        Err(err) => warnings.push(None, format!("cannot read ({err}); skipped")),
        Ok(handle) => {
            let counting = Counting {
                inner: handle,
                count: &read,
            };
            let input: Box<dyn BufRead + '_> = if is_gzip(&file.rel) {
                let inflated = flate2::read::MultiGzDecoder::new(BufReader::new(counting));
                Box::new(BufReader::with_capacity(BUFFER_BYTES, inflated))
            } else {
                Box::new(BufReader::with_capacity(BUFFER_BYTES, counting))
            };
            read_stream(input, file, &mut out, &mut warnings);
        }
    }
    out.report();
    if out.paragraphs == 0 && warnings.list.is_empty() {
        warnings.push(None, "no paragraphs found; nothing indexed".to_string());
    }
    warnings.finish()
}

/// Describes an I/O error met while reading, gzip's included.
fn read_problem(err: &io::Error, gzip: bool) -> String {
    if gzip
        && matches!(
            err.kind(),
            io::ErrorKind::InvalidInput | io::ErrorKind::InvalidData
        )
    {
        format!("not a valid gzip stream ({err})")
    } else if err.kind() == io::ErrorKind::UnexpectedEof && gzip {
        "gzip stream is cut off".to_string()
    } else {
        format!("cannot read ({err})")
    }
}

fn read_stream(
    mut input: Box<dyn BufRead + '_>,
    file: &CorpusFile,
    out: &mut Emitter<'_>,
    warnings: &mut Warnings<'_>,
) {
    let gzip = is_gzip(&file.rel);
    let mut head = Vec::new();
    if let Err(err) = (&mut input).take(SNIFF_BYTES).read_to_end(&mut head) {
        warnings.push(None, format!("{}; skipped", read_problem(&err, gzip)));
        return;
    }
    if head.starts_with(&[0xff, 0xfe]) || head.starts_with(&[0xfe, 0xff]) {
        warnings.push(None, "UTF-16 text; skipped (save it as UTF-8)".to_string());
        return;
    }
    // Like git and ripgrep, a NUL near the start means binary.
    if head.contains(&0) {
        warnings.push(None, "binary file; skipped".to_string());
        return;
    }
    let head_text = String::from_utf8_lossy(&head);
    let format = match file.format {
        Format::Article if wikiextractor::looks_like_wikiextractor(&head_text) => {
            Format::WikiExtractor
        }
        format => format,
    };
    let input = io::Cursor::new(head).chain(input);
    match format {
        Format::Article => read_article(input, file, gzip, out, warnings),
        Format::JsonLines => read_json_lines(input, &file.rel, gzip, out, warnings),
        Format::WikiExtractor => read_wikiextractor(input, &file.rel, gzip, out, warnings),
    }
}

/// An article file is parsed whole: its headings give every paragraph its section path.
fn read_article(
    mut input: impl BufRead,
    file: &CorpusFile,
    gzip: bool,
    out: &mut Emitter<'_>,
    warnings: &mut Warnings<'_>,
) {
    let mut bytes = Vec::new();
    if let Err(err) = input.read_to_end(&mut bytes) {
        warnings.push(None, format!("{}; skipped", read_problem(&err, gzip)));
        return;
    }
    // An article is read whole, so a NUL anywhere rejects it.
    if bytes.contains(&0) {
        warnings.push(None, "binary file; skipped".to_string());
        return;
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let bytes = err.as_bytes();
            let offset = err.utf8_error().valid_up_to();
            let line = 1 + bytes[..offset].iter().filter(|&&b| b == b'\n').count();
            warnings.push(
                None,
                format!("not UTF-8 (invalid byte on line {line}, offset {offset}); skipped"),
            );
            return;
        }
    };
    let name = file.rel.strip_suffix(".gz").unwrap_or(&file.rel);
    let stem = Path::new(name)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or(name);
    for paragraph in segment::segment(&article::parse_articles(&text), &file.rel, stem) {
        out.emit(paragraph);
    }
}

/// Reads lines as bytes, so that one line of invalid UTF-8 costs that line, not the file.
fn for_each_line(
    mut input: impl BufRead,
    gzip: bool,
    warnings: &mut Warnings<'_>,
    mut each: impl FnMut(usize, &str, &mut Warnings<'_>),
) {
    let mut buffer = Vec::new();
    let mut line_no = 0;
    loop {
        buffer.clear();
        match input.read_until(b'\n', &mut buffer) {
            Ok(0) => return,
            Ok(_) => {}
            Err(err) => {
                warnings.push(
                    Some(line_no + 1),
                    format!(
                        "{}; the rest of the file is skipped",
                        read_problem(&err, gzip)
                    ),
                );
                return;
            }
        }
        line_no += 1;
        match std::str::from_utf8(&buffer) {
            Ok(line) => each(line_no, line, warnings),
            Err(err) => warnings.push(
                Some(line_no),
                format!(
                    "not UTF-8 (invalid byte at column {}); line skipped",
                    err.valid_up_to() + 1
                ),
            ),
        }
    }
}

fn read_json_lines(
    input: impl BufRead,
    file: &str,
    gzip: bool,
    out: &mut Emitter<'_>,
    warnings: &mut Warnings<'_>,
) {
    for_each_line(input, gzip, warnings, |line_no, line, warnings| {
        let line = if line_no == 1 {
            line.strip_prefix('\u{feff}').unwrap_or(line)
        } else {
            line
        };
        if let Some(paragraph) = parse_json_line(file, line_no, line, warnings) {
            out.emit(paragraph);
        }
    });
}

/// One JSON-lines record as users export it; BEIR's `_id` is accepted for `id`.
#[derive(Deserialize)]
struct JsonRecord {
    #[serde(alias = "_id")]
    id: Option<serde_json::Value>,
    #[serde(default)]
    title: Option<String>,
    text: Option<String>,
    #[serde(default)]
    date: Option<String>,
}

fn parse_json_line(
    file: &str,
    line_no: usize,
    line: &str,
    warnings: &mut Warnings<'_>,
) -> Option<Paragraph> {
    let line = line.trim();
    if line.is_empty() {
        return None;
    }
    let mut warn = |message: String| warnings.push(Some(line_no), message);
    let record: JsonRecord = match serde_json::from_str(line) {
        Ok(record) => record,
        Err(err) => {
            warn(format!("malformed JSON ({err}); line skipped"));
            return None;
        }
    };
    let Some(body) = record.text else {
        warn("record has no \"text\"; line skipped".to_string());
        return None;
    };
    let id = match record.id {
        Some(serde_json::Value::String(s)) if !s.is_empty() => s,
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => format!("{file}#{line_no}"),
    };
    let date = match record.date.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(raw) => match record::normalise_date(raw) {
            Some(date) => Some(date),
            None => {
                warn(format!(
                    "date {raw:?} is not YYYY, YYYY-MM or YYYY-MM-DD; record indexed without it"
                ));
                None
            }
        },
    };
    let title = record
        .title
        .map(|t| segment::clean_text(&t))
        .unwrap_or_default();
    let text = segment::clean_text(&body);
    if text.is_empty() && title.is_empty() {
        warn("record is empty; line skipped".to_string());
        return None;
    }
    Some(Paragraph {
        id,
        file: file.to_string(),
        title,
        section: Vec::new(),
        ordinal: u32::try_from(line_no).unwrap_or(u32::MAX),
        text,
        date,
    })
}

fn read_wikiextractor(
    input: impl BufRead,
    file: &str,
    gzip: bool,
    out: &mut Emitter<'_>,
    warnings: &mut Warnings<'_>,
) {
    let mut docs = DocReader::new(input);
    for doc in docs.by_ref() {
        match doc {
            Ok(doc) => {
                for paragraph in wikiextractor::paragraphs(&doc, file) {
                    out.emit(paragraph);
                }
            }
            Err(err) => {
                warnings.push(
                    Some(docs.line()),
                    format!(
                        "{}; the rest of the file is skipped",
                        read_problem(&err, gzip)
                    ),
                );
                break;
            }
        }
    }
    for line in docs.take_skipped_lines() {
        warnings.push(Some(line), "not UTF-8; line skipped".to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn file(rel: &str, format: Format) -> CorpusFile {
        CorpusFile {
            rel: rel.to_string(),
            format,
            len: 0,
            modified_ns: 0,
        }
    }

    /// Reads `bytes` as the file `rel` would be read, from a temporary copy.
    fn read_bytes(rel: &str, format: Format, bytes: &[u8]) -> (Vec<Paragraph>, Vec<String>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("f");
        std::fs::write(&path, bytes).expect("write");
        let mut paragraphs = Vec::new();
        let warnings = read_file(&path, &file(rel, format), &mut |p| paragraphs.push(p));
        (
            paragraphs,
            warnings.iter().map(ToString::to_string).collect(),
        )
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).expect("compress");
        encoder.finish().expect("compress")
    }

    const ARTICLE: &str = "= Torkham =\n\n== Closures ==\nThe Torkham border crossing was shut on 21 February 2025.\n\nTrade resumed later.\n";
    const WIKI: &str = "<doc id=\"12\" url=\"u\" title=\"Torkham\">\nTorkham\n\nTorkham is a town on the border between Afghanistan and Pakistan.\nHistory.\nThe crossing was shut in 2025 after a dispute over a new border post.\n</doc>\n";
    const JSONL: &str = "{\"id\": \"a\", \"text\": \"Border shut.\"}\n{\"id\": \"b\", \"text\": \"Trade resumed.\"}\n";

    fn ids(paragraphs: &[Paragraph]) -> Vec<&str> {
        paragraphs.iter().map(|p| p.id.as_str()).collect()
    }

    #[test]
    fn gzip_gives_the_same_paragraphs_for_every_format() {
        for (rel, format, text) in [
            ("a.txt", Format::Article, ARTICLE),
            ("w.txt", Format::Article, WIKI),
            ("wiki_00", Format::WikiExtractor, WIKI),
            ("n.jsonl", Format::JsonLines, JSONL),
        ] {
            let (plain, plain_warnings) = read_bytes(rel, format, text.as_bytes());
            let gz_rel = format!("{rel}.gz");
            let (packed, packed_warnings) = read_bytes(&gz_rel, format, &gzip(text.as_bytes()));
            assert!(!plain.is_empty(), "{rel}");
            assert!(plain_warnings.is_empty(), "{rel}: {plain_warnings:?}");
            assert!(packed_warnings.is_empty(), "{rel}: {packed_warnings:?}");
            let texts = |ps: &[Paragraph]| ps.iter().map(|p| p.text.clone()).collect::<Vec<_>>();
            assert_eq!(texts(&plain), texts(&packed), "{rel}");
        }
    }

    #[test]
    fn wikiextractor_is_recognised_inside_a_txt_file() {
        let (paragraphs, warnings) = read_bytes("w.txt", Format::Article, WIKI.as_bytes());
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(ids(&paragraphs), ["w.txt#12.1", "w.txt#12.2"]);
        assert_eq!(paragraphs[1].section, ["History"]);
        assert_eq!(paragraphs[1].title, "Torkham");
    }

    #[test]
    fn article_stem_ignores_the_gz_suffix() {
        let (paragraphs, _) = read_bytes("a.txt.gz", Format::Article, &gzip(ARTICLE.as_bytes()));
        assert_eq!(paragraphs[0].title, "Torkham");
        assert_eq!(paragraphs[0].file, "a.txt.gz");
    }

    #[test]
    fn corrupt_and_truncated_gzip_keep_what_was_read() {
        let (_, warnings) = read_bytes("a.txt.gz", Format::Article, b"not gzip at all");
        assert!(
            warnings[0].contains("not a valid gzip stream"),
            "{warnings:?}"
        );

        let mut lines = String::new();
        for i in 0..20_000 {
            lines.push_str(&format!(
                "{{\"id\": \"r{i}\", \"text\": \"record number {i}\"}}\n"
            ));
        }
        let packed = gzip(lines.as_bytes());
        let cut = &packed[..packed.len() / 2];
        let (paragraphs, warnings) = read_bytes("n.jsonl.gz", Format::JsonLines, cut);
        assert!(paragraphs.len() > 1000, "{}", paragraphs.len());
        assert!(paragraphs.len() < 20_000);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(
            warnings[0].contains("the rest of the file is skipped"),
            "{warnings:?}"
        );
    }

    #[test]
    fn bad_bytes_are_reported_per_line_or_per_file() {
        let (paragraphs, warnings) = read_bytes(
            "n.jsonl",
            Format::JsonLines,
            b"{\"id\": \"a\", \"text\": \"ok\"}\n{\"id\": \"b\", \"text\": \"\xff\"}\n",
        );
        assert_eq!(ids(&paragraphs), ["a"]);
        assert_eq!(
            warnings,
            ["n.jsonl:2: not UTF-8 (invalid byte at column 22); line skipped"]
        );

        let (paragraphs, warnings) = read_bytes("a.txt", Format::Article, b"= T =\nok \xff\n");
        assert!(paragraphs.is_empty());
        assert!(
            warnings[0].contains("not UTF-8 (invalid byte on line 2"),
            "{warnings:?}"
        );

        let mut wiki = WIKI.as_bytes().to_vec();
        wiki.extend_from_slice(b"<doc id=\"13\" title=\"X\">\nbad \xff line\nA good line here, long enough to be a paragraph and not a heading.\n</doc>\n");
        let (paragraphs, warnings) = read_bytes("wiki_01", Format::WikiExtractor, &wiki);
        assert_eq!(
            paragraphs.last().map(|p| p.text.as_str()),
            Some("A good line here, long enough to be a paragraph and not a heading.")
        );
        assert_eq!(warnings, ["wiki_01:9: not UTF-8; line skipped"]);

        let (_, warnings) = read_bytes("a.txt", Format::Article, b"\xff\xfe= T =");
        assert_eq!(warnings, ["a.txt: UTF-16 text; skipped (save it as UTF-8)"]);
        let (_, warnings) = read_bytes("a.txt.gz", Format::Article, &gzip(b"ELF\0\0\x01"));
        assert_eq!(warnings, ["a.txt.gz: binary file; skipped"]);
    }

    #[test]
    fn warnings_are_capped_per_file() {
        let text = "not json\n".repeat(500);
        let (_, warnings) = read_bytes("n.jsonl", Format::JsonLines, text.as_bytes());
        assert_eq!(warnings.len(), MAX_WARNINGS_PER_FILE + 1);
        assert!(
            warnings[MAX_WARNINGS_PER_FILE].ends_with("450 more problems in this file, not listed")
        );
    }

    #[test]
    fn progress_counts_bytes_on_disk() {
        struct Sink(usize, u64);
        impl ParagraphSink for Sink {
            fn paragraph(&mut self, _: Paragraph) {
                self.0 += 1;
            }
            fn bytes_read(&mut self, bytes: u64) {
                self.1 += bytes;
            }
        }
        let dir = tempfile::tempdir().expect("tempdir");
        let packed = gzip(WIKI.repeat(1000).as_bytes());
        let path = dir.path().join("wiki_00.gz");
        std::fs::write(&path, &packed).expect("write");
        let mut sink = Sink(0, 0);
        let warnings = read_file(&path, &file("wiki_00.gz", Format::WikiExtractor), &mut sink);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(sink.0, 2000);
        assert_eq!(sink.1, packed.len() as u64);
    }
}
