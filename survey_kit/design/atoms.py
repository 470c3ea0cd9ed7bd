"""A design reduced to atoms: the respondents grouped by design cell and analysis levels.

An atom is a group of respondents sharing stratum, PSU (when clustered), fpc
and the level of every variable of the analysis. Everything a
linearization needs is a sum over respondents, and within an atom each
respondent's influence value is ``x_i = A + B y_i`` with ``A`` and ``B``
constant (``y`` a numeric variable, ``B = 0`` for categorical statistics).
So the atoms' moments (:mod:`survey_kit.engine.base`) give the variance of
:mod:`.variance` exactly:

- respondents as PSUs: per stratum, the sum over respondents of
  :math:`w_i^2 x_i x_i^T` is :math:`S_2 AA^T + S_{w^2y}(AB^T + BA^T) +
  S_{w^2y^2} BB^T` per atom, and the stratum total :math:`S_1 A + S_{wy} B`
  centres it (as :mod:`.coded`'s "atoms" path);
- clustered: the PSU totals are sums of :math:`S_1 A + S_{wy} B` over the
  PSU's atoms, centred within strata (:func:`.variance.centred_crossprod`);
- after raking or post-stratification, the residuals subtract a constant per
  margin level or cell from ``A`` (:class:`AtomRakeStep` reuses the ten
  backfitting passes of :class:`~.calibration.RakeStep`; post-stratification
  subtracts the cell mean of ``x`` under the old weights).

Stratum factors and the lonely-PSU rules are those of :mod:`.variance`.
:class:`AtomDesign` offers what ``survey_kit.stats`` and ``survey_kit.tables``
ask of a design (``frame``, ``weights``, ``vcov_total``,
``vcov_total_coded``, ``degf_of``), with ``row_counts`` and
``weights_squared`` telling the tables how many respondents an atom holds.

Example
-------
>>> import numpy as np, pandas as pd
>>> atoms = pd.DataFrame({"g": ["a", "b"], "__n": [2, 2], "__nz": [2, 2], "__bad": [0, 0],
...                       "__s1": [2.0, 2.0], "__s2": [2.0, 2.0]})
>>> d = AtomDesign(atoms, ["g"], Layout(None, None, None, "fail"))
>>> d.vcov_total(np.array([1.0, 3.0]))      # as SurveyDesign over rows 1, 1, 3, 3
array([[5.33333333]])
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..errors import DesignError, UsageError
from .calibration import RakeStep
from .structure import fpc_numbers, popsize_per_group, remaining_fractions
from .variance import centred_crossprod, group_sums, lonely_strata, stratum_scales

__all__ = ["AtomDesign", "AtomGregStep", "AtomPostStratify", "AtomRakeStep", "Layout",
           "Moments"]


class Layout(NamedTuple):
    """The design columns: ``strata``, ``cluster``, ``fpc`` (names or None), lonely-PSU rule."""

    strata: str | None
    cluster: str | None
    fpc: str | None
    lonely_psu: str


class Moments(NamedTuple):
    """Per atom sums over its respondents (final weights): counts of all rows and of rows
    with non-zero weight, sums of w and w^2; for a numeric y, the sums of y (w != 0),
    w y, w^2 y and w^2 y^2 (zero arrays for categorical statistics)."""

    n: np.ndarray
    nz: np.ndarray
    s1: np.ndarray
    s2: np.ndarray
    sy: np.ndarray
    swy: np.ndarray
    sw2y: np.ndarray
    sw2yy: np.ndarray


def _per_atom(ratio: np.ndarray | None, n: int) -> np.ndarray:
    """The trimming ratio per atom (ones when the weights were not trimmed; 1 where the
    ratio is 0, i.e. atoms without weight)."""
    if ratio is None:
        return np.ones(n)
    r = np.asarray(ratio, dtype=float)
    return np.where(r != 0, r, 1.0)


@dataclass(frozen=True)
class AtomRakeStep(RakeStep):
    """:class:`~.calibration.RakeStep` over atoms: ``margins`` are the atoms' level codes
    and ``counts`` / ``nonzero`` their respondents (all / non-zero weight).

    ``ratio`` (per atom) is final weight / raked weight when the weights were trimmed
    after raking: as R's ``trimWeights`` (and :meth:`SurveyDesign.trim`), the step
    residualises ``x w_final / w_raked`` and multiplies back by the raked weights, so
    the amount subtracted from ``A`` is the offset of ``ratio x A`` over ``ratio``."""

    counts: np.ndarray = None          # type: ignore[assignment]
    nonzero: np.ndarray = None         # type: ignore[assignment]
    ratio: np.ndarray | None = None

    def bind(self, design: AtomDesign) -> AtomRakeStep:
        """This step with the respondent counts of ``design``'s atoms."""
        return replace(self, counts=design.row_counts,
                       nonzero=design.atoms["__nz"].to_numpy(dtype=float))

    @cached_property
    def _tables(self) -> tuple:
        sizes = [int(m.max()) + 1 if m.size else 0 for m in self.margins]
        counts = [np.bincount(m, weights=self.counts, minlength=L)
                  for m, L in zip(self.margins, sizes)]
        cross = {}
        for j, (mj, Lj) in enumerate(zip(self.margins, sizes)):
            for i in range(j + 1):
                Li = sizes[i]
                key = mj.astype(np.int64) * Li + self.margins[i]
                cross[j, i] = np.bincount(key, weights=self.nonzero,
                                          minlength=Lj * Li).reshape(Lj, Li)
                cross[i, j] = cross[j, i].T
        return sizes, counts, cross

    def offsets(self, A: np.ndarray, B: np.ndarray | None, mom: Moments) -> np.ndarray:
        """The amount subtracted from ``A`` per atom (sum over margins of a_j[level])."""
        r = _per_atom(self.ratio, len(A))[:, None]
        base = (mom.nz[:, None] * r) * A
        if B is not None:
            base = base + (mom.sy[:, None] * r) * B
        G0 = [group_sums(m, base, L) for m, L in zip(self.margins, self.sizes)]
        out = np.zeros_like(A)
        for m, a in zip(self.margins, self.level_offsets(G0)):
            out += a[m]
        return out / r


