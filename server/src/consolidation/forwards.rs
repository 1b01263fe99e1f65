//! Forwarding a topic (or one contribution) to a recipient, the personal
//! answer link, the answer's way back to the residents' phones, the waiting
//! list and the follow-up figures (docs/CONSOLIDATION.md "Forwarding, the
//! answer link and the way back to the phone").
//!
//! The answer link: 32 random bytes (base64url) that the server keeps only
//! as their SHA-256 (collection `answer_tokens`: hex hash → forward id), for
//! one forward and one recipient, expiring (60 days by default), revocable.
//! The token travels in the URL *fragment* of the page the recipient opens
//! (never sent to a server) and, from that page, in the `X-Answer-Token`
//! header of the two public calls: no path, query string or log holds it.
//! It answers once; after the answer it still shows the dossier and the
//! answer, read-only, until it expires.
//!
//! Records: `forwards` (key: the forward id) and `answer_tokens`.

use super::model::{self, records_lock, Topic, TOPICS};
use super::recipients::{load_recipient, Recipient};
use crate::auth::AuthUser;
use crate::document;
use crate::error::{ApiError, ErrorBody};
use crate::startup::AppState;
use crate::store::{ConsolidationWrite, ContributionQuery, ContributionRow, DocRow, RecordOp};
use crate::store::{Store, StoreError};
use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use base64::Engine as _;
use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Europe::Paris;
use porte_voix_shared::schema::Review;
use porte_voix_shared::workflow::{self, TransitionContext};
use porte_voix_shared::{CommuneCode, Contribution, Document, Principal, Role, Status};
use porte_voix_shared::{ContributionKind, TopicStatus};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

/// The collection of forwards; key: the forward id.
pub const FORWARDS: &str = "forwards";
/// The collection of answer links; key: the hex SHA-256 of the token.
pub const ANSWER_TOKENS: &str = "answer_tokens";
/// The header that carries an answer token.
pub const TOKEN_HEADER: &str = "X-Answer-Token";
/// Days an answer link lives unless the forward says otherwise.
pub const DEFAULT_LINK_DAYS: i64 = 60;
/// Bounds of `link_days`.
pub const LINK_DAYS: std::ops::RangeInclusive<i64> = 1..=180;

const NO_LINK: &str = "this answer link is unknown, expired or revoked";

/// The answer of a recipient.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Answer {
    pub text: String,
    pub author_name: String,
    pub author_role: Option<String>,
    pub answered_at: DateTime<Utc>,
}

/// What forwarding or answering did to one contribution.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Outcome {
    pub contribution: Uuid,
    /// `forwarded` (moved to forwarded, through qualified when it was new),
    /// `answered` (moved to answered), `recorded` (the follow-up entry or
    /// the answer written, status kept), `skipped` (nothing written: see
    /// `reason`), `failed` (a storage error; nothing written).
    pub outcome: String,
    /// Its status after this.
    pub status: Option<Status>,
    pub reason: Option<String>,
}

/// A forward as stored and as the officer reads it (no token: the server
/// keeps only its hash, elsewhere).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Forward {
    pub id: Uuid,
    /// The forwarded topic, or `None` for one contribution.
    pub topic: Option<Uuid>,
    /// The forwarded contribution, when it is one contribution.
    pub contribution: Option<Uuid>,
    pub recipient: Uuid,
    /// The recipient's name at the time of the forward.
    pub recipient_name: String,
    pub message: String,
    pub due_on: NaiveDate,
    pub sent_at: DateTime<Utc>,
    pub sent_by: String,
    /// The contributions that got a `follow_up` entry of this forward.
    pub contributions: Vec<Uuid>,
    /// The communes and arrondissements of those contributions.
    pub communes: Vec<CommuneCode>,
    pub themes: Vec<String>,
    pub link_expires_at: DateTime<Utc>,
    pub link_revoked: bool,
    pub answer: Option<Answer>,
    /// Whether the link was e-mailed to the recipient.
    pub emailed: bool,
    /// Why it was not (no SMTP server, no address, the server refused).
    pub email_error: Option<String>,
    #[serde(default)]
    pub outcomes: Vec<Outcome>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct TokenRecord {
    forward: Uuid,
    expires_at: DateTime<Utc>,
}

/// `POST /api/v1/topics/{id}/forwards` and
/// `POST /api/v1/contributions/{id}/forwards`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewForward {
    /// A recipient id of the directory (active).
    pub recipient: Uuid,
    /// The officer's message to the recipient (1 to 5000 characters).
    pub message: String,
    /// The date an answer is expected by (today or later, Europe/Paris).
    pub due_on: NaiveDate,
    /// Days the answer link lives (1 to 180, default 60).
    pub link_days: Option<i64>,
}

/// A new forward, with its link — shown once: the server keeps only its
/// hash.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CreatedForward {
    #[serde(flatten)]
    pub forward: Forward,
    /// `{public base}/console/repondre#{token}`.
    pub answer_url: String,
}

fn paris_today() -> NaiveDate {
    Utc::now().with_timezone(&Paris).date_naive()
}

fn paris_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&Paris).date_naive()
}

fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

fn new_token() -> String {
    let mut b = [0u8; 32];
    rand::rng().fill_bytes(&mut b);
    B64URL.encode(b)
}

fn officer_only(p: &Principal) -> Result<(), ApiError> {
    if p.role == Role::Officer {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only the officer forwards and follows forwards".into(),
        ))
    }
}

fn put_forward(f: &Forward) -> RecordOp {
    RecordOp::Put {
        collection: FORWARDS,
        key: f.id.to_string(),
        value: serde_json::to_vec(f).expect("forwards serialize"),
    }
}

/// A stored forward.
pub fn load_forward(store: &dyn Store, id: Uuid) -> Result<Option<Forward>, StoreError> {
    store
        .get_record(FORWARDS, &id.to_string())?
        .map(|v| crate::store::decode("forwards", &v))
        .transpose()
}

