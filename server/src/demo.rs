//! `porte-voix demo [--contributions N]`: fills an empty store with demo
//! accounts, a campaign, outings of the field team and N realistic
//! contributions (default 200) spread over the 58 communes of the
//! Métropole by population, pushed through the same sync engine as a
//! phone's — validated, geotagged, stored with their rows, in the change
//! feed and so in the search index like real ones. The officer's reviews
//! (qualified, forwarded with a recipient, answered, closed, duplicates,
//! off topic) go through the same sync path, signed with the officer's
//! server-side actor. Deterministic: the same store every time (dates are
//! relative to now). Writes are batched: one sync request (one flush) per
//! author per `BATCH` contributions, not one per document.

pub mod texts;

use crate::auth::create_user;
use crate::document;
use crate::startup::AppState;
use crate::store::{Campaign, User};
use crate::sync::{DocStatus, DocumentIn, SyncRequest, MAX_DOCUMENTS, PROTOCOL_VERSION};
use crate::territory::{AreaKind, Territory};
use anyhow::{bail, Context};
use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ObjType, ROOT};
use base64::Engine;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use porte_voix_shared::schema::Review;
use porte_voix_shared::{CommuneCode, DocType, Principal, Role, Status, Theme};
use serde_json::json;
use std::collections::BTreeMap;
use texts::{Phrase, KINDS, SUBJECTS};
use uuid::Uuid;

/// Contributions made by `porte-voix demo` without `--contributions`.
pub const DEFAULT_CONTRIBUTIONS: usize = 200;
/// Contributions generated, then synced, per round.
const BATCH: usize = 2_000;
/// The span of the demo's dates, in days before now.
const DAYS: i64 = 120;

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
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    pub fn uuid(&mut self) -> Uuid {
        uuid::Builder::from_random_bytes(
            ((self.next_u64() as u128) << 64 | self.next_u64() as u128).to_be_bytes(),
        )
        .into_uuid()
    }
}

/// Where residents are: the finest outline (a Lyon arrondissement, or a
/// commune other than Lyon) with its population, from the territory's
/// GeoJSON `population` property (1 when absent).
pub struct Places {
    areas: Vec<(CommuneCode, AreaKind, f64)>,
    total: f64,
}

impl Places {
    pub fn new(territory: &Territory) -> Self {
        let mut population = BTreeMap::new();
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(&territory.geojson()) {
            for f in v["features"].as_array().into_iter().flatten() {
                let p = &f["properties"];
                if let (Some(code), Some(n)) = (p["code"].as_str(), p["population"].as_f64()) {
                    population.insert(code.to_owned(), n);
                }
            }
        }
        let parents: Vec<&CommuneCode> = territory
            .areas()
            .iter()
            .filter_map(|a| a.parent.as_ref())
            .collect();
        let areas: Vec<_> = territory
            .areas()
            .iter()
            // A commune with arrondissements is drawn through them.
            .filter(|a| !(a.kind == AreaKind::Commune && parents.contains(&&a.code)))
            .map(|a| {
                let n = population.get(a.code.as_str()).copied().unwrap_or(1.0);
                (a.code.clone(), a.kind, n.max(1.0))
            })
            .collect();
        let total = areas.iter().map(|a| a.2).sum();
        Places { areas, total }
    }

    /// An area drawn by population.
    pub fn draw(&self, rng: &mut Rng) -> &CommuneCode {
        let mut roll = rng.unit() * self.total;
        for (code, _, w) in &self.areas {
            roll -= w;
            if roll <= 0.0 {
                return code;
            }
        }
        &self.areas[0].0
    }

    /// A point the territory places in `code` (rejection sampling in its
    /// outline's bounding box), or one on its border when `on_border`.
    pub fn point_in(
        &self,
        t: &Territory,
        code: &CommuneCode,
        rng: &mut Rng,
        on_border: bool,
    ) -> (f64, f64) {
        let Some(area) = t.area(code) else {
            return (45.76, 4.84);
        };
        let coords: Vec<_> = area
            .shape
            .0
            .iter()
            .flat_map(|p| p.exterior().coords().copied())
            .collect();
        if on_border && !coords.is_empty() {
            // Near a vertex of the outline, but inside the Métropole.
            for _ in 0..50 {
                let c = rng.pick(&coords);
                let (lat, lon) = (
                    c.y + (rng.unit() - 0.5) * 0.0008,
                    c.x + (rng.unit() - 0.5) * 0.0008,
                );
                if t.locate(lat, lon).commune.is_some() {
                    return (lat, lon);
                }
            }
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
            let placed = t.locate(lat, lon);
            let finest = placed.arrondissement.or(placed.commune).map(|(c, _)| c);
            if finest.as_ref() == Some(code) && !placed.near_border {
                return (lat, lon);
            }
        }
        t.interior_point(code).unwrap_or((45.76, 4.84))
    }
}

