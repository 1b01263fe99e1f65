use porte_voix_tests::{contribution_json, request, PhoneDoc, TestApp};
use serde_json::{json, Value};
use uuid::Uuid;

struct Seeded {
    app: TestApp,
    villeurbanne: Uuid,
    lyon3: Uuid,
    lyon1: Uuid,
}

/// Three contributions: Villeurbanne and Lyon 3e by `vol`, Lyon 1er by `vol2`.
async fn seeded() -> Seeded {
    let app = TestApp::spawn().await;
    let mut ids = Vec::new();
    for (who, lat, lon) in [
        ("vol", 45.7665, 4.8795),
        ("vol", 45.7597, 4.8590),
        ("vol2", 45.7676, 4.8345),
    ] {
        let token = app.login(who).await;
        let id = Uuid::new_v4();
        let doc = PhoneDoc::new(
            &format!("phone-{who}"),
            id,
            "contribution",
            &contribution_json(id, &app.user_id(who), lat, lon),
        );
        let (_, r) = app.sync(&token, &request(&[&doc], None)).await;
        assert_eq!(r["documents"][0]["status"], "ok");
        ids.push(id);
    }
    Seeded {
        villeurbanne: ids[0],
        lyon3: ids[1],
        lyon1: ids[2],
        app,
    }
}

fn ids(page: &Value) -> Vec<String> {
    let mut v: Vec<String> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

fn sorted(list: &[Uuid]) -> Vec<String> {
    let mut v: Vec<String> = list.iter().map(Uuid::to_string).collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_commune_account_reads_its_territory_only() {
    let s = seeded().await;
    let lyon3 = s.app.login("lyon3").await;
    let (status, page) = s.app.get(&lyon3, "/api/v1/contributions").await;
    assert_eq!(status, 200);
    assert_eq!(ids(&page), sorted(&[s.lyon3]));
    assert_eq!(
        page["items"][0]["author"], "",
        "commune staff do not see who recorded it"
    );
    let (status, _) = s
        .app
        .get(&lyon3, &format!("/api/v1/contributions/{}", s.lyon3))
        .await;
    assert_eq!(status, 200);
    for other in [s.villeurbanne, s.lyon1] {
        let (status, body) = s
            .app
            .get(&lyon3, &format!("/api/v1/contributions/{other}"))
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("not_found")),
            "existence must not leak"
        );
    }
    // Asking for another commune by filter gives nothing either.
    let (_, page) = s
        .app
        .get(&lyon3, "/api/v1/contributions?commune=69266")
        .await;
    assert_eq!(page["total"], 0);
    let ville = s.app.login("villeurbanne").await;
    let (_, page) = s.app.get(&ville, "/api/v1/contributions").await;
    assert_eq!(ids(&page), sorted(&[s.villeurbanne]));
    let (status, _) = s
        .app
        .get(&ville, &format!("/api/v1/contributions/{}", s.lyon3))
        .await;
    assert_eq!(status, 404);
    // Filtering by a volunteer's id would tell the commune who wrote what.
    for who in ["vol", "vol2"] {
        let path = format!("/api/v1/contributions?author={}", s.app.user_id(who));
        let (status, body) = s.app.get(&ville, &path).await;
        assert_eq!(status, 403, "{body}");
        assert!(body.get("total").is_none());
    }
}

