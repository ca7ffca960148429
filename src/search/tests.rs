//! Tests of the query path as a whole: answers that must not depend on how the index's segments
//! were written, ties in corpus order, counts and facets over every match. Each module's own
//! tests cover its parts; these share the fixtures below with them.

use super::*;
use crate::extract::extract;
use crate::index::doc::to_document;
use crate::index::schema::{build_schema, register_tokenizers};
use tantivy::indexer::NoMergePolicy;
use tantivy::{IndexWriter, Term};

/// Words the synthetic paragraphs are made of: a few common ones, many rarer ones, and names
/// the gazetteer knows, so that facets have entities to count.
const WORDS: &[&str] = &[
    "border",
    "trade",
    "river",
    "border",
    "trade",
    "river",
    "crossing",
    "trucks",
    "market",
    "closure",
    "talks",
    "treaty",
    "convoy",
    "valley",
    "bridge",
    "station",
    "festival",
    "harvest",
    "Pakistan",
    "Afghanistan",
    "Kabul",
    "Peshawar",
    "Torkham",
    "Taliban",
    "Quetta",
    "Karachi",
];

/// `n` paragraphs drawn from [`WORDS`] by a fixed generator, with years, and every 40th one a
/// copy of an earlier one (equal scores: ties to break by corpus order).
pub(crate) fn synthetic(n: usize) -> Vec<Record> {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % bound
    };
    let mut texts: Vec<String> = Vec::with_capacity(n);
    for i in 0..n {
        if i % 40 == 39 {
            let copy = texts[next(i)].clone();
            texts.push(copy);
            continue;
        }
        let length = 3 + next(12);
        let mut words: Vec<&str> = (0..length).map(|_| WORDS[next(WORDS.len())]).collect();
        if next(3) == 0 {
            words.push("in");
            words.push(["1979", "2001", "2015", "2023"][next(4)]);
        }
        texts.push(format!("{}.", words.join(" ")));
    }
    texts
        .into_iter()
        .enumerate()
        .map(|(i, text)| {
            let title = WORDS[i % WORDS.len()];
            Record::new(format!("p{i:04}"), title, text)
        })
        .collect()
}

/// `records` indexed with a new segment every `per_segment` records, none merged, and the
/// records whose position is in `deleted` deleted afterwards: the same paragraphs as
/// [`SearchIndex::from_records`] gives, laid out differently.
pub(crate) fn in_segments(
    records: &[Record],
    per_segment: usize,
    deleted: &[usize],
) -> SearchIndex {
    let paragraphs: Vec<crate::Paragraph> = records
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, record)| record.into_paragraph(i as u32 + 1).expect("valid record"))
        .collect();
    // The statistics of the same paragraphs built in one go; deletions do not change them.
    let (_, _, info) = build_in_memory(&paragraphs).expect("build");
    let (schema, fields) = build_schema();
    let index = Index::create_in_ram(schema);
    register_tokenizers(&index);
    let mut writer: IndexWriter<TantivyDocument> = index
        .writer_with_num_threads(1, 15_000_000)
        .expect("writer");
    writer.set_merge_policy(Box::new(NoMergePolicy));
    for (position, paragraph) in paragraphs.iter().enumerate() {
        let document = to_document(paragraph, &extract(paragraph), &fields, position as u64);
        writer.add_document(document).expect("add");
        if (position + 1) % per_segment == 0 {
            writer.commit().expect("commit");
        }
    }
    writer.commit().expect("commit");
    // Ids are stored, not indexed: a paragraph is deleted by its place in corpus order.
    for &position in deleted {
        let order = Term::from_field_u64(fields.order, position as u64);
        let query = tantivy::query::RangeQuery::new(
            std::ops::Bound::Included(order.clone()),
            std::ops::Bound::Included(order),
        );
        writer.delete_query(Box::new(query)).expect("delete");
    }
    writer.commit().expect("commit");
    SearchIndex::in_memory(index, fields, info).expect("reader")
}

pub(crate) fn segments(index: &SearchIndex) -> usize {
    index.current().reader.searcher().segment_readers().len()
}

