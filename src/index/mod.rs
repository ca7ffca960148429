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

mod analyzer;
pub(crate) mod doc;
pub(crate) mod schema;
mod update;

pub use update::update;

use crate::corpus::Paragraph;
use crate::corpus::{Corpus, CorpusDir, CorpusFile, Warning};
use crate::error::{Error, Result};
use crate::extract::{date, extract, Extraction};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
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
const FORMAT_VERSION: u32 = 16;

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
    /// The corpus directories with their modification times at build time (see
    /// [`IndexInfo::corpus_unchanged`]). Empty in indexes built before it existed.
    #[serde(default)]
    pub dirs: Vec<CorpusDir>,
    /// Number of paragraphs indexed.
    pub paragraphs: u64,
    /// Number of articles (for JSON lines: records) the paragraphs come from.
    #[serde(default)]
    pub articles: u64,
    /// Whether the corpus was listed following links out of it (`--follow`): later runs should
    /// list it the same way, or the files reached through those links would look removed.
    #[serde(default)]
    pub follow_links: bool,
    /// What the index holds of each file, parallel to `files`: an incremental update needs
    /// each file's key in corpus order and its counts. Empty in indexes built before it
    /// existed, which are then rebuilt in full instead of updated.
    #[serde(default)]
    pub file_entries: Vec<FileEntry>,
    /// The segment files of the generation as written, with sizes and modification times: a
    /// file that still matches is not checksummed again on every open (which would read the
    /// whole index for each one-shot search).
    #[serde(default)]
    pub segment_files: Vec<SegmentFile>,
    /// Tokens per text field over all paragraphs, for BM25's average field length (see
    /// `index::token_totals`).
    #[serde(default)]
    pub token_totals: std::collections::BTreeMap<String, u64>,
}

/// What the index holds of one corpus file; see [`IndexInfo::file_entries`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    /// The file's key: the high half of its paragraphs' corpus-order value, increasing with the
    /// file's path, with gaps left for files added later.
    pub key: u32,
    /// Paragraphs indexed from the file.
    pub paragraphs: u64,
    /// Articles (records) they come from.
    pub articles: u64,
}

/// One file of a Tantivy segment, as [`IndexInfo::segment_files`] records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentFile {
    /// File name inside the generation directory.
    pub name: String,
    /// Size in bytes.
    pub len: u64,
    /// Modification time in nanoseconds since the Unix epoch.
    pub modified_ns: u128,
}

fn file_stamp(path: &Path) -> Option<(u64, u128)> {
    let meta = fs::metadata(path).ok()?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    Some((meta.len(), modified))
}

impl IndexInfo {
    /// Reads the description of the index in `dir`, `Ok(None)` if there is no index there.
    pub fn read(dir: &Path) -> Result<Option<IndexInfo>> {
        if dir.exists() && !dir.is_dir() {
            return Err(Error::ForeignDirectory {
                path: dir.to_path_buf(),
            });
        }
        let path = dir.join(META_FILE);
        let bytes = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(Error::io(path, err)),
        };
        let info: IndexInfo = serde_json::from_slice(&bytes).map_err(|err| {
            // Among someone else's files, a stray afsearch.json does not make an index.
            if matches!(holds_only_afsearch_entries(dir), Ok(false)) {
                return Error::ForeignDirectory {
                    path: dir.to_path_buf(),
                };
            }
            Error::BadIndex {
                path: dir.to_path_buf(),
                reason: format!("{META_FILE} is unreadable: {err}"),
            }
        })?;
        Ok(Some(info))
    }

    /// Whether this index was built with the current format.
    pub fn is_current_format(&self) -> bool {
        self.format == FORMAT_VERSION
    }

    /// Whether the corpus is, as far as sizes and modification times tell, as it was when the
    /// index was built: every recorded directory has its recorded modification time (so no
    /// entry was added, removed or renamed in it) and every recorded file its size and
    /// modification time. No directory is listed and no file is read: one `stat` per file (in
    /// parallel when there are many), which is what lets a search of a corpus of 100,000 files skip the walk that
    /// [`Corpus::open`] does. `false` also when it cannot tell (an index without recorded
    /// directories, or of another format); [`freshness`] then says what changed.
    pub fn corpus_unchanged(&self) -> bool {
        use rayon::prelude::*;
        if !self.is_current_format() || self.dirs.is_empty() {
            return false;
        }
        let root = &self.corpus;
        let dirs_unchanged = self.dirs.iter().all(|dir| {
            let meta = fs::metadata(root.join(&dir.rel)).ok();
            meta.as_ref().is_some_and(fs::Metadata::is_dir)
                && crate::corpus::modified_ns(meta.as_ref()) == dir.modified_ns
        });
        // Files of one directory are stat-ed relative to it: resolving each full path again
        // was most of the cost.
        if !dirs_unchanged {
            return false;
        }
        let batches: Vec<&[CorpusFile]> = self
            .files
            .chunk_by(|a, b| parent_of(&a.rel) == parent_of(&b.rel))
            .flat_map(|same_dir| same_dir.chunks(STAT_BATCH))
            .collect();
        // Starting rayon's pool costs a search of a small corpus more than its few `stat`s.
        if batches.len() == 1 {
            files_unchanged(root, batches[0])
        } else {
            batches.par_iter().all(|files| files_unchanged(root, files))
        }
    }
}

/// How many files of one directory one task of the quick check `stat`s.
const STAT_BATCH: usize = 1024;

