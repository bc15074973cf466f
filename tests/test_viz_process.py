"""`drugmarket viz` as a process: it stops its whole server when stopped, and a busy port or an
open-to-the-network host is explained in words at once.

Marked `browser` with the page tests: these start the real server (about ten seconds each).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser_support import free_port

from sim.viz.launch import server_env

pytestmark = pytest.mark.browser


def start_viz(*args: str) -> subprocess.Popen:
    """`python -m sim.viz ...` as a trainer would start it (its own session, so the test can clean up)."""
    return subprocess.Popen(
        [sys.executable, "-m", "sim.viz", "--no-browser", *args],
        env=server_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as reply:
            return reply.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return False


def children_of(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state != "Z"


def test_sigterm_stops_the_server_child_too_and_open_host_is_warned(tmp_path: Path) -> None:
    port = free_port()
    viz = start_viz("--port", str(port), "--host", "0.0.0.0")
    try:
        deadline = time.monotonic() + 90
        while not answers(f"http://127.0.0.1:{port}/"):
            assert viz.poll() is None, viz.communicate()
            assert time.monotonic() < deadline, "the page never answered"
            time.sleep(0.5)
        servers = children_of(viz.pid)
        assert servers, "no server child found"
        viz.send_signal(signal.SIGTERM)  # what a process manager or `kill PID` sends
        out, err = viz.communicate(timeout=30)
        assert "warning: --host 0.0.0.0 lets anyone on this network open the page" in err
        assert f"http://127.0.0.1:{port}/ here, http://" in out
        deadline = time.monotonic() + 15
        while any(alive(pid) for pid in servers) and time.monotonic() < deadline:
            time.sleep(0.3)
        assert not any(alive(pid) for pid in servers), "the server child outlived drugmarket viz"
        assert not answers(f"http://127.0.0.1:{port}/")
    finally:
        if viz.poll() is None:
            os.killpg(viz.pid, signal.SIGKILL)


def test_a_port_in_use_is_one_clear_line_at_once() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = time.monotonic()
        viz = start_viz("--port", str(port))
        out, err = viz.communicate(timeout=30)
    assert viz.returncode == 2
    # No server was started (it used to start, fail and linger ten seconds); the bound allows for
    # Python's start-up on a busy machine.
    assert time.monotonic() - started < 25
    assert "Solara server" not in out + err and "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("error")]
    assert lines == [f"error: port {port} is already in use (is the page already running?): try --port {port + 1}"]
    assert "Workshop page at" not in out
