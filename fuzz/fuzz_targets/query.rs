//! Any query string: normalised without panic, and searched against an in-memory index of the
//! bundled article as hits, no hits or a clean query error.
#![no_main]

use afsearch::corpus::{article, segment};
use afsearch::search::syntax::normalize;
use afsearch::{Error, Record, SearchIndex, SearchRequest, SortOrder};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

const ARTICLE: &str = include_str!("../../corpus/afghanistan-pakistan-relations.txt");

fn index() -> &'static SearchIndex {
    static INDEX: OnceLock<SearchIndex> = OnceLock::new();
    INDEX.get_or_init(|| {
        let paragraphs = segment::segment(&article::parse_articles(ARTICLE), "a.txt", "a");
        let records = paragraphs.into_iter().map(|p| {
            let record = Record::new(p.id, p.title, p.text);
            if p.ordinal % 5 == 0 {
                record.date("2025-02-21")
            } else {
                record
            }
        });
        SearchIndex::from_records(records).expect("in-memory index")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&options, rest)) = data.split_first() else {
        return;
    };
    let Ok(query) = std::str::from_utf8(rest) else {
        return;
    };
    let fields = ["title", "section", "text", "entities"];
    let normalized = normalize(query, &fields);
    let _ = normalize(&normalized.query, &fields);

    let mut request = SearchRequest::new(query)
        .limit(usize::from(options % 16))
        .offset(usize::from(options / 64))
        .facets(options & 16 != 0);
    if options & 32 != 0 {
        request = request.sort(SortOrder::Date);
    }
    match index().search(&request) {
        Ok(results) => assert!(results.hits.len() <= request.limit),
        Err(Error::Query(_)) => {}
        Err(other) => panic!("{query:?}: {other}"),
    }
    match index().entities(&SearchRequest::new(query)) {
        Ok(_) | Err(Error::Query(_)) => {}
        Err(other) => panic!("{query:?}: {other}"),
    }
});
