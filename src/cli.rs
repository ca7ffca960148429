//! The shape of the command line: clap definitions and nothing else.
//!
//! These types say what the user typed; `main.rs` turns them into library requests. The
//! library never sees them, and nothing here touches the index.

use afsearch::EntityKind;
use clap::error::ErrorKind;
use clap::parser::ValueSource;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;
use std::path::PathBuf;

const EXAMPLES: &str = "\
Examples:
  afsearch \"Torkham closure\"             ranked paragraphs, matches highlighted
  afsearch --year 2025 Torkham            only paragraphs about 2025
  afsearch --facets Torkham               ...and how the topic spreads over the years
  afsearch --since 2023 --sort date TTP   a timeline
  afsearch --entity TTP airstrikes        paragraphs naming the TTP (any spelling)
  afsearch entities --type person         who the corpus is about
  afsearch -n 3 --json Durand Line        top 3 as JSON lines
  afsearch 'Taliban -Karzai'              exclude a word
  afsearch index --corpus ~/articles      (re)build the index from another corpus";

const LONG_ABOUT: &str = "\
Full-text search over a corpus of articles: ranks the paragraphs that answer a query (BM25) and \
highlights the matches.

The index is built from the corpus on first use and rebuilt when the corpus changes.";

const QUERY_HELP: &str = "\
Query syntax:
  word word        paragraphs with any of the words, best matches first
  \"a phrase\"       the words in this order
  +word  -word     the word must / must not appear
  a AND b, a OR b, NOT a
  field:word       search one field: title, section, text, entities (the names and
                   aliases of the gazetteer's entities; --entity filters by any listed name)
Words are matched by their stem, ignoring case and accents: `closure` finds \"closures\".
A word that matches nothing is corrected to the closest word of the corpus (`Torkam` finds
\"Torkham\"); --exact turns this off.

Exit status: 0 if something matched, 1 if nothing did, 2 on an error.";

/// Command-line arguments of afsearch.
#[derive(Debug, Parser)]
#[command(
    name = "afsearch",
    version,
    about = "Search a corpus of articles: ranked paragraphs with highlighted matches.",
    long_about = LONG_ABOUT,
    after_help = EXAMPLES,
    after_long_help = format!("{QUERY_HELP}\n\n{EXAMPLES}")
)]
pub struct Cli {
    /// What to do; searching is the default.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Search arguments (when no subcommand is given).
    #[command(flatten)]
    pub search: SearchArgs,
}

impl Cli {
    /// The process's command line, parsed with [`Cli::try_parse_checked_from`]; on an error
    /// (or `--help`, `--version`) prints it and exits as clap does, with status 2 for errors.
    pub fn parse_checked() -> Cli {
        Cli::try_parse_checked_from(std::env::args_os()).unwrap_or_else(|err| err.exit())
    }

    /// Parses `args` (the program name first), with one rule clap has no setting for: a
    /// search option written before a subcommand (`afsearch -n 5 entities`) is an error, not
    /// silently dropped. The options every command takes (`--index`, `--corpus`, `--follow`)
    /// may come first: `afsearch --index /tmp/x stats` runs `stats` on that index. A word
    /// after the query's first word, or after `--`, is always part of the query
    /// (`afsearch Durand index`, `afsearch -- stats`).
    pub fn try_parse_checked_from<I, T>(args: I) -> Result<Cli, clap::Error>
    where
        I: IntoIterator<Item = T>,
        T: Into<OsString> + Clone,
    {
        let mut command = Cli::command();
        let matches = command.try_get_matches_from_mut(args)?;
        if let Some((name, _)) = matches.subcommand() {
            let takes = |id: &clap::Id| {
                command
                    .find_subcommand(name)
                    .is_some_and(|sub| sub.get_arguments().any(|arg| arg.get_id() == id))
            };
            // Only options: a query word ends the search for a subcommand name.
            let (mut moved, mut foreign) = (Vec::new(), Vec::new());
            for arg in command.get_arguments().filter(|arg| !arg.is_global_set()) {
                if matches.value_source(arg.get_id().as_str()) != Some(ValueSource::CommandLine) {
                    continue;
                }
                let long = arg.get_long().map(|long| format!("--{long}"));
                let Some(spelling) = long.or_else(|| arg.get_short().map(|c| format!("-{c}")))
                else {
                    continue;
                };
                if takes(arg.get_id()) {
                    moved.push(spelling);
                } else {
                    foreign.push(spelling);
                }
            }
            let problem = match (foreign.is_empty(), moved.is_empty()) {
                (true, true) => None,
                (true, false) => Some(format!(
                    "{} must come after the subcommand: afsearch {name} [OPTIONS]",
                    moved.join(", "),
                )),
                (false, _) => Some(format!(
                    "{} {} a search option; `afsearch {name}` does not take {}",
                    foreign.join(", "),
                    if foreign.len() == 1 { "is" } else { "are" },
                    if foreign.len() == 1 { "it" } else { "them" },
                )),
            };
            if let Some(problem) = problem {
                let message = format!(
                    "{problem}\n\n  tip: to search for the word \"{name}\": afsearch -- {name}"
                );
                return Err(command.error(ErrorKind::ArgumentConflict, message));
            }
        }
        Cli::from_arg_matches(&matches).map_err(|err| err.format(&mut command))
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build (or rebuild) the index from the corpus.
    Index(IndexArgs),
    /// List the entities the corpus (or the paragraphs matching QUERY) names, most frequent first.
    Entities(EntitiesArgs),
    /// Show what the index holds: articles, paragraphs, years, top entities, size, provenance.
    Stats(StatsArgs),
    /// Print a shell completion script (e.g. `afsearch completions bash > ~/.local/share/bash-completion/completions/afsearch`).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (e.g. `afsearch man > afsearch.1`).
    Man,
}

/// Arguments of `afsearch stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Print the statistics as one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub location: Location,
}