/// Every forward (hundreds at most: one per topic and recipient).
pub fn list_forwards(store: &dyn Store) -> Result<Vec<Forward>, StoreError> {
    store
        .scan_records(FORWARDS, "")?
        .into_iter()
        .map(|(_, v)| crate::store::decode("forwards", &v))
        .collect()
}

fn members(store: &dyn Store, topic: Uuid) -> Result<Vec<ContributionRow>, StoreError> {
    Ok(store
        .list_contributions(
            &ContributionQuery {
                topic: Some(topic),
                limit: usize::MAX,
                ..Default::default()
            },
            &|_| true,
        )?
        .items)
}

fn communes_of(rows: &[ContributionRow]) -> Vec<CommuneCode> {
    let set: BTreeSet<CommuneCode> = rows
        .iter()
        .flat_map(|r| r.commune.iter().chain(r.arrondissement.iter()).cloned())
        .collect();
    set.into_iter().collect()
}

fn load_contribution(
    state: &AppState,
    id: Uuid,
) -> Result<Option<(automerge::Automerge, Contribution)>, ApiError> {
    let Some(doc) = state.engine.load(id)? else {
        return Ok(None);
    };
    match Document::parse(id, &document::to_json(&doc)) {
        Ok(Document::Contribution(c)) => Ok(Some((doc, c))),
        _ => Ok(None),
    }
}

fn review_with(c: &Contribution, status: Status) -> Review {
    let old = c.review.clone();
    Review {
        status,
        themes: old
            .as_ref()
            .map(|r| r.themes.clone())
            .unwrap_or(c.themes.clone()),
        tags: old.as_ref().map(|r| r.tags.clone()).unwrap_or_default(),
        merged_into: old.as_ref().and_then(|r| r.merged_into),
        notes: old.map(|r| r.notes).unwrap_or_default(),
    }
}

fn failed(id: Uuid, e: impl std::fmt::Display) -> Outcome {
    tracing::error!(contribution = %id, error = %e, "follow-up write failed");
    Outcome {
        contribution: id,
        outcome: "failed".into(),
        status: None,
        reason: Some("storage error".into()),
    }
}

/// Records the forward in one contribution's document (its `follow_up`
/// entry), and moves it to `forwarded` along the review workflow.
fn forward_one(
    state: &AppState,
    officer: &str,
    id: Uuid,
    forward: &Forward,
) -> Result<Outcome, ApiError> {
    state.engine.with_doc_lock(id, || {
        let Some((mut doc, c)) = load_contribution(state, id)? else {
            return Ok(Outcome {
                contribution: id,
                outcome: "skipped".into(),
                status: None,
                reason: Some("not a stored contribution".into()),
            });
        };
        let from = c.status();
        if matches!(from, Status::Closed | Status::Duplicate | Status::OffTopic) {
            return Ok(Outcome {
                contribution: id,
                outcome: "skipped".into(),
                status: Some(from),
                reason: Some(format!("a `{from}` contribution is not forwarded")),
            });
        }
        let actor = state.engine.user_actor(officer)?;
        let fid = forward.id.to_string();
        let am = |e: automerge::AutomergeError| ApiError::Internal(e.into());
        document::append_follow_up(
            &mut doc,
            &actor,
            &fid,
            &forward.recipient_name,
            forward.sent_at,
        )
        .map_err(am)?;
        let follow_up = match load_follow_up(&doc) {
            Some(f) => f,
            None => return Ok(failed(id, "follow_up unreadable after write")),
        };
        let mut status = from;
        let mut steps = vec![];
        if from == Status::New {
            steps.push(Status::Qualified);
        }
        if matches!(from, Status::New | Status::Qualified) {
            steps.push(Status::Forwarded);
        }
        for to in steps {
            let current = c.review.as_ref().map(|r| r.notes.as_str()).unwrap_or("");
            let ctx = TransitionContext {
                follow_up: &follow_up,
                merged_into: c.review.as_ref().and_then(|r| r.merged_into),
                notes: current,
                topic: None,
            };
            if let Err(e) = workflow::check_transition(status, to, &ctx) {
                return Ok(Outcome {
                    contribution: id,
                    outcome: "skipped".into(),
                    status: Some(from),
                    reason: Some(e.to_string()),
                });
            }
            document::write_review(&mut doc, &actor, &review_with(&c, to)).map_err(am)?;
            status = to;
        }
        write_unflushed(state, id, &doc, &actor, officer)?;
        Ok(Outcome {
            contribution: id,
            outcome: if status != from {
                "forwarded"
            } else {
                "recorded"
            }
            .into(),
            status: Some(status),
            reason: None,
        })
    })
}

/// `SyncEngine::store_server_write` without its flush: a forward or an
/// answer writes many documents, then flushes once (the records commit
/// after them flushes) before anyone is told it is done. One fsync per
/// document made a topic of 300 contributions take 6 s (debug build).
fn write_unflushed(
    state: &AppState,
    id: Uuid,
    doc: &automerge::Automerge,
    actor: &automerge::ActorId,
    user: &str,
) -> Result<(), ApiError> {
    let parsed = Document::parse(id, &document::to_json(doc))
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("server write breaks the schema: {e}")))?;
    state.store.put_doc(crate::store::DocWrite {
        id,
        bytes: doc.save(),
        row: crate::sync::row_for(&parsed),
        bind_actors: vec![(actor.to_hex_string(), user.to_owned())],
    })?;
    Ok(())
}

fn load_follow_up(doc: &automerge::Automerge) -> Option<Vec<porte_voix_shared::schema::FollowUp>> {
    serde_json::from_value(document::to_json(doc)["follow_up"].clone()).ok()
}

