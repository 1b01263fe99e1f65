//! The two document schemas (contribution, outing) and their validation.
//!
//! Input is the JSON projection of an Automerge document (Text and scalar
//! strings both become JSON strings). `Document::parse` is the only way to
//! obtain a `Contribution` or an `Outing`, so a value of those types is
//! always valid. Free text is never copied into error messages: they end up
//! in logs and in the volunteer's "refusée" reason.

use crate::domain::*;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// The only schema version this build reads and writes.
pub const SCHEMA_VERSION: i64 = 1;
/// Longest accepted contribution text, in characters.
pub const MAX_TEXT_CHARS: usize = 5_000;
/// Longest accepted short string (place, address, campaign id, tag...).
pub const MAX_SHORT_CHARS: usize = 200;
/// Most doors one outing may log.
pub const MAX_DOORS: usize = 5_000;

/// Every top-level field of a contribution.
pub const CONTRIBUTION_FIELDS: &[&str] = &[
    "id",
    "type",
    "schema",
    "campaign",
    "outing",
    "created_at",
    "author",
    "kind",
    "themes",
    "text",
    "location",
    "declared_commune",
    "respondent",
    "consent",
    "geo",
    "review",
    "follow_up",
    "comments",
];

/// The top-level fields of an outing that a contribution does not have.
pub const OUTING_ONLY_FIELDS: &[&str] = &["date", "place", "team", "doors"];

/// How a message may name a top-level field: by its name when the schema
/// knows it, otherwise generically — an unknown key is input, and input is
/// never quoted back.
pub fn field_label(key: &str) -> &str {
    CONTRIBUTION_FIELDS
        .iter()
        .chain(OUTING_ONLY_FIELDS)
        .find(|k| **k == key)
        .copied()
        .unwrap_or("(an unknown field)")
}

/// Why a document does not fit its schema. Messages name fields, never
/// their content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    #[error("missing field `{0}`")]
    Missing(&'static str),
    #[error("field `{0}` has the wrong type")]
    WrongType(String),
    #[error("field `{field}`: {problem}")]
    Invalid { field: String, problem: String },
}

fn invalid(field: impl Into<String>, problem: impl Into<String>) -> SchemaError {
    SchemaError::Invalid {
        field: field.into(),
        problem: problem.into(),
    }
}

/// The two kinds of documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DocType {
    Contribution,
    Outing,
}

/// Where a contribution was made, as captured on the phone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Location {
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: Option<f64>,
    pub source: LocationSource,
    pub captured_at: Option<DateTime<Utc>>,
}

/// Optional respondent profile: brackets only, never identifying.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Respondent {
    pub age: Option<AgeBracket>,
    pub gender: Option<Gender>,
    pub relation: Option<Relation>,
    pub district: Option<DistrictType>,
}

/// Whether the resident agreed to be contacted back.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Consent {
    pub contact: bool,
    pub at: Option<DateTime<Utc>>,
}

/// Placement computed by the server from `location`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Geo {
    /// INSEE code of the commune (69123 for any point in Lyon), absent when outside.
    pub commune: Option<CommuneCode>,
    pub commune_name: Option<String>,
    /// Lyon arrondissement (69381–69389), when the point is in Lyon.
    pub arrondissement: Option<CommuneCode>,
    pub arrondissement_name: Option<String>,
    pub near_border: bool,
    pub outside: bool,
    pub computed_at: Option<DateTime<Utc>>,
}

/// The officer's qualification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Review {
    pub status: Status,
    #[serde(default)]
    pub themes: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    pub merged_into: Option<Uuid>,
    #[serde(default)]
    pub notes: String,
}

/// One forwarding to an elected official or a service, and its answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FollowUp {
    pub to: String,
    pub sent_at: Option<DateTime<Utc>>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

/// A comment by commune staff or the officer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Comment {
    pub by: String,
    pub role: Role,
    pub at: DateTime<Utc>,
    pub text: String,
}

/// One thing a resident said.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Contribution {
    pub id: Uuid,
    pub campaign: String,
    pub outing: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub author: String,
    pub kind: ContributionKind,
    pub themes: Vec<String>,
    pub text: String,
    pub location: Option<Location>,
    pub declared_commune: Option<CommuneCode>,
    pub respondent: Option<Respondent>,
    pub consent: Consent,
    pub geo: Option<Geo>,
    pub review: Option<Review>,
    pub follow_up: Vec<FollowUp>,
    pub comments: Vec<Comment>,
}

impl Contribution {
    /// The processing status: the review's, or `New` before any review.
    pub fn status(&self) -> Status {
        self.review.as_ref().map_or(Status::New, |r| r.status)
    }
}

