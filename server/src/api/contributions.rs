//! `/api/v1/contributions`: listing, reading, the officer's review, comments
//! and the resident's contact details — each filtered by role and territory.
//! A contribution the caller may not read answers 404, as if it did not
//! exist.

use crate::auth::AuthUser;
use crate::document;
use crate::error::{ApiError, ErrorBody};
use crate::index::{Facets, Filter, Scope, Sort, TopicFilter};
use crate::startup::AppState;
use crate::store::{AuditEntry, Contact};
use crate::sync::row_visible;
use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use porte_voix_shared::schema::{Comment, Review};
use porte_voix_shared::workflow::{self, TransitionContext, TransitionError};
use porte_voix_shared::{CommuneCode, Contribution, Document, Principal, Role, Status};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// Filters of `GET /api/v1/contributions`, of the statistics and of the
/// exports (`list_params`). A parameter that takes several values takes
/// them repeated (`theme=water&theme=mobility`) or comma-separated
/// (`theme=water,mobility`); several values of one parameter match any of
/// them, different parameters all apply.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// French full-text search: every word must match; case, accents and
    /// plurals do not matter (`securite` finds « sécurité »). At most 500
    /// characters.
    pub q: Option<String>,
    /// INSEE codes, several allowed; a commune includes its arrondissements
    /// (69123 = all Lyon).
    pub commune: Option<String>,
    /// Review statuses, several allowed.
    pub status: Option<String>,
    /// Kinds (concern, expectation, proposal), several allowed.
    pub kind: Option<String>,
    /// Theme codes, several allowed.
    pub theme: Option<String>,
    pub campaign: Option<String>,
    /// An outing id.
    pub outing: Option<Uuid>,
    /// `me`, or (officer only) a user id.
    pub author: Option<String>,
    /// `true`: geotagged close to a commune border; `false`: not.
    pub near_border: Option<bool>,
    /// `true`: attached to a topic; `false`: in none (the consolidation
    /// queue).
    pub in_topic: Option<bool>,
    /// Attached to this topic.
    pub topic: Option<Uuid>,
    /// `me`, or (officer only) the user id of the assigned officer.
    pub assignee: Option<String>,
    /// Created at or after (RFC 3339 or YYYY-MM-DD).
    pub from: Option<String>,
    /// Created before (RFC 3339 or YYYY-MM-DD, exclusive).
    pub to: Option<String>,
    /// `newest` (default), `oldest`, or `relevance` (best match of `q`
    /// first; newest first without `q`).
    pub sort: Option<Sort>,
    /// `next_cursor` of the previous page: the next page, stable while new
    /// contributions arrive. `page` is ignored with a cursor.
    pub cursor: Option<String>,
    /// 1-based page number (default 1), when no cursor is given.
    pub page: Option<usize>,
    /// Items per page (default 50, at most 200).
    pub per_page: Option<usize>,
    /// `true`: add `facets`, counts per commune, theme, kind and status of
    /// every match of the filter.
    pub facets: Option<bool>,
}

/// One page of contributions.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ContributionPage {
    pub items: Vec<Contribution>,
    /// Every match of the filter the caller may read.
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    /// Pass it as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
    /// With `facets=true`: counts for the whole filter, not only this page.
    pub facets: Option<Facets>,
}

/// A parsed listing request: the filter, its order and its page.
#[derive(Debug, Clone, PartialEq)]
pub struct ListParams {
    pub filter: Filter,
    pub sort: Sort,
    pub cursor: Option<String>,
    pub page: usize,
    pub per_page: usize,
    pub facets: bool,
}

