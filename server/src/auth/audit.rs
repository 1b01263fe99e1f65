//! The audit log: who did what to which record, append-only, never content.
//! Entries name accounts and records by id only (no e-mail, name, free
//! text or contact detail), so the log itself is not personal data beyond
//! those ids. The administrator reads it and exports it as CSV:
//! `GET /api/v1/audit`.

use crate::error::{ApiError, ErrorBody};
use crate::startup::AppState;
use crate::store::{AuditEntry, Store};
use actix_web::{get, web, HttpResponse};
use chrono::{DateTime, Utc};
use porte_voix_shared::Role;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::AuthUser;

/// Appends one entry (the caller flushes with the write it audits).
pub fn record(
    store: &dyn Store,
    user_id: &str,
    action: &str,
    target: &str,
) -> Result<(), crate::store::StoreError> {
    store.append_audit(&AuditEntry {
        at: Utc::now(),
        user_id: user_id.to_owned(),
        action: action.to_owned(),
        target: target.to_owned(),
    })
}

/// Filters of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Entries at or after this instant (RFC 3339).
    pub from: Option<DateTime<Utc>>,
    /// Entries before this instant (RFC 3339).
    pub to: Option<DateTime<Utc>>,
    /// One action, e.g. `login.failed`, `export`, `read_contact`.
    pub action: Option<String>,
    /// Entries by this account id.
    pub user: Option<String>,
    /// `json` (default) or `csv` (a file for a spreadsheet).
    pub format: Option<String>,
    /// At most this many entries, newest first (default 1000, at most 100000).
    pub limit: Option<usize>,
}

/// One audited action.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditView {
    pub at: DateTime<Utc>,
    /// The acting account's id (`-` when a failed login named no account).
    pub user_id: String,
    #[schema(example = "login.failed")]
    pub action: String,
    /// The record acted on, by id.
    pub target: String,
}

/// Audit entries, newest first.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditView>,
    /// How many entries matched (before `limit`).
    pub total: usize,
}

/// The audit log (administrator only).
#[utoipa::path(
    operation_id = "list_audit",
    tag = "admin",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "Entries, newest first (JSON, or CSV with `format=csv`)", body = AuditPage),
        (status = 400, description = "Unknown format", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not the administrator", body = ErrorBody),
    )
)]
#[get("/api/v1/audit")]
pub async fn list_audit(
    state: web::Data<AppState>,
    user: AuthUser,
    q: web::Query<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    if user.0.role != Role::Admin {
        return Err(ApiError::Forbidden(
            "only the administrator reads the audit log".into(),
        ));
    }
    let q = q.into_inner();
    let csv = match q.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(ApiError::BadRequest("format is json or csv".into())),
    };
    let limit = q.limit.unwrap_or(1000).clamp(1, 100_000);
    let store = state.store.clone();
    let mut entries = web::block(move || store.list_audit()).await??;
    entries.retain(|e| {
        q.from.is_none_or(|f| e.at >= f)
            && q.to.is_none_or(|t| e.at < t)
            && q.action.as_ref().is_none_or(|a| &e.action == a)
            && q.user.as_ref().is_none_or(|u| &e.user_id == u)
    });
    entries.sort_by_key(|e| std::cmp::Reverse(e.at));
    let total = entries.len();
    entries.truncate(limit);
    record(state.store.as_ref(), &user.0.user_id, "audit.read", "audit")?;
    state.store.flush()?;
    if csv {
        let mut out = String::from("\u{feff}at;user_id;action;target\r\n");
        for e in &entries {
            out.push_str(&format!(
                "{};{};{};{}\r\n",
                e.at.to_rfc3339(),
                cell(&e.user_id),
                cell(&e.action),
                cell(&e.target)
            ));
        }
        return Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                "attachment; filename=\"journal-audit.csv\"",
            ))
            .body(out));
    }
    Ok(HttpResponse::Ok().json(AuditPage {
        items: entries
            .into_iter()
            .map(|e| AuditView {
                at: e.at,
                user_id: e.user_id,
                action: e.action,
                target: e.target,
            })
            .collect(),
        total,
    }))
}

/// Ids and action names are ours, but a spreadsheet must never read a cell
/// as a formula: quote what could be one, and any separator.
fn cell(v: &str) -> String {
    if v.starts_with(['=', '+', '-', '@']) && v != "-" || v.contains([';', '"', '\n', '\r']) {
        format!("\"'{}\"", v.replace('"', "\"\""))
    } else {
        v.to_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn csv_cells_are_never_formulas() {
        assert_eq!(super::cell("login"), "login");
        assert_eq!(super::cell("-"), "-");
        assert_eq!(super::cell("=cmd()"), "\"'=cmd()\"");
        assert_eq!(super::cell("a;b"), "\"'a;b\"");
    }
}
