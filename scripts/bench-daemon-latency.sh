#!/usr/bin/env bash
# Append-to-notification latency through the daemon (docs/benchmarks.md):
# the default poll interval, then a short one to show the pipeline's own cost.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin switchboard --example daemon_latency
bin=target/release/switchboard
bench=target/release/examples/daemon_latency
"$bench" "$bin" "${APPENDS_DEFAULT:-300}" 200
"$bench" "$bin" "${APPENDS_FAST:-1000}" 10
