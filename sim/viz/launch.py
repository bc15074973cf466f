"""Starting the workshop page: a Solara server on this machine, set up to work without internet.

Workshop rooms are often offline. Solara fetches its page assets from a public CDN unless
`solara-assets` is installed, and Mesa's layout needs the Vue 2 widgets (`ipyvue<3`,
`ipyvuetify<3`); telemetry is switched off. `serve` checks these first, so a trainer hears what is
wrong in words rather than meeting a blank page.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from sim.planner.scenario import load_scenario

APP = Path(__file__).resolve().parent / "app.py"
#: Read by the page to open with the trainer's scenario (see sim/viz/workshop.py).
SCENARIO_ENV = "DRUGMARKET_VIZ_SCENARIO"


def offline_problems() -> list[str]:
    """What would stop the page from working offline, in words a trainer can pass on."""
    problems = []
    try:
        metadata.version("solara-assets")
    except metadata.PackageNotFoundError:
        problems.append("solara-assets is not installed: the page will be blank without internet")
    for package in ("ipyvue", "ipyvuetify"):
        try:
            major = int(metadata.version(package).split(".")[0])
        except metadata.PackageNotFoundError:
            problems.append(f"{package} is not installed")
            continue
        if major >= 3:
            problems.append(f"{package} {metadata.version(package)} is installed; the page needs {package}<3")
    return problems


def server_command(port: int, host: str = "127.0.0.1", open_browser: bool = False) -> list[str]:
    """The `solara run` command line for the page (production mode: no reloading on file edits)."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(APP),
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--open" if open_browser else "--no-open",
        "--log-level",
        "warning",
    ]


def server_env(scenario_path: str | Path | None = None) -> dict[str, str]:
    """The environment for the server: telemetry off, this copy of `sim` importable, the scenario."""
    env = dict(os.environ)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    # The "This website runs on Solara" badge sat over the bottom of the page on a projector.
    env["SOLARA_THEME_SHOW_BANNER"] = "False"
    # Solara warns about cookie settings meant for https hosting; on a laptop it only alarms people.
    quiet = "ignore::UserWarning:solara.server.starlette"
    env["PYTHONWARNINGS"] = ",".join(w for w in (env.get("PYTHONWARNINGS", ""), quiet) if w)
    root = str(APP.parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    if scenario_path is not None:
        env[SCENARIO_ENV] = str(Path(scenario_path).resolve())
    else:
        env.pop(SCENARIO_ENV, None)
    return env


def port_problem(host: str, port: int) -> str | None:
    """Why the page cannot listen on host:port (in one line), or None if it can."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as err:
            if err.errno == 98:  # EADDRINUSE
                return f"port {port} is already in use (is the page already running?): try --port {port + 1}"
            return f"cannot listen on {host}:{port}: {err.strerror}"
    return None


def network_address() -> str:
    """This machine's address on the local network, as other machines would type it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))  # picks the outgoing interface; sends nothing
            return probe.getsockname()[0]
        except OSError:
            return socket.gethostname()


def serve(
    scenario_path: str | Path | None = None, port: int = 8765, open_browser: bool = True, host: str = "127.0.0.1"
) -> int:
    """Run the workshop page until Ctrl-C or SIGTERM; returns the server's exit code (2 if it
    cannot start).

    The server runs in a process group of its own, and stopping this process (Ctrl-C, or SIGTERM
    from a process manager) stops that whole group: nothing is left serving the port.
    Raises ScenarioError (with one line per problem) if the scenario file cannot be used.
    """
    if scenario_path is not None:
        load_scenario(scenario_path)  # fail here, in words, not inside the server
    problem = port_problem(host, port)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    for problem in offline_problems():
        print(f"warning: {problem}", file=sys.stderr)
    if host in ("0.0.0.0", "::"):
        print(
            f"warning: --host {host} lets anyone on this network open the page (and run towns on this machine)",
            file=sys.stderr,
        )
        print(f"Workshop page at http://127.0.0.1:{port}/ here, http://{network_address()}:{port}/ for others")
    else:
        print(f"Workshop page at http://{host}:{port}/  (Ctrl-C to stop)")
    server = subprocess.Popen(
        server_command(port, host, open_browser), env=server_env(scenario_path), start_new_session=True
    )

    def stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        return server.wait()
    except KeyboardInterrupt:
        stop_group(server)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
        if server.poll() is None:
            stop_group(server)


def stop_group(server: subprocess.Popen) -> None:
    """Stop the server's process group: politely, then firmly."""
    for sig, grace in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, sig)
        try:
            server.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue
