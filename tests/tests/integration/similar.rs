//! Similar contributions, likely duplicates and the consolidation queue
//! (docs/CONSOLIDATION.md), and `porte-voix demo --contributions N`.

use porte_voix_server::{demo, AppState, Application, Settings};
use porte_voix_tests::{contribution_json, request, PhoneDoc, TestApp};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Points: two 60 m apart in Villeurbanne, one in Vénissieux, one in Lyon 3e.
const VILLEURBANNE: (f64, f64) = (45.7667, 4.8800);
const VILLEURBANNE_NEAR: (f64, f64) = (45.7672, 4.8803);
const VENISSIEUX: (f64, f64) = (45.6975, 4.8860);
const LYON3: (f64, f64) = (45.7597, 4.8590);

/// Stores a contribution of `vol` with this text and point; returns its id.
async fn put(app: &TestApp, token: &str, text: &str, (lat, lon): (f64, f64), kind: &str) -> Uuid {
    let id = Uuid::new_v4();
    let mut v = contribution_json(id, &app.user_id("vol"), lat, lon);
    v["text"] = json!(text);
    v["kind"] = json!(kind);
    let doc = PhoneDoc::new("vol-phone-similar-1", id, "contribution", &v);
    let (status, reply) = app.sync(token, &request(&[&doc], None)).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["documents"][0]["status"], "ok", "{reply}");
    id
}

struct World {
    app: TestApp,
    original: Uuid,
    duplicate: Uuid,
    far: Uuid,
    lyon3: Uuid,
}

async fn world() -> World {
    let app = TestApp::spawn().await;
    let vol = app.login("vol").await;
    let original = put(
        &app,
        &vol,
        "Le trottoir est défoncé devant l'école primaire, les poussettes passent sur la chaussée.",
        VILLEURBANNE,
        "concern",
    )
    .await;
    let duplicate = put(
        &app,
        &vol,
        "Devant l'ecole primaire, le trotoir est défonsé et les poussettes passent sur la chausée.",
        VILLEURBANNE_NEAR,
        "concern",
    )
    .await;
    let far = put(
        &app,
        &vol,
        "Il n'y a plus rien pour les adolescents le soir à la médiathèque.",
        VENISSIEUX,
        "expectation",
    )
    .await;
    let lyon3 = put(
        &app,
        &vol,
        "Les bus sont bondés le matin à l'arrêt de la place.",
        LYON3,
        "concern",
    )
    .await;
    World {
        app,
        original,
        duplicate,
        far,
        lyon3,
    }
}

fn ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_planted_duplicate_comes_first_flagged_with_its_reasons() {
    let w = world().await;
    let officer = w.app.login("officer").await;
    let (status, body) = w
        .app
        .get(
            &officer,
            &format!("/api/v1/contributions/{}/similar", w.original),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let first = &body["items"][0];
    assert_eq!(first["id"], w.duplicate.to_string(), "{body}");
    assert_eq!(first["duplicate"], true, "{body}");
    let r = &first["reasons"];
    assert_eq!(r["same_commune"], true);
    assert!(r["distance_m"].as_u64().unwrap() < 100, "{r}");
    assert_eq!(r["days_apart"], 0);
    assert_eq!(r["same_kind"], true);
    assert_eq!(r["same_themes"], json!(["cleanliness"]));
    let words: Vec<&str> = r["shared_words"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert!(words.contains(&"trottoir"), "analyzer tokens: {words:?}");
    let score = first["score"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&score) && score > 0.6, "{score}");
    // The one far away in another commune, on another subject, is not
    // flagged, and only the duplicate is.
    let flagged: Vec<&Value> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["duplicate"] == true)
        .collect();
    assert_eq!(flagged.len(), 1, "{body}");
    // From the other side too.
    let (_, back) = w
        .app
        .get(
            &officer,
            &format!("/api/v1/contributions/{}/similar?limit=1", w.duplicate),
        )
        .await;
    assert_eq!(ids(&back), vec![w.original.to_string()]);
    assert_eq!(back["items"][0]["duplicate"], true);
}

#[tokio::test]
async fn an_unrelated_contribution_nearby_is_suggested_lower_and_not_flagged() {
    let w = world().await;
    let vol = w.app.login("vol").await;
    // Same place, same day, another subject.
    let other = put(
        &w.app,
        &vol,
        "Impossible de trouver un médecin traitant dans le quartier.",
        VILLEURBANNE_NEAR,
        "expectation",
    )
    .await;
    let officer = w.app.login("officer").await;
    let (_, body) = w
        .app
        .get(
            &officer,
            &format!("/api/v1/contributions/{}/similar", w.original),
        )
        .await;
    let items = body["items"].as_array().unwrap();
    let dup = items
        .iter()
        .find(|i| i["id"] == w.duplicate.to_string())
        .unwrap();
    let unrelated = items.iter().find(|i| i["id"] == other.to_string()).unwrap();
    assert_eq!(unrelated["duplicate"], false, "{unrelated}");
    assert!(
        unrelated["score"].as_f64() < dup["score"].as_f64(),
        "{body}"
    );
    assert_eq!(unrelated["reasons"]["shared_words"], json!([]));
}

