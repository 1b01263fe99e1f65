//! The answer link by e-mail: a tiny SMTP receiver on 127.0.0.1 (enough
//! SMTP to accept one message), the link read back from the received mail
//! opens the dossier; a server that cannot be reached leaves the forward
//! stored with `emailed: false` and a reason.

use super::forwards::{token_of, App, VILLEURBANNE};
use base64::Engine;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::mpsc;
use std::time::Duration;

/// What the receiver got: the envelope recipients and the DATA.
struct Mail {
    rcpt: Vec<String>,
    data: String,
}

/// Accepts one SMTP session on a free port; the mail comes on the channel.
fn smtp_receiver() -> (u16, mpsc::Receiver<Mail>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        let mut out = stream.try_clone().unwrap();
        let mut lines = BufReader::new(stream);
        let mut rcpt = vec![];
        out.write_all(b"220 test.local ESMTP\r\n").unwrap();
        loop {
            let mut line = String::new();
            if lines.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let verb = line.to_ascii_uppercase();
            if verb.starts_with("EHLO") || verb.starts_with("HELO") {
                out.write_all(b"250-test.local\r\n250 8BITMIME\r\n")
                    .unwrap();
            } else if verb.starts_with("RCPT TO:") {
                rcpt.push(line.trim().to_owned());
                out.write_all(b"250 OK\r\n").unwrap();
            } else if verb.starts_with("DATA") {
                out.write_all(b"354 End with <CRLF>.<CRLF>\r\n").unwrap();
                let mut data = String::new();
                loop {
                    let mut l = String::new();
                    if lines.read_line(&mut l).unwrap_or(0) == 0 || l == ".\r\n" {
                        break;
                    }
                    data.push_str(&l);
                }
                out.write_all(b"250 OK queued\r\n").unwrap();
                let _ = tx.send(Mail {
                    rcpt: rcpt.clone(),
                    data,
                });
            } else if verb.starts_with("QUIT") {
                let _ = out.write_all(b"221 Bye\r\n");
                return;
            } else {
                out.write_all(b"250 OK\r\n").unwrap();
            }
        }
    });
    (port, rx)
}

/// The plain-text body of a single-part message, decoded.
fn body_text(data: &str) -> String {
    let (headers, body) = data.split_once("\r\n\r\n").unwrap();
    let encoding = headers
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-transfer-encoding:")
                .map(|v| v.trim().to_owned())
        })
        .unwrap_or_default();
    match encoding.as_str() {
        "base64" => {
            let joined: String = body.split_whitespace().collect();
            String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(joined)
                    .unwrap(),
            )
            .unwrap()
        }
        "quoted-printable" => {
            let soft = body.replace("=\r\n", "");
            let bytes = soft.as_bytes();
            let mut out = vec![];
            let mut i = 0;
            while i < bytes.len() {
                if bytes[i] == b'=' && i + 2 < bytes.len() {
                    let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 3;
                } else {
                    out.push(bytes[i]);
                    i += 1;
                }
            }
            String::from_utf8(out).unwrap()
        }
        _ => body.replace("\r\n..", "\r\n."),
    }
}

#[tokio::test]
async fn the_answer_link_is_e_mailed_and_the_received_link_opens_the_dossier() {
    let (port, mails) = smtp_receiver();
    let app = App::spawn(|s| s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    let officer = app.login("officer").await;
    let c = app.contribution(VILLEURBANNE, "Poubelles").await;
    let recipient = app.recipient(&officer, Some("elue@example.org")).await;
    let (status, created) = app
        .forward(
            &officer,
            &format!("/api/v1/contributions/{}/forwards", c.id),
            &recipient,
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["emailed"], true, "{created}");
    assert!(created["email_error"].is_null());

    let mail = mails.recv_timeout(Duration::from_secs(30)).unwrap();
    assert_eq!(mail.rcpt.len(), 1);
    assert!(mail.rcpt[0].contains("elue@example.org"), "{:?}", mail.rcpt);
    let text = body_text(&mail.data);
    assert!(
        text.contains("Pouvez-vous répondre aux habitants ?"),
        "{text}"
    );
    let url = text
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_owned();
    assert_eq!(url, created["answer_url"].as_str().unwrap());
    let token = url.split_once('#').unwrap().1;
    assert_eq!(token, token_of(&created));
    let (status, dossier) = app.dossier(Some(token)).await;
    assert_eq!(status, 200, "{dossier}");
    assert_eq!(dossier["figures"]["count"], 1);
    // The stored forward says it was e-mailed.
    let (_, list) = app.get(&officer, "/api/v1/forwards").await;
    assert_eq!(list[0]["emailed"], true);
}

#[tokio::test]
async fn an_unreachable_smtp_server_leaves_the_forward_stored_with_the_reason() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let app = App::spawn(|s| s.smtp_url = Some(format!("smtp://127.0.0.1:{port}"))).await;
    let officer = app.login("officer").await;
    let c = app.contribution(VILLEURBANNE, "Poubelles").await;
    let recipient = app.recipient(&officer, Some("elue@example.org")).await;
    let (status, created) = app
        .forward(
            &officer,
            &format!("/api/v1/contributions/{}/forwards", c.id),
            &recipient,
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["emailed"], false);
    assert_eq!(
        created["email_error"],
        "the SMTP server did not accept the message"
    );
    let (status, _) = app.dossier(Some(&token_of(&created))).await;
    assert_eq!(status, 200, "the link works: the officer copies it");
    let (_, list) = app.get(&officer, "/api/v1/forwards").await;
    assert_eq!(
        (
            list[0]["emailed"].as_bool(),
            list[0]["email_error"].is_string()
        ),
        (Some(false), true)
    );

    // A recipient without an address: no attempt, the reason says so.
    let (_, no_mail) = app
        .post(
            &officer,
            "/api/v1/recipients",
            serde_json::json!({"kind": "service", "name": "Direction de la propreté"}),
        )
        .await;
    let (_, created) = app
        .forward(
            &officer,
            &format!("/api/v1/contributions/{}/forwards", c.id),
            &no_mail,
        )
        .await;
    assert_eq!(created["emailed"], false);
    assert_eq!(
        created["email_error"],
        "the recipient has no e-mail address"
    );
}
