//! Printers for search results: a human one for terminals and a JSON-lines one for programs.
//!
//! Printers take finished [`SearchResults`] and a writer; they never run queries. The human
//! printer is generic over [`WriteColor`], so tests print into `NoColor<Vec<u8>>` and the binary
//! decides colour and width.

pub mod terminal;

use crate::search::facets::{EntityCount, Facets};
use crate::search::typo::Correction;
use crate::search::{Hit, SearchResults};
use serde::Serialize;
use std::io::{self, Write};
use termcolor::{Color, ColorSpec, WriteColor};
use terminal::{sanitize, spans, wrap, Span};

/// How the human printer lays out text.
#[derive(Debug, Clone, Copy, Default)]
pub struct HumanOptions {
    /// Wrap excerpts to this many columns; `None` prints each excerpt on one line (for pipes).
    pub width: Option<usize>,
}

const INDENT: &str = "    ";

fn title_spec() -> ColorSpec {
    let mut spec = ColorSpec::new();
    spec.set_fg(Some(Color::Magenta)).set_bold(true);
    spec
}

fn location_spec() -> ColorSpec {
    let mut spec = ColorSpec::new();
    spec.set_fg(Some(Color::Green));
    spec
}

fn match_spec() -> ColorSpec {
    let mut spec = ColorSpec::new();
    spec.set_fg(Some(Color::Red)).set_bold(true);
    spec
}

fn dim_spec() -> ColorSpec {
    let mut spec = ColorSpec::new();
    spec.set_dimmed(true);
    spec
}

fn write_spans<W: WriteColor>(out: &mut W, line: &[Span]) -> io::Result<()> {
    for span in line {
        if span.highlighted {
            out.set_color(&match_spec())?;
            out.write_all(span.text.as_bytes())?;
            out.reset()?;
        } else {
            out.write_all(span.text.as_bytes())?;
        }
    }
    Ok(())
}

/// The `title › section › sub` path of a hit.
pub fn breadcrumb(hit: &Hit) -> String {
    std::iter::once(hit.title.as_str())
        .chain(hit.section.iter().map(String::as_str))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" › ")
}

fn write_hit<W: WriteColor>(out: &mut W, hit: &Hit, options: &HumanOptions) -> io::Result<()> {
    write!(out, "{:>2}. ", hit.rank)?;
    out.set_color(&title_spec())?;
    write!(out, "{}", sanitize(&breadcrumb(hit)))?;
    out.reset()?;
    writeln!(out)?;
    out.write_all(INDENT.as_bytes())?;
    out.set_color(&location_spec())?;
    write!(out, "{} ¶{}", sanitize(&hit.file), hit.paragraph)?;
    out.reset()?;
    let mut meta = Vec::new();
    if hit.score > 0.0 {
        meta.push(format!("score {:.2}", hit.score));
    }
    if !hit.years.is_empty() {
        meta.push(year_summary(&hit.years));
    }
    if !meta.is_empty() {
        out.set_color(&dim_spec())?;
        write!(out, " · {}", meta.join(" · "))?;
        out.reset()?;
    }
    writeln!(out)?;
    let excerpt = spans(&hit.excerpt.text, &hit.excerpt.highlights);
    let lines = match options.width {
        Some(width) => wrap(&excerpt, width.saturating_sub(INDENT.len())),
        None => vec![excerpt],
    };
    for line in lines {
        out.write_all(INDENT.as_bytes())?;
        write_spans(out, &line)?;
        writeln!(out)?;
    }
    Ok(())
}

/// `1979–1989, 2001` from a sorted list of years.
pub fn year_summary(years: &[i32]) -> String {
    let mut parts = Vec::new();
    let mut iter = years.iter().copied().peekable();
    while let Some(start) = iter.next() {
        let mut end = start;
        while iter.peek() == Some(&(end + 1)) {
            end = iter.next().unwrap_or(end);
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}–{end}")
        });
    }
    parts.join(", ")
}

