"""SurveyDesign: what a design is, and the estimators it offers as methods.

A :class:`SurveyDesign` carries the final weights, the strata, the primary
sampling units (PSUs), the finite population correction and, after
calibration, what is needed to account for the calibration in standard
errors. It is immutable: reweighting returns a new design. Its methods are
thin: each delegates to the module of the room that does the work (listed in
:mod:`survey_kit.design`), where the formulas and references are.

The variance machinery reproduces R's ``survey`` package (Lumley 2004,
2010): ``svyrecvar`` for stratified multistage cluster designs, with
``postStratify``, ``rake`` and ``calibrate`` residualisation.

Example
-------
>>> import pandas as pd, survey_kit as sk
>>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [1.0, 2, 1, 2], "s": ["a", "a", "b", "b"]})
>>> d = sk.SurveyDesign(df, weights="w", strata="s")
>>> d.degf
2
>>> round(d.mean("y").estimate, 4)
2.6667

References
----------
Lumley, T. (2004). Analysis of complex survey samples. Journal of
Statistical Software 9(8). Lumley, T. (2010). Complex Surveys: A Guide to
Analysis Using R. Wiley.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from . import calibration, coded, estimators, glm, intervals, replicate, variance
from . import ratio as ratio_estimation
from . import domains as domain_estimation
from ..errors import UsageError
from .stages import later_stages, split_stages
from .structure import (
    checked_frame,
    population_sizes,
    psu_codes,
    psus_per_stratum,
    remaining_fractions,
    sampling_weights,
    strata_codes,
)

__all__ = ["SurveyDesign"]


class SurveyDesign:
    """A stratified (multistage) cluster sample with weights, fpc and calibration.

    Parameters
    ----------
    frame : pandas.DataFrame
        The respondents, one row each. Kept as given (a shallow copy); never
        modified.
    weights : str or array-like, optional
        Sampling (or final) weights; a column of ``frame`` or one value per
        row. ``None`` means 1 for everyone, or ``N_h / n_h`` when ``fpc`` gives
        population sizes (as R ``svydesign``). Zero weights are allowed: such
        rows contribute nothing to estimates, yet keep their place in the
        strata and PSU structure (as in R); they do not count in ``degf``.
    strata : str or array-like, optional
        Stratum of each respondent. ``None``: one stratum.
    cluster : str or array-like, or a list of them, optional
        Primary sampling unit of each respondent. ``None``: each respondent is
        its own PSU. PSU ids are taken within strata (R ``nest=TRUE``). A
        list gives the units of each stage of a multistage sample, first
        stage first (R ``id = ~psu + ssu``); later-stage ids are taken within
        the unit of the stage above.
    fpc : str or array-like, or a list of them, optional
        Finite population correction per respondent, constant within a
        stratum: either the number of PSUs in the population stratum (all
        values >= 1) or the sampling fraction (all values <= 1), as R's
        ``svydesign(fpc=)``. For a multistage ``cluster``, a list with one
        fpc per stage (each constant within a unit of the stage above): the
        variance then adds every stage's term, as R's ``svyrecvar``; with no
        fpc only the first stage counts (the ultimate-cluster variance), as
        in R. Without ``weights``, the weights are the product of
        ``N / n`` over the stages.
    replicate_weights : list of str, str or array (n, R), optional
        Replicate weight columns supplied with the data (R ``svrepdesign``):
        names, a regular expression or a prefix of the names, or the values.
        Every estimator then uses replicate variance
        (:mod:`survey_kit.design.replicate_variance`).
    replicate_type : {"JK1", "JKn", "BRR", "Fay", "bootstrap", "subbootstrap", "ACS", \
"successive-difference", "other"}
        With ``replicate_weights``; sets R's default ``scale``/``rscales``
        (:func:`survey_kit.design.replicate.from_columns`).
    scale, rscales, mse, combined_weights, fay_rho
        As R ``svrepdesign``: overall and per-replicate factors; centre on the
        full-sample estimate (``mse=True``) or on the mean of the replicates;
        whether the columns are analysis weights (else multipliers of
        ``weights``); Fay's factor of ``"Fay"``.
    lonely_psu : {"fail", "remove", "adjust", "average", "certainty"}
        What to do with a stratum holding a single PSU, as R's
        ``options(survey.lonely.psu=)``: ``"fail"`` raises
        :class:`~survey_kit.errors.DesignError` naming the stratum;
        ``"remove"`` and ``"certainty"`` let it contribute zero; ``"adjust"``
        centres its PSU total at zero instead of the stratum mean;
        ``"average"`` drops it and scales the variance by (number of strata) /
        (strata with more than one PSU).

    Attributes
    ----------
    frame : pandas.DataFrame
    weights : numpy.ndarray
        Final weights (after any calibration), float64.
    degf : int
        Design degrees of freedom as R ``degf()``: PSUs minus strata, counting
        only rows with non-zero weight.

    Notes
    -----
    :meth:`vcov_total` is the one variance engine; every estimator (and the
    tests of association in ``survey_kit.stats`` and the banner tables in
    ``survey_kit.tables``) feeds it influence functions.
    """

    def __init__(self, frame: pd.DataFrame, weights: Any = None, strata: Any = None,
                 cluster: Any = None, fpc: Any = None, lonely_psu: str = "fail", *,
                 replicate_weights: Any = None, replicate_type: str | None = None,
                 scale: float | None = None, rscales: Any = None, mse: bool = False,
                 combined_weights: bool = True, fay_rho: float | None = None) -> None:
        frame = checked_frame(frame, lonely_psu)
        if replicate_weights is not None and any(v is not None for v in (strata, cluster, fpc)):
            raise UsageError("a replicate-weight design carries strata, clusters and fpc in "
                             "its replicate weights: give replicate_weights without strata, "
                             "cluster or fpc (or build them with as_replicate)")
        cluster, fpc, clusters, fpcs = split_stages(frame, cluster, fpc)
        s_codes, s_labels, s_name = strata_codes(frame, strata)
        psu, psu_is_row, c_name = psu_codes(frame, cluster, s_codes)
        psu_stratum, n_h = psus_per_stratum(psu, s_codes, len(s_labels))
        popsize_h, f_name = population_sizes(frame, fpc, s_codes, s_labels, n_h)
        f_h = remaining_fractions(popsize_h, n_h)
        stages = later_stages(frame, clusters, fpcs, psu, len(psu_stratum),
                              (1.0 - f_h)[psu_stratum])
        w, w_name = sampling_weights(frame, weights, s_codes, n_h, popsize_h, stages)
        facts = {
            "frame": frame, "weights": w, "lonely_psu": lonely_psu,
            "_names": {"weights": w_name, "strata": s_name, "cluster": c_name, "fpc": f_name},
            "_strata": s_codes, "_strata_labels": s_labels,
            "_psu": psu, "_psu_is_row": psu_is_row, "_psu_stratum": psu_stratum,
            "_n_h": n_h, "_popsize_h": popsize_h,
            "_f_h": f_h,               # 1 - sampling fraction, per stratum
            "_stages": stages,         # later stages of a multistage design (with fpc)
            "_calibration": (),        # residualisation steps, applied in order
            "_calibrated": False,
            "_sparse": None,           # PSU indicator matrix, built when first needed
            "_coded_cache": None,      # (calibration, weights, plan of the coded paths)
            "_replicate": None,        # replicate weights (design/replicate.py), if any
        }
        for name, value in facts.items():
            self._remember(name, value)
        if replicate_weights is not None:
            self._remember("_replicate", replicate.from_columns(
                frame, w, replicate_weights, replicate_type, scale, rscales, mse,
                combined_weights, fay_rho))
        self._remember("degf", variance.degf(self, np.ones(len(frame), dtype=bool))
                       if self._replicate is None else replicate.replicate_degf(self._replicate))

    # immutability -----------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"SurveyDesign is immutable; cannot set {name!r} "
                             "(methods return new designs)")

    def _remember(self, name: str, value: Any) -> None:
        """Set a fact or a cache of the design (the only writer; users cannot)."""
        object.__setattr__(self, name, value)

    def _replace(self, **changes: Any) -> SurveyDesign:
        new = object.__new__(SurveyDesign)
        new.__dict__.update(self.__dict__)
        for k, v in changes.items():
            new._remember(k, v)
        return new

    # basic facts ------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of respondents (rows)."""
        return len(self.frame)

    @property
    def n_strata(self) -> int:
        return len(self._strata_labels)

    @property
    def n_psu(self) -> int:
        return len(self._psu_stratum)

    @property
    def replicates(self) -> replicate.Replicates | None:
        """The replicate weights (type, scale, rscales, mse) of a replicate design, or None."""
        return self._replicate

    def with_replicates(self, rep: replicate.Replicates) -> SurveyDesign:
        """This design with replicate weights ``rep`` (package-internal; see
        :meth:`as_replicate`)."""
        new = self._replace(_replicate=rep, weights=rep.pweights)
        new._remember("degf", replicate.replicate_degf(rep))
        return new

    def as_replicate(self, type: str = "JKn", replicates: int | None = None, *,
                     fay_rho: float = 0.0, seed: int | None = 0,
                     mse: bool = False) -> SurveyDesign:
        """Replicate weights built from this design (R ``as.svrepdesign``).

        ``type`` is "JK1", "JKn", "BRR", "Fay", "bootstrap" or "subbootstrap";
        the other parameters and the rules are those of
        :func:`survey_kit.design.replicate_build.as_replicate`.

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> df = pd.DataFrame({"y": [1.0, 2, 4, 7], "s": ["a", "a", "b", "b"]})
        >>> r = sk.SurveyDesign(df, strata="s").as_replicate("BRR")
        >>> r.replicates.n_replicates, round(r.mean("y").se, 4)
        (4, 0.7906)
        """
        from .replicate_build import as_replicate

        return as_replicate(self, type, replicates, fay_rho=fay_rho, seed=seed, mse=mse)

    @property
    def is_calibrated(self) -> bool:
        """True after poststratify, rake or calibrate."""
        return bool(self._calibrated)

    def __repr__(self) -> str:
        parts = [f"{self.n} respondents", f"{self.n_strata} strata" if self._names["strata"]
                 else "no strata",
                 f"{self.n_psu} PSUs" if not self._psu_is_row else "respondents as PSUs",
                 "fpc" if self._popsize_h is not None else "no fpc",
                 *([f"{len(self._stages) + 1} stages"] if self._stages else []),
                 f"degf {self.degf}"]
        if self._replicate is not None:
            parts[1:4] = [f"{self._replicate.n_replicates} {self._replicate.type} replicates"]
        if self._calibrated:
            parts.append("calibrated")
        return f"<SurveyDesign: {', '.join(parts)}>"

    @classmethod
    def from_parquet(cls, source: Any, *, weights: str | None = None, strata: str | None = None,
                     cluster: str | None = None, fpc: str | None = None,
                     lonely_psu: str = "fail", engine: str = "auto", progress: Any = None,
                     **engine_options: Any) -> Any:
        """A design over a Parquet dataset that need not fit in memory: an
        :class:`~survey_kit.design.engine_design.EngineDesign` (see there for ``source``,
        ``engine`` and what it computes; results equal this class's on the same data)."""
        from .engine_design import EngineDesign
        return EngineDesign.from_parquet(source, weights=weights, strata=strata,
                                         cluster=cluster, fpc=fpc, lonely_psu=lonely_psu,
                                         engine=engine, progress=progress, **engine_options)

    # variance engine (used by survey_kit.stats and survey_kit.tables: keep the
    # signatures stable) ------------------------------------------------------
    def vcov_total(self, x: np.ndarray, *, subset: np.ndarray | None = None) -> np.ndarray:
        """Design-based covariance of the weighted totals ``sum_i w_i x_i``.

        Parameters
        ----------
        x : array (n,) or (n, k)
            Per-respondent values, not multiplied by the weights, with no NaN.
        subset : boolean array (n,), optional
            Rows of a subpopulation (as R's ``design[subset, ]``): values of
            other rows are treated as zero. For an uncalibrated design, strata
            with no row in the subset are left out (this matters only for
            ``lonely_psu="fail"`` and ``"average"``), exactly as R, which drops
            those rows; a calibrated design keeps all rows (R gives them zero
            weight).

        Returns
        -------
        numpy.ndarray (k, k)

        See Also
        --------
        survey_kit.design.variance.vcov_total : the formula (R ``svyrecvar``).

        Examples
        --------
        >>> import pandas as pd, numpy as np, survey_kit as sk
        >>> d = sk.SurveyDesign(pd.DataFrame({"w": [1.0, 1, 1, 1]}), weights="w")
        >>> d.vcov_total(np.array([1.0, 2, 3, 4]))
        array([[6.66666667]])
        """
        return variance.vcov_total(self, x, subset=subset)

    def vcov_total_coded(self, table: np.ndarray, code: np.ndarray, *,
                         subset: np.ndarray | None = None,
                         code_subset: np.ndarray | None = None) -> np.ndarray:
        """:meth:`vcov_total` of ``x_i = table[code_i]``, without forming ``x``.

        ``table`` (m, k) holds the values per code, ``code`` (n,) the row of each
        respondent (-1: values 0); ``subset`` is as in :meth:`vcov_total`, or
        ``code_subset`` (m,) gives the subpopulation by codes. The result equals
        ``vcov_total(table[code], subset=...)``; the per-code paths and the
        parameters are described in :func:`survey_kit.design.coded.vcov_total_coded`.

        Examples
        --------
        >>> import pandas as pd, numpy as np, survey_kit as sk
        >>> d = sk.SurveyDesign(pd.DataFrame({"w": [1.0, 1, 1, 1]}), weights="w")
        >>> d.vcov_total_coded(np.array([[1.0], [3.0]]), np.array([0, 0, 1, 1]))
        array([[5.33333333]])
        """
        return coded.vcov_total_coded(self, table, code, subset=subset,
                                      code_subset=code_subset)

    def coded_path(self, m: int = 1) -> str:
        """How :meth:`vcov_total_coded` treats a table of ``m`` rows (package-internal):
        ``"srs"``, ``"psu"``, ``"atoms"`` or ``"general"`` (see :mod:`survey_kit.design.coded`;
        callers of ``"general"`` with many table columns should chunk them).

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> sk.SurveyDesign(pd.DataFrame({"w": [1.0, 2, 3]}), weights="w").coded_path()
        'srs'
        """
        return coded.coded_path(self, m)

    def degf_of(self, subset: np.ndarray) -> int:
        """Design degrees of freedom of ``design[subset, ]`` (R ``degf``): PSUs minus
        strata among the rows of ``subset`` with non-zero weight.

        Examples
        --------
        >>> import pandas as pd, numpy as np, survey_kit as sk
        >>> d = sk.SurveyDesign(pd.DataFrame({"w": [1.0, 1, 1, 1]}), weights="w")
        >>> d.degf_of(np.array([True, True, True, False]))
        2
        """
        return variance.degf_of(self, subset)

    # calibrated designs -----------------------------------------------------
    def with_weighting(self, result: Any) -> SurveyDesign:
        """A new design carrying the weights and calibration of a weighting result.

        Parameters
        ----------
        result : survey_kit.WeightingResult or CalibrationInfo
            Its ``calibration`` (method, cells / margins / model matrix,
            base and final weights) tells how the standard errors must account
            for the adjustment. A result without calibration information
            (e.g. trimming alone) gives a design with the new weights as plain
            sampling weights.

        Returns
        -------
        SurveyDesign
            Same strata, PSUs and fpc; final weights; one more calibration step
            (see :mod:`survey_kit.design.calibration` for the residuals).
        """
        return calibration.with_weighting(self, result)

    def poststratify(self, targets: Any, *, weights: Any = None,
                     variables: Sequence[str] | str | None = None,
                     not_stated: str | None = None,
                     impute_within: str | Sequence[str] | None = None,
                     seed: int | None = 0) -> SurveyDesign:
        """Post-stratify the weights to population cell counts (R ``postStratify``).

        Parameters
        ----------
        targets, variables, not_stated, impute_within, seed
            As :func:`survey_kit.poststratify`.
        weights : optional
            Base weights; default this design's weights.

        Returns
        -------
        SurveyDesign
            Its standard errors account for the post-stratification (see
            :meth:`with_weighting`).
        """
        return calibration.poststratify_design(
            self, targets, weights=weights, variables=variables, not_stated=not_stated,
            impute_within=impute_within, seed=seed)

    def rake(self, targets: Any, *, weights: Any = None,
             variables: Sequence[str] | str | None = None, max_iter: int = 1000,
             tol: float = 1e-10, on_nonconvergence: str = "error",
             not_stated: str | None = None,
             impute_within: str | Sequence[str] | None = None,
             seed: int | None = 0) -> SurveyDesign:
        """Rake the weights to population margins (R ``rake``).

        Parameters
        ----------
        targets, variables, max_iter, tol, on_nonconvergence, not_stated, impute_within, seed
            As :func:`survey_kit.rake`.
        weights : optional
            Base weights; default this design's weights.

        Returns
        -------
        SurveyDesign
            Its standard errors account for the raking (see :meth:`with_weighting`).
        """
        return calibration.rake_design(
            self, targets, weights=weights, variables=variables, max_iter=max_iter, tol=tol,
            on_nonconvergence=on_nonconvergence, not_stated=not_stated,
            impute_within=impute_within, seed=seed)

    def calibrate(self, targets: Any, method: str = "linear",
                  bounds: tuple[float, float] | None = None, *, weights: Any = None,
                  variables: Sequence[str] | str | None = None, max_iter: int = 100,
                  tol: float = 1e-10, on_nonconvergence: str = "error",
                  not_stated: str | None = None,
                  impute_within: str | Sequence[str] | None = None,
                  seed: int | None = 0,
                  numeric_totals: Mapping[str, float] | None = None) -> SurveyDesign:
        """Calibrate the weights to population totals (R ``calibrate``).

        Parameters
        ----------
        targets, method, bounds, variables, max_iter, tol, on_nonconvergence
            As :func:`survey_kit.calibrate` (``method`` one of "linear",
            "raking", "logit").
        numeric_totals : mapping of str to float, optional
            As :func:`survey_kit.calibrate`: population totals of numeric columns,
            added to the model matrix (and to the GREG residuals of the SEs).
        not_stated, impute_within, seed
            As :func:`survey_kit.calibrate`.
        weights : optional
            Base weights; default this design's weights.

        Returns
        -------
        SurveyDesign
            Its standard errors use GREG residuals (see :meth:`with_weighting`).
        """
        return calibration.calibrate_design(
            self, targets, method, bounds, weights=weights, variables=variables,
            max_iter=max_iter, tol=tol, on_nonconvergence=on_nonconvergence,
            not_stated=not_stated, impute_within=impute_within, seed=seed,
            numeric_totals=numeric_totals)

    def trim(self, lower: float | None = None, upper: float | None = None,
             strict: bool = False) -> SurveyDesign:
        """Trim the weights to ``[lower, upper]`` (R ``trimWeights``).

        Parameters
        ----------
        lower, upper, strict
            As :func:`survey_kit.trim_weights`: bounds on the weights, the
            amount trimmed spread equally over the weights inside the bounds
            (zero weights stay 0); ``strict`` repeats until none is outside.

        Returns
        -------
        SurveyDesign
            The trimmed weights; the calibration steps are kept, each
            residualising with the weights it was calibrated with (as R, the
            trimming factors are fixed multipliers of the calibrated weights).
        """
        return calibration.trim_design(self, lower=lower, upper=upper, strict=strict)

    # estimates --------------------------------------------------------------
    def mean(self, var: Any, *, conf_level: float = 0.95, df: float | None = None):
        """Weighted mean (ratio estimator) with linearized SE, CI and design effect.

        Parameters
        ----------
        var : str or array-like
            A numeric (or boolean) column of the frame, or values per respondent.
        conf_level : float
            Confidence level of the interval.
        df : float, optional
            Degrees of freedom of the t quantile; default ``design.degf`` (R
            ``confint(svymean(...), df = degf(design))``). ``numpy.inf`` gives
            the normal interval of R's ``confint`` default.

        Returns
        -------
        Estimate
            Missing values are left out (R ``na.rm=TRUE``) and counted in
            ``n_missing``; formulas in :func:`survey_kit.design.estimators.mean_parts`.

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> d = sk.SurveyDesign(pd.DataFrame({"y": [1.0, 2, None, 4], "w": [10.0, 10, 10, 10]}),
        ...                     weights="w")
        >>> e = d.mean("y")
        >>> round(e.estimate, 4), e.n, e.n_missing
        (2.3333, 3, 1)
        """
        return estimators.mean(self, var, conf_level=conf_level, df=df)

    def total(self, var: Any, *, conf_level: float = 0.95, df: float | None = None):
        """Weighted total with linearized SE, CI and design effect (R ``svytotal``).

        Parameters as :meth:`mean`; missing values count as zero in the total
        (formulas in :func:`survey_kit.design.estimators.total_parts`).

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> d = sk.SurveyDesign(pd.DataFrame({"y": [1.0, 2, 3, 4], "w": [10.0, 10, 10, 10]}),
        ...                     weights="w")
        >>> d.total("y").estimate
        100.0
        """
        return estimators.total(self, var, conf_level=conf_level, df=df)

    def proportion(self, var: Any, level: Any = None, *, ci_method: str = "logit",
                   conf_level: float = 0.95, df: float | None = None):
        """Proportion of respondents with ``var == level``, with a CI for a proportion.

        Parameters
        ----------
        var : str or array-like
            The variable. For a boolean or 0/1 variable ``level`` may be omitted.
        level : object
            The category whose share is estimated.
        ci_method : {"logit", "xlogit", "beta", "mean", "asin", "wilson", "likelihood"}
            How the interval is formed, with R's ``svyciprop`` names (and
            Wilson); see :func:`survey_kit.design.estimators.proportion_ci`, and
            :func:`survey_kit.design.intervals.likelihood_interval` for R's
            ``"likelihood"`` (profile likelihood, Rao-Scott scaled).
        conf_level, df
            As :meth:`mean`.

        Returns
        -------
        Estimate
            ``deff`` is the design effect of the proportion as a mean of the
            indicator (R ``svymean(..., deff=TRUE)``).

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> df = pd.DataFrame({"a": ["x", "y", "x", "x"], "w": [1.0, 1, 1, 1]})
        >>> sk.SurveyDesign(df, weights="w").proportion("a", "x").estimate
        0.75
        """
        return intervals.proportion(self, var, level, ci_method=ci_method,
                                     conf_level=conf_level, df=df)

    def quantile(self, var: Any, q: float | Sequence[float] = 0.5, *,
                 conf_level: float = 0.95, df: float | None = None,
                 qrule: str = "math", interval_type: str = "mean"):
        """Weighted quantile(s) with Woodruff confidence intervals (R ``svyquantile``).

        Parameters
        ----------
        var : str or array-like
            Numeric variable.
        q : float or sequence of float
            Probabilities in [0, 1].
        conf_level : float
        df : float, optional
            Default: ``degf`` of the design restricted to non-missing rows
            (what R uses after ``na.rm=TRUE``).
        qrule : {"math", "hf7"}
            R's ``qrule``: the inverse of the weighted CDF, or the weighted
            Hyndman-Fan type 7 interpolation.
        interval_type : {"mean", "score"}
            R's ``interval.type``: Woodruff's interval, or the score interval
            of Francisco and Fuller (1991).

        Returns
        -------
        Estimate, or a tuple of Estimate for a sequence ``q``.
            The rule and interval are in :func:`survey_kit.design.estimators.quantile`
            (and :mod:`survey_kit.design.intervals`).

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> d = sk.SurveyDesign(pd.DataFrame({"y": [3.0, 1, 2, 5, 4]}))
        >>> d.quantile("y", 0.5).estimate
        3.0
        >>> d.quantile("y", 0.3, qrule="hf7").estimate
        2.2
        """
        return intervals.quantile(self, var, q, conf_level=conf_level, df=df, qrule=qrule,
                                  interval_type=interval_type)

    def ratio(self, numerator: Any, denominator: Any, *, conf_level: float = 0.95,
              df: float | None = None):
        """Ratio of two weighted totals with linearized SE and CI (R ``svyratio``).

        Parameters
        ----------
        numerator, denominator : str or array-like
            Numeric (or boolean) columns of the frame, or values per respondent.
        conf_level : float
            Confidence level of the interval.
        df : float, optional
            Degrees of freedom of the t quantile; default ``design.degf`` (R
            ``confint(svyratio(...), df = degf(design))``).

        Returns
        -------
        Estimate
            ``statistic="ratio"``, :math:`\\sum w y / \\sum w x`; rows where either
            variable is missing are left out as a domain (R ``na.rm=TRUE``);
            formula in :mod:`survey_kit.design.ratio`.

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> df = pd.DataFrame({"y": [2.0, 3, 5, 8], "x": [1.0, 2, 2, 4]})
        >>> sk.SurveyDesign(df).ratio("y", "x").estimate
        2.0
        """
        return ratio_estimation.ratio(self, numerator, denominator, conf_level=conf_level, df=df)

    # domains ----------------------------------------------------------------
    def by(self, var: Any, by: Any, stat: str = "mean", *, level: Any = None,
           ci_method: str = "logit", conf_level: float = 0.95,
           df: float | None = None) -> pd.DataFrame:
        """Estimates for each domain (level of ``by``), as R ``svyby``.

        Parameters
        ----------
        var : str or array-like
            The variable estimated.
        by : str or array-like
            The domain variable. Respondents with a missing ``by`` belong to
            no domain.
        stat : {"mean", "total", "proportion"}
        level : object
            For ``stat="proportion"``: the category of ``var``.
        ci_method : str
            For proportions, as :meth:`proportion`.
        conf_level : float
        df : float, optional
            t degrees of freedom; default the whole design's ``degf`` (R's
            ``confint(svyby(...), df = degf(design))``).

        Returns
        -------
        pandas.DataFrame
            Indexed by the domain levels, with columns ``estimate, se, ci_low,
            ci_high, deff, n, n_missing`` (n: respondents in the domain with a
            value). A domain with no respondent (an unused category of a
            pandas Categorical) gets a row of NaN with ``n = 0``.

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4], "g": ["a", "a", "b", "b"]})
        >>> sk.SurveyDesign(df).by("y", "g")["estimate"].tolist()
        [1.5, 3.5]
        """
        return domain_estimation.by(self, var, by, stat, level=level, ci_method=ci_method,
                          conf_level=conf_level, df=df)

    def domain_means(self, Y: np.ndarray, domains: np.ndarray, n_domains: int) -> tuple:
        """Vectorised domain means of several variables and their joint covariance.

        The engine of banner tables and of :meth:`compare`: ``Y`` (n, k) values
        per respondent, ``domains`` (n,) codes 0..n_domains-1 (-1: none). Returns
        ``(est, vcov, n, weighted_n, deff)``, described in
        :func:`survey_kit.design.domains.domain_means`.

        Examples
        --------
        >>> import numpy as np, pandas as pd, survey_kit as sk
        >>> d = sk.SurveyDesign(pd.DataFrame({"w": [1.0, 1, 1, 1]}), weights="w")
        >>> est, V, n, W, deff = d.domain_means(np.array([1.0, 2, 3, 5]), np.array([0, 0, 1, 1]), 2)
        >>> est.ravel().tolist(), n.tolist()
        ([1.5, 4.0], [2, 2])
        """
        return domain_estimation.domain_means(self, Y, domains, n_domains)

    def domain_proportions(self, row: Any, col: Any, *, row_levels: Sequence | None = None,
                           col_levels: Sequence | None = None):
        """Shares of each ``row`` category within each ``col`` domain, with the full covariance.

        Parameters
        ----------
        row : str or array-like
            Categorical row variable (k categories).
        col : str or array-like
            Column (domain) variable (c levels).
        row_levels, col_levels : sequence, optional
            Categories to use and their order; default the observed values
            sorted (or the categories of a pandas Categorical). Respondents
            with a row value outside ``row_levels`` are left out, as missing.

        Returns
        -------
        DomainProportions
            ``estimates`` (c x k), ``vcov`` (ck x ck) and
            ``difference(a, b)`` for pairwise column tests.

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> df = pd.DataFrame({"r": list("xyxyxx"), "c": list("AABBBB")})
        >>> dp = sk.SurveyDesign(df).domain_proportions("r", "c")
        >>> float(dp.estimates.loc["B", "x"])
        0.75
        """
        return domain_estimation.domain_proportions(self, row, col, row_levels=row_levels,
                                          col_levels=col_levels)

    def compare(self, var: Any, by: Any, a: Any, b: Any, *, stat: str = "mean",
                level: Any = None, conf_level: float = 0.95, df: float | None = None):
        """Difference of a mean (or proportion) between domains ``a`` and ``b``, with a t test.

        Parameters
        ----------
        var, by : str or array-like
            The variable and the domain variable.
        a, b : object
            The two levels of ``by`` compared; the difference is a - b.
        stat : {"mean", "proportion"}
        level : object
            For proportions, the category of ``var``.
        conf_level : float
        df : float, optional
            Default the design's ``degf``.

        Returns
        -------
        Comparison
            The covariance of the two domains (shared PSUs) is included; see
            :func:`survey_kit.design.domains.compare`. Adjust a family of
            p-values with :func:`survey_kit.adjust_pvalues`.

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> df = pd.DataFrame({"y": [1.0, 2, 3, 4, 5, 7], "g": list("aaabbb")})
        >>> round(sk.SurveyDesign(df).compare("y", "g", "b", "a").difference, 4)
        3.3333
        """
        return domain_estimation.compare(self, var, by, a, b, stat=stat, level=level,
                               conf_level=conf_level, df=df)

    def chisq(self, row: Any, col: Any, statistic: str = "F", **kwargs: Any):
        """Test of association between two categorical variables, as R ``svychisq``.

        ``statistic`` is one of "F" (Rao-Scott second order, R's default),
        "Chisq", "Wald", "adjWald", "lincom", "saddlepoint"; the other keyword
        arguments and the formulas are those of :func:`survey_kit.svychisq`.

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> df = pd.DataFrame({"a": list("xxyyxyxy"), "b": list("ppqqpqqp")})
        >>> round(sk.SurveyDesign(df).chisq("a", "b").pvalue, 4)
        0.2275
        """
        from ..stats.design_tests import svychisq

        return svychisq(self, row, col, statistic=statistic, **kwargs)

    # regression -------------------------------------------------------------
    def glm(self, formula: str, family: str = "gaussian"):
        """Survey-weighted generalised linear model with linearization SEs (R ``svyglm``).

        Parameters
        ----------
        formula : str
            A patsy formula over the frame's columns, e.g.
            ``"foreign25 ~ export_intensity + C(size_class)"``. A boolean
            outcome counts as 0/1. Factors use treatment coding with the first
            (sorted) level as reference, as R.
        family : {"gaussian", "binomial"}
            ``"binomial"`` is R's ``quasibinomial``: logit link, outcome in
            [0, 1]; the coefficients and SEs equal those of ``binomial``.

        Returns
        -------
        SvyGLMResult
            ``params``, ``se``, ``tvalues``, ``pvalues``, ``conf_int()``,
            ``summary()``; the fit and sandwich are described in
            :mod:`survey_kit.design.glm`.

        Examples
        --------
        >>> import pandas as pd, survey_kit as sk
        >>> df = pd.DataFrame({"y": [1.0, 2, 2.5, 4, 5.5, 6], "x": [1.0, 2, 3, 4, 5, 6]})
        >>> fit = sk.SurveyDesign(df).glm("y ~ x")
        >>> round(float(fit.params["x"]), 4)
        1.0571
        """
        return glm.glm(self, formula, family)
