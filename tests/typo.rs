//! Typo tolerance as a user meets it (issue 5): a word that matches nothing is searched as the
//! closest word of the corpus, afsearch says so, `--exact` turns it off.

use crate::util::{outputs, texts, TestDir, ARTICLE};
use afsearch::{Record, SearchIndex, SearchRequest};
use predicates::prelude::*;

const TORKHAM_NOTE: &str =
    "afsearch: showing results for \"Torkham\" (no match for \"Torkam\"; --exact to turn this off)";

#[test]
fn misspelt_word_finds_the_corpus_word_and_says_so() {
    let dir = TestDir::with_article();
    dir.cmd().arg("index").assert().success();
    let output = dir.cmd().arg("Torkam").output().expect("run");
    let (stdout, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.trim_end(), TORKHAM_NOTE);
    assert!(
        stdout.contains("The Torkham border crossing between Pakistan and Afghanistan was shut"),
        "{stdout}"
    );
    assert!(
        stdout.contains("A firing incident occurred near Torkham border crossing"),
        "{stdout}"
    );
    assert!(stdout.contains("1–2 of 2 matching paragraphs"), "{stdout}");
}

#[test]
fn corrected_word_is_highlighted() {
    let dir = TestDir::with_article();
    dir.cmd()
        .args(["--color", "always", "Torkam"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "\x1b[0m\x1b[1m\x1b[31mTorkham\x1b[0m",
        ));
    // Its place in the JSON highlights too.
    let hits = dir.json(&["Torkam"]);
    for hit in &hits {
        let snippet: Vec<char> = hit["snippet"].as_str().expect("snippet").chars().collect();
        let marked: Vec<String> = hit["highlights"]
            .as_array()
            .expect("highlights")
            .iter()
            .map(|r| {
                let (s, e) = (r[0].as_u64().expect("start"), r[1].as_u64().expect("end"));
                snippet[s as usize..e as usize].iter().collect()
            })
            .collect();
        assert_eq!(marked, ["Torkham"], "{hit}");
    }
}

#[test]
fn exact_searches_the_word_as_typed() {
    let dir = TestDir::with_article();
    dir.cmd().arg("index").assert().success();
    dir.cmd()
        .args(["--exact", "Torkam"])
        .assert()
        .code(1)
        .stdout("")
        .stderr("");
    // And a correct word is found exactly as before.
    dir.cmd()
        .args(["--exact", "Torkham"])
        .assert()
        .success()
        .stderr("");
}

#[test]
fn json_carries_the_correction() {
    let dir = TestDir::with_article();
    let hits = dir.json(&["Torkam"]);
    assert_eq!(hits.len(), 2);
    for hit in &hits {
        assert_eq!(
            hit["corrections"],
            serde_json::json!([{"from": "Torkam", "to": "Torkham"}]),
            "{hit}"
        );
    }
    let hits = dir.json(&["Torkham"]);
    assert_eq!(hits[0]["corrections"], serde_json::json!([]));
    let hits = dir.json(&["--exact", "Torkam"]);
    assert!(hits.is_empty());
}

#[test]
fn two_edits_only_for_words_of_nine_letters_or_more() {
    let dir = TestDir::with_article();
    dir.cmd().arg("index").assert().success();
    // `Balochstn`, 9 letters: a missing `i` and a missing `a`.
    let output = dir
        .cmd()
        .args(["--json", "Balochstn"])
        .output()
        .expect("run");
    let (_, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("showing results for \"Balochistan\" (no match for \"Balochstn\""),
        "{stderr}"
    );
    let hits: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("json"))
        .collect();
    assert!(texts(&hits).iter().all(|t| t.contains("Balochistan")));
    // `Peshwr`, 6 letters, is two edits from `Peshawar`: too far for a short word.
    dir.cmd().arg("Peshwr").assert().code(1).stderr("");
    // One edit is enough for it: `Peshwar`.
    dir.cmd()
        .arg("Peshwar")
        .assert()
        .success()
        .stderr(predicate::str::contains("showing results for \"Peshawar\""));
}

#[test]
fn words_under_five_letters_are_never_corrected() {
    let dir = TestDir::with_article();
    dir.cmd().arg("index").assert().success();
    // `Kabl` is one edit from `Kabul`, but four letters have too many neighbours to guess.
    dir.cmd().arg("Kabl").assert().code(1).stdout("").stderr("");
}

#[test]
fn phrases_and_exclusions_are_taken_as_typed() {
    let dir = TestDir::with_article();
    dir.cmd().arg("index").assert().success();
    dir.cmd().arg("\"Torkam\"").assert().code(1).stderr("");
    // Excluding a word that is nowhere excludes nothing; it is not turned into `Torkham`.
    let hits = dir.json(&["-n", "100", "border -Torkam"]);
    assert!(texts(&hits).iter().any(|t| t.contains("Torkham")));
}

/// Every word of the article is found as it is: a correct word is never "corrected".
#[test]
fn correct_words_are_never_corrected() {
    let index = SearchIndex::from_records(
        ARTICLE
            .split("\n\n")
            .enumerate()
            .map(|(i, paragraph)| Record::new(i.to_string(), "", paragraph)),
    )
    .expect("index");
    let mut words: Vec<&str> = ARTICLE
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 5 && w.chars().all(char::is_alphabetic))
        .collect();
    words.sort_unstable();
    words.dedup();
    assert!(words.len() > 500, "{}", words.len());
    for word in words {
        let results = index
            .search(&SearchRequest::new(word).limit(1))
            .expect("search");
        assert!(
            results.corrections.is_empty(),
            "{word}: {:?}",
            results.corrections
        );
        assert!(results.total > 0, "{word}");
    }
}
