//! OTLP export that never holds the daemon up: spans go through the SDK's
//! batch processor (its own thread, a bounded queue, a timeout per export),
//! and two thin wrappers count what was sent, what failed and what was
//! dropped because the queue was full, and remember the last outcome.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use opentelemetry::{Context, KeyValue};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{
    BatchConfigBuilder, BatchSpanProcessor, SdkTracerProvider, Span, SpanData, SpanExporter,
    SpanProcessor,
};

use super::metrics::Counters;
use crate::model::time::Timestamp;

/// Spans waiting to be sent at most; past that new ones are dropped (and
/// counted).
pub const MAX_QUEUED_SPANS: usize = 4096;
const MAX_BATCH: usize = 512;
const SCHEDULE_DELAY: Duration = Duration::from_secs(2);
/// One export, retries included, gives up after this.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(5);

/// The last export's outcome, for the status bar and `daemon.status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOutcome {
    pub ok: bool,
    pub at: Timestamp,
    pub error: Option<String>,
}

/// Shared between the exporter thread and whoever reports on it.
#[derive(Debug, Default)]
pub struct ExportState {
    last: Mutex<Option<ExportOutcome>>,
    /// Spans handed to the processor and not yet exported or failed.
    in_flight: AtomicUsize,
}

impl ExportState {
    pub fn last(&self) -> Option<ExportOutcome> {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn record(&self, outcome: ExportOutcome) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(outcome);
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot set up the OTLP exporter for {endpoint}: {message}")]
pub struct ExportError {
    pub endpoint: String,
    pub message: String,
}

/// Where spans go: `otlp_endpoint` plus `/v1/traces`, or (when it is
/// empty) what the standard environment variables say; `None` is off.
pub fn traces_url(config_endpoint: &str) -> Option<String> {
    let base = config_endpoint.trim();
    if !base.is_empty() {
        return Some(with_traces_path(base));
    }
    if let Some(url) = env_nonempty("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
        return Some(url);
    }
    env_nonempty("OTEL_EXPORTER_OTLP_ENDPOINT").map(|base| with_traces_path(&base))
}

fn env_nonempty(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn with_traces_path(base: &str) -> String {
    let base = base.trim_end_matches('/');
    if base.ends_with("/v1/traces") {
        base.to_string()
    } else {
        format!("{base}/v1/traces")
    }
}

/// A tracer provider exporting to `url`. Build and shut it down outside any
/// tokio runtime: the blocking HTTP client has its own.
pub fn provider(
    url: &str,
    service_name: &str,
    counters: Counters,
    state: Arc<ExportState>,
) -> Result<SdkTracerProvider, ExportError> {
    if !url.starts_with("http://") {
        return Err(ExportError {
            endpoint: url.to_string(),
            message: "only http:// endpoints are supported (point it at a local OpenTelemetry Collector for TLS)".into(),
        });
    }
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpBinary)
        .with_endpoint(url)
        .with_timeout(EXPORT_TIMEOUT)
        .with_headers(Default::default())
        .build()
        .map_err(|e| ExportError {
            endpoint: url.to_string(),
            message: e.to_string(),
        })?;
    let counting = CountingExporter {
        inner: exporter,
        counters: counters.clone(),
        state: state.clone(),
    };
    let batch = BatchSpanProcessor::builder(counting)
        .with_batch_config(
            BatchConfigBuilder::default()
                .with_max_queue_size(MAX_QUEUED_SPANS)
                .with_max_export_batch_size(MAX_BATCH)
                .with_scheduled_delay(SCHEDULE_DELAY)
                .build(),
        )
        .build();
    let processor = BoundedProcessor {
        inner: batch,
        counters,
        state,
    };
    Ok(SdkTracerProvider::builder()
        .with_span_processor(processor)
        .with_resource(resource(service_name))
        .build())
}

/// The spans' resource: the standard `OTEL_SERVICE_NAME` and
/// `OTEL_RESOURCE_ATTRIBUTES` when set (the SDK reads them), else
/// `service_name`; and the host, so a fleet of machines stays apart.
fn resource(service_name: &str) -> Resource {
    let mut builder = Resource::builder().with_attributes([
        KeyValue::new(
            "host.name",
            gethostname::gethostname().to_string_lossy().into_owned(),
        ),
        KeyValue::new("service.version", crate::VERSION),
    ]);
    if env_nonempty("OTEL_SERVICE_NAME").is_none() {
        builder = builder.with_service_name(service_name.to_string());
    }
    builder.build()
}

/// Counts each batch's fate and remembers the last one.
#[derive(Debug)]
struct CountingExporter<E> {
    inner: E,
    counters: Counters,
    state: Arc<ExportState>,
}

impl<E: SpanExporter> SpanExporter for CountingExporter<E> {
    async fn export(&self, batch: Vec<SpanData>) -> OTelSdkResult {
        let n = batch.len();
        let result = self.inner.export(batch).await;
        self.state.in_flight.fetch_sub(
            n.min(self.state.in_flight.load(Ordering::Relaxed)),
            Ordering::Relaxed,
        );
        let at = chrono::Utc::now();
        match &result {
            Ok(()) => {
                self.counters.spans_exported.inc_by(n as u64);
                self.state.record(ExportOutcome {
                    ok: true,
                    at,
                    error: None,
                });
            }
            Err(e) => {
                self.counters.spans_failed.inc_by(n as u64);
                self.counters.export_failures.inc();
                tracing::debug!("OTLP export of {n} spans failed: {e}");
                self.state.record(ExportOutcome {
                    ok: false,
                    at,
                    error: Some(e.to_string()),
                });
            }
        }
        result
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// Drops (and counts) a span when `MAX_QUEUED_SPANS` are already waiting,
/// so the batch processor's own queue never overflows uncounted.
#[derive(Debug)]
struct BoundedProcessor {
    inner: BatchSpanProcessor,
    counters: Counters,
    state: Arc<ExportState>,
}

impl SpanProcessor for BoundedProcessor {
    fn on_start(&self, span: &mut Span, cx: &Context) {
        self.inner.on_start(span, cx);
    }

    fn on_end(&self, span: SpanData) {
        let queued = self.state.in_flight.fetch_add(1, Ordering::Relaxed);
        if queued >= MAX_QUEUED_SPANS {
            self.state.in_flight.fetch_sub(1, Ordering::Relaxed);
            self.counters.spans_dropped.inc();
            return;
        }
        self.inner.on_end(span);
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tls_endpoint_is_a_clear_error_not_a_silent_nothing() {
        let err = provider(
            "https://api.example.com/v1/traces",
            "switchboard",
            Counters::default(),
            Arc::new(ExportState::default()),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("only http://"), "{err}");
        assert!(err.contains("Collector"), "{err}");
    }

    #[test]
    fn the_traces_path_is_added_once() {
        assert_eq!(
            with_traces_path("http://127.0.0.1:4318"),
            "http://127.0.0.1:4318/v1/traces"
        );
        assert_eq!(
            with_traces_path("http://127.0.0.1:4318/"),
            "http://127.0.0.1:4318/v1/traces"
        );
        assert_eq!(
            with_traces_path("http://c:4318/v1/traces"),
            "http://c:4318/v1/traces"
        );
    }
}
