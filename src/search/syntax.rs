//! Reads what a person typed as a query, the way they meant it.
//!
//! People paste questions and claims full of `-`, `:`, `(`, `"`, `?`, `/` and `'`. This module
//! keeps the operators a user clearly means — `"a phrase"`, ` -word` and ` +word` after a space,
//! `AND`/`OR`/`NOT` in capitals, balanced parentheses, `title:word` for a field that exists — and
//! turns everything else into plain words, so that `Khyber-Pakhtunkhwa` is not a NOT,
//! `0-dimensional:` is not a field and an unbalanced quote is just a character. The output is a
//! query string in Tantivy's grammar in which every word is quoted, so Tantivy's parser can no
//! longer misread it. Pure string work; the fields it may name are passed in.

/// A query rewritten into the engine's grammar, and what the user should be told about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    /// The query in Tantivy's grammar, every word quoted; empty if nothing searchable is left.
    pub query: String,
    /// Remarks about parts that were read differently from the letter of the input.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A word or phrase, with its `+`/`-` and optional field.
    Term {
        occur: Option<char>,
        field: Option<String>,
        text: String,
        /// A plain word of the input (not quoted, no `+`/`-`/`NOT`, no field).
        bare: bool,
    },
    And,
    Or,
    Not,
    Open,
    Close,
}

