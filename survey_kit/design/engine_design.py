"""A survey design over data that is not in memory: a Parquet dataset on an engine.

:meth:`SurveyDesign.from_parquet <survey_kit.SurveyDesign.from_parquet>` returns an
:class:`EngineDesign`. It holds no respondents: each estimate asks the engine
(:mod:`survey_kit.engine`: DuckDB embedded, Dask on a cluster, pandas in
memory) for the weighted moments of the atoms it needs, one pass over the
data per set of variables (cached), and computes on them with
:mod:`.atoms`, which gives the same numbers as :class:`SurveyDesign` on the
same data. Raking and post-stratification run on the table of base-weight
sums per combination of the margins' levels (as they do in memory), so the
new weights are the old ones times a factor per combination; the design
keeps that factor, and :meth:`EngineDesign.write_weights` writes the
dataset back with the weight column, streaming.

Tables and tests: :meth:`EngineDesign.atoms_for` gives an
:class:`~.atoms.AtomDesign` of the variables named, which ``sk.crosstab``
and ``sk.svychisq`` take like any design (``sk.crosstab(design, ...)``
calls it for you).

Example
-------
>>> import tempfile, numpy as np, pandas as pd, survey_kit as sk
>>> from pathlib import Path
>>> path = Path(tempfile.mkdtemp()) / "resp.parquet"
>>> rng = np.random.default_rng(1)
>>> pd.DataFrame({"size": rng.choice(["s", "m", "l"], 500), "y": rng.normal(size=500),
...               "w": rng.uniform(1, 3, 500)}).to_parquet(path)
>>> d = sk.SurveyDesign.from_parquet(path, weights="w", engine="duckdb")
>>> m = d.mean("y")
>>> ref = sk.SurveyDesign(pd.read_parquet(path), weights="w").mean("y")
>>> bool(np.isclose(m.se, ref.se, rtol=1e-10, atol=0))
True
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DesignError, UsageError
from ..stats.design_tests import svychisq
from ..weighting.calibrate import calibrate as calibrate_weights
from ..weighting.poststratify import poststratify as ps_weights
from ..weighting.rake import rake as rake_weights
from ..weighting.targets import as_targets
from ..weighting.trim import trim_grouped
from .atoms import AtomDesign, AtomGregStep, AtomPostStratify, AtomRakeStep, Layout
from .estimate import Estimate
from .estimators import Sums, df_value, moment_estimate, proportion_ci, srs_fraction
from .variables import indicator, require_some
from .variance import LONELY_PSU_OPTIONS

__all__ = ["EngineDesign", "open_engine", "stderr_progress"]


def stderr_progress(message: str) -> None:
    """Progress lines on stderr (the CLI's)."""
    print(f"survey-kit: {message}", file=sys.stderr, flush=True)


def open_engine(source: Any, engine: str = "auto", **options: Any) -> Any:
    """An engine over ``source``: a Parquet file, folder, glob or list, a pandas or Dask
    DataFrame, or a DuckDB relation (a table or a query of the caller's connection:
    ``con.sql("SELECT ...")``). ``engine`` is ``"auto"`` (pandas below
    :data:`~survey_kit.engine.source.SIZE_THRESHOLD` bytes, DuckDB above), ``"pandas"``,
    ``"duckdb"`` or ``"dask"``; ``options`` go to the engine (DuckDB: ``threads``,
    ``memory_limit``)."""
    from ..engine.memory import PandasEngine
    from ..engine.source import choose_engine, parquet_files

    if isinstance(source, pd.DataFrame):
        return PandasEngine(source)
    if type(source).__module__.startswith("duckdb"):
        from ..engine.duck import DuckDBEngine
        return DuckDBEngine(relation=source, **options)
    if type(source).__module__.startswith(("dask", "dask_expr")):
        from ..engine.dasked import DaskEngine
        return DaskEngine(source)
    files = parquet_files(source)
    name = choose_engine(engine, files)
    if name == "duckdb":
        from ..engine.duck import DuckDBEngine
        return DuckDBEngine(files, **options)
    if name == "dask":
        from ..engine.dasked import DaskEngine
        return DaskEngine(files)
    return PandasEngine(files)


class EngineDesign:
    """A design over an engine's dataset (see the module's docstring).

    Build it with :meth:`SurveyDesign.from_parquet`; the parameters ``weights``,
    ``strata``, ``cluster``, ``fpc`` and ``lonely_psu`` are column names and the
    rule of :class:`SurveyDesign` (one stage).
    """

    def __init__(self, engine: Any, *, weights: str | None = None, strata: str | None = None,
                 cluster: str | None = None, fpc: str | None = None,
                 lonely_psu: str = "fail",
                 progress: Callable[[str], None] | None = None) -> None:
        if lonely_psu not in LONELY_PSU_OPTIONS:
            raise UsageError(f"lonely_psu must be one of {', '.join(LONELY_PSU_OPTIONS)}; "
                             f"got {lonely_psu!r}")
        if isinstance(cluster, (list, tuple)) or isinstance(fpc, (list, tuple)):
            raise UsageError("out of core designs have one stage (one cluster and fpc column)")
        for role, name in (("weights", weights), ("strata", strata), ("cluster", cluster),
                           ("fpc", fpc)):
            if name is not None and (not isinstance(name, str) or name not in engine.columns):
                raise DesignError(f"the {role} column is not in the data; columns are: "
                                  f"{', '.join(engine.columns[:30])}", column=name)
        self.engine = engine
        self.weight_column = weights
        self.layout = Layout(strata, cluster, fpc, lonely_psu)
        self.progress = progress
        self._factor: pd.DataFrame | None = None     # margin keys + "factor"
        self._step: tuple | None = None              # ("rake" | "poststratify", codes)
        self.trim_notes: tuple[str, ...] = ()         # what trimming did, in words
        self._cache: dict = {}

    @classmethod
    def from_parquet(cls, source: Any, *, weights: str | None = None, strata: str | None = None,
                     cluster: str | None = None, fpc: str | None = None,
                     lonely_psu: str = "fail", engine: str = "auto",
                     progress: Callable[[str], None] | None = None,
                     replicate_weights: Any = None, replicate_type: str | None = None,
                     scale: float | None = None, rscales: Any = None, mse: bool = False,
                     combined_weights: bool = True, fay_rho: float | None = None,
                     **engine_options: Any) -> Any:
        """A design over a Parquet dataset that need not fit in memory.

        ``source`` is a file, a folder, a glob or a list of files (or a pandas or Dask
        DataFrame, or a DuckDB relation: a table or SQL query of your own connection,
        ``con.sql("SELECT * FROM survey WHERE wave = 3")``); ``engine`` is ``"auto"``
        (pandas for small data, DuckDB past 256 MB on disk), ``"duckdb"``, ``"dask"``
        (the active ``distributed.Client``) or ``"pandas"``. Design columns as
        :class:`~survey_kit.SurveyDesign` (one stage). The design offers ``mean``,
        ``total``, ``proportion``, ``chisq``, ``rake``, ``poststratify``, ``calibrate``,
        ``trim``, ``write_weights``,
        and ``sk.crosstab`` takes it.

        With ``replicate_weights`` (and ``replicate_type``, ``scale``, ``rscales``, ``mse``,
        ``combined_weights``, ``fay_rho`` as :class:`~survey_kit.SurveyDesign`) it is a
        :class:`~.engine_replicate.ReplicateEngineDesign` (``mean``, ``total``,
        ``proportion``, ``degf``), and the design columns are not taken.
        """
        if replicate_weights is not None:
            from .engine_replicate import ReplicateEngineDesign

            if strata or cluster or fpc:
                raise UsageError("a replicate-weight design carries its design in the "
                                 "replicate weights; drop strata, cluster and fpc")
            return ReplicateEngineDesign(
                open_engine(source, engine, **engine_options), weights=weights,
                replicate_weights=replicate_weights, replicate_type=replicate_type,
                scale=scale, rscales=rscales, mse=mse, combined_weights=combined_weights,
                fay_rho=fay_rho, progress=progress)
        return cls(open_engine(source, engine, **engine_options), weights=weights,
                   strata=strata, cluster=cluster, fpc=fpc, lonely_psu=lonely_psu,
                   progress=progress)

    def __repr__(self) -> str:
        lay = self.layout
        parts = [f"engine {self.engine.name}", f"weights {self.weight_column or 1}",
                 f"strata {lay.strata}" if lay.strata else "one stratum",
                 f"clusters {lay.cluster}" if lay.cluster else "respondents as PSUs"]
        if self._step:
            parts.append(f"{self._step[0]}d")
        return f"<EngineDesign: {', '.join(parts)}>"

    @property
    def columns(self) -> list[str]:
        """The dataset's columns."""
        return list(self.engine.columns)

    @property
    def engine_name(self) -> str:
        """``"pandas"``, ``"duckdb"`` or ``"dask"``."""
        return self.engine.name

    # -- the one pass over the data ------------------------------------------
    def _design_keys(self) -> list[str]:
        lay = self.layout
        return [k for k in (lay.strata, lay.cluster, lay.fpc) if k]

    def _moments(self, keys: list[str], numeric: Sequence[str]) -> pd.DataFrame:
        key = (tuple(keys), tuple(numeric))
        if key not in self._cache:
            start = time.perf_counter()
            if self.progress:
                self.progress(f"{self.engine.name}: grouped sums by {', '.join(keys) or '(all)'}")
            m = self.engine.moments(keys, self.weight_column, list(numeric))
            bad = m["__bad"].to_numpy()
            if bad.any():
                raise DesignError(f"{int(bad.sum())} weight(s) are missing, infinite or "
                                  "negative; weights must be finite and non-negative",
                                  column=self.weight_column)
            if self.progress:
                self.progress(f"{self.engine.name}: {len(m)} groups in "
                              f"{time.perf_counter() - start:.2f} s")
            self._cache[key] = m
        return self._cache[key]

    def atoms_for(self, variables: Sequence[str] = (), numeric: Sequence[str] = ()) -> AtomDesign:
        """The :class:`~.atoms.AtomDesign` of the atoms of ``variables`` (and the moments of
        the ``numeric`` ones), with this design's final weights and calibration."""
        variables = [v for v in dict.fromkeys(variables)]
        atoms = self._base_atoms(variables, numeric)
        steps: tuple = ()
        if self._factor is not None:
            atoms = atoms.merge(self._factor, how="left", on=self._margin_keys, sort=False)
            atoms = _scaled(atoms, atoms.pop("factor").to_numpy(dtype=float), numeric)
            ratio = atoms.pop("__ratio").to_numpy(dtype=float)
            cal = atoms.pop("__cal").to_numpy(dtype=float)
            steps = (self._atom_step(atoms.pop("__combo").to_numpy(), cal, ratio),)
        return AtomDesign(atoms, variables, self.layout, steps)

    @property
    def _margin_keys(self) -> list[str]:
        """The weighting variables (the keys of the factor table), or none."""
        if self._factor is None:
            return []
        return [c for c in self._factor.columns if c not in _LOOKUP_COLUMNS]

    def _base_atoms(self, variables: list[str], numeric: Sequence[str]) -> pd.DataFrame:
        """The atoms of ``variables`` and the margins (moments of the base weights)."""
        for v in list(variables) + list(numeric):
            if v not in self.engine.columns:
                raise DesignError("the variable is not in the data", column=v)
        keys = list(dict.fromkeys(self._design_keys() + variables + self._margin_keys))
        atoms = self._moments(keys, tuple(numeric)).copy()
        if self.weight_column is None and self.layout.fpc is not None:
            atoms = self._fpc_weights(atoms, variables, numeric)
        return atoms

    def _fpc_weights(self, atoms: pd.DataFrame, variables: list[str],
                     numeric: Sequence[str]) -> pd.DataFrame:
        """Without weights, with an fpc: ``N_h / n_h`` (population sizes, or the inverse
        sampling fraction), as R and :class:`SurveyDesign`."""
        probe = AtomDesign(atoms, variables, self.layout)
        mult = (probe._popsize_h / probe._n_h)[probe._strata]
        return _scaled(atoms, mult, numeric)

    def _atom_step(self, combo: np.ndarray, cal: np.ndarray, ratio: np.ndarray) -> Any:
        """The calibration step over the atoms (``cal``: the weighting factor of each
        atom; ``ratio``: final / calibrated weight, 1 unless trimmed)."""
        kind, codes, n_levels = self._step
        combo = combo.astype(np.intp)
        trimmed = ratio if (ratio != 1).any() else None
        if kind == "rake":
            return AtomRakeStep(margins=tuple(c[combo] for c in codes), weights=np.ones(0),
                                ratio=trimmed)
        if kind == "calibrate":
            return AtomGregStep(x=codes[combo], g=cal, ratio=trimmed)
        return AtomPostStratify(cells=codes[combo], factor=cal, ratio=trimmed)

    # -- estimates -------------------------------------------------------------
    def mean(self, var: str, *, conf_level: float = 0.95, df: float | None = None) -> Estimate:
        """Weighted mean of numeric ``var``, linearized SE (as :meth:`SurveyDesign.mean`)."""
        return self._numeric(var, "mean", conf_level, df)

    def total(self, var: str, *, conf_level: float = 0.95, df: float | None = None) -> Estimate:
        """Weighted total of numeric ``var`` (as :meth:`SurveyDesign.total`)."""
        return self._numeric(var, "total", conf_level, df)

    def _numeric(self, var: str, statistic: str, conf_level: float,
                 df: float | None) -> Estimate:
        base = self.atoms_for([], numeric=[var])
        d = _present_split(base, var)
        have = d.frame["__present"].to_numpy(dtype=bool)
        mom = d.moments(var)
        n_used = int(d.row_counts[have].sum())
        require_some(np.array([n_used > 0]), var)
        psum = float(mom.s1[have].sum())
        swy = float(mom.swy[have].sum())
        swyy = float(d.atoms[f"swyy:{var}"].to_numpy(dtype=float)[have].sum())
        nobs = int(mom.nz[have].sum())
        ind = have.astype(float)
        if statistic == "mean":
            if psum <= 0:
                raise DesignError(f"every respondent with a value of {var!r} has weight zero",
                                  column=var)
            est = swy / psum
            v = d.vcov_parts(-est / psum * ind, ind / psum, var, subset=have)[0, 0]
        else:
            est = swy
            v = d.vcov_parts(np.zeros(d.n), ind, var, subset=have)[0, 0]
        return moment_estimate(var, statistic, est, v, Sums(psum, swy, swyy, nobs, n_used),
                               n_rows=d.n_rows, degf=d.degf, conf_level=conf_level, df=df,
                               srs=srs_fraction(d, psum, nobs),
                               popsize_known=d._popsize_h is not None)

    def proportion(self, var: str, level: Any = None, *, ci_method: str = "logit",
                   conf_level: float = 0.95, df: float | None = None) -> Estimate:
        """Proportion of respondents with ``var == level`` (as :meth:`SurveyDesign.proportion`)."""
        d = self.atoms_for([var])
        ind, name, lev = indicator(d, var, level)
        mask = ~np.isnan(ind)
        require_some(mask, name)
        w = d.weights
        psum = float(w[mask].sum())
        if psum <= 0:
            raise DesignError(f"every respondent with a value of {var!r} has weight zero",
                              column=var)
        i0 = np.where(mask, ind, 0.0)
        est = float(w @ i0 / psum)
        v = float(d.vcov_total(np.where(mask, i0 - est, 0.0) / psum, subset=mask)[0, 0])
        nz = d.atoms["__nz"].to_numpy()
        nobs = int(nz[mask].sum())
        deff = np.nan
        if nobs > 1 and (psum >= nobs or d._popsize_h is None):
            svar = nobs / (nobs - 1) * float(w @ np.where(mask, (i0 - est) ** 2, 0.0)) / psum
            vsrs = svar * srs_fraction(d, psum, nobs) / nobs
            deff = v / vsrs if vsrs > 0 else np.nan
        dfv = df_value(d.degf, df)
        n_resp = int(d.row_counts[mask].sum())
        lo, hi = proportion_ci(est, v, ci_method, conf_level, dfv, n_rows=d.n_rows,
                               n_resp=n_resp)
        return Estimate(variable=name, statistic="proportion", estimate=est,
                        se=float(np.sqrt(max(v, 0.0))), ci_low=lo, ci_high=hi,
                        conf_level=conf_level, df=dfv, deff=float(deff), n=n_resp,
                        n_missing=d.n_rows - n_resp, level=lev, ci_method=ci_method)

    def chisq(self, row: str, col: str, statistic: str = "F", **kwargs: Any):
        """Rao-Scott test of ``row`` by ``col`` (as :meth:`SurveyDesign.chisq`, R svychisq)."""
        return svychisq(self.atoms_for([row, col]), row, col, statistic=statistic, **kwargs)

    @property
    def n(self) -> int:
        """Number of respondents."""
        return int(self._moments(self._design_keys(), ())["__n"].sum())

    @property
    def degf(self) -> int:
        """Design degrees of freedom (PSUs minus strata, R ``degf``)."""
        return self.atoms_for([]).degf

    # -- weighting -------------------------------------------------------------
    def rake(self, targets: Any, *, variables: Sequence[str] | str | None = None,
             max_iter: int = 1000, tol: float = 1e-10, on_nonconvergence: str = "error",
             not_stated: str | None = None) -> EngineDesign:
        """Rake to population margins (as :meth:`SurveyDesign.rake`, R ``rake``); the
        iterations run on the base-weight sums per combination of the margins' levels."""
        names = self._target_variables(targets, variables)
        combos = self._combos(names)
        res = rake_weights(combos[names], targets, weights=combos["__s1"].to_numpy(),
                           variables=variables, max_iter=max_iter, tol=tol,
                           on_nonconvergence=on_nonconvergence, not_stated=not_stated,
                           seed=None)
        margins = tuple(_spare(m) for m in res.calibration.margins)
        return self._weighted(combos, names, res.weights, ("rake", margins, None))

    def poststratify(self, targets: Any, *, variables: Sequence[str] | str | None = None,
                     not_stated: str | None = None) -> EngineDesign:
        """Post-stratify to population cell counts (as :meth:`SurveyDesign.poststratify`)."""
        names = self._target_variables(targets, variables)
        combos = self._combos(names)
        res = ps_weights(combos[names], targets, weights=combos["__s1"].to_numpy(),
                         variables=variables, not_stated=not_stated, seed=None)
        cells = _spare(res.calibration.cells)
        return self._weighted(combos, names, res.weights, ("poststratify", cells, None))

    def calibrate(self, targets: Any, method: str = "linear",
                  bounds: tuple[float, float] | None = None, *,
                  variables: Sequence[str] | str | None = None, max_iter: int = 100,
                  tol: float = 1e-10, on_nonconvergence: str = "error",
                  not_stated: str | None = None) -> EngineDesign:
        """Calibrate to population margins of categorical variables (as
        :meth:`SurveyDesign.calibrate`, R ``calibrate``: ``method`` linear (GREG), raking or
        logit, ``bounds`` on ``g``); the Newton steps run on the base-weight sums per
        combination of the margins' levels, where ``g`` is constant, and the standard
        errors use the GREG residuals over the atoms."""
        names = self._target_variables(targets, variables)
        combos = self._combos(names)
        res = calibrate_weights(combos[names], targets, method, bounds,
                                weights=combos["__s1"].to_numpy(), variables=variables,
                                max_iter=max_iter, tol=tol,
                                on_nonconvergence=on_nonconvergence, not_stated=not_stated,
                                seed=None)
        x = np.asarray(res.calibration.model_matrix, dtype=float)
        return self._weighted(combos, names, res.weights, ("calibrate", x, None))

    def trim(self, lower: float | None = None, upper: float | None = None,
             strict: bool = False) -> EngineDesign:
        """Trim the raked or post-stratified weights to ``[lower, upper]`` (as
        :meth:`SurveyDesign.trim`, R ``trimWeights``): weights outside are set to the bound
        and the amount trimmed is spread equally over the others; the calibration step
        keeps residualising with the weights it made.

        Out of core the weights are trimmed per combination of the weighting variables'
        levels, which is exact when every respondent of a combination has the same weight:
        always without base weights, or with base weights constant within the
        combinations. Otherwise a :class:`~survey_kit.errors.DesignError` says so.
        """
        if self._factor is None:
            raise DesignError("out of core, trim the weights after rake() or poststratify(); "
                              "the base weights alone are not trimmed")
        lookup = self._factor
        names = self._margin_keys
        base = self._base_atoms([], ())
        sums = base.groupby(names, dropna=False, sort=False, observed=True)[
            ["__s1", "__s2", "__nz"]].sum().reset_index()
        table = lookup.merge(sums, how="left", on=names, sort=False)
        s1, s2 = table["__s1"].to_numpy(dtype=float), table["__s2"].to_numpy(dtype=float)
        nz = table["__nz"].fillna(0).to_numpy(dtype=float)
        _check_equal_weights(s1, s2, nz, names, table, self.weight_column)
        with np.errstate(divide="ignore", invalid="ignore"):
            value = np.where(nz > 0, table["factor"].to_numpy(dtype=float) * s1 / nz, 0.0)
        trimmed, notes, ok = trim_grouped(value, nz, lower=lower, upper=upper, strict=strict)
        if not ok:
            warnings.warn(notes[-1], stacklevel=2)
        with np.errstate(divide="ignore", invalid="ignore"):
            change = np.where(value > 0, trimmed / np.where(value > 0, value, 1.0), 1.0)
        new_lookup = lookup.copy()
        new_lookup["factor"] = lookup["factor"].to_numpy(dtype=float) * change
        new_lookup["__ratio"] = lookup["__ratio"].to_numpy(dtype=float) * change
        new = object.__new__(EngineDesign)
        new.__dict__.update(self.__dict__)
        new._factor = new_lookup
        new.trim_notes = notes
        return new

    def mean_weight(self) -> float:
        """The mean of the non-zero weights (the unit of a trimming cap such as ``5x``)."""
        a = self.atoms_for([]).atoms
        nz = float(a["__nz"].sum())
        if nz == 0:
            raise DesignError("every weight is zero")
        return float(a["__s1"].sum()) / nz

    def _target_variables(self, targets: Any, variables: Any) -> list[str]:
        if self._factor is not None:
            raise DesignError("this design is already raked or post-stratified; out of core, "
                              "weight once from the base weights with all margins together")
        if variables is not None:
            names = [variables] if isinstance(variables, str) else list(variables)
        else:
            names = as_targets(targets).variables
        for v in names:
            if v not in self.engine.columns:
                raise DesignError("the weighting variable is not in the data; out of core the "
                                  "data are taken as labelled and cleaned: give the kept file "
                                  "of sk.clean_parquet (survey-kit clean --engine duckdb), "
                                  "whose columns are the questionnaire's variables, not the "
                                  "raw export", column=v)
        return names

    def _combos(self, names: list[str]) -> pd.DataFrame:
        """Base-weight sums per combination of the margins' levels (one row each)."""
        keys = list(dict.fromkeys(names + ([self.layout.strata] if self.layout.strata
                                           and self.weight_column is None
                                           and self.layout.fpc else [])))
        d = self.atoms_for(keys)
        grouped = d.atoms.groupby(names, dropna=False, sort=True, observed=True)[
            ["__s1", "__n"]].sum().reset_index()
        return grouped

    def _weighted(self, combos: pd.DataFrame, names: list[str], new_w: Any,
                  step: tuple) -> EngineDesign:
        s1 = combos["__s1"].to_numpy(dtype=float)
        new_w = np.asarray(new_w, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            factor = np.where(s1 > 0, new_w / np.where(s1 > 0, s1, 1.0), 1.0)
        lookup = combos[names].copy()
        lookup["factor"] = factor
        lookup["__cal"] = factor
        lookup["__ratio"] = 1.0
        lookup["__combo"] = np.arange(len(lookup))
        new = object.__new__(EngineDesign)
        new.__dict__.update(self.__dict__)
        new._factor = lookup
        new._step = step
        new._cache = self._cache
        return new

    def write_weights(self, out: str | Path, name: str = "weight",
                      columns: Sequence[str] | None = None) -> Path:
        """Write the dataset to ``out`` (Parquet) with the final weights as column ``name``
        (streaming; the rows are not collected), rows in the dataset's order; ``columns``
        keeps only those columns beside the weights (e.g. the respondent id). Returns
        ``out``."""
        for c in columns or ():
            if c not in self.engine.columns:
                raise DesignError("the column to write is not in the data", column=c)
        lookup = self._factor
        keys = self._margin_keys
        if lookup is None:
            lookup = pd.DataFrame({"factor": [1.0]})
        if self.weight_column is None and self.layout.fpc is not None:
            raise DesignError("write the design weights N_h / n_h as a column first, then "
                              "build the design with weights=")
        start = time.perf_counter()
        if self.progress:
            self.progress(f"{self.engine.name}: writing the weights to {out}")
        self.engine.write_factor(Path(out), self.weight_column, lookup[keys + ["factor"]],
                                 keys, name, columns)
        if self.progress:
            self.progress(f"{self.engine.name}: written in {time.perf_counter() - start:.2f} s")
        return Path(out)


#: the columns of the factor table that are not weighting variables
_LOOKUP_COLUMNS = ("factor", "__cal", "__ratio", "__combo")


def _spare(codes: Any) -> np.ndarray:
    codes = np.asarray(codes).astype(np.intp)
    top = int(codes.max()) + 1 if codes.size else 0
    return np.where(codes < 0, top, codes)


def _scaled(atoms: pd.DataFrame, f: np.ndarray, numeric: Sequence[str]) -> pd.DataFrame:
    """Moments of the weights times ``f`` (one factor per atom)."""
    out = atoms.copy()
    one = ["__s1"] + [f"{p}:{y}" for y in numeric for p in ("s1", "swy", "swyy")]
    two = ["__s2"] + [f"{p}:{y}" for y in numeric for p in ("s2", "sw2y", "sw2yy")]
    for c in one:
        out[c] = out[c].to_numpy(dtype=float) * f
    for c in two:
        out[c] = out[c].to_numpy(dtype=float) * f * f
    return out


def _check_equal_weights(s1: np.ndarray, s2: np.ndarray, nz: np.ndarray, names: list[str],
                         table: pd.DataFrame, weight: str | None) -> None:
    """Trimming per combination needs one weight per combination: the non-zero base
    weights of a combination are equal when ``nz x sum(w^2) = sum(w)^2`` (Cauchy-Schwarz;
    relative tolerance 1e-12 for the rounding of the sums)."""
    spread = nz * s2 - s1 * s1
    varies = (nz > 1) & (spread > 1e-12 * s1 * s1)
    if varies.any():
        first = table.loc[np.flatnonzero(varies)[0], names].to_dict()
        raise DesignError(
            f"out of core, trimming needs every respondent of a combination of "
            f"{', '.join(names)} to carry the same weight, but the base weights vary within "
            f"{int(varies.sum())} combination(s) (first: {first}); trim in memory "
            "(engine='pandas', or survey-kit --engine pandas), or make the variables that "
            "set the base weights weighting variables", column=weight)


def _present_split(d: AtomDesign, y: str) -> AtomDesign:
    """The atoms split into respondents with ``y`` present and missing (column
    ``__present``); the missing part has zero moments of y."""
    a = d.atoms
    pres = a.copy()
    pres["__n"], pres["__nz"] = a[f"c:{y}"], a[f"cz:{y}"]
    pres["__s1"], pres["__s2"] = a[f"s1:{y}"], a[f"s2:{y}"]
    pres["__present"] = True
    miss = a.copy()
    full = (a[f"c:{y}"] == a["__n"]).to_numpy()
    miss["__n"] = a["__n"] - a[f"c:{y}"]
    miss["__nz"] = a["__nz"] - a[f"cz:{y}"]
    miss["__s1"] = np.where(full, 0.0, a["__s1"] - a[f"s1:{y}"])
    miss["__s2"] = np.where(full, 0.0, a["__s2"] - a[f"s2:{y}"])
    for p in ("sy", "swy", "swyy", "sw2y", "sw2yy", "s1", "s2"):
        miss[f"{p}:{y}"] = 0.0
    miss["__present"] = False
    both = pd.concat([pres, miss[miss["__n"] > 0]], ignore_index=True)
    keys = list(d.frame.columns) + ["__present"]
    steps = tuple(_split_step(s, np.concatenate([np.arange(len(a)),
                                                 np.flatnonzero(miss["__n"] > 0)]))
                  for s in d.steps)
    if steps:
        return AtomDesign(both, keys, d.layout, steps)
    return AtomDesign(both, keys, d.layout)


def _split_step(step: Any, rows: np.ndarray) -> Any:
    ratio = None if step.ratio is None else step.ratio[rows]
    if isinstance(step, AtomRakeStep):
        return AtomRakeStep(margins=tuple(m[rows] for m in step.margins), weights=np.ones(0),
                            ratio=ratio)
    if isinstance(step, AtomGregStep):
        return AtomGregStep(x=step.x[rows], g=step.g[rows], ratio=ratio)
    return AtomPostStratify(cells=step.cells[rows], factor=step.factor[rows], ratio=ratio)
