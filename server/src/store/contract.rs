//! The storage contract: every test runs against the in-memory store and
//! against the sled store on a temporary directory.

use super::*;
use chrono::TimeZone;

fn row(
    id: u128,
    author: &str,
    commune: Option<&str>,
    arr: Option<&str>,
    minute: u32,
) -> ContributionRow {
    let t = Utc.with_ymd_and_hms(2026, 11, 28, 10, minute, 0).unwrap();
    ContributionRow {
        id: Uuid::from_u128(id),
        campaign: "c".into(),
        author: author.into(),
        created_at: t,
        updated_at: t,
        kind: ContributionKind::Concern,
        status: Status::New,
        themes: vec!["housing".into()],
        commune: commune.map(|c| CommuneCode::parse(c).unwrap()),
        arrondissement: arr.map(|c| CommuneCode::parse(c).unwrap()),
        near_border: false,
        outside: commune.is_none(),
        outing: None,
        topic: None,
        assignee: None,
    }
}

fn write(r: &ContributionRow, bytes: &[u8]) -> DocWrite {
    DocWrite {
        id: r.id,
        bytes: bytes.to_vec(),
        row: DocRow::Contribution(r.clone()),
        bind_actors: vec![],
    }
}

fn query() -> ContributionQuery {
    ContributionQuery {
        limit: 100,
        ..Default::default()
    }
}

fn ids(p: &Page) -> Vec<u128> {
    p.items.iter().map(|r| r.id.as_u128()).collect()
}

fn documents_round_trip_and_replace(s: &dyn Store) {
    let r = row(1, "a", Some("69266"), None, 0);
    assert_eq!(s.get_doc(r.id).unwrap(), None);
    let seq1 = s.put_doc(write(&r, b"v1")).unwrap();
    let seq2 = s.put_doc(write(&r, b"v2")).unwrap();
    assert!(seq2 > seq1);
    assert_eq!(s.get_doc(r.id).unwrap().as_deref(), Some(&b"v2"[..]));
    assert_eq!(s.get_row(r.id).unwrap(), Some(DocRow::Contribution(r)));
}

fn feed_lists_each_document_once_at_its_latest_change(s: &dyn Store) {
    let a = row(1, "a", None, None, 0);
    let b = row(2, "a", None, None, 1);
    s.put_doc(write(&a, b"a1")).unwrap();
    let after_a = s.last_seq().unwrap();
    s.put_doc(write(&b, b"b1")).unwrap();
    s.put_doc(write(&a, b"a2")).unwrap();
    let feed = s.feed_since(0, 10).unwrap();
    assert_eq!(
        feed.iter().map(|(_, id)| id.as_u128()).collect::<Vec<_>>(),
        vec![2, 1]
    );
    assert_eq!(feed.last().unwrap().0, s.last_seq().unwrap());
    let since = s.feed_since(after_a, 10).unwrap();
    assert_eq!(since.len(), 2, "both changed after the cursor");
    assert_eq!(s.feed_since(s.last_seq().unwrap(), 10).unwrap(), vec![]);
    assert_eq!(s.feed_since(0, 1).unwrap().len(), 1, "limit holds");
}

