//! Webhooks end to end: local HTTP receivers on 127.0.0.1 verify every
//! signature; the first delivery gets a 500 and is retried (the delivery
//! log shows both attempts); a commune's subscription is forced to its
//! territory and hidden from other communes; payloads of new contributions
//! carry no text, author or contact.

use super::forwards::{token_of, App, LYON_3E, VILLEURBANNE};
use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request a receiver got.
#[derive(Clone, Debug)]
struct Received {
    headers: HashMap<String, String>,
    body: String,
}

/// An HTTP receiver answering 500 to its first `fail_first` requests, then
/// 200.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
}

fn receiver(fail_first: usize) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://127.0.0.1:{}/hook",
        listener.local_addr().unwrap().port()
    );
    let got: Arc<Mutex<Vec<Received>>> = Arc::default();
    let seen = got.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let seen = seen.clone();
            std::thread::spawn(move || {
                stream
                    .set_read_timeout(Some(Duration::from_secs(60)))
                    .unwrap();
                let mut out = stream.try_clone().unwrap();
                let mut r = BufReader::new(stream);
                loop {
                    let mut headers = HashMap::new();
                    let mut first = String::new();
                    if r.read_line(&mut first).unwrap_or(0) == 0 {
                        return;
                    }
                    loop {
                        let mut l = String::new();
                        if r.read_line(&mut l).unwrap_or(0) == 0 {
                            return;
                        }
                        if l == "\r\n" {
                            break;
                        }
                        if let Some((k, v)) = l.split_once(':') {
                            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
                        }
                    }
                    let len: usize = headers
                        .get("content-length")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0);
                    let mut body = vec![0u8; len];
                    if r.read_exact(&mut body).is_err() {
                        return;
                    }
                    let n = {
                        let mut g = seen.lock().unwrap();
                        g.push(Received {
                            headers,
                            body: String::from_utf8(body).unwrap(),
                        });
                        g.len()
                    };
                    let status = if n <= fail_first {
                        "500 Internal Server Error"
                    } else {
                        "200 OK"
                    };
                    let reply = format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n");
                    if out.write_all(reply.as_bytes()).is_err() {
                        return;
                    }
                }
            });
        }
    });
    Receiver { url, got }
}

