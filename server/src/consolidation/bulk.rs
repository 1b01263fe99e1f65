//! Bulk actions over many contributions, and the assignment of one
//! contribution to an officer colleague (docs/CONSOLIDATION.md "Bulk
//! actions and assignment").
//!
//! A bulk action names its contributions by ids or by a filter (the list's
//! filters, resolved through the query index) and applies one action to
//! each: review changes (status, themes, tags) are written into each
//! document under its lock, the review workflow checked per item, exactly
//! as `PUT …/review` does; assignee and topic changes are row patches
//! (never the document), committed at once. One result per item; one bad
//! item never fails the batch. Every `ok` is durable: the store is flushed
//! once, after the last item, before the response is sent.

use super::model::{self, records_lock, ItemResult};
use super::topics::{check_assignee, check_themes, officer_only};
use crate::auth::AuthUser;
use crate::document;
use crate::error::{ApiError, ErrorBody};
use crate::index::{contribution_row, Filter, Scope, Sort};
use crate::startup::AppState;
use crate::store::{ConsolidationWrite, DocWrite, RowPatch};
use actix_web::{post, put, web, HttpResponse};
use automerge::ActorId;
use porte_voix_shared::schema::Review;
use porte_voix_shared::workflow::{self, TransitionContext, TransitionError};
use porte_voix_shared::{Document, Principal, Status};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

/// Most contributions in one bulk action.
pub const MAX_BULK: usize = 5000;

#[derive(OpenApi)]
#[openapi(
    paths(create_bulk_action, update_assignee),
    components(schemas(
        BulkRequest,
        BulkFilter,
        BulkAction,
        BulkResponse,
        AssigneeRequest,
        AssigneeResponse
    ))
)]
pub struct Doc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(create_bulk_action).service(update_assignee);
}

/// One value or several (`"69266"` or `["69266", "69123"]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn values(&self) -> Vec<String> {
        match self {
            OneOrMany::One(v) => vec![v.clone()],
            OneOrMany::Many(v) => v.clone(),
        }
    }
}

/// The list's filters (`GET /api/v1/contributions` query parameters, same
/// names, same rules), as JSON. Absent fields mean "any"; several values of
/// one field match any of them.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkFilter {
    /// French full-text query (every word must match).
    pub q: Option<String>,
    /// INSEE codes; a commune includes its arrondissements.
    #[schema(value_type = Option<Vec<String>>)]
    pub commune: Option<OneOrMany>,
    /// Theme codes.
    #[schema(value_type = Option<Vec<String>>)]
    pub theme: Option<OneOrMany>,
    /// Kinds.
    #[schema(value_type = Option<Vec<String>>)]
    pub kind: Option<OneOrMany>,
    /// Review statuses.
    #[schema(value_type = Option<Vec<String>>)]
    pub status: Option<OneOrMany>,
    pub campaign: Option<String>,
    pub outing: Option<Uuid>,
    /// `me` or a user id.
    pub author: Option<String>,
    pub near_border: Option<bool>,
    /// `true`: in a topic; `false`: in none.
    pub in_topic: Option<bool>,
    /// In this topic.
    pub topic: Option<Uuid>,
    /// `me` or an officer's user id.
    pub assignee: Option<String>,
    /// Created at or after (RFC 3339 or YYYY-MM-DD).
    pub from: Option<String>,
    /// Created before (RFC 3339 or YYYY-MM-DD).
    pub to: Option<String>,
}

/// Percent-encodes a query-string component.
fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl BulkFilter {
    /// The index filter, parsed by the list's own parser
    /// (`api::list_params`), so that a bulk action and the
    /// list the officer looked at select the same contributions.
    pub fn to_filter(&self, p: &Principal) -> Result<Filter, ApiError> {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let mut one = |k: &'static str, v: Option<String>| {
            if let Some(v) = v {
                pairs.push((k, v));
            }
        };
        one("q", self.q.clone());
        one("campaign", self.campaign.clone());
        one("outing", self.outing.map(|u| u.to_string()));
        one("author", self.author.clone());
        one("near_border", self.near_border.map(|b| b.to_string()));
        one("in_topic", self.in_topic.map(|b| b.to_string()));
        one("topic", self.topic.map(|u| u.to_string()));
        one("assignee", self.assignee.clone());
        one("from", self.from.clone());
        one("to", self.to.clone());
        for (k, list) in [
            ("commune", &self.commune),
            ("theme", &self.theme),
            ("kind", &self.kind),
            ("status", &self.status),
        ] {
            for v in list.iter().flat_map(OneOrMany::values) {
                pairs.push((k, v));
            }
        }
        let qs = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        Ok(crate::api::list_params(p, &qs)?.filter)
    }
}

