//! The fact-check model: claims, sources, stances, statuses, and the values they are made of.
//!
//! Each enumerated value has exactly one text mapping (the `text_enum!` table below). Clap, the
//! CSV format, JSON output and SQLite all go through it, and `schema.sql` mirrors it in a CHECK.

use std::fmt;
use std::str::FromStr;

use crate::store::sql;
use serde::Serialize;

use crate::error::InvalidValue;

/// Defines an enum whose variants map one-to-one to lower-case words, with every conversion
/// derived from that one table.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $what:literal {
            $($(#[$vmeta:meta])* $variant:ident => $text:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in the order they are documented.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The one text form of this value (CSV, JSON, SQLite, command line).
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = InvalidValue;
            fn from_str(s: &str) -> Result<Self, InvalidValue> {
                parse_word(s, $what, Self::ALL, |v| v.as_str())
            }
        }

        impl clap::ValueEnum for $name {
            fn value_variants<'a>() -> &'a [Self] {
                Self::ALL
            }
            fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
                Some(clap::builder::PossibleValue::new(self.as_str()))
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }

        impl sql::ToSql for $name {
            fn to_sql(&self) -> sql::ValueRef<'_> {
                sql::ValueRef::Text(self.as_str())
            }
        }

        impl sql::FromSql for $name {
            fn from_sql(value: sql::ValueRef<'_>) -> sql::Result<Self> {
                sql::text_of(value)?
                    .parse()
                    .map_err(|e: InvalidValue| sql::Error::conversion(e.to_string()))
            }
        }
    };
}

/// Finds the variant named `input`, forgiving case, surrounding spaces and `-` or a space for `_`
/// ("In-Review" is `in_review`); otherwise names every allowed word and the closest one.
fn parse_word<T: Copy>(
    input: &str,
    what: &'static str,
    all: &[T],
    name: impl Fn(T) -> &'static str,
) -> Result<T, InvalidValue> {
    let wanted = input.trim().to_lowercase().replace(['-', ' '], "_");
    if let Some(found) = all.iter().copied().find(|v| name(*v) == wanted) {
        return Ok(found);
    }
    let names: Vec<&'static str> = all.iter().map(|v| name(*v)).collect();
    let suggestion = names
        .iter()
        .map(|n| (strsim::jaro_winkler(n, &wanted), *n))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, n)| n);
    Err(InvalidValue {
        what,
        value: input.to_owned(),
        expected: format!("expected one of: {}", names.join(", ")),
        suggestion,
    })
}

text_enum! {
    /// Where a claim stands in the verification workflow: `unverified` → `in_review` → a verdict.
    #[derive(Default)]
    Status, "a status" {
        #[default]
        Unverified => "unverified",
        InReview => "in_review",
        Verified => "verified",
        Misleading => "misleading",
        False => "false",
        Disputed => "disputed",
        Unverifiable => "unverifiable",
    }
}

impl Status {
    /// Verdicts close a check, so they must say why (`status ID VERDICT --note WHY`).
    pub fn is_verdict(self) -> bool {
        matches!(
            self,
            Status::Verified | Status::Misleading | Status::False | Status::Unverifiable
        )
    }
}

pub use crate::figure::{Figure, Qualifier};

impl sql::ToSql for Qualifier {
    fn to_sql(&self) -> sql::ValueRef<'_> {
        sql::ValueRef::Text(self.as_str())
    }
}

impl sql::FromSql for Qualifier {
    fn from_sql(value: sql::ValueRef<'_>) -> sql::Result<Self> {
        sql::text_of(value)?
            .parse()
            .map_err(|e: InvalidValue| sql::Error::conversion(e.to_string()))
    }
}

text_enum! {
    /// What kind of body a source is.
    SourceKind, "a source kind" {
        Government => "government",
        Military => "military",
        Intergovernmental => "intergovernmental",
        Ngo => "ngo",
        ThinkTank => "think_tank",
        Media => "media",
        Other => "other",
    }
}

text_enum! {
    /// Whether a further source backs a claim or contradicts it.
    Stance, "a stance" {
        Supports => "supports",
        Disputes => "disputes",
    }
}

text_enum! {
    /// What kind of event a history row records.
    Action, "a history action" {
        Create => "create",
        Edit => "edit",
        Status => "status",
        Cite => "cite",
        Import => "import",
        Merge => "merge",
        Review => "review",
        /// Given to someone, or taken back (the new value is empty).
        Assign => "assign",
        /// Set aside with a reason, or brought back (the new value is empty).
        Archive => "archive",
        /// A verdict proposed under the review gate, waiting for a second person.
        Propose => "propose",
        /// A proposed verdict approved by a second person: the claim's status changes.
        Approve => "approve",
        /// A proposed verdict sent back with a reason: the status stays as it was.
        Return => "return",
    }
}

