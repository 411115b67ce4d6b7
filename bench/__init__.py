"""Benchmark harness for issue 8: `python -m bench` (see docs/benchmarks.md)."""