/// Requests of every kind: plain words (pruned or not), repeated words, phrases, operators,
/// fields, filters, facets, sorting, paging, with and without feedback.
fn requests() -> Vec<SearchRequest> {
    let mut requests = Vec::new();
    for query in [
        "river",
        "border trade",
        "trucks convoy crossing",
        "river river valley",
        "Torkham closure talks treaty harvest",
        "\"border trade\" market",
        "+river trucks",
        "border -trade",
        "title:river convoy",
        "bridge OR station",
        "Kabul AND Peshawar",
        "festivals",
    ] {
        for limit in [1, 3, 10, 40] {
            requests.push(SearchRequest::new(query).limit(limit));
            requests.push(SearchRequest::new(query).limit(limit).feedback(false));
        }
        requests.push(SearchRequest::new(query).offset(7).limit(9));
        requests.push(SearchRequest::new(query).facets(true));
        requests.push(SearchRequest::new(query).years(2001, 2015).limit(20));
        requests.push(SearchRequest::new(query).entity("Pakistan").facets(true));
        requests.push(SearchRequest::new(query).sort(SortOrder::Date).limit(20));
    }
    requests.push(
        SearchRequest::new("")
            .years(2023, 2023)
            .facets(true)
            .limit(30),
    );
    requests
}

#[test]
fn answers_do_not_depend_on_the_segments() {
    let records = synthetic(1200);
    let one = SearchIndex::from_records(records.clone()).expect("index");
    let many = in_segments(&records, 97, &[]);
    assert!(segments(&many) > 10, "{} segments", segments(&many));
    for request in requests() {
        let a = serde_json::to_value(one.search(&request).expect("search")).expect("json");
        let b = serde_json::to_value(many.search(&request).expect("search")).expect("json");
        assert_eq!(a, b, "{request:?}");
    }
}

#[test]
fn deleted_paragraphs_are_neither_hits_nor_counted() {
    let records = synthetic(600);
    let deleted: Vec<usize> = (0..600).filter(|i| i % 7 == 3).collect();
    let index = in_segments(&records, 50, &deleted);
    let kept: Vec<Record> = records
        .iter()
        .enumerate()
        .filter(|(i, _)| !deleted.contains(i))
        .map(|(_, r)| r.clone())
        .collect();
    let kept_index = SearchIndex::from_records(kept).expect("index");
    for request in requests() {
        let got = index.search(&request).expect("search");
        let want = kept_index.search(&request).expect("search");
        // Scores may differ (BM25 statistics still count deleted paragraphs until a merge), so
        // compare what matched: as many, every hit a kept paragraph, the same facets.
        assert_eq!(got.total, want.total, "{request:?}");
        assert_eq!(got.hits.len(), want.hits.len(), "{request:?}");
        for hit in &got.hits {
            let position: usize = hit.id[1..].parse().expect("id");
            assert!(
                !deleted.contains(&position),
                "{} is deleted: {request:?}",
                hit.id
            );
        }
        assert_eq!(got.facets, want.facets, "{request:?}");
    }
}

#[test]
fn equal_scores_come_in_corpus_order() {
    let mut records: Vec<Record> = (0..30)
        .map(|i| Record::new(format!("same{i:02}"), "", "The river market opened."))
        .collect();
    records.insert(10, Record::new("other", "", "A convoy crossed the bridge."));
    let index = in_segments(&records, 4, &[]);
    let page = |offset: usize, limit: usize| -> Vec<String> {
        let request = SearchRequest::new("river market")
            .feedback(false)
            .offset(offset)
            .limit(limit);
        let results = index.search(&request).expect("search");
        assert_eq!(results.total, 30);
        results.hits.into_iter().map(|hit| hit.id).collect()
    };
    let expected: Vec<String> = (0..30).map(|i| format!("same{i:02}")).collect();
    assert_eq!(page(0, 30), expected);
    assert_eq!(page(0, 5), expected[..5]);
    assert_eq!(page(5, 5), expected[5..10]);
    assert_eq!(page(27, 10), expected[27..]);
    // A page of none still counts the matches.
    assert!(page(0, 0).is_empty());
    assert!(page(5, 0).is_empty());
    let by_date = SearchRequest::new("river market")
        .sort(SortOrder::Date)
        .limit(0);
    let by_date = index.search(&by_date).expect("search");
    assert_eq!((by_date.hits.len(), by_date.total), (0, 30));
}