impl Receiver {
    fn all(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits (bounded) until `pred` holds over what arrived.
    async fn wait_for(&self, what: &str, pred: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let all = self.all();
            if pred(&all) {
                return all;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: {all:?}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn events(got: &[Received], name: &str) -> Vec<Value> {
    got.iter()
        .filter(|r| r.headers.get("x-portevoix-event").map(String::as_str) == Some(name))
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect()
}

/// Checks `t=…,v1=…` against the secret, as a receiver would.
fn verify(secret: &str, r: &Received) {
    let sig = &r.headers["x-portevoix-signature"];
    let (t, v1) = sig.split_once(',').unwrap();
    let t = t.strip_prefix("t=").unwrap();
    let hex = v1.strip_prefix("v1=").unwrap();
    let raw: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", r.body).as_bytes());
    mac.verify_slice(&raw).expect("a valid signature");
    let mut wrong = Hmac::<Sha256>::new_from_slice(b"another secret").unwrap();
    wrong.update(format!("{t}.{}", r.body).as_bytes());
    assert!(wrong.verify_slice(&raw).is_err());
}

#[tokio::test]
async fn signed_deliveries_are_retried_after_a_500_and_communes_get_their_territory_only() {
    let app = App::spawn(|_| {}).await;
    let officer = app.login("officer").await;
    let everything = receiver(1);
    let town = receiver(0);

    // A contribution stored before any subscription, once the Outbox has
    // seen it (its mark in the store): not news, even when edited later.
    let early = app
        .contribution(VILLEURBANNE, "Avant tout abonnement")
        .await;
    let deadline = Instant::now() + Duration::from_secs(60);
    while app
        .store
        .get_meta(&format!("webhooks_seen/{}", early.id))
        .unwrap()
        .is_none()
    {
        assert!(
            Instant::now() < deadline,
            "the Outbox never saw the early contribution"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let (status, hook) = app
        .post(
            &officer,
            "/api/v1/webhooks",
            json!({"url": everything.url, "events": ["contribution.created", "topic.forwarded", "answer.received"]}),
        )
        .await;
    assert_eq!(status, 201, "{hook}");
    let secret = hook["secret"].as_str().unwrap().to_owned();
    let villeurbanne = app.login("villeurbanne").await;
    let (status, town_hook) = app
        .post(
            &villeurbanne,
            "/api/v1/webhooks",
            json!({"url": town.url, "events": ["contribution.created"], "communes": ["69383"]}),
        )
        .await;
    assert_eq!(status, 201, "{town_hook}");
    assert_eq!(
        town_hook["communes"],
        json!(["69266"]),
        "forced to its territory"
    );
    let town_secret = town_hook["secret"].as_str().unwrap().to_owned();

    // The secret is shown once; lists never hold it.
    let (_, list) = app.get(&officer, "/api/v1/webhooks").await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(!list.to_string().contains(&secret) && !list.to_string().contains(&town_secret));
    // Another commune neither sees nor touches Villeurbanne's subscription.
    let lyon3 = app.login("lyon3").await;
    let (_, theirs) = app.get(&lyon3, "/api/v1/webhooks").await;
    assert_eq!(theirs, json!([]));
    let town_id = town_hook["id"].as_str().unwrap();
    let (status, _) = app
        .get(&lyon3, &format!("/api/v1/webhooks/{town_id}/deliveries"))
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .send(
            Method::DELETE,
            &lyon3,
            &format!("/api/v1/webhooks/{town_id}"),
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (_, mine) = app.get(&villeurbanne, "/api/v1/webhooks").await;
    assert_eq!(mine.as_array().unwrap().len(), 1);
    let vol = app.login("vol").await;
    assert_eq!(app.get(&vol, "/api/v1/webhooks").await.0, 403);
    let (status, _) = app
        .post(
            &vol,
            "/api/v1/webhooks",
            json!({"url": town.url, "events": ["topic.forwarded"]}),
        )
        .await;
    assert_eq!(status, 403);
    for bad in [
        json!({"url": "ftp://x", "events": ["topic.forwarded"]}),
        json!({"url": town.url, "events": []}),
        json!({"url": town.url, "events": ["contribution.deleted"]}),
        json!({"url": town.url, "events": ["topic.forwarded"], "communes": ["75056"]}),
    ] {
        let (status, body) = app.post(&officer, "/api/v1/webhooks", bad.clone()).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }

    // The early one is edited after the subscriptions exist.
    let (status, _) = app
        .send(
            Method::PUT,
            &officer,
            &format!("/api/v1/contributions/{}/review", early.id),
            Some(json!({"status": "qualified"})),
        )
        .await;
    assert_eq!(status, 200);

    // Two new contributions: one in Villeurbanne, one in Lyon 3e.
    let a = app
        .contribution(VILLEURBANNE, "Texte privé du résident")
        .await;
    let b = app.contribution(LYON_3E, "Autre texte privé").await;
    let got = everything
        .wait_for("two contribution.created", |g| {
            events(g, "contribution.created").len() >= 3
        })
        .await;
    for r in &got {
        verify(&secret, r);
    }
    let created = events(&got, "contribution.created");
    let ids: std::collections::BTreeSet<&str> = created
        .iter()
        .map(|e| e["data"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [a.id.to_string(), b.id.to_string()]
            .iter()
            .map(String::as_str)
            .collect()
    );
    for e in &created {
        let text = e.to_string();
        for secret_field in [
            "Texte privé",
            "Autre texte",
            "06 11 22 33 44",
            "Mme Exemple",
        ] {
            assert!(!text.contains(secret_field), "{text}");
        }
        assert!(!text.contains(&app.user_id("vol")), "no author: {text}");
        assert!(
            !text.contains(&VILLEURBANNE.0.to_string()),
            "no point: {text}"
        );
    }
    // The first attempt got a 500: the same delivery came again.
    let first = created[0]["id"].as_str().unwrap();
    let again = created.iter().filter(|e| e["id"] == first).count();
    assert_eq!((again, created.len()), (2, 3), "retried once: {created:?}");

    let town_got = town
        .wait_for("Villeurbanne's contribution", |g| !g.is_empty())
        .await;
    verify(&town_secret, &town_got[0]);
    let e: Value = serde_json::from_str(&town_got[0].body).unwrap();
    assert_eq!(e["data"]["id"], a.id.to_string());
    assert_eq!(e["data"]["commune"], "69266");

    // The delivery log: attempt 1 with 500, attempt 2 with 200; no body.
    let hook_id = hook["id"].as_str().unwrap();
    let (status, log) = app
        .get(&officer, &format!("/api/v1/webhooks/{hook_id}/deliveries"))
        .await;
    assert_eq!(status, 200, "{log}");
    let log = log.as_array().unwrap();
    let tries: Vec<(u64, u64)> = log
        .iter()
        .filter(|d| d["delivery"] == first)
        .map(|d| {
            (
                d["attempt"].as_u64().unwrap(),
                d["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(tries, vec![(1, 500), (2, 200)]);
    assert!(!Value::Array(log.clone()).to_string().contains("data"));
    let (status, town_log) = app
        .get(
            &villeurbanne,
            &format!("/api/v1/webhooks/{town_id}/deliveries"),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(town_log[0]["status"], 200);

    // An edit of a known contribution is not announced as created: the
    // officer's review of `a`, then a third contribution; once the third is
    // announced (the feed is followed in order), `a` still came once.
    let (status, _) = app
        .send(
            Method::PUT,
            &officer,
            &format!("/api/v1/contributions/{}/review", a.id),
            Some(json!({"status": "qualified"})),
        )
        .await;
    assert_eq!(status, 200);
    let c = app.contribution(LYON_3E, "Troisième").await;
    let got = everything
        .wait_for("the third contribution", |g| {
            events(g, "contribution.created")
                .iter()
                .any(|e| e["data"]["id"] == c.id.to_string())
        })
        .await;
    // Distinct deliveries (a retried one arrives twice with one id).
    let about_a: std::collections::BTreeSet<String> = events(&got, "contribution.created")
        .into_iter()
        .filter(|e| e["data"]["id"] == a.id.to_string())
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(about_a.len(), 1, "announced once, not again after the edit");
    assert!(
        !events(&got, "contribution.created")
            .iter()
            .any(|e| e["data"]["id"] == early.id.to_string()),
        "a contribution stored before the subscription is not announced when edited"
    );

    // Forward and answer: topic.forwarded then answer.received.
    let recipient = app.recipient(&officer, None).await;
    let (_, f) = app
        .forward(
            &officer,
            &format!("/api/v1/contributions/{}/forwards", a.id),
            &recipient,
        )
        .await;
    assert_eq!(app.answer(&token_of(&f), "Réponse").await.0, 201);
    let got = everything
        .wait_for("topic.forwarded and answer.received", |g| {
            !events(g, "topic.forwarded").is_empty() && !events(g, "answer.received").is_empty()
        })
        .await;
    for r in &got {
        verify(&secret, r);
    }
    let fwd = &events(&got, "topic.forwarded")[0];
    assert_eq!(fwd["data"]["forward"], f["id"]);
    assert_eq!(fwd["data"]["communes"], json!(["69266"]));
    assert!(
        !fwd.to_string().contains(&token_of(&f)),
        "no link in a webhook"
    );
    assert_eq!(
        events(&got, "answer.received")[0]["data"]["forward"],
        f["id"]
    );

    // Deleting a subscription removes it and its log.
    let (status, _) = app
        .send(
            Method::DELETE,
            &villeurbanne,
            &format!("/api/v1/webhooks/{town_id}"),
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, _) = app
        .get(&officer, &format!("/api/v1/webhooks/{town_id}/deliveries"))
        .await;
    assert_eq!(status, 404);
}
