//! Open assemblies: a public meeting (title, date, place, optionally a
//! commune) with an ordered agenda of topics; reading one gives the
//! dossier a print view needs — each agenda topic with its figures and
//! quotes (docs/CONSOLIDATION.md "Open assemblies").
//!
//! The officer writes. A commune reads the assemblies of the whole
//! Métropole (no commune) and those of its own commune (an arrondissement
//! account also those of its city, a city account those of its
//! arrondissements); another commune's assembly answers 404. Within an
//! assembly it reads only the agenda items whose topic it may read
//! (`topics::view`), with that topic's figures restricted to its
//! territory. Volunteers and administrators get 403.

use super::model::{load_topic, records_lock};
use super::topics::{self, officer_only, reader_scope, TopicDetail};
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::index::Scope;
use crate::startup::AppState;
use crate::store::{ConsolidationWrite, RecordOp};
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use porte_voix_shared::{CommuneCode, Principal};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

/// The collection of assemblies; key: the assembly id.
pub const ASSEMBLIES: &str = "assemblies";
/// Most agenda items.
pub const MAX_AGENDA: usize = 100;
/// Longest minutes of one item, in characters.
pub const MAX_MINUTES: usize = 20_000;

#[derive(OpenApi)]
#[openapi(
    paths(list_assemblies, create_assembly, get_assembly, update_assembly),
    components(schemas(
        Assembly,
        AgendaItem,
        AssemblyDossier,
        AgendaEntry,
        CreateAssemblyRequest,
        UpdateAssemblyRequest
    ))
)]
pub struct Doc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_assemblies)
        .service(create_assembly)
        .service(get_assembly)
        .service(update_assembly);
}

/// One item of an agenda: a topic, an optional title of its own (the
/// topic's otherwise) and the minutes once it was discussed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AgendaItem {
    pub topic: Uuid,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub minutes: Option<String>,
}

/// An open assembly as stored (and as listed, agenda filtered for
/// communes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Assembly {
    pub id: Uuid,
    pub title: String,
    pub date: NaiveDate,
    pub place: String,
    /// The commune it is held for; `null`: the whole Métropole.
    pub commune: Option<CommuneCode>,
    /// In order.
    pub agenda: Vec<AgendaItem>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
}

/// An agenda item with its topic's dossier.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AgendaEntry {
    /// 1-based position in the agenda.
    pub position: usize,
    /// The item's title, or the topic's.
    pub title: String,
    pub minutes: Option<String>,
    /// The topic with its figures and quotes (as the caller may see it).
    pub topic: TopicDetail,
}

/// An assembly with its agenda topics: what a print view needs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AssemblyDossier {
    pub id: Uuid,
    pub title: String,
    pub date: NaiveDate,
    pub place: String,
    pub commune: Option<CommuneCode>,
    pub agenda: Vec<AgendaEntry>,
    pub updated_at: DateTime<Utc>,
}

fn no_assembly() -> ApiError {
    ApiError::NotFound("no such assembly".into())
}

fn load(state: &AppState, id: Uuid) -> Result<Option<Assembly>, ApiError> {
    Ok(state
        .store
        .get_record(ASSEMBLIES, &id.to_string())?
        .map(|v| crate::store::decode::<Assembly>("assemblies", &v))
        .transpose()?)
}

pub fn put(a: &Assembly) -> RecordOp {
    RecordOp::Put {
        collection: ASSEMBLIES,
        key: a.id.to_string(),
        value: serde_json::to_vec(a).expect("assemblies serialize"),
    }
}

/// Whether a commune account (`mine`) reads an assembly held for `of`.
fn concerns(state: &AppState, mine: &CommuneCode, of: Option<&CommuneCode>) -> bool {
    let Some(of) = of else { return true };
    let parent = |c: &CommuneCode| state.territory.area(c).and_then(|a| a.parent.clone());
    of == mine || parent(mine).as_ref() == Some(of) || parent(of).as_ref() == Some(mine)
}

/// Whether the caller reads this assembly at all (officer: every one).
fn may_read(state: &AppState, p: &Principal, a: &Assembly) -> bool {
    match reader_scope(p) {
        Ok(Scope::All) => true,
        Ok(Scope::Commune(mine)) => concerns(state, &mine, a.commune.as_ref()),
        _ => false,
    }
}

