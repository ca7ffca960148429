//! Ranking-quality harness: indexes a BEIR-layout collection with afsearch's own code, runs
//! every judged query of a split through `SearchIndex::search` (the CLI's query path) and
//! prints nDCG@10, Recall@100 and MRR@10, as BEIR / pytrec_eval compute them.
//!
//! ```text
//! cargo run --release --example beir -- ../shared/data/beir/scifact [--split test] [--run out.trec]
//! ```
//!
//! Run `cargo run --release --example beir -- --help` for every option. benches/README.md
//! ("Ranking quality") has the reference figures and benches/crosscheck.py the check of the
//! metrics against pytrec_eval and ir_measures.

#[path = "beir/data.rs"]
mod data;
#[path = "beir/metrics.rs"]
mod metrics;
#[path = "beir/variants.rs"]
mod variants;

use afsearch::{
    build_index, freshness, BuildOptions, Corpus, Freshness, SearchIndex, SearchRequest,
};
use data::{Qrels, Subset};
use metrics::QueryScores;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};
use variants::QueryMode;

const USAGE: &str = "\
usage: beir <COLLECTION_DIR> [options]

COLLECTION_DIR holds corpus.jsonl, queries.jsonl and qrels/<split>.tsv (BEIR layout).

options:
  --split NAME          qrels split to evaluate (default: test)
  --subset WHICH        all | dev | heldout: every judged query, or a fixed half of them
                        (FNV-1a hash of the query id even = dev, odd = heldout) (default: all)
  --run FILE            also write a TREC run file (qid Q0 docid rank score tag)
  --depth N             hits requested per query (default: 100, or 1000 with --run)
  --tag NAME            run tag in the run file (default: afsearch)
  --index-dir DIR       build the index there, reading the corpus from DIR.corpus/ (a copy of
                        corpus.jsonl) (default: a temporary directory, removed after)
  --reuse-index         with --index-dir: skip the build if the index there is fresh
  --per-query FILE      write per-query scores as TSV (qid, ndcg@10, recall@100, mrr@10, hits, query,
                        corrections as from>to)
  --metrics-json FILE   write the summary and per-query scores as JSON (read by crosscheck.py)
  --trec-ties           score each ranking in trec_eval's order (score descending, ties by doc id
                        descending) as BEIR's pytrec_eval does, instead of the order returned
experiments (public API only; the default is the product's behaviour):
  --query-mode MODE     as-is | words | nostop | nostop-large | nostop-phrases (default: as-is)
  --and-first           documents matching every query word first, then the rest
  --fold-title          index each record with its title prepended to its text, title empty
  --exact               search the words as typed: no typo correction
  --no-feedback         rank by BM25 alone, without pseudo-relevance feedback (the product
                        before the feedback was added)
";

struct Args {
    collection: PathBuf,
    split: String,
    subset: Subset,
    run: Option<PathBuf>,
    depth: usize,
    tag: String,
    index_dir: Option<PathBuf>,
    reuse_index: bool,
    per_query: Option<PathBuf>,
    metrics_json: Option<PathBuf>,
    query_mode: QueryMode,
    and_first: bool,
    fold_title: bool,
    exact: bool,
    no_feedback: bool,
    trec_ties: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut raw = std::env::args().skip(1);
    let mut collection = None;
    let mut args = Args {
        collection: PathBuf::new(),
        split: "test".into(),
        subset: Subset::All,
        run: None,
        depth: 0,
        tag: "afsearch".into(),
        index_dir: None,
        reuse_index: false,
        per_query: None,
        metrics_json: None,
        query_mode: QueryMode::AsIs,
        and_first: false,
        fold_title: false,
        exact: false,
        no_feedback: false,
        trec_ties: false,
    };
    let mut depth = None;
    while let Some(arg) = raw.next() {
        let mut value = |name: &str| raw.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "-h" | "--help" => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            "--split" => args.split = value("--split")?,
            "--subset" => {
                let v = value("--subset")?;
                args.subset = Subset::parse(&v).ok_or_else(|| format!("unknown subset {v:?}"))?;
            }
            "--run" => args.run = Some(value("--run")?.into()),
            "--depth" => {
                let v = value("--depth")?;
                depth = Some(
                    v.parse::<usize>()
                        .map_err(|_| format!("bad --depth {v:?}"))?
                        .max(1),
                );
            }
            "--tag" => args.tag = value("--tag")?,
            "--index-dir" => args.index_dir = Some(value("--index-dir")?.into()),
            "--reuse-index" => args.reuse_index = true,
            "--per-query" => args.per_query = Some(value("--per-query")?.into()),
            "--metrics-json" => args.metrics_json = Some(value("--metrics-json")?.into()),
            "--query-mode" => {
                let v = value("--query-mode")?;
                args.query_mode =
                    QueryMode::parse(&v).ok_or_else(|| format!("unknown query mode {v:?}"))?;
            }
            "--and-first" => args.and_first = true,
            "--fold-title" => args.fold_title = true,
            "--exact" => args.exact = true,
            "--no-feedback" => args.no_feedback = true,
            "--trec-ties" => args.trec_ties = true,
            other if other.starts_with('-') => {
                return Err(format!("unknown option {other}\n\n{USAGE}"))
            }
            other if collection.is_none() => collection = Some(PathBuf::from(other)),
            other => return Err(format!("unexpected argument {other:?}\n\n{USAGE}")),
        }
    }
    args.collection = collection.ok_or_else(|| USAGE.to_string())?;
    args.depth = depth.unwrap_or(if args.run.is_some() { 1000 } else { 100 });
    if args.reuse_index && args.index_dir.is_none() {
        return Err("--reuse-index needs --index-dir".into());
    }
    Ok(args)
}

