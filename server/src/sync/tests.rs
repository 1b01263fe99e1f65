//! Engine tests over the in-memory store: the sync contract without HTTP.

use super::*;
use crate::document;
use crate::store::{MemoryStore, Store};
use crate::territory::Territory;
use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ReadDoc, ROOT};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use porte_voix_shared::{CommuneCode, DocType, Principal, Role};
use serde_json::json;
use std::sync::Arc;
use uuid::Uuid;

/// A change a client makes to a document.
type Edit = Box<dyn Fn(&mut automerge::transaction::Transaction<'_>)>;

fn engine() -> SyncEngine {
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    SyncEngine::new(store, Arc::new(Territory::lyon(150.0)), ActorId::random())
}

fn volunteer(id: &str) -> Principal {
    Principal {
        user_id: id.into(),
        role: Role::Volunteer,
        commune: None,
    }
}

fn officer() -> Principal {
    Principal {
        user_id: "officer".into(),
        role: Role::Officer,
        commune: None,
    }
}

fn contribution(id: Uuid, author: &str) -> serde_json::Value {
    json!({
        "id": id.to_string(), "type": "contribution", "schema": 1, "campaign": "c",
        "created_at": "2026-11-28T10:00:00Z", "author": author, "kind": "proposal",
        "themes": ["mobility"], "text": "Une piste cyclable rue Francis de Pressensé",
        "location": {"lat": 45.7665, "lon": 4.8795, "source": "gps"},
        "consent": {"contact": true}
    })
}

fn request(docs: Vec<DocumentIn>, cursor: Option<String>) -> SyncRequest {
    SyncRequest {
        protocol: PROTOCOL_VERSION,
        cursor,
        documents: docs,
        contacts: vec![],
    }
}

fn push(
    id: Uuid,
    doc_type: DocType,
    doc: &Automerge,
    since: &[automerge::ChangeHash],
) -> DocumentIn {
    DocumentIn {
        id,
        doc_type,
        heads: document::heads_hex(&doc.get_heads()),
        changes: Some(B64.encode(doc.save_after(since))),
    }
}

/// A phone: one Automerge copy per document, with the actor of its user.
fn phone_doc(author: &str, id: Uuid) -> Automerge {
    document::from_json(&ActorId::from(author.as_bytes()), &contribution(id, author)).unwrap()
}

fn apply_reply(doc: &mut Automerge, out: &DocumentOut) {
    if let Some(c) = &out.changes {
        doc.load_incremental(&B64.decode(c).unwrap()).unwrap();
    }
}

#[test]
fn a_new_contribution_is_stored_geotagged_and_the_geo_comes_back() {
    let e = engine();
    let id = Uuid::new_v4();
    let mut phone = phone_doc("vol", id);
    let reply = e
        .sync(
            &volunteer("vol"),
            &request(vec![push(id, DocType::Contribution, &phone, &[])], None),
        )
        .unwrap();
    let out = &reply.documents[0];
    assert_eq!(out.status, DocStatus::Ok, "{:?}", out.reason);
    apply_reply(&mut phone, out);
    let json = document::to_json(&phone);
    assert_eq!(json["geo"]["commune"], "69266");
    assert_eq!(json["geo"]["commune_name"], "Villeurbanne");
    assert_eq!(
        document::heads_hex(&phone.get_heads()),
        out.heads,
        "phone converged with the server"
    );
}

#[test]
fn the_same_batch_twice_changes_nothing() {
    let e = engine();
    let id = Uuid::new_v4();
    let phone = phone_doc("vol", id);
    let req = request(vec![push(id, DocType::Contribution, &phone, &[])], None);
    let first = e.sync(&volunteer("vol"), &req).unwrap();
    let seq = e.store().last_seq().unwrap();
    let bytes = e.store().get_doc(id).unwrap();
    let second = e.sync(&volunteer("vol"), &req).unwrap();
    assert_eq!(second.documents[0].status, DocStatus::Ok);
    assert_eq!(second.documents[0].heads, first.documents[0].heads);
    assert_eq!(e.store().last_seq().unwrap(), seq, "no new feed entry");
    assert_eq!(e.store().get_doc(id).unwrap(), bytes);
}

fn edit(doc: &mut Automerge, f: impl FnOnce(&mut automerge::transaction::Transaction<'_>)) {
    let mut tx = doc.transaction();
    f(&mut tx);
    tx.commit();
}

#[test]
fn forbidden_writes_store_nothing() {
    let e = engine();
    let id = Uuid::new_v4();
    let phone = phone_doc("vol", id);
    let ok = e
        .sync(
            &volunteer("vol"),
            &request(vec![push(id, DocType::Contribution, &phone, &[])], None),
        )
        .unwrap();
    let server_heads = document::parse_heads(&ok.documents[0].heads).unwrap();
    let stored = e.store().get_doc(id).unwrap();
    let mut base = Automerge::load(&stored.clone().unwrap()).unwrap();
    base.set_actor(ActorId::from(&b"vol"[..]));
    let cases: Vec<(&str, Principal, Edit)> = vec![
        (
            "review",
            volunteer("vol"),
            Box::new(|tx| {
                tx.put(ROOT, "review", "closed").unwrap();
            }),
        ),
        (
            "geo",
            volunteer("vol"),
            Box::new(|tx| {
                tx.put(ROOT, "geo", "x").unwrap();
            }),
        ),
        (
            "author",
            volunteer("vol"),
            Box::new(|tx| {
                tx.put(ROOT, "author", "other").unwrap();
            }),
        ),
        (
            "other's text",
            volunteer("mallory"),
            Box::new(|tx| {
                tx.put(ROOT, "kind", "concern").unwrap();
            }),
        ),
        (
            "commune write",
            Principal {
                user_id: "c".into(),
                role: Role::Commune,
                commune: Some(CommuneCode::parse("69266").unwrap()),
            },
            Box::new(|tx| {
                tx.put(ROOT, "kind", "concern").unwrap();
            }),
        ),
        (
            "officer geo",
            officer(),
            Box::new(|tx| {
                tx.put(ROOT, "geo", "x").unwrap();
            }),
        ),
    ];
    for (name, who, change) in cases {
        let mut doc = base.fork();
        doc.set_actor(ActorId::from(format!("actor-{}", who.user_id).as_bytes()));
        edit(&mut doc, |tx| change(tx));
        let reply = e
            .sync(
                &who,
                &request(
                    vec![push(id, DocType::Contribution, &doc, &server_heads)],
                    None,
                ),
            )
            .unwrap();
        assert_eq!(reply.documents[0].status, DocStatus::Forbidden, "{name}");
        assert_eq!(
            e.store().get_doc(id).unwrap(),
            stored,
            "{name}: nothing stored"
        );
    }
}

#[test]
fn an_actor_bound_to_another_user_is_refused() {
    let e = engine();
    let a = Uuid::new_v4();
    let doc = phone_doc("vol", a);
    e.sync(
        &volunteer("vol"),
        &request(vec![push(a, DocType::Contribution, &doc, &[])], None),
    )
    .unwrap();
    // Mallory reuses vol's actor id for her own new contribution.
    let b = Uuid::new_v4();
    let forged =
        document::from_json(&ActorId::from(&b"vol"[..]), &contribution(b, "mallory")).unwrap();
    let reply = e
        .sync(
            &volunteer("mallory"),
            &request(vec![push(b, DocType::Contribution, &forged, &[])], None),
        )
        .unwrap();
    assert_eq!(reply.documents[0].status, DocStatus::Forbidden);
    assert!(e.store().get_doc(b).unwrap().is_none());
}

#[test]
fn broken_documents_are_invalid_with_a_reason_and_others_in_the_batch_pass() {
    let e = engine();
    let good = Uuid::new_v4();
    let bad = Uuid::new_v4();
    let mut broken = contribution(bad, "vol");
    broken["kind"] = json!("complaint");
    let broken = document::from_json(&ActorId::from(&b"vol"[..]), &broken).unwrap();
    let garbage = Uuid::new_v4();
    let reply = e
        .sync(
            &volunteer("vol"),
            &request(
                vec![
                    push(bad, DocType::Contribution, &broken, &[]),
                    push(good, DocType::Contribution, &phone_doc("vol", good), &[]),
                    DocumentIn {
                        id: garbage,
                        doc_type: DocType::Contribution,
                        heads: vec![],
                        changes: Some("not base64!".into()),
                    },
                    DocumentIn {
                        id: Uuid::new_v4(),
                        doc_type: DocType::Contribution,
                        heads: vec![],
                        changes: Some(B64.encode(b"not automerge")),
                    },
                    DocumentIn {
                        id: Uuid::new_v4(),
                        doc_type: DocType::Outing,
                        heads: vec![],
                        changes: None,
                    },
                ],
                None,
            ),
        )
        .unwrap();
    let statuses: Vec<_> = reply.documents.iter().map(|d| d.status).collect();
    assert_eq!(
        statuses,
        vec![
            DocStatus::Invalid,
            DocStatus::Ok,
            DocStatus::Invalid,
            DocStatus::Invalid,
            DocStatus::Unknown
        ]
    );
    assert!(reply.documents[0]
        .reason
        .as_deref()
        .unwrap()
        .contains("kind"));
    assert!(e.store().get_doc(bad).unwrap().is_none());
}

#[test]
fn changes_with_missing_history_ask_for_the_whole_document() {
    let e = engine();
    let id = Uuid::new_v4();
    let mut doc = phone_doc("vol", id);
    let first = doc.get_heads();
    edit(&mut doc, |tx| {
        tx.put(ROOT, "kind", "concern").unwrap();
    });
    // Only the second change, as if the server had acknowledged the first.
    let reply = e
        .sync(
            &volunteer("vol"),
            &request(vec![push(id, DocType::Contribution, &doc, &first)], None),
        )
        .unwrap();
    assert_eq!(reply.documents[0].status, DocStatus::Unknown);
    assert!(e.store().get_doc(id).unwrap().is_none());
}

#[test]
fn an_officer_review_reaches_the_author_through_the_cursor_and_not_others() {
    let e = engine();
    let id = Uuid::new_v4();
    let mut phone = phone_doc("vol", id);
    let r1 = e
        .sync(
            &volunteer("vol"),
            &request(vec![push(id, DocType::Contribution, &phone, &[])], None),
        )
        .unwrap();
    apply_reply(&mut phone, &r1.documents[0]);
    let cursor = r1.cursor.clone();
    let other_cursor = e
        .sync(&volunteer("other"), &request(vec![], None))
        .unwrap()
        .cursor;
    // The officer qualifies it through sync.
    let mut office = Automerge::load(&e.store().get_doc(id).unwrap().unwrap()).unwrap();
    office.set_actor(ActorId::from(&b"officer-phone"[..]));
    let before = office.get_heads();
    edit(&mut office, |tx| {
        let review = tx
            .put_object(ROOT, "review", automerge::ObjType::Map)
            .unwrap();
        tx.put(&review, "status", "forwarded").unwrap();
    });
    let r = e
        .sync(
            &officer(),
            &request(
                vec![push(id, DocType::Contribution, &office, &before)],
                None,
            ),
        )
        .unwrap();
    assert_eq!(
        r.documents[0].status,
        DocStatus::Ok,
        "{:?}",
        r.documents[0].reason
    );
    // The author's next sync carries it (the phone sent nothing new).
    let r2 = e
        .sync(&volunteer("vol"), &request(vec![], Some(cursor)))
        .unwrap();
    assert_eq!(r2.updates.len(), 1);
    phone
        .load_incremental(&B64.decode(&r2.updates[0].changes).unwrap())
        .unwrap();
    assert_eq!(document::to_json(&phone)["review"]["status"], "forwarded");
    // Nobody else gets it.
    let r3 = e
        .sync(&volunteer("other"), &request(vec![], Some(other_cursor)))
        .unwrap();
    assert!(r3.updates.is_empty());
    // And the cursor moved: nothing the second time.
    let r4 = e
        .sync(&volunteer("vol"), &request(vec![], Some(r2.cursor)))
        .unwrap();
    assert!(r4.updates.is_empty());
}

fn outing(id: Uuid, team: &[&str]) -> serde_json::Value {
    json!({"id": id.to_string(), "type": "outing", "schema": 1, "campaign": "c", "date": "2026-11-28",
           "place": "Marché", "team": team, "doors": {}})
}

fn add_door(doc: &mut Automerge, key: &str, by: &str, status: &str) {
    edit(doc, |tx| {
        let (_, doors) = tx.get(ROOT, "doors").unwrap().unwrap();
        let door = tx.put_object(&doors, key, automerge::ObjType::Map).unwrap();
        tx.put(&door, "address", format!("{key} rue Pasteur"))
            .unwrap();
        tx.put(&door, "status", status).unwrap();
        tx.put(&door, "by", by).unwrap();
        let note = tx
            .put_object(&door, "note", automerge::ObjType::Text)
            .unwrap();
        tx.splice_text(&note, 0, 0, "").unwrap();
    });
}

#[test]
fn two_phones_edit_the_same_outing_offline_and_converge() {
    let e = engine();
    let id = Uuid::new_v4();
    let mut a =
        document::from_json(&ActorId::from(&b"phone-a"[..]), &outing(id, &["a", "b"])).unwrap();
    let r = e
        .sync(
            &volunteer("a"),
            &request(vec![push(id, DocType::Outing, &a, &[])], None),
        )
        .unwrap();
    assert_eq!(
        r.documents[0].status,
        DocStatus::Ok,
        "{:?}",
        r.documents[0].reason
    );
    let base = a.get_heads();
    // b gets the outing through its first sync.
    let rb = e.sync(&volunteer("b"), &request(vec![], None)).unwrap();
    assert_eq!(rb.updates.len(), 1);
    let mut b = Automerge::load(&B64.decode(&rb.updates[0].changes).unwrap()).unwrap();
    b.set_actor(ActorId::from(&b"phone-b"[..]));
    add_door(&mut a, "12", "a", "visite");
    add_door(&mut b, "14", "b", "absent");
    let ra = e
        .sync(
            &volunteer("a"),
            &request(vec![push(id, DocType::Outing, &a, &base)], None),
        )
        .unwrap();
    let rb = e
        .sync(
            &volunteer("b"),
            &request(vec![push(id, DocType::Outing, &b, &base)], None),
        )
        .unwrap();
    assert_eq!(
        (ra.documents[0].status, rb.documents[0].status),
        (DocStatus::Ok, DocStatus::Ok)
    );
    apply_reply(&mut b, &rb.documents[0]);
    let ra2 = e
        .sync(
            &volunteer("a"),
            &request(
                vec![DocumentIn {
                    id,
                    doc_type: DocType::Outing,
                    heads: document::heads_hex(&a.get_heads()),
                    changes: None,
                }],
                None,
            ),
        )
        .unwrap();
    apply_reply(&mut a, &ra2.documents[0]);
    let server = Automerge::load(&e.store().get_doc(id).unwrap().unwrap()).unwrap();
    for doc in [&a, &b] {
        assert_eq!(document::to_json(doc), document::to_json(&server));
    }
    let doors = document::to_json(&server)["doors"]
        .as_object()
        .unwrap()
        .len();
    assert_eq!(doors, 2);
    // A volunteer outside the team can neither read nor write it.
    let mut c = server.fork();
    c.set_actor(ActorId::from(&b"phone-c"[..]));
    add_door(&mut c, "16", "c", "refus");
    let rc = e
        .sync(
            &volunteer("c"),
            &request(
                vec![push(id, DocType::Outing, &c, &server.get_heads())],
                None,
            ),
        )
        .unwrap();
    assert_eq!(rc.documents[0].status, DocStatus::Forbidden);
    assert!(rc.updates.is_empty());
}

#[test]
fn contact_details_need_consent_and_ownership() {
    let e = engine();
    let id = Uuid::new_v4();
    let doc = phone_doc("vol", id);
    let mut req = request(vec![push(id, DocType::Contribution, &doc, &[])], None);
    req.contacts = vec![ContactIn {
        contribution_id: id,
        name: Some("R".into()),
        phone: Some("0600000000".into()),
        email: None,
    }];
    let r = e.sync(&volunteer("vol"), &req).unwrap();
    assert_eq!(r.contacts[0].status, DocStatus::Ok);
    assert!(e.store().get_contact(id).unwrap().is_some());
    let stranger = e
        .sync(
            &volunteer("mallory"),
            &SyncRequest {
                contacts: req.contacts.clone(),
                documents: vec![],
                ..req.clone()
            },
        )
        .unwrap();
    assert_eq!(stranger.contacts[0].status, DocStatus::Forbidden);
    let empty = ContactIn {
        contribution_id: id,
        name: Some("R".into()),
        phone: None,
        email: None,
    };
    let r = e
        .sync(
            &volunteer("vol"),
            &SyncRequest {
                contacts: vec![empty],
                documents: vec![],
                ..req
            },
        )
        .unwrap();
    assert_eq!(r.contacts[0].status, DocStatus::Invalid);
}

mod convergence {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]
        /// Whatever doors two phones log offline, and in whichever order they
        /// sync, the server and both phones end with the same outing.
        #[test]
        fn any_concurrent_door_logs_converge(
            doors_a in proptest::collection::vec((0u8..6, 0usize..4), 0..6),
            doors_b in proptest::collection::vec((0u8..6, 0usize..4), 0..6),
            b_first in any::<bool>(),
        ) {
            let statuses = ["visite", "absent", "refus", "a_revoir"];
            let e = engine();
            let id = Uuid::new_v4();
            let mut a = document::from_json(&ActorId::from(&b"phone-a"[..]), &outing(id, &["a", "b"])).unwrap();
            e.sync(&volunteer("a"), &request(vec![push(id, DocType::Outing, &a, &[])], None)).unwrap();
            let base = a.get_heads();
            let mut b = a.fork();
            b.set_actor(ActorId::from(&b"phone-b"[..]));
            for (k, s) in &doors_a { add_door(&mut a, &k.to_string(), "a", statuses[*s]); }
            for (k, s) in &doors_b { add_door(&mut b, &k.to_string(), "b", statuses[*s]); }
            let mut phones = [("a", &mut a), ("b", &mut b)];
            if b_first { phones.swap(0, 1); }
            for round in 0..2 {
                for (who, doc) in phones.iter_mut() {
                    let since = if round == 0 { base.clone() } else { doc.get_heads() };
                    let r = e.sync(&volunteer(who), &request(vec![push(id, DocType::Outing, doc, &since)], None)).unwrap();
                    prop_assert_eq!(r.documents[0].status, DocStatus::Ok);
                    apply_reply(doc, &r.documents[0]);
                }
            }
            let server = Automerge::load(&e.store().get_doc(id).unwrap().unwrap()).unwrap();
            prop_assert_eq!(document::to_json(&a), document::to_json(&server));
            prop_assert_eq!(document::to_json(&b), document::to_json(&server));
        }
    }
}

