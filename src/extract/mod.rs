//! Candidate claims from an article: its sentences (or a sentence's clauses when they have
//! different sources), each with who makes it, who it rebuts, its figures and its date, and a
//! note saying which words made it a candidate. Rule-based and explainable: attribution cues
//! in Arabic and English, the one figure parser, dates read against the publication date.

pub mod cues;
pub mod dates;
pub mod text;

use std::ops::Range;

use jiff::civil::Date;
use serde::Serialize;

use crate::figure::{self, Figure};
use cues::{Cue, Form, Name};
use text::{Token, TokenKind};

/// The language whose cues are looked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Arabic cues and names.
    Ar,
    /// English cues and names.
    En,
}

impl Lang {
    /// The script most of the letters are in: Arabic or not.
    pub fn detect(text: &str) -> Lang {
        let (mut arabic, mut latin) = (0usize, 0usize);
        for c in text.chars() {
            if ('\u{0600}'..='\u{06FF}').contains(&c) || ('\u{0750}'..='\u{077F}').contains(&c) {
                arabic += 1;
            } else if c.is_ascii_alphabetic() {
                latin += 1;
            }
        }
        if arabic >= latin {
            Lang::Ar
        } else {
            Lang::En
        }
    }
}

/// What the extraction is told about the article.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// `None`: each sentence's script decides.
    pub lang: Option<Lang>,
    /// The publication date relative dates are read against.
    pub published: Option<Date>,
}

/// How many recently named sources a back-reference can reach.
const MAX_NAMED: usize = 32;

/// The claimant of a sentence no cue attributes: the article itself.
pub const ARTICLE: &str = "Article (unattributed)";

/// One candidate claim.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// Byte range in the article.
    #[serde(skip)]
    pub range: Range<usize>,
    /// Exactly as the article writes it.
    pub text: String,
    /// Who makes the claim: the attributed source, or [`ARTICLE`].
    pub claimant: String,
    /// Who a denial rebuts, when the sentence names them.
    pub disputed_by: Vec<String>,
    /// The figures the text states, from the one figure parser.
    #[serde(skip)]
    pub figures: Vec<Figure>,
    /// YYYY, YYYY-MM or YYYY-MM-DD.
    pub claim_date: Option<String>,
    /// Which cue and words made it a candidate, how its date was read, and its score.
    pub note: String,
    /// 0 to 1: how much it looks like a checkable claim (attributed, with figures, dated).
    pub score: f64,
}

/// Who a clause is attributed to, and why.
#[derive(Debug, Clone, Default)]
struct Attribution {
    claimant: Option<String>,
    why: Vec<String>,
    disputed_by: Vec<String>,
    named: bool,
    /// Who relays the claimant's words (نقل … عن).
    relayer: Option<String>,
    /// An estimate ("تقديرات", "يقدر", "estimated"): its exact figures are approximate.
    estimate: bool,
}

/// Words that make what follows an estimate.
const ESTIMATES: &[&str] = &[
    "تقديرات",
    "تقدير",
    "لتقديرات",
    "لتقدير",
    "estimates",
    "estimate",
    "estimated",
];

fn is_estimate(word: &str) -> bool {
    let w = text::fold(word);
    ESTIMATES.contains(&w.as_str())
        || ["قدر", "يقدر", "تقدر", "وقدر", "وقدرت", "قدرت"].contains(&w.as_str())
}

/// A piece of a sentence that becomes a candidate: from token `start` to the next piece.
#[derive(Debug, Clone)]
struct Piece {
    start: usize,
    attribution: Option<Attribution>,
}

/// Extracts the candidate claims of `article`, in the order they appear.
pub fn extract(article: &str, options: &Options) -> Vec<Candidate> {
    let mut named: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for sentence in text::sentences(article) {
        if sentence.heading {
            continue;
        }
        let lang = options
            .lang
            .unwrap_or_else(|| Lang::detect(&article[sentence.range.clone()]));
        let tokens = text::tokens(article, sentence.range.clone());
        if tokens.iter().filter(|t| t.is_word()).count() < 4 {
            continue;
        }
        let question = is_question(article, &sentence.range, &tokens);
        let list = pieces(article, &tokens, lang, &mut named);
        for (k, piece) in list.iter().enumerate() {
            let end = list.get(k + 1).map_or(tokens.len(), |p| p.start);
            let piece = (piece.start, end, piece.attribution.clone());
            if let Some(candidate) = candidate(article, &tokens, piece, question, options) {
                out.push(candidate);
            }
        }
    }
    out
}

fn is_question(article: &str, range: &Range<usize>, tokens: &[Token]) -> bool {
    let s = &article[range.clone()];
    if s.ends_with('?') || s.ends_with('؟') {
        return true;
    }
    let words: Vec<&str> = tokens
        .iter()
        .filter(|t| t.is_word())
        .map(|t| t.norm.as_str())
        .filter(|w| !matches!(*w, "لكن" | "ولكن" | "but" | "so"))
        .take(3)
        .collect();
    matches!(
        words.as_slice(),
        ["هل" | "كيف" | "لماذا" | "متي" | "اين" | "ماذا", ..] | ["الي", "اي", "مدي", ..]
    )
}

