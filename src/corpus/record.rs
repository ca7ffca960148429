//! Records a program hands to afsearch directly: an id, a title, a text and an optional date,
//! the same shape as one line of a JSON-lines corpus.

use super::segment::{clean_text, Paragraph};
use crate::error::{Error, Result};
use crate::extract::date::PartialDate;
use serde::{Deserialize, Serialize};

/// One document supplied by the caller, e.g. to [`crate::SearchIndex::from_records`].
///
/// ```
/// let record = afsearch::Record::new("n1", "Border", "Torkham reopened.").date("2025-03-23");
/// assert_eq!(record.date.as_deref(), Some("2025-03-23"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    /// Identifier returned in [`crate::Hit::id`].
    pub id: String,
    /// Title, searchable and shown with hits.
    pub title: String,
    /// The text to search.
    pub text: String,
    /// The document's date, ISO 8601 (`2025`, `2025-03` or `2025-03-23`; a time part is ignored).
    pub date: Option<String>,
}

impl Record {
    /// A record without a date.
    pub fn new(id: impl Into<String>, title: impl Into<String>, text: impl Into<String>) -> Self {
        Record {
            id: id.into(),
            title: title.into(),
            text: text.into(),
            date: None,
        }
    }

    /// Sets the record's date.
    pub fn date(mut self, date: impl Into<String>) -> Self {
        self.date = Some(date.into());
        self
    }

    /// The paragraph this record becomes; `ordinal` is its position among the records.
    pub(crate) fn into_paragraph(self, ordinal: u32) -> Result<Paragraph> {
        let date = match self.date.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(normalise_date(raw).ok_or_else(|| Error::InvalidRecord {
                id: self.id.clone(),
                reason: format!("date {raw:?} is not YYYY, YYYY-MM or YYYY-MM-DD"),
            })?),
        };
        Ok(Paragraph {
            id: self.id,
            file: String::new(),
            title: clean_text(&self.title),
            section: Vec::new(),
            ordinal,
            text: clean_text(&self.text),
            date,
        })
    }
}

/// Keeps the calendar part of an ISO 8601 date or date-time, validated.
pub(crate) fn normalise_date(raw: &str) -> Option<String> {
    let date_part = raw.split(['T', ' ']).next().unwrap_or(raw);
    PartialDate::parse_iso(date_part).map(|d| d.to_iso())
}
