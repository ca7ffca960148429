//! The `afsearch` binary: argv → library request → printed results → exit code.
//!
//! Glue only. It resolves defaults (index and corpus locations, colour, width), builds the index
//! when it is missing or stale, and maps outcomes to exit codes like grep: 0 when something
//! matched, 1 when nothing did, 2 on errors. A closed pipe (`afsearch … | head -1`) is not an
//! error.

mod cli;

use afsearch::corpus::CorpusOptions;
use afsearch::render::{
    correction_note, missing_note, write_facets, write_human, write_json, write_json_facets,
    HumanOptions,
};
use afsearch::search::filter::{parse_date, parse_years};
use afsearch::{
    build_index, freshness, freshness_of, update_index, BuildOptions, BuildProgress, BuildReport,
    Corpus, Freshness, IndexInfo, SearchIndex, SearchRequest, SortOrder,
};
use anyhow::{Context, Result};
use clap::CommandFactory;
use cli::{
    Cli, ColorWhen, Command, EntitiesArgs, FilterArgs, IndexArgs, Location, SearchArgs, SortBy,
    StatsArgs,
};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use termcolor::{BufferWriter, ColorChoice};

const DEFAULT_INDEX: &str = "index";
const DEFAULT_CORPUS: &str = "corpus";

fn main() -> ExitCode {
    let cli = Cli::parse_checked();
    let outcome = match cli.command {
        Some(Command::Index(args)) => run_index(&args),
        Some(Command::Entities(args)) => run_entities(&args),
        Some(Command::Stats(args)) => run_stats(&args),
        Some(Command::Completions { shell }) => {
            // clap_complete panics on a failed write, so render first and write ourselves.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "afsearch", &mut script);
            print_bytes(&script)
        }
        Some(Command::Man) => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(anyhow::Error::from)
                .and_then(|()| print_bytes(&page))
        }
        None => run_search(&cli.search),
    };
    match outcome {
        Ok(code) => ExitCode::from(code),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("afsearch: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn print_bytes(bytes: &[u8]) -> Result<u8> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(bytes)?;
    stdout.flush()?;
    Ok(0)
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn index_dir(location: &Location) -> PathBuf {
    location
        .index
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_INDEX))
}

/// The corpus to use: the one asked for, else the one the index was built from, else `corpus/`.
fn corpus_dir(location: &Location, info: Option<&IndexInfo>) -> (PathBuf, bool) {
    match (&location.corpus, info) {
        (Some(dir), _) => (dir.clone(), true),
        (None, Some(info)) => (info.corpus.clone(), false),
        (None, None) => (PathBuf::from(DEFAULT_CORPUS), false),
    }
}

/// A directory as users type it: `index/`.
fn dir_display(path: &Path) -> String {
    let shown = path.display().to_string();
    if shown.ends_with('/') {
        shown
    } else {
        format!("{shown}/")
    }
}

fn report_build(report: &BuildReport) {
    for warning in &report.warnings {
        eprintln!("afsearch: warning: {warning}");
    }
    let files = if report.files == 1 { "file" } else { "files" };
    if let Some(update) = &report.update {
        let mut parts = Vec::new();
        for (count, what) in [
            (update.added.len(), "added"),
            (update.changed.len(), "changed"),
            (update.removed.len(), "removed"),
        ] {
            if count > 0 {
                parts.push(format!("{count} {what}"));
            }
        }
        eprintln!(
            "afsearch: updated the index: re-indexed {} {files} ({}), now {} paragraphs, in {:.2} s",
            report.files,
            parts.join(", "),
            report.paragraphs,
            report.elapsed.as_secs_f64()
        );
        return;
    }
    eprintln!(
        "afsearch: indexed {} paragraphs from {} {files} ({:.1} MB) in {:.2} s",
        report.paragraphs,
        report.files,
        report.bytes as f64 / 1e6,
        report.elapsed.as_secs_f64()
    );
}

/// Builds the index in full, or (`incremental`) re-indexes only what changed, showing progress.
fn build(
    corpus: &Corpus,
    index: &Path,
    options: &BuildOptions,
    incremental: bool,
) -> Result<BuildReport> {
    let progress = Arc::new(BuildProgress::default());
    let options = BuildOptions {
        progress: Some(Arc::clone(&progress)),
        ..options.clone()
    };
    let done = AtomicBool::new(false);
    let report = std::thread::scope(|scope| {
        scope.spawn(|| show_progress(&progress, &done));
        let report = if incremental {
            update_index(corpus, index, &options)
        } else {
            build_index(corpus, index, &options)
        };
        done.store(true, Ordering::Relaxed);
        report
    })
    .with_context(|| format!("building the index in {}", index.display()))?;
    report_build(&report);
    Ok(report)
}