#[test]
fn a_first_sync_with_many_documents_comes_in_pages_until_more_is_false() {
    let e = engine();
    let docs: Vec<(Uuid, Automerge)> = (0..205)
        .map(|_| {
            let id = Uuid::new_v4();
            (id, phone_doc("vol", id))
        })
        .collect();
    let entries = docs
        .iter()
        .map(|(id, d)| push(*id, DocType::Contribution, d, &[]))
        .collect();
    let first = e.sync(&volunteer("vol"), &request(entries, None)).unwrap();
    assert!(first.documents.iter().all(|d| d.status == DocStatus::Ok));
    // A new phone of the same volunteer: nothing local, no cursor.
    let page1 = e.sync(&volunteer("vol"), &request(vec![], None)).unwrap();
    assert_eq!((page1.updates.len(), page1.more), (MAX_UPDATES, true));
    let page2 = e
        .sync(
            &volunteer("vol"),
            &request(vec![], Some(page1.cursor.clone())),
        )
        .unwrap();
    assert_eq!(
        (page2.updates.len(), page2.more),
        (205 - MAX_UPDATES, false)
    );
    let mut ids: Vec<Uuid> = page1
        .updates
        .iter()
        .chain(&page2.updates)
        .map(|u| u.id)
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 205, "every document once, none twice");
}

