//! Finding and normalising date mentions in paragraph text.
//!
//! This module owns one job: given the text of a paragraph (or a section heading),
//! find every phrase that names a point or stretch of time ("21 February 2025",
//! "October 6, 2023", "in 1952", "(1979–1989)", "the 1980s", "the year prior") and
//! turn it into a [`DateMention`]: a byte span plus a [`PartialDate`] range at the
//! precision the text gives. It is a pure `&str -> data` layer: no I/O, no clock,
//! no state besides the compiled regexes, and it never panics on any input.
//!
//! What it leaves to others: splitting documents into paragraphs and headings,
//! deciding which heading year applies to which paragraph (the caller passes it as
//! `context_year`), indexing the dates into Tantivy, applying `--since/--until`
//! filters and everything CLI. Those layers only need [`extract_dates`],
//! [`years_covered`], [`heading_year`] and [`PartialDate::parse_iso`].
//!
//! # Rules for ambiguous text
//!
//! The corpus is encyclopaedic prose about the 20th and 21st centuries, so the rules
//! below are tuned for it and favour precision where a reading is a coin toss.
//!
//! * **Plausible years** are 1000..=2100. Anything else never becomes a year, so
//!   "PKR 3.4 trillion" or "2600 km" cannot leak into the date facet.
//! * **Bare four-digit numbers** in that range are years (the corpus writes counts of
//!   a thousand or more with separators: "5,000 trucks", "1,755 women"), unless a
//!   trap applies:
//!   - part of a larger number (`1,2025`, `2025.5`, `12025`) or of a code (`F-2000`);
//!   - preceded by a currency or reference marker (`$`, `USD`, `PKR`, `Rs`, `No.`,
//!     `#`, `Resolution`, `Article`, ...);
//!   - preceded by a quantity word (`over`, `more than`, `at least`, `nearly`, ...)
//!     unless that word itself follows a date preposition ("since at least 2005");
//!   - followed by a unit of measure or scale (`km`, `miles`, `%`, `percent`,
//!     `million`, `years`, ...), always;
//!   - followed by a counted noun (`people`, `troops`, `soldiers`, `refugees`,
//!     `trucks`, `Afghans`, ...), unless a date preposition precedes the number
//!     ("in 2010 Afghans voted" is a date, "some 1500 Afghans" is not);
//!   - followed by `BC`/`BCE`, or by `AH`/`SH` (a Hijri year: Afghanistan's official
//!     calendar is the Solar Hijri one, so "1400 SH" must not become 1400).
//!
//!   The traps look through a numeric range, so "between 1000 and 2000 soldiers"
//!   rejects both numbers. A plain "rose from 1500 to 2000" with no unit is still read
//!   as years: the text gives nothing to tell them apart.
//! * **Month names** must be written as in prose, initial capital only ("may" and
//!   "march" are verbs; all-caps "SEPTEMBER" is not read). Abbreviations (`Jan`,
//!   `Sept`, `Nov.`) are read next to a day or year. A month on
//!   its own ("In April", "by November") counts only after a date preposition, and
//!   only as a full name, so "Jan Mohammad Khan" is a person, not January.
//! * **Missing years** ("On 8 November", "a 6 February bombing", "Nov.1") take the
//!   year of the nearest earlier mention in the same text (its end year, so a range
//!   lends its last year), else `context_year`, else the mention is dropped. No
//!   December-to-January rollover is guessed for these, so the result stays
//!   predictable. Inside an explicit range the year is borrowed across the range,
//!   with rollover: "from 20 December to 5 January 2025" starts in 2024.
//! * **Relative years** ("the same year", "that year", "the year prior", "the
//!   following year", "a year later") and months ("that month") resolve the same way
//!   from the nearest earlier mention. "The last decade" is not resolved.
//! * **Ranges**: `Y–Y`, `Y-Y`, `Y—Y`, `Y/Y`, with or without spaces, the short
//!   form `1989-92` or `2023/24` (which rolls over: `1999-01` is 1999–2001),
//!   "between X and Y", "from X to / until / through Y", and any two dates joined by
//!   a dash ("1 January – 8 November 2025", "1990s–2000s"). The end must not be
//!   before the start, otherwise the two are separate mentions. A short form with an
//!   ASCII hyphen that cannot be a range (`2025-02`) is read as an ISO year-month.
//! * **"present"**: `2021–present` (or "2021 to the present") yields start = end =
//!   2021, because the extractor has no clock and an open end cannot be expressed in
//!   a [`PartialDate`]; the span still covers "2021–present" so a caller that wants
//!   an open range can recognise it.
//! * **Decades**: "the 1980s" (or "1980's") covers 1980–1989; qualifiers ("early",
//!   "mid-", "late") are not narrowed, which keeps the range honest for filtering.
//!   "1000s of" is a count, not a decade. "the 1800s" (a round hundred before 2000)
//!   is read as the century 1800–1899, but "the 2000s" as the decade 2000–2009.
//! * **Centuries**: "20th century" (also "mid-20th century") covers 1900–1999, the
//!   everyday reading, not the pedantic 1901–2000; "1st millennium BC" is ignored.
//! * **Early / late / mid qualifiers** on a year or month ("late 2022") keep the
//!   plain year or month.
//! * **Invalid days** ("30 February 2025") fall back to month precision. A year
//!   outside the plausible range is not read: "5 May 3000" becomes a yearless
//!   "5 May" resolved like any other.
//! * **Numeric dates** like `21/02/2025` are not read as day/month (the order is
//!   ambiguous); their year is still found. ISO `2025-02-21` is read.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// Earliest year the extractor will report.
pub const MIN_YEAR: i32 = 1000;
/// Latest year the extractor will report.
pub const MAX_YEAR: i32 = 2100;

/// A calendar date at the precision the text gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct PartialDate {
    /// Calendar year (the extractor only reports 1000..=2100).
    pub year: i32,
    /// Month 1..=12, if the text gives one.
    pub month: Option<u8>,
    /// Day of the month, if the text gives one (only together with a month).
    pub day: Option<u8>,
}

impl PartialDate {
    /// A year-precision date. Constructors do not validate; [`PartialDate::parse_iso`] does.
    #[must_use]
    pub fn year(year: i32) -> Self {
        PartialDate {
            year,
            month: None,
            day: None,
        }
    }

    /// A month-precision date.
    #[must_use]
    pub fn month(year: i32, month: u8) -> Self {
        PartialDate {
            year,
            month: Some(month),
            day: None,
        }
    }

    /// A day-precision date.
    #[must_use]
    pub fn day(year: i32, month: u8, day: u8) -> Self {
        PartialDate {
            year,
            month: Some(month),
            day: Some(day),
        }
    }

    /// "2025", "2025-02", "2025-02-21"
    #[must_use]
    pub fn to_iso(&self) -> String {
        let mut out = if (0..=9999).contains(&self.year) {
            format!("{:04}", self.year)
        } else {
            self.year.to_string()
        };
        // Writing to a String cannot fail.
        if let Some(month) = self.month {
            let _ = write!(out, "-{month:02}");
            if let Some(day) = self.day {
                let _ = write!(out, "-{day:02}");
            }
        }
        out
    }

    /// Parses "YYYY", "YYYY-MM", "YYYY-MM-DD", validating month 1-12 and the day against the month (leap years!). Used by the CLI's --since/--until.
    ///
    /// Strict on shape (four-digit year, two-digit month and day, ASCII digits) so a
    /// typo on the command line is reported instead of silently meaning something else.
    #[must_use]
    pub fn parse_iso(s: &str) -> Option<PartialDate> {
        let mut parts = s.trim().split('-');
        let year = ascii_number(parts.next()?, 4)?;
        let Some(month) = parts.next() else {
            return Some(PartialDate::year(year));
        };
        let month = u8::try_from(ascii_number(month, 2)?).ok()?;
        days_in_month(year, month)?;
        let Some(day) = parts.next() else {
            return Some(PartialDate::month(year, month));
        };
        let day = u8::try_from(ascii_number(day, 2)?).ok()?;
        if parts.next().is_some() || !valid_day(year, month, day) {
            return None;
        }
        Some(PartialDate::day(year, month, day))
    }
}

/// One date mention found in a text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DateMention {
    /// Byte range in the input text.
    pub span: Range<usize>,
    /// First day/month/year covered.
    pub start: PartialDate,
    /// `== start` for a single date; last covered for ranges/decades.
    pub end: PartialDate,
}

/// Whether `year` is one the extractor would ever report.
#[must_use]
pub fn is_plausible_year(year: i32) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&year)
}

/// Days in `month` of `year`, or `None` for a month outside 1..=12.
#[must_use]
pub fn days_in_month(year: i32, month: u8) -> Option<u8> {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        4 | 6 | 9 | 11 => Some(30),
        2 if is_leap_year(year) => Some(29),
        2 => Some(28),
        _ => None,
    }
}

fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn valid_day(year: i32, month: u8, day: u8) -> bool {
    day >= 1 && days_in_month(year, month).is_some_and(|max| day <= max)
}

/// Parses exactly `len` ASCII digits; `str::parse` alone would accept "+202".
fn ascii_number(s: &str, len: usize) -> Option<i32> {
    if s.len() != len || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// All date mentions in `text`, in text order. `context_year` is the year to use for a day/month with no year
/// when no earlier date in the same text gives one (the caller passes the year from the section heading).
#[must_use]
pub fn extract_dates(text: &str, context_year: Option<i32>) -> Vec<DateMention> {
    let candidates = select_non_overlapping(collect_candidates(text));
    let candidates = merge_ranges(text, candidates);
    resolve(candidates, context_year)
}

/// The set of years the mentions cover, sorted, ranges expanded (a range longer than 100 years is not expanded: count only its endpoints).
#[must_use]
pub fn years_covered(mentions: &[DateMention]) -> Vec<i32> {
    let mut years = BTreeSet::new();
    for m in mentions {
        let (lo, hi) = if m.start.year <= m.end.year {
            (m.start.year, m.end.year)
        } else {
            (m.end.year, m.start.year)
        };
        // i64 because the fields are public and may hold any i32.
        if i64::from(hi) - i64::from(lo) < 100 {
            years.extend(lo..=hi);
        } else {
            years.insert(lo);
            years.insert(hi);
        }
    }
    years.into_iter().collect()
}

/// A year stated in a section heading such as "2025 Afghanistan–Pakistan conflict" or "Contemporary era (2021–present)", if any.
///
/// The first mention's start year: a heading naming a range or decade
/// ("Soviet–Afghan War (1979–1989)") lends its first year.
#[must_use]
pub fn heading_year(heading: &str) -> Option<i32> {
    extract_dates(heading, None).first().map(|m| m.start.year)
}

// ---------------------------------------------------------------------------
// Candidates: every regex hit, before overlaps and missing years are settled.
// ---------------------------------------------------------------------------

/// A date whose year may still be missing ("8 November").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Loose {
    year: Option<i32>,
    month: Option<u8>,
    day: Option<u8>,
}

impl Loose {
    fn year(year: i32) -> Self {
        Loose {
            year: Some(year),
            month: None,
            day: None,
        }
    }

    /// Sort key where a missing part sorts first; only compared between dates
    /// that are both dated or both undated.
    fn key(&self) -> (i32, u8, u8) {
        (
            self.year.unwrap_or(0),
            self.month.unwrap_or(0),
            self.day.unwrap_or(0),
        )
    }

