//! The claims an import creates are recorded in batches: one history event for up to
//! [`MAX_CLAIMS`] claims with consecutive ids, read from lines of one file, instead of one event
//! per claim. A million-claim import then writes a thousand events, not a million.
//!
//! The batch event is chained like any other (its hash covers everything below), and is filed
//! under its first claim with field [`FIELD`]. Its `new_value` names the claims (`first` to
//! `last`), the line each came from, and what each was created with: per claim, its status and
//! the two digests of its creation snapshot (see `replay`), 33 characters where an event of its
//! own took about 250 bytes, so that `audit` still finds the one claim changed behind claimdb's
//! back. `history` shows each claim's creation from it ("import of claims.csv line 4"), as if
//! the claim had an event of its own.

use serde::{Deserialize, Serialize};

use crate::model::{Action, HistoryEvent, Status};

/// The `field` of a batch event.
pub(super) const FIELD: &str = "batch";

/// Claims in one batch at most: a claim's batch is found among this many ids before it.
pub(super) const MAX_CLAIMS: i64 = 1000;

/// Characters per claim in [`Record::claims`]: its status (a digit, see [`status_code`]), then
/// the 16 hex digits of its fields' digest and the 16 of its sources'.
const PER_CLAIM: usize = 33;

/// What a batch event records (its `new_value`, as JSON).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct Record {
    pub first: i64,
    pub last: i64,
    /// The file's line of each claim, in id order, as runs: "2-1001,1003".
    pub lines: String,
    /// What each claim was created with, in id order, [`PER_CLAIM`] characters each.
    pub claims: String,
}

/// What a claim was created with, as a batch records it: the parts of its creation snapshot.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Created<'a> {
    pub status: &'static str,
    /// Digest of its other fields.
    pub fields: &'a str,
    /// Digest of its supporting and disputing sources.
    pub sources: &'a str,
}

/// A status as one character: its place in [`Status::ALL`], which only ever grows at its end.
fn status_code(status: &str) -> Option<char> {
    let place = Status::ALL.iter().position(|s| s.as_str() == status)?;
    char::from_digit(u32::try_from(place).ok()?, 36)
}

/// What a batch keeps of a claim created with `status`, `fields` and `sources` (the parts of its
/// creation snapshot, digests of 16 hex digits); none for a status or digest it cannot hold.
pub(super) fn digests_of(status: &str, fields: &str, sources: &str) -> Option<String> {
    let digest = |d: &str| d.len() == 16 && d.bytes().all(|b| b.is_ascii_hexdigit());
    if !digest(fields) || !digest(sources) {
        return None;
    }
    let mut out = String::with_capacity(PER_CLAIM);
    out.push(status_code(status)?);
    out.push_str(fields);
    out.push_str(sources);
    Some(out)
}

/// The file and line of an import's origin ("claims.csv line 4"); none for an origin without a
/// line, whose claims get an event each.
pub(super) fn file_and_line(origin: &str) -> Option<(&str, u64)> {
    let (file, line) = origin.rsplit_once(" line ")?;
    Some((file, line.parse().ok()?))
}

impl Record {
    pub fn parse(new_value: &str) -> Option<Record> {
        let record: Record = serde_json::from_str(new_value).ok()?;
        let count = usize::try_from(record.last - record.first + 1).ok()?;
        (record.claims.len() == count * PER_CLAIM && record.claims.is_ascii()).then_some(record)
    }

    pub fn covers(&self, id: i64) -> bool {
        (self.first..=self.last).contains(&id)
    }

    /// The line claim `id` came from.
    pub fn line_of(&self, id: i64) -> Option<u64> {
        let mut left = u64::try_from(id - self.first).ok()?;
        for run in self.lines.split(',') {
            let (from, to) = run.split_once('-').unwrap_or((run, run));
            let (from, to): (u64, u64) = (from.parse().ok()?, to.parse().ok()?);
            let length = to.checked_sub(from)? + 1;
            if left < length {
                return Some(from + left);
            }
            left -= length;
        }
        None
    }

    /// What claim `id` was created with.
    pub fn created(&self, id: i64) -> Option<Created<'_>> {
        let at = usize::try_from(id - self.first).ok()? * PER_CLAIM;
        let claim = self.claims.get(at..at + PER_CLAIM)?;
        let (code, digests) = claim.split_at(1);
        let place = code.chars().next()?.to_digit(36)?;
        let status = Status::ALL.get(usize::try_from(place).ok()?)?.as_str();
        let (fields, sources) = digests.split_at(16);
        Some(Created {
            status,
            fields,
            sources,
        })
    }

    /// Claim `id`'s creation, as `history` shows it, from the batch event `event`.
    pub fn creation(&self, event: &HistoryEvent, id: i64) -> HistoryEvent {
        let note = event.note.clone().unwrap_or_default();
        HistoryEvent {
            id: event.id,
            claim_id: id,
            at: event.at.clone(),
            actor: event.actor.clone(),
            action: Action::Import,
            field: None,
            old_value: None,
            new_value: None,
            note: Some(match self.line_of(id) {
                Some(line) => format!("{note} line {line}"),
                None => note,
            }),
        }
    }
}

/// Whether `event` is a batch event.
pub(super) fn is_batch(event: &HistoryEvent) -> bool {
    event.action == Action::Import && event.field.as_deref() == Some(FIELD)
}

