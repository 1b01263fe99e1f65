use crate::error::{ApiError, ErrorBody};
use crate::startup::AppState;
use actix_web::{get, web, HttpResponse};
use porte_voix_shared::schema::Geo;
use porte_voix_shared::CommuneCode;
use serde::Deserialize;
use utoipa::IntoParams;

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

/// The commune (and Lyon arrondissement) of a point.
#[utoipa::path(
    operation_id = "get_territory_locate",
    tag = "territory",
    params(LocateQuery),
    responses(
        (status = 200, description = "The placement (`computed_at` is null)", body = Geo),
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
    let placement = state.territory.place(q.lat, q.lon, declared.as_ref());
    Ok(HttpResponse::Ok().json(placement.into_geo()))
}