@dataclass(frozen=True)
class AtomPostStratify:
    """Post-stratification over atoms: ``cells`` per atom and ``factor`` = new / old weight;
    ``ratio`` as :class:`AtomRakeStep` (final / post-stratified weight, after trimming)."""

    cells: np.ndarray
    factor: np.ndarray
    ratio: np.ndarray | None = None

    def offsets(self, A: np.ndarray, B: np.ndarray | None, mom: Moments) -> np.ndarray:
        """The cell mean of x under the weights before post-stratification, per atom."""
        r = _per_atom(self.ratio, len(A))
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = np.where(self.factor != 0, 1.0 / self.factor, 0.0)
        num = (mom.s1 * inv)[:, None] * A
        if B is not None:
            num = num + (mom.swy * inv)[:, None] * B
        G = int(self.cells.max()) + 1
        den = np.bincount(self.cells, weights=mom.s1 * inv / r, minlength=G)
        with np.errstate(divide="ignore", invalid="ignore"):
            means = group_sums(self.cells, num, G) / den[:, None]
        means[~np.isfinite(means)] = 0.0
        return means[self.cells] / r[:, None]


@dataclass(frozen=True)
class AtomGregStep:
    """Calibration (GREG, any calibration function) over atoms whose model-matrix row ``x``
    and calibration factor ``g = w / d`` are constant (categorical margins): as
    :class:`~.calibration.GregStep`, the least-squares fit of the influence values on
    ``x`` with the base weights ``d`` is subtracted; ``ratio`` as :class:`AtomRakeStep`."""

    x: np.ndarray            # (atoms, K) model-matrix rows
    g: np.ndarray            # calibration factor per atom
    ratio: np.ndarray | None = None

    def offsets(self, A: np.ndarray, B: np.ndarray | None, mom: Moments) -> np.ndarray:
        """``x' beta / ratio`` per atom, beta the base-weighted least-squares coefficients."""
        r = _per_atom(self.ratio, len(A))
        with np.errstate(divide="ignore", invalid="ignore"):
            inv_g = np.where(self.g != 0, 1.0 / self.g, 0.0)
        zsum = mom.s1[:, None] * A
        if B is not None:
            zsum = zsum + mom.swy[:, None] * B
        rhs = self.x.T @ (zsum * inv_g[:, None])
        d = mom.s1 * inv_g / r                   # the base weights' sum per atom
        scaled = self.x * np.sqrt(np.maximum(d, 0.0))[:, None]
        _, sv, vt = np.linalg.svd(scaled, full_matrices=False)
        # the rank tolerance of GregStep on the respondents' rows (same singular values)
        rows = max(int(mom.n.sum()), scaled.shape[1])
        tol = sv.max() * rows * np.finfo(float).eps if sv.size else 0.0
        keep = sv > tol
        v = vt[keep]
        beta = v.T @ ((v @ rhs) / (sv[keep] ** 2)[:, None])
        return (self.x @ beta) / r[:, None]


