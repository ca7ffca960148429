//! Counts over every matching paragraph: how many cover each year, and which entities they
//! name most.
//!
//! Two ways to count, the same counts:
//!
//! * **From the columns** (an index's first facet count, and every one of a one-shot search): a
//!   match's years come from the `years` column and its entities as term ordinals of the
//!   `entity` column (`kind:Name` values, see `index::doc::entity_value`), counted in one
//!   array per segment. Nothing is spelled out until the end, and then only what is shown: the
//!   top entities of each kind are found by the threshold algorithm (Fagin et al.) over the
//!   segments' counts, which names a few dozen entities where a match set of half a million
//!   paragraphs names a hundred thousand.
//! * **From a `FacetTable`** (a long-lived index, from its second facet count on): every
//!   entity and year of the index is numbered once, and each paragraph's numbers are kept
//!   decoded, so counting a match is a few increments of one array, with nothing to merge
//!   across segments and no column to decode. The array and the list of what it counted are
//!   reused from one count to the next, and cleared entry by entry. (A ranked search with
//!   feedback lists its matches and counts them on another core, see `Generation::search`.)
//!
//! The results are plain maps for the printers.

use crate::extract::entity::EntityKind;
use crate::index::doc::{entity_kind_range, parse_entity_value};
use crate::index::schema;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::ops::{Bound, Range};
use std::sync::Mutex;
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::index::SegmentReader;
use tantivy::query::Weight;
use tantivy::{DocId, Searcher, SegmentOrdinal};

/// How many entities of each kind [`Facets::entities`] keeps.
pub const TOP_ENTITIES_PER_KIND: usize = 10;

/// Counts over all the paragraphs that match a request (not only the returned page).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Facets {
    /// Paragraphs covering each year.
    pub years: BTreeMap<i32, u64>,
    /// The most named entities of each kind, most frequent first (ties by name).
    pub entities: Vec<EntityCount>,
}

/// How many matching paragraphs name an entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EntityCount {
    /// Canonical name.
    pub name: String,
    /// Its kind.
    pub kind: EntityKind,
    /// Matching paragraphs naming it.
    pub count: u64,
}

/// Every entity kind, in display order.
pub(crate) const KINDS: [EntityKind; 5] = [
    EntityKind::Person,
    EntityKind::Organisation,
    EntityKind::Place,
    EntityKind::Event,
    EntityKind::Other,
];

/// Widest span of years counted in a flat array.
const MAX_DENSE_YEARS: u64 = 1 << 16;

/// Years and entities counted over the matches of a search, and how many matches there were.
/// Feed it every match once ([`Tally::add`] or [`Tally::add_matches`]), then read it.
pub(crate) struct Tally<'t> {
    matches: usize,
    by: By<'t>,
}

enum By<'t> {
    Columns(Columns),
    Table(Numbered<'t>),
}

/// What a search gives every match it counts: a [`Tally`], or a list of the matches to tally
/// later.
pub(crate) trait MatchSink {
    /// Takes `doc` of segment `segment`, a match. A segment's matches come in increasing
    /// order, as every scorer gives them.
    fn add(&mut self, segment: SegmentOrdinal, doc: DocId);
}

impl MatchSink for Tally<'_> {
    fn add(&mut self, segment: SegmentOrdinal, doc: DocId) {
        self.matches += 1;
        match &mut self.by {
            By::Columns(columns) => columns.add(segment, doc),
            By::Table(numbered) => numbered.add(segment, doc),
        }
    }
}

impl MatchSink for Vec<(SegmentOrdinal, DocId)> {
    fn add(&mut self, segment: SegmentOrdinal, doc: DocId) {
        self.push((segment, doc));
    }
}

impl<'t> Tally<'t> {
    /// An empty tally over `searcher`'s segments, counting by `table` if it numbers them.
    pub(crate) fn new(searcher: &Searcher, table: Option<&'t FacetTable>) -> tantivy::Result<Self> {
        let by = match table.filter(|table| table.covers(searcher)) {
            Some(table) => By::Table(Numbered {
                table,
                counts: table.take_counts(),
                pending: Vec::with_capacity(PENDING_BLOCK),
                pending_segment: 0,
                numbers: Vec::new(),
            }),
            None => By::Columns(Columns::new(searcher)?),
        };
        Ok(Tally { matches: 0, by })
    }