#[tokio::test]
async fn a_volunteer_reads_their_own_and_the_officer_everything() {
    let s = seeded().await;
    let vol = s.app.login("vol").await;
    let (_, page) = s.app.get(&vol, "/api/v1/contributions").await;
    assert_eq!(ids(&page), sorted(&[s.villeurbanne, s.lyon3]));
    let (status, _) = s
        .app
        .get(&vol, &format!("/api/v1/contributions/{}", s.lyon1))
        .await;
    assert_eq!(status, 404);
    let officer = s.app.login("officer").await;
    let (_, page) = s.app.get(&officer, "/api/v1/contributions").await;
    assert_eq!(page["total"], 3);
    let admin = s.app.login("admin").await;
    let (status, _) = s.app.get(&admin, "/api/v1/contributions").await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn filters_and_pages_work_for_the_officer() {
    let s = seeded().await;
    let officer = s.app.login("officer").await;
    let get = |q: &'static str| {
        let app = &s.app;
        let t = officer.clone();
        async move { app.get(&t, &format!("/api/v1/contributions{q}")).await.1 }
    };
    assert_eq!(
        ids(&get("?commune=69123").await),
        sorted(&[s.lyon3, s.lyon1]),
        "Lyon includes its arrondissements"
    );
    assert_eq!(ids(&get("?commune=69381").await), sorted(&[s.lyon1]));
    assert_eq!(
        get("?kind=concern&theme=cleanliness&campaign=aller-vers-2026").await["total"],
        3
    );
    assert_eq!(get("?kind=proposal").await["total"], 0);
    assert_eq!(get("?theme=housing").await["total"], 0);
    assert_eq!(get("?from=2000-01-01&to=2999-01-01").await["total"], 3);
    assert_eq!(get("?to=2000-01-01").await["total"], 0);
    let page2 = get("?per_page=2&page=2").await;
    assert_eq!(
        (
            page2["items"].as_array().unwrap().len(),
            page2["total"].as_u64()
        ),
        (1, Some(3))
    );
    let (status, _) = s
        .app
        .send(
            reqwest::Method::PUT,
            &officer,
            &format!("/api/v1/contributions/{}/review", s.lyon1),
            &json!({"status": "qualified"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(ids(&get("?status=qualified").await), sorted(&[s.lyon1]));
    assert_eq!(get("?status=new").await["total"], 2);
    for bad in [
        "?status=bogus",
        "?commune=Lyon",
        "?from=yesterday",
        "?theme=Propreté",
    ] {
        let (status, body) = s
            .app
            .get(&officer, &format!("/api/v1/contributions{bad}"))
            .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("bad_request")),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn only_the_officer_reviews_and_comments_stay_in_their_territory() {
    let s = seeded().await;
    let vol = s.app.login("vol").await;
    let lyon3 = s.app.login("lyon3").await;
    let review = json!({"status": "closed"});
    for token in [&vol, &lyon3] {
        let (status, _) = s
            .app
            .send(
                reqwest::Method::PUT,
                token,
                &format!("/api/v1/contributions/{}/review", s.lyon3),
                &review,
            )
            .await;
        assert_eq!(status, 403);
    }
    let comment = json!({"text": "Signalé au service voirie"});
    let (status, body) = s
        .app
        .send(
            reqwest::Method::POST,
            &lyon3,
            &format!("/api/v1/contributions/{}/comments", s.lyon3),
            &comment,
        )
        .await;
    assert_eq!(status, 201);
    assert_eq!(body["comments"][0]["text"], "Signalé au service voirie");
    let (status, _) = s
        .app
        .send(
            reqwest::Method::POST,
            &lyon3,
            &format!("/api/v1/contributions/{}/comments", s.villeurbanne),
            &comment,
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = s
        .app
        .send(
            reqwest::Method::POST,
            &vol,
            &format!("/api/v1/contributions/{}/comments", s.lyon3),
            &comment,
        )
        .await;
    assert_eq!(status, 403);
    let officer = s.app.login("officer").await;
    let (status, _) = s
        .app
        .send(
            reqwest::Method::PUT,
            &officer,
            &format!("/api/v1/contributions/{}/review", s.lyon3),
            &json!({"status": "duplicate"}),
        )
        .await;
    assert_eq!(status, 400, "a duplicate names what it duplicates");
}

#[tokio::test]
async fn contact_details_are_officer_only_and_erasable() {
    let app = TestApp::spawn().await;
    let vol = app.login("vol").await;
    let id = Uuid::new_v4();
    let mut c = contribution_json(id, &app.user_id("vol"), 45.7665, 4.8795);
    c["consent"] = json!({"contact": true, "at": "2026-11-28T10:00:00Z"});
    let doc = PhoneDoc::new("phone-vol", id, "contribution", &c);
    let mut body = request(&[&doc], None);
    body["contacts"] =
        json!([{"contribution_id": id, "name": "Mme Exemple", "phone": "06 00 00 00 00"}]);
    let (_, r) = app.sync(&vol, &body).await;
    assert_eq!(r["contacts"][0]["status"], "ok");
    // Sealed at rest: a copy of the disk does not show them.
    for needle in ["06 00 00 00 00", "Mme Exemple"] {
        assert!(
            !porte_voix_tests::dir_contains(app.data_dir(), needle.as_bytes()),
            "{needle} in clear in the data directory"
        );
    }
    let (_, got) = app.get(&vol, &format!("/api/v1/contributions/{id}")).await;
    assert!(
        !got.to_string().contains("Exemple"),
        "contact details are not in the document"
    );
    for who in ["vol", "villeurbanne", "admin"] {
        let (status, _) = app
            .get(
                &app.login(who).await,
                &format!("/api/v1/contributions/{id}/contact"),
            )
            .await;
        assert_eq!(status, 403, "{who}");
    }
    let officer = app.login("officer").await;
    let (status, contact) = app
        .get(&officer, &format!("/api/v1/contributions/{id}/contact"))
        .await;
    assert_eq!(
        (status, contact["phone"].as_str()),
        (200, Some("06 00 00 00 00"))
    );
    let (status, _) = app
        .send(
            reqwest::Method::DELETE,
            &officer,
            &format!("/api/v1/contributions/{id}/contact"),
            &json!({}),
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = app
        .get(&officer, &format!("/api/v1/contributions/{id}/contact"))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn territory_openapi_and_swagger_are_served() {
    let app = TestApp::spawn().await;
    let geo: Value = app
        .client
        .get(format!("{}/api/v1/territory", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(geo["features"].as_array().unwrap().len(), 67);
    let loc: Value = app
        .client
        .get(format!(
            "{}/api/v1/territory/locate?lat=45.7578&lon=4.8320",
            app.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (loc["commune"].as_str(), loc["arrondissement"].as_str()),
        (Some("69123"), Some("69382"))
    );
    let bad = app
        .client
        .get(format!(
            "{}/api/v1/territory/locate?lat=123&lon=4",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let spec: Value = app
        .client
        .get(format!("{}/api-docs/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(spec["paths"]["/api/v1/sync"]["post"].is_object());
    let ui = app
        .client
        .get(format!("{}/swagger-ui/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ui.status(), 200);
    assert!(ui.text().await.unwrap().contains("swagger"));
    let health = app
        .client
        .get(format!("{}/health", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn the_history_names_a_person_for_every_change_and_is_officer_only() {
    let s = seeded().await;
    let officer = s.app.login("officer").await;
    let path = format!("/api/v1/contributions/{}/review", s.lyon3);
    let (status, _) = s
        .app
        .send(
            reqwest::Method::PUT,
            &officer,
            &path,
            &json!({"status": "qualified"}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, history) = s
        .app
        .get(
            &officer,
            &format!("/api/v1/contributions/{}/history", s.lyon3),
        )
        .await;
    assert_eq!(status, 200);
    let users: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["user_id"].as_str().unwrap())
        .collect();
    let (vol, off) = (s.app.user_id("vol"), s.app.user_id("officer"));
    assert_eq!(
        users,
        vec![vol.as_str(), "@server", off.as_str()],
        "author, geotagging, review"
    );
    assert!(history[2]["at"].is_string(), "server writes carry a time");
    for who in ["vol", "lyon3"] {
        let token = s.app.login(who).await;
        let (status, _) = s
            .app
            .get(
                &token,
                &format!("/api/v1/contributions/{}/history", s.lyon3),
            )
            .await;
        assert_eq!(status, 403, "{who}");
    }
}

#[tokio::test]
async fn the_pwa_is_served_with_its_cache_policy_compressed_and_app_routes_fall_back() {
    let pwa = tempfile::tempdir().unwrap();
    std::fs::write(
        pwa.path().join("index.html"),
        "<!doctype html><title>Porte-voix</title>",
    )
    .unwrap();
    std::fs::create_dir(pwa.path().join("assets")).unwrap();
    std::fs::write(
        pwa.path().join("assets/app-1a2b.js"),
        "console.log('porte-voix');".repeat(200),
    )
    .unwrap();
    let dir = pwa.path().to_path_buf();
    let app = TestApp::spawn_with(move |s| s.pwa_dir = dir).await;
    let get = |path: &str| {
        app.client
            .get(format!("{}{path}", app.base))
            .header("accept-encoding", "gzip")
            .send()
    };
    let cache = |r: &reqwest::Response| {
        r.headers()
            .get("cache-control")
            .map(|v| v.to_str().unwrap().to_owned())
    };

    let root = get("/").await.unwrap();
    assert_eq!(
        (root.status().as_u16(), cache(&root).as_deref()),
        (200, Some("no-cache"))
    );
    let route = get("/tournee").await.unwrap();
    assert_eq!(route.status(), 200, "an app route reloads into the shell");
    let asset = get("/assets/app-1a2b.js").await.unwrap();
    assert_eq!(
        cache(&asset).as_deref(),
        Some("public, max-age=31536000, immutable")
    );
    assert_eq!(
        asset
            .headers()
            .get("content-encoding")
            .map(|v| v.to_str().unwrap()),
        Some("gzip")
    );
    let missing = get("/assets/app-old.js").await.unwrap();
    assert_eq!(
        missing.status(),
        404,
        "a missing script is not answered with HTML"
    );
    let api = get("/api/v1/nope").await.unwrap();
    assert_eq!(
        (api.status().as_u16(), cache(&api).as_deref()),
        (404, Some("no-store"))
    );
    let body: Value = api.json().await.unwrap_or(Value::Null);
    assert!(body.is_null() || body["error"]["code"] == "not_found");
}

#[tokio::test]
async fn a_resident_gets_what_is_held_with_their_details_then_has_it_erased() {
    let app = TestApp::spawn().await;
    let vol = app.login("vol").await;
    let mut docs = Vec::new();
    let mut contacts = Vec::new();
    for (i, phone) in ["06 11 22 33 44", "+33 6 11 22 33 44", "07 99 99 99 99"]
        .iter()
        .enumerate()
    {
        let id = Uuid::new_v4();
        let mut c = contribution_json(id, &app.user_id("vol"), 45.7665, 4.8795);
        c["consent"] = json!({"contact": true, "at": "2026-11-28T10:00:00Z"});
        docs.push(PhoneDoc::new(
            &format!("phone-vol-{i}"),
            id,
            "contribution",
            &c,
        ));
        contacts.push(json!({"contribution_id": id, "name": "Mme Exemple", "phone": phone}));
    }
    let refs: Vec<&PhoneDoc> = docs.iter().collect();
    let mut body = request(&refs, None);
    body["contacts"] = json!(contacts);
    let (_, r) = app.sync(&vol, &body).await;
    assert!(
        r["contacts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["status"] == "ok"),
        "{r}"
    );

    let officer = app.login("officer").await;
    let find = |q: Value| {
        let app = &app;
        let officer = officer.clone();
        async move {
            app.send(
                reqwest::Method::POST,
                &officer,
                "/api/v1/residents/search",
                &q,
            )
            .await
        }
    };
    let (status, found) = find(json!({"phone": "0611223344"})).await;
    assert_eq!(status, 200, "{found}");
    let records = found["records"].as_array().unwrap();
    assert_eq!(records.len(), 2, "both spellings of the number: {found}");
    assert!(records
        .iter()
        .all(|r| r["contribution"]["text"].is_string()));
    let (status, _) = find(json!({"phone": "12"})).await;
    assert_eq!(status, 400, "too short to name anyone");
    let (status, _) = app
        .send(
            reqwest::Method::POST,
            &vol,
            "/api/v1/residents/search",
            &json!({"phone": "0611223344"}),
        )
        .await;
    assert_eq!(status, 403);

    let ids: Vec<Value> = records
        .iter()
        .map(|r| r["contact"]["contribution_id"].clone())
        .collect();
    let (status, report) = app
        .send(
            reqwest::Method::POST,
            &officer,
            "/api/v1/residents/erase",
            &json!({"contribution_ids": ids}),
        )
        .await;
    assert_eq!((status, report["erased"].as_u64()), (200, Some(2)));
    let (_, again) = find(json!({"phone": "06 11 22 33 44"})).await;
    assert_eq!(again["records"].as_array().unwrap().len(), 0);
    // The other resident is untouched, and nothing erased shows on disk.
    let (_, other) = find(json!({"phone": "07 99 99 99 99"})).await;
    assert_eq!(other["records"].as_array().unwrap().len(), 1);
    assert!(!porte_voix_tests::dir_contains(
        app.data_dir(),
        b"06 11 22 33 44"
    ));
    let admin = app.login("admin").await;
    let (_, audit) = app.get(&admin, "/api/v1/audit?action=resident.erase").await;
    assert_eq!(audit["total"], 2);
}
