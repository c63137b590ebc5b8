"""End-to-end browser tests: the real app (``streamlit run app.py``) driven in Chromium.

A session-scoped server (``streamlit_server`` in ``conftest.py``) serves the app; Playwright drives
Debian's ``/usr/bin/chromium`` (never a downloaded browser), at the projector size (1280×720) and
at 1920×1080.  Each test opens its own page, that is its own Streamlit session.  Everything is read
from what the browser really has: the stage (``window.__gsStage``: its step, paths, hidden paths,
frame counters), the DOM (legend, bar, panels, Plotly's tick labels), the canvas pixels, the URL,
the widgets and the websocket frames the page sends.

1. layout      at 1280×720 Play, the step scrubber and the legend are in view without scrolling,
               text ≥ 16 px; at 1920×1080 the plot area is ≥ 50% of the width
2. legend      clicking a legend entry hides and shows its path (canvas pixels, charts)
3. Play        plays every frame to the last step, the contour stays painted; frame rate (a loose
               floor here; ``benchmarks/bench_browser.py`` measures it)
4. presenter   ``present=1&step=40`` opens full screen at step 40 with 22 px text; Space, ← →,
               Home, 1–8 and P
5. panels      one panel per optimizer on one scrubber; the charts' cursor follows; titles,
               legends and decade-only log ticks
6. scrubbing   dragging the hyperparameter scrubber morphs the path with no message to the
               server; releasing sets the value (URL and sidebar)
7. links       every view, presenter mode and step survive a link opened in a fresh browser;
               ``/``, ``/explore``, ``/figures``, ``/landscapes``, ``/about`` all open; bad
               ``view``/``present``/``step`` warn; crafted text stays plain text
8. widgets     changing a slider keeps its optimizer's panel open and the slider focused;
               clicking the plot sets the start
9. escape      Adam with lr = 100 "left the view at step N" (legend, table, warning), apart from
               a numerical divergence
10. 3D         the 3D and overlay + 3D views draw a WebGL surface

A failing test leaves ``e2e_FAILED-<test>.png`` in ``artifacts/screenshots/``.
"""
from __future__ import annotations

import contextlib
import io
import pathlib
import re
import time
import urllib.parse

import numpy as np
import pytest
from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from plots import style
from ui import settings as S

CHROMIUM = pathlib.Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Debian's chromium is not installed at /usr/bin/chromium (scripts/test.sh installs it "
           "with apt-get; playwright's own browser downloads are not used)")

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHOTS = ROOT / "artifacts" / "screenshots"
VIEWPORT = {"width": 1280, "height": 720}  # the projector
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--no-first-run",
                 "--disable-sync"]
FIRST_LOAD_MS = 180_000  # a cold numba cache compiles every kernel on the first page load
LOAD_MS = 90_000
RERUN_MS = 60_000

DEFAULT = S.default_settings()
DEFAULT_LABELS = [c.label() for c in DEFAULT.optimizers]
FOUR = "sgd(lr=0.001);sgdm(lr=0.002,momentum=0.9);adam(lr=0.15);rmsprop(lr=0.01)"

# ---- JavaScript run in the page ---------------------------------------------------------------
IDLE_JS = """() => { const a = document.querySelector('[data-testid="stApp"]');
                     return !!a && a.dataset.testScriptState === 'notRunning'; }"""

#: the stage is drawn (its payload is plotted) and the script is idle
READY_JS = """(key) => { const a = document.querySelector('[data-testid="stApp"]');
  if (!a || a.dataset.testScriptState !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSpinner"]')) return false;
  const s = document.querySelector('[data-testid="gs-stage"]');
  return !!s && s.dataset.ready === '1' && !!window.__gsStage; }"""

