"""An exact integer id for each distinct row of item codes.

Used to find repeated answer vectors (near-duplicates, the multi-select
patterns of the near-duplicate rule) and repeated flag patterns (the
``reasons`` column of the exclusion flow).

Example
-------
>>> import numpy as np
>>> gid, span = group_ids([np.array([0, 1, 0, -1]), np.array([2, 2, 2, 0])])
>>> gid.tolist(), span
([7, 11, 7, 1], 12)
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def group_ids(cols) -> tuple[np.ndarray, int]:
    """Integer id of each distinct row, from item columns (-1 = blank), and the id range.

    ``cols`` is a (k, n) array or a list of k int arrays of length n. Exact:
    columns are packed in mixed radix into int64 while the product of their
    widths fits, and the packed value is re-numbered (factorized) only when
    the next column would overflow.
    """
    k = len(cols)
    n = len(cols[0]) if k else 0
    if k == 0 or n == 0:
        return np.zeros(n, dtype=np.int64), 1
    gid = np.zeros(n, dtype=np.int64)
    span = 1                                          # gid lies in [0, span)
    limit = 1 << 62
    for c in cols:                                    # loop over items, not respondents
        c = np.asarray(c)
        width = int(c.max()) + 2                      # codes -1..max -> 0..max+1
        if span * width >= limit:
            gid, uniq = pd.factorize(gid, sort=False)
            gid = gid.astype(np.int64)
            span = len(uniq)
        gid *= width                                  # in place: no n-sized temporaries
        gid += c
        gid += 1
        span *= width
    return gid, span

