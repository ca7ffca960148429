//! Entities as a user filters and browses them: `--entity` (any alias), `--entity-type`,
//! entity facets, and `afsearch entities`.

use crate::util::{texts, TestDir};
use predicates::prelude::*;

fn entity_names(hit: &serde_json::Value) -> Vec<String> {
    hit["entities"]
        .as_array()
        .expect("entities")
        .iter()
        .filter_map(|e| e["name"].as_str().map(str::to_string))
        .collect()
}

#[test]
fn entity_filter_finds_ttp_strikes_not_barmal() {
    let dir = TestDir::with_article();
    let hits = dir.json(&["--entity", "TTP", "airstrikes"]);
    let texts = texts(&hits);
    assert!(
        texts.iter().any(|t| t.contains("On 22 February 2026")),
        "{texts:#?}"
    );
    assert!(texts.iter().all(|t| !t.contains("Barmal")), "{texts:#?}");
    // Without the filter, the Barmal strikes do match the words.
    let unfiltered = crate::util::texts(&dir.json(&["-n", "50", "airstrikes"]));
    assert!(unfiltered.iter().any(|t| t.contains("Barmal")));
}

#[test]
fn any_alias_finds_every_spelling() {
    let dir = TestDir::with_article();
    let hits = dir.json(&["-n", "100", "--entity", "Tehreek-e-Taliban Pakistan"]);
    let texts = texts(&hits);
    assert!(
        texts
            .iter()
            .any(|t| t.contains("TTP") && !t.contains("Tehreek")),
        "{texts:#?}"
    );
    assert!(
        texts.iter().any(|t| t.contains("Tehrik-i-Taliban")),
        "{texts:#?}"
    );
    // Case-insensitive, and the same set whichever alias is used.
    let ids = |hits: &[serde_json::Value]| -> Vec<String> {
        hits.iter().map(|h| h["id"].to_string()).collect()
    };
    let by_acronym = dir.json(&["-n", "100", "--entity", "ttp"]);
    assert_eq!(ids(&hits), ids(&by_acronym));
    assert!(
        hits.iter().all(|h| entity_names(h)
            .iter()
            .any(|n| n == "Tehrik-i-Taliban Pakistan")),
        "{hits:?}"
    );
}

#[test]
fn repeated_entity_requires_all() {
    let dir = TestDir::with_article();
    let hits = dir.json(&["-n", "100", "--entity", "ISI", "--entity", "Taliban"]);
    assert!(!hits.is_empty());
    for hit in &hits {
        let names = entity_names(hit);
        assert!(
            names.iter().any(|n| n == "Inter-Services Intelligence"),
            "{names:?}"
        );
        assert!(names.iter().any(|n| n == "Taliban"), "{names:?}");
    }
    let isi = dir.json(&["-n", "100", "--entity", "Inter-Service Intelligence"]);
    assert!(isi.len() > hits.len() || isi.len() == hits.len());
}

#[test]
fn entity_type_filter() {
    let dir = TestDir::with_article();
    let hits = dir.json(&["-n", "100", "--entity-type", "person", "Durand"]);
    assert!(!hits.is_empty());
    assert!(hits.iter().all(|h| h["entities"]
        .as_array()
        .expect("entities")
        .iter()
        .any(|e| e["type"] == "person")));
    dir.cmd()
        .args(["--entity-type", "planet", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "expected person, organisation, place, event or other",
        ));
}

#[test]
fn unknown_entity_matches_nothing() {
    let dir = TestDir::with_article();
    dir.cmd().args(["--entity", "Zzyzx Q"]).assert().code(1);
    dir.cmd().args(["--entity", " ", "x"]).assert().code(2);
}

#[test]
fn entity_facets_in_json_and_terminal() {
    let dir = TestDir::with_article();
    let output = dir
        .cmd()
        .args(["--json", "--facets", "Torkham"])
        .output()
        .expect("run");
    let stdout = String::from_utf8(output.stdout).expect("utf8");
    let last: serde_json::Value =
        serde_json::from_str(stdout.lines().last().expect("line")).expect("json");
    assert_eq!(last["facets"]["entities"]["Torkham"], 2, "{last}");
    dir.cmd()
        .args(["--facets", "Torkham"])
        .assert()
        .success()
        .stdout(
            predicate::str::is_match(r"(?m)^Entities\n(  \w+ +.*\n)+")
                .expect("regex")
                .and(predicate::str::contains("Torkham 2")),
        );
}

#[test]
fn entities_subcommand_lists_counts_and_aliases() {
    let dir = TestDir::with_article();
    let output = dir
        .cmd()
        .args(["entities", "--json", "-n", "1000"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).expect("utf8");
    let rows: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    let counts: Vec<u64> = rows.iter().filter_map(|r| r["count"].as_u64()).collect();
    assert!(
        counts.windows(2).all(|w| w[0] >= w[1]),
        "not most frequent first"
    );
    let ttp = rows
        .iter()
        .find(|r| r["name"] == "Tehrik-i-Taliban Pakistan")
        .expect("TTP listed");
    assert_eq!(ttp["type"], "organisation");
    let aliases: Vec<&str> = ttp["aliases"]
        .as_array()
        .expect("aliases")
        .iter()
        .filter_map(|a| a.as_str())
        .collect();
    assert!(aliases.contains(&"TTP"), "{aliases:?}");
    // A query narrows the paragraphs counted; --type narrows the kinds listed.
    dir.cmd()
        .args(["entities", "--type", "person", "Karzai"])
        .assert()
        .success()
        .stdout(predicate::str::contains("person"))
        .stdout(predicate::str::contains("organisation").not());
    dir.cmd().args(["entities", "qqqzzz"]).assert().code(1);
}
