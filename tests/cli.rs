//! The command line as a user meets it: first run, ranking, highlighting, JSON, exit codes and
//! bad input.

use crate::util::{outputs, texts, TestDir};
use predicates::prelude::*;

#[test]
fn torkham_closure_ranks_both_torkham_paragraphs_first() {
    let dir = TestDir::with_article();
    let hits = dir.json(&["-n", "3", "Torkham closure"]);
    let texts = texts(&hits);
    assert!(
        texts.iter().any(|t| t.contains("shut on 21 February 2025")),
        "2025 shutdown not in top 3: {texts:#?}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("firing incident occurred near Torkham")),
        "2023 firing incident not in top 3: {texts:#?}"
    );
}

/// `-n 0`, or a page past the last hit, shows no hit but says how many matched, and the exit
/// status still says there were matches.
#[test]
fn an_empty_page_still_counts_the_matches() {
    let dir = TestDir::with_article();
    dir.cmd().arg("index").assert().success();
    for args in [&["-n", "0", "Torkham"][..], &["--offset", "500", "Torkham"]] {
        let output = dir.cmd().args(args).output().expect("run");
        let (stdout, stderr) = outputs(&output);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert_eq!(stdout, "2 matching paragraphs\n", "{args:?}");
    }
    assert!(dir.json(&["-n", "0", "Torkham"]).is_empty());
}

#[test]
fn first_run_builds_the_index_and_says_so() {
    let dir = TestDir::with_article();
    dir.cmd()
        .arg("Torkham")
        .assert()
        .success()
        .stderr(predicate::str::contains("building the index"))
        .stdout(predicate::str::contains("Torkham"));
    assert!(dir.index().join("afsearch.json").is_file());
    // Second run: nothing to rebuild, nothing said.
    dir.cmd().arg("Torkham").assert().success().stderr("");
}

#[test]
fn changed_corpus_is_reindexed_with_a_message() {
    let dir = TestDir::with_article();
    dir.cmd().arg("Torkham").assert().success();
    dir.cmd().arg("zyxwvut").assert().code(1);
    dir.write(
        "notes/new.txt",
        "= Notes =\n\nThe zyxwvut crossing reopened.\n",
    );
    dir.cmd().arg("zyxwvut").assert().success().stderr(
        predicate::str::contains("out of date")
            .and(predicate::str::contains("notes/new.txt was added")),
    );
}

#[test]
fn index_subcommand_builds_then_reports_up_to_date() {
    let dir = TestDir::with_article();
    dir.cmd()
        .arg("index")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "indexed 60 paragraphs from 1 file",
        ));
    dir.cmd()
        .arg("index")
        .assert()
        .success()
        .stderr(predicate::str::contains("up to date"));
    dir.cmd()
        .args(["index", "--rebuild"])
        .assert()
        .success()
        .stderr(predicate::str::contains("indexed 60 paragraphs"));
    // Only one generation is left behind.
    let generations = std::fs::read_dir(dir.index())
        .expect("index dir")
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.file_name().to_string_lossy().starts_with("gen-"))
        })
        .count();
    assert_eq!(generations, 1);
}

#[test]
fn explicit_locations_and_double_dash() {
    let dir = TestDir::with_article();
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let index = elsewhere.path().join("idx");
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_afsearch"));
    cmd.current_dir(elsewhere.path())
        .arg("--corpus")
        .arg(dir.corpus())
        .arg("--index")
        .arg(&index)
        .args(["--json", "-n", "100", "--", "-Durand"]);
    // A query that is only an exclusion lists every paragraph without the word.
    let output = cmd.output().expect("run");
    let (stdout, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.lines().count() > 10);
    assert!(!stdout.contains("Durand"));
    assert!(index.join("afsearch.json").is_file());
    // The index remembers its corpus: no --corpus needed next time.
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_afsearch"));
    cmd.current_dir(elsewhere.path())
        .arg("--index")
        .arg(&index)
        .arg("Durand Line")
        .assert()
        .success()
        .stderr("");
}

