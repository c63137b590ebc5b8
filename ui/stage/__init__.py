"""The Explore stage: a Streamlit (v2) component drawing the paths in the browser.

``stage.js`` and ``stage.css`` are the component; :func:`stage` mounts it with a payload from
``plots.stage.stage_payload`` and returns the events it sent (``click``, ``step``, ``scrub``,
``present``).  Plotly's JavaScript comes from the installed ``plotly`` package, copied once into
the app's ``static/`` folder (served by ``server.enableStaticServing``) so the browser caches it.
"""
from __future__ import annotations

import pathlib
import shutil

import streamlit as st

HERE = pathlib.Path(__file__).resolve().parent
STATIC = HERE.parent.parent / "static"
PLOTLY_JS = "plotly.min.js"


#: the web font with the pages' Chinese glyphs (made by scripts/make_cjk_font.py)
CJK_FONT = HERE.parent.parent / "assets" / "gradscape-cjk.woff2"


def _copy(src: pathlib.Path, dst: pathlib.Path) -> None:
    if not dst.exists() or dst.stat().st_size != src.stat().st_size:
        STATIC.mkdir(exist_ok=True)
        tmp = dst.with_suffix(".tmp")
        shutil.copyfile(src, tmp)
        tmp.replace(dst)


def ensure_plotly_js() -> pathlib.Path:
    """Copy plotly.js from the installed plotly package, and the CJK web font, into ``static/``
    (when they differ)."""
    import plotly

    dst = STATIC / PLOTLY_JS
    _copy(pathlib.Path(plotly.__file__).parent / "package_data" / PLOTLY_JS, dst)
    _copy(CJK_FONT, STATIC / CJK_FONT.name)
    return dst


def static_url(name: str) -> str:
    """The URL of a file in ``static/``, under the server's base path."""
    base = (st.get_option("server.baseUrlPath") or "").strip("/")
    return "/" + (base + "/" if base else "") + "app/static/" + name


def cjk_css() -> str:
    """CSS adding the CJK web font, by unicode-range, to every font family the pages and the
    Plotly figures name: Chinese captions render without any CJK font on the student's machine."""
    url = static_url(CJK_FONT.name)
    ranges = "U+2E80-2FDF, U+3000-303F, U+3400-4DBF, U+4E00-9FFF, U+FF00-FFEF"
    families = ("Gradscape CJK", "Source Sans", "Source Sans 3", "Source Sans Pro", "Inter", "Segoe UI",
                "Arial", "Helvetica", "Open Sans", "Verdana")
    return "".join(f'@font-face{{font-family:"{f}";src:url("{url}") format("woff2");unicode-range:{ranges};'
                   "font-display:swap}" for f in families)


def plotly_src() -> str:
    """The URL of plotly.js, under the server's base path."""
    return static_url(PLOTLY_JS)


def _js() -> str:
    """stage.js with stage.css prepended as a constant (the script adds it to the page once;
    a v2 component's ``css`` is not applied to the page when its styles are not isolated)."""
    import json

    css = (HERE / "stage.css").read_text(encoding="utf-8")
    js = (HERE / "stage.js").read_text(encoding="utf-8")
    # every rerun sends the script along: drop whole-line comments and indentation (a third of it)
    lines = (line.strip() for line in js.splitlines())
    js = "\n".join(line for line in lines if line and not line.startswith("//"))
    return f"const STAGE_CSS = {json.dumps(css)};\n" + js


_COMPONENT = st.components.v2.component("gradscape_stage", js=_js(), isolate_styles=False)

EVENTS = ("click", "step", "scrub", "present", "lesson")

#: starts fetching plotly.js as soon as the page's script begins, while the server still
#: computes (the stage itself arrives at the end of the run)
_PRELOAD = st.components.v2.component(
    "gradscape_preload", isolate_styles=False,
    js="""export default function ({ data }) {
  if (window.Plotly || window.__gsPlotly) return;
  window.__gsPlotly = new Promise((resolve, reject) => {
    const s = document.createElement("script");
    s.src = data.src; s.onload = () => resolve(window.Plotly);
    s.onerror = () => reject(new Error("could not load " + data.src));
    document.head.appendChild(s);
  });
}""")


def preload_plotly() -> None:
    """Mount the (invisible) preloader; call it first thing on a page that shows the stage."""
    _PRELOAD(key="gs_preload", data={"src": plotly_src()}, height=0)


def stage(payload, *, key: str, on_event=None):
    """Mount the stage with ``payload`` (a dict, or its JSON as bytes: ``plots.stage.with_step``);
    ``on_event(name, value)`` is called (as a callback, before the script
    reruns) for each event the browser sent."""
    callbacks = {f"on_{name}_change": (lambda n=name: on_event(n, key)) if on_event else (lambda: None)
                 for name in EVENTS}
    return _COMPONENT(key=key, data=payload, **callbacks)