/// The directory part of a corpus-relative path (`a/b` of `a/b/c.txt`, empty for `c.txt`).
fn parent_of(rel: &str) -> &str {
    rel.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Whether each of `files`, all in one directory of the corpus at `root`, has its recorded size
/// and modification time.
#[cfg(unix)]
fn files_unchanged(root: &Path, files: &[CorpusFile]) -> bool {
    use rustix::fs::{open, statat, AtFlags, FileType, Mode, OFlags};
    let Some(first) = files.first() else {
        return true;
    };
    let flags = OFlags::PATH | OFlags::DIRECTORY | OFlags::CLOEXEC;
    let Ok(dir) = open(root.join(parent_of(&first.rel)), flags, Mode::empty()) else {
        return false;
    };
    files.iter().all(|file| {
        let name = file.rel.rsplit('/').next().unwrap_or(&file.rel);
        statat(&dir, name, AtFlags::empty()).is_ok_and(|stat| {
            let secs = u128::try_from(stat.st_mtime).ok();
            // Unsigned here, signed on some other platforms.
            #[allow(clippy::unnecessary_fallible_conversions)]
            let nanos = u128::try_from(stat.st_mtime_nsec).ok();
            let modified_ns = secs
                .zip(nanos)
                .map_or(0, |(secs, nanos)| secs * 1_000_000_000 + nanos);
            FileType::from_raw_mode(stat.st_mode) == FileType::RegularFile
                && u64::try_from(stat.st_size).ok() == Some(file.len)
                && modified_ns == file.modified_ns
        })
    })
}

#[cfg(not(unix))]
fn files_unchanged(root: &Path, files: &[CorpusFile]) -> bool {
    files.iter().all(|file| {
        let meta = fs::metadata(root.join(&file.rel)).ok();
        meta.as_ref()
            .is_some_and(|m| m.is_file() && m.len() == file.len)
            && crate::corpus::modified_ns(meta.as_ref()) == file.modified_ns
    })
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
///
/// Also removes what an interrupted build left behind (see [`build`]), when no build is
/// running: whatever afsearch runs next after a killed build cleans up.
pub fn freshness(dir: &Path, corpus: &Corpus) -> Result<Freshness> {
    freshness_of(dir, IndexInfo::read(dir)?.as_ref(), corpus)
}

/// [`freshness`], with the description of the index that the caller already read (with
/// [`IndexInfo::read`]): reading it is most of the cost for a corpus of many files.
pub fn freshness_of(dir: &Path, info: Option<&IndexInfo>, corpus: &Corpus) -> Result<Freshness> {
    let Some(info) = info else {
        // Say now, before anyone announces a build, that this directory is not ours to fill.
        check_ownership(dir)?;
        return Ok(Freshness::Missing);
    };
    if is_generation_name(&info.generation) {
        tidy(dir, &info.generation);
    }
    if info.format > FORMAT_VERSION {
        // Rebuilding on our own would destroy the index a newer afsearch still uses.
        return Err(Error::BadIndex {
            path: dir.to_path_buf(),
            reason: format!(
                "it was built by a newer afsearch ({}, index format {}; this one reads format {FORMAT_VERSION})",
                info.afsearch_version, info.format
            ),
        });
    }
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
    if info.follow_links != corpus.follows_links() {
        return Ok(Freshness::Stale(if info.follow_links {
            "it was built following links out of the corpus (--follow)".to_string()
        } else {
            "it was built without following links out of the corpus".to_string()
        }));
    }
    let now = corpus.files();
    if let Some(change) = describe_change(&info.files, now) {
        return Ok(Freshness::Stale(change));
    }
    Ok(Freshness::Fresh)
}

fn describe_change(before: &[CorpusFile], now: &[CorpusFile]) -> Option<String> {
    // Maps, not nested scans: a corpus of 100,000 files is compared on every search.
    let before_by_rel: HashMap<&str, &CorpusFile> =
        before.iter().map(|b| (b.rel.as_str(), b)).collect();
    for file in now {
        match before_by_rel.get(file.rel.as_str()) {
            None => return Some(format!("{} was added", file.rel)),
            Some(&old) if old != file => return Some(format!("{} changed", file.rel)),
            Some(_) => {}
        }
    }
    let now_rels: HashSet<&str> = now.iter().map(|f| f.rel.as_str()).collect();
    before
        .iter()
        .find(|b| !now_rels.contains(b.rel.as_str()))
        .map(|gone| format!("{} was removed", gone.rel))
}

/// Options for [`build`].
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// Threads for extraction and for the index writer; `None` uses every core (at most 8).
    pub threads: Option<usize>,
    /// Memory budget of the whole build, in megabytes. Most of it goes to the index writer,
    /// which writes a segment whenever its share fills up; the reading and extraction pipeline
    /// holds a few megabytes whatever the corpus size. At least 20 per thread is used.
    pub memory_mb: usize,
    /// Counters to update while building, for a progress display.
    pub progress: Option<std::sync::Arc<BuildProgress>>,
}

/// The default of [`BuildOptions::memory_mb`], Tantivy's own command-line default. A bigger
/// budget means fewer, larger segments, and every segment costs each search: its files are
/// opened and mapped, and every word is looked up in each. At 512 MB the 150 MB Wikipedia
/// slice overflowed each indexing thread's buffer by a few percent and left four segments
/// (two of 7,000 paragraphs); at 1 GB it is two, and a one-shot search is 9–12 % faster. The
/// budget bounds memory, it does not reserve it: that build peaks at 391 MB either way. See
/// benches/README.md, "Fewer segments".
pub const DEFAULT_MEMORY_MB: usize = 1024;

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            threads: None,
            memory_mb: DEFAULT_MEMORY_MB,
            progress: None,
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
    /// For an incremental update ([`update`]), what changed; `None` for a full build.
    pub update: Option<UpdateSummary>,
}

/// The files an incremental update re-indexed or dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateSummary {
    /// Files new since the last build.
    pub added: Vec<String>,
    /// Files whose size or modification time changed.
    pub changed: Vec<String>,
    /// Files that are gone.
    pub removed: Vec<String>,
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

/// Entries besides generations that may sit in an index directory afsearch made (the
/// repository ships `index/` with a README and a `.gitkeep`).
const HARMLESS_ENTRIES: &[&str] = &[LOCK_FILE, ".gitkeep", ".gitignore", ".DS_Store"];

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `name` is a generation directory as [`new_generation_name`] makes them:
/// `gen-<nanoseconds>-<process id>`. Nothing else is ever deleted as a generation.
fn is_generation_name(name: &str) -> bool {
    name.strip_prefix(GENERATION_PREFIX)
        .and_then(|rest| rest.split_once('-'))
        .is_some_and(|(time, pid)| is_digits(time) && is_digits(pid))
}

