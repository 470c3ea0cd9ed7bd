"""The end-to-end job: from raw exports to the report folder.

:func:`run_report` takes each survey through read -> clean -> weight ->
design -> tabulate and test -> draw -> write, and leaves in ``out/``:

``out/<survey id>/``
    ``appendix.md``, ``appendix.html`` (self-contained), ``appendix.xlsx``,
    ``appendix.tex``; ``figures/<table>.png`` (200 dpi) and ``.svg``;
    ``tables/<table>.csv`` (the numbers as computed); ``data/`` with the
    cleaned and weighted respondents (``<id>_clean_weighted.csv``,
    ``.parquet``, ``.sav`` with variable and value labels; respondents kept but
    flagged for review carry ``True`` in a column ``review_<rule>`` per review
    rule, as listed in Table 2d) and the excluded respondents with all their
    answers and the reasons (``<id>_excluded.csv``).
``out/summary.md``
    Raw and final sample sizes, design effects and the published-vs-
    reproduced figures of every survey.

With no questionnaire it runs on the bundled sample: every questionnaire in
``questionnaires/`` with its raw export in ``sample_data/`` (both found next
to the ``survey_kit`` package). Every file is written atomically; a re-run
on the same data writes the same files, byte for byte, in every format: no
file carries the time of the run (workbooks and their zip members are dated
1 January 2000, SPSS headers likewise, figures are saved without a date and
with a fixed SVG id salt). Under the CLI, a file there that survey-kit did
not write (``summary.md`` of your own) is refused before the work starts, and
a run interrupted by Ctrl-C leaves no half-written or temporary file.

Example
-------
The bundled sample that ``survey-kit report`` runs on without arguments:

>>> [(q.name, raw.name) for q, raw in bundled_surveys()]  # doctest: +NORMALIZE_WHITESPACE
[('japan_creators_2024.yaml', 'japan_creators_2024_raw.csv'),
 ('japan_digital_services_2024.yaml', 'japan_digital_services_2024_raw.csv')]

``run_report(out="out")`` takes both through the whole job and writes the
folders above; ``print(result)`` gives the short summary.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from .._files import check_outputs, write_text
from .._results import ResultMixin
from .._yaml import parse_yaml
from ..errors import ReportError, UsageError
from ..instrument.labels import check_lang
from ..io.frame import COLUMN_META
from ..io.value_labels import band_meta
from ..io.write import write_responses
from ..tables.doc_markdown import table_markdown
from ..tables.document import Table
from .appendix import FORMATS, build_appendix
from .derived import grid_net_id
from .design_text import moe_summary
from .reproduce import reproduced_table
from .run import SurveyRun, prepare
from .sections import review_flags

__all__ = [
    "DATA_FORMATS",
    "ReportResult",
    "SurveyReport",
    "bundled_surveys",
    "find_bundle",
    "run_report",
]

#: formats of the cleaned and weighted data
DATA_FORMATS = ("csv", "parquet", "sav")


def find_bundle() -> tuple[Path, Path]:
    """``questionnaires/`` and ``sample_data/`` of the repository holding the package.

    Raises
    ------
    ReportError
        When either folder is missing (e.g. the package was installed
        without the repository): give the questionnaire and responses
        explicitly then.
    """
    root = Path(__file__).resolve().parents[2]
    qdir, sdir = root / "questionnaires", root / "sample_data"
    missing = [str(p) for p in (qdir, sdir) if not p.is_dir()]
    if missing:
        raise ReportError(
            f"the bundled sample was not found (looked for {' and '.join(missing)} next to "
            "the survey_kit package); run from a clone of the repository, or give "
            "QUESTIONNAIRE RESPONSES [--targets TARGETS] explicitly")
    return qdir, sdir


def bundled_surveys() -> list[tuple[Path, Path]]:
    """(questionnaire, raw export) pairs of the bundled sample, by questionnaire file name."""
    qdir, sdir = find_bundle()
    out = []
    for qpath in sorted(qdir.glob("*.yaml")):
        if qpath.name.endswith(".report.yaml"):
            continue
        try:
            # bounded like every YAML read; a file that fails is reported when it is loaded
            sid = (parse_yaml(qpath.read_text(encoding="utf-8"), ReportError, file=qpath)
                   or {})["survey"]["id"]
        except (KeyError, TypeError, ReportError, OSError, UnicodeDecodeError):
            sid = qpath.stem
        raw = sdir / f"{sid}_raw.csv"
        if raw.is_file():
            out.append((qpath, raw))
    if not out:
        raise ReportError(f"no questionnaire in {qdir} has a raw export <survey id>_raw.csv in "
                          f"{sdir}; regenerate the sample with 'survey-kit generate-sample'")
    return out


@dataclass(frozen=True, eq=False)
class SurveyReport:
    """What the report wrote for one survey."""

    survey_id: str
    folder: Path
    files: Mapping[str, Path]
    facts: Mapping[str, Any]
    reproduced: pd.DataFrame
    timings: Mapping[str, float]
    headline: str = ""
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class ReportResult(ResultMixin):
    """The report of one or more surveys: where the files are and the key numbers."""

    out: Path
    surveys: tuple[SurveyReport, ...]
    seconds: float
    lang: str = "en"
    files: Mapping[str, Path] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "survey": s.survey_id, "raw_n": s.facts["n_raw"], "kept_n": s.facts["n_kept"],
            "deff_kish": s.facts["deff_kish"], "n_effective": s.facts["n_effective"],
            "moe": s.facts["moe"], "moe_deff": s.facts["moe_deff"],
            "quoted": len(s.reproduced),
            "consistent": int(s.reproduced["consistent"].fillna(False).astype(bool).sum())
            if len(s.reproduced) else 0,
            "folder": str(s.folder)} for s in self.surveys])

    def __str__(self) -> str:
        return summary_text(self)


def _headline(rep: pd.DataFrame, summary_id: str | None = None) -> str:
    """One line on the spec's summary figure (default the first quoted one)."""
    if not len(rep):
        return ""
    hits = rep[rep["id"] == summary_id]
    row = hits.iloc[0] if len(hits) else rep.iloc[0]
    ci = f"95% CI {row['ci_low']:.1f}-{row['ci_high']:.1f}"
    val = (f"{row['level']} ({row['weighted']:.1f}%)" if row["relation"] == "mode"
           else f"{row['weighted']:.1f}%")
    return (f"{row['statement']}: published {row['published']}, reproduced {val} weighted "
            f"({ci}), {row['unweighted']:.1f}% unweighted")


