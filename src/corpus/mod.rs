//! Finds the files of a corpus and turns each into [`Paragraph`]s.
//!
//! Owns the file-system side of reading a corpus: walking a directory in a stable order,
//! recognising formats, rejecting binary or non-UTF-8 files with a warning, and the cheap
//! fingerprint (size and modification time per file) that tells whether an index is stale.
//! Parsing the text itself is left to the pure [`article`] and [`segment`] modules; the
//! index never reads files.

pub mod article;
mod read;
mod record;
pub mod segment;
pub mod wikiextractor;

use crate::error::{Error, Result};
pub use read::ParagraphSink;
pub use record::Record;
pub use segment::Paragraph;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;
use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// The formats afsearch reads. Any of them may be gzip-compressed (`*.gz`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// `*.txt`: articles with `= Title =` and `== Section ==` headings, or WikiExtractor output
    /// (recognised by its first line, `<doc id=…>`).
    Article,
    /// `*.jsonl`: one record per line with `id` (or `_id`), `title`, `text` and optional `date`.
    JsonLines,
    /// WikiExtractor's own file names, `wiki_00` … `wiki_99` (no extension).
    WikiExtractor,
}

impl Format {
    /// The format a file name promises, after a `.gz` suffix; `None` for files afsearch does
    /// not read.
    fn of(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_str()?;
        let name = if read::is_gzip(name) {
            &name[..name.len() - 3]
        } else {
            name
        };
        if name
            .strip_prefix("wiki_")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        {
            return Some(Format::WikiExtractor);
        }
        let (_, ext) = name.rsplit_once('.')?;
        match ext.to_ascii_lowercase().as_str() {
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

/// A directory of a corpus, with its modification time: it changes when an entry is added,
/// removed or renamed in it, so an index can tell that the listing is unchanged without
/// listing it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorpusDir {
    /// Path relative to the corpus directory, `/`-separated; empty for the corpus itself.
    pub rel: String,
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
    /// `file:line: message`, with control and bidi characters escaped: a hostile file name
    /// must not be able to drive the terminal that shows the warning.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_escaped(f, &self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        write_escaped(f, &self.message)
    }
}

fn write_escaped(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    for c in text.chars() {
        let bidi = matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        );
        if c.is_control() || bidi {
            write!(f, "{}", c.escape_unicode())?;
        } else {
            fmt::Write::write_char(f, c)?;
        }
    }
    Ok(())
}

/// The paragraphs read from one file, and what was wrong with it.
#[derive(Debug, Default)]
pub struct FileContent {
    /// The file's paragraphs, in order.
    pub paragraphs: Vec<Paragraph>,
    /// Lines or the whole file that could not be used.
    pub warnings: Vec<Warning>,
}

/// How to list the files of a corpus directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CorpusOptions {
    /// A directory inside the corpus not to read: the index, when a user keeps it there. It
    /// need not exist yet.
    pub exclude: Option<PathBuf>,
    /// Also follow symbolic links that lead out of the corpus directory. Links that stay inside
    /// it are always followed (a file reached twice is read once); loops are reported, not
    /// walked.
    pub follow_links: bool,
}

/// A corpus directory and its files, sorted by relative path.
#[derive(Debug, Clone)]
pub struct Corpus {
    root: PathBuf,
    files: Vec<CorpusFile>,
    dirs: Vec<CorpusDir>,
    warnings: Vec<Warning>,
    follow_links: bool,
}

/// A file found by the walk, before duplicates reached through links are dropped.
struct Found {
    file: CorpusFile,
    path: PathBuf,
    via_link: bool,
}

impl Corpus {
    /// Lists the `*.txt` and `*.jsonl` files under `root`, recursively, in sorted order.
    ///
    /// Hidden files and directories are skipped, and so is `exclude` (the index directory,
    /// when a user keeps it inside the corpus). Symbolic links are followed while they stay
    /// inside `root`; see [`Corpus::open_with`] for the rest.
    pub fn open(root: &Path, exclude: Option<&Path>) -> Result<Corpus> {
        Corpus::open_with(
            root,
            &CorpusOptions {
                exclude: exclude.map(Path::to_path_buf),
                follow_links: false,
            },
        )
    }

