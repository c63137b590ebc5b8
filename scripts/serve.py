"""Serve Gradscape to a class: N Streamlit workers behind nginx, with sticky sessions.

    python scripts/serve.py [--port 8501] [--workers N] [--worker-base PORT]

``scripts/serve.sh`` is the command to use: it installs what this needs (packages, nginx),
warms the kernel cache and copies plotly.js, then runs this.  This starts the workers on
127.0.0.1 (ports ``worker-base``, ``worker-base + 1``, ...; default ``port + 1``), waits until each
answers ``/_stcore/health`` and has served one real session (so each has loaded the app and every
kernel before a student arrives), then starts nginx on ``0.0.0.0:port`` with the configuration made
from ``deploy/nginx.conf.template`` in a temporary run folder (pid file, logs, temp files).

Every child runs in its own process group (a Ctrl-C in the terminal reaches only this process,
which then stops them in order) and is sent SIGTERM by the kernel if this process dies
(``PR_SET_PDEATHSIG``).  SIGTERM, SIGINT or SIGHUP (unless ignored, as under ``nohup``) stop
nginx and every worker, and exit 0.
A worker that dies is reported and nginx routes around it; when nginx or the last worker
dies, everything is stopped and the exit status is 1.
"""
from __future__ import annotations

import argparse
import ctypes
import http.client
import os
import pathlib
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
#: computed maps and basins kept per machine, split evenly over the workers (MB)
SERVER_CACHE_MB = 128
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
START_TIMEOUT = 180  # seconds for a worker to answer its health check (numba, streamlit, plotly)
STOP_TIMEOUT = 5  # seconds between SIGTERM and SIGKILL at shutdown

_stop_signal: int | None = None  # set by the signal handler; every wait below polls it


def _on_signal(signum, _frame) -> None:
    global _stop_signal
    _stop_signal = signum


_LIBC = ctypes.CDLL(None)


def _die_with_parent() -> None:
    """In the child, before exec: receive SIGTERM when this process exits (Linux)."""
    if hasattr(_LIBC, "prctl"):
        _LIBC.prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def _spawn(cmd: list[str], log: pathlib.Path, env: dict | None = None) -> subprocess.Popen:
    with open(log, "ab") as out:
        return subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True,
                                preexec_fn=_die_with_parent)


