//! The Automerge side of documents: turning bytes into the JSON projection
//! the schema reads, finding which top-level fields a set of changes
//! touched, and the server's own writes (`geo`, officer reviews, comments,
//! demo documents).
//!
//! String convention (docs/SYNC-PROTOCOL.md): `text` and door `note` are
//! Automerge Text; every other string is a scalar. The server writes
//! exactly that, and the JSON projection reads both forms alike.

use automerge::transaction::Transactable;
use automerge::{ActorId, Automerge, ChangeHash, ObjType, PatchAction, Prop, ReadDoc, ROOT};
use porte_voix_shared::schema::{Geo, Review};
use serde_json::Value;
use std::collections::BTreeSet;

/// Parses hex change hashes; `None` if any is malformed.
pub fn parse_heads(heads: &[String]) -> Option<Vec<ChangeHash>> {
    heads.iter().map(|h| h.parse().ok()).collect()
}

/// Hex change hashes.
pub fn heads_hex(heads: &[ChangeHash]) -> Vec<String> {
    heads.iter().map(ChangeHash::to_string).collect()
}

/// Deepest nesting the projection follows below the root. The schemas need
/// 3 (`doors.{key}.note`); anything deeper is refused, never recursed into.
pub const MAX_DEPTH: usize = 8;
/// Most values (objects and scalars) the projection builds for one document.
pub const MAX_VALUES: usize = 200_000;

/// Why a document cannot be projected. Names the top-level field (when the
/// schema knows it), never the content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProjectionError {
    #[error("field `{0}` is nested deeper than {MAX_DEPTH} levels")]
    TooDeep(String),
    #[error("the document holds more than {MAX_VALUES} values")]
    TooManyValues,
}

/// The JSON projection of a document: maps, lists, Text as a string,
/// scalars as JSON scalars. Bounded: the walk stops at `MAX_DEPTH` levels
/// and `MAX_VALUES` values, so input cannot drive it into a stack overflow
/// or an unbounded allocation.
pub fn project(doc: &Automerge) -> Result<Value, ProjectionError> {
    let mut budget = MAX_VALUES;
    let mut root = serde_json::Map::new();
    for key in doc.keys(ROOT) {
        let Ok(Some((value, id))) = doc.get(ROOT, key.as_str()) else {
            continue;
        };
        let v = project_value(doc, value, &id, 1, &mut budget).map_err(|e| match e {
            Walk::TooDeep => {
                ProjectionError::TooDeep(porte_voix_shared::schema::field_label(&key).to_owned())
            }
            Walk::TooMany => ProjectionError::TooManyValues,
        })?;
        root.insert(key, v);
    }
    Ok(Value::Object(root))
}

/// `project` for documents the server already validated (stored ones):
/// `Null` if it cannot be projected, which every schema refuses.
pub fn to_json(doc: &Automerge) -> Value {
    project(doc).unwrap_or(Value::Null)
}

enum Walk {
    TooDeep,
    TooMany,
}

fn project_value(
    doc: &Automerge,
    value: automerge::Value<'_>,
    id: &automerge::ObjId,
    depth: usize,
    budget: &mut usize,
) -> Result<Value, Walk> {
    *budget = budget.checked_sub(1).ok_or(Walk::TooMany)?;
    let object = match value {
        automerge::Value::Scalar(s) => return Ok(scalar_json(&s)),
        automerge::Value::Object(t) => t,
    };
    if depth > MAX_DEPTH {
        return Err(Walk::TooDeep);
    }
    Ok(match object {
        ObjType::Text => Value::String(doc.text(id).unwrap_or_default()),
        ObjType::Map | ObjType::Table => {
            let mut map = serde_json::Map::new();
            for key in doc.keys(id) {
                if let Ok(Some((v, child))) = doc.get(id, key.as_str()) {
                    let v = project_value(doc, v, &child, depth + 1, budget)?;
                    map.insert(key, v);
                }
            }
            Value::Object(map)
        }
        ObjType::List => {
            let len = doc.length(id);
            let mut items = Vec::with_capacity(len.min(1024));
            for i in 0..len {
                if let Ok(Some((v, child))) = doc.get(id, i) {
                    items.push(project_value(doc, v, &child, depth + 1, budget)?);
                }
            }
            Value::Array(items)
        }
    })
}

