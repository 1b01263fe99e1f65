//! Accounts from the console: the officer brings in and disables
//! volunteers, the admin manages everyone; disabling or signing out a lost
//! phone refuses its tokens at once (sync included) and is audited.

use porte_voix_tests::{contribution_json, request, PhoneDoc, TestApp, PASSWORD};
use reqwest::Method;
use serde_json::{json, Value};
use uuid::Uuid;

async fn login_body(app: &TestApp, email: &str, password: &str) -> (u16, Value) {
    let r = app
        .client
        .post(format!("{}/api/v1/auth/login", app.base))
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

async fn refresh(app: &TestApp, token: &str) -> (u16, Value) {
    let r = app
        .client
        .post(format!("{}/api/v1/auth/refresh", app.base))
        .json(&json!({"refresh_token": token}))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_officer_brings_in_a_volunteer_who_logs_in_and_syncs() {
    let app = TestApp::spawn().await;
    let officer = app.login("officer").await;
    let (status, created) = app
        .send(
            Method::POST,
            &officer,
            "/api/v1/users",
            &json!({"email": "Camille@Exemple.fr", "name": "Camille", "role": "volunteer", "password": "marché-croix-rousse"}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["role"], "volunteer");
    assert!(created.get("password_hash").is_none());
    let (status, again) = app
        .send(
            Method::POST,
            &officer,
            "/api/v1/users",
            &json!({"email": "camille@exemple.fr", "name": "Autre", "role": "volunteer", "password": "marché-croix-rousse"}),
        )
        .await;
    assert_eq!(status, 409, "{again}");
    let (status, tokens) = login_body(&app, "camille@exemple.fr", "marché-croix-rousse").await;
    assert_eq!(status, 200);
    let token = tokens["access_token"].as_str().unwrap();
    let id = Uuid::new_v4();
    let c = contribution_json(id, created["id"].as_str().unwrap(), 45.7665, 4.8795);
    let doc = PhoneDoc::new("phone-camille", id, "contribution", &c);
    let (status, r) = app.sync(token, &request(&[&doc], None)).await;
    assert_eq!(
        (status, r["documents"][0]["status"].as_str()),
        (200, Some("ok")),
        "{r}"
    );

    // The officer lists volunteers only; the admin everyone.
    let (_, list) = app.get(&officer, "/api/v1/users").await;
    let roles: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["role"].as_str().unwrap())
        .collect();
    assert!(roles.iter().all(|r| *r == "volunteer"), "{roles:?}");
    let (_, all) = app.get(&app.login("admin").await, "/api/v1/users").await;
    assert!(all
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["role"] == "officer"));
}

#[tokio::test]
async fn the_officer_manages_volunteers_only_and_others_manage_nobody() {
    let app = TestApp::spawn().await;
    let officer = app.login("officer").await;
    let new = |role: &str| json!({"email": format!("{role}-x@test.fr"), "name": "X", "role": role, "password": "assez-long-oui"});
    let (status, _) = app
        .send(Method::POST, &officer, "/api/v1/users", &new("admin"))
        .await;
    assert_eq!(status, 403, "the officer cannot create an admin");
    let (status, _) = app
        .send(Method::POST, &officer, "/api/v1/users", &new("officer"))
        .await;
    assert_eq!(status, 403);
    let path = format!("/api/v1/users/{}", app.user_id("admin"));
    let (status, _) = app
        .send(Method::PATCH, &officer, &path, &json!({"disabled": true}))
        .await;
    assert_eq!(status, 403, "the officer cannot disable the admin");
    let path = format!("/api/v1/users/{}", app.user_id("vol"));
    let (status, _) = app
        .send(Method::PATCH, &officer, &path, &json!({"role": "officer"}))
        .await;
    assert_eq!(status, 403, "nor promote a volunteer");
    for who in ["vol2", "villeurbanne"] {
        let t = app.login(who).await;
        let (status, _) = app
            .send(Method::PATCH, &t, &path, &json!({"disabled": true}))
            .await;
        assert_eq!(status, 403, "{who}");
        let (status, _) = app
            .send(Method::POST, &t, "/api/v1/users", &new("volunteer"))
            .await;
        assert_eq!(status, 403, "{who}");
    }
    let (status, e) = app.send(Method::POST, &officer, "/api/v1/users", &json!({"email": "court@test.fr", "name": "C", "role": "volunteer", "password": "court"})).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (400, Some("bad_request"))
    );
    // The admin makes a commune account, which needs its commune.
    let admin = app.login("admin").await;
    let (status, _) = app.send(Method::POST, &admin, "/api/v1/users", &json!({"email": "mairie@test.fr", "name": "Mairie", "role": "commune", "password": "assez-long-oui"})).await;
    assert_eq!(status, 400);
    let (status, _) = app.send(Method::POST, &admin, "/api/v1/users", &json!({"email": "mairie@test.fr", "name": "Mairie", "role": "commune", "commune": "69266", "password": "assez-long-oui"})).await;
    assert_eq!(status, 201);
    let own = format!("/api/v1/users/{}", app.user_id("admin"));
    let (status, _) = app
        .send(Method::PATCH, &admin, &own, &json!({"disabled": true}))
        .await;
    assert_eq!(status, 400, "nobody disables their own account");
}

