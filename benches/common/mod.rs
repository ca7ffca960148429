//! Inputs shared by the `build` and `search` benches: the bundled corpus, and the Wikipedia
//! slice of issue 8 (`../shared/data/scale`) laid out as a corpus directory under
//! `target/afsearch-bench/`.
//!
//! afsearch reads the slice's WikiExtractor file itself once its corpus reader lists `.gz`
//! files; until then the bench gives it the same paragraphs as JSON lines, made with the
//! library's own `corpus::wikiextractor` reader so that both ways index the same text. Either
//! way the throughput is counted in bytes of uncompressed WikiExtractor text, so MB/s figures
//! stay comparable across the change.
//!
//! `AFSEARCH_BENCH_ARTICLES=N` takes the first N articles of the slice (0: all of them).

#![allow(dead_code)] // each bench uses its own part

pub mod plain;

use afsearch::corpus::wikiextractor::{paragraphs, DocReader};
use afsearch::{build_index, freshness, BuildOptions, Corpus, Freshness, SearchIndex};
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use std::fs;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The slice's file name in `../shared/data/scale`.
pub const SLICE_NAME: &str = "enwiki-2014-wikiextractor-AA-AC.txt.gz";

pub fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/data/scale`, when this checkout sits next to the shared data.
pub fn scale_dir() -> Option<PathBuf> {
    let dir = manifest_dir().join("../shared/data/scale");
    dir.join(SLICE_NAME).is_file().then_some(dir)
}

/// The 60 queries of issue 8 (`queries-60.txt` beside the slice), one per line; empty when
/// `../shared` is not there.
pub fn scale_queries() -> Vec<String> {
    scale_dir()
        .and_then(|dir| std::fs::read_to_string(dir.join("queries-60.txt")).ok())
        .map(|text| {
            text.lines()
                .map(str::trim)
                .filter(|q| !q.is_empty())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// The `p`-th percentile (nearest rank) of `values`; NaN when there are none.
pub fn percentile(mut values: Vec<f64>, p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * values.len() as f64).ceil().max(1.0) as usize;
    values[rank.min(values.len()) - 1]
}

/// Where `index_for` keeps the index of `input`.
pub fn index_dir(input: &Input) -> PathBuf {
    cache_dir().join(format!("{}-index", input.name))
}

/// Where benches keep what they build; reused by later runs.
pub fn cache_dir() -> PathBuf {
    manifest_dir().join("target/afsearch-bench")
}

/// `AFSEARCH_BENCH_ARTICLES`, else `default` (0 means every article).
pub fn articles_from_env(default: usize) -> usize {
    std::env::var("AFSEARCH_BENCH_ARTICLES")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(default)
}

/// A corpus directory ready for `Corpus::open`, and the uncompressed text it stands for.
pub struct Input {
    /// Label for bench ids: `corpus`, `slice-5000`, `slice-all`.
    pub name: String,
    pub corpus_dir: PathBuf,
    /// Bytes of source text (for the slice: uncompressed WikiExtractor text).
    pub text_bytes: u64,
    /// `native` (afsearch reads the WikiExtractor file) or `jsonl` (the same paragraphs).
    pub format: &'static str,
}

/// The bundled `corpus/`.
pub fn bundled_corpus() -> Input {
    let dir = manifest_dir().join("corpus");
    let bytes = Corpus::open(&dir, None)
        .map(|c| c.total_bytes())
        .unwrap_or(0);
    Input {
        name: "corpus".into(),
        corpus_dir: dir,
        text_bytes: bytes,
        format: "native",
    }
}

/// The first `articles` articles of the slice (0: all) as a corpus directory, made once.
/// `None` (with a message) when the shared data is not there.
pub fn slice(articles: usize) -> Option<Input> {
    let Some(scale) = scale_dir() else {
        eprintln!("skipping the Wikipedia slice: ../shared/data/scale/{SLICE_NAME} is not there");
        return None;
    };
    let name = match articles {
        0 => "slice-all".to_string(),
        n => format!("slice-{n}"),
    };
    let dir = cache_dir().join(&name);
    match prepare_slice(&scale.join(SLICE_NAME), &dir, articles) {
        Ok((corpus_dir, text_bytes, format)) => Some(Input {
            name,
            corpus_dir,
            text_bytes,
            format,
        }),
        Err(err) => {
            eprintln!(
                "skipping the Wikipedia slice: preparing {}: {err}",
                dir.display()
            );
            None
        }
    }
}

/// Lays out `native/` (the WikiExtractor text, gzipped) and, if afsearch does not list it,
/// `jsonl/` (its paragraphs). Returns the directory to index, the text size and the format.
fn prepare_slice(
    source: &Path,
    dir: &Path,
    articles: usize,
) -> io::Result<(PathBuf, u64, &'static str)> {
    let native = dir.join("native");
    let stamp = dir.join("text-bytes");
    let gz_name = match articles {
        0 => SLICE_NAME.to_string(),
        n => format!("enwiki-first-{n}.txt.gz"),
    };
    if !stamp.is_file() {
        eprintln!("preparing {} …", dir.display());
        let _ = fs::remove_dir_all(dir);
        fs::create_dir_all(&native)?;
        let bytes = copy_articles(source, &native.join(&gz_name), articles)?;
        fs::write(&stamp, bytes.to_string())?;
    }
    let text_bytes: u64 = fs::read_to_string(&stamp)?
        .trim()
        .parse()
        .map_err(|_| io::Error::other("bad text-bytes stamp"))?;
    if Corpus::open(&native, None).is_ok_and(|c| !c.files().is_empty()) {
        return Ok((native, text_bytes, "native"));
    }
    let jsonl = dir.join("jsonl");
    let out = jsonl.join("paragraphs.jsonl");
    if !out.is_file() {
        fs::create_dir_all(&jsonl)?;
        write_jsonl(&native.join(&gz_name), &out)?;
    }
    Ok((jsonl, text_bytes, "jsonl"))
}

/// Copies the first `articles` `<doc>` blocks (0: all) of `source` into a gzip file; returns
/// the uncompressed bytes copied.
fn copy_articles(source: &Path, dest: &Path, articles: usize) -> io::Result<u64> {
    let mut input = BufReader::new(GzDecoder::new(fs::File::open(source)?));
    let mut output = GzEncoder::new(
        BufWriter::new(fs::File::create(dest)?),
        flate2::Compression::fast(),
    );
    let (mut docs, mut bytes) = (0usize, 0u64);
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        if line.starts_with(b"<doc ") {
            if articles != 0 && docs == articles {
                break;
            }
            docs += 1;
        }
        output.write_all(&line)?;
        bytes += line.len() as u64;
    }
    output.finish()?.flush()?;
    Ok(bytes)
}

/// The paragraphs of a WikiExtractor file as `{"id","title","text"}` lines, through the
/// library's own reader.
fn write_jsonl(gz: &Path, out: &Path) -> io::Result<()> {
    let input = BufReader::new(GzDecoder::new(fs::File::open(gz)?));
    let mut output = BufWriter::new(fs::File::create(out)?);
    for doc in DocReader::new(input) {
        let doc = doc?;
        for p in paragraphs(&doc, "") {
            let record = serde_json::json!({
                "id": format!("{}.{}", doc.id, p.ordinal),
                "title": p.title,
                "text": p.text,
            });
            serde_json::to_writer(&mut output, &record)?;
            output.write_all(b"\n")?;
        }
    }
    output.flush()
}

/// Opens the index of `input`, building it first into `target/afsearch-bench/<name>-index`
/// unless a fresh one is there.
pub fn index_for(input: &Input) -> Option<SearchIndex> {
    let corpus = Corpus::open(&input.corpus_dir, None).ok()?;
    let dir = index_dir(input);
    if freshness(&dir, &corpus).ok()? != Freshness::Fresh {
        eprintln!(
            "building the {} index in {} (once) …",
            input.name,
            dir.display()
        );
        if let Err(err) = build_index(&corpus, &dir, &BuildOptions::default()) {
            eprintln!("skipping {}: building its index: {err}", input.name);
            return None;
        }
    }
    SearchIndex::open(&dir).ok()
}
