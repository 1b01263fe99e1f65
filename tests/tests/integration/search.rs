//! The search index behind `GET /api/v1/contributions`: French search,
//! filters, facets, cursors, and an index that is never the truth (rebuilt,
//! caught up after a restart).

use porte_voix_server::index::{Filter, Scope, SearchIndex, Sort};
use porte_voix_server::sync::SyncRequest;
use porte_voix_server::{auth, AppState, Settings};
use porte_voix_shared::{Principal, Role};
use porte_voix_tests::{contribution_json, request, PhoneDoc, TestApp};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use uuid::Uuid;

/// Where a contribution is recorded.
#[derive(Clone, Copy)]
pub enum Place {
    Villeurbanne,
    Lyon3,
    Lyon1,
}

impl Place {
    fn point(self) -> (f64, f64) {
        match self {
            Place::Villeurbanne => (45.7665, 4.8795),
            Place::Lyon3 => (45.7597, 4.8590),
            Place::Lyon1 => (45.7676, 4.8345),
        }
    }
}

/// One contribution to seed.
pub struct Spec {
    pub who: &'static str,
    pub place: Place,
    pub text: &'static str,
    pub themes: Vec<&'static str>,
    pub kind: &'static str,
    pub respondent: Value,
}

pub fn spec(who: &'static str, place: Place, text: &'static str, theme: &'static str) -> Spec {
    Spec {
        who,
        place,
        text,
        themes: vec![theme],
        kind: "concern",
        respondent: Value::Null,
    }
}

/// The phone JSON of a spec.
pub fn spec_json(app_user: &str, s: &Spec, id: Uuid) -> Value {
    let (lat, lon) = s.place.point();
    let mut v = contribution_json(id, app_user, lat, lon);
    v["text"] = json!(s.text);
    v["themes"] = json!(s.themes);
    v["kind"] = json!(s.kind);
    if !s.respondent.is_null() {
        v["respondent"] = s.respondent.clone();
    }
    v
}

/// Syncs each spec from its volunteer's phone; returns the ids in order.
pub async fn seed(app: &TestApp, specs: &[Spec]) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for s in specs {
        let token = app.login(s.who).await;
        let id = Uuid::new_v4();
        let doc = PhoneDoc::new(
            &format!("phone-{}", s.who),
            id,
            "contribution",
            &spec_json(&app.user_id(s.who), s, id),
        );
        let (status, r) = app.sync(&token, &request(&[&doc], None)).await;
        assert_eq!(
            (status, r["documents"][0]["status"].as_str()),
            (200, Some("ok"))
        );
        ids.push(id);
    }
    ids
}

pub fn item_ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

pub fn set(ids: &[Uuid]) -> BTreeSet<String> {
    ids.iter().map(Uuid::to_string).collect()
}

fn as_set(v: Vec<String>) -> BTreeSet<String> {
    v.into_iter().collect()
}

fn specs() -> Vec<Spec> {
    vec![
        spec(
            "vol",
            Place::Villeurbanne,
            "La sécurité des trottoirs près de l'école",
            "safety",
        ),
        spec(
            "vol",
            Place::Villeurbanne,
            "Un trottoir défoncé rue Francis de Pressensé",
            "mobility",
        ),
        spec(
            "vol",
            Place::Lyon3,
            "Sécurité des cyclistes avenue Lacassagne",
            "safety",
        ),
        spec(
            "vol2",
            Place::Lyon1,
            "Les trottoirs de la Croix-Rousse sont trop étroits",
            "mobility",
        ),
        spec(
            "vol2",
            Place::Lyon3,
            "Plus de bancs et d'arbres place Guichard",
            "ecology",
        ),
    ]
}

#[tokio::test]
async fn french_search_folds_accents_and_plurals_and_needs_every_word() {
    let app = TestApp::spawn().await;
    let ids = seed(&app, &specs()).await;
    let officer = app.login("officer").await;
    let search = |q: &str| {
        let path = format!("/api/v1/contributions?q={q}");
        let app = &app;
        let officer = officer.clone();
        async move {
            let (status, page) = app.get(&officer, &path).await;
            assert_eq!(status, 200);
            as_set(item_ids(&page))
        }
    };
    assert_eq!(search("securite").await, set(&[ids[0], ids[2]]));
    assert_eq!(search("S%C3%89CURIT%C3%89").await, set(&[ids[0], ids[2]]));
    assert_eq!(search("trottoir").await, set(&[ids[0], ids[1], ids[3]]));
    assert_eq!(search("trottoirs").await, set(&[ids[0], ids[1], ids[3]]));
    assert_eq!(
        search("trottoirs%20ecole").await,
        set(&[ids[0]]),
        "every word must match"
    );
    assert!(search("trottoir%20piscine").await.is_empty());
}

