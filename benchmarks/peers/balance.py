"""balance (Meta): raking through ``balance.weighting_methods.rake.rake``.

``convergence_rate=1e-8`` is the largest ``|achieved / target - 1|`` over the
margins (our criterion); ``rate_tolerance=0`` so that a slowly moving rate does
not stop it early; ``transformations=None`` keeps the categories as they are.
The target margins are given as ``target_margins`` (no synthetic target frame
needed).
"""

from __future__ import annotations

import logging

import numpy as np

from . import _common as c

NAME = "balance"
NOTES = {"rake": "rake(convergence_rate=1e-8, rate_tolerance=0): max |ach/target - 1| < 1e-8"}


def version() -> str:
    from importlib.metadata import version as v

    return v("balance")


def setup_rake(data):
    import pandas as pd

    logging.disable(logging.WARNING)
    from balance.weighting_methods.rake import rake

    frame = c.frame(data)
    targets = c.targets()
    sample = frame[list(targets)].reset_index(drop=True).astype(str)
    ones = pd.Series(np.ones(len(frame)))

    def run():
        return rake(sample, ones, None, None, target_margins=targets, transformations=None,
                    na_action="drop", convergence_rate=1e-8, rate_tolerance=0.0,
                    max_iteration=1000)

    def extract(out):
        model = out.get("model", {})
        return {"weights": out["weight"].to_numpy(dtype=float),
                "converged": bool(model.get("converged", 1))}

    return run, extract


TASKS = {"rake": setup_rake}
