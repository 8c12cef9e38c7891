//! How the server meets the network: who the client is behind the
//! deployment's own proxies, and the public address it is reached at.
//! Settings and rules only; the server hands in its headers' values.

use crate::error::{Error, Result};
use std::net::IpAddr;

/// An address block, `10.0.0.0/8` or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    net: IpAddr,
    bits: u8,
}

impl Block {
    pub fn parse(s: &str) -> Result<Block> {
        let (addr, bits) = match s.trim().split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (s.trim(), None),
        };
        let net: IpAddr = addr
            .parse()
            .map_err(|_| Error::input(format!("{s:?} is not an IP address or block (e.g. 10.0.0.0/8)")))?;
        let max = if net.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            None => max,
            Some(b) => b
                .parse::<u8>()
                .ok()
                .filter(|b| *b <= max)
                .ok_or_else(|| Error::input(format!("{s:?}: the prefix length must be 0..={max}")))?,
        };
        Ok(Block { net, bits })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        let (a, b, width) = match (self.net, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => (u128::from(u32::from(n)), u128::from(u32::from(i)), 32),
            (IpAddr::V6(n), IpAddr::V6(i)) => (u128::from(n), u128::from(i), 128),
            _ => return false,
        };
        let shift = width - u32::from(self.bits);
        shift >= 128 || (a >> shift) == (b >> shift)
    }
}

/// The deployment's network settings.
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// Proxies whose `X-Forwarded-For` is believed (the TLS proxy in front).
    pub trusted_proxies: Vec<Block>,
    /// The address the public reaches this server at (`https://fq.example.gov.cn`),
    /// for links that leave the server (Open311 discovery).
    pub public_url: Option<String>,
    /// Open311 clients (by the name their key was issued under) that see
    /// requests in full: the city's own hotline, trusted partners.
    pub open311_partners: Vec<String>,
}

impl Network {
    /// The client's address: the TCP peer, unless the peer is a trusted
    /// proxy; then the nearest address in `X-Forwarded-For` that is not one
    /// (the only one a trusted proxy vouches for; those further left the
    /// client may have written itself).
    /// `forwarded`: the values of every `X-Forwarded-For` header, in order.
    pub fn client_ip<'a>(&self, peer: IpAddr, forwarded: impl IntoIterator<Item = &'a str>) -> IpAddr {
        if !self.trusted(peer) {
            return peer;
        }
        let hops: Vec<IpAddr> = forwarded
            .into_iter()
            .flat_map(|v| v.split(','))
            .map(|h| h.trim().parse::<IpAddr>().ok())
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default();
        hops.into_iter().rev().find(|ip| !self.trusted(*ip)).unwrap_or(peer)
    }

    fn trusted(&self, ip: IpAddr) -> bool {
        self.trusted_proxies.iter().any(|b| b.contains(ip))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks() {
        let b = Block::parse("10.0.0.0/8").unwrap();
        assert!(b.contains("10.2.3.4".parse().unwrap()));
        assert!(b.contains("::ffff:10.2.3.4".parse().unwrap()));
        assert!(!b.contains("11.0.0.1".parse().unwrap()));
        assert!(Block::parse("::1").unwrap().contains("::1".parse().unwrap()));
        assert!(Block::parse("0.0.0.0/0").unwrap().contains("8.8.8.8".parse().unwrap()));
        assert!(Block::parse("10.0.0.0/33").is_err());
        assert!(Block::parse("proxy").is_err());
    }

    #[test]
    fn forwarded_addresses_only_from_trusted_proxies() {
        let net = Network {
            trusted_proxies: vec![Block::parse("127.0.0.1").unwrap(), Block::parse("10.0.0.0/8").unwrap()],
            ..Default::default()
        };
        let h = ["6.6.6.6, 203.0.113.9", "10.1.1.1"];
        let proxy: IpAddr = "127.0.0.1".parse().unwrap();
        assert_eq!(net.client_ip(proxy, h), "203.0.113.9".parse::<IpAddr>().unwrap());
        let stranger: IpAddr = "198.51.100.7".parse().unwrap();
        assert_eq!(
            net.client_ip(stranger, h),
            stranger,
            "an untrusted peer's header is ignored"
        );
        assert_eq!(net.client_ip(proxy, ["not an address"]), proxy);
        assert_eq!(net.client_ip(proxy, []), proxy);
    }
}