#: a summary of the stage: step, paths, legend, geometry of its parts, text sizes
STAGE_JS = """() => {
  const s = window.__gsStage; if (!s || !s.wrap) return null;
  const rect = e => { if (!e) return null; const r = e.getBoundingClientRect();
                      return {left: r.left, top: r.top, width: r.width, height: r.height,
                              bottom: r.bottom, right: r.right}; };
  const px = e => e ? parseFloat(getComputedStyle(e).fontSize) : null;
  const main = s.panes[0];
  const area = main && main.rect ? (() => { const r = main.canvas.getBoundingClientRect();
      return {left: r.left + main.rect[0], top: r.top + main.rect[1], width: main.rect[2], height: main.rect[3]}; })() : null;
  const tick = s.wrap.querySelector('.gs-plot .xtick text');
  return {
    view: s.d.view, present: s.d.present, t: s.t, N: s.N, playing: s.playing, hidden: [...s.hidden],
    frames: s.frames.length, stats: {...s.stats}, nPanes: s.panes.length, nCharts: s.charts.length,
    paths: s.paths.map(p => ({label: p.label, status: p.status, n: p.n, color: p.color, dash: p.dash,
                              x: Array.from(p.x), y: Array.from(p.y)})),
    legend: [...s.wrap.querySelectorAll('.gs-item')].map(e => e.textContent),
    panelTitles: [...s.wrap.querySelectorAll('.gs-panel-title')].map(e => e.textContent),
    bar: rect(s.wrap.querySelector('.gs-bar')), play: rect(s.playBtn), range: rect(s.range),
    legendRect: rect(s.legend), area, fontLegend: px(s.wrap.querySelector('.gs-label')),
    fontTick: tick ? parseFloat(tick.style.fontSize) : null, fontBar: px(s.playBtn),
    chartTitles: s.charts.map(c => { const t = c.div.querySelector('.gtitle'); return t ? t.textContent : null; }),
    chartLegends: s.charts.map(c => [...c.div.querySelectorAll('.legendtext')].map(e => e.textContent)),
    chartYTicks: s.charts.map(c => [...c.div.querySelectorAll('.ytick text')].map(e => e.textContent)),
    cursors: s.charts.map(c => parseFloat(c.cursor.style.left)),
    scrub: s.scrub ? {values: s.scrub.values, name: s.scrub.name, path: s.scrub.path, index: s.scrubIndex} : null,
  };
}"""

#: the number of Plotly charts with a 3D surface (0 until one is drawn)
SURFACE_JS = """() => [...document.querySelectorAll('.js-plotly-plot')].filter(e => e.data &&
  e.data.some(d => d.type === 'surface') && e.querySelector('canvas')).length"""

#: pixels of colour ``hex`` (±24 per channel) on pane ``i``'s canvas
COLOR_PIXELS_JS = """([i, hex]) => { const s = window.__gsStage, c = s.panes[i].canvas;
  const g = c.getContext('2d'), d = g.getImageData(0, 0, c.width, c.height).data;
  const r = parseInt(hex.slice(1, 3), 16), gg = parseInt(hex.slice(3, 5), 16), b = parseInt(hex.slice(5, 7), 16);
  let n = 0;
  for (let k = 0; k < d.length; k += 4)
    if (d[k + 3] > 200 && Math.abs(d[k] - r) < 24 && Math.abs(d[k + 1] - gg) < 24 && Math.abs(d[k + 2] - b) < 24) n++;
  return n; }"""

#: watch the script state: a rerun has happened once it changed (to "running") and is idle again
ARM_JS = """() => { window.__gsRan = false; const a = document.querySelector('[data-testid="stApp"]');
  if (window.__gsObs) window.__gsObs.disconnect();
  window.__gsObs = new MutationObserver(() => { window.__gsRan = true; });
  window.__gsObs.observe(a, {attributes: true, attributeFilter: ['data-test-script-state']}); }"""
RERAN_JS = """() => { const a = document.querySelector('[data-testid="stApp"]');
  return window.__gsRan === true && a.dataset.testScriptState === 'notRunning'; }"""


# ---- fixtures ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser_context():
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("e2e_FAILED-*.png"):
        old.unlink()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            # one context: the static files are cached across pages; every page is its own session
            context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
            yield context
            context.close()
        finally:
            browser.close()


_first_load = [True]


@pytest.fixture
def page(browser_context, streamlit_server, request):
    pg = browser_context.new_page()
    pg.base_url = streamlit_server
    yield pg
    rep = getattr(request.node, "rep_call", None)
    if rep is not None and rep.failed:
        with contextlib.suppress(Exception):
            pg.screenshot(path=str(SHOTS / f"e2e_FAILED-{request.node.name}.png"))
    pg.close()


# ---- helpers ----------------------------------------------------------------------------------
def open_app(page: Page, path: str = "/") -> None:
    """Load an Explore URL and wait until its script has run and the stage is drawn."""
    page.goto(page.base_url + path)
    timeout = FIRST_LOAD_MS if _first_load[0] else LOAD_MS
    page.wait_for_function(READY_JS, timeout=timeout)
    _first_load[0] = False
    assert_no_exception(page)


def stage(page: Page) -> dict:
    out = page.evaluate(STAGE_JS)
    assert out is not None, "no stage on the page"
    return out


def color_pixels(page: Page, color: str, pane: int = 0) -> int:
    return page.evaluate(COLOR_PIXELS_JS, [pane, color])


