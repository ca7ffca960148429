//! Runs searches against a built index and returns plain result types.
//!
//! [`SearchIndex`] owns the opened index and its reader; [`SearchRequest`] says what to look for;
//! [`SearchResults`] and [`Hit`] carry everything a printer needs, with no Tantivy type in
//! sight. Building queries is `query`'s job, ranking `topk`'s (and `feedback`'s), counts
//! [`facets`]', excerpts [`snippet`]'s; printing is `render`'s.
//!
//! A ranked search scores as few matches as it can (`topk`): a plain-word query with many
//! postings is pruned with block-max WAND, then its matches are counted from their document ids
//! alone, unless the request said it need not count them all ([`SearchRequest::count_all`]);
//! any other query is scored in one pass that also counts. Searches with nothing to score
//! (filters only, by date) count in a pass without scores. Years and entities, when asked for,
//! are tallied in whichever pass counts.

pub mod facets;
mod feedback;
pub mod filter;
pub(crate) mod query;
pub mod snippet;
pub mod syntax;
mod terms;
mod topk;
pub mod typo;

#[cfg(test)]
mod tests;

use crate::corpus::Record;
use crate::error::{Error, Result};
use crate::extract::date::PartialDate;
use crate::extract::entity::{EntityKind, Gazetteer};
use crate::index::doc::parse_entity_value;
use crate::index::schema::{self, english_analyzer, Fields};
use crate::index::{build_in_memory, open_current, IndexInfo};
use facets::{FacetTable, Facets, MatchSink, Tally};
use serde::Serialize;
use snippet::{build_excerpt, match_ranges, Excerpt};
use std::collections::hash_map::{Entry, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use tantivy::collector::sort_key::SortByStaticFastValue;
use tantivy::collector::TopDocs;
use tantivy::columnar::Column;
use tantivy::query::{EnableScoring, Query};
use tantivy::schema::Value;
use tantivy::{
    DocAddress, DocId, Index, IndexReader, Order, ReloadPolicy, Searcher, SegmentOrdinal,
    TantivyDocument,
};
use terms::Terms;
use topk::{Counting, Matches, Ranked, Ranking};
use typo::Correction;

/// Excerpt length, in bytes, before joining fragments.
const EXCERPT_LEN: usize = 280;

/// How hits are ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Most relevant first (BM25), ties in corpus order.
    #[default]
    Score,
    /// Earliest date mentioned first: a timeline of the topic.
    Date,
}

/// What to search for. Build one with [`SearchRequest::new`] and the chained setters.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// The query text; empty to list every paragraph the filters let through.
    pub query: String,
    /// How many hits to return.
    pub limit: usize,
    /// How many of the best hits to skip first (paging).
    pub offset: usize,
    /// Only paragraphs covering a year in this inclusive range.
    pub years: Option<(i32, i32)>,
    /// Only paragraphs mentioning a date on or after this one.
    pub since: Option<PartialDate>,
    /// Only paragraphs mentioning a date on or before this one.
    pub until: Option<PartialDate>,
    /// Only paragraphs naming all of these entities (any alias, any case).
    pub entities: Vec<String>,
    /// Only paragraphs naming an entity of this kind.
    pub entity_kind: Option<EntityKind>,
    /// Order of the hits.
    pub sort: SortOrder,
    /// Whether to count years and entities over all matching paragraphs.
    pub facets: bool,
    /// Whether to search the words exactly as typed, without correcting typos.
    pub exact: bool,
    /// Whether a ranked search re-scores its matches with words that its best hits share
    /// (pseudo-relevance feedback); on by default. The matching paragraphs are the same.
    pub feedback: bool,
    /// Whether to count every matching paragraph (on by default). Off, a search may find its
    /// best hits without visiting every match, and [`SearchResults::total`] is then only a
    /// lower bound ([`SearchResults::total_is_exact`] says which). Facets count every match
    /// whatever this says.
    pub count_all: bool,
}

impl SearchRequest {
    /// A request for `query` with the defaults: top 10 by score, no filters.
    pub fn new(query: impl Into<String>) -> Self {
        SearchRequest {
            query: query.into(),
            limit: 10,
            offset: 0,
            years: None,
            since: None,
            until: None,
            entities: Vec::new(),
            entity_kind: None,
            sort: SortOrder::Score,
            facets: false,
            exact: false,
            feedback: true,
            count_all: true,
        }
    }

