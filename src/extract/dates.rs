//! The date a sentence gives, resolved against the article's publication date, never more
//! precise than its words: "5 يناير الماضي" is a day, "أواخر مارس" and "last March" a month,
//! "last week" no date at all (it is said why instead).

use jiff::civil::{Date, Weekday};

use super::text::Token;
use crate::when::{ARABIC_MONTHS as AR_MONTHS, ENGLISH_MONTHS as EN_MONTHS};

/// A date found in a sentence: the claim date it gives, if it can be resolved, and what the
/// words were and how they were read.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundDate {
    /// YYYY, YYYY-MM or YYYY-MM-DD; `None` when the words cannot be resolved.
    pub date: Option<String>,
    /// The words as written.
    pub words: String,
    /// How the words were read, or why they were not resolved.
    pub how: String,
}

/// Weekday words; the Arabic ones that are also ordinary words (الأحد "the one", الاثنين "the
/// two") count only after يوم.
const WEEKDAYS: &[(&str, Weekday, bool)] = &[
    ("السبت", Weekday::Saturday, false),
    ("الجمعة", Weekday::Friday, false),
    ("الخميس", Weekday::Thursday, false),
    ("الاربعاء", Weekday::Wednesday, false),
    ("الثلاثاء", Weekday::Tuesday, false),
    ("الاثنين", Weekday::Monday, true),
    ("الاحد", Weekday::Sunday, true),
    ("saturday", Weekday::Saturday, false),
    ("friday", Weekday::Friday, false),
    ("thursday", Weekday::Thursday, false),
    ("wednesday", Weekday::Wednesday, false),
    ("tuesday", Weekday::Tuesday, false),
    ("monday", Weekday::Monday, false),
    ("sunday", Weekday::Sunday, false),
];

/// Words that make a month or weekday "the last one before publication".
const LAST: &[&str] = &["الماضي", "الماضية", "المنصرم", "المنصرمة", "السابق", "last"];
/// Words before a month that narrow it to part of it: the claim date stays the month.
const PART: &[&str] = &[
    "اواخر",
    "اوائل",
    "منتصف",
    "مطلع",
    "بداية",
    "نهاية",
    "late",
    "early",
    "mid",
];

/// The month a word names; English month names count only capitalised ("may" is a verb).
fn month(word: &str, written: &str) -> Option<i8> {
    let bare = strip_prefix(word);
    AR_MONTHS
        .iter()
        .find(|(m, _)| *m == bare)
        .map(|(_, n)| *n)
        .or_else(|| {
            EN_MONTHS
                .iter()
                .position(|m| *m == word && written.starts_with(char::is_uppercase))
                .and_then(|i| i8::try_from(i + 1).ok())
        })
}

/// An Arabic word without a leading و, ف, ب or ل (وفي مارس, بمارس).
fn strip_prefix(word: &str) -> &str {
    for p in ["وفي", "وب", "ول", "و", "ف", "ب", "ل"] {
        if let Some(rest) = word.strip_prefix(p) {
            if rest.chars().count() >= 3 {
                return rest;
            }
        }
    }
    word
}