def sent_frames(page: Page) -> list:
    """A list that collects every websocket frame the page sends (call before it opens one)."""
    out = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: out.append(payload)))
    return out

@contextlib.contextmanager
def rerun(page: Page, timeout: int = RERUN_MS):
    """Wait, after the block's action, for Streamlit to rerun the script and finish.

    Should the browser batch "running" and "done" into one render (the attribute then never
    changes), settle for an idle script after 10 s: the callers go on to wait for what the
    rerun must show anyway."""
    page.evaluate(ARM_JS)
    yield
    try:
        page.wait_for_function(RERAN_JS, timeout=min(timeout, 10_000))
    except PlaywrightTimeoutError:
        page.wait_for_function(IDLE_JS, timeout=timeout)


def wait_until(fn, what: str, timeout: float = 30.0, interval: float = 0.2):
    """Poll ``fn()`` until it returns something truthy; its last value on success."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:g} s waiting for {what} (last: {last!r})")


def assert_no_exception(page: Page) -> None:
    exc = page.locator('[data-testid="stException"]')
    assert exc.count() == 0, f"Streamlit exception on the page: {exc.first.inner_text()[:2000]}"


def alerts(page: Page, kind: str) -> list[str]:
    """Texts of the st.warning / st.error / st.info boxes (kind: Warning, Error, Info)."""
    return page.locator(f'[data-testid="stAlertContent{kind}"]').all_inner_texts()


def shot(page: Page, name: str | None = None, **kw) -> bytes:
    """A screenshot (PNG bytes), also saved as ``artifacts/screenshots/<name>``."""
    return page.screenshot(**({"path": str(SHOTS / name)} if name else {}), **kw)



def sidebar_slider(page: Page, label: str):
    return page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').filter(
        has=page.get_by_text(label, exact=True))


def ink(png: bytes, area: dict) -> float:
    """Fraction of a viewport screenshot's pixels inside ``area`` (page pixels) that are not
    (nearly) white: ~1 with the contour's grey fill behind the paths, a few percent with the
    paths alone."""
    from PIL import Image

    box = (int(area["left"]) + 2, int(area["top"]) + 2,
           int(area["left"] + area["width"]) - 2, int(area["top"] + area["height"]) - 2)
    a = np.asarray(Image.open(io.BytesIO(png)).convert("RGB").crop(box), dtype=np.int16)
    return float((a.min(axis=2) < 240).mean())


def url_of(page: Page) -> str:
    """The address bar now (``page.url`` can lag behind Streamlit's ``history.replaceState``)."""
    return page.evaluate("() => location.href")


def query_of(page: Page) -> dict:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url_of(page)).query))




# ---- 1. layout ---------------------------------------------------------------------------------
def test_layout_at_1280x720(page):
    open_app(page)
    s = stage(page)
    assert s["view"] == "overlay" and s["t"] == s["N"] == DEFAULT.steps
    assert [p["label"] for p in s["paths"]] == DEFAULT_LABELS
    assert all(p["n"] == DEFAULT.steps + 1 for p in s["paths"])
    # Play, the step scrubber and the legend: inside the 1280×720 window, without scrolling
    for part in ("play", "range", "legendRect"):
        r = s[part]
        assert r["top"] >= 0 and r["bottom"] <= VIEWPORT["height"] and r["right"] <= VIEWPORT["width"], (part, r)
    assert s["legend"] == [f"{i + 1}{lab}" for i, lab in enumerate(DEFAULT_LABELS)]
    # text sizes
    assert s["fontLegend"] >= 16 and s["fontTick"] >= 16 and s["fontBar"] >= 16, s
    # one colour per optimizer: the registry's
    assert [p["color"] for p in s["paths"]] == [c for c, _ in style.path_styles([0, 1, 6])]
    shot(page, "e2e_01_explore_1280.png")


