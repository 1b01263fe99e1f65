//! Login rate limits: failed logins are counted per account (the e-mail as
//! typed, lower-cased, whether or not an account has it, so that the limit
//! itself tells nothing about which addresses exist) and per client
//! address, over a sliding window. Past a limit the login answers 429 with
//! `Retry-After` before any password is checked, so a guessing script
//! costs the server nothing more.
//!
//! A successful login clears its account's failures (a volunteer who
//! mistyped twice is not held back later); the address's failures stay,
//! so one machine cannot try a password on every account.
//!
//! Behind a reverse proxy the client address is the last `X-Forwarded-For`
//! hop not in `PORTE_VOIX_TRUSTED_PROXIES`; the header is ignored when the
//! connection does not come from one of those proxies (anyone can send it).

use actix_web::HttpRequest;
use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How many failures a key may have within `window`.
#[derive(Debug, Clone)]
pub struct LimitSettings {
    pub per_account: usize,
    pub per_address: usize,
    pub window: Duration,
    pub trusted_proxies: Vec<IpAddr>,
}

impl Default for LimitSettings {
    fn default() -> Self {
        Self {
            per_account: 5,
            per_address: 50,
            window: Duration::from_secs(15 * 60),
            trusted_proxies: Vec::new(),
        }
    }
}

/// Failure times per key, oldest first.
#[derive(Default)]
struct Window {
    by_key: HashMap<String, VecDeque<Instant>>,
    /// Keys are dropped once their failures have all expired; a sweep runs
    /// every so many calls so that the map stays bounded.
    calls: u64,
}

impl Window {
    fn prune(&mut self, key: &str, now: Instant, window: Duration) -> usize {
        let Some(q) = self.by_key.get_mut(key) else {
            return 0;
        };
        while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
            q.pop_front();
        }
        let n = q.len();
        if n == 0 {
            self.by_key.remove(key);
        }
        n
    }

    /// Seconds until the key is below `limit` again, or `None` when it is.
    fn blocked_for(&mut self, key: &str, limit: usize, now: Instant, w: Duration) -> Option<u64> {
        self.calls += 1;
        if self.calls.is_multiple_of(1024) {
            self.by_key
                .retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < w));
        }
        let n = self.prune(key, now, w);
        if n < limit {
            return None;
        }
        // The (n - limit + 1)-th oldest failure must expire first.
        let q = &self.by_key[key];
        let t = q[n - limit];
        let left = w.saturating_sub(now.duration_since(t));
        Some(left.as_secs().max(1))
    }

    fn record(&mut self, key: &str, now: Instant) {
        self.by_key
            .entry(key.to_owned())
            .or_default()
            .push_back(now);
    }
}

/// The login limiter of a server.
pub struct LoginLimiter {
    settings: LimitSettings,
    accounts: Mutex<Window>,
    addresses: Mutex<Window>,
}

/// Why a login is held back: retry after so many seconds.
#[derive(Debug, PartialEq, Eq)]
pub struct Blocked {
    pub retry_after_s: u64,
}

impl LoginLimiter {
    pub fn new(settings: LimitSettings) -> Self {
        Self {
            settings,
            accounts: Mutex::default(),
            addresses: Mutex::default(),
        }
    }

    fn account_key(email: &str) -> String {
        email.trim().to_lowercase()
    }

    /// Refuses when the account or the address has too many recent failures.
    pub fn check(&self, email: &str, address: Option<IpAddr>) -> Result<(), Blocked> {
        let now = Instant::now();
        let w = self.settings.window;
        let account = self.accounts.lock().expect("limiter lock").blocked_for(
            &Self::account_key(email),
            self.settings.per_account,
            now,
            w,
        );
        let address = address.and_then(|a| {
            self.addresses.lock().expect("limiter lock").blocked_for(
                &a.to_string(),
                self.settings.per_address,
                now,
                w,
            )
        });
        match account.max(address) {
            Some(s) => Err(Blocked { retry_after_s: s }),
            None => Ok(()),
        }
    }

