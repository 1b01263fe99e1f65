//! Consolidation records shared by the topic, forwarding and assembly
//! handlers: what a topic is, how it is stored, and the lock that makes a
//! read-modify-write of records atomic on this server.
//!
//! Records are JSON in the store's `records` tree (`Store::commit`), one
//! collection per kind (`store::keys::COLLECTIONS`). A topic's members are
//! not listed in the topic: each member's row carries `topic` (one topic at
//! most per contribution), listed through the `BY_TOPIC` secondary key.

use crate::store::{RecordOp, Store, StoreError};
use chrono::{DateTime, Utc};
use porte_voix_shared::TopicStatus;
use serde::{Deserialize, Serialize};
use std::sync::{Mutex, MutexGuard};
use utoipa::ToSchema;
use uuid::Uuid;

/// The collection of topics; key: the topic id.
pub const TOPICS: &str = "topics";

/// A quote chosen by the officer: an excerpt of an attached contribution,
/// linked to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Quote {
    pub contribution: Uuid,
    pub excerpt: String,
}

/// One attributed, timed change of a topic. `action` is a stable code the
/// console words (`created`, `edited`, `status`, `attached`, `detached`,
/// `quote_added`, `quote_removed`, `assigned`, `forwarded`, `answered`);
/// `detail` holds ids, counts and codes, never a resident's words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TopicEvent {
    pub at: DateTime<Utc>,
    /// User id of who did it (`@recipient:{id}` for an answer by link).
    pub by: String,
    pub action: String,
    #[serde(default)]
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
}

/// A shared concern (« sujet ») that gathers contributions many-to-one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Topic {
    pub id: Uuid,
    pub title: String,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub themes: Vec<String>,
    pub status: TopicStatus,
    /// The officer colleague in charge (a user id).
    pub assignee: Option<String>,
    #[serde(default)]
    pub quotes: Vec<Quote>,
    #[serde(default)]
    pub history: Vec<TopicEvent>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
}

impl Topic {
    /// Appends an event and stamps `updated_at`.
    pub fn record(&mut self, by: &str, action: &str, detail: serde_json::Value) {
        let at = Utc::now();
        self.updated_at = at;
        self.history.push(TopicEvent {
            at,
            by: by.to_owned(),
            action: action.to_owned(),
            detail,
        });
    }
}

/// Serializes a topic as the record op that stores it.
pub fn put_topic(t: &Topic) -> RecordOp {
    RecordOp::Put {
        collection: TOPICS,
        key: t.id.to_string(),
        value: serde_json::to_vec(t).expect("topics serialize"),
    }
}

/// A stored topic.
pub fn load_topic(store: &dyn Store, id: Uuid) -> Result<Option<Topic>, StoreError> {
    store
        .get_record(TOPICS, &id.to_string())?
        .map(|v| crate::store::decode("topics", &v))
        .transpose()
}

/// Every topic (a few hundred at most: the officer builds them by hand).
pub fn list_topics(store: &dyn Store) -> Result<Vec<Topic>, StoreError> {
    store
        .scan_records(TOPICS, "")?
        .into_iter()
        .map(|(_, v)| crate::store::decode("topics", &v))
        .collect()
}

static RECORDS_LOCK: Mutex<()> = Mutex::new(());

/// Held around every read-modify-write of consolidation records and row
/// patches, so that two officers editing at once never lose a change.
/// Taken before any document lock, never inside one.
pub fn records_lock() -> MutexGuard<'static, ()> {
    RECORDS_LOCK.lock().unwrap_or_else(|p| p.into_inner())
}

/// The rows of a topic's members, newest first, through the `BY_TOPIC`
/// secondary key (never a scan of every row).
pub fn members(
    store: &dyn Store,
    topic: Uuid,
) -> Result<Vec<crate::store::ContributionRow>, StoreError> {
    Ok(store
        .list_contributions(
            &crate::store::ContributionQuery {
                topic: Some(topic),
                limit: usize::MAX,
                ..Default::default()
            },
            &|_| true,
        )?
        .items)
}

/// How many forwards of a topic are recorded: the `forwarded` events of
/// its history (the forwarding module records one per forward) or the
/// `forwards` records naming it, whichever says more.
pub fn forward_count(store: &dyn Store, topic: &Topic) -> Result<usize, StoreError> {
    let in_history = topic
        .history
        .iter()
        .filter(|e| e.action == "forwarded")
        .count();
    let id = topic.id.to_string();
    let records = store
        .scan_records("forwards", "")?
        .into_iter()
        .filter(|(_, v)| {
            serde_json::from_slice::<serde_json::Value>(v)
                .is_ok_and(|f| f["topic"].as_str() == Some(id.as_str()))
        })
        .count();
    Ok(in_history.max(records))
}

/// Whether `user_id` is an officer account (what an assignee must be).
pub fn is_officer(store: &dyn Store, user_id: &str) -> Result<bool, StoreError> {
    Ok(store
        .get_user(user_id)?
        .is_some_and(|u| u.role == porte_voix_shared::Role::Officer))
}

/// What happened to one item of a batch (attach, bulk action).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    Ok,
    Error,
    NotFound,
}

/// The result of one item of a batch. `code` and `message` come with
/// `error` (and `not_found`); messages are English and never quote input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ItemResult {
    pub id: Uuid,
    pub status: ItemStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl ItemResult {
    pub fn ok(id: Uuid) -> Self {
        Self {
            id,
            status: ItemStatus::Ok,
            code: None,
            message: None,
        }
    }

    pub fn not_found(id: Uuid) -> Self {
        Self {
            id,
            status: ItemStatus::NotFound,
            code: Some("not_found".into()),
            message: Some("no such contribution".into()),
        }
    }

    pub fn error(id: Uuid, code: &str, message: impl Into<String>) -> Self {
        Self {
            id,
            status: ItemStatus::Error,
            code: Some(code.into()),
            message: Some(message.into()),
        }
    }
}

/// Deserializes a field that may be absent (`None`), `null`
/// (`Some(None)`) or a value (`Some(Some(v))`).
pub fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}
