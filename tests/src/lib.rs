//! Helpers shared by the integration tests: a real server on port 0 over a
//! temporary sled directory, users, and a minimal phone-side sync client.

use automerge::{ActorId, Automerge};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use porte_voix_server::document;
use porte_voix_server::store::User;
use porte_voix_server::{auth, AppState, Application, Settings};
use porte_voix_shared::{CommuneCode, Role};
use serde_json::{json, Value};
use std::collections::HashMap;
use tempfile::TempDir;
use uuid::Uuid;

pub const PASSWORD: &str = "mot-de-passe-test";

/// A server running in this process on a free port.
pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub users: HashMap<&'static str, User>,
    _dir: TempDir,
}

/// The users every test app has: two volunteers, the officer, two commune
/// accounts (Villeurbanne, Lyon 3e), an admin.
const USERS: &[(&str, Role, Option<&str>)] = &[
    ("vol", Role::Volunteer, None),
    ("vol2", Role::Volunteer, None),
    ("officer", Role::Officer, None),
    ("villeurbanne", Role::Commune, Some("69266")),
    ("lyon3", Role::Commune, Some("69383")),
    ("admin", Role::Admin, None),
];

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// Spawns with adjusted settings (e.g. a negative token lifetime).
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut settings = Settings {
            port: 0,
            data_dir: dir.path().to_path_buf(),
            pwa_dir: dir.path().join("no-pwa"),
            ..Settings::default()
        };
        adjust(&mut settings);
        let state = AppState::open(settings).expect("state");
        let mut users = HashMap::new();
        for (name, role, commune) in USERS {
            let commune = commune.map(|c| CommuneCode::parse(c).unwrap());
            let u = auth::create_user(
                state.store.as_ref(),
                &format!("{name}@test.fr"),
                name,
                *role,
                commune,
                PASSWORD,
            )
            .expect("user");
            users.insert(*name, u);
        }
        let app = Application::build_with_state(state).expect("build");
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        TestApp {
            base,
            client: reqwest::Client::new(),
            users,
            _dir: dir,
        }
    }

    /// The server's data directory (the sled store, the index, the key).
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    pub fn user_id(&self, name: &str) -> String {
        self.users[name].id.clone()
    }

    pub async fn login(&self, name: &str) -> String {
        let r = self
            .client
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({"email": format!("{name}@test.fr"), "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "login {name}");
        r.json::<Value>().await.unwrap()["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        token: &str,
        path: &str,
        body: &Value,
    ) -> (u16, Value) {
        let r = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn sync(&self, token: &str, body: &Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, token, "/api/v1/sync", body)
            .await
    }
}

/// A contribution as a phone writes it.
pub fn contribution_json(id: Uuid, author: &str, lat: f64, lon: f64) -> Value {
    json!({
        "id": id.to_string(), "type": "contribution", "schema": 1, "campaign": "aller-vers-2026",
        "created_at": chrono::Utc::now().to_rfc3339(), "author": author, "kind": "concern",
        "themes": ["cleanliness"], "text": "Les poubelles débordent près du marché",
        "location": {"lat": lat, "lon": lon, "accuracy_m": 8.0, "source": "gps"},
        "consent": {"contact": false}
    })
}

/// An outing as its creator writes it.
pub fn outing_json(id: Uuid, team: &[String]) -> Value {
    json!({"id": id.to_string(), "type": "outing", "schema": 1, "campaign": "aller-vers-2026",
           "date": "2026-11-28", "place": "Marché Grandclément", "team": team, "doors": {}})
}

/// One document on a phone, with what the server has acknowledged.
pub struct PhoneDoc {
    pub id: Uuid,
    pub doc_type: &'static str,
    pub doc: Automerge,
    pub server_heads: Vec<automerge::ChangeHash>,
}

impl PhoneDoc {
    pub fn new(actor: &str, id: Uuid, doc_type: &'static str, value: &Value) -> Self {
        let doc = document::from_json(&ActorId::from(actor.as_bytes()), value).unwrap();
        PhoneDoc {
            id,
            doc_type,
            doc,
            server_heads: vec![],
        }
    }

    /// The request entry: heads and what the server has not acknowledged.
    pub fn entry(&self) -> Value {
        let changes = self.doc.save_after(&self.server_heads);
        let mut e = json!({"id": self.id, "type": self.doc_type, "heads": document::heads_hex(&self.doc.get_heads())});
        if !changes.is_empty() {
            e["changes"] = json!(B64.encode(changes));
        }
        e
    }

    /// Applies the server's result for this document; returns its status.
    pub fn apply(&mut self, result: &Value) -> String {
        let status = result["status"].as_str().unwrap_or_default().to_owned();
        if status == "ok" {
            if let Some(c) = result["changes"].as_str() {
                self.doc.load_incremental(&B64.decode(c).unwrap()).unwrap();
            }
            self.server_heads = document::parse_heads(
                &result["heads"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| h.as_str().unwrap().to_owned())
                    .collect::<Vec<_>>(),
            )
            .unwrap();
        }
        status
    }

    pub fn json(&self) -> Value {
        document::to_json(&self.doc)
    }
}

/// A sync request for some phone documents.
pub fn request(docs: &[&PhoneDoc], cursor: Option<&str>) -> Value {
    json!({"protocol": 1, "cursor": cursor, "documents": docs.iter().map(|d| d.entry()).collect::<Vec<_>>()})
}

/// Whether any file under `dir` holds `needle` (a byte search of every
/// file, as someone with a copy of the disk would grep it).
pub fn dir_contains(dir: &std::path::Path, needle: &[u8]) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        if p.is_dir() {
            dir_contains(&p, needle)
        } else {
            std::fs::read(&p).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle))
        }
    })
}
