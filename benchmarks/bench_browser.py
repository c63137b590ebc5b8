"""Explore in a real browser: time to first chart, Play's frame rate, redraws and bytes per rerun.

    python benchmarks/bench_browser.py [--quick]

A real server (``streamlit run app.py``, file watcher off) and Debian's Chromium driven by
Playwright at 1920×1080, as a student's laptop would open the link.  Targets (issue "Explore for
a lecture hall"):

- Play runs at ≥ 20 frames per second for the default view (100 frames in ≤ 5 s);
- 8 optimizers × 5,000 steps draws within 3 s of the server's answer, and a Steps change
  redraws within 2 s;
- and, for the record, the time to first chart (navigation to a drawn stage, in a fresh
  browser context: nothing cached) and the bytes the server sends per rerun.

"Drawn" is the stage's own flag (``data-ready``), set once Plotly has drawn the contour and the
canvas the paths.  "The server's answer" is the moment the stage's payload reached the page
(``stats.receivedAt``), so payload-to-picture is the browser's own work.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

from _bench import ROOT, header, table, verdict

CHROMIUM = "/usr/bin/chromium"
BIG = ("steps=5000&opts=sgd(lr=0.001);sgdm(lr=0.002,momentum=0.9);adam(lr=0.15);rmsprop(lr=0.01);"
       "nag(lr=0.002);adagrad(lr=0.5);amsgrad(lr=0.1);radam(lr=0.1)")
READY = """() => { const a = document.querySelector('[data-testid="stApp"]');
  const s = document.querySelector('[data-testid="gs-stage"]');
  return !!a && a.dataset.testScriptState === 'notRunning' && !!s && s.dataset.ready === '1'; }"""


def _server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port",
         str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    for _ in range(240):
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).status == 200:
                return proc, url
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the server did not start")


def _open(ctx, url, received):
    page = ctx.new_page()
    page.on("websocket", lambda ws: ws.on("framereceived", lambda p: received.append(len(p))))
    t0 = time.perf_counter()
    page.goto(url)
    page.wait_for_function(READY, timeout=300_000)
    return page, time.perf_counter() - t0


def _stats(page):
    return page.evaluate("() => ({...window.__gsStage.stats, frames_list: window.__gsStage.frames.length})")


def _rerun_with_key(page, received, key="ArrowLeft"):
    """Press ``key`` on the sidebar's Steps slider; (seconds to a redrawn stage, bytes received)."""
    rev = page.evaluate("() => window.__gsStage.rev")
    steps = page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').filter(
        has=page.get_by_text("Steps", exact=True)).locator('input[type="range"]')
    steps.focus()
    received.clear()
    t0 = time.perf_counter()
    steps.press(key)
    page.wait_for_function("(rev) => window.__gsStage.rev !== rev && "
                           "document.querySelector('[data-testid=gs-stage]').dataset.ready === '1'", arg=rev,
                           timeout=120_000)
    dt = time.perf_counter() - t0
    page.wait_for_function(READY, timeout=120_000)
    time.sleep(0.3)
    return dt, sum(received)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    header("Explore in Chromium: first chart, Play, redraws, bytes", args.quick)
    from playwright.sync_api import sync_playwright

    loads = 2 if args.quick else 5
    proc, url = _server()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            # warm the server (kernels, caches) once
            ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
            _open(ctx, url + "/", [])[0].close()
            _open(ctx, url + "/?" + BIG, [])[0].close()
            ctx.close()

            rows, firsts, draws = [], {"default": [], "8 × 5000": []}, {"default": [], "8 × 5000": []}
            for _ in range(loads):
                for name, q in (("default", "/"), ("8 × 5000", "/?" + BIG)):
                    ctx = browser.new_context(viewport={"width": 1920, "height": 1080})  # nothing cached
                    page, dt = _open(ctx, url + q, [])
                    st = _stats(page)
                    firsts[name].append(dt)
                    draws[name].append((st["readyAt"] - st["receivedAt"]) / 1000)
                    ctx.close()

            # Play, default view
            ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
            received: list[int] = []
            page, _ = _open(ctx, url + "/", received)
            fps_runs = []
            for _ in range(2 if args.quick else 3):
                page.keyboard.press("Home")
                page.locator(".gs-play").click()
                page.wait_for_function("() => !window.__gsStage.playing", timeout=60_000)
                st = _stats(page)
                fps_runs.append(st["playFrames"] / ((st["playEnd"] - st["playStart"]) / 1000))
            n_frames = st["frames_list"]
            redraw_small, bytes_small = _rerun_with_key(page, received)
            ctx.close()

            # 8 × 5000: a Steps change, bytes per rerun
            ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
            received = []
            page, _ = _open(ctx, url + "/?" + BIG, received)
            redraws, big_bytes = [], []
            for _ in range(2 if args.quick else 3):
                dt, nbytes = _rerun_with_key(page, received)
                redraws.append(dt)
                big_bytes.append(nbytes)
            ctx.close()
            browser.close()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)

    med = statistics.median
    fps = med(fps_runs)
    print(f"\n   Play, default view ({n_frames} frames at a {30} fps target), runs: "
          + ", ".join(f"{f:.1f}" for f in fps_runs) + " fps")
    print("\n   time to first chart (navigation → drawn stage, fresh browser context), seconds:")
    table(["view", "median", "min", "max", "of which payload → drawn (median)"],
          [[k, f"{med(v):.2f}", f"{min(v):.2f}", f"{max(v):.2f}", f"{med(draws[k]):.2f}"] for k, v in firsts.items()])
    print("\n   a Steps change (key press → redrawn stage) and bytes the server sent for that rerun:")
    table(["view", "redraw s (median)", "bytes per rerun"],
          [["default", f"{redraw_small:.2f}", f"{bytes_small / 1000:.0f} KB"],
           ["8 × 5000", f"{med(redraws):.2f}", f"{med(big_bytes) / 1000:.0f} KB"]])
    print()
    verdict("Play frame rate, default view", fps, 20, True, " fps")
    print(f"   (100 frames in {100 / fps:.2f} s)")
    verdict("8 × 5000 drawn after the server's answer", med(draws["8 × 5000"]), 3, False, " s")
    verdict("8 × 5000 Steps change redrawn", med(redraws), 2, False, " s")


if __name__ == "__main__":
    main()
