"""The peak memory of this process, for the benchmarks' worker processes.

``resource.getrusage(RUSAGE_SELF).ru_maxrss`` is not the process's own peak on
Linux: a child started by ``subprocess`` keeps the high-water mark its parent
had when it forked (it survives ``execve``), so a worker started by a parent
that had just written 10M rows reported the parent's peak. ``VmHWM`` in
``/proc/self/status`` belongs to the process's own address space, which
``execve`` replaces; it is read where it exists, ``ru_maxrss`` elsewhere.

Example
-------
>>> peak_mb() > 0
True
"""

from __future__ import annotations

import resource
from pathlib import Path


def peak_mb() -> float:
    """Peak resident memory of this process, in MiB (all its threads)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024          # kB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
