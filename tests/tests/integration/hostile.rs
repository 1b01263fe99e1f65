//! Hostile input: generated and mutated requests (proptest, fixed seeds,
//! bounded case counts), Automerge documents built as a phone would but
//! deep, wide, huge or odd, garbage GeoJSON for the territory loader, and
//! every JSON endpoint's body and query. After each case:
//!
//! - the answer is a 4xx with `{"error": {"code", "message"}}`, or a 2xx
//!   (for sync: per-document statuses among ok/forbidden/invalid/too_large/
//!   unknown); never a 5xx;
//! - no `reason` nor error `message` quotes a planted marker;
//! - `ok` comes with non-empty heads, and the officer can then read it;
//! - at the end of each test the server still answers `/health` and the
//!   documents stored at the start are unchanged (officer's REST view,
//!   heads and bytes).
//!
//! Inputs that once broke the server are kept in `tests/hostile-corpus/`
//! and replayed by `the_corpus_replays_without_harm`.

use automerge::transaction::{Transactable, Transaction};
use automerge::{ActorId, Automerge, ObjId, ObjType, ReadDoc, ScalarValue, ROOT};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use porte_voix_server::document;
use porte_voix_server::territory::{Territory, EMBEDDED_LYON};
use porte_voix_tests::{contribution_json, outing_json, PhoneDoc, TestApp};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fmt::Debug;
use std::panic::{catch_unwind, AssertUnwindSafe};
use uuid::Uuid;

/// Planted in wrong fields: no reason or message may quote them.
const MARK: &str = "Lyon'; --";
const MARK_RTL: &str = "zq\u{202E}plant\u{0}7f3a";
const MARKS: &[&str] = &[MARK, MARK_RTL];

const VILLEURBANNE: (f64, f64) = (45.7665, 4.8795);
const LYON_3E: (f64, f64) = (45.7597, 4.8590);
/// A cursor past every change: the reply carries no `updates`.
const LAST_CURSOR: &str = "18446744073709551615";
const STATUSES: &[&str] = &["ok", "forbidden", "invalid", "too_large", "unknown"];

// ---------------------------------------------------------------------------
// The harness: one server per test, a runtime the proptest closures block on.

struct Snapshot {
    id: Uuid,
    doc_type: &'static str,
    rest: Value,
    heads: Value,
    bytes: Value,
}

struct Hostile {
    rt: tokio::runtime::Runtime,
    app: TestApp,
    tokens: HashMap<&'static str, String>,
    baseline: Vec<Snapshot>,
    /// A contribution of `vol`'s the officer and Villeurbanne may write
    /// (review, comments) during fuzzing; not part of the baseline.
    scratch: Uuid,
    /// `vol`'s contribution the officer reviewed (its history holds the
    /// officer's actor).
    reviewed: Uuid,
}

struct Reply {
    status: u16,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

impl Hostile {
    fn new() -> Hostile {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let app = rt.block_on(TestApp::spawn());
        let mut tokens = HashMap::new();
        for who in ["vol", "vol2", "officer", "villeurbanne", "lyon3", "admin"] {
            tokens.insert(who, rt.block_on(app.login(who)));
        }
        let mut h = Hostile {
            rt,
            app,
            tokens,
            baseline: vec![],
            scratch: Uuid::nil(),
            reviewed: Uuid::nil(),
        };
        let vol = h.uid("vol");
        let mut ids = vec![];
        for (lat, lon) in [VILLEURBANNE, LYON_3E, VILLEURBANNE] {
            let id = Uuid::new_v4();
            let doc = PhoneDoc::new(
                "phone-vol",
                id,
                "contribution",
                &contribution_json(id, &vol, lat, lon),
            );
            let r = h.sync_docs("vol", &[doc.entry()]);
            assert_eq!(r["documents"][0]["status"], "ok", "{r}");
            ids.push(id);
        }
        let outing = Uuid::new_v4();
        let doc = PhoneDoc::new(
            "phone-vol",
            outing,
            "outing",
            &outing_json(outing, std::slice::from_ref(&vol)),
        );
        let r = h.sync_docs("vol", &[doc.entry()]);
        assert_eq!(r["documents"][0]["status"], "ok", "{r}");
        h.reviewed = ids[0];
        h.scratch = ids[2];
        let r = h.req(
            "PUT",
            Some("officer"),
            &format!("/api/v1/contributions/{}/review", ids[0]),
            Some(
                json!({"status": "qualified", "notes": "vu"})
                    .to_string()
                    .into_bytes(),
            ),
        );
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let mut baseline: Vec<Snapshot> = ids[..2]
            .iter()
            .map(|id| h.snapshot(*id, "contribution"))
            .collect();
        baseline.push(h.snapshot(outing, "outing"));
        h.baseline = baseline;
        h
    }

    fn uid(&self, who: &str) -> String {
        self.app.user_id(who)
    }

    fn token(&self, who: &str) -> &str {
        &self.tokens[who]
    }

    /// One HTTP request with raw body bytes sent as JSON.
    fn req(&self, method: &str, who: Option<&str>, path: &str, body: Option<Vec<u8>>) -> Reply {
        self.req_typed(method, who, path, body, Some("application/json"))
    }

    fn req_typed(
        &self,
        method: &str,
        who: Option<&str>,
        path: &str,
        body: Option<Vec<u8>>,
        content_type: Option<&str>,
    ) -> Reply {
        let url = format!("{}{path}", self.app.base);
        self.send_url(method, who, &url, body, content_type)
    }

    fn send_url(
        &self,
        method: &str,
        who: Option<&str>,
        url: &str,
        body: Option<Vec<u8>>,
        content_type: Option<&str>,
    ) -> Reply {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self.app.client.request(method, url);
        if let Some(who) = who {
            rb = rb.bearer_auth(self.token(who));
        }
        if let Some(body) = body {
            if let Some(ct) = content_type {
                rb = rb.header("content-type", ct);
            }
            rb = rb.body(body);
        }
        self.rt.block_on(async move {
            let r = rb
                .send()
                .await
                .expect("the server answers (it did not crash)");
            let status = r.status().as_u16();
            let body = r.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            Reply { status, body }
        })
    }

    /// A well-formed sync of these entries; the reply checked and returned.
    fn sync_docs(&self, who: &str, entries: &[Value]) -> Value {
        let body = json!({"protocol": 1, "cursor": LAST_CURSOR, "documents": entries});
        let r = self.sync_raw(who, body.to_string().into_bytes());
        assert_eq!(r.status, 200, "{}", String::from_utf8_lossy(&r.body));
        let v = r.json();
        assert_eq!(v["documents"].as_array().map(Vec::len), Some(entries.len()));
        v
    }

    fn sync_raw(&self, who: &str, body: Vec<u8>) -> Reply {
        let r = self.req("POST", Some(who), "/api/v1/sync", Some(body));
        self.check_sync_reply(&r);
        r
    }

    /// The officer's view of a stored document: REST JSON (contributions),
    /// heads and whole bytes through sync.
    fn snapshot(&self, id: Uuid, doc_type: &'static str) -> Snapshot {
        let rest = if doc_type == "contribution" {
            let r = self.req(
                "GET",
                Some("officer"),
                &format!("/api/v1/contributions/{id}"),
                None,
            );
            assert_eq!(r.status, 200);
            r.json()
        } else {
            Value::Null
        };
        let body = json!({"protocol": 1, "cursor": LAST_CURSOR,
            "documents": [{"id": id, "type": doc_type, "heads": []}]});
        let r = self.req(
            "POST",
            Some("officer"),
            "/api/v1/sync",
            Some(body.to_string().into_bytes()),
        );
        assert_eq!(r.status, 200);
        let d = r.json()["documents"][0].clone();
        assert_eq!(d["status"], "ok", "officer reads {id}: {d}");
        Snapshot {
            id,
            doc_type,
            rest,
            heads: d["heads"].clone(),
            bytes: d["changes"].clone(),
        }
    }

    /// Whether the officer can read a document the server said `ok` to.
    fn officer_reads(&self, id: &str) -> bool {
        let r = self.req(
            "GET",
            Some("officer"),
            &format!("/api/v1/contributions/{id}"),
            None,
        );
        if r.status == 200 {
            return true;
        }
        let body = json!({"protocol": 1, "cursor": LAST_CURSOR,
            "documents": [{"id": id, "type": "outing", "heads": []}]});
        let r = self.req(
            "POST",
            Some("officer"),
            "/api/v1/sync",
            Some(body.to_string().into_bytes()),
        );
        r.status == 200 && r.json()["documents"][0]["status"] == "ok"
    }

