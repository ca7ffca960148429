//! Pseudo-relevance feedback (RM3) for ranked searches: the words that the best first-pass hits
//! share say what the query is about, so paragraphs that use them rank higher.
//!
//! The expansion only re-ranks, and only the first pass's best [`FEEDBACK_CANDIDATES`] hits:
//! each gets the BM25 score of every feedback word it holds added to its own. The paragraphs
//! that match, their count, the filters and the highlighted words stay exactly those of the
//! query the user typed, and hits below the candidates keep their BM25 order after them. The
//! candidate count is fixed, not derived from the page asked for, so that every page of a query
//! comes from the same ranking. Re-scoring a few hundred candidates costs a few seeks per
//! feedback word, where re-running the expanded query scored every match again.
//!
//! A hit's weight in the relevance model, P(D|Q), grows exponentially with its score, as in
//! Lavrenko and Croft's relevance model and Indri, where it is the query likelihood
//! exp(log P(Q|D)). Anserini's RM3 weighs hits by their share of the scores instead, which is
//! nearly flat over ten hits (the tenth scores about half the first): for a query with one or
//! two relevant paragraphs, as most SciFact claims have, the other hits then pull the model
//! away from them.
//!
//! Measured on three BEIR collections (benches/README.md, "Ranking quality", third round), on
//! the tuning sets: exponential instead of proportional weights, mean nDCG@10 +0.006
//! (p = 0.02), with SciFact no longer worse than without feedback; feedback as a whole, with the
//! `body` field, +0.018 (p < 0.001) over BM25 alone.

use super::syntax::STOP_WORDS;
use super::terms::{Terms, WeightedTerms};
use super::topk::{by_score, sort_best_first, Ranked};
use super::Documents;
use crate::index::schema::{english_analyzer, Fields};
use std::collections::HashMap;
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, Occur, Query};
use tantivy::schema::{Field, Term, Value};
use tantivy::Score;

/// First-pass hits the feedback words are taken from (Anserini's `fbDocs` default).
pub(crate) const FEEDBACK_DOCS: usize = 10;
/// First-pass hits re-ranked with the feedback words; the rest follow in BM25 order. On the
/// tuning sets (benches/README.md, "Fewer entity names, a shallower re-ranking"), 300 gives
/// every query the same nDCG@10 as 1,000 and nearly the same Recall@100 (Cranfield dev 0.7897
/// → 0.7852), and takes a fifth off the default in-process search of the Wikipedia slice (top
/// 10: about 780 → 614 µs). 100 would save more, but hits 11–100 could then no longer rise
/// from below the first hundred (Cranfield dev Recall@100 0.7516).
pub(crate) const FEEDBACK_CANDIDATES: usize = 300;
/// Words added to the query (Anserini's `fbTerms` default).
const FEEDBACK_TERMS: usize = 10;
/// RM3's interpolation weight of the original query; the feedback words share the rest.
/// Chosen on the tuning sets from 0.5, 0.6, 0.7 and 0.8.
const ORIGINAL_WEIGHT: f32 = 0.7;

/// How many points of BM25 score make a hit's weight e times smaller: P(D|Q) is
/// softmax(score / T). Chosen on the tuning sets from 1, 2, 4 and 8. The model adapts to the
/// first pass: a SciFact claim's second hit typically scores 6.5 points below its best (weight
/// ×0.2), so the best hit dominates, while NFCorpus's ten best are typically within 5 points
/// and all count.
const SCORE_TEMPERATURE: f32 = 4.0;

/// P(D|Q) of first-pass hits with these scores: softmax(score / `SCORE_TEMPERATURE`), so a hit
/// well below the best one adds little to the relevance model.
fn document_weights(scores: &[Score]) -> Vec<f32> {
    let Some(best) = scores.iter().copied().reduce(f32::max) else {
        return Vec::new();
    };
    let raw: Vec<f32> = scores
        .iter()
        .map(|score| ((score - best) / SCORE_TEMPERATURE).exp())
        .collect();
    // At least 1: the best hit's own term.
    let total: f32 = raw.iter().sum();
    raw.into_iter().map(|weight| weight / total).collect()
}