/// Draws a progress bar on stderr while a build runs, once it has taken a second and only
/// when stderr is a terminal (indicatif hides it otherwise; the summary line is printed
/// either way).
fn show_progress(progress: &BuildProgress, done: &AtomicBool) {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let started = std::time::Instant::now();
    let tick = std::time::Duration::from_millis(100);
    while started.elapsed() < std::time::Duration::from_secs(1) {
        if done.load(Ordering::Relaxed) {
            return;
        }
        std::thread::sleep(tick);
    }
    // The bar appears after a second: its clock starts with the build. Rate and ETA are the
    // build's average so far: indicatif's own estimate read the first jump from 0 as
    // gigabytes per second.
    let bar = ProgressBar::with_draw_target(
        Some(progress.bytes_total.load(Ordering::Relaxed)),
        ProgressDrawTarget::stderr(),
    )
    .with_elapsed(started.elapsed());
    if let Ok(style) = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} · {msg}",
    ) {
        bar.set_style(style);
    }
    let files_total = progress.files_total.load(Ordering::Relaxed);
    let bytes_total = progress.bytes_total.load(Ordering::Relaxed);
    while !done.load(Ordering::Relaxed) {
        let read = progress.bytes_read.load(Ordering::Relaxed);
        let seconds = started.elapsed().as_secs_f64();
        let rate = read as f64 / seconds.max(1e-3);
        let eta = (bytes_total.saturating_sub(read) as f64 / rate.max(1.0)).round() as u64;
        bar.set_position(read);
        bar.set_message(format!(
            "{:.1} MB/s, ETA {}:{:02} · {}/{files_total} files, {} paragraphs",
            rate / 1e6,
            eta / 60,
            eta % 60,
            progress.files_done.load(Ordering::Relaxed),
            progress.paragraphs.load(Ordering::Relaxed)
        ));
        std::thread::sleep(tick);
    }
    bar.finish_and_clear();
}

fn run_index(args: &IndexArgs) -> Result<u8> {
    let index = index_dir(&args.location);
    let info = IndexInfo::read(&index).ok().flatten();
    let (corpus_path, _) = corpus_dir(&args.location, info.as_ref());
    let corpus = open_corpus(&corpus_path, &index, &args.location, info.as_ref())?;
    if !args.rebuild && freshness(&index, &corpus).ok() == Some(Freshness::Fresh) {
        let paragraphs = info.map_or(0, |i| i.paragraphs);
        eprintln!(
            "afsearch: {} is up to date ({paragraphs} paragraphs); use --rebuild to rebuild anyway",
            dir_display(&index)
        );
        return Ok(0);
    }
    let options = BuildOptions {
        threads: args.threads,
        memory_mb: args.memory,
        ..BuildOptions::default()
    };
    let report = build(&corpus, &index, &options, !args.rebuild)?;
    // Like ripgrep: the rest was done, but a skipped input is still an error.
    Ok(if report.warnings.is_empty() { 0 } else { 2 })
}

/// Lists the corpus files, leaving out the index directory. Links out of the corpus are
/// followed when asked now or when the index was built that way (so that a later search
/// without `--follow` does not rebuild without them).
fn open_corpus(
    corpus: &Path,
    index: &Path,
    location: &Location,
    info: Option<&IndexInfo>,
) -> Result<Corpus> {
    let options = CorpusOptions {
        exclude: Some(index.to_path_buf()),
        follow_links: location.follow || info.is_some_and(|i| i.follow_links),
    };
    Ok(Corpus::open_with(corpus, &options)?)
}

