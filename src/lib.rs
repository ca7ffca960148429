//! afsearch is a full-text search engine for a researcher's corpus of articles.
//!
//! This first layer reads a corpus into paragraphs and extracts the dates and entities each
//! paragraph mentions; indexing and search build on it.

#![warn(missing_docs)]

pub mod corpus;
mod error;
pub mod extract;

pub use corpus::{Corpus, Paragraph, Warning};
pub use error::{EngineError, Error, Result};
