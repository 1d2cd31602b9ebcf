#!/usr/bin/env bash
# Live-feed benchmarks for `switchboard watch` (release build):
#   1. append -> `watch --json` stdout latency, p50/p99 over N appends, and the
#      same for `tail -F` on one file in the same run;
#   2. idle CPU of `watch` on 10,000 idle sessions (utime+stime from
#      /proc/<pid>/stat over a window);
#   3. a burst of 50,000 events across 1,000 sessions at ~50,000 events/s:
#      every event delivered exactly once, in order per session.
#
# Usage: scripts/bench-watch.sh [--appends N] [--idle-sessions N] [--idle-secs S]
#                               [--burst-sessions N] [--burst-events N]
#                               [--large-sessions N] [--steps latency,idle,burst,large]
#                               [--skip-build]
#   --large-sessions N (e.g. 100000) adds: initial load, watch budget status,
#   idle CPU and RSS with N sessions, and one append to the oldest (polled) one.
# Results are printed as a Markdown table (paste into docs/benchmarks.md).
set -euo pipefail

cd "$(dirname "$0")/.."
APPENDS=1000
IDLE_SESSIONS=10000
IDLE_SECS=30
BURST_SESSIONS=1000
BURST_EVENTS=50000
LARGE_SESSIONS=0
STEPS=latency,idle,burst,large
BUILD=1
while [[ $# -gt 0 ]]; do
  case "$1" in
    --appends) APPENDS="$2"; shift 2 ;;
    --idle-sessions) IDLE_SESSIONS="$2"; shift 2 ;;
    --idle-secs) IDLE_SECS="$2"; shift 2 ;;
    --burst-sessions) BURST_SESSIONS="$2"; shift 2 ;;
    --burst-events) BURST_EVENTS="$2"; shift 2 ;;
    --large-sessions) LARGE_SESSIONS="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    --skip-build) BUILD=0; shift ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

if [[ $BUILD == 1 ]]; then
  cargo build --release --quiet
fi
BIN="$PWD/target/release/switchboard"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

export BIN WORK APPENDS IDLE_SESSIONS IDLE_SECS BURST_SESSIONS BURST_EVENTS LARGE_SESSIONS STEPS
python3 - <<'PY'
import json, os, sys, time

sys.path.insert(0, os.path.join(os.getcwd(), "scripts"))
from benchlib import (Delivery, LineReader, append_share, cpu_share, pct, start_tail,
                      start_watch, status_mb, stop)

BIN = os.environ["BIN"]
WORK = os.environ["WORK"]
APPENDS = int(os.environ["APPENDS"])
IDLE_SESSIONS = int(os.environ["IDLE_SESSIONS"])
IDLE_SECS = int(os.environ["IDLE_SECS"])
BURST_SESSIONS = int(os.environ["BURST_SESSIONS"])
BURST_EVENTS = int(os.environ["BURST_EVENTS"])
LARGE_SESSIONS = int(os.environ["LARGE_SESSIONS"])
STEPS = set(os.environ["STEPS"].split(","))
OLD = time.time() - 86400  # idle sessions look a day old
ENV = dict(os.environ, SWITCHBOARD_CONFIG_DIR=os.path.join(WORK, "no-config"))
ENV.pop("SWITCHBOARD_ROOT", None)
BURST_PREFIX = b"b"  # the burst writers' ids: b<session>-<n>


def make_session(root, sid, events=3, old=False):
    d = os.path.join(root, sid)
    os.makedirs(d, exist_ok=True)
    j = os.path.join(d, "events.jsonl")
    with open(j, "w") as f:
        for i in range(events):
            f.write(json.dumps({"id": f"{sid}-{i}", "type": "user.message",
                                "created_at": "2026-01-01T00:00:00Z",
                                "content": "hello"}) + "\n")
    s = os.path.join(d, "session.json")
    with open(s, "w") as f:
        json.dump({"id": sid, "status": "idle", "updated_at": "2026-01-01T00:00:00Z"}, f)
    if old:
        for p in (j, s, d):
            os.utime(p, (OLD, OLD))
    return j


def latency(reader, journal, tag, n):
    """Appends one event, waits for its line; returns latencies in ms."""
    fd = os.open(journal, os.O_WRONLY | os.O_APPEND)
    out = []
    try:
        for i in range(n):
            line = json.dumps({"id": f"{tag}-{i}", "type": "agent.message",
                               "content": "x" * 40}).encode() + b"\n"
            t0 = time.perf_counter()
            os.write(fd, line)
            got = reader.line()
            t1 = time.perf_counter()
            if got is None:
                sys.exit(f"{tag}: no output for append {i}")
            if f"{tag}-{i}".encode() not in got:
                sys.exit(f"{tag}: unexpected line {got[:120]!r}")
            out.append((t1 - t0) * 1000)
            time.sleep(0.002)
    finally:
        os.close(fd)
    return out


results = []


def drain(*readers):
    # Each tool also sees the appends meant for the other.
    for r in readers:
        r.drain()


