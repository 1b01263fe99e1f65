//! The directory of recipients (docs/CONSOLIDATION.md "Forwarding"): the
//! elected officials (with their delegation), the Métropole's services and
//! the communes the officer forwards topics to. Kept by the officer and the
//! administrator; nobody else reads it (commune accounts get 403: the
//! directory holds e-mail addresses of people outside their commune, and a
//! commune sees the forwards that concern it through the follow-up figures).
//!
//! Records: collection `recipients`, key the recipient id.

use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::startup::AppState;
use crate::store::{ConsolidationWrite, RecordOp, Store, StoreError};
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use porte_voix_shared::{CommuneCode, Principal, Role};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use uuid::Uuid;

/// The collection of recipients; key: the recipient id.
pub const RECIPIENTS: &str = "recipients";

/// What kind of recipient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RecipientKind {
    /// An elected official (vice-président, conseiller délégué…).
    ElectedOfficial,
    /// A service of the Métropole.
    Service,
    /// A commune (its mayor's office or services).
    Commune,
}

/// One entry of the directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Recipient {
    pub id: Uuid,
    pub kind: RecipientKind,
    /// « Mme Dupont » or « Direction de la propreté ».
    pub name: String,
    /// The delegation of an elected official or the function of a service
    /// (« Vice-présidente chargée de la propreté »).
    #[serde(default)]
    pub function: String,
    pub email: Option<String>,
    /// The commune, for `kind = commune` (required there, refused elsewhere).
    pub commune: Option<CommuneCode>,
    /// An inactive recipient stays for the history of past forwards but
    /// cannot receive new ones.
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// `POST /api/v1/recipients`.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewRecipient {
    pub kind: RecipientKind,
    pub name: String,
    #[serde(default)]
    pub function: String,
    pub email: Option<String>,
    pub commune: Option<String>,
    /// Default true.
    pub active: Option<bool>,
}

/// `PATCH /api/v1/recipients/{id}`: the fields given change. `email` and
/// `commune` take `null` to clear them.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct RecipientPatch {
    pub kind: Option<RecipientKind>,
    pub name: Option<String>,
    pub function: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub commune: Option<Option<String>>,
    pub active: Option<bool>,
}

fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// Officer and administrator only.
pub(crate) fn keepers_only(p: &Principal) -> Result<(), ApiError> {
    if matches!(p.role, Role::Officer | Role::Admin) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only the officer and administrators keep the directory of recipients".into(),
        ))
    }
}

/// A plausible e-mail address (one `@`, a dot in the domain, no spaces).
pub(crate) fn valid_email(e: &str) -> bool {
    e.len() <= 200
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
        && e.split_once('@').is_some_and(|(a, b)| {
            !a.is_empty() && !b.contains('@') && b.contains('.') && !b.starts_with('.')
        })
}

/// A stored recipient.
pub fn load_recipient(store: &dyn Store, id: Uuid) -> Result<Option<Recipient>, StoreError> {
    store
        .get_record(RECIPIENTS, &id.to_string())?
        .map(|v| crate::store::decode("recipients", &v))
        .transpose()
}

pub fn put_recipient(r: &Recipient) -> RecordOp {
    RecordOp::Put {
        collection: RECIPIENTS,
        key: r.id.to_string(),
        value: serde_json::to_vec(r).expect("recipients serialize"),
    }
}

/// Checks the fields of a recipient as it would be stored.
fn validate(state: &AppState, r: &Recipient) -> Result<(), ApiError> {
    let name = r.name.trim().chars().count();
    if name == 0 || name > 200 {
        return Err(ApiError::BadRequest(
            "a recipient has a name of 1 to 200 characters".into(),
        ));
    }
    if r.function.chars().count() > 300 {
        return Err(ApiError::BadRequest(
            "`function` is limited to 300 characters".into(),
        ));
    }
    if r.email.as_deref().is_some_and(|e| !valid_email(e)) {
        return Err(ApiError::BadRequest(
            "`email` is not an e-mail address".into(),
        ));
    }
    match (&r.commune, r.kind) {
        (None, RecipientKind::Commune) => Err(ApiError::BadRequest(
            "a recipient of kind `commune` needs `commune`, its INSEE code".into(),
        )),
        (Some(_), k) if k != RecipientKind::Commune => Err(ApiError::BadRequest(
            "only a recipient of kind `commune` has a `commune`".into(),
        )),
        (Some(c), _) if state.territory.area(c).is_none() => Err(ApiError::BadRequest(
            "`commune` is not a commune of the territory".into(),
        )),
        _ => Ok(()),
    }
}

fn parse_commune(v: Option<&str>) -> Result<Option<CommuneCode>, ApiError> {
    v.map(|c| {
        CommuneCode::parse(c.trim())
            .map_err(|_| ApiError::BadRequest("`commune` is not an INSEE code".into()))
    })
    .transpose()
}

fn clean_email(e: Option<String>) -> Option<String> {
    e.map(|e| e.trim().to_owned()).filter(|e| !e.is_empty())
}

/// The directory, active recipients first, then by name.
#[utoipa::path(
    operation_id = "list_recipients",
    tag = "forwards",
    security(("bearer" = [])),
    responses(
        (status = 200, body = Vec<Recipient>),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Volunteers and commune accounts", body = ErrorBody),
    )
)]
#[get("/api/v1/recipients")]
pub async fn list_recipients(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    keepers_only(&user.0)?;
    let mut all: Vec<Recipient> = web::block(move || {
        state
            .store
            .scan_records(RECIPIENTS, "")?
            .into_iter()
            .map(|(_, v)| crate::store::decode("recipients", &v))
            .collect::<Result<Vec<Recipient>, StoreError>>()
    })
    .await??;
    all.sort_by(|a, b| {
        b.active
            .cmp(&a.active)
            .then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase()))
    });
    Ok(HttpResponse::Ok().json(all))
}

/// Adds a recipient.
#[utoipa::path(
    operation_id = "create_recipient",
    tag = "forwards",
    security(("bearer" = [])),
    request_body = NewRecipient,
    responses(
        (status = 201, body = Recipient),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Volunteers and commune accounts", body = ErrorBody),
    )
)]
#[post("/api/v1/recipients")]
pub async fn create_recipient(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<NewRecipient>,
) -> Result<HttpResponse, ApiError> {
    keepers_only(&user.0)?;
    let b = body.into_inner();
    let now = Utc::now();
    let r = Recipient {
        id: Uuid::new_v4(),
        kind: b.kind,
        name: b.name.trim().to_owned(),
        function: b.function.trim().to_owned(),
        email: clean_email(b.email),
        commune: parse_commune(b.commune.as_deref())?,
        active: b.active.unwrap_or(true),
        created_at: now,
        updated_at: now,
    };
    validate(&state, &r)?;
    let stored = r.clone();
    web::block(move || -> Result<(), StoreError> {
        state.store.commit(ConsolidationWrite {
            records: vec![put_recipient(&stored)],
            rows: vec![],
        })?;
        state.store.flush()
    })
    .await??;
    tracing::info!(recipient = %r.id, "recipient created");
    Ok(HttpResponse::Created().json(r))
}

/// Changes a recipient (deactivate it rather than delete it: past forwards
/// name it).
#[utoipa::path(
    operation_id = "update_recipient",
    tag = "forwards",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Recipient id")),
    request_body = RecipientPatch,
    responses(
        (status = 200, body = Recipient),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Volunteers and commune accounts", body = ErrorBody),
        (status = 404, body = ErrorBody),
    )
)]
#[patch("/api/v1/recipients/{id}")]
pub async fn update_recipient(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: web::Json<RecipientPatch>,
) -> Result<HttpResponse, ApiError> {
    keepers_only(&user.0)?;
    let id = id.into_inner();
    let b = body.into_inner();
    let commune = b.commune.map(|c| parse_commune(c.as_deref())).transpose()?;
    let updated = web::block(move || -> Result<Recipient, ApiError> {
        let _guard = super::model::records_lock();
        let mut r = load_recipient(state.store.as_ref(), id)?
            .ok_or_else(|| ApiError::NotFound("no such recipient".into()))?;
        if let Some(k) = b.kind {
            r.kind = k;
        }
        if let Some(n) = b.name {
            r.name = n.trim().to_owned();
        }
        if let Some(f) = b.function {
            r.function = f.trim().to_owned();
        }
        if let Some(e) = b.email {
            r.email = clean_email(e);
        }
        if let Some(c) = commune {
            r.commune = c;
        }
        if let Some(a) = b.active {
            r.active = a;
        }
        r.updated_at = Utc::now();
        validate(&state, &r)?;
        state.store.commit(ConsolidationWrite {
            records: vec![put_recipient(&r)],
            rows: vec![],
        })?;
        state.store.flush()?;
        Ok(r)
    })
    .await??;
    Ok(HttpResponse::Ok().json(updated))
}

#[derive(OpenApi)]
#[openapi(
    paths(list_recipients, create_recipient, update_recipient),
    components(schemas(Recipient, RecipientKind, NewRecipient, RecipientPatch))
)]
pub struct Doc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(list_recipients)
        .service(create_recipient)
        .service(update_recipient);
}