/// Parses the filters of a query string (`ListQuery`) for `p`: the list,
/// the statistics, the exports and the bulk actions share it. Refuses, with
/// a message that never quotes the value, what does not parse; `author` or
/// `assignee` other than `me` from anyone but the officer is 403. The
/// caller's scope is not in the filter: `index::Scope::for_principal`.
pub fn list_params(p: &Principal, query_string: &str) -> Result<ListParams, ApiError> {
    let pairs = web::Query::<Vec<(String, String)>>::from_query(query_string)
        .map_err(|_| ApiError::BadRequest("the query string does not parse".into()))?
        .into_inner();
    let mut out = ListParams {
        filter: Filter::default(),
        sort: Sort::Newest,
        cursor: None,
        page: 1,
        per_page: 50,
        facets: false,
    };
    let bad = |what: &str| ApiError::BadRequest(format!("`{what}` has a wrong value"));
    let values = |v: &str| {
        v.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    };
    let boolean = |k: &str, v: &str| match v {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(ApiError::BadRequest(format!("`{k}` is true or false"))),
    };
    let someone = |k: &str, v: &str| -> Result<String, ApiError> {
        match v {
            "me" => Ok(p.user_id.clone()),
            // Filtering by someone else's id would tell who wrote (or
            // handles) what: only the officer, who reads it anyway.
            _ if p.role != Role::Officer => Err(ApiError::Forbidden(format!(
                "only the officer may filter by another `{k}`"
            ))),
            _ if v.is_empty() || v.len() > 100 => Err(bad(k)),
            _ => Ok(v.to_owned()),
        }
    };
    let f = &mut out.filter;
    let mut in_topic = None;
    let mut topic = None;
    for (k, v) in pairs {
        match k.as_str() {
            "q" => {
                if v.chars().count() > 500 {
                    return Err(ApiError::BadRequest(
                        "`q` is limited to 500 characters".into(),
                    ));
                }
                f.q = (!v.trim().is_empty()).then_some(v);
            }
            "commune" => {
                for c in values(&v) {
                    f.communes.push(
                        CommuneCode::parse(&c)
                            .map_err(|e| ApiError::BadRequest(format!("`commune`: {e}")))?,
                    );
                }
            }
            "theme" => {
                for t in values(&v) {
                    if !porte_voix_shared::schema::is_slug(&t) {
                        return Err(ApiError::BadRequest("`theme` is not a theme code".into()));
                    }
                    f.themes.push(t);
                }
            }
            "kind" => {
                for x in values(&v) {
                    f.kinds.push(x.parse().map_err(|_| bad("kind"))?);
                }
            }
            "status" => {
                for x in values(&v) {
                    f.statuses.push(x.parse().map_err(|_| bad("status"))?);
                }
            }
            "campaign" => {
                if v.is_empty() || v.len() > 100 {
                    return Err(bad("campaign"));
                }
                f.campaign = Some(v);
            }
            "outing" => f.outing = Some(Uuid::parse_str(&v).map_err(|_| bad("outing"))?),
            "author" => f.author = Some(someone("author", &v)?),
            "assignee" => f.assignee = Some(someone("assignee", &v)?),
            "near_border" => f.near_border = Some(boolean("near_border", &v)?),
            "in_topic" => in_topic = Some(boolean("in_topic", &v)?),
            "topic" => topic = Some(Uuid::parse_str(&v).map_err(|_| bad("topic"))?),
            "from" => f.from = Some(parse_time("from", &v)?),
            "to" => f.to = Some(parse_time("to", &v)?),
            "sort" => {
                out.sort = match v.as_str() {
                    "newest" => Sort::Newest,
                    "oldest" => Sort::Oldest,
                    "relevance" => Sort::Relevance,
                    _ => {
                        return Err(ApiError::BadRequest(
                            "`sort` is newest, oldest or relevance".into(),
                        ))
                    }
                }
            }
            "cursor" => out.cursor = (!v.is_empty()).then_some(v),
            "page" => out.page = v.parse::<usize>().map_err(|_| bad("page"))?.max(1),
            "per_page" => {
                out.per_page = v
                    .parse::<usize>()
                    .map_err(|_| bad("per_page"))?
                    .clamp(1, 200)
            }
            "facets" => out.facets = boolean("facets", &v)?,
            // Other parameters (a format option of an export, a cache
            // buster) are the caller's business.
            _ => {}
        }
    }
    f.topic = match (topic, in_topic) {
        (Some(t), None | Some(true)) => Some(TopicFilter::Is(t)),
        (Some(_), Some(false)) => {
            return Err(ApiError::BadRequest(
                "`topic` and `in_topic=false` contradict each other".into(),
            ))
        }
        (None, Some(true)) => Some(TopicFilter::Any),
        (None, Some(false)) => Some(TopicFilter::None),
        (None, None) => None,
    };
    Ok(out)
}

fn parse_time(field: &str, v: &str) -> Result<DateTime<Utc>, ApiError> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d")
        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc())
        .map_err(|_| ApiError::BadRequest(format!("`{field}` must be RFC 3339 or YYYY-MM-DD")))
}