text_enum! {
    /// Why a claim was archived instead of getting a verdict: desks close claims that are not
    /// worth checking or not checkable at all without inventing a verdict for them.
    ArchiveKind, "an archive reason" {
        /// Entered by mistake (a test, a duplicate typed twice, the wrong article).
        Mistake => "mistake",
        /// Real but not worth a check (trivial, out of scope, already stale).
        NotCheckWorthy => "not_check_worthy",
        /// An opinion or prediction, not a checkable statement of fact.
        Opinion => "opinion",
        /// Any other reason, given in the note.
        Other => "other",
    }
}

/// When a claimed event happened, as precisely as the article says: `2022`, `2022-03` or
/// `2022-03-27`. Full dates must exist in the calendar (no 2022-02-30).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ClaimDate(String);

impl fmt::Display for ClaimDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for ClaimDate {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, InvalidValue> {
        let invalid = |why: &str| {
            InvalidValue::new(
                "a date",
                s,
                format!("expected YYYY, YYYY-MM or YYYY-MM-DD{why}"),
            )
        };
        let text = s.trim();
        let parts: Vec<&str> = text.split('-').collect();
        let widths_ok = matches!(parts.len(), 1..=3)
            && parts[0].len() == 4
            && parts[1..].iter().all(|p| p.len() == 2)
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
        if !widths_ok {
            return Err(invalid(""));
        }
        let number = |p: &str| p.parse::<i16>().map_err(|_| invalid(""));
        let year = number(parts[0])?;
        if parts.len() >= 2 {
            let month = number(parts[1])?;
            if !(1..=12).contains(&month) {
                return Err(invalid(": the month must be 01 to 12"));
            }
            if parts.len() == 3 {
                let day = number(parts[2])?;
                // i8 casts are safe: month is 1..=12 and day has two digits.
                jiff::civil::Date::new(year, month as i8, day as i8)
                    .map_err(|_| invalid(": that day is not in the calendar"))?;
            }
        }
        Ok(ClaimDate(text.to_owned()))
    }
}

impl<'de> serde::Deserialize<'de> for ClaimDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl sql::ToSql for ClaimDate {
    fn to_sql(&self) -> sql::ValueRef<'_> {
        sql::ValueRef::Text(&self.0)
    }
}

impl sql::FromSql for ClaimDate {
    fn from_sql(value: sql::ValueRef<'_>) -> sql::Result<Self> {
        Ok(ClaimDate(sql::text_of(value)?.to_owned()))
    }
}

/// Parses a claimed figure. Arabic-Indic (`١٠٠٠`) and Persian (`۱۰۰۰`) digits and the Arabic
/// decimal separator (`٫`) are read as their ASCII equivalents, since Arabic articles write
/// figures that way; thousands separators are refused rather than guessed (`1,000` could be 1 or
/// 1000 depending on the writer's locale), and so is anything that is not a finite number.
pub fn parse_value(input: &str) -> Result<f64, InvalidValue> {
    let expected = "expected a finite number written like 1000, 1000.5 or -3 \
                    (no thousands separators; Arabic-Indic digits are fine)";
    let invalid = || InvalidValue::new("a number", input, expected);
    let ascii: String = input
        .trim()
        .chars()
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (c as u32 - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (c as u32 - 0x06F0) as u8),
            '\u{066B}' => '.',
            other => other,
        })
        .collect();
    let plain = ascii
        .strip_prefix(['-', '+'])
        .unwrap_or(&ascii)
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.' || c == 'e' || c == 'E' || c == '-' || c == '+');
    if ascii.is_empty()
        || !plain
        || !ascii.starts_with(|c: char| c.is_ascii_digit() || "+-.".contains(c))
    {
        return Err(invalid());
    }
    match ascii.parse::<f64>() {
        Ok(v) if v.is_finite() => {
            if significant_digits(&ascii) != significant_digits(&v.to_string()) {
                return Err(InvalidValue::new(
                    "a number claimdb can keep exactly",
                    input,
                    format!(
                        "it would be stored as {} (a value keeps about 15 significant digits, \
                         and magnitudes between about 1e-308 and 1e308); round it, or keep the exact \
                         figure in the note",
                        format_value(v)
                    ),
                ));
            }
            Ok(v)
        }
        _ => Err(invalid()),
    }
}