fn number(word: &str) -> Option<i64> {
    let digits: String = word
        .chars()
        .map(|c| match c {
            '٠'..='٩' => char::from_u32(c as u32 - '٠' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect();
    digits.parse().ok()
}

/// The first date in `words` (a sentence's word tokens, punctuation included), resolved
/// against `published` when it is relative.
pub fn find(text: &str, words: &[Token], published: Option<Date>) -> Option<FoundDate> {
    let w: Vec<&str> = words.iter().map(|t| t.norm.as_str()).collect();
    let span = |a: usize, b: usize| text[words[a].range.start..words[b].range.end].to_owned();
    for i in 0..w.len() {
        if let Some(m) = month(w[i], &text[words[i].range.clone()]) {
            let day = i
                .checked_sub(1)
                .and_then(|j| number(w[j]))
                .filter(|d| (1..=31).contains(d))
                .or_else(|| {
                    // "March 5" and "March 5, 2022"
                    w.get(i + 1)
                        .and_then(|n| number(n))
                        .filter(|d| (1..=31).contains(d))
                });
            let day_before = i > 0 && day.is_some() && number(w[i - 1]).is_some();
            let first = if day_before { i - 1 } else { i };
            let part = first
                .checked_sub(1)
                .filter(|&j| PART.contains(&strip_prefix(w[j])))
                .map(|j| w[j]);
            let first = if part.is_some() { first - 1 } else { first };
            let mut last = if day.is_some() && !day_before {
                i + 1
            } else {
                i
            };
            let mut year = None;
            for (k, word) in w.iter().enumerate().take(last + 3).skip(last + 1) {
                if *word == "," {
                    continue;
                }
                if let Some(y) = number(word).filter(|y| (1900..=2100).contains(y)) {
                    year = Some(y);
                    last = k;
                }
                break;
            }
            let is_last = (w.get(last + 1).is_some_and(|n| LAST.contains(n)))
                || (first > 0 && w[first - 1] == "last");
            if is_last && w.get(last + 1).is_some_and(|n| LAST.contains(n)) {
                last += 1;
            }
            let first = if first > 0 && w[first - 1] == "last" {
                first - 1
            } else {
                first
            };
            let words_text = span(first, last);
            let day = if part.is_some() { None } else { day };
            let (year, how) = match (year, published) {
                (Some(y), _) => (Some(y), "as written".to_owned()),
                (None, Some(p)) => {
                    let y = i64::from(p.year());
                    let before = if is_last {
                        m < p.month()
                    } else {
                        m <= p.month()
                    };
                    let y = if before { y } else { y - 1 };
                    (
                        Some(y),
                        format!("the year is the last {} up to publication", month_name(m)),
                    )
                }
                (None, None) => (
                    None,
                    "the year is not written; give --published to resolve it".to_owned(),
                ),
            };
            let date = year.map(|y| match day {
                Some(d) => format!("{y:04}-{m:02}-{d:02}"),
                None => format!("{y:04}-{m:02}"),
            });
            let date = date.filter(|d| d.parse::<crate::model::ClaimDate>().is_ok());
            return Some(FoundDate {
                date,
                words: words_text,
                how,
            });
        }
        if let Some((_, weekday, needs_day)) = WEEKDAYS
            .iter()
            .find(|(name, _, _)| *name == strip_prefix(w[i]) || *name == w[i])
        {
            let after_day = i > 0 && matches!(w[i - 1], "يوم" | "ويوم" | "on");
            if *needs_day && !after_day {
                continue;
            }
            let first = if after_day { i - 1 } else { i };
            let words_text = span(first, i);
            return Some(match published {
                Some(p) => {
                    // The last such day before publication (an article says "on Saturday"
                    // of the day before, or of the past week).
                    let mut d = p;
                    loop {
                        d = d.yesterday().ok()?;
                        if d.weekday() == *weekday {
                            break;
                        }
                    }
                    FoundDate {
                        date: Some(d.to_string()),
                        words: words_text,
                        how: "the last such weekday before publication".to_owned(),
                    }
                }
                None => FoundDate {
                    date: None,
                    words: words_text,
                    how: "a weekday; give --published to resolve it".to_owned(),
                },
            });
        }
        let next = w.get(i + 1).copied().unwrap_or("");
        let relative = match (strip_prefix(w[i]), next) {
            ("امس", _) | ("yesterday", _) => Some(("day", 1)),
            ("الشهر", n) | ("month", n)
                if LAST.contains(&n) || w[i.saturating_sub(1)] == "last" =>
            {
                Some(("month", 1))
            }
            ("العام", n) | ("السنة", n) | ("year", n)
                if LAST.contains(&n) || w[i.saturating_sub(1)] == "last" =>
            {
                Some(("year", 1))
            }
            ("الاسبوع", n) | ("الايام", n) | ("week", n) | ("days", n)
                if LAST.contains(&n) || w[i.saturating_sub(1)] == "last" || n == "الماضي" =>
            {
                Some(("vague", 0))
            }
            _ => None,
        };
        if let Some((unit, _)) = relative {
            let first = if i > 0 && w[i - 1] == "last" {
                i - 1
            } else {
                i
            };
            let last = if LAST.contains(&next) { i + 1 } else { i };
            let words_text = span(first, last);
            let date = published.and_then(|p| match unit {
                "day" => p.yesterday().ok().map(|d| d.to_string()),
                "month" => p
                    .first_of_month()
                    .yesterday()
                    .ok()
                    .map(|d| format!("{:04}-{:02}", d.year(), d.month())),
                "year" => Some(format!("{:04}", p.year() - 1)),
                _ => None,
            });
            let how = match (unit, &date) {
                ("vague", _) => {
                    "a span before publication, not one day, month or year: left empty".to_owned()
                }
                (_, Some(_)) => "counted back from publication".to_owned(),
                (_, None) => "relative to publication; give --published to resolve it".to_owned(),
            };
            return Some(FoundDate {
                date,
                words: words_text,
                how,
            });
        }
    }
    None
}

fn month_name(m: i8) -> &'static str {
    EN_MONTHS
        .get(usize::try_from(m - 1).unwrap_or(0))
        .copied()
        .unwrap_or("month")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::text::tokens;

    fn date(text: &str, published: Option<&str>) -> Option<FoundDate> {
        let published = published.map(|p| p.parse::<Date>().expect("a test date"));
        find(text, &tokens(text, 0..text.len()), published)
    }

    fn resolved(text: &str, published: &str) -> Option<String> {
        date(text, Some(published)).and_then(|d| d.date)
    }

    #[test]
    fn a_day_and_month_last_resolve_to_the_year_before_publication() {
        assert_eq!(
            resolved("قتل جنديان في 5 يناير الماضي في موبتي", "2022-04-10").as_deref(),
            Some("2022-01-05")
        );
        assert_eq!(
            resolved("قتل جنديان في 5 نوفمبر الماضي", "2022-04-10").as_deref(),
            Some("2021-11-05")
        );
        let found = date("قتل جنديان في 5 يناير الماضي", Some("2022-04-10")).expect("a date");
        assert_eq!(found.words, "5 يناير الماضي");
    }

    #[test]
    fn part_of_a_month_is_the_month() {
        assert_eq!(
            resolved("مجزرة حدثت أواخر مارس في القرية", "2022-04-10").as_deref(),
            Some("2022-03")
        );
        assert_eq!(
            resolved(
                "The raid took place in late March, officials said.",
                "2022-04-10"
            )
            .as_deref(),
            Some("2022-03")
        );
    }

    #[test]
    fn last_month_name_in_english_and_a_written_year() {
        assert_eq!(
            resolved("Last March the minister visited Moscow.", "2022-04-10").as_deref(),
            Some("2022-03")
        );
        assert_eq!(
            resolved("He arrived last April.", "2022-04-10").as_deref(),
            Some("2021-04")
        );
        assert_eq!(
            resolved("وصلت القوات في ديسمبر 2021 إلى المدينة", "2023-01-01").as_deref(),
            Some("2021-12")
        );
        assert_eq!(
            resolved("It happened on March 5, 2020.", "2022-04-10").as_deref(),
            Some("2020-03-05")
        );
    }

    #[test]
    fn weekdays_resolve_to_the_last_one_before_publication() {
        // 2022-04-10 is a Sunday.
        assert_eq!(
            resolved("عرقلت روسيا السبت طلباً", "2022-04-10").as_deref(),
            Some("2022-04-09")
        );
        assert_eq!(
            resolved("Russia blocked the request on Saturday.", "2022-04-10").as_deref(),
            Some("2022-04-09")
        );
        assert_eq!(
            resolved("وفي بيان الجمعة، قالت الوزارة", "2022-04-10").as_deref(),
            Some("2022-04-08")
        );
        // الأحد alone means "the one".
        assert_eq!(date("وهو الأحد بين الرجلين", Some("2022-04-10")), None);
    }

    #[test]
    fn relative_dates_without_publication_or_too_vague_stay_empty_and_say_why() {
        let found = date("قال الوزير أمس إن 5 جنود قتلوا", None).expect("a date");
        assert_eq!(found.date, None);
        assert!(found.how.contains("--published"), "{}", found.how);
        let found = date("Last week the army said 5 died.", Some("2022-04-10")).expect("a date");
        assert_eq!(found.date, None);
        assert!(found.how.contains("left empty"), "{}", found.how);
        assert_eq!(
            resolved("قال الوزير أمس", "2022-04-10").as_deref(),
            Some("2022-04-09")
        );
        assert_eq!(
            resolved("The ministry said last month that", "2022-04-10").as_deref(),
            Some("2022-03")
        );
        let found = date("وقع الهجوم في 5 يناير", None).expect("a date");
        assert_eq!(found.date, None);
        assert!(found.how.contains("--published"), "{}", found.how);
    }
}
