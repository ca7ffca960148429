//! Incremental updates and the corpus formats at scale: an updated index must answer exactly
//! as a full rebuild of the same corpus does (same hits, scores, order, counts and facets), and
//! gzip and WikiExtractor files must be first-class corpus files.

use crate::util::{TestDir, ARTICLE};
use afsearch::{
    build_index, update_index, BuildOptions, Corpus, IndexInfo, PartialDate, SearchIndex,
    SearchRequest, SortOrder,
};
use std::io::Write;
use std::path::Path;

/// The bundled article's paragraphs dealt into `parts` article files of its own kind.
fn article_parts(parts: usize) -> Vec<String> {
    let paragraphs: Vec<&str> = ARTICLE
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty() && !p.starts_with('='))
        .collect();
    let per = paragraphs.len().div_ceil(parts);
    paragraphs
        .chunks(per)
        .enumerate()
        .map(|(i, chunk)| {
            format!(
                "= Part {i} =\n\n== Section {i} ==\n{}\n",
                chunk.join("\n\n")
            )
        })
        .collect()
}

fn gzip(text: &str) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(text.as_bytes()).expect("gzip");
    encoder.finish().expect("gzip")
}

const NEWS: &str = concat!(
    r#"{"id": "n1", "title": "Border", "text": "The Torkham crossing was closed again on 3 March 2025 after clashes near the Durand Line.", "date": "2025-03-03"}"#,
    "\n",
    r#"{"id": "n2", "title": "Refugees", "text": "Pakistan ordered Afghan refugees without papers to leave by November 2023.", "date": "2023-10-03"}"#,
    "\n",
);

const WIKI: &str = "<doc id=\"7\" url=\"https://en.wikipedia.org/wiki?curid=7\" title=\"Khyber Pass\">\nKhyber Pass\n\nThe Khyber Pass connects the town of Landi Kotal to the Valley of Peshawar at Jamrud by traversing part of the Spin Ghar mountains.\nHistory.\nThe pass was a vital trade route between Central Asia and the Indian subcontinent, and the Torkham crossing at its western end was closed in 2025.\n</doc>\n";

/// Everything a search returns that a user or program can see, for many kinds of request.
fn answers(index: &Path) -> Vec<serde_json::Value> {
    let index = SearchIndex::open(index).expect("open");
    let requests = [
        SearchRequest::new("Torkham closure").facets(true),
        SearchRequest::new("Durand Line").limit(100),
        SearchRequest::new("refugees deported")
            .limit(100)
            .facets(true),
        SearchRequest::new("Taliban Pakistan").limit(100),
        SearchRequest::new("trade Karachi transit").limit(100),
        SearchRequest::new("-Durand").limit(100),
        SearchRequest::new("").years(2025, 2025).limit(100),
        SearchRequest::new("border")
            .since(PartialDate::parse_iso("2021").expect("date"))
            .limit(100),
        SearchRequest::new("border")
            .sort(SortOrder::Date)
            .limit(100),
        SearchRequest::new("")
            .entity("Pakistan")
            .limit(100)
            .facets(true),
        SearchRequest::new("Khyber Pass trade"),
    ];
    requests
        .iter()
        .map(|request| {
            let results = index.search(request).expect("search");
            serde_json::to_value(&results).expect("serialise")
        })
        .collect()
}

fn counts(index: &Path) -> (u64, u64) {
    let info = IndexInfo::read(index).expect("read").expect("info");
    (info.paragraphs, info.articles)
}

/// Updates the index in `updated` and builds `fresh` from scratch; both must answer the same.
fn assert_update_equals_rebuild(
    dir: &TestDir,
    updated: &Path,
    fresh: &Path,
) -> afsearch::BuildReport {
    let corpus = Corpus::open(&dir.corpus(), None).expect("corpus");
    let report = update_index(&corpus, updated, &BuildOptions::default()).expect("update");
    let _ = std::fs::remove_dir_all(fresh);
    build_index(&corpus, fresh, &BuildOptions::default()).expect("build");
    assert_eq!(counts(updated), counts(fresh));
    let (got, want) = (answers(updated), answers(fresh));
    assert_eq!(got.len(), want.len());
    for (i, (got, want)) in got.iter().zip(&want).enumerate() {
        assert_eq!(got, want, "request {i} differs after the update");
    }
    report
}

#[test]
fn incremental_update_answers_exactly_as_a_full_rebuild() {
    let dir = TestDir::new();
    // Twelve parts: ten files, and two to add later. Few enough bytes change per step that
    // the update does not fall back to a full rebuild.
    let parts = article_parts(12);
    let names = ["a", "c", "e", "g", "i", "k", "m", "o", "q", "s"];
    for (name, text) in names.iter().zip(&parts) {
        dir.write(&format!("{name}.txt"), text);
    }
    dir.write("news.jsonl", NEWS);
    dir.write("wiki/wiki_00.gz", gzip(WIKI));
    let updated = dir.path().join("updated");
    let fresh = dir.path().join("fresh");
    let corpus = Corpus::open(&dir.corpus(), None).expect("corpus");
    build_index(&corpus, &updated, &BuildOptions::default()).expect("build");
    let before = answers(&updated);

    // Nothing changed: nothing is re-indexed.
    let report = assert_update_equals_rebuild(&dir, &updated, &fresh);
    assert_eq!(report.files, 0);
    assert_eq!(answers(&updated), before);

    // A file added between two others, one changed, one removed.
    dir.write("d.txt", &parts[10]);
    dir.write(
        "g.txt",
        format!(
            "{}\nOn 9 May 2025 the Torkham border closure ended after talks in Kabul.\n",
            parts[3]
        ),
    );
    std::fs::remove_file(dir.corpus().join("i.txt")).expect("rm");
    let report = assert_update_equals_rebuild(&dir, &updated, &fresh);
    let summary = report.update.expect("an update, not a rebuild");
    assert_eq!(summary.added, ["d.txt"]);
    assert_eq!(summary.changed, ["g.txt"]);
    assert_eq!(summary.removed, ["i.txt"]);
    assert_eq!(
        report.files, 2,
        "only the added and the changed file are read"
    );
    assert_ne!(answers(&updated), before);

    // Again, at the front and in a subdirectory, over the generation the last update made.
    dir.write("0.txt", &parts[11]);
    std::fs::remove_file(dir.corpus().join("d.txt")).expect("rm");
    dir.write("news.jsonl", &NEWS[..NEWS.find('\n').expect("line") + 1]);
    let report = assert_update_equals_rebuild(&dir, &updated, &fresh);
    let summary = report.update.expect("an update");
    assert_eq!(summary.added, ["0.txt"]);
    assert_eq!(summary.changed, ["news.jsonl"]);
    assert_eq!(summary.removed, ["d.txt"]);

    // The update left one generation behind, as a build does.
    let generations = std::fs::read_dir(&updated)
        .expect("ls")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("gen-"))
        .count();
    assert_eq!(generations, 1);
}

#[test]
fn most_of_the_corpus_changed_means_a_full_rebuild() {
    let dir = TestDir::new();
    let parts = article_parts(2);
    dir.write("a.txt", &parts[0]);
    dir.write("b.txt", &parts[1]);
    let index = dir.index();
    let corpus = Corpus::open(&dir.corpus(), None).expect("corpus");
    build_index(&corpus, &index, &BuildOptions::default()).expect("build");
    dir.write(
        "b.txt",
        format!("{}\nOne more paragraph about Torkham.\n", parts[1]),
    );
    let corpus = Corpus::open(&dir.corpus(), None).expect("corpus");
    let report = update_index(&corpus, &index, &BuildOptions::default()).expect("update");
    assert!(
        report.update.is_none(),
        "half the bytes changed: rebuilt in full"
    );
    assert_eq!(report.files, 2);
}

#[test]
fn a_stale_index_is_updated_on_search_and_by_the_index_command() {
    let dir = TestDir::new();
    for (i, part) in article_parts(5).iter().enumerate() {
        dir.write(&format!("part{i}.txt"), part);
    }
    dir.cmd().arg("index").assert().success();
    dir.write(
        "part5.txt",
        "= Extra =\n\nThe Torkham crossing reopened on 2 April 2025.\n",
    );
    dir.cmd()
        .args(["Torkham", "reopened"])
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "updating it: part5.txt was added",
        ))
        .stderr(predicates::str::contains("re-indexed 1 file (1 added)"));
    std::fs::remove_file(dir.corpus().join("part2.txt")).expect("rm");
    dir.cmd()
        .arg("index")
        .assert()
        .success()
        .stderr(predicates::str::contains("re-indexed 0 files (1 removed)"));
    dir.cmd()
        .args(["index", "--rebuild"])
        .assert()
        .success()
        .stderr(predicates::str::contains("indexed "));
}