    /// Counts the matches of `weight` (built without scoring) in segment `segment`, deleted
    /// documents left out.
    pub(crate) fn add_matches(
        &mut self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
        weight: &dyn Weight,
    ) -> tantivy::Result<()> {
        let alive = reader.alive_bitset();
        weight.for_each_no_score(reader, &mut |docs| {
            for &doc in docs {
                if alive.is_none_or(|alive| alive.is_alive(doc)) {
                    self.add(segment, doc);
                }
            }
        })
    }

    /// How many matching paragraphs were counted.
    pub(crate) fn matches(&self) -> usize {
        self.matches
    }

    /// The counts as [`Facets`], keeping [`TOP_ENTITIES_PER_KIND`] entities of each kind.
    pub(crate) fn facets(&mut self) -> tantivy::Result<Facets> {
        match &mut self.by {
            By::Columns(columns) => columns.facets(TOP_ENTITIES_PER_KIND),
            By::Table(numbered) => Ok(numbered.facets(TOP_ENTITIES_PER_KIND)),
        }
    }

    /// Every entity of `kinds` named by a match, with its count, most named first within a
    /// kind (ties by name).
    pub(crate) fn entities(&mut self, kinds: &[EntityKind]) -> tantivy::Result<Vec<EntityCount>> {
        match &mut self.by {
            By::Columns(columns) => columns.entities(kinds),
            By::Table(numbered) => Ok(numbered.entities(kinds)),
        }
    }
}

/// Counting from the columns: one segment's columns and counts.
struct SegmentTally {
    years: Column<i64>,
    /// `None` where no paragraph of the segment names an entity.
    entities: Option<StrColumn>,
    /// Matches per term ordinal of `entities`.
    counts: Vec<u32>,
    /// One bit per term ordinal, set for those counted at least once: what is read back, in
    /// ordinal order, so that reading the counts walks memory forward.
    touched: Bits,
}

/// Counting from the columns, for a search that counts facets once.
struct Columns {
    segments: Vec<SegmentTally>,
    /// Matching paragraphs per year from `first_year` on (for a span up to
    /// [`MAX_DENSE_YEARS`]), and in `sparse_years` beyond it.
    years: Vec<u64>,
    first_year: i64,
    sparse_years: BTreeMap<i64, u64>,
    /// Matches of segment `pending_segment` not yet read from its columns (see
    /// [`Columns::add`]).
    pending: Vec<DocId>,
    pending_segment: SegmentOrdinal,
    scratch: Scratch,
}

/// How many matches [`Columns::add`] buffers before reading their columns.
const PENDING_BLOCK: usize = 512;

/// Buffers reused by every block of matches read.
#[derive(Default)]
struct Scratch {
    docs: Vec<DocId>,
    rows: Vec<u32>,
    years: Vec<i64>,
    ords: Vec<u64>,
}

/// The span of years of `years` columns, if any has one.
fn year_span<'c>(years: impl Iterator<Item = &'c Column<i64>>) -> Option<(i64, i64)> {
    let (mut low, mut high) = (i64::MAX, i64::MIN);
    for years in years {
        if years.num_docs() > 0 && years.max_value() >= years.min_value() {
            low = low.min(years.min_value());
            high = high.max(years.max_value());
        }
    }
    (low <= high).then_some((low, high))
}

impl Columns {
    fn new(searcher: &Searcher) -> tantivy::Result<Columns> {
        let mut segments = Vec::with_capacity(searcher.segment_readers().len());
        for reader in searcher.segment_readers() {
            let years = reader.fast_fields().i64(schema::YEARS)?;
            let entities = reader.fast_fields().str(schema::ENTITY)?;
            let terms = num_terms(entities.as_ref());
            segments.push(SegmentTally {
                years,
                entities,
                counts: vec![0; terms],
                touched: Bits::new(terms),
            });
        }
        let span = year_span(segments.iter().map(|segment| &segment.years))
            .filter(|(low, high)| high.abs_diff(*low) < MAX_DENSE_YEARS);
        Ok(Columns {
            segments,
            years: span.map_or_else(Vec::new, |(low, high)| {
                vec![0; high.abs_diff(low) as usize + 1]
            }),
            first_year: span.map_or(0, |(low, _)| low),
            sparse_years: BTreeMap::new(),
            pending: Vec::with_capacity(PENDING_BLOCK),
            pending_segment: 0,
            scratch: Scratch::default(),
        })
    }

    /// Buffers `doc`: matches are read from the columns a block at a time, which costs a
    /// fraction of reading them one by one.
    fn add(&mut self, segment: SegmentOrdinal, doc: DocId) {
        if segment as usize >= self.segments.len() {
            return;
        }
        if segment != self.pending_segment || self.pending.len() == PENDING_BLOCK {
            self.flush();
            self.pending_segment = segment;
        }
        self.pending.push(doc);
    }