/// Writes the answer into one contribution's entry of this forward and moves
/// it to `answered` when it is `forwarded`.
fn answer_one(state: &AppState, id: Uuid, forward: &Forward, answer: &Answer) -> Outcome {
    let by = format!("@recipient:{}", forward.recipient);
    let run = || -> Result<Outcome, ApiError> {
        state.engine.with_doc_lock(id, || {
            let Some((mut doc, c)) = load_contribution(state, id)? else {
                return Ok(Outcome {
                    contribution: id,
                    outcome: "skipped".into(),
                    status: None,
                    reason: Some("not a stored contribution".into()),
                });
            };
            let actor = state.engine.user_actor(&by)?;
            let am = |e: automerge::AutomergeError| ApiError::Internal(e.into());
            let wrote = document::write_follow_up_answer(
                &mut doc,
                &actor,
                &forward.id.to_string(),
                &answer.text,
                answer.answered_at,
            )
            .map_err(am)?;
            if !wrote {
                return Ok(Outcome {
                    contribution: id,
                    outcome: "skipped".into(),
                    status: Some(c.status()),
                    reason: Some("no follow-up entry of this forward".into()),
                });
            }
            let from = c.status();
            let mut status = from;
            if from == Status::Forwarded {
                let follow_up = load_follow_up(&doc).unwrap_or_default();
                let ctx = TransitionContext {
                    follow_up: &follow_up,
                    merged_into: None,
                    notes: "",
                    topic: None,
                };
                if workflow::check_transition(from, Status::Answered, &ctx).is_ok() {
                    document::write_review(&mut doc, &actor, &review_with(&c, Status::Answered))
                        .map_err(am)?;
                    status = Status::Answered;
                }
            }
            write_unflushed(state, id, &doc, &actor, &by)?;
            Ok(Outcome {
                contribution: id,
                outcome: if status != from {
                    "answered"
                } else {
                    "recorded"
                }
                .into(),
                status: Some(status),
                reason: None,
            })
        })
    };
    run().unwrap_or_else(|e| failed(id, e))
}

/// What a forward is about, checked and loaded under the records lock.
enum Target {
    Topic(Box<Topic>, Vec<ContributionRow>),
    Contribution(ContributionRow),
}

fn validate_new(b: &NewForward) -> Result<i64, ApiError> {
    let len = b.message.trim().chars().count();
    if len == 0 || len > 5000 {
        return Err(ApiError::BadRequest(
            "`message` has 1 to 5000 characters".into(),
        ));
    }
    if b.due_on < paris_today() {
        return Err(ApiError::BadRequest(
            "`due_on` is today or later (Europe/Paris)".into(),
        ));
    }
    let days = b.link_days.unwrap_or(DEFAULT_LINK_DAYS);
    if !LINK_DAYS.contains(&days) {
        return Err(ApiError::BadRequest(
            "`link_days` is between 1 and 180".into(),
        ));
    }
    Ok(days)
}

/// The whole forward, under the records lock: records first (the forward,
/// its link, the topic's status and history), then each document.
fn create(
    state: &AppState,
    p: &Principal,
    target: impl FnOnce(&AppState) -> Result<Target, ApiError>,
    b: NewForward,
) -> Result<(Forward, String, Option<Recipient>), ApiError> {
    let link_days = validate_new(&b)?;
    let _guard = records_lock();
    let target = target(state)?;
    let recipient = load_recipient(state.store.as_ref(), b.recipient)?
        .filter(|r| r.active)
        .ok_or_else(|| {
            ApiError::BadRequest("`recipient` is not an active recipient of the directory".into())
        })?;
    let now = Utc::now();
    let (rows, topic_id, contribution_id, topic_themes) = match &target {
        Target::Topic(t, rows) => (rows.clone(), Some(t.id), None, t.themes.clone()),
        Target::Contribution(r) => (vec![r.clone()], None, Some(r.id), vec![]),
    };
    let themes: BTreeSet<String> = topic_themes
        .into_iter()
        .chain(rows.iter().flat_map(|r| r.themes.iter().cloned()))
        .collect();
    let mut forward = Forward {
        id: Uuid::new_v4(),
        topic: topic_id,
        contribution: contribution_id,
        recipient: recipient.id,
        recipient_name: recipient.name.clone(),
        message: b.message.trim().to_owned(),
        due_on: b.due_on,
        sent_at: now,
        sent_by: p.user_id.clone(),
        contributions: vec![],
        communes: communes_of(&rows),
        themes: themes.into_iter().collect(),
        link_expires_at: now + chrono::Duration::days(link_days),
        link_revoked: false,
        answer: None,
        emailed: false,
        email_error: None,
        outcomes: vec![],
    };
    let token = new_token();
    let mut records = vec![
        RecordOp::Put {
            collection: ANSWER_TOKENS,
            key: token_hash(&token),
            value: serde_json::to_vec(&TokenRecord {
                forward: forward.id,
                expires_at: forward.link_expires_at,
            })
            .expect("tokens serialize"),
        },
        put_forward(&forward),
    ];
    if let Target::Topic(mut t, _) = target {
        // Along the topic workflow: `open` → `forwarded`, and `answered` back
        // to `forwarded` for another recipient; this forward is its forward.
        let ctx = workflow::TopicContext { forwards: 1 };
        if workflow::check_topic_transition(t.status, TopicStatus::Forwarded, &ctx).is_ok() {
            t.status = TopicStatus::Forwarded;
        }
        t.record(
            &p.user_id,
            "forwarded",
            serde_json::json!({"forward": forward.id, "recipient": recipient.id,
                               "contributions": rows.len()}),
        );
        records.push(model::put_topic(&t));
    }
    state.store.commit(ConsolidationWrite {
        records,
        rows: vec![],
    })?;
    state.store.flush()?;
    for r in &rows {
        let o = forward_one(state, &p.user_id, r.id, &forward).unwrap_or_else(|e| failed(r.id, e));
        if matches!(o.outcome.as_str(), "forwarded" | "recorded") {
            forward.contributions.push(r.id);
        }
        forward.outcomes.push(o);
    }
    state.store.commit(ConsolidationWrite {
        records: vec![put_forward(&forward)],
        rows: vec![],
    })?;
    state.store.flush()?;
    Ok((forward, token, Some(recipient)))
}

