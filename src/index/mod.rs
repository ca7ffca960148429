//! Builds the on-disk index from a corpus, and knows the index directory's layout.
//!
//! An index directory holds `afsearch.json` (what was built, from which corpus files, and which
//! generation is current) and one `gen-*` directory per build with the Tantivy index in it. A
//! rebuild writes a new generation and switches over by atomically replacing `afsearch.json`,
//! so a reader always sees a complete index, and a killed build leaves only debris that the
//! next build removes. A lock file keeps two builds from writing at once.
//!
//! The schema and the domain → document mapping live in [`schema`] and [`doc`]; querying is
//! `search`'s job.

pub(crate) mod doc;
pub(crate) mod schema;

use crate::corpus::{Corpus, CorpusFile, Warning};
use crate::error::{Error, Result};
use crate::extract::extract;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tantivy::{Index, IndexWriter, TantivyDocument};

/// File naming the current generation and describing what it was built from.
pub(crate) const META_FILE: &str = "afsearch.json";
const LOCK_FILE: &str = ".afsearch.lock";
const GENERATION_PREFIX: &str = "gen-";
/// Bumped whenever the schema or the analysis changes, so old indexes are rebuilt, not misread.
const FORMAT_VERSION: u32 = 2;

/// What an index was built from, as recorded in its directory.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct IndexInfo {
    /// Index format; an index of another format is rebuilt.
    pub format: u32,
    /// Version of afsearch that built it.
    pub afsearch_version: String,
    /// The generation directory holding the current index.
    pub generation: String,
    /// When the build finished, in seconds since the Unix epoch.
    pub built_at: u64,
    /// The corpus directory, absolute.
    pub corpus: PathBuf,
    /// The corpus files with their sizes and modification times at build time.
    pub files: Vec<CorpusFile>,
    /// Number of paragraphs indexed.
    pub paragraphs: u64,
    /// Number of articles (for JSON lines: records) the paragraphs come from.
    #[serde(default)]
    pub articles: u64,
}

impl IndexInfo {
    /// Reads the description of the index in `dir`, `Ok(None)` if there is no index there.
    pub fn read(dir: &Path) -> Result<Option<IndexInfo>> {
        let path = dir.join(META_FILE);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(Error::io(path, err)),
        };
        let info: IndexInfo = serde_json::from_slice(&bytes).map_err(|err| Error::BadIndex {
            path: dir.to_path_buf(),
            reason: format!("{META_FILE} is unreadable: {err}"),
        })?;
        Ok(Some(info))
    }

    /// Whether this index was built with the current format.
    pub fn is_current_format(&self) -> bool {
        self.format == FORMAT_VERSION
    }
}

/// How an index compares with its corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Freshness {
    /// There is no index yet.
    Missing,
    /// The index reflects the corpus as it is now.
    Fresh,
    /// The corpus changed since the build (or the index is of an older format); says how.
    Stale(String),
}

/// Compares the index in `dir` with `corpus`, from file sizes and modification times only
/// (no file is read, so this costs a directory walk, not a corpus scan).
pub fn freshness(dir: &Path, corpus: &Corpus) -> Result<Freshness> {
    let Some(info) = IndexInfo::read(dir)? else {
        return Ok(Freshness::Missing);
    };
    if !info.is_current_format() {
        return Ok(Freshness::Stale(format!(
            "it was built by an older afsearch (format {}, now {FORMAT_VERSION})",
            info.format
        )));
    }
    let root = corpus
        .root()
        .canonicalize()
        .unwrap_or_else(|_| corpus.root().to_path_buf());
    if root != info.corpus {
        return Ok(Freshness::Stale(format!(
            "it was built from another corpus ({})",
            info.corpus.display()
        )));
    }
    let now = corpus.files();
    if let Some(change) = describe_change(&info.files, now) {
        return Ok(Freshness::Stale(change));
    }
    Ok(Freshness::Fresh)
}

fn describe_change(before: &[CorpusFile], now: &[CorpusFile]) -> Option<String> {
    for file in now {
        match before.iter().find(|b| b.rel == file.rel) {
            None => return Some(format!("{} was added", file.rel)),
            Some(old) if old != file => return Some(format!("{} changed", file.rel)),
            Some(_) => {}
        }
    }
    before
        .iter()
        .find(|b| !now.iter().any(|f| f.rel == b.rel))
        .map(|gone| format!("{} was removed", gone.rel))
}

/// Options for [`build`].
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Indexing threads for the writer; `None` uses every core.
    pub threads: Option<usize>,
    /// Memory budget of the index writer, in megabytes (at least 15 per thread).
    pub memory_mb: usize,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            threads: None,
            memory_mb: 256,
        }
    }
}

