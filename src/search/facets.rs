//! Counts over every matching paragraph: how many cover each year, and which entities they
//! name most.
//!
//! Counting reads the index's columns, never its stored documents: a match's years from the
//! `years` column, its entities as term ordinals of the `entity` column (`kind:Name` values,
//! see `index::doc::entity_value`), counted in one array per segment. Nothing is spelled out
//! until the end, and then only what is shown: the top entities of each kind are found by the
//! threshold algorithm (Fagin et al.) over the segments' counts, which names a few dozen
//! entities where a match set of half a million paragraphs names a hundred thousand. A
//! long-lived index that counts facets more than once numbers its entities across segments
//! once instead ([`EntityTable`]), and adds the segments' counts by number. The results are
//! plain maps for the printers.

use crate::extract::entity::EntityKind;
use crate::index::doc::{entity_kind_range, parse_entity_value};
use crate::index::schema;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
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

/// One segment's columns and counts.
struct SegmentTally {
    years: Column<i64>,
    /// `None` where no paragraph of the segment names an entity.
    entities: Option<StrColumn>,
    /// Matches per term ordinal of `entities`.
    counts: Vec<u32>,
    /// One bit per term ordinal, set for those counted at least once: what is read back, in
    /// ordinal order, so that reading the counts and the entity numbers walks memory forward.
    touched: Bits,
}

/// Years and entities counted over the matches of a search, and how many matches there were.
/// Feed it every match once ([`Tally::add`] or [`Tally::add_matches`]), then read it.
pub(crate) struct Tally {
    segments: Vec<SegmentTally>,
    /// The searcher's segments, in its order: an [`EntityTable`] is only read for the same.
    segment_ids: Vec<SegmentId>,
    /// Matching paragraphs per year from `first_year` on (for a span up to
    /// [`MAX_DENSE_YEARS`]), and in `sparse_years` beyond it.
    years: Vec<u64>,
    first_year: i64,
    sparse_years: BTreeMap<i64, u64>,
    matches: usize,
    /// Matches of segment `pending_segment` not yet read from its columns (see [`Tally::add`]).
    pending: Vec<DocId>,
    pending_segment: SegmentOrdinal,
    scratch: Scratch,
}

/// How many matches [`Tally::add`] buffers before reading their columns.
const PENDING_BLOCK: usize = 512;

/// Buffers reused by every block of matches read.
#[derive(Default)]
struct Scratch {
    docs: Vec<DocId>,
    rows: Vec<u32>,
    years: Vec<i64>,
    ords: Vec<u64>,
}

impl Tally {
    /// An empty tally over `searcher`'s segments.
    pub(crate) fn new(searcher: &Searcher) -> tantivy::Result<Tally> {
        let mut segments = Vec::with_capacity(searcher.segment_readers().len());
        let segment_ids = searcher
            .segment_readers()
            .iter()
            .map(SegmentReader::segment_id)
            .collect();
        let (mut low, mut high) = (i64::MAX, i64::MIN);
        for reader in searcher.segment_readers() {
            let years = reader.fast_fields().i64(schema::YEARS)?;
            if years.num_docs() > 0 && years.max_value() >= years.min_value() {
                low = low.min(years.min_value());
                high = high.max(years.max_value());
            }
            let entities = reader.fast_fields().str(schema::ENTITY)?;
            let terms = num_terms(entities.as_ref());
            segments.push(SegmentTally {
                years,
                entities,
                counts: vec![0; terms],
                touched: Bits::new(terms),
            });
        }
        let dense = low <= high && high.abs_diff(low) < MAX_DENSE_YEARS;
        Ok(Tally {
            segments,
            segment_ids,
            years: if dense {
                vec![0; high.abs_diff(low) as usize + 1]
            } else {
                Vec::new()
            },
            first_year: if dense { low } else { 0 },
            sparse_years: BTreeMap::new(),
            matches: 0,
            pending: Vec::with_capacity(PENDING_BLOCK),
            pending_segment: 0,
            scratch: Scratch::default(),
        })
    }

