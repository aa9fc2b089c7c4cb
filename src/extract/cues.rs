//! Attribution cues ("قالت", "بحسب", "according to", "said", "denied") and the name of who
//! speaks, found in a sentence's words. Rules, not a model: each cue says which words made it.

use super::text::{Token, TokenKind};
use super::Lang;

/// How a cue attributes what follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// A verb in the past tense, or one with a visible subject: "قالت الوزارة", "X said".
    Verb,
    /// A present-tense verb with ي and no subject: "يعتقد أن", "is believed": a hedge that
    /// names nobody.
    Impersonal,
    /// A participle: "مشيرة إلى", "مضيفاً": the subject is whoever spoke last.
    Participle,
    /// A preposition before the source: "بحسب X", "وفقاً لـX", "according to X".
    Preposition,
}

/// A cue found in a sentence.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    /// Index of its first token in the sentence's tokens.
    pub at: usize,
    /// Index just past its last token.
    pub end: usize,
    /// How it attributes.
    pub form: Form,
    /// A denial or rebuttal (نفى، رفض، كذّب، denied, rejected).
    pub denial: bool,
    /// نقل … عن: the source is the one after عن; the subject relays it.
    pub relay: bool,
    /// Written with و or ف: it opens a clause, so a noun just before it is not its subject.
    pub prefixed: bool,
}

/// Arabic verbs that attribute: (past stem, present stem, a word that must follow within a few
/// words or "" for none, denial). Forms are folded (no hamza on alef, ى as ي).
const AR_VERBS: &[(&str, &str, &str, bool)] = &[
    ("قال", "قول", "", false),
    ("اكد", "ؤكد", "", false),
    ("اشار", "شير", "الي", false),
    ("ذكر", "ذكر", "", false),
    ("افاد", "فيد", "", false),
    ("نقل", "نقل", "عن", false),
    ("اعلن", "علن", "", false),
    ("اتهم", "تهم", "", false),
    ("كشف", "كشف", "", false),
    ("وصف", "صف", "", false),
    ("اعتبر", "عتبر", "", false),
    ("لاحظ", "لاحظ", "", false),
    ("تحدث", "تحدث", "عن", false),
    ("شدد", "شدد", "", false),
    ("اوضح", "وضح", "", false),
    ("اضاف", "ضيف", "", false),
    ("زعم", "زعم", "", false),
    ("حذر", "حذر", "", false),
    ("صرح", "صرح", "", false),
    ("قدر", "قدر", "", false),
    ("ادعي", "دعي", "", false),
    ("اقر", "قر", "", false),
    ("حلل", "حلل", "", false),
    ("شكك", "شكك", "", false),
    ("رجح", "رجح", "", false),
    ("اعتقد", "عتقد", "", false),
    ("اورد", "ورد", "", false),
    ("نفي", "نفي", "", true),
    ("نف", "", "", true),
    ("رفض", "رفض", "", true),
    ("كذب", "كذب", "", true),
    ("دحض", "دحض", "", true),
];

const AR_PAST_SUFFIXES: &[&str] = &[
    "", "ت", "وا", "تا", "ا", "ه", "ها", "هم", "ته", "تها", "تهم", "وه",
];
const AR_PRESENT_SUFFIXES: &[&str] = &["", "ون", "ان", "ه", "ها"];

const AR_PARTICIPLES: &[&str] = &[
    "مشيرا",
    "مشيرة",
    "مؤكدا",
    "مؤكدة",
    "موضحا",
    "موضحة",
    "مضيفا",
    "مضيفة",
    "لافتا",
    "لافتة",
    "معتبرا",
    "معتبرة",
    "قائلا",
    "قائلة",
    "نافيا",
    "نافية",
    "محذرا",
    "محذرة",
    "داعيا",
    "داعية",
];

const AR_PREPOSITIONS: &[&str] = &[
    "بحسب",
    "حسب",
    "وفقا",
    "طبقا",
    "نقلا",
    "استنادا",
    "حسبما",
    "بحسبما",
];

