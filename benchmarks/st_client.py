"""A Streamlit browser session at the protocol level: no browser, the server's own protobufs.

One :class:`Session` does what a browser tab does, in the same order:

1. ``GET`` the page (``/explore?<query>``) and ``/_stcore/health`` with a cookie jar (a proxy in
   front may set a sticky cookie; the health check sets Streamlit's ``_streamlit_xsrf`` cookie);
2. opens the websocket ``/_stcore/stream`` with those cookies, subprotocols ``streamlit`` and the
   XSRF token (``streamlit/web/server/starlette/starlette_websocket.py``);
3. sends a ``rerun_script`` BackMsg (a ``ClientState``: the query string and the page's name);
4. reads ForwardMsgs until ``script_finished``, keeping what a browser keeps: each widget's
   value (from its element: ``set_value``/``raw_value`` or its default), the page's script hash
   (``new_session``, then ``navigation`` under ``st.navigation``), the URL's query string
   (``page_info_changed``) and the cacheable messages (a later run may send only their
   ``ref_hash``; their hashes go back in ``cached_message_hashes``).  Of the elements it keeps
   what the benchmarks check: exceptions, the Explore stage's data, every ``st.plotly_chart``'s
   figure JSON, the text of alerts (``st.info`` and co.) and the number of progress-bar updates.

A rerun (:meth:`Session.rerun`) sends every widget value the session knows, as the browser's
widget manager does, with the changes made through :meth:`Session.set_select_slider`.

Only loopback addresses may be contacted (:func:`check_local`); every wait has a deadline.
"""
from __future__ import annotations

import asyncio
import dataclasses
import http.cookiejar
import json
import time
import urllib.parse
import urllib.request

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.Slider_pb2 import Slider
from streamlit.proto.WidgetStates_pb2 import WidgetState

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
XSRF_COOKIE = "_streamlit_xsrf"
#: a Streamlit message is at most a few MB here (8 optimizers x 5,000 steps); this bounds memory
MAX_MESSAGE_BYTES = 64 * 2**20
#: the server's ``global.maxCachedMessageAge`` until ``new_session`` says otherwise
DEFAULT_CACHE_AGE = 2


class SessionError(RuntimeError):
    """The session cannot go on: the connection closed, or a run did not finish in time."""


def check_local(base_url: str) -> str:
    """``base_url`` without a trailing slash; ValueError unless it is http on a loopback host."""
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme != "http" or parts.hostname not in LOCAL_HOSTS:
        raise ValueError(f"only http://127.0.0.1 or http://localhost may be load-tested, not {base_url!r}")
    return base_url.rstrip("/")


@dataclasses.dataclass
class Run:
    """One script run as the client saw it."""

    seconds: float  #: from the request (the GET, on a first load) to ``script_finished``
    bytes: int  #: websocket bytes received during the run
    stage: dict | None  #: the JSON data of the component whose id ends with ``-stage``
    errors: list[str]  #: exception elements, compile errors, a missing page
    charts: list[str] = dataclasses.field(default_factory=list)  #: each plotly_chart's figure JSON, in order
    alerts: list[str] = dataclasses.field(default_factory=list)  #: the bodies of st.info/warning/error/success
    progress: int = 0  #: progress-bar elements and updates received

    @property
    def labels(self) -> list[str]:
        """The stage's path labels (empty without a stage)."""
        return [p["label"] for p in (self.stage or {}).get("paths", [])]

    def traces(self, kind: str) -> list[dict]:
        """The traces of type ``kind`` (e.g. ``"heatmap"``) of every plotly chart of the run."""
        return [t for spec in self.charts for t in json.loads(spec).get("data", []) if t.get("type") == kind]


def _first_value(proto) -> WidgetState | None:
    """A widget's value when the browser first mounts it: what the server set, else the default."""
    kind = proto.DESCRIPTOR.name
    state = WidgetState(id=proto.id)
    if kind == "Slider" and proto.type == Slider.SELECT_SLIDER:
        values = proto.raw_value if proto.set_value else [proto.options[int(i)] for i in proto.default]
        state.string_array_value.data[:] = list(values)
    elif kind == "Slider":
        state.double_array_value.data[:] = list(proto.value if proto.set_value else proto.default)
    elif kind in ("Selectbox", "Radio"):
        if not proto.set_value and not proto.options:
            return None
        state.string_value = proto.raw_value if proto.set_value else proto.options[proto.default]
    elif kind == "NumberInput":
        value = proto.value if proto.set_value else proto.default
        if proto.data_type == NumberInput.INT:
            state.int_value = int(value)
        else:
            state.double_value = value
    elif kind in ("Checkbox", "TextInput", "TextArea"):
        value = proto.value if proto.set_value else proto.default
        setattr(state, "bool_value" if kind == "Checkbox" else "string_value", value)
    elif kind == "ButtonGroup":
        values = proto.raw_values if proto.set_value else [proto.options[i].content for i in proto.default]
        state.string_array_value.data[:] = list(values)
    elif kind == "Expandable":
        state.bool_value = proto.expanded
    else:  # buttons send a trigger only when clicked, components only what their JS sets
        return None
    return state