def step_latency():
    """watch --json and tail -F on the same journal, in the same run."""
    root = os.path.join(WORK, "latency")
    os.makedirs(root)
    for i in range(100):
        make_session(root, f"other{i:03}", old=True)
    journal = make_session(root, "target")
    watch, status = start_watch(BIN, root, ENV)
    w_reader = LineReader(watch.stdout.fileno())
    tail = start_tail(journal)
    t_reader = LineReader(tail.stdout.fileno())
    latency(w_reader, journal, "warm", 20)
    w_lat, t_lat = [], []
    # Interleaved blocks, so both see the same machine load.
    for block in range(10):
        drain(w_reader, t_reader)
        w_lat += latency(w_reader, journal, f"w{block}", APPENDS // 10)
        drain(w_reader, t_reader)
        t_lat += latency(t_reader, journal, f"t{block}", APPENDS // 10)
    stop(watch)
    tail.kill()
    tail.wait()
    for name, lat in (("watch --json", w_lat), ("tail -F", t_lat)):
        results.append((f"append → visible, {name} (n={len(lat)})",
                        f"p50 {pct(lat, 50):.2f} ms, p99 {pct(lat, 99):.2f} ms, "
                        f"max {max(lat):.2f} ms"))
    print(f"latency: {status}", file=sys.stderr)


def step_idle():
    root = os.path.join(WORK, "idle")
    os.makedirs(root)
    for i in range(IDLE_SESSIONS):
        make_session(root, f"sesn_{i:06}", old=True)
    t0 = time.monotonic()
    watch, status = start_watch(BIN, root, ENV)
    load = time.monotonic() - t0
    [(share, cpu)] = cpu_share([watch.pid], IDLE_SECS)
    rss = status_mb(watch.pid, "VmRSS")
    stop(watch)
    results.append((f"idle CPU, {IDLE_SESSIONS} idle sessions, {IDLE_SECS}s window",
                    f"{share:.2f} % of a core ({cpu * 1000:.0f} ms CPU); "
                    f"RSS {rss:.0f} MB; initial load {load:.1f}s; {status.split(': ', 2)[-1]}"))


def step_burst(writers=4, rate=50000):
    root = os.path.join(WORK, "burst")
    os.makedirs(root)
    journals = [make_session(root, f"b{i:04}", events=0) for i in range(BURST_SESSIONS)]
    watch, status = start_watch(BIN, root, ENV)
    reader = LineReader(watch.stdout.fileno())
    per = BURST_EVENTS // BURST_SESSIONS
    t0 = time.monotonic()
    pids = []
    for w in range(writers):
        pid = os.fork()
        if pid == 0:  # a writer process
            append_share(journals, w, writers, per, rate / writers, BURST_PREFIX)
            os._exit(0)
        pids.append(pid)
    for pid in pids:
        os.waitpid(pid, 0)
    write_secs = time.monotonic() - t0
    written = per * BURST_SESSIONS
    tally = Delivery(BURST_PREFIX)
    deadline = time.monotonic() + 120
    while tally.got < written and time.monotonic() < deadline:
        line = reader.line(timeout=max(0.1, deadline - time.monotonic()))
        if line is None:
            break
        tally.add(line)
    done_secs = time.monotonic() - t0
    stop(watch)
    results.append((f"burst, {written} events across {BURST_SESSIONS} sessions, {writers} writers",
                    f"written in {write_secs:.2f}s ({written / write_secs:,.0f}/s); "
                    f"delivered {tally.got}, lost {written - tally.got}, duplicated {tally.dupes}, "
                    f"out of order {tally.disorder}; all delivered {done_secs:.2f}s after the first write"))


def step_large():
    root = os.path.join(WORK, "large")
    os.makedirs(root)
    for i in range(LARGE_SESSIONS):
        make_session(root, f"sesn_{i:06}", events=2, old=True)
    # The oldest session: polled, not watched.
    oldest = os.path.join(root, "sesn_000000", "events.jsonl")
    os.utime(oldest, (OLD - 86400, OLD - 86400))
    t0 = time.monotonic()
    watch, status = start_watch(BIN, root, ENV)
    load = time.monotonic() - t0
    reader = LineReader(watch.stdout.fileno())
    [(share, _)] = cpu_share([watch.pid], IDLE_SECS)
    rss = status_mb(watch.pid, "VmRSS")
    t0 = time.monotonic()
    with open(oldest, "a") as f:
        f.write('{"id":"wake-up","type":"user.message"}\n')
    line = reader.line(timeout=900)
    seen_after = time.monotonic() - t0
    stop(watch)
    results.append((f"{LARGE_SESSIONS} sessions",
                    f"initial load {load:.1f}s; {status.split(': ', 2)[-1]}; "
                    f"idle {share:.2f} % of a core; RSS {rss:.0f} MB; "
                    f"an append to a long-idle polled session seen after {seen_after:.1f}s"
                    + ("" if line else " (NOT SEEN)")))


if "latency" in STEPS:
    step_latency()
if "idle" in STEPS:
    step_idle()
if "burst" in STEPS:
    step_burst()
if "large" in STEPS and LARGE_SESSIONS:
    step_large()

print("| measurement | result |")
print("|---|---|")
for name, value in results:
    print(f"| {name} | {value} |")
PY