    /// The invariants of every API answer: no 5xx, JSON error bodies that
    /// quote no marker.
    fn check_api(&self, r: &Reply) {
        let text = String::from_utf8_lossy(&r.body);
        assert!(r.status < 500, "server error {}: {text}", r.status);
        if (400..500).contains(&r.status) {
            let v = r.json();
            assert!(
                v["error"]["code"].is_string() && v["error"]["message"].is_string(),
                "{} without the JSON error body: {text}",
                r.status
            );
            let message = v["error"]["message"].as_str().unwrap();
            for m in MARKS {
                assert!(
                    !message.contains(m),
                    "error message quotes the input: {message:?}"
                );
            }
        } else {
            assert!(
                (200..300).contains(&r.status),
                "unexpected {}: {text}",
                r.status
            );
        }
    }

    /// `check_api`, and for a 200 the per-document invariants of sync.
    fn check_sync_reply(&self, r: &Reply) {
        self.check_api(r);
        if r.status != 200 {
            return;
        }
        let v = r.json();
        let docs = v["documents"]
            .as_array()
            .unwrap_or_else(|| panic!("200 without documents: {v}"));
        for d in docs
            .iter()
            .chain(v["contacts"].as_array().into_iter().flatten())
        {
            let status = d["status"].as_str().unwrap_or_default();
            assert!(STATUSES.contains(&status), "status {d}");
            if let Some(reason) = d["reason"].as_str() {
                for m in MARKS {
                    assert!(!reason.contains(m), "reason quotes the input: {reason:?}");
                }
            }
        }
        for d in docs {
            if d["status"] == "ok" {
                let heads = d["heads"].as_array().map(Vec::len).unwrap_or(0);
                assert!(heads > 0, "ok without heads: {d}");
                let id = d["id"].as_str().unwrap();
                assert!(self.officer_reads(id), "ok but the officer cannot read {d}");
            }
        }
    }

    /// The end of every test: alive, and what was stored at the start is
    /// unchanged.
    fn finish(&self) {
        let r = self.req("GET", None, "/health", None);
        assert_eq!(r.status, 200, "the server answers /health");
        for s in &self.baseline {
            let now = self.snapshot(s.id, s.doc_type);
            assert_eq!(now.rest, s.rest, "{} changed", s.id);
            assert_eq!(now.heads, s.heads, "{} heads changed", s.id);
            assert_eq!(now.bytes, s.bytes, "{} bytes changed", s.id);
        }
    }
}

/// Runs a proptest strategy with a fixed seed and no persistence file, so
/// that CI is reproducible.
fn run<S>(cases: u32, seed: u8, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    let config = Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 64,
        ..Config::default()
    };
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &[seed; 32]);
    let mut runner = TestRunner::new_with_rng(config, rng);
    if let Err(e) = runner.run(&strategy, test) {
        panic!("{e}");
    }
}

// ---------------------------------------------------------------------------
// Generators.

fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(MARK.to_owned()),
        Just(MARK_RTL.to_owned()),
        Just(String::new()),
        Just("\u{0}".to_owned()),
        Just("\u{202E}\u{202D}\u{200B}\u{FEFF}".to_owned()),
        Just("🍂👩🏽‍🚒🏳️‍🌈".to_owned()),
        Just("x".repeat(100_000)),
        Just("69123".to_owned()),
        Just("contribution".to_owned()),
        Just(Uuid::nil().to_string()),
        "\\PC{0,24}",
        "[a-z_]{1,12}",
    ]
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        any::<u64>().prop_map(|u| json!(u)),
        any::<f64>()
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        Just(json!(1e308)),
        Just(json!(-1e308)),
        hostile_string().prop_map(Value::String),
    ]
}

fn json_key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "protocol",
            "cursor",
            "documents",
            "contacts",
            "id",
            "type",
            "heads",
            "changes",
            "contribution_id",
            "name",
            "phone",
            "email",
            "status",
            "text",
        ])
        .prop_map(String::from),
        Just(MARK.to_owned()),
        "[a-z]{1,6}",
    ]
}