    /// Lists the `*.txt` and `*.jsonl` files under `root` as [`Corpus::open`] does, with
    /// `options`.
    ///
    /// The walk never fails because of one entry: a symbolic link leading out of the corpus
    /// (unless [`CorpusOptions::follow_links`]), a link loop, a broken link, an unreadable
    /// directory, a name that is not UTF-8 or a corpus-named entry that is not a regular file is
    /// skipped and reported in [`Corpus::warnings`]. Only a missing or unreadable `root` and a
    /// corpus with no file to read are errors.
    pub fn open_with(root: &Path, options: &CorpusOptions) -> Result<Corpus> {
        if !root.is_dir() {
            return Err(Error::CorpusMissing {
                path: root.to_path_buf(),
            });
        }
        let real_root = root.canonicalize().map_err(|err| Error::io(root, err))?;
        let exclude = options.exclude.as_deref().and_then(resolve_path);
        let warnings = RefCell::new(Vec::new());
        let links = RefCell::new(Vec::<PathBuf>::new());
        let warn = |path: &Path, message: String| {
            warnings.borrow_mut().push(Warning {
                file: relative(root, path),
                line: None,
                message,
            });
        };
        let walker = walkdir::WalkDir::new(root)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|entry| {
                if entry.depth() == 0 {
                    return true;
                }
                if entry.file_name().to_str().is_some_and(|n| n.starts_with('.')) {
                    return false;
                }
                let is_dir = entry.file_type().is_dir();
                if is_dir
                    && exclude.is_some()
                    && entry.path().canonicalize().ok().as_deref() == exclude.as_deref()
                {
                    return false;
                }
                if !entry.path_is_symlink() {
                    return true;
                }
                let target = match entry.path().canonicalize() {
                    Ok(target) => target,
                    Err(err) => {
                        warn(entry.path(), format!("cannot follow symbolic link ({err}); skipped"));
                        return false;
                    }
                };
                if !options.follow_links && !target.starts_with(&real_root) {
                    if is_dir || Format::of(entry.path()).is_some() {
                        warn(
                            entry.path(),
                            format!(
                                "symbolic link to {} outside the corpus; not followed (--follow follows it)",
                                target.display()
                            ),
                        );
                    }
                    return false;
                }
                links.borrow_mut().push(entry.path().to_path_buf());
                true
            });
        let mut found = Vec::new();
        let mut dirs = Vec::new();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(err) => {
                    let path = err.path().unwrap_or(root).to_path_buf();
                    if err.depth() == 0 {
                        let source = err
                            .into_io_error()
                            .unwrap_or_else(|| std::io::Error::other("directory walk failed"));
                        return Err(Error::io(path, source));
                    }
                    if let Some(ancestor) = err.loop_ancestor() {
                        let back_to = match relative(root, ancestor) {
                            rel if rel.is_empty() => "the corpus directory".to_string(),
                            rel => rel,
                        };
                        warn(
                            &path,
                            format!("symbolic link loop back to {back_to}; not followed"),
                        );
                    } else if path.is_symlink() && !path.exists() {
                        if Format::of(&path).is_some() || path.extension().is_none() {
                            warn(&path, "broken symbolic link; skipped".to_string());
                        }
                    } else {
                        let reason = err
                            .io_error()
                            .map_or_else(|| err.to_string(), ToString::to_string);
                        warn(&path, format!("cannot read ({reason}); skipped"));
                    }
                    continue;
                }
            };
            if entry.file_type().is_dir() {
                if let Some(rel) = entry.path().strip_prefix(root).ok().and_then(Path::to_str) {
                    dirs.push(CorpusDir {
                        rel: rel.replace(std::path::MAIN_SEPARATOR, "/"),
                        modified_ns: modified_ns(entry.metadata().ok().as_ref()),
                    });
                }
            }
            let Some(format) = Format::of(entry.path()) else {
                continue;
            };
            if !entry.file_type().is_file() {
                if !entry.file_type().is_dir() {
                    warn(entry.path(), "not a regular file; skipped".to_string());
                }
                continue;
            }
            if entry
                .path()
                .strip_prefix(root)
                .ok()
                .and_then(Path::to_str)
                .is_none()
            {
                warn(
                    entry.path(),
                    "file name is not valid UTF-8; skipped (rename it)".to_string(),
                );
                continue;
            }
            let meta = match entry.metadata() {
                Ok(meta) => meta,
                Err(err) => {
                    warn(entry.path(), format!("cannot read ({err}); skipped"));
                    continue;
                }
            };
            let modified_ns = modified_ns(Some(&meta));
            let path = entry.path().to_path_buf();
            let via_link = links.borrow().iter().any(|link| path.starts_with(link));
            found.push(Found {
                file: CorpusFile {
                    rel: relative(root, &path),
                    format,
                    len: meta.len(),
                    modified_ns,
                },
                path,
                via_link,
            });
        }
        let files = without_duplicates(found, &real_root);
        let mut warnings = warnings.into_inner();
        if files.is_empty() {
            return Err(match warnings.first() {
                // "Holds no files" would hide why: say what was skipped.
                Some(first) => Error::CorpusUnreadable {
                    path: root.to_path_buf(),
                    reason: first.to_string(),
                    more: warnings.len() - 1,
                },
                None => Error::CorpusEmpty {
                    path: root.to_path_buf(),
                },
            });
        }
        warnings.sort_by(|a, b| a.file.cmp(&b.file));
        dirs.sort_by(|a: &CorpusDir, b| a.rel.cmp(&b.rel));
        Ok(Corpus {
            root: root.to_path_buf(),
            files,
            dirs,
            warnings,
            follow_links: options.follow_links,
        })
    }

    /// The directories the walk went through (the corpus itself included), sorted by path.
    pub fn dirs(&self) -> &[CorpusDir] {
        &self.dirs
    }

    /// Whether links out of the corpus were followed ([`CorpusOptions::follow_links`]); the
    /// index records it, so that later runs list the corpus the same way.
    pub fn follows_links(&self) -> bool {
        self.follow_links
    }

    /// What the walk skipped and why (links not followed, loops, unreadable directories).
    /// [`crate::build_index`] reports these with the files' own warnings.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
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

    /// Reads and segments one file, handing each paragraph to `sink` as soon as it is parsed,
    /// so memory is bounded by one record or article, not by the file. Never fails: an
    /// unreadable, binary or non-UTF-8 file, or a corrupt gzip stream, yields a warning that
    /// names it, after whatever paragraphs came before the problem.
    pub fn read(&self, file: &CorpusFile, sink: &mut dyn ParagraphSink) -> Vec<Warning> {
        read::read_file(&self.root.join(&file.rel), file, sink)
    }

    /// Reads and segments one file into memory; see [`Corpus::read`].
    pub fn load(&self, file: &CorpusFile) -> FileContent {
        let mut paragraphs = Vec::new();
        let warnings = self.read(file, &mut |p| paragraphs.push(p));
        FileContent {
            paragraphs,
            warnings,
        }
    }
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(root).unwrap_or(path);
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// `path` made absolute with links resolved, even when it does not exist yet (its nearest
/// existing ancestor is resolved and the rest appended).
fn resolve_path(path: &Path) -> Option<PathBuf> {
    if let Ok(real) = path.canonicalize() {
        return Some(real);
    }
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    Some(resolve_path(parent)?.join(name))
}