/// The agenda items with their topic views, only those the caller may read.
fn dossier(state: &AppState, p: &Principal, a: &Assembly) -> Result<AssemblyDossier, ApiError> {
    let scope = reader_scope(p)?;
    let mut agenda = Vec::new();
    for (i, item) in a.agenda.iter().enumerate() {
        let Some(topic) = load_topic(state.store.as_ref(), item.topic)? else {
            continue;
        };
        let Some(mut view) = topics::view(state, &scope, &topic)? else {
            continue;
        };
        // A print view needs the figures and quotes, not the log.
        view.history = vec![];
        agenda.push(AgendaEntry {
            position: i + 1,
            title: item.title.clone().unwrap_or_else(|| topic.title.clone()),
            minutes: item.minutes.clone(),
            topic: view,
        });
    }
    Ok(AssemblyDossier {
        id: a.id,
        title: a.title.clone(),
        date: a.date,
        place: a.place.clone(),
        commune: a.commune.clone(),
        agenda,
        updated_at: a.updated_at,
    })
}

/// The assembly as listed: communes see only the items they may read.
fn listed(state: &AppState, p: &Principal, mut a: Assembly) -> Result<Assembly, ApiError> {
    let scope = reader_scope(p)?;
    if scope != Scope::All {
        let mut keep = Vec::new();
        for item in a.agenda {
            if let Some(t) = load_topic(state.store.as_ref(), item.topic)? {
                if topics::view(state, &scope, &t)?.is_some() {
                    keep.push(item);
                }
            }
        }
        a.agenda = keep;
        a.created_by = String::new();
    }
    Ok(a)
}

fn check_text(field: &str, v: &str, max: usize) -> Result<String, ApiError> {
    let v = v.trim();
    let n = v.chars().count();
    if n == 0 || n > max {
        return Err(ApiError::BadRequest(format!(
            "`{field}` has 1 to {max} characters"
        )));
    }
    Ok(v.to_owned())
}

fn check_agenda(state: &AppState, agenda: &[AgendaItem]) -> Result<Vec<AgendaItem>, ApiError> {
    if agenda.len() > MAX_AGENDA {
        return Err(ApiError::BadRequest(format!(
            "an agenda has at most {MAX_AGENDA} items"
        )));
    }
    let mut out = Vec::with_capacity(agenda.len());
    for item in agenda {
        if load_topic(state.store.as_ref(), item.topic)?.is_none() {
            return Err(ApiError::BadRequest(
                "an agenda item names a topic that does not exist".into(),
            ));
        }
        let title = item
            .title
            .as_deref()
            .map(|t| check_text("title", t, 200))
            .transpose()?;
        let minutes = match item.minutes.as_deref().map(str::trim) {
            Some(m) if m.chars().count() > MAX_MINUTES => {
                return Err(ApiError::BadRequest(format!(
                    "minutes have at most {MAX_MINUTES} characters"
                )))
            }
            Some("") | None => None,
            Some(m) => Some(m.to_owned()),
        };
        out.push(AgendaItem {
            topic: item.topic,
            title,
            minutes,
        });
    }
    Ok(out)
}

fn check_commune(state: &AppState, c: Option<&CommuneCode>) -> Result<(), ApiError> {
    match c {
        Some(c) if state.territory.area(c).is_none() => Err(ApiError::BadRequest(
            "`commune` is not a commune of the territory".into(),
        )),
        _ => Ok(()),
    }
}

/// Assemblies the caller may read, latest date first.
#[utoipa::path(
    operation_id = "list_assemblies",
    tag = "assemblies",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<Assembly>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Volunteers and administrators", body = ErrorBody),
    )
)]
#[get("/api/v1/assemblies")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn list_assemblies(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    reader_scope(&p)?;
    let out = web::block(move || -> Result<Vec<Assembly>, ApiError> {
        let mut all = Vec::new();
        for (_, v) in state.store.scan_records(ASSEMBLIES, "")? {
            let a: Assembly = crate::store::decode("assemblies", &v)?;
            if may_read(&state, &p, &a) {
                all.push(listed(&state, &p, a)?);
            }
        }
        all.sort_by(|a, b| b.date.cmp(&a.date).then(b.updated_at.cmp(&a.updated_at)));
        Ok(all)
    })
    .await??;
    Ok(HttpResponse::Ok().json(out))
}

/// A new assembly.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateAssemblyRequest {
    /// 1 to 200 characters.
    pub title: String,
    pub date: NaiveDate,
    /// 1 to 200 characters.
    pub place: String,
    /// INSEE code of the territory; absent: the whole Métropole.
    #[serde(default)]
    pub commune: Option<CommuneCode>,
    #[serde(default)]
    pub agenda: Vec<AgendaItem>,
}

