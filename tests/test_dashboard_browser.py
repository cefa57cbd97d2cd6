"""The dashboard in a real browser (Debian's chromium through playwright), offline.

One ``orgsim dashboard`` server for the module, started as a user would (the command,
with a small world through ``--set``), inside a network namespace with only loopback
when the machine allows it; every browser context aborts any request not for this
machine. Each test opens its own context, i.e. its own session.

Without chromium (and no way to install it) the tests skip with a hint, except on CI
(``CI=true``), where they fail.
"""

from __future__ import annotations

import json
import os
import re
import socket
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_browser import (
    OUTSIDE_CALLS,
    Server,
    chromium_problem,
    clock,
    dashboard_server,
    kpi,
    launch_browser,
    open_page,
    press_reset,
    step_days,
    type_lever,
    wait_for_hours,
)

FIRST_RESPONSE = "first_response_hours_median"
KM_MEDIAN = "first_response_hours_km_median"

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixture skips (or fails on CI) with a hint
    expect = None


@pytest.fixture(scope="module")
def chromium() -> None:
    problem = chromium_problem()
    if problem is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"browser tests cannot run on CI: {problem}")
        pytest.skip(f"browser tests skipped: {problem}")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("dashboard")


@pytest.fixture(scope="module")
def server(chromium, folder) -> Iterator[Server]:
    with dashboard_server(folder / "server.log") as running:
        yield running


@pytest.fixture(scope="module")
def browser(server, folder) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch_browser(playwright, server, folder)
        yield launched
        launched.close()


@pytest.fixture
def blocked() -> list[str]:
    """Requests the browser tried to send off this machine (aborted)."""
    return []


@pytest.fixture
def page(browser, server, blocked):
    opened = open_page(browser, server.url, blocked)
    yield opened
    opened.context.close()


def test_the_page_renders_offline_with_controls_cards_and_plots(page, server, blocked):
    for name in ("Play", "Step 1 hour", "Step 1 day", "Reset"):
        assert page.get_by_role("button", name=name).is_visible()
    card = page.locator(f'[data-kpi="{FIRST_RESPONSE}"]')
    card.wait_for()
    assert "over answered threads" in card.inner_text()
    assert "answered" in card.locator('[data-pane="A"]').inner_text()
    km = page.locator(f'[data-kpi="{KM_MEDIAN}"]')  # over all threads, beside the above
    assert "over all threads" in km.inner_text()
    assert "over answered threads" in km.locator('[data-pane="A"]').inner_text()
    for name in ("answered_within_1h_share", "answered_within_24h_share", "social_capacity"):
        assert page.locator(f'[data-kpi="{name}"]').count() == 1, name
    plot = page.locator("img").first
    plot.wait_for(timeout=30_000)
    box = plot.bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] > 200
    assert clock(page) == 0.0
    assert blocked == []  # the page asked for nothing outside this machine
    if os.geteuid() == 0:  # as root the server runs with no network but loopback
        assert server.offline
    if server.offline:  # the server had no network: it rendered from local files
        assert not any(call in server.log_text() for call in OUTSIDE_CALLS)


def test_stepping_a_day_advances_the_hour_counter(page):
    page.get_by_role("button", name="Step 1 hour").click()
    wait_for_hours(page, 1.0)
    step_days(page, 1)
    assert clock(page) == 25.0
    assert "day 2, 01:00" in page.locator("#sim-clock").inner_text()


def test_play_runs_both_panes_until_paused(page):
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("() => Number(document.querySelector('#sim-clock').dataset.hours) > 0")
    page.get_by_role("button", name="Pause").click()
    page.get_by_role("button", name="Play").wait_for()
    stopped = clock(page)
    page.wait_for_timeout(1000)
    assert clock(page) == stopped > 0


def test_picking_a_structure_restarts_both_panes_with_it(page):
    step_days(page, 1)
    page.locator(".v-select", has_text="Pane B").click()
    page.get_by_role("option", name="expert_routing").click()
    wait_for_hours(page, 0.0)
    page.locator(".v-select", has_text="Pane B").filter(has_text="expert_routing").wait_for()
    page.get_by_role("tab", name="Organization").click()  # the panes' names follow
    page.get_by_text("B: expert_routing", exact=False).first.wait_for()
    page.get_by_role("tab", name="Overview").click()
    step_days(page, 1)
    assert kpi(page, "answered_share", "B") != kpi(page, "answered_share", "A")


def test_a_levers_tooltip_is_the_schemas_description(page):
    page.get_by_text("Silo permeability").first.hover()
    tip = page.get_by_text("culture.silo_permeability (0.01–1): How readily work crosses")
    tip.wait_for()


