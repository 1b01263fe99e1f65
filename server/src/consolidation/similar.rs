//! Similar contributions and likely duplicates (docs/CONSOLIDATION.md,
//! "Similar contributions and duplicates"), and the consolidation queue:
//! contributions in no topic with their best-matching topic.
//!
//! Candidates come from a prefilter that never scans every row: the
//! contribution's own area (its Lyon arrondissement or its commune) and the
//! neighbouring ones, within `WINDOW_DAYS` before and after it, through the
//! query index, nearest in time first, at most `MAX_CANDIDATES`. Each
//! candidate is then scored on its text (token Jaccard over the search
//! analyzer's tokens, typo-tolerant through `strsim`), its distance, the
//! time between the two, its kind and themes.
//!
//! Who: the officer over every contribution; a commune account over its own
//! territory only (both the contribution asked about and the suggestions);
//! volunteers and admins are refused. A contribution the caller may not
//! read answers 404.

pub mod labelled;

use crate::auth::AuthUser;
use crate::consolidation::model::{list_topics, Topic};
use crate::error::{ApiError, ErrorBody};
use crate::index::{analyzer, Filter, IndexError, Scope, Sort, TopicFilter};
use crate::startup::AppState;
use crate::store::{ContributionQuery, ContributionRow, DocRow, Store};
use crate::territory::{AreaKind, Territory};
use actix_web::{get, web, HttpResponse};
use automerge::{Automerge, ReadDoc, ROOT};
use chrono::{DateTime, Duration, Utc};
use porte_voix_shared::{CommuneCode, ContributionKind, Principal, Role, Status, TopicStatus};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};
use utoipa::{IntoParams, OpenApi, ToSchema};
use uuid::Uuid;

/// Days before and after a contribution where candidates are looked for.
pub const WINDOW_DAYS: i64 = 60;
/// Most candidates scored for one contribution (half before, half after).
pub const MAX_CANDIDATES: usize = 2_000;
/// Margin around an area's bounding box within which another area counts
/// as a neighbour, in metres.
const NEIGHBOUR_MARGIN_M: f64 = 300.0;
/// Two tokens this close (Jaro-Winkler) count as the same word with a typo.
const TYPO_SIMILARITY: f64 = 0.88;

/// Likely duplicate: text this similar…
pub const DUPLICATE_TEXT: f64 = 0.5;
/// …made within this distance (metres; both located)…
pub const DUPLICATE_DISTANCE_M: f64 = 250.0;
/// …and this many days apart.
pub const DUPLICATE_DAYS: f64 = 7.0;

#[derive(OpenApi)]
#[openapi(
    paths(list_similar_contributions, list_consolidation_queue),
    components(schemas(SimilarList, Similar, Reasons, QueueList, QueueItem, TopicMatch))
)]
pub struct Doc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_similar_contributions)
        .service(list_consolidation_queue);
}

/// What the scoring needs of one contribution.
#[derive(Debug, Clone, PartialEq)]
pub struct Features {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub kind: ContributionKind,
    pub status: Status,
    pub themes: Vec<String>,
    pub commune: Option<CommuneCode>,
    pub arrondissement: Option<CommuneCode>,
    pub topic: Option<Uuid>,
    /// (lat, lon).
    pub location: Option<(f64, f64)>,
    /// Distinct analyzer tokens of the text (shared with the cache).
    pub tokens: Arc<BTreeSet<String>>,
    /// The first characters of the text.
    pub excerpt: String,
}

/// Why a contribution is suggested.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Reasons {
    /// Same commune (or same Lyon arrondissement).
    pub same_commune: bool,
    /// Between the two points, when both have one.
    pub distance_m: Option<u32>,
    /// Whole days between the two creation times.
    pub days_apart: u32,
    /// Analyzer tokens (stems, folded) the two texts share, exactly or
    /// with a typo.
    pub shared_words: Vec<String>,
    /// Text similarity in [0, 1] (typo-tolerant token Jaccard).
    pub text_similarity: f64,
    pub same_kind: bool,
    /// Theme codes the two share.
    pub same_themes: Vec<String>,
}

/// One suggestion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Similar {
    pub id: Uuid,
    /// In [0, 1], higher is more similar.
    pub score: f64,
    /// Likely the same contribution recorded twice: similar words, within
    /// 250 m and 7 days.
    pub duplicate: bool,
    pub reasons: Reasons,
    pub created_at: DateTime<Utc>,
    pub kind: ContributionKind,
    pub status: Status,
    pub themes: Vec<String>,
    pub commune: Option<CommuneCode>,
    pub arrondissement: Option<CommuneCode>,
    pub topic: Option<Uuid>,
    /// The first 160 characters of its text.
    pub excerpt: String,
}

