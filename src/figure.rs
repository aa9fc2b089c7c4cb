//! Figures: the numbers a claim states ("about 200 soldiers", "more than 500 dead", "hundreds of
//! civilians"), read from claimdb's figure syntax or from Arabic and English as written, and
//! printed back in the one canonical form.
//!
//! The syntax of one figure (the `--figure` option, the CSV `figures` column, history):
//!
//! ```text
//! [QUAL]LOW[-HIGH] [UNIT] [[WORDS]]
//! ```
//!
//! QUAL is nothing or `=` (exact), `~` (approx), `>` (more than), `>=` (at least), `<` (less
//! than) or `<=` (at most); LOW and HIGH are numbers (Arabic-Indic digits, `1,000` and `1/3` are
//! read too); UNIT is what is counted, free text; WORDS, in brackets at the end, are the words
//! as the claim wrote them. Several figures are separated by `; `.
//!
//! The same parser reads natural phrases: qualifier words (نحو، حوالي، أكثر من، لا يقل عن،
//! about, more than, at least…), number words (ألف، ثلاثة آلاف، مئتين، two hundred…), vague counts
//! (عشرات، مئات، آلاف، dozens, hundreds… as the ranges in [`vague`]), fractions (ثلث، نصف، a
//! third, half), the Arabic dual (مروحيتين = 2) and money (`$10 million a month`). A figure read
//! from natural words keeps them as its WORDS. This module is plain data: no database types.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::Serialize;

use crate::error::InvalidValue;
use crate::fold;

/// How a figure was stated. One text mapping, used by the syntax's words, the CSV, JSON and the
/// database (whose CHECK lists the same words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Qualifier {
    /// "203 militants"
    #[default]
    Exact,
    /// "about 1,000 fighters", نحو ألف
    Approx,
    /// "more than 500 dead", أكثر من
    MoreThan,
    /// "at least 100 men", لا يقل عن
    AtLeast,
    /// "no more than 1,000 personnel", لا يتجاوز
    AtMost,
    /// "fewer than 50", أقل من
    LessThan,
}

impl Qualifier {
    /// Every qualifier, in the order they are documented.
    pub const ALL: &'static [Qualifier] = &[
        Qualifier::Exact,
        Qualifier::Approx,
        Qualifier::MoreThan,
        Qualifier::AtLeast,
        Qualifier::AtMost,
        Qualifier::LessThan,
    ];

    /// The one text form (CSV, JSON, SQLite, command line).
    pub fn as_str(self) -> &'static str {
        match self {
            Qualifier::Exact => "exact",
            Qualifier::Approx => "approx",
            Qualifier::MoreThan => "more_than",
            Qualifier::AtLeast => "at_least",
            Qualifier::AtMost => "at_most",
            Qualifier::LessThan => "less_than",
        }
    }

    /// The sign that opens a figure in the syntax (`~200`).
    pub fn symbol(self) -> &'static str {
        match self {
            Qualifier::Exact => "",
            Qualifier::Approx => "~",
            Qualifier::MoreThan => ">",
            Qualifier::AtLeast => ">=",
            Qualifier::AtMost => "<=",
            Qualifier::LessThan => "<",
        }
    }

    /// The sign a table shows (`≈ 200 soldiers`).
    pub fn display_sign(self) -> &'static str {
        match self {
            Qualifier::Exact => "",
            Qualifier::Approx => "≈ ",
            Qualifier::MoreThan => "> ",
            Qualifier::AtLeast => "≥ ",
            Qualifier::AtMost => "≤ ",
            Qualifier::LessThan => "< ",
        }
    }
}

impl fmt::Display for Qualifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Qualifier {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        let wanted = s.trim().to_lowercase().replace(['-', ' '], "_");
        Qualifier::ALL
            .iter()
            .copied()
            .find(|q| q.as_str() == wanted)
            .ok_or_else(|| {
                let names: Vec<&str> = Qualifier::ALL.iter().map(|q| q.as_str()).collect();
                InvalidValue::new(
                    "a qualifier",
                    s,
                    format!("expected one of: {}", names.join(", ")),
                )
            })
    }
}

impl Serialize for Qualifier {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Qualifier {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl clap::ValueEnum for Qualifier {
    fn value_variants<'a>() -> &'a [Self] {
        Self::ALL
    }
    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

/// One figure of a claim: a value (`low == high`) or a range, what it counts, how it was
/// stated, and the words as written.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Figure {
    pub low: f64,
    /// Equal to `low` for a single value.
    pub high: f64,
    /// What is counted (`soldiers`, `usd_per_month`); compared folded (see [`unit_key`]).
    pub unit: Option<String>,
    pub qualifier: Qualifier,
    /// The claim's own words for the figure (`نحو ألف من مقاتلي`).
    pub words: Option<String>,
}

impl Figure {
    /// A single exact value with nothing else.
    pub fn value(value: f64) -> Figure {
        Figure {
            low: value,
            high: value,
            unit: None,
            qualifier: Qualifier::Exact,
            words: None,
        }
    }

    /// The folded unit that figures are compared by (empty without a unit).
    pub fn unit_key(&self) -> String {
        self.unit.as_deref().map(unit_key).unwrap_or_default()
    }

    /// Checks what the syntax could not print back: finite numbers in order, a unit and words
    /// without the characters that delimit figures.
    pub fn validate(&self) -> Result<(), InvalidValue> {
        let invalid = |why: &str| InvalidValue::new("a figure", self.to_string(), why.to_owned());
        if !self.low.is_finite() || !self.high.is_finite() {
            return Err(invalid("its numbers must be finite"));
        }
        if self.high < self.low {
            return Err(invalid(
                "a range goes from the lower number to the higher one",
            ));
        }
        if let Some(unit) = &self.unit {
            if unit.trim() != unit || unit.is_empty() {
                return Err(invalid("its unit must not start or end with a space"));
            }
            if unit.contains(['[', ']', ';']) || unit.chars().any(char::is_control) {
                return Err(invalid(
                    "its unit must not contain [, ], ; or control characters",
                ));
            }
            // The unit must read back as itself after a number: "5 million" is 5000000.
            let reread = read(&format!("1 {unit}"));
            let same = reread.as_ref().is_some_and(|(p, u)| {
                p.low == 1.0
                    && p.high == 1.0
                    && p.qualifier == Qualifier::Exact
                    && (!p.natural || self.words.is_some())
                    && u.as_deref() == Some(unit.as_str())
            });
            if !same {
                return Err(invalid(
                    "its unit starts with words that belong to the number (e.g. million, ألف, \
                     %, to 5): write the whole number instead (10000000 usd)",
                ));
            }
        }
        if let Some(words) = &self.words {
            if words.trim() != words || words.is_empty() {
                return Err(invalid("its words must not start or end with a space"));
            }
            if words.contains(['[', ']']) || words.chars().any(char::is_control) {
                return Err(invalid(
                    "its words must not contain [, ] or control characters",
                ));
            }
        }
        Ok(())
    }

    /// The compact form tables show: `≈ 200 soldiers`, `200-999 civilians`.
    pub fn display(&self) -> String {
        let mut out = format!(
            "{}{}",
            self.qualifier.display_sign(),
            number_text(self.low, self.high)
        );
        if let Some(unit) = &self.unit {
            out.push(' ');
            out.push_str(unit);
        }
        out
    }

    /// The interval of values that the figure allows, for telling whether two figures can both
    /// be true. An approximate figure allows [`APPROX_MARGIN`] either side.
    pub fn bounds(&self) -> Bounds {
        let (low, high) = (self.low, self.high);
        match self.qualifier {
            Qualifier::Exact => Bounds::closed(low, high),
            Qualifier::Approx => {
                let margin = |v: f64| v.abs() * APPROX_MARGIN;
                Bounds::closed(low - margin(low), high + margin(high))
            }
            Qualifier::MoreThan => Bounds {
                low,
                low_open: true,
                high: f64::INFINITY,
                high_open: false,
            },
            Qualifier::AtLeast => Bounds::closed(low, f64::INFINITY),
            Qualifier::AtMost => Bounds::closed(f64::NEG_INFINITY, high),
            Qualifier::LessThan => Bounds {
                low: f64::NEG_INFINITY,
                low_open: false,
                high,
                high_open: true,
            },
        }
    }

    /// Whether this figure and `other` count the same thing and cannot both be true.
    pub fn conflicts_with(&self, other: &Figure) -> bool {
        !self.unit_key().is_empty()
            && self.unit_key() == other.unit_key()
            && !self.bounds().overlaps(&other.bounds())
    }

