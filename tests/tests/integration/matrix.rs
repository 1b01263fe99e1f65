//! The authorization matrix: every route of the served OpenAPI document ×
//! every kind of caller, against ONE table of expected statuses (DESIGN.md
//! "Who may do what", docs/API.md, docs/SECURITY.md). A route of the
//! document without a row, or a row without a route, fails the test: a new
//! endpoint cannot ship without its line in the table.

use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine;
use porte_voix_server::auth::JwtKeys;
use porte_voix_shared::{Principal, Role};
use porte_voix_tests::{contribution_json, request, PhoneDoc, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use uuid::Uuid;

/// The server's JWT secret in this test, so that tokens can be forged with
/// exactly one defect (expired but well signed, signed with another key).
const SECRET: &str = "matrix-test-secret-with-enough-bytes";

/// A point in Villeurbanne (69266), well inside the commune.
const VILLEURBANNE: (f64, f64) = (45.7667, 4.8800);

/// Who calls. The forged tokens all claim to be the officer, the most
/// privileged reader of contributions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Caller {
    NoToken,
    Garbage,
    AlgNone,
    WrongKey,
    Expired,
    /// `vol`, author of the contribution.
    Owner,
    /// `vol2`, another volunteer.
    OtherVolunteer,
    /// `villeurbanne`, the commune of the contribution.
    Commune,
    /// `lyon3`, a commune elsewhere.
    OtherCommune,
    Officer,
    Admin,
}

/// The columns of `Row::expect`, in this order.
const CALLERS: [Caller; 11] = [
    Caller::NoToken,
    Caller::Garbage,
    Caller::AlgNone,
    Caller::WrongKey,
    Caller::Expired,
    Caller::Owner,
    Caller::OtherVolunteer,
    Caller::Commune,
    Caller::OtherCommune,
    Caller::Officer,
    Caller::Admin,
];

/// The minimal valid body a route takes, so that only the caller decides.
#[derive(Clone, Copy, Debug)]
enum Body {
    None,
    /// `vol`'s credentials.
    Login,
    /// A fresh refresh token of `vol` (they work once).
    Refresh,
    /// `{"protocol": 1, "documents": []}`.
    Sync,
    Review,
    Comment,
    Topic,
    TopicPatch,
    Attach,
    Quote,
    Bulk,
    Assignee,
    Assembly,
    AssemblyPatch,
    // Forwards and webhooks.
    /// A new recipient of the directory.
    Recipient,
    /// `{}`: a patch that changes nothing.
    EmptyObject,
    /// A forward to a recipient the officer creates first.
    Forward,
    /// An answer by link (the matrix has no link: refused).
    Answer,
    /// A subscription to a closed local port.
    Webhook,
    /// `{"phone": "06 00 00 00 00"}`.
    Resident,
    /// A new volunteer with a fresh e-mail.
    NewUser,
    /// `{"contribution_ids": [the seeded contribution]}`.
    Erase,
}

struct Row {
    method: &'static str,
    /// As in the OpenAPI document; `{id}` is the seeded contribution.
    path: &'static str,
    query: &'static str,
    body: Body,
    /// One status per caller, in the order of `CALLERS`.
    expect: [u16; 11],
}

/// Any caller without a valid access token.
const NO: u16 = 401;

