//! Exports of any filter of the list (a topic's export is `topic=<id>`):
//! `GET /api/v1/exports/contributions.csv|.xlsx|.geojson`
//! (docs/CONSOLIDATION.md "Exports").
//!
//! Streamed: the ids come from the index, a thread loads the contributions
//! from the store in batches and feeds the response, so the file is never
//! whole in memory (the XLSX is written with constant memory to a
//! temporary file, then streamed). The officer exports everything; a
//! commune its territory only, without the author; volunteers and
//! administrators are refused. No export holds contact details, and each
//! one is audited (action `export`, target the format, never the filter).

use crate::api::{list_params, view};
use crate::error::{ApiError, ErrorBody};
use crate::index::Scope;
use crate::startup::AppState;
use crate::store::{AuditEntry, ContributionRow, DocRow};
use crate::sync::row_visible;
use crate::{auth::AuthUser, document};
use actix_web::body::{BodySize, MessageBody};
use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{get, web, HttpRequest, HttpResponse};
use porte_voix_shared::{Contribution, Document, Principal, Role};
use std::pin::Pin;
use std::task::{Context, Poll};
use tokio::sync::mpsc;
use utoipa::OpenApi;
use uuid::Uuid;

#[derive(OpenApi)]
#[openapi(paths(
    get_contributions_csv,
    get_contributions_xlsx,
    get_contributions_geojson
))]
pub struct Doc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_contributions_csv)
        .service(get_contributions_xlsx)
        .service(get_contributions_geojson);
}

/// Contributions loaded per store batch.
const BATCH: usize = 500;
/// Chunks waiting to be sent (the memory bound of a stream: about
/// `QUEUE` × one batch of rows).
const QUEUE: usize = 4;

/// One exported contribution: its row (topic, status) and document.
pub struct Item {
    pub row: ContributionRow,
    pub c: Contribution,
}

/// The columns, in order (`author` last, officer only).
pub const COLUMNS: &[&str] = &[
    "id",
    "created_at",
    "commune",
    "commune_name",
    "arrondissement",
    "kind",
    "themes",
    "status",
    "text",
    "outing",
    "campaign",
    "topic",
    "age",
    "gender",
    "relation",
    "district",
    "author",
];

impl Item {
    /// The cells of `COLUMNS` (without `author` unless `with_author`).
    pub fn cells(&self, with_author: bool) -> Vec<String> {
        let c = &self.c;
        let geo = c.geo.as_ref();
        let r = c.respondent.as_ref();
        let code = |v: Option<&'static str>| v.unwrap_or_default().to_owned();
        let mut out = vec![
            c.id.to_string(),
            c.created_at
                .with_timezone(&chrono_tz::Europe::Paris)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
            self.row
                .commune
                .as_ref()
                .map(|x| x.to_string())
                .unwrap_or_default(),
            geo.and_then(|g| g.commune_name.clone()).unwrap_or_default(),
            self.row
                .arrondissement
                .as_ref()
                .map(|x| x.to_string())
                .unwrap_or_default(),
            c.kind.code().to_owned(),
            self.row.themes.join(","),
            self.row.status.code().to_owned(),
            c.text.clone(),
            c.outing.map(|o| o.to_string()).unwrap_or_default(),
            c.campaign.clone(),
            self.row.topic.map(|t| t.to_string()).unwrap_or_default(),
            code(r.and_then(|r| r.age).map(|v| v.code())),
            code(r.and_then(|r| r.gender).map(|v| v.code())),
            code(r.and_then(|r| r.relation).map(|v| v.code())),
            code(r.and_then(|r| r.district).map(|v| v.code())),
        ];
        if with_author {
            out.push(c.author.clone());
        }
        out
    }
}

/// Who may export: the officer and commune accounts.
fn may_export(p: &Principal) -> Result<(), ApiError> {
    match p.role {
        Role::Officer | Role::Commune => Ok(()),
        _ => Err(ApiError::Forbidden(
            "only the officer and commune accounts export contributions".into(),
        )),
    }
}

/// The ids of the export, in order, after the audit entry is stored.
fn prepare(
    state: &AppState,
    p: &Principal,
    query: &str,
    format: &str,
) -> Result<Vec<Uuid>, ApiError> {
    may_export(p)?;
    let params = list_params(p, query)?;
    state.index.catch_up()?;
    let ids = state
        .index
        .ids(&Scope::for_principal(p), &params.filter, params.sort)?;
    state.store.append_audit(&AuditEntry {
        at: chrono::Utc::now(),
        user_id: p.user_id.clone(),
        action: "export".into(),
        target: format.into(),
    })?;
    Ok(ids)
}