/// English cues: the verb forms that report speech or estimates.
const EN_VERBS: &[(&str, bool)] = &[
    ("said", false),
    ("says", false),
    ("told", false),
    ("tells", false),
    ("reported", false),
    ("claimed", false),
    ("estimated", false),
    ("accused", false),
    ("accuses", false),
    ("added", false),
    ("stated", false),
    ("announced", false),
    ("confirmed", false),
    ("insisted", false),
    ("alleged", false),
    ("warned", false),
    ("noted", false),
    ("explained", false),
    ("believed", false),
    ("denied", true),
    ("denies", true),
    ("rejected", true),
    ("rejects", true),
    ("dismissed", true),
    ("refuted", true),
];

/// Words that end a name: prepositions, complementisers, time words, relatives, conjunctions.
const AR_STOPS: &[&str] = &[
    "ان",
    "انه",
    "انها",
    "انهم",
    "بان",
    "بانه",
    "بانها",
    "فان",
    "فانه",
    "في",
    "علي",
    "عن",
    "الي",
    "من",
    "مع",
    "خلال",
    "امس",
    "اليوم",
    "حينها",
    "يوم",
    "منذ",
    "بعد",
    "قبل",
    "حول",
    "لدي",
    "ما",
    "التي",
    "الذي",
    "الذين",
    "و",
    "او",
    "ثم",
    "كما",
    "قد",
    "لقد",
    "حيث",
    "عند",
    "وفي",
    "وعلي",
    "لكن",
    "ولكن",
    "بل",
    "كانت",
    "كان",
    "وكانت",
    "وكان",
    "اذ",
    "بينما",
    "فيما",
    "هذا",
    "هذه",
    "ذلك",
    "تلك",
    "هو",
    "هي",
    "هم",
    "انما",
    "وانما",
    "لا",
    "لم",
    "لن",
    "السبت",
    "الجمعة",
    "الخميس",
    "الاربعاء",
    "الثلاثاء",
    "الاحد",
    "الاثنين",
    "حاليا",
    "ايضا",
    "سابقا",
    "مؤخرا",
    "بيان",
    "والتي",
    "والذي",
    "وهو",
    "وهي",
    "هل",
    "وهل",
    "ولم",
    "ولن",
    "ولا",
    "وقد",
    "فقد",
    "لما",
    "به",
    "بها",
    "بهم",
    "بهما",
    "عبر",
    "اليه",
    "اليها",
    "اليهم",
    "عليه",
    "عليها",
    "عليهم",
    "منه",
    "منها",
    "منهم",
    "عنه",
    "عنها",
    "عنهم",
    "فيه",
    "فيها",
    "فيهم",
    "له",
    "لها",
    "لهم",
];

/// Words before a clause that belong to it: "حيث تحدثت…", "which the organisation said…".
pub const CONNECTORS: &[&str] = &[
    "حيث",
    "التي",
    "الذي",
    "والتي",
    "والذي",
    "ما",
    "فيما",
    "كما",
    "لكن",
    "ولكن",
    "بينما",
    "اذ",
    "وهو",
    "وهي",
    "which",
    "while",
    "but",
    "as",
    "and",
    "where",
    "whereas",
];

/// Relative pronouns: a cue right after one describes its antecedent, it does not name a
/// source ("France, which announced…").
const RELATIVES: &[&str] = &[
    "ما",
    "فيما",
    "التي",
    "الذي",
    "الذين",
    "اللذان",
    "اللتان",
    "والتي",
    "والذي",
    "which",
    "who",
    "that",
];

