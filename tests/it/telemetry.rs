//! Fleet telemetry end to end: the daemon's `/metrics` scraped by a real
//! Prometheus and compared with `doctor --json`; its OTLP export received
//! on a loopback listener and decoded with the official protobuf types; the
//! metrics endpoint's refusals; a dead OTLP endpoint counted, not waited on.

use crate::common;

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::daemon::{Daemon, PATIENCE};
use common::{Root, code, empty_root, fixture_root, json, stderr};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as AnyValue;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use serde_json::Value;

const LOOPBACK: Ipv4Addr = Ipv4Addr::LOCALHOST;

/// A loopback port nothing listens on right now.
fn free_port() -> u16 {
    TcpListener::bind((LOOPBACK, 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Sends raw bytes to `addr` and returns everything it answers (`None`
/// when nothing listens there).
fn try_http(addr: SocketAddr, request: &[u8]) -> Option<String> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(PATIENCE)).ok()?;
    // The server may answer (and close) before taking all of a big request.
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    Some(String::from_utf8_lossy(&answer).into_owned())
}

fn raw_http(addr: SocketAddr, request: &[u8]) -> String {
    try_http(addr, request).unwrap_or_else(|| panic!("nothing listens on {addr}"))
}

fn get_request(addr: SocketAddr, path: &str) -> Vec<u8> {
    // HTTP/1.0: the answer is never chunked.
    format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").into_bytes()
}

fn get(addr: SocketAddr, path: &str) -> String {
    raw_http(addr, &get_request(addr, path))
}

fn try_get(addr: SocketAddr, path: &str) -> Option<String> {
    try_http(addr, &get_request(addr, path))
}

fn body(response: &str) -> &str {
    response.split_once("\r\n\r\n").map_or("", |(_, b)| b)
}

/// Polls `check` until it gives a value, failing after PATIENCE.
fn wait_for<T>(what: &str, mut check: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(value) = check() {
            return value;
        }
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A daemon serving metrics on loopback `port`, once that port answers.
fn metrics_daemon(root: &Root, port: u16, env: &[(&str, &str)]) -> Daemon {
    let daemon = Daemon::start_full(root, None, &["--metrics", &port.to_string()], env);
    let addr = SocketAddr::from((LOOPBACK, port));
    wait_for("the metrics port", || try_get(addr, "/metrics"));
    daemon
}

/// One sample's value from the exposition text.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

#[test]
fn the_metrics_endpoint_answers_only_get_metrics_on_loopback() {
    let root = fixture_root("contract");
    let port = free_port();
    let daemon = metrics_daemon(&root, port, &[]);
    let addr = SocketAddr::from((LOOPBACK, port));

    let ok = get(addr, "/metrics");
    assert!(ok.starts_with("HTTP/1.1 200 OK\r\n"), "{ok}");
    assert!(ok.contains("application/openmetrics-text"), "{ok}");
    assert!(body(&ok).ends_with("# EOF\n"), "{ok}");
    // The gauges agree with the CLI's view of the same root.
    let mut by_kind: BTreeMap<String, f64> = BTreeMap::new();
    for row in json(&root.run(&["pending", "--json"])).as_array().unwrap() {
        *by_kind
            .entry(row["kind"].as_str().unwrap().to_string())
            .or_default() += 1.0;
    }
    assert!(by_kind.len() >= 2, "{by_kind:?}");
    for (kind, n) in &by_kind {
        let series = format!("switchboard_pending_requests{{kind=\"{kind}\"}}");
        assert_eq!(sample(body(&ok), &series), Some(*n), "{series}: {ok}");
    }

    let post = raw_http(
        addr,
        b"POST /metrics HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}",
    );
    assert!(post.starts_with("HTTP/1.1 405 "), "{post}");
    assert!(post.contains("Allow: GET\r\n"), "{post}");
    let head = raw_http(addr, b"HEAD /metrics HTTP/1.1\r\n\r\n");
    assert!(head.starts_with("HTTP/1.1 405 "), "{head}");
    let other = get(addr, "/api/v1/query");
    assert!(other.starts_with("HTTP/1.1 404 "), "{other}");
    let garbage = raw_http(
        addr,
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n",
    );
    assert!(garbage.starts_with("HTTP/1.1 400 "), "{garbage}");

    // A request head past the cap is refused without being read to its end.
    let mut huge = b"GET /metrics HTTP/1.1\r\nX-Padding: ".to_vec();
    huge.extend(std::iter::repeat_n(b'a', 64 * 1024));
    huge.extend_from_slice(b"\r\n\r\n");
    let capped = raw_http(addr, &huge);
    assert!(capped.starts_with("HTTP/1.1 431 "), "{capped}");

    // A bare port is bound on loopback, and the daemon says where.
    let status = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["daemon", "--status", "--json", "--socket"])
        .arg(&daemon.socket)
        .output()
        .unwrap();
    let status = json(&status);
    assert_eq!(
        status["telemetry"]["metrics"],
        format!("127.0.0.1:{port}"),
        "{status}"
    );
    assert_eq!(status["telemetry"]["traces"], Value::Null, "{status}");
}

#[test]
fn a_metrics_address_that_is_not_one_is_a_usage_error() {
    let root = empty_root();
    let out = root.run(&["daemon", "--metrics", "example.com:9464"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("IP:PORT"), "{}", stderr(&out));
}

/// A Prometheus server, stopped (and waited for) when dropped.
struct Prometheus {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn rules_file() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/metrics-rules.yml")
}

fn start_prometheus(dir: &Path, target: SocketAddr) -> Prometheus {
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\n\
             rule_files:\n  - {rules}\n\
             scrape_configs:\n  - job_name: switchboard\n    static_configs:\n      - targets: ['{target}']\n",
            rules = rules_file().display()
        ),
    )
    .unwrap();
    let addr = SocketAddr::from((LOOPBACK, free_port()));
    let child = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("data").display()
        ))
        .arg(format!("--web.listen-address={addr}"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(
            std::fs::File::create(dir.join("prometheus.log")).unwrap(),
        ))
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run prometheus ({e}): install Debian's prometheus package (.ci/run does)"
            )
        });
    Prometheus { child, addr }
}