def summary_text(result: ReportResult) -> str:
    """A few lines per survey: sample sizes, design effect, the headline figure, files."""
    lines = []
    for s in result.surveys:
        f = s.facts
        lines.append(f"{s.survey_id}: {f['n_raw']} read, {f['n_kept']} kept "
                     f"({f['n_excluded']} excluded); weighting deff {f['deff_kish']:.2f} "
                     f"(effective n {f['n_effective']:.0f}); margin of error "
                     f"±{f['moe']:.1f} pts, ±{f['moe_deff']:.1f} with deff")
        if s.headline:
            lines.append(f"  headline: {s.headline}")
        if len(s.reproduced):
            ok = int(s.reproduced["consistent"].fillna(False).astype(bool).sum())
            lines.append(f"  published vs reproduced: {ok} of {len(s.reproduced)} quoted "
                         "figures within the 95% CI of the data")
        if s.warnings:
            lines.append(f"  {len(s.warnings)} warning(s): see the Warnings table of the "
                         "appendix")
        for key in ("html", "md", "xlsx", "tex"):
            if key in s.files:
                lines.append(f"  {key:5s} {s.files[key]}")
        data = [str(p) for k, p in s.files.items() if k.startswith("data:")]
        if data:
            lines.append(f"  data  {s.folder / 'data'}/ ({len(data)} files)")
        nfig = sum(1 for k in s.files if k.startswith("figure:"))
        if nfig:
            lines.append(f"  figures {s.folder / 'figures'}/ ({nfig} files)")
    if "summary" in result.files:
        lines.append(f"summary: {result.files['summary']}")
    lines.append(f"done in {result.seconds:.1f} s")
    return "\n".join(lines)