/// The pieces of one sentence, each with its attribution.
fn pieces(article: &str, tokens: &[Token], lang: Lang, named: &mut Vec<String>) -> Vec<Piece> {
    let cues = cues::find(tokens, lang);
    let cue_at: Vec<usize> = cues.iter().map(|c| c.at).collect();
    // Words before each token, so that counting the words of a span costs nothing however
    // long the paragraph.
    let mut words_before = Vec::with_capacity(tokens.len() + 1);
    words_before.push(0usize);
    for t in tokens {
        words_before.push(words_before.last().copied().unwrap_or(0) + usize::from(t.is_word()));
    }
    let word_count = |a: usize, b: usize| words_before[b].saturating_sub(words_before[a]);
    let mut sentence_attribution: Option<Attribution> = None;
    let mut governed = false;
    let mut hedges: Vec<String> = Vec::new();
    let mut list: Vec<Piece> = vec![Piece {
        start: 0,
        attribution: None,
    }];
    for (k, cue) in cues.iter().enumerate() {
        let cue_word = article[tokens[cue.at].range.clone()].to_owned();
        if cue.form == Form::Impersonal {
            hedges.push(cue_word);
            continue;
        }
        if governed && !cue.denial && cue.form != Form::Preposition {
            continue;
        }
        let (name, after_subject) = subject(article, tokens, cue, lang, &cue_at);
        if name.is_none() && cues::after_relative(tokens, cue) {
            continue;
        }
        let next_cue = cues.get(k + 1).map_or(tokens.len(), |c| c.at);
        let mut attribution = attribute(article, tokens, cue, name.as_ref(), lang, named, next_cue);
        // "نفت الوزارة ما ذكرته صحيفة…": the rebutted report is part of the denial.
        let rebutted_here = list
            .last()
            .and_then(|p| p.attribution.as_ref())
            .is_some_and(|a| {
                attribution
                    .claimant
                    .as_ref()
                    .is_some_and(|c| a.disputed_by.contains(c))
            })
            || sentence_attribution.as_ref().is_some_and(|a| {
                attribution
                    .claimant
                    .as_ref()
                    .is_some_and(|c| a.disputed_by.contains(c))
            });
        if rebutted_here {
            continue;
        }
        for claimant in attribution
            .relayer
            .iter()
            .chain(attribution.claimant.iter().filter(|_| attribution.named))
        {
            named.retain(|n| n != claimant);
            named.push(claimant.clone());
            // Back-references reach the sources of the last paragraphs, not of the whole of a
            // long file: the list stays short and each look-up cheap.
            if named.len() > MAX_NAMED {
                named.remove(0);
            }
        }
        let boundary_before = cue_start(tokens, cue, name.as_ref());
        let before_is_edge = boundary_before == 0
            || matches!(tokens[boundary_before - 1].kind, TokenKind::Comma)
            || word_count(0, boundary_before) <= 3;
        let after_is_edge =
            after_subject >= tokens.len() || matches!(tokens[after_subject].kind, TokenKind::Comma);
        let content = word_count(after_subject.min(next_cue), next_cue);
        if before_is_edge && after_is_edge && content >= 3 {
            // Set off by commas ("وبحسب المركز، …", "…، بحسب هذه التقارير، …", "According to
            // X, …"): it attributes the whole sentence.
            if boundary_before == 0 || word_count(0, boundary_before) <= 3 {
                governed = cue.form == Form::Preposition;
            }
            attribution
                .why
                .push("set off by commas: the whole sentence".into());
            if sentence_attribution.is_none() {
                sentence_attribution = Some(attribution);
            }
            continue;
        }
        let postposed = postposed(tokens, cue, boundary_before);
        if postposed || (content < 3 && (k + 1 == cues.len() || next_cue == after_subject)) {
            // "…, X said." and "على ما أفاد X": it attributes what came before it.
            attribution.why.push("after what it attributes".into());
            if let Some(last) = list.last_mut() {
                if last.attribution.is_none() {
                    last.attribution = Some(attribution);
                    continue;
                }
            }
        }
        let last_start = list.last().map_or(0, |p| p.start);
        if word_count(0, boundary_before) <= 3 && list.len() == 1 && list[0].attribution.is_none() {
            list[0].attribution = Some(attribution);
        } else if boundary_before <= last_start {
            if let Some(last) = list.last_mut() {
                last.attribution = Some(attribution);
            }
        } else {
            list.push(Piece {
                start: boundary_before,
                attribution: Some(attribution),
            });
        }
    }
    for piece in &mut list {
        if piece.attribution.is_none() {
            piece.attribution = sentence_attribution.clone();
        }
        if !hedges.is_empty() {
            let a = piece.attribution.get_or_insert_with(Attribution::default);
            a.why.push(format!("hedged: {}", hedges.join(", ")));
        }
    }
    list
}

