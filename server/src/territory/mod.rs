//! The territory: commune (and Lyon arrondissement) outlines, a spatial
//! index over them, and geotagging — which commune a point is in, whether
//! it is near a border, whether it is outside every outline.
//!
//! Pure once loaded: `Territory::place` is a function of a point and an
//! optional declared commune. It never writes anything and never logs
//! coordinates.

mod geometry;

use geo::{Intersects, MultiPolygon, Point, Polygon};
use porte_voix_shared::CommuneCode;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// The Métropole de Lyon, embedded (see `server/assets/SOURCE.md`).
pub const EMBEDDED_LYON: &str = include_str!("../../assets/metropole-de-lyon-communes.geojson");

/// Metres per degree of latitude (mean); longitude is scaled by cos(lat).
const M_PER_DEG_LAT: f64 = 111_320.0;

/// Whether an outline is a commune or an arrondissement inside one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaKind {
    Commune,
    Arrondissement,
}

/// One outline.
#[derive(Debug, Clone)]
pub struct Area {
    pub code: CommuneCode,
    pub name: String,
    pub kind: AreaKind,
    pub parent: Option<CommuneCode>,
    pub shape: MultiPolygon<f64>,
}

/// Why a territory file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TerritoryError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("not GeoJSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("feature {index}: {problem}")]
    Feature { index: usize, problem: String },
    #[error("the territory has no commune")]
    Empty,
}

/// Where a point lies.
#[derive(Debug, Clone, PartialEq)]
pub struct Placement {
    pub commune: Option<(CommuneCode, String)>,
    pub arrondissement: Option<(CommuneCode, String)>,
    /// Within the threshold of a border: the placement may be wrong.
    pub near_border: bool,
    /// Inside no outline.
    pub outside: bool,
}

impl Placement {
    /// Inside no outline.
    pub fn outside() -> Self {
        Placement {
            commune: None,
            arrondissement: None,
            near_border: false,
            outside: true,
        }
    }

    /// The `geo` field a contribution stores (without its time).
    pub fn into_geo(self) -> porte_voix_shared::schema::Geo {
        let (commune, commune_name) = self.commune.unzip();
        let (arrondissement, arrondissement_name) = self.arrondissement.unzip();
        porte_voix_shared::schema::Geo {
            commune,
            commune_name,
            arrondissement,
            arrondissement_name,
            near_border: self.near_border,
            outside: self.outside,
            computed_at: None,
        }
    }
}

/// Loaded outlines with their R-tree.
pub struct Territory {
    areas: Vec<Area>,
    tree: RTree<GeomWithData<Rectangle<[f64; 2]>, usize>>,
    geojson: Arc<str>,
    near_border_m: f64,
}

impl std::fmt::Debug for Territory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Territory")
            .field("areas", &self.areas.len())
            .finish()
    }
}

impl Territory {
    /// The embedded Métropole de Lyon.
    pub fn lyon(near_border_m: f64) -> Self {
        Self::from_geojson(EMBEDDED_LYON, near_border_m).expect("embedded territory is valid")
    }

