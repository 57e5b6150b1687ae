//! Who may log in: the [`SftpAuthenticator`] seam (the panel's `POST /api/remote/sftp/auth`
//! in production, a stand-in in tests), the SFTP username format, and the per-address
//! [`LoginThrottle`] wings keeps on its own, whatever the panel does.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub use aerie_proto::wings::{SftpAuthKind, SftpAuthRequest, SftpAuthResponse};

use crate::runtime::BoxFut;

/// Why a login was not accepted by the authenticator.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SftpAuthError {
    /// Wrong username, password or key (the panel answered 403, or 400 for an unknown server).
    #[error("invalid credentials")]
    Denied,
    /// The panel refuses to check more logins for now (it answered 429).
    #[error("too many login attempts; try again later")]
    Throttled,
    /// The panel could not be asked (unreachable, 5xx, an unexpected answer).
    #[error("cannot check the login with the panel: {message}")]
    Unavailable {
        /// Why, for the log (never shown to the SFTP client).
        message: String,
    },
}

/// Checks SFTP credentials. Wings' production implementation is
/// [`RemoteClient`](crate::remote::RemoteClient), which asks the panel.
pub trait SftpAuthenticator: Send + Sync + 'static {
    /// Whether `req` is a valid login, and for which user, server and permissions.
    fn authenticate(
        &self,
        req: SftpAuthRequest,
    ) -> BoxFut<'_, Result<SftpAuthResponse, SftpAuthError>>;
}

/// An SFTP username split into its parts: `<panel user>.<server short id>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SftpUsername {
    /// The panel username (anything, including dots).
    pub user: String,
    /// The server's short id: the first eight characters of its UUID, lower-cased.
    pub short_id: String,
}

impl SftpUsername {
    /// Parses `name` the way Pterodactyl does (`^(?i)(.+)\.([a-z0-9]{8})$`): everything
    /// before the last dot is the user, and what follows must be eight ASCII letters or
    /// digits. `None` for anything else.
    pub fn parse(name: &str) -> Option<SftpUsername> {
        let (user, id) = name.rsplit_once('.')?;
        if user.is_empty() || id.len() != 8 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        Some(SftpUsername {
            user: user.to_owned(),
            short_id: id.to_ascii_lowercase(),
        })
    }

    /// Whether `server_uuid` is the server this username names (its first eight
    /// characters, ignoring case, are the short id).
    pub fn names_server(&self, server_uuid: &str) -> bool {
        server_uuid
            .get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case(&self.short_id))
    }
}

/// Limits of the [`LoginThrottle`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleSettings {
    /// This many failed logins from one address within `window` block it.
    pub max_failures: usize,
    /// How far back failures count.
    pub window: Duration,
    /// How long a blocked address is refused.
    pub block: Duration,
}

impl Default for ThrottleSettings {
    /// Five failures within a minute block the address for five minutes.
    fn default() -> Self {
        Self {
            max_failures: 5,
            window: Duration::from_secs(60),
            block: Duration::from_secs(300),
        }
    }
}

#[derive(Debug, Default)]
struct Record {
    failures: VecDeque<Instant>,
    blocked_until: Option<Instant>,
}

/// Failed SFTP logins per client address, and the addresses refused for a while because of
/// them. IPv6 clients are counted per /64, since one host usually owns the whole prefix.
///
/// This is wings' own brake, independent of the panel's throttle: it also spares the
/// panel the requests, and it applies to usernames that never reach the panel.
#[derive(Debug)]
pub struct LoginThrottle {
    settings: ThrottleSettings,
    records: Mutex<HashMap<IpAddr, Record>>,
}

/// Above this many tracked addresses, stale records are swept on the next failure.
const SWEEP_ABOVE: usize = 4096;

impl LoginThrottle {
    /// A throttle with these limits.
    pub fn new(settings: ThrottleSettings) -> Self {
        Self {
            settings,
            records: Mutex::new(HashMap::new()),
        }
    }