/// What a build did.
#[derive(Debug, Clone)]
pub struct BuildReport {
    /// Files read (including those that yielded warnings).
    pub files: usize,
    /// Paragraphs indexed.
    pub paragraphs: u64,
    /// Articles (for JSON lines: records) the paragraphs come from.
    pub articles: u64,
    /// Bytes of corpus read.
    pub bytes: u64,
    /// Files and lines that were skipped, and why.
    pub warnings: Vec<Warning>,
    /// Wall time of the build.
    pub elapsed: Duration,
}

/// Holds the build lock of an index directory until dropped.
struct BuildLock {
    _file: fs::File,
}

impl BuildLock {
    fn acquire(dir: &Path) -> Result<BuildLock> {
        let path = dir.join(LOCK_FILE);
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|err| Error::io(&path, err))?;
        match file.try_lock() {
            Ok(()) => Ok(BuildLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => Err(Error::Locked {
                path: dir.to_path_buf(),
            }),
            Err(fs::TryLockError::Error(err)) => Err(Error::io(path, err)),
        }
    }
}

/// Refuses to write into a directory that holds things afsearch did not put there.
fn check_ownership(dir: &Path) -> Result<()> {
    if dir.join(META_FILE).exists() {
        return Ok(());
    }
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(Error::io(dir, err)),
    };
    for entry in entries {
        let entry = entry.map_err(|err| Error::io(dir, err))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let ours = name.starts_with('.')
            || name.starts_with("README")
            || name.starts_with(GENERATION_PREFIX);
        if !ours {
            return Err(Error::ForeignDirectory {
                path: dir.to_path_buf(),
            });
        }
    }
    Ok(())
}

/// Removes generation directories other than `keep` (left by replaced or killed builds).
fn remove_debris(dir: &Path, keep: Option<&str>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(GENERATION_PREFIX) && Some(name.as_ref()) != keep {
            // Best effort: a generation still open by a running search is removed by the next build.
            let _ = fs::remove_dir_all(entry.path());
        }
        if name.starts_with(META_FILE) && name.as_ref() != META_FILE {
            let _ = fs::remove_file(entry.path());
        }
    }
}

fn new_generation_name() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{GENERATION_PREFIX}{}-{}",
        now.as_nanos(),
        std::process::id()
    )
}

fn write_info(dir: &Path, info: &IndexInfo) -> Result<()> {
    let tmp = dir.join(format!("{META_FILE}.{}.tmp", std::process::id()));
    let json = serde_json::to_vec_pretty(info).map_err(|err| Error::io(&tmp, err.into()))?;
    let mut file = fs::File::create(&tmp).map_err(|err| Error::io(&tmp, err))?;
    file.write_all(&json)
        .and_then(|()| file.sync_all())
        .map_err(|err| Error::io(&tmp, err))?;
    fs::rename(&tmp, dir.join(META_FILE)).map_err(|err| Error::io(dir.join(META_FILE), err))?;
    // Make the rename itself durable before old generations are deleted.
    if let Ok(handle) = fs::File::open(dir) {
        let _ = handle.sync_all();
    }
    Ok(())
}

/// Indexes every paragraph of `corpus` into `writer`, in parallel; returns paragraphs and warnings.
fn index_corpus(
    corpus: &Corpus,
    writer: &IndexWriter<TantivyDocument>,
    fields: &schema::Fields,
) -> Result<(u64, u64, Vec<Warning>)> {
    let paragraphs = AtomicU64::new(0);
    let articles = AtomicU64::new(0);
    let per_file: Vec<Result<Vec<Warning>>> = corpus
        .files()
        .par_iter()
        .enumerate()
        .map(|(file_index, file)| {
            let content = corpus.load(file);
            content.paragraphs.par_iter().try_for_each(|paragraph| {
                let extraction = extract(paragraph);
                writer
                    .add_document(doc::to_document(paragraph, &extraction, fields, file_index))
                    .map(|_| ())
                    .map_err(|err| Error::engine("adding a document", err))
            })?;
            paragraphs.fetch_add(content.paragraphs.len() as u64, Ordering::Relaxed);
            articles.fetch_add(count_articles(file, &content.paragraphs), Ordering::Relaxed);
            Ok(content.warnings)
        })
        .collect();
    let mut warnings = Vec::new();
    for result in per_file {
        warnings.extend(result?);
    }
    Ok((paragraphs.into_inner(), articles.into_inner(), warnings))
}

/// Articles in a file's paragraphs: each JSON-lines record is one; an article's first
/// paragraph has ordinal 1.
fn count_articles(file: &CorpusFile, paragraphs: &[crate::corpus::Paragraph]) -> u64 {
    match file.format {
        crate::corpus::Format::JsonLines => paragraphs.len() as u64,
        crate::corpus::Format::Article => {
            paragraphs.iter().filter(|p| p.ordinal == 1).count() as u64
        }
    }
}

