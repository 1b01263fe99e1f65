//! Webhooks (docs/CONSOLIDATION.md "Webhooks"): subscriptions per event
//! (`contribution.created`, `topic.forwarded`, `answer.received`) filtered
//! by communes and themes, bodies signed with HMAC-SHA256, delivered in the
//! background with exponential backoff, every attempt in a delivery log.
//!
//! The `Outbox` owns one background thread with its own small tokio
//! runtime: handlers hand it events (`emit`, never blocking a request), and
//! it follows the store's document feed from its own cursor (meta
//! `webhooks_feed_seq`) to announce new contributions, so the sync engine
//! knows nothing of webhooks. The thread ends when the `Outbox` is dropped.
//!
//! Records: `webhooks` (key: the subscription id; holds its secret, which
//! the API shows once at creation) and `deliveries` (key:
//! `{webhook}/{time millis}-{delivery}-{attempt}`: status, time, attempt —
//! never the body).

use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::startup::AppState;
use crate::store::{ConsolidationWrite, DocRow, RecordOp, Store, StoreError};
use actix_web::{delete, get, post, web, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use porte_voix_shared::{CommuneCode, Principal, Role};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

/// The collection of subscriptions; key: the subscription id.
pub const WEBHOOKS: &str = "webhooks";
/// The collection of delivery attempts.
pub const DELIVERIES: &str = "deliveries";
/// The events one may subscribe to.
pub const EVENTS: &[&str] = &["contribution.created", "topic.forwarded", "answer.received"];
/// The header of the signature: `t={unix seconds},v1={hex HMAC-SHA256 of
/// "{t}.{body}"}`.
pub const SIGNATURE_HEADER: &str = "X-PorteVoix-Signature";
/// Most attempts of one delivery (the first and its retries).
pub const MAX_ATTEMPTS: u32 = 6;

const META_CURSOR: &str = "webhooks_feed_seq";
const POLL: Duration = Duration::from_millis(300);

/// A subscription as the API shows it (never its secret, after creation).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Webhook {
    pub id: Uuid,
    /// Where deliveries are POSTed (`http://` or `https://`).
    pub url: String,
    pub events: Vec<String>,
    /// Only events concerning these communes (empty: any). A commune
    /// account's subscription is forced to its own commune.
    pub communes: Vec<CommuneCode>,
    /// Only events about these themes (empty: any).
    pub themes: Vec<String>,
    /// The commune account that made it, if any: it sees it and no other.
    pub commune_account: Option<CommuneCode>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredWebhook {
    #[serde(flatten)]
    hook: Webhook,
    secret: String,
}

/// `POST /api/v1/webhooks`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewWebhook {
    pub url: String,
    pub events: Vec<String>,
    #[serde(default)]
    pub communes: Vec<String>,
    #[serde(default)]
    pub themes: Vec<String>,
}

/// A new subscription, with its signing secret — shown this once.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedWebhook {
    #[serde(flatten)]
    pub webhook: Webhook,
    pub secret: String,
}

/// One delivery attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DeliveryAttempt {
    /// The delivery (the same across its retries; also in the body's `id`).
    pub delivery: Uuid,
    pub webhook: Uuid,
    pub event: String,
    /// 1 for the first try.
    pub attempt: u32,
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<u16>,
    /// Why there is no status (connection refused, timeout).
    pub error: Option<String>,
    pub ok: bool,
}

/// An event waiting for delivery.
#[derive(Debug, Clone)]
struct Event {
    name: String,
    communes: Vec<CommuneCode>,
    themes: Vec<String>,
    data: serde_json::Value,
}