    /// Counts a failed login.
    pub fn failed(&self, email: &str, address: Option<IpAddr>) {
        let now = Instant::now();
        self.accounts
            .lock()
            .expect("limiter lock")
            .record(&Self::account_key(email), now);
        if let Some(a) = address {
            self.addresses
                .lock()
                .expect("limiter lock")
                .record(&a.to_string(), now);
        }
    }

    /// Clears an account's failures after a successful login.
    pub fn succeeded(&self, email: &str) {
        self.accounts
            .lock()
            .expect("limiter lock")
            .by_key
            .remove(&Self::account_key(email));
    }

    /// The client's address: the peer, or — when the peer is a trusted
    /// proxy — the last `X-Forwarded-For` hop that is not one.
    pub fn client_address(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr().map(|a| a.ip());
        client_address(peer, forwarded_for(req), &self.settings.trusted_proxies)
    }
}

fn forwarded_for(req: &HttpRequest) -> Vec<String> {
    req.headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_owned())
        .collect()
}

/// See [`LoginLimiter::client_address`].
pub fn client_address(
    peer: Option<IpAddr>,
    forwarded: Vec<String>,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let mut last = peer;
    for hop in forwarded.iter().rev() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => last = ip,
            Ok(ip) => return Some(ip),
            // A hop that is not an address: stop at the last one we trust.
            Err(_) => return Some(last),
        }
    }
    Some(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(per_account: usize, per_address: usize, window_ms: u64) -> LoginLimiter {
        LoginLimiter::new(LimitSettings {
            per_account,
            per_address,
            window: Duration::from_millis(window_ms),
            trusted_proxies: vec![],
        })
    }

    #[test]
    fn an_account_is_held_back_after_its_limit_and_free_again_after_the_window() {
        let l = limiter(3, 100, 300);
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(l.check("Vol@test.fr", Some(ip)), Ok(()));
            l.failed("vol@test.fr ", Some(ip));
        }
        let b = l.check("VOL@test.fr", Some(ip)).unwrap_err();
        assert!(b.retry_after_s >= 1);
        // Another account from the same address is not held back.
        assert_eq!(l.check("autre@test.fr", Some(ip)), Ok(()));
        std::thread::sleep(Duration::from_millis(350));
        assert_eq!(l.check("vol@test.fr", Some(ip)), Ok(()));
    }

    #[test]
    fn success_clears_the_account_but_not_the_address() {
        let l = limiter(2, 3, 60_000);
        let ip: IpAddr = "10.0.0.2".parse().unwrap();
        l.failed("a@test.fr", Some(ip));
        l.failed("a@test.fr", Some(ip));
        assert!(l.check("a@test.fr", Some(ip)).is_err());
        l.succeeded("a@test.fr");
        assert_eq!(l.check("a@test.fr", Some(ip)), Ok(()));
        l.failed("b@test.fr", Some(ip));
        // Three failures from the address, on two accounts: held back.
        assert!(l.check("c@test.fr", Some(ip)).is_err());
        assert_eq!(
            l.check("c@test.fr", Some("10.0.0.3".parse().unwrap())),
            Ok(())
        );
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.1.1.1".parse().unwrap();
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        let spoofed = vec!["198.51.100.1".to_owned(), client.to_string()];
        // From the proxy: the last hop before it.
        assert_eq!(
            client_address(Some(proxy), spoofed.clone(), &[proxy]),
            Some(client)
        );
        // Not from a proxy: the header is anyone's, the peer counts.
        assert_eq!(
            client_address(Some(client), vec!["1.2.3.4".into()], &[proxy]),
            Some(client)
        );
        // No header from the proxy: the proxy itself.
        assert_eq!(client_address(Some(proxy), vec![], &[proxy]), Some(proxy));
        // Garbage in the header: the last trusted hop.
        assert_eq!(
            client_address(Some(proxy), vec!["not-an-ip".into()], &[proxy]),
            Some(proxy)
        );
    }
}
