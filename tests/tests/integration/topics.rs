//! Topics (« sujets ») over HTTP: creation, figures, attach and detach, one
//! topic per contribution, quotes, the topic workflow, history, and what
//! communes, volunteers and admins may read.

use porte_voix_tests::{contribution_json, request, PhoneDoc, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

/// Villeurbanne (69266).
pub const VILLEURBANNE: (f64, f64) = (45.7665, 4.8795);
/// Lyon 3e (69383).
pub const LYON3: (f64, f64) = (45.7597, 4.8590);

/// `n` contributions by `vol` at a point, through sync; their ids.
pub async fn seed(app: &TestApp, n: usize, at: (f64, f64), text: &str) -> Vec<Uuid> {
    let token = app.login("vol").await;
    let mut ids = Vec::new();
    for chunk in 0..n.div_ceil(200) {
        let mut docs = Vec::new();
        for _ in 0..(n - chunk * 200).min(200) {
            let id = Uuid::new_v4();
            let mut c = contribution_json(id, &app.user_id("vol"), at.0, at.1);
            c["text"] = json!(text);
            docs.push(PhoneDoc::new("phone-vol", id, "contribution", &c));
        }
        let refs: Vec<&PhoneDoc> = docs.iter().collect();
        let (status, reply) = app.sync(&token, &request(&refs, None)).await;
        assert_eq!(status, 200, "{reply}");
        for (d, r) in docs.iter().zip(reply["documents"].as_array().unwrap()) {
            assert_eq!(r["status"], "ok", "{r}");
            ids.push(d.id);
        }
    }
    ids
}

pub async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> (u16, Value) {
    app.send(Method::POST, token, path, &body).await
}

/// Creates a topic as the officer; its id.
pub async fn topic(app: &TestApp, officer: &str, title: &str, members: &[Uuid]) -> Uuid {
    let (status, t) = post(
        app,
        officer,
        "/api/v1/topics",
        json!({"title": title, "contributions": members}),
    )
    .await;
    assert_eq!(status, 201, "{t}");
    t["id"].as_str().unwrap().parse().unwrap()
}

fn ids_of(v: &Value) -> Vec<String> {
    let mut ids: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

fn sorted(ids: &[Uuid]) -> Vec<String> {
    let mut v: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_topic_gathers_contributions_with_figures_and_an_attributed_timed_history() {
    let app = TestApp::spawn().await;
    let v = seed(&app, 2, VILLEURBANNE, "Les poubelles débordent").await;
    let l = seed(&app, 1, LYON3, "Trottoir encombré par les poubelles").await;
    let officer = app.login("officer").await;
    let unknown = Uuid::new_v4();
    let before = chrono::Utc::now();

    let (status, t) = post(
        &app,
        &officer,
        "/api/v1/topics",
        json!({"title": "  Propreté des rues  ", "summary": "Poubelles et trottoirs",
               "themes": ["cleanliness"], "assignee": app.user_id("officer"),
               "contributions": [v[0], v[1], l[0], unknown]}),
    )
    .await;
    let after = chrono::Utc::now();
    assert_eq!(status, 201, "{t}");
    assert_eq!(t["title"], "Propreté des rues", "trimmed");
    assert_eq!(t["status"], "open");
    assert_eq!(t["allowed_next"], json!(["forwarded"]));
    assert_eq!(t["assignee"], json!(app.user_id("officer")));
    let results = t["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    for r in &results[..3] {
        assert_eq!(r["status"], "ok", "{r}");
    }
    assert_eq!(results[3]["status"], "not_found");
    assert_eq!(results[3]["id"], json!(unknown));

    let id = t["id"].as_str().unwrap();
    let (status, t) = app.get(&officer, &format!("/api/v1/topics/{id}")).await;
    assert_eq!(status, 200);
    let f = &t["figures"];
    assert_eq!(f["count"], 3);
    assert_eq!(f["by_commune"], json!({"69123": 1, "69266": 2}));
    assert_eq!(f["by_arrondissement"], json!({"69383": 1}));
    assert_eq!(f["by_kind"], json!({"concern": 3}));
    assert!(f["first_at"].is_string() && f["last_at"].is_string());
    assert_eq!(ids_of(&t["contributions"]), sorted(&[v[0], v[1], l[0]]));

    let history = t["history"].as_array().unwrap();
    let actions: Vec<&str> = history
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["created", "attached"]);
    for e in history {
        assert_eq!(e["by"], json!(app.user_id("officer")));
        let at: chrono::DateTime<chrono::Utc> = e["at"].as_str().unwrap().parse().unwrap();
        assert!(at >= before && at <= after, "timed: {at}");
    }
    assert_eq!(history[1]["detail"]["count"], 3);
    // Ids and counts only: no resident's words in the history.
    assert!(!t["history"].to_string().contains("poubelles"));

    // The list has it, with its figures, filtered and sorted.
    let (status, list) = app.get(&officer, "/api/v1/topics").await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["id"], json!(id));
    assert_eq!(list[0]["figures"]["count"], 3);
    for (query, n) in [
        ("status=open", 1),
        ("status=closed", 0),
        ("theme=cleanliness", 1),
        ("theme=mobility", 0),
        ("assignee=me", 1),
    ] {
        let (status, list) = app.get(&officer, &format!("/api/v1/topics?{query}")).await;
        assert_eq!(status, 200, "{query}");
        assert_eq!(list.as_array().unwrap().len(), n, "{query}");
    }
}

#[tokio::test]
async fn topics_are_listed_by_last_update() {
    let app = TestApp::spawn().await;
    let officer = app.login("officer").await;
    let a = topic(&app, &officer, "Premier", &[]).await;
    let b = topic(&app, &officer, "Second", &[]).await;
    let (_, list) = app.get(&officer, "/api/v1/topics").await;
    assert_eq!(list[0]["id"], json!(b));
    let (status, _) = app
        .send(
            Method::PATCH,
            &officer,
            &format!("/api/v1/topics/{a}"),
            &json!({"summary": "Mis à jour"}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, list) = app.get(&officer, "/api/v1/topics").await;
    assert_eq!(list[0]["id"], json!(a), "the edited topic comes first");
    assert_eq!(list[1]["id"], json!(b));
}

#[tokio::test]
async fn bad_topic_input_is_refused_with_a_clear_error() {
    let app = TestApp::spawn().await;
    let officer = app.login("officer").await;
    let long = "é".repeat(201);
    let summary = "x".repeat(5001);
    for body in [
        json!({"title": "   "}),
        json!({"title": long}),
        json!({"title": "Ok", "summary": summary}),
        json!({"title": "Ok", "themes": ["Pas un code"]}),
        json!({"title": "Ok", "assignee": app.user_id("vol")}),
        json!({"title": "Ok", "assignee": "nobody"}),
    ] {
        let (status, err) = post(&app, &officer, "/api/v1/topics", body.clone()).await;
        assert_eq!(status, 400, "{body}: {err}");
        assert_eq!(err["error"]["code"], "bad_request");
    }
    let ids: Vec<Uuid> = (0..5001).map(|_| Uuid::new_v4()).collect();
    let (status, _) = post(
        &app,
        &officer,
        "/api/v1/topics",
        json!({"title": "Ok", "contributions": ids}),
    )
    .await;
    assert_eq!(status, 413);
    let (_, list) = app.get(&officer, "/api/v1/topics").await;
    assert_eq!(list, json!([]), "nothing stored");

    for who in ["vol", "villeurbanne", "admin"] {
        let token = app.login(who).await;
        let (status, _) = post(&app, &token, "/api/v1/topics", json!({"title": "Ok"})).await;
        assert_eq!(status, 403, "{who}");
    }
}

#[tokio::test]
async fn a_contribution_belongs_to_one_topic_unless_moved() {
    let app = TestApp::spawn().await;
    let c = seed(&app, 2, VILLEURBANNE, "Bancs cassés").await;
    let officer = app.login("officer").await;
    let a = topic(&app, &officer, "A", &[c[0]]).await;
    let b = topic(&app, &officer, "B", &[]).await;

    let (status, r) = post(
        &app,
        &officer,
        &format!("/api/v1/topics/{b}/contributions"),
        json!({"ids": [c[0], c[1], c[1]]}),
    )
    .await;
    assert_eq!(status, 200);
    let results = r["results"].as_array().unwrap();
    assert_eq!(results.len(), 2, "one result per distinct id: {r}");
    assert_eq!(results[0]["status"], "error");
    assert_eq!(results[0]["code"], "in_another_topic");
    assert!(results[0]["message"].is_string());
    assert_eq!(results[1]["status"], "ok");
    let (_, ta) = app.get(&officer, &format!("/api/v1/topics/{a}")).await;
    assert_eq!(ids_of(&ta["contributions"]), sorted(&[c[0]]), "still in A");

    // Attaching again where it already is: ok, nothing changes.
    let (_, r) = post(
        &app,
        &officer,
        &format!("/api/v1/topics/{a}/contributions"),
        json!({"ids": [c[0]]}),
    )
    .await;
    assert_eq!(r["results"][0]["status"], "ok");

    let (_, r) = post(
        &app,
        &officer,
        &format!("/api/v1/topics/{b}/contributions"),
        json!({"ids": [c[0]], "move": true}),
    )
    .await;
    assert_eq!(r["results"][0]["status"], "ok");
    let (_, ta) = app.get(&officer, &format!("/api/v1/topics/{a}")).await;
    let (_, tb) = app.get(&officer, &format!("/api/v1/topics/{b}")).await;
    assert_eq!(ta["figures"]["count"], 0);
    assert_eq!(ids_of(&tb["contributions"]), sorted(&[c[0], c[1]]));
    let last = ta["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "detached");
    assert_eq!(last["detail"]["moved_to"], json!(b));

    // Unknown topic: 404.
    let (status, _) = post(
        &app,
        &officer,
        &format!("/api/v1/topics/{}/contributions", Uuid::new_v4()),
        json!({"ids": [c[0]]}),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn concurrent_attaches_of_one_contribution_leave_it_in_exactly_one_topic() {
    let app = TestApp::spawn().await;
    let c = seed(&app, 1, VILLEURBANNE, "Éclairage").await[0];
    let officer = app.login("officer").await;
    let mut topics = Vec::new();
    for i in 0..8 {
        topics.push(topic(&app, &officer, &format!("T{i}"), &[]).await);
    }
    let mut set = tokio::task::JoinSet::new();
    for t in &topics {
        let (client, url, token) = (
            app.client.clone(),
            format!("{}/api/v1/topics/{t}/contributions", app.base),
            officer.clone(),
        );
        set.spawn(async move {
            let r = client
                .post(url)
                .bearer_auth(token)
                .json(&json!({"ids": [c]}))
                .send()
                .await
                .unwrap();
            r.json::<Value>().await.unwrap()
        });
    }
    let replies = set.join_all().await;
    let ok = replies
        .iter()
        .filter(|r| r["results"][0]["status"] == "ok")
        .count();
    assert_eq!(ok, 1, "{replies:?}");
    let mut holding = 0;
    for t in &topics {
        let (_, detail) = app.get(&officer, &format!("/api/v1/topics/{t}")).await;
        holding += detail["figures"]["count"].as_u64().unwrap();
    }
    assert_eq!(holding, 1);
}

#[tokio::test]
async fn detaching_leaves_the_contribution_as_it_was() {
    let app = TestApp::spawn().await;
    let c = seed(&app, 1, VILLEURBANNE, "Les poubelles débordent").await[0];
    let officer = app.login("officer").await;
    let path = format!("/api/v1/contributions/{c}");
    let (_, before) = app.get(&officer, &path).await;
    let t = topic(&app, &officer, "Propreté", &[c]).await;
    let (_, during) = app.get(&officer, &path).await;
    assert_eq!(during, before, "attaching does not change the contribution");
    let detach = format!("/api/v1/topics/{t}/contributions/{c}");
    let (status, _) = app
        .send(Method::DELETE, &officer, &detach, &json!(null))
        .await;
    assert_eq!(status, 204);
    let (_, after) = app.get(&officer, &path).await;
    assert_eq!(after, before);
    let (status, err) = app
        .send(Method::DELETE, &officer, &detach, &json!(null))
        .await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (_, detail) = app.get(&officer, &format!("/api/v1/topics/{t}")).await;
    assert_eq!(detail["figures"]["count"], 0);
    let last = detail["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["action"], "detached");
    assert_eq!(last["detail"]["contributions"], json!([c]));
}

#[tokio::test]
async fn quotes_are_excerpts_of_attached_contributions() {
    let app = TestApp::spawn().await;
    let c = seed(
        &app,
        2,
        VILLEURBANNE,
        "Les poubelles débordent près du marché",
    )
    .await;
    let officer = app.login("officer").await;
    let t = topic(&app, &officer, "Propreté", &[c[0]]).await;
    let quotes = format!("/api/v1/topics/{t}/quotes");
    for (body, why) in [
        (
            json!({"contribution": c[0], "excerpt": "débordent près"}),
            "",
        ),
        (
            json!({"contribution": c[0], "excerpt": "des rats partout"}),
            "not in the text",
        ),
        (
            json!({"contribution": c[1], "excerpt": "débordent"}),
            "not attached",
        ),
        (json!({"contribution": c[0], "excerpt": "  "}), "empty"),
    ] {
        let (status, r) = post(&app, &officer, &quotes, body).await;
        if why.is_empty() {
            assert_eq!(status, 201, "{r}");
            assert_eq!(
                r["quotes"],
                json!([{"index": 0, "contribution": c[0], "excerpt": "débordent près"}])
            );
        } else {
            assert_eq!(status, 400, "{why}: {r}");
            assert!(!r["error"]["message"].as_str().unwrap().contains("rats"));
        }
    }
    let (status, _) = app
        .send(
            Method::DELETE,
            &officer,
            &format!("{quotes}/3"),
            &json!(null),
        )
        .await;
    assert_eq!(status, 404);
    let vol = app.login("vol").await;
    let (status, _) = post(
        &app,
        &vol,
        &quotes,
        json!({"contribution": c[0], "excerpt": "débordent"}),
    )
    .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .send(
            Method::DELETE,
            &officer,
            &format!("{quotes}/0"),
            &json!(null),
        )
        .await;
    assert_eq!(status, 204);
    let (_, detail) = app.get(&officer, &format!("/api/v1/topics/{t}")).await;
    assert_eq!(detail["quotes"], json!([]));
    let actions: Vec<&str> = detail["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["created", "attached", "quote_added", "quote_removed"]
    );

    // Detaching a contribution takes its quotes with it.
    post(
        &app,
        &officer,
        &quotes,
        json!({"contribution": c[0], "excerpt": "marché"}),
    )
    .await;
    app.send(
        Method::DELETE,
        &officer,
        &format!("/api/v1/topics/{t}/contributions/{}", c[0]),
        &json!(null),
    )
    .await;
    let (_, detail) = app.get(&officer, &format!("/api/v1/topics/{t}")).await;
    assert_eq!(detail["quotes"], json!([]));
}

#[tokio::test]
async fn the_topic_status_follows_its_workflow() {
    let app = TestApp::spawn().await;
    let officer = app.login("officer").await;
    let t = topic(&app, &officer, "Mobilité", &[]).await;
    let path = format!("/api/v1/topics/{t}");
    for (to, want) in [("answered", 409), ("closed", 409), ("forwarded", 400)] {
        let (status, err) = app
            .send(Method::PATCH, &officer, &path, &json!({"status": to}))
            .await;
        assert_eq!(status, want, "open -> {to}: {err}");
    }
    let (_, detail) = app.get(&officer, &path).await;
    assert_eq!(detail["status"], "open", "nothing stored");
    assert_eq!(detail["history"].as_array().unwrap().len(), 1);

    let (status, detail) = app
        .send(
            Method::PATCH,
            &officer,
            &path,
            &json!({"title": "Mobilité douce", "themes": ["mobility"], "assignee": null}),
        )
        .await;
    assert_eq!(status, 200, "{detail}");
    assert_eq!(detail["title"], "Mobilité douce");
    let last = detail["history"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["action"], "edited");
    assert_eq!(last["detail"]["fields"], json!(["title", "themes"]));

    let (status, detail) = app
        .send(
            Method::PATCH,
            &officer,
            &path,
            &json!({"assignee": app.user_id("officer")}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(detail["assignee"], json!(app.user_id("officer")));
    let (status, _) = app
        .send(
            Method::PATCH,
            &officer,
            &path,
            &json!({"assignee": app.user_id("villeurbanne")}),
        )
        .await;
    assert_eq!(status, 400, "a commune account is no assignee");

    let vol = app.login("vol").await;
    let (status, _) = app
        .send(Method::PATCH, &vol, &path, &json!({"title": "x"}))
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .send(
            Method::PATCH,
            &officer,
            &format!("/api/v1/topics/{}", Uuid::new_v4()),
            &json!({"title": "x"}),
        )
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn communes_read_only_topics_concerning_them_and_only_their_part() {
    let app = TestApp::spawn().await;
    let v = seed(&app, 3, VILLEURBANNE, "Les poubelles débordent").await;
    let l = seed(&app, 1, LYON3, "Les poubelles débordent aussi").await;
    let officer = app.login("officer").await;
    let mixed = topic(&app, &officer, "Propreté", &[v[0], v[1], l[0]]).await;
    let only_v = topic(&app, &officer, "Villeurbanne", &[v[2]]).await;
    let (_, detail) = app.get(&officer, &format!("/api/v1/topics/{only_v}")).await;
    assert_eq!(detail["figures"]["count"], 1);
    let empty = topic(&app, &officer, "Vide", &[]).await;
    for (cid, excerpt) in [(v[0], "débordent"), (l[0], "aussi")] {
        let (status, _) = post(
            &app,
            &officer,
            &format!("/api/v1/topics/{mixed}/quotes"),
            json!({"contribution": cid, "excerpt": excerpt}),
        )
        .await;
        assert_eq!(status, 201);
    }
    app.send(
        Method::PATCH,
        &officer,
        &format!("/api/v1/topics/{mixed}"),
        &json!({"assignee": app.user_id("officer")}),
    )
    .await;

    let lyon3 = app.login("lyon3").await;
    let (status, t) = app.get(&lyon3, &format!("/api/v1/topics/{mixed}")).await;
    assert_eq!(status, 200);
    assert_eq!(t["figures"]["count"], 1, "its territory's members only");
    assert_eq!(t["figures"]["by_commune"], json!({"69123": 1}));
    assert_eq!(ids_of(&t["contributions"]), sorted(&[l[0]]));
    assert_eq!(t["quotes"].as_array().unwrap().len(), 1);
    assert_eq!(t["quotes"][0]["contribution"], json!(l[0]));
    assert_eq!(t["history"], json!([]));
    assert_eq!(t["assignee"], Value::Null);
    assert_eq!(t["created_by"], "");

    for other in [only_v, empty] {
        let (status, err) = app.get(&lyon3, &format!("/api/v1/topics/{other}")).await;
        assert_eq!(status, 404, "as if it did not exist");
        assert_eq!(err["error"]["code"], "not_found");
    }
    let (status, list) = app.get(&lyon3, "/api/v1/topics").await;
    assert_eq!(status, 200);
    let listed: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [mixed.to_string()]);
    assert_eq!(list[0]["figures"]["count"], 1);
    let (status, _) = app.get(&lyon3, "/api/v1/topics?assignee=me").await;
    assert_eq!(status, 403);

    let ville = app.login("villeurbanne").await;
    let (_, t) = app.get(&ville, &format!("/api/v1/topics/{mixed}")).await;
    assert_eq!(t["figures"]["count"], 2);
    let (_, list) = app.get(&ville, "/api/v1/topics").await;
    assert_eq!(list.as_array().unwrap().len(), 2);

    for who in ["vol", "admin"] {
        let token = app.login(who).await;
        for path in [
            "/api/v1/topics".to_owned(),
            format!("/api/v1/topics/{mixed}"),
        ] {
            let (status, _) = app.get(&token, &path).await;
            assert_eq!(status, 403, "{who} {path}");
        }
    }
    // No write for communes, even on their own topic.
    let (status, _) = post(
        &app,
        &ville,
        &format!("/api/v1/topics/{mixed}/contributions"),
        json!({"ids": [v[0]]}),
    )
    .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn a_contribution_in_a_topic_may_be_a_duplicate_without_merged_into() {
    let app = TestApp::spawn().await;
    let c = seed(&app, 2, VILLEURBANNE, "Doublon").await;
    let officer = app.login("officer").await;
    topic(&app, &officer, "Propreté", &[c[0]]).await;
    let review = |id: Uuid| format!("/api/v1/contributions/{id}/review");
    let (status, body) = app
        .send(
            Method::PUT,
            &officer,
            &review(c[0]),
            &json!({"status": "duplicate"}),
        )
        .await;
    assert_eq!(status, 200, "its topic is what it duplicates: {body}");
    assert_eq!(body["review"]["status"], "duplicate");
    let (status, body) = app
        .send(
            Method::PUT,
            &officer,
            &review(c[1]),
            &json!({"status": "duplicate"}),
        )
        .await;
    assert_eq!(status, 400, "no topic, no merged_into: {body}");
}