def component_json(proto) -> dict | None:
    """A v2 component's data when it is JSON: the ``json`` field, JSON sent as ``bytes``, or the
    JSON part of ``mixed`` (None for Arrow data or no data)."""
    field = proto.WhichOneof("data")
    if field == "json":
        return json.loads(proto.json)
    if field == "bytes":
        return json.loads(proto.bytes)
    if field == "mixed":
        return json.loads(proto.mixed.json)
    return None


class _MessageCache:
    """The browser's ForwardMsg cache: cacheable messages by hash, dropped after
    ``max_age`` finished runs without use."""

    def __init__(self) -> None:
        self.max_age = DEFAULT_CACHE_AGE
        self._runs = 0
        self._entries: dict[str, tuple[ForwardMsg, int]] = {}

    def resolve(self, msg: ForwardMsg) -> ForwardMsg:
        """``msg`` itself (kept if cacheable), or the cached message its ``ref_hash`` names."""
        if msg.WhichOneof("type") == "ref_hash":
            if msg.ref_hash not in self._entries:
                raise SessionError(f"the server referred to message {msg.ref_hash}, which this client never cached")
            full = ForwardMsg()
            full.CopyFrom(self._entries[msg.ref_hash][0])
            full.metadata.CopyFrom(msg.metadata)  # the delta's place is the reference's
            self._entries[msg.ref_hash] = (self._entries[msg.ref_hash][0], self._runs)
            return full
        if msg.metadata.cacheable:
            self._entries[msg.hash] = (msg, self._runs)
        return msg

    def run_finished(self) -> None:
        self._runs += 1
        self._entries = {h: e for h, e in self._entries.items() if self._runs - e[1] <= self.max_age}

    def hashes(self) -> list[str]:
        return list(self._entries)


