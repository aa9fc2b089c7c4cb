//! Reviews of claims and the user's rating map: the SQL behind the fact-check formats.

use super::sql::{self, params, Connection, OptionalExtension, Row};

use super::{load_claim, ImportRow, Imported, Importer, Store};
use crate::error::{InvalidValue, UserError};
use crate::model::{self, Action, Claim, ClaimPatch, Status};
use crate::ratings::{rating_key, RatingMap};
use crate::review::{Review, ReviewDraft};

const REVIEW_COLUMNS: &str =
    "publisher, site, url, title, review_date, rating, language, body, created_at, created_by";

/// A claim's reviews, oldest first (through `review_by_claim`).
pub(super) fn reviews_of_claim_sql() -> String {
    format!("SELECT {REVIEW_COLUMNS} FROM review WHERE claim_id = ?1 ORDER BY id")
}

/// The review with this url on a claim (through the partial index `review_by_url`).
pub(super) fn review_by_url_sql() -> String {
    format!("SELECT id, {REVIEW_COLUMNS} FROM review WHERE claim_id = ?1 AND url = ?2")
}

/// The review without url from this publisher on a claim (through `review_by_publisher`).
pub(super) fn review_by_publisher_sql() -> String {
    format!(
        "SELECT id, {REVIEW_COLUMNS} FROM review
         WHERE claim_id = ?1 AND url IS NULL AND publisher_key = ?2"
    )
}

/// The publishers and ratings of a claim's reviews, oldest first (through `review_by_claim`).
pub(super) const RATINGS_OF_CLAIM: &str =
    "SELECT publisher, rating FROM review WHERE claim_id = ?1 ORDER BY id";

/// The condition (on claims `c`) for "reviewed by `given`", with its values. A publisher is
/// found by its name, by any name or alias of the source of that name (`source add مسبار
/// --alias Misbar` makes Misbar find مسبار's reviews), or by its site: `misbar.com`,
/// `https://www.misbar.com/` and the site's bare name `Misbar` all find reviews from
/// `https://misbar.com`.
pub(super) fn publisher_condition(
    conn: &dyn Connection,
    given: &str,
) -> anyhow::Result<(String, Vec<sql::Value>)> {
    use sql::Value;
    let key = model::source_key(given);
    let mut keys: Vec<String> = conn
        .prepare_cached(
            "SELECT key FROM source_name WHERE source_id IN
               (SELECT source_id FROM source_name WHERE key = ?1)",
        )?
        .query_map([&key], |r| r.get::<String>(0))?
        .collect::<Result<_, _>>()?;
    keys.push(key);
    keys.dedup();
    let wanted = site_host(given);
    // Distinct sites are few (one or two per publisher), so they are matched here rather than
    // in SQL.
    let sites: Vec<String> = conn
        .prepare_cached("SELECT DISTINCT site FROM review WHERE site IS NOT NULL")?
        .query_map(params![], |r| r.get::<String>(0))?
        .filter_map(|site| match site {
            Ok(site) => {
                let host = site_host(&site);
                let name = host.split('.').next().unwrap_or_default();
                (host == wanted || name == wanted).then_some(Ok(site))
            }
            Err(e) => Some(Err(e)),
        })
        .collect::<Result<_, _>>()?;
    let marks = |n: usize| vec!["?"; n].join(", ");
    let mut condition = format!(
        "c.id IN (SELECT claim_id FROM review WHERE publisher_key IN ({})",
        marks(keys.len())
    );
    if !sites.is_empty() {
        condition.push_str(&format!(" OR site IN ({})", marks(sites.len())));
    }
    condition.push(')');
    let values = keys.into_iter().chain(sites).map(Value::Text).collect();
    Ok((condition, values))
}