    /// Whether `value` is the figure's value or lies within its range.
    pub fn contains(&self, value: f64) -> bool {
        self.low <= value && value <= self.high
    }
}

/// How far an approximate figure reaches either side of its value: "about 300" allows 270 to
/// 330, so it does not conflict with 290 but does with 203.
pub const APPROX_MARGIN: f64 = 0.10;

/// An interval of values; open ends exclude their number ("more than 5" excludes 5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    pub low: f64,
    pub low_open: bool,
    pub high: f64,
    pub high_open: bool,
}

impl Bounds {
    fn closed(low: f64, high: f64) -> Bounds {
        Bounds {
            low,
            low_open: false,
            high,
            high_open: false,
        }
    }

    /// Whether some value lies in both intervals.
    pub fn overlaps(&self, other: &Bounds) -> bool {
        self.overlaps_from_below(other) && other.overlaps_from_below(self)
    }

    /// Whether this interval reaches up into `other` (it does not lie wholly below it).
    pub fn overlaps_from_below(&self, other: &Bounds) -> bool {
        !(self.high < other.low || (self.high == other.low && (self.high_open || other.low_open)))
    }
}

impl fmt::Display for Figure {
    /// The canonical syntax: `~200 soldiers [نحو 200 جندي]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}{}",
            self.qualifier.symbol(),
            number_text(self.low, self.high)
        )?;
        if let Some(unit) = &self.unit {
            write!(f, " {unit}")?;
        }
        if let Some(words) = &self.words {
            write!(f, " [{words}]")?;
        }
        Ok(())
    }
}

impl FromStr for Figure {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        parse(s)
    }
}

fn number_text(low: f64, high: f64) -> String {
    if low == high {
        format_number(low)
    } else {
        format!("{}-{}", format_number(low), format_number(high))
    }
}

/// The shortest decimal that reads back as the same number, without exponent or separators.
pub fn format_number(value: f64) -> String {
    // `-0` prints as "-0"; it is the same figure as 0.
    let value = if value == 0.0 { 0.0 } else { value };
    format!("{value}")
}

/// The folded form of a unit that figures are compared by: case, spaces, Arabic letter forms
/// and diacritics do not matter (`Police Officers` = `police  officers`).
pub fn unit_key(unit: &str) -> String {
    fold::fold(unit)
}

/// Parses a list of figures separated by `;` (a `;` inside `[words]` does not separate).
pub fn parse_list(text: &str) -> Result<Vec<Figure>, InvalidValue> {
    split_list(text)
        .into_iter()
        .map(str::trim)
        .filter(|piece| !piece.is_empty())
        .map(parse)
        .collect()
}

/// Prints figures as one `; `-separated cell.
pub fn format_list(figures: &[Figure]) -> String {
    figures
        .iter()
        .map(|f| f.to_string())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Prints figures compactly for a table: `≈ 200 soldiers; 9 police officers`.
pub fn display_list(figures: &[Figure]) -> String {
    figures
        .iter()
        .map(Figure::display)
        .collect::<Vec<_>>()
        .join("; ")
}

fn split_list(text: &str) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            ';' if depth == 0 => {
                pieces.push(&text[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    pieces.push(&text[start..]);
    pieces
}

const SYNTAX_HELP: &str = "expected a figure such as 200, ~1000 fighters, >=100 men, 200-999 \
                           civilians killed, or words such as 'نحو ألف مقاتل' or 'more than 500 \
                           dead' (see `claimdb add --help`)";

/// Parses one figure, in the canonical syntax or in natural Arabic or English words.
pub fn parse(text: &str) -> Result<Figure, InvalidValue> {
    let invalid = |why: &str| InvalidValue::new("a figure", text, why.to_owned());
    let trimmed = text.trim();
    let (head, words) = match trimmed.strip_suffix(']') {
        Some(before) => {
            let open = before
                .rfind('[')
                .ok_or_else(|| invalid("a ] without its ["))?;
            let words = before[open + 1..].trim();
            (
                before[..open].trim_end(),
                (!words.is_empty()).then(|| words.to_owned()),
            )
        }
        None => (trimmed, None),
    };
    let (found, unit) = read(head).ok_or_else(|| invalid(SYNTAX_HELP))?;
    let figure = Figure {
        low: found.low,
        high: found.high,
        unit,
        qualifier: found.qualifier,
        words: words.or_else(|| found.natural.then(|| head.to_owned())),
    };
    figure.validate()?;
    Ok(figure)
}

/// Reads a figure without its `[words]`: the phrase, and its unit (what the phrase names, then
/// the rest of the text).
fn read(head: &str) -> Option<(Phrase, Option<String>)> {
    let tokens = tokenize(head);
    let first = tokens.first()?;
    if !head[..first.range.start].trim().is_empty() {
        return None;
    }
    let found = phrase_at(head, &tokens, 0, Mode::Whole)?;
    let rest_start = tokens[found.end - 1].range.end;
    let mut rest = head[rest_start..].trim();
    if found.natural {
        for connector in ["من ", "of "] {
            if let Some(after) = rest.strip_prefix(connector) {
                rest = after.trim_start();
            }
        }
    }
    let unit: Vec<&str> = [found.unit_hint.as_deref(), Some(rest)]
        .into_iter()
        .flatten()
        .filter(|s| !s.is_empty())
        .collect();
    let unit = (!unit.is_empty()).then(|| unit.join(" "));
    Some((found, unit))
}

/// Every figure in a free text, with the byte range of its words (number, qualifier and the
/// word after it, taken as its unit). Years (a lone 1900-2100) and dates (`27 مارس`) are not
/// figures.
pub fn figures_in(text: &str) -> Vec<(Range<usize>, Figure)> {
    let tokens = tokenize(text);
    let mut found = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let Some(phrase) = phrase_at(text, &tokens, i, Mode::Text) else {
            i += 1;
            continue;
        };
        let mut end = phrase.end;
        let mut unit = phrase.unit_hint.clone();
        // "سيارتين مفخختين": an adjective agrees with the dual and counts nothing more.
        let is_dual = phrase.end == phrase.start + 1 && phrase.low == 2.0 && unit.is_some();
        if is_dual {
            if let Some(Kind::Word(w)) = tokens.get(end).map(|t| &t.kind) {
                if (w.ends_with("تين") || w.ends_with("تان")) && w.chars().count() >= 6 {
                    end += 1;
                }
            }
        }
        if unit.is_none() {
            let mut j = end;
            while let Some(Token {
                kind: Kind::Word(w),
                ..
            }) = tokens.get(j)
            {
                if CONNECTORS.contains(&w.as_str()) {
                    j += 1;
                } else {
                    break;
                }
            }
            if let Some(
                t @ Token {
                    kind: Kind::Word(w),
                    ..
                },
            ) = tokens.get(j)
            {
                // A comma or a full stop between them: the next word starts another phrase
                // ("القاعدة الجوية 101، التي").
                let gap = &text[tokens[j - 1].range.end..t.range.start];
                if gap.chars().all(char::is_whitespace)
                    && !STOPWORDS.contains(&w.as_str())
                    && number_word(w).is_none()
                {
                    unit = Some(text[t.range.clone()].to_owned());
                    end = j + 1;
                }
            }
        }
        // "القاعدة الجوية 101", "Resolution 2401": a bare number after a name is part of it.
        let names = unit.is_none()
            && phrase.qualifier == Qualifier::Exact
            && !phrase.natural
            && phrase.start > 0
            && match &tokens[phrase.start - 1].kind {
                Kind::Word(_) => {
                    let written = &text[tokens[phrase.start - 1].range.clone()];
                    written.starts_with("ال") || written.starts_with(char::is_uppercase)
                }
                _ => false,
            }
            && text[tokens[phrase.start - 1].range.end..tokens[phrase.start].range.start]
                .chars()
                .all(char::is_whitespace);
        if names {
            i = end;
            continue;
        }
        let range = tokens[phrase.start].range.start..tokens[end - 1].range.end;
        found.push((
            range.clone(),
            Figure {
                low: phrase.low,
                high: phrase.high,
                unit,
                qualifier: phrase.qualifier,
                words: Some(text[range].to_owned()),
            },
        ));
        i = end;
    }
    found
}

// ----- tokens --------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    /// A number written in digits, with its value.
    Number(f64),
    /// A run of letters, folded (see [`fold`]).
    Word(String),
    /// One sign: ~ ≈ > < = ≥ ≤ - – $ % ٪ and `>=`, `<=` as one.
    Sign(&'static str),
}

#[derive(Debug, Clone)]
struct Token {
    kind: Kind,
    range: Range<usize>,
}

fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '\u{0660}'..='\u{0669}' => Some(c as u32 - 0x0660),
        '\u{06F0}'..='\u{06F9}' => Some(c as u32 - 0x06F0),
        _ => None,
    }
}

