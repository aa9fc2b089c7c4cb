//! Conflicting figures: two claims that count the same thing about the same event with numbers
//! that cannot both be true. The editor's first question on a story like Moura ("203 militants
//! neutralised" against "about 300 civilians executed" counts two different things; "hundreds
//! of civilians" against "dozens of civilians" is a conflict).
//!
//! The rules:
//! - the same thing: the figures' units fold to the same key ([`crate::figure::unit_key`]);
//! - the same event: the claims share a tag, or have the same location (folded) and dates of
//!   which one contains the other (`2022-03` contains `2022-03-27`; a claim without a date
//!   meets others through its tags only). Claims that name different places (their most
//!   specific parts differ: "Ségou, Mali" is not "Mali") or times that cannot meet are about
//!   different events even when they share a tag: 200 fighters in one town and 1,000 in the
//!   whole country, or two deliveries of helicopters, are both true;
//! - cannot both be true: the figures' intervals do not overlap, where an approximate figure
//!   reaches [`crate::figure::APPROX_MARGIN`] (10%) either side, "more than 5" excludes 5 and
//!   "at least 5" includes it.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use crate::figure::{self, Bounds, Figure};
use crate::model::{Claim, Status};

/// One claim's side of a conflict.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Side {
    pub id: i64,
    pub claimant: String,
    /// The figure in the figure syntax.
    pub figure: String,
    pub date: Option<String>,
    pub status: Status,
    pub text: String,
}

/// Two claims whose figures cannot both be true.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Conflict {
    /// What both count (the first claim's unit as written).
    pub unit: String,
    /// Why they are about the same event: "tag moura", "location Moura, Mali, 2022-03".
    pub why: String,
    pub a: Side,
    pub b: Side,
}

/// What conflicts are looked for among: a claim's id, what places it in an event, and its
/// figures. Lighter than a [`Claim`], so that a whole database can be compared.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject {
    pub id: i64,
    pub tags: Vec<String>,
    pub location: Option<String>,
    pub date: Option<String>,
    pub figures: Vec<Figure>,
}

impl From<&Claim> for Subject {
    fn from(c: &Claim) -> Self {
        Subject {
            id: c.id,
            tags: c.tags.clone(),
            location: c.location.clone(),
            date: c.claim_date.as_ref().map(|d| d.to_string()),
            figures: c.figures.clone(),
        }
    }
}

/// One claim's figure in conflict with another claim's.
#[derive(Debug, Clone, PartialEq)]
pub struct Clash {
    pub claim: i64,
    pub other: i64,
    /// The folded unit both count.
    pub unit: String,
    pub figure: Figure,
    pub other_figure: Figure,
    /// Why they are about the same event.
    pub why: String,
}

impl Clash {
    /// "figures conflict with claim 7: ~300 civilians against 203 civilians (tag moura)"
    pub fn reason(&self) -> String {
        format!(
            "figures conflict with claim {}: {} against {} ({})",
            self.other,
            bare(&self.figure),
            bare(&self.other_figure),
            self.why
        )
    }
}

/// A figure in the syntax without its words, as conflicts show it.
fn bare(f: &Figure) -> String {
    Figure {
        words: None,
        ..f.clone()
    }
    .to_string()
}

/// Whether two dates, each as precise as its article, can be the same time.
fn dates_overlap(a: &str, b: &str) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// The groups a claim is compared within: one per tag, and one for its location in the year of
/// its date (the dates are compared pair by pair).
fn events(s: &Subject) -> Vec<String> {
    let mut keys: Vec<String> = s.tags.iter().map(|t| format!("tag\u{1}{t}")).collect();
    if let (Some(location), Some(date)) = (&s.location, &s.date) {
        keys.push(format!(
            "location\u{1}{}\u{1}{}",
            crate::fold::fold(location),
            &date[..date.len().min(4)]
        ));
    }
    keys
}

/// The most specific part of a location, folded ("segou" of "Ségou, Mali"): two claims name
/// the same place only when these agree.
fn place_head(place: &str) -> String {
    crate::fold::fold(place.split([',', '،', ';']).next().unwrap_or(place))
}

