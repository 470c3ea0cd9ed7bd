"""One small adapter per tool benchmarked by ``benchmarks/run.py`` (see its docstring)."""
