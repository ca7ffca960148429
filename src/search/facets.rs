//! Counts over every matching paragraph: how many cover each year, and which entities they
//! name most.
//!
//! Counting a half-million-paragraph match set must not wait on memory for every mention, nor
//! spell out entities it will not show. So the first search that asks for facets builds a
//! `FacetTable` from the index's columns (never its stored documents): every entity numbered
//! once across segments, in the facets' byte order (kind, then name), and each paragraph's
//! years and entity numbers packed in plain arrays. A `Tally` then copies the matches'
//! entity numbers into a list, sorts it (radix sort, a few sequential passes), and reads the
//! counts off in one pass, keeping the top of each kind; only those are ever spelled out. The
//! results are plain maps for the printers.

use crate::extract::entity::EntityKind;
use crate::index::schema;
use serde::Serialize;
use std::collections::BTreeMap;
use tantivy::index::{SegmentId, SegmentReader};
use tantivy::query::Weight;
use tantivy::schema::Facet;
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

/// Marks a facet ordinal that is not an entity (a kind's root, `/place`).
const NOT_AN_ENTITY: u32 = u32::MAX;

/// Values per document, packed: document `d`'s are `values[starts[d]..starts[d + 1]]`.
#[derive(Default)]
struct PerDoc<T> {
    starts: Vec<u32>,
    values: Vec<T>,
}

impl<T> PerDoc<T> {
    fn of(&self, doc: DocId) -> &[T] {
        let doc = doc as usize;
        match (self.starts.get(doc), self.starts.get(doc + 1)) {
            (Some(&start), Some(&end)) => &self.values[start as usize..end as usize],
            _ => &[],
        }
    }

    /// Ends the current document's values.
    fn close_doc(&mut self) -> tantivy::Result<()> {
        let end = u32::try_from(self.values.len())
            .map_err(|_| tantivy::TantivyError::InternalError("facet table too large".into()))?;
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        self.starts.push(end);
        Ok(())
    }
}

/// One segment's paragraphs: the entity numbers each names and the years each covers.
struct SegmentFacets {
    id: SegmentId,
    entities: PerDoc<u32>,
    years: PerDoc<i32>,
}

/// The index's entities, numbered once, and every paragraph's entities and years. Numbers follow
/// the facets' byte order: a kind's entities are consecutive, in their names' byte order.
pub(crate) struct FacetTable {
    segments: Vec<SegmentFacets>,
    /// Per entity: its kind, as an index into [`KINDS`].
    kinds: Vec<u8>,
    /// Per entity: the end of its encoded facet in `facets` (each starts where the last ended).
    ends: Vec<usize>,
    facets: Vec<u8>,
    /// The smallest and largest year any paragraph covers.
    year_range: Option<(i32, i32)>,
}

/// The kind of an encoded facet that is an entity (`place\0Torkham`), as an index into
/// [`KINDS`]. Roots (`place`) and facets outside the known kinds are not entities.
fn entity_kind(encoded: &[u8]) -> Option<u8> {
    let mut parts = encoded.split(|&b| b == 0);
    let kind = parts.next()?;
    let _name = parts.next()?;
    if parts.next().is_some() {
        return None;
    }
    let kind = KINDS.iter().position(|k| k.as_str().as_bytes() == kind)?;
    u8::try_from(kind).ok()
}

