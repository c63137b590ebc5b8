"""End-to-end browser tests: the real app (``streamlit run app.py``) driven in Chromium.

A session-scoped server (``streamlit_server`` in ``conftest.py``) serves the app; Playwright drives
Debian's ``/usr/bin/chromium`` (never a downloaded browser) at the projector size, 1280×720.
Each test opens its own page, that is its own Streamlit session.  Everything is read from
what the browser really has: the Plotly chart divs (``el.data``, ``el.layout``, the frames in
``el._transitionData``), the widgets, the URL and, where only the pixels can tell (is the
contour painted while the animation plays?), screenshots.

1. render      the Explore page: a contour, one group of path traces per optimizer named after
               it, the click grid last, the legend, 100 frames; no exception
2. controls    the Steps slider (keyboard) and the "start x" input change the drawn paths
3. animation   Play advances the slider and draws a partial path, Pause stops it; the contour
               stays painted while it plays (checked on the pixels)
4. click       a click on the 2D plot moves the start there (inputs, URL, paths)
5. URL         a configured link opens that view; a malformed one warns and still draws
6. 3D          the view control switches to a WebGL surface with Scatter3d paths
7. pictures    screenshots (1280×720) into ``artifacts/screenshots/`` for a visual review:
               default page, plot, mid-animation, 3D, an open optimizer expander, a diverged
               run, the About page and one full-page picture

With a warm numba cache the module takes about 100 s on a 2-core machine: nine page loads of
several seconds each (the browser renders four Plotly charts, a table and LaTeX per load) and
one animation.  A failing test leaves ``e2e_FAILED-<test>.png`` next to the screenshots.
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

import surfaces
from plots.explore import CLICK_GRID_NAME, click_grid_points
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
DEFAULT_NAMES = ["SGD", "SGD with momentum", "Adam"]

# ---- JavaScript run in the page ---------------------------------------------------------------
IDLE_JS = """() => { const a = document.querySelector('[data-testid="stApp"]');
                     return !!a && a.dataset.testScriptState === 'notRunning'; }"""

#: the chart of a view: "2d" has the click grid, "3d" a surface trace
FIND_CHART_JS = f"""
const findChart = (kind) => [...document.querySelectorAll('.js-plotly-plot')].find(e =>
    e.data && e.data.length && (kind === '3d' ? e.data.some(d => d.type === 'surface')
                                              : e.data.some(d => d.name === '{CLICK_GRID_NAME}')));
