//! Trying to break afsearch (issue 7): builds killed mid-way, two builds at once, searches
//! during a rebuild, damaged and foreign index directories, hostile and odd text, awkward
//! paths, and arbitrary queries. Nothing may be lost, nothing may panic.
//!
//! The cases that need a lot of input (a 50 MB paragraph, a million paragraphs) are
//! `#[ignore]`d: a debug build takes minutes over them. `.ci/run` runs them in release:
//! `cargo test --release --test tests robustness -- --ignored`.

use crate::util::{outputs, TestDir, ARTICLE};
use afsearch::corpus::CorpusOptions;
use afsearch::{
    build_index, BuildOptions, Corpus, EntityKind, Error, IndexInfo, PartialDate, SearchIndex,
    SearchRequest, SortOrder,
};
use proptest::prelude::*;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------------
// Helpers

/// Paragraphs in [`write_bulk`]'s file: enough for a build to take a few seconds in a debug
/// build (a fraction of a second in release), so that it can be interrupted.
const BULK: usize = 6_000;

/// Adds `bulk/bulk.txt`, `paragraphs` paragraphs with a date and a few names each.
fn write_bulk(dir: &TestDir, paragraphs: usize) {
    let mut text = String::from("= Bulk =\n\n");
    for i in 0..paragraphs {
        let _ = write!(
            text,
            "Report {i}: traders from the Kunar valley met officials from Jalalabad on {} March 2021 \
             to discuss prices, transport and the weather.\n\n",
            i % 28 + 1
        );
    }
    dir.write("bulk/bulk.txt", text);
}

/// `afsearch` as a child process in `dir`, with no `AFSEARCH_*`/colour settings leaking in.
fn afsearch(dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_afsearch"));
    cmd.current_dir(dir)
        .env_remove("AFSEARCH_INDEX")
        .env_remove("AFSEARCH_CORPUS")
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null());
    cmd
}

fn spawn_rebuild(dir: &TestDir) -> Child {
    afsearch(dir.path())
        .args(["index", "--rebuild"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn afsearch index --rebuild")
}

/// Names of the entries of `dir` that start with `prefix`, sorted.
fn entries_starting(dir: &Path, prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(prefix))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn generations(index: &Path) -> Vec<String> {
    entries_starting(index, "gen-")
}

fn temp_infos(index: &Path) -> Vec<String> {
    entries_starting(index, "afsearch.json.")
}

fn current_generation(index: &Path) -> Option<String> {
    IndexInfo::read(index)
        .ok()
        .flatten()
        .map(|info| info.generation)
}

/// Polls `condition` every millisecond until it holds (true) or `timeout` passes (false).
fn wait_until(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    false
}

fn ids(index: &SearchIndex, query: &str) -> Vec<String> {
    index
        .search(&SearchRequest::new(query).limit(20))
        .expect("search")
        .hits
        .into_iter()
        .map(|hit| hit.id)
        .collect()
}

fn total(index: &SearchIndex, query: &str) -> usize {
    index
        .search(&SearchRequest::new(query))
        .expect("search")
        .total
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Asserts a search fails with the one-line "not a usable index" error that names the index
/// directory and the fix, without a panic.
fn assert_unusable_index(dir: &TestDir, case: &str, reason: &str) {
    let output = dir.cmd().arg("Torkham").output().expect("run");
    let (stdout, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(2), "{case}: {stderr}{stdout}");
    assert_eq!(stderr.lines().count(), 1, "{case}: not one line: {stderr}");
    assert!(
        stderr.starts_with("afsearch: index is not a usable afsearch index ("),
        "{case}: {stderr}"
    );
    assert!(
        stderr.contains(reason),
        "{case}: expected {reason:?} in {stderr}"
    );
    assert!(
        stderr
            .trim_end()
            .ends_with("rebuild it with `afsearch index --rebuild`"),
        "{case}: {stderr}"
    );
    assert!(stdout.is_empty(), "{case}: {stdout}");
}

// ---------------------------------------------------------------------------------------------
// 1. Atomic rebuilds

/// When a rebuild is killed (SIGKILL) in [`killing_a_rebuild_never_loses_the_previous_index`].
#[derive(Debug, Clone, Copy)]
enum KillAt {
    /// This long after the new generation directory appeared.
    Building(Duration),
    /// As soon as the new generation holds a segment file (the commit is being written).
    Committing,
    /// As soon as `afsearch.json` is being replaced or was replaced (the switch).
    Switching,
}

#[test]
fn killing_a_rebuild_never_loses_the_previous_index() {
    let dir = TestDir::with_article();
    write_bulk(&dir, BULK);
    let index_dir = dir.index();
    let started = Instant::now();
    dir.cmd().arg("index").assert().success();
    let build_time = started.elapsed();
    let old_generation = current_generation(&index_dir).expect("built");
    let (old_top, old_paragraphs) = {
        let index = SearchIndex::open(&index_dir).expect("open");
        assert_eq!(total(&index, "Quuxington"), 0);
        (ids(&index, "Torkham closure"), index.info().paragraphs)
    };
    // The corpus changes: a finished rebuild would answer "Quuxington"; the old index does not.
    dir.write("late.txt", "= Late =\n\nQuuxington joined the talks.\n");

    // Early points, so that a slower or faster run (other tests share the machine) still
    // lands most kills inside the build.
    let plan = [
        KillAt::Building(Duration::ZERO),
        KillAt::Building(Duration::from_millis(50)),
        KillAt::Building(build_time / 8),
        KillAt::Building(build_time / 3),
        KillAt::Committing,
        KillAt::Switching,
    ];
    let mut killed_before_switch = 0;
    for kill_at in plan {
        let before = current_generation(&index_dir).expect("an index");
        // Generations already there (the current one, debris of the previous kill) are not
        // the one this build writes.
        let existing = generations(&index_dir);
        let mut child = spawn_rebuild(&dir);
        let mut building_since: Option<Instant> = None;
        let finished_first = !wait_until(build_time * 20 + Duration::from_secs(60), || {
            if matches!(child.try_wait(), Ok(Some(_))) {
                return true;
            }
            let new_generation = generations(&index_dir)
                .into_iter()
                .find(|g| !existing.contains(g));
            let fire = match kill_at {
                KillAt::Building(after) => new_generation.is_some_and(|_| {
                    building_since.get_or_insert_with(Instant::now).elapsed() >= after
                }),
                KillAt::Committing => new_generation.is_some_and(|g| {
                    !entries_starting(&index_dir.join(g), "")
                        .iter()
                        .all(|f| f.starts_with('.') || f == "meta.json")
                }),
                KillAt::Switching => {
                    !temp_infos(&index_dir).is_empty()
                        || current_generation(&index_dir).is_some_and(|g| g != before)
                }
            };
            if fire {
                child.kill().expect("SIGKILL");
            }
            fire
        });
        let status = child.wait().expect("wait");
        // Killed (no exit code), or it won the race and finished: nothing else.
        assert!(
            status.code().is_none() || status.success(),
            "{kill_at:?} (finished first: {finished_first}): {status}"
        );
        // Whatever the moment, the index answers, and as the generation it names.
        let index = SearchIndex::open(&index_dir)
            .unwrap_or_else(|err| panic!("{kill_at:?}: index unusable: {err}"));
        if index.info().generation == old_generation {
            killed_before_switch += 1;
            assert_eq!(total(&index, "Quuxington"), 0, "{kill_at:?}");
            assert_eq!(ids(&index, "Torkham closure"), old_top, "{kill_at:?}");
            assert_eq!(index.info().paragraphs, old_paragraphs, "{kill_at:?}");
        } else {
            assert_eq!(total(&index, "Quuxington"), 1, "{kill_at:?}");
            assert_eq!(index.info().paragraphs, old_paragraphs + 1, "{kill_at:?}");
        }
    }
    eprintln!(
        "rebuild of {} paragraphs ({:.1} s): {killed_before_switch} of {} kills landed before the switch",
        old_paragraphs + 1,
        build_time.as_secs_f64(),
        plan.len()
    );
    assert!(
        killed_before_switch >= 3,
        "only {killed_before_switch} kills landed before the switch: the test proves little"
    );

    // The next run finishes the job (or finds it finished) and clears the debris.
    let output = dir.cmd().arg("Quuxington").output().expect("run");
    let (stdout, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stdout.contains("Quuxington"), "{stdout}");
    assert_eq!(
        generations(&index_dir).len(),
        1,
        "{:?}",
        generations(&index_dir)
    );
    assert!(
        temp_infos(&index_dir).is_empty(),
        "{:?}",
        temp_infos(&index_dir)
    );
    assert_eq!(
        Some(generations(&index_dir)[0].clone()),
        current_generation(&index_dir)
    );
}

#[test]
fn debris_is_cleared_by_the_next_run_even_without_a_build() {
    let dir = TestDir::with_article();
    dir.cmd().arg("index").assert().success();
    let index = dir.index();
    let current = current_generation(&index).expect("built");
    // What killed builds leave: a half-written generation and a half-written afsearch.json.
    std::fs::create_dir(index.join("gen-1-4242")).expect("mkdir");
    std::fs::write(index.join("gen-1-4242/meta.json"), "{").expect("write");
    std::fs::write(index.join("afsearch.json.4242.tmp"), "{\"format\":").expect("write");
    // Look-alikes afsearch never makes are not its to delete.
    std::fs::create_dir(index.join("gen-notes")).expect("mkdir");
    std::fs::write(index.join("gen-notes/keep.txt"), "mine").expect("write");
    dir.cmd().arg("Torkham").assert().success().stderr("");
    assert_eq!(
        generations(&index),
        [current.clone(), "gen-notes".to_string()]
    );
    assert!(temp_infos(&index).is_empty());
    assert!(index.join("gen-notes/keep.txt").is_file());

    // `afsearch index` finding the index up to date cleans up too.
    std::fs::create_dir(index.join("gen-2-4242")).expect("mkdir");
    dir.cmd().arg("index").assert().success();
    assert_eq!(generations(&index), [current, "gen-notes".to_string()]);
}

// ---------------------------------------------------------------------------------------------
// 2. Concurrency

#[test]
fn a_second_build_is_refused_while_searches_go_on() {
    let dir = TestDir::with_article();
    write_bulk(&dir, BULK);
    dir.cmd().arg("index").assert().success();
    let index = dir.index();
    let old = current_generation(&index).expect("built");
    let mut refused = false;
    // A fast machine may finish the first build before the second starts: try a few times.
    for _attempt in 0..5 {
        let mut first = spawn_rebuild(&dir);
        let building = wait_until(Duration::from_secs(120), || {
            generations(&index).iter().any(|g| *g != old)
        });
        assert!(building, "the rebuild never started");
        let second = dir
            .cmd()
            .args(["index", "--rebuild"])
            .output()
            .expect("run");
        let first_done = matches!(first.try_wait(), Ok(Some(_)));
        // The running rebuild does not stop a search: it answers from the current index.
        let search = dir.cmd().arg("Torkham").output().expect("run");
        let (search_out, search_err) = outputs(&search);
        assert_eq!(search.status.code(), Some(0), "{search_err}");
        assert!(search_out.contains("Torkham"), "{search_out}");
        assert!(first.wait().expect("wait").success());
        let (_, stderr) = outputs(&second);
        if second.status.code() == Some(2) {
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(
                stderr.contains("is being rebuilt by another afsearch process; try again"),
                "{stderr}"
            );
            refused = true;
            break;
        }
        assert!(first_done, "two builds ran at once: {stderr}");
    }
    assert!(refused, "the second build was never refused");
    // Both finished (one refused): one good index, one generation.
    assert_eq!(generations(&index).len(), 1);
    dir.cmd().arg("Torkham").assert().success();
}

#[test]
fn an_open_index_answers_through_a_rebuild_then_sees_the_new_one() {
    let dir = TestDir::with_article();
    let corpus = Corpus::open(&dir.corpus(), None).expect("corpus");
    build_index(&corpus, &dir.index(), &BuildOptions::default()).expect("build");
    let index = SearchIndex::open(&dir.index()).expect("open");
    let old_generation = index.info().generation.clone();
    let before = ids(&index, "Torkham closure");
    assert_eq!(total(&index, "Quuxington"), 0);

    write_bulk(&dir, BULK);
    dir.write("late.txt", "= Late =\n\nQuuxington joined the talks.\n");
    let corpus = Corpus::open(&dir.corpus(), None).expect("corpus");
    let builder = {
        let (corpus, index_dir) = (corpus.clone(), dir.index());
        std::thread::spawn(move || build_index(&corpus, &index_dir, &BuildOptions::default()))
    };
    wait_until(Duration::from_secs(120), || {
        builder.is_finished() || generations(&dir.index()).len() > 1
    });
    // Never two writers, in one process or two.
    match build_index(&corpus, &dir.index(), &BuildOptions::default()) {
        Err(Error::Locked { path }) => assert_eq!(path, dir.index()),
        Ok(_) if builder.is_finished() => {}
        other => panic!("second writer: {other:?}"),
    }
    let mut searches = 0;
    while !builder.is_finished() {
        assert_eq!(ids(&index, "Torkham closure"), before);
        searches += 1;
    }
    builder.join().expect("builder thread").expect("build");
    // The generation this handle reads was deleted from disk; it answers all the same.
    assert!(!dir.index().join(&old_generation).exists());
    assert_eq!(
        ids(&index, "Torkham closure"),
        before,
        "after {searches} searches"
    );
    assert_eq!(total(&index, "Quuxington"), 0);
    // Reloaded or reopened, it answers from the new build.
    assert!(index.reload().expect("reload"));
    assert_eq!(total(&index, "Quuxington"), 1);
    let reopened = SearchIndex::open(&dir.index()).expect("reopen");
    assert_eq!(total(&reopened, "Quuxington"), 1);
    assert_eq!(ids(&reopened, "Torkham closure"), before);
}

// ---------------------------------------------------------------------------------------------
// 3. Damaged, foreign and incompatible indexes

#[test]
fn damaged_index_files_are_a_one_line_error_and_rebuild_fixes_them() {
    let dir = TestDir::with_article();
    dir.cmd().arg("index").assert().success();
    let index = dir.index();
    let pristine = dir.path().join("pristine");
    copy_dir(&index, &pristine);
    let generation = current_generation(&index).expect("built");
    let restore = || {
        std::fs::remove_dir_all(&index).expect("rm index");
        copy_dir(&pristine, &index);
    };
    // The largest file of each kind of segment file.
    let mut segment_files: Vec<(String, u64)> = Vec::new();
    for name in entries_starting(&index.join(&generation), "") {
        let Some((_, ext)) = name.split_once('.') else {
            continue;
        };
        if name.starts_with('.') || name == "meta.json" {
            continue;
        }
        let len = std::fs::metadata(index.join(&generation).join(&name))
            .expect("meta")
            .len();
        match segment_files.iter_mut().find(|(n, _)| n.ends_with(ext)) {
            Some(entry) if entry.1 >= len => {}
            Some(entry) => *entry = (name, len),
            None => segment_files.push((name, len)),
        }
    }
    assert!(segment_files.len() >= 5, "{segment_files:?}");
    for (name, len) in &segment_files {
        let path = index.join(&generation).join(name);
        // Truncated, as by a full disk or a copy cut short.
        let file = std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .expect("open");
        file.set_len(len / 2).expect("truncate");
        drop(file);
        assert_unusable_index(&dir, &format!("{name} truncated"), name);
        restore();
        // Damaged in the middle, as by bit rot: the checksum notices.
        let mut bytes = std::fs::read(&path).expect("read");
        let middle = bytes.len() / 3;
        for byte in &mut bytes[middle..middle + 8] {
            *byte ^= 0x5a;
        }
        std::fs::write(&path, bytes).expect("write");
        assert_unusable_index(
            &dir,
            &format!("{name} damaged"),
            &format!("{name} is damaged"),
        );
        restore();
        // Gone.
        std::fs::remove_file(&path).expect("rm");
        assert_unusable_index(
            &dir,
            &format!("{name} removed"),
            &format!("{name} is missing"),
        );
        restore();
    }
    std::fs::remove_file(index.join(&generation).join("meta.json")).expect("rm");
    assert_unusable_index(&dir, "meta.json removed", "meta.json is missing");
    restore();
    std::fs::remove_dir_all(index.join(&generation)).expect("rm");
    assert_unusable_index(&dir, "generation removed", "is missing");
    restore();
    std::fs::write(
        index.join(&generation).join("meta.json"),
        "{\"segments\": 7}",
    )
    .expect("w");
    assert_unusable_index(&dir, "meta.json garbled", "damaged");

    // The fix the message gives works.
    dir.cmd().args(["index", "--rebuild"]).assert().success();
    dir.cmd().arg("Torkham").assert().success();
    assert_eq!(generations(&index).len(), 1);
}

/// Rewrites `afsearch.json` through a JSON edit.
fn edit_info(index: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let path = index.join("afsearch.json");
    let mut info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).expect("read")).expect("json");
    edit(&mut info);
    std::fs::write(&path, serde_json::to_vec(&info).expect("json")).expect("write");
}

#[test]
fn foreign_or_incompatible_afsearch_json_is_a_one_line_error() {
    let dir = TestDir::with_article();
    dir.cmd().arg("index").assert().success();
    let index = dir.index();
    let generation = current_generation(&index).expect("built");

    // Valid JSON, but not afsearch's description of an index.
    std::fs::write(index.join("afsearch.json"), "{\"name\": \"another tool\"}").expect("w");
    assert_unusable_index(&dir, "foreign afsearch.json", "afsearch.json is unreadable");
    dir.cmd().args(["index", "--rebuild"]).assert().success();

    // Written by a newer afsearch: not rebuilt behind the user's back, nothing deleted.
    edit_info(&index, |info| info["format"] = 99.into());
    let generation_now = current_generation(&index).expect("info");
    assert_unusable_index(&dir, "newer format", "built by a newer afsearch");
    assert!(index.join(&generation_now).is_dir());
    let output = dir.cmd().args(["stats"]).output().expect("run");
    assert_eq!(output.status.code(), Some(2));
    dir.cmd().args(["index", "--rebuild"]).assert().success();

    // A generation name that points elsewhere is refused, not followed.
    edit_info(&index, |info| info["generation"] = "../corpus".into());
    assert_unusable_index(
        &dir,
        "generation ../corpus",
        "names no generation afsearch makes",
    );
    dir.cmd().args(["index", "--rebuild"]).assert().success();
    assert!(dir
        .corpus()
        .join("afghanistan-pakistan-relations.txt")
        .is_file());

    // An older format is rebuilt on the next search, with a note.
    edit_info(&index, |info| info["format"] = 1.into());
    dir.cmd()
        .arg("Torkham")
        .assert()
        .success()
        .stderr(predicates::str::contains("built by an older afsearch"));

    // afsearch.json gone, its generations left: afsearch's own debris, so rebuilt.
    std::fs::remove_file(index.join("afsearch.json")).expect("rm");
    dir.cmd().arg("Torkham").assert().success();
    assert_eq!(generations(&index).len(), 1);
    assert_ne!(generations(&index)[0], generation);

    // A generation with another schema (another program's Tantivy index).
    let generation = current_generation(&index).expect("built");
    let gen_dir = index.join(&generation);
    std::fs::remove_dir_all(&gen_dir).expect("rm");
    std::fs::create_dir(&gen_dir).expect("mkdir");
    let mut schema = tantivy::schema::Schema::builder();
    schema.add_text_field("body", tantivy::schema::TEXT);
    tantivy::Index::create_in_dir(&gen_dir, schema.build()).expect("foreign index");
    assert_unusable_index(&dir, "foreign schema", "its schema is not afsearch's");
}

#[test]
fn directories_afsearch_did_not_create_are_never_written_to() {
    let dir = TestDir::with_article();
    let untouched = |path: &Path| -> Vec<(PathBuf, Vec<u8>)> {
        let mut files: Vec<(PathBuf, Vec<u8>)> = walk_files(path)
            .into_iter()
            .map(|p| {
                let bytes = std::fs::read(&p).unwrap_or_default();
                (p, bytes)
            })
            .collect();
        files.sort();
        files
    };
    let refused = |args: &[&str], target: &Path| {
        let before = untouched(target);
        for sub in [&["index", "--rebuild"][..], &["Torkham"][..]] {
            let output = dir.cmd().args(sub).args(args).output().expect("run");
            let (_, stderr) = outputs(&output);
            assert_eq!(output.status.code(), Some(2), "{args:?} {sub:?}: {stderr}");
            assert_eq!(stderr.lines().count(), 1, "{stderr}");
            assert!(stderr.contains("was not created by afsearch"), "{stderr}");
        }
        assert_eq!(
            untouched(target),
            before,
            "{args:?}: {} was changed",
            target.display()
        );
    };

    // A user's folder.
    let folder = dir.path().join("thesis");
    std::fs::create_dir(&folder).expect("mkdir");
    std::fs::write(folder.join("chapter1.docx"), "precious").expect("write");
    std::fs::create_dir(folder.join("gen-drafts")).expect("mkdir");
    std::fs::write(folder.join("gen-drafts/draft.txt"), "precious too").expect("write");
    refused(&["--index", "thesis"], &folder);
    // Even with a stray afsearch.json that is not an index description.
    std::fs::write(folder.join("afsearch.json"), "not json").expect("write");
    refused(&["--index", "thesis"], &folder);
    // The corpus itself.
    refused(&["--index", "corpus"], &dir.corpus());
    // A file.
    std::fs::write(dir.path().join("notes.txt"), "a file").expect("write");
    refused(&["--index", "notes.txt"], &dir.path().join("notes.txt"));
}

fn walk_files(path: &Path) -> Vec<PathBuf> {
    if path.is_file() {
        return vec![path.to_path_buf()];
    }
    let mut files = Vec::new();
    for entry in std::fs::read_dir(path).expect("read_dir").flatten() {
        files.extend(walk_files(&entry.path()));
    }
    files
}

// ---------------------------------------------------------------------------------------------
// 4. Hostile and odd text

/// Whether `text` is safe to print on a terminal: no control character but newline, and ESC
/// only to start a colour (SGR) sequence.
fn terminal_safe(text: &str) -> Result<(), String> {
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        if c == '\x1b' {
            // ESC [ digits/semicolons m
            if chars.next().map(|(_, c)| c) != Some('[') {
                return Err(format!("bare ESC at {at}"));
            }
            loop {
                match chars.next().map(|(_, c)| c) {
                    Some('m') => break,
                    Some(c) if c.is_ascii_digit() || c == ';' => {}
                    other => return Err(format!("non-colour escape at {at}: {other:?}")),
                }
            }
        } else if (c.is_control() && c != '\n') || bidi {
            return Err(format!("{c:?} at {at}"));
        }
    }
    Ok(())
}

const HOSTILE: &str = "= Hostile \x1b[31mtitle =\n\n\
== Section \x1b]0;pwned\x07 ==\n\n\
Zanzibar clear \x1b[2J screen, link \x1b]8;;https://evil.example\x07click\x1b]8;;\x07 here, \
bell \x07 del \x7f nul-free C1 \u{9b}31m csi, carriage\rreturn, bidi \u{202e}desrever\u{202c} end.\n";

#[test]
fn hostile_text_is_neutralised_on_terminals_and_exact_in_json() {
    let dir = TestDir::new();
    dir.write("hostile.txt", HOSTILE);
    dir.write(
        "evil\x1b[2J\u{202e}.txt",
        "= Named =\n\nZanzibar in a hostile file name.\n",
    );
    let index = dir.cmd().arg("index").output().expect("run");
    let (_, stderr) = outputs(&index);
    assert_eq!(index.status.code(), Some(0), "{stderr}");
    terminal_safe(&stderr).unwrap_or_else(|e| panic!("index stderr: {e}: {stderr:?}"));

    for colour in ["never", "always"] {
        for width in ["40", "200"] {
            let output = dir
                .cmd()
                .args(["--color", colour, "--width", width, "-n", "5", "Zanzibar"])
                .output()
                .expect("run");
            let (stdout, stderr) = outputs(&output);
            assert_eq!(output.status.code(), Some(0), "{stderr}");
            terminal_safe(&stdout)
                .unwrap_or_else(|e| panic!("--color {colour} --width {width}: {e}: {stdout:?}"));
            assert!(stdout.contains("Hostile"), "{stdout}");
            assert!(stdout.contains("desrever"), "{stdout}");
        }
    }

    let hits = dir.json(&["-n", "5", "Zanzibar"]);
    let hit = hits
        .iter()
        .find(|h| h["file"] == "hostile.txt")
        .expect("hostile hit");
    // Exact in JSON (whitespace aside: the segmenter turns \r, like any space, into one space).
    assert_eq!(hit["title"], "Hostile \x1b[31mtitle");
    assert_eq!(hit["section"][0], "Section \x1b]0;pwned\x07");
    let text = hit["text"].as_str().expect("text");
    for exact in [
        "\x1b[2J",
        "\x1b]8;;https://evil.example\x07click\x1b]8;;\x07",
        "bell \x07 del \x7f",
        "\u{9b}31m",
        "\u{202e}desrever\u{202c}",
        "carriage return",
    ] {
        assert!(text.contains(exact), "{exact:?} not in {text:?}");
    }
    let named = hits
        .iter()
        .find(|h| h["file"] != "hostile.txt")
        .expect("named hit");
    assert_eq!(named["file"], "evil\x1b[2J\u{202e}.txt");
    // The JSON itself carries no raw C0 control: they are \u escapes.
    let raw = dir
        .cmd()
        .args(["--json", "Zanzibar"])
        .output()
        .expect("run")
        .stdout;
    let raw = String::from_utf8(raw).expect("utf8");
    assert!(
        !raw.chars().any(|c| c < ' ' && c != '\n'),
        "raw control in JSON output: {raw:?}"
    );
}

#[test]
fn undecodable_files_are_skipped_with_a_warning_naming_them() {
    let dir = TestDir::with_article();
    dir.write("latin1.txt", b"= T =\n\nCaf\xe9 au lait\n".as_slice());
    dir.write("blob.txt", b"\x00\x01\x02binary".as_slice());
    let mut late_nul = b"= Late =\n\n".to_vec();
    late_nul.extend(std::iter::repeat_n(b'a', 10_000));
    late_nul.extend(b" \x00 tail\n");
    dir.write("late-nul.txt", late_nul);
    let mut utf16 = vec![0xff, 0xfe];
    for unit in "= T =\n\nUTF sixteen\n".encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    dir.write("wide.txt", utf16);
    // A JSON-lines file loses only its bad lines.
    dir.write(
        "mixed.jsonl",
        [
            b"{\"id\": \"ok1\", \"text\": \"Quuxington first.\"}\n".as_slice(),
            b"{\"id\": \"bad\", \"text\": \"caf\xe9\"}\n",
            b"{\"id\": \"ok2\", \"text\": \"Quuxington second.\"}\n",
        ]
        .concat(),
    );
    dir.write(
        "bad\x1b]0;x\x07name.txt",
        b"= T =\n\nlatin1 \xff in a hostile name\n".as_slice(),
    );
    let output = dir.cmd().arg("index").output().expect("run");
    let (_, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for expected in [
        "latin1.txt: not UTF-8 (invalid byte on line 3",
        "blob.txt: binary file; skipped",
        "late-nul.txt: binary file; skipped",
        "wide.txt: UTF-16 text; skipped (save it as UTF-8)",
        "mixed.jsonl:2: not UTF-8 (invalid byte at column 27); line skipped",
        "bad\\u{1b}]0;x\\u{7}name.txt: not UTF-8",
    ] {
        assert!(stderr.contains(expected), "{expected:?} not in {stderr}");
    }
    terminal_safe(&stderr).unwrap_or_else(|e| panic!("{e}: {stderr:?}"));
    assert!(
        stderr.contains("indexed 62 paragraphs from 7 files"),
        "{stderr}"
    );
    let hits = dir.json(&["Quuxington"]);
    assert_eq!(hits.len(), 2, "{hits:?}");
}

#[test]
fn odd_but_valid_files_are_indexed_or_reported() {
    let dir = TestDir::new();
    let files: &[(&str, &str, &[&str])] = &[
        // (file, contents, words that must be found in it; none: a warning must name it)
        ("empty.txt", "", &[]),
        ("blank.txt", " \n\t\n\r\n", &[]),
        (
            "only-headings.txt",
            "= Title =\n== A ==\n=== B ===\n== ==\n",
            &[],
        ),
        (
            "crlf.txt",
            "= Crlf =\r\n\r\n== Part ==\r\nAlpha line one\r\nline two\r\n\r\nBravo\r\n",
            &["alpha", "bravo"],
        ),
        (
            "bom.txt",
            "\u{feff}= Bom =\n\nCharlie after a BOM.\n",
            &["charlie"],
        ),
        (
            "tabs.txt",
            "= Tabs =\n==\tDelta section\t==\nDelta text.\n",
            &["delta"],
        ),
        (
            "empty-heading.txt",
            "= E =\n== ==\nEcho under an empty heading.\n",
            &["echo"],
        ),
        (
            "deep.txt",
            "= D =\n========== Foxtrot deep ==========\nFoxtrot text.\n",
            &["foxtrot"],
        ),
        (
            "equals.txt",
            "=\n==\n= =\nGolf between equals lines.\n",
            &["golf"],
        ),
        (
            "infobox-sentence.txt",
            "= I =\n\nInfobox hotel is a sentence about hotels, not a header.\n",
            &["hotel"],
        ),
        ("SHOUT.TXT", "= Shout =\n\nIndia in capitals.\n", &["india"]),
        (
            "punctuation.txt",
            "= P =\n\n!!! ??? --- ... ((( )))\n\nJuliet after punctuation.\n",
            &["juliet"],
        ),
        ("list-only.txt", "- Kilo item\n-\n- \n", &["kilo"]),
    ];
    for (name, contents, _) in files {
        dir.write(name, contents);
    }
    let long_word = "x".repeat(100_000);
    dir.write("long-word.txt", format!("= L =\n\nLima {long_word} end.\n"));
    dir.write(
        "news.jsonl",
        "\u{feff}{\"id\": \"m1\", \"text\": \"Mike record.\"}\r\n{broken\r\n\r\n[1, 2]\n\"just a string\"\n{\"id\": {\"nested\": 1}, \"text\": \"November record.\"}\n{\"text\": null}\n{\"id\": \"e\", \"text\": \"\", \"title\": \"\"}\n",
    );
    let output = dir.cmd().arg("index").output().expect("run");
    let (_, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    for (name, _, words) in files {
        if words.is_empty() {
            assert!(
                stderr.contains(&format!("{name}: no paragraphs found")),
                "{name} dropped silently: {stderr}"
            );
        }
        for word in *words {
            let hits = dir.json(&[word]);
            assert!(
                hits.iter().any(|h| h["file"] == *name),
                "{word:?} not found in {name}: {hits:?}"
            );
        }
    }
    let hits = dir.json(&["section:delta"]);
    assert_eq!(hits[0]["section"], serde_json::json!(["Delta section"]));
    let hits = dir.json(&["echo"]);
    assert_eq!(hits[0]["section"], serde_json::json!([]));
    assert!(!dir.json(&["lima"]).is_empty());
    for (line, what) in [
        (2, "malformed JSON"),
        (4, "malformed JSON"),
        (5, "malformed JSON"),
        (7, "no \"text\""),
        (8, "record is empty"),
    ] {
        assert!(
            stderr.contains(&format!("news.jsonl:{line}: ")) && stderr.contains(what),
            "news.jsonl:{line} ({what}) not reported: {stderr}"
        );
    }
    assert_eq!(dir.json(&["Mike"])[0]["id"], "m1");
    assert_eq!(dir.json(&["November"])[0]["id"], "news.jsonl#6");
}

#[test]
fn a_file_of_bad_lines_is_summarised_not_dumped() {
    let dir = TestDir::new();
    let mut text = String::from("{\"id\": \"good\", \"text\": \"Quuxington survives.\"}\n");
    for i in 0..500 {
        let _ = writeln!(text, "{{broken record {i}");
    }
    dir.write("export.jsonl", text);
    let output = dir.cmd().arg("index").output().expect("run");
    let (_, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("export.jsonl"))
        .collect();
    assert_eq!(lines.len(), 51, "{stderr}");
    assert!(
        lines[0].contains("export.jsonl:2: malformed JSON"),
        "{stderr}"
    );
    assert!(
        lines[50].ends_with("export.jsonl: 450 more problems in this file, not listed"),
        "{stderr}"
    );
    assert_eq!(dir.json(&["Quuxington"])[0]["id"], "good");
}

#[test]
fn ten_thousand_tiny_files() {
    let dir = TestDir::new();
    for i in 0..10_000 {
        dir.write(
            &format!("d{:03}/note{i:05}.txt", i / 100),
            format!("= Note {i} =\n\nTiny note number n{i} about Kabul.\n"),
        );
    }
    let started = Instant::now();
    let output = dir.cmd().arg("index").output().expect("run");
    let (_, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("indexed 10000 paragraphs from 10000 files"),
        "{stderr}"
    );
    let built = started.elapsed();
    let started = Instant::now();
    let hits = dir.json(&["n9999"]);
    assert_eq!(hits[0]["file"], "d099/note09999.txt");
    eprintln!(
        "10,000 files: built in {:.1} s, searched (walk and staleness check included) in {:.2} s",
        built.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}

#[test]
#[ignore = "50 MB of input: minutes in a debug build; .ci/run runs it in release"]
fn a_fifty_megabyte_paragraph() {
    let dir = TestDir::new();
    let body: String = ARTICLE
        .split("\n\n")
        .filter(|p| !p.trim_start().starts_with('=') && !p.starts_with("Infobox"))
        .map(|p| p.replace('\n', " "))
        .collect::<Vec<_>>()
        .join(" ");
    let mut text = String::with_capacity(50_100_000);
    text.push_str("= Big =\n\n");
    while text.len() < 50_000_000 {
        text.push_str(&body);
        text.push(' ');
    }
    text.push_str("Quuxington at the very end.\n");
    dir.write("big.txt", &text);
    let started = Instant::now();
    let output = dir.cmd().arg("index").output().expect("run");
    let (_, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("indexed 1 paragraphs from 1 file"),
        "{stderr}"
    );
    let built = started.elapsed();
    let started = Instant::now();
    let hits = dir.json(&["-n", "1", "Quuxington"]);
    assert_eq!(hits.len(), 1);
    assert!(hits[0]["snippet"]
        .as_str()
        .expect("snippet")
        .contains("Quuxington"));
    assert!(hits[0]["years"].as_array().expect("years").len() > 20);
    assert!(!hits[0]["entities"].as_array().expect("entities").is_empty());
    eprintln!(
        "50 MB paragraph: built in {:.1} s, searched in {:.1} s",
        built.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}

#[test]
#[ignore = "a million paragraphs: minutes in a debug build; .ci/run runs it in release"]
fn a_million_short_paragraphs() {
    let dir = TestDir::new();
    let mut text = String::from("= Many =\n\n");
    for i in 0..1_000_000 {
        let _ = write!(text, "Paragraph p{i} about the border.\n\n");
    }
    dir.write("many.txt", &text);
    let started = Instant::now();
    let output = dir.cmd().arg("index").output().expect("run");
    let (_, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("indexed 1000000 paragraphs from 1 file"),
        "{stderr}"
    );
    let built = started.elapsed();
    let started = Instant::now();
    let hits = dir.json(&["p777777"]);
    assert_eq!(hits[0]["paragraph"], 777_778);
    let page = dir.json(&["-n", "5", "--offset", "999990", "border"]);
    assert_eq!(page.len(), 5);
    eprintln!(
        "1,000,000 paragraphs: built in {:.1} s, searched in {:.2} s",
        built.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Paths

#[cfg(unix)]
#[test]
fn symlink_loops_end_and_links_out_of_the_corpus_need_asking() {
    use std::os::unix::fs::symlink;
    let dir = TestDir::with_article();
    let corpus = dir.corpus();
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).expect("mkdir");
    std::fs::write(outside.join("ext.txt"), "= Ext =\n\nOutsider paragraph.\n").expect("w");
    std::fs::create_dir(corpus.join("sub")).expect("mkdir");
    symlink(".", corpus.join("loop")).expect("symlink");
    symlink("..", corpus.join("sub/up")).expect("symlink");
    symlink(
        "afghanistan-pakistan-relations.txt",
        corpus.join("alias.txt"),
    )
    .expect("symlink");
    symlink(&outside, corpus.join("ext")).expect("symlink");
    symlink(outside.join("ext.txt"), corpus.join("extfile.txt")).expect("symlink");
    symlink("nowhere.txt", corpus.join("dangling.txt")).expect("symlink");

    let mut child = afsearch(dir.path())
        .arg("index")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let done = wait_until(Duration::from_secs(60), || {
        matches!(child.try_wait(), Ok(Some(_)))
    });
    if !done {
        let _ = child.kill();
        panic!("the walk did not end within a minute");
    }
    let output = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    for expected in [
        "loop: symbolic link loop back to the corpus directory; not followed",
        "sub/up: symbolic link loop back to the corpus directory; not followed",
        "dangling.txt: broken symbolic link; skipped",
        "outside the corpus; not followed (--follow follows it)",
        // The same article through a link is read once.
        "indexed 60 paragraphs from 1 file",
    ] {
        assert!(stderr.contains(expected), "{expected:?} not in {stderr}");
    }
    assert!(stderr.contains("ext: symbolic link to "), "{stderr}");
    assert!(
        stderr.contains("extfile.txt: symbolic link to "),
        "{stderr}"
    );
    dir.cmd().arg("Outsider").assert().code(1);

    // Asked to follow links: the outside file is read, once.
    let corpus = Corpus::open_with(
        &dir.corpus(),
        &CorpusOptions {
            follow_links: true,
            ..CorpusOptions::default()
        },
    )
    .expect("corpus");
    let rels: Vec<&str> = corpus.files().iter().map(|f| f.rel.as_str()).collect();
    assert_eq!(rels, ["afghanistan-pakistan-relations.txt", "ext/ext.txt"]);
    assert!(corpus
        .warnings()
        .iter()
        .any(|w| w.file == "loop" && w.message.contains("loop")));
    let index_dir = dir.path().join("followed");
    let report = build_index(&corpus, &index_dir, &BuildOptions::default()).expect("build");
    assert_eq!(report.paragraphs, 61);
    let index = SearchIndex::open(&index_dir).expect("open");
    assert_eq!(total(&index, "Outsider"), 1);
    // Remembered, so that a later run can list the corpus the same way.
    assert!(index.info().follow_links);
    assert_eq!(
        afsearch::freshness(&index_dir, &corpus).expect("freshness"),
        afsearch::Freshness::Fresh
    );
    let unfollowed = Corpus::open(&dir.corpus(), None).expect("corpus");
    assert!(matches!(
        afsearch::freshness(&index_dir, &unfollowed).expect("freshness"),
        afsearch::Freshness::Stale(reason) if reason.contains("--follow")
    ));
}

#[cfg(unix)]
#[test]
fn a_corpus_of_links_only_says_why_it_is_empty() {
    use std::os::unix::fs::symlink;
    let dir = TestDir::new();
    let outside = dir.path().join("outside");
    std::fs::create_dir(&outside).expect("mkdir");
    std::fs::write(outside.join("a.txt"), ARTICLE).expect("w");
    symlink(&outside, dir.corpus().join("articles")).expect("symlink");
    let output = dir.cmd().arg("Torkham").output().expect("run");
    let (_, stderr) = outputs(&output);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("holds no file afsearch could read: articles: symbolic link to"),
        "{stderr}"
    );
}

#[test]
fn an_index_inside_the_corpus_is_not_read_as_corpus() {
    let dir = TestDir::with_article();
    // The index does not exist yet when the corpus is first listed.
    for index in ["corpus/idx", "./corpus/../corpus/idx"] {
        dir.cmd()
            .args(["index", "--rebuild", "--index", index])
            .assert()
            .success()
            .stderr(predicates::str::contains(
                "indexed 60 paragraphs from 1 file",
            ));
    }
    // Text files that end up in the index directory are not corpus files.
    std::fs::write(
        dir.corpus().join("idx/README.txt"),
        "= Readme =\n\nQuuxington notes.\n",
    )
    .expect("write");
    dir.cmd()
        .args(["index", "--index", "corpus/idx"])
        .assert()
        .success()
        .stderr(predicates::str::contains("up to date"));
    dir.cmd()
        .args(["index", "--rebuild", "--index", "corpus/idx"])
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "indexed 60 paragraphs from 1 file",
        ));
    dir.cmd()
        .args(["--index", "corpus/idx", "Quuxington"])
        .assert()
        .code(1);
}

// ---------------------------------------------------------------------------------------------
// 6. Queries

/// The bundled article's index, built once for the property tests. Its directory is deleted
/// at once: the opened index keeps its files (mapped) until the process ends.
fn article_index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let dir = TestDir::with_article();
        let corpus = Corpus::open(&dir.corpus(), None).expect("corpus");
        build_index(&corpus, &dir.index(), &BuildOptions::default()).expect("build");
        SearchIndex::open(&dir.index()).expect("open")
    })
}

/// Pieces of the query grammar and of what people paste, to build awkward queries from.
const QUERY_PIECES: &[&str] = &[
    "\"",
    "+",
    "-",
    "(",
    ")",
    ":",
    "*",
    "^",
    "~",
    "\\",
    "[",
    "]",
    "{",
    "}",
    "!",
    "?",
    "'",
    "/",
    " ",
    " ",
    " ",
    "\t",
    "\n",
    "AND",
    "OR",
    "NOT",
    "TO",
    "IN",
    "title",
    "section",
    "text",
    "entities",
    "title:",
    "section:",
    "text:",
    "entities:",
    "id:",
    "Torkham",
    "closure",
    "Durand",
    "Line",
    "Khyber-Pakhtunkhwa",
    "2025",
    "1979–1989",
    "0",
    "-1",
    "^2",
    "~1",
    "*:*",
    "[1 TO 2]",
    "é",
    "Ж",
    "中文",
    "😀",
    "\u{202e}",
    "\u{200b}",
    "\0",
    "\x1b[2J",
    "\u{fffd}",
    "ﬁ",
    "ǅ",
];

fn query_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        prop::collection::vec(prop::sample::select(QUERY_PIECES), 0..24)
            .prop_map(|pieces| pieces.concat()),
        "[ -~]{0,40}",
    ]
}

