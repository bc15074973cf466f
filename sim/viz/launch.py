"""Starting the workshop page: a Solara server on this machine, set up to work without internet.

Workshop rooms are often offline. Solara fetches its page assets from a public CDN unless
`solara-assets` is installed, and Mesa's layout needs the Vue 2 widgets (`ipyvue<3`,
`ipyvuetify<3`); telemetry is switched off. `serve` checks these first, so a trainer hears what is
wrong in words rather than meeting a blank page.
"""

from __future__ import annotations

import os
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


def serve(
    scenario_path: str | Path | None = None, port: int = 8765, open_browser: bool = True, host: str = "127.0.0.1"
) -> int:
    """Run the workshop page until Ctrl-C; returns the server's exit code.

    Raises ScenarioError (with one line per problem) if the scenario file cannot be used.
    """
    if scenario_path is not None:
        load_scenario(scenario_path)  # fail here, in words, not inside the server
    for problem in offline_problems():
        print(f"warning: {problem}", file=sys.stderr)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    print(f"Workshop page at http://{shown}:{port}/  (Ctrl-C to stop)")
    server = subprocess.Popen(server_command(port, host, open_browser), env=server_env(scenario_path))
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
        return 0