/// `GET /api/v1/contributions/{id}/similar`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SimilarList {
    pub contribution: Uuid,
    /// Best first.
    pub items: Vec<Similar>,
    /// How many candidates the prefilter kept and the scoring compared.
    pub candidates: usize,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SimilarQuery {
    /// Most suggestions (default 10, 1–50).
    pub limit: Option<usize>,
}

/// Haversine distance in metres.
pub fn distance_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2)
        + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 6_371_000.0 * h.sqrt().asin()
}

/// Typo-tolerant Jaccard of two token sets: exact matches, then each
/// remaining token of `a` matched to a remaining token of `b` within
/// `TYPO_SIMILARITY` (Jaro-Winkler, lengths within 2). Returns the
/// similarity and the matched tokens of `a`.
pub fn text_similarity(a: &BTreeSet<String>, b: &BTreeSet<String>) -> (f64, Vec<String>) {
    if a.is_empty() || b.is_empty() {
        return (0.0, vec![]);
    }
    let mut shared: Vec<String> = a.intersection(b).cloned().collect();
    let mut rest_b: Vec<&String> = b.difference(a).collect();
    for t in a.difference(b) {
        if t.len() < 4 {
            continue;
        }
        let best = rest_b
            .iter()
            .enumerate()
            .filter(|(_, u)| u.len() >= 4 && u.len().abs_diff(t.len()) <= 2)
            .map(|(i, u)| (i, strsim::jaro_winkler(t, u)))
            .max_by(|x, y| x.1.total_cmp(&y.1));
        if let Some((i, s)) = best {
            if s >= TYPO_SIMILARITY {
                shared.push(t.clone());
                rest_b.swap_remove(i);
            }
        }
    }
    let m = shared.len() as f64;
    shared.sort();
    (m / (a.len() as f64 + b.len() as f64 - m), shared)
}

/// Scores `b` as a suggestion for `a`.
pub fn score(a: &Features, b: &Features) -> Similar {
    let (text, shared_words) = text_similarity(&a.tokens, &b.tokens);
    let distance = match (a.location, b.location) {
        (Some(p), Some(q)) => Some(distance_m(p, q)),
        _ => None,
    };
    let same_commune = match (&a.arrondissement, &b.arrondissement) {
        (Some(x), Some(y)) => x == y,
        _ => a.commune.is_some() && a.commune == b.commune,
    };
    let days = (a.created_at - b.created_at).num_seconds().unsigned_abs() as f64 / 86_400.0;
    let same_themes: Vec<String> = a
        .themes
        .iter()
        .filter(|t| b.themes.contains(t))
        .cloned()
        .collect();
    let theme_union = a.themes.len() + b.themes.len() - same_themes.len();
    let themes = if theme_union == 0 {
        0.0
    } else {
        same_themes.len() as f64 / theme_union as f64
    };
    let near = match distance {
        Some(d) => (-d / 400.0).exp(),
        None if same_commune => 0.3,
        None => 0.0,
    };
    let recent = (-days / 10.0).exp();
    let same_kind = a.kind == b.kind;
    let s =
        0.6 * text + 0.15 * near + 0.1 * recent + 0.1 * themes + if same_kind { 0.05 } else { 0.0 };
    let duplicate = text >= DUPLICATE_TEXT
        && days <= DUPLICATE_DAYS
        && match distance {
            Some(d) => d <= DUPLICATE_DISTANCE_M,
            None => same_commune,
        };
    Similar {
        id: b.id,
        score: (s.clamp(0.0, 1.0) * 1000.0).round() / 1000.0,
        duplicate,
        reasons: Reasons {
            same_commune,
            distance_m: distance.map(|d| d.round() as u32),
            days_apart: days.floor() as u32,
            shared_words,
            text_similarity: (text * 1000.0).round() / 1000.0,
            same_kind,
            same_themes,
        },
        created_at: b.created_at,
        kind: b.kind,
        status: b.status,
        themes: b.themes.clone(),
        commune: b.commune.clone(),
        arrondissement: b.arrondissement.clone(),
        topic: b.topic,
        excerpt: b.excerpt.clone(),
    }
}

