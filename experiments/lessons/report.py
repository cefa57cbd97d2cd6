"""The report a trainer hands out: one self-contained HTML file, or its PDF.

The HTML has no external file and makes no request: styles are inline and the figures
are PNGs embedded as base64 ``data:`` URIs. It is laid out as printed pages (one
``<section class="page">`` each: the story, the evidence, the compared scenario's table
if any, and what to do with it), so the PDF, printed by Debian's chromium through
playwright (the browser the dashboard's tests use, never ``playwright install``), has
exactly :func:`page_count` pages.
"""

from __future__ import annotations

import base64
from html import escape
from pathlib import Path

import sim
from experiments.lessons.evidence import chapter_rows, check_promise
from experiments.lessons.figures import draw_curves, draw_promises, png_bytes
from experiments.lessons.runs import COMPARE, LESSON, WITHOUT_CHANGE, LessonResult
from experiments.lessons.story import lesson_argument, plus_minus, reproduce_command, shown_kpis
from experiments.lessons.windows import KPI_TEXT
from sim.outputs import atomic_write
from sim.scenario.lesson import ESSAYS

__all__ = ["CHROMIUM", "page_count", "report_html", "write_report"]

CHROMIUM = "/usr/bin/chromium"
"""Debian's chromium, which prints the PDF."""

_STYLE = """
@page { size: A4; margin: 12mm; }
body { font-family: sans-serif; font-size: 10.5pt; color: #222; margin: 0; }
section.page { page-break-after: always; break-after: page; }
section.page:last-child { page-break-after: auto; break-after: auto; }
h1 { font-size: 18pt; margin: 0 0 4pt; }
h2 { font-size: 12.5pt; margin: 10pt 0 4pt; }
blockquote { margin: 6pt 0; padding: 4pt 10pt; border-left: 3pt solid #4a78a8;
  color: #333; font-style: italic; }
img { width: 100%; height: auto; display: block; }
table { border-collapse: collapse; font-size: 8.5pt; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: 2pt 4pt; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.change { color: #555; font-size: 8pt; }
.holds { color: #1b6e20; } .not { color: #b3261e; }
code { font-size: 8.5pt; background: #f3f3f3; padding: 1pt 3pt; word-break: break-all; }
.small { font-size: 8.5pt; color: #555; }
@media screen { body { max-width: 60em; margin: 1.5em auto; padding: 0 1em; } }
"""


_TABLE_NOTE = (
    '<p class="small">Mean ± 95 % CI over the replications; Δ: paired change from the '
    "previous chapter, run by run; net of time: Δ minus the same change without the "
    "interventions; vs compare: paired difference from the compared scenario. Thread KPIs "
    "are over the threads opened in the chapter; credibility, sentiment and fans are at "
    "its end, “per day” their change within it.</p>"
)


def _image(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}">'


def _kpi_table(result: LessonResult, index: int) -> str:
    chapters = result.lesson.chapters
    rows = [r for r in chapter_rows(result, shown_kpis(result)) if r.scenario_index == index]
    head = "".join(
        f"<th>{escape(c.name)}<br><span class='change'>{c.start_hours:g}–{c.end_hours:g} h"
        "</span></th>"
        for c in chapters
    )
    body = []
    for kpi in shown_kpis(result):
        cells = []
        for position, chapter in enumerate(chapters):
            row = next(r for r in rows if r.kpi == kpi and r.chapter == chapter.name)
            change = (
                f"<br><span class='change'>Δ {escape(plus_minus(row.change, True))}</span>"
                if position
                else ""
            )
            if row.net_change is not None:
                net = escape(plus_minus(row.net_change, True))
                change += f"<br><span class='change'>net of time {net}</span>"
            versus = (
                "<br><span class='change'>vs compare "
                f"{escape(plus_minus(row.versus_compare, True))}</span>"
                if row.versus_compare is not None
                else ""
            )
            cells.append(f"<td>{escape(plus_minus(row.value))}{change}{versus}</td>")
        body.append(f"<tr><td>{escape(KPI_TEXT[kpi])}</td>{''.join(cells)}</tr>")
    name = escape(result.scenarios[index].name)
    return (
        f"<table data-scenario='{name}'><tr><th>KPI ({name})</th>{head}</tr>{''.join(body)}</table>"
    )