    /// A territory file, or the embedded default when `path` is `None`.
    pub fn load(path: Option<&Path>, near_border_m: f64) -> Result<Self, TerritoryError> {
        match path {
            None => Ok(Self::lyon(near_border_m)),
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| TerritoryError::Read {
                    path: p.display().to_string(),
                    source,
                })?;
                Self::from_geojson(&text, near_border_m)
            }
        }
    }

    /// Parses a FeatureCollection whose features carry `code`, `nom`,
    /// `type` (COM or ARM) and, for ARM, `parent`.
    pub fn from_geojson(text: &str, near_border_m: f64) -> Result<Self, TerritoryError> {
        let value: Value = serde_json::from_str(text)?;
        let features = value["features"]
            .as_array()
            .ok_or(TerritoryError::Feature {
                index: 0,
                problem: "no `features` array".into(),
            })?;
        let mut areas = Vec::with_capacity(features.len());
        for (index, f) in features.iter().enumerate() {
            let bad = |problem: &str| TerritoryError::Feature {
                index,
                problem: problem.into(),
            };
            let props = &f["properties"];
            let code = props["code"].as_str().ok_or_else(|| bad("no `code`"))?;
            let code = CommuneCode::parse(code).map_err(|e| bad(&e.to_string()))?;
            let name = props["nom"]
                .as_str()
                .ok_or_else(|| bad("no `nom`"))?
                .to_owned();
            let kind = match props["type"].as_str() {
                Some("COM") | None => AreaKind::Commune,
                Some("ARM") => AreaKind::Arrondissement,
                Some(_) => return Err(bad("`type` must be COM or ARM")),
            };
            let parent = match props["parent"].as_str() {
                Some(p) => Some(CommuneCode::parse(p).map_err(|e| bad(&e.to_string()))?),
                None if kind == AreaKind::Arrondissement => {
                    return Err(bad("ARM without `parent`"))
                }
                None => None,
            };
            let shape = geometry::parse(&f["geometry"]).map_err(|p| bad(&p))?;
            areas.push(Area {
                code,
                name,
                kind,
                parent,
                shape,
            });
        }
        if !areas.iter().any(|a| a.kind == AreaKind::Commune) {
            return Err(TerritoryError::Empty);
        }
        let tree = RTree::bulk_load(
            areas
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let (min, max) = geometry::bbox(&a.shape);
                    GeomWithData::new(Rectangle::from_corners(min, max), i)
                })
                .collect(),
        );
        Ok(Self {
            areas,
            tree,
            geojson: Arc::from(text),
            near_border_m,
        })
    }

    /// The GeoJSON text, as served to the PWA.
    pub fn geojson(&self) -> Arc<str> {
        self.geojson.clone()
    }

    pub fn areas(&self) -> &[Area] {
        &self.areas
    }

    /// An area by code.
    pub fn area(&self, code: &CommuneCode) -> Option<&Area> {
        self.areas.iter().find(|a| &a.code == code)
    }

    /// Where `(lat, lon)` lies, with no declared commune.
    pub fn locate(&self, lat: f64, lon: f64) -> Placement {
        self.place(lat, lon, None)
    }

    /// Where `(lat, lon)` lies. Near a border, a `declared` commune (or
    /// arrondissement) within the threshold of the point breaks the tie.
    pub fn place(&self, lat: f64, lon: f64, declared: Option<&CommuneCode>) -> Placement {
        let point = Point::new(lon, lat);
        let d_lat = self.near_border_m / M_PER_DEG_LAT;
        let d_lon = d_lat / lat.to_radians().cos().abs().max(0.01);
        let envelope = AABB::from_corners([lon - d_lon, lat - d_lat], [lon + d_lon, lat + d_lat]);
        let mut commune = None;
        let mut arrondissement = None;
        // Areas whose outline passes within the threshold of the point.
        let mut near: Vec<&Area> = Vec::new();
        for hit in self.tree.locate_in_envelope_intersecting(&envelope) {
            let area = &self.areas[hit.data];
            let inside = area.shape.intersects(&point);
            if inside {
                match area.kind {
                    AreaKind::Commune => commune = Some(area),
                    AreaKind::Arrondissement => arrondissement = Some(area),
                }
            }
            if geometry::distance_to_boundary_m(&area.shape, lat, lon) < self.near_border_m {
                near.push(area);
            }
        }
        // An arrondissement implies its commune even where the coarse
        // outlines disagree.
        if let Some(arr) = arrondissement {
            if let Some(parent) = arr.parent.as_ref().and_then(|p| self.area(p)) {
                commune = Some(parent);
            }
        }
        let near_border = !near.is_empty();
        if near_border {
            if let Some(chosen) = declared.and_then(|d| near.iter().find(|a| &a.code == d)) {
                match chosen.kind {
                    AreaKind::Commune => {
                        if commune.map(|c| &c.code) != Some(&chosen.code) {
                            arrondissement = None;
                        }
                        commune = Some(chosen);
                    }
                    AreaKind::Arrondissement => {
                        arrondissement = Some(chosen);
                        commune = chosen.parent.as_ref().and_then(|p| self.area(p));
                    }
                }
            }
        }
        let named = |a: &Area| (a.code.clone(), a.name.clone());
        Placement {
            outside: commune.is_none(),
            commune: commune.map(named),
            arrondissement: arrondissement.map(named),
            near_border,
        }
    }

    /// The placement of a declared commune or arrondissement when there is
    /// no point (GPS off, commune picked from the list).
    pub fn place_in(&self, code: &CommuneCode) -> Option<Placement> {
        let area = self.area(code)?;
        let parent = area.parent.as_ref().and_then(|p| self.area(p));
        let named = |a: &Area| (a.code.clone(), a.name.clone());
        Some(Placement {
            commune: Some(named(parent.unwrap_or(area))),
            arrondissement: parent.map(|_| named(area)),
            near_border: false,
            outside: false,
        })
    }

    /// The naive lookup the R-tree replaces: every outline tested. Kept for
    /// the benchmark's ratio and as a test oracle.
    pub fn locate_by_scan(&self, lat: f64, lon: f64) -> Option<CommuneCode> {
        let point = Point::new(lon, lat);
        self.areas
            .iter()
            .filter(|a| a.kind == AreaKind::Commune)
            .find(|a| a.shape.intersects(&point))
            .map(|a| a.code.clone())
    }

    /// A point inside `area` and far from its border when the shape allows
    /// (used by tests and the demo): the polygon's interior point.
    pub fn interior_point(&self, code: &CommuneCode) -> Option<(f64, f64)> {
        use geo::InteriorPoint;
        let area = self.area(code)?;
        let biggest: &Polygon<f64> = area.shape.0.iter().max_by(|a, b| {
            use geo::Area as _;
            a.unsigned_area().total_cmp(&b.unsigned_area())
        })?;
        biggest.interior_point().map(|p| (p.y(), p.x()))
    }
}

#[cfg(test)]
mod tests;
