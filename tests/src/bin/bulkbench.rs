//! `bulkbench`: how long bulk actions over 1,000 contributions
//! take against a real server (sled store, flushed), for
//! docs/PERFORMANCE.md "Bulk actions". Figures only, nothing asserted.
//!
//! `cargo run --release -p porte-voix-tests --bin bulkbench -- [N]`

use porte_voix_tests::{contribution_json, request, PhoneDoc, TestApp};
use serde_json::{json, Value};
use std::time::Instant;
use uuid::Uuid;

#[tokio::main]
async fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse().expect("N is a number"))
        .unwrap_or(1000);
    let app = TestApp::spawn().await;
    let vol = app.login("vol").await;
    let officer = app.login("officer").await;
    let mut ids = Vec::with_capacity(n);
    let started = Instant::now();
    while ids.len() < n {
        let docs: Vec<PhoneDoc> = (0..(n - ids.len()).min(200))
            .map(|_| {
                let id = Uuid::new_v4();
                PhoneDoc::new(
                    "phone-vol",
                    id,
                    "contribution",
                    &contribution_json(id, &app.user_id("vol"), 45.7665, 4.8795),
                )
            })
            .collect();
        let refs: Vec<&PhoneDoc> = docs.iter().collect();
        let (status, reply) = app.sync(&vol, &request(&refs, None)).await;
        assert_eq!(status, 200, "{reply}");
        ids.extend(docs.iter().map(|d| d.id));
    }
    println!("seeded {n} contributions in {:.2?}", started.elapsed());

    let cases: Vec<(&str, Value)> = vec![
        (
            "status new -> qualified, by ids",
            json!({"ids": ids, "action": {"type": "status", "status": "qualified"}}),
        ),
        (
            "add_tags, by ids",
            json!({"ids": ids, "action": {"type": "add_tags", "tags": ["bench"]}}),
        ),
        (
            "add_themes, over a filter (communes: 69266)",
            json!({"filter": {"commune": ["69266"]}, "action": {"type": "add_themes", "themes": ["mobility"]}}),
        ),
        (
            "assignee, by ids",
            json!({"ids": ids, "action": {"type": "assignee", "assignee": app.user_id("officer")}}),
        ),
    ];
    for (name, body) in cases {
        let t = Instant::now();
        let (status, reply) = app
            .send(
                reqwest::Method::POST,
                &officer,
                "/api/v1/contributions/bulk",
                &body,
            )
            .await;
        let took = t.elapsed();
        assert_eq!(status, 200, "{reply}");
        println!(
            "{name}: {} ok of {} in {took:.2?}",
            reply["ok"],
            reply["results"].as_array().unwrap().len()
        );
    }
    let (status, topic) = app
        .send(
            reqwest::Method::POST,
            &officer,
            "/api/v1/topics",
            &json!({"title": "Bench"}),
        )
        .await;
    assert_eq!(status, 201);
    let t = Instant::now();
    let (status, reply) = app
        .send(
            reqwest::Method::POST,
            &officer,
            &format!(
                "/api/v1/topics/{}/contributions",
                topic["id"].as_str().unwrap()
            ),
            &json!({"ids": ids}),
        )
        .await;
    assert_eq!(status, 200, "{reply}");
    println!("attach {n} to a topic: {:.2?}", t.elapsed());
    let t = Instant::now();
    let (status, _) = app
        .get(
            &officer,
            &format!("/api/v1/topics/{}", topic["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(status, 200);
    println!(
        "read the topic with {n} members (figures): {:.2?}",
        t.elapsed()
    );
}
