"""svy (the successor of samplics; polars front end, Rust engine).

Raking: ``Sample.weighting.rake(controls=..., tol=1e-8)`` (``tol`` is the
largest relative margin misfit, the same criterion as ours). Tables:
``Sample.categorical.tabulate(row, col)``, which estimates the cells with their
SEs and runs the Rao-Scott tests; after ``rake`` the design records the
adjustment and the variance is calibration-aware.
"""

from __future__ import annotations

from . import _common as c

NAME = "svy"
NOTES = {
    "rake": "Sample.weighting.rake(tol=1e-8): max relative margin misfit < 1e-8",
    "chisq_fixed": "Sample(Design(wgt='w')).categorical.tabulate('cat4','cat5').stats.f "
                   "(cells + SEs + tests)",
    "chisq_raked": "tabulate on the Sample returned by weighting.rake(tol=1e-10) "
                   "(calibration-aware)",
}


def version() -> str:
    from importlib.metadata import version as v

    return v("svy")


def _polars(frame):
    import polars as pl

    return pl.from_pandas(frame.reset_index().assign(one=1.0))


def setup_rake(data):
    import svy

    sample = svy.Sample(_polars(c.frame(data)), svy.Design(wgt="one"))
    targets = c.targets()

    def run():
        return sample.weighting.rake(controls=targets, tol=1e-8, max_iter=1000)

    return run, lambda s: {"weights": s.data["rk_wgt"].to_numpy().astype(float)}


def _extract(tab):
    f = tab.stats.f
    return {"F": float(f.value), "ndf": float(f.df_num), "ddf": float(f.df_den),
            "p": float(f.p_value)}


def setup_chisq_fixed(data):
    import svy

    sample = svy.Sample(_polars(c.frame(data)), svy.Design(wgt="w"))
    return (lambda: sample.categorical.tabulate("cat4", "cat5")), _extract


def setup_chisq_raked(data):
    import svy

    sample = svy.Sample(_polars(c.frame(data)), svy.Design(wgt="one"))
    raked = sample.weighting.rake(controls=c.targets(), tol=1e-10, max_iter=1000)
    return (lambda: raked.categorical.tabulate("cat4", "cat5")), _extract


TASKS = {"rake": setup_rake, "chisq_fixed": setup_chisq_fixed,
         "chisq_raked": setup_chisq_raked}