fn is_letter(c: char) -> bool {
    c.is_alphabetic()
        || unicode_normalization::char::is_combining_mark(c)
        || matches!(c, '\u{0640}' | '\u{200C}' | '\u{200D}')
}

fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i).map_or(text.len(), |(b, _)| *b);
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if digit(c).is_some() {
            let (value, next) = scan_number(&chars, i);
            tokens.push(Token {
                kind: Kind::Number(value),
                range: start..end_of(next),
            });
            i = next;
        } else if is_letter(c) {
            let mut j = i;
            while j < chars.len() && is_letter(chars[j].1) {
                j += 1;
            }
            let word = fold::fold(&text[start..end_of(j)]);
            if !word.is_empty() {
                tokens.push(Token {
                    kind: Kind::Word(word),
                    range: start..end_of(j),
                });
            }
            i = j;
        } else {
            let next = chars.get(i + 1).map(|(_, c)| *c);
            let (sign, width): (Option<&'static str>, usize) = match (c, next) {
                ('>', Some('=')) => (Some(">="), 2),
                ('<', Some('=')) => (Some("<="), 2),
                ('~' | '≈', _) => (Some("~"), 1),
                ('>', _) => (Some(">"), 1),
                ('<', _) => (Some("<"), 1),
                ('≥', _) => (Some(">="), 1),
                ('≤', _) => (Some("<="), 1),
                ('=', _) => (Some("="), 1),
                ('-' | '–', _) => (Some("-"), 1),
                ('$', _) => (Some("$"), 1),
                ('%' | '٪', _) => (Some("%"), 1),
                _ => (None, 1),
            };
            if let Some(sign) = sign {
                tokens.push(Token {
                    kind: Kind::Sign(sign),
                    range: start..end_of(i + width),
                });
            }
            i += width;
        }
    }
    tokens
}

/// Reads digits from `chars[i]`: thousands groups (`1,000`, `1٬000`), one decimal point (`.`
/// or `٫`) or a fraction (`1/3`). Returns the value and the index after the number.
fn scan_number(chars: &[(usize, char)], mut i: usize) -> (f64, usize) {
    let at = |i: usize| chars.get(i).map(|(_, c)| *c);
    let mut digits = String::new();
    let run = |i: &mut usize, digits: &mut String| {
        while let Some(d) = at(*i).and_then(digit) {
            digits.push(char::from(b'0' + d as u8));
            *i += 1;
        }
    };
    run(&mut i, &mut digits);
    // Thousands groups: a separator followed by exactly three digits.
    while matches!(at(i), Some(',' | '٬'))
        && (1..=3).all(|k| at(i + k).and_then(digit).is_some())
        && at(i + 4).and_then(digit).is_none()
    {
        i += 1;
        run(&mut i, &mut digits);
    }
    if matches!(at(i), Some('.' | '٫')) && at(i + 1).and_then(digit).is_some() {
        digits.push('.');
        i += 1;
        run(&mut i, &mut digits);
    } else if at(i) == Some('/') && at(i + 1).and_then(digit).is_some() {
        let mut denominator = String::new();
        let mut j = i + 1;
        run(&mut j, &mut denominator);
        let (n, d) = (
            digits.parse::<f64>().unwrap_or(f64::NAN),
            denominator.parse::<f64>().unwrap_or(f64::NAN),
        );
        if d != 0.0 {
            return (n / d, j);
        }
    }
    (digits.parse().unwrap_or(f64::NAN), i)
}

// ----- words ---------------------------------------------------------------------------------

/// What a number word means.
#[derive(Debug, Clone, Copy, PartialEq)]
enum NumberWord {
    /// A value that adds up: واحد, five, عشرين, ثلاثمئة.
    Small(f64),
    /// A hundred: multiplies what came before (ثلاث مئة) or stands for 100.
    Hundred,
    /// A scale: multiplies what came before (ثلاثة آلاف) or stands for one of it; `plural`
    /// words (آلاف, millions) standing alone are a vague count.
    Scale { value: f64, plural: bool },
    /// A vague count: عشرات / dozens (`tens`), مئات / hundreds.
    Vague(f64),
    /// A share: ثلث, half.
    Fraction(f64),
}

/// The meaning of one folded word, also with a leading و ("and") or the article.
fn number_word(word: &str) -> Option<NumberWord> {
    fn lookup(w: &str) -> Option<NumberWord> {
        use NumberWord::*;
        Some(match w {
            "واحد" | "واحده" | "one" => Small(1.0),
            "اثنان" | "اثنين" | "اثنتان" | "اثنتين" | "two" => Small(2.0),
            "ثلاث" | "ثلاثه" | "three" => Small(3.0),
            "اربع" | "اربعه" | "four" => Small(4.0),
            "خمس" | "خمسه" | "five" => Small(5.0),
            "ست" | "سته" | "six" => Small(6.0),
            "سبع" | "سبعه" | "seven" => Small(7.0),
            "ثمان" | "ثماني" | "ثمانيه" | "eight" => Small(8.0),
            "تسع" | "تسعه" | "nine" => Small(9.0),
            "عشر" | "عشره" | "ten" => Small(10.0),
            "eleven" => Small(11.0),
            "twelve" => Small(12.0),
            "thirteen" => Small(13.0),
            "fourteen" => Small(14.0),
            "fifteen" => Small(15.0),
            "sixteen" => Small(16.0),
            "seventeen" => Small(17.0),
            "eighteen" => Small(18.0),
            "nineteen" => Small(19.0),
            "عشرون" | "عشرين" | "twenty" => Small(20.0),
            "ثلاثون" | "ثلاثين" | "thirty" => Small(30.0),
            "اربعون" | "اربعين" | "forty" => Small(40.0),
            "خمسون" | "خمسين" | "fifty" => Small(50.0),
            "ستون" | "ستين" | "sixty" => Small(60.0),
            "سبعون" | "سبعين" | "seventy" => Small(70.0),
            "ثمانون" | "ثمانين" | "eighty" => Small(80.0),
            "تسعون" | "تسعين" | "ninety" => Small(90.0),
            "dozen" => Small(12.0),
            "مئه" | "مائه" | "hundred" => Hundred,
            "مئتان" | "مئتين" | "مئتي" | "مائتان" | "مائتين" | "مائتي" => {
                Small(200.0)
            }
            "الف" | "thousand" => Scale {
                value: 1e3,
                plural: false,
            },
            "الفان" | "الفين" | "الفي" => Small(2e3),
            "الاف" | "thousands" => Scale {
                value: 1e3,
                plural: true,
            },
            "مليون" | "million" => Scale {
                value: 1e6,
                plural: false,
            },
            "مليونان" | "مليونين" | "مليوني" => Small(2e6),
            "ملايين" | "millions" => Scale {
                value: 1e6,
                plural: true,
            },
            "مليار" | "billion" => Scale {
                value: 1e9,
                plural: false,
            },
            "ملياران" | "مليارين" | "ملياري" => Small(2e9),
            "مليارات" | "billions" => Scale {
                value: 1e9,
                plural: true,
            },
            "عشرات" | "dozens" | "tens" => Vague(10.0),
            "مئات" | "hundreds" => Vague(100.0),
            "ثلث" | "third" => Fraction(1.0 / 3.0),
            "ثلثي" | "ثلثا" | "thirds" => Fraction(2.0 / 3.0),
            "نصف" | "half" => Fraction(0.5),
            "ربع" | "quarter" => Fraction(0.25),
            _ => {
                // ثلاثمئة, خمسمائة: a unit word and مئة written as one word.
                for hundred in ["مئه", "مائه"] {
                    if let Some(unit) = w.strip_suffix(hundred) {
                        if let Some(Small(n)) = lookup(unit).filter(|_| !unit.is_empty()) {
                            if (3.0..=9.0).contains(&n) {
                                return Some(Small(n * 100.0));
                            }
                        }
                    }
                }
                return None;
            }
        })
    }
    lookup(word).or_else(|| {
        ["وال", "ال", "و"].iter().find_map(|p| {
            word.strip_prefix(p)
                .filter(|r| !r.is_empty())
                .and_then(lookup)
        })
    })
}