"""

READY_JS = """(kind) => { const a = document.querySelector('[data-testid="stApp"]');
  if (!a || a.dataset.testScriptState !== 'notRunning') return false;
  if (document.querySelector('[data-testid="stSpinner"]')) return false;
  return !!findChart(kind); }"""

#: a summary of a chart: traces, paths (decoded), legend, slider, frames, plot-area geometry
CHART_JS = """(kind) => {
  const el = findChart(kind);
  if (!el) return null;
  const T = {f4: Float32Array, f8: Float64Array, i4: Int32Array, i2: Int16Array, i1: Int8Array,
             u1: Uint8Array, u2: Uint16Array, u4: Uint32Array};
  const dec = v => {
    if (v == null) return [];
    if (Array.isArray(v)) return v.map(Number);
    if (ArrayBuffer.isView(v)) return Array.from(v);
    if (v.bdata !== undefined) {
      const s = atob(v.bdata), u = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
      return Array.from(new T[v.dtype](u.buffer));
    }
    return Array.from(v);
  };
  const shown = d => d.visible !== false && d.visible !== 'legendonly' && (d.opacity === undefined || d.opacity > 0);
  const traces = el.data.map((d, i) => ({
    type: d.type || 'scatter', name: d.name, role: (d.meta && d.meta.role) || '',
    path: d.meta && d.meta.path !== undefined ? d.meta.path : null, shown: shown(d),
    n: d.x ? dec(d.x).length : 0}));
  const groups = {};
  el.data.forEach((d, i) => {
    const m = d.meta || {};
    if (m.path === undefined || !['segment', 'trail', 'head'].includes(m.role)) return;
    const g = groups[m.path] = groups[m.path] || {names: [], types: [], segments: [], trail: null, head: null};
    g.names.push(d.name); g.types.push(d.type || 'scatter');
    const xy = {x: dec(d.x), y: dec(d.y), shown: shown(d)};
    if (m.role === 'segment') g.segments.push(xy); else g[m.role] = xy;
  });
  const paths = Object.keys(groups).sort((a, b) => a - b).map(k => {
    const g = groups[k], x = [], y = [];
    // the whole path: the segments joined (each one starts at the previous one's last row)
    g.segments.forEach((s, j) => { x.push(...s.x.slice(j ? 1 : 0)); y.push(...s.y.slice(j ? 1 : 0)); });
    if (!g.segments.length && g.head) { x.push(...g.head.x); y.push(...g.head.y); }
    // the rows drawn right now: the segments switched on and the trail
    let drawn = 0;
    g.segments.forEach(s => { if (s.shown) drawn += s.x.length - 1; });
    if (g.trail) drawn += g.trail.x.length;
    return {name: g.names[0], names: [...new Set(g.names)], types: [...new Set(g.types)], x, y,
            n: x.length, drawn, head: g.head};
  });
  const fl = el._fullLayout, r = el.getBoundingClientRect();
  const slider = el.layout.sliders && el.layout.sliders[0];
  const cv = [...el.querySelectorAll('.slider-label')].find(e => !e.closest('.slider-labels'));
  const area = fl.xaxis ? {left: r.left + fl.xaxis._offset, top: r.top + fl.yaxis._offset,
                           width: fl.xaxis._length, height: fl.yaxis._length} : null;
  return {
    traces, paths,
    legend: [...el.querySelectorAll('.legendtext')].map(t => t.textContent),
    nFrames: (el._transitionData && el._transitionData._frames || []).length,
    frameNames: (el._transitionData && el._transitionData._frames || []).map(f => f.name),
    sliderActive: slider ? slider.active : null, sliderSteps: slider ? slider.steps.length : 0,
    sliderText: cv ? cv.textContent : null,
    buttons: [...el.querySelectorAll('.updatemenu-button')].map(b => b.textContent),
    rect: {left: r.left, top: r.top, width: r.width, height: r.height}, area,
    contourPaths: el.querySelectorAll('.contourlayer path').length,
    glCanvases: [...el.querySelectorAll('canvas')].filter(c => c.width > 0 && c.height > 0).length,
  };
}"""

#: page pixels of plot coordinates (x, y) on the 2D chart
TO_PIXELS_JS = """([x, y]) => { const el = findChart('2d'), r = el.getBoundingClientRect();
  const xa = el._fullLayout.xaxis, ya = el._fullLayout.yaxis;
  return [r.left + xa._offset + xa.l2p(x), r.top + ya._offset + ya.l2p(y)]; }"""

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
def js(page: Page, body: str, arg=None):
    """Evaluate a function (with ``findChart`` in scope)."""
    return page.evaluate(f"(arg) => {{ {FIND_CHART_JS} return ({body})(arg); }}", arg)


def open_app(page: Page, path: str = "/", kind: str = "2d") -> None:
    """Load a page of the app and wait until its script has run and its chart is drawn."""
    page.goto(page.base_url + path)
    timeout = FIRST_LOAD_MS if _first_load[0] else LOAD_MS
    page.wait_for_function(f"(kind) => {{ {FIND_CHART_JS} return ({READY_JS})(kind); }}", arg=kind,
                           timeout=timeout)
    _first_load[0] = False
    assert_no_exception(page)


def chart(page: Page, kind: str = "2d") -> dict:
    out = js(page, CHART_JS, kind)
    assert out is not None, f"no {kind} chart on the page"
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


def full_page_shot(page: Page, name: str) -> bytes:
    """The whole page: Streamlit scrolls inside ``stMain``, so make the viewport that tall."""
    height = page.evaluate("""() => { const m = document.querySelector('[data-testid="stMain"]');
                                      return Math.ceil(Math.max(m ? m.scrollHeight : 0, 720)); }""")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": min(int(height), 12000)})
    try:
        time.sleep(1.0)  # let the charts settle at the new size
        return shot(page, name)
    finally:
        page.set_viewport_size(VIEWPORT)


def show_chart(page: Page, kind: str = "2d") -> None:
    """Scroll the chart to the middle of the viewport (so that all of it can be seen)."""
    js(page, "(kind) => findChart(kind).scrollIntoView({block: 'center'})", kind)
    time.sleep(0.3)


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


def query_of(page: Page) -> dict:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.url).query))


# ---- 1. the page renders ------------------------------------------------------------------------
def test_explore_page_renders(page):
    open_app(page)
    c = chart(page)
    types = [t["type"] for t in c["traces"]]
    roles = [t["role"] for t in c["traces"]]
    assert types[0] == "contour" and roles[0] == "contour", f"first trace: {c['traces'][0]}"
    assert c["traces"][-1]["name"] == CLICK_GRID_NAME, "the click grid must be the last trace"

    # one group of path traces (segments, trail, head) per optimizer, all named after it
    assert [p["name"] for p in c["paths"]] == DEFAULT_LABELS
    for p, base in zip(c["paths"], DEFAULT_NAMES):
        assert p["names"] == [p["name"]], f"a path's traces carry different names: {p['names']}"
        assert p["types"] == ["scatter"]
        assert re.fullmatch(rf"{re.escape(base)}( lr=.*)?", p["name"]), p["name"]
        assert p["n"] == DEFAULT.steps + 1 == p["drawn"], "the finished path is drawn"
        assert p["x"][0] == pytest.approx(DEFAULT.start[0]) and p["y"][0] == pytest.approx(DEFAULT.start[1])
    # the path traces sit between the contour (and its markers) and the click grid
    path_idx = [i for i, t in enumerate(c["traces"]) if t["path"] is not None]
    assert path_idx == list(range(path_idx[0], path_idx[-1] + 1)) and path_idx[-1] == len(types) - 2

    for label in DEFAULT_LABELS:
        assert label in c["legend"], f"{label!r} not in the legend {c['legend']}"
    # the animation: at most 100 frames ending on the last step, the slider on the finished picture
    assert c["nFrames"] == c["sliderSteps"] == 100 and c["frameNames"][-1] == str(DEFAULT.steps)
    assert c["sliderActive"] == 99 and c["sliderText"] == f"step {DEFAULT.steps}"
    assert any("Play" in b for b in c["buttons"]) and any("Pause" in b for b in c["buttons"])
    assert alerts(page, "Error") == [] and alerts(page, "Warning") == []
    assert query_of(page) == S.to_query(DEFAULT), "the URL holds the (default) configuration"

    shot(page, "e2e_01_explore_default.png")
    show_chart(page)
    shot(page, "e2e_02_explore_plot.png")
    full_page_shot(page, "e2e_03_explore_full_page.png")

    # the sidebar with the first optimizer's expander open
    exp = page.locator('[data-testid="stSidebar"] [data-testid="stExpander"]').first
    exp.locator("summary").click()
    wait_until(lambda: exp.get_by_text("Optimizer", exact=True).first.is_visible(), "the expander to open")
    exp.scroll_into_view_if_needed()
    time.sleep(0.5)
    shot(page, "e2e_04_sidebar_optimizer_open.png")
    assert_no_exception(page)


# ---- 2. controls change the plot ------------------------------------------------------------------
def test_steps_slider_and_start_input_change_the_paths(page):
    open_app(page)
    before = chart(page)["paths"]
    steps = sidebar_slider(page, "Steps")
    thumb = steps.locator('input[type="range"]')
    thumb.focus()
    with rerun(page):
        thumb.press("ArrowLeft")
    n = DEFAULT.steps - 1
    after = wait_until(lambda: (c := chart(page))["paths"][0]["n"] == n + 1 and c, f"paths of {n + 1} points")
    assert steps.locator('[data-testid="stSliderThumbValue"]').inner_text() == str(n)
    for p, q in zip(before, after["paths"]):
        assert q["n"] == n + 1 and q["x"] == p["x"][: n + 1], "the same path, one step shorter"
    assert after["frameNames"][-1] == str(n) and query_of(page)["steps"] == str(n)

    start_x = page.get_by_label("start x")
    with rerun(page):
        start_x.fill("-1")
        start_x.press("Enter")
    c = wait_until(lambda: (c := chart(page))["paths"][0]["x"][0] == -1.0 and c, "paths starting at x = -1")
    for p in c["paths"]:
        assert (p["x"][0], p["y"][0]) == (-1.0, pytest.approx(DEFAULT.start[1]))
    assert c["paths"][2]["x"] != after["paths"][2]["x"]
    start = next(t for t in c["traces"] if t["role"] == "start")
    assert start["n"] == 1
    assert query_of(page)["start"] == "-1,2"
    assert_no_exception(page)


# ---- 3. the animation ----------------------------------------------------------------------------
def _play(page: Page) -> None:
    show_chart(page)
    page.locator(".js-plotly-plot .updatemenu-button").filter(has_text="Play").first.click(force=True)


def test_play_animates_and_keeps_the_contour(page):
    """Play moves the slider on and draws each path up to the current step; Pause stops it.
    The contour must stay painted meanwhile; that is checked on the pixels, not the trace
    list: Plotly removes the contour layer when it draws an animation frame (only scatter
    traces are animatable) and paints it again only in the ``redraw`` that follows, so the data
    can say "contour" while the screen shows white.  (Checked last, so that a failure there
    still means that everything else about the animation works.)"""
    open_app(page)
    show_chart(page)
    c0 = chart(page)
    last = c0["sliderSteps"] - 1
    ink0 = ink(shot(page), c0["area"])
    assert ink0 > 0.5, f"the contour's fill covers only {ink0:.0%} of the plot area before playing"
    _play(page)
    # the slider leaves the last frame and moves on; the paths are drawn only up to that step
    s1 = wait_until(lambda: 0 < (c := chart(page))["sliderActive"] < last and c, "the animation to start")
    # (slider position, inked fraction of the plot area) while playing
    inked = [(s1["sliderActive"], round(ink(shot(page, "e2e_05_explore_playing.png"), c0["area"]), 3))]
    time.sleep(0.3)
    inked.append((chart(page)["sliderActive"], round(ink(shot(page), c0["area"]), 3)))
    s2 = wait_until(lambda: (c := chart(page))["sliderActive"] > s1["sliderActive"] and c,
                    "the animation to advance", timeout=15)
    assert s2["sliderActive"] < last, "the animation ended too soon to be checked"
    for s in (s1, s2):
        step = int(s["frameNames"][s["sliderActive"]])
        assert s["sliderText"] == f"step {step}"
        for p, full in zip(s["paths"], c0["paths"]):
            assert p["drawn"] == step + 1 < full["n"], "the path is drawn up to the current step"
            assert p["head"]["x"][0] == pytest.approx(full["x"][step], rel=1e-6, abs=1e-6)
        # the contour trace is still there, first and switched on
        assert s["traces"][0]["type"] == "contour" and s["traces"][0]["shown"]

    # (force: the buttons are redrawn with every frame, so they never look "stable")
    page.locator(".js-plotly-plot .updatemenu-button").filter(has_text="Pause").first.click(force=True)
    time.sleep(0.8)
    paused = chart(page)["sliderActive"]
    time.sleep(1.0)
    assert chart(page)["sliderActive"] == paused < last, "Pause stops the animation"
    assert_no_exception(page)

    blank = [s for s in inked if s[1] < 0.5 * ink0]
    assert not blank, (f"the contour is not painted while the animation plays: (slider position, "
                       f"inked fraction of the plot area) = {inked}; {ink0:.2f} before Play")


# ---- 4. clicking on the plot sets the start -----------------------------------------------------
def _empty_grid_point(c: dict, surf) -> tuple[float, float]:
    """The click-grid point farthest from every drawn point (paths, start, minima), away from the
    plot's edges: a click there can only pick the grid (Plotly selects the nearest point)."""
    gx, gy = click_grid_points(surf)
    (x0, x1), (y0, y1) = surf.bounds
    X, Y = np.meshgrid(gx, gy)
    inner = ((X - x0) > 0.15 * (x1 - x0)) & ((x1 - X) > 0.15 * (x1 - x0)) & \
            ((Y - y0) > 0.15 * (y1 - y0)) & ((y1 - Y) > 0.15 * (y1 - y0))
    cand = np.stack([X[inner], Y[inner]], axis=1)
    drawn = [np.stack([p["x"], p["y"]], axis=1) for p in c["paths"]]
    drawn.append(np.array([[m.x, m.y] for m in surf.minima] + [list(DEFAULT.start)], dtype=float).reshape(-1, 2))
    pts = np.concatenate(drawn)
    d = np.sqrt(((cand[:, None, :] - pts[None, :, :]) ** 2).sum(axis=2)).min(axis=1)
    return tuple(float(v) for v in cand[d.argmax()])


