//! The one place that knows the index's field names, their options and the text analyzer.
//!
//! Everything else reaches fields through [`Fields`], never by name, and calls
//! [`register_tokenizers`] on every index it creates or opens (Tantivy does not persist
//! custom tokenizers). The names double as the `field:` prefixes of the query syntax.

use super::analyzer::EnglishTokenizer;
use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST,
    INDEXED, STORED, STRING,
};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexSettings};

/// Name of the English analyzer: split on non-alphanumerics, lower-case, fold to ASCII, stem.
pub const ENGLISH: &str = "afsearch_en";

/// Field names, public because they are the `field:` prefixes users type.
pub const ID: &str = "id";
/// Source file, relative to the corpus.
pub const FILE: &str = "file";
/// Article title.
pub const TITLE: &str = "title";
/// Section path (one value per heading).
pub const SECTION: &str = "section";
/// Paragraph ordinal in its article.
pub const PARAGRAPH: &str = "paragraph";
/// Position in the corpus: the file's key (increasing with its path) << 32 | the paragraph's
/// position in the file.
pub const ORDER: &str = "order";
/// Paragraph text, stored for excerpts and not indexed: [`BODY`] is what is searched.
pub const TEXT: &str = "text";
/// Years the paragraph covers.
pub const YEARS: &str = "years";
/// Months (`YYYYMM`) covered by month-precision mentions.
pub const MONTHS: &str = "months";
/// Days (`YYYYMMDD`) of day-precision mentions.
pub const DAYS: &str = "days";
/// Years covered by year-precision mentions ("in 2025", "the 1980s", "1979–1989"): with
/// `months` and `days`, what a date-range filter tests.
pub const YEAR_SPANS: &str = "year_spans";
/// Earliest date mentioned, as `YYYYMMDD` (missing parts as 01), for chronological order.
pub const FIRST_DATE: &str = "first_date";
/// Dates as mentioned, ISO strings at their precision (`2025-02-21`, `1979/1989` for ranges).
pub const DATES: &str = "dates";
/// Entities as `kind:Name` (`person:Hamid Karzai`).
pub const ENTITY: &str = "entity";
/// Entity names as lookup keys (`entity::lookup_key`), for case-insensitive `--entity`.
pub const ENTITY_KEY: &str = "entity_key";
/// Names and aliases of the gazetteer's entities (`extract::entity::Gazetteer`), searchable:
/// a query for an alias finds the paragraphs that name the entity otherwise. Names the
/// gazetteer does not know are left out: they are in `body` already, and indexing them here as
/// well cost 9–12 % of a Wikipedia build's CPU, with ranking unchanged on the tuning sets
/// (SciFact train nDCG@10 +0.0015, p = 0.55; benches/README.md, "Fifth round").
pub const ENTITY_NAMES: &str = "entities";
/// The article title and the paragraph text as one indexed field (not stored), searched instead
/// of the text alone. One BM25 score over both ranked better than separate title and text
/// scores (tuning sets: SciFact nDCG@10 +0.010, Cranfield +0.013), and indexing it in place of
/// the text adds only the title's words (Wikipedia slice: index about 1 % larger). A `text:`
/// prefix in a query searches it. See benches/README.md, "Ranking quality", third round.
pub const BODY: &str = "body";

/// Handles to every field of the schema.
#[derive(Debug, Clone, Copy)]
#[allow(missing_docs)] // one handle per field constant above
pub struct Fields {
    pub id: Field,
    pub file: Field,
    pub title: Field,
    pub section: Field,
    pub paragraph: Field,
    pub order: Field,
    pub text: Field,
    pub years: Field,
    pub months: Field,
    pub days: Field,
    pub year_spans: Field,
    pub first_date: Field,
    pub dates: Field,
    pub entity: Field,
    pub entity_key: Field,
    pub entity_names: Field,
    pub body: Field,
}

fn english_text(stored: bool) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(ENGLISH)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let options = TextOptions::default().set_indexing_options(indexing);
    if stored {
        options.set_stored()
    } else {
        options
    }
}