    /// Whether `self` falls later in its year than `other` (month/day only).
    fn later_in_year_than(&self, other: &Loose) -> bool {
        match (self.month, other.month) {
            (Some(a), Some(b)) if a != b => a > b,
            (Some(_), Some(_)) => matches!((self.day, other.day), (Some(a), Some(b)) if a > b),
            _ => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A date or range stated in the text (possibly without its year).
    Stated { start: Loose, end: Loose },
    /// "the same year" (offset 0), "the year prior" (-1), "the following year" (+1).
    RelativeYear(i32),
    /// "that month", "the same month".
    RelativeMonth,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Candidate {
    span: Range<usize>,
    kind: Kind,
}

impl Candidate {
    fn point(span: Range<usize>, date: Loose) -> Self {
        Candidate {
            span,
            kind: Kind::Stated {
                start: date,
                end: date,
            },
        }
    }

    fn range(span: Range<usize>, start: Loose, end: Loose) -> Self {
        Candidate {
            span,
            kind: Kind::Stated { start, end },
        }
    }
}

/// Full month names must end on a word boundary; abbreviations may carry a dot ("Nov.1").
#[cfg(test)]
const MONTH: &str = r"(?P<mon>(?:January|February|March|April|May|June|July|August|September|October|November|December)\b|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\b\.?)";
#[cfg(test)]
const FULL_MONTH: &str = r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December)\b";
#[cfg(test)]
const DAY: &str = r"(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?";
/// `[0-9]`, not `\d`: Unicode digits like "٢٠٢٥" would match `\d` and then fail to parse.
#[cfg(test)]
const YEAR_TAIL: &str = r"(?:,?\s+(?P<y>[0-9]{4})\b)?";

fn compile(pattern: &str) -> Regex {
    // The patterns are constants of this module, so failure is a programming error
    // caught by every test run, never an input-dependent panic.
    Regex::new(pattern).expect("date regex must compile")
}

#[cfg(test)]
static DAY_MONTH_YEAR: LazyLock<Regex> =
    LazyLock::new(|| compile(&format!(r"\b{DAY}\s+(?:of\s+)?{MONTH}{YEAR_TAIL}")));
#[cfg(test)]
static MONTH_DAY_YEAR: LazyLock<Regex> =
    LazyLock::new(|| compile(&format!(r"\b{MONTH}\s*{DAY}\b{YEAR_TAIL}")));
#[cfg(test)]
static MONTH_YEAR: LazyLock<Regex> =
    LazyLock::new(|| compile(&format!(r"\b{MONTH},?\s+(?P<y>[0-9]{{4}})\b")));
/// "21–23 February 2025".
#[cfg(test)]
static DAY_RANGE_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"\b(?P<d1>[0-9]{{1,2}})\s*[-–]\s*(?P<d2>[0-9]{{1,2}})\s+{MONTH}{YEAR_TAIL}"
    ))
});
/// "February 21–23, 2025".
#[cfg(test)]
static MONTH_DAY_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"\b{MONTH}\s*(?P<d1>[0-9]{{1,2}})\s*[-–]\s*(?P<d2>[0-9]{{1,2}})\b{YEAR_TAIL}"
    ))
});
/// A lone month needs a date preposition, or "Jan Mohammad" and "May be" would be dates.
#[cfg(test)]
static CUED_MONTH: LazyLock<Regex> = LazyLock::new(|| {
    compile(&format!(
        r"\b(?i:in|by|since|until|till|from|during|through|throughout|before|after|early|late|mid|end\s+of|beginning\s+of|start\s+of|between)[\s-]+{FULL_MONTH}"
    ))
});
#[cfg(test)]
static ISO_DATE: LazyLock<Regex> =
    LazyLock::new(|| compile(r"\b(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})\b"));
#[cfg(test)]
static YEAR_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"\b(?P<y1>[0-9]{4})\s*(?P<sep>[-–—/])\s*(?P<y2>[0-9]{4}|[0-9]{2})\b")
});
static YEAR_TO_PRESENT: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"\b(?P<y>[0-9]{4})(?:\s*[-–—]\s*|\s+(?i:to|until|till)\s+(?i:the\s+)?)(?i:present|now|today)\b",
    )
});
#[cfg(test)]
static DECADE: LazyLock<Regex> = LazyLock::new(|| compile(r"\b(?P<y>[0-9]{3}0)['’]?s\b"));
#[cfg(test)]
static CENTURY: LazyLock<Regex> =
    LazyLock::new(|| compile(r"\b(?P<n>[0-9]{1,2})(?:st|nd|rd|th)[-\s]+(?i:century)\b"));
#[cfg(test)]
static BARE_YEAR: LazyLock<Regex> = LazyLock::new(|| compile(r"\b(?P<y>[0-9]{4})\b"));
static RELATIVE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:(?P<same>the\s+same\s+year|that\s+(?:same\s+)?year)|(?P<prev>the\s+(?:previous|preceding|prior)\s+year|the\s+year\s+(?:prior|before)|a\s+year\s+(?:earlier|before))|(?P<next>the\s+(?:following|next|subsequent)\s+year|a\s+year\s+later)|(?P<month>the\s+same\s+month|that\s+(?:same\s+)?month))\b",
    )
});

// Traps, matched against a short window before or after a number.
static CURRENCY_OR_REFERENCE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)(?:[$€£₨#]|\b(?:us\$|usd|pkr|inr|afn|afs|afghanis|rs\.?|rupees?|dollars?|euros?|no\.|nos\.|resolution|article|section|chapter|clause|pp?\.|pages?|flight|route|highway|district|room|isbn))\s*(?:[0-9][0-9,.]*\s*(?:[-–—]|to|and|or)\s*)?$",
    )
});
static QUANTITY_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)\b(?:at\s+least|at\s+most|more\s+than|less\s+than|fewer\s+than|over|nearly|almost|approximately|approx\.|roughly)\s+(?:[0-9][0-9,.]*\s*(?:[-–—]|to|and|or)\s*)?$",
    )
});
/// A date preposition right before the number (or before its quantity word).
static DATE_CUE_BEFORE: LazyLock<Regex> = LazyLock::new(|| {
    compile(r"(?i)\b(?:in|since|by|until|till|during|after|before|from|year|circa|c\.|ca\.)\s+$")
});
static MEASURE_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)^(?:\s*(?:[-–—]|to|and|or)\s*[0-9][0-9,.]*)?\s*(?:%|(?:per\s*cent|percent|km|kms|kilomet(?:er|re)s?|miles?|metres?|meters?|ft|feet|kg|kilograms?|tons?|tonnes?|million|billion|trillion|thousand|hundred|crores?|lakhs?|years?|months?|weeks?|days?|hours?|acres?|hectares?|mw|dollars?|rupees?|usd|pkr|afn)\b)",
    )
});
static COUNT_AFTER: LazyLock<Regex> = LazyLock::new(|| {
    compile(
        r"(?i)^(?:\s*(?:[-–—]|to|and|or)\s*[0-9][0-9,.]*)?\s+(?:people|persons|individuals|troops|soldiers|refugees|trucks|vehicles|containers|families|households|men|women|children|militants|fighters|civilians|casualties|deaths|attacks|rockets|afghans|pakistanis|students|members|votes|migrants|nationals|prisoners|detainees|workers|officers|policemen|personnel|houses|homes|schools|cases|times|units|copies)\b",
    )
});
/// BC years are out of range; Hijri years ("1400 SH", the calendar Afghanistan uses
/// officially, or "1446 AH") would be misread as Gregorian.
static BC_AFTER: LazyLock<Regex> =
    LazyLock::new(|| compile(r"^\s*(?:(?:BCE?|AH|SH)\b|B\.\s?C\.|[AS]\.\s?H\.)"));
/// "F-2000", "A-1000": a code, not a year.
static CODE_BEFORE: LazyLock<Regex> = LazyLock::new(|| compile(r"\b[A-Z]{1,3}-$"));
static COUNT_OF_AFTER: LazyLock<Regex> = LazyLock::new(|| compile(r"(?i)^\s+of\b"));
static DECADE_ARTICLE_BEFORE: LazyLock<Regex> =
    LazyLock::new(|| compile(r"(?i)\b(?:the|early|mid|late)[\s-]+$"));

// Joining two neighbouring mentions into one range.
static GAP_DASH: LazyLock<Regex> = LazyLock::new(|| compile(r"^\s*[-–—]\s*$"));
static GAP_AND: LazyLock<Regex> = LazyLock::new(|| compile(r"^\s+and\s+$"));
static GAP_TO: LazyLock<Regex> =
    LazyLock::new(|| compile(r"^\s+(?:to|until|till|through|thru)\s+$"));
static BETWEEN_BEFORE: LazyLock<Regex> = LazyLock::new(|| compile(r"(?i)\bbetween\s+(?:the\s+)?$"));
static FROM_BEFORE: LazyLock<Regex> = LazyLock::new(|| compile(r"(?i)\bfrom\s+(?:the\s+)?$"));

/// How far the trap windows look; enough for "approximately USD " and a range.
const WINDOW: usize = 48;

/// Up to `WINDOW` bytes before `pos`, cut on a char boundary so slicing never panics
/// and the trap regexes stay O(1) per candidate on huge inputs.
fn before(text: &str, pos: usize) -> &str {
    let pos = pos.min(text.len());
    let mut start = pos.saturating_sub(WINDOW);
    while !text.is_char_boundary(start) {
        start += 1;
    }
    text.get(start..pos).unwrap_or("")
}

/// Up to `WINDOW` bytes from `pos`, cut on a char boundary.
fn after(text: &str, pos: usize) -> &str {
    let pos = pos.min(text.len());
    let mut end = pos.saturating_add(WINDOW).min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(pos..end).unwrap_or("")
}

/// "1,2025" or "3.2025": the digits continue a larger number.
fn continues_number_before(prefix: &str) -> bool {
    matches!(prefix.as_bytes(), [.., digit, b',' | b'.'] if digit.is_ascii_digit())
}

/// "2025.5" or "2025,000".
fn continues_number_after(suffix: &str) -> bool {
    matches!(suffix.as_bytes(), [b',' | b'.', digit, ..] if digit.is_ascii_digit())
}

/// Whether the number spanning `start..end` reads as a count or amount rather than
/// a year (see the module docs for the rules).
fn is_quantity(text: &str, start: usize, end: usize) -> bool {
    let prefix = before(text, start);
    let suffix = after(text, end);
    // Most years sit between a space or bracket and a comma or full stop, where no trap
    // can match: these tests of the characters next to the number (each necessary for
    // its pattern to match) spare running the patterns for them.
    let next = suffix.trim_start().chars().next();
    let word_or_dash_next =
        next.is_some_and(|c| !c.is_ascii() || c.is_ascii_alphabetic() || c == '-');
    let previous = prefix.trim_end().chars().next_back();
    let currency_or_word_before = previous.is_some_and(|c| {
        !c.is_ascii() || c.is_ascii_alphabetic() || matches!(c, '.' | '$' | '#' | '-')
    });
    if continues_number_before(prefix)
        || continues_number_after(suffix)
        || (prefix.ends_with('-') && CODE_BEFORE.is_match(prefix))
        || (currency_or_word_before && CURRENCY_OR_REFERENCE_BEFORE.is_match(prefix))
        || ((word_or_dash_next || next == Some('%')) && MEASURE_AFTER.is_match(suffix))
        || (matches!(next, Some('B' | 'A' | 'S')) && BC_AFTER.is_match(suffix))
    {
        return true;
    }
    if let Some(q) = QUANTITY_BEFORE.find(prefix) {
        // "since at least 2005" is a date; "at least 2005 people" is caught above or below.
        if !DATE_CUE_BEFORE.is_match(&prefix[..q.start()]) {
            return true;
        }
    }
    word_or_dash_next && COUNT_AFTER.is_match(suffix) && !DATE_CUE_BEFORE.is_match(prefix)
}

#[cfg(test)]
fn month_number(name: &str) -> Option<u8> {
    let key = name.get(..3)?;
    let n = match key {
        "Jan" => 1,
        "Feb" => 2,
        "Mar" => 3,
        "Apr" => 4,
        "May" => 5,
        "Jun" => 6,
        "Jul" => 7,
        "Aug" => 8,
        "Sep" => 9,
        "Oct" => 10,
        "Nov" => 11,
        "Dec" => 12,
        _ => return None,
    };
    Some(n)
}

fn group_number(caps: &Captures<'_>, name: &str) -> Option<i32> {
    caps.name(name)?.as_str().parse().ok()
}

fn plausible_group_year(caps: &Captures<'_>) -> Option<i32> {
    group_number(caps, "y").filter(|&y| is_plausible_year(y))
}

#[cfg(test)]
/// The byte range of the whole match, but without the year if the year was rejected
/// (so "5 May 3000" becomes "5 May" and takes its year from context).
fn span_without_bad_year(caps: &Captures<'_>, year: Option<i32>) -> Option<Range<usize>> {
    let whole = caps.get(0)?;
    match (caps.name("y"), year) {
        (Some(_), Some(_)) | (None, _) => Some(whole.range()),
        (Some(_), None) => {
            // The year group is optional and last; cut the match at the end of the month or day.
            let cut = ["d2", "d", "mon"]
                .iter()
                .filter_map(|g| caps.name(g))
                .map(|m| m.end())
                .max()?;
            Some(whole.start()..cut)
        }
    }
}

// ---------------------------------------------------------------------------
// Scanning: where a date can start.
//
// Running each pattern over the whole text cost one pass per pattern (fourteen of them) and
// made date extraction the slowest stage of indexing. Instead, one pass over the bytes finds
// the few places where a date can start (runs of digits, month names, the words "year" and
// "month") and the patterns are tried only there. The simple ones (bare years, ranges of
// years, decades, centuries, ISO dates, a month after a cue word) are matched by hand; the
// rest by their regex, on a window of a few dozen characters. Either way the result is what
// `captures_iter` over the whole text gives: the test `scanner_agrees_with_the_regexes`
// compares the two on the corpus and on generated text.
// ---------------------------------------------------------------------------

/// Where dates can start in one text, in text order.
#[derive(Debug, Default)]
struct Anchors {
    /// Runs of exactly 1, 2 or 4 ASCII digits at the start of a word. No pattern starts
    /// anywhere else with a digit: each needs `\b` before its first digit and a non-digit
    /// after one or two (a day, a century) or four (a year).
    digits: Vec<Range<usize>>,
    /// Word starts spelling a month's first three letters ("Jan", "Sept", but also "Mayor"):
    /// the patterns decide which really are month names.
    months: Vec<usize>,
    /// The words "year" and "month" (in any case) after whitespace: every relative phrase
    /// ("the same year", "that month") has one.
    relative: Vec<usize>,
}