/// Qualifier phrases, folded, longest first where one starts another.
const QUALIFIER_WORDS: &[(&[&str], Qualifier)] = &[
    (&["ما", "لا", "يقل", "عن"], Qualifier::AtLeast),
    (&["لا", "يقل", "عن"], Qualifier::AtLeast),
    (&["ما", "لا", "يزيد", "علي"], Qualifier::AtMost),
    (&["ما", "لا", "يزيد", "عن"], Qualifier::AtMost),
    (&["لا", "يزيد", "علي"], Qualifier::AtMost),
    (&["لا", "يزيد", "عن"], Qualifier::AtMost),
    (&["لا", "يتجاوز"], Qualifier::AtMost),
    (&["لا", "يتعدي"], Qualifier::AtMost),
    (&["ما", "يزيد", "علي"], Qualifier::MoreThan),
    (&["ما", "يزيد", "عن"], Qualifier::MoreThan),
    (&["يزيد", "علي"], Qualifier::MoreThan),
    (&["يزيد", "عن"], Qualifier::MoreThan),
    (&["اكثر", "من"], Qualifier::MoreThan),
    (&["اقل", "من"], Qualifier::LessThan),
    (&["ما", "يقرب", "من"], Qualifier::Approx),
    (&["يقرب", "من"], Qualifier::Approx),
    (&["ما", "يقارب"], Qualifier::Approx),
    (&["يقارب"], Qualifier::Approx),
    (&["نحو"], Qualifier::Approx),
    (&["حوالي"], Qualifier::Approx),
    (&["قرابه"], Qualifier::Approx),
    (&["زهاء"], Qualifier::Approx),
    (&["no", "more", "than"], Qualifier::AtMost),
    (&["not", "more", "than"], Qualifier::AtMost),
    (&["no", "fewer", "than"], Qualifier::AtLeast),
    (&["no", "less", "than"], Qualifier::AtLeast),
    (&["not", "less", "than"], Qualifier::AtLeast),
    (&["at", "least"], Qualifier::AtLeast),
    (&["at", "most"], Qualifier::AtMost),
    (&["up", "to"], Qualifier::AtMost),
    (&["more", "than"], Qualifier::MoreThan),
    (&["over"], Qualifier::MoreThan),
    (&["above"], Qualifier::MoreThan),
    (&["fewer", "than"], Qualifier::LessThan),
    (&["less", "than"], Qualifier::LessThan),
    (&["under"], Qualifier::LessThan),
    (&["below"], Qualifier::LessThan),
    (&["about"], Qualifier::Approx),
    (&["around"], Qualifier::Approx),
    (&["roughly"], Qualifier::Approx),
    (&["nearly"], Qualifier::Approx),
    (&["almost"], Qualifier::Approx),
    (&["approximately"], Qualifier::Approx),
    (&["some"], Qualifier::Approx),
    (&["an", "estimated"], Qualifier::Approx),
    (&["estimated"], Qualifier::Approx),
];

/// Words between a number and what it counts ("9 من عناصر الشرطة", "a third of the forces",
/// "5,000 more troops").
const CONNECTORS: &[&str] = &["من", "of", "more", "additional", "other", "extra", "اضافي"];

/// Words that never name what a figure counts.
const STOPWORDS: &[&str] = &[
    "في", "علي", "الي", "عن", "و", "او", "ان", "انه", "قد", "مع", "ما", "لا", "هذا", "هذه", "منذ",
    "and", "or", "in", "on", "at", "to", "the", "a", "an", "for", "by", "with", "from", "that",
    "than", "per", "is", "are", "was", "were",
];

// ----- phrases -------------------------------------------------------------------------------

/// Whether a whole field is being read as a figure (everything after the number is its unit)
/// or figures are being found in running text (stricter: no lone years, no dates).
#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    Whole,
    Text,
}

/// A number phrase found at some token.
#[derive(Debug, Clone)]
struct Phrase {
    start: usize,
    /// The token after the phrase.
    end: usize,
    low: f64,
    high: f64,
    qualifier: Qualifier,
    /// Read from words, not only from the syntax.
    natural: bool,
    /// A unit the phrase itself names: usd, usd_per_month, percent, or the singular of a dual.
    unit_hint: Option<String>,
}

/// An amount: a number, number words, a vague count or a fraction.
#[derive(Debug, Clone)]
struct Amount {
    end: usize,
    low: f64,
    high: f64,
    natural: bool,
    /// The scale the amount ended with (10-20 million: 20 ends with a million).
    scale: Option<f64>,
    /// Only number words, no digits.
    from_words: bool,
    unit_hint: Option<String>,
}

fn word_at(tokens: &[Token], i: usize) -> Option<&str> {
    match tokens.get(i) {
        Some(Token {
            kind: Kind::Word(w),
            ..
        }) => Some(w.as_str()),
        _ => None,
    }
}

fn sign_at(tokens: &[Token], i: usize) -> Option<&'static str> {
    match tokens.get(i) {
        Some(Token {
            kind: Kind::Sign(s),
            ..
        }) => Some(s),
        _ => None,
    }
}

/// Tidies a product such as 1.1 × 1000000 to the whole number it means.
fn tidy(v: f64) -> f64 {
    let r = v.round();
    if (v - r).abs() <= 1e-9 * v.abs().max(1.0) {
        r
    } else {
        v
    }
}

/// The figure phrase that starts at token `start`, if one does.
fn phrase_at(text: &str, tokens: &[Token], start: usize, mode: Mode) -> Option<Phrase> {
    let mut i = start;
    let mut qualifier = Qualifier::Exact;
    let mut natural = false;
    match sign_at(tokens, i) {
        Some(sign @ ("~" | ">" | ">=" | "<" | "<=" | "=")) => {
            qualifier = match sign {
                "~" => Qualifier::Approx,
                ">" => Qualifier::MoreThan,
                ">=" => Qualifier::AtLeast,
                "<" => Qualifier::LessThan,
                "<=" => Qualifier::AtMost,
                _ => Qualifier::Exact,
            };
            i += 1;
        }
        _ => {
            if let Some((len, q)) = qualifier_words(tokens, i) {
                qualifier = q;
                natural = true;
                i += len;
            }
        }
    }
    // "أكثر من عقد", "more than a decade": a decade is ten years (only after a qualifier:
    // alone, عقد is as often a contract).
    if natural {
        let k = if word_at(tokens, i) == Some("a") {
            i + 1
        } else {
            i
        };
        let years = match word_at(tokens, k) {
            Some("عقد" | "decade") => Some(10.0),
            Some("عقدين" | "عقدان") => Some(20.0),
            _ => None,
        };
        if let Some(v) = years {
            return Some(Phrase {
                start,
                end: k + 1,
                low: v,
                high: v,
                qualifier,
                natural: true,
                unit_hint: Some("years".into()),
            });
        }
    }
    // "between 60 and 100", "بين 60 و100"
    let between = matches!(word_at(tokens, i), Some("between" | "بين"))
        || (word_at(tokens, i) == Some("ما") && word_at(tokens, i + 1) == Some("بين"));
    if between {
        let skip = if word_at(tokens, i) == Some("ما") {
            2
        } else {
            1
        };
        if let Some(p) = between_range(text, tokens, i + skip, mode) {
            return Some(Phrase {
                start,
                qualifier,
                natural: true,
                ..p
            });
        }
    }
    let dollar = sign_at(tokens, i) == Some("$");
    if dollar {
        i += 1;
    }
    let opens = Start {
        opens: true,
        qualified: natural,
        ..Start::default()
    };
    let first = amount(text, tokens, i, mode, opens)?;
    if mode == Mode::Text && qualifier == Qualifier::Exact && !dollar {
        if let Some(Kind::Number(v)) = tokens.get(i).map(|t| &t.kind) {
            let lone_year = first.end == i + 1
                && v.fract() == 0.0
                && (1900.0..=2100.0).contains(v)
                && !text[tokens[i].range.clone()].contains([',', '٬']);
            let date = word_at(tokens, first.end).is_some_and(crate::when::is_month_word);
            if lone_year || date {
                return None;
            }
        }
        if first.from_words && first.low == 1.0 && first.high == 1.0 {
            return None;
        }
    }
    natural |= first.natural || dollar;
    let (mut low, mut high, mut end) = (first.low, first.high, first.end);
    let mut unit_hint = first.unit_hint.clone();
    // A range: 200-999, 60 to 100, ٦٠ إلى ١٠٠
    let to = match (sign_at(tokens, end), word_at(tokens, end)) {
        (Some("-"), _) => Some(false),
        (_, Some("to" | "الي")) => Some(true),
        _ => None,
    };
    if let Some(worded) = to {
        let after_dash = Start {
            after_dash: true,
            ..Start::default()
        };
        if let Some(second) = amount(text, tokens, end + 1, mode, after_dash) {
            if let (None, Some(scale)) = (first.scale, second.scale) {
                low = tidy(low * scale);
            }
            if second.low < low {
                // "5-3 men" is no range; in running text it is not a figure either way.
                if mode == Mode::Whole {
                    return None;
                }
            } else {
                high = second.high;
                end = second.end;
                natural |= worded || second.natural;
                unit_hint = second.unit_hint.or(unit_hint);
            }
        }
    }
    let (hint, after) = unit_after(tokens, end, dollar);
    if let Some(hint) = hint {
        // "%" and "dollars" are words the syntax would not print; "usd" reads as itself.
        if after > end {
            let written = &text[tokens[end].range.start..tokens[after - 1].range.end];
            natural |= written != hint;
        }
        unit_hint = Some(hint);
        end = after;
    }
    if high < low {
        return None;
    }
    Some(Phrase {
        start,
        end,
        low,
        high,
        qualifier,
        natural,
        unit_hint,
    })
}