/// The JSON a role sees: commune staff do not see who recorded it.
pub fn view(p: &Principal, mut c: Contribution) -> Contribution {
    if p.role == Role::Commune {
        c.author = String::new();
    }
    c
}

/// 403 for administrator accounts, which do not read contributions.
pub fn no_admin(p: &Principal) -> Result<(), ApiError> {
    if p.role == Role::Admin {
        return Err(ApiError::Forbidden(
            "administrator accounts do not read contributions".into(),
        ));
    }
    Ok(())
}

/// A contribution the index returned, loaded from the store and checked
/// again against the caller (defence in depth: the index is derived).
pub fn load_visible(
    state: &AppState,
    p: &Principal,
    id: Uuid,
) -> Result<Option<Contribution>, ApiError> {
    match state.store.get_row(id)? {
        Some(crate::store::DocRow::Contribution(row)) if row_visible(p, &row) => {}
        _ => return Ok(None),
    }
    let Some(doc) = state.engine.load(id)? else {
        return Ok(None);
    };
    Ok(match Document::parse(id, &document::to_json(&doc)) {
        Ok(Document::Contribution(c)) => Some(view(p, c)),
        _ => None,
    })
}

/// Loads a contribution the caller may read; 404 otherwise.
pub(crate) fn readable(
    state: &AppState,
    p: &Principal,
    id: Uuid,
) -> Result<(automerge::Automerge, Contribution), ApiError> {
    let not_found = || ApiError::NotFound("no such contribution".into());
    match state.store.get_row(id)? {
        Some(crate::store::DocRow::Contribution(row)) if row_visible(p, &row) => {}
        _ => return Err(not_found()),
    }
    let doc = state.engine.load(id)?.ok_or_else(not_found)?;
    match Document::parse(id, &document::to_json(&doc)) {
        Ok(Document::Contribution(c)) => Ok((doc, c)),
        _ => Err(not_found()),
    }
}

/// Contributions the caller may read, searched, filtered and paginated
/// (docs/API.md "Searching and filtering contributions").
#[utoipa::path(
    operation_id = "list_contributions",
    tag = "contributions",
    security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, body = ContributionPage),
        (status = 400, description = "A filter does not parse, or the cursor is not one the server gave", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Administrator accounts; `author` or `assignee` other than `me` asked by anyone but the officer", body = ErrorBody),
    )
)]
#[get("/api/v1/contributions")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn list_contributions(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    no_admin(&p)?;
    let params = list_params(&p, req.query_string())?;
    let page = web::block(move || -> Result<ContributionPage, ApiError> {
        let scope = Scope::for_principal(&p);
        state.index.catch_up()?;
        let offset = match params.cursor {
            Some(_) => 0,
            None => (params.page - 1).saturating_mul(params.per_page),
        };
        let hits = state.index.search_page(
            &scope,
            &params.filter,
            params.sort,
            params.cursor.as_deref(),
            offset,
            params.per_page,
        )?;
        let mut items = Vec::with_capacity(hits.ids.len());
        for id in hits.ids {
            if let Some(c) = load_visible(&state, &p, id)? {
                items.push(c);
            }
        }
        let facets = match params.facets {
            true => Some(state.index.facets(&scope, &params.filter)?),
            false => None,
        };
        Ok(ContributionPage {
            items,
            total: hits.total,
            page: params.page,
            per_page: params.per_page,
            next_cursor: hits.next_cursor,
            facets,
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(page))
}

/// One contribution, as plain JSON.
#[utoipa::path(
    operation_id = "get_contribution",
    tag = "contributions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Contribution id")),
    responses(
        (status = 200, body = Contribution),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such contribution, or not readable by the caller", body = ErrorBody),
    )
)]
#[get("/api/v1/contributions/{id}")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn get_contribution(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    no_admin(&user.0)?;
    let (_, c) = readable(&state, &user.0, id.into_inner())?;
    Ok(HttpResponse::Ok().json(view(&user.0, c)))
}

/// The officer's qualification of a contribution.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviewRequest {
    pub status: Status,
    #[serde(default)]
    pub themes: Option<Vec<String>>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub merged_into: Option<Uuid>,
    #[serde(default)]
    pub notes: Option<String>,
}

fn officer_only(p: &Principal) -> Result<(), ApiError> {
    if p.role != Role::Officer {
        return Err(ApiError::Forbidden(
            "only the participation officer may do this".into(),
        ));
    }
    Ok(())
}