#[test]
fn json_hits_carry_every_field() {
    let dir = TestDir::with_article();
    let hits = dir.json(&["-n", "1", "unilateral closure"]);
    let hit = &hits[0];
    for key in [
        "rank",
        "score",
        "id",
        "file",
        "title",
        "section",
        "paragraph",
        "text",
        "snippet",
        "highlights",
        "years",
        "entities",
    ] {
        assert!(hit.get(key).is_some(), "missing {key} in {hit}");
    }
    assert_eq!(hit["rank"], 1);
    assert_eq!(hit["file"], "afghanistan-pakistan-relations.txt");
    assert_eq!(hit["title"], "Afghanistan–Pakistan relations");
    assert_eq!(
        hit["section"],
        serde_json::json!([
            "History",
            "Contemporary era after the Taliban regains power"
        ])
    );
    // Highlights are character offsets into the snippet, and cover the stemmed match.
    let snippet: Vec<char> = hit["snippet"].as_str().expect("snippet").chars().collect();
    let marked: Vec<String> = hit["highlights"]
        .as_array()
        .expect("highlights")
        .iter()
        .map(|r| {
            let (s, e) = (
                r[0].as_u64().expect("start") as usize,
                r[1].as_u64().expect("end") as usize,
            );
            snippet[s..e].iter().collect::<String>().to_lowercase()
        })
        .collect();
    assert!(marked.contains(&"closure".to_string()), "{marked:?}");
    assert!(marked.contains(&"unilateral".to_string()), "{marked:?}");
}

