#!/usr/bin/env python3
"""Cross-checks the beir example's metrics against pytrec_eval (trec_eval) and ir_measures.

    pip install pytrec_eval-terrier ir-measures      # or: pip install pytrec_eval ir-measures
    cargo run --release --example beir -- ../shared/data/beir/scifact \\
        --run /tmp/scifact.trec --metrics-json /tmp/scifact.json
    python3 benches/crosscheck.py ../shared/data/beir/scifact/qrels/test.tsv /tmp/scifact.trec /tmp/scifact.json

Two evaluations of the same run file:

* "as ranked": every document gets the score 1/rank, so trec_eval evaluates exactly the order
  afsearch returned. This must equal the harness to 4 decimals (per query and on average);
  the script exits with status 1 otherwise.
* "BEIR style": the run's own BM25 scores, which trec_eval re-sorts, breaking score ties by
  document id (descending). This is what BEIR's EvaluateRetrieval would report; it differs
  from "as ranked" only where tied scores straddle a relevant document. Compare with the
  harness's --trec-ties option.

MRR@10 is trec_eval's recip_rank on the run cut at 10 documents (ir_measures: RR@10).
Queries of the qrels that the run does not contain (no hits) count as 0, as in the harness
(trec_eval without -c would leave them out of the mean). Queries whose judgements are all
non-positive are skipped by both.
"""

import collections
import json
import sys


def read_qrels(path):
    qrels = collections.defaultdict(dict)
    with open(path) as f:
        for i, line in enumerate(f):
            cols = line.rstrip("\r\n").split("\t")
            if len(cols) < 3:
                continue
            try:
                grade = int(cols[2])
            except ValueError:
                if i == 0:
                    continue  # header
                raise
            qrels[cols[0]][cols[1]] = grade
    return {q: d for q, d in qrels.items() if any(g > 0 for g in d.values())}


def read_run(path):
    run = collections.defaultdict(list)  # qid -> [(rank, doc, score)]
    with open(path) as f:
        for line in f:
            qid, _, doc, rank, score, _ = line.split()
            run[qid].append((int(rank), doc, float(score)))
    return {q: sorted(rows) for q, rows in run.items()}


def as_ranked(run, depth=None):
    return {q: {doc: 1.0 / rank for rank, doc, _ in rows[:depth]} for q, rows in run.items()}


def by_score(run, depth=None):
    out = {}
    for q, rows in run.items():
        # Cut after trec_eval's own ordering (score desc, doc id desc), as BEIR would.
        ordered = sorted(rows, key=lambda r: r[1].encode(), reverse=True)
        ordered.sort(key=lambda r: -r[2])  # stable: equal scores keep doc id descending
        out[q] = {doc: score for _, doc, score in ordered[:depth]}
    return out


def pytrec(qrels, run):
    import pytrec_eval

    full = pytrec_eval.RelevanceEvaluator(qrels, {"ndcg_cut.10", "recall.100"}).evaluate(run(None))
    top10 = pytrec_eval.RelevanceEvaluator(qrels, {"recip_rank"}).evaluate(run(10))
    per = {}
    for q in qrels:
        per[q] = {
            "ndcg_cut_10": full.get(q, {}).get("ndcg_cut_10", 0.0),
            "recall_100": full.get(q, {}).get("recall_100", 0.0),
            "recip_rank_10": top10.get(q, {}).get("recip_rank", 0.0),
        }
    return per


def irm(qrels, run):
    import ir_measures
    from ir_measures import nDCG, R, RR

    measures = {nDCG @ 10: "ndcg_cut_10", R @ 100: "recall_100", RR @ 10: "recip_rank_10"}
    per = {q: {v: 0.0 for v in measures.values()} for q in qrels}
    for m in ir_measures.iter_calc(list(measures), qrels, run(None)):
        if m.query_id in per:
            per[m.query_id][measures[m.measure]] = m.value
    return per


def mean(per, key):
    return sum(p[key] for p in per.values()) / len(per)


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    qrels = read_qrels(sys.argv[1])
    rows = read_run(sys.argv[2])
    with open(sys.argv[3]) as f:
        harness = json.load(f)
    keys = ["ndcg_cut_10", "recall_100", "recip_rank_10"]
    results = {
        "pytrec_eval, as ranked": pytrec(qrels, lambda d: as_ranked(rows, d)),
        "ir_measures, as ranked": irm(qrels, lambda d: as_ranked(rows, d)),
        "pytrec_eval, BEIR style (score ties by doc id)": pytrec(qrels, lambda d: by_score(rows, d)),
    }
    hq = harness["per_query"]
    print(f"{'':50} {'nDCG@10':>9} {'R@100':>9} {'MRR@10':>9}  queries")
    print(f"{'afsearch beir example (harness)':50} " + " ".join(f"{harness[k]:9.4f}" for k in keys) + f"  {len(hq)}")
    ok = set(hq) == set(qrels)
    if not ok:
        print(f"query sets differ: harness {len(hq)}, qrels {len(qrels)}")
    for name, per in results.items():
        means = [mean(per, k) for k in keys]
        print(f"{name:50} " + " ".join(f"{m:9.4f}" for m in means) + f"  {len(per)}")
        worst = max(abs(per[q][k] - hq.get(q, {}).get(k, float("nan"))) for q in per for k in keys)
        print(f"{'':50} largest per-query difference from the harness: {worst:.2e}")
        if "as ranked" in name:
            agree = all(round(m, 4) == round(harness[k], 4) for m, k in zip(means, keys)) and worst < 1e-6
            ok = ok and agree
    print("AGREE to 4 decimals (as ranked)" if ok else "DISAGREE")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
