//! Incremental update: re-indexes only the corpus files that were added, changed or removed
//! since the last build, and leaves an index that answers every query exactly as a full
//! rebuild would.
//!
//! The update never writes into the generation that searches are reading. It hard-links the
//! current generation's files into a new one (Tantivy never modifies a file once written, and
//! replaces `meta.json` by renaming), deletes the paragraphs of changed and removed files by
//! their `file` term, indexes the added and changed files, and switches `afsearch.json` over
//! as a full build does.
//!
//! Two things make the result identical to a full rebuild, not merely close:
//! - segments with deleted paragraphs are merged, which purges them: Tantivy's BM25 statistics
//!   (document frequencies, field lengths) count deleted documents until then;
//! - each file keeps its key in corpus order, and an added file gets a key between its
//!   neighbours' (full builds leave gaps), so score ties break the same way. When a gap is used
//!   up, or when so much changed that a rebuild costs about the same, the update is a full
//!   build.

use super::{
    build_locked, build_threads, check_ownership, finish_writer, new_generation_name, new_info,
    remove_debris, schema, start_progress, start_writer, write_info, BuildLock, BuildOptions,
    BuildReport, FileEntry, IndexInfo, UpdateSummary, FORMAT_VERSION,
};
use crate::corpus::{Corpus, CorpusFile};
use crate::error::{Error, Result};
use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::time::Instant;
use tantivy::{Index, Term};

/// Above this share of the corpus bytes to re-read, a full build is about as fast as an update
/// (which also rewrites the segments it deletes from), and simpler.
const MAX_TOUCHED_SHARE: f64 = 0.25;

/// Brings the index of `corpus` in `dir` up to date by re-indexing only the files that were
/// added or changed and dropping those that were removed; falls back to a full [`build`]
/// (reported with `update: None`) when there is no usable index yet, when the index is of
/// another format, corpus or link setting, or when most of the corpus changed.
///
/// Search results afterwards are identical to those of a full rebuild: same hits, same scores,
/// same order.
///
/// [`build`]: super::build
pub fn update(corpus: &Corpus, dir: &Path, options: &BuildOptions) -> Result<BuildReport> {
    let started = Instant::now();
    check_ownership(dir)?;
    fs::create_dir_all(dir).map_err(|err| Error::io(dir, err))?;
    let _lock = BuildLock::acquire(dir)?;
    let Some(previous) = updatable(dir, corpus) else {
        return build_locked(corpus, dir, options, started);
    };
    let plan = match plan(&previous, corpus.files()) {
        Some(plan) if !plan.too_big(corpus) => plan,
        _ => return build_locked(corpus, dir, options, started),
    };
    let summary = plan.summary.clone();
    if summary.added.is_empty() && summary.changed.is_empty() && summary.removed.is_empty() {
        return Ok(BuildReport {
            files: 0,
            paragraphs: 0,
            articles: 0,
            bytes: 0,
            warnings: corpus.warnings().to_vec(),
            elapsed: started.elapsed(),
            update: Some(summary),
        });
    }

    let generation = new_generation_name();
    let gen_dir = dir.join(&generation);
    link_generation(&dir.join(&previous.generation), &gen_dir)?;
    let index = Index::open_in_dir(&gen_dir).map_err(|err| {
        Error::engine(
            format!("opening the index copy in {}", gen_dir.display()),
            err,
        )
    })?;
    schema::register_tokenizers(&index);
    let fields = schema::fields_of(&index.schema()).ok_or_else(|| Error::BadIndex {
        path: dir.to_path_buf(),
        reason: "its schema is not afsearch's".to_string(),
    })?;
    let threads = build_threads(options);
    let mut writer = start_writer(&index, threads, options.memory_mb)?;
    for rel in summary.changed.iter().chain(&summary.removed) {
        writer.delete_term(Term::from_field_text(fields.file, rel));
    }
    let reread: Vec<&CorpusFile> = plan.reindex.iter().map(|&(file, _)| file).collect();
    let progress = start_progress(options, &reread);
    let (fresh, warnings) =
        super::index_files(corpus, &plan.reindex, &writer, &fields, threads, &progress)?;
    writer
        .commit()
        .map_err(|err| Error::engine("committing the update", err))?;
    purge_deletes(&index, &mut writer)?;
    finish_writer(writer)?;

    let mut fresh_by_key: HashMap<u32, FileEntry> = fresh.into_iter().map(|e| (e.key, e)).collect();
    let entries: Vec<FileEntry> = plan
        .keys
        .iter()
        .map(|&(key, kept)| kept.unwrap_or_else(|| fresh_by_key.remove(&key).unwrap_or_default()))
        .collect();
    let info = new_info(corpus, &generation, entries, &index, &gen_dir)?;
    write_info(dir, &info)?;
    remove_debris(dir, &[&generation]);
    Ok(BuildReport {
        files: plan.reindex.len(),
        paragraphs: info.paragraphs,
        articles: info.articles,
        bytes: reread.iter().map(|f| f.len).sum(),
        warnings: corpus.warnings().iter().cloned().chain(warnings).collect(),
        elapsed: started.elapsed(),
        update: Some(summary),
    })
}