fn listing_uses_filters_newest_first_and_pages(s: &dyn Store) {
    s.put_doc(write(&row(1, "a", Some("69266"), None, 0), b""))
        .unwrap();
    s.put_doc(write(&row(2, "b", Some("69123"), Some("69383"), 1), b""))
        .unwrap();
    s.put_doc(write(&row(3, "a", Some("69123"), Some("69381"), 2), b""))
        .unwrap();
    s.put_doc(write(&row(4, "a", None, None, 3), b"")).unwrap();
    let all = s.list_contributions(&query(), &|_| true).unwrap();
    assert_eq!(ids(&all), vec![4, 3, 2, 1]);
    assert_eq!(all.total, 4);
    let lyon = ContributionQuery {
        commune: Some(CommuneCode::parse("69123").unwrap()),
        ..query()
    };
    assert_eq!(
        ids(&s.list_contributions(&lyon, &|_| true).unwrap()),
        vec![3, 2]
    );
    let lyon3 = ContributionQuery {
        commune: Some(CommuneCode::parse("69383").unwrap()),
        ..query()
    };
    assert_eq!(
        ids(&s.list_contributions(&lyon3, &|_| true).unwrap()),
        vec![2]
    );
    let by_a = ContributionQuery {
        author: Some("a".into()),
        ..query()
    };
    assert_eq!(
        ids(&s.list_contributions(&by_a, &|_| true).unwrap()),
        vec![4, 3, 1]
    );
    let page = ContributionQuery {
        offset: 1,
        limit: 2,
        ..query()
    };
    let p = s.list_contributions(&page, &|_| true).unwrap();
    assert_eq!((ids(&p), p.total), (vec![3, 2], 4));
    let only_even = s
        .list_contributions(&query(), &|r| r.id.as_u128() % 2 == 0)
        .unwrap();
    assert_eq!((ids(&only_even), only_even.total), (vec![4, 2], 2));
}

fn a_status_change_moves_the_row_between_secondary_keys(s: &dyn Store) {
    let mut r = row(1, "a", Some("69266"), None, 0);
    s.put_doc(write(&r, b"")).unwrap();
    r.status = Status::Forwarded;
    s.put_doc(write(&r, b"")).unwrap();
    let new = ContributionQuery {
        status: Some(Status::New),
        ..query()
    };
    let fwd = ContributionQuery {
        status: Some(Status::Forwarded),
        ..query()
    };
    assert_eq!(s.list_contributions(&new, &|_| true).unwrap().total, 0);
    assert_eq!(
        ids(&s.list_contributions(&fwd, &|_| true).unwrap()),
        vec![1]
    );
}

fn an_actor_stays_bound_to_its_first_user(s: &dyn Store) {
    let mut w = write(&row(1, "a", None, None, 0), b"x");
    w.bind_actors = vec![("ab01".into(), "alice".into())];
    s.put_doc(w).unwrap();
    assert_eq!(s.actor_owner("ab01").unwrap().as_deref(), Some("alice"));
    let mut w = write(&row(2, "b", None, None, 0), b"y");
    w.bind_actors = vec![("ab01".into(), "mallory".into())];
    assert!(matches!(s.put_doc(w), Err(StoreError::ActorTaken { .. })));
    assert_eq!(
        s.get_doc(Uuid::from_u128(2)).unwrap(),
        None,
        "nothing of the refused write stored"
    );
    assert_eq!(s.actor_owner("ab01").unwrap().as_deref(), Some("alice"));
}

fn users_are_found_by_case_insensitive_email_and_unique(s: &dyn Store) {
    let u = User {
        id: "u1".into(),
        email: "Camille@Example.fr".into(),
        name: "Camille".into(),
        role: porte_voix_shared::Role::Volunteer,
        commune: None,
        password_hash: "h".into(),
        disabled: false,
        sessions_valid_after: None,
        created_at: Utc::now(),
    };
    s.put_user(&u).unwrap();
    assert_eq!(
        s.get_user_by_email(" camille@example.fr").unwrap(),
        Some(u.clone())
    );
    assert_eq!(s.get_user("u1").unwrap(), Some(u.clone()));
    let dup = User {
        id: "u2".into(),
        ..u.clone()
    };
    assert!(matches!(s.put_user(&dup), Err(StoreError::DuplicateEmail)));
    assert_eq!(s.list_users().unwrap().len(), 1);
}

fn refresh_tokens_are_taken_once(s: &dyn Store) {
    let t = RefreshToken {
        user_id: "u1".into(),
        expires_at: Utc::now(),
        issued_at: None,
    };
    s.put_refresh(b"h1", &t).unwrap();
    assert_eq!(s.take_refresh(b"h1").unwrap(), Some(t));
    assert_eq!(s.take_refresh(b"h1").unwrap(), None);
}