/// A scalar as `AutoSerde` writes it.
fn scalar_json(s: &automerge::ScalarValue) -> Value {
    use automerge::ScalarValue as S;
    match s {
        S::Str(s) => Value::String(s.to_string()),
        S::Int(i) => (*i).into(),
        S::Uint(u) => (*u).into(),
        S::F64(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        S::Counter(c) => i64::from(c).into(),
        S::Timestamp(t) => (*t).into(),
        S::Boolean(b) => (*b).into(),
        S::Null => Value::Null,
        S::Bytes(b) => Value::Array(b.iter().map(|x| (*x).into()).collect()),
        S::Unknown { bytes, .. } => Value::Array(bytes.iter().map(|x| (*x).into()).collect()),
    }
}

/// Top-level fields whose value differs between two sets of heads,
/// including fields created or deleted, and fields of nested objects.
pub fn touched_fields(
    doc: &Automerge,
    before: &[ChangeHash],
    after: &[ChangeHash],
) -> BTreeSet<String> {
    if before.is_empty() {
        // A new document: every field it has was written by these changes.
        return doc.keys(ROOT).collect();
    }
    let mut fields = BTreeSet::new();
    for patch in doc.diff(before, after) {
        if let Some((_, Prop::Map(key))) = patch.path.first() {
            fields.insert(key.clone());
            continue;
        }
        // A patch on the root object itself.
        match patch.action {
            PatchAction::PutMap { key, .. } | PatchAction::DeleteMap { key } => {
                fields.insert(key);
            }
            PatchAction::Increment {
                prop: Prop::Map(key),
                ..
            }
            | PatchAction::Conflict {
                prop: Prop::Map(key),
            } => {
                fields.insert(key);
            }
            _ => {}
        }
    }
    fields
}

/// Hex actor ids of the changes in `doc` that are not ancestors of `before`.
pub fn new_actors(doc: &Automerge, before: &[ChangeHash]) -> BTreeSet<String> {
    // Metadata only: materialising whole changes just to read their actor
    // was 6-7 % of a sync (docs/PERFORMANCE.md).
    doc.get_changes_meta(before)
        .iter()
        .map(|c| c.actor.to_hex_string())
        .collect()
}

type Tx<'a> = automerge::transaction::Transaction<'a>;
type AmResult<T> = Result<T, automerge::AutomergeError>;

fn put_opt_str(
    tx: &mut Tx<'_>,
    obj: &automerge::ObjId,
    key: &str,
    v: Option<&str>,
) -> AmResult<()> {
    match v {
        Some(s) => tx.put(obj, key, s),
        None => tx.put(obj, key, automerge::ScalarValue::Null),
    }
}

/// Commits with the server's clock in seconds, as the JS client stamps its
/// changes, so that a document's history has times.
fn commit_now(tx: Tx<'_>) {
    let options =
        automerge::transaction::CommitOptions::default().with_time(chrono::Utc::now().timestamp());
    tx.commit_with(options);
}

/// Writes `geo` as `actor`. Returns false (and writes nothing) when the
/// `current` placement (the document's, already parsed) says the same.
pub fn write_geo(
    doc: &mut Automerge,
    actor: &ActorId,
    current: Option<&Geo>,
    geo: &Geo,
) -> AmResult<bool> {
    if let Some(current) = current {
        let same = Geo {
            computed_at: geo.computed_at,
            ..current.clone()
        } == *geo;
        if same {
            return Ok(false);
        }
    }
    doc.set_actor(actor.clone());
    let mut tx = doc.transaction();
    let obj = tx.put_object(ROOT, "geo", ObjType::Map)?;
    put_opt_str(
        &mut tx,
        &obj,
        "commune",
        geo.commune.as_ref().map(|c| c.as_str()),
    )?;
    put_opt_str(&mut tx, &obj, "commune_name", geo.commune_name.as_deref())?;
    put_opt_str(
        &mut tx,
        &obj,
        "arrondissement",
        geo.arrondissement.as_ref().map(|c| c.as_str()),
    )?;
    put_opt_str(
        &mut tx,
        &obj,
        "arrondissement_name",
        geo.arrondissement_name.as_deref(),
    )?;
    tx.put(&obj, "near_border", geo.near_border)?;
    tx.put(&obj, "outside", geo.outside)?;
    let at = geo.computed_at.map(|t| t.to_rfc3339());
    put_opt_str(&mut tx, &obj, "computed_at", at.as_deref())?;
    commit_now(tx);
    Ok(true)
}

/// Writes the officer's `review` as `actor`.
pub fn write_review(doc: &mut Automerge, actor: &ActorId, review: &Review) -> AmResult<()> {
    doc.set_actor(actor.clone());
    let mut tx = doc.transaction();
    let obj = match tx.get(ROOT, "review")? {
        Some((automerge::Value::Object(ObjType::Map), id)) => id,
        _ => tx.put_object(ROOT, "review", ObjType::Map)?,
    };
    tx.put(&obj, "status", review.status.code())?;
    put_list(&mut tx, &obj, "themes", &review.themes)?;
    put_list(&mut tx, &obj, "tags", &review.tags)?;
    let merged = review.merged_into.map(|u| u.to_string());
    put_opt_str(&mut tx, &obj, "merged_into", merged.as_deref())?;
    tx.put(&obj, "notes", review.notes.as_str())?;
    commit_now(tx);
    Ok(())
}

fn put_list(tx: &mut Tx<'_>, obj: &automerge::ObjId, key: &str, items: &[String]) -> AmResult<()> {
    let list = tx.put_object(obj, key, ObjType::List)?;
    for (i, item) in items.iter().enumerate() {
        tx.insert(&list, i, item.as_str())?;
    }
    Ok(())
}

/// Appends a comment (`{by, role, at, text}`) as `actor`.
pub fn append_comment(
    doc: &mut Automerge,
    actor: &ActorId,
    c: &porte_voix_shared::schema::Comment,
) -> AmResult<()> {
    doc.set_actor(actor.clone());
    let mut tx = doc.transaction();
    let list = match tx.get(ROOT, "comments")? {
        Some((automerge::Value::Object(ObjType::List), id)) => id,
        _ => tx.put_object(ROOT, "comments", ObjType::List)?,
    };
    let at = tx.length(&list);
    let item = tx.insert_object(&list, at, ObjType::Map)?;
    tx.put(&item, "by", c.by.as_str())?;
    tx.put(&item, "role", c.role.code())?;
    tx.put(&item, "at", c.at.to_rfc3339())?;
    tx.put(&item, "text", c.text.as_str())?;
    commit_now(tx);
    Ok(())
}

/// Appends a `follow_up` entry `{to, sent_at, answer: null, answered_at:
/// null, forward}` as `actor`: the record of one forward (`forward` is its
/// id, so that its answer lands in this entry and no other). Scalars only.
pub fn append_follow_up(
    doc: &mut Automerge,
    actor: &ActorId,
    forward: &str,
    to: &str,
    sent_at: chrono::DateTime<chrono::Utc>,
) -> AmResult<()> {
    doc.set_actor(actor.clone());
    let mut tx = doc.transaction();
    let list = match tx.get(ROOT, "follow_up")? {
        Some((automerge::Value::Object(ObjType::List), id)) => id,
        _ => tx.put_object(ROOT, "follow_up", ObjType::List)?,
    };
    let at = tx.length(&list);
    let item = tx.insert_object(&list, at, ObjType::Map)?;
    tx.put(&item, "to", to)?;
    tx.put(&item, "sent_at", sent_at.to_rfc3339())?;
    tx.put(&item, "answer", automerge::ScalarValue::Null)?;
    tx.put(&item, "answered_at", automerge::ScalarValue::Null)?;
    tx.put(&item, "forward", forward)?;
    commit_now(tx);
    Ok(())
}

/// Whether the document has the `follow_up` entry of `forward`.
pub fn has_follow_up(doc: &Automerge, forward: &str) -> bool {
    follow_up_entry(doc, forward).is_some()
}

fn follow_up_entry(doc: &Automerge, forward: &str) -> Option<automerge::ObjId> {
    let Ok(Some((automerge::Value::Object(ObjType::List), list))) = doc.get(ROOT, "follow_up")
    else {
        return None;
    };
    (0..doc.length(&list)).find_map(|i| {
        let Ok(Some((automerge::Value::Object(ObjType::Map), item))) = doc.get(&list, i) else {
            return None;
        };
        match doc.get(&item, "forward") {
            Ok(Some((automerge::Value::Scalar(s), _))) => {
                matches!(s.as_ref(), automerge::ScalarValue::Str(f) if f.as_str() == forward)
                    .then_some(item)
            }
            _ => None,
        }
    })
}

/// Writes the answer into the `follow_up` entry of `forward` (`answer`,
/// `answered_at`, scalars) as `actor`. Returns false (and writes nothing)
/// when the document has no entry of that forward.
pub fn write_follow_up_answer(
    doc: &mut Automerge,
    actor: &ActorId,
    forward: &str,
    answer: &str,
    answered_at: chrono::DateTime<chrono::Utc>,
) -> AmResult<bool> {
    let Some(item) = follow_up_entry(doc, forward) else {
        return Ok(false);
    };
    doc.set_actor(actor.clone());
    let mut tx = doc.transaction();
    tx.put(&item, "answer", answer)?;
    tx.put(&item, "answered_at", answered_at.to_rfc3339())?;
    commit_now(tx);
    Ok(true)
}

/// Builds a new document from a JSON value with the project's string
/// convention (`text`/`note` keys become Text). Used by the demo, tests and
/// the load generator, which play the phone's part.
pub fn from_json(actor: &ActorId, value: &Value) -> AmResult<Automerge> {
    let mut doc = Automerge::new().with_actor(actor.clone());
    let mut tx = doc.transaction();
    if let Value::Object(map) = value {
        for (k, v) in map {
            put_value(&mut tx, &ROOT, Prop::Map(k.clone()), v)?;
        }
    }
    tx.commit();
    Ok(doc)
}

fn is_text_key(prop: &Prop) -> bool {
    matches!(prop, Prop::Map(k) if k == "text" || k == "note")
}

fn put_value(tx: &mut Tx<'_>, obj: &automerge::ObjId, prop: Prop, v: &Value) -> AmResult<()> {
    let insert = |tx: &mut Tx<'_>, t: ObjType| match &prop {
        Prop::Map(k) => tx.put_object(obj, k.as_str(), t),
        Prop::Seq(i) => tx.insert_object(obj, *i, t),
    };
    let scalar = |tx: &mut Tx<'_>, s: automerge::ScalarValue| match &prop {
        Prop::Map(k) => tx.put(obj, k.as_str(), s),
        Prop::Seq(i) => tx.insert(obj, *i, s),
    };
    match v {
        Value::Object(map) => {
            let child = insert(tx, ObjType::Map)?;
            for (k, v) in map {
                put_value(tx, &child, Prop::Map(k.clone()), v)?;
            }
        }
        Value::Array(items) => {
            let child = insert(tx, ObjType::List)?;
            for (i, v) in items.iter().enumerate() {
                put_value(tx, &child, Prop::Seq(i), v)?;
            }
        }
        Value::String(s) if is_text_key(&prop) => {
            let text = insert(tx, ObjType::Text)?;
            tx.splice_text(&text, 0, 0, s)?;
        }
        Value::String(s) => scalar(tx, s.as_str().into())?,
        Value::Bool(b) => scalar(tx, (*b).into())?,
        Value::Number(n) => match n.as_i64() {
            Some(i) => scalar(tx, i.into())?,
            None => scalar(tx, n.as_f64().unwrap_or(0.0).into())?,
        },
        Value::Null => scalar(tx, automerge::ScalarValue::Null)?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_round_trips_with_text_and_scalars() {
        let v = json!({"a": "x", "text": "Bonjour 👋", "n": 3, "f": 1.5, "l": ["p", "q"], "m": {"b": true}});
        let doc = from_json(&ActorId::random(), &v).unwrap();
        assert_eq!(to_json(&doc), v);
        let (val, _) = doc.get(ROOT, "text").unwrap().unwrap();
        assert_eq!(val, automerge::Value::Object(ObjType::Text));
        let (val, _) = doc.get(ROOT, "a").unwrap().unwrap();
        assert!(matches!(val, automerge::Value::Scalar(_)));
    }

    #[test]
    fn touched_fields_names_changed_created_and_deleted_top_level_keys() {
        let mut doc = from_json(
            &ActorId::random(),
            &json!({"a": 1, "b": {"c": 1}, "d": "x", "text": "t"}),
        )
        .unwrap();
        let before = doc.get_heads();
        let mut tx = doc.transaction();
        let (_, b) = tx.get(ROOT, "b").unwrap().unwrap();
        tx.put(&b, "c", 2).unwrap();
        tx.delete(ROOT, "d").unwrap();
        tx.put(ROOT, "e", "new").unwrap();
        let (_, text) = tx.get(ROOT, "text").unwrap().unwrap();
        tx.splice_text(&text, 1, 0, "!").unwrap();
        tx.commit();
        let after = doc.get_heads();
        let touched: Vec<_> = touched_fields(&doc, &before, &after).into_iter().collect();
        assert_eq!(touched, vec!["b", "d", "e", "text"]);
    }

    #[test]
    fn a_follow_up_answer_lands_in_the_entry_of_its_forward_only() {
        let mut doc = from_json(&ActorId::random(), &json!({"id": "x"})).unwrap();
        let actor = ActorId::random();
        let at = chrono::Utc::now();
        append_follow_up(&mut doc, &actor, "f1", "Mme A", at).unwrap();
        append_follow_up(&mut doc, &actor, "f2", "M. B", at).unwrap();
        assert!(has_follow_up(&doc, "f2") && !has_follow_up(&doc, "f3"));
        assert!(write_follow_up_answer(&mut doc, &actor, "f2", "Réponse", at).unwrap());
        assert!(!write_follow_up_answer(&mut doc, &actor, "f3", "Autre", at).unwrap());
        let v = to_json(&doc);
        assert_eq!(v["follow_up"][0]["answer"], Value::Null);
        assert_eq!(v["follow_up"][1]["answer"], json!("Réponse"));
        assert_eq!(v["follow_up"][1]["to"], json!("M. B"));
        let parsed: Vec<porte_voix_shared::schema::FollowUp> =
            serde_json::from_value(v["follow_up"].clone()).unwrap();
        assert_eq!(
            parsed[1].answered_at.map(|t| t.timestamp()),
            Some(at.timestamp())
        );
    }

    #[test]
    fn writing_the_same_geo_twice_makes_no_second_change() {
        let mut doc = from_json(&ActorId::random(), &json!({"id": "x"})).unwrap();
        let geo = Geo {
            commune: Some(porte_voix_shared::CommuneCode::parse("69266").unwrap()),
            commune_name: Some("Villeurbanne".into()),
            arrondissement: None,
            arrondissement_name: None,
            near_border: false,
            outside: false,
            computed_at: Some(chrono::Utc::now()),
        };
        let actor = ActorId::random();
        assert!(write_geo(&mut doc, &actor, None, &geo).unwrap());
        let heads = doc.get_heads();
        let stored: Geo = serde_json::from_value(to_json(&doc)["geo"].clone()).unwrap();
        let later = Geo {
            computed_at: Some(chrono::Utc::now()),
            ..geo
        };
        assert!(!write_geo(&mut doc, &actor, Some(&stored), &later).unwrap());
        assert_eq!(doc.get_heads(), heads);
    }
}