/// (Re)builds the index of `corpus` in `dir`, replacing any previous index atomically.
pub fn build(corpus: &Corpus, dir: &Path, options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    fs::create_dir_all(dir).map_err(|err| Error::io(dir, err))?;
    check_ownership(dir)?;
    let _lock = BuildLock::acquire(dir)?;
    let previous = IndexInfo::read(dir).ok().flatten();
    remove_debris(dir, previous.as_ref().map(|p| p.generation.as_str()));

    let generation = new_generation_name();
    let gen_dir = dir.join(&generation);
    fs::create_dir(&gen_dir).map_err(|err| Error::io(&gen_dir, err))?;
    let (schema, fields) = schema::build_schema();
    let index = Index::create_in_dir(&gen_dir, schema)
        .map_err(|err| Error::engine(format!("creating an index in {}", gen_dir.display()), err))?;
    schema::register_tokenizers(&index);
    let threads = options
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .clamp(1, 8);
    let memory = options.memory_mb.max(15 * threads) * 1_000_000;
    let mut writer: IndexWriter<TantivyDocument> =
        index
            .writer_with_num_threads(threads, memory)
            .map_err(|err| Error::engine("starting the index writer", err))?;

    let (paragraphs, articles, warnings) = index_corpus(corpus, &writer, &fields)?;
    writer
        .commit()
        .map_err(|err| Error::engine("committing the index", err))?;
    writer
        .wait_merging_threads()
        .map_err(|err| Error::engine("finishing segment merges", err))?;

    let info = IndexInfo {
        format: FORMAT_VERSION,
        afsearch_version: env!("CARGO_PKG_VERSION").to_string(),
        generation: generation.clone(),
        built_at: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        corpus: corpus
            .root()
            .canonicalize()
            .unwrap_or_else(|_| corpus.root().to_path_buf()),
        files: corpus.files().to_vec(),
        paragraphs,
        articles,
    };
    write_info(dir, &info)?;
    remove_debris(dir, Some(&generation));
    Ok(BuildReport {
        files: corpus.files().len(),
        paragraphs,
        articles,
        bytes: corpus.total_bytes(),
        warnings,
        elapsed: started.elapsed(),
    })
}

/// Builds an index in memory from paragraphs the caller already has (no corpus, no files).
pub(crate) fn build_in_memory(
    paragraphs: &[crate::corpus::Paragraph],
) -> Result<(Index, schema::Fields, IndexInfo)> {
    let (schema, fields) = schema::build_schema();
    let index = Index::create_in_ram(schema);
    schema::register_tokenizers(&index);
    let mut writer: IndexWriter<TantivyDocument> = index
        .writer_with_num_threads(1, 15_000_000)
        .map_err(|err| Error::engine("starting the index writer", err))?;
    let documents: Vec<TantivyDocument> = paragraphs
        .par_iter()
        .map(|paragraph| doc::to_document(paragraph, &extract(paragraph), &fields, 0))
        .collect();
    for document in documents {
        writer
            .add_document(document)
            .map_err(|err| Error::engine("adding a document", err))?;
    }
    writer
        .commit()
        .map_err(|err| Error::engine("committing the index", err))?;
    let info = IndexInfo {
        format: FORMAT_VERSION,
        afsearch_version: env!("CARGO_PKG_VERSION").to_string(),
        generation: "memory".to_string(),
        built_at: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        corpus: PathBuf::new(),
        files: Vec::new(),
        paragraphs: paragraphs.len() as u64,
        articles: paragraphs.len() as u64,
    };
    Ok((index, fields, info))
}

/// Opens the Tantivy index of the current generation in `dir`.
pub(crate) fn open_current(dir: &Path) -> Result<(Index, schema::Fields, IndexInfo)> {
    let info = IndexInfo::read(dir)?.ok_or_else(|| {
        if dir.is_dir() {
            Error::BadIndex {
                path: dir.to_path_buf(),
                reason: format!("{META_FILE} is missing"),
            }
        } else {
            Error::NoIndex {
                path: dir.to_path_buf(),
            }
        }
    })?;
    if !info.is_current_format() {
        return Err(Error::BadIndex {
            path: dir.to_path_buf(),
            reason: format!(
                "format {} is not the current format {FORMAT_VERSION}",
                info.format
            ),
        });
    }
    let bad = |reason: String| Error::BadIndex {
        path: dir.to_path_buf(),
        reason,
    };
    let gen_dir = dir.join(&info.generation);
    let index = Index::open_in_dir(&gen_dir).map_err(|err| bad(err.to_string()))?;
    let fields = schema::fields_of(&index.schema())
        .ok_or_else(|| bad("its schema is not afsearch's".to_string()))?;
    schema::register_tokenizers(&index);
    Ok((index, fields, info))
}
