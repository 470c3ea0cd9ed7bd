"""Drawing the appendix figures: survey_kit's bar charts against seaborn's barplot.

The report's draw stage is most of ``survey-kit report``. This script takes the
nine banner tables of the bundled firm survey and draws each figure (PNG at
200 dpi and SVG) two ways in one run, on the same data, with the same size,
labels, CIs, caption and crop:

- ``survey_kit``: :func:`survey_kit.report.figures.bar_figure` (matplotlib bars);
- ``seaborn``: the same figure with ``seaborn.barplot`` drawing the bars (what
  survey_kit used before).

It prints the CPU seconds of each (best of ``--reps``; CPU time, so that other
work on a shared machine counts less) and their ratio, and the wall time of
``run_report`` on the bundled sample.

    .venv/bin/python benchmarks/figures.py --reps 3
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]


def _seaborn_bars(ax, full, levels, groups, wrapped) -> None:
    """The bars as seaborn draws them (the peer)."""
    import seaborn as sns

    from survey_kit.report.figures import _palette

    sns.barplot(data=full, y="ylab", x="plot", hue="group",
                order=[wrapped[lv] for lv in levels], hue_order=groups,
                palette=_palette(groups), errorbar=None, orient="h", ax=ax, saturation=1.0,
                legend=len(groups) > 1)


def _cpu(fn, reps: int) -> float:
    best = float("inf")
    for _ in range(reps):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()

    import survey_kit.report.figures as figs
    from survey_kit.report.appendix import build_appendix
    from survey_kit.report.outputs import run_report
    from survey_kit.report.run import prepare

    run = prepare(ROOT / "questionnaires" / "japan_digital_services_2024.yaml",
                  ROOT / "sample_data" / "japan_digital_services_2024_raw.csv")
    app = build_appendix(run, figures=False)
    tables = {h.id: app.tables[h.id] for h in run.spec.headlines}
    figs.draw_figures(dict(list(tables.items())[:1]))          # imports, fonts
    ours = _cpu(lambda: figs.draw_figures(tables), args.reps)
    with mock.patch.object(figs, "_draw_bars", _seaborn_bars):
        figs.draw_figures(dict(list(tables.items())[:1]))
        peer = _cpu(lambda: figs.draw_figures(tables), args.reps)
    print(f"{len(tables)} figures (PNG 200 dpi + SVG), CPU seconds, best of {args.reps}:")
    print(f"  survey_kit  {ours:6.2f} s")
    print(f"  seaborn     {peer:6.2f} s   ({peer / ours:.2f}x survey_kit)")
    out = Path(tempfile.mkdtemp(prefix="sk-bench-report-"))
    try:
        t = time.perf_counter()
        run_report(out=out / "out")
        print(f"survey-kit report on the bundled sample: {time.perf_counter() - t:.1f} s wall")
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
