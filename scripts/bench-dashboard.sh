#!/usr/bin/env bash
# The dashboard on a 10,000-session fleet, in a real terminal through tmux:
# time to first frame, time until the whole fleet is listed, idle CPU, RSS.
# usage: scripts/bench-dashboard.sh [SESSIONS]   (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
work=${BENCH_DIR:-/tmp/switchboard-bench}
root=$work/fleet-$n
bin=$PWD/target/release/switchboard
cargo build --release --quiet
if [ ! -d "$root" ]; then
  "$bin" simulate --root "$root" --scenario load --sessions "$n" --rate 20000 --duration 3 --seed 1 >/dev/null
fi
sock=sb-bench-$$
export SWITCHBOARD_CONFIG_DIR=$work/no-config SWITCHBOARD_CACHE_DIR=$work/cache
now_ms() { date +%s%3N; }
start=$(now_ms)
tmux -L "$sock" new-session -d -x 200 -y 50 "$bin --root $root"
first="" full=""
for _ in $(seq 1 3000); do
  screen=$(tmux -L "$sock" capture-pane -p 2>/dev/null || true)
  if [ -z "$first" ] && grep -q "Sessions" <<<"$screen"; then first=$(( $(now_ms) - start )); fi
  if grep -q "Sessions $n/$n" <<<"$screen"; then full=$(( $(now_ms) - start )); break; fi
  sleep 0.01
done
pid=$(tmux -L "$sock" list-panes -F '#{pane_pid}')
# Key → frame: press `j` and wait for the screen to change (tmux's own
# send/capture round trip, ~5-10 ms, is included).
lat=()
for _ in $(seq 1 20); do
  before=$(tmux -L "$sock" capture-pane -p)
  t0=$(now_ms)
  tmux -L "$sock" send-keys j
  for _ in $(seq 1 500); do
    [ "$(tmux -L "$sock" capture-pane -p)" != "$before" ] && break
    sleep 0.002
  done
  lat+=($(( $(now_ms) - t0 )))
  sleep 0.2
done
keys=$(printf '%s\n' "${lat[@]}" | sort -n | awk '{a[NR]=$1} END {printf "median %d ms, max %d ms (n=%d)", a[int((NR+1)/2)], a[NR], NR}')
sleep 5
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
t0=$(ticks); sleep 30; t1=$(ticks)
hz=$(getconf CLK_TCK)
idle=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" 'BEGIN { printf "%.2f", (b - a) / hz / 30 * 100 }')
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
tmux -L "$sock" send-keys q
sleep 1
tmux -L "$sock" kill-server 2>/dev/null || true
echo "sessions: $n"
echo "first frame: ${first:-never} ms (launch to the fleet pane on screen, incl. process start and tmux polling)"
echo "whole fleet listed: ${full:-not within 30 s} ms"
echo "key to frame: $keys"
echo "idle CPU over 30 s: ${idle}% of a core"
echo "RSS: $((rss / 1024)) MB"