def _codes(values: Any, what: str, name: str | None) -> tuple[np.ndarray, np.ndarray]:
    values = pd.Series(values)
    if values.isna().any():
        raise DesignError(f"missing values in the {what} variable; every respondent needs one; "
                          "fill or drop those rows first", column=name)
    codes, labels = pd.factorize(values, sort=True)
    return codes.astype(np.intp), np.asarray(labels)


class AtomDesign:
    """A design given by its atoms (see the module's docstring).

    Parameters
    ----------
    atoms : DataFrame
        Key columns and the moment columns of :meth:`survey_kit.engine.base.Engine.moments`,
        for the final weights.
    keys : list of str
        The analysis variables (the columns of :attr:`frame`).
    layout : Layout
    steps : tuple
        At most one :class:`AtomRakeStep`, :class:`AtomPostStratify` or
        :class:`AtomGregStep`.
    """

    def __init__(self, atoms: pd.DataFrame, keys: list[str], layout: Layout,
                 steps: tuple = ()) -> None:
        atoms = atoms.reset_index(drop=True)
        self.atoms = atoms
        self.layout = layout
        self.lonely_psu = layout.lonely_psu
        self.frame = atoms[list(keys)]
        self.weights = atoms["__s1"].to_numpy(dtype=float)
        self.weights_squared = atoms["__s2"].to_numpy(dtype=float)
        self.row_counts = atoms["__n"].to_numpy(dtype=float)
        self.n = len(atoms)
        self.n_rows = int(atoms["__n"].sum())
        self.steps = tuple(s.bind(self) if isinstance(s, AtomRakeStep) else s for s in steps)
        self._calibrated = bool(steps)
        self._structure()
        self.degf = self.degf_of(np.ones(self.n, dtype=bool))

    # -- layout -------------------------------------------------------------
    def _structure(self) -> None:
        lay, atoms = self.layout, self.atoms
        if lay.strata is None:
            self._strata = np.zeros(self.n, dtype=np.intp)
            self._strata_labels = np.array([1])
        else:
            self._strata, self._strata_labels = _codes(atoms[lay.strata], "strata", lay.strata)
        H = self.n_strata = len(self._strata_labels)
        self._psu_is_row = lay.cluster is None
        if self._psu_is_row:
            self._n_h = np.bincount(self._strata, weights=self.row_counts,
                                    minlength=H).astype(np.int64)
            self._psu = None
        else:
            c, _ = _codes(atoms[lay.cluster], "cluster", lay.cluster)
            _, psu = np.unique(self._strata.astype(np.int64) * (int(c.max()) + 1) + c,
                               return_inverse=True)
            self._psu = psu.ravel().astype(np.intp)
            P = int(self._psu.max()) + 1
            self._psu_stratum = np.zeros(P, dtype=np.intp)
            self._psu_stratum[self._psu] = self._strata
            self._n_h = np.bincount(self._psu_stratum, minlength=H)
        if int(self._n_h.sum()) < 2:
            raise DesignError("the design has only one primary sampling unit; variances "
                              "cannot be estimated (give strata, or more PSUs)")
        self._popsize_h = None
        if lay.fpc is not None:
            fv, is_size = fpc_numbers(atoms[lay.fpc].to_numpy(), lay.fpc)
            self._popsize_h, lo, hi = popsize_per_group(fv, is_size, self._strata, self._n_h)
            varies = np.flatnonzero(lo != hi)
            if varies.size:
                raise DesignError(f"fpc varies within stratum {self._strata_labels[varies[0]]!r}; "
                                  "give one value per stratum", column=lay.fpc)
        self._f_h = remaining_fractions(self._popsize_h, self._n_h)

    # -- DesignLike ---------------------------------------------------------
    def moments(self, y: str | None = None) -> Moments:
        """The atoms' moments (of numeric ``y`` too, when given)."""
        a = self.atoms
        zero = np.zeros(self.n)

        def col(c: str) -> np.ndarray:
            return a[c].to_numpy(dtype=float)
        if y is None:
            return Moments(self.row_counts, col("__nz"), self.weights, self.weights_squared,
                           zero, zero, zero, zero)
        return Moments(self.row_counts, col("__nz"), self.weights, self.weights_squared,
                       col(f"sy:{y}"), col(f"swy:{y}"), col(f"sw2y:{y}"), col(f"sw2yy:{y}"))

    def vcov_parts(self, A: np.ndarray, B: np.ndarray | None = None, y: str | None = None,
                   subset: np.ndarray | None = None) -> np.ndarray:
        """Covariance of the totals of ``x_i = A[atom] + B[atom] y_i`` (see the module)."""
        A = np.asarray(A, dtype=float)
        if A.ndim == 1:
            A = A[:, None]
        if B is not None and B.ndim == 1:
            B = B[:, None]
        mom = self.moments(y)
        for step in self.steps:
            A = A - step.offsets(A, B, mom)
        T = mom.s1[:, None] * A
        if B is not None:
            T = T + mom.swy[:, None] * B
        present = None
        if subset is not None and not self._calibrated:
            present = np.zeros(self.n_strata, dtype=bool)
            present[self._strata[subset]] = True
        if not self._psu_is_row:
            totals = group_sums(self._psu, T, len(self._psu_stratum))
            return centred_crossprod(self, totals, present)
        return self._rows_vcov(A, B, mom, T, present)

    def _rows_vcov(self, A, B, mom: Moments, T: np.ndarray, present) -> np.ndarray:
        H = self.n_strata
        scale_h, factor, centre = stratum_scales(self, present)
        s = scale_h[self._strata]
        Q = A.T @ (A * (mom.s2 * s)[:, None])
        if B is not None:
            AB = A.T @ (B * (mom.sw2y * s)[:, None])
            Q += AB + AB.T + B.T @ (B * (mom.sw2yy * s)[:, None])
        Sh = group_sums(self._strata, T, H)
        coef = np.where(centre, scale_h / self._n_h, 0.0)
        Q -= Sh.T @ (Sh * coef[:, None])
        return factor * Q

    def vcov_total(self, x: np.ndarray, *, subset: np.ndarray | None = None) -> np.ndarray:
        """Covariance of the weighted totals of ``x`` (one value per atom; zero outside
        ``subset``)."""
        x = np.asarray(x, dtype=float)
        if x.ndim == 1:
            x = x[:, None]
        if x.shape[0] != self.n:
            raise UsageError(f"x must have one row per atom ({self.n}); got shape {x.shape}")
        if subset is not None:
            subset = np.asarray(subset, dtype=bool)
            x = np.where(subset[:, None], x, 0.0)
        return self.vcov_parts(x, subset=subset)

    def vcov_total_coded(self, table: np.ndarray, code: np.ndarray, *,
                         subset: np.ndarray | None = None,
                         code_subset: np.ndarray | None = None) -> np.ndarray:
        """:meth:`vcov_total` of ``table[code]`` (code -1: zero)."""
        table = np.asarray(table, dtype=float)
        if table.ndim == 1:
            table = table[:, None]
        code = np.asarray(code)
        if code_subset is not None:
            table = np.where(np.asarray(code_subset, dtype=bool)[:, None], table, 0.0)
            if not self._calibrated and lonely_strata(self).any():
                subset = (code >= 0) & np.append(code_subset, False)[code]
        x = np.zeros((self.n, table.shape[1]))
        ok = code >= 0
        x[ok] = table[code[ok]]
        return self.vcov_total(x, subset=subset)

    def coded_path(self, m: int = 1) -> str:
        """Always the per-code path (the atoms are the codes' combinations)."""
        return "atoms"

    def degf_of(self, subset: np.ndarray) -> int:
        """PSUs minus strata among the atoms of ``subset`` with non-zero weight (R ``degf``)."""
        nz = self.atoms["__nz"].to_numpy()
        inset = np.asarray(subset, dtype=bool) & (nz > 0)
        strata = np.count_nonzero(np.bincount(self._strata[inset], minlength=self.n_strata))
        if self._psu_is_row:
            return int(nz[inset].sum()) - int(strata)
        psus = np.count_nonzero(np.bincount(self._psu[inset], minlength=len(self._psu_stratum)))
        return int(psus) - int(strata)