    /// Reads the years and entities of the buffered matches into the counts.
    fn flush(&mut self) {
        let Some(tally) = self.segments.get_mut(self.pending_segment as usize) else {
            self.pending.clear();
            return;
        };
        let scratch = &mut self.scratch;
        scratch.docs.clear();
        scratch.rows.clear();
        tally
            .years
            .row_ids_for_docs(&self.pending, &mut scratch.docs, &mut scratch.rows);
        scratch.years.resize(scratch.rows.len(), 0);
        tally
            .years
            .values
            .get_vals(&scratch.rows, &mut scratch.years);
        for &year in &scratch.years {
            let slot = year
                .checked_sub(self.first_year)
                .and_then(|offset| usize::try_from(offset).ok())
                .and_then(|offset| self.years.get_mut(offset));
            match slot {
                Some(count) => *count += 1,
                None => *self.sparse_years.entry(year).or_insert(0) += 1,
            }
        }
        if let Some(entities) = &tally.entities {
            let ords = entities.ords();
            scratch.docs.clear();
            scratch.rows.clear();
            ords.row_ids_for_docs(&self.pending, &mut scratch.docs, &mut scratch.rows);
            scratch.ords.resize(scratch.rows.len(), 0);
            ords.values.get_vals(&scratch.rows, &mut scratch.ords);
            for &ord in &scratch.ords {
                let Ok(ord) = u32::try_from(ord) else {
                    continue;
                };
                if let Some(count) = tally.counts.get_mut(ord as usize) {
                    if *count == 0 {
                        tally.touched.set(ord as usize);
                    }
                    *count += 1;
                }
            }
        }
        self.pending.clear();
    }

    fn facets(&mut self, n: usize) -> tantivy::Result<Facets> {
        self.flush();
        let mut years: BTreeMap<i32, u64> = BTreeMap::new();
        let dense = (self.first_year..).zip(&self.years);
        for (year, &count) in dense.chain(self.sparse_years.iter().map(|(y, c)| (*y, c))) {
            if let (Ok(year), true) = (i32::try_from(year), count > 0) {
                *years.entry(year).or_insert(0) += count;
            }
        }
        let mut entities = Vec::new();
        for kind in KINDS {
            entities.extend(self.top_of_kind(kind, n)?);
        }
        Ok(Facets { years, entities })
    }

    /// Every entity of `kinds` named by a match, with its count, most named first within a
    /// kind (ties by name).
    pub(crate) fn entities(&mut self, kinds: &[EntityKind]) -> tantivy::Result<Vec<EntityCount>> {
        self.flush();
        let mut totals: HashMap<String, u64> = HashMap::new();
        for segment in &self.segments {
            let Some(column) = &segment.entities else {
                continue;
            };
            let counted: Vec<u64> = segment
                .touched
                .ones(0..segment.counts.len())
                .map(|ord| ord as u64)
                .collect();
            let mut counts = counted.iter().map(|&ord| segment.counts[ord as usize]);
            column
                .dictionary()
                .sorted_ords_to_term_cb(&counted, |term| {
                    if let (Ok(value), Some(count)) = (std::str::from_utf8(term), counts.next()) {
                        *totals.entry(value.to_string()).or_insert(0) += u64::from(count);
                    }
                })?;
        }
        let mut out = Vec::new();
        for &kind in kinds {
            let mut of_kind: Vec<EntityCount> = totals
                .iter()
                .filter_map(|(value, &count)| {
                    let (value_kind, name) = parse_entity_value(value)?;
                    (value_kind == kind).then(|| EntityCount {
                        name: name.to_string(),
                        kind,
                        count,
                    })
                })
                .collect();
            of_kind.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
            out.extend(of_kind);
        }
        Ok(out)
    }

