//! Text folding for search: the one function that turns text into the words the search index
//! stores and a query looks for.
//!
//! Fact-checkers type a word the way they type it, not the way the article spelled it, so both
//! sides go through [`fold`] and meet in the middle. The stored claim is never changed: folding
//! applies to the index and to the query only.
//!
//! The rules, in the order they apply:
//!
//! 1. Unicode NFKC: presentation forms (ﻻ, ﺍ), ligatures (ﬁ), full-width letters and
//!    compatibility digits become their plain letters.
//! 2. Ignored, as if absent (they never split a word): invisible bidi marks (LRM U+200E,
//!    RLM U+200F, ALM U+061C, U+202A–U+202E, U+2066–U+2069), zero-width characters
//!    (U+200B–U+200D, U+2060, U+FEFF), the soft hyphen, the Arabic tatweel (U+0640), and every
//!    combining mark, among them the Arabic tashkeel (U+064B–U+065F, U+0670).
//! 3. Arabic letters: alef forms أ إ آ ٱ ٲ ٳ → ا; alef maqsura ى and Persian yeh ی → ي;
//!    ta marbuta ة → ه; Persian keheh ک → ك.
//! 4. Digits: Arabic-Indic (٠–٩) and Persian (۰–۹) digits → 0–9.
//! 5. Other scripts: lower case, then accents removed (canonical decomposition without its
//!    combining marks): `Ségou` → `segou`.
//! 6. Words are runs of letters and digits; everything else separates them.
//! 7. Arabic definite article: a word that starts with ال, بال, كال, لل, or one of these after
//!    the conjunction و or ف (وال, فال, وبال, ولل…), loses that prefix when at least
//!    [`MIN_STEM`] letters remain: المجموعة, والمجموعة, بالمجموعة, للمجموعة → مجموعه.
//!    Short words keep their prefix (الله, الذي, التي stay whole), and a bare و or ف is never
//!    stripped, since many words begin with those letters (وصول, فرنسا).

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// The fewest letters a word keeps after its article is stripped, so that short words
/// (الله → له, التي → تي) never lose their identity.
pub const MIN_STEM: usize = 3;

/// The article prefixes the light prefix rule strips, longest first so that وال wins over ال.
const ARTICLES: &[&str] = &[
    "وبال", "وكال", "فبال", "فكال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "ال",
];

/// Folds `text` into search words separated by single spaces (see the module documentation
/// for every rule). Used for the index and for queries alike, so that both always agree.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    // Most text is already in NFKC; the quick check spares it the normalisation pass.
    let chars: Box<dyn Iterator<Item = char>> = if is_nfkc_quick(text.chars()) == IsNormalized::Yes
    {
        Box::new(text.chars())
    } else {
        Box::new(text.nfkc())
    };
    for c in chars {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                word.push(c.to_ascii_lowercase());
            } else {
                end_word(&mut out, &mut word);
            }
            continue;
        }
        if is_ignored(c) {
            continue;
        }
        if let Some(mapped) = fold_arabic(c) {
            word.push(mapped);
            continue;
        }
        for lower in c.to_lowercase() {
            decompose_canonical(lower, |part| {
                if is_combining_mark(part) {
                    // An accent: dropped, the letter it sat on stays.
                } else if part.is_alphanumeric() {
                    word.push(part);
                } else {
                    end_word(&mut out, &mut word);
                }
            });
        }
    }
    end_word(&mut out, &mut word);
    out
}

/// The folded words of `text`, in order.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Characters that are dropped without splitting the word they sit in.
fn is_ignored(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' // zero-width space, non-joiner, joiner; LRM, RLM
        | '\u{202A}'..='\u{202E}' // bidi embeddings and overrides
        | '\u{2060}'..='\u{2064}' // word joiner and invisible operators
        | '\u{2066}'..='\u{2069}' // bidi isolates
        | '\u{061C}' // Arabic letter mark
        | '\u{FEFF}' // zero-width no-break space (a BOM inside text)
        | '\u{00AD}' // soft hyphen
        | '\u{0640}' // tatweel
        | '\u{064B}'..='\u{065F}' // tashkeel: harakat, tanween, shadda, sukun, hamza marks
        | '\u{0670}' // superscript alef
    ) || is_combining_mark(c)
}