/// A volunteer's first sync of a whole new contribution.
fn sync_new(e: &SyncEngine, who: &str, id: Uuid, doc: &Automerge) -> SyncResponse {
    e.sync(
        &volunteer(who),
        &request(vec![push(id, DocType::Contribution, doc, &[])], None),
    )
    .unwrap()
}

fn commune(code: &str) -> Principal {
    Principal {
        user_id: format!("commune-{code}"),
        role: Role::Commune,
        commune: Some(CommuneCode::parse(code).unwrap()),
    }
}

/// A new contribution whose `respondent` holds maps nested `depth` deep.
fn deeply_nested(author: &str, id: Uuid, depth: usize) -> Automerge {
    let mut doc = phone_doc(author, id);
    edit(&mut doc, |tx| {
        let mut obj = tx
            .put_object(ROOT, "respondent", automerge::ObjType::Map)
            .unwrap();
        for _ in 0..depth {
            obj = tx.put_object(&obj, "a", automerge::ObjType::Map).unwrap();
        }
    });
    doc
}

#[test]
fn maps_nested_thousands_deep_are_invalid_naming_the_field_and_the_engine_lives_on() {
    // Regression: 1,000 levels overflowed the stack in the recursive JSON
    // projection and aborted the process; 300 were stored.
    let e = engine();
    for depth in [300, 1_000, 20_000] {
        let id = Uuid::new_v4();
        let doc = deeply_nested("vol", id, depth);
        for who in [volunteer("vol"), officer(), commune("69266")] {
            let reply = e
                .sync(
                    &who,
                    &request(vec![push(id, DocType::Contribution, &doc, &[])], None),
                )
                .unwrap();
            let out = &reply.documents[0];
            assert_ne!(out.status, DocStatus::Ok, "depth {depth}");
            if who.role == Role::Volunteer {
                assert_eq!(out.status, DocStatus::Invalid, "depth {depth}");
                let reason = out.reason.as_deref().unwrap();
                assert!(reason.contains("`respondent`"), "{reason}");
            }
        }
        assert!(e.store().get_doc(id).unwrap().is_none(), "nothing stored");
    }
    // Still serving: an honest contribution goes through.
    let id = Uuid::new_v4();
    let reply = e
        .sync(
            &volunteer("vol"),
            &request(
                vec![push(id, DocType::Contribution, &phone_doc("vol", id), &[])],
                None,
            ),
        )
        .unwrap();
    assert_eq!(reply.documents[0].status, DocStatus::Ok);
}

