//! Topics (« sujets »): the shared concerns that gather contributions
//! many-to-one, with derived figures, quotes chosen by the officer and an
//! attributed, timed history (docs/CONSOLIDATION.md "Topics").
//!
//! Membership lives in each member's row (`RowPatch { topic }`), written in
//! ONE `Store::commit` with the topic record, under `records_lock`:
//! attaching or detaching never touches a contribution's document, so its
//! bytes stay exactly what they were. A contribution belongs to at most one
//! topic.
//!
//! Reads: the officer reads every topic. A commune reads a topic only when
//! at least one member is in its territory (otherwise 404, as if it did not
//! exist), and then sees figures, member ids and quotes of its territory's
//! members only, and neither the assignee, the creator nor the history
//! (which names contributions and counts from elsewhere). Volunteers and
//! administrators get 403. Writes are the officer's.

use super::model::{
    self, double_option, forward_count, is_officer, load_topic, put_topic, records_lock,
    ItemResult, Quote, Topic, TopicEvent,
};
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::index::{contribution_row, Scope};
use crate::startup::AppState;
use crate::store::{ConsolidationWrite, ContributionRow, RowPatch};
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use porte_voix_shared::workflow::{self, TopicContext, TopicTransitionError};
use porte_voix_shared::{Document, Principal, Role, TopicStatus};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, HashMap, HashSet};
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

/// Longest title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest summary, in characters.
pub const MAX_SUMMARY: usize = 5000;
/// Longest quote, in characters.
pub const MAX_EXCERPT: usize = 1000;
/// Most quotes per topic.
pub const MAX_QUOTES: usize = 50;
/// Most contributions in one attach request.
pub const MAX_ATTACH: usize = 5000;
/// Most contribution ids written into one history event (the count is
/// always there).
pub const HISTORY_IDS: usize = 100;

#[derive(OpenApi)]
#[openapi(
    paths(
        list_topics,
        create_topic,
        get_topic,
        update_topic,
        create_topic_contributions,
        delete_topic_contribution,
        create_topic_quote,
        delete_topic_quote
    ),
    components(schemas(
        Figures,
        TopicDetail,
        QuoteView,
        CreateTopicRequest,
        UpdateTopicRequest,
        AttachRequest,
        AttachResponse,
        QuoteRequest,
        TopicEvent,
        model::ItemResult,
        model::ItemStatus,
        porte_voix_shared::TopicStatus
    ))
)]
pub struct Doc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_topics)
        .service(create_topic)
        .service(get_topic)
        .service(update_topic)
        .service(create_topic_contributions)
        .service(delete_topic_contribution)
        .service(create_topic_quote)
        .service(delete_topic_quote);
}

/// Figures derived from a topic's members (those the caller may read).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Figures {
    pub count: usize,
    /// INSEE code of the commune (Lyon: 69123) → contributions.
    pub by_commune: BTreeMap<String, usize>,
    /// Lyon arrondissement code → contributions (members without one are
    /// not counted).
    pub by_arrondissement: BTreeMap<String, usize>,
    /// Kind code → contributions.
    pub by_kind: BTreeMap<String, usize>,
    /// Creation date of the oldest member.
    pub first_at: Option<DateTime<Utc>>,
    /// Creation date of the newest member.
    pub last_at: Option<DateTime<Utc>>,
    /// Outing id → contributions collected during it.
    pub outings: BTreeMap<String, usize>,
}

impl Figures {
    /// The figures of some rows (a pure function, unit-tested).
    pub fn of(rows: &[ContributionRow]) -> Figures {
        let mut f = Figures {
            count: rows.len(),
            ..Default::default()
        };
        for r in rows {
            if let Some(c) = &r.commune {
                *f.by_commune.entry(c.as_str().to_owned()).or_default() += 1;
            }
            if let Some(a) = &r.arrondissement {
                *f.by_arrondissement
                    .entry(a.as_str().to_owned())
                    .or_default() += 1;
            }
            *f.by_kind.entry(r.kind.code().to_owned()).or_default() += 1;
            if let Some(o) = r.outing {
                *f.outings.entry(o.to_string()).or_default() += 1;
            }
            f.first_at = Some(f.first_at.map_or(r.created_at, |t| t.min(r.created_at)));
            f.last_at = Some(f.last_at.map_or(r.created_at, |t| t.max(r.created_at)));
        }
        f
    }
}