/// "between A and B" from the token after "between".
fn between_range(text: &str, tokens: &[Token], i: usize, mode: Mode) -> Option<Phrase> {
    let first = amount(
        text,
        tokens,
        i,
        mode,
        Start {
            stop_at_waw: true,
            ..Start::default()
        },
    )?;
    let mut j = first.end;
    let mut strip_waw = false;
    match word_at(tokens, j) {
        Some("and" | "و") => j += 1,
        Some(w) if w.starts_with('و') => strip_waw = true,
        _ => return None,
    }
    let how = Start {
        strip_waw,
        ..Start::default()
    };
    let second = amount(text, tokens, j, mode, how)?;
    let mut low = first.low;
    if let (None, Some(scale)) = (first.scale, second.scale) {
        low = tidy(low * scale);
    }
    if second.high < low {
        return None;
    }
    let (hint, after) = unit_after(tokens, second.end, false);
    Some(Phrase {
        start: i,
        end: if hint.is_some() { after } else { second.end },
        low,
        high: second.high,
        qualifier: Qualifier::Exact,
        natural: true,
        unit_hint: hint.or(second.unit_hint),
    })
}

/// The longest qualifier phrase at token `i`: its length in tokens and its qualifier.
fn qualifier_words(tokens: &[Token], i: usize) -> Option<(usize, Qualifier)> {
    QUALIFIER_WORDS
        .iter()
        .filter(|(words, _)| {
            words.iter().enumerate().all(|(k, w)| {
                word_at(tokens, i + k).is_some_and(|t| {
                    t == *w
                        || (k == 0
                            && ['و', 'ل', 'ب']
                                .iter()
                                .any(|p| t.strip_prefix(*p) == Some(w)))
                })
            })
        })
        .max_by_key(|(words, _)| words.len())
        .map(|(words, q)| (words.len(), *q))
}

/// Units a phrase names after its number: `%` and percent, dollars, and "a month".
fn unit_after(tokens: &[Token], i: usize, dollar: bool) -> (Option<String>, usize) {
    if sign_at(tokens, i) == Some("%") {
        return (Some("percent".into()), i + 1);
    }
    match (word_at(tokens, i), word_at(tokens, i + 1)) {
        (Some("percent" | "بالمئه" | "بالمائه"), _) => {
            return (Some("percent".into()), i + 1)
        }
        (Some("في"), Some("مئه" | "مائه")) => return (Some("percent".into()), i + 2),
        _ => {}
    }
    let mut j = i;
    let mut money = dollar;
    if matches!(
        word_at(tokens, j),
        Some("dollars" | "dollar" | "دولار" | "دولارا")
    ) {
        money = true;
        j += 1;
    }
    if !money {
        return (None, i);
    }
    let monthly = match (word_at(tokens, j), word_at(tokens, j + 1)) {
        (Some("a" | "per" | "each" | "every"), Some("month")) => Some(2),
        (Some("monthly" | "شهريا"), _) => Some(1),
        (Some("في"), Some("شهر")) => Some(2),
        _ => None,
    };
    match monthly {
        Some(n) => (Some("usd_per_month".into()), j + n),
        None => (Some("usd".into()), j),
    }
}

/// How [`amount`] reads its first tokens.
#[derive(Debug, Clone, Copy, Default)]
struct Start {
    /// The token opens the figure: a minus sign glued to the digits is the number's sign.
    opens: bool,
    /// After a range dash: the same for the second number.
    after_dash: bool,
    /// A word that starts with و ends the amount ("بين عشرة وعشرين").
    stop_at_waw: bool,
    /// The first word's leading و joins it to what came before: read it without.
    strip_waw: bool,
    /// A qualifier came first ("more than"): a word that is a count only after one (عقد, a
    /// decade, which is also a contract) is one here.
    qualified: bool,
}

/// An amount at token `i`: digits, number words, a vague count, a fraction or a dual.
fn amount(text: &str, tokens: &[Token], mut i: usize, mode: Mode, how: Start) -> Option<Amount> {
    let mut negative = false;
    if mode == Mode::Whole && (how.opens || how.after_dash) && sign_at(tokens, i) == Some("-") {
        if let Some(Token {
            kind: Kind::Number(_),
            range,
        }) = tokens.get(i + 1)
        {
            if range.start == tokens[i].range.end {
                negative = true;
                i += 1;
            }
        }
    }
    let mut total = 0.0;
    let mut current: Option<f64> = None;
    let mut natural = false;
    let mut from_words = true;
    let mut scale = None;
    let mut vague: Option<(f64, f64)> = None;
    let mut fraction: Option<f64> = None;
    let mut j = i;
    if let Some(decade) = decade(tokens, j, mode == Mode::Whole || how.qualified) {
        return Some(decade);
    }
    // "a hundred", "a third", "a dozen", "one million"
    if matches!(word_at(tokens, j), Some("a" | "an" | "one"))
        && word_at(tokens, j + 1).is_some_and(|w| {
            matches!(
                number_word(w),
                Some(
                    NumberWord::Hundred
                        | NumberWord::Scale { plural: false, .. }
                        | NumberWord::Fraction(_)
                        | NumberWord::Small(12.0)
                )
            )
        })
    {
        natural = true;
        j += 1;
    }
    loop {
        match tokens.get(j).map(|t| &t.kind) {
            Some(Kind::Number(v)) if j == i => {
                if v.is_nan() {
                    return None;
                }
                // In running text, digits glued to Latin letters or a dash are a name (Mi-24).
                if mode == Mode::Text {
                    let before = text[..tokens[j].range.start].chars().next_back();
                    if before.is_some_and(|c| c.is_ascii_alphabetic() || c == '-' || c == '/') {
                        return None;
                    }
                }
                current = Some(*v);
                from_words = false;
            }
            Some(Kind::Word(w)) => {
                if how.stop_at_waw && j > i && w.starts_with('و') {
                    break;
                }
                let bare = match (j == i && how.strip_waw, w.strip_prefix('و')) {
                    (true, Some(rest)) => rest,
                    _ => w.as_str(),
                };
                let Some(meaning) = number_word(bare) else {
                    break;
                };
                match meaning {
                    NumberWord::Scale { .. } if fraction.is_some() => {}
                    NumberWord::Scale { plural: true, .. } if vague.is_some() => {}
                    _ if vague.is_some() || fraction.is_some() => break,
                    _ => {}
                }
                natural = true;
                match meaning {
                    NumberWord::Small(n) => match current {
                        None => current = Some(n),
                        // ثلاثة عشر
                        Some(c) if n == 10.0 && c < 10.0 => current = Some(c + 10.0),
                        // خمسة وعشرون
                        Some(c) if c < 10.0 && (20.0..100.0).contains(&n) => current = Some(c + n),
                        // twenty five; ثلاثمئة وخمسون
                        Some(c)
                            if (c >= 100.0 && c % 100.0 == 0.0 && n < 100.0)
                                || ((20.0..100.0).contains(&c) && c % 10.0 == 0.0 && n < 10.0) =>
                        {
                            current = Some(c + n)
                        }
                        Some(_) => break,
                    },
                    NumberWord::Hundred => current = Some(current.unwrap_or(1.0) * 100.0),
                    NumberWord::Scale { value, plural } => {
                        if let Some((lo, hi)) = vague {
                            // عشرات الآلاف, hundreds of thousands
                            vague = Some((lo * value, hi * value + (value - 1.0)));
                            scale = Some(value);
                            j += 1;
                            break;
                        }
                        if let Some(share) = fraction {
                            // نصف مليون
                            fraction = Some(tidy(share * value));
                            scale = Some(value);
                            j += 1;
                            break;
                        }
                        match current.take() {
                            Some(c) => total += tidy(c * value),
                            None if plural => {
                                vague = Some((2.0 * value, 10.0 * value - 1.0));
                            }
                            None => total += value,
                        }
                        scale = Some(value);
                    }
                    NumberWord::Vague(base) => {
                        if current.is_some() || total > 0.0 {
                            break;
                        }
                        let grows = |k: usize| {
                            word_at(tokens, k).is_some_and(|w| {
                                matches!(
                                    number_word(w),
                                    Some(NumberWord::Scale { plural: true, .. })
                                )
                            })
                        };
                        // "tens of thousands", عشرات الآلاف: the range grows with the scale
                        let of_scale = word_at(tokens, j + 1) == Some("of") && grows(j + 2);
                        vague = Some(match base {
                            10.0 if of_scale || grows(j + 1) => (20.0, 99.0),
                            10.0 => (24.0, 99.0),
                            _ => (2.0 * base, 10.0 * base - 1.0),
                        });
                        if of_scale {
                            j += 1;
                        }
                    }
                    NumberWord::Fraction(share) => {
                        if total > 0.0 {
                            break;
                        }
                        let share = match current.take() {
                            // "two thirds"
                            Some(c) if share == 2.0 / 3.0 => {
                                if c != 2.0 {
                                    break;
                                }
                                share
                            }
                            Some(c) => c * share,
                            None => share,
                        };
                        fraction = Some(share);
                    }
                }
            }
            _ => break,
        }
        j += 1;
        // "and" inside English numbers: two hundred and fifty
        if word_at(tokens, j) == Some("and")
            && current.is_some_and(|c| c >= 100.0)
            && word_at(tokens, j + 1)
                .is_some_and(|w| matches!(number_word(w), Some(NumberWord::Small(_))))
        {
            j += 1;
        }
    }
    let sign = if negative { -1.0 } else { 1.0 };
    let (low, high) = match (vague, fraction) {
        (Some(range), _) => range,
        (None, Some(share)) => (share, share),
        (None, None) if current.is_some() || total > 0.0 => {
            let sum = total + current.unwrap_or(0.0);
            let v = if scale.is_some() { tidy(sum) } else { sum } * sign;
            (v, v)
        }
        (None, None) => return dual(text, tokens, i, mode, how),
    };
    if !low.is_finite() || !high.is_finite() {
        return None;
    }
    Some(Amount {
        end: j,
        low,
        high,
        natural,
        scale,
        from_words,
        unit_hint: None,
    })
}