/// The digits that carry a number's value, without sign, point, exponent, or zeros at either
/// end: equal for two spellings of the same number ("1e3" and "1000", "0.50" and ".5").
fn significant_digits(number: &str) -> String {
    let mantissa = number.split(['e', 'E']).next().unwrap_or("");
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    digits.trim_matches('0').to_owned()
}

/// Formats a figure so that parsing it gives the same number back (1000, 0.5, 1e-7 as
/// 0.0000001): the CSV round trip depends on it.
pub fn format_value(value: f64) -> String {
    format!("{value}")
}

/// Refuses text claimdb would not store faithfully: SQLite and most tools stop at a NUL byte.
pub fn check_text(what: &'static str, text: &str) -> Result<(), InvalidValue> {
    if text.contains('\0') {
        return Err(InvalidValue::new(
            what,
            text,
            "it contains a NUL byte (U+0000), which claimdb does not store; remove it",
        ));
    }
    Ok(())
}

/// Checks a name used in `;`-separated lists (sources, tags) and returns it trimmed.
pub fn list_item(what: &'static str, raw: &str) -> Result<String, InvalidValue> {
    let item = raw.trim();
    if is_blank(item) {
        return Err(InvalidValue::new(
            what,
            raw,
            "it must not be empty (white space and invisible characters do not count)",
        ));
    }
    if item.contains([';', '\n', '\r']) {
        return Err(InvalidValue::new(
            what,
            raw,
            "it must not contain ';' (the list separator) or a line break",
        ));
    }
    check_text(what, item)?;
    Ok(item.to_owned())
}

/// Checks an article or citation URL: an absolute http(s) address.
pub fn check_url(raw: &str) -> Result<String, InvalidValue> {
    let text = raw.trim();
    match url::Url::parse(text) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(text.to_owned()),
        _ => Err(InvalidValue::new(
            "a URL",
            raw,
            "expected an absolute http:// or https:// address",
        )),
    }
}

/// The current time as claimdb stores it: UTC, RFC 3339, whole seconds (`2026-11-29T02:35:12Z`).
pub fn now() -> String {
    format_timestamp(jiff::Timestamp::now())
}

/// A time in claimdb's stored form.
pub fn format_timestamp(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Reads an RFC 3339 timestamp from a file and gives it in claimdb's stored form (UTC, seconds).
pub fn parse_timestamp(raw: &str) -> Result<String, InvalidValue> {
    raw.trim()
        .parse::<jiff::Timestamp>()
        .map(format_timestamp)
        .map_err(|_| {
            InvalidValue::new(
                "a timestamp",
                raw,
                "expected RFC 3339 such as 2026-11-29T02:35:12Z",
            )
        })
}

/// Folds a source name into the key that names and aliases are compared by: Unicode NFKC,
/// lower case, runs of white space as one space. "U.S.  State Dept" and "u.s. state dept" match.
pub fn source_key(name: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    // Invisible characters would make a second source that prints exactly like the first.
    let folded: String = name
        .chars()
        .filter(|c| !is_invisible(*c))
        .nfkc()
        .collect::<String>()
        .to_lowercase();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Characters that take no space and show nothing: bidi marks, embeddings and isolates, zero-
/// width spaces and joiners, the soft hyphen, the byte order mark. A name or text made only of
/// these (and spaces) is empty to a reader.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}')
}

/// Whether `text` shows nothing: only white space and invisible characters.
pub fn is_blank(text: &str) -> bool {
    text.chars().all(|c| c.is_whitespace() || is_invisible(c))
}

/// The writing system of a letter, for names that mix them; `None` for digits, punctuation and
/// letters of scripts that do not look like each other.
fn script_of(c: char) -> Option<&'static str> {
    Some(match c {
        'A'..='Z' | 'a'..='z' | '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => "Latin",
        '\u{0370}'..='\u{03FF}' | '\u{1F00}'..='\u{1FFF}' => "Greek",
        '\u{0400}'..='\u{052F}' => "Cyrillic",
        '\u{0530}'..='\u{058F}' => "Armenian",
        '\u{0590}'..='\u{05FF}' => "Hebrew",
        '\u{0600}'..='\u{06FF}'
        | '\u{0750}'..='\u{077F}'
        | '\u{FB50}'..='\u{FDFF}'
        | '\u{FE70}'..='\u{FEFE}' => "Arabic",
        _ => return None,
    })
}

/// The first word of `name` whose letters come from more than one script ("Humаn" with a
/// Cyrillic а): almost always a look-alike made to pass for another name.
pub fn mixed_script_word(name: &str) -> Option<&str> {
    name.split_whitespace().find(|word| {
        let mut scripts = word.chars().filter_map(script_of);
        scripts
            .next()
            .is_some_and(|first| scripts.any(|other| other != first))
    })
}

