//! Turns a [`SearchRequest`] into a Tantivy query: the user's text, parsed leniently with its
//! typos corrected (see `typo`), AND the filters (years, date range, entities).
//!
//! Leniency is deliberate: a search box must accept anything a person types or pastes, so parse
//! problems become notes shown next to the results, never failures. Field names and encodings
//! come from `index::schema` and `index::doc`.
//!
//! Tantivy's parser writes plain words as a union per word of one term query per field. When a
//! query is nothing but such unions and has no filter, it is also handed over flat, as its
//! weighted terms ([`BuiltQuery::union`]), the shape `topk` can rank without scoring every match.

use super::syntax::normalize_with;
use super::terms::Terms;
use super::topk::union_query;
use super::typo::{Speller, Spelling};
use super::SearchRequest;
use crate::error::{Error, Result};
use crate::extract::date::PartialDate;
use crate::extract::entity::{lookup_key, Gazetteer};
use crate::index::doc::entity_kind_range;
use crate::index::schema::{self, english_analyzer, Fields};
use std::collections::HashSet;
use std::ops::Bound;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, InvertedIndexRangeQuery, Occur, Query, QueryParser,
    QueryParserError, RangeQuery, TermQuery,
};
use tantivy::query_grammar::{self, UserInputAst, UserInputLeaf};
use tantivy::schema::{Field, Term};
use tantivy::{Index, Score};

/// A query ready to run, with what the highlighter needs and what the user should be told.
pub(crate) struct BuiltQuery {
    pub query: Box<dyn Query>,
    /// When `query` is a union of single terms (plain words, `field:word`, `OR`) and nothing
    /// else: those terms with their field boosts, in clause order. `query` is then exactly the
    /// [`union_query`] of them.
    pub union: Option<Vec<(Term, Score)>>,
    /// Analyzed terms of the `body` field (title and text), for highlighting the text.
    pub text_terms: HashSet<String>,
    /// Remarks about how the query was read.
    pub notes: Vec<String>,
    /// Words that matched nothing: corrected, or missing.
    pub spelling: Spelling,
}

/// What the text of a query became.
struct TextQuery {
    query: Box<dyn Query>,
    union: Option<Vec<(Term, Score)>>,
    notes: Vec<String>,
    spelling: Spelling,
}

/// Field weights: a word in a heading says more about a paragraph than one in its text.
/// Tantivy adds up one BM25 score per field, and `body` already scores the title's words with
/// the text's, so the title field only adds a bonus: 0.25 measured best among 0–0.75 (with
/// `body` instead of the text alone: SciFact train nDCG@10 +0.010, Cranfield +0.013; see
/// benches/README.md "Ranking quality", third round).
const TITLE_BOOST: f32 = 0.25;
const SECTION_BOOST: f32 = 1.0;
const ENTITY_BOOST: f32 = 0.5;

/// `text:word` searches `body`: the paragraph text is stored in `text` but indexed, with its
/// title, in `body` (see `index::schema`). Other fields keep their names.
fn search_text_in_body(ast: UserInputAst) -> UserInputAst {
    match ast {
        UserInputAst::Clause(clauses) => UserInputAst::Clause(
            clauses
                .into_iter()
                .map(|(occur, clause)| (occur, search_text_in_body(clause)))
                .collect(),
        ),
        UserInputAst::Boost(inner, boost) => {
            UserInputAst::Boost(Box::new(search_text_in_body(*inner)), boost)
        }
        UserInputAst::Leaf(leaf) => UserInputAst::Leaf(Box::new(match *leaf {
            UserInputLeaf::Literal(mut literal) => {
                if literal.field_name.as_deref() == Some(schema::TEXT) {
                    literal.field_name = Some(schema::BODY.to_string());
                }
                UserInputLeaf::Literal(literal)
            }
            other => other,
        })),
    }
}

fn field_boost(fields: &Fields, field: Field) -> Score {
    if field == fields.title {
        TITLE_BOOST
    } else if field == fields.section {
        SECTION_BOOST
    } else if field == fields.entity_names {
        ENTITY_BOOST
    } else {
        1.0
    }
}

/// Collects the terms of `query` if it is only term queries under any depth of unions (boolean
/// queries of SHOULD clauses, one of which must match); false for anything else.
fn union_terms(query: &dyn Query, terms: &mut Vec<Term>) -> bool {
    if let Some(term) = query.downcast_ref::<TermQuery>() {
        terms.push(term.term().clone());
        return true;
    }
    let Some(boolean) = query.downcast_ref::<BooleanQuery>() else {
        return false;
    };
    boolean.get_minimum_number_should_match() <= 1
        && boolean
            .clauses()
            .iter()
            .all(|(occur, clause)| *occur == Occur::Should && union_terms(clause.as_ref(), terms))
}