/// Sends the link by e-mail when an SMTP server is set; the reason when not.
async fn email_link(
    state: &AppState,
    recipient: &Recipient,
    forward: &Forward,
    url: &str,
) -> Result<(), String> {
    let Some(smtp) = state.settings.smtp_url.as_deref() else {
        return Err("no SMTP server is configured (PORTE_VOIX_SMTP_URL)".into());
    };
    let Some(to) = recipient.email.as_deref() else {
        return Err("the recipient has no e-mail address".into());
    };
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
    let due = forward.due_on.format("%d/%m/%Y");
    let body = format!(
        "Bonjour,\n\n\
         Le conseil de développement vous transmet un sujet porté par des habitants, \
         avec le message suivant :\n\n{}\n\n\
         Une réponse est attendue pour le {due}. Vous pouvez consulter le dossier \
         (sans données personnelles) et y répondre, sans compte, à cette adresse \
         personnelle :\n\n{url}\n\n\
         Ce lien vous est réservé : ne le transférez pas. Il expire le {}.\n\n\
         Votre réponse sera transmise aux habitants qui se sont exprimés.\n\n\
         Le conseil de développement\n",
        forward.message,
        paris_date(forward.link_expires_at).format("%d/%m/%Y"),
    );
    let message = Message::builder()
        .from(
            "Porte-voix <ne-pas-repondre@porte-voix.invalid>"
                .parse()
                .map_err(|_| "bad sender address".to_owned())?,
        )
        .to(to
            .parse()
            .map_err(|_| "the recipient's e-mail address is refused".to_owned())?)
        .subject("Un sujet des habitants vous est transmis")
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|_| "the message could not be built".to_owned())?;
    let (host, port) = smtp_host_port(smtp)
        .ok_or_else(|| "PORTE_VOIX_SMTP_URL is not a usable smtp://host:port URL".to_owned())?;
    // Plain SMTP, no TLS (this build has none): a relay on the same host or
    // network, as in docs/OPERATIONS.md.
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
        .port(port)
        .timeout(Some(std::time::Duration::from_secs(15)))
        .build();
    transport.send(message).await.map(|_| ()).map_err(|e| {
        tracing::warn!(forward = %forward.id, error = %e, "answer link e-mail failed");
        "the SMTP server did not accept the message".to_owned()
    })
}

/// `smtp://host[:port]` (port 25 by default).
fn smtp_host_port(url: &str) -> Option<(String, u16)> {
    let rest = url.trim().strip_prefix("smtp://")?.trim_end_matches('/');
    let (host, port) = match rest.rsplit_once(':') {
        Some((h, p)) => (h, p.parse().ok()?),
        None => (rest, 25),
    };
    (!host.is_empty() && !host.contains(['/', '@', '?'])).then(|| (host.to_owned(), port))
}

async fn finish_create(
    req: &HttpRequest,
    state: web::Data<AppState>,
    created: (Forward, String, Option<Recipient>),
) -> Result<HttpResponse, ApiError> {
    let (mut forward, token, recipient) = created;
    let base = state
        .settings
        .public_base(req.app_config().local_addr().port());
    let answer_url = format!("{base}/console/repondre#{token}");
    if let Some(r) = &recipient {
        match email_link(&state, r, &forward, &answer_url).await {
            Ok(()) => forward.emailed = true,
            Err(reason) => forward.email_error = Some(reason),
        }
        let stored = forward.clone();
        let s = state.clone();
        web::block(move || -> Result<(), StoreError> {
            let _guard = records_lock();
            // Keep whatever changed meanwhile (an early answer or a revoke).
            let mut f = load_forward(s.store.as_ref(), stored.id)?.unwrap_or(stored.clone());
            f.emailed = stored.emailed;
            f.email_error = stored.email_error.clone();
            s.store.commit(ConsolidationWrite {
                records: vec![put_forward(&f)],
                rows: vec![],
            })?;
            s.store.flush()
        })
        .await??;
    }
    state.webhooks.emit(
        "topic.forwarded",
        &forward.communes,
        &forward.themes,
        serde_json::json!({
            "forward": forward.id, "topic": forward.topic, "contribution": forward.contribution,
            "recipient": forward.recipient_name, "due_on": forward.due_on,
            "sent_at": forward.sent_at, "contributions": forward.contributions.len(),
            "communes": forward.communes, "themes": forward.themes,
        }),
    );
    tracing::info!(forward = %forward.id, emailed = forward.emailed, "forward created");
    Ok(HttpResponse::Created().json(CreatedForward {
        forward,
        answer_url,
    }))
}

fn topic_target(state: &AppState, id: Uuid) -> Result<Target, ApiError> {
    let topic = model::load_topic(state.store.as_ref(), id)?
        .ok_or_else(|| ApiError::NotFound("no such topic".into()))?;
    if topic.status == TopicStatus::Closed {
        return Err(ApiError::Conflict("a closed topic is not forwarded".into()));
    }
    let rows = members(state.store.as_ref(), id)?;
    if rows.is_empty() {
        return Err(ApiError::Conflict(
            "the topic has no attached contribution to forward".into(),
        ));
    }
    Ok(Target::Topic(Box::new(topic), rows))
}

/// Forwards a topic without HTTP (the demo data): the same records and
/// document writes as `POST /api/v1/topics/{id}/forwards`, no e-mail and no
/// webhook. Returns the forward and its token. Blocking: not on an async
/// worker.
pub fn forward_topic(
    state: &AppState,
    officer: &Principal,
    topic: Uuid,
    b: NewForward,
) -> Result<(Forward, String), ApiError> {
    officer_only(officer)?;
    let (f, token, _) = create(state, officer, |s| topic_target(s, topic), b)?;
    Ok((f, token))
}