/// "على ما أفاد X", "حسبما ذكرت X", "…, as X said", "\"…,\" a resident told AFP": the cue
/// attributes what came before it.
fn postposed(tokens: &[Token], cue: &Cue, clause_start: usize) -> bool {
    let word = |i: Option<usize>| i.and_then(|i| tokens.get(i)).map(|t| t.norm.as_str());
    let prev = word(cue.at.checked_sub(1));
    let prev2 = word(cue.at.checked_sub(2));
    let kind = |i: Option<usize>| i.and_then(|i| tokens.get(i)).map(|t| t.kind);
    let after_quote = matches!(
        (
            kind(clause_start.checked_sub(2)),
            kind(clause_start.checked_sub(1))
        ),
        (Some(TokenKind::Comma), Some(TokenKind::Quote))
            | (Some(TokenKind::Quote), Some(TokenKind::Comma))
    );
    after_quote
        || matches!(
            (prev2, prev),
            (Some("علي"), Some("ما")) | (Some(","), Some("as"))
        )
        || matches!(tokens[cue.at].norm.as_str(), "حسبما" | "بحسبما")
}

/// The subject of a cue and the token just after it.
fn subject(
    article: &str,
    tokens: &[Token],
    cue: &Cue,
    lang: Lang,
    cue_at: &[usize],
) -> (Option<Name>, usize) {
    let after = |n: &Option<Name>| n.as_ref().map_or(cue.end, |n| n.end.max(cue.end));
    match (lang, cue.form) {
        (Lang::Ar, Form::Preposition) => {
            // "وفقاً لما أظهرته عملية البحث": the source is the subject of the verb after ما.
            let from = match tokens.get(cue.end).map(|t| t.norm.as_str()) {
                Some("لما" | "ما") => cue.end + 2,
                _ => cue.end,
            };
            let n = cues::ar_name_after(article, tokens, from, cue_at);
            let end = after(&n);
            (n, end)
        }
        (Lang::Ar, _) => {
            // "نتنياهو يعلن إلغاء…", "تقارير سابقة تحدثت عن…": a noun right before a verb
            // that does not open a clause (no و or ف) is its subject.
            if cue.form != Form::Participle && !cue.prefixed {
                if let Some(n) = cues::ar_name_before(article, tokens, cue.at, false) {
                    return (Some(n), cue.end);
                }
            }
            let n = cues::ar_name_after(article, tokens, cue.end, cue_at);
            if n.is_some() {
                let end = after(&n);
                return (n, end);
            }
            let before_an = cue.at > 0 && tokens[cue.at - 1].norm == "ان";
            if before_an {
                // "وسبق لبامكو وموسكو أن أكدتا": the subject sits between سبق and أن.
                let from = cue.at.saturating_sub(7);
                if let Some(j) = (from..cue.at - 1)
                    .rev()
                    .find(|&j| matches!(tokens[j].norm.as_str(), "سبق" | "وسبق"))
                {
                    if let Some(n) = cues::ar_name_after(article, tokens, j + 1, cue_at)
                        .filter(|n| n.end == cue.at - 1)
                    {
                        return (Some(Name { start: j, ..n }), cue.end);
                    }
                }
            }
            let n = if cue.form == Form::Verb && !before_an {
                cues::ar_name_before(article, tokens, cue.at, true)
            } else {
                None
            };
            (n, cue.end)
        }
        (Lang::En, Form::Preposition) => {
            let n = cues::en_name_after(article, tokens, cue.end);
            let end = after(&n);
            (n, end)
        }
        (Lang::En, _) => {
            if let Some(n) = cues::en_name_before(article, tokens, cue.at) {
                return (Some(n), cue.end);
            }
            // "…," said John Smith.
            let inverts = matches!(
                tokens[cue.at].norm.as_str(),
                "said" | "says" | "added" | "explained" | "noted" | "warned" | "stated"
            );
            let n = cues::en_name_after(article, tokens, cue.end).filter(|n| {
                inverts && article[tokens[n.start].range.clone()].starts_with(char::is_uppercase)
            });
            let end = after(&n);
            (n, end)
        }
    }
}

/// Where the clause of a cue starts: its subject when written first, else the cue, with the
/// connectors just before it ("حيث", "ما", "which").
fn cue_start(tokens: &[Token], cue: &Cue, name: Option<&Name>) -> usize {
    let mut start = name.map_or(cue.at, |n| n.start.min(cue.at));
    while start > 0 && cues::CONNECTORS.contains(&tokens[start - 1].norm.as_str()) {
        start -= 1;
    }
    start
}