/// Whether `name` is a half-written `afsearch.json.<pid>.tmp` left by [`write_info`].
fn is_temp_info_name(name: &str) -> bool {
    name.strip_prefix(META_FILE)
        .and_then(|rest| rest.strip_prefix('.'))
        .and_then(|rest| rest.strip_suffix(".tmp"))
        .is_some_and(is_digits)
}

/// Refuses to write into a directory that holds things afsearch did not put there.
///
/// A directory is afsearch's when its `afsearch.json` describes an index, or when everything
/// in it is something afsearch makes (generations, the lock, `afsearch.json` itself, a
/// README). An empty or missing directory is free to use.
fn check_ownership(dir: &Path) -> Result<()> {
    match fs::metadata(dir) {
        Ok(meta) if !meta.is_dir() => {
            return Err(Error::ForeignDirectory {
                path: dir.to_path_buf(),
            })
        }
        Ok(_) => {}
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(Error::io(dir, err)),
    }
    if matches!(IndexInfo::read(dir), Ok(Some(_))) || holds_only_afsearch_entries(dir)? {
        return Ok(());
    }
    Err(Error::ForeignDirectory {
        path: dir.to_path_buf(),
    })
}

/// Whether everything in the existing directory `dir` is something afsearch makes.
fn holds_only_afsearch_entries(dir: &Path) -> Result<bool> {
    let entries = fs::read_dir(dir).map_err(|err| Error::io(dir, err))?;
    for entry in entries {
        let entry = entry.map_err(|err| Error::io(dir, err))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        let ours = (is_dir && is_generation_name(&name))
            || is_temp_info_name(&name)
            || name == META_FILE
            || name.starts_with("README")
            || HARMLESS_ENTRIES.contains(&name.as_ref());
        if !ours {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Removes generation directories other than those in `keep` and half-written
/// `afsearch.json.*.tmp` files: what replaced or killed builds leave behind. Call with the
/// build lock held, so that no build is writing either.
fn remove_debris(dir: &Path, keep: &[&str]) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // `file_type` does not follow links: a link named like a generation is left alone.
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir && is_generation_name(&name) && !keep.contains(&name.as_ref()) {
            // Best effort: where an open index cannot be deleted, the next run retries.
            let _ = fs::remove_dir_all(entry.path());
        } else if is_temp_info_name(&name) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

/// Whether `dir` holds debris that a search could clean up (see [`remove_debris`]).
fn has_debris(dir: &Path, in_use: &str) -> bool {
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        (is_generation_name(&name) && name != in_use) || is_temp_info_name(&name)
    })
}

/// Removes debris left by an interrupted or replaced build, when no build is running and the
/// directory is writable; never the generation `in_use` nor the current one. Searches call
/// this, so a killed `afsearch index` is cleaned up by whatever runs next.
fn tidy(dir: &Path, in_use: &str) {
    if !has_debris(dir, in_use) {
        return;
    }
    // A build in progress (or a read-only index) leaves the debris for later.
    let Ok(_lock) = BuildLock::acquire(dir) else {
        return;
    };
    // Read again under the lock: a build may have switched generations since `in_use` was read.
    let current = IndexInfo::read(dir)
        .ok()
        .flatten()
        .map(|info| info.generation);
    let mut keep = vec![in_use];
    keep.extend(current.as_deref());
    remove_debris(dir, &keep);
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
    // Compact: it lists every corpus file, and every search reads it.
    let json = serde_json::to_vec(info).map_err(|err| Error::io(&tmp, err.into()))?;
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

/// Live counters of a running build, for a progress display: a caller shares one with
/// [`BuildOptions::progress`] and reads it from another thread while [`build`] runs.
#[derive(Debug, Default)]
pub struct BuildProgress {
    /// Corpus files to read.
    pub files_total: AtomicU64,
    /// Bytes of corpus to read, as stored on disk.
    pub bytes_total: AtomicU64,
    /// Files read so far.
    pub files_done: AtomicU64,
    /// Bytes read so far, as stored on disk (compressed, for `*.gz`).
    pub bytes_read: AtomicU64,
    /// Paragraphs indexed so far.
    pub paragraphs: AtomicU64,
}

/// Paragraphs handed from the reader to the extraction workers in one message: enough text
/// that the channel costs nothing, little enough that the pipeline's memory stays small.
const BATCH_BYTES: usize = 256 * 1024;

/// Consecutive paragraphs of one file, with the position of the first in that file.
struct Batch {
    file_key: u32,
    first_position: u32,
    paragraphs: Vec<Paragraph>,
}

/// Collects what the reader streams out of one file into batches for the workers.
struct Batcher<'a> {
    sender: &'a crossbeam_channel::Sender<Batch>,
    progress: &'a BuildProgress,
    file_key: u32,
    next_position: u32,
    batch: Vec<Paragraph>,
    batch_bytes: usize,
    paragraphs: u64,
    articles: u64,
    is_records: bool,
    /// The workers have stopped (an engine error): reading on is pointless.
    closed: bool,
}

impl Batcher<'_> {
    fn flush(&mut self) {
        if self.batch.is_empty() || self.closed {
            return;
        }
        let paragraphs = std::mem::take(&mut self.batch);
        let count = u32::try_from(paragraphs.len()).unwrap_or(u32::MAX);
        let batch = Batch {
            file_key: self.file_key,
            first_position: self.next_position,
            paragraphs,
        };
        self.next_position = self.next_position.saturating_add(count);
        self.batch_bytes = 0;
        if self.sender.send(batch).is_err() {
            self.closed = true;
        }
    }
}

