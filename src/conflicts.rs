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

use std::collections::HashMap;

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
    let other_place = matches!((&a.location, &b.location),
        (Some(pa), Some(pb)) if place_head(pa) != place_head(pb));
    let other_time = matches!((&a.date, &b.date), (Some(da), Some(db)) if !dates_overlap(da, db));
    if other_place || other_time {
        return None;
    }
    let shared: Vec<&str> = a
        .tags
        .iter()
        .filter(|t| b.tags.contains(t))
        .map(|t| t.as_str())
        .collect();
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

/// A hasher for the small integer and short string keys of [`Found::among`]: the standard
/// one resists crafted keys, which these are not, at several times the cost.
#[derive(Default, Clone, Copy)]
struct QuickHasher(u64);

impl std::hash::Hasher for QuickHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.write_u64(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
        }
        let mut last = [0u8; 8];
        last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        self.write_u64(u64::from_le_bytes(last) ^ bytes.len() as u64);
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type QuickMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<QuickHasher>>;

/// Interns `key`, returning its number (numbers count up from 0 in order of first sight).
fn intern<K: std::hash::Hash + Eq>(map: &mut QuickMap<K, u32>, key: K) -> u32 {
    let next = u32::try_from(map.len()).unwrap_or(u32::MAX);
    *map.entry(key).or_insert(next)
}

/// Each interned key's rank among all of them in the order of `name`.
fn ranks(count: usize, name: impl Fn(usize) -> String) -> Vec<u32> {
    let names: Vec<String> = (0..count).map(&name).collect();
    let mut order: Vec<u32> = (0..count as u32).collect();
    order.sort_by(|&x, &y| names[x as usize].cmp(&names[y as usize]));
    let mut rank = vec![0u32; count];
    for (r, &i) in order.iter().enumerate() {
        rank[i as usize] = r as u32;
    }
    rank
}

/// One clash as [`Found::among`] finds it: by the positions of the two subjects and of their
/// figures, and the rank of the folded unit they count.
#[derive(Debug, Clone, Copy)]
struct Hit {
    subject: u32,
    other: u32,
    figure: u32,
    other_figure: u32,
    unit: u32,
}

/// The clashes among subjects, found as [`clashes`] finds them but kept by position, so that
/// a clash's figures and reason are written out only for the claims someone asks about.
pub struct Found {
    subjects: Vec<Subject>,
    /// In order of claim id, then the other claim's id, then unit.
    hits: Vec<Hit>,
    /// The folded units by rank.
    units: Vec<String>,
}

impl Found {
    /// The clashes among `subjects`, as [`clashes`] says.
    pub fn among(subjects: Vec<Subject>, per_claim: Option<usize>) -> Found {
        let (hits, units) = hits(&subjects, per_claim, None);
        Found {
            subjects,
            hits,
            units,
        }
    }

    /// Every pair among `subjects` once, as [`clashes`] with `None` finds them, but only the
    /// first `limit` of them in order: claims with a higher id than the last pair kept so far
    /// are not looked at, so a short list from a large database neither waits for nor holds
    /// the millions of pairs after it.
    pub fn first_pairs(subjects: Vec<Subject>, limit: usize) -> Found {
        let (hits, units) = hits(&subjects, None, Some(limit));
        Found {
            subjects,
            hits,
            units,
        }
    }

    /// The claims in a clash, in order of id.
    pub fn ids(&self) -> Vec<i64> {
        let mut ids: Vec<i64> = self
            .hits
            .iter()
            .map(|h| self.subjects[h.subject as usize].id)
            .collect();
        ids.dedup();
        ids
    }

    /// How many clashes there are.
    pub fn len(&self) -> usize {
        self.hits.len()
    }

    /// Whether none was found.
    pub fn is_empty(&self) -> bool {
        self.hits.is_empty()
    }

    /// The clashes of claim `id`, in order of the other claim's id.
    pub fn of(&self, id: i64) -> Vec<Clash> {
        let start = self
            .hits
            .partition_point(|h| self.subjects[h.subject as usize].id < id);
        self.hits[start..]
            .iter()
            .take_while(|h| self.subjects[h.subject as usize].id == id)
            .map(|h| self.clash(h))
            .collect()
    }

    /// The first `limit` clashes (all of them with `None`), in order.
    pub fn first(&self, limit: Option<usize>) -> Vec<Clash> {
        self.hits
            .iter()
            .take(limit.unwrap_or(usize::MAX))
            .map(|h| self.clash(h))
            .collect()
    }

    fn clash(&self, h: &Hit) -> Clash {
        clash(&self.subjects, &self.units, h)
    }
}

