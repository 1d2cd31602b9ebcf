//! Append-to-notification latency through the daemon: a real daemon serves
//! a scratch root, the dashboard's socket feed follows it, and each journal
//! append is timed until the feed delivers it as `Update::Appended`.
//!
//! cargo run --release --example daemon_latency -- BINARY [APPENDS] [POLL_MS]
//! (scripts/bench-daemon-latency.sh runs it as recorded in docs/benchmarks.md)

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use switchboard::feed::{Update, spawn_socket_feed};
use switchboard::model::plan::PlanTools;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let binary = PathBuf::from(
        args.next()
            .ok_or("usage: daemon_latency BINARY [APPENDS] [POLL_MS]")?,
    );
    let appends: usize = args.next().map_or(Ok(1000), |a| a.parse())?;
    let poll_ms: u64 = args.next().map_or(Ok(200), |a| a.parse())?;

    let scratch = tempfile::tempdir()?;
    let root = scratch.path().join("root");
    let session = root.join("sesn_bench");
    std::fs::create_dir_all(&session)?;
    std::fs::write(session.join("session.json"), br#"{"status":"running"}"#)?;
    std::fs::write(session.join("events.jsonl"), b"")?;
    let config = scratch.path().join("config.toml");
    std::fs::write(&config, format!("[daemon]\npoll_interval_ms = {poll_ms}\n"))?;
    let socket = scratch.path().join("s/daemon.sock");
    let mut daemon = Command::new(&binary)
        .arg("--root")
        .arg(&root)
        .arg("--config")
        .arg(&config)
        .args(["daemon", "--socket"])
        .arg(&socket)
        .arg("--log")
        .arg(scratch.path().join("daemon.log"))
        .stdout(Stdio::null())
        .spawn()?;
    while std::os::unix::net::UnixStream::connect(&socket).is_err() {
        std::thread::sleep(Duration::from_millis(10));
    }

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    let (tx, mut rx) = tokio::sync::mpsc::channel(1024);
    let _feed = spawn_socket_feed(socket.clone(), 0, PlanTools::default(), tx)?;
    let mut next = || {
        runtime.block_on(async { tokio::time::timeout(Duration::from_secs(30), rx.recv()).await })
    };
    loop {
        if let Ok(Some(Update::Loaded { .. })) = next() {
            break;
        }
    }

    let mut journal = std::fs::OpenOptions::new()
        .append(true)
        .open(session.join("events.jsonl"))?;
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut samples = Vec::with_capacity(appends);
    for i in 0..appends {
        // A random pause so appends land at random points of the poll cycle.
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_micros(seed % (poll_ms.max(1) * 1000)));
        let id = format!("sevt_bench_{i}");
        let line = format!(
            "{{\"id\":\"{id}\",\"type\":\"agent.message\",\"content\":[{{\"type\":\"text\",\"text\":\"sample {i}\"}}]}}\n"
        );
        let started = Instant::now();
        journal.write_all(line.as_bytes())?;
        loop {
            match next() {
                Ok(Some(Update::Appended { lines, .. }))
                    if lines
                        .iter()
                        .any(|(_, l)| String::from_utf8_lossy(l).contains(&id)) =>
                {
                    break;
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => return Err(format!("no notification for {id}").into()),
            }
        }
        samples.push(started.elapsed());
    }
    // SAFETY: kill with the pid we spawned.
    unsafe { libc::kill(daemon.id() as i32, libc::SIGTERM) };
    daemon.wait()?;

    samples.sort();
    let at = |q: f64| samples[((samples.len() as f64 * q) as usize).min(samples.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "appends={} poll_interval_ms={} p50={:.2}ms p90={:.2}ms p99={:.2}ms max={:.2}ms",
        samples.len(),
        poll_ms,
        ms(at(0.50)),
        ms(at(0.90)),
        ms(at(0.99)),
        ms(samples[samples.len() - 1]),
    );
    Ok(())
}
