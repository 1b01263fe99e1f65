//! Statistics (docs/CONSOLIDATION.md "Statistics"): contributions counted
//! by commune, arrondissement, theme, kind, status, week (Europe/Paris) or
//! campaign for any filter of the list, and the respondents' diversity by
//! bracket — where every cell under 5 is masked for every caller, since it
//! describes people. Counted by the index over fast fields; no row is read.
//!
//! Officer: everything; commune accounts: their territory; volunteers and
//! administrators: 403 (statistics are consolidation work).

use crate::api::list_params;
use crate::auth::AuthUser;
use crate::error::{ApiError, ErrorBody};
use crate::index::{Dim, Scope};
use crate::startup::AppState;
use actix_web::{get, web, HttpRequest, HttpResponse};
use porte_voix_shared::{AgeBracket, DistrictType, Gender, Principal, Relation, Role};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::{IntoParams, OpenApi, ToSchema};

#[derive(OpenApi)]
#[openapi(
    paths(get_contribution_stats, get_respondent_stats),
    components(schemas(Stats, Cell))
)]
pub struct Doc;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(get_contribution_stats)
        .service(get_respondent_stats);
}

/// The smallest count of people shown; smaller cells are masked.
pub const MASK_UNDER: u64 = 5;

/// One count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Cell {
    /// The value counted (a commune code, a theme code, `2026-W48`, …).
    pub key: String,
    /// `null` when masked.
    pub count: Option<u64>,
    /// True when the count is hidden (under 5 people, or hidden with one
    /// so that it cannot be recomputed).
    #[serde(default)]
    pub masked: bool,
}

/// Counts by one dimension.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    /// The dimension (`by`).
    pub by: String,
    /// Contributions matching the filter (respondents: with the bracket
    /// declared); `null` when a cell is masked, so that it cannot be
    /// recomputed from the shown cells.
    pub total: Option<u64>,
    /// In key order (weeks are chronological).
    pub cells: Vec<Cell>,
}

/// `by` of the contribution statistics.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContributionStatsQuery {
    /// commune, arrondissement, theme, kind, status, week or campaign;
    /// the list's filters apply too (`crate::api::ListQuery`).
    pub by: String,
}

/// `by` of the respondent statistics.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RespondentStatsQuery {
    /// age, gender, relation or district. Filters: commune, theme, kind,
    /// status, campaign, near_border, in_topic, topic, from, to.
    pub by: String,
}

fn may_read_stats(p: &Principal) -> Result<(), ApiError> {
    match p.role {
        Role::Officer | Role::Commune => Ok(()),
        _ => Err(ApiError::Forbidden(
            "only the officer and commune accounts read statistics".into(),
        )),
    }
}

fn by_param(query: &str) -> Option<String> {
    web::Query::<Vec<(String, String)>>::from_query(query)
        .ok()?
        .into_inner()
        .into_iter()
        .find(|(k, _)| k == "by")
        .map(|(_, v)| v)
}

/// Contributions counted by one dimension for the list's filters (a
/// contribution with two themes counts under each; `total` counts it once).
#[utoipa::path(
    operation_id = "get_contribution_stats",
    tag = "stats",
    security(("bearer" = [])),
    params(ContributionStatsQuery, crate::api::ListQuery),
    responses(
        (status = 200, body = Stats),
        (status = 400, description = "`by` or a filter does not parse", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Volunteers and administrators", body = ErrorBody),
    )
)]
#[get("/api/v1/stats/contributions")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn get_contribution_stats(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    may_read_stats(&p)?;
    let query = req.query_string().to_owned();
    let by = by_param(&query).unwrap_or_default();
    let dim = match by.as_str() {
        "commune" => Dim::Commune,
        "arrondissement" => Dim::Arrondissement,
        "theme" => Dim::Theme,
        "kind" => Dim::Kind,
        "status" => Dim::Status,
        "week" => Dim::Week,
        "campaign" => Dim::Campaign,
        _ => {
            return Err(ApiError::BadRequest(
                "`by` is commune, arrondissement, theme, kind, status, week or campaign".into(),
            ))
        }
    };
    let params = list_params(&p, &query)?;
    let stats = web::block(move || -> Result<Stats, ApiError> {
        let scope = Scope::for_principal(&p);
        state.index.catch_up()?;
        let counts = state.index.count_by(&scope, &params.filter, dim)?;
        let total = state.index.count(&scope, &params.filter)? as u64;
        Ok(Stats {
            by,
            total: Some(total),
            cells: counts
                .into_iter()
                .map(|(key, n)| Cell {
                    key,
                    count: Some(n),
                    masked: false,
                })
                .collect(),
        })
    })
    .await??;
    Ok(HttpResponse::Ok().json(stats))
}

