//! Counts over every matching paragraph: how many cover each year, and which entities they
//! name most.
//!
//! Counting reads the index's columns, never its stored documents: a match's years from the
//! `years` column, its entities as term ordinals of the `entity` column (`kind:Name` values,
//! see `index::doc::entity_value`), counted in one array per segment. Nothing is spelled out
//! until the end, and then only what is shown: the top entities of each kind are found by the
//! threshold algorithm (Fagin et al.) over the segments' counts, which names a few dozen
//! entities where a match set of half a million paragraphs names a hundred thousand. The
//! results are plain maps for the printers.

use crate::extract::entity::EntityKind;
use crate::index::doc::{entity_kind_range, parse_entity_value};
use crate::index::schema;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use tantivy::columnar::{Column, StrColumn};
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
}

/// Years and entities counted over the matches of a search, and how many matches there were.
/// Feed it every match once ([`Tally::add`] or [`Tally::add_matches`]), then read it.
pub(crate) struct Tally {
    segments: Vec<SegmentTally>,
    /// Matching paragraphs per year from `first_year` on (for a span up to
    /// [`MAX_DENSE_YEARS`]), and in `sparse_years` beyond it.
    years: Vec<u64>,
    first_year: i64,
    sparse_years: BTreeMap<i64, u64>,
    matches: usize,
}

impl Tally {
    /// An empty tally over `searcher`'s segments.
    pub(crate) fn new(searcher: &Searcher) -> tantivy::Result<Tally> {
        let mut segments = Vec::with_capacity(searcher.segment_readers().len());
        let (mut low, mut high) = (i64::MAX, i64::MIN);
        for reader in searcher.segment_readers() {
            let years = reader.fast_fields().i64(schema::YEARS)?;
            if years.num_docs() > 0 && years.max_value() >= years.min_value() {
                low = low.min(years.min_value());
                high = high.max(years.max_value());
            }
            let entities = reader.fast_fields().str(schema::ENTITY)?;
            let terms = entities.as_ref().map_or(0, |c| c.dictionary().num_terms());
            segments.push(SegmentTally {
                years,
                entities,
                counts: vec![0; terms],
            });
        }
        let dense = low <= high && high.abs_diff(low) < MAX_DENSE_YEARS;
        Ok(Tally {
            segments,
            years: if dense {
                vec![0; high.abs_diff(low) as usize + 1]
            } else {
                Vec::new()
            },
            first_year: if dense { low } else { 0 },
            sparse_years: BTreeMap::new(),
            matches: 0,
        })
    }

    /// Counts `doc` of segment `segment`, a match.
    pub(crate) fn add(&mut self, segment: SegmentOrdinal, doc: DocId) {
        let Some(tally) = self.segments.get_mut(segment as usize) else {
            return;
        };
        self.matches += 1;
        for year in tally.years.values_for_doc(doc) {
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
            for ord in entities.ords().values_for_doc(doc) {
                if let Some(count) = usize::try_from(ord)
                    .ok()
                    .and_then(|ord| tally.counts.get_mut(ord))
                {
                    *count += 1;
                }
            }
        }
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
    pub(crate) fn facets(&self) -> tantivy::Result<Facets> {
        let mut years: BTreeMap<i32, u64> = BTreeMap::new();
        let dense = (self.first_year..).zip(&self.years);
        for (year, &count) in dense.chain(self.sparse_years.iter().map(|(y, c)| (*y, c))) {
            if let (Ok(year), true) = (i32::try_from(year), count > 0) {
                *years.entry(year).or_insert(0) += count;
            }
        }
        let mut entities = Vec::new();
        for kind in KINDS {
            entities.extend(self.top_of_kind(kind, TOP_ENTITIES_PER_KIND)?);
        }
        Ok(Facets { years, entities })
    }

    /// Every entity of `kinds` named by a match, with its count, most named first within a
    /// kind (ties by name).
    pub(crate) fn entities(&self, kinds: &[EntityKind]) -> tantivy::Result<Vec<EntityCount>> {
        let mut totals: HashMap<String, u64> = HashMap::new();
        for segment in &self.segments {
            let Some(column) = &segment.entities else {
                continue;
            };
            let counted: Vec<u64> = (0u64..)
                .zip(&segment.counts)
                .filter(|&(_, &count)| count > 0)
                .map(|(ord, _)| ord)
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
                (low..high)
                    .filter_map(|ord| {
                        let count = segment.counts[ord as usize];
                        (count > 0).then_some((count, ord))
                    })
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
