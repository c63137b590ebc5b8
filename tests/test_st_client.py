"""The protocol-level client of ``benchmarks/st_client.py`` against a real server.

Each session speaks Streamlit's websocket protocol (no browser): it must see the Explore stage
with its own optimizers' labels, follow a learning-rate slider change, never see another
session's settings, and see a Landscapes map's heatmap.  The parsing of ForwardMsgs (charts,
alerts, progress, select sliders) is also checked offline, on hand-made messages.
"""
from __future__ import annotations

import asyncio
import json
import pathlib
import sys
import urllib.parse

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "benchmarks"))

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.Slider_pb2 import Slider  # noqa: E402

from st_client import Run, Session, check_local  # noqa: E402

from ui import landscapes as LS  # noqa: E402
from ui import settings as S  # noqa: E402

#: the first load of a fresh server warms the kernels (from the on-disk cache: seconds)
TIMEOUT = 120.0
QUERY_A = "surface=rosenbrock(a=1,b=100)&start=-1.5,2&steps=300&opts=sgd(lr=0.001);adam(lr=0.05)"
QUERY_B = "surface=beale&steps=200&opts=nag(lr=0.0005);rmsprop(lr=0.003);adam(lr=0.02)"


def labels(query: str) -> list[str]:
    """The legend labels Explore shows for ``query``."""
    return [o.label() for o in S.from_query(dict(urllib.parse.parse_qsl(query)))[0].optimizers]


async def _load(url: str, query: str) -> tuple[Session, list[str]]:
    session = Session(url, timeout=TIMEOUT)
    run = await session.open(query)
    assert run.errors == [], run.errors
    return session, run.labels


def test_first_load_shows_the_sessions_own_optimizers(streamlit_server):
    async def go():
        session, got = await _load(streamlit_server, QUERY_A)
        await session.close()
        return got

    assert asyncio.run(go()) == labels(QUERY_A) == ["SGD lr=0.001", "Adam lr=0.05"]


def test_slider_change_reruns_with_the_new_learning_rate(streamlit_server):
    async def go():
        session, _ = await _load(streamlit_server, QUERY_A)
        try:
            options, current = session.select_slider_value("o0_sgd__lr")
            assert options[current] == "0.001"
            new = session.set_select_slider("o0_sgd__lr", current + 1)
            run = await session.rerun()
            assert run.errors == [], run.errors
            return new, run.labels, session.query_string
        finally:
            await session.close()

    new, got, query = asyncio.run(go())
    assert new == "0.0015"
    assert got == ["SGD lr=0.0015", "Adam lr=0.05"]
    assert "sgd%28lr%3D0.0015%29" in query  # the page wrote the new setting into its URL


def test_concurrent_sessions_see_only_their_own_settings(streamlit_server):
    async def go():
        loaded = await asyncio.gather(_load(streamlit_server, QUERY_A), _load(streamlit_server, QUERY_B))
        for session, _ in loaded:
            await session.close()
        return [got for _, got in loaded]

    assert asyncio.run(go()) == [labels(QUERY_A), labels(QUERY_B)]


def test_only_loopback_servers_may_be_contacted():
    assert check_local("http://localhost:8501/") == "http://localhost:8501"
    for url in ("http://10.0.0.1:8501", "https://127.0.0.1:8501", "http://example.com"):
        with pytest.raises(ValueError):
            check_local(url)


def _element_msg(kind: str, **fields) -> ForwardMsg:
    msg = ForwardMsg()
    proto = getattr(msg.delta.new_element, kind)
    for name, value in fields.items():
        if isinstance(value, list):
            getattr(proto, name).extend(value)
        else:
            setattr(proto, name, value)
    return msg


def test_runs_keep_plotly_figures_alerts_and_progress():
    session, run, seen = Session("http://127.0.0.1:1"), Run(0.0, 0, None, []), set()
    figure = {"data": [{"type": "heatmap", "z": [[1]]}, {"type": "scatter", "x": [0]}], "layout": {}}
    for msg in (_element_msg("progress", value=10, text="Computing"), _element_msg("progress", value=50),
                _element_msg("alert", body="Queued: 1 heavy computation ahead of yours"),
                _element_msg("plotly_chart", spec=json.dumps(figure))):
        assert session._handle(msg, run, seen) is False
    assert run.progress == 2
    assert run.alerts == ["Queued: 1 heavy computation ahead of yours"]
    assert run.charts == [json.dumps(figure)]
    assert run.traces("heatmap") == [figure["data"][0]]
    assert run.traces("contour") == []


def test_a_range_select_slider_mounts_with_its_default_stops():
    """A select slider the server sent without a value (its default: float indices) starts at
    those options, as in the browser (the Landscapes page's axis ranges)."""
    session, run = Session("http://127.0.0.1:1"), Run(0.0, 0, None, [])
    msg = _element_msg("slider", id="$$ID-abc-ls_ax_range", type=Slider.SELECT_SLIDER,
                       options=["0.001", "0.01", "0.1"], default=[0.0, 2.0])
    session._handle(msg, run, set())
    assert list(session.states["$$ID-abc-ls_ax_range"].string_array_value.data) == ["0.001", "0.1"]


def test_a_landscapes_map_arrives_as_a_heatmap_of_its_own_settings(streamlit_server):
    settings, warnings = LS.from_query({"tab": "map", "res": "64", "steps": "200", "opt": "adam(lr=0.0123)",
                                        "surface": "rosenbrock(a=1,b=100)", "metric": "loss"})
    assert warnings == []
    query = urllib.parse.urlencode(LS.to_query(settings), safe="(),;=@")

    async def go():
        session = Session(streamlit_server, timeout=TIMEOUT)
        try:
            return await session.open(query, page="landscapes")
        finally:
            await session.close()

    run = asyncio.run(go())
    assert run.errors == [], run.errors
    heat = [t for t in run.traces("heatmap") if t.get("meta", {}).get("role") == "heatmap"]
    assert len(heat) == 1
    assert heat[0]["z"]["shape"] == "64, 64"
    spec = json.loads(heat[0]["meta"]["spec"])
    assert dict(spec["hyperparams"])["lr"] == 0.0123 and spec["steps"] == 200 and spec["x"]["n"] == 64
