#!/usr/bin/env python3
"""One-shot query latency of two afsearch binaries, side by side in one run.

One process per query, as a user runs it; the two binaries alternate query by query (and swap
order every repetition), so that a busy machine slows both alike. Prints the median and p90 of
the wall time from spawn to exit, and the median CPU time (user + system) of the children.

    cargo build --release && cp target/release/afsearch /tmp/afsearch-new
    git stash; cargo build --release && cp target/release/afsearch /tmp/afsearch-old; git stash pop
    python3 benches/oneshot_ab.py /tmp/afsearch-old /tmp/afsearch-new --index INDEX_DIR \\
        --queries ../shared/data/scale/queries-60.txt --reps 3 [-- --facets]

Arguments after `--` are passed to both binaries before the query.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="the binary to compare against")
    parser.add_argument("new", help="the binary under test")
    parser.add_argument("--index", required=True, help="index directory both binaries read")
    parser.add_argument("--queries", required=True, help="queries, one per line")
    parser.add_argument("--reps", type=int, default=3, help="repetitions of each query [3]")
    argv = sys.argv[1:]
    extra = argv[argv.index("--") + 1 :] if "--" in argv else []
    args = parser.parse_args(argv[: argv.index("--")] if "--" in argv else argv)
    with open(args.queries, encoding="utf-8") as f:
        queries = [line.strip() for line in f if line.strip()]
    binaries = [("old", args.old), ("new", args.new)]
    wall = {name: [] for name, _ in binaries}
    cpu = {name: [] for name, _ in binaries}
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for rep in range(args.reps):
        order = binaries if rep % 2 == 0 else binaries[::-1]
        for query in queries:
            for name, binary in order:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.perf_counter()
                cmd = [binary, "--index", args.index, *extra, query]
                done = subprocess.run(
                    cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
                )
                wall[name].append((time.perf_counter() - start) * 1e3)
                # 0: matches, 1: none. Anything else is an error, and timing an error (a wrong
                # --index, say) would compare nothing.
                if done.returncode not in (0, 1):
                    stderr = done.stderr.decode(errors="replace").strip()
                    sys.exit(f"{' '.join(cmd)}: exit {done.returncode}: {stderr}")
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                cpu[name].append(used * 1e3)
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, binary in binaries:
        print(
            f"{name} ({binary}): median {statistics.median(wall[name]):.1f} ms, "
            f"p90 {percentile(wall[name], 90):.1f} ms, CPU median {statistics.median(cpu[name]):.1f} ms "
            f"({len(wall[name])} runs)"
        )


if __name__ == "__main__":
    main()