/// A quote with its position (what `DELETE …/quotes/{index}` takes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QuoteView {
    pub index: usize,
    pub contribution: Uuid,
    pub excerpt: String,
}

/// A topic as the caller may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TopicDetail {
    pub id: Uuid,
    pub title: String,
    pub summary: String,
    pub themes: Vec<String>,
    pub status: TopicStatus,
    /// The statuses the topic may move to next (the officer's view).
    pub allowed_next: Vec<TopicStatus>,
    /// The officer in charge (`null` for communes).
    pub assignee: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Empty for communes.
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
    pub figures: Figures,
    /// Member ids the caller may read, newest first.
    pub contributions: Vec<Uuid>,
    pub quotes: Vec<QuoteView>,
    /// Oldest first; empty for communes.
    pub history: Vec<TopicEvent>,
    /// Per-contribution results of the initial attach (`POST` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<ItemResult>>,
}

/// The scope a caller reads topics in; 403 for volunteers and admins.
pub fn reader_scope(p: &Principal) -> Result<Scope, ApiError> {
    match p.role {
        Role::Officer => Ok(Scope::All),
        Role::Commune => match &p.commune {
            Some(c) => Ok(Scope::Commune(c.clone())),
            None => Err(ApiError::Forbidden("this account has no commune".into())),
        },
        _ => Err(ApiError::Forbidden(
            "only the officer and commune staff read topics".into(),
        )),
    }
}

pub(crate) fn officer_only(p: &Principal) -> Result<(), ApiError> {
    if p.role != Role::Officer {
        return Err(ApiError::Forbidden(
            "only the participation officer may do this".into(),
        ));
    }
    Ok(())
}

fn no_topic() -> ApiError {
    ApiError::NotFound("no such topic".into())
}

/// The view of `topic` within `scope`; `None` when a commune may not read
/// it (no member in its territory).
pub fn view(
    state: &AppState,
    scope: &Scope,
    topic: &Topic,
) -> Result<Option<TopicDetail>, ApiError> {
    let rows: Vec<ContributionRow> = model::members(state.store.as_ref(), topic.id)?
        .into_iter()
        .filter(|r| scope.allows(r))
        .collect();
    let officer = *scope == Scope::All;
    if !officer && rows.is_empty() {
        return Ok(None);
    }
    let visible: HashSet<Uuid> = rows.iter().map(|r| r.id).collect();
    let quotes = topic
        .quotes
        .iter()
        .enumerate()
        .filter(|(_, q)| officer || visible.contains(&q.contribution))
        .map(|(index, q)| QuoteView {
            index,
            contribution: q.contribution,
            excerpt: q.excerpt.clone(),
        })
        .collect();
    Ok(Some(TopicDetail {
        id: topic.id,
        title: topic.title.clone(),
        summary: topic.summary.clone(),
        themes: topic.themes.clone(),
        status: topic.status,
        allowed_next: workflow::topic_allowed_next(topic.status),
        assignee: if officer {
            topic.assignee.clone()
        } else {
            None
        },
        created_at: topic.created_at,
        created_by: if officer {
            topic.created_by.clone()
        } else {
            String::new()
        },
        updated_at: topic.updated_at,
        figures: Figures::of(&rows),
        contributions: rows.iter().map(|r| r.id).collect(),
        quotes,
        history: if officer {
            topic.history.clone()
        } else {
            vec![]
        },
        results: None,
    }))
}

/// A topic the caller may read (404 otherwise, also for communes outside
/// it).
pub fn readable(state: &AppState, p: &Principal, id: Uuid) -> Result<TopicDetail, ApiError> {
    let scope = reader_scope(p)?;
    let topic = load_topic(state.store.as_ref(), id)?.ok_or_else(no_topic)?;
    view(state, &scope, &topic)?.ok_or_else(no_topic)
}

fn check_title(t: &str) -> Result<String, ApiError> {
    let t = t.trim();
    let n = t.chars().count();
    if n == 0 || n > MAX_TITLE {
        return Err(ApiError::BadRequest(format!(
            "a title has 1 to {MAX_TITLE} characters"
        )));
    }
    Ok(t.to_owned())
}

fn check_summary(s: &str) -> Result<String, ApiError> {
    if s.chars().count() > MAX_SUMMARY {
        return Err(ApiError::BadRequest(format!(
            "a summary has at most {MAX_SUMMARY} characters"
        )));
    }
    Ok(s.trim().to_owned())
}