impl FacetTable {
    /// Reads the entity facet dictionaries of `searcher`'s segments side by side, in byte order,
    /// numbering each distinct entity once; then every paragraph's entities and years.
    pub(crate) fn build(searcher: &Searcher) -> tantivy::Result<FacetTable> {
        let readers = searcher
            .segment_readers()
            .iter()
            .map(|reader| reader.facet_reader(schema::ENTITY))
            .collect::<tantivy::Result<Vec<_>>>()?;
        // Per segment: facet ordinal → entity number.
        let mut numbers: Vec<Vec<u32>> = readers
            .iter()
            .map(|reader| vec![NOT_AN_ENTITY; reader.num_facets()])
            .collect();
        let mut table = FacetTable {
            segments: Vec::new(),
            kinds: Vec::new(),
            ends: Vec::new(),
            facets: Vec::new(),
            year_range: None,
        };
        let mut streams = Vec::with_capacity(readers.len());
        for reader in &readers {
            streams.push(reader.facet_dict().stream()?);
        }
        let mut live: Vec<bool> = streams.iter_mut().map(|stream| stream.advance()).collect();
        let mut current: Vec<u8> = Vec::new();
        loop {
            // The smallest facet the streams stand on; a linear scan, as segments are few.
            let mut smallest: Option<usize> = None;
            for (i, stream) in streams.iter().enumerate() {
                if live[i] && smallest.is_none_or(|s| stream.key() < streams[s].key()) {
                    smallest = Some(i);
                }
            }
            let Some(smallest) = smallest else { break };
            current.clear();
            current.extend_from_slice(streams[smallest].key());
            let number = match entity_kind(&current) {
                Some(kind) => {
                    let number = u32::try_from(table.kinds.len()).map_err(|_| {
                        tantivy::TantivyError::InternalError("too many entities".into())
                    })?;
                    table.kinds.push(kind);
                    table.facets.extend_from_slice(&current);
                    table.ends.push(table.facets.len());
                    number
                }
                None => NOT_AN_ENTITY,
            };
            for (i, stream) in streams.iter_mut().enumerate() {
                if live[i] && stream.key() == current.as_slice() {
                    if let Some(slot) = usize::try_from(stream.term_ord())
                        .ok()
                        .and_then(|ord| numbers[i].get_mut(ord))
                    {
                        *slot = number;
                    }
                    live[i] = stream.advance();
                }
            }
        }
        drop(streams);
        for ((reader, facets), numbers) in searcher
            .segment_readers()
            .iter()
            .zip(&readers)
            .zip(&numbers)
        {
            let years_column = reader.fast_fields().i64(schema::YEARS)?;
            let mut segment = SegmentFacets {
                id: reader.segment_id(),
                entities: PerDoc::default(),
                years: PerDoc::default(),
            };
            for doc in 0..reader.max_doc() {
                let first = segment.entities.values.len();
                for ord in facets.facet_ords(doc) {
                    let number = usize::try_from(ord)
                        .ok()
                        .and_then(|ord| numbers.get(ord))
                        .copied()
                        .unwrap_or(NOT_AN_ENTITY);
                    // A paragraph counts once per entity, however often it names it.
                    if number != NOT_AN_ENTITY
                        && !segment.entities.values[first..].contains(&number)
                    {
                        segment.entities.values.push(number);
                    }
                }
                segment.entities.close_doc()?;
                for year in years_column.values_for_doc(doc) {
                    let Ok(year) = i32::try_from(year) else {
                        continue;
                    };
                    table.year_range = Some(match table.year_range {
                        Some((low, high)) => (low.min(year), high.max(year)),
                        None => (year, year),
                    });
                    segment.years.values.push(year);
                }
                segment.years.close_doc()?;
            }
            table.segments.push(segment);
        }
        Ok(table)
    }

    /// Whether the table was built for exactly `searcher`'s segments.
    pub(crate) fn fits(&self, searcher: &Searcher) -> bool {
        self.segments.len() == searcher.segment_readers().len()
            && self
                .segments
                .iter()
                .zip(searcher.segment_readers())
                .all(|(segment, reader)| segment.id == reader.segment_id())
    }

    /// The name of entity `number` (its facet's last part).
    fn name(&self, number: u32) -> Option<String> {
        let number = number as usize;
        let start = if number == 0 {
            0
        } else {
            self.ends[number - 1]
        };
        let encoded = self.facets.get(start..self.ends[number])?.to_vec();
        let facet = Facet::from_encoded(encoded).ok()?;
        facet.to_path().get(1).map(|name| name.to_string())
    }
}

/// Years and entities counted over the matches of a search, and how many matches there were.
pub(crate) struct Tally<'t> {
    table: &'t FacetTable,
    /// Matching paragraphs per year, from the table's first year on.
    years: Vec<u64>,
    /// The matches' entity numbers, one per match and entity, in no order.
    mentions: Vec<u32>,
    matches: usize,
}