fn arb_json() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(json_key(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Raw JSON text no `serde_json::Value` can hold: spliced in place of a
/// placeholder string.
const RAW_NUMBERS: &[&str] = &[
    "1e400",
    "-1e400",
    "18446744073709551616",
    "4294967297",
    "-1",
    "-0",
    "1e-400",
    "123456789012345678901234567890123456789",
    "1.0",
    "NaN",
    "Infinity",
    "0x1",
];

#[derive(Debug, Clone)]
enum Change {
    Value(Value),
    Raw(&'static str),
    Delete,
}

fn arb_change() -> impl Strategy<Value = Change> {
    prop_oneof![
        3 => arb_json().prop_map(Change::Value),
        2 => prop::sample::select(RAW_NUMBERS).prop_map(Change::Raw),
        1 => Just(Change::Delete),
    ]
}

/// How a document's `changes` is spoiled.
#[derive(Debug, Clone)]
enum B64Spoil {
    InsertChar(usize, char),
    Truncate(usize),
    UrlSafe,
    StripPadding,
    FlipByte(usize, u8),
    TruncateBytes(usize),
    AppendBytes(Vec<u8>),
    Duplicate,
}

fn arb_spoil() -> impl Strategy<Value = B64Spoil> {
    prop_oneof![
        (
            any::<usize>(),
            prop::sample::select(vec!['!', '-', '_', ' ', '\n', '=', '\u{0}', 'é'])
        )
            .prop_map(|(i, c)| B64Spoil::InsertChar(i, c)),
        any::<usize>().prop_map(B64Spoil::Truncate),
        Just(B64Spoil::UrlSafe),
        Just(B64Spoil::StripPadding),
        (any::<usize>(), 1u8..).prop_map(|(i, x)| B64Spoil::FlipByte(i, x)),
        any::<usize>().prop_map(B64Spoil::TruncateBytes),
        prop::collection::vec(any::<u8>(), 1..64).prop_map(B64Spoil::AppendBytes),
        Just(B64Spoil::Duplicate),
    ]
}

fn spoil_b64(s: &str, spoil: &B64Spoil) -> String {
    let bytes = B64.decode(s).unwrap_or_default();
    match spoil {
        B64Spoil::InsertChar(i, c) => {
            let mut s = s.to_owned();
            s.insert(i % (s.len() + 1), *c);
            s
        }
        B64Spoil::Truncate(i) => s[..i % (s.len() + 1)].to_owned(),
        B64Spoil::UrlSafe => s.replace('+', "-").replace('/', "_"),
        B64Spoil::StripPadding => s.trim_end_matches('=').to_owned(),
        B64Spoil::FlipByte(i, x) => {
            let mut b = bytes;
            if !b.is_empty() {
                let n = b.len();
                b[i % n] ^= x;
            }
            B64.encode(b)
        }
        B64Spoil::TruncateBytes(i) => B64.encode(&bytes[..i % (bytes.len() + 1)]),
        B64Spoil::AppendBytes(extra) => B64.encode([bytes.as_slice(), extra].concat()),
        B64Spoil::Duplicate => B64.encode([bytes.as_slice(), &bytes].concat()),
    }
}

/// A mutation of a well-formed sync body.
#[derive(Debug, Clone)]
enum BodyMutation {
    Top(String, Change),
    Doc(usize, String, Change),
    Contact(usize, String, Change),
    DuplicateDoc(usize),
    Spoil(usize, B64Spoil),
    HeadsGarbage(usize, Vec<String>),
}

fn arb_body_mutation() -> impl Strategy<Value = BodyMutation> {
    let doc_key = prop::sample::select(vec!["id", "type", "heads", "changes", "extra"]);
    prop_oneof![
        1 => (prop::sample::select(vec!["protocol", "cursor", "documents", "contacts", "x"]), arb_change())
            .prop_map(|(k, c)| BodyMutation::Top(k.into(), c)),
        3 => (0..4usize, doc_key, arb_change()).prop_map(|(i, k, c)| BodyMutation::Doc(i, k.into(), c)),
        1 => (0..2usize, prop::sample::select(vec!["contribution_id", "name", "phone", "email"]), arb_change())
            .prop_map(|(i, k, c)| BodyMutation::Contact(i, k.into(), c)),
        1 => (0..4usize).prop_map(BodyMutation::DuplicateDoc),
        3 => (0..4usize, arb_spoil()).prop_map(|(i, s)| BodyMutation::Spoil(i, s)),
        1 => (0..4usize, prop::collection::vec(prop_oneof![
            Just("zz".to_owned()), Just("0".repeat(64)), Just("f".repeat(65)), hostile_string()
        ], 0..4)).prop_map(|(i, h)| BodyMutation::HeadsGarbage(i, h)),
    ]
}

fn apply_change(obj: &mut Value, key: &str, change: &Change, raws: &mut Vec<&'static str>) {
    let Some(map) = obj.as_object_mut() else {
        return;
    };
    match change {
        Change::Delete => {
            map.remove(key);
        }
        Change::Value(v) => {
            map.insert(key.to_owned(), v.clone());
        }
        Change::Raw(raw) => {
            map.insert(key.to_owned(), json!(format!("@@RAW{}@@", raws.len())));
            raws.push(raw);
        }
    }
}

fn mutate_body(mut body: Value, mutations: &[BodyMutation]) -> Vec<u8> {
    let mut raws = vec![];
    for m in mutations {
        match m {
            BodyMutation::Top(k, c) => apply_change(&mut body, k, c, &mut raws),
            BodyMutation::Doc(i, k, c) => {
                if let Some(d) = body["documents"].as_array_mut().and_then(|a| {
                    let n = a.len();
                    (n > 0).then(|| &mut a[i % n])
                }) {
                    apply_change(d, k, c, &mut raws);
                }
            }
            BodyMutation::Contact(i, k, c) => {
                if let Some(d) = body["contacts"].as_array_mut().and_then(|a| {
                    let n = a.len();
                    (n > 0).then(|| &mut a[i % n])
                }) {
                    apply_change(d, k, c, &mut raws);
                }
            }
            BodyMutation::DuplicateDoc(i) => {
                if let Some(a) = body["documents"].as_array_mut() {
                    if !a.is_empty() {
                        let d = a[i % a.len()].clone();
                        a.push(d);
                    }
                }
            }
            BodyMutation::Spoil(i, s) => {
                if let Some(a) = body["documents"].as_array_mut() {
                    if !a.is_empty() {
                        let n = a.len();
                        if let Some(c) = a[i % n]["changes"].as_str() {
                            let spoiled = spoil_b64(c, s);
                            a[i % n]["changes"] = json!(spoiled);
                        }
                    }
                }
            }
            BodyMutation::HeadsGarbage(i, h) => {
                if let Some(a) = body["documents"].as_array_mut() {
                    if !a.is_empty() {
                        let n = a.len();
                        if let Some(d) = a[i % n].as_object_mut() {
                            d.insert("heads".into(), json!(h));
                        }
                    }
                }
            }
        }
    }
    let mut text = body.to_string();
    for (i, raw) in raws.iter().enumerate() {
        text = text.replace(&format!("\"@@RAW{i}@@\""), raw);
    }
    text.into_bytes()
}

/// Byte-level damage: invalid UTF-8, NUL, truncation.
#[derive(Debug, Clone)]
enum ByteMutation {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
}

fn arb_byte_mutation() -> impl Strategy<Value = ByteMutation> {
    let garbage = prop_oneof![
        Just(vec![0xFF]),
        Just(vec![0xC3]),
        Just(vec![0x00]),
        Just(vec![0xED, 0xA0, 0x80]),
        Just(vec![0xF4, 0x90, 0x80, 0x80]),
        Just(b"\\ud800".to_vec()),
        Just("\u{202E}".as_bytes().to_vec()),
        Just(b"{[\"".to_vec()),
        prop::collection::vec(any::<u8>(), 1..8),
    ];
    prop_oneof![
        (any::<usize>(), 1u8..).prop_map(|(i, x)| ByteMutation::Flip(i, x)),
        (any::<usize>(), garbage).prop_map(|(i, g)| ByteMutation::Insert(i, g)),
        (any::<usize>(), 1..32usize).prop_map(|(i, n)| ByteMutation::Delete(i, n)),
        any::<usize>().prop_map(ByteMutation::Truncate),
    ]
}

fn mutate_bytes(mut b: Vec<u8>, mutations: &[ByteMutation]) -> Vec<u8> {
    for m in mutations {
        let n = b.len();
        match m {
            ByteMutation::Flip(i, x) if n > 0 => b[i % n] ^= x,
            ByteMutation::Insert(i, g) => {
                let at = i % (n + 1);
                b.splice(at..at, g.iter().copied());
            }
            ByteMutation::Delete(i, k) if n > 0 => {
                let at = i % n;
                b.drain(at..(at + k).min(n));
            }
            ByteMutation::Truncate(i) => b.truncate(i % (n + 1)),
            _ => {}
        }
    }
    b
}

// ---------------------------------------------------------------------------
// Automerge documents as a phone builds them, and how to spoil them.

/// An Automerge value to plant somewhere. (No `ScalarValue::Unknown`:
/// automerge 0.12 itself panics saving a document that holds one, so no
/// phone built on it can send that; damaged bytes are covered by `B64Spoil`.)
#[derive(Debug, Clone)]
enum Am {
    Str(String),
    Text(String),
    Int(i64),
    Uint(u64),
    F64(f64),
    Bool(bool),
    Null,
    Counter(i64),
    Timestamp(i64),
    Bytes(Vec<u8>),
    Map(Vec<(String, Am)>),
    List(Vec<Am>),
    /// `depth` nested maps (or lists), a marker at the bottom.
    Deep {
        lists: bool,
        depth: usize,
    },
    /// A map with `n` keys (or a list with `n` items).
    Wide {
        list: bool,
        n: usize,
    },
}

fn odd_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        prop::sample::select(vec![
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1e308,
            -1e308,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            -0.0,
            90.000_000_1,
            180.000_000_1,
            -90.000_000_1,
        ]),
        any::<f64>(),
    ]
}

fn arb_am() -> impl Strategy<Value = Am> {
    let leaf = prop_oneof![
        hostile_string().prop_map(Am::Str),
        hostile_string().prop_map(Am::Text),
        any::<i64>().prop_map(Am::Int),
        any::<u64>().prop_map(Am::Uint),
        odd_f64().prop_map(Am::F64),
        any::<bool>().prop_map(Am::Bool),
        Just(Am::Null),
        any::<i64>().prop_map(Am::Counter),
        any::<i64>().prop_map(Am::Timestamp),
        prop::collection::vec(any::<u8>(), 0..16).prop_map(Am::Bytes),
        (any::<bool>(), 9..1_100usize).prop_map(|(lists, depth)| Am::Deep { lists, depth }),
        (
            any::<bool>(),
            prop::sample::select(vec![300usize, 5_001, 10_000])
        )
            .prop_map(|(list, n)| Am::Wide { list, n }),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec((hostile_key(), inner.clone()), 0..4).prop_map(Am::Map),
            prop::collection::vec(inner, 0..4).prop_map(Am::List),
        ]
    })
}

fn hostile_key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(MARK.to_owned()),
        Just(MARK_RTL.to_owned()),
        prop::sample::select(vec![
            "age", "lat", "lon", "status", "contact", "commune", "source"
        ])
        .prop_map(String::from),
        "\\PC{0,8}",
    ]
}

enum Slot<'a> {
    Key(&'a ObjId, &'a str),
    Index(&'a ObjId, usize),
}

fn put_obj(tx: &mut Transaction<'_>, slot: &Slot<'_>, t: ObjType) -> ObjId {
    match slot {
        Slot::Key(o, k) => tx.put_object(*o, *k, t).unwrap(),
        Slot::Index(o, i) => tx.insert_object(*o, *i, t).unwrap(),
    }
}

fn put_scalar(tx: &mut Transaction<'_>, slot: &Slot<'_>, v: ScalarValue) {
    match slot {
        Slot::Key(o, k) => tx.put(*o, *k, v).unwrap(),
        Slot::Index(o, i) => tx.insert(*o, *i, v).unwrap(),
    }
}

