"""Shared fixtures: a live Streamlit server for the browser tests (``tests/test_e2e.py``).

The server is started lazily (only when a test asks for ``streamlit_server``), once per test
session, on a free port of 127.0.0.1, and is killed at the end of the session, also when a test
or the start-up fails.  Its output goes to a temporary log file, shown (and kept) if it does not start.
"""
from __future__ import annotations

import os
import pathlib
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
#: seconds for the server to answer its health check (importing numba, streamlit, plotly)
SERVER_START_TIMEOUT = 90


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.status == 200 and r.read().strip() == b"ok"
    except (urllib.error.URLError, OSError):
        return False


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the server's process group, then SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


@pytest.fixture(scope="session")
def streamlit_server():
    """The base URL (``http://127.0.0.1:PORT``) of ``streamlit run app.py``, headless
    (``GRADSCAPE_SERVER_URL`` names an already running server instead)."""
    if os.environ.get("GRADSCAPE_SERVER_URL"):
        yield os.environ["GRADSCAPE_SERVER_URL"].rstrip("/")
        return
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cmd = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1",
           "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"]
    # one heavy computation at a time (the default on 2 cores, fixed here for the queue's test)
    env = dict(os.environ, PYTHONUNBUFFERED="1", GRADSCAPE_HEAVY_SLOTS="1")
    with tempfile.NamedTemporaryFile(prefix="gradscape-streamlit-", suffix=".log", delete=False) as log:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)  # its own process group: killed as a whole
        started = False
        try:
            deadline = time.monotonic() + SERVER_START_TIMEOUT
            while not _healthy(url):
                if proc.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    tail = pathlib.Path(log.name).read_text(errors="replace")[-3000:]
                    why = (f"exited with {proc.returncode}" if proc.poll() is not None
                           else "did not answer in time")
                    pytest.fail(f"streamlit server {why}; its log ({log.name}):\n{tail}", pytrace=False)
                time.sleep(0.25)
            started = True
            yield url
        finally:
            _stop(proc)
            if started:  # keep the log only when the server failed to start
                pathlib.Path(log.name).unlink(missing_ok=True)


def pytest_sessionstart(session):
    """Compile every kernel once, on every core, before the tests (each optimizer has its own
    compiled loops; on an empty cache this takes minutes on one core).  Later runs load them
    from the on-disk cache in seconds."""
    import optimizers

    # with the loops custom surfaces share: compiled here on every core, not one by one inside
    # tests (a test server compiling them at a typed formula's first use can take minutes)
    optimizers.warmup(jobs=len(os.sched_getaffinity(0)))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the item (``item.rep_call``), so that fixtures can tell
    whether the test failed (the browser tests then save a screenshot)."""
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"rep_{rep.when}", rep)
