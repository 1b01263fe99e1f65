//! Exports parsed back as a spreadsheet or a GIS would read them, equal to
//! the list for the same filter; a commune's only its territory, without
//! the author.

use crate::search::{item_ids, seed, spec, Place};
use calamine::Reader;
use porte_voix_tests::TestApp;
use serde_json::Value;

async fn bytes(app: &TestApp, token: &str, path: &str) -> (u16, Vec<u8>) {
    let r = app
        .client
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.bytes().await.unwrap().to_vec())
}

/// Rows of a CSV export (BOM stripped), header first.
fn csv_rows(body: &[u8], sep: u8) -> Vec<Vec<String>> {
    let body = body
        .strip_prefix("\u{feff}".as_bytes())
        .expect("a UTF-8 BOM");
    csv::ReaderBuilder::new()
        .delimiter(sep)
        .has_headers(false)
        .from_reader(body)
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

fn column(rows: &[Vec<String>], name: &str) -> Vec<String> {
    let at = rows[0].iter().position(|h| h == name).expect(name);
    rows[1..].iter().map(|r| r[at].clone()).collect()
}

async fn seeded() -> TestApp {
    let app = TestApp::spawn().await;
    seed(
        &app,
        &[
            spec(
                "vol",
                Place::Villeurbanne,
                "Trottoirs glissants l'hiver; « danger »",
                "safety",
            ),
            spec(
                "vol",
                Place::Lyon3,
                "Sécurité du carrefour, la nuit",
                "safety",
            ),
            spec(
                "vol2",
                Place::Villeurbanne,
                "Plus de poubelles au parc",
                "cleanliness",
            ),
            spec(
                "vol2",
                Place::Lyon1,
                "Une piste cyclable continue",
                "mobility",
            ),
        ],
    )
    .await;
    app
}

#[tokio::test]
async fn csv_xlsx_and_geojson_equal_the_list_for_the_same_filter() {
    let app = seeded().await;
    let officer = app.login("officer").await;
    let filter = "theme=safety,cleanliness&sort=oldest";
    let (_, list) = app
        .get(
            &officer,
            &format!("/api/v1/contributions?{filter}&per_page=200"),
        )
        .await;
    let expected = item_ids(&list);
    assert_eq!(expected.len(), 3);
    let texts: Vec<String> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["text"].as_str().unwrap().to_owned())
        .collect();

    let (status, body) = bytes(
        &app,
        &officer,
        &format!("/api/v1/exports/contributions.csv?{filter}"),
    )
    .await;
    assert_eq!(status, 200);
    let rows = csv_rows(&body, b';');
    assert_eq!(column(&rows, "id"), expected);
    assert_eq!(column(&rows, "text"), texts);
    assert_eq!(column(&rows, "author")[0], app.user_id("vol"));
    assert_eq!(column(&rows, "commune")[0], "69266");
    assert_eq!(column(&rows, "commune_name")[0], "Villeurbanne");

    let (_, body) = bytes(
        &app,
        &officer,
        &format!("/api/v1/exports/contributions.csv?{filter}&sep=comma"),
    )
    .await;
    assert_eq!(column(&csv_rows(&body, b','), "id"), expected);

    let (status, body) = bytes(
        &app,
        &officer,
        &format!("/api/v1/exports/contributions.xlsx?{filter}"),
    )
    .await;
    assert_eq!(status, 200);
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(body)).unwrap();
    let range = book.worksheet_range("contributions").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(column(&rows, "id"), expected);
    assert_eq!(column(&rows, "text"), texts);

    let (status, body) = bytes(
        &app,
        &officer,
        &format!("/api/v1/exports/contributions.geojson?{filter}"),
    )
    .await;
    assert_eq!(status, 200);
    let fc: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(fc["type"], "FeatureCollection");
    let features = fc["features"].as_array().unwrap();
    let ids: Vec<String> = features
        .iter()
        .map(|f| f["properties"]["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, expected);
    assert_eq!(features[0]["geometry"]["type"], "Point");
    assert_eq!(
        features[0]["geometry"]["coordinates"][0].as_f64(),
        Some(4.8795)
    );
}

#[tokio::test]
async fn a_commune_export_holds_its_territory_only_and_no_author() {
    let app = seeded().await;
    let token = app.login("villeurbanne").await;
    let (_, list) = app.get(&token, "/api/v1/contributions?per_page=200").await;
    let expected = item_ids(&list);
    assert_eq!(expected.len(), 2);
    let (status, body) = bytes(&app, &token, "/api/v1/exports/contributions.csv").await;
    assert_eq!(status, 200);
    let rows = csv_rows(&body, b';');
    assert!(!rows[0].iter().any(|h| h == "author"), "no author column");
    assert_eq!(column(&rows, "id"), expected);
    assert!(column(&rows, "commune").iter().all(|c| c == "69266"));
    let vol = app.user_id("vol");
    let vol2 = app.user_id("vol2");
    assert!(!String::from_utf8_lossy(&body).contains(&vol));
    assert!(!String::from_utf8_lossy(&body).contains(&vol2));
    // Asking for another commune's territory exports nothing of it.
    let (_, body) = bytes(
        &app,
        &token,
        "/api/v1/exports/contributions.geojson?commune=69383",
    )
    .await;
    let fc: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(fc["features"].as_array().unwrap().len(), 0);
    let (_, body) = bytes(&app, &token, "/api/v1/exports/contributions.geojson").await;
    let fc: Value = serde_json::from_slice(&body).unwrap();
    for f in fc["features"].as_array().unwrap() {
        assert!(f["properties"].get("author").is_none());
    }
    // Volunteers and administrators are refused.
    for who in ["vol", "admin"] {
        let t = app.login(who).await;
        assert_eq!(
            bytes(&app, &t, "/api/v1/exports/contributions.csv").await.0,
            403,
            "{who}"
        );
    }
}