fn put_am(tx: &mut Transaction<'_>, slot: Slot<'_>, v: &Am) {
    match v {
        Am::Str(s) => put_scalar(tx, &slot, s.as_str().into()),
        Am::Text(s) => {
            let t = put_obj(tx, &slot, ObjType::Text);
            tx.splice_text(&t, 0, 0, s).unwrap();
        }
        Am::Int(i) => put_scalar(tx, &slot, ScalarValue::Int(*i)),
        Am::Uint(u) => put_scalar(tx, &slot, ScalarValue::Uint(*u)),
        Am::F64(f) => put_scalar(tx, &slot, ScalarValue::F64(*f)),
        Am::Bool(b) => put_scalar(tx, &slot, ScalarValue::Boolean(*b)),
        Am::Null => put_scalar(tx, &slot, ScalarValue::Null),
        Am::Counter(c) => put_scalar(tx, &slot, ScalarValue::counter(*c)),
        Am::Timestamp(t) => put_scalar(tx, &slot, ScalarValue::Timestamp(*t)),
        Am::Bytes(b) => put_scalar(tx, &slot, ScalarValue::Bytes(b.clone())),
        Am::Map(entries) => {
            let m = put_obj(tx, &slot, ObjType::Map);
            for (k, v) in entries {
                put_am(tx, Slot::Key(&m, k), v);
            }
        }
        Am::List(items) => {
            let l = put_obj(tx, &slot, ObjType::List);
            for (i, v) in items.iter().enumerate() {
                put_am(tx, Slot::Index(&l, i), v);
            }
        }
        Am::Deep { lists, depth } => {
            // Iterative: the builder must not overflow either.
            let t = if *lists { ObjType::List } else { ObjType::Map };
            let mut cur = put_obj(tx, &slot, t);
            for _ in 1..*depth {
                cur = if *lists {
                    tx.insert_object(&cur, 0, t).unwrap()
                } else {
                    tx.put_object(&cur, "age", t).unwrap()
                };
            }
            if *lists {
                tx.insert(&cur, 0, MARK).unwrap();
            } else {
                tx.put(&cur, "age", MARK).unwrap();
            }
        }
        Am::Wide { list, n } => {
            if *list {
                let l = put_obj(tx, &slot, ObjType::List);
                for i in 0..*n {
                    tx.insert(&l, i, "cleanliness").unwrap();
                }
            } else {
                let m = put_obj(tx, &slot, ObjType::Map);
                for i in 0..*n {
                    tx.put(&m, format!("k{i}"), MARK).unwrap();
                }
            }
        }
    }
}

/// Top-level fields and nested paths of the schemas.
const CONTRIBUTION_PATHS: &[&str] = &[
    "id",
    "type",
    "schema",
    "campaign",
    "outing",
    "created_at",
    "author",
    "kind",
    "themes",
    "text",
    "location",
    "location.lat",
    "location.lon",
    "location.accuracy_m",
    "location.source",
    "location.captured_at",
    "declared_commune",
    "respondent",
    "respondent.age",
    "respondent.gender",
    "respondent.relation",
    "respondent.district",
    "consent",
    "consent.contact",
    "consent.at",
    "geo",
    "review",
    "follow_up",
    "comments",
];

const OUTING_PATHS: &[&str] = &[
    "id",
    "type",
    "schema",
    "campaign",
    "date",
    "place",
    "team",
    "doors",
    "doors.d1",
    "doors.d1.address",
    "doors.d1.status",
    "doors.d1.by",
    "doors.d1.at",
    "doors.d1.note",
];

/// Puts `v` at a dotted path, creating maps on the way.
fn plant(doc: &mut Automerge, path: &str, v: &Am) {
    let mut tx = doc.transaction();
    let parts: Vec<&str> = path.split('.').collect();
    let mut obj = ROOT;
    for p in &parts[..parts.len() - 1] {
        obj = match tx.get(&obj, *p).unwrap() {
            Some((automerge::Value::Object(ObjType::Map), id)) => id,
            _ => tx.put_object(&obj, *p, ObjType::Map).unwrap(),
        };
    }
    put_am(&mut tx, Slot::Key(&obj, parts[parts.len() - 1]), v);
    tx.commit();
}

/// A phone's new document of `who` with `v` planted at `path`.
fn planted_doc(h: &Hostile, who: &str, doc_type: &'static str, path: &str, v: &Am) -> PhoneDoc {
    let id = Uuid::new_v4();
    let uid = h.uid(who);
    let value = if doc_type == "contribution" {
        contribution_json(id, &uid, VILLEURBANNE.0, VILLEURBANNE.1)
    } else {
        outing_json(id, &[uid])
    };
    let mut d = PhoneDoc::new(&format!("phone-{who}"), id, doc_type, &value);
    plant(&mut d.doc, path, v);
    d
}

// ---------------------------------------------------------------------------
// The sync request decoder.

#[test]
fn random_sync_bodies_never_break_the_server() {
    let h = Hostile::new();
    let strategy = prop_oneof![
        arb_json(),
        (arb_json(), arb_json(), prop::collection::vec(arb_json(), 0..4)).prop_map(
            |(cursor, contacts, docs)| json!({"protocol": 1, "cursor": cursor, "documents": docs, "contacts": contacts})
        ),
    ];
    let who = prop::sample::select(vec!["vol", "vol2", "officer"]);
    run(96, 1, (strategy, who), |(body, who)| {
        h.sync_raw(who, body.to_string().into_bytes());
        Ok(())
    });
    h.finish();
}

/// A well-formed body of `vol2`'s: a new contribution, a heads-only entry
/// for another's document, a new outing, a contact.
fn valid_body(h: &Hostile) -> Value {
    let vol2 = h.uid("vol2");
    let id = Uuid::new_v4();
    let c = PhoneDoc::new(
        "phone-vol2",
        id,
        "contribution",
        &contribution_json(id, &vol2, LYON_3E.0, LYON_3E.1),
    );
    let oid = Uuid::new_v4();
    let o = PhoneDoc::new("phone-vol2", oid, "outing", &outing_json(oid, &[vol2]));
    let theirs = &h.baseline[0];
    json!({
        "protocol": 1,
        "cursor": null,
        "documents": [
            c.entry(),
            {"id": theirs.id, "type": "contribution", "heads": theirs.heads, "changes": theirs.bytes},
            o.entry(),
            {"id": h.baseline[2].id, "type": "outing", "heads": []},
        ],
        "contacts": [
            {"contribution_id": id, "name": MARK, "phone": MARK_RTL, "email": MARK},
            {"contribution_id": theirs.id, "phone": "06 00 00 00 00"},
        ],
    })
}

#[test]
fn mutated_sync_bodies_never_break_the_server() {
    let h = Hostile::new();
    let strategy = prop::collection::vec(arb_body_mutation(), 1..5);
    run(128, 2, strategy, |mutations| {
        let body = mutate_body(valid_body(&h), &mutations);
        h.sync_raw("vol2", body);
        Ok(())
    });
    h.finish();
}

#[test]
fn damaged_sync_bytes_never_break_the_server() {
    let h = Hostile::new();
    let base = valid_body(&h).to_string().into_bytes();
    let content_type = prop::sample::select(vec![
        Some("application/json"),
        Some("text/plain"),
        Some("application/json; charset=latin1"),
        None,
    ]);
    let strategy = (
        prop::collection::vec(arb_byte_mutation(), 1..6),
        content_type,
    );
    run(128, 3, strategy, |(mutations, ct)| {
        let body = mutate_bytes(base.clone(), &mutations);
        let r = h.req_typed("POST", Some("vol2"), "/api/v1/sync", Some(body), ct);
        h.check_sync_reply(&r);
        Ok(())
    });
    // Not a phone at all: no token, a bad one, a token of the wrong kind.
    for auth in [
        "",
        "Bearer",
        "Bearer x.y.z",
        "Basic dm9sOnB3",
        &format!("Bearer {MARK}"),
    ] {
        let rb = h
            .app
            .client
            .post(format!("{}/api/v1/sync", h.app.base))
            .header("authorization", auth)
            .header("content-type", "application/json")
            .body(base.clone());
        let r = h.rt.block_on(async {
            let r = rb.send().await.unwrap();
            let status = r.status().as_u16();
            Reply {
                status,
                body: r.bytes().await.unwrap().to_vec(),
            }
        });
        assert_eq!(r.status, 401, "{auth}");
        h.check_api(&r);
    }
    h.finish();
}