#[test]
fn colour_always_marks_matches_and_never_is_plain() {
    let dir = TestDir::with_article();
    dir.cmd()
        .args(["--color", "always", "-n", "1", "Torkham closure"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "\x1b[0m\x1b[1m\x1b[31mclosure\x1b[0m",
        ));
    dir.cmd()
        .args(["--color", "never", "-n", "1", "Torkham closure"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\x1b").not());
    // Piped output is plain by default.
    dir.cmd()
        .args(["-n", "1", "Torkham"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\x1b").not());
}

#[test]
fn human_output_shows_path_location_and_excerpt() {
    let dir = TestDir::with_article();
    let output = dir
        .cmd()
        .args(["--width", "80", "-n", "1", "Torkham closure"])
        .output()
        .expect("run");
    let (stdout, _) = outputs(&output);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        " 1. Afghanistan–Pakistan relations › History › Contemporary era after the Taliban regains power"
    );
    assert!(
        lines[1].starts_with("    afghanistan-pakistan-relations.txt ¶31 · score "),
        "{}",
        lines[1]
    );
    assert!(lines[2..]
        .iter()
        .take_while(|l| !l.is_empty())
        .all(|l| l.chars().count() <= 80));
    assert!(stdout.contains("Torkham border crossing"));
    assert!(
        stdout.trim_end().ends_with("matching paragraphs"),
        "{stdout}"
    );
}

#[test]
fn infobox_and_see_also_are_searchable() {
    let dir = TestDir::with_article();
    let hits = dir.json(&["-n", "1", "Mansoor Ahmad Khan"]);
    assert_eq!(hits[0]["section"], serde_json::json!(["Infobox"]));
    let hits = dir.json(&["-n", "1", "sports rivalries"]);
    assert_eq!(hits[0]["section"], serde_json::json!(["See also"]));
}

#[test]
fn section_headings_are_searchable() {
    let dir = TestDir::with_article();
    let hits = dir.json(&["-n", "3", "section:smuggling"]);
    assert!(!hits.is_empty());
    assert!(
        hits.iter().all(|h| h["section"][1] == "Smuggling"),
        "{hits:?}"
    );
}

#[test]
fn exit_codes_follow_grep() {
    let dir = TestDir::with_article();
    dir.cmd().arg("Torkham").assert().code(0);
    dir.cmd().arg("qqqqzzzz").assert().code(1).stdout("");
    dir.cmd()
        .arg("--no-such-flag")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--no-such-flag"));
    dir.cmd()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no query given"));
}

#[test]
fn malformed_queries_never_panic() {
    let dir = TestDir::with_article();
    dir.cmd().args(["index"]).assert().success();
    for query in [
        "\"unbalanced",
        "(((",
        ")))",
        "title:",
        ":",
        "-",
        "+",
        "--",
        "\"\"",
        "AND",
        "OR OR",
        "NOT",
        "a:b:c",
        "title:\"",
        "[1 TO",
        "{",
        "*",
        "?",
        "~2",
        "^3",
        "\\",
        "foo^",
        "Torkham~",
        "\u{1}\u{7f}",
        "\u{202e}x",
        "😀 Torkham",
        "'",
        "closure)",
    ] {
        let output = dir.cmd().arg("--").arg(query).output().expect("run");
        let (_, stderr) = outputs(&output);
        let code = output.status.code();
        assert!(
            matches!(code, Some(0..=2)),
            "query {query:?}: exit {code:?}, {stderr}"
        );
        assert!(!stderr.contains("panicked"), "query {query:?}: {stderr}");
        if code == Some(2) {
            assert_eq!(stderr.lines().count(), 1, "query {query:?}: {stderr}");
        }
    }
}

#[test]
fn natural_queries_are_not_misread_as_syntax() {
    let dir = TestDir::with_article();
    // A hyphen inside a word is not a NOT: both halves must be findable together.
    let hits = dir.json(&["-n", "3", "Khyber-Pakhtunkhwa"]);
    assert!(
        texts(&hits).iter().all(|t| t.contains("Khyber")),
        "{hits:?}"
    );
    // An unbalanced quote is a character, not an error.
    assert!(!dir.json(&["\"Torkham"]).is_empty());
    // A colon after an unknown word is punctuation.
    assert!(!dir.json(&["Torkham: closure"]).is_empty());
    // A leading minus after a space still excludes.
    let hits = dir.json(&["-n", "50", "Torkham -firing"]);
    assert!(!hits.is_empty());
    assert!(texts(&hits).iter().all(|t| !t.contains("firing")));
}

#[test]
fn missing_and_empty_corpus_are_clear_errors() {
    let dir = TestDir::new();
    dir.cmd()
        .arg("Torkham")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("holds no .txt or .jsonl files"));
    dir.cmd()
        .args(["--corpus", "nowhere", "Torkham"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "corpus directory nowhere not found",
        ));
}

#[test]
fn binary_non_utf8_and_empty_files_are_skipped_with_a_warning() {
    let dir = TestDir::with_article();
    dir.write("latin1.txt", b"= T =\n\nCaf\xe9 au lait\n".as_slice());
    dir.write("blob.txt", b"\x00\x01\x02binary".as_slice());
    dir.write("empty.txt", "");
    let output = dir.cmd().arg("index").output().expect("run");
    let (_, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("latin1.txt: not UTF-8"), "{stderr}");
    assert!(
        stderr.contains("blob.txt: binary file; skipped"),
        "{stderr}"
    );
    assert!(
        stderr.contains("empty.txt: no paragraphs found"),
        "{stderr}"
    );
    assert!(
        stderr.contains("indexed 60 paragraphs from 4 files"),
        "{stderr}"
    );
    // The good file is searchable all the same.
    dir.cmd().arg("Torkham").assert().success();
}

#[test]
fn json_lines_corpus_with_a_bad_line() {
    let dir = TestDir::new();
    dir.write(
        "news.jsonl",
        concat!(
            "{\"id\": \"n1\", \"title\": \"Border\", \"text\": \"Torkham reopened after talks.\", \"date\": \"2025-03-23\"}\n",
            "{not json}\n",
            "{\"_id\": \"beir-7\", \"title\": \"Trade\", \"text\": \"Transit trade via Karachi.\"}\n",
        ),
    );
    let output = dir.cmd().arg("index").output().expect("run");
    let (_, stderr) = outputs(&output);
    assert!(stderr.contains("news.jsonl:2: malformed JSON"), "{stderr}");
    let hits = dir.json(&["Karachi"]);
    assert_eq!(hits[0]["id"], "beir-7");
    let hits = dir.json(&["Torkham"]);
    assert_eq!(hits[0]["id"], "n1");
    assert_eq!(hits[0]["years"], serde_json::json!([2025]));
}

#[test]
fn irregular_headings_give_section_paths() {
    let dir = TestDir::new();
    dir.write(
        "a.txt",
        "= Article =\n==International disputes==\n=== Lack of mutual trust===\nTrust is low.\n\n==\tSport\t==\nCricket text.\n== ==\nOrphan text.\n",
    );
    let hits = dir.json(&["trust"]);
    assert_eq!(
        hits[0]["section"],
        serde_json::json!(["International disputes", "Lack of mutual trust"])
    );
    let hits = dir.json(&["cricket"]);
    assert_eq!(hits[0]["section"], serde_json::json!(["Sport"]));
    let hits = dir.json(&["orphan"]);
    assert_eq!(hits[0]["section"], serde_json::json!([]));
}

#[test]
fn foreign_and_corrupt_index_directories_are_refused() {
    let dir = TestDir::with_article();
    std::fs::create_dir(dir.index()).expect("mkdir");
    std::fs::write(dir.index().join("thesis.docx"), "precious").expect("write");
    dir.cmd()
        .arg("Torkham")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("was not created by afsearch"));
    assert!(
        dir.index().join("thesis.docx").is_file(),
        "a foreign file was touched"
    );

    let dir = TestDir::with_article();
    dir.cmd().arg("index").assert().success();
    std::fs::write(dir.index().join("afsearch.json"), "{ garbage").expect("write");
    dir.cmd()
        .arg("Torkham")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("afsearch index --rebuild"));
    dir.cmd().args(["index", "--rebuild"]).assert().success();
    dir.cmd().arg("Torkham").assert().success();
}