/// Bytes worth stopping at in [`scan`]: digits, month initials, `y`/`m` of "year"/"month".
static INTERESTING: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = b'0';
    while b <= b'9' {
        table[b as usize] = true;
        b += 1;
    }
    let special = b"JFMASONDYymM";
    let mut i = 0;
    while i < special.len() {
        table[special[i] as usize] = true;
        i += 1;
    }
    table
};

const MONTH_PREFIXES: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];
const FULL_MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Longest stretch of non-whitespace characters the patterns still run as regexes
/// (YEAR_TO_PRESENT, RELATIVE) can match: "2021 until the present" holds 19, "the
/// subsequent year" 17. Whitespace is not counted because `\s+` has no upper bound.
const MAX_MATCH_CHARS: usize = 32;

fn scan(text: &str) -> Anchors {
    let bytes = text.as_bytes();
    let mut anchors = Anchors::default();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !INTERESTING[usize::from(b)] {
            i += 1;
            continue;
        }
        if b.is_ascii_digit() {
            let start = i;
            i = digit_run_end(bytes, i);
            if matches!(i - start, 1 | 2 | 4) && starts_word(text, start) {
                anchors.digits.push(start..i);
            }
            continue;
        }
        if is_month_prefix(bytes, i) && starts_word(text, i) {
            anchors.months.push(i);
        }
        let word: &[u8] = match b | 0x20 {
            b'y' => b"year",
            b'm' => b"month",
            _ => {
                i += 1;
                continue;
            }
        };
        if bytes
            .get(i..i + word.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(word))
            && char_before(text, i).is_some_and(char::is_whitespace)
        {
            anchors.relative.push(i);
        }
        i += 1;
    }
    anchors
}

fn digit_run_end(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    i
}

fn is_month_prefix(bytes: &[u8], i: usize) -> bool {
    bytes
        .get(i..i + 3)
        .is_some_and(|p| MONTH_PREFIXES.iter().any(|m| p == *m))
}

fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..)?.chars().next()
}

fn char_before(text: &str, i: usize) -> Option<char> {
    text.get(..i)?.chars().next_back()
}

/// The regex crate's `\w`: what `\b` looks at.
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    // Unicode's definition (letters, marks, decimal digits, connector punctuation, joiners)
    // is the regex crate's to keep; non-ASCII neighbours of a date are rare enough to ask it.
    static WORD: LazyLock<Regex> = LazyLock::new(|| compile(r"\A\w\z"));
    let mut buf = [0; 4];
    WORD.is_match(c.encode_utf8(&mut buf))
}

/// `\b` before the word character at `i`.
fn starts_word(text: &str, i: usize) -> bool {
    !char_before(text, i).is_some_and(is_word_char)
}

/// `\b` after the word character before `i`.
fn ends_word(text: &str, i: usize) -> bool {
    !char_at(text, i).is_some_and(is_word_char)
}

fn skip_whitespace(text: &str, mut i: usize) -> usize {
    while let Some(c) = char_at(text, i).filter(|c| c.is_whitespace()) {
        i += c.len_utf8();
    }
    i
}

fn skip_whitespace_back(text: &str, mut i: usize) -> usize {
    while let Some(c) = char_before(text, i).filter(|c| c.is_whitespace()) {
        i -= c.len_utf8();
    }
    i
}

/// `word` equals the lowercase ASCII `target` under the regex crate's `(?i)`, which also
/// folds `ſ` to `s` and the Kelvin sign to `k`.
fn eq_fold(word: &str, target: &str) -> bool {
    let mut want = target.bytes();
    for c in word.chars() {
        let Some(t) = want.next() else { return false };
        let same = c.to_ascii_lowercase() as u32 == u32::from(t)
            || (t == b's' && c == 'ſ')
            || (t == b'k' && c == '\u{212A}');
        if !same {
            return false;
        }
    }
    want.next().is_none()
}

/// End of the window a pattern starting at `start` is matched in: enough text for
/// [`MAX_MATCH_CHARS`] non-whitespace characters and one more for a final `\b` to see.
/// No match can reach past it, so matching in the window is matching in the whole text,
/// and the cost stays proportional to the match however long the text.
fn window_end(text: &str, start: usize) -> usize {
    let mut seen = 0;
    for (i, c) in text.get(start..).unwrap_or("").char_indices() {
        if !c.is_whitespace() {
            seen += 1;
            if seen > MAX_MATCH_CHARS {
                return start + i + c.len_utf8();
            }
        }
    }
    text.len()
}

/// The match of `re` that starts exactly at `start`, as a search of the whole text finds it
/// (the text before `start` still counts for `\b`).
fn captures_at<'t>(re: &Regex, text: &'t str, start: usize) -> Option<Captures<'t>> {
    let caps = re.captures_at(text.get(..window_end(text, start))?, start)?;
    (caps.get(0)?.start() == start).then_some(caps)
}

/// What `captures_iter` yields, given (in order) every position a match can start at and
/// `at`, the match starting there if any: leftmost first, never overlapping.
fn non_overlapping<T>(
    starts: impl IntoIterator<Item = usize>,
    mut at: impl FnMut(usize) -> Option<(Range<usize>, T)>,
) -> impl Iterator<Item = (Range<usize>, T)> {
    let mut pos = 0;
    starts.into_iter().filter_map(move |start| {
        if start < pos {
            return None;
        }
        let (span, found) = at(start)?;
        pos = span.end;
        Some((span, found))
    })
}

/// [`non_overlapping`] for a regex tried at the given starts.
fn regex_matches<'t>(
    re: &'t Regex,
    text: &'t str,
    starts: impl IntoIterator<Item = usize>,
) -> impl Iterator<Item = Captures<'t>> {
    non_overlapping(starts, move |start| {
        let caps = captures_at(re, text, start)?;
        Some((caps.get(0)?.range(), caps))
    })
    .map(|(_, caps)| caps)
}

// A cheap test that rules out most years before YEAR_TO_PRESENT runs: it accepts every
// start the pattern could match at (and more).

/// "to the present", "– now" may follow the year ending at `end` (YEAR_TO_PRESENT).
fn present_may_follow_year(text: &str, end: usize) -> bool {
    let p = skip_whitespace(text, end);
    match char_at(text, p) {
        Some('-' | '–' | '—') => true,
        Some('t' | 'T' | 'u' | 'U') => p > end,
        _ => false,
    }
}

/// Where a relative phrase ending in the "year"/"month" at `word` can start: one or two
/// words before it ("that year", "the same year").
fn relative_starts(text: &str, word: usize, out: &mut Vec<usize>) {
    let mut at = word;
    let mut found = [None; 2];
    for slot in &mut found {
        let end = skip_whitespace_back(text, at);
        if end == at {
            break;
        }
        let mut start = end;
        while let Some(c) = char_before(text, start).filter(|c| c.is_alphabetic()) {
            start -= c.len_utf8();
        }
        if start == end {
            break;
        }
        *slot = Some(start);
        at = start;
    }
    out.extend(found.iter().rev().flatten());
}

// Patterns matched by hand, each equivalent to the regex named in its doc.

/// ISO_DATE at the four-digit run `year`: the end of "2025-02-21".
fn iso_date_at(text: &str, year: &Range<usize>) -> Option<usize> {
    let b = text.as_bytes();
    let e = year.end;
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let shape = b.get(e) == Some(&b'-')
        && digit(e + 1)
        && digit(e + 2)
        && b.get(e + 3) == Some(&b'-')
        && digit(e + 4)
        && digit(e + 5);
    (shape && ends_word(text, e + 6)).then_some(e + 6)
}

/// YEAR_RANGE at the four-digit run `y1`: the second year's digits (4 or 2) and the separator.
fn year_range_at(text: &str, y1: &Range<usize>) -> Option<(Range<usize>, char)> {
    let p = skip_whitespace(text, y1.end);
    let sep = char_at(text, p).filter(|c| matches!(c, '-' | '–' | '—' | '/'))?;
    let y2 = skip_whitespace(text, p + sep.len_utf8());
    let end = digit_run_end(text.as_bytes(), y2);
    (matches!(end - y2, 2 | 4) && ends_word(text, end)).then_some((y2..end, sep))
}

/// DECADE at the four-digit run `year`: the end of "1980s" or "1980’s".
fn decade_at(text: &str, year: &Range<usize>) -> Option<usize> {
    if text.as_bytes().get(year.end - 1) != Some(&b'0') {
        return None;
    }
    let mut p = year.end;
    if let Some(c @ ('\'' | '’')) = char_at(text, p) {
        p += c.len_utf8();
    }
    (text.as_bytes().get(p) == Some(&b's') && ends_word(text, p + 1)).then_some(p + 1)
}

/// CENTURY at the one- or two-digit run `n`: the end of "20th century", "20th-Century".
fn century_at(text: &str, n: &Range<usize>) -> Option<usize> {
    let b = text.as_bytes();
    if !matches!(b.get(n.end..n.end + 2), Some(b"st" | b"nd" | b"rd" | b"th")) {
        return None;
    }
    let gap = n.end + 2;
    let mut p = gap;
    while let Some(c) = char_at(text, p).filter(|&c| c == '-' || c.is_whitespace()) {
        p += c.len_utf8();
    }
    let word = b.get(p..p + 7)?;
    (p > gap && word.eq_ignore_ascii_case(b"century") && ends_word(text, p + 7)).then_some(p + 7)
}

/// CUED_MONTH for the month name at `start`: its number and the end of the name, when a
/// date preposition comes before it ("in April", "mid-May", "end of June").
fn cued_month_at(text: &str, start: usize) -> Option<(u8, usize)> {
    const CUES: [&str; 16] = [
        "in",
        "by",
        "since",
        "until",
        "till",
        "from",
        "during",
        "through",
        "throughout",
        "before",
        "after",
        "early",
        "late",
        "mid",
        "between",
        "of",
    ];
    let (index, name) = FULL_MONTHS
        .iter()
        .enumerate()
        .find(|(_, name)| text.get(start..).is_some_and(|t| t.starts_with(*name)))?;
    let end = start + name.len();
    if !ends_word(text, end) {
        return None;
    }
    let mut cue_end = start;
    while let Some(c) = char_before(text, cue_end).filter(|&c| c == '-' || c.is_whitespace()) {
        cue_end -= c.len_utf8();
    }
    // The cue is the whole word before the gap: `\b` must hold before it.
    let word_start = |end: usize| {
        let mut start = end;
        while let Some(c) = char_before(text, start).filter(|&c| is_word_char(c)) {
            start -= c.len_utf8();
        }
        start
    };
    let cue_start = word_start(cue_end);
    let cue = text.get(cue_start..cue_end)?;
    if cue_end == start || !CUES.iter().any(|c| eq_fold(cue, c)) {
        return None;
    }
    if eq_fold(cue, "of") {
        // Only "end of", "beginning of", "start of".
        let before_of = skip_whitespace_back(text, cue_start);
        let head = text.get(word_start(before_of)..before_of)?;
        if before_of == cue_start
            || !["end", "beginning", "start"]
                .iter()
                .any(|w| eq_fold(head, w))
        {
            return None;
        }
    }
    Some((u8::try_from(index + 1).ok()?, end))
}

/// A date with a day and a month found by hand: "5 May 2025", "May 5th, 2025",
/// "21–23 February", "Nov.1".
struct DayMonth {
    whole: Range<usize>,
    month: u8,
    /// The day's digits (the first day's, for a range of days).
    day: Range<usize>,
    /// The last day's digits, for a range of days.
    last_day: Option<Range<usize>>,
    /// The year's digits, if the match has any.
    year: Option<Range<usize>>,
    /// Where the match ends without its year: an implausible year is cut off there
    /// (the end of the month or of the day's digits, whichever comes last, as a regex group).
    cut: usize,
}

impl DayMonth {
    fn new(
        start: usize,
        month: u8,
        day: Range<usize>,
        last_day: Option<Range<usize>>,
        end: usize,
        cut: usize,
        text: &str,
    ) -> Self {
        let year = year_tail_at(text, end);
        DayMonth {
            whole: start..year.as_ref().map_or(end, |y| y.end),
            month,
            day,
            last_day,
            year,
            cut,
        }
    }

    /// The match, without the year if the year was rejected (so "5 May 3000" becomes
    /// "5 May" and takes its year from context).
    fn span(&self, plausible_year: Option<i32>) -> Range<usize> {
        match (&self.year, plausible_year) {
            (Some(_), None) => self.whole.start..self.cut,
            _ => self.whole.clone(),
        }
    }
}

