//! The rating map: what a publisher's own rating text ("Pants on Fire", "مضلّل", "صحيح جزئياً")
//! means as a claimdb status.
//!
//! Texts are compared by [`rating_key`], so spelling variants of one label meet. A built-in table
//! covers the common English and Arabic labels; the user's entries (stored in the database,
//! `claimdb ratings map TEXT STATUS`) are added to it and win over it. A text in neither is
//! unmapped: the review keeps it verbatim and the claim stays `unverified`.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::Status;

/// Folds a rating text into the key the map is looked up by, exactly as search folds text
/// (`crate::fold`): case, harakat, tatweel, alef and teh marbuta forms, digits, direction marks,
/// punctuation and spacing do not matter. "مضلّل" and "مضلل", "صحيح جزئياً" and "صحيح جزئيًا",
/// " FALSE " and "false", "mostly-false" and "Mostly False" get one key.
pub fn rating_key(text: &str) -> String {
    crate::fold::fold(text)
}

/// The built-in map. Several spellings of one label may appear; they fold to one key or are
/// listed separately when folding does not join them (hyphens, synonyms).
///
/// Choices worth knowing: PolitiFact's "mostly true" is `verified` (accurate, needing
/// clarification) while "half true" and "barely true" are `misleading`; satire and
/// sensationalism ("excitement", Misbar's إثارة) are `misleading`, since the content is
/// presented as something it is not; "unproven" and its kin are `unverifiable`. A user entry
/// changes any of these.
pub const BUILT_IN: &[(&str, Status)] = &[
    // false
    ("false", Status::False),
    ("fake", Status::False),
    ("fake news", Status::False),
    ("faux", Status::False),
    ("falso", Status::False),
    ("incorrect", Status::False),
    ("wrong", Status::False),
    ("fabricated", Status::False),
    ("hoax", Status::False),
    ("pants on fire", Status::False),
    ("pants-fire", Status::False),
    ("pants fire", Status::False),
    ("خطأ", Status::False),
    ("خاطئ", Status::False),
    ("زائف", Status::False),
    ("كاذب", Status::False),
    ("خبر كاذب", Status::False),
    ("خبر زائف", Status::False),
    ("غير صحيح", Status::False),
    ("ملفق", Status::False),
    ("مفبرك", Status::False),
    ("مزيف", Status::False),
    ("مش حقيقي", Status::False),
    ("اشاعة", Status::False),
    ("شائعة", Status::False),
    ("وليدة ذكاء اصطناعي", Status::False),
    // misleading
    ("misleading", Status::Misleading),
    ("mostly false", Status::Misleading),
    ("mostly-false", Status::Misleading),
    ("half true", Status::Misleading),
    ("half-true", Status::Misleading),
    ("barely true", Status::Misleading),
    ("barely-true", Status::Misleading),
    ("mixture", Status::Misleading),
    ("mixed", Status::Misleading),
    ("partly false", Status::Misleading),
    ("partially false", Status::Misleading),
    ("missing context", Status::Misleading),
    ("out of context", Status::Misleading),
    ("exaggerated", Status::Misleading),
    ("exaggeration", Status::Misleading),
    ("excitement", Status::Misleading),
    ("altered", Status::Misleading),
    ("manipulated", Status::Misleading),
    ("satire", Status::Misleading),
    ("sarcastic", Status::Misleading),
    ("مضلل", Status::Misleading),
    ("تضليل", Status::Misleading),
    ("عنوان مضلل", Status::Misleading),
    ("غير دقيق", Status::Misleading),
    ("صحيح جزئيا", Status::Misleading),
    ("غير صحيح جزئيا", Status::Misleading),
    ("زائف جزئيا", Status::Misleading),
    ("زائف جزئي", Status::Misleading),
    ("نصف حقيقي", Status::Misleading),
    ("محتوى ناقص", Status::Misleading),
    ("سياق ناقص", Status::Misleading),
    ("سياق مجتزأ", Status::Misleading),
    ("خارج السياق", Status::Misleading),
    ("معدل", Status::Misleading),
    ("فيديو معدل", Status::Misleading),
    ("صورة معدلة", Status::Misleading),
    ("مبالغ فيه", Status::Misleading),
    ("الفيديو قديم", Status::Misleading),
    ("ساخر", Status::Misleading),
    ("اثارة", Status::Misleading),
    // verified
    ("true", Status::Verified),
    ("correct", Status::Verified),
    ("accurate", Status::Verified),
    ("mostly true", Status::Verified),
    ("mostly-true", Status::Verified),
    ("صحيح", Status::Verified),
    ("حقيقي", Status::Verified),
    ("نص حقيقي", Status::Verified),
    // unverifiable
    ("unproven", Status::Unverifiable),
    ("unverifiable", Status::Unverifiable),
    ("unsupported", Status::Unverifiable),
    ("no evidence", Status::Unverifiable),
    ("not proven", Status::Unverifiable),
    ("غير مثبت", Status::Unverifiable),
    ("لا دليل", Status::Unverifiable),
    ("غير مؤكد", Status::Unverifiable),
    ("غير قابل للتحقق", Status::Unverifiable),
];

/// The rating text claimdb writes for its own verdicts (ClaimReview `alternateName`); each maps
/// back to its status through the built-in table, so an exported verdict reads back the same.
pub fn verdict_label(status: Status) -> &'static str {
    match status {
        Status::Verified => "True",
        Status::Misleading => "Misleading",
        Status::False => "False",
        Status::Unverifiable => "Unverifiable",
        Status::Disputed => "Disputed",
        Status::InReview => "In review",
        Status::Unverified => "Unverified",
    }
}

