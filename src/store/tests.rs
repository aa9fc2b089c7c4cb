//! The store's behaviour, through its domain operations only.

use super::*;
use crate::model::{ClaimDraft, Stance, Status};

fn store() -> Store {
    Store::open_in_memory().unwrap()
}

fn draft(text: &str, claimant: &str) -> ClaimDraft {
    ClaimDraft {
        text: text.into(),
        claimant: claimant.into(),
        ..ClaimDraft::default()
    }
}

#[test]
fn aliases_resolve_to_one_source_everywhere() {
    let mut s = store();
    s.add_source(
        "US State Department",
        SourceKind::Government,
        &["State Dept".into(), "U.S. Department of State".into()],
    )
    .unwrap();
    let a = s
        .add_claim(&draft("10 ملايين دولار شهرياً", "state dept"), &[], "t")
        .unwrap();
    assert!(a.new_sources.is_empty());
    assert_eq!(s.claim(a.id).unwrap().claimant, "US State Department");
    let filter = ClaimFilter {
        source: Some("U.S.  department of state".into()),
        ..ClaimFilter::default()
    };
    assert_eq!(s.claims(&filter).unwrap().len(), 1);
    let err = s
        .add_source("State Dept", SourceKind::Other, &[])
        .unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
}

#[test]
fn disputed_includes_claims_without_a_verdict_that_a_source_disputes() {
    let mut s = store();
    let plain = s.add_claim(&draft("a", "A"), &[], "t").unwrap().id;
    let status_disputed = s
        .add_claim(
            &ClaimDraft {
                status: Status::Disputed,
                ..draft("b", "A")
            },
            &[],
            "t",
        )
        .unwrap()
        .id;
    let cited = s
        .add_claim(&draft("c", "A"), &[("B".into(), Stance::Disputes)], "t")
        .unwrap()
        .id;
    let judged = s
        .add_claim(
            &ClaimDraft {
                status: Status::Verified,
                ..draft("d", "A")
            },
            &[("B".into(), Stance::Disputes)],
            "t",
        )
        .unwrap()
        .id;
    let filter = ClaimFilter {
        disputed: true,
        ..ClaimFilter::default()
    };
    let ids: Vec<i64> = s.claims(&filter).unwrap().iter().map(|c| c.id).collect();
    assert_eq!(ids, [status_disputed, cited]);
    assert!(!ids.contains(&plain) && !ids.contains(&judged));
    assert_eq!(s.stats().unwrap().disputed, 2);
}

#[test]
fn a_verdict_without_a_reason_is_refused_and_nothing_changes() {
    let mut s = store();
    let id = s.add_claim(&draft("a", "A"), &[], "t").unwrap().id;
    let patch = ClaimPatch {
        status: Some(Status::False),
        ..ClaimPatch::default()
    };
    let err = s
        .update_claim(id, &patch, "t", Action::Status, None, None)
        .unwrap_err();
    assert!(err.to_string().contains("needs a reason"), "{err}");
    assert_eq!(s.claim(id).unwrap().status, Status::Unverified);
    assert_eq!(s.history(id).unwrap().len(), 1);
    let changes = s
        .update_claim(id, &patch, "ed", Action::Status, Some("HRW report"), None)
        .unwrap();
    assert_eq!(changes.len(), 1);
    let last = s.history(id).unwrap().pop().unwrap();
    assert_eq!(
        (
            last.actor.as_str(),
            last.field.as_deref(),
            last.old_value.as_deref(),
            last.new_value.as_deref(),
            last.note.as_deref()
        ),
        (
            "ed",
            Some("status"),
            Some("unverified"),
            Some("false"),
            Some("HRW report")
        )
    );
}

#[test]
fn a_claimant_cannot_cite_its_own_claim() {
    let mut s = store();
    let id = s
        .add_claim(&draft("a", "Malian army"), &[], "t")
        .unwrap()
        .id;
    let err = s
        .cite(id, "malian ARMY", Stance::Disputes, None, None, "t")
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("cannot support or dispute its own claim"),
        "{err}"
    );
}