#[tokio::test]
async fn similar_is_refused_to_volunteers_and_admins_and_hidden_outside_a_communes_territory() {
    let w = world().await;
    let path = |id: Uuid| format!("/api/v1/contributions/{id}/similar");
    for who in ["vol", "vol2", "admin"] {
        let t = w.app.login(who).await;
        let (status, body) = w.app.get(&t, &path(w.original)).await;
        assert_eq!(status, 403, "{who}: {body}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
    // Lyon 3e does not read Villeurbanne's contributions: 404, as if absent.
    let lyon3 = w.app.login("lyon3").await;
    let (status, body) = w.app.get(&lyon3, &path(w.original)).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["error"]["code"], "not_found");
    let (status, body) = w.app.get(&lyon3, &path(Uuid::new_v4())).await;
    assert_eq!(status, 404, "{body}");
    // On its own contribution it sees suggestions from its territory only.
    let (status, body) = w.app.get(&lyon3, &path(w.lyon3)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["items"], json!([]), "nothing else in Lyon 3e: {body}");
    // Villeurbanne sees the duplicate, never Lyon 3e's contribution.
    let vill = w.app.login("villeurbanne").await;
    let (status, body) = w.app.get(&vill, &path(w.original)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body), vec![w.duplicate.to_string()], "{body}");
    // Bad limit.
    let officer = w.app.login("officer").await;
    let (status, body) = w
        .app
        .get(&officer, &format!("{}?limit=0", path(w.original)))
        .await;
    assert_eq!(status, 400, "{body}");
    let (status, _) = w
        .app
        .get(&officer, &format!("{}?limit=abc", path(w.original)))
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn the_queue_lists_contributions_in_no_topic_oldest_first_with_their_duplicates() {
    let w = world().await;
    let officer = w.app.login("officer").await;
    let (status, body) = w.app.get(&officer, "/api/v1/consolidation/queue").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 4, "{body}");
    let items = body["items"].as_array().unwrap();
    let order: Vec<String> = items
        .iter()
        .map(|i| i["created_at"].as_str().unwrap().to_owned())
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "oldest first");
    let dups = |id: Uuid| {
        items
            .iter()
            .find(|i| i["id"] == id.to_string())
            .map(|i| i["duplicates"].as_u64().unwrap())
            .unwrap()
    };
    assert_eq!(dups(w.original), 1);
    assert_eq!(dups(w.duplicate), 1);
    assert_eq!(dups(w.far), 0);
    // No topic exists yet: nothing to propose.
    assert!(items.iter().all(|i| i["best_topic"].is_null()), "{body}");
    // Paging with the cursor walks the rest, each once.
    let (_, first) = w
        .app
        .get(&officer, "/api/v1/consolidation/queue?limit=3")
        .await;
    let cursor = first["next_cursor"]
        .as_str()
        .expect("a next page")
        .to_owned();
    let (_, second) = w
        .app
        .get(
            &officer,
            &format!("/api/v1/consolidation/queue?limit=3&cursor={cursor}"),
        )
        .await;
    let mut all: BTreeSet<String> = ids(&first).into_iter().collect();
    all.extend(ids(&second));
    assert_eq!(all.len(), 4);
    assert!(second["next_cursor"].is_null());
    // The officer's only.
    for who in ["vol", "villeurbanne", "lyon3", "admin"] {
        let t = w.app.login(who).await;
        let (status, _) = w.app.get(&t, "/api/v1/consolidation/queue").await;
        assert_eq!(status, 403, "{who}");
    }
    let (status, _) = w
        .app
        .get(&officer, "/api/v1/consolidation/queue?limit=1000")
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn demo_with_300_contributions_fills_an_empty_store_geotagged_across_communes() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        port: 0,
        data_dir: dir.path().to_path_buf(),
        pwa_dir: dir.path().join("no-pwa"),
        ..Settings::default()
    };
    let state = AppState::open(settings).unwrap();
    assert!(demo::fill_with(&state, 300, false).unwrap());
    // A second run on a store with accounts changes nothing.
    assert!(!demo::fill_with(&state, 300, false).unwrap());
    let app = Application::build_with_state(state).unwrap();
    let base = format!("http://127.0.0.1:{}", app.port());
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let login: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": "charge@demo.porte-voix.fr", "password": "charge-demo"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = login["access_token"].as_str().unwrap().to_owned();
    let mut items = Vec::new();
    for page in 1..=2 {
        let body: Value = client
            .get(format!(
                "{base}/api/v1/contributions?per_page=200&page={page}"
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["total"], 300, "{body}");
        items.extend(body["items"].as_array().unwrap().clone());
    }
    assert_eq!(items.len(), 300);
    let ids: BTreeSet<&str> = items.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 300);
    assert!(
        items.iter().all(|c| c["geo"]["commune"].is_string()),
        "every demo contribution is placed in a commune"
    );
    let communes: BTreeSet<&str> = items
        .iter()
        .map(|c| c["geo"]["commune"].as_str().unwrap())
        .collect();
    assert!(communes.len() >= 10, "{communes:?}");
    let arrondissements: BTreeSet<&str> = items
        .iter()
        .filter_map(|c| c["geo"]["arrondissement"].as_str())
        .collect();
    assert!(arrondissements.len() >= 5, "{arrondissements:?}");
    let statuses: BTreeSet<&str> = items
        .iter()
        .map(|c| c["review"]["status"].as_str().unwrap_or("new"))
        .collect();
    for s in ["new", "qualified", "forwarded", "answered"] {
        assert!(statuses.contains(s), "{s} in {statuses:?}");
    }
    // Forwarded ones carry their forward, as the workflow requires.
    for c in items
        .iter()
        .filter(|c| c["review"]["status"] == "forwarded")
    {
        assert!(c["follow_up"][0]["to"].is_string(), "{c}");
    }
    let texts: BTreeSet<&str> = items.iter().map(|c| c["text"].as_str().unwrap()).collect();
    assert!(texts.len() > 250, "varied texts: {}", texts.len());
    // The demo's topics gather reviewed contributions of one subject.
    let topics: Value = client
        .get(format!("{base}/api/v1/topics"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let topics = topics.as_array().expect("a list of topics");
    assert!(topics.len() >= 3, "{topics:?}");
    for t in topics {
        let members = t["contributions"].as_array().unwrap();
        assert!(!members.is_empty(), "{t}");
        for m in members {
            let c = items
                .iter()
                .find(|c| &c["id"] == m)
                .expect("a demo contribution");
            assert!(
                c["themes"].as_array().unwrap().contains(&t["themes"][0]),
                "{c} in {t}"
            );
        }
    }
    // The directory, one answered forward and one overdue, and an assembly
    // on the topics: what the consoles show on a first visit.
    let get = |path: &str| {
        let client = client.clone();
        let url = format!("{base}{path}");
        let token = token.clone();
        async move {
            let r = client.get(url).bearer_auth(token).send().await.unwrap();
            assert_eq!(r.status(), 200);
            r.json::<Value>().await.unwrap()
        }
    };
    let recipients = get("/api/v1/recipients").await;
    assert!(recipients.as_array().unwrap().len() >= 3, "{recipients}");
    let answered = get("/api/v1/forwards?state=answered").await;
    let answered = answered
        .as_array()
        .or(answered["items"].as_array())
        .unwrap()
        .clone();
    assert_eq!(answered.len(), 1, "{answered:?}");
    let waiting = get("/api/v1/forwards?state=waiting").await;
    let waiting = waiting
        .as_array()
        .or(waiting["items"].as_array())
        .unwrap()
        .clone();
    assert_eq!(waiting.len(), 1, "{waiting:?}");
    assert!(
        waiting[0]["days_overdue"].as_i64().unwrap_or(0) > 0,
        "the waiting forward is overdue: {}",
        waiting[0]
    );
    let assemblies = get("/api/v1/assemblies").await;
    let assembly = &assemblies.as_array().unwrap()[0];
    assert_eq!(
        assembly["agenda"].as_array().unwrap().len(),
        3,
        "{assembly}"
    );
}

#[tokio::test]
async fn the_queue_drops_attached_contributions_and_proposes_the_matching_topic() {
    let w = world().await;
    let officer = w.app.login("officer").await;
    let (status, topic) = w
        .app
        .send(
            reqwest::Method::POST,
            &officer,
            "/api/v1/topics",
            &json!({"title": "Trottoirs défoncés autour des écoles", "summary": "Poussettes et fauteuils passent sur la chaussée.", "themes": ["mobility"]}),
        )
        .await;
    assert_eq!(status, 201, "{topic}");
    let topic_id = topic["id"].as_str().unwrap().to_owned();
    let (status, body) = w
        .app
        .send(
            reqwest::Method::POST,
            &officer,
            &format!("/api/v1/topics/{topic_id}/contributions"),
            &json!({"ids": [w.original]}),
        )
        .await;
    assert!(status == 200 || status == 201, "{status} {body}");
    let (status, body) = w.app.get(&officer, "/api/v1/consolidation/queue").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["total"], 3, "the attached one left the queue: {body}");
    assert!(!ids(&body).contains(&w.original.to_string()));
    let item = |id: Uuid| {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == id.to_string())
            .cloned()
            .unwrap()
    };
    let dup = item(w.duplicate);
    assert_eq!(dup["best_topic"]["id"], topic_id, "{dup}");
    let s = dup["best_topic"]["score"].as_f64().unwrap();
    assert!((0.25..=1.0).contains(&s), "{s}");
    assert!(
        item(w.lyon3)["best_topic"].is_null(),
        "buses match no sidewalk topic: {body}"
    );
}