/// Parses the user's `text`. With the search's `terms`, words that match nothing are found, and
/// corrected when `correct` is set.
fn text_query(
    index: &Index,
    fields: &Fields,
    text: &str,
    terms: Option<&Terms<'_>>,
    correct: bool,
) -> Result<TextQuery> {
    let searched = vec![
        fields.title,
        fields.section,
        fields.body,
        fields.entity_names,
    ];
    let names = [
        schema::TITLE,
        schema::SECTION,
        schema::TEXT,
        schema::ENTITY_NAMES,
    ];
    let mut speller = terms.map(|terms| {
        // The corrected word is shown as the paragraph text writes it, else a heading.
        let stored = vec![
            (fields.body, fields.text),
            (fields.title, fields.title),
            (fields.section, fields.section),
        ];
        Speller::new(terms, searched.clone(), stored, english_analyzer(), correct)
    });
    let normalized = normalize_with(text, &names, |word| match speller.as_mut() {
        Some(speller) => speller.rewrite(word),
        None => Ok(None),
    })?;
    let spelling = speller.map(Speller::into_spelling).unwrap_or_default();
    if normalized.query.is_empty() {
        return Err(Error::Query(format!(
            "{text:?} has no words to search for; use letters or digits"
        )));
    }
    // Parsed without field boosts first: boosts hide the term queries from `union_terms`, and
    // a union of terms gets its boosts back per field, as the parser would have set them.
    let mut parser = QueryParser::for_index(index, searched);
    // `QueryParser::parse_query_lenient` in two steps, to point `text:` at `body` in between.
    let (ast, syntax_errors) = query_grammar::parse_query_lenient(&normalized.query);
    let ast = search_text_in_body(ast);
    let (plain, errors) = parser.build_query_from_user_input_ast_lenient(ast.clone());
    let syntax_errors = syntax_errors.into_iter().map(|err| {
        QueryParserError::SyntaxError(format!("{} at position {}", err.message, err.pos))
    });
    let mut terms = Vec::new();
    let (query, union): (Box<dyn Query>, _) = if union_terms(plain.as_ref(), &mut terms) {
        let weighted: Vec<(Term, Score)> = terms
            .into_iter()
            .map(|term| {
                let boost = field_boost(fields, term.field());
                (term, boost)
            })
            .collect();
        (Box::new(union_query(&weighted)), Some(weighted))
    } else {
        parser.set_field_boost(fields.title, TITLE_BOOST);
        parser.set_field_boost(fields.section, SECTION_BOOST);
        parser.set_field_boost(fields.entity_names, ENTITY_BOOST);
        (parser.build_query_from_user_input_ast_lenient(ast).0, None)
    };
    let mut notes = normalized.notes;
    notes.extend(
        syntax_errors
            .chain(errors)
            .map(|err| format!("part of the query was ignored: {err}")),
    );
    Ok(TextQuery {
        query,
        union,
        notes,
        spelling,
    })
}

fn i64_bounds(field: Field, low: Option<i64>, high: Option<i64>) -> (Bound<Term>, Bound<Term>) {
    let bound = |v: Option<i64>| match v {
        Some(v) => Bound::Included(Term::from_field_i64(field, v)),
        None => Bound::Unbounded,
    };
    (bound(low), bound(high))
}

/// Paragraphs with a value of the columnar `field` in `[low, high]` (Tantivy reads the column).
fn i64_range(field: Field, low: Option<i64>, high: Option<i64>) -> Box<dyn Query> {
    let (low, high) = i64_bounds(field, low, high);
    Box::new(RangeQuery::new(low, high))
}

/// Paragraphs covering a year in `[low, high]`, read from the term dictionary: `years` is
/// indexed as well as columnar because reading the postings of the few years a filter spans
/// costs less than scanning the column (`--year 2000..2010` over the 60 queries of the Wikipedia
/// slice: a quarter less time in all).
fn years_range(field: Field, low: i64, high: i64) -> Box<dyn Query> {
    let (low, high) = i64_bounds(field, Some(low), Some(high));
    Box::new(InvertedIndexRangeQuery::new(low, high))
}

fn month_key(date: PartialDate, last: bool) -> i64 {
    let month = date.month.unwrap_or(if last { 12 } else { 1 });
    i64::from(date.year) * 100 + i64::from(month)
}

fn day_key(date: PartialDate, last: bool) -> i64 {
    let day = date.day.unwrap_or(if last { 31 } else { 1 });
    month_key(date, last) * 100 + i64::from(day)
}

