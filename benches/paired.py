#!/usr/bin/env python3
"""Paired randomization test on per-query nDCG@10 between two variants, per tuning set and over
the three at once: the test behind the "Ranking quality" tables of benches/README.md.

    # each variant: one directory holding the harness's --per-query TSV of every set
    beir ../shared/data/beir/scifact --split train --per-query A/scifact-train.tsv
    beir ../shared/data/beir/cranfield --subset dev --per-query A/cranfield-dev.tsv
    beir ../shared/data/beir/nfcorpus-processed --subset dev --per-query A/nfcorpus-dev.tsv
    python3 benches/paired.py A B
    python3 benches/paired.py A B --sets scifact-test,cranfield-heldout,nfcorpus-heldout

For each set: the mean difference B − A, the two-sided p-value of 20,000 random sign flips of
the per-query differences (fixed seed), and how many queries went up and down. Over the sets:
the same for the selection criterion, the mean of the per-set mean differences, each
permutation flipping signs within every set. Standard library only.
"""

import csv
import random
import sys

PERMUTATIONS = 20_000


def load(directory, name):
    with open(f"{directory}/{name}.tsv", newline="") as f:
        rows = csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        return {row["qid"]: float(row["ndcg@10"]) for row in rows}


def flipped_means(diffs, rng):
    """Mean difference under PERMUTATIONS random sign flips (zero differences never change)."""
    nonzero = [d for d in diffs if d != 0.0]
    means = []
    for _ in range(PERMUTATIONS):
        bits = rng.getrandbits(len(nonzero)) if nonzero else 0
        total = sum(d if (bits >> i) & 1 else -d for i, d in enumerate(nonzero))
        means.append(total / len(diffs))
    return means


def p_value(observed, permuted):
    hits = sum(1 for x in permuted if abs(x) >= abs(observed) - 1e-12)
    return (hits + 1) / (len(permuted) + 1)


def main(argv):
    args = [a for a in argv if not a.startswith("--sets")]
    sets = ["scifact-train", "cranfield-dev", "nfcorpus-dev"]
    for i, a in enumerate(argv):
        if a == "--sets" and i + 1 < len(argv):
            sets = argv[i + 1].split(",")
            args.remove(argv[i + 1])
    if len(args) != 2:
        sys.exit(__doc__)
    a, b = args
    rng = random.Random(12345)
    cells, observed, permuted = [], [], []
    for name in sets:
        before, after = load(a, name), load(b, name)
        if before.keys() != after.keys():
            sys.exit(f"{name}: the two runs evaluated different queries")
        diffs = [after[q] - before[q] for q in sorted(before)]
        mean = sum(diffs) / len(diffs)
        flips = flipped_means(diffs, rng)
        up = sum(1 for d in diffs if d > 1e-9)
        down = sum(1 for d in diffs if d < -1e-9)
        cells.append(f"{name} {mean:+.4f}, p = {p_value(mean, flips):.3f} ({up} up, {down} down)")
        observed.append(mean)
        permuted.append(flips)
    if len(sets) > 1:
        mean = sum(observed) / len(observed)
        combined = [sum(column) / len(column) for column in zip(*permuted)]
        cells.append(f"mean of the sets {mean:+.4f}, p = {p_value(mean, combined):.3f}")
    print(f"{a} -> {b}")
    for cell in cells:
        print(f"  {cell}")


if __name__ == "__main__":
    main(sys.argv[1:])
