//! Parses the filter values users type (`2025`, `2023..2025`, `2024-06`) into request values,
//! with errors that say what a good value looks like. Pure.

use crate::error::{Error, Result};
use crate::extract::date::{is_plausible_year, PartialDate};

fn year(flag: &'static str, value: &str, text: &str) -> Result<i32> {
    let bad = || Error::Filter {
        flag,
        value: value.to_string(),
        reason: "expected a year like 2025 or a range like 2023..2025".to_string(),
    };
    let text = text.trim();
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let year: i32 = text.parse().map_err(|_| bad())?;
    if !is_plausible_year(year) {
        return Err(bad());
    }
    Ok(year)
}

/// Parses `--year`: `2025`, or an inclusive range `2023..2025` (also `2023-2025`, `2023–2025`).
///
/// ```
/// assert_eq!(afsearch::search::filter::parse_years("2023..2025").unwrap(), (2023, 2025));
/// assert!(afsearch::search::filter::parse_years("20x5").is_err());
/// ```
pub fn parse_years(value: &str) -> Result<(i32, i32)> {
    const FLAG: &str = "--year";
    let separators = ["..", "–", "-"];
    for sep in separators {
        if let Some((a, b)) = value.split_once(sep) {
            let (first, last) = (year(FLAG, value, a)?, year(FLAG, value, b)?);
            if first > last {
                return Err(Error::Filter {
                    flag: FLAG,
                    value: value.to_string(),
                    reason: format!("the range is backwards; did you mean {last}..{first}?"),
                });
            }
            return Ok((first, last));
        }
    }
    let y = year(FLAG, value, value)?;
    Ok((y, y))
}

/// Parses a `--since`/`--until` date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, validated.
pub fn parse_date(flag: &'static str, value: &str) -> Result<PartialDate> {
    PartialDate::parse_iso(value.trim())
        .filter(|d| is_plausible_year(d.year))
        .ok_or_else(|| Error::Filter {
            flag,
            value: value.to_string(),
            reason: "expected YYYY, YYYY-MM or YYYY-MM-DD (a real date)".to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years() {
        assert_eq!(parse_years("2025").ok(), Some((2025, 2025)));
        assert_eq!(parse_years("2023..2025").ok(), Some((2023, 2025)));
        assert_eq!(parse_years("2023-2025").ok(), Some((2023, 2025)));
        assert_eq!(parse_years("1979–1989").ok(), Some((1979, 1989)));
        for bad in [
            "20x5",
            "",
            "..",
            "2025..",
            "25",
            "20255",
            "2025..2023",
            "0999",
            "-2025",
        ] {
            assert!(parse_years(bad).is_err(), "{bad:?} accepted");
        }
        let err = parse_years("2025..2023").expect_err("backwards");
        assert!(err.to_string().contains("2023..2025"), "{err}");
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("--since", "2024-06").ok(),
            Some(PartialDate::month(2024, 6))
        );
        assert_eq!(
            parse_date("--since", "2024-02-29").ok(),
            Some(PartialDate::day(2024, 2, 29))
        );
        for bad in [
            "2025-13",
            "2025-02-30",
            "2025/01",
            "yesterday",
            "2025-1",
            "",
        ] {
            assert!(parse_date("--since", bad).is_err(), "{bad:?} accepted");
        }
        let err = parse_date("--since", "2025-13").expect_err("bad month");
        assert_eq!(
            err.to_string(),
            "invalid --since value \"2025-13\": expected YYYY, YYYY-MM or YYYY-MM-DD (a real date)"
        );
    }
}
