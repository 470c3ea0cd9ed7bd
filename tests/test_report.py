"""End-to-end tests of ``survey-kit report`` and ``survey-kit appendix``.

The whole report runs once per module, through the command line with no
arguments (the bundled sample, both surveys), into a temporary folder; the
tests read what it wrote. A second, smaller run (the creators survey) checks
that re-running gives byte-identical tables and figures.
"""

from __future__ import annotations

import contextlib
import io
import re
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import survey_kit as sk
from survey_kit.cli import main
from survey_kit.errors import ReportError, UsageError

ROOT = Path(__file__).resolve().parents[1]
SURVEYS = ("japan_digital_services_2024", "japan_creators_2024")
CREATORS_YAML = ROOT / "questionnaires" / "japan_creators_2024.yaml"
CREATORS_RAW = ROOT / "sample_data" / "japan_creators_2024_raw.csv"


@pytest.fixture(scope="module")
def report(tmp_path_factory, monkeypatch_module):
    """Run ``survey-kit report`` with no arguments (from another working directory)."""
    out = tmp_path_factory.mktemp("report") / "out"
    monkeypatch_module.chdir(tmp_path_factory.mktemp("cwd"))
    stdout, stderr = io.StringIO(), io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["report", "--out", str(out)])
    return {"out": out, "code": code, "stdout": stdout.getvalue(),
            "stderr": stderr.getvalue(), "seconds": time.perf_counter() - t0}


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


@pytest.fixture(scope="module")
def firm_app():
    """The firm survey's appendix through the library (tables only), to compare numbers."""
    return sk.appendix(ROOT / "questionnaires" / "japan_digital_services_2024.yaml",
                       ROOT / "sample_data" / "japan_digital_services_2024_raw.csv",
                       figures=False)


def test_report_runs_and_prints_summary(report):
    assert report["code"] == 0, report["stderr"]
    text = report["stdout"]
    for sid in SURVEYS:
        assert f"{sid}: " in text
    assert re.search(r"japan_digital_services_2024: 700 read, \d+ kept", text)
    assert "weighting deff" in text and "headline:" in text
    assert "70 percent spend 25 percent" in text
    assert str(report["out"]) in text
    # one progress line per stage, with its time
    for stage in ("read", "clean", "weight", "design", "tabulate", "draw", "write"):
        assert re.search(rf"\[japan_creators_2024\] {stage}\s+\d+\.\d\d s", report["stderr"])


def test_every_file_is_written(report):
    out = report["out"]
    assert (out / "summary.md").is_file()
    for sid in SURVEYS:
        d = out / sid
        for ext in ("md", "html", "xlsx", "tex"):
            assert (d / f"appendix.{ext}").stat().st_size > 1000, ext
        for ext in ("csv", "parquet", "sav"):
            assert (d / "data" / f"{sid}_clean_weighted.{ext}").stat().st_size > 1000
        assert (d / "data" / f"{sid}_excluded.csv").is_file()
        assert list((d / "tables").glob("*.csv"))
    assert not list(out.rglob("*.tmp")), "temporary files left behind"


def test_cleaned_weighted_data_round_trip(report):
    sid = "japan_creators_2024"
    q = sk.load_questionnaire(CREATORS_YAML)
    for ext in ("csv", "parquet", "sav"):
        f = sk.read_responses(report["out"] / sid / "data" / f"{sid}_clean_weighted.{ext}", q)
        assert "weight" in f.columns and f["weight"].notna().all()
        assert f["screener_creator"].isin(["individual", "firm"]).all()
    import pyreadstat

    _, meta = pyreadstat.read_sav(str(report["out"] / sid / "data" /
                                      f"{sid}_clean_weighted.sav"), metadataonly=True)
    assert meta.variable_value_labels["Q1"][1.0] == "Anime and illustration"