def test_plot_fills_half_of_a_1920_screen(page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_app(page)
    s = stage(page)
    assert s["area"]["width"] >= 0.5 * 1920, s["area"]
    assert s["area"]["height"] >= 0.5 * 1080, s["area"]
    assert s["fontTick"] >= 16
    shot(page, "e2e_02_explore_1920.png")


# ---- 2. the legend ----------------------------------------------------------------------------
def test_legend_click_hides_and_shows_a_path(page):
    open_app(page)
    sgdm = stage(page)["paths"][1]["color"]
    before = color_pixels(page, sgdm)
    assert before > 200, f"SGDM's path is not drawn ({before} pixels of its colour)"
    page.locator(".gs-item").nth(1).click()
    s = stage(page)
    assert s["hidden"] == [1]
    assert color_pixels(page, sgdm) < before / 20
    # the charts follow: SGDM's loss and distance lines are hidden too
    assert page.evaluate("() => window.__gsStage.charts.map(c => c.div.data[1].visible)") == ["legendonly"] * 2
    page.locator(".gs-item").nth(1).click()
    assert stage(page)["hidden"] == [] and color_pixels(page, sgdm) == pytest.approx(before, rel=0.05)


# ---- 3. Play -----------------------------------------------------------------------------------
def test_play_runs_every_frame_and_keeps_the_contour(page):
    open_app(page)
    page.keyboard.press("Home")
    assert stage(page)["t"] == 0
    page.locator(".gs-play").click()
    wait_until(lambda: stage(page)["playing"], "Play to start", timeout=5)
    time.sleep(1.0)
    mid = stage(page)
    assert 0 < mid["t"] < mid["N"], mid["t"]
    area = mid["area"]
    painted = ink(shot(page, "e2e_03_explore_playing.png"), area)
    assert painted > 0.9, f"the contour is not painted while playing ({painted:.0%})"
    s = wait_until(lambda: (s := stage(page)) and not s["playing"] and s, "Play to finish", timeout=30)
    assert s["t"] == s["N"]
    frames = s["stats"]["playFrames"]
    assert frames == s["frames"] - 1, (frames, s["frames"])  # every frame after the start
    fps = frames / ((s["stats"]["playEnd"] - s["stats"]["playStart"]) / 1000)
    # a loose floor against regressions; benchmarks/bench_browser.py measures the rate (≥ 20)
    assert fps >= 10, f"Play ran at {fps:.1f} frames per second"


# ---- 4. presenter mode ------------------------------------------------------------------------
def test_presenter_link_and_keys(page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_app(page, f"/?present=1&step=40&opts={FOUR}")
    s = stage(page)
    assert s["present"] and s["t"] == 40 and s["fontLegend"] >= 22 and s["fontTick"] >= 22
    assert page.locator('[data-testid="stSidebar"]').is_hidden()
    assert s["area"]["height"] >= 0.75 * 1080 and s["area"]["width"] >= 0.6 * 1920, s["area"]
    shot(page, "e2e_04_presenter.png")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert stage(page)["t"] == 42
    page.keyboard.press("ArrowLeft")
    assert stage(page)["t"] == 41
    page.keyboard.press("Home")
    assert stage(page)["t"] == 0
    page.keyboard.press("Space")
    assert stage(page)["playing"]
    time.sleep(0.5)
    page.keyboard.press("Space")
    s = stage(page)
    assert not s["playing"] and s["t"] > 0
    page.keyboard.press("3")
    assert stage(page)["hidden"] == [2]
    page.keyboard.press("3")
    assert stage(page)["hidden"] == []
    # the step reaches the URL once paused
    wait_until(lambda: query_of(page).get("step") == str(s["t"]), f"step={s['t']} in the URL")
    with rerun(page):
        page.keyboard.press("p")
    wait_until(lambda: page.locator('[data-testid="stSidebar"]').is_visible(), "the sidebar back")
    assert "present" not in query_of(page)
    page.wait_for_function(READY_JS, timeout=LOAD_MS)
    assert not stage(page)["present"]


# ---- 5. panels --------------------------------------------------------------------------------
def test_panels_share_one_scrubber_and_the_charts_follow(page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    open_app(page, f"/?view=panels&opts={FOUR}")
    s = stage(page)
    assert s["view"] == "panels" and s["nPanes"] == 4 and s["nCharts"] == 2
    assert [t.split(". ", 1)[1] for t in s["panelTitles"]] == [p["label"] for p in s["paths"]]
    end_cursor = s["cursors"]
    page.evaluate("() => { const r = window.__gsStage.range; r.value = 60; r.dispatchEvent(new Event('input')); }")
    s = stage(page)
    assert s["t"] == 60
    for c0, c1 in zip(end_cursor, s["cursors"]):
        assert c1 < c0 - 100, "the charts' step cursor did not move back"
    # every panel draws its own path up to step 60: its colour near the head at step 60
    for i, p in enumerate(s["paths"]):
        assert color_pixels(page, p["color"], pane=i) > 20, f"panel {i + 1} is empty"
    assert s["chartTitles"] == ["Loss f − f* (log scale)", "Distance to the nearest minimum"]
    for names in s["chartLegends"]:
        assert [n.split(". ", 1)[1] for n in names] == [p["label"] for p in s["paths"]]
    for ticks in s["chartYTicks"]:  # decades only: no bare "2" or "5" minor labels
        assert ticks and all(re.fullmatch(r"10[−\-]?\d*|1|10|100|1000|0\.\d*1", t) or "10" in t for t in ticks), ticks
        assert not {"2", "5", "20", "50"} & set(ticks), ticks
    shot(page, "e2e_05_panels.png")


# ---- 6. hyperparameter scrubbing ---------------------------------------------------------------
def test_hyperparameter_scrub_runs_in_the_browser(page):
    frames = sent_frames(page)  # before the page opens its websocket
    open_app(page)
    with rerun(page):
        page.get_by_text("Drag a hyperparameter").click()
    page.wait_for_selector('[data-testid="gs-scrub"]', timeout=LOAD_MS)
    page.wait_for_function(READY_JS, timeout=LOAD_MS)
    s = stage(page)
    assert s["scrub"]["name"] == "lr" and s["scrub"]["path"] == 2 and len(s["scrub"]["values"]) >= 64
    adam = s["paths"][2]["color"]
    frames.clear()
    before = color_pixels(page, adam)
    seen = set()
    for k in (0, 10, 20, 30, 40, 50, 60):  # a drag: input events only
        page.evaluate("(k) => { const r = document.querySelector('[data-testid=gs-scrub] input'); "
                      "r.value = k; r.dispatchEvent(new Event('input')); }", k)
        seen.add(color_pixels(page, adam))
        assert stage(page)["scrub"]["index"] == k
    time.sleep(0.5)
    assert frames == [], f"dragging sent {len(frames)} messages to the server"
    assert len(seen) >= 5 and before not in seen or len(seen) >= 6, "the path did not change while dragging"
    # release: the value becomes Adam's learning rate
    value = s["scrub"]["values"][20]
    with rerun(page):
        page.evaluate("() => { const r = document.querySelector('[data-testid=gs-scrub] input'); "
                      "r.value = 20; r.dispatchEvent(new Event('input')); r.dispatchEvent(new Event('change')); }")
    want = f"{value:.6g}"
    wait_until(lambda: f"adam(lr={want}," in query_of(page)["opts"], f"lr={want} in the URL")
    assert len(frames) >= 1


# ---- 7. links ----------------------------------------------------------------------------------
@pytest.mark.parametrize("view", ["overlay", "panels", "3d", "both"])
def test_every_view_survives_a_link_in_a_fresh_browser(page, browser_context, view):
    path = f"/?view={view}&step=37&opts={FOUR}&steps=120"
    if view == "3d":
        page.goto(page.base_url + path)
        page.wait_for_function(SURFACE_JS, timeout=LOAD_MS)
        page.wait_for_function(IDLE_JS, timeout=LOAD_MS)
    else:
        open_app(page, path)
    q = query_of(page)
    assert q["view"] == view and q["steps"] == "120" and q["step"] == "37"
    # the canonical link, in a new browser context (no shared storage): the same view
    ctx = browser_context.browser.new_context(viewport=VIEWPORT)
    try:
        fresh = ctx.new_page()
        fresh.base_url = page.base_url
        fresh.goto(url_of(page))
        if view == "3d":
            fresh.wait_for_function(SURFACE_JS, timeout=LOAD_MS)
            fresh.wait_for_function(IDLE_JS, timeout=LOAD_MS)
            assert fresh.locator('[data-testid="gs-stage"]').first.get_attribute("data-view") == "charts"
        else:
            fresh.wait_for_function(READY_JS, timeout=LOAD_MS)
            s = stage(fresh)
            assert s["view"] == ("panels" if view == "panels" else "overlay") and s["t"] == 37
            assert [p["label"] for p in s["paths"]] == [p["label"] for p in stage(page)["paths"]]
        assert query_of(fresh) == q
        if view == "both":
            # the 3D chart is a separate Plotly element: it may draw after the stage is ready
            fresh.wait_for_function(SURFACE_JS, timeout=LOAD_MS)
    finally:
        ctx.close()


@pytest.mark.parametrize("path", ["/", "/explore", "/lessons", "/figures", "/landscapes", "/about"])
def test_pages_open_at_their_own_paths(page, path):
    page.goto(page.base_url + path + "?")
    page.wait_for_function(IDLE_JS, timeout=LOAD_MS)
    time.sleep(0.5)
    page.wait_for_function(IDLE_JS, timeout=LOAD_MS)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "Page not found" not in text and "page not found" not in text.lower(), text[:300]
    assert_no_exception(page)
    if path in ("/", "/explore"):
        page.wait_for_function(READY_JS, timeout=LOAD_MS)


def test_bad_view_present_and_step_warn_and_still_draw(page):
    open_app(page, "/?view=sideways&present=maybe&step=abc")
    warnings = " ".join(alerts(page, "Warning"))
    assert "sideways" in warnings and "maybe" in warnings and "abc" in warnings, warnings
    s = stage(page)
    assert s["view"] == "overlay" and not s["present"] and s["t"] == s["N"]


def test_crafted_url_text_is_shown_as_plain_text(page):
    """URL text quoted in a warning never becomes a link, an image, LaTeX, bold or a colour."""
    evil = ("[click me](http://evil.example/x);![img](http://evil.example/i.png);:red[boom];"
            "$x^2$;<b>bold</b>;**star**;www.evil.example")
    open_app(page, "/?opts=" + urllib.parse.quote(evil))
    boxes = page.locator('[data-testid="stAlert"]')
    assert boxes.count() >= 1
    text = " ".join(boxes.all_inner_texts()).replace("\u200b", "")
    for literal in ("[click me](http://evil.example/x)", "![img](http://evil.example/i.png)",
                    ":red[boom]", "$x^2$", "<b>bold</b>", "**star**", "www.evil.example"):
        assert literal in text, (literal, text)
    for tag in ("a", "img", ".katex", "b", "strong", "em", "span[style*=color]"):
        assert boxes.locator(tag).count() == 0, tag


# ---- 8. widgets --------------------------------------------------------------------------------
def test_slider_change_keeps_the_panel_open_and_focused(page):
    open_app(page)
    exp = page.locator('[data-testid="stSidebar"] [data-testid="stExpander"]').nth(2)  # Adam
    exp.locator("summary").click()
    lr = exp.locator('[data-testid="stSlider"]').first
    thumb = lr.locator('input[type="range"]')
    thumb.wait_for(timeout=10_000)
    old = query_of(page)["opts"]
    thumb.focus()
    with rerun(page):
        thumb.press("ArrowLeft")
    wait_until(lambda: query_of(page)["opts"] != old, "the URL to change")
    page.wait_for_function(READY_JS, timeout=LOAD_MS)
    assert exp.locator("details").get_attribute("open") is not None, "the panel closed"
    assert page.evaluate("() => !!document.activeElement.closest('[data-testid=stExpander]')"), \
        "the slider lost focus"
    with rerun(page):
        page.keyboard.press("ArrowLeft")  # still focused: a second press moves it again
    assert exp.locator("details").get_attribute("open") is not None


def test_click_on_the_plot_sets_the_start(page):
    open_app(page)
    s = stage(page)
    a = s["area"]
    with rerun(page):
        page.mouse.click(a["left"] + a["width"] * 0.75, a["top"] + a["height"] * 0.5)
    start = wait_until(lambda: (q := query_of(page))["start"] != "-1.5,2" and q["start"], "a new start")
    x, y = map(float, start.split(","))
    assert x == pytest.approx(1.0, abs=0.05) and y == pytest.approx(1.0, abs=0.05)
    page.wait_for_function(READY_JS, timeout=LOAD_MS)
    s = stage(page)
    assert all(p["x"][0] == pytest.approx(x, abs=1e-6) and p["y"][0] == pytest.approx(y, abs=1e-6) for p in s["paths"])


# ---- 9. leaving the view -----------------------------------------------------------------------
def test_a_run_that_leaves_the_view_is_flagged(page):
    open_app(page, "/?opts=adam(lr=100);sgd(lr=0.1)")
    s = stage(page)
    adam, sgd = s["paths"]
    assert adam["status"].startswith("left the view at step"), adam["status"]
    assert sgd["status"].startswith("diverged at step"), sgd["status"]
    assert "left the view at step" in s["legend"][0] and "diverged at step" in s["legend"][1]
    assert any("left the view at step" in w for w in alerts(page, "Warning"))
    assert any("diverged at step" in e for e in alerts(page, "Error"))
    # drawn only while in sight: every drawn point within one domain size of the plot
    assert max(abs(v) for v in adam["x"]) <= 6 and max(abs(v) for v in adam["y"]) <= 7
    shot(page, "e2e_06_left_the_view.png")


# ---- 10. 3D ------------------------------------------------------------------------------------
def test_3d_and_overlay_plus_3d(page):
    page.goto(page.base_url + "/?view=both")
    page.wait_for_function(READY_JS, timeout=LOAD_MS)
    page.wait_for_function(SURFACE_JS, timeout=LOAD_MS)
    assert stage(page)["view"] == "overlay"
    assert page.evaluate(SURFACE_JS) == 1
    time.sleep(1.0)  # WebGL paints asynchronously
    r = page.evaluate("() => { const e = [...document.querySelectorAll('.js-plotly-plot')].find(e => e.data && "
                      "e.data.some(d => d.type === 'surface')); e.scrollIntoView({block: 'center'}); "
                      "const r = e.getBoundingClientRect(); return {left: r.left, top: r.top, width: r.width, height: r.height}; }")
    time.sleep(0.5)
    r = page.evaluate("() => { const e = [...document.querySelectorAll('.js-plotly-plot')].find(e => e.data && "
                      "e.data.some(d => d.type === 'surface')); const r = e.getBoundingClientRect(); "
                      "return {left: r.left, top: r.top, width: r.width, height: r.height}; }")
    painted = ink(shot(page, "e2e_07_3d.png"), {"left": r["left"] + r["width"] * 0.3, "top": r["top"] + r["height"] * 0.3,
                                              "width": r["width"] * 0.4, "height": r["height"] * 0.4})
    assert painted > 0.1, f"the 3D scene looks empty ({painted:.0%} of it painted)"
    assert_no_exception(page)


def test_about_page(page):
    page.goto(page.base_url + "/about")
    page.wait_for_function(IDLE_JS, timeout=LOAD_MS)
    heading = page.get_by_role("heading", name="About Gradscape")
    heading.wait_for(timeout=LOAD_MS)
    assert_no_exception(page)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "Research on Optimization Algorithms in Deep Learning" in text
    page.locator('[data-testid="stDataFrame"]').nth(2).wait_for(timeout=LOAD_MS)
    assert page.locator('[data-testid="stDataFrame"]').count() == 3


def test_hover_lists_every_path_at_a_point(page):
    """At the start, where every path begins, the hover names all of them with step 0."""
    open_app(page)
    s = stage(page)
    xy = page.evaluate("() => { const p = window.__gsStage.panes[0], r = p.canvas.getBoundingClientRect(); "
                       "return [r.left + p.px(-1.5), r.top + p.py(2.0)]; }")
    page.mouse.move(xy[0] + 1, xy[1] + 1)
    tip = page.locator('[data-testid="gs-tip"]')
    tip.wait_for(state="visible", timeout=5_000)
    rows = tip.locator(".gs-tip-row").all_inner_texts()
    assert len(rows) == len(s["paths"]), rows
    for i, (row, label) in enumerate(zip(rows, DEFAULT_LABELS)):
        assert row.startswith(f"{i + 1}. {label}: step 0, x = -1.5, y = 2"), row


# ---- 11. heavy computations queue ---------------------------------------------------------------
def test_a_second_big_map_queues_visibly_and_can_be_cancelled(page, browser_context):
    """With one heavy slot (the server runs with GRADSCAPE_HEAVY_SLOTS=1), a 512² map computing
    in one session makes another session's 512² map wait with a "Queued" note and a Cancel
    button; Cancel stops waiting and offers to compute it again."""
    first = browser_context.new_page()
    try:
        first.goto(page.base_url + "/landscapes?res=512&steps=5000&opt=adam(lr=0.0123)&metric=loss")
        first.wait_for_selector('[data-testid="stProgress"]', timeout=LOAD_MS)  # it computes
        page.goto(page.base_url + "/landscapes?res=512&steps=5000&opt=adam(lr=0.0321)&metric=loss")
        queued = page.get_by_text("Queued: 1 heavy computation ahead of yours")
        queued.wait_for(timeout=LOAD_MS)
        assert_no_exception(page)
        with rerun(page):
            page.get_by_role("button", name="Cancel").click()
        page.get_by_text("You cancelled the map.").wait_for(timeout=LOAD_MS)
        assert page.get_by_role("button", name="Compute the map").count() == 1
        assert page.get_by_text("Queued:").count() == 0
    finally:
        first.close()


def test_chinese_captions_come_with_their_own_web_font(page):
    """The survey's Chinese captions render from the app's CJK web font (unicode-range faces
    added to the pages' font families), not from fonts the student's machine may lack."""
    page.goto(page.base_url + "/figures")
    page.wait_for_function(IDLE_JS, timeout=LOAD_MS)
    page.get_by_text("图 1. SGD 与 SGDM 的对比").first.wait_for(timeout=LOAD_MS)
    # the page's own font family got our CJK face (by unicode-range), and the browser loaded it
    # to draw the caption
    cjk_face = """() => [...document.fonts].filter(f => f.family.replace(/"/g, '') === 'Source Sans'
                                                   && f.unicodeRange.includes('4E00')).map(f => f.status)"""
    wait_until(lambda: page.evaluate(cjk_face) == ["loaded"], "the CJK face of the page's font to load")
    assert page.evaluate("""async () => (await document.fonts.load('40px "Gradscape CJK"', '图与对比')).length""") >= 1
    # the font really holds the glyphs: the caption is wider than a row of "missing glyph" boxes
    widths = page.evaluate("""() => { const c = document.createElement('canvas').getContext('2d');
        c.font = '40px "Gradscape CJK"'; const ours = c.measureText('图与对比').width;
        c.font = '40px "NoSuchFont-gradscape"'; const other = c.measureText('图与对比').width;
        return [ours, other]; }""")
    assert widths[0] > 100, widths


#: the internals view: its charts (titles, cursors), the arrows' state and legend
INTERNALS_JS = """() => { const s = window.__gsStage; if (!s || !s.ins) return null;
  const charts = s.charts.filter(c => c.spec.kind === 'internal');
  const box = s.wrap.querySelector('[data-testid="gs-arrows"]');
  const px = e => e ? parseFloat(getComputedStyle(e).fontSize) : null;
  return { t: s.t, path: s.ins.path,
    titles: charts.map(c => c.div.parentElement.querySelector('.gs-ins-chart-title').textContent),
    fontChartTitle: px(s.wrap.querySelector('.gs-ins-chart-title')),
    traces: charts.map(c => c.div.data ? c.div.data.length : 0),
    cursors: charts.map(c => parseFloat(c.cursor.style.left)),
    arrows: s.arrowState ? { t: s.arrowState.t, tips: s.arrowState.tips, grad: s.arrowState.grad,
                             step: s.arrowState.step, momentum: s.arrowState.momentum } : null,
    legend: box && box.style.display !== 'none' ? box.textContent : null,
    fontLegend: px(box), fontTitle: px(s.wrap.querySelector('.gs-ins-title')),
    fontTick: (() => { const t = charts.length && charts[0].div.querySelector('.ytick text');
                       return t ? parseFloat(t.style.fontSize) : null; })() };
}"""


def test_internals_charts_and_arrows_follow_the_step(page):
    """``inspect=3&arrows=1`` (Adam): its internals charts are drawn under the plot with a cursor
    that follows → ; the arrows (−∇f, −m, Δθ) sit at the current point and move with it."""
    open_app(page, "/explore?inspect=3&arrows=1&step=20")
    page.wait_for_function("() => window.__gsStage && window.__gsStage.arrowState", timeout=LOAD_MS)
    a = page.evaluate(INTERNALS_JS)
    assert a["path"] == 2 and a["t"] == 20
    assert a["titles"][0].startswith("Effective step size lr·m̂/(√v̂+ε)")
    assert any(t.startswith("Bias-correction factors") for t in a["titles"])
    assert len(a["titles"]) == 8 and all(n >= 1 for n in a["traces"])
    assert a["traces"][0] == 2  # x and y
    assert a["fontLegend"] >= 16 and a["fontTitle"] >= 16 and a["fontTick"] >= 16 and a["fontChartTitle"] >= 16
    assert "−∇f" in a["legend"] and "−m" in a["legend"] and "Δθ" in a["legend"]
    assert set(a["arrows"]["tips"]) == {"grad", "momentum", "step"}
    s = stage(page)
    p = s["paths"][2]
    step = [p["x"][21] - p["x"][20], p["y"][21] - p["y"][20]]
    np.testing.assert_allclose(a["arrows"]["step"], step, rtol=1e-6)
    # the arrows are drawn: their colours are on the canvas
    assert color_pixels(page, "#d1002a") > 50 and color_pixels(page, "#1d4ed8") > 50
    for _ in range(5):
        page.keyboard.press("ArrowRight")
    b = page.evaluate(INTERNALS_JS)
    assert b["t"] == 25 and b["arrows"]["t"] == 25
    assert all(cb > ca for ca, cb in zip(a["cursors"], b["cursors"]))
    assert b["arrows"]["tips"]["grad"] != a["arrows"]["tips"]["grad"]
    assert b["legend"] != a["legend"]  # the magnitudes follow the step
    # Play moves them too, and Home takes them back to the start
    page.keyboard.press("Home")
    c = page.evaluate(INTERNALS_JS)
    assert c["t"] == 0 and c["arrows"]["t"] == 0 and all(x < y for x, y in zip(c["cursors"], a["cursors"]))