#[rustfmt::skip]
static TABLE: &[Row] = &[
    //                                                                   no   garb none wkey exp  | vol  vol2 vill lyon3 off admin
    Row { method: "get", path: "/health", query: "", body: Body::None,
          expect: [200, 200, 200, 200, 200,   200, 200, 200, 200, 200, 200] },
    Row { method: "post", path: "/api/v1/auth/login", query: "", body: Body::Login,
          expect: [200, 200, 200, 200, 200,   200, 200, 200, 200, 200, 200] },
    Row { method: "post", path: "/api/v1/auth/refresh", query: "", body: Body::Refresh,
          expect: [200, 200, 200, 200, 200,   200, 200, 200, 200, 200, 200] },
    Row { method: "get", path: "/api/v1/me", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         200, 200, 200, 200, 200, 200] },
    Row { method: "get", path: "/api/v1/audit", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 403, 200] },
    // Accounts: the officer manages volunteers, the admin everyone. `{id}`
    // is no account (the seeded contribution): managers get 404, and the
    // others are refused before any lookup.
    Row { method: "post", path: "/api/v1/users", query: "", body: Body::NewUser,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 201, 201] },
    Row { method: "get", path: "/api/v1/users", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 200, 200] },
    Row { method: "patch", path: "/api/v1/users/{id}", query: "", body: Body::EmptyObject,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 404, 404] },
    Row { method: "delete", path: "/api/v1/users/{id}/sessions", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 404, 404] },
    Row { method: "post", path: "/api/v1/auth/logout", query: "", body: Body::Refresh,
          expect: [204, 204, 204, 204, 204,   204, 204, 204, 204, 204, 204] },
    Row { method: "post", path: "/api/v1/residents/search", query: "", body: Body::Resident,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 200, 403] },
    Row { method: "post", path: "/api/v1/residents/erase", query: "", body: Body::Erase,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 200, 403] },
    // Communes and admins do not sync: Automerge bytes cannot be filtered
    // field by field (docs/SYNC-PROTOCOL.md).
    Row { method: "post", path: "/api/v1/sync", query: "", body: Body::Sync,
          expect: [NO, NO, NO, NO, NO,         200, 200, 403, 403, 200, 403] },
    // The list is filtered (checked below), refused to admins.
    Row { method: "get", path: "/api/v1/contributions", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         200, 200, 200, 200, 200, 403] },
    // Not readable = 404, so that existence does not leak; admins 403.
    Row { method: "get", path: "/api/v1/contributions/{id}", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         200, 404, 200, 404, 200, 403] },
    // Officer only: refused by role before the id is looked at.
    Row { method: "put", path: "/api/v1/contributions/{id}/review", query: "", body: Body::Review,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 200, 403] },
    // Commune staff on their territory (404 elsewhere) and the officer.
    Row { method: "post", path: "/api/v1/contributions/{id}/comments", query: "", body: Body::Comment,
          expect: [NO, NO, NO, NO, NO,         403, 403, 201, 404, 201, 403] },
    Row { method: "get", path: "/api/v1/contributions/{id}/history", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 200, 403] },
    // Contact details: the officer only, never communes, not even the author.
    Row { method: "get", path: "/api/v1/contributions/{id}/contact", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 200, 403] },
    Row { method: "delete", path: "/api/v1/contributions/{id}/contact", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 204, 403] },
    // Statistics and exports (index helper): the officer and communes
    // (their territory, checked in stats.rs and exports.rs); volunteers
    // and admins 403.
    Row { method: "get", path: "/api/v1/stats/contributions", query: "by=commune", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 200, 200, 200, 403] },
    Row { method: "get", path: "/api/v1/stats/respondents", query: "by=gender", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 200, 200, 200, 403] },
    Row { method: "get", path: "/api/v1/exports/contributions.csv", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 200, 200, 200, 403] },
    Row { method: "get", path: "/api/v1/exports/contributions.xlsx", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 200, 200, 200, 403] },
    Row { method: "get", path: "/api/v1/exports/contributions.geojson", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 200, 200, 200, 403] },
    // Forwards (docs/CONSOLIDATION.md "Forwarding"). The directory: officer
    // and admin; communes 403 (it holds addresses outside their territory).
    Row { method: "get", path: "/api/v1/recipients", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 200, 200] },
    Row { method: "post", path: "/api/v1/recipients", query: "", body: Body::Recipient,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 201, 201] },
    // `{id}` is the seeded contribution: no such recipient.
    Row { method: "patch", path: "/api/v1/recipients/{id}", query: "", body: Body::EmptyObject,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 404, 404] },
    // Forwarding: the officer only; `{id}` is the seeded topic.
    Row { method: "post", path: "/api/v1/topics/{id}/forwards", query: "", body: Body::Forward,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 201, 403] },
    Row { method: "post", path: "/api/v1/contributions/{id}/forwards", query: "", body: Body::Forward,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 201, 403] },
    Row { method: "delete", path: "/api/v1/forwards/{id}/link", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 404, 403] },
    Row { method: "get", path: "/api/v1/forwards", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 200, 403] },
    // The answer link ignores accounts: without `X-Answer-Token`, 404 for all.
    Row { method: "get", path: "/api/v1/answer/dossier", query: "", body: Body::None,
          expect: [404, 404, 404, 404, 404,   404, 404, 404, 404, 404, 404] },
    Row { method: "post", path: "/api/v1/answer", query: "", body: Body::Answer,
          expect: [404, 404, 404, 404, 404,   404, 404, 404, 404, 404, 404] },
    // Follow-up figures: the officer, and communes over their territory.
    Row { method: "get", path: "/api/v1/stats/follow-up", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 200, 200, 200, 403] },
    // Webhooks: officer, admin and communes (their own territory); `{id}`
    // is no subscription.
    Row { method: "get", path: "/api/v1/webhooks", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 200, 200, 200, 200] },
    Row { method: "post", path: "/api/v1/webhooks", query: "", body: Body::Webhook,
          expect: [NO, NO, NO, NO, NO,         403, 403, 201, 201, 201, 201] },
    Row { method: "delete", path: "/api/v1/webhooks/{id}", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 404, 404, 404, 404] },
    Row { method: "get", path: "/api/v1/webhooks/{id}/deliveries", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 404, 404, 404, 404] },
    // Similar contributions (consolidation/similar.rs): the officer, and a
    // commune on its own territory (404 elsewhere); volunteers, admins 403.
    Row { method: "get", path: "/api/v1/contributions/{id}/similar", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 200, 404, 200, 403] },
    // The consolidation queue: the officer only.
    Row { method: "get", path: "/api/v1/consolidation/queue", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 200, 403] },
    // Open data.
    Row { method: "get", path: "/api/v1/territory", query: "", body: Body::None,
          expect: [200, 200, 200, 200, 200,   200, 200, 200, 200, 200, 200] },
    Row { method: "get", path: "/api/v1/territory/locate", query: "lat=45.7667&lon=4.88", body: Body::None,
          expect: [200, 200, 200, 200, 200,   200, 200, 200, 200, 200, 200] },
    Row { method: "get", path: "/api/v1/campaigns", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         200, 200, 200, 200, 200, 200] },
    // --- topics, bulk actions, assignment, assemblies -------------------
    // `{id}` is the seeded topic (holding the contribution, Villeurbanne)
    // or assembly (held for Villeurbanne). Reads: officer, and a commune
    // on its territory (elsewhere 404); volunteers and admins 403.
    Row { method: "get", path: "/api/v1/topics", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 200, 200, 200, 403] },
    Row { method: "post", path: "/api/v1/topics", query: "", body: Body::Topic,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 201, 403] },
    Row { method: "get", path: "/api/v1/topics/{id}", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 200, 404, 200, 403] },
    Row { method: "patch", path: "/api/v1/topics/{id}", query: "", body: Body::TopicPatch,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 200, 403] },
    Row { method: "post", path: "/api/v1/topics/{id}/contributions", query: "", body: Body::Attach,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 200, 403] },
    Row { method: "delete", path: "/api/v1/topics/{id}/contributions/{contribution_id}", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 204, 403] },
    Row { method: "post", path: "/api/v1/topics/{id}/quotes", query: "", body: Body::Quote,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 201, 403] },
    Row { method: "delete", path: "/api/v1/topics/{id}/quotes/{index}", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 204, 403] },
    Row { method: "post", path: "/api/v1/contributions/bulk", query: "", body: Body::Bulk,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 200, 403] },
    Row { method: "put", path: "/api/v1/contributions/{id}/assignee", query: "", body: Body::Assignee,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 200, 403] },
    Row { method: "get", path: "/api/v1/assemblies", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 200, 200, 200, 403] },
    Row { method: "post", path: "/api/v1/assemblies", query: "", body: Body::Assembly,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 201, 403] },
    Row { method: "get", path: "/api/v1/assemblies/{id}", query: "", body: Body::None,
          expect: [NO, NO, NO, NO, NO,         403, 403, 200, 404, 200, 403] },
    Row { method: "patch", path: "/api/v1/assemblies/{id}", query: "", body: Body::AssemblyPatch,
          expect: [NO, NO, NO, NO, NO,         403, 403, 403, 403, 200, 403] },
];

