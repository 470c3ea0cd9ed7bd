"""The survey appendix: methodology, data quality, sample, weighting, codebook, results.

:func:`appendix` runs a survey through the pipeline (read -> clean -> weight
-> design, :func:`survey_kit.report.run.prepare`) and :func:`build_appendix`
builds the tables of a published survey appendix from the run:

1. Methodology -- the AAPOR Transparency Initiative disclosure items that
   apply to an opt-in online panel survey, with the margin of error with and
   without the design effect of weighting (:mod:`.methodology`).
2. Data quality -- the exclusion flow of cleaning, the overlap of rules and
   the warnings of every stage.
3. Sample composition -- unweighted n and %, weighted %, population %.
4. Weighting diagnostics -- achieved vs target margins, design effect,
   effective sample size, weight range, trimming.
5. Codebook -- every variable with its codes and labels (en, ja)
   (3-5: :mod:`.sections`).
6. Headline results -- one design-based banner table (bases, 95% CIs,
   Rao-Scott tests) and one figure per result named in the report spec
   (:mod:`.figures`).
7. Published vs reproduced -- each figure quoted in a publication next to
   the value computed from the data (:mod:`.reproduce`).

What is specific to one survey (the headline tables, the quoted figures,
derived variables such as "number of services used") is read from a report
spec, ``<questionnaire>.report.yaml`` next to the questionnaire (see
:mod:`.spec`); the code here is generic. :class:`Appendix` holds the result
and writes it as Markdown, self-contained HTML, XLSX and LaTeX.

Example
-------
>>> import survey_kit as sk
>>> app = sk.appendix("questionnaires/japan_creators_2024.yaml",
...                   "sample_data/japan_creators_2024_raw.csv", figures=False)
>>> [heading for heading, _ in app.sections][-2:]
['6. Headline results', '7. Published vs reproduced']
>>> app.tables["published_vs_reproduced"][["Published", "Published value in 95% CI"]]
  Published Published value in 95% CI
0       53%                       yes

References
----------
AAPOR (2021). AAPOR Code of Professional Ethics and Practices, section III
(disclosure elements); AAPOR Transparency Initiative.
Lumley, T. (2010). Complex Surveys: A Guide to Analysis Using R. Wiley.
Rao, J. N. K. and Scott, A. J. (1984). On chi-squared tests for multiway
contingency tables with cell proportions estimated from survey data. Annals
of Statistics 12, 46-60.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .._files import check_outputs, write_text
from .._formulas import csv_quoting, escape_frame
from .._results import ResultMixin
from ..errors import ReportError, UsageError
from ..instrument.labels import check_lang, word
from ..instrument.questionnaire import Questionnaire
from ..tables.crosstab import crosstab
from ..tables.doc_html import html_page
from ..tables.doc_latex import latex_document
from ..tables.doc_markdown import markdown_document
from ..tables.doc_xlsx import write_workbook
from ..tables.document import FigureDoc, Table
from ..tables.layout import skip_reason
from .derived import grid_net_id
from .figures import draw_figures, save_figure
from .methodology import citation_text, key_facts, methodology_table
from .reproduce import reproduce, reproduced_table
from .run import SurveyRun, prepare
from .sections import (codebook_headers, codebook_table, composition_table, flow_display,
                       flow_headers, int_formats, margins_headers, overlap_display, review_table,
                       weighting_tables, weights_summary_formats)
from .targets_notes import illustrative_mark, not_stated_lines, provenance_lines
from .spec_models import ReportSpec
from .warnings_text import cleaning_warning, run_note

__all__ = ["FORMATS", "Appendix", "appendix", "build_appendix"]

#: output formats of :meth:`Appendix.write`
FORMATS = ("md", "html", "xlsx", "tex")


# ===========================================================================
# the appendix result
# ===========================================================================

@dataclass(frozen=True, eq=False)
class Appendix(ResultMixin):
    """The tables and figures of a survey appendix.

    Attributes
    ----------
    survey_id, title, lang : str
    tables : dict of str -> DataFrame or Crosstab
        Every table by name, in appendix order: ``methodology``,
        ``exclusion_flow``, ``rule_overlap``, ``composition``,
        ``weighting_margins``, ``weighting_summary``, ``codebook``, one
        Crosstab per headline (named by the spec), ``published_vs_reproduced``.
    titles : dict of str -> str
    notes : dict of str -> tuple of str
    sections : tuple of (heading, tuple of table names)
    figures : dict of str -> FigureDoc
        One per headline (PNG bytes, SVG text, caption).
    reproduced : DataFrame
        The published-vs-reproduced values in numbers (see :mod:`survey_kit.report.reproduce`).
    facts : dict
        Raw and final n, Kish deff, margins of error, ...
    warnings : tuple of str
    """

    survey_id: str
    title: str
    lang: str
    tables: Mapping[str, Any]
    titles: Mapping[str, str]
    notes: Mapping[str, tuple]
    sections: tuple
    figures: Mapping[str, FigureDoc]
    reproduced: pd.DataFrame
    facts: Mapping[str, Any]
    formats: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    source_line: str = ""
    warnings: tuple[str, ...] = ()
    headers: Mapping[str, Mapping[str, str | None]] = field(default_factory=dict)
    citation: str = ""

    # -- views -------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """One row per table: name, section, title, kind, rows."""
        rows = []
        for heading, names in self.sections:
            for name in names:
                obj = self.tables[name]
                rows.append({"table": name, "section": heading,
                             "title": self.titles.get(name, name),
                             "kind": "table" if isinstance(obj, pd.DataFrame) else "crosstab",
                             "rows": len(obj) if isinstance(obj, pd.DataFrame)
                             else len(obj.to_frame()),
                             "figure": name in self.figures})
        return pd.DataFrame(rows)

    def table(self, name: str) -> Any:
        """A table ready to render: a :class:`~survey_kit.tables.document.Table` or a Crosstab."""
        if name not in self.tables:
            raise ReportError(f"no table {name!r}; tables are: {', '.join(self.tables)}")
        obj = self.tables[name]
        if isinstance(obj, pd.DataFrame):
            if name == "codebook" and "variable" in obj.columns:
                obj = _blank_repeats(obj, "variable")
            shown, formats = self._shown(name, obj)
            return Table(name, self.titles.get(name, name), shown,
                         tuple(self.notes.get(name, ())), formats)
        return obj

    def _shown(self, name: str, frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
        """A table's frame under its readable headers (hidden columns left out), and its
        formats keyed by those headers."""
        heads = self.headers.get(name, {})
        shown = frame.drop(columns=[c for c, h in heads.items() if h is None and c in frame])
        shown = shown.rename(columns={c: h for c, h in heads.items() if h is not None})
        formats = {str(heads.get(k) or k): v for k, v in self.formats.get(name, {}).items()}
        return shown, formats

    def _parts(self, figure_dir: str | None) -> list[tuple[str, Any]]:
        parts: list[tuple[str, Any]] = []
        for heading, names in self.sections:
            parts.append(("h2", heading))
            for name in names:
                t = self.table(name)
                parts.append(("table", t) if isinstance(t, Table) else ("object", (name, t)))
                fig = self.figures.get(name)
                if fig is not None:
                    rel = f"{figure_dir}/{fig.name}.png" if figure_dir else None
                    parts.append(("figure", (fig, rel)))
        return parts

    def _intro(self) -> list[str]:
        out = [f"{self.title} ({self.survey_id})" + ("。" if self.lang == "ja" else ".")]
        if self.citation:
            out.append(self.citation)
        if self.source_line:
            out.append(self.source_line)
        return out

    def to_markdown(self, figure_dir: str = "figures") -> str:
        """The appendix as one Markdown document; figures linked from ``figure_dir``."""
        return markdown_document(self._doc_title(), self._parts(figure_dir), self._intro())

    def to_html(self) -> str:
        """One self-contained HTML page: inline CSS, figures as base64 PNG, no links out."""
        return html_page(self._doc_title(), self._parts(None), lang=self.lang,
                         intro=self._intro())

    def to_latex(self, figure_dir: str = "figures") -> str:
        """A LaTeX document with booktabs tables (figures included from ``figure_dir``)."""
        return latex_document(self._doc_title(), self._parts(figure_dir), lang=self.lang,
                              intro=self._intro())

    def to_excel(self, path: str | os.PathLike) -> Path:
        """An XLSX workbook, one formatted sheet per table (written atomically)."""
        names = [n for _, section in self.sections for n in section]
        sheets: dict[str, Any] = {}
        formats: dict[str, Any] = {}
        for n in names:      # readable headers, every row filled (a sheet is for filtering)
            obj = self.tables[n]
            sheets[n], formats[n] = (self._shown(n, obj) if isinstance(obj, pd.DataFrame)
                                     else (obj, self.formats.get(n, {})))
        return write_workbook(path, sheets, titles={n: self.titles.get(n, n) for n in names},
                              notes=self.notes, formats=formats)

    def _doc_title(self) -> str:
        return f"{word(self.lang, 'appendix')}: {self.title}"

    def write(self, folder: str | os.PathLike, formats: Sequence[str] = FORMATS, *,
              figures: bool = True, csv: bool = True, stem: str = "appendix") -> dict[str, Path]:
        """Write the appendix into ``folder``; every file atomically.

        Parameters
        ----------
        folder : output directory (created)
        formats : any of "md", "html", "xlsx", "tex"
        figures : write ``figures/<name>.png`` and ``.svg``
        csv : write ``tables/<name>.csv`` (numbers as computed)
        stem : file name of the documents (``appendix.md``, ...)

        Returns
        -------
        dict
            Kind -> path (figures and tables as ``figure:<name>:png`` etc.).
        """
        bad = [f for f in formats if f not in FORMATS]
        if bad:
            raise UsageError(f"unknown format(s) {bad}; choose from {', '.join(FORMATS)}")
        folder = Path(folder)
        # a file that may not be replaced stops the write before anything is written
        check_outputs(self._paths(folder, formats, figures, csv, stem))
        out: dict[str, Path] = {}
        if figures:
            out.update(self._write_figures(folder / "figures"))
        if csv:
            out.update(self._write_csv(folder / "tables"))
        for fmt in formats:
            out[fmt] = self._write_document(folder, stem, fmt)
        return out

    def _paths(self, folder: Path, formats: Sequence[str], figures: bool, csv: bool,
               stem: str) -> list[Path]:
        """Every file :meth:`write` writes."""
        paths = [folder / "figures" / f"{name}.{ext}" for name in self.figures
                 for ext in ("png", "svg")] if figures else []
        if csv:
            paths += [folder / "tables" / f"{name}.csv" for _, names in self.sections
                      for name in names]
        return paths + [folder / f"{stem}.{fmt}" for fmt in formats]

    def _write_figures(self, folder: Path) -> dict[str, Path]:
        out = {}
        for name, fig in self.figures.items():
            png, svg = save_figure(fig, folder)
            out[f"figure:{name}:png"] = png
            out[f"figure:{name}:svg"] = svg
        return out

    def _write_csv(self, folder: Path) -> dict[str, Path]:
        """Every table as computed (a Crosstab as its tidy frame); text that a spreadsheet
        would run as a formula (a label beginning with ``=``) is escaped
        (:func:`survey_kit._formulas.escape_frame`)."""
        out = {}
        for _, names in self.sections:
            for name in names:
                obj = self.tables[name]
                frame = obj if isinstance(obj, pd.DataFrame) else obj.to_frame()
                safe = escape_frame(frame)
                text = safe.to_csv(index=not isinstance(frame.index, pd.RangeIndex),
                                   lineterminator="\n", quoting=csv_quoting(safe))
                out[f"table:{name}"] = write_text(folder / f"{name}.csv", text)
        return out

    def _write_document(self, folder: Path, stem: str, fmt: str) -> Path:
        """``<stem>.<fmt>``; figures linked from ``figures/``."""
        path = folder / f"{stem}.{fmt}"
        if fmt == "xlsx":
            return self.to_excel(path)
        text = {"md": lambda: self.to_markdown("figures"), "html": self.to_html,
                "tex": lambda: self.to_latex("figures")}[fmt]()
        return write_text(path, text)


def _blank_repeats(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """A variable's text columns shown on its first row only (the printed codebook stays
    short: the question is not repeated on every option's row)."""
    same = frame[key].eq(frame[key].shift())
    out = frame.copy()
    for col in frame.columns:
        if col in ("code", "key", "label", "label_ja"):
            continue
        out[col] = out[col].astype(object).where(~same, "")
    return out


