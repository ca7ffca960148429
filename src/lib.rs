//! afsearch is a full-text search engine for a researcher's corpus of articles.
//!
//! It splits articles (and JSON-lines records) into paragraphs, extracts the dates and entities
//! each paragraph mentions, indexes them with [Tantivy](https://docs.rs/tantivy), and answers
//! queries with BM25-ranked paragraphs and highlighted excerpts. The `afsearch` command-line
//! tool is a thin layer over this library: everything it does, a Rust program can do too.
//!
//! ```
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use afsearch::{build_index, BuildOptions, Corpus, SearchIndex, SearchRequest};
//!
//! // A corpus is a directory of `*.txt` articles and `*.jsonl` records.
//! let dir = tempfile::tempdir()?;
//! let corpus_dir = dir.path().join("corpus");
//! std::fs::create_dir(&corpus_dir)?;
//! std::fs::write(
//!     corpus_dir.join("news.jsonl"),
//!     concat!(
//!         r#"{"id": "n1", "title": "Border", "text": "The Torkham crossing was closed on 21 February 2025."}"#, "\n",
//!         r#"{"id": "n2", "title": "Trade", "text": "Transit trade through Karachi grew in 2012."}"#, "\n",
//!     ),
//! )?;
//!
//! // Build the index once...
//! let corpus = Corpus::open(&corpus_dir, None)?;
//! let index_dir = dir.path().join("index");
//! build_index(&corpus, &index_dir, &BuildOptions::default())?;
//!
//! // ...then search it as often as you like.
//! let index = SearchIndex::open(&index_dir)?;
//! let results = index.search(&SearchRequest::new("Torkham closure"))?;
//! assert_eq!(results.hits[0].id, "n1");
//! assert_eq!(results.hits[0].years, [2025]);
//! # Ok(())
//! # }
//! ```
//!
//! The modules follow the data: [`corpus`] (files → paragraphs), [`extract`] (dates, entities),
//! an index builder ([`build_index`]), [`search`] (queries → plain result types) and, with the
//! `cli` feature, [`render`] (terminal and JSON printers).

#![warn(missing_docs)]

pub mod corpus;
mod error;
pub mod extract;
mod index;
#[cfg(feature = "cli")]
pub mod render;
pub mod search;

pub use corpus::{Corpus, Paragraph, Record, Warning};
pub use error::{EngineError, Error, Result};
pub use extract::date::PartialDate;
pub use extract::entity::EntityKind;
pub use index::{
    build as build_index, freshness, freshness_of, update as update_index, BuildOptions,
    BuildProgress, BuildReport, FileEntry, Freshness, IndexInfo, SegmentFile, UpdateSummary,
    DEFAULT_MEMORY_MB,
};
pub use search::facets::{EntityCount, Facets};
pub use search::snippet::Excerpt;
pub use search::typo::Correction;
pub use search::{
    EntityListing, EntityTag, Hit, SearchIndex, SearchRequest, SearchResults, SortOrder,
};
