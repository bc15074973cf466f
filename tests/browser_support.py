"""Running the workshop page in headless Chromium: shared by the browser test and the screenshot script.

Playwright cannot download browsers on closed networks, so it drives Debian's `chromium` package
(installed by scripts/setup.sh) through `executable_path`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sim.viz.launch import server_command, server_env, stop_group

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_executable() -> str | None:
    """Debian's Chromium binary (the real one behind the /usr/bin/chromium shell wrapper)."""
    for candidate in (os.environ.get("CHROMIUM_PATH"), "/usr/lib/chromium/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def free_port() -> int:
    """A port nobody is listening on, on the loopback interface."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_server(scenario: str | None = None, timeout: float = 60.0) -> Iterator[str]:
    """Start the page's Solara server on a free loopback port; yields its URL; always stops it."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed in the finally below)
    # A session of its own, so stopping it stops any process the server started, and nothing else.
    server = subprocess.Popen(
        server_command(port), env=server_env(scenario), stdout=log, stderr=log, start_new_session=True
    )
    try:
        deadline = time.monotonic() + timeout
        while True:
            if server.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"the Solara server exited early:\n{log.read().decode()[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=5) as reply:
                    if reply.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"the Solara server did not answer at {url} within {timeout:.0f} s")
            time.sleep(0.3)
        yield url
    finally:
        stop_group(server)
        log.close()


@contextlib.contextmanager
def workshop_page(scenario: str | None = None) -> Iterator[tuple[Any, Any]]:
    """The workshop page open at 1280x720 in Debian's Chromium, at day 0: (page, heading).

    Shared by the screenshot script and the year-time benchmark, so both see the page the
    trainer guide describes. Raises RuntimeError when Chromium is not installed.
    """
    from playwright.sync_api import expect, sync_playwright

    executable = chromium_executable()
    if executable is None:
        raise RuntimeError("chromium is not installed (apt-get install chromium)")
    with running_server(scenario, timeout=120) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(url, timeout=90_000)
        heading = page.locator(".workshop h2").first
        expect(heading).to_contain_text("Day 0", timeout=90_000)
        try:
            yield page, heading
        finally:
            browser.close()
