"""One module per benchmark section; ``bench/run.py`` chooses which run (BENCH_ONLY)."""
