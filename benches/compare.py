#!/usr/bin/env python3
"""Side-by-side comparison of afsearch with tantivy-cli, SQLite FTS5 and ripgrep (issue 8).

Owns the whole-process measurements of issue 8, all taken in one run on one machine so that
the ratios mean something: index build (wall, CPU, peak RSS), peak RSS under `--memory` for
the Wikipedia slice and for the slice twice over, and one-shot query latency (a fresh process
per query, from spawn to the last byte read from its stdout pipe). It prints one table with the
issue's targets and pass/fail per target. The in-process (library) figures are criterion's
job: `cargo bench --bench search`.

    cargo build --release
    python3 benches/compare.py                       # whole slice (105,769 articles)
    python3 benches/compare.py --articles 5000       # quick run on the first 5,000 articles
    python3 benches/compare.py --afsearch /path/to/afsearch --reps 3 --build-reps 1

Every tool gets the same paragraphs. The slice is WikiExtractor text; this script turns it
into paragraphs with the rules of `src/corpus/wikiextractor.rs` (a `<doc>` block's lines, the
first one dropped when it repeats the title, short "Heading." lines setting the section,
`clean_text` on the rest) and writes them as JSON lines for tantivy-cli and FTS5. afsearch reads
the WikiExtractor file itself when it can (`afsearch index` on a directory holding only the
`.txt.gz`); an afsearch that cannot yet (no paragraphs, or an error) is given the JSON lines
instead, and the script says so.

Tools: `tantivy` (tantivy-cli) and `rg` are taken from PATH or `target/tools/bin`, and
installed there with `cargo install` when missing (`--no-install` skips the tools instead).
FTS5 needs Python's `sqlite3` module compiled with FTS5; the one-shot FTS5 query runs in the
`sqlite3` command-line shell when there is one (a Python process otherwise, which adds the
interpreter's start-up). Python 3.11 standard library only.

What each tool does, so the comparison is fair:
* afsearch: `afsearch index` (the full pipeline: segmentation, date and entity extraction,
  stored text); query `afsearch --color never -n 10 QUERY`: top 10 with excerpts, stdout a pipe.
* tantivy-cli 0.24: schema with `id` stored (not indexed) and `title`, `text` indexed with
  positions and the `en_stem` tokenizer (afsearch stems English too); `index -t THREADS`. Its
  `search` command prints every match unranked, so the ranked one-shot is its `bench -n 1` on a
  one-line query file: open the index, top 10 by BM25 plus count, fetch the 10 stored docs.
  Its `search` is timed too, as information.
* FTS5: `fts5(id UNINDEXED, title, text, tokenize='porter unicode61 remove_diacritics 2')`,
  built in one transaction; query `MATCH '"w1" OR "w2" …' ORDER BY rank LIMIT 10` with
  `snippet()`, OR like afsearch's and Tantivy's default.
* rg: `rg -i -w -c QUERY` over the raw decompressed text (the issue's baseline).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCALE = REPO.parent / "shared" / "data" / "scale"
SLICE_NAME = "enwiki-2014-wikiextractor-AA-AC.txt.gz"

# The realistic queries for the small bundled corpus.
CORPUS_QUERIES = [
    "Torkham closure",
    "Durand Line",
    "TTP attacks",
    "refugees deportation 2023",
    "trade Karachi transit",
]

# Bump when the conversion below changes, so cached paragraphs are rebuilt.
CONVERTER_VERSION = 1


# ---------------------------------------------------------------------------------------------
# The paragraph rules of src/corpus/wikiextractor.rs and src/corpus/segment.rs, in Python.

# Rust's `char::is_whitespace` (Unicode White_Space). Python's `str.strip()` also strips
# U+001C..U+001F, which Rust keeps, so the set is spelled out.
RUST_WS = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
    "\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
MAX_HEADING_CHARS = 60
MAX_HEADING_WORDS = 8


WS_CLASS = "[" + re.escape(RUST_WS) + "]"
EMPTY_PARENS = re.compile(r"\(" + WS_CLASS + r"*\)")
WS_RUN = re.compile(WS_CLASS + "+")
SPACE_BEFORE_PUNCT = re.compile(r" (?=[,.;:])")


def clean_text(text: str) -> str:
    """segment::clean_text: drop "()" and "( )" artefacts, collapse whitespace, tidy punctuation.

    Rust scans character by character; these three substitutions give the same result (the
    leftmost-first "()" removal is the scan's, and whitespace left on both sides of a removed
    pair collapses either way), at regex speed.
    """
    text = EMPTY_PARENS.sub("", text)
    text = WS_RUN.sub(" ", text)
    text = SPACE_BEFORE_PUNCT.sub("", text)
    return text.strip(RUST_WS)


def is_heading(line: str) -> bool:
    """wikiextractor::is_heading: a short line ending in one full stop, one sentence at most."""
    if not line.endswith("."):
        return False
    body = line[:-1]
    if not body or body.endswith(".") or ". " in body:
        return False
    if len(line) > MAX_HEADING_CHARS or len(split_ws(line)) > MAX_HEADING_WORDS:
        return False
    first = body[0]
    return first.isupper() or unicodedata.category(first) in ("Nd", "Nl", "No")


def split_ws(text: str) -> list[str]:
    return [w for w in WS_RUN.split(text) if w]


def attribute(tag: str, name: str) -> str:
    key = f'{name}="'
    start = tag.find(key)
    if start < 0:
        return ""
    start += len(key)
    end = tag.find('"', start)
    if end < 0:
        return ""
    value = tag[start:end]
    return value.replace("&quot;", '"').replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def wiki_docs(lines):
    """wikiextractor::DocReader over decoded lines: yields (id, title, body lines, raw lines)."""
    it = iter(lines)
    for raw in it:
        text = raw.rstrip("\n\r").lstrip("\ufeff").strip(RUST_WS)
        if not text.startswith("<doc "):
            continue
        doc_id, title = attribute(text, "id"), attribute(text, "title")
        body, kept, first = [], [raw], True
        for raw in it:
            kept.append(raw)
            text = raw.rstrip("\n\r").strip(RUST_WS)
            if text == "</doc>":
                break
            if not text:
                continue
            if first and text == title:
                first = False
                continue
            first = False
            body.append(text)
        yield doc_id, title, body, kept


def decoded_lines(binary):
    """Lines as DocReader reads them: split on \\n only, a line that is not UTF-8 skipped."""
    for line in binary:
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError:
            continue


def wiki_paragraphs(title: str, body: list[str]):
    """wikiextractor::paragraphs: yields (ordinal, section, text)."""
    section = ""
    ordinal = 0
    for line in body:
        if is_heading(line):
            section = line.rstrip(".")
            continue
        text = clean_text(line)
        if not text:
            continue
        ordinal += 1
        yield ordinal, section, text


def corpus_paragraphs(path: Path):
    """Approximates article::parse_articles for `corpus/*.txt` (44 KB: approximate is enough):
    `= Title =`, `== Section ==` headings, blank-line separated blocks."""
    title, section, block = path.stem, "", []
    for line in path.read_text(encoding="utf-8").splitlines() + [""]:
        stripped = line.strip()
        heading = re.fullmatch(r"(=+)\s*(.*?)\s*=+", stripped)
        if heading or not stripped:
            if block:
                text = clean_text(" ".join(block))
                if text:
                    yield title, section, text
                block = []
            if heading:
                if len(heading.group(1)) == 1:
                    title = heading.group(2)
                else:
                    section = heading.group(2)
            continue
        block.append(stripped.lstrip("- "))


# ---------------------------------------------------------------------------------------------
# Measuring processes.


@dataclass
class Run:
    """One finished process: wall seconds, CPU seconds (user + sys), peak RSS in MB."""

    wall: float
    cpu: float
    rss_mb: float
    code: int
    stdout: bytes = b""


def run(cmd, *, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=None, stdin=None) -> Run:
    """Runs `cmd` to completion and measures it.

    `os.wait4` returns the rusage of exactly this child (and the children it waited for), which
    is what `/usr/bin/time -v` reports; `getrusage(RUSAGE_CHILDREN)` would instead give the
    largest peak of every child so far, useless for successive runs.
    """
    start = time.perf_counter()
    # close_fds=False lets Python use posix_spawn/vfork: a smaller, steadier spawn cost, and
    # this script holds no descriptors a child could misuse.
    proc = subprocess.Popen(
        cmd, stdout=stdout, stderr=stderr, stdin=stdin or subprocess.DEVNULL, cwd=cwd, close_fds=False
    )
    out = b""
    if stdout is subprocess.PIPE:
        # The last byte printed: read to EOF before reaping.
        out = proc.stdout.read()
        proc.stdout.close()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        rss_mb=usage.ru_maxrss / 1024,  # kilobytes on Linux
        code=proc.returncode,
        stdout=out,
    )


def run_logged(cmd, log: Path, quiet: bool = False, **kw) -> Run:
    with open(log, "wb") as out:
        result = run(cmd, stdout=out, stderr=subprocess.STDOUT, **kw)
    if result.code != 0 and not quiet:
        tail = log.read_text(errors="replace")[-2000:]
        print(f"  ! {' '.join(map(str, cmd))} exited {result.code}; log {log}:\n{tail}", file=sys.stderr)
    return result


def pct(values: list[float], p: float) -> float:
    """The p-th percentile, nearest rank (what latency reports usually mean)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