def test_after_a_week_the_switchboard_answers_slower_than_direct_dial(page):
    assert "switchboard" in page.locator(".v-select", has_text="Pane A").inner_text()
    assert "direct_dial" in page.locator(".v-select", has_text="Pane B").inner_text()
    step_days(page, 7)
    assert kpi(page, FIRST_RESPONSE, "A") > kpi(page, FIRST_RESPONSE, "B")
    assert kpi(page, "answered_share", "A") < kpi(page, "answered_share", "B")
    fast = kpi(page, "answered_within_1h_share", "A"), kpi(page, "answered_within_1h_share", "B")
    assert fast[0] < fast[1]
    text = page.locator(f'[data-kpi="{KM_MEDIAN}"]').inner_text()
    assert re.search(r"\b(inf|nan)\b", text) is None  # an unreached median is said in words


def test_a_deeper_approval_chain_slows_the_first_response(page):
    step_days(page, 7)
    shallow = kpi(page, FIRST_RESPONSE, "A")  # the switchboard: every answer is approved
    type_lever(page, "Approval depth", "4")
    page.get_by_text("set to 4 for both panes").wait_for()
    press_reset(page)
    wait_for_hours(page, 0.0)
    page.get_by_text("set to 4 for both panes").wait_for()
    step_days(page, 7)
    assert kpi(page, FIRST_RESPONSE, "A") > shallow
    page.get_by_role("button", name="file value").click()  # back to the files' depth
    page.get_by_text("file: A 1").wait_for()
    page.get_by_text("Changed levers or seed are not applied yet").wait_for()


def test_two_sessions_keep_their_own_levers_and_results(browser, server, blocked):
    first = open_page(browser, server.url, blocked)
    second = open_page(browser, server.url, blocked)
    try:
        type_lever(first, "Customers", "3000")
        press_reset(first)
        first.get_by_text("set to 3,000 for both panes").wait_for()
        step_days(first, 1)
        answered = kpi(first, "answered_share", "A")
        assert clock(second) == 0.0
        second.reload()
        second.get_by_role("button", name="Step 1 day").wait_for()
        assert clock(second) == 0.0
        assert second.get_by_text("set to 3,000 for both panes").count() == 0
        assert second.get_by_text("file: A 2,000").count() == 1
        second.get_by_role("button", name="Step 1 hour").click()
        wait_for_hours(second, 1.0)
        assert clock(first) == 24.0
        assert kpi(first, "answered_share", "A") == answered
    finally:
        first.context.close()
        second.context.close()


def test_an_out_of_range_value_shows_the_schemas_message_not_a_traceback(page):
    type_lever(page, "Approval depth", "25")
    message = "structure.approval_depth = 25: must be <= 20"
    page.get_by_text(message).wait_for()
    press_reset(page)
    page.get_by_text("not reset: a lever's value is not allowed").wait_for()
    type_lever(page, "Customers", "many")
    page.get_by_text("customers.n_customers = 'many': must be a whole number").wait_for()
    text = page.locator("body").inner_text()
    assert "Traceback" not in text and "Error:" not in text
    assert clock(page) == 0.0
    type_lever(page, "Customers", "3000")  # a valid value clears the message
    page.get_by_text("customers.n_customers = 'many'").wait_for(state="hidden")
    type_lever(page, "Approval depth", "2")
    page.get_by_text(message).wait_for(state="hidden")
    press_reset(page)
    page.get_by_text("set to 3,000 for both panes").wait_for()
    page.get_by_text("not reset").wait_for(state="hidden")