/// The outcomes a query may have: hits, no hits, or a clean query error.
fn acceptable(result: &afsearch::Result<afsearch::SearchResults>) -> bool {
    matches!(result, Ok(_) | Err(Error::Query(_)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(10_000))]

    #[test]
    fn normalize_never_panics(input in query_strategy()) {
        let fields = ["title", "section", "text", "entities"];
        let normalized = afsearch::search::syntax::normalize(&input, &fields);
        // Normalising what it produced is harmless too.
        afsearch::search::syntax::normalize(&normalized.query, &fields);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(768))]

    #[test]
    fn any_query_is_hits_no_hits_or_a_clean_error(
        query in query_strategy(),
        limit in 0usize..200,
        offset in 0usize..100,
        sort_by_date in any::<bool>(),
    ) {
        let request = SearchRequest::new(query.clone())
            .limit(limit)
            .offset(offset)
            .sort(if sort_by_date { SortOrder::Date } else { SortOrder::Score });
        let result = article_index().search(&request);
        prop_assert!(acceptable(&result), "{query:?}: {result:?}");
        if let Ok(results) = result {
            prop_assert!(results.hits.len() <= limit);
        }
        let listing = article_index().entities(&SearchRequest::new(query.clone()));
        prop_assert!(matches!(listing, Ok(_) | Err(Error::Query(_))), "{query:?}: {listing:?}");
    }

    #[test]
    fn any_query_with_filters_is_hits_no_hits_or_a_clean_error(
        query in query_strategy(),
        years in any::<(i32, i32)>(),
        since in (any::<i32>(), 1u8..=12, 1u8..=28),
        entity in prop_oneof![any::<String>(), prop::sample::select(vec!["TTP".to_string(), "pakistan".to_string(), "".to_string()])],
        kind in prop::sample::select(vec![None, Some(EntityKind::Person), Some(EntityKind::Place), Some(EntityKind::Organisation)]),
        facets in any::<bool>(),
    ) {
        let mut request = SearchRequest::new(query.clone())
            .years(years.0, years.1)
            .since(PartialDate::day(since.0, since.1, since.2))
            .entity(entity)
            .facets(facets);
        if let Some(kind) = kind {
            request = request.entity_kind(kind);
        }
        let result = article_index().search(&request);
        prop_assert!(acceptable(&result), "{request:?}: {result:?}");
    }
}

#[test]
fn huge_limits_and_offsets_are_not_a_crash() {
    let index = article_index();
    for (limit, offset) in [
        (usize::MAX, 0),
        (0, usize::MAX),
        (usize::MAX, usize::MAX),
        (1 << 40, 0),
        (10, 1 << 40),
    ] {
        let result = index.search(&SearchRequest::new("Torkham").limit(limit).offset(offset));
        assert!(
            acceptable(&result),
            "limit {limit}, offset {offset}: {result:?}"
        );
    }
}