/// Paragraphs mentioning any date that overlaps `[since, until]`. Mentions are indexed by what
/// they cover at their own precision, years, months or days (see `index::doc`), so overlap is
/// three range queries.
fn date_range_query(
    fields: &Fields,
    since: Option<PartialDate>,
    until: Option<PartialDate>,
) -> Box<dyn Query> {
    let months = i64_range(
        fields.months,
        since.map(|d| month_key(d, false)),
        until.map(|d| month_key(d, true)),
    );
    let days = i64_range(
        fields.days,
        since.map(|d| day_key(d, false)),
        until.map(|d| day_key(d, true)),
    );
    let years = i64_range(
        fields.year_spans,
        since.map(|d| i64::from(d.year)),
        until.map(|d| i64::from(d.year)),
    );
    Box::new(BooleanQuery::new(vec![
        (Occur::Should, years),
        (Occur::Should, months),
        (Occur::Should, days),
    ]))
}

/// A filter matches or not; it must not add to the relevance score.
fn filter(query: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

/// Paragraphs naming the entity, by canonical name or any alias, in any letter case.
fn entity_query(fields: &Fields, name: &str) -> Box<dyn Query> {
    let key = match Gazetteer::builtin().resolve(name) {
        Some(entry) => lookup_key(&entry.name),
        None => lookup_key(name),
    };
    // `entity_key` is a column, not an inverted index: a one-value range reads it.
    let term = Term::from_field_text(fields.entity_key, &key);
    Box::new(RangeQuery::new(
        Bound::Included(term.clone()),
        Bound::Included(term),
    ))
}

/// Builds the query for `request`. `terms` holds the search's term look-ups, to find the words
/// that match nothing and correct them (unless [`SearchRequest::exact`]); with `None`, the
/// words are searched as typed and nothing is reported about them.
pub(crate) fn build(
    index: &Index,
    fields: &Fields,
    request: &SearchRequest,
    terms: Option<&Terms<'_>>,
) -> Result<BuiltQuery> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    let mut notes = Vec::new();
    let mut spelling = Spelling::default();
    let mut text_terms = HashSet::new();
    let mut union = None;
    if !request.query.trim().is_empty() {
        let text = text_query(index, fields, &request.query, terms, !request.exact)?;
        let query = text.query;
        union = text.union;
        notes.extend(text.notes);
        spelling = text.spelling;
        query.query_terms(&mut |term, _| {
            if term.field() == fields.body {
                if let Some(text) = term.value().as_str() {
                    text_terms.insert(text.to_string());
                }
            }
        });
        clauses.push((Occur::Must, query));
    }
    if let Some((low, high)) = request.years {
        clauses.push(filter(years_range(fields.years, low.into(), high.into())));
    }
    if request.since.is_some() || request.until.is_some() {
        clauses.push(filter(date_range_query(
            fields,
            request.since,
            request.until,
        )));
    }
    for name in &request.entities {
        clauses.push(filter(entity_query(fields, name)));
    }
    if let Some(kind) = request.entity_kind {
        let (first, past) = entity_kind_range(kind);
        clauses.push(filter(Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_text(fields.entity, &first)),
            Bound::Excluded(Term::from_field_text(fields.entity, &past)),
        ))));
    }
    if clauses.len() > 1 {
        // Filtered: the query is no longer a plain union.
        union = None;
    }
    let query: Box<dyn Query> = match clauses.len() {
        0 => Box::new(AllQuery),
        1 => clauses
            .pop()
            .map_or_else(|| Box::new(AllQuery) as Box<dyn Query>, |(_, q)| q),
        _ => Box::new(BooleanQuery::new(clauses)),
    };
    Ok(BuiltQuery {
        query,
        union,
        text_terms,
        notes,
        spelling,
    })
}

#[cfg(test)]
mod tests {
    use crate::{Record, SearchIndex, SearchRequest};

    #[test]
    fn text_prefix_searches_the_indexed_body() {
        let index = SearchIndex::from_records([
            Record::new("a", "Border", "The Torkham crossing closed."),
            Record::new("b", "Trade", "Transit trade grew."),
        ])
        .unwrap();
        let results = index.search(&SearchRequest::new("text:Torkham")).unwrap();
        assert!(results.notes.is_empty(), "{:?}", results.notes);
        let ids: Vec<&str> = results.hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["a"]);
        // Highlighted in the stored text, as before.
        assert!(results.hits[0].excerpt.text.contains("Torkham"));
        assert!(!results.hits[0].excerpt.highlights.is_empty());
        // `body` holds the title too: "Border" is only a title.
        let results = index.search(&SearchRequest::new("text:border")).unwrap();
        assert_eq!(results.hits.len(), 1);
        assert_eq!(results.hits[0].id, "a");
    }
}