impl<'t> Tally<'t> {
    pub(crate) fn new(table: &'t FacetTable) -> Tally<'t> {
        let span = table
            .year_range
            .map_or(0, |(low, high)| high.abs_diff(low) as usize + 1);
        Tally {
            table,
            years: vec![0; span],
            mentions: Vec::new(),
            matches: 0,
        }
    }

    /// Counts `doc` of segment `segment`, a match.
    pub(crate) fn add(&mut self, segment: SegmentOrdinal, doc: DocId) {
        let Some(facets) = self.table.segments.get(segment as usize) else {
            return;
        };
        self.matches += 1;
        self.mentions.extend_from_slice(facets.entities.of(doc));
        if let Some((low, _)) = self.table.year_range {
            for &year in facets.years.of(doc) {
                if let Some(count) = self.years.get_mut(year.abs_diff(low) as usize) {
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
    pub(crate) fn facets(self) -> Facets {
        let years = match self.table.year_range {
            Some((low, _)) => self
                .years
                .iter()
                .enumerate()
                .filter(|(_, &count)| count > 0)
                .map(|(offset, &count)| (low + offset as i32, count))
                .collect(),
            None => BTreeMap::new(),
        };
        Facets {
            years,
            entities: self.entities(&KINDS, TOP_ENTITIES_PER_KIND),
        }
    }

    /// The `per_kind` entities of each of `kinds` named by the most matches, most first, ties
    /// by name.
    pub(crate) fn entities(mut self, kinds: &[EntityKind], per_kind: usize) -> Vec<EntityCount> {
        let mut scratch = Vec::new();
        radix_sort(&mut self.mentions, &mut scratch);
        // (count, number) per kind; numbers come in increasing order, and so by name.
        let mut by_kind: Vec<Vec<(u32, u32)>> = vec![Vec::new(); KINDS.len()];
        let wanted: Vec<bool> = KINDS.iter().map(|kind| kinds.contains(kind)).collect();
        for run in self.mentions.chunk_by(|a, b| a == b) {
            let number = run[0];
            let kind = usize::from(self.table.kinds[number as usize]);
            if wanted[kind] {
                let count = u32::try_from(run.len()).unwrap_or(u32::MAX);
                let top = &mut by_kind[kind];
                top.push((count, number));
                // Keep the list short: cut it to the best `per_kind` when it doubles.
                if top.len() >= per_kind.max(16).saturating_mul(2) {
                    keep_best(top, per_kind);
                }
            }
        }
        let mut out = Vec::new();
        for &kind in kinds {
            let Some(index) = KINDS.iter().position(|k| *k == kind) else {
                continue;
            };
            let top = &mut by_kind[index];
            keep_best(top, per_kind);
            out.extend(top.iter().filter_map(|&(count, number)| {
                Some(EntityCount {
                    name: self.table.name(number)?,
                    kind,
                    count: u64::from(count),
                })
            }));
        }
        out
    }
}

/// Cuts `top` (count, entity number) to its best `n`, most first, ties by number: by name.
fn keep_best(top: &mut Vec<(u32, u32)>, n: usize) {
    let best = |a: &(u32, u32), b: &(u32, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    if n < top.len() {
        top.select_nth_unstable_by(n, best);
        top.truncate(n);
    }
    top.sort_unstable_by(best);
}

/// Sorts `values` in increasing order, using `scratch` (LSD radix sort, 11 bits a pass, as
/// many passes as the largest value needs).
fn radix_sort(values: &mut Vec<u32>, scratch: &mut Vec<u32>) {
    const BITS: u32 = 11;
    const BUCKETS: usize = 1 << BITS;
    let Some(&max) = values.iter().max() else {
        return;
    };
    let passes = (u32::BITS - max.leading_zeros()).div_ceil(BITS);
    scratch.clear();
    scratch.resize(values.len(), 0);
    for pass in 0..passes {
        let shift = pass * BITS;
        let digit = |v: u32| ((v >> shift) as usize) & (BUCKETS - 1);
        let mut starts = [0usize; BUCKETS];
        for &v in values.iter() {
            starts[digit(v)] += 1;
        }
        let mut sum = 0;
        for start in starts.iter_mut() {
            let count = *start;
            *start = sum;
            sum += count;
        }
        for &v in values.iter() {
            let slot = &mut starts[digit(v)];
            scratch[*slot] = v;
            *slot += 1;
        }
        std::mem::swap(values, scratch);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_known_kinds_with_a_name_are_entities() {
        assert_eq!(entity_kind(b"place\0Torkham"), Some(2));
        assert_eq!(entity_kind(b"person\0Hamid Karzai"), Some(0));
        assert_eq!(entity_kind(b"place"), None);
        assert_eq!(entity_kind(b"planet\0Mars"), None);
        assert_eq!(entity_kind(b"place\0Torkham\0gate"), None);
    }

    #[test]
    fn radix_sort_sorts() {
        let mut scratch = Vec::new();
        for values in [
            vec![],
            vec![5],
            vec![3, 1, 2, 1],
            vec![u32::MAX, 0, 1 << 22, 1 << 11, 7, 1 << 22, 2047, 2048],
        ] {
            let mut sorted = values.clone();
            radix_sort(&mut sorted, &mut scratch);
            let mut expected = values;
            expected.sort_unstable();
            assert_eq!(sorted, expected);
        }
    }
}
