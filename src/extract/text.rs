//! An article's text cut into paragraphs, sentences and words, every piece a byte range of the
//! text as given: candidates quote the article exactly, so nothing here rewrites it.

use std::ops::Range;

/// A word or a punctuation mark, with its range in the article.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Where it is in the article, in bytes.
    pub range: Range<usize>,
    /// The word folded for matching (no diacritics or tatweel, one alef, ى as ي, lower case);
    /// for punctuation, the mark itself.
    pub norm: String,
    pub kind: TokenKind,
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Letters and digits.
    Word,
    /// A comma, semicolon or colon: where a clause can end.
    Comma,
    /// A quotation mark of any kind.
    Quote,
    /// Anything else (brackets, dashes, sentence ends).
    Other,
}

impl Token {
    /// True for a word (not punctuation).
    pub fn is_word(&self) -> bool {
        self.kind == TokenKind::Word
    }
}

/// One sentence of the article: its range and whether it stands alone on a short line without
/// a full stop (a heading).
#[derive(Debug, Clone, PartialEq)]
pub struct Sentence {
    /// Where it is in the article, in bytes, without surrounding spaces.
    pub range: Range<usize>,
    /// A heading, not a sentence: skipped by extraction.
    pub heading: bool,
}

const QUOTES: &[char] = &[
    '"', '«', '»', '“', '”', '„', '‟', '‹', '›', '「', '」', '‘', '‚',
];
const COMMAS: &[char] = &[',', '،', ';', '؛', ':'];
const ENDS: &[char] = &['.', '!', '?', '؟', '…', '۔'];

/// Folds a word for matching: Arabic diacritics, shadda and tatweel dropped, alef forms as ا,
/// ى as ي, Latin in lower case.
pub fn fold(word: &str) -> String {
    word.chars()
        .filter(|c| !matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}'))
        .map(|c| match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ى' => 'ي',
            '’' => '\'',
            c => c,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}')
}

/// The words and marks of `text[range]`, with ranges in `text`.
pub fn tokens(text: &str, range: Range<usize>) -> Vec<Token> {
    let slice = &text[range.clone()];
    let mut out = Vec::new();
    let mut chars = slice.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() || c == '\u{feff}' {
            continue;
        }
        if is_word_char(c) {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = chars.peek() {
                // An apostrophe inside a word ("ministry's") or a point or comma between
                // digits ("1.5", "10,000") belongs to it.
                let inner = matches!(d, '\'' | '’' | '.' | ',' | '٫' | '٬')
                    && slice[j + d.len_utf8()..].chars().next().is_some_and(|n| {
                        if d == '\'' || d == '’' {
                            n.is_alphabetic()
                        } else {
                            n.is_numeric() && c.is_numeric()
                        }
                    });
                if is_word_char(d) || inner {
                    end = j + d.len_utf8();
                    chars.next();
                } else {
                    break;
                }
            }
            let word = &slice[i..end];
            out.push(Token {
                range: range.start + i..range.start + end,
                norm: fold(word),
                kind: TokenKind::Word,
            });
        } else {
            let kind = if QUOTES.contains(&c) || c == '\'' || c == '’' {
                TokenKind::Quote
            } else if COMMAS.contains(&c) {
                TokenKind::Comma
            } else {
                TokenKind::Other
            };
            out.push(Token {
                range: range.start + i..range.start + i + c.len_utf8(),
                norm: c.to_string(),
                kind,
            });
        }
    }
    out
}

/// English abbreviations after which a full stop does not end a sentence.
pub const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "st", "no", "vs", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "inc", "ltd",
    "co", "corp", "e.g", "i.e", "etc", "u.s", "u.n", "u.k", "e.u",
];