/// One door (or address) of an outing's shared log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Door {
    pub address: String,
    pub status: DoorStatus,
    pub by: String,
    pub at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub note: String,
}

/// One team going out on one day in one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Outing {
    pub id: Uuid,
    pub campaign: String,
    pub date: NaiveDate,
    pub place: String,
    pub team: Vec<String>,
    pub doors: BTreeMap<String, Door>,
}

/// A validated document of either type.
// Documents are parsed one at a time and never held in bulk: boxing the
// larger variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum Document {
    Contribution(Contribution),
    Outing(Outing),
}

impl Document {
    /// Parses the JSON projection of the document stored under `id`.
    pub fn parse(id: Uuid, value: &Value) -> Result<Document, SchemaError> {
        let root = value
            .as_object()
            .ok_or_else(|| SchemaError::WrongType("(root)".into()))?;
        let doc_id = uuid_field(root, "id")?;
        if doc_id != id {
            return Err(invalid("id", "does not match the document id"));
        }
        match int_field(root, "schema")? {
            SCHEMA_VERSION => {}
            other => return Err(invalid("schema", format!("unsupported version {other}"))),
        }
        match str_field(root, "type")? {
            "contribution" => parse_contribution(root, id).map(Document::Contribution),
            "outing" => parse_outing(root, id).map(Document::Outing),
            _ => Err(invalid("type", "must be contribution or outing")),
        }
    }

    pub fn doc_type(&self) -> DocType {
        match self {
            Document::Contribution(_) => DocType::Contribution,
            Document::Outing(_) => DocType::Outing,
        }
    }
}

fn parse_contribution(root: &Map<String, Value>, id: Uuid) -> Result<Contribution, SchemaError> {
    let text = str_field(root, "text")?;
    let text_chars = text.chars().count();
    if text.trim().is_empty() {
        return Err(invalid("text", "is empty"));
    }
    if text_chars > MAX_TEXT_CHARS {
        return Err(invalid(
            "text",
            format!("longer than {MAX_TEXT_CHARS} characters"),
        ));
    }
    let outing = match opt(root, "outing") {
        None => None,
        Some(v) => Some(as_uuid("outing", v)?),
    };
    let location = opt(root, "location").map(parse_location).transpose()?;
    let declared_commune = opt(root, "declared_commune")
        .map(|v| {
            CommuneCode::parse(as_str("declared_commune", v)?)
                .map_err(|_| invalid("declared_commune", "is not an INSEE commune code"))
        })
        .transpose()?;
    let respondent = opt(root, "respondent")
        .map(|v| typed::<Respondent>("respondent", v))
        .transpose()?;
    let consent = match opt(root, "consent") {
        None => Consent::default(),
        Some(v) => typed::<Consent>("consent", v)?,
    };
    let geo = opt(root, "geo")
        .map(|v| typed::<Geo>("geo", v))
        .transpose()?;
    let review = opt(root, "review")
        .map(|v| typed::<Review>("review", v))
        .transpose()?;
    let follow_up = match opt(root, "follow_up") {
        None => Vec::new(),
        Some(v) => typed::<Vec<FollowUp>>("follow_up", v)?,
    };
    let comments = match opt(root, "comments") {
        None => Vec::new(),
        Some(v) => typed::<Vec<Comment>>("comments", v)?,
    };
    Ok(Contribution {
        id,
        campaign: short_str(root, "campaign")?.to_owned(),
        outing,
        created_at: time_field(root, "created_at")?,
        author: short_str(root, "author")?.to_owned(),
        kind: str_field(root, "kind")?
            .parse()
            .map_err(|_: UnknownCode| invalid("kind", "is not a known kind"))?,
        themes: theme_list(root, "themes")?,
        text: text.to_owned(),
        location,
        declared_commune,
        respondent,
        consent,
        geo,
        review,
        follow_up,
        comments,
    })
}

fn parse_location(v: &Value) -> Result<Location, SchemaError> {
    let loc: Location = typed("location", v)?;
    if !(-90.0..=90.0).contains(&loc.lat) || !(-180.0..=180.0).contains(&loc.lon) {
        return Err(invalid("location", "latitude or longitude out of range"));
    }
    if loc
        .accuracy_m
        .is_some_and(|a| !(0.0..=100_000.0).contains(&a))
    {
        return Err(invalid("location.accuracy_m", "out of range"));
    }
    Ok(loc)
}