#[tokio::test]
async fn search_never_returns_what_the_caller_may_not_read() {
    let app = TestApp::spawn().await;
    let ids = seed(&app, &specs()).await;
    for (who, expected) in [
        ("villeurbanne", set(&[ids[0], ids[1]])),
        ("lyon3", set(&[])),
        ("vol2", set(&[ids[3]])),
        ("vol", set(&[ids[0], ids[1]])),
    ] {
        let token = app.login(who).await;
        let (status, page) = app
            .get(&token, "/api/v1/contributions?q=trottoir&facets=true")
            .await;
        assert_eq!(status, 200, "{who}");
        assert_eq!(as_set(item_ids(&page)), expected, "{who}");
        assert_eq!(page["total"], expected.len(), "{who}");
        let facet_total: u64 = page["facets"]["kind"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(
            facet_total as usize,
            expected.len(),
            "{who}: facets count readable rows only"
        );
    }
    // A commune asking for another commune's territory gets nothing of it,
    // and never the author.
    let token = app.login("villeurbanne").await;
    let (_, page) = app
        .get(&token, "/api/v1/contributions?commune=69383&q=securite")
        .await;
    assert!(item_ids(&page).is_empty());
    let (_, page) = app.get(&token, "/api/v1/contributions").await;
    assert!(page["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["author"] == ""));
    let admin = app.login("admin").await;
    assert_eq!(
        app.get(&admin, "/api/v1/contributions?q=trottoir").await.0,
        403
    );
    let (status, _) = app
        .get(
            &token,
            &format!("/api/v1/contributions?author={}", app.user_id("vol")),
        )
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn filters_combine_and_facets_equal_the_counts_of_the_list() {
    let app = TestApp::spawn().await;
    let ids = seed(&app, &specs()).await;
    let officer = app.login("officer").await;
    let get = |path: String| {
        let app = &app;
        let officer = officer.clone();
        async move {
            let (status, page) = app.get(&officer, &path).await;
            assert_eq!(status, 200, "{path}");
            page
        }
    };
    // Several communes (repeated and comma-separated), several themes.
    let page =
        get("/api/v1/contributions?commune=69266&commune=69383&theme=safety,ecology".into()).await;
    assert_eq!(as_set(item_ids(&page)), set(&[ids[0], ids[2], ids[4]]));
    let page = get(format!(
        "/api/v1/contributions?commune=69266,69383&theme=safety&author={}",
        app.user_id("vol")
    ))
    .await;
    assert_eq!(as_set(item_ids(&page)), set(&[ids[0], ids[2]]));
    let page =
        get("/api/v1/contributions?in_topic=false&kind=concern,proposal&status=new".into()).await;
    assert_eq!(page["total"], 5);
    assert!(item_ids(&get("/api/v1/contributions?in_topic=true".into()).await).is_empty());
    // Facets of a filter = totals of the list filtered further by each value.
    let page = get("/api/v1/contributions?commune=69123&facets=true".into()).await;
    assert_eq!(page["total"], 3);
    for (dim, param) in [
        ("commune", "commune"),
        ("theme", "theme"),
        ("kind", "kind"),
        ("status", "status"),
    ] {
        let counts = page["facets"][dim].as_object().unwrap().clone();
        assert!(!counts.is_empty(), "{dim}");
        for (value, n) in counts {
            let sub = get(format!(
                "/api/v1/contributions?commune=69123&{param}={value}"
            ))
            .await;
            assert_eq!(sub["total"], n, "{dim}={value}");
        }
    }
    // A bad value is a clear 400 that does not quote it.
    let (status, body) = app
        .get(&officer, "/api/v1/contributions?kind=zzzsecret")
        .await;
    assert_eq!(status, 400);
    assert!(!body.to_string().contains("zzzsecret"));
    let (status, _) = app
        .get(&officer, "/api/v1/contributions?cursor=n.1.zz")
        .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn cursor_pages_cover_everything_once_while_contributions_arrive() {
    let app = TestApp::spawn().await;
    let many: Vec<Spec> = (0..7)
        .map(|_| {
            spec(
                "vol",
                Place::Villeurbanne,
                "Encore une poubelle pleine",
                "cleanliness",
            )
        })
        .collect();
    let first = seed(&app, &many).await;
    let officer = app.login("officer").await;
    for sort in ["newest", "oldest"] {
        let mut seen: Vec<String> = Vec::new();
        let mut cursor: Option<String> = None;
        let mut added = Vec::new();
        loop {
            let path = match &cursor {
                None => format!("/api/v1/contributions?sort={sort}&per_page=2"),
                Some(c) => format!("/api/v1/contributions?sort={sort}&per_page=2&cursor={c}"),
            };
            let (status, page) = app.get(&officer, &path).await;
            assert_eq!(status, 200);
            seen.extend(item_ids(&page));
            added.extend(
                seed(
                    &app,
                    &[spec(
                        "vol2",
                        Place::Lyon1,
                        "Encore une poubelle pleine",
                        "cleanliness",
                    )],
                )
                .await,
            );
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        let unique: BTreeSet<String> = seen.iter().cloned().collect();
        assert_eq!(unique.len(), seen.len(), "{sort}: an item twice");
        assert!(set(&first).is_subset(&unique), "{sort}: an item skipped");
        if sort == "newest" {
            assert!(
                set(&added).is_disjoint(&unique),
                "newer items do not enter a newest-first walk"
            );
        } else {
            // Except the one added after the last page.
            let reached = &added[..added.len() - 1];
            assert!(
                set(reached).is_subset(&unique),
                "an oldest-first walk reaches the newer items"
            );
        }
    }
}

fn principal(state: &AppState, email: &str) -> Principal {
    let u = state.store.get_user_by_email(email).unwrap().unwrap();
    Principal {
        user_id: u.id,
        role: u.role,
        commune: u.commune,
    }
}

/// A volunteer's sync through the engine, as the handler does it.
fn write(state: &AppState, p: &Principal, text: &str) -> Uuid {
    let id = Uuid::new_v4();
    let mut v = contribution_json(id, &p.user_id, 45.7665, 4.8795);
    v["text"] = json!(text);
    let doc = PhoneDoc::new("phone-lib", id, "contribution", &v);
    let req: SyncRequest = serde_json::from_value(request(&[&doc], None)).unwrap();
    let r = state.engine.sync(p, &req).unwrap();
    assert_eq!(
        serde_json::to_value(&r).unwrap()["documents"][0]["status"],
        "ok"
    );
    id
}

fn open(dir: &std::path::Path) -> AppState {
    AppState::open(Settings {
        port: 0,
        data_dir: dir.to_path_buf(),
        pwa_dir: dir.join("no-pwa"),
        ..Settings::default()
    })
    .unwrap()
}

fn all(state: &AppState, q: &str) -> Vec<Uuid> {
    state.index.catch_up().unwrap();
    let f = Filter {
        q: Some(q.into()),
        ..Filter::default()
    };
    state.index.ids(&Scope::All, &f, Sort::Newest).unwrap()
}

#[test]
fn the_index_catches_up_after_a_restart_and_a_rebuild_gives_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let state = open(dir.path());
    auth::create_user(
        state.store.as_ref(),
        "v@test.fr",
        "v",
        Role::Volunteer,
        None,
        "mot-de-passe-test",
    )
    .unwrap();
    let vol = principal(&state, "v@test.fr");
    let a = write(&state, &vol, "Fuite d'eau rue Anatole France");
    assert_eq!(all(&state, "fuite"), vec![a]);
    // The server stops: the index closes; then a write reaches the store
    // while the index does not follow it.
    state.index.shutdown().unwrap();
    let b = write(&state, &vol, "Fuite de gaz cours Émile Zola");
    drop(state);
    let state = open(dir.path());
    assert_eq!(all(&state, "fuite"), vec![b, a], "caught up at open");
    let before = (
        all(&state, "fuite"),
        all(&state, "emile"),
        all(&state, "eau"),
    );
    state.index.shutdown().unwrap();
    drop(state);
    // The index directory is deleted: rebuilt from the store at open, and
    // by `reindex`, with the same answers.
    std::fs::remove_dir_all(dir.path().join("index")).unwrap();
    let state = open(dir.path());
    assert_eq!(
        (
            all(&state, "fuite"),
            all(&state, "emile"),
            all(&state, "eau")
        ),
        before
    );
    state.index.shutdown().unwrap();
    let (index, report) =
        SearchIndex::rebuild(&dir.path().join("index"), state.store.clone()).unwrap();
    assert!(report.rebuilt);
    assert_eq!(index.num_docs(), 2);
    let f = Filter {
        q: Some("gaz".into()),
        ..Filter::default()
    };
    assert_eq!(index.ids(&Scope::All, &f, Sort::Newest).unwrap(), vec![b]);
    index.shutdown().unwrap();
}
