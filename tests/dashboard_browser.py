"""Helpers of the dashboard's browser tests: a real ``orgsim dashboard`` server, offline,
and Debian's chromium driven by playwright.

Run as a script, it saves the README's screenshot::

    .venv/bin/python tests/dashboard_browser.py docs/figures/dashboard.png
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
SMALL_WORLD = ("customers.n_customers=2000",)
"""A small world keeps a simulated week of both panes under a second."""
OUTSIDE_CALLS = ("Could not load URL", "cdn.jsdelivr", "unpkg.com", "pypi.org", "solara.dev/api")
"""What the server's log shows when it reaches (or tries to reach) outside."""


def chromium_problem() -> str | None:
    """Why the browser tests cannot run here (``None`` when they can).

    Installs Debian's chromium when it is missing and we are root (as ``.ci/setup
    test`` does); never ``playwright install``, which downloads a browser of its own.
    """
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: run `bash .ci/setup test`"
    if not Path(CHROMIUM).exists() and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(
            "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium",
            shell=True,
            capture_output=True,
            timeout=900,
            check=False,
        )
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing: install it with `apt-get install chromium` (as root)"
    return None


def require_chromium(what: str = "browser tests") -> None:
    """Skip (with :func:`chromium_problem`'s hint) when chromium cannot run here; fail
    instead on CI (``CI=true``), where the browser tests must run."""
    import pytest

    problem = chromium_problem()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} cannot run on CI: {problem}")
        pytest.skip(f"{what} skipped: {problem}")


def free_port() -> int:
    """A port nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def offline_prefix() -> list[str]:
    """``unshare -n`` with loopback up, when this machine allows it (root); else ``[]``.

    Inside, the server has no network but 127.0.0.1: any call it makes outside fails
    (and says so in its log), so a page that renders proves it needs none.
    """
    if os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        return []
    probe = subprocess.run(
        ["unshare", "-n", "sh", "-c", "ip link set lo up"], capture_output=True, check=False
    )
    if probe.returncode != 0:
        return []
    if not shutil.which("nsenter"):  # the browser must join the server's namespace
        return []
    return ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "offline"]


class Server:
    """A running ``orgsim dashboard`` (its own process group), with its log."""

    def __init__(self, process: subprocess.Popen, port: int, log: Path, offline: bool) -> None:
        self.process = process
        self.port = port
        self.log = log
        self.offline = offline
        self.url = f"http://127.0.0.1:{port}/"

    @property
    def netns(self) -> str | None:
        """The server's network namespace, when it runs offline in one of its own."""
        return f"/proc/{self.process.pid}/ns/net" if self.offline else None

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 20.0) -> int:
        """Ctrl-C to the whole group (as a terminal sends it); the exit code."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        return self.process.returncode


@contextmanager
def dashboard_server(
    log: Path, args: Sequence[str] = (), offline: bool = True, timeout: float = 90.0
) -> Iterator[Server]:
    """Start ``orgsim dashboard --port P [args]`` and wait for its URL line.

    Parameters
    ----------
    log
        File for the server's stdout and stderr.
    args
        More arguments (default: a small world).
    offline
        Run it under :func:`offline_prefix` where possible.
    """
    port = free_port()
    prefix = offline_prefix() if offline else []
    command = [
        *prefix,
        sys.executable,
        "-m",
        "sim.cli",
        "dashboard",
        "--port",
        str(port),
        *(args or [f"--set={o}" for o in SMALL_WORLD]),
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop("SOLARA_HOME", None)
    with log.open("w", encoding="utf-8") as sink:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    server = Server(process, port, log, bool(prefix))
    try:
        deadline = time.monotonic() + timeout
        while "orgsim dashboard at" not in server.log_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the dashboard did not start:\n{server.log_text()}")
            time.sleep(0.1)
        yield server
    finally:
        server.stop()


def launch_browser(playwright, server: Server, folder: Path):
    """Chromium, in the server's network namespace when it has one (its loopback is
    not ours): a wrapper enters it with ``nsenter``; playwright talks to the browser
    over a pipe, not the network."""
    executable = CHROMIUM
    if server.netns is not None:
        wrapper = folder / "chromium-in-server-netns"
        wrapper.write_text(f'#!/bin/sh\nexec nsenter --net={server.netns} {CHROMIUM} "$@"\n')
        wrapper.chmod(0o755)
        executable = str(wrapper)
    return playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])


def block_outside(context, blocked: list[str]) -> None:
    """Abort every request of a browser context that is not for this machine."""

    def route(request_route) -> None:
        host = urlparse(request_route.request.url).hostname or ""
        if host in ("127.0.0.1", "localhost", "::1") or request_route.request.url.startswith(
            ("data:", "blob:")
        ):
            request_route.continue_()
        else:
            blocked.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)


def open_page(browser, url: str, blocked: list[str], width: int = 1500, height: int = 1000):
    """A new browser context (a new session) on the dashboard, ready once Step shows."""
    context = browser.new_context(viewport={"width": width, "height": height})
    block_outside(context, blocked)
    page = context.new_page()
    page.goto(url)
    page.get_by_role("button", name="Step 1 day").wait_for(timeout=60_000)
    return page


def clock(page) -> float:
    return float(page.locator("#sim-clock").get_attribute("data-hours"))


def wait_for_hours(page, hours: float, timeout: float = 60_000) -> None:
    """Wait until the page's clock reads ``hours`` and the step buttons are usable."""
    page.wait_for_function(
        "h => Number(document.querySelector('#sim-clock')?.dataset.hours) === h",
        arg=float(hours),
        timeout=timeout,
    )
    page.get_by_role("button", name="Step 1 day").wait_for(state="visible")


def step_days(page, days: int) -> None:
    """Press Step 1 day ``days`` times, each time waiting for the clock."""
    for _ in range(days):
        target = clock(page) + 24.0
        button = page.get_by_role("button", name="Step 1 day")
        page.wait_for_function(
            "() => [...document.querySelectorAll('button')].some("
            "b => b.textContent.includes('Step 1 day') && !b.disabled)"
        )
        button.click()
        wait_for_hours(page, target)


def kpi(page, name: str, pane: str) -> float:
    """The raw value of one KPI card of one pane, once the cards show the clock's time
    (the clock and the cards are separate widgets, updated one after the other)."""
    page.wait_for_function(
        "() => document.querySelector('.kpi-grid')?.dataset.hours"
        " === document.querySelector('#sim-clock')?.dataset.hours"
    )
    value = page.locator(f'[data-kpi="{name}"] [data-pane="{pane}"]').get_attribute("data-value")
    return float(value)


def type_lever(page, label: str, text: str) -> None:
    """Type into a typed lever (found by the start of its label) and press Enter."""
    field = page.get_by_label(label, exact=False).first
    field.fill(text)
    field.press("Enter")


def press_reset(page) -> None:
    page.get_by_role("button", name="Reset").click()


def screenshot(path: Path) -> None:
    """Step both panes a week (switchboard and direct dial, the default world) and save
    the page."""
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="orgsim-dashboard-"))
    world = ["--seed", "0"]  # the default world: 20,000 customers
    log = folder / "server.log"
    with dashboard_server(log, world) as server, sync_playwright() as playwright:
        browser = launch_browser(playwright, server, folder)
        page = open_page(browser, server.url, blocked, width=1600, height=1480)
        step_days(page, 7)
        page.get_by_role("button", name="Play").wait_for()
        page.wait_for_timeout(800)
        page.screenshot(path=str(path), full_page=False)
        browser.close()


if __name__ == "__main__":
    screenshot(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/figures/dashboard.png"))
