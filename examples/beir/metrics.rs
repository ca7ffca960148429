//! Ranking metrics, defined as `trec_eval` (and therefore `pytrec_eval` and BEIR) defines them.
//!
//! * `ndcg_cut_k`: DCG@k = Σ_{i=1..k} gain(dᵢ) / log₂(i + 1) with *linear* gains (the qrels grade;
//!   a grade ≤ 0 is not relevant and gains nothing), divided by the DCG@k of the ideal ranking
//!   of all judged documents with a positive grade.
//! * `recall_k`: relevant documents in the top k / all relevant documents (grade ≥ 1).
//! * `recip_rank` cut at k (MRR@k): 1 / rank of the first relevant document in the top k, else 0.
//!
//! Every function takes the ranking *as ranked* (best first). trec_eval re-sorts a run by score
//! and breaks score ties by document id (descending); the harness evaluates the order the
//! product returned instead, so [`trec_eval_order`] is provided to reproduce trec_eval's order
//! when that is what is wanted. A document id repeated in a ranking counts only at its first
//! position (trec_eval rejects such runs). A query without any relevant document has no
//! defined score: the functions return `None` and the caller skips the query, as BEIR does.

use std::collections::{HashMap, HashSet};

/// Judgements of one query: document id → grade.
pub type Judgements = HashMap<String, i32>;

/// Number of documents with a positive grade.
pub fn num_relevant(judged: &Judgements) -> usize {
    judged.values().filter(|&&g| g > 0).count()
}

fn gain(judged: &Judgements, doc: &str) -> f64 {
    judged.get(doc).map_or(0.0, |&g| f64::from(g.max(0)))
}

/// The first `k` distinct ids of `ranking`, in order.
fn top_k<S: AsRef<str>>(ranking: &[S], k: usize) -> impl Iterator<Item = &str> {
    let mut seen = HashSet::new();
    ranking
        .iter()
        .map(AsRef::as_ref)
        .filter(move |id| seen.insert(*id))
        .take(k)
}

/// nDCG@k with linear gains (trec_eval `ndcg_cut.k`); `None` if no document is relevant.
pub fn ndcg_at<S: AsRef<str>>(ranking: &[S], judged: &Judgements, k: usize) -> Option<f64> {
    let discount = |i: usize| 1.0 / ((i + 2) as f64).log2();
    let mut ideal: Vec<f64> = judged
        .values()
        .filter(|&&g| g > 0)
        .map(|&g| f64::from(g))
        .collect();
    if ideal.is_empty() {
        return None;
    }
    ideal.sort_by(|a, b| b.total_cmp(a));
    // fold from +0.0: `Sum for f64` starts at -0.0, which would print as "-0.000".
    let idcg = ideal
        .iter()
        .take(k)
        .enumerate()
        .fold(0.0, |acc, (i, g)| acc + g * discount(i));
    let dcg = top_k(ranking, k)
        .enumerate()
        .fold(0.0, |acc, (i, doc)| acc + gain(judged, doc) * discount(i));
    Some(dcg / idcg)
}

/// Recall@k (trec_eval `recall.k`); `None` if no document is relevant.
pub fn recall_at<S: AsRef<str>>(ranking: &[S], judged: &Judgements, k: usize) -> Option<f64> {
    let relevant = num_relevant(judged);
    if relevant == 0 {
        return None;
    }
    let found = top_k(ranking, k)
        .filter(|doc| gain(judged, doc) > 0.0)
        .count();
    Some(found as f64 / relevant as f64)
}

/// Reciprocal rank of the first relevant document within the top k (MRR@k when averaged;
/// trec_eval `recip_rank` on a run cut at k); `None` if no document is relevant.
pub fn reciprocal_rank_at<S: AsRef<str>>(
    ranking: &[S],
    judged: &Judgements,
    k: usize,
) -> Option<f64> {
    if num_relevant(judged) == 0 {
        return None;
    }
    Some(
        top_k(ranking, k)
            .position(|doc| gain(judged, doc) > 0.0)
            .map_or(0.0, |i| 1.0 / (i + 1) as f64),
    )
}

/// The order trec_eval evaluates a run in: score descending, ties by document id descending
/// (byte-wise, like its `strcmp`).
pub fn trec_eval_order(mut scored: Vec<(String, f32)>) -> Vec<String> {
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| b.0.cmp(&a.0)));
    scored.into_iter().map(|(id, _)| id).collect()
}