# ---------------------------------------------------------------------------------------------
# Tools.


def find_or_install(name: str, crate: str, tools: Path, install: bool) -> str | None:
    found = shutil.which(name) or (str(tools / "bin" / name) if (tools / "bin" / name).exists() else None)
    if found or not install:
        return found
    print(f"installing {crate} with cargo into {tools} (once; a cold build takes minutes) …", flush=True)
    env = dict(os.environ, CARGO_TARGET_DIR=str(tools / "build"))
    for locked in (["--locked"], []):
        # tantivy-cli 0.24.0's lock file pins traitobject 0.1.0, which no longer compiles with
        # current rustc; without --locked cargo takes the fixed 0.1.1.
        cmd = ["cargo", "install", *locked, "--root", str(tools), crate]
        if subprocess.call(cmd, env=env) == 0:
            return str(tools / "bin" / name)
        print(f"  `{' '.join(cmd)}` failed{'; retrying without --locked' if locked else ''}", flush=True)
    return None


def tool_version(cmd: list[str]) -> str:
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip()
        return out.splitlines()[0] if out else "?"
    except (OSError, subprocess.SubprocessError):
        return "?"


def tantivy_meta() -> dict:
    """meta.json of an empty tantivy-cli index (what its interactive `new` writes)."""
    text = {
        "indexing": {"record": "position", "fieldnorms": True, "tokenizer": "en_stem"},
        "stored": False,
        "fast": False,
    }
    return {
        "index_settings": {"docstore_compression": "lz4", "docstore_blocksize": 16384},
        "segments": [],
        "schema": [
            {"name": "id", "type": "text", "options": {"indexing": None, "stored": True, "fast": False}},
            {"name": "title", "type": "text", "options": text},
            {"name": "text", "type": "text", "options": text},
        ],
        "opstamp": 0,
    }