    /// Returns at most `limit` hits.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = limit;
        self
    }

    /// Skips the first `offset` hits.
    pub fn offset(mut self, offset: usize) -> Self {
        self.offset = offset;
        self
    }

    /// Keeps paragraphs covering a year between `first` and `last`, inclusive.
    pub fn years(mut self, first: i32, last: i32) -> Self {
        self.years = Some((first.min(last), first.max(last)));
        self
    }

    /// Keeps paragraphs mentioning a date on or after `date`.
    pub fn since(mut self, date: PartialDate) -> Self {
        self.since = Some(date);
        self
    }

    /// Keeps paragraphs mentioning a date on or before `date`.
    pub fn until(mut self, date: PartialDate) -> Self {
        self.until = Some(date);
        self
    }

    /// Keeps paragraphs naming `entity`; call again to require several.
    pub fn entity(mut self, entity: impl Into<String>) -> Self {
        self.entities.push(entity.into());
        self
    }

    /// Keeps paragraphs naming an entity of `kind`.
    pub fn entity_kind(mut self, kind: EntityKind) -> Self {
        self.entity_kind = Some(kind);
        self
    }

    /// Orders hits by `sort`.
    pub fn sort(mut self, sort: SortOrder) -> Self {
        self.sort = sort;
        self
    }

    /// Also counts years and entities over every matching paragraph ([`SearchResults::facets`]).
    pub fn facets(mut self, facets: bool) -> Self {
        self.facets = facets;
        self
    }

    /// With `true`, searches the words exactly as typed. By default a plain word that matches
    /// nothing in the index is searched as the closest word that does (`Torkam` → `Torkham`),
    /// and [`SearchResults::corrections`] says so; see [`typo`] for the rule.
    pub fn exact(mut self, exact: bool) -> Self {
        self.exact = exact;
        self
    }

    /// Turns pseudo-relevance feedback on or off: off ranks the matches by BM25 alone.
    pub fn feedback(mut self, feedback: bool) -> Self {
        self.feedback = feedback;
        self
    }

    /// With `false`, counts only the matches that finding the best hits visits, for callers
    /// that show no "1–10 of 3,465" line: a query of plain words then skips the paragraphs that
    /// cannot reach the page, which is most of them when they are many. The hits and their
    /// scores are the same either way; [`SearchResults::total`] becomes a lower bound, and
    /// [`SearchResults::total_is_exact`] says whether it still happens to be exact. Asking for
    /// [`facets`](SearchRequest::facets) counts every match regardless.
    pub fn count_all(mut self, count_all: bool) -> Self {
        self.count_all = count_all;
        self
    }

    /// Whether any filter (years, dates, entities) is set.
    pub fn has_filters(&self) -> bool {
        self.years.is_some()
            || self.since.is_some()
            || self.until.is_some()
            || !self.entities.is_empty()
            || self.entity_kind.is_some()
    }
}

/// An entity named in a hit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityTag {
    /// Canonical name.
    pub name: String,
    /// Person, organisation, place, event or other.
    pub kind: EntityKind,
}

/// One matching paragraph.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    /// 1-based position in the full result list (offset included).
    pub rank: usize,
    /// Relevance score (BM25, with the feedback words); 0 when no query text was given.
    pub score: f32,
    /// The paragraph's id (`file#ordinal`, or the record's id).
    pub id: String,
    /// Source file, relative to the corpus.
    pub file: String,
    /// Article title.
    pub title: String,
    /// Section path, outermost first.
    pub section: Vec<String>,
    /// Ordinal of the paragraph in its article.
    pub paragraph: u32,
    /// The whole paragraph.
    pub text: String,
    /// The passages around the matches, with the matched words marked.
    pub excerpt: Excerpt,
    /// Years the paragraph covers.
    pub years: Vec<i32>,
    /// Dates mentioned, ISO at their precision (`2025-02-21`, `2025-02`, `1979/1989`).
    pub dates: Vec<String>,
    /// Entities named.
    pub entities: Vec<EntityTag>,
}

/// An entity with the number of paragraphs naming it, from [`SearchIndex::entities`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityListing {
    /// Canonical name.
    pub name: String,
    /// Its kind.
    #[serde(rename = "type")]
    pub kind: EntityKind,
    /// Paragraphs naming it.
    pub count: u64,
    /// Other spellings it is known by.
    pub aliases: Vec<String>,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, Serialize)]
