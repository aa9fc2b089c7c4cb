//! When two claims say the same thing: similarity over folded words.
//!
//! The same claim arrives from many articles, with other diacritics, another article prefix, the
//! words in another order, a word more or less. Comparing the sets of folded words (see
//! [`crate::fold`]) sees through all of that; comparing strings sees through none of it.

use std::collections::HashSet;

/// From this similarity on, two claims are reported as likely duplicates.
pub const THRESHOLD: f64 = 0.6;

/// The words that count for similarity: folded, each once. Single letters carry no meaning on
/// their own and are left out.
pub fn word_set(text: &str) -> HashSet<String> {
    crate::fold::words(text)
        .into_iter()
        .filter(|w| w.chars().count() > 1)
        .collect()
}

/// Cosine similarity of two word sets: 1 for the same words in any order, 0 for no word in
/// common. Unlike Jaccard it does not punish a short claim quoted inside a longer one as hard.
pub fn similarity(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let common = a.intersection(b).count() as f64;
    common / ((a.len() as f64) * (b.len() as f64)).sqrt()
}

/// The similarity of two claims: of their texts, or of their translations when both have one
/// and those agree better (the same claim reported in two languages).
pub fn claim_similarity(
    (text_a, translation_a): (&HashSet<String>, Option<&HashSet<String>>),
    (text_b, translation_b): (&HashSet<String>, Option<&HashSet<String>>),
) -> f64 {
    let text = similarity(text_a, text_b);
    match (translation_a, translation_b) {
        (Some(a), Some(b)) => text.max(similarity(a, b)),
        _ => text,
    }
}

/// A similarity as people read it: two decimals.
pub fn round(similarity: f64) -> f64 {
    (similarity * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sim(a: &str, b: &str) -> f64 {
        similarity(&word_set(a), &word_set(b))
    }

    #[test]
    fn rephrased_arabic_claims_are_similar() {
        let original = "تعتمد القيادة المالية تحديداً على مجموعة \"فاجنر\" الروسية";
        // Other diacritics, other article prefixes, other word order.
        let rephrased = "على مجموعة فاجنر الرُّوسيّة تعتمد القيادةُ الماليةُ تحديدا";
        assert_eq!(sim(original, rephrased), 1.0);
        let shorter = "القيادة المالية تعتمد على مجموعة فاجنر";
        assert!(
            sim(original, shorter) >= THRESHOLD,
            "{}",
            sim(original, shorter)
        );
        let other = "أعلنت الأمم المتحدة عن تحقيق في أحداث مورا";
        assert!(sim(original, other) < THRESHOLD);
    }

    #[test]
    fn english_claims_fold_case_and_accents() {
        assert_eq!(
            sim("Wagner forces reached Ségou", "wagner FORCES reached segou"),
            1.0
        );
    }

    #[test]
    fn empty_texts_are_not_similar() {
        assert_eq!(sim("", "x y"), 0.0);
        assert_eq!(sim("!!", "!!"), 0.0);
    }

    #[test]
    fn translations_count_when_both_have_one() {
        let a = word_set("نحو ألف مقاتل");
        let b = word_set("حوالي 1000 عنصر");
        let ta = word_set("about 1000 fighters");
        let tb = word_set("about 1000 fighters");
        assert_eq!(claim_similarity((&a, Some(&ta)), (&b, Some(&tb))), 1.0);
        assert_eq!(
            claim_similarity((&a, Some(&ta)), (&b, None)),
            sim("نحو ألف مقاتل", "حوالي 1000 عنصر")
        );
    }
}