#[test]
fn citing_records_history_and_a_changed_stance_moves_the_source() {
    let mut s = store();
    let id = s
        .add_claim(&draft("203 مسلحين", "Malian army"), &[], "t")
        .unwrap()
        .id;
    let (cited, evidence, new) = s
        .cite(id, "HRW", Stance::Supports, None, None, "t")
        .unwrap();
    assert_eq!(
        (cited, evidence, new),
        (Cited::Added, None, vec!["HRW".to_owned()])
    );
    let (cited, evidence, _) = s
        .cite(id, "HRW", Stance::Disputes, Some("atrocity"), None, "t")
        .unwrap();
    assert_eq!((cited, evidence), (Cited::Changed, Some(1)));
    let claim = s.claim(id).unwrap();
    assert!(claim.supported_by.is_empty());
    assert_eq!(claim.disputed_by, ["HRW"]);
    let (cited, evidence, _) = s
        .cite(id, "HRW", Stance::Disputes, None, None, "t")
        .unwrap();
    assert_eq!((cited, evidence), (Cited::Unchanged, None));
    let fields: Vec<Option<String>> = s
        .history(id)
        .unwrap()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        fields,
        [
            None,
            Some("supported_by".into()),
            Some("supported_by".into()),
            Some("disputed_by".into()),
            Some("evidence".into())
        ]
    );
}

#[test]
fn history_rows_cannot_be_changed_or_deleted() {
    let mut s = store();
    s.add_claim(&draft("a", "A"), &[], "t").unwrap();
    for sql in ["UPDATE history SET actor = 'x'", "DELETE FROM history"] {
        let err = s.sqlite().unwrap().execute(sql, []).unwrap_err();
        assert!(err.to_string().contains("append-only"), "{err}");
    }
}

#[test]
fn an_import_that_is_not_kept_leaves_nothing_behind() {
    let mut s = store();
    let row = ImportRow {
        patch: ClaimPatch {
            text: Some("x".into()),
            claimant: Some("New Source".into()),
            ..ClaimPatch::default()
        },
        ..ImportRow::default()
    };
    s.import("t", |i| Ok((i.upsert(&row, "f line 2")?, false)))
        .unwrap();
    assert_eq!(s.stats().unwrap().claims, 0);
    assert!(s.sources().unwrap().is_empty());
    let ((), _) = s
        .import("t", |i| Ok(((), i.upsert(&row, "f line 2").is_ok())))
        .unwrap();
    let ((again, _), _) = s
        .import("t", |i| Ok(((i.upsert(&row, "f line 2")?, ()), true)))
        .unwrap();
    assert!(matches!(again, Imported::Unchanged(1)));
}

/// How SQLite would run `sql` (its parameters unbound), one line per step.
fn plan(conn: &rusqlite::Connection, sql: &str) -> String {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    let mut rows = stmt.raw_query();
    let mut lines = Vec::new();
    while let Some(row) = rows.next().unwrap() {
        lines.push(row.get::<_, String>(3).unwrap());
    }
    lines.join("\n")
}

/// Every look-up an import or export makes per row, and the index it must use: a scan of a
/// table here makes the command quadratic in the size of the database.
fn hot_lookups() -> Vec<(String, &'static str)> {
    vec![
        (CLAIM_BY_TEXT.to_owned(), "claim_by_text_hash"),
        (MERGED_UID_LOOKUP.to_owned(), "sqlite_autoindex_claim_1"),
        (reviews::reviews_of_claim_sql(), "review_by_claim"),
        (reviews::RATINGS_OF_CLAIM.to_owned(), "review_by_claim"),
        (reviews::review_by_url_sql(), "review_by_url"),
        (reviews::review_by_publisher_sql(), "review_by_publisher"),
    ]
}

fn assert_hot_lookups_use_their_indexes(s: &Store, when: &str) {
    for (sql, index) in hot_lookups() {
        let plan = plan(s.sqlite().unwrap(), &sql);
        assert!(
            plan.lines()
                .next()
                .is_some_and(|first| first.contains(&format!(" INDEX {index} ("))),
            "{when}: {sql}\nshould start {index:?}, but the plan is:\n{plan}"
        );
    }
}