/// `/api/v1/query`'s vector result, as (label value, value) for `by`.
fn query(prometheus: &Prometheus, expr: &str, by: &str) -> Option<BTreeMap<String, f64>> {
    let response = try_get(prometheus.addr, &format!("/api/v1/query?query={expr}"))?;
    let answer: Value = serde_json::from_str(body(&response)).ok()?;
    if answer["status"] != "success" {
        return None;
    }
    let mut values = BTreeMap::new();
    for series in answer["data"]["result"].as_array()? {
        let key = series["metric"][by].as_str()?.to_string();
        let value: f64 = series["value"][1].as_str()?.parse().ok()?;
        values.insert(key, value);
    }
    Some(values)
}

#[test]
fn prometheus_scrapes_the_stuck_count_by_rule_that_doctor_reports() {
    let check = Command::new("promtool")
        .arg("check")
        .arg("rules")
        .arg(rules_file())
        .output()
        .unwrap_or_else(|e| panic!("cannot run promtool ({e}): install Debian's prometheus"));
    assert!(
        check.status.success(),
        "{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );

    let root = empty_root();
    let sim = root.live(&[
        "simulate",
        "--scenario",
        "stuck",
        "--duration",
        "0",
        "--seed",
        "4",
    ]);
    assert_eq!(code(&sim), 0, "{}", stderr(&sim));
    let mut doctor: BTreeMap<String, f64> = BTreeMap::new();
    for finding in json(&root.live(&["doctor", "--json"])).as_array().unwrap() {
        *doctor
            .entry(finding["rule"].as_str().unwrap().to_string())
            .or_default() += 1.0;
    }
    assert_eq!(doctor.len(), 7, "{doctor:?}");

    let port = free_port();
    let _daemon = metrics_daemon(&root, port, &[]);
    let dir = tempfile::tempdir().unwrap();
    let prometheus = start_prometheus(dir.path(), SocketAddr::from((LOOPBACK, port)));
    let scraped = wait_for("Prometheus to scrape the stuck counts", || {
        query(&prometheus, "switchboard_stuck_sessions", "rule")
            .filter(|by_rule| by_rule.values().sum::<f64>() > 0.0)
    });
    let firing: BTreeMap<String, f64> = scraped.into_iter().filter(|(_, n)| *n > 0.0).collect();
    assert_eq!(firing, doctor);
    let up = query(&prometheus, "up", "job").unwrap();
    assert_eq!(up.get("switchboard"), Some(&1.0), "{up:?}");

    // The rule file in docs/ is loaded, and its stuck alert is pending.
    let rules = wait_for("the alert rules to be evaluated", || {
        let response = try_get(prometheus.addr, "/api/v1/rules")?;
        let answer: Value = serde_json::from_str(body(&response)).ok()?;
        let rules: Vec<Value> = answer["data"]["groups"]
            .as_array()?
            .iter()
            .flat_map(|g| g["rules"].as_array().cloned().unwrap_or_default())
            .collect();
        let stuck = rules
            .iter()
            .find(|r| r["name"] == "SwitchboardSessionsStuck")?;
        (stuck["state"] == "pending").then_some(rules)
    });
    assert!(
        rules
            .iter()
            .any(|r| r["name"] == "SwitchboardRequestWaiting"),
        "{rules:?}"
    );
}

/// One request the sink took: path, content type, body.
type Received = (String, String, Vec<u8>);

/// Collects the bodies POSTed to it (HTTP/1.1, keep-alive) and answers 200.
struct OtlpSink {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Received>>>,
    stop: Arc<AtomicBool>,
}

impl OtlpSink {
    fn start() -> Self {
        let listener = TcpListener::bind((LOOPBACK, 0)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (got, stopping) = (requests.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stopping.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let got = got.clone();
                        std::thread::spawn(move || serve_otlp(stream, &got));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        });
        Self {
            addr,
            requests,
            stop,
        }
    }

    fn spans(&self) -> Vec<(Span, Option<String>)> {
        let requests = self.requests.lock().unwrap();
        let mut spans = Vec::new();
        for (path, content_type, body) in requests.iter() {
            assert_eq!(path, "/v1/traces");
            assert_eq!(content_type, "application/x-protobuf");
            let export = ExportTraceServiceRequest::decode(body.as_slice()).unwrap();
            for resource in export.resource_spans {
                let service = resource
                    .resource
                    .as_ref()
                    .and_then(|r| attribute(&r.attributes, "service.name"));
                let host = resource
                    .resource
                    .as_ref()
                    .and_then(|r| attribute(&r.attributes, "host.name"));
                assert!(host.is_some_and(|h| !h.is_empty()), "spans name their host");
                for scope in resource.scope_spans {
                    for span in scope.spans {
                        spans.push((span, service.clone()));
                    }
                }
            }
        }
        spans
    }
}

impl Drop for OtlpSink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

fn serve_otlp(mut stream: TcpStream, got: &Mutex<Vec<Received>>) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(PATIENCE));
    let mut buffer = Vec::new();
    loop {
        let head_end = loop {
            if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break end;
            }
            let mut chunk = [0u8; 8192];
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
        let path = head
            .lines()
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .unwrap_or_default()
            .to_string();
        let header = |name: &str| {
            head.lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_string())
        };
        let length: usize = header("content-length")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let content_type = header("content-type").unwrap_or_default();
        let start = head_end + 4;
        while buffer.len() < start + length {
            let mut chunk = [0u8; 8192];
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        }
        let body = buffer[start..start + length].to_vec();
        buffer.drain(..start + length);
        got.lock().unwrap().push((path, content_type, body));
        let reply =
            b"HTTP/1.1 200 OK\r\nContent-Type: application/x-protobuf\r\nContent-Length: 0\r\n\r\n";
        if stream.write_all(reply).is_err() {
            return;
        }
    }
}

