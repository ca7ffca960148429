//! Counts over every matching paragraph: how many cover each year, and which entities they
//! name most.
//!
//! Counting runs inside Tantivy's collectors, over columns (years as numbers, entities as
//! `kind:Name` term ordinals), never over stored documents. The results are plain maps for the
//! printers.

use crate::extract::entity::EntityKind;
use crate::index::doc::parse_entity_value;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentReader;
use tantivy::{DocId, Score, SegmentOrdinal};

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

/// Counts matching documents per value of a multi-valued `i64` fast field.
pub(crate) struct ValueCounts {
    field: String,
}

impl ValueCounts {
    pub(crate) fn for_field(field: &str) -> Self {
        ValueCounts {
            field: field.to_string(),
        }
    }
}

/// Widest value range counted in a flat array; years span about a thousand values.
const MAX_DENSE_RANGE: u64 = 1 << 16;

pub(crate) struct ValueCountsSegment {
    column: Column<i64>,
    /// Counts by `value - min`, when the segment's values span a small range (years do):
    /// an array increment per value instead of a map update, for topics matching half a
    /// million paragraphs.
    dense: Vec<u64>,
    min: i64,
    sparse: BTreeMap<i64, u64>,
}

impl Collector for ValueCounts {
    type Fruit = BTreeMap<i64, u64>;
    type Child = ValueCountsSegment;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<ValueCountsSegment> {
        let column: Column<i64> = reader.fast_fields().i64(&self.field)?;
        let (min, max) = (column.min_value(), column.max_value());
        let span = max.abs_diff(min);
        let dense = if column.num_docs() > 0 && span < MAX_DENSE_RANGE {
            vec![0; span as usize + 1]
        } else {
            Vec::new()
        };
        Ok(ValueCountsSegment {
            column,
            dense,
            min,
            sparse: BTreeMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<BTreeMap<i64, u64>>) -> tantivy::Result<BTreeMap<i64, u64>> {
        let mut total = BTreeMap::new();
        for fruit in fruits {
            for (value, count) in fruit {
                *total.entry(value).or_insert(0) += count;
            }
        }
        Ok(total)
    }
}

impl SegmentCollector for ValueCountsSegment {
    type Fruit = BTreeMap<i64, u64>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for value in self.column.values_for_doc(doc) {
            match self.dense.get_mut(value.abs_diff(self.min) as usize) {
                Some(count) if value >= self.min => *count += 1,
                _ => *self.sparse.entry(value).or_insert(0) += 1,
            }
        }
    }

    fn harvest(self) -> BTreeMap<i64, u64> {
        let mut counts = self.sparse;
        for (offset, &count) in self.dense.iter().enumerate() {
            if count > 0 {
                *counts.entry(self.min + offset as i64).or_insert(0) += count;
            }
        }
        counts
    }
}

/// Matching paragraphs per entity value (`kind:Name`, see `index::doc::entity_value`).
pub(crate) type EntityTally = HashMap<String, u64>;

/// Counts matching paragraphs per entity, from the term ordinals of the entity column: an
/// array increment per entity named, and one dictionary walk per segment for the names.
pub(crate) struct EntityCounts {
    field: String,
}

impl EntityCounts {
    pub(crate) fn for_field(field: &str) -> Self {
        EntityCounts {
            field: field.to_string(),
        }
    }
}

pub(crate) struct EntityCountsSegment {
    /// `None` for a segment where no paragraph names an entity.
    column: Option<StrColumn>,
    counts: Vec<u32>,
}

impl Collector for EntityCounts {
    type Fruit = EntityTally;
    type Child = EntityCountsSegment;

    fn for_segment(
        &self,
        _ord: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<EntityCountsSegment> {
        let column = reader.fast_fields().str(&self.field)?;
        let counts = vec![0; column.as_ref().map_or(0, |c| c.dictionary().num_terms())];
        Ok(EntityCountsSegment { column, counts })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<EntityTally>) -> tantivy::Result<EntityTally> {
        let mut fruits = fruits.into_iter();
        let mut total = fruits.next().unwrap_or_default();
        for fruit in fruits {
            for (value, count) in fruit {
                *total.entry(value).or_insert(0) += count;
            }
        }
        Ok(total)
    }
}

impl SegmentCollector for EntityCountsSegment {
    type Fruit = EntityTally;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(column) = &self.column {
            for ord in column.ords().values_for_doc(doc) {
                if let Some(count) = self.counts.get_mut(ord as usize) {
                    *count += 1;
                }
            }
        }
    }

    fn harvest(self) -> EntityTally {
        let Some(column) = self.column else {
            return EntityTally::new();
        };
        let counted: Vec<(u64, u32)> = (0u64..)
            .zip(self.counts)
            .filter(|&(_, count)| count > 0)
            .collect();
        let ords: Vec<u64> = counted.iter().map(|&(ord, _)| ord).collect();
        let mut tally = EntityTally::with_capacity(counted.len());
        let mut counts = counted.iter().map(|&(_, count)| u64::from(count));
        // A dictionary that cannot be read leaves the counts it could not name out.
        let _ = column.dictionary().sorted_ords_to_term_cb(&ords, |term| {
            if let (Ok(value), Some(count)) = (std::str::from_utf8(term), counts.next()) {
                tally.insert(value.to_string(), count);
            }
        });
        tally
    }
}

/// Every entity kind, in display order.
pub(crate) const KINDS: [EntityKind; 5] = [
    EntityKind::Person,
    EntityKind::Organisation,
    EntityKind::Place,
    EntityKind::Event,
    EntityKind::Other,
];

/// Turns collector output into [`Facets`].
pub(crate) fn to_facets(years: BTreeMap<i64, u64>, entities: &EntityTally) -> Facets {
    let years = years
        .into_iter()
        .filter_map(|(year, count)| Some((i32::try_from(year).ok()?, count)))
        .collect();
    Facets {
        years,
        entities: entity_counts(entities, &KINDS, TOP_ENTITIES_PER_KIND),
    }
}

/// The `per_kind` most frequent entities of each of `kinds`, most frequent first within a kind
/// (ties by name).
pub(crate) fn entity_counts(
    entities: &EntityTally,
    kinds: &[EntityKind],
    per_kind: usize,
) -> Vec<EntityCount> {
    let mut by_kind: HashMap<EntityKind, Vec<EntityCount>> = HashMap::new();
    for (value, &count) in entities {
        if let Some((kind, name)) = parse_entity_value(value) {
            by_kind.entry(kind).or_default().push(EntityCount {
                name: name.to_string(),
                kind,
                count,
            });
        }
    }
    let mut out = Vec::new();
    for kind in kinds {
        let mut counts = by_kind.remove(kind).unwrap_or_default();
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
        counts.truncate(per_kind);
        out.extend(counts);
    }
    out
}