def test_the_organization_threads_ensemble_and_export_tabs(page, tmp_path):
    step_days(page, 1)
    page.get_by_role("tab", name="Organization").click()
    flows = page.locator("table[data-flows]")
    expect(flows).to_have_count(2)
    moves = {t.get_attribute("data-pane"): int(t.get_attribute("data-flows")) for t in flows.all()}
    # the switchboard forwards across silos; direct dial only consults a second silo
    assert moves["A"] > moves["B"]
    page.locator('table.org[data-pane="A"] td[data-busy]').first.wait_for()

    page.get_by_role("tab", name="Threads").click()
    page.get_by_text("A: switchboard: most spread threads", exact=False).wait_for()
    first = page.locator('table.org[data-pane="A"] tr[data-thread]').first
    thread = first.get_attribute("data-thread")
    page.get_by_role("button", name=f"#{thread}", exact=True).first.click()
    page.locator(f'[data-path="{thread}"]').first.wait_for()
    assert "comms" in page.locator(f'[data-path="{thread}"]').first.inner_text()

    page.get_by_role("tab", name="Ensemble").click()
    for label, value in (("Replications R", "2"), ("Hours per run", "6"), ("Worker", "1")):
        type_lever(page, label, value)
    page.get_by_role("button", name="Run ensemble").click()
    table = page.locator("#ensemble-table")
    table.wait_for(timeout=120_000)
    assert "2 paired replications of 6 h" in page.locator("body").inner_text()
    assert table.locator('tr[data-kpi="answered_share"]').count() == 1

    page.get_by_role("tab", name="Export").click()
    with page.expect_download() as download:
        page.get_by_text("Download zip").click()
    path = tmp_path / "export.zip"
    download.value.save_as(path)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("dashboard.json"))
        assert "ensemble/summary.parquet" in archive.namelist()
    assert manifest["hours"] == 24.0
    assert manifest["ensemble"]["replications"] == 2


def test_an_ensemble_can_be_cancelled(page):
    page.get_by_role("tab", name="Ensemble").click()
    for label, value in (("Replications R", "50"), ("Hours per run", "168"), ("Worker", "1")):
        type_lever(page, label, value)
    page.get_by_role("button", name="Run ensemble").click()
    page.get_by_text("of 100 runs done").wait_for()
    page.get_by_role("button", name="Cancel").click()
    page.get_by_text("cancelled", exact=True).wait_for(timeout=60_000)
    assert page.locator("#ensemble-table").count() == 0
    expect(page.get_by_role("button", name="Run ensemble")).to_be_enabled()


def test_pane_b_as_a_after_an_intervention_switches_structure_at_its_hour(page, folder):
    page.locator(".v-select", has_text="Pane B:").click()
    page.get_by_role("option", name="A after an intervention").click()
    page.get_by_label("Switch B to").first.wait_for()
    page.get_by_text("this replaces A's own interventions in B", exact=False).wait_for()
    type_lever(page, "at hour", "0")
    page.get_by_text("switch hour '0': must be a number > 0").wait_for()
    type_lever(page, "at hour", "12")
    page.get_by_text("switch hour '0'").wait_for(state="hidden")
    wait_for_hours(page, 0.0)
    step_days(page, 1)
    marker = page.locator('#markers li[data-pane="B"]')
    expect(marker).to_have_text("B: switch to direct_dial at 12 h")
    assert marker.get_attribute("data-hours") == "12.0"
    assert kpi(page, "answered_share", "B") != kpi(page, "answered_share", "A")
    page.screenshot(path=str(folder / "after-intervention.png"), full_page=True)
    page.get_by_role("tab", name="Organization").click()  # B's name says what it runs
    expect(page.locator("body")).to_contain_text("B: switchboard + switch to direct_dial at 12 h")


def test_a_pane_override_with_a_bad_value_shows_the_schemas_message(page):
    type_lever(page, "Value (A)", "25")
    page.get_by_role("button", name="Set for A").click()
    page.get_by_text("structure.approval_depth = 25: must be <= 20").wait_for()
    assert "Traceback" not in page.locator("body").inner_text()
    type_lever(page, "Value (A)", "3")
    page.get_by_role("button", name="Set for A").click()
    page.get_by_text("own values (on Reset): approval_depth=3").wait_for()
    page.get_by_text("structure.approval_depth = 25").wait_for(state="hidden")
    press_reset(page)
    page.get_by_text("own values (applied): approval_depth=3").wait_for()
    step_days(page, 1)  # (also: the rebuild is done)
    page.get_by_role("tab", name="Organization").click()
    expect(page.locator("body")).to_contain_text("A: switchboard + structure.approval_depth=3")
    assert page.get_by_text("B: direct_dial +", exact=False).count() == 0  # B: its file's


def test_ctrl_c_stops_the_command_and_frees_the_port(chromium, tmp_path):
    with dashboard_server(tmp_path / "server.log", offline=False) as running:
        port = running.port
        code = running.stop()
        assert code == 0
        assert "dashboard stopped" in running.log_text()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # nothing listens there any more


def test_the_server_log_shows_no_outside_call(server):
    """Last in the module: after every test above, the server still reached nothing."""
    text = server.log_text()
    assert "orgsim dashboard at http://127.0.0.1:" in text
    found = [call for call in OUTSIDE_CALLS if call in text]
    assert found == [], Path(server.log).read_text()
    assert "Traceback" not in text and "samesite" not in text, text  # a quiet terminal
