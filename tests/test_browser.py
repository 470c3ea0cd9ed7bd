"""The HTML appendix in a real browser: headless Chromium, driven over the DevTools pipe.

For the bundled firm survey, in English and Japanese: the page loads with no
console error and asks for nothing over the network (figures are inline data);
laid out for print at the printable width of an A4 page (the narrower of A4 and
Letter: 210 mm less the page's 12 mm margins) every table fits the page; it
prints to PDF on A4 and Letter; and a screenshot and the PDFs are written to
``build/browser/`` for a reader to look at.

Skipped when no Chromium is installed (``.ci/run`` installs Debian's package).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from chromium import Browser, find_chromium

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "build" / "browser"
CHROMIUM = find_chromium()

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed "
                                "(apt-get install chromium; .ci/run does)")

#: the printable width of an A4 page with the page's 12 mm margins, in CSS pixels
A4_PRINTABLE_PX = int((210 - 2 * 12) / 25.4 * 96)

_MEASURE = """
(() => {
  const page = document.documentElement.clientWidth;
  const out = [];
  for (const t of document.querySelectorAll('table')) {
    const box = t.getBoundingClientRect();
    const head = t.previousElementSibling;
    const name = (t.caption && t.caption.textContent) ||
                 (head && head.tagName === 'H3' ? head.textContent : t.className);
    out.push({name: name.slice(0, 60), right: box.right, width: t.scrollWidth});
  }
  const wide = [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > page + 0.5)
    .map(e => e.tagName + '.' + e.className).slice(0, 5);
  return {page: page, scroll: document.documentElement.scrollWidth, tables: out, wide: wide,
          nav: getComputedStyle(document.querySelector('nav')).display};
})()
"""


@pytest.fixture(scope="module", params=["en", "ja"])
def page(request, tmp_path_factory):
    from survey_kit.report.outputs import run_report

    lang = request.param
    out = tmp_path_factory.mktemp(f"browser_{lang}")
    run_report(ROOT / "questionnaires" / "japan_digital_services_2024.yaml",
               ROOT / "sample_data" / "japan_digital_services_2024_raw.csv",
               out=out, lang=lang, formats=("html",), data=False)
    html = out / "japan_digital_services_2024" / "appendix.html"
    browser = Browser(CHROMIUM)
    try:
        browser.open(html)
        yield lang, html, browser
    finally:
        browser.close()


def test_no_console_errors_and_no_network(page):
    _, html, browser = page
    assert browser.errors() == []
    asked = browser.requests()
    assert html.resolve().as_uri() in asked                      # the page itself
    outside = [u for u in asked if u != html.resolve().as_uri() and not u.startswith("data:")]
    assert outside == []


def test_every_table_fits_an_a4_or_letter_page_in_print(page):
    lang, _, browser = page
    browser.emulate(A4_PRINTABLE_PX, media="print")
    m = browser.evaluate(_MEASURE)
    assert m["nav"] == "none"                       # the print rules are what is laid out
    assert m["page"] == A4_PRINTABLE_PX
    too_wide = [(t["name"], round(t["right"]), t["width"]) for t in m["tables"]
                if t["right"] > m["page"] + 0.5 or t["width"] > m["page"] + 0.5]
    assert too_wide == [], f"{lang}: tables wider than the page ({m['page']} px): {too_wide}"
    assert m["scroll"] <= m["page"] and m["wide"] == []
    assert len(m["tables"]) >= 15
    SHOTS.mkdir(parents=True, exist_ok=True)
    for paper, size in (("a4", (8.27, 11.69)), ("letter", (8.5, 11.0))):
        pdf = browser.pdf(*size)
        assert pdf[:5] == b"%PDF-" and len(pdf) > 50_000
        (SHOTS / f"appendix_{lang}_{paper}.pdf").write_bytes(pdf)


def test_screenshot_for_the_reader(page):
    lang, _, browser = page
    png = browser.screenshot(1100, 2400)
    assert png[:4] == b"\x89PNG"
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / f"appendix_{lang}.png").write_bytes(png)
