use porte_voix_tests::{TestApp, PASSWORD};
use serde_json::{json, Value};

#[tokio::test]
async fn login_with_the_right_password_gives_tokens_and_the_user() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"email": "VOL@test.fr ", "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["user"]["role"], "volunteer");
    assert_eq!(body["token_type"], "Bearer");
    assert!(body["refresh_token"].as_str().unwrap().len() > 20);
    let (status, me) = app
        .get(body["access_token"].as_str().unwrap(), "/api/v1/me")
        .await;
    assert_eq!(
        (status, me["id"].as_str()),
        (200, Some(app.user_id("vol").as_str()))
    );
}

#[tokio::test]
async fn a_wrong_password_or_unknown_email_is_401_with_the_json_error() {
    let app = TestApp::spawn().await;
    for (email, password) in [
        ("vol@test.fr", "wrong-password"),
        ("nobody@test.fr", PASSWORD),
    ] {
        let r = app
            .client
            .post(format!("{}/api/v1/auth/login", app.base))
            .json(&json!({"email": email, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_credentials");
    }
}

#[tokio::test]
async fn missing_tampered_and_expired_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .get(format!("{}/api/v1/contributions", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "unauthorized"
    );
    let token = app.login("officer").await;
    // Change the role claim without re-signing.
    let mut parts: Vec<String> = token.split('.').map(String::from).collect();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let claims = String::from_utf8(b64.decode(&parts[1]).unwrap()).unwrap();
    parts[1] = b64.encode(claims.replace("officer", "admin"));
    let (status, body) = app.get(&parts.join("."), "/api/v1/contributions").await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthorized"))
    );

    let expired_app = TestApp::spawn_with(|s| s.access_ttl_s = -120).await;
    let expired = expired_app.login("vol").await;
    let (status, body) = expired_app.get(&expired, "/api/v1/contributions").await;
    assert_eq!(status, 401);
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("expired"));
}

#[tokio::test]
async fn a_refresh_token_rotates_and_works_once() {
    let app = TestApp::spawn().await;
    let r: Value = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"email": "vol@test.fr", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let old = r["refresh_token"].as_str().unwrap();
    let refresh = |t: &str| {
        app.client
            .post(format!("{}/api/v1/auth/refresh", app.base))
            .json(&json!({"refresh_token": t}))
            .send()
    };
    let first = refresh(old).await.unwrap();
    assert_eq!(first.status(), 200);
    let next: Value = first.json().await.unwrap();
    assert_ne!(next["refresh_token"], r["refresh_token"]);
    assert_eq!(
        refresh(old).await.unwrap().status(),
        401,
        "the old token is used up"
    );
    assert_eq!(
        refresh(next["refresh_token"].as_str().unwrap())
            .await
            .unwrap()
            .status(),
        200
    );
}

#[tokio::test]
async fn malformed_bodies_get_the_json_error_not_a_crash() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"]["code"],
        "bad_request"
    );
}
