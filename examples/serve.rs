//! # One index, many threads — and a rebuild while they search
//!
//! A `SearchIndex` is cheap to clone and `Send + Sync`: hand a clone to every worker. When the
//! corpus changes, rebuild, then call `reload()` — searches in flight finish on the old build,
//! the next ones see the new one.
//!
//! ```sh
//! cargo run --example serve
//! ```

use afsearch::{build_index, BuildOptions, Corpus, SearchIndex, SearchRequest};
use std::path::Path;
use std::thread;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // # A private copy of the bundled corpus, so the example can change it
    let scratch = tempfile::tempdir()?;
    let corpus_dir = scratch.path().join("corpus");
    let index_dir = scratch.path().join("index");
    std::fs::create_dir(&corpus_dir)?;
    let article =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus/afghanistan-pakistan-relations.txt");
    std::fs::copy(article, corpus_dir.join("article.txt"))?;
    build_index(
        &Corpus::open(&corpus_dir, None)?,
        &index_dir,
        &BuildOptions::default(),
    )?;
    let index = SearchIndex::open(&index_dir)?;

    // # Several workers share the index
    let queries = [
        "Torkham closure",
        "Durand Line",
        "refugees deported",
        "ISI Taliban",
    ];
    thread::scope(|scope| {
        for query in queries {
            let index = index.clone();
            scope.spawn(
                move || match index.search(&SearchRequest::new(query).limit(1)) {
                    Ok(results) => println!(
                        "[{query}] {} matches, best: {:?}",
                        results.total,
                        results.hits.first().map(|h| &h.id)
                    ),
                    Err(err) => eprintln!("[{query}] {err}"),
                },
            );
        }
    });

    // # The corpus changes: rebuild, then reload
    std::fs::write(
        corpus_dir.join("wire.jsonl"),
        "{\"id\": \"wire-1\", \"title\": \"Update\", \"text\": \"Torkham reopened for pedestrians on 23 March 2025.\"}\n",
    )?;
    let before = index
        .search(&SearchRequest::new("reopened pedestrians"))?
        .total;
    build_index(
        &Corpus::open(&corpus_dir, None)?,
        &index_dir,
        &BuildOptions::default(),
    )?;
    let switched = index.reload()?;
    let after = index.search(&SearchRequest::new("reopened pedestrians"))?;
    println!(
        "before the rebuild: {before} matches; reloaded: {switched}; after: {} (best: {})",
        after.total,
        after.hits.first().map_or("-", |h| h.id.as_str())
    );
    Ok(())
}
