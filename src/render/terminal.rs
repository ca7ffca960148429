//! Pure text work for the terminal printer: neutralising control characters and wrapping
//! highlighted text to a width.
//!
//! Works on plain strings and `(text, highlighted)` spans; colour and writers are
//! [`super`]'s business.

use unicode_width::UnicodeWidthStr;

/// A run of text that is or is not a match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    /// The text, already safe to print.
    pub text: String,
    /// Whether it matched the query.
    pub highlighted: bool,
}

/// Makes text safe for a terminal: C0/C1 controls become visible symbols (so `\x1b[2J` cannot
/// clear the screen), bidi overrides are dropped (so they cannot reorder the line).
pub fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\t' | '\n' | '\r' => out.push(' '),
            '\u{0}'..='\u{1f}' => out.push(char::from_u32(0x2400 + c as u32).unwrap_or('\u{fffd}')),
            '\u{7f}' => out.push('\u{2421}'),
            '\u{80}'..='\u{9f}' => out.push('\u{fffd}'),
            '\u{200e}'
            | '\u{200f}'
            | '\u{061c}'
            | '\u{202a}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}' => {}
            _ => out.push(c),
        }
    }
    out
}

/// Splits `text` into sanitized spans along the byte ranges in `highlights`.
pub fn spans(text: &str, highlights: &[std::ops::Range<usize>]) -> Vec<Span> {
    let mut spans = Vec::new();
    let mut pos = 0;
    for range in highlights {
        if range.start < pos
            || range.end > text.len()
            || !text.is_char_boundary(range.start)
            || !text.is_char_boundary(range.end)
        {
            continue;
        }
        if range.start > pos {
            spans.push(Span {
                text: sanitize(&text[pos..range.start]),
                highlighted: false,
            });
        }
        spans.push(Span {
            text: sanitize(&text[range.clone()]),
            highlighted: true,
        });
        pos = range.end;
    }
    if pos < text.len() {
        spans.push(Span {
            text: sanitize(&text[pos..]),
            highlighted: false,
        });
    }
    spans
}

/// Greedy word wrap of spans to `width` columns; a word longer than a line gets a line of its own.
pub fn wrap(spans: &[Span], width: usize) -> Vec<Vec<Span>> {
    let width = width.max(10);
    // Words are runs of non-space characters, each a list of spans (a word can be partly marked).
    let mut words: Vec<Vec<Span>> = Vec::new();
    let mut current: Vec<Span> = Vec::new();
    for span in spans {
        let mut piece = String::new();
        for c in span.text.chars() {
            if c == ' ' {
                if !piece.is_empty() {
                    current.push(Span {
                        text: std::mem::take(&mut piece),
                        highlighted: span.highlighted,
                    });
                }
                if !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            } else {
                piece.push(c);
            }
        }
        if !piece.is_empty() {
            current.push(Span {
                text: piece,
                highlighted: span.highlighted,
            });
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    let mut lines: Vec<Vec<Span>> = Vec::new();
    let mut line: Vec<Span> = Vec::new();
    let mut used = 0;
    for word in words {
        let w: usize = word.iter().map(|s| s.text.width()).sum();
        if used > 0 && used + 1 + w > width {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        if used > 0 {
            line.push(Span {
                text: " ".to_string(),
                highlighted: false,
            });
            used += 1;
        }
        used += w;
        line.extend(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)] // one highlighted word is the common case
mod tests {
    use super::*;

    fn plain(lines: &[Vec<Span>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| {
                l.iter()
                    .map(|s| {
                        if s.highlighted {
                            format!("[{}]", s.text)
                        } else {
                            s.text.clone()
                        }
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn controls_are_neutralised() {
        assert_eq!(sanitize("a\x1b[2Jb"), "a\u{241b}[2Jb");
        assert_eq!(sanitize("x\u{202e}y\u{2066}z"), "xyz");
        assert_eq!(sanitize("a\u{85}b\u{7f}"), "a\u{fffd}b\u{2421}");
        assert_eq!(sanitize("tab\there"), "tab here");
        assert_eq!(sanitize("Pakistan’s – ok"), "Pakistan’s – ok");
    }

    #[test]
    fn spans_split_on_highlights() {
        let got = spans("Pakistan’s closure", &[0..8, 13..20]);
        let marks: Vec<(&str, bool)> = got
            .iter()
            .map(|s| (s.text.as_str(), s.highlighted))
            .collect();
        assert_eq!(
            marks,
            [("Pakistan", true), ("’s ", false), ("closure", true)]
        );
    }

    #[test]
    fn spans_ignore_bad_ranges() {
        let got = spans("abc", &[1..2, 0..1, 2..9]);
        let text: String = got.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(text, "abc");
    }

    #[test]
    fn wrap_keeps_marks_and_width() {
        let text = "The Torkham border crossing between Pakistan and Afghanistan was shut";
        let got = wrap(&spans(text, &[4..11]), 24);
        assert_eq!(
            plain(&got),
            [
                "The [Torkham] border",
                "crossing between",
                "Pakistan and Afghanistan",
                "was shut"
            ]
        );
        for line in &got {
            assert!(line.iter().map(|s| s.text.width()).sum::<usize>() <= 24);
        }
    }

    #[test]
    fn long_word_gets_its_own_line() {
        let got = wrap(&spans("a verylongwordthatdoesnotfit b", &[]), 10);
        assert_eq!(plain(&got), ["a", "verylongwordthatdoesnotfit", "b"]);
    }
}