/// Queues webhook deliveries and runs them in the background.
pub struct Outbox {
    tx: Option<tokio::sync::mpsc::UnboundedSender<Event>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Outbox {
    /// Stops the background thread and waits for it, so that the store it
    /// holds is released with the server (a restart in the same process
    /// reopens the same directory).
    fn drop(&mut self) {
        self.tx.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Outbox {
    pub fn new(store: Arc<dyn Store>) -> Self {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        // Read (or set) before anything else can store a document, so that
        // whatever is stored from now on is announced.
        let cursor = start_cursor(store.as_ref());
        let spawned = std::thread::Builder::new()
            .name("webhooks".into())
            .spawn(move || run(store, cursor, rx));
        let thread = match spawned {
            Ok(t) => Some(t),
            Err(e) => {
                tracing::error!(error = %e, "webhook thread not started");
                None
            }
        };
        Self {
            tx: Some(tx),
            thread,
        }
    }

    /// Queues an event for the subscriptions that match it. Never blocks.
    pub fn emit(
        &self,
        event: &str,
        communes: &[CommuneCode],
        themes: &[String],
        data: serde_json::Value,
    ) {
        let Some(tx) = &self.tx else { return };
        let _ = tx.send(Event {
            name: event.to_owned(),
            communes: communes.to_vec(),
            themes: themes.to_vec(),
            data,
        });
    }
}

/// The background thread: events from handlers, and the document feed.
fn run(
    store: Arc<dyn Store>,
    cursor: Result<(u64, bool), StoreError>,
    mut rx: tokio::sync::mpsc::UnboundedReceiver<Event>,
) {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(error = %e, "webhook runtime not started");
            return;
        }
    };
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_default();
    rt.block_on(async move {
        let mut cursor = match cursor {
            Ok((c, first_start)) => {
                if first_start {
                    if let Err(e) = mark_existing(store.as_ref(), c) {
                        tracing::error!(error = %e, "webhook seen marks failed");
                    }
                }
                c
            }
            Err(e) => {
                tracing::error!(error = %e, "webhook feed cursor unreadable");
                return;
            }
        };
        let mut tick = tokio::time::interval(POLL);
        loop {
            tokio::select! {
                ev = rx.recv() => match ev {
                    Some(ev) => dispatch(&store, &client, ev),
                    None => break,
                },
                _ = tick.tick() => {
                    match follow_feed(store.as_ref(), cursor) {
                        Ok((next, events)) => {
                            cursor = next;
                            for ev in events {
                                dispatch(&store, &client, ev);
                            }
                        }
                        Err(e) => tracing::error!(error = %e, "webhook feed failed"),
                    }
                }
            }
        }
    });
}

/// The feed cursor, and whether this is the store's first start with
/// webhooks (then what is already stored is not news: its documents get
/// their seen marks in the background before anything is announced).
fn start_cursor(store: &dyn Store) -> Result<(u64, bool), StoreError> {
    if let Some(v) = store.get_meta(META_CURSOR)? {
        let mut b = [0u8; 8];
        if v.len() == 8 {
            b.copy_from_slice(&v);
            return Ok((u64::from_be_bytes(b), false));
        }
    }
    let seq = store.last_seq()?;
    store.put_meta(META_CURSOR, &seq.to_be_bytes())?;
    Ok((seq, true))
}

fn seen_key(id: Uuid) -> String {
    format!("webhooks_seen/{id}")
}

/// Marks every document stored up to `upto` as seen, a page at a time.
fn mark_existing(store: &dyn Store, upto: u64) -> Result<(), StoreError> {
    let mut after = 0;
    while after < upto {
        let page = store.feed_since(after, 1000)?;
        let Some(&(last, _)) = page.last() else {
            break;
        };
        for (seq, id) in page {
            if seq <= upto {
                store.put_meta(&seen_key(id), b"1")?;
            }
        }
        after = last;
    }
    Ok(())
}

fn subscriptions(store: &dyn Store) -> Result<Vec<StoredWebhook>, StoreError> {
    store
        .scan_records(WEBHOOKS, "")?
        .into_iter()
        .map(|(_, v)| crate::store::decode("webhooks", &v))
        .collect()
}

/// New contributions after `cursor`. The feed lists a document at its
/// latest change, so "new" is "never seen": each document gets a seen mark
/// (meta) the first time it passes, whether or not anyone subscribes, and
/// an edit of a known contribution is never announced as created.
fn follow_feed(store: &dyn Store, cursor: u64) -> Result<(u64, Vec<Event>), StoreError> {
    let feed = store.feed_since(cursor, 500)?;
    let Some(&(last, _)) = feed.last() else {
        return Ok((cursor, vec![]));
    };
    let wanted = subscriptions(store)?
        .iter()
        .any(|s| s.hook.events.iter().any(|e| e == "contribution.created"));
    let mut events = vec![];
    for (_, id) in feed {
        let seen = seen_key(id);
        if store.get_meta(&seen)?.is_some() {
            continue;
        }
        store.put_meta(&seen, b"1")?;
        if !wanted {
            continue;
        }
        let Some(DocRow::Contribution(r)) = store.get_row(id)? else {
            continue;
        };
        let communes: Vec<CommuneCode> = r
            .commune
            .iter()
            .chain(r.arrondissement.iter())
            .cloned()
            .collect();
        events.push(Event {
            name: "contribution.created".into(),
            communes,
            themes: r.themes.clone(),
            // No text, no author, no contact, no point.
            data: serde_json::json!({
                "id": r.id, "commune": r.commune, "arrondissement": r.arrondissement,
                "themes": r.themes, "kind": r.kind, "created_at": r.created_at,
            }),
        });
    }
    store.put_meta(META_CURSOR, &last.to_be_bytes())?;
    Ok((last, events))
}

/// Whether a subscription wants an event.
fn matches(hook: &Webhook, ev: &Event) -> bool {
    hook.events.contains(&ev.name)
        && (hook.communes.is_empty() || hook.communes.iter().any(|c| ev.communes.contains(c)))
        && (hook.themes.is_empty() || hook.themes.iter().any(|t| ev.themes.contains(t)))
}

fn dispatch(store: &Arc<dyn Store>, client: &reqwest::Client, ev: Event) {
    let subs = match subscriptions(store.as_ref()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "webhook subscriptions unreadable");
            return;
        }
    };
    for sub in subs.into_iter().filter(|s| matches(&s.hook, &ev)) {
        let store = store.clone();
        let client = client.clone();
        let ev = ev.clone();
        tokio::spawn(async move { deliver(store, client, sub, ev).await });
    }
}