// ---------------------------------------------------------------------------
// Automerge change application, policy and schema.

#[test]
fn odd_values_in_every_field_are_refused_without_quoting_them() {
    let h = Hostile::new();
    let paths = prop::sample::select(
        CONTRIBUTION_PATHS
            .iter()
            .map(|p| ("contribution", *p))
            .chain(OUTING_PATHS.iter().map(|p| ("outing", *p)))
            .chain([
                ("contribution", MARK),
                ("outing", MARK),
                ("contribution", "respondent.Lyon"),
            ])
            .collect::<Vec<_>>(),
    );
    let who = prop::sample::select(vec!["vol", "vol2", "officer"]);
    let as_update = any::<bool>();
    run(
        64,
        4,
        (paths, arb_am(), who, as_update),
        |((doc_type, path), v, who, as_update)| {
            let mut d = planted_doc(&h, who, doc_type, "schema", &Am::Int(1));
            if as_update {
                // First the valid document, then the odd value as a change.
                let r = h.sync_docs(who, &[d.entry()]);
                if d.apply(&r["documents"][0]) != "ok" {
                    return Ok(());
                }
            }
            plant(&mut d.doc, path, &v);
            h.sync_docs(who, &[d.entry()]);
            Ok(())
        },
    );
    h.finish();
}

/// Every schema field with every wrong type, in one batch per field.
#[test]
fn every_field_with_every_wrong_type() {
    let h = Hostile::new();
    let wrong = [
        Am::Str(MARK.into()),
        Am::Text(MARK.into()),
        Am::Int(-1),
        Am::Uint(u64::MAX),
        Am::F64(f64::NAN),
        Am::F64(f64::INFINITY),
        Am::F64(f64::NEG_INFINITY),
        Am::F64(1e308),
        Am::F64(-1e308),
        Am::Bool(true),
        Am::Null,
        Am::Counter(7),
        Am::Timestamp(i64::MAX),
        Am::Bytes(MARK.as_bytes().to_vec()),
        Am::Map(vec![(MARK.into(), Am::Str(MARK.into()))]),
        Am::List(vec![Am::Str(MARK.into())]),
        Am::Str("\u{0}\u{202E}🍂".into()),
    ];
    for (doc_type, paths) in [
        ("contribution", CONTRIBUTION_PATHS),
        ("outing", OUTING_PATHS),
    ] {
        for path in paths {
            let docs: Vec<PhoneDoc> = wrong
                .iter()
                .map(|v| planted_doc(&h, "vol", doc_type, path, v))
                .collect();
            let entries: Vec<Value> = docs.iter().map(PhoneDoc::entry).collect();
            let r = h.sync_docs("vol", &entries);
            for (v, out) in wrong.iter().zip(r["documents"].as_array().unwrap()) {
                // A planted marker is never a valid value (nor is NaN, ∞,
                // ±1e308 where a coordinate or a code is expected).
                let must_refuse = matches!(v, Am::Str(s) | Am::Text(s) if s == MARK)
                    && !path.ends_with("note")
                    && !matches!(
                        *path,
                        "text" | "place" | "campaign" | "doors.d1.address" | "doors.d1"
                    );
                if must_refuse {
                    assert_ne!(out["status"], "ok", "{doc_type}.{path} = {v:?}: {out}");
                }
                if (path.starts_with("location.lat") || path.starts_with("location.lon"))
                    && matches!(v, Am::F64(_))
                {
                    assert_ne!(out["status"], "ok", "{path} = {v:?}: {out}");
                }
            }
        }
    }
    h.finish();
}

#[test]
fn deep_wide_and_huge_documents_are_refused_and_the_server_lives() {
    let h = Hostile::new();
    let fields = [
        ("contribution", "respondent"),
        ("contribution", "location"),
        ("contribution", "consent"),
        ("contribution", "themes"),
        ("contribution", "review"),
        ("contribution", "follow_up"),
        ("contribution", MARK),
        ("outing", "doors"),
        ("outing", "doors.d1.note"),
        ("outing", "team"),
    ];
    for (doc_type, field) in fields {
        for lists in [false, true] {
            for depth in [9, 1_000] {
                let d = planted_doc(&h, "vol", doc_type, field, &Am::Deep { lists, depth });
                let r = h.sync_docs("vol", &[d.entry()]);
                let out = &r["documents"][0];
                assert_ne!(out["status"], "ok", "{field} {depth} deep: {out}");
            }
        }
    }
    // 10,000 keys or items; 100,000-character strings and keys.
    let huge = "x".repeat(100_000);
    let cases: Vec<(&str, &str, Am)> = vec![
        (
            "contribution",
            "respondent",
            Am::Wide {
                list: false,
                n: 10_000,
            },
        ),
        (
            "contribution",
            MARK,
            Am::Wide {
                list: false,
                n: 10_000,
            },
        ),
        (
            "contribution",
            "themes",
            Am::Wide {
                list: true,
                n: 10_000,
            },
        ),
        (
            "outing",
            "doors",
            Am::Wide {
                list: false,
                n: 10_000,
            },
        ),
        (
            "outing",
            "team",
            Am::Wide {
                list: true,
                n: 10_000,
            },
        ),
        ("contribution", "text", Am::Text(huge.clone())),
        ("contribution", "text", Am::Str(huge.clone())),
        ("contribution", "campaign", Am::Str(huge.clone())),
        ("contribution", "author", Am::Str(huge.clone())),
        ("contribution", "declared_commune", Am::Str(huge.clone())),
        ("outing", "place", Am::Text(huge.clone())),
        ("outing", "doors.d1.note", Am::Text(huge.clone())),
        (
            "contribution",
            "respondent",
            Am::Map(vec![(huge.clone(), Am::Str(MARK.into()))]),
        ),
    ];
    for (doc_type, field, v) in &cases {
        let d = planted_doc(&h, "vol", doc_type, field, v);
        let r = h.sync_docs("vol", &[d.entry()]);
        let out = &r["documents"][0];
        if !matches!(
            (*field, v),
            ("respondent", Am::Wide { .. }) | ("respondent", Am::Map(_))
        ) {
            assert_ne!(out["status"], "ok", "{field}: {out}");
        }
    }
    // The same hostility as a change to a stored document.
    let mut d = planted_doc(&h, "vol", "contribution", "schema", &Am::Int(1));
    let r = h.sync_docs("vol", &[d.entry()]);
    assert_eq!(d.apply(&r["documents"][0]), "ok");
    for (field, v) in [
        (
            "respondent",
            Am::Deep {
                lists: false,
                depth: 2_000,
            },
        ),
        (
            "themes",
            Am::Deep {
                lists: true,
                depth: 2_000,
            },
        ),
        ("text", Am::Text(huge)),
    ] {
        let mut e = PhoneDoc {
            id: d.id,
            doc_type: "contribution",
            doc: d.doc.fork(),
            server_heads: d.server_heads.clone(),
        };
        plant(&mut e.doc, field, &v);
        let r = h.sync_docs("vol", &[e.entry()]);
        assert_ne!(r["documents"][0]["status"], "ok", "{field}");
    }
    h.finish();
}

/// Random depths, shapes and places for the deep documents.
#[test]
fn generated_deep_documents() {
    let h = Hostile::new();
    let strategy = (
        prop::sample::select(vec![
            "respondent",
            "location",
            "consent",
            "themes",
            "comments",
            MARK,
        ]),
        any::<bool>(),
        9..2_500usize,
    );
    run(16, 5, strategy, |(field, lists, depth)| {
        let d = planted_doc(&h, "vol", "contribution", field, &Am::Deep { lists, depth });
        let r = h.sync_docs("vol", &[d.entry()]);
        prop_assert_ne!(&r["documents"][0]["status"], "ok");
        Ok(())
    });
    h.finish();
}

// ---------------------------------------------------------------------------
// The territory loader.