/// Who the officer forwards to (the directory of recipients comes with
/// `fill_consolidation`).
const RECIPIENTS: &[&str] = &[
    "Vice-présidence Propreté de la Métropole",
    "Direction de la voirie",
    "Vice-présidence Mobilités",
    "Mairie de la commune",
    "Bailleur social Grand Lyon Habitat",
    "Direction de l'éducation",
];

const ANSWERS: &[&str] = &[
    "Une intervention est programmée dans les prochaines semaines.",
    "La demande est intégrée au programme de travaux de l'an prochain.",
    "Le service a pris contact avec le bailleur, un point sera fait en réunion publique.",
    "Une étude est lancée ; les habitants seront consultés.",
];

/// One generated contribution, before it is synced.
struct Made {
    id: Uuid,
    author: usize,
    subject: usize,
    /// The phone's document and its bytes.
    doc: Automerge,
    /// The officer's review, if any: status, follow-up, duplicate target.
    review: Option<(Status, Option<FollowUpMade>, Option<Uuid>)>,
}

struct FollowUpMade {
    to: &'static str,
    sent_at: DateTime<Utc>,
    answer: Option<(&'static str, DateTime<Utc>)>,
}

/// An outing of the demo: its id, team (indexes in `volunteers`), day, area.
struct OutingMade {
    id: Uuid,
    team: Vec<usize>,
    day: DateTime<Utc>,
    area: CommuneCode,
}

/// Fills an empty store with the default number of contributions. Returns
/// false (and changes nothing) when the store already has users.
pub fn fill(state: &AppState) -> anyhow::Result<bool> {
    fill_with(state, DEFAULT_CONTRIBUTIONS, false)
}

/// Fills an empty store with `n` contributions; `progress` prints a line on
/// standard error every 10 %.
pub fn fill_with(state: &AppState, n: usize, progress: bool) -> anyhow::Result<bool> {
    if !state.store.list_users()?.is_empty() {
        return Ok(false);
    }
    let started = std::time::Instant::now();
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
    let now = Utc::now();
    let territory = state.territory.clone();
    let places = Places::new(&territory);

    // Outings: today's, shared by the two printed volunteers (their phones
    // receive exactly this one), then one every two days for the field
    // team (equipe1..6, two or three per outing).
    let villeurbanne = CommuneCode::parse("69266").context("code")?;
    let mut outings = vec![OutingMade {
        id: rng.uuid(),
        team: vec![0, 1],
        day: now,
        area: villeurbanne,
    }];
    for k in 1..=DAYS / 2 {
        let size = 2 + rng.below(2);
        let mut team: Vec<usize> = Vec::new();
        while team.len() < size {
            let v = 2 + rng.below(volunteers.len() - 2);
            if !team.contains(&v) {
                team.push(v);
            }
        }
        outings.push(OutingMade {
            id: rng.uuid(),
            team,
            day: now - Duration::days(k * 2),
            area: places.draw(&mut rng).clone(),
        });
    }
    for o in &outings {
        let area = territory
            .area(&o.area)
            .map(|a| a.name.clone())
            .unwrap_or_default();
        let place = format!("{}, {area}", rng.pick(texts::PLACES));
        let team: Vec<&str> = o.team.iter().map(|v| volunteers[*v].id.as_str()).collect();
        let value = json!({
            "id": o.id.to_string(), "type": "outing", "schema": 1, "campaign": CAMPAIGN_ID,
            "date": o.day.date_naive().to_string(), "place": place,
            "team": team, "doors": {}
        });
        let creator = volunteers[o.team[0]];
        let doc = document::from_json(&phone_actor(creator), &value)?;
        push_batch(state, creator, DocType::Outing, vec![(o.id, doc)])?;
    }

    let officer_actor = state.engine.user_actor(&officer.id)?;
    let mut by_subject: BTreeMap<usize, Vec<Uuid>> = BTreeMap::new();
    let mut last_by_subject: BTreeMap<(usize, CommuneCode), Uuid> = BTreeMap::new();
    let mut done = 0;
    let mut next_report = n.div_ceil(10).max(1);
    while done < n {
        let round = BATCH.min(n - done);
        let mut made = Vec::with_capacity(round);
        for i in done..done + round {
            made.push(make_one(
                &mut rng,
                i,
                now,
                &territory,
                &places,
                &outings,
                &volunteers,
                &mut last_by_subject,
            )?);
        }
        // The phones' syncs: one request per author (at most MAX_DOCUMENTS).
        for (a, author) in volunteers.iter().enumerate() {
            let docs: Vec<(Uuid, Automerge)> = made
                .iter()
                .filter(|m| m.author == a)
                .map(|m| (m.id, m.doc.clone()))
                .collect();
            for chunk in docs.chunks(MAX_DOCUMENTS) {
                push_batch(state, author, DocType::Contribution, chunk.to_vec())?;
            }
        }
        // The officer's reviews, as changes on top of the phones' documents.
        let mut reviewed = Vec::new();
        for m in made.iter_mut() {
            let Some((status, follow_up, merged_into)) = m.review.take() else {
                continue;
            };
            if matches!(
                status,
                Status::Qualified | Status::Forwarded | Status::Answered
            ) {
                by_subject.entry(m.subject).or_default().push(m.id);
            }
            let heads = m.doc.get_heads();
            let notes = match status {
                Status::OffTopic => {
                    "Hors du champ du conseil de développement : demande individuelle."
                }
                _ => "",
            };
            document::write_review(
                &mut m.doc,
                &officer_actor,
                &Review {
                    status,
                    themes: vec![],
                    tags: vec![],
                    merged_into,
                    notes: notes.into(),
                },
            )?;
            if let Some(f) = follow_up {
                write_follow_up(&mut m.doc, &officer_actor, &f)?;
            }
            reviewed.push((m.id, m.doc.save_after(&heads), m.doc.get_heads()));
        }
        for chunk in reviewed.chunks(MAX_DOCUMENTS) {
            push_changes(state, officer, chunk)?;
        }
        done += round;
        if progress && (done >= next_report || done == n) {
            eprintln!(
                "demo : {done} / {n} contributions ({} %, {:.1} s)",
                done * 100 / n.max(1),
                started.elapsed().as_secs_f64()
            );
            while next_report <= done {
                next_report += n.div_ceil(10).max(1);
            }
        }
    }
    fill_consolidation(state, officer, &by_subject)?;
    Ok(true)
}

/// Contributions per topic the demo makes.
const TOPIC_MEMBERS: usize = 40;
/// Topics the demo makes (the subjects with the most reviewed contributions).
const TOPICS: usize = 6;

/// The consolidation made from the demo contributions: topics for the
/// subjects with the most reviewed contributions (each with up to 40 of
/// them attached, through `topics::attach` like the console's attach).
/// Recipients, forwards (one answered, one overdue) and an open assembly
/// are still to come here, from their modules.
pub fn fill_consolidation(
    state: &AppState,
    officer: &User,
    by_subject: &BTreeMap<usize, Vec<Uuid>>,
) -> anyhow::Result<()> {
    use crate::consolidation::model::{put_topic, records_lock, Topic};
    let mut topics = Vec::new();
    let mut subjects: Vec<(&usize, &Vec<Uuid>)> = by_subject.iter().collect();
    subjects.sort_by_key(|(s, ids)| (std::cmp::Reverse(ids.len()), **s));
    for (subject, ids) in subjects.into_iter().take(TOPICS) {
        if ids.is_empty() {
            continue;
        }
        let s = &SUBJECTS[*subject];
        let now = Utc::now();
        let mut topic = Topic {
            id: Uuid::new_v4(),
            title: s.title.into(),
            summary: format!(
                "Préoccupation partagée relevée lors des sorties « aller vers » : {}.",
                texts::lower_first(s.concern[0])
            ),
            themes: vec![s.theme.code().to_owned()],
            status: porte_voix_shared::TopicStatus::Open,
            assignee: Some(officer.id.clone()),
            quotes: vec![],
            history: vec![],
            created_at: now,
            created_by: officer.id.clone(),
            updated_at: now,
        };
        topic.record(&officer.id, "created", json!({}));
        {
            let _guard = records_lock();
            state.store.commit(crate::store::ConsolidationWrite {
                records: vec![put_topic(&topic)],
                rows: vec![],
            })?;
            state.store.flush()?;
        }
        let members: Vec<Uuid> = ids.iter().take(TOPIC_MEMBERS).copied().collect();
        crate::consolidation::topics::attach(state, &officer.id, topic.id, &members, false)
            .map_err(|e| anyhow::anyhow!("demo topic: {e}"))?;
        topics.push(topic.id);
    }
    fill_forwards(state, officer, &topics)
}

/// The directory, two forwards of the demo's first topics (one answered by
/// its link, one overdue) and an open assembly on the first three — all
/// through the same functions as the API.
fn fill_forwards(state: &AppState, officer: &User, topics: &[Uuid]) -> anyhow::Result<()> {
    use crate::consolidation::assemblies::{self, AgendaItem, Assembly};
    use crate::consolidation::forwards::{self, NewAnswer, NewForward};
    use crate::consolidation::model::records_lock;
    use crate::consolidation::recipients::{put_recipient, Recipient, RecipientKind};
    let now = Utc::now();
    let directory = [
        (
            RecipientKind::ElectedOfficial,
            "Mme Claire Fontaine",
            "Vice-présidente chargée de la propreté et de la voirie",
            Some("claire.fontaine@demo.porte-voix.fr"),
            None,
        ),
        (
            RecipientKind::ElectedOfficial,
            "M. Karim Benali",
            "Vice-président chargé des mobilités",
            Some("karim.benali@demo.porte-voix.fr"),
            None,
        ),
        (
            RecipientKind::Service,
            "Direction de la voirie",
            "Service de la Métropole",
            None,
            None,
        ),
        (
            RecipientKind::Commune,
            "Mairie de Villeurbanne",
            "Cabinet du maire",
            None,
            Some("69266"),
        ),
    ];
    let mut recipients = Vec::new();
    for (kind, name, function, email, commune) in directory {
        recipients.push(Recipient {
            id: Uuid::new_v4(),
            kind,
            name: name.into(),
            function: function.into(),
            email: email.map(String::from),
            commune: commune.map(CommuneCode::parse).transpose()?,
            active: true,
            created_at: now,
            updated_at: now,
        });
    }
    {
        let _guard = records_lock();
        state.store.commit(crate::store::ConsolidationWrite {
            records: recipients.iter().map(put_recipient).collect(),
            rows: vec![],
        })?;
        state.store.flush()?;
    }
    let p = Principal {
        user_id: officer.id.clone(),
        role: Role::Officer,
        commune: None,
    };
    let today = now.date_naive();
    let forward = |topic: Uuid, to: usize, message: &str| {
        forwards::forward_topic(
            state,
            &p,
            topic,
            NewForward {
                recipient: recipients[to].id,
                message: message.into(),
                due_on: today + Duration::days(21),
                link_days: None,
            },
        )
        .map_err(|e| anyhow::anyhow!("demo forward: {e}"))
    };
    if let Some(&first) = topics.first() {
        let (_, token) = forward(
            first,
            0,
            "Bonjour, voici une préoccupation partagée par de nombreux habitants rencontrés \
             lors de nos sorties. Pouvez-vous nous dire ce qui est prévu ?",
        )?;
        forwards::answer_with_token(
            state,
            Some(&token),
            NewAnswer {
                text: "Merci pour ce relevé. Un passage supplémentaire des équipes de \
                       nettoiement est programmé chaque semaine à partir de janvier, et \
                       les corbeilles des secteurs cités seront remplacées au printemps."
                    .into(),
                author_name: "Claire Fontaine".into(),
                author_role: Some("Vice-présidente".into()),
            },
        )
        .map_err(|e| anyhow::anyhow!("demo answer: {e}"))?;
    }
    if let Some(&second) = topics.get(1) {
        let (mut f, _) = forward(
            second,
            2,
            "Bonjour, plusieurs habitants nous ont fait part de ce sujet. Merci de nous \
             indiquer les suites envisagées.",
        )?;
        // Sent six weeks ago, due two weeks ago: the waiting list's overdue
        // line.
        f.sent_at = now - Duration::days(42);
        f.due_on = today - Duration::days(14);
        forwards::store_forward(state.store.as_ref(), &f)?;
    }
    if !topics.is_empty() {
        let assembly = Assembly {
            id: Uuid::new_v4(),
            title: "Assemblée ouverte du conseil de développement".into(),
            date: today + Duration::days(17),
            place: "Hôtel de la Métropole, 20 rue du Lac, Lyon 3e".into(),
            commune: None,
            agenda: topics
                .iter()
                .take(3)
                .map(|&topic| AgendaItem {
                    topic,
                    title: None,
                    minutes: None,
                })
                .collect(),
            created_at: now,
            created_by: officer.id.clone(),
            updated_at: now,
        };
        let _guard = records_lock();
        state.store.commit(crate::store::ConsolidationWrite {
            records: vec![assemblies::put(&assembly)],
            rows: vec![],
        })?;
        state.store.flush()?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn make_one(
    rng: &mut Rng,
    i: usize,
    now: DateTime<Utc>,
    territory: &Territory,
    places: &Places,
    outings: &[OutingMade],
    volunteers: &[&User],
    last_by_subject: &mut BTreeMap<(usize, CommuneCode), Uuid>,
) -> anyhow::Result<Made> {
    // The two printed volunteers made the first eight, in today's outing;
    // afterwards, six in ten are made in an outing, the rest by a field
    // volunteer on their own.
    let (author, outing, area, created_at) = if i < 8 {
        let o = &outings[0];
        let at = now - Duration::minutes(10 + 15 * i as i64 + rng.below(10) as i64);
        (i % 2, Some(o.id), o.area.clone(), at)
    } else if rng.below(10) < 6 {
        let o = &outings[1 + rng.below(outings.len() - 1)];
        let at = o.day - Duration::hours(2) + Duration::minutes(rng.below(300) as i64);
        (*rng.pick(&o.team), Some(o.id), o.area.clone(), at.min(now))
    } else {
        let at = now - Duration::minutes(30 + rng.below((DAYS * 24 * 60) as usize) as i64);
        (
            2 + rng.below(volunteers.len() - 2),
            None,
            places.draw(rng).clone(),
            at,
        )
    };
    let (lat, lon) = places.point_in(territory, &area, rng, i % 20 == 7);
    let subject = rng.below(SUBJECTS.len());
    let kind = KINDS[rng.below(3)];
    let phrase = Phrase::random(subject, kind, &mut |n| rng.below(n));
    let s = &SUBJECTS[subject];
    let mut themes = vec![s.theme.code()];
    if let Some(also) = s.also {
        if rng.below(3) == 0 {
            themes.push(also.code());
        }
    }
    let id = rng.uuid();
    let mut value = json!({
        "id": id.to_string(), "type": "contribution", "schema": 1, "campaign": CAMPAIGN_ID,
        "created_at": created_at.to_rfc3339(), "author": volunteers[author].id, "kind": kind,
        "themes": themes, "text": phrase.text(),
        "location": {"lat": lat, "lon": lon, "accuracy_m": 5.0 + rng.below(40) as f64,
                     "source": "gps", "captured_at": created_at.to_rfc3339()},
        "consent": {"contact": false}
    });
    if let Some(o) = outing {
        value["outing"] = json!(o.to_string());
    }
    if rng.below(3) != 0 {
        value["respondent"] = json!({
            "age": rng.pick(&["18_29", "30_44", "30_44", "45_59", "45_59", "60_74", "75_plus"]),
            "gender": rng.pick(&["woman", "woman", "man", "man", "other", "undisclosed"]),
            "relation": rng.pick(&["resident", "resident", "resident", "worker", "association", "business"]),
            "district": rng.pick(&["priority", "urban", "urban", "suburban", "rural"]),
        });
    }
    let doc = document::from_json(&phone_actor(volunteers[author]), &value)?;
    let review = review_for(rng, now, created_at, (subject, &area), id, last_by_subject);
    Ok(Made {
        id,
        author,
        subject,
        doc,
        review,
    })
}

/// The officer's review of a contribution made at `created_at`: none in the
/// last three days; older ones are mostly new or qualified, some forwarded
/// (with a recipient), answered, closed, a few duplicates (of an earlier one
/// on the same subject in the same place) or off topic — each as the
/// workflow requires.
fn review_for(
    rng: &mut Rng,
    now: DateTime<Utc>,
    created_at: DateTime<Utc>,
    (subject, area): (usize, &CommuneCode),
    id: Uuid,
    last_by_subject: &mut BTreeMap<(usize, CommuneCode), Uuid>,
) -> Option<(Status, Option<FollowUpMade>, Option<Uuid>)> {
    let key = (subject, area.clone());
    let earlier = last_by_subject.insert(key, id);
    if now - created_at < Duration::days(3) {
        return None;
    }
    let roll = rng.below(100);
    let forward = |rng: &mut Rng, answered: bool| {
        let sent_at = (created_at + Duration::days(3 + rng.below(15) as i64)).min(now);
        let answer = answered.then(|| {
            let at = (sent_at + Duration::days(2 + rng.below(20) as i64)).min(now);
            (*rng.pick(ANSWERS), at)
        });
        FollowUpMade {
            to: RECIPIENTS[rng.below(RECIPIENTS.len())],
            sent_at,
            answer,
        }
    };
    Some(match roll {
        0..=44 => return None,
        45..=69 => (Status::Qualified, None, None),
        70..=79 => (Status::Forwarded, Some(forward(rng, false)), None),
        80..=87 => (Status::Answered, Some(forward(rng, true)), None),
        88..=92 => (Status::Closed, Some(forward(rng, true)), None),
        93..=96 => match earlier {
            Some(e) => (Status::Duplicate, None, Some(e)),
            None => (Status::Qualified, None, None),
        },
        _ => (Status::OffTopic, None, None),
    })
}

/// Writes one `follow_up` entry as `actor`.
fn write_follow_up(doc: &mut Automerge, actor: &ActorId, f: &FollowUpMade) -> anyhow::Result<()> {
    doc.set_actor(actor.clone());
    let mut tx = doc.transaction();
    let list = tx.put_object(ROOT, "follow_up", ObjType::List)?;
    let item = tx.insert_object(&list, 0, ObjType::Map)?;
    tx.put(&item, "to", f.to)?;
    tx.put(&item, "sent_at", f.sent_at.to_rfc3339())?;
    match f.answer {
        Some((text, at)) => {
            tx.put(&item, "answer", text)?;
            tx.put(&item, "answered_at", at.to_rfc3339())?;
        }
        None => {
            tx.put(&item, "answer", automerge::ScalarValue::Null)?;
            tx.put(&item, "answered_at", automerge::ScalarValue::Null)?;
        }
    }
    tx.commit();
    Ok(())
}

/// The actor of a user's demo phone.
pub(crate) fn phone_actor(user: &User) -> ActorId {
    use sha2::{Digest, Sha256};
    ActorId::from(&Sha256::digest(format!("porte-voix/demo-phone/{}", user.id).as_bytes())[..16])
}

fn principal(user: &User) -> Principal {
    Principal {
        user_id: user.id.clone(),
        role: user.role,
        commune: user.commune.clone(),
    }
}

/// Pushes new documents through the sync engine as `user`'s phone would,
/// in one request (one flush).
pub(crate) fn push_batch(
    state: &AppState,
    user: &User,
    doc_type: DocType,
    docs: Vec<(Uuid, Automerge)>,
) -> anyhow::Result<()> {
    let entries = docs
        .iter()
        .map(|(id, doc)| (*id, doc.save(), document::heads_hex(&doc.get_heads())))
        .collect::<Vec<_>>();
    sync_entries(state, user, doc_type, &entries)
}

/// Pushes changes of existing contributions as `user`.
fn push_changes(
    state: &AppState,
    user: &User,
    changes: &[(Uuid, Vec<u8>, Vec<automerge::ChangeHash>)],
) -> anyhow::Result<()> {
    let entries = changes
        .iter()
        .map(|(id, bytes, heads)| (*id, bytes.clone(), document::heads_hex(heads)))
        .collect::<Vec<_>>();
    sync_entries(state, user, DocType::Contribution, &entries)
}

fn sync_entries(
    state: &AppState,
    user: &User,
    doc_type: DocType,
    entries: &[(Uuid, Vec<u8>, Vec<String>)],
) -> anyhow::Result<()> {
    if entries.is_empty() {
        return Ok(());
    }
    // The cursor of the newest change: the reply carries no updates (the
    // demo has no phone to bring up to date).
    let cursor = state.store.last_seq()?.to_string();
    let reply = state.engine.sync(
        &principal(user),
        &SyncRequest {
            protocol: PROTOCOL_VERSION,
            cursor: Some(cursor),
            documents: entries
                .iter()
                .map(|(id, bytes, heads)| DocumentIn {
                    id: *id,
                    doc_type,
                    heads: heads.clone(),
                    changes: Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
                })
                .collect(),
            contacts: vec![],
        },
    )?;
    for out in &reply.documents {
        if out.status != DocStatus::Ok {
            bail!("demo document refused: {:?} {:?}", out.status, out.reason);
        }
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