impl crate::corpus::ParagraphSink for Batcher<'_> {
    fn paragraph(&mut self, paragraph: Paragraph) {
        if self.closed {
            return;
        }
        // Each JSON-lines record is an article of its own; an article's first paragraph has
        // ordinal 1.
        if self.is_records || paragraph.ordinal == 1 {
            self.articles += 1;
        }
        self.paragraphs += 1;
        self.batch_bytes += paragraph.text.len() + paragraph.title.len();
        self.batch.push(paragraph);
        if self.batch_bytes >= BATCH_BYTES {
            self.flush();
        }
    }

    fn bytes_read(&mut self, bytes: u64) {
        self.progress.bytes_read.fetch_add(bytes, Ordering::Relaxed);
    }
}

/// Indexes every paragraph of `files` into `writer` as a pipeline: this thread reads and
/// segments the files in order (inflating `*.gz` as a stream) and hands batches of paragraphs
/// through a small bounded channel to one extraction worker per core, which extract dates and
/// entities and pass documents to the writer's own indexing threads. The channel's bound keeps
/// memory independent of corpus size; extraction, the costly step, runs on every core.
///
/// Each file comes with its key in corpus order (see [`file_keys`]). Returns what was indexed of
/// each file, in the order given, and the files' warnings.
fn index_files(
    corpus: &Corpus,
    files: &[(&CorpusFile, u32)],
    writer: &IndexWriter<TantivyDocument>,
    fields: &schema::Fields,
    workers: usize,
    progress: &BuildProgress,
) -> Result<(Vec<FileEntry>, Vec<Warning>)> {
    let workers = workers.max(1);
    let (sender, receiver) = crossbeam_channel::bounded::<Batch>(2 * workers);
    let mut entries = Vec::with_capacity(files.len());
    let mut warnings = Vec::new();
    let worker_results: Vec<Result<()>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let receiver = receiver.clone();
                scope.spawn(move || -> Result<()> {
                    for batch in receiver {
                        for (offset, paragraph) in batch.paragraphs.iter().enumerate() {
                            let position = batch.first_position.saturating_add(offset as u32);
                            let order = (u64::from(batch.file_key) << 32) | u64::from(position);
                            let extraction = extract_bounded(paragraph);
                            writer
                                .add_document(doc::to_document(
                                    paragraph,
                                    &extraction,
                                    fields,
                                    order,
                                ))
                                .map_err(|err| Error::engine("adding a document", err))?;
                        }
                        progress
                            .paragraphs
                            .fetch_add(batch.paragraphs.len() as u64, Ordering::Relaxed);
                    }
                    Ok(())
                })
            })
            .collect();
        drop(receiver);
        for &(file, file_key) in files {
            let mut batcher = Batcher {
                sender: &sender,
                progress,
                file_key,
                next_position: 0,
                batch: Vec::new(),
                batch_bytes: 0,
                paragraphs: 0,
                articles: 0,
                is_records: file.format == crate::corpus::Format::JsonLines,
                closed: false,
            };
            warnings.extend(corpus.read(file, &mut batcher));
            batcher.flush();
            entries.push(FileEntry {
                key: file_key,
                paragraphs: batcher.paragraphs,
                articles: batcher.articles,
            });
            progress.files_done.fetch_add(1, Ordering::Relaxed);
            if batcher.closed {
                break;
            }
        }
        drop(sender);
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    for result in worker_results {
        result?;
    }
    Ok((entries, warnings))
}

/// Spreads `count` files evenly over the `u32` range, in corpus order: a file's key is the high
/// half of its paragraphs' `order`, and the gaps leave room for files that an incremental
/// update inserts between two others without renumbering the rest.
fn file_keys(count: usize) -> Vec<u32> {
    let span = u64::from(u32::MAX);
    let count = count as u64;
    (1..=count)
        .map(|i| u32::try_from(i * span / (count + 1)).unwrap_or(u32::MAX))
        .collect()
}

/// Longest text handed to the extractors in one piece. Real paragraphs are far shorter; a
/// pathological one (a 50 MB file with no blank line) is extracted window by window, because
/// the entity extractor's cost grows faster than linearly with the length of its input.
const EXTRACT_WINDOW: usize = 64 * 1024;

/// [`extract`], in windows of at most [`EXTRACT_WINDOW`] bytes cut at a sentence or word
/// boundary. Only context across windows is lost (a surname resolved against a full name
/// named in an earlier window); dates, years and entities are merged.
fn extract_bounded(paragraph: &Paragraph) -> Extraction {
    if paragraph.text.len() <= EXTRACT_WINDOW {
        return extract(paragraph);
    }
    let mut dates = Vec::new();
    let mut entities = std::collections::BTreeSet::new();
    for (index, (offset, window)) in windows(&paragraph.text, EXTRACT_WINDOW).enumerate() {
        let part = Paragraph {
            id: paragraph.id.clone(),
            file: paragraph.file.clone(),
            title: paragraph.title.clone(),
            section: paragraph.section.clone(),
            ordinal: paragraph.ordinal,
            text: window.to_string(),
            date: paragraph.date.clone(),
        };
        let extraction = extract(&part);
        for mut mention in extraction.dates {
            // A record's own date comes back from every window with an empty span: keep one.
            if mention.span.is_empty() && index > 0 {
                continue;
            }
            if !mention.span.is_empty() {
                mention.span = mention.span.start + offset..mention.span.end + offset;
            }
            dates.push(mention);
        }
        entities.extend(extraction.entities);
    }
    Extraction {
        years: date::years_covered(&dates),
        dates,
        entities: entities.into_iter().collect(),
    }
}

/// Consecutive pieces of `text` of at most `max` bytes (more only for a single word longer
/// than that), each with its byte offset, cut after a sentence if one ends in the second half
/// of the piece, else at whitespace.
fn windows(text: &str, max: usize) -> impl Iterator<Item = (usize, &str)> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= text.len() {
            return None;
        }
        let mut end = (start + max).min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        if end < text.len() {
            let piece = &text[start..end];
            let half = piece.len() / 2;
            let cut = piece
                .rfind(". ")
                .filter(|&at| at >= half)
                .map(|at| at + 2)
                .or_else(|| piece.rfind(char::is_whitespace).filter(|&at| at > 0));
            end = match cut {
                Some(cut) => start + cut,
                // One word longer than the window: cut it at the next whitespace, or not at all.
                None => text[start + piece.len()..]
                    .find(char::is_whitespace)
                    .map_or(text.len(), |at| start + piece.len() + at),
            };
        }
        let piece = (start, &text[start..end]);
        start = end;
        Some(piece)
    })
}