/// Why two claims are about the same event, or `None`. `places` are their locations, folded.
fn same_event(
    a: &Subject,
    b: &Subject,
    places: (&Option<String>, &Option<String>),
) -> Option<String> {
    let shared: Vec<&str> = a
        .tags
        .iter()
        .filter(|t| b.tags.contains(t))
        .map(|t| t.as_str())
        .collect();
    let other_place = matches!((&a.location, &b.location),
        (Some(pa), Some(pb)) if place_head(pa) != place_head(pb));
    let other_time = matches!((&a.date, &b.date), (Some(da), Some(db)) if !dates_overlap(da, db));
    if other_place || other_time {
        return None;
    }
    if !shared.is_empty() {
        return Some(format!(
            "{} {}",
            if shared.len() == 1 { "tag" } else { "tags" },
            shared.join(", ")
        ));
    }
    let (Some(la), Some(_), Some(da), Some(db)) = (&a.location, &b.location, &a.date, &b.date)
    else {
        return None;
    };
    if places.0 != places.1 || !dates_overlap(da, db) {
        return None;
    }
    let date = if da.len() <= db.len() { da } else { db };
    Some(format!("location {la}, {date}"))
}

/// The clashes among `subjects`: with `per_claim`, from each claim's side, at most that many per
/// claim (why each is in a conflict); with `None`, every pair once, from its lower id's side. Within a group of claims that count one thing about one event, figures sorted by
/// their bounds give each figure the ones it cannot be true with directly, so the work grows
/// with the clashes found, not with the square of the group.
pub fn clashes(subjects: &[Subject], per_claim: Option<usize>) -> Vec<Clash> {
    struct Entry<'s> {
        subject: usize,
        figure: &'s Figure,
        bounds: Bounds,
    }
    let places: Vec<Option<String>> = subjects
        .iter()
        .map(|s| s.location.as_deref().map(crate::fold::fold))
        .collect();
    let mut groups: HashMap<(String, String), Vec<Entry<'_>>> = HashMap::new();
    for (i, s) in subjects.iter().enumerate() {
        let events = events(s);
        if events.is_empty() {
            continue;
        }
        for figure in &s.figures {
            let unit = figure.unit_key();
            if unit.is_empty() {
                continue;
            }
            for event in &events {
                groups
                    .entry((unit.clone(), event.clone()))
                    .or_default()
                    .push(Entry {
                        subject: i,
                        figure,
                        bounds: figure.bounds(),
                    });
            }
        }
    }
    let mut found: Vec<Clash> = Vec::new();
    let mut seen: HashSet<(i64, i64, usize)> = HashSet::new();
    let mut count: HashMap<i64, usize> = HashMap::new();
    let mut keys: Vec<(String, String)> = groups.keys().cloned().collect();
    keys.sort();
    let mut units: Vec<&String> = keys.iter().map(|k| &k.0).collect();
    units.dedup();
    for key in &keys {
        let entries = &groups[key];
        let unit = units.binary_search(&&key.0).unwrap_or_default();
        if entries.len() < 2 {
            continue;
        }
        // By the top of their range, and by the bottom, highest first.
        let mut by_high: Vec<usize> = (0..entries.len()).collect();
        // (Among equal numbers, an open end lies further out: "< 5" is below "<= 5".)
        by_high.sort_by(|&x, &y| {
            let (x, y) = (&entries[x].bounds, &entries[y].bounds);
            x.high
                .total_cmp(&y.high)
                .then(y.high_open.cmp(&x.high_open))
        });
        let mut by_low: Vec<usize> = (0..entries.len()).collect();
        by_low.sort_by(|&x, &y| {
            let (x, y) = (&entries[x].bounds, &entries[y].bounds);
            y.low.total_cmp(&x.low).then(y.low_open.cmp(&x.low_open))
        });
        for (m, me) in entries.iter().enumerate() {
            let mine = &subjects[me.subject];
            let below = by_high
                .iter()
                .take_while(|&&o| !entries[o].bounds.overlaps_from_below(&me.bounds));
            let above = by_low
                .iter()
                .take_while(|&&o| !me.bounds.overlaps_from_below(&entries[o].bounds));
            for &o in below.chain(above) {
                if o == m || entries[o].subject == me.subject {
                    continue;
                }
                if per_claim.is_some_and(|k| count.get(&mine.id).copied().unwrap_or(0) >= k) {
                    break;
                }
                let other = &subjects[entries[o].subject];
                // Listing every pair, each is found once, from its lower id's side.
                if per_claim.is_none() && other.id < mine.id {
                    continue;
                }
                let (i, j) = (me.subject, entries[o].subject);
                if seen.contains(&(mine.id, other.id, unit)) {
                    continue;
                }
                let Some(why) = same_event(mine, other, (&places[i], &places[j])) else {
                    continue;
                };
                seen.insert((mine.id, other.id, unit));
                *count.entry(mine.id).or_default() += 1;
                found.push(Clash {
                    claim: mine.id,
                    other: other.id,
                    unit: key.0.clone(),
                    figure: me.figure.clone(),
                    other_figure: entries[o].figure.clone(),
                    why,
                });
            }
        }
    }
    found.sort_by(|a, b| (a.claim, a.other, &a.unit).cmp(&(b.claim, b.other, &b.unit)));
    found
}