/// A claim as the user describes it, before it gets an id: what `add` takes, what an imported
/// row becomes, and what `edit` changes. Names of sources are as typed; the store resolves them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimDraft {
    pub text: String,
    pub translation: Option<String>,
    pub claimant: String,
    pub status: Status,
    /// The figures the claim states, in the order given.
    pub figures: Vec<Figure>,
    pub location: Option<String>,
    pub claim_date: Option<ClaimDate>,
    pub article_url: Option<String>,
    pub article_title: Option<String>,
    /// Sorted and without repeats, so that equal sets compare and export equal.
    pub tags: Vec<String>,
    pub note: Option<String>,
}

impl ClaimDraft {
    /// Checks the rules no single field can check alone.
    pub fn validate(&self) -> Result<(), InvalidValue> {
        if is_blank(&self.text) {
            return Err(InvalidValue::new(
                "claim text",
                &self.text,
                "it must not be empty (white space and invisible characters do not count)",
            ));
        }
        check_text("claim text", &self.text)?;
        for text in [
            &self.translation,
            &self.location,
            &self.article_title,
            &self.note,
        ]
        .into_iter()
        .flatten()
        {
            check_text("a text field", text)?;
        }
        for figure in &self.figures {
            figure.validate()?;
        }
        Ok(())
    }

    /// The fields whose values differ from `before`, as (field, old, new) in CSV text form.
    pub fn changes_from(&self, before: &ClaimDraft) -> Vec<FieldChange> {
        before
            .all_fields()
            .into_iter()
            .zip(self.all_fields())
            .filter(|((_, old), (_, new))| old != new)
            .map(|((field, old), (_, new))| FieldChange { field, old, new })
            .collect()
    }

    /// Each editable field in its CSV text form, in CSV column order: what history records and
    /// what edits and imports are compared by.
    pub fn all_fields(&self) -> Vec<(Field, String)> {
        let opt = |o: &Option<String>| o.clone().unwrap_or_default();
        vec![
            (Field::Text, self.text.clone()),
            (Field::Translation, opt(&self.translation)),
            (Field::Claimant, self.claimant.clone()),
            (Field::Status, self.status.to_string()),
            (Field::Figures, crate::figure::format_list(&self.figures)),
            (Field::Location, opt(&self.location)),
            (
                Field::ClaimDate,
                self.claim_date
                    .as_ref()
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
            ),
            (Field::ArticleUrl, opt(&self.article_url)),
            (Field::ArticleTitle, opt(&self.article_title)),
            (Field::Tags, self.tags.join(";")),
            (Field::Note, opt(&self.note)),
        ]
    }

    /// Sorts tags and drops repeats: tags are a set.
    pub fn normalize_tags(&mut self) {
        self.tags.sort();
        self.tags.dedup();
    }
}

/// Changes to a claim's fields: `Some` sets a field (`Some(None)` clears an optional one),
/// `None` leaves it as it is. `edit`, `status` and import updates are patches, applied inside the
/// write transaction to the claim as it is then, so a change never overwrites fields it did not
/// name with values read earlier.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClaimPatch {
    pub text: Option<String>,
    pub translation: Option<Option<String>>,
    pub claimant: Option<String>,
    pub status: Option<Status>,
    /// Replaces every figure.
    pub figures: Option<Vec<Figure>>,
    /// Then changes figures one by one (`edit --figure`, `--remove-figure`, `--value`).
    pub figure_edits: Vec<FigureEdit>,
    pub location: Option<Option<String>>,
    pub claim_date: Option<Option<ClaimDate>>,
    pub article_url: Option<Option<String>>,
    pub article_title: Option<Option<String>>,
    pub tags: Option<Vec<String>>,
    pub note: Option<Option<String>>,
}

impl ClaimPatch {
    /// Applies the set fields to `draft`; a figure edit that names no figure of it is refused.
    pub fn apply_to(&self, draft: &mut ClaimDraft) -> Result<(), InvalidValue> {
        fn set<T: Clone>(target: &mut T, value: &Option<T>) {
            if let Some(v) = value {
                *target = v.clone();
            }
        }
        set(&mut draft.text, &self.text);
        set(&mut draft.translation, &self.translation);
        set(&mut draft.claimant, &self.claimant);
        set(&mut draft.status, &self.status);
        set(&mut draft.figures, &self.figures);
        set(&mut draft.location, &self.location);
        set(&mut draft.claim_date, &self.claim_date);
        set(&mut draft.article_url, &self.article_url);
        set(&mut draft.article_title, &self.article_title);
        set(&mut draft.tags, &self.tags);
        set(&mut draft.note, &self.note);
        draft.normalize_tags();
        for edit in &self.figure_edits {
            edit.apply(&mut draft.figures)?;
        }
        Ok(())
    }