/// Opens the index, building or rebuilding it first when it is missing or the corpus changed.
fn open_fresh_index(location: &Location) -> Result<SearchIndex> {
    let index = index_dir(location);
    let info = IndexInfo::read(&index)?;
    let (corpus_path, explicit) = corpus_dir(location, info.as_ref());
    if !corpus_path.is_dir() && info.is_some() && !explicit {
        // The corpus moved away, but the index still answers; say so rather than fail.
        eprintln!(
            "afsearch: warning: corpus {} not found; searching the index as it was built",
            dir_display(&corpus_path)
        );
        return Ok(SearchIndex::open(&index)?);
    }
    // The quick check: the same corpus, listed the same way, with nothing changed in it.
    let unchanged = |info: &IndexInfo| {
        (!location.follow || info.follow_links)
            && corpus_path.canonicalize().ok().as_ref() == Some(&info.corpus)
            && info.corpus_unchanged()
    };
    let info = match info {
        Some(info) if unchanged(&info) => return Ok(SearchIndex::open_with_info(&index, info)?),
        info => info,
    };
    let corpus = open_corpus(&corpus_path, &index, location, info.as_ref())?;
    let built = match freshness_of(&index, info.as_ref(), &corpus)? {
        // The description just read is current: no need to read it again.
        Freshness::Fresh => match info {
            Some(info) => return Ok(SearchIndex::open_with_info(&index, info)?),
            None => Ok(()),
        },
        Freshness::Missing => {
            eprintln!(
                "afsearch: building the index in {} from {} (first run)",
                dir_display(&index),
                dir_display(&corpus_path)
            );
            build(&corpus, &index, &BuildOptions::default(), false).map(|_| ())
        }
        Freshness::Stale(reason) => {
            eprintln!("afsearch: the index is out of date, updating it: {reason}");
            build(&corpus, &index, &BuildOptions::default(), true).map(|_| ())
        }
    };
    if let Err(err) = built {
        // Another process is rebuilding: the current index still answers.
        let locked = err
            .downcast_ref::<afsearch::Error>()
            .is_some_and(|e| matches!(e, afsearch::Error::Locked { .. }));
        if !(locked && info.is_some()) {
            return Err(err);
        }
        eprintln!("afsearch: warning: another afsearch is rebuilding the index; searching the current one");
    }
    Ok(SearchIndex::open(&index)?)
}

/// Adds the filter flags to a request, validating their values.
fn apply_filters(mut request: SearchRequest, filters: &FilterArgs) -> Result<SearchRequest> {
    if let Some(years) = &filters.year {
        let (first, last) = parse_years(years)?;
        request = request.years(first, last);
    }
    if let Some(since) = &filters.since {
        request = request.since(parse_date("--since", since)?);
    }
    if let Some(until) = &filters.until {
        request = request.until(parse_date("--until", until)?);
    }
    if let (Some(since), Some(until)) = (request.since, request.until) {
        if since > until {
            anyhow::bail!(
                "--since {} is after --until {}: nothing can match",
                since.to_iso(),
                until.to_iso()
            );
        }
    }
    for entity in &filters.entity {
        if entity.trim().is_empty() {
            anyhow::bail!("--entity needs a name, e.g. --entity TTP");
        }
        request = request.entity(entity.trim());
    }
    if let Some(kind) = filters.entity_type {
        request = request.entity_kind(kind);
    }
    Ok(request)
}

/// Turns the search flags into a library request, validating filter values.
fn search_request(args: &SearchArgs) -> Result<SearchRequest> {
    let query = args.query.join(" ");
    let mut request = SearchRequest::new(query)
        .limit(args.limit)
        .offset(args.offset)
        .facets(args.facets)
        .exact(args.exact)
        .sort(match args.sort {
            SortBy::Score => SortOrder::Score,
            SortBy::Date => SortOrder::Date,
        });
    request = apply_filters(request, &args.filters)?;
    if request.query.trim().is_empty() && !request.has_filters() {
        anyhow::bail!("no query given; try `afsearch \"Torkham closure\"`, a filter such as `afsearch --year 2025`, or `afsearch --help`");
    }
    Ok(request)
}

