//! Where a one-shot search's time goes: a fresh process per query, as a user runs
//! `afsearch QUERY`, split into opening the index, the first (cold) search, and the same search
//! again (warm), with and without pseudo-relevance feedback.
//!
//! `benches/compare.py` measures the whole one-shot (spawn to last byte) against other tools;
//! this bench says which part of it afsearch could make cheaper. Each query runs in a child
//! process (this binary again, with `AFSEARCH_ONESHOT_CHILD` set) that times its own steps with
//! `Instant` and prints them; the parent times the child from spawn to exit. Indexes come from
//! `target/afsearch-bench/` as for `benches/search.rs` (the slice only when `../shared` is there).
//!
//! ```sh
//! cargo bench --bench oneshot
//! ```

mod common;

use afsearch::{SearchIndex, SearchRequest};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

const CHILD_ENV: &str = "AFSEARCH_ONESHOT_CHILD";

/// In the child: open `index`, search `query` three times, print the four durations in µs.
fn child(index: &Path, query: &str) -> Result<(), Box<dyn std::error::Error>> {
    let micros = |start: Instant| start.elapsed().as_secs_f64() * 1e6;
    let start = Instant::now();
    let index = SearchIndex::open(index)?;
    let open = micros(start);
    let request = SearchRequest::new(query);
    let start = Instant::now();
    std::hint::black_box(index.search(&request)?);
    let cold = micros(start);
    let start = Instant::now();
    std::hint::black_box(index.search(&request)?);
    let warm = micros(start);
    let start = Instant::now();
    std::hint::black_box(index.search(&request.clone().feedback(false))?);
    let warm_plain = micros(start);
    println!("{open:.1} {cold:.1} {warm:.1} {warm_plain:.1}");
    Ok(())
}

/// In the parent: one child per query, `rounds` times over the queries; prints the table.
fn measure(name: &str, dir: &Path, queries: &[String], rounds: usize) {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(err) => return eprintln!("{name}: cannot find this bench's binary: {err}"),
    };
    // process, open, cold, warm, warm without feedback
    let mut columns: [Vec<f64>; 5] = Default::default();
    for _ in 0..rounds {
        for query in queries {
            let start = Instant::now();
            let output = Command::new(&exe)
                .env(CHILD_ENV, "1")
                .arg(dir)
                .arg(query)
                .output();
            let process = start.elapsed().as_secs_f64() * 1e6;
            let output = match output {
                Ok(output) if output.status.success() => output,
                Ok(output) => {
                    let err = String::from_utf8_lossy(&output.stderr);
                    return eprintln!("{name}: child failed on {query:?}: {err}");
                }
                Err(err) => return eprintln!("{name}: cannot run the child: {err}"),
            };
            let line = String::from_utf8_lossy(&output.stdout);
            let steps: Vec<f64> = line
                .split_whitespace()
                .filter_map(|v| v.parse().ok())
                .collect();
            if steps.len() != 4 {
                return eprintln!("{name}: unexpected child output {line:?}");
            }
            columns[0].push(process);
            for (column, value) in columns[1..].iter_mut().zip(steps) {
                column.push(value);
            }
        }
    }
    println!(
        "oneshot/{name}: {} queries × {rounds}, one process each; median / p90 in µs",
        queries.len()
    );
    let labels = [
        "process, spawn to exit (3 searches)",
        "open the index",
        "first search (cold process)",
        "same search again (warm)",
        "warm, without feedback",
    ];
    for (label, column) in labels.iter().zip(columns) {
        let median = common::percentile(column.clone(), 50.0);
        let p90 = common::percentile(column, 90.0);
        println!("  {label:<36} {median:>9.0} / {p90:>9.0}");
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if std::env::var_os(CHILD_ENV).is_some() {
        let (Some(index), Some(query)) = (args.first(), args.get(1)) else {
            eprintln!("child: expected INDEX_DIR QUERY");
            std::process::exit(2);
        };
        if let Err(err) = child(Path::new(index), query) {
            eprintln!("child: {err}");
            std::process::exit(2);
        }
        return;
    }
    // `cargo test --benches` runs bench binaries without `--bench`: nothing to time then.
    if !args.iter().any(|a| a == "--bench") {
        return;
    }
    let rounds = std::env::var("AFSEARCH_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(3);
    if rounds == 0 {
        return;
    }
    let corpus = common::bundled_corpus();
    if common::index_for(&corpus).is_some() {
        let queries: Vec<String> = ["Torkham closure", "Durand Line", "TTP attacks"]
            .map(String::from)
            .to_vec();
        let dir = common::index_dir(&corpus);
        measure(&corpus.name, &dir, &queries, rounds * 10);
    }
    if let Some(slice) = common::slice(common::articles_from_env(0)) {
        let queries = common::scale_queries();
        if common::index_for(&slice).is_some() && !queries.is_empty() {
            let dir = common::index_dir(&slice);
            measure(&slice.name, &dir, &queries, rounds);
        }
    }
}