/// Arguments of `afsearch entities`.
#[derive(Debug, Args)]
pub struct EntitiesArgs {
    /// Only count paragraphs matching this query.
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    /// Number of entities to list.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 30)]
    pub limit: usize,
    /// Print one JSON object per entity per line.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub filters: FilterArgs,
    #[command(flatten)]
    pub location: Location,
}

/// Where the corpus and the index live.
#[derive(Debug, Args, Clone)]
pub struct Location {
    /// Index directory [default: index, or $AFSEARCH_INDEX].
    #[arg(long, value_name = "DIR", env = "AFSEARCH_INDEX", global = true)]
    pub index: Option<PathBuf>,
    /// Corpus directory [default: the one the index was built from, else corpus].
    #[arg(long, value_name = "DIR", env = "AFSEARCH_CORPUS", global = true)]
    pub corpus: Option<PathBuf>,
    /// Also follow symbolic links that lead out of the corpus directory.
    #[arg(long, global = true)]
    pub follow: bool,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ColorWhen {
    /// Colour when printing to a terminal and NO_COLOR is not set.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Filters shared by searching and listing entities.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Filters")]
pub struct FilterArgs {
    /// Only paragraphs covering a year: 2025, or a range 2023..2025.
    #[arg(long, value_name = "YEARS")]
    pub year: Option<String>,
    /// Only paragraphs mentioning a date on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only paragraphs mentioning a date on or before DATE (inclusive: 2024-06 means to the end of June).
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only paragraphs naming this entity, by any of its names (repeat to require several).
    #[arg(long, value_name = "NAME")]
    pub entity: Vec<String>,
    /// Only paragraphs naming an entity of this type: person, organisation, place, event.
    #[arg(long = "entity-type", visible_alias = "type", value_name = "TYPE", value_parser = parse_kind)]
    pub entity_type: Option<EntityKind>,
}

fn parse_kind(value: &str) -> Result<EntityKind, String> {
    EntityKind::parse(&value.to_ascii_lowercase())
        .ok_or_else(|| "expected person, organisation, place, event or other".to_string())
}

/// Orders for `--sort`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum SortBy {
    /// Most relevant first.
    #[default]
    Score,
    /// Earliest date mentioned first: a timeline.
    Date,
}

/// Arguments of a search.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query (several words are joined with spaces).
    #[arg(value_name = "QUERY")]
    pub query: Vec<String>,
    /// Number of hits to show.
    #[arg(short = 'n', long, value_name = "N", default_value_t = 10)]
    pub limit: usize,
    /// Skip this many hits first.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub offset: usize,
    /// Print one JSON object per hit per line.
    #[arg(long)]
    pub json: bool,
    /// When to use colour.
    #[arg(long, value_name = "WHEN", value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// Wrap excerpts to this width [default: the terminal's; no wrapping in pipes].
    #[arg(long, value_name = "COLUMNS")]
    pub width: Option<usize>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Order hits by relevance, or chronologically by the earliest date they mention.
    #[arg(long, value_name = "ORDER", value_enum, default_value_t = SortBy::Score)]
    pub sort: SortBy,
    /// Also show how many matching paragraphs cover each year and name each entity.
    #[arg(long)]
    pub facets: bool,
    /// Search the words exactly as typed: do not correct a word that matches nothing.
    #[arg(
        long,
        long_help = "Search the words exactly as typed. Without --exact, a plain word of 5 or more \
                     letters that matches nothing in the index is searched as the closest word \
                     that does (one letter off, two for words of 9 or more letters; swapping two \
                     letters counts as one, a wrong first letter as two), and afsearch says so on stderr: showing results for \
                     \"Torkham\" (no match for \"Torkam\"). Quoted phrases, field:word and \
                     excluded words are never corrected."
    )]
    pub exact: bool,
    #[command(flatten)]
    pub location: Location,
}

