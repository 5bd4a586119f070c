"""The supervision dashboard in a real browser: its charts are drawn from the numbers of the
hand-computed fixture of tests/test_stats.py, and the BPMN heatmap colours the steps that
have open work. The screens' clock is fixed at the fixture's "now"."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from support.statistics import NOW, build_fixture

from app.supervision.web import dashboard

pytestmark = pytest.mark.browser

# Fill colours of the heat levels (app.css) and of an uncoloured task.
LEVEL_4, LEVEL_0, WHITE = "rgb(255, 107, 107)", "rgb(255, 243, 191)", "rgb(255, 255, 255)"


@pytest.fixture
def fixture(app, make_user, monkeypatch):
    monkeypatch.setattr(dashboard, "utcnow", lambda: NOW)
    return build_fixture(app, make_user)


def bars(page, chart):
    return page.locator(f"svg[data-chart={chart}] rect.bar")


def bar_values(page, chart):
    return [float(v) for v in bars(page, chart).evaluate_all("rects => rects.map(r => r.dataset.value)")]


def task_fill(page, bpmn_id):
    shape = page.locator(f"#heatmap [data-element-id={bpmn_id}] .djs-visual > :first-child")
    return shape.evaluate("shape => getComputedStyle(shape).fill")


@pytest.mark.slow
def test_the_dashboard_draws_its_charts_and_heatmap(browse, fixture):
    page = browse("pengawas1").page
    page.get_by_role("button", name="Pengawasan").click()
    page.get_by_role("link", name="Dasbor", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Dasbor Pengawasan · November 2026"))

    # Publications per month: a bar for each of twelve months, the numbers of the table beside it.
    expect(page.get_by_role("img", name="Publikasi per bulan")).to_be_visible()
    expect(bars(page, "chart-months")).to_have_count(12)
    table = page.locator("table[data-table=months] tbody td").all_inner_texts()
    assert bar_values(page, "chart-months") == [float(v) for v in table]
    assert bar_values(page, "chart-months")[-2:] == [1, 3]  # October, November
    november = bars(page, "chart-months").last.bounding_box()
    october = bars(page, "chart-months").nth(10).bounding_box()
    assert november["height"] == pytest.approx(3 * october["height"], rel=0.02) and october["height"] > 10

    # On-time rates: the whole service, then each of the six steps that completed work.
    expect(bars(page, "chart-on-time")).to_have_count(7)
    assert bar_values(page, "chart-on-time") == pytest.approx([200 / 3, 80, 100, 75, 100, 100, 100])
    widths = [bars(page, "chart-on-time").nth(n).bounding_box()["width"] for n in (1, 2)]
    assert widths[0] == pytest.approx(0.8 * widths[1], rel=0.02)  # 80% against 100%

    # Durations: median and 90th percentile per step, with the standard marked.
    expect(bars(page, "chart-duration")).to_have_count(12)
    assert bar_values(page, "chart-duration") == [1, 40, 0.75, 1, 1, 6.5, 1, 1, 1, 2.5, 2, 5]
    expect(page.locator("svg[data-chart=chart-duration] line.standard")).to_have_count(6)

    # Publications per OPD.
    expect(bars(page, "chart-opd")).to_have_count(2)
    assert bar_values(page, "chart-opd") == [2, 1]
    expect(page.locator("table[data-table=opd] tbody tr")).to_have_count(2)

    # Every chart names itself for assistive technology.
    for chart in ("chart-on-time", "chart-duration", "chart-months", "chart-opd"):
        svg = page.locator(f"svg[data-chart={chart}]")
        expect(svg).to_have_attribute("role", "img")
        expect(svg.locator("> title")).to_have_count(1)

    # The heatmap: the BPMN drawn, each user task coloured by how long its open work waits.
    heatmap = page.locator("#heatmap")
    expect(heatmap).to_have_attribute("data-rendered", "true")
    expect(heatmap.locator("[data-element-id=ambil_data]")).to_have_attribute("data-heat-level", "4")  # 19 h
    expect(heatmap.locator("[data-element-id=tentukan_data]")).to_have_attribute("data-heat-level", "4")  # 28 h
    expect(heatmap.locator("[data-element-id=desain]")).to_have_attribute("data-heat-level", "0")  # 1 h
    expect(heatmap.locator("[data-element-id=caption]")).to_have_attribute("data-heat-level", "none")
    assert task_fill(page, "ambil_data") == LEVEL_4
    assert task_fill(page, "desain") == LEVEL_0
    assert task_fill(page, "caption") == WHITE
    expect(page.locator("table[data-table=waiting] tr[data-step=tentukan_data]")).to_contain_text("28 jam")

    # Another month through the selector: October, as it stood when it ended.
    page.get_by_label("Bulan", exact=True).fill("2026-10")
    page.get_by_role("button", name="Tampilkan").click()
    expect(page).to_have_url(re.compile(r"period=2026-10"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Oktober 2026"))
    expect(bars(page, "chart-months")).to_have_count(12)
    expect(bars(page, "chart-on-time")).to_have_count(7)
    assert bar_values(page, "chart-on-time") == [100] * 7
    expect(bars(page, "chart-opd")).to_have_count(1)
    expect(page.locator("#heatmap")).to_have_attribute("data-rendered", "true")
    expect(page.locator("#heatmap [data-heat-level=none]")).to_have_count(6)  # nothing was open then