/// The folded form of an Arabic-script letter or digit that folding changes or keeps whole
/// (Arabic letters must not go through canonical decomposition: أ would lose its hamza as a
/// mark, but ؤ and ئ must stay distinct letters). `None` for anything else.
fn fold_arabic(c: char) -> Option<char> {
    Some(match c {
        'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' => 'ا',
        'ى' | 'ی' => 'ي',
        'ة' => 'ه',
        'ک' => 'ك',
        '٠'..='٩' => char::from(b'0' + (c as u32 - '٠' as u32) as u8),
        '۰'..='۹' => char::from(b'0' + (c as u32 - '۰' as u32) as u8),
        // The common Arabic letters, without a Unicode table lookup (tatweel never gets here).
        '\u{0621}'..='\u{064A}' => c,
        '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}'
            if c.is_alphanumeric() =>
        {
            c
        }
        _ => return None,
    })
}

/// Ends the word being built: applies the article rule and appends it to `out`.
fn end_word(out: &mut String, word: &mut String) {
    if word.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push(' ');
    }
    out.push_str(strip_article(word));
    word.clear();
}

/// The word without its Arabic article prefix, when enough of it remains (rule 7).
fn strip_article(word: &str) -> &str {
    for prefix in ARTICLES {
        if let Some(rest) = word.strip_prefix(prefix) {
            if rest.chars().count() >= MIN_STEM {
                return rest;
            }
        }
    }
    word
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pair folds to the same words.
    #[track_caller]
    fn same(pairs: &[(&str, &str)]) {
        for (a, b) in pairs {
            assert_eq!(fold(a), fold(b), "{a:?} and {b:?} should fold alike");
        }
    }

    #[test]
    fn tashkeel_is_removed() {
        // From the seed article: shadda, tanween, and both together.
        same(&[
            ("تكبَّدت", "تكبدت"),
            ("المدرَّعة", "المدرعة"),
            ("ووفقاً", "ووفقا"),
            ("أنَّ", "ان"),
            ("مُجمُوعَة", "مجموعة"),
        ]);
        assert_eq!(fold("تكبَّدت"), "تكبدت");
    }

    #[test]
    fn superscript_alef_is_removed() {
        same(&[("هٰذا", "هذا")]);
    }

    #[test]
    fn tatweel_is_removed() {
        same(&[("فاجـــنر", "فاجنر"), ("بـ\"سياسة", "ب سياسة")]);
    }

    #[test]
    fn alef_forms_fold_to_bare_alef() {
        same(&[
            ("أعلنت", "اعلنت"),
            ("إفريقيا", "افريقيا"),
            ("آخر", "اخر"),
            ("ٱلمجموعة", "المجموعة"),
            ("الأمم", "الامم"),
        ]);
        assert_eq!(fold("أ إ آ ٱ"), "ا ا ا ا");
    }

    #[test]
    fn alef_maqsura_folds_to_yeh() {
        same(&[
            ("على", "علي"),
            ("إلى", "الي"),
            ("المستوى", "المستوي"),
            ("یوم", "يوم"),
        ]);
    }

    #[test]
    fn ta_marbuta_folds_to_heh() {
        same(&[
            ("الروسية", "الروسيه"),
            ("المجموعة", "المجموعه"),
            ("عسكرية", "عسكريه"),
        ]);
    }

    #[test]
    fn hamza_seats_other_than_alef_stay_distinct() {
        assert_ne!(fold("مسؤول"), fold("مسءول"));
        assert_eq!(fold("مسؤول"), "مسؤول");
    }

    #[test]
    fn arabic_indic_and_persian_digits_become_ascii() {
        same(&[
            ("٢٠٢١", "2021"),
            ("۲۰۲۱", "2021"),
            ("القاعدة ١٠١", "القاعدة 101"),
        ]);
        assert_eq!(fold("٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹"), "0123456789 0123456789");
    }

    #[test]
    fn bidi_marks_and_zero_width_characters_are_ignored_inside_words() {
        same(&[
            ("فاج\u{200F}نر", "فاجنر"),
            ("\u{200E}Wagner\u{200E}", "Wagner"),
            ("\u{202B}مالي\u{202C}", "مالي"),
            ("\u{2067}باماكو\u{2069}", "باماكو"),
            ("Mo\u{200B}ura", "Moura"),
            ("فا\u{200C}جنر\u{200D}", "فاجنر"),
            ("\u{FEFF}Mali", "Mali"),
            ("\u{061C}كيتا", "كيتا"),
        ]);
    }

    #[test]
    fn latin_case_and_accents_fold() {
        same(&[
            ("Ségou", "segou"),
            ("SÉGOU", "Segou"),
            ("Tombouctou", "TOMBOUCTOU"),
        ]);
        same(&[("Ménaka", "menaka"), ("Côte d’Ivoire", "cote d ivoire")]);
        assert_eq!(fold("Ségou"), "segou");
    }

    #[test]
    fn nfkc_folds_compatibility_forms() {
        same(&[
            ("ﬁghters", "fighters"),
            ("ＷＡＧＮＥＲ", "wagner"),
            ("\u{FEFB}", "لا"),          // lam-alef ligature
            ("\u{FE8D}\u{FEDF}", "ال"), // presentation forms
        ]);
    }

    #[test]
    fn punctuation_separates_words() {
        assert_eq!(fold("\"فاجنر\" الروسية، والكرملين."), "فاجنر روسيه كرملين");
        assert_eq!(fold("Wagner's fighters, (Mali)"), "wagner s fighters mali");
        assert_eq!(fold("  !!  "), "");
        assert_eq!(words("a  b"), ["a", "b"]);
    }

    #[test]
    fn the_article_and_attached_prefixes_are_stripped() {
        for form in [
            "المجموعة",
            "والمجموعة",
            "بالمجموعة",
            "للمجموعة",
            "فالمجموعة",
            "ومجموعة",
        ] {
            let folded = fold(form);
            if form == "ومجموعة" {
                // A bare conjunction is not stripped: too many words start with و.
                assert_eq!(folded, "ومجموعه");
            } else {
                assert_eq!(folded, fold("مجموعة"), "{form}");
            }
        }
        same(&[
            ("بالكرملين", "الكرملين"),
            ("للأمم", "أمم"),
            ("وبالمجموعات", "مجموعات"),
            ("كالجيش", "جيش"),
            ("والروسية", "روسية"),
        ]);
    }

    #[test]
    fn the_article_rule_never_leaves_fewer_than_three_letters() {
        for short in ["الله", "الذي", "التي", "والي", "الان", "بال", "لله"]
        {
            assert_eq!(fold(short), short, "{short}");
        }
        assert_eq!(fold("الحرب"), "حرب");
        assert_eq!(MIN_STEM, 3);
    }

    #[test]
    fn a_sentence_from_the_seed_article_folds_to_plain_words() {
        let sentence =
            "ووفقاً لتقارير غربية، تعتمد القيادة المالية تحديداً على مجموعة \"فاجنر\" الروسية";
        assert_eq!(
            fold(sentence),
            "ووفقا لتقارير غربيه تعتمد قياده ماليه تحديدا علي مجموعه فاجنر روسيه"
        );
        for word in words(sentence) {
            assert!(word.chars().all(char::is_alphanumeric), "{word:?}");
        }
    }
}