def test_every_table_in_every_format(report, firm_app):
    from openpyxl import load_workbook

    from survey_kit.tables.doc_latex import tex_escape
    from survey_kit.tables.doc_xlsx import sheet_names
    from survey_kit.tables.render_markup import tex as ct_tex

    d = report["out"] / "japan_digital_services_2024"
    md = (d / "appendix.md").read_text(encoding="utf-8")
    html = (d / "appendix.html").read_text(encoding="utf-8")
    tex = (d / "appendix.tex").read_text(encoding="utf-8")
    wb = load_workbook(d / "appendix.xlsx")
    names = list(firm_app.tables)
    assert "published_vs_reproduced" in names and "methodology" in names
    assert wb.sheetnames == sheet_names(names)
    import html as _html

    for name, sheet in zip(names, wb.sheetnames):
        title = firm_app.titles[name]
        crosstab = not isinstance(firm_app.tables[name], pd.DataFrame)
        assert title in md, name
        assert _html.escape(title) in html, name
        assert (ct_tex(title) if crosstab else tex_escape(title)) in tex, name
        assert wb[sheet]["A1"].value == title, name
        assert (d / "tables" / f"{name}.csv").is_file(), name
    headings = [h for h, _ in firm_app.sections]
    assert [h.split(". ", 1)[1] for h in headings] == [
        "Methodology", "Data quality", "Sample composition", "Weighting", "Codebook",
        "Headline results", "Published vs reproduced"]
    for heading in headings:
        assert f"\n## {heading}\n" in md and f">{_html.escape(heading)}</h2>" in html
        assert f"\\section*{{{tex_escape(heading)}}}" in tex


def test_appendix_numbers_equal_library(report, firm_app):
    d = report["out"] / "japan_digital_services_2024"
    # a cell of Fig 8 in the CSV written by the report equals the library's crosstab
    cells = pd.read_csv(d / "tables" / "fig8_foreign_share.csv")
    hit = cells[(cells["row_level"] == "25_plus") & (cells["column_level"] == "high")]
    lib = firm_app.tables["fig8_foreign_share"].cell("25_plus", "high",
                                                     banner_variable="export_intensity")
    assert float(hit["percent"].iloc[0]) == pytest.approx(lib["percent"], rel=1e-12)
    # the published-vs-reproduced CSV equals the library's numbers
    rep = pd.read_csv(d / "tables" / "published_vs_reproduced.csv")
    np.testing.assert_allclose(rep["Weighted %"], firm_app.reproduced["weighted"], rtol=1e-12)
    # the MoE printed equals the formula
    md = (d / "appendix.md").read_text(encoding="utf-8")
    n = firm_app.facts["n_weighted"]
    assert f"±{100 * 1.96 * np.sqrt(0.25 / n):.1f} percentage points" in md


def test_html_is_self_contained(report):
    for sid in SURVEYS:
        html = (report["out"] / sid / "appendix.html").read_text(encoding="utf-8")
        assert html.startswith("<!DOCTYPE html>") and "<style>" in html
        assert not re.search(r"""\bsrc\s*=\s*["']?\s*(https?:|//)""", html, re.I)
        assert not re.search(r"""\bhref\s*=\s*["']?\s*(https?:|//)""", html, re.I)
        assert not re.search(r"<(script|link|iframe)\b", html, re.I)
        assert "@import" not in html and "url(" not in html
        n_img = html.count('src="data:image/png;base64,')
        assert n_img == len(list((report["out"] / sid / "figures").glob("*.png")))


def test_figures_exist_and_parse(report):
    for sid, expected in (("japan_digital_services_2024", 9), ("japan_creators_2024", 2)):
        figs = report["out"] / sid / "figures"
        pngs = sorted(figs.glob("*.png"))
        assert len(pngs) == expected
        for png in pngs:
            data = png.read_bytes()
            assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 1000
            svg = png.with_suffix(".svg")
            root = ET.fromstring(svg.read_text(encoding="utf-8"))
            assert root.tag.endswith("svg")
    md = (report["out"] / "japan_digital_services_2024" / "appendix.md").read_text("utf-8")
    assert "![" in md and "(figures/fig8_foreign_share.png)" in md


def test_png_is_200_dpi(report):
    from PIL import Image

    png = report["out"] / "japan_creators_2024" / "figures" / "fig13_competitiveness.png"
    with Image.open(png) as im:
        dpi = im.info.get("dpi")
    assert dpi is not None and round(dpi[0]) == 200