#[test]
fn hot_look_ups_use_their_indexes_after_a_bulk_load_and_after_analyze() {
    let mut s = store();
    // A bulk load into the empty database, skewed as real files are: most claims from one
    // claimant, and reviews on many claims.
    s.import("t", |i| {
        for n in 0..400 {
            let row = ImportRow {
                patch: ClaimPatch {
                    text: Some(format!("claim {n}")),
                    claimant: Some(if n % 50 == 0 { "Rare" } else { "Common" }.into()),
                    ..ClaimPatch::default()
                },
                ..ImportRow::default()
            };
            let Imported::Added(id) = i.upsert(&row, "f")? else {
                panic!("a new claim");
            };
            let review = crate::review::ReviewDraft {
                publisher: "Misbar".into(),
                url: (n % 2 == 0).then(|| format!("https://misbar.example/{n}")),
                rating: Some("false".into()),
                ..Default::default()
            };
            i.add_review(id, &review, "f")?;
        }
        Ok(((), true))
    })
    .unwrap();
    assert_hot_lookups_use_their_indexes(&s, "after a bulk load");
    s.sqlite().unwrap().execute_batch("ANALYZE").unwrap();
    assert_hot_lookups_use_their_indexes(&s, "after ANALYZE");
}

#[test]
fn a_dump_reads_one_moment_while_others_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("desk.db");
    let (mut a, _) = Store::open(&path).unwrap();
    a.add_claim(&draft("one", "A"), &[], "t").unwrap();
    let (mut b, _) = Store::open(&path).unwrap();
    let count = |s: &Store| -> anyhow::Result<(u64, u64)> {
        let (mut claims, mut events) = (0, 0);
        s.dump_claims(|_| {
            claims += 1;
            Ok(())
        })?;
        s.dump_history(|_| {
            events += 1;
            Ok(())
        })?;
        Ok((claims, events))
    };
    let seen = a
        .snapshot(|s| {
            let before = count(s)?;
            // Another process writes between two sections of the dump.
            b.add_claim(&draft("two", "A"), &[], "t")?;
            Ok((before, count(s)?))
        })
        .unwrap();
    assert_eq!(seen, ((1, 1), (1, 1)));
    assert_eq!(count(&a).unwrap(), (2, 2));
}

#[test]
fn ranking_is_bounded_to_the_newest_candidates_of_each_kind_of_match() {
    let mut s = store();
    // 1 holds the word three times (the best bm25), then eight claims hold it once, then one
    // claim holds it behind an attached letter.
    let mut ids = vec![
        s.add_claim(&draft("مورا مورا مورا", "A"), &[], "t")
            .unwrap()
            .id,
    ];
    for i in 0..8 {
        let text = format!("مورا نص {i}");
        ids.push(s.add_claim(&draft(&text, "A"), &[], "t").unwrap().id);
    }
    let bare = s.add_claim(&draft("بمورا", "A"), &[], "t").unwrap().id;
    let query = crate::query::parse("مورا").unwrap();
    let found = |candidates: usize, limit: u64| -> Vec<i64> {
        let mut ids = Vec::new();
        s.search_ranking(&query, &ClaimFilter::default(), limit, candidates, |h| {
            ids.push(h.claim.id);
            Ok(())
        })
        .unwrap();
        ids
    };
    // Unbounded: the best exact match first, the attached-letter one last.
    let all = found(usize::MAX, 100);
    assert_eq!(all.len(), 10);
    assert_eq!((all[0], all[9]), (ids[0], bare));
    // Bounded to 3 candidates: the newest three exact matches are ranked, so 1 is out of reach,
    // and the attached-letter kind still comes after them.
    let bounded = found(3, 4);
    let mut exact = bounded[..3].to_vec();
    exact.sort();
    assert_eq!(exact, ids[6..9]);
    assert_eq!(bounded[3], bare);
    // The default bound is far above what the seed and the tests hold.
    assert_eq!(found(search::RANKED_CANDIDATES, 100), all);
}