def report_html(result: LessonResult, report_name: str | None = None) -> str:
    """The whole report as one HTML document (figures embedded, nothing external).

    Parameters
    ----------
    result
        The lesson's replications.
    report_name
        The report's file name, for the reproducing command.
    """
    lesson = result.lesson
    essay = lesson.essay
    compare = result.index(COMPARE)
    runs = (
        f"{result.replications} paired replications of {result.hours:g} simulated hours, "
        f"base seed {result.seed}"
    )
    if compare is not None:
        runs += f"; compared with <b>{escape(result.scenarios[compare].name)}</b>"
    if result.index(WITHOUT_CHANGE) is not None:
        runs += "; grey: the same runs without the interventions"
    chapters = "".join(
        f"<li><b>{escape(c.name)}</b> ({c.start_hours:g}–{c.end_hours:g} h): {escape(c.text)}</li>"
        for c in lesson.chapters
    )
    interventions = "".join(
        f"<li>{i.at_hours:g} h: {escape(i.label or 'intervention')}</li>"
        for i in result.scenarios[0].interventions
    )
    promises = "".join(
        f"<li class='{'holds' if check.holds else 'not'}'>{escape(check.describe())}</li>"
        for check in (check_promise(result, p) for p in lesson.promises)
    )
    tables = [
        f"<h2>{'Lesson' if i == 0 else 'Compared scenario'}: KPIs by chapter</h2>"
        + _kpi_table(result, i)
        + _TABLE_NOTE
        for i, role in enumerate(result.roles)
        if role in (LESSON, COMPARE)
    ]
    compared = "".join(
        f'<section class="page" id="compared">{table}</section>' for table in tables[1:]
    )
    tries = "".join(
        f"<li><code>{escape(' '.join(item.set))}</code>: {escape(item.expect)}</li>"
        for item in lesson.things_to_try
    )
    curves = _image(png_bytes(draw_curves(result)), "curves with the chapters shaded")
    bars = _image(png_bytes(draw_promises(result)), "promised KPIs by chapter")
    command = escape(reproduce_command(result, report_name))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(lesson.title)}</title>
<style>{_STYLE}</style></head><body>
<section class="page" id="story">
<h1>{escape(lesson.title)}</h1>
<p>{escape(lesson.summary)}</p>
<blockquote>“{escape(essay.quote)}”<br><span class="small">essay {essay.number},
{escape(ESSAYS[essay.number])}</span></blockquote>
<p class="small">{runs}. orgsim {sim.__version__}.</p>
{curves}
<h2>Chapters</h2><ul>{chapters}</ul>
<p class="small">Interventions (dashed lines):</p><ul class="small">{interventions}</ul>
</section>
<section class="page" id="evidence">
<h2>What the lesson promises</h2><ul>{promises}</ul>
{bars}
{tables[0]}
</section>
{compared}
<section class="page" id="use">
<h2>What to notice</h2><p>{escape(lesson.what_to_notice)}</p>
<h2>Things to try</h2><ul>{tries}</ul>
<p class="small">Each runs as <code>orgsim demo {escape(lesson_argument(result))}
--set KEY=VALUE</code>, or in the dashboard's story mode.</p>
<h2>Reproduce</h2><p><code id="command">{command}</code></p>
<p class="small">Replication k runs on SeedSequence({result.seed}).spawn({result.replications})[k]
for every scenario of the lesson alike.</p>
</section>
</body></html>
"""


def page_count(html: str) -> int:
    """Pages of the printed report: one per ``<section class="page">``."""
    return html.count('<section class="page"')


def _print_pdf(html: str, target: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.route("**/*", lambda route: route.abort())  # nothing may come from outside
            page.set_content(html, wait_until="load")
            page.pdf(path=str(target), format="A4", print_background=True)
        finally:
            browser.close()


def pdf_problem() -> str | None:
    """Why a PDF cannot be printed here (``None`` when it can)."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "--report *.pdf needs playwright: pip install playwright (no browser download)"
    if not Path(CHROMIUM).exists():
        return f"--report *.pdf needs {CHROMIUM}: apt-get install chromium"
    return None


def write_report(result: LessonResult, path: Path) -> Path:
    """Write the report to ``path`` atomically: HTML for ``.html``, PDF for ``.pdf``."""
    html = report_html(result, path.name)
    if path.suffix.lower() == ".pdf":
        return atomic_write(path, lambda tmp: _print_pdf(html, tmp))
    return atomic_write(path, lambda tmp: tmp.write_text(html, encoding="utf-8"))