def port_free(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as nginx and uvicorn bind
        try:
            s.bind(("0.0.0.0", port))
            return True
        except OSError:
            return False


def _healthy(port: int) -> bool:
    """Whether 127.0.0.1:port answers /_stcore/health (directly: no http_proxy applies)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/_stcore/health")
        r = conn.getresponse()
        return r.status == 200 and r.read().strip() == b"ok"
    except (http.client.HTTPException, OSError):
        return False
    finally:
        conn.close()


def _tail(path: pathlib.Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def warm_worker(port: int, timeout: float = 300.0) -> float:
    """Open one real session on the worker at ``port`` (the protocol client of
    ``benchmarks/st_client.py``: Streamlit's websocket and protobufs) and wait for its first run,
    so that the worker has imported the app and loaded every kernel before any student arrives
    (a worker loads them at its first session; students arriving meanwhile would all wait).
    The seconds it took."""
    import asyncio
    import importlib.util

    spec = importlib.util.spec_from_file_location("st_client", ROOT / "benchmarks" / "st_client.py")
    client = sys.modules["st_client"] = importlib.util.module_from_spec(spec)  # dataclasses need it there
    spec.loader.exec_module(client)

    async def one() -> float:
        session = client.Session(f"http://127.0.0.1:{port}", timeout=timeout)
        try:
            run = await session.open("")
        finally:
            await session.close()
        if run.errors:
            raise RuntimeError("; ".join(run.errors))
        return run.seconds

    return asyncio.run(one())


def find_nginx() -> str | None:
    """The nginx binary (Debian installs it in /usr/sbin, which a user's PATH may lack)."""
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None)


def nginx_conf(port: int, worker_ports: list[int], run_dir: pathlib.Path) -> str:
    servers = "\n        ".join(f"server 127.0.0.1:{p} max_fails=1 fail_timeout=5s;"
                                for p in worker_ports)
    return (TEMPLATE.read_text().replace("@RUN_DIR@", str(run_dir))
            .replace("@PORT@", str(port)).replace("@SERVERS@", servers))


class Server:
    """The children (workers by port, and nginx) and their logs in ``run_dir``."""

    def __init__(self, port: int, worker_ports: list[int], run_dir: pathlib.Path):
        self.port, self.worker_ports, self.run_dir = port, worker_ports, run_dir
        self.workers: dict[int, subprocess.Popen] = {}
        self.nginx: subprocess.Popen | None = None

    def log(self, name: str) -> pathlib.Path:
        return self.run_dir / f"{name}.log"

    def start_workers(self) -> None:
        # one cookie secret for all, so a session moved to another worker keeps valid cookies
        env = dict(os.environ)
        env.setdefault("STREAMLIT_SERVER_COOKIE_SECRET", secrets.token_hex(32))
        # the machine's map cache (SERVER_CACHE_MB) split over the workers, each bounded in bytes
        env.setdefault("GRADSCAPE_CACHE_MB", str(max(16, SERVER_CACHE_MB // len(self.worker_ports))))
        # glibc: return freed 512² map arrays (MBs each) to the system instead of keeping them in
        # the heap, and keep few malloc arenas (the sweep's threads would each grow one)
        env.setdefault("MALLOC_MMAP_THRESHOLD_", "131072")
        env.setdefault("MALLOC_ARENA_MAX", "2")
        for p in self.worker_ports:
            self.workers[p] = _spawn(
                [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                 "--server.address", "127.0.0.1", "--server.port", str(p),
                 "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
                self.log(f"worker-{p}"), env)

    def start_nginx(self, nginx: str) -> None:
        conf = self.run_dir / "nginx.conf"
        conf.write_text(nginx_conf(self.port, self.worker_ports, self.run_dir))
        self.nginx = _spawn([nginx, "-p", str(self.run_dir), "-c", str(conf), "-g", "daemon off;"],
                            self.log("nginx"))

    def wait_healthy(self, port: int, proc: subprocess.Popen, name: str) -> bool:
        """Wait until ``port`` answers its health check; False if ``proc`` exits, the time runs
        out or a stop signal arrives."""
        deadline = time.monotonic() + START_TIMEOUT
        while _stop_signal is None and proc.poll() is None and time.monotonic() < deadline:
            if _healthy(port):
                return True
            time.sleep(0.2)
        if _stop_signal is None:
            why = "timed out" if proc.poll() is None else f"exited with status {proc.returncode}"
            print(f"serve: {name} {why} before answering /_stcore/health; its log ends with:\n"
                  f"{_tail(self.log(name))}", file=sys.stderr)
        return False

    def supervise(self) -> int:
        """Until a stop signal (0): report dead workers; 1 when nginx or every worker is dead."""
        while _stop_signal is None:
            for p, w in list(self.workers.items()):
                if w.poll() is not None:
                    del self.workers[p]
                    print(f"serve: worker 127.0.0.1:{p} (pid {w.pid}) exited with status "
                          f"{w.returncode}; {len(self.workers)} left, nginx routes around it. "
                          f"Its log ends with:\n{_tail(self.log(f'worker-{p}'))}", file=sys.stderr)
            if not self.workers or self.nginx.poll() is not None:
                what = "nginx" if self.nginx.poll() is not None else "every worker"
                print(f"serve: {what} exited; stopping.\n{_tail(self.log('nginx'))}", file=sys.stderr)
                return 1
            time.sleep(0.2)
        return 0

    def stop(self) -> None:
        """SIGTERM nginx and every worker (their whole process groups), SIGKILL what lingers."""
        procs = [p for p in [self.nginx, *self.workers.values()] if p is not None]
        for sig in (signal.SIGTERM, signal.SIGKILL):
            for p in procs:
                if p.poll() is None:
                    try:
                        os.killpg(p.pid, sig)
                    except ProcessLookupError:
                        pass
            deadline = time.monotonic() + STOP_TIMEOUT
            while any(p.poll() is None for p in procs) and time.monotonic() < deadline:
                time.sleep(0.05)


def main(argv: list[str] | None = None) -> int:
    cores = len(os.sched_getaffinity(0))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", type=int, default=8501, help="the public port (default: 8501)")
    ap.add_argument("--workers", type=int, default=cores,
                    help=f"Streamlit processes (default: one per core, {cores})")
    ap.add_argument("--worker-base", type=int, default=None,
                    help="the first worker's port on 127.0.0.1 (default: PORT + 1)")
    args = ap.parse_args(argv)
    if args.workers < 1:
        ap.error("--workers must be at least 1")
    base = args.port + 1 if args.worker_base is None else args.worker_base
    worker_ports = list(range(base, base + args.workers))
    if args.port in worker_ports:
        ap.error("the workers' ports must not include --port")
    busy = [p for p in [args.port, *worker_ports] if not port_free(p)]
    if busy:
        ap.error(f"port(s) {', '.join(map(str, busy))} are in use (choose --port or --worker-base)")
    nginx = find_nginx()
    if nginx is None:
        ap.error("nginx is not installed (scripts/serve.sh installs it)")

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        if not (sig == signal.SIGHUP and signal.getsignal(sig) == signal.SIG_IGN):  # nohup
            signal.signal(sig, _on_signal)
    run_dir = pathlib.Path(tempfile.mkdtemp(prefix="gradscape-serve-"))
    # nginx started by root runs its worker processes as "nobody": they must reach the temp folders
    run_dir.chmod(0o755)
    server = Server(args.port, worker_ports, run_dir)
    try:
        server.start_workers()
        if not all(server.wait_healthy(p, w, f"worker-{p}") for p, w in server.workers.items()):
            return 0 if _stop_signal is not None else 1
        for p, w in server.workers.items():
            seconds = warm_worker(p)
            print(f"serve: worker 127.0.0.1:{p} (pid {w.pid}) is ready (first session {seconds:.1f} s)", flush=True)
        server.start_nginx(nginx)
        if not server.wait_healthy(args.port, server.nginx, "nginx"):
            return 0 if _stop_signal is not None else 1
        print(f"serve: nginx (pid {server.nginx.pid}) serves Gradscape on "
              f"http://{socket.gethostname()}:{args.port} (http://localhost:{args.port} here) "
              f"with {args.workers} worker(s); Ctrl-C stops it", flush=True)
        return server.supervise()
    finally:
        server.stop()
        shutil.rmtree(run_dir, ignore_errors=True)
        if _stop_signal is not None:
            print(f"serve: stopped ({signal.Signals(_stop_signal).name})", flush=True)


if __name__ == "__main__":
    sys.exit(main())
