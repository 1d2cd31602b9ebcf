#!/usr/bin/env bash
# Every end-to-end target of docs/benchmarks.md in one run, each against its
# peer (tail, tail -F, cat, lnav) measured in that same run, printed as one
# table: target | measured | peer, same run | met?
#
# usage: scripts/bench-e2e.sh [--quick] [--skip-build] [--steps LIST] [--keep]
#   --quick       small sizes (64 MiB journal, 1,000-session fleet, short
#                 windows) to smoke-test the script; the full run uses the
#                 targets' sizes (1 GiB journal, 10,000 sessions)
#   --skip-build  use target/release/switchboard as it is
#   --steps LIST  a comma-separated subset of show,hugeline,ls,fleet,latency,
#                 burst,decide,telemetry
#   --keep        keep the work directory (fleets, frame logs) afterwards
# Environment: BENCH_DIR (default /tmp/switchboard-bench) keeps the journal
# (minutes to write) and the read-only fleet (`switchboard simulate`; idle is
# measured once it has been at rest 5 minutes) between runs; the fleets that
# get appended to are simulated afresh in a temp work directory every run.
# Installs lnav, hyperfine, tmux and GNU time with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0 build=1 keep=0 steps=show,hugeline,ls,fleet,latency,burst,decide,telemetry
while [[ $# -gt 0 ]]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --skip-build) build=0; shift ;;
    --steps) steps="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

missing=()
for tool in lnav hyperfine tmux python3; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
[[ -x /usr/bin/time ]] || missing+=(time)
if [[ ${#missing[@]} -gt 0 ]]; then
  echo "installing ${missing[*]} with apt-get" >&2
  sudo=""
  [[ $(id -u) == 0 ]] || sudo=sudo
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [[ $build == 1 ]]; then
  cargo build --release --quiet --bin switchboard
fi
bin=$PWD/target/release/switchboard
[[ -x $bin ]] || { echo "no release binary at $bin; run without --skip-build" >&2; exit 1; }

if [[ $quick == 1 ]]; then mib=64 fleet=1000; else mib=1024 fleet=10000; fi
data=${BENCH_DIR:-/tmp/switchboard-bench}
journal=$data/root-$mib/sesn_big/events.jsonl
if [[ ! -s $journal ]]; then
  echo "writing a $mib MiB journal (once; kept in $data)" >&2
  python3 scripts/gen-journal.py "$data/root-$mib" sesn_big "$mib" >&2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/switchboard-e2e.XXXXXX")
if [[ $keep == 1 ]]; then
  echo "work directory: $work (kept)" >&2
else
  trap 'rm -rf "$work"' EXIT
fi

REPO=$PWD BIN=$bin WORK=$work DATA=$data QUICK=$quick JOURNAL=$journal JOURNAL_MIB=$mib \
  FLEET=$fleet STEPS=$steps python3 scripts/bench-e2e.py