fn parse_outing(root: &Map<String, Value>, id: Uuid) -> Result<Outing, SchemaError> {
    let date = str_field(root, "date")?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d")
        .map_err(|_| invalid("date", "must be YYYY-MM-DD"))?;
    let team = match root.get("team") {
        None => return Err(SchemaError::Missing("team")),
        Some(v) => typed::<Vec<String>>("team", v)?,
    };
    if team.is_empty() {
        return Err(invalid("team", "is empty"));
    }
    if team.len() > 100 || team.iter().any(|m| m.chars().count() > MAX_SHORT_CHARS) {
        return Err(invalid(
            "team",
            "more than 100 members, or a member id too long",
        ));
    }
    let doors = match opt(root, "doors") {
        None => BTreeMap::new(),
        Some(v) => typed::<BTreeMap<String, Door>>("doors", v)?,
    };
    if doors.len() > MAX_DOORS {
        return Err(invalid("doors", format!("more than {MAX_DOORS}")));
    }
    for (key, door) in &doors {
        if key.chars().count() > MAX_SHORT_CHARS {
            return Err(invalid("doors", "a door key is too long"));
        }
        if door.address.chars().count() > MAX_SHORT_CHARS {
            return Err(invalid("doors.address", "too long"));
        }
        if door.note.chars().count() > MAX_TEXT_CHARS {
            return Err(invalid("doors.note", "too long"));
        }
    }
    Ok(Outing {
        id,
        campaign: short_str(root, "campaign")?.to_owned(),
        date,
        place: short_str(root, "place")?.to_owned(),
        team,
        doors,
    })
}

/// A present, non-null field.
fn opt<'a>(root: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    root.get(key).filter(|v| !v.is_null())
}

fn str_field<'a>(root: &'a Map<String, Value>, key: &'static str) -> Result<&'a str, SchemaError> {
    as_str(key, opt(root, key).ok_or(SchemaError::Missing(key))?)
}

fn short_str<'a>(root: &'a Map<String, Value>, key: &'static str) -> Result<&'a str, SchemaError> {
    let s = str_field(root, key)?;
    if s.trim().is_empty() {
        return Err(invalid(key, "is empty"));
    }
    if s.chars().count() > MAX_SHORT_CHARS {
        return Err(invalid(key, "too long"));
    }
    Ok(s)
}

fn as_str<'a>(key: &str, v: &'a Value) -> Result<&'a str, SchemaError> {
    v.as_str().ok_or_else(|| SchemaError::WrongType(key.into()))
}

fn int_field(root: &Map<String, Value>, key: &'static str) -> Result<i64, SchemaError> {
    let v = opt(root, key).ok_or(SchemaError::Missing(key))?;
    v.as_i64()
        .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
        .ok_or_else(|| SchemaError::WrongType(key.into()))
}

fn uuid_field(root: &Map<String, Value>, key: &'static str) -> Result<Uuid, SchemaError> {
    as_uuid(key, opt(root, key).ok_or(SchemaError::Missing(key))?)
}

fn as_uuid(key: &str, v: &Value) -> Result<Uuid, SchemaError> {
    Uuid::parse_str(as_str(key, v)?).map_err(|_| invalid(key, "is not a UUID"))
}

fn time_field(root: &Map<String, Value>, key: &'static str) -> Result<DateTime<Utc>, SchemaError> {
    DateTime::parse_from_rfc3339(str_field(root, key)?)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| invalid(key, "is not an RFC 3339 date-time"))
}

/// Theme codes: the default list, or any lowercase slug a campaign adds.
fn theme_list(root: &Map<String, Value>, key: &'static str) -> Result<Vec<String>, SchemaError> {
    let Some(v) = opt(root, key) else {
        return Ok(Vec::new());
    };
    let themes: Vec<String> = typed(key, v)?;
    if themes.len() > 20 {
        return Err(invalid(key, "more than 20 themes"));
    }
    for t in &themes {
        if !is_slug(t) {
            return Err(invalid(key, "a theme is not a code"));
        }
    }
    Ok(themes)
}

/// `[a-z0-9_]{1,40}`: the shape of every code.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