/// MONTH at `start`: the month's number and the end of its name, with the dot of "Nov.".
fn month_at(text: &str, start: usize) -> Option<(u8, usize)> {
    const ABBREVIATIONS: [(&str, u8); 12] = [
        ("Jan", 1),
        ("Feb", 2),
        ("Mar", 3),
        ("Apr", 4),
        ("Jun", 6),
        ("Jul", 7),
        ("Aug", 8),
        ("Sept", 9),
        ("Sep", 9),
        ("Oct", 10),
        ("Nov", 11),
        ("Dec", 12),
    ];
    let rest = text.get(start..)?;
    if let Some(n) = (1..=12u8).find(|&n| {
        let name = FULL_MONTHS[usize::from(n - 1)];
        rest.starts_with(name) && ends_word(text, start + name.len())
    }) {
        return Some((n, start + FULL_MONTHS[usize::from(n - 1)].len()));
    }
    let (abbr, n) = ABBREVIATIONS
        .into_iter()
        .find(|(abbr, _)| rest.starts_with(abbr) && ends_word(text, start + abbr.len()))?;
    let end = start + abbr.len();
    Some((
        n,
        end + usize::from(text.as_bytes().get(end) == Some(&b'.')),
    ))
}

/// YEAR_TAIL after `end`: the digits of the year in ", 2025" or " 2025".
fn year_tail_at(text: &str, end: usize) -> Option<Range<usize>> {
    let after_comma = end + usize::from(text.as_bytes().get(end) == Some(&b','));
    let start = skip_whitespace(text, after_comma);
    let digits = digit_run_end(text.as_bytes(), start);
    (start > after_comma && digits - start == 4 && ends_word(text, digits)).then_some(start..digits)
}

fn ordinal_suffix_at(text: &str, i: usize) -> bool {
    matches!(
        text.as_bytes().get(i..i + 2),
        Some(b"st" | b"nd" | b"rd" | b"th")
    )
}

fn is_whitespace_at(text: &str, i: usize) -> bool {
    char_at(text, i).is_some_and(char::is_whitespace)
}

/// One or two digits at `start`, as a day: the end of the digits.
fn day_digits_at(text: &str, start: usize) -> Option<usize> {
    let end = digit_run_end(text.as_bytes(), start);
    matches!(end - start, 1 | 2).then_some(end)
}

/// A dash between two days at `end` (after optional whitespace): where the second day starts.
fn day_dash_at(text: &str, end: usize) -> Option<usize> {
    let dash = skip_whitespace(text, end);
    let c = char_at(text, dash).filter(|c| matches!(c, '-' | '–'))?;
    Some(skip_whitespace(text, dash + c.len_utf8()))
}

/// DAY_MONTH_YEAR at the digit run starting at `start`: "5 May 2025", "8th of November".
fn day_month_year_at(text: &str, start: usize) -> Option<DayMonth> {
    let digits = day_digits_at(text, start)?;
    // The day is followed by whitespace, after its ordinal suffix if it has one.
    let day_end = if ordinal_suffix_at(text, digits) {
        digits + 2
    } else {
        digits
    };
    if !is_whitespace_at(text, day_end) {
        return None;
    }
    let mut month_start = skip_whitespace(text, day_end);
    if text.as_bytes().get(month_start..month_start + 2) == Some(&b"of"[..])
        && is_whitespace_at(text, month_start + 2)
    {
        month_start = skip_whitespace(text, month_start + 2);
    }
    let (month, end) = month_at(text, month_start)?;
    Some(DayMonth::new(
        start,
        month,
        start..digits,
        None,
        end,
        end,
        text,
    ))
}

/// MONTH_DAY_YEAR at the month name starting at `start`: "May 5, 2025", "Nov.1".
fn month_day_year_at(text: &str, start: usize) -> Option<DayMonth> {
    let (month, month_end) = month_at(text, start)?;
    let day = skip_whitespace(text, month_end);
    let digits = day_digits_at(text, day)?;
    // `\b` after the day, after its ordinal suffix if it has one.
    let end = if ordinal_suffix_at(text, digits) {
        digits + 2
    } else {
        digits
    };
    if !ends_word(text, end) {
        return None;
    }
    Some(DayMonth::new(
        start,
        month,
        day..digits,
        None,
        end,
        digits,
        text,
    ))
}

/// DAY_RANGE_MONTH at the digit run starting at `start`: "21–23 February 2025".
fn day_range_month_at(text: &str, start: usize) -> Option<DayMonth> {
    let first = day_digits_at(text, start)?;
    let last = day_dash_at(text, first)?;
    let last_end = day_digits_at(text, last)?;
    if !is_whitespace_at(text, last_end) {
        return None;
    }
    let (month, end) = month_at(text, skip_whitespace(text, last_end))?;
    let days = (start..first, Some(last..last_end));
    Some(DayMonth::new(start, month, days.0, days.1, end, end, text))
}

/// MONTH_DAY_RANGE at the month name starting at `start`: "February 21–23, 2025".
fn month_day_range_at(text: &str, start: usize) -> Option<DayMonth> {
    let (month, month_end) = month_at(text, start)?;
    let first = skip_whitespace(text, month_end);
    let first_end = day_digits_at(text, first)?;
    let last = day_dash_at(text, first_end)?;
    let last_end = day_digits_at(text, last)?;
    if !ends_word(text, last_end) {
        return None;
    }
    let days = (first..first_end, Some(last..last_end));
    Some(DayMonth::new(
        start, month, days.0, days.1, last_end, last_end, text,
    ))
}

/// The number written in `text[range]`.
fn number_in(text: &str, range: &Range<usize>) -> Option<i32> {
    text.get(range.clone())?.parse().ok()
}

fn collect_candidates(text: &str) -> Vec<Candidate> {
    let anchors = scan(text);
    let mut out = Vec::new();
    if anchors.digits.is_empty() && anchors.months.is_empty() && anchors.relative.is_empty() {
        return out;
    }
    // Same order as the patterns were once run over the whole text: the sort in
    // `select_non_overlapping` is stable, so it decides between equal spans.
    day_month_candidates(text, &anchors, &mut out);
    day_range_candidates(text, &anchors, &mut out);
    month_candidates(text, &anchors, &mut out);
    year_candidates(text, &anchors, &mut out);
    relative_candidates(text, &anchors, &mut out);
    out
}

fn short_runs(anchors: &Anchors) -> impl Iterator<Item = &Range<usize>> {
    anchors.digits.iter().filter(|r| r.len() <= 2)
}

fn year_runs(anchors: &Anchors) -> impl Iterator<Item = &Range<usize>> {
    anchors.digits.iter().filter(|r| r.len() == 4)
}

fn day_month_candidates(text: &str, anchors: &Anchors, out: &mut Vec<Candidate>) {
    let day_first = non_overlapping(short_runs(anchors).map(|r| r.start), |start| {
        day_month_year_at(text, start).map(|m| (m.whole.clone(), m))
    });
    let month_first = non_overlapping(anchors.months.iter().copied(), |start| {
        month_day_year_at(text, start).map(|m| (m.whole.clone(), m))
    });
    for (whole, m) in day_first.chain(month_first) {
        if continues_number_before(before(text, whole.start)) {
            continue;
        }
        let Some(day) = number_in(text, &m.day).and_then(|d| u8::try_from(d).ok()) else {
            continue;
        };
        // Checked against a leap year here; the real year is checked on resolution.
        if !valid_day(2000, m.month, day) {
            continue;
        }
        let year = m
            .year
            .as_ref()
            .and_then(|y| number_in(text, y))
            .filter(|&y| is_plausible_year(y));
        let date = Loose {
            year,
            month: Some(m.month),
            day: Some(day),
        };
        out.push(Candidate::point(m.span(year), date));
    }
}

fn day_range_candidates(text: &str, anchors: &Anchors, out: &mut Vec<Candidate>) {
    let day_first = non_overlapping(short_runs(anchors).map(|r| r.start), |start| {
        day_range_month_at(text, start).map(|m| (m.whole.clone(), m))
    });
    let month_first = non_overlapping(anchors.months.iter().copied(), |start| {
        month_day_range_at(text, start).map(|m| (m.whole.clone(), m))
    });
    for (whole, m) in day_first.chain(month_first) {
        if continues_number_before(before(text, whole.start)) {
            continue;
        }
        let day = |r: &Range<usize>| number_in(text, r).and_then(|d| u8::try_from(d).ok());
        let (Some(d1), Some(d2)) = (day(&m.day), m.last_day.as_ref().and_then(day)) else {
            continue;
        };
        if d1 >= d2 || !valid_day(2000, m.month, d1) || !valid_day(2000, m.month, d2) {
            continue;
        }
        let year = m
            .year
            .as_ref()
            .and_then(|y| number_in(text, y))
            .filter(|&y| is_plausible_year(y));
        let start = Loose {
            year,
            month: Some(m.month),
            day: Some(d1),
        };
        let end = Loose {
            day: Some(d2),
            ..start
        };
        out.push(Candidate::range(m.span(year), start, end));
    }
}

fn month_candidates(text: &str, anchors: &Anchors, out: &mut Vec<Candidate>) {
    // MONTH_YEAR: "May 2011", "Nov. 2023".
    let month_year = non_overlapping(anchors.months.iter().copied(), |start| {
        let (month, end) = month_at(text, start)?;
        let year = year_tail_at(text, end)?;
        Some((start..year.end, (month, year)))
    });
    for (whole, (month, year)) in month_year {
        if let Some(year) = number_in(text, &year).filter(|&y| is_plausible_year(y)) {
            let date = Loose {
                year: Some(year),
                month: Some(month),
                day: None,
            };
            out.push(Candidate::point(whole, date));
        }
    }
    // CUED_MONTH: the match ends with the month name, so matches cannot overlap.
    for &start in &anchors.months {
        if let Some((month, end)) = cued_month_at(text, start) {
            let date = Loose {
                year: None,
                month: Some(month),
                day: None,
            };
            out.push(Candidate::point(start..end, date));
        }
    }
    let iso = non_overlapping(year_runs(anchors).map(|r| r.start), |start| {
        let end = iso_date_at(text, &(start..start + 4))?;
        Some((start..end, ()))
    });
    for (span, ()) in iso {
        let number = |r: Range<usize>| text.get(r).and_then(|s| s.parse::<i32>().ok());
        let (Some(y), Some(m), Some(d)) = (
            number(span.start..span.start + 4),
            number(span.start + 5..span.start + 7).and_then(|m| u8::try_from(m).ok()),
            number(span.start + 8..span.start + 10).and_then(|d| u8::try_from(d).ok()),
        ) else {
            continue;
        };
        if is_plausible_year(y) && valid_day(y, m, d) {
            let date = Loose {
                year: Some(y),
                month: Some(m),
                day: Some(d),
            };
            out.push(Candidate::point(span, date));
        }
    }
}

fn year_candidates(text: &str, anchors: &Anchors, out: &mut Vec<Candidate>) {
    let year_of = |r: &Range<usize>| number_in(text, r);
    let ranges = non_overlapping(year_runs(anchors).map(|r| r.start), |start| {
        let y1 = start..start + 4;
        let (y2, sep) = year_range_at(text, &y1)?;
        Some((start..y2.end, (y1, y2, sep)))
    });
    for (whole, (y1, y2m, sep)) in ranges {
        let (Some(y1), Some(y2)) = (year_of(&y1), year_of(&y2m)) else {
            continue;
        };
        if !is_plausible_year(y1) || is_quantity(text, whole.start, whole.end) {
            continue;
        }
        let end = if y2m.len() == 2 {
            // "1989-92": same century, rolling over when the short end is smaller.
            let mut end = y1 - y1 % 100 + y2;
            if end < y1 {
                end += 100;
            }
            end
        } else {
            y2
        };
        if end > y1 && is_plausible_year(end) {
            out.push(Candidate::range(whole, Loose::year(y1), Loose::year(end)));
        } else if sep == '-' && y2m.len() == 2 && (1..=12).contains(&y2) {
            // "2025-02": not a range, so an ISO year-month.
            let date = Loose {
                year: Some(y1),
                month: u8::try_from(y2).ok(),
                day: None,
            };
            out.push(Candidate::point(whole, date));
        }
        // Otherwise the bare-year pass below still finds the years on their own.
    }
    let starts = year_runs(anchors)
        .filter(|r| present_may_follow_year(text, r.end))
        .map(|r| r.start);
    for caps in regex_matches(&YEAR_TO_PRESENT, text, starts) {
        let (Some(whole), Some(y)) = (caps.get(0), plausible_group_year(&caps)) else {
            continue;
        };
        if let Some(ym) = caps.name("y") {
            if is_quantity(text, ym.start(), ym.end()) {
                continue;
            }
        }
        out.push(Candidate::point(whole.range(), Loose::year(y)));
    }
    for r in year_runs(anchors) {
        let (Some(end), Some(y)) = (decade_at(text, r), year_of(r)) else {
            continue;
        };
        if !is_plausible_year(y) {
            continue;
        }
        let suffix = after(text, end);
        if BC_AFTER.is_match(suffix)
            || (COUNT_OF_AFTER.is_match(suffix)
                && !DECADE_ARTICLE_BEFORE.is_match(before(text, r.start)))
        {
            continue;
        }
        let last = if y % 100 == 0 && y < 2000 {
            y + 99
        } else {
            y + 9
        };
        if is_plausible_year(last) {
            out.push(Candidate::range(
                r.start..end,
                Loose::year(y),
                Loose::year(last),
            ));
        }
    }
    for r in short_runs(anchors) {
        let (Some(end), Some(n)) = (century_at(text, r), year_of(r)) else {
            continue;
        };
        if BC_AFTER.is_match(after(text, end)) {
            continue;
        }
        let first = (n - 1) * 100;
        if is_plausible_year(first) && is_plausible_year(first + 99) {
            out.push(Candidate::range(
                r.start..end,
                Loose::year(first),
                Loose::year(first + 99),
            ));
        }
    }
    for r in year_runs(anchors) {
        // BARE_YEAR: four digits that are a word of their own.
        let Some(y) = year_of(r).filter(|&y| is_plausible_year(y)) else {
            continue;
        };
        if ends_word(text, r.end) && !is_quantity(text, r.start, r.end) {
            out.push(Candidate::point(r.clone(), Loose::year(y)));
        }
    }
}