/// Loads a batch of ids, each checked again against the caller.
fn load(state: &AppState, p: &Principal, ids: &[Uuid]) -> Result<Vec<Item>, ApiError> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let Some(DocRow::Contribution(row)) = state.store.get_row(*id)? else {
            continue;
        };
        if !row_visible(p, &row) {
            continue;
        }
        let Some(doc) = state.engine.load(*id)? else {
            continue;
        };
        if let Ok(Document::Contribution(c)) = Document::parse(*id, &document::to_json(&doc)) {
            out.push(Item { row, c: view(p, c) });
        }
    }
    Ok(out)
}

/// A response body fed by a thread through a bounded channel.
struct ChannelBody(mpsc::Receiver<Bytes>);

impl MessageBody for ChannelBody {
    type Error = std::convert::Infallible;

    fn size(&self) -> BodySize {
        BodySize::Stream
    }

    fn poll_next(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        self.0.poll_recv(cx).map(|b| b.map(Ok))
    }
}

/// Runs `produce` on its own thread, sending what it writes; it stops when
/// the client goes away (the send fails).
fn stream(
    produce: impl FnOnce(&mut dyn FnMut(Vec<u8>) -> bool) -> Result<(), ApiError> + Send + 'static,
) -> ChannelBody {
    let (tx, rx) = mpsc::channel::<Bytes>(QUEUE);
    std::thread::spawn(move || {
        let mut send =
            |chunk: Vec<u8>| chunk.is_empty() || tx.blocking_send(Bytes::from(chunk)).is_ok();
        if let Err(e) = produce(&mut send) {
            // The body is cut short; the client sees a truncated file.
            tracing::error!(error = %e, "export failed while streaming");
        }
    });
    ChannelBody(rx)
}

fn attachment(content_type: &str, name: &str) -> actix_web::HttpResponseBuilder {
    let mut r = HttpResponse::Ok();
    r.insert_header((header::CONTENT_TYPE, content_type.to_owned()))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ));
    r
}

/// A cell a spreadsheet would take for a formula (`=`, `+`, `-`, `@`) is
/// prefixed with `'` (CSV injection).
fn defuse(cell: String) -> String {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}")
    } else {
        cell
    }
}

/// CSV export of the list's filters: UTF-8 with a BOM, `;`-separated
/// (`sep=comma` for `,`), one row per contribution; columns in
/// docs/API.md (`author` for the officer only).
#[utoipa::path(
    operation_id = "get_contributions_csv",
    tag = "exports",
    security(("bearer" = [])),
    params(crate::api::ListQuery, ("sep" = Option<String>, Query, description = "`comma` for a `,` separator (default `;`)")),
    responses(
        (status = 200, description = "The CSV file, streamed", content_type = "text/csv"),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Volunteers and administrators; `author`/`assignee` other than `me` asked by anyone but the officer", body = ErrorBody),
    )
)]
#[get("/api/v1/exports/contributions.csv")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn get_contributions_csv(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    let query = req.query_string().to_owned();
    let sep = match web::Query::<Vec<(String, String)>>::from_query(&query)
        .map(|q| q.into_inner())
        .unwrap_or_default()
        .into_iter()
        .find(|(k, _)| k == "sep")
        .map(|(_, v)| v)
        .as_deref()
    {
        None | Some("semicolon") => b';',
        Some("comma") => b',',
        Some(_) => return Err(ApiError::BadRequest("`sep` is comma or semicolon".into())),
    };
    let (st, p2) = (state.clone(), p.clone());
    let ids = web::block(move || prepare(&st, &p2, &query, "csv")).await??;
    let with_author = p.role == Role::Officer;
    let body = stream(move |send| {
        let header: Vec<&str> = COLUMNS
            .iter()
            .copied()
            .filter(|c| with_author || *c != "author")
            .collect();
        let mut first = "\u{feff}".as_bytes().to_vec();
        let mut w = csv::WriterBuilder::new()
            .delimiter(sep)
            .from_writer(&mut first);
        w.write_record(&header).map_err(csv_error)?;
        drop(w);
        if !send(first) {
            return Ok(());
        }
        for chunk in ids.chunks(BATCH) {
            let mut buf = Vec::with_capacity(chunk.len() * 256);
            let mut w = csv::WriterBuilder::new()
                .delimiter(sep)
                .from_writer(&mut buf);
            for item in load(&state, &p, chunk)? {
                w.write_record(item.cells(with_author).into_iter().map(defuse))
                    .map_err(csv_error)?;
            }
            w.flush().map_err(|e| ApiError::Internal(e.into()))?;
            drop(w);
            if !send(buf) {
                return Ok(());
            }
        }
        Ok(())
    });
    Ok(attachment("text/csv; charset=utf-8", "contributions.csv").body(body))
}

fn csv_error(e: csv::Error) -> ApiError {
    ApiError::Internal(e.into())
}

fn xlsx_error(e: rust_xlsxwriter::XlsxError) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("xlsx: {e}"))
}

