//! Password hashing with argon2id, a random salt, and a cost set once at
//! start (`Settings::argon2`). A hash keeps the cost it was made with in
//! its PHC string, so raising the cost never locks anyone out.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};

/// argon2id's cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argon2Cost {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl Default for Argon2Cost {
    /// OWASP's first recommended setting for argon2id (19 MiB, 2 passes, 1
    /// lane), the argon2 crate's defaults.
    fn default() -> Self {
        Self {
            memory_kib: Params::DEFAULT_M_COST,
            iterations: Params::DEFAULT_T_COST,
            parallelism: Params::DEFAULT_P_COST,
        }
    }
}

impl Argon2Cost {
    fn params(&self) -> Result<Params, argon2::Error> {
        Params::new(self.memory_kib, self.iterations, self.parallelism, None)
    }

    /// Why these parameters are refused, if they are.
    pub fn check(&self) -> Result<(), String> {
        self.params()
            .map(|_| ())
            .map_err(|e| format!("argon2 parameters refused: {e}"))
    }
}

static COST: std::sync::OnceLock<Argon2Cost> = std::sync::OnceLock::new();

/// Sets the cost of new hashes for this process (first call wins; before
/// any call the default applies).
pub fn set_cost(cost: Argon2Cost) {
    let _ = COST.set(cost);
}

fn hasher() -> Argon2<'static> {
    let cost = COST.get().copied().unwrap_or_default();
    let params = cost.params().unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A PHC-format argon2id hash of `password`.
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(hasher()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Whether `password` matches `hash` (false for a malformed hash).
pub fn verify(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// A password check waiting for the hashing thread.
type Job = (String, String, tokio::sync::oneshot::Sender<bool>);

/// Verifies on the one thread that does password hashing. argon2 needs
/// 19 MiB per verification; done on the runtime's blocking pool, each of
/// its threads kept that much in its own malloc arena (measured: 20
/// sequential logins grew the server from 24 MB to 414 MB). One dedicated
/// thread keeps it to one buffer; logins queue (about 50 ms each in a
/// release build), which a conseil de développement's few hundred accounts
/// never notice.
pub async fn verify_on_worker(password: String, hash: String) -> bool {
    static WORKER: std::sync::OnceLock<std::sync::mpsc::Sender<Job>> = std::sync::OnceLock::new();
    let worker = WORKER.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("password-hashing".into())
            .spawn(move || {
                for (password, hash, reply) in rx {
                    let _ = reply.send(verify(&password, &hash));
                }
            })
            .expect("spawning the password-hashing thread");
        tx
    });
    let (reply, answer) = tokio::sync::oneshot::channel();
    if worker.send((password, hash, reply)).is_err() {
        return false;
    }
    answer.await.unwrap_or(false)
}

/// A hash to verify against when the e-mail is unknown, so that a login
/// for an unknown account costs as much as one with a wrong password.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash("porte-voix-dummy-password").expect("hashing works"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_hash_verifies_its_password_only() {
        let h = super::hash("correct horse").unwrap();
        assert!(super::verify("correct horse", &h));
        assert!(!super::verify("wrong horse", &h));
        assert!(!super::verify("correct horse", "not a hash"));
        assert_ne!(h, super::hash("correct horse").unwrap(), "salted");
    }
}
