//! In-process query latency through the library's public API (`SearchIndex::search`, what the
//! CLI calls): top 10 with excerpts, with and without facets, with and without a year filter,
//! without pseudo-relevance feedback, and without counting every match (`count_all(false)`,
//! whose "mean total" is the mean of lower bounds).
//!
//! Inputs: the bundled `corpus/` with ten topical queries, and the Wikipedia slice of issue 8
//! with its 60 queries (`../shared/data/scale/queries-60.txt`) when `../shared` is there. Each
//! index is built once into `target/afsearch-bench/<name>-index` and reused while it is fresh
//! (the first slice run spends about a minute building it). `AFSEARCH_BENCH_ARTICLES=N`
//! indexes only the first N articles of the slice (default 0: all of them).
//!
//! Criterion reports one figure per variant: the mean over a round-robin of the queries. Issue 8
//! asks for the median and p99 over the queries, so after criterion the bench times every query
//! `AFSEARCH_BENCH_ROUNDS` times (default 10) per variant and prints a percentile table with the
//! issue's targets (`AFSEARCH_BENCH_ROUNDS=0` skips it).
//!
//! On the slice, plain Tantivy runs beside afsearch in the same rounds (`common::plain`: the
//! layout of compare.py's tantivy-cli index, built once): the best 10 by BM25 with every match
//! counted, which is the issue's 94 µs baseline, and the best 10 alone. The issue's 94 µs was
//! measured on another machine, so the table also gives afsearch's ratio to Tantivy here.
//!
//! ```sh
//! cargo bench --bench search            # criterion groups, then the percentile table
//! cargo bench --bench search -- slice   # only the slice
//! ```

mod common;

use afsearch::{SearchIndex, SearchRequest, SearchResults};
use common::plain::PlainIndex;
use criterion::{BenchmarkId, Criterion, SamplingMode};
use std::time::{Duration, Instant};

const SEED_QUERIES: &[&str] = &[
    "Torkham closure",
    "Durand Line",
    "TTP attacks",
    "refugees deported",
    "ISI Taliban funding",
    "transit trade agreement",
    "Soviet war",
    "Hamid Karzai Pakistan",
    "border skirmishes",
    "airstrikes Khost",
];

/// Issue 8: in-process top 10 without facets should beat Tantivy's 94 µs median (counting
/// every match) on the slice.
const TOP10_TARGET_US: f64 = 94.0;
/// Issue 8: a facet count over all matching paragraphs costs at most twice the plain top 10.
const FACET_MAX_RATIO: f64 = 2.0;

/// One way of asking: a label and how it changes the default top-10 request.
struct Variant {
    label: &'static str,
    apply: fn(SearchRequest) -> SearchRequest,
}

const VARIANTS: &[Variant] = &[
    Variant {
        label: "top10",
        apply: |r| r,
    },
    Variant {
        label: "top10+facets",
        apply: |r| r.facets(true),
    },
    Variant {
        label: "top10+years",
        apply: |r| r.years(2000, 2010),
    },
    Variant {
        label: "top10+facets+years",
        apply: |r| r.facets(true).years(2000, 2010),
    },
    // Pseudo-relevance feedback (on by default) re-ranks the first pass's best 300 hits; this
    // is the BM25 ranking alone. The total stays exact either way.
    Variant {
        label: "top10-nofeedback",
        apply: |r| r.feedback(false),
    },
    // For a caller that shows no "1–10 of N" line: BM25 alone, and only the matches that
    // finding the best hits visits are counted (the total is a lower bound). The same hits as
    // top10-nofeedback, scores and all.
    Variant {
        label: NOCOUNT,
        apply: |r| r.feedback(false).count_all(false),
    },
];

/// The variant issue 8's top-10 target is also judged on: Tantivy's 94 µs need not rank a
/// second time, and skips what it need not count only when told to.
const NOCOUNT: &str = "top10-nocount-nofeedback";

/// An index with the queries to ask it.
struct Target {
    name: String,
    index: SearchIndex,
    queries: Vec<String>,
    /// Plain Tantivy over the same paragraphs (the slice only).
    plain: Option<PlainIndex>,
}

/// How plain Tantivy runs a parsed query; returns the matches it counted, or for the top 10
/// alone the hits it kept (at most 10).
type PlainRun = fn(&PlainIndex, &dyn tantivy::query::Query) -> usize;

/// The plain-Tantivy rows of the table: a label and how a query is run.
const PLAIN_VARIANTS: &[(&str, PlainRun)] = &[
    (PLAIN_COUNT, PlainIndex::top10_and_count),
    ("tantivy: top10", PlainIndex::top10),
];

/// The issue's baseline: Tantivy's best 10 with every match counted.
const PLAIN_COUNT: &str = "tantivy: top10+count";