#[test]
fn deep_nesting_added_to_a_stored_document_is_invalid_too() {
    let e = engine();
    let id = Uuid::new_v4();
    let mut doc = phone_doc("vol", id);
    let first = sync_new(&e, "vol", id, &doc);
    apply_reply(&mut doc, &first.documents[0]);
    let since = doc.get_heads();
    let before = e.store().get_doc(id).unwrap();
    edit(&mut doc, |tx| {
        let mut obj = tx
            .put_object(ROOT, "respondent", automerge::ObjType::Map)
            .unwrap();
        for _ in 0..2_000 {
            obj = tx.put_object(&obj, "a", automerge::ObjType::List).unwrap();
            obj = tx.insert_object(&obj, 0, automerge::ObjType::Map).unwrap();
        }
    });
    let reply = e
        .sync(
            &volunteer("vol"),
            &request(vec![push(id, DocType::Contribution, &doc, &since)], None),
        )
        .unwrap();
    assert_eq!(reply.documents[0].status, DocStatus::Invalid);
    assert_eq!(
        e.store().get_doc(id).unwrap(),
        before,
        "stored bytes unchanged"
    );
}

#[test]
fn an_empty_new_document_is_never_ok() {
    // Regression: both answered `ok` with no heads, and nothing was stored.
    let e = engine();
    for changes in [String::new(), B64.encode(Automerge::new().save())] {
        let id = Uuid::new_v4();
        let reply = e
            .sync(
                &volunteer("vol"),
                &request(
                    vec![DocumentIn {
                        id,
                        doc_type: DocType::Contribution,
                        heads: vec![],
                        changes: Some(changes),
                    }],
                    None,
                ),
            )
            .unwrap();
        let out = &reply.documents[0];
        assert_eq!(out.status, DocStatus::Invalid, "{:?}", out.reason);
        assert!(out.heads.is_empty());
        assert!(e.store().get_doc(id).unwrap().is_none());
    }
}

#[test]
fn every_ok_carries_heads_of_a_stored_document() {
    let e = engine();
    let id = Uuid::new_v4();
    let doc = phone_doc("vol", id);
    let reply = sync_new(&e, "vol", id, &doc);
    let out = &reply.documents[0];
    assert_eq!(out.status, DocStatus::Ok);
    let stored = Automerge::load(&e.store().get_doc(id).unwrap().unwrap()).unwrap();
    assert!(!out.heads.is_empty());
    assert_eq!(out.heads, document::heads_hex(&stored.get_heads()));
}

#[test]
fn communes_and_admins_receive_no_document_bytes_through_the_engine() {
    // Regression: a commune's empty sync returned every contribution of its
    // territory as whole Automerge documents, author included.
    let e = engine();
    let id = Uuid::new_v4();
    let doc = phone_doc("vol", id);
    let ok = sync_new(&e, "vol", id, &doc);
    assert_eq!(ok.documents[0].status, DocStatus::Ok);
    let admin = Principal {
        user_id: "admin".into(),
        role: Role::Admin,
        commune: None,
    };
    for who in [commune("69266"), admin] {
        let empty = e.sync(&who, &request(vec![], None)).unwrap();
        assert!(empty.updates.is_empty(), "{:?} got updates", who.role);
        let asked = e
            .sync(
                &who,
                &request(
                    vec![DocumentIn {
                        id,
                        doc_type: DocType::Contribution,
                        heads: vec![],
                        changes: None,
                    }],
                    None,
                ),
            )
            .unwrap();
        let out = &asked.documents[0];
        assert_eq!(out.status, DocStatus::Forbidden, "{:?}", who.role);
        assert!(out.changes.is_none() && out.heads.is_empty());
    }
}