/// The corpus file as the product will read it: `corpus.jsonl` unchanged, or with titles
/// folded into the text for `--fold-title`.
fn corpus_bytes(source: &Path, fold_title: bool) -> Result<Vec<u8>, String> {
    let bytes = std::fs::read(source).map_err(|err| format!("{}: {err}", source.display()))?;
    if !fold_title {
        return Ok(bytes);
    }
    let text = String::from_utf8(bytes).map_err(|err| format!("{}: {err}", source.display()))?;
    let mut out = String::with_capacity(text.len());
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut record: serde_json::Value =
            serde_json::from_str(line).map_err(|err| err.to_string())?;
        let title = record
            .get("title")
            .and_then(|t| t.as_str())
            .unwrap_or("")
            .to_string();
        let body = record
            .get("text")
            .and_then(|t| t.as_str())
            .unwrap_or("")
            .to_string();
        let folded = if title.trim().is_empty() {
            body
        } else {
            format!("{title} {body}")
        };
        record["title"] = "".into();
        record["text"] = folded.into();
        out.push_str(&record.to_string());
        out.push('\n');
    }
    Ok(out.into_bytes())
}

/// Puts the corpus file in `stage` (the corpus directory the product indexes). The file is only
/// rewritten when its content changes, so an unchanged corpus keeps an index fresh.
///
/// A copy, not a symbolic link: `Corpus::open` walks with `follow_links(false)`, so walkdir
/// reports a link as a link, not a file, and the corpus would be empty.
fn stage_corpus(stage: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::create_dir_all(stage).map_err(|err| format!("{}: {err}", stage.display()))?;
    let target = stage.join("corpus.jsonl");
    if std::fs::read(&target).ok().as_deref() != Some(bytes) {
        std::fs::write(&target, bytes).map_err(|err| format!("{}: {err}", target.display()))?;
    }
    Ok(())
}

/// What one query found.
struct Ranked {
    /// (document id, score), best first.
    hits: Vec<(String, f32)>,
    /// Words the product corrected, as `from>to`.
    corrections: Vec<String>,
}

/// A ranking and the time the search(es) took.
fn run_query(index: &SearchIndex, text: &str, args: &Args) -> (Result<Ranked, String>, Duration) {
    let query = variants::rewrite(text, args.query_mode);
    let search = |q: &str| -> Result<Ranked, String> {
        let request = SearchRequest::new(q)
            .limit(args.depth)
            .exact(args.exact)
            .feedback(!args.no_feedback);
        match index.search(&request) {
            Ok(results) => Ok(Ranked {
                hits: results.hits.into_iter().map(|h| (h.id, h.score)).collect(),
                corrections: results
                    .corrections
                    .into_iter()
                    .map(|c| format!("{}>{}", c.from, c.to))
                    .collect(),
            }),
            // A query with nothing searchable in it finds nothing; that is a result, not a failure.
            Err(afsearch::Error::Query(_)) => Ok(Ranked {
                hits: Vec::new(),
                corrections: Vec::new(),
            }),
            Err(err) => Err(err.to_string()),
        }
    };
    let started = Instant::now();
    let ranking = match (args.and_first, variants::conjunctive(&query)) {
        (true, Some(all_words)) => search(&all_words).and_then(|first| {
            let rest = search(&query)?;
            Ok(Ranked {
                hits: variants::merge_first(first.hits, rest.hits, args.depth),
                corrections: rest.corrections,
            })
        }),
        _ => search(&query),
    };
    (ranking, started.elapsed())
}

fn json_number(x: f64) -> serde_json::Value {
    serde_json::Number::from_f64(x).map_or(serde_json::Value::Null, serde_json::Value::Number)
}

