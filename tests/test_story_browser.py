"""Story mode in a real browser (Debian's chromium through playwright), offline.

One ``orgsim dashboard`` server for the module, with a small world (the harness of
``tests/dashboard_browser.py``); each test opens its own session. Without chromium the
tests skip with a hint, except on CI (``CI=true``), where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from dashboard_browser import (
    Server,
    clock,
    dashboard_server,
    launch_browser,
    open_page,
    require_chromium,
    step_days,
    type_lever,
    wait_for_hours,
)

LESSON = "Tear down the switchboard"


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Server]:
    require_chromium("story mode's browser tests")
    with dashboard_server(tmp_path_factory.mktemp("story") / "server.log") as running:
        yield running


@pytest.fixture(scope="module")
def browser(server, tmp_path_factory) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = launch_browser(playwright, server, tmp_path_factory.mktemp("browser"))
        yield launched
        launched.close()


@pytest.fixture
def page(browser, server):
    blocked: list[str] = []
    opened = open_page(browser, server.url, blocked)
    yield opened
    assert blocked == []  # story mode asks for nothing outside this machine either
    opened.context.close()


def choose_lesson(page, title: str) -> None:
    page.locator(".v-select", has_text="Lessons (story mode)").click()
    page.get_by_role("option", name=title).click()
    page.locator("#story-intro", has_text=title).wait_for(timeout=60_000)
    wait_for_hours(page, 0.0)


def callout(page) -> str:
    return page.locator("#story-callout").inner_text()


def test_choosing_a_lesson_loads_its_panes_and_shows_its_first_callout(page):
    choose_lesson(page, LESSON)
    intro = page.locator("#story-intro").inner_text()
    assert "Replacing the old telephone switchboard" in intro  # the essay's quote
    assert "essay 003" in intro
    assert "Chapter 1: switchboard" in callout(page)
    assert "next, at 72 h: Chapter 2: the change" in callout(page)
    pane_a = page.locator(".v-select", has_text="Pane A").inner_text()
    assert "tear_down_the_switchboard" in pane_a
    assert page.locator("#story-off-script").count() == 0


def test_playing_past_an_intervention_shows_the_next_callout(page, tmp_path):
    choose_lesson(page, LESSON)
    step_days(page, 3)  # to hour 72: the intervention fires with the next tick
    page.get_by_role("button", name="Step 1 hour").click()
    wait_for_hours(page, 73.0)
    page.locator("#story-callout", has_text="tear down the switchboard").wait_for()
    text = callout(page)
    assert "Chapter 2: the change" in text
    assert "What changed: structure.kind → coached_direct_dial" in text
    assert "Watch: Answers within 24 hours" in text
    assert page.locator("#markers li", has_text="tear down the switchboard").count() >= 1
    page.screenshot(path=str(Path(os.environ.get("STORY_SHOT", tmp_path / "s.png"))))


def test_moving_a_lever_leaves_the_script_and_the_way_back_returns(page):
    choose_lesson(page, LESSON)
    step_days(page, 1)
    type_lever(page, "Approval depth", "3")
    notice = page.locator("#story-off-script")
    notice.wait_for()
    assert "You have left the script" in notice.inner_text()
    assert "structure.approval_depth" in notice.inner_text()
    page.get_by_role("button", name="Back to the script").click()
    notice.wait_for(state="hidden")
    wait_for_hours(page, 0.0)
    assert "Chapter 1: switchboard" in callout(page)
    assert clock(page) == 0.0


def test_a_lesson_with_a_compare_scenario_loads_it_into_pane_b(page):
    choose_lesson(page, "A crisis day: switchboard or coached direct dial")
    pane_b = page.locator(".v-select", has_text="Pane B").inner_text()
    assert "crisis_day_switchboard" in pane_b
    assert (
        "B: crisis_day_switchboard, the compared scenario"
        in page.locator("#story-intro").inner_text()
    )