fn has_searchable(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

/// Characters that cannot appear inside a quoted Tantivy phrase; they separate words anyway.
fn phrase_safe(text: &str) -> String {
    text.chars()
        .map(|c| if c == '"' || c == '\\' { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The phrase opened by the quote at `open`, and the index after its closing quote.
fn read_phrase(chars: &[char], open: usize) -> (String, usize) {
    let end = (open + 1..chars.len())
        .find(|&j| chars[j] == '"')
        .unwrap_or(chars.len());
    (chars[open + 1..end].iter().collect(), end + 1)
}

fn tokenize(input: &str, fields: &[&str], notes: &mut Vec<String>) -> Vec<Token> {
    let chars: Vec<char> = input.chars().collect();
    let quotes = chars.iter().filter(|&&c| c == '"').count();
    // With an odd number of quotes the last one is unmatched: it is just a character.
    let last_quote = if quotes % 2 == 1 {
        notes.push("unbalanced \" ignored".to_string());
        chars.iter().rposition(|&c| c == '"')
    } else {
        None
    };
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() || Some(i) == last_quote {
            i += 1;
            continue;
        }
        let at_word_start = i == 0 || chars[i - 1].is_whitespace() || chars[i - 1] == '(';
        if c == '(' {
            tokens.push(Token::Open);
            i += 1;
            continue;
        }
        if c == ')' {
            tokens.push(Token::Close);
            i += 1;
            continue;
        }
        // `+` or `-` directly before a word or phrase, at the start of a word: an operator.
        let mut occur = None;
        if (c == '+' || c == '-')
            && at_word_start
            && i + 1 < chars.len()
            && !chars[i + 1].is_whitespace()
        {
            occur = Some(c);
            i += 1;
        }
        if i < chars.len() && chars[i] == '"' && Some(i) != last_quote {
            let (text, next) = read_phrase(&chars, i);
            tokens.push(Token::Term {
                occur,
                field: None,
                text,
                bare: false,
            });
            i = next;
            continue;
        }
        let start = i;
        while i < chars.len()
            && !chars[i].is_whitespace()
            && !matches!(chars[i], '(' | ')')
            && (chars[i] != '"' || Some(i) == last_quote)
        {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        if occur.is_none() {
            match word.as_str() {
                "AND" | "&&" => {
                    tokens.push(Token::And);
                    continue;
                }
                "OR" | "||" => {
                    tokens.push(Token::Or);
                    continue;
                }
                "NOT" => {
                    tokens.push(Token::Not);
                    continue;
                }
                _ => {}
            }
        }
        // `field:rest` only for a field that exists and a non-empty rest (or a phrase after it).
        if let Some((name, rest)) = word.split_once(':') {
            if fields.contains(&name) {
                if rest.is_empty() && i < chars.len() && chars[i] == '"' && Some(i) != last_quote {
                    let (text, next) = read_phrase(&chars, i);
                    tokens.push(Token::Term {
                        occur,
                        field: Some(name.to_string()),
                        text,
                        bare: false,
                    });
                    i = next;
                    continue;
                }
                if has_searchable(rest) {
                    tokens.push(Token::Term {
                        occur,
                        field: Some(name.to_string()),
                        text: rest.to_string(),
                        bare: false,
                    });
                    continue;
                }
            }
        }
        let bare = occur.is_none() && !matches!(tokens.last(), Some(Token::Not));
        if bare {
            // A plain word is the bag of its parts, as in Lucene's classic query parser: `IL-6`
            // is `IL` OR `6`, not the phrase "il 6". A document that writes the compound
            // another way (`TNF-α` for `TNF-alpha`, `two-dimensional` for `0-dimensional`)
            // still gets credit for the parts it shares, and BM25 ranks documents with all the
            // parts first. A quoted phrase, a `+`/`-`/`NOT` operand and a `field:` value keep
            // their adjacency.
            for part in word
                .split(|c: char| !c.is_alphanumeric())
                .filter(|p| !p.is_empty())
            {
                tokens.push(Token::Term {
                    occur: None,
                    field: None,
                    text: part.to_string(),
                    bare: true,
                });
            }
            continue;
        }
        tokens.push(Token::Term {
            occur,
            field: None,
            text: word,
            bare: false,
        });
    }
    tokens
}

/// Lucene's English stop words (`EnglishAnalyzer.ENGLISH_STOP_WORDS_SET`). Dropped from the
/// plain words of a query, and never chosen as feedback words (`feedback`): they match nearly
/// every paragraph and only add noise to BM25.
pub(crate) const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

fn is_bare_stop_word(token: &Token) -> bool {
    match token {
        Token::Term {
            bare: true, text, ..
        } => STOP_WORDS.contains(&text.to_lowercase().as_str()),
        _ => false,
    }
}

/// Rewrites `input` into Tantivy's grammar. `fields` are the names a `field:` prefix may use.
pub fn normalize(input: &str, fields: &[&str]) -> Normalized {
    match normalize_with(input, fields, |_| Ok::<_, std::convert::Infallible>(None)) {
        Ok(normalized) => normalized,
        Err(never) => match never {},
    }
}

/// [`normalize`], letting `rewrite` replace the words a spelling correction may touch.
///
/// `rewrite` sees each plain word (`Torkam` in `Torkam closure`) and each `+word` that is a
/// single word, after stop words are dropped, and returns the word to search instead, if any.
/// It never sees a quoted phrase, a `field:` value, or an excluded word (`-word`, `NOT word`):
/// quotes and fields say "exactly this", and correcting an exclusion would exclude something
/// the user did not name.
pub fn normalize_with<E>(
    input: &str,
    fields: &[&str],
    mut rewrite: impl FnMut(&str) -> Result<Option<String>, E>,
) -> Result<Normalized, E> {
    let mut notes = Vec::new();
    let tokens = tokenize(input, fields, &mut notes);
    // Drop terms with nothing searchable, then operators and parentheses left without operands.
    let tokens: Vec<Token> = tokens
        .into_iter()
        .filter(|t| match t {
            Token::Term { text, .. } => has_searchable(text),
            _ => true,
        })
        .collect();
    // Plain stop words go, unless the query is nothing else ("to be or not to be").
    let mut tokens = tokens;
    if tokens
        .iter()
        .any(|t| matches!(t, Token::Term { .. }) && !is_bare_stop_word(t))
    {
        tokens.retain(|t| !is_bare_stop_word(t));
    }
    let mut depth = 0usize;
    let mut balanced: Vec<Token> = Vec::new();
    for token in tokens {
        match token {
            Token::Open => {
                depth += 1;
                balanced.push(Token::Open);
            }
            Token::Close if depth == 0 => notes.push("unmatched ) ignored".to_string()),
            Token::Close => {
                depth -= 1;
                balanced.push(Token::Close);
            }
            other => balanced.push(other),
        }
    }
    if depth > 0 {
        notes.push("unmatched ( ignored".to_string());
        // Remove the unmatched opening parentheses, innermost last-opened first.
        let mut open_positions = Vec::new();
        for (i, t) in balanced.iter().enumerate() {
            match t {
                Token::Open => open_positions.push(i),
                Token::Close => {
                    open_positions.pop();
                }
                _ => {}
            }
        }
        for i in open_positions.into_iter().rev() {
            balanced.remove(i);
        }
    }

    let mut out: Vec<String> = Vec::new();
    // What the previous emitted item was, to place binary operators only between operands.
    let mut prev_operand = false;
    let mut pending: Option<&str> = None;
    let mut negate_next = false;
    for token in &balanced {
        match token {
            Token::And | Token::Or => {
                if prev_operand {
                    pending = Some(if *token == Token::And { "AND" } else { "OR" });
                }
            }
            Token::Not => negate_next = true,
            Token::Open => {
                if prev_operand {
                    if let Some(op) = pending.take() {
                        out.push(op.to_string());
                    }
                }
                out.push("(".to_string());
                prev_operand = false;
            }
            Token::Close => {
                if out.last().map(String::as_str) == Some("(") {
                    out.pop();
                } else {
                    out.push(")".to_string());
                    prev_operand = true;
                }
                pending = None;
            }
            Token::Term {
                occur,
                field,
                text,
                bare,
            } => {
                if prev_operand {
                    if let Some(op) = pending.take() {
                        out.push(op.to_string());
                    }
                }
                let occur = if negate_next { Some('-') } else { *occur };
                negate_next = false;
                let single_must = occur == Some('+')
                    && field.is_none()
                    && text.chars().all(char::is_alphanumeric);
                let rewritten = if (*bare && occur.is_none()) || single_must {
                    rewrite(text)?
                } else {
                    None
                };
                let text = rewritten.as_deref().unwrap_or(text);
                let mut item = String::new();
                if let Some(op) = occur {
                    item.push(op);
                }
                if let Some(field) = field {
                    item.push_str(field);
                    item.push(':');
                }
                item.push('"');
                item.push_str(&phrase_safe(text));
                item.push('"');
                out.push(item);
                prev_operand = true;
            }
        }
    }
    // Only exclusions (`-Karzai`): the user wants everything else, so say "all" explicitly
    // instead of letting the engine reject a query with nothing to include.
    let only_exclusions = !out.is_empty()
        && out
            .iter()
            .all(|item| item.starts_with('-') || item == "AND" || item == "OR");
    if only_exclusions {
        out.insert(0, "*".to_string());
    }
    let query = out.join(" ").replace("( ", "(").replace(" )", ")");
    Ok(Normalized { query, notes })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIELDS: &[&str] = &["title", "section", "text", "entities"];

    macro_rules! normalize_tests {
        ($($name:ident: $input:expr => $expected:expr,)*) => {$(
            #[test]
            fn $name() {
                assert_eq!(normalize($input, FIELDS).query, $expected, "input {:?}", $input);
            }
        )*};
    }

    normalize_tests! {
        plain_words: "Torkham closure" => r#""Torkham" "closure""#,
        hyphen_inside_word: "Khyber-Pakhtunkhwa" => r#""Khyber" "Pakhtunkhwa""#,
        hyphenated_name: "Tehrik-i-Taliban attacks" => r#""Tehrik" "i" "Taliban" "attacks""#,
        leading_minus_is_not: "Taliban -Karzai" => r#""Taliban" -"Karzai""#,
        plus_is_must: "+Torkham trade" => r#"+"Torkham" "trade""#,
        phrase: "\"Durand Line\" treaty" => r#""Durand Line" "treaty""#,
        negated_phrase: "border -\"Durand Line\"" => r#""border" -"Durand Line""#,
        unbalanced_quote: "\"unbalanced" => r#""unbalanced""#,
        unbalanced_quote_middle: "a \"b c\" d\"" => r#""b c" "d""#,
        unknown_field_is_a_word: "foo:bar" => r#""foo" "bar""#,
        known_field: "title:Durand" => r#"title:"Durand""#,
        known_field_phrase: "section:\"See also\"" => r#"section:"See also""#,
        empty_field: "title:" => r#""title""#,
        colon_in_claim: "0-dimensional: biomaterials" => r#""0" "dimensional" "biomaterials""#,
        operators: "Torkham AND closure OR trade" => r#""Torkham" AND "closure" OR "trade""#,
        lowercase_operators_are_words: "war or peace" => r#""war" "peace""#,
        dangling_operator: "AND Torkham OR" => r#""Torkham""#,
        not_operator: "Taliban NOT Karzai" => r#""Taliban" -"Karzai""#,
        parens: "(Torkham OR Chaman) closure" => r#"("Torkham" OR "Chaman") "closure""#,
        unbalanced_open: "(((" => "",
        unbalanced_open_with_words: "((Torkham" => r#""Torkham""#,
        unbalanced_close: "Torkham)" => r#""Torkham""#,
        empty_parens: "() Torkham" => r#""Torkham""#,
        lone_minus: "-" => "",
        stars: "* ?" => "",
        question: "What happened at Torkham in 2025?" => r#""What" "happened" "Torkham" "2025""#,
        backslash: r"x\y" => r#""x" "y""#,
        slash: "Afghan/Pakistani" => r#""Afghan" "Pakistani""#,
        apostrophes: "Pakistan's 'leverage'" => r#""Pakistan" "s" "leverage""#,
        stop_words_dropped: "the role of IL-6" => r#""role" "IL" "6""#,
        only_stop_words_kept: "to be or not to be" => r#""to" "be" "or" "not" "to" "be""#,
        quoted_stop_word_kept: "\"the\" band" => r#""the" "band""#,
        operand_keeps_phrase: "+IL-6 -well-known NOT x-y" => r#"+"IL-6" -"well-known" -"x-y""#,
        minus_after_word_is_hyphen: "well-known -x" => r#""well" "known" -"x""#,
        only_exclusions_mean_everything_else: "-Karzai -\"Durand Line\"" => r#"* -"Karzai" -"Durand Line""#,
        not_alone: "NOT Karzai" => r#"* -"Karzai""#,
    }

    #[test]
    fn rewrite_sees_plain_and_must_words_only() {
        let mut seen = Vec::new();
        let normalized = normalize_with(
            "Torkam +Chamn -Kabl NOT Quetta \"Durnd Line\" title:Peshwar the IL-6 +x-y (the OR Bolan)",
            FIELDS,
            |word| {
                seen.push(word.to_string());
                Ok::<_, ()>((word == "Torkam").then(|| "Torkham".to_string()))
            },
        )
        .expect("infallible here");
        assert_eq!(seen, ["Torkam", "Chamn", "IL", "6", "Bolan"]);
        assert_eq!(
            normalized.query,
            r#""Torkham" +"Chamn" -"Kabl" -"Quetta" "Durnd Line" title:"Peshwar" "IL" "6" +"x-y" ("Bolan")"#
        );
        let failed = normalize_with("Torkam", FIELDS, |_| Err("no index"));
        assert_eq!(failed, Err("no index"));
    }

    #[test]
    fn notes_say_what_was_ignored() {
        assert_eq!(
            normalize("\"unbalanced", FIELDS).notes,
            ["unbalanced \" ignored"]
        );
        assert_eq!(normalize("Torkham)", FIELDS).notes, ["unmatched ) ignored"]);
        assert!(normalize("Torkham closure", FIELDS).notes.is_empty());
    }
}
