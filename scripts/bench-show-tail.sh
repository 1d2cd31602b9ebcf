#!/usr/bin/env bash
# show --tail 50 on a 1 GiB journal: cold (no summary cache) and warm, with
# `tail -n 50` on the same file as the peer, and peak RSS.
# usage: scripts/bench-show-tail.sh [SIZE_MIB]   (default 1024)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-1024}
work=${BENCH_DIR:-/tmp/switchboard-bench}
root=$work/root-$size
bin=./target/release/switchboard
command -v hyperfine >/dev/null || { apt-get update -qq && apt-get install -y -qq hyperfine; }
cargo build --release --quiet
if [ ! -s "$root/sesn_big/events.jsonl" ]; then
  python3 scripts/gen-journal.py "$root" sesn_big "$size"
fi
journal=$root/sesn_big/events.jsonl
export SWITCHBOARD_CONFIG_DIR=$work/no-config
echo "journal: $(du -h "$journal" | cut -f1), $(wc -l < "$journal") lines"
cold_cache=$work/cache-cold
hyperfine --warmup 1 --runs 5 \
  --prepare "rm -rf $cold_cache" \
  -n "show --tail 50 (cold: no summary cache)" "SWITCHBOARD_CACHE_DIR=$cold_cache $bin --root $root show sesn_big --tail 50 --json > /dev/null" 
SWITCHBOARD_CACHE_DIR=$work/cache-warm $bin --root "$root" show sesn_big --tail 50 --json > /dev/null
hyperfine --warmup 2 --runs 20 -N \
  -n "show --tail 50 (warm)" "env SWITCHBOARD_CACHE_DIR=$work/cache-warm $bin --root $root show sesn_big --tail 50 --json" \
  -n "tail -n 50 (peer)" "tail -n 50 $journal"
echo "peak RSS, warm show --tail 50:"
SWITCHBOARD_CACHE_DIR=$work/cache-warm /usr/bin/time -f "%M KB" $bin --root "$root" show sesn_big --tail 50 --json > /dev/null
echo "peak RSS, cold show --tail 50:"
rm -rf "$cold_cache"; SWITCHBOARD_CACHE_DIR=$cold_cache /usr/bin/time -f "%M KB" $bin --root "$root" show sesn_big --tail 50 --json > /dev/null
