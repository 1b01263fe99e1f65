//! The simulated phones' documents: every phone has its own Automerge
//! actor and writes contributions as the PWA does (the JSON shape of
//! docs/SYNC-PROTOCOL.md), placed at random points inside the Métropole.
//! Deterministic for a seed, so that the HTTP run and the in-process floor
//! push the same texts at the same places in the same batches (only the
//! user ids, made by the store, differ).

use anyhow::Context;
use automerge::ActorId;
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use porte_voix_server::document::{self, heads_hex};
use porte_voix_server::sync::DocumentIn;
use porte_voix_server::territory::{AreaKind, Territory};
use porte_voix_shared::DocType;
use serde_json::json;
use uuid::Uuid;

/// The campaign the contributions belong to (the store does not check it).
pub const CAMPAIGN: &str = "loadgen-2026";

/// splitmix64: deterministic and dependency-free; statistical quality is
/// irrelevant here.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn bytes16(&mut self) -> [u8; 16] {
        ((self.next() as u128) << 64 | self.next() as u128).to_be_bytes()
    }
}

/// The bounding box of the territory's communes: (min_lat, min_lon,
/// max_lat, max_lon).
pub fn bbox(t: &Territory) -> (f64, f64, f64, f64) {
    let mut b = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for area in t.areas().iter().filter(|a| a.kind == AreaKind::Commune) {
        for poly in &area.shape.0 {
            for c in poly.exterior().coords() {
                b = (b.0.min(c.y), b.1.min(c.x), b.2.max(c.y), b.3.max(c.x));
            }
        }
    }
    b
}

/// A uniformly random point in the bounding box.
pub fn point_in_bbox(rng: &mut Rng, b: (f64, f64, f64, f64)) -> (f64, f64) {
    (
        b.0 + rng.unit() * (b.2 - b.0),
        b.1 + rng.unit() * (b.3 - b.1),
    )
}

/// A random point inside some commune (rejection sampling in the bounding
/// box with the naive lookup, which needs no index to be right).
fn point_inside(rng: &mut Rng, t: &Territory, b: (f64, f64, f64, f64)) -> (f64, f64) {
    loop {
        let (lat, lon) = point_in_bbox(rng, b);
        if t.locate_by_scan(lat, lon).is_some() {
            return (lat, lon);
        }
    }
}

const SENTENCES: &[&str] = &[
    "Les poubelles débordent tous les week-ends près du marché.",
    "Les voitures roulent trop vite devant l'école et les enfants traversent.",
    "On attend un bus plus fréquent le soir, surtout après 21 heures.",
    "Impossible de trouver un médecin traitant dans le quartier.",
    "Il fait trop chaud l'été dans la cour, il n'y a aucune ombre.",
    "L'éclairage du passage piéton est en panne depuis un mois.",
    "Les charges ont beaucoup augmenté et le chauffage tombe en panne.",
    "Créer une piste cyclable protégée le long de l'avenue.",
    "Ouvrir la cour d'école le week-end pour les familles.",
    "On ne sait jamais ce que deviennent nos remarques.",
];

const THEMES: &[&str] = &[
    "cleanliness",
    "water",
    "mobility",
    "social",
    "housing",
    "urban_development",
    "economy",
    "education",
    "culture",
    "ecology",
    "health",
    "safety",
    "local_democracy",
];

/// One simulated phone: whose it is and what it will send, batch by batch.
pub struct PhoneWork {
    pub user_id: String,
    pub batches: Vec<Vec<DocumentIn>>,
}

impl PhoneWork {
    pub fn contributions(&self) -> usize {
        self.batches.iter().map(Vec::len).sum()
    }
}

/// Builds `per_phone` new contributions for each user, in batches of
/// `batch`, each phone writing with its own actor.
pub fn build(
    territory: &Territory,
    user_ids: &[String],
    per_phone: usize,
    batch: usize,
    seed: u64,
) -> anyhow::Result<Vec<PhoneWork>> {
    let b = bbox(territory);
    let mut rng = Rng::new(seed);
    let created_at = chrono::Utc::now().to_rfc3339();
    let mut phones = Vec::with_capacity(user_ids.len());
    for user_id in user_ids {
        let actor = ActorId::from(rng.bytes16().as_slice());
        let mut docs = Vec::with_capacity(per_phone);
        for _ in 0..per_phone {
            let id = uuid::Builder::from_random_bytes(rng.bytes16()).into_uuid();
            let (lat, lon) = point_inside(&mut rng, territory, b);
            let text = (0..1 + rng.below(3))
                .map(|_| *rng.pick(SENTENCES))
                .collect::<Vec<_>>()
                .join(" ");
            let mut themes = vec![*rng.pick(THEMES)];
            if rng.below(4) == 0 {
                let other = *rng.pick(THEMES);
                if other != themes[0] {
                    themes.push(other);
                }
            }
            let mut value = json!({
                "id": id.to_string(), "type": "contribution", "schema": 1,
                "campaign": CAMPAIGN, "created_at": created_at, "author": user_id,
                "kind": *rng.pick(&["concern", "expectation", "proposal"]),
                "themes": themes, "text": text,
                "location": {"lat": lat, "lon": lon, "accuracy_m": 5.0 + rng.below(40) as f64,
                             "source": "gps", "captured_at": created_at},
                "consent": {"contact": false}
            });
            if rng.below(3) == 0 {
                value["respondent"] = json!({
                    "age": *rng.pick(&["18_29", "30_44", "45_59", "60_74", "75_plus"]),
                    "relation": *rng.pick(&["resident", "worker", "association"]),
                });
            }
            docs.push(new_document(&actor, id, &value)?);
        }
        let mut batches = Vec::new();
        let mut docs = docs.into_iter().peekable();
        while docs.peek().is_some() {
            batches.push(docs.by_ref().take(batch.max(1)).collect());
        }
        phones.push(PhoneWork {
            user_id: user_id.clone(),
            batches,
        });
    }
    Ok(phones)
}

/// A request entry for a document the server has never acknowledged:
/// the whole document (`saveSince(doc, [])`) and its heads.
fn new_document(
    actor: &ActorId,
    id: Uuid,
    value: &serde_json::Value,
) -> anyhow::Result<DocumentIn> {
    let doc = document::from_json(actor, value).context("building a contribution document")?;
    Ok(DocumentIn {
        id,
        doc_type: DocType::Contribution,
        heads: heads_hex(&doc.get_heads()),
        changes: Some(B64.encode(doc.save())),
    })
}