/// `t={t},v1={hex HMAC-SHA256(secret, "{t}.{body}")}`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key");
    mac.update(format!("{timestamp}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={timestamp},v1={hex}")
}

async fn deliver(store: Arc<dyn Store>, client: reqwest::Client, sub: StoredWebhook, ev: Event) {
    use backon::{ExponentialBuilder, Retryable};
    let delivery = Uuid::new_v4();
    let body = serde_json::json!({
        "id": delivery, "event": ev.name, "created_at": Utc::now(), "data": ev.data,
    })
    .to_string();
    let attempt = AtomicU32::new(0);
    let once = || async {
        let n = attempt.fetch_add(1, Ordering::SeqCst) + 1;
        let t = Utc::now();
        let result = client
            .post(&sub.hook.url)
            .header("Content-Type", "application/json")
            .header("X-PorteVoix-Event", &ev.name)
            .header("X-PorteVoix-Delivery", delivery.to_string())
            .header(
                SIGNATURE_HEADER,
                signature(&sub.secret, t.timestamp(), &body),
            )
            .body(body.clone())
            .send()
            .await;
        let (status, error) = match &result {
            Ok(r) => (Some(r.status().as_u16()), None),
            Err(e) if e.is_timeout() => (None, Some("timeout".to_owned())),
            Err(e) if e.is_connect() => (None, Some("connection failed".to_owned())),
            Err(_) => (None, Some("request failed".to_owned())),
        };
        let ok = status.is_some_and(|s| (200..300).contains(&s));
        let entry = DeliveryAttempt {
            delivery,
            webhook: sub.hook.id,
            event: ev.name.clone(),
            attempt: n,
            at: t,
            status,
            error,
            ok,
        };
        let key = format!(
            "{}/{:013}-{delivery}-{n:02}",
            sub.hook.id,
            t.timestamp_millis().max(0)
        );
        let logged = store.commit(ConsolidationWrite {
            records: vec![RecordOp::Put {
                collection: DELIVERIES,
                key,
                value: serde_json::to_vec(&entry).expect("deliveries serialize"),
            }],
            rows: vec![],
        });
        if let Err(e) = logged {
            tracing::error!(error = %e, "delivery log write failed");
        }
        if ok {
            Ok(())
        } else {
            Err(n)
        }
    };
    let backoff = ExponentialBuilder::default()
        .with_min_delay(Duration::from_millis(500))
        .with_max_delay(Duration::from_secs(60))
        .with_factor(2.0)
        .with_max_times(MAX_ATTEMPTS as usize - 1);
    let result = once.retry(backoff).sleep(tokio::time::sleep).await;
    match result {
        Ok(()) => tracing::info!(webhook = %sub.hook.id, %delivery, "webhook delivered"),
        Err(n) => {
            tracing::warn!(webhook = %sub.hook.id, %delivery, attempts = n, "webhook abandoned")
        }
    }
}

fn may_subscribe(p: &Principal) -> Result<(), ApiError> {
    if matches!(p.role, Role::Officer | Role::Admin | Role::Commune) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "webhooks are for the officer, administrators and communes".into(),
        ))
    }
}

/// Whether `p` sees this subscription: a commune account its own only.
fn visible(p: &Principal, h: &Webhook) -> bool {
    match p.role {
        Role::Officer | Role::Admin => true,
        Role::Commune => p.commune.is_some() && h.commune_account == p.commune,
        _ => false,
    }
}