pub(crate) fn check_themes(themes: &[String]) -> Result<(), ApiError> {
    if themes.len() > 20
        || themes
            .iter()
            .any(|t| !porte_voix_shared::schema::is_slug(t))
    {
        return Err(ApiError::BadRequest(
            "themes are a list of at most 20 codes ([a-z0-9_])".into(),
        ));
    }
    Ok(())
}

pub(crate) fn check_assignee(state: &AppState, a: Option<&str>) -> Result<(), ApiError> {
    match a {
        Some(id) if !is_officer(state.store.as_ref(), id)? => Err(ApiError::BadRequest(
            "`assignee` must be the user id of an officer account".into(),
        )),
        _ => Ok(()),
    }
}

/// The ids of a history event: every id up to `HISTORY_IDS`, and the count.
fn ids_detail(ids: &[Uuid]) -> serde_json::Value {
    json!({
        "count": ids.len(),
        "contributions": ids.iter().take(HISTORY_IDS).collect::<Vec<_>>(),
    })
}

/// Attaches contributions to a topic: one result per distinct id, one
/// atomic commit of every change (rows and topic records), flushed before
/// it returns. A contribution in another topic is an `error`
/// (`in_another_topic`) unless `move_from_other` is set; then it leaves
/// that topic (with its quotes there), recorded in that topic's history.
/// 404 when the topic does not exist. Officer-only: the caller checks.
pub fn attach(
    state: &AppState,
    by: &str,
    topic_id: Uuid,
    ids: &[Uuid],
    move_from_other: bool,
) -> Result<Vec<ItemResult>, ApiError> {
    let _guard = records_lock();
    let store = state.store.as_ref();
    let mut topic = load_topic(store, topic_id)?.ok_or_else(no_topic)?;
    let mut others: HashMap<Uuid, (Topic, Vec<Uuid>)> = HashMap::new();
    let mut results = Vec::with_capacity(ids.len());
    let mut rows = Vec::new();
    let mut attached = Vec::new();
    let mut seen = HashSet::new();
    for &id in ids {
        if !seen.insert(id) {
            continue;
        }
        let Some(row) = contribution_row(store, id)? else {
            results.push(ItemResult::not_found(id));
            continue;
        };
        match row.topic {
            Some(t) if t == topic_id => results.push(ItemResult::ok(id)),
            Some(_) if !move_from_other => {
                results.push(ItemResult::error(
                    id,
                    "in_another_topic",
                    "the contribution already belongs to another topic; detach it or set `move`",
                ));
            }
            previous => {
                if let Some(other) = previous {
                    match others.entry(other) {
                        std::collections::hash_map::Entry::Occupied(mut e) => {
                            e.get_mut().1.push(id)
                        }
                        std::collections::hash_map::Entry::Vacant(e) => {
                            // A row pointing at a missing topic is simply
                            // taken over.
                            if let Some(t) = load_topic(store, other)? {
                                e.insert((t, vec![id]));
                            }
                        }
                    }
                }
                rows.push(RowPatch {
                    id,
                    topic: Some(Some(topic_id)),
                    assignee: None,
                });
                attached.push(id);
                results.push(ItemResult::ok(id));
            }
        }
    }
    if rows.is_empty() {
        return Ok(results);
    }
    let mut records = Vec::new();
    for (_, (mut other, moved)) in others {
        let moved_set: HashSet<Uuid> = moved.iter().copied().collect();
        let before = other.quotes.len();
        other
            .quotes
            .retain(|q| !moved_set.contains(&q.contribution));
        let mut detail = ids_detail(&moved);
        detail["moved_to"] = json!(topic_id);
        detail["quotes_removed"] = json!(before - other.quotes.len());
        other.record(by, "detached", detail);
        records.push(put_topic(&other));
    }
    topic.record(by, "attached", ids_detail(&attached));
    records.push(put_topic(&topic));
    store.commit(ConsolidationWrite { records, rows })?;
    store.flush()?;
    Ok(results)
}

/// Filters of `GET /api/v1/topics`.
#[derive(Debug, Deserialize, IntoParams)]
pub struct TopicQuery {
    pub status: Option<TopicStatus>,
    /// Theme code.
    pub theme: Option<String>,
    /// An officer's user id, or `me` (officer only).
    pub assignee: Option<String>,
}

