"""samplics (archived upstream; its successor is svy).

Raking: ``SampleWeight().rake`` with ``ctrl_tol=1e-8`` (relative distance of
each margin to its control; the change-between-sweeps criterion ``tol`` is set
to 1 so that only the margins decide). Tables: ``CrossTabulation.tabulate``
(Rao-Scott F), which needs polars < 2: run this adapter in a virtualenv of its
own (``--tool-python samplics=...``; see README). samplics has no calibrated
design: on the raked task it treats the raked weights as fixed sampling
weights, so its SEs (and F) are not calibration-aware; its p-values are
``1 - cdf``.
"""

from __future__ import annotations

import warnings

import numpy as np

from . import _common as c

NAME = "samplics"
NOTES = {
    "rake": "SampleWeight.rake(ctrl_tol=1e-8, tol=1): relative margin error < 1e-8",
    "chisq_fixed": "CrossTabulation(prop).tabulate(samp_weight=w); Pearson-Adj; p = 1 - cdf",
    "chisq_raked": "raked weights used as fixed weights (no calibration-aware variance)",
}


def version() -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from importlib.metadata import version as v

        return v("samplics")


def _import():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import samplics  # noqa: F401
        from samplics.categorical import CrossTabulation
        from samplics.utils import PopParam
        from samplics.weighting import SampleWeight
    return CrossTabulation, PopParam, SampleWeight


def setup_rake(data):
    _, _, SampleWeight = _import()
    frame = c.frame(data)
    targets = c.targets()
    margins = {v: frame[v].astype(str).to_numpy() for v in targets}
    ones = np.ones(len(frame))

    def run():
        return SampleWeight().rake(samp_weight=ones, margins=margins, control=targets,
                                   tol=1.0, ctrl_tol=1e-8, max_iter=1000)

    return run, lambda w: {"weights": np.asarray(w, dtype=float)}


def _tab(weights, frame):
    CrossTabulation, PopParam, _ = _import()
    vars_ = frame[["cat4", "cat5"]].astype(str)

    def run():
        ct = CrossTabulation(param=PopParam.prop)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ct.tabulate(vars=vars_, samp_weight=weights, remove_nan=False)
        return ct

    def extract(ct):
        s = ct.stats["Pearson-Adj"]
        return {"F": float(s["f_value"]), "ndf": float(s["df_num"]),
                "ddf": float(s["df_den"]), "p": float(s["p_value"])}

    return run, extract


def setup_chisq_fixed(data):
    frame = c.frame(data)
    return _tab(frame["w"].to_numpy(), frame)


def setup_chisq_raked(data):
    _, _, SampleWeight = _import()
    frame = c.frame(data)
    targets = c.targets()
    margins = {v: frame[v].astype(str).to_numpy() for v in targets}
    w = SampleWeight().rake(samp_weight=np.ones(len(frame)), margins=margins,
                            control=targets, tol=1.0, ctrl_tol=1e-12, max_iter=1000)
    return _tab(np.asarray(w, dtype=float), frame)


TASKS = {"rake": setup_rake, "chisq_fixed": setup_chisq_fixed,
         "chisq_raked": setup_chisq_raked}
