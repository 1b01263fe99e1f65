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
    let mut child = Command::new(binary())
        .arg("serve")
        .env("PORTE_VOIX_DATA_DIR", data)
        .env("PORTE_VOIX_PORT", "0")
        .env("PORTE_VOIX_PWA_DIR", data.join("no-pwa"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
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

#[tokio::test]
async fn an_acknowledged_change_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
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
        .env("PORTE_VOIX_DATA_DIR", dir.path())
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
    let user_id = String::from_utf8(out.stdout)
        .unwrap()
        .rsplit(' ')
        .next()
        .unwrap()
        .trim()
        .to_owned();

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
    let reply: Value = client
        .post(format!("{base}/api/v1/sync"))
        .bearer_auth(&token)
        .json(&request(&[&doc], None))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(reply["documents"][0]["status"], "ok");
    server.kill().unwrap(); // SIGKILL: no shutdown hook runs
    server.wait().unwrap();

    let (mut server, base) = start(dir.path());
    let token = login(&client, &base).await;
    let got: Value = client
        .get(format!("{base}/api/v1/contributions/{id}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(got["text"], "Les poubelles débordent près du marché");
    assert_eq!(got["geo"]["commune"], "69266");
    let again: Value = client
        .post(format!("{base}/api/v1/sync"))
        .bearer_auth(&token)
        .json(&request(&[&doc], None))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        again["documents"][0]["heads"], reply["documents"][0]["heads"],
        "nothing lost, nothing duplicated"
    );
    server.kill().unwrap();
    server.wait().unwrap();
}