/// Topics the caller may read, most recently updated first, each with its
/// figures (a commune: topics with members in its territory, figures of
/// those members only).
#[utoipa::path(
    operation_id = "list_topics",
    tag = "topics",
    security(("bearer" = [])),
    params(TopicQuery),
    responses(
        (status = 200, body = Vec<TopicDetail>),
        (status = 400, description = "A filter does not parse", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Volunteers and administrators; `assignee` asked by a commune", body = ErrorBody),
    )
)]
#[get("/api/v1/topics")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn list_topics(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<TopicQuery>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    let scope = reader_scope(&p)?;
    let q = q.into_inner();
    if q.theme
        .as_deref()
        .is_some_and(|t| !porte_voix_shared::schema::is_slug(t))
    {
        return Err(ApiError::BadRequest("`theme` is not a theme code".into()));
    }
    let assignee = match q.assignee.as_deref() {
        None => None,
        Some(_) if p.role != Role::Officer => {
            return Err(ApiError::Forbidden(
                "only the officer filters topics by assignee".into(),
            ))
        }
        Some("me") => Some(p.user_id.clone()),
        Some(a) => Some(a.to_owned()),
    };
    let out = web::block(move || -> Result<Vec<TopicDetail>, ApiError> {
        let mut topics = model::list_topics(state.store.as_ref())?;
        topics.retain(|t| {
            q.status.is_none_or(|s| t.status == s)
                && q.theme.as_ref().is_none_or(|th| t.themes.contains(th))
                && assignee
                    .as_ref()
                    .is_none_or(|a| t.assignee.as_ref() == Some(a))
        });
        topics.sort_by(|a, b| b.updated_at.cmp(&a.updated_at).then(a.id.cmp(&b.id)));
        let mut out = Vec::with_capacity(topics.len());
        for t in &topics {
            if let Some(mut v) = view(&state, &scope, t)? {
                // The list is for choosing: the history stays with the topic.
                v.history = vec![];
                out.push(v);
            }
        }
        Ok(out)
    })
    .await??;
    Ok(HttpResponse::Ok().json(out))
}

/// A new topic.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateTopicRequest {
    /// 1 to 200 characters.
    pub title: String,
    /// At most 5000 characters.
    #[serde(default)]
    pub summary: String,
    /// Theme codes.
    #[serde(default)]
    pub themes: Vec<String>,
    /// An officer's user id.
    #[serde(default)]
    pub assignee: Option<String>,
    /// Contributions to attach at once (same rules as the attach route,
    /// without `move`).
    #[serde(default)]
    pub contributions: Vec<Uuid>,
}

/// Creates a topic (officer only), optionally with its first
/// contributions: `results` then says, per contribution, whether it was
/// attached (`ok`), is unknown (`not_found`) or is in another topic
/// (`error`, `in_another_topic`).
#[utoipa::path(
    operation_id = "create_topic",
    tag = "topics",
    security(("bearer" = [])),
    request_body = CreateTopicRequest,
    responses(
        (status = 201, body = TopicDetail),
        (status = 400, description = "A title of 1 to 200 characters, a summary of at most 5000, theme codes, an officer as assignee", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not the officer", body = ErrorBody),
        (status = 413, description = "More than 5000 contributions", body = ErrorBody),
    )
)]
#[post("/api/v1/topics")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn create_topic(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<CreateTopicRequest>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    officer_only(&p)?;
    let body = body.into_inner();
    let title = check_title(&body.title)?;
    let summary = check_summary(&body.summary)?;
    check_themes(&body.themes)?;
    if body.contributions.len() > MAX_ATTACH {
        return Err(ApiError::PayloadTooLarge(format!(
            "at most {MAX_ATTACH} contributions at once"
        )));
    }
    let detail = web::block(move || -> Result<TopicDetail, ApiError> {
        check_assignee(&state, body.assignee.as_deref())?;
        let now = Utc::now();
        let mut topic = Topic {
            id: Uuid::new_v4(),
            title,
            summary,
            themes: body.themes,
            status: TopicStatus::Open,
            assignee: body.assignee,
            quotes: vec![],
            history: vec![],
            created_at: now,
            created_by: p.user_id.clone(),
            updated_at: now,
        };
        topic.record(&p.user_id, "created", json!({}));
        {
            let _guard = records_lock();
            state.store.commit(ConsolidationWrite {
                records: vec![put_topic(&topic)],
                rows: vec![],
            })?;
            state.store.flush()?;
        }
        let results = if body.contributions.is_empty() {
            None
        } else {
            Some(attach(
                &state,
                &p.user_id,
                topic.id,
                &body.contributions,
                false,
            )?)
        };
        let mut detail = readable(&state, &p, topic.id)?;
        detail.results = results;
        Ok(detail)
    })
    .await??;
    tracing::info!(topic = %detail.id, "topic created");
    Ok(HttpResponse::Created().json(detail))
}

