//! Conflicting figures: two claims that count the same thing about the same event with numbers
//! that cannot both be true. The editor's first question on a story like Moura ("203 militants
//! neutralised" against "about 300 civilians executed" counts two different things; "hundreds
//! of civilians" against "dozens of civilians" is a conflict).
//!
//! The rules:
//! - the same thing: the figures' units fold to the same key ([`crate::figure::unit_key`]);
//! - the same event: the claims share a tag, or have the same location (folded) and dates of
//!   which one contains the other (`2022-03` contains `2022-03-27`; a claim without a date
//!   meets others through its tags only);
//! - cannot both be true: the figures' intervals do not overlap, where an approximate figure
//!   reaches [`crate::figure::APPROX_MARGIN`] (10%) either side, "more than 5" excludes 5 and
//!   "at least 5" includes it.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::figure::{self, Figure};
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

impl Conflict {
    /// The reason as one line, from `claim`'s side: "figures conflict with claim 7: ~300
    /// civilians against 203 civilians (tag moura)".
    pub fn reason_for(&self, claim: i64) -> String {
        let (mine, other) = if self.a.id == claim {
            (&self.a, &self.b)
        } else {
            (&self.b, &self.a)
        };
        format!(
            "figures conflict with claim {}: {} against {} ({})",
            other.id, mine.figure, other.figure, self.why
        )
    }
}

/// Whether two dates, each as precise as its article, can be the same time.
fn dates_overlap(a: &str, b: &str) -> bool {
    a.starts_with(b) || b.starts_with(a)
}

/// The event keys a claim can share with another: its tags, and its location with its date.
fn events(claim: &Claim) -> Vec<(String, String)> {
    let mut keys: Vec<(String, String)> = claim
        .tags
        .iter()
        .map(|t| (format!("tag\u{1}{t}"), format!("tag {t}")))
        .collect();
    if let (Some(location), Some(_)) = (&claim.location, &claim.claim_date) {
        keys.push((
            format!("location\u{1}{}", crate::fold::fold(location)),
            format!("location {location}"),
        ));
    }
    keys
}

/// Every conflict among `claims`, each pair once, in order of the first claim's id, then the
/// second's.
pub fn find(claims: &[Claim]) -> Vec<Conflict> {
    // Claims by (unit key, event key): only claims that meet there are compared.
    let mut meeting: HashMap<(String, String), BTreeSet<usize>> = HashMap::new();
    for (i, claim) in claims.iter().enumerate() {
        let units: BTreeSet<String> = claim
            .figures
            .iter()
            .map(Figure::unit_key)
            .filter(|k| !k.is_empty())
            .collect();
        for unit in units {
            for (event, _) in events(claim) {
                meeting.entry((unit.clone(), event)).or_default().insert(i);
            }
        }
    }
    let mut found: BTreeMap<(i64, i64, String), Conflict> = BTreeMap::new();
    let mut keys: Vec<_> = meeting.into_iter().collect();
    keys.sort_by(|a, b| a.0.cmp(&b.0));
    for ((unit, _), members) in keys {
        let members: Vec<usize> = members.into_iter().collect();
        for (n, &i) in members.iter().enumerate() {
            for &j in &members[n + 1..] {
                let (a, b) = (&claims[i], &claims[j]);
                let key = (a.id.min(b.id), a.id.max(b.id), unit.clone());
                if found.contains_key(&key) {
                    continue;
                }
                if let Some(conflict) = pair(a, b, &unit) {
                    found.insert(key, conflict);
                }
            }
        }
    }
    found.into_values().collect()
}

/// The conflict between two claims about `unit`, if they are about the same event and some
/// figure of one cannot be true with some figure of the other.
fn pair(a: &Claim, b: &Claim, unit: &str) -> Option<Conflict> {
    let (a, b) = if a.id <= b.id { (a, b) } else { (b, a) };
    let why = same_event(a, b)?;
    let counted = |c: &Claim| -> Vec<Figure> {
        c.figures
            .iter()
            .filter(|f| f.unit_key() == unit)
            .cloned()
            .collect()
    };
    let (fa, fb) = (counted(a), counted(b));
    let (x, y) = fa
        .iter()
        .flat_map(|x| fb.iter().map(move |y| (x, y)))
        .find(|(x, y)| x.conflicts_with(y))?;
    let side = |c: &Claim, f: &Figure| Side {
        id: c.id,
        claimant: c.claimant.clone(),
        figure: figure::Figure {
            words: None,
            ..f.clone()
        }
        .to_string(),
        date: c.claim_date.as_ref().map(|d| d.to_string()),
        status: c.status,
        text: c.text.clone(),
    };
    Some(Conflict {
        unit: x.unit.clone().unwrap_or_default(),
        why,
        a: side(a, x),
        b: side(b, y),
    })
}

/// Why two claims are about the same event, or `None`.
fn same_event(a: &Claim, b: &Claim) -> Option<String> {
    let shared: Vec<&String> = a.tags.iter().filter(|t| b.tags.contains(t)).collect();
    if !shared.is_empty() {
        let tags: Vec<&str> = shared.iter().map(|t| t.as_str()).collect();
        return Some(format!(
            "{} {}",
            if tags.len() == 1 { "tag" } else { "tags" },
            tags.join(", ")
        ));
    }
    let (Some(la), Some(lb)) = (&a.location, &b.location) else {
        return None;
    };
    let (Some(da), Some(db)) = (&a.claim_date, &b.claim_date) else {
        return None;
    };
    if crate::fold::fold(la) != crate::fold::fold(lb)
        || !dates_overlap(&da.to_string(), &db.to_string())
    {
        return None;
    }
    let date = if da.to_string().len() <= db.to_string().len() {
        da
    } else {
        db
    };
    Some(format!("location {la}, {date}"))
}

/// Why each claim of `conflicts` is in one: the reasons by claim id.
pub fn reasons(conflicts: &[Conflict]) -> HashMap<i64, Vec<String>> {
    let mut by_claim: HashMap<i64, Vec<String>> = HashMap::new();
    for c in conflicts {
        for id in [c.a.id, c.b.id] {
            by_claim.entry(id).or_default().push(c.reason_for(id));
        }
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
        assert_eq!(
            found[0].reason_for(2),
            "figures conflict with claim 1: 24-99 Civilians against 200-999 civilians (tag moura)"
        );
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
