"""The blocked near-duplicate search, for more respondents than pairs can be compared.

Identical answer vectors are grouped by hashing packed records
(:func:`distinct_rows`); the distinct vectors are then compared only when
they agree on two of b interleaved item blocks (hash joins,
:func:`blocked_matches`). :func:`survey_kit.cleaning.careless.near_duplicates.near_duplicates`
states the method and its guarantee.

Example
-------
>>> import numpy as np
>>> packed = Packed([np.array([0, 1, 0, 0]), np.array([2, 2, 2, -1])])
>>> gid, first = distinct_rows(packed.rec)
>>> gid.tolist(), first.tolist()
([0, 1, 0, 2], [0, 1, 3])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .grouping import group_ids


_MIX = np.uint64(0x9E3779B97F4A7C15)      # 2^64 / golden ratio: multiplicative hashing
_MIX2 = np.uint64(0xBF58476D1CE4E5B9)


def distinct_rows(rec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(id of each row's distinct record, first row of each id), ids in order of first appearance.

    ``rec`` holds one packed record (a few uint64 words) per row. The words are
    hashed into one uint64 and the hash factorized; every row is then compared
    with the first row of its id, so the grouping is exact (should two
    different records ever share a hash, the records themselves are sorted).
    """
    m, w = rec.shape
    if w == 1:
        h = rec[:, 0]
    else:
        h = rec[:, 0] * _MIX
        for j in range(1, w):                          # loop over words, not respondents
            h ^= h >> np.uint64(29)
            h += rec[:, j]
            h *= _MIX2
    gid, _ = pd.factorize(h, sort=False)
    del h
    gid = gid.astype(np.int64, copy=False)
    first = _first_rows(gid)
    if w > 1:
        step = 65536
        for s0 in range(0, m, step):                   # row blocks, no m x w temporary
            if not np.array_equal(rec.take(first[gid[s0:s0 + step]], axis=0), rec[s0:s0 + step]):
                _, inv = np.unique(rec, axis=0, return_inverse=True)      # hash collision
                gid, _ = pd.factorize(inv.ravel(), sort=False)
                gid = gid.astype(np.int64, copy=False)
                return gid, _first_rows(gid)
    return gid, first


def _first_rows(gid: np.ndarray) -> np.ndarray:
    """First row of each id, for ids numbered in order of first appearance."""
    seen = np.maximum.accumulate(gid)
    return np.flatnonzero(np.r_[True, gid[1:] > seen[:-1]])


_GROUP_MAX = 24        # join groups up to this size: every pair compared
_WINDOW = 4            # larger groups: each row against its next rows (sorted neighbourhood)
_VERIFY_CHUNK = 32768  # pairs verified at once (temporaries stay in cache)
_JOIN_BUDGET = 10_000_000   # rows x block-pair joins; fewer blocks above it


def _compact(gid: np.ndarray, span: int) -> tuple[np.ndarray, int]:
    """Block ids as int32: kept below 2^31, else renumbered in order of first appearance."""
    if span > (1 << 31):
        gid, uniq = pd.factorize(gid, sort=False)
        span = len(uniq)
    return gid.astype(np.int32), span