/// Prints results for a person: numbered hits with their section path, location, and excerpt.
pub fn write_human<W: WriteColor>(
    out: &mut W,
    results: &SearchResults,
    options: &HumanOptions,
) -> io::Result<()> {
    for (i, hit) in results.hits.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        write_hit(out, hit, options)?;
    }
    if results.total == 0 {
        return Ok(());
    }
    let noun = if results.total == 1 {
        "paragraph"
    } else {
        "paragraphs"
    };
    // A search that did not count every match knows only a lower bound: say so.
    let at_least = if results.total_is_exact {
        ""
    } else {
        "at least "
    };
    let total = results.total;
    // A page past the last hit, or of none (`-n 0`), still says how many matched.
    let shown = match (results.hits.first(), results.hits.last()) {
        (Some(first), Some(last)) => {
            writeln!(out)?;
            format!("{}–{} of ", first.rank, last.rank)
        }
        _ => String::new(),
    };
    out.set_color(&dim_spec())?;
    write!(out, "{shown}{at_least}{total} matching {noun}")?;
    out.reset()?;
    writeln!(out)?;
    Ok(())
}

/// The line that tells a person a word was corrected:
/// `showing results for "Torkham" (no match for "Torkam"; --exact to turn this off)`.
pub fn correction_note(correction: &Correction) -> String {
    format!(
        "showing results for \"{}\" (no match for \"{}\"; --exact to turn this off)",
        sanitize(&correction.to),
        sanitize(&correction.from)
    )
}

/// The line that tells the user a word of the query is in no paragraph (and was not
/// corrected), so that hits matching the other words are not taken for answers to all of them.
pub fn missing_note(word: &str) -> String {
    format!("no paragraph contains \"{}\"", sanitize(word))
}

/// Widest histogram bar, in characters.
const BAR_WIDTH: usize = 40;

/// Year rows for the histogram: runs of consecutive years with equal counts share a row.
pub fn year_rows(years: &std::collections::BTreeMap<i32, u64>) -> Vec<(String, u64)> {
    let mut rows: Vec<(i32, i32, u64)> = Vec::new();
    for (&year, &count) in years {
        match rows.last_mut() {
            Some((_, end, c)) if *end + 1 == year && *c == count => *end = year,
            _ => rows.push((year, year, count)),
        }
    }
    rows.into_iter()
        .map(|(start, end, count)| {
            let label = if start == end {
                start.to_string()
            } else {
                format!("{start}–{end}")
            };
            (label, count)
        })
        .collect()
}

/// Prints facet counts for a person: a year histogram and the top entities per kind.
pub fn write_facets<W: WriteColor>(out: &mut W, facets: &Facets) -> io::Result<()> {
    out.set_color(&title_spec())?;
    write!(out, "Paragraphs per year")?;
    out.reset()?;
    writeln!(out)?;
    let rows = year_rows(&facets.years);
    if rows.is_empty() {
        writeln!(out, "  (no dates in the matching paragraphs)")?;
    }
    let label_width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(4);
    let max = rows.iter().map(|(_, c)| *c).max().unwrap_or(1).max(1);
    for (label, count) in &rows {
        let bar = ((*count as usize * BAR_WIDTH) as f64 / max as f64).ceil() as usize;
        writeln!(
            out,
            "  {label:>label_width$} {} {count}",
            "█".repeat(bar.max(1))
        )?;
    }
    if !facets.entities.is_empty() {
        writeln!(out)?;
        out.set_color(&title_spec())?;
        write!(out, "Entities")?;
        out.reset()?;
        writeln!(out)?;
        write_entity_rows(out, &facets.entities, usize::MAX)?;
    }
    Ok(())
}

/// One row per entity kind: `  place  Pakistan 52 · Afghanistan 44 · …`, at most `per_kind`
/// names a row. `entities` are grouped by kind, most frequent first (as [`Facets`] holds them).
pub fn write_entity_rows<W: Write>(
    out: &mut W,
    entities: &[EntityCount],
    per_kind: usize,
) -> io::Result<()> {
    let mut kinds: Vec<&str> = entities.iter().map(|e| e.kind.as_str()).collect();
    kinds.dedup();
    let kind_width = kinds.iter().map(|k| k.len()).max().unwrap_or(0);
    for kind in kinds {
        let names: Vec<String> = entities
            .iter()
            .filter(|e| e.kind.as_str() == kind)
            .take(per_kind)
            .map(|e| format!("{} {}", sanitize(&e.name), e.count))
            .collect();
        writeln!(out, "  {kind:<kind_width$}  {}", names.join(" · "))?;
    }
    Ok(())
}

