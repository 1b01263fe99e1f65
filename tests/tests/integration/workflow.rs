//! The review workflow over HTTP: a status change outside the workflow
//! answers 409, a missing requirement 400, and neither stores anything.

use base64::Engine;
use porte_voix_tests::{contribution_json, request, PhoneDoc, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

const VILLEURBANNE: (f64, f64) = (45.7665, 4.8795);

/// A volunteer's contribution, stored and geotagged.
async fn contribution(app: &TestApp) -> Uuid {
    let token = app.login("vol").await;
    let id = Uuid::new_v4();
    let doc = PhoneDoc::new(
        "phone-vol",
        id,
        "contribution",
        &contribution_json(id, &app.user_id("vol"), VILLEURBANNE.0, VILLEURBANNE.1),
    );
    let (_, r) = app.sync(&token, &request(&[&doc], None)).await;
    assert_eq!(r["documents"][0]["status"], "ok", "{r}");
    id
}

async fn review(app: &TestApp, officer: &str, id: Uuid, body: Value) -> (u16, Value) {
    app.send(
        reqwest::Method::PUT,
        officer,
        &format!("/api/v1/contributions/{id}/review"),
        &body,
    )
    .await
}

/// The contribution and its history, as the officer reads them.
async fn snapshot(app: &TestApp, officer: &str, id: Uuid) -> (Value, usize) {
    let (status, doc) = app
        .get(officer, &format!("/api/v1/contributions/{id}"))
        .await;
    assert_eq!(status, 200);
    let (status, history) = app
        .get(officer, &format!("/api/v1/contributions/{id}/history"))
        .await;
    assert_eq!(status, 200);
    (doc, history.as_array().unwrap().len())
}

#[tokio::test]
async fn refused_transitions_and_missing_requirements_store_nothing() {
    let app = TestApp::spawn().await;
    let officer = app.login("officer").await;
    let id = contribution(&app).await;
    let marker = "Jean Dupont 06 12 34 56 78";

    // `new` cannot jump to `closed`: 409, and the message says what may follow.
    let before = snapshot(&app, &officer, id).await;
    let (status, body) = review(
        &app,
        &officer,
        id,
        json!({"status": "closed", "notes": marker}),
    )
    .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("`new`") && message.contains("`qualified`"),
        "{message}"
    );
    assert!(!message.contains("Dupont"), "{message}");
    assert_eq!(snapshot(&app, &officer, id).await, before);
    assert!(before.0["review"].is_null());

    // One step forward is fine.
    let (status, body) = review(&app, &officer, id, json!({"status": "qualified"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["review"]["status"], "qualified");

    // Missing requirements: 400, nothing stored.
    let before = snapshot(&app, &officer, id).await;
    for (attempt, rule) in [
        (json!({"status": "forwarded", "notes": marker}), "follow_up"),
        (
            json!({"status": "duplicate", "notes": marker}),
            "merged_into",
        ),
        (json!({"status": "off_topic", "notes": "  "}), "notes"),
        (json!({"status": "off_topic"}), "notes"),
    ] {
        let (status, body) = review(&app, &officer, id, attempt.clone()).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("bad_request")),
            "{attempt}: {body}"
        );
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains(rule), "{attempt}: {message}");
        assert!(!message.contains("Dupont"), "{message}");
        assert_eq!(snapshot(&app, &officer, id).await, before, "{attempt}");
    }
    assert_eq!(before.0["review"]["status"], "qualified");

    // A reason makes `off_topic` fine; it is then reopened to `qualified`,
    // but cannot jump to `forwarded`.
    let (status, body) = review(
        &app,
        &officer,
        id,
        json!({"status": "off_topic", "notes": "hors périmètre"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = review(&app, &officer, id, json!({"status": "forwarded"})).await;
    assert_eq!(status, 409);
    let (status, body) = review(&app, &officer, id, json!({"status": "qualified"})).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn forwarded_needs_a_forward_recorded_in_the_document() {
    let app = TestApp::spawn().await;
    let officer = app.login("officer").await;
    let id = contribution(&app).await;
    let (status, _) = review(&app, &officer, id, json!({"status": "qualified"})).await;
    assert_eq!(status, 200);

    // The officer records the forward in `follow_up` (by sync, as the
    // console does), then marks the contribution forwarded.
    let (_, r) = app.sync(&officer, &request(&[], None)).await;
    let update = r["updates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == id.to_string())
        .expect("the officer receives the contribution");
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(update["changes"].as_str().unwrap())
        .unwrap();
    let mut phone = PhoneDoc {
        id,
        doc_type: "contribution",
        doc: automerge::Automerge::load(&bytes).unwrap(),
        server_heads: vec![],
    };
    phone
        .doc
        .set_actor(automerge::ActorId::from(&b"console-officer"[..]));
    phone.server_heads = phone.doc.get_heads();
    {
        use automerge::transaction::Transactable;
        let mut tx = phone.doc.transaction();
        let list = tx
            .put_object(automerge::ROOT, "follow_up", automerge::ObjType::List)
            .unwrap();
        let entry = tx.insert_object(&list, 0, automerge::ObjType::Map).unwrap();
        tx.put(&entry, "to", "Vice-présidence propreté").unwrap();
        tx.put(&entry, "sent_at", "2026-11-30T09:00:00Z").unwrap();
        tx.commit();
    }
    let (_, r) = app.sync(&officer, &request(&[&phone], None)).await;
    assert_eq!(phone.apply(&r["documents"][0]), "ok", "{r}");

    let (status, body) = review(&app, &officer, id, json!({"status": "forwarded"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["review"]["status"], "forwarded");
    assert_eq!(body["follow_up"][0]["to"], "Vice-présidence propreté");
    // Then one step at a time: not straight back to `new`.
    let (status, _) = review(&app, &officer, id, json!({"status": "new"})).await;
    assert_eq!(status, 409);
    let (status, _) = review(&app, &officer, id, json!({"status": "answered"})).await;
    assert_eq!(status, 200);
}