/// One topic with its figures, members, quotes and history (a commune: its
/// territory's part, no history).
#[utoipa::path(
    operation_id = "get_topic",
    tag = "topics",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Topic id")),
    responses(
        (status = 200, body = TopicDetail),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Volunteers and administrators", body = ErrorBody),
        (status = 404, description = "No such topic, or none of its contributions is in the commune's territory", body = ErrorBody),
    )
)]
#[get("/api/v1/topics/{id}")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn get_topic(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    reader_scope(&p)?;
    let id = id.into_inner();
    let detail = web::block(move || readable(&state, &p, id)).await??;
    Ok(HttpResponse::Ok().json(detail))
}

/// A change of a topic: only the fields given change.
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateTopicRequest {
    pub title: Option<String>,
    pub summary: Option<String>,
    pub themes: Option<Vec<String>>,
    /// An officer's user id; `null` unassigns.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub assignee: Option<Option<String>>,
    /// Per the topic workflow: `open` → `forwarded` → `answered` →
    /// `closed`, one step back, `closed` reopened to `open`; `forwarded`
    /// needs a forward.
    pub status: Option<TopicStatus>,
}

/// Edits a topic (officer only). A status change outside the topic
/// workflow answers 409, `forwarded` without a forward 400; nothing is
/// stored then.
#[utoipa::path(
    operation_id = "update_topic",
    tag = "topics",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Topic id")),
    request_body = UpdateTopicRequest,
    responses(
        (status = 200, body = TopicDetail),
        (status = 400, description = "A malformed field, or `forwarded` without a recorded forward", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not the officer", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The status change is not in the topic workflow", body = ErrorBody),
    )
)]
#[patch("/api/v1/topics/{id}")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn update_topic(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<UpdateTopicRequest>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    officer_only(&p)?;
    let id = id.into_inner();
    let body = body.into_inner();
    let title = body.title.as_deref().map(check_title).transpose()?;
    let summary = body.summary.as_deref().map(check_summary).transpose()?;
    if let Some(t) = &body.themes {
        check_themes(t)?;
    }
    let detail = web::block(move || -> Result<TopicDetail, ApiError> {
        if let Some(a) = &body.assignee {
            check_assignee(&state, a.as_deref())?;
        }
        {
            let _guard = records_lock();
            let store = state.store.as_ref();
            let mut topic = load_topic(store, id)?.ok_or_else(no_topic)?;
            if let Some(to) = body.status {
                let ctx = TopicContext {
                    forwards: forward_count(store, &topic)?,
                };
                workflow::check_topic_transition(topic.status, to, &ctx).map_err(|e| match e {
                    TopicTransitionError::NotAllowed { .. } => ApiError::Conflict(e.to_string()),
                    TopicTransitionError::ForwardMissing => ApiError::BadRequest(e.to_string()),
                })?;
            }
            let mut edited = Vec::new();
            if let Some(t) = title.filter(|t| *t != topic.title) {
                topic.title = t;
                edited.push("title");
            }
            if let Some(s) = summary.filter(|s| *s != topic.summary) {
                topic.summary = s;
                edited.push("summary");
            }
            if let Some(th) = body.themes.filter(|th| *th != topic.themes) {
                topic.themes = th;
                edited.push("themes");
            }
            let mut changed = false;
            if !edited.is_empty() {
                topic.record(&p.user_id, "edited", json!({ "fields": edited }));
                changed = true;
            }
            if let Some(a) = body.assignee.filter(|a| *a != topic.assignee) {
                topic.assignee = a.clone();
                topic.record(&p.user_id, "assigned", json!({ "assignee": a }));
                changed = true;
            }
            if let Some(to) = body.status.filter(|s| *s != topic.status) {
                let from = topic.status;
                topic.status = to;
                topic.record(&p.user_id, "status", json!({ "from": from, "to": to }));
                changed = true;
            }
            if changed {
                store.commit(ConsolidationWrite {
                    records: vec![put_topic(&topic)],
                    rows: vec![],
                })?;
                store.flush()?;
            }
        }
        readable(&state, &p, id)
    })
    .await??;
    Ok(HttpResponse::Ok().json(detail))
}