    /// Counts `doc` of segment `segment`, a match. A segment's matches come in increasing
    /// order, as every scorer gives them; they are buffered and read from the columns a
    /// block at a time, which costs a fraction of reading them one by one.
    pub(crate) fn add(&mut self, segment: SegmentOrdinal, doc: DocId) {
        if segment as usize >= self.segments.len() {
            return;
        }
        self.matches += 1;
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

    /// The counts as [`Facets`], keeping [`TOP_ENTITIES_PER_KIND`] entities of each kind; with
    /// `table` (of the same searcher), by entity number rather than by name.
    pub(crate) fn facets(&mut self, table: Option<&EntityTable>) -> tantivy::Result<Facets> {
        self.flush();
        let mut years: BTreeMap<i32, u64> = BTreeMap::new();
        let dense = (self.first_year..).zip(&self.years);
        for (year, &count) in dense.chain(self.sparse_years.iter().map(|(y, c)| (*y, c))) {
            if let (Ok(year), true) = (i32::try_from(year), count > 0) {
                *years.entry(year).or_insert(0) += count;
            }
        }
        let table = table.filter(|table| table.fits(self));
        let mut entities = Vec::new();
        match table {
            Some(table) => entities = self.top_by_number(table, TOP_ENTITIES_PER_KIND),
            None => {
                for kind in KINDS {
                    entities.extend(self.top_of_kind(kind, TOP_ENTITIES_PER_KIND)?);
                }
            }
        }
        Ok(Facets { years, entities })
    }

    /// The `n` entities of each kind named by the most matches, most first, ties by name: the
    /// segments' counts added up by entity number, then the best of each kind's numbers.
    fn top_by_number(&self, table: &EntityTable, n: usize) -> Vec<EntityCount> {
        let mut totals = vec![0u32; table.len()];
        let mut touched = Bits::new(table.len());
        for (segment, numbers) in self.segments.iter().zip(&table.numbers) {
            for ord in segment.touched.ones(0..segment.counts.len()) {
                let count = segment.counts[ord];
                let Some(&number) = numbers.get(ord) else {
                    continue;
                };
                if let Some(total) = totals.get_mut(number as usize) {
                    touched.set(number as usize);
                    *total = total.saturating_add(count);
                }
            }
        }
        let mut out = Vec::new();
        for (kind, range) in KINDS.into_iter().zip(&table.kinds) {
            let mut counted: Vec<(u32, u32)> = touched
                .ones(range.start as usize..range.end as usize)
                .map(|number| (totals[number], number as u32))
                .collect();
            // Numbers are in name order, so ties by number are ties by name.
            let order = |a: &(u32, u32), b: &(u32, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
            if counted.len() > n && n > 0 {
                counted.select_nth_unstable_by(n - 1, order);
            }
            counted.truncate(n);
            counted.sort_unstable_by(order);
            out.extend(counted.into_iter().filter_map(|(count, number)| {
                let (_, name) = parse_entity_value(table.value(number))?;
                Some(EntityCount {
                    name: name.to_string(),
                    kind,
                    count: u64::from(count),
                })
            }));
        }
        out
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

/// Every entity named in an index's segments, numbered once across them in name order, so
/// that counts from different segments add up by number instead of by name.
///
/// Building it streams every segment's entity dictionary whole, where one count by name
/// spells out a few dozen entries; a long-lived index that counts facets again and again
/// then saves, on each count, spelling out and looking up entities across segments. See
/// `Generation::entity_table` for when it is built.
pub(crate) struct EntityTable {
    /// The segments it numbers, in the searcher's order.
    segments: Vec<SegmentId>,
    /// Per segment, the number of each of its entity term ordinals.
    numbers: Vec<Vec<u32>>,
    /// The values (`kind:Name`), one after the other, and where each starts (one extra end).
    values: String,
    starts: Vec<usize>,
    /// The numbers of each kind of [`KINDS`], in the same order.
    kinds: Vec<std::ops::Range<u32>>,
}

impl EntityTable {
    /// Numbers the entities of `searcher`'s segments.
    pub(crate) fn build(searcher: &Searcher) -> tantivy::Result<EntityTable> {
        let readers = searcher.segment_readers();
        let columns = readers
            .iter()
            .map(|reader| reader.fast_fields().str(schema::ENTITY))
            .collect::<tantivy::Result<Vec<Option<StrColumn>>>>()?;
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
        // A merge of the segments' sorted dictionaries: each step takes the smallest key.
        while let Some(smallest) = heads.iter().map(|(_, stream)| stream.key()).min() {
            key.clear();
            key.extend_from_slice(smallest);
            let number = u32::try_from(starts.len() - 1).map_err(|_| {
                tantivy::TantivyError::InternalError("more than 2^32 entities".into())
            })?;
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
        let mut table = EntityTable {
            segments: readers.iter().map(SegmentReader::segment_id).collect(),
            numbers,
            values,
            starts,
            kinds: Vec::new(),
        };
        let first_not_below = |bound: &str| -> u32 {
            let (mut low, mut high) = (0u32, table.len() as u32);
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
        let kinds = KINDS
            .into_iter()
            .map(|kind| {
                let (first, past) = entity_kind_range(kind);
                first_not_below(&first)..first_not_below(&past)
            })
            .collect();
        table.kinds = kinds;
        Ok(table)
    }

    /// How many entities it numbers.
    fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// The value (`kind:Name`) numbered `number`.
    fn value(&self, number: u32) -> &str {
        let number = number as usize;
        &self.values[self.starts[number]..self.starts[number + 1]]
    }

    /// Whether it numbers the segments `tally` counts.
    fn fits(&self, tally: &Tally) -> bool {
        self.segments == tally.segment_ids
            && self
                .numbers
                .iter()
                .zip(&tally.segments)
                .all(|(numbers, segment)| numbers.len() == segment.counts.len())
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