/// The code every error status must carry in `{"error": {"code"}}`.
fn error_code(status: u16) -> &'static str {
    match status {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        409 => "conflict",
        413 => "payload_too_large",
        _ => "internal",
    }
}

const HTTP_METHODS: &[&str] = &[
    "get", "put", "post", "delete", "patch", "head", "options", "trace",
];

fn officer_principal(app: &TestApp) -> Principal {
    Principal {
        user_id: app.user_id("officer"),
        role: Role::Officer,
        commune: None,
    }
}

/// An unsigned token (`alg: none`) with valid officer claims.
fn alg_none_token(app: &TestApp) -> String {
    let now = chrono::Utc::now().timestamp();
    let header = json!({"alg": "none", "typ": "JWT"});
    let claims = json!({"sub": app.user_id("officer"), "role": "officer", "commune": null,
                        "iat": now, "exp": now + 900});
    format!(
        "{}.{}.",
        B64URL.encode(header.to_string()),
        B64URL.encode(claims.to_string())
    )
}

struct World {
    app: TestApp,
    contribution: Uuid,
    /// A topic holding the contribution.
    topic: Uuid,
    /// An assembly held for Villeurbanne, with the topic on its agenda.
    assembly: Uuid,
    /// Access tokens of the real users, by caller.
    tokens: Vec<(Caller, String)>,
}