#[test]
fn broken_pipe_is_not_an_error() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = TestDir::new();
    let mut big = String::from("= Big =\n\n");
    for i in 0..3000 {
        big.push_str(&format!("Border paragraph number {i} about the border crossing and its long queue of trucks.\n\n"));
    }
    dir.write("big.txt", big);
    let mut child = Command::new(env!("CARGO_BIN_EXE_afsearch"))
        .current_dir(dir.path())
        .args(["-n", "3000", "border"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("read");
    // Dropping the reader closes the pipe while afsearch is still writing.
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(first.contains("Big"), "{first}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        !stderr.contains("Broken pipe") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

#[test]
fn environment_variables_locate_index_and_corpus() {
    let dir = TestDir::with_article();
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_afsearch"));
    cmd.current_dir(elsewhere.path())
        .env("AFSEARCH_CORPUS", dir.corpus())
        .env("AFSEARCH_INDEX", dir.index())
        .arg("Torkham")
        .assert()
        .success()
        .stdout(predicate::str::contains("Torkham"));
    assert!(dir.index().join("afsearch.json").is_file());
    assert!(!elsewhere.path().join("index").exists());
}

#[test]
fn help_is_short_and_long() {
    let dir = TestDir::new();
    let short = dir.cmd().arg("-h").output().expect("run");
    let long = dir.cmd().arg("--help").output().expect("run");
    let (short, _) = outputs(&short);
    let (long, _) = outputs(&long);
    assert!(short.contains("Examples:"), "{short}");
    assert!(short.lines().count() < long.lines().count());
    for topic in ["Query syntax:", "Exit status:", "--year", "--entity"] {
        assert!(long.contains(topic), "--help lacks {topic}");
    }
}

#[test]
fn completions_and_man_page() {
    let dir = TestDir::new();
    for (shell, marker) in [
        ("bash", "_afsearch()"),
        ("zsh", "#compdef afsearch"),
        ("fish", "complete -c afsearch"),
    ] {
        dir.cmd()
            .args(["completions", shell])
            .assert()
            .success()
            .stdout(predicate::str::contains(marker).and(predicate::str::contains("entities")));
    }
    dir.cmd()
        .arg("man")
        .assert()
        .success()
        .stdout(predicate::str::contains(".TH afsearch 1").and(predicate::str::contains("index")));
}

#[test]
fn stats_describe_the_index() {
    let dir = TestDir::with_article();
    let output = dir.cmd().args(["stats", "--json"]).output().expect("run");
    assert_eq!(output.status.code(), Some(0));
    let stats: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(stats["paragraphs"], 60);
    assert_eq!(stats["articles"], 1);
    assert_eq!(stats["files"], 1);
    assert!(stats["size_bytes"].as_u64().expect("size") > 10_000);
    assert_eq!(stats["years"]["2025"], 14);
    let (stdout, _) = outputs(&dir.cmd().arg("stats").output().expect("run"));
    for label in [
        "index ",
        "corpus ",
        "articles ",
        "paragraphs ",
        "years ",
        "top entities",
    ] {
        assert!(stdout.contains(label), "{label} missing in {stdout}");
    }
    assert!(stdout.contains("Taliban 23"), "{stdout}");
}

#[test]
fn index_and_corpus_options_may_come_before_a_subcommand() {
    let dir = TestDir::with_article();
    let elsewhere = dir.path().join("elsewhere");
    let output = dir
        .cmd()
        .arg("--index")
        .arg(&elsewhere)
        .args(["stats", "--json"])
        .output()
        .expect("run");
    let (stdout, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    let stats: serde_json::Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(stats["paragraphs"], 60);
    assert!(elsewhere.join("afsearch.json").is_file());
    // A search option there would be dropped by the subcommand: refused, with the way out.
    let output = dir
        .cmd()
        .args(["-n", "5", "entities"])
        .output()
        .expect("run");
    let (stdout, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(2), "{stdout}");
    assert!(
        stderr.contains("--limit must come after the subcommand"),
        "{stderr}"
    );
    assert!(stderr.contains("afsearch -- entities"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn follow_flag_follows_links_out_of_the_corpus() {
    let dir = TestDir::with_article();
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        outside.path().join("notes.txt"),
        "= Notes =\n\nThe zyxwvut pass.\n",
    )
    .expect("write");
    std::os::unix::fs::symlink(outside.path(), dir.corpus().join("linked")).expect("symlink");
    dir.cmd()
        .arg("zyxwvut")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "outside the corpus; not followed (--follow follows it)",
        ));
    dir.cmd()
        .args(["--follow", "zyxwvut"])
        .assert()
        .success()
        .stdout(predicate::str::contains("zyxwvut"));
    // The index remembers it was built following links: no rebuild without them next time.
    dir.cmd()
        .arg("zyxwvut")
        .assert()
        .success()
        .stderr(predicate::str::contains("out of date").not());
}
