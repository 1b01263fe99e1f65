use super::*;

fn lyon() -> Territory {
    Territory::lyon(150.0)
}

fn code(s: &str) -> CommuneCode {
    CommuneCode::parse(s).unwrap()
}

#[test]
fn the_embedded_territory_has_58_communes_and_9_arrondissements() {
    let t = lyon();
    let communes = t
        .areas()
        .iter()
        .filter(|a| a.kind == AreaKind::Commune)
        .count();
    let arms = t
        .areas()
        .iter()
        .filter(|a| a.kind == AreaKind::Arrondissement)
        .count();
    assert_eq!((communes, arms), (58, 9));
}

#[test]
fn a_point_inside_each_commune_is_placed_in_that_commune() {
    let t = lyon();
    for area in t.areas().iter().filter(|a| a.kind == AreaKind::Commune) {
        let (lat, lon) = t.interior_point(&area.code).unwrap();
        let p = t.locate(lat, lon);
        assert_eq!(
            p.commune.as_ref().map(|c| &c.0),
            Some(&area.code),
            "{}",
            area.name
        );
        assert!(!p.outside, "{}", area.name);
        assert_eq!(
            t.locate_by_scan(lat, lon),
            Some(area.code.clone()),
            "oracle: {}",
            area.name
        );
    }
}

#[test]
fn a_point_inside_each_arrondissement_is_placed_in_lyon_and_that_arrondissement() {
    let t = lyon();
    for n in 1..=9 {
        let arr = code(&format!("6938{n}"));
        let (lat, lon) = t.interior_point(&arr).unwrap();
        let p = t.locate(lat, lon);
        assert_eq!(p.commune.unwrap().0, code("69123"), "arrondissement {n}");
        assert_eq!(p.arrondissement.unwrap().0, arr, "arrondissement {n}");
    }
}

#[test]
fn well_known_places_are_placed_and_not_near_a_border() {
    let t = lyon();
    // Place Bellecour, Lyon 2e.
    let p = t.locate(45.7578, 4.8320);
    assert_eq!(p.arrondissement.as_ref().unwrap().0, code("69382"));
    assert!(!p.near_border);
    // Hôtel de ville de Villeurbanne.
    let p = t.locate(45.7665, 4.8795);
    assert_eq!(
        p.commune.unwrap(),
        (code("69266"), "Villeurbanne".to_string())
    );
    assert_eq!(p.arrondissement, None);
}

#[test]
fn a_point_outside_every_outline_is_outside() {
    let t = lyon();
    for (lat, lon) in [(48.8566, 2.3522), (45.5, 4.85), (0.0, 0.0)] {
        let p = t.locate(lat, lon);
        assert!(p.outside);
        assert_eq!(p.commune, None);
        assert!(!p.near_border);
    }
}

/// A vertex that two communes share lies on their border.
fn shared_vertex(t: &Territory, a: &str, b: &str) -> (f64, f64) {
    let coords = |c: &str| -> Vec<(f64, f64)> {
        t.area(&code(c))
            .unwrap()
            .shape
            .0
            .iter()
            .flat_map(|p| {
                p.exterior()
                    .coords()
                    .map(|c| (c.y, c.x))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let theirs = coords(b);
    coords(a)
        .into_iter()
        .find(|v| theirs.contains(v))
        .expect("neighbours share a vertex")
}

#[test]
fn a_point_near_a_border_is_flagged_and_the_declared_commune_breaks_the_tie() {
    let t = lyon();
    // Villeurbanne and Vaulx-en-Velin are neighbours.
    let (lat, lon) = shared_vertex(&t, "69266", "69256");
    let (lat, lon) = (lat + 0.0002, lon + 0.0002); // ~25 m away
    let p = t.locate(lat, lon);
    assert!(p.near_border);
    assert!(!p.outside);
    for declared in ["69266", "69256"] {
        let p = t.place(lat, lon, Some(&code(declared)));
        assert_eq!(p.commune.unwrap().0, code(declared));
        assert!(p.near_border, "still flagged for the officer");
    }
    // A declared commune far from the point does not move it.
    let far = t.place(lat, lon, Some(&code("69003")));
    assert_eq!(far.commune, p.commune);
}

#[test]
fn a_declared_arrondissement_near_its_border_sets_both_levels() {
    let t = lyon();
    let (lat, lon) = shared_vertex(&t, "69381", "69384");
    for declared in ["69381", "69384"] {
        let p = t.place(lat, lon, Some(&code(declared)));
        assert_eq!(p.arrondissement.unwrap().0, code(declared));
        assert_eq!(p.commune.unwrap().0, code("69123"));
    }
}

#[test]
fn the_threshold_is_configurable() {
    let (lat, lon) = shared_vertex(&lyon(), "69266", "69256");
    let lat = lat + 0.002; // ~220 m north
    let wide = Territory::lyon(1000.0).locate(lat, lon);
    let narrow = Territory::lyon(10.0).locate(lat, lon);
    assert!(wide.near_border);
    assert!(!narrow.near_border);
}

#[test]
fn another_territory_file_loads_and_bad_ones_are_refused() {
    let one = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
        "properties":{"code":"38185","nom":"Grenoble","type":"COM"},
        "geometry":{"type":"Polygon","coordinates":[[[5.70,45.16],[5.76,45.16],[5.76,45.20],[5.70,45.20],[5.70,45.16]]]}}]}"#;
    let t = Territory::from_geojson(one, 150.0).unwrap();
    assert_eq!(t.locate(45.18, 5.73).commune.unwrap().1, "Grenoble");
    assert!(Territory::from_geojson("{}", 150.0).is_err());
    assert!(Territory::from_geojson(&one.replace("38185", "Grenoble"), 150.0).is_err());
    assert!(Territory::from_geojson(&one.replace("\"COM\"", "\"ARM\""), 150.0).is_err());
}