fn main() -> ExitCode {
    match real_main() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("beir: {err}");
            ExitCode::FAILURE
        }
    }
}

fn real_main() -> Result<(), String> {
    let args = parse_args()?;
    let name = args
        .collection
        .canonicalize()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| args.collection.display().to_string());
    let qrels: Qrels = data::read_qrels(&args.collection, &args.split)?;
    let queries = data::read_queries(&args.collection)?;

    // Judged queries of the split (and subset) with at least one relevant document and a text.
    let mut no_relevant = 0;
    let mut no_text = 0;
    let mut evaluated: Vec<(&String, &String, &metrics::Judgements)> = Vec::new();
    for (qid, judged) in &qrels {
        if !args.subset.contains(qid) {
            continue;
        }
        if metrics::num_relevant(judged) == 0 {
            no_relevant += 1;
        } else if let Some(text) = queries.get(qid) {
            evaluated.push((qid, text, judged));
        } else {
            no_text += 1;
        }
    }
    if evaluated.is_empty() {
        return Err(format!(
            "no query of split {:?} has both a text and a relevant document",
            args.split
        ));
    }

    // Index with the product's code. The corpus directory it reads is staged next to the
    // index directory (afsearch refuses to build into a directory holding anything else).
    let tmp;
    let (index_dir, stage) = match &args.index_dir {
        Some(dir) => {
            let mut stage = dir.clone().into_os_string();
            stage.push(if args.fold_title {
                ".corpus-folded"
            } else {
                ".corpus"
            });
            (dir.clone(), PathBuf::from(stage))
        }
        None => {
            tmp = tempfile::tempdir().map_err(|err| err.to_string())?;
            (tmp.path().join("index"), tmp.path().join("corpus"))
        }
    };
    stage_corpus(
        &stage,
        &corpus_bytes(&args.collection.join("corpus.jsonl"), args.fold_title)?,
    )?;
    let corpus = Corpus::open(&stage, None).map_err(|err| err.to_string())?;
    let fresh = args.reuse_index
        && freshness(&index_dir, &corpus).map_err(|e| e.to_string())? == Freshness::Fresh;
    let build_line = if fresh {
        "reused (fresh)".to_string()
    } else {
        let report = build_index(&corpus, &index_dir, &BuildOptions::default())
            .map_err(|err| err.to_string())?;
        for warning in report.warnings.iter().take(5) {
            eprintln!("warning: {warning}");
        }
        format!(
            "{} documents, {:.1} MB, built in {:.2} s ({} warnings)",
            report.paragraphs,
            report.bytes as f64 / 1e6,
            report.elapsed.as_secs_f64(),
            report.warnings.len()
        )
    };
    let index = SearchIndex::open(&index_dir).map_err(|err| err.to_string())?;

    // Search.
    let mut run = String::new();
    // (qid, query, scores, hits, corrections)
    let mut per_query: Vec<(&str, &str, QueryScores, usize, String)> = Vec::new();
    let mut latencies = Vec::with_capacity(evaluated.len());
    let mut no_hits = 0;
    let mut duplicates = 0;
    let mut corrected = 0;
    for &(qid, text, judged) in &evaluated {
        let (ranking, elapsed) = run_query(&index, text, &args);
        let Ranked {
            hits: ranking,
            corrections,
        } = ranking.map_err(|err| format!("query {qid} ({text:?}): {err}"))?;
        latencies.push(elapsed);
        if !corrections.is_empty() {
            corrected += 1;
        }
        let mut seen = std::collections::HashSet::new();
        duplicates += ranking
            .iter()
            .filter(|(id, _)| !seen.insert(id.as_str()))
            .count();
        if ranking.is_empty() {
            no_hits += 1;
        }
        let ids: Vec<String> = if args.trec_ties {
            metrics::trec_eval_order(ranking.clone())
        } else {
            ranking.iter().map(|(id, _)| id.clone()).collect()
        };
        let scores =
            metrics::score_query(&ids, judged).expect("evaluated queries have a relevant document");
        per_query.push((qid, text, scores, ranking.len(), corrections.join(",")));
        if args.run.is_some() {
            for (rank, (doc, score)) in ranking.iter().enumerate() {
                // `{}` prints the shortest decimal that reads back as the same f32: no new ties.
                let _ = writeln!(run, "{qid} Q0 {doc} {} {score} {}", rank + 1, args.tag);
            }
        }
    }
    let all: Vec<QueryScores> = per_query.iter().map(|p| p.2).collect();
    let mean = metrics::mean(&all);

    latencies.sort();
    let total: Duration = latencies.iter().sum();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p).round() as usize];
    let variant = format!(
        "query-mode={}{}{}{}{}",
        match args.query_mode {
            QueryMode::AsIs => "as-is",
            QueryMode::Words => "words",
            QueryMode::NoStopLucene => "nostop",
            QueryMode::NoStopLarge => "nostop-large",
            QueryMode::NoStopPhrases => "nostop-phrases",
        },
        if args.and_first { " and-first" } else { "" },
        if args.fold_title { " fold-title" } else { "" },
        if args.exact { " exact" } else { "" },
        if args.no_feedback { " no-feedback" } else { "" },
    );
    let order = if args.trec_ties {
        ", trec_eval tie order"
    } else {
        ""
    };
    let subset = match args.subset {
        Subset::All => "all",
        Subset::Dev => "dev",
        Subset::Heldout => "heldout",
    };
    println!(
        "collection   {name}, split {} ({subset}), {variant}{order}",
        args.split
    );
    println!(
        "queries      {} evaluated ({} judged queries skipped: no relevant document {no_relevant}, no text {no_text}); {no_hits} with no hits",
        evaluated.len(),
        no_relevant + no_text
    );
    if !args.exact {
        println!("corrected    {corrected} queries had a word searched as a close corpus word (typo tolerance)");
    }
    println!("index        {build_line}");
    println!(
        "latency      mean {:.2} ms, p50 {:.2} ms, p95 {:.2} ms (depth {})",
        ms(total) / latencies.len() as f64,
        ms(pct(0.5)),
        ms(pct(0.95)),
        args.depth
    );
    if duplicates > 0 {
        println!(
            "warning      {duplicates} repeated document ids in the rankings (each counted once)"
        );
    }
    println!("nDCG@10      {:.4}", mean.ndcg10);
    println!("Recall@100   {:.4}", mean.recall100);
    println!("MRR@10       {:.4}", mean.mrr10);
    if no_hits > 0 {
        // BEIR hands pytrec_eval a run without these queries, and trec_eval (without -c)
        // averages over the queries of the run only.
        let with_hits: Vec<QueryScores> =
            per_query.iter().filter(|p| p.3 > 0).map(|p| p.2).collect();
        let m = metrics::mean(&with_hits);
        println!(
            "note         the means count the {no_hits} queries without hits as 0; over the {} queries with hits \
             (BEIR / trec_eval without -c): nDCG@10 {:.4}, Recall@100 {:.4}, MRR@10 {:.4}",
            with_hits.len(),
            m.ndcg10,
            m.recall100,
            m.mrr10
        );
    }
    println!(
        "RESULT\t{name}\t{}\t{subset}\t{variant}\tn={}\tndcg@10={:.4}\trecall@100={:.4}\tmrr@10={:.4}",
        args.split,
        evaluated.len(),
        mean.ndcg10,
        mean.recall100,
        mean.mrr10
    );

    let write = |path: &Path, text: &str| -> Result<(), String> {
        std::fs::File::create(path)
            .and_then(|mut f| f.write_all(text.as_bytes()))
            .map_err(|err| format!("{}: {err}", path.display()))
    };
    if let Some(path) = &args.run {
        write(path, &run)?;
        eprintln!("run file     {}", path.display());
    }
    if let Some(path) = &args.per_query {
        let mut tsv = String::from("qid\tndcg@10\trecall@100\tmrr@10\thits\tquery\tcorrections\n");
        for (qid, text, s, hits, corrections) in &per_query {
            let text = text.replace(['\t', '\n'], " ");
            let _ = writeln!(
                tsv,
                "{qid}\t{:.6}\t{:.6}\t{:.6}\t{hits}\t{text}\t{corrections}",
                s.ndcg10, s.recall100, s.mrr10
            );
        }
        write(path, &tsv)?;
    }
    if let Some(path) = &args.metrics_json {
        let per: serde_json::Map<String, serde_json::Value> = per_query
            .iter()
            .map(|(qid, _, s, _, _)| {
                let v = serde_json::json!({
                    "ndcg_cut_10": json_number(s.ndcg10),
                    "recall_100": json_number(s.recall100),
                    "recip_rank_10": json_number(s.mrr10),
                });
                (qid.to_string(), v)
            })
            .collect();
        let json = serde_json::json!({
            "collection": name,
            "split": args.split,
            "subset": subset,
            "variant": variant,
            "queries": evaluated.len(),
            "ndcg_cut_10": json_number(mean.ndcg10),
            "recall_100": json_number(mean.recall100),
            "recip_rank_10": json_number(mean.mrr10),
            "per_query": per,
        });
        write(
            path,
            &serde_json::to_string_pretty(&json).map_err(|e| e.to_string())?,
        )?;
    }
    Ok(())
}
