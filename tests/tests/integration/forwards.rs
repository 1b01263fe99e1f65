//! Forwarding and answers over HTTP: the answer link reads only its own
//! topic and nothing personal, expired, revoked and unknown links are
//! refused, an answer moves the topic and its contributions and reaches the
//! author's phone at its next sync, the waiting list and the follow-up
//! figures, and who may do what.
//!
//! Topics are made through the store (the topics API is another part), so
//! this harness keeps the store of the server it starts.

use porte_voix_server::consolidation::model::{load_topic, put_topic, Topic};
use porte_voix_server::store::{ConsolidationWrite, RowPatch, Store};
use porte_voix_server::{auth, AppState, Application, Settings};
use porte_voix_shared::{CommuneCode, Role, TopicStatus};
use porte_voix_tests::{contribution_json, request, PhoneDoc, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::Arc;
use uuid::Uuid;

pub const VILLEURBANNE: (f64, f64) = (45.7665, 4.8795);
pub const LYON_3E: (f64, f64) = (45.7597, 4.8590);
pub const CONTACT_PHONE: &str = "06 11 22 33 44";

/// A server in this process, with its store at hand.
pub struct App {
    pub base: String,
    pub client: reqwest::Client,
    pub store: Arc<dyn Store>,
    users: HashMap<&'static str, String>,
    _dir: tempfile::TempDir,
}

const USERS: &[(&str, Role, Option<&str>)] = &[
    ("vol", Role::Volunteer, None),
    ("vol2", Role::Volunteer, None),
    ("officer", Role::Officer, None),
    ("villeurbanne", Role::Commune, Some("69266")),
    ("lyon3", Role::Commune, Some("69383")),
    ("admin", Role::Admin, None),
];

impl App {
    pub async fn spawn(adjust: impl FnOnce(&mut Settings)) -> App {
        let dir = tempfile::tempdir().unwrap();
        let mut settings = Settings {
            port: 0,
            data_dir: dir.path().to_path_buf(),
            pwa_dir: dir.path().join("no-pwa"),
            ..Settings::default()
        };
        adjust(&mut settings);
        let state = AppState::open(settings).unwrap();
        let mut users = HashMap::new();
        for (name, role, commune) in USERS {
            let u = auth::create_user(
                state.store.as_ref(),
                &format!("{name}@test.fr"),
                name,
                *role,
                commune.map(|c| CommuneCode::parse(c).unwrap()),
                PASSWORD,
            )
            .unwrap();
            users.insert(*name, u.id);
        }
        let store = state.store.clone();
        let app = Application::build_with_state(state).unwrap();
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        App {
            base,
            client: reqwest::Client::new(),
            store,
            users,
            _dir: dir,
        }
    }

    pub fn user_id(&self, name: &str) -> String {
        self.users[name].clone()
    }

    pub async fn login(&self, name: &str) -> String {
        let r: Value = self
            .client
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({"email": format!("{name}@test.fr"), "password": PASSWORD}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["access_token"].as_str().unwrap().to_owned()
    }

    pub async fn send(
        &self,
        method: Method,
        token: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        self.send(Method::GET, token, path, None).await
    }

    pub async fn post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        self.send(Method::POST, token, path, Some(body)).await
    }

    /// A public answer-link call, the token in its header (or none).
    pub async fn answer_call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, String) {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(t) = token {
            req = req.header("X-Answer-Token", t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    pub async fn dossier(&self, token: Option<&str>) -> (u16, Value) {
        let (s, text) = self
            .answer_call(Method::GET, "/api/v1/answer/dossier", token, None)
            .await;
        (s, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn answer(&self, token: &str, text: &str) -> (u16, Value) {
        let body = json!({"text": text, "author_name": "Mme Martin", "author_role": "Vice-présidente propreté"});
        let (s, text) = self
            .answer_call(Method::POST, "/api/v1/answer", Some(token), Some(body))
            .await;
        (s, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// `vol`'s phone records a contribution at `at` with contact details.
    pub async fn contribution(&self, at: (f64, f64), text: &str) -> PhoneDoc {
        let token = self.login("vol").await;
        let id = Uuid::new_v4();
        let mut c = contribution_json(id, &self.user_id("vol"), at.0, at.1);
        c["text"] = json!(text);
        c["consent"] = json!({"contact": true, "at": "2026-11-28T10:00:00Z"});
        let mut doc = PhoneDoc::new("phone-vol", id, "contribution", &c);
        let mut body = request(&[&doc], None);
        body["contacts"] =
            json!([{"contribution_id": id, "name": "Mme Exemple", "phone": CONTACT_PHONE}]);
        let (status, r) = self.post(&token, "/api/v1/sync", body).await;
        assert_eq!(status, 200, "{r}");
        assert_eq!(doc.apply(&r["documents"][0]), "ok", "{r}");
        assert_eq!(r["contacts"][0]["status"], "ok", "{r}");
        doc
    }

    /// A topic with these members, made through the store.
    pub fn topic(&self, title: &str, members: &[Uuid]) -> Uuid {
        let now = chrono::Utc::now();
        let t = Topic {
            id: Uuid::new_v4(),
            title: title.into(),
            summary: format!("Résumé de {title}"),
            themes: vec!["cleanliness".into()],
            status: TopicStatus::Open,
            assignee: None,
            quotes: vec![],
            history: vec![],
            created_at: now,
            created_by: self.user_id("officer"),
            updated_at: now,
        };
        self.store
            .commit(ConsolidationWrite {
                records: vec![put_topic(&t)],
                rows: members
                    .iter()
                    .map(|id| RowPatch {
                        id: *id,
                        topic: Some(Some(t.id)),
                        assignee: None,
                    })
                    .collect(),
            })
            .unwrap();
        t.id
    }

    pub async fn recipient(&self, officer: &str, email: Option<&str>) -> Value {
        let (status, r) = self
            .post(
                officer,
                "/api/v1/recipients",
                json!({"kind": "elected_official", "name": "Mme Martin",
                       "function": "Vice-présidente chargée de la propreté", "email": email}),
            )
            .await;
        assert_eq!(status, 201, "{r}");
        r
    }

    pub async fn forward(&self, officer: &str, path: &str, recipient: &Value) -> (u16, Value) {
        let due = (chrono::Utc::now() + chrono::Duration::days(30)).date_naive();
        self.post(
            officer,
            path,
            json!({"recipient": recipient["id"], "message": "Pouvez-vous répondre aux habitants ?",
                   "due_on": due}),
        )
        .await
    }

    /// Edits a stored forward (an expiry or a due date in the past).
    pub fn edit_forward(&self, id: &str, edit: impl FnOnce(&mut Value)) {
        let mut v: Value =
            serde_json::from_slice(&self.store.get_record("forwards", id).unwrap().unwrap())
                .unwrap();
        edit(&mut v);
        self.store
            .commit(ConsolidationWrite {
                records: vec![porte_voix_server::store::RecordOp::Put {
                    collection: "forwards",
                    key: id.into(),
                    value: serde_json::to_vec(&v).unwrap(),
                }],
                rows: vec![],
            })
            .unwrap();
    }
}

/// The token of an answer URL: what follows `#`.
pub fn token_of(created: &Value) -> String {
    let url = created["answer_url"].as_str().unwrap();
    let (page, token) = url.split_once('#').unwrap();
    assert!(page.ends_with("/console/repondre"), "{url}");
    token.to_owned()
}

#[tokio::test]
async fn a_forwarded_topic_is_answered_by_link_and_the_answer_reaches_the_phone() {
    let app = App::spawn(|_| {}).await;
    let officer = app.login("officer").await;
    let mut a1 = app
        .contribution(VILLEURBANNE, "Poubelles pleines rue Anatole France")
        .await;
    let a2 = app
        .contribution(LYON_3E, "Trottoirs sales près de la Part-Dieu")
        .await;
    let b1 = app
        .contribution(VILLEURBANNE, "Bancs cassés au parc de la Feyssine")
        .await;
    let topic_a = app.topic("Propreté des rues", &[a1.id, a2.id]);
    let topic_b = app.topic("Mobilier urbain", &[b1.id]);
    let recipient = app.recipient(&officer, None).await;

    let (status, created) = app
        .forward(
            &officer,
            &format!("/api/v1/topics/{topic_a}/forwards"),
            &recipient,
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["emailed"], false, "no SMTP server is set");
    assert!(created["email_error"].as_str().unwrap().contains("SMTP"));
    let token = token_of(&created);
    assert_eq!(token.len(), 43, "32 bytes in base64url");
    // Per-contribution outcomes: both new, both moved to forwarded.
    let outcomes = created["outcomes"].as_array().unwrap();
    assert_eq!(outcomes.len(), 2);
    assert!(outcomes
        .iter()
        .all(|o| o["outcome"] == "forwarded" && o["status"] == "forwarded"));

    // The contribution went new → qualified → forwarded, with its entry.
    let (_, got) = app
        .get(&officer, &format!("/api/v1/contributions/{}", a1.id))
        .await;
    assert_eq!(got["review"]["status"], "forwarded");
    assert_eq!(got["follow_up"][0]["to"], "Mme Martin");
    assert!(got["follow_up"][0]["answer"].is_null());
    let topic = load_topic(app.store.as_ref(), topic_a).unwrap().unwrap();
    assert_eq!(topic.status, TopicStatus::Forwarded);
    assert!(topic.history.iter().any(|e| e.action == "forwarded"));

    // The dossier: this topic's figures, nothing personal, nothing of B.
    let (status, dossier) = app.dossier(Some(&token)).await;
    assert_eq!(status, 200, "{dossier}");
    assert_eq!(dossier["title"], "Propreté des rues");
    assert_eq!(dossier["figures"]["count"], 2);
    assert_eq!(dossier["message"], "Pouvez-vous répondre aux habitants ?");
    let codes: Vec<&str> = dossier["communes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"69266") && codes.contains(&"69383"),
        "{codes:?}"
    );
    let text = dossier.to_string();
    for secret in [
        app.user_id("vol"),
        CONTACT_PHONE.to_owned(),
        "Mme Exemple".to_owned(),
        VILLEURBANNE.0.to_string(),
        VILLEURBANNE.1.to_string(),
        LYON_3E.0.to_string(),
        LYON_3E.1.to_string(),
        "Mobilier urbain".to_owned(),
        "Feyssine".to_owned(),
        "phone-vol".to_owned(),
    ] {
        assert!(
            !text.contains(&secret),
            "the dossier holds {secret:?}: {text}"
        );
    }

    // Another forward's link opens its own topic only.
    let (_, created_b) = app
        .forward(
            &officer,
            &format!("/api/v1/topics/{topic_b}/forwards"),
            &recipient,
        )
        .await;
    let (_, dossier_b) = app.dossier(Some(&token_of(&created_b))).await;
    assert_eq!(dossier_b["title"], "Mobilier urbain");
    assert!(!dossier_b.to_string().contains("Propreté des rues"));

    // The answer moves topic A and its contributions, not B.
    let (status, receipt) = app
        .answer(&token, "Un nettoyage renforcé commence lundi.")
        .await;
    assert_eq!(status, 201, "{receipt}");
    assert_eq!(receipt["contributions"], 2);
    let topic = load_topic(app.store.as_ref(), topic_a).unwrap().unwrap();
    assert_eq!(topic.status, TopicStatus::Answered);
    let event = topic
        .history
        .iter()
        .find(|e| e.action == "answered")
        .unwrap();
    assert_eq!(
        event.by,
        format!("@recipient:{}", recipient["id"].as_str().unwrap())
    );
    assert_eq!(
        load_topic(app.store.as_ref(), topic_b)
            .unwrap()
            .unwrap()
            .status,
        TopicStatus::Forwarded
    );
    for id in [a1.id, a2.id] {
        let (_, got) = app
            .get(&officer, &format!("/api/v1/contributions/{id}"))
            .await;
        assert_eq!(got["review"]["status"], "answered");
        assert_eq!(
            got["follow_up"][0]["answer"],
            "Un nettoyage renforcé commence lundi."
        );
        assert!(got["follow_up"][0]["answered_at"].is_string());
    }
    let (_, got) = app
        .get(&officer, &format!("/api/v1/contributions/{}", b1.id))
        .await;
    assert!(got["follow_up"][0]["answer"].is_null());

    // The author's phone receives it at its next sync.
    let vol = app.login("vol").await;
    let (_, r) = app.post(&vol, "/api/v1/sync", request(&[&a1], None)).await;
    assert_eq!(a1.apply(&r["documents"][0]), "ok", "{r}");
    let on_phone = a1.json();
    assert_eq!(
        on_phone["follow_up"][0]["answer"],
        "Un nettoyage renforcé commence lundi."
    );
    assert_eq!(on_phone["follow_up"][0]["to"], "Mme Martin");
    assert_eq!(on_phone["review"]["status"], "answered");

    // Answered once: the link still shows the dossier and the answer.
    let (status, again) = app.answer(&token, "Une autre réponse").await;
    assert_eq!(
        (status, again["error"]["code"].as_str()),
        (409, Some("conflict"))
    );
    let (status, dossier) = app.dossier(Some(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(
        dossier["answer"]["text"],
        "Un nettoyage renforcé commence lundi."
    );
    assert_eq!(dossier["answer"]["author_name"], "Mme Martin");
}

#[tokio::test]
async fn unknown_expired_and_revoked_links_are_refused_and_no_path_carries_a_token() {
    let app = App::spawn(|_| {}).await;
    let officer = app.login("officer").await;
    let c = app.contribution(VILLEURBANNE, "Éclairage en panne").await;
    let recipient = app.recipient(&officer, None).await;
    let (status, created) = app
        .forward(
            &officer,
            &format!("/api/v1/contributions/{}/forwards", c.id),
            &recipient,
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let token = token_of(&created);
    let (status, dossier) = app.dossier(Some(&token)).await;
    assert_eq!(status, 200);
    assert_eq!(dossier["kind"], "contribution");
    assert_eq!(dossier["quotes"][0], "Éclairage en panne");

    // The token in a query string or a path opens nothing: only the header.
    for path in [
        format!("/api/v1/answer/dossier?token={token}"),
        format!("/api/v1/answer/dossier?X-Answer-Token={token}"),
        format!("/api/v1/answer/{token}"),
    ] {
        let (status, body) = app.answer_call(Method::GET, &path, None, None).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert!(!body.contains(&token), "the refusal echoes the token");
    }
    // No header, a malformed one, an unknown well-formed one.
    let unknown = "A".repeat(43);
    for t in [None, Some("pas-un-jeton"), Some(unknown.as_str())] {
        let (status, body) = app.dossier(t).await;
        assert_eq!(status, 404, "{t:?}");
        assert_eq!(body["error"]["code"], "not_found");
        assert!(body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown, expired or revoked"));
    }
    // The officer's own token is not an answer link.
    let (status, _) = app.dossier(Some(&officer)).await;
    assert_eq!(status, 404);

    // Expired: the dossier and the answer are refused.
    let id = created["id"].as_str().unwrap();
    app.edit_forward(id, |f| {
        f["link_expires_at"] =
            json!((chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339())
    });
    assert_eq!(app.dossier(Some(&token)).await.0, 404);
    assert_eq!(app.answer(&token, "Trop tard").await.0, 404);

    // Revoked: another forward's link, then DELETE …/link.
    let (_, created) = app
        .forward(
            &officer,
            &format!("/api/v1/contributions/{}/forwards", c.id),
            &recipient,
        )
        .await;
    let token = token_of(&created);
    assert_eq!(app.dossier(Some(&token)).await.0, 200);
    let path = format!("/api/v1/forwards/{}/link", created["id"].as_str().unwrap());
    assert_eq!(app.send(Method::DELETE, &officer, &path, None).await.0, 204);
    assert_eq!(app.dossier(Some(&token)).await.0, 404);
    assert_eq!(app.answer(&token, "Après révocation").await.0, 404);
    let (_, got) = app
        .get(&officer, &format!("/api/v1/contributions/{}", c.id))
        .await;
    assert!(got["follow_up"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["answer"].is_null()));
    // No stored record holds the token itself.
    for collection in ["forwards", "answer_tokens"] {
        for (key, value) in app.store.scan_records(collection, "").unwrap() {
            assert!(!key.contains(&token) && !String::from_utf8_lossy(&value).contains(&token));
        }
    }
}

#[tokio::test]
async fn the_waiting_list_puts_overdue_first_then_the_oldest_and_figures_follow() {
    let app = App::spawn(|_| {}).await;
    let officer = app.login("officer").await;
    let recipient = app.recipient(&officer, None).await;
    let mut ids = vec![];
    let mut topics = vec![];
    for (i, at) in [VILLEURBANNE, LYON_3E, VILLEURBANNE]
        .into_iter()
        .enumerate()
    {
        let c = app.contribution(at, &format!("Contribution {i}")).await;
        let t = app.topic(&format!("Sujet {i}"), &[c.id]);
        topics.push(t);
        let (status, f) = app
            .forward(
                &officer,
                &format!("/api/v1/topics/{t}/forwards"),
                &recipient,
            )
            .await;
        assert_eq!(status, 201, "{f}");
        ids.push((f["id"].as_str().unwrap().to_owned(), token_of(&f)));
    }
    // The oldest (0) sent 10 days ago; the newest (2) overdue by 3 days.
    let ago = |d: i64| (chrono::Utc::now() - chrono::Duration::days(d)).to_rfc3339();
    app.edit_forward(&ids[0].0, |f| f["sent_at"] = json!(ago(10)));
    app.edit_forward(&ids[1].0, |f| f["sent_at"] = json!(ago(5)));
    app.edit_forward(&ids[2].0, |f| {
        f["sent_at"] = json!(ago(1));
        f["due_on"] = json!((chrono::Utc::now() - chrono::Duration::days(3)).date_naive());
    });
    let (status, list) = app.get(&officer, "/api/v1/forwards").await;
    assert_eq!(status, 200, "{list}");
    let order: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        order,
        vec![ids[2].0.as_str(), ids[0].0.as_str(), ids[1].0.as_str()]
    );
    assert_eq!(list[0]["overdue"], true);
    assert!(list[0]["days_overdue"].as_i64().unwrap() >= 2);
    assert_eq!(list[1]["overdue"], false);
    assert_eq!(list[1]["topic_title"], "Sujet 0");
    assert!(list[1]["days_waiting"].as_i64().unwrap() >= 9);

    // Answer the Lyon one: it leaves the waiting list.
    assert_eq!(app.answer(&ids[1].1, "Réponse").await.0, 201);
    let (_, waiting) = app.get(&officer, "/api/v1/forwards?state=waiting").await;
    assert_eq!(waiting.as_array().unwrap().len(), 2);
    let (_, answered) = app.get(&officer, "/api/v1/forwards?state=answered").await;
    assert_eq!(answered.as_array().unwrap().len(), 1);
    assert_eq!(answered[0]["id"], ids[1].0.as_str());
    let (_, all) = app.get(&officer, "/api/v1/forwards?state=all").await;
    assert_eq!(all.as_array().unwrap().len(), 3);
    let (_, one) = app
        .get(
            &officer,
            &format!("/api/v1/forwards?state=all&topic={}", topics[1]),
        )
        .await;
    assert_eq!(one.as_array().unwrap().len(), 1);
    assert_eq!(one[0]["id"], ids[1].0.as_str());
    let (status, _) = app.get(&officer, "/api/v1/forwards?state=late").await;
    assert_eq!(status, 400);

    let (status, stats) = app.get(&officer, "/api/v1/stats/follow-up").await;
    assert_eq!(status, 200, "{stats}");
    assert_eq!(
        stats,
        json!({"forwarded": 3, "answered": 1, "waiting": 2, "overdue": 1,
               "median_days_to_answer": stats["median_days_to_answer"]})
    );
    assert!(stats["median_days_to_answer"].as_f64().unwrap() >= 4.0);
    // A commune: the forwards of its territory only.
    let (_, v) = app
        .get(&app.login("villeurbanne").await, "/api/v1/stats/follow-up")
        .await;
    assert_eq!(
        (
            v["forwarded"].as_u64(),
            v["answered"].as_u64(),
            v["overdue"].as_u64()
        ),
        (Some(2), Some(0), Some(1))
    );
    let (_, l) = app
        .get(&app.login("lyon3").await, "/api/v1/stats/follow-up")
        .await;
    assert_eq!(
        (l["forwarded"].as_u64(), l["answered"].as_u64()),
        (Some(1), Some(1))
    );
}

#[tokio::test]
async fn forbidden_paths_and_bad_input_for_every_role() {
    let app = App::spawn(|_| {}).await;
    let officer = app.login("officer").await;
    let c = app.contribution(VILLEURBANNE, "Nids-de-poule").await;
    let topic = app.topic("Voirie", &[c.id]);
    let recipient = app.recipient(&officer, Some("elue@example.org")).await;
    let forward_path = format!("/api/v1/topics/{topic}/forwards");
    let one_path = format!("/api/v1/contributions/{}/forwards", c.id);
    for who in ["vol", "vol2", "villeurbanne", "lyon3", "admin"] {
        let t = app.login(who).await;
        for path in [&forward_path, &one_path] {
            let (status, body) = app.forward(&t, path, &recipient).await;
            assert_eq!(status, 403, "{who} forwards: {body}");
        }
        assert_eq!(app.get(&t, "/api/v1/forwards").await.0, 403, "{who}");
        let fake = format!("/api/v1/forwards/{}/link", Uuid::new_v4());
        assert_eq!(
            app.send(Method::DELETE, &t, &fake, None).await.0,
            403,
            "{who}"
        );
        let expected = if who == "admin" { 200 } else { 403 };
        assert_eq!(app.get(&t, "/api/v1/recipients").await.0, expected, "{who}");
        let stats = if matches!(who, "villeurbanne" | "lyon3") {
            200
        } else {
            403
        };
        assert_eq!(
            app.get(&t, "/api/v1/stats/follow-up").await.0,
            stats,
            "{who}"
        );
    }
    // Nothing was forwarded by those attempts.
    let (_, got) = app
        .get(&officer, &format!("/api/v1/contributions/{}", c.id))
        .await;
    assert!(got["follow_up"].is_null() || got["follow_up"].as_array().unwrap().is_empty());

    // The directory: kept by the officer and the admin, validated.
    let admin = app.login("admin").await;
    let (status, r) = app
        .post(
            &admin,
            "/api/v1/recipients",
            json!({"kind": "commune", "name": "Mairie de Villeurbanne", "commune": "69266"}),
        )
        .await;
    assert_eq!(status, 201, "{r}");
    for bad in [
        json!({"kind": "commune", "name": "Mairie"}),
        json!({"kind": "service", "name": "Voirie", "commune": "69266"}),
        json!({"kind": "service", "name": " "}),
        json!({"kind": "service", "name": "Voirie", "email": "pas une adresse"}),
        json!({"kind": "commune", "name": "Ailleurs", "commune": "75056"}),
        json!({"kind": "mayor", "name": "Voirie"}),
    ] {
        let (status, body) = app.post(&officer, "/api/v1/recipients", bad.clone()).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let id = recipient["id"].as_str().unwrap();
    let (status, r) = app
        .send(
            Method::PATCH,
            &officer,
            &format!("/api/v1/recipients/{id}"),
            Some(json!({"active": false, "email": null})),
        )
        .await;
    assert_eq!(status, 200, "{r}");
    assert_eq!(
        (r["active"].as_bool(), r["email"].is_null()),
        (Some(false), true)
    );
    let missing = format!("/api/v1/recipients/{}", Uuid::new_v4());
    assert_eq!(
        app.send(Method::PATCH, &officer, &missing, Some(json!({})))
            .await
            .0,
        404
    );

    // Forward input: an inactive or unknown recipient, a past due date, a
    // link lifetime out of bounds, an empty message, an unknown topic.
    let due = (chrono::Utc::now() + chrono::Duration::days(30)).date_naive();
    let past = (chrono::Utc::now() - chrono::Duration::days(3)).date_naive();
    let active = app.recipient(&officer, None).await;
    for (path, body) in [
        (
            &forward_path,
            json!({"recipient": id, "message": "m", "due_on": due}),
        ),
        (
            &forward_path,
            json!({"recipient": Uuid::new_v4(), "message": "m", "due_on": due}),
        ),
        (
            &forward_path,
            json!({"recipient": active["id"], "message": "m", "due_on": past}),
        ),
        (
            &forward_path,
            json!({"recipient": active["id"], "message": "m", "due_on": due, "link_days": 0}),
        ),
        (
            &forward_path,
            json!({"recipient": active["id"], "message": "m", "due_on": due, "link_days": 181}),
        ),
        (
            &forward_path,
            json!({"recipient": active["id"], "message": "  ", "due_on": due}),
        ),
        (
            &forward_path,
            json!({"recipient": active["id"], "due_on": due}),
        ),
    ] {
        let (status, r) = app.post(&officer, path, body.clone()).await;
        assert_eq!(status, 400, "{body}: {r}");
    }
    let (status, _) = app
        .forward(
            &officer,
            &format!("/api/v1/topics/{}/forwards", Uuid::new_v4()),
            &active,
        )
        .await;
    assert_eq!(status, 404);
    let empty = app.topic("Vide", &[]);
    let (status, _) = app
        .forward(
            &officer,
            &format!("/api/v1/topics/{empty}/forwards"),
            &active,
        )
        .await;
    assert_eq!(status, 409);
    let (status, r) = app
        .post(
            &officer,
            &forward_path,
            json!({"recipient": active["id"], "message": "m", "due_on": due, "link_days": 7}),
        )
        .await;
    assert_eq!(status, 201, "{r}");
    let expires =
        chrono::DateTime::parse_from_rfc3339(r["link_expires_at"].as_str().unwrap()).unwrap();
    let days = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours();
    assert!((6 * 24..=7 * 24).contains(&days), "{days} hours");

    // An answer needs its text and its author.
    let token = token_of(&r);
    for bad in [
        json!({"text": "", "author_name": "Mme Martin"}),
        json!({"text": "Oui", "author_name": ""}),
        json!({"text": "Oui"}),
    ] {
        let (status, body) = app
            .answer_call(
                Method::POST,
                "/api/v1/answer",
                Some(&token),
                Some(bad.clone()),
            )
            .await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    assert_eq!(app.dossier(Some(&token)).await.1["answer"], Value::Null);
}