/// Gives a claim without a verdict the status its reviews' ratings mean (see
/// [`Importer::settle_status`]); `why` ends the history note.
fn settle(
    w: &mut super::Writer<'_>,
    id: i64,
    map: &RatingMap,
    why: &str,
) -> anyhow::Result<Option<Status>> {
    let current: Status =
        w.tx.prepare_cached("SELECT status FROM claim WHERE id = ?1")?
            .query_row([id], |r| r.get(0))?;
    if current != Status::Unverified {
        return Ok(None);
    }
    let mut stmt = w.tx.prepare_cached(RATINGS_OF_CLAIM)?;
    let rated: Vec<(String, Status, String)> = stmt
        .query_map([id], |r| Ok((r.get(0)?, r.get::<Option<String>>(1)?)))?
        .collect::<Result<Vec<_>, _>>()?
        .into_iter()
        .filter_map(|(publisher, rating)| {
            let rating = rating?;
            let status = map.status_for(&rating)?;
            Some((publisher, status, rating))
        })
        .collect();
    let mut statuses: Vec<Status> = rated.iter().map(|(_, s, _)| *s).collect();
    statuses.sort();
    statuses.dedup();
    let new = match statuses[..] {
        [] => return Ok(None),
        [one] => one,
        _ => Status::Disputed,
    };
    if new == Status::Unverified {
        return Ok(None);
    }
    let why_rated: Vec<String> = rated
        .iter()
        .map(|(publisher, _, rating)| {
            format!(
                "{publisher} rated it {:?}",
                crate::table::truncate(rating, 80)
            )
        })
        .collect();
    let note = format!("{} ({why})", why_rated.join("; "));
    let patch = ClaimPatch {
        status: Some(new),
        ..ClaimPatch::default()
    };
    w.update_claim(id, &patch, Action::Review, Some(&note), false)?;
    Ok(Some(new))
}

/// A site as a bare lower-case host: no scheme, no `www.`, no path.
fn site_host(site: &str) -> String {
    let site = site.trim().to_lowercase();
    let site = site
        .split_once("://")
        .map_or(site.as_str(), |(_, rest)| rest);
    let host = site.split(['/', '?', '#']).next().unwrap_or_default();
    host.strip_prefix("www.").unwrap_or(host).to_owned()
}

fn review_from_row(r: &Row<'_>) -> sql::Result<Review> {
    review_from_row_at(r, 0)
}

/// A rating text of stored reviews that the rating map does not know.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct UnmappedRating {
    /// The text as most of its reviews write it.
    pub rating: String,
    /// How many reviews give it.
    pub reviews: u64,
    /// How many claims have such a review.
    pub claims: u64,
}

/// What a user's `ratings map` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mapped {
    Added,
    Changed(Status),
    Unchanged,
}

/// What importing one review did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewImported {
    Added,
    /// The review was there; fields it lacked were filled in.
    Filled,
    /// The same review was there already.
    Duplicate,
    /// The review was there with other values in these fields; the stored ones are kept, so
    /// that importing a file twice (or a file that repeats a review) changes nothing.
    Conflict(Vec<&'static str>),
}

