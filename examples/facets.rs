//! # Facets: in which years, and around which actors, a topic lives
//!
//! Index the bundled corpus, then for a query print how many matching paragraphs cover each
//! year and which entities they name most — counted over every match, not just the top hits.
//!
//! ```sh
//! cargo run --example facets -- Torkham
//! ```

use afsearch::{build_index, BuildOptions, Corpus, SearchIndex, SearchRequest};
use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let query = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    let query = if query.is_empty() {
        "Durand Line".to_string()
    } else {
        query
    };

    // # Build an index of `corpus/` in a scratch directory
    let corpus = Corpus::open(&Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus"), None)?;
    let scratch = tempfile::tempdir()?;
    build_index(&corpus, scratch.path(), &BuildOptions::default())?;
    let index = SearchIndex::open(scratch.path())?;

    // # Ask for facets with the search
    let results = index.search(&SearchRequest::new(query.as_str()).limit(0).facets(true))?;
    let facets = results.facets.unwrap_or_default();
    println!("{query:?} matches {} paragraphs", results.total);

    // # A year histogram
    let widest = facets.years.values().copied().max().unwrap_or(1);
    for (year, count) in &facets.years {
        let bar = "#".repeat((*count * 30).div_ceil(widest) as usize);
        println!("  {year}  {bar} {count}");
    }

    // # The entities around the topic, per kind, most named first
    for entity in facets.entities.iter().take(12) {
        println!(
            "  {:<12} {:<40} {}",
            entity.kind.as_str(),
            entity.name,
            entity.count
        );
    }
    Ok(())
}
