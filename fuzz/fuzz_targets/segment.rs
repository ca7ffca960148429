//! Article and JSON-lines text → paragraphs: never a panic, and the paragraphs are well formed.
#![no_main]

use afsearch::corpus::{article, parse_file, segment, CorpusFile, Format};
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let format = if selector % 4 == 0 {
        Format::JsonLines
    } else {
        Format::Article
    };
    let file = CorpusFile {
        rel: "dir/f.txt".to_string(),
        format,
        len: rest.len() as u64,
        modified_ns: 0,
    };
    let content = parse_file(&file, text);
    let mut ids = HashSet::new();
    for paragraph in &content.paragraphs {
        assert!(!paragraph.text.is_empty() || !paragraph.title.is_empty());
        assert_eq!(paragraph.text, paragraph.text.trim());
        assert!(!paragraph.text.contains('\n'));
        if format == Format::Article {
            assert!(
                ids.insert(paragraph.id.clone()),
                "duplicate id {}",
                paragraph.id
            );
            assert!(paragraph.ordinal >= 1);
        }
    }
    for warning in &content.warnings {
        let _ = warning.to_string();
    }
    // The pieces directly, as a library user would call them.
    let articles = article::parse_articles(text);
    for a in &articles {
        for block in &a.blocks {
            assert!(!block.lines.is_empty());
            assert!(block.line >= 1);
        }
    }
    let _ = segment::segment(&articles, "f.txt", "f");
    let cleaned = segment::clean_text(text);
    assert!(!cleaned.contains("  "));
});
