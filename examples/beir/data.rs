//! Reading a BEIR-layout collection: `queries.jsonl` (`_id`, `text`) and `qrels/<split>.tsv`
//! (`query-id<TAB>corpus-id<TAB>score`, with a header line). The corpus itself is read by the
//! product (`afsearch::Corpus`), never here.

use super::metrics::Judgements;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Query id → judgements, ordered by query id for stable output.
pub type Qrels = BTreeMap<String, Judgements>;

fn read(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|err| format!("{}: {err}", path.display()))
}

/// Parses a BEIR qrels TSV. A first line whose score column is not a number is the header.
pub fn parse_qrels(text: &str) -> Result<Qrels, String> {
    let mut qrels = Qrels::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 3 {
            return Err(format!(
                "qrels line {}: expected 3 tab-separated columns: {line:?}",
                i + 1
            ));
        }
        let Ok(grade) = cols[2].trim().parse::<i32>() else {
            if i == 0 {
                continue; // header
            }
            return Err(format!(
                "qrels line {}: score {:?} is not an integer",
                i + 1,
                cols[2]
            ));
        };
        qrels
            .entry(cols[0].trim().to_string())
            .or_default()
            .insert(cols[1].trim().to_string(), grade);
    }
    Ok(qrels)
}

/// Reads `dir/qrels/<split>.tsv`.
pub fn read_qrels(dir: &Path, split: &str) -> Result<Qrels, String> {
    parse_qrels(&read(&dir.join("qrels").join(format!("{split}.tsv")))?)
}

/// Parses `queries.jsonl` into id → text.
pub fn parse_queries(text: &str) -> Result<HashMap<String, String>, String> {
    let mut queries = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|err| format!("queries line {}: {err}", i + 1))?;
        let id = match value.get("_id").or_else(|| value.get("id")) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => return Err(format!("queries line {}: no _id", i + 1)),
        };
        let text = value
            .get("text")
            .and_then(|t| t.as_str())
            .ok_or_else(|| format!("queries line {}: no text", i + 1))?;
        queries.insert(id, text.to_string());
    }
    Ok(queries)
}

/// Reads `dir/queries.jsonl`.
pub fn read_queries(dir: &Path) -> Result<HashMap<String, String>, String> {
    parse_queries(&read(&dir.join("queries.jsonl"))?)
}

/// FNV-1a, 64 bits: a fixed, documented hash, so that a query subset never changes between
/// runs, machines or Rust versions.
pub fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Which queries of a split to evaluate: all, or one half of a fixed random split by query id
/// (`dev` = FNV-1a(id) even, `heldout` = odd) for collections that have no train split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subset {
    /// Every query of the split.
    All,
    /// Query ids whose FNV-1a hash is even: the tuning half.
    Dev,
    /// Query ids whose FNV-1a hash is odd: the half never tuned on.
    Heldout,
}

impl Subset {
    /// Parses `all`, `dev` or `heldout`.
    pub fn parse(text: &str) -> Option<Subset> {
        match text {
            "all" => Some(Subset::All),
            "dev" => Some(Subset::Dev),
            "heldout" => Some(Subset::Heldout),
            _ => None,
        }
    }

    /// Whether query `id` is in this subset.
    pub fn contains(self, id: &str) -> bool {
        match self {
            Subset::All => true,
            Subset::Dev => fnv1a(id).is_multiple_of(2),
            Subset::Heldout => !fnv1a(id).is_multiple_of(2),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qrels_with_header_and_grades() {
        let qrels =
            parse_qrels("query-id\tcorpus-id\tscore\n1\t184\t3\n1\t29\t0\n2\td\t1\r\n\n").unwrap();
        assert_eq!(qrels.len(), 2);
        assert_eq!(qrels["1"]["184"], 3);
        assert_eq!(qrels["1"]["29"], 0);
        assert_eq!(qrels["2"]["d"], 1);
        assert!(parse_qrels("1\t2\n").is_err());
        assert!(parse_qrels("h\th\th\n1\t2\tx\n").is_err());
    }

    #[test]
    fn queries_with_string_or_number_ids() {
        let queries = parse_queries(concat!(
            "{\"_id\": \"PLAIN-3\", \"text\": \"Breast Cancer Cells Feed on Cholesterol\"}\n",
            "{\"_id\": 7, \"text\": \"seven\", \"metadata\": {}}\n",
        ))
        .unwrap();
        assert_eq!(
            queries["PLAIN-3"],
            "Breast Cancer Cells Feed on Cholesterol"
        );
        assert_eq!(queries["7"], "seven");
    }

    #[test]
    fn subsets_are_fixed_halves() {
        // Published FNV-1a test vectors.
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
        let ids: Vec<String> = (1..=1000).map(|i| i.to_string()).collect();
        let dev = ids.iter().filter(|id| Subset::Dev.contains(id)).count();
        let heldout = ids.iter().filter(|id| Subset::Heldout.contains(id)).count();
        assert_eq!(dev + heldout, 1000);
        assert!((400..=600).contains(&dev), "{dev}");
        assert!(ids.iter().all(|id| Subset::All.contains(id)));
    }
}
