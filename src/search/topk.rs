//! The best hits of a ranked search, ties in corpus order, scoring as few matches as it can.
//!
//! A query that is a union of single terms (plain words over the searched fields, `field:word`)
//! takes two passes over each segment:
//!
//! 1. **Pick candidates** with Tantivy's block-max WAND: `Weight::for_each_pruning` skips every
//!    block of postings that cannot beat the current k-th score, so the cost follows the
//!    competitive documents rather than all the matches.
//! 2. **Count and score exactly**: read the terms' document ids (no frequencies, no scores) to
//!    count every match, and to tally facets when asked; seek each term's postings to the
//!    candidates only, to score them exactly.
//!
//! A caller that need not count every match ([`Counting::Visited`], from
//! `SearchRequest::count_all(false)`) skips the reading of document ids: pass 2 only seeks. The
//! total is then a lower bound made of what is known for free: the live matches pass 1 passed
//! on and, in a segment without deletions, the document count of its most frequent term. It is
//! exact when pass 1 never pruned, or when it meets the sum of the terms' document counts.
//!
//! Two details keep the result exact:
//!
//! * **Ties.** Hits are ordered by score, then by their place in the corpus (the `order` fast
//!   field), so that a page never depends on how the index's segments were written. Pass 1 is
//!   driven by a threshold a hair *below* the k-th score, so documents tying with it still
//!   arrive, and every candidate within that hair is kept to the end.
//! * **Scores.** Block-max WAND adds up a document's term scores in an order that depends on
//!   where each posting list stands, and f32 addition is not associative: the same document may
//!   score one ulp apart in two segment layouts. So pass 1 only picks the candidates; pass 2
//!   scores them term by term in the query's clause order, which is how Tantivy's exhaustive
//!   union scorer adds them. The hair is wide enough to cover the difference.
//!
//! Pruning does not always pay: block-max WAND works per candidate, and its exact pass reads
//! every posting anyway to count (unless not counting). When the terms' postings are few for the
//! depth asked (see [`worth_pruning`]), and for any other query (phrases, `+`/`-`, `AND`,
//! filters), every match is scored with the query's own scorer, as a plain top-k collector
//! would, counting and tallying on the way: that total is exact whether it was asked for or not.
//! Both ways give the same hits with the same scores, bit for bit.

use super::facets::MatchSink;
#[cfg(test)]
use super::facets::Tally;
use super::terms::{Entries, Terms, WeightedTerms};
use std::cmp::Ordering;
use std::sync::Arc;
use tantivy::columnar::Column;
use tantivy::postings::TermInfo;
use tantivy::query::{
    Bm25StatisticsProvider, BooleanQuery, BooleanWeight, BoostQuery, EnableScoring, Explanation,
    Occur, Query, Scorer, SumCombiner, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::{DocAddress, DocId, DocSet, Score, Searcher, SegmentReader, TERMINATED};

/// A hit of a ranked search.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Ranked {
    pub score: Score,
    pub address: DocAddress,
}

/// The paragraph's place in the corpus (`schema::ORDER`, one column per segment in `order`),
/// which breaks ties in score.
fn place(order: &[Column<u64>], address: DocAddress) -> u64 {
    order
        .get(address.segment_ord as usize)
        .and_then(|column| column.first(address.doc_id))
        .unwrap_or(u64::MAX)
}

/// Higher score first, whatever the place in the corpus.
pub(crate) fn by_score(a: &Ranked, b: &Ranked) -> Ordering {
    b.score.total_cmp(&a.score)
}

/// Sorts `hits` best first: the higher score, then the paragraph that comes first in the
/// corpus. Places are looked up only among hits that tie: each is a random read of a column of
/// the whole corpus (about 0.1 µs in memory, a page fault in a fresh process), and a feedback
/// search sorts hundreds of hits whose scores are nearly all distinct.
pub(crate) fn sort_best_first(hits: &mut [Ranked], order: &[Column<u64>]) {
    hits.sort_unstable_by(by_score);
    for ties in hits.chunk_by_mut(|a, b| by_score(a, b).is_eq()) {
        if ties.len() > 1 {
            ties.sort_by_cached_key(|hit| place(order, hit.address));
        }
    }
}

