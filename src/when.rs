//! The one parser for every date flag (`--since`, `--until`, `--older-than`): a weekday
//! ("monday": the most recent one, today included), "today", "yesterday", an age ("3d", "2w",
//! "12h"), an ISO date ("2026-11-02") or a full timestamp ("2026-11-02T09:30:00Z"). All in UTC,
//! as claimdb stores times.

use jiff::civil::{Date, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

use crate::error::InvalidValue;

/// Arabic month names, folded as claimdb folds Arabic (no hamza on alif), with their numbers:
/// the names used in Egypt and the Gulf and the Levantine ones that stand alone.
pub const ARABIC_MONTHS: &[(&str, i8)] = &[
    ("يناير", 1),
    ("فبراير", 2),
    ("مارس", 3),
    ("ابريل", 4),
    ("مايو", 5),
    ("يونيو", 6),
    ("يونيه", 6),
    ("يوليو", 7),
    ("يوليه", 7),
    ("اغسطس", 8),
    ("سبتمبر", 9),
    ("اكتوبر", 10),
    ("نوفمبر", 11),
    ("ديسمبر", 12),
    ("شباط", 2),
    ("اذار", 3),
    ("نيسان", 4),
    ("ايار", 5),
    ("حزيران", 6),
    ("تموز", 7),
    ("ايلول", 9),
];

/// Levantine month words that name a month only with the word after them (كانون الثاني,
/// تشرين الأول) or that are also an ordinary word (آب, "father"): a figure before them is a
/// date, but they alone resolve no month.
pub const ARABIC_MONTH_WORDS: &[&str] = &["كانون", "تشرين", "اب"];

/// English month names, lower case, in order.
pub const ENGLISH_MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Whether a folded, lower-case word is a month name in Arabic or English.
pub fn is_month_word(word: &str) -> bool {
    ARABIC_MONTHS.iter().any(|(m, _)| *m == word)
        || ARABIC_MONTH_WORDS.contains(&word)
        || ENGLISH_MONTHS.contains(&word)
}

/// Which end of a period a date gives: a day given as an end includes that whole day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bound {
    Start,
    End,
}

const EXPECTED: &str = "expected a weekday (monday), today, yesterday, an age such as 3d, 2w or \
                        12h, a date such as 2026-11-02, or a time such as 2026-11-02T09:30:00Z \
                        (UTC)";

/// Reads `raw` as a point in time, in claimdb's stored form (`2026-11-02T00:00:00Z`), so that
/// it compares with stored times as text.
pub fn parse(raw: &str, bound: Bound) -> Result<String, InvalidValue> {
    parse_at(raw, bound, Timestamp::now())
}

/// [`parse`] with "now" given, for tests.
pub fn parse_at(raw: &str, bound: Bound, now: Timestamp) -> Result<String, InvalidValue> {
    let bad = || InvalidValue::new("a date", raw, EXPECTED);
    let text = raw.trim().to_lowercase();
    let today = now.to_zoned(TimeZone::UTC).date();
    let day_start = |date: Date, days_after: i64| -> Result<String, InvalidValue> {
        let date = date
            .checked_add(Span::new().days(days_after))
            .map_err(|_| bad())?;
        let at = date.to_zoned(TimeZone::UTC).map_err(|_| bad())?.timestamp();
        Ok(crate::model::format_timestamp(at))
    };
    // A whole day: from its start, or (as an end) up to the next day's start.
    let day = |date: Date| day_start(date, i64::from(bound == Bound::End));
    if text == "today" {
        return day(today);
    }
    if text == "yesterday" {
        return day(today.yesterday().map_err(|_| bad())?);
    }
    if let Some(weekday) = weekday(&text) {
        let back = (today.weekday().to_monday_zero_offset() - weekday.to_monday_zero_offset())
            .rem_euclid(7);
        return day(today
            .checked_sub(Span::new().days(i64::from(back)))
            .map_err(|_| bad())?);
    }
    if let Some(age) = age(&text) {
        let at = now.checked_sub(age).map_err(|_| bad())?;
        return Ok(crate::model::format_timestamp(at));
    }
    // A date alone (a full time would parse as its date too, losing the time).
    if !text.contains('t') {
        if let Ok(date) = text.parse::<Date>() {
            return day(date);
        }
    }
    raw.trim()
        .parse::<Timestamp>()
        .map(crate::model::format_timestamp)
        .map_err(|_| bad())
}

fn weekday(text: &str) -> Option<Weekday> {
    Some(match text {
        "monday" | "mon" => Weekday::Monday,
        "tuesday" | "tue" => Weekday::Tuesday,
        "wednesday" | "wed" => Weekday::Wednesday,
        "thursday" | "thu" => Weekday::Thursday,
        "friday" | "fri" => Weekday::Friday,
        "saturday" | "sat" => Weekday::Saturday,
        "sunday" | "sun" => Weekday::Sunday,
        _ => return None,
    })
}

/// "3d", "2w", "12h", "30m" (minutes): a span to go back from now.
fn age(text: &str) -> Option<Span> {
    let unit = text.chars().last()?;
    let n: i64 = text[..text.len() - unit.len_utf8()].trim().parse().ok()?;
    if !(0..=100_000).contains(&n) {
        return None;
    }
    Some(match unit {
        'w' => Span::new().hours(n * 24 * 7),
        'd' => Span::new().hours(n * 24),
        'h' => Span::new().hours(n),
        'm' => Span::new().minutes(n),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str, bound: Bound) -> String {
        // A Wednesday.
        let now: Timestamp = "2026-11-25T15:04:05Z".parse().unwrap();
        parse_at(raw, bound, now).unwrap()
    }

    #[test]
    fn every_date_form_reads_as_a_utc_time() {
        assert_eq!(at("monday", Bound::Start), "2026-11-23T00:00:00Z");
        assert_eq!(at("Wednesday", Bound::Start), "2026-11-25T00:00:00Z");
        assert_eq!(at("thursday", Bound::Start), "2026-11-19T00:00:00Z");
        assert_eq!(at("today", Bound::End), "2026-11-26T00:00:00Z");
        assert_eq!(at("yesterday", Bound::Start), "2026-11-24T00:00:00Z");
        assert_eq!(at("3d", Bound::Start), "2026-11-22T15:04:05Z");
        assert_eq!(at("2w", Bound::Start), "2026-11-11T15:04:05Z");
        assert_eq!(at("12h", Bound::Start), "2026-11-25T03:04:05Z");
        assert_eq!(at("2026-11-02", Bound::Start), "2026-11-02T00:00:00Z");
        assert_eq!(at("2026-11-02", Bound::End), "2026-11-03T00:00:00Z");
        assert_eq!(
            at("2026-11-02T09:30:00+02:00", Bound::Start),
            "2026-11-02T07:30:00Z"
        );
    }

    #[test]
    fn a_date_that_is_none_of_them_is_refused_with_the_forms_allowed() {
        let now = Timestamp::now();
        for bad in ["", "someday", "3x", "2026-02-30", "-3d", "d"] {
            let err = parse_at(bad, Bound::Start, now).unwrap_err().to_string();
            assert!(
                err.contains("3d") && err.contains("2026-11-02"),
                "{bad}: {err}"
            );
        }
    }
}
