#!/usr/bin/env python3
"""html_renders.py RAFTSIM WORKDIR: `raftsim replay ... --html` draws a
readable space-time diagram.

Replays a small crafted scenario (every kind of fault, then a liveness
failure; its file name is full of HTML and shell metacharacters, which the
page's replay command must carry escaped) with --html, and checks:
  - the page's structure: a lane per node, the violation, arrows, drops,
    fault markers, escaped text, nothing fetched from the network, a sane
    size, and the same bytes on a second run;
  - that headless Chromium renders it: the inline script ran (--dump-dom)
    and a 1600x900 screenshot is a valid PNG that is not blank and shows
    the violation's red. The PNG is decoded here with zlib, as PIL may be
    missing.
Then the same for the failure shrunk (`raftsim shrink`, as docs/reproducing.md
does): the diagram of the shrunk artifact renders and its screenshot is not
blank and shows the violation. Last, a run with key-value clients
(KvPartitions) gets the client history below the diagram: a lane per client,
its last operations as boxes, the verdict; the crafted run (no clients) has
none. And in KvReads' lanes each get's tooltip says how it was served
(get[log], get[read_index], get[lease]), as its label does where it fits,
and a get by ReadIndex or the lease is filled apart.
Chromium is required, not optional: without it the test fails and says how
to install it (`tools/dev deps`, as CI does).
"""
import json
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import zlib

raftsim, workdir = sys.argv[1:3]
work = pathlib.Path(workdir).resolve()
shutil.rmtree(work, ignore_errors=True)
work.mkdir(parents=True)

WIDTH, HEIGHT = 1600, 900
# A scenario name is plain ([A-Za-z0-9_.-]); the file's name need not be.
SCENARIO_FILE = work / "scenario<&>\"'.json"
NAMES = ["alpha", "beta", "gamma"]
SCENARIO = {
    "name": "HtmlDiagram",
    "description": "Every kind of fault on three nodes, then all three cut apart: no leader.",
    "cluster": {"names": NAMES},
    "raft": {"heartbeat_timeout": "500ms", "election_timeout": "500ms",
             "leader_lease": "250ms"},
    "steps": [
        {"wait_for_leader": "10s"},
        {"apply": 2},
        {"clock_drift": {"nodes": "beta", "ppm": 20000}},
        {"network": {"drop": [1, 5]}},
        {"cut": {"from": "leader", "to": "followers"}},
        {"sleep": "700ms"},
        {"heal_all": {}},
        {"network": {"drop": 0}},
        {"wait_for_leader": "5s"},
        {"crash": "leader"},
        {"slow_votes": {"mode": "send", "nodes": "all", "delay": ["20ms", "40ms"]}},
        {"sleep": "900ms"},
        {"restart": "all"},
        {"sleep": "200ms"},
        {"partition": ["alpha"], "as": "a"},
        {"partition": ["beta"], "as": "b"},
        {"sleep": "600ms"},
        {"wait_for_leader": "800ms"},
    ],
}


def check(condition, what):
    if not condition:
        sys.exit(f"FAILED: {what}")


def replay(html):
    args = [raftsim, "replay", str(SCENARIO_FILE), "--seed", "1", "--html", str(html)]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    print("$", " ".join(args), "->", result.returncode)
    print(result.stdout[-1500:], result.stderr[-1500:])
    check(result.returncode == 1, "the crafted scenario fails (exit 1)")
    check("violation: liveness/no_leader" in result.stdout, "the run ends in liveness/no_leader")
    check(html.is_file(), f"{html} was written")
    return html.read_bytes()


