//! # Embedding afsearch: search records your program already has
//!
//! Build an index in memory from records supplied in code, run a few searches, and print the
//! hits with their highlighted words. Nothing touches the disk.
//!
//! ```sh
//! cargo run --example embed
//! ```

use afsearch::{Record, SearchIndex, SearchRequest};

fn main() -> afsearch::Result<()> {
    // # The records
    // Anything with an id, a title and a text will do; a date (ISO 8601) is optional. Dates and
    // entities mentioned in the text are extracted for you.
    let records = [
        Record::new(
            "wire-001",
            "Torkham closed",
            "The Torkham border crossing was shut on 21 February 2025 after a dispute over a border post.",
        )
        .date("2025-02-21"),
        Record::new(
            "wire-002",
            "Trade talks",
            "Officials in Islamabad and Kabul discussed transit trade through Karachi and Gwadar.",
        )
        .date("2025-03-02"),
        Record::new(
            "wire-003",
            "Refugees",
            "UNHCR said deportations of Afghan refugees from Pakistan rose sharply in 2025.",
        ),
    ];

    // # The index
    let index = SearchIndex::from_records(records)?;

    // # Searching
    // A request is built fluently; the defaults are the top 10 by BM25.
    for query in ["Torkham closure", "trade Karachi", "refugee deportation"] {
        let results = index.search(&SearchRequest::new(query).limit(3))?;
        println!("{query:?}: {} matching", results.total);
        for hit in &results.hits {
            // Highlights are byte ranges into the excerpt: mark them however you like.
            let mut marked = hit.excerpt.text.clone();
            for range in hit.excerpt.highlights.iter().rev() {
                marked.insert(range.end, ']');
                marked.insert(range.start, '[');
            }
            println!(
                "  {:>5.2}  {}  {}  years {:?}",
                hit.score, hit.id, marked, hit.years
            );
        }
    }
    Ok(())
}