/// A hit written out as a clash, with its reason.
fn clash(subjects: &[Subject], units: &[String], h: &Hit) -> Clash {
    let (mine, other) = (&subjects[h.subject as usize], &subjects[h.other as usize]);
    let fold = |s: &Subject| s.location.as_deref().map(crate::fold::fold);
    let why = same_event(mine, other, (&fold(mine), &fold(other))).unwrap_or_default();
    Clash {
        claim: mine.id,
        other: other.id,
        unit: units[h.unit as usize].clone(),
        figure: mine.figures[h.figure as usize].clone(),
        other_figure: other.figures[h.other_figure as usize].clone(),
        why,
    }
}

/// The clashes among `subjects`: with `per_claim`, from each claim's side, at most that many per
/// claim (why each is in a conflict); with `None`, every pair once, from its lower id's side. Within a group of claims that count one thing about one event, figures sorted by
/// their bounds give each figure the ones it cannot be true with directly, so the work grows
/// with the clashes found, not with the square of the group.
pub fn clashes(subjects: &[Subject], per_claim: Option<usize>) -> Vec<Clash> {
    let (hits, units) = hits(subjects, per_claim, None);
    hits.iter().map(|h| clash(subjects, &units, h)).collect()
}

/// What [`hits`] knows of a subject to tell whether it is about the same event as another:
/// its place and the most specific part of it (interned), and its tags' range in a shared list.
struct Placed {
    place: Option<u32>,
    head: Option<u32>,
    tags: (u32, u32),
}

/// The work of [`clashes`]: the clashes by position, in order of claim id, then the other
/// claim's id, then unit, and the folded units by rank. Units, tags, places and events are
/// numbered once, so that grouping and comparing handle integers, not strings. With `first`
/// (and no `per_claim`), only the first that many pairs.
fn hits(
    subjects: &[Subject],
    per_claim: Option<usize>,
    first: Option<usize>,
) -> (Vec<Hit>, Vec<String>) {
    struct Entry {
        group: u64,
        subject: u32,
        figure: u32,
        bounds: Bounds,
    }
    // Numbers for units as written (folded once each), folded units, tags, places, heads.
    let mut unit_of: QuickMap<&str, Option<u32>> = QuickMap::default();
    let mut unit_keys: QuickMap<String, u32> = QuickMap::default();
    let mut tag_ids: QuickMap<&str, u32> = QuickMap::default();
    let mut location_of: QuickMap<&str, (u32, u32)> = QuickMap::default();
    let mut place_ids: QuickMap<String, u32> = QuickMap::default();
    let mut head_ids: QuickMap<String, u32> = QuickMap::default();
    // The groups a claim is compared within (its events): one per tag, and one for its
    // location in the year of its date (the dates are compared pair by pair).
    let mut tag_events: QuickMap<u32, u32> = QuickMap::default();
    let mut place_events: QuickMap<(u32, &str), u32> = QuickMap::default();
    let mut event_names: Vec<(bool, u32, &str)> = Vec::new();
    let mut tags: Vec<u32> = Vec::new();
    let mut placed: Vec<Placed> = Vec::with_capacity(subjects.len());
    let mut raw: Vec<(u32, u32, u32, u32)> = Vec::new();
    let mut events: Vec<u32> = Vec::new();
    for (i, s) in subjects.iter().enumerate() {
        let start = tags.len() as u32;
        tags.extend(s.tags.iter().map(|t| intern(&mut tag_ids, t.as_str())));
        let (place, head) = match s.location.as_deref() {
            Some(location) => {
                let (p, h) = *location_of.entry(location).or_insert_with(|| {
                    (
                        intern(&mut place_ids, crate::fold::fold(location)),
                        intern(&mut head_ids, place_head(location)),
                    )
                });
                (Some(p), Some(h))
            }
            None => (None, None),
        };
        placed.push(Placed {
            place,
            head,
            tags: (start, tags.len() as u32),
        });
        events.clear();
        for &t in &tags[start as usize..] {
            let next = event_names.len() as u32;
            let e = *tag_events.entry(t).or_insert(next);
            if e == next {
                event_names.push((true, t, ""));
            }
            events.push(e);
        }
        if let (Some(p), Some(date)) = (place, &s.date) {
            let year = &date[..date.len().min(4)];
            let next = event_names.len() as u32;
            let e = *place_events.entry((p, year)).or_insert(next);
            if e == next {
                event_names.push((false, p, year));
            }
            events.push(e);
        }
        if events.is_empty() {
            continue;
        }
        for (f, figure) in s.figures.iter().enumerate() {
            let Some(unit) = figure.unit.as_deref() else {
                continue;
            };
            let unit = *unit_of.entry(unit).or_insert_with(|| {
                let key = figure::unit_key(unit);
                (!key.is_empty()).then(|| intern(&mut unit_keys, key))
            });
            let Some(unit) = unit else {
                continue;
            };
            for &e in &events {
                raw.push((unit, e, i as u32, f as u32));
            }
        }
    }
    // Groups in the order of their unit's folded text, then their event's key text.
    let mut units: Vec<String> = vec![String::new(); unit_keys.len()];
    for (key, id) in unit_keys {
        units[id as usize] = key;
    }
    let unit_rank = ranks(units.len(), |u| units[u].clone());
    let mut place_names: Vec<&str> = vec![""; place_ids.len()];
    for (name, &id) in &place_ids {
        place_names[id as usize] = name;
    }
    let tag_names: Vec<&str> = {
        let mut names = vec![""; tag_ids.len()];
        for (&name, &id) in &tag_ids {
            names[id as usize] = name;
        }
        names
    };
    let event_rank = ranks(event_names.len(), |e| match event_names[e] {
        (true, t, _) => format!("tag\u{1}{}", tag_names[t as usize]),
        (false, p, year) => format!("location\u{1}{}\u{1}{year}", place_names[p as usize]),
    });
    let mut entries: Vec<Entry> = raw
        .into_iter()
        .map(|(u, e, subject, f)| Entry {
            group: (u64::from(unit_rank[u as usize]) << 32) | u64::from(event_rank[e as usize]),
            subject,
            figure: f,
            bounds: subjects[subject as usize].figures[f as usize].bounds(),
        })
        .collect();
    // Stable: within a group, entries stay in order of subject, then figure.
    entries.sort_by_key(|e| e.group);

    let same_event = |a: u32, b: u32| -> bool {
        let (sa, sb) = (&subjects[a as usize], &subjects[b as usize]);
        let (pa, pb) = (&placed[a as usize], &placed[b as usize]);
        if let (Some(ha), Some(hb)) = (pa.head, pb.head) {
            if ha != hb {
                return false;
            }
        }
        if let (Some(da), Some(db)) = (&sa.date, &sb.date) {
            if !dates_overlap(da, db) {
                return false;
            }
        }
        let tb = &tags[pb.tags.0 as usize..pb.tags.1 as usize];
        if tags[pa.tags.0 as usize..pa.tags.1 as usize]
            .iter()
            .any(|t| tb.contains(t))
        {
            return true;
        }
        pa.place.is_some() && pa.place == pb.place && sa.date.is_some() && sb.date.is_some()
    };

    // Hits in order of claim id, then the other's id, then unit: by position when the
    // subjects come in order of id (as the store reads them), which spares a look-up each.
    let by_position = subjects.windows(2).all(|w| w[0].id < w[1].id);
    let order = |subject: u32, other: u32, unit: u32| -> (i64, i64, u32) {
        if by_position {
            (i64::from(subject), i64::from(other), unit)
        } else {
            (
                subjects[subject as usize].id,
                subjects[other as usize].id,
                unit,
            )
        }
    };
    let key = |h: &Hit| order(h.subject, h.other, h.unit);
    // Sorted by key, repeats dropped: stable, so that of repeats the first found stays.
    let tidy = |found: &mut Vec<Hit>| {
        found.sort_by_key(key);
        found.dedup_by(|b, a| key(a) == key(b));
    };
    let first = if per_claim.is_none() { first } else { None };
    if first == Some(0) {
        return (Vec::new(), Vec::new());
    }
    // With `first`: the key of the last pair of the first ones found so far. Only lower
    // keys can be among the first of all, and it only falls as more are found.
    let mut last: Option<(i64, i64, u32)> = None;
    let mut found: Vec<Hit> = Vec::new();
    let mut count: Vec<u32> = vec![0; subjects.len()];
    let limit = per_claim.map(|k| u32::try_from(k).unwrap_or(u32::MAX));
    // With a limit, a pair and unit already found must not count twice; without, repeats are
    // dropped at the end (the first found is kept).
    let mut seen: QuickMap<(u32, u32, u32), ()> = QuickMap::default();
    let (mut by_high, mut by_low): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
    let mut at = 0;
    while at < entries.len() {
        let group = entries[at].group;
        let end = at + entries[at..].partition_point(|e| e.group == group);
        let members = &entries[at..end];
        at = end;
        if members.len() < 2 {
            continue;
        }
        let unit = (group >> 32) as u32;
        // By the top of their range, and by the bottom, highest first.
        by_high.clear();
        by_high.extend(0..members.len() as u32);
        // (Among equal numbers, an open end lies further out: "< 5" is below "<= 5".)
        by_high.sort_by(|&x, &y| {
            let (x, y) = (&members[x as usize].bounds, &members[y as usize].bounds);
            x.high
                .total_cmp(&y.high)
                .then(y.high_open.cmp(&x.high_open))
        });
        by_low.clear();
        by_low.extend(0..members.len() as u32);
        by_low.sort_by(|&x, &y| {
            let (x, y) = (&members[x as usize].bounds, &members[y as usize].bounds);
            y.low.total_cmp(&x.low).then(y.low_open.cmp(&x.low_open))
        });
        for (m, me) in members.iter().enumerate() {
            if limit.is_some_and(|k| count[me.subject as usize] >= k) {
                continue;
            }
            let mine = subjects[me.subject as usize].id;
            if last.is_some_and(|last| order(me.subject, 0, 0).0 > last.0) {
                continue;
            }
            let below = by_high
                .iter()
                .take_while(|&&o| !members[o as usize].bounds.overlaps_from_below(&me.bounds));
            let above = by_low
                .iter()
                .take_while(|&&o| !me.bounds.overlaps_from_below(&members[o as usize].bounds));
            for &o in below.chain(above) {
                let them = &members[o as usize];
                if o as usize == m || them.subject == me.subject {
                    continue;
                }
                if limit.is_some_and(|k| count[me.subject as usize] >= k) {
                    break;
                }
                // Listing every pair, each is found once, from its lower id's side.
                let theirs = subjects[them.subject as usize].id;
                if limit.is_none() && theirs < mine {
                    continue;
                }
                if last.is_some_and(|last| order(me.subject, them.subject, unit) > last) {
                    continue;
                }
                if limit.is_some() && seen.contains_key(&(me.subject, them.subject, unit)) {
                    continue;
                }
                if !same_event(me.subject, them.subject) {
                    continue;
                }
                if limit.is_some() {
                    seen.insert((me.subject, them.subject, unit), ());
                }
                count[me.subject as usize] += 1;
                found.push(Hit {
                    subject: me.subject,
                    other: them.subject,
                    figure: me.figure,
                    other_figure: them.figure,
                    unit,
                });
                if let Some(first) = first {
                    if found.len() >= first.saturating_mul(2).saturating_add(4096) {
                        tidy(&mut found);
                        found.truncate(first);
                        last = found.get(first - 1).map(key);
                    }
                }
            }
        }
    }
    let mut by_rank = vec![String::new(); units.len()];
    for (u, name) in units.into_iter().enumerate() {
        by_rank[unit_rank[u] as usize] = name;
    }
    tidy(&mut found);
    if let Some(first) = first {
        found.truncate(first);
    }
    (found, by_rank)
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

    /// Why each claim is in a conflict: its clashes' reasons by claim id.
    fn reasons(clashes: &[Clash]) -> HashMap<i64, Vec<String>> {
        let mut by_claim: HashMap<i64, Vec<String>> = HashMap::new();
        for c in clashes {
            by_claim.entry(c.claim).or_default().push(c.reason());
        }
        by_claim
    }

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
    fn the_first_pairs_of_many_are_the_head_of_all_of_them() {
        // Enough pairs that the search for the first ones drops the later ones on the way:
        // claims in no order of id, some pairs met twice (two tags, two figures of one unit),
        // and the lowest ids met only in the last group of claims looked through.
        let subjects: Vec<Subject> = (0..400i64)
            .map(|n| {
                let id = (n * 7919) % 400 + 1;
                let figures = if n % 5 == 0 {
                    format!("{} civilians; {} civilians", id * 3, id * 3 + 1)
                } else {
                    format!("{} civilians; ~{} fighters", id * 3, id * 2)
                };
                let tags: &[&str] = match (id <= 100, n % 3 == 0) {
                    (true, _) => &["z"],
                    (false, true) => &["a", "z"],
                    (false, false) => &["a"],
                };
                Subject::from(&claim(id, &figures, tags, None))
            })
            .collect();
        let all = clashes(&subjects, None);
        assert!(all.len() > 20_000, "{}", all.len());
        for limit in [1, 10, 2_000, 30_000] {
            let first = Found::first_pairs(subjects.clone(), limit).first(None);
            assert_eq!(first, all[..limit.min(all.len())], "{limit}");
        }
    }

    #[test]
    fn a_text_without_figures_is_read_for_them() {
        let five = stated(&[], "5 civilians killed in X");
        let fifty = stated(&[], "50 civilians killed in X");
        assert!(figures_conflict(&five, &fifty).is_some());
        assert!(figures_conflict(&five, &stated(&[], "5 civilians died in X")).is_none());
    }
}