/// Stores a forward record as it is (the demo dates some in the past).
pub fn store_forward(store: &dyn Store, f: &Forward) -> Result<(), StoreError> {
    let _guard = records_lock();
    store.commit(ConsolidationWrite {
        records: vec![put_forward(f)],
        rows: vec![],
    })?;
    store.flush()
}

/// Forwards a topic to a recipient: the topic moves to `forwarded` (history
/// entry), each attached contribution gets a `follow_up` entry and moves to
/// `forwarded` (through `qualified` when it is new; closed, duplicate and
/// off-topic ones are skipped), with a result per contribution. Returns the
/// personal answer link (shown once) and whether it was e-mailed.
#[utoipa::path(
    operation_id = "create_topic_forward",
    tag = "forwards",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Topic id")),
    request_body = NewForward,
    responses(
        (status = 201, body = CreatedForward),
        (status = 400, description = "A bad message, due date, link lifetime or recipient", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not the officer", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The topic is closed or has no contribution", body = ErrorBody),
    )
)]
#[post("/api/v1/topics/{id}/forwards")]
pub async fn create_topic_forward(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<NewForward>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    officer_only(&p)?;
    let id = id.into_inner();
    let s = state.clone();
    let created =
        web::block(move || create(&s, &p, |state| topic_target(state, id), body.into_inner()))
            .await??;
    finish_create(&req, state, created).await
}

/// Forwards one contribution (outside any topic, or apart from its topic):
/// same rules as a topic's forward, for that contribution alone.
#[utoipa::path(
    operation_id = "create_contribution_forward",
    tag = "forwards",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Contribution id")),
    request_body = NewForward,
    responses(
        (status = 201, body = CreatedForward),
        (status = 400, description = "A bad message, due date, link lifetime or recipient", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not the officer", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The contribution is closed, a duplicate or off topic", body = ErrorBody),
    )
)]
#[post("/api/v1/contributions/{id}/forwards")]
pub async fn create_contribution_forward(
    req: HttpRequest,
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<NewForward>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    officer_only(&p)?;
    let id = id.into_inner();
    let s = state.clone();
    let created = web::block(move || {
        create(
            &s,
            &p,
            |state| match state.store.get_row(id)? {
                Some(DocRow::Contribution(r)) => {
                    if matches!(
                        r.status,
                        Status::Closed | Status::Duplicate | Status::OffTopic
                    ) {
                        return Err(ApiError::Conflict(format!(
                            "a `{}` contribution is not forwarded",
                            r.status
                        )));
                    }
                    Ok(Target::Contribution(r))
                }
                _ => Err(ApiError::NotFound("no such contribution".into())),
            },
            body.into_inner(),
        )
    })
    .await??;
    finish_create(&req, state, created).await
}

/// Revokes a forward's answer link: it answers 404 from now on.
#[utoipa::path(
    operation_id = "delete_forward_link",
    tag = "forwards",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Forward id")),
    responses(
        (status = 204, description = "Revoked (also when it already was)"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not the officer", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[delete("/api/v1/forwards/{id}/link")]
pub async fn delete_forward_link(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    officer_only(&user.0)?;
    let id = id.into_inner();
    web::block(move || -> Result<(), ApiError> {
        let _guard = records_lock();
        let mut f = load_forward(state.store.as_ref(), id)?
            .ok_or_else(|| ApiError::NotFound("no such forward".into()))?;
        let mut records = vec![];
        for (key, v) in state.store.scan_records(ANSWER_TOKENS, "")? {
            let t: TokenRecord = crate::store::decode("answer_tokens", &v)?;
            if t.forward == id {
                records.push(RecordOp::Delete {
                    collection: ANSWER_TOKENS,
                    key,
                });
            }
        }
        f.link_revoked = true;
        records.push(put_forward(&f));
        state.store.commit(ConsolidationWrite {
            records,
            rows: vec![],
        })?;
        state.store.flush()?;
        Ok(())
    })
    .await??;
    tracing::info!(forward = %id, "answer link revoked");
    Ok(HttpResponse::NoContent().finish())
}

/// The forward an answer token opens, or 404.
fn forward_of_token(state: &AppState, token: Option<&str>) -> Result<Forward, ApiError> {
    let gone = || ApiError::NotFound(NO_LINK.into());
    let token = token
        .map(str::trim)
        .filter(|t| t.len() == 43 && B64URL.decode(t).is_ok_and(|b| b.len() == 32))
        .ok_or_else(gone)?;
    let record: TokenRecord = state
        .store
        .get_record(ANSWER_TOKENS, &token_hash(token))?
        .map(|v| crate::store::decode("answer_tokens", &v))
        .transpose()?
        .ok_or_else(gone)?;
    let now = Utc::now();
    let f = load_forward(state.store.as_ref(), record.forward)?.ok_or_else(gone)?;
    if f.link_revoked || now >= f.link_expires_at || now >= record.expires_at {
        return Err(gone());
    }
    Ok(f)
}

/// Counts of one dimension.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CommuneCount {
    pub code: CommuneCode,
    pub name: String,
    pub count: usize,
}

/// The figures of a dossier.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DossierFigures {
    pub count: usize,
    /// By commune (Lyon counted by arrondissement).
    pub by_commune: Vec<CommuneCount>,
    pub by_kind: BTreeMap<String, usize>,
    pub first_at: Option<DateTime<Utc>>,
    pub last_at: Option<DateTime<Utc>>,
}

/// A commune or arrondissement concerned.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CommuneName {
    pub code: CommuneCode,
    pub name: String,
}