    /// What of this patch fills a gap in `current`: values only for the optional fields it
    /// lacks, so that a later source completes a claim and never overwrites it. Figures are taken
    /// all together, by a claim that has none. Text, claimant, status and tags are left to the
    /// caller.
    pub fn gaps_in(&self, current: &ClaimDraft) -> ClaimPatch {
        fn gap<T: Clone>(current: &Option<T>, offered: &Option<Option<T>>) -> Option<Option<T>> {
            match (current, offered) {
                (None, Some(Some(v))) => Some(Some(v.clone())),
                _ => None,
            }
        }
        let mut patch = ClaimPatch {
            translation: gap(&current.translation, &self.translation),
            location: gap(&current.location, &self.location),
            claim_date: gap(&current.claim_date, &self.claim_date),
            article_url: gap(&current.article_url, &self.article_url),
            article_title: gap(&current.article_title, &self.article_title),
            note: gap(&current.note, &self.note),
            ..ClaimPatch::default()
        };
        if current.figures.is_empty() {
            patch.figures = self.figures.clone().filter(|f| !f.is_empty());
        }
        patch
    }

    /// True when the patch names no field at all.
    pub fn is_empty(&self) -> bool {
        *self == ClaimPatch::default()
    }
}

impl From<&ClaimDraft> for ClaimPatch {
    /// A patch that sets every field to the draft's value.
    fn from(draft: &ClaimDraft) -> Self {
        ClaimPatch {
            text: Some(draft.text.clone()),
            translation: Some(draft.translation.clone()),
            claimant: Some(draft.claimant.clone()),
            status: Some(draft.status),
            figures: Some(draft.figures.clone()),
            figure_edits: Vec::new(),
            location: Some(draft.location.clone()),
            claim_date: Some(draft.claim_date.clone()),
            article_url: Some(draft.article_url.clone()),
            article_title: Some(draft.article_title.clone()),
            tags: Some(draft.tags.clone()),
            note: Some(draft.note.clone()),
        }
    }
}

/// A change to one figure of a claim, made against the figures it has when the change is
/// written.
#[derive(Debug, Clone, PartialEq)]
pub enum FigureEdit {
    /// Adds a figure at the end (nothing happens when the claim already has the same one).
    Add(Figure),
    /// Removes a figure: by its position (1 for the first) or its text as printed.
    Remove(String),
    /// The one-figure options (`--value`, `--unit`, `--qualifier`): change the first figure, or
    /// make it when there is none and a value is given.
    First {
        value: Option<f64>,
        unit: Option<Option<String>>,
        qualifier: Option<Qualifier>,
    },
    /// `--clear unit`, `--clear qualifier`: the first figure loses its unit or becomes exact
    /// (nothing happens without figures).
    ResetFirst { unit: bool, qualifier: bool },
}

impl FigureEdit {
    fn apply(&self, figures: &mut Vec<Figure>) -> Result<(), InvalidValue> {
        match self {
            FigureEdit::Add(figure) => {
                if !figures.contains(figure) {
                    figures.push(figure.clone());
                }
            }
            FigureEdit::Remove(which) => {
                let listed = || {
                    if figures.is_empty() {
                        "the claim has no figures".to_owned()
                    } else {
                        let each: Vec<String> = figures
                            .iter()
                            .enumerate()
                            .map(|(i, f)| format!("{}: {f}", i + 1))
                            .collect();
                        format!(
                            "expected a position or a figure of the claim: {}",
                            each.join("; ")
                        )
                    }
                };
                let wanted = which.trim();
                let position = match wanted.parse::<usize>() {
                    Ok(n) => n.checked_sub(1).filter(|i| *i < figures.len()),
                    Err(_) => {
                        let parsed = crate::figure::parse(wanted).ok();
                        figures.iter().position(|f| {
                            f.to_string() == wanted
                                || Some(f.display()) == Some(wanted.to_owned())
                                || parsed.as_ref().is_some_and(|p| {
                                    (p.low, p.high, p.qualifier, p.unit_key())
                                        == (f.low, f.high, f.qualifier, f.unit_key())
                                })
                        })
                    }
                };
                match position {
                    Some(i) => {
                        figures.remove(i);
                    }
                    None => return Err(InvalidValue::new("a figure to remove", which, listed())),
                }
            }
            FigureEdit::First {
                value,
                unit,
                qualifier,
            } => match (figures.first_mut(), value) {
                (Some(first), _) => {
                    if let Some(v) = value {
                        first.low = *v;
                        first.high = *v;
                    }
                    if let Some(u) = unit {
                        first.unit = u.clone();
                    }
                    if let Some(q) = qualifier {
                        first.qualifier = *q;
                    }
                }
                (None, Some(v)) => figures.push(Figure {
                    unit: unit.clone().flatten(),
                    qualifier: qualifier.unwrap_or_default(),
                    ..Figure::value(*v)
                }),
                (None, None) if qualifier.is_some() => {
                    return Err(InvalidValue::new(
                        "a qualifier",
                        qualifier.map(|q| q.as_str()).unwrap_or_default(),
                        "a qualifier describes a value: give --value too, or a whole figure \
                         with --figure '~1000 fighters'",
                    ))
                }
                (None, None) if matches!(unit, Some(Some(_))) => {
                    return Err(InvalidValue::new(
                        "a unit",
                        unit.clone().flatten().unwrap_or_default(),
                        "a unit describes a value: give --value too, or a whole figure with \
                         --figure '~1000 fighters'",
                    ))
                }
                (None, None) => {}
            },
            FigureEdit::ResetFirst { unit, qualifier } => {
                if let Some(first) = figures.first_mut() {
                    if *unit {
                        first.unit = None;
                    }
                    if *qualifier {
                        first.qualifier = Qualifier::Exact;
                    }
                }
            }
        }
        Ok(())
    }
}