def test_click_on_plot_sets_the_start(page):
    open_app(page)
    surf = surfaces.SURFACES[DEFAULT.surface]
    tx, ty = _empty_grid_point(chart(page), surf)
    show_chart(page)
    px, py = js(page, TO_PIXELS_JS, [tx, ty])
    page.mouse.move(px, py)
    time.sleep(0.4)  # Plotly picks the hovered point on mousemove; a click selects it
    with rerun(page):
        page.mouse.click(px, py)
    start_x, start_y = page.get_by_label("start x"), page.get_by_label("start y")
    wait_until(lambda: start_x.input_value() == f"{tx:g}", f"start x to become {tx:g}")
    assert start_y.input_value() == f"{ty:g}"
    c = wait_until(lambda: (c := chart(page))["paths"][0]["x"][0] == pytest.approx(tx, abs=1e-6) and c,
                   "the paths to start at the clicked point")
    for p in c["paths"]:
        assert (p["x"][0], p["y"][0]) == (pytest.approx(tx, abs=1e-6), pytest.approx(ty, abs=1e-6))
    assert query_of(page)["start"] == f"{tx:g},{ty:g}"
    shot(page, "e2e_06_explore_after_click.png")
    assert_no_exception(page)


# ---- 5. links ----------------------------------------------------------------------------------
def test_url_opens_its_configuration(page):
    open_app(page, "/?surface=beale()&start=1,1&steps=120&opts=adam(lr=0.1);adam(lr=0.01)")
    c = chart(page)
    names = [p["name"] for p in c["paths"]]
    assert names == ["Adam lr=0.1", "Adam lr=0.01"]
    for p in c["paths"]:
        assert p["n"] == 121, f"{p['name']}: {p['n']} points"
        assert (p["x"][0], p["y"][0]) == (1.0, 1.0)
    assert set(names) <= set(c["legend"])
    assert c["frameNames"][-1] == "120" and c["nFrames"] == 100
    assert sidebar_slider(page, "Steps").locator('[data-testid="stSliderThumbValue"]').inner_text() == "120"
    assert page.get_by_role("combobox", name="Surface").input_value() == "Beale"
    assert alerts(page, "Warning") == []
    q = query_of(page)
    assert q["surface"].startswith("beale") and q["steps"] == "120" and q["start"] == "1,1"
    assert q["opts"].startswith("adam(lr=0.1,") and ";adam(lr=0.01," in q["opts"]
    shot(page, "e2e_07_explore_url_beale.png")


