//! Years and dates as a user filters by them: `--year`, `--since`/`--until`, `--sort date`,
//! `--facets`, and every bad value.

use crate::util::{texts, TestDir};
use predicates::prelude::*;

fn years(hit: &serde_json::Value) -> Vec<i64> {
    hit["years"]
        .as_array()
        .expect("years")
        .iter()
        .filter_map(|y| y.as_i64())
        .collect()
}

#[test]
fn year_filter_keeps_the_2025_shutdown_and_drops_the_2023_incident() {
    let dir = TestDir::with_article();
    let hits = dir.json(&["--year", "2025", "Torkham closure"]);
    let texts = texts(&hits);
    assert!(texts[0].contains("shut on 21 February 2025"), "{texts:#?}");
    assert!(
        texts.iter().all(|t| !t.contains("firing incident")),
        "{texts:#?}"
    );
    assert!(hits.iter().all(|h| years(h).contains(&2025)));
}

#[test]
fn year_inside_a_range_finds_the_soviet_war_and_the_1980s() {
    let dir = TestDir::with_article();
    let hits = dir.json(&["--year", "1985", "Soviet"]);
    let texts = texts(&hits);
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Soviet–Afghan War (1979–1989)")),
        "{texts:#?}"
    );
    assert!(
        texts.iter().any(|t| t.contains("During the 1980s")),
        "{texts:#?}"
    );
    assert!(hits.iter().all(|h| years(h).contains(&1985)));
}

#[test]
fn year_ranges_and_date_bounds_combine() {
    let dir = TestDir::with_article();
    let hits = dir.json(&["-n", "100", "--year", "2023..2024", "Pakistan"]);
    assert!(!hits.is_empty());
    assert!(hits
        .iter()
        .all(|h| years(h).iter().any(|y| (2023..=2024).contains(y))));
    // --until 2024-06 is inclusive to the end of June 2024; --since 2023 from 1 January 2023.
    let hits = dir.json(&["-n", "100", "--since", "2023", "--until", "2024-06"]);
    assert!(!hits.is_empty());
    for hit in &hits {
        let dates: Vec<&str> = hit["dates"]
            .as_array()
            .expect("dates")
            .iter()
            .filter_map(|d| d.as_str())
            .collect();
        let overlaps = dates.iter().any(|d| {
            let (start, end) = d.split_once('/').unwrap_or((d, d));
            // ISO strings of one precision compare like dates; pad to compare across precisions.
            let pad = |s: &str, last: bool| {
                let fill = if last { "-12-31" } else { "-01-01" };
                format!("{s}{}", &fill[s.len() - 4..])
            };
            pad(start, false).as_str() <= "2024-06-30" && pad(end, true).as_str() >= "2023-01-01"
        });
        assert!(overlaps, "{} has no date in range: {dates:?}", hit["id"]);
    }
    // The same bounds with a query narrow further.
    let hits = dir.json(&["--since", "2025-02-21", "--until", "2025-02-28", "Torkham"]);
    assert_eq!(hits.len(), 1);
    assert!(texts(&hits)[0].contains("21 February 2025"));
}

#[test]
fn filters_alone_list_paragraphs_in_corpus_order() {
    let dir = TestDir::with_article();
    let hits = dir.json(&["-n", "100", "--year", "2026"]);
    assert!(hits.len() >= 2, "{hits:?}");
    let ordinals: Vec<i64> = hits
        .iter()
        .filter_map(|h| h["paragraph"].as_i64())
        .collect();
    let mut sorted = ordinals.clone();
    sorted.sort_unstable();
    assert_eq!(ordinals, sorted);
    assert!(hits.iter().all(|h| h["score"] == 0.0));
}

#[test]
fn sort_by_date_is_a_timeline() {
    let dir = TestDir::with_article();
    let hits = dir.json(&["-n", "100", "--sort", "date", "Durand"]);
    assert!(hits.len() >= 3);
    let first_years: Vec<i64> = hits
        .iter()
        .filter_map(|h| years(h).first().copied())
        .collect();
    let mut sorted = first_years.clone();
    sorted.sort_unstable();
    assert_eq!(first_years, sorted, "not chronological");
}

#[test]
fn facets_count_every_matching_paragraph() {
    let dir = TestDir::with_article();
    // Only one hit shown, but counts cover both Torkham paragraphs.
    let output = dir
        .cmd()
        .args(["--json", "--facets", "-n", "1", "Torkham"])
        .output()
        .expect("run");
    let stdout = String::from_utf8(output.stdout).expect("utf8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{stdout}");
    let facets: serde_json::Value = serde_json::from_str(lines[1]).expect("json");
    assert_eq!(
        facets["facets"]["years"],
        serde_json::json!({"2023": 1, "2025": 1})
    );
    assert!(facets["facets"]["entities"].is_object());

    dir.cmd()
        .args(["--facets", "Torkham"])
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Paragraphs per year")
                .and(predicate::str::is_match(r"(?m)^  2023 █+ 1$").expect("regex"))
                .and(predicate::str::is_match(r"(?m)^  2025 █+ 1$").expect("regex")),
        );
}

#[test]
fn bad_filter_values_are_one_line_errors() {
    let dir = TestDir::with_article();
    for args in [
        &["--year", "20x5", "x"][..],
        &["--year", "2025..2023", "x"],
        &["--year", "", "x"],
        &["--since", "2025-13", "x"],
        &["--until", "2025-02-30", "x"],
        &["--since", "yesterday"],
        &["--since", "2025", "--until", "2024"],
        &["--sort", "alphabet", "x"],
    ] {
        let output = dir.cmd().args(args).output().expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        if !args.contains(&"--sort") {
            assert_eq!(stderr.trim_end().lines().count(), 1, "{args:?}: {stderr}");
        }
    }
}

#[test]
fn json_lines_dates_are_filterable() {
    let dir = TestDir::new();
    dir.write(
        "news.jsonl",
        concat!(
            "{\"id\": \"a\", \"title\": \"Border\", \"text\": \"Crossing reopened.\", \"date\": \"2025-03-23\"}\n",
            "{\"id\": \"b\", \"title\": \"Border\", \"text\": \"Crossing closed again.\", \"date\": \"2024-11-02\"}\n",
        ),
    );
    let hits = dir.json(&["--since", "2025-01", "crossing"]);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0]["id"], "a");
    assert_eq!(hits[0]["dates"], serde_json::json!(["2025-03-23"]));
    let hits = dir.json(&["--sort", "date", "crossing"]);
    let ids: Vec<&str> = hits.iter().filter_map(|h| h["id"].as_str()).collect();
    assert_eq!(ids, ["b", "a"]);
}