/// Sets the review (status, themes, tags, duplicate target, notes). The
/// change is written into the Automerge document in the officer's name and
/// reaches the author's phone at its next sync.
///
/// The status follows the review workflow (`porte_voix_shared::workflow`,
/// docs/API.md): `new` → `qualified` → `forwarded` → `answered` → `closed`
/// one step at a time, one step back to correct a mistake, `new` or
/// `qualified` set aside as `duplicate` or `off_topic`, a set-aside or
/// closed contribution reopened to `qualified`. A change outside the
/// workflow answers 409; `forwarded` without a recorded forward
/// (`follow_up`), `duplicate` without `merged_into` (unless the
/// contribution is attached to a topic, which is then what it duplicates)
/// or `off_topic` without `notes` answers 400. Either way nothing is
/// stored.
#[utoipa::path(
    operation_id = "update_review",
    tag = "contributions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Contribution id")),
    request_body = ReviewRequest,
    responses(
        (status = 200, description = "The updated contribution", body = Contribution),
        (status = 400, description = "A malformed field, or the target status lacks its requirement: `forwarded` a recorded forward (`follow_up`), `duplicate` `merged_into` or a topic the contribution is attached to, `off_topic` a reason in `notes`; nothing is stored", body = ErrorBody),
        (status = 403, description = "Not the officer", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The status change is not in the review workflow (nothing is stored), or the account's signing identity is bound to another user", body = ErrorBody),
    )
)]
#[put("/api/v1/contributions/{id}/review")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn update_review(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<ReviewRequest>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    officer_only(&p)?;
    let id = id.into_inner();
    let body = body.into_inner();
    for list in [&body.themes, &body.tags].into_iter().flatten() {
        if list.len() > 20 || list.iter().any(|t| !porte_voix_shared::schema::is_slug(t)) {
            return Err(ApiError::BadRequest(
                "themes and tags are lists of at most 20 codes ([a-z0-9_])".into(),
            ));
        }
    }
    if body
        .notes
        .as_ref()
        .is_some_and(|n| n.chars().count() > 5000)
    {
        return Err(ApiError::BadRequest(
            "notes are limited to 5000 characters".into(),
        ));
    }
    let updated = web::block(move || -> Result<Contribution, ApiError> {
        state.engine.with_doc_lock(id, || {
            let (mut doc, c) = readable(&state, &p, id)?;
            let old = c.review.clone();
            let notes = body
                .notes
                .clone()
                .or(old.as_ref().map(|r| r.notes.clone()))
                .unwrap_or_default();
            // The topic lives in the row (attaching never touches the
            // document); a duplicate may point at it instead of one
            // contribution.
            let topic =
                crate::index::contribution_row(state.store.as_ref(), id)?.and_then(|r| r.topic);
            // Checked under the document's lock, against the status it has
            // now, before anything is written.
            let ctx = TransitionContext {
                follow_up: &c.follow_up,
                merged_into: body.merged_into,
                notes: &notes,
                topic,
            };
            workflow::check_transition(c.status(), body.status, &ctx).map_err(|e| match e {
                TransitionError::NotAllowed { .. } => ApiError::Conflict(e.to_string()),
                _ => ApiError::BadRequest(e.to_string()),
            })?;
            if let Some(target) = body.merged_into {
                if target == id {
                    return Err(ApiError::BadRequest(
                        "a contribution cannot be merged into itself".into(),
                    ));
                }
                readable(&state, &p, target).map_err(|_| {
                    ApiError::BadRequest("`merged_into` is not a known contribution".into())
                })?;
            }
            let review = Review {
                status: body.status,
                themes: body
                    .themes
                    .or(old.as_ref().map(|r| r.themes.clone()))
                    .unwrap_or(c.themes.clone()),
                tags: body
                    .tags
                    .or(old.as_ref().map(|r| r.tags.clone()))
                    .unwrap_or_default(),
                merged_into: body.merged_into,
                notes,
            };
            let actor = state.engine.user_actor(&p.user_id)?;
            document::write_review(&mut doc, &actor, &review)
                .map_err(|e| ApiError::Internal(e.into()))?;
            match state
                .engine
                .store_server_write(id, &doc, (&actor, &p.user_id))?
            {
                Document::Contribution(c) => Ok(c),
                Document::Outing(_) => Err(ApiError::NotFound("no such contribution".into())),
            }
        })
    })
    .await??;
    tracing::info!(contribution = %id, status = %updated.status(), "review updated");
    Ok(HttpResponse::Ok().json(updated))
}

