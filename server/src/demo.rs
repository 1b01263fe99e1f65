//! `porte-voix demo`: fills an empty store with demo accounts, a campaign,
//! a shared outing and about 200 contributions spread over the Métropole,
//! pushed through the same sync engine as a phone's (so they are validated
//! and geotagged like real ones). Deterministic: the same store every time.

use crate::auth::create_user;
use crate::document;
use crate::startup::AppState;
use crate::store::{Campaign, User};
use crate::sync::{DocStatus, DocumentIn, SyncRequest, PROTOCOL_VERSION};
use crate::territory::AreaKind;
use anyhow::{bail, Context};
use automerge::ActorId;
use base64::Engine;
use chrono::{Duration, NaiveDate, Utc};
use porte_voix_shared::schema::Review;
use porte_voix_shared::{CommuneCode, DocType, Principal, Role, Status, Theme};
use serde_json::json;
use uuid::Uuid;

/// The demo campaign's id.
pub const CAMPAIGN_ID: &str = "aller-vers-2026";

/// One demo account: e-mail, password, name, role, commune.
pub struct DemoAccount {
    pub email: &'static str,
    pub password: &'static str,
    pub name: &'static str,
    pub role: Role,
    pub commune: Option<&'static str>,
}

/// The printed accounts (plus six field volunteers of the same password).
pub const ACCOUNTS: &[DemoAccount] = &[
    DemoAccount {
        email: "benevole@demo.porte-voix.fr",
        password: "benevole-demo",
        name: "Camille Martin",
        role: Role::Volunteer,
        commune: None,
    },
    DemoAccount {
        email: "benevole2@demo.porte-voix.fr",
        password: "benevole-demo",
        name: "Yanis Benali",
        role: Role::Volunteer,
        commune: None,
    },
    DemoAccount {
        email: "charge@demo.porte-voix.fr",
        password: "charge-demo",
        name: "Nadia Roux",
        role: Role::Officer,
        commune: None,
    },
    DemoAccount {
        email: "villeurbanne@demo.porte-voix.fr",
        password: "commune-demo",
        name: "Mairie de Villeurbanne",
        role: Role::Commune,
        commune: Some("69266"),
    },
    DemoAccount {
        email: "lyon3@demo.porte-voix.fr",
        password: "commune-demo",
        name: "Mairie du 3e arrondissement",
        role: Role::Commune,
        commune: Some("69383"),
    },
    DemoAccount {
        email: "admin@demo.porte-voix.fr",
        password: "admin-demo",
        name: "Administration",
        role: Role::Admin,
        commune: None,
    },
];

const FIELD_TEAM: &[&str] = &[
    "Léa Garnier",
    "Karim Haddad",
    "Sophie Chevalier",
    "Thomas Nguyen",
    "Inès Moreau",
    "Paul Fabre",
];

/// splitmix64: a tiny deterministic generator (the demo must not change
/// between runs, and needs no cryptographic quality).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn uuid(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(
            ((self.next() as u128) << 64 | self.next() as u128).to_be_bytes(),
        )
        .into_uuid()
    }
}

const PLACES: &[&str] = &[
    "près du marché",
    "à l'arrêt de bus",
    "devant l'école",
    "dans notre rue",
    "au pied des immeubles",
    "vers la place",
    "le long de l'avenue",
    "autour de la gare",
    "près du centre social",
    "au parc",
];

/// (theme, concern, expectation, proposal) sentences; a place is appended.
const TEXTS: &[(Theme, &str, &str, &str)] = &[
    (
        Theme::Cleanliness,
        "Les poubelles débordent tous les week-ends",
        "On attend un ramassage plus fréquent des encombrants",
        "Installer des composteurs partagés",
    ),
    (
        Theme::Water,
        "Les avaloirs sont bouchés et la rue est inondée à chaque orage",
        "Nous voulons savoir si l'eau du robinet est contrôlée",
        "Remettre en service la fontaine à eau potable",
    ),
    (
        Theme::Mobility,
        "Les voitures roulent trop vite et les enfants traversent",
        "On attend un bus plus fréquent le soir",
        "Créer une piste cyclable protégée",
    ),
    (
        Theme::Social,
        "Des personnes âgées restent seules sans visite",
        "Plus d'accompagnement pour les démarches en ligne",
        "Ouvrir une permanence d'écrivain public",
    ),
    (
        Theme::Housing,
        "Les charges ont beaucoup augmenté et le chauffage tombe en panne",
        "Des logements adaptés aux personnes handicapées",
        "Rénover l'isolation des immeubles anciens",
    ),
    (
        Theme::UrbanDevelopment,
        "Le chantier dure depuis deux ans sans information",
        "Être consultés avant les nouveaux projets",
        "Garder un espace vert dans le futur aménagement",
    ),
    (
        Theme::Economy,
        "Les commerces de proximité ferment les uns après les autres",
        "Des emplois pour les jeunes du quartier",
        "Un marché de producteurs le samedi matin",
    ),
    (
        Theme::Education,
        "La cantine est saturée et les enfants mangent vite",
        "Plus d'activités périscolaires gratuites",
        "Ouvrir la cour d'école le week-end",
    ),
    (
        Theme::Culture,
        "Il n'y a plus rien pour les adolescents le soir",
        "Des spectacles accessibles aux familles",
        "Une bibliothèque mobile dans le quartier",
    ),
    (
        Theme::Ecology,
        "Il fait trop chaud l'été, il n'y a aucune ombre",
        "Plus d'arbres dans les rues",
        "Végétaliser la cour et les trottoirs",
    ),
    (
        Theme::Health,
        "Impossible de trouver un médecin traitant",
        "Une maison de santé plus proche",
        "Un bus santé qui passe une fois par mois",
    ),
    (
        Theme::Safety,
        "L'éclairage est en panne et on ne se sent pas en sécurité",
        "Plus de présence de médiateurs le soir",
        "Réparer l'éclairage du passage piéton",
    ),
    (
        Theme::LocalDemocracy,
        "On ne sait jamais ce que deviennent nos remarques",
        "Être informés des réunions publiques",
        "Un conseil de quartier ouvert aux jeunes",
    ),
];