/// One field's change, as history records it.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldChange {
    pub field: Field,
    pub old: String,
    pub new: String,
}

text_enum! {
    /// The columns of claimdb's CSV format, in export order. History names fields by these too.
    Field, "a column" {
        Id => "id",
        Uid => "uid",
        Text => "text",
        Translation => "translation",
        Claimant => "claimant",
        SupportedBy => "supported_by",
        DisputedBy => "disputed_by",
        Status => "status",
        Figures => "figures",
        Location => "location",
        ClaimDate => "claim_date",
        ArticleUrl => "article_url",
        ArticleTitle => "article_title",
        Tags => "tags",
        Note => "note",
        CreatedAt => "created_at",
        CreatedBy => "created_by",
        UpdatedAt => "updated_at",
        UpdatedBy => "updated_by",
        /// Export only: the reason recorded with the claim's current verdict (history keeps it;
        /// an import records it there).
        VerdictReason => "verdict_reason",
        /// Older files' one figure, read on import as a figure: its value…
        Value => "value",
        /// …what it counts…
        Unit => "unit",
        /// …and how it was stated.
        Qualifier => "qualifier",
    }
}

impl Field {
    /// The columns claimdb writes, in order: every field but the three of older files' one
    /// figure (value, unit, qualifier), which import still reads.
    pub fn columns() -> &'static [Field] {
        &Field::ALL[..Field::ALL.len() - 3]
    }
}

/// A stored claim with everything list, show and export need. Its serde form is the claim object
/// of `export --format json` and what `import --from json` reads back.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Claim {
    pub id: i64,
    pub uid: String,
    pub text: String,
    pub translation: Option<String>,
    pub claimant: String,
    pub supported_by: Vec<String>,
    pub disputed_by: Vec<String>,
    pub status: Status,
    pub figures: Vec<Figure>,
    pub location: Option<String>,
    pub claim_date: Option<ClaimDate>,
    pub article_url: Option<String>,
    pub article_title: Option<String>,
    pub tags: Vec<String>,
    pub note: Option<String>,
    pub created_at: String,
    pub created_by: String,
    pub updated_at: String,
    pub updated_by: String,
    /// Goes up with every change; `edit --if-version` compares against it.
    pub version: i64,
    /// Why the claim has its verdict: the reason history recorded with the change that set it
    /// (none while the status is not a verdict).
    pub verdict_reason: Option<String>,
}

impl Claim {
    /// The editable part of a stored claim, to apply changes to and compare against.
    pub fn draft(&self) -> ClaimDraft {
        ClaimDraft {
            text: self.text.clone(),
            translation: self.translation.clone(),
            claimant: self.claimant.clone(),
            status: self.status,
            figures: self.figures.clone(),
            location: self.location.clone(),
            claim_date: self.claim_date.clone(),
            article_url: self.article_url.clone(),
            article_title: self.article_title.clone(),
            tags: self.tags.clone(),
            note: self.note.clone(),
        }
    }

    /// The figures as a reader says them: "≈ 200 soldiers; 9 police officers".
    pub fn quantity(&self) -> String {
        crate::figure::display_list(&self.figures)
    }
}

