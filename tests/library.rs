//! The library's public API, used the way another Rust program would.

use afsearch::{build_index, BuildOptions, Corpus, SearchIndex, SearchRequest};

#[test]
fn build_and_search_through_the_library() {
    let dir = crate::util::TestDir::with_article();
    let corpus = Corpus::open(&dir.corpus(), None).expect("corpus");
    let report = build_index(&corpus, &dir.index(), &BuildOptions::default()).expect("build");
    assert_eq!(report.paragraphs, 60);
    assert!(report.warnings.is_empty());
    let index = SearchIndex::open(&dir.index()).expect("open");
    let results = index
        .search(&SearchRequest::new("Durand Line").limit(5))
        .expect("search");
    assert_eq!(results.hits.len(), 5);
    assert!(results.total >= 5);
    assert!(results.hits.windows(2).all(|w| w[0].score >= w[1].score));
    assert_eq!(
        results.hits.iter().map(|h| h.rank).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    let page2 = index
        .search(&SearchRequest::new("Durand Line").limit(5).offset(5))
        .expect("search");
    assert_eq!(page2.hits[0].rank, 6);
    assert!(results.hits.iter().all(|h| h.id != page2.hits[0].id));
}

#[test]
fn in_memory_index_from_records() {
    use afsearch::Record;
    let index = SearchIndex::from_records([
        Record::new(
            "a",
            "Border",
            "The Torkham crossing closed on 21 February 2025.",
        ),
        Record::new("b", "Trade", "Transit trade via Karachi.").date("2012-07"),
    ])
    .expect("build");
    assert_eq!(index.dir(), None);
    let results = index
        .search(&SearchRequest::new("torkham").facets(true))
        .expect("search");
    assert_eq!(results.hits[0].id, "a");
    assert_eq!(results.hits[0].dates, ["2025-02-21"]);
    let facets = results.facets.expect("facets");
    assert_eq!(facets.years.get(&2025), Some(&1));
    assert!(facets.entities.iter().any(|e| e.name == "Torkham"));
    let by_date = index
        .search(&SearchRequest::new("").years(2012, 2012))
        .expect("search");
    assert_eq!(by_date.hits[0].id, "b");
    assert!(
        !index.reload().expect("reload"),
        "an in-memory index never changes"
    );
    let bad = SearchIndex::from_records([Record::new("x", "t", "text").date("2025-13-01")]);
    assert!(matches!(bad, Err(afsearch::Error::InvalidRecord { .. })));
}

#[test]
fn shared_between_threads_and_reloaded_after_a_rebuild() {
    let dir = crate::util::TestDir::with_article();
    let corpus = Corpus::open(&dir.corpus(), None).expect("corpus");
    build_index(&corpus, &dir.index(), &BuildOptions::default()).expect("build");
    let index = SearchIndex::open(&dir.index()).expect("open");
    let counts: Vec<usize> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let index = index.clone();
                scope.spawn(move || {
                    index
                        .search(&SearchRequest::new("Durand"))
                        .expect("search")
                        .total
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    assert!(counts.windows(2).all(|w| w[0] == w[1]) && counts[0] > 0);

    assert!(!index.reload().expect("reload"), "nothing changed yet");
    dir.write("wire.txt", "= Wire =\n\nThe zyxwvut crossing reopened.\n");
    let corpus = Corpus::open(&dir.corpus(), None).expect("corpus");
    build_index(&corpus, &dir.index(), &BuildOptions::default()).expect("rebuild");
    // The old generation still answers until the handle reloads.
    assert_eq!(
        index
            .search(&SearchRequest::new("zyxwvut"))
            .expect("search")
            .total,
        0
    );
    assert!(index.reload().expect("reload"));
    assert_eq!(
        index
            .search(&SearchRequest::new("zyxwvut"))
            .expect("search")
            .total,
        1
    );
    assert_eq!(index.info().paragraphs, 61);
}
