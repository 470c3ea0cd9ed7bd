"""Later sampling stages of a multistage design: units nested in the PSUs, and their fpc.

A two-stage sample draws PSUs (stage 1) and then units within each sampled
PSU (stage 2), and so on. With a finite population correction at every stage
(R ``svydesign(id = ~psu + ssu, fpc = ~fpc1 + fpc2)``), the variance of a
total gains one term per later stage: within each sampled unit of stage
``s - 1``, the centred sum of squares of its stage-``s`` unit totals, scaled by
``(1 - f) n / (n - 1)`` and by the sampling fractions of all the stages above
(R's ``svyrecvar`` recursion; Lumley 2004; Sarndal, Swensson and Wretman 1992,
sec. 4.3). Without fpc only the first stage counts (the "ultimate cluster"
variance), as in R.

This module reads the later stages; :func:`survey_kit.design.variance.later_stages_vcov`
computes their variance terms.

Example
-------
>>> import pandas as pd
>>> frame = pd.DataFrame({"psu": [1, 1, 1, 2, 2], "ssu": [1, 2, 2, 1, 2],
...                       "n2": [10, 10, 10, 4, 4]})
>>> psu = np.array([0, 0, 0, 1, 1])
>>> [stage] = later_stages(frame, ["psu", "ssu"], ["n2", "n2"], psu, 2,
...                        np.array([0.5, 0.5]))
>>> stage.unit.tolist(), stage.n_in_parent.tolist(), stage.remaining.tolist()
([0, 1, 1, 2, 3], [2, 2], [0.8, 0.5])
>>> stage.above.tolist()                 # sampling fraction of each PSU's stratum
[0.5, 0.5]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DesignError
from .structure import check_no_missing, fpc_numbers, popsize_per_group, resolve

__all__ = ["Stage", "later_stages", "split_stages"]


@dataclass(frozen=True)
class Stage:
    """One later stage (2, 3, ...): its units and, per parent unit, n, 1 - f and the
    product of the sampling fractions of the stages above."""

    number: int
    name: str | None
    unit: np.ndarray          # code of the row's unit at this stage, 0..U-1
    unit_parent: np.ndarray   # code of each unit's parent (a unit of the stage above)
    row_parent: np.ndarray    # code of each row's parent
    parent_labels: np.ndarray  # a readable label of each parent, for messages
    n_in_parent: np.ndarray   # sampled units in each parent
    remaining: np.ndarray     # 1 - sampling fraction, per parent
    above: np.ndarray         # product of the sampling fractions above, per parent

    @property
    def n_units(self) -> int:
        return len(self.unit_parent)

    @property
    def n_parents(self) -> int:
        return len(self.n_in_parent)

    def sampled_fraction(self) -> np.ndarray:
        """Sampling fraction of this stage within each parent (n / N)."""
        return 1.0 - self.remaining


def _is_stage_list(frame: pd.DataFrame, spec: Any) -> bool:
    """True for a list with one specification per stage (column names, None, or
    one-value-per-row arrays), False for one value per row."""
    if not isinstance(spec, (list, tuple)):
        return False
    if len(spec) == 0:
        return True
    n = len(frame)
    if len(spec) != n and all(isinstance(item, str) or item is None for item in spec):
        return True                  # names of columns (an unknown one is named later)
    for item in spec:
        if item is None or (isinstance(item, str) and item in frame.columns):
            continue
        if isinstance(item, (pd.Series, np.ndarray, list, tuple)) and len(item) == n:
            continue
        return False
    return True


def split_stages(frame: pd.DataFrame, cluster: Any, fpc: Any) -> tuple[Any, Any, list, list]:
    """First-stage cluster and fpc, and the lists of all stages' clusters and fpcs.

    ``cluster`` (and ``fpc``) may be one specification or a list with one per
    stage (column names, or arrays of one value per row); a list of fpcs needs
    one entry per stage. A list of plain values is one value per row.
    """
    clusters = list(cluster) if _is_stage_list(frame, cluster) else [cluster]
    if not clusters:
        raise DesignError("cluster is an empty list; give one id column per stage")
    if len(clusters) > 1 and _is_stage_list(frame, fpc):
        fpcs = list(fpc)
        if len(fpcs) != len(clusters):
            raise DesignError(f"fpc gives {len(fpcs)} stage(s) but cluster gives "
                              f"{len(clusters)}; give one fpc per stage (or none)")
    else:
        fpcs = [fpc] + [None] * (len(clusters) - 1)
    if len(clusters) > 1 and clusters[0] is None:
        raise DesignError("the first stage of a multistage cluster list is None; name the "
                          "PSU column first")
    return clusters[0], fpcs[0], clusters, fpcs


def later_stages(frame: pd.DataFrame, clusters: Sequence[Any], fpcs: Sequence[Any],
                 psu: np.ndarray, n_psu: int, psu_fraction: np.ndarray) -> tuple[Stage, ...]:
    """The stages after the first, when every stage has an fpc (else none: R's
    ultimate-cluster variance).

    ``psu`` is the stage-1 unit of each row (``n_psu`` of them) and
    ``psu_fraction`` the stage-1 sampling fraction of each PSU.
    """
    if len(clusters) < 2 or any(f is None for f in fpcs):
        if len(clusters) > 1 and fpcs[0] is not None and any(f is None for f in fpcs[1:]):
            raise DesignError("fpc is given for the first stage only; give one fpc per "
                              "stage, or none (first-stage variance only)")
        return ()
    stages = []
    parent, parent_labels, above = psu, np.arange(n_psu).astype(str), psu_fraction
    for number, (spec, fpc) in enumerate(zip(clusters[1:], fpcs[1:]), start=2):
        stage = _stage(frame, number, spec, fpc, parent, parent_labels, above)
        stages.append(stage)
        parent, parent_labels = stage.unit, np.arange(stage.n_units).astype(str)
        above = stage.above[stage.unit_parent] * stage.sampled_fraction()[stage.unit_parent]
    return tuple(stages)


def _stage(frame: pd.DataFrame, number: int, spec: Any, fpc: Any, parent: np.ndarray,
           parent_labels: np.ndarray, above: np.ndarray) -> Stage:
    role = f"stage-{number} cluster"
    values, name = resolve(frame, spec, role)
    check_no_missing(values, name, role)
    own, _ = pd.factorize(pd.Series(values), sort=True)
    key = parent.astype(np.int64) * (int(own.max()) + 1) + own
    _, unit = np.unique(key, return_inverse=True)
    unit = unit.astype(np.intp).ravel()
    n_units = int(unit.max()) + 1
    unit_parent = np.zeros(n_units, dtype=np.intp)
    unit_parent[unit] = parent
    n_parents = len(above)
    n_in = np.bincount(unit_parent, minlength=n_parents)
    popsize = _popsize(frame, number, fpc, parent, n_in, parent_labels)
    with np.errstate(invalid="ignore", divide="ignore"):
        remaining = np.where(np.isinf(popsize), 1.0, (popsize - n_in) / popsize)
    return Stage(number, name, unit, unit_parent, parent, parent_labels, n_in, remaining,
                 np.asarray(above, dtype=float))


def _popsize(frame: pd.DataFrame, number: int, fpc: Any, parent: np.ndarray,
             n_in: np.ndarray, parent_labels: np.ndarray) -> np.ndarray:
    """Population number of stage units in each parent, from sizes or fractions."""
    role = f"stage-{number} fpc"
    values, name = resolve(frame, fpc, role)
    check_no_missing(values, name, role)
    fv, is_size = fpc_numbers(values, name)
    popsize, lo, hi = popsize_per_group(fv, is_size, parent, n_in)
    varies = np.flatnonzero(lo != hi)
    if varies.size:
        raise DesignError(f"the stage-{number} fpc varies within one unit of the stage above "
                          f"(from {lo[varies[0]]:g} to {hi[varies[0]]:g}); give one value per "
                          "unit", column=name)
    bad = np.flatnonzero(popsize < n_in)
    if bad.size:
        raise DesignError(f"the stage-{number} fpc implies more than 100% sampling: "
                          f"population size {popsize[bad[0]]:g} but {n_in[bad[0]]} sampled "
                          "units in one unit of the stage above", column=name)
    return popsize
