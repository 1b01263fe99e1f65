//! Settings: defaults, overridden by the environment variables fixed in
//! DESIGN.md (`PORTE_VOIX_PORT`, `PORTE_VOIX_DATA_DIR`, ...). Nothing else
//! reads the environment.

use std::path::PathBuf;

/// Everything the server needs to start.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Address to bind (`PORTE_VOIX_BIND`, default 127.0.0.1).
    pub bind: String,
    /// Port (`PORTE_VOIX_PORT`, default 8080; 0 picks a free port).
    pub port: u16,
    /// sled directory (`PORTE_VOIX_DATA_DIR`, default ./data).
    pub data_dir: PathBuf,
    /// JWT secret (`PORTE_VOIX_JWT_SECRET`); when absent, a random secret is
    /// made once and kept in the store.
    pub jwt_secret: Option<String>,
    /// Territory GeoJSON (`PORTE_VOIX_TERRITORY`); when absent, the embedded
    /// Métropole de Lyon.
    pub territory: Option<PathBuf>,
    /// Built PWA to serve at `/` (`PORTE_VOIX_PWA_DIR`, default pwa/dist).
    pub pwa_dir: PathBuf,
    /// Distance to a border under which a placement is uncertain
    /// (`PORTE_VOIX_NEAR_BORDER_M`, default 150).
    pub near_border_m: f64,
    /// Access token lifetime in seconds (`PORTE_VOIX_ACCESS_TTL`, default 900).
    pub access_ttl_s: i64,
    /// Refresh token lifetime in seconds (`PORTE_VOIX_REFRESH_TTL`, default 30 days).
    pub refresh_ttl_s: i64,
    /// Days a finished contribution keeps its contact details
    /// (`PORTE_VOIX_CONTACT_RETENTION_DAYS`, default 90).
    pub contact_retention_days: i64,
    /// SMTP server for e-mailing answer links (`PORTE_VOIX_SMTP_URL`,
    /// e.g. `smtp://127.0.0.1:2525`); when absent the officer copies them.
    pub smtp_url: Option<String>,
    /// The address residents' recipients open answer links at
    /// (`PORTE_VOIX_PUBLIC_URL`, default `http://{bind}:{port}`).
    pub public_url: Option<String>,
    /// Login rate limits (`PORTE_VOIX_LOGIN_FAILURES_PER_ACCOUNT`, default 5;
    /// `PORTE_VOIX_LOGIN_FAILURES_PER_ADDRESS`, default 50;
    /// `PORTE_VOIX_LOGIN_WINDOW`, seconds, default 900;
    /// `PORTE_VOIX_TRUSTED_PROXIES`, comma-separated addresses whose
    /// `X-Forwarded-For` is believed, default none).
    pub login_limits: crate::auth::limits::LimitSettings,
    /// argon2id cost of new password hashes (`PORTE_VOIX_ARGON2_MEMORY_KIB`,
    /// default 19456; `PORTE_VOIX_ARGON2_ITERATIONS`, default 2;
    /// `PORTE_VOIX_ARGON2_PARALLELISM`, default 1: OWASP's first choice).
    /// Existing hashes keep the cost they were made with.
    pub argon2: crate::auth::password::Argon2Cost,
    /// The key sealing contact details (`PORTE_VOIX_DATA_KEY`, 32 bytes in
    /// base64); when absent, `data.key` in the data directory (made on
    /// first start, mode 0600).
    pub data_key: Option<crate::store::seal::DataKey>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1".into(),
            port: 8080,
            data_dir: PathBuf::from("./data"),
            jwt_secret: None,
            territory: None,
            pwa_dir: PathBuf::from("pwa/dist"),
            near_border_m: 150.0,
            access_ttl_s: 15 * 60,
            refresh_ttl_s: 30 * 24 * 3600,
            contact_retention_days: 90,
            smtp_url: None,
            public_url: None,
            login_limits: Default::default(),
            argon2: Default::default(),
            data_key: None,
        }
    }
}

/// A setting that does not parse.
#[derive(Debug, thiserror::Error)]
#[error("{var}: {problem}")]
pub struct SettingsError {
    pub var: &'static str,
    pub problem: String,
}