def _data_meta(run: SurveyRun) -> dict[str, dict[str, Any]]:
    """Labels of the columns the report adds to the data: the weight, the spec's counts and
    every band (the questionnaire's and the counts'), so the .sav labels them all."""
    wres = run.weighting
    if wres is not None:
        weight = f"Final weight ({wres.method} to the population targets)"
    elif (run.data["weight"] == 1).all():
        weight = "Weight (all 1: no weighting)"
    else:
        weight = "Weight: the base weights (no population targets)"
    meta: dict[str, dict[str, Any]] = band_meta(run.instrument)
    for d in run.spec.derived:
        meta[d.id] = {"label": d.label, "measure": "scale"}
    meta["weight"] = {"label": weight, "measure": "scale"}
    return meta


def _write_data(run: SurveyRun, folder: Path) -> dict[str, Path]:
    """Cleaned and weighted respondents (CSV, Parquet, SAV with every column labelled, the
    bands included) and the excluded."""
    q = run.questionnaire
    spec = run.spec
    internal = [c for c in run.data.columns
                if any(c.startswith(f"{grid_net_id(h)}_") for h in spec.headlines
                       if h.net is not None)]
    data = run.data.drop(columns=internal)
    # respondents kept but flagged for review carry the flag in the data (review_<rule>)
    flags = review_flags(run, data.index)
    data = pd.concat([data, flags], axis=1) if len(flags.columns) else data
    meta = _data_meta(run) | {c: {"label": f"Kept, flagged for review by rule "
                                          f"{c.removeprefix('review_')}"} for c in flags.columns}
    data.attrs = {**run.data.attrs,
                  COLUMN_META: meta | dict(run.data.attrs.get(COLUMN_META) or {})}
    out = {}
    stem = f"{q.id}_clean_weighted"
    excluded = run.cleaning.excluded
    check_outputs([folder / f"{stem}.{fmt}" for fmt in DATA_FORMATS]
                  + ([folder / f"{q.id}_excluded.csv"] if len(excluded) else []))
    for fmt in DATA_FORMATS:
        out[f"data:{fmt}"] = write_responses(data, folder / f"{stem}.{fmt}", questionnaire=q,
                                             bands=True)
    if len(excluded):
        out["data:excluded"] = write_responses(excluded, folder / f"{q.id}_excluded.csv",
                                               questionnaire=q)
    return out


def _one_survey(job: tuple, progress: Any, options: Mapping[str, Any]) -> SurveyReport:
    """Read, clean, weight, tabulate and write one survey of a report."""
    qsrc, rsrc, tsrc = job
    label = Path(qsrc).stem if isinstance(qsrc, (str, os.PathLike)) else \
        getattr(qsrc, "id", "survey")

    def stage(name: str, seconds: float, detail: str) -> None:
        if progress is not None:
            progress(label, name, seconds, detail)

    o = options
    run = prepare(qsrc, rsrc, tsrc, design=o["design"], progress=stage, cleaning=o["cleaning"],
                  collapse=o["collapse"], missing_columns=o["missing_columns"],
                  not_stated=o["not_stated"])
    sid = run.questionnaire.id
    app = build_appendix(run, lang=o["lang"], figures=o["figures"], progress=stage)
    t0 = time.perf_counter()
    folder = o["out"] / sid
    files = app.write(folder, o["formats"], figures=o["figures"])
    if o["data"]:
        files.update(_write_data(run, folder / "data"))
    stage("write", time.perf_counter() - t0, f"{len(files)} files in {folder}")
    return SurveyReport(survey_id=sid, folder=folder, files=files, facts=dict(app.facts),
                        reproduced=app.reproduced, timings=dict(run.timings),
                        headline=_headline(app.reproduced, run.spec.summary),
                        warnings=app.warnings)