/// The relevance model of the first-pass hits `top` (score, address), best first: the
/// `FEEDBACK_TERMS` analyzed words with the highest P(w|R) = Σ_D P(D|Q)·tf(w,D)/|D| over their
/// title and text, with P(D|Q) from [`document_weights`], normalised to sum to 1. Stop words and
/// numbers are left out: they say nothing about the topic.
fn relevance_model(
    documents: &mut Documents<'_>,
    fields: &Fields,
    top: &[Ranked],
) -> tantivy::Result<Vec<(String, f32)>> {
    let scores: Vec<Score> = top.iter().map(|hit| hit.score).collect();
    let mut analyzer = english_analyzer();
    let mut model: HashMap<String, f32> = HashMap::new();
    for (hit, weight) in top.iter().zip(document_weights(&scores)) {
        let doc = documents.get(hit.address)?;
        let mut counts: HashMap<String, f32> = HashMap::new();
        let mut length = 0.0f32;
        for field in [fields.title, fields.text] {
            for value in doc.get_all(field) {
                let Some(text) = value.as_str() else { continue };
                let mut stream = analyzer.token_stream(text);
                while let Some(token) = stream.next() {
                    length += 1.0;
                    let word = token.text.as_str();
                    if !STOP_WORDS.contains(&word) && !word.chars().all(|c| c.is_ascii_digit()) {
                        *counts.entry(word.to_string()).or_default() += 1.0;
                    }
                }
            }
        }
        if length == 0.0 {
            continue;
        }
        for (word, count) in counts {
            *model.entry(word).or_default() += weight / length * count;
        }
    }
    let mut words: Vec<(String, f32)> = model.into_iter().collect();
    words.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    words.truncate(FEEDBACK_TERMS);
    let sum: f32 = words.iter().map(|(_, p)| p).sum();
    if sum <= 0.0 {
        return Ok(Vec::new());
    }
    for (_, p) in &mut words {
        *p /= sum;
    }
    Ok(words)
}

/// How many words of `field` the query looks for: the terms of its clauses, not counting
/// those of excluded (`-word`) clauses.
fn words_sought(query: &dyn Query, field: Field) -> usize {
    if let Some(boolean) = query.downcast_ref::<BooleanQuery>() {
        return boolean
            .clauses()
            .iter()
            .filter(|(occur, _)| *occur != Occur::MustNot)
            .map(|(_, clause)| words_sought(clause.as_ref(), field))
            .sum();
    }
    let mut count = 0;
    query.query_terms(&mut |term, _| {
        if term.field() == field {
            count += 1;
        }
    });
    count
}

/// Whether feedback can apply to `query` at all: it must look for words of `body` (`-Karzai`
/// alone does not).
pub(crate) fn applies(query: &dyn Query, fields: &Fields) -> bool {
    words_sought(query, fields.body) > 0
}

/// The RM3 expansion of `query` from its first-pass hits `top` (best first): the feedback words
/// as `body` terms with their boosts, or `None` when there is nothing to learn: a query
/// without text words (such as `-Karzai`), or one that matches no more paragraphs than the
/// feedback sample. Those would only be re-scored by their own words.
///
/// RM3 gives each of the |q| original words the weight λ/|q| and each feedback word
/// (1−λ)·P(w|R). Scaling all weights by |q|/λ keeps the original query's scores as they are
/// and boosts a feedback word by |q|·(1−λ)/λ·P(w|R), scored with BM25 in `body` (title and
/// text), the field the query's own words are scored in.
pub(crate) fn expansion(
    documents: &mut Documents<'_>,
    fields: &Fields,
    query: &dyn Query,
    top: &[Ranked],
) -> tantivy::Result<Option<Vec<(Term, Score)>>> {
    let query_words = words_sought(query, fields.body);
    if query_words == 0 || top.len() <= FEEDBACK_DOCS {
        return Ok(None);
    }
    let model = relevance_model(documents, fields, &top[..FEEDBACK_DOCS])?;
    if model.is_empty() {
        return Ok(None);
    }
    let scale = query_words as f32 * (1.0 - ORIGINAL_WEIGHT) / ORIGINAL_WEIGHT;
    Ok(Some(
        model
            .into_iter()
            .map(|(word, p)| (Term::from_field_text(fields.body, &word), scale * p))
            .collect(),
    ))
}