/// Respondents' diversity by bracket. Every bracket value is listed; a
/// cell under 5 is masked (`count: null, masked: true`) for every caller,
/// and when only one is, the next smallest is masked with it, so that
/// neither can be recomputed; `total` is then `null` too.
#[utoipa::path(
    operation_id = "get_respondent_stats",
    tag = "stats",
    security(("bearer" = [])),
    params(RespondentStatsQuery),
    responses(
        (status = 200, body = Stats),
        (status = 400, description = "`by` or a filter does not parse, or a filter that singles people out (`q`, `author`, `assignee`, `outing`)", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, description = "Volunteers and administrators", body = ErrorBody),
    )
)]
#[get("/api/v1/stats/respondents")]
#[tracing::instrument(skip_all, fields(user = %user.0.user_id))]
pub async fn get_respondent_stats(
    state: web::Data<AppState>,
    user: AuthUser,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = user.0;
    may_read_stats(&p)?;
    let query = req.query_string().to_owned();
    let by = by_param(&query).unwrap_or_default();
    let (dim, keys): (Dim, Vec<&'static str>) = match by.as_str() {
        "age" => (Dim::Age, AgeBracket::ALL.iter().map(|v| v.code()).collect()),
        "gender" => (Dim::Gender, Gender::ALL.iter().map(|v| v.code()).collect()),
        "relation" => (
            Dim::Relation,
            Relation::ALL.iter().map(|v| v.code()).collect(),
        ),
        "district" => (
            Dim::District,
            DistrictType::ALL.iter().map(|v| v.code()).collect(),
        ),
        _ => {
            return Err(ApiError::BadRequest(
                "`by` is age, gender, relation or district".into(),
            ))
        }
    };
    let params = list_params(&p, &query)?;
    let f = &params.filter;
    // A free-text search, an author, an assignee or an outing narrows to a
    // handful of people: diversity is counted over broad groups only.
    if f.q.is_some() || f.author.is_some() || f.assignee.is_some() || f.outing.is_some() {
        return Err(ApiError::BadRequest(
            "respondent statistics take no `q`, `author`, `assignee` or `outing` filter".into(),
        ));
    }
    let stats = web::block(move || -> Result<Stats, ApiError> {
        state.index.catch_up()?;
        let counts = state
            .index
            .count_by(&Scope::for_principal(&p), &params.filter, dim)?;
        Ok(masked(by, &keys, &counts))
    })
    .await??;
    Ok(HttpResponse::Ok().json(stats))
}

/// The masked table of `counts` over every value of `keys` (pure: unit
/// tested below).
pub fn masked(by: String, keys: &[&str], counts: &BTreeMap<String, u64>) -> Stats {
    let n = |k: &str| counts.get(k).copied().unwrap_or(0);
    let mut hide: Vec<bool> = keys.iter().map(|k| n(k) < MASK_UNDER).collect();
    let hidden = hide.iter().filter(|h| **h).count();
    // One masked cell would follow from the total (or from the count of
    // contributions for the same filter): hide the smallest shown one too.
    if hidden == 1 {
        if let Some(i) = (0..keys.len())
            .filter(|i| !hide[*i])
            .min_by_key(|i| n(keys[*i]))
        {
            hide[i] = true;
        }
    }
    let any = hide.iter().any(|h| *h);
    Stats {
        total: (!any).then(|| keys.iter().map(|k| n(k)).sum()),
        cells: keys
            .iter()
            .zip(hide)
            .map(|(k, h)| Cell {
                key: (*k).to_owned(),
                count: (!h).then(|| n(k)),
                masked: h,
            })
            .collect(),
        by,
    }
}

#[cfg(test)]
mod tests {
    use super::masked;
    use std::collections::BTreeMap;

    fn counts(v: &[(&str, u64)]) -> BTreeMap<String, u64> {
        v.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect()
    }

    #[test]
    fn cells_under_five_are_masked_and_the_total_with_them() {
        let s = masked(
            "gender".into(),
            &["woman", "man", "other"],
            &counts(&[("woman", 4), ("man", 5), ("other", 9)]),
        );
        assert_eq!(s.cells[0].count, None);
        assert!(s.cells[0].masked);
        // Only one under 5: the smallest other is hidden with it.
        assert_eq!(s.cells[1].count, None);
        assert_eq!(s.cells[2].count, Some(9));
        assert_eq!(s.total, None);
    }

    #[test]
    fn nothing_is_masked_from_five_up() {
        let s = masked(
            "gender".into(),
            &["woman", "man"],
            &counts(&[("woman", 5), ("man", 7)]),
        );
        assert_eq!(
            s.cells.iter().map(|c| c.count).collect::<Vec<_>>(),
            vec![Some(5), Some(7)]
        );
        assert_eq!(s.total, Some(12));
    }

    #[test]
    fn an_absent_value_is_a_zero_and_masked() {
        let s = masked(
            "gender".into(),
            &["woman", "man", "other"],
            &counts(&[("woman", 6)]),
        );
        assert!(s.cells[1].masked && s.cells[2].masked);
        assert_eq!(s.cells[0].count, Some(6));
    }
}