/// Fills an empty store. Returns false (and changes nothing) when the
/// store already has users.
pub fn fill(state: &AppState) -> anyhow::Result<bool> {
    if !state.store.list_users()?.is_empty() {
        return Ok(false);
    }
    let mut rng = Rng(0x5EED_2026);
    let mut users: Vec<User> = Vec::new();
    for a in ACCOUNTS {
        let commune = a
            .commune
            .map(CommuneCode::parse)
            .transpose()
            .context("demo commune code")?;
        users.push(create_user(
            state.store.as_ref(),
            a.email,
            a.name,
            a.role,
            commune,
            a.password,
        )?);
    }
    for (i, name) in FIELD_TEAM.iter().enumerate() {
        let email = format!("equipe{}@demo.porte-voix.fr", i + 1);
        users.push(create_user(
            state.store.as_ref(),
            &email,
            name,
            Role::Volunteer,
            None,
            "benevole-demo",
        )?);
    }
    let volunteers: Vec<&User> = users.iter().filter(|u| u.role == Role::Volunteer).collect();
    let officer = users
        .iter()
        .find(|u| u.role == Role::Officer)
        .context("demo officer")?;
    let start = NaiveDate::from_ymd_opt(2026, 9, 1).context("date")?;
    state.store.put_campaign(&Campaign {
        id: CAMPAIGN_ID.into(),
        name: "Aller vers 2026 : vos préoccupations, vos idées".into(),
        starts_on: start,
        ends_on: NaiveDate::from_ymd_opt(2026, 12, 31).context("date")?,
        communes: vec![],
        themes: Theme::ALL.iter().map(|t| t.code().to_owned()).collect(),
    })?;

    // The outing shared by the two printed volunteers, today.
    let outing_id = rng.uuid();
    let (camille, yanis) = (volunteers[0], volunteers[1]);
    let outing = json!({
        "id": outing_id.to_string(), "type": "outing", "schema": 1, "campaign": CAMPAIGN_ID,
        "date": Utc::now().date_naive().to_string(), "place": "Marché Grandclément, Villeurbanne",
        "team": [camille.id, yanis.id], "doors": {}
    });
    push(state, camille, outing_id, DocType::Outing, &outing)?;

    // Contributions: communes weighted by population, a few on borders.
    let territory = state.territory.clone();
    let communes: Vec<_> = territory
        .areas()
        .iter()
        .filter(|a| a.kind == AreaKind::Commune)
        .collect();
    let weights: Vec<f64> = communes
        .iter()
        .map(|a| match a.code.as_str() {
            "69123" => 30.0,
            "69266" => 8.0,
            _ => 1.0,
        })
        .collect();
    let total_weight: f64 = weights.iter().sum();
    let mut created = Vec::new();
    let now = Utc::now();
    for i in 0..200 {
        let author = if i % 25 == 0 {
            volunteers[i / 25 % 2]
        } else {
            *rng.pick(&volunteers[2..])
        };
        let mut roll = rng.unit() * total_weight;
        let area = communes
            .iter()
            .zip(&weights)
            .find(|(_, w)| {
                roll -= **w;
                roll <= 0.0
            })
            .map(|(a, _)| *a)
            .unwrap_or(communes[0]);
        let (lat, lon) = point_in(&territory, area, &mut rng, i % 20 == 7);
        let (theme, concern, expectation, proposal) = rng.pick(TEXTS);
        let kind = ["concern", "expectation", "proposal"][rng.below(3)];
        let sentence = match kind {
            "concern" => concern,
            "expectation" => expectation,
            _ => proposal,
        };
        let mut themes = vec![theme.code()];
        if rng.below(4) == 0 {
            let other = rng.pick(Theme::ALL).code();
            if other != theme.code() {
                themes.push(other);
            }
        }
        let created_at = now - Duration::minutes((200 - i as i64) * 317 + rng.below(200) as i64);
        let id = rng.uuid();
        let mut doc = json!({
            "id": id.to_string(), "type": "contribution", "schema": 1, "campaign": CAMPAIGN_ID,
            "created_at": created_at.to_rfc3339(), "author": author.id, "kind": kind, "themes": themes,
            "text": format!("{sentence} {}.", rng.pick(PLACES)),
            "location": {"lat": lat, "lon": lon, "accuracy_m": 5.0 + rng.below(40) as f64, "source": "gps", "captured_at": created_at.to_rfc3339()},
            "consent": {"contact": false}
        });
        if rng.below(3) == 0 {
            doc["respondent"] = json!({
                "age": rng.pick(&["18_29", "30_44", "45_59", "60_74", "75_plus"]),
                "relation": rng.pick(&["resident", "resident", "worker", "association"]),
            });
        }
        push(state, author, id, DocType::Contribution, &doc)?;
        created.push(id);
    }

    // The officer has qualified part of them, and forwarded a few.
    let actor = state.engine.user_actor(&officer.id)?;
    for (i, id) in created.iter().enumerate().filter(|(i, _)| i % 3 == 0) {
        let status = [
            Status::Qualified,
            Status::Forwarded,
            Status::Answered,
            Status::Closed,
        ][i / 3 % 4];
        let mut doc = state.engine.load(*id)?.context("demo document")?;
        document::write_review(
            &mut doc,
            &actor,
            &Review {
                status,
                themes: vec![],
                tags: vec![],
                merged_into: None,
                notes: String::new(),
            },
        )?;
        state
            .engine
            .store_server_write(*id, &doc, (&actor, &officer.id))?;
    }
    Ok(true)
}