impl Store {
    /// The reviews of a claim, in the order they were stored.
    pub fn reviews(&self, id: i64) -> anyhow::Result<Vec<Review>> {
        let mut stmt = self.db().prepare(&reviews_of_claim_sql())?;
        let rows = stmt.query_map([id], review_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The built-in rating map with the user's entries over it.
    pub fn rating_map(&self) -> anyhow::Result<RatingMap> {
        let mut stmt = self
            .db()
            .prepare("SELECT rating, status FROM rating_map ORDER BY key")?;
        let user = stmt
            .query_map(params![], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<(String, Status)>, _>>()?;
        Ok(RatingMap::new(user))
    }

    /// Lets the rating text `rating` (and every spelling that folds like it) mean `status`, and
    /// gives the stored claims still `unverified` that have a review in that rating the status
    /// their reviews now mean, each change recorded in the claim's history. Returns what the
    /// map did and how many claims changed status.
    pub fn map_rating(
        &mut self,
        rating: &str,
        status: Status,
        actor: &str,
    ) -> anyhow::Result<(Mapped, u64)> {
        model::check_text("a rating", rating)?;
        let key = rating_key(rating);
        if key.is_empty() {
            return Err(UserError::Invalid(InvalidValue::new(
                "a rating text",
                rating,
                "it must have some visible text",
            ))
            .into());
        }
        let tx = self.write()?;
        let before: Option<Status> = tx
            .query_row(
                "SELECT status FROM rating_map WHERE key = ?1",
                [&key],
                |r| r.get(0),
            )
            .optional()?;
        let outcome = match before {
            Some(old) if old == status => Mapped::Unchanged,
            Some(old) => Mapped::Changed(old),
            None => Mapped::Added,
        };
        tx.execute(
            "INSERT INTO rating_map (key, rating, status, created_at, created_by)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (key) DO UPDATE SET rating = ?2, status = ?3, created_at = ?4,
                 created_by = ?5 WHERE rating_map.status <> ?3",
            params![key, rating.trim(), status, model::now(), actor],
        )?;
        let mut rerated = 0;
        if outcome != Mapped::Unchanged {
            let map = {
                let mut stmt = tx.prepare("SELECT rating, status FROM rating_map ORDER BY key")?;
                let user = stmt
                    .query_map(params![], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<Result<Vec<(String, Status)>, _>>()?;
                RatingMap::new(user)
            };
            // The claims with a review in this rating, found by folding every stored rating the
            // way the map does (the folding is not SQL's).
            let mut claims: Vec<i64> = tx
                .prepare(
                    "SELECT claim_id, rating FROM review WHERE rating IS NOT NULL
                       AND claim_id NOT IN (SELECT dup_id FROM claim_merge)",
                )?
                .query_map(params![], |r| Ok((r.get::<i64>(0)?, r.get::<String>(1)?)))?
                .filter_map(|row| match row {
                    Ok((id, text)) => (rating_key(&text) == key).then_some(Ok(id)),
                    Err(e) => Some(Err(e)),
                })
                .collect::<Result<_, _>>()?;
            claims.sort_unstable();
            claims.dedup();
            let why = format!("rating map: {:?} now means {status}", rating.trim());
            let mut w = super::Writer::new(&*tx, actor);
            for id in claims {
                if settle(&mut w, id, &map, &why)?.is_some() {
                    rerated += 1;
                }
            }
        }
        tx.commit()?;
        Ok((outcome, rerated))
    }

    /// The rating texts of stored reviews that the map does not know, most frequent first:
    /// (the text as most often written, reviews, claims). Spellings that fold alike count as one.
    pub fn unmapped_ratings(&self) -> anyhow::Result<Vec<UnmappedRating>> {
        let map = self.rating_map()?;
        let mut stmt = self.db().prepare(
            "SELECT rating, count(*), count(DISTINCT claim_id) FROM review
             WHERE rating IS NOT NULL GROUP BY rating",
        )?;
        let mut by_key: std::collections::HashMap<String, (UnmappedRating, u64)> =
            std::collections::HashMap::new();
        let rows = stmt.query_map(params![], |r| {
            Ok((r.get::<String>(0)?, r.get::<u64>(1)?, r.get::<u64>(2)?))
        })?;
        for row in rows {
            let (rating, reviews, claims) = row?;
            if map.status_for(&rating).is_some() {
                continue;
            }
            let key = rating_key(&rating);
            if key.is_empty() {
                continue;
            }
            let entry = by_key.entry(key).or_insert_with(|| {
                (
                    UnmappedRating {
                        rating: rating.clone(),
                        reviews: 0,
                        claims: 0,
                    },
                    0,
                )
            });
            // The spelling shown is the one most reviews use.
            if reviews > entry.1 {
                entry.0.rating = rating;
                entry.1 = reviews;
            }
            entry.0.reviews += reviews;
            // A claim with two spellings of one rating counts twice here: an upper bound.
            entry.0.claims += claims;
        }
        let mut all: Vec<UnmappedRating> = by_key.into_values().map(|(u, _)| u).collect();
        all.sort_by(|a, b| b.reviews.cmp(&a.reviews).then(a.rating.cmp(&b.rating)));
        Ok(all)
    }

    /// When, why and how the claim got its current status: the last history event that set it,
    /// or, for a claim created with that status, the event that created it.
    pub fn verdict(&self, claim: &Claim) -> anyhow::Result<Verdict> {
        let mut stmt = self.db().prepare_cached(
            "SELECT at, note, action FROM history
             WHERE claim_id = ?1 AND field = 'status' AND new_value = ?2
             ORDER BY id DESC LIMIT 1",
        )?;
        let found = stmt
            .query_row(params![claim.id, claim.status], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        let (at, note, action) = match found {
            Some(found) => found,
            None => {
                let created: Option<Action> = self
                    .db()
                    .prepare_cached(
                        "SELECT action FROM history WHERE claim_id = ?1 ORDER BY id LIMIT 1",
                    )?
                    .query_row([claim.id], |r| r.get(0))
                    .optional()?;
                (
                    claim.created_at.clone(),
                    None,
                    created.unwrap_or(Action::Import),
                )
            }
        };
        Ok(Verdict {
            at,
            note,
            by_person: matches!(action, Action::Status | Action::Edit | Action::Create),
        })
    }
}

/// How a claim got its current status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// When it was set.
    pub at: String,
    /// Why, as the history records it.
    pub note: Option<String>,
    /// Set by a person (`add`, `status`, `edit`), not taken from an import or a review.
    pub by_person: bool,
}

impl Importer<'_> {
    /// Adds the row as a new claim, or, when a claim with the same text and claimant exists,
    /// fills the fields it lacks and keeps the values it has: a fact-check file repeats claims
    /// (overlapping queries), and "the last record wins" would make a second import change
    /// what the first wrote.
    pub fn fill(&mut self, row: &ImportRow, origin: &str) -> anyhow::Result<Imported> {
        // Rows found here are settled against the database: the staged claims go in first.
        self.w.flush()?;
        let existing = match (&row.patch.text, &row.patch.claimant) {
            (Some(text), Some(claimant)) => match self.w.source_id_if_exists(claimant)? {
                Some(cid) => self.w.claim_by_text(text, cid)?,
                None => None,
            },
            _ => None,
        };
        let Some(id) = existing else {
            return self.upsert(row, origin);
        };
        let claim = load_claim(self.w.tx, id)?.ok_or(UserError::ClaimNotFound(id))?;
        let mut patch = row.patch.gaps_in(&claim.draft());
        patch.tags = row
            .patch
            .tags
            .clone()
            .filter(|t| claim.tags.is_empty() && !t.is_empty());
        let note = format!("import of {origin}");
        let changes = self
            .w
            .update_claim(id, &patch, Action::Import, Some(&note), false)?;
        Ok(if changes.is_empty() {
            Imported::Unchanged(id)
        } else {
            Imported::Updated(id)
        })
    }

    /// Stores a review on claim `id`, unless it is there already (same url on this claim, or,
    /// without a url, the same publisher). A review already there only gets the fields it lacks.
    pub fn add_review(
        &mut self,
        id: i64,
        review: &ReviewDraft,
        origin: &str,
    ) -> anyhow::Result<ReviewImported> {
        self.w.flush()?;
        review.validate()?;
        let publisher = review.publisher.trim();
        let key = model::source_key(publisher);
        let stored: Option<(i64, Review)> = match &review.url {
            Some(url) => self
                .w
                .tx
                .prepare_cached(&review_by_url_sql())?
                .query_row(params![id, url], |r| {
                    Ok((r.get(0)?, review_from_row_at(r, 1)?))
                })
                .optional()?,
            None => self
                .w
                .tx
                .prepare_cached(&review_by_publisher_sql())?
                .query_row(params![id, key], |r| {
                    Ok((r.get(0)?, review_from_row_at(r, 1)?))
                })
                .optional()?,
        };
        let rating = review.rating.as_deref().unwrap_or("");
        let summary = match &review.url {
            Some(url) => format!("{publisher}: {rating:?} ({url})"),
            None => format!("{publisher}: {rating:?}"),
        };
        let Some((review_id, stored)) = stored else {
            self.w
                .tx
                .prepare_cached(
                    "INSERT INTO review (claim_id, publisher, publisher_key, site, url, title,
                         review_date, rating, language, body, created_at, created_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                )?
                .execute(params![
                    id,
                    publisher,
                    key,
                    review.site,
                    review.url,
                    review.title,
                    review.review_date,
                    review.rating,
                    review.language,
                    review.body,
                    self.now,
                    self.w.actor,
                ])?;
            let added = Review {
                review: ReviewDraft {
                    publisher: publisher.to_owned(),
                    ..review.clone()
                },
                created_at: self.now.clone(),
                created_by: self.w.actor.to_owned(),
            };
            self.w.append_event(
                id,
                Action::Review,
                None,
                Some(&super::replay::review_snapshot(&added, &key)),
                Some(&format!("review by {summary}, import of {origin}")),
            )?;
            self.touch(id)?;
            return Ok(ReviewImported::Added);
        };
        let s = &stored.review;
        let mut filled = Vec::new();
        let mut conflicts = Vec::new();
        for (name, old, new) in [
            ("site", &s.site, &review.site),
            ("title", &s.title, &review.title),
            ("review_date", &s.review_date, &review.review_date),
            ("rating", &s.rating, &review.rating),
            ("language", &s.language, &review.language),
            ("body", &s.body, &review.body),
        ] {
            match (old, new) {
                (None, Some(_)) => filled.push(name),
                (Some(a), Some(b)) if a != b => conflicts.push(name),
                _ => {}
            }
        }
        if s.publisher != publisher {
            conflicts.insert(0, "publisher");
        }
        if !filled.is_empty() {
            self.w
                .tx
                .prepare_cached(
                    "UPDATE review SET site = coalesce(site, ?2), title = coalesce(title, ?3),
                         review_date = coalesce(review_date, ?4), rating = coalesce(rating, ?5),
                         language = coalesce(language, ?6), body = coalesce(body, ?7)
                     WHERE id = ?1",
                )?
                .execute(params![
                    review_id,
                    review.site,
                    review.title,
                    review.review_date,
                    review.rating,
                    review.language,
                    review.body,
                ])?;
            // The row as completed, for its event's digest.
            let completed: Review = self
                .w
                .tx
                .prepare_cached(&format!(
                    "SELECT {REVIEW_COLUMNS} FROM review WHERE id = ?1"
                ))?
                .query_row([review_id], review_from_row)?;
            self.w.append_event(
                id,
                Action::Review,
                None,
                Some(&super::replay::review_snapshot(&completed, &key)),
                Some(&format!(
                    "review by {summary} completed ({}), import of {origin}",
                    filled.join(", ")
                )),
            )?;
            self.touch(id)?;
        }
        Ok(if !conflicts.is_empty() {
            ReviewImported::Conflict(conflicts)
        } else if !filled.is_empty() {
            ReviewImported::Filled
        } else {
            ReviewImported::Duplicate
        })
    }

    /// Gives a claim without a verdict the status its reviews' ratings mean: the one status
    /// they agree on, or `disputed` when mapped ratings disagree. A claim whose status is not
    /// `unverified` keeps it: a status set by a person (or an earlier import) is never
    /// overwritten by a review. Returns the new status, if it changed.
    pub fn settle_status(
        &mut self,
        id: i64,
        map: &RatingMap,
        origin: &str,
    ) -> anyhow::Result<Option<Status>> {
        self.w.flush()?;
        settle(&mut self.w, id, map, &format!("import of {origin}"))
    }

    fn touch(&self, id: i64) -> anyhow::Result<()> {
        self.w
            .tx
            .prepare_cached("UPDATE claim SET updated_at = ?2, updated_by = ?3 WHERE id = ?1")?
            .execute(params![id, self.now, self.w.actor])?;
        Ok(())
    }
}

fn review_from_row_at(r: &Row<'_>, at: usize) -> sql::Result<Review> {
    Ok(Review {
        review: ReviewDraft {
            publisher: r.get(at)?,
            site: r.get(at + 1)?,
            url: r.get(at + 2)?,
            title: r.get(at + 3)?,
            review_date: r.get(at + 4)?,
            rating: r.get(at + 5)?,
            language: r.get(at + 6)?,
            body: r.get(at + 7)?,
        },
        created_at: r.get(at + 8)?,
        created_by: r.get(at + 9)?,
    })
}
