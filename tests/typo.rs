//! Typo tolerance as a user meets it (issue 5): a word that matches nothing is searched as the
//! closest word of the corpus, afsearch says so, `--exact` turns it off.

use crate::util::{outputs, texts, TestDir, ARTICLE};
use afsearch::{Record, SearchIndex, SearchRequest};
use predicates::prelude::*;

const TORKHAM_NOTE: &str =
    "afsearch: showing results for \"Torkham\" (no match for \"Torkam\"; --exact to turn this off)";

/// What afsearch says about a query word found in no paragraph and not corrected.
fn missing(word: &str) -> String {
    format!("afsearch: no paragraph contains \"{word}\"\n")
}

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
        .stderr(missing("Torkam"));
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
    dir.cmd()
        .arg("Peshwr")
        .assert()
        .code(1)
        .stderr(missing("Peshwr"));
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
    dir.cmd()
        .arg("Kabl")
        .assert()
        .code(1)
        .stdout("")
        .stderr(missing("Kabl"));
}

/// A word found nowhere is named, so that hits for the other words are not taken for answers
/// to the whole query; the exit status still says whether anything matched.
#[test]
fn a_word_in_no_paragraph_is_named() {
    let dir = TestDir::with_article();
    dir.cmd().arg("index").assert().success();
    let output = dir.cmd().arg("Torkham zzyzx").output().expect("run");
    let (stdout, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr, missing("zzyzx"));
    assert!(stdout.contains("1–2 of 2 matching paragraphs"), "{stdout}");
    // Every word missing: nothing matches, and the note says why.
    dir.cmd()
        .arg("zzyzx qwxv")
        .assert()
        .code(1)
        .stdout("")
        .stderr(missing("zzyzx") + &missing("qwxv"));
    // Words that are there say nothing.
    dir.cmd()
        .arg("Torkham border")
        .assert()
        .success()
        .stderr("");
    // JSON lines carry it, like corrections.
    let hits = dir.json(&["Torkham zzyzx"]);
    assert_eq!(hits.len(), 2);
    for hit in &hits {
        assert_eq!(hit["missing"], serde_json::json!(["zzyzx"]), "{hit}");
    }
    assert_eq!(dir.json(&["Torkham"])[0]["missing"], serde_json::json!([]));
}

#[test]
fn phrases_and_exclusions_are_taken_as_typed() {
    let dir = TestDir::with_article();
    dir.cmd().arg("index").assert().success();
    // A phrase is not checked word by word: it is not named as missing either.
    dir.cmd().arg("\"Torkam\"").assert().code(1).stderr("");
    // Excluding a word that is nowhere excludes nothing; it is not turned into `Torkham`.
    let hits = dir.json(&["-n", "100", "border -Torkam"]);
    assert!(texts(&hits).iter().any(|t| t.contains("Torkham")));
}

/// Which words are reported missing: each distinct word found nowhere and not corrected, as
/// typed, in query order; never a word that is there, a corrected word, a phrase, a field value
/// or an exclusion.
#[test]
fn missing_words_are_the_uncorrected_words_found_nowhere() {
    let index = SearchIndex::from_records([
        Record::new("a", "Border", "The Torkham crossing closed in 2025."),
        Record::new("b", "Trade", "Transit trade through Karachi resumed."),
    ])
    .expect("index");
    let cases: &[(&str, bool, &[&str])] = &[
        ("Torkham", false, &[]),
        ("Torkham zzyzx", false, &["zzyzx"]),
        ("zzyzx Torkham ZZYZX qwxv", false, &["zzyzx", "qwxv"]),
        ("Torkam crossing", false, &[]),
        ("Torkam crossing", true, &["Torkam"]),
        ("Tork 2026 crossing", false, &["Tork", "2026"]),
        ("\"zzyzx crossing\" trade", false, &[]),
        ("title:zzyzx trade", false, &[]),
        ("trade -zzyzx", false, &[]),
        ("+zzyzx trade", false, &["zzyzx"]),
    ];
    for &(query, exact, expected) in cases {
        let results = index
            .search(&SearchRequest::new(query).exact(exact))
            .expect("search");
        assert_eq!(results.missing, expected, "{query} (exact: {exact})");
    }
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
        assert!(results.missing.is_empty(), "{word}: {:?}", results.missing);
        assert!(results.total > 0, "{word}");
    }
}
