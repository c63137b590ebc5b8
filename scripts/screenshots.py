"""Screenshots of Explore for the README and reviews: overlay, panels, presenter mode, 3D,
an optimizer's internals (Adam's charts beside the plot, arrows on), and a lesson (in presenter
mode, and with its text).

    python scripts/screenshots.py [--size 1920x1080] [--out docs] [--only internals]

Starts ``streamlit run app.py`` on a free port, opens each view in Debian's Chromium
(``/usr/bin/chromium``) and saves ``explore-<view>.png`` (``lesson*.png`` for the lessons).
"""
from __future__ import annotations

import argparse
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
FOUR = "sgd(lr=0.001);sgdm(lr=0.002,momentum=0.9);adam(lr=0.15);rmsprop(lr=0.01)"
SHOTS = {
    "overlay": "/explore?step=150",
    "panels": f"/explore?view=panels&opts={FOUR}&step=150",
    "presenter": f"/explore?present=1&opts={FOUR}&step=120",
    "3d": "/explore?view=3d",
    "internals": "/explore?inspect=3&arrows=1&step=40",
    "lesson-presenter": "/lessons?lesson=ravine-momentum&s=2&present=1",
    "lesson": "/lessons?lesson=adam-bias-correction&s=1",
}
READY = """() => { const a = document.querySelector('[data-testid="stApp"]');
  if (!a || a.dataset.testScriptState !== 'notRunning') return false;
  const s = document.querySelector('[data-testid="gs-stage"]');
  const three = [...document.querySelectorAll('.js-plotly-plot')].some(e => e.data && e.data.some(d => d.type === 'surface'));
  return (!!s && s.dataset.ready === '1') || three; }"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", default="1920x1080")
    ap.add_argument("--out", default=str(ROOT / "docs"))
    ap.add_argument("--only", nargs="*", choices=list(SHOTS), help="only these shots")
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.fileWatcherType", "none"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": w, "height": h})
            for name, path in SHOTS.items():
                if args.only and name not in args.only:
                    continue
                page.goto(url + path)
                page.wait_for_function(READY, timeout=300_000)
                time.sleep(2.0)  # WebGL and fonts settle
                page.wait_for_function(READY, timeout=300_000)  # and a rerun the first one queued
                time.sleep(1.0)
                target = out / (f"{name}.png" if name.startswith("lesson") else f"explore-{name}.png")
                page.screenshot(path=str(target))
                print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


if __name__ == "__main__":
    main()
