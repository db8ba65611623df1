"""Headless Chromium (Debian's `chromium` package), for tests that look at a page the way a reader's browser does.

Two things are asked of it, both from the command line: the DOM after the page loaded (`--dump-dom`) and a
screenshot. What the DOM cannot tell (the size a chart is actually drawn at, whether the page overflows its
window) is measured by `PROBE`, a script added at the end of a copy of the page that writes what it measured
into the DOM. Outside CI a machine without Chromium skips these tests; in CI (`CI` set: .ci/run sets it, and
installs Chromium) they must run.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from html import unescape
from pathlib import Path
from typing import Any

import pytest

WINDOW = (1280, 2000)
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
)
# Measures every chart as drawn and the page's width against the window, into <pre id="probe"> as JSON.
PROBE = """<script>
(() => {
  const charts = [...document.querySelectorAll("figure")].map((figure) => {
    const box = figure.querySelector("svg")?.getBoundingClientRect();
    return {id: figure.id, width: box ? box.width : 0, height: box ? box.height : 0};
  });
  const probe = document.createElement("pre");
  probe.id = "probe";
  probe.textContent = JSON.stringify({charts, scrollWidth: document.documentElement.scrollWidth,
                                      windowWidth: window.innerWidth});
  document.body.append(probe);
})();
</script>"""


def chromium() -> str:
    """The chromium executable; skips the test when there is none, except in CI, where it fails."""
    found = shutil.which("chromium")
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("chromium is not installed: .ci/run installs it (apt-get install chromium)")
    pytest.skip("chromium is not installed (apt-get install chromium); CI runs this test")


def _run(page: Path, profile: Path, *extra: str) -> str:
    width, height = WINDOW
    done = subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}", *extra,
         page.resolve().as_uri()],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dump_dom(page: Path, profile: Path) -> str:
    """The page's DOM once loaded, as HTML."""
    return _run(page, profile, "--dump-dom")


def screenshot(page: Path, png: Path, profile: Path) -> Path:
    """A WINDOW-sized PNG of the top of the page."""
    png.parent.mkdir(parents=True, exist_ok=True)
    png.unlink(missing_ok=True)
    _run(page, profile, f"--screenshot={png}")
    return png


def measure(page: Path, profile: Path) -> tuple[str, dict[str, Any]]:
    """The DOM of `page` and what PROBE measured in it. The probe is a script, which a page's Content Security
    Policy may forbid: it runs in a copy without that policy (so escaping alone keeps hostile text inert)."""
    html = page.read_text(encoding="utf-8")
    start = html.find('<meta http-equiv="Content-Security-Policy"')
    if start >= 0:
        html = html[:start] + html[html.index(">", start) + 1:]
    probed = page.with_name(f"probed-{page.name}")
    probed.write_text(html.replace("</body>", PROBE + "</body>"), encoding="utf-8")
    dom = dump_dom(probed, profile)
    marker = dom.index('<pre id="probe">') + len('<pre id="probe">')
    measured: dict[str, Any] = json.loads(unescape(dom[marker:dom.index("</pre>", marker)]))
    return dom, measured


def png_size(png: Path) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    header = png.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{png} is not a PNG"
    return int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")