    /// The `n` entities of `kind` named by the most matches, most first, ties by name: the
    /// threshold algorithm over the segments' counts. Each segment lists its counted entities
    /// of the kind, most counted first; the lists are read in step, one rank at a time, and
    /// each entity met is spelled out and given its exact total, looked up in every other
    /// segment's dictionary. An entity not met yet is counted at most the sum of the counts at
    /// the current rank, so once the `n`-th best total beats that sum, the top is final.
    fn top_of_kind(&self, kind: EntityKind, n: usize) -> tantivy::Result<Vec<EntityCount>> {
        let (first, past) = entity_kind_range(kind);
        let mut lists: Vec<RankedList> = Vec::with_capacity(self.segments.len());
        for segment in &self.segments {
            let Some(column) = &segment.entities else {
                lists.push(RankedList::new(Vec::new()));
                continue;
            };
            let (low, high) = column
                .dictionary()
                .term_bounds_to_ord(Bound::Included(&first), Bound::Excluded(&past))?;
            let end = segment.counts.len() as u64;
            let low = match low {
                Bound::Included(ord) => ord,
                Bound::Excluded(ord) => ord.saturating_add(1),
                Bound::Unbounded => 0,
            }
            .min(end);
            let high = match high {
                Bound::Included(ord) => ord.saturating_add(1),
                Bound::Excluded(ord) => ord,
                Bound::Unbounded => end,
            }
            .min(end);
            lists.push(RankedList::new(
                segment
                    .touched
                    .ones(low as usize..high as usize)
                    .map(|ord| (segment.counts[ord], ord as u64))
                    .collect(),
            ));
        }
        let mut totals: HashMap<String, u64> = HashMap::new();
        let mut bytes = Vec::new();
        let mut best: Vec<(u64, String)> = Vec::new();
        for rank in 0.. {
            let mut bound = 0u64;
            let mut any = false;
            for (s, list) in lists.iter_mut().enumerate() {
                let Some((count, ord)) = list.get(rank) else {
                    continue;
                };
                any = true;
                bound += u64::from(count);
                let Some(column) = &self.segments[s].entities else {
                    continue;
                };
                bytes.clear();
                if !column.dictionary().ord_to_term(ord, &mut bytes)? {
                    continue;
                }
                let Ok(value) = std::str::from_utf8(&bytes) else {
                    continue;
                };
                if totals.contains_key(value) {
                    continue;
                }
                let mut total = 0u64;
                for (t, segment) in self.segments.iter().enumerate() {
                    total += if t == s {
                        u64::from(count)
                    } else {
                        self.count_in(segment, &bytes)?
                    };
                }
                totals.insert(value.to_string(), total);
                best.push((total, value.to_string()));
                keep_best(&mut best, n);
            }
            // Strictly above: an unseen entity with the same count and an earlier name would
            // still come first.
            let settled = best.len() == n && best.last().is_some_and(|(total, _)| *total > bound);
            if !any || settled {
                break;
            }
        }
        Ok(best
            .into_iter()
            .filter_map(|(count, value)| {
                let (_, name) = parse_entity_value(&value)?;
                Some(EntityCount {
                    name: name.to_string(),
                    kind,
                    count,
                })
            })
            .collect())
    }

    /// How many matches of `segment` name the entity `value`.
    fn count_in(&self, segment: &SegmentTally, value: &[u8]) -> tantivy::Result<u64> {
        let Some(column) = &segment.entities else {
            return Ok(0);
        };
        Ok(column
            .dictionary()
            .term_ord(value)?
            .and_then(|ord| segment.counts.get(usize::try_from(ord).ok()?))
            .map_or(0, |&count| u64::from(count)))
    }
}

/// Every entity and year of an index's segments numbered once across them, and every
/// paragraph's numbers, decoded: what a long-lived index counts facets with.
///
/// Entities take the numbers `0..entities`, in name order (so ties by number are ties by name,
/// and each kind is one range); years follow, one number per year from `first_year` on.
/// Building it streams every segment's entity dictionary and reads both columns whole, where
/// a count from the columns spells out a few dozen entries and reads the matches' rows only:
/// it pays from the second count on, which is when `Generation::facet_table` builds it. For
/// the Wikipedia slice of `benches/` (458,848 paragraphs, 503,210 entities and 1,101 years, 2.8
/// million values in all) it takes 130–200 ms and holds about 40 MB.
pub(crate) struct FacetTable {
    /// The segments it numbers, in the searcher's order.
    segments: Vec<SegmentId>,
    /// Per segment, each paragraph's numbers: those of paragraph `d` are
    /// `numbers[starts[d]..starts[d + 1]]` of its [`Paragraphs`].
    docs: Vec<Paragraphs>,
    /// The entity values (`kind:Name`), one after the other, and where each starts (one extra
    /// end).
    values: String,
    starts: Vec<usize>,
    /// The numbers of each kind of [`KINDS`], in the same order.
    kinds: Vec<Range<u32>>,
    /// The year numbered [`FacetTable::entities`], the first number after the entities.
    first_year: i64,
    /// How many numbers there are, entities and years.
    len: usize,
    /// Count arrays given back by finished tallies, all zero.
    spare: Mutex<Vec<Counts>>,
}

/// The most memory a [`FacetTable`]'s paragraphs may take; a larger index counts from the
/// columns (an index about 25 times the Wikipedia slice of `benches/`).
const MAX_TABLE_BYTES: u64 = 1 << 30;