/// What to do to each contribution.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum BulkAction {
    /// A review status, per the workflow; `merged_into` and `notes` as the
    /// status needs (given: set on every item; absent: each keeps its own
    /// notes, and its `merged_into` when the status is `duplicate`).
    Status {
        status: Status,
        #[serde(default)]
        merged_into: Option<Uuid>,
        #[serde(default)]
        notes: Option<String>,
    },
    AddThemes {
        themes: Vec<String>,
    },
    RemoveThemes {
        themes: Vec<String>,
    },
    AddTags {
        tags: Vec<String>,
    },
    RemoveTags {
        tags: Vec<String>,
    },
    /// An officer's user id, or `null` to unassign.
    Assignee {
        #[schema(value_type = Option<String>)]
        assignee: Option<String>,
    },
    /// Attach to a topic; `move` takes contributions out of another topic.
    AttachToTopic {
        topic: Uuid,
        #[serde(default, rename = "move")]
        move_from_other: bool,
    },
}

/// A bulk action: `ids` or `filter` (exactly one), and `action`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkRequest {
    #[serde(default)]
    pub ids: Option<Vec<Uuid>>,
    #[serde(default)]
    pub filter: Option<BulkFilter>,
    pub action: BulkAction,
}

/// One result per contribution, in the order of the ids (or of the
/// filter's matches, newest first), and the totals.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BulkResponse {
    pub results: Vec<ItemResult>,
    pub ok: usize,
    pub errors: usize,
    pub not_found: usize,
}

impl BulkResponse {
    fn of(results: Vec<ItemResult>) -> Self {
        use model::ItemStatus::*;
        let count = |s| results.iter().filter(|r| r.status == s).count();
        Self {
            ok: count(Ok),
            errors: count(Error),
            not_found: count(NotFound),
            results,
        }
    }
}

/// Applies one action to many contributions (officer only): by `ids`, or
/// by `filter` (the list's filters as JSON). Each contribution is changed
/// atomically and gets its own result (`ok`, `not_found`, or `error` with
/// a code: `not_allowed` outside the workflow, `requirement_missing`,
/// `invalid`, `in_another_topic`); the batch never fails because of one
/// item, and every `ok` is on disk when the response is sent.
#[utoipa::path(
    operation_id = "create_bulk_action",
    tag = "contributions",
    security(("bearer" = [])),
    request_body = BulkRequest,
    responses(
        (status = 200, body = BulkResponse),
        (status = 400, description = "Neither or both of `ids` and `filter`, a malformed action or filter, or a filter matching more than 5000 contributions (narrow it); nothing is changed", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not the officer", body = ErrorBody),
        (status = 404, description = "`attach_to_topic`: no such topic", body = ErrorBody),
        (status = 413, description = "More than 5000 ids; nothing is changed", body = ErrorBody),
    )
)]
#[post("/api/v1/contributions/bulk")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn create_bulk_action(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<BulkRequest>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    officer_only(&p)?;
    let body = body.into_inner();
    check_action(&body.action)?;
    let filter = match (&body.ids, &body.filter) {
        (Some(ids), None) => {
            if ids.len() > MAX_BULK {
                return Err(ApiError::PayloadTooLarge(format!(
                    "a bulk action takes at most {MAX_BULK} ids"
                )));
            }
            None
        }
        (None, Some(f)) => Some(f.to_filter(&p)?),
        _ => {
            return Err(ApiError::BadRequest(
                "give exactly one of `ids` and `filter`".into(),
            ))
        }
    };
    let started = std::time::Instant::now();
    let response = web::block(move || -> Result<BulkResponse, ApiError> {
        let ids = match filter {
            None => dedup(body.ids.unwrap_or_default()),
            Some(f) => {
                state
                    .index
                    .catch_up()
                    .map_err(|e| ApiError::Internal(e.into()))?;
                let ids = state
                    .index
                    .ids(&Scope::All, &f, Sort::Newest)
                    .map_err(|e| ApiError::Internal(e.into()))?;
                if ids.len() > MAX_BULK {
                    return Err(ApiError::BadRequest(format!(
                        "the filter matches more than {MAX_BULK} contributions; narrow it"
                    )));
                }
                ids
            }
        };
        let results = run(&state, &p, &ids, &body.action)?;
        Ok(BulkResponse::of(results))
    })
    .await??;
    tracing::info!(
        items = response.results.len(),
        ok = response.ok,
        ms = started.elapsed().as_millis() as u64,
        "bulk action"
    );
    Ok(HttpResponse::Ok().json(response))
}

