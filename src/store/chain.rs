//! The hash chain over history: each event's hash covers the previous event's hash and the
//! event's own content, so changing, removing or reordering a recorded event shows.

use sha2::{Digest, Sha256};

/// The content of one history event, in the order it is hashed.
pub struct Event<'a> {
    pub id: i64,
    pub claim_id: i64,
    pub at: &'a str,
    pub actor: &'a str,
    pub action: &'a str,
    pub field: Option<&'a str>,
    pub old_value: Option<&'a str>,
    pub new_value: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// The hash of `event` after the event whose hash is `previous` ("" for the first).
///
/// The content is encoded as a JSON array, which keeps every field's boundaries and tells an
/// absent value from an empty one; the format is part of the database and must never change.
pub fn link(previous: &str, event: &Event<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(previous.as_bytes());
    hasher.update(b"\n");
    // Serialized straight into the hash, as the array `[id, claim_id, at, …]` would be: the
    // same bytes, without building the array's values first (an import hashes one per row).
    let content = (
        event.id,
        event.claim_id,
        event.at,
        event.actor,
        event.action,
        event.field,
        event.old_value,
        event.new_value,
        event.note,
    );
    // Numbers, strings and nulls always serialize, and the hash takes every byte: no error.
    let written = serde_json::to_writer(HashWriter(&mut hasher), &content);
    debug_assert!(written.is_ok());
    hex::encode(hasher.finalize())
}

/// Feeds what is written into a hash.
struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(note: Option<&str>) -> Event<'_> {
        Event {
            id: 1,
            claim_id: 1,
            at: "2026-11-29T00:00:00Z",
            actor: "amal",
            action: "status",
            field: Some("status"),
            old_value: Some("unverified"),
            new_value: Some("false"),
            note,
        }
    }

    #[test]
    fn the_hash_depends_on_content_and_on_the_previous_link() {
        let a = link("", &event(Some("HRW")));
        assert_eq!(a.len(), 64);
        assert_eq!(a, link("", &event(Some("HRW"))));
        assert_ne!(a, link("", &event(Some("HRW "))));
        assert_ne!(a, link("", &event(None)));
        assert_ne!(link("", &event(Some(""))), link("", &event(None)));
        assert_ne!(a, link(&a, &event(Some("HRW"))));
    }
}