# ===========================================================================
# building it: one function per section
# ===========================================================================

@dataclass
class _Draft:
    """The appendix while it is built: tables by name (with title, notes and display
    formats) and the sections that list them, in order."""

    lang: str
    tables: dict[str, Any] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    notes: dict[str, tuple] = field(default_factory=dict)
    formats: dict[str, dict] = field(default_factory=dict)
    sections: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    headers: dict[str, dict[str, str | None]] = field(default_factory=dict)

    @property
    def prefix(self) -> str:
        """"Table" / "表" before a table's number."""
        return {"en": "Table", "ja": "表"}[self.lang]

    def put(self, name: str, obj: Any, title: str, note: Sequence[str] = (),
            fmt: Mapping[str, str] | None = None,
            headers: Mapping[str, str | None] | None = None) -> str:
        """Add a table; ``headers`` maps a column to the header shown (None: not shown)."""
        self.tables[name] = obj
        self.titles[name] = title
        self.notes[name] = tuple(note)
        self.formats[name] = dict(fmt or {})
        self.headers[name] = dict(headers or {})
        return name

    def section(self, number: int, key: str, names: Sequence[str]) -> None:
        """Section ``number`` headed by the word ``key`` of the appendix word table."""
        self.sections.append((f"{number}. {word(self.lang, key)}", tuple(names)))


