//! The entity extractor on any text: never a panic, spans on character boundaries.
#![no_main]

use afsearch::extract::entity::{entities_in, extract_entities, lookup_key, Gazetteer};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for mention in extract_entities(text) {
        assert!(mention.span.start <= mention.span.end);
        assert!(mention.span.end <= text.len());
        assert!(text.is_char_boundary(mention.span.start));
        assert!(text.is_char_boundary(mention.span.end));
        assert!(!mention.name.is_empty());
    }
    let distinct = entities_in(text);
    assert!(distinct.windows(2).all(|w| w[0] < w[1]));
    let _ = lookup_key(text);
    let _ = Gazetteer::builtin().resolve(text);
});
