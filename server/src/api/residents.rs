//! A resident's rights (RGPD): « droit d'accès » — everything the service
//! holds with a person's contact details — and « droit à l'effacement » of
//! those details. The officer searches by phone, e-mail or name (in the
//! body: never in a URL, which logs and histories keep), answers the
//! resident with the result, and erases. Searching decrypts the contacts
//! one by one (a few thousand at most); every hit and erasure is audited.
//!
//! The contributions' texts stay: they are opinions on the territory, not
//! contact details. A name or number typed into a text is a redaction
//! (docs/SECURITY.md, not built yet).

use crate::api::contributions::{readable, ContactView};
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::startup::AppState;
use crate::store::Contact;
use actix_web::{post, web, HttpResponse};
use porte_voix_shared::schema::Contribution;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Who the resident is, as they left it: at least one field.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ResidentQuery {
    /// Any spacing or `+33` prefix: digits are compared.
    #[schema(example = "06 12 34 56 78")]
    pub phone: Option<String>,
    pub email: Option<String>,
    /// Compared without case or accents, whole.
    pub name: Option<String>,
}

/// One contribution left with the resident's details.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResidentRecord {
    pub contact: ContactView,
    /// The contribution as stored (absent when it is no longer readable).
    pub contribution: Option<Contribution>,
}

/// Everything held with the resident's details.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResidentData {
    pub records: Vec<ResidentRecord>,
}

/// Contributions whose contact details to erase.
#[derive(Debug, Deserialize, ToSchema)]
pub struct EraseRequest {
    pub contribution_ids: Vec<Uuid>,
}

/// How many contact records were erased.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EraseReport {
    pub erased: usize,
}

/// National form of a French number, digits only (`+33 6…` → `06…`).
fn phone_key(p: &str) -> String {
    let digits: String = p.chars().filter(char::is_ascii_digit).collect();
    match digits.strip_prefix("33") {
        Some(rest) if p.trim_start().starts_with('+') || digits.len() == 11 => format!("0{rest}"),
        _ => digits,
    }
}

/// A name through the search analyzer (lower case, accents folded):
/// « Hélène  EXEMPLE » and « helene exemple » are one name.
fn fold(s: &str) -> String {
    crate::index::analyzer::tokens(s).join(" ")
}

fn matches(q: &ResidentQuery, c: &Contact) -> bool {
    let phone = q.phone.as_deref().map(phone_key).filter(|p| p.len() >= 6);
    let email = q
        .email
        .as_deref()
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty());
    let name = q.name.as_deref().map(fold).filter(|n| !n.is_empty());
    phone.is_some_and(|p| c.phone.as_deref().is_some_and(|x| phone_key(x) == p))
        || email.is_some_and(|e| {
            c.email
                .as_deref()
                .is_some_and(|x| x.trim().to_lowercase() == e)
        })
        || name.is_some_and(|n| c.name.as_deref().is_some_and(|x| fold(x) == n))
}

fn audit(state: &AppState, user: &str, action: &str, id: Uuid) -> Result<(), ApiError> {
    crate::auth::audit::record(state.store.as_ref(), user, action, &id.to_string())?;
    Ok(())
}