def _parallel(jobs: list) -> bool:
    """Several surveys given by path (so they cross to a process) and two or more cores."""
    return (len(jobs) > 1 and (os.cpu_count() or 1) > 1
            and all(isinstance(q, (str, os.PathLike)) for q, _, _ in jobs))


#: a worker process's end of the progress queue (set by the pool's initializer)
_RELAY: Any = None


def _relay_to(queue: Any) -> None:
    global _RELAY
    _RELAY = queue


def _relayed(label: str, stage: str, seconds: float, detail: str) -> None:
    _RELAY.put((label, stage, seconds, detail))


def _one_survey_relayed(job: tuple, options: Mapping[str, Any]) -> SurveyReport:
    """:func:`_one_survey` in a worker: progress goes to the parent through the queue,
    closed by a ``None`` after the last line."""
    try:
        return _one_survey(job, _relayed if _RELAY is not None else None, options)
    finally:
        if _RELAY is not None:
            _RELAY.put(None)


def _in_parallel(jobs: list, progress: Any, options: Mapping[str, Any]
                 ) -> list[SurveyReport] | None:
    """The surveys of a report, one process each (their figures are most of the time);
    their progress lines reach ``progress`` here, as they happen. None when a worker
    fails: the caller then runs them here, so the error raised is the real one with its
    message (an error may not survive the way back)."""
    import multiprocessing
    import queue as queues
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("fork")
    relay = ctx.Queue() if progress is not None else None
    try:
        with ProcessPoolExecutor(min(len(jobs), os.cpu_count() or 1), mp_context=ctx,
                                 initializer=_relay_to, initargs=(relay,)) as pool:
            futures = [pool.submit(_one_survey_relayed, job, options) for job in jobs]
            closed = 0
            while relay is not None and closed < len(jobs):
                try:
                    line = relay.get(timeout=0.2)
                except queues.Empty:
                    if any(f.done() and f.exception() is not None for f in futures):
                        return None
                    continue
                if line is None:
                    closed += 1
                else:
                    progress(*line)
            return [f.result() for f in futures]
    except Exception:  # noqa: BLE001 - rerun in this process to raise the real error
        return None


def _summary_markdown(result: ReportResult) -> str:
    lines = ["# survey_kit report", ""]
    for s in result.surveys:
        f = s.facts
        lines += [f"## {s.survey_id}", "",
                  f"- raw n: {f['n_raw']}; kept n: {f['n_kept']} ({f['n_excluded']} excluded)",
                  f"- weighting design effect (Kish): {f['deff_kish']:.2f}; effective sample "
                  f"size {f['n_effective']:.0f}",
                  f"- {moe_summary(f)}",
                  f"- appendix: {s.survey_id}/appendix.html (also .md, .xlsx, .tex)", ""]
        if s.headline:
            lines += [f"Headline: {s.headline}", ""]
        if len(s.reproduced):
            # each estimate beside its own CI, as in the appendix's Table 7
            frame = reproduced_table(s.reproduced, "en").drop(columns=["Note"])
            pct = [c for c in frame.columns if "%" in c or "CI" in c and c != "Published "
                   "value in 95% CI"]
            lines.append(table_markdown(Table(
                "reproduced", "Published vs reproduced", frame,
                formats=dict.fromkeys(pct, "pct") | {"n": "int"})))
    return "\n".join(lines).rstrip("\n") + "\n"


def _progress_printer(stream: Any) -> Callable[[str, str, float, str], None]:
    def show(survey: str, stage: str, seconds: float, detail: str) -> None:
        print(f"[{survey}] {stage:<9s} {seconds:6.2f} s  {detail}", file=stream, flush=True)
    return show