/// One segment's paragraphs as numbers (see [`FacetTable::docs`]).
struct Paragraphs {
    starts: Vec<u32>,
    numbers: Vec<u32>,
}

/// Matches per number, and the numbers counted at least once, in the order first met.
#[derive(Default)]
struct Counts {
    totals: Vec<u32>,
    touched: Vec<u32>,
}

/// Counting by a [`FacetTable`]. Dropping it clears its counts (only the entries it touched)
/// and gives them back to the table for the next count.
struct Numbered<'t> {
    table: &'t FacetTable,
    counts: Counts,
    /// Matches of segment `pending_segment` not counted yet (see [`Numbered::flush`]).
    pending: Vec<DocId>,
    pending_segment: SegmentOrdinal,
    /// The pending matches' numbers, gathered.
    numbers: Vec<u32>,
}

impl FacetTable {
    /// Numbers the entities and years of `searcher`'s segments and reads every paragraph's;
    /// an error if its paragraphs would take more than [`MAX_TABLE_BYTES`], a number would
    /// not fit in 32 bits or the years span more than [`MAX_DENSE_YEARS`].
    pub(crate) fn build(searcher: &Searcher) -> tantivy::Result<FacetTable> {
        let too_many = || tantivy::TantivyError::InternalError("too many facet values".into());
        let readers = searcher.segment_readers();
        let entity_columns = readers
            .iter()
            .map(|reader| reader.fast_fields().str(schema::ENTITY))
            .collect::<tantivy::Result<Vec<Option<StrColumn>>>>()?;
        let year_columns = readers
            .iter()
            .map(|reader| reader.fast_fields().i64(schema::YEARS))
            .collect::<tantivy::Result<Vec<Column<i64>>>>()?;
        let values_read: u64 = readers
            .iter()
            .zip(&entity_columns)
            .zip(&year_columns)
            .map(|((reader, entities), years)| {
                let entities = entities.as_ref().map_or(0, |c| c.ords().values.num_vals());
                u64::from(reader.max_doc())
                    + u64::from(entities)
                    + u64::from(years.values.num_vals())
            })
            .sum();
        if values_read.saturating_mul(4) > MAX_TABLE_BYTES {
            return Err(tantivy::TantivyError::InternalError(
                "too large a facet table: counting from the columns".into(),
            ));
        }
        let (values, starts, ord_numbers) = number_entities(&entity_columns)?;
        let entities = starts.len() - 1;
        let (first_year, years) = match year_span(year_columns.iter()) {
            Some((low, high)) if high.abs_diff(low) < MAX_DENSE_YEARS => {
                (low, high.abs_diff(low) as usize + 1)
            }
            Some(_) => return Err(too_many()),
            None => (0, 0),
        };
        let len = entities.checked_add(years).ok_or_else(too_many)?;
        u32::try_from(len).map_err(|_| too_many())?;
        let segment_paragraphs = |segment: usize| {
            paragraphs(
                readers[segment].max_doc(),
                entity_columns[segment].as_ref().map(|column| column.ords()),
                &ord_numbers[segment],
                &year_columns[segment],
                |year| {
                    // Within `len`, which fits in 32 bits: checked above.
                    (entities as i64 + (year - first_year)) as u32
                },
            )
        };
        // Segments are read side by side: the search that builds the table waits for it.
        let docs = (0..readers.len())
            .into_par_iter()
            .map(segment_paragraphs)
            .collect::<tantivy::Result<Vec<Paragraphs>>>()?;
        let mut table = FacetTable {
            segments: readers.iter().map(SegmentReader::segment_id).collect(),
            docs,
            values,
            starts,
            kinds: Vec::new(),
            first_year,
            len,
            spare: Mutex::new(Vec::new()),
        };
        let first_not_below = |bound: &str| -> u32 {
            let (mut low, mut high) = (0u32, entities as u32);
            while low < high {
                let mid = low + (high - low) / 2;
                if table.value(mid) < bound {
                    low = mid + 1;
                } else {
                    high = mid;
                }
            }
            low
        };
        table.kinds = KINDS
            .into_iter()
            .map(|kind| {
                let (first, past) = entity_kind_range(kind);
                first_not_below(&first)..first_not_below(&past)
            })
            .collect();
        Ok(table)
    }

    /// How many entities it numbers.
    fn entities(&self) -> usize {
        self.starts.len() - 1
    }

    /// The value (`kind:Name`) of entity number `number`.
    fn value(&self, number: u32) -> &str {
        let number = number as usize;
        &self.values[self.starts[number]..self.starts[number + 1]]
    }

