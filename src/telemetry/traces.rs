//! The trace exporter's lifetime in the daemon: started from the config
//! (or the standard environment) before the daemon's runtime, stopped after
//! it with a bounded flush.

use std::sync::Arc;
use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{SdkTracerProvider, Tracer};

use super::export::{self, ExportError, ExportState};
use super::metrics::Counters;
use crate::config::Config;

/// How long stopping waits for the last spans to go out.
const FLUSH_TIMEOUT: Duration = Duration::from_secs(3);

pub struct Traces {
    provider: SdkTracerProvider,
    pub export: Arc<ExportState>,
    pub url: String,
}

impl Traces {
    /// The exporter, when `[telemetry] otlp_endpoint` or the environment
    /// asks for one. Call it outside any tokio runtime: the blocking HTTP
    /// client has its own.
    pub fn start(config: &Config, counters: &Counters) -> Result<Option<Self>, ExportError> {
        let Some(url) = export::traces_url(&config.telemetry.otlp_endpoint) else {
            return Ok(None);
        };
        let state = Arc::new(ExportState::default());
        let provider = export::provider(
            &url,
            &config.telemetry.service_name,
            counters.clone(),
            state.clone(),
        )?;
        tracing::info!(%url, "exporting traces");
        Ok(Some(Self {
            provider,
            export: state,
            url,
        }))
    }

    pub fn tracer(&self) -> Tracer {
        self.provider.tracer("switchboard")
    }

    /// Flushes what is queued (bounded) and stops the exporter thread.
    pub fn stop(self) {
        if let Err(e) = self.provider.shutdown_with_timeout(FLUSH_TIMEOUT) {
            tracing::warn!("the last spans may not have been exported: {e}");
        }
    }
}