fn relative_candidates(text: &str, anchors: &Anchors, out: &mut Vec<Candidate>) {
    if anchors.relative.is_empty() {
        return;
    }
    let mut starts = Vec::new();
    for &word in &anchors.relative {
        relative_starts(text, word, &mut starts);
    }
    starts.sort_unstable();
    starts.dedup();
    out.extend(regex_matches(&RELATIVE, text, starts).filter_map(|caps| relative_candidate(&caps)));
}

/// The candidate a match of `RELATIVE` stands for ("that month", "the year prior", …).
fn relative_candidate(caps: &regex::Captures<'_>) -> Option<Candidate> {
    let whole = caps.get(0)?;
    let kind = if caps.name("month").is_some() {
        Kind::RelativeMonth
    } else if caps.name("prev").is_some() {
        Kind::RelativeYear(-1)
    } else if caps.name("next").is_some() {
        Kind::RelativeYear(1)
    } else {
        Kind::RelativeYear(0)
    };
    Some(Candidate {
        span: whole.range(),
        kind,
    })
}

/// Leftmost, then longest, wins: "21 February 2025" beats "February 2025" and "2025".
fn select_non_overlapping(mut candidates: Vec<Candidate>) -> Vec<Candidate> {
    candidates.sort_by(|a, b| {
        a.span
            .start
            .cmp(&b.span.start)
            .then(b.span.end.cmp(&a.span.end))
    });
    let mut out: Vec<Candidate> = Vec::with_capacity(candidates.len());
    let mut last_end = 0;
    for c in candidates {
        if c.span.start >= last_end {
            last_end = c.span.end;
            out.push(c);
        }
    }
    out
}

/// Joins "between A and B", "from A to B" and "A – B" into one range mention.
fn merge_ranges(text: &str, candidates: Vec<Candidate>) -> Vec<Candidate> {
    let mut out = Vec::with_capacity(candidates.len());
    let mut iter = candidates.into_iter().peekable();
    while let Some(a) = iter.next() {
        if let Some(b) = iter.peek() {
            if let Some(merged) = try_merge(text, &a, b) {
                out.push(merged);
                iter.next();
                continue;
            }
        }
        out.push(a);
    }
    out
}

fn try_merge(text: &str, a: &Candidate, b: &Candidate) -> Option<Candidate> {
    let (
        Kind::Stated { start, .. },
        Kind::Stated {
            start: b_start,
            end,
        },
    ) = (a.kind, b.kind)
    else {
        return None;
    };
    let gap = text.get(a.span.end..b.span.start)?;
    let cue = before(text, a.span.start);
    let joined = GAP_DASH.is_match(gap)
        || (GAP_AND.is_match(gap) && BETWEEN_BEFORE.is_match(cue))
        || (GAP_TO.is_match(gap) && FROM_BEFORE.is_match(cue));
    if !joined {
        return None;
    }
    let (mut start, mut end) = (start, end);
    // Crossing a year end shows as the start falling later in its year than the end.
    let crosses_year_end = start.later_in_year_than(&b_start);
    match (start.year, end.year) {
        // "from 20 December to 5 January 2025": the start borrows the end's year.
        (None, Some(y)) => start.year = Some(if crosses_year_end { y - 1 } else { y }),
        // "from 8 November 2024 to 3 January": the end borrows the start's year.
        (Some(y), None) => end.year = Some(if crosses_year_end { y + 1 } else { y }),
        _ => {}
    }
    if start.year.is_some() != end.year.is_some() || start.key() > end.key() {
        return None;
    }
    Some(Candidate::range(a.span.start..b.span.end, start, end))
}

/// Fills in missing years from the nearest earlier mention or `context_year`,
/// validates, and produces the public mentions.
fn resolve(candidates: Vec<Candidate>, context_year: Option<i32>) -> Vec<DateMention> {
    let context_year = context_year.filter(|&y| is_plausible_year(y));
    let mut out: Vec<DateMention> = Vec::with_capacity(candidates.len());
    for c in candidates {
        let anchor = out.last().map(|m| m.end);
        let base_year = anchor.map(|a| a.year).or(context_year);
        let resolved = match c.kind {
            Kind::Stated { start, end } => resolve_stated(start, end, base_year),
            Kind::RelativeYear(offset) => base_year
                .and_then(|y| y.checked_add(offset))
                .filter(|&y| is_plausible_year(y))
                .map(|y| (PartialDate::year(y), PartialDate::year(y))),
            Kind::RelativeMonth => anchor.and_then(|a| {
                let d = PartialDate::month(a.year, a.month?);
                Some((d, d))
            }),
        };
        if let Some((start, end)) = resolved {
            out.push(DateMention {
                span: c.span,
                start,
                end,
            });
        }
    }
    out
}

fn resolve_stated(
    mut start: Loose,
    mut end: Loose,
    base_year: Option<i32>,
) -> Option<(PartialDate, PartialDate)> {
    if start.year.is_none() {
        let y = base_year?;
        start.year = Some(y);
        if end.year.is_none() {
            end.year = Some(if start.later_in_year_than(&end) {
                y.checked_add(1)?
            } else {
                y
            });
        }
    }
    if end.year.is_none() {
        end.year = start.year;
    }
    let start = finish(start)?;
    let end = finish(end)?;
    (start <= end).then_some((start, end))
}

