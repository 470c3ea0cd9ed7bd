"""Gibberish: keyboard mashing in open-ended answers.

Example
-------
>>> gibberish(["asdfasdf", "特になし", "Better support in Japanese"]).tolist()
[True, False, False]
"""

from __future__ import annotations

import pandas as pd

# runs of 4 adjacent keys on a QWERTY keyboard (both directions), leaving out
# runs that occur inside English words ("erty" as in property, "wert")
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_SAFE_IN_ENGLISH = {"erty", "wert", "ytre", "trew"}
_KEY_RUNS = sorted(({r[i:i + 4] for r in _ROWS for i in range(len(r) - 3)}
                    | {r[::-1][i:i + 4] for r in _ROWS for i in range(len(r) - 3)})
                   - _SAFE_IN_ENGLISH)
# answers that only say "nothing" with punctuation: not gibberish, just no comment
_PLACEHOLDER = r"[\-\u2010-\u2015\u30fc\u30fb.\u3002\u3001,/_~\u301c*\s]*"


def gibberish(texts) -> pd.Series:
    """Flag open-ended answers that are keyboard mashing rather than words.

    Parameters
    ----------
    texts : Series or sequence of str
        Open-ended answers; missing or empty answers are never flagged.

    Returns
    -------
    Series of bool, same index.

    Notes
    -----
    After Unicode NFKC normalisation (full-width ``ｋｋｋｋ`` becomes
    ``kkkk``), lower-casing and trimming, an answer is gibberish when it:

    1. contains no letter of any script (kana, kanji, Latin, ...), e.g.
       ``!!!!``, ``123123``; single characters and placeholders made only of
       dashes, dots or slashes (``-``, ``...``, ``ー``) are read as "no
       comment" and not flagged;
    2. is one character repeated three or more times (``aaaaa``, ``ああああ``),
       placeholders again excepted;
    3. is a short Latin/digit pattern of 2-4 characters repeated
       (``asdfasdf``, ``hahaha``);
    4. contains a run of four adjacent keys of a QWERTY keyboard row
       (``qwerty``, ``asdf``, ``zxcv``, ``lkjh``), leaving out runs that occur
       in English words (``erty`` as in *property*);
    5. contains six or more consecutive Latin consonants (``y`` counts as a
       vowel), as in ``sdfghjkl`` or ``fjdksla``.

    Ordinary Japanese answers (kana/kanji, with or without Latin acronyms
    such as AI, DX, CRM) and ordinary English sentences match none of these.
    All tests are pandas string methods with regular expressions, vectorised
    over answers.

    Example
    -------
    >>> gibberish(["asdfasdf", "特になし", "Better support in Japanese", "ｋｋｋｋ"]).tolist()
    [True, False, False, True]
    """
    s = pd.Series(texts) if not isinstance(texts, pd.Series) else texts
    t = s.astype("string").str.normalize("NFKC").str.strip().str.lower()
    present = t.notna() & (t.str.len() > 0)
    compact = t.str.replace(r"\s+", "", regex=True)
    placeholder = compact.str.fullmatch(_PLACEHOLDER)
    no_letter = ~compact.str.contains(r"[^\W\d_]", regex=True) & (compact.str.len() >= 2)
    repeated_char = compact.str.fullmatch(r"(.)\1{2,}")
    repeated_pattern = t.str.fullmatch(r"([a-z0-9]{2,4})\1+")
    key_run = t.str.contains("|".join(_KEY_RUNS), regex=True)
    consonants = t.str.contains(r"[b-df-hj-np-tv-xz]{6,}", regex=True)
    bad = ((no_letter | repeated_char) & ~placeholder) | repeated_pattern | key_run | consonants
    out = (present & bad.fillna(False)).astype(bool)
    out.name = s.name
    return pd.Series(out.to_numpy(dtype=bool), index=s.index, name=s.name)