/// Contributions to attach.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AttachRequest {
    /// At most 5000 contribution ids.
    pub ids: Vec<Uuid>,
    /// Move contributions that are in another topic (otherwise they are
    /// refused one by one).
    #[serde(default, rename = "move")]
    pub move_from_other: bool,
}

/// One result per distinct contribution id.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AttachResponse {
    pub results: Vec<ItemResult>,
}

/// Attaches contributions to a topic (officer only). Never changes their
/// documents; one result per contribution (`ok`, also when it was already
/// there; `not_found`; `error` with `in_another_topic`).
#[utoipa::path(
    operation_id = "create_topic_contributions",
    tag = "topics",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Topic id")),
    request_body = AttachRequest,
    responses(
        (status = 200, body = AttachResponse),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not the officer", body = ErrorBody),
        (status = 404, description = "No such topic", body = ErrorBody),
        (status = 413, description = "More than 5000 ids", body = ErrorBody),
    )
)]
#[post("/api/v1/topics/{id}/contributions")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn create_topic_contributions(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<AttachRequest>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    officer_only(&p)?;
    let id = id.into_inner();
    let body = body.into_inner();
    if body.ids.len() > MAX_ATTACH {
        return Err(ApiError::PayloadTooLarge(format!(
            "at most {MAX_ATTACH} contributions at once"
        )));
    }
    let results =
        web::block(move || attach(&state, &p.user_id, id, &body.ids, body.move_from_other))
            .await??;
    Ok(HttpResponse::Ok().json(AttachResponse { results }))
}

/// Detaches a contribution from a topic (officer only), with its quotes in
/// that topic. Its document was never changed by attaching: it is exactly
/// what it was.
#[utoipa::path(
    operation_id = "delete_topic_contribution",
    tag = "topics",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Topic id"),
        ("contribution_id" = Uuid, Path, description = "Contribution id"),
    ),
    responses(
        (status = 204, description = "Detached"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not the officer", body = ErrorBody),
        (status = 404, description = "No such topic, or the contribution is not in it", body = ErrorBody),
    )
)]
#[delete("/api/v1/topics/{id}/contributions/{contribution_id}")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn delete_topic_contribution(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    officer_only(&p)?;
    let (id, cid) = path.into_inner();
    web::block(move || -> Result<(), ApiError> {
        let _guard = records_lock();
        let store = state.store.as_ref();
        let mut topic = load_topic(store, id)?.ok_or_else(no_topic)?;
        match contribution_row(store, cid)? {
            Some(r) if r.topic == Some(id) => {}
            _ => {
                return Err(ApiError::NotFound(
                    "the contribution is not in this topic".into(),
                ))
            }
        }
        let before = topic.quotes.len();
        topic.quotes.retain(|q| q.contribution != cid);
        let mut detail = ids_detail(&[cid]);
        detail["quotes_removed"] = json!(before - topic.quotes.len());
        topic.record(&p.user_id, "detached", detail);
        store.commit(ConsolidationWrite {
            records: vec![put_topic(&topic)],
            rows: vec![RowPatch {
                id: cid,
                topic: Some(None),
                assignee: None,
            }],
        })?;
        store.flush()?;
        Ok(())
    })
    .await??;
    Ok(HttpResponse::NoContent().finish())
}

/// A quote: an excerpt of an attached contribution's current text.
#[derive(Debug, Deserialize, ToSchema)]
pub struct QuoteRequest {
    pub contribution: Uuid,
    /// 1 to 1000 characters, found as is in the contribution's text.
    pub excerpt: String,
}

