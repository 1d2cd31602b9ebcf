//! Fleet telemetry from the daemon: Prometheus metrics at `/metrics`
//! (`metrics`, `server`) and OpenTelemetry traces over OTLP/HTTP
//! (`observe`, `export`, `traces`), both fed from the daemon's mirror of its root.
//! Documented in `docs/metrics.md`.

pub mod export;
pub mod metrics;
pub mod observe;
pub mod server;
pub mod traces;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard};

use export::{ExportOutcome, ExportState};
use metrics::{Counters, Scrape};
use observe::Observer;

use crate::feed::FeedHealth;
use crate::model::stuck::StuckThresholds;
use crate::model::time::Timestamp;
use crate::store::fleet::Fleet;

/// The daemon's telemetry: counters, the session observer, and how the
/// exports fare.
pub struct Telemetry {
    pub counters: Counters,
    /// Where metrics are served, when they are.
    pub metrics_addr: Option<SocketAddr>,
    /// Where spans go, when they are exported.
    pub traces_url: Option<String>,
    pub export: Arc<ExportState>,
    observer: Mutex<Observer>,
}

impl Telemetry {
    pub fn new(
        counters: Counters,
        observer: Observer,
        metrics_addr: Option<SocketAddr>,
        traces_url: Option<String>,
        export: Arc<ExportState>,
    ) -> Self {
        Self {
            counters,
            metrics_addr,
            traces_url,
            export,
            observer: Mutex::new(observer),
        }
    }

    pub fn observer(&self) -> MutexGuard<'_, Observer> {
        self.observer.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// After a feed update: what changed in `session`, and whether the feed
    /// just lost its root.
    pub fn after_update(
        &self,
        fleet: &Fleet,
        session: Option<&str>,
        feed_failed: bool,
        now: Timestamp,
    ) {
        if feed_failed {
            self.counters.feed_errors.inc();
        }
        if let Some(id) = session {
            self.observer().observe(fleet, id, now);
        }
    }

    /// The exposition text for a scrape.
    pub fn render(
        &self,
        fleet: &Fleet,
        health: Option<&FeedHealth>,
        thresholds: &StuckThresholds,
        clients: usize,
        now: Timestamp,
    ) -> String {
        metrics::render(
            &self.counters,
            &Scrape {
                fleet,
                health,
                thresholds,
                now,
                clients,
                traces_on: self.traces_url.is_some(),
                last_export_ok: self.last_export().map(|o| o.ok),
            },
        )
    }

    pub fn last_export(&self) -> Option<ExportOutcome> {
        self.traces_url.as_ref()?;
        self.export.last()
    }
}

/// A metrics address as the user wrote it: `PORT` and `:PORT` mean
/// 127.0.0.1 (loopback unless another address is named), `localhost:PORT`
/// too; otherwise an `IP:PORT`.
pub fn parse_metrics_addr(text: &str) -> Result<SocketAddr, String> {
    let text = text.trim();
    let loopback = |port: &str| {
        port.parse::<u16>()
            .map(|port| SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port))
            .map_err(|_| format!("{port:?} is not a port number"))
    };
    if let Some(port) = text.strip_prefix(':') {
        return loopback(port);
    }
    if let Some(port) = text.strip_prefix("localhost:") {
        return loopback(port);
    }
    if text.chars().all(|c| c.is_ascii_digit()) && !text.is_empty() {
        return loopback(text);
    }
    text.parse::<SocketAddr>().map_err(|_| {
        format!("metrics address {text:?} is not PORT or IP:PORT (e.g. 9464 or 127.0.0.1:9464)")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bare_port_binds_loopback_and_a_named_address_is_kept() {
        let lo = |p| SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), p);
        assert_eq!(parse_metrics_addr("9464"), Ok(lo(9464)));
        assert_eq!(parse_metrics_addr(":9464"), Ok(lo(9464)));
        assert_eq!(parse_metrics_addr("localhost:9464"), Ok(lo(9464)));
        assert_eq!(
            parse_metrics_addr("0.0.0.0:9464").map(|a| a.ip().is_unspecified()),
            Ok(true)
        );
        assert_eq!(
            parse_metrics_addr("[::1]:9464").map(|a| a.ip().is_loopback()),
            Ok(true)
        );
        assert!(parse_metrics_addr("example.com:9464").is_err());
        assert!(parse_metrics_addr("99999").is_err());
        assert!(parse_metrics_addr("").is_err());
    }
}
