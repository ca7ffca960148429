//! The library's one error type.
//!
//! Every variant carries the context a user needs to act on it (the path, the line, the fix),
//! because the CLI prints these messages as they are. Tantivy's errors are wrapped in the opaque
//! [`EngineError`] so that no Tantivy type appears in the public API.

use std::fmt;
use std::path::PathBuf;

/// What can go wrong while reading a corpus, building an index or searching it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The corpus directory does not exist or is not a directory.
    #[error("corpus directory {} not found; create it or pass --corpus DIR", path.display())]
    CorpusMissing {
        /// The directory that was asked for.
        path: PathBuf,
    },
    /// The corpus directory holds nothing afsearch can read.
    #[error("corpus directory {} holds no .txt or .jsonl files", path.display())]
    CorpusEmpty {
        /// The directory that was searched.
        path: PathBuf,
    },
    /// The corpus directory holds files, but none that afsearch could read (links it did not
    /// follow, loops, unreadable entries).
    #[error("corpus directory {} holds no file afsearch could read: {reason}{}", path.display(), more_problems(*more))]
    CorpusUnreadable {
        /// The directory that was searched.
        path: PathBuf,
        /// The first problem met.
        reason: String,
        /// How many more problems there were.
        more: usize,
    },
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A directory exists where the index should be, but it is not an index afsearch can use.
    #[error("{} is not a usable afsearch index ({reason}); rebuild it with `afsearch index --rebuild`", path.display())]
    BadIndex {
        /// The index directory.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// A directory exists where the index should go, and afsearch did not create it.
    #[error("{} exists and was not created by afsearch; pass another --index DIR (afsearch will not write into it)", path.display())]
    ForeignDirectory {
        /// The directory that afsearch refuses to touch.
        path: PathBuf,
    },
    /// No index exists at the given location.
    #[error("no index at {}; build one with `afsearch index`", path.display())]
    NoIndex {
        /// The index directory.
        path: PathBuf,
    },
    /// Another process is building this index.
    #[error("{} is being rebuilt by another afsearch process; try again when it finishes", path.display())]
    Locked {
        /// The index directory.
        path: PathBuf,
    },
    /// A record supplied to the library is unusable.
    #[error("record {id:?}: {reason}")]
    InvalidRecord {
        /// The record's id.
        id: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The query text could not be understood.
    #[error("invalid query: {0}")]
    Query(String),
    /// A filter value (year, date, entity, …) is malformed.
    #[error("invalid {flag} value {value:?}: {reason}")]
    Filter {
        /// The filter that was given, e.g. `--year`.
        flag: &'static str,
        /// The value as the user wrote it.
        value: String,
        /// What a valid value looks like.
        reason: String,
    },
    /// The search engine failed.
    #[error("{context}: {source}")]
    Engine {
        /// What afsearch was doing.
        context: String,
        /// The engine's own error.
        #[source]
        source: EngineError,
    },
}

fn more_problems(more: usize) -> String {
    match more {
        0 => String::new(),
        1 => " (and 1 more problem)".to_string(),
        n => format!(" (and {n} more problems)"),
    }
}

/// Shorthand for results with the library's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error from the search engine underneath afsearch, kept opaque on purpose.
#[derive(Debug)]
pub struct EngineError(tantivy::TantivyError);

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for EngineError {}

impl Error {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn engine(context: impl Into<String>, source: tantivy::TantivyError) -> Self {
        Error::Engine {
            context: context.into(),
            source: EngineError(source),
        }
    }
}
