//! Login protection: rate limits per account and per client address (429
//! with `Retry-After`, free again after the window), `X-Forwarded-For`
//! believed only from configured proxies, the same answer for an unknown
//! e-mail as for a wrong password, and the audit log of logins.

use porte_voix_tests::{TestApp, PASSWORD};
use serde_json::{json, Value};
use std::time::Duration;

async fn login(
    app: &TestApp,
    email: &str,
    password: &str,
    xff: Option<&str>,
) -> (u16, Value, Option<String>) {
    let mut r = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"email": email, "password": password}));
    if let Some(x) = xff {
        r = r.header("X-Forwarded-For", x);
    }
    let r = r.send().await.unwrap();
    let status = r.status().as_u16();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, r.json().await.unwrap_or(Value::Null), retry)
}

#[tokio::test]
async fn an_account_is_held_back_after_its_failures_then_free_after_the_window() {
    let app = TestApp::spawn_with(|s| {
        s.login_limits.per_account = 3;
        s.login_limits.window = Duration::from_secs(2);
    })
    .await;
    for _ in 0..3 {
        let (status, _, _) = login(&app, "vol@test.fr", "wrong-password", None).await;
        assert_eq!(status, 401);
    }
    // Even the right password waits: a guesser learns nothing past the limit.
    let (status, body, retry) = login(&app, "VOL@test.fr", PASSWORD, None).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"]["code"], "rate_limited");
    let retry: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((1..=2).contains(&retry), "{retry}");
    // Another account from the same address is not held back.
    let (status, _, _) = login(&app, "vol2@test.fr", PASSWORD, None).await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, _, _) = login(&app, "vol@test.fr", PASSWORD, None).await;
    assert_eq!(status, 200, "free again after the window");
}

#[tokio::test]
async fn an_unknown_email_gets_the_wrong_password_answer_and_the_same_limit() {
    let app = TestApp::spawn_with(|s| s.login_limits.per_account = 2).await;
    let (s1, wrong, _) = login(&app, "vol@test.fr", "wrong-password", None).await;
    let (s2, unknown, _) = login(&app, "personne@test.fr", "wrong-password", None).await;
    assert_eq!((s1, s2), (401, 401));
    assert_eq!(wrong, unknown, "the body does not tell which e-mails exist");
    login(&app, "vol@test.fr", "wrong-password", None).await;
    login(&app, "personne@test.fr", "wrong-password", None).await;
    let (s1, _, _) = login(&app, "vol@test.fr", "wrong-password", None).await;
    let (s2, _, _) = login(&app, "personne@test.fr", "wrong-password", None).await;
    assert_eq!((s1, s2), (429, 429), "an unknown e-mail is held back alike");
}

#[tokio::test]
async fn one_address_cannot_try_every_account_and_forwarded_for_is_believed_only_from_a_proxy() {
    // Not behind a proxy: X-Forwarded-For is anyone's header, ignored.
    let app = TestApp::spawn_with(|s| s.login_limits.per_address = 3).await;
    for (i, who) in ["a", "b", "c"].iter().enumerate() {
        let xff = format!("203.0.113.{i}");
        let (status, _, _) = login(&app, &format!("{who}@test.fr"), "x-wrong", Some(&xff)).await;
        assert_eq!(status, 401);
    }
    let (status, _, _) = login(&app, "vol@test.fr", PASSWORD, Some("198.51.100.9")).await;
    assert_eq!(
        status, 429,
        "a spoofed header does not escape the address limit"
    );

    // Behind a trusted proxy (the test client is 127.0.0.1): each client
    // address has its own count.
    let app = TestApp::spawn_with(|s| {
        s.login_limits.per_address = 3;
        s.login_limits.trusted_proxies = vec!["127.0.0.1".parse().unwrap()];
    })
    .await;
    for who in ["a", "b", "c"] {
        login(
            &app,
            &format!("{who}@test.fr"),
            "x-wrong",
            Some("203.0.113.1"),
        )
        .await;
    }
    let (status, _, _) = login(&app, "vol@test.fr", PASSWORD, Some("203.0.113.1")).await;
    assert_eq!(status, 429, "the client behind the proxy is held back");
    let (status, _, _) = login(&app, "vol@test.fr", PASSWORD, Some("203.0.113.2")).await;
    assert_eq!(status, 200, "another client behind the same proxy is not");
}

#[tokio::test]
async fn logins_and_failed_logins_are_in_the_audit_log_for_the_admin_only() {
    let app = TestApp::spawn().await;
    login(&app, "vol@test.fr", "wrong-password", None).await;
    login(&app, "personne@test.fr", "wrong-password", None).await;
    let admin = app.login("admin").await;
    let officer = app.login("officer").await;
    let (status, _) = app.get(&officer, "/api/v1/audit").await;
    assert_eq!(status, 403);
    let (status, page) = app.get(&admin, "/api/v1/audit?limit=100").await;
    assert_eq!(status, 200);
    let items = page["items"].as_array().unwrap();
    let vol = app.user_id("vol");
    assert!(items
        .iter()
        .any(|e| e["action"] == "login.failed" && e["user_id"] == vol.as_str()));
    assert!(items
        .iter()
        .any(|e| e["action"] == "login.failed" && e["user_id"] == "-"));
    assert!(items
        .iter()
        .any(|e| e["action"] == "login" && e["user_id"] == app.user_id("admin").as_str()));
    let text = page.to_string();
    assert!(
        !text.contains("@test.fr"),
        "no e-mail in the audit log: {text}"
    );
    // Newest first, filterable.
    let (_, failed) = app.get(&admin, "/api/v1/audit?action=login.failed").await;
    assert_eq!(failed["total"], 2);
    // CSV for a spreadsheet.
    let r = app
        .client
        .get(format!("{}/api/v1/audit?format=csv", app.base))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let csv = r.text().await.unwrap();
    assert!(csv.starts_with("\u{feff}at;user_id;action;target\r\n"));
    assert!(csv.lines().any(|l| l.ends_with(";login.failed;-")));
    let (status, _) = app.get(&admin, "/api/v1/audit?format=pdf").await;
    assert_eq!(status, 400);
}
