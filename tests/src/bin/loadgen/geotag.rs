//! The geotagging micro-benchmark: `Territory::locate` (R-tree over the
//! outlines' bounding boxes, point-in-polygon on the candidates, distance
//! to the borders within the near-border threshold) against
//! `Territory::locate_by_scan` (point-in-polygon on every commune outline,
//! stopping at the first hit), over the same random points.
//!
//! Two point sets: uniform in the Métropole's bounding box (about half of
//! them fall outside every commune, where the R-tree answers at once and
//! the scan tests every outline), and uniform inside the communes (where
//! contributions are; the scan stops at the first hit, on average half-way).

use crate::workload::{bbox, point_in_bbox, Rng};
use porte_voix_server::territory::Territory;
use std::hint::black_box;
use std::time::Instant;

/// One point set's figures.
#[derive(Debug, Clone)]
pub struct GeotagSet {
    pub name: &'static str,
    pub lookups: usize,
    pub outside_share: f64,
    /// Points inside a commune where both lookups name the same commune.
    pub agreement: f64,
    pub indexed_per_s: f64,
    pub scan_per_s: f64,
}

impl GeotagSet {
    pub fn ratio(&self) -> f64 {
        self.indexed_per_s / self.scan_per_s
    }
}

#[derive(Debug, Clone)]
pub struct GeotagResult {
    pub outlines: usize,
    pub sets: Vec<GeotagSet>,
}

impl GeotagResult {
    pub fn print(&self) {
        for s in &self.sets {
            println!(
                "geotag, {} points {} ({:.0} % outside every commune), {} outlines: indexed \
                 locate {:.0}/s, naive scan {:.0}/s, ratio {:.1}×; the two agree on {:.2} % of \
                 the points inside",
                s.lookups,
                s.name,
                s.outside_share * 100.0,
                self.outlines,
                s.indexed_per_s,
                s.scan_per_s,
                s.ratio(),
                s.agreement * 100.0
            );
        }
    }
}

pub fn run(lookups: usize, seed: u64) -> GeotagResult {
    // 150 m: the server's default near-border threshold.
    let t = Territory::lyon(150.0);
    let b = bbox(&t);
    let mut rng = Rng::new(seed);
    let n = lookups.max(1);
    let in_bbox: Vec<(f64, f64)> = (0..n).map(|_| point_in_bbox(&mut rng, b)).collect();
    let inside: Vec<(f64, f64)> = std::iter::repeat_with(|| point_in_bbox(&mut rng, b))
        .filter(|&(lat, lon)| t.locate_by_scan(lat, lon).is_some())
        .take(n)
        .collect();
    GeotagResult {
        outlines: t.areas().len(),
        sets: vec![
            measure(&t, "in the bounding box", &in_bbox),
            measure(&t, "inside the communes", &inside),
        ],
    }
}

fn measure(t: &Territory, name: &'static str, points: &[(f64, f64)]) -> GeotagSet {
    // Warm-up: page in the outlines, settle the frequency governor.
    for &(lat, lon) in points.iter().take(1000) {
        black_box(t.locate(lat, lon));
        black_box(t.locate_by_scan(lat, lon));
    }
    let t0 = Instant::now();
    let indexed: Vec<_> = points
        .iter()
        .map(|&(lat, lon)| black_box(t.locate(lat, lon)))
        .collect();
    let indexed_s = t0.elapsed().as_secs_f64();

    let t0 = Instant::now();
    let scanned: Vec<_> = points
        .iter()
        .map(|&(lat, lon)| black_box(t.locate_by_scan(lat, lon)))
        .collect();
    let scan_s = t0.elapsed().as_secs_f64();

    let inside = scanned.iter().filter(|s| s.is_some()).count();
    let agree = indexed
        .iter()
        .zip(&scanned)
        .filter(|(i, s)| s.is_some() && i.commune.as_ref().map(|c| &c.0) == s.as_ref())
        .count();
    GeotagSet {
        name,
        lookups: points.len(),
        outside_share: 1.0 - inside as f64 / points.len() as f64,
        agreement: agree as f64 / inside.max(1) as f64,
        indexed_per_s: points.len() as f64 / indexed_s,
        scan_per_s: points.len() as f64 / scan_s,
    }
}