#[test]
fn gzip_and_wikiextractor_files_are_searchable() {
    let dir = TestDir::new();
    dir.write("articles/relations.txt.gz", gzip(ARTICLE));
    dir.write("dump/AA/wiki_00", WIKI);
    dir.write(
        "dump/AB/khyber.txt.gz",
        gzip(&WIKI.replace("id=\"7\"", "id=\"8\"")),
    );
    dir.write("news.jsonl.gz", gzip(NEWS));
    let hits = dir.json(&["Khyber Pass", "-n", "10"]);
    let ids: Vec<&str> = hits.iter().filter_map(|h| h["id"].as_str()).collect();
    assert!(ids.contains(&"dump/AA/wiki_00#7.1"), "{ids:?}");
    assert!(ids.contains(&"dump/AB/khyber.txt.gz#8.1"), "{ids:?}");
    let history = hits
        .iter()
        .find(|h| h["id"] == "dump/AA/wiki_00#7.2")
        .expect("the History paragraph");
    assert_eq!(history["section"], serde_json::json!(["History"]));
    assert_eq!(history["title"], "Khyber Pass");
    let hits = dir.json(&["Torkham closure", "-n", "3"]);
    assert_eq!(hits[0]["file"], "articles/relations.txt.gz");
    let hits = dir.json(&["refugees", "--year", "2023"]);
    assert!(hits.iter().any(|h| h["id"] == "n2"), "{hits:?}");
}

/// The quick check a search makes before it would list the corpus: it must notice every kind
/// of change a full listing notices, in the corpus directory and in a subdirectory.
#[test]
fn the_quick_unchanged_check_notices_every_change() {
    let dir = TestDir::new();
    dir.write("a.txt", "= A =\n\nThe Torkham crossing closed in 2025.\n");
    dir.write("news/b.jsonl", NEWS);
    let corpus_now = || Corpus::open(&dir.corpus(), None).expect("corpus");
    let rebuild = || {
        build_index(&corpus_now(), &dir.index(), &BuildOptions::default()).expect("build");
        IndexInfo::read(&dir.index()).expect("read").expect("info")
    };
    let info = rebuild();
    assert_eq!(info.dirs.len(), 2, "{:?}", info.dirs);
    assert!(info.corpus_unchanged());

    let changes: [(&str, &dyn Fn()); 6] = [
        ("a file appended to", &|| {
            let mut file = std::fs::OpenOptions::new()
                .append(true)
                .open(dir.corpus().join("news/b.jsonl"))
                .expect("open");
            writeln!(file, r#"{{"id": "n3", "text": "More."}}"#).expect("append");
        }),
        ("a file added in a subdirectory", &|| {
            dir.write("news/c.jsonl", NEWS)
        }),
        ("a file added at the top", &|| {
            dir.write("d.txt", "= D =\n\nText.\n")
        }),
        ("a file removed", &|| {
            std::fs::remove_file(dir.corpus().join("d.txt")).expect("rm")
        }),
        ("a file renamed", &|| {
            std::fs::rename(dir.corpus().join("a.txt"), dir.corpus().join("e.txt")).expect("mv")
        }),
        ("a subdirectory removed", &|| {
            std::fs::remove_dir_all(dir.corpus().join("news")).expect("rm -r")
        }),
    ];
    for (what, change) in changes {
        // Modification times are coarse on some file systems: make the change visible.
        std::thread::sleep(std::time::Duration::from_millis(20));
        change();
        assert!(!info_now(&dir).corpus_unchanged(), "missed: {what}");
        assert_ne!(
            afsearch::freshness(&dir.index(), &corpus_now()).expect("freshness"),
            afsearch::Freshness::Fresh,
            "{what}"
        );
        assert!(rebuild().corpus_unchanged(), "after rebuilding for: {what}");
    }
}

fn info_now(dir: &TestDir) -> IndexInfo {
    IndexInfo::read(&dir.index()).expect("read").expect("info")
}
