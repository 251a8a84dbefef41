#!/usr/bin/env python3
"""progress_tty.py RAFTSIM: the progress line is drawn (rewritten with \\r)
when stderr is a terminal, and not with --no-progress; stdout stays the
plain table either way."""
import os
import pty
import subprocess
import sys

raftsim = sys.argv[1]


def run_on_terminal(*args):
    controller, terminal = pty.openpty()
    process = subprocess.Popen([raftsim, "run", "NoIssueSanity", "--seeds", "1..4", "--jobs", "1", *args],
                               stdout=subprocess.PIPE, stderr=terminal, text=True)
    os.close(terminal)
    seen = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closes when the process exits (EIO)
            break
        if not chunk:
            break
        seen += chunk
    stdout = process.stdout.read()
    process.wait()
    os.close(controller)
    print(repr(seen[-400:]), stdout, sep="\n")
    return process.returncode, seen.decode(), stdout


code, drawn, stdout = run_on_terminal()
if code != 0 or "\r" not in drawn or "/4 runs, 0 failed" not in drawn:
    sys.exit("expected a progress line on the terminal")
if "\r" in stdout or "runs," in stdout:
    sys.exit("the progress line belongs on stderr only")
code, drawn, _ = run_on_terminal("--no-progress")
if code != 0 or "runs," in drawn:
    sys.exit("--no-progress draws nothing")
print("ok")
