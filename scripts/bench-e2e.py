#!/usr/bin/env python3
"""The end-to-end targets of docs/benchmarks.md, measured in one run against
their peers (`tail`, `tail -F`, `cat`, `lnav`), printed as one table.

Run it through scripts/bench-e2e.sh, which installs the tools, builds the
release binary, generates the big journal and sets the environment read
below. `bench-e2e.py writer ...` is one burst writer process (internal).
"""
import atexit
import json
import os
import random
import re
import shutil
import subprocess
import sys
import threading
import time

import benchlib
from benchlib import (Delivery, LineReader, append_share, cpu_share, pct, start_tail,
                      status_mb, stop)

# A fleet is at rest once its last activity is this old: the feed polls
# sessions active in the last 300 s (feed::schedule::LONG_IDLE) more often.
REST_SECS = 330
BURST_PREFIX = b"burst"  # the burst writers' ids: burst<session>-<n>


def log(msg):
    print(f"[bench-e2e] {msg}", file=sys.stderr, flush=True)


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def age_tree(root, seconds=86400):
    """Dates every file and folder back, so the fleet is at rest."""
    t = time.time() - seconds
    for dirpath, _, files in os.walk(root):
        for name in files:
            os.utime(os.path.join(dirpath, name), (t, t))
        os.utime(dirpath, (t, t))


def sessions(root):
    return sorted(d for d in os.listdir(root) if os.path.isfile(os.path.join(root, d, "session.json")))


