//! The wire format of sync protocol v1 (docs/SYNC-PROTOCOL.md).

use porte_voix_shared::DocType;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// The only protocol version this server speaks.
pub const PROTOCOL_VERSION: u32 = 1;

/// One sync batch from a phone.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SyncRequest {
    #[schema(example = 1)]
    pub protocol: u32,
    /// Opaque cursor from the previous reply; absent on the first sync.
    #[serde(default)]
    pub cursor: Option<String>,
    #[serde(default)]
    pub documents: Vec<DocumentIn>,
    #[serde(default)]
    pub contacts: Vec<ContactIn>,
}

/// One document the phone holds.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DocumentIn {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub doc_type: DocType,
    /// Hex change hashes of the phone's copy.
    #[serde(default)]
    pub heads: Vec<String>,
    /// Base64 of `Automerge.saveSince(doc, lastServerHeads)`.
    #[serde(default)]
    pub changes: Option<String>,
}

/// A resident's contact details for a contribution with consent.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ContactIn {
    pub contribution_id: Uuid,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// The outcome for one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocStatus {
    /// Stored and flushed to disk.
    Ok,
    /// The user may not make these changes; nothing stored.
    Forbidden,
    /// Undecodable changes or a result that breaks the schema; nothing stored.
    Invalid,
    /// Over the size limits; nothing stored.
    TooLarge,
    /// The server lacks what the request builds on: send the whole document.
    Unknown,
}

/// The server's answer for one request document.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DocumentOut {
    pub id: Uuid,
    pub status: DocStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The server's heads (with `ok`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub heads: Vec<String>,
    /// Base64 of what the phone lacks (`loadIncremental`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub changes: Option<String>,
}

/// A readable document that changed since the cursor.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UpdateOut {
    pub id: Uuid,
    #[serde(rename = "type")]
    pub doc_type: DocType,
    pub heads: Vec<String>,
    /// Base64 of the whole document.
    pub changes: String,
}

/// The outcome for one contact entry.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ContactOut {
    pub contribution_id: Uuid,
    pub status: DocStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The reply to a sync batch.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SyncResponse {
    #[schema(example = 1)]
    pub protocol: u32,
    pub documents: Vec<DocumentOut>,
    pub updates: Vec<UpdateOut>,
    pub contacts: Vec<ContactOut>,
    pub cursor: String,
    pub more: bool,
}