/// The final `--json` line with the facet counts: `{"facets": {"years": {...}, "entities": {...}}}`.
pub fn write_json_facets<W: Write>(out: &mut W, facets: &Facets) -> io::Result<()> {
    let years: serde_json::Map<String, serde_json::Value> = facets
        .years
        .iter()
        .map(|(y, c)| (y.to_string(), (*c).into()))
        .collect();
    let entities: serde_json::Map<String, serde_json::Value> = facets
        .entities
        .iter()
        .map(|e| (e.name.clone(), e.count.into()))
        .collect();
    let line = serde_json::json!({ "facets": { "years": years, "entities": entities } });
    serde_json::to_writer(&mut *out, &line)?;
    out.write_all(b"\n")
}

/// One hit as printed by `--json`.
#[derive(Serialize)]
struct JsonHit<'a> {
    rank: usize,
    score: f32,
    id: &'a str,
    file: &'a str,
    title: &'a str,
    section: &'a [String],
    paragraph: u32,
    text: &'a str,
    snippet: &'a str,
    highlights: Vec<[usize; 2]>,
    years: &'a [i32],
    dates: &'a [String],
    entities: Vec<JsonEntity<'a>>,
    corrections: &'a [Correction],
    missing: &'a [String],
}

#[derive(Serialize)]
struct JsonEntity<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
}

