//! Bulk actions and assignment over HTTP: one result per item, the
//! workflow checked per item, a filter resolved by the index, the limits.

use crate::topics::{post, seed, topic, LYON3, VILLEURBANNE};
use porte_voix_tests::TestApp;
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

const BULK: &str = "/api/v1/contributions/bulk";

fn statuses(r: &Value) -> Vec<&str> {
    r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["status"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_bulk_status_gives_one_result_per_item_and_one_bad_id_fails_only_itself() {
    let app = TestApp::spawn().await;
    let c = seed(&app, 3, VILLEURBANNE, "Stationnement gênant").await;
    let officer = app.login("officer").await;
    let unknown = Uuid::new_v4();
    let (status, r) = post(
        &app,
        &officer,
        BULK,
        json!({"ids": [c[0], unknown, c[1], c[2]], "action": {"type": "status", "status": "qualified"}}),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(statuses(&r), ["ok", "not_found", "ok", "ok"]);
    assert_eq!(r["results"][1]["id"], json!(unknown));
    assert_eq!(
        (r["ok"].as_u64(), r["not_found"].as_u64()),
        (Some(3), Some(1))
    );
    for id in &c {
        let (_, got) = app
            .get(&officer, &format!("/api/v1/contributions/{id}"))
            .await;
        assert_eq!(got["review"]["status"], "qualified");
    }

    // The workflow, item by item: `closed` is not a step from `qualified`
    // (not_allowed), `forwarded` needs a forward (requirement_missing).
    let (_, r) = post(
        &app,
        &officer,
        BULK,
        json!({"ids": [c[0]], "action": {"type": "status", "status": "closed"}}),
    )
    .await;
    assert_eq!(r["results"][0]["code"], "not_allowed", "{r}");
    let (_, r) = post(
        &app,
        &officer,
        BULK,
        json!({"ids": [c[0]], "action": {"type": "status", "status": "forwarded"}}),
    )
    .await;
    assert_eq!(r["results"][0]["code"], "requirement_missing", "{r}");
    assert_eq!(r["errors"], 1);

    // A duplicate needs its target, given once for the batch; the target
    // itself is refused as merged into itself.
    let (_, r) = post(
        &app,
        &officer,
        BULK,
        json!({"ids": [c[1], c[0]], "action": {"type": "status", "status": "duplicate", "merged_into": c[0]}}),
    )
    .await;
    assert_eq!(statuses(&r), ["ok", "error"], "{r}");
    assert_eq!(r["results"][1]["code"], "invalid");
    let (_, got) = app
        .get(&officer, &format!("/api/v1/contributions/{}", c[1]))
        .await;
    assert_eq!(got["review"]["merged_into"], json!(c[0]));
    // Adding a tag to the duplicate keeps its target.
    let (_, r) = post(
        &app,
        &officer,
        BULK,
        json!({"ids": [c[1]], "action": {"type": "add_tags", "tags": ["urgent"]}}),
    )
    .await;
    assert_eq!(statuses(&r), ["ok"], "{r}");
    let (_, got) = app
        .get(&officer, &format!("/api/v1/contributions/{}", c[1]))
        .await;
    assert_eq!(got["review"]["merged_into"], json!(c[0]));
    assert_eq!(got["review"]["tags"], json!(["urgent"]));
}

#[tokio::test]
async fn a_bulk_action_over_a_filter_changes_only_what_matches() {
    let app = TestApp::spawn().await;
    let v = seed(&app, 3, VILLEURBANNE, "Pistes cyclables").await;
    let l = seed(&app, 2, LYON3, "Pistes cyclables").await;
    let officer = app.login("officer").await;
    let (status, r) = post(
        &app,
        &officer,
        BULK,
        json!({"filter": {"commune": ["69266"]}, "action": {"type": "add_themes", "themes": ["mobility"]}}),
    )
    .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["ok"], 3);
    let mut got: Vec<String> = r["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect();
    got.sort();
    let mut want: Vec<String> = v.iter().map(|i| i.to_string()).collect();
    want.sort();
    assert_eq!(got, want);
    for id in &v {
        let (_, c) = app
            .get(&officer, &format!("/api/v1/contributions/{id}"))
            .await;
        assert_eq!(c["review"]["themes"], json!(["cleanliness", "mobility"]));
    }
    for id in &l {
        let (_, c) = app
            .get(&officer, &format!("/api/v1/contributions/{id}"))
            .await;
        assert_eq!(c["review"], Value::Null, "outside the filter: untouched");
    }

    // Remove again, then assign the Lyon ones and act on the assignee.
    let (_, r) = post(
        &app,
        &officer,
        BULK,
        json!({"filter": {"commune": ["69266"]}, "action": {"type": "remove_themes", "themes": ["mobility"]}}),
    )
    .await;
    assert_eq!(r["ok"], 3);
    let (_, c) = app
        .get(&officer, &format!("/api/v1/contributions/{}", v[0]))
        .await;
    assert_eq!(c["review"]["themes"], json!(["cleanliness"]));

    let (_, r) = post(
        &app,
        &officer,
        BULK,
        json!({"ids": l, "action": {"type": "assignee", "assignee": app.user_id("officer")}}),
    )
    .await;
    assert_eq!(statuses(&r), ["ok", "ok"]);
    let (_, r) = post(
        &app,
        &officer,
        BULK,
        json!({"filter": {"assignee": app.user_id("officer")}, "action": {"type": "add_tags", "tags": ["suivi"]}}),
    )
    .await;
    assert_eq!(r["ok"], 2, "the assignee filter finds the assigned: {r}");

    // Attach to a topic over a filter, then the filter "in no topic".
    let t = topic(&app, &officer, "Vélo", &[]).await;
    let (_, r) = post(
        &app,
        &officer,
        BULK,
        json!({"filter": {"commune": "69123"}, "action": {"type": "attach_to_topic", "topic": t}}),
    )
    .await;
    assert_eq!(r["ok"], 2, "{r}");
    let (_, detail) = app.get(&officer, &format!("/api/v1/topics/{t}")).await;
    assert_eq!(detail["figures"]["count"], 2);
    let (_, r) = post(
        &app,
        &officer,
        BULK,
        json!({"filter": {"in_topic": false}, "action": {"type": "status", "status": "qualified"}}),
    )
    .await;
    assert_eq!(r["ok"], 3, "the three Villeurbanne ones: {r}");
}

#[tokio::test]
async fn bulk_limits_and_bad_requests_change_nothing() {
    let app = TestApp::spawn().await;
    let c = seed(&app, 1, VILLEURBANNE, "Bruit").await;
    let officer = app.login("officer").await;
    let qualified = json!({"type": "status", "status": "qualified"});
    let many: Vec<Uuid> = (0..5001).map(|_| Uuid::new_v4()).collect();
    for (body, want) in [
        (json!({"ids": many, "action": qualified}), 413),
        (json!({"action": qualified}), 400),
        (json!({"ids": c, "filter": {}, "action": qualified}), 400),
        (json!({"ids": c, "action": {"type": "paint"}}), 400),
        (
            json!({"ids": c, "action": {"type": "add_themes", "themes": ["Pas un code"]}}),
            400,
        ),
        (
            json!({"ids": c, "action": {"type": "assignee", "assignee": app.user_id("vol")}}),
            400,
        ),
        (
            json!({"filter": {"topic": "every"}, "action": qualified}),
            400,
        ),
        (
            json!({"ids": c, "action": {"type": "attach_to_topic", "topic": Uuid::new_v4()}}),
            404,
        ),
    ] {
        let (status, err) = post(&app, &officer, BULK, body.clone()).await;
        assert_eq!(status, want, "{body}: {err}");
        assert!(err["error"]["message"].is_string());
    }
    let (_, got) = app
        .get(&officer, &format!("/api/v1/contributions/{}", c[0]))
        .await;
    assert_eq!(got["review"], Value::Null);
    // An action that changes nothing writes nothing (no empty review).
    let (_, r) = post(
        &app,
        &officer,
        BULK,
        json!({"ids": c, "action": {"type": "remove_tags", "tags": ["absent"]}}),
    )
    .await;
    assert_eq!(statuses(&r), ["ok"]);
    let (_, again) = app
        .get(&officer, &format!("/api/v1/contributions/{}", c[0]))
        .await;
    assert_eq!(again, got, "unchanged");
    for who in ["vol", "villeurbanne", "admin"] {
        let token = app.login(who).await;
        let (status, _) = post(&app, &token, BULK, json!({"ids": c, "action": qualified})).await;
        assert_eq!(status, 403, "{who}");
    }
}

#[tokio::test]
async fn the_officer_assigns_a_contribution_to_an_officer_colleague() {
    let app = TestApp::spawn().await;
    let c = seed(&app, 2, VILLEURBANNE, "Arbres").await;
    let officer = app.login("officer").await;
    let path = format!("/api/v1/contributions/{}/assignee", c[0]);
    let (_, before) = app
        .get(&officer, &format!("/api/v1/contributions/{}", c[0]))
        .await;
    let (status, r) = app
        .send(
            Method::PUT,
            &officer,
            &path,
            &json!({"assignee": app.user_id("officer")}),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(r["assignee"], json!(app.user_id("officer")));
    let (_, after) = app
        .get(&officer, &format!("/api/v1/contributions/{}", c[0]))
        .await;
    assert_eq!(after, before, "the document is not changed");
    // The assignee filter finds it, and only it.
    let (_, r) = post(
        &app,
        &officer,
        BULK,
        json!({"filter": {"assignee": app.user_id("officer")}, "action": {"type": "add_tags", "tags": ["a_voir"]}}),
    )
    .await;
    assert_eq!(r["results"].as_array().unwrap().len(), 1);
    assert_eq!(r["results"][0]["id"], json!(c[0]));

    let (status, _) = app
        .send(Method::PUT, &officer, &path, &json!({"assignee": null}))
        .await;
    assert_eq!(status, 200);
    let (_, r) = post(
        &app,
        &officer,
        BULK,
        json!({"filter": {"assignee": app.user_id("officer")}, "action": {"type": "add_tags", "tags": ["a_voir"]}}),
    )
    .await;
    assert_eq!(r["results"], json!([]), "unassigned");

    for (who, body, want) in [
        ("officer", json!({"assignee": app.user_id("vol")}), 400),
        ("officer", json!({"assignee": app.user_id("lyon3")}), 400),
        ("vol", json!({"assignee": null}), 403),
        ("villeurbanne", json!({"assignee": null}), 403),
        ("admin", json!({"assignee": null}), 403),
    ] {
        let token = app.login(who).await;
        let (status, _) = app.send(Method::PUT, &token, &path, &body).await;
        assert_eq!(status, want, "{who} {body}");
    }
    let (status, _) = app
        .send(
            Method::PUT,
            &officer,
            &format!("/api/v1/contributions/{}/assignee", Uuid::new_v4()),
            &json!({"assignee": null}),
        )
        .await;
    assert_eq!(status, 404);
}
