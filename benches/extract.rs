//! Throughput of date and entity extraction (issue 8: both together must sustain ≥ 60 MB/s per
//! core so that extraction does not slow the index build down).
//!
//! ```sh
//! cargo bench --bench extract                  # everything
//! cargo bench --bench extract -- wikipedia     # only the Wikipedia slice
//! ```
//!
//! Inputs, each measured for `date` (extract_dates), `entity` (entities_in) and `combined`
//! (both, as the index build runs them), in bytes of paragraph text per second:
//! - `corpus`: the bundled article, split into paragraphs on blank lines;
//! - `wikipedia-20MB`: the first ~20 MB of paragraphs of the Wikipedia slice in
//!   `../shared/data/scale/` (skipped when that file is absent);
//! - `one-paragraph-5MB`: the bundled article made one 5 MB paragraph (blank lines removed,
//!   repeated). Its throughput must stay within 2 × of the per-paragraph figures: anything
//!   super-linear in the length of a text shows up here.

use std::hint::black_box;
use std::io::{BufRead, BufReader};
use std::path::Path;

use afsearch::extract::{date, entity};
use criterion::{criterion_group, criterion_main, BenchmarkGroup, Criterion, Throughput};

const CORPUS: &str = include_str!("../corpus/afghanistan-pakistan-relations.txt");
const WIKIPEDIA: &str = "../shared/data/scale/enwiki-2014-wikiextractor-AA-AC.txt.gz";
const WIKIPEDIA_BYTES: usize = 20_000_000;
const LONG_BYTES: usize = 5_000_000;

fn corpus_paragraphs() -> Vec<String> {
    CORPUS
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// The first `limit` bytes' worth of paragraphs of the WikiExtractor slice: every non-empty
/// line outside the `<doc …>` / `</doc>` markers (titles and headings included, as they are
/// extracted too), or `None` when the file is not there.
fn wikipedia_paragraphs(limit: usize) -> Option<Vec<String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(WIKIPEDIA);
    let file = std::fs::File::open(&path).ok()?;
    let reader = BufReader::new(flate2::read::GzDecoder::new(file));
    let mut paragraphs = Vec::new();
    let mut bytes = 0;
    for line in reader.lines() {
        let line = line.ok()?;
        let line = line.trim();
        if line.is_empty() || line.starts_with("<doc ") || line == "</doc>" {
            continue;
        }
        bytes += line.len();
        paragraphs.push(line.to_string());
        if bytes >= limit {
            break;
        }
    }
    Some(paragraphs)
}

fn one_long_paragraph(len: usize) -> String {
    let flat = CORPUS.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut text = String::with_capacity(len + flat.len());
    while text.len() < len {
        text.push_str(&flat);
        text.push(' ');
    }
    text
}

fn bench_input(c: &mut Criterion, name: &str, paragraphs: &[String], samples: usize) {
    let bytes: usize = paragraphs.iter().map(String::len).sum();
    let mut group: BenchmarkGroup<'_, _> = c.benchmark_group(format!("extract/{name}"));
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(samples);
    group.bench_function("date", |b| {
        b.iter(|| {
            for p in paragraphs {
                black_box(date::extract_dates(black_box(p), None));
            }
        })
    });
    group.bench_function("entity", |b| {
        b.iter(|| {
            for p in paragraphs {
                black_box(entity::entities_in(black_box(p)));
            }
        })
    });
    group.bench_function("combined", |b| {
        b.iter(|| {
            for p in paragraphs {
                black_box(date::extract_dates(black_box(p), None));
                black_box(entity::entities_in(black_box(p)));
            }
        })
    });
    group.finish();
}

fn extraction(c: &mut Criterion) {
    bench_input(c, "corpus", &corpus_paragraphs(), 50);
    match wikipedia_paragraphs(WIKIPEDIA_BYTES) {
        Some(paragraphs) => bench_input(c, "wikipedia-20MB", &paragraphs, 10),
        None => eprintln!("extract/wikipedia-20MB: skipped, {WIKIPEDIA} is not there"),
    }
    bench_input(
        c,
        "one-paragraph-5MB",
        &[one_long_paragraph(LONG_BYTES)],
        10,
    );
}

criterion_group!(benches, extraction);
criterion_main!(benches);