fn typed<T: serde::de::DeserializeOwned>(key: &str, v: &Value) -> Result<T, SchemaError> {
    // serde's message can quote the offending value; keep only the field name
    // and serde's position-free category so that no free text leaks.
    serde_json::from_value(v.clone()).map_err(|e| {
        let problem = match e.classify() {
            serde_json::error::Category::Data => "has a missing, unknown or mistyped value",
            _ => "is malformed",
        };
        invalid(key, problem)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn id() -> Uuid {
        Uuid::parse_str("6f1c2a57-1f0e-4a53-9d0b-0b7f0f3c2d11").unwrap()
    }

    fn contribution() -> Value {
        json!({
            "id": id().to_string(), "type": "contribution", "schema": 1,
            "campaign": "aller-vers-2026", "created_at": "2026-11-28T10:00:00Z",
            "author": "u1", "kind": "concern", "themes": ["cleanliness", "mobility"],
            "text": "Les poubelles débordent rue Paul Bert",
            "location": {"lat": 45.76, "lon": 4.85, "accuracy_m": 12.0, "source": "gps", "captured_at": "2026-11-28T10:00:00Z"},
            "consent": {"contact": false}
        })
    }

    #[test]
    fn a_complete_contribution_parses() {
        let Document::Contribution(c) = Document::parse(id(), &contribution()).unwrap() else {
            panic!("not a contribution")
        };
        assert_eq!(c.kind, ContributionKind::Concern);
        assert_eq!(c.themes, vec!["cleanliness", "mobility"]);
        assert_eq!(c.status(), Status::New);
        assert_eq!(c.location.unwrap().source, LocationSource::Gps);
    }

    #[test]
    fn each_broken_field_is_named_in_the_error() {
        let cases: Vec<(&str, Value, &str)> = vec![
            ("kind", json!("complaint"), "kind"),
            ("text", json!("   "), "text"),
            ("text", json!("x".repeat(MAX_TEXT_CHARS + 1)), "text"),
            ("created_at", json!("yesterday"), "created_at"),
            ("schema", json!(2), "schema"),
            ("themes", json!(["Propreté"]), "themes"),
            ("declared_commune", json!("Lyon"), "declared_commune"),
            (
                "location",
                json!({"lat": 145.0, "lon": 4.0, "source": "gps"}),
                "location",
            ),
            (
                "location",
                json!({"lat": 45.0, "lon": 4.0, "source": "radio"}),
                "location",
            ),
            ("respondent", json!({"age": 37}), "respondent"),
            ("id", json!(Uuid::nil().to_string()), "id"),
        ];
        for (field, value, named) in cases {
            let mut doc = contribution();
            doc[field] = value;
            let err = Document::parse(id(), &doc).unwrap_err().to_string();
            assert!(err.contains(named), "{field}: {err}");
        }
    }

    #[test]
    fn missing_required_fields_are_reported() {
        for field in ["text", "kind", "author", "campaign", "created_at", "type"] {
            let mut doc = contribution();
            doc.as_object_mut().unwrap().remove(field);
            assert!(Document::parse(id(), &doc).is_err(), "{field}");
        }
    }

    #[test]
    fn errors_never_quote_free_text() {
        let mut doc = contribution();
        doc["respondent"] = json!({"age": "Jean Dupont 06 12 34 56 78"});
        let err = Document::parse(id(), &doc).unwrap_err().to_string();
        assert!(!err.contains("Dupont"), "{err}");
        // Every field whose value is checked against a closed set or a
        // shape: the refused value never comes back in the message.
        let marker = "Lyon'; --";
        for field in ["declared_commune", "kind", "themes", "created_at", "outing"] {
            let mut doc = contribution();
            doc[field] = if field == "themes" {
                json!([marker])
            } else {
                json!(marker)
            };
            let err = Document::parse(id(), &doc).unwrap_err().to_string();
            assert!(err.contains(field), "{field}: {err}");
            assert!(!err.contains("Lyon"), "{field}: {err}");
        }
    }

    #[test]
    fn unknown_field_names_are_not_quoted() {
        assert_eq!(field_label("respondent"), "respondent");
        assert_eq!(field_label("Lyon'; --"), "(an unknown field)");
    }

    #[test]
    fn an_outing_with_doors_parses() {
        let doc = json!({
            "id": id().to_string(), "type": "outing", "schema": 1,
            "campaign": "aller-vers-2026", "date": "2026-11-28", "place": "Marché de la Croix-Rousse",
            "team": ["u1", "u2"],
            "doors": {"d1": {"address": "3 rue d'Austerlitz", "status": "a_revoir", "by": "u1", "at": "2026-11-28T10:00:00Z", "note": ""}}
        });
        let Document::Outing(o) = Document::parse(id(), &doc).unwrap() else {
            panic!("not an outing")
        };
        assert_eq!(o.doors["d1"].status, DoorStatus::Revisit);
        assert_eq!(o.team.len(), 2);
    }

    #[test]
    fn an_outing_needs_a_team_and_a_date() {
        let doc = json!({
            "id": id().to_string(), "type": "outing", "schema": 1,
            "campaign": "c", "date": "28/11/2026", "place": "p", "team": ["u1"]
        });
        assert!(Document::parse(id(), &doc)
            .unwrap_err()
            .to_string()
            .contains("date"));
        let doc = json!({
            "id": id().to_string(), "type": "outing", "schema": 1,
            "campaign": "c", "date": "2026-11-28", "place": "p", "team": []
        });
        assert!(Document::parse(id(), &doc)
            .unwrap_err()
            .to_string()
            .contains("team"));
    }
}