/// What the answer link shows: the topic, its figures, the officer's
/// quotes, the communes, the forward's message — never an author, a
/// contact, an exact point, or anything of another topic.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Dossier {
    /// `topic` or `contribution`.
    pub kind: String,
    pub title: String,
    pub summary: String,
    pub themes: Vec<String>,
    pub figures: DossierFigures,
    /// Excerpts chosen by the officer (the text itself for one contribution).
    pub quotes: Vec<String>,
    pub communes: Vec<CommuneName>,
    pub recipient_name: String,
    pub message: String,
    pub due_on: NaiveDate,
    pub sent_at: DateTime<Utc>,
    pub link_expires_at: DateTime<Utc>,
    /// The answer, once given (the link is then read-only).
    pub answer: Option<Answer>,
}

/// The answer token of a request (its header).
fn header_token(req: &HttpRequest) -> Option<String> {
    req.headers()
        .get(TOKEN_HEADER)
        .and_then(|h| h.to_str().ok())
        .map(str::to_owned)
}

fn area_name(state: &AppState, code: &CommuneCode) -> String {
    state
        .territory
        .area(code)
        .map(|a| a.name.clone())
        .unwrap_or_else(|| code.as_str().to_owned())
}

fn dossier(state: &AppState, f: &Forward) -> Result<Dossier, ApiError> {
    let (kind, title, summary, themes, quotes, rows) = match (f.topic, f.contribution) {
        (Some(t), _) => {
            let topic = model::load_topic(state.store.as_ref(), t)?
                .ok_or_else(|| ApiError::NotFound(NO_LINK.into()))?;
            let rows = members(state.store.as_ref(), t)?;
            let quotes = topic.quotes.iter().map(|q| q.excerpt.clone()).collect();
            (
                "topic",
                topic.title,
                topic.summary,
                topic.themes,
                quotes,
                rows,
            )
        }
        (None, Some(c)) => {
            let Some(DocRow::Contribution(row)) = state.store.get_row(c)? else {
                return Err(ApiError::NotFound(NO_LINK.into()));
            };
            let text = load_contribution(state, c)?
                .map(|(_, c)| c.text)
                .unwrap_or_default();
            let title = format!(
                "Contribution recueillie le {}",
                paris_date(row.created_at).format("%d/%m/%Y")
            );
            let themes = row.themes.clone();
            (
                "contribution",
                title,
                String::new(),
                themes,
                vec![text],
                vec![row],
            )
        }
        _ => return Err(ApiError::NotFound(NO_LINK.into())),
    };
    let mut by_commune: BTreeMap<CommuneCode, usize> = BTreeMap::new();
    let mut by_kind: BTreeMap<String, usize> = BTreeMap::new();
    for r in &rows {
        if let Some(c) = r.arrondissement.as_ref().or(r.commune.as_ref()) {
            *by_commune.entry(c.clone()).or_default() += 1;
        }
        *by_kind
            .entry(ContributionKind::code(r.kind).to_owned())
            .or_default() += 1;
    }
    let communes = communes_of(&rows)
        .into_iter()
        .map(|code| CommuneName {
            name: area_name(state, &code),
            code,
        })
        .collect();
    Ok(Dossier {
        kind: kind.into(),
        title,
        summary,
        themes,
        figures: DossierFigures {
            count: rows.len(),
            by_commune: by_commune
                .into_iter()
                .map(|(code, count)| CommuneCount {
                    name: area_name(state, &code),
                    code,
                    count,
                })
                .collect(),
            by_kind,
            first_at: rows.iter().map(|r| r.created_at).min(),
            last_at: rows.iter().map(|r| r.created_at).max(),
        },
        quotes,
        communes,
        recipient_name: f.recipient_name.clone(),
        message: f.message.clone(),
        due_on: f.due_on,
        sent_at: f.sent_at,
        link_expires_at: f.link_expires_at,
        answer: f.answer.clone(),
    })
}

/// The dossier an answer link opens, without an account. The token is in
/// the `X-Answer-Token` header, never in the path or the query string.
#[utoipa::path(
    operation_id = "get_answer_dossier",
    tag = "forwards",
    params(("X-Answer-Token" = String, Header, description = "The token of the answer link")),
    responses(
        (status = 200, body = Dossier),
        (status = 404, description = "No token, or an unknown, expired or revoked one", body = ErrorBody),
    )
)]
#[get("/api/v1/answer/dossier")]
pub async fn get_answer_dossier(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let token = header_token(&req);
    let d = web::block(move || -> Result<Dossier, ApiError> {
        let f = forward_of_token(&state, token.as_deref())?;
        dossier(&state, &f)
    })
    .await??;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .json(d))
}

/// `POST /api/v1/answer`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewAnswer {
    /// The answer to the residents (1 to 10000 characters).
    pub text: String,
    /// Who answers (1 to 200 characters).
    pub author_name: String,
    /// Their function (at most 200 characters).
    pub author_role: Option<String>,
}

/// What the recipient is told after answering.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AnswerReceipt {
    pub answered_at: DateTime<Utc>,
    /// How many contributions' authors will see it at their next sync.
    pub contributions: usize,
}

/// Records the recipient's answer (once): the topic and its contributions
/// move to `answered`, and the answer is written into each contribution's
/// `follow_up` entry of this forward, which reaches the author's phone at
/// its next sync.
#[utoipa::path(
    operation_id = "create_answer",
    tag = "forwards",
    params(("X-Answer-Token" = String, Header, description = "The token of the answer link")),
    request_body = NewAnswer,
    responses(
        (status = 201, body = AnswerReceipt),
        (status = 400, body = ErrorBody),
        (status = 404, description = "No token, or an unknown, expired or revoked one", body = ErrorBody),
        (status = 409, description = "Already answered: the link is read-only now", body = ErrorBody),
    )
)]
#[post("/api/v1/answer")]
pub async fn create_answer(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: web::Json<NewAnswer>,
) -> Result<HttpResponse, ApiError> {
    let s = state.clone();
    let token = header_token(&req);
    let b = body.into_inner();
    let f = web::block(move || answer_with_token(&s, token.as_deref(), b)).await??;
    let answer = f.answer.clone().expect("answered above");
    state.webhooks.emit(
        "answer.received",
        &f.communes,
        &f.themes,
        serde_json::json!({
            "forward": f.id, "topic": f.topic, "contribution": f.contribution,
            "recipient": f.recipient_name, "answered_at": answer.answered_at,
            "communes": f.communes, "themes": f.themes,
        }),
    );
    tracing::info!(forward = %f.id, "answer received");
    Ok(HttpResponse::Created().json(AnswerReceipt {
        answered_at: answer.answered_at,
        contributions: f.contributions.len(),
    }))
}

