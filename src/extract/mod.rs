//! What afsearch reads out of a paragraph besides its words: the dates it mentions and the
//! entities it names.
//!
//! Pure and deterministic: a [`Paragraph`] in, an [`Extraction`] out. The extractors
//! themselves live in [`date`] and [`entity`]; how their output is indexed is `index::doc`'s
//! business.

pub mod date;
pub mod entity;

use crate::corpus::Paragraph;
use date::{DateMention, PartialDate};
use entity::EntityKind;

/// Everything extracted from one paragraph.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Extraction {
    /// Date mentions, in text order (a record's own `date` comes first).
    pub dates: Vec<DateMention>,
    /// Years the paragraph covers, sorted, ranges expanded.
    pub years: Vec<i32>,
    /// Distinct entities named, sorted by kind then name.
    pub entities: Vec<(EntityKind, String)>,
}

/// Extracts dates and entities from a paragraph.
///
/// A day or month mentioned without a year takes the year from the innermost section heading
/// that states one (`==== 2025 Afghanistan–Pakistan conflict ====`).
pub fn extract(paragraph: &Paragraph) -> Extraction {
    let context_year = paragraph
        .section
        .iter()
        .rev()
        .find_map(|heading| date::heading_year(heading));
    let mut dates = Vec::new();
    if let Some(record_date) = paragraph.date.as_deref().and_then(PartialDate::parse_iso) {
        dates.push(DateMention {
            span: 0..0,
            start: record_date,
            end: record_date,
        });
    }
    let context_year = context_year.or(dates.first().map(|m| m.start.year));
    dates.extend(date::extract_dates(&paragraph.text, context_year));
    let years = date::years_covered(&dates);
    let entities = entity::entities_in(&paragraph.text);
    Extraction {
        dates,
        years,
        entities,
    }
}