fn contacts_are_erased_for_real(s: &dyn Store) {
    let c = Contact {
        contribution_id: Uuid::from_u128(9),
        name: Some("N".into()),
        phone: None,
        email: None,
        received_at: Utc::now(),
        sent_by: "u1".into(),
    };
    s.put_contact(&c).unwrap();
    assert_eq!(s.get_contact(c.contribution_id).unwrap(), Some(c.clone()));
    assert_eq!(s.contact_ids().unwrap(), vec![c.contribution_id]);
    assert!(s.delete_contact(c.contribution_id).unwrap());
    assert_eq!(s.get_contact(c.contribution_id).unwrap(), None);
    assert!(!s.delete_contact(c.contribution_id).unwrap());
    assert!(s.contact_ids().unwrap().is_empty());
}

fn audit_campaigns_and_meta_round_trip(s: &dyn Store) {
    let e = AuditEntry {
        at: Utc::now(),
        user_id: "u".into(),
        action: "erase_contact".into(),
        target: "x".into(),
    };
    s.append_audit(&e).unwrap();
    s.append_audit(&e).unwrap();
    assert_eq!(s.list_audit().unwrap().len(), 2);
    let c = Campaign {
        id: "c1".into(),
        name: "n".into(),
        starts_on: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        ends_on: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        communes: vec![],
        themes: vec!["housing".into()],
    };
    s.put_campaign(&c).unwrap();
    assert_eq!(s.list_campaigns().unwrap(), vec![c]);
    let v = meta_or_init(s, "k", || b"first".to_vec()).unwrap();
    let again = meta_or_init(s, "k", || b"second".to_vec()).unwrap();
    assert_eq!(
        (v.as_slice(), again.as_slice()),
        (&b"first"[..], &b"first"[..])
    );
}

fn consolidation_writes_are_atomic_and_never_touch_documents(s: &dyn Store) {
    let r = row(1, "a", Some("69266"), None, 0);
    s.put_doc(write(&r, b"bytes")).unwrap();
    let topic = Uuid::from_u128(77);
    let seq = s
        .commit(ConsolidationWrite {
            records: vec![RecordOp::Put {
                collection: "topics",
                key: topic.to_string(),
                value: b"{}".to_vec(),
            }],
            rows: vec![RowPatch {
                id: r.id,
                topic: Some(Some(topic)),
                assignee: Some(Some("officer2".into())),
            }],
        })
        .unwrap();
    assert!(seq > 0);
    assert_eq!(s.last_row_seq().unwrap(), seq);
    assert_eq!(s.get_doc(r.id).unwrap().as_deref(), Some(&b"bytes"[..]));
    let Some(DocRow::Contribution(stored)) = s.get_row(r.id).unwrap() else {
        panic!("row")
    };
    assert_eq!(stored.topic, Some(topic));
    assert_eq!(stored.assignee.as_deref(), Some("officer2"));
    // Listed by topic and by assignee through their secondary keys.
    let by_topic = s
        .list_contributions(
            &ContributionQuery {
                topic: Some(topic),
                ..query()
            },
            &|_| true,
        )
        .unwrap();
    assert_eq!(ids(&by_topic), vec![1]);
    let by_assignee = s
        .list_contributions(
            &ContributionQuery {
                assignee: Some("officer2".into()),
                ..query()
            },
            &|_| true,
        )
        .unwrap();
    assert_eq!(ids(&by_assignee), vec![1]);
    // A sync of the document keeps the consolidation fields.
    let mut newer = r.clone();
    newer.status = Status::Qualified;
    s.put_doc(write(&newer, b"bytes2")).unwrap();
    let Some(DocRow::Contribution(after_sync)) = s.get_row(r.id).unwrap() else {
        panic!("row")
    };
    assert_eq!(after_sync.topic, Some(topic));
    assert_eq!(after_sync.status, Status::Qualified);
    // The row feed lists the row once, at its latest patch.
    let seq2 = s
        .commit(ConsolidationWrite {
            records: vec![],
            rows: vec![RowPatch {
                id: r.id,
                topic: Some(None),
                assignee: None,
            }],
        })
        .unwrap();
    assert_eq!(s.row_feed_since(0, 10).unwrap(), vec![(seq2, r.id)]);
    let by_topic = s
        .list_contributions(
            &ContributionQuery {
                topic: Some(topic),
                ..query()
            },
            &|_| true,
        )
        .unwrap();
    assert_eq!(by_topic.total, 0);
    // A patch of an unknown row stores nothing, records included.
    let err = s.commit(ConsolidationWrite {
        records: vec![RecordOp::Put {
            collection: "topics",
            key: "other".into(),
            value: b"x".to_vec(),
        }],
        rows: vec![RowPatch {
            id: Uuid::from_u128(999),
            topic: Some(Some(topic)),
            assignee: None,
        }],
    });
    assert!(err.is_err());
    assert_eq!(s.get_record("topics", "other").unwrap(), None);
    assert_eq!(s.last_row_seq().unwrap(), seq2);
}