fn finish(date: Loose) -> Option<PartialDate> {
    let year = date.year.filter(|&y| is_plausible_year(y))?;
    let Some(month) = date.month else {
        return Some(PartialDate::year(year));
    };
    days_in_month(year, month)?;
    Some(match date.day {
        Some(day) if valid_day(year, month, day) => PartialDate::day(year, month, day),
        // "29 February 2025" is not a day; the month is still right.
        _ => PartialDate::month(year, month),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a table case feeds to the extractor.
    #[derive(Debug, Clone, Copy)]
    enum Input {
        /// A phrase copied verbatim from the corpus, with the context year.
        Corpus(&'static str, Option<i32>),
        /// A phrase written for the test (forms the corpus lacks, traps).
        Text(&'static str, Option<i32>),
        /// A section heading for [`heading_year`].
        Heading(&'static str),
        /// A `--since/--until` argument for [`PartialDate::parse_iso`].
        Iso(&'static str),
    }

    // Lower-case constructors so the table reads `corpus("...", None) => [...]`.
    mod kind {
        use super::Input;
        pub const fn corpus(text: &'static str, ctx: Option<i32>) -> Input {
            Input::Corpus(text, ctx)
        }
        pub const fn text(text: &'static str, ctx: Option<i32>) -> Input {
            Input::Text(text, ctx)
        }
        pub const fn heading(text: &'static str) -> Input {
            Input::Heading(text)
        }
        pub const fn iso(text: &'static str) -> Input {
            Input::Iso(text)
        }
    }

    struct Case {
        name: &'static str,
        input: Input,
        want: &'static [&'static str],
    }

    const CORPUS: &str = include_str!("../../corpus/afghanistan-pakistan-relations.txt");

    /// The patterns run over the whole text with `captures_iter`, as the extractor once did:
    /// the specification the scanner in `collect_candidates` must agree with.
    mod reference {
        use super::super::*;

        pub(super) fn collect_candidates(text: &str) -> Vec<Candidate> {
            let mut out = Vec::new();
            day_month_candidates(text, &mut out);
            day_range_candidates(text, &mut out);
            month_candidates(text, &mut out);
            year_candidates(text, &mut out);
            out.extend(
                RELATIVE
                    .captures_iter(text)
                    .filter_map(|caps| relative_candidate(&caps)),
            );
            out
        }

        fn day_month_candidates(text: &str, out: &mut Vec<Candidate>) {
            for re in [&*DAY_MONTH_YEAR, &*MONTH_DAY_YEAR] {
                for caps in re.captures_iter(text) {
                    let Some(whole) = caps.get(0) else { continue };
                    if continues_number_before(before(text, whole.start())) {
                        continue;
                    }
                    let (Some(month), Some(day)) = (
                        caps.name("mon").and_then(|m| month_number(m.as_str())),
                        group_number(&caps, "d").and_then(|d| u8::try_from(d).ok()),
                    ) else {
                        continue;
                    };
                    // Checked against a leap year here; the real year is checked on resolution.
                    if !valid_day(2000, month, day) {
                        continue;
                    }
                    let year = plausible_group_year(&caps);
                    let Some(span) = span_without_bad_year(&caps, year) else {
                        continue;
                    };
                    let date = Loose {
                        year,
                        month: Some(month),
                        day: Some(day),
                    };
                    out.push(Candidate::point(span, date));
                }
            }
        }

        fn day_range_candidates(text: &str, out: &mut Vec<Candidate>) {
            for re in [&*DAY_RANGE_MONTH, &*MONTH_DAY_RANGE] {
                for caps in re.captures_iter(text) {
                    let Some(whole) = caps.get(0) else { continue };
                    if continues_number_before(before(text, whole.start())) {
                        continue;
                    }
                    let month = caps.name("mon").and_then(|m| month_number(m.as_str()));
                    let d1 = group_number(&caps, "d1").and_then(|d| u8::try_from(d).ok());
                    let d2 = group_number(&caps, "d2").and_then(|d| u8::try_from(d).ok());
                    let (Some(month), Some(d1), Some(d2)) = (month, d1, d2) else {
                        continue;
                    };
                    if d1 >= d2 || !valid_day(2000, month, d1) || !valid_day(2000, month, d2) {
                        continue;
                    }
                    let year = plausible_group_year(&caps);
                    let Some(span) = span_without_bad_year(&caps, year) else {
                        continue;
                    };
                    let start = Loose {
                        year,
                        month: Some(month),
                        day: Some(d1),
                    };
                    let end = Loose {
                        day: Some(d2),
                        ..start
                    };
                    out.push(Candidate::range(span, start, end));
                }
            }
        }

        fn month_candidates(text: &str, out: &mut Vec<Candidate>) {
            for caps in MONTH_YEAR.captures_iter(text) {
                let (Some(whole), Some(month)) = (
                    caps.get(0),
                    caps.name("mon").and_then(|m| month_number(m.as_str())),
                ) else {
                    continue;
                };
                if let Some(year) = plausible_group_year(&caps) {
                    let date = Loose {
                        year: Some(year),
                        month: Some(month),
                        day: None,
                    };
                    out.push(Candidate::point(whole.range(), date));
                }
            }
            for caps in CUED_MONTH.captures_iter(text) {
                let Some(mon) = caps.name("mon") else {
                    continue;
                };
                let Some(month) = month_number(mon.as_str()) else {
                    continue;
                };
                let date = Loose {
                    year: None,
                    month: Some(month),
                    day: None,
                };
                out.push(Candidate::point(mon.range(), date));
            }
            for caps in ISO_DATE.captures_iter(text) {
                let Some(whole) = caps.get(0) else { continue };
                let (Some(y), Some(m), Some(d)) = (
                    group_number(&caps, "y"),
                    group_number(&caps, "m").and_then(|m| u8::try_from(m).ok()),
                    group_number(&caps, "d").and_then(|d| u8::try_from(d).ok()),
                ) else {
                    continue;
                };
                if is_plausible_year(y) && valid_day(y, m, d) {
                    let date = Loose {
                        year: Some(y),
                        month: Some(m),
                        day: Some(d),
                    };
                    out.push(Candidate::point(whole.range(), date));
                }
            }
        }

        fn year_candidates(text: &str, out: &mut Vec<Candidate>) {
            for caps in YEAR_RANGE.captures_iter(text) {
                let (Some(whole), Some(y1), Some(y2m), Some(sep)) = (
                    caps.get(0),
                    group_number(&caps, "y1"),
                    caps.name("y2"),
                    caps.name("sep"),
                ) else {
                    continue;
                };
                let Ok(y2) = y2m.as_str().parse::<i32>() else {
                    continue;
                };
                if !is_plausible_year(y1) || is_quantity(text, whole.start(), whole.end()) {
                    continue;
                }
                let end = if y2m.as_str().len() == 2 {
                    // "1989-92": same century, rolling over when the short end is smaller.
                    let mut end = y1 - y1 % 100 + y2;
                    if end < y1 {
                        end += 100;
                    }
                    end
                } else {
                    y2
                };
                if end > y1 && is_plausible_year(end) {
                    out.push(Candidate::range(
                        whole.range(),
                        Loose::year(y1),
                        Loose::year(end),
                    ));
                } else if sep.as_str() == "-" && y2m.as_str().len() == 2 && (1..=12).contains(&y2) {
                    // "2025-02": not a range, so an ISO year-month.
                    let date = Loose {
                        year: Some(y1),
                        month: u8::try_from(y2).ok(),
                        day: None,
                    };
                    out.push(Candidate::point(whole.range(), date));
                }
                // Otherwise the bare-year pass below still finds the years on their own.
            }
            for caps in YEAR_TO_PRESENT.captures_iter(text) {
                let (Some(whole), Some(y)) = (caps.get(0), plausible_group_year(&caps)) else {
                    continue;
                };
                if let Some(ym) = caps.name("y") {
                    if is_quantity(text, ym.start(), ym.end()) {
                        continue;
                    }
                }
                out.push(Candidate::point(whole.range(), Loose::year(y)));
            }
            for caps in DECADE.captures_iter(text) {
                let (Some(whole), Some(y)) = (caps.get(0), plausible_group_year(&caps)) else {
                    continue;
                };
                let suffix = after(text, whole.end());
                if BC_AFTER.is_match(suffix)
                    || (COUNT_OF_AFTER.is_match(suffix)
                        && !DECADE_ARTICLE_BEFORE.is_match(before(text, whole.start())))
                {
                    continue;
                }
                let last = if y % 100 == 0 && y < 2000 {
                    y + 99
                } else {
                    y + 9
                };
                if is_plausible_year(last) {
                    out.push(Candidate::range(
                        whole.range(),
                        Loose::year(y),
                        Loose::year(last),
                    ));
                }
            }
            for caps in CENTURY.captures_iter(text) {
                let (Some(whole), Some(n)) = (caps.get(0), group_number(&caps, "n")) else {
                    continue;
                };
                if BC_AFTER.is_match(after(text, whole.end())) {
                    continue;
                }
                let first = (n - 1) * 100;
                if is_plausible_year(first) && is_plausible_year(first + 99) {
                    out.push(Candidate::range(
                        whole.range(),
                        Loose::year(first),
                        Loose::year(first + 99),
                    ));
                }
            }
            for caps in BARE_YEAR.captures_iter(text) {
                let (Some(whole), Some(y)) = (caps.get(0), plausible_group_year(&caps)) else {
                    continue;
                };
                if !is_quantity(text, whole.start(), whole.end()) {
                    out.push(Candidate::point(whole.range(), Loose::year(y)));
                }
            }
        }
    }

    fn norm(m: &DateMention) -> String {
        if m.start == m.end {
            m.start.to_iso()
        } else {
            format!("{}..{}", m.start.to_iso(), m.end.to_iso())
        }
    }

    fn run(input: Input) -> Vec<String> {
        match input {
            Input::Corpus(text, ctx) | Input::Text(text, ctx) => {
                extract_dates(text, ctx).iter().map(norm).collect()
            }
            Input::Heading(text) => heading_year(text)
                .map(|y| y.to_string())
                .into_iter()
                .collect(),
            Input::Iso(text) => PartialDate::parse_iso(text)
                .map(|d| d.to_iso())
                .into_iter()
                .collect(),
        }
    }

    /// One `#[test]` per row (so a failure names the phrase) plus the `CASES` table
    /// that the precision/recall test scores as a whole.
    macro_rules! gen_date_tests {
        ($($name:ident: $kind:ident($($arg:expr),+) => [$($want:expr),* $(,)?],)+) => {
            const CASES: &[Case] = &[$(Case {
                name: stringify!($name),
                input: kind::$kind($($arg),+),
                want: &[$($want),*],
            },)+];
            $(
                #[test]
                fn $name() {
                    let input = kind::$kind($($arg),+);
                    let want: &[&str] = &[$($want),*];
                    assert_eq!(run(input), want, "input: {input:?}");
                }
            )+
        };
    }

    gen_date_tests! {
        // --- Plain years in date context (corpus) ---
        c_since_1948: corpus("Afghanistan and Pakistan have maintained diplomatic relations since 1948.", None) => ["1948"],
        c_in_1952_commas: corpus("and, in 1952, published a tract laying claim", None) => ["1952"],
        c_in_1960: corpus("In 1960, the Afghan military under Prime Minister Daoud Khan", None) => ["1960"],
        c_ouster_1963: corpus("It was only after Khan's ouster in 1963 when both countries re-established ties.", None) => ["1963"],
        c_until_1994: corpus("Pakistan aided the Hezb-e Islami Gulbuddin until 1994 when the Inter-Service Intelligence (ISI)", None) => ["1994"],
        c_overthrow_2001: corpus("Following the overthrow of the Taliban in 2001,", None) => ["2001"],
        c_takeover_2021: corpus("Pakistan voiced support for the Taliban takeover of Afghanistan in 2021.", None) => ["2021"],
        c_agreement_1893: corpus("The Durand Line border was established after the 1893 Durand Line Agreement", None) => ["1893"],
        c_president_1973: corpus("Mohammed Daoud Khan became President of Afghanistan in 1973.", None) => ["1973"],
        c_government_1992: corpus("Although the victorious mujahideen formed a government in 1992 through the Peshawar Accords,", None) => ["1992"],
        c_funding_1994: corpus("Pakistan was heavily involved in creating and funding the Taliban in 1994.", None) => ["1994"],
        c_late_1996: corpus("In late 1996, the Islamic Emirate of Afghanistan emerged", None) => ["1996"],
        c_in_2006: corpus("In 2006, Afghan president Hamid Karzai warned", None) => ["2006"],
        c_in_2007: corpus("In 2007, Afghan intelligence captured Muhammad Hanif, the Taliban spokesman.", None) => ["2007"],
        c_in_2017: corpus("In 2017, the Pakistani military have accused Afghanistan of sheltering various terrorist groups", None) => ["2017"],
        c_in_2015: corpus("In 2015, Inter-Services Intelligence and National Directorate of Security inked a memorandum of understanding.", None) => ["2015"],
        c_late_2022: corpus("In late 2022, Pakistan's embassy in Kabul came under attack", None) => ["2022"],
        c_visit_2022: corpus("during an official visit to Afghanistan in 2022, Pakistani officials", None) => ["2022"],
        c_nato_attack_2011: corpus("especially after the 2011 NATO attack in Pakistan.", None) => ["2011"],
        c_billion_by_2015: corpus("Trade between Pakistan and Afghanistan is expected to reach $5 billion by 2015.", None) => ["2015"],
        c_world_bank_2012: corpus("A 2012 World Bank report added, \"In contrast, Afghanistan’s economy grew robustly by about 11 percent", None) => ["2012"],
        c_escalate_2025: corpus("As border tensions between Afghanistan and Pakistan escalate in 2025,", None) => ["2025"],
        c_since_at_least_2005: corpus("which has been in the making since at least 2005.", None) => ["2005"],
        c_since_2024_feb_2026: corpus("Since 2024, border skirmishes between the two countries have risen to an all-time high, escalating into a direct war in February 2026.", None) => ["2024", "2026-02"],
        c_in_the_2025_conflict: corpus("Taliban retaliated on 11 October and the hostilities culminated into the 2025 Afghanistan–Pakistan conflict. A truce was achieved on 19 October", Some(2025)) => ["2025-10-11", "2025", "2025-10-19"],

        // --- Month and year (corpus) ---
        c_august_1947: corpus("through the partition of British India in August 1947", None) => ["1947-08"],
        c_october_1947: corpus("withdrew from the negative vote days later in October 1947.", None) => ["1947-10"],
        c_by_october_1947_in_1948: corpus("withdrew its vote by October 1947 and both countries established close diplomatic relations in 1948.", None) => ["1947-10", "1948"],
        c_around_september_1994: corpus("Around September 1994, the Taliban movement captured the Afghan city of Kandahar", None) => ["1994-09"],
        c_may_2011_same_year: corpus(concat!(
            "After the May 2011 death of Osama bin Laden in Pakistan, many prominent Afghan figures began being assassinated, ",
            "including Mohammed Daud Daud, Ahmad Wali Karzai, Jan Mohammad Khan, Ghulam Haider Hamidi, Burhanuddin Rabbani and others. ",
            "Also in the same year, the Afghanistan–Pakistan skirmishes intensified"), None) => ["2011-05", "2011"],
        c_may_2017: corpus("After the May 2017 Kabul attack, the Afghan National Directorate of Security (NDS) claimed", None) => ["2017-05"],
        c_january_2018_trap_57800: corpus("In January 2018, Khawaja Asif, the then foreign minister of Pakistan, claimed that US had carried out about 57,800 attacks on Afghanistan from Pakistani bases.", None) => ["2018-01"],
        c_december_2021: corpus("In December 2021, foreign ministers of the 56 nations belonging to the Organization of Islamic Cooperation", None) => ["2021-12"],
        c_april_2022: corpus("Following the ouster of Imran Khan in April 2022, Pakistan Air Force conducted air raids", None) => ["2022-04"],
        c_june_2022: corpus("Following the June 2022 Afghanistan earthquake, Pakistan sent trucks carrying relief materials", None) => ["2022-06"],
        c_july_2024: corpus("In July 2024, Khawaja Asif confirmed in an interview with the BBC", None) => ["2024-07"],
        c_october_2025: corpus("In October 2025, during Afghan Acting Foreign Minister Amir Khan Muttaqi’s official visit to India", None) => ["2025-10"],
        c_december_2025_trap_1000: corpus("In December 2025, over 1,000 Afghan Islamic scholars issued a joint resolution", None) => ["2025-12"],
        c_july_2010: corpus("In July 2010, a Memorandum of understanding (MoU) was reached between Pakistan and Afghanistan", None) => ["2010-07"],
        c_october_2010: corpus("In October 2010, the landmark APTTA agreement was signed by Pakistani Commerce Minister Makhdoom Amin Fahim", None) => ["2010-10"],
        c_november_2010: corpus("In November 2010, the two states formed a joint chamber of commerce", None) => ["2010-11"],
        c_june_2011: corpus("delivered fruits from Afghanistan to the Wagah border with India in June 2011.", None) => ["2011-06"],
        c_july_2012: corpus("In July 2012, Afghanistan and Pakistan agreed to extend APTTA to Tajikistan", None) => ["2012-07"],
        c_september_2023_late_april_2025: corpus("since the launch of Pakistan’s \"Illegal Foreigners Repatriation Plan\" in September 2023, over 910,000 Afghans have been deported from Pakistan as of late April 2025.", None) => ["2023-09", "2025-04"],
        c_by_october_2025_later_that_month: corpus(concat!(
            "By October 2025, Pakistan had deported or pressured over one million Afghans to return to Taliban-controlled Afghanistan, ",
            "including many awaiting US resettlement after working with American forces. The deportations escalated after President Donald Trump ",
            "suspended refugee admissions, leaving thousands in limbo. While Pakistani authorities had previously honored US-issued protection letters, ",
            "reports indicated police increasingly ignored them. A senior Pakistani Foreign Ministry official acknowledged some \"missteps at the operational level\" ",
            "but denied large-scale deportations of US-affiliated Afghans. Later that month, Pakistan's Defence Minister Khawaja Asif accused Afghan refugees"), None) => ["2025-10", "2025-10"],
        c_april_2025_trap_1755: corpus("In April 2025, at least 1,755 women were reported to have been deported in the first week of the month.", None) => ["2025-04"],

        // --- Full dates (corpus) ---
        c_30_march_1955: corpus("On 30 March 1955, a pro-Pashtunistan group attacked the embassy", None) => ["1955-03-30"],
        c_16_may_2015: corpus("On 16 May 2015, the Pakistani army launched an operation", None) => ["2015-05-16"],
        c_6_september_2023: corpus("On 6 September 2023, two military posts located close to the Afghanistan border", None) => ["2023-09-06"],
        c_october_6_2023_nov_1: corpus("On October 6, 2023, Pakistan announced the deportation of 1.7 million undocumented Afghan immigrants. A deadline of Nov.1 was announced for people to leave or face forcible expulsion.", None) => ["2023-10-06", "2023-11-01"],
        c_november_10_2023_till_31_december: corpus("On November 10, 2023, Pakistan announced that it has extended the legal residence status of registered Afghan refugees till 31 December 2023", None) => ["2023-11-10", "2023-12-31"],
        c_24_december_2024: corpus("On 24 December 2024, Taliban authorities accused Pakistan of carrying out airstrikes", None) => ["2024-12-24"],
        c_25_december_context_trap_46: corpus("On 25 December, a Taliban government official said the strikes had killed 46 people, most of them women and children.", Some(2024)) => ["2024-12-25"],
        c_28_december_2024: corpus("On 28 December 2024, Afghanistan reportedly launched retaliatory strikes on Pakistan.", None) => ["2024-12-28"],
        c_21_february_2025: corpus("The Torkham border crossing between Pakistan and Afghanistan was shut on 21 February 2025 due to a dispute", None) => ["2025-02-21"],
        c_28_february_2025: corpus("On 28 February 2025, a suicide bombing at the Darul Uloom Haqqania seminary in Akora Khattak", None) => ["2025-02-28"],
        c_14_march_2025: corpus("On 14 March 2025, Pakistan Military's Director General ISPR Lieutenant General Ahmed Sharif Chaudhry", None) => ["2025-03-14"],
        c_9_october_2025: corpus("On 9 October 2025, Kabul was struck by two explosions", None) => ["2025-10-09"],
        c_8_november_context: corpus("On 8 November, talks between the two countries collapsed again but the ceasefire continued.", Some(2025)) => ["2025-11-08"],
        c_8_november_no_context: corpus("On 8 November, talks between the two countries collapsed again but the ceasefire continued.", None) => [],
        c_22_february_2026_then_6_february: corpus(concat!(
            "On 22 February 2026, Pakistani military conducted airstrikes at seven locations in Afghanistan's Nangarhar, Paktika, and Khost provinces, ",
            "stating it was targeting camps belonging to the Tehrik-i-Taliban Pakistan (TTP) and affiliated groups. Pakistan's Information Minister ",
            "Attaullah Tarar described the operations as \"intelligence-based, selective\" strikes conducted in response to recent attacks inside Pakistan, ",
            "including a 6 February bombing at a mosque in Islamabad that killed at least 31 people."), None) => ["2026-02-22", "2026-02-06"],
        c_26_february_2026: corpus("On 26 February 2026, clashes erupted between Pakistani and Afghan forces along the Durand Line", None) => ["2026-02-26"],
        c_3_october_2023_by_november: corpus("On 3 October 2023, Pakistan ordered all undocumented Afghan asylum seekers—estimated at 1.7 million individuals—to leave the country by November.", None) => ["2023-10-03", "2023-11"],
        c_5_february_2025: corpus("On 5 February 2025, the UN refugee and migration agencies, UNHCR and International Organization for Migration (IOM)", None) => ["2025-02-05"],
        c_march_2025_by_31_march: corpus("In March 2025, Pakistan extended the deportation program to all documented Afghan migrants and ordered them to leave by 31 March.", None) => ["2025-03", "2025-03-31"],
        c_30_april_in_april_context: corpus("However, the deadline was extended to 30 April. In April, Pakistan expelled over 80,000 Afghan nationals.", Some(2025)) => ["2025-04-30", "2025-04"],
        c_deadline_31_march_2025: corpus("local authorities set a deadline of 31 March 2025, for the expulsion of all undocumented Afghan nationals.", None) => ["2025-03-31"],

        // --- Ranges, decades, centuries (corpus) ---
        c_soviet_war_ranges: corpus("Pakistan supported the Afghan mujahideen in the Soviet–Afghan War (1979–1989) and the First Afghan Civil War (1989–1992).", None) => ["1979..1989", "1989..1992"],
        c_second_civil_war_range: corpus("In the course of the Second Afghan Civil War (1992–1996), Pakistan aided the Hezb-e Islami Gulbuddin until 1994", None) => ["1992..1996", "1994"],
        c_emirate_1996_2001: corpus("Taliban-led Islamic Emirate of Afghanistan (1996–2001)", None) => ["1996..2001"],
        c_between_1961_and_1963: corpus("Diplomatic relations were cut off between 1961 and 1963 after Afghanistan supported more armed separatists in Pakistan, leading to skirmishes between the two states earlier in 1960", None) => ["1961..1963", "1960"],
        c_between_1994_and_1999: corpus("between 1994 and 1999, an estimated few Pakistanis volunteers trained and fought in Afghanistan", None) => ["1994..1999"],
        c_in_office_2004_2014: corpus("Former Afghan President Hamid Karzai (in office 2004–2014) has described Pakistan and Afghanistan as \"inseparable brothers\"", None) => ["2004..2014"],
        c_between_1_january_and_8_november: corpus("At least 100,971 Afghans were detained between 1 January and 8 November 2025, compared with 9,066 during the same period in 2024.", None) => ["2025-01-01..2025-11-08", "2024"],
        c_during_the_1980s: corpus("During the 1980s, relations remained tense as the Durand Line was heavily used by Afghan refugees", None) => ["1980..1989"],
        c_early_1990s: corpus("Pakistan-backed mujahideen factions eventually overthrew Najibullah's regime in the early 1990s.", None) => ["1990..1999"],
        c_mid_20th_century: corpus("prevented the normalization of bilateral ties between the countries throughout the mid-20th century.", None) => ["1900..1999"],
        c_millennium_bc: corpus("The Pashtuns have lived in this region for thousands of years, since at least the 1st millennium BC.", None) => [],

        // --- Relative years (corpus) ---
        c_the_year_prior: corpus("The year 2025 saw an elevenfold increase to the arrests of Afghans compared to the year prior, according to the UNHCR.", None) => ["2025", "2024"],
        c_same_year_context: corpus("Towards the end of the same year, both the governments of Afghanistan and Pakistan drafted plans to talk to the Taliban.", Some(2012)) => ["2012"],
        c_same_year_no_context: corpus("Towards the end of the same year, both the governments of Afghanistan and Pakistan drafted plans to talk to the Taliban.", None) => [],
        c_last_decade_unresolved: corpus("The Durand Line border has been used in the last decade as the main supply route for NATO-led forces", None) => [],

        // --- Traps (corpus): no dates ---
        c_trap_250000: corpus("Pakistan became a major training ground for roughly 250,000 foreign mujahideen fighters", None) => [],
        c_trap_pkr_10_billion: corpus("He alleged that Afghan interlocutors had offered to relocate these sanctuaries in exchange for PKR 10 billion,", None) => [],
        c_trap_19_troops: corpus("claimed that the strikes killed 19 Pakistani troops and three Afghan civilians.", None) => [],
        c_trap_5000_trucks: corpus("Over 5,000 trucks carrying goods remained stranded, causing financial losses.", None) => [],
        c_trap_six_people_20_others: corpus("killed at least six people, including religious scholar Hamid-ul-Haq, and injured 20 others.", None) => [],
        c_trap_70_militants: corpus("Pakistan's Interior Ministry stated that at least 70 militants were killed, a figure later revised to 80 by Pakistani state media.", None) => [],
        c_trap_pkr_trillion_usd_billion_percent: corpus("estimated at around PKR 3.4 trillion (approximately USD 12–13 billion) per year in total lost tax revenue; about 30 % of these losses", None) => [],
        c_trap_usd_5_million_may: corpus("Some investigative reporting claims that approximately USD 5 million worth of goods may be smuggled daily", None) => [],
        c_trap_5_billion_1_billion: corpus("bilateral trade could have exceeded $5 billion, but has now fallen to less than $1 billion due to repeated disruptions", None) => [],
        c_trap_1_3_million_880000: corpus("Around 1.3 million Afghans are registered refugees in Pakistan and 880,000 more have legal status to remain", None) => [],
        c_trap_800000: corpus("whose number stood over 800,000.", None) => [],
        c_trap_60_years: corpus("\"60 million Afghan refugees for 60 years of hospitality\"", None) => [],
        c_trap_3_million: corpus("mass deportations targeting nearly 3 million Afghan nationals", None) => [],
        c_trap_district_8: corpus("particularly in the eastern sectors near Abdul Haq Square, District 8.", None) => [],
        c_trap_150_million_monthly: corpus("with some estimates suggesting USD 150 million monthly in dollar smuggling", None) => [],
        c_no_date_sentence: corpus("Pakistan claimed that Afghanistan is building unlawful structures on the border which violates Pakistan's territorial sovereignty.", None) => [],

        // --- Forms the brief names that the corpus lacks ---
        t_nov_dot_space_1: text("The deadline was Nov. 1, 2023.", None) => ["2023-11-01"],
        t_jan_abbrev: text("Talks resumed on Jan 15, 2024 in Doha.", None) => ["2024-01-15"],
        t_sept_abbrev: text("after the Sept. 11 attacks of 2001", Some(2001)) => ["2001-09-11", "2001"],
        t_sept_day_first: text("signed on 5 Sept 2001", None) => ["2001-09-05"],
        t_ordinal_of: text("on the 8th of November 2025", None) => ["2025-11-08"],
        t_in_the_2019_election: text("Ghani won in the 2019 election.", None) => ["2019"],
        t_from_1961_to_1963: text("relations were cut from 1961 to 1963", None) => ["1961..1963"],
        t_hyphen_range: text("the war of 1979-1989", None) => ["1979..1989"],
        t_em_dash_range: text("the war of 1979—1989", None) => ["1979..1989"],
        t_spaced_dash_range: text("the war of 1979 – 1989", None) => ["1979..1989"],
        t_short_range: text("the civil war of 1989-92", None) => ["1989..1992"],
        t_short_range_rollover: text("the winter of 1999–01", None) => ["1999..2001"],
        t_iso_year_month_not_range: text("released 2025-02 by the ministry", None) => ["2025-02"],
        t_to_present: text("Contemporary era (2021–present)", None) => ["2021"],
        t_the_1980s_and_1990s: text("through the 1980s and 1990s", None) => ["1980..1989", "1990..1999"],
        t_mid_1990s: text("by the mid-1990s", None) => ["1990..1999"],
        t_decade_range: text("in the 1990s–2000s", None) => ["1990..2009"],
        t_the_1800s_century: text("in the 1800s the British arrived", None) => ["1800..1899"],
        t_the_2000s_decade: text("in the 2000s NATO arrived", None) => ["2000..2009"],
        t_21st_century: text("the 21st century", None) => ["2000..2099"],
        t_iso_date: text("updated 2025-02-21.", None) => ["2025-02-21"],
        t_day_range: text("talks on 21–23 February 2025", None) => ["2025-02-21..2025-02-23"],
        t_month_day_range: text("talks on February 21-23, 2025", None) => ["2025-02-21..2025-02-23"],
        t_between_months: text("between March and May 2025", None) => ["2025-03..2025-05"],
        t_range_borrow_rollover: text("from 20 December to 5 January 2025", None) => ["2024-12-20..2025-01-05"],
        t_following_year: text("The Taliban fell in 2001; the following year a loya jirga met.", None) => ["2001", "2002"],
        t_year_from_earlier_date: text("On 24 December 2024 strikes hit Barmal. On 25 December officials spoke.", Some(1999)) => ["2024-12-24", "2024-12-25"],
        t_feb_29_leap: text("on 29 February 2024", None) => ["2024-02-29"],
        t_feb_30_falls_back_to_month: text("on 30 February 2025", None) => ["2025-02"],
        t_feb_29_context_non_leap: text("on 29 February", Some(2025)) => ["2025-02"],
        t_in_2010_afghans_voted: text("In 2010 Afghans voted in parliamentary elections.", None) => ["2010"],
        t_descending_not_range: text("2014–2004", None) => ["2014", "2004"],
        t_fiscal_year_slash: text("the 2023/24 fiscal year", None) => ["2023..2024"],
        t_season_short_range: text("the 2011–12 season", None) => ["2011..2012"],
        t_between_capitalised: text("Between 2010 and 2012 trade doubled", None) => ["2010..2012"],
        t_from_until: text("Karzai led from 2001 until 2014.", None) => ["2001..2014"],
        t_ordinal_suffix_mdy: text("Saturday, November 8th, 2025", None) => ["2025-11-08"],

        // --- Traps the brief names that the corpus lacks ---
        t_trap_2600_km: text("the 2600 km border", None) => [],
        t_trap_2000_km: text("a 2000 km border", None) => [],
        t_trap_2_500_km: text("the 2,500 km Durand Line", None) => [],
        t_trap_1500_troops: text("deployed 1500 troops to the border", None) => [],
        t_trap_some_1500_afghans: text("some 1500 Afghans crossed", None) => [],
        t_trap_between_soldiers: text("between 1000 and 2000 soldiers", None) => [],
        t_trap_range_troops: text("1000–2000 troops", None) => [],
        t_trap_dollars: text("a $2000 fee", None) => [],
        t_trap_usd_million: text("USD 1500 million in aid", None) => [],
        t_trap_pkr: text("fined PKR 2000 per truck", None) => [],
        t_trap_resolution: text("under Resolution 1373", None) => [],
        t_trap_years_ago: text("settled 2000 years ago", None) => [],
        t_trap_percent: text("a 1200% rise", None) => [],
        t_trap_more_than: text("more than 1500 were arrested", None) => [],
        t_trap_bc: text("around 1000 BC", None) => [],
        t_trap_thousands_decade: text("1000s of refugees", None) => [],
        t_trap_decimal: text("a ratio of 0.2025 and 2025.5", None) => [],
        t_trap_code: text("an F-2000 jet", None) => [],
        t_trap_implausible_year: text("in 2500 and 999", None) => [],
        t_trap_may_modal: text("Goods May be smuggled", None) => [],
        t_trap_solar_hijri: text("in 1400 SH the ministry", None) => [],
        t_trap_count_no_cue: text("2020 people came", None) => [],
        t_trap_over_count: text("Over 2000 Afghans", None) => [],
        t_trap_day_month_no_year_no_context: text("on 25 Dec the talks", None) => [],

        // --- heading_year ---
        h_2025_conflict: heading("2025 Afghanistan–Pakistan conflict") => ["2025"],
        h_2026_strikes: heading("2026 cross-border strikes") => ["2026"],
        h_to_present: heading("Contemporary era (2021–present)") => ["2021"],
        h_soviet_war: heading("Soviet–Afghan War (1979–1989)") => ["1979"],
        h_no_year_history: heading("From the Afghan civil wars to the war on terror") => [],
        h_no_year_contemporary: heading("Contemporary era after the Taliban regains power") => [],
        h_no_year_trade: heading("Afghan-Pak Transit Trade Agreement") => [],

        // --- PartialDate::parse_iso ---
        i_year: iso("2025") => ["2025"],
        i_month: iso("2025-02") => ["2025-02"],
        i_day: iso("2025-02-21") => ["2025-02-21"],
        i_leap_day: iso("2024-02-29") => ["2024-02-29"],
        i_leap_2000: iso("2000-02-29") => ["2000-02-29"],
        i_trimmed: iso(" 2025-02 ") => ["2025-02"],
        i_bad_month_13: iso("2025-13") => [],
        i_bad_month_00: iso("2025-00") => [],
        i_bad_digits: iso("20x5") => [],
        i_bad_feb_30: iso("2025-02-30") => [],
        i_bad_feb_29_non_leap: iso("2023-02-29") => [],
        i_bad_feb_29_1900: iso("1900-02-29") => [],
        i_bad_april_31: iso("2025-04-31") => [],
        i_bad_short_month: iso("2025-2-1") => [],
        i_bad_extra_part: iso("2025-02-21-01") => [],
        i_bad_empty: iso("") => [],
        i_bad_arabic_digits: iso("٢٠٢٥") => [],
        i_bad_sign: iso("+202") => [],
    }

    /// Multiset intersection size of two lists of normalised mentions.
    fn matched(got: &[String], want: &[&str]) -> usize {
        let mut left: Vec<&str> = want.to_vec();
        got.iter()
            .filter(|g| {
                left.iter()
                    .position(|w| w == g)
                    .map(|i| left.swap_remove(i))
                    .is_some()
            })
            .count()
    }

    #[test]
    fn table_precision_and_recall() {
        let (mut tp, mut n_got, mut n_want) = (0usize, 0usize, 0usize);
        let (mut extract_cases, mut corpus_cases, mut trap_cases, mut other_cases) = (0, 0, 0, 0);
        for case in CASES {
            match case.input {
                Input::Corpus(..) | Input::Text(..) => {
                    extract_cases += 1;
                    if matches!(case.input, Input::Corpus(..)) {
                        corpus_cases += 1;
                    }
                    if case.want.is_empty() {
                        trap_cases += 1;
                    }
                    let got = run(case.input);
                    let hit = matched(&got, case.want);
                    if hit != got.len() || hit != case.want.len() {
                        println!("MISMATCH {}: got {got:?}, want {:?}", case.name, case.want);
                    }
                    tp += hit;
                    n_got += got.len();
                    n_want += case.want.len();
                }
                Input::Heading(_) | Input::Iso(_) => other_cases += 1,
            }
        }
        let precision = if n_got == 0 {
            1.0
        } else {
            tp as f64 / n_got as f64
        };
        let recall = if n_want == 0 {
            1.0
        } else {
            tp as f64 / n_want as f64
        };
        println!(
            "date table: {} cases ({extract_cases} extraction: {corpus_cases} corpus phrases, {trap_cases} with no date; {other_cases} heading/parse_iso)",
            CASES.len()
        );
        println!(
            "date mentions: {n_want} expected, {n_got} extracted, {tp} matched; precision {precision:.3}, recall {recall:.3}"
        );
        assert!(CASES.len() >= 70);
        assert!(corpus_cases >= 50);
        assert!(precision >= 0.95, "precision {precision:.3}");
        assert!(recall >= 0.95, "recall {recall:.3}");
    }

    #[test]
    fn corpus_phrases_are_verbatim() {
        for case in CASES {
            if let Input::Corpus(text, _) = case.input {
                assert!(
                    CORPUS.contains(text),
                    "{} is not in the corpus: {text:?}",
                    case.name
                );
            }
        }
        let names: BTreeSet<&str> = CASES.iter().map(|c| c.name).collect();
        assert_eq!(names.len(), CASES.len(), "case names are unique");
    }

    #[test]
    fn spans_cover_the_date_text() {
        let cases: &[(&str, &[&str])] = &[
            ("On 30 March 1955, a group", &["30 March 1955"]),
            (
                "Islamic Emirate of Afghanistan (1996–2001) against",
                &["1996–2001"],
            ),
            (
                "detained between 1 January and 8 November 2025, compared",
                &["1 January and 8 November 2025"],
            ),
            (
                "In 2023 a deadline of Nov.1 was announced",
                &["2023", "Nov.1"],
            ),
            ("On October 6, 2023, Pakistan", &["October 6, 2023"]),
            ("in the early 1990s.", &["1990s"]),
            ("compared to the year prior, in 2025", &["2025"]),
            (
                "In 2025, compared to the year prior.",
                &["2025", "the year prior"],
            ),
            ("Contemporary era (2021–present)", &["2021–present"]),
            ("on 5 May 3000 in Kabul", &[]),
        ];
        for (text, want) in cases {
            let got: Vec<&str> = extract_dates(text, None)
                .iter()
                .map(|m| &text[m.span.clone()])
                .collect();
            assert_eq!(&got, want, "spans in {text:?}");
        }
        // A rejected year leaves the day and month to take their year from context.
        let m = extract_dates("on 5 May 3000 in Kabul", Some(2020));
        assert_eq!(m.len(), 1);
        assert_eq!(&"on 5 May 3000 in Kabul"[m[0].span.clone()], "5 May");
        assert_eq!(m[0].start, PartialDate::day(2020, 5, 5));
    }

    #[test]
    fn scanner_agrees_with_the_regexes() {
        let check = |text: &str| {
            assert_eq!(
                collect_candidates(text),
                reference::collect_candidates(text),
                "candidates in {text:?}"
            );
        };
        for line in CORPUS.lines() {
            check(line);
        }
        check(CORPUS);
        for case in CASES {
            if let Input::Corpus(text, _) | Input::Text(text, _) | Input::Heading(text) = case.input
            {
                check(text);
            }
        }
        // Generated text from the fragments the patterns and the scanner care about:
        // boundaries (letters, digits and marks of other scripts next to a number),
        // whitespace of every kind, dashes, and the case folding of `(?i)` (ſ, K).
        let parts = [
            "1", "9", "0", "12", "2025", "1980", "1989", "92", "20", "19999", "–", "-", "—", "/",
            " ", "  ", "\n", "\u{a0}", "\u{2009}", ",", ".", "'", "’", "s", "st", "th", "of",
            "the", "a", "that", "same", "year", "YEAR", "month", "prior", "later", "present", "to",
            "until", "century", "Century", "February", "Feb", "Sept", "May", "Mayor", "June", "in",
            "In", "ſince", "end", "start", "mid", "between", "from", "and", "km", "people", "USD",
            "$", "BC", "é", "٢", "\u{301}", "_", "x", "(", ")",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..10 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(parts[(state % parts.len() as u64) as usize]);
            }
            check(&text);
        }
    }

    #[test]
    fn partial_date_basics() {
        assert_eq!(PartialDate::year(2025).to_iso(), "2025");
        assert_eq!(PartialDate::month(2025, 2).to_iso(), "2025-02");
        assert_eq!(PartialDate::day(2025, 2, 21).to_iso(), "2025-02-21");
        assert_eq!(PartialDate::year(999).to_iso(), "0999");
        assert_eq!(PartialDate::year(-44).to_iso(), "-44");
        assert!(PartialDate::year(2025) < PartialDate::month(2025, 1));
        assert!(PartialDate::month(2024, 12) < PartialDate::year(2025));
        for s in ["2025", "2025-02", "2025-02-21"] {
            assert_eq!(
                PartialDate::parse_iso(s).map(|d| d.to_iso()).as_deref(),
                Some(s)
            );
        }
    }

    #[test]
    fn years_covered_expands_ranges() {
        let m = extract_dates(
            "In the Soviet–Afghan War (1979–1989), and in 2025; also in 1985.",
            None,
        );
        let want: Vec<i32> = (1979..=1989).chain([2025]).collect();
        assert_eq!(years_covered(&m), want);
        let long = DateMention {
            span: 0..0,
            start: PartialDate::year(1000),
            end: PartialDate::year(2000),
        };
        let century = DateMention {
            span: 0..0,
            start: PartialDate::year(1900),
            end: PartialDate::year(1999),
        };
        assert_eq!(years_covered(std::slice::from_ref(&long)), vec![1000, 2000]);
        assert_eq!(years_covered(std::slice::from_ref(&century)).len(), 100);
        let extreme = DateMention {
            span: 0..0,
            start: PartialDate::year(i32::MAX),
            end: PartialDate::year(i32::MIN),
        };
        assert_eq!(years_covered(&[extreme]), vec![i32::MIN, i32::MAX]);
        assert!(years_covered(&[]).is_empty());
    }

    #[test]
    fn whole_corpus_no_panic_and_plausible_years() {
        let mut context = None;
        let (mut paragraphs, mut mentions) = (0usize, 0usize);
        let mut all = Vec::new();
        for line in CORPUS.lines() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            if line.starts_with('=') {
                context = heading_year(line.trim_matches(|c: char| c == '=' || c.is_whitespace()));
                continue;
            }
            paragraphs += 1;
            let found = extract_dates(line, context);
            let mut prev_start = 0;
            for m in &found {
                assert!(m.span.start < m.span.end && line.get(m.span.clone()).is_some());
                assert!(m.span.start >= prev_start, "text order");
                prev_start = m.span.end;
                assert!(m.start <= m.end);
                for d in [m.start, m.end] {
                    assert!(is_plausible_year(d.year), "{d:?} in {line:?}");
                    if let (Some(month), Some(day)) = (d.month, d.day) {
                        assert!(valid_day(d.year, month, day));
                    }
                }
            }
            mentions += found.len();
            all.extend(found);
        }
        let years = years_covered(&all);
        println!(
            "corpus: {paragraphs} paragraphs, {mentions} date mentions, {} distinct years ({:?}..{:?})",
            years.len(),
            years.first(),
            years.last()
        );
        assert!(years.iter().all(|&y| is_plausible_year(y)));
        for y in [1893, 1947, 1955, 1985, 2001, 2025, 2026] {
            assert!(years.contains(&y), "corpus covers {y}");
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        let odd = [
            "",
            "–",
            "99999999999999999999 February 99999999999999999999",
            "00 January 0000",
            "31 February",
            "1989-",
            "-92",
            "between and",
            "from  to 2025",
            "2100s 2090s 0990s 1000s",
            "99th century 0th century 1st century",
            "٢٠٢٥ ۲۰۲۵ २०२५ 2025",
            "😀2025😀 é1999é 1999é",
            "Nov.\u{a0}1, 2023 and 8\u{a0}November",
            "the same year that month the year prior",
            "1979–1989–1999–2009",
            "May May May 2011 2011 2011",
        ];
        for ctx in [None, Some(2025), Some(i32::MAX), Some(i32::MIN), Some(0)] {
            for text in odd {
                for m in extract_dates(text, ctx) {
                    assert!(text.get(m.span.clone()).is_some());
                    assert!(is_plausible_year(m.start.year) && is_plausible_year(m.end.year));
                }
                let _ = heading_year(text);
                let _ = PartialDate::parse_iso(text);
            }
        }
        // Deterministic soup of the fragments the patterns care about.
        let parts = [
            "1",
            "9",
            "2025",
            "1989",
            "92",
            "–",
            "-",
            "—",
            " ",
            "  ",
            ",",
            ".",
            "'",
            "s",
            "th",
            "February",
            "Nov",
            "May",
            "between",
            "and",
            "from",
            "to",
            "present",
            "century",
            "BC",
            "km",
            "people",
            "USD",
            "$",
            "at least",
            "since",
            "the same year",
            "that month",
            "é",
            "😀",
            "\u{a0}",
            "\n",
            "٢",
        ];
        let mut state: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..2000 {
            let mut text = String::new();
            for _ in 0..12 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(parts[(state % parts.len() as u64) as usize]);
            }
            for m in extract_dates(&text, Some(2024)) {
                assert!(text.get(m.span.clone()).is_some());
                assert!(m.start <= m.end);
                assert!(is_plausible_year(m.start.year) && is_plausible_year(m.end.year));
            }
        }
        // Long input (100 kB, kept small because debug-build regexes are slow): no panic.
        let big = "On 8 November 2025, 5,000 trucks and 1979–1989. ".repeat(2_000);
        assert_eq!(extract_dates(&big, None).len(), 4_000);
    }
}
