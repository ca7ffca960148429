//! A plain Tantivy index of the slice's paragraphs, the baseline behind issue 8's in-process
//! target ("Tantivy, counting every match: 94 µs"), measured on this machine beside afsearch.
//!
//! It is laid out like `benches/compare.py`'s tantivy-cli index, so that the in-process and
//! one-shot baselines are the same engine over the same text: `id` stored and not indexed,
//! `title` and `text` indexed with positions and Tantivy's `en_stem` analyzer, written by two
//! indexing threads with the writer heap tantivy-cli's defaults give (no flush before the
//! commit on the slice, so one segment per thread). The paragraphs come from the library's own WikiExtractor reader, as
//! the JSON lines of `common::slice` do. afsearch's own indexing stays in `common::index_for`.

use super::{cache_dir, Input};
use afsearch::corpus::wikiextractor::{paragraphs, DocReader};
use flate2::read::GzDecoder;
use std::fs;
use std::io::{self, BufReader};
use std::path::{Path, PathBuf};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{Query, QueryParser};
use tantivy::schema::{IndexRecordOption, Schema, TextFieldIndexing, TextOptions, STORED};
use tantivy::{doc, Index, Searcher};

/// Heap of the whole writer as tantivy-cli 0.24's `index -t 2` sets it: its default
/// `--memory_size` of 1 GB is split per thread and then passed to `writer_with_num_threads`,
/// which splits it again.
const WRITER_HEAP: usize = 500_000_000;

/// Marks a finished build: written after the commit, so an interrupted build is redone.
const DONE: &str = "afsearch-bench-done";

/// A plain Tantivy index opened for searching, with the query parser tantivy-cli uses
/// (`title` and `text`, any word may match).
pub struct PlainIndex {
    searcher: Searcher,
    parser: QueryParser,
}

impl PlainIndex {
    /// Opens the plain index of `input`'s WikiExtractor files, building it first (once) into
    /// `target/afsearch-bench/<name>-tantivy-index`. `None`, with a message, when `input` has
    /// no WikiExtractor file or the build fails.
    pub fn for_input(input: &Input) -> Option<PlainIndex> {
        let dir = cache_dir().join(format!("{}-tantivy-index", input.name));
        let open = || -> tantivy::Result<PlainIndex> {
            let index = Index::open_in_dir(&dir)?;
            let schema = index.schema();
            let fields = vec![schema.get_field("title")?, schema.get_field("text")?];
            let parser = QueryParser::for_index(&index, fields);
            let searcher = index.reader()?.searcher();
            Ok(PlainIndex { searcher, parser })
        };
        if !dir.join(DONE).is_file() {
            eprintln!(
                "building the plain Tantivy index of {} in {} (once) …",
                input.name,
                dir.display()
            );
            if let Err(err) = build(&input.corpus_dir, &dir) {
                eprintln!("skipping the Tantivy baseline: {err}");
                return None;
            }
        }
        open()
            .map_err(|err| eprintln!("skipping the Tantivy baseline: {err}"))
            .ok()
    }

    /// `text` parsed by tantivy-cli's parser, but leniently (tantivy-cli's is strict): a query
    /// it accepts comes out the same, and one with a stray `:` or quote is not lost.
    pub fn parse(&self, text: &str) -> Box<dyn Query> {
        self.parser.parse_query_lenient(text).0
    }

    /// The best 10 by BM25 and the number of matches: the baseline.
    pub fn top10_and_count(&self, query: &dyn Query) -> usize {
        let (top, count) = self
            .searcher
            .search(query, &(TopDocs::with_limit(10).order_by_score(), Count))
            .expect("tantivy search");
        std::hint::black_box(top);
        count
    }

    /// The best 10 by BM25 alone, which lets Tantivy skip documents that cannot enter them
    /// (block-max WAND). Returns how many hits it kept.
    pub fn top10(&self, query: &dyn Query) -> usize {
        let top = self
            .searcher
            .search(query, &TopDocs::with_limit(10).order_by_score())
            .expect("tantivy search");
        top.len()
    }
}

/// Indexes the paragraphs of every `.gz` WikiExtractor file in `corpus_dir` into `dir`.
fn build(corpus_dir: &Path, dir: &Path) -> Result<(), String> {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir).map_err(|err| format!("{}: {err}", dir.display()))?;
    let mut builder = Schema::builder();
    let stemmed = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("en_stem")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let id = builder.add_text_field("id", STORED);
    let title = builder.add_text_field("title", stemmed.clone());
    let text = builder.add_text_field("text", stemmed);
    let index = Index::create_in_dir(dir, builder.build()).map_err(|err| err.to_string())?;
    let mut writer = index
        .writer_with_num_threads(2, WRITER_HEAP)
        .map_err(|err| err.to_string())?;
    let files = wikiextractor_files(corpus_dir).map_err(|err| err.to_string())?;
    if files.is_empty() {
        return Err(format!("no .gz file in {}", corpus_dir.display()));
    }
    for file in files {
        let input = BufReader::new(GzDecoder::new(
            fs::File::open(&file).map_err(|err| format!("{}: {err}", file.display()))?,
        ));
        for article in DocReader::new(input) {
            let article = article.map_err(|err| format!("{}: {err}", file.display()))?;
            for p in paragraphs(&article, "") {
                writer
                    .add_document(doc!(
                        id => format!("{}.{}", article.id, p.ordinal),
                        title => p.title.as_str(),
                        text => p.text.as_str(),
                    ))
                    .map_err(|err| err.to_string())?;
            }
        }
    }
    writer.commit().map_err(|err| err.to_string())?;
    writer
        .wait_merging_threads()
        .map_err(|err| err.to_string())?;
    fs::write(dir.join(DONE), b"").map_err(|err| err.to_string())
}

/// The `.gz` files directly in `dir`, sorted.
fn wikiextractor_files(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "gz"))
        .collect();
    files.sort();
    Ok(files)
}
