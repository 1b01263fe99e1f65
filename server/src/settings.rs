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
    fn a_bad_port_is_a_clear_error() {
        let err =
            Settings::from_vars(|k| (k == "PORTE_VOIX_PORT").then(|| "http".into())).unwrap_err();
        assert_eq!(err.var, "PORTE_VOIX_PORT");
    }
}