fn targets() -> Vec<Target> {
    let mut targets = Vec::new();
    let corpus = common::bundled_corpus();
    if let Some(index) = common::index_for(&corpus) {
        targets.push(Target {
            name: corpus.name,
            index,
            queries: SEED_QUERIES.iter().map(|q| q.to_string()).collect(),
            plain: None,
        });
    }
    if let Some(slice) = common::slice(common::articles_from_env(0)) {
        let queries = common::scale_queries();
        if slice.format == "jsonl" {
            eprintln!(
                "{}: afsearch does not read WikiExtractor files yet; indexed the same paragraphs as JSON lines",
                slice.name
            );
        }
        if let (Some(index), false) = (common::index_for(&slice), queries.is_empty()) {
            let plain = PlainIndex::for_input(&slice);
            targets.push(Target {
                name: slice.name,
                index,
                queries,
                plain,
            });
        }
    }
    targets
}

fn criterion_groups(c: &mut Criterion, target: &Target) {
    let mut group = c.benchmark_group(format!("search/{}", target.name));
    group.measurement_time(Duration::from_secs(10));
    if target.name.starts_with("slice") {
        // Facet counts take a good part of a second per query on the whole slice; criterion's
        // default 100 linearly growing samples would run for half an hour.
        group.sample_size(20).sampling_mode(SamplingMode::Flat);
    }
    for variant in VARIANTS {
        group.bench_with_input(
            BenchmarkId::from_parameter(variant.label),
            &target.queries,
            |b, queries| {
                let mut i = 0;
                b.iter(|| {
                    let request = (variant.apply)(SearchRequest::new(&queries[i % queries.len()]));
                    i += 1;
                    target.index.search(&request).expect("search")
                })
            },
        );
    }
    if let Some(plain) = &target.plain {
        let parsed: Vec<_> = target.queries.iter().map(|q| plain.parse(q)).collect();
        for (label, run) in PLAIN_VARIANTS {
            group.bench_with_input(BenchmarkId::from_parameter(label), &parsed, |b, parsed| {
                let mut i = 0;
                b.iter(|| {
                    let query = parsed[i % parsed.len()].as_ref();
                    i += 1;
                    run(plain, query)
                })
            });
        }
    }
    group.finish();
}

/// Latencies of one row: every sample, and each query's median.
struct Timings {
    all_us: Vec<f64>,
    per_query_us: Vec<f64>,
    mean_total: f64,
}

/// One timed row of the table: a label, and a run of the query with that number.
struct Row<'a> {
    label: &'a str,
    run: Box<dyn Fn(usize) -> Answer + 'a>,
}

/// What one timed run hands back. It is dropped after the clock stops: freeing afsearch's
/// results is not part of answering, and earlier tables did not time it.
enum Answer {
    Afsearch(SearchResults),
    /// Plain Tantivy's count of matches (top10+count), or the hits it kept (top10, at most 10).
    Tantivy(usize),
}

impl Answer {
    /// The "mean total" column's figure for this run.
    fn total(&self) -> usize {
        match self {
            Answer::Afsearch(results) => results.total,
            Answer::Tantivy(n) => *n,
        }
    }
}

/// The rows of `target`'s table: afsearch's variants, then plain Tantivy's when it is there.
fn rows(target: &Target) -> Vec<Row<'_>> {
    let mut rows: Vec<Row> = VARIANTS
        .iter()
        .map(|variant| {
            let requests: Vec<SearchRequest> = target
                .queries
                .iter()
                .map(|q| (variant.apply)(SearchRequest::new(q)))
                .collect();
            let index = &target.index;
            Row {
                label: variant.label,
                run: Box::new(move |i| {
                    Answer::Afsearch(index.search(&requests[i]).expect("search"))
                }),
            }
        })
        .collect();
    if let Some(plain) = &target.plain {
        for &(label, run) in PLAIN_VARIANTS {
            let parsed: Vec<_> = target.queries.iter().map(|q| plain.parse(q)).collect();
            rows.push(Row {
                label,
                run: Box::new(move |i| Answer::Tantivy(run(plain, parsed[i].as_ref()))),
            });
        }
    }
    rows
}

/// Times every row: `rounds` rounds, each asking every row's queries in turn, so that this
/// machine's drift over the minutes the table takes falls on every row alike (timed one
/// variant after another, two runs' ratios to top10 differed by a third).
fn time_rows(rows: &[Row], queries: usize, rounds: usize) -> Vec<Timings> {
    let mut per_query: Vec<Vec<Vec<f64>>> =
        vec![vec![Vec::with_capacity(rounds); queries]; rows.len()];
    // One untimed round loads what the queries touch.
    let totals: Vec<usize> = rows
        .iter()
        .map(|row| (0..queries).map(|i| (row.run)(i).total()).sum())
        .collect();
    for _ in 0..rounds {
        for (row, per_query) in rows.iter().zip(&mut per_query) {
            // Query-major order inside a round: the same query is never timed twice in a row,
            // as a user's next query is not the one just asked.
            for (i, samples) in per_query.iter_mut().enumerate() {
                let start = Instant::now();
                let answer = (row.run)(i);
                samples.push(start.elapsed().as_secs_f64() * 1e6);
                drop(std::hint::black_box(answer));
            }
        }
    }
    per_query
        .into_iter()
        .zip(totals)
        .map(|(per_query, total)| Timings {
            all_us: per_query.iter().flatten().copied().collect(),
            per_query_us: per_query
                .into_iter()
                .map(|s| common::percentile(s, 50.0))
                .collect(),
            mean_total: total as f64 / queries as f64,
        })
        .collect()
}