fn dedup(ids: Vec<Uuid>) -> Vec<Uuid> {
    let mut seen = std::collections::HashSet::new();
    ids.into_iter().filter(|id| seen.insert(*id)).collect()
}

/// Checks what does not depend on the item.
fn check_action(a: &BulkAction) -> Result<(), ApiError> {
    match a {
        BulkAction::AddThemes { themes } | BulkAction::RemoveThemes { themes } => {
            check_themes(themes)
        }
        BulkAction::AddTags { tags } | BulkAction::RemoveTags { tags } => check_themes(tags)
            .map_err(|_| {
                ApiError::BadRequest("tags are a list of at most 20 codes ([a-z0-9_])".into())
            }),
        BulkAction::Status { notes, .. } => {
            if notes.as_ref().is_some_and(|n| n.chars().count() > 5000) {
                return Err(ApiError::BadRequest(
                    "notes are limited to 5000 characters".into(),
                ));
            }
            Ok(())
        }
        BulkAction::Assignee { .. } | BulkAction::AttachToTopic { .. } => Ok(()),
    }
}

/// Runs an action over resolved ids (officer checked by the caller).
pub fn run(
    state: &AppState,
    p: &Principal,
    ids: &[Uuid],
    action: &BulkAction,
) -> Result<Vec<ItemResult>, ApiError> {
    match action {
        BulkAction::AttachToTopic {
            topic,
            move_from_other,
        } => super::topics::attach(state, &p.user_id, *topic, ids, *move_from_other),
        BulkAction::Assignee { assignee } => {
            check_assignee(state, assignee.as_deref())?;
            assign(state, ids, assignee.as_deref())
        }
        review => {
            let actor = state.engine.user_actor(&p.user_id)?;
            let mut results = Vec::with_capacity(ids.len());
            let mut wrote = false;
            for &id in ids {
                let r = state
                    .engine
                    .with_doc_lock(id, || review_one(state, p, &actor, id, review));
                match r {
                    Ok(()) => {
                        wrote = true;
                        results.push(ItemResult::ok(id));
                    }
                    Err(ItemError::NotFound) => results.push(ItemResult::not_found(id)),
                    Err(ItemError::Refused(code, message)) => {
                        results.push(ItemResult::error(id, code, message))
                    }
                    // A storage failure is not the item's fault: stop, and
                    // say nothing is promised (500).
                    Err(ItemError::Store(e)) => return Err(e.into()),
                }
            }
            if wrote {
                // One flush for the whole batch, before anyone hears "ok".
                state.store.flush()?;
            }
            Ok(results)
        }
    }
}

/// Assigns (or unassigns) rows in one commit.
fn assign(
    state: &AppState,
    ids: &[Uuid],
    assignee: Option<&str>,
) -> Result<Vec<ItemResult>, ApiError> {
    let _guard = records_lock();
    let store = state.store.as_ref();
    let mut results = Vec::with_capacity(ids.len());
    let mut rows = Vec::new();
    for &id in ids {
        match contribution_row(store, id)? {
            None => results.push(ItemResult::not_found(id)),
            Some(r) => {
                if r.assignee.as_deref() != assignee {
                    rows.push(RowPatch {
                        id,
                        topic: None,
                        assignee: Some(assignee.map(String::from)),
                    });
                }
                results.push(ItemResult::ok(id));
            }
        }
    }
    if !rows.is_empty() {
        store.commit(ConsolidationWrite {
            records: vec![],
            rows,
        })?;
        store.flush()?;
    }
    Ok(results)
}