/// A further source's position on a claim (its evidence items are listed apart).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct StanceEntry {
    pub source: String,
    pub stance: Stance,
    pub created_at: String,
    pub created_by: String,
    /// The import the stance came from ("claims.csv line 4"), imported by `created_by`; none
    /// for a stance a person cited.
    pub imported_from: Option<String>,
}

/// One event of a claim's history.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct HistoryEvent {
    pub id: i64,
    pub claim_id: i64,
    pub at: String,
    pub actor: String,
    pub action: Action,
    pub field: Option<String>,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub note: Option<String>,
}

/// A source with its names and how often it appears.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceSummary {
    pub name: String,
    pub kind: SourceKind,
    pub aliases: Vec<String>,
    pub claims: i64,
    pub supports: i64,
    pub disputes: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enum_word_round_trips_through_text() {
        fn check<T: FromStr<Err = InvalidValue> + Copy + PartialEq + fmt::Debug + fmt::Display>(
            all: &[T],
        ) {
            for v in all {
                assert_eq!(v.to_string().parse::<T>(), Ok(*v));
            }
        }
        check(Status::ALL);
        check(Qualifier::ALL);
        check(SourceKind::ALL);
        check(Stance::ALL);
        check(Action::ALL);
        check(ArchiveKind::ALL);
        check(Field::ALL);
    }

    #[test]
    fn schema_checks_list_exactly_the_enum_words() {
        let schema = include_str!("../schema.sql");
        for (words, column) in [
            (
                Status::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
                "status IN (",
            ),
            (
                Qualifier::ALL.iter().map(|s| s.as_str()).collect(),
                "qualifier IN (",
            ),
            (
                SourceKind::ALL.iter().map(|s| s.as_str()).collect(),
                "kind IN (",
            ),
            (
                Stance::ALL.iter().map(|s| s.as_str()).collect(),
                "stance IN (",
            ),
            (
                Action::ALL.iter().map(|s| s.as_str()).collect(),
                "action IN (",
            ),
            (
                ArchiveKind::ALL.iter().map(|s| s.as_str()).collect(),
                "archived IN (",
            ),
        ] {
            let start = schema.find(column).expect("the CHECK is in the schema") + column.len();
            let end = start + schema[start..].find(')').expect("the CHECK closes");
            let listed: Vec<String> = schema[start..end]
                .split(',')
                .map(|w| w.trim().trim_matches('\'').to_owned())
                .collect();
            assert_eq!(listed, words, "CHECK for {column}");
        }
    }

    #[test]
    fn words_are_forgiving_and_typos_get_a_suggestion() {
        assert_eq!("In-Review".parse::<Status>(), Ok(Status::InReview));
        assert_eq!(
            " think tank ".parse::<SourceKind>(),
            Ok(SourceKind::ThinkTank)
        );
        let err = "verifed".parse::<Status>().unwrap_err();
        assert_eq!(err.suggestion, Some("verified"));
        assert!(err
            .to_string()
            .contains("expected one of: unverified, in_review"));
        assert_eq!("zzz".parse::<Status>().unwrap_err().suggestion, None);
    }

    #[test]
    fn only_verdicts_need_a_reason() {
        let verdicts: Vec<Status> = Status::ALL
            .iter()
            .copied()
            .filter(|s| s.is_verdict())
            .collect();
        assert_eq!(
            verdicts,
            [
                Status::Verified,
                Status::Misleading,
                Status::False,
                Status::Unverifiable
            ]
        );
    }

    #[test]
    fn dates_keep_their_precision_and_must_exist() {
        for ok in ["2022", "2022-03", "2022-03-27", "2024-02-29"] {
            assert_eq!(
                ok.parse::<ClaimDate>().map(|d| d.to_string()).as_deref(),
                Ok(ok)
            );
        }
        for bad in [
            "2022-02-30",
            "2023-02-29",
            "2022-13",
            "2022-00",
            "22-03",
            "2022/03/01",
            "",
            "March 2022",
            "2022-3-1",
        ] {
            assert!(bad.parse::<ClaimDate>().is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn values_accept_arabic_digits_and_refuse_what_is_not_a_finite_number() {
        assert_eq!(parse_value("1000"), Ok(1000.0));
        assert_eq!(parse_value("١٠٠٠"), Ok(1000.0));
        assert_eq!(parse_value("۲۰۳"), Ok(203.0));
        assert_eq!(parse_value("٢٫٥"), Ok(2.5));
        assert_eq!(parse_value("-3.25"), Ok(-3.25));
        assert_eq!(parse_value("1e6"), Ok(1_000_000.0));
        for bad in [
            "1e309",
            "NaN",
            "inf",
            "-infinity",
            "1,000",
            "ten",
            "",
            "1 000",
            "0x10",
            "e5",
        ] {
            assert!(parse_value(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn formatted_values_parse_back_to_the_same_number() {
        for v in [1000.0, 0.5, 1e-7, 10_000_000.0, -3.25, 1e300, 123_456.789] {
            assert_eq!(parse_value(&format_value(v)), Ok(v));
        }
        assert_eq!(format_value(1000.0), "1000");
    }

    #[test]
    fn source_keys_fold_case_width_and_spaces() {
        assert_eq!(source_key("  U.S.  State   Dept "), "u.s. state dept");
        assert_eq!(source_key("ＣＳＩＳ"), "csis");
        assert_eq!(source_key("Ségou"), source_key("SÉGOU"));
    }

    #[test]
    fn gaps_fill_only_what_is_missing_and_figures_come_together() {
        let current = ClaimDraft {
            text: "x".into(),
            claimant: "A".into(),
            location: Some("Mali".into()),
            ..ClaimDraft::default()
        };
        let offered = ClaimPatch::from(&ClaimDraft {
            text: "y".into(),
            claimant: "B".into(),
            location: Some("Moura, Mali".into()),
            translation: Some("t".into()),
            figures: vec![
                "203 militants".parse().unwrap(),
                "~300 civilians".parse().unwrap(),
            ],
            ..ClaimDraft::default()
        });
        let patch = offered.gaps_in(&current);
        assert_eq!(patch.location, None, "a stored value is never overwritten");
        assert_eq!(patch.translation, Some(Some("t".into())));
        assert_eq!(
            patch
                .figures
                .as_ref()
                .map(|f| crate::figure::format_list(f)),
            Some("203 militants; ~300 civilians".into())
        );
        assert_eq!(
            (patch.text, patch.claimant, patch.status),
            (None, None, None)
        );
        let with_figure = ClaimDraft {
            figures: vec![Figure::value(1.0)],
            ..current
        };
        assert_eq!(
            offered.gaps_in(&with_figure).figures,
            None,
            "a claim with figures keeps its own"
        );
    }

    #[test]
    fn figure_edits_add_remove_and_change_the_first() {
        let mut figures: Vec<Figure> = vec!["~200 soldiers".parse().unwrap()];
        let edit = |e: FigureEdit, figures: &mut Vec<Figure>| e.apply(figures);
        edit(
            FigureEdit::Add("9 police officers".parse().unwrap()),
            &mut figures,
        )
        .unwrap();
        edit(
            FigureEdit::Add("9 police officers".parse().unwrap()),
            &mut figures,
        )
        .unwrap();
        assert_eq!(
            crate::figure::format_list(&figures),
            "~200 soldiers; 9 police officers"
        );
        edit(
            FigureEdit::First {
                value: Some(250.0),
                unit: None,
                qualifier: Some(Qualifier::AtLeast),
            },
            &mut figures,
        )
        .unwrap();
        assert_eq!(figures[0].to_string(), ">=250 soldiers");
        edit(FigureEdit::Remove("9 Police Officers".into()), &mut figures).unwrap();
        let err = edit(FigureEdit::Remove("2".into()), &mut figures).unwrap_err();
        assert!(err.to_string().contains("1: >=250 soldiers"), "{err}");
        edit(FigureEdit::Remove("1".into()), &mut figures).unwrap();
        assert!(figures.is_empty());
        let err = edit(
            FigureEdit::First {
                value: None,
                unit: None,
                qualifier: Some(Qualifier::Approx),
            },
            &mut figures,
        )
        .unwrap_err();
        assert!(err.to_string().contains("qualifier describes a value"));
    }

    #[test]
    fn changes_list_only_differing_fields_in_csv_form() {
        let before = ClaimDraft {
            text: "نحو ألف".into(),
            claimant: "Western estimates".into(),
            figures: vec!["~1000 fighters [نحو ألف]".parse().unwrap()],
            ..ClaimDraft::default()
        };
        let mut after = before.clone();
        after.figures[0].low = 1200.0;
        after.figures[0].high = 1200.0;
        after.tags = vec!["troops".into(), "wagner".into()];
        let changes = after.changes_from(&before);
        assert_eq!(
            changes,
            [
                FieldChange {
                    field: Field::Figures,
                    old: "~1000 fighters [نحو ألف]".into(),
                    new: "~1200 fighters [نحو ألف]".into()
                },
                FieldChange {
                    field: Field::Tags,
                    old: String::new(),
                    new: "troops;wagner".into()
                },
            ]
        );
    }
}