def _methodology_section(draft: _Draft, run: SurveyRun, run_facts: Mapping[str, Any]) -> None:
    meth, meth_notes = methodology_table(run, run_facts, draft.lang)
    title = f"{draft.prefix} 1. {word(draft.lang, 'methodology')}"
    draft.section(1, "methodology", [draft.put("methodology", meth, title, meth_notes)])


def _quality_section(draft: _Draft, run: SurveyRun) -> list[str]:
    """Exclusion flow and rule overlap; returns the warnings of cleaning."""
    cl = run.cleaning
    flow = getattr(cl, "flow", None)
    overlap = getattr(cl, "overlap", None)
    names = []
    lang = draft.lang
    if isinstance(flow, pd.DataFrame):
        shown = flow_display(flow, run, lang)
        names.append(draft.put(
            "exclusion_flow", shown, f"{draft.prefix} 2a. {word(lang, 'flow_title')}",
            (word(lang, "flow_note"),), int_formats(flow), flow_headers(lang)))
    if isinstance(overlap, pd.DataFrame):
        names.append(draft.put(
            "rule_overlap", overlap_display(overlap, run, lang),
            f"{draft.prefix} 2b. {word(lang, 'overlap_title')}", (word(lang, "overlap_note"),),
            int_formats(overlap)))
    review = review_table(run, lang)
    names.append(draft.put("review", review, f"{draft.prefix} 2d. {word(lang, 'review')}",
                           (word(lang, "review_note"),)))
    draft.section(2, "quality", names)
    return [cleaning_warning(w, run, lang) for w in getattr(cl, "warnings", ()) or ()]


