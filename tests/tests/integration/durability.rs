//! The real binary, killed with SIGKILL right after an `ok`, restarted on
//! the same directory: the acknowledged change is there.

use porte_voix_tests::{contribution_json, request, PhoneDoc};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use uuid::Uuid;

fn binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().and_then(Path::parent).unwrap();
    let bin = dir.join("porte-voix");
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --bins` first (make test does)",
        bin.display()
    );
    bin
}

fn start(data: &Path) -> (Child, String) {
    start_logging(data, Stdio::null())
}

fn start_logging(data: &Path, stderr: Stdio) -> (Child, String) {
    let mut child = Command::new(binary())
        .arg("serve")
        .env("PORTE_VOIX_DATA_DIR", data)
        .env("PORTE_VOIX_PORT", "0")
        .env("PORTE_VOIX_PWA_DIR", data.join("no-pwa"))
        .stdout(Stdio::piped())
        .env("RUST_LOG", "debug")
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .expect("listening line")
        .to_owned();
    (child, base)
}

async fn login(client: &reqwest::Client, base: &str) -> String {
    let r: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"email": "vol@test.fr", "password": "mot-de-passe-test"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["access_token"].as_str().unwrap().to_owned()
}

async fn sync(client: &reqwest::Client, base: &str, token: &str, body: &Value) -> Value {
    let r = client
        .post(format!("{base}/api/v1/sync"))
        .bearer_auth(token)
        .json(body)
        .send();
    r.await.unwrap().json().await.unwrap()
}

async fn get(client: &reqwest::Client, base: &str, token: &str, path: &str) -> Value {
    let r = client
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send();
    r.await.unwrap().json().await.unwrap()
}

fn add_volunteer(dir: &Path) -> String {
    let mut add = Command::new(binary())
        .args([
            "user",
            "add",
            "--email",
            "vol@test.fr",
            "--role",
            "volunteer",
            "--password-stdin",
        ])
        .env("PORTE_VOIX_DATA_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(b"mot-de-passe-test\n")
        .unwrap();
    let out = add.wait_with_output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout)
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .trim()
        .to_owned()
}

#[tokio::test]
async fn an_acknowledged_change_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let user_id = add_volunteer(dir.path());
    let client = reqwest::Client::new();
    let (mut server, base) = start(dir.path());
    let token = login(&client, &base).await;
    let id = Uuid::new_v4();
    let doc = PhoneDoc::new(
        "phone-vol",
        id,
        "contribution",
        &contribution_json(id, &user_id, 45.7665, 4.8795),
    );
    let reply: Value = sync(&client, &base, &token, &request(&[&doc], None)).await;
    assert_eq!(reply["documents"][0]["status"], "ok");
    server.kill().unwrap(); // SIGKILL: no shutdown hook runs
    server.wait().unwrap();

    let (mut server, base) = start(dir.path());
    let token = login(&client, &base).await;
    let got: Value = get(
        &client,
        &base,
        &token,
        &format!("/api/v1/contributions/{id}"),
    )
    .await;
    assert_eq!(got["text"], "Les poubelles débordent près du marché");
    assert_eq!(got["geo"]["commune"], "69266");
    let again: Value = sync(&client, &base, &token, &request(&[&doc], None)).await;
    assert_eq!(
        again["documents"][0]["heads"], reply["documents"][0]["heads"],
        "nothing lost, nothing duplicated"
    );
    server.kill().unwrap();
    server.wait().unwrap();
}

#[tokio::test]
async fn logs_carry_no_text_contact_details_or_coordinates() {
    let dir = tempfile::tempdir().unwrap();
    let user_id = add_volunteer(dir.path());
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let (mut server, base) = start_logging(dir.path(), Stdio::from(log));
    let client = reqwest::Client::new();
    let token = login(&client, &base).await;
    let id = Uuid::new_v4();
    let mut c = contribution_json(id, &user_id, 45.76651, 4.87953);
    c["text"] = json!("Monsieur Dupont-Secret dit que la rue est dangereuse");
    c["consent"] = json!({"contact": true});
    let doc = PhoneDoc::new("phone-vol", id, "contribution", &c);
    let mut body = request(&[&doc], None);
    body["contacts"] = json!([{"contribution_id": id, "name": "Jeanne Témoin", "phone": "0611223344", "email": "jeanne@exemple.fr"}]);
    let reply: Value = sync(&client, &base, &token, &body).await;
    assert_eq!(reply["contacts"][0]["status"], "ok");
    // A refused document with free text in a bad field, and a located point.
    let mut bad = contribution_json(Uuid::new_v4(), &user_id, 45.76651, 4.87953);
    bad["kind"] = json!("Madame Refusée-Secret");
    let bad = PhoneDoc::new(
        "phone-vol",
        bad["id"].as_str().unwrap().parse().unwrap(),
        "contribution",
        &bad,
    );
    let refused = sync(&client, &base, &token, &request(&[&bad], None)).await;
    assert_eq!(refused["documents"][0]["status"], "invalid");
    let located = get(
        &client,
        &base,
        &token,
        "/api/v1/territory/locate?lat=45.76651&lon=4.87953",
    )
    .await;
    assert_eq!(located["commune"], "69266");
    server.kill().unwrap();
    server.wait().unwrap();
    let logs = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        logs.contains("sync document"),
        "debug logs were captured: {logs}"
    );
    for secret in [
        "Dupont-Secret",
        "Jeanne",
        "0611223344",
        "jeanne@exemple.fr",
        "Refusée-Secret",
        "45.76651",
        "4.87953",
        &token[..20],
    ] {
        assert!(!logs.contains(secret), "the log contains {secret:?}");
    }
}