/// `event`, or each creation it records when it is a batch event.
pub(super) fn expand(
    event: HistoryEvent,
    visit: &mut impl FnMut(HistoryEvent) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let record = match &event.new_value {
        Some(new) if is_batch(&event) => Record::parse(new),
        _ => None,
    };
    match record {
        Some(record) => {
            for id in record.first..=record.last {
                visit(record.creation(&event, id))?;
            }
            Ok(())
        }
        None => visit(event),
    }
}

/// A batch being filled by an import.
#[derive(Debug)]
pub(super) struct Open {
    file: String,
    first: i64,
    last: i64,
    /// Runs of consecutive lines.
    lines: Vec<(u64, u64)>,
    claims: String,
}

impl Open {
    pub fn new(id: i64, file: &str, line: u64, digests: &str) -> Open {
        let mut claims = String::with_capacity(PER_CLAIM * 64);
        claims.push_str(digests);
        Open {
            file: file.to_owned(),
            first: id,
            last: id,
            lines: vec![(line, line)],
            claims,
        }
    }

    /// Adds claim `id`, unless it does not follow the batch's last claim, comes from another
    /// file, or the batch is full: then it belongs in a new batch.
    pub fn push(&mut self, id: i64, file: &str, line: u64, digests: &str) -> bool {
        if id != self.last + 1 || file != self.file || self.len() >= MAX_CLAIMS {
            return false;
        }
        self.last = id;
        match self.lines.last_mut() {
            Some((_, to)) if *to + 1 == line => *to = line,
            _ => self.lines.push((line, line)),
        }
        self.claims.push_str(digests);
        true
    }

    pub fn len(&self) -> i64 {
        self.last - self.first + 1
    }

    pub fn first(&self) -> i64 {
        self.first
    }

    /// The event's `new_value` and note.
    pub fn event(&self) -> (String, String) {
        let lines: Vec<String> = self
            .lines
            .iter()
            .map(|&(from, to)| match from == to {
                true => from.to_string(),
                false => format!("{from}-{to}"),
            })
            .collect();
        let record = Record {
            first: self.first,
            last: self.last,
            lines: lines.join(","),
            claims: self.claims.clone(),
        };
        // A struct of numbers and strings always serializes.
        let new_value = serde_json::to_string(&record).unwrap_or_default();
        (new_value, format!("import of {}", self.file))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digests(n: i64) -> String {
        let status = Status::ALL[n as usize % Status::ALL.len()].as_str();
        digests_of(status, &format!("{n:016x}"), &format!("{:016x}", n + 1)).unwrap()
    }

    #[test]
    fn a_batch_gives_back_each_claims_line_and_digests() {
        let mut open = Open::new(10, "claims.csv", 2, &digests(10));
        // Line 4 held a row that changed a stored claim; line 5 held two lines of one row.
        for (id, line) in [(11, 3), (12, 5), (13, 7), (14, 8)] {
            assert!(open.push(id, "claims.csv", line, &digests(id)));
        }
        assert!(
            !open.push(16, "claims.csv", 9, &digests(16)),
            "a gap in the ids"
        );
        assert!(!open.push(15, "other.csv", 9, &digests(15)), "another file");
        let (new_value, note) = open.event();
        assert_eq!(note, "import of claims.csv");
        let record = Record::parse(&new_value).expect("a batch record");
        assert_eq!(record.lines, "2-3,5,7-8");
        let lines: Vec<Option<u64>> = (9..=15).map(|id| record.line_of(id)).collect();
        assert_eq!(
            lines,
            [None, Some(2), Some(3), Some(5), Some(7), Some(8), None]
        );
        for id in 10..=14 {
            let created = record.created(id).expect("a claim of the batch");
            assert_eq!(created.status, Status::ALL[id as usize % 7].as_str());
            assert_eq!(created.fields, format!("{id:016x}"));
            assert_eq!(created.sources, format!("{:016x}", id + 1));
        }
        assert_eq!(record.created(15), None);
        assert!(record.covers(14) && !record.covers(15) && !record.covers(9));
    }

    #[test]
    fn a_batch_holds_at_most_its_maximum_of_claims() {
        let mut open = Open::new(1, "f", 1, &digests(1));
        let mut id = 1;
        while open.push(id + 1, "f", (id + 1) as u64, &digests(id + 1)) {
            id += 1;
        }
        assert_eq!(open.len(), MAX_CLAIMS);
        assert_eq!(id, MAX_CLAIMS);
    }

    #[test]
    fn a_record_whose_digests_do_not_match_its_claims_is_not_read() {
        let open = Open::new(1, "f", 1, &digests(1));
        let (new_value, _) = open.event();
        assert!(Record::parse(&new_value).is_some());
        let short = new_value.replacen(&digests(1)[..2], "", 1);
        assert_eq!(Record::parse(&short), None);
        assert_eq!(Record::parse("{\"first\":1}"), None);
    }

    #[test]
    fn only_a_known_status_and_two_digests_fit_in_a_batch() {
        let d = "0123456789abcdef";
        assert_eq!(
            digests_of("in_review", d, d).as_deref(),
            Some("10123456789abcdef0123456789abcdef")
        );
        assert_eq!(digests_of("pending", d, d), None);
        assert_eq!(digests_of("false", "0123", d), None);
        assert_eq!(digests_of("false", d, "0123456789abcdeg"), None);
    }

    #[test]
    fn an_origin_without_a_line_has_no_batch() {
        assert_eq!(
            file_and_line("my claims.csv line 12"),
            Some(("my claims.csv", 12))
        );
        assert_eq!(file_and_line("stdin"), None);
        assert_eq!(file_and_line("f line two"), None);
    }
}
