//! The date extractor on any text: never a panic, spans on character boundaries, in order.
#![no_main]

use afsearch::extract::date::{extract_dates, heading_year, years_covered, PartialDate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((head, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    // A context year from a section heading: none, a plausible one, or anything.
    let context = match head[0] % 3 {
        0 => None,
        1 => Some(1900 + i32::from(head[1])),
        _ => Some(i32::from(i16::from_le_bytes(*head)) * 40_000),
    };
    let mentions = extract_dates(text, context);
    let mut last = 0;
    for mention in &mentions {
        assert!(mention.span.start <= mention.span.end);
        assert!(mention.span.end <= text.len());
        assert!(text.is_char_boundary(mention.span.start));
        assert!(text.is_char_boundary(mention.span.end));
        assert!(mention.span.start >= last, "mentions out of order");
        last = mention.span.start;
        let _ = mention.start.to_iso();
        let _ = mention.end.to_iso();
    }
    let years = years_covered(&mentions);
    assert!(years.windows(2).all(|w| w[0] < w[1]));
    let _ = heading_year(text);
    if let Some(date) = PartialDate::parse_iso(text) {
        assert_eq!(PartialDate::parse_iso(&date.to_iso()), Some(date));
    }
});
