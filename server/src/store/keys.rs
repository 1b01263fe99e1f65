//! Every key of every tree is built here, so that the layout is in one
//! place (docs/STORAGE.md describes it).
//!
//! Secondary keys sort newest-last by creation time, so a reverse prefix
//! scan lists newest first: `prefix ‖ 0x00 ‖ created_at millis (BE u64) ‖ id`.

use super::ContributionRow;
use uuid::Uuid;

pub const META_FORMAT_VERSION: &str = "format_version";
pub const META_FEED_SEQ: &str = "feed_seq";
pub const META_JWT_SECRET: &str = "jwt_secret";
pub const META_SERVER_ACTOR: &str = "server_actor";
pub const META_ROW_FEED_SEQ: &str = "row_feed_seq";

/// The collections of consolidation records (`Store::commit`). Keys within
/// one are chosen by the module that owns it (docs/STORAGE.md).
pub const COLLECTIONS: &[&str] = &[
    "topics",
    "recipients",
    "forwards",
    "answer_tokens",
    "assemblies",
    "webhooks",
    "deliveries",
];

/// A record's key in the `records` tree: `collection ‖ 0x00 ‖ key`.
pub fn record(collection: &str, key: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(collection.len() + 1 + key.len());
    k.extend_from_slice(collection.as_bytes());
    k.push(0);
    k.extend_from_slice(key.as_bytes());
    k
}

/// Meta key of the random actor the server signs a user's REST writes with.
pub fn meta_user_actor(user_id: &str) -> String {
    format!("user_actor/{user_id}")
}

/// Document and row keys: the 16 bytes of the UUID.
pub fn doc(id: Uuid) -> [u8; 16] {
    *id.as_bytes()
}

/// Feed keys: the sequence number, big-endian so that keys sort by number.
pub fn feed(seq: u64) -> [u8; 8] {
    seq.to_be_bytes()
}

pub fn feed_seq(key: &[u8]) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&key[..8]);
    u64::from_be_bytes(b)
}

/// Names of the secondary indexes.
pub const BY_COMMUNE: u8 = b'c';
pub const BY_AUTHOR: u8 = b'a';
pub const BY_STATUS: u8 = b's';
pub const BY_DATE: u8 = b'd';
pub const BY_TOPIC: u8 = b't';
pub const BY_ASSIGNEE: u8 = b'g';

/// Prefix of one secondary index for one value (`value` empty for BY_DATE).
pub fn secondary_prefix(index: u8, value: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(2 + value.len() + 25);
    k.push(index);
    k.extend_from_slice(value.as_bytes());
    k.push(0);
    k
}

fn secondary(index: u8, value: &str, row: &ContributionRow) -> Vec<u8> {
    let mut k = secondary_prefix(index, value);
    let millis = row.created_at.timestamp_millis().max(0) as u64;
    k.extend_from_slice(&millis.to_be_bytes());
    k.extend_from_slice(row.id.as_bytes());
    k
}

/// The id at the end of a secondary key.
pub fn secondary_id(key: &[u8]) -> Option<Uuid> {
    let tail = key.get(key.len().checked_sub(16)?..)?;
    Uuid::from_slice(tail).ok()
}

/// Every secondary key of a contribution row. A point in a Lyon
/// arrondissement is indexed under both the commune and the arrondissement.
pub fn secondary_keys(row: &ContributionRow) -> Vec<Vec<u8>> {
    let mut keys = vec![
        secondary(BY_AUTHOR, &row.author, row),
        secondary(BY_STATUS, row.status.code(), row),
        secondary(BY_DATE, "", row),
    ];
    for code in [&row.commune, &row.arrondissement].into_iter().flatten() {
        keys.push(secondary(BY_COMMUNE, code.as_str(), row));
    }
    if let Some(t) = row.topic {
        keys.push(secondary(BY_TOPIC, &t.to_string(), row));
    }
    if let Some(a) = &row.assignee {
        keys.push(secondary(BY_ASSIGNEE, a, row));
    }
    keys
}

/// Users by e-mail: lowercased, trimmed.
pub fn email(email: &str) -> Vec<u8> {
    email.trim().to_lowercase().into_bytes()
}