#[tokio::test]
async fn a_disabled_volunteer_is_refused_everywhere_at_once_with_a_readable_code() {
    let app = TestApp::spawn().await;
    let (_, tokens) = login_body(&app, "vol@test.fr", PASSWORD).await;
    let access = tokens["access_token"].as_str().unwrap().to_owned();
    let refresh_token = tokens["refresh_token"].as_str().unwrap().to_owned();
    let officer = app.login("officer").await;
    let path = format!("/api/v1/users/{}", app.user_id("vol"));
    let (status, view) = app
        .send(Method::PATCH, &officer, &path, &json!({"disabled": true}))
        .await;
    assert_eq!((status, view["disabled"].as_bool()), (200, Some(true)));

    let (status, e) = app.sync(&access, &request(&[], None)).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (403, Some("account_disabled")),
        "{e}"
    );
    let (status, e) = app.get(&access, "/api/v1/me").await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (403, Some("account_disabled"))
    );
    let (status, e) = refresh(&app, &refresh_token).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (403, Some("account_disabled"))
    );
    let (status, e) = login_body(&app, "vol@test.fr", PASSWORD).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (403, Some("account_disabled"))
    );
    let (status, e) = login_body(&app, "vol@test.fr", "wrong-password").await;
    assert_eq!(
        status, 401,
        "a wrong password does not learn the account is disabled: {e}"
    );

    // Enabled again, the volunteer logs in anew; the old tokens stay dead.
    let (status, _) = app
        .send(Method::PATCH, &officer, &path, &json!({"disabled": false}))
        .await;
    assert_eq!(status, 200);
    let (status, _) = app.get(&access, "/api/v1/me").await;
    assert_eq!(status, 401, "a token from before the disabling");
    let (status, _) = login_body(&app, "vol@test.fr", PASSWORD).await;
    assert_eq!(status, 200);

    let admin = app.login("admin").await;
    let (_, audit) = app.get(&admin, "/api/v1/audit?action=user.disable").await;
    assert_eq!(audit["items"][0]["target"], app.user_id("vol").as_str());
    assert_eq!(
        audit["items"][0]["user_id"],
        app.user_id("officer").as_str()
    );
}

#[tokio::test]
async fn a_lost_phone_is_signed_out_and_a_role_change_applies_to_the_next_request() {
    let app = TestApp::spawn().await;
    let (_, phone) = login_body(&app, "vol@test.fr", PASSWORD).await;
    let officer = app.login("officer").await;
    let path = format!("/api/v1/users/{}/sessions", app.user_id("vol"));
    let r = app
        .client
        .delete(format!("{}{path}", app.base))
        .bearer_auth(&officer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (status, _) = app
        .get(phone["access_token"].as_str().unwrap(), "/api/v1/me")
        .await;
    assert_eq!(status, 401, "the lost phone's access token");
    let (status, _) = refresh(&app, phone["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 401, "and its refresh token");
    // The volunteer logs in again on their new phone at once.
    let (status, fresh) = login_body(&app, "vol@test.fr", PASSWORD).await;
    assert_eq!(status, 200);
    let (status, _) = app
        .get(fresh["access_token"].as_str().unwrap(), "/api/v1/me")
        .await;
    assert_eq!(status, 200);

    // Logout ends a refresh token.
    let r = app
        .client
        .post(format!("{}/api/v1/auth/logout", app.base))
        .json(&json!({"refresh_token": fresh["refresh_token"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let (status, _) = refresh(&app, fresh["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, 401);

    // The admin makes the commune account of Villeurbanne a volunteer: its
    // token, issued as commune, now reads as a volunteer.
    let commune = app.login("villeurbanne").await;
    let admin = app.login("admin").await;
    let (status, _) = app
        .send(
            Method::PATCH,
            &admin,
            &format!("/api/v1/users/{}", app.user_id("villeurbanne")),
            &json!({"role": "volunteer", "commune": null}),
        )
        .await;
    assert_eq!(status, 200);
    let (_, me) = app.get(&commune, "/api/v1/me").await;
    assert_eq!(me["role"], "volunteer");
    let (status, _) = app.sync(&commune, &request(&[], None)).await;
    assert_eq!(status, 200, "the new role's rights, not the token's");
}