/// Part of [`BuildOptions::memory_mb`] taken by everything but the writer: the program and its
/// extractors' automata, the pipeline's batches, the document store's compression buffers.
const MEMORY_RESERVE_MB: usize = 48;

/// Segments with more paragraphs than this are not merged during a build. Merging reads
/// whole segments (and Tantivy merges eight at a time), so unbounded merges made peak memory
/// and build time grow with the corpus: the Wikipedia slice twice over merged 800,000
/// paragraphs at the end and peaked at twice the slice's memory. Leftover small segments from
/// the last flushes are still merged.
const MERGE_BELOW_DOCS: u32 = 50_000;

/// Below this many bytes of corpus, one thread indexes (extraction still runs on every
/// core). Each indexing thread writes its own segment, and a search opens every segment's
/// files and looks each word up in each: the bundled corpus (0.1 MB) was two segments, and a
/// one-shot search of it paid for the second. One thread indexes a few MB in well under a
/// second.
const ONE_WRITER_BELOW_BYTES: u64 = 4_000_000;

/// Indexing threads for a build of `corpus_bytes` with `threads` threads in all.
fn writer_threads(threads: usize, corpus_bytes: u64) -> usize {
    if corpus_bytes < ONE_WRITER_BELOW_BYTES {
        1
    } else {
        threads
    }
}

/// Most a single indexing thread may buffer: Tantivy refuses 4 GiB or more per thread (its
/// arena addresses are 32-bit), so a huge `--memory` is not all used, above all by the one
/// thread of a small corpus.
const MAX_WRITER_MB_PER_THREAD: usize = 4_000;

/// Starts a writer with `threads` indexing threads within a build budget of `memory_mb`.
fn start_writer(
    index: &Index,
    threads: usize,
    memory_mb: usize,
) -> Result<IndexWriter<TantivyDocument>> {
    // A writer's buffers grow to its budget and then, while a segment is written out, by about
    // half again: two thirds of what is left go to the buffers. Tantivy needs at least 15 MB
    // per thread, and a segment written from less is small.
    let writer_mb = (memory_mb
        .saturating_sub(MEMORY_RESERVE_MB)
        .saturating_mul(2)
        / 3)
    .max(20 * threads)
    .min(MAX_WRITER_MB_PER_THREAD * threads);
    let writer = index
        .writer_with_num_threads(threads, writer_mb * 1_000_000)
        .map_err(|err| Error::engine("starting the index writer", err))?;
    let mut policy = tantivy::merge_policy::LogMergePolicy::default();
    policy.set_max_docs_before_merge(MERGE_BELOW_DOCS as usize);
    writer.set_merge_policy(Box::new(policy));
    Ok(writer)
}

/// (Re)builds the index of `corpus` in `dir`, replacing any previous index atomically.
pub fn build(corpus: &Corpus, dir: &Path, options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    check_ownership(dir)?;
    fs::create_dir_all(dir).map_err(|err| Error::io(dir, err))?;
    let _lock = BuildLock::acquire(dir)?;
    build_locked(corpus, dir, options, started)
}

/// The threads a build uses.
fn build_threads(options: &BuildOptions) -> usize {
    options
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .clamp(1, 8)
}

/// Sets the progress totals for reading `files`.
fn start_progress(options: &BuildOptions, files: &[&CorpusFile]) -> std::sync::Arc<BuildProgress> {
    let progress = options.progress.clone().unwrap_or_default();
    progress
        .files_total
        .store(files.len() as u64, Ordering::Relaxed);
    progress
        .bytes_total
        .store(files.iter().map(|f| f.len).sum(), Ordering::Relaxed);
    progress
}

/// [`build`], with the lock held.
fn build_locked(
    corpus: &Corpus,
    dir: &Path,
    options: &BuildOptions,
    started: Instant,
) -> Result<BuildReport> {
    let previous = IndexInfo::read(dir).ok().flatten();
    let keep: Vec<&str> = previous.iter().map(|p| p.generation.as_str()).collect();
    remove_debris(dir, &keep);

    let generation = new_generation_name();
    let gen_dir = dir.join(&generation);
    fs::create_dir(&gen_dir).map_err(|err| Error::io(&gen_dir, err))?;
    let (schema, fields) = schema::build_schema();
    let index = Index::builder()
        .schema(schema)
        .settings(schema::index_settings())
        .create_in_dir(&gen_dir)
        .map_err(|err| Error::engine(format!("creating an index in {}", gen_dir.display()), err))?;
    schema::register_tokenizers(&index);
    let threads = build_threads(options);
    let writer = start_writer(
        &index,
        writer_threads(threads, corpus.total_bytes()),
        options.memory_mb,
    )?;
    let all: Vec<&CorpusFile> = corpus.files().iter().collect();
    let progress = start_progress(options, &all);
    let keys = file_keys(corpus.files().len());
    let files: Vec<(&CorpusFile, u32)> = all.into_iter().zip(keys).collect();
    let (entries, warnings) = index_files(corpus, &files, &writer, &fields, threads, &progress)?;
    finish_writer(writer)?;
    let info = new_info(corpus, &generation, entries, &index, &gen_dir)?;
    write_info(dir, &info)?;
    remove_debris(dir, &[&generation]);
    let warnings = corpus.warnings().iter().cloned().chain(warnings).collect();
    Ok(BuildReport {
        files: corpus.files().len(),
        paragraphs: info.paragraphs,
        articles: info.articles,
        bytes: corpus.total_bytes(),
        warnings,
        elapsed: started.elapsed(),
        update: None,
    })
}

/// Commits what `writer` holds and waits for its merges.
fn finish_writer(mut writer: IndexWriter<TantivyDocument>) -> Result<()> {
    writer
        .commit()
        .map_err(|err| Error::engine("committing the index", err))?;
    writer
        .wait_merging_threads()
        .map_err(|err| Error::engine("finishing segment merges", err))
}