/// Prints the percentile table of every row, and the issue's targets for the slice.
fn summary(target: &Target, rounds: usize) {
    println!(
        "\n{}: {} queries × {rounds} rounds per row, rows alternating by round, every sample (µs)",
        target.name,
        target.queries.len()
    );
    println!(
        "{:<24} {:>9} {:>9} {:>9} {:>9} {:>11} {:>13} {:>15}",
        "variant", "median", "p90", "p99", "max", "mean total", "median/top10", "worst query/top10"
    );
    let rows = rows(target);
    let timings: Vec<(&str, Timings)> = rows
        .iter()
        .map(|row| row.label)
        .zip(time_rows(&rows, target.queries.len(), rounds))
        .collect();
    let median_of = |label: &str| {
        timings
            .iter()
            .find(|(l, _)| *l == label)
            .map(|(_, t)| common::percentile(t.all_us.clone(), 50.0))
    };
    let base = &timings[0].1;
    let base_median = common::percentile(base.all_us.clone(), 50.0);
    for (label, t) in &timings {
        let median = common::percentile(t.all_us.clone(), 50.0);
        let worst = t
            .per_query_us
            .iter()
            .zip(&base.per_query_us)
            .map(|(v, b)| v / b)
            .fold(0.0, f64::max);
        println!(
            "{:<24} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>11.0} {:>12.2}× {:>14.2}×",
            label,
            median,
            common::percentile(t.all_us.clone(), 90.0),
            common::percentile(t.all_us.clone(), 99.0),
            common::percentile(t.all_us.clone(), 100.0),
            t.mean_total,
            median / base_median,
            worst
        );
    }
    if target.name.starts_with("slice") {
        let verdict = |ok: bool| if ok { "PASS" } else { "FAIL" };
        // The issue's figure comes from another machine; Tantivy's own median here says what
        // it stands for on this one.
        let here = median_of(PLAIN_COUNT);
        let versus_here = |median: f64| match here {
            Some(t) => format!(
                "; Tantivy here {t:.1} µs, {:.2}× it: {}",
                median / t,
                verdict(median < t)
            ),
            None => String::new(),
        };
        println!(
            "target: top10 median {base_median:.1} µs < {TOP10_TARGET_US} µs (Tantivy, counting every match): {}{}",
            verdict(base_median < TOP10_TARGET_US),
            versus_here(base_median)
        );
        if let Some(median) = median_of(NOCOUNT) {
            println!(
                "target: {NOCOUNT} median {median:.1} µs < {TOP10_TARGET_US} µs: {}{}",
                verdict(median < TOP10_TARGET_US),
                versus_here(median)
            );
        }
        let facets = common::percentile(timings[1].1.all_us.clone(), 50.0);
        println!(
            "target: top10+facets median {facets:.1} µs ≤ {FACET_MAX_RATIO} × top10: {:.2}× {}",
            facets / base_median,
            verdict(facets <= FACET_MAX_RATIO * base_median)
        );
    }
}

/// Criterion's options that take a value: their values are not name filters.
const VALUE_OPTIONS: &[&str] = &[
    "--baseline",
    "--baseline-lenient",
    "--color",
    "--confidence-level",
    "--format",
    "--load-baseline",
    "--logfile",
    "--measurement-time",
    "--noise-threshold",
    "--nresamples",
    "--output-format",
    "--plotting-backend",
    "--profile-time",
    "--sample-size",
    "--save-baseline",
    "--significance-level",
    "--warm-up-time",
];

/// The name filters among the bench arguments, as criterion reads them.
fn name_filters(args: &[String]) -> Vec<&String> {
    let mut filters = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if VALUE_OPTIONS.contains(&arg.as_str()) {
            iter.next();
        } else if !arg.starts_with('-') {
            filters.push(arg);
        }
    }
    filters
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut c = Criterion::default().configure_from_args();
    let targets = targets();
    for target in &targets {
        criterion_groups(&mut c, target);
    }
    c.final_summary();

    // Only under `cargo bench` (not `cargo test --benches`, not `--list`), and only for the
    // inputs a name filter selects.
    let rounds = std::env::var("AFSEARCH_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(10);
    let flag = |name: &str| args.iter().any(|a| a == name);
    if rounds == 0 || !flag("--bench") || flag("--test") || flag("--list") {
        return;
    }
    let filters = name_filters(&args);
    for target in &targets {
        let id = format!("search/{}", target.name);
        if filters.is_empty()
            || filters
                .iter()
                .any(|f| id.contains(f.as_str()) || f.contains(&id))
        {
            summary(target, rounds);
        }
    }
}
