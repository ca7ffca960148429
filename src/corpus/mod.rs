//! Finds the files of a corpus and turns each into [`Paragraph`]s.
//!
//! Owns the file-system side of reading a corpus: walking a directory in a stable order,
//! recognising formats, rejecting binary or non-UTF-8 files with a warning, and the cheap
//! fingerprint (size and modification time per file) that tells whether an index is stale.
//! Parsing the text itself is left to the pure [`article`] and [`segment`] modules; the
//! index never reads files.

pub mod article;
mod record;
pub mod segment;

use crate::error::{Error, Result};
pub use record::Record;
pub use segment::Paragraph;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// The formats afsearch reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `*.txt`: articles with `= Title =` and `== Section ==` headings.
    Article,
    /// `*.jsonl`: one record per line with `id` (or `_id`), `title`, `text` and optional `date`.
    JsonLines,
}

impl Format {
    fn of(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "txt" => Some(Format::Article),
            "jsonl" => Some(Format::JsonLines),
            _ => None,
        }
    }
}

/// One readable file of a corpus, with what is needed to notice that it changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpusFile {
    /// Path relative to the corpus directory, `/`-separated: what users see and ids contain.
    pub rel: String,
    /// How the file is parsed.
    pub format: Format,
    /// Size in bytes when the corpus was opened.
    pub len: u64,
    /// Modification time in nanoseconds since the Unix epoch (0 if the platform has none).
    pub modified_ns: u128,
}

/// A problem with one file or line that did not stop the rest of the corpus from being read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The file, relative to the corpus directory.
    pub file: String,
    /// The 1-based line, when the problem is on one line.
    pub line: Option<usize>,
    /// What is wrong and what happened to the input.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

/// The paragraphs read from one file, and what was wrong with it.
#[derive(Debug, Default)]
pub struct FileContent {
    /// The file's paragraphs, in order.
    pub paragraphs: Vec<Paragraph>,
    /// Lines or the whole file that could not be used.
    pub warnings: Vec<Warning>,
}

/// A corpus directory and its files, sorted by relative path.
#[derive(Debug, Clone)]
pub struct Corpus {
    root: PathBuf,
    files: Vec<CorpusFile>,
}

impl Corpus {
    /// Lists the `*.txt` and `*.jsonl` files under `root`, recursively, in sorted order.
    ///
    /// Hidden files and directories are skipped, and so is `exclude` (the index directory,
    /// when a user keeps it inside the corpus). Symbolic links are not followed.
    pub fn open(root: &Path, exclude: Option<&Path>) -> Result<Corpus> {
        if !root.is_dir() {
            return Err(Error::CorpusMissing {
                path: root.to_path_buf(),
            });
        }
        let exclude = exclude.and_then(|p| p.canonicalize().ok());
        let mut files = Vec::new();
        let walker = walkdir::WalkDir::new(root)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| {
                let hidden = entry.depth() > 0
                    && entry
                        .file_name()
                        .to_str()
                        .is_some_and(|n| n.starts_with('.'));
                let excluded = entry.file_type().is_dir()
                    && exclude
                        .as_ref()
                        .is_some_and(|ex| entry.path().canonicalize().ok().as_ref() == Some(ex));
                !hidden && !excluded
            });
        for entry in walker {
            let entry = entry.map_err(|err| {
                let path = err.path().unwrap_or(root).to_path_buf();
                let source = err
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("directory walk failed"));
                Error::io(path, source)
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let Some(format) = Format::of(entry.path()) else {
                continue;
            };
            let meta = entry.metadata().map_err(|err| {
                let source = err
                    .into_io_error()
                    .unwrap_or_else(|| std::io::Error::other("cannot read metadata"));
                Error::io(entry.path(), source)
            })?;
            let modified_ns = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            files.push(CorpusFile {
                rel: relative(root, entry.path()),
                format,
                len: meta.len(),
                modified_ns,
            });
        }
        if files.is_empty() {
            return Err(Error::CorpusEmpty {
                path: root.to_path_buf(),
            });
        }
        files.sort_by(|a, b| a.rel.cmp(&b.rel));
        Ok(Corpus {
            root: root.to_path_buf(),
            files,
        })
    }

    /// The corpus directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The corpus files, sorted by relative path.
    pub fn files(&self) -> &[CorpusFile] {
        &self.files
    }