/// Tokens per text field over the live paragraphs of `index`, summed from the field norms
/// Tantivy keeps per paragraph.
///
/// Searches give BM25 these totals instead of Tantivy's own, which are exact for a freshly
/// written segment but estimated from the same field norms once a segment had paragraphs
/// deleted: with one definition for every index, an incrementally updated index scores
/// exactly as a full rebuild. (Field norms are exact up to 40 tokens and within a few percent
/// above, the precision BM25 already uses for a paragraph's own length.)
pub(crate) fn token_totals(index: &Index) -> Result<std::collections::BTreeMap<String, u64>> {
    let engine = |err| Error::engine("counting the index's tokens", err);
    let reader = index
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()
        .map_err(engine)?;
    let searcher = reader.searcher();
    let schema = index.schema();
    let mut totals = std::collections::BTreeMap::new();
    for (field, entry) in schema.fields() {
        if !entry.has_fieldnorms() {
            continue;
        }
        let mut total = 0u64;
        for segment in searcher.segment_readers() {
            let Some(norms) = segment
                .fieldnorms_readers()
                .get_field(field)
                .map_err(engine)?
            else {
                continue;
            };
            total += segment
                .doc_ids_alive()
                .map(|doc| u64::from(norms.fieldnorm(doc)))
                .sum::<u64>();
        }
        totals.insert(entry.name().to_string(), total);
    }
    Ok(totals)
}

/// Describes the generation just written for `corpus`, whose files hold `entries`.
fn new_info(
    corpus: &Corpus,
    generation: &str,
    entries: Vec<FileEntry>,
    index: &Index,
    gen_dir: &Path,
) -> Result<IndexInfo> {
    Ok(IndexInfo {
        format: FORMAT_VERSION,
        afsearch_version: env!("CARGO_PKG_VERSION").to_string(),
        generation: generation.to_string(),
        built_at: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        corpus: corpus
            .root()
            .canonicalize()
            .unwrap_or_else(|_| corpus.root().to_path_buf()),
        files: corpus.files().to_vec(),
        dirs: corpus.dirs().to_vec(),
        paragraphs: entries.iter().map(|e| e.paragraphs).sum(),
        articles: entries.iter().map(|e| e.articles).sum(),
        follow_links: corpus.follows_links(),
        file_entries: entries,
        segment_files: segment_manifest(index, gen_dir)?,
        token_totals: token_totals(index)?,
    })
}

/// Builds an index in memory from paragraphs the caller already has (no corpus, no files).
pub(crate) fn build_in_memory(
    paragraphs: &[crate::corpus::Paragraph],
) -> Result<(Index, schema::Fields, IndexInfo)> {
    let (schema, fields) = schema::build_schema();
    let index = Index::builder()
        .schema(schema)
        .settings(schema::index_settings())
        .create_in_ram()
        .map_err(|err| Error::engine("creating an index in memory", err))?;
    schema::register_tokenizers(&index);
    let mut writer: IndexWriter<TantivyDocument> = index
        .writer_with_num_threads(1, 15_000_000)
        .map_err(|err| Error::engine("starting the index writer", err))?;
    let documents: Vec<TantivyDocument> = paragraphs
        .par_iter()
        .enumerate()
        .map(|(position, paragraph)| {
            doc::to_document(
                paragraph,
                &extract_bounded(paragraph),
                &fields,
                position as u64,
            )
        })
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
        dirs: Vec::new(),
        paragraphs: paragraphs.len() as u64,
        articles: paragraphs.len() as u64,
        follow_links: false,
        file_entries: Vec::new(),
        segment_files: Vec::new(),
        token_totals: token_totals(&index)?,
    };
    Ok((index, fields, info))
}

/// Opens the Tantivy index of the current generation in `dir`.
///
/// Checks what it opens: `afsearch.json` must describe an index of this format, its generation
/// must exist and hold afsearch's schema, and every segment file must pass its checksum (a
/// truncated or damaged file would otherwise make the engine fail, or panic, mid-search). Any
/// problem is a [`Error::BadIndex`] naming the directory and the fix. A rebuild that switches
/// generations while this runs is waited out by opening the new one.
pub(crate) fn open_current(
    dir: &Path,
    known: Option<IndexInfo>,
) -> Result<(Index, schema::Fields, IndexInfo)> {
    let mut attempts = 0;
    let mut known = known;
    loop {
        let info = match known.take() {
            Some(info) => checked_info(dir, info)?,
            None => current_info(dir)?,
        };
        match open_generation(dir, &info) {
            Ok((index, fields)) => {
                tidy(dir, &info.generation);
                return Ok((index, fields, info));
            }
            Err(err) => {
                attempts += 1;
                let now = IndexInfo::read(dir).ok().flatten().map(|i| i.generation);
                if attempts < 3 && now.is_some_and(|g| g != info.generation) {
                    continue;
                }
                return Err(err);
            }
        }
    }
}

/// The description of the index in `dir`, checked for what [`open_current`] relies on.
fn current_info(dir: &Path) -> Result<IndexInfo> {
    let bad = |reason: String| Error::BadIndex {
        path: dir.to_path_buf(),
        reason,
    };
    let info = IndexInfo::read(dir)?.ok_or_else(|| {
        if dir.is_dir() {
            bad(format!("{META_FILE} is missing"))
        } else {
            Error::NoIndex {
                path: dir.to_path_buf(),
            }
        }
    })?;
    checked_info(dir, info)
}

/// `info` if it describes an index [`open_current`] can open.
fn checked_info(dir: &Path, info: IndexInfo) -> Result<IndexInfo> {
    let bad = |reason: String| Error::BadIndex {
        path: dir.to_path_buf(),
        reason,
    };
    if info.format > FORMAT_VERSION {
        return Err(bad(format!(
            "it was built by a newer afsearch ({}, index format {}; this one reads format {FORMAT_VERSION})",
            info.afsearch_version, info.format
        )));
    }
    if !info.is_current_format() {
        return Err(bad(format!(
            "format {} is not the current format {FORMAT_VERSION}",
            info.format
        )));
    }
    if !is_generation_name(&info.generation) {
        return Err(bad(format!(
            "{META_FILE} names no generation afsearch makes ({:?})",
            info.generation
        )));
    }
    Ok(info)
}