impl World {
    fn token(&self, caller: Caller) -> Option<&str> {
        self.tokens
            .iter()
            .find(|(c, _)| *c == caller)
            .map(|(_, t)| t.as_str())
    }

    /// (Re)stores the resident's contact details of the contribution, so
    /// that the officer's read and erasure find them whatever ran before.
    async fn ensure_contact(&self) {
        let body = json!({"protocol": 1, "documents": [], "contacts": [
            {"contribution_id": self.contribution, "name": "Mme Exemple", "phone": "06 00 00 00 00"}
        ]});
        let (status, reply) = self
            .app
            .sync(self.token(Caller::Owner).unwrap(), &body)
            .await;
        assert_eq!(
            (status, reply["contacts"][0]["status"].as_str()),
            (200, Some("ok"))
        );
    }

    /// Keeps the contribution in the seeded topic, with a quote, so that
    /// the officer's detach and quote removal find them whatever ran before.
    async fn ensure_topic(&self) {
        let officer = self.token(Caller::Officer).unwrap();
        let (status, r) = self
            .app
            .send(
                Method::POST,
                officer,
                &format!("/api/v1/topics/{}/contributions", self.topic),
                &json!({"ids": [self.contribution], "move": true}),
            )
            .await;
        assert_eq!(
            (status, r["results"][0]["status"].as_str()),
            (200, Some("ok"))
        );
        let (_, t) = self
            .app
            .get(officer, &format!("/api/v1/topics/{}", self.topic))
            .await;
        if !t["quotes"].as_array().is_some_and(|q| q.is_empty()) {
            return;
        }
        let (status, r) = self
            .app
            .send(
                Method::POST,
                officer,
                &format!("/api/v1/topics/{}/quotes", self.topic),
                &json!({"contribution": self.contribution, "excerpt": "poubelles"}),
            )
            .await;
        assert_eq!(status, 201, "{r}");
    }

    async fn body(&self, body: Body) -> Option<Value> {
        match body {
            Body::None => None,
            Body::Login => Some(json!({"email": "vol@test.fr", "password": PASSWORD})),
            Body::Refresh => {
                let r: Value = self
                    .app
                    .client
                    .post(format!("{}/api/v1/auth/login", self.app.base))
                    .json(&json!({"email": "vol@test.fr", "password": PASSWORD}))
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                Some(json!({"refresh_token": r["refresh_token"]}))
            }
            Body::Sync => Some(json!({"protocol": 1, "documents": []})),
            Body::Review => Some(json!({"status": "qualified"})),
            Body::Comment => Some(json!({"text": "Vu avec le service propreté."})),
            Body::Topic => Some(json!({"title": "Propreté du marché"})),
            Body::TopicPatch => Some(json!({"summary": "Poubelles et trottoirs"})),
            Body::Attach => Some(json!({"ids": [self.contribution]})),
            Body::Quote => Some(json!({"contribution": self.contribution, "excerpt": "poubelles"})),
            Body::Bulk => Some(json!({"ids": [self.contribution],
                                      "action": {"type": "add_tags", "tags": ["matrice"]}})),
            Body::Assignee => Some(json!({"assignee": null})),
            Body::Assembly => Some(json!({"title": "Assemblée ouverte", "date": "2026-12-10",
                                          "place": "Salle des fêtes"})),
            Body::AssemblyPatch => Some(json!({"place": "Salle B"})),
            Body::Recipient => Some(json!({"kind": "service", "name": "Direction de la propreté"})),
            Body::EmptyObject => Some(json!({})),
            Body::Forward => {
                let (status, r) = self
                    .app
                    .send(
                        Method::POST,
                        self.token(Caller::Officer).unwrap(),
                        "/api/v1/recipients",
                        &json!({"kind": "service", "name": "Direction de la voirie"}),
                    )
                    .await;
                assert_eq!(status, 201, "{r}");
                Some(
                    json!({"recipient": r["id"], "message": "Merci de répondre.", "due_on": "2099-01-01"}),
                )
            }
            Body::Answer => Some(json!({"text": "Réponse", "author_name": "Mme Martin"})),
            Body::Webhook => {
                Some(json!({"url": "http://127.0.0.1:9/hook", "events": ["answer.received"]}))
            }
            Body::Resident => Some(json!({"phone": "06 00 00 00 00"})),
            Body::NewUser => Some(json!({
                "email": format!("new-{}@test.fr", Uuid::new_v4().simple()),
                "name": "Nouvelle", "role": "volunteer", "password": "un-mot-de-passe"
            })),
            Body::Erase => Some(json!({"contribution_ids": [self.contribution]})),
        }
    }

