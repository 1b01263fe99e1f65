use crate::error::{ApiError, ErrorBody};
use crate::startup::AppState;
use actix_web::{get, web, HttpResponse};
use porte_voix_shared::CommuneCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The territory's outlines (GeoJSON FeatureCollection of communes and
/// arrondissements), for the PWA's offline lookup and maps. Open data.
#[utoipa::path(
    operation_id = "get_territory",
    tag = "territory",
    responses((status = 200, description = "GeoJSON FeatureCollection", content_type = "application/geo+json", body = Object))
)]
#[get("/api/v1/territory")]
pub async fn get_territory(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/geo+json")
        .insert_header(("Cache-Control", "public, max-age=86400"))
        .body(state.territory.geojson().to_string())
}

/// A point to place.
#[derive(Debug, Deserialize, IntoParams)]
pub struct LocateQuery {
    /// Latitude, WGS 84 degrees.
    pub lat: f64,
    /// Longitude, WGS 84 degrees.
    pub lon: f64,
    /// Commune declared by the volunteer (breaks ties near borders).
    pub declared: Option<String>,
}

/// Where a point lies.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Located {
    pub commune: Option<CommuneCode>,
    pub commune_name: Option<String>,
    pub arrondissement: Option<CommuneCode>,
    pub arrondissement_name: Option<String>,
    pub near_border: bool,
    pub outside: bool,
}

/// The commune (and Lyon arrondissement) of a point.
#[utoipa::path(
    operation_id = "get_territory_locate",
    tag = "territory",
    params(LocateQuery),
    responses(
        (status = 200, body = Located),
        (status = 400, description = "Coordinates out of range", body = ErrorBody),
    )
)]
#[get("/api/v1/territory/locate")]
pub async fn locate(
    state: web::Data<AppState>,
    q: web::Query<LocateQuery>,
) -> Result<HttpResponse, ApiError> {
    if !(-90.0..=90.0).contains(&q.lat) || !(-180.0..=180.0).contains(&q.lon) {
        return Err(ApiError::BadRequest(
            "lat must be within ±90 and lon within ±180".into(),
        ));
    }
    let declared = match &q.declared {
        Some(d) => Some(CommuneCode::parse(d).map_err(|e| ApiError::BadRequest(e.to_string()))?),
        None => None,
    };
    let p = state.territory.place(q.lat, q.lon, declared.as_ref());
    Ok(HttpResponse::Ok().json(Located {
        commune: p.commune.as_ref().map(|c| c.0.clone()),
        commune_name: p.commune.map(|c| c.1),
        arrondissement: p.arrondissement.as_ref().map(|c| c.0.clone()),
        arrondissement_name: p.arrondissement.map(|c| c.1),
        near_border: p.near_border,
        outside: p.outside,
    }))
}