fn territory_survives(text: &str, near: f64) -> Result<(), String> {
    let loaded = catch_unwind(AssertUnwindSafe(|| Territory::from_geojson(text, near)))
        .map_err(|_| "from_geojson panicked".to_owned())?;
    if let Ok(t) = loaded {
        catch_unwind(AssertUnwindSafe(|| {
            for (lat, lon) in [
                VILLEURBANNE,
                LYON_3E,
                (0.0, 0.0),
                (90.0, 180.0),
                (-90.0, -180.0),
                (f64::NAN, f64::NAN),
                (f64::INFINITY, f64::NEG_INFINITY),
                (1e308, -1e308),
            ] {
                let _ = t.locate(lat, lon);
                let _ = t.place(lat, lon, None);
            }
            for a in t.areas() {
                let _ = t.place_in(&a.code);
                let _ = t.interior_point(&a.code);
            }
        }))
        .map_err(|_| "a loaded territory panicked".to_owned())?;
    }
    Ok(())
}

#[derive(Debug, Clone)]
enum GeoMutation {
    /// Replace the value at a random place of a feature (chosen by walking
    /// `steps` down from the feature).
    Replace(usize, Vec<usize>, Value),
    Raw(usize, Vec<usize>, &'static str),
    Chars(Vec<ByteMutation>),
}

fn arb_geo_mutation() -> impl Strategy<Value = GeoMutation> {
    let steps = prop::collection::vec(any::<usize>(), 0..7);
    let geo_leaf = prop_oneof![
        arb_json(),
        Just(json!([])),
        Just(json!([[]])),
        Just(json!([[[0, 0], [0, 0], [0, 0]]])),
        Just(json!({"type": "Polygon", "coordinates": []})),
        Just(json!({"type": "MultiPolygon", "coordinates": [[]]})),
        Just(json!({"type": "Point", "coordinates": [4.8, 45.7]})),
        Just(json!(["ARM"])),
    ];
    prop_oneof![
        4 => (any::<usize>(), steps.clone(), geo_leaf).prop_map(|(f, s, v)| GeoMutation::Replace(f, s, v)),
        2 => (any::<usize>(), steps, prop::sample::select(RAW_NUMBERS)).prop_map(|(f, s, r)| GeoMutation::Raw(f, s, r)),
        1 => prop::collection::vec(arb_byte_mutation(), 1..4).prop_map(GeoMutation::Chars),
    ]
}

/// Walks down `steps` (each picks a child) and returns the place reached.
fn walk<'a>(mut v: &'a mut Value, steps: &[usize]) -> &'a mut Value {
    for s in steps {
        let n = match v {
            Value::Array(a) => a.len(),
            Value::Object(m) => m.len(),
            _ => 0,
        };
        if n == 0 {
            break;
        }
        v = match v {
            Value::Array(a) => &mut a[s % n],
            Value::Object(m) => m.values_mut().nth(s % n).unwrap(),
            _ => unreachable!(),
        };
    }
    v
}

#[test]
fn the_territory_loader_refuses_garbage_without_panicking() {
    let base: Value = serde_json::from_str(EMBEDDED_LYON).unwrap();
    let near = prop::sample::select(vec![100.0, 0.0, -1.0, f64::NAN, f64::INFINITY]);
    let strategy = (prop::collection::vec(arb_geo_mutation(), 1..4), near);
    run(160, 6, strategy, |(mutations, near)| {
        let mut v = base.clone();
        let mut raws = vec![];
        let mut chars = vec![];
        for m in &mutations {
            match m {
                GeoMutation::Replace(f, steps, _) | GeoMutation::Raw(f, steps, _) => {
                    let features = v["features"].as_array_mut().unwrap();
                    let n = features.len();
                    let place = walk(&mut features[f % n], steps);
                    *place = match m {
                        GeoMutation::Raw(_, _, raw) => {
                            raws.push(*raw);
                            json!(format!("@@RAW{}@@", raws.len() - 1))
                        }
                        _ => new_value(m),
                    };
                }
                GeoMutation::Chars(c) => chars.extend(c.iter().cloned()),
            }
        }
        let mut text = v.to_string();
        for (i, raw) in raws.iter().enumerate() {
            text = text.replace(&format!("\"@@RAW{i}@@\""), raw);
        }
        let bytes = mutate_bytes(text.into_bytes(), &chars);
        let text = String::from_utf8_lossy(&bytes);
        territory_survives(&text, near).map_err(TestCaseError::fail)
    });
    // Structural garbage.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let nested = format!(
        r#"{{"type":"FeatureCollection","features":[{{"properties":{{"code":"69123","nom":"x"}},"geometry":{{"type":"Polygon","coordinates":{}}}}}]}}"#,
        "[".repeat(120) + &"]".repeat(120)
    );
    let garbage = [
        "",
        "null",
        "{}",
        "[]",
        "{\"features\": {}}",
        "{\"features\": [null]}",
        "{\"features\": [{\"properties\": {\"code\": \"69123\", \"nom\": \"x\"}, \"geometry\": {\"type\": \"MultiPolygon\", \"coordinates\": []}}]}",
        "{\"features\": [{\"properties\": {\"code\": \"69381\", \"nom\": \"x\", \"type\": \"ARM\"}}]}",
        deep.as_str(),
        nested.as_str(),
        "\u{0}\u{202E}",
    ];
    for g in garbage {
        territory_survives(g, 100.0).unwrap();
    }
}

fn new_value(m: &GeoMutation) -> Value {
    match m {
        GeoMutation::Replace(_, _, v) => v.clone(),
        _ => Value::Null,
    }
}

// ---------------------------------------------------------------------------
// Every JSON endpoint's body and query.

#[test]
fn login_and_refresh_bodies() {
    let h = Hostile::new();
    let email = prop_oneof![Just(json!("vol@test.fr")), arb_json()];
    let shaped = (email, arb_json()).prop_map(|(e, p)| json!({"email": e, "password": p}));
    let body = prop_oneof![
        shaped,
        arb_json(),
        arb_json().prop_map(|t| json!({"refresh_token": t}))
    ];
    let path = prop::sample::select(vec!["/api/v1/auth/login", "/api/v1/auth/refresh"]);
    let bytes = prop::collection::vec(arb_byte_mutation(), 0..3);
    run(64, 7, (path, body, bytes), |(path, body, bytes)| {
        let b = mutate_bytes(body.to_string().into_bytes(), &bytes);
        let r = h.req("POST", None, path, Some(b));
        h.check_api(&r);
        prop_assert_ne!(r.status, 200, "a random body logged in");
        Ok(())
    });
    h.finish();
}

#[test]
fn review_and_comment_bodies() {
    let h = Hostile::new();
    let status = prop_oneof![
        prop::sample::select(vec!["new", "qualified", "duplicate", "closed"])
            .prop_map(|s| json!(s)),
        arb_json(),
    ];
    let list = prop_oneof![
        Just(json!(["water", "ok_tag"])),
        Just(json!(vec!["a"; 21])),
        arb_json()
    ];
    let review = (status, list.clone(), list, arb_json(), arb_json()).prop_map(|(s, t, g, m, n)| {
        json!({"status": s, "themes": t, "tags": g, "merged_into": m, "notes": n})
    });
    let comment = prop_oneof![arb_json().prop_map(|t| json!({"text": t})), arb_json()];
    let target = 0..4usize;
    let who = prop::sample::select(vec!["officer", "villeurbanne", "vol2", "admin", "lyon3"]);
    let bytes = prop::collection::vec(arb_byte_mutation(), 0..2);
    run(
        96,
        8,
        (
            prop_oneof![
                review.prop_map(|r| (true, r)),
                comment.prop_map(|c| (false, c))
            ],
            target,
            who,
            bytes,
        ),
        |((is_review, body), target, who, bytes)| {
            // Officer and Villeurbanne write only the scratch document (or
            // none); the baseline only sees those who may not write it.
            let id = match target {
                0 => h.scratch.to_string(),
                1 => Uuid::new_v4().to_string(),
                2 => "Lyon%27%3B%20--".to_owned(),
                _ if matches!(who, "vol2" | "admin" | "lyon3") => h.baseline[0].id.to_string(),
                _ => h.scratch.to_string(),
            };
            let (method, path) = if is_review {
                ("PUT", format!("/api/v1/contributions/{id}/review"))
            } else {
                ("POST", format!("/api/v1/contributions/{id}/comments"))
            };
            let b = mutate_bytes(body.to_string().into_bytes(), &bytes);
            let r = h.req(method, Some(who), &path, Some(b));
            h.check_api(&r);
            Ok(())
        },
    );
    // The officer's REST writes still work on the scratch document.
    let r = h.req(
        "POST",
        Some("officer"),
        &format!("/api/v1/contributions/{}/comments", h.scratch),
        Some(json!({"text": "suivi"}).to_string().into_bytes()),
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    h.finish();
}

fn query_value() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "1",
            "0",
            "-1",
            "200",
            "201",
            "99999999999999999999999",
            "18446744073709551615",
            "1e400",
            "NaN",
            "inf",
            "-inf",
            "1e308",
            "-1e308",
            "",
            "2026-01-01",
            "2026-13-45",
            "2026-02-30T25:61:61Z",
            "+275760-09-13",
            "new",
            "closed",
            "me",
            "69123",
            "69383",
            "6912",
            "cleanliness",
            "%ZZ",
            "a&b=c",
            MARK,
            MARK_RTL,
        ])
        .prop_map(String::from),
        "\\PC{0,12}",
        any::<f64>().prop_map(|f| f.to_string()),
    ]
}