/// Every conflict among `claims`, each pair once, in order of the first claim's id, then the
/// second's.
pub fn find(claims: &[Claim]) -> Vec<Conflict> {
    let subjects: Vec<Subject> = claims.iter().map(Subject::from).collect();
    let by_id: HashMap<i64, &Claim> = claims.iter().map(|c| (c.id, c)).collect();
    pairs(&clashes(&subjects, None), |id| {
        by_id.get(&id).map(|c| side(c))
    })
}

/// The clashes as pairs (each once, from the lower id's side), with each claim's side as
/// `side` gives it.
pub fn pairs(clashes: &[Clash], side: impl Fn(i64) -> Option<Side>) -> Vec<Conflict> {
    clashes
        .iter()
        .filter(|c| c.claim < c.other)
        .filter_map(|c| {
            let with = |s: Side, f: &Figure| Side {
                figure: bare(f),
                ..s
            };
            Some(Conflict {
                unit: c.figure.unit.clone().unwrap_or_default(),
                why: c.why.clone(),
                a: with(side(c.claim)?, &c.figure),
                b: with(side(c.other)?, &c.other_figure),
            })
        })
        .collect()
}

/// A claim's side of a conflict (its figure is filled in by [`pairs`]).
pub fn side(c: &Claim) -> Side {
    Side {
        id: c.id,
        claimant: c.claimant.clone(),
        figure: String::new(),
        date: c.claim_date.as_ref().map(|d| d.to_string()),
        status: c.status,
        text: c.text.clone(),
    }
}

/// Why each claim is in a conflict: its clashes' reasons by claim id (as many as were looked
/// for; the caller says when there may be more).
pub fn reasons(clashes: &[Clash]) -> HashMap<i64, Vec<String>> {
    let mut by_claim: HashMap<i64, Vec<String>> = HashMap::new();
    for c in clashes {
        by_claim.entry(c.claim).or_default().push(c.reason());
    }
    by_claim
}

/// Whether any figure of `a` conflicts with any of `b`: the duplicate check's test, where the
/// texts already say the two claims are about the same thing.
pub fn figures_conflict(a: &[Figure], b: &[Figure]) -> Option<(Figure, Figure)> {
    a.iter()
        .flat_map(|x| b.iter().map(move |y| (x, y)))
        .find(|(x, y)| x.conflicts_with(y))
        .map(|(x, y)| (x.clone(), y.clone()))
}