def fts5_available() -> bool:
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x)")
        return True
    except sqlite3.OperationalError:
        return False


FTS5_TABLE = "CREATE VIRTUAL TABLE p USING fts5(id UNINDEXED, title, text, tokenize='porter unicode61 remove_diacritics 2')"


def fts5_build(db: str, jsonl: str) -> None:
    """Runs in a child process (`compare.py _fts5_build DB JSONL`) so it is timed like the others."""
    if os.path.exists(db):
        os.remove(db)
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute(FTS5_TABLE)
    with open(jsonl, encoding="utf-8") as lines, conn:
        rows = ((r["id"], r["title"], r["text"]) for r in map(json.loads, lines))
        conn.executemany("INSERT INTO p(id, title, text) VALUES (?, ?, ?)", rows)
    conn.close()


def fts5_match(query: str) -> str:
    return " OR ".join('"' + w.replace('"', '""') + '"' for w in re.findall(r"\w+", query))


def fts5_sql(query: str) -> str:
    match = fts5_match(query).replace("'", "''")
    return (
        "SELECT id, title, snippet(p, 2, '[', ']', '…', 24) FROM p "
        f"WHERE p MATCH '{match}' ORDER BY rank LIMIT 10;"
    )


def fts5_query(db: str, query: str) -> None:
    """The Python fallback for one FTS5 query, when there is no sqlite3 shell."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    for row in conn.execute(fts5_sql(query)):
        print(*row, sep="\t")


# ---------------------------------------------------------------------------------------------
# Preparing inputs.


@dataclass
class Inputs:
    """One data set, laid out for every tool."""

    name: str
    raw: Path  # what rg searches (a file or a directory)
    jsonl: Path  # the paragraphs as {"id", "title", "text"} lines
    native: Path | None  # a directory holding only the WikiExtractor file, for afsearch
    paragraphs: int
    articles: int
    text_bytes: int
    queries: list[str] = field(default_factory=list)


def prepare_slice(slice_gz: Path, work: Path, articles: int) -> Inputs:
    """Decompresses the first `articles` documents (0: all), once; later runs reuse the files."""
    label = "all" if articles == 0 else str(articles)
    out = work / f"slice-{label}"
    stamp = out / "stamp.json"
    key = {
        "source": str(slice_gz),
        "size": slice_gz.stat().st_size,
        "articles": articles,
        "v": CONVERTER_VERSION,
    }
    if stamp.exists() and json.loads(stamp.read_text()).get("key") == key:
        meta = json.loads(stamp.read_text())
    else:
        print(f"converting {slice_gz.name} ({label} articles) into {out} …", flush=True)
        if out.exists():
            shutil.rmtree(out)
        (out / "native").mkdir(parents=True)
        raw_path, jsonl_path = out / "wiki.txt", out / "paragraphs.jsonl"
        docs = paragraphs = text_bytes = 0
        with gzip.open(slice_gz, "rb") as src, open(raw_path, "wb") as raw, open(
            jsonl_path, "w", encoding="utf-8"
        ) as js:
            lines = decoded_lines(src)
            for doc_id, title, body, kept in wiki_docs(lines):
                if articles and docs == articles:
                    break
                docs += 1
                chunk = "".join(kept).encode("utf-8")
                raw.write(chunk)
                text_bytes += len(chunk)
                clean_title = clean_text(title)
                for ordinal, _section, text in wiki_paragraphs(title, body):
                    paragraphs += 1
                    js.write(
                        json.dumps(
                            {"id": f"{doc_id}.{ordinal}", "title": clean_title, "text": text},
                            ensure_ascii=False,
                        )
                    )
                    js.write("\n")
        native = out / "native" / (SLICE_NAME if articles == 0 else f"enwiki-first-{articles}.txt.gz")
        if articles == 0:
            link_or_copy(slice_gz, native)
        else:
            with open(raw_path, "rb") as raw, gzip.open(native, "wb", compresslevel=1) as gz:
                shutil.copyfileobj(raw, gz)
        meta = {"key": key, "articles": docs, "paragraphs": paragraphs, "text_bytes": text_bytes}
        stamp.write_text(json.dumps(meta))
    return Inputs(
        name=f"slice ({label} articles)" if articles else "Wikipedia slice",
        raw=out / "wiki.txt",
        jsonl=out / "paragraphs.jsonl",
        native=out / "native",
        paragraphs=meta["paragraphs"],
        articles=meta["articles"],
        text_bytes=meta["text_bytes"],
    )


def link_or_copy(src: Path, dst: Path) -> None:
    # A symbolic link out of the corpus is not followed by afsearch (without --follow), and the
    # shared data is read-only: a hard link costs nothing, a copy 53 MB.
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


def prepare_corpus(corpus: Path, work: Path) -> Inputs:
    out = work / "corpus"
    out.mkdir(parents=True, exist_ok=True)
    jsonl = out / "paragraphs.jsonl"
    n = 0
    files = sorted(corpus.rglob("*.txt"))
    with open(jsonl, "w", encoding="utf-8") as js:
        for path in files:
            for title, _section, text in corpus_paragraphs(path):
                n += 1
                js.write(
                    json.dumps({"id": f"{path.name}#{n}", "title": title, "text": text}, ensure_ascii=False)
                    + "\n"
                )
    return Inputs(
        name="corpus/",
        raw=corpus,
        jsonl=jsonl,
        native=corpus,
        paragraphs=n,
        articles=len(files),
        text_bytes=sum(p.stat().st_size for p in files),
        queries=CORPUS_QUERIES,
    )


# ---------------------------------------------------------------------------------------------
# Builds.


@dataclass
class Build:
    runs: list[Run]
    note: str = ""

    def median(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs)


def afsearch_index_cmd(afs: str, corpus: Path, index: Path, memory: int | None) -> list[str]:
    # No --threads: afsearch uses every core by default, as a user would run it.
    cmd = [afs, "index", "--corpus", str(corpus), "--index", str(index), "--rebuild"]
    if memory:
        cmd += ["--memory", str(memory)]
    return cmd


INDEXED = re.compile(rb"indexed (\d+) paragraphs")


def afsearch_build(
    afs: str, data: Inputs, work: Path, reps: int, memory: int | None = None, copies: int = 1, tag: str = ""
) -> tuple[Build, Path, Path]:
    """Builds afsearch's index of `data` `reps` times; returns the runs, the corpus and the index.

    Tries the native WikiExtractor file first and falls back to the JSON lines. With `copies`
    2, the corpus directory holds the input twice (hard links under two names).
    """
    base = work / f"afsearch{tag}"
    base.mkdir(parents=True, exist_ok=True)
    candidates = []
    if data.native is not None and data.native != data.raw:
        candidates.append(("native", sorted(data.native.iterdir())))
    elif data.native is not None:
        candidates.append(("native", None))  # corpus/: the directory itself
    candidates.append(("jsonl", [data.jsonl]))
    note = ""
    for kind, files in candidates:
        if files is None:
            corpus = data.native
        else:
            corpus = base / f"corpus-{kind}-x{copies}"
            if corpus.exists():
                shutil.rmtree(corpus)
            corpus.mkdir(parents=True)
            for copy in range(copies):
                for f in files:
                    suffix = "".join(f.suffixes)
                    link_or_copy(
                        f, corpus / (f.name if copy == 0 else f.name[: -len(suffix)] + f"-copy{copy}{suffix}")
                    )
        index = base / f"index-{kind}-x{copies}"
        runs = []
        for rep in range(reps):
            if index.exists():
                shutil.rmtree(index)
            log = base / f"build-{kind}-x{copies}-{rep}.log"
            r = run_logged(afsearch_index_cmd(afs, corpus, index, memory), log, quiet=kind == "native")
            indexed = INDEXED.search(log.read_bytes())
            got = int(indexed.group(1)) if indexed else 0
            if r.code not in (0, 2) or got == 0:
                break
            if kind == "native" and files is not None and got != data.paragraphs * copies:
                note = (
                    f"afsearch read {got:,} paragraphs from the WikiExtractor file, this script's "
                    f"mirror of its rules {data.paragraphs * copies:,}"
                )
            runs.append(r)
        if runs:
            if kind == "jsonl" and files is not None and data.native is not None and data.native != data.raw:
                note = "afsearch cannot read the WikiExtractor file yet (no paragraphs indexed); it read the same paragraphs as JSON lines"
            return Build(runs, note), corpus, index
        what = "the WikiExtractor file" if kind == "native" and files is not None else f"the {kind} input"
        print(f"  afsearch did not index {what} (see {base}); ", end="", flush=True)
        print("trying JSON lines" if kind == "native" else "giving up", flush=True)
    raise SystemExit("afsearch failed to build an index; see the logs above")


def tantivy_build(tantivy: str, data: Inputs, work: Path, reps: int, threads: int) -> tuple[Build, Path]:
    index = work / "tantivy-index"
    runs = []
    for rep in range(reps):
        if index.exists():
            shutil.rmtree(index)
        index.mkdir(parents=True)
        (index / "meta.json").write_text(json.dumps(tantivy_meta(), indent=2))
        r = run_logged(
            [tantivy, "index", "-i", str(index), "-f", str(data.jsonl), "-t", str(threads)],
            work / f"tantivy-build-{rep}.log",
        )
        if r.code != 0:
            raise SystemExit("tantivy-cli failed to index")
        runs.append(r)
    return Build(runs), index


def fts5_build_runs(data: Inputs, work: Path, reps: int) -> tuple[Build, Path]:
    db = work / "fts5.db"
    runs = []
    for rep in range(reps):
        r = run_logged(
            [sys.executable, __file__, "_fts5_build", str(db), str(data.jsonl)],
            work / f"fts5-build-{rep}.log",
        )
        if r.code != 0:
            raise SystemExit("the FTS5 build failed")
        runs.append(r)
    return Build(runs), db


# ---------------------------------------------------------------------------------------------
# One-shot queries.


def query_commands(tools: dict, data: Inputs, work: Path) -> dict:
    """Each tool's one-shot query command, as a function of the query text."""
    cmds = {}
    if "afsearch" in tools:
        afs, a_corpus, a_index = tools["afsearch"]
        cmds["afsearch"] = lambda q: [
            afs,
            "--corpus",
            str(a_corpus),
            "--index",
            str(a_index),
            "--color",
            "never",
            "-n",
            "10",
            q,
        ]
    if "tantivy" in tools:
        tantivy, t_index = tools["tantivy"]
        qdir = work / "tantivy-queries"
        qdir.mkdir(exist_ok=True)
        files = {}
        for i, q in enumerate(data.queries):
            files[q] = qdir / f"q{i:03}.txt"
            files[q].write_text(q + "\n", encoding="utf-8")
        cmds["tantivy-cli"] = lambda q: [tantivy, "bench", "-i", str(t_index), "-q", str(files[q]), "-n", "1"]
        cmds["tantivy-cli search (all matches)"] = lambda q: [tantivy, "search", "-i", str(t_index), "-q", q]
    if "fts5" in tools:
        db = tools["fts5"]
        sqlite_cli = shutil.which("sqlite3")
        if sqlite_cli:
            cmds["FTS5"] = lambda q: [sqlite_cli, "-readonly", str(db), fts5_sql(q)]
        else:
            cmds["FTS5"] = lambda q: [sys.executable, __file__, "_fts5_query", str(db), q]
    if "rg" in tools:
        rg = tools["rg"]
        cmds["rg"] = lambda q: [rg, "-i", "-w", "-c", "--", q, str(data.raw)]
    return cmds


