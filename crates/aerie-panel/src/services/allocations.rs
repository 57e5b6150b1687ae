//! Allocations: adding ip/port ranges to nodes, listing and deleting them, and picking a free
//! one for an automatic deployment.
//!
//! The rules are Pterodactyl's `AssignmentService`, `AllocationDeletionService` and
//! `AllocationSelectionService`: ports above 1024 up to 65535, ranges of at most 1000 ports,
//! IPv4 CIDRs from /25 to /32 expanded to every address, duplicates skipped, assigned
//! allocations never deleted. Where Pterodactyl answers a bad port or CIDR with a 400
//! `DisplayException`, Aerie answers a 422 naming the field.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use aerie_db::Db;
use aerie_db::repo::allocations::{Allocation, AllocationListQuery, PortRange};
use aerie_http::Error;
use serde_json::{Map, Value, json};

use super::nodes::find_node;
use super::{db_err, not_found};

/// Lowest port that may not be used: allocations must be above it.
pub const PORT_FLOOR: i64 = 1024;
/// Highest usable port.
pub const PORT_CEIL: i64 = 65535;
/// Most ports one range may hold.
pub const PORT_RANGE_LIMIT: i64 = 1000;
/// Shortest IPv4 prefix accepted in CIDR notation (128 addresses).
pub const CIDR_MIN_PREFIX_V4: u8 = 25;
/// Shortest IPv6 prefix accepted in CIDR notation (128 addresses).
pub const CIDR_MIN_PREFIX_V6: u8 = 121;

/// How long resolving a hostname given as the allocation IP may take.
const RESOLVE_TIMEOUT: Duration = Duration::from_secs(5);

const CIDR_MESSAGE: &str = "CIDR notation only allows masks between /25 and /32.";
const OUT_OF_RANGE_MESSAGE: &str =
    "Ports in an allocation must be greater than 1024 and less than or equal to 65535.";
const TOO_MANY_MESSAGE: &str =
    "Adding more than 1000 ports in a single range at once is not supported.";
const NO_ALLOCATION_MESSAGE: &str =
    "No allocations satisfying the requirements for automatic deployment on this node were found.";

/// The application API's allocation attributes (`Application\AllocationTransformer`):
/// `id, ip, alias, port, notes, assigned`.
pub fn allocation_attributes(a: &Allocation) -> Value {
    json!({
        "id": a.id,
        "ip": a.ip,
        "alias": a.ip_alias,
        "port": a.port,
        "notes": a.notes,
        "assigned": a.server_id.is_some(),
    })
}

/// A filtered page of node `node_id`'s allocations and the number matching; 404 when the
/// node does not exist.
pub async fn list_allocations(
    db: &Db,
    node_id: &str,
    query: &AllocationListQuery,
) -> Result<(Vec<Allocation>, i64), Error> {
    let node = find_node(db, node_id).await?;
    db.allocations()
        .list_by_node(node.id, query)
        .await
        .map_err(db_err)
}

/// `POST /nodes/{id}/allocations`: adds every port of `ports` on every address `ip` stands
/// for, with the alias `alias`; ports the node already has on an address are skipped.
/// `body` is the request object (`{"ip", "alias", "ports": ["25565", "25570-25580"]}`).
/// Returns how many allocations were created. 404 when the node does not exist, 422 when
/// the body breaks a rule.
pub async fn create_allocations(
    db: &Db,
    node_id: &str,
    body: &Map<String, Value>,
) -> Result<u64, Error> {
    let node = find_node(db, node_id).await?;

    let ip = match body.get("ip") {
        None | Some(Value::Null) => return Err(required("ip")),
        Some(Value::String(s)) if s.trim().is_empty() => return Err(required("ip")),
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(_) => {
            return Err(Error::validation(
                "ip",
                "string",
                "The ip must be a string.",
            ));
        }
    };
    let alias = match body.get("alias") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) if s.chars().count() > 191 => {
            return Err(Error::validation(
                "alias",
                "max",
                "The alias must not be greater than 191 characters.",
            ));
        }
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => {
            return Err(Error::validation(
                "alias",
                "string",
                "The alias must be a string.",
            ));
        }
    };
    let raw_ports: Vec<String> = match body.get("ports") {
        None | Some(Value::Null) => return Err(required("ports")),
        Some(Value::Array(items)) if items.is_empty() => return Err(required("ports")),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                Value::String(s) => Ok(s.trim().to_owned()),
                // Integers are what a client means by a port, though Pterodactyl wants strings.
                Value::Number(n) if n.is_i64() || n.is_u64() => Ok(n.to_string()),
                _ => Err(Error::validation(
                    &format!("ports.{i}"),
                    "string",
                    format!("The ports.{i} must be a string."),
                )),
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(Error::validation(
                "ports",
                "array",
                "The ports must be an array.",
            ));
        }
    };

    let ports = parse_ports(&raw_ports)?;
    let addresses = resolve_addresses(&ip).await?;

    let mut created = 0;
    for addr in &addresses {
        created += db
            .allocations()
            .insert_ignore(node.id, &addr.to_string(), alias.as_deref(), &ports)
            .await
            .map_err(db_err)?;
    }
    tracing::info!(
        node.id = node.id,
        allocation.ip = %ip,
        allocations.created = created,
        "allocations added"
    );
    Ok(created)
}