/// Counted from the columns (an index's first facet count) and by its facet table (every later
/// one, see `Generation::facet_table`, with count arrays reused from one to the next), the
/// facets are those of every match, counted one by one, deleted paragraphs left out.
#[test]
fn facets_count_every_match() {
    let records = synthetic(900);
    let index = in_segments(&records, 64, &[7, 130, 131, 640]);
    let queries = [
        "river",
        "border trade",
        "+Kabul convoy",
        "\"border trade\"",
        "",
    ];
    let asked = queries.iter().flat_map(|query| [query, query]);
    for (round, &query) in asked.enumerate() {
        let request = SearchRequest::new(query).facets(true).limit(10);
        // Filters alone count through another path than a ranked search.
        let request = if query.is_empty() {
            request.years(2000, 2030)
        } else {
            request
        };
        let results = index.search(&request).expect("search");
        assert_eq!(
            index
                .current()
                .facet_table
                .get()
                .is_some_and(Option::is_some),
            round > 0,
            "{query}: the facet table is built by the second facet count"
        );
        let all = index
            .search(&request.clone().facets(false).limit(results.total))
            .expect("search");
        assert_eq!(all.hits.len(), results.total, "{query}");
        let mut years: std::collections::BTreeMap<i32, u64> = Default::default();
        let mut entities: std::collections::HashMap<(EntityKind, String), u64> = HashMap::new();
        for hit in &all.hits {
            for &year in &hit.years {
                *years.entry(year).or_default() += 1;
            }
            let mut named: Vec<&EntityTag> = hit.entities.iter().collect();
            named.sort_by(|a, b| (a.kind.as_str(), &a.name).cmp(&(b.kind.as_str(), &b.name)));
            named.dedup();
            for tag in named {
                *entities.entry((tag.kind, tag.name.clone())).or_default() += 1;
            }
        }
        let facets = results.facets.expect("facets");
        assert_eq!(facets.years, years, "{query}");
        let mut expected = Vec::new();
        for kind in facets::KINDS {
            let mut of_kind: Vec<(&String, u64)> = entities
                .iter()
                .filter(|((k, _), _)| *k == kind)
                .map(|((_, name), &count)| (name, count))
                .collect();
            of_kind.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
            of_kind.truncate(facets::TOP_ENTITIES_PER_KIND);
            expected.extend(
                of_kind
                    .into_iter()
                    .map(|(name, count)| facets::EntityCount {
                        name: name.clone(),
                        kind,
                        count,
                    }),
            );
        }
        assert!(!expected.is_empty(), "{query}: no entities to count");
        assert_eq!(facets.entities, expected, "{query}");
    }
}

/// An entity listing gives the same entities and counts whether facet searches have built the
/// facet table (which it then counts by) or not (it counts from the columns).
#[test]
fn entity_listings_are_the_same_with_the_facet_table() {
    let index = in_segments(&synthetic(900), 64, &[7, 130, 131, 640]);
    let requests = [
        SearchRequest::new("river"),
        SearchRequest::new("border trade"),
        SearchRequest::new("").years(2000, 2030),
        SearchRequest::new("river").entity_kind(EntityKind::Place),
    ];
    let listings = |index: &SearchIndex| -> Vec<Vec<EntityListing>> {
        let listed = requests.iter().map(|r| index.entities(r).expect("listing"));
        listed.collect()
    };
    let from_columns = listings(&index);
    assert!(from_columns.iter().all(|l| !l.is_empty()));
    for _ in 0..2 {
        index
            .search(&SearchRequest::new("river").facets(true))
            .expect("search");
    }
    assert!(index
        .current()
        .facet_table
        .get()
        .is_some_and(Option::is_some));
    assert_eq!(listings(&index), from_columns);
}