/// The attribution a cue gives: its named subject (a back-reference resolved), the last named
/// source for a pronoun, the source after عن for نقل … عن, the rebutted party of a denial.
fn attribute(
    article: &str,
    tokens: &[Token],
    cue: &Cue,
    name: Option<&Name>,
    lang: Lang,
    named: &[String],
    until: usize,
) -> Attribution {
    let cue_word = &article[tokens[cue.at].range.clone()];
    let mut a = Attribution {
        estimate: is_estimate(cue_word)
            || name.is_some_and(|n| n.text.split_whitespace().next().is_some_and(is_estimate)),
        ..Attribution::default()
    };
    match name {
        Some(n) => {
            let written = n.text.clone();
            match cues::back_reference(&written, named) {
                Some(source) => {
                    a.why.push(format!(
                        "cue “{cue_word}”, subject “{written}” refers back to “{source}”"
                    ));
                    a.claimant = Some(source);
                    a.named = true;
                }
                None if is_pronoun(&written) => {
                    a.why.push(format!(
                        "cue “{cue_word}”, subject “{written}”: nobody named yet"
                    ));
                }
                None => {
                    a.why.push(format!("cue “{cue_word}”, source “{written}”"));
                    a.claimant = Some(clean_name(&written, lang));
                    a.named = true;
                }
            }
        }
        None => match named.last() {
            Some(source) => {
                a.why.push(format!(
                    "cue “{cue_word}” without a named subject: the last source named, “{source}”"
                ));
                a.claimant = Some(source.clone());
                a.named = true;
            }
            None => a
                .why
                .push(format!("cue “{cue_word}” without a named subject")),
        },
    }
    if cue.relay {
        let relayer = a.claimant.clone();
        let from = name.map_or(cue.end, |n| n.end.max(cue.end));
        if let Some(i) = (from..until.min(from + 3)).find(|&i| tokens[i].norm == "عن") {
            if let Some(source) = cues::ar_name_after(article, tokens, i + 1, &[]) {
                a.why.push(format!(
                    "relayed by {} from “{}”",
                    relayer.as_deref().unwrap_or("the article"),
                    source.text
                ));
                a.relayer = relayer;
                a.claimant = Some(clean_name(&source.text, lang));
            }
        }
    }
    if cue.denial {
        if let Some(rebutted) = rebutted(article, tokens, cue, name, lang, tokens.len()) {
            a.why.push(format!("a denial of “{rebutted}”"));
            a.disputed_by.push(rebutted);
        } else {
            a.why
                .push("a denial; the rebutted party is not named".into());
        }
    }
    a
}

fn is_pronoun(name: &str) -> bool {
    matches!(
        name.to_lowercase().as_str(),
        "it" | "he" | "she" | "they" | "we" | "i"
    )
}

/// Words for what a source says, dropped before the source that owns them ("تقديرات وزارة
/// الخارجية" is the ministry's) but kept when only an adjective follows ("تقديرات غربية").
const AR_SAYINGS: &[&str] = &[
    "تقديرات",
    "تقارير",
    "تقرير",
    "بيان",
    "بيانات",
    "تصريحات",
    "معلومات",
    "ارقام",
    "احصاءات",
];

/// A name as a source: quotes dropped, a leading "the" dropped in English, a leading saying
/// before its owner dropped in Arabic.
fn clean_name(name: &str, lang: Lang) -> String {
    let name: String = name
        .chars()
        .filter(|c| !matches!(c, '"' | '«' | '»' | '“' | '”'))
        .collect();
    let mut name = name.split_whitespace().collect::<Vec<_>>().join(" ");
    if lang == Lang::Ar {
        let words: Vec<&str> = name.split_whitespace().collect();
        let definite = |w: &str| text::fold(w).starts_with("ال");
        if words.len() >= 2
            && AR_SAYINGS.contains(&text::fold(words[0]).as_str())
            && (definite(words[1]) || words.get(2).is_some_and(|w| definite(w)))
        {
            name = words[1..].join(" ");
        }
    }
    if lang == Lang::En {
        // "UN figures", "World Bank estimates": the owner is the source.
        let words: Vec<&str> = name.split_whitespace().collect();
        if words.len() >= 2
            && matches!(
                words[words.len() - 1].to_lowercase().as_str(),
                "figures" | "estimates" | "data" | "statistics" | "reports" | "report"
            )
        {
            name = words[..words.len() - 1].join(" ");
        }
        for article in ["the ", "The "] {
            if let Some(rest) = name.strip_prefix(article) {
                return rest.to_owned();
            }
        }
    }
    name
}