fn open_generation(dir: &Path, info: &IndexInfo) -> Result<(Index, schema::Fields)> {
    let bad = |reason: String| Error::BadIndex {
        path: dir.to_path_buf(),
        reason,
    };
    let gen_dir = dir.join(&info.generation);
    if !gen_dir.is_dir() {
        return Err(bad(format!(
            "its generation {} is missing",
            info.generation
        )));
    }
    let index = Index::open_in_dir(&gen_dir)
        .map_err(|err| bad(describe_engine_error(&info.generation, &err)))?;
    let fields = schema::fields_of(&index.schema())
        .ok_or_else(|| bad("its schema is not afsearch's".to_string()))?;
    check_segment_files(&index, &gen_dir, &info.segment_files).map_err(|problem| {
        bad(match problem {
            SegmentProblem::Missing(name) => format!("{}/{name} is missing", info.generation),
            SegmentProblem::Damaged(name) => format!("{}/{name} is damaged", info.generation),
            SegmentProblem::Engine(err) => describe_engine_error(&info.generation, &err),
        })
    })?;
    schema::register_tokenizers(&index);
    Ok((index, fields))
}

enum SegmentProblem {
    Missing(String),
    Damaged(String),
    Engine(tantivy::TantivyError),
}

/// The ids of `index`'s segments, as they start the segment files' names. Reads and parses
/// `meta.json` (schema included), so callers ask once.
fn segment_ids(index: &Index) -> Result<HashSet<String>, SegmentProblem> {
    Ok(index
        .searchable_segment_metas()
        .map_err(SegmentProblem::Engine)?
        .iter()
        .map(|meta| meta.id().uuid_string())
        .collect())
}

/// Whether `name` is a file of one of `segments`.
fn of_a_segment(segments: &HashSet<String>, name: &str) -> bool {
    name.split_once('.')
        .is_some_and(|(id, _)| segments.contains(id))
}

/// The names of the files of `segments` in `gen_dir`, sorted.
fn segment_file_names(
    segments: &HashSet<String>,
    gen_dir: &Path,
) -> Result<Vec<String>, SegmentProblem> {
    let mut present: Vec<String> = fs::read_dir(gen_dir)
        .map_err(|err| SegmentProblem::Engine(tantivy::TantivyError::IoError(err.into())))?
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| of_a_segment(segments, name))
        .collect();
    present.sort();
    Ok(present)
}

/// Records the segment files of a freshly written generation, for [`check_segment_files`].
fn segment_manifest(index: &Index, gen_dir: &Path) -> Result<Vec<SegmentFile>> {
    let names = segment_ids(index)
        .and_then(|segments| segment_file_names(&segments, gen_dir))
        .map_err(|problem| match problem {
            SegmentProblem::Engine(err) => Error::engine("listing the new index's files", err),
            SegmentProblem::Missing(name) | SegmentProblem::Damaged(name) => Error::BadIndex {
                path: gen_dir.to_path_buf(),
                reason: format!("{name} vanished while the index was written"),
            },
        })?;
    Ok(names
        .into_iter()
        .filter_map(|name| {
            let (len, modified_ns) = file_stamp(&gen_dir.join(&name))?;
            Some(SegmentFile {
                name,
                len,
                modified_ns,
            })
        })
        .collect())
}

/// Checks that every file of every segment is present and intact, so that a truncated or
/// damaged file is reported here instead of failing (or panicking) mid-search.
///
/// A file whose size and modification time are those recorded at build time (`recorded`) is
/// taken as written; any other is checksummed, which reads it whole. So a one-shot search
/// costs a few `stat`s, and a file that was truncated, overwritten or copied still cannot get
/// past this check.
fn check_segment_files(
    index: &Index,
    gen_dir: &Path,
    recorded: &[SegmentFile],
) -> Result<(), SegmentProblem> {
    let segments = segment_ids(index)?;
    let present = segment_file_names(&segments, gen_dir)?;
    // Files the engine recorded as written but that are gone.
    let mut expected: Vec<String> = index
        .directory()
        .list_managed_files()
        .iter()
        .map(|path| path.to_string_lossy().into_owned())
        .filter(|name| of_a_segment(&segments, name))
        .collect();
    expected.sort();
    // `present` is the directory's listing, sorted: no `stat` per file for this.
    if let Some(gone) = expected
        .iter()
        .find(|name| present.binary_search(name).is_err())
    {
        return Err(SegmentProblem::Missing(gone.clone()));
    }
    let recorded: HashMap<&str, (u64, u128)> = recorded
        .iter()
        .map(|f| (f.name.as_str(), (f.len, f.modified_ns)))
        .collect();
    // Every segment file on disk, whether or not the engine's own list still names it.
    for name in present {
        let stamp = file_stamp(&gen_dir.join(&name));
        if stamp.is_some() && recorded.get(name.as_str()).copied() == stamp {
            continue;
        }
        match index.directory().validate_checksum(Path::new(&name)) {
            Ok(true) => {}
            Ok(false) => return Err(SegmentProblem::Damaged(name)),
            Err(err) => return Err(SegmentProblem::Engine(err.into())),
        }
    }
    Ok(())
}