/// A claim's figures for the duplicate check: the ones stored, or, when it has none, the ones
/// its text states.
pub fn stated(figures: &[Figure], text: &str) -> Vec<Figure> {
    if figures.is_empty() {
        figure::figures_in(text)
            .into_iter()
            .map(|(_, f)| f)
            .collect()
    } else {
        figures.to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claim(id: i64, figures: &str, tags: &[&str], place: Option<(&str, &str)>) -> Claim {
        Claim {
            id,
            uid: format!("u{id}"),
            text: format!("claim {id}"),
            translation: None,
            claimant: format!("source {id}"),
            supported_by: vec![],
            disputed_by: vec![],
            status: Status::Unverified,
            figures: figure::parse_list(figures).unwrap(),
            location: place.map(|p| p.0.to_owned()),
            claim_date: place.map(|p| p.1.parse().unwrap()),
            article_url: None,
            article_title: None,
            tags: tags.iter().map(|t| t.to_string()).collect(),
            note: None,
            created_at: String::new(),
            created_by: String::new(),
            updated_at: String::new(),
            updated_by: String::new(),
            version: 1,
            verdict_reason: None,
        }
    }

    #[test]
    fn the_same_count_of_the_same_event_with_disjoint_numbers_conflicts() {
        let claims = [
            claim(1, "200-999 civilians [مئات المدنيين]", &["moura"], None),
            claim(2, "24-99 Civilians", &["moura"], None),
            claim(3, "203 militants", &["moura"], None),
            claim(4, ">500 civilians", &["moura"], None),
            claim(5, "5 civilians", &["other"], None),
        ];
        let found = find(&claims);
        let pairs: Vec<(i64, i64, &str, &str)> = found
            .iter()
            .map(|c| (c.a.id, c.b.id, c.a.figure.as_str(), c.b.figure.as_str()))
            .collect();
        // 1 and 4 overlap (500-999); 3 counts militants; 5 is another event.
        assert_eq!(
            pairs,
            [
                (1, 2, "200-999 civilians", "24-99 Civilians"),
                (2, 4, "24-99 Civilians", ">500 civilians")
            ]
        );
        assert_eq!(found[0].why, "tag moura");
        let subjects: Vec<Subject> = claims.iter().map(Subject::from).collect();
        let why = reasons(&clashes(&subjects, Some(10)));
        assert_eq!(
            why[&2],
            [
                "figures conflict with claim 1: 24-99 Civilians against 200-999 civilians (tag moura)",
                "figures conflict with claim 4: 24-99 Civilians against >500 civilians (tag moura)",
            ]
        );
        assert_eq!(reasons(&clashes(&subjects, Some(1)))[&2].len(), 1);
    }

    #[test]
    fn a_place_and_overlapping_dates_make_the_same_event() {
        let claims = [
            claim(1, "~300 civilians", &[], Some(("Moura, Mali", "2022-03"))),
            claim(2, "203 civilians", &[], Some(("moura, mali", "2022-03-27"))),
            claim(3, "50 civilians", &[], Some(("Moura, Mali", "2023"))),
            claim(4, "290 civilians", &[], Some(("Moura, Mali", "2022"))),
        ];
        let pairs: Vec<(i64, i64, String)> = find(&claims)
            .into_iter()
            .map(|c| (c.a.id, c.b.id, c.why))
            .collect();
        assert_eq!(
            pairs,
            [
                (1, 2, "location Moura, Mali, 2022-03".to_owned()),
                (2, 4, "location moura, mali, 2022".to_owned()),
            ]
        );
    }

    #[test]
    fn a_shared_tag_does_not_join_claims_about_other_places_or_times() {
        let claims = [
            // A town's count and the country's: both can be true.
            claim(
                1,
                "~200 fighters",
                &["troops"],
                Some(("Ségou, Mali", "2022")),
            ),
            claim(2, "~1000 fighters", &["troops"], Some(("Mali", "2022"))),
            // Two deliveries at different times.
            claim(3, "2 helicopters", &["arms"], Some(("Bamako", "2022-03"))),
            claim(4, "4 helicopters", &["arms"], Some(("Bamako", "2021-09"))),
            // The same place written more or less fully, the same month: one event.
            claim(5, "24-99 civilians", &["moura"], Some(("Moura", "2022-03"))),
            claim(
                6,
                "200-999 civilians",
                &["moura"],
                Some(("Moura, Mali", "2022-03")),
            ),
        ];
        let pairs: Vec<(i64, i64)> = find(&claims).iter().map(|c| (c.a.id, c.b.id)).collect();
        assert_eq!(pairs, [(5, 6)]);
    }

    #[test]
    fn overlapping_figures_and_claims_without_units_do_not_conflict() {
        let claims = [
            claim(1, "~100 men", &["t"], None),
            claim(2, "105 men", &["t"], None),
            claim(3, ">=100 men", &["t"], None),
            claim(4, "3", &["t"], None),
            claim(5, "30", &["t"], None),
        ];
        assert_eq!(find(&claims), vec![]);
    }

    #[test]
    fn a_text_without_figures_is_read_for_them() {
        let five = stated(&[], "5 civilians killed in X");
        let fifty = stated(&[], "50 civilians killed in X");
        assert!(figures_conflict(&five, &fifty).is_some());
        assert!(figures_conflict(&five, &stated(&[], "5 civilians died in X")).is_none());
    }
}
