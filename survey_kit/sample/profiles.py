"""Answer profiles: how the sample of each survey is generated (data).

A :class:`Profile` holds the number of raw rows, the planted defects and how
many rows carry each combination of them, the median duration, the answer model
(:func:`~survey_kit.sample.firms.firm_answers`,
:func:`~survey_kit.sample.creators.creator_answers`), the open-ended text pools
and the illustrative population targets. :data:`PROFILES` calibrates the two
bundled surveys; any other instrument gets :func:`fallback_profile`: uniform
answers and the defects its quality section allows.

Example
-------
>>> p = PROFILES["japan_creators_2024"]
>>> p.n, p.duration_median, sum(k for _, k in p.combos)
(140, 330.0, 20)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .comments import CREATOR_COMMENTS_EN, CREATOR_COMMENTS_JA, FIRM_COMMENTS_EN, FIRM_COMMENTS_JA
from .creators import creator_answers, creator_headlines
from .firms import firm_answers, firm_headlines
from .variables import InstrumentView

__all__ = ["PROFILES", "Profile", "fallback_profile"]


@dataclass(frozen=True)
class Profile:
    """How one instrument's sample is generated."""

    n: int                                             # raw rows by default
    combos: tuple[tuple[tuple[str, ...], int], ...]    # defect combinations, rows at n
    duration_median: float                             # seconds, honest completes
    answers: Callable | None = None                    # (rng, inst, clean) -> {var: array}
    headlines: Callable | None = None                  # (sheet, clean, inst) -> rows
    repeat_shift: float = 0.0                          # honest repeats one band off
    comment_rate: float = 0.35
    ja_share: float = 0.8
    comments_ja: tuple[str, ...] = ()
    comments_en: tuple[str, ...] = ()
    targets: tuple[tuple[str, str, int], ...] = ()
    targets_note: str = ""