def _repeated(key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(positions, keys) of the keys that may repeat: every repeated key and a few others.

    Two rounds of hash-bucket counts, each dropping the keys alone in their
    bucket (a repeated key always shares its bucket). Small tables (about two
    and four buckets per key) stay in cache better than one large one.
    """
    pos = None
    for mix, per_key in ((_MIX, 2), (_MIX2, 4)):
        if key.size < 2:
            break
        bits = max(10, int(np.ceil(np.log2(per_key * key.size))))
        h = key * mix
        h >>= np.uint64(64 - bits)
        h = h.view(np.int64)
        keep = np.bincount(h, minlength=1 << bits)[h] >= 2
        del h
        pos = np.flatnonzero(keep) if pos is None else pos[keep]
        key = key[keep]
    return (np.arange(key.size) if pos is None else pos), key


def _join_pairs(ida: np.ndarray, idc: np.ndarray, span_c: int, order_key: np.ndarray):
    """Rows sharing the key ``ida * span_c + idc``: (order, pairs), pairs as positions in ``order``.

    ``order`` lists the candidate rows sorted by key, so that the rows of one
    group are adjacent; ``pairs`` is a list of (left, right) position arrays:
    every pair in groups of up to ``_GROUP_MAX`` rows, neighbours within
    ``_WINDOW`` in larger groups (sorted by ``order_key``). Hash-bucket counts
    first discard most rows whose key is unique (most rows, on varied
    answers). Returns (None, []) when no key repeats.
    """
    key = ida.astype(np.uint64)                      # exact: below span_a * span_c <= 2^62
    key *= np.uint64(span_c)
    key += idc.view(np.uint32)
    cand, key = _repeated(key)
    if cand.size < 2:
        return None, []
    by_key = np.argsort(key, kind="stable")
    order = cand[by_key]
    k_sorted = key[by_key]
    starts = np.flatnonzero(np.r_[True, k_sorted[1:] != k_sorted[:-1]])
    sizes = np.diff(np.r_[starts, order.size])
    size_of = np.repeat(sizes, sizes)
    big = size_of > _GROUP_MAX
    if big.any():                                    # order large groups by order_key
        sel = np.flatnonzero(big)
        order[sel] = order[sel][np.lexsort((order_key[order[sel]], k_sorted[sel]))]
    rank = np.arange(order.size) - np.repeat(starts, sizes)
    pairs = []
    # small groups: each row with every later row of its group
    pos = np.flatnonzero((size_of >= 2) & ~big)
    count = (size_of - rank - 1)[pos]
    total = int(count.sum())
    if total:
        left = np.repeat(pos, count)
        step = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
        pairs.append((left, left + 1 + step))
    # large groups (answers concentrated on a few patterns): sorted neighbourhood
    pos = np.flatnonzero(big)
    for d in range(1, _WINDOW + 1):                 # loop over offsets, not respondents
        p = pos[(rank[pos] + d) < size_of[pos]]
        if p.size:
            pairs.append((p, p + d))
    return order, pairs


class Packed:
    """Answer vectors packed into one record of 64-bit words per respondent.

    Items with fewer than 15 levels take 4 bits each, 16 to a word (0 = blank);
    items with more levels (e.g. counts) take a word each. Comparing a pair
    then takes one gather of a short record per side, a few word operations
    and a popcount, instead of a gather of k codes. A record is also an exact
    key of the whole answer vector (equal records, equal answers).
    """

    _LOW = np.uint64(0x1111111111111111)

    def __init__(self, cols: list[np.ndarray]) -> None:
        m = cols[0].shape[0]
        low = [int(c.min()) for c in cols]
        top = [int(c.max()) for c in cols]
        small = [j for j in range(len(cols)) if top[j] < 15]
        large = [j for j in range(len(cols)) if top[j] >= 15]
        self.nw = -(-len(small) // 16)
        self.rec = np.zeros((m, self.nw + len(large)), dtype=np.uint64)
        if small:
            # two items to a byte, 8 bytes to a word: 4-bit fields (code + 1, 0 = blank)
            octets = self.rec[:, :self.nw].view(np.uint8)
            for pos in range(0, len(small), 2):        # loop over items, not respondents
                byte = 8 * (pos // 16) + (pos % 16) // 2
                octets[:, byte] = self._nibbles(cols, small[pos:pos + 2], low)
        for pos, j in enumerate(large):
            c = cols[j] if low[j] >= -1 else np.maximum(cols[j], -1)   # any negative: blank
            self.rec[:, self.nw + pos] = c.astype(np.int64) + 1

    @staticmethod
    def _nibbles(cols: list[np.ndarray], items: list[int], low: list[int]) -> np.ndarray:
        """One byte per row holding the codes + 1 of one or two small items (low nibble first)."""
        out = None
        for shift, j in enumerate(items):
            c = cols[j] if low[j] >= -1 else np.maximum(cols[j], -1)   # any negative: blank
            v = c.astype(np.uint8)                     # -1 wraps to 255, and 255 + 1 to 0
            v += np.uint8(1)
            if shift:
                v <<= np.uint8(4)
                out |= v
            else:
                out = v
        return out

    def counts(self, left: np.ndarray, right: np.ndarray, rec: np.ndarray | None = None):
        """(agreements, items both answered) of each pair of rows of ``rec`` (default all)."""
        rec = self.rec if rec is None else rec
        a, b = rec.take(left, axis=0), rec.take(right, axis=0)    # faster than rec[left]
        nw = self.nw
        one, two = np.uint64(1), np.uint64(2)
        if nw:
            wa, wb = a[:, :nw], b[:, :nw]
            na = wa | (wa >> one)
            na |= na >> two
            nb = wb | (wb >> one)
            nb |= nb >> two
            both = na & nb & self._LOW                # bit per item answered by both
            x = wa ^ wb
            x |= x >> one
            x |= x >> two
            common = np.bitwise_count(both).sum(axis=1, dtype=np.int64)
            differ = np.bitwise_count(x & both).sum(axis=1, dtype=np.int64)
            agree = common - differ
        else:
            common = np.zeros(len(left), dtype=np.int64)
            agree = np.zeros(len(left), dtype=np.int64)
        if a.shape[1] > nw:
            la, lb = a[:, nw:], b[:, nw:]
            bl = (la > 0) & (lb > 0)
            common += bl.sum(axis=1)
            agree += ((la == lb) & bl).sum(axis=1)
        return agree, common


def n_blocks(k: int, m: int, threshold: float) -> int:
    """Number of item blocks b (see near_duplicates), lowered until the joins fit the budget."""
    b = min(int(np.floor((1 - threshold) * k + 1e-9)) + 2, max(2, k // 4), k)
    while b > 2 and b * (b - 1) // 2 * m > _JOIN_BUDGET:   # bounded work on huge files
        b -= 1
    return b


def block_ids(cols: list[np.ndarray], b: int) -> list[tuple[np.ndarray, int]]:
    """(id, id range) of each row's answers on each of the b interleaved item blocks."""
    return [_compact(*group_ids(cols[j::b])) for j in range(b)]


def blocked_matches(bids: list[tuple[np.ndarray, int]], packed: Packed, reps: np.ndarray,
                    threshold: float, need: int):
    """Compare the pairs agreeing on two of the b item blocks (see near_duplicates).

    ``bids`` holds the block ids of the distinct answer vectors (from
    :func:`block_ids`), whose records are the rows ``reps`` of ``packed``.
    Returns, per vector, the earliest earlier vector it matches (-1 if none)
    and its best share.
    """
    b = len(bids)
    m = bids[0][0].size
    # order inside large join groups: by the ids of the first blocks, so that
    # rows agreeing on more blocks sit next to each other
    order_key = bids[0][0].astype(np.int64)
    span = bids[0][1]
    for g, w in bids[1:]:
        if span * w >= (1 << 62):
            break
        order_key *= w
        order_key += g
        span *= w
    los, his, shs = [], [], []
    for a in range(b):
        for c in range(a + 1, b):
            order, pairs = _join_pairs(bids[a][0], bids[c][0], bids[c][1], order_key)
            if order is None:
                continue
            # records of the candidates in key order: local access when verifying
            rec = packed.rec.take(order if reps.size == packed.rec.shape[0] else reps[order],
                                  axis=0)
            for left, right in pairs:
                for s0 in range(0, left.size, _VERIFY_CHUNK):
                    lft, rgt = left[s0:s0 + _VERIFY_CHUNK], right[s0:s0 + _VERIFY_CHUNK]
                    agree, common = packed.counts(lft, rgt, rec)
                    with np.errstate(invalid="ignore", divide="ignore"):
                        sh = agree / common
                    ok = (common >= need) & (sh >= threshold - 1e-12)
                    if ok.any():
                        x, y = order[lft[ok]], order[rgt[ok]]
                        los.append(np.minimum(x, y))
                        his.append(np.maximum(x, y))
                        shs.append(sh[ok])
    rmatch = np.full(m, -1, dtype=np.int64)
    rbest = np.full(m, np.nan)
    if los:
        lo, hi, sh = np.concatenate(los), np.concatenate(his), np.concatenate(shs)
        big = np.iinfo(np.int64).max
        first = np.full(m, big, dtype=np.int64)
        np.minimum.at(first, hi, lo)                   # earliest earlier partner
        rmatch = np.where(first < big, first, -1)
        top = np.full(m, -1.0)
        np.maximum.at(top, lo, sh)
        np.maximum.at(top, hi, sh)
        rbest = np.where(top >= 0, top, np.nan)
    return rmatch, rbest