fn attribute(
    attributes: &[opentelemetry_proto::tonic::common::v1::KeyValue],
    key: &str,
) -> Option<String> {
    let value = attributes.iter().find(|kv| kv.key == key)?.value.as_ref()?;
    match value.value.as_ref()? {
        AnyValue::StringValue(s) => Some(s.clone()),
        AnyValue::IntValue(i) => Some(i.to_string()),
        AnyValue::BoolValue(b) => Some(b.to_string()),
        AnyValue::DoubleValue(d) => Some(d.to_string()),
        _ => None,
    }
}

fn set_doc(root: &Root, session: &str, edit: impl FnOnce(&mut Value)) {
    let path = root.session(session).join("session.json");
    let mut doc: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    edit(&mut doc);
    std::fs::write(&path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
}

fn session_status(daemon: &Daemon, id: &str) -> Option<String> {
    let ls = json(&daemon.cli(&["ls", "--json"]));
    ls.as_array()?
        .iter()
        .find(|row| row["id"] == id)
        .and_then(|row| row["status"].as_str().map(str::to_string))
}

#[test]
fn the_otlp_export_carries_session_and_request_spans_linked_parent_to_child() {
    let root = fixture_root("contract");
    // A live orchestrator, with the waiting session as its child.
    set_doc(&root, "sesn_orch", |doc| doc["status"] = "running".into());
    set_doc(&root, "sesn_awaiting", |doc| {
        doc["parent_id"] = "sesn_orch".into();
    });
    let sink = OtlpSink::start();
    let config = format!(
        "[telemetry]\notlp_endpoint = \"http://{}\"\nservice_name = \"switchboard-test\"\n",
        sink.addr
    );
    let port = free_port();
    let mut daemon =
        Daemon::start_full(&root, Some(&config), &["--metrics", &port.to_string()], &[]);
    let metrics = SocketAddr::from((LOOPBACK, port));
    wait_for("the metrics port", || try_get(metrics, "/metrics"));
    let fingerprint = common::pending_fingerprint(&root, "sesn_awaiting", "sevt_0003");
    let approve = |fingerprint: &str| {
        daemon.cli(&[
            "approve",
            "sesn_awaiting",
            "sevt_0003",
            "--fingerprint",
            fingerprint,
            "--as",
            "human:oncall@test",
        ])
    };
    let stale = approve("sha256:0000");
    assert_eq!(code(&stale), 3, "{}", stderr(&stale));
    let approved = approve(&fingerprint);
    assert_eq!(code(&approved), 0, "{}", stderr(&approved));
    let again = approve(&fingerprint);
    assert_eq!(code(&again), 4, "{}", stderr(&again));
    wait_for("the daemon to see the answer", || {
        let pending = json(&daemon.cli(&["pending", "--json"]));
        let waiting = pending
            .as_array()?
            .iter()
            .any(|p| p["event_id"] == "sevt_0003");
        (!waiting).then_some(())
    });
    set_doc(&root, "sesn_awaiting", |doc| {
        doc["status"] = "terminated".into();
        doc["stop_reason"] = serde_json::json!({"type": "end_turn"});
    });
    wait_for("the daemon to see the session end", || {
        (session_status(&daemon, "sesn_awaiting")? == "terminated").then_some(())
    });
    // The same decisions, counted: the verdict, its latency, the refusals.
    let text = body(&get(metrics, "/metrics")).to_string();
    for (series, value) in [
        ("switchboard_decisions_total{verdict=\"allow\"}", 1.0),
        ("switchboard_decision_refusals_total{reason=\"stale\"}", 1.0),
        (
            "switchboard_decision_refusals_total{reason=\"already_decided\"}",
            1.0,
        ),
        (
            "switchboard_decision_latency_seconds_count{kind=\"tool_confirmation\"}",
            1.0,
        ),
        ("switchboard_events_appended_total", 1.0),
        ("switchboard_telemetry_traces_enabled", 1.0),
    ] {
        assert_eq!(sample(&text, series), Some(value), "{series}: {text}");
    }
    // Stopping ends the spans still open and flushes the batch.
    assert!(daemon.terminate().success(), "{}", daemon.log_text());

    let spans = sink.spans();
    assert!(
        !spans.is_empty(),
        "nothing exported; log: {}",
        daemon.log_text()
    );
    assert!(
        spans
            .iter()
            .all(|(_, service)| service.as_deref() == Some("switchboard-test"))
    );
    let find = |name_prefix: &str, session: &str| {
        spans
            .iter()
            .map(|(s, _)| s)
            .find(|s| {
                s.name.starts_with(name_prefix)
                    && attribute(&s.attributes, "switchboard.session.id").as_deref()
                        == Some(session)
            })
            .unwrap_or_else(|| panic!("no {name_prefix} span for {session}: {spans:?}"))
    };
    let orch = find("session", "sesn_orch");
    let child = find("session", "sesn_awaiting");
    let get = |span: &Span, key: &str| attribute(&span.attributes, key);

    assert_eq!(
        get(child, "switchboard.agent.id").as_deref(),
        Some("agent_repo_fixer")
    );
    assert_eq!(get(child, "switchboard.lane").as_deref(), Some("fixtures"));
    assert_eq!(
        get(child, "switchboard.parent.id").as_deref(),
        Some("sesn_orch")
    );
    assert_eq!(
        get(child, "switchboard.stop_reason").as_deref(),
        Some("end_turn")
    );
    assert_eq!(
        get(child, "switchboard.tokens.total").as_deref(),
        Some("150")
    );
    assert_eq!(
        get(child, "switchboard.span.ended_by").as_deref(),
        Some("terminated")
    );
    assert_eq!(
        get(orch, "switchboard.span.ended_by").as_deref(),
        Some("daemon_stopped")
    );
    // The orchestrator's tree is one trace.
    assert_eq!(child.trace_id, orch.trace_id);
    assert_eq!(child.parent_span_id, orch.span_id);
    assert!(
        orch.parent_span_id.is_empty(),
        "a root session is a root span"
    );

    let request = find("request", "sesn_awaiting");
    assert_eq!(request.trace_id, child.trace_id);
    assert_eq!(request.parent_span_id, child.span_id);
    assert_eq!(
        get(request, "switchboard.event.id").as_deref(),
        Some("sevt_0003")
    );
    assert_eq!(
        get(request, "switchboard.tool.name").as_deref(),
        Some("bash")
    );
    assert_eq!(
        get(request, "switchboard.verdict").as_deref(),
        Some("allow")
    );
    assert_eq!(
        get(request, "switchboard.decided_by").as_deref(),
        Some("human:oncall@test")
    );
    assert_eq!(
        get(request, "switchboard.fingerprint").as_deref(),
        Some(fingerprint.as_str())
    );
    assert!(request.end_time_unix_nano >= request.start_time_unix_nano);
}

#[test]
fn a_dead_otlp_endpoint_is_counted_and_shown_not_waited_on() {
    let root = fixture_root("contract");
    let dead = free_port();
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{dead}");
    let daemon = metrics_daemon(&root, port, &[("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint)]);
    // A span ends: a session terminates.
    set_doc(&root, "sesn_awaiting", |doc| {
        doc["status"] = "terminated".into();
        doc["stop_reason"] = serde_json::json!({"type": "end_turn"});
    });
    let metrics = SocketAddr::from((LOOPBACK, port));
    let text = wait_for("the failed export to be counted", || {
        let text = body(&get(metrics, "/metrics")).to_string();
        (sample(&text, "switchboard_telemetry_export_failures_total")? >= 1.0).then_some(text)
    });
    assert!(
        sample(&text, "switchboard_telemetry_spans_failed_total").unwrap_or(0.0) >= 1.0,
        "{text}"
    );
    assert_eq!(
        sample(&text, "switchboard_telemetry_last_export_ok"),
        Some(0.0)
    );
    // The daemon kept answering meanwhile, and says the export fails.
    let status = Command::new(env!("CARGO_BIN_EXE_switchboard"))
        .args(["daemon", "--status", "--json", "--socket"])
        .arg(&daemon.socket)
        .output()
        .unwrap();
    let status = json(&status);
    assert_eq!(
        status["telemetry"]["traces"],
        format!("http://127.0.0.1:{dead}/v1/traces"),
        "{status}"
    );
    assert_eq!(status["telemetry"]["last_export"]["ok"], false, "{status}");
    let ls = daemon.cli(&["ls", "--json"]);
    assert_eq!(code(&ls), 0);
}

/// The real dashboard in tmux, on a daemon whose OTLP endpoint is dead:
/// its status bar says telemetry is on, then that the export fails.
#[test]
fn the_dashboard_through_a_daemon_says_its_export_fails() {
    let root = fixture_root("contract");
    let dead = format!("http://127.0.0.1:{}", free_port());
    let port = free_port();
    let daemon = metrics_daemon(&root, port, &[("OTEL_EXPORTER_OTLP_ENDPOINT", &dead)]);
    let tmux = common::tmux::Tmux::new("telemetry");
    tmux.start(
        &["--connect", daemon.socket.to_str().unwrap()],
        &[
            format!(
                "SWITCHBOARD_CONFIG_DIR={}",
                root.path().join(".no-config").display()
            ),
            format!("SWITCHBOARD_AUDIT_LOG={}", root.audit.display()),
        ],
    );
    tmux.wait_for("telemetry on in the status bar", |t| {
        t.screen()
            .contains("telemetry: metrics, traces (none sent yet)")
    });
    // A session ends: its span is exported, and the export fails.
    set_doc(&root, "sesn_awaiting", |doc| {
        doc["status"] = "terminated".into();
        doc["stop_reason"] = serde_json::json!({"type": "end_turn"});
    });
    tmux.wait_for("the failing export in the status bar", |t| {
        t.screen()
            .contains("✗ telemetry: metrics, traces export failing")
    });
    tmux.quit();
}

/// A backend that takes the connection and never answers: the export times
/// out and is counted, the daemon answers meanwhile and stops promptly.
#[test]
fn a_backend_that_never_answers_times_out_and_is_counted() {
    let root = fixture_root("contract");
    // Connections complete in the kernel's backlog; nothing is ever read.
    let blackhole = TcpListener::bind((LOOPBACK, 0)).unwrap();
    let endpoint = format!("http://{}", blackhole.local_addr().unwrap());
    let port = free_port();
    let mut daemon = metrics_daemon(&root, port, &[("OTEL_EXPORTER_OTLP_ENDPOINT", &endpoint)]);
    set_doc(&root, "sesn_awaiting", |doc| {
        doc["status"] = "terminated".into();
        doc["stop_reason"] = serde_json::json!({"type": "end_turn"});
    });
    wait_for("the daemon to see the session end", || {
        (session_status(&daemon, "sesn_awaiting")? == "terminated").then_some(())
    });
    let metrics = SocketAddr::from((LOOPBACK, port));
    wait_for("the timed-out export to be counted", || {
        let text = body(&get(metrics, "/metrics")).to_string();
        (sample(&text, "switchboard_telemetry_spans_failed_total")? >= 1.0).then_some(())
    });
    let ls = daemon.cli(&["ls", "--json"]);
    assert_eq!(code(&ls), 0, "{}", stderr(&ls));
    assert!(daemon.terminate().success(), "{}", daemon.log_text());
    drop(blackhole);
}
