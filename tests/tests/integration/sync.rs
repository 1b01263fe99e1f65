use porte_voix_tests::{contribution_json, outing_json, request, PhoneDoc, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

/// Villeurbanne's town hall and a point in Lyon 3e.
const VILLEURBANNE: (f64, f64) = (45.7665, 4.8795);
const LYON_3E: (f64, f64) = (45.7597, 4.8590);

/// A change a phone makes to a document.
type Edit = Box<dyn Fn(&mut automerge::transaction::Transaction<'_>)>;

fn statuses(reply: &Value) -> Vec<&str> {
    reply["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["status"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn new_documents_round_trip_geotagged() {
    let app = TestApp::spawn().await;
    let token = app.login("vol").await;
    let vol = app.user_id("vol");
    let a_id = Uuid::new_v4();
    let mut a = PhoneDoc::new(
        "phone-vol",
        a_id,
        "contribution",
        &contribution_json(a_id, &vol, VILLEURBANNE.0, VILLEURBANNE.1),
    );
    let b_id = Uuid::new_v4();
    let mut b = PhoneDoc::new(
        "phone-vol",
        b_id,
        "contribution",
        &contribution_json(b_id, &vol, LYON_3E.0, LYON_3E.1),
    );
    let (status, reply) = app.sync(&token, &request(&[&a, &b], None)).await;
    assert_eq!(status, 200);
    assert_eq!(reply["protocol"], 1);
    assert_eq!(statuses(&reply), vec!["ok", "ok"]);
    a.apply(&reply["documents"][0]);
    b.apply(&reply["documents"][1]);
    assert_eq!(
        a.json()["geo"]["commune"],
        "69266",
        "the server's geo synced back"
    );
    assert_eq!(b.json()["geo"]["arrondissement"], "69383");
    let (status, got) = app
        .get(&token, &format!("/api/v1/contributions/{}", a.id))
        .await;
    assert_eq!(status, 200);
    assert_eq!(got["text"], "Les poubelles débordent près du marché");
    assert_eq!(got["geo"]["commune_name"], "Villeurbanne");
}

#[tokio::test]
async fn the_same_batch_twice_changes_nothing() {
    let app = TestApp::spawn().await;
    let token = app.login("vol").await;
    let id = Uuid::new_v4();
    let doc = PhoneDoc::new(
        "phone-vol",
        id,
        "contribution",
        &contribution_json(id, &app.user_id("vol"), VILLEURBANNE.0, VILLEURBANNE.1),
    );
    let body = request(&[&doc], None);
    let (_, first) = app.sync(&token, &body).await;
    let (_, second) = app.sync(&token, &body).await;
    assert_eq!(statuses(&second), vec!["ok"]);
    assert_eq!(
        first["documents"][0]["heads"],
        second["documents"][0]["heads"]
    );
    assert_eq!(
        first["cursor"], second["cursor"],
        "no new change was recorded"
    );
    let (_, list) = app.get(&token, "/api/v1/contributions?author=me").await;
    assert_eq!(list["total"], 1);
}

#[tokio::test]
async fn two_phones_edit_the_same_outing_offline_and_converge() {
    let app = TestApp::spawn().await;
    let (ta, tb) = (app.login("vol").await, app.login("vol2").await);
    let team = vec![app.user_id("vol"), app.user_id("vol2")];
    let id = Uuid::new_v4();
    let mut a = PhoneDoc::new("phone-a", id, "outing", &outing_json(id, &team));
    let (_, r) = app.sync(&ta, &request(&[&a], None)).await;
    assert_eq!(a.apply(&r["documents"][0]), "ok");
    // Phone b receives the outing in its first sync's updates.
    let (_, rb) = app.sync(&tb, &request(&[], None)).await;
    let update = &rb["updates"][0];
    assert_eq!(update["type"], "outing");
    use base64::Engine;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(update["changes"].as_str().unwrap())
        .unwrap();
    let mut b = PhoneDoc {
        id,
        doc_type: "outing",
        doc: automerge::Automerge::load(&bytes).unwrap(),
        server_heads: vec![],
    };
    b.doc.set_actor(automerge::ActorId::from(&b"phone-b"[..]));
    b.server_heads = b.doc.get_heads();
    // Both log a door offline.
    for (phone, key, by, status) in [
        (&mut a, "d-12", &team[0], "visite"),
        (&mut b, "d-14", &team[1], "absent"),
    ] {
        use automerge::transaction::Transactable;
        use automerge::ReadDoc;
        let mut tx = phone.doc.transaction();
        let (_, doors) = tx.get(automerge::ROOT, "doors").unwrap().unwrap();
        let door = tx.put_object(&doors, key, automerge::ObjType::Map).unwrap();
        tx.put(&door, "address", "12 rue Pasteur").unwrap();
        tx.put(&door, "status", status).unwrap();
        tx.put(&door, "by", by.as_str()).unwrap();
        tx.commit();
    }
    let (_, ra) = app.sync(&ta, &request(&[&a], None)).await;
    let (_, rb) = app.sync(&tb, &request(&[&b], None)).await;
    assert_eq!(a.apply(&ra["documents"][0]), "ok");
    assert_eq!(b.apply(&rb["documents"][0]), "ok");
    let (_, ra) = app.sync(&ta, &request(&[&a], None)).await;
    a.apply(&ra["documents"][0]);
    assert_eq!(a.json(), b.json());
    assert_eq!(a.json()["doors"].as_object().unwrap().len(), 2);
    assert_eq!(a.json()["doors"]["d-14"]["status"], "absent");
}

#[tokio::test]
async fn an_officer_review_reaches_the_author_at_the_next_sync() {
    let app = TestApp::spawn().await;
    let token = app.login("vol").await;
    let id = Uuid::new_v4();
    let mut doc = PhoneDoc::new(
        "phone-vol",
        id,
        "contribution",
        &contribution_json(id, &app.user_id("vol"), VILLEURBANNE.0, VILLEURBANNE.1),
    );
    let (_, r) = app.sync(&token, &request(&[&doc], None)).await;
    doc.apply(&r["documents"][0]);
    let cursor = r["cursor"].as_str().unwrap().to_owned();
    let officer = app.login("officer").await;
    let (status, reviewed) = app
        .send(
            reqwest::Method::PUT,
            &officer,
            &format!("/api/v1/contributions/{id}/review"),
            &json!({"status": "qualified", "notes": "Transmis au service propreté"}),
        )
        .await;
    assert_eq!(status, 200, "{reviewed}");
    // The phone sends its (unchanged) document with the cursor.
    let (_, r) = app.sync(&token, &request(&[&doc], Some(&cursor))).await;
    doc.apply(&r["documents"][0]);
    assert_eq!(doc.json()["review"]["status"], "qualified");
    // Another volunteer's phone hears nothing of it.
    let other = app.login("vol2").await;
    let (_, r) = app.sync(&other, &request(&[], None)).await;
    assert_eq!(r["updates"].as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn refused_writes_store_nothing() {
    let app = TestApp::spawn().await;
    let (vol, vol2) = (app.login("vol").await, app.login("vol2").await);
    let id = Uuid::new_v4();
    let mut doc = PhoneDoc::new(
        "phone-vol",
        id,
        "contribution",
        &contribution_json(id, &app.user_id("vol"), VILLEURBANNE.0, VILLEURBANNE.1),
    );
    let (_, r) = app.sync(&vol, &request(&[&doc], None)).await;
    doc.apply(&r["documents"][0]);
    let (_, before) = app
        .get(
            &app.login("officer").await,
            &format!("/api/v1/contributions/{id}"),
        )
        .await;
    use automerge::transaction::Transactable;
    let attempts: Vec<(&str, &str, &str, Edit)> = vec![
        (
            "review by its author",
            "vol",
            "phone-vol",
            Box::new(|tx| {
                let m = tx
                    .put_object(automerge::ROOT, "review", automerge::ObjType::Map)
                    .unwrap();
                tx.put(&m, "status", "closed").unwrap();
            }),
        ),
        (
            "geo by its author",
            "vol",
            "phone-vol",
            Box::new(|tx| {
                let m = tx
                    .put_object(automerge::ROOT, "geo", automerge::ObjType::Map)
                    .unwrap();
                tx.put(&m, "commune", "69123").unwrap();
            }),
        ),
        (
            "text by another volunteer",
            "vol2",
            "phone-vol2",
            Box::new(|tx| {
                tx.put(automerge::ROOT, "kind", "proposal").unwrap();
            }),
        ),
    ];
    for (what, who, actor, change) in attempts {
        let mut forged = PhoneDoc {
            id,
            doc_type: "contribution",
            doc: doc.doc.fork(),
            server_heads: doc.server_heads.clone(),
        };
        forged
            .doc
            .set_actor(automerge::ActorId::from(actor.as_bytes()));
        let mut tx = forged.doc.transaction();
        change(&mut tx);
        tx.commit();
        let token = if who == "vol" { &vol } else { &vol2 };
        let (_, r) = app.sync(token, &request(&[&forged], None)).await;
        assert_eq!(statuses(&r), vec!["forbidden"], "{what}");
        assert!(r["documents"][0]["reason"].as_str().is_some(), "{what}");
    }
    let (_, after) = app
        .get(
            &app.login("officer").await,
            &format!("/api/v1/contributions/{id}"),
        )
        .await;
    assert_eq!(before, after, "nothing of the refused changes was stored");
}

#[tokio::test]
async fn commune_and_admin_accounts_do_not_sync() {
    let app = TestApp::spawn().await;
    // A contribution in Villeurbanne exists: the commune may read it through
    // REST (without its author), never as Automerge bytes.
    let vol = app.login("vol").await;
    let vid = Uuid::new_v4();
    let vdoc = PhoneDoc::new(
        "phone-vol",
        vid,
        "contribution",
        &contribution_json(vid, &app.user_id("vol"), VILLEURBANNE.0, VILLEURBANNE.1),
    );
    let (_, r) = app.sync(&vol, &request(&[&vdoc], None)).await;
    assert_eq!(statuses(&r), vec!["ok"]);
    for who in ["villeurbanne", "admin"] {
        let token = app.login(who).await;
        let (status, body) = app
            .sync(&token, &json!({"protocol": 1, "documents": []}))
            .await;
        assert_eq!(status, 403, "{who}: {body}");
        assert_eq!(body["error"]["code"], "forbidden");
        assert!(!body.to_string().contains(&app.user_id("vol")));
        let (status, body) = app
            .sync(
                &token,
                &json!({"protocol": 1, "documents": [{"id": vid, "type": "contribution", "heads": []}]}),
            )
            .await;
        assert_eq!(status, 403, "{who}");
        assert!(body.get("documents").is_none());
    }
    let token = app.login("villeurbanne").await;
    let id = Uuid::new_v4();
    let doc = PhoneDoc::new(
        "phone-c",
        id,
        "contribution",
        &contribution_json(
            id,
            &app.user_id("villeurbanne"),
            VILLEURBANNE.0,
            VILLEURBANNE.1,
        ),
    );
    let (status, _) = app.sync(&token, &request(&[&doc], None)).await;
    assert_eq!(status, 403);
    let officer = app.login("officer").await;
    let (status, _) = app
        .get(&officer, &format!("/api/v1/contributions/{id}"))
        .await;
    assert_eq!(status, 404, "nothing stored");
}

#[tokio::test]
async fn limits_answer_413_with_the_json_error_and_the_server_stays_up() {
    let app = TestApp::spawn().await;
    let token = app.login("vol").await;
    let many: Vec<Value> = (0..501)
        .map(|_| json!({"id": Uuid::new_v4(), "type": "contribution", "heads": []}))
        .collect();
    let (status, body) = app
        .sync(&token, &json!({"protocol": 1, "documents": many}))
        .await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (413, Some("payload_too_large"))
    );
    let huge = "A".repeat(9 * 1024 * 1024);
    let (status, body) = app.sync(&token, &json!({"protocol": 1, "documents": [{"id": Uuid::new_v4(), "type": "contribution", "heads": [], "changes": huge}]})).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (413, Some("payload_too_large"))
    );
    let big_doc = "A".repeat(3 * 1024 * 1024);
    let (status, body) = app.sync(&token, &json!({"protocol": 1, "documents": [{"id": Uuid::new_v4(), "type": "contribution", "heads": [], "changes": big_doc}]})).await;
    assert_eq!(status, 200);
    assert_eq!(statuses(&body), vec!["too_large"]);
    let (status, _) = app.get(&token, "/api/v1/me").await;
    assert_eq!(status, 200);
}
