"""Helpers shared by the benchmark scripts (bench-e2e.py, bench-watch.sh)."""
import os
import re
import select
import signal
import subprocess
import sys
import time

TICKS = os.sysconf("SC_CLK_TCK")


def pct(values, p):
    """The p-th percentile of `values`, nearest rank."""
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100 * (len(values) - 1)))))
    return values[k]


def cpu_secs(pid):
    """CPU seconds (user + system) `pid` has used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def status_mb(pid, field):
    """A kB field of /proc/<pid>/status (VmRSS, or VmHWM for the peak) in MB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return 0.0


def start_watch(binary, root, env):
    """`binary --root root watch --json`, returned once its first status line
    (the end of the initial pass) is on stderr: (process, that line)."""
    p = subprocess.Popen([binary, "--root", root, "watch", "--json"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    status = p.stderr.readline().decode().strip()
    if not status:
        p.kill()  # the caller never sees it, so cannot end it
        p.wait()
        sys.exit("watch exited before its first status line")
    return p, status


def start_tail(journal):
    """`tail -F` on `journal` from its end, polling every 10 ms; returned
    after 0.5 s, as tail has no ready signal."""
    p = subprocess.Popen(["tail", "-F", "-n", "0", "-s", "0.01", journal],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    return p


def cpu_share(pids, secs):
    """Waits 5 s (the first re-checks of watched sessions pass), then
    measures over a `secs` s window: per pid, (% of a core, CPU seconds)."""
    time.sleep(5)
    c0, w0 = [cpu_secs(pid) for pid in pids], time.monotonic()
    time.sleep(secs)
    c1, w1 = [cpu_secs(pid) for pid in pids], time.monotonic()
    return [((b - a) / (w1 - w0) * 100, b - a) for a, b in zip(c0, c1)]


def stop(p):
    """SIGTERM, then SIGKILL if it has not ended within 10 s."""
    p.send_signal(signal.SIGTERM)
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def paced_appends(fds, per, rate, prefix):
    """Appends `per` events to each (index, fd) in turn, paced to `rate`/s
    over all of them; ids are `<prefix><index>-<n>`, so readers can check
    that each arrived once and in order."""
    t0 = time.monotonic()
    written = 0
    for n in range(per):
        for s, fd in fds:
            os.write(fd, b'{"id":"%s%d-%d","type":"agent.message"}\n' % (prefix, s, n))
            written += 1
        ahead = written / rate - (time.monotonic() - t0)
        if ahead > 0:
            time.sleep(ahead)


def append_share(journals, first, step, per, rate, prefix):
    """One of `step` writers: paced_appends to every `step`th of `journals`
    (paths) from `first`, at `rate`/s."""
    fds = [(s, os.open(journals[s], os.O_WRONLY | os.O_APPEND))
           for s in range(first, len(journals), step)]
    paced_appends(fds, per, rate, prefix)


def appended_id(line, prefix):
    """(index, n) of the first `<prefix><index>-<n>` id paced_appends wrote
    that `line` (bytes, such as a `watch --json` line) holds; None if none."""
    m = re.search(rb'"id":"%s(\d+)-(\d+)"' % re.escape(prefix), line)
    return (int(m[1]), int(m[2])) if m else None


class Delivery:
    """Tallies the paced_appends events a reader got: a repeat or a step
    back in a journal's n is a duplicate, a skip forward is out of order."""

    def __init__(self, prefix):
        self.prefix = prefix
        self.seen = {}  # index -> the highest n got
        self.got = self.dupes = self.disorder = 0
        self.last = 0.0  # time.monotonic() of the last event got

    def add(self, line):
        """Counts `line` if it holds one of our ids; returns whether it did."""
        ids = appended_id(line, self.prefix)
        if ids is None:
            return False
        s, n = ids
        last = self.seen.get(s, -1)
        if n <= last:
            self.dupes += 1
        elif n != last + 1:
            self.disorder += 1
        self.seen[s] = max(last, n)
        self.got += 1
        self.last = time.monotonic()
        return True


class LineReader:
    """Whole lines from a pipe, without Python's buffering delays."""

    def __init__(self, fd):
        self.fd = fd
        self.buf = b""

    def line(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.fd], [], [], left)
            if r:
                chunk = os.read(self.fd, 65536)
                if not chunk:
                    return None
                self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\n")
        return line

    def drain(self):
        """Reads and drops whatever arrives until 50 ms pass without a line."""
        while self.line(timeout=0.05) is not None:
            pass