/// What to rank by.
pub(crate) enum Ranking<'q> {
    /// A union of terms, each with its field boost, in clause order: pruned when that pays.
    Union(&'q [(Term, Score)]),
    /// Any query: every match is scored.
    Query(&'q dyn Query),
}

/// The query Tantivy's parser writes for one word in one field: a term query reading
/// frequencies, boosted by the field's weight.
pub(crate) fn weighted_term(term: &Term, boost: Score) -> Box<dyn Query> {
    let query = Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
    if boost == 1.0 {
        query
    } else {
        Box::new(BoostQuery::new(query, boost))
    }
}

/// The union of the weighted `terms`, in order.
pub(crate) fn union_query(terms: &[(Term, Score)]) -> BooleanQuery {
    BooleanQuery::new(
        terms
            .iter()
            .map(|(term, boost)| (Occur::Should, weighted_term(term, *boost)))
            .collect(),
    )
}

/// Which matches a ranked search counts.
pub(crate) enum Counting<'t> {
    /// Every match, each also given to the sink if there is one (a facet tally).
    Every(Option<&'t mut dyn MatchSink>),
    /// Only those that finding the best hits visits: the count is then a lower bound.
    Visited,
}

/// How many documents matched: every one counted, or at least so many.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Matches {
    pub count: usize,
    /// Whether `count` is every match, not only a lower bound.
    pub exact: bool,
}

impl Matches {
    pub(crate) fn exact(count: usize) -> Matches {
        Matches { count, exact: true }
    }
}

/// The `k` best hits for `ranking` (fewer if fewer match), best first, and the number of
/// matches, counted as `counting` says. `order` holds each segment's `schema::ORDER` column.
pub(crate) fn top_k(
    terms: &Terms<'_>,
    order: &[Column<u64>],
    ranking: Ranking<'_>,
    k: usize,
    counting: Counting<'_>,
) -> tantivy::Result<(Vec<Ranked>, Matches)> {
    let (candidates, matches) = match ranking {
        Ranking::Union(union) if worth_pruning(terms, union, k)? => {
            top_of_union(terms, union, k, counting)?
        }
        Ranking::Union(union) => top_of_query(terms, Scored::Union(union), k, counting)?,
        Ranking::Query(query) => top_of_query(terms, Scored::Query(query), k, counting)?,
    };
    Ok((best(order, candidates, k), matches))
}

/// The best `k` of `candidates` with their place in the corpus, best first.
fn best(order: &[Column<u64>], candidates: Vec<Candidate>, k: usize) -> Vec<Ranked> {
    let mut hits: Vec<Ranked> = candidates
        .into_iter()
        .map(|c| Ranked {
            score: c.score,
            address: DocAddress::new(c.segment, c.doc),
        })
        .collect();
    sort_best_first(&mut hits, order);
    hits.truncate(k);
    hits
}

/// Postings per term and hit wanted above which pruning pays.
///
/// Block-max WAND does work for every document that might still enter the top k, and with each
/// it re-sorts the terms' cursors; scoring every posting costs a few nanoseconds each, and the
/// exact pass that follows pruning reads every posting anyway (to count). Measured on the
/// Wikipedia slice (benches/README.md, "Query path"): with k = 10, pruning wins from about
/// 5,000 postings for 8 terms; with k = 1,000 (pseudo-relevance feedback's depth then; 300
/// now) it almost never does.
///
/// Not counting every match moves the crossing little: block-max WAND's setup and pass 2's
/// opening of each term's postings cost about as much as scoring a few thousand postings.
/// Measured the same way with `count_all(false)` (both ways in alternate rounds of the 60
/// queries, 15 rounds, after the look-ups that find nothing were dropped): scoring every match
/// won all 23 queries below 32 postings per term and hit (72 µs against 93 at 0.2), pruning 23
/// of 26 above 64 (277 µs against 1,109 at 556), and between the two they split.
const PRUNE_FROM_POSTINGS_PER_TERM_AND_HIT: u64 = 64;

/// Whether block-max WAND is likely faster than scoring every match of `union` for the best `k`.
fn worth_pruning(terms: &Terms<'_>, union: &[(Term, Score)], k: usize) -> tantivy::Result<bool> {
    let mut postings = 0;
    for (term, _) in union {
        postings += terms.doc_freq(term)?;
    }
    let threshold = PRUNE_FROM_POSTINGS_PER_TERM_AND_HIT
        .saturating_mul(union.len() as u64)
        .saturating_mul(k as u64);
    Ok(postings >= threshold)
}

/// The term weights of a union, made once and combined per segment.
///
/// Tantivy's term weight looks its term up in every segment it scores, about half a
/// microsecond each, though [`Terms`] has looked them all up already. A segment's union of only
/// the terms that segment holds spares the look-ups that find nothing, and is the same scorer:
/// Tantivy drops the empty scorers of absent terms and keeps the others in clause order.
struct UnionWeights {
    terms: Vec<(Arc<dyn Weight>, Entries)>,
}

impl UnionWeights {
    fn new(terms: &Terms<'_>, union: &[(Term, Score)]) -> tantivy::Result<UnionWeights> {
        let enable = EnableScoring::enabled_from_statistics_provider(terms, terms.searcher());
        let terms = union
            .iter()
            .map(|(term, boost)| {
                let weight: Arc<dyn Weight> =
                    Arc::from(weighted_term(term, *boost).weight(enable)?);
                Ok((weight, terms.entries(term)?))
            })
            .collect::<tantivy::Result<_>>()?;
        Ok(UnionWeights { terms })
    }

    /// The union of the terms segment `segment` holds, as [`union_query`] weighs it; `None` when
    /// it holds none.
    fn in_segment(&self, segment: usize) -> Option<BooleanWeight<SumCombiner>> {
        let held: Vec<(Occur, Box<dyn Weight>)> = self
            .terms
            .iter()
            .filter(|(_, entries)| entries.get(segment).is_some_and(Option::is_some))
            .map(|(weight, _)| (Occur::Should, Box::new(Shared(Arc::clone(weight))) as _))
            .collect();
        if held.is_empty() {
            return None;
        }
        // SHOULD clauses alone, with no minimum: the same documents as "one of them must match"
        // (there is no MUST clause to be optional to), and Tantivy keeps them a term union,
        // which block-max WAND prunes. A minimum of 1 with one clause held would promote it to
        // a MUST, and a one-scorer intersection scores every posting.
        Some(BooleanWeight::with_minimum_number_should_match(
            held,
            0,
            true,
            Box::new(SumCombiner::default),
        ))
    }
}

/// A weight shared by the unions of several segments.
struct Shared(Arc<dyn Weight>);

impl Weight for Shared {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        self.0.scorer(reader, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }
}

/// How far apart, relative to the score, two sums of the same `terms` term scores may come out
/// when added in different orders: a bound of (n − 1)·ε, with a wide margin.
fn slack(terms: usize) -> Score {
    8.0 * (terms as Score + 1.0) * Score::EPSILON
}

fn top_of_union(
    terms: &Terms<'_>,
    union: &[(Term, Score)],
    k: usize,
    counting: Counting<'_>,
) -> tantivy::Result<(Vec<Candidate>, Matches)> {
    let searcher = terms.searcher();
    // Pass 1. A union of plain term queries with summed scores: Tantivy runs block-max WAND.
    let weights = UnionWeights::new(terms, union)?;
    let mut pool = Pool::new(k, slack(union.len()));
    // The live matches pass 1 passed on, per segment: at least that many match.
    let mut visited = vec![0; searcher.segment_readers().len()];
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        let Some(weight) = weights.in_segment(segment) else {
            continue;
        };
        let alive = reader.alive_bitset();
        let seen = &mut visited[segment];
        let segment = segment as u32;
        weight.for_each_pruning(pool.threshold(), reader, &mut |doc, score| {
            if alive.is_none_or(|alive| alive.is_alive(doc)) {
                *seen += 1;
                pool.push(Candidate {
                    score,
                    segment,
                    doc,
                });
            }
            pool.threshold()
        })?;
    }
    // A floor that never rose let every match through.
    let saw_every_match = pool.floor == Score::MIN;
    let mut candidates = pool.into_candidates();
    // Pass 2.
    let exact = WeightedTerms::new(terms, union)?;
    let matches = match counting {
        Counting::Every(mut tally) => {
            let mut total = 0;
            let mut bits = Vec::new();
            for (segment, reader) in searcher.segment_readers().iter().enumerate() {
                let segment = segment as u32;
                total += union_matches(
                    reader,
                    exact.entries(segment),
                    &mut bits,
                    tally.as_deref_mut(),
                    segment,
                )?;
            }
            Matches::exact(total)
        }
        Counting::Visited if saw_every_match => Matches::exact(visited.iter().sum()),
        Counting::Visited => at_least(searcher, &exact, &visited),
    };
    let docs: Vec<(u32, DocId)> = candidates.iter().map(|c| (c.segment, c.doc)).collect();
    let scores = exact.sum_scores(searcher, &docs)?;
    for (candidate, score) in candidates.iter_mut().zip(scores) {
        candidate.score = score;
    }
    Ok((candidates, matches))
}

/// How many documents match the terms of `exact` at least, from what the dictionary says and
/// the live matches of each segment pass 1 `visited`, without reading any posting.
///
/// Every document holding a term matches, so in a segment without deletions the term with the
/// most documents is a lower bound too; the sum of the terms' document counts is an upper
/// bound (deleted documents and documents holding several terms are in it), and when the two
/// bounds meet, the count is exact.
fn at_least(searcher: &Searcher, exact: &WeightedTerms, visited: &[usize]) -> Matches {
    let (mut low, mut high) = (0, 0);
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        let doc_freqs = exact
            .entries(segment as u32)
            .map(|(_, entry)| entry.doc_freq as usize);
        let (largest, sum) = doc_freqs.fold((0, 0), |(largest, sum), n| (n.max(largest), sum + n));
        let seen = visited.get(segment).copied().unwrap_or(0);
        low += if reader.has_deletes() {
            seen
        } else {
            seen.max(largest)
        };
        high += sum;
    }
    Matches {
        count: low,
        exact: low == high,
    }
}

/// Counts the documents of `reader` that hold any of the terms with `entries` (deleted ones
/// left out), reading their ids only, and adds them to `tally` if any. `bits` is scratch space.
fn union_matches<'e>(
    reader: &SegmentReader,
    entries: impl Iterator<Item = (Field, &'e TermInfo)>,
    bits: &mut Vec<u64>,
    tally: Option<&mut (dyn MatchSink + '_)>,
    segment: u32,
) -> tantivy::Result<usize> {
    bits.clear();
    bits.resize((reader.max_doc() as usize).div_ceil(64), 0);
    for (field, entry) in entries {
        let mut block = reader
            .inverted_index(field)?
            .read_block_postings_from_terminfo(entry, IndexRecordOption::Basic)?;
        loop {
            let docs = block.docs();
            if docs.is_empty() {
                break;
            }
            for &doc in docs {
                bits[doc as usize / 64] |= 1 << (doc % 64);
            }
            block.advance();
        }
    }
    let alive = reader.alive_bitset();
    if tally.is_none() && alive.is_none() {
        return Ok(bits.iter().map(|word| word.count_ones() as usize).sum());
    }
    let mut tally = tally;
    let mut total = 0;
    for (i, &word) in bits.iter().enumerate() {
        let mut word = word;
        while word != 0 {
            let doc = (i * 64) as DocId + word.trailing_zeros();
            word &= word - 1;
            if alive.is_none_or(|alive| alive.is_alive(doc)) {
                total += 1;
                if let Some(tally) = tally.as_mut() {
                    tally.add(segment, doc);
                }
            }
        }
    }
    Ok(total)
}

/// What [`top_of_query`] scores.
enum Scored<'q> {
    Query(&'q dyn Query),
    /// A union of terms, scored as its [`union_query`] is.
    Union(&'q [(Term, Score)]),
}

fn top_of_query(
    terms: &Terms<'_>,
    scored: Scored<'_>,
    k: usize,
    counting: Counting<'_>,
) -> tantivy::Result<(Vec<Candidate>, Matches)> {
    let searcher = terms.searcher();
    let (whole, unions) = match scored {
        Scored::Query(query) => (
            Some(
                query.weight(EnableScoring::enabled_from_statistics_provider(
                    terms, searcher,
                ))?,
            ),
            None,
        ),
        Scored::Union(union) => (None, Some(UnionWeights::new(terms, union)?)),
    };
    // Every match is scored, so every match is counted, whatever `counting` asks.
    let mut tally = match counting {
        Counting::Every(tally) => tally,
        Counting::Visited => None,
    };
    // These scores are the scorer's own: no slack needed.
    let mut pool = Pool::new(k, 0.0);
    let mut total = 0;
    for (segment, reader) in searcher.segment_readers().iter().enumerate() {
        let union;
        let weight: &dyn Weight = match (&whole, &unions) {
            (Some(weight), _) => weight.as_ref(),
            (None, Some(unions)) => match unions.in_segment(segment) {
                Some(weight) => {
                    union = weight;
                    &union
                }
                None => continue,
            },
            (None, None) => continue,
        };
        let segment = segment as u32;
        let alive = reader.alive_bitset();
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|alive| alive.is_alive(doc)) {
                total += 1;
                if let Some(tally) = tally.as_deref_mut() {
                    tally.add(segment, doc);
                }
                let score = scorer.score();
                if score >= pool.floor {
                    pool.push(Candidate {
                        score,
                        segment,
                        doc,
                    });
                }
            }
            doc = scorer.advance();
        }
    }
    Ok((pool.into_candidates(), Matches::exact(total)))
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    score: Score,
    segment: u32,
    doc: DocId,
}

/// The candidates that may still be among the `k` best, and the score a document needs to
/// join them.
struct Pool {
    k: usize,
    /// Relative error of a candidate's score (see [`slack`]).
    slack: Score,
    /// A candidate scoring below this cannot be among the `k` best: `k` candidates score at
    /// least `floor` plus the slack. Only rises.
    floor: Score,
    candidates: Vec<Candidate>,
    /// Size at which the candidates are next cut down to those at or above the floor.
    compact_at: usize,
}

impl Pool {
    fn new(k: usize, slack: Score) -> Pool {
        Pool {
            k: k.max(1),
            slack,
            floor: Score::MIN,
            candidates: Vec::new(),
            compact_at: 2 * k.max(8),
        }
    }

    /// The score a document must exceed to be passed on: just below the floor, since Tantivy
    /// passes on only scores strictly above its threshold and a tie with the floor must come.
    fn threshold(&self) -> Score {
        self.floor.next_down()
    }

    fn push(&mut self, candidate: Candidate) {
        self.candidates.push(candidate);
        if self.candidates.len() >= self.compact_at {
            self.compact();
        }
    }

    /// Raises the floor to the k-th best score less the slack, and drops what is below it.
    fn compact(&mut self) {
        if self.candidates.len() >= self.k {
            let k = self.k;
            self.candidates
                .select_nth_unstable_by(k - 1, |a, b| b.score.total_cmp(&a.score));
            let kth = self.candidates[k - 1].score;
            let floor = kth - kth.abs() * self.slack;
            if floor > self.floor {
                self.floor = floor;
            }
            let floor = self.floor;
            self.candidates.retain(|c| c.score >= floor);
        }
        // Ties with the k-th score all stay: grow geometrically so that many ties cost linear time.
        self.compact_at = (2 * self.candidates.len()).max(2 * self.k.max(8));
    }

    fn into_candidates(mut self) -> Vec<Candidate> {
        self.compact();
        self.candidates
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::schema;
    use crate::search::facets::FacetTable;
    use crate::search::tests::{in_segments, synthetic};
    use crate::search::{query, SearchRequest};
    use crate::Record;
    use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue};
    use tantivy::collector::{Count, TopDocs};
    use tantivy::Order;

    #[test]
    fn pruning_gives_the_exhaustive_hits_and_scores() {
        let index = in_segments(&synthetic(1500), 113, &[5, 77, 400, 401, 1200]);
        let generation = index.current();
        let searcher = generation.reader.searcher();
        let terms = Terms::new(&searcher, &generation.info);
        let order = generation.order_columns().expect("order");
        // Searches whose uncounted total was a lower bound, not exact.
        let mut bounded = 0;
        // Segments whose union holds only some of the terms: what `UnionWeights` is for.
        let mut partial = 0;
        for text in [
            "river",
            "border trade",
            "trucks convoy crossing",
            "river river valley",
            "Torkham closure talks treaty harvest Kabul",
        ] {
            let request = SearchRequest::new(text);
            let built =
                query::build(&generation.index, &generation.fields, &request, None).expect("query");
            let union = built.union.expect("a union of terms");
            let weights = UnionWeights::new(&terms, &union).expect("weights");
            partial += (0..searcher.segment_readers().len())
                .filter(|&segment| {
                    let held = weights.terms.iter();
                    let held = held
                        .filter(|(_, entries)| entries.get(segment).is_some_and(Option::is_some));
                    (1..union.len()).contains(&held.count())
                })
                .count();
            let exhaustive = union_query(&union);
            let total = searcher.search(&exhaustive, &Count).expect("count");
            for k in [1, 2, 3, 5, 10, 25, 100, 2000] {
                let (pruned, pruned_total) =
                    top_of_union(&terms, &union, k, Counting::Every(None)).expect("pruned");
                let (scored, scored_total) =
                    top_of_query(&terms, Scored::Query(&exhaustive), k, Counting::Every(None))
                        .expect("exhaustive");
                // Each segment's union of the terms it holds scores as the whole union does.
                let (per_segment, _) =
                    top_of_query(&terms, Scored::Union(&union), k, Counting::Every(None))
                        .expect("per segment");
                assert_eq!(
                    best(order, per_segment, k),
                    best(order, scored.clone(), k),
                    "{text} k={k}"
                );
                let pruned = best(order, pruned, k);
                assert_eq!(pruned, best(order, scored, k), "{text} k={k}");
                assert_eq!(
                    (pruned_total, scored_total),
                    (Matches::exact(total), Matches::exact(total)),
                    "{text} k={k}"
                );
                // Not counting: the same hits and scores, and at least the hits as the total.
                let (uncounted, bound) =
                    top_of_union(&terms, &union, k, Counting::Visited).expect("uncounted");
                assert_eq!(best(order, uncounted, k), pruned, "{text} k={k}");
                assert!(bound.count <= total, "{text} k={k}: {bound:?} of {total}");
                assert!(bound.count >= k.min(total), "{text} k={k}: {bound:?}");
                if bound.exact {
                    assert_eq!(bound.count, total, "{text} k={k}");
                } else {
                    bounded += 1;
                }
                // Tantivy's own top-k collector, ordered the same way, agrees to the bit.
                let collector = TopDocs::with_limit(k).order_by((
                    (SortBySimilarityScore, Order::Desc),
                    (
                        SortByStaticFastValue::<u64>::for_field(schema::ORDER),
                        Order::Asc,
                    ),
                ));
                let tantivy: Vec<(u32, DocAddress)> = searcher
                    .search_with_statistics_provider(&exhaustive, &collector, &terms)
                    .expect("search")
                    .into_iter()
                    .map(|((score, _), address)| (score.to_bits(), address))
                    .collect();
                let ours: Vec<(u32, DocAddress)> = pruned
                    .iter()
                    .map(|hit| (hit.score.to_bits(), hit.address))
                    .collect();
                assert_eq!(ours, tantivy, "{text} k={k}");
            }
        }
        assert!(bounded > 0, "pruning never skipped a match: nothing tested");
        assert!(
            partial > 0,
            "every segment held every term: per-segment unions untested"
        );
    }

    /// Hundreds of paragraphs tying for every place, spread over segments, some deleted: not
    /// counting, the pruned search keeps the ties in corpus order, as scoring every match does.
    #[test]
    fn uncounted_pruning_keeps_ties_in_corpus_order() {
        let records: Vec<Record> = (0..600)
            .map(|i| {
                let text = match i % 3 {
                    0 => "The river market opened.",
                    1 => "A river.",
                    _ => "Trucks crossed the market bridge at dawn.",
                };
                Record::new(format!("p{i:03}"), "", text)
            })
            .collect();
        let index = in_segments(&records, 37, &[0, 4, 300, 301, 599]);
        let generation = index.current();
        let searcher = generation.reader.searcher();
        let terms = Terms::new(&searcher, &generation.info);
        let order = generation.order_columns().expect("order");
        let request = SearchRequest::new("river market");
        let built =
            query::build(&generation.index, &generation.fields, &request, None).expect("query");
        let union = built.union.expect("a union of terms");
        for k in [1, 5, 10, 60, 250] {
            let (pruned, bound) =
                top_of_union(&terms, &union, k, Counting::Visited).expect("pruned");
            let (scored, total) = top_of_query(
                &terms,
                Scored::Query(&union_query(&union)),
                k,
                Counting::Every(None),
            )
            .expect("scored");
            let (pruned, scored) = (best(order, pruned, k), best(order, scored, k));
            assert_eq!(pruned, scored, "k={k}");
            let key = |hit: &Ranked| {
                (
                    std::cmp::Reverse(hit.score.to_bits()),
                    place(order, hit.address),
                )
            };
            assert!(pruned.windows(2).all(|w| key(&w[0]) < key(&w[1])));
            assert!(
                bound.count >= k && bound.count <= total.count,
                "k={k}: {bound:?}"
            );
        }
    }