/// A modification time in nanoseconds since the Unix epoch; 0 when unknown.
pub(crate) fn modified_ns(meta: Option<&std::fs::Metadata>) -> u128 {
    meta.and_then(|meta| meta.modified().ok())
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos())
}

/// Drops the files reached through a link when the same file is also reached directly (or
/// through an earlier link), so that a link inside the corpus never indexes a file twice.
fn without_duplicates(found: Vec<Found>, real_root: &Path) -> Vec<CorpusFile> {
    let mut files: Vec<CorpusFile> = if found.iter().any(|f| f.via_link) {
        let direct: HashSet<PathBuf> = found
            .iter()
            .filter(|f| !f.via_link)
            .map(|f| real_root.join(&f.file.rel))
            .collect();
        let mut seen = HashSet::new();
        found
            .into_iter()
            .filter(|f| {
                !f.via_link
                    || f.path
                        .canonicalize()
                        .map_or(true, |real| !direct.contains(&real) && seen.insert(real))
            })
            .map(|f| f.file)
            .collect()
    } else {
        found.into_iter().map(|f| f.file).collect()
    };
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_file_name() {
        let cases = [
            ("a.txt", Some(Format::Article)),
            ("a.TXT", Some(Format::Article)),
            ("a.txt.gz", Some(Format::Article)),
            ("news.jsonl", Some(Format::JsonLines)),
            ("news.jsonl.GZ", Some(Format::JsonLines)),
            ("AA/wiki_00", Some(Format::WikiExtractor)),
            ("AA/wiki_17.gz", Some(Format::WikiExtractor)),
            ("wiki_", None),
            ("wiki_x1", None),
            ("a.gz", None),
            ("notes.md", None),
            ("README", None),
        ];
        for (name, expected) in cases {
            assert_eq!(Format::of(Path::new(name)), expected, "{name}");
        }
    }

    #[test]
    fn json_lines_records() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("news.jsonl"),
            concat!(
                "\u{feff}{\"id\": \"a1\", \"title\": \"Torkham\", \"text\": \"Border shut.\", \"date\": \"2025-02-21\"}\n",
                "{\"_id\": 42, \"title\": \"BEIR\", \"text\": \"Doc text.\"}\n",
                "\n",
                "{\"id\": \"a3\", \"text\": \"No date \", \"date\": \"2025-02-21T10:00:00Z\"}\n",
                "{\"id\": \"a4\", \"text\": \n",
                "{\"id\": \"a5\", \"title\": \"no text\"}\n",
                "{\"id\": \"a6\", \"text\": \"bad date\", \"date\": \"2025-13-01\"}\n",
            ),
        )
        .expect("write");
        let corpus = Corpus::open(dir.path(), None).expect("corpus");
        let got = corpus.load(&corpus.files()[0]);
        let ids: Vec<&str> = got.paragraphs.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["a1", "42", "a3", "a6"]);
        assert_eq!(got.paragraphs[0].date.as_deref(), Some("2025-02-21"));
        assert_eq!(got.paragraphs[2].date.as_deref(), Some("2025-02-21"));
        assert_eq!(got.paragraphs[2].text, "No date");
        assert_eq!(got.paragraphs[1].ordinal, 2);
        let lines: Vec<Option<usize>> = got.warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [Some(5), Some(6), Some(7)]);
        assert!(got.warnings[0]
            .to_string()
            .starts_with("news.jsonl:5: malformed JSON"));
    }
}