@dataclass
class Latency:
    """One tool's one-shot figures: each query's median wall and CPU time over the repetitions, ms."""

    wall: list[float]
    cpu: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    def cell(self) -> str:
        # CPU time (user + sys) barely depends on other load; wall time is what a user waits.
        return f"{self.median:.1f} / {pct(self.wall, 90):.1f} (CPU {statistics.median(self.cpu):.1f})"


def one_shot(cmds: dict, queries: list[str], reps: int, csv: Path) -> dict[str, Latency]:
    """Per tool, each query's median over `reps` of its spawn-to-last-byte time and CPU time.

    The tools alternate query by query, so drift in machine load hits them alike; one untimed
    pass first warms the page cache. Per-query medians go to `csv` for a closer look.
    """
    wall = {name: {q: [] for q in queries} for name in cmds}
    cpu = {name: {q: [] for q in queries} for name in cmds}
    for rep in range(reps + 1):
        for q in queries:
            for name, cmd in cmds.items():
                r = run(cmd(q), stdout=subprocess.PIPE)
                if r.code not in (0, 1):
                    raise SystemExit(f"{name} failed on {q!r}: exit {r.code}: {cmd(q)}")
                if rep:
                    wall[name][q].append(r.wall * 1000)
                    cpu[name][q].append(r.cpu * 1000)
    with open(csv, "w", encoding="utf-8") as out:
        out.write("query\t" + "\t".join(f"{n} wall ms\t{n} CPU ms" for n in cmds) + "\n")
        for q in queries:
            cells = (f"{statistics.median(wall[n][q]):.2f}\t{statistics.median(cpu[n][q]):.2f}" for n in cmds)
            out.write(q + "\t" + "\t".join(cells) + "\n")
    return {
        name: Latency(
            [statistics.median(wall[name][q]) for q in queries],
            [statistics.median(cpu[name][q]) for q in queries],
        )
        for name in cmds
    }