/// A comment by commune staff or the officer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CommentRequest {
    pub text: String,
}

/// Appends a comment (commune staff on their territory, or the officer).
#[utoipa::path(
    operation_id = "create_comment",
    tag = "contributions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Contribution id")),
    request_body = CommentRequest,
    responses(
        (status = 201, description = "The contribution with the comment", body = Contribution),
        (status = 400, body = ErrorBody),
        (status = 403, description = "Volunteers and administrators", body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The account's signing identity is bound to another user", body = ErrorBody),
    )
)]
#[post("/api/v1/contributions/{id}/comments")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn create_comment(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<CommentRequest>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    if !matches!(p.role, Role::Commune | Role::Officer) {
        return Err(ApiError::Forbidden(
            "only commune staff and the officer comment".into(),
        ));
    }
    let text = body.into_inner().text;
    let len = text.trim().chars().count();
    if len == 0 || len > 2000 {
        return Err(ApiError::BadRequest(
            "a comment has 1 to 2000 characters".into(),
        ));
    }
    let id = id.into_inner();
    let updated = web::block(move || -> Result<Contribution, ApiError> {
        state.engine.with_doc_lock(id, || {
            let (mut doc, _) = readable(&state, &p, id)?;
            let comment = Comment {
                by: p.user_id.clone(),
                role: p.role,
                at: Utc::now(),
                text: text.trim().to_owned(),
            };
            let actor = state.engine.user_actor(&p.user_id)?;
            document::append_comment(&mut doc, &actor, &comment)
                .map_err(|e| ApiError::Internal(e.into()))?;
            match state
                .engine
                .store_server_write(id, &doc, (&actor, &p.user_id))?
            {
                Document::Contribution(c) => Ok(view(&p, c)),
                Document::Outing(_) => Err(ApiError::NotFound("no such contribution".into())),
            }
        })
    })
    .await??;
    Ok(HttpResponse::Created().json(updated))
}

/// A resident's contact details (officer only).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ContactView {
    pub contribution_id: Uuid,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub received_at: DateTime<Utc>,
}

impl From<Contact> for ContactView {
    fn from(c: Contact) -> Self {
        Self {
            contribution_id: c.contribution_id,
            name: c.name,
            phone: c.phone,
            email: c.email,
            received_at: c.received_at,
        }
    }
}

/// The contact details left with a contribution (officer only; audited).
#[utoipa::path(
    operation_id = "get_contact",
    tag = "contributions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Contribution id")),
    responses(
        (status = 200, body = ContactView),
        (status = 403, description = "Not the officer", body = ErrorBody),
        (status = 404, description = "No contact details", body = ErrorBody),
    )
)]
#[get("/api/v1/contributions/{id}/contact")]
pub async fn get_contact(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    officer_only(&user.0)?;
    let id = id.into_inner();
    let contact = state
        .store
        .get_contact(id)?
        .ok_or_else(|| ApiError::NotFound("no contact details".into()))?;
    audit(&state, &user.0, "read_contact", id)?;
    Ok(HttpResponse::Ok().json(ContactView::from(contact)))
}

/// Erases the contact details of a contribution for good (officer only;
/// audited). They were never in the document, so nothing of them remains.
#[utoipa::path(
    operation_id = "delete_contact",
    tag = "contributions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Contribution id")),
    responses(
        (status = 204, description = "Erased"),
        (status = 403, description = "Not the officer", body = ErrorBody),
        (status = 404, description = "No contact details", body = ErrorBody),
    )
)]
#[delete("/api/v1/contributions/{id}/contact")]
pub async fn delete_contact(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    officer_only(&user.0)?;
    let id = id.into_inner();
    if !state.store.delete_contact(id)? {
        return Err(ApiError::NotFound("no contact details".into()));
    }
    audit(&state, &user.0, "erase_contact", id)?;
    state.store.flush()?;
    Ok(HttpResponse::NoContent().finish())
}

fn audit(state: &AppState, p: &Principal, action: &str, target: Uuid) -> Result<(), ApiError> {
    state.store.append_audit(&AuditEntry {
        at: Utc::now(),
        user_id: p.user_id.clone(),
        action: action.into(),
        target: target.to_string(),
    })?;
    Ok(())
}