/// Without counting every match, a search gives the page a counted search gives, scores to the
/// bit, whatever the segments and deletions; its total is a lower bound, exact when it says so.
#[test]
fn uncounted_searches_give_the_counted_hits() {
    let records = synthetic(1500);
    let deleted: Vec<usize> = (0..1500).filter(|i| i % 11 == 5).collect();
    let indexes = [
        SearchIndex::from_records(records.clone()).expect("index"),
        in_segments(&records, 97, &[]),
        in_segments(&records, 113, &deleted),
    ];
    // Requests whose total came out a lower bound: the pruned path was taken.
    let mut bounded = 0;
    for index in &indexes {
        for request in requests() {
            let counted = index.search(&request).expect("search");
            let uncounted = index
                .search(&request.clone().count_all(false))
                .expect("search");
            let page = |results: &SearchResults| -> Vec<(String, u32, usize)> {
                results
                    .hits
                    .iter()
                    .map(|hit| (hit.id.clone(), hit.score.to_bits(), hit.rank))
                    .collect()
            };
            assert_eq!(page(&uncounted), page(&counted), "{request:?}");
            let hits = |results: &SearchResults| serde_json::to_value(&results.hits).expect("json");
            assert_eq!(hits(&uncounted), hits(&counted), "{request:?}");
            assert_eq!(uncounted.facets, counted.facets, "{request:?}");
            assert!(counted.total_is_exact, "{request:?}");
            let (bound, total) = (uncounted.total, counted.total);
            assert!(bound <= total, "{request:?}: {bound} of {total}");
            let wanted = request.offset + request.limit;
            assert!(bound >= wanted.min(total), "{request:?}: {bound}");
            if uncounted.total_is_exact {
                assert_eq!(bound, total, "{request:?}");
            } else {
                bounded += 1;
                assert!(!request.facets, "facets count every match: {request:?}");
            }
        }
    }
    assert!(bounded > 0, "no search pruned: nothing tested");
}

/// The `entities` field holds the gazetteer's names and aliases, so a spelling of an entity
/// that a paragraph does not use still finds it; a name the gazetteer does not know is only
/// searchable through the text (`entities:` does not find it), though it is still extracted.
#[test]
fn gazetteer_aliases_are_searchable_and_other_names_only_as_text() {
    let records = vec![
        Record::new(
            "ttp",
            "Raids",
            "The TTP claimed the attack on the border post.",
        ),
        Record::new(
            "taliban",
            "Raids",
            "Pakistani Taliban fighters crossed at night.",
        ),
        Record::new(
            "person",
            "Visits",
            "Jawad Mirzakhel visited the border post in Kabul.",
        ),
        Record::new("other", "Visits", "The border post reopened after talks."),
    ];
    let index = SearchIndex::from_records(records).expect("index");
    let ids = |query: &str| -> Vec<String> {
        let results = index
            .search(&SearchRequest::new(query).exact(true))
            .expect("search");
        let mut ids: Vec<String> = results.hits.into_iter().map(|hit| hit.id).collect();
        ids.sort();
        ids
    };
    // Neither paragraph writes "Tehreek-e-Taliban": only the gazetteer's aliases match it.
    assert_eq!(ids("Tehreek-e-Taliban"), ["taliban", "ttp"]);
    assert_eq!(ids("Mirzakhel"), ["person"]);
    assert!(ids("entities:Mirzakhel").is_empty());
    assert_eq!(ids("entities:Kabul"), ["person"]);
    let person = index
        .search(&SearchRequest::new("Mirzakhel"))
        .expect("search");
    let named: Vec<&str> = person.hits[0]
        .entities
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert!(
        named.contains(&"Jawad Mirzakhel"),
        "extracted as an entity: {named:?}"
    );
    let generation = index.current();
    let (fields, searcher) = (generation.fields, generation.reader.searcher());
    let in_entities = |word: &str| {
        let term = Term::from_field_text(fields.entity_names, word);
        searcher
            .segment_readers()
            .iter()
            .map(|segment| segment.inverted_index(fields.entity_names).expect("field"))
            .any(|inverted| inverted.get_term_info(&term).expect("term").is_some())
    };
    assert!(
        in_entities("kabul"),
        "a gazetteer place is a searchable entity"
    );
    assert!(
        !in_entities("mirzakhel"),
        "an unknown name is only in the text"
    );
}