/// The metrics the harness reports for one query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct QueryScores {
    /// nDCG@10.
    pub ndcg10: f64,
    /// Recall@100.
    pub recall100: f64,
    /// MRR@10.
    pub mrr10: f64,
}

/// nDCG@10, Recall@100 and MRR@10 of one ranking; `None` if the query has no relevant document.
pub fn score_query<S: AsRef<str>>(ranking: &[S], judged: &Judgements) -> Option<QueryScores> {
    Some(QueryScores {
        ndcg10: ndcg_at(ranking, judged, 10)?,
        recall100: recall_at(ranking, judged, 100)?,
        mrr10: reciprocal_rank_at(ranking, judged, 10)?,
    })
}

/// Arithmetic means over queries (each query weighs the same, as in trec_eval and BEIR).
pub fn mean(scores: &[QueryScores]) -> QueryScores {
    let n = scores.len().max(1) as f64;
    let sum = |f: fn(&QueryScores) -> f64| scores.iter().map(f).fold(0.0, |acc, x| acc + x) / n;
    QueryScores {
        ndcg10: sum(|s| s.ndcg10),
        recall100: sum(|s| s.recall100),
        mrr10: sum(|s| s.mrr10),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(pairs: &[(&str, i32)]) -> Judgements {
        pairs.iter().map(|&(d, g)| (d.to_string(), g)).collect()
    }

    fn close(a: f64, b: f64) {
        assert!((a - b).abs() < 1e-12, "{a} != {b}");
    }

    fn log2(x: f64) -> f64 {
        x.log2()
    }

    #[test]
    fn perfect_ranking_scores_one() {
        let q = judged(&[("a", 1), ("b", 1)]);
        close(ndcg_at(&["a", "b", "c"], &q, 10).unwrap(), 1.0);
        close(recall_at(&["a", "b", "c"], &q, 100).unwrap(), 1.0);
        close(reciprocal_rank_at(&["a", "b", "c"], &q, 10).unwrap(), 1.0);
    }

    #[test]
    fn binary_ndcg_by_hand() {
        // Relevant: a, b. Ranking x a y b: DCG = 1/log2(3) + 1/log2(5); IDCG = 1 + 1/log2(3).
        let q = judged(&[("a", 1), ("b", 1)]);
        let got = ndcg_at(&["x", "a", "y", "b"], &q, 10).unwrap();
        close(
            got,
            (1.0 / log2(3.0) + 1.0 / log2(5.0)) / (1.0 + 1.0 / log2(3.0)),
        );
        // ≈ 0.6509209298071326
        assert!((got - 0.650_920_929_807).abs() < 1e-9);
    }

    #[test]
    fn graded_ndcg_uses_linear_gains() {
        // Grades a=3, b=1, c=2. Ranking b c a: DCG = 1 + 2/log2 3 + 3/log2 4 ≈ 3.76186.
        // Ideal a c b: 3 + 2/log2 3 + 1/2 ≈ 4.76186; nDCG ≈ 0.789998 (checked with pytrec_eval).
        let q = judged(&[("a", 3), ("b", 1), ("c", 2)]);
        let got = ndcg_at(&["b", "c", "a"], &q, 10).unwrap();
        let dcg = 1.0 + 2.0 / log2(3.0) + 3.0 / 2.0;
        let idcg = 3.0 + 2.0 / log2(3.0) + 1.0 / 2.0;
        close(got, dcg / idcg);
        assert!((got - 0.789_998_004_246).abs() < 1e-9, "{got}");
    }

    #[test]
    fn ndcg_cut_limits_both_dcg_and_ideal() {
        // Three relevant, cut at 2: the ideal is 1 + 1/log2 3, not the sum over all three.
        let q = judged(&[("a", 1), ("b", 1), ("c", 1)]);
        close(ndcg_at(&["a", "b", "c"], &q, 2).unwrap(), 1.0);
        // A relevant document at rank 3 does not count at k = 2.
        close(
            ndcg_at(&["a", "x", "b"], &q, 2).unwrap(),
            1.0 / (1.0 + 1.0 / log2(3.0)),
        );
    }

    #[test]
    fn non_positive_grades_are_not_relevant() {
        let q = judged(&[("a", 0), ("b", -1), ("c", 2)]);
        assert_eq!(num_relevant(&q), 1);
        // a and b are judged but gain nothing; c at rank 3 = 2/log2(4) over ideal 2.
        close(ndcg_at(&["a", "b", "c"], &q, 10).unwrap(), 0.5);
        close(recall_at(&["a", "b"], &q, 100).unwrap(), 0.0);
        close(
            reciprocal_rank_at(&["a", "b", "c"], &q, 10).unwrap(),
            1.0 / 3.0,
        );
    }

    #[test]
    fn queries_without_relevant_documents_are_skipped() {
        let none = judged(&[("a", 0)]);
        assert_eq!(ndcg_at(&["a"], &none, 10), None);
        assert_eq!(recall_at(&["a"], &none, 100), None);
        assert_eq!(reciprocal_rank_at(&["a"], &none, 10), None);
        assert_eq!(score_query(&["a"], &Judgements::new()), None);
    }

    #[test]
    fn fewer_results_than_k() {
        let q = judged(&[("a", 1), ("b", 1), ("c", 1), ("d", 1)]);
        // One hit, relevant: DCG 1, IDCG over 4 relevant (k = 10).
        let idcg = 1.0 + 1.0 / log2(3.0) + 0.5 + 1.0 / log2(5.0);
        close(ndcg_at(&["b"], &q, 10).unwrap(), 1.0 / idcg);
        close(recall_at(&["b"], &q, 100).unwrap(), 0.25);
        close(reciprocal_rank_at(&["b"], &q, 10).unwrap(), 1.0);
        let empty: [&str; 0] = [];
        close(ndcg_at(&empty, &q, 10).unwrap(), 0.0);
        assert!(
            ndcg_at(&empty, &q, 10).unwrap().is_sign_positive(),
            "prints as 0, not -0"
        );
        close(recall_at(&empty, &q, 100).unwrap(), 0.0);
        close(reciprocal_rank_at(&empty, &q, 10).unwrap(), 0.0);
    }

    #[test]
    fn reciprocal_rank_is_cut_at_k() {
        let q = judged(&[("r", 1)]);
        let mut ranking: Vec<String> = (0..10).map(|i| format!("x{i}")).collect();
        ranking.push("r".into()); // rank 11
        close(reciprocal_rank_at(&ranking, &q, 10).unwrap(), 0.0);
        close(reciprocal_rank_at(&ranking, &q, 11).unwrap(), 1.0 / 11.0);
        close(recall_at(&ranking, &q, 10).unwrap(), 0.0);
        close(recall_at(&ranking, &q, 11).unwrap(), 1.0);
    }

    #[test]
    fn recall_counts_relevant_in_top_k() {
        let q = judged(&[("a", 1), ("b", 2), ("c", 1)]);
        close(recall_at(&["a", "x", "b", "y"], &q, 3).unwrap(), 2.0 / 3.0);
        close(recall_at(&["a", "x", "b", "y"], &q, 2).unwrap(), 1.0 / 3.0);
    }

    #[test]
    fn repeated_ids_count_once() {
        let q = judged(&[("a", 1), ("b", 1)]);
        // "a a b" is read as "a b": a perfect ranking, not a double gain.
        close(ndcg_at(&["a", "a", "b"], &q, 10).unwrap(), 1.0);
        close(ndcg_at(&["a", "a", "b"], &q, 2).unwrap(), 1.0);
        close(recall_at(&["a", "a"], &q, 100).unwrap(), 0.5);
    }

    #[test]
    fn ties_are_evaluated_in_the_given_order() {
        // The metrics see only the order; with tied scores that order decides.
        let q = judged(&[("a", 1)]);
        close(reciprocal_rank_at(&["b", "a"], &q, 10).unwrap(), 0.5);
        close(reciprocal_rank_at(&["a", "b"], &q, 10).unwrap(), 1.0);
        // trec_eval's order for tied scores: higher document id first.
        let order = trec_eval_order(vec![
            ("a".into(), 2.0),
            ("b".into(), 2.0),
            ("c".into(), 3.0),
        ]);
        assert_eq!(order, ["c", "b", "a"]);
        close(reciprocal_rank_at(&order, &q, 10).unwrap(), 1.0 / 3.0);
    }

    #[test]
    fn mean_over_queries() {
        let a = QueryScores {
            ndcg10: 1.0,
            recall100: 0.5,
            mrr10: 1.0,
        };
        let b = QueryScores {
            ndcg10: 0.0,
            recall100: 1.0,
            mrr10: 0.5,
        };
        assert_eq!(
            mean(&[a, b]),
            QueryScores {
                ndcg10: 0.5,
                recall100: 0.75,
                mrr10: 0.75
            }
        );
        assert_eq!(
            mean(&[]),
            QueryScores {
                ndcg10: 0.0,
                recall100: 0.0,
                mrr10: 0.0
            }
        );
    }
}