pub struct SearchResults {
    /// How many paragraphs match in all (not only those returned), or, when
    /// [`total_is_exact`](SearchResults::total_is_exact) is false, how many at least.
    pub total: usize,
    /// Whether [`total`](SearchResults::total) counts every match. Always true unless the
    /// request turned [`SearchRequest::count_all`] off; even then, true when the search
    /// happened to see every match. A lower bound depends on how the index's segments were
    /// written, where the hits do not.
    pub total_is_exact: bool,
    /// The requested page of hits.
    pub hits: Vec<Hit>,
    /// How the query was read, when that is worth telling (ignored syntax).
    pub notes: Vec<String>,
    /// Words of the query that matched nothing and were searched as a close word of the corpus
    /// instead; empty when none was (or [`SearchRequest::exact`] was set).
    pub corrections: Vec<Correction>,
    /// Words of the query, as typed, that are in no paragraph and were not corrected (too
    /// short, a number, no close word, or [`SearchRequest::exact`]): the hits, if any, match
    /// the other words. Quoted phrases, `field:` values and excluded words are not checked.
    pub missing: Vec<String>,
    /// Year and entity counts over all matching paragraphs, when the request asked for them.
    pub facets: Option<Facets>,
}

/// The stored documents one search reads, each read once: the feedback sample and the page of
/// hits are mostly the same paragraphs.
pub(crate) struct Documents<'s> {
    searcher: &'s Searcher,
    read: HashMap<DocAddress, TantivyDocument>,
}

impl<'s> Documents<'s> {
    fn new(searcher: &'s Searcher) -> Documents<'s> {
        Documents {
            searcher,
            read: HashMap::new(),
        }
    }

    pub(crate) fn get(&mut self, address: DocAddress) -> tantivy::Result<&TantivyDocument> {
        match self.read.entry(address) {
            Entry::Occupied(entry) => Ok(entry.into_mut()),
            Entry::Vacant(entry) => Ok(entry.insert(self.searcher.doc(address)?)),
        }
    }
}

/// An opened index, ready to search.
///
/// Cheap to clone and safe to share between threads: clones share the same index and see the
/// same [`reload`](SearchIndex::reload). A search runs against the index generation current when
/// it starts, so a rebuild never disturbs a search in flight.
///
/// ```
/// # fn main() -> afsearch::Result<()> {
/// use afsearch::{Record, SearchIndex, SearchRequest};
///
/// let index = SearchIndex::from_records([
///     Record::new("a", "Border", "The Torkham crossing closed."),
///     Record::new("b", "Trade", "Transit trade grew."),
/// ])?;
/// let shared = index.clone(); // another handle on the same index, e.g. for another thread
/// let results = shared.search(&SearchRequest::new("torkham"))?;
/// assert_eq!(results.hits[0].id, "a");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct SearchIndex {
    shared: Arc<Shared>,
}

struct Shared {
    /// `None` for an index built in memory.
    dir: Option<PathBuf>,
    current: RwLock<Arc<Generation>>,
}

/// One built index, as opened: what a search runs against.
struct Generation {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    info: Arc<IndexInfo>,
    /// Each segment's corpus-order column, opened by the first ranked search: opening one
    /// reads its block index, which costs more than ranking a short query.
    order: OnceLock<Vec<Column<u64>>>,
    /// Entities and years numbered across segments, built by the second facet count (see
    /// [`Generation::facet_table`]); `None` if building it failed, so it is not tried again.
    facet_table: OnceLock<Option<FacetTable>>,
    /// Facet counts asked of this generation so far.
    facet_counts: AtomicUsize,
}

// Compile-time proof of the sharing promise above.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<SearchIndex>();
};

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.shared.dir)
            .finish_non_exhaustive()
    }
}

fn open_reader(index: &Index, dir: &Path) -> Result<IndexReader> {
    index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()
        .map_err(|err| Error::BadIndex {
            path: dir.to_path_buf(),
            reason: format!("cannot open a reader: {err}"),
        })
}

impl Generation {
    fn new(index: Index, reader: IndexReader, fields: Fields, info: IndexInfo) -> Generation {
        Generation {
            index,
            reader,
            fields,
            info: Arc::new(info),
            order: OnceLock::new(),
            facet_table: OnceLock::new(),
            facet_counts: AtomicUsize::new(0),
        }
    }

