"""Seeded generator of synthetic raw panel exports (the files in ``sample_data/``).

The generator reads everything it writes from the questionnaire: export
columns, answer codes, missing codes, trap items, plausibility rules, bands
and screening conditions. It then

1. draws honest answers for every respondent. For the two reference
   instruments a *profile* reproduces the associations reported in the
   reference study (see :data:`PROFILES`); for any other instrument the
   answers are drawn uniformly from the options. Honest answers satisfy
   every trap and rule of the instrument, no grid is answered identically
   throughout and no two respondents are near duplicates;
2. plants quality defects at realistic rates (screen-outs, partial
   completes, speeders, trap failures, straight-lining, out-of-range and
   inconsistent answers, gibberish open ends), some respondents carrying
   more than one;
3. appends duplicate records (the same respondent id repeated, the same
   device fingerprint with identical answers under a new id, near
   duplicates);
4. encodes the answers with the instrument's codes into the raw export
   layout, and records which defects were planted in which row.

Everything is driven by ``numpy.random.default_rng(seed)``: the same seed
and size give the same bytes.

Example
-------
>>> import survey_kit as sk
>>> raw = sk.generate_sample("japan_digital_services_2024", seed=1, n=300)
>>> raw.shape[0]
300
>>> from survey_kit.sample.generator import planted_defects
>>> planted_defects("japan_digital_services_2024", seed=1, n=300)["defect"].nunique() > 10
True

Notes
-----
Exact allocation. Within each stratum (respondents that stay clean versus
respondents that carry a defect, crossed with the profile's conditioning
variable) the number of respondents choosing each answer is the
largest-remainder rounding of ``m * p_k``; who gets which answer follows a
latent score plus noise, so ordinal answers are associated with each other
(for example reliance on foreign services drives both their value and the
expected cost rise) while the margins on the clean rows match the targets.

Near duplicates. The similarity of two rows is the largest of three shares
of identical answers: over every substantive export column (question
columns, not meta data), a blank matching a blank; the same without the
open ends; and over the closed items both rows answered (blanks and missing
codes left out, at least 10 items, as :func:`survey_kit.cleaning.careless.near_duplicates`
counts). Honest rows are kept below 0.78 by nudging free answers (multi-select
options no rule looks at); planted near duplicates are at least 0.9 similar
to their original. Should an instrument have too few free answers to
separate every pair, the remaining pairs at 0.85 or more are listed as
near duplicates, so the defect list stays complete.

Defect list. Every row that carries a defect is listed once per defect
(:func:`planted_defects`); the test suite re-detects each kind of defect from
the raw export alone and checks that the two lists agree exactly.

References
----------
Nextrade Group (2024), survey of Japanese firms on digital services,
Appendix I of "Gains from Digital Services Imports in Japan".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._files import write_text
from ..errors import QuestionnaireError, UsageError
from ..instrument.questionnaire import Questionnaire, load_questionnaire

__all__ = ["DEFAULT_SEED", "SAMPLE_SURVEYS", "generate_sample", "planted_defects",
           "population_targets", "sample_headlines", "write_sample"]

#: The seed of the committed sample in ``sample_data/``.
DEFAULT_SEED = 20240705

#: Instruments with a calibrated profile, in the order ``write_sample`` writes them.
SAMPLE_SURVEYS = ("japan_digital_services_2024", "japan_creators_2024")

_QDIR = Path(__file__).resolve().parents[2] / "questionnaires"
_MISS = "!"               # working-sheet prefix of a missing-code key, e.g. "!dont_know"
_NEAR_HONEST_MAX = 0.78   # honest rows stay below this similarity to one another
_MIN_N = 40

_GIBBERISH = ("asdfasdf", "jjjjjjjj", "!!!!", "123123", "aaaaaaa", "????", "qweqwe",
              "xxxxxxxx", "0000", "hjkhjk")

# order in which defects are planted on one respondent, and in which they are listed
_ORDER = ("screened_out", "partial", "rule", "consistency", "straightline", "instructed",
          "gibberish", "speeder", "duplicate_id", "duplicate_fingerprint", "near_duplicate")
_COPIES = ("duplicate_id", "duplicate_fingerprint", "near_duplicate")


# ---------------------------------------------------------------------------
# the instrument, seen from the generator


class _Inst:
    """Variables of a questionnaire grouped the way the generator needs them."""

    def __init__(self, q: Questionnaire) -> None:
        self.q = q
        self.id_column = q.survey.respondent_id
        self.kind: dict[str, str] = {}        # var -> cat | multi | num | open | meta
        self.column: dict[str, str] = {}
        self.qid: dict[str, str] = {}         # var -> question id
        self.levels: dict[str, list[str]] = {}
        self.codes: dict[str, dict[str, float]] = {}   # var -> key (or !missing) -> code
        self.vars_of: dict[str, list[str]] = {}
        for name, info in q.variables.items():
            if info.column is None:
                continue
            qu = q.question(info.question)
            kind = {"single": "cat", "likert": "cat", "grid": "cat", "multi": "multi",
                    "numeric": "num", "open": "open", "meta": "meta"}[qu.type]
            self.kind[name] = kind
            self.column[name] = info.column
            self.qid[name] = qu.id
            self.vars_of.setdefault(qu.id, []).append(name)
            miss = {_MISS + m.key: float(m.code) for m in qu.missing}
            if kind == "cat":
                self.levels[name] = list(info.levels)
                self.codes[name] = {o.key: float(o.code) for o in qu.options} | miss
            elif kind == "num":
                self.codes[name] = miss
        self.questions = [x for x in q.questions if x.type != "meta"]
        self.substantive = [v for v in self.kind if self.kind[v] != "meta"]
        self.meta_roles = {x.role: x.id for x in q.questions if x.type == "meta"}
        self.traps = {t.id: t for t in q.quality.traps}
        self.rules = {r.id: r for r in q.quality.rules}

    def var(self, name: str, where: str) -> str:
        """``name`` if the instrument defines it as a variable or question, else an error."""
        if name not in self.kind and name not in self.vars_of:
            raise QuestionnaireError(f"{where}: the generator needs variable {name!r}, which "
                                     "the questionnaire does not define; restore it or "
                                     "generate with another instrument", file=self.q.source)
        return name

    def key_of(self, var: str, value: Any) -> str:
        """Option key for a key or a code given in the YAML (traps, conditions)."""
        qu = self.q.question(self.qid[var])
        for o in qu.options:
            if value == o.key or (not isinstance(value, str) and value == o.code):
                return o.key
        return str(value)

    def exclusive(self, var: str) -> bool:
        qu = self.q.question(self.qid[var])
        return any(f"{qu.id}_{o.key}" == var and o.exclusive for o in qu.options)

    def rule_vars(self) -> set[str]:
        """Variables (and questions) named by screening, traps or rules."""
        out: set[str] = set()
        for c in self.q.survey.screening:
            out.add(c.question)
        for t in self.traps.values():
            out.update(x for x in (t.question, t.repeat) if x)
        for r in self.rules.values():
            out.update(x for x in (r.question, r.numeric) if x)
            out.update(r.questions)
            out.update(c.question for c in (*r.when, *r.then))
        # a question named as a whole stands for all its variables
        for name in list(out):
            out.update(self.vars_of.get(name, ()))
        return out

    def safe_vars(self) -> tuple[list[str], list[str]]:
        """Multi options and single answers a respondent may change freely.

        Excludes everything a trap, rule or screener looks at, whole multi
        questions that a rule mentions, grids (straight-lining) and open ends.
        """
        busy = self.rule_vars()
        multi, single = [], []
        for qu in self.questions:
            names = self.vars_of.get(qu.id, [])
            if any(v in busy for v in names) or qu.id in busy:
                continue
            if qu.type == "multi":
                multi += [v for v in names if not self.exclusive(v)]
            elif qu.type in ("single", "likert"):
                single += names
        return multi, single


# ---------------------------------------------------------------------------
# allocation helpers


def _round_counts(m: int, p: np.ndarray) -> np.ndarray:
    """Largest-remainder rounding of ``m * p`` (p normalised) to integers summing to m."""
    p = np.asarray(p, dtype=float)
    p = p / p.sum()
    raw = m * p
    base = np.floor(raw).astype(np.int64)
    rest = m - int(base.sum())
    if rest > 0:
        base[np.argsort(-(raw - base), kind="stable")[:rest]] += 1
    return base


def _exact(rng: np.random.Generator, group: np.ndarray, probs: np.ndarray,
           score: np.ndarray | None = None) -> np.ndarray:
    """Category index per row with exact counts within each group.

    ``probs[g]`` are the category probabilities of group ``g``; rows of group
    -1 get -1. Rows are ranked by ``score`` (random when None) and the
    categories handed out in ascending order, so a higher score means a
    later category.
    """
    group = np.asarray(group)
    probs = np.atleast_2d(np.asarray(probs, dtype=float))
    tie = rng.random(group.size)
    key = tie if score is None else np.asarray(score, dtype=float)
    out = np.full(group.size, -1, dtype=np.int64)
    for g in np.unique(group[group >= 0]):
        idx = np.flatnonzero(group == g)
        order = idx[np.lexsort((tie[idx], key[idx]))]
        out[order] = np.repeat(np.arange(probs.shape[1]), _round_counts(idx.size, probs[g]))
    return out


def _vec(levels: list[str], probs: dict[str, float], what: str) -> np.ndarray:
    unknown = set(probs) - set(levels)
    if unknown:
        raise QuestionnaireError(f"{what}: the generator's profile uses levels "
                                 f"{sorted(unknown)} that the questionnaire does not define "
                                 f"(levels: {', '.join(levels)}); update the profile in "
                                 "survey_kit/sample/generator.py")
    return np.array([probs.get(k, 0.0) for k in levels], dtype=float)


def _pick(rng: np.random.Generator, levels: list[str], probs: dict | list, clean: np.ndarray,
          sub: np.ndarray | None = None, score: np.ndarray | None = None,
          skip: np.ndarray | None = None, what: str = "") -> np.ndarray:
    """Level index per row; ``probs`` is one table or one table per value of ``sub``."""
    tables = [probs] if isinstance(probs, dict) else list(probs)
    t = np.vstack([_vec(levels, tab, what) for tab in tables])
    n = clean.size
    sub = np.zeros(n, dtype=np.int64) if sub is None else np.asarray(sub)
    group = clean.astype(np.int64) * len(tables) + sub
    group = np.where(sub < 0, -1, group)
    if skip is not None:
        group = np.where(skip, -1, group)
    return _exact(rng, group, np.vstack([t, t]), score)


def _flag(rng: np.random.Generator, clean: np.ndarray, rate: float,
          skip: np.ndarray | None = None) -> np.ndarray:
    """Boolean flag with an exact share ``rate`` within clean and defective rows."""
    group = clean.astype(np.int64)
    if skip is not None:
        group = np.where(skip, -1, group)
    return _exact(rng, group, [[1 - rate, rate], [1 - rate, rate]]) == 1


def _isin(x: np.ndarray, values: Any) -> np.ndarray:
    """Membership test for object arrays holding None (numpy's isin would sort them)."""
    return pd.Series(x, dtype=object).isin(list(values)).to_numpy()


def _index_of(levels: list[str], values: np.ndarray) -> np.ndarray:
    """Position of each value in ``levels``; -1 for anything else (blank, missing code)."""
    pos = pd.Series(values, dtype=object).map({k: i for i, k in enumerate(levels)})
    return pos.fillna(-1).to_numpy(dtype=np.int64)


def _keys(levels: list[str], idx: np.ndarray) -> np.ndarray:
    lv = np.array(list(levels) + [None], dtype=object)
    return lv[np.where(idx < 0, len(levels), idx)]


def _table(inst: _Inst, var: str, tables: dict[str, dict]) -> list[dict]:
    """Tables keyed by the levels of ``var``, put in instrument order."""
    levels = inst.levels[var]
    missing = [k for k in levels if k not in tables]
    if missing:
        raise QuestionnaireError(f"{var}: the generator's profile has no table for levels "
                                 f"{missing}; update the profile in survey_kit/sample/generator.py",
                                 file=inst.q.source)
    return [tables[k] for k in levels]


def _band_levels(inst: _Inst, var: str) -> list:
    qu = inst.q.question(inst.qid[var])
    if qu.bands is None:
        raise QuestionnaireError(f"{var}: the generator needs bands on this question",
                                 file=inst.q.source)
    return list(qu.bands.levels)


def _missing_key(inst: _Inst, var: str, key: str) -> str:
    qu = inst.q.question(inst.qid[var])
    if key not in {m.key for m in qu.missing}:
        raise QuestionnaireError(f"{var}: the generator needs missing code {key!r}, which the "
                                 "question does not declare", file=inst.q.source)
    return _MISS + key


def _band_values(rng: np.random.Generator, bands: list, idx: np.ndarray,
                 heap: float = 0.5) -> np.ndarray:
    """Integer values inside the chosen bands; wide top bands skewed to their low end."""
    lo = np.array([b.min for b in bands])[idx]
    hi = np.array([b.max for b in bands])[idx]
    u = rng.random(idx.size)
    top = (idx == len(bands) - 1) & (hi - lo > 30)
    u = np.where(top, u ** 1.8, u)
    v = np.floor(lo + u * (hi - lo + 1))
    heaped = (rng.random(idx.size) < heap) & (v > 10)
    v = np.where(heaped, np.round(v / 5) * 5, v)
    return np.clip(v, lo, hi)


def _loguniform(rng: np.random.Generator, lo: np.ndarray, hi: np.ndarray,
                skew: float = 1.0) -> np.ndarray:
    """Integers in [lo, hi], uniform on the log scale (skew > 1 favours the low end)."""
    u = rng.random(np.size(lo)) ** skew
    v = np.floor(np.exp(np.log(lo) + u * (np.log(hi + 1.0) - np.log(lo))))
    big = v >= 1000
    mid = (v >= 100) & ~big
    heaped = rng.random(np.size(lo)) < 0.5
    v = np.where(heaped & big, np.round(v / 100) * 100, v)
    v = np.where(heaped & mid, np.round(v / 10) * 10, v)
    return np.clip(v, lo, hi)


def _gumbel_top(rng: np.random.Generator, weights: np.ndarray, k: np.ndarray) -> np.ndarray:
    """0/1 matrix choosing ``k[i]`` of the columns per row, proportionally to ``weights``."""
    keys = np.log(weights)[None, :] + rng.gumbel(size=(k.size, weights.size))
    rank = np.argsort(np.argsort(-keys, axis=1), axis=1)
    return (rank < k[:, None]).astype(float)


# ---------------------------------------------------------------------------
# profiles: the answer models of the reference instruments


@dataclass(frozen=True)
class _Profile:
    """How one instrument's sample is generated."""

    n: int                                             # raw rows by default
    combos: tuple[tuple[tuple[str, ...], int], ...]    # defect combinations, rows at n
    duration_median: float                             # seconds, honest completes
    answers: Callable | None = None                    # (rng, inst, clean) -> {var: array}
    headlines: Callable | None = None                  # (sheet, clean, inst) -> rows
    repeat_shift: float = 0.0                          # honest repeats one band off
    comment_rate: float = 0.35
    ja_share: float = 0.8
    comments_ja: tuple[str, ...] = ()
    comments_en: tuple[str, ...] = ()
    targets: tuple[tuple[str, str, int], ...] = ()
    targets_note: str = ""


_OPENERS_JA = ("", "", "", "弊社では、", "正直なところ、", "現場の立場から言うと、", "個人的には、",
               "率直に言って、", "今のところ、")
_FIRM_COMMENTS_JA = (
    "円安でドル建てのクラウド利用料が上がっているので、価格の安定を望みます。",
    "社内にIT人材が不足しているため、導入支援があると助かります。",
    "海外のサービスは日本語サポートが不十分なことが多い。",
    "セキュリティに関するガイドラインを国が分かりやすく示してほしい。",
    "特になし",
    "補助金の申請手続きをもっと簡単にしてほしい。",
    "データの越境移転のルールが分かりにくい。",
    "生成AIの社内利用ルールづくりに悩んでいます。",
    "国産サービスの選択肢がもっと増えるとよい。",
    "従業員向けのデジタル研修が必要だと感じています。",
    "取引先とのシステム連携が一番の課題です。",
    "請求書や契約書の電子化をもっと進めたい。",
    "サブスクリプションの数が多く、管理が大変です。",
    "中小企業向けの相談窓口があると良いと思います。",
    "海外の決済サービスの手数料が高い。",
    "円建てで契約できるサービスを増やしてほしい。",
    "経営層の理解が進めば活用はもっと広がると思う。",
    "レガシーシステムからの移行費用が大きい。",
    "AIは便利だが情報漏えいが心配です。",
    "日本語の資料とサポート窓口の充実を希望します。",
    "地方拠点の通信環境を整備してほしい。",
    "サイバー攻撃への対策を強化したい。",
    "複数のツールを一元管理できる仕組みがほしい。",
    "価格改定が頻繁で予算が組みにくい。",
    "特にありません。",
    "ベンダーロックインが心配です。",
    "ISMAPの対象サービスを広げてほしい。",
    "人材育成への公的な支援があるとありがたい。",
    "海外拠点との情報共有がスムーズになった。",
    "社内のITリテラシー向上が課題です。",
    "導入効果をどう測ればよいか分からない。",
    "データ分析ができる人材がいない。",
    "税制優遇があれば投資しやすくなる。",
    "クラウド移行の成功事例をもっと知りたい。",
    "契約条件が英語のみで法務確認に時間がかかる。",
    "国内データセンターで運用されるサービスを選びたい。",
    "海外ベンダーとの契約更新のたびに値上げを提示される。",
    "生成AIの導入で資料作成の時間がかなり減った。",
    "同業他社の活用事例を共有する場があると参考になる。",
    "ITの専任担当者がおらず、社長が兼務している状態です。",
    "クラウド会計に切り替えてから経理が楽になった。",
    "取引先から指定されたツールを使わざるを得ない。",
    "外資系サービスの障害時の連絡が遅いのが不安。",
    "ライセンス体系が複雑で、最適なプランが分からない。",
    "特になし",
)
_FIRM_COMMENTS_EN = (
    "Stable pricing in yen would help a lot.",
    "More Japanese-language support from overseas vendors.",
    "Clearer rules on cross-border data transfers.",
    "Training for our staff on cloud and AI tools.",
    "Subsidies for small firms to adopt SaaS.",
    "Better integration between domestic and foreign tools.",
    "A security certification our customers recognise.",
    "Nothing in particular.",
    "Lower payment processing fees.",
    "Help with migrating our legacy systems.",
    "Predictable licence costs; the weak yen hurts.",
    "Contracts governed by Japanese law would make procurement easier.",
    "Our IT team is two people, so simple setup matters most.",
    "Generative AI saves us hours on reports every week.",
    "Vendor support hours do not match Japan business hours.",
    "We need clearer guidance on storing customer data abroad.",
    "Bundled pricing for small teams would help.",
    "Case studies from similar Japanese manufacturers.",
    "Faster invoicing in yen instead of dollars.",
    "More local partners who can implement these tools.",
    "Stable APIs; frequent changes break our integrations.",
    "Nothing specific at the moment.",
)
_CREATOR_COMMENTS_JA = (
    "動画編集ソフトのサブスク料金が上がって負担が大きい。",
    "海外のファンに届けるには配信プラットフォームが欠かせない。",
    "生成AIと著作権の関係をはっきりさせてほしい。",
    "海外からの収益の送金手数料が高い。",
    "翻訳ツールのおかげで海外の案件が増えた。",
    "プラットフォームの手数料が高すぎると思う。",
    "特になし",
    "クラウドで海外のスタッフと共同作業しています。",
    "海外収入の税務手続きが分かりにくい。",
    "円安で海外向けの販売が伸びている。",
    "イラストの無断転載への対策を強化してほしい。",
    "音楽配信の収益分配が不透明です。",
    "海外のSNSの規約変更に振り回されている。",
    "素材サイトのライセンスが分かりにくい。",
)
_CREATOR_COMMENTS_EN = (
    "Platform fees keep rising.",
    "Overseas fans find us through streaming platforms.",
    "Clear rules on AI training data, please.",
    "Payments from abroad take too long to arrive.",
    "Cloud tools let me work with a team in Korea.",
)


def _answers_digital(rng: np.random.Generator, inst: _Inst, clean: np.ndarray) -> dict:
    """Firms survey: the associations reported in Figures 6-11 and Appendix I."""
    n = clean.size
    c = clean
    z = rng.standard_normal(n)                    # latent reliance on foreign services

    def noise(s: float = 1.0) -> np.ndarray:
        return rng.normal(0.0, s, n)

    a: dict[str, np.ndarray] = {}
    v = inst.var
    lv = inst.levels

    a[v("screener_role", "profile")] = _keys(lv["screener_role"], _pick(
        rng, lv["screener_role"], {"decision_maker": .62, "influencer": .38}, c,
        what="screener_role"))

    sec = _pick(rng, lv[v("sector", "profile")], {"manufacturing": .40, "business_services": .30,
                                                   "digital_services": .30}, c, what="sector")
    a["sector"] = _keys(lv["sector"], sec)
    manuf = sec == lv["sector"].index("manufacturing")
    digi = sec == lv["sector"].index("digital_services")

    # firm size (Appendix I): size class or not stated; employees inside the class
    size_levels = lv[v("size_class", "profile")] + [_missing_key(inst, "size_class", "not_stated")]
    size = _pick(rng, size_levels, {"micro": .27, "small": .11, "medium": .24, "large": .28,
                                    "!not_stated": .10}, c, what="size_class")
    a["size_class"] = _keys(size_levels, size)
    bands = {b.key: b for b in _band_levels(inst, v("employees", "profile"))}
    lo = np.ones(n)
    hi = np.ones(n)
    skew = np.ones(n)
    for i, key in enumerate(lv["size_class"]):
        if key not in bands:
            raise QuestionnaireError(f"size_class level {key!r} has no employee band",
                                     file=inst.q.source)
        lo[size == i] = bands[key].min
        hi[size == i] = min(bands[key].max, 30000)
        skew[size == i] = 1.0 if i < len(lv["size_class"]) - 1 else 1.7
    employees = _loguniform(rng, lo, hi, skew)
    stated = size < len(lv["size_class"])
    not_stated_code = inst.codes["employees"][_missing_key(inst, "employees", "not_stated")]
    blank = ~stated & (rng.random(n) < 0.35)
    a["employees"] = np.where(stated, employees, np.where(blank, np.nan, not_stated_code))
    size_ord = np.where(stated, size, 1.5)

    # export intensity by sector; larger firms export more
    eb = _band_levels(inst, v("export_share", "profile"))
    ekeys = [b.key for b in eb]
    ei = _pick(rng, ekeys, _table(inst, "sector", {
        "manufacturing": {"none": .30, "low": .25, "mid": .15, "high": .30},
        "business_services": {"none": .42, "low": .25, "mid": .15, "high": .18},
        "digital_services": {"none": .35, "low": .25, "mid": .15, "high": .25}}),
        c, sub=sec, score=0.5 * size_ord + noise(), what="export_share bands")
    share = _band_values(rng, eb, ei)
    a["export_share"] = share
    jitter = rng.choice(np.array([-2.0, -1.0, 1.0, 2.0]), n) * (rng.random(n) < 0.3)
    a[v("revenue_japan_pct", "profile")] = np.clip(100.0 - share + jitter, 0, 100)

    # Figure 6: digital spending, modal 5-10% of revenue
    dk = _flag(rng, c, 0.03)
    spend = _pick(rng, lv[v("digital_spend", "profile")], _table(inst, "sector", {
        "manufacturing": {"under_1": .10, "1_4": .30, "5_10": .37, "11_20": .15, "over_20": .08},
        "business_services": {"under_1": .09, "1_4": .28, "5_10": .38, "11_20": .16,
                              "over_20": .09},
        "digital_services": {"under_1": .04, "1_4": .17, "5_10": .36, "11_20": .25,
                             "over_20": .18}}),
        c, sub=sec, score=0.4 * z + noise(), skip=dk, what="digital_spend")
    a["digital_spend"] = np.where(dk, _missing_key(inst, "digital_spend", "dont_know"),
                                  _keys(lv["digital_spend"], spend))

    # Figure 8: foreign share of digital spending rises with export intensity
    def mix(over: float, under_split: tuple, over_split: tuple) -> dict:
        keys = ("none", "1_9", "10_24", "25_49", "50_74", "75_100")
        vals = [(1 - over) * s for s in under_split] + [over * s for s in over_split]
        return dict(zip(keys, vals))

    dk = _flag(rng, c, 0.02)
    fs = _pick(rng, lv[v("foreign_share", "profile")], [
        {"none": mix(.10, (.10, .55, .35), (.60, .30, .10)),
         "low": mix(.30, (.03, .42, .55), (.55, .30, .15)),
         "mid": mix(.45, (.02, .30, .68), (.50, .30, .20)),
         "high": mix(.70, (.00, .25, .75), (.42, .33, .25))}[k] for k in ekeys],
        c, sub=ei, score=z + noise(0.8), skip=dk, what="foreign_share")
    a["foreign_share"] = np.where(dk, _missing_key(inst, "foreign_share", "dont_know"),
                                  _keys(lv["foreign_share"], fs))
    fs_std = np.where(fs >= 0, (fs - 2.0) / 1.5, 0.0)

    # Figure 7: every firm uses a foreign service, over half five or more
    svc = [x for x in inst.vars_of[v("foreign_services", "profile")] if not inst.exclusive(x)]
    count = _pick(rng, [str(k) for k in range(1, len(svc) + 1)],
                  dict(zip([str(k) for k in range(1, 11)],
                           (.04, .08, .12, .17, .18, .15, .11, .08, .04, .03))),
                  c, score=z + noise(), what="number of foreign services") + 1
    popularity = {"communications": .85, "collaboration": .75, "cloud": .70,
                  "cybersecurity": .55, "ai": .50, "crm": .45, "data_visualisation": .45,
                  "payments": .40, "marketing": .40, "ecommerce": .35}
    w = np.array([popularity.get(x[len("foreign_services_"):], 0.4) for x in svc])
    chosen = _gumbel_top(rng, w, count)
    for j, x in enumerate(svc):
        a[x] = chosen[:, j]
    for x in inst.vars_of["foreign_services"]:
        if inst.exclusive(x):
            a[x] = np.zeros(n)

    # Figure 9: value of foreign services and the competitiveness gain
    val = _pick(rng, lv[v("foreign_value", "profile")], _table(inst, "sector", {
        "manufacturing": {"extremely": .305, "very": .32, "moderately": .235, "slightly": .095,
                          "not_at_all": .045},
        "business_services": {"extremely": .305, "very": .32, "moderately": .235,
                              "slightly": .095, "not_at_all": .045},
        "digital_services": {"extremely": .365, "very": .32, "moderately": .195,
                             "slightly": .08, "not_at_all": .04}}),
        c, sub=sec, score=-(0.8 * z + 0.5 * fs_std + noise(0.7)), what="foreign_value")
    a["foreign_value"] = _keys(lv["foreign_value"], val)
    comp = _pick(rng, lv[v("competitiveness", "profile")], _table(inst, "foreign_value", {
        "extremely": {"10_19": .03, "20_plus": .97},
        "very": {"none": .03, "under_10": .17, "10_19": .45, "20_plus": .35},
        "moderately": {"none": .12, "under_10": .45, "10_19": .35, "20_plus": .08},
        "slightly": {"none": .30, "under_10": .60, "10_19": .10},
        "not_at_all": {"none": .80, "under_10": .20}}),
        c, sub=val, score=z + noise(0.8), what="competitiveness")
    a["competitiveness"] = _keys(lv["competitiveness"], comp)

    # Figure 10: reasons, quality > diversity > security > price; a quarter 'unavailable'
    rates = {"quality": .61, "diversity": .49, "security": .40, "price": .32,
             "unavailable": .25, "integration": .21}
    reasons = inst.vars_of[v("reasons", "profile")]
    for x in reasons:
        a[x] = _flag(rng, c, rates.get(x[len("reasons_"):], 0.2)).astype(float)
    none_given = np.sum([a[x] for x in reasons], axis=0) == 0
    a["reasons_quality" if "reasons_quality" in reasons else reasons[0]][none_given] = 1.0

    # Figure 11: cost rise and the impact grid
    dk = _flag(rng, c, 0.03)
    cost = _pick(rng, lv[v("cost_rise", "profile")],
                 {"none": .09, "1_10": .44, "11_20": .18, "21_40": .12, "over_40": .17}, c,
                 score=0.7 * z - 0.3 * val + noise(0.7), skip=dk, what="cost_rise")
    a["cost_rise"] = np.where(dk, _missing_key(inst, "cost_rise", "dont_know"),
                              _keys(lv["cost_rise"], cost))
    impact = {
        "impact_revenue": (.12, .33, .48, .05, .02),
        "impact_profitability": (.15, .37, .42, .04, .02),
        "impact_exports": (.14, .30, .51, .03, .02),
        "impact_innovation": (.10, .30, .54, .04, .02),
        "impact_hiring": (.05, .18, .70, .05, .02)}
    grid = [x for x in inst.q.grid_variables(v("impact", "profile"))]
    for x in grid:
        keys = lv[x]
        if x == "impact_dx":      # 35% of manufacturers negative
            tabs = [dict(zip(keys, (.15, .32, .46, .05, .02))),
                    dict(zip(keys, (.10, .25, .58, .05, .02)))]
            idx = _pick(rng, keys, tabs, c, sub=manuf.astype(np.int64),
                        score=-(0.9 * z + noise(0.8)), what=x)
        else:
            idx = _pick(rng, keys, dict(zip(keys, impact.get(x, (.1, .3, .5, .07, .03)))), c,
                        score=-(0.9 * z + noise(0.8)), what=x)
        a[x] = _keys(keys, idx)

    attitudes = {
        "att_cloud_first": ((.05, .15, .35, .32, .13), 0.5 * z),
        "att_data_rules": ((.06, .18, .38, .28, .10), 0.3 * ei),
        "att_ai_plans": ((.04, .10, .30, .36, .20), 0.4 * z + 0.5 * digi),
        "att_domestic_pref": ((.05, .14, .36, .30, .15), -0.4 * z)}
    for x in inst.q.grid_variables(v("attitudes", "profile")):
        if x in attitudes:
            p, s = attitudes[x]
            a[x] = _keys(lv[x], _pick(rng, lv[x], dict(zip(lv[x], p)), c, score=s + noise(),
                                      what=x))
    return a


def _answers_creators(rng: np.random.Generator, inst: _Inst, clean: np.ndarray) -> dict:
    """Creators survey: the association of Figure 13."""
    n = clean.size
    c = clean
    z = rng.standard_normal(n)

    def noise(s: float = 1.0) -> np.ndarray:
        return rng.normal(0.0, s, n)

    a: dict[str, np.ndarray] = {}
    v = inst.var
    lv = inst.levels
    kind = _pick(rng, lv[v("screener_creator", "profile")], {"individual": .55, "firm": .45}, c,
                 what="screener_creator")
    a["screener_creator"] = _keys(lv["screener_creator"], kind)
    field = _pick(rng, lv[v("field", "profile")], [
        {"anime": .26, "games": .10, "music": .20, "video": .30, "design_ads": .14},
        {"anime": .22, "games": .28, "music": .10, "video": .12, "design_ads": .28}],
        c, sub=np.where(kind == lv["screener_creator"].index("firm"), 1, 0), what="field")
    a["field"] = _keys(lv["field"], field)
    firm = (kind == lv["screener_creator"].index("firm")).astype(np.int64)

    eb = _band_levels(inst, v("export_share", "profile"))
    ekeys = [b.key for b in eb]
    ei = _pick(rng, ekeys, [{"none": .34, "low": .42, "high": .24},
                            {"none": .25, "low": .42, "high": .33}],
               c, sub=firm, score=0.3 * z + noise(), what="export_share bands")
    a["export_share"] = _band_values(rng, eb, ei)

    dk = _flag(rng, c, 0.03)
    budget = _pick(rng, lv[v("foreign_budget", "profile")], [
        {"none": {"up_to_25": .75, "over_25": .25},
         "low": {"up_to_25": .60, "over_25": .40},
         "high": {"up_to_25": .38, "over_25": .62}}[k] for k in ekeys],
        c, sub=ei, score=z + noise(), skip=dk, what="foreign_budget")
    a["foreign_budget"] = np.where(dk, _missing_key(inst, "foreign_budget", "dont_know"),
                                   _keys(lv["foreign_budget"], budget))

    # Figure 13: 53% of creators spending over a quarter abroad gain 10% or more
    tab = {"up_to_25": {"none": .18, "under_10": .50, "10_19": .22, "20_plus": .10},
           "over_25": {"none": .07, "under_10": .40, "10_19": .30, "20_plus": .23},
           "dont_know": {"none": .20, "under_10": .50, "10_19": .20, "20_plus": .10}}
    sub = np.where(budget < 0, len(lv["foreign_budget"]), budget)
    comp = _pick(rng, lv[v("competitiveness", "profile")],
                 _table(inst, "foreign_budget", tab) + [tab["dont_know"]],
                 c, sub=sub, score=z + noise(0.8), what="competitiveness")
    a["competitiveness"] = _keys(lv["competitiveness"], comp)

    rates = {"video_editing": .55, "graphic_design": .50, "content_marketing": .30,
             "social_media": .45, "distribution": .50, "cloud": .60}
    tools = [x for x in inst.vars_of[v("tools", "profile")] if not inst.exclusive(x)]
    for x in tools:
        a[x] = _flag(rng, c, rates.get(x[len("tools_"):], 0.4)).astype(float)
    none_used = np.sum([a[x] for x in tools], axis=0) == 0
    a["tools_cloud" if "tools_cloud" in tools else tools[0]][none_used] = 1.0
    for x in inst.vars_of["tools"]:
        if inst.exclusive(x):
            a[x] = np.zeros(n)

    outlook = {"out_overseas_growth": ((.06, .16, .30, .32, .16), 0.5 * ei),
               "out_platform_fees": ((.05, .15, .32, .30, .18), 0.0 * z),
               "out_ai_tools": ((.07, .15, .28, .32, .18), 0.3 * z)}
    for x in inst.q.grid_variables(v("outlook", "profile")):
        if x in outlook:
            p, s = outlook[x]
            a[x] = _keys(lv[x], _pick(rng, lv[x], dict(zip(lv[x], p)), c, score=s + noise(),
                                      what=x))
    return a


def _share(x: np.ndarray) -> float:
    return float(np.mean(x)) if np.size(x) else float("nan")


def _headlines_digital(sheet: dict, clean: np.ndarray, inst: _Inst) -> list[tuple]:
    """The paper's survey findings, measured on the clean rows of the sample."""
    g = {k: sheet[k][clean] for k in sheet}
    out = []
    spend = pd.Series(g["digital_spend"], dtype=object)
    spend = spend[spend.isin(inst.levels["digital_spend"])]
    out.append(("Modal digital spending (% of revenue)", "5-10%",
                inst.q.label("digital_spend", str(spend.value_counts().idxmax()))))
    svc = [x for x in inst.vars_of["foreign_services"] if not inst.exclusive(x)]
    nsvc = np.sum([g[x] for x in svc], axis=0)
    out.append(("Use at least one foreign digital service", 100.0, 100 * _share(nsvc >= 1)))
    out.append(("Use five or more foreign digital services", "over 50", 100 * _share(nsvc >= 5)))
    fs = g["foreign_share"]
    answered = _isin(fs, inst.levels["foreign_share"])
    over = _isin(fs, ["25_49", "50_74", "75_100"])
    share = g["export_share"]
    high = share >= 26
    none = share == 0
    out.append(("Foreign share 25%+, firms exporting over 25% of revenue", 70.0,
                100 * _share(over[high & answered])))
    out.append(("Foreign share 25%+, non-exporters", 10.0,
                100 * _share(over[none & answered])))
    ext = g["foreign_value"] == "extremely"
    digi = g["sector"] == "digital_services"
    out.append(("Foreign services 'extremely' valuable", 31.0, 100 * _share(ext)))
    out.append(("... among digital-services firms", 35.0, 100 * _share(ext[digi])))
    out.append(("Foreign services 'very' valuable", 32.0,
                100 * _share(g["foreign_value"] == "very")))
    both = ext & (g["competitiveness"] == "20_plus")
    out.append(("'Extremely' valuable and 20%+ more competitive", 31.0, 100 * _share(both)))
    out.append(("... among digital-services firms", 35.0, 100 * _share(both[digi])))
    cost = g["cost_rise"]
    ans = _isin(cost, inst.levels["cost_rise"])
    out.append(("Costs would rise over 10% (of those answering)", 47.0,
                100 * _share(_isin(cost[ans], ["11_20", "21_40", "over_40"]))))
    out.append(("Costs would rise over 40% (of those answering)", 17.0,
                100 * _share(cost[ans] == "over_40")))
    man = g["sector"] == "manufacturing"
    out.append(("Manufacturers: negative effect on digital transformation", 35.0,
                100 * _share(_isin(g["impact_dx"][man], ["large_negative", "some_negative"]))))
    for key, paper in (("quality", "1st"), ("diversity", "2nd"), ("security", "3rd"),
                       ("price", "4th"), ("unavailable", 25.0)):
        out.append((f"Reason: {inst.q.label('reasons_' + key)}", paper,
                    100 * _share(g["reasons_" + key] == 1)))
    sizes = g["size_class"]
    for key, paper in (("micro", 27.0), ("small", 11.0), ("medium", 24.0), ("large", 28.0),
                       ("!not_stated", 10.0)):
        label = "not stated" if key.startswith(_MISS) else key
        out.append((f"Size class: {label}", paper, 100 * _share(sizes == key)))
    for key, paper in (("manufacturing", 40.0), ("business_services", 30.0),
                       ("digital_services", 30.0)):
        out.append((f"Sector: {key}", paper, 100 * _share(g["sector"] == key)))
    for key, lo, hi, paper in (("none", 0, 0, 35.0), ("low", 1, 10, 25.0), ("mid", 11, 25, 15.0),
                               ("high", 26, 100, 25.0)):
        out.append((f"Export intensity: {key}", paper,
                    100 * _share((share >= lo) & (share <= hi))))
    return out


def _headlines_creators(sheet: dict, clean: np.ndarray, inst: _Inst) -> list[tuple]:
    g = {k: sheet[k][clean] for k in sheet}
    over = g["foreign_budget"] == "over_25"
    ten = _isin(g["competitiveness"], ["10_19", "20_plus"])
    return [
        ("10%+ more competitive, creators spending over 25% abroad", 53.0,
         100 * _share(ten[over])),
        ("Creator type: individual", 55.0, 100 * _share(g["screener_creator"] == "individual")),
        ("Creator type: firm", 45.0, 100 * _share(g["screener_creator"] == "firm")),
    ]


PROFILES: dict[str, _Profile] = {
    "japan_digital_services_2024": _Profile(
        n=700,
        combos=(
            (("screened_out",), 16),
            (("partial",), 16),
            (("speeder",), 6),
            (("speeder", "straightline:impact"), 3),
            (("speeder", "trap_fruit"), 2),
            (("speeder", "gibberish:comments"), 1),
            (("trap_fruit",), 5),
            (("trap_fruit", "trap_foreign_share"), 1),
            (("trap_grid_row",), 5),
            (("trap_foreign_share",), 4),
            (("straightline:impact",), 4),
            (("straightline:attitudes", "trap_grid_row"), 4),
            (("straightline:attitudes",), 1),
            (("export_share_range", "revenue_shares_add_up"), 3),
            (("employees_range",), 3),
            (("size_matches_employees",), 4),
            (("revenue_shares_add_up",), 4),
            (("none_used_but_foreign_spend",), 3),
            (("gibberish:comments",), 4),
            (("gibberish:comments", "trap_fruit"), 1),
            (("duplicate_id",), 4),
            (("duplicate_fingerprint",), 3),
            (("near_duplicate",), 3),
        ),
        duration_median=540.0,
        answers=_answers_digital,
        headlines=_headlines_digital,
        repeat_shift=0.12,
        comment_rate=0.45,
        ja_share=0.8,
        comments_ja=_FIRM_COMMENTS_JA,
        comments_en=_FIRM_COMMENTS_EN,
        targets=(
            ("size_class", "micro", 520000),
            ("size_class", "small", 140000),
            ("size_class", "medium", 44000),
            ("size_class", "large", 6000),
            ("sector", "manufacturing", 340000),
            ("sector", "business_services", 300000),
            ("sector", "digital_services", 70000),
        ),
        targets_note=(
            "# ILLUSTRATIVE population targets for the synthetic sample -- "
            "NOT official statistics.\n"
            "# Unit: enterprises operating in Japan in manufacturing and digitally deliverable\n"
            "# services, by size class (employees: micro 1-10, small 11-50, medium 51-500,\n"
            "# large over 500) and by sector. Both margins sum to the same total (710,000).\n"
            "# The orders of magnitude follow the published structure of Japanese enterprises\n"
            "# (micro firms are by far the most numerous), but the numbers are rounded "
            "inventions.\n"
            "# Official counts: Economic Census for Business Activity (Statistics Bureau of Japan\n"
            "# and METI), tables of enterprises by industry (JSIC) and by number of persons\n"
            "# employed; e-Stat (https://www.e-stat.go.jp) publishes them. To use real figures,\n"
            "# replace the target column with the census counts for the same size classes and\n"
            "# sectors (map JSIC divisions to the three sectors; the two margins must add up to\n"
            "# the same total) and keep the variable,level columns as they are.\n"),
    ),
    "japan_creators_2024": _Profile(
        n=140,
        combos=(
            (("screened_out",), 4),
            (("partial",), 3),
            (("speeder",), 2),
            (("speeder", "trap_colour"), 1),
            (("trap_grid_row",), 1),
            (("trap_colour",), 1),
            (("trap_foreign_budget",), 2),
            (("straightline:outlook", "trap_grid_row"), 1),
            (("export_share_range",), 1),
            (("gibberish:comments",), 1),
            (("duplicate_id",), 1),
            (("duplicate_fingerprint",), 1),
            (("near_duplicate",), 1),
        ),
        duration_median=330.0,
        answers=_answers_creators,
        headlines=_headlines_creators,
        comment_rate=0.40,
        ja_share=0.8,
        comments_ja=_CREATOR_COMMENTS_JA,
        comments_en=_CREATOR_COMMENTS_EN,
        targets=(
            ("screener_creator", "individual", 250000),
            ("screener_creator", "firm", 60000),
        ),
        targets_note=(
            "# ILLUSTRATIVE population targets for the synthetic creators sample -- NOT official\n"
            "# statistics. Unit: professional creators in Japan, individual creators and\n"
            "# influencers versus staff of creative firms (one respondent per firm).\n"
            "# No single official count exists. Firms: Economic Census for Business Activity\n"
            "# (Statistics Bureau of Japan / METI), JSIC division 41 'video picture, sound\n"
            "# information, character information production' plus advertising and design.\n"
            "# Individuals: Employment Status Survey (Statistics Bureau of Japan) counts of\n"
            "# self-employed workers in creative occupations, or the government's freelance\n"
            "# surveys. To use real figures, replace the target column and keep variable,level.\n"),
    ),
}


# ---------------------------------------------------------------------------
# the generic engine


def _resolve(survey: Any) -> Questionnaire:
    if isinstance(survey, Questionnaire):
        return survey
    if not isinstance(survey, (str, Path)):
        raise UsageError(f"survey must be a survey id ({', '.join(SAMPLE_SURVEYS)}), the path "
                         f"of a questionnaire YAML or a Questionnaire, not {type(survey).__name__}")
    path = Path(survey)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists():
        return load_questionnaire(path)
    candidate = _QDIR / f"{survey}.yaml"
    if not candidate.exists():
        known = sorted(p.stem for p in _QDIR.glob("*.yaml")) if _QDIR.is_dir() else []
        raise UsageError(f"unknown survey {str(survey)!r}; give one of "
                         f"{', '.join(known) or ', '.join(SAMPLE_SURVEYS)} or the path of a "
                         "questionnaire YAML")
    return load_questionnaire(candidate)


def _fallback_profile(inst: _Inst) -> _Profile:
    """Defect plan for an instrument without a calibrated profile (rates per 1000 rows)."""
    combos: list[tuple[tuple[str, ...], int]] = []
    if inst.q.survey.screening:
        combos.append((("screened_out",), 22))
    if any(x.required for x in inst.questions[1:]):
        combos.append((("partial",), 22))
    combos.append((("speeder",), 15))
    sums = {q: r.id for r in inst.rules.values() if r.kind == "sum" for q in r.questions}
    for t in inst.traps.values():
        combos.append(((t.id,), 8))
    for g in inst.q.grids():
        combos.append(((f"straightline:{g.id}",), 6))
    for r in inst.rules.values():
        if r.kind == "range" and r.question in sums and sums[r.question] != r.id:
            combos.append(((r.id, sums[r.question]), 5))
        else:
            combos.append(((r.id,), 5))
    for name in inst.q.quality.open_ended:
        combos.append(((f"gibberish:{name}",), 6))
    combos += [(("duplicate_id",), 6), (("duplicate_fingerprint",), 4), (("near_duplicate",), 4)]
    return _Profile(n=500, combos=tuple((c, k * 0.7) for c, k in combos), duration_median=420.0)


def _kind_of(inst: _Inst, name: str) -> str:
    if name in ("screened_out", "partial", "speeder") or name in _COPIES:
        return name
    if name.startswith("straightline:"):
        return "straightline"
    if name.startswith("gibberish:"):
        return "gibberish"
    if name in inst.traps:
        return "instructed" if inst.traps[name].type == "instructed" else "consistency"
    if name in inst.rules:
        return "rule"
    raise QuestionnaireError(f"the generator's defect {name!r} names no trap, rule, grid or "
                             "open question of the questionnaire", file=inst.q.source)


def _plan(profile: _Profile, inst: _Inst, n: int) -> list[tuple[tuple[str, ...], int]]:
    plan = []
    for combo, count in profile.combos:
        k = int(np.rint(count * n / profile.n))
        if k <= 0:
            continue
        for name in combo:
            kind = _kind_of(inst, name)
            if kind == "straightline" and name.split(":", 1)[1] not in {
                    g.id for g in inst.q.grids()}:
                raise QuestionnaireError(f"defect {name!r}: no such grid", file=inst.q.source)
            if kind == "gibberish" and name.split(":", 1)[1] not in inst.q.quality.open_ended:
                raise QuestionnaireError(f"defect {name!r}: not an open-ended quality item",
                                         file=inst.q.source)
            if kind == "screened_out" and not inst.q.survey.screening:
                raise QuestionnaireError("defect 'screened_out': the questionnaire has no "
                                         "screening conditions", file=inst.q.source)
        plan.append((combo, k))
    return plan


def _fill_generic(rng: np.random.Generator, inst: _Inst, sheet: dict, n: int) -> None:
    """Uniform answers for every variable the profile did not set."""
    for qu in inst.questions:
        names = inst.vars_of.get(qu.id, [])
        if all(x in sheet for x in names):
            continue
        if qu.type in ("single", "likert", "grid"):
            for x in names:
                if x not in sheet:
                    lv = inst.levels[x]
                    sheet[x] = _keys(lv, rng.integers(0, len(lv), n))
        elif qu.type == "multi":
            ex = [x for x in names if inst.exclusive(x)]
            pick = [x for x in names if not inst.exclusive(x)]
            draws = (rng.random((n, len(pick))) < 0.4).astype(float)
            draws[draws.sum(axis=1) == 0, 0] = 1.0
            for j, x in enumerate(pick):
                sheet[x] = draws[:, j]
            for x in ex:
                sheet[x] = np.zeros(n)
        elif qu.type == "numeric":
            if qu.bands is not None:
                idx = rng.integers(0, len(qu.bands.levels), n)
                lo = np.array([max(b.min, 0) for b in qu.bands.levels])[idx]
                hi = np.array([min(b.max, max(b.min, 1) * 10 + 50) for b in qu.bands.levels])[idx]
                hi = np.maximum(hi, lo)
                val = np.floor(lo + rng.random(n) * (hi - lo + 1))
            else:
                lo = 0.0 if qu.min is None else qu.min
                hi = lo + 100.0 if qu.max is None else min(qu.max, lo + 1000.0)
                val = lo + rng.random(n) * (hi - lo)
                if qu.integer:
                    val = np.floor(val)
            sheet[qu.id] = np.minimum(val, qu.max if qu.max is not None else np.inf)
        elif qu.type == "open":
            sheet[qu.id] = np.full(n, None, dtype=object)


def _cond_holds(inst: _Inst, sheet: dict, c: Any) -> np.ndarray:
    """Where a declarative condition holds (categorical, binary and numeric variables)."""
    name = c.question
    x = sheet[name]
    if c.op in ("missing", "answered"):
        blank = pd.Series(x, dtype=object).map(
            lambda v: v is None or (isinstance(v, float) and np.isnan(v))
            or (isinstance(v, str) and v.startswith(_MISS))).to_numpy(dtype=bool)
        return blank if c.op == "missing" else ~blank
    vals = c.value if isinstance(c.value, list) else [c.value]
    if inst.kind.get(name) == "cat":
        keys = [inst.key_of(name, v) for v in vals]
        hit = _isin(x, np.array(keys, dtype=object))
        return hit if c.op in ("in", "eq") else (~hit & pd.notna(pd.Series(x)).to_numpy())
    xv = np.asarray(x, dtype=float)
    with np.errstate(invalid="ignore"):
        if c.op in ("in", "eq"):
            return np.isin(xv, np.asarray(vals, dtype=float))
        if c.op in ("not_in", "ne"):
            return ~np.isin(xv, np.asarray(vals, dtype=float)) & ~np.isnan(xv)
        if c.op == "between":
            return (xv >= vals[0]) & (xv <= vals[1])
        return {"lt": xv < vals[0], "le": xv <= vals[0], "gt": xv > vals[0],
                "ge": xv >= vals[0]}[c.op]


def _make_cond(rng: np.random.Generator, inst: _Inst, sheet: dict, c: Any, rows: np.ndarray,
               truth: bool) -> bool:
    """Set ``c.question`` on ``rows`` so the condition is ``truth``; False if unsupported."""
    name = c.question
    if name not in sheet or rows.size == 0:
        return rows.size == 0
    vals = c.value if isinstance(c.value, list) else [c.value]
    kind = inst.kind[name]
    positive = (c.op in ("in", "eq")) == truth
    if kind == "cat" and c.op in ("in", "eq", "not_in", "ne"):
        keys = [inst.key_of(name, v) for v in vals]
        if positive:
            sheet[name][rows] = keys[0]
        else:
            others = [k for k in inst.levels[name] if k not in keys]
            upper = others[len(others) // 2:] or others
            sheet[name][rows] = np.array(upper, dtype=object)[rng.integers(0, len(upper),
                                                                           rows.size)]
        return True
    if kind == "multi" and c.op in ("in", "eq", "not_in", "ne"):
        on = float(vals[0]) if positive else 1.0 - float(vals[0])
        sheet[name][rows] = on
        if on == 1.0 and inst.exclusive(name):
            for other in inst.vars_of[inst.qid[name]]:
                if other != name:
                    sheet[other][rows] = 0.0
        elif on == 1.0:
            for other in inst.vars_of[inst.qid[name]]:
                if inst.exclusive(other):
                    sheet[other][rows] = 0.0
        return True
    if kind == "num" and c.op in ("lt", "le", "gt", "ge", "eq", "between"):
        v = float(vals[0])
        want_high = (c.op in ("gt", "ge")) == truth
        if c.op in ("eq", "between"):
            sheet[name][rows] = v if truth else v + 10
        else:
            sheet[name][rows] = v + 5 if want_high else v - 5
        return True
    return False


def _enforce_honest(rng: np.random.Generator, inst: _Inst, profile: _Profile, sheet: dict,
                    n: int) -> None:
    """Make every row pass the instrument's traps and rules and avoid straight-lining."""
    q = inst.q
    for c in q.survey.screening:                 # honest respondents qualify
        if c.question in sheet and c.op in ("in", "eq"):
            ok = _cond_holds(inst, sheet, c)
            if not ok.all():
                _make_cond(rng, inst, sheet, c, np.flatnonzero(~ok), True)
    for r in inst.rules.values():
        if r.kind == "band_match" and r.question in sheet and r.numeric in sheet:
            bands = _band_levels(inst, r.numeric)
            x = np.asarray(sheet[r.numeric], dtype=float)
            for b in bands:
                hit = (x >= b.min) & (x <= b.max) & _isin(sheet[r.question],
                                                            inst.levels[r.question])
                sheet[r.question][hit] = b.key
        elif r.kind == "sum" and len(r.questions) >= 2 and profile.answers is None:
            target = np.mean([x for x in (r.min, r.max) if x is not None])
            rest = np.sum([np.asarray(sheet[x], float) for x in r.questions[1:]], axis=0)
            qu = q.question(inst.qid[r.questions[0]])
            sheet[r.questions[0]] = np.clip(np.round(target - rest),
                                            qu.min if qu.min is not None else -np.inf,
                                            qu.max if qu.max is not None else np.inf)
        elif r.kind == "range" and r.question in sheet and profile.answers is None:
            lo = -np.inf if r.min is None else r.min
            hi = np.inf if r.max is None else r.max
            sheet[r.question] = np.clip(np.asarray(sheet[r.question], float), lo, hi)
        elif r.kind == "implies":
            holds = np.all([_cond_holds(inst, sheet, c) for c in r.when], axis=0)
            for c in r.then:
                bad = holds & ~_cond_holds(inst, sheet, c)
                _make_cond(rng, inst, sheet, c, np.flatnonzero(bad), True)
    for t in inst.traps.values():
        if t.type == "instructed":
            sheet[t.question] = np.full(n, inst.key_of(t.question, t.expected[0]), dtype=object)
    for t in inst.traps.values():
        if t.type == "consistency":
            _sync_repeat(rng, inst, sheet, t, np.arange(n), profile.repeat_shift)
    for g in q.grids():
        _unline(inst, sheet, g.id, np.arange(n))


def _sync_repeat(rng: np.random.Generator, inst: _Inst, sheet: dict, t: Any, rows: np.ndarray,
                 shift: float = 0.0) -> None:
    """Answer the repeated question like the original (within the trap's tolerance)."""
    src, rep = t.question, t.repeat
    if inst.kind.get(src) == "num":
        sheet[rep][rows] = sheet[src][rows]
        return
    val = sheet[src][rows].copy()
    lv_src = inst.levels[src]
    lv_rep = inst.levels[rep]
    idx = _index_of(lv_src, val)
    out = val.astype(object)
    ok = idx >= 0
    if t.tolerance >= 1 and shift > 0:
        move = ok & (rng.random(rows.size) < shift)
        step = np.where(rng.random(rows.size) < 0.5, -1, 1)
        new = np.clip(idx + step, 0, len(lv_rep) - 1)
        idx = np.where(move, new, idx)
    out[ok] = np.array(lv_rep, dtype=object)[np.minimum(idx[ok], len(lv_rep) - 1)]
    rep_missing = {_MISS + m.key for m in inst.q.question(inst.qid[rep]).missing}
    miss = ~ok & _isin(val, rep_missing)
    out[~ok & ~miss] = None
    sheet[rep][rows] = out


def _unline(inst: _Inst, sheet: dict, gid: str, rows: np.ndarray) -> None:
    """Break accidental straight-lining: move the last free item one level."""
    items = inst.q.grid_variables(gid)
    trap_items = {t.question for t in inst.traps.values() if t.type == "instructed"}
    free = [x for x in items if x not in trap_items]
    if not free or rows.size == 0:
        return
    vals = np.column_stack([sheet[x][rows] for x in items])
    same = np.all(vals == vals[:, :1], axis=1) & pd.notna(pd.Series(vals[:, 0])).to_numpy()
    if not same.any():
        return
    x = free[-1]
    lv = inst.levels[x]
    r = rows[same]
    idx = _index_of(lv, sheet[x][r])
    sheet[x][r] = np.array(lv, dtype=object)[np.where(idx < len(lv) - 1, idx + 1, idx - 1)]


def _comments(rng: np.random.Generator, profile: _Profile, clean: np.ndarray) -> np.ndarray:
    n = clean.size
    ja, en = profile.comments_ja, profile.comments_en
    if not ja and not en:
        return np.full(n, None, dtype=object)
    said = _flag(rng, clean, profile.comment_rate)
    use_ja = rng.random(n) < (profile.ja_share if ja and en else (1.0 if ja else 0.0))
    pool_ja = np.array(ja or en, dtype=object)
    pool_en = np.array(en or ja, dtype=object)
    core = pool_ja[rng.integers(0, pool_ja.size, n)]
    # longer Japanese comments get one of a few openers, so few comments repeat verbatim
    opener = np.array(_OPENERS_JA, dtype=object)[rng.integers(0, len(_OPENERS_JA), n)]
    long_ja = pd.Series(core, dtype=object).str.len().to_numpy() >= 14
    core = np.where(long_ja, opener + core, core)
    text = np.where(use_ja, core, pool_en[rng.integers(0, pool_en.size, n)])
    return np.where(said, text, None).astype(object)


def _blank(inst: _Inst, sheet: dict, names: list[str], rows: np.ndarray) -> None:
    for x in names:
        if inst.kind[x] in ("cat", "open"):
            sheet[x][rows] = None
        else:
            sheet[x][rows] = np.nan


# -- planting ------------------------------------------------------------------


def _plant(rng: np.random.Generator, inst: _Inst, profile: _Profile, sheet: dict, meta: dict,
           has: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Plant every defect on the rows flagged in ``has``; return the rows that carry it."""
    q = inst.q
    done: dict[str, np.ndarray] = {}
    names = sorted(has, key=lambda d: (_ORDER.index(_kind_of(inst, d)), d))
    med = profile.duration_median
    for d in names:
        rows = np.flatnonzero(has[d])
        kind = _kind_of(inst, d)
        ok = np.ones(rows.size, dtype=bool)
        if kind == "screened_out":
            c = q.survey.screening[0]
            _make_cond(rng, inst, sheet, c, rows, False)
            keep = set(inst.vars_of.get(c.question, [c.question]))
            _blank(inst, sheet, [x for x in inst.substantive if x not in keep], rows)
            meta["duration"][rows] = np.round(rng.uniform(15, 60, rows.size))
        elif kind == "partial":
            order = [x.id for x in inst.questions]
            first_req = next((i for i, x in enumerate(inst.questions) if x.required), 0)
            cand = [i for i, x in enumerate(inst.questions) if x.required and i > first_req]
            if not cand:
                ok[:] = False
            else:
                w = (np.arange(len(cand)) + 1.0) ** 2
                stop = np.array(cand)[rng.choice(len(cand), rows.size, p=w / w.sum())]
                for i in np.unique(stop):
                    r = rows[stop == i]
                    later = [x for qid in order[i:] for x in inst.vars_of.get(qid, [])]
                    _blank(inst, sheet, later, r)
                frac = stop / len(order)
                meta["duration"][rows] = np.maximum(np.round(meta["duration"][rows] * frac),
                                                    np.round(0.45 * med))
        elif kind == "speeder":
            meta["duration"][rows] = np.round(med * rng.uniform(0.08, 0.25, rows.size))
        elif kind == "instructed":
            t = inst.traps[d]
            x = t.question
            expected = [inst.key_of(x, e) for e in t.expected]
            bad = [k for k in inst.levels[x] if k not in expected]
            gid = inst.qid[x]
            if f"straightline:{gid}" in has:   # already failed by the straight-liner
                lined = has[f"straightline:{gid}"][rows]
                fail = ~_isin(sheet[x][rows], np.array(expected, dtype=object))
                rows_new = rows[~(lined & fail)]
            else:
                rows_new = rows
            pick = np.array(bad, dtype=object)[rng.integers(0, len(bad), rows_new.size)]
            if q.question(gid).type == "grid":
                others = [y for y in q.grid_variables(gid) if y != x]
                vals = np.column_stack([sheet[y][rows_new] for y in others])
                flat = np.all(vals == vals[:, :1], axis=1)
                clash = flat & (vals[:, 0] == pick)
                alt = np.array(bad[1:] + bad[:1], dtype=object)
                pick[clash] = alt[_index_of(bad, pick[clash])]
            sheet[x][rows_new] = pick
        elif kind == "consistency":
            t = inst.traps[d]
            src, rep = t.question, t.repeat
            if inst.kind[src] == "num":
                base = np.asarray(sheet[src][rows], float)
                sheet[rep][rows] = base + np.where(rng.random(rows.size) < 0.5, -1, 1) * (
                    t.tolerance + rng.integers(5, 20, rows.size))
            else:
                lv = inst.levels[src]
                idx = _index_of(lv, sheet[src][rows])
                fresh = rng.integers(0, len(lv), rows.size)
                sheet[src][rows] = np.where(idx < 0, np.array(lv, dtype=object)[fresh],
                                            sheet[src][rows])
                idx = np.where(idx < 0, fresh, idx)
                lv_rep = inst.levels[rep]
                dist = np.abs(np.arange(len(lv_rep))[None, :] - idx[:, None])
                keys = rng.random((rows.size, len(lv_rep))) + (dist > t.tolerance)
                choice = np.argmax(keys, axis=1)
                ok = dist[np.arange(rows.size), choice] > t.tolerance
                sheet[rep][rows[ok]] = np.array(lv_rep, dtype=object)[choice[ok]]
        elif kind == "straightline":
            gid = d.split(":", 1)[1]
            items = q.grid_variables(gid)
            lv = inst.levels[items[0]]
            trap = next((t for t in inst.traps.values()
                         if t.type == "instructed" and t.question in items), None)
            pick = np.array(lv, dtype=object)[rng.integers(0, len(lv), rows.size)]
            if trap is not None:
                expected = [inst.key_of(trap.question, e) for e in trap.expected]
                bad = [k for k in lv if k not in expected]
                fail = has[trap.id][rows] if trap.id in has else np.zeros(rows.size, bool)
                pick = np.where(fail, np.array(bad, dtype=object)[
                    rng.integers(0, len(bad), rows.size)], expected[0])
            for x in items:
                sheet[x][rows] = pick
        elif kind == "gibberish":
            x = d.split(":", 1)[1]
            sheet[x][rows] = np.array(_GIBBERISH, dtype=object)[
                rng.integers(0, len(_GIBBERISH), rows.size)]
        elif kind == "rule":
            ok = _plant_rule(rng, inst, sheet, inst.rules[d], rows, has)
        done[d] = rows[ok]
    return done


def _plant_rule(rng: np.random.Generator, inst: _Inst, sheet: dict, r: Any, rows: np.ndarray,
                has: dict) -> np.ndarray:
    q = inst.q
    ok = np.ones(rows.size, dtype=bool)
    if r.kind == "range":
        qu = q.question(inst.qid[r.question])
        if r.min is not None and r.min > 0:
            value = r.min - 1
        elif r.max is not None:
            value = np.round(r.max * 1.5) if r.max > 0 else r.max + 10
        else:
            value = r.min - 10
        sheet[r.question][rows] = float(value) if not qu.integer else float(np.floor(value))
    elif r.kind == "sum":
        first = r.questions[0]
        qu = q.question(inst.qid[first])
        qlo = -1e9 if qu.min is None else qu.min
        qhi = 1e9 if qu.max is None else qu.max
        rest = np.sum([np.asarray(sheet[x][rows], float) for x in r.questions[1:]], axis=0)
        total = rest + np.asarray(sheet[first][rows], float)
        broken = ((r.min is not None) & (total < (r.min or 0))) | (
            (r.max is not None) & (total > (r.max if r.max is not None else 0)))
        up_lo = np.maximum((r.max if r.max is not None else np.inf) + 10 - rest, qlo)
        dn_hi = np.minimum((r.min if r.min is not None else -np.inf) - 10 - rest, qhi)
        can_up = up_lo <= qhi
        can_dn = dn_hi >= qlo
        go_up = can_up & (~can_dn | (rng.random(rows.size) < 0.5))
        span = rng.random(rows.size)
        up_val = np.floor(up_lo + span * (np.minimum(qhi, up_lo + 30) - up_lo))
        dn_val = np.ceil(dn_hi - span * (dn_hi - np.maximum(qlo, dn_hi - 30)))
        val = np.where(go_up, up_val, dn_val)
        ok = broken | ((can_up | can_dn) & ~np.isnan(rest))
        change = ok & ~broken     # an out-of-range part may already break the sum
        sheet[first][rows[change]] = val[change]
    elif r.kind == "band_match":
        bands = _band_levels(inst, r.numeric)
        x = np.asarray(sheet[r.numeric][rows], float)
        bidx = np.full(rows.size, -1)
        for i, b in enumerate(bands):
            bidx[(x >= b.min) & (x <= b.max)] = i
        fresh = rng.integers(0, len(bands), rows.size)
        lo = np.array([b.min for b in bands])[fresh]
        hi = np.array([min(b.max, 30000) for b in bands])[fresh]
        x = np.where(bidx < 0, _loguniform(rng, np.maximum(lo, 1), hi), x)
        bidx = np.where(bidx < 0, fresh, bidx)
        sheet[r.numeric][rows] = x
        lv = inst.levels[r.question]
        band_pos = np.array([lv.index(b.key) for b in bands])[bidx]
        step = np.where(rng.random(rows.size) < 0.5, -1, 1)
        adjacent = band_pos + step
        adjacent = np.where((adjacent < 0) | (adjacent >= len(lv)), band_pos - step, adjacent)
        far = (band_pos + rng.integers(1, len(lv), rows.size)) % len(lv)
        pos = np.where(rng.random(rows.size) < 0.7, adjacent, far)
        sheet[r.question][rows] = np.array(lv, dtype=object)[pos]
    elif r.kind == "implies":
        for c in r.when:
            if not _make_cond(rng, inst, sheet, c, rows, True):
                ok[:] = False
        if ok.all() and not _make_cond(rng, inst, sheet, r.then[0], rows, False):
            ok[:] = False
        changed = {c.question for c in (*r.when, *r.then)}
        for t in inst.traps.values():   # keep the repeated question in step
            if t.type == "consistency" and t.question in changed:
                mine = has[t.id][rows] if t.id in has else np.zeros(rows.size, bool)
                _sync_repeat(rng, inst, sheet, t, rows[~mine])
    return ok


# -- similarity ----------------------------------------------------------------


def _code_matrix(inst: _Inst, sheet: dict, rows: np.ndarray) -> tuple[np.ndarray, ...]:
    """Integer-coded substantive answers (blank is its own code), the open-column
    mask, and where a real answer was given (not blank, not a missing code)."""
    cols = inst.substantive
    x = np.empty((rows.size, len(cols)), dtype=np.int64)
    answered = np.empty((rows.size, len(cols)), dtype=bool)
    for j, name in enumerate(cols):
        col = pd.Series(sheet[name][rows], dtype=object)
        x[:, j] = pd.factorize(col, use_na_sentinel=False)[0]
        given = col.notna()
        if inst.kind[name] == "cat":
            given &= ~col.astype(str).str.startswith(_MISS)
        elif inst.kind[name] == "num":
            given &= ~col.isin(list(inst.codes[name].values()))
        answered[:, j] = given.to_numpy(dtype=bool)
    is_open = np.array([inst.kind[c] == "open" for c in cols])
    return x, is_open, answered


def _similarity(x: np.ndarray, is_open: np.ndarray, answered: np.ndarray,
                min_items: int = 10) -> np.ndarray:
    """Pairwise share of identical answers, the largest of three definitions.

    (a) identical columns over all substantive columns, a blank matching a
    blank; (b) the same without open ends; (c) identical answers among the
    closed items both respondents answered (blanks and missing codes left
    out), for pairs with at least ``min_items`` such items. Counts come from
    products of one-hot indicator matrices: the (i, j) entry of ``H @ H.T``
    is the number of columns where rows i and j agree.
    """
    def onehot(cols: np.ndarray, keep: np.ndarray | None = None) -> np.ndarray:
        width = cols.max(axis=0, initial=0) + 1
        offset = np.concatenate([[0], np.cumsum(width)[:-1]]).astype(np.int64)
        h = np.zeros((cols.shape[0], int(width.sum())), dtype=np.float32)
        r = np.repeat(np.arange(cols.shape[0]), cols.shape[1])
        c = (cols + offset[None, :]).ravel()
        w = np.ones(c.size, dtype=np.float32) if keep is None else keep.ravel().astype(
            np.float32)
        h[r, c] = w
        return h

    def agree(h: np.ndarray) -> np.ndarray:
        return np.rint(h @ h.T)

    closed = agree(onehot(x[:, ~is_open])) if (~is_open).any() else 0.0
    opened = agree(onehot(x[:, is_open])) if is_open.any() else 0.0
    n_closed = int((~is_open).sum())
    both = answered[:, ~is_open].astype(np.float32)
    m = np.rint(both @ both.T)
    a = agree(onehot(x[:, ~is_open], answered[:, ~is_open]))
    need = min(min_items, n_closed)
    share = np.where(m >= max(need, 1), a / np.maximum(m, 1), 0.0)
    return np.maximum(np.maximum((closed + opened) / x.shape[1], closed / max(n_closed, 1)),
                      share)


def _nudge(inst: _Inst, sheet: dict, name: str, rows: np.ndarray) -> np.ndarray:
    """Change one free answer of ``rows`` slightly; True where it changed.

    A multi option is ticked, or unticked when another option stays ticked; a
    single answer moves to the next level (the first after the last).
    """
    if rows.size == 0:
        return np.zeros(0, dtype=bool)
    if inst.kind[name] == "multi":
        picked = np.sum([sheet[y][rows] for y in inst.vars_of[inst.qid[name]]
                         if not inst.exclusive(y)], axis=0)
        cur = sheet[name][rows]
        changed = (cur == 0) | ((cur == 1) & (picked > 1))
        sheet[name][rows[changed]] = 1.0 - cur[changed]
        return changed
    lv = inst.levels[name]
    cur = sheet[name][rows]
    ok = _isin(cur, lv)
    idx = pd.Series(cur[ok], dtype=object).map({k: i for i, k in enumerate(lv)}).to_numpy(int)
    sheet[name][rows[ok]] = np.array(lv, dtype=object)[(idx + 1) % len(lv)]
    return ok


def _repair_similar(rng: np.random.Generator, inst: _Inst, sheet: dict, rows: np.ndarray,
                    prefer: np.ndarray) -> None:
    """Change free answers until no two of ``rows`` are near duplicates of each other.

    Of each offending pair, the row flagged in ``prefer`` (a defective one) is
    changed, else the later one, on a free variable where the two agree
    (multi options first, so single-answer margins stay as drawn). Stops when
    the number of close pairs no longer falls (short instruments); the caller
    lists pairs that remain near duplicates.
    """
    multi, single = inst.safe_vars()
    free = multi + single
    if not free or rows.size < 2:
        return
    fidx = np.array([inst.substantive.index(v) for v in free])
    is_multi = np.array([v in multi for v in free])
    best, stalled = np.inf, 0
    for _ in range(100):
        x, is_open, answered = _code_matrix(inst, sheet, rows)
        s = _similarity(x, is_open, answered)
        s[np.tril_indices(rows.size)] = 0.0
        hit = np.argwhere(s >= _NEAR_HONEST_MAX)
        if hit.size == 0:
            return
        # too few free answers to separate everyone: stop once no longer improving
        stalled = 0 if len(hit) < best else stalled + 1
        best = min(best, len(hit))
        if stalled >= 15:
            return
        a, b = hit[:, 0], hit[:, 1]
        who = np.where(prefer[rows[a]] & ~prefer[rows[b]], a, b)
        other = np.where(who == b, a, b)
        who, first = np.unique(who, return_index=True)
        other = other[first]
        agree = x[who][:, fidx] == x[other][:, fidx]
        keys = rng.random(agree.shape) + agree + is_multi[None, :]
        j = np.argmax(keys, axis=1)
        for k in np.unique(j):           # a loop over the few free variables
            _nudge(inst, sheet, free[k], rows[who[j == k]])


def _near_copy(rng: np.random.Generator, inst: _Inst, sheet: dict, rows: np.ndarray) -> None:
    """Change a few free answers of ``rows`` so they are near, not exact, duplicates."""
    multi, single = inst.safe_vars()
    free = multi + single
    if not free or rows.size == 0:
        return
    k = max(1, round(0.05 * len(inst.substantive)))
    need = np.full(rows.size, k)
    order = np.argsort(rng.random((rows.size, len(free))), axis=1)
    for step in range(len(free)):         # a loop over free variables, not respondents
        for j in np.unique(order[:, step]):
            sel = (order[:, step] == j) & (need > 0)
            changed = _nudge(inst, sheet, free[j], rows[sel])
            need[np.flatnonzero(sel)[changed]] -= 1
        if not need.any():
            break


# -- meta data -------------------------------------------------------------------


def _ids(rng: np.random.Generator, n: int, length: int, alphabet: str) -> np.ndarray:
    """``n`` distinct random strings."""
    chars = np.array(list(alphabet), dtype="<U1")
    out = np.empty(0, dtype=f"<U{length}")
    while out.size < n:
        draw = np.ascontiguousarray(chars[rng.integers(0, len(chars), (2 * n, length))])
        cand = np.concatenate([out, draw.view(f"<U{length}").ravel()])
        _, first = np.unique(cand, return_index=True)
        out = cand[np.sort(first)][:n]
    return out.astype(object)


def _devices(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    dev = np.array(["mobile", "desktop", "tablet"], dtype=object)[
        rng.choice(3, n, p=[0.55, 0.40, 0.05])]
    u = rng.random(n)
    os_ = np.where(dev == "mobile", np.where(u < 0.65, "iOS", "Android"),
                   np.where(dev == "desktop", np.where(u < 0.75, "Windows", "macOS"),
                            np.where(u < 0.7, "iPadOS", "Android"))).astype(object)
    return dev, os_


def _starts(rng: np.random.Generator, q: Questionnaire, n: int) -> np.ndarray:
    """Start times (seconds since the epoch, Japan time) over the fieldwork period."""
    fw = q.survey.fieldwork
    day0 = np.datetime64(fw.start, "s").astype(np.int64)
    days = (np.datetime64(fw.end, "D") - np.datetime64(fw.start, "D")).astype(int) + 1
    hour_w = np.array([1, 1, 1, 1, 1, 2, 4, 7, 10, 12, 12, 11, 10, 11, 12, 12, 11, 10, 9, 9,
                       9, 8, 5, 2], dtype=float)
    hour = rng.choice(24, n, p=hour_w / hour_w.sum())
    return day0 + rng.integers(0, days, n) * 86400 + hour * 3600 + rng.integers(0, 3600, n)


# -- the whole simulation ----------------------------------------------------------


@dataclass(frozen=True)
class _Sample:
    raw: pd.DataFrame
    defects: pd.DataFrame
    headlines: pd.DataFrame
    questionnaire: Questionnaire


def _simulate(q: Questionnaire, seed: int, n: int | None) -> _Sample:
    inst = _Inst(q)
    profile = PROFILES.get(q.survey.id) or _fallback_profile(inst)
    if n is None:
        n = profile.n
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < _MIN_N:
        raise UsageError(f"n must be a whole number of raw responses of at least {_MIN_N}, "
                         f"not {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise UsageError(f"seed must be a non-negative whole number, not {seed!r}")
    rng = np.random.default_rng(int(seed))
    plan = _plan(profile, inst, int(n))
    n_copy = {d: sum(k for c, k in plan if c == (d,)) for d in _COPIES}
    base_plan = [(c, k) for c, k in plan if c[0] not in _COPIES]
    n_base = int(n) - sum(n_copy.values())
    n_bad = sum(k for _, k in base_plan)
    if n_base - n_bad < max(sum(n_copy.values()), 10):
        raise UsageError(f"n = {n} is too small for the defect plan; use n >= {_MIN_N * 2}")

    # who carries which defects (base rows are in chronological order)
    perm = rng.permutation(n_base)
    has: dict[str, np.ndarray] = {}
    pos = 0
    for combo, k in base_plan:
        rows = perm[pos:pos + k]
        pos += k
        for d in combo:
            has.setdefault(d, np.zeros(n_base, dtype=bool))[rows] = True
    clean = np.ones(n_base, dtype=bool)
    clean[perm[:n_bad]] = False

    # honest answers, then defects
    sheet = dict(profile.answers(rng, inst, clean)) if profile.answers else {}
    for name in list(sheet):
        if name not in inst.kind:
            raise QuestionnaireError(f"the generator's profile sets {name!r}, which the "
                                     "questionnaire does not define", file=q.source)
        sheet[name] = np.asarray(sheet[name], dtype=object if inst.kind[name] in (
            "cat", "open") else float).copy()
    for name in q.quality.open_ended:
        if name not in sheet:
            sheet[name] = _comments(rng, profile, clean)
    _fill_generic(rng, inst, sheet, n_base)
    _enforce_honest(rng, inst, profile, sheet, n_base)

    start = np.sort(_starts(rng, q, n_base))
    med = profile.duration_median
    dur = np.round(med * np.exp(rng.normal(0.0, 0.35, n_base)))
    dur = np.maximum(dur, np.round(0.5 * med))
    slow = rng.random(n_base) < 0.03
    dur = np.where(slow, np.round(dur * rng.uniform(3, 12, n_base)), dur)
    dev, os_ = _devices(rng, n_base)
    meta = {"start": start, "duration": dur.astype(float), "device": dev, "os": os_}

    done = _plant(rng, inst, profile, sheet, meta, has)
    full = np.zeros(n_base, dtype=bool)
    for d in ("screened_out", "partial"):
        if d in done:
            full[done[d]] = True
    judged = np.flatnonzero(~full)
    _repair_similar(rng, inst, sheet, judged, ~clean)
    # duplicate records
    originals = rng.choice(np.flatnonzero(clean), sum(n_copy.values()), replace=False)
    kinds = np.repeat(np.array(_COPIES, dtype=object), [n_copy[d] for d in _COPIES])
    m = originals.size
    n_all = n_base + m
    ids = _ids(rng, n_all, 10, "abcdefghijkmnpqrstuvwxyz23456789")
    prints = _ids(rng, n_all, 16, "0123456789abcdef")
    cdev, cos = _devices(rng, m)
    same_id = kinds == "duplicate_id"
    same_print = kinds != "near_duplicate"
    later = start[originals] + rng.integers(3600, 5 * 86400, m)
    copy_start = np.where(same_id, start[originals], later)
    copy_dur = np.where(same_id, meta["duration"][originals],
                        np.maximum(np.round(med * np.exp(rng.normal(0, 0.35, m))), 0.5 * med))
    for name in inst.substantive:
        sheet[name] = np.concatenate([sheet[name], sheet[name][originals]])
    near = n_base + np.flatnonzero(kinds == "near_duplicate")
    _near_copy(rng, inst, sheet, near)
    meta["start"] = np.concatenate([start, copy_start])
    meta["duration"] = np.concatenate([meta["duration"], copy_dur])
    meta["device"] = np.concatenate([dev, np.where(same_print, dev[originals], cdev)])
    meta["os"] = np.concatenate([os_, np.where(same_print, os_[originals], cos)])
    meta["fingerprint"] = np.concatenate([prints[:n_base],
                                          np.where(same_print, prints[originals], prints[n_base:])])
    meta["id"] = np.concatenate([ids[:n_base], np.where(same_id, ids[originals], ids[n_base:])])

    # file order: chronological; a repeated id comes back some rows later
    key = np.arange(n_base, dtype=float)
    ckey = np.where(same_id, np.minimum(originals + rng.uniform(5, 60, m), n_base - 0.5),
                    np.searchsorted(start, copy_start) - 0.5)
    ckey = np.maximum(ckey, originals + 0.25) + np.arange(m) * 1e-6
    order = np.argsort(np.concatenate([key, ckey]), kind="stable")
    position = np.empty(n_all, dtype=np.int64)
    position[order] = np.arange(n_all)

    # an instrument with few free answers may keep honest near duplicates (of an
    # earlier row, copies included): list them, so the defect list stays complete
    judged_all = np.concatenate([~full, np.ones(m, dtype=bool)])
    in_order = order[judged_all[order]]
    x, is_open, answered = _code_matrix(inst, sheet, in_order)
    sim = np.tril(_similarity(x, is_open, answered), -1)
    twin = (sim.max(axis=1, initial=0.0) >= 0.85) & (in_order < n_base)
    twins = pd.DataFrame({"row": in_order[twin], "defect": "near_duplicate",
                          "of": in_order[np.argmax(sim[twin], axis=1)]})
    clean[twins["row"].to_numpy()] = False

    raw = _encode(inst, sheet, meta, order)
    records = [twins]
    for d, rows in done.items():
        records.append(pd.DataFrame({"row": rows, "defect": d, "of": -1}))
    records.append(pd.DataFrame({"row": n_base + np.arange(m), "defect": kinds,
                                 "of": originals}))
    defects = pd.concat(records, ignore_index=True)
    defects = _describe(inst, raw, sheet, meta, defects, position)
    table = pd.DataFrame(
        profile.headlines(sheet, np.concatenate([clean, np.zeros(m, bool)]), inst)
        if profile.headlines else [], columns=["figure", "paper", "sample"])
    return _Sample(raw, defects, table, q)


def _encode(inst: _Inst, sheet: dict, meta: dict, order: np.ndarray) -> pd.DataFrame:
    """The raw export: instrument codes, blanks for unanswered questions, file order."""
    cols: dict[str, Any] = {inst.id_column: pd.array(meta["id"][order], dtype=object)}
    starts = pd.to_datetime(meta["start"][order], unit="s")
    ends = pd.to_datetime((meta["start"] + meta["duration"]).astype(np.int64)[order], unit="s")
    for name, kind in inst.kind.items():
        col = inst.column[name]
        if kind == "meta":
            role = inst.q.question(name).role
            if role == "start_time":
                cols[col] = starts.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object)
            elif role == "end_time":
                cols[col] = ends.strftime("%Y-%m-%d %H:%M:%S").to_numpy(dtype=object)
            elif role == "duration":
                cols[col] = pd.array(meta["duration"][order].astype(np.int64), dtype="Int64")
            elif role in ("device", "os", "fingerprint"):
                cols[col] = meta[role][order].astype(object)
            elif role == "status":
                cols[col] = np.full(order.size, "complete", dtype=object)
            else:
                cols[col] = np.full(order.size, None, dtype=object)
            continue
        x = sheet[name][order]
        if kind == "cat":
            codes = pd.Series(x, dtype=object).map(inst.codes[name]).to_numpy(dtype=float)
            cols[col] = pd.array(np.where(np.isnan(codes), 0, codes).astype(np.int64),
                                 dtype="Int64")
            cols[col][np.isnan(codes)] = pd.NA
        elif kind == "multi":
            xf = np.asarray(x, dtype=float)
            cols[col] = pd.array(np.nan_to_num(xf).astype(np.int64), dtype="Int64")
            cols[col][np.isnan(xf)] = pd.NA
        elif kind == "num":
            xf = np.asarray(x, dtype=float)
            qu = inst.q.question(inst.qid[name])
            if qu.integer or np.all(np.isnan(xf) | (xf == np.round(xf))):
                cols[col] = pd.array(np.nan_to_num(xf).astype(np.int64), dtype="Int64")
                cols[col][np.isnan(xf)] = pd.NA
            else:
                cols[col] = xf
        else:
            cols[col] = np.asarray(x, dtype=object)
    return pd.DataFrame(cols)


def _describe(inst: _Inst, raw: pd.DataFrame, sheet: dict, meta: dict,
              defects: pd.DataFrame, position: np.ndarray) -> pd.DataFrame:
    """The planted-defects table: position, ids, defect and a short description."""
    idcol = raw[inst.id_column]
    frame_id = (idcol + np.where(idcol.duplicated(), "~" + (
        idcol.groupby(idcol).cumcount() + 1).astype(str), "")).astype(object)
    row = defects["row"].to_numpy()
    pos = position[row]
    detail = np.full(row.size, "", dtype=object)
    rank = {k: i for i, k in enumerate(_ORDER)}

    def show(name: str, r: np.ndarray) -> np.ndarray:
        x = sheet[name][r]
        if inst.kind[name] in ("cat", "open"):
            s = pd.Series(x, dtype=object).fillna("(blank)").astype(str)
            s = s.str.replace(r"^!(?=[A-Za-z])", "", regex=True)   # '!dont_know' -> 'dont_know'
            return (name + "=" + s).to_numpy(dtype=object)
        s = pd.Series(np.asarray(x, float))
        txt = s.round(6).astype(str).str.replace(r"\.0$", "", regex=True).where(
            s.notna(), "(blank)")
        return (name + "=" + txt).to_numpy(dtype=object)

    kinds = defects["defect"].map(lambda d: _kind_of(inst, d)).to_numpy()
    for d in defects["defect"].unique():
        m = (defects["defect"] == d).to_numpy()
        r = row[m]
        kind = kinds[m][0]
        if kind == "screened_out":
            c = inst.q.survey.screening[0]
            detail[m] = show(c.question, r) + "; rest of the questionnaire blank"
        elif kind == "partial":
            first = np.full(r.size, "", dtype=object)
            for qu in reversed(inst.questions):
                if qu.required:
                    v = sheet[inst.vars_of[qu.id][0]][r]
                    blank = pd.isna(pd.Series(v, dtype=object)).to_numpy()
                    first[blank] = qu.id
            detail[m] = "required questions blank from " + first + " on"
        elif kind == "speeder":
            detail[m] = "duration " + pd.Series(meta["duration"][r]).astype(np.int64).astype(
                str).to_numpy(dtype=object) + " s"
        elif kind == "instructed":
            t = inst.traps[d]
            detail[m] = show(t.question, r) + " (expected " + "/".join(
                inst.key_of(t.question, e) for e in t.expected) + ")"
        elif kind == "consistency":
            t = inst.traps[d]
            detail[m] = show(t.question, r) + ", " + show(t.repeat, r)
        elif kind == "straightline":
            gid = d.split(":", 1)[1]
            items = inst.q.grid_variables(gid)
            detail[m] = f"all {len(items)} items of {gid} = " + pd.Series(
                sheet[items[0]][r], dtype=object).astype(str).to_numpy(dtype=object)
        elif kind == "gibberish":
            detail[m] = show(d.split(":", 1)[1], r)
        elif kind == "rule":
            rule = inst.rules[d]
            names = [x for x in (rule.question, rule.numeric) if x] + list(rule.questions) + [
                c.question for c in (*rule.when, *rule.then)]
            parts = [show(x, r) for x in dict.fromkeys(names)]
            detail[m] = parts[0]
            for p in parts[1:]:
                detail[m] = detail[m] + ", " + p
        else:
            of = position[defects.loc[m, "of"].to_numpy()]
            ofid = frame_id.to_numpy()[of]
            what = {"duplicate_id": "same respondent id and answers as row ",
                    "duplicate_fingerprint": "same device fingerprint and answers as row ",
                    "near_duplicate": "near copy of the answers of row "}[d]
            detail[m] = what + pd.Series(of).astype(str).to_numpy(dtype=object) + " (" + ofid + ")"
    out = pd.DataFrame({
        "row": pos,
        inst.id_column: raw[inst.id_column].to_numpy()[pos],
        "frame_id": frame_id.to_numpy()[pos],
        "defect": defects["defect"].to_numpy(),
        "detail": detail,
    })
    out["_k"] = [rank[_kind_of(inst, d)] for d in out["defect"]]
    out = out.sort_values(["row", "_k", "defect"], kind="stable").drop(columns="_k")
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------
# public API

_CACHE: dict[tuple, _Sample] = {}


def _sample(survey: Any, seed: int, n: int | None) -> _Sample:
    """Simulate, remembering the last few results for surveys named by id or path
    (so that the raw export and its defect list come from one run)."""
    q = _resolve(survey)
    if isinstance(survey, Questionnaire) or q.source is None:
        return _simulate(q, seed, n)
    src = Path(q.source)
    key = (str(src.resolve()), src.stat().st_mtime_ns, seed, n)
    if key not in _CACHE:
        if len(_CACHE) >= 4:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = _simulate(q, seed, n)
    return _CACHE[key]


def generate_sample(survey: Any = "japan_digital_services_2024", seed: int = DEFAULT_SEED,
                    n: int | None = None) -> pd.DataFrame:
    """A synthetic raw export of a survey, as the panel would deliver it.

    Parameters
    ----------
    survey : str, path or Questionnaire
        A survey id with a YAML in ``questionnaires/`` (``"japan_digital_services_2024"``,
        ``"japan_creators_2024"``), the path of a questionnaire YAML, or a loaded
        :class:`~survey_kit.instrument.questionnaire.Questionnaire`. Instruments without a
        calibrated profile get uniform answers and the defects their quality section allows.
    seed : int
        Seed of ``numpy.random.default_rng``; the committed sample uses :data:`DEFAULT_SEED`.
    n : int, optional
        Number of raw rows (duplicates included). Defaults to 700 firms / 140 creators,
        about 600 / 120 of which survive cleaning.

    Returns
    -------
    pandas.DataFrame
        One row per raw response in file order; columns are the export columns of the
        instrument (respondent id first). Answer columns hold the instrument's codes as
        nullable integers (``<NA>`` = blank cell); times and open ends are strings.

    Raises
    ------
    UsageError
        Unknown survey id, or ``n``/``seed`` not usable.
    QuestionnaireError
        The instrument lacks a question the calibrated profile relies on.

    Example
    -------
    >>> import survey_kit as sk
    >>> raw = sk.generate_sample("japan_creators_2024", seed=3)
    >>> list(raw.columns[:3])
    ['respondent_id', 'duration_sec', 'device_type']
    """
    return _sample(survey, seed, n).raw.copy()


def planted_defects(survey: Any = "japan_digital_services_2024", seed: int = DEFAULT_SEED,
                    n: int | None = None) -> pd.DataFrame:
    """Which defects :func:`generate_sample` planted in which row (a test aid).

    Returns a DataFrame with columns ``row`` (0-based position in the raw export),
    the respondent id as exported, ``frame_id`` (the index label
    ``read_responses(..., duplicate_ids="keep")`` gives the row), ``defect`` and
    ``detail``. A row carrying several defects appears once per defect. Defect
    names are ``screened_out``, ``partial``, ``speeder``, trap and rule ids of the
    questionnaire, ``straightline:<grid>``, ``gibberish:<open question>``,
    ``duplicate_id``, ``duplicate_fingerprint`` and ``near_duplicate`` (the copy,
    not the original, is listed).
    """
    return _sample(survey, seed, n).defects.copy()


def sample_headlines(survey: Any = "japan_digital_services_2024", seed: int = DEFAULT_SEED,
                     n: int | None = None) -> pd.DataFrame:
    """The reference study's findings next to their values on the sample's clean rows."""
    return _sample(survey, seed, n).headlines.copy()


def population_targets(survey: Any = "japan_digital_services_2024") -> pd.DataFrame:
    """Illustrative population targets (variable, level, target) for a sample survey.

    The levels are option keys of the questionnaire; every weighting variable's
    margin sums to the same total.
    """
    q = _resolve(survey)
    profile = PROFILES.get(q.survey.id)
    if profile is None or not profile.targets:
        raise UsageError(f"no illustrative targets for survey {q.survey.id!r}; give the "
                         "population counts yourself as a CSV with columns variable,level,target")
    frame = pd.DataFrame(list(profile.targets), columns=["variable", "level", "target"])
    for var, level in zip(frame["variable"], frame["level"]):
        if level not in q.levels(var):
            raise QuestionnaireError(f"target level {level!r} is not an option of {var!r}",
                                     file=q.source)
    return frame


def _csv_text(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n", float_format="%.6g")


def _raw_name(sid: str) -> str:
    return f"{sid}_raw.csv"


def _defects_name(sid: str) -> str:
    return f"{sid}_planted_defects.csv"


def _targets_name(q: Questionnaire) -> str:
    if q.weighting is not None and q.weighting.targets:
        return Path(q.weighting.targets).name
    return f"{q.survey.id}_population_targets.csv"


def write_sample(out_dir: str | Path = "sample_data", seed: int = DEFAULT_SEED) -> list[Path]:
    """Write the whole synthetic sample (raw exports, defects, targets, README).

    Files are UTF-8 with ``\\n`` line endings, no index column, written
    atomically; the same seed gives the same bytes.

    Parameters
    ----------
    out_dir : path
        Folder to write into (created if needed).
    seed : int
        Seed; :data:`DEFAULT_SEED` reproduces the committed ``sample_data/``.

    Returns
    -------
    list of Path
        The files written, in the order listed in the README.

    Example
    -------
    >>> from survey_kit.sample.generator import write_sample
    >>> paths = write_sample("out/sample")          # doctest: +SKIP
    """
    out = Path(out_dir)
    written: list[Path] = []
    parts = []
    for sid in SAMPLE_SURVEYS:
        q = _resolve(sid)
        s = _sample(sid, seed, None)
        profile = PROFILES[sid]
        targets = population_targets(q)
        files = [(_raw_name(sid), _csv_text(s.raw)),
                 (_defects_name(sid), _csv_text(s.defects)),
                 (_targets_name(q), profile.targets_note + _csv_text(targets))]
        for name, text in files:
            written.append(write_text(out / name, text))
        parts.append((q, s, targets))
    written.append(write_text(out / "README.md", _readme(parts, seed)))
    return written



# ---------------------------------------------------------------------------
# the README of sample_data/


def _what(inst: _Inst, name: str) -> str:
    """One line saying what a planted defect is."""
    kind = _kind_of(inst, name)
    if kind == "screened_out":
        c = inst.q.survey.screening[0]
        allowed = "/".join(str(x) for x in c.value) if isinstance(c.value, list) else c.value
        return (f"screened out: `{c.question}` not {allowed}; the survey ended there, every "
                "later question is blank and the duration is short")
    if kind == "partial":
        return ("partial complete: dropped out before the end, so required questions are blank "
                "from the drop-out question on (usually in the latter part)")
    if kind == "speeder":
        return "speeder: duration 8-25% of the median of honest completes (below a third)"
    if kind == "straightline":
        gid = name.split(":", 1)[1]
        return f"straight-liner: every item of grid `{gid}` given the same answer"
    if kind == "gibberish":
        return f"gibberish in open end `{name.split(':', 1)[1]}` (e.g. asdfasdf, jjjjjjjj, !!!!)"
    if kind in ("instructed", "consistency"):
        t = inst.traps[name]
        if kind == "instructed":
            exp = "/".join(inst.key_of(t.question, e) for e in t.expected)
            return f"trap failed: `{t.question}` is not {exp} ({t.label or 'instructed item'})"
        if t.tolerance == 0:
            return f"trap failed: `{t.repeat}` differs from `{t.question}`"
        return (f"trap failed: `{t.repeat}` more than {t.tolerance:g} band(s) away from "
                f"`{t.question}`")
    if kind == "rule":
        r = inst.rules[name]
        return f"rule `{r.kind}` broken: {r.label or name}"
    return {"duplicate_id": "exact duplicate: the same respondent id and row repeated later",
            "duplicate_fingerprint": "duplicate: new respondent id, same device fingerprint, "
                                     "identical answers",
            "near_duplicate": "near duplicate: new id and device, >= 90% of substantive answers "
                              "identical to an earlier row"}[name]


def _codes_text(inst: _Inst, name: str) -> str:
    kind = inst.kind[name]
    qu = inst.q.question(inst.qid[name])
    miss = "; missing " + ", ".join(f"{m.code:g}={m.key}" for m in qu.missing) if qu.missing \
        else ""
    if kind == "cat":
        return ", ".join(f"{o.code}={o.key}" for o in qu.options) + miss
    if kind == "multi":
        return "1=selected, 0=not selected, blank=question not answered"
    if kind == "num":
        lo = "" if qu.min is None else f"{qu.min:g}"
        hi = "" if qu.max is None else f"{qu.max:g}"
        return f"{'integer ' if qu.integer else ''}{lo}-{hi} {qu.unit or ''}".strip() + miss
    if kind == "open":
        return "free text (Japanese or English), blank if none"
    return {"start_time": "YYYY-MM-DD HH:MM:SS, Japan time", "end_time":
            "YYYY-MM-DD HH:MM:SS, Japan time", "duration": "seconds (integer)",
            "device": "mobile, desktop, tablet", "os": "iOS, Android, Windows, macOS, iPadOS",
            "fingerprint": "16 hex digits (hashed device id)"}.get(qu.role or "", "")


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.1f}"
    return str(v)


def _readme(parts: list, seed: int) -> str:
    lines = [
        "# sample_data: synthetic survey data",
        "",
        "**Every file in this folder is synthetic.** No row describes a real firm or person.",
        "The data were generated by `survey_kit/sample/generator.py` from the questionnaires in",
        "`questionnaires/` so that, after cleaning, they show roughly the findings of the",
        "reference study (Nextrade Group's 2024 surveys of 600 Japanese firms and 120",
        "creators, Appendix I and Figures 6-13 of *Gains from Digital Services Imports in",
        "Japan*). They exist to demonstrate and test survey_kit end to end.",
        "",
        "This README and all files are written by the generator; do not edit them by hand",
        "(change `survey_kit/sample/generator.py` instead). They are reproduced byte for byte by",
        "",
        "```",
        "survey-kit generate-sample --out sample_data",
        "```",
        "",
        "or, in Python,",
        "",
        "```python",
        "from survey_kit.sample.generator import write_sample",
        f"write_sample(\"sample_data\", seed={seed})",
        "```",
        "",
        "`sk.generate_sample(survey, seed=..., n=...)` returns one raw export as a DataFrame;",
        "`survey_kit.sample.generator.planted_defects(...)` returns the matching defect list.",
        "All files are UTF-8 with `\\n` line endings and no index column.",
        "",
        "## Files",
        "",
        "| file | content | rows |",
        "|---|---|---|",
    ]
    for q, s, targets in parts:
        sid = q.survey.id
        lines.append(f"| `{_raw_name(sid)}` | raw export of *{q.survey.title}* "
                     f"(layout of `questionnaires/{sid}.yaml`) | {len(s.raw)} |")
        lines.append(f"| `{_defects_name(sid)}` | test aid: the defects planted in the raw "
                     f"export, one line per row and defect | {len(s.defects)} |")
        lines.append(f"| `{_targets_name(q)}` | illustrative population targets for "
                     f"weighting (`variable,level,target`) | {len(targets)} |")
    lines.append("| `README.md` | this file | |")
    for q, s, _ in parts:
        inst = _Inst(q)
        sid = q.survey.id
        raw, defects = s.raw, s.defects
        bad_rows = defects["row"].nunique()
        lines += [
            "",
            f"## {q.survey.title} (`{_raw_name(sid)}`)",
            "",
            (f"A {q.survey.platform}-style export: one row per raw response in file order "
             f"({len(raw)} rows). Answers are the instrument's codes; a blank cell is a "
             "question the respondent did not answer; missing codes (don't know, not stated) "
             "appear where a respondent chose them. Multi-select questions have one 0/1 column "
             "per option, grids one column per item."),
            "",
            f"- raw rows: {len(raw)}",
            f"- rows with at least one planted defect: {bad_rows}",
            ("- rows without a planted defect (what cleaning should keep): "
             f"{len(raw) - bad_rows}"),
            "",
            "### Columns",
            "",
            "| column | variable | type | codes / values |",
            "|---|---|---|---|",
            (f"| `{inst.id_column}` | respondent id | id | 10 characters; repeated for exact "
             "duplicates |"),
        ]
        for name, kind in inst.kind.items():
            qu = q.question(inst.qid[name])
            typ = qu.type if kind != "meta" else f"meta ({qu.role})"
            lines.append(f"| `{inst.column[name]}` | `{name}` | {typ} | "
                         f"{_codes_text(inst, name)} |")
        counts = defects.groupby("defect", sort=False).size()
        order = sorted(counts.index, key=lambda d: (_ORDER.index(_kind_of(inst, d)), d))
        lines += [
            "",
            "### Planted defects",
            "",
            "| defect | what was planted | rows |",
            "|---|---|---|",
        ]
        for d in order:
            lines.append(f"| `{d}` | {_what(inst, d)} | {counts[d]} |")
        combos = defects.groupby("row")["defect"].agg(lambda x: " + ".join(x))
        multi = combos[defects.groupby("row").size() > 1].value_counts()
        if len(multi):
            lines += ["", "Respondents carrying more than one defect:", "",
                      "| defects | rows |", "|---|---|"]
            for combo, k in multi.sort_index().items():
                lines.append(f"| {' + '.join(f'`{x}`' for x in combo.split(' + '))} | {k} |")
        if len(s.headlines):
            lines += [
                "",
                "### Findings on the rows without defects",
                "",
                "Unweighted percentages on the rows without a planted defect, next to the",
                "reference study's figure.",
                "",
                "| figure | reference study | sample |",
                "|---|---|---|",
            ]
            for fig, paper, val in s.headlines.itertuples(index=False):
                lines.append(f"| {fig} | {_fmt(paper)} | {_fmt(val)} |")
    lines += [
        "",
        "## Planted-defects files (a test aid)",
        "",
        "`<survey>_planted_defects.csv` lists, for every row of the raw export that carries",
        "a defect, one line per defect: `row` (0-based position in the raw file, equal to",
        "the row position in `sk.read_responses`), `respondent_id` as exported, `frame_id`",
        "(the index `read_responses(..., duplicate_ids=\"keep\")` gives the row: a repeated",
        "id gets `~2`), `defect` and a short `detail`. Cleaning should flag these rows and",
        "keep every other row. Defect names are the trap and rule ids of the questionnaire",
        "plus `screened_out`, `partial`, `speeder`, `straightline:<grid>`,",
        "`gibberish:<open question>`, `duplicate_id`, `duplicate_fingerprint` and",
        "`near_duplicate`. Conventions:",
        "",
        "- A screened-out row is listed only as `screened_out`, and a partial complete only",
        "  as `partial`: their blank trap items are unanswered, not failed, and the",
        "  plausibility rules cannot be judged on blanks. Partial completes are not speeders",
        "  (their duration is at least 45% of the median).",
        "- Of two duplicate rows the later one (the copy) is listed; the original is clean.",
        "  Exact copies (`duplicate_id`, `duplicate_fingerprint`) are of course also near",
        "  duplicates but are listed under the specific defect only.",
        "- Similarity of two rows is measured three ways and the largest is used: the",
        "  share of substantive export columns (all question columns, not the meta data)",
        "  with the same value, a blank matching a blank; the same without open ends; and",
        "  the share of identical answers among the closed items both rows answered",
        "  (blanks and missing codes left out, at least 10 items), as",
        "  `survey_kit.cleaning.careless.near_duplicates` counts it. Honest rows stay below 0.78;",
        "  near duplicates are at least 0.9 similar to their original.",
        "- A speeder's duration is 8-25% of the median duration of honest completes;",
        "  honest durations are at least half of it.",
        "- An out-of-range count (employees 0) falls in no size band, so it does not also",
        "  count as a size-class contradiction; an export share of 150% does break the",
        "  revenue-shares sum and is listed under both rules.",
        "- A straight-liner on a grid with an instructed trap row fails the trap unless",
        "  the uniform answer happens to be the instructed one; both are listed when so.",
        "",
        "## Population targets",
        "",
        "The targets files are **illustrative, not official statistics**: rounded numbers of",
        "a plausible order of magnitude (micro firms are by far the most numerous firms in",
        "Japan). Official firm counts by size and industry come from the Economic Census for",
        "Business Activity (Statistics Bureau of Japan and METI, on e-Stat). To weight real",
        "data, replace the `target` column with census counts for the same levels; each",
        "weighting variable's margin must sum to the same total. Their comment lines (`#`)",
        "say the same.",
        "",
    ]
    return "\n".join(lines)