enum ItemError {
    NotFound,
    Refused(&'static str, String),
    Store(crate::store::StoreError),
}

impl From<crate::store::StoreError> for ItemError {
    fn from(e: crate::store::StoreError) -> Self {
        ItemError::Store(e)
    }
}

fn add(list: &mut Vec<String>, more: &[String]) {
    for m in more {
        if !list.contains(m) {
            list.push(m.clone());
        }
    }
}

/// One review change, under the document's lock: the same checks as
/// `PUT …/review`, written in the officer's name, stored without a flush
/// (the batch flushes once).
fn review_one(
    state: &AppState,
    p: &Principal,
    actor: &ActorId,
    id: Uuid,
    action: &BulkAction,
) -> Result<(), ItemError> {
    let Some(row) = contribution_row(state.store.as_ref(), id)? else {
        return Err(ItemError::NotFound);
    };
    let Some(mut doc) = state.engine.load(id)? else {
        return Err(ItemError::NotFound);
    };
    let Ok(Document::Contribution(c)) = Document::parse(id, &document::to_json(&doc)) else {
        return Err(ItemError::NotFound);
    };
    let old = c.review.clone();
    let mut review = Review {
        status: c.status(),
        themes: old
            .as_ref()
            .map(|r| r.themes.clone())
            .unwrap_or(c.themes.clone()),
        tags: old.as_ref().map(|r| r.tags.clone()).unwrap_or_default(),
        merged_into: old.as_ref().and_then(|r| r.merged_into),
        notes: old.as_ref().map(|r| r.notes.clone()).unwrap_or_default(),
    };
    let unchanged = review.clone();
    match action {
        BulkAction::Status {
            status,
            merged_into,
            notes,
        } => {
            review.status = *status;
            if merged_into.is_some() || *status != Status::Duplicate {
                review.merged_into = *merged_into;
            }
            if let Some(n) = notes {
                review.notes = n.clone();
            }
        }
        BulkAction::AddThemes { themes } => add(&mut review.themes, themes),
        BulkAction::RemoveThemes { themes } => review.themes.retain(|t| !themes.contains(t)),
        BulkAction::AddTags { tags } => add(&mut review.tags, tags),
        BulkAction::RemoveTags { tags } => review.tags.retain(|t| !tags.contains(t)),
        BulkAction::Assignee { .. } | BulkAction::AttachToTopic { .. } => {
            unreachable!("row actions do not write documents")
        }
    }
    if review.themes.len() > 20 || review.tags.len() > 20 {
        return Err(ItemError::Refused(
            "invalid",
            "a contribution has at most 20 themes and 20 tags".into(),
        ));
    }
    let ctx = TransitionContext {
        follow_up: &c.follow_up,
        merged_into: review.merged_into,
        notes: &review.notes,
        topic: row.topic,
    };
    workflow::check_transition(c.status(), review.status, &ctx).map_err(|e| match e {
        TransitionError::NotAllowed { .. } => ItemError::Refused("not_allowed", e.to_string()),
        _ => ItemError::Refused("requirement_missing", e.to_string()),
    })?;
    if let Some(target) = review.merged_into {
        if target == id {
            return Err(ItemError::Refused(
                "invalid",
                "a contribution cannot be merged into itself".into(),
            ));
        }
        if contribution_row(state.store.as_ref(), target)?.is_none() {
            return Err(ItemError::Refused(
                "invalid",
                "`merged_into` is not a known contribution".into(),
            ));
        }
    }
    if review == unchanged {
        // Nothing to write: the document stays as it is (no review is
        // added to one that had none).
        return Ok(());
    }
    document::write_review(&mut doc, actor, &review)
        .map_err(|e| ItemError::Store(crate::store::StoreError::Backend(e.to_string())))?;
    let parsed = Document::parse(id, &document::to_json(&doc))
        .map_err(|_| ItemError::Refused("invalid", "the review would break the document".into()))?;
    state.store.put_doc(DocWrite {
        id,
        bytes: doc.save(),
        row: crate::sync::row_for(&parsed),
        bind_actors: vec![(actor.to_hex_string(), p.user_id.clone())],
    })?;
    Ok(())
}

/// Who a contribution is assigned to.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AssigneeRequest {
    /// An officer's user id, or `null` to unassign.
    #[schema(value_type = Option<String>)]
    pub assignee: Option<String>,
}