/// Records the answer of the forward a token opens (the route's body, and
/// the demo's way to answer): checks, records, topic, documents. Blocking.
pub fn answer_with_token(
    state: &AppState,
    token: Option<&str>,
    b: NewAnswer,
) -> Result<Forward, ApiError> {
    let text = b.text.trim().to_owned();
    let name = b.author_name.trim().to_owned();
    let role = b
        .author_role
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    let n = text.chars().count();
    if n == 0 || n > 10_000 {
        return Err(ApiError::BadRequest(
            "`text` has 1 to 10000 characters".into(),
        ));
    }
    let n = name.chars().count();
    if n == 0 || n > 200 || role.as_ref().is_some_and(|r| r.chars().count() > 200) {
        return Err(ApiError::BadRequest(
            "`author_name` has 1 to 200 characters, `author_role` at most 200".into(),
        ));
    }
    let s = state;
    let f = forward_of_token(s, token)?;
    let _guard = records_lock();
    let mut f =
        load_forward(s.store.as_ref(), f.id)?.ok_or_else(|| ApiError::NotFound(NO_LINK.into()))?;
    if f.link_revoked {
        return Err(ApiError::NotFound(NO_LINK.into()));
    }
    if f.answer.is_some() {
        return Err(ApiError::Conflict(
            "this forward is already answered; the link now only shows the dossier".into(),
        ));
    }
    let answer = Answer {
        text,
        author_name: name,
        author_role: role,
        answered_at: Utc::now(),
    };
    f.answer = Some(answer.clone());
    let mut records = vec![put_forward(&f)];
    if let Some(t) = f.topic {
        if let Some(mut topic) = model::load_topic(s.store.as_ref(), t)? {
            // `forwarded` → `answered`; a topic the officer moved
            // elsewhere meanwhile (closed, back to open) keeps its
            // status, the history says the answer came.
            if workflow::topic_is_allowed(topic.status, TopicStatus::Answered) {
                topic.status = TopicStatus::Answered;
            }
            topic.record(
                &format!("@recipient:{}", f.recipient),
                "answered",
                serde_json::json!({"forward": f.id}),
            );
            records.push(model::put_topic(&topic));
        }
    }
    s.store.commit(ConsolidationWrite {
        records,
        rows: vec![],
    })?;
    s.store.flush()?;
    let outcomes: Vec<Outcome> = f
        .contributions
        .iter()
        .map(|id| answer_one(s, *id, &f, &answer))
        .collect();
    f.outcomes.extend(outcomes);
    s.store.commit(ConsolidationWrite {
        records: vec![put_forward(&f)],
        rows: vec![],
    })?;
    s.store.flush()?;
    Ok(f)
}

/// `state` of the waiting list.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ForwardState {
    Waiting,
    Answered,
    All,
}

/// Filter of `GET /api/v1/forwards`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct ForwardsQuery {
    /// `waiting` (default: unanswered), `answered` or `all`.
    pub state: Option<ForwardState>,
    /// Only the forwards of this topic (the topic's page).
    pub topic: Option<Uuid>,
    /// Only the forwards of this single contribution.
    pub contribution: Option<Uuid>,
}

/// One line of the waiting list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ForwardLine {
    #[serde(flatten)]
    pub forward: Forward,
    /// The topic's title (for a topic's forward).
    pub topic_title: Option<String>,
    /// The date it was sent (Europe/Paris).
    pub since: NaiveDate,
    /// Days since it was sent (to its answer when answered).
    pub days_waiting: i64,
    /// Days past `due_on` without an answer (0 when not overdue).
    pub days_overdue: i64,
    pub overdue: bool,
    /// Whether the answer link still opens.
    pub link_active: bool,
}

fn line(f: Forward, titles: &BTreeMap<Uuid, String>, today: NaiveDate) -> ForwardLine {
    let since = paris_date(f.sent_at);
    let end = f
        .answer
        .as_ref()
        .map_or(today, |a| paris_date(a.answered_at));
    let days_overdue = if f.answer.is_none() {
        (today - f.due_on).num_days().max(0)
    } else {
        0
    };
    ForwardLine {
        topic_title: f.topic.and_then(|t| titles.get(&t).cloned()),
        since,
        days_waiting: (end - since).num_days().max(0),
        days_overdue,
        overdue: days_overdue > 0,
        link_active: !f.link_revoked && Utc::now() < f.link_expires_at && f.answer.is_none(),
        forward: f,
    }
}