/// Builds the schema afsearch indexes with.
pub fn build_schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let fields = Fields {
        // Shown with a hit, never searched: indexing 460,000 unique ids was a tenth of a
        // Wikipedia build's CPU time (their term dictionary).
        id: builder.add_text_field(ID, STORED),
        // Indexed so that an update can delete a file's paragraphs by it.
        file: builder.add_text_field(FILE, STRING | STORED),
        title: builder.add_text_field(TITLE, english_text(true)),
        section: builder.add_text_field(SECTION, english_text(true)),
        paragraph: builder.add_u64_field(PARAGRAPH, NumericOptions::default() | STORED),
        order: builder.add_u64_field(ORDER, NumericOptions::default() | FAST),
        // Stored only: `body` indexes it, with the title.
        text: builder.add_text_field(TEXT, STORED),
        // Years are indexed as well as columnar: `--year` reads the postings of the few years
        // it spans, and counts read the column. Months, days and year spans are columnar
        // only: date-range filters are range queries, which Tantivy answers from the column,
        // and an inverted index of their ~15 values per paragraph cost a sixth of a Wikipedia
        // build.
        years: builder.add_i64_field(YEARS, NumericOptions::default() | INDEXED | FAST | STORED),
        months: builder.add_i64_field(MONTHS, NumericOptions::default() | FAST),
        days: builder.add_i64_field(DAYS, NumericOptions::default() | FAST),
        year_spans: builder.add_i64_field(YEAR_SPANS, NumericOptions::default() | FAST),
        first_date: builder.add_i64_field(FIRST_DATE, NumericOptions::default() | FAST),
        // Shown with a hit, never searched: the filters read years, months and days.
        dates: builder.add_text_field(DATES, STORED),
        // A column of `kind:Name` values (`doc::entity_value`) that entity counts are read
        // from, and stored for display. A facet field indexed every entity (a hundred
        // thousand distinct names per hundred thousand Wikipedia paragraphs) twice over, in
        // its terms and their dictionary, for counts a column gives as well.
        entity: builder.add_text_field(ENTITY, TextOptions::default().set_fast("raw").set_stored()),
        // Columnar too: `--entity` is an equality range on it.
        entity_key: builder.add_text_field(ENTITY_KEY, TextOptions::default().set_fast("raw")),
        entity_names: builder.add_text_field(ENTITY_NAMES, english_text(false)),
        body: builder.add_text_field(BODY, english_text(false)),
    };
    (builder.build(), fields)
}

/// Looks up the [`Fields`] of an opened index, failing if the schema is not afsearch's.
pub fn fields_of(schema: &Schema) -> Option<Fields> {
    let (expected, _) = build_schema();
    if schema != &expected {
        return None;
    }
    let get = |name| schema.get_field(name).ok();
    Some(Fields {
        id: get(ID)?,
        file: get(FILE)?,
        title: get(TITLE)?,
        section: get(SECTION)?,
        paragraph: get(PARAGRAPH)?,
        order: get(ORDER)?,
        text: get(TEXT)?,
        years: get(YEARS)?,
        months: get(MONTHS)?,
        days: get(DAYS)?,
        year_spans: get(YEAR_SPANS)?,
        first_date: get(FIRST_DATE)?,
        dates: get(DATES)?,
        entity: get(ENTITY)?,
        entity_key: get(ENTITY_KEY)?,
        entity_names: get(ENTITY_NAMES)?,
        body: get(BODY)?,
    })
}

/// The analyzer for every text field, shared by indexing, querying and snippet highlighting
/// so that a highlighted word is exactly a word that matched.
///
/// It splits on non-alphanumerics, lower-cases, folds to ASCII and stems (see `analyzer`).
/// `Pakistan’s` splits into `pakistan` and `s`; the lone `s` is dropped (as Lucene's English
/// possessive filter does) so that a possessive in a query does not match every possessive in
/// the corpus.
pub fn english_analyzer() -> TextAnalyzer {
    TextAnalyzer::from(EnglishTokenizer::default())
}

/// Bytes of stored paragraphs compressed together in the document store. Showing a hit
/// decompresses its whole block, and a search shows ten hits from ten blocks (and reads mostly
/// the same ten for pseudo-relevance feedback). Tantivy's default is 16 KB; at 8 KB a one-shot
/// search of the Wikipedia slice took 4.6–7.5 % less time, for an index 2.5 % larger (4 KB:
/// 3.5–4 % less, 6 % larger; 2 KB: no gain, 11 % larger). See benches/README.md, "Smaller store
/// blocks".
pub const STORE_BLOCK_BYTES: usize = 8 * 1024;

/// The settings every index afsearch creates is built with (an existing index keeps its own).
pub fn index_settings() -> IndexSettings {
    IndexSettings {
        docstore_blocksize: STORE_BLOCK_BYTES,
        ..IndexSettings::default()
    }
}

/// Registers afsearch's analyzers on `index`; needed after every create or open.
pub fn register_tokenizers(index: &Index) {
    index.tokenizers().register(ENGLISH, english_analyzer());
}