/// A point inside `area` (rejection sampling in its bounding box), or on
/// one of its borders when `on_border`.
fn point_in(
    t: &crate::territory::Territory,
    area: &crate::territory::Area,
    rng: &mut Rng,
    on_border: bool,
) -> (f64, f64) {
    let coords: Vec<_> = area
        .shape
        .0
        .iter()
        .flat_map(|p| p.exterior().coords().copied())
        .collect();
    if on_border {
        let c = rng.pick(&coords);
        return (
            c.y + (rng.unit() - 0.5) * 0.0008,
            c.x + (rng.unit() - 0.5) * 0.0008,
        );
    }
    let (min_x, max_x) = coords
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), c| (a.min(c.x), b.max(c.x)));
    let (min_y, max_y) = coords
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), c| (a.min(c.y), b.max(c.y)));
    for _ in 0..200 {
        let (lat, lon) = (
            min_y + rng.unit() * (max_y - min_y),
            min_x + rng.unit() * (max_x - min_x),
        );
        if t.locate_by_scan(lat, lon).as_ref() == Some(&area.code) {
            return (lat, lon);
        }
    }
    t.interior_point(&area.code).unwrap_or((45.76, 4.84))
}

/// Pushes one document through the sync engine as `user`'s phone would.
fn push(
    state: &AppState,
    user: &User,
    id: Uuid,
    doc_type: DocType,
    value: &serde_json::Value,
) -> anyhow::Result<()> {
    let actor = {
        use sha2::{Digest, Sha256};
        ActorId::from(
            &Sha256::digest(format!("porte-voix/demo-phone/{}", user.id).as_bytes())[..16],
        )
    };
    let doc = document::from_json(&actor, value)?;
    let principal = Principal {
        user_id: user.id.clone(),
        role: user.role,
        commune: user.commune.clone(),
    };
    let reply = state.engine.sync(
        &principal,
        &SyncRequest {
            protocol: PROTOCOL_VERSION,
            cursor: None,
            documents: vec![DocumentIn {
                id,
                doc_type,
                heads: vec![],
                changes: Some(base64::engine::general_purpose::STANDARD.encode(doc.save())),
            }],
            contacts: vec![],
        },
    )?;
    let out = &reply.documents[0];
    if out.status != DocStatus::Ok {
        bail!("demo document refused: {:?} {:?}", out.status, out.reason);
    }
    Ok(())
}

/// The accounts as printed by `porte-voix demo`.
pub fn accounts_table() -> String {
    let mut s = String::from("Comptes de démonstration :\n");
    for a in ACCOUNTS {
        let role = match a.commune {
            Some(c) => format!("{} {c}", a.role),
            None => a.role.to_string(),
        };
        s.push_str(&format!(
            "  {:<34} {:<16} {:<18} {}\n",
            a.email, a.password, role, a.name
        ));
    }
    s.push_str("  equipe1..6@demo.porte-voix.fr      benevole-demo    volunteer          (équipe de terrain)\n");
    s
}