/// A sentence's Arabic cue forms, by word.
fn ar_cue(word: &str) -> Option<(Form, bool, &'static str, bool)> {
    let bare = [
        word,
        word.strip_prefix('و').unwrap_or(""),
        word.strip_prefix('ف').unwrap_or(""),
    ];
    for (k, w) in bare
        .into_iter()
        .enumerate()
        .filter(|(_, w)| w.chars().count() >= 2)
    {
        let prefixed = k > 0;
        if AR_PARTICIPLES.contains(&w) {
            return Some((Form::Participle, w.starts_with("ناف"), "", prefixed));
        }
        if AR_PREPOSITIONS.contains(&w) {
            return Some((Form::Preposition, false, "", prefixed));
        }
        for &(past, present, needs, denial) in AR_VERBS {
            if AR_PAST_SUFFIXES
                .iter()
                .any(|s| w.strip_prefix(past).is_some_and(|rest| rest == *s))
                && (past != "نف" || matches!(w, "نفت" | "نفوا" | "نفتا"))
            {
                return Some((Form::Verb, denial, needs, prefixed));
            }
            if present.is_empty() {
                continue;
            }
            for (prefix, form) in [("ي", Form::Impersonal), ("ت", Form::Verb)] {
                if w.strip_prefix(prefix)
                    .and_then(|r| r.strip_prefix(present))
                    .is_some_and(|rest| AR_PRESENT_SUFFIXES.contains(&rest))
                {
                    return Some((form, denial, needs, prefixed));
                }
            }
        }
    }
    None
}

/// Which tokens are inside quotation marks: cues there are the quoted speaker's words, not
/// the article's attribution. An unbalanced mark quotes nothing.
pub fn quoted(tokens: &[Token]) -> Vec<bool> {
    let mut inside = vec![false; tokens.len()];
    let mut open: Option<(usize, &str)> = None;
    for (i, t) in tokens.iter().enumerate() {
        if t.kind != TokenKind::Quote || t.norm == "'" {
            continue;
        }
        match (open, t.norm.as_str()) {
            (None, "»" | "”") => {}
            (None, q) => open = Some((i, q)),
            (Some((start, o)), q)
                if q == closing(o) || (o == "\"" && q == "\"") || q == "”" || q == "»" =>
            {
                for flag in &mut inside[start..=i] {
                    *flag = true;
                }
                open = None;
            }
            (Some(_), _) => {}
        }
    }
    inside
}

fn closing(open: &str) -> &str {
    match open {
        "«" => "»",
        "“" => "”",
        "„" => "“",
        "‹" => "›",
        "「" => "」",
        "‘" => "’",
        other => other,
    }
}

/// The cues in a sentence's tokens, outside quotes, in order.
pub fn find(tokens: &[Token], lang: Lang) -> Vec<Cue> {
    let inside = quoted(tokens);
    let mut cues = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if !t.is_word() || inside[i] {
            continue;
        }
        let next_words: Vec<&str> = tokens[i + 1..]
            .iter()
            .filter(|t| t.is_word())
            .take(6)
            .map(|t| t.norm.as_str())
            .collect();
        match lang {
            Lang::Ar => {
                let Some((form, denial, needs, prefixed)) = ar_cue(&t.norm) else {
                    continue;
                };
                if !needs.is_empty() && !next_words.contains(&needs) {
                    continue;
                }
                let prev = previous_word(tokens, i);
                // "يعتقد أن" is impersonal; "تشير تقديرات" and "يقول الوزير" have a subject.
                let form = if form == Form::Impersonal
                    && next_words
                        .first()
                        .is_some_and(|n| !AR_STOPS.contains(n) && !n.starts_with("ب"))
                {
                    Form::Verb
                } else {
                    form
                };
                let form = if form == Form::Impersonal && prev.is_some_and(|p| p == "ان") {
                    Form::Verb
                } else {
                    form
                };
                let mut end = i + 1;
                // "وفقاً لـ" and "نقلاً عن" take their particle along.
                if form == Form::Preposition {
                    if let Some(n) = tokens.get(end) {
                        if n.is_word() && matches!(n.norm.as_str(), "ل" | "لـ" | "عن" | "الي")
                        {
                            end += 1;
                        }
                    }
                }
                cues.push(Cue {
                    at: i,
                    end,
                    form,
                    denial,
                    relay: needs == "عن" && t.norm.contains("نقل"),
                    prefixed,
                });
            }
            Lang::En => {
                let w = t.norm.as_str();
                if w == "according" && next_words.first() == Some(&"to") {
                    cues.push(Cue {
                        at: i,
                        end: i + 2,
                        form: Form::Preposition,
                        denial: false,
                        relay: false,
                        prefixed: false,
                    });
                    continue;
                }
                let Some(&(_, denial)) = EN_VERBS.iter().find(|(v, _)| *v == w) else {
                    continue;
                };
                let prev = previous_word(tokens, i).unwrap_or("");
                if matches!(prev, "a" | "an" | "the") {
                    continue;
                }
                let form = if matches!(prev, "is" | "are" | "was" | "were" | "been" | "be") {
                    Form::Impersonal
                } else {
                    Form::Verb
                };
                cues.push(Cue {
                    at: i,
                    end: i + 1,
                    form,
                    denial,
                    relay: false,
                    prefixed: false,
                });
            }
        }
    }
    cues
}

