"""Writers that keep everything: SPSS/Stata files with every label, workbooks whose numbers
are numbers, SVG figures with real text, and a codebook that fits the survey.

Each test reproduces a defect found by reading the outputs as a user would (issues 12 and
14) and checks the output file itself (pyreadstat, openpyxl, an XML parser), not the code
that wrote it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"


# ---------------------------------------------------------------------------
# SVG figures: labels as <text>, not glyph outlines


def _svg_texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(el.itertext()).strip() for el in root.iter(f"{SVG}text")]


def test_svg_figure_holds_its_labels_as_text(tmp_path):
    from survey_kit.report.figures import bar_figure, save_figure

    tidy = pd.DataFrame({"level": ["Uses cloud services", "Does not"],
                         "group": ["Total", "Total"], "pct": [62.0, 38.0],
                         "ci_low": [55.1, 31.2], "ci_high": [68.4, 44.9]})
    fig = bar_figure(tidy, title="Cloud use among firms", caption="Base: all firms (n = 200)",
                     name="cloud")
    _, path = save_figure(fig, tmp_path)
    svg = path.read_text(encoding="utf-8")
    texts = _svg_texts(svg)
    for label in ("Uses cloud services", "Does not", "Cloud use among firms",
                  "Base: all firms (n = 200)", "62%", "38%"):
        assert label in texts, (label, texts)
    # no glyph outlines: matplotlib names them after the font ("DejaVuSans-43")
    assert not re.search(r'id="DejaVuSans-', svg)


def test_japanese_svg_figure_holds_its_labels_as_text():
    from survey_kit.report.figures import bar_figure

    tidy = pd.DataFrame({"level": ["製造業", "デジタルサービス"], "group": ["全体", "全体"],
                         "pct": [40.0, 60.0], "ci_low": [35.0, 55.0], "ci_high": [45.0, 65.0]})
    fig = bar_figure(tidy, title="業種別の割合", caption="基数：全企業", lang="ja")
    texts = _svg_texts(fig.svg)
    assert "製造業" in texts and "業種別の割合" in texts
    assert "IPAexGothic" in fig.svg       # the font is named for the viewer