def check_structure(page):
    lanes = re.findall(r'<g class="lane" data-node="([^"]*)"', page)
    check(lanes == NAMES, f"one lane per node in order, got {lanes}")
    check(page.startswith("<!doctype html>"), "an HTML5 document")
    check("HtmlDiagram seed 1" in page, "the title")
    check("scenario&lt;&amp;&gt;&quot;&apos;\\&apos;&apos;.json" in page,
          "the replay command's file name, shell-quoted and escaped")
    check("scenario<" not in page, "no unescaped file name")
    check("liveness" in page and "no_leader" in page, "the violation's checker and kind")
    check("no leader was elected within 800 ms" in page, "the violation's detail")
    check('<g class="vio">' in page, "the violation line")
    arrows = int(re.search(r'data-arrows="(\d+)"', page).group(1))
    check(arrows > 0 and page.count('<line class="m m') > 0, "message arrows drawn")
    check(page.count('<g class="dr">') > 0, "dropped messages drawn")
    for marker in ['class="flag f-part"', 'class="flag f-heal"', 'class="flag f-cut"',
                   'class="flag f-net"', 'class="flag f-slow"', 'class="k crash"',
                   'class="k restart"', 'class="k drift"', 'class="b b-leader"',
                   'class="b b-down"', 'class="b b-candidate"']:
        check(marker in page, f"the diagram has {marker}")
    check(re.search(r'fingerprint <code>[0-9a-f]{16}</code>', page), "the fingerprint")
    check("raftsim replay" in page, "the replay command")
    # Self-contained: nothing fetched, not even an SVG namespace URL.
    check(not re.search(r'(src|href)\s*=\s*["\']?\s*(https?:)?//', page, re.I),
          "no src=/href= to the network")
    check("http://" not in page and "https://" not in page, "no http(s) URL at all")
    check(not re.search(r'<link\b|@import|<script[^>]*\bsrc=', page, re.I),
          "no external style sheets or scripts")
    check('<section class="clients"' not in page, "no client section for a run without clients")
    print(f"html: {len(page)} bytes, {arrows} arrows, lanes {lanes}")


def chromium_binary():
    for candidate in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(candidate)
        if path:
            return path
    sys.exit("FAILED: chromium is not installed; run `tools/dev deps` (CI installs it) to "
             "get Debian's chromium package, which this test needs to render the HTML diagram")


def chromium(binary, *args):
    # Chromium as root needs --no-sandbox, and a writable profile and HOME.
    home = work / "chromium-home"
    home.mkdir(exist_ok=True)
    env = dict(os.environ, HOME=str(home))
    command = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", f"--user-data-dir={work / 'chromium-profile'}",
               f"--window-size={WIDTH},{HEIGHT}", *args]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=60, env=env)
    except subprocess.TimeoutExpired:
        sys.exit(f"FAILED: chromium did not finish within 60 s: {' '.join(command)}")
    if result.returncode != 0:
        print(result.stderr[-3000:])
    check(result.returncode == 0, f"chromium exits 0: {' '.join(command)}")
    return result.stdout


def read_png(path):
    """(width, height, rows of RGB(A) bytes), for 8-bit RGB or RGBA PNGs."""
    data = path.read_bytes()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is a PNG")
    offset, idat, header = 8, b"", None
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    width, height, depth, colour, _, _, interlace = header
    check(depth == 8 and colour in (2, 6) and interlace == 0,
          f"an 8-bit RGB(A) non-interlaced PNG (depth {depth}, colour type {colour})")
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                best = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                line[i] = (line[i] + best) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


def check_screenshot(path):
    check(path.is_file(), f"chromium wrote {path}")
    width, height, channels, rows = read_png(path)
    check((width, height) == (WIDTH, HEIGHT), f"the screenshot is {WIDTH}x{HEIGHT}, got "
          f"{width}x{height}")
    colours, inked, red = set(), 0, 0
    for row in rows:
        for x in range(0, width * channels, channels):
            r, g, b = row[x], row[x + 1], row[x + 2]
            colours.add((r, g, b))
            inked += (r, g, b) != (255, 255, 255)
            red += r > 190 and g < 80 and b < 80
    share = inked / (width * height)
    print(f"screenshot: {width}x{height}, {len(colours)} colours, {share:.0%} inked, "
          f"{red} red pixels")
    check(len(colours) >= 50, f"the screenshot is not blank ({len(colours)} colours)")
    check(share >= 0.25, f"the diagram fills the screenshot ({share:.0%} non-white)")
    check(red >= 500, f"the violation shows in red ({red} red pixels)")


def main():
    SCENARIO_FILE.write_text(json.dumps(SCENARIO, indent=2))
    html = work / "diagram.html"
    first = replay(html)
    check(replay(work / "again.html") == first, "the same run gives the same HTML bytes")
    check(len(first) < 3_000_000, f"the page is under 3 MB ({len(first)} bytes)")
    check_structure(first.decode("utf-8"))

    binary = chromium_binary()
    dom = chromium(binary, "--dump-dom", html.as_uri())
    check('data-rendered="ok"' in dom, "the inline script ran (body data-rendered=ok)")
    check(f'data-lanes="{len(NAMES)}"' in dom, "the script found a lane per node")
    png = work / "diagram.png"
    chromium(binary, f"--screenshot={png}", html.as_uri())
    check_screenshot(png)
    check_shrunk(binary)
    check_client_lanes(binary)
    print("html renders: ok")