/// A decade as ten years: "a decade", عقد (only in a figure of its own or after a qualifier,
/// since عقد is also a contract), عقدين (two).
fn decade(tokens: &[Token], i: usize, alone: bool) -> Option<Amount> {
    let (word, end) = match (word_at(tokens, i), word_at(tokens, i + 1)) {
        (Some("a" | "one"), Some(w @ "decade")) => (w, i + 2),
        (Some(w @ "decade"), _) if alone => (w, i + 1),
        (Some(w @ ("عقد" | "عقدين" | "عقدان")), _) if alone => (w, i + 1),
        _ => return None,
    };
    let years = if word.starts_with("عقد") && word.len() > "عقد".len() {
        20.0
    } else {
        10.0
    };
    Some(Amount {
        end,
        low: years,
        high: years,
        natural: true,
        scale: None,
        from_words: true,
        unit_hint: Some("years".to_owned()),
    })
}

/// The Arabic dual as a count of two: مروحيتين is two helicopters, جنديين two soldiers. In
/// running text only the feminine dual (ـتين، ـتان) counts, since a masculine ـين is as often
/// a plural (المدنيين).
fn dual(text: &str, tokens: &[Token], i: usize, mode: Mode, how: Start) -> Option<Amount> {
    let folded = word_at(tokens, i)?;
    let folded = match (
        how.strip_waw || mode == Mode::Text,
        folded.strip_prefix('و'),
    ) {
        (true, Some(rest)) if rest.chars().count() >= 4 => rest,
        _ => folded,
    };
    if folded.starts_with("ال")
        || !folded
            .chars()
            .all(|c| ('\u{0621}'..='\u{064A}').contains(&c))
    {
        return None;
    }
    let letters = folded.chars().count();
    // The stem as written, without diacritics, for the unit.
    let written: String = text[tokens[i].range.clone()]
        .chars()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c) && *c != '\u{0640}')
        .collect();
    let written = written
        .strip_prefix('و')
        .filter(|_| written.chars().count() > letters)
        .unwrap_or(&written);
    let cut = |n: usize| {
        written
            .chars()
            .take(written.chars().count().saturating_sub(n))
            .collect::<String>()
    };
    let singular = if (folded.ends_with("تين") || folded.ends_with("تان"))
        && (mode == Mode::Whole || (letters >= 6 && !["بروتين", "روتين"].contains(&folded)))
    {
        format!("{}ة", cut(3))
    } else if mode == Mode::Whole
        && letters >= 4
        && (folded.ends_with("ين") || folded.ends_with("ان"))
    {
        cut(2)
    } else {
        return None;
    };
    Some(Amount {
        end: i + 1,
        low: 2.0,
        high: 2.0,
        natural: true,
        scale: None,
        from_words: false,
        unit_hint: Some(singular),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_bare_number_after_a_name_is_part_of_the_name() {
        assert!(figures_in("جنوب غربي القاعدة الجوية 101، التي تستخدمها").is_empty());
        assert!(figures_in("under Resolution 2401, the council").is_empty());
        // A count still counts: with its unit, or after a verb.
        assert_eq!(figures_in("القاعدة الجوية 101 جندي").len(), 1);
        assert_eq!(figures_in("the toll rose to 300.").len(), 1);
    }

    #[test]
    fn more_than_a_decade_is_more_than_ten_years() {
        for text in [
            "الصراع الممتد لأكثر من عقد",
            "a conflict of more than a decade",
        ] {
            let found = figures_in(text);
            assert_eq!(found.len(), 1, "{text}");
            let f = &found[0].1;
            assert_eq!((f.low, f.qualifier), (10.0, Qualifier::MoreThan), "{text}");
            assert_eq!(f.unit.as_deref(), Some("years"));
        }
        assert!(figures_in("وقعت الشركة عقد توريد").is_empty());
    }

    #[test]
    fn an_adjective_agreeing_with_a_dual_is_not_a_second_figure() {
        let found = figures_in("ضبطت الشرطة سيارتين مفخختين في المدينة");
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].1.low, 2.0);
        assert_eq!(found[0].1.words.as_deref(), Some("سيارتين مفخختين"));
    }

    #[test]
    fn more_troops_count_troops() {
        let found = figures_in("it would send 5,000 more troops and 20 additional tanks");
        let units: Vec<Option<&str>> = found.iter().map(|(_, f)| f.unit.as_deref()).collect();
        assert_eq!(units, [Some("troops"), Some("tanks")]);
        assert_eq!(found[0].1.words.as_deref(), Some("5,000 more troops"));
    }

    #[test]
    fn ma_yaqrubu_min_is_approximate() {
        let found = figures_in("بناء ما يقرب من 12 خيمة عسكرية");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1.qualifier, Qualifier::Approx);
        assert_eq!(found[0].1.words.as_deref(), Some("ما يقرب من 12 خيمة"));
    }

    #[test]
    fn a_figure_takes_no_unit_across_a_comma() {
        let found = figures_in("قتل منهم 101، التي تستخدمها القوات. he counted 12, which");
        let units: Vec<Option<&str>> = found.iter().map(|(_, f)| f.unit.as_deref()).collect();
        assert_eq!(units, [None, None]);
        let found = figures_in("نحو 200 جندي و9 ضباط");
        assert_eq!(found[0].1.unit.as_deref(), Some("جندي"));
    }

    use super::*;

    #[track_caller]
    fn reads(input: &str, low: f64, high: f64, qualifier: Qualifier, unit: Option<&str>) {
        let f = parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
        assert_eq!(
            (f.low, f.high, f.qualifier, f.unit.as_deref()),
            (low, high, qualifier, unit),
            "{input:?} read as {f:?}"
        );
    }

    use Qualifier::*;

    #[test]
    fn qualifier_words_round_trip_through_their_one_mapping() {
        for q in Qualifier::ALL {
            assert_eq!(q.as_str().parse::<Qualifier>(), Ok(*q));
        }
        assert_eq!("More-Than".parse::<Qualifier>(), Ok(MoreThan));
        assert!("about".parse::<Qualifier>().is_err());
    }

    #[test]
    fn the_canonical_syntax() {
        reads("200", 200.0, 200.0, Exact, None);
        reads("=200 soldiers", 200.0, 200.0, Exact, Some("soldiers"));
        reads("~1000 fighters", 1000.0, 1000.0, Approx, Some("fighters"));
        reads(">500 dead", 500.0, 500.0, MoreThan, Some("dead"));
        reads(">=100 men", 100.0, 100.0, AtLeast, Some("men"));
        reads("<50 people", 50.0, 50.0, LessThan, Some("people"));
        reads(
            "<=1000 personnel",
            1000.0,
            1000.0,
            AtMost,
            Some("personnel"),
        );
        reads("60-100 trucks", 60.0, 100.0, Exact, Some("trucks"));
        reads("60–100 trucks", 60.0, 100.0, Exact, Some("trucks"));
        reads(
            "200-999 civilians killed",
            200.0,
            999.0,
            Exact,
            Some("civilians killed"),
        );
        reads("0.5 share", 0.5, 0.5, Exact, Some("share"));
        reads("-3 degrees", -3.0, -3.0, Exact, Some("degrees"));
        reads("1/3 share", 1.0 / 3.0, 1.0 / 3.0, Exact, Some("share"));
        reads("1,000 troops", 1000.0, 1000.0, Exact, Some("troops"));
        reads("١٬٠٠٠ جندي", 1000.0, 1000.0, Exact, Some("جندي"));
        reads("٢٠٣ مسلحين", 203.0, 203.0, Exact, Some("مسلحين"));
        reads("۲۰۳", 203.0, 203.0, Exact, None);
        reads("٢٫٥ million", 2_500_000.0, 2_500_000.0, Exact, None);
        let f = parse("~200 soldiers [نحو 200 جندي]").unwrap();
        assert_eq!(f.words.as_deref(), Some("نحو 200 جندي"));
        assert_eq!(f.to_string(), "~200 soldiers [نحو 200 جندي]");
        assert_eq!(parse("200 soldiers").unwrap().words, None);
    }

    #[test]
    fn arabic_qualifier_words() {
        reads("نحو 200 جندي", 200.0, 200.0, Approx, Some("جندي"));
        reads("حوالي ٣٠٠ مدني", 300.0, 300.0, Approx, Some("مدني"));
        reads("قرابة 50 شاحنة", 50.0, 50.0, Approx, Some("شاحنة"));
        reads("زهاء ألف مقاتل", 1000.0, 1000.0, Approx, Some("مقاتل"));
        reads("أكثر من 500 قتيل", 500.0, 500.0, MoreThan, Some("قتيل"));
        reads("ما يزيد على 40 قرية", 40.0, 40.0, MoreThan, Some("قرية"));
        reads("لا يقل عن 100 رجل", 100.0, 100.0, AtLeast, Some("رجل"));
        reads("ما لا يقل عن 100 رجل", 100.0, 100.0, AtLeast, Some("رجل"));
        reads("لا يتجاوز ألف عنصر", 1000.0, 1000.0, AtMost, Some("عنصر"));
        reads("لا يزيد على 30 طائرة", 30.0, 30.0, AtMost, Some("طائرة"));
        reads("أقل من 20 سيارة", 20.0, 20.0, LessThan, Some("سيارة"));
        let f = parse("نحو ألف من مقاتلي فاجنر").unwrap();
        assert_eq!(
            (f.low, f.qualifier, f.unit.as_deref(), f.words.as_deref()),
            (
                1000.0,
                Approx,
                Some("مقاتلي فاجنر"),
                Some("نحو ألف من مقاتلي فاجنر")
            )
        );
    }

    #[test]
    fn arabic_number_words_plurals_and_duals() {
        reads("ألف جندي", 1000.0, 1000.0, Exact, Some("جندي"));
        reads("ثلاثة آلاف جندي", 3000.0, 3000.0, Exact, Some("جندي"));
        reads("3 آلاف جندي", 3000.0, 3000.0, Exact, Some("جندي"));
        reads("عشرة آلاف لاجئ", 10_000.0, 10_000.0, Exact, Some("لاجئ"));
        reads("مليون دولار", 1e6, 1e6, Exact, Some("usd"));
        reads(
            "10 ملايين دولار شهرياً",
            1e7,
            1e7,
            Exact,
            Some("usd_per_month"),
        );
        reads("مئة جندي", 100.0, 100.0, Exact, Some("جندي"));
        reads("مائة جندي", 100.0, 100.0, Exact, Some("جندي"));
        reads("ثلاثمئة جندي", 300.0, 300.0, Exact, Some("جندي"));
        reads("خمسمائة جندي", 500.0, 500.0, Exact, Some("جندي"));
        reads("مئتي جندي", 200.0, 200.0, Exact, Some("جندي"));
        reads("خمسة وعشرون جنديا", 25.0, 25.0, Exact, Some("جنديا"));
        reads("ثلاثة عشر قتيلا", 13.0, 13.0, Exact, Some("قتيلا"));
        reads("خمسين شاحنة", 50.0, 50.0, Exact, Some("شاحنة"));
        reads("ألفي جندي", 2000.0, 2000.0, Exact, Some("جندي"));
        reads("مروحيتين", 2.0, 2.0, Exact, Some("مروحية"));
        reads("جنديين", 2.0, 2.0, Exact, Some("جندي"));
        reads(
            "ثلث قوات تاكوبا",
            1.0 / 3.0,
            1.0 / 3.0,
            Exact,
            Some("قوات تاكوبا"),
        );
        reads(
            "نحو ثلث القوات",
            1.0 / 3.0,
            1.0 / 3.0,
            Approx,
            Some("القوات"),
        );
        reads("نصف السكان", 0.5, 0.5, Exact, Some("السكان"));
        reads("ثلثي الجنود", 2.0 / 3.0, 2.0 / 3.0, Exact, Some("الجنود"));
        reads("بين 60 و100 شاحنة", 60.0, 100.0, Exact, Some("شاحنة"));
        reads("60 إلى 100 شاحنة", 60.0, 100.0, Exact, Some("شاحنة"));
        reads("40% من القوات", 40.0, 40.0, Exact, Some("percent القوات"));
    }

    #[test]
    fn vague_counts_are_documented_ranges() {
        reads("عشرات المدنيين", 24.0, 99.0, Exact, Some("المدنيين"));
        reads("مئات المدنيين", 200.0, 999.0, Exact, Some("المدنيين"));
        reads("آلاف اللاجئين", 2000.0, 9999.0, Exact, Some("اللاجئين"));
        reads(
            "عشرات الآلاف من اللاجئين",
            20_000.0,
            99_999.0,
            Exact,
            Some("اللاجئين"),
        );
        reads("مئات الآلاف", 200_000.0, 999_999.0, Exact, None);
        reads("ملايين الدولارات", 2e6, 1e7 - 1.0, Exact, Some("الدولارات"));
        reads("dozens of civilians", 24.0, 99.0, Exact, Some("civilians"));
        reads(
            "hundreds of civilians",
            200.0,
            999.0,
            Exact,
            Some("civilians"),
        );
        reads(
            "thousands of refugees",
            2000.0,
            9999.0,
            Exact,
            Some("refugees"),
        );
        reads(
            "tens of thousands of refugees",
            20_000.0,
            99_999.0,
            Exact,
            Some("refugees"),
        );
        reads(
            "hundreds of thousands of people",
            200_000.0,
            999_999.0,
            Exact,
            Some("people"),
        );
    }

    #[test]
    fn english_phrases() {
        reads(
            "about 1,000 fighters",
            1000.0,
            1000.0,
            Approx,
            Some("fighters"),
        );
        reads(
            "around 200 soldiers",
            200.0,
            200.0,
            Approx,
            Some("soldiers"),
        );
        reads("roughly 50 trucks", 50.0, 50.0, Approx, Some("trucks"));
        reads("nearly 300 dead", 300.0, 300.0, Approx, Some("dead"));
        reads("approximately 12 towns", 12.0, 12.0, Approx, Some("towns"));
        reads("more than 500 dead", 500.0, 500.0, MoreThan, Some("dead"));
        reads("over 40 villages", 40.0, 40.0, MoreThan, Some("villages"));
        reads("at least 100 men", 100.0, 100.0, AtLeast, Some("men"));
        reads(
            "at most 1000 personnel",
            1000.0,
            1000.0,
            AtMost,
            Some("personnel"),
        );
        reads(
            "no more than 1,000 personnel",
            1000.0,
            1000.0,
            AtMost,
            Some("personnel"),
        );
        reads("up to 400 troops", 400.0, 400.0, AtMost, Some("troops"));
        reads("fewer than 50 people", 50.0, 50.0, LessThan, Some("people"));
        reads("less than 2 km", 2.0, 2.0, LessThan, Some("km"));
        reads("two helicopters", 2.0, 2.0, Exact, Some("helicopters"));
        reads(
            "two hundred and fifty men",
            250.0,
            250.0,
            Exact,
            Some("men"),
        );
        reads(
            "three thousand soldiers",
            3000.0,
            3000.0,
            Exact,
            Some("soldiers"),
        );
        reads("a hundred men", 100.0, 100.0, Exact, Some("men"));
        reads("a dozen towns", 12.0, 12.0, Exact, Some("towns"));
        reads("10 million", 1e7, 1e7, Exact, None);
        reads("2.5 million people", 2.5e6, 2.5e6, Exact, Some("people"));
        reads(
            "$10 million a month",
            1e7,
            1e7,
            Exact,
            Some("usd_per_month"),
        );
        reads("$300", 300.0, 300.0, Exact, Some("usd"));
        reads(
            "a third of Takuba's forces",
            1.0 / 3.0,
            1.0 / 3.0,
            Exact,
            Some("Takuba's forces"),
        );
        reads("roughly a third", 1.0 / 3.0, 1.0 / 3.0, Approx, None);
        reads("half of the army", 0.5, 0.5, Exact, Some("the army"));
        reads(
            "between 60 and 100 trucks",
            60.0,
            100.0,
            Exact,
            Some("trucks"),
        );
        reads("60 to 100 trucks", 60.0, 100.0, Exact, Some("trucks"));
        reads("10-20 million dollars", 1e7, 2e7, Exact, Some("usd"));
        reads(
            "15% of the budget",
            15.0,
            15.0,
            Exact,
            Some("percent the budget"),
        );
        reads("more than a decade", 10.0, 10.0, MoreThan, Some("years"));
        reads("أكثر من عقد", 10.0, 10.0, MoreThan, Some("years"));
        reads("عقدين", 20.0, 20.0, Exact, Some("years"));
    }

    #[test]
    fn nonsense_is_refused_with_the_syntax() {
        for bad in [
            "",
            "soldiers",
            "~",
            "[words]",
            "200 [a",
            "5-3 men",
            "200 sol;diers",
        ] {
            let err = parse(bad).unwrap_err();
            assert_eq!(err.what, "a figure", "{bad:?}");
        }
        assert!(parse("soldiers")
            .unwrap_err()
            .to_string()
            .contains("~1000 fighters"));
    }

    #[test]
    fn lists_split_on_semicolons_outside_words() {
        let figures =
            parse_list("~200 soldiers [نحو 200 جندي]; 9 police officers [9; من عناصر الشرطة]")
                .unwrap();
        assert_eq!(figures.len(), 2);
        assert_eq!(figures[1].words.as_deref(), Some("9; من عناصر الشرطة"));
        assert_eq!(
            format_list(&figures),
            "~200 soldiers [نحو 200 جندي]; 9 police officers [9; من عناصر الشرطة]"
        );
        assert_eq!(display_list(&figures), "≈ 200 soldiers; 9 police officers");
        assert_eq!(parse_list("").unwrap(), vec![]);
    }

    #[test]
    fn figures_are_found_in_running_text() {
        let text = "قالت مصادر إن نحو 200 جندي و9 من عناصر الشرطة وصلوا في 27 مارس 2022، \
                    ومعهم مروحيتين وأكثر من ألف مقاتل.";
        let found: Vec<(String, f64, f64, Qualifier, Option<String>)> = figures_in(text)
            .into_iter()
            .map(|(r, f)| (text[r].to_owned(), f.low, f.high, f.qualifier, f.unit))
            .collect();
        assert_eq!(
            found,
            [
                (
                    "نحو 200 جندي".into(),
                    200.0,
                    200.0,
                    Approx,
                    Some("جندي".into())
                ),
                ("9 من عناصر".into(), 9.0, 9.0, Exact, Some("عناصر".into())),
                ("مروحيتين".into(), 2.0, 2.0, Exact, Some("مروحية".into())),
                (
                    "وأكثر من ألف مقاتل".into(),
                    1000.0,
                    1000.0,
                    MoreThan,
                    Some("مقاتل".into())
                ),
            ]
        );
        let english = "In 2021, about 5 civilians were killed; later reports said dozens of \
                       civilians and one Mi-24 were lost, over $2 million a month.";
        let found: Vec<(f64, f64, Qualifier, Option<String>)> = figures_in(english)
            .into_iter()
            .map(|(_, f)| (f.low, f.high, f.qualifier, f.unit))
            .collect();
        assert_eq!(
            found,
            [
                (5.0, 5.0, Approx, Some("civilians".into())),
                (24.0, 99.0, Exact, Some("civilians".into())),
                (2e6, 2e6, MoreThan, Some("usd_per_month".into())),
            ]
        );
    }

    #[test]
    fn overlapping_ranges_do_not_conflict_and_disjoint_ones_do() {
        let f = |s: &str| parse(s).unwrap();
        assert!(f("5 civilians killed").conflicts_with(&f("50 civilians killed")));
        assert!(!f("~300 civilians").conflicts_with(&f("290 Civilians")));
        assert!(f("~300 civilians").conflicts_with(&f("203 civilians")));
        assert!(!f("200-999 civilians").conflicts_with(&f(">500 civilians")));
        assert!(f("24-99 civilians").conflicts_with(&f("200-999 civilians")));
        assert!(f(">5 men").conflicts_with(&f("5 men")));
        assert!(!f(">=5 men").conflicts_with(&f("5 men")));
        assert!(f("<5 men").conflicts_with(&f("5 men")));
        assert!(!f("<=5 men").conflicts_with(&f("1-5 men")));
        assert!(
            !f("5 soldiers").conflicts_with(&f("50 civilians")),
            "different things"
        );
        assert!(
            !f("5").conflicts_with(&f("50")),
            "no unit, nothing to compare"
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_read_without_panic(
            text in "[\u{0621}-\u{064A}\u{064B}-\u{0652}\u{0640}\u{0660}-\u{0669}\u{FEFB}0-9a-z$%٪~<>=.,/ ;\\[\\]-]{0,40}",
            any in ".{0,40}",
        ) {
            for t in [&text, &any] {
                let _ = parse(t);
                let _ = parse_list(t);
                for (range, figure) in figures_in(t) {
                    proptest::prop_assert!(t.get(range).is_some());
                    proptest::prop_assert!(figure.low <= figure.high);
                }
            }
        }

        #[test]
        fn printing_and_parsing_round_trip(
            low in -1e9f64..1e12,
            width in proptest::option::of(0f64..1e6),
            q in 0usize..6,
            unit in proptest::option::of("[a-z_]{1,8}( [a-z]{1,8})?|[\u{0621}-\u{064A}]{2,8}"),
            words in proptest::option::of("[\u{0621}-\u{064A}0-9a-z;,.! ]{0,20}[\u{0621}-\u{064A}a-z]"),
        ) {
            let high = width.map_or(low, |w| low + w);
            let words = words.map(|w| w.trim().to_owned()).filter(|w| !w.is_empty());
            let f = Figure { low, high, unit, qualifier: Qualifier::ALL[q], words };
            proptest::prop_assume!(f.validate().is_ok());
            let printed = f.to_string();
            let back = parse(&printed).map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            proptest::prop_assert_eq!(back.to_string(), printed);
            proptest::prop_assert_eq!(back, f);
        }
    }
}