/// `DELETE /nodes/{id}/allocations/{allocation}`: deletes a free allocation of the node.
/// 404 when the node or the allocation does not exist or the allocation is on another
/// node; 400 when a server uses it.
pub async fn delete_allocation(db: &Db, node_id: &str, allocation_id: &str) -> Result<(), Error> {
    let node = find_node(db, node_id).await?;
    let id: i64 = allocation_id.parse().map_err(|_| not_found())?;
    let allocation = db
        .allocations()
        .find_on_node(node.id, id)
        .await
        .map_err(db_err)?
        .ok_or_else(not_found)?;
    if allocation.server_id.is_some()
        || !db
            .allocations()
            .delete_unassigned(allocation.id)
            .await
            .map_err(db_err)?
    {
        return Err(Error::BadRequest(
            "Cannot delete an allocation that is currently assigned to a server.".into(),
        ));
    }
    Ok(())
}

/// Picks a random free allocation for an automatic deployment (Pterodactyl's
/// `AllocationSelectionService`): on one of `node_ids` (any node when empty), with a port
/// in `port_ranges` (`"25565"` or `"25565-25600"`; entries of any other form are ignored,
/// and an empty list allows every port). With `dedicated_ip`, only addresses on which no
/// allocation is assigned yet qualify.
///
/// # Errors
/// 400 when a range spans more than 1000 ports or no allocation qualifies.
pub async fn find_deployable_allocation(
    db: &Db,
    node_ids: &[i64],
    dedicated_ip: bool,
    port_ranges: &[String],
) -> Result<Allocation, Error> {
    let ranges = deploy_port_ranges(port_ranges)?;
    let ids = db
        .allocations()
        .deployable_ids(node_ids, dedicated_ip, &ranges)
        .await
        .map_err(db_err)?;
    if ids.is_empty() {
        return Err(Error::BadRequest(NO_ALLOCATION_MESSAGE.into()));
    }
    let pick = {
        use rand::Rng;
        ids[rand::rng().random_range(0..ids.len())]
    };
    db.allocations()
        .find(pick)
        .await
        .map_err(db_err)?
        .ok_or_else(|| Error::BadRequest(NO_ALLOCATION_MESSAGE.into()))
}

/// Parses deployment port specs: single ports and `a-b` ranges (4–5 digits each side).
fn deploy_port_ranges(specs: &[String]) -> Result<Vec<PortRange>, Error> {
    let mut out = Vec::new();
    for spec in specs {
        let spec = spec.trim();
        if !spec.is_empty() && spec.bytes().all(|b| b.is_ascii_digit()) {
            if let Ok(p) = spec.parse::<i64>() {
                out.push(PortRange { start: p, end: p });
            }
            continue;
        }
        if let Some((a, b)) = parse_range(spec) {
            if (b - a).abs() > PORT_RANGE_LIMIT {
                return Err(Error::BadRequest(TOO_MANY_MESSAGE.into()));
            }
            out.push(PortRange {
                start: a.min(b),
                end: a.max(b),
            });
        }
    }
    Ok(out)
}

