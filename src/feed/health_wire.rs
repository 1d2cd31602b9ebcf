//! A feed's health to and from its wire form: the daemon sends it, the
//! socket feed reads it back. Here, not in `rpc`, because the wire sits
//! below the feed and does not know its types.

use super::update::FeedHealth;
use crate::rpc::protocol::{HealthWire, TelemetryWire};

impl From<&FeedHealth> for HealthWire {
    fn from(h: &FeedHealth) -> Self {
        match h {
            FeedHealth::Watching { watched, polled } => Self::Watching {
                watched: *watched,
                polled: *polled,
            },
            FeedHealth::Polling {
                interval_ms,
                reason,
            } => Self::Polling {
                interval_ms: *interval_ms,
                reason: reason.clone(),
            },
            FeedHealth::Unavailable { reason } => Self::Unavailable {
                reason: reason.clone(),
            },
        }
    }
}

impl From<HealthWire> for FeedHealth {
    fn from(h: HealthWire) -> Self {
        match h {
            HealthWire::Watching { watched, polled } => Self::Watching { watched, polled },
            HealthWire::Polling {
                interval_ms,
                reason,
            } => Self::Polling {
                interval_ms,
                reason,
            },
            HealthWire::Unavailable { reason } => Self::Unavailable { reason },
        }
    }
}

impl From<TelemetryWire> for super::TelemetryStatus {
    fn from(wire: TelemetryWire) -> Self {
        Self {
            metrics: wire.metrics.is_some(),
            traces: wire.traces.is_some(),
            last_export_ok: wire.last_export.map(|e| e.ok),
        }
    }
}