/// Adds a quote (officer only): the excerpt must appear, as is, in the
/// current text of a contribution attached to this topic.
#[utoipa::path(
    operation_id = "create_topic_quote",
    tag = "topics",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Topic id")),
    request_body = QuoteRequest,
    responses(
        (status = 201, body = TopicDetail),
        (status = 400, description = "Empty or too long, not in the contribution's text, the contribution not attached to this topic, or 50 quotes already", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not the officer", body = ErrorBody),
        (status = 404, description = "No such topic", body = ErrorBody),
    )
)]
#[post("/api/v1/topics/{id}/quotes")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn create_topic_quote(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<QuoteRequest>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    officer_only(&p)?;
    let id = id.into_inner();
    let body = body.into_inner();
    let excerpt = body.excerpt.trim().to_owned();
    let n = excerpt.chars().count();
    if n == 0 || n > MAX_EXCERPT {
        return Err(ApiError::BadRequest(format!(
            "an excerpt has 1 to {MAX_EXCERPT} characters"
        )));
    }
    let detail = web::block(move || -> Result<TopicDetail, ApiError> {
        {
            let _guard = records_lock();
            let store = state.store.as_ref();
            let mut topic = load_topic(store, id)?.ok_or_else(no_topic)?;
            if topic.quotes.len() >= MAX_QUOTES {
                return Err(ApiError::BadRequest(format!(
                    "a topic has at most {MAX_QUOTES} quotes"
                )));
            }
            let cid = body.contribution;
            if contribution_row(store, cid)?.is_none_or(|r| r.topic != Some(id)) {
                return Err(ApiError::BadRequest(
                    "the contribution is not attached to this topic".into(),
                ));
            }
            let text = match state.engine.load(cid)? {
                Some(doc) => match Document::parse(cid, &crate::document::to_json(&doc)) {
                    Ok(Document::Contribution(c)) => c.text,
                    _ => String::new(),
                },
                None => String::new(),
            };
            if !text.contains(&excerpt) {
                return Err(ApiError::BadRequest(
                    "the excerpt is not in the contribution's current text".into(),
                ));
            }
            topic.quotes.push(Quote {
                contribution: cid,
                excerpt,
            });
            let index = topic.quotes.len() - 1;
            topic.record(
                &p.user_id,
                "quote_added",
                json!({ "contribution": cid, "index": index }),
            );
            store.commit(ConsolidationWrite {
                records: vec![put_topic(&topic)],
                rows: vec![],
            })?;
            store.flush()?;
        }
        readable(&state, &p, id)
    })
    .await??;
    Ok(HttpResponse::Created().json(detail))
}

/// Removes a quote by its index (officer only); the quotes after it move
/// up by one.
#[utoipa::path(
    operation_id = "delete_topic_quote",
    tag = "topics",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Topic id"),
        ("index" = usize, Path, description = "The quote's `index`"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not the officer", body = ErrorBody),
        (status = 404, description = "No such topic or quote", body = ErrorBody),
    )
)]
#[delete("/api/v1/topics/{id}/quotes/{index}")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn delete_topic_quote(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, usize)>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    officer_only(&p)?;
    let (id, index) = path.into_inner();
    web::block(move || -> Result<(), ApiError> {
        let _guard = records_lock();
        let store = state.store.as_ref();
        let mut topic = load_topic(store, id)?.ok_or_else(no_topic)?;
        if index >= topic.quotes.len() {
            return Err(ApiError::NotFound("no such quote".into()));
        }
        let q = topic.quotes.remove(index);
        topic.record(
            &p.user_id,
            "quote_removed",
            json!({ "contribution": q.contribution, "index": index }),
        );
        store.commit(ConsolidationWrite {
            records: vec![put_topic(&topic)],
            rows: vec![],
        })?;
        store.flush()?;
        Ok(())
    })
    .await??;
    Ok(HttpResponse::NoContent().finish())
}

#[cfg(test)]
mod tests {
    use super::*;
    use porte_voix_shared::{CommuneCode, ContributionKind, Status};

    fn row(day: u32, commune: &str, arr: Option<&str>, kind: ContributionKind) -> ContributionRow {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(10, 0, 0)
            .unwrap()
            .and_utc();
        ContributionRow {
            id: Uuid::new_v4(),
            campaign: "c".into(),
            author: "a".into(),
            created_at: at,
            updated_at: at,
            kind,
            status: Status::New,
            themes: vec![],
            commune: Some(CommuneCode::parse(commune).unwrap()),
            arrondissement: arr.map(|a| CommuneCode::parse(a).unwrap()),
            near_border: false,
            outside: false,
            outing: None,
            topic: None,
            assignee: None,
        }
    }

