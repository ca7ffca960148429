//! Parses the article text format into blocks under their section headings.
//!
//! The format is the one of `corpus/*.txt`: a `= Title =` line, `== Section ==` headings (any
//! number of `=`, irregular spacing, possibly sitting directly on top of their paragraph), an
//! `Infobox` block of `- Key: value` lines, paragraphs separated by blank lines, and `- item`
//! list blocks. This module only finds the structure; cleaning text and numbering paragraphs is
//! [`super::segment`]'s job, and it knows nothing about files or the index.

/// One article: its title and its blocks in text order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Article {
    /// The `= Title =` of the article, if the text has one.
    pub title: Option<String>,
    /// Every block of the article, in text order.
    pub blocks: Vec<Block>,
}

/// What kind of text a block holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// Running text.
    Paragraph,
    /// A run of `- item` lines.
    List,
    /// The `Infobox` block of `- Key: value` lines.
    Infobox,
}

/// A paragraph, list or infobox, with the headings it sits under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// Headings from the outermost (`==`) inward; empty before the first heading.
    pub section: Vec<String>,
    /// What kind of block this is.
    pub kind: BlockKind,
    /// The block's lines, without list markers, trimmed.
    pub lines: Vec<String>,
    /// 1-based line number of the block's first line in the source text.
    pub line: usize,
}

/// A heading line: `level` is the number of leading `=`.
fn parse_heading(line: &str) -> Option<(usize, &str)> {
    let trimmed = line.trim();
    if trimmed.len() < 2 || !trimmed.starts_with('=') || !trimmed.ends_with('=') {
        return None;
    }
    let level = trimmed.chars().take_while(|&c| c == '=').count();
    let inner = trimmed.trim_start_matches('=').trim_end_matches('=').trim();
    Some((level, inner))
}

/// `Infobox`, or a short `Infobox country` naming its template. A sentence that merely starts
/// with the word ("Infobox templates summarise…") is a paragraph, not a header to drop.
fn is_infobox_header(line: &str) -> bool {
    let Some(rest) = line
        .get(..7)
        .filter(|head| head.eq_ignore_ascii_case("infobox"))
        .map(|_| &line[7..])
    else {
        return false;
    };
    rest.is_empty()
        || (rest.starts_with(char::is_whitespace)
            && rest.split_whitespace().count() <= 3
            && !rest.contains(['.', ',', ';', ':', '(', ')']))
}

