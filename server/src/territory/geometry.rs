//! GeoJSON geometry parsing and the little planar geometry geotagging needs.

use geo::{Coord, LineString, MultiPolygon, Polygon};
use serde_json::Value;

/// A Polygon or MultiPolygon GeoJSON geometry.
pub fn parse(geometry: &Value) -> Result<MultiPolygon<f64>, String> {
    let coords = &geometry["coordinates"];
    match geometry["type"].as_str() {
        Some("Polygon") => Ok(MultiPolygon(vec![polygon(coords)?])),
        Some("MultiPolygon") => coords
            .as_array()
            .ok_or("MultiPolygon without coordinates")?
            .iter()
            .map(polygon)
            .collect::<Result<Vec<_>, _>>()
            .map(MultiPolygon),
        _ => Err("geometry must be a Polygon or a MultiPolygon".into()),
    }
}

fn polygon(rings: &Value) -> Result<Polygon<f64>, String> {
    let rings = rings.as_array().ok_or("polygon without rings")?;
    let mut rings = rings.iter().map(ring);
    let exterior = rings.next().ok_or("polygon without exterior ring")??;
    let interiors = rings.collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, interiors))
}

fn ring(points: &Value) -> Result<LineString<f64>, String> {
    let points = points.as_array().ok_or("ring is not an array")?;
    if points.len() < 4 {
        return Err("ring with fewer than 4 positions".into());
    }
    points
        .iter()
        .map(|p| match (p[0].as_f64(), p[1].as_f64()) {
            (Some(x), Some(y)) if (-180.0..=180.0).contains(&x) && (-90.0..=90.0).contains(&y) => {
                Ok(Coord { x, y })
            }
            _ => Err("bad position".to_string()),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(LineString::new)
}

/// Bounding box corners `([min_lon, min_lat], [max_lon, max_lat])`.
pub fn bbox(shape: &MultiPolygon<f64>) -> ([f64; 2], [f64; 2]) {
    let mut min = [f64::MAX, f64::MAX];
    let mut max = [f64::MIN, f64::MIN];
    for c in shape.0.iter().flat_map(|p| p.exterior().coords()) {
        min = [min[0].min(c.x), min[1].min(c.y)];
        max = [max[0].max(c.x), max[1].max(c.y)];
    }
    (min, max)
}

/// Distance in metres from `(lat, lon)` to the nearest edge of `shape`,
/// in a local equirectangular projection centred on the point (errors are
/// far below the outlines' own precision at the scale of a metropolis).
pub fn distance_to_boundary_m(shape: &MultiPolygon<f64>, lat: f64, lon: f64) -> f64 {
    let kx = super::M_PER_DEG_LAT * lat.to_radians().cos();
    let ky = super::M_PER_DEG_LAT;
    let project = |c: &Coord<f64>| ((c.x - lon) * kx, (c.y - lat) * ky);
    let mut best = f64::MAX;
    for polygon in &shape.0 {
        for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
            for seg in ring.lines() {
                let a = project(&seg.start);
                let b = project(&seg.end);
                best = best.min(origin_to_segment(a, b));
            }
        }
    }
    best
}

/// Distance from (0, 0) to the segment [a, b].
fn origin_to_segment(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (-(a.0 * dx + a.1 * dy) / len2).clamp(0.0, 1.0)
    };
    let (x, y) = (a.0 + t * dx, a.1 + t * dy);
    (x * x + y * y).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_to_a_segment_is_perpendicular_or_to_an_end() {
        assert_eq!(origin_to_segment((-1.0, 2.0), (1.0, 2.0)), 2.0);
        assert_eq!(origin_to_segment((3.0, 4.0), (6.0, 8.0)), 5.0);
        assert_eq!(origin_to_segment((3.0, 4.0), (3.0, 4.0)), 5.0);
    }

    #[test]
    fn a_bad_geometry_is_refused_with_a_reason() {
        let v: Value = serde_json::json!({"type": "Point", "coordinates": [4.8, 45.7]});
        assert!(parse(&v).unwrap_err().contains("Polygon"));
        let v: Value =
            serde_json::json!({"type": "Polygon", "coordinates": [[[4.8, 45.7], [4.9, 45.7]]]});
        assert!(parse(&v).is_err());
    }
}