impl Settings {
    /// Defaults overridden by the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_vars(|k| std::env::var(k).ok())
    }

    /// Defaults overridden by `get` (the environment, or a map in tests).
    pub fn from_vars(get: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let mut s = Settings::default();
        let parse = |var: &'static str, v: String| -> Result<f64, SettingsError> {
            v.trim().parse::<f64>().map_err(|_| SettingsError {
                var,
                problem: format!("not a number: {v:?}"),
            })
        };
        if let Some(v) = get("PORTE_VOIX_BIND") {
            s.bind = v;
        }
        if let Some(v) = get("PORTE_VOIX_PORT") {
            s.port = v.trim().parse().map_err(|_| SettingsError {
                var: "PORTE_VOIX_PORT",
                problem: format!("not a port number: {v:?}"),
            })?;
        }
        if let Some(v) = get("PORTE_VOIX_DATA_DIR") {
            s.data_dir = v.into();
        }
        s.jwt_secret = get("PORTE_VOIX_JWT_SECRET").filter(|v| !v.is_empty());
        s.territory = get("PORTE_VOIX_TERRITORY")
            .filter(|v| !v.is_empty())
            .map(Into::into);
        if let Some(v) = get("PORTE_VOIX_PWA_DIR") {
            s.pwa_dir = v.into();
        }
        if let Some(v) = get("PORTE_VOIX_NEAR_BORDER_M") {
            s.near_border_m = parse("PORTE_VOIX_NEAR_BORDER_M", v)?;
        }
        if let Some(v) = get("PORTE_VOIX_ACCESS_TTL") {
            s.access_ttl_s = parse("PORTE_VOIX_ACCESS_TTL", v)? as i64;
        }
        if let Some(v) = get("PORTE_VOIX_REFRESH_TTL") {
            s.refresh_ttl_s = parse("PORTE_VOIX_REFRESH_TTL", v)? as i64;
        }
        if let Some(v) = get("PORTE_VOIX_CONTACT_RETENTION_DAYS") {
            s.contact_retention_days = parse("PORTE_VOIX_CONTACT_RETENTION_DAYS", v)? as i64;
        }
        s.smtp_url = get("PORTE_VOIX_SMTP_URL").filter(|v| !v.trim().is_empty());
        s.public_url = get("PORTE_VOIX_PUBLIC_URL")
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim().trim_end_matches('/').to_owned());
        let count = |var: &'static str, v: String| -> Result<u32, SettingsError> {
            v.trim()
                .parse::<u32>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| SettingsError {
                    var,
                    problem: format!("not a positive whole number: {v:?}"),
                })
        };
        if let Some(v) = get("PORTE_VOIX_LOGIN_FAILURES_PER_ACCOUNT") {
            s.login_limits.per_account =
                count("PORTE_VOIX_LOGIN_FAILURES_PER_ACCOUNT", v)? as usize;
        }
        if let Some(v) = get("PORTE_VOIX_LOGIN_FAILURES_PER_ADDRESS") {
            s.login_limits.per_address =
                count("PORTE_VOIX_LOGIN_FAILURES_PER_ADDRESS", v)? as usize;
        }
        if let Some(v) = get("PORTE_VOIX_LOGIN_WINDOW") {
            s.login_limits.window =
                std::time::Duration::from_secs_f64(parse("PORTE_VOIX_LOGIN_WINDOW", v)?.max(0.001));
        }
        if let Some(v) = get("PORTE_VOIX_TRUSTED_PROXIES") {
            s.login_limits.trusted_proxies = v
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(|a| {
                    a.parse().map_err(|_| SettingsError {
                        var: "PORTE_VOIX_TRUSTED_PROXIES",
                        problem: format!("not an IP address: {a:?}"),
                    })
                })
                .collect::<Result<_, _>>()?;
        }
        if let Some(v) = get("PORTE_VOIX_ARGON2_MEMORY_KIB") {
            s.argon2.memory_kib = count("PORTE_VOIX_ARGON2_MEMORY_KIB", v)?;
        }
        if let Some(v) = get("PORTE_VOIX_ARGON2_ITERATIONS") {
            s.argon2.iterations = count("PORTE_VOIX_ARGON2_ITERATIONS", v)?;
        }
        if let Some(v) = get("PORTE_VOIX_ARGON2_PARALLELISM") {
            s.argon2.parallelism = count("PORTE_VOIX_ARGON2_PARALLELISM", v)?;
        }
        if let Some(v) = get("PORTE_VOIX_DATA_KEY").filter(|v| !v.trim().is_empty()) {
            s.data_key = Some(
                crate::store::seal::DataKey::from_base64(&v).map_err(|problem| SettingsError {
                    var: "PORTE_VOIX_DATA_KEY",
                    problem,
                })?,
            );
        }
        s.argon2.check().map_err(|problem| SettingsError {
            var: "PORTE_VOIX_ARGON2_MEMORY_KIB",
            problem,
        })?;
        Ok(s)
    }

    /// The base of links given to people outside (answer links).
    pub fn public_base(&self, bound_port: u16) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}:{}", self.bind, bound_port))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_overrides_defaults() {
        let s = Settings::from_vars(|k| match k {
            "PORTE_VOIX_PORT" => Some("0".into()),
            "PORTE_VOIX_DATA_DIR" => Some("/tmp/x".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(s.port, 0);
        assert_eq!(s.data_dir, PathBuf::from("/tmp/x"));
        assert_eq!(s.bind, "127.0.0.1");
        assert_eq!(s.near_border_m, 150.0);
    }

    #[test]
    fn login_limits_and_argon2_cost_come_from_the_environment() {
        let s = Settings::from_vars(|k| match k {
            "PORTE_VOIX_LOGIN_FAILURES_PER_ACCOUNT" => Some("3".into()),
            "PORTE_VOIX_LOGIN_WINDOW" => Some("2".into()),
            "PORTE_VOIX_TRUSTED_PROXIES" => Some("10.0.0.1, ::1".into()),
            "PORTE_VOIX_ARGON2_MEMORY_KIB" => Some("65536".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(s.login_limits.per_account, 3);
        assert_eq!(s.login_limits.per_address, 50);
        assert_eq!(s.login_limits.window, std::time::Duration::from_secs(2));
        assert_eq!(s.login_limits.trusted_proxies.len(), 2);
        assert_eq!(s.argon2.memory_kib, 65536);
        let bad =
            Settings::from_vars(|k| (k == "PORTE_VOIX_TRUSTED_PROXIES").then(|| "proxy".into()))
                .unwrap_err();
        assert_eq!(bad.var, "PORTE_VOIX_TRUSTED_PROXIES");
        let bad =
            Settings::from_vars(|k| (k == "PORTE_VOIX_ARGON2_MEMORY_KIB").then(|| "4".into()))
                .unwrap_err();
        assert_eq!(bad.var, "PORTE_VOIX_ARGON2_MEMORY_KIB");
    }

    #[test]
    fn a_bad_port_is_a_clear_error() {
        let err =
            Settings::from_vars(|k| (k == "PORTE_VOIX_PORT").then(|| "http".into())).unwrap_err();
        assert_eq!(err.var, "PORTE_VOIX_PORT");
    }
}
