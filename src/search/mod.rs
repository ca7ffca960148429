//! Runs searches against a built index and returns plain result types.
//!
//! [`SearchIndex`] owns the opened index and its reader; [`SearchRequest`] says what to look for;
//! [`SearchResults`] and [`Hit`] carry everything a printer needs, with no Tantivy type in
//! sight. Building queries is [`query`]'s job, excerpts [`snippet`]'s; printing is `render`'s.

pub mod facets;
pub mod filter;
pub(crate) mod query;
pub mod snippet;
pub mod syntax;

use crate::error::{Error, Result};
use crate::extract::date::PartialDate;
use crate::extract::entity::{EntityKind, Gazetteer};
use crate::index::schema::{self, english_analyzer, Fields};
use crate::index::{open_current, IndexInfo};
use facets::{entity_collector, to_facets, Facets, ValueCounts};
use serde::Serialize;
use snippet::{build_excerpt, match_ranges, Excerpt};
use std::path::{Path, PathBuf};
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::{Facet, Value};
use tantivy::{DocAddress, Index, IndexReader, ReloadPolicy, TantivyDocument};

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
    /// Relevance score (BM25); 0 when no query text was given.
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
    /// How many paragraphs match in all (not only those returned).
    pub total: usize,
    /// The requested page of hits.
    pub hits: Vec<Hit>,
    /// How the query was read, when that is worth telling (ignored syntax, corrections).
    pub notes: Vec<String>,
    /// Year and entity counts over all matching paragraphs, when the request asked for them.
    pub facets: Option<Facets>,
}

/// An opened index, ready to search.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    info: IndexInfo,
    dir: PathBuf,
}

impl std::fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SearchIndex")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl SearchIndex {
    /// Opens the index in `dir`, built by [`crate::build_index`].
    pub fn open(dir: &Path) -> Result<SearchIndex> {
        let (index, fields, info) = open_current(dir)?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(|err| Error::BadIndex {
                path: dir.to_path_buf(),
                reason: format!("cannot open a reader: {err}"),
            })?;
        Ok(SearchIndex {
            index,
            reader,
            fields,
            info,
            dir: dir.to_path_buf(),
        })
    }

    /// What the index was built from.
    pub fn info(&self) -> &IndexInfo {
        &self.info
    }

    /// The index directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Runs `request`.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let built = query::build(&self.index, &self.fields, request)?;
        let searcher = self.reader.searcher();
        let wanted = request.offset.saturating_add(request.limit);
        if request.query.trim().is_empty() && !request.has_filters() {
            return Err(Error::Query(
                "nothing to search for: give a query or a filter".into(),
            ));
        }
        let engine = |err| Error::engine("searching", err);
        let limit = wanted.max(1);
        let (total, mut scored): (usize, Vec<(f32, DocAddress)>) =
            if request.sort == SortOrder::Date {
                let collector = (
                    TopDocs::with_limit(limit)
                        .order_by_fast_field::<i64>(schema::FIRST_DATE, tantivy::Order::Asc),
                    Count,
                );
                let (top, total) = searcher.search(&built.query, &collector).map_err(engine)?;
                (
                    total,
                    top.into_iter().map(|(_, addr)| (0.0, addr)).collect(),
                )
            } else if request.query.trim().is_empty() {
                // Filters alone: list paragraphs in corpus order.
                let collector = (
                    TopDocs::with_limit(limit)
                        .order_by_fast_field::<u64>(schema::ORDER, tantivy::Order::Asc),
                    Count,
                );
                let (top, total) = searcher.search(&built.query, &collector).map_err(engine)?;
                (
                    total,
                    top.into_iter().map(|(_, addr)| (0.0, addr)).collect(),
                )
            } else {
                let collector = (TopDocs::with_limit(limit).order_by_score(), Count);
                searcher
                    .search(&built.query, &collector)
                    .map(|(top, total)| (total, top))
                    .map_err(engine)?
            };
        let mut analyzer = english_analyzer();
        let mut hits = Vec::with_capacity(scored.len());
        for (score, address) in scored.drain(..) {
            let doc: TantivyDocument = searcher.doc(address).map_err(engine)?;
            hits.push(self.hit(&doc, score, &built.text_terms, &mut analyzer));
        }
        if request.sort == SortOrder::Score && !request.query.trim().is_empty() {
            // Tantivy breaks score ties by segment order, which depends on indexing threads;
            // corpus order makes output reproducible.
            hits.sort_by(|a, b| {
                b.score
                    .total_cmp(&a.score)
                    .then_with(|| a.file.cmp(&b.file))
                    .then_with(|| a.paragraph.cmp(&b.paragraph))
            });
        }
        let hits: Vec<Hit> = hits
            .into_iter()
            .enumerate()
            .skip(request.offset)
            .take(request.limit)
            .map(|(i, mut hit)| {
                hit.rank = i + 1;
                if request.query.trim().is_empty() {
                    hit.score = 0.0;
                }
                hit
            })
            .collect();
        let facets = if request.facets {
            let collector = (
                ValueCounts::for_field(schema::YEARS),
                entity_collector(schema::ENTITY),
            );
            let (years, entities) = searcher.search(&built.query, &collector).map_err(engine)?;
            Some(to_facets(years, &entities))
        } else {
            None
        };
        Ok(SearchResults {
            total,
            hits,
            notes: built.notes,
            facets,
        })
    }

    /// Entities named in the paragraphs that match `request` (all paragraphs when it has no
    /// query and no filter), with their paragraph counts and known aliases, most frequent first.
    /// With [`SearchRequest::entity_kind`] set, only entities of that kind are listed.
    pub fn entities(&self, request: &SearchRequest) -> Result<Vec<EntityListing>> {
        let built = query::build(&self.index, &self.fields, request)?;
        let searcher = self.reader.searcher();
        let counts = searcher
            .search(&built.query, &entity_collector(schema::ENTITY))
            .map_err(|err| Error::engine("counting entities", err))?;
        let kinds: Vec<EntityKind> = match request.entity_kind {
            Some(kind) => vec![kind],
            None => facets::KINDS.to_vec(),
        };
        let gazetteer = Gazetteer::builtin();
        let mut listing: Vec<EntityListing> = facets::entity_counts(&counts, &kinds, usize::MAX)
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
            .filter_map(|v| v.as_facet())
            .filter_map(|encoded| {
                let facet = Facet::from_encoded(encoded.as_bytes().to_vec()).ok()?;
                let path = facet.to_path();
                let kind = EntityKind::parse(path.first()?)?;
                Some(EntityTag {
                    name: path.get(1)?.to_string(),
                    kind,
                })
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