/// Report nouns whose owner is the rebutted party ("مزاعم منظمة…", "تقارير صحيفة…").
const AR_REPORTS: &[&str] = &[
    "مزاعم",
    "اتهامات",
    "تقارير",
    "تصريحات",
    "ادعاءات",
    "رواية",
    "تقرير",
    "بيان",
    "انباء",
];
/// Verbs after ما whose subject is the rebutted party ("ما ذكرته صحيفة…").
const AR_REPORTED: &[&str] = &[
    "ذكرت",
    "ذكره",
    "ذكرته",
    "اوردته",
    "اورده",
    "نشرته",
    "نشره",
    "قالته",
    "قاله",
    "زعمته",
    "زعمه",
];
const EN_REPORTS: &[&str] = &[
    "claim",
    "claims",
    "report",
    "reports",
    "allegation",
    "allegations",
    "accusation",
    "accusations",
    "account",
    "statement",
];

/// The party a denial rebuts, when the sentence names it.
fn rebutted(
    article: &str,
    tokens: &[Token],
    cue: &Cue,
    name: Option<&Name>,
    lang: Lang,
    until: usize,
) -> Option<String> {
    let from = name.map_or(cue.end, |n| n.end.max(cue.end));
    let until = until.min(tokens.len()).min(from + 12);
    for i in from..until {
        let w = tokens[i].norm.as_str();
        match lang {
            Lang::Ar => {
                if AR_REPORTS.contains(&w)
                    || (w == "ما"
                        && i + 1 < until
                        && AR_REPORTED.contains(&tokens[i + 1].norm.as_str()))
                {
                    let at = if w == "ما" { i + 2 } else { i + 1 };
                    if let Some(n) = cues::ar_name_after(article, tokens, at, &[]) {
                        // "تقارير غربية": an adjective, not an owner.
                        let first = tokens[n.start].norm.as_str();
                        if w != "ما"
                            && n.end == n.start + 1
                            && first.ends_with('ة')
                            && !first.starts_with("ال")
                        {
                            continue;
                        }
                        return Some(clean_name(&n.text, lang));
                    }
                }
            }
            Lang::En => {
                let written = &article[tokens[i].range.clone()];
                if let Some(owner) = w.strip_suffix("'s") {
                    if tokens
                        .get(i + 1)
                        .is_some_and(|t| EN_REPORTS.contains(&t.norm.as_str()))
                    {
                        let mut start = i;
                        while start > from
                            && tokens[start - 1].is_word()
                            && article[tokens[start - 1].range.clone()]
                                .starts_with(char::is_uppercase)
                        {
                            start -= 1;
                        }
                        let mut words: Vec<&str> = tokens[start..i]
                            .iter()
                            .map(|t| &article[t.range.clone()])
                            .collect();
                        let len = written.len() - (w.len() - owner.len());
                        words.push(&written[..len]);
                        return Some(words.join(" "));
                    }
                }
                if EN_REPORTS.contains(&w)
                    && tokens
                        .get(i + 1)
                        .is_some_and(|t| matches!(t.norm.as_str(), "by" | "from"))
                {
                    if let Some(n) = cues::en_name_after(article, tokens, i + 2) {
                        return Some(clean_name(&n.text, lang));
                    }
                }
            }
        }
    }
    None
}

/// Prepositions and conjunctions a piece should not end on.
const TRAILING: &[&str] = &["في", "علي", "من", "عن", "و", "in", "on", "of", "to", "and"];