# ---------------------------------------------------------------------------------------------
# Report.


class Report:
    """The printed table: one row per measure, with the issue's target and a verdict."""

    HEAD = ("measure", "afsearch", "baseline", "ratio", "target", "")

    def __init__(self):
        self.rows: list[tuple[str, ...]] = []

    def add(
        self,
        what: str,
        value: str = "",
        baseline: str = "",
        ratio: str = "",
        target: str = "",
        ok: bool | None = None,
    ):
        verdict = "" if ok is None else ("PASS" if ok else "FAIL")
        self.rows.append((what, value, baseline, ratio, target, verdict))

    def section(self, title: str):
        self.rows.append((f"**{title}**", "", "", "", "", ""))

    def print(self):
        widths = [max(len(r[i]) for r in self.rows + [self.HEAD]) for i in range(len(self.HEAD))]
        line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"
        print(line(self.HEAD))
        print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        for r in self.rows:
            print(line(r))


def add_latency(report: Report, title: str, lat: dict, baselines: list) -> None:
    """A one-shot section: afsearch's row, then one row per baseline `(tool, label, target,
    check)`; `check(afsearch median, baseline median)` gives the verdict (None: information).
    A target in "× faster" is shown as the baseline's time over afsearch's, others the reverse."""
    report.section(f"{title}; ms: median / p90 (CPU median))")
    a = lat["afsearch"]
    report.add("afsearch, top 10 with excerpts", a.cell())
    for tool, label, target, check in baselines:
        if tool not in lat:
            continue
        b = lat[tool]
        ratio = f"{b.median / a.median:.1f}× faster" if "faster" in target else f"{a.median / b.median:.2f}×"
        ok = None if check is None else check(a.median, b.median)
        report.add(label, "", b.cell(), ratio, target, ok)