def _composition_section(draft: _Draft, run: SurveyRun) -> None:
    lang = draft.lang
    comp = composition_table(run, lang)
    pop = word(lang, "pct_pop")
    draft.section(3, "sample", [draft.put(
        "composition", comp, f"{draft.prefix} 3. {word(lang, 'sample')}",
        (word(lang, "composition_note"), *provenance_lines(run, lang),
         *not_stated_lines(run, lang)),
        {word(lang, "n"): "int", word(lang, "pct_unw"): "pct", word(lang, "pct_w"): "pct",
         pop: "pct"}, {pop: pop + illustrative_mark(run, lang)})])


def _weighting_section(draft: _Draft, run: SurveyRun) -> None:
    lang = draft.lang
    margins, summary = weighting_tables(run, lang)
    mark = illustrative_mark(run, lang)
    draft.section(4, "weighting", [
        draft.put("weighting_margins", margins,
                  f"{draft.prefix} 4a. {word(lang, 'margins_title')}",
                  (word(lang, "margins_note"), *provenance_lines(run, lang),
                   *not_stated_lines(run, lang)),
                  {"n": "int", "% sample": "pct", "% target": "pct", "% achieved": "pct",
                   "difference (points)": "f3"}, margins_headers(lang, mark)),
        draft.put("weighting_summary", summary,
                  f"{draft.prefix} 4b. {word(lang, 'weights_title')}",
                  (word(lang, "weights_note"),), weights_summary_formats(lang))])


def _codebook_section(draft: _Draft, run: SurveyRun) -> None:
    lang = draft.lang
    cb = codebook_table(run)
    draft.section(5, "codebook", [draft.put(
        "codebook", cb, f"{draft.prefix} 5. {word(lang, 'codebook')}",
        (word(lang, "codebook_note" if "text_ja" in cb.columns else "codebook_note_one"),),
        {"code": "int"},
        codebook_headers(lang, japanese="text_ja" in cb.columns))])


