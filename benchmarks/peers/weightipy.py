"""weightipy (RIM weighting, the quantipy engine).

``Rim(convcrit=...)`` stops when a sweep no longer shrinks the total absolute
change of the weights by the fraction ``convcrit``; it has no margin-error
criterion. We pass ``convcrit=1e-12`` (sweep until the change stops falling:
the tightest it offers). Its weights are factors with mean 1; they are scaled to
the population total before the comparison (the ratio of weights is what it
computes).
"""

from __future__ import annotations

from . import _common as c

NAME = "weightipy"
NOTES = {"rake": "Rim(convcrit=1e-12): sweep while the weight change still falls "
                 "(no margin criterion); factor weights scaled to the total"}


def version() -> str:
    from importlib.metadata import version as v

    return v("weightipy")


def setup_rake(data):
    import weightipy as wp

    frame = c.frame(data)
    targets = c.targets()
    shares = {v: {k: val / c.POP_TOTAL * 100.0 for k, val in t.items()}
              for v, t in targets.items()}
    scheme = wp.scheme_from_dict(shares, rim_params={"convcrit": 1e-12,
                                                     "max_iterations": 1000})
    sample = frame[list(targets)].reset_index(drop=True)

    def run():
        return wp.weight(sample, scheme)

    def extract(w):
        w = w.to_numpy(dtype=float)
        return {"weights": w * (c.POP_TOTAL / w.sum())}

    return run, extract


TASKS = {"rake": setup_rake}
