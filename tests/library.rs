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