fn previous_word(tokens: &[Token], i: usize) -> Option<&str> {
    i.checked_sub(1)
        .and_then(|j| tokens.get(j))
        .filter(|t| t.is_word())
        .map(|t| t.norm.as_str())
}

/// True when the cue follows a relative pronoun: it describes, it does not attribute.
pub fn after_relative(tokens: &[Token], cue: &Cue) -> bool {
    previous_word(tokens, cue.at).is_some_and(|p| RELATIVES.contains(&p))
}

/// A name found in the tokens: the token range and the name as written (quotes left out).
#[derive(Debug, Clone, PartialEq)]
pub struct Name {
    /// Index of its first token.
    pub start: usize,
    /// Index just past its last token.
    pub end: usize,
    /// As written, without quotation marks.
    pub text: String,
}

/// Nouns followed by a proper name, which the grammar of adjectives cannot delimit.
const ORGANISATIONS: &[&str] = &[
    "منظمة",
    "وكالة",
    "شركة",
    "صحيفة",
    "حركة",
    "مؤسسة",
    "معهد",
    "جامعة",
    "حزب",
    "قناة",
    "موقع",
    "مجلة",
    "جماعة",
];

/// Definite adjectives that are not relational (الأمين العام، الوزير السابق).
const DEFINITE_ADJECTIVES: &[&str] = &[
    "العام",
    "العامة",
    "الاعلي",
    "الاول",
    "الاولي",
    "الكبير",
    "الكبري",
    "الجديد",
    "الجديدة",
    "السابق",
    "السابقة",
    "المستقل",
    "المستقلة",
    "المتحدة",
];

/// A word with a possessive or object pronoun written on it ("عودته", "التزامها"): the end of
/// a name, never a part of it.
fn has_pronoun(w: &str) -> bool {
    w.chars().count() >= 4
        && ["ته", "تها", "ها", "هم", "هما"]
            .iter()
            .any(|s| w.ends_with(s))
}

/// An Arabic relational adjective (غربية، الروسية، عسكريان).
pub fn is_nisba(w: &str) -> bool {
    ["ية", "ي", "يان", "يين", "يون", "يا", "يتان"]
        .iter()
        .any(|s| w.ends_with(s))
        && w.chars().count() > 3
}

fn is_definite(w: &str) -> bool {
    w.starts_with("ال") || w.starts_with("وال")
}

/// The name as written, from its first to its last word, without quotation marks.
const QUOTES: &[char] = &['"', '«', '»', '“', '”', '„', '‹', '›'];

fn name_text(text: &str, tokens: &[Token], start: usize, end: usize) -> String {
    let from = tokens[start..end]
        .iter()
        .position(|t| t.is_word())
        .map(|i| start + i);
    let to = tokens[start..end]
        .iter()
        .rposition(|t| t.is_word())
        .map(|i| start + i);
    match (from, to) {
        (Some(a), Some(b)) => text[tokens[a].range.start..tokens[b].range.end]
            .chars()
            .filter(|c| !QUOTES.contains(c))
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" "),
        _ => String::new(),
    }
}

