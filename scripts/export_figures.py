"""Export the survey's two figures, as Gradscape reproduces them.

    python scripts/export_figures.py [OUTDIR] [--width 1280] [--height 720] [--scale 1]

writes into OUTDIR (default ``artifacts/figures/``):

- ``figure1.html``, ``figure2.html``: standalone pages (plotly.js embedded, so they work offline)
  with the animated figure, the English and Chinese captions and the measured summary;
- ``figure1_checks.json``: Figure 1's four checks (``studies.figures.figure1_checks``: SGD zig-zags,
  SGDM damps it, does not overshoot and ends closer), also printed;
- ``figure1.png``, ``figure2.png``: the finished static pictures, ``width`` × ``height`` pixels
  (times ``scale``), rendered by kaleido with the system's Chromium (about 8 s the first time).

Both figures use the survey-faithful defaults of :mod:`studies.figures`.  It prints every file it
wrote.  If a PNG cannot be made it says why, still writes the HTML files, and exits with status 2
when kaleido found no browser, 1 for any other failure (0 when everything was written).
"""
from __future__ import annotations

import argparse
import dataclasses
import html
import json
import pathlib
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent

import plotly.io as pio  # noqa: E402

from plots import figures as F  # noqa: E402
from studies import figures as SF  # noqa: E402

#: exit status when kaleido cannot find a Chromium / Chrome to render PNGs with
NO_BROWSER = 2


def _page(title: str, title_zh: str, summary: str, fig) -> str:
    # auto_play off: the page opens on the finished picture, like the app (Play starts it)
    body = pio.to_html(fig, include_plotlyjs=True, full_html=False, validate=False, auto_play=False,
                       default_width="100%", default_height=f"{fig.layout.height or 600}px")
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>Gradscape: {html.escape(title)}</title>"
        "<style>body{font-family:Inter,'Source Sans Pro','Segoe UI',Arial,sans-serif;color:#262730;"
        "max-width:1280px;margin:24px auto;padding:0 16px}h1{font-size:1.6rem;margin-bottom:0.2rem}"
        ".zh{font-size:1.2rem;color:#555;margin:0 0 0.8rem}.summary{color:#444}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><p class='zh' lang='zh'>{html.escape(title_zh)}</p>"
        f"<p class='summary'>{html.escape(summary)}</p>{body}"
        "<p class='summary'>Press ▶ Play, or drag the slider. Made with Gradscape.</p></body></html>\n")


def _is_no_browser(exc: BaseException) -> bool:
    """Whether ``exc`` (or its cause) is kaleido / choreographer not finding a browser."""
    while exc is not None:
        if type(exc).__name__ == "ChromeNotFoundError":
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Export the survey's Figures 1 and 2 (HTML and PNG).")
    ap.add_argument("outdir", nargs="?", default="artifacts/figures", help="output folder (default: %(default)s)")
    ap.add_argument("--width", type=int, default=1280, help="PNG width in pixels (default: %(default)s)")
    ap.add_argument("--height", type=int, default=720, help="PNG height in pixels (default: %(default)s)")
    ap.add_argument("--scale", type=float, default=1.0, help="PNG pixel ratio (default: %(default)s)")
    args = ap.parse_args(argv)
    if args.width < 100 or args.height < 100 or not 0 < args.scale <= 8:
        ap.error("width and height must be at least 100 pixels and scale in (0, 8]")
    out = pathlib.Path(args.outdir)
    out.mkdir(parents=True, exist_ok=True)

    d1 = SF.figure1_data(SF.Figure1Settings())
    d2 = SF.figure2_data(SF.Figure2Settings())
    figures = [
        ("figure1", F.FIGURE1_TITLE, F.FIGURE1_TITLE_ZH, SF.figure1_summary(d1),
         lambda animated, **kw: F.figure1(d1, animated=animated, **kw)),
        ("figure2", F.FIGURE2_TITLE, F.FIGURE2_TITLE_ZH, SF.figure2_summary(d2),
         lambda animated, **kw: F.figure2(d2, animated=animated, **kw)),
    ]
    checks = SF.figure1_checks(d1)
    path = out / "figure1_checks.json"
    path.write_text(json.dumps({**dataclasses.asdict(checks), "passed": checks.passed,
                                "checks": dict(zip(checks.TARGETS, checks.results()))}, indent=2, ensure_ascii=False),
                    encoding="utf-8")
    for target, ok in zip(checks.TARGETS, checks.results()):
        print(f"Figure 1: {target}: {'PASS' if ok else 'FAIL'}")
    print(f"wrote {path}")
    status = 0 if checks.passed else 1
    for name, title, title_zh, summary, build in figures:
        path = out / f"{name}.html"
        path.write_text(_page(title, title_zh, summary, build(True, height=640)), encoding="utf-8")
        print(f"wrote {path} ({path.stat().st_size:,} bytes; animated, plotly.js embedded)")
    for name, title, title_zh, summary, build in figures:
        path = out / f"{name}.png"
        # the PNG's title is English only: a machine without CJK fonts would draw the Chinese as boxes
        fig = build(False, height=args.height, title=title)
        t0 = time.perf_counter()
        try:
            fig.write_image(str(path), format="png", width=args.width, height=args.height, scale=args.scale)
        except Exception as e:  # noqa: BLE001 - report it and carry on with the rest
            if _is_no_browser(e):
                print(f"error: could not write {path}: kaleido could not find a browser (Chromium or Chrome) "
                      f"to render PNGs with. Install one (e.g. `apt-get install chromium`) and run this again. "
                      f"The HTML files were written. ({type(e).__name__}: {e})", file=sys.stderr)
                status = max(status, NO_BROWSER)
            else:
                print(f"error: could not write {path}: {type(e).__name__}: {e}. The HTML files were written.",
                      file=sys.stderr)
                status = max(status, 1)
            continue
        w, h = round(args.width * args.scale), round(args.height * args.scale)
        print(f"wrote {path} ({path.stat().st_size:,} bytes; {w}×{h} px, static; {time.perf_counter() - t0:.1f} s)")
    return status


if __name__ == "__main__":
    sys.exit(main())