def _headline_title(h: Any, lang: str) -> str:
    """The headline's title in ``lang``, numbered as the publication's figure if it has one."""
    title = h.title_ja if lang == "ja" and h.title_ja else h.title
    if not h.figure:
        return title
    fig_word = {"en": "Figure", "ja": "図"}[lang]
    return f"{fig_word} {h.figure}. {title}" if lang == "en" else f"{fig_word}{h.figure}　{title}"


def _table_warnings(name: str, title: str, ct: Any, run: SurveyRun, lang: str) -> list[str]:
    """The warnings of a banner table; in Japanese, the tests not computed are said from the
    table's test records (the crosstab's own warnings are English)."""
    if lang != "ja":
        return [f"{name}: {x}" for x in ct.warnings]
    inst = run.instrument
    out = []
    for _, t in ct.tests[ct.tests["method"] == "not computed"].iterrows():
        rv, bv = str(t["row_variable"]), str(t["banner_variable"])
        rl = inst.label(rv, None, lang) if inst.has_variable(rv) else rv
        bl = inst.label(bv, None, lang) if inst.has_variable(bv) else bv
        out.append(f"{title}：{rl}×{bl}は{word(lang, 'no_test', 'table')}"
                   f"（{skip_reason(t['warnings'], lang)}）")
    return out


def _weighting_warnings(run: SurveyRun, lang: str) -> list[str]:
    """The warnings of the weighting; the not-stated group is described by
    :func:`~.targets_notes.not_stated_lines` in the appendix's language."""
    if run.weighting is None:
        return []
    own = not_stated_lines(run, lang)
    if lang != "ja":
        return [f"weighting: {x}" for x in run.weighting.warnings]
    rest = [x for x in run.weighting.warnings if "not stated weighted as" not in x]
    return [f"{word(lang, 'weighting')}：{x}" for x in own + rest]


def _headline_section(draft: _Draft, run: SurveyRun) -> tuple[list[str], list[str]]:
    """One banner table per headline of the spec; returns (their names, their warnings)."""
    heads, warnings = [], []
    for h in run.spec.headlines:
        rows = grid_net_id(h) if h.net is not None else h.rows
        title = _headline_title(h, draft.lang)
        ct = crosstab(run.design, rows, h.cols, ci=True, questionnaire=run.instrument,
                      lang=draft.lang, title=title)
        heads.append(draft.put(h.id, ct, title))
        warnings += _table_warnings(h.id, title, ct, run, draft.lang)
    draft.section(6, "results", heads)
    return heads, warnings


def _reproduced_section(draft: _Draft, rep: pd.DataFrame, spec: ReportSpec,
                        citation: Any = None) -> None:
    """Published vs reproduced, when the spec quotes any figure; the publication is named
    by the questionnaire's citation (else the spec's ``paper``)."""
    if not len(rep):
        return
    lang = draft.lang
    if citation is not None:
        year = str(citation.year) if citation.year else word(lang, "no_year", "methodology")
        sep = "、" if lang == "ja" else ", "
        paper = f"{citation.authors[0]}{sep}{year}"
        paper = f"（{paper}）" if lang == "ja" else f" ({paper})"
    else:
        paper = f" ({spec.paper})" if spec.paper else ""
    draft.section(7, "reproduced", [draft.put(
        "published_vs_reproduced", reproduced_table(rep, lang),
        f"{draft.prefix} 7. {word(lang, 'reproduced')}{paper}",
        (word(lang, "reproduced_note"), word(lang, "verdict_note")),
        {word(lang, k): "pct" for k in ("unweighted", "weighted", "ci_low_u", "ci_high_u",
                                         "ci_low_w", "ci_high_w")}
        | {"n": "int"})])


def source_line(survey: Any, lang: str) -> str:
    """The questionnaire's source line in ``lang``; an English one shown in a Japanese
    appendix is labelled 出典： (its text is the questionnaire's own)."""
    text = survey.text("source_line", lang) or ""
    if lang != "en" and text.startswith("Source:"):
        return f"{word(lang, 'source')}：{text[len('Source:'):].lstrip()}"
    return text


def _add_warnings(draft: _Draft, section: int, warnings: Sequence[str]) -> None:
    """Table 2c: every warning, appended to the data-quality section (index ``section``)."""
    head, names = draft.sections[section]
    draft.sections[section] = (head, names + (draft.put(
        "warnings", pd.DataFrame({"warning": list(warnings)}),
        f"{draft.prefix} 2c. {word(draft.lang, 'warnings_title')}",
        (word(draft.lang, "warnings_note"),), headers={"warning": word(draft.lang, "warning")}),))


