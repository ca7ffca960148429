//! Index build throughput (MB/s of corpus text) on the bundled corpus. (The Wikipedia slice of
//! issue 8 joins once the corpus reader takes `.gz` WikiExtractor dumps.)
//!
//! ```sh
//! cargo bench --bench build
//! ```

use afsearch::{build_index, BuildOptions, Corpus};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bench_corpus(c: &mut Criterion, name: &str, corpus_dir: &Path, samples: usize) {
    let corpus = match Corpus::open(corpus_dir, None) {
        Ok(corpus) => corpus,
        Err(err) => {
            eprintln!("skipping {name}: {err}");
            return;
        }
    };
    let mut group = c.benchmark_group("build");
    group
        .sample_size(samples)
        .measurement_time(Duration::from_secs(20))
        .throughput(Throughput::Bytes(corpus.total_bytes()));
    group.bench_function(name, |b| {
        b.iter_with_large_drop(|| {
            let scratch = tempfile::tempdir().expect("tempdir");
            build_index(&corpus, scratch.path(), &BuildOptions::default()).expect("build");
            scratch
        })
    });
    group.finish();
}

fn build(c: &mut Criterion) {
    bench_corpus(c, "corpus", &manifest_dir().join("corpus"), 20);
}

criterion_group!(benches, build);
criterion_main!(benches);
