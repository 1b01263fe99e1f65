//! Open assemblies over HTTP: the officer's agenda of topics, the dossier
//! with figures and quotes, what communes may read.

use crate::topics::{post, seed, topic, LYON3, VILLEURBANNE};
use porte_voix_tests::TestApp;
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

fn agenda_topics(d: &Value) -> Vec<String> {
    d["agenda"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["topic"]["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_assembly_dossier_gives_each_agenda_topic_with_figures_and_quotes() {
    let app = TestApp::spawn().await;
    let v = seed(&app, 2, VILLEURBANNE, "Les poubelles débordent").await;
    let l = seed(&app, 1, LYON3, "Pas assez de bancs").await;
    let officer = app.login("officer").await;
    let tv = topic(&app, &officer, "Propreté", &v).await;
    let tl = topic(&app, &officer, "Bancs", &l).await;
    let (status, _) = post(
        &app,
        &officer,
        &format!("/api/v1/topics/{tv}/quotes"),
        json!({"contribution": v[0], "excerpt": "poubelles débordent"}),
    )
    .await;
    assert_eq!(status, 201);

    let (status, a) = post(
        &app,
        &officer,
        "/api/v1/assemblies",
        json!({"title": "Assemblée ouverte de décembre", "date": "2026-12-10",
               "place": "Hôtel de la Métropole",
               "agenda": [{"topic": tv, "title": "La propreté des rues"}, {"topic": tl}]}),
    )
    .await;
    assert_eq!(status, 201, "{a}");
    assert_eq!(agenda_topics(&a), [tv.to_string(), tl.to_string()]);
    assert_eq!(a["agenda"][0]["position"], 1);
    assert_eq!(a["agenda"][0]["title"], "La propreté des rues");
    assert_eq!(
        a["agenda"][1]["title"], "Bancs",
        "the topic's title by default"
    );
    assert_eq!(a["agenda"][0]["topic"]["figures"]["count"], 2);
    assert_eq!(
        a["agenda"][0]["topic"]["quotes"][0]["excerpt"],
        "poubelles débordent"
    );
    let id = a["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/assemblies/{id}");

    // Reordered, with minutes.
    let (status, a) = app
        .send(
            Method::PATCH,
            &officer,
            &path,
            &json!({"agenda": [{"topic": tl, "minutes": "Deux bancs promis."}, {"topic": tv}]}),
        )
        .await;
    assert_eq!(status, 200, "{a}");
    assert_eq!(agenda_topics(&a), [tl.to_string(), tv.to_string()]);
    assert_eq!(a["agenda"][0]["minutes"], "Deux bancs promis.");

    // Communes: the whole Métropole's assembly, their topics only, their
    // figures only.
    let ville = app.login("villeurbanne").await;
    let (status, d) = app.get(&ville, &path).await;
    assert_eq!(status, 200);
    assert_eq!(agenda_topics(&d), [tv.to_string()]);
    assert_eq!(d["agenda"][0]["position"], 2, "positions are the agenda's");
    let lyon3 = app.login("lyon3").await;
    let (_, d) = app.get(&lyon3, &path).await;
    assert_eq!(agenda_topics(&d), [tl.to_string()]);
    let (status, list) = app.get(&lyon3, "/api/v1/assemblies").await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["agenda"].as_array().unwrap().len(), 1);

    // Held for Villeurbanne: Lyon 3e does not see it at all.
    let (status, _) = app
        .send(Method::PATCH, &officer, &path, &json!({"commune": "69266"}))
        .await;
    assert_eq!(status, 200);
    let (status, err) = app.get(&lyon3, &path).await;
    assert_eq!(
        (status, err["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (_, list) = app.get(&lyon3, "/api/v1/assemblies").await;
    assert_eq!(list, json!([]));
    let (status, _) = app.get(&ville, &path).await;
    assert_eq!(status, 200);

    for who in ["vol", "admin"] {
        let token = app.login(who).await;
        for p in ["/api/v1/assemblies", path.as_str()] {
            let (status, _) = app.get(&token, p).await;
            assert_eq!(status, 403, "{who} {p}");
        }
    }
}

#[tokio::test]
async fn assembly_writes_are_the_officers_and_checked() {
    let app = TestApp::spawn().await;
    let officer = app.login("officer").await;
    let ok = json!({"title": "Assemblée", "date": "2026-12-10", "place": "Salle des fêtes"});
    for body in [
        json!({"title": "", "date": "2026-12-10", "place": "Salle"}),
        json!({"title": "A", "date": "10/12/2026", "place": "Salle"}),
        json!({"title": "A", "date": "2026-12-10", "place": ""}),
        json!({"title": "A", "date": "2026-12-10", "place": "Salle", "commune": "99999"}),
        json!({"title": "A", "date": "2026-12-10", "place": "Salle", "agenda": [{"topic": Uuid::new_v4()}]}),
    ] {
        let (status, err) = post(&app, &officer, "/api/v1/assemblies", body.clone()).await;
        assert_eq!(status, 400, "{body}: {err}");
    }
    let (_, list) = app.get(&officer, "/api/v1/assemblies").await;
    assert_eq!(list, json!([]), "nothing stored");
    for who in ["vol", "villeurbanne", "admin"] {
        let token = app.login(who).await;
        let (status, _) = post(&app, &token, "/api/v1/assemblies", ok.clone()).await;
        assert_eq!(status, 403, "{who}");
    }
    let (status, a) = post(&app, &officer, "/api/v1/assemblies", ok).await;
    assert_eq!(status, 201);
    let ville = app.login("villeurbanne").await;
    let (status, _) = app
        .send(
            Method::PATCH,
            &ville,
            &format!("/api/v1/assemblies/{}", a["id"].as_str().unwrap()),
            &json!({"title": "x"}),
        )
        .await;
    assert_eq!(status, 403);
    let (status, _) = app
        .send(
            Method::PATCH,
            &officer,
            &format!("/api/v1/assemblies/{}", Uuid::new_v4()),
            &json!({"title": "x"}),
        )
        .await;
    assert_eq!(status, 404);
}
