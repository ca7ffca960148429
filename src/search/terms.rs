//! The query's terms as the index holds them: looked up once per search, scored exactly.
//!
//! Every stage of a ranked search needs the same term dictionary entries: the typo check asks
//! whether a word occurs, BM25 needs each term's document frequency, and the exact scores, the
//! match count and the feedback words read postings. A look-up costs about half a microsecond
//! per term and segment, more than scoring a short query, so [`Terms`] does each one once and
//! keeps the answer for the rest of the search. (Tantivy's own term scorers, which block-max WAND
//! needs, still look their term up once more.)
//!
//! [`Terms`] is also the search's BM25 statistics: document frequencies from those entries, and
//! the token totals the index recorded at build time (`index::token_totals`), so that scores do
//! not depend on how the index's segments came to be.

use crate::index::IndexInfo;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings, TermInfo};
use tantivy::query::{Bm25StatisticsProvider, Bm25Weight};
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader};

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

    /// The BM25 weight of `term` with `boost`: what Tantivy's term query computes with these
    /// statistics, so that [`Exact`] scores equal its scorer's.
    pub(crate) fn weight(&self, term: &Term, boost: Score) -> tantivy::Result<Bm25Weight> {
        Ok(Bm25Weight::for_terms(self, std::slice::from_ref(term))?.boost_by(boost))
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

/// One term's postings in one segment, scored as Tantivy's `TermScorer` scores them.
pub(crate) struct Exact {
    postings: SegmentPostings,
    fieldnorms: FieldNormReader,
    weight: Bm25Weight,
}

impl Exact {
    /// The postings of the term with `entry` in `reader`, scored with `weight`.
    pub(crate) fn open(
        reader: &SegmentReader,
        field: Field,
        entry: &TermInfo,
        weight: &Bm25Weight,
    ) -> tantivy::Result<Exact> {
        let postings = reader
            .inverted_index(field)?
            .read_postings_from_terminfo(entry, IndexRecordOption::WithFreqs)?;
        let fieldnorms = match reader.fieldnorms_readers().get_field(field)? {
            Some(fieldnorms) => fieldnorms,
            None => FieldNormReader::constant(reader.max_doc(), 1),
        };
        Ok(Exact {
            postings,
            fieldnorms,
            weight: weight.clone(),
        })
    }

    /// The term's score in `doc`, or `None` if `doc` lacks it. Documents must be asked for in
    /// increasing order.
    pub(crate) fn score(&mut self, doc: DocId) -> Option<Score> {
        if self.postings.doc() < doc {
            self.postings.seek(doc);
        }
        (self.postings.doc() == doc).then(|| {
            self.weight
                .score(self.fieldnorms.fieldnorm_id(doc), self.postings.term_freq())
        })
    }
}

/// Weighted terms, ready to be scored exactly in any segment.
pub(crate) struct WeightedTerms {
    terms: Vec<(Term, Entries, Bm25Weight)>,
}

impl WeightedTerms {
    /// `terms` (term, boost) with their entries and BM25 weights from `lookup`.
    pub(crate) fn new(lookup: &Terms<'_>, terms: &[(Term, Score)]) -> tantivy::Result<Self> {
        let terms = terms
            .iter()
            .map(|(term, boost)| {
                Ok((
                    term.clone(),
                    lookup.entries(term)?,
                    lookup.weight(term, *boost)?,
                ))
            })
            .collect::<tantivy::Result<_>>()?;
        Ok(WeightedTerms { terms })
    }

    /// More than the terms can add to any document's score: the sum of their scores in the
    /// shortest possible document holding each term as often as can be counted. (Tantivy's
    /// `Bm25Weight::max_score` takes the longest document, and a document about as long as
    /// its count of one term can score above it.)
    pub(crate) fn max_score(&self) -> Score {
        self.terms
            .iter()
            .map(|(_, _, weight)| weight.score(0, u32::MAX))
            .sum()
    }

    /// The terms' postings in segment `segment` (`None` where it lacks the term), in order.
    pub(crate) fn open(
        &self,
        segment: u32,
        reader: &SegmentReader,
    ) -> tantivy::Result<Vec<Option<Exact>>> {
        self.terms
            .iter()
            .map(|(term, entries, weight)| match &entries[segment as usize] {
                Some(entry) => Exact::open(reader, term.field(), entry, weight).map(Some),
                None => Ok(None),
            })
            .collect()
    }

    /// The terms' entries in segment `segment`, in order.
    pub(crate) fn entries(&self, segment: u32) -> impl Iterator<Item = (Field, &TermInfo)> {
        self.terms.iter().filter_map(move |(term, entries, _)| {
            entries[segment as usize]
                .as_ref()
                .map(|entry| (term.field(), entry))
        })
    }

    /// For each of `docs` (segment ordinal, doc id), the sum of the scores of the terms it
    /// holds, added in order from 0: the arithmetic of Tantivy's union scorer (`SumCombiner`),
    /// so the sum is the score an exhaustive search gives. Each segment's postings are opened
    /// once and only move forward, over that segment's documents in increasing order.
    pub(crate) fn sum_scores(
        &self,
        searcher: &Searcher,
        docs: &[(u32, DocId)],
    ) -> tantivy::Result<Vec<Score>> {
        let mut sums = vec![0.0; docs.len()];
        let mut by_doc: Vec<usize> = (0..docs.len()).collect();
        by_doc.sort_unstable_by_key(|&i| docs[i]);
        for run in by_doc.chunk_by(|&a, &b| docs[a].0 == docs[b].0) {
            let segment = docs[run[0]].0;
            let mut postings = self.open(segment, searcher.segment_reader(segment))?;
            for &i in run {
                let doc = docs[i].1;
                let mut sum: Score = 0.0;
                for term in postings.iter_mut().flatten() {
                    if let Some(score) = term.score(doc) {
                        sum += score;
                    }
                }
                sums[i] = sum;
            }
        }
        Ok(sums)
    }
}