def fmt_build(r: Build) -> str:
    return f"{r.median('wall'):.1f} s wall, {r.median('cpu'):.1f} s CPU, {r.median('rss_mb'):.0f} MB"


def machine() -> str:
    mem = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    cpu = platform.processor() or "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"nproc {os.cpu_count()}, {mem} RAM, {cpu}, {platform.system()} {platform.release()}"


def load() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "_fts5_build":
        fts5_build(sys.argv[2], sys.argv[3])
        return 0
    if len(sys.argv) > 1 and sys.argv[1] == "_fts5_query":
        fts5_query(sys.argv[2], sys.argv[3])
        return 0

    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--afsearch",
        default=str(REPO / "target" / "release" / "afsearch"),
        help="afsearch binary [target/release/afsearch]",
    )
    ap.add_argument("--slice", type=Path, default=SCALE / SLICE_NAME, help="WikiExtractor slice (.gz)")
    ap.add_argument(
        "--queries", type=Path, default=SCALE / "queries-60.txt", help="queries for the slice, one per line"
    )
    ap.add_argument("--corpus", type=Path, default=REPO / "corpus", help="the small corpus [corpus/]")
    ap.add_argument(
        "--articles", type=int, default=0, help="use only the first N articles of the slice (0: all) [0]"
    )
    ap.add_argument("--reps", type=int, default=5, help="timed repetitions of each one-shot query [5]")
    ap.add_argument("--build-reps", type=int, default=3, help="builds per tool; the median is reported [3]")
    ap.add_argument("--threads", type=int, default=2, help="tantivy-cli indexing threads (-t) [2]")
    ap.add_argument(
        "--memory", type=int, default=256, help="afsearch --memory budget (MB) for the peak-RSS runs [256]"
    )
    ap.add_argument(
        "--work", type=Path, default=REPO / "target" / "compare", help="scratch directory [target/compare]"
    )
    ap.add_argument(
        "--tools",
        type=Path,
        default=REPO / "target" / "tools",
        help="where missing tools are installed [target/tools]",
    )
    ap.add_argument(
        "--no-install", action="store_true", help="skip tools that are missing instead of installing them"
    )
    ap.add_argument("--skip-slice", action="store_true", help="only the corpus/ comparison")
    ap.add_argument(
        "--skip-memory",
        action="store_true",
        help="skip the --memory runs on the slice and the slice twice over",
    )
    args = ap.parse_args()

    afs = str(Path(args.afsearch).resolve())
    if not os.access(afs, os.X_OK):
        raise SystemExit(f"no afsearch binary at {afs}; run `cargo build --release` or pass --afsearch")
    args.work.mkdir(parents=True, exist_ok=True)
    tantivy = find_or_install("tantivy", "tantivy-cli", args.tools, not args.no_install)
    rg = find_or_install("rg", "ripgrep", args.tools, not args.no_install)
    fts5 = fts5_available()
    notes = []
    if not tantivy:
        notes.append("tantivy-cli is missing: its rows are skipped")
    if not rg:
        notes.append("rg is missing: its rows are skipped")
    if not fts5:
        notes.append("Python's sqlite3 has no FTS5: the FTS5 rows are skipped")
    elif not shutil.which("sqlite3"):
        notes.append(
            "no sqlite3 shell: the FTS5 one-shot query runs in a Python process (interpreter start-up included)"
        )

    start_load = load()
    print(f"machine: {machine()}")
    print(f"load average at start: {start_load}")
    print(f"afsearch: {afs} ({tool_version([afs, '--version'])})")
    if tantivy:
        print(f"tantivy-cli: {tantivy} ({tool_version([tantivy, '--version'])})")
    if rg:
        print(f"rg: {rg} ({tool_version([rg, '--version'])})")
    print(
        f"SQLite {sqlite3.sqlite_version} (FTS5 {'yes' if fts5 else 'no'}); Python {platform.python_version()}"
    )
    floor = statistics.median(run(["true"], stdout=subprocess.PIPE).wall * 1000 for _ in range(20))
    print(f"spawn floor (`true`, same timing path): {floor:.2f} ms", flush=True)

    report = Report()

    # --- corpus/ --------------------------------------------------------------------------------
    print("\n== corpus/ ==", flush=True)
    corpus = prepare_corpus(args.corpus, args.work)
    cwork = args.work / "corpus"
    build, acorpus, aindex = afsearch_build(afs, corpus, cwork, 1)
    tools = {"afsearch": (afs, acorpus, aindex)}
    if fts5:
        _, db = fts5_build_runs(corpus, cwork, 1)
        tools["fts5"] = db
    if rg:
        tools["rg"] = rg
    reps = max(args.reps, 5) * 2  # five queries only: more repetitions for a stable median
    lat = one_shot(query_commands(tools, corpus, cwork), corpus.queries, reps, cwork / "latency.tsv")
    add_latency(
        report,
        f"corpus/ one-shot query ({len(corpus.queries)} queries × {reps}",
        lat,
        [
            ("FTS5", "vs FTS5 one-shot", "≤ 1.2×", lambda a, b: a <= 1.2 * b),
            ("rg", "vs rg -i -w -c (recursive over corpus/)", "< 1×", lambda a, b: a < b),
        ],
    )

    # --- the slice ------------------------------------------------------------------------------
    if not args.skip_slice:
        if not args.slice.exists():
            print(f"\nno slice at {args.slice}: only corpus/ was compared")
        else:
            print("\n== slice ==", flush=True)
            data = prepare_slice(args.slice, args.work, args.articles)
            data.queries = [
                q.strip() for q in args.queries.read_text(encoding="utf-8").splitlines() if q.strip()
            ]
            swork = args.work / f"slice-{args.articles or 'all'}"
            print(
                f"{data.articles:,} articles, {data.paragraphs:,} paragraphs, {data.text_bytes / 1e6:.1f} MB of text; {len(data.queries)} queries",
                flush=True,
            )

            print("building: afsearch …", flush=True)
            a_build, acorpus, aindex = afsearch_build(afs, data, swork, args.build_reps)
            if a_build.note:
                notes.append(a_build.note)
            builds = {"afsearch": a_build}
            tools = {"afsearch": (afs, acorpus, aindex)}
            if tantivy:
                print("building: tantivy-cli …", flush=True)
                builds["tantivy-cli"], tindex = tantivy_build(
                    tantivy, data, swork, args.build_reps, args.threads
                )
                tools["tantivy"] = (tantivy, tindex)
            if fts5:
                print("building: FTS5 …", flush=True)
                builds["FTS5"], db = fts5_build_runs(data, swork, args.build_reps)
                tools["fts5"] = db
            if rg:
                tools["rg"] = rg

            report.section(
                f"{data.name}: build ({data.text_bytes / 1e6:.0f} MB, {data.paragraphs:,} paragraphs; median of {args.build_reps})"
            )
            aw, ac = a_build.median("wall"), a_build.median("cpu")
            report.add("afsearch index (full pipeline)", fmt_build(a_build))
            if "tantivy-cli" in builds:
                tw = builds["tantivy-cli"].median("wall")
                report.add(
                    f"wall vs tantivy-cli index -t {args.threads}",
                    "",
                    fmt_build(builds["tantivy-cli"]),
                    f"{aw / tw:.2f}×",
                    "≤ 1.3×",
                    aw <= 1.3 * tw,
                )
            report.add("cores busy (CPU / wall)", "", "", f"{ac / aw:.2f}", "≥ 1.8", ac / aw >= 1.8)
            if "FTS5" in builds:
                fw = builds["FTS5"].median("wall")
                report.add("wall vs FTS5 (one transaction)", "", fmt_build(builds["FTS5"]), f"{aw / fw:.2f}×")

            if not args.skip_memory:
                print(f"building: afsearch --memory {args.memory}, slice and slice twice over …", flush=True)
                m1, _, _ = afsearch_build(afs, data, swork, 1, memory=args.memory, tag="-mem")
                m2, _, _ = afsearch_build(afs, data, swork, 1, memory=args.memory, copies=2, tag="-mem")
                r1, r2 = m1.median("rss_mb"), m2.median("rss_mb")
                report.section(f"{data.name}: peak RSS with --memory {args.memory}")
                report.add(
                    "slice once",
                    f"{r1:.0f} MB ({m1.median('wall'):.1f} s)",
                    "",
                    f"{r1 / args.memory:.2f}× budget",
                    "≤ 1× budget",
                    r1 <= args.memory,
                )
                report.add(
                    "slice twice over",
                    f"{r2:.0f} MB ({m2.median('wall'):.1f} s)",
                    "",
                    f"{r2 / args.memory:.2f}× budget",
                    "≤ 1× budget",
                    r2 <= args.memory,
                )
                report.add(
                    "growth, twice over / once", "", "", f"{r2 / r1:.2f}×", "≤ 1.1× (bounded)", r2 <= 1.1 * r1
                )

            print(
                f"querying: {len(data.queries)} queries × {args.reps} repetitions, one process each …",
                flush=True,
            )
            lat = one_shot(query_commands(tools, data, swork), data.queries, args.reps, swork / "latency.tsv")
            add_latency(
                report,
                f"{data.name}: one-shot query ({len(data.queries)} queries × {args.reps}",
                lat,
                [
                    ("tantivy-cli", "vs tantivy-cli ranked top 10 (bench -n 1)", "≤ 1×", lambda a, b: a <= b),
                    (
                        "tantivy-cli search (all matches)",
                        "  tantivy-cli search: every match, unranked",
                        "",
                        None,
                    ),
                    ("FTS5", "vs FTS5 one-shot", "", None),
                    ("rg", "vs rg -i -w -c over the raw text", "≥ 20× faster", lambda a, b: b >= 20 * a),
                ],
            )

    end_load = load()
    print()
    report.print()
    print(f"\nload average: {start_load} at start, {end_load} at the end (nproc {os.cpu_count()})")
    if max(float(start_load.split()[0]), float(end_load.split()[0])) > 0.5 * (os.cpu_count() or 1):
        print("the machine was busy: the figures are provisional")
    print(f"spawn floor: {floor:.2f} ms per process (Python's spawn-and-wait around `true`)")
    for note in notes:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
