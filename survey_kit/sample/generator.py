"""Seeded generator of synthetic raw panel exports: the files in ``sample_data/``.

The generator reads everything it writes from the questionnaire: export
columns, answer codes, missing codes, trap items, plausibility rules, bands
and screening conditions. It then

1. draws honest answers for every respondent. For the two reference
   instruments a *profile* reproduces the associations reported in the
   reference study (:mod:`~survey_kit.sample.profiles`); for any other
   instrument the answers are drawn uniformly from the options. Honest
   answers satisfy every trap and rule of the instrument, no grid is answered
   identically throughout and no two respondents are near duplicates
   (:mod:`~survey_kit.sample.respondents`, :mod:`~survey_kit.sample.similarity`);
2. plants quality defects at realistic rates (screen-outs, partial
   completes, speeders, trap failures, straight-lining, out-of-range and
   inconsistent answers, gibberish open ends), some respondents carrying
   more than one (:mod:`~survey_kit.sample.defects`);
3. appends duplicate records (the same respondent id repeated, the same
   device fingerprint with identical answers under a new id, near
   duplicates);
4. encodes the answers with the instrument's codes into the raw export
   layout, and records which defects were planted in which row
   (:mod:`~survey_kit.sample.export`).

Everything is driven by ``numpy.random.default_rng(seed)``: the same seed
and size give the same bytes (:mod:`~survey_kit.sample.simulate` runs the
steps). This module holds the public functions and writes ``sample_data/``
with its README (:mod:`~survey_kit.sample.readme`).

Example
-------
>>> import survey_kit as sk
>>> raw = sk.generate_sample("japan_digital_services_2024", seed=1, n=300)
>>> raw.shape[0]
300
>>> from survey_kit.sample.generator import planted_defects
>>> planted_defects("japan_digital_services_2024", seed=1, n=300)["defect"].nunique() > 10
True

Notes
-----
Defect list. Every row that carries a defect is listed once per defect
(:func:`planted_defects`); the test suite re-detects each kind of defect from
the raw export alone and checks that the two lists agree exactly.

References
----------
Nextrade Group (2024), survey of Japanese firms on digital services,
Appendix I of "Gains from Digital Services Imports in Japan".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from .._files import check_outputs, write_text
from ..errors import QuestionnaireError, UsageError
from ..instrument.questionnaire import Questionnaire, load_questionnaire
from .export import csv_text, defects_name, raw_name, targets_name
from .profiles import PROFILES
from .readme import readme_text
from .simulate import Sample, simulate

__all__ = ["DEFAULT_SEED", "SAMPLE_SURVEYS", "generate_sample", "planted_defects",
           "population_targets", "sample_headlines", "write_sample"]

#: The seed of the committed sample in ``sample_data/``.
DEFAULT_SEED = 20240705

#: Instruments with a calibrated profile, in the order ``write_sample`` writes them.
SAMPLE_SURVEYS = ("japan_digital_services_2024", "japan_creators_2024")

_QDIR = Path(__file__).resolve().parents[2] / "questionnaires"


def _resolve(survey: Any) -> Questionnaire:
    """The questionnaire of a survey id, a YAML path or a Questionnaire."""
    if isinstance(survey, Questionnaire):
        return survey
    if not isinstance(survey, (str, Path)):
        raise UsageError(f"survey must be a survey id ({', '.join(SAMPLE_SURVEYS)}), the path "
                         f"of a questionnaire YAML or a Questionnaire, not {type(survey).__name__}")
    path = Path(survey)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        return load_questionnaire(path)
    candidate = _QDIR / f"{survey}.yaml"
    if not candidate.exists():
        known = sorted(p.stem for p in _QDIR.glob("*.yaml")) if _QDIR.is_dir() else []
        raise UsageError(f"unknown survey {str(survey)!r}; give one of "
                         f"{', '.join(known) or ', '.join(SAMPLE_SURVEYS)} or the path of a "
                         "questionnaire YAML")
    return load_questionnaire(candidate)


_CACHE: dict[tuple, Sample] = {}


def _sample(survey: Any, seed: int, n: int | None) -> Sample:
    """Simulate, remembering the last few results for surveys named by id or path
    (so that the raw export and its defect list come from one run)."""
    q = _resolve(survey)
    if isinstance(survey, Questionnaire) or q.source is None:
        return simulate(q, seed, n)
    src = Path(q.source)
    key = (str(src.resolve()), src.stat().st_mtime_ns, seed, n)
    if key not in _CACHE:
        if len(_CACHE) >= 4:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = simulate(q, seed, n)
    return _CACHE[key]


def generate_sample(survey: Any = "japan_digital_services_2024", seed: int = DEFAULT_SEED,
                    n: int | None = None) -> pd.DataFrame:
    """A synthetic raw export of a survey, as the panel would deliver it.

    Parameters
    ----------
    survey : str, path or Questionnaire
        A survey id with a YAML in ``questionnaires/`` (``"japan_digital_services_2024"``,
        ``"japan_creators_2024"``), the path of a questionnaire YAML, or a loaded
        :class:`~survey_kit.instrument.questionnaire.Questionnaire`. Instruments without a
        calibrated profile get uniform answers and the defects their quality section allows.
    seed : int
        Seed of ``numpy.random.default_rng``; the committed sample uses :data:`DEFAULT_SEED`.
    n : int, optional
        Number of raw rows (duplicates included). Defaults to 700 firms / 140 creators,
        about 600 / 120 of which survive cleaning.

    Returns
    -------
    pandas.DataFrame
        One row per raw response in file order; columns are the export columns of the
        instrument (respondent id first). Answer columns hold the instrument's codes as
        nullable integers (``<NA>`` = blank cell); times and open ends are strings.

    Raises
    ------
    UsageError
        Unknown survey id, or ``n``/``seed`` not usable.
    QuestionnaireError
        The instrument lacks a question the calibrated profile relies on.

    Example
    -------
    >>> import survey_kit as sk
    >>> raw = sk.generate_sample("japan_creators_2024", seed=3)
    >>> list(raw.columns[:3])
    ['respondent_id', 'duration_sec', 'device_type']
    """
    return _sample(survey, seed, n).raw.copy()


def planted_defects(survey: Any = "japan_digital_services_2024", seed: int = DEFAULT_SEED,
                    n: int | None = None) -> pd.DataFrame:
    """Which defects :func:`generate_sample` planted in which row (a test aid).

    Returns a DataFrame with columns ``row`` (0-based position in the raw export),
    the respondent id as exported, ``frame_id`` (the index label
    ``read_responses(..., duplicate_ids="keep")`` gives the row), ``defect`` and
    ``detail``. A row carrying several defects appears once per defect. Defect
    names are ``screened_out``, ``partial``, ``speeder``, trap and rule ids of the
    questionnaire, ``straightline:<grid>``, ``gibberish:<open question>``,
    ``duplicate_id``, ``duplicate_fingerprint`` and ``near_duplicate`` (the copy,
    not the original, is listed).
    """
    return _sample(survey, seed, n).defects.copy()


def sample_headlines(survey: Any = "japan_digital_services_2024", seed: int = DEFAULT_SEED,
                     n: int | None = None) -> pd.DataFrame:
    """The reference study's findings next to their values on the sample's clean rows."""
    return _sample(survey, seed, n).headlines.copy()


def population_targets(survey: Any = "japan_digital_services_2024") -> pd.DataFrame:
    """Illustrative population targets (variable, level, target, status, source, date).

    The levels are option keys of the questionnaire; every weighting variable's
    margin sums to the same total. ``status`` is ``illustrative`` on every row,
    ``source`` says the figures are inventions of the generator and ``date`` is
    blank (they describe no reference date).
    """
    q = _resolve(survey)
    profile = PROFILES.get(q.survey.id)
    if profile is None or not profile.targets:
        raise UsageError(f"no illustrative targets for survey {q.survey.id!r}; give the "
                         "population counts yourself as a CSV with columns variable,level,target")
    frame = pd.DataFrame(list(profile.targets), columns=["variable", "level", "target"])
    frame["status"] = "illustrative"
    frame["source"] = "survey_kit sample generator"
    frame["date"] = ""
    for var, level in zip(frame["variable"], frame["level"]):
        if level not in q.levels(var):
            raise QuestionnaireError(f"target level {level!r} is not an option of {var!r}",
                                     file=q.source)
    return frame


def write_sample(out_dir: str | Path = "sample_data", seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the whole synthetic sample (raw exports, defects, targets, README).

    Files are UTF-8 with ``\\n`` line endings, no index column, written
    atomically; the same seed gives the same bytes. Under the CLI's output
    rules (``survey-kit generate-sample``), every file is checked before the
    first is written: a file there that survey-kit did not write (a README of
    your own) stops the command with nothing written, unless ``--force``.

    Parameters
    ----------
    out_dir : path
        Folder to write into (created if needed).
    seed : int
        Seed; :data:`DEFAULT_SEED` reproduces the committed ``sample_data/``.

    Returns
    -------
    list of Path
        The files written, in the order listed in the README.

    Example
    -------
    >>> import tempfile
    >>> paths = write_sample(tempfile.mkdtemp())
    >>> [p.name for p in paths][-2:]
    ['japan_creators_population_targets.csv', 'README.md']
    """
    out = Path(out_dir)
    files: list[tuple[str, str]] = []
    parts = []
    for sid in SAMPLE_SURVEYS:
        q = _resolve(sid)
        s = _sample(sid, seed, None)
        profile = PROFILES[sid]
        targets = population_targets(q)
        files += [(raw_name(sid), csv_text(s.raw)),
                  (defects_name(sid), csv_text(s.defects)),
                  (targets_name(q), profile.targets_note + csv_text(targets))]
        parts.append((q, s, targets))
    files.append(("README.md", readme_text(parts, seed)))
    # a file that may not be replaced (not written by survey-kit) stops the run before any write
    check_outputs(out / name for name, _ in files)
    return [write_text(out / name, text) for name, text in files]