def test_malformed_url_warns_and_still_draws(page):
    open_app(page, "/?steps=abc&surface=nope")
    warnings = " ".join(alerts(page, "Warning"))
    assert "nope" in warnings and "steps" in warnings, warnings
    c = chart(page)
    assert c["traces"][0]["type"] == "contour"
    assert [p["name"] for p in c["paths"]] == DEFAULT_LABELS
    assert all(p["n"] == S.DEFAULT_STEPS + 1 for p in c["paths"])
    assert query_of(page)["surface"].startswith("rosenbrock")
    shot(page, "e2e_08_explore_bad_url.png")


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


# ---- 6. the 3D view ----------------------------------------------------------------------------
def test_3d_view(page):
    open_app(page)
    with rerun(page):
        page.locator('[data-testid="stButtonGroup"] button').filter(has_text="3D surface").click()
    wait_until(lambda: js(page, READY_JS, "3d"), "the 3D chart")
    c = chart(page, "3d")
    assert c["traces"][0]["type"] == "surface"
    assert [p["name"] for p in c["paths"]] == DEFAULT_LABELS
    for p in c["paths"]:
        assert p["types"] == ["scatter3d"] and p["n"] == DEFAULT.steps + 1
    assert c["glCanvases"] >= 1, "no WebGL canvas: the 3D scene did not render"
    assert c["nFrames"] == 100
    assert js(page, "() => !findChart('2d')"), "the 2D chart is still shown in the 3D-only view"
    show_chart(page, "3d")
    time.sleep(1.0)  # WebGL paints asynchronously
    r = chart(page, "3d")["rect"]  # the middle of the scene: the surface, seen from above
    painted = ink(shot(page, "e2e_09_explore_3d.png"),
                  {"left": r["left"] + r["width"] * 0.3, "top": r["top"] + r["height"] * 0.25,
                   "width": r["width"] * 0.4, "height": r["height"] * 0.4})
    assert painted > 0.1, f"the 3D scene looks empty ({painted:.0%} of it painted)"
    assert_no_exception(page)