/// `^(\d{4,5})-(\d{4,5})$` → the two numbers.
fn parse_range(spec: &str) -> Option<(i64, i64)> {
    let (a, b) = spec.split_once('-')?;
    let ok = |s: &str| (4..=5).contains(&s.len()) && s.bytes().all(|c| c.is_ascii_digit());
    if !ok(a) || !ok(b) {
        return None;
    }
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// Expands the `ports` entries of an allocation request into ports, checking each one
/// (Pterodactyl's mapping, range-size and floor/ceiling rules).
///
/// # Errors
/// 422 on `ports.N` naming the broken rule.
pub fn parse_ports(entries: &[String]) -> Result<Vec<i64>, Error> {
    let mut ports = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let field = format!("ports.{i}");
        let is_digits = !entry.is_empty() && entry.bytes().all(|b| b.is_ascii_digit());
        if is_digits {
            let port = entry.parse::<i64>().unwrap_or(i64::MAX);
            if port <= PORT_FLOOR || port > PORT_CEIL {
                return Err(Error::validation(&field, "between", OUT_OF_RANGE_MESSAGE));
            }
            ports.push(port);
            continue;
        }
        let Some((a, b)) = parse_range(entry) else {
            return Err(Error::validation(
                &field,
                "regex",
                format!("The mapping provided for {entry} was invalid and could not be processed."),
            ));
        };
        let (lo, hi) = (a.min(b), a.max(b));
        if hi - lo + 1 > PORT_RANGE_LIMIT {
            return Err(Error::validation(&field, "max", TOO_MANY_MESSAGE));
        }
        if lo <= PORT_FLOOR || hi > PORT_CEIL {
            return Err(Error::validation(&field, "between", OUT_OF_RANGE_MESSAGE));
        }
        ports.extend(lo..=hi);
    }
    ports.sort_unstable();
    ports.dedup();
    Ok(ports)
}

/// The addresses an allocation `ip` stands for: an IPv4 or IPv6 address, every address of
/// an IPv4 CIDR from /25 to /32 (IPv6: /121 to /128), or the IPv4 address a hostname
/// resolves to (Pterodactyl's `gethostbyname`). Text that is none of these is refused
/// without any lookup.
///
/// # Errors
/// 422 on `ip`.
pub async fn resolve_addresses(ip: &str) -> Result<Vec<IpAddr>, Error> {
    if let Some((base, prefix)) = ip.split_once('/') {
        return expand_cidr(base, prefix);
    }
    if let Ok(addr) = ip.parse::<IpAddr>() {
        return Ok(vec![addr]);
    }
    let unparsable = || {
        Error::validation(
            "ip",
            "ip",
            format!("Could not parse provided allocation IP address ({ip})."),
        )
    };
    if !is_hostname(ip) {
        return Err(unparsable());
    }
    let lookup = tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((ip, 0))).await;
    let addrs: Vec<IpAddr> = match lookup {
        Ok(Ok(addrs)) => addrs.map(|a| a.ip()).collect(),
        _ => return Err(unparsable()),
    };
    addrs
        .iter()
        .find(|a| a.is_ipv4())
        .or_else(|| addrs.first())
        .map(|a| vec![*a])
        .ok_or_else(unparsable)
}

fn expand_cidr(base: &str, prefix: &str) -> Result<Vec<IpAddr>, Error> {
    let cidr_error = || Error::validation("ip", "cidr", CIDR_MESSAGE);
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(cidr_error());
    }
    let bits: u8 = prefix.parse().map_err(|_| cidr_error())?;
    match base.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => {
            if !(CIDR_MIN_PREFIX_V4..=32).contains(&bits) {
                return Err(cidr_error());
            }
            let host_bits = 32 - u32::from(bits);
            let mask = u32::MAX.checked_shl(host_bits).unwrap_or(0);
            let first = u32::from(v4) & mask;
            Ok((0..(1u32 << host_bits))
                .map(|i| IpAddr::V4(Ipv4Addr::from(first + i)))
                .collect())
        }
        Ok(IpAddr::V6(v6)) => {
            if !(CIDR_MIN_PREFIX_V6..=128).contains(&bits) {
                return Err(cidr_error());
            }
            let host_bits = 128 - u32::from(bits);
            let mask = u128::MAX.checked_shl(host_bits).unwrap_or(0);
            let first = u128::from(v6) & mask;
            Ok((0..(1u128 << host_bits))
                .map(|i| IpAddr::V6(Ipv6Addr::from(first + i)))
                .collect())
        }
        Err(_) => Err(Error::validation(
            "ip",
            "ip",
            format!("Could not parse provided allocation IP address ({base}/{prefix})."),
        )),
    }
}