/// The assignment as stored.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AssigneeResponse {
    pub id: Uuid,
    pub assignee: Option<String>,
}

/// Assigns a contribution to an officer colleague, or unassigns it
/// (officer only). The assignment is in the contribution's row, not its
/// document; list by it with the `assignee` filter.
#[utoipa::path(
    operation_id = "update_assignee",
    tag = "contributions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Contribution id")),
    request_body = AssigneeRequest,
    responses(
        (status = 200, body = AssigneeResponse),
        (status = 400, description = "`assignee` is not an officer account", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not the officer", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[put("/api/v1/contributions/{id}/assignee")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn update_assignee(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<AssigneeRequest>,
) -> Result<HttpResponse, ApiError> {
    officer_only(&user.0)?;
    let id = id.into_inner();
    let assignee = body.into_inner().assignee;
    let out = web::block(move || -> Result<AssigneeResponse, ApiError> {
        check_assignee(&state, assignee.as_deref())?;
        let r = assign(&state, &[id], assignee.as_deref())?;
        if r[0].status != model::ItemStatus::Ok {
            return Err(ApiError::NotFound("no such contribution".into()));
        }
        Ok(AssigneeResponse { id, assignee })
    })
    .await??;
    Ok(HttpResponse::Ok().json(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::TopicFilter;
    use porte_voix_shared::CommuneCode;

    fn officer() -> Principal {
        Principal {
            user_id: "o".into(),
            role: porte_voix_shared::Role::Officer,
            commune: None,
        }
    }

    #[test]
    fn a_json_filter_becomes_the_index_filter_through_the_lists_parser() {
        let f: BulkFilter = serde_json::from_value(serde_json::json!({
            "commune": ["69266", "69123"], "status": "new", "in_topic": false,
            "theme": ["mobility"], "near_border": true, "q": "sécurité & propreté",
            "assignee": "me", "from": "2026-11-01"
        }))
        .unwrap();
        let f = f.to_filter(&officer()).unwrap();
        assert_eq!(
            f.communes,
            vec![
                CommuneCode::parse("69266").unwrap(),
                CommuneCode::parse("69123").unwrap()
            ]
        );
        assert_eq!(f.statuses, vec![Status::New]);
        assert_eq!(f.topic, Some(TopicFilter::None));
        assert_eq!(f.near_border, Some(true));
        assert_eq!(f.q.as_deref(), Some("sécurité & propreté"));
        assert_eq!(f.assignee.as_deref(), Some("o"));
        assert!(f.from.is_some());
        let t = Uuid::from_u128(3);
        let f: BulkFilter = serde_json::from_value(serde_json::json!({"topic": t})).unwrap();
        assert_eq!(
            f.to_filter(&officer()).unwrap().topic,
            Some(TopicFilter::Is(t))
        );
        for bad in [
            serde_json::json!({"status": ["new", "lost"]}),
            serde_json::json!({"commune": "Lyon"}),
            serde_json::json!({"from": "yesterday"}),
        ] {
            let f: BulkFilter = serde_json::from_value(bad.clone()).unwrap();
            assert!(f.to_filter(&officer()).is_err(), "{bad}");
        }
        assert!(
            serde_json::from_value::<BulkFilter>(serde_json::json!({"colour": "red"})).is_err()
        );
        assert!(serde_json::from_value::<BulkFilter>(serde_json::json!({"page": 2})).is_err());
    }

    #[test]
    fn actions_are_tagged_by_type() {
        let a: BulkAction = serde_json::from_value(serde_json::json!({
            "type": "attach_to_topic", "topic": Uuid::nil(), "move": true
        }))
        .unwrap();
        assert!(matches!(
            a,
            BulkAction::AttachToTopic {
                move_from_other: true,
                ..
            }
        ));
        let a: BulkAction =
            serde_json::from_value(serde_json::json!({"type": "assignee", "assignee": null}))
                .unwrap();
        assert!(matches!(a, BulkAction::Assignee { assignee: None }));
    }

    #[test]
    fn adding_keeps_order_and_never_duplicates() {
        let mut l = vec!["a".to_owned(), "b".to_owned()];
        add(&mut l, &["b".into(), "c".into()]);
        assert_eq!(l, vec!["a", "b", "c"]);
    }
}