/// Re-ranks the first [`FEEDBACK_CANDIDATES`] of `hits` (best first by BM25) by adding to each
/// the scores of the feedback `terms` it holds, and cuts `hits` to the best `wanted` of that
/// ranking: the re-ranked candidates, then the hits after them in their BM25 order (adding can
/// only raise a score, so those stay below).
///
/// Only as many candidates are scored as can still make the cut. A feedback word adds less than
/// its BM25 weight (its score in the shortest document holding it countless times), so once the
/// next candidate's BM25 score plus the sum of those bounds falls below the `wanted`-th
/// re-ranked score, no candidate further down can rise into the page. Candidates are scored in
/// growing batches, best first. Ties in the new scores go by the paragraphs' places in the
/// corpus, read from `order` (each segment's `schema::ORDER` column).
pub(crate) fn rerank(
    terms: &Terms<'_>,
    order: &[Column<u64>],
    expansion: &[(Term, Score)],
    hits: &mut Vec<Ranked>,
    wanted: usize,
) -> tantivy::Result<()> {
    let wanted = wanted.max(1);
    let depth = hits.len().min(FEEDBACK_CANDIDATES);
    let weighted = WeightedTerms::new(terms, expansion)?;
    // A margin for the rounding of the sums; scores are positive.
    let most_added = weighted.max_score() * (1.0 + 1e-3);
    let mut done = 0;
    let mut batch = (4 * wanted).max(64);
    while done < depth {
        let end = (done + batch).min(depth);
        let docs: Vec<(u32, u32)> = hits[done..end]
            .iter()
            .map(|hit| (hit.address.segment_ord, hit.address.doc_id))
            .collect();
        let extra = weighted.sum_scores(terms.searcher(), &docs)?;
        for (hit, extra) in hits[done..end].iter_mut().zip(extra) {
            // What Tantivy's scorer of `original (MUST) + feedback words (SHOULD)` adds up.
            hit.score += extra;
        }
        done = end;
        batch *= 2;
        if done < depth && done >= wanted {
            let scored = &mut hits[..done];
            scored.select_nth_unstable_by(wanted - 1, by_score);
            let cut = scored[wanted - 1].score;
            if hits[done].score + most_added < cut {
                break;
            }
        }
    }
    // Candidates left unscored rank below the page, and are cut with the rest.
    sort_best_first(&mut hits[..done], order);
    hits.truncate(wanted);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::document_weights;
    use crate::{Record, SearchIndex, SearchRequest};

    /// Ten paragraphs about trade at the Torkham crossing, a shorter one that only shares the
    /// name, one about trade that does not name Torkham, and unrelated ones.
    fn index() -> SearchIndex {
        let mut records = vec![
            Record::new("music", "", "Torkham music festival opened."),
            Record::new(
                "other",
                "",
                "Trucks carrying trade goods crossed the border at Chaman.",
            ),
        ];
        for (i, text) in [
            "Torkham crossing: trucks, trade, border.",
            "Torkham border trucks and trade.",
            "Torkham trade, trucks at the border crossing.",
            "At Torkham, border trade by truck.",
            "Torkham: trucks cross the border for trade.",
            "Trade and trucks at the Torkham border.",
            "The Torkham border closed to trade trucks.",
            "Torkham border reopened for trade and trucks.",
            "Trucks queue for trade at the Torkham border.",
            "Border trade at Torkham: trucks turned back.",
        ]
        .iter()
        .enumerate()
        {
            records.push(Record::new(format!("trade{i}"), "", *text));
        }
        for (i, city) in ["Kabul", "Lahore", "Quetta", "Peshawar", "Herat", "Kandahar"]
            .iter()
            .enumerate()
        {
            for what in [
                "Rain fell in",
                "Elections were held in",
                "Wheat prices rose in",
            ] {
                records.push(Record::new(
                    format!("{i}{what}"),
                    "",
                    format!("{what} {city}."),
                ));
            }
        }
        SearchIndex::from_records(records).unwrap()
    }

    fn ids(index: &SearchIndex, request: SearchRequest) -> (Vec<String>, usize) {
        let results = index.search(&request.limit(10)).unwrap();
        let ids = results.hits.into_iter().map(|hit| hit.id).collect();
        (ids, results.total)
    }

    #[test]
    fn document_weights_fall_exponentially_with_the_score() {
        let weights = document_weights(&[40.0, 36.0, 20.0]);
        assert!((weights.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        // 4 points below the best: e times less; 20 points below: e⁵ times less, under 1 %.
        assert!((weights[0] / weights[1] - std::f32::consts::E).abs() < 1e-4);
        assert!(weights[2] < 0.01);
        // Equal scores, equal weights; no hits, no weights.
        assert_eq!(document_weights(&[3.0, 3.0]), vec![0.5, 0.5]);
        assert!(document_weights(&[]).is_empty());
    }

    #[test]
    fn feedback_reranks_by_the_words_the_best_hits_share() {
        let index = index();
        let (plain, _) = ids(&index, SearchRequest::new("Torkham").feedback(false));
        // BM25 alone prefers the shortest paragraph naming Torkham.
        assert_eq!(plain[0], "music");
        let (expanded, _) = ids(&index, SearchRequest::new("Torkham"));
        // The other hits share "border", "trucks" and "trade": one of them comes first.
        assert_ne!(expanded[0], "music");
    }

    #[test]
    fn feedback_keeps_the_matching_paragraphs() {
        let index = index();
        for query in [
            "Torkham",
            "Torkham music",
            "border -Chaman",
            "\"border crossing\"",
        ] {
            let (mut plain, plain_total) = ids(&index, SearchRequest::new(query).feedback(false));
            let (mut expanded, total) = ids(&index, SearchRequest::new(query));
            plain.sort();
            expanded.sort();
            assert_eq!(expanded, plain, "{query}");
            assert_eq!(total, plain_total, "{query}");
        }
        // "other" shares every feedback word but not the query's: it stays out.
        let (expanded, _) = ids(&index, SearchRequest::new("Torkham"));
        assert!(!expanded.contains(&"other".to_string()));
    }

    /// More paragraphs naming "river" than feedback re-ranks.
    fn many_rivers() -> SearchIndex {
        let records = crate::search::tests::synthetic(super::FEEDBACK_CANDIDATES + 300)
            .into_iter()
            .map(|record| Record::new(record.id, record.title, format!("{} river", record.text)))
            .collect::<Vec<_>>();
        crate::search::tests::in_segments(&records, 211, &[])
    }

    #[test]
    fn only_the_first_candidates_are_reranked() {
        let index = many_rivers();
        let all = super::FEEDBACK_CANDIDATES + 300;
        let run = |feedback: bool| {
            let request = SearchRequest::new("river trade")
                .limit(all)
                .feedback(feedback);
            index.search(&request).expect("search")
        };
        let (plain, expanded) = (run(false), run(true));
        assert_eq!(plain.total, all);
        assert_eq!(expanded.total, all);
        let depth = super::FEEDBACK_CANDIDATES;
        // Beyond the candidates: the BM25 ranking, scores and all.
        let tail = |results: &crate::SearchResults| -> Vec<(String, u32)> {
            results.hits[depth..]
                .iter()
                .map(|hit| (hit.id.clone(), hit.score.to_bits()))
                .collect()
        };
        assert_eq!(tail(&expanded), tail(&plain));
        // The candidates: the same paragraphs, re-ordered, never scored lower.
        let head = |results: &crate::SearchResults| -> Vec<String> {
            let mut ids: Vec<String> = results.hits[..depth].iter().map(|h| h.id.clone()).collect();
            ids.sort();
            ids
        };
        assert_eq!(head(&expanded), head(&plain));
        assert_ne!(
            expanded.hits[..depth]
                .iter()
                .map(|h| &h.id)
                .collect::<Vec<_>>(),
            plain.hits[..depth]
                .iter()
                .map(|h| &h.id)
                .collect::<Vec<_>>(),
            "feedback changed nothing: the test shows nothing"
        );
        assert!(expanded.hits[..depth]
            .windows(2)
            .all(|pair| pair[0].score >= pair[1].score));
    }

    #[test]
    fn every_page_is_a_slice_of_one_ranking() {
        let index = many_rivers();
        // With "river" alone, re-ranking lifts hits from deep in BM25's order.
        for query in ["river", "river trade", "convoy river", "Kabul river market"] {
            let ranking: Vec<(String, u32)> = index
                .search(&SearchRequest::new(query).limit(super::FEEDBACK_CANDIDATES + 300))
                .expect("search")
                .hits
                .into_iter()
                .map(|hit| (hit.id, hit.score.to_bits()))
                .collect();
            for (offset, limit) in [
                (0, 1),
                (0, 10),
                (10, 10),
                (3, 40),
                (200, 30),
                // Across the last candidates, and past them.
                (super::FEEDBACK_CANDIDATES - 10, 20),
                (super::FEEDBACK_CANDIDATES + 100, 50),
            ] {
                let page: Vec<(String, u32)> = index
                    .search(&SearchRequest::new(query).offset(offset).limit(limit))
                    .expect("search")
                    .hits
                    .into_iter()
                    .map(|hit| (hit.id, hit.score.to_bits()))
                    .collect();
                let end = (offset + limit).min(ranking.len());
                assert_eq!(page, ranking[offset..end], "{query} {offset}+{limit}");
            }
        }
    }

    #[test]
    fn no_feedback_without_words_to_learn_from() {
        let index = index();
        let scores = |request: SearchRequest| -> Vec<(String, f32)> {
            let results = index.search(&request.limit(20)).unwrap();
            results
                .hits
                .iter()
                .map(|h| (h.id.clone(), h.score))
                .collect()
        };
        // Only an exclusion; a query that matches fewer paragraphs than the feedback sample.
        for query in ["-Chaman", "music", "Chaman festival"] {
            assert_eq!(
                scores(SearchRequest::new(query)),
                scores(SearchRequest::new(query).feedback(false)),
                "{query}"
            );
        }
    }
}