/// The sentences of an article: lines are paragraphs (a BOM, `\r` and stray spaces are left
/// out of every range); a sentence ends at . ! ? ؟ … followed by a space or the line's end (a
/// closing quote after the mark stays with it), not after an abbreviation or an initial. A line
/// of at most eight words with no end mark, or one ending in a colon, is a heading.
pub fn sentences(text: &str) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let line_range = start..start + line.len();
        start += line.len();
        let Some(range) = trim(text, line_range) else {
            continue;
        };
        let para = &text[range.clone()];
        let last = para.chars().next_back().unwrap_or(' ');
        let words = para.split_whitespace().count();
        if last == ':' || (words <= 8 && !ENDS.contains(&last) && !QUOTES.contains(&last)) {
            out.push(Sentence {
                range,
                heading: true,
            });
            continue;
        }
        let mut from = range.start;
        let mut iter = para.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            if !ENDS.contains(&c) {
                continue;
            }
            let mut end = range.start + i + c.len_utf8();
            // Marks and closing quotes right after the end mark stay with the sentence.
            while let Some(&(j, d)) = iter.peek() {
                if ENDS.contains(&d) || QUOTES.contains(&d) || d == ')' {
                    end = range.start + j + d.len_utf8();
                    iter.next();
                } else {
                    break;
                }
            }
            let after = &text[end..range.end];
            if !(after.is_empty() || after.starts_with(char::is_whitespace)) {
                continue;
            }
            if c == '.' && !after.is_empty() {
                let before = &text[from..range.start + i];
                let word = before
                    .rsplit(|ch: char| ch.is_whitespace() || ch == '(')
                    .next()
                    .unwrap_or("");
                let word = word.to_lowercase();
                let initial = word.chars().count() == 1 && word.chars().all(char::is_alphabetic);
                let next_lower = after
                    .trim_start()
                    .chars()
                    .next()
                    .is_some_and(|n| n.is_lowercase() || n.is_ascii_digit());
                if initial || next_lower || ABBREVIATIONS.contains(&word.as_str()) {
                    continue;
                }
            }
            if let Some(r) = trim(text, from..end) {
                out.push(Sentence {
                    range: r,
                    heading: false,
                });
            }
            from = end;
        }
        if let Some(r) = trim(text, from..range.end) {
            out.push(Sentence {
                range: r,
                heading: false,
            });
        }
    }
    out
}

/// `range` without the spaces, BOMs and line ends at its two ends; `None` when nothing is left.
pub fn trim(text: &str, range: Range<usize>) -> Option<Range<usize>> {
    let slice = &text[range.clone()];
    let blank =
        |c: char| c.is_whitespace() || c == '\u{feff}' || c == '\u{200f}' || c == '\u{200e}';
    let left = slice.len() - slice.trim_start_matches(blank).len();
    let right = slice.trim_end_matches(blank).len();
    (right > left).then(|| range.start + left..range.start + right)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        sentences(text)
            .into_iter()
            .map(|s| &text[s.range])
            .collect()
    }

    #[test]
    fn sentences_keep_quotes_and_skip_abbreviations_bom_and_crlf() {
        let text = "\u{feff}Mr. Smith met U.S. officials.  He said \"it is over.\" Then he left?\r\nيقول الوزير إن الحرب انتهت. وأضاف أن 5 جنود قتلوا؟\r\n";
        assert_eq!(
            texts(text),
            [
                "Mr. Smith met U.S. officials.",
                "He said \"it is over.\"",
                "Then he left?",
                "يقول الوزير إن الحرب انتهت.",
                "وأضاف أن 5 جنود قتلوا؟",
            ]
        );
    }

    #[test]
    fn a_short_line_without_a_full_stop_is_a_heading() {
        let text = "Troops on the move\nThe army said 300 soldiers arrived.\nاقرأ أيضاً:\n";
        let found = sentences(text);
        assert_eq!(
            found.iter().map(|s| s.heading).collect::<Vec<_>>(),
            [true, false, true]
        );
    }

    #[test]
    fn folding_drops_diacritics_and_unifies_letters() {
        assert_eq!(fold("أنَّ"), "ان");
        assert_eq!(fold("ـنفى"), "نفي");
        assert_eq!(fold("Ministry’s"), "ministry's");
    }

    #[test]
    fn tokens_keep_numbers_and_possessives_whole() {
        let text = "the ministry's 1,500 men, «هنا»";
        let words: Vec<&str> = tokens(text, 0..text.len())
            .iter()
            .map(|t| &text[t.range.clone()])
            .collect();
        assert_eq!(
            words,
            ["the", "ministry's", "1,500", "men", ",", "«", "هنا", "»"]
        );
    }
}