fn candidate(
    article: &str,
    tokens: &[Token],
    piece: (usize, usize, Option<Attribution>),
    question: bool,
    options: &Options,
) -> Option<Candidate> {
    let (start, end, attribution) = piece;
    let mut end = end;
    while end > start
        && (matches!(tokens[end - 1].kind, TokenKind::Comma)
            || TRAILING.contains(&tokens[end - 1].norm.as_str()))
    {
        end -= 1;
    }
    let words = tokens[start..end].iter().filter(|t| t.is_word()).count();
    if words < 3 {
        return None;
    }
    let range = tokens[start].range.start..tokens[end - 1].range.end;
    let text = article[range.clone()].to_owned();
    let attribution = attribution.unwrap_or_default();
    let figures: Vec<Figure> = figure::figures_in(&text)
        .into_iter()
        .map(|(_, mut f)| {
            if attribution.estimate && f.qualifier == figure::Qualifier::Exact {
                f.qualifier = figure::Qualifier::Approx;
            }
            f
        })
        .collect();
    let found_date = dates::find(article, &tokens[start..end], options.published);
    let mut score: f64 = 0.3;
    let mut note: Vec<String> = Vec::new();
    if attribution.named {
        score += 0.4;
    }
    if attribution.why.is_empty() {
        note.push("no attribution cue: the article's own voice".into());
    } else {
        note.extend(attribution.why.iter().cloned());
    }
    if attribution.estimate && !figures.is_empty() {
        note.push("an estimate: its figures are approximate".into());
    }
    if !figures.is_empty() {
        score += 0.2;
        note.push(format!(
            "figures: {}",
            figures
                .iter()
                .map(|f| f.words.clone().unwrap_or_else(|| f.display()))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    if let Some(d) = &found_date {
        score += 0.1;
        note.push(match &d.date {
            Some(date) => format!("date “{}” read as {date} ({})", d.words, d.how),
            None => format!("date “{}” not resolved: {}", d.words, d.how),
        });
    }
    if question {
        score = 0.1;
        note.push("a question, not a claim".into());
    }
    let score = (score.min(1.0) * 100.0).round() / 100.0;
    note.push(format!("score {score}"));
    Some(Candidate {
        range,
        text,
        claimant: attribution.claimant.unwrap_or_else(|| ARTICLE.to_owned()),
        disputed_by: attribution.disputed_by,
        figures,
        claim_date: found_date.and_then(|d| d.date),
        note: note.join("; "),
        score,
    })
}

/// A candidate as a row of claimdb's CSV (the columns import reads), with its score and what
/// `--check` found for JSON.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The columns of claimdb's CSV, as import reads them.
    pub text: String,
    pub translation: String,
    pub claimant: String,
    pub supported_by: String,
    pub disputed_by: String,
    pub status: String,
    pub figures: String,
    pub location: String,
    pub claim_date: String,
    pub article_url: String,
    pub article_title: String,
    pub tags: String,
    pub note: String,
    pub score: f64,
    /// What `--check` found: a stored claim it looks like, or a stored figure it conflicts with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check: Option<String>,
}

impl Row {
    /// The CSV header: the columns `claimdb import` reads.
    pub const HEADERS: &'static [&'static str] = &[
        "text",
        "translation",
        "claimant",
        "supported_by",
        "disputed_by",
        "status",
        "figures",
        "location",
        "claim_date",
        "article_url",
        "article_title",
        "tags",
        "note",
    ];

    /// The CSV cells, in [`Row::HEADERS`] order.
    pub fn cells(&self) -> Vec<String> {
        [
            &self.text,
            &self.translation,
            &self.claimant,
            &self.supported_by,
            &self.disputed_by,
            &self.status,
            &self.figures,
            &self.location,
            &self.claim_date,
            &self.article_url,
            &self.article_title,
            &self.tags,
            &self.note,
        ]
        .into_iter()
        .cloned()
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(article: &str) -> Vec<Candidate> {
        let options = Options {
            lang: None,
            published: Some("2022-04-10".parse().expect("a date")),
        };
        extract(article, &options)
    }

    fn claimants(article: &str) -> Vec<(String, String)> {
        run(article)
            .into_iter()
            .map(|c| (c.text, c.claimant))
            .collect()
    }

    fn claimant_of(sentence: &str) -> String {
        let found = run(sentence);
        assert_eq!(found.len(), 1, "{sentence}: {found:#?}");
        found[0].claimant.clone()
    }

    #[test]
    fn every_arabic_cue_family_names_its_source() {
        for (sentence, source) in [
            ("بحسب وزارة الصحة، قتل 20 شخصاً في القصف.", "وزارة الصحة"),
            (
                "ووفقاً لـ مصادر طبية، أصيب عشرات المدنيين في الهجوم.",
                "مصادر طبية",
            ),
            (
                "وفقاً لتقديرات الأمم المتحدة، نزح آلاف السكان من المدينة.",
                "الأمم المتحدة",
            ),
            (
                "قال المتحدث العسكري إن القوات سيطرت على البلدة.",
                "المتحدث العسكري",
            ),
            (
                "وقالت الشرطة المحلية إن الحريق اندلع ليلاً في المصنع.",
                "الشرطة المحلية",
            ),
            (
                "وأكد الجيش الوطني أن الهجوم فشل في تحقيق أهدافه.",
                "الجيش الوطني",
            ),
            (
                "وأشار التقرير الأممي إلى أن الأسعار ارتفعت بشدة هذا العام.",
                "التقرير الأممي",
            ),
            (
                "وذكرت وكالة الأنباء الرسمية أن الرئيس سيزور العاصمة.",
                "وكالة الأنباء الرسمية",
            ),
            (
                "وأفاد شهود عيان بأن الطائرات قصفت السوق المركزي.",
                "شهود عيان",
            ),
            (
                "ونقلت الصحيفة عن مسؤولين أمنيين أن المتهم فر إلى الخارج.",
                "مسؤولين أمنيين",
            ),
            (
                "وأعلنت الحكومة الانتقالية أن الانتخابات ستجرى في موعدها.",
                "الحكومة الانتقالية",
            ),
            (
                "واتهمت المعارضة السورية الحكومة بتزوير نتائج الانتخابات.",
                "المعارضة السورية",
            ),
            (
                "وكشفت منظمة الشفافية الدولية أن الفساد ازداد في البلاد.",
                "منظمة الشفافية الدولية",
            ),
            (
                "ووصفت الخارجية الفرنسية الهجوم بأنه عمل إرهابي جبان.",
                "الخارجية الفرنسية",
            ),
            ("ويعتقد الخبراء أن الاقتصاد سيتعافى خلال عامين.", "الخبراء"),
        ] {
            assert_eq!(claimant_of(sentence), source, "{sentence}");
        }
    }

    #[test]
    fn a_subject_before_the_verb_and_the_phrase_it_ends_with() {
        for (sentence, source) in [
            // A noun right before a verb without و is its subject, not the object after it.
            ("الرئيس يعلن إلغاء الاتفاق مع الشركة الأجنبية.", "الرئيس"),
            (
                "الحكومة المصرية تنفي أي تغيير في أسعار الخبز.",
                "الحكومة المصرية",
            ),
            // After a preposition a noun is its object: the subject follows the verb.
            (
                "وفي النهاية تشير تقديرات رسمية إلى تراجع الصادرات.",
                "تقديرات رسمية",
            ),
            // Two definite words: a name and the verb's object.
            (
                "ورفضت الكويت التعاون مع الشركات الأجنبية في المشروع.",
                "الكويت",
            ),
            // An indefinite noun and its indefinite genitive before an adjective.
            (
                "بحسب وسائل إعلام أمريكية، غادر السفير العاصمة.",
                "وسائل إعلام أمريكية",
            ),
            // A prepositional phrase before the verb is not its subject.
            ("وفي رسالة للرئيس أكد الوزير أن الاتفاق صامد.", "الوزير"),
            // A negation sits between the subject and its verb.
            ("مصر لم تعلن إغلاق السفارة في العاصمة.", "مصر"),
            // "according to what X showed": X is the source.
            (
                "ووفقاً لما أظهرته صور الأقمار الصناعية، دمرت القرية بالكامل.",
                "صور الأقمار الصناعية",
            ),
            // "إليها" is a preposition with a pronoun, not a definite word of the name.
            ("وهو الوزير الذي رفضت مصر عودته إليها بعد الانتخابات.", "مصر"),
        ] {
            assert_eq!(claimant_of(sentence), source, "{sentence}");
        }
    }

    #[test]
    fn every_english_cue_family_names_its_source() {
        for (sentence, source) in [
            (
                "According to the United Nations, 300 people fled the town.",
                "United Nations",
            ),
            (
                "The health ministry said 42 civilians were killed.",
                "health ministry",
            ),
            (
                "A police spokesman told reporters that the suspect had fled.",
                "A police spokesman",
            ),
            (
                "Local media reported that the bridge collapsed overnight.",
                "Local media",
            ),
            (
                "The rebels claimed they had captured the airport.",
                "rebels",
            ),
            (
                "The World Bank estimated that growth would slow to 2 percent.",
                "World Bank",
            ),
            (
                "The opposition accused the government of rigging the vote.",
                "opposition",
            ),
            (
                "\"The town is calm,\" said John Smith, the mayor.",
                "John Smith",
            ),
            (
                "The army denied that its troops fired on protesters.",
                "army",
            ),
            // A quote, then who said it: one candidate.
            (
                "\"The town is calm,\" a resident told reporters by phone.",
                "a resident",
            ),
            (
                "Turkey, which backs the rebels, said it would send more troops.",
                "Turkey",
            ),
            (
                "According to World Bank figures, growth slowed to 2 percent.",
                "World Bank",
            ),
        ] {
            assert_eq!(claimant_of(sentence), source, "{sentence}");
        }
    }

    #[test]
    fn a_sentence_without_a_cue_is_the_articles_own_and_a_question_scores_low() {
        let found = run(
            "The bridge was rebuilt by a local firm.\nهل تستطيع الحكومة إعادة بناء الجسر قريباً؟\n",
        );
        assert_eq!(found[0].claimant, ARTICLE);
        assert_eq!(found[0].score, 0.3);
        assert_eq!(found[1].score, 0.1);
        assert!(found[1].note.contains("a question"));
    }

    #[test]
    fn back_references_reach_the_last_named_source_across_sentences() {
        let found = claimants(
            "وقالت منظمة العفو الدولية إن السجون مكتظة بالمعتقلين.\n\
             وأضافت المنظمة أن 40 معتقلاً توفوا هذا العام في السجون.\n\
             The Interior Ministry said the prisons were inspected last month.\n\
             The ministry added that 12 guards were dismissed.\n\
             It added that a new prison would open.\n",
        );
        let who: Vec<&str> = found.iter().map(|(_, c)| c.as_str()).collect();
        assert_eq!(
            who,
            [
                "منظمة العفو الدولية",
                "منظمة العفو الدولية",
                "Interior Ministry",
                "Interior Ministry",
                "Interior Ministry",
            ]
        );
    }

    #[test]
    fn a_sentence_with_two_sources_is_cut_into_two_clauses_that_quote_it_exactly() {
        let article = "حيث تحدثت تقارير محلية عن سقوط عشرات المدنيين في ما اعتبره الجيش عملية ناجحة أدت إلى مقتل 50 مسلحاً.";
        let found = run(article);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(
            found[0].text,
            "حيث تحدثت تقارير محلية عن سقوط عشرات المدنيين"
        );
        assert_eq!(found[0].claimant, "تقارير محلية");
        assert_eq!(found[1].claimant, "الجيش");
        assert!(found[1].text.starts_with("ما اعتبره الجيش"));
        for c in &found {
            assert_eq!(&article[c.range.clone()], c.text);
        }
    }

    #[test]
    fn a_denial_puts_the_rebutted_party_in_disputed_by() {
        let found = run("ونفت الحكومة اتهامات منظمة هيومن رايتس ووتش بقتل 30 مدنياً.");
        assert_eq!(found[0].claimant, "الحكومة");
        assert_eq!(found[0].disputed_by, ["منظمة هيومن رايتس ووتش"]);
        let found =
            run("The ministry rejected claims by Human Rights Watch that 30 civilians died.");
        assert_eq!(found[0].claimant, "ministry");
        assert_eq!(found[0].disputed_by, ["Human Rights Watch"]);
        // A denial that names nobody says so.
        let found = run("ونفى المتحدث باسم الجيش وقوع أي إصابات بين المدنيين.");
        assert!(found[0].disputed_by.is_empty());
        assert!(found[0].note.contains("not named"), "{}", found[0].note);
    }

    #[test]
    fn figures_in_every_form_come_from_the_figure_parser() {
        for (sentence, figures) in [
            (
                "وقالت الشرطة إن 35 شخصاً قتلوا في الانفجار.",
                "35 شخصاً [35 شخصاً]",
            ),
            (
                "وقالت الشرطة إن ٣٥ شخصاً قتلوا في الانفجار.",
                "35 شخصاً [٣٥ شخصاً]",
            ),
            (
                "وقالت الشرطة إن خمسة أشخاص قتلوا في الانفجار.",
                "5 أشخاص [خمسة أشخاص]",
            ),
            (
                "وقالت الشرطة إنها ضبطت سيارتين مفخختين في المدينة.",
                "2 سيارة [سيارتين مفخختين]",
            ),
            (
                "وقالت الشرطة إن بين 60 و100 شخص أصيبوا في الانفجار.",
                "60-100 شخص [بين 60 و100 شخص]",
            ),
            (
                "وقالت الشرطة إن أكثر من 100 شخص أصيبوا في الانفجار.",
                ">100 شخص [أكثر من 100 شخص]",
            ),
            (
                "The police said about 300 people were hurt in the blast.",
                "~300 people [about 300 people]",
            ),
        ] {
            let found = run(sentence);
            assert_eq!(
                figure::format_list(&found[0].figures),
                figures,
                "{sentence}"
            );
        }
    }

    #[test]
    fn an_estimate_makes_its_figures_approximate() {
        let found = run("ووفقاً لتقديرات البنك الدولي، تبلغ الخسائر 10 ملايين دولار شهرياً.");
        assert_eq!(found[0].figures[0].qualifier, figure::Qualifier::Approx);
        assert!(found[0].note.contains("an estimate"));
    }

    #[test]
    fn relative_dates_resolve_against_publication_and_otherwise_say_why() {
        let found = run("وقالت الوزارة إن الهجوم وقع في 5 يناير الماضي قرب الحدود.");
        assert_eq!(found[0].claim_date.as_deref(), Some("2022-01-05"));
        let found = run("The ministry said the attack happened last week near the border.");
        assert_eq!(found[0].claim_date, None);
        assert!(found[0].note.contains("not resolved"), "{}", found[0].note);
        let unpublished = extract(
            "وقالت الوزارة إن الهجوم وقع السبت قرب الحدود.",
            &Options::default(),
        );
        assert_eq!(unpublished[0].claim_date, None);
        assert!(unpublished[0].note.contains("--published"));
    }

    proptest::proptest! {
        /// Whatever the text (quotes, stray marks, line ends, mixed scripts), extraction does
        /// not panic and every candidate quotes the article exactly.
        #[test]
        fn candidates_are_always_exact_substrings(words in proptest::collection::vec(
            proptest::sample::select(vec![
                "قال", "وقالت", "الوزارة", "بحسب", "المنظمة", "،", ".", "؟", "\"", "«", "»", "“",
                "”", "إن", "نحو", "200", "٣٥", "مئات", "مارس", "الماضي", "said", "the", "ministry",
                "according", "to", ",", "denied", "It", "added", "\r\n", "\n", "\u{feff}", "Mr.",
                "5", "يناير", "نفت", "ما", "ذكرته", "عن", "نقلت", "  ", "مشيرة", "إلى", "أن",
            ]), 0..60)) {
            let article = words.join(" ");
            for c in run(&article) {
                proptest::prop_assert_eq!(&article[c.range.clone()], c.text.as_str());
            }
        }
    }
}