/// The waiting list: forwards (unanswered by default), overdue first, then
/// the oldest.
#[utoipa::path(
    operation_id = "list_forwards",
    tag = "forwards",
    security(("bearer" = [])),
    params(ForwardsQuery),
    responses(
        (status = 200, body = Vec<ForwardLine>),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not the officer", body = ErrorBody),
    )
)]
#[get("/api/v1/forwards")]
pub async fn list_forwards_handler(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<ForwardsQuery>,
) -> Result<HttpResponse, ApiError> {
    officer_only(&user.0)?;
    let which = q.state.unwrap_or(ForwardState::Waiting);
    let (topic, contribution) = (q.topic, q.contribution);
    let lines = web::block(move || -> Result<Vec<ForwardLine>, ApiError> {
        let titles: BTreeMap<Uuid, String> = state
            .store
            .scan_records(TOPICS, "")?
            .into_iter()
            .filter_map(|(_, v)| crate::store::decode::<Topic>("topics", &v).ok())
            .map(|t| (t.id, t.title))
            .collect();
        let today = paris_today();
        let mut lines: Vec<ForwardLine> = list_forwards(state.store.as_ref())?
            .into_iter()
            .filter(|f| match which {
                ForwardState::Waiting => f.answer.is_none(),
                ForwardState::Answered => f.answer.is_some(),
                ForwardState::All => true,
            })
            .filter(|f| topic.is_none_or(|t| f.topic == Some(t)))
            .filter(|f| contribution.is_none_or(|c| f.contribution == Some(c)))
            .map(|f| line(f, &titles, today))
            .collect();
        lines.sort_by(|a, b| {
            b.overdue
                .cmp(&a.overdue)
                .then(a.forward.sent_at.cmp(&b.forward.sent_at))
        });
        Ok(lines)
    })
    .await??;
    Ok(HttpResponse::Ok().json(lines))
}

/// The follow-up figures.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct FollowUpStats {
    /// Forwards made.
    pub forwarded: usize,
    pub answered: usize,
    /// Unanswered.
    pub waiting: usize,
    /// Unanswered past their due date (Europe/Paris).
    pub overdue: usize,
    /// Median days from forward to answer (Europe/Paris dates), `null`
    /// before any answer.
    pub median_days_to_answer: Option<f64>,
}

/// The median of some day counts.
pub fn median(mut days: Vec<i64>) -> Option<f64> {
    if days.is_empty() {
        return None;
    }
    days.sort_unstable();
    let n = days.len();
    Some(if n % 2 == 1 {
        days[n / 2] as f64
    } else {
        (days[n / 2 - 1] + days[n / 2]) as f64 / 2.0
    })
}

/// Follow-up figures: the officer's over every forward; a commune's over
/// the forwards concerning its territory (a contribution of the forward in
/// the commune, or in one of its arrondissements for Lyon).
#[utoipa::path(
    operation_id = "get_follow_up_stats",
    tag = "forwards",
    security(("bearer" = [])),
    responses(
        (status = 200, body = FollowUpStats),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Volunteers and administrators", body = ErrorBody),
    )
)]
#[get("/api/v1/stats/follow-up")]
pub async fn get_follow_up_stats(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    let commune = match p.role {
        Role::Officer => None,
        Role::Commune => p.commune.clone(),
        _ => {
            return Err(ApiError::Forbidden(
                "follow-up figures are for the officer and communes".into(),
            ))
        }
    };
    if p.role == Role::Commune && commune.is_none() {
        return Err(ApiError::Forbidden(
            "a commune account without a commune".into(),
        ));
    }
    let stats = web::block(move || -> Result<FollowUpStats, ApiError> {
        let today = paris_today();
        let parent = |c: &CommuneCode| state.territory.area(c).and_then(|a| a.parent.clone());
        let all: Vec<Forward> = list_forwards(state.store.as_ref())?
            .into_iter()
            .filter(|f| {
                commune.as_ref().is_none_or(|mine| {
                    f.communes
                        .iter()
                        .any(|c| c == mine || parent(c).as_ref() == Some(mine))
                })
            })
            .collect();
        let answered: Vec<i64> = all
            .iter()
            .filter_map(|f| {
                f.answer
                    .as_ref()
                    .map(|a| (paris_date(a.answered_at) - paris_date(f.sent_at)).num_days())
            })
            .collect();
        Ok(FollowUpStats {
            forwarded: all.len(),
            answered: answered.len(),
            waiting: all.iter().filter(|f| f.answer.is_none()).count(),
            overdue: all
                .iter()
                .filter(|f| f.answer.is_none() && f.due_on < today)
                .count(),
            median_days_to_answer: median(answered),
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(stats))
}

#[derive(OpenApi)]
#[openapi(
    paths(
        create_topic_forward,
        create_contribution_forward,
        delete_forward_link,
        get_answer_dossier,
        create_answer,
        list_forwards_handler,
        get_follow_up_stats
    ),
    components(schemas(
        Forward,
        CreatedForward,
        NewForward,
        Answer,
        Outcome,
        Dossier,
        DossierFigures,
        CommuneCount,
        CommuneName,
        NewAnswer,
        AnswerReceipt,
        ForwardLine,
        ForwardState,
        FollowUpStats
    ))
)]
pub struct Doc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(create_topic_forward)
        .service(create_contribution_forward)
        .service(delete_forward_link)
        .service(get_answer_dossier)
        .service(create_answer)
        .service(list_forwards_handler)
        .service(get_follow_up_stats);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_32_random_bytes_kept_as_its_sha256() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert_eq!(B64URL.decode(&a).unwrap().len(), 32);
        let h = token_hash(&a);
        assert_eq!(h.len(), 64);
        assert!(!h.contains(&a));
        assert_eq!(h, token_hash(&a));
    }

    #[test]
    fn smtp_urls_name_a_host_and_a_port() {
        assert_eq!(
            smtp_host_port("smtp://127.0.0.1:2525"),
            Some(("127.0.0.1".into(), 2525))
        );
        assert_eq!(
            smtp_host_port("smtp://relay.local"),
            Some(("relay.local".into(), 25))
        );
        assert_eq!(smtp_host_port("smtps://relay.local"), None);
        assert_eq!(smtp_host_port("smtp://:25"), None);
    }

    #[test]
    fn the_median_of_days_to_answer() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![5, 1, 3]), Some(3.0));
        assert_eq!(median(vec![4, 1, 3, 10]), Some(3.5));
    }
}