/// Splits article text into articles (a new `= Title =` line after content starts a new one).
pub fn parse_articles(text: &str) -> Vec<Article> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut articles = Vec::new();
    let mut current = Article {
        title: None,
        blocks: Vec::new(),
    };
    let mut section: Vec<String> = Vec::new();
    let mut open: Option<Block> = None;

    // Closes the open block, if any, into the current article.
    fn flush(open: &mut Option<Block>, article: &mut Article) {
        if let Some(block) = open.take() {
            if !block.lines.is_empty() {
                article.blocks.push(block);
            }
        }
    }

    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim();
        if line.is_empty() {
            flush(&mut open, &mut current);
            continue;
        }
        if let Some((level, name)) = parse_heading(line) {
            flush(&mut open, &mut current);
            if level == 1 {
                if current.title.is_some() || !current.blocks.is_empty() {
                    articles.push(std::mem::replace(
                        &mut current,
                        Article {
                            title: None,
                            blocks: Vec::new(),
                        },
                    ));
                }
                current.title = (!name.is_empty()).then(|| name.to_string());
                section.clear();
            } else {
                // `==` is depth 0; a skipped level (`==` then `====`) nests directly under the parent.
                section.truncate(level - 2);
                if !name.is_empty() {
                    section.push(name.to_string());
                }
            }
            continue;
        }
        if is_infobox_header(line) {
            flush(&mut open, &mut current);
            open = Some(Block {
                section: vec!["Infobox".to_string()],
                kind: BlockKind::Infobox,
                lines: Vec::new(),
                line: line_no,
            });
            continue;
        }
        let item = line
            .strip_prefix("- ")
            .or_else(|| (line == "-").then_some(""));
        let kind = match (&open, item) {
            (Some(block), Some(_)) if block.kind == BlockKind::Infobox => BlockKind::Infobox,
            (_, Some(_)) => BlockKind::List,
            (_, None) => BlockKind::Paragraph,
        };
        if open.as_ref().is_some_and(|block| block.kind != kind) {
            flush(&mut open, &mut current);
        }
        let block = open.get_or_insert_with(|| Block {
            section: section.clone(),
            kind,
            lines: Vec::new(),
            line: line_no,
        });
        let content = item.unwrap_or(line).trim();
        if !content.is_empty() {
            block.lines.push(content.to_string());
        }
    }
    flush(&mut open, &mut current);
    if current.title.is_some() || !current.blocks.is_empty() {
        articles.push(current);
    }
    articles
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sections(text: &str) -> Vec<(Vec<String>, BlockKind, String)> {
        parse_articles(text)
            .into_iter()
            .flat_map(|a| a.blocks)
            .map(|b| (b.section, b.kind, b.lines.join(" ")))
            .collect()
    }

    fn path(parts: &[&str]) -> Vec<String> {
        parts.iter().map(|s| s.to_string()).collect()
    }

    macro_rules! heading_tests {
        ($($name:ident: $line:expr => $expected:expr,)*) => {$(
            #[test]
            fn $name() {
                assert_eq!(parse_heading($line), $expected, "heading line {:?}", $line);
            }
        )*};
    }

    heading_tests! {
        title: "= Afghanistan–Pakistan relations =" => Some((1, "Afghanistan–Pakistan relations")),
        spaced: "== Background ==" => Some((2, "Background")),
        unspaced: "==International disputes==" => Some((2, "International disputes")),
        unbalanced_spacing: "=== From the Afghan civil wars to the war on terror===" => Some((3, "From the Afghan civil wars to the war on terror")),
        level_four: "==== 2025 Afghanistan–Pakistan conflict ====" => Some((4, "2025 Afghanistan–Pakistan conflict")),
        tabs: "==\tSport\t==" => Some((2, "Sport")),
        empty_heading: "== ==" => Some((2, "")),
        bare_equals: "==" => Some((2, "")),
        not_heading_text: "x = y" => None,
        not_heading_single: "=" => None,
        not_heading_open: "== Open" => None,
    }

    #[test]
    fn headings_nest_and_reset() {
        let text = "= T =\n\nIntro.\n\n== History ==\n\n=== Old ===\n\nOld text.\n\n==== 2025 conflict ====\n\nNew text.\n\n== Trade ==\nTrade text.\n";
        assert_eq!(
            sections(text),
            vec![
                (vec![], BlockKind::Paragraph, "Intro.".into()),
                (
                    path(&["History", "Old"]),
                    BlockKind::Paragraph,
                    "Old text.".into()
                ),
                (
                    path(&["History", "Old", "2025 conflict"]),
                    BlockKind::Paragraph,
                    "New text.".into()
                ),
                (path(&["Trade"]), BlockKind::Paragraph, "Trade text.".into()),
            ]
        );
    }

    #[test]
    fn heading_directly_on_top_of_paragraph() {
        let text = "= T =\n== Trade relations ==\n=== Afghan-Pak Transit Trade Agreement ===\n\nIn July 2010, an MoU.\n=== Smuggling ===\nResearch and reporting suggest.\n";
        let got = sections(text);
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].0, path(&["Trade relations", "Smuggling"]));
        assert_eq!(got[1].2, "Research and reporting suggest.");
    }

    #[test]
    fn infobox_and_list_blocks() {
        let text = "= T =\n\nInfobox\n- Envoy1: Mohammad Shokaib\n- Envoy2: Mansoor Ahmad Khan\n\nText.\n\n==See also==\n\n- Durand Line\n- AfPak\n";
        assert_eq!(
            sections(text),
            vec![
                (
                    path(&["Infobox"]),
                    BlockKind::Infobox,
                    "Envoy1: Mohammad Shokaib Envoy2: Mansoor Ahmad Khan".into()
                ),
                (vec![], BlockKind::Paragraph, "Text.".into()),
                (
                    path(&["See also"]),
                    BlockKind::List,
                    "Durand Line AfPak".into()
                ),
            ]
        );
    }

    #[test]
    fn skipped_level_nests_under_parent() {
        let got = sections("== A ==\n==== C ====\nx\n=== B ===\ny\n");
        assert_eq!(got[0].0, path(&["A", "C"]));
        assert_eq!(got[1].0, path(&["A", "B"]));
    }

    #[test]
    fn crlf_bom_and_only_headings() {
        let got = parse_articles("\u{feff}= T =\r\n\r\n== S ==\r\nline one\r\nline two\r\n");
        assert_eq!(got[0].title.as_deref(), Some("T"));
        assert_eq!(got[0].blocks[0].lines, vec!["line one", "line two"]);
        let only = parse_articles("= T =\n== A ==\n== B ==\n");
        assert!(only[0].blocks.is_empty());
        assert!(parse_articles("").is_empty());
    }

    #[test]
    fn a_sentence_starting_with_infobox_is_a_paragraph() {
        let got = sections("= T =\n\nInfobox bilateral relations\n- Party1: A\n\nInfobox templates summarise an article, as this one does.\n");
        assert_eq!(
            got,
            vec![
                (path(&["Infobox"]), BlockKind::Infobox, "Party1: A".into()),
                (
                    vec![],
                    BlockKind::Paragraph,
                    "Infobox templates summarise an article, as this one does.".into()
                ),
            ]
        );
        assert!(!is_infobox_header("Infoboxes"));
        assert!(is_infobox_header("INFOBOX"));
    }

    #[test]
    fn second_title_starts_a_new_article() {
        let got = parse_articles("= One =\nA.\n= Two =\n== S ==\nB.\n");
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].title.as_deref(), Some("Two"));
        assert_eq!(got[1].blocks[0].section, path(&["S"]));
    }

    #[test]
    fn real_corpus_structure() {
        let text = include_str!("../../corpus/afghanistan-pakistan-relations.txt");
        let articles = parse_articles(text);
        assert_eq!(articles.len(), 1);
        let article = &articles[0];
        assert_eq!(
            article.title.as_deref(),
            Some("Afghanistan–Pakistan relations")
        );
        assert_eq!(article.blocks[0].kind, BlockKind::Infobox);
        let conflict = article
            .blocks
            .iter()
            .find(|b| b.lines[0].starts_with("On 9 October 2025"))
            .expect("the 9 October 2025 paragraph");
        assert_eq!(
            conflict.section,
            path(&[
                "History",
                "Contemporary era after the Taliban regains power",
                "2025 Afghanistan–Pakistan conflict"
            ])
        );
        let see_also = article.blocks.last().expect("blocks");
        assert_eq!(see_also.kind, BlockKind::List);
        assert_eq!(see_also.section, path(&["See also"]));
        assert!(article
            .blocks
            .iter()
            .all(|b| b.lines.iter().all(|l| !l.starts_with('='))));
    }
}
