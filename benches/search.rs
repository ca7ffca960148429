//! In-process query latency over the bundled corpus: ten topical queries, top 10, with and
//! without facets and a year filter. The index is built once into `target/afsearch-bench/`.
//! (The 60 queries of issue 8 on the Wikipedia slice join once `.gz` dumps are read.)
//!
//! ```sh
//! cargo bench --bench search
//! ```

use afsearch::{build_index, BuildOptions, Corpus, SearchIndex, SearchRequest};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use std::path::{Path, PathBuf};

const SEED_QUERIES: &[&str] = &[
    "Torkham closure",
    "Durand Line",
    "TTP attacks",
    "refugees deported",
    "ISI Taliban funding",
    "transit trade agreement",
    "Soviet war",
    "Hamid Karzai Pakistan",
    "border skirmishes",
    "airstrikes Khost",
];

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Opens (building once) the index of `corpus_dir` under `target/afsearch-bench/name`.
fn index_for(name: &str, corpus_dir: &Path) -> Option<SearchIndex> {
    let corpus = Corpus::open(corpus_dir, None).ok()?;
    let dir = manifest_dir().join("target/afsearch-bench").join(name);
    if afsearch::freshness(&dir, &corpus).ok()? != afsearch::Freshness::Fresh {
        eprintln!("building the {name} index in {} …", dir.display());
        build_index(&corpus, &dir, &BuildOptions::default()).ok()?;
    }
    SearchIndex::open(&dir).ok()
}

fn run_queries(c: &mut Criterion, name: &str, index: &SearchIndex, queries: &[String]) {
    let mut group = c.benchmark_group(format!("search/{name}"));
    let variants: [(&str, fn(SearchRequest) -> SearchRequest); 3] = [
        ("top10", |r| r),
        ("top10+facets", |r| r.facets(true)),
        ("top10+year", |r| r.years(1900, 2000)),
    ];
    for (label, variant) in variants {
        group.bench_with_input(
            BenchmarkId::from_parameter(label),
            &queries,
            |b, queries| {
                let mut i = 0;
                b.iter(|| {
                    let request = variant(SearchRequest::new(queries[i % queries.len()].as_str()));
                    i += 1;
                    index.search(&request).expect("search")
                })
            },
        );
    }
    group.finish();
}

fn search(c: &mut Criterion) {
    let seed: Vec<String> = SEED_QUERIES.iter().map(|q| q.to_string()).collect();
    if let Some(index) = index_for("corpus", &manifest_dir().join("corpus")) {
        run_queries(c, "corpus", &index, &seed);
    }
}

criterion_group!(benches, search);
criterion_main!(benches);
