"""The dashboard rendered from the demo warehouse and loaded in real headless Chromium."""

from __future__ import annotations

import struct
from pathlib import Path

import lxml.html
import pytest

from pipelines.dashboard import (
    CHARTED_MEASURES,
    MEASURE_BY_NAME,
    PNG_SIGNATURE,
    format_value,
    render_screenshot,
    write_dashboard,
)
from pipelines.warehouse import query
from tests.dashboard.chromium import load_in_chromium
from tests.dashboard.conftest import DemoWarehouse, add_contract_marts, copy_warehouse


def _charts(dom: lxml.html.HtmlElement, section: str) -> list[lxml.html.HtmlElement]:
    return dom.xpath(f'//section[@id="{section}"]//*[local-name()="svg" and contains(@class, "chart")]')


def _assert_every_chart_has_marks(dom: lxml.html.HtmlElement) -> int:
    charts = dom.xpath('//*[local-name()="svg" and contains(@class, "chart")]')
    assert charts, "no chart on the page"
    for chart in charts:
        shapes = chart.xpath('.//*[local-name()="rect" or local-name()="path"]')
        marks = chart.xpath('.//*[contains(concat(" ", @class, " "), " mark ")]')
        assert shapes and marks, f"empty chart: {chart.get('aria-label')}"
    return len(charts)


def _loaded(html_path: Path, chromium: str) -> lxml.html.HtmlElement:
    page = load_in_chromium(html_path, chromium)
    assert page.console == [], f"console output: {page.console}"
    assert "<svg" in page.dom, "Chromium returned no rendered DOM"
    return lxml.html.fromstring(page.dom)


@pytest.fixture(scope="module")
def demo_page(
    chromium: str, demo_warehouse: DemoWarehouse, tmp_path_factory: pytest.TempPathFactory
) -> lxml.html.HtmlElement:
    result = write_dashboard(demo_warehouse.paths, tmp_path_factory.mktemp("dash") / "index.html")
    return _loaded(result.html_path, chromium)


def test_the_demo_dashboard_renders_offline_without_console_output(demo_page: lxml.html.HtmlElement) -> None:
    n_charts = _assert_every_chart_has_marks(demo_page)
    assert len(_charts(demo_page, "yoy")) >= len(CHARTED_MEASURES) * 10
    assert n_charts >= len(CHARTED_MEASURES) * 10 + 1  # + the findings chart
    # offline: nothing on the page refers to another resource (the CSP would also block and log it)
    assert not demo_page.xpath("//*[@src] | //link[@href] | //*[starts-with(@href, 'http')]")


def test_yoy_cards_show_the_warehouse_values(
    demo_warehouse: DemoWarehouse, demo_page: lxml.html.HtmlElement
) -> None:
    _, rows = query(
        demo_warehouse.paths,
        "select agency_name, arg_max(applications_new, year) from agency_year "
        "where applications_new is not null group by agency_name",
    )
    panel = demo_page.xpath('//section[@id="yoy"]//div[@data-measure="applications_new"]')[0]
    shown = {
        card.get("data-agency-card"): card.xpath('.//span[@class="big"]')[0].text_content()
        for card in panel.xpath('.//div[@class="card"]')
    }
    assert shown == {agency: format_value(value) for agency, value in rows}


def test_the_missing_year_is_a_gap_not_a_zero(
    demo_warehouse: DemoWarehouse, demo_page: lxml.html.HtmlElement
) -> None:
    missing = demo_warehouse.planted["missing"][0]
    label = f"{missing['agency']} {MEASURE_BY_NAME['applications_new'].label}"
    chart = demo_page.xpath(f'//*[local-name()="svg" and @aria-label="{label}"]')[0]
    assert not chart.xpath(f'.//*[@data-year="{missing["year"]}"]')
    gaps = chart.xpath('.//*[local-name()="rect" and @class="gap"]/*[local-name()="title"]/text()')
    assert any(text.startswith(f"{missing['year']}:") for text in gaps)


