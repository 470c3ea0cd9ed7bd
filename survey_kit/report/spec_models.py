"""The report spec: what the report of one survey shows (``<questionnaire>.report.yaml``).

What is specific to one survey -- the composition variables, derived
variables such as "number of services used", the headline tables and the
figures quoted in a publication -- is declared in a YAML file next to the
questionnaire and validated by the pydantic models here. Unknown keys are
refused; :func:`survey_kit.report.spec.load_report_spec` reads the file and
checks every name it uses against the questionnaire.

Example
-------
>>> spec = ReportSpec.model_validate({
...     "questionnaire": "demo",
...     "quoted": [{"id": "half", "text": "Half use it", "variable": "uses",
...                 "levels": [1], "published": 50}]})
>>> x = spec.quoted[0]
>>> x.statistic, x.relation, x.basis, x.base
('share', '=', 'weighted', 'answered')
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..instrument.schema import Bands, Net

__all__ = ["DerivedVariable", "DomainSpec", "HeadlineSpec", "QuotedSpec", "ReportSpec"]

_ID = r"^[A-Za-z_][A-Za-z0-9_]*$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class DerivedVariable(_Model):
    """A variable computed from the answers: the number of options selected.

    ``count`` names a multi-select question; the value is the number of its
    options selected, exclusive ("none of these") options not counted; NaN
    when the question was not answered. ``bands`` (as a numeric question's)
    give a categorical version, ``nets`` combine bands.
    """

    id: str = Field(pattern=_ID)
    count: str
    label: str
    label_ja: str | None = None
    bands: Bands | None = None
    nets: list[Net] = Field(default_factory=list)


class DomainSpec(_Model):
    """A subpopulation: respondents whose ``variable`` is one of ``levels``."""

    variable: str
    levels: list[str | int] = Field(min_length=1)


class HeadlineSpec(_Model):
    """One headline result: a banner table of ``rows`` by ``cols`` and its figure.

    ``rows`` is a variable, a multi-select question (a row per option) or a
    grid question (a row per item, showing the share in ``net``'s levels).
    """

    id: str = Field(pattern=_ID)
    figure: str = ""
    title: str
    title_ja: str | None = None
    rows: str
    cols: str
    net: Net | None = None


class QuotedSpec(_Model):
    """A figure quoted in a publication and what computes it from the data.

    ``statistic="share"``: the percentage of respondents whose ``variable``
    is one of ``levels`` (within ``domain`` if given). ``statistic="mode"``:
    the modal level of ``variable``; ``published`` is then a level key.
    ``relation`` is how the publication states it (``">"`` for "over half").
    ``basis`` is the estimate the publication describes (weighted, or
    unweighted for the make-up of the sample); ``base="all"`` keeps
    respondents with a missing answer in the denominator. ``also`` makes the
    claim joint: the share counts respondents who are in ``levels`` of
    ``variable`` *and* in the levels of every ``also`` condition ("extremely
    valuable and at least 20% more competitive"), so both halves are tested
    together.
    """

    id: str = Field(pattern=_ID)
    figure: str = ""
    text: str
    text_ja: str | None = None
    statistic: Literal["share", "mode"] = "share"
    variable: str
    levels: list[str | int] = Field(default_factory=list)
    domain: DomainSpec | None = None
    also: list[DomainSpec] = Field(default_factory=list)
    published: float | str
    relation: Literal["=", ">", "<"] = "="
    basis: Literal["weighted", "unweighted"] = "weighted"
    base: Literal["answered", "all"] = "answered"


class ReportSpec(_Model):
    """What the report of one survey shows; read by :func:`.spec.load_report_spec`."""

    questionnaire: str
    paper: str | None = None
    summary: str | None = None
    composition: list[str] = Field(default_factory=list)
    derived: list[DerivedVariable] = Field(default_factory=list)
    headlines: list[HeadlineSpec] = Field(default_factory=list)
    quoted: list[QuotedSpec] = Field(default_factory=list)