/// The text and point of a stored contribution, read without projecting
/// the whole document.
fn text_and_location(doc: &Automerge) -> (String, Option<(f64, f64)>) {
    let text = match doc.get(ROOT, "text") {
        Ok(Some((automerge::Value::Object(automerge::ObjType::Text), obj))) => {
            doc.text(&obj).unwrap_or_default()
        }
        Ok(Some((automerge::Value::Scalar(s), _))) => match s.as_ref() {
            automerge::ScalarValue::Str(s) => s.to_string(),
            _ => String::new(),
        },
        _ => String::new(),
    };
    let number = |obj: &automerge::ObjId, key: &str| match doc.get(obj, key) {
        Ok(Some((automerge::Value::Scalar(s), _))) => match s.as_ref() {
            automerge::ScalarValue::F64(f) => Some(*f),
            automerge::ScalarValue::Int(i) => Some(*i as f64),
            automerge::ScalarValue::Uint(u) => Some(*u as f64),
            _ => None,
        },
        _ => None,
    };
    let location = match doc.get(ROOT, "location") {
        Ok(Some((automerge::Value::Object(automerge::ObjType::Map), obj))) => {
            number(&obj, "lat").zip(number(&obj, "lon"))
        }
        _ => None,
    };
    (text, location)
}

/// Tokens, point and excerpt of a text, as cached.
#[derive(Debug)]
struct Content {
    tokens: Arc<BTreeSet<String>>,
    location: Option<(f64, f64)>,
    excerpt: String,
}

/// Content of documents by id, valid while the row's `updated_at` is the
/// one cached (every stored change of the document stamps it anew).
type Cache = Mutex<HashMap<Uuid, (DateTime<Utc>, Arc<Content>)>>;
const CACHE_MAX: usize = 200_000;

fn cache() -> &'static Cache {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

fn content(store: &dyn Store, row: &ContributionRow) -> Result<Option<Arc<Content>>, ApiError> {
    if let Some((at, c)) = cache()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&row.id)
    {
        if *at == row.updated_at {
            return Ok(Some(c.clone()));
        }
    }
    let Some(bytes) = store.get_doc(row.id)? else {
        return Ok(None);
    };
    let Ok(doc) = Automerge::load(&bytes) else {
        return Ok(None);
    };
    let (text, location) = text_and_location(&doc);
    let c = Arc::new(Content {
        tokens: Arc::new(analyzer::tokens(&text).into_iter().collect()),
        location,
        excerpt: text.chars().take(160).collect(),
    });
    let mut cache = cache().lock().unwrap_or_else(|p| p.into_inner());
    if cache.len() >= CACHE_MAX {
        cache.clear();
    }
    cache.insert(row.id, (row.updated_at, c.clone()));
    Ok(Some(c))
}

/// The features of a contribution row (its document loaded, or cached).
pub fn features(store: &dyn Store, row: &ContributionRow) -> Result<Option<Features>, ApiError> {
    Ok(content(store, row)?.map(|c| Features {
        id: row.id,
        created_at: row.created_at,
        kind: row.kind,
        status: row.status,
        themes: row.themes.clone(),
        commune: row.commune.clone(),
        arrondissement: row.arrondissement.clone(),
        topic: row.topic,
        location: c.location,
        tokens: c.tokens.clone(),
        excerpt: c.excerpt.clone(),
    }))
}

/// The area codes the prefilter looks in for a contribution placed in
/// `finest` (a Lyon arrondissement or a commune): itself and the areas
/// whose bounding box comes within `NEIGHBOUR_MARGIN_M` of its own.
/// Communes split into arrondissements count through them.
pub fn neighbourhood(t: &Territory, finest: &CommuneCode) -> Vec<CommuneCode> {
    let bbox = |code: &CommuneCode| {
        t.area(code).map(|a| {
            a.shape.0.iter().flat_map(|p| p.exterior().coords()).fold(
                (f64::MAX, f64::MAX, f64::MIN, f64::MIN),
                |(x0, y0, x1, y1), c| (x0.min(c.x), y0.min(c.y), x1.max(c.x), y1.max(c.y)),
            )
        })
    };
    let Some((x0, y0, x1, y1)) = bbox(finest) else {
        return vec![finest.clone()];
    };
    let dy = NEIGHBOUR_MARGIN_M / 111_320.0;
    let dx = dy / y0.to_radians().cos().abs().max(0.01);
    let parents: Vec<&CommuneCode> = t.areas().iter().filter_map(|a| a.parent.as_ref()).collect();
    let mut out = vec![finest.clone()];
    for a in t.areas() {
        if &a.code == finest || (a.kind == AreaKind::Commune && parents.contains(&&a.code)) {
            continue;
        }
        if let Some((a0, b0, a1, b1)) = bbox(&a.code) {
            if a0 <= x1 + dx && a1 >= x0 - dx && b0 <= y1 + dy && b1 >= y0 - dy {
                out.push(a.code.clone());
            }
        }
    }
    out
}

fn index_error(e: IndexError) -> ApiError {
    match e {
        IndexError::BadCursor => {
            ApiError::BadRequest("`cursor` is not one this server gave".into())
        }
        IndexError::Store(e) => e.into(),
        e => ApiError::Internal(e.into()),
    }
}

/// The prefilter: candidate rows for `row` within `scope` (never `row`).
pub fn candidates(
    state: &AppState,
    scope: &Scope,
    row: &ContributionRow,
) -> Result<Vec<ContributionRow>, ApiError> {
    let communes = match row.arrondissement.as_ref().or(row.commune.as_ref()) {
        Some(finest) => neighbourhood(&state.territory, finest),
        None => vec![],
    };
    let window = Duration::days(WINDOW_DAYS);
    let after = Filter {
        communes: communes.clone(),
        from: Some(row.created_at),
        to: Some(row.created_at + window),
        ..Default::default()
    };
    let before = Filter {
        communes,
        from: Some(row.created_at - window),
        to: Some(row.created_at),
        ..Default::default()
    };
    let half = MAX_CANDIDATES / 2;
    let mut ids = state
        .index
        .search(scope, &after, Sort::Oldest, None, half + 1)
        .map_err(index_error)?
        .ids;
    ids.extend(
        state
            .index
            .search(scope, &before, Sort::Newest, None, half)
            .map_err(index_error)?
            .ids,
    );
    let mut seen = BTreeSet::new();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if id == row.id || !seen.insert(id) {
            continue;
        }
        if let Some(DocRow::Contribution(r)) = state.store.get_row(id)? {
            // The index may lag a write: the store's row decides.
            if scope.allows(&r) {
                out.push(r);
            }
        }
    }
    Ok(out)
}

/// Suggestions for `row` within `scope`, best first, at most `limit`.
/// Returns them and the number of candidates scored.
pub fn similar_to(
    state: &AppState,
    scope: &Scope,
    row: &ContributionRow,
    limit: usize,
) -> Result<(Vec<Similar>, usize), ApiError> {
    let Some(me) = features(state.store.as_ref(), row)? else {
        return Ok((vec![], 0));
    };
    let rows = candidates(state, scope, row)?;
    let n = rows.len();
    let mut out = Vec::with_capacity(n);
    for r in &rows {
        if let Some(f) = features(state.store.as_ref(), r)? {
            out.push(score(&me, &f));
        }
    }
    out.sort_by(|a, b| {
        b.duplicate
            .cmp(&a.duplicate)
            .then(b.score.total_cmp(&a.score))
            .then(a.id.cmp(&b.id))
    });
    out.truncate(limit);
    Ok((out, n))
}

/// The scope of the similarity routes: the officer's whole territory, a
/// commune's own; nobody else.
fn similar_scope(p: &Principal) -> Result<Scope, ApiError> {
    match p.role {
        Role::Officer | Role::Commune => Ok(Scope::for_principal(p)),
        _ => Err(ApiError::Forbidden(
            "only the participation officer and commune staff compare contributions".into(),
        )),
    }
}

