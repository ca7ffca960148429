//! Index build throughput (MB/s of source text, `Throughput::Bytes`) of the whole library
//! pipeline: `Corpus::open` → `build_index` (read, segment, extract dates and entities, index,
//! commit) into a fresh directory.
//!
//! Inputs: the bundled `corpus/`, and the Wikipedia slice of issue 8 when
//! `../shared/data/scale` is there (skipped with a message otherwise). A full-slice build takes
//! tens of seconds, so by default the slice bench takes its first 5,000 articles (about 7 MB)
//! with 10 samples; `AFSEARCH_BENCH_ARTICLES=0` builds the whole slice (105,769 articles,
//! 152 MB: count on ten minutes), any other number that many articles.
//!
//! ```sh
//! cargo bench --bench build                                 # corpus/ and slice-5000
//! AFSEARCH_BENCH_ARTICLES=0 cargo bench --bench build slice # the whole slice
//! ```
//!
//! Whole-process figures (wall and CPU time, peak RSS) against tantivy-cli, FTS5 and ripgrep
//! are `benches/compare.py`'s job.

mod common;

use afsearch::{build_index, BuildOptions, Corpus};
use common::Input;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::time::Duration;

/// Default size of the slice subset: big enough for every indexing thread to be busy, small
/// enough for ten samples in about a minute on two cores.
const DEFAULT_ARTICLES: usize = 5_000;

fn bench_input(c: &mut Criterion, input: &Input, samples: usize, measurement: Duration) {
    let corpus = match Corpus::open(&input.corpus_dir, None) {
        Ok(corpus) => corpus,
        Err(err) => {
            eprintln!("skipping {}: {err}", input.name);
            return;
        }
    };
    if input.format == "jsonl" {
        eprintln!(
            "{}: afsearch does not read WikiExtractor files yet; indexing the same paragraphs as JSON lines",
            input.name
        );
    }
    let mut group = c.benchmark_group("build");
    group
        .sample_size(samples)
        .measurement_time(measurement)
        .throughput(Throughput::Bytes(input.text_bytes));
    group.bench_function(input.name.as_str(), |b| {
        b.iter_with_large_drop(|| {
            let scratch = tempfile::tempdir().expect("tempdir");
            build_index(&corpus, scratch.path(), &BuildOptions::default()).expect("build");
            // Dropped outside the timing: deleting the index is not building it.
            scratch
        })
    });
    group.finish();
}

fn build(c: &mut Criterion) {
    bench_input(c, &common::bundled_corpus(), 20, Duration::from_secs(20));
    if let Some(slice) = common::slice(common::articles_from_env(DEFAULT_ARTICLES)) {
        // Criterion stretches the measurement to fit ten samples; a short target keeps it to
        // the minimum.
        bench_input(c, &slice, 10, Duration::from_secs(30));
    }
}

criterion_group!(benches, build);
criterion_main!(benches);