/// The Arabic name that starts at `start` (the subject after a verb, the source after بحسب):
/// a run of two words up to a stop word or a comma is taken whole (a person's name); a
/// longer one is cut where the phrase ends: after a definite word only definite words follow
/// ("وزارة الخارجية الروسية"), after an indefinite one only adjectives ("تقارير غربية"). A
/// quoted name right after its first word belongs to it ("منظمة «هيومن رايتس ووتش»").
pub fn ar_name_after(text: &str, tokens: &[Token], start: usize, cue_at: &[usize]) -> Option<Name> {
    let mut i = start;
    // The run: word positions up to a stop, a comma or a cue.
    let mut run: Vec<usize> = Vec::new();
    let mut in_quote = false;
    let mut stripped = false;
    let mut grammar = false;
    while i < tokens.len() && run.len() < 8 {
        let t = &tokens[i];
        match t.kind {
            TokenKind::Quote => {
                if !in_quote && run.len() > 2 {
                    // A quoted name after several words starts another phrase ("مصدران
                    // عسكريان وكالة «فرانس برس»"): the grammar decides where the name ends.
                    grammar = true;
                    break;
                }
                in_quote = !in_quote;
            }
            TokenKind::Word => {
                let mut w = t.norm.as_str();
                if i == start {
                    // "لتقارير" after وفقاً: the particle is written on the word.
                    if let Some(rest) = w
                        .strip_prefix('ل')
                        .filter(|r| r.chars().count() > 2 && !r.starts_with('ل'))
                    {
                        w = rest;
                        stripped = true;
                    }
                }
                // "هذه التقارير": a demonstrative before a definite noun names it.
                let demonstrative = run.is_empty()
                    && matches!(w, "هذه" | "هذا" | "هؤلاء" | "تلك" | "ذلك")
                    && tokens.get(i + 1).is_some_and(|n| n.norm.starts_with("ال"));
                let stop = (AR_STOPS.contains(&w) && !demonstrative)
                    || cue_at.contains(&i)
                    || (!run.is_empty()
                        && !in_quote
                        && (w.starts_with("بال")
                            || w.starts_with("لل")
                            || w.starts_with("كال")
                            || (w.starts_with('ب') && !is_definite(w))
                            || has_pronoun(w)));
                if stop && !in_quote {
                    break;
                }
                run.push(i);
            }
            _ => break,
        }
        i += 1;
    }
    let first = *run.first()?;
    let head = tokens[first].norm.as_str();
    // An object ("التزامها") or a particle ("بـ", "بالهيمنة") is not a subject.
    if (head.chars().count() > 3
        && (head.ends_with("ها") || head.ends_with("هم") || head.ends_with("هما")))
        || head.chars().count() < 2
        || (!stripped
            && ["بال", "لل", "كال", "فال"]
                .iter()
                .any(|p| head.starts_with(p)))
        || (head == "ب")
    {
        return None;
    }
    let quoted = quoted(tokens);
    // Two definite words are a name and its object ("الكويت التعاون"), not a person's name.
    let both_definite = run.len() == 2 && run.iter().all(|&j| is_definite(&tokens[j].norm));
    let keep = if (run.len() <= 2 && !grammar && !both_definite) || ORGANISATIONS.contains(&head) {
        // A person's name, or an organisation and its name ("منظمة هيومن رايتس ووتش").
        run.len()
    } else {
        let mut keep = 1;
        let mut definite = is_definite(&tokens[first].norm);
        for &j in &run[1..] {
            let w = tokens[j].norm.as_str();
            if quoted[j] {
                keep += 1;
                continue;
            }
            if is_definite(w) {
                // After a definite word only its adjectives: "المعارضة السورية" ends before
                // "الحكومة".
                if definite && !is_nisba(w) && !DEFINITE_ADJECTIVES.contains(&w) {
                    break;
                }
                definite = true;
                keep += 1;
            } else if !definite
                && (is_nisba(w)
                    || run.get(keep + 1).is_some_and(|&n| {
                        (is_definite(&tokens[n].norm) || is_nisba(&tokens[n].norm)) && !quoted[n]
                    }))
            {
                // An adjective ("تقارير غربية"), or a noun that owns what follows
                // ("تقديرات وزارة الخارجية").
                keep += 1;
            } else {
                break;
            }
        }
        keep
    };
    let end = run[keep - 1] + 1;
    let mut name = name_text(text, tokens, first, end);
    if stripped && first == start {
        // Drop the ل written on the first word ("لتقارير غربية" → "تقارير غربية").
        if let Some(rest) = name.strip_prefix('ل') {
            name = rest.to_owned();
        }
    }
    Some(Name {
        start: first,
        end,
        text: name,
    })
}