fn run_search(args: &SearchArgs) -> Result<u8> {
    let request = search_request(args)?;
    let index = open_fresh_index(&args.location)?;
    let results = index.search(&request)?;
    for note in &results.notes {
        eprintln!("afsearch: note: {note}");
    }
    for correction in &results.corrections {
        eprintln!("afsearch: {}", correction_note(correction));
    }
    for word in &results.missing {
        eprintln!("afsearch: {}", missing_note(word));
    }

    let stdout_is_terminal = std::io::stdout().is_terminal();
    let choice = match args.color {
        ColorWhen::Always => ColorChoice::Always,
        ColorWhen::Never => ColorChoice::Never,
        // termcolor's Auto also honours NO_COLOR and TERM=dumb.
        ColorWhen::Auto if stdout_is_terminal => ColorChoice::Auto,
        ColorWhen::Auto => ColorChoice::Never,
    };
    let width = args.width.or_else(|| {
        stdout_is_terminal
            .then(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
            .flatten()
    });
    let writer = BufferWriter::stdout(choice);
    let mut buffer = writer.buffer();
    if args.json {
        write_json(&mut buffer, &results)?;
        if let Some(facets) = &results.facets {
            write_json_facets(&mut buffer, facets)?;
        }
    } else {
        write_human(&mut buffer, &results, &HumanOptions { width })?;
        if let Some(facets) = &results.facets {
            if !results.hits.is_empty() {
                writeln!(buffer)?;
            }
            write_facets(&mut buffer, facets)?;
        }
    }
    writer.print(&buffer)?;
    std::io::stdout().flush()?;
    leave_to_exit(index);
    Ok(if results.hits.is_empty() && results.total == 0 {
        1
    } else {
        0
    })
}

fn run_entities(args: &EntitiesArgs) -> Result<u8> {
    let request = apply_filters(SearchRequest::new(args.query.join(" ")), &args.filters)?;
    let index = open_fresh_index(&args.location)?;
    let listing = index.entities(&request)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let shown = &listing[..listing.len().min(args.limit)];
    if args.json {
        for entity in shown {
            serde_json::to_writer(&mut out, entity)?;
            writeln!(out)?;
        }
    } else {
        let kind_width = shown
            .iter()
            .map(|e| e.kind.as_str().len())
            .max()
            .unwrap_or(4);
        for entity in shown {
            let name = afsearch::render::terminal::sanitize(&entity.name);
            write!(
                out,
                "{:>5}  {:<kind_width$}  {name}",
                entity.count,
                entity.kind.as_str()
            )?;
            if !entity.aliases.is_empty() {
                let aliases: Vec<String> = entity
                    .aliases
                    .iter()
                    .map(|a| afsearch::render::terminal::sanitize(a))
                    .collect();
                write!(out, "  (also: {})", aliases.join(", "))?;
            }
            writeln!(out)?;
        }
        if listing.len() > shown.len() {
            writeln!(
                out,
                "… {} more (use -n to see them)",
                listing.len() - shown.len()
            )?;
        }
    }
    out.flush()?;
    leave_to_exit(index);
    Ok(if listing.is_empty() { 1 } else { 0 })
}

/// Leaves an index the process is done with for the exit to free.
///
/// Dropping it unmaps each of its files one by one and frees its allocations piece by piece;
/// the kernel tears the whole address space down in one pass at exit. Measured with both
/// binaries alternating query by query: a one-shot search of `corpus/` 4.34 → 3.81 ms, of the
/// Wikipedia slice 10.0 → 9.4 ms. Nothing is left undone: a search writes nothing.
fn leave_to_exit(index: SearchIndex) {
    std::mem::forget(index);
}

fn run_stats(args: &StatsArgs) -> Result<u8> {
    let index = open_fresh_index(&args.location)?;
    let stats = index.stats()?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        serde_json::to_writer(&mut out, &stats)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(0);
    }
    let built = i64::try_from(stats.built_at)
        .ok()
        .and_then(|secs| jiff::Timestamp::from_second(secs).ok())
        .map_or_else(
            || "at an unknown time".to_string(),
            |t| t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        );
    if let Some(dir) = &stats.dir {
        writeln!(
            out,
            "index        {} ({:.1} MB, built {built})",
            dir_display(dir),
            stats.size_bytes as f64 / 1e6
        )?;
    }
    let files = if stats.files == 1 { "file" } else { "files" };
    writeln!(
        out,
        "corpus       {} ({} {files})",
        dir_display(&stats.corpus),
        stats.files
    )?;
    writeln!(out, "articles     {}", stats.articles)?;
    writeln!(out, "paragraphs   {}", stats.paragraphs)?;
    match (stats.years.keys().next(), stats.years.keys().next_back()) {
        (Some(first), Some(last)) => {
            let (busiest, count) = stats
                .years
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map_or((0, 0), |(y, c)| (*y, *c));
            writeln!(
                out,
                "years        {first}–{last} ({} distinct; most paragraphs: {busiest}, {count})",
                stats.years.len()
            )?;
        }
        _ => writeln!(out, "years        none mentioned")?,
    }
    writeln!(out, "top entities")?;
    afsearch::render::write_entity_rows(&mut out, &stats.top_entities, 6)?;
    out.flush()?;
    Ok(0)
}
