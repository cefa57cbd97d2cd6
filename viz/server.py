"""Start and stop the dashboard's Solara server, offline and without telemetry.

The server runs as a child process: ``solara run viz/app.py --production
--no-check-version`` with ``SOLARA_TELEMETRY_MIXPANEL_ENABLE=False`` and ``SOLARA_HOME``
in a directory of the project's. Those three switches stop every call the server
would make on its own (a PyPI version check, telemetry, and dev mode's check page);
the page's JavaScript and CSS come from ``solara-assets`` in
``sys.prefix/share/solara/cdn`` (:func:`missing_assets` checks they are there).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from viz.config import project_root

__all__ = [
    "APP",
    "assets_dir",
    "command",
    "missing_assets",
    "port_error",
    "server_environment",
    "solara_home",
    "start",
    "wait_until_listening",
]

APP = "viz.app"
"""The Solara app, by module name: run as a file, its folder would go first on
``sys.path`` (and shadow standard modules in worker processes)."""


def solara_home() -> Path:
    """``SOLARA_HOME`` for the server: ``ORGSIM_DASHBOARD_HOME`` if set, else
    ``.dashboard/solara-home`` in the project (created; ignored by git), or
    ``~/.cache/orgsim/solara-home`` where the project is read-only."""
    given = os.environ.get("ORGSIM_DASHBOARD_HOME")
    home = Path(given) if given else project_root() / ".dashboard" / "solara-home"
    try:
        home.mkdir(parents=True, exist_ok=True)
    except OSError:  # an installed, read-only copy: a per-user directory instead
        home = Path.home() / ".cache" / "orgsim" / "solara-home"
        home.mkdir(parents=True, exist_ok=True)
    return home


def assets_dir() -> Path:
    """Where solara-assets put the front-end files (solara's default cache dir)."""
    return Path(
        os.environ.get("SOLARA_ASSETS_PROXY_CACHE_DIR", Path(sys.prefix) / "share/solara/cdn")
    )


def missing_assets() -> list[str]:
    """Front-end packages the installed solara's page template asks for that are not in
    :func:`assets_dir` (each would be fetched from a CDN: a blank page offline)."""
    try:
        import solara.server

        template = Path(solara.server.__file__).parent / "templates" / "solara.html.j2"
        text = template.read_text(encoding="utf-8")
    except (ImportError, OSError):
        return ["solara"]
    pattern = r"((?:@widgetti/)?(?:solara-vuetify-app|requirejs)@[0-9][\w.\-]*)"
    wanted = sorted(set(re.findall(pattern, text)))
    folder = assets_dir()
    return [name for name in wanted if not (folder / name).exists()]


def server_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """The child's environment: ours, the app's settings, and the offline switches."""
    env = dict(os.environ)
    env.update(extra)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env["SOLARA_HOME"] = str(solara_home())
    env["SOLARA_THEME_SHOW_BANNER"] = "False"  # its corner badge covers the plots
    env.setdefault("MPLBACKEND", "Agg")
    # solara warns at every page load over plain http on 127.0.0.1 that its cookie
    # falls back to SameSite=Lax: true, harmless here, and it would fill the terminal
    quiet = "ignore:Cookies with samesite:UserWarning"
    env["PYTHONWARNINGS"] = ",".join(filter(None, [env.get("PYTHONWARNINGS"), quiet]))
    env["PYTHONUNBUFFERED"] = "1"
    return env


def command(host: str, port: int) -> list[str]:
    """The server's command line (this Python, solara's CLI module)."""
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        APP,
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-check-version",
        "--no-open",
    ]


def port_error(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be served (``None`` if it can be bound now)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        return f"--host {host}: cannot resolve ({error.strerror})"
    family, _, _, _, address = infos[0]
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(address)
        except OSError as error:
            return f"--port {port}: cannot listen on {host}:{port} ({error.strerror})"
    return None


def wait_until_listening(
    host: str, port: int, process: subprocess.Popen, timeout: float = 60.0
) -> bool:
    """Wait until the server accepts connections; ``False`` if it exited or timed out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def start(
    host: str,
    port: int,
    app_env: Mapping[str, str],
    stdout: int | None = None,
    stderr: int | None = None,
    prefix: Sequence[str] = (),
    new_session: bool = False,
) -> subprocess.Popen:
    """Start the server as a child process.

    Parameters
    ----------
    host, port
        Where it listens.
    app_env
        The app's settings (:func:`viz.config.environment`).
    stdout, stderr
        Where its output goes (default: ours).
    prefix
        Words put before the command (e.g. ``unshare -n``).
    new_session
        Start it in a process group of its own (stop it with ``os.killpg``). The
        command keeps it in its own group, so that Ctrl-C in a terminal reaches both.
    """
    return subprocess.Popen(
        [*prefix, *command(host, port)],
        env=server_environment(app_env),
        cwd=str(project_root()),
        stdout=stdout,
        stderr=stderr,
        start_new_session=new_session,
    )