/// Everything held with a resident's contact details (droit d'accès).
#[utoipa::path(
    operation_id = "list_resident_records",
    tag = "contributions",
    security(("bearer" = [])),
    request_body = ResidentQuery,
    responses(
        (status = 200, body = ResidentData),
        (status = 400, description = "No usable phone (6 digits at least), e-mail or name", body = ErrorBody),
        (status = 403, description = "Not the officer", body = ErrorBody),
    )
)]
#[post("/api/v1/residents/search")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn find_resident_data(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<ResidentQuery>,
) -> Result<HttpResponse, ApiError> {
    crate::consolidation::topics::officer_only(&user.0)?;
    let q = body.into_inner();
    let usable = q.phone.as_deref().is_some_and(|p| phone_key(p).len() >= 6)
        || q.email.as_deref().is_some_and(|e| e.contains('@'))
        || q.name.as_deref().is_some_and(|n| !fold(n).is_empty());
    if !usable {
        return Err(ApiError::BadRequest(
            "give a phone number (6 digits at least), an e-mail address or a name".into(),
        ));
    }
    let st = state.clone();
    let hits = web::block(move || -> Result<Vec<Contact>, ApiError> {
        let mut hits = Vec::new();
        for id in st.store.contact_ids()? {
            if let Some(c) = st.store.get_contact(id)? {
                if matches(&q, &c) {
                    hits.push(c);
                }
            }
        }
        Ok(hits)
    })
    .await??;
    let mut records = Vec::with_capacity(hits.len());
    for c in hits {
        let id = c.contribution_id;
        audit(&state, &user.0.user_id, "resident.access", id)?;
        let contribution = readable(&state, &user.0, id).ok().map(|(_, c)| c);
        records.push(ResidentRecord {
            contact: ContactView::from(c),
            contribution,
        });
    }
    state.store.flush()?;
    tracing::info!(hits = records.len(), "resident data search");
    Ok(HttpResponse::Ok().json(ResidentData { records }))
}

/// Erases the contact details of the given contributions (droit à
/// l'effacement; at most 500 at once).
#[utoipa::path(
    operation_id = "delete_resident_contacts",
    tag = "contributions",
    security(("bearer" = [])),
    request_body = EraseRequest,
    responses(
        (status = 200, body = EraseReport),
        (status = 400, description = "No id, or more than 500", body = ErrorBody),
        (status = 403, description = "Not the officer", body = ErrorBody),
    )
)]
#[post("/api/v1/residents/erase")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn erase_resident_data(
    state: web::Data<AppState>,
    user: AuthUser,
    body: web::Json<EraseRequest>,
) -> Result<HttpResponse, ApiError> {
    crate::consolidation::topics::officer_only(&user.0)?;
    let ids = body.into_inner().contribution_ids;
    if ids.is_empty() || ids.len() > 500 {
        return Err(ApiError::BadRequest(
            "contribution_ids holds 1 to 500 ids".into(),
        ));
    }
    let mut erased = 0;
    for id in ids {
        if state.store.delete_contact(id)? {
            audit(&state, &user.0.user_id, "resident.erase", id)?;
            erased += 1;
        }
    }
    state.store.flush()?;
    Ok(HttpResponse::Ok().json(EraseReport { erased }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(phone: &str, email: &str, name: &str) -> Contact {
        Contact {
            contribution_id: Uuid::nil(),
            name: Some(name.into()),
            phone: Some(phone.into()),
            email: Some(email.into()),
            received_at: chrono::Utc::now(),
            sent_by: "u".into(),
        }
    }

    #[test]
    fn a_resident_is_found_by_any_spelling_of_their_number_email_or_name() {
        let c = contact("06 12 34 56 78", "Mme.Exemple@Mail.fr", "Hélène Exemple");
        let q = |phone: Option<&str>, email: Option<&str>, name: Option<&str>| ResidentQuery {
            phone: phone.map(Into::into),
            email: email.map(Into::into),
            name: name.map(Into::into),
        };
        assert!(matches(&q(Some("+33 6 12 34 56 78"), None, None), &c));
        assert!(matches(&q(Some("0612345678"), None, None), &c));
        assert!(matches(&q(None, Some(" mme.exemple@mail.fr"), None), &c));
        assert!(matches(&q(None, None, Some("helene  EXEMPLE")), &c));
        assert!(!matches(&q(Some("06 12 34 56 79"), None, None), &c));
        assert!(!matches(&q(None, None, Some("Hélène")), &c), "a whole name");
        assert!(
            !matches(&q(Some("12"), None, None), &c),
            "too short to mean anyone"
        );
    }
}