    /// Total size of the corpus files in bytes.
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.len).sum()
    }

    /// Reads and segments one file. Never fails: an unreadable, binary or non-UTF-8 file
    /// yields no paragraphs and a warning that names it.
    pub fn load(&self, file: &CorpusFile) -> FileContent {
        let path = self.root.join(&file.rel);
        let warn = |message: String| FileContent {
            paragraphs: Vec::new(),
            warnings: vec![Warning {
                file: file.rel.clone(),
                line: None,
                message,
            }],
        };
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) => return warn(format!("cannot read ({err}); skipped")),
        };
        if bytes.contains(&0) {
            return warn("binary file; skipped".to_string());
        }
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => {
                let offset = err.utf8_error().valid_up_to();
                return warn(format!(
                    "not UTF-8 (invalid byte at offset {offset}); skipped"
                ));
            }
        };
        let mut content = parse_file(file, &text);
        if content.paragraphs.is_empty() && content.warnings.is_empty() {
            content.warnings.push(Warning {
                file: file.rel.clone(),
                line: None,
                message: "no paragraphs found; nothing indexed".to_string(),
            });
        }
        content
    }
}

/// Parses the text of one file according to its format.
pub fn parse_file(file: &CorpusFile, text: &str) -> FileContent {
    match file.format {
        Format::Article => {
            let stem = Path::new(&file.rel)
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or(&file.rel);
            FileContent {
                paragraphs: segment::segment(&article::parse_articles(text), &file.rel, stem),
                warnings: Vec::new(),
            }
        }
        Format::JsonLines => parse_json_lines(&file.rel, text),
    }
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

fn parse_json_lines(file: &str, text: &str) -> FileContent {
    let mut content = FileContent::default();
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    for (index, line) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut warn = |message: String| {
            content.warnings.push(Warning {
                file: file.to_string(),
                line: Some(line_no),
                message,
            })
        };
        let record: JsonRecord = match serde_json::from_str(line) {
            Ok(record) => record,
            Err(err) => {
                warn(format!("malformed JSON ({err}); line skipped"));
                continue;
            }
        };
        let Some(body) = record.text else {
            warn("record has no \"text\"; line skipped".to_string());
            continue;
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
            .map(|t| clean_text_line(&t))
            .unwrap_or_default();
        let text = segment::clean_text(&body);
        if text.is_empty() && title.is_empty() {
            warn("record is empty; line skipped".to_string());
            continue;
        }
        content.paragraphs.push(Paragraph {
            id,
            file: file.to_string(),
            title,
            section: Vec::new(),
            ordinal: u32::try_from(line_no).unwrap_or(u32::MAX),
            text,
            date,
        });
    }
    content
}

fn clean_text_line(text: &str) -> String {
    segment::clean_text(text)
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jsonl(text: &str) -> FileContent {
        parse_json_lines("news.jsonl", text)
    }

    #[test]
    fn json_lines_records() {
        let got = jsonl(concat!(
            "{\"id\": \"a1\", \"title\": \"Torkham\", \"text\": \"Border shut.\", \"date\": \"2025-02-21\"}\n",
            "{\"_id\": 42, \"title\": \"BEIR\", \"text\": \"Doc text.\"}\n",
            "\n",
            "{\"id\": \"a3\", \"text\": \"No date \", \"date\": \"2025-02-21T10:00:00Z\"}\n",
        ));
        assert!(got.warnings.is_empty(), "{:?}", got.warnings);
        let ids: Vec<&str> = got.paragraphs.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["a1", "42", "a3"]);
        assert_eq!(got.paragraphs[0].date.as_deref(), Some("2025-02-21"));
        assert_eq!(got.paragraphs[2].date.as_deref(), Some("2025-02-21"));
        assert_eq!(got.paragraphs[2].text, "No date");
        assert_eq!(got.paragraphs[1].ordinal, 2);
    }

    #[test]
    fn json_lines_bad_lines_are_reported_with_line_numbers() {
        let got = jsonl(concat!(
            "{\"id\": \"a1\", \"text\": \"ok\"}\n",
            "{\"id\": \"a2\", \"text\": \n",
            "{\"id\": \"a3\", \"title\": \"no text\"}\n",
            "{\"id\": \"a4\", \"text\": \"bad date\", \"date\": \"2025-13-01\"}\n",
        ));
        let ids: Vec<&str> = got.paragraphs.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["a1", "a4"]);
        let lines: Vec<Option<usize>> = got.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [Some(2), Some(3), Some(4)]);
        assert!(got.warnings[0]
            .to_string()
            .starts_with("news.jsonl:2: malformed JSON"));
    }
}