/// The index's description, if the index in `dir` can be updated for `corpus`.
fn updatable(dir: &Path, corpus: &Corpus) -> Option<IndexInfo> {
    let info = IndexInfo::read(dir).ok().flatten()?;
    let root = corpus.root().canonicalize().ok()?;
    let usable = info.format == FORMAT_VERSION
        && info.corpus == root
        && info.follow_links == corpus.follows_links()
        && info.file_entries.len() == info.files.len()
        && dir.join(&info.generation).is_dir();
    usable.then_some(info)
}

/// What an update does.
struct Plan<'a> {
    summary: UpdateSummary,
    /// The files to (re-)index, with their keys.
    reindex: Vec<(&'a CorpusFile, u32)>,
    /// Every file's key, in corpus order, with its entry when it is kept as it was.
    keys: Vec<(u32, Option<FileEntry>)>,
}

impl Plan<'_> {
    fn too_big(&self, corpus: &Corpus) -> bool {
        let touched: u64 = self.reindex.iter().map(|(f, _)| f.len).sum();
        touched as f64 > MAX_TOUCHED_SHARE * corpus.total_bytes() as f64
    }
}

/// Compares the files the index was built from with the corpus now, and gives every file a
/// key: kept and changed files keep theirs; runs of added files share the gap between their
/// neighbours' keys evenly. `None` when a gap is too small (a full build renumbers).
fn plan<'a>(previous: &IndexInfo, now: &'a [CorpusFile]) -> Option<Plan<'a>> {
    let before: HashMap<&str, (&CorpusFile, FileEntry)> = previous
        .files
        .iter()
        .zip(&previous.file_entries)
        .map(|(file, &entry)| (file.rel.as_str(), (file, entry)))
        .collect();
    let mut summary = UpdateSummary::default();
    // (file, key if it already has one, kept entry).
    let mut slots: Vec<(&CorpusFile, Option<u32>, Option<FileEntry>)> = Vec::new();
    for file in now {
        match before.get(file.rel.as_str()) {
            None => {
                summary.added.push(file.rel.clone());
                slots.push((file, None, None));
            }
            Some(&(old, entry)) if old != file => {
                summary.changed.push(file.rel.clone());
                slots.push((file, Some(entry.key), None));
            }
            Some(&(_, entry)) => slots.push((file, Some(entry.key), Some(entry))),
        }
    }
    let present: std::collections::HashSet<&str> = now.iter().map(|f| f.rel.as_str()).collect();
    summary.removed = previous
        .files
        .iter()
        .filter(|f| !present.contains(f.rel.as_str()))
        .map(|f| f.rel.clone())
        .collect();

    let known: Vec<Option<u32>> = slots.iter().map(|&(_, key, _)| key).collect();
    let keys = fill_keys(&known)?;
    let mut reindex = Vec::new();
    let mut all = Vec::with_capacity(slots.len());
    for ((file, _, kept), key) in slots.into_iter().zip(keys) {
        if kept.is_none() {
            reindex.push((file, key));
        }
        all.push((key, kept));
    }
    Some(Plan {
        summary,
        reindex,
        keys: all,
    })
}