    fn open(dir: &Path, known: Option<IndexInfo>) -> Result<Generation> {
        let (index, fields, info) = open_current(dir, known)?;
        let reader = open_reader(&index, dir)?;
        Ok(Generation::new(index, reader, fields, info))
    }
}

/// The facets of `matches`, counted by `table`.
fn count_later(
    searcher: &Searcher,
    table: Option<&FacetTable>,
    matches: Vec<(SegmentOrdinal, DocId)>,
) -> tantivy::Result<Facets> {
    let mut tally = Tally::new(searcher, table)?;
    for (segment, doc) in matches {
        tally.add(segment, doc);
    }
    tally.facets()
}

impl SearchIndex {
    /// Opens the index in `dir`, built by [`crate::build_index`].
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        SearchIndex::open_generation(dir, None)
    }

    /// [`SearchIndex::open`], with the description of the index that the caller already read
    /// with [`IndexInfo::read`] (for a corpus of many files, reading it again is most of the
    /// cost of opening). Should the index have been rebuilt since, the new build is opened.
    pub fn open_with_info(dir: &Path, info: IndexInfo) -> Result<SearchIndex> {
        SearchIndex::open_generation(dir, Some(info))
    }

    fn open_generation(dir: &Path, known: Option<IndexInfo>) -> Result<SearchIndex> {
        Ok(SearchIndex {
            shared: Arc::new(Shared {
                dir: Some(dir.to_path_buf()),
                current: RwLock::new(Arc::new(Generation::open(dir, known)?)),
            }),
        })
    }

    /// Builds an index in memory from records the caller supplies: nothing touches the disk.
    /// Dates and entities are extracted as for a corpus; a record's `date` must be ISO 8601.
    pub fn from_records<I>(records: I) -> Result<SearchIndex>
    where
        I: IntoIterator<Item = Record>,
    {
        let paragraphs = records
            .into_iter()
            .enumerate()
            .map(|(i, record)| record.into_paragraph(u32::try_from(i + 1).unwrap_or(u32::MAX)))
            .collect::<Result<Vec<_>>>()?;
        let (index, fields, info) = build_in_memory(&paragraphs)?;
        SearchIndex::in_memory(index, fields, info)
    }

    /// A search index over `index`, held in memory.
    fn in_memory(index: Index, fields: Fields, info: IndexInfo) -> Result<SearchIndex> {
        let reader = open_reader(&index, Path::new("(memory)"))?;
        Ok(SearchIndex {
            shared: Arc::new(Shared {
                dir: None,
                current: RwLock::new(Arc::new(Generation::new(index, reader, fields, info))),
            }),
        })
    }

    /// Switches to the newest build of the index if it was rebuilt since it was opened; returns
    /// whether it did. Searches already running finish on the generation they started with.
    pub fn reload(&self) -> Result<bool> {
        let Some(dir) = &self.shared.dir else {
            return Ok(false);
        };
        let latest = IndexInfo::read(dir)?.map(|info| info.generation);
        if latest.as_deref() == Some(self.current().info.generation.as_str()) {
            return Ok(false);
        }
        let generation = Arc::new(Generation::open(dir, None)?);
        match self.shared.current.write() {
            Ok(mut current) => *current = generation,
            Err(poisoned) => *poisoned.into_inner() = generation,
        }
        Ok(true)
    }

    fn current(&self) -> Arc<Generation> {
        match self.shared.current.read() {
            Ok(current) => Arc::clone(&current),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// What the index was built from.
    pub fn info(&self) -> Arc<IndexInfo> {
        Arc::clone(&self.current().info)
    }

    /// The index directory (`None` for an index built in memory).
    pub fn dir(&self) -> Option<&Path> {
        self.shared.dir.as_deref()
    }

    /// Runs `request`.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        self.current().search(request)
    }

    /// Entities named in the paragraphs that match `request` (all paragraphs when it has no
    /// query and no filter), with their paragraph counts and known aliases, most frequent first.
    /// With [`SearchRequest::entity_kind`] set, only entities of that kind are listed. The
    /// query's words are taken as typed: a listing has no place to report a typo correction.
    pub fn entities(&self, request: &SearchRequest) -> Result<Vec<EntityListing>> {
        self.current().entities(request)
    }

    /// What the index holds: counts, years covered, top entities, size and provenance.
    pub fn stats(&self) -> Result<IndexStats> {
        let generation = self.current();
        let searcher = generation.reader.searcher();
        let (_, facets) = generation
            .count(&searcher, &tantivy::query::AllQuery, true)
            .map_err(|err| Error::engine("counting years and entities", err))?;
        let facets = facets.unwrap_or_default();
        let size_bytes = self.shared.dir.as_ref().map_or(0, |dir| {
            directory_size(&dir.join(&generation.info.generation))
        });
        Ok(IndexStats {
            paragraphs: searcher.num_docs(),
            articles: generation.info.articles,
            files: generation.info.files.len(),
            years: facets.years,
            top_entities: facets.entities,
            size_bytes,
            built_at: generation.info.built_at,
            corpus: generation.info.corpus.clone(),
            dir: self.shared.dir.clone(),
        })
    }
}