def hyperfine(args, env):
    """Runs hyperfine; returns its results (seconds) by command name."""
    out = os.path.join(CFG["work"], "hyperfine.json")
    subprocess.run(["hyperfine", "--style", "none", "--export-json", out] + args,
                   env=env, check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        return {r["command"]: r for r in json.load(f)["results"]}


LEFT_RUNNING = []  # processes and tmux servers to end if a step fails


@atexit.register
def end_left_running():
    for thing in LEFT_RUNNING:
        if isinstance(thing, Dashboard):
            thing.tmux("kill-server")
        elif thing.poll() is None:
            thing.kill()


def start_watch(root):
    p, status = benchlib.start_watch(CFG["bin"], root, ENV)
    LEFT_RUNNING.append(p)
    return p, status


class FrameLog:
    """Reads the dashboard's SWITCHBOARD_FRAME_LOG as it grows."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.rest = b""
        self.frames = []  # (frame written at, keys so far, last key read at), unix seconds

    def poll(self):
        try:
            with open(self.path, "rb") as f:
                f.seek(self.offset)
                data = f.read()
        except FileNotFoundError:
            return
        self.offset += len(data)
        data = self.rest + data
        *lines, self.rest = data.split(b"\n")
        for line in lines:
            m = re.fullmatch(rb"frame (\d+) keys=(\d+) last_key_at=(\d+)", line)
            if m:
                self.frames.append((int(m[1]) / 1e6, int(m[2]), int(m[3]) / 1e6))

    def first_with_keys(self, k, timeout=5.0):
        deadline = time.monotonic() + timeout
        while True:
            self.poll()
            for frame in self.frames:
                if frame[1] >= k:
                    return frame
            if time.monotonic() > deadline:
                return None
            time.sleep(0.001)


class Dashboard:
    """The real binary in a tmux pane of its own (200×50)."""

    count = 0

    def __init__(self, root, cache_dir=None, frame_log=None, connect=None):
        Dashboard.count += 1
        self.sock = f"sb-e2e-{os.getpid()}-{Dashboard.count}"
        env = {"SWITCHBOARD_CONFIG_DIR": ENV["SWITCHBOARD_CONFIG_DIR"],
               "SWITCHBOARD_AUDIT_LOG": ENV["SWITCHBOARD_AUDIT_LOG"],
               "SWITCHBOARD_CACHE_DIR": cache_dir or ENV["SWITCHBOARD_CACHE_DIR"],
               "TERM": "xterm-256color"}
        if frame_log:
            env["SWITCHBOARD_FRAME_LOG"] = frame_log
        args = ["new-session", "-d", "-x", "200", "-y", "50"]
        for k, v in env.items():
            args += ["-e", f"{k}={v}"]
        self.started = time.time()
        source = ["--connect", connect] if connect else ["--root", root]
        self.tmux(*args, CFG["bin"], *source)
        LEFT_RUNNING.append(self)
        self.pid = int(self.tmux("display-message", "-p", "#{pane_pid}").strip())

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.sock, "-f", "/dev/null", *args],
                              capture_output=True, text=True).stdout

    def screen(self):
        return self.tmux("capture-pane", "-p")

    def keys(self, *keys):
        self.tmux("send-keys", *keys)

    def wait_screen(self, pred, timeout=120.0):
        """Seconds since launch when the screen first satisfied `pred`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.screen()
            if pred(s):
                return time.time() - self.started, s
            time.sleep(0.002)
        return None, self.screen()

    def close(self):
        self.keys("q")
        for _ in range(100):
            if not os.path.exists(f"/proc/{self.pid}"):
                break
            time.sleep(0.05)
        self.tmux("kill-server")


def key_to_frame(dash, frames, gap, count=None, until=None):
    """Presses `j` `count` times (or until `until()`), `gap` (s, min/max) apart.

    Returns (in-process, from send, missing): in-process is frame written −
    key read by the input thread; from send is frame written − the moment
    before `tmux send-keys` was started (seconds)."""
    sent = []
    frames.poll()
    base = max((f[1] for f in frames.frames), default=0)
    while len(sent) < count if until is None else not until():
        time.sleep(random.uniform(*gap))
        sent.append(time.time())
        dash.keys("j")
    inproc, e2e, missing = [], [], 0
    for i, t_send in enumerate(sent):
        frame = frames.first_with_keys(base + i + 1, timeout=10)
        if frame is None:
            missing += 1
            continue
        e2e.append(frame[0] - t_send)
        if frame[1] == base + i + 1:  # not folded into a later key's frame
            inproc.append(frame[0] - frame[2])
    return inproc, e2e, missing


def describe_keys(inproc, e2e, missing):
    if not e2e:
        return "no frame seen", None
    shared = len(e2e) - len(inproc)
    inside = (f"key read → frame p50 {ms(pct(inproc, 50))}, p99 {ms(pct(inproc, 99))}"
              if inproc else "key read → frame: every key shared a frame")
    notes = [f"n={len(e2e)}"]
    if shared:
        notes.append(f"{shared} drawn with the next key, timed from send only")
    if missing:
        notes.append(f"{missing} without a frame")
    text = (f"{inside}; tmux send-keys → frame p50 {ms(pct(e2e, 50))}, "
            f"p99 {ms(pct(e2e, 99))}, max {ms(max(e2e))} ({', '.join(notes)})")
    return text, (pct(inproc, 99) if inproc else float("inf"),
                  float("inf") if missing else pct(e2e, 99))


def met_keys(p99s, limit=0.050):
    if p99s is None:
        return "no"
    inproc, e2e = p99s
    if e2e <= limit:
        return "yes"
    return "in-process only" if inproc <= limit else "no"


ROWS = []
ORDER = ["show", "hugeline", "ls", "fleet", "latency", "burst", "decide", "telemetry"]  # table order
STEP = ["show"]  # the step running


def row(target, measured, peer, met):
    ROWS.append((ORDER.index(STEP[0]), len(ROWS), (target, measured, peer or "—", met)))
    log(f"{target}: {measured} | {peer or '—'} | {met}")


# --- the steps ---------------------------------------------------------------


def step_show_tail():
    journal, root = CFG["journal"], CFG["journal_root"]
    size = f"{os.path.getsize(journal) / 2**30:.2f} GiB" if CFG["journal_mib"] >= 1024 else \
        f"{os.path.getsize(journal) / 2**20:.0f} MiB"
    CFG["journal_size"] = size
    cold, warm = os.path.join(CFG["work"], "cache-cold"), os.path.join(CFG["work"], "cache-warm")
    show = f"{CFG['bin']} --root {root} show sesn_big --tail 50 --json"
    r = hyperfine(["--runs", str(CFG["cold_runs"]), "--prepare", f"rm -rf {cold}",
                   "-n", "cold", f"SWITCHBOARD_CACHE_DIR={cold} {show}"], ENV)
    cold_r = r["cold"]
    subprocess.run(show.split(), env=dict(ENV, SWITCHBOARD_CACHE_DIR=warm),
                   stdout=subprocess.DEVNULL, check=True)
    r = hyperfine(["-N", "--warmup", "2", "--runs", str(CFG["warm_runs"]),
                   "-n", "warm", f"env SWITCHBOARD_CACHE_DIR={warm} {show}",
                   "-n", "tail", f"tail -n 50 {journal}"], ENV)
    warm_r, tail_r = r["warm"], r["tail"]

    def rss(cache, fresh):
        if fresh:
            shutil.rmtree(cache, ignore_errors=True)
        p = subprocess.run(["/usr/bin/time", "-f", "%M"] + show.split(),
                           env=dict(ENV, SWITCHBOARD_CACHE_DIR=cache),
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        return int(p.stderr.strip().splitlines()[-1]) / 1024

    rss_warm, rss_cold = rss(warm, False), rss(cold, True)
    lnav = step_lnav()
    CFG["lnav"] = lnav
    tail = f"`tail -n 50`: {ms(tail_r['median'])}"
    row(f"`show --tail 50`, {size} journal, warm (summary cached) ≤ 0.1 s",
        f"median {ms(warm_r['median'])} (mean {ms(warm_r['mean'])} ± {ms(warm_r['stddev'])}, "
        f"n={len(warm_r['times'])}); peak RSS {rss_warm:.1f} MB", tail,
        "yes" if warm_r["median"] <= 0.1 else "no")
    # Issue 2 asks "well under a second" of the first read; issue 9's 0.1 s
    # is met only once the summary is cached.
    row(f"`show --tail 50`, {size} journal, cold (fresh `SWITCHBOARD_CACHE_DIR`) "
        "well under 1 s",
        f"median {ms(cold_r['median'])}, min {ms(min(cold_r['times']))} "
        f"(n={len(cold_r['times'])}); peak RSS {rss_cold:.1f} MB",
        f"{tail}; lnav to its last line: {lnav[0]:.2f} s, {lnav[1]:.0f} MB",
        "yes" if cold_r["median"] <= 0.75 else "no")


def step_lnav():
    """lnav opening the journal and going to its end: (median s, peak MB)."""
    home = os.path.join(CFG["work"], "lnav-home")  # lnav's own config and index
    times, peaks = [], []
    for _ in range(CFG["lnav_runs"]):
        shutil.rmtree(home, ignore_errors=True)
        os.makedirs(home)
        p = subprocess.run(["/usr/bin/time", "-f", "%e %M", "lnav", "-n", "-c", ":goto 100%",
                            "-c", ":write-screen-to -", CFG["journal"]],
                           env=dict(ENV, HOME=home), capture_output=True, text=True)
        if CFG["last_event"] not in p.stdout:
            sys.exit(f"lnav did not reach the last line: {p.stdout[-300:]!r} {p.stderr[-300:]!r}")
        e, m = p.stderr.strip().splitlines()[-1].split()
        times.append(float(e))
        peaks.append(int(m) / 1024)
    return pct(times, 50), max(peaks)


def step_dashboard_journal():
    """The dashboard opening the big journal: the last screen, cold and warm."""
    cache = os.path.join(CFG["work"], "cache-dash")
    shutil.rmtree(cache, ignore_errors=True)
    result = {}
    for kind in ("cold", "warm"):
        dash = Dashboard(CFG["journal_root"], cache_dir=cache)
        shown, _ = dash.wait_screen(lambda s: "session.status_idle" in s)
        # Indexed in full, then what it holds with the journal open.
        dash.wait_screen(lambda s: re.search(r"Events · sesn_big · \d+/\d+", s) is not None)
        time.sleep(1)
        result[kind] = shown
        result[kind + "_rss"] = (status_mb(dash.pid, "VmRSS"), status_mb(dash.pid, "VmHWM"))
        dash.close()
    lnav_s, lnav_mb = CFG["lnav"]
    fmt = lambda s: "never" if s is None else ms(s)  # noqa: E731
    ok = lambda s: s is not None and s <= 0.1  # noqa: E731
    row(f"dashboard opens the {CFG['journal_size']} journal: its last screen ≤ 0.1 s "
        "(launch → last event on screen, tmux polling)",
        f"warm {fmt(result['warm'])}; cold {fmt(result['cold'])}",
        f"lnav: {lnav_s:.2f} s", "yes" if ok(result["warm"]) and ok(result["cold"]) else
        ("warm only" if ok(result["warm"]) else "no"))
    (rss_c, hwm_c), (rss_w, hwm_w) = result["cold_rss"], result["warm_rss"]
    rss, hwm = max(rss_c, rss_w), max(hwm_c, hwm_w)
    row("RSS with that journal open (indexed in full) ≤ 50 MB",
        f"opened warm: {rss_w:.1f} MB (peak {hwm_w:.1f} MB); cold: {rss_c:.1f} MB "
        f"(peak {hwm_c:.1f} MB, the summary fold included)", f"lnav peak: {lnav_mb:.0f} MB",
        "yes" if hwm <= 50 else ("yes, but not at its peak" if rss <= 50 else "no"))


def step_ls(fleet, n):
    r = hyperfine(["--warmup", "1", "--runs", str(CFG["ls_runs"]),
                   "-n", "ls", f"{CFG['bin']} --root {fleet} ls --json > /dev/null",
                   "-n", "cat", f"find {fleet} -type f -print0 | xargs -0 cat > /dev/null"], ENV)
    ls_s, cat_s = r["ls"]["median"], r["cat"]["median"]
    row(f"`ls --json`, {n:,} sessions ≤ 2× `cat` of the same files",
        f"median {ls_s:.3f} s → {ls_s / cat_s:.2f}× `cat`",
        f"`find | xargs cat`: {cat_s:.3f} s", "yes" if ls_s <= 2 * cat_s else "no")


def step_dashboard_fleet(fleet, n, at_rest):
    """First frame, whole fleet, idle CPU (with `watch` beside), key → frame."""
    flog = os.path.join(CFG["work"], "frames-fleet.log")
    frames = FrameLog(flog)
    dash = Dashboard(fleet, frame_log=flog)
    full, _ = dash.wait_screen(lambda s: f"Sessions {n}/{n}" in s)
    first = frames.first_with_keys(0, timeout=30)
    first_s = first[0] - dash.started if first else None
    row(f"dashboard, {n:,} sessions: first frame ≤ 100 ms (launch → first frame written, frame log)",
        "never" if first_s is None else ms(first_s), None,
        "yes" if first_s is not None and first_s <= 0.1 else "no")
    row(f"… the whole fleet listed (`Sessions {n}/{n}`) ≤ 1 s",
        "not within 120 s" if full is None else f"{full:.2f} s", None,
        "yes" if full is not None and full <= 1 else "no")

    watch, _ = start_watch(fleet)
    (d_pct, _), (w_pct, _) = cpu_share([dash.pid, watch.pid], CFG["idle_secs"])
    rss = status_mb(dash.pid, "VmRSS")
    stop(watch)
    rest = "at rest" if at_rest else "NOT at rest: active < 5 min ago (--quick)"
    row(f"idle ≤ 0.5 % of a core, {n:,} sessions {rest} ({CFG['idle_secs']} s window)",
        f"dashboard {d_pct:.2f} % (RSS {rss:.0f} MB)", f"`watch --json`: {w_pct:.2f} %",
        "yes" if d_pct <= 0.5 and w_pct <= 0.5 else "no")

    text, p99s = describe_keys(*key_to_frame(dash, frames, (0.08, 0.15), count=CFG["keys"]))
    row(f"key → frame ≤ 50 ms, {n:,} sessions, {rest}", text, None, met_keys(p99s))
    dash.close()


def step_latency(root):
    """append → visible: `watch --json`, `tail -F` and the dashboard on one journal."""
    dash = Dashboard(root)
    _, screen = dash.wait_screen(lambda s: re.search(r"Events · (\S+) ·", s) is not None)
    m = re.search(r"Events · (\S+) ·", screen)
    if not m:
        sys.exit(f"the dashboard opened no event stream:\n{screen}")
    sid = m[1]
    journal = os.path.join(root, sid, "events.jsonl")
    watch, _ = start_watch(root)
    w_reader = LineReader(watch.stdout.fileno())
    tail = start_tail(journal)
    LEFT_RUNNING.append(tail)
    t_reader = LineReader(tail.stdout.fileno())
    fd = os.open(journal, os.O_WRONLY | os.O_APPEND)
    tag = f"m{os.getpid()}"

    def append(i):
        ev = {"id": f"{tag}-{i}", "type": "agent.message",
              "content": [{"type": "text", "text": f"e2e mark {tag}-{i} end"}]}
        os.write(fd, json.dumps(ev).encode() + b"\n")

    def via_reader(reader, i):
        t0 = time.perf_counter()
        append(i)
        while True:
            got = reader.line()
            if got is None:
                sys.exit(f"append {i}: not seen")
            if f"{tag}-{i}\"".encode() in got:
                return time.perf_counter() - t0

    def via_screen(i):
        t0 = time.perf_counter()
        append(i)
        needle = f"{tag}-{i} end"
        deadline = t0 + 10
        while time.perf_counter() < deadline:
            if needle in dash.screen():
                return time.perf_counter() - t0
        sys.exit(f"append {i}: not on the dashboard's screen after 10 s:\n{dash.screen()}")

    for i in range(20):  # warm up all three
        via_reader(w_reader, i)
    i = 100
    lat = {"watch": [], "tail": [], "dash": []}
    for block in range(10):  # interleaved blocks: all three see the same load
        for name, per, fn in (("watch", CFG["appends"] // 10, lambda i: via_reader(w_reader, i)),
                              ("tail", CFG["appends"] // 10, lambda i: via_reader(t_reader, i)),
                              ("dash", CFG["dash_appends"] // 10, via_screen)):
            w_reader.drain()
            t_reader.drain()
            for _ in range(per):
                lat[name].append(fn(i))
                i += 1
                time.sleep(random.uniform(0.005, 0.03))
    os.close(fd)
    stop(watch)
    tail.kill()
    tail.wait()
    dash.close()
    desc = lambda v: f"p50 {ms(pct(v, 50))}, p99 {ms(pct(v, 99))}, max {ms(max(v))} (n={len(v)})"  # noqa: E731
    peer = f"`tail -F`: {desc(lat['tail'])}"
    row("append → visible, `watch --json` p99 ≤ 5 ms", desc(lat["watch"]), peer,
        "yes" if pct(lat["watch"], 99) <= 0.005 else "no")
    row("append → visible in the dashboard p99 ≤ 20 ms (tmux, `capture-pane` polled)",
        desc(lat["dash"]), peer, "yes" if pct(lat["dash"], 99) <= 0.020 else "no")
    daemon_latency(root, sid, journal, desc(lat["dash"]))


def daemon_latency(root, sid, journal, direct):
    """append → visible on a dashboard reading the root through `switchboard daemon`."""
    sockdir = os.path.join(CFG["work"], "daemon-sock")
    os.makedirs(sockdir, mode=0o700, exist_ok=True)
    sock = os.path.join(sockdir, "d.sock")
    daemon = subprocess.Popen([CFG["bin"], "daemon", "--root", root, "--socket", sock,
                               "--log", os.path.join(CFG["work"], "daemon.log")],
                              env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    LEFT_RUNNING.append(daemon)
    deadline = time.time() + 20
    while not os.path.exists(sock) and time.time() < deadline:
        time.sleep(0.05)
    if not os.path.exists(sock):
        sys.exit(f"the daemon made no socket at {sock} in 20 s; see daemon.log")
    dash = Dashboard(root, connect=sock)
    dash.wait_screen(lambda s: f"Events · {sid} ·" in s)
    fd = os.open(journal, os.O_WRONLY | os.O_APPEND)
    tag = f"d{os.getpid()}"
    lat = []
    for i in range(CFG["dash_appends"]):
        needle = f"daemon mark {tag}-{i} end"
        ev = {"id": f"{tag}-{i}", "type": "agent.message",
              "content": [{"type": "text", "text": needle}]}
        t0 = time.perf_counter()
        os.write(fd, json.dumps(ev).encode() + b"\n")
        while needle not in dash.screen():
            if time.perf_counter() - t0 > 10:
                sys.exit(f"append {i}: not on the --connect dashboard after 10 s")
        lat.append(time.perf_counter() - t0)
        time.sleep(random.uniform(0.05, 0.2))
    os.close(fd)
    dash.close()
    stop(daemon)
    v = lat
    row("append → visible in the dashboard through the daemon (`--connect`, tmux)",
        f"p50 {ms(pct(v, 50))}, p99 {ms(pct(v, 99))}, max {ms(max(v))} (n={len(v)})",
        f"the same dashboard on `--root`: {direct}", "recorded (no target)")


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_daemon(root, name, extra_env=None):
    """A daemon on `root` with its own socket; returns (process, socket)."""
    sockdir = os.path.join(CFG["work"], f"sock-{name}")
    os.makedirs(sockdir, mode=0o700, exist_ok=True)
    sock = os.path.join(sockdir, "d.sock")
    daemon = subprocess.Popen([CFG["bin"], "daemon", "--root", root, "--socket", sock,
                               "--log", os.path.join(CFG["work"], f"daemon-{name}.log")],
                              env=dict(ENV, **(extra_env or {})),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    LEFT_RUNNING.append(daemon)
    deadline = time.time() + 60
    while not os.path.exists(sock) and time.time() < deadline:
        time.sleep(0.05)
    if not os.path.exists(sock):
        sys.exit(f"the {name} daemon made no socket in 60 s; see daemon-{name}.log")
    return daemon, sock


class Rpc:
    """A line-protocol client on a daemon's socket."""

    def __init__(self, sock):
        import socket
        self.conn = socket.socket(socket.AF_UNIX)
        self.conn.connect(sock)
        self.reader = self.conn.makefile("rb")
        self.next = 0

    def call(self, method, params=None):
        self.next += 1
        msg = {"jsonrpc": "2.0", "id": self.next, "method": method, "params": params or {}}
        self.conn.sendall(json.dumps(msg).encode() + b"\n")
        while True:
            reply = json.loads(self.reader.readline())
            if reply.get("id") == self.next:
                if "error" in reply:
                    sys.exit(f"{method}: {reply['error']}")
                return reply["result"]

    def close(self):
        self.reader.close()
        self.conn.close()


def step_telemetry(root):
    """Telemetry's cost with a dead OTLP endpoint: `sessions.list` and append →
    screen through two daemons on one root, one with telemetry off and one
    exporting to a port where nothing listens, measured in alternating blocks
    while sessions end and resume (so spans end and exports keep failing)."""
    dead = f"http://127.0.0.1:{free_port()}"
    off, off_sock = start_daemon(root, "telemetry-off")
    on, on_sock = start_daemon(root, "telemetry-dead", {"OTEL_EXPORTER_OTLP_ENDPOINT": dead})
    names = sessions(root)
    flip = names[-10:]  # far from the top row, which both dashboards open
    stop_flips = threading.Event()

    def flipper():
        """A session ends or resumes (its own status again) every 50 ms."""
        docs = {sid: os.path.join(root, sid, "session.json") for sid in flip}
        was = {}
        for sid, path in docs.items():
            with open(path) as f:
                was[sid] = json.load(f).get("status")
        i = 0
        while not stop_flips.is_set():
            sid = flip[i % len(flip)]
            path = docs[sid]
            with open(path) as f:
                doc = json.load(f)
            doc["status"] = "terminated" if doc.get("status") != "terminated" else was[sid]
            tmp = path + ".tmp"
            with open(tmp, "w") as f:
                json.dump(doc, f)
            os.replace(tmp, path)
            i += 1
            stop_flips.wait(0.05)

    flips = threading.Thread(target=flipper, daemon=True)
    flips.start()
    try:
        rpcs = {"off": Rpc(off_sock), "dead": Rpc(on_sock)}
        for rpc in rpcs.values():
            for _ in range(5):  # warm up
                rpc.call("sessions.list")
        lists = {"off": [], "dead": []}
        for _ in range(10):
            for name, rpc in rpcs.items():
                for _ in range(CFG["list_calls"] // 10):
                    t0 = time.perf_counter()
                    rpc.call("sessions.list")
                    lists[name].append(time.perf_counter() - t0)
        for rpc in rpcs.values():
            rpc.close()

        dashes = {"off": Dashboard(root, connect=off_sock), "dead": Dashboard(root, connect=on_sock)}
        sid = None
        for name, dash in dashes.items():
            _, screen = dash.wait_screen(lambda s: re.search(r"Events · (\S+) ·", s) is not None)
            m = re.search(r"Events · (\S+) ·", screen)
            if not m:
                sys.exit(f"the {name} dashboard opened no event stream:\n{screen}")
            if sid is None:
                sid = m[1]
            elif m[1] != sid:
                sys.exit(f"the two dashboards opened different sessions: {sid}, {m[1]}")
        fd = os.open(os.path.join(root, sid, "events.jsonl"), os.O_WRONLY | os.O_APPEND)
        tag = f"t{os.getpid()}"
        screens = {"off": [], "dead": []}
        i = 0
        for _ in range(10):
            for name, dash in dashes.items():
                for _ in range(CFG["dash_appends"] // 10):
                    needle = f"telemetry mark {tag}-{i} end"
                    ev = {"id": f"{tag}-{i}", "type": "agent.message",
                          "content": [{"type": "text", "text": needle}]}
                    t0 = time.perf_counter()
                    os.write(fd, json.dumps(ev).encode() + b"\n")
                    while needle not in dash.screen():
                        if time.perf_counter() - t0 > 10:
                            sys.exit(f"append {i}: not on the {name} dashboard after 10 s")
                    screens[name].append(time.perf_counter() - t0)
                    i += 1
                    time.sleep(random.uniform(0.02, 0.08))
        os.close(fd)
        for dash in dashes.values():
            dash.close()
        # By now batches have gone out (one every 2 s): they must have failed.
        rpc = Rpc(on_sock)
        status = rpc.call("daemon.status")
        rpc.close()
    finally:
        stop_flips.set()
        flips.join()
    stop(off)
    stop(on)
    export = (status.get("telemetry") or {}).get("last_export") or {}
    failing = "exports failing as expected" if export.get("ok") is False else f"NOT failing: {export}"
    desc = lambda v: f"p50 {ms(pct(v, 50))}, p99 {ms(pct(v, 99))} (n={len(v)})"  # noqa: E731

    def within(name, v):
        ratio = pct(v["dead"], 50) / pct(v["off"], 50)
        return f"{'yes' if ratio <= 1.10 and export.get('ok') is False else 'no'} (p50 ×{ratio:.2f})"

    row(f"`sessions.list` ({len(names):,} sessions) with a dead OTLP endpoint within 10% of telemetry off",
        f"{desc(lists['dead'])}; {failing}", f"telemetry off: {desc(lists['off'])}", within("list", lists))
    row("append → visible in the dashboard through the daemon with a dead OTLP endpoint within 10% of off",
        f"{desc(screens['dead'])}", f"telemetry off: {desc(screens['off'])}", within("screen", screens))


def step_burst(root, n):
    """50,000 events/s across the sessions: `watch` loses nothing; key → frame."""
    flog = os.path.join(CFG["work"], "frames-burst.log")
    frames = FrameLog(flog)
    dash = Dashboard(root, frame_log=flog)
    dash.wait_screen(lambda s: f"Sessions {n}/{n}" in s)
    watch, _ = start_watch(root)
    tally = Delivery(BURST_PREFIX)

    def read_watch():
        reader = LineReader(watch.stdout.fileno())
        while True:
            line = reader.line(timeout=3600)
            if line is None:
                return
            tally.add(line)

    reader = threading.Thread(target=read_watch, daemon=True)
    reader.start()
    time.sleep(2)
    per = int(CFG["burst_rate"] * CFG["burst_secs"] / n)
    writers = 4
    t0 = time.monotonic()
    procs = [subprocess.Popen([sys.executable, __file__, "writer", root, str(w), str(writers),
                               str(per), str(CFG["burst_rate"] / writers)]) for w in range(writers)]
    keys = key_to_frame(dash, frames, (0.02, 0.05),
                        until=lambda: all(p.poll() is not None for p in procs))
    for p in procs:
        p.wait()
    write_secs = time.monotonic() - t0
    written = per * n
    deadline = time.monotonic() + 120
    while tally.got < written and time.monotonic() < deadline:
        time.sleep(0.1)
    stop(watch)
    dash.close()
    lost = written - tally.got
    row(f"burst: {written:,} events across {n:,} sessions at {CFG['burst_rate']:,}/s, nothing lost (`watch --json`)",
        f"written in {write_secs:.2f} s ({written / write_secs:,.0f}/s); delivered {tally.got:,}, "
        f"lost {lost}, duplicated {tally.dupes}, out of order {tally.disorder}; "
        f"the last {tally.last - t0:.2f} s after the first write", None,
        "yes" if lost == 0 and tally.dupes == 0 and tally.disorder == 0 else "no")
    text, p99s = describe_keys(*keys)
    row("key → frame ≤ 50 ms in the dashboard during that burst", text, None, met_keys(p99s))


def step_decide():
    fixture = os.path.join(CFG["repo"], "tests/fixtures/contract")
    pending = subprocess.run([CFG["bin"], "--root", fixture, "pending", "--json"], env=ENV,
                             capture_output=True, text=True, check=True)
    req = next(p for p in json.loads(pending.stdout)
               if p["session_id"] == "sesn_awaiting" and p["event_id"] == "sevt_0003")
    copy = os.path.join(CFG["work"], "decide-root")
    r = hyperfine(["-N", "--warmup", "2", "--runs", str(CFG["decide_runs"]),
                   "--prepare", f"sh -c 'rm -rf {copy}; cp -r {fixture} {copy}'",
                   "-n", "approve", f"{CFG['bin']} --root {copy} approve sesn_awaiting sevt_0003 "
                   f"--fingerprint {req['fingerprint']}"], ENV)["approve"]
    with open(os.path.join(copy, "sesn_awaiting", "events.jsonl")) as f:
        if '"user.tool_confirmation"' not in f.read().splitlines()[-1]:
            sys.exit("approve did not write its decision")
    row("decision → fsynced line ≤ 10 ms (`switchboard approve`: process start, scan under "
        "the lock, append, fsync of journal and audit log)",
        f"median {ms(r['median'])}, mean {ms(r['mean'])} ± {ms(r['stddev'])}, min {ms(r['min'])} "
        f"(n={len(r['times'])})", None, "yes" if r["median"] <= 0.010 else "no")


def simulate(root, n, rate, secs):
    if os.path.isdir(root):
        shutil.rmtree(root)
    subprocess.run([CFG["bin"], "simulate", "--root", root, "--scenario", "load", "--sessions",
                    str(n), "--rate", str(rate), "--duration", str(secs), "--seed", "1"],
                   env=ENV, check=True, stdout=subprocess.DEVNULL)
    age_tree(root)


def cached_fleet(n):
    """The read-only fleet, kept in BENCH_DIR between runs: (root, made at)."""
    root = os.path.join(CFG["data"], f"fleet-{n}")
    stamp = root + ".made"  # written once the fleet is complete
    if not os.path.exists(stamp):
        simulate(root, n, 20000, 3)
        with open(stamp, "w"):
            pass
    return root, os.path.getmtime(stamp)


def wait_for_rest(made):
    """Waits until the fleet's last activity is REST_SECS old (the feed polls
    sessions active in the last 5 minutes more often); not in --quick."""
    left = made + REST_SECS - time.time()
    if left <= 0:
        return True
    if CFG["quick"]:
        log(f"the fleet is {time.time() - made:.0f} s old, not at rest: idle figures overstated")
        return False
    log(f"waiting {left:.0f} s for the fleet to come to rest (kept for the next run)")
    time.sleep(left)
    return True


def writer(root, first, step, per, rate):
    """One burst writer: appends to every `step`th session, paced to `rate`/s."""
    journals = [os.path.join(root, sid, "events.jsonl") for sid in sessions(root)]
    append_share(journals, first, step, per, rate, BURST_PREFIX)


def step_hugeline():
    """One ~52 MB journal holding a single 50 MB line: peak RSS of `show --tail 20`
    and of the dashboard with it open, against `tail -n 20`."""
    root = os.path.join(CFG["work"], "hugeline")
    sdir = os.path.join(root, "sesn_huge")
    os.makedirs(sdir, exist_ok=True)
    with open(os.path.join(sdir, "session.json"), "w") as f:
        json.dump({"id": "sesn_huge", "type": "session", "status": "idle"}, f)
    line_mb = 50
    with open(os.path.join(sdir, "events.jsonl"), "w") as f:
        for i in range(20):
            f.write(json.dumps({"id": f"sevt_small_{i}", "type": "agent.message",
                                "content": [{"type": "text", "text": "x" * 100000}]}) + "\n")
        f.write(json.dumps({"id": "sevt_huge", "type": "agent.message",
                            "content": [{"type": "text", "text": "y" * (line_mb << 20)}]}) + "\n")
        f.write(json.dumps({"id": "sevt_last", "type": "session.status_idle",
                            "stop_reason": {"type": "end_turn"}}) + "\n")
    journal = os.path.join(sdir, "events.jsonl")
    size_mb = os.path.getsize(journal) / 2**20

    def peak(cmd, env=None):
        p = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, env=env or ENV,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        return int(p.stderr.strip().splitlines()[-1]) / 1024

    cache = os.path.join(CFG["work"], "cache-huge")
    shutil.rmtree(cache, ignore_errors=True)
    show = [CFG["bin"], "--root", root, "show", "sesn_huge", "--tail", "20"]
    show_mb = peak(show, dict(ENV, SWITCHBOARD_CACHE_DIR=cache))
    tail_mb = peak(["tail", "-n", "20", journal])
    dash = Dashboard(root, cache_dir=cache)
    dash.wait_screen(lambda s: "session.status_idle" in s)
    dash.wait_screen(lambda s: re.search(r"Events · sesn_huge · \d+/\d+", s) is not None)
    time.sleep(1)
    dash_rss, dash_hwm = status_mb(dash.pid, "VmRSS"), status_mb(dash.pid, "VmHWM")
    dash.close()
    limit = 1.5 * line_mb
    row(f"one {size_mb:.0f} MB journal holding a single {line_mb} MB line: peak RSS "
        f"≤ 1.5× the line ({limit:.0f} MB)",
        f"`show --tail 20`: peak {show_mb:.0f} MB; dashboard with it open: {dash_rss:.0f} MB "
        f"(peak {dash_hwm:.0f} MB)", f"`tail -n 20`: peak {tail_mb:.0f} MB",
        "yes" if max(show_mb, dash_hwm) <= limit else "no")


def run_step(name, *steps):
    """Runs one step; a failure becomes a row, so the rest still run."""
    STEP[0] = name
    try:
        for fn in steps:
            fn()
    except (Exception, SystemExit) as e:  # noqa: BLE001 - reported in the table
        row(f"step `{name}`", f"FAILED: {e}".replace("\n", " ")[:300], None, "no")
    finally:
        end_left_running()
        LEFT_RUNNING.clear()


def main():
    quick = CFG["quick"]
    fleet_n = CFG["fleet"]
    log(f"{'quick' if quick else 'full'} run: journal {CFG['journal_mib']} MiB, fleet {fleet_n:,}, "
        f"load average {os.getloadavg()[0]:.1f}")
    latency_root = os.path.join(CFG["work"], "latency")
    burst_root = os.path.join(CFG["work"], "burst")
    steps = CFG["steps"]
    log("generating fleets with `switchboard simulate`")
    if steps & {"ls", "fleet"}:
        fleet, fleet_made = cached_fleet(fleet_n)
    if "latency" in steps:
        simulate(latency_root, 101, 1000, 1)
    if "burst" in steps:
        simulate(burst_root, CFG["burst_sessions"], 20000, 1)
    if "show" in steps:
        log("show --tail, tail -n, lnav; the dashboard on the journal")
        run_step("show", step_show_tail, step_dashboard_journal)
    if "hugeline" in steps:
        log("a journal of one 50 MB line")
        run_step("hugeline", step_hugeline)
    if "ls" in steps:
        log("ls --json vs cat")
        run_step("ls", lambda: step_ls(fleet, fleet_n))
    if "latency" in steps:
        log("append → visible")
        run_step("latency", lambda: step_latency(latency_root))
    if "burst" in steps:
        log("burst")
        run_step("burst", lambda: step_burst(burst_root, CFG["burst_sessions"]))
    if "decide" in steps:
        log("decision")
        run_step("decide", step_decide)
    if "telemetry" in steps:
        telemetry_root = os.path.join(CFG["work"], "telemetry")
        simulate(telemetry_root, fleet_n, 20000, 2)
        log("telemetry: a dead OTLP endpoint vs off")
        run_step("telemetry", lambda: step_telemetry(telemetry_root))
    if "fleet" in steps:  # last: the fleet needs time to come to rest
        at_rest = wait_for_rest(fleet_made)
        log("the dashboard on the fleet")
        run_step("fleet", lambda: step_dashboard_fleet(fleet, fleet_n, at_rest))
    print()
    print(f"Switchboard end-to-end benchmark ({'--quick: small sizes, NOT the targets’ sizes' if quick else 'full sizes'}); "
          f"{os.cpu_count()} cores, load average at the end {os.getloadavg()[0]:.1f}, "
          f"{subprocess.run([CFG['bin'], '--version'], capture_output=True, text=True).stdout.strip()}")
    print()
    print("| target | measured | peer, same run | met? |")
    print("|---|---|---|---|")
    for _, _, r in sorted(ROWS):
        print("| " + " | ".join(c.replace("|", "\\|") for c in r) + " |")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "writer":
        root, first, step, per, rate = sys.argv[2:7]
        writer(root, int(first), int(step), int(per), float(rate))
        sys.exit(0)
    e = os.environ
    CFG = {
        "repo": e["REPO"], "bin": e["BIN"], "work": e["WORK"], "data": e["DATA"],
        "quick": e["QUICK"] == "1",
        "journal": e["JOURNAL"], "journal_root": os.path.dirname(os.path.dirname(e["JOURNAL"])),
        "journal_mib": int(e["JOURNAL_MIB"]), "fleet": int(e["FLEET"]),
        "steps": set(e["STEPS"].split(",")),
    }
    with open(CFG["journal"], "rb") as f:
        f.seek(-4096, os.SEEK_END)
        CFG["last_event"] = json.loads(f.read().splitlines()[-1])["id"]
    q = CFG["quick"]
    CFG.update(cold_runs=2 if q else 10, warm_runs=10 if q else 20, lnav_runs=1 if q else 3,
               ls_runs=5 if q else 10, idle_secs=5 if q else 30, keys=20 if q else 100,
               appends=200 if q else 1000, dash_appends=100 if q else 200,
               burst_sessions=1000, burst_rate=50000, burst_secs=2 if q else 5,
               decide_runs=10 if q else 30, list_calls=200 if q else 500)
    ENV = dict(os.environ,
               SWITCHBOARD_CONFIG_DIR=os.path.join(CFG["work"], "no-config"),
               SWITCHBOARD_AUDIT_LOG=os.path.join(CFG["work"], "audit.jsonl"),
               SWITCHBOARD_CACHE_DIR=os.path.join(CFG["work"], "cache"))
    for k in ("SWITCHBOARD_ROOT", "SWITCHBOARD_NOW", "SWITCHBOARD_FRAME_LOG", "NO_COLOR"):
        ENV.pop(k, None)
    main()