    /// Whether it numbers the segments of `searcher`.
    fn covers(&self, searcher: &Searcher) -> bool {
        self.segments.len() == searcher.segment_readers().len()
            && self
                .segments
                .iter()
                .zip(searcher.segment_readers())
                .all(|(id, reader)| *id == reader.segment_id())
    }

    /// Zeroed counts: a finished tally's, or new ones.
    fn take_counts(&self) -> Counts {
        let spare = self.spare.lock().ok().and_then(|mut spare| spare.pop());
        spare.unwrap_or_else(|| Counts {
            totals: vec![0; self.len],
            touched: Vec::new(),
        })
    }
}

/// A segment's paragraphs as numbers: each one's entities, numbered by `ord_numbers` from
/// their ordinals in `entities`, then its years, numbered by `year_number`.
fn paragraphs(
    max_doc: DocId,
    entities: Option<&Column<u64>>,
    ord_numbers: &[u32],
    years: &Column<i64>,
    year_number: impl Fn(i64) -> u32,
) -> tantivy::Result<Paragraphs> {
    let mut ords = Vec::new();
    if let Some(column) = entities {
        ords.resize(column.values.num_vals() as usize, 0);
        column.values.get_range(0, &mut ords);
    }
    let mut year_values = vec![0; years.values.num_vals() as usize];
    years.values.get_range(0, &mut year_values);
    let mut paragraphs = Paragraphs {
        starts: Vec::with_capacity(max_doc as usize + 1),
        numbers: Vec::with_capacity(ords.len() + year_values.len()),
    };
    paragraphs.starts.push(0);
    for doc in 0..max_doc {
        if let Some(column) = entities {
            let rows = column.index.value_row_ids(doc);
            let of_doc = ords.get(rows.start as usize..rows.end as usize);
            let numbered = of_doc.unwrap_or_default().iter();
            paragraphs
                .numbers
                .extend(numbered.filter_map(|&ord| ord_numbers.get(ord as usize)));
        }
        let rows = years.index.value_row_ids(doc);
        let of_doc = year_values.get(rows.start as usize..rows.end as usize);
        let numbered = of_doc.unwrap_or_default().iter();
        paragraphs
            .numbers
            .extend(numbered.map(|&year| year_number(year)));
        let end = u32::try_from(paragraphs.numbers.len()).map_err(|_| {
            tantivy::TantivyError::InternalError("too many facet values in a segment".into())
        })?;
        paragraphs.starts.push(end);
    }
    Ok(paragraphs)
}

/// Numbers the entities of a searcher's entity columns in name order: a merge of the segments'
/// sorted dictionaries. Gives the values, where each starts, and per segment the number of
/// each term ordinal.
fn number_entities(
    columns: &[Option<StrColumn>],
) -> tantivy::Result<(String, Vec<usize>, Vec<Vec<u32>>)> {
    let mut numbers: Vec<Vec<u32>> = columns
        .iter()
        .map(|column| vec![0; num_terms(column.as_ref())])
        .collect();
    let mut heads = Vec::new();
    for (segment, column) in columns.iter().enumerate() {
        if let Some(column) = column {
            let mut stream = column.dictionary().stream()?;
            if stream.advance() {
                heads.push((segment, stream));
            }
        }
    }
    let mut values = String::new();
    let mut starts = vec![0];
    let mut key = Vec::new();
    // Each step takes the smallest key, and numbers it in every segment that holds it.
    while let Some(smallest) = heads.iter().map(|(_, stream)| stream.key()).min() {
        key.clear();
        key.extend_from_slice(smallest);
        let number = u32::try_from(starts.len() - 1)
            .map_err(|_| tantivy::TantivyError::InternalError("more than 2^32 entities".into()))?;
        values.push_str(&String::from_utf8_lossy(&key));
        starts.push(values.len());
        heads.retain_mut(|(segment, stream)| {
            if stream.key() != key.as_slice() {
                return true;
            }
            if let Some(slot) = usize::try_from(stream.term_ord())
                .ok()
                .and_then(|ord| numbers[*segment].get_mut(ord))
            {
                *slot = number;
            }
            stream.advance()
        });
    }
    Ok((values, starts, numbers))
}