/// Likely duplicates and similar contributions of one contribution: close
/// in space and time, with similar words. Each with a score in [0, 1], a
/// likely-duplicate flag and the reasons. Likely duplicates come first.
#[utoipa::path(
    operation_id = "list_similar_contributions",
    tag = "consolidation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Contribution id"), SimilarQuery),
    responses(
        (status = 200, body = SimilarList),
        (status = 400, description = "`limit` out of range", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Volunteers and administrators", body = ErrorBody),
        (status = 404, description = "No such contribution, or not readable by the caller (a commune: outside its territory)", body = ErrorBody),
    )
)]
#[get("/api/v1/contributions/{id}/similar")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn list_similar_contributions(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    q: web::Query<SimilarQuery>,
) -> Result<HttpResponse, ApiError> {
    let scope = similar_scope(&user.0)?;
    let limit = q.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::BadRequest(
            "`limit` must be between 1 and 50".into(),
        ));
    }
    let id = id.into_inner();
    let list = web::block(move || -> Result<SimilarList, ApiError> {
        let row = match state.store.get_row(id)? {
            Some(DocRow::Contribution(r)) if scope.allows(&r) => r,
            _ => return Err(ApiError::NotFound("no such contribution".into())),
        };
        state.index.catch_up().map_err(index_error)?;
        let (items, candidates) = similar_to(&state, &scope, &row, limit)?;
        Ok(SimilarList {
            contribution: id,
            items,
            candidates,
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(list))
}

/// The best topic for a contribution of the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TopicMatch {
    pub id: Uuid,
    pub title: String,
    /// In [0, 1].
    pub score: f64,
    /// Analyzer tokens shared with the topic's title, summary or members.
    pub shared_words: Vec<String>,
    /// Theme codes shared with the topic.
    pub same_themes: Vec<String>,
}

/// One contribution waiting for a topic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QueueItem {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub kind: ContributionKind,
    pub status: Status,
    pub themes: Vec<String>,
    pub commune: Option<CommuneCode>,
    pub arrondissement: Option<CommuneCode>,
    pub excerpt: String,
    /// The open topic it matches best, when one matches at all.
    pub best_topic: Option<TopicMatch>,
    /// How many likely duplicates it has (`/similar` with `duplicate`).
    pub duplicates: usize,
}

/// `GET /api/v1/consolidation/queue`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QueueList {
    /// Oldest first.
    pub items: Vec<QueueItem>,
    /// Every contribution in the queue.
    pub total: usize,
    /// Pass it back as `cursor` for the next page; absent on the last.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct QueueQuery {
    /// Items per page (default 20, 1–100).
    pub limit: Option<usize>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
}

/// What a topic is about, for matching: its words and its members'.
pub struct TopicProfile {
    pub topic: Topic,
    /// Tokens of the title and summary.
    pub own: BTreeSet<String>,
    /// Token sets of (up to 30 of) its members.
    pub members: Vec<BTreeSet<String>>,
}

/// Members read per topic to describe it.
const PROFILE_MEMBERS: usize = 30;

/// Profiles of the topics still taking contributions (not closed).
pub fn topic_profiles(state: &AppState) -> Result<Vec<TopicProfile>, ApiError> {
    let mut out = Vec::new();
    for topic in list_topics(state.store.as_ref())? {
        if topic.status == TopicStatus::Closed {
            continue;
        }
        let page = state.store.list_contributions(
            &ContributionQuery {
                topic: Some(topic.id),
                limit: PROFILE_MEMBERS,
                ..Default::default()
            },
            &|_| true,
        )?;
        let mut members = Vec::new();
        for r in &page.items {
            if let Some(c) = content(state.store.as_ref(), r)? {
                members.push(c.tokens.as_ref().clone());
            }
        }
        let own = analyzer::tokens(&format!("{} {}", topic.title, topic.summary))
            .into_iter()
            .collect();
        out.push(TopicProfile {
            topic,
            own,
            members,
        });
    }
    Ok(out)
}

/// How well a contribution matches a topic: the share of its words found
/// in the topic's title and summary or its members', the best member's
/// text similarity, and shared themes.
pub fn topic_match(f: &Features, p: &TopicProfile) -> TopicMatch {
    let mut vocabulary: BTreeSet<String> = p.own.clone();
    for m in &p.members {
        vocabulary.extend(m.iter().cloned());
    }
    let shared: Vec<String> = f.tokens.intersection(&vocabulary).cloned().collect();
    let coverage = if f.tokens.is_empty() {
        0.0
    } else {
        shared.len() as f64 / f.tokens.len() as f64
    };
    let best_member = p
        .members
        .iter()
        .map(|m| text_similarity(&f.tokens, m).0)
        .fold(0.0, f64::max);
    let same_themes: Vec<String> = f
        .themes
        .iter()
        .filter(|t| p.topic.themes.contains(t))
        .cloned()
        .collect();
    let themes = if same_themes.is_empty() { 0.0 } else { 1.0 };
    let s = 0.45 * coverage + 0.35 * best_member + 0.2 * themes;
    TopicMatch {
        id: p.topic.id,
        title: p.topic.title.clone(),
        score: (s.clamp(0.0, 1.0) * 1000.0).round() / 1000.0,
        shared_words: shared,
        same_themes,
    }
}

