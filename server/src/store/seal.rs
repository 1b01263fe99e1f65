//! Contact details encrypted at rest with XChaCha20-Poly1305.
//!
//! The key is 32 bytes: `PORTE_VOIX_DATA_KEY` (base64) when set, otherwise
//! `data.key` in the data directory, made on first start with mode 0600.
//! A sealed value is `PVS1 ‖ 24-byte random nonce ‖ ciphertext+tag`; the
//! record's key (the contribution id) is bound as associated data, so a
//! sealed value moved under another contribution does not open.
//!
//! Without the key the contacts cannot be read: back it up apart from the
//! store (docs/OPERATIONS.md). An erased contact leaves, until sled
//! compacts its log, only ciphertext behind.

use super::{StoreError, StoreResult};
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use std::path::Path;

const MAGIC: &[u8; 4] = b"PVS1";
/// The key file's name in the data directory.
pub const KEY_FILE: &str = "data.key";

/// The data key.
#[derive(Clone)]
pub struct DataKey(XChaCha20Poly1305);

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(..)")
    }
}

fn corrupt(problem: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        tree: "contacts",
        problem: problem.into(),
    }
}

impl DataKey {
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, String> {
        if bytes.len() != 32 {
            return Err(format!(
                "the data key must be 32 bytes, not {}",
                bytes.len()
            ));
        }
        Ok(Self(
            XChaCha20Poly1305::new_from_slice(bytes).map_err(|e| e.to_string())?,
        ))
    }

    /// Parses the base64 of `PORTE_VOIX_DATA_KEY`.
    pub fn from_base64(text: &str) -> Result<Self, String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.trim()))
            .map_err(|_| "the data key is not base64".to_owned())?;
        Self::from_bytes(&bytes)
    }

    /// Reads `dir/data.key`, or makes it (random, mode 0600) when absent.
    pub fn load_or_create(dir: &Path) -> StoreResult<Self> {
        let path = dir.join(KEY_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => Self::from_bytes(&bytes).map_err(|p| StoreError::Corrupt {
                tree: "data.key",
                problem: p,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                rand::rng().fill_bytes(&mut key);
                write_private(&path, &key)
                    .map_err(|e| StoreError::Backend(format!("writing {KEY_FILE}: {e}")))?;
                Self::from_bytes(&key).map_err(StoreError::Backend)
            }
            Err(e) => Err(StoreError::Backend(format!("reading {KEY_FILE}: {e}"))),
        }
    }

    /// Encrypts `plain` for the record `aad`.
    pub fn seal(&self, aad: &[u8], plain: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = self
            .0
            .encrypt(&XNonce::from(nonce), Payload { msg: plain, aad })
            .expect("XChaCha20-Poly1305 encrypts any length we store");
        let mut out = Vec::with_capacity(4 + 24 + sealed.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    /// Decrypts a sealed value; a value written before encryption (plain
    /// JSON, `{…`) is returned as it is, so an older store still reads.
    pub fn open(&self, aad: &[u8], stored: &[u8]) -> StoreResult<Vec<u8>> {
        if stored.first() == Some(&b'{') {
            return Ok(stored.to_vec());
        }
        let rest = stored
            .strip_prefix(MAGIC.as_slice())
            .ok_or_else(|| corrupt("not a sealed value"))?;
        if rest.len() < 24 + 16 {
            return Err(corrupt("sealed value too short"));
        }
        let (nonce, sealed) = rest.split_at(24);
        let nonce: [u8; 24] = nonce.try_into().expect("split at 24");
        self.0
            .decrypt(&XNonce::from(nonce), Payload { msg: sealed, aad })
            .map_err(|_| corrupt("contact details do not open with this data key (wrong PORTE_VOIX_DATA_KEY or data.key?)"))
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_with_its_key_and_record_only() {
        let dir = tempfile::tempdir().unwrap();
        let key = DataKey::load_or_create(dir.path()).unwrap();
        let sealed = key.seal(b"rec-1", b"{\"phone\":\"06 12 34 56 78\"}");
        assert!(!sealed.windows(5).any(|w| w == b"phone"));
        assert_eq!(
            key.open(b"rec-1", &sealed).unwrap(),
            b"{\"phone\":\"06 12 34 56 78\"}"
        );
        assert!(key.open(b"rec-2", &sealed).is_err(), "bound to its record");
        let other = DataKey::from_bytes(&[7u8; 32]).unwrap();
        assert!(other.open(b"rec-1", &sealed).is_err(), "another key");
        // Two seals of one value differ (random nonce).
        assert_ne!(
            sealed,
            key.seal(b"rec-1", b"{\"phone\":\"06 12 34 56 78\"}")
        );
        // The key file is reused, and private.
        let again = DataKey::load_or_create(dir.path()).unwrap();
        assert!(again.open(b"rec-1", &sealed).is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A plain value from before encryption still reads.
        assert_eq!(key.open(b"rec-1", b"{\"a\":1}").unwrap(), b"{\"a\":1}");
        assert!(DataKey::from_base64("c2hvcnQ=").is_err());
    }
}