/// Creates an assembly (officer only).
#[utoipa::path(
    operation_id = "create_assembly",
    tag = "assemblies",
    security(("bearer" = [])),
    request_body = CreateAssemblyRequest,
    responses(
        (status = 201, body = AssemblyDossier),
        (status = 400, description = "A title or place of 1 to 200 characters, a commune of the territory, agenda topics that exist (at most 100 items)", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not the officer", body = ErrorBody),
    )
)]
#[post("/api/v1/assemblies")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn create_assembly(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<CreateAssemblyRequest>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    officer_only(&p)?;
    let body = body.into_inner();
    let title = check_text("title", &body.title, 200)?;
    let place = check_text("place", &body.place, 200)?;
    let out = web::block(move || -> Result<AssemblyDossier, ApiError> {
        check_commune(&state, body.commune.as_ref())?;
        let _guard = records_lock();
        let agenda = check_agenda(&state, &body.agenda)?;
        let now = Utc::now();
        let a = Assembly {
            id: Uuid::new_v4(),
            title,
            date: body.date,
            place,
            commune: body.commune,
            agenda,
            created_at: now,
            created_by: p.user_id.clone(),
            updated_at: now,
        };
        state.store.commit(ConsolidationWrite {
            records: vec![put(&a)],
            rows: vec![],
        })?;
        state.store.flush()?;
        dossier(&state, &p, &a)
    })
    .await??;
    Ok(HttpResponse::Created().json(out))
}

/// The assembly's dossier: each agenda topic (that the caller may read)
/// with its figures and quotes.
#[utoipa::path(
    operation_id = "get_assembly",
    tag = "assemblies",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Assembly id")),
    responses(
        (status = 200, body = AssemblyDossier),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Volunteers and administrators", body = ErrorBody),
        (status = 404, description = "No such assembly, or another commune's", body = ErrorBody),
    )
)]
#[get("/api/v1/assemblies/{id}")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn get_assembly(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    reader_scope(&p)?;
    let id = id.into_inner();
    let out = web::block(move || -> Result<AssemblyDossier, ApiError> {
        let a = load(&state, id)?.ok_or_else(no_assembly)?;
        if !may_read(&state, &p, &a) {
            return Err(no_assembly());
        }
        dossier(&state, &p, &a)
    })
    .await??;
    Ok(HttpResponse::Ok().json(out))
}

/// A change of an assembly: only the fields given change; `agenda`
/// replaces the whole agenda (in the order given).
#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateAssemblyRequest {
    pub title: Option<String>,
    pub date: Option<NaiveDate>,
    pub place: Option<String>,
    /// `null`: the whole Métropole.
    #[serde(default, deserialize_with = "super::model::double_option")]
    #[schema(value_type = Option<String>)]
    pub commune: Option<Option<CommuneCode>>,
    pub agenda: Option<Vec<AgendaItem>>,
}

/// Edits an assembly (officer only).
#[utoipa::path(
    operation_id = "update_assembly",
    tag = "assemblies",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Assembly id")),
    request_body = UpdateAssemblyRequest,
    responses(
        (status = 200, body = AssemblyDossier),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Not the officer", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[patch("/api/v1/assemblies/{id}")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn update_assembly(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<UpdateAssemblyRequest>,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    officer_only(&p)?;
    let id = id.into_inner();
    let body = body.into_inner();
    let title = body
        .title
        .as_deref()
        .map(|t| check_text("title", t, 200))
        .transpose()?;
    let place = body
        .place
        .as_deref()
        .map(|t| check_text("place", t, 200))
        .transpose()?;
    let out = web::block(move || -> Result<AssemblyDossier, ApiError> {
        if let Some(c) = &body.commune {
            check_commune(&state, c.as_ref())?;
        }
        let _guard = records_lock();
        let mut a = load(&state, id)?.ok_or_else(no_assembly)?;
        if let Some(t) = title {
            a.title = t;
        }
        if let Some(pl) = place {
            a.place = pl;
        }
        if let Some(d) = body.date {
            a.date = d;
        }
        if let Some(c) = body.commune {
            a.commune = c;
        }
        if let Some(agenda) = &body.agenda {
            a.agenda = check_agenda(&state, agenda)?;
        }
        a.updated_at = Utc::now();
        state.store.commit(ConsolidationWrite {
            records: vec![put(&a)],
            rows: vec![],
        })?;
        state.store.flush()?;
        dossier(&state, &p, &a)
    })
    .await??;
    Ok(HttpResponse::Ok().json(out))
}