PROFILES: dict[str, Profile] = {
    "japan_digital_services_2024": Profile(
        n=700,
        combos=(
            (("screened_out",), 16),
            (("partial",), 16),
            (("speeder",), 6),
            (("speeder", "straightline:impact"), 3),
            (("speeder", "trap_fruit"), 2),
            (("speeder", "gibberish:comments"), 1),
            (("trap_fruit",), 5),
            (("trap_fruit", "trap_foreign_share"), 1),
            (("trap_grid_row",), 5),
            (("trap_foreign_share",), 4),
            (("straightline:impact",), 4),
            (("straightline:attitudes", "trap_grid_row"), 4),
            (("straightline:attitudes",), 1),
            (("export_share_range", "revenue_shares_add_up"), 3),
            (("employees_range",), 3),
            (("size_matches_employees",), 4),
            (("revenue_shares_add_up",), 4),
            (("none_used_but_foreign_spend",), 3),
            (("gibberish:comments",), 4),
            (("gibberish:comments", "trap_fruit"), 1),
            (("duplicate_id",), 4),
            (("duplicate_fingerprint",), 3),
            (("near_duplicate",), 3),
        ),
        duration_median=540.0,
        answers=firm_answers,
        headlines=firm_headlines,
        repeat_shift=0.12,
        comment_rate=0.45,
        ja_share=0.8,
        comments_ja=FIRM_COMMENTS_JA,
        comments_en=FIRM_COMMENTS_EN,
        targets=(
            ("size_class", "micro", 520000),
            ("size_class", "small", 140000),
            ("size_class", "medium", 44000),
            ("size_class", "large", 6000),
            ("sector", "manufacturing", 340000),
            ("sector", "business_services", 300000),
            ("sector", "digital_services", 70000),
        ),
        targets_note=(
            "# ILLUSTRATIVE population targets for the synthetic sample -- "
            "NOT official statistics.\n"
            "# Unit: enterprises operating in Japan in manufacturing and digitally deliverable\n"
            "# services, by size class (employees: micro 1-10, small 11-50, medium 51-500,\n"
            "# large over 500) and by sector. Both margins sum to the same total (710,000).\n"
            "# The orders of magnitude follow the published structure of Japanese enterprises\n"
            "# (micro firms are by far the most numerous), but the numbers are rounded "
            "inventions.\n"
            "# Official counts: Economic Census for Business Activity (Statistics Bureau of Japan\n"
            "# and METI), tables of enterprises by industry (JSIC) and by number of persons\n"
            "# employed; e-Stat (https://www.e-stat.go.jp) publishes them. To use real figures,\n"
            "# replace the target column with the census counts for the same size classes and\n"
            "# sectors (map JSIC divisions to the three sectors; the two margins must add up to\n"
            "# the same total) and keep the variable,level columns as they are; set status to\n"
            "# official, source to the census table and date to its reference date.\n"),
    ),
    "japan_creators_2024": Profile(
        n=140,
        combos=(
            (("screened_out",), 4),
            (("partial",), 3),
            (("speeder",), 2),
            (("speeder", "trap_colour"), 1),
            (("trap_grid_row",), 1),
            (("trap_colour",), 1),
            (("trap_foreign_budget",), 2),
            (("straightline:outlook", "trap_grid_row"), 1),
            (("export_share_range",), 1),
            (("gibberish:comments",), 1),
            (("duplicate_id",), 1),
            (("duplicate_fingerprint",), 1),
            (("near_duplicate",), 1),
        ),
        duration_median=330.0,
        answers=creator_answers,
        headlines=creator_headlines,
        comment_rate=0.40,
        ja_share=0.8,
        comments_ja=CREATOR_COMMENTS_JA,
        comments_en=CREATOR_COMMENTS_EN,
        targets=(
            ("screener_creator", "individual", 250000),
            ("screener_creator", "firm", 60000),
        ),
        targets_note=(
            "# ILLUSTRATIVE population targets for the synthetic creators sample -- NOT official\n"
            "# statistics. Unit: professional creators in Japan, individual creators and\n"
            "# influencers versus staff of creative firms (one respondent per firm).\n"
            "# No single official count exists. Firms: Economic Census for Business Activity\n"
            "# (Statistics Bureau of Japan / METI), JSIC division 41 'video picture, sound\n"
            "# information, character information production' plus advertising and design.\n"
            "# Individuals: Employment Status Survey (Statistics Bureau of Japan) counts of\n"
            "# self-employed workers in creative occupations, or the government's freelance\n"
            "# surveys. To use real figures, replace the target column and keep variable,level;\n"
            "# set status to official, source to the statistics used and date to their date.\n"),
    ),
}


def fallback_profile(inst: InstrumentView) -> Profile:
    """Defect plan for an instrument without a calibrated profile (rates per 1000 rows)."""
    combos: list[tuple[tuple[str, ...], int]] = []
    if inst.q.survey.screening:
        combos.append((("screened_out",), 22))
    if any(x.required for x in inst.questions[1:]):
        combos.append((("partial",), 22))
    combos.append((("speeder",), 15))
    sums = {q: r.id for r in inst.rules.values() if r.kind == "sum" for q in r.questions}
    for t in inst.traps.values():
        combos.append(((t.id,), 8))
    for g in inst.q.grids():
        combos.append(((f"straightline:{g.id}",), 6))
    for r in inst.rules.values():
        if r.kind == "range" and r.question in sums and sums[r.question] != r.id:
            combos.append(((r.id, sums[r.question]), 5))
        else:
            combos.append(((r.id,), 5))
    for name in inst.q.quality.open_ended:
        combos.append(((f"gibberish:{name}",), 6))
    combos += [(("duplicate_id",), 6), (("duplicate_fingerprint",), 4), (("near_duplicate",), 4)]
    return Profile(n=500, combos=tuple((c, k * 0.7) for c, k in combos), duration_median=420.0)