/// Below this, no topic is proposed.
pub const TOPIC_MATCH_MIN: f64 = 0.25;

/// The consolidation queue: contributions in no topic (set-aside ones —
/// duplicates, off topic — excepted), oldest first, each with the open
/// topic it matches best and its number of likely duplicates. The officer
/// only.
#[utoipa::path(
    operation_id = "list_consolidation_queue",
    tag = "consolidation",
    security(("bearer" = [])),
    params(QueueQuery),
    responses(
        (status = 200, body = QueueList),
        (status = 400, description = "`limit` out of range, or a `cursor` this server did not give", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Anyone but the officer", body = ErrorBody),
    )
)]
#[get("/api/v1/consolidation/queue")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn list_consolidation_queue(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    if user.0.role != Role::Officer {
        return Err(ApiError::Forbidden(
            "only the participation officer may do this".into(),
        ));
    }
    let limit = q.limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::BadRequest(
            "`limit` must be between 1 and 100".into(),
        ));
    }
    let cursor = q.cursor.clone();
    let list = web::block(move || queue(&state, limit, cursor.as_deref())).await??;
    Ok(HttpResponse::Ok().json(list))
}

/// One page of the consolidation queue.
pub fn queue(state: &AppState, limit: usize, cursor: Option<&str>) -> Result<QueueList, ApiError> {
    state.index.catch_up().map_err(index_error)?;
    let filter = Filter {
        topic: Some(TopicFilter::None),
        statuses: Status::ALL
            .iter()
            .copied()
            .filter(|s| !matches!(s, Status::Duplicate | Status::OffTopic))
            .collect(),
        ..Default::default()
    };
    let hits = state
        .index
        .search(&Scope::All, &filter, Sort::Oldest, cursor, limit)
        .map_err(index_error)?;
    let profiles = topic_profiles(state)?;
    let mut items = Vec::with_capacity(hits.ids.len());
    for id in hits.ids {
        let Some(DocRow::Contribution(row)) = state.store.get_row(id)? else {
            continue;
        };
        let Some(f) = features(state.store.as_ref(), &row)? else {
            continue;
        };
        let best_topic = profiles
            .iter()
            .map(|p| topic_match(&f, p))
            .filter(|m| m.score >= TOPIC_MATCH_MIN)
            .max_by(|a, b| a.score.total_cmp(&b.score));
        let (similar, _) = similar_to(state, &Scope::All, &row, 50)?;
        items.push(QueueItem {
            id,
            created_at: row.created_at,
            kind: row.kind,
            status: row.status,
            themes: row.themes.clone(),
            commune: row.commune.clone(),
            arrondissement: row.arrondissement.clone(),
            excerpt: f.excerpt,
            best_topic,
            duplicates: similar.iter().filter(|s| s.duplicate).count(),
        });
    }
    Ok(QueueList {
        items,
        total: hits.total,
        next_cursor: hits.next_cursor,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str) -> BTreeSet<String> {
        analyzer::tokens(text).into_iter().collect()
    }

    #[test]
    fn typos_and_word_order_keep_texts_similar() {
        let a = set("Le trottoir est défoncé devant l'école primaire");
        let b = set("devant l'ecole primaire, le trotoir est défonsé");
        let (s, shared) = text_similarity(&a, &b);
        assert!(s > 0.9, "{s} {shared:?}");
        let c = set("Les bus sont bondés le matin près du marché");
        assert!(text_similarity(&a, &c).0 < 0.1);
    }

    #[test]
    fn haversine_matches_a_known_distance() {
        // Place Bellecour to the Hôtel de Ville de Lyon: about 1.1 km.
        let d = distance_m((45.7578, 4.8320), (45.7676, 4.8360));
        assert!((1_000.0..1_200.0).contains(&d), "{d}");
    }

    #[test]
    fn neighbourhood_of_lyon_3e_has_its_neighbours_not_the_far_south() {
        let t = Territory::lyon(30.0);
        let n = neighbourhood(&t, &CommuneCode::parse("69383").unwrap());
        let has = |c: &str| n.iter().any(|x| x.as_str() == c);
        assert!(has("69383") && has("69266") && has("69387"), "{n:?}");
        assert!(!has("69091"), "Givors is far from Lyon 3e: {n:?}");
        assert!(!has("69123"), "Lyon counts through its arrondissements");
    }
}