#[test]
fn a_full_index_build_stores_what_the_triggers_store() {
    let mut s = store();
    s.add_source(
        "Human Rights Watch",
        SourceKind::Ngo,
        &["هيومن رايتس ووتش".into()],
    )
    .unwrap();
    s.add_claim(
        &ClaimDraft {
            translation: Some("helicopters over Moura".into()),
            note: Some("و9 ضباط".into()),
            location: Some("بمالي".into()),
            ..draft("تسلَّمت الحكومة المالية مروحيتين بمورا", "Malian army")
        },
        &[("human rights watch".into(), Stance::Disputes)],
        "t",
    )
    .unwrap();
    s.add_claim(
        &draft("فاغنر في سيجو وتمبكتو", "هيومن رايتس ووتش"),
        &[],
        "t",
    )
    .unwrap();
    let vocab = |s: &Store| -> Vec<(String, i64, i64)> {
        s.sqlite()
            .unwrap()
            .prepare("SELECT term, doc, cnt FROM claim_search_vocab ORDER BY term")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let by_triggers = vocab(&s);
    assert!(
        by_triggers.iter().any(|(t, _, _)| t == "مورا"),
        "{by_triggers:?}"
    );
    s.sqlite()
        .unwrap()
        .execute(
            "INSERT INTO claim_search (claim_search) VALUES ('delete-all')",
            [],
        )
        .unwrap();
    assert!(vocab(&s).is_empty());
    super::sqlite::fts::rebuild_index(s.sqlite().unwrap(), false).unwrap();
    assert_eq!(vocab(&s), by_triggers);
}

#[test]
fn stats_reads_the_archived_claims_through_their_index_never_every_claim() {
    let s = Store::open_in_memory().unwrap();
    let plan = plan(
        s.sqlite().unwrap(),
        &format!("{LIVE_COUNT} SELECT sum(n) FROM live"),
    );
    assert!(plan.contains("claim_desk_archived"), "{plan}");
    assert!(
        plan.contains("SEARCH c USING INTEGER PRIMARY KEY"),
        "{plan}"
    );
    // The claims are never scanned (claim_count, a few rows per claimant, is).
    assert!(
        !plan
            .lines()
            .any(|l| l.starts_with("SCAN c ") || l == "SCAN c"),
        "{plan}"
    );
}

#[test]
fn an_import_remembers_each_claim_it_named_in_or_out_of_id_order() {
    let mut named = super::Named::default();
    // Added in id order, then an explicit id below them, then stored claims named by a row.
    for id in [3, 4, 9] {
        named.add(id);
        assert_eq!(named.name(id, id as u64 + 1), None);
    }
    named.add(2);
    assert_eq!(named.name(2, 20), None);
    assert_eq!(named.name(7, 21), None);
    assert_eq!(named.name(1_000, 22), None);
    assert!([2, 3, 4, 9].iter().all(|&id| named.was_added(id)));
    assert!(![1, 7, 1_000].iter().any(|&id| named.was_added(id)));
    // A second row naming any of them gets the first row's line.
    for (id, first) in [(3, 4), (9, 10), (2, 20), (7, 21), (1_000, 22)] {
        assert_eq!(named.name(id, 99), Some(first), "claim {id}");
    }
    // A claim named first and added after (the row that named it created it) is both.
    assert_eq!(named.name(2_000, 30), None);
    named.add(2_000);
    assert!(named.was_added(2_000));
    assert_eq!(named.name(2_000, 31), Some(30));
}

#[test]
fn imports_into_a_store_with_claims_one_after_the_other_keep_the_index_exact() {
    let mut s = store();
    let row = |text: &str| ImportRow {
        patch: ClaimPatch {
            text: Some(text.into()),
            claimant: Some("Agency".into()),
            ..ClaimPatch::default()
        },
        ..ImportRow::default()
    };
    let found = |s: &Store, word: &str| {
        let mut ids = Vec::new();
        s.search(
            &crate::query::parse(word).unwrap(),
            &ClaimFilter::default(),
            10,
            |hit| {
                ids.push(hit.claim.id);
                Ok(())
            },
        )
        .unwrap();
        ids
    };
    for (i, word) in ["first", "second", "third"].into_iter().enumerate() {
        s.import("t", |imp| Ok((imp.upsert(&row(word), "f line 2")?, true)))
            .unwrap();
        assert_eq!(found(&s, word), [i as i64 + 1], "{word}");
    }
    // Between and after them, the index is kept row by row again.
    let id = s
        .add_claim(&draft("fourth claim", "Agency"), &[], "t")
        .unwrap()
        .id;
    assert_eq!(found(&s, "fourth"), [id]);
}