def run_report(questionnaire: Any = None, responses: Any = None, targets: Any = None, *,
               out: str | os.PathLike = "out", lang: str = "en",
               formats: Sequence[str] | None = None, data: bool = True,
               figures: bool = True,
               progress: Callable[[str, str, float, str], None] | bool | None = None,
               design: Mapping[str, Any] | None = None,
               cleaning: Mapping[str, Any] | None = None,
               collapse: Sequence[tuple[str, Sequence[str], str | None]] = (),
               missing_columns: str = "error", not_stated: str | None = None) -> ReportResult:
    """Run the whole job and write the report folder.

    Parameters
    ----------
    questionnaire : Questionnaire or path, optional
        With ``responses``: one survey. Without both: the bundled sample
        (every questionnaire in ``questionnaires/`` with its export in
        ``sample_data/``).
    responses : path or labelled DataFrame, optional
    targets : path, Targets or mapping, optional
        Default: the file the questionnaire names (``weighting.targets``).
    out : path
        Output folder (created); each survey gets ``out/<survey id>/``.
    lang : {"en", "ja"}
        Language of labels in tables and figures.
    formats : sequence of {"md", "html", "xlsx", "tex"}, optional
        Appendix formats; default all.
    data : bool
        Write the cleaned and weighted data (CSV, Parquet, SAV).
    figures : bool
        Draw and write the figures.
    progress : callable or bool, optional
        ``progress(survey, stage, seconds, detail)`` after each stage;
        ``True`` prints one line per stage to stderr.
    design : mapping, optional
        Overrides of the questionnaire's ``design`` section (``weights``,
        ``strata``, ``cluster``, ``fpc``, ``lonely_psu``), as in
        :func:`~survey_kit.report.run.prepare`; needs QUESTIONNAIRE and RESPONSES.
    cleaning, collapse, missing_columns, not_stated : optional
        Cleaning parameters (``--rule``), levels merged before weighting
        (``--collapse``), what a missing column does and how respondents with a missing
        weighting variable are weighted (``--not-stated``), as in
        :func:`~survey_kit.report.run.prepare`; applied to every survey run.

    Returns
    -------
    ReportResult
        ``str(result)`` is the short summary (raw n, kept n, design effect,
        the headline figure, where the files are).

    Raises
    ------
    UsageError
        Only one of questionnaire and responses given; unknown language or format.
    ReportError
        The bundled sample cannot be found, or an output cannot be written.
    """
    t_start = time.perf_counter()
    check_lang(lang)
    formats = tuple(FORMATS if formats is None else formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise UsageError(f"unknown format(s) {', '.join(bad)}; choose from {', '.join(FORMATS)}")
    if (questionnaire is None) != (responses is None):
        raise UsageError("give both QUESTIONNAIRE and RESPONSES, or neither to run on the "
                         "bundled sample")
    if targets is not None and questionnaire is None:
        raise UsageError("--targets needs QUESTIONNAIRE and RESPONSES")
    jobs = [(questionnaire, responses, targets)] if questionnaire is not None else \
        [(qp, rp, None) for qp, rp in bundled_surveys()]
    if progress is True:
        progress = _progress_printer(sys.stderr)
    elif progress is False:
        progress = None
    out = Path(out)
    check_outputs([out / "summary.md"])     # before the work: a file that may not be replaced
    options = dict(out=out, lang=lang, formats=formats, data=data, figures=figures,
                   design=design, cleaning=cleaning, collapse=collapse,
                   missing_columns=missing_columns, not_stated=not_stated)
    reports = _in_parallel(jobs, progress, options) if _parallel(jobs) else None
    if reports is None:
        reports = [_one_survey(job, progress, options) for job in jobs]
    result = ReportResult(out=out, surveys=tuple(reports),
                          seconds=time.perf_counter() - t_start, lang=lang)
    summary = write_text(out / "summary.md", _summary_markdown(result))
    return ReportResult(out=out, surveys=result.surveys, seconds=time.perf_counter() - t_start,
                        lang=lang, files={"summary": summary})