/// The Arabic subject written before a verb ("تقارير سابقة تحدثت", "مزاعم تحدثت"): up to four
/// words back to a stop word, a comma or a connector.
pub fn ar_name_before(
    text: &str,
    tokens: &[Token],
    at: usize,
    after_preposition: bool,
) -> Option<Name> {
    // "مصر لم تعلن": the subject comes before the negation.
    let at = if at > 0
        && matches!(
            tokens[at - 1].norm.as_str(),
            "لم" | "لن" | "لا" | "قد" | "لقد"
        ) {
        at - 1
    } else {
        at
    };
    let mut start = at;
    while start > 0 && at - start < 4 {
        let t = &tokens[start - 1];
        // "في رسالة للرئيس الفرنسي أكد الوزير": the words before the verb are a
        // prepositional phrase, not its subject.
        if t.is_word() && ["لل", "بال", "كال"].iter().any(|p| t.norm.starts_with(p)) {
            return None;
        }
        if !t.is_word()
            || AR_STOPS.contains(&t.norm.as_str())
            || CONNECTORS.contains(&t.norm.as_str())
        {
            break;
        }
        start -= 1;
    }
    // "وفي المجمل تشير…": a noun after a preposition is its object; only when nothing else
    // can be the subject is it taken ("في مزاعم تحدثت عن": allegations that spoke of).
    let governed = start > 0 && PREPOSITIONS.contains(&tokens[start - 1].norm.as_str());
    (start < at && (after_preposition || !governed)).then(|| Name {
        start,
        end: at,
        text: name_text(text, tokens, start, at),
    })
}

const PREPOSITIONS: &[&str] = &[
    "في", "وفي", "علي", "وعلي", "من", "عن", "الي", "مع", "حول", "خلال", "بعد", "قبل", "منذ", "عبر",
];

const EN_STOPS: &[&str] = &[
    "that",
    "on",
    "in",
    "at",
    "to",
    "of",
    "for",
    "with",
    "by",
    "from",
    "on",
    "last",
    "this",
    "yesterday",
    "today",
    "earlier",
    "later",
    "it",
    "he",
    "she",
    "they",
    "was",
    "is",
    "were",
    "are",
    "had",
    "has",
    "have",
    "and",
    "but",
    "while",
    "as",
    "which",
    "who",
];

/// The English subject before a verb ("The ministry said", "Human Rights Watch told"): back
/// to a comma, a quote or a clause word, at most eight words. A pronoun is its own subject.
pub fn en_name_before(text: &str, tokens: &[Token], at: usize) -> Option<Name> {
    // "Mr. Smith, a local official, told…": the name and its apposition.
    if at >= 2 && tokens[at - 1].kind == TokenKind::Comma {
        let inner = en_name_before(text, tokens, at - 1)?;
        // "Turkey, which backs the rebels, said…": the name before the relative clause.
        let relative = inner.start >= 3
            && matches!(tokens[inner.start - 1].norm.as_str(), "which" | "who")
            && tokens[inner.start - 2].kind == TokenKind::Comma;
        if relative {
            return en_name_before(text, tokens, inner.start - 2);
        }
        if inner.start >= 2 && tokens[inner.start - 1].kind == TokenKind::Comma {
            let outer = en_name_before(text, tokens, inner.start - 1)?;
            return Some(Name {
                start: outer.start,
                end: at - 1,
                text: text[tokens[outer.start].range.start..tokens[at - 2].range.end].to_owned(),
            });
        }
        return None;
    }
    let mut start = at;
    while start > 0 && at - start < 8 {
        let t = &tokens[start - 1];
        // The point of "Mr." or "U.S." is part of the name.
        let abbreviation = t.norm == "."
            && start >= 2
            && tokens[start - 2].is_word()
            && (super::text::ABBREVIATIONS.contains(&tokens[start - 2].norm.as_str())
                || tokens[start - 2].norm.chars().count() == 1);
        if abbreviation {
            start -= 1;
            continue;
        }
        if !t.is_word()
            || matches!(
                t.norm.as_str(),
                "that" | "and" | "but" | "while" | "as" | "which" | "who" | "because" | "if"
            )
        {
            break;
        }
        start -= 1;
        if matches!(t.norm.as_str(), "it" | "he" | "she" | "they") {
            break;
        }
    }
    // "is believed", "has said": the auxiliary is not part of the name.
    let mut end = at;
    while end > start
        && matches!(
            tokens[end - 1].norm.as_str(),
            "is" | "are" | "was" | "were" | "has" | "have" | "had" | "also" | "been" | "then"
        )
    {
        end -= 1;
    }
    (start < end).then(|| Name {
        start,
        end,
        text: name_text(text, tokens, start, end),
    })
}