    /// How much longer `ip` is refused, if it is.
    pub fn blocked_for(&self, ip: IpAddr) -> Option<Duration> {
        let now = Instant::now();
        let records = self.lock();
        let until = records.get(&key(ip))?.blocked_until?;
        until.checked_duration_since(now).filter(|d| !d.is_zero())
    }

    /// Counts a failed login from `ip`; returns how long it is now refused if this failure
    /// blocked it.
    pub fn record_failure(&self, ip: IpAddr) -> Option<Duration> {
        let now = Instant::now();
        let s = self.settings;
        let mut records = self.lock();
        if records.len() > SWEEP_ABOVE {
            records.retain(|_, r| {
                r.blocked_until.is_some_and(|u| u > now)
                    || r.failures
                        .back()
                        .is_some_and(|t| now.duration_since(*t) < s.window)
            });
        }
        let r = records.entry(key(ip)).or_default();
        if r.blocked_until.is_some_and(|u| u <= now) {
            r.blocked_until = None;
        }
        r.failures.push_back(now);
        while r
            .failures
            .front()
            .is_some_and(|t| now.duration_since(*t) >= s.window)
        {
            r.failures.pop_front();
        }
        // Bounded: once blocked, the count restarts.
        if r.failures.len() >= s.max_failures.max(1) {
            r.failures.clear();
            r.blocked_until = Some(now + s.block);
            return Some(s.block);
        }
        None
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, Record>> {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The address failures are counted under: IPv4 as is (and IPv4-mapped IPv6 as IPv4),
/// IPv6 by its /64 prefix.
fn key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(
                u128::from(v6) & !((1u128 << 64) - 1),
            )),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames() {
        let u = SftpUsername::parse("alice.1A2b3C4d").unwrap();
        assert_eq!(
            (u.user.as_str(), u.short_id.as_str()),
            ("alice", "1a2b3c4d")
        );
        let u = SftpUsername::parse("first.last.deadbeef").unwrap();
        assert_eq!(u.user, "first.last");
        assert!(u.names_server("DEADBEEF-0000-4000-8000-000000000000"));
        assert!(!u.names_server("deadbee0-0000-4000-8000-000000000000"));
        assert!(!u.names_server("dead"));
        for bad in [
            "alice",
            "alice.",
            ".deadbeef",
            "alice.deadbee",
            "alice.deadbeef0",
            "alice.dead-eef",
            "alice.deadbeé",
        ] {
            assert_eq!(SftpUsername::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn throttle_blocks_after_max_failures_and_expires() {
        let t = LoginThrottle::new(ThrottleSettings {
            max_failures: 3,
            window: Duration::from_secs(60),
            block: Duration::from_millis(50),
        });
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        assert_eq!(t.record_failure(ip), None);
        assert_eq!(t.record_failure(ip), None);
        assert!(t.blocked_for(ip).is_none());
        assert_eq!(t.record_failure(ip), Some(Duration::from_millis(50)));
        assert!(t.blocked_for(ip).is_some());
        assert!(t.blocked_for(other).is_none());
        std::thread::sleep(Duration::from_millis(60));
        assert!(t.blocked_for(ip).is_none());
        assert_eq!(
            t.record_failure(ip),
            None,
            "the count restarted after the block"
        );
    }

    #[test]
    fn ipv6_counts_per_prefix() {
        let t = LoginThrottle::new(ThrottleSettings {
            max_failures: 2,
            ..ThrottleSettings::default()
        });
        t.record_failure("2001:db8::1".parse().unwrap());
        assert!(t.record_failure("2001:db8::2".parse().unwrap()).is_some());
        assert!(t.blocked_for("2001:db8::ffff".parse().unwrap()).is_some());
        assert!(t.blocked_for("2001:db8:0:1::1".parse().unwrap()).is_none());
        t.record_failure("::ffff:192.0.2.9".parse().unwrap());
        assert!(t.record_failure("192.0.2.9".parse().unwrap()).is_some());
    }
}