class Session:
    """One browser tab on ``base_url`` (``http://127.0.0.1:PORT``), opened with :meth:`open`."""

    def __init__(self, base_url: str, *, timeout: float = 60.0) -> None:
        self.base_url = check_local(base_url)
        self.timeout = timeout
        self.widgets: dict[str, object] = {}  #: each widget's element proto, as last received
        self.states: dict[str, WidgetState] = {}
        self.query_string = ""
        self.page_script_hash = ""
        self._jar = http.cookiejar.CookieJar()
        self._cache = _MessageCache()
        self._ws = None

    # ---- HTTP -----------------------------------------------------------------------------
    def _get(self, path: str) -> None:
        """GET ``path`` with the session's cookie jar (directly: no proxy from the environment)."""
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}),
                                             urllib.request.HTTPCookieProcessor(self._jar))
        with opener.open(self.base_url + path, timeout=self.timeout) as resp:
            resp.read()

    def _cookie(self, name: str) -> str | None:
        return next((c.value for c in self._jar if c.name == name), None)

    def _cookie_header(self, path: str) -> str | None:
        req = urllib.request.Request(self.base_url + path)
        self._jar.add_cookie_header(req)
        return req.get_header("Cookie")

    # ---- the session ----------------------------------------------------------------------
    async def open(self, query: str, page: str = "explore") -> Run:
        """Load ``/<page>?<query>`` as a browser does; the first run's :class:`Run`."""
        t0 = time.perf_counter()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, self._get, f"/{page}?{query}" if query else f"/{page}")
        await loop.run_in_executor(None, self._get, "/_stcore/health")
        cookie = self._cookie_header("/_stcore/stream")
        xsrf = self._cookie(XSRF_COOKIE)
        self._ws = await websockets.connect(
            "ws" + self.base_url[4:] + "/_stcore/stream", origin=self.base_url, proxy=None,
            additional_headers={"Cookie": cookie} if cookie else None,
            subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],
            max_size=MAX_MESSAGE_BYTES, open_timeout=self.timeout, close_timeout=5)
        self.query_string = query
        state = ClientState(query_string=query, page_name=page)
        state.context_info.url = f"{self.base_url}/{page}" + (f"?{query}" if query else "")
        state.context_info.timezone = "UTC"
        state.context_info.locale = "en-US"
        return await self._run(state, t0)

    async def rerun(self) -> Run:
        """Rerun the page with every widget value the session knows (the browser's rerun)."""
        state = ClientState(query_string=self.query_string, page_script_hash=self.page_script_hash)
        state.widget_states.widgets.extend(self.states.values())
        state.cached_message_hashes.extend(self._cache.hashes())
        return await self._run(state, time.perf_counter())

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
            self._ws = None

    # ---- widgets --------------------------------------------------------------------------
    def widget(self, key: str):
        """The element proto of the widget whose user key is ``key`` (its id ends with ``-<key>``)."""
        for widget_id, proto in self.widgets.items():
            if widget_id.endswith(f"-{key}"):
                return proto
        keys = sorted(widget_id.rsplit("-", 1)[-1] for widget_id in self.widgets)
        raise KeyError(f"no widget with key {key!r}; keys: {keys}")

    def set_select_slider(self, key: str, index: int) -> str:
        """Move the select slider ``key`` to option ``index`` (sent by the next :meth:`rerun`);
        the option's text."""
        proto = self.widget(key)
        option = proto.options[index]
        self.states[proto.id].string_array_value.data[:] = [option]
        return option

    def select_slider_value(self, key: str) -> tuple[list[str], int]:
        """The options of the select slider ``key`` and the index of its current value."""
        proto = self.widget(key)
        options = list(proto.options)
        return options, options.index(self.states[proto.id].string_array_value.data[0])

    # ---- reading a run --------------------------------------------------------------------
    async def _run(self, client_state: ClientState, t0: float) -> Run:
        """Send ``client_state`` as a ``rerun_script`` and read until the run finishes."""
        await self._ws.send(BackMsg(rerun_script=client_state).SerializeToString())
        run = Run(0.0, 0, None, [])
        seen: set[str] = set()
        deadline = time.monotonic() + self.timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise SessionError(f"the run did not finish within {self.timeout:g} s")
            try:
                data = await asyncio.wait_for(self._ws.recv(), remaining)
            except asyncio.TimeoutError:
                continue
            except websockets.ConnectionClosed as exc:
                raise SessionError(f"the server closed the websocket: {exc}") from exc
            run.bytes += len(data)
            msg = ForwardMsg()
            msg.ParseFromString(data)
            if self._handle(self._cache.resolve(msg), run, seen):
                break
        run.seconds = time.perf_counter() - t0
        return run

    def _handle(self, msg: ForwardMsg, run: Run, seen: set[str]) -> bool:
        """Apply one ForwardMsg to the session and ``run``; True when the run is over."""
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.page_script_hash = msg.new_session.page_script_hash
            self._cache.max_age = msg.new_session.config.max_cached_message_age or DEFAULT_CACHE_AGE
        elif kind == "navigation":  # st.navigation: the page that ran (reruns name it by hash)
            self.page_script_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_string = msg.page_info_changed.query_string
        elif kind == "page_not_found":
            run.errors.append(f"page not found: {msg.page_not_found.page_name!r}")
        elif kind == "session_event" and msg.session_event.HasField("script_compilation_exception"):
            run.errors.append(f"compile error: {msg.session_event.script_compilation_exception.message}")
        elif kind == "delta":
            self._delta(msg.delta, run, seen)
        elif kind == "script_finished":
            return self._finished(msg.script_finished, run, seen)
        return False

    def _delta(self, delta, run: Run, seen: set[str]) -> None:
        """Apply a Delta: note an exception element and the stage's data, keep widgets."""
        which = delta.WhichOneof("type")
        if which == "add_block" and delta.add_block.WhichOneof("type") == "expandable":
            proto = delta.add_block.expandable
            if proto.id:
                self._widget(proto, seen)
        if which != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        proto = getattr(element, kind)
        if kind == "exception":
            run.errors.append(f"exception: {proto.type}: {proto.message}")
        elif kind == "bidi_component" and proto.id.endswith("-stage"):
            run.stage = component_json(proto)
        elif kind == "plotly_chart":
            run.charts.append(proto.spec)
        elif kind == "alert":
            run.alerts.append(proto.body)
        elif kind == "progress":
            run.progress += 1
        widget_id = getattr(proto, "id", "")
        if widget_id.startswith("$$ID-"):
            self._widget(proto, seen)

    def _widget(self, proto, seen: set[str]) -> None:
        """Keep a widget's element; its value changes when the server sets one (or it is new)."""
        seen.add(proto.id)
        self.widgets[proto.id] = proto
        if proto.id not in self.states or getattr(proto, "set_value", False):
            state = _first_value(proto)
            if state is not None:
                self.states[proto.id] = state

    def _finished(self, status, run: Run, seen: set[str]) -> bool:
        """Handle ``script_finished``: the run is over unless it was cut short for a rerun."""
        if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
            self._cache.run_finished()
            return False
        if status == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
            run.errors.append("the script did not compile")
            return True
        self._cache.run_finished()
        if status == ForwardMsg.FINISHED_SUCCESSFULLY:  # a full run: drop unmounted widgets, as
            self.widgets = {k: w for k, w in self.widgets.items() if k in seen}  # the browser does
            self.states = {k: s for k, s in self.states.items() if k in seen}
        return True