    #[test]
    fn figures_count_by_commune_arrondissement_kind_dates_and_outings() {
        let outing = Uuid::from_u128(5);
        let mut a = row(3, "69123", Some("69383"), ContributionKind::Concern);
        a.outing = Some(outing);
        let b = row(1, "69123", Some("69381"), ContributionKind::Proposal);
        let mut c = row(9, "69266", None, ContributionKind::Concern);
        c.outing = Some(outing);
        let f = Figures::of(&[a.clone(), b.clone(), c.clone()]);
        assert_eq!(f.count, 3);
        assert_eq!(f.by_commune["69123"], 2);
        assert_eq!(f.by_commune["69266"], 1);
        assert_eq!(f.by_arrondissement.len(), 2);
        assert_eq!(f.by_arrondissement["69383"], 1);
        assert_eq!(f.by_kind["concern"], 2);
        assert_eq!(f.by_kind["proposal"], 1);
        assert_eq!(f.first_at, Some(b.created_at));
        assert_eq!(f.last_at, Some(c.created_at));
        assert_eq!(f.outings[&outing.to_string()], 2);
        assert_eq!(Figures::of(&[]), Figures::default());
    }

    /// Attach then detach, over HTTP, with the store at hand: the
    /// document's bytes never change, only the row's `topic` does.
    #[actix_web::test]
    async fn attach_then_detach_leaves_the_stored_bytes_identical() {
        use crate::store::{MemoryStore, Store};
        use actix_web::{test, App};
        use std::sync::Arc;

        let dir = tempfile::tempdir().unwrap();
        let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
        let settings = crate::Settings {
            data_dir: dir.path().to_path_buf(),
            ..crate::Settings::default()
        };
        let state = AppState::with_store(settings, store.clone()).unwrap();
        let officer = crate::auth::create_user(
            store.as_ref(),
            "officer@test.fr",
            "Officer",
            Role::Officer,
            None,
            "mot-de-passe-test",
        )
        .unwrap();
        let id = Uuid::new_v4();
        let phone = automerge::ActorId::random();
        let doc = crate::document::from_json(
            &phone,
            &json!({"id": id.to_string(), "type": "contribution", "schema": 1,
                    "campaign": "aller-vers-2026", "created_at": "2026-11-28T10:00:00Z",
                    "author": "vol", "kind": "concern", "themes": ["cleanliness"],
                    "text": "Les poubelles débordent", "consent": {"contact": false}}),
        )
        .unwrap();
        state
            .engine
            .store_server_write(id, &doc, (&phone, "vol"))
            .unwrap();
        let before = store.get_doc(id).unwrap().unwrap();
        let token = state
            .keys
            .issue(&Principal {
                user_id: officer.id.clone(),
                role: Role::Officer,
                commune: None,
            })
            .unwrap();
        let app = test::init_service(
            App::new()
                .app_data(web::Data::new(state))
                .configure(configure),
        )
        .await;
        let auth = ("Authorization", format!("Bearer {token}"));

        let req = test::TestRequest::post()
            .uri("/api/v1/topics")
            .insert_header(auth.clone())
            .set_json(json!({"title": "Propreté", "contributions": [id]}))
            .to_request();
        let created: TopicDetail = test::call_and_read_body_json(&app, req).await;
        assert_eq!(created.contributions, vec![id]);
        let row = contribution_row(store.as_ref(), id).unwrap().unwrap();
        assert_eq!(row.topic, Some(created.id));
        assert_eq!(store.get_doc(id).unwrap().unwrap(), before, "attached");

        let req = test::TestRequest::delete()
            .uri(&format!("/api/v1/topics/{}/contributions/{id}", created.id))
            .insert_header(auth)
            .to_request();
        let resp = test::call_service(&app, req).await;
        assert_eq!(resp.status(), 204);
        let row = contribution_row(store.as_ref(), id).unwrap().unwrap();
        assert_eq!(row.topic, None);
        assert_eq!(store.get_doc(id).unwrap().unwrap(), before, "detached");
    }

    #[test]
    fn history_details_keep_the_count_and_cap_the_ids() {
        let ids: Vec<Uuid> = (0..250).map(Uuid::from_u128).collect();
        let d = ids_detail(&ids);
        assert_eq!(d["count"], 250);
        assert_eq!(d["contributions"].as_array().unwrap().len(), HISTORY_IDS);
    }
}