/// Fills in the missing keys of a sequence whose known keys increase: each run of `n` missing
/// keys between known keys `lo` and `hi` gets `n` evenly spaced values strictly between them
/// (with 0 and 2³² standing in at the ends). `None` when some run does not fit.
fn fill_keys(known: &[Option<u32>]) -> Option<Vec<u32>> {
    let mut keys = Vec::with_capacity(known.len());
    let mut index = 0;
    while index < known.len() {
        if let Some(key) = known[index] {
            keys.push(key);
            index += 1;
            continue;
        }
        let run = known[index..].iter().take_while(|k| k.is_none()).count();
        let lo = keys.last().map_or(0, |&k| u64::from(k));
        let hi = known
            .get(index + run)
            .copied()
            .flatten()
            .map_or(1u64 << 32, u64::from);
        let count = run as u64;
        if hi <= lo || hi - lo <= count {
            return None;
        }
        for step in 1..=count {
            keys.push(u32::try_from(lo + step * (hi - lo) / (count + 1)).ok()?);
        }
        index += run;
    }
    Some(keys)
}

/// Hard-links every file of the generation `from` into the new directory `to` (copying the
/// small bookkeeping files, and any file a link cannot be made for).
fn link_generation(from: &Path, to: &Path) -> Result<()> {
    fs::create_dir(to).map_err(|err| Error::io(to, err))?;
    let entries = fs::read_dir(from).map_err(|err| Error::io(from, err))?;
    for entry in entries {
        let entry = entry.map_err(|err| Error::io(from, err))?;
        let name = entry.file_name();
        let Some(text) = name.to_str() else { continue };
        // Tantivy's lock files belong to the process that holds them.
        if text.starts_with(".tantivy") && text.ends_with(".lock") {
            continue;
        }
        let (source, target) = (entry.path(), to.join(&name));
        let small = text == "meta.json" || text == ".managed.json";
        if small || fs::hard_link(&source, &target).is_err() {
            fs::copy(&source, &target).map_err(|err| Error::io(&source, err))?;
        }
    }
    Ok(())
}

/// Merges every segment that has deleted paragraphs, which rewrites it without them.
fn purge_deletes(
    index: &Index,
    writer: &mut tantivy::IndexWriter<tantivy::TantivyDocument>,
) -> Result<()> {
    let with_deletes: Vec<tantivy::index::SegmentId> = index
        .searchable_segment_metas()
        .map_err(|err| Error::engine("listing segments", err))?
        .iter()
        .filter(|meta| meta.has_deletes())
        .map(|meta| meta.id())
        .collect();
    if with_deletes.is_empty() {
        return Ok(());
    }
    writer
        .merge(&with_deletes)
        .wait()
        .map_err(|err| Error::engine("merging updated segments", err))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::fill_keys;

    #[test]
    fn missing_keys_share_the_gap_between_their_neighbours() {
        type Case<'a> = (&'a [Option<u32>], Option<&'a [u32]>);
        let cases: &[Case] = &[
            (&[], Some(&[])),
            (&[Some(10), Some(20)], Some(&[10, 20])),
            (&[Some(10), None, Some(20)], Some(&[10, 15, 20])),
            (
                &[Some(10), None, None, None, Some(18)],
                Some(&[10, 12, 14, 16, 18]),
            ),
            (&[None, Some(8)], Some(&[4, 8])),
            (
                &[Some(u32::MAX - 4), None],
                Some(&[u32::MAX - 4, u32::MAX - 2]),
            ),
            (&[None], Some(&[1 << 31])),
            (&[Some(10), None, Some(11)], None),
            (&[Some(10), None, None, Some(12)], None),
            (&[None, Some(0)], None),
        ];
        for &(known, expected) in cases {
            assert_eq!(fill_keys(known).as_deref(), expected, "{known:?}");
        }
    }
}
