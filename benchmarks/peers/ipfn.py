"""ipfn (iterative proportional fitting of N-dimensional arrays).

Two ways, both timed: ``ipfn`` -- the fastest, on the 4 x 10 x 8 array of
respondent counts (``ipfn_np``), the aggregation to that array and the mapping
of the factors back to respondents written by hand in this adapter (numpy
bincount and gather, i.e. most of what the numpy floor does); ``ipfn-df`` --
ipfn's own respondent-level mode on a DataFrame with a weight column, which
loops over levels with boolean masks of the whole frame.
``convergence_rate=1e-8`` is the largest ``|achieved / target - 1|``;
``rate_tolerance=0``.
"""

from __future__ import annotations

import numpy as np

from . import _common as c

NAME = "ipfn"
NOTES = {"rake": "ipfn_np on the count array built by the adapter (numpy aggregation and "
                 "mapping back written by hand, timed), convergence_rate=1e-8, rate_tolerance=0",
         "df_rake": "ipfn on the respondent DataFrame (weight column), convergence_rate=1e-8, "
                    "rate_tolerance=0"}


def version() -> str:
    from importlib.metadata import version as v

    return v("ipfn")


def setup_rake(data):
    from ipfn import ipfn

    frame = c.frame(data)
    targets = c.targets()
    names = list(targets)
    shape = tuple(len(targets[v]) for v in names)
    aggregates = [np.array(list(targets[v].values())) for v in names]

    def run():
        codes = [np.asarray(frame[v].array.codes) for v in names]
        key = np.ravel_multi_index(codes, shape)
        m = np.bincount(key, minlength=int(np.prod(shape))).reshape(shape).astype(float)
        fitted, converged = ipfn.ipfn(m.copy(), aggregates, [[0], [1], [2]],
                                      convergence_rate=1e-8, rate_tolerance=0.0,
                                      max_iteration=1000, verbose=1).iteration()
        with np.errstate(invalid="ignore", divide="ignore"):
            g = np.where(m > 0, fitted / m, 0.0).ravel()
        return g[key], converged

    return run, lambda out: {"weights": out[0], "converged": bool(out[1])}


TASKS = {"rake": setup_rake}


def setup_df_rake(data):
    """ipfn's own respondent-level mode: a DataFrame with a weight column."""
    import pandas as pd
    from ipfn import ipfn

    frame = c.frame(data)
    targets = c.targets()
    names = list(targets)
    df = frame[names].astype(str).reset_index(drop=True)
    df["rid"] = np.arange(len(df))
    df["total"] = 1.0
    aggregates = [pd.Series(targets[v]) for v in names]

    def run():
        return ipfn.ipfn(df.copy(), aggregates, [[v] for v in names], weight_col="total",
                         convergence_rate=1e-8, rate_tolerance=0.0, max_iteration=1000,
                         verbose=1).iteration()

    def extract(out):
        fitted, converged = out
        fitted = fitted.sort_values("rid")
        return {"weights": fitted["total"].to_numpy(dtype=float), "converged": bool(converged)}

    return run, extract


TASKS["df_rake"] = setup_df_rake
