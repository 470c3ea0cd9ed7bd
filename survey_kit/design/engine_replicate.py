"""A replicate-weight design over data that is not in memory.

Public-use files of national surveys (labour-force, census samples) come with
replicate weights instead of strata and PSUs. Each estimate is made with the
full-sample weights and again with each replicate's (R ``svrepdesign``); its
variance is :func:`~.replicate.replicate_vcov`. Out of core, an engine
(:mod:`survey_kit.engine`) returns, per level of the variable in play, the sum
of every weight column and of every weight times ``y`` in one pass over the
data (:meth:`~survey_kit.engine.duck.DuckDBEngine.replicate_sums`), and the
estimates of all replicates come from that small table; the design degrees of
freedom are the rank of the replicate weights (R ``degf``), from a count
sketch of the rows (:meth:`~survey_kit.engine.duck.DuckDBEngine.sketch`).

:meth:`SurveyDesign.from_parquet <survey_kit.SurveyDesign.from_parquet>` returns
a :class:`ReplicateEngineDesign` when given ``replicate_weights``. It offers
``mean``, ``total`` and ``proportion`` (the same numbers as
:class:`~survey_kit.SurveyDesign` with the same replicate weights); tables,
tests and weighting of a replicate design run in memory.

Example
-------
>>> import tempfile, numpy as np, pandas as pd, survey_kit as sk
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "puf.parquet"
>>> rng = np.random.default_rng(2)
>>> f = pd.DataFrame({"y": rng.normal(size=400), "w": rng.uniform(1, 3, 400)})
>>> for r in range(20):
...     f[f"rw{r}"] = f["w"] * rng.exponential(size=400)
>>> f.to_parquet(path)
>>> d = sk.SurveyDesign.from_parquet(path, weights="w", replicate_weights="rw",
...                                  replicate_type="bootstrap", engine="duckdb")
>>> ref = sk.SurveyDesign(f, weights="w", replicate_weights="rw", replicate_type="bootstrap")
>>> bool(np.isclose(d.mean("y").se, ref.mean("y").se, rtol=1e-10, atol=0)), d.degf
(True, 19)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..errors import DesignError, UsageError
from .estimate import Estimate
from .estimators import Sums, df_value, logit_interval, moment_estimate, proportion_ci
from .replicate import (
    REPLICATE_TYPES,
    rank_degf,
    replicate_names,
    replicate_vcov,
    type_scales,
)
from .variables import indicator, require_some

__all__ = ["ReplicateEngineDesign"]


class _Scales(NamedTuple):
    """What :func:`~.replicate.replicate_vcov` needs of a replicate design."""

    scale: float
    rscales: np.ndarray
    mse: bool
    n_replicates: int


class ReplicateEngineDesign:
    """A replicate-weight design over an engine's dataset (see the module's docstring).

    Parameters as :class:`~survey_kit.SurveyDesign`'s replicate options:
    ``replicate_weights`` (names, a regular expression or a prefix),
    ``replicate_type``, ``scale``, ``rscales``, ``mse``, ``combined_weights``
    (False: the columns multiply the full-sample weights) and ``fay_rho``.
    """

    def __init__(self, engine: Any, *, weights: str | None, replicate_weights: Any,
                 replicate_type: str | None, scale: float | None = None, rscales: Any = None,
                 mse: bool = False, combined_weights: bool = True,
                 fay_rho: float | None = None,
                 progress: Callable[[str], None] | None = None) -> None:
        if replicate_type not in REPLICATE_TYPES:
            raise UsageError(f"replicate_type must be one of {', '.join(REPLICATE_TYPES)}; "
                             f"got {replicate_type!r}")
        if not isinstance(replicate_weights, (str, list, tuple)):
            raise UsageError("out of core, replicate_weights are column names, a regular "
                             "expression or a prefix")
        if weights is not None and weights not in engine.columns:
            raise DesignError("the weights column is not in the data", column=weights)
        self.engine = engine
        self.weight_column = weights
        self.replicates = replicate_names(list(engine.columns), replicate_weights)
        self.multiply = not combined_weights
        R = len(self.replicates)
        s, rs = type_scales(replicate_type, R, scale, rscales, fay_rho, combined_weights)
        self.rep = _Scales(s, rs, bool(mse), R)
        self.replicate_type = replicate_type
        self.progress = progress
        self._cache: dict = {}

    def __repr__(self) -> str:
        return (f"<ReplicateEngineDesign: engine {self.engine.name}, weights "
                f"{self.weight_column or 1}, {self.rep.n_replicates} {self.replicate_type} "
                "replicates>")

    @property
    def engine_name(self) -> str:
        return self.engine.name

    @property
    def columns(self) -> list[str]:
        return list(self.engine.columns)

    # -- the passes over the data -------------------------------------------
    def _sums(self, keys: Sequence[str], numeric: Sequence[str] = ()) -> pd.DataFrame:
        for v in list(keys) + list(numeric):
            if v not in self.engine.columns:
                raise DesignError("the variable is not in the data", column=v)
        key = (tuple(keys), tuple(numeric))
        if key not in self._cache:
            if self.progress:
                self.progress(f"{self.engine.name}: sums of {self.rep.n_replicates + 1} "
                              f"weights by {', '.join(keys) or '(all)'}")
            m = self.engine.replicate_sums(list(keys), self.weight_column, self.replicates,
                                           list(numeric), self.multiply)
            bad = int(m["__bad"].sum())
            if bad:
                raise DesignError(f"{bad} row(s) have a weight or replicate weight that is "
                                  "missing, infinite or negative; weights must be finite and "
                                  "non-negative", column=self.weight_column)
            self._cache[key] = m
        return self._cache[key]

    @property
    def n(self) -> int:
        """Number of respondents."""
        return int(self._sums([])["__n"].sum())

    @property
    def degf(self) -> int:
        """R ``degf``: the rank of the replicate weights minus one (from a count sketch of
        the rows, as :func:`~.replicate.replicate_degf` for many rows)."""
        if "degf" not in self._cache:
            k = max(8 * self.rep.n_replicates, 512)
            sketch = self.engine.sketch(self.weight_column, self.replicates, self.multiply, k)
            self._cache["degf"] = rank_degf(sketch)
        return self._cache["degf"]

    def _columns(self, frame: pd.DataFrame, stem: str) -> np.ndarray:
        """(groups, 1 + R) of ``stem`` with ``#j`` for each weight."""
        return frame[[stem.format(j=j) for j in range(self.rep.n_replicates + 1)]] \
            .to_numpy(dtype=float)

    def _vcov(self, full: np.ndarray, reps: np.ndarray) -> float:
        return float(replicate_vcov(full, reps, self.rep)[0, 0])

    # -- estimates -------------------------------------------------------------
    def mean(self, var: str, *, conf_level: float = 0.95, df: float | None = None) -> Estimate:
        """Weighted mean of numeric ``var``, its replicate SE (as :meth:`SurveyDesign.mean`)."""
        return self._numeric(var, "mean", conf_level, df)

    def total(self, var: str, *, conf_level: float = 0.95, df: float | None = None) -> Estimate:
        """Weighted total of numeric ``var``, its replicate SE (as :meth:`SurveyDesign.total`)."""
        return self._numeric(var, "total", conf_level, df)

    def _numeric(self, var: str, statistic: str, conf_level: float,
                 df: float | None) -> Estimate:
        m = self._sums([], [var])
        s1 = self._columns(m, "s1#{j}:" + var).sum(axis=0)
        swy = self._columns(m, "swy#{j}:" + var).sum(axis=0)
        n_used = int(m[f"c:{var}"].sum())
        require_some(np.array([n_used > 0]), var)
        nobs = int(m[f"cz:{var}"].sum())
        swyy = float(m[f"swyy#0:{var}"].sum())
        with np.errstate(divide="ignore", invalid="ignore"):
            theta = swy / s1 if statistic == "mean" else swy
        if statistic == "mean" and s1[0] <= 0:
            raise DesignError(f"every respondent with a value of {var!r} has weight zero",
                              column=var)
        v = self._vcov(theta[:1], theta[1:, None])
        sums = Sums(float(s1[0]), float(swy[0]), swyy, nobs, n_used)
        return moment_estimate(var, statistic, float(theta[0]), v, sums, n_rows=self.n,
                               degf=self.degf, conf_level=conf_level, df=df)

    def proportion(self, var: str, level: Any = None, *, ci_method: str = "logit",
                   conf_level: float = 0.95, df: float | None = None) -> Estimate:
        """Proportion of respondents with ``var == level`` (as :meth:`SurveyDesign.proportion`
        on a replicate design; the logit interval from the replicates' logits, as R's
        ``svyciprop``)."""
        m = self._sums([var])
        groups = _Groups(m[[var]])
        ind, name, lev = indicator(groups, var, level)
        mask = ~np.isnan(ind)
        require_some(mask, name)
        S = self._columns(m, "s1#{j}")
        psum = S[mask].sum(axis=0)
        if psum[0] <= 0:
            raise DesignError(f"every respondent with a value of {var!r} has weight zero",
                              column=var)
        with np.errstate(divide="ignore", invalid="ignore"):
            p = (S[mask] * ind[mask][:, None]).sum(axis=0) / psum
        est = float(p[0])
        v = self._vcov(p[:1], p[1:, None])
        nz = m["__nz"].to_numpy()
        nobs = int(nz[mask].sum())
        deff = np.nan
        if nobs > 1 and psum[0] >= nobs:
            w0 = S[mask, 0]
            svar = nobs / (nobs - 1) * float(w0 @ (ind[mask] - est) ** 2) / psum[0]
            vsrs = svar / nobs
            deff = v / vsrs if vsrs > 0 else np.nan
        dfv = df_value(self.degf, df)
        n_resp = int(m["__n"].to_numpy()[mask].sum())
        if ci_method == "logit":
            lo, hi = self._logit_ci(p, conf_level, dfv)
        else:
            lo, hi = proportion_ci(est, v, ci_method, conf_level, dfv, n_rows=self.n,
                                   n_resp=n_resp)
        return Estimate(variable=name, statistic="proportion", estimate=est,
                        se=float(np.sqrt(max(v, 0.0))), ci_low=lo, ci_high=hi,
                        conf_level=conf_level, df=dfv, deff=float(deff), n=n_resp,
                        n_missing=self.n - n_resp, level=lev, ci_method=ci_method)

    def _logit_ci(self, p: np.ndarray, conf_level: float, df: float) -> tuple[float, float]:
        """R's ``svyciprop(method="logit")`` on a replicate design: the SE on the logit
        scale from the replicates' logits."""
        est = float(p[0])
        if not 0 < est < 1:
            return est, est
        with np.errstate(divide="ignore", invalid="ignore"):
            eta = np.log(p / (1 - p))
        return logit_interval(est, self._vcov(eta[:1], eta[1:, None]), conf_level, df)

    def __getattr__(self, name: str) -> Any:
        if name in ("chisq", "rake", "poststratify", "calibrate", "trim", "atoms_for",
                    "write_weights", "ratio", "quantile", "by", "glm"):
            what = "tables (sk.crosstab)" if name == "atoms_for" else f"{name}()"
            raise UsageError(f"{what}: not offered on a replicate-weight design out of core "
                             "(mean, total and proportion are); read the data in memory "
                             "(engine='pandas') for tables, tests and weighting")
        raise AttributeError(name)


class _Groups:
    """The groups' levels as :func:`~.variables.indicator` reads a design's ``frame``."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame.reset_index(drop=True)