fn load(state: &AppState, p: &Principal, id: Uuid) -> Result<StoredWebhook, ApiError> {
    state
        .store
        .get_record(WEBHOOKS, &id.to_string())?
        .map(|v| crate::store::decode::<StoredWebhook>("webhooks", &v))
        .transpose()?
        .filter(|s| visible(p, &s.hook))
        .ok_or_else(|| ApiError::NotFound("no such webhook".into()))
}

/// The subscriptions the caller sees (a commune account: its own).
#[utoipa::path(
    operation_id = "list_webhooks",
    tag = "webhooks",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<Webhook>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Volunteers", body = ErrorBody),
    )
)]
#[get("/api/v1/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    may_subscribe(&p)?;
    let mut hooks: Vec<Webhook> = web::block(move || subscriptions(state.store.as_ref()))
        .await??
        .into_iter()
        .map(|s| s.hook)
        .filter(|h| visible(&p, h))
        .collect();
    hooks.sort_by_key(|h| h.created_at);
    Ok(HttpResponse::Ok().json(hooks))
}

/// Subscribes a URL to events. A commune account's subscription is limited
/// to its own commune whatever it asks. The signing secret is in this
/// answer only.
#[utoipa::path(
    operation_id = "create_webhook",
    tag = "webhooks",
    security(("bearer" = [])),
    request_body = NewWebhook,
    responses(
        (status = 201, body = CreatedWebhook),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Volunteers", body = ErrorBody),
    )
)]
#[post("/api/v1/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<NewWebhook>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    may_subscribe(&p)?;
    let b = body.into_inner();
    let url = b.url.trim().to_owned();
    let scheme_ok = url.starts_with("http://") || url.starts_with("https://");
    if !scheme_ok || url.len() > 500 || reqwest::Url::parse(&url).is_err() {
        return Err(ApiError::BadRequest(
            "`url` is an http:// or https:// URL of at most 500 characters".into(),
        ));
    }
    let mut events = b.events;
    events.sort();
    events.dedup();
    if events.is_empty() || events.iter().any(|e| !EVENTS.contains(&e.as_str())) {
        return Err(ApiError::BadRequest(
            "`events` lists one or more of contribution.created, topic.forwarded, answer.received"
                .into(),
        ));
    }
    if b.themes.len() > 20
        || b.themes
            .iter()
            .any(|t| !porte_voix_shared::schema::is_slug(t))
    {
        return Err(ApiError::BadRequest(
            "`themes` is a list of at most 20 codes ([a-z0-9_])".into(),
        ));
    }
    let communes = if p.role == Role::Commune {
        // Its own territory only, whatever it asked.
        vec![p
            .commune
            .clone()
            .ok_or_else(|| ApiError::Forbidden("a commune account without a commune".into()))?]
    } else {
        let mut out = vec![];
        for c in &b.communes {
            let code = CommuneCode::parse(c.trim())
                .ok()
                .filter(|c| state.territory.area(c).is_some())
                .ok_or_else(|| {
                    ApiError::BadRequest("`communes` lists communes of the territory".into())
                })?;
            out.push(code);
        }
        out
    };
    let mut secret = [0u8; 32];
    rand::rng().fill_bytes(&mut secret);
    let stored = StoredWebhook {
        hook: Webhook {
            id: Uuid::new_v4(),
            url,
            events,
            communes,
            themes: b.themes,
            commune_account: (p.role == Role::Commune)
                .then(|| p.commune.clone())
                .flatten(),
            created_by: p.user_id.clone(),
            created_at: Utc::now(),
        },
        secret: format!("whsec_{}", B64URL.encode(secret)),
    };
    let record = RecordOp::Put {
        collection: WEBHOOKS,
        key: stored.hook.id.to_string(),
        value: serde_json::to_vec(&stored).expect("webhooks serialize"),
    };
    web::block(move || -> Result<(), StoreError> {
        state.store.commit(ConsolidationWrite {
            records: vec![record],
            rows: vec![],
        })?;
        state.store.flush()
    })
    .await??;
    tracing::info!(webhook = %stored.hook.id, "webhook created");
    Ok(HttpResponse::Created().json(CreatedWebhook {
        webhook: stored.hook,
        secret: stored.secret,
    }))
}