/// A short, one-line reason for an engine error met while opening an index, for
/// [`Error::BadIndex`]: the engine's own messages are long, multi-part and partly misleading
/// ("use tantivy 0.15 or above").
pub(crate) fn describe_engine_error(generation: &str, err: &tantivy::TantivyError) -> String {
    use tantivy::directory::error::{OpenDirectoryError, OpenReadError};
    use tantivy::TantivyError;
    let file = |path: &Path| format!("{generation}/{}", path.display());
    let reason = match err {
        TantivyError::OpenReadError(OpenReadError::FileDoesNotExist(path)) => {
            format!("{} is missing", file(path))
        }
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, filepath }) => {
            let what = io_error.to_string();
            let first = what.split(". ").next().unwrap_or(&what);
            format!("{} is damaged or unreadable ({first})", file(filepath))
        }
        TantivyError::OpenReadError(OpenReadError::IncompatibleIndex(_))
        | TantivyError::IncompatibleIndex(_) => {
            "it was written by an incompatible version of the search engine".to_string()
        }
        TantivyError::OpenDirectoryError(OpenDirectoryError::DoesNotExist(_)) => {
            format!("its generation {generation} is missing")
        }
        TantivyError::DataCorruption(corruption) => format!("damaged data ({corruption:?})"),
        other => other.to_string(),
    };
    // One line, of a sane length, whatever the engine said.
    let mut reason: String = reason.split_whitespace().collect::<Vec<_>>().join(" ");
    if reason.chars().count() > 200 {
        reason = reason.chars().take(199).collect::<String>() + "…";
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_cover_the_text_at_boundaries() {
        let text =
            "Première phrase ici. Deuxième phrase là-bas. Un mot_très_très_long_sans_espace fin. "
                .repeat(40);
        for max in [16, 50, 64, 333] {
            let pieces: Vec<(usize, &str)> = windows(&text, max).collect();
            assert_eq!(pieces.iter().map(|(_, p)| *p).collect::<String>(), text);
            let mut at = 0;
            for (offset, piece) in &pieces {
                assert_eq!(*offset, at);
                assert!(!piece.is_empty());
                assert!(
                    piece.len() <= max || !piece.trim().contains(' '),
                    "{max}: {piece:?}"
                );
                at += piece.len();
            }
        }
        assert_eq!(windows("", 10).count(), 0);
        assert_eq!(windows("short", 10).collect::<Vec<_>>(), [(0, "short")]);
    }

    /// A paragraph of `text`, first in an article `X` of `x.txt`.
    fn paragraph(text: String) -> Paragraph {
        Paragraph {
            id: "x#1".into(),
            file: "x.txt".into(),
            title: "X".into(),
            section: Vec::new(),
            ordinal: 1,
            text,
            date: None,
        }
    }

    #[test]
    fn bounded_extraction_finds_what_the_whole_text_holds() {
        let sentence = "Talks in Islamabad on 21 February 2025 were led by Ishaq Dar. ";
        let paragraph = Paragraph {
            date: Some("2024".into()),
            ..paragraph(sentence.repeat(EXTRACT_WINDOW / sentence.len() * 3))
        };
        let whole = extract(&Paragraph {
            text: sentence.repeat(3),
            ..paragraph.clone()
        });
        let bounded = extract_bounded(&paragraph);
        assert_eq!(bounded.years, whole.years);
        assert_eq!(bounded.entities, whole.entities);
        assert_eq!(
            bounded.dates.iter().filter(|m| m.span.is_empty()).count(),
            1
        );
        assert!(bounded
            .dates
            .windows(2)
            .all(|w| w[0].span.start <= w[1].span.start));
    }

    /// Each indexing thread writes a segment, and every search pays for each segment: the
    /// bundled corpus is built by one, whatever the thread count.
    #[test]
    fn a_small_corpus_is_one_segment() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let corpus = Corpus::open(&root, None).expect("corpus");
        let dir = tempfile::tempdir().expect("tempdir");
        for threads in [1, 2, 4] {
            let options = BuildOptions {
                threads: Some(threads),
                ..BuildOptions::default()
            };
            build(&corpus, dir.path(), &options).expect("build");
            let info = IndexInfo::read(dir.path()).expect("read").expect("info");
            let index = Index::open_in_dir(dir.path().join(&info.generation)).expect("open");
            let segments = index.searchable_segment_ids().expect("segments");
            assert_eq!(segments.len(), 1, "{threads} threads");
        }
        assert_eq!(writer_threads(2, ONE_WRITER_BELOW_BYTES), 2);
    }

    /// Both ways of building write the store in afsearch's blocks, not Tantivy's default.
    #[test]
    fn built_indexes_use_the_store_block_size() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
        let corpus = Corpus::open(&root, None).expect("corpus");
        let dir = tempfile::tempdir().expect("tempdir");
        build(&corpus, dir.path(), &BuildOptions::default()).expect("build");
        let info = IndexInfo::read(dir.path()).expect("read").expect("info");
        let on_disk = Index::open_in_dir(dir.path().join(&info.generation)).expect("open");
        let talks = paragraph("Talks in Islamabad on 21 February 2025.".into());
        let (in_memory, _, _) = build_in_memory(&[talks]).expect("in memory");
        for index in [on_disk, in_memory] {
            assert_eq!(
                index.settings().docstore_blocksize,
                schema::STORE_BLOCK_BYTES
            );
        }
    }

    /// However large the budget, the writer starts: Tantivy caps what one thread may buffer.
    #[test]
    fn a_huge_budget_still_starts_a_writer() {
        let (schema, _) = schema::build_schema();
        let index = Index::create_in_ram(schema);
        for (threads, memory_mb) in [
            (1, 20_000),
            (2, 100_000),
            (1, usize::MAX / 2_000_000),
            (8, usize::MAX),
        ] {
            start_writer(&index, threads, memory_mb)
                .unwrap_or_else(|err| panic!("{threads} threads, {memory_mb} MB: {err}"));
        }
    }

    #[test]
    fn only_names_afsearch_makes_count_as_its_own() {
        assert!(is_generation_name("gen-1795570111382254754-21052"));
        for name in [
            "gen-",
            "gen-notes",
            "gen-1",
            "gen-1-",
            "gen-1-2-3",
            "gen-../x",
            "gen-1-x",
        ] {
            assert!(!is_generation_name(name), "{name}");
        }
        assert!(is_temp_info_name("afsearch.json.4242.tmp"));
        for name in [
            "afsearch.json",
            "afsearch.json.tmp",
            "afsearch.json.x.tmp",
            "afsearch.jsonl",
        ] {
            assert!(!is_temp_info_name(name), "{name}");
        }
    }
}
