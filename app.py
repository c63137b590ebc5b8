"""Gradscape: watch first-order optimizers move across classic 2D loss surfaces.

Run with ``streamlit run app.py``.
"""
from __future__ import annotations

import gradscape_startup

gradscape_startup.fast_numba_import()  # opt-in start-up savings, before the engine is imported

import streamlit as st  # noqa: E402

# Import at start-up what a run would otherwise import lazily: on a cold server, concurrent
# first runs raced on a half-initialised pandas ("partially initialized module 'pandas' has no
# attribute 'Series'", from plotly's validators in one session while st.table imported it in
# another).
import pandas  # noqa: E402,F401
import pyarrow  # noqa: E402,F401
import plotly.graph_objects  # noqa: E402,F401
import plotly.io  # noqa: E402,F401
import streamlit.dataframe_util  # noqa: E402,F401
import sympy  # noqa: E402,F401  (a server's first custom formula imported it lazily: 1.7-3.4 s)

from ui import about, explore, figures, landscapes, lessons  # noqa: E402
from ui.stage import cjk_css, ensure_plotly_js  # noqa: E402

ensure_plotly_js()  # the Explore stage's plotly.js, served from static/


EXPLORE = st.Page(explore.page, title="Explore", icon=":material/explore:", url_path="explore")


def home() -> None:
    """``/`` opens Explore at ``/explore``, with the link's query (one page, one set of widgets:
    serving Explore at two addresses would give it two sets, and switching would lose the view)."""
    st.switch_page(EXPLORE, query_params=st.query_params.to_dict())


def main() -> None:
    st.set_page_config(page_title="Gradscape", page_icon=":material/landscape:", layout="wide")
    st.html(f"<style>{cjk_css()}</style>")  # the survey's Chinese captions, with no CJK font installed
    pages = [
        EXPLORE,
        lessons.LESSONS_PAGE,
        st.Page(figures.page, title="Figures", icon=":material/insert_chart:", url_path="figures"),
        st.Page(landscapes.page, title="Landscapes", icon=":material/grid_on:", url_path="landscapes"),
        st.Page(about.page, title="About", icon=":material/info:", url_path="about"),
    ]
    # "/" opens Explore too; the menu is drawn here (st.navigation's own would list Explore twice)
    default = st.Page(home, title="Explore", icon=":material/explore:", default=True)
    current = st.navigation([default, *pages], position="hidden")
    with st.sidebar:
        links = st.container(horizontal=True, gap="small")
        for pg in pages:
            links.page_link(pg, label=pg.title, icon=pg.icon)
    current.run()


main()
