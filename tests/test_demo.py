"""``orgsim demo`` end to end on a small world (issue 18): the list, the chapter-by-chapter
story on the terminal, the self-contained HTML report in a real browser with every
outside request aborted, and the PDF printed by that browser.

The browser parts skip without chromium (with a hint), except on CI (``CI=true``).
"""

from __future__ import annotations

import base64
import contextlib
import io
import re
from pathlib import Path

import pytest
from dashboard_browser import require_chromium
from PIL import Image

from experiments.lessons.figures import DPI
from experiments.lessons.report import page_count
from experiments.lessons.runs import LESSONS_DIR, library
from sim.cli import main
from sim.scenario import load_scenario

LESSON = "tear_down_the_switchboard"
SMALL = ["--set", "customers.n_customers=1500", "--set", "organization.n_employees=40"]
RUN = [LESSON, "--replications", "3", "--seed", "5", "--workers", "1", *SMALL]
FIGURES = {"curves with the chapters shaded": (11 * DPI, 7 * DPI)}
"""Every figure of a report by its alt text, with its size in pixels (the promises'
bar chart is checked by its width: its height follows its figure size too)."""


def cli(capsys, *args: str | Path) -> tuple[int, str, str]:
    code = main(["demo", *map(str, args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(scope="module")
def chromium() -> None:
    require_chromium("the report's browser tests")


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> tuple[str, Path]:
    """One demo run with an HTML report: (terminal output, report)."""
    report = tmp_path_factory.mktemp("demo") / "report.html"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["demo", *RUN, "--report", str(report)])
    assert code == 0
    return out.getvalue(), report


def test_demo_lists_every_lesson_with_its_title(capsys) -> None:
    code, out, _ = cli(capsys)
    assert code == 0
    for path in library():
        lesson = load_scenario(path).lesson
        assert path.stem in out and lesson.title in out


def test_the_terminal_tells_every_chapter_with_paired_cis(story) -> None:
    out, _ = story
    words = " ".join(out.split())  # (the console wraps long lines at 120 columns)
    lesson = load_scenario(LESSONS_DIR / f"{LESSON}.toml").lesson
    for number, chapter in enumerate(lesson.chapters, start=1):
        assert f"Chapter {number}: {chapter.name}" in out
        assert chapter.text in words
    assert "change from previous chapter" in out and "net of time" in out
    assert re.search(r"answered share\s+\S+ ± \S+\s+[+-]\S+ ± \S+", out)  # value and change
    assert "What the lesson promises" in out and "one-sided p =" in out
    assert "Things to try" in out and "--set organization.training=0.8" in out
    assert f"orgsim demo {LESSON} --replications 3 --seed 5" in words


def test_the_html_report_is_one_file_with_embedded_figures(story) -> None:
    _, report = story
    html = report.read_text(encoding="utf-8")
    assert [p.name for p in report.parent.iterdir()] == ["report.html"]  # nothing beside it
    assert not re.search(r"""(src|href)=["'](?!data:)""", html)  # no file, no URL
    text = re.sub(r"""data:[^"')\s]+""", "", html)  # (base64 may spell "http" by chance)
    assert "http" not in text.replace("http-equiv", "")
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,([^"]+)">', html)
    assert len(images) == 2
    for alt, data in images:
        with Image.open(io.BytesIO(base64.b64decode(data))) as image:
            image.load()  # decodes
            if alt in FIGURES:
                assert image.size == FIGURES[alt]
            assert image.width == 11 * DPI
    assert "Tear down the switchboard" in html and "essay 003" in html
    assert "--replications 3 --seed 5" in html


def test_the_html_report_loads_offline_in_chromium(chromium, story) -> None:
    from playwright.sync_api import sync_playwright

    _, report = story
    outside: list[str] = []

    def route(request_route) -> None:
        url = request_route.request.url
        if url == report.as_uri() or url.startswith("data:"):
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.route("**/*", route)
            page.goto(report.as_uri(), wait_until="load")
            sizes = page.eval_on_selector_all(
                "img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight, e.alt])"
            )
            title = page.title()
        finally:
            browser.close()
    assert outside == []
    assert title == "Tear down the switchboard"
    assert len(sizes) == 2
    for complete, width, height, alt in sizes:
        assert complete and width == 11 * DPI and height > 0
        if alt in FIGURES:
            assert (width, height) == FIGURES[alt]


def test_the_pdf_report_has_its_pages_and_title(chromium, story, tmp_path, capsys) -> None:
    from pypdf import PdfReader

    _, html_report = story
    pdf = tmp_path / "report.pdf"
    code, _, err = cli(capsys, *RUN, "--report", pdf)
    assert code == 0, err
    reader = PdfReader(pdf)
    assert len(reader.pages) == page_count(html_report.read_text(encoding="utf-8")) == 3
    assert "Tear down the switchboard" in reader.pages[0].extract_text()
    assert [p.name for p in tmp_path.iterdir()] == ["report.pdf"]  # written atomically


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["no_such_lesson"], "lesson 'no_such_lesson': not a file nor a lesson; lessons are"),
        ([LESSON, "--set", "culture.spin=2"], "culture.spin = 2: must be <= 1"),
        ([LESSON, "--report", "out.txt"], "--report out.txt: must end in .html or .pdf"),
        ([LESSON, "--report", "/no/such/dir/r.html"], "is not a writable directory"),
        ([LESSON, "-r", "1"], "--replications 1: must be >= 2"),
        (["scenarios/switchboard.toml"], "lesson: no [lesson] table; this is not a lesson"),
    ],
    ids=["unknown", "bad-set", "report-kind", "report-dir", "one-replication", "not-a-lesson"],
)
def test_bad_input_is_exit_2_with_one_line(capsys, args, expected) -> None:
    code, out, err = cli(capsys, *args)
    assert code == 2
    assert expected in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert out == ""