impl Numbered<'_> {
    /// Buffers `doc`, as [`Columns::add`] does, though here for another reason: a match's
    /// numbers are two reads that miss the cache (where they start, then the numbers) and a
    /// count per number that often does too. A block of matches at a time, the first two are
    /// asked of memory for the whole block before any is read, so the processor has many
    /// under way at once; match by match, each waits for the one before (prefetching cut the
    /// tally's time by about a fifth on the Wikipedia slice).
    fn add(&mut self, segment: SegmentOrdinal, doc: DocId) {
        if segment != self.pending_segment || self.pending.len() == PENDING_BLOCK {
            self.flush();
            self.pending_segment = segment;
        }
        self.pending.push(doc);
    }

    fn flush(&mut self) {
        let gathered = &mut self.numbers;
        gathered.clear();
        if let Some(paragraphs) = self.table.docs.get(self.pending_segment as usize) {
            // Where each match's numbers start, then the numbers, asked of memory for the
            // whole block before any is read.
            for &doc in &self.pending {
                prefetch(paragraphs.starts.get(doc as usize));
            }
            for &doc in &self.pending {
                let start = paragraphs.starts.get(doc as usize);
                prefetch(start.and_then(|&start| paragraphs.numbers.get(start as usize)));
            }
            let ranges = self.pending.iter().filter_map(|&doc| {
                let doc = doc as usize;
                Some((
                    *paragraphs.starts.get(doc)?,
                    *paragraphs.starts.get(doc + 1)?,
                ))
            });
            for (start, end) in ranges {
                let of_doc = paragraphs.numbers.get(start as usize..end as usize);
                // A paragraph names a few: a loop beats a call to copy them.
                for &number in of_doc.unwrap_or_default() {
                    gathered.push(number);
                }
            }
        }
        self.pending.clear();
        let counts = &mut self.counts;
        for &number in gathered.iter() {
            if let Some(total) = counts.totals.get_mut(number as usize) {
                if *total == 0 {
                    counts.touched.push(number);
                }
                *total += 1;
            }
        }
    }

    /// The counted entities of each kind of [`KINDS`] as (count, number), and the counted
    /// years: one pass over what was counted.
    fn counted(&mut self) -> (ByKind, BTreeMap<i32, u64>) {
        self.flush();
        let table = self.table;
        let entities = table.entities() as u32;
        let mut of_kind: ByKind = Default::default();
        let mut years = BTreeMap::new();
        // Read first, all at once: reads that miss the cache, independent of one another, go
        // faster alone than one by one between the branches below.
        let totals = &self.counts.totals;
        let counted: Vec<(u32, u32)> = self
            .counts
            .touched
            .iter()
            .filter_map(|&number| Some((*totals.get(number as usize)?, number)))
            .collect();
        for (count, number) in counted {
            if number >= entities {
                let year = table.first_year + i64::from(number - entities);
                if let Ok(year) = i32::try_from(year) {
                    years.insert(year, u64::from(count));
                }
            } else if let Some(kind) = table.kinds.iter().position(|r| r.contains(&number)) {
                of_kind[kind].push((count, number));
            }
        }
        (of_kind, years)
    }

    fn entity_count(&self, kind: EntityKind, (count, number): (u32, u32)) -> Option<EntityCount> {
        let (_, name) = parse_entity_value(self.table.value(number))?;
        Some(EntityCount {
            name: name.to_string(),
            kind,
            count: u64::from(count),
        })
    }

    fn facets(&mut self, n: usize) -> Facets {
        let (of_kind, years) = self.counted();
        let mut top = Vec::new();
        for (kind, mut counted) in KINDS.into_iter().zip(of_kind) {
            if counted.len() > n && n > 0 {
                counted.select_nth_unstable_by(n - 1, most_first);
            }
            counted.truncate(n);
            counted.sort_unstable_by(most_first);
            top.extend(
                counted
                    .into_iter()
                    .filter_map(|counted| self.entity_count(kind, counted)),
            );
        }
        Facets {
            years,
            entities: top,
        }
    }

    fn entities(&mut self, kinds: &[EntityKind]) -> Vec<EntityCount> {
        let (mut of_kind, _) = self.counted();
        let mut out = Vec::new();
        for &kind in kinds {
            let Some(i) = KINDS.iter().position(|&k| k == kind) else {
                continue;
            };
            let mut counted = std::mem::take(&mut of_kind[i]);
            counted.sort_unstable_by(most_first);
            out.extend(
                counted
                    .into_iter()
                    .filter_map(|counted| self.entity_count(kind, counted)),
            );
        }
        out
    }
}

/// Per kind of [`KINDS`], (count, entity number) pairs.
type ByKind = [Vec<(u32, u32)>; KINDS.len()];

/// Most counted first, ties by number (name order).
fn most_first(a: &(u32, u32), b: &(u32, u32)) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then(a.1.cmp(&b.1))
}

impl Drop for Numbered<'_> {
    fn drop(&mut self) {
        let mut counts = std::mem::take(&mut self.counts);
        for &number in &counts.touched {
            if let Some(total) = counts.totals.get_mut(number as usize) {
                *total = 0;
            }
        }
        counts.touched.clear();
        if let Ok(mut spare) = self.table.spare.lock() {
            spare.push(counts);
        }
    }
}

/// Entities in a segment's entity column (none without one).
fn num_terms(column: Option<&StrColumn>) -> usize {
    column.map_or(0, |column| column.dictionary().num_terms())
}

/// A set of small numbers, one bit each.
struct Bits(Vec<u64>);

impl Bits {
    /// An empty set for numbers below `len`.
    fn new(len: usize) -> Bits {
        Bits(vec![0; len.div_ceil(64)])
    }

    fn set(&mut self, i: usize) {
        if let Some(word) = self.0.get_mut(i / 64) {
            *word |= 1 << (i % 64);
        }
    }

    /// The numbers of `range` in the set, in increasing order.
    fn ones(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = usize> + '_ {
        let words = self
            .0
            .get(range.start / 64..range.end.div_ceil(64).min(self.0.len()))
            .unwrap_or_default();
        let first = range.start / 64;
        let (start, end) = (range.start, range.end);
        words.iter().enumerate().flat_map(move |(i, &word)| {
            let base = (first + i) * 64;
            let mut word = word;
            std::iter::from_fn(move || {
                let bit = word.trailing_zeros() as usize;
                (word != 0).then(|| {
                    word &= word - 1;
                    base + bit
                })
            })
            .filter(move |n| (start..end).contains(n))
        })
    }
}

/// A segment's `(count, ordinal)` pairs, most counted first (ties by ordinal, which is name
/// order), sorted only as far as they are read: the threshold algorithm reads a few dozen of
/// tens of thousands.
struct RankedList {
    entries: Vec<(u32, u64)>,
    /// `entries[..sorted]` is in order, and holds the best of all.
    sorted: usize,
}

impl RankedList {
    fn new(entries: Vec<(u32, u64)>) -> RankedList {
        RankedList { entries, sorted: 0 }
    }

    /// The entry at `rank`, sorting the next stretch of the list when needed.
    fn get(&mut self, rank: usize) -> Option<(u32, u64)> {
        let order = |a: &(u32, u64), b: &(u32, u64)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        if rank >= self.sorted && rank < self.entries.len() {
            // Twice as far each time, at least 64: the rest is partitioned, not sorted.
            let end = (2 * rank).max(64).min(self.entries.len());
            let rest = &mut self.entries[self.sorted..];
            if end - self.sorted < rest.len() {
                rest.select_nth_unstable_by(end - self.sorted - 1, order);
            }
            self.entries[self.sorted..end].sort_unstable_by(order);
            self.sorted = end;
        }
        self.entries.get(rank).copied()
    }
}

/// Cuts `top` to its best `n` (most counted first, ties by name), sorted.
fn keep_best(top: &mut Vec<(u64, String)>, n: usize) {
    top.sort_unstable_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    top.truncate(n);
}

/// Asks the processor to bring `value` into its cache, if there is one; a hint only.
#[inline(always)]
fn prefetch<T>(value: Option<&T>) {
    #[cfg(target_arch = "x86_64")]
    if let Some(value) = value {
        // SAFETY: a prefetch reads nothing and cannot fault, whatever the address; this one
        // is that of a live reference. SSE, which has it, is part of every x86-64 processor.
        unsafe {
            use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
            _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast::<i8>());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

#[cfg(test)]
mod tests {
    use super::Bits;

    #[test]
    fn bits_list_the_set_numbers_of_a_range_in_order() {
        let mut bits = Bits::new(200);
        for i in [0, 1, 63, 64, 65, 127, 128, 150, 199, 1_000] {
            bits.set(i); // 1,000 is past the set's words: ignored
        }
        let cases: [(std::ops::Range<usize>, &[usize]); 8] = [
            (0..200, &[0, 1, 63, 64, 65, 127, 128, 150, 199]),
            (0..0, &[]),
            (1..64, &[1, 63]),
            (63..65, &[63, 64]),
            (64..128, &[64, 65, 127]),
            (66..127, &[]),
            (128..10_000, &[128, 150, 199]),
            (300..400, &[]),
        ];
        for (range, expected) in cases {
            let got: Vec<usize> = bits.ones(range.clone()).collect();
            assert_eq!(got, expected, "{range:?}");
        }
    }
}