/// The English name after a cue ("according to the UN,", "said John Smith,"): words up to a
/// comma, a quote or a stop word, at most eight.
pub fn en_name_after(text: &str, tokens: &[Token], start: usize) -> Option<Name> {
    let mut end = start;
    while end < tokens.len() && end - start < 8 {
        let t = &tokens[end];
        if !t.is_word() || (end > start && EN_STOPS.contains(&t.norm.as_str())) {
            break;
        }
        end += 1;
    }
    (end > start).then(|| Name {
        start,
        end,
        text: name_text(text, tokens, start, end),
    })
}

/// Arabic words that point back at a source already named ("المنظمة", "الوزارة", "المركز").
pub const AR_BACK: &[&str] = &[
    "المنظمة",
    "الوزارة",
    "المركز",
    "الوكالة",
    "الهيئة",
    "اللجنة",
];
/// English words that point back ("the ministry", "it").
pub const EN_BACK: &[&str] = &[
    "ministry",
    "organisation",
    "organization",
    "centre",
    "center",
    "agency",
    "group",
    "department",
    "office",
    "committee",
];

/// Resolves a back-reference against the sources named so far (most recent last): a pronoun
/// is the last one; "المنظمة", "الخارجية", "هذه التقارير", "the ministry" the last one whose
/// name holds that word; a listed word with no such name the last one named. `None` when the
/// name is not a back-reference.
pub fn back_reference(name: &str, named: &[String]) -> Option<String> {
    let words: Vec<String> = name.split_whitespace().map(super::text::fold).collect();
    let words: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .filter(|w| {
            !matches!(
                *w,
                "هذه" | "هذا" | "هؤلاء" | "تلك" | "ذلك" | "the" | "this" | "these" | "that"
            )
        })
        .collect();
    let [word] = words[..] else {
        return None;
    };
    if matches!(word, "it" | "he" | "she" | "they") {
        return named.last().cloned();
    }
    let english = name
        .split_whitespace()
        .next()
        .is_some_and(|w| matches!(w.to_lowercase().as_str(), "the" | "this" | "these" | "that"));
    let arabic_definite = word.starts_with("ال");
    if !english && !arabic_definite {
        return None;
    }
    let stem = word.strip_prefix("ال").unwrap_or(word);
    let variants: Vec<String> = match stem {
        "organisation" | "organization" => vec!["organisation".into(), "organization".into()],
        "centre" | "center" => vec!["centre".into(), "center".into()],
        s => vec![s.to_owned(), format!("ال{s}")],
    };
    for source in named.iter().rev() {
        let holds = source
            .split_whitespace()
            .map(super::text::fold)
            .any(|w| variants.contains(&w));
        if holds {
            return Some(source.clone());
        }
    }
    if AR_BACK.contains(&word) || EN_BACK.contains(&stem) {
        return named.last().cloned();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::text::tokens;

    fn cue_words(text: &str, lang: Lang) -> Vec<(String, Form, bool)> {
        let toks = tokens(text, 0..text.len());
        find(&toks, lang)
            .into_iter()
            .map(|c| (text[toks[c.at].range.clone()].to_owned(), c.form, c.denial))
            .collect()
    }

    #[test]
    fn arabic_verb_preposition_and_participle_cues() {
        let found = cue_words(
            "وقالت الشرطة إن 3 قتلوا، مشيرة إلى أن البحث مستمر، وبحسب شهود فإن النار اشتعلت.",
            Lang::Ar,
        );
        assert_eq!(
            found,
            [
                ("وقالت".to_owned(), Form::Verb, false),
                ("مشيرة".to_owned(), Form::Participle, false),
                ("وبحسب".to_owned(), Form::Preposition, false),
            ]
        );
    }

    #[test]
    fn denials_and_impersonal_cues() {
        let found = cue_words("ونفت الحكومة ذلك، ويعتقد أن الرقم أكبر.", Lang::Ar);
        assert_eq!(
            found,
            [
                ("ونفت".to_owned(), Form::Verb, true),
                ("ويعتقد".to_owned(), Form::Impersonal, false),
            ]
        );
        let found = cue_words("The army denied it; 40 people are believed dead.", Lang::En);
        assert_eq!(
            found,
            [
                ("denied".to_owned(), Form::Verb, true),
                ("believed".to_owned(), Form::Impersonal, false),
            ]
        );
    }

    #[test]
    fn quoted_cues_and_nouns_are_not_cues() {
        // "said" inside the quote is the speaker's word; "نقل" without عن is a transfer.
        assert_eq!(
            cue_words("\"They said nothing,\" the mayor said.", Lang::En).len(),
            1
        );
        assert!(cue_words("تسهيل عمليات نقل الأسلحة إلى المدينة.", Lang::Ar).is_empty());
        assert!(cue_words("يتحدثون لغة غير مألوفة.", Lang::Ar).is_empty());
        assert!(cue_words("An estimated 300 people fled.", Lang::En).is_empty());
    }

    #[test]
    fn arabic_names_stop_where_the_phrase_ends() {
        let name = |text: &str| {
            let toks = tokens(text, 0..text.len());
            ar_name_after(text, &toks, 1, &[]).map(|n| n.text)
        };
        assert_eq!(
            name("قالت وزارة الخارجية الروسية، إن").as_deref(),
            Some("وزارة الخارجية الروسية")
        );
        assert_eq!(
            name("أفاد مصدران عسكريان وكالة \"فرانس برس\" حينها").as_deref(),
            Some("مصدران عسكريان")
        );
        assert_eq!(
            name("أكد الجيش الوطني عملية ناجحة لمكافحة الإرهاب أدت").as_deref(),
            Some("الجيش الوطني")
        );
        assert_eq!(
            name("نقلت منظمة «العفو الدولية» عن سكان").as_deref(),
            Some("منظمة العفو الدولية")
        );
        assert_eq!(
            name("وفقاً لتقديرات غربية، فإن").as_deref(),
            Some("تقديرات غربية")
        );
        assert_eq!(name("أعلنت التزامها بخفض قواتها").as_deref(), None);
    }

    #[test]
    fn back_references_resolve_to_the_last_matching_source() {
        let named = vec![
            "وزارة الخارجية الروسية".to_owned(),
            "منظمة هيومن رايتس ووتش".to_owned(),
            "تقارير غربية".to_owned(),
        ];
        assert_eq!(
            back_reference("المنظمة", &named).as_deref(),
            Some("منظمة هيومن رايتس ووتش")
        );
        assert_eq!(
            back_reference("الخارجية", &named).as_deref(),
            Some("وزارة الخارجية الروسية")
        );
        assert_eq!(
            back_reference("هذه التقارير", &named).as_deref(),
            Some("تقارير غربية")
        );
        // Listed, but no name holds it: the last one named.
        assert_eq!(
            back_reference("المركز", &named).as_deref(),
            Some("تقارير غربية")
        );
        assert_eq!(back_reference("روسيا", &named), None);
        let named = vec!["The Health Ministry".to_owned(), "Reuters".to_owned()];
        assert_eq!(
            back_reference("the ministry", &named).as_deref(),
            Some("The Health Ministry")
        );
        assert_eq!(back_reference("It", &named).as_deref(), Some("Reuters"));
    }
}