/// XLSX export of the list's filters: one sheet, the CSV's columns,
/// written with constant memory.
#[utoipa::path(
    operation_id = "get_contributions_xlsx",
    tag = "exports",
    security(("bearer" = [])),
    params(crate::api::ListQuery),
    responses(
        (status = 200, description = "The XLSX file", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Volunteers and administrators; `author`/`assignee` other than `me` asked by anyone but the officer", body = ErrorBody),
    )
)]
#[get("/api/v1/exports/contributions.xlsx")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn get_contributions_xlsx(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    let query = req.query_string().to_owned();
    let file = web::block(move || -> Result<std::fs::File, ApiError> {
        let ids = prepare(&state, &p, &query, "xlsx")?;
        let with_author = p.role == Role::Officer;
        // In the data directory, not /tmp: it holds contributions.
        let dir = state.settings.data_dir.join("tmp");
        std::fs::create_dir_all(&dir).map_err(|e| ApiError::Internal(e.into()))?;
        let path = dir.join(format!("export-{}.xlsx", Uuid::new_v4()));
        let written = write_xlsx(&state, &p, &ids, with_author, &path);
        let opened = written
            .and_then(|()| std::fs::File::open(&path).map_err(|e| ApiError::Internal(e.into())));
        // Unlinked at once: the open file streams, nothing stays on disk.
        let _ = std::fs::remove_file(&path);
        opened
    })
    .await??;
    let body = stream(move |send| {
        use std::io::Read;
        let mut file = file;
        loop {
            let mut buf = vec![0u8; 64 * 1024];
            let n = file
                .read(&mut buf)
                .map_err(|e| ApiError::Internal(e.into()))?;
            if n == 0 {
                return Ok(());
            }
            buf.truncate(n);
            if !send(buf) {
                return Ok(());
            }
        }
    });
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "contributions.xlsx",
    )
    .body(body))
}

fn write_xlsx(
    state: &AppState,
    p: &Principal,
    ids: &[Uuid],
    with_author: bool,
    path: &std::path::Path,
) -> Result<(), ApiError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book
        .add_worksheet_with_constant_memory()
        .map_err(xlsx_error)?;
    sheet.set_name("contributions").map_err(xlsx_error)?;
    for (col, name) in COLUMNS
        .iter()
        .filter(|c| with_author || **c != "author")
        .enumerate()
    {
        sheet
            .write_string(0, col as u16, *name)
            .map_err(xlsx_error)?;
    }
    let mut row = 1u32;
    for chunk in ids.chunks(BATCH) {
        for item in load(state, p, chunk)? {
            for (col, cell) in item.cells(with_author).iter().enumerate() {
                sheet
                    .write_string(row, col as u16, cell)
                    .map_err(xlsx_error)?;
            }
            row += 1;
        }
    }
    book.save(path).map_err(xlsx_error)
}

/// GeoJSON export of the list's filters: a FeatureCollection with one
/// feature per contribution, the exact point (`null` geometry without one)
/// and the CSV's columns as properties. A commune's export holds only its
/// territory, so its points are its own.
#[utoipa::path(
    operation_id = "get_contributions_geojson",
    tag = "exports",
    security(("bearer" = [])),
    params(crate::api::ListQuery),
    responses(
        (status = 200, description = "A GeoJSON FeatureCollection, streamed", content_type = "application/geo+json"),
        (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Volunteers and administrators; `author`/`assignee` other than `me` asked by anyone but the officer", body = ErrorBody),
    )
)]
#[get("/api/v1/exports/contributions.geojson")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn get_contributions_geojson(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    let query = req.query_string().to_owned();
    let (st, p2) = (state.clone(), p.clone());
    let ids = web::block(move || prepare(&st, &p2, &query, "geojson")).await??;
    let with_author = p.role == Role::Officer;
    let body = stream(move |send| {
        if !send(br#"{"type":"FeatureCollection","features":["#.to_vec()) {
            return Ok(());
        }
        let mut first = true;
        for chunk in ids.chunks(BATCH) {
            let mut buf = Vec::with_capacity(chunk.len() * 512);
            for item in load(&state, &p, chunk)? {
                let props: serde_json::Map<String, serde_json::Value> = COLUMNS
                    .iter()
                    .zip(item.cells(with_author))
                    .map(|(k, v)| ((*k).to_owned(), serde_json::Value::String(v)))
                    .collect();
                let geometry = match &item.c.location {
                    Some(l) => serde_json::json!({"type": "Point", "coordinates": [l.lon, l.lat]}),
                    None => serde_json::Value::Null,
                };
                if !first {
                    buf.push(b',');
                }
                first = false;
                serde_json::to_writer(
                    &mut buf,
                    &serde_json::json!({"type": "Feature", "id": item.c.id, "geometry": geometry, "properties": props}),
                )
                .map_err(|e| ApiError::Internal(e.into()))?;
            }
            if !send(buf) {
                return Ok(());
            }
        }
        send(b"]}".to_vec());
        Ok(())
    });
    Ok(attachment("application/geo+json", "contributions.geojson").body(body))
}
