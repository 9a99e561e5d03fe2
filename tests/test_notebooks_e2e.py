"""The quickstart in a real browser: JupyterLab Run All, a moved stop, and Voilà.

Only a browser shows that the widgets really render: the map with its PNG
overlay and legend, and the stop sliders whose changes go to the kernel and
come back as a new overlay. Run with ``pytest -m e2e tests/test_notebooks_e2e.py``;
the tests need Debian's chromium and Playwright, and skip without chromium.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

# Importing the fixtures registers them for this module; the test arguments
# of the same names are those fixtures, not redefinitions.
from e2e_fixtures import browser, e2e_home, lab_server, page, voila_server  # noqa: F401

pytestmark = pytest.mark.e2e

LEGEND = ".leaflet-control-legend"
OVERLAY = "img.leaflet-image-layer"
STOP_ROW = ".rampkit-stop-row"


def _overlay_src(tab: Any) -> str:
    return str(tab.locator(OVERLAY).first.get_attribute("src"))


def _legend_html(tab: Any) -> str:
    return str(tab.locator(LEGEND).first.inner_html())


def _move_stop_with_keyboard(tab: Any, index: int, presses: int) -> None:
    handle = tab.locator(f"{STOP_ROW} .noUi-handle").nth(index)
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(presses):
        handle.press("ArrowRight")


def _assert_widgets_rendered(tab: Any) -> None:
    # Widgets in other outputs may still be loading on a slow machine, and the
    # overlay may still be decoding: wait for both before reading the page.
    tab.wait_for_function(
        "() => !document.body.innerText.includes('Loading widget')", timeout=30_000
    )
    tab.wait_for_function(
        "selector => { const img = document.querySelector(selector);"
        " return img && img.complete && img.naturalWidth > 0; }",
        arg=OVERLAY, timeout=30_000,
    )
    assert tab.locator("text=Error displaying widget").count() == 0
    assert tab.locator("text=Traceback").count() == 0
    # No basemap: the map requests no tiles.
    assert tab.locator(".leaflet-tile").count() == 0
    image = tab.locator(OVERLAY).first.evaluate(
        "img => ({width: img.naturalWidth, height: img.naturalHeight})"
    )
    assert image["width"] > 100
    assert image["height"] > 100
    assert _overlay_src(tab).startswith("data:image/png;base64,")


def _assert_map_fits_field(tab: Any) -> None:
    # The field fills most of the 420 px map; a map that fitted before it had
    # a size shows it a few pixels tall. The fit may still be animating, so
    # wait for the height before measuring it.
    tab.wait_for_function(
        "selector => (document.querySelector(selector)?.getBoundingClientRect().height"
        " || 0) >= 100",
        arg=OVERLAY, timeout=30_000,
    )
    box = tab.locator(OVERLAY).first.bounding_box()
    assert box is not None
    assert box["height"] >= 100


def _assert_stop_moves_map(tab: Any) -> None:
    src, legend = _overlay_src(tab), _legend_html(tab)
    text_box = tab.locator(f"{STOP_ROW} input[type=number]").nth(2)
    position = float(text_box.input_value())
    # 20 presses of 0.1 % each: the kernel moves the stop and sends back the
    # new position, overlay and legend.
    _move_stop_with_keyboard(tab, 2, 20)
    tab.wait_for_function(
        "([selector, old]) => document.querySelector(selector)?.getAttribute('src') !== old",
        arg=[OVERLAY, src], timeout=30_000,
    )
    tab.wait_for_function(
        "([selector, old]) => document.querySelector(selector)?.innerHTML !== old",
        arg=[LEGEND, legend], timeout=30_000,
    )
    # Every press is one round trip; wait for the last one to come back.
    tab.wait_for_function(
        "([selector, target]) => "
        "Math.abs(parseFloat(document.querySelectorAll(selector)[2].value) - target) < 0.05",
        arg=[f"{STOP_ROW} input[type=number]", position + 2.0], timeout=30_000,
    )
    assert float(text_box.input_value()) == pytest.approx(position + 2.0, abs=0.05)


def test_quickstart_in_jupyterlab(lab_server: tuple[str, str], page: Any) -> None:  # noqa: F811
    base, token = lab_server
    page.goto(f"{base}/lab/tree/notebooks/01_quickstart.ipynb?token={token}", timeout=60_000)
    page.wait_for_selector(".jp-NotebookPanel .jp-Cell", timeout=60_000)
    # "Run All Cells" before the kernel is connected runs nothing, silently.
    page.wait_for_function(
        "() => /ipykernel\\)\\s*\\|?\\s*Idle/"
        ".test(document.querySelector('#jp-main-statusbar')?.innerText || '')",
        timeout=60_000,
    )
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile("^Run All Cells")).click()

    # The last cell prints the legend title after its asserts pass.
    page.wait_for_selector("text=dryVolumePerArea (bu/ac) |", timeout=120_000)
    page.wait_for_selector(f"{LEGEND} >> text=dryVolumePerArea (bu/ac)", timeout=30_000)
    _assert_widgets_rendered(page)

    _assert_map_fits_field(page)
    _assert_stop_moves_map(page)
    page.locator(".leaflet-container").first.scroll_into_view_if_needed()
    _assert_map_fits_field(page)
    assert page.errors == []


def test_quickstart_as_voila_app(voila_server: str, page: Any) -> None:  # noqa: F811
    # Voilà streams the page while it runs the notebook, so the load event
    # comes only after every cell; the selector waits below cover readiness.
    page.goto(voila_server + "/", wait_until="commit", timeout=120_000)
    page.wait_for_selector(f"{LEGEND} >> text=dryVolumePerArea (bu/ac)", timeout=120_000)
    page.wait_for_selector("text=dryVolumePerArea (bu/ac) |", timeout=30_000)
    _assert_widgets_rendered(page)
    _assert_map_fits_field(page)
    _assert_stop_moves_map(page)
    # The stop moves take several round trips to the kernel, so any later
    # change of the view has arrived by now.
    _assert_map_fits_field(page)
    assert page.errors == []