# ---- 7. more pictures: a diverged run, the About page ------------------------------------------
def test_diverged_run(page):
    open_app(page, "/?opts=sgd(lr=0.1);adam(lr=0.05)")
    errors = alerts(page, "Error")
    assert any("SGD" in e and "diverged at step" in e for e in errors), errors
    c = chart(page)
    assert any("diverged at step" in t for t in c["legend"]), c["legend"]
    sgd, adam = c["paths"]
    assert sgd["n"] < DEFAULT.steps + 1 and adam["n"] == DEFAULT.steps + 1
    shot(page, "e2e_10_explore_diverged.png")
    show_chart(page)
    shot(page, "e2e_11_explore_diverged_plot.png")


def test_about_page(page):
    page.goto(page.base_url + "/about")
    page.wait_for_function(IDLE_JS, timeout=LOAD_MS)
    heading = page.get_by_role("heading", name="About Gradscape")
    heading.wait_for(timeout=LOAD_MS)
    assert_no_exception(page)
    text = page.locator('[data-testid="stMain"]').inner_text()
    assert "Research on Optimization Algorithms in Deep Learning" in text
    for group in ("The survey's optimizers", "Beyond the survey", "Second-order baseline"):
        assert group in text
    # one table per group (drawn on a canvas, so the rows are not in the DOM)
    page.locator('[data-testid="stDataFrame"]').nth(2).wait_for(timeout=LOAD_MS)
    assert page.locator('[data-testid="stDataFrame"]').count() == 3
    shot(page, "e2e_12_about.png")