fn directory_size(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|entry| entry.ok())
        .filter_map(|entry| entry.metadata().ok())
        .filter(|meta| meta.is_file())
        .map(|meta| meta.len())
        .sum()
}

/// What an index holds, from [`SearchIndex::stats`].
#[derive(Debug, Clone, Serialize)]
pub struct IndexStats {
    /// Paragraphs (search documents).
    pub paragraphs: u64,
    /// Articles (for JSON lines: records) they come from.
    pub articles: u64,
    /// Corpus files read.
    pub files: usize,
    /// Paragraphs covering each year.
    pub years: std::collections::BTreeMap<i32, u64>,
    /// The most named entities of each kind.
    pub top_entities: Vec<facets::EntityCount>,
    /// Size of the index on disk, in bytes (0 in memory).
    pub size_bytes: u64,
    /// When it was built, in seconds since the Unix epoch.
    pub built_at: u64,
    /// The corpus directory it was built from (empty in memory).
    pub corpus: PathBuf,
    /// The index directory (`None` in memory).
    pub dir: Option<PathBuf>,
}

impl Generation {
    /// The corpus-order column of each segment.
    fn order_columns(&self) -> tantivy::Result<&[Column<u64>]> {
        if let Some(columns) = self.order.get() {
            return Ok(columns);
        }
        let columns = self
            .reader
            .searcher()
            .segment_readers()
            .iter()
            .map(|reader| reader.fast_fields().u64(schema::ORDER))
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(self.order.get_or_init(|| columns))
    }

    /// The facet table for a facet count, from this generation's second facet count on.
    /// Building it reads every segment's entity dictionary and facet columns whole, where one
    /// count from the columns reads the matches' rows and spells out a few dozen entities, so
    /// a one-shot search never builds it; an index kept open and asked again, as a library
    /// user or a server does, has it from then on.
    fn facet_table(&self, searcher: &Searcher) -> Option<&FacetTable> {
        if let Some(table) = self.facet_table.get() {
            return table.as_ref();
        }
        if self.facet_counts.fetch_add(1, Ordering::Relaxed) == 0 {
            return None;
        }
        // Should two searches build it at once, one table is kept; failing to build it only
        // means counting from the columns, from then on.
        let table = FacetTable::build(searcher).ok();
        self.facet_table.get_or_init(|| table).as_ref()
    }

    /// Counts every match of `query` without scoring any, with the years and entities they
    /// name when `facets` is set.
    fn count(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        facets: bool,
    ) -> tantivy::Result<(usize, Option<Facets>)> {
        let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
        if !facets {
            let mut total = 0;
            for reader in searcher.segment_readers() {
                total += weight.count(reader)? as usize;
            }
            return Ok((total, None));
        }
        let mut tally = Tally::new(searcher, self.facet_table(searcher))?;
        for (segment, reader) in searcher.segment_readers().iter().enumerate() {
            tally.add_matches(segment as u32, reader, weight.as_ref())?;
        }
        Ok((tally.matches(), Some(tally.facets()?)))
    }

    fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        let terms = Terms::new(&searcher, &self.info);
        let built = query::build(&self.index, &self.fields, request, Some(&terms))?;
        let wanted = request.offset.saturating_add(request.limit);
        if request.query.trim().is_empty() && !request.has_filters() {
            return Err(Error::Query(
                "nothing to search for: give a query or a filter".into(),
            ));
        }
        let engine = |err| Error::engine("searching", err);
        let mut documents = Documents::new(&searcher);
        // Never ask for more hits than exist: collectors allocate room for them up front.
        let num_docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        let limit = wanted.clamp(1, num_docs.max(1));
        // Every order ends with the paragraph's place in the corpus, so equal keys never depend
        // on how segments were written: a full build, another thread count and an incremental
        // update all give the same output.
        let in_corpus_order = || {
            (
                SortByStaticFastValue::<u64>::for_field(schema::ORDER),
                Order::Asc,
            )
        };
        let (scored, matches, facets): (Vec<(f32, DocAddress)>, Matches, Option<Facets>) =
            if request.sort == SortOrder::Date || request.query.trim().is_empty() {
                // By date, or filters alone (in corpus order): nothing to score.
                let top = if request.sort == SortOrder::Date {
                    let by_date = (
                        SortByStaticFastValue::<i64>::for_field(schema::FIRST_DATE),
                        Order::Asc,
                    );
                    let top = TopDocs::with_limit(limit).order_by((by_date, in_corpus_order()));
                    let top = searcher.search(&built.query, &top).map_err(engine)?;
                    top.into_iter().map(|(_, addr)| (0.0, addr)).collect()
                } else {
                    let top = TopDocs::with_limit(limit).order_by(in_corpus_order());
                    let top = searcher.search(&built.query, &top).map_err(engine)?;
                    top.into_iter().map(|(_, addr)| (0.0, addr)).collect()
                };
                // Counting costs little beside visiting every match in order, as this does anyway.
                let (total, facets) = self
                    .count(&searcher, built.query.as_ref(), request.facets)
                    .map_err(|err| Error::engine("counting matches", err))?;
                (top, Matches::exact(total), facets)
            } else {
                let ranking = match &built.union {
                    Some(union) => Ranking::Union(union),
                    None => Ranking::Query(built.query.as_ref()),
                };
                let feedback =
                    request.feedback && feedback::applies(built.query.as_ref(), &self.fields);
                // With feedback, the first pass goes as deep as the re-ranking does, whatever
                // the page: every page comes from the same ranking.
                let depth = if feedback {
                    limit
                        .max(feedback::FEEDBACK_CANDIDATES)
                        .min(num_docs.max(1))
                } else {
                    limit
                };
                let table = if request.facets {
                    self.facet_table(&searcher)
                } else {
                    None
                };
                // With a facet table (an index kept open, asked for facets before) and feedback
                // to run, ranking only lists the matches, and another core counts them while
                // feedback re-ranks: the two take about as long, and neither needs the other.
                // A one-shot search counts from the columns as it ranks, on one core, as
                // starting a thread pool would cost it more than it saves.
                let mut later: Option<Vec<(SegmentOrdinal, DocId)>> =
                    (table.is_some() && feedback).then(Vec::new);
                let mut tally = match (&later, request.facets) {
                    (None, true) => Some(Tally::new(&searcher, table).map_err(engine)?),
                    _ => None,
                };
                let sink: Option<&mut dyn MatchSink> = match (&mut later, &mut tally) {
                    (Some(later), _) => Some(later),
                    (None, Some(tally)) => Some(tally),
                    (None, None) => None,
                };
                // Facets are over every match: they need every match counted.
                let counting = if request.count_all || sink.is_some() {
                    Counting::Every(sink)
                } else {
                    Counting::Visited
                };
                let order = self.order_columns().map_err(engine)?;
                let (mut top, matches) =
                    topk::top_k(&terms, order, ranking, depth, counting).map_err(engine)?;
                let mut rerank = |top: &mut Vec<Ranked>| -> tantivy::Result<()> {
                    if !feedback {
                        return Ok(());
                    }
                    let expansion = feedback::expansion(
                        &mut documents,
                        &self.fields,
                        built.query.as_ref(),
                        top,
                    )?;
                    if let Some(expansion) = expansion {
                        feedback::rerank(&terms, order, &expansion, top, limit)?;
                    }
                    Ok(())
                };
                let facets = match later {
                    Some(later) => {
                        let mut counted = None;
                        let reranked = rayon::in_place_scope(|scope| {
                            scope.spawn(|_| counted = Some(count_later(&searcher, table, later)));
                            rerank(&mut top)
                        });
                        reranked.map_err(engine)?;
                        counted.transpose().map_err(engine)?
                    }
                    None => {
                        rerank(&mut top).map_err(engine)?;
                        tally
                            .map(|mut tally| tally.facets())
                            .transpose()
                            .map_err(engine)?
                    }
                };
                top.truncate(limit);
                let top = top
                    .into_iter()
                    .map(|hit| (hit.score, hit.address))
                    .collect();
                (top, matches, facets)
            };
        let mut analyzer = english_analyzer();
        let mut hits = Vec::with_capacity(request.limit.min(scored.len()));
        // Only the requested page is loaded and excerpted, however deep it is. (Collectors are
        // asked for at least one hit, so a limit of 0 still ranks one: it is not a hit.)
        let page = scored.into_iter().enumerate().skip(request.offset);
        for (i, (score, address)) in page.take(request.limit) {
            let doc = documents.get(address).map_err(engine)?;
            let mut hit = self.hit(doc, score, &built.text_terms, &mut analyzer);
            hit.rank = i + 1;
            if request.query.trim().is_empty() {
                hit.score = 0.0;
            }
            hits.push(hit);
        }
        Ok(SearchResults {
            total: matches.count,
            total_is_exact: matches.exact,
            hits,
            notes: built.notes,
            corrections: built.spelling.corrections,
            missing: built.spelling.missing,
            facets,
        })
    }

    fn entities(&self, request: &SearchRequest) -> Result<Vec<EntityListing>> {
        // A listing has no place to say a word was corrected, so its words are taken as typed.
        let built = query::build(&self.index, &self.fields, request, None)?;
        let searcher = self.reader.searcher();
        let counting = |err| Error::engine("counting entities", err);
        let weight = built
            .query
            .weight(EnableScoring::disabled_from_searcher(&searcher))
            .map_err(counting)?;
        // A listing counts by the facet table when facet searches have built one, and never
        // builds it: the command asks once.
        let table = self.facet_table.get().and_then(Option::as_ref);
        let mut tally = Tally::new(&searcher, table).map_err(counting)?;
        for (segment, reader) in searcher.segment_readers().iter().enumerate() {
            tally
                .add_matches(segment as u32, reader, weight.as_ref())
                .map_err(counting)?;
        }
        let kinds: Vec<EntityKind> = match request.entity_kind {
            Some(kind) => vec![kind],
            None => facets::KINDS.to_vec(),
        };
        let gazetteer = Gazetteer::builtin();
        let mut listing: Vec<EntityListing> = tally
            .entities(&kinds)
            .map_err(counting)?
            .into_iter()
            .map(|count| EntityListing {
                aliases: gazetteer
                    .resolve(&count.name)
                    .map(|entry| entry.aliases.clone())
                    .unwrap_or_default(),
                name: count.name,
                kind: count.kind,
                count: count.count,
            })
            .collect();
        listing.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        Ok(listing)
    }

    fn hit(
        &self,
        doc: &TantivyDocument,
        score: f32,
        terms: &std::collections::HashSet<String>,
        analyzer: &mut tantivy::tokenizer::TextAnalyzer,
    ) -> Hit {
        let f = &self.fields;
        let text_of = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        };
        let text = text_of(f.text);
        let matches = match_ranges(&text, analyzer, terms);
        let excerpt = build_excerpt(&text, &matches, EXCERPT_LEN);
        let entities = doc
            .get_all(f.entity)
            .filter_map(|v| v.as_str())
            .filter_map(parse_entity_value)
            .map(|(kind, name)| EntityTag {
                name: name.to_string(),
                kind,
            })
            .collect();
        Hit {
            rank: 0,
            score,
            id: text_of(f.id),
            file: text_of(f.file),
            title: text_of(f.title),
            section: doc
                .get_all(f.section)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            paragraph: doc
                .get_first(f.paragraph)
                .and_then(|v| v.as_u64())
                .and_then(|v| u32::try_from(v).ok())
                .unwrap_or(0),
            excerpt,
            text,
            years: doc
                .get_all(f.years)
                .filter_map(|v| v.as_i64())
                .filter_map(|v| i32::try_from(v).ok())
                .collect(),
            dates: doc
                .get_all(f.dates)
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            entities,
        }
    }
}
