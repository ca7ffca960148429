//! Maps a paragraph and what was extracted from it to a Tantivy document.
//!
//! The only place where domain types become index values; the encodings chosen here (months
//! as `YYYYMM`, days as `YYYYMMDD`, ranges as `start/end`) are read back by `search`.

use super::schema::Fields;
use crate::corpus::Paragraph;
use crate::extract::date::DateMention;
use crate::extract::entity::{lookup_key, EntityKind, Gazetteer};
use crate::extract::Extraction;
use tantivy::TantivyDocument;

/// A range longer than this many days is indexed by the months it covers, not day by day.
const MAX_DAYS_PER_RANGE: u32 = 400;
/// A range longer than this many years only counts its endpoints (same bound as `years_covered`).
const MAX_RANGE_YEARS: i32 = 100;

/// The ISO form of a mention: `2025-02-21`, or `1979/1989` for a range.
pub fn mention_iso(mention: &DateMention) -> String {
    if mention.start == mention.end {
        mention.start.to_iso()
    } else {
        format!("{}/{}", mention.start.to_iso(), mention.end.to_iso())
    }
}

fn yyyymm(year: i32, month: u8) -> i64 {
    i64::from(year) * 100 + i64::from(month)
}

fn yyyymmdd(year: i32, month: u8, day: u8) -> i64 {
    yyyymm(year, month) * 100 + i64::from(day)
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The years, months (`YYYYMM`) and days (`YYYYMMDD`) a mention covers, each at the mention's
/// own precision, so that a date-range filter can test overlap with three range queries.
///
/// A year-precision mention fills only `years`: "the 19th century" is 100 values, where
/// filling in its 1,200 months made indexing dates cost more than indexing the text.
fn coverage(mention: &DateMention, cover: &mut Coverage) {
    let (start, end) = (mention.start, mention.end);
    if end < start || end.year - start.year > MAX_RANGE_YEARS {
        for point in [start, end] {
            let single = DateMention {
                span: 0..0,
                start: point,
                end: point,
            };
            coverage(&single, cover);
        }
        return;
    }
    if start.month.is_none() && end.month.is_none() {
        cover.years.extend((start.year..=end.year).map(i64::from));
        return;
    }
    let (months, days) = (&mut cover.months, &mut cover.days);
    if let (Some(sm), Some(sd), Some(em), Some(ed)) = (start.month, start.day, end.month, end.day) {
        let last = yyyymmdd(end.year, em, ed);
        let (mut y, mut m, mut d) = (start.year, sm, sd);
        for _ in 0..MAX_DAYS_PER_RANGE {
            if yyyymmdd(y, m, d) > last {
                return;
            }
            days.push(yyyymmdd(y, m, d));
            d += 1;
            if d > days_in_month(y, m) {
                (d, m) = (1, m + 1);
                if m > 12 {
                    (m, y) = (1, y + 1);
                }
            }
        }
        // Longer than the cap: the months below complete the coverage.
    }
    let last = yyyymm(end.year, end.month.unwrap_or(12));
    let (mut y, mut m) = (start.year, start.month.unwrap_or(1));
    while yyyymm(y, m) <= last {
        months.push(yyyymm(y, m));
        m += 1;
        if m > 12 {
            (m, y) = (1, y + 1);
        }
    }
}

/// What a paragraph's mentions cover, at each precision; see [`coverage`].
#[derive(Default)]
struct Coverage {
    years: Vec<i64>,
    months: Vec<i64>,
    days: Vec<i64>,
}

/// How an entity is indexed (a column value, and stored): `person:Hamid Karzai`. Kinds have no
/// `:`, so the first one ends the kind.
pub fn entity_value(kind: EntityKind, name: &str) -> String {
    format!("{}:{name}", kind.as_str())
}

/// The kind and name of an [`entity_value`].
pub fn parse_entity_value(value: &str) -> Option<(EntityKind, &str)> {
    let (kind, name) = value.split_once(':')?;
    Some((EntityKind::parse(kind)?, name))
}

/// The range of [`entity_value`]s of one kind: from `kind:` up to, not including, `kind;`.
pub fn entity_kind_range(kind: EntityKind) -> (String, String) {
    (format!("{}:", kind.as_str()), format!("{};", kind.as_str()))
}

/// Builds the document for one paragraph; `order` is its place in corpus order (its file's key
/// in the high 32 bits, its position in the file in the low 32), which breaks score ties.
pub fn to_document(
    paragraph: &Paragraph,
    extraction: &Extraction,
    fields: &Fields,
    order: u64,
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.id, &paragraph.id);
    doc.add_text(fields.file, &paragraph.file);
    doc.add_text(fields.title, &paragraph.title);
    for heading in &paragraph.section {
        doc.add_text(fields.section, heading);
    }
    doc.add_u64(fields.paragraph, u64::from(paragraph.ordinal));
    doc.add_u64(fields.order, order);
    doc.add_text(fields.text, &paragraph.text);
    // Searched as one field (see `schema::BODY`); `text` keeps the paragraph alone for display.
    doc.add_text(fields.body, &paragraph.title);
    doc.add_text(fields.body, &paragraph.text);
    for &year in &extraction.years {
        doc.add_i64(fields.years, i64::from(year));
    }
    let mut cover = Coverage::default();
    let mut isos = Vec::new();
    for mention in &extraction.dates {
        coverage(mention, &mut cover);
        isos.push(mention_iso(mention));
    }
    for values in [&mut cover.years, &mut cover.months, &mut cover.days] {
        values.sort_unstable();
        values.dedup();
    }
    isos.sort();
    isos.dedup();
    if let Some(first) = extraction.dates.iter().map(|m| m.start).min() {
        doc.add_i64(
            fields.first_date,
            yyyymmdd(first.year, first.month.unwrap_or(1), first.day.unwrap_or(1)),
        );
    }
    for (field, values) in [
        (fields.year_spans, &cover.years),
        (fields.months, &cover.months),
        (fields.days, &cover.days),
    ] {
        for &value in values {
            doc.add_i64(field, value);
        }
    }
    for iso in &isos {
        doc.add_text(fields.dates, iso);
    }
    let gazetteer = Gazetteer::builtin();
    for (kind, name) in &extraction.entities {
        // One key per entity: it is both the `--entity` lookup value and the gazetteer's.
        let key = lookup_key(name);
        doc.add_text(fields.entity, entity_value(*kind, name));
        // Only the gazetteer's entities are searchable by name: their aliases are what lets
        // `TTP` find a paragraph that writes `Tehrik-i-Taliban Pakistan`. Any other name is
        // already in `body` word for word, and indexing it again cost a tenth of a Wikipedia
        // build's CPU for no measured gain in ranking (see `schema::ENTITY_NAMES`).
        if let Some(entry) = gazetteer.resolve_key(&key) {
            doc.add_text(fields.entity_names, name);
            for alias in &entry.aliases {
                doc.add_text(fields.entity_names, alias);
            }
        }
        doc.add_text(fields.entity_key, key);
    }
    doc
}
