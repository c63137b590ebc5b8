"""``scripts/serve.sh``, run for real: Streamlit workers behind nginx, sticky by cookie.

Each server is ``bash scripts/serve.sh --port P --workers 2`` on free ports (the script installs
nginx when it is missing; the tests skip only when it is missing and could not be installed).
Every process a server started is gone at the end of its test or module, also on failure.
"""
from __future__ import annotations

import base64
import hashlib
import http.client
import os
import pathlib
import re
import signal
import socket
import subprocess
import tempfile
import time

import pytest

import serve  # scripts/, on pytest's pythonpath

ROOT = pathlib.Path(__file__).resolve().parent.parent
#: seconds for serve.sh to install, warm the kernel cache and start (minutes on a cold cache)
READY_TIMEOUT = 600
#: seconds for serve.sh to stop everything after SIGTERM or SIGINT
STOP_TIMEOUT = 10


def _free_ports(n: int) -> int:
    """A port P with P, P + 1, ..., P + n - 1 all free."""
    for _ in range(100):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port + n < 65536 and all(serve.port_free(p) for p in range(port, port + n)):
            return port
    raise RuntimeError(f"no {n} consecutive free ports")


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead
    except (FileNotFoundError, ProcessLookupError):
        return False


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def _get(port: int, path: str = "/_stcore/health", cookie: str | None = None, wait: float = 0):
    """(status, headers, body) of a GET through the proxy, with the gsw cookie if given;
    ``wait`` seconds before reading the response (a slow client)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": f"gsw={cookie}"} if cookie else {})
        time.sleep(wait)
        r = conn.getresponse()
        return r.status, r.headers, r.read()
    finally:
        conn.close()


def _gsw(headers) -> str | None:
    """The sticky cookie the proxy set, if it set one."""
    m = re.search(r"\bgsw=(\w+)", " ".join(headers.get_all("Set-Cookie") or []))
    return m.group(1) if m else None


class Served:
    """``scripts/serve.sh`` started on free ports, its worker and nginx pids read from its output."""

    def __init__(self, workers: int = 2):
        self.port = _free_ports(workers + 1)
        self.log = pathlib.Path(tempfile.mkstemp(prefix="gradscape-serve-test-", suffix=".log")[1])
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                ["bash", "scripts/serve.sh", "--port", str(self.port), "--workers", str(workers)],
                cwd=ROOT, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)
        self.workers: dict[str, int] = {}  # "127.0.0.1:port" -> pid
        self.nginx = 0
        try:
            self._wait_ready(workers)
        except BaseException:
            self.close()
            raise

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def _wait_ready(self, workers: int) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            out = self.output()
            m = re.search(r"nginx \(pid (\d+)\) serves Gradscape", out)
            if m:
                self.nginx = int(m.group(1))
                self.workers = {a: int(p) for a, p in re.findall(r"worker (\S+) \(pid (\d+)\) is ready", out)}
                assert len(self.workers) == workers, out
                return
            if self.proc.poll() is not None:
                if serve.find_nginx() is None:
                    pytest.skip(f"nginx is not installed and scripts/serve.sh could not install it:\n{out[-2000:]}")
                pytest.fail(f"serve.sh exited with status {self.proc.returncode}:\n{out[-4000:]}")
            time.sleep(0.5)
        pytest.fail(f"serve.sh was not ready within {READY_TIMEOUT} s:\n{self.output()[-4000:]}")

    def pids(self) -> list[int]:
        return [self.proc.pid, self.nginx, *self.workers.values()]

    def ports(self) -> list[int]:
        return [self.port, *(int(a.rsplit(":", 1)[1]) for a in self.workers)]

    def stop(self, sig: int) -> float:
        """Send ``sig`` to serve.sh and return the seconds it took to exit."""
        t0 = time.monotonic()
        self.proc.send_signal(sig)
        self.proc.wait(timeout=STOP_TIMEOUT)
        return time.monotonic() - t0

    def close(self) -> None:
        """Leave nothing running: SIGTERM serve.sh, then SIGKILL whatever of it is left."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                pass
        for pid in self.pids():  # each child leads its own process group
            if pid and _alive(pid):
                try:
                    os.killpg(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.proc.wait()
        self.log.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def served():
    s = Served()
    yield s
    s.close()


def _assert_stopped_by(s: Served, sig: int) -> None:
    pids, ports = s.pids(), s.ports()
    seconds = s.stop(sig)
    assert s.proc.returncode == 0, s.output()
    deadline = time.monotonic() + 2  # init may take a moment to reap the last of them
    while any(map(_alive, pids)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in pids if _alive(p)], s.output()
    assert not [p for p in ports if _listening(p)], s.output()
    assert seconds < STOP_TIMEOUT
    assert f"stopped ({signal.Signals(sig).name})" in s.output()


def test_health_page_and_static_files_through_the_proxy(served):
    status, _, body = _get(served.port)
    assert (status, body.strip()) == (200, b"ok")
    status, headers, body = _get(served.port, "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b'<div id="root">' in body
    # plotly.js (4.8 MB) for a slow client overflows nginx's buffers into its temp folder, which
    # nginx's worker processes must be able to write (also when nginx is started as root)
    status, _, body = _get(served.port, "/app/static/plotly.min.js", wait=1.5)
    assert status == 200 and len(body) == (ROOT / "static" / "plotly.min.js").stat().st_size


def test_a_browser_gets_the_cookie_once_and_stays_on_its_worker(served):
    status, headers, _ = _get(served.port, "/")
    cookie, worker = _gsw(headers), headers["X-Gradscape-Worker"]
    assert status == 200 and cookie and worker in served.workers
    for path in ["/_stcore/health", "/", "/_stcore/host-config", "/app/static/plotly.min.js"] * 3:
        status, headers, _ = _get(served.port, path, cookie)
        assert status == 200 and headers["X-Gradscape-Worker"] == worker, path
        assert _gsw(headers) is None  # the cookie is set once


def test_browsers_are_spread_over_the_workers(served):
    """Every request here comes from 127.0.0.1, as a class behind a NAT would: the cookie,
    not the address, picks the worker."""
    answered = {_get(served.port)[1]["X-Gradscape-Worker"] for _ in range(24)}
    assert answered == set(served.workers)
    answered = {_get(served.port, cookie=f"student{n}")[1]["X-Gradscape-Worker"] for n in range(24)}
    assert answered == set(served.workers)


def test_the_websocket_upgrades_through_the_proxy_on_the_browser_worker(served):
    status, headers, _ = _get(served.port, "/")
    cookie, worker = _gsw(headers), headers["X-Gradscape-Worker"]
    key = base64.b64encode(os.urandom(16)).decode()
    # Streamlit accepts a websocket from a host that is not its own only if Origin matches the
    # Host header it is given: nginx must pass the browser's on
    host = f"gradscape.test:{served.port}"
    request = (f"GET /_stcore/stream HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\n"
               f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Protocol: streamlit\r\n"
               f"Cookie: gsw={cookie}\r\n\r\n")
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as sock:
        sock.sendall(request.encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = sock.recv(4096)
            assert chunk, response
            response += chunk
    head = response.split(b"\r\n\r\n")[0].decode()
    assert head.startswith("HTTP/1.1 101"), head
    accept = base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest())
    assert f"Sec-WebSocket-Accept: {accept.decode()}" in head
    assert f"X-Gradscape-Worker: {worker}" in head


def test_a_killed_worker_is_routed_around_and_sigterm_stops_everything():
    s = Served()
    try:
        status, headers, _ = _get(s.port, "/")
        cookie, worker = _gsw(headers), headers["X-Gradscape-Worker"]
        (other,) = set(s.workers) - {worker}
        os.kill(s.workers[worker], signal.SIGKILL)  # the worker this browser is on
        for _ in range(5):
            status, headers, body = _get(s.port, cookie=cookie)
            assert (status, body.strip()) == (200, b"ok")
            assert headers["X-Gradscape-Worker"].split(", ")[-1] == other  # "dead, other" once
            status, headers, _ = _get(s.port, "/", cookie)
            assert status == 200 and headers["X-Gradscape-Worker"].split(", ")[-1] == other
            assert _get(s.port)[0] == 200  # new browsers too
        assert s.proc.poll() is None
        deadline = time.monotonic() + 5
        while f"worker {worker} (pid {s.workers[worker]}) exited" not in s.output():
            assert time.monotonic() < deadline, s.output()
            time.sleep(0.2)
        _assert_stopped_by(s, signal.SIGTERM)
    finally:
        s.close()


def test_sigint_stops_everything():
    s = Served()
    try:
        _assert_stopped_by(s, signal.SIGINT)
    finally:
        s.close()


def test_a_busy_port_is_refused_before_anything_starts(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(SystemExit) as stop:
            serve.main(["--port", str(port), "--workers", "1"])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and re.search(rf"port\(s\) {port}\b.* are in use", err), err


def test_every_worker_served_a_session_before_nginx_started(served):
    """Each worker has run the app once (its kernels loaded) before the proxy accepts anyone:
    a class arriving at once never waits for a worker's first session."""
    out = served.output()
    warmed = re.findall(r"worker 127\.0\.0\.1:(\d+) \(pid \d+\) is ready \(first session ([\d.]+) s\)", out)
    assert len(warmed) == len(served.workers) == 2, out
    assert out.index("is ready (first session") < out.index("serves Gradscape on")