/// One change in a contribution's history.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HistoryEntry {
    /// Automerge change hash.
    pub hash: String,
    /// The user the change's actor is bound to (`@server` for geotagging).
    pub user_id: String,
    pub user_name: Option<String>,
    pub role: Option<Role>,
    /// When the writing device says it made the change (its clock).
    pub at: Option<DateTime<Utc>>,
}

/// Who changed a contribution, change by change (officer only): every
/// Automerge actor is bound to one user, so the history names a person for
/// each change.
#[utoipa::path(
    operation_id = "list_contribution_history",
    tag = "contributions",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Contribution id")),
    responses(
        (status = 200, body = Vec<HistoryEntry>),
        (status = 403, description = "Not the officer", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[get("/api/v1/contributions/{id}/history")]
pub async fn list_contribution_history(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    officer_only(&user.0)?;
    let (doc, _) = readable(&state, &user.0, id.into_inner())?;
    let mut entries = Vec::new();
    for change in doc.get_changes(&[]) {
        let actor = change.actor_id().to_hex_string();
        let user_id = state.store.actor_owner(&actor)?.unwrap_or_default();
        let account = state.store.get_user(&user_id)?;
        entries.push(HistoryEntry {
            hash: change.hash().to_string(),
            user_name: account.as_ref().map(|u| u.name.clone()),
            role: account.as_ref().map(|u| u.role),
            user_id,
            at: (change.timestamp() > 0)
                .then(|| DateTime::from_timestamp(change.timestamp(), 0))
                .flatten(),
        });
    }
    Ok(HttpResponse::Ok().json(entries))
}

#[cfg(test)]
mod list_params_tests {
    use super::*;

    fn officer() -> Principal {
        Principal {
            user_id: "off".into(),
            role: Role::Officer,
            commune: None,
        }
    }

    fn commune() -> Principal {
        Principal {
            user_id: "vil".into(),
            role: Role::Commune,
            commune: Some(CommuneCode::parse("69266").unwrap()),
        }
    }

    #[test]
    fn repeated_and_comma_separated_values_add_up() {
        let p = list_params(
            &officer(),
            "commune=69266&commune=69383,69381&theme=water,safety&kind=concern&status=new,qualified&q=s%C3%A9curit%C3%A9",
        )
        .unwrap();
        assert_eq!(p.filter.communes.len(), 3);
        assert_eq!(p.filter.themes, vec!["water", "safety"]);
        assert_eq!(p.filter.statuses, vec![Status::New, Status::Qualified]);
        assert_eq!(p.filter.q.as_deref(), Some("sécurité"));
        assert_eq!((p.page, p.per_page, p.sort), (1, 50, Sort::Newest));
    }

    #[test]
    fn topic_flags_and_paging() {
        let t = Uuid::new_v4();
        let p = list_params(
            &officer(),
            &format!("topic={t}&sort=oldest&per_page=500&page=0"),
        )
        .unwrap();
        assert_eq!(p.filter.topic, Some(TopicFilter::Is(t)));
        assert_eq!((p.page, p.per_page, p.sort), (1, 200, Sort::Oldest));
        let p = list_params(&officer(), "in_topic=false&facets=true").unwrap();
        assert_eq!(p.filter.topic, Some(TopicFilter::None));
        assert!(p.facets);
        assert!(list_params(&officer(), &format!("topic={t}&in_topic=false")).is_err());
    }

    #[test]
    fn others_ids_are_officer_only_and_bad_values_are_not_quoted() {
        assert!(matches!(
            list_params(&commune(), "author=someone"),
            Err(ApiError::Forbidden(_))
        ));
        assert!(matches!(
            list_params(&commune(), "assignee=someone"),
            Err(ApiError::Forbidden(_))
        ));
        assert_eq!(
            list_params(&commune(), "author=me")
                .unwrap()
                .filter
                .author
                .as_deref(),
            Some("vil")
        );
        for bad in [
            "kind=secretword",
            "status=secretword",
            "commune=secretword",
            "sort=secretword",
            "near_border=secretword",
            "outing=secretword",
        ] {
            let e = list_params(&officer(), bad).unwrap_err();
            assert!(matches!(e, ApiError::BadRequest(_)), "{bad}");
            assert!(!e.to_string().contains("secretword"), "{bad}: {e}");
        }
    }
}