def build_appendix(run: SurveyRun, *, lang: str = "en", figures: bool = True,
                   progress: Callable[[str, float, str], None] | None = None) -> Appendix:
    """Build every appendix table (and figure) of a prepared survey run.

    Parameters
    ----------
    run : SurveyRun
        From :func:`~survey_kit.report.run.prepare`.
    lang : {"en", "ja"}
        Language of labels (questionnaire labels, fixed words, figures).
    figures : bool
        Draw one figure per headline table.
    progress : callable, optional
        Called as ``progress(stage, seconds, detail)`` after tabulating and
        after drawing.

    Returns
    -------
    Appendix
    """
    check_lang(lang)
    t_start = time.perf_counter()
    q, sv = run.questionnaire, run.questionnaire.survey
    run_facts = key_facts(run)
    draft = _Draft(lang)
    warnings: list[str] = [run_note(x, lang) for x in run.warnings]
    _methodology_section(draft, run, run_facts)
    quality = len(draft.sections)
    warnings += _quality_section(draft, run)
    _composition_section(draft, run)
    _weighting_section(draft, run)
    _codebook_section(draft, run)
    heads, head_warnings = _headline_section(draft, run)
    warnings += head_warnings
    rep = reproduce(run.spec.quoted, run.design, run.unweighted, run.instrument, lang)
    _reproduced_section(draft, rep, run.spec, sv.citation)
    if progress is not None:
        progress("tabulate", time.perf_counter() - t_start,
                 f"{len(draft.tables)} tables, {len(heads)} banner tables with tests, "
                 f"{len(rep)} quoted figures reproduced")
    figs: dict[str, FigureDoc] = {}
    if figures and heads:
        t0 = time.perf_counter()
        figs = draw_figures({h: draft.tables[h] for h in heads}, lang=lang,
                            source=source_line(sv, lang))
        if progress is not None:
            progress("draw", time.perf_counter() - t0, f"{len(figs)} figures (PNG and SVG)")
    warnings += _weighting_warnings(run, lang)
    if warnings:
        _add_warnings(draft, quality, warnings)
    title = sv.title_ja if lang == "ja" and sv.title_ja else sv.title
    tables = {n: draft.tables[n] for _, names in draft.sections for n in names}
    return Appendix(survey_id=q.id, title=title, lang=lang, tables=tables, titles=draft.titles,
                    notes=draft.notes, sections=tuple(draft.sections), figures=figs,
                    reproduced=rep, facts=run_facts, formats=draft.formats,
                    source_line=source_line(sv, lang), warnings=tuple(warnings),
                    headers=draft.headers,
                    citation=citation_text(sv.citation, lang) if sv.citation else "")


def appendix(questionnaire: Questionnaire | str | os.PathLike,
             responses: pd.DataFrame | str | os.PathLike | SurveyRun,
             targets: Any = None, *, lang: str = "en",
             spec: ReportSpec | str | os.PathLike | None = None,
             figures: bool = True) -> Appendix:
    """The survey appendix of one survey: tables (and figures) in one result.

    Parameters
    ----------
    questionnaire : Questionnaire or path of its YAML
    responses : path of the raw export, the labelled frame, or a :class:`SurveyRun`
    targets : path, Targets or mapping, optional
        Default: the file named by the questionnaire (``weighting.targets``).
    lang : {"en", "ja"}
    spec : ReportSpec or path, optional
        Default ``<questionnaire>.report.yaml`` next to the questionnaire.
    figures : bool
        Draw the figures of the headline results (seaborn, 200 dpi PNG and SVG).

    Returns
    -------
    Appendix
        ``.tables`` (DataFrames and Crosstabs by name), ``.figures``,
        ``.to_markdown()``, ``.to_html()``, ``.to_latex()``, ``.to_excel(path)``,
        ``.write(folder, formats)``.

    Example
    -------
    >>> import survey_kit as sk
    >>> app = sk.appendix("questionnaires/japan_creators_2024.yaml",
    ...                   "sample_data/japan_creators_2024_raw.csv", lang="ja", figures=False)
    >>> app.title
    '日本のクリエイティブ産業におけるデジタルサービスの利用に関する調査'
    >>> app.to_frame().loc[0, ["table", "section"]].tolist()
    ['methodology', '1. 調査方法']
    """
    check_lang(lang)
    run = responses if isinstance(responses, SurveyRun) else prepare(
        questionnaire, responses, targets, spec=spec)
    return build_appendix(run, lang=lang, figures=figures)