def test_published_vs_reproduced_filled(report):
    for sid in SURVEYS:
        rep = pd.read_csv(report["out"] / sid / "tables" / "published_vs_reproduced.csv")
        assert len(rep) >= 1
        cols = ["Unweighted %", "Unweighted CI low", "Unweighted CI high", "Weighted %",
                "Weighted CI low", "Weighted CI high", "n"]
        assert rep[cols].notna().all().all(), sid
        assert rep["Published"].notna().all()
    firm = pd.read_csv(report["out"] / "japan_digital_services_2024" / "tables" /
                       "published_vs_reproduced.csv")
    published = set(firm["Published"])
    for value in ("5-10% (modal band)", "100%", "over 50%", "70%", "10%", "31%", "35%", "32%",
                  "47%", "17%"):
        assert value in published
    summary = (report["out"] / "summary.md").read_text(encoding="utf-8")
    assert "Published vs reproduced" in summary and "53%" in summary


def test_rerun_is_byte_identical_and_atomic(report, tmp_path, monkeypatch):
    """Two runs into two folders give the same files, byte for byte, in every format
    (md, html, tex, xlsx, csv, parquet, sav, png, svg and the output manifests): no
    run time in workbook properties, zip members, SPSS headers or figure metadata.
    Every file is produced by renaming a finished temporary file beside it."""
    import os

    import survey_kit._files as files

    replaced: list[Path] = []
    real = os.replace

    def spy(src, dst):
        assert Path(src).parent == Path(dst).parent and Path(src).name.endswith(".tmp")
        replaced.append(Path(dst).resolve())
        return real(src, dst)

    monkeypatch.setattr(files.os, "replace", spy)
    sid = "japan_creators_2024"
    again = tmp_path / "again"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["report", str(CREATORS_YAML), str(CREATORS_RAW), "--out", str(again),
                     "--quiet"])
    assert code == 0, stderr.getvalue()
    written = {p.resolve() for p in again.rglob("*") if p.is_file()}
    assert len(written) > 20 and written == set(replaced)
    first, second = report["out"] / sid, again / sid
    files_first = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    files_second = sorted(p.relative_to(second) for p in second.rglob("*") if p.is_file())
    assert files_first == files_second
    kinds = {p.suffix or p.name for p in files_first}
    assert kinds >= {".md", ".html", ".tex", ".xlsx", ".csv", ".parquet", ".sav", ".png",
                     ".svg", ".survey-kit-outputs"}
    for rel in files_first:
        assert (first / rel).read_bytes() == (second / rel).read_bytes(), rel


def test_appendix_command(tmp_path):
    out = tmp_path / "app"
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(["appendix", str(CREATORS_YAML), str(CREATORS_RAW), "--targets",
                     str(ROOT / "sample_data" / "japan_creators_population_targets.csv"),
                     "--out", str(out), "--format", "md,html", "--no-figures"])
    assert code == 0, stderr.getvalue()
    assert (out / "appendix.md").is_file() and (out / "appendix.html").is_file()
    assert not (out / "appendix.xlsx").exists()
    assert "japan_creators_2024: 140 read" in stdout.getvalue()
    assert "clean" in stderr.getvalue()


@pytest.mark.parametrize("argv, message", [
    (["report", str(CREATORS_YAML), "--out", "x"], "give RESPONSES"),
    (["report", "--out", "x", "--format", "md,pdf"], "--format takes"),
    (["appendix", str(CREATORS_YAML), str(ROOT / "nope.csv"), "--out", "x"], "nope.csv"),
])
def test_command_errors_exit_2(tmp_path, monkeypatch, argv, message):
    monkeypatch.chdir(tmp_path)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        assert main(argv) == 2
    assert message in stderr.getvalue()


def test_run_report_argument_errors(tmp_path):
    with pytest.raises(UsageError, match="both"):
        sk.run_report(CREATORS_YAML, None, out=tmp_path)
    with pytest.raises(UsageError, match="lang"):
        sk.run_report(out=tmp_path, lang="de")


def test_missing_bundle_is_a_clear_error(tmp_path, monkeypatch):
    import survey_kit.report.outputs as R

    monkeypatch.setattr(R, "__file__", str(tmp_path / "survey_kit" / "report.py"))
    with pytest.raises(ReportError, match="bundled sample was not found"):
        R.find_bundle()


def test_wall_time_is_seconds(report):
    # the whole job on the bundled sample: both surveys, all formats, 11 figures
    assert report["seconds"] < 120
