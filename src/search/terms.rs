//! The query's terms as the index holds them: looked up once per search.
//!
//! Stages of a search need the same term dictionary entries: the typo check asks whether a word
//! occurs, and BM25 needs each term's document frequency, the first search's and the feedback
//! search's. A look-up costs about half a microsecond per term and segment, more than scoring a
//! short query, so [`Terms`] does each one once and keeps the answer for the rest of the search.
//! (Tantivy's term scorers still look their term up once more.)
//!
//! [`Terms`] is also the search's BM25 statistics: document frequencies from those entries, and
//! the token totals the index recorded at build time (`index::token_totals`), so that scores do
//! not depend on how the index's segments came to be.

use crate::index::IndexInfo;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use tantivy::postings::TermInfo;
use tantivy::query::Bm25StatisticsProvider;
use tantivy::schema::{Field, Term};
use tantivy::Searcher;

/// A term's entry in each segment, in segment order (`None` where the segment lacks it).
pub(crate) type Entries = Rc<[Option<TermInfo>]>;

/// One search's term look-ups and BM25 statistics.
pub(crate) struct Terms<'s> {
    searcher: &'s Searcher,
    info: &'s IndexInfo,
    entries: RefCell<HashMap<Term, Entries>>,
}

impl<'s> Terms<'s> {
    pub(crate) fn new(searcher: &'s Searcher, info: &'s IndexInfo) -> Terms<'s> {
        Terms {
            searcher,
            info,
            entries: RefCell::new(HashMap::new()),
        }
    }

    pub(crate) fn searcher(&self) -> &'s Searcher {
        self.searcher
    }

    /// `term`'s entry in each segment.
    pub(crate) fn entries(&self, term: &Term) -> tantivy::Result<Entries> {
        if let Some(entries) = self.entries.borrow().get(term) {
            return Ok(Rc::clone(entries));
        }
        let entries = self
            .searcher
            .segment_readers()
            .iter()
            .map(|reader| Ok(reader.inverted_index(term.field())?.get_term_info(term)?))
            .collect::<tantivy::Result<Entries>>()?;
        self.entries
            .borrow_mut()
            .insert(term.clone(), Rc::clone(&entries));
        Ok(entries)
    }

    /// Whether some paragraph holds `term`.
    pub(crate) fn occurs(&self, term: &Term) -> tantivy::Result<bool> {
        Ok(self.entries(term)?.iter().any(Option::is_some))
    }
}

impl Bm25StatisticsProvider for Terms<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let name = self.searcher.schema().get_field_name(field);
        match self.info.token_totals.get(name) {
            Some(&total) => Ok(total),
            None => Bm25StatisticsProvider::total_num_tokens(self.searcher, field),
        }
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_docs(self.searcher)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        Ok(self
            .entries(term)?
            .iter()
            .flatten()
            .map(|entry| u64::from(entry.doc_freq))
            .sum())
    }
}