def test_findings_per_agency_match_the_warehouse(
    demo_warehouse: DemoWarehouse, demo_page: lxml.html.HtmlElement
) -> None:
    _, rows = query(demo_warehouse.paths, "select count(*) from findings")
    assert rows[0][0] > 0, "the demo corpus plants findings"
    listed = demo_page.xpath('//section[@id="findings"]//table[@class="findings"]/tbody/tr')
    assert len(listed) == rows[0][0]
    assert len(_charts(demo_page, "findings")) == 1


@pytest.mark.parametrize("section", ["rankings", "coverage"])
def test_demo_marts_render_when_the_warehouse_has_them(
    demo_warehouse: DemoWarehouse, demo_page: lxml.html.HtmlElement, section: str
) -> None:
    if section not in demo_warehouse.tables():
        pytest.skip(
            f"the demo warehouse has no `{section}` mart yet; test_contract_marts_render covers the section"
        )
    assert demo_page.xpath(f'//section[@id="{section}"]/@data-available') == ["true"]
    assert _charts(demo_page, section)
    if section == "coverage":
        missing = demo_warehouse.planted["missing"][0]
        cells = demo_page.xpath(
            f'//section[@id="coverage"]//*[@data-status="missing" and @data-agency="{missing["agency"]}" '
            f'and @data-year="{missing["year"]}"]'
        )
        assert len(cells) == 1


def test_contract_marts_render(chromium: str, demo_warehouse: DemoWarehouse, tmp_path: Path) -> None:
    warehouse = copy_warehouse(demo_warehouse, tmp_path)
    add_contract_marts(warehouse, [m.name for m in CHARTED_MEASURES])
    page = _loaded(write_dashboard(warehouse.paths).html_path, chromium)
    _assert_every_chart_has_marks(page)
    missing = warehouse.planted["missing"][0]
    cells = page.xpath('//section[@id="coverage"]//*[local-name()="rect" and @data-status="missing"]')
    assert [(c.get("data-agency"), c.get("data-year")) for c in cells] == [
        (missing["agency"], str(missing["year"]))
    ]
    _, peer_groups = query(warehouse.paths, "select count(distinct (measure, peer_group)) from rankings")
    assert len(_charts(page, "rankings")) == peer_groups[0][0]


def test_a_section_without_its_mart_says_not_available(demo_warehouse: DemoWarehouse, tmp_path: Path) -> None:
    import duckdb

    warehouse = copy_warehouse(demo_warehouse, tmp_path)
    con = duckdb.connect(str(warehouse.paths.warehouse_file))
    con.execute("drop table if exists rankings; drop table if exists coverage; drop table agency_yoy")
    con.close()
    result = write_dashboard(warehouse.paths)
    assert result.sections == {
        "overview": True,
        "yoy": False,
        "rankings": False,
        "coverage": False,
        "findings": True,
    }
    page = lxml.html.fromstring(result.html_path.read_text(encoding="utf-8"))
    for section in ("yoy", "rankings", "coverage"):
        assert page.xpath(f'//section[@id="{section}"]/@data-available') == ["false"]
        assert page.xpath(f'//section[@id="{section}"]//*[@data-section-unavailable="{section}"]')
    assert _charts(page, "findings")


def test_the_harness_catches_console_errors(chromium: str, tmp_path: Path) -> None:
    broken = tmp_path / "broken.html"
    broken.write_text("<!doctype html><script>notDefinedAnywhere();</script>", encoding="utf-8")
    page = load_in_chromium(broken, chromium)
    assert any("notDefinedAnywhere" in message for message in page.console)


def test_screenshot_is_a_real_png(chromium: str, demo_warehouse: DemoWarehouse, tmp_path: Path) -> None:
    html_path = write_dashboard(demo_warehouse.paths, tmp_path / "index.html").html_path
    png = render_screenshot(html_path, tmp_path / "shot" / "screenshot.png", chromium=chromium)
    data = png.read_bytes()
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])  # IHDR
    assert (width, height) == (1400, 2400)
    # a blank 1400×2400 page compresses to a few kB; charts and CJK text make it far larger
    assert len(data) > 100_000
    print(f"dashboard screenshot: {png}")