    /// One cell: the status and the body (JSON or `Null`).
    async fn call(&self, row: &Row, caller: Caller) -> (u16, Value) {
        let id = if row.path.starts_with("/api/v1/topics/") {
            self.topic
        } else if row.path.starts_with("/api/v1/assemblies/") {
            self.assembly
        } else {
            self.contribution
        };
        let path = row
            .path
            .replace("{id}", &id.to_string())
            .replace("{contribution_id}", &self.contribution.to_string())
            .replace("{index}", "0");
        assert!(
            !path.contains('{'),
            "{} {}: a path parameter the matrix does not fill",
            row.method,
            row.path
        );
        let mut url = format!("{}{path}", self.app.base);
        if !row.query.is_empty() {
            url = format!("{url}?{}", row.query);
        }
        let method = Method::from_bytes(row.method.to_uppercase().as_bytes()).unwrap();
        let mut req = self.app.client.request(method, url);
        if caller != Caller::NoToken {
            req = req.bearer_auth(self.token(caller).unwrap());
        }
        if let Some(body) = self.body(row.body).await {
            req = req.json(&body);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let text = r.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }
}

/// A server with a known JWT secret, one contribution by `vol` in
/// Villeurbanne with contact details, and a token for every caller.
async fn world() -> World {
    let app = TestApp::spawn_with(|s| s.jwt_secret = Some(SECRET.into())).await;
    let vol = app.login("vol").await;
    let id = Uuid::new_v4();
    let mut c = contribution_json(id, &app.user_id("vol"), VILLEURBANNE.0, VILLEURBANNE.1);
    c["consent"] = json!({"contact": true, "at": "2026-11-28T10:00:00Z"});
    let doc = PhoneDoc::new("phone-vol", id, "contribution", &c);
    let (status, reply) = app.sync(&vol, &request(&[&doc], None)).await;
    assert_eq!(
        (status, reply["documents"][0]["status"].as_str()),
        (200, Some("ok"))
    );

    let officer = officer_principal(&app);
    let mut tokens = vec![
        (Caller::Garbage, "not-a-token".to_owned()),
        (Caller::AlgNone, alg_none_token(&app)),
        (
            Caller::WrongKey,
            JwtKeys::new(b"another-secret-of-the-same-length!!!", 900)
                .issue(&officer)
                .unwrap(),
        ),
        (
            Caller::Expired,
            JwtKeys::new(SECRET.as_bytes(), -120)
                .issue(&officer)
                .unwrap(),
        ),
    ];
    for (caller, name) in [
        (Caller::Owner, "vol"),
        (Caller::OtherVolunteer, "vol2"),
        (Caller::Commune, "villeurbanne"),
        (Caller::OtherCommune, "lyon3"),
        (Caller::Officer, "officer"),
        (Caller::Admin, "admin"),
    ] {
        tokens.push((caller, app.login(name).await));
    }

    // The forged tokens differ from a valid one by one defect only: the
    // same claims, well signed and unexpired, are accepted.
    let valid = JwtKeys::new(SECRET.as_bytes(), 900)
        .issue(&officer)
        .unwrap();
    let (status, me) = app.get(&valid, "/api/v1/me").await;
    assert_eq!(
        (status, me["role"].as_str()),
        (200, Some("officer")),
        "a token signed with the test secret is accepted: the secret is the server's"
    );
    let (status, got) = app
        .get(&valid, &format!("/api/v1/contributions/{id}"))
        .await;
    assert_eq!(
        (status, got["geo"]["commune"].as_str()),
        (200, Some("69266")),
        "the seeded contribution is placed in Villeurbanne"
    );

    let officer_token = &tokens
        .iter()
        .find(|(c, _)| *c == Caller::Officer)
        .unwrap()
        .1;
    let (status, topic) = app
        .send(
            Method::POST,
            officer_token,
            "/api/v1/topics",
            &json!({"title": "Propreté", "contributions": [id]}),
        )
        .await;
    assert_eq!(status, 201, "{topic}");
    let topic: Uuid = topic["id"].as_str().unwrap().parse().unwrap();
    let (status, assembly) = app
        .send(
            Method::POST,
            officer_token,
            "/api/v1/assemblies",
            &json!({"title": "Assemblée de Villeurbanne", "date": "2026-12-10",
                    "place": "Hôtel de ville", "commune": "69266", "agenda": [{"topic": topic}]}),
        )
        .await;
    assert_eq!(status, 201, "{assembly}");
    let assembly: Uuid = assembly["id"].as_str().unwrap().parse().unwrap();

    let world = World {
        app,
        contribution: id,
        topic,
        assembly,
        tokens,
    };
    world.ensure_contact().await;
    world
}

/// The (method, path) pairs of the served OpenAPI document.
async fn documented_routes(app: &TestApp) -> BTreeSet<(String, String)> {
    let spec: Value = app
        .client
        .get(format!("{}/api-docs/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut routes = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if HTTP_METHODS.contains(&method.as_str()) {
                routes.insert((method.clone(), path.clone()));
            }
        }
    }
    routes
}

