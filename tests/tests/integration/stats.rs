//! Statistics over HTTP: counts equal to the list's totals, territory of a
//! commune, and the masking of respondent cells under 5.

use crate::search::{seed, spec, Place, Spec};
use porte_voix_tests::TestApp;
use serde_json::{json, Value};

fn with_gender(mut s: Spec, gender: &str) -> Spec {
    s.respondent = json!({ "gender": gender, "age": "30_44" });
    s
}

fn cell<'a>(stats: &'a Value, key: &str) -> &'a Value {
    stats["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == key)
        .unwrap_or_else(|| panic!("no cell {key}"))
}

#[tokio::test]
async fn respondent_cells_under_five_are_masked_for_every_caller() {
    let app = TestApp::spawn().await;
    let mut specs = Vec::new();
    for _ in 0..4 {
        specs.push(with_gender(
            spec("vol", Place::Villeurbanne, "Bruit", "safety"),
            "woman",
        ));
    }
    for _ in 0..5 {
        specs.push(with_gender(
            spec("vol", Place::Villeurbanne, "Bruit", "safety"),
            "man",
        ));
    }
    for _ in 0..6 {
        specs.push(with_gender(
            spec("vol2", Place::Villeurbanne, "Bruit", "safety"),
            "other",
        ));
    }
    seed(&app, &specs).await;
    for who in ["officer", "villeurbanne"] {
        let token = app.login(who).await;
        let (status, s) = app.get(&token, "/api/v1/stats/respondents?by=gender").await;
        assert_eq!(status, 200, "{who}");
        let woman = cell(&s, "woman");
        assert_eq!(
            (woman["count"].clone(), woman["masked"].clone()),
            (Value::Null, json!(true)),
            "{who}: 4 is masked"
        );
        assert!(
            !s.to_string().contains(":4,"),
            "{who}: the 4 appears nowhere"
        );
        // `undisclosed` (0) is masked too; two hidden cells, and no total:
        // the 4 cannot be recomputed from what is shown.
        assert_eq!(cell(&s, "undisclosed")["masked"], true);
        assert_eq!(cell(&s, "man")["count"], 5, "{who}: 5 is shown");
        assert_eq!(cell(&s, "other")["count"], 6);
        assert_eq!(s["total"], Value::Null);
        // All 15 share the age bracket: 15 shown; the empty brackets (0)
        // are masked.
        let (_, s) = app.get(&token, "/api/v1/stats/respondents?by=age").await;
        assert_eq!(cell(&s, "30_44")["count"], 15);
        assert_eq!(cell(&s, "18_29")["masked"], true);
    }
    // With one more woman: 5 is shown, and nothing else needs hiding.
    seed(
        &app,
        &[with_gender(
            spec("vol", Place::Villeurbanne, "Bruit", "safety"),
            "woman",
        )],
    )
    .await;
    let officer = app.login("officer").await;
    let (_, s) = app
        .get(
            &officer,
            "/api/v1/stats/respondents?by=gender&commune=69266",
        )
        .await;
    // Only `undisclosed` (0) is under 5: the smallest shown cell is hidden
    // with it (secondary suppression), so it cannot be deduced from the
    // count of contributions.
    assert_eq!(cell(&s, "undisclosed")["masked"], true);
    let hidden = s["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["masked"] == true)
        .count();
    assert_eq!(hidden, 2);
    assert_eq!(cell(&s, "other")["count"], 6);
    assert_eq!(s["total"], Value::Null);
    let (_, s) = app.get(&officer, "/api/v1/stats/respondents?by=age").await;
    assert_eq!(cell(&s, "30_44")["count"], 16);
    // A filter that singles people out is refused.
    let (status, _) = app
        .get(&officer, "/api/v1/stats/respondents?by=gender&q=bruit")
        .await;
    assert_eq!(status, 400);
    // Lyon 3e's account sees none of Villeurbanne's respondents.
    let lyon3 = app.login("lyon3").await;
    let (_, s) = app.get(&lyon3, "/api/v1/stats/respondents?by=gender").await;
    assert!(s["cells"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["masked"] == true));
}

#[tokio::test]
async fn contribution_counts_equal_the_list_and_stay_in_the_territory() {
    let app = TestApp::spawn().await;
    seed(
        &app,
        &[
            spec("vol", Place::Villeurbanne, "Bruit", "safety"),
            spec("vol", Place::Villeurbanne, "Poubelles", "cleanliness"),
            spec("vol", Place::Lyon3, "Bruit", "safety"),
            spec("vol2", Place::Lyon1, "Vélos", "mobility"),
        ],
    )
    .await;
    let officer = app.login("officer").await;
    let (status, s) = app
        .get(&officer, "/api/v1/stats/contributions?by=commune")
        .await;
    assert_eq!(status, 200);
    assert_eq!(cell(&s, "69266")["count"], 2);
    assert_eq!(
        cell(&s, "69123")["count"],
        2,
        "Lyon counts with its arrondissements"
    );
    assert_eq!(s["total"], 4);
    let (_, s) = app
        .get(&officer, "/api/v1/stats/contributions?by=arrondissement")
        .await;
    assert_eq!(cell(&s, "69383")["count"], 1);
    for by in ["theme", "kind", "status", "week", "campaign"] {
        let (status, s) = app
            .get(
                &officer,
                &format!("/api/v1/stats/contributions?by={by}&theme=safety"),
            )
            .await;
        assert_eq!(status, 200, "{by}");
        for c in s["cells"].as_array().unwrap() {
            let key = c["key"].as_str().unwrap();
            if by == "week" {
                assert!(key.contains("-W"), "ISO week {key}");
                continue;
            }
            let (_, list) = app
                .get(
                    &officer,
                    &format!("/api/v1/contributions?theme=safety&{by}={key}"),
                )
                .await;
            assert_eq!(list["total"], c["count"], "{by}={key}");
        }
    }
    let villeurbanne = app.login("villeurbanne").await;
    let (_, s) = app
        .get(&villeurbanne, "/api/v1/stats/contributions?by=commune")
        .await;
    assert_eq!(s["cells"].as_array().unwrap().len(), 1);
    assert_eq!(cell(&s, "69266")["count"], 2);
    for who in ["vol", "admin"] {
        let t = app.login(who).await;
        assert_eq!(
            app.get(&t, "/api/v1/stats/contributions?by=commune")
                .await
                .0,
            403,
            "{who}"
        );
    }
    assert_eq!(
        app.get(&officer, "/api/v1/stats/contributions?by=author")
            .await
            .0,
        400
    );
}