/// RFC 1123 hostname syntax: dot-separated labels of letters, digits and inner hyphens.
fn is_hostname(s: &str) -> bool {
    let s = s.strip_suffix('.').unwrap_or(s);
    !s.is_empty()
        && s.len() <= 253
        && s.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

fn required(field: &str) -> Error {
    Error::validation(field, "required", format!("The {field} field is required."))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(e: Error) -> (String, String, String) {
        match e {
            Error::Validation {
                field,
                rule,
                message,
            } => (field, rule, message),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn ports_and_ranges() {
        let p = parse_ports(&["25565".into(), "25570-25572".into(), "25566".into()]).unwrap();
        assert_eq!(p, [25565, 25566, 25570, 25571, 25572]);
        // Reversed ranges and duplicates are fine.
        assert_eq!(
            parse_ports(&["2002-2000".into(), "2001".into()]).unwrap(),
            [2000, 2001, 2002]
        );
        assert_eq!(
            parse_ports(&["1025".into(), "65535".into()]).unwrap(),
            [1025, 65535]
        );
        // Exactly 1000 ports is allowed, 1001 is not.
        assert_eq!(parse_ports(&["2000-2999".into()]).unwrap().len(), 1000);
        assert_eq!(
            rule(parse_ports(&["2000-3000".into()]).unwrap_err()).1,
            "max"
        );

        for (bad, r) in [
            ("1024", "between"),
            ("80", "between"),
            ("65536", "between"),
            ("99999999999999999999", "between"),
            ("1024-1030", "between"),
            ("65000-65536", "between"),
            ("abc", "regex"),
            ("", "regex"),
            ("25565-", "regex"),
            ("25565 - 25570", "regex"),
            ("123-2000", "regex"),
        ] {
            let (field, got, _) = rule(parse_ports(&["2000".into(), bad.into()]).unwrap_err());
            assert_eq!((field.as_str(), got.as_str()), ("ports.1", r), "{bad}");
        }
    }

    #[test]
    fn deploy_ranges_ignore_junk_and_limit_size() {
        let r = deploy_port_ranges(&["25565".into(), "junk".into(), "25600-25570".into()]).unwrap();
        assert_eq!(
            r,
            [
                PortRange {
                    start: 25565,
                    end: 25565
                },
                PortRange {
                    start: 25570,
                    end: 25600
                }
            ]
        );
        assert!(matches!(
            deploy_port_ranges(&["20000-21001".into()]),
            Err(Error::BadRequest(_))
        ));
        assert!(deploy_port_ranges(&["20000-21000".into()]).is_ok());
    }

    #[tokio::test]
    async fn addresses() {
        assert_eq!(
            resolve_addresses("192.168.1.5").await.unwrap(),
            ["192.168.1.5".parse::<IpAddr>().unwrap()]
        );
        assert_eq!(
            resolve_addresses("2001:db8::1").await.unwrap(),
            ["2001:db8::1".parse::<IpAddr>().unwrap()]
        );
        let net = resolve_addresses("10.0.0.9/30").await.unwrap();
        let want: Vec<IpAddr> = ["10.0.0.8", "10.0.0.9", "10.0.0.10", "10.0.0.11"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(net, want);
        assert_eq!(resolve_addresses("10.0.0.0/25").await.unwrap().len(), 128);
        assert_eq!(resolve_addresses("10.0.0.7/32").await.unwrap().len(), 1);
        assert_eq!(resolve_addresses("2001:db8::/126").await.unwrap().len(), 4);
        for bad in [
            "10.0.0.0/24",
            "10.0.0.0/33",
            "10.0.0.0/x",
            "10.0.0.0/",
            "2001:db8::/64",
        ] {
            assert_eq!(
                rule(resolve_addresses(bad).await.unwrap_err()).1,
                "cidr",
                "{bad}"
            );
        }
        for bad in [
            "not an ip",
            "under_score.example",
            "-x.example",
            "300.1.1.1/32",
        ] {
            assert_eq!(
                rule(resolve_addresses(bad).await.unwrap_err()).1,
                "ip",
                "{bad}"
            );
        }
    }

    #[test]
    fn hostnames() {
        assert!(is_hostname("node-1.example.com"));
        assert!(is_hostname("localhost"));
        assert!(is_hostname("example.com."));
        assert!(!is_hostname("exa mple.com"));
        assert!(!is_hostname("a..b"));
        assert!(!is_hostname(&"a".repeat(64)));
    }

    #[test]
    fn attributes_shape() {
        let a = Allocation {
            id: 3,
            node_id: 1,
            ip: "10.0.0.1".into(),
            ip_alias: Some("play".into()),
            port: 25565,
            server_id: Some(9),
            notes: None,
            created_at: String::new(),
            updated_at: String::new(),
        };
        assert_eq!(
            allocation_attributes(&a),
            json!({"id": 3, "ip": "10.0.0.1", "alias": "play", "port": 25565,
                   "notes": null, "assigned": true})
        );
    }
}