#[tokio::test]
async fn every_route_times_every_caller_matches_the_table() {
    let w = world().await;

    // The table and the OpenAPI document list the same routes.
    let documented = documented_routes(&w.app).await;
    let tabled: BTreeSet<(String, String)> = TABLE
        .iter()
        .map(|r| (r.method.to_owned(), r.path.to_owned()))
        .collect();
    assert_eq!(tabled.len(), TABLE.len(), "a route has two rows");
    let missing: Vec<_> = documented.difference(&tabled).collect();
    let stale: Vec<_> = tabled.difference(&documented).collect();
    assert!(
        missing.is_empty() && stale.is_empty(),
        "routes of the OpenAPI document without a row: {missing:?}; \
         rows for routes the document lacks: {stale:?}"
    );

    let mut wrong = Vec::new();
    for row in TABLE {
        for (caller, &expected) in CALLERS.iter().zip(&row.expect) {
            if row.path.ends_with("/contact") {
                w.ensure_contact().await;
            }
            if row.path.starts_with("/api/v1/topics/") {
                w.ensure_topic().await;
            }
            let (status, body) = w.call(row, *caller).await;
            let cell = format!("{} {} as {caller:?}", row.method.to_uppercase(), row.path);
            if status != expected {
                wrong.push(format!("{cell}: {status}, expected {expected}: {body}"));
                continue;
            }
            if status >= 400 {
                let code = body["error"]["code"].as_str();
                if code != Some(error_code(status)) || !body["error"]["message"].is_string() {
                    wrong.push(format!(
                        "{cell}: {status} without the JSON error `{}`: {body}",
                        error_code(status)
                    ));
                }
            }
            if *caller == Caller::Expired && status == 401 {
                // Refused because it expired, so its signature was good.
                let message = body["error"]["message"].as_str().unwrap_or_default();
                if !message.contains("expired") {
                    wrong.push(format!("{cell}: refused, but not as expired: {body}"));
                }
            }
            if row.path == "/api/v1/contributions" && status == 200 {
                // The list is filtered like the reads.
                let items = body["items"].as_array().cloned().unwrap_or_default();
                let seen = items
                    .iter()
                    .find(|c| c["id"] == json!(w.contribution.to_string()));
                let may_see = matches!(caller, Caller::Owner | Caller::Commune | Caller::Officer);
                if seen.is_some() != may_see {
                    wrong.push(format!(
                        "{cell}: the contribution listed = {}",
                        seen.is_some()
                    ));
                }
                if *caller == Caller::Commune
                    && seen.is_some_and(|c| c["author"].as_str().is_some_and(|a| !a.is_empty()))
                {
                    wrong.push(format!("{cell}: a commune sees the author"));
                }
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cells are wrong:\n{}",
        wrong.len(),
        TABLE.len() * CALLERS.len(),
        wrong.join("\n")
    );
}