    /// Pruned or not, counted from the columns or by a facet table, the same facets. The
    /// table is reused from one query to the next, as a long-lived index reuses it, so the
    /// second query counts with the arrays the first one cleared.
    #[test]
    fn both_ways_tally_the_same_facets() {
        let index = in_segments(&synthetic(700), 61, &[3, 300]);
        let generation = index.current();
        let searcher = generation.reader.searcher();
        let terms = Terms::new(&searcher, &generation.info);
        let table = FacetTable::build(&searcher).expect("table");
        for text in ["river", "Kabul Pakistan convoy", "river"] {
            let request = SearchRequest::new(text);
            let built =
                query::build(&generation.index, &generation.fields, &request, None).expect("query");
            let union = built.union.expect("a union of terms");
            let mut pruned = Tally::new(&searcher, None).expect("tally");
            top_of_union(&terms, &union, 10, Counting::Every(Some(&mut pruned))).expect("pruned");
            let mut numbered = Tally::new(&searcher, Some(&table)).expect("tally");
            top_of_union(&terms, &union, 10, Counting::Every(Some(&mut numbered))).expect("pruned");
            let mut scored = Tally::new(&searcher, None).expect("tally");
            top_of_query(
                &terms,
                Scored::Query(&union_query(&union)),
                10,
                Counting::Every(Some(&mut scored)),
            )
            .expect("scored");
            assert_eq!(pruned.matches(), scored.matches(), "{text}");
            assert_eq!(pruned.matches(), numbered.matches(), "{text}");
            let by_name = pruned.facets().expect("facets");
            assert!(
                !by_name.years.is_empty() && !by_name.entities.is_empty(),
                "{text}"
            );
            assert_eq!(by_name, scored.facets().expect("facets"), "{text}");
            assert_eq!(by_name, numbered.facets().expect("facets"), "{text}");
            let kinds = crate::search::facets::KINDS;
            assert_eq!(
                pruned.entities(&kinds).expect("entities"),
                numbered.entities(&kinds).expect("entities"),
                "{text}"
            );
        }
    }

    #[test]
    fn pool_keeps_every_tie_with_the_kth_score() {
        let mut pool = Pool::new(2, 0.0);
        for (doc, score) in [3.0, 1.0, 2.0, 2.0, 0.5, 2.0, 1.5].into_iter().enumerate() {
            if score >= pool.floor {
                pool.push(Candidate {
                    score,
                    segment: 0,
                    doc: doc as DocId,
                });
            }
        }
        let mut kept: Vec<DocId> = pool.into_candidates().iter().map(|c| c.doc).collect();
        kept.sort_unstable();
        // 3.0, then the three documents tying at 2.0 for the second place.
        assert_eq!(kept, [0, 2, 3, 5]);
    }

    #[test]
    fn threshold_lets_a_tie_with_the_floor_through() {
        let mut pool = Pool::new(1, 0.0);
        pool.push(Candidate {
            score: 0.0,
            segment: 0,
            doc: 0,
        });
        pool.compact();
        assert_eq!(pool.floor, 0.0);
        assert!(0.0 > pool.threshold());
    }

    #[test]
    fn slack_covers_reordered_sums() {
        // Sums of the same values in two orders differ; the slack covers the difference.
        let values: Vec<Score> = (1..=40)
            .map(|i| 1.0 / i as Score + 0.1 * i as Score)
            .collect();
        let forward: Score = values.iter().sum();
        let backward: Score = values.iter().rev().sum();
        assert_ne!(forward, backward, "a pair of orders that round differently");
        let larger = forward.max(backward);
        assert!((forward - backward).abs() <= larger * slack(values.len()));
    }
}