fn records_are_kept_by_collection_and_scanned_by_prefix(s: &dyn Store) {
    let put = |c: &'static str, k: &str, v: &str| RecordOp::Put {
        collection: c,
        key: k.into(),
        value: v.as_bytes().to_vec(),
    };
    s.commit(ConsolidationWrite {
        records: vec![
            put("forwards", "t1/b", "2"),
            put("forwards", "t1/a", "1"),
            put("forwards", "t2/a", "3"),
            put("recipients", "t1/a", "other collection"),
        ],
        rows: vec![],
    })
    .unwrap();
    let t1: Vec<_> = s
        .scan_records("forwards", "t1/")
        .unwrap()
        .into_iter()
        .map(|(k, v)| (k, String::from_utf8(v).unwrap()))
        .collect();
    assert_eq!(
        t1,
        vec![
            ("t1/a".to_string(), "1".to_string()),
            ("t1/b".into(), "2".into())
        ]
    );
    assert_eq!(s.scan_records("forwards", "").unwrap().len(), 3);
    s.commit(ConsolidationWrite {
        records: vec![RecordOp::Delete {
            collection: "forwards",
            key: "t1/a".into(),
        }],
        rows: vec![],
    })
    .unwrap();
    assert_eq!(s.get_record("forwards", "t1/a").unwrap(), None);
    assert_eq!(
        s.get_record("recipients", "t1/a").unwrap().as_deref(),
        Some(&b"other collection"[..])
    );
    assert!(s.get_record("nonsense", "x").is_err());
}

macro_rules! contract {
    ($($name:ident),+ $(,)?) => {
        mod memory {
            $(#[test] fn $name() { super::$name(&super::MemoryStore::new()); })+
        }
        mod sled {
            $(#[test] fn $name() {
                let dir = tempfile::tempdir().unwrap();
                let store = super::SledStore::open(dir.path()).unwrap();
                super::$name(&store);
            })+
        }
    };
}

contract!(
    documents_round_trip_and_replace,
    feed_lists_each_document_once_at_its_latest_change,
    listing_uses_filters_newest_first_and_pages,
    a_status_change_moves_the_row_between_secondary_keys,
    an_actor_stays_bound_to_its_first_user,
    users_are_found_by_case_insensitive_email_and_unique,
    refresh_tokens_are_taken_once,
    contacts_are_erased_for_real,
    audit_campaigns_and_meta_round_trip,
    consolidation_writes_are_atomic_and_never_touch_documents,
    records_are_kept_by_collection_and_scanned_by_prefix,
);

#[test]
fn sled_keeps_data_across_reopen_and_refuses_a_newer_format() {
    let dir = tempfile::tempdir().unwrap();
    {
        let s = SledStore::open(dir.path()).unwrap();
        s.put_doc(write(&row(1, "a", None, None, 0), b"kept"))
            .unwrap();
        s.flush().unwrap();
    }
    {
        let s = SledStore::open(dir.path()).unwrap();
        assert_eq!(
            s.get_doc(Uuid::from_u128(1)).unwrap().as_deref(),
            Some(&b"kept"[..])
        );
        s.put_meta(
            keys::META_FORMAT_VERSION,
            &(FORMAT_VERSION + 1).to_be_bytes(),
        )
        .unwrap();
        s.flush().unwrap();
    }
    assert!(matches!(
        SledStore::open(dir.path()),
        Err(StoreError::NewerFormat { .. })
    ));
}