#[test]
fn contribution_list_queries() {
    let h = Hostile::new();
    let key = prop::sample::select(vec![
        "page", "per_page", "from", "to", "status", "kind", "theme", "commune", "author",
        "campaign", MARK,
    ]);
    let pairs = prop::collection::vec((key, query_value()), 0..6);
    let who = prop::sample::select(vec!["officer", "villeurbanne", "lyon3", "vol", "admin"]);
    run(96, 9, (pairs, who), |(pairs, who)| {
        let mut url = reqwest::Url::parse(&format!("{}/api/v1/contributions", h.app.base)).unwrap();
        for (k, v) in &pairs {
            url.query_pairs_mut().append_pair(k, v);
        }
        let r = h.send_url("GET", Some(who), url.as_str(), None, None);
        h.check_api(&r);
        if r.status == 200 {
            prop_assert!(r.json()["items"].is_array());
        }
        Ok(())
    });
    // Unencoded garbage in the query string.
    for q in [
        "page=%ZZ",
        "page=1&page=2",
        "&&&=&=",
        "per_page=%00",
        "status=%E2%80%AE",
        "from=%FF%FE",
    ] {
        let r = h.req(
            "GET",
            Some("officer"),
            &format!("/api/v1/contributions?{q}"),
            None,
        );
        h.check_api(&r);
    }
    h.finish();
}

#[test]
fn locate_queries() {
    let h = Hostile::new();
    let coord = prop_oneof![
        query_value(),
        odd_f64().prop_map(|f| f.to_string()),
        Just("45.7665".to_owned()),
        Just("4.8795".to_owned())
    ];
    let strategy = (
        prop::option::of(coord.clone()),
        prop::option::of(coord),
        prop::option::of(query_value()),
    );
    run(96, 10, strategy, |(lat, lon, declared)| {
        let mut url =
            reqwest::Url::parse(&format!("{}/api/v1/territory/locate", h.app.base)).unwrap();
        for (k, v) in [("lat", lat), ("lon", lon), ("declared", declared)] {
            if let Some(v) = v {
                url.query_pairs_mut().append_pair(k, &v);
            }
        }
        let r = h.send_url("GET", None, url.as_str(), None, None);
        h.check_api(&r);
        Ok(())
    });
    // Garbage in paths answers the JSON 404.
    for id in [
        "Lyon%27%3B%20--",
        "%E2%80%AE",
        "..%2F..%2Fetc",
        &"9".repeat(5000),
    ] {
        let r = h.req(
            "GET",
            Some("officer"),
            &format!("/api/v1/contributions/{id}"),
            None,
        );
        h.check_api(&r);
    }
    h.finish();
}

// ---------------------------------------------------------------------------
// Regressions: the four bugs of this suite's brief, and the corpus.

/// Bug 1: maps (or lists) nested 1000 deep overflowed the stack of the
/// recursive projection and aborted the server.
#[test]
fn regression_deep_nesting_is_invalid_and_the_server_lives() {
    let h = Hostile::new();
    for (field, lists) in [("respondent", false), ("themes", true), ("location", false)] {
        let d = planted_doc(
            &h,
            "vol",
            "contribution",
            field,
            &Am::Deep {
                lists,
                depth: 1_000,
            },
        );
        let r = h.sync_docs("vol", &[d.entry()]);
        let out = &r["documents"][0];
        assert_eq!(out["status"], "invalid", "{field}: {out}");
        let reason = out["reason"].as_str().unwrap_or_default();
        assert!(
            reason.contains(field),
            "the reason names `{field}`: {reason:?}"
        );
        let r = h.req(
            "GET",
            Some("officer"),
            &format!("/api/v1/contributions/{}", d.id),
            None,
        );
        assert_eq!(r.status, 404, "nothing stored");
    }
    h.finish();
}

/// Bug 3: `changes: ""` or the bytes of an empty document answered `ok`
/// with no heads.
#[test]
fn regression_empty_changes_are_not_ok() {
    let h = Hostile::new();
    let empty_doc = B64.encode(Automerge::new().save());
    let mut empty_tx = Automerge::new();
    empty_tx.transaction().commit();
    let empty_commit = B64.encode(empty_tx.save());
    for who in ["vol", "officer"] {
        for (what, changes) in [
            ("\"\"", ""),
            ("empty doc", &empty_doc),
            ("empty commit", &empty_commit),
        ] {
            for doc_type in ["contribution", "outing"] {
                let id = Uuid::new_v4();
                let entry = json!({"id": id, "type": doc_type, "heads": [], "changes": changes});
                let r = h.sync_docs(who, &[entry]);
                let out = &r["documents"][0];
                assert_ne!(out["status"], "ok", "{who} {what} {doc_type}: {out}");
                assert!(!h.officer_reads(&id.to_string()), "nothing stored");
            }
        }
    }
    h.finish();
}

/// Bug 4: commune accounts received whole documents through sync.
#[test]
fn regression_commune_and_admin_sync_is_403() {
    let h = Hostile::new();
    let vol = h.uid("vol");
    let theirs = &h.baseline[0];
    let many: Vec<Value> = (0..501)
        .map(|_| json!({"id": Uuid::new_v4(), "type": "contribution", "heads": []}))
        .collect();
    let id = Uuid::new_v4();
    let own = PhoneDoc::new(
        "phone-c",
        id,
        "contribution",
        &contribution_json(id, &h.uid("villeurbanne"), VILLEURBANNE.0, VILLEURBANNE.1),
    );
    // Well-formed JSON: 403, whatever it holds.
    let strict = [
        json!({"protocol": 1}),
        json!({"protocol": 1, "cursor": null, "documents": []}),
        json!({"protocol": 1, "cursor": "0", "documents": [{"id": theirs.id, "type": "contribution", "heads": []}]}),
        json!({"protocol": 1, "documents": [own.entry()]}),
        json!({"protocol": 1, "documents": [{"id": theirs.id, "type": "contribution", "heads": theirs.heads, "changes": theirs.bytes}]}),
        json!({"protocol": 2, "documents": []}),
        json!({"protocol": 1, "documents": many}),
    ];
    for who in ["villeurbanne", "lyon3", "admin"] {
        for (i, body) in strict.iter().enumerate() {
            let r = h.req(
                "POST",
                Some(who),
                "/api/v1/sync",
                Some(body.to_string().into_bytes()),
            );
            h.check_api(&r);
            let text = String::from_utf8_lossy(&r.body);
            assert!(!text.contains(&vol), "{who}: the author leaked");
            assert!(r.json().get("documents").is_none() && r.json().get("updates").is_none());
            assert_eq!(r.status, 403, "{who}, body {i}: {text}");
        }
        // Not even JSON: an error, never documents.
        for body in [&b"{"[..], b"", b"\xff\xfe", b"null"] {
            let r = h.req("POST", Some(who), "/api/v1/sync", Some(body.to_vec()));
            h.check_api(&r);
            assert!(matches!(r.status, 400 | 403), "{who}: {}", r.status);
        }
    }
    assert!(!h.officer_reads(&id.to_string()), "nothing stored");
    h.finish();
}