/// The numeric rating of a verdict on claimdb's documented scale, [`WORST_RATING`] (false) to
/// [`BEST_RATING`] (true): false 1, misleading 2, verified 3. Statuses that are not a place on a
/// truth scale (unverifiable, and the non-verdicts) get none, and ClaimReview then carries only
/// `alternateName`.
pub fn rating_value(status: Status) -> Option<u8> {
    match status {
        Status::False => Some(1),
        Status::Misleading => Some(2),
        Status::Verified => Some(3),
        _ => None,
    }
}

/// The lowest value of claimdb's rating scale (see [`rating_value`]).
pub const WORST_RATING: u8 = 1;
/// The highest value of claimdb's rating scale (see [`rating_value`]).
pub const BEST_RATING: u8 = 3;

/// Where a rating map entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Origin {
    BuiltIn,
    User,
}

/// One entry of the map, as `ratings list` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatingEntry {
    pub rating: String,
    pub key: String,
    pub status: Status,
    pub origin: Origin,
    /// For a user entry: the built-in status it replaces, if any.
    pub overrides: Option<Status>,
}

/// The built-in table plus the user's entries, looked up by folded key.
#[derive(Debug, Clone)]
pub struct RatingMap {
    entries: BTreeMap<String, RatingEntry>,
}

impl RatingMap {
    /// The built-in map with the user's `(rating, status)` entries laid over it.
    pub fn new(user: impl IntoIterator<Item = (String, Status)>) -> Self {
        let mut entries = BTreeMap::new();
        for (rating, status) in BUILT_IN {
            let key = rating_key(rating);
            entries.entry(key.clone()).or_insert(RatingEntry {
                rating: (*rating).to_owned(),
                key,
                status: *status,
                origin: Origin::BuiltIn,
                overrides: None,
            });
        }
        for (rating, status) in user {
            let key = rating_key(&rating);
            let overrides = entries
                .get(&key)
                .filter(|e| e.origin == Origin::BuiltIn)
                .map(|e| e.status);
            entries.insert(
                key.clone(),
                RatingEntry {
                    rating,
                    key,
                    status,
                    origin: Origin::User,
                    overrides,
                },
            );
        }
        RatingMap { entries }
    }

    /// The status a rating text means, or `None` when it is unmapped (or empty).
    pub fn status_for(&self, rating: &str) -> Option<Status> {
        self.entries.get(&rating_key(rating)).map(|e| e.status)
    }

    /// Every entry, by key.
    pub fn entries(&self) -> impl Iterator<Item = &RatingEntry> {
        self.entries.values()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_fold_diacritics_tatweel_alef_case_and_space() {
        assert_eq!(rating_key("مضلّل"), rating_key("مضلل"));
        assert_eq!(rating_key("صحيح جزئياً"), rating_key("صحيح جزئيًا"));
        assert_eq!(rating_key("صحيح جزئياً"), "صحيح جزئيا");
        assert_eq!(rating_key("مضـــلل"), "مضلل");
        assert_eq!(rating_key("إشاعة"), rating_key("اشاعة"));
        assert_eq!(
            rating_key("وليدة ذكاء إصطناعي"),
            rating_key("وليده ذكاء اصطناعي")
        );
        assert_eq!(rating_key("mostly-false"), rating_key("Mostly False"));
        assert_eq!(rating_key("  Mostly\tFALSE \u{200F}"), "mostly false");
        assert_eq!(rating_key("ＦＡＫＥ"), "fake");
    }

    #[test]
    fn the_issue_labels_are_built_in_and_verdict_labels_read_back() {
        let map = RatingMap::new([]);
        for (text, status) in [
            ("False", Status::False),
            ("Pants on Fire!", Status::False),
            ("pants-fire", Status::False),
            ("خطأ", Status::False),
            ("زائف", Status::False),
            ("كاذب", Status::False),
            ("ملفق", Status::False),
            ("مضلّل", Status::Misleading),
            ("عنوان مضلل", Status::Misleading),
            ("غير دقيق", Status::Misleading),
            ("Half True", Status::Misleading),
            ("satire", Status::Misleading),
            ("صحيح", Status::Verified),
            ("Unproven", Status::Unverifiable),
        ] {
            assert_eq!(map.status_for(text), Some(status), "{text}");
        }
        for status in [
            Status::Verified,
            Status::Misleading,
            Status::False,
            Status::Unverifiable,
        ] {
            assert_eq!(map.status_for(verdict_label(status)), Some(status));
        }
        assert_eq!(map.status_for(""), None);
        assert_eq!(map.status_for("excitement and more"), None);
    }

    #[test]
    fn user_entries_are_added_and_win_over_built_ins() {
        let map = RatingMap::new([
            ("Satire".to_owned(), Status::Unverifiable),
            ("توضيح".to_owned(), Status::Misleading),
        ]);
        assert_eq!(map.status_for("SATIRE"), Some(Status::Unverifiable));
        assert_eq!(map.status_for("توضيح"), Some(Status::Misleading));
        let satire = map.entries().find(|e| e.key == "satire").unwrap();
        assert_eq!(satire.origin, Origin::User);
        assert_eq!(satire.overrides, Some(Status::Misleading));
    }

    #[test]
    fn built_in_spellings_do_not_contradict_each_other() {
        let mut seen = std::collections::HashMap::new();
        for (text, status) in BUILT_IN {
            if let Some(before) = seen.insert(rating_key(text), *status) {
                assert_eq!(before, *status, "{text}");
            }
        }
    }
}