#[test]
fn users_actors_are_random_kept_and_distinct() {
    let e = engine();
    let a = e.user_actor("officer").unwrap();
    assert_eq!(e.user_actor("officer").unwrap(), a, "kept in the store");
    assert_ne!(e.user_actor("officer2").unwrap(), a);
    let other = engine();
    assert_ne!(
        other.user_actor("officer").unwrap(),
        a,
        "not derived from the id"
    );
}

#[test]
fn a_volunteer_cannot_claim_the_actor_of_an_officer_seen_in_a_document() {
    // Regression: the officer's actor was derived from the user id; a
    // volunteer who signed with it first broke the officer's writes.
    let e = engine();
    let id = Uuid::new_v4();
    let mut doc = phone_doc("vol", id);
    let first = sync_new(&e, "vol", id, &doc);
    apply_reply(&mut doc, &first.documents[0]);
    // The officer reviews it; the review reaches the phone with its actor.
    let actor = e.user_actor("officer").unwrap();
    let mut server = e.load(id).unwrap().unwrap();
    let review = porte_voix_shared::schema::Review {
        status: porte_voix_shared::Status::Qualified,
        themes: vec!["mobility".into()],
        tags: vec![],
        merged_into: None,
        notes: String::new(),
    };
    document::write_review(&mut server, &actor, &review).unwrap();
    e.store_server_write(id, &server, (&actor, "officer"))
        .unwrap();
    let seen = Automerge::load(&e.store().get_doc(id).unwrap().unwrap()).unwrap();
    assert!(seen.get_changes(&[]).iter().any(|c| c.actor_id() == &actor));
    // The volunteer signs a new contribution with it.
    let id2 = Uuid::new_v4();
    let forged = document::from_json(&actor, &contribution(id2, "vol")).unwrap();
    let reply = sync_new(&e, "vol", id2, &forged);
    assert_eq!(reply.documents[0].status, DocStatus::Forbidden);
    assert!(e.store().get_doc(id2).unwrap().is_none());
    assert_eq!(
        e.store()
            .actor_owner(&actor.to_hex_string())
            .unwrap()
            .as_deref(),
        Some("officer")
    );
    // The officer's next write still works.
    let mut server = e.load(id).unwrap().unwrap();
    document::write_review(
        &mut server,
        &actor,
        &porte_voix_shared::schema::Review {
            status: porte_voix_shared::Status::Forwarded,
            ..review
        },
    )
    .unwrap();
    e.store_server_write(id, &server, (&actor, "officer"))
        .unwrap();
}

#[test]
fn a_stored_document_past_todays_limits_is_refused_alone_not_the_batch() {
    // Stores kept documents nested 300 deep before the bounded projection:
    // editing one must not fail its author's every sync.
    let e = engine();
    let id = Uuid::new_v4();
    let mut deep = deeply_nested("vol", id, 300);
    let row = row_for(
        &porte_voix_shared::Document::parse(id, &document::to_json(&phone_doc("vol", id))).unwrap(),
    );
    e.store()
        .put_doc(crate::store::DocWrite {
            id,
            bytes: deep.save(),
            row,
            bind_actors: vec![],
        })
        .unwrap();
    let since = deep.get_heads();
    edit(&mut deep, |tx| {
        tx.put(ROOT, "kind", "concern").unwrap();
    });
    let fresh = Uuid::new_v4();
    let reply = e
        .sync(
            &volunteer("vol"),
            &request(
                vec![
                    push(id, DocType::Contribution, &deep, &since),
                    push(fresh, DocType::Contribution, &phone_doc("vol", fresh), &[]),
                ],
                None,
            ),
        )
        .unwrap();
    assert_eq!(reply.documents[0].status, DocStatus::Invalid);
    assert_eq!(reply.documents[1].status, DocStatus::Ok);
}