/// Bug 2: the server signed an officer's REST writes with an actor derived
/// from the user id; a volunteer who signed with it first broke them.
#[test]
fn regression_a_volunteer_cannot_sign_as_the_officer() {
    let h = Hostile::new();
    // Actors a volunteer could predict from public ids, claimed before the
    // officer's next REST writes.
    let officer = h.uid("officer");
    let mut predicted: Vec<ActorId> = vec![ActorId::from(officer.as_bytes())];
    if let Ok(u) = Uuid::parse_str(&officer) {
        predicted.push(ActorId::from(u.as_bytes().to_vec()));
    }
    for actor in &predicted {
        let id = Uuid::new_v4();
        let mut d = PhoneDoc::new(
            "unused",
            id,
            "contribution",
            &contribution_json(id, &h.uid("vol"), VILLEURBANNE.0, VILLEURBANNE.1),
        );
        d.doc = document::from_json(actor, &d.json()).unwrap();
        h.sync_docs("vol", &[d.entry()]);
    }
    // The actors seen in the history of the reviewed document: the phone
    // receives it whole.
    let body = json!({"protocol": 1, "cursor": null, "documents": [{"id": h.reviewed, "type": "contribution", "heads": []}]});
    let r = h.sync_raw("vol", body.to_string().into_bytes());
    let out = &r.json()["documents"][0];
    assert_eq!(out["status"], "ok");
    let bytes = B64.decode(out["changes"].as_str().unwrap()).unwrap();
    let reviewed = Automerge::load(&bytes).unwrap();
    let actors = document::new_actors(&reviewed, &[]);
    assert!(
        actors.len() >= 3,
        "phone, server and officer actors: {actors:?}"
    );
    for hex in &actors {
        if *hex == ActorId::from(&b"phone-vol"[..]).to_hex_string() {
            continue;
        }
        let actor: ActorId = hex.parse().unwrap();
        // A new document signed with it.
        let id = Uuid::new_v4();
        let fresh = contribution_json(id, &h.uid("vol"), LYON_3E.0, LYON_3E.1);
        let d = PhoneDoc {
            id,
            doc_type: "contribution",
            doc: document::from_json(&actor, &fresh).unwrap(),
            server_heads: vec![],
        };
        let r = h.sync_docs("vol", &[d.entry()]);
        assert_eq!(r["documents"][0]["status"], "forbidden", "new doc as {hex}");
        // An edit of the reviewed document signed with it.
        let mut edit = reviewed.fork().with_actor(actor);
        let mut tx = edit.transaction();
        tx.put(ROOT, "kind", "proposal").unwrap();
        tx.commit();
        let e = PhoneDoc {
            id: h.reviewed,
            doc_type: "contribution",
            doc: edit,
            server_heads: reviewed.get_heads(),
        };
        let r = h.sync_docs("vol", &[e.entry()]);
        assert_eq!(r["documents"][0]["status"], "forbidden", "edit as {hex}");
    }
    // The officer's REST writes still work, on every document: valid steps
    // of the review workflow (qualified -> new back, new -> qualified).
    for (id, status) in [
        (h.reviewed, "new"),
        (h.baseline[1].id, "qualified"),
        (h.scratch, "qualified"),
    ] {
        let r = h.req(
            "PUT",
            Some("officer"),
            &format!("/api/v1/contributions/{id}/review"),
            Some(json!({"status": status}).to_string().into_bytes()),
        );
        assert_eq!(
            r.status,
            200,
            "review: {}",
            String::from_utf8_lossy(&r.body)
        );
        let r = h.req(
            "POST",
            Some("officer"),
            &format!("/api/v1/contributions/{id}/comments"),
            Some(json!({"text": "suivi"}).to_string().into_bytes()),
        );
        assert_eq!(
            r.status,
            201,
            "comment: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
    let r = h.req(
        "POST",
        Some("villeurbanne"),
        &format!("/api/v1/contributions/{}/comments", h.scratch),
        Some(json!({"text": "vu en mairie"}).to_string().into_bytes()),
    );
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
}

/// Replays every input of `tests/hostile-corpus/` (see its README).
#[test]
fn the_corpus_replays_without_harm() {
    let h = Hostile::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("hostile-corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 8, "the corpus is there");
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let case: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        replay(&h, &name, &case);
    }
    h.finish();
}

fn fill(h: &Hostile, text: &str, new_id: Uuid) -> String {
    text.replace("{{vol}}", &h.uid("vol"))
        .replace("{{vol2}}", &h.uid("vol2"))
        .replace("{{officer}}", &h.uid("officer"))
        .replace("{{new_id}}", &new_id.to_string())
        .replace("{{baseline}}", &h.baseline[0].id.to_string())
        .replace("{{mark}}", MARK)
}

fn am_from_spec(spec: &Value) -> Am {
    let s = |k: &str| spec[k].as_str().unwrap_or_default().to_owned();
    match spec["am"].as_str().unwrap() {
        "deep_maps" => Am::Deep {
            lists: false,
            depth: spec["depth"].as_u64().unwrap() as usize,
        },
        "deep_lists" => Am::Deep {
            lists: true,
            depth: spec["depth"].as_u64().unwrap() as usize,
        },
        "str" => Am::Str(s("value").replace("{{mark}}", MARK)),
        "text" => Am::Text(s("value").replace("{{mark}}", MARK)),
        "f64" => Am::F64(match s("value").as_str() {
            "NaN" => f64::NAN,
            "inf" => f64::INFINITY,
            "-inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap(),
        }),
        "map_key" => Am::Map(vec![(
            s("value").replace("{{mark}}", MARK),
            Am::Str(MARK.into()),
        )]),
        other => panic!("unknown am kind {other}"),
    }
}

fn replay(h: &Hostile, name: &str, case: &Value) {
    let who = case["as"].as_str().unwrap_or("vol");
    let input = &case["input"];
    let expect: Vec<&str> = case["expect"]["status"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let expect_http = case["expect"]["http"].as_u64().map(|s| s as u16);
    let new_id = Uuid::new_v4();
    let reply = match input["kind"].as_str().unwrap() {
        "plant" => {
            let doc_type = match input["doc_type"].as_str().unwrap_or("contribution") {
                "outing" => "outing",
                _ => "contribution",
            };
            let field = fill(h, input["field"].as_str().unwrap(), new_id);
            let d = planted_doc(h, who, doc_type, &field, &am_from_spec(input));
            let body = json!({"protocol": 1, "cursor": LAST_CURSOR, "documents": [d.entry()]});
            h.sync_raw(who, body.to_string().into_bytes())
        }
        "changes" => {
            let changes = match input["changes"].as_str().unwrap() {
                "@empty_doc" => B64.encode(Automerge::new().save()),
                other => other.to_owned(),
            };
            let body = json!({"protocol": 1, "cursor": LAST_CURSOR, "documents": [
                {"id": new_id, "type": input["doc_type"].as_str().unwrap_or("contribution"), "heads": [], "changes": changes}
            ]});
            h.sync_raw(who, body.to_string().into_bytes())
        }
        "request" => {
            let body = match (input["body"].as_str(), input["body_b64"].as_str()) {
                (Some(text), _) => fill(h, text, new_id).into_bytes(),
                (None, Some(b)) => B64.decode(b).unwrap(),
                _ => vec![],
            };
            let method = input["method"].as_str().unwrap_or("POST");
            let path = fill(h, input["path"].as_str().unwrap_or("/api/v1/sync"), new_id);
            let who = (who != "anonymous").then_some(who);
            let body = (method != "GET").then_some(body);
            let r = h.req(method, who, &path, body);
            if path == "/api/v1/sync" {
                h.check_sync_reply(&r);
            } else {
                h.check_api(&r);
            }
            r
        }
        other => panic!("{name}: unknown input kind {other}"),
    };
    if let Some(http) = expect_http {
        assert_eq!(
            reply.status,
            http,
            "{name}: {}",
            String::from_utf8_lossy(&reply.body)
        );
    }
    if !expect.is_empty() {
        let v = reply.json();
        for d in v["documents"].as_array().into_iter().flatten() {
            let status = d["status"].as_str().unwrap_or_default();
            assert!(expect.contains(&status), "{name}: {d}");
            if let Some(field) = case["expect"]["reason_names"].as_str() {
                let reason = d["reason"].as_str().unwrap_or_default();
                assert!(reason.contains(field), "{name}: {reason:?} names `{field}`");
            }
        }
    }
    let r = h.req("GET", None, "/health", None);
    assert_eq!(r.status, 200, "{name}: the server lives");
}