/// Arguments of `afsearch index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Rebuild even if the index is up to date.
    #[arg(long)]
    pub rebuild: bool,
    /// Threads for extraction and indexing [default: all cores].
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Memory budget of the build in MB (at least 48 + 20 per thread): peak memory stays within
    /// it whatever the corpus size.
    #[arg(long, value_name = "MB", default_value_t = afsearch::DEFAULT_MEMORY_MB)]
    pub memory: usize,
    #[command(flatten)]
    pub location: Location,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn query_words_and_subcommand() {
        let cli = Cli::try_parse_from(["afsearch", "Torkham", "closure"]).expect("parse");
        assert_eq!(cli.search.query, ["Torkham", "closure"]);
        assert!(cli.command.is_none());
        let cli = Cli::try_parse_from(["afsearch", "index", "--rebuild"]).expect("parse");
        assert!(matches!(
            cli.command,
            Some(Command::Index(IndexArgs { rebuild: true, .. }))
        ));
        let cli = Cli::try_parse_from(["afsearch", "--", "index"]).expect("parse");
        assert_eq!(cli.search.query, ["index"]);
        let cli = Cli::try_parse_from(["afsearch", "--exact", "Torkam"]).expect("parse");
        assert!(cli.search.exact);
        assert!(
            !Cli::try_parse_from(["afsearch", "Torkam"])
                .expect("parse")
                .search
                .exact
        );
        let cli = Cli::try_parse_from(["afsearch", "-n5", "--", "-minus"]).expect("parse");
        assert_eq!(
            (cli.search.limit, cli.search.query),
            (5, vec!["-minus".to_string()])
        );
    }

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_checked_from(std::iter::once("afsearch").chain(args.iter().copied()))
    }

    #[test]
    fn options_every_command_takes_may_precede_a_subcommand() {
        let cli = parse(&["--index", "/tmp/x", "stats"]).expect("parse");
        let Some(Command::Stats(stats)) = cli.command else {
            panic!("not stats: {cli:?}");
        };
        assert_eq!(stats.location.index, Some(PathBuf::from("/tmp/x")));
        let cli = parse(&["--corpus", "c", "--follow", "entities", "-n", "2"]).expect("parse");
        let Some(Command::Entities(entities)) = cli.command else {
            panic!("not entities: {cli:?}");
        };
        assert_eq!(entities.location.corpus, Some(PathBuf::from("c")));
        assert!(entities.location.follow);
        assert_eq!(entities.limit, 2);
    }

    #[test]
    fn search_options_before_a_subcommand_are_an_error() {
        for (args, says) in [
            (
                &["-n", "5", "entities"][..],
                "--limit must come after the subcommand",
            ),
            (
                &["--json", "-n", "5", "entities"][..],
                "--limit, --json must come after",
            ),
            (
                &["--year", "2025", "stats"][..],
                "--year is a search option",
            ),
            (
                &["--index", "i", "--facets", "index"][..],
                "--facets is a search option",
            ),
        ] {
            let err = parse(args).expect_err("misplaced option");
            assert_eq!(err.kind(), ErrorKind::ArgumentConflict, "{args:?}");
            let text = err.to_string();
            assert!(text.contains(says), "{args:?}: {text}");
            assert!(text.contains("afsearch -- "), "{args:?}: {text}");
        }
    }

    #[test]
    fn a_subcommand_name_inside_a_query_is_a_query_word() {
        for (args, query) in [
            (&["Durand", "index"][..], &["Durand", "index"][..]),
            (&["--", "stats"][..], &["stats"][..]),
            (&["-n", "1", "--", "entities"][..], &["entities"][..]),
        ] {
            let cli = parse(args).expect("parse");
            assert!(cli.command.is_none(), "{args:?}");
            assert_eq!(cli.search.query, query, "{args:?}");
        }
    }
}