/// Removes a subscription and its delivery log.
#[utoipa::path(
    operation_id = "delete_webhook",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Volunteers", body = ErrorBody),
        (status = 404, description = "Unknown, or another commune's", body = ErrorBody),
    )
)]
#[delete("/api/v1/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    may_subscribe(&p)?;
    let id = id.into_inner();
    web::block(move || -> Result<(), ApiError> {
        let _guard = super::model::records_lock();
        load(&state, &p, id)?;
        let mut records = vec![RecordOp::Delete {
            collection: WEBHOOKS,
            key: id.to_string(),
        }];
        for (key, _) in state.store.scan_records(DELIVERIES, &format!("{id}/"))? {
            records.push(RecordOp::Delete {
                collection: DELIVERIES,
                key,
            });
        }
        state.store.commit(ConsolidationWrite {
            records,
            rows: vec![],
        })?;
        state.store.flush()?;
        Ok(())
    })
    .await??;
    Ok(HttpResponse::NoContent().finish())
}

/// The delivery log of a subscription, oldest first (the last 500
/// attempts): status, time and attempt of each, never the body.
#[utoipa::path(
    operation_id = "list_webhook_deliveries",
    tag = "webhooks",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 200, body = Vec<DeliveryAttempt>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Volunteers", body = ErrorBody),
        (status = 404, description = "Unknown, or another commune's", body = ErrorBody),
    )
)]
#[get("/api/v1/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    may_subscribe(&p)?;
    let id = id.into_inner();
    let log = web::block(move || -> Result<Vec<DeliveryAttempt>, ApiError> {
        load(&state, &p, id)?;
        let all = state.store.scan_records(DELIVERIES, &format!("{id}/"))?;
        let skip = all.len().saturating_sub(500);
        all.into_iter()
            .skip(skip)
            .map(|(_, v)| crate::store::decode("deliveries", &v).map_err(ApiError::from))
            .collect()
    })
    .await??;
    Ok(HttpResponse::Ok().json(log))
}

#[derive(OpenApi)]
#[openapi(
    paths(list_webhooks, create_webhook, delete_webhook, list_webhook_deliveries),
    components(schemas(Webhook, NewWebhook, CreatedWebhook, DeliveryAttempt))
)]
pub struct Doc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_webhooks)
        .service(create_webhook)
        .service(delete_webhook)
        .service(list_webhook_deliveries);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(communes: &[&str], themes: &[&str]) -> Webhook {
        Webhook {
            id: Uuid::new_v4(),
            url: "http://127.0.0.1:1/".into(),
            events: vec!["topic.forwarded".into()],
            communes: communes
                .iter()
                .map(|c| CommuneCode::parse(c).unwrap())
                .collect(),
            themes: themes.iter().map(|t| t.to_string()).collect(),
            commune_account: None,
            created_by: "x".into(),
            created_at: Utc::now(),
        }
    }

    fn event(name: &str, communes: &[&str], themes: &[&str]) -> Event {
        Event {
            name: name.into(),
            communes: communes
                .iter()
                .map(|c| CommuneCode::parse(c).unwrap())
                .collect(),
            themes: themes.iter().map(|t| t.to_string()).collect(),
            data: serde_json::Value::Null,
        }
    }

    #[test]
    fn a_subscription_matches_its_events_communes_and_themes() {
        let any = hook(&[], &[]);
        assert!(matches(
            &any,
            &event("topic.forwarded", &["69266"], &["water"])
        ));
        assert!(!matches(&any, &event("answer.received", &["69266"], &[])));
        let villeurbanne = hook(&["69266"], &[]);
        assert!(matches(
            &villeurbanne,
            &event("topic.forwarded", &["69123", "69266"], &[])
        ));
        assert!(!matches(
            &villeurbanne,
            &event("topic.forwarded", &["69123", "69383"], &[])
        ));
        let water = hook(&[], &["water"]);
        assert!(matches(
            &water,
            &event("topic.forwarded", &[], &["mobility", "water"])
        ));
        assert!(!matches(
            &water,
            &event("topic.forwarded", &[], &["mobility"])
        ));
    }

    #[test]
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // RFC 4231-style check against an independently computed value:
        // HMAC-SHA256(key "key", "1.{}").
        let s = signature("key", 1, "{}");
        assert!(s.starts_with("t=1,v1="));
        let hex = s.strip_prefix("t=1,v1=").unwrap();
        assert_eq!(hex.len(), 64);
        let mut mac = Hmac::<Sha256>::new_from_slice(b"key").unwrap();
        mac.update(b"1.{}");
        let raw = hex
            .as_bytes()
            .chunks(2)
            .map(|c| u8::from_str_radix(std::str::from_utf8(c).unwrap(), 16).unwrap())
            .collect::<Vec<_>>();
        assert!(mac.verify_slice(&raw).is_ok());
        assert_ne!(signature("key", 2, "{}"), s, "the timestamp is signed");
        assert_ne!(signature("other", 1, "{}"), s);
    }
}