/// Prints one JSON object per hit per line. `highlights` are `[start, end)` character offsets
/// into `snippet`. `corrections` repeats on every line the query's corrected words
/// (`[{"from": "Torkam", "to": "Torkham"}]`, or `[]`), and `missing` the words found in no
/// paragraph (`["zzyzx"]`, or `[]`), so that each line stands on its own.
/// Text is kept exact; JSON escaping makes control characters harmless.
pub fn write_json<W: Write>(out: &mut W, results: &SearchResults) -> io::Result<()> {
    for hit in &results.hits {
        let line = JsonHit {
            rank: hit.rank,
            score: hit.score,
            id: &hit.id,
            file: &hit.file,
            title: &hit.title,
            section: &hit.section,
            paragraph: hit.paragraph,
            text: &hit.text,
            snippet: &hit.excerpt.text,
            highlights: hit.excerpt.char_highlights(),
            years: &hit.years,
            dates: &hit.dates,
            entities: hit
                .entities
                .iter()
                .map(|e| JsonEntity {
                    name: &e.name,
                    kind: e.kind.as_str(),
                })
                .collect(),
            corrections: &results.corrections,
            missing: &results.missing,
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)] // one highlighted word is the common case
mod tests {
    use super::*;
    use crate::search::snippet::Excerpt;
    use termcolor::{Ansi, NoColor};

    fn results() -> SearchResults {
        SearchResults {
            total: 2,
            total_is_exact: true,
            hits: vec![Hit {
                rank: 1,
                score: 7.5,
                id: "a.txt#3".into(),
                file: "a.txt".into(),
                title: "Relations".into(),
                section: vec!["History".into(), "Contemporary".into()],
                paragraph: 3,
                text: "The Torkham crossing was shut.".into(),
                excerpt: Excerpt {
                    text: "The Torkham crossing was shut.".into(),
                    highlights: vec![4..11],
                },
                years: vec![2023, 2024, 2025],
                dates: vec!["2025-02-21".into()],
                entities: vec![],
            }],
            notes: vec![],
            corrections: vec![],
            missing: vec![],
            facets: None,
        }
    }

    #[test]
    fn human_plain() {
        let mut out = NoColor::new(Vec::new());
        write_human(&mut out, &results(), &HumanOptions { width: Some(80) }).expect("write");
        let text = String::from_utf8(out.into_inner()).expect("utf8");
        assert_eq!(
            text,
            " 1. Relations › History › Contemporary\n    a.txt ¶3 · score 7.50 · 2023–2025\n    The Torkham crossing was shut.\n\n1–1 of 2 matching paragraphs\n"
        );
    }

    #[test]
    fn human_says_when_the_total_is_a_lower_bound() {
        let mut r = results();
        r.total = 40;
        r.total_is_exact = false;
        let mut out = NoColor::new(Vec::new());
        write_human(&mut out, &r, &HumanOptions { width: Some(80) }).expect("write");
        let text = String::from_utf8(out.into_inner()).expect("utf8");
        assert!(
            text.ends_with("\n1–1 of at least 40 matching paragraphs\n"),
            "{text:?}"
        );
    }

    #[test]
    fn human_counts_the_matches_of_an_empty_page() {
        let mut r = results();
        r.hits.clear();
        let mut out = NoColor::new(Vec::new());
        write_human(&mut out, &r, &HumanOptions { width: Some(80) }).expect("write");
        assert_eq!(out.into_inner(), b"2 matching paragraphs\n");
        r.total = 0;
        let mut out = NoColor::new(Vec::new());
        write_human(&mut out, &r, &HumanOptions { width: Some(80) }).expect("write");
        assert_eq!(out.into_inner(), b"");
    }

    #[test]
    fn human_colour_marks_matches() {
        let mut out = Ansi::new(Vec::new());
        write_human(&mut out, &results(), &HumanOptions::default()).expect("write");
        let text = String::from_utf8(out.into_inner()).expect("utf8");
        assert!(
            text.contains("\x1b[0m\x1b[1m\x1b[31mTorkham\x1b[0m"),
            "{text:?}"
        );
    }

    #[test]
    fn json_offsets_are_characters() {
        let mut r = results();
        r.hits[0].excerpt = Excerpt {
            text: "Pakistan’s Torkham".into(),
            highlights: vec![13..20],
        };
        let mut out = Vec::new();
        write_json(&mut out, &r).expect("write");
        let value: serde_json::Value = serde_json::from_slice(&out).expect("json");
        assert_eq!(value["highlights"], serde_json::json!([[11, 18]]));
        assert_eq!(
            value["section"],
            serde_json::json!(["History", "Contemporary"])
        );
    }

    #[test]
    fn json_carries_corrections_on_every_hit() {
        let mut r = results();
        let mut out = Vec::new();
        write_json(&mut out, &r).expect("write");
        let value: serde_json::Value = serde_json::from_slice(&out).expect("json");
        assert_eq!(value["corrections"], serde_json::json!([]));
        r.corrections = vec![Correction {
            from: "Torkam".into(),
            to: "Torkham".into(),
        }];
        let mut out = Vec::new();
        write_json(&mut out, &r).expect("write");
        let value: serde_json::Value = serde_json::from_slice(&out).expect("json");
        assert_eq!(
            value["corrections"],
            serde_json::json!([{"from": "Torkam", "to": "Torkham"}])
        );
    }

    #[test]
    fn correction_note_names_both_words() {
        let correction = Correction {
            from: "Torkam".into(),
            to: "Torkham\x1b[31m".into(),
        };
        assert_eq!(
            correction_note(&correction),
            "showing results for \"Torkham\u{241b}[31m\" (no match for \"Torkam\"; --exact to turn this off)"
        );
    }

    #[test]
    fn missing_note_names_the_word_harmlessly() {
        assert_eq!(missing_note("zzyzx"), "no paragraph contains \"zzyzx\"");
        assert_eq!(
            missing_note("zz\x1b[31m"),
            "no paragraph contains \"zz\u{241b}[31m\""
        );
        let mut r = results();
        r.missing = vec!["zzyzx".into()];
        let mut out = Vec::new();
        write_json(&mut out, &r).expect("write");
        let value: serde_json::Value = serde_json::from_slice(&out).expect("json");
        assert_eq!(value["missing"], serde_json::json!(["zzyzx"]));
    }

    #[test]
    fn year_histogram_collapses_equal_runs() {
        let years = [(1979, 2), (1980, 2), (1981, 2), (1985, 1), (2025, 4)]
            .into_iter()
            .collect();
        assert_eq!(
            year_rows(&years),
            [
                ("1979–1981".to_string(), 2),
                ("1985".to_string(), 1),
                ("2025".to_string(), 4)
            ]
        );
        let facets = Facets {
            years,
            entities: vec![],
        };
        let mut out = NoColor::new(Vec::new());
        write_facets(&mut out, &facets).expect("write");
        let text = String::from_utf8(out.into_inner()).expect("utf8");
        assert_eq!(
            text,
            format!(
                "Paragraphs per year\n  1979–1981 {} 2\n       1985 {} 1\n       2025 {} 4\n",
                "█".repeat(20),
                "█".repeat(10),
                "█".repeat(40)
            )
        );
    }

    #[test]
    fn years_are_summarised_as_ranges() {
        assert_eq!(
            year_summary(&[1979, 1980, 1981, 2001, 2003, 2004]),
            "1979–1981, 2001, 2003–2004"
        );
        assert_eq!(year_summary(&[]), "");
    }
}
