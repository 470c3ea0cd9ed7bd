"""CleaningResult: respondents kept and excluded by the quality rules, with the audit trail.

Example
-------
>>> import survey_kit as sk
>>> q = sk.load_questionnaire("questionnaires/japan_digital_services_2024.yaml")
>>> raw = sk.read_responses("sample_data/japan_digital_services_2024_raw.csv", q,
...                         duplicate_ids="keep")
>>> res = sk.clean(raw, q)
>>> res.n_raw, len(res.kept), len(res.excluded), len(res.review)
(700, 600, 100, 4)
>>> res.params_frame().iloc[:2]
                  parameter  value   source
0          skip_unavailable  False  default
1  near_duplicate_threshold   0.85  default
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from .._results import ResultMixin

__all__ = ["CleaningResult", "flow_display"]


def flow_display(flow: pd.DataFrame) -> pd.DataFrame:
    """The flow as printed: the status in place of the action of a rule not applied."""
    f = flow.copy()
    f["pct_of_start"] = f["pct_of_start"].map(lambda v: f"{v:.1f}")
    f["n_flagged"] = f["n_flagged"].astype(object).where(f["n_flagged"].notna(), "-")
    shown = f["action"].where(f["status"] == "applied", f["status"])
    f["action"] = shown
    return f[["step", "rule", "action", "n_flagged", "n_removed", "n_remaining",
              "pct_of_start", "parameter"]]


@dataclass(frozen=True, eq=False)
class CleaningResult(ResultMixin):
    """Respondents kept and excluded by the quality rules, with the audit trail.

    Attributes
    ----------
    kept : DataFrame
        The respondents retained, with the columns of the input.
    excluded : DataFrame
        The respondents removed, with the columns of the input plus ``reason``
        (the first exclude rule that fired) and ``reasons`` (every rule that
        fired, "; "-separated, exclude and review).
    flags : DataFrame
        One row per raw respondent: a boolean column per rule (rule order),
        then the indices behind them (trap score, duration ratio, longstring,
        IRV, near-duplicate share, Mahalanobis D2, ...).
    flow : DataFrame
        The exclusion flow: step, rule, label, action, status, n_flagged (in
        any order), n_removed (at this step), n_remaining, pct_of_start,
        parameter. Step 0 is the raw total.
    overlap : DataFrame
        Rules x rules: respondents flagged by both (the diagonal is n_flagged).
    params : dict
        Every parameter used, so the run can be reproduced and reported.
    param_sources : dict
        Where each parameter came from: "default", "questionnaire" or "call".
    warnings : list of str
        Rules skipped, respondents not evaluated, methods' limits.
    review : DataFrame
        Kept respondents flagged by review rules, with ``reasons``.
    survey : str
        The questionnaire id.
    """

    kept: pd.DataFrame
    excluded: pd.DataFrame
    flags: pd.DataFrame
    flow: pd.DataFrame
    overlap: pd.DataFrame
    params: dict
    warnings: list
    review: pd.DataFrame
    param_sources: dict = field(default_factory=dict)
    survey: str = ""

    @property
    def n_raw(self) -> int:
        return len(self.kept) + len(self.excluded)

    def to_frame(self) -> pd.DataFrame:
        """The exclusion flow table."""
        return self.flow.copy()

    def params_frame(self) -> pd.DataFrame:
        """Parameters as a table: name, value, source."""
        return pd.DataFrame({"parameter": list(self.params),
                             "value": [self.params[k] for k in self.params],
                             "source": [self.param_sources.get(k, "") for k in self.params]})

    def _headline(self) -> str:
        return (f"Exclusion flow{': ' + self.survey if self.survey else ''} - "
                f"{self.n_raw:,} raw respondents, {len(self.excluded):,} excluded, "
                f"{len(self.kept):,} kept ({len(self.review):,} of them flagged for review)")

    def _display(self) -> pd.DataFrame:
        return flow_display(self.flow)

    def __str__(self) -> str:
        text = self._headline() + "\n" + self._display().to_string(index=False)
        if self.warnings:
            text += "\nWarnings:\n" + "\n".join(f"  - {w}" for w in self.warnings)
        return text

    def _repr_html_(self) -> str:
        html = f"<p><b>{self._headline()}</b></p>" + self._display().to_html(index=False)
        if self.warnings:
            import html as _html

            html += "<p>Warnings:</p><ul>" + "".join(
                f"<li>{_html.escape(w)}</li>" for w in self.warnings) + "</ul>"
        return html

    def summary(self) -> str:
        """A plain-text report: the flow, removals by reason, review counts, parameters."""
        lines = [str(self), "", "Removed, by first reason:"]
        counts = self.excluded["reason"].value_counts() if len(self.excluded) else pd.Series(
            dtype="int64")
        for rule in self.flow["rule"].iloc[1:]:
            if counts.get(rule, 0):
                lines.append(f"  {rule:<28} {int(counts[rule]):>7,}")
        lines.append(f"  {'total':<28} {len(self.excluded):>7,}")
        review_rules = self.flow.loc[(self.flow["action"] == "review")
                                     & (self.flow["status"] == "applied"), "rule"]
        if len(review_rules):
            lines += ["", "Flagged for review (kept):"]
            for rule in review_rules:
                n = int(self.flags.loc[self.kept.index, rule].sum()) if len(self.kept) else 0
                lines.append(f"  {rule:<28} {n:>7,}")
        lines += ["", "Parameters:"]
        for name, value in self.params.items():
            src = self.param_sources.get(name, "")
            lines.append(f"  {name:<32} {value!s:<12} ({src})")
        return "\n".join(lines)