def check_shrunk(binary):
    """The diagram of the shrunk failure renders as well."""
    shrunk = work / "shrunk"
    args = [raftsim, "shrink", str(SCENARIO_FILE), "--seed", "1", "--out", str(shrunk),
            "--no-progress", "--budget", "60s", "--jobs", "1"]
    result = subprocess.run(args, capture_output=True, text=True, timeout=300)
    print("$", " ".join(args), "->", result.returncode)
    print(result.stdout[-2000:], result.stderr[-1000:])
    check(result.returncode == 0, "the crafted failure shrinks")
    html = work / "shrunk.html"
    replayed = subprocess.run([raftsim, "replay", str(shrunk), "--html", str(html)],
                              capture_output=True, text=True, timeout=120)
    check(replayed.returncode == 1 and "MATCHES" in replayed.stdout,
          "the shrunk artifact replays and still fails")
    page = html.read_text()
    check("no_leader" in page and '<g class="vio">' in page, "the shrunk diagram shows the violation")
    png = work / "shrunk.png"
    chromium(binary, f"--screenshot={png}", html.as_uri())
    check_screenshot(png)


def replay_history_page(scenario, name):
    """Replays SCENARIO seed 1 with --html; returns (page, its client history's svg)."""
    html = work / name
    args = [raftsim, "replay", scenario, "--seed", "1", "--html", str(html)]
    result = subprocess.run(args, capture_output=True, text=True, timeout=120)
    print("$", " ".join(args), "->", result.returncode)
    check(result.returncode == 0, f"{scenario} seed 1 passes")
    page = html.read_text()
    chart = page[page.index('<svg class="history"'):]
    return html, page, chart[:chart.index("</svg>")]


def check_client_lanes(binary):
    """A key-value run's page has the client lanes, and they render."""
    html, page, chart = replay_history_page("KvPartitions", "kv.html")
    section = re.search(r'<section class="clients" data-clients="(\d+)" '
                        r'data-operations="(\d+)">', page)
    check(section is not None, "the page has a client section")
    clients, operations = int(section.group(1)), int(section.group(2))
    check(clients == 8, f"KvPartitions has 8 clients, got {clients}")
    lanes = re.findall(r'<g class="client" data-client="(\d+)"', chart)
    check(lanes == [str(i) for i in range(8)], f"a lane per client in order, got {lanes}")
    boxes = len(re.findall(r'<g class="op (ok|ind)[^"]*" data-op="\d+">', chart))
    check(boxes == min(operations, 600), f"the last 600 operations drawn, got {boxes}")
    check('<div class="hist good">Linearizable: ' in page, "the verdict")
    check("get[log](k" in chart and "get[lease]" not in chart,
          "KvPartitions' gets all go through the log, and say so")
    dom = chromium(binary, "--dump-dom", html.as_uri())
    check('data-rendered="ok"' in dom, "the kv page's script ran")
    check('data-client-lanes="8"' in dom, "the script found a lane per client")
    print(f"client lanes: {clients} clients, {boxes} of {operations} operations drawn")
    check_read_paths()


def check_read_paths():
    """KvReads reads three ways; each get's label and tooltip say which."""
    _, page, chart = replay_history_page("KvReads", "reads.html")
    counts = {}
    for path, tooltip, box in [("log", "through the log", ""),
                               ("read_index", "by ReadIndex", " rd-index"),
                               ("lease", "by the leader&apos;s lease", " rd-lease")]:
        # A box's tooltip names the path; so does its label where the label
        # fits (lease reads are answered at once: their boxes are narrow).
        ops = re.findall(r'<g class="op (ok|ind)( win| key)?([a-z -]*)" data-op="\d+"><title>'
                         r"#\d+ client \d+: get\[" + path + r"\]\(k\d+\)[^\n]*\n"
                         + re.escape(tooltip), chart)
        counts[path] = len(ops)
        check(ops, f"a get by {path} says so in its tooltip")
        check(all(apart == box for status, _, apart in ops if status == "ok"),
              f"an answered get by {path} is filled as such (class '{box.strip()}')")
    check(re.search(r">get\[(log|read_index|lease)\]", chart), "a get's label names its path")
    check("a get by the leader's lease</span>" in page, "the legend explains the fills")
    print(f"gets by each path in the lanes: {counts}")


main()
